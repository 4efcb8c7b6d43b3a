// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * Unit tests for tui/editor: insertion and cleaning, deletion and motion by user-perceived
 * character (CJK, emoji with modifiers and ZWJ, flags, combining marks, CR LF), up/down with a
 * goal column over wide characters, word motion, smart Home, paging, auto-indent and Tab,
 * code point cursor positions and completion ranges, split, line iteration, and undo/redo
 * with typing coalesced. Buffers are written with '|' marking the cursor.
 */
#include <locale.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "tui/editor.h"

#define FFFD "\xef\xbf\xbd"
#define ZHONG "\xe4\xb8\xad" /* 中, 2 columns */
#define WEN "\xe6\x96\x87"   /* 文 */
#define ZI "\xe5\xad\x97"    /* 字 */
#define GRIN "\xf0\x9f\x98\x80"
#define ACUTE "\xcc\x81" /* U+0301 combining acute */
#define ZWJ "\xe2\x80\x8d"
#define MAN "\xf0\x9f\x91\xa8"
#define WOMAN "\xf0\x9f\x91\xa9"
#define GIRL "\xf0\x9f\x91\xa7"
#define THUMB "\xf0\x9f\x91\x8d"
#define TONE "\xf0\x9f\x8f\xbd"
#define FLAG_FR "\xf0\x9f\x87\xab\xf0\x9f\x87\xb7"
#define FLAG_DE "\xf0\x9f\x87\xa9\xf0\x9f\x87\xaa"
#define HEART_VS "\xe2\x9d\xa4\xef\xb8\x8f"

/* An editor holding marked without its '|', the cursor where the '|' was. */
static struct editor *mk(const char *marked)
{
	struct editor *e = editor_new();
	const char *bar = strchr(marked, '|');
	char *s = strdup(marked);
	size_t at = bar ? (size_t)(bar - marked) : strlen(marked);

	assert_non_null(e);
	if (bar)
		memmove(s + at, s + at + 1, strlen(s + at + 1) + 1);
	assert_int_equal(editor_set_text(e, s, strlen(s)), 0);
	editor_set_cursor(e, at);
	assert_int_equal(editor_cursor(e), at);
	free(s);
	return e;
}

#define expect(e, marked) expect_at(e, marked, __LINE__)
static void expect_at(struct editor *e, const char *marked, int line)
{
	size_t n, cur = editor_cursor(e);
	const char *t = editor_text(e, &n);
	char got[1024];

	assert_true(n + 2 < sizeof(got));
	assert_true(cur <= n);
	assert_int_equal(strlen(t), n);
	snprintf(got, sizeof(got), "%.*s|%s", (int)cur, t, t + cur);
	if (strcmp(got, marked))
		fail_msg("line %d: got \"%s\", want \"%s\"", line, got, marked);
}

static void type(struct editor *e, const char *s)
{
	assert_int_equal(editor_insert(e, s, strlen(s)), 0);
}

static void test_insert(void **state)
{
	struct editor *e = mk("");

	type(e, "h");
	type(e, "\xc3\xa9");
	type(e, "llo");
	expect(e, "h\xc3\xa9llo|");
	assert_int_equal(editor_cursor_cp(e), 5);
	assert_int_equal(editor_cursor(e), 6);
	editor_left(e);
	editor_left(e);
	type(e, ZHONG);
	expect(e, "h\xc3\xa9l" ZHONG "|lo");
	assert_int_equal(editor_cursor_col(e), 5);
	/* input is cleaned: invalid bytes become U+FFFD, NUL vanishes */
	assert_int_equal(editor_insert(e, "a\xff\0b\xe4\xb8", 6), 0);
	expect(e, "h\xc3\xa9l" ZHONG "a" FFFD "b" FFFD "|lo");
	editor_free(e);

	e = mk("");
	assert_int_equal(editor_set_text(e, "x\xc0\xafy", 4), 0);
	expect(e, "|x" FFFD FFFD "y");
	editor_free(e);
	editor_free(NULL);
}

