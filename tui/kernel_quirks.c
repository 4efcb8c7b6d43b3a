// SPDX-License-Identifier: GPL-3.0-or-later
/* Kernel differences the protocol leaves open (kernel_quirks.h). */
#include <stdlib.h>
#include <string.h>

#include "tui/kernel_quirks.h"

static int implementation_is(struct kc_client *kc, const char *name)
{
	json_t *info = kc_client_info(kc);
	const char *impl = json_string_value(json_object_get(info, "implementation"));

	return impl && !strcmp(impl, name);
}

int kq_silent_count_is_next(struct kc_client *kc)
{
	return implementation_is(kc, "IRkernel");
}

char *kq_backspaces(const char *s)
{
	size_t n = strlen(s), k = 0;
	char *out = malloc(n + 1);

	if (!out)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		if (s[i] != '\b') {
			out[k++] = s[i];
			continue;
		}
		if (!k || out[k - 1] == '\n')
			continue;
		/* back over one whole UTF-8 character */
		while (k > 0 && ((unsigned char)out[k - 1] & 0xc0) == 0x80)
			k--;
		if (k > 0)
			k--;
	}
	out[k] = 0;
	return out;
}
