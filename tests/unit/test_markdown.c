// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * Unit tests for tui/markdown: each construct's layout (as text, with roles and attributes
 * where they carry meaning), wrapping at several widths with an independent check that no
 * line is too wide and no word is lost, CJK, ASCII mode, hostile input (escape sequences,
 * entities that decode to controls, bidi overrides, invalid UTF-8, NUL), deep nesting and
 * very long lines. Every rendering is checked for safe UTF-8 and line widths.
 */
#include <locale.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "tui/markdown.h"
#include "tui/safetext.h"
#include "tui/theme.h"

/* 1 if s is valid UTF-8 without C0 (even \t, \n), DEL, C1 or bidi controls. */
static int is_safe(const char *str)
{
	const unsigned char *s = (const unsigned char *)str;

	while (*s) {
		uint32_t cp;
		int len, k;

		if (*s < 0x20 || *s == 0x7f)
			return 0;
		if (*s < 0x80) {
			s++;
			continue;
		}
		if (*s >= 0xc2 && *s <= 0xdf)
			len = 2, cp = *s & 0x1f;
		else if (*s >= 0xe0 && *s <= 0xef)
			len = 3, cp = *s & 0x0f;
		else if (*s >= 0xf0 && *s <= 0xf4)
			len = 4, cp = *s & 0x07;
		else
			return 0;
		for (k = 1; k < len; k++) {
			if ((s[k] & 0xc0) != 0x80)
				return 0;
			cp = cp << 6 | (s[k] & 0x3f);
		}
		if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
		    (cp >= 0xd800 && cp <= 0xdfff) || (cp >= 0x80 && cp <= 0x9f) ||
		    (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069))
			return 0;
		s += len;
	}
	return 1;
}

/* Checks every line (safe, non-empty spans, width) and returns the text: indent as spaces,
 * lines joined by '\n'. Caller frees. */
static char *flatten(const struct md_line *l, size_t n, int width)
{
	size_t cap = 64, len = 0, i, k;
	char *out = malloc(cap);

	assert_non_null(out);
	for (i = 0; i < n; i++) {
		int w = l[i].indent;

		assert_true(l[i].indent >= 0);
		for (k = 0; k < l[i].n; k++) {
			const char *t = l[i].spans[k].text;

			assert_non_null(t);
			assert_true(*t);
			assert_true(is_safe(t));
			w += st_width(t, strlen(t));
		}
		if (w > width)
			print_error("line %zu is %d wide (max %d)\n", i, w, width);
		assert_true(w <= width);
		if (len + (size_t)l[i].indent + 2 >= cap) {
			while (len + (size_t)l[i].indent + 2 >= cap)
				cap *= 2;
			out = realloc(out, cap);
			assert_non_null(out);
		}
		memset(out + len, ' ', (size_t)l[i].indent);
		len += (size_t)l[i].indent;
		for (k = 0; k < l[i].n; k++) {
			size_t tl = strlen(l[i].spans[k].text);

			if (len + tl + 2 >= cap) {
				while (len + tl + 2 >= cap)
					cap *= 2;
				out = realloc(out, cap);
				assert_non_null(out);
			}
			memcpy(out + len, l[i].spans[k].text, tl);
			len += tl;
		}
		if (i + 1 < n)
			out[len++] = '\n';
	}
	out[len] = '\0';
	return out;
}

static char *render_opt(const char *src, int width, int ascii)
{
	struct md_render_opts o = {.ascii = ascii};
	size_t n;
	struct md_line *l = md_render_ex(src, strlen(src), width, &o, &n);
	char *s;

	assert_non_null(l);
	s = flatten(l, n, width < MD_MIN_WIDTH ? MD_MIN_WIDTH : width);
	md_free(l, n);
	return s;
}

static void check_opt(const char *src, int width, int ascii, const char *want)
{
	char *got = render_opt(src, width, ascii);

	if (strcmp(got, want) != 0)
		print_error("src:\n%s\nwant:\n%s\ngot:\n%s\n", src, want, got);
	assert_string_equal(got, want);
	free(got);
}

static void check(const char *src, int width, const char *want)
{
	check_opt(src, width, 0, want);
}