static void test_delete_clusters(void **state)
{
	static const struct {
		const char *before, *back, *del;
	} t[] = {
	    {"a" ZHONG WEN "|b", "a" ZHONG "|b", "a" ZHONG WEN "|"},
	    {"a" GRIN "|b", "a|b", "a" GRIN "|"},
	    {"e" ACUTE "|x", "|x", "e" ACUTE "|"},
	    {"|e" ACUTE "x", "|e" ACUTE "x", "|x"},
	    {"a" ACUTE ACUTE "|", "|", "a" ACUTE ACUTE "|"},
	    {"x" MAN ZWJ WOMAN ZWJ GIRL "|", "x|", "x" MAN ZWJ WOMAN ZWJ GIRL "|"},
	    {"x" THUMB TONE "|", "x|", "x" THUMB TONE "|"},
	    {FLAG_FR FLAG_DE "|", FLAG_FR "|", FLAG_FR FLAG_DE "|"},
	    {FLAG_FR "|" FLAG_DE, "|" FLAG_DE, FLAG_FR "|"},
	    {"a" HEART_VS "|", "a|", "a" HEART_VS "|"},
	    {"a\r\n|b", "a|b", "a\r\n|"},
	    {"a|\r\nb", "|\r\nb", "a|b"},
	    {"a\n|b", "a|b", "a\n|"},
	    {"|", "|", "|"},
	};
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct editor *e = mk(t[i].before);

		editor_backspace(e);
		expect(e, t[i].back);
		editor_free(e);
		e = mk(t[i].before);
		editor_delete(e);
		expect(e, t[i].del);
		editor_free(e);
	}
}

static void test_left_right(void **state)
{
	struct editor *e = mk("|a" ZHONG "e" ACUTE GRIN "\nb");

	assert_int_equal(editor_left(e), 0);
	assert_int_equal(editor_right(e), 1);
	expect(e, "a|" ZHONG "e" ACUTE GRIN "\nb");
	editor_right(e);
	editor_right(e);
	expect(e, "a" ZHONG "e" ACUTE "|" GRIN "\nb");
	editor_right(e);
	editor_right(e);
	expect(e, "a" ZHONG "e" ACUTE GRIN "\n|b");
	editor_right(e);
	assert_int_equal(editor_right(e), 0);
	editor_left(e);
	editor_left(e);
	editor_left(e);
	expect(e, "a" ZHONG "e" ACUTE "|" GRIN "\nb");
	editor_free(e);

	/* set_cursor never lands inside a code point */
	e = mk(ZHONG);
	editor_set_cursor(e, 2);
	assert_int_equal(editor_cursor(e), 0);
	editor_set_cursor(e, 99);
	assert_int_equal(editor_cursor(e), 3);
	editor_free(e);
}

static void test_up_down_goal(void **state)
{
	struct editor *e = mk("abcde|f\nab\n" ZHONG WEN ZI "\nabcdef");

	assert_int_equal(editor_up(e), 0);
	assert_int_equal(editor_down(e), 1);
	expect(e, "abcdef\nab|\n" ZHONG WEN ZI "\nabcdef");
	editor_down(e);
	expect(e, "abcdef\nab\n" ZHONG WEN "|" ZI "\nabcdef");
	assert_int_equal(editor_cursor_col(e), 4);
	assert_int_equal(editor_cursor_line(e), 2);
	editor_down(e);
	expect(e, "abcdef\nab\n" ZHONG WEN ZI "\nabcde|f");
	assert_int_equal(editor_down(e), 0);
	editor_up(e);
	editor_up(e);
	editor_up(e);
	expect(e, "abcde|f\nab\n" ZHONG WEN ZI "\nabcdef");
	editor_free(e);

	/* a wide character straddling the goal: the cursor stays left of it */
	e = mk("a|bc\n" ZHONG WEN);
	editor_down(e);
	expect(e, "abc\n|" ZHONG WEN);
	editor_free(e);

	/* any other motion forgets the goal */
	e = mk("abcd|\na\nabcd");
	editor_down(e);
	editor_left(e);
	editor_down(e);
	expect(e, "abcd\na\n|abcd");
	editor_free(e);

	/* tabs count to the next tab stop */
	e = mk("\tx|\nabcdefghijk");
	assert_int_equal(editor_cursor_col(e), 9);
	editor_down(e);
	expect(e, "\tx\nabcdefghi|jk");
	editor_up(e);
	expect(e, "\tx|\nabcdefghijk");
	editor_free(e);

	/* combining marks take no column */
	e = mk("e" ACUTE "e" ACUTE "|\nabcd");
	assert_int_equal(editor_cursor_col(e), 2);
	editor_down(e);
	expect(e, "e" ACUTE "e" ACUTE "\nab|cd");
	editor_free(e);
}

