// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * Unit tests for tui/highlight: Python tokens (keywords, soft keywords, builtins, strings of
 * every shape, comments, numbers, decorators, operators), IPython magics and shell escapes,
 * language names, and robustness: unterminated strings, invalid UTF-8 and NUL bytes, every
 * prefix of a tricky source (run under ASan, so a read past the end fails), and a large input
 * that must take linear time. Expectations are written as one letter per byte under the
 * source: _ plain, k keyword, b builtin, s string, c comment, n number, d decorator/magic,
 * o operator.
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
	switch (role) {
	case THEME_NORMAL:
		return '_';
	case THEME_CODE_KEYWORD:
		return 'k';
	case THEME_CODE_BUILTIN:
		return 'b';
	case THEME_CODE_STRING:
		return 's';
	case THEME_CODE_COMMENT:
		return 'c';
	case THEME_CODE_NUMBER:
		return 'n';
	case THEME_CODE_DECORATOR:
		return 'd';
	case THEME_CODE_OPERATOR:
		return 'o';
	default:
		return '?';
	}
}

/* Letters for the roles of src in lang; newlines stay newlines so expectations line up. */
static char *letters(const char *lang, const char *src, size_t len)
{
	unsigned char *r = hl_roles(lang, src, len);
	char *out = malloc(len + 1);
	size_t i;

	assert_non_null(r);
	assert_non_null(out);
	for (i = 0; i < len; i++)
		out[i] = src[i] == '\n' && r[i] == THEME_NORMAL ? '\n' : letter(r[i]);
	out[len] = '\0';
	free(r);
	return out;
}

static void check(const char *src, const char *want)
{
	char *got;

	assert_int_equal(strlen(src), strlen(want));
	got = letters("python", src, strlen(src));
	if (strcmp(got, want) != 0)
		print_error("src  %s\nwant %s\ngot  %s\n", src, want, got);
	assert_string_equal(got, want);
	free(got);
}

static void test_keywords(void **state)
{
	check("if x and not y: pass", "kk___kkk_kkk____kkkk");
	check("def f(x):\n    return None", "kkk______\n____kkkkkk_kkkk");
	check("from . import x", "kkkk___kkkkkk__");
	check("async def g(): await h()", "kkkkk_kkk______kkkkk____");
	check("lambda a: a if a else b", "kkkkkk______kk___kkkk__");
	check("x = True or False", "__o_kkkk_kk_kkkkk");
}

static void test_soft_keywords(void **state)
{
	check("match x:\n    case [1, y]:\n        pass",
	      "kkkkk___\n____kkkk__n_____\n________kkkk");
	check("match = 1\nmatch(x)\nre.match(s)", "______o_n\n________\n___________");
	check("case(1)", "_____n_");
	check("type X = int", "kkkk___o_bbb");
	check("type(x)", "bbbb___");
	check("match x: # c", "kkkkk____ccc");
	check("match 'a:'", "______ssss"); /* the colon is inside a string */
	check("print(match)", "bbbbb_______");
}

static void test_builtins(void **state)
{
	check("print(len(range(3)))", "bbbbb_bbb_bbbbb_n___");
	check("x.print(y)", "__________");
	check("raise ValueError", "kkkkk_bbbbbbbbbb");
	check("isinstance(o, str)", "bbbbbbbbbb____bbb_");
	check("printer = lengths", "________o________");
	check("zip abs __import__", "bbb_bbb_bbbbbbbbbb");
}

static void test_strings(void **state)
{
	check("x = 'a' + \"b\"", "__o_sss_o_sss");
	check("'a\\'b' c", "ssssss__");
	check("\"\\\\\" d", "ssss__");
	check("f'{x}' r'\\d' b'\\x00' rb'' Rb\"\" u'' fr'' t''",
	      "ssssss_sssss_sssssss_ssss_ssss_sss_ssss_sss");
	check("print(f\"{name!r}\")", "bbbbb_sssssssssss_");
	check("s = '''a\nb'''\nx", "__o_sssssssss\n_");
	check("\"\"\"doc \"\" \"\n\"\"\" + 1", "sssssssssssssss_o_n");
	check("'abc\nx = 1", "ssss\n__o_n");    /* unterminated: ends at its line */
	check("'''abc\nx = 1", "ssssssssssss"); /* unterminated triple: runs to the end */
	check("'a\\\nb' c", "ssssss__");        /* backslash-newline continues the string */
	check("br'x' xr'y'", "sssss___sss");    /* xr is no prefix */
}

