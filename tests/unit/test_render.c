// SPDX-License-Identifier: GPL-3.0-or-later
/* Unit tests of the cell layout (tui/render.c): wrapping, wide characters, tabs, unsafe
 * characters in sources, SGR in outputs, rich MIME placeholders, folding head and tail. */
#include <locale.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "tui/render.h"
#include "tui/safetext.h"
#include "tui/theme.h"

/* The text of row r without its gutter (from text_x on), into buf. */
static const char *row_text(const struct rd_layout *l, size_t r, char *buf, size_t size)
{
	size_t n = 0;
	int col = 0;

	for (unsigned i = 0; i < l->rows[r].nspans; i++) {
		const struct rd_span *sp = &l->spans[l->rows[r].span0 + i];
		for (unsigned k = 0; k < sp->len; k++) {
			size_t adv = 1;
			const char *c = l->text + sp->off + k;
			if (((unsigned char)*c & 0xc0) != 0x80) {
				col += st_next(c, sp->len - k, &adv);
			}
			if (col > l->text_x && n + 1 < size)
				buf[n++] = *c;
		}
	}
	buf[n] = 0;
	return buf;
}

static int row_width(const struct rd_layout *l, size_t r)
{
	int w = 0;
	for (unsigned i = 0; i < l->rows[r].nspans; i++) {
		const struct rd_span *sp = &l->spans[l->rows[r].span0 + i];
		w += st_width(l->text + sp->off, sp->len);
	}
	return w;
}

static size_t count_kind(const struct rd_layout *l, int kind)
{
	size_t n = 0;
	for (size_t r = 0; r < l->nrows; r++)
		n += l->rows[r].kind == kind;
	return n;
}

static struct rd_cell_in code(const char *src, int width)
{
	struct rd_cell_in in;
	memset(&in, 0, sizeof in);
	in.type = NB_CODE;
	in.src = src;
	in.srclen = strlen(src);
	in.width = width;
	in.exec_count = -1;
	return in;
}

static void test_wrap_ascii(void **st)
{
	struct rd_layout l = {0};
	struct rd_cell_in in = code("abcdefghijklmnopqrstuvwxyz0123456789", 30);
	char buf[256];

	assert_int_equal(rd_cell(&in, &l), 0);
	/* width 30: text from column 9, 20 columns of text per row */
	assert_int_equal(count_kind(&l, RD_ROW_SOURCE), 2);
	assert_string_equal(row_text(&l, 1, buf, sizeof buf), "abcdefghijklmnopqrst");
	assert_string_equal(row_text(&l, 2, buf, sizeof buf), "uvwxyz0123456789");
	assert_int_equal(l.rows[2].col0, 20);
	for (size_t r = 0; r < l.nrows; r++)
		assert_true(row_width(&l, r) <= 30);
	rd_layout_clear(&l);
}

static void test_wrap_wide(void **st)
{
	struct rd_layout l = {0};
	/* 15 CJK characters = 30 columns; rows have 20 columns: a character never splits */
	struct rd_cell_in in = code("漢字漢字漢字漢字漢字漢字漢字漢", 30);
	char buf[256];
	int x;

	assert_int_equal(rd_cell(&in, &l), 0);
	assert_int_equal(count_kind(&l, RD_ROW_SOURCE), 2);
	row_text(&l, 1, buf, sizeof buf);
	assert_int_equal(st_width(buf, strlen(buf)), 20);
	assert_int_equal(l.rows[2].col0, 20);
	/* the editor's cursor at display column 22 is on the second row, 2 columns in */
	assert_int_equal(rd_cursor_row(&l, 0, 22, &x), 2);
	assert_int_equal(x, l.text_x + 2);
	rd_layout_clear(&l);

	/* an odd room: 19 columns take 9 wide characters, never half of one */
	in = code("漢字漢字漢字漢字漢字漢字", 29);
	assert_int_equal(rd_cell(&in, &l), 0);
	row_text(&l, 1, buf, sizeof buf);
	assert_int_equal(st_width(buf, strlen(buf)), 18);
	rd_layout_clear(&l);
}

static void test_tabs_and_controls(void **st)
{
	struct rd_layout l = {0};
	struct rd_cell_in in = code("\tx\x1b]0;t\x07y\xe2\x80\xae", 80);
	char buf[256];
	size_t ph = 0;

	assert_int_equal(rd_cell(&in, &l), 0);
	row_text(&l, 1, buf, sizeof buf);
	/* tab to column 8, ESC and BEL and U+202E shown as '?' */
	assert_string_equal(buf, "        x?]0;t?y?");
	for (unsigned i = 0; i < l.rows[1].nspans; i++)
		ph += l.spans[l.rows[1].span0 + i].role == THEME_PLACEHOLDER;
	assert_int_equal(ph, 3);
	assert_null(memchr(l.text, 0x1b, l.tlen));
	rd_layout_clear(&l);
}

static json_t *stream(const char *text)
{
	return json_pack("{s:s, s:s, s:s}", "output_type", "stream", "name", "stdout", "text", text);
}

