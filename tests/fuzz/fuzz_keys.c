// SPDX-License-Identifier: GPL-3.0-or-later
/* Fuzz harness for the key decoder: arbitrary terminal input fed in chunks (sizes from the
 * input itself) gives events whose paste text is valid UTF-8 without controls other than \n and
 * \t, whose names round-trip through keys_parse_name(), a decoder that ends empty after a
 * timeout (unless inside an unfinished paste), and the same events whatever the chunking: the
 * input fed whole must decode exactly as fed in pieces. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tui/keys.h"
#include "tui/safetext.h"

/* The events decoded, as text, to compare two decodings. */
struct trace {
	char *p;
	size_t len, cap;
};

static void trace_add(struct trace *t, const struct key *k)
{
	char buf[96];
	int n = snprintf(buf, sizeof buf, "%d/%u/%zu/%d,%d,%d,%d;", k->code, k->mods,
			 k->code == K_PASTE ? k->len : 0, k->mouse.x, k->mouse.y, k->mouse.button,
			 k->mouse.action);

	if (t->len + (size_t)n + 1 > t->cap) {
		t->cap = (t->len + (size_t)n + 1) * 2;
		if (!(t->p = realloc(t->p, t->cap)))
			abort();
	}
	memcpy(t->p + t->len, buf, (size_t)n);
	t->len += (size_t)n;
	if (k->code == K_PASTE) { /* the paste's text counts too */
		if (t->len + k->len + 1 > t->cap) {
			t->cap = (t->len + k->len + 1) * 2;
			if (!(t->p = realloc(t->p, t->cap)))
				abort();
		}
		memcpy(t->p + t->len, k->text, k->len);
		t->len += k->len;
	}
}

static void drain(struct keys *d, struct trace *t)
{
	struct key k, back;
	char name[64];

	while (keys_next(d, &k)) {
		memset(&back, 0, sizeof back);
		trace_add(t, &k);
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
	struct keys *d = keys_new(), *whole = keys_new();
	struct trace tc = {0}, tw = {0};
	size_t off = 0;

	if (!d || !whole)
		abort();
	while (off < size) {
		size_t n = 1 + data[off] % 16;

		if (n > size - off)
			n = size - off;
		keys_feed(d, data + off, n);
		drain(d, &tc);
		off += n;
	}
	keys_timeout(d);
	drain(d, &tc);
	keys_timeout(d);
	drain(d, &tc);
	if (keys_pending(d) && !keys_in_paste(d))
		abort();
	/* chunking invariance */
	keys_feed(whole, data, size);
	drain(whole, &tw);
	keys_timeout(whole);
	drain(whole, &tw);
	keys_timeout(whole);
	drain(whole, &tw);
	if (tc.len != tw.len || (tc.len && memcmp(tc.p, tw.p, tc.len)))
		abort();
	free(tc.p);
	free(tw.p);
	keys_free(whole);
	keys_free(d);
	return 0;
}