static void test_page(void **state)
{
	struct editor *e = mk("|0\n1\n2\n3\n4\n5\n6\n7\n8\n9");

	assert_int_equal(editor_page_down(e, 3), 3);
	assert_int_equal(editor_cursor_line(e), 3);
	assert_int_equal(editor_page_down(e, 100), 6);
	assert_int_equal(editor_cursor_line(e), 9);
	assert_int_equal(editor_page_up(e, 4), 4);
	assert_int_equal(editor_cursor_line(e), 5);
	assert_int_equal(editor_page_up(e, 10), 5);
	assert_int_equal(editor_page_up(e, 1), 0);
	editor_free(e);
}

static void test_words(void **state)
{
	struct editor *e = mk("|foo.bar(baz)  qux");

	editor_word_right(e);
	expect(e, "foo|.bar(baz)  qux");
	editor_word_right(e);
	expect(e, "foo.|bar(baz)  qux");
	editor_word_right(e);
	expect(e, "foo.bar|(baz)  qux");
	editor_word_right(e);
	editor_word_right(e);
	editor_word_right(e);
	expect(e, "foo.bar(baz)|  qux");
	editor_word_right(e);
	expect(e, "foo.bar(baz)  qux|");
	assert_int_equal(editor_word_right(e), 0);
	editor_word_left(e);
	expect(e, "foo.bar(baz)  |qux");
	editor_word_left(e);
	expect(e, "foo.bar(baz|)  qux");
	editor_word_left(e);
	expect(e, "foo.bar(|baz)  qux");
	editor_free(e);

	e = mk("h\xc3\xa9llo w"
	       "\xc3\xb6"
	       "rld " ZHONG WEN "|");
	editor_word_left(e);
	expect(e, "h\xc3\xa9llo w\xc3\xb6rld |" ZHONG WEN);
	editor_word_left(e);
	expect(e, "h\xc3\xa9llo |w\xc3\xb6rld " ZHONG WEN);
	editor_top(e);
	editor_word_right(e);
	expect(e, "h\xc3\xa9llo| w\xc3\xb6rld " ZHONG WEN);
	editor_free(e);

	/* across lines */
	e = mk("ab\n  cd|");
	editor_word_left(e);
	editor_word_left(e);
	expect(e, "|ab\n  cd");
	editor_word_right(e);
	editor_word_right(e);
	expect(e, "ab\n  cd|");
	editor_free(e);

	e = mk("x = foo_bar|");
	assert_int_equal(editor_delete_word_left(e), 1);
	expect(e, "x = |");
	editor_delete_word_left(e);
	expect(e, "x |");
	editor_free(e);
}