/* The span containing text t on any line, or NULL. */
static const struct md_span *find_span(const struct md_line *l, size_t n, const char *t)
{
	size_t i, k;

	for (i = 0; i < n; i++)
		for (k = 0; k < l[i].n; k++)
			if (strstr(l[i].spans[k].text, t))
				return &l[i].spans[k];
	return NULL;
}

static void test_empty(void **state)
{
	size_t n = 99;
	struct md_line *l = md_render("", 0, 80, &n);

	assert_non_null(l);
	assert_int_equal(n, 0);
	md_free(l, n);
	l = md_render(NULL, 0, 80, &n);
	assert_non_null(l);
	assert_int_equal(n, 0);
	md_free(l, n);
	check("   \n\n  \n", 80, "");
	md_free(NULL, 0);
}

static void test_headings(void **state)
{
	size_t n;
	struct md_line *l;
	const char *src = "# One\n## Two\n### Three\n#### Four\n##### Five\n###### Six";

	check(src, 40, "One\n═══\n\nTwo\n───\n\nThree\n\nFour\n\nFive\n\nSix");
	check("Setext *em*\n===\n\ntext", 40, "Setext em\n═════════\n\ntext");
	check("# a heading that wraps\n", 10, "a heading\nthat wraps\n══════════");
	l = md_render(src, strlen(src), 40, &n);
	assert_non_null(l);
	assert_int_equal(l[0].spans[0].role, THEME_MARKDOWN_HEADING);
	assert_int_equal(l[0].spans[0].attrs, ST_BOLD | ST_UNDERLINE);
	assert_int_equal(l[1].spans[0].role, THEME_MARKDOWN_HEADING);
	assert_int_equal(find_span(l, n, "Two")->attrs, ST_BOLD);
	assert_int_equal(find_span(l, n, "Three")->attrs, ST_BOLD | ST_UNDERLINE);
	assert_int_equal(find_span(l, n, "Four")->attrs, ST_BOLD);
	assert_int_equal(find_span(l, n, "Five")->attrs, ST_BOLD | ST_ITALIC);
	assert_int_equal(find_span(l, n, "Six")->attrs, ST_ITALIC);
	md_free(l, n);
}

static void test_inline_styles(void **state)
{
	const char *src = "plain *em* **strong** ***both*** `co de` _u_";
	size_t n;
	struct md_line *l = md_render(src, strlen(src), 80, &n);
	const struct md_span *s;

	assert_non_null(l);
	assert_int_equal(n, 1);
	s = find_span(l, n, "plain");
	assert_int_equal(s->role, THEME_NORMAL);
	s = find_span(l, n, "em");
	assert_int_equal(s->role, THEME_MARKDOWN_EMPH);
	assert_int_equal(s->attrs, ST_ITALIC);
	s = find_span(l, n, "strong");
	assert_int_equal(s->role, THEME_MARKDOWN_STRONG);
	assert_int_equal(s->attrs, ST_BOLD);
	s = find_span(l, n, "both");
	assert_int_equal(s->attrs, ST_BOLD | ST_ITALIC);
	s = find_span(l, n, "co de");
	assert_int_equal(s->role, THEME_MARKDOWN_CODE);
	md_free(l, n);
	check(src, 80, "plain em strong both co de u");
	check("a  b\nc\\\nd  \ne", 80, "a b c\nd\ne");
}

static void test_links_and_images(void **state)
{
	const char *src = "see [the docs](https://x.org/d) now";
	size_t n;
	struct md_line *l = md_render(src, strlen(src), 80, &n);
	const struct md_span *s;

	assert_non_null(l);
	s = find_span(l, n, "the docs");
	assert_int_equal(s->role, THEME_MARKDOWN_LINK);
	assert_true(s->attrs & ST_UNDERLINE);
	s = find_span(l, n, "<https://x.org/d>");
	assert_int_equal(s->role, THEME_MARKDOWN_LINK);
	md_free(l, n);
	check(src, 80, "see the docs <https://x.org/d> now");
	check("<https://a.b/c> <me@x.org>", 80, "https://a.b/c me@x.org");
	check("[](u) [t]()", 80, "<u> t");
	check("![a cat](cat.png \"title\") ![](x.png)", 80,
	      "[image: a cat <cat.png>] [image: <x.png>]");
	check("[![logo](l.svg)](https://h)", 80, "[image: logo <l.svg>] <https://h>");
	check("see [docs](https://example.org/a/long/path)", 20,
	      "see docs\n<https://example.org\n/a/long/path>");
}