static void test_comments(void **state)
{
	check("x = 1 # note 'q'\ny", "__o_n_cccccccccc\n_");
	check("# only", "cccccc");
	check("'#' # c", "sss_ccc");
}

static void test_numbers(void **state)
{
	check("1 12 1_000 0x1F 0o17 0b1_0", "n_nn_nnnnn_nnnn_nnnn_nnnnn");
	check("1.5 .5 1. 1e-5 1E+10 2.5e3 3j 1.5J", "nnn_nn_nn_nnnn_nnnnn_nnnnn_nn_nnnn");
	check("x1 = a.b", "___o____");
	check("1e x", "n___"); /* 1 followed by the name e */
	check("-1", "on");
}

static void test_decorators(void **state)
{
	check("@property\ndef f(): pass", "ddddddddd\nkkk______kkkk");
	check("@functools.lru_cache(maxsize=2)", "dddddddddddddddddddd________on_");
	check("class A:\n    @staticmethod\n    def g(): pass",
	      "kkkkk___\n____ddddddddddddd\n____kkk______kkkk");
	check("a @ b", "__o__");     /* matrix multiplication */
	check("f(\n@x)", "__\no__"); /* not a statement start */
}

static void test_operators(void **state)
{
	check("a += b ** 2 != c // d", "__oo___oo_n_oo___oo__");
	check("x[1:2], y.z", "__n_n______");
	check("def f() -> int: pass", "kkk_____oo_bbb__kkkk");
}

static void test_magics(void **state)
{
	check("%time x = len(y)", "ddddd___o_bbb___");
	check("%matplotlib inline", "ddddddddddd_______");
	check("!ls -la 'x'\nprint(1)", "ddd________\nbbbbb_n_");
	check("%%bash\nfor x in 1 2; do echo $x; done", "dddddd\n______________________________");
	check("%%timeit -n 3\nsum(range(10))", "dddddddd_____\nbbb_bbbbb_nn__");
	check("%%writefile f.py\nimport os", "ddddddddddd_____\n_________");
	check("x = 5 % 3", "__o_n_o_n");
	check("x = 1\n%%bash\nls", "__o_n\ndddddd\n__"); /* not first: a line magic */
	check("    %pip install numpy", "____dddd______________");
	check("if a != b: pass", "kk___oo____kkkk");
}

static void test_lines_and_brackets(void **state)
{
	check("f(a,\n  @b)\n@c", "____\n__o__\ndd");
	check("x = 1 \\\n@y", "__o_n__\no_");
	check("))\n@d", "__\ndd"); /* unbalanced closers do not go negative */
}

static void test_languages(void **state)
{
	const char *py[] = {
	    "python", "Python", "python3", "ipython", "IPython3", "py", "python {.numberLines}",
	    " python"};
	const char *other[] = {"", "julia", "javascript", "pythonic", "bash", "c"};
	size_t k;
	char *s;

	for (k = 0; k < sizeof(py) / sizeof(py[0]); k++)
		assert_int_equal(hl_lang_find(py[k]), HL_PYTHON);
	for (k = 0; k < sizeof(other) / sizeof(other[0]); k++)
		assert_int_equal(hl_lang_find(other[k]), HL_PLAIN);
	assert_int_equal(hl_lang_find(NULL), HL_PLAIN);
	s = letters("julia", "if x # 'y'", 10);
	assert_string_equal(s, "__________");
	free(s);
	s = letters(NULL, "def", 3);
	assert_string_equal(s, "___");
	free(s);
}

static void test_empty(void **state)
{
	unsigned char *r = hl_roles("python", "", 0);

	assert_non_null(r);
	free(r);
	r = hl_roles("python", NULL, 0);
	assert_non_null(r);
	free(r);
}

