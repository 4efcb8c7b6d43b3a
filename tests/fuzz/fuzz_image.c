// SPDX-License-Identifier: GPL-3.0-or-later
/* Fuzz harness for the image path: arbitrary bytes decoded as PNG or JPEG (img_decode, with its
 * limits) and, when they decode, drawn as art at a width and depth chosen by the first byte;
 * the same bytes as base64 text through img_text(), and as HTML and LaTeX through mime.c. The
 * art must parse back (st_parse) to rows no wider than asked, with no control character. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tui/image.h"
#include "tui/mime.h"
#include "tui/safetext.h"

struct chk {
	int cur, maxw, bad;
};

static void emit(void *ud, const struct st_style *st, const char *t, size_t n)
{
	struct chk *c = ud;

	(void)st;
	for (size_t i = 0; i < n;) {
		size_t adv = 1;

		if (t[i] == '\n') {
			c->cur = 0;
			i++;
			continue;
		}
		if ((unsigned char)t[i] < 0x20)
			c->bad = 1;
		c->cur += st_next(t + i, n - i, &adv);
		if (c->cur > c->maxw)
			c->maxw = c->cur;
		i += adv;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mime_opts o = {0};
	struct img im;
	char why[128], *t;

	if (!size)
		return 0;
	o.width = 1 + data[0] % 64;
	o.image_rows = 1 + data[0] % 7;
	o.depth = (enum theme_depth)(1 + data[0] % 4);
	o.ascii = data[0] >= 200;
	data++;
	size--;
	if (img_decode(data, size, &im, why, sizeof why) == 0) {
		struct chk c = {0};

		if (!im.w || !im.h || im.w > IMG_MAX_SIDE || im.h > IMG_MAX_SIDE)
			abort();
		t = img_art(&im, &o, why, sizeof why);
		if (!t)
			abort();
		st_parse(t, strlen(t), NULL, emit, &c);
		if (c.bad || c.maxw > o.width)
			abort();
		free(t);
		img_free(&im);
	} else if (!why[0]) {
		abort(); /* a failure always says why */
	}
	/* the bytes as base64 text, HTML and LaTeX */
	t = img_text((const char *)data, size, &o, why, sizeof why);
	free(t);
	t = mime_html_table((const char *)data, size, o.width, o.ascii);
	free(t);
	t = mime_html_strip((const char *)data, size);
	free(t);
	t = mime_latex((const char *)data, size);
	free(t);
	return 0;
}