/* GitHub's extensions (cmark-gfm): strikethrough, task lists, bare URLs, tables in lists */
static void test_gfm(void **state)
{
	const char *src = "keep ~~gone~~ and ~one~";
	struct md_render_opts o = {.strike_marks = 1};
	size_t n;
	struct md_line *l = md_render(src, strlen(src), 80, &n);
	const struct md_span *s;
	char *flat;

	assert_non_null(l);
	s = find_span(l, n, "gone");
	assert_non_null(s);
	assert_true(s->attrs & ST_STRIKE);
	assert_true(s->attrs & ST_DIM);
	assert_false(find_span(l, n, "keep")->attrs & ST_STRIKE);
	md_free(l, n);
	check(src, 80, "keep gone and one");
	/* where dim cannot show (vt100), "~" marks the struck words */
	l = md_render_ex(src, strlen(src), 80, &o, &n);
	flat = flatten(l, n, 80);
	assert_string_equal(flat, "keep ~gone~ and ~one~");
	free(flat);
	md_free(l, n);

	check("- [ ] todo\n- [x] done\n- plain", 40, "[ ] todo\n[x] done\n• plain");
	check("1. [x] first\n2. [ ] second item that wraps", 20,
	      "1. [x] first\n2. [ ] second item\n       that wraps");
	check("see www.example.org/a and https://x.org/b.", 80,
	      "see www.example.org/a and https://x.org/b.");
	l = md_render("at www.example.org now", 22, 80, &n);
	s = find_span(l, n, "www.example.org");
	assert_non_null(s);
	assert_int_equal(s->role, THEME_MARKDOWN_LINK);
	md_free(l, n);
	/* a table inside a list item and a quote, laid out in the room the prefixes leave */
	check("- x\n\n  | a | b |\n  |---|---|\n  | 1 | 2 |", 40, "• x\n\n  a  b\n  ────\n  1  2");
	check("> | a |\n> |--:|\n> | ~~9~~ |", 40, "│ a\n│ ─\n│ 9");
}

static void test_long_url(void **state)
{
	char src[1200], want[400];
	int i;

	strcpy(src, "![x](data:image/png;base64,");
	for (i = 0; i < 1000; i++)
		strcat(src, "A");
	strcat(src, ")");
	snprintf(want, sizeof(want), "[image: x <data:image/png;base64,%.*s\xe2\x80\xa6>]",
	         MD_URL_MAX - 22, src + 27);
	check(src, 1000, want);
	snprintf(want, sizeof(want), "[image: x <data:image/png;base64,%.*s...>]", MD_URL_MAX - 22,
	         src + 27);
	check_opt(src, 1000, 1, want);
}

static void test_code_blocks(void **state)
{
	const char *py = "text\n\n```python\ndef f(x):\n\treturn 'y'  # c\n```\n";
	size_t n;
	struct md_line *l = md_render(py, strlen(py), 40, &n);
	const struct md_span *s;

	assert_non_null(l);
	assert_int_equal(n, 4);
	assert_int_equal(l[2].indent, MD_CODE_INDENT);
	assert_int_equal(l[2].spans[0].role, THEME_CODE_KEYWORD);
	assert_string_equal(l[2].spans[0].text, "def");
	s = find_span(l, n, "'y'");
	assert_int_equal(s->role, THEME_CODE_STRING);
	s = find_span(l, n, "# c");
	assert_int_equal(s->role, THEME_CODE_COMMENT);
	s = find_span(l, n, "f(x):");
	assert_int_equal(s->role, THEME_MARKDOWN_CODE);
	md_free(l, n);
	check(py, 40, "text\n\n    def f(x):\n        return 'y'  # c");

	l = md_render("```\ndef x\n```", 13, 40, &n);
	assert_non_null(l);
	assert_int_equal(n, 1);
	assert_int_equal(l[0].n, 1);
	assert_int_equal(l[0].spans[0].role, THEME_MARKDOWN_CODE);
	md_free(l, n);

	check("    indented\n      more\n\n    after blank", 40,
	      "    indented\n      more\n\n    after blank");
	check("```\n```", 40, "");
	check("```sh\n0123456789abcdefghij\n```", 12, "    01234567\n    89abcdef\n    ghij");
	check("~~~ IPython3 {x}\n%time 1\n~~~", 40, "    %time 1");
}

