// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * The notebook screen's layout engine: turns one cell (its source, its outputs, and how it is
 * shown) into rows of styled spans at a given width — the pane border, the prompt gutter, source
 * wrapped with true widths (CJK, emoji) and tabs expanded as the editor counts them, outputs
 * through safetext (SGR becomes a style, every other control is dropped), rich MIME as a
 * one-line placeholder, long outputs folded with "… N more lines". Pure: no curses, no I/O, so
 * the view draws the rows and the unit tests check them.
 *
 * Everything shown comes from untrusted text (a downloaded notebook, a kernel): sources and
 * markdown have their control characters drawn as '?' in the placeholder role, outputs go
 * through st_parse(). Text in a layout is always safe UTF-8 (or ASCII with ascii set).
 */
#ifndef BOBBIN_RENDER_H
#define BOBBIN_RENDER_H

#include <stddef.h>
#include <jansson.h>

#include "notebook/nb.h"
#include "tui/mime.h"
#include "tui/safetext.h"

/* One run of text in one style. With sgr set, style (a kernel's SGR colours and attributes) is
 * drawn over role: its colours replace the role's where not ST_DEFAULT, attributes add up. */
struct rd_span {
	unsigned off, len; /* bytes in the layout's text */
	unsigned short role;
	unsigned char sgr;
	struct st_style style;
};

enum rd_row_kind {
	RD_ROW_TOP,    /* the pane's top border with the prompt */
	RD_ROW_SOURCE, /* a (wrapped part of a) source line */
	RD_ROW_BOTTOM, /* the pane's bottom border */
	RD_ROW_OUTPUT, /* a (wrapped part of a) line of output */
	RD_ROW_FOLD,   /* "… N more lines" */
	RD_ROW_NOTE,   /* a note about the cell (kernel died here, …) */
	RD_ROW_INPUT   /* where the input() prompt is drawn */
};

struct rd_row {
	unsigned span0, nspans;
	unsigned char kind;
	int line; /* SOURCE: 0-based source line; OUTPUT: output index */
	int col0; /* SOURCE: display column (tabs expanded) of the row's first character */
};

/* A laid-out cell. Caller owns; rd_layout_clear() frees the contents. */
struct rd_layout {
	char *text; /* tlen bytes, NUL-terminated once any text was laid out */
	size_t tlen, tcap;
	struct rd_span *spans;
	size_t nspans, scap;
	struct rd_row *rows;
	size_t nrows, rcap;
	int text_x; /* screen column where source/output text starts */
	int fold_hidden; /* lines hidden by folding (0 when nothing was folded) */
};

/* What the attribution view shows for one output: a gutter label (thread name) in a role, and
 * marks ("↩ [3]", "late", "stray") after its first row. Strings are copied. */
struct rd_attrib {
	char label[64];
	int label_role;
	char marks[64];
	int marks_role;
};
typedef int rd_attrib_cb(void *ud, size_t out_index, struct rd_attrib *a);

struct rd_cell_in {
	enum nb_cell_type type;
	const char *src; /* borrowed, UTF-8, srclen bytes */
	size_t srclen;
	const unsigned char *roles; /* per-byte theme role of src, or NULL (plain) */
	json_t *outputs;            /* borrowed outputs array, or NULL */
	long exec_count;            /* -1: never run */
	int running, queued;
	int width;       /* screen columns */
	int gutter;      /* prompt gutter columns (RD_GUTTER, wider for attribution labels) */
	int fold_height; /* output rows shown before folding; 0: never fold */
	int unfolded;
	int tail;        /* folded output shows its end (a running cell) rather than its start */
	int focused, editing;
	int ascii;       /* no UTF-8: ASCII borders, non-ASCII characters shown as '?' */
	int numbers;     /* code cells: source lines numbered from 1 (:set number) */
	const char *note;     /* a note row (NULL: none), e.g. "kernel died while running this cell" */
	const char *input_prompt; /* non-NULL: an input row goes after the outputs */
	/* markdown rendered elsewhere (NULL: shown as source text): lines of spans */
	struct rd_mdline *md;
	size_t nmd;
	rd_attrib_cb *attrib; /* NULL: no attribution view */
	void *attrib_ud;
	/* the output that is still growing (NULL: none): its text is live_text (live_len bytes,
	 * live_lines lines), not its "text" member */
	const json_t *live_out;
	const char *live_text;
	size_t live_len, live_lines;
	/* rich outputs (markdown, images, …) shown as mime.h renders them at the text width;
	 * NULL: text/plain and one-line placeholders only */
	const struct mime_opts *mime;
};

/* A line of rendered markdown handed in by the caller (spans of text in roles). */
struct rd_mdspan {
	const char *text;
	size_t len;
	int role;
	unsigned attrs; /* ST_BOLD, ST_ITALIC, ST_UNDERLINE */
};
struct rd_mdline {
	const struct rd_mdspan *spans;
	size_t nspans;
};

#define RD_GUTTER 7
#define RD_GUTTER_ATTRIB 16

/* Lays out a cell into *out (cleared first). 0, or -1 when out of memory. */
int rd_cell(const struct rd_cell_in *in, struct rd_layout *out);
void rd_layout_clear(struct rd_layout *l);

/* The text of one output as shown (text/plain, stream text, traceback; "" for none) and its
 * base role; placeholders for rich MIME types go into ph (NUL-separated lines). Borrowed or
 * caller frees as *owned says. For the pager and search. */
const char *rd_output_text(json_t *output, int *role, char **owned);

/* The text a display_data or execute_result output shows as through mime.h at width (SGR
 * styles in it), or NULL when its text/plain and placeholders are what shows. Caller frees. */
char *rd_output_rich(json_t *output, const struct mime_opts *mo, int width);

/* The row for the editor cursor at (line, col), and the screen x within the row. -1 if none. */
long rd_cursor_row(const struct rd_layout *l, size_t line, int col, int *x);

/* Appends safe text (one line, tabs expanded, controls as '?') in role to the last row, or to a
 * new row with newrow; for the help screen and lists. 0, or -1 when out of memory. */
int rd_append(struct rd_layout *l, const char *s, int role, int newrow);

/* Human size: "512 B", "12.3 KB", "4.0 MB". */
void rd_size(size_t n, char *buf, size_t size);

#endif