static void test_home_end(void **state)
{
	struct editor *e = mk("a\n    x = 1|\nb");

	editor_home(e);
	expect(e, "a\n    |x = 1\nb");
	editor_home(e);
	expect(e, "a\n|    x = 1\nb");
	editor_home(e);
	expect(e, "a\n    |x = 1\nb");
	editor_end(e);
	expect(e, "a\n    x = 1|\nb");
	assert_int_equal(editor_end(e), 0);
	editor_top(e);
	expect(e, "|a\n    x = 1\nb");
	editor_bottom(e);
	expect(e, "a\n    x = 1\nb|");
	editor_free(e);

	e = mk("  |  ");
	editor_home(e);
	expect(e, "    |");
	editor_home(e);
	expect(e, "|    ");
	editor_free(e);
}

static void test_auto_indent(void **state)
{
	static const struct {
		const char *before, *after;
	} t[] = {
	    {"if x:|", "if x:\n    |"},
	    {"def f():  |", "def f():  \n    |"},
	    {"    y = 1|", "    y = 1\n    |"},
	    {"    for i in r:|", "    for i in r:\n        |"},
	    {"        return x|", "        return x\n    |"},
	    {"    pass|", "    pass\n|"},
	    {"    raise ValueError()|", "    raise ValueError()\n|"},
	    {"    passage = 1|", "    passage = 1\n    |"},
	    {"\tx = 1|", "\tx = 1\n\t|"},
	    {"\t\tbreak|", "\t\tbreak\n\t|"},
	    {"  |  x", "  \n  |  x"},
	    {"ab|cd", "ab\n|cd"},
	    {"|", "\n|"},
	    {"x = {|", "x = {\n|"},
	};
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct editor *e = mk(t[i].before);

		assert_int_equal(editor_newline(e), 0);
		expect(e, t[i].after);
		assert_int_equal(editor_undo(e), 1);
		expect(e, t[i].before);
		editor_free(e);
	}
}

static void test_tab(void **state)
{
	struct editor *e = mk("|");

	assert_int_equal(editor_at_line_start_ws(e), 1);
	assert_int_equal(editor_tab(e), 1);
	expect(e, "    |");
	type(e, "  ");
	assert_int_equal(editor_tab(e), 1);
	expect(e, "        |");
	type(e, "x");
	assert_int_equal(editor_at_line_start_ws(e), 0);
	assert_int_equal(editor_tab(e), 0);
	expect(e, "        x|");
	editor_home(e);
	assert_int_equal(editor_at_line_start_ws(e), 1);
	editor_free(e);

	e = mk("a\n  |b");
	assert_int_equal(editor_tab(e), 1);
	expect(e, "a\n    |b");
	assert_int_equal(editor_dedent(e), 1);
	expect(e, "a\n|b");
	assert_int_equal(editor_dedent(e), 0);
	editor_free(e);

	e = mk("      x|");
	editor_dedent(e);
	expect(e, "  x|");
	editor_free(e);
	e = mk("\t\tx|");
	editor_dedent(e);
	expect(e, "\tx|");
	editor_free(e);
}

static void test_cursor_cp(void **state)
{
	struct editor *e = mk("a" ZHONG GRIN "e" ACUTE "|x");

	assert_int_equal(editor_cursor_cp(e), 5);
	assert_int_equal(editor_cursor(e), 1 + 3 + 4 + 1 + 2);
	editor_set_cursor_cp(e, 2);
	expect(e, "a" ZHONG "|" GRIN "e" ACUTE "x");
	editor_set_cursor_cp(e, 100);
	expect(e, "a" ZHONG GRIN "e" ACUTE "x|");
	editor_set_cursor_cp(e, 0);
	expect(e, "|a" ZHONG GRIN "e" ACUTE "x");
	editor_free(e);
}