static void test_lists(void **state)
{
	check("- one\n- two\n  - nested\n    - deeper\n      - fourth\n- three", 40,
	      "• one\n• two\n  ◦ nested\n    ▪ deeper\n      • fourth\n• three");
	check("- a long item that wraps onto the next line", 16,
	      "• a long item\n  that wraps\n  onto the next\n  line");
	check("8. eight\n9. nine\n10. ten", 40, " 8. eight\n 9. nine\n10. ten");
	check("1. wrapped ordered item text", 14, "1. wrapped\n   ordered\n   item text");
	check("- loose\n\n- list\n\n  second para", 40, "• loose\n\n• list\n\n  second para");
	check("-\n- b", 40, "•\n• b");
	check("- > quoted\n  > more", 40, "• │ quoted more");
	check("- > quoted\n  >\n  > more", 40, "• │ quoted\n  │\n  │ more");
	check("* ```\n  code\n  ```", 40, "•     code");
	check("- - x", 40, "• ◦ x");
	check("para\n\n- a\n- b\n\nafter", 40, "para\n\n• a\n• b\n\nafter");
}

static void test_quotes(void **state)
{
	size_t n;
	struct md_line *l;
	const char *src = "> quoted text that wraps\n>\n> > inner";

	check(src, 16, "│ quoted text\n│ that wraps\n│\n│ │ inner");
	l = md_render(src, strlen(src), 16, &n);
	assert_non_null(l);
	assert_int_equal(l[0].spans[0].role, THEME_MARKDOWN_QUOTE);
	md_free(l, n);
	check("> # Head\n> - item", 40, "│ Head\n│ ════\n│\n│ • item");
}

static void test_rules_html_tables(void **state)
{
	check("a\n\n---\n\nb", 10, "a\n\n──────────\n\nb");
	check("> ***", 10, "│ ────────");
	check("<div onclick=\"x\">\n<b>hi</b>\n</div>", 40,
	      "<div onclick=\"x\">\n<b>hi</b>\n</div>");
	check("a <span style=\"x\">b</span> &amp; &lt;i&gt;", 80,
	      "a <span style=\"x\">b</span> & <i>");
	/* GFM tables in columns: alignment from the delimiter row, numbers right, a rule under
	 * the header, cells cut with "…" when the table is wider than the width */
	check("| a | b |\n|---|:-:|\n| 1 | **2** |", 40, "a  b\n────\n1  2");
	check("a | b\n--|--\n1 | 2", 40, "a  b\n────\n1  2");
	check("| name | n |\n|:--|--:|\n| apple | 3 |\n| kiwi | 120 |", 40,
	      "name     n\n──────────\napple    3\nkiwi   120");
	/* as on GitHub, a '|' in a code span still splits (so the backticks show as text), and
	 * cells past the header's go */
	check("| x | y |\n|---|---|\n| `a|b` | c |", 40, "x   y\n──────\n`a  b`");
	check("| long heading here | b |\n|---|---|\n| some long cell text | 2 |", 16,
	      "long heading…  b\n────────────────\nsome long ce…  2");
	check("a | b\nnot a table", 40, "a | b not a table");
}

/* $…$ math: kept as written ("\\," stays), symbols as Unicode, prose dollars and code alone */
static void test_math(void **state)
{
	check("cost $\\alpha\\,x^2$ here", 40, "cost α\\,x² here");
	check("$$\\sum_i a_i \\leq \\infty$$", 40, "∑ᵢ aᵢ ≤ ∞");
	check("from $5 to $10", 40, "from $5 to $10");
	check("`$a_b$` and $a_b$", 40, "$a_b$ and a_b");
	check("$x*y*z$", 40, "x*y*z");
	check("```\n$\\alpha$\n```", 40, "    $\\alpha$");
}

static void test_ascii(void **state)
{
	check_opt("# T\n\n## U\n\n- a\n  - b\n    - c\n\n> q\n>\n> r\n\n---", 10, 1,
	          "T\n=\n\nU\n-\n\n* a\n  - b\n    + c\n\n| q\n|\n| r\n\n----------");
}

