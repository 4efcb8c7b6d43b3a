// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * A table of short texts laid out in columns for a terminal: a GFM pipe table in markdown, an
 * HTML <table> (pandas) in an output. Columns are as wide as their widest cell; when the table
 * is wider than the width, the widest columns are cut (cells end in "…") down to 4 columns
 * each. Header rows are followed by a rule; numbers (and cells aligned right) are right-aligned.
 */
#ifndef BOBBIN_TEXTTABLE_H
#define BOBBIN_TEXTTABLE_H

#include <stddef.h>

enum tt_align { TT_AUTO, TT_LEFT, TT_RIGHT, TT_CENTER };

struct tt_cell {
	const char *text; /* safe one-line text (no control characters); NULL as "" */
	int head;         /* a header cell (bold with sgr) */
};

#define TT_MAX_COLS 64

/*
 * The table (nrows × ncols cells, row after row; ncols ≤ TT_MAX_COLS) as lines ending in "\n",
 * header cells in bold SGR when sgr is set. align (NULL: all TT_AUTO) has one entry per
 * column; a row whose cells are all headers is a header row. Caller frees; NULL when out of
 * memory.
 */
char *tt_layout(const struct tt_cell *cells, size_t nrows, size_t ncols, const int *align,
		int width, int ascii, int sgr);

#endif
