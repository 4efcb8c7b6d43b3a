// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * Unit tests for R in tui/highlight (highlight_r.c): reserved words, builtins (not after $ or
 * @), strings that span lines, raw strings, comments holding quotes, numbers with R's suffixes,
 * %op% and the assignment arrows, dotted names, the language names that select R, and
 * robustness: every prefix of a tricky source under ASan and a large input in linear time.
 * One letter per byte as in test_highlight.c: _ plain, k keyword, b builtin, s string,
 * c comment, n number, o operator.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "tui/highlight.h"
#include "tui/theme.h"

static char letter(int role)
{
	static const struct { int role; char c; } map[] = {
		{THEME_NORMAL, '_'},        {THEME_CODE_KEYWORD, 'k'}, {THEME_CODE_BUILTIN, 'b'},
		{THEME_CODE_STRING, 's'},   {THEME_CODE_COMMENT, 'c'}, {THEME_CODE_NUMBER, 'n'},
		{THEME_CODE_OPERATOR, 'o'},
	};

	for (size_t k = 0; k < sizeof map / sizeof map[0]; k++)
		if (map[k].role == role)
			return map[k].c;
	return '?';
}

static void check(const char *src, const char *want)
{
	size_t n = strlen(src);
	unsigned char *r = hl_roles("R", src, n);
	char *got = malloc(n + 1);

	assert_int_equal(n, strlen(want));
	assert_non_null(r);
	assert_non_null(got);
	for (size_t i = 0; i < n; i++)
		got[i] = src[i] == '\n' && r[i] == THEME_NORMAL ? '\n' : letter(r[i]);
	got[n] = 0;
	if (strcmp(got, want))
		print_error("src  %s\nwant %s\ngot  %s\n", src, want, got);
	assert_string_equal(got, want);
	free(got);
	free(r);
}

static void test_r_keywords_and_builtins(void **state)
{
	check("f <- function(x) {", "__oo_kkkkkkkk_____");
	check("if (is.null(x)) NULL else TRUE", "kk__bbbbbbb_____kkkk_kkkk_kkkk");
	check("for (i in seq_len(n)) next", "kkk____kk_bbbbbbb_____kkkk");
	check("NA_integer_ NA_real_ Inf NaN", "kkkkkkkkkkk_kkkkkkkk_kkk_kkk");
	check("data.frame(a = c(1))", "bbbbbbbbbb___o_b_n__");
	check("x$c + obj@cat", "____o________"); /* fields, not functions */
	check("my.print <- 1", "_________oo_n");
	check("print_it iffy", "_____________");
}

static void test_r_strings_and_comments(void **state)
{
	check("x <- 'a\\'b' # it's", "__oo_ssssss_cccccc");
	check("\"multi\nline\" + 1", "ssssssssssss_o_n");
	check("'open\nx", "sssssss"); /* unterminated: to the end */
	check("# only \"quoted\"", "ccccccccccccccc");
	check("'#' # c", "sss_ccc");
	check("r\"(a \"b\")\" 1", "ssssssssss_n");
	check("R'-[a]'-]-' x", "sssssssssss__");
	check("r\"{x}\" ar\"y\"", "ssssss___sss"); /* ar is a name, then a plain string */
	check("`my var` <- 1", "_________oo_n");
}

static void test_r_numbers_and_operators(void **state)
{
	check("1 1.5 .5 1e-3 0x1F 10L 2i", "n_nnn_nn_nnnn_nnnn_nnn_nn");
	check("a %in% b |> f()", "__oooo___oo____");
	check("x <<- 1; 2 ->> y; 3 -> z", "__ooo_n__n_ooo____n_oo__");
	check("a <= b != d", "__oo___oo__");
	check("y ~ x + z", "__o___o__");
	check("5 % 2", "n_o_n"); /* a lone % is an operator, not an unterminated %op% */
}

static void test_r_languages(void **state)
{
	assert_int_equal(hl_lang_find("R"), HL_R);
	assert_int_equal(hl_lang_find("r"), HL_R);
	assert_int_equal(hl_lang_find("r {.numberLines}"), HL_R);
	assert_int_equal(hl_lang_find("rust"), HL_PLAIN);
	assert_int_equal(hl_lang_find("python"), HL_PYTHON);
}

static void test_r_every_prefix(void **state)
{
	static const char src[] = "r\"--(a)-\" R'[x] 0x %in 'a\\\n`b 1e+ #'\n%% \"\\";
	size_t n = sizeof(src) - 1;

	for (size_t len = 0; len <= n; len++) {
		char *copy = malloc(len ? len : 1);
		unsigned char *r;

		assert_non_null(copy);
		memcpy(copy, src, len);
		r = hl_roles("R", copy, len);
		assert_non_null(r);
		for (size_t i = 0; i < len; i++)
			assert_true(r[i] < THEME_NROLES);
		free(r);
		free(copy);
	}
}

static void test_r_linear_time(void **state)
{
	/* 4 MB of openers that never close on their line: % without a partner, raw-string
	 * prefixes, dashes. A scanner that looks to the end for each one is quadratic. */
	static const char unit[] = "% r\"--- r'-( %";
	size_t n = 4u << 20, u = sizeof(unit) - 1;
	char *src = malloc(n);
	unsigned char *r;
	clock_t t0;

	assert_non_null(src);
	for (size_t k = 0; k < n; k++)
		src[k] = unit[k % u];
	t0 = clock();
	r = hl_roles("R", src, n);
	assert_non_null(r);
	/* a guard against quadratic time, not a timing */
	assert_true((double)(clock() - t0) / CLOCKS_PER_SEC < 30.0);
	free(r);
	free(src);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_r_keywords_and_builtins),
	    cmocka_unit_test(test_r_strings_and_comments),
	    cmocka_unit_test(test_r_numbers_and_operators),
	    cmocka_unit_test(test_r_languages),
	    cmocka_unit_test(test_r_every_prefix),
	    cmocka_unit_test(test_r_linear_time),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