/* Words of s in order, separated by single spaces (for comparing wrapped text). */
static char *words(const char *s)
{
	char *out = malloc(strlen(s) + 1), *o = out;
	int space = 0;

	assert_non_null(out);
	for (; *s; s++) {
		if (*s == ' ' || *s == '\n') {
			space = o != out;
			continue;
		}
		if (space)
			*o++ = ' ';
		space = 0;
		*o++ = *s;
	}
	*o = '\0';
	return out;
}

static void test_wrap_widths(void **state)
{
	const char *src = "The quick brown fox jumps over the lazy dog, then **runs far away** "
	                  "into the `forest`; supercalifragilisticexpialidocious words break.";
	char *want = words("The quick brown fox jumps over the lazy dog, then runs far away "
	                   "into the forest; supercalifragilisticexpialidocious words break.");
	int w;

	for (w = MD_MIN_WIDTH; w <= 100; w++) {
		char *got = render_opt(src, w, 0), *gw = words(got);
		char *p, *line = got;

		/* a wrapped line never ends early when the next word would have fitted */
		for (p = strchr(line, '\n'); p; line = p + 1, p = strchr(line, '\n')) {
			const char *next = p + 1;
			size_t nl = strcspn(next, " \n");

			if (nl < (size_t)w)
				assert_true((int)(p - line) + 1 + (int)nl > w);
		}
		if (w >= 34) {
			assert_string_equal(gw, want);
		} else { /* the long word is split by newlines */
			char *a = want, *b = gw;

			for (; *a; a++, b++) {
				if (*b == ' ' && *a != ' ')
					b++;
				assert_int_equal(*a, *b);
			}
		}
		free(gw);
		free(got);
	}
	free(want);
	check(src, 8,
	      "The\nquick\nbrown\nfox\njumps\nover the\nlazy\ndog,\nthen\nruns far\naway\ninto "
	      "the\nforest;\nsupercal\nifragili\nsticexpi\nalidocio\nus words\nbreak.");
}

static void test_cjk(void **state)
{
	const char *src = "日本語の文章はスペースなしで続きます。mixed 漢字 text";
	int w;

	check(src, 10, "日本語の文\n章はスペー\nスなしで続\nきます。\nmixed 漢字\ntext");
	for (w = MD_MIN_WIDTH; w < 60; w++)
		free(render_opt(src, w, 0)); /* widths checked by flatten */
	check("# 見出し", 20, "見出し\n══════");
	check("- 項目の長いテキスト", 10, "• 項目の長\n  いテキス\n  ト");
}

static void test_hostile(void **state)
{
	static const char src[] =
	    "\x1b]52;c;ZXZpbA==\x07 clip \x1b[2J\x1b[31mred\x1b[0m &#27;[1mbold &#x9b;2J "
	    "&#0; &#x202e;evil\xe2\x80\xae \x90\x9b x\xff\xfe\xc0\xaf y\r\n"
	    "`\x1b[H` [a\x1b]8;;http://x\x07](http://u\x1b[1m/\x07) \xc2\x9b c1\n\n"
	    "```python\n\x1b[31m'x'\x07\n```\n\n<x \x1b[5m>\n";
	size_t n, i, k;
	struct md_line *l = md_render(src, sizeof(src) - 1, 40, &n);
	char *flat;

	assert_non_null(l);
	flat = flatten(l, n, 40);
	assert_null(strchr(flat, 0x1b));
	assert_non_null(strstr(flat, "clip"));
	assert_non_null(strstr(flat, "red"));
	assert_null(strstr(flat, "ZXZpbA"));
	assert_non_null(strstr(flat, "evil"));
	for (i = 0; i < n; i++)
		for (k = 0; k < l[i].n; k++)
			assert_true(l[i].spans[k].role >= 0 && l[i].spans[k].role < THEME_NROLES);
	free(flat);
	md_free(l, n);

	/* NUL bytes in the source */
	l = md_render("a\0b\n\n```\n\0\n```", 14, 40, &n);
	assert_non_null(l);
	flat = flatten(l, n, 40);
	assert_string_equal(flat, "a\xef\xbf\xbd"
	                          "b\n\n    \xef\xbf\xbd");
	free(flat);
	md_free(l, n);
}

