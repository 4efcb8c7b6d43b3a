// SPDX-License-Identifier: GPL-3.0-or-later
/* Fuzz harness for the key decoder: arbitrary terminal input fed in chunks (sizes from the
 * input itself) gives events whose paste text is valid UTF-8 without controls other than \n and
 * \t, whose names round-trip through keys_parse_name(), and a decoder that ends empty after a
 * timeout (unless inside an unfinished paste). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tui/keys.h"
#include "tui/safetext.h"

static void drain(struct keys *d)
{
	struct key k, back;
	char name[64];

	while (keys_next(d, &k)) {
		if (k.code == K_PASTE) {
			char *safe = st_plain(k.text, k.len, NULL);

			if (!safe || strlen(safe) != k.len || memcmp(safe, k.text, k.len))
				abort();
			free(safe);
		} else if (k.code != K_MOUSE && keys_name(&k, name, sizeof name) > 0 &&
			   keys_parse_name(name, &back) == 0 &&
			   (back.code != k.code || back.mods != k.mods)) {
			abort();
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct keys *d = keys_new();
	size_t off = 0;

	if (!d)
		abort();
	while (off < size) {
		size_t n = 1 + data[off] % 16;

		if (n > size - off)
			n = size - off;
		keys_feed(d, data + off, n);
		drain(d);
		off += n;
	}
	keys_timeout(d);
	drain(d);
	keys_timeout(d);
	drain(d);
	if (keys_pending(d) && !keys_in_paste(d))
		abort();
	keys_free(d);
	return 0;
}
