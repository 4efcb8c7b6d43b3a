// SPDX-License-Identifier: GPL-3.0-or-later
/* Fuzz harness for the markdown renderer: md_render_ex() on arbitrary bytes, at a width and in
 * the ASCII mode chosen by the first byte, gives lines whose spans are non-empty safe UTF-8
 * (no control character other than \t) within the width (a wide character alone excepted). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tui/markdown.h"
#include "tui/safetext.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct md_render_opts o = {0};
	struct md_line *l;
	size_t n, i, j;
	int width;

	if (!size)
		return 0;
	width = MD_MIN_WIDTH + data[0] % 100;
	o.ascii = data[0] >= 128;
	if (!(l = md_render_ex((const char *)data + 1, size - 1, width, &o, &n)))
		abort();
	for (i = 0; i < n; i++) {
		int w = l[i].indent;

		for (j = 0; j < l[i].n; j++) {
			const char *t = l[i].spans[j].text;
			size_t len = strlen(t);
			char *safe = st_plain(t, len, NULL);

			if (!len || !safe || strcmp(safe, t))
				abort(); /* the renderer hands out only what safetext would keep */
			free(safe);
			w += st_width(t, len);
		}
		if (w > width && l[i].n > 1)
			abort();
	}
	md_free(l, n);
	return 0;
}
