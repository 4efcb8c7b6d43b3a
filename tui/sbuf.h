// SPDX-License-Identifier: GPL-3.0-or-later
/* A growing NUL-terminated byte string for building text; an allocation failure sticks (oom)
 * and later appends do nothing, so a caller checks once at the end (sb_done). */
#ifndef BOBBIN_SBUF_H
#define BOBBIN_SBUF_H

#include <stddef.h>

struct sb {
	char *p;
	size_t n, cap;
	int oom;
};

void sb_add(struct sb *b, const char *s, size_t n);
void sb_str(struct sb *b, const char *s);
/* The string (caller frees; "" when nothing was added), or NULL when out of memory. */
char *sb_done(struct sb *b);

#endif