static void test_deep_nesting(void **state)
{
	size_t len = 200000, i, n;
	char *src = malloc(len + 8);
	struct md_line *l;
	char *flat;

	assert_non_null(src);
	for (i = 0; i < len; i++)
		src[i] = i % 2 ? ' ' : '>';
	memcpy(src + len, "deep", 5);
	l = md_render(src, len + 4, 30, &n);
	assert_non_null(l);
	flat = flatten(l, n, 30);
	assert_non_null(strstr(flat, "deep"));
	free(flat);
	md_free(l, n);

	for (i = 0; i < len; i++)
		src[i] = i % 2 ? ' ' : "-*+"[i / 2 % 3];
	l = md_render(src, len + 4, 30, &n);
	assert_non_null(l);
	free(flatten(l, n, 30));
	md_free(l, n);

	for (i = 0; i < 2000; i++)
		memcpy(src + 3 * i, "1. ", 3);
	strcpy(src + 6000, "x");
	l = md_render(src, strlen(src), 8, &n);
	assert_non_null(l);
	free(flatten(l, n, 8));
	md_free(l, n);
	free(src);
}

static void test_long_lines(void **state)
{
	size_t len = 1u << 20, i, n;
	char *src = malloc(len + 1);
	struct md_line *l;
	clock_t t0;

	assert_non_null(src);
	for (i = 0; i < len; i++)
		src[i] = 'x';
	src[len] = '\0';
	t0 = clock();
	l = md_render(src, len, 80, &n);
	assert_non_null(l);
	assert_int_equal(n, (len + 79) / 80);
	free(flatten(l, n, 80));
	md_free(l, n);
	/* mixed markup; cmark-gfm's quadratic case without a space to cut at */
	for (int k = 0; k < 2; k++) {
		const char *pat = k ? "[e](f)*c*" : "ab *c* `d` \xe4\xb8\xad[e](f) ";

		for (i = 0; i < len; i++)
			src[i] = pat[i % strlen(pat)];
		l = md_render(src, len, 33, &n);
		assert_non_null(l);
		free(flatten(l, n, 33));
		md_free(l, n);
	}
	assert_true((double)(clock() - t0) / CLOCKS_PER_SEC < 60.0); /* a guard against quadratic time, not a timing */
	free(src);
}

/* Long blocks are cut for cmark-gfm's sake, but never inside fenced code */
static void test_long_code(void **state)
{
	size_t len = 40010, i, n, blank = 0;
	char *src = malloc(len + 16);
	struct md_line *l;

	assert_non_null(src);
	memcpy(src, "```\n", 4);
	for (i = 4; i < len; i++)
		src[i] = i % 40 == 39 ? '\n' : "[e](f) *c* "[i % 11];
	memcpy(src + len, "\n```", 5);
	l = md_render(src, len + 4, 80, &n);
	assert_non_null(l);
	for (i = 0; i < n; i++)
		blank += l[i].n == 0;
	assert_int_equal(blank, 0);
	md_free(l, n);
	free(src);
}

static void test_narrow(void **state)
{
	check("hello world", 0, "hello\nworld");
	check("hello world", -7, "hello\nworld");
	check("> > > > > > > > > > - - - - - - - a", 20,
	      "│ │ │ │ │ • ◦ ▪ • a"); /* past half the width, only markers that fit */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_empty),
	    cmocka_unit_test(test_headings),
	    cmocka_unit_test(test_inline_styles),
	    cmocka_unit_test(test_links_and_images),
	    cmocka_unit_test(test_gfm),
	    cmocka_unit_test(test_long_url),
	    cmocka_unit_test(test_code_blocks),
	    cmocka_unit_test(test_lists),
	    cmocka_unit_test(test_quotes),
	    cmocka_unit_test(test_rules_html_tables),
	    cmocka_unit_test(test_math),
	    cmocka_unit_test(test_ascii),
	    cmocka_unit_test(test_wrap_widths),
	    cmocka_unit_test(test_cjk),
	    cmocka_unit_test(test_hostile),
	    cmocka_unit_test(test_deep_nesting),
	    cmocka_unit_test(test_long_lines),
	    cmocka_unit_test(test_long_code),
	    cmocka_unit_test(test_narrow),
	};

	if (!setlocale(LC_ALL, "C.UTF-8"))
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