static void test_replace(void **state)
{
	struct editor *e = mk(GRIN " np.ar|");

	/* a completion: cursor_start 5, cursor_end 7, in code points */
	assert_int_equal(editor_replace(e, 5, 7, "array", 5), 0);
	expect(e, GRIN " np.array|");
	assert_int_equal(editor_undo(e), 1);
	expect(e, GRIN " np.ar|");
	assert_int_equal(editor_redo(e), 1);
	expect(e, GRIN " np.array|");
	/* clamped and ordered */
	assert_int_equal(editor_replace(e, 8, 100, "!", 1), 0);
	expect(e, GRIN " np.arr!|");
	assert_int_equal(editor_replace(e, 3, 1, ZHONG, 3), 0);
	expect(e, GRIN " n" ZHONG "|p.arr!");
	editor_free(e);
}

static void test_split(void **state)
{
	struct editor *e = mk("a = 1\n|b = " ZHONG "\n");
	size_t n;
	char *tail = editor_split(e, &n);

	assert_string_equal(tail, "b = " ZHONG "\n");
	assert_int_equal(n, strlen(tail));
	free(tail);
	expect(e, "a = 1|");
	editor_undo(e);
	expect(e, "a = 1\n|b = " ZHONG "\n");
	editor_free(e);

	e = mk("x|\ny");
	tail = editor_split(e, NULL);
	assert_string_equal(tail, "y");
	free(tail);
	expect(e, "x|");
	editor_free(e);

	e = mk("xy|");
	tail = editor_split(e, &n);
	assert_string_equal(tail, "");
	assert_int_equal(n, 0);
	free(tail);
	expect(e, "xy|");
	editor_free(e);
}

static void test_lines(void **state)
{
	struct editor *e = mk("a\n\nb" ZHONG "\n");
	struct editor_iter it = EDITOR_ITER_INIT;
	static const char *const want[] = {"a", "", ("b" ZHONG), ""};
	static const size_t start[] = {0, 2, 3, 8};
	const char *s;
	size_t n, i = 0;

	assert_int_equal(editor_line_count(e), 4);
	while (editor_iter_next(e, &it, &s, &n)) {
		assert_true(i < 4);
		assert_int_equal(it.line, i);
		assert_int_equal(it.start, start[i]);
		assert_int_equal(n, strlen(want[i]));
		assert_memory_equal(s, want[i], n);
		i++;
	}
	assert_int_equal(i, 4);
	assert_int_equal(editor_iter_next(e, &it, &s, &n), 0);
	editor_free(e);

	e = mk("");
	it = (struct editor_iter)EDITOR_ITER_INIT;
	assert_int_equal(editor_line_count(e), 1);
	assert_int_equal(editor_iter_next(e, &it, &s, &n), 1);
	assert_int_equal(n, 0);
	assert_int_equal(editor_iter_next(e, &it, &s, &n), 0);
	editor_free(e);
}

static void test_undo_coalesce(void **state)
{
	struct editor *e = mk("");
	unsigned long v;

	type(e, "a");
	type(e, "b");
	type(e, "c");
	expect(e, "abc|");
	assert_int_equal(editor_undo(e), 1);
	expect(e, "|");
	assert_int_equal(editor_undo(e), 0);
	assert_int_equal(editor_redo(e), 1);
	expect(e, "abc|");
	assert_int_equal(editor_redo(e), 0);

	/* a motion ends the step */
	editor_left(e);
	type(e, "x");
	type(e, "y");
	expect(e, "abxy|c");
	editor_undo(e);
	expect(e, "ab|c");
	editor_undo(e);
	expect(e, "|");
	editor_redo(e);
	editor_redo(e);
	expect(e, "abxy|c");

	/* a paste is its own step, even between typing */
	editor_end(e);
	type(e, "1");
	assert_int_equal(editor_paste(e, "p\nq", 3), 0);
	type(e, "2");
	expect(e, "abxyc1p\nq2|");
	editor_undo(e);
	expect(e, "abxyc1p\nq|");
	editor_undo(e);
	expect(e, "abxyc1|");

	/* backspaces coalesce, deletes coalesce, the cursor comes back */
	editor_backspace(e);
	editor_backspace(e);
	expect(e, "abxy|");
	editor_undo(e);
	expect(e, "abxyc1|");
	editor_top(e);
	editor_delete(e);
	editor_delete(e);
	expect(e, "|xyc1");
	editor_undo(e);
	expect(e, "|abxyc1");

	/* a new edit drops the redo tail */
	editor_undo(e);
	expect(e, "abxyc|");
	type(e, "z");
	assert_int_equal(editor_redo(e), 0);
	expect(e, "abxycz|");

	/* sealing ends a typing step */
	type(e, "1");
	editor_seal_undo(e);
	type(e, "2");
	editor_undo(e);
	expect(e, "abxycz1|");

	/* text with a newline is a paste, not typing */
	editor_insert(e, "\n", 1);
	type(e, "k");
	editor_undo(e);
	editor_undo(e);
	expect(e, "abxycz1|");

	v = editor_version(e);
	editor_undo(e);
	assert_true(editor_version(e) != v);
	editor_free(e);
}