static void test_output_sgr(void **st)
{
	struct rd_layout l = {0};
	struct rd_cell_in in = code("print()", 60);
	json_t *outs = json_array();
	int red = 0;

	json_array_append_new(outs, stream("plain \x1b[31mred\x1b[0m \x1b]52;c;eA==\x07end\n"));
	in.outputs = outs;
	assert_int_equal(rd_cell(&in, &l), 0);
	assert_int_equal(count_kind(&l, RD_ROW_OUTPUT), 1);
	for (size_t i = 0; i < l.nspans; i++)
		if (l.spans[i].sgr && l.spans[i].style.fg == 1 &&
		    !strncmp(l.text + l.spans[i].off, "red", 3))
			red = 1;
	assert_true(red);
	assert_null(memchr(l.text, 0x1b, l.tlen));
	assert_null(memmem(l.text, l.tlen, "eA==", 4)); /* l.text is not NUL-terminated */
	rd_layout_clear(&l);
	json_decref(outs);
}

static void test_placeholder(void **st)
{
	struct rd_layout l = {0};
	struct rd_cell_in in = code("plot()", 80);
	json_t *outs = json_array();
	char buf[256];

	json_array_append_new(outs, json_pack("{s:s, s:{s:s, s:s}, s:{}}", "output_type",
					      "display_data", "data", "image/png", "AAAAAAAA",
					      "text/plain", "<Figure>", "metadata"));
	in.outputs = outs;
	assert_int_equal(rd_cell(&in, &l), 0);
	assert_int_equal(count_kind(&l, RD_ROW_OUTPUT), 2);
	assert_string_equal(row_text(&l, 3, buf, sizeof buf), "[image/png 6 B]");
	assert_string_equal(row_text(&l, 4, buf, sizeof buf), "<Figure>");
	rd_layout_clear(&l);
	json_decref(outs);
}

static void test_fold(void **st)
{
	struct rd_layout l = {0};
	struct rd_cell_in in = code("loop", 60);
	json_t *outs = json_array();
	char text[2000] = "", buf[256];
	size_t n = 0;

	for (int i = 0; i < 100; i++)
		n += (size_t)snprintf(text + n, sizeof text - n, "line %d\n", i);
	json_array_append_new(outs, stream(text));
	in.outputs = outs;
	in.fold_height = 10;
	/* head: 9 lines and the marker */
	assert_int_equal(rd_cell(&in, &l), 0);
	assert_int_equal(count_kind(&l, RD_ROW_OUTPUT), 9);
	assert_int_equal(count_kind(&l, RD_ROW_FOLD), 1);
	assert_int_equal(l.fold_hidden, 91);
	assert_non_null(strstr(row_text(&l, l.nrows - 1, buf, sizeof buf), "91 more lines"));
	/* tail (a running cell): the marker, then the last 9 lines */
	in.tail = 1;
	assert_int_equal(rd_cell(&in, &l), 0);
	assert_int_equal(count_kind(&l, RD_ROW_OUTPUT), 9);
	assert_non_null(strstr(row_text(&l, 3, buf, sizeof buf), "91 earlier lines"));
	assert_string_equal(row_text(&l, l.nrows - 1, buf, sizeof buf), "line 99");
	/* unfolded: everything */
	in.unfolded = 1;
	assert_int_equal(rd_cell(&in, &l), 0);
	assert_int_equal(count_kind(&l, RD_ROW_OUTPUT), 100);
	assert_int_equal(count_kind(&l, RD_ROW_FOLD), 0);
	/* lines that fit the fold exactly show without a marker */
	json_array_clear(outs);
	text[0] = 0;
	for (int i = 0, m = 0; i < 10; i++)
		m += snprintf(text + m, sizeof text - (size_t)m, "line %d\n", i);
	json_array_append_new(outs, stream(text));
	in.unfolded = 0;
	in.tail = 0;
	assert_int_equal(rd_cell(&in, &l), 0);
	assert_int_equal(count_kind(&l, RD_ROW_OUTPUT), 10);
	assert_int_equal(count_kind(&l, RD_ROW_FOLD), 0);
	in.tail = 1;
	assert_int_equal(rd_cell(&in, &l), 0);
	assert_int_equal(count_kind(&l, RD_ROW_OUTPUT), 10);
	assert_int_equal(count_kind(&l, RD_ROW_FOLD), 0);
	/* folding counts wrapped rows too: one long line becomes at most 9 rows */
	json_array_clear(outs);
	memset(text, 'x', 1500);
	text[1500] = 0;
	json_array_append_new(outs, stream(text));
	in.unfolded = 0;
	in.tail = 0;
	assert_int_equal(rd_cell(&in, &l), 0);
	assert_true(count_kind(&l, RD_ROW_OUTPUT) <= 9);
	rd_layout_clear(&l);
	json_decref(outs);
}

/* A growing output laid out from its live buffer (the json "text" is stale) looks exactly as
 * the same text would from json: head and tail folds, with and without a last "\n", and tails
 * found from the end (more than half the lines skipped) or the start. */
