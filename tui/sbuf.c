// SPDX-License-Identifier: GPL-3.0-or-later
/* Growing strings (see sbuf.h). */
#include "tui/sbuf.h"

#include <stdlib.h>
#include <string.h>

void sb_add(struct sb *b, const char *s, size_t n)
{
	if (b->oom)
		return;
	if (b->n + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 256;
		char *p;

		while (cap < b->n + n + 1)
			cap *= 2;
		if (!(p = realloc(b->p, cap))) {
			b->oom = 1;
			return;
		}
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->n, s, n);
	b->n += n;
	b->p[b->n] = 0;
}

void sb_str(struct sb *b, const char *s)
{
	sb_add(b, s, strlen(s));
}

char *sb_done(struct sb *b)
{
	if (b->oom || !b->p) {
		free(b->p);
		return b->oom ? NULL : strdup("");
	}
	return b->p;
}