static void test_invalid_utf8_and_nul(void **state)
{
	/* Non-ASCII bytes are name characters, so café and 名前 are plain names; a NUL or a stray
	 * continuation byte never ends a string early or makes a keyword. */
	static const char src[] = "caf\xc3\xa9 = 'x\xff\0y' \x80if\n\xe5\x90\x8d\xe5\x89\x8d";
	char *s = letters("python", src, sizeof(src) - 1);

	assert_memory_equal(s, "______o_ssssss____\n______", sizeof(src) - 1);
	free(s);
}

/* Every prefix of a source full of constructs that look past their start: under ASan a read
 * beyond len is an error, and each result is compared with the full run. */
static void test_every_prefix(void **state)
{
	static const char src[] = "@d\n%%time\nx = r'''a\\'''' + 0x_ + 1e+ + 3.j\n"
	                          "match (a):\n case _: '\\\n!ls \"\\";
	size_t n = sizeof(src) - 1, len;

	for (len = 0; len <= n; len++) {
		char *copy = malloc(len ? len : 1);
		unsigned char *r;
		size_t i;

		assert_non_null(copy);
		memcpy(copy, src, len); /* exact size, so ASan sees any overrun */
		r = hl_roles("python", copy, len);
		assert_non_null(r);
		for (i = 0; i < len; i++)
			assert_true(r[i] < THEME_NROLES);
		free(r);
		free(copy);
	}
}

static void test_linear_time(void **state)
{
	/* 4 MB of unterminated openers, quotes, brackets and soft keywords: a quadratic scanner
	 * takes minutes here. */
	static const char unit[] = "match '''x\" (['\\\nmatch x:\n%%a\n";
	size_t n = 4u << 20, k, u = sizeof(unit) - 1;
	char *src = malloc(n);
	unsigned char *r;
	clock_t t0;

	assert_non_null(src);
	for (k = 0; k < n; k++)
		src[k] = unit[k % u];
	t0 = clock();
	r = hl_roles("python", src, n);
	assert_non_null(r);
	assert_true((double)(clock() - t0) / CLOCKS_PER_SEC < 30.0); /* a guard against quadratic time, not a timing */
	free(r);
	for (k = 0; k < n; k++)
		src[k] = k % 57 == 56 ? '\n' : "match a:"[k % 57 % 8];
	t0 = clock();
	r = hl_roles("python", src, n);
	assert_non_null(r);
	assert_int_equal(r[0], THEME_CODE_KEYWORD);
	assert_true((double)(clock() - t0) / CLOCKS_PER_SEC < 30.0); /* a guard against quadratic time, not a timing */
	free(r);
	free(src);
}

static void test_line_comment(void **state)
{
	(void)state;
	assert_string_equal(hl_line_comment("python"), "#");
	assert_string_equal(hl_line_comment("R"), "#");
	assert_string_equal(hl_line_comment("julia"), "#");
	assert_string_equal(hl_line_comment("bash"), "#");
	assert_string_equal(hl_line_comment("C++"), "//");
	assert_string_equal(hl_line_comment("javascript"), "//");
	assert_string_equal(hl_line_comment(" Rust {x}"), "//");
	assert_string_equal(hl_line_comment("SQL"), "--");
	assert_string_equal(hl_line_comment("haskell"), "--");
	assert_string_equal(hl_line_comment("lua"), "--");
	assert_string_equal(hl_line_comment("cobolish"), "#");
	assert_string_equal(hl_line_comment(""), "#");
	assert_string_equal(hl_line_comment(NULL), "#");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_keywords),
	    cmocka_unit_test(test_soft_keywords),
	    cmocka_unit_test(test_builtins),
	    cmocka_unit_test(test_strings),
	    cmocka_unit_test(test_comments),
	    cmocka_unit_test(test_numbers),
	    cmocka_unit_test(test_decorators),
	    cmocka_unit_test(test_operators),
	    cmocka_unit_test(test_magics),
	    cmocka_unit_test(test_lines_and_brackets),
	    cmocka_unit_test(test_languages),
	    cmocka_unit_test(test_empty),
	    cmocka_unit_test(test_invalid_utf8_and_nul),
	    cmocka_unit_test(test_every_prefix),
	    cmocka_unit_test(test_linear_time),
	    cmocka_unit_test(test_line_comment),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