static void test_undo_limit(void **state)
{
	struct editor *e = mk("");
	int i, n = 0;

	for (i = 0; i < EDITOR_UNDO_MAX + 50; i++) {
		type(e, "x");
		editor_seal_undo(e);
	}
	while (editor_undo(e) == 1)
		n++;
	assert_int_equal(n, EDITOR_UNDO_MAX);
	assert_int_equal(strlen(editor_text(e, NULL)), 50);
	editor_free(e);
}

static void test_set_text_resets(void **state)
{
	struct editor *e = mk("");

	type(e, "abc");
	assert_int_equal(editor_set_text(e, "new", 3), 0);
	assert_int_equal(editor_undo(e), 0);
	expect(e, "|new");
	editor_free(e);
}

/* Ctrl-/: the marker goes in at the first non-blank column and comes out again, one undo step,
 * the cursor on the same character. */
static void test_toggle_comment(void **state)
{
	struct editor *e = mk("a = 1\n    b| = 2\nc");

	(void)state;
	assert_int_equal(editor_toggle_comment(e, "#"), 1);
	expect(e, "a = 1\n    # b| = 2\nc");
	assert_int_equal(editor_toggle_comment(e, "#"), 1);
	expect(e, "a = 1\n    b| = 2\nc");
	editor_toggle_comment(e, "//");
	expect(e, "a = 1\n    // b| = 2\nc");
	assert_int_equal(editor_undo(e), 1);
	expect(e, "a = 1\n    b| = 2\nc");
	assert_int_equal(editor_redo(e), 1);
	expect(e, "a = 1\n    // b| = 2\nc");
	editor_free(e);
	/* a marker without a space after it, the cursor inside the marker, a blank line */
	e = mk("-|-x");
	editor_toggle_comment(e, "--");
	expect(e, "|x");
	editor_toggle_comment(e, "--");
	expect(e, "-- |x");
	assert_int_equal(editor_toggle_comment(e, ""), 0);
	editor_free(e);
	e = mk("|");
	editor_toggle_comment(e, "#");
	expect(e, "# |");
	editor_free(e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_insert),     cmocka_unit_test(test_delete_clusters),
	    cmocka_unit_test(test_left_right), cmocka_unit_test(test_up_down_goal),
	    cmocka_unit_test(test_page),       cmocka_unit_test(test_words),
	    cmocka_unit_test(test_home_end),   cmocka_unit_test(test_auto_indent),
	    cmocka_unit_test(test_tab),        cmocka_unit_test(test_cursor_cp),
	    cmocka_unit_test(test_replace),    cmocka_unit_test(test_split),
	    cmocka_unit_test(test_toggle_comment),
	    cmocka_unit_test(test_lines),      cmocka_unit_test(test_undo_coalesce),
	    cmocka_unit_test(test_undo_limit), cmocka_unit_test(test_set_text_resets),
	};

	if (!setlocale(LC_CTYPE, "C.UTF-8"))
		setlocale(LC_CTYPE, "en_US.UTF-8");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
