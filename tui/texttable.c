// SPDX-License-Identifier: GPL-3.0-or-later
/* Tables of text in columns (see texttable.h). */
#include "tui/texttable.h"

#include <stdlib.h>
#include <string.h>

#include "tui/safetext.h"
#include "tui/sbuf.h"

static void spaces(struct sb *b, int n)
{
	while (n-- > 0)
		sb_add(b, " ", 1);
}

static int numeric(const char *t)
{
	char *end;

	if (!t || !*t)
		return 0;
	strtod(t, &end);
	return *end == 0 || !strcmp(end, "%");
}

static int row_is_head(const struct tt_cell *cells, size_t r, size_t ncols)
{
	for (size_t c = 0; c < ncols; c++)
		if (!cells[r * ncols + c].head)
			return 0;
	return 1;
}

char *tt_layout(const struct tt_cell *cells, size_t nrows, size_t ncols, const int *align,
		int width, int ascii, int sgr)
{
	int colw[TT_MAX_COLS] = {0}, total;
	struct sb b = {0};

	if (ncols > TT_MAX_COLS)
		ncols = TT_MAX_COLS;
	for (size_t r = 0; r < nrows; r++)
		for (size_t c = 0; c < ncols; c++) {
			const char *t = cells[r * ncols + c].text;
			int w = t ? st_width(t, strlen(t)) : 0;

			if (w > colw[c])
				colw[c] = w;
		}
	for (;;) {
		size_t wi = 0;

		total = 0;
		for (size_t c = 0; c < ncols; c++) {
			total += colw[c] + (c ? 2 : 0);
			if (colw[c] > colw[wi])
				wi = c;
		}
		if (total <= width || colw[wi] <= 4)
			break;
		colw[wi]--;
	}
	for (size_t r = 0; r < nrows; r++) {
		int head = row_is_head(cells, r, ncols);

		for (size_t c = 0; c < ncols; c++) {
			const struct tt_cell *cl = &cells[r * ncols + c];
			const char *t = cl->text ? cl->text : "";
			size_t len = strlen(t);
			int used = 0, a = align ? align[c] : TT_AUTO, left, pad;
			size_t fit = st_fit(t, len, colw[c], &used);
			int cut = fit < len;

			if (cut)
				fit = st_fit(t, len, colw[c] - 1, &used);
			pad = colw[c] - used - cut;
			if (a == TT_AUTO)
				a = numeric(t) && !cl->head ? TT_RIGHT : TT_LEFT;
			left = a == TT_RIGHT ? pad : a == TT_CENTER ? pad / 2 : 0;
			if (c)
				sb_add(&b, "  ", 2);
			spaces(&b, left);
			if (sgr && cl->head && *t)
				sb_add(&b, "\033[1m", 4);
			sb_add(&b, t, fit);
			if (cut)
				sb_add(&b, ascii ? "~" : "…", ascii ? 1 : 3);
			if (sgr && cl->head && *t)
				sb_add(&b, "\033[0m", 4);
			if (c + 1 < ncols)
				spaces(&b, pad - left);
		}
		sb_add(&b, "\n", 1);
		if (head && r + 1 < nrows && !row_is_head(cells, r + 1, ncols)) {
			for (int k = 0; k < total; k++)
				sb_add(&b, ascii ? "-" : "─", ascii ? 1 : 3);
			sb_add(&b, "\n", 1);
		}
	}
	return sb_done(&b);
}