static void same_layout(const struct rd_layout *a, const struct rd_layout *b)
{
	char x[512], y[512];

	assert_int_equal(a->nrows, b->nrows);
	for (size_t r = 0; r < a->nrows; r++) {
		assert_int_equal(a->rows[r].kind, b->rows[r].kind);
		assert_string_equal(row_text(a, r, x, sizeof x), row_text(b, r, y, sizeof y));
	}
}

static void test_live_output(void **st)
{
	static const int nlines[] = {1, 5, 9, 10, 11, 19, 20, 21, 100};
	char text[4000], buf[256];

	for (size_t k = 0; k < sizeof nlines / sizeof *nlines; k++)
		for (int end_nl = 0; end_nl <= 1; end_nl++)
			for (int tail = 0; tail <= 1; tail++) {
				struct rd_layout lj = {0}, ll = {0};
				struct rd_cell_in in = code("loop", 60);
				json_t *outs = json_array(), *stale = json_array();
				size_t n = 0, lines = (size_t)nlines[k];

				for (int i = 0; i < nlines[k]; i++)
					n += (size_t)snprintf(text + n, sizeof text - n, "row %d%s", i,
							      i + 1 < nlines[k] || end_nl ? "\n" : "");
				json_array_append_new(outs, stream(text));
				json_array_append_new(stale, stream("stale\n"));
				in.fold_height = 10;
				in.tail = tail;
				in.outputs = outs;
				assert_int_equal(rd_cell(&in, &lj), 0);
				in.outputs = stale;
				in.live_out = json_array_get(stale, 0);
				in.live_text = text;
				in.live_len = n;
				in.live_lines = lines;
				assert_int_equal(rd_cell(&in, &ll), 0);
				same_layout(&lj, &ll);
				/* and it is the text, not the stale json */
				snprintf(buf, sizeof buf, "row %d", tail || nlines[k] <= 10 ? nlines[k] - 1 : 0);
				assert_non_null(memmem(ll.text, ll.tlen, buf, strlen(buf)));
				assert_null(memmem(ll.text, ll.tlen, "stale", 5));
				rd_layout_clear(&lj);
				rd_layout_clear(&ll);
				json_decref(outs);
				json_decref(stale);
			}
}

static void test_ascii_and_prompts(void **st)
{
	struct rd_layout l = {0};
	struct rd_cell_in in = code("é", 40);
	char buf[256];

	in.ascii = 1;
	in.exec_count = 12;
	assert_int_equal(rd_cell(&in, &l), 0);
	for (size_t i = 0; i < l.tlen; i++)
		assert_true((unsigned char)l.text[i] < 0x80);
	assert_string_equal(row_text(&l, 1, buf, sizeof buf), "?");
	assert_non_null(strstr(l.text, "[12]:"));
	in.running = 1;
	assert_int_equal(rd_cell(&in, &l), 0);
	assert_non_null(strstr(l.text, "[*]:"));
	rd_layout_clear(&l);
}

/* :set number: code cells' source lines numbered after the border, the text (and the editor's
 * cursor) moved right by the numbers' width, no number on a wrapped line's next row. */
static void test_line_numbers(void **st)
{
	struct rd_layout l = {0};
	struct rd_cell_in in = code("a0\na1\na2\na3\na4\na5\na6\na7\na8\nabcdefghijklmnopqrstuvwxyz", 30);
	char buf[256], full[512];
	int x;

	(void)st;
	in.numbers = 1;
	assert_int_equal(rd_cell(&in, &l), 0);
	assert_int_equal(l.text_x, RD_GUTTER + 2 + 3);
	assert_string_equal(row_text(&l, 1, buf, sizeof buf), "a0");
	for (size_t r = 1; r <= 11; r++) {
		size_t n = 0;

		for (unsigned i = 0; i < l.rows[r].nspans; i++) {
			const struct rd_span *sp = &l.spans[l.rows[r].span0 + i];
			memcpy(full + n, l.text + sp->off, sp->len);
			n += sp->len;
		}
		full[n] = 0;
		if (r == 1)
			assert_string_equal(full, "       \xe2\x94\x82 1  a0");
		if (r == 10)
			assert_non_null(strstr(full, "10  abcdefghijklm"));
		if (r == 11)
			assert_non_null(strstr(full, "\xe2\x94\x82    rstuvwxyz"));
		assert_true(row_width(&l, r) <= 30);
	}
	assert_int_equal(rd_cursor_row(&l, 0, 0, &x), 1);
	assert_int_equal(x, RD_GUTTER + 2 + 3);
	/* markdown cells are not numbered */
	in.type = NB_MARKDOWN;
	assert_int_equal(rd_cell(&in, &l), 0);
	assert_int_equal(l.text_x, RD_GUTTER + 2);
	rd_layout_clear(&l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_line_numbers),
	    cmocka_unit_test(test_wrap_ascii),    cmocka_unit_test(test_wrap_wide),
		cmocka_unit_test(test_tabs_and_controls), cmocka_unit_test(test_output_sgr),
		cmocka_unit_test(test_placeholder),   cmocka_unit_test(test_fold),
		cmocka_unit_test(test_ascii_and_prompts), cmocka_unit_test(test_live_output),
	};
	if (!setlocale(LC_ALL, "C.UTF-8"))
		setlocale(LC_ALL, "en_US.UTF-8");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
