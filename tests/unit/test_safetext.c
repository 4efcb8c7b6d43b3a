// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * Unit tests for tui/safetext: a corpus of hostile terminal input (title changes, clipboard
 * writes, hyperlinks, DCS, cursor movement, queries that make the terminal answer, 8-bit C1,
 * bidi overrides, invalid UTF-8, NUL), SGR parsing into styles, chunked streams, the
 * normalised SGR output, widths and colour downmapping. Expected values are written from the
 * specifications (ECMA-48, xterm, Unicode's maximal-subpart rule), and every output is also
 * scanned by an independent checker for anything a terminal could act on. Literals use octal
 * escapes where a hex escape would run into the next character ("\033" "7" is "\0337").
 */
#include <locale.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "tui/safetext.h"

#define FFFD "\xef\xbf\xbd"

/* ---- independent checker ---- */

/*
 * 1 if out[0..n-1] is something a terminal may be given: valid UTF-8 (no overlongs, no
 * surrogates, nothing past U+10FFFF), no C0 control but \n and \t, no DEL, no C1, no bidi
 * embedding/override/isolate, and (only if sgr_ok) ESC solely as "ESC [ digits/; m".
 */
static int is_safe(const char *out, size_t n, int sgr_ok)
{
	const unsigned char *s = (const unsigned char *)out;
	size_t i = 0;

	while (i < n) {
		unsigned char b = s[i];
		uint32_t cp;
		size_t len, k;

		if (b == 0x1b) {
			if (!sgr_ok || i + 1 >= n || s[i + 1] != '[')
				return 0;
			for (k = i + 2; k < n && ((s[k] >= '0' && s[k] <= '9') || s[k] == ';'); k++)
				;
			if (k >= n || s[k] != 'm')
				return 0;
			i = k + 1;
			continue;
		}
		if (b < 0x80) {
			if ((b < 0x20 && b != '\n' && b != '\t') || b == 0x7f)
				return 0;
			i++;
			continue;
		}
		if (b >= 0xc2 && b <= 0xdf) {
			len = 2;
			cp = b & 0x1f;
		} else if (b >= 0xe0 && b <= 0xef) {
			len = 3;
			cp = b & 0x0f;
		} else if (b >= 0xf0 && b <= 0xf4) {
			len = 4;
			cp = b & 0x07;
		} else {
			return 0;
		}
		if (i + len > n)
			return 0;
		for (k = 1; k < len; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return 0;
			cp = cp << 6 | (s[i + k] & 0x3f);
		}
		if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) || cp > 0x10ffff)
			return 0; /* overlong or too large */
		if (cp >= 0xd800 && cp <= 0xdfff)
			return 0;
		if (cp >= 0x80 && cp <= 0x9f)
			return 0;
		if ((cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069))
			return 0;
		i += len;
	}
	return 1;
}

/* ---- helpers ---- */

/* st_plain and st_sgr of a literal (which may hold NUL), checked for safety. */
#define PLAIN(lit) plain_of((lit), sizeof(lit) - 1)
#define SGR(lit) sgr_of((lit), sizeof(lit) - 1)

static char *last;

static const char *plain_of(const char *s, size_t len)
{
	size_t n = 12345;

	free(last);
	last = st_plain(s, len, &n);
	assert_non_null(last);
	assert_int_equal(n, strlen(last));
	assert_true(is_safe(last, n, 0));
	return last;
}

static const char *sgr_of(const char *s, size_t len)
{
	size_t n = 12345;

	free(last);
	last = st_sgr(s, len, &n);
	assert_non_null(last);
	assert_int_equal(n, strlen(last));
	assert_true(is_safe(last, n, 1));
	return last;
}

/* Collects the spans of a parse. */
#define MAXSPANS 16
struct spans {
	int n;
	struct st_style style[MAXSPANS];
	char text[MAXSPANS][64];
};

static void collect(void *ud, const struct st_style *style, const char *text, size_t n)
{
	struct spans *sp = ud;

	assert_true(n > 0);
	assert_true(is_safe(text, n, 0));
	/* consecutive spans of one style are merged here so tests don't depend on buffering */
	if (sp->n && memcmp(&sp->style[sp->n - 1], style, sizeof *style) == 0) {
		assert_true(strlen(sp->text[sp->n - 1]) + n < sizeof sp->text[0]);
		strncat(sp->text[sp->n - 1], text, n);
		return;
	}
	assert_true(sp->n < MAXSPANS);
	assert_true(n < sizeof sp->text[0]);
	sp->style[sp->n] = *style;
	memcpy(sp->text[sp->n], text, n);
	sp->text[sp->n][n] = '\0';
	sp->n++;
}

static struct spans parse(const char *s, size_t len)
{
	struct spans sp = {0};

	st_parse(s, len, NULL, collect, &sp);
	return sp;
}
#define PARSE(lit) parse((lit), sizeof(lit) - 1)

/* The style of the one span that "<seq>X" produces. */
static struct st_style style_of(const char *s, size_t len)
{
	struct spans sp = parse(s, len);

	assert_int_equal(sp.n, 1);
	assert_string_equal(sp.text[0], "X");
	return sp.style[0];
}
#define STYLE(lit) style_of((lit), sizeof(lit) - 1)

static void expect_style(struct st_style st, int fg, int bg, unsigned attrs)
{
	assert_int_equal(st.fg, fg);
	assert_int_equal(st.bg, bg);
	assert_int_equal(st.attrs, attrs);
}

/* ---- hostile corpus: everything but text must go ---- */

static void test_osc_title(void **state)
{
	assert_string_equal(PLAIN("a\033]0;pwned\007b"), "ab");
	assert_string_equal(PLAIN("a\x1b]2;pwned\x1b\\b"), "ab");
	assert_string_equal(PLAIN("a\033]1;icon\302\234b"), "ab"); /* 8-bit ST ends it too */
	assert_string_equal(SGR("a\033]0;pwned\007b"), "ab");
}

static void test_osc52_clipboard(void **state)
{
	assert_string_equal(PLAIN("x\x1b]52;c;cm0gLXJmIH4K\x07y"), "xy");
	assert_string_equal(PLAIN("x\x1b]52;c;?\x1b\\y"), "xy"); /* clipboard read */
}

static void test_osc8_hyperlink(void **state)
{
	assert_string_equal(PLAIN("\x1b]8;;https://evil.example/\x1b\\click me\x1b]8;;\x1b\\!"),
	                    "click me!");
	assert_string_equal(PLAIN("\x1b]8;id=1;http://x\x07link\x1b]8;;\x07"), "link");
}

static void test_dcs_and_strings(void **state)
{
	assert_string_equal(PLAIN("a\x1bP$q m\x1b\\b"), "ab");                  /* DECRQSS */
	assert_string_equal(PLAIN("a\x1bP+q544e\x1b\\b"), "ab");                /* XTGETTCAP */
	assert_string_equal(PLAIN("a\x1bPtmux;\x1b\x1b]0;x\x07\x1b\\b"), "ab"); /* passthrough */
	assert_string_equal(PLAIN("a\x1b_Gf=100;AAAA\x1b\\b"), "ab");           /* APC (kitty) */
	assert_string_equal(PLAIN("a\x1b^privacy\x1b\\b"), "ab");               /* PM */
	assert_string_equal(PLAIN("a\x1bXsos\x1b\\b"), "ab");                   /* SOS */
	/* BEL ends only OSC: inside DCS it is part of the string */
	assert_string_equal(PLAIN("a\x1bPq\x07#0\x1b\\b"), "ab");
	/* CAN and SUB abort a string */
	assert_string_equal(PLAIN("a\033]0;t\030b"), "ab");
	assert_string_equal(PLAIN("a\033Pq\032b"), "ab");
}

static void test_csi_cursor_and_modes(void **state)
{
	assert_string_equal(PLAIN("\x1b[2J\x1b[Hhello\x1b[10A"), "hello");
	assert_string_equal(PLAIN("a\x1b[1;5rb\x1b[Kc\x1b[3;4Hd"), "abcd");
	assert_string_equal(PLAIN("\x1b[?1049h\x1b[?1000h\x1b[?25lok\x1b[?1049l"), "ok");
	assert_string_equal(PLAIN("a\x1b[2 qb\x1b[!pc"), "abc"); /* intermediates */
	assert_string_equal(SGR("\x1b[2J\x1b[Hhello\x1b[10A"), "hello");
}

static void test_csi_queries(void **state)
{
	assert_string_equal(PLAIN("a\x1b[6nb"), "ab");            /* DSR cursor position */
	assert_string_equal(PLAIN("a\x1b[5nb"), "ab");            /* DSR status */
	assert_string_equal(PLAIN("a\x1b[cb\x1b[>cc"), "abc");    /* DA1, DA2 */
	assert_string_equal(PLAIN("a\x1b[>qb"), "ab");            /* XTVERSION */
	assert_string_equal(PLAIN("a\x1b[21tb\x1b[14tc"), "abc"); /* window reports */
	assert_string_equal(PLAIN("a\x1b[?2026$pb"), "ab");       /* DECRQM */
	assert_string_equal(PLAIN("a\033]11;?\007b"), "ab");      /* OSC colour query */
}

static void test_esc_two_byte(void **state)
{
	assert_string_equal(PLAIN("a\033cb"), "ab");          /* RIS */
	assert_string_equal(PLAIN("a\x1b(0b\x1b(Bc"), "abc"); /* charset designation */
	assert_string_equal(PLAIN("a\x1b#8b"), "ab");         /* DECALN */
	assert_string_equal(PLAIN("a\0337b\0338c\033=d\033>e"), "abcde");
	assert_string_equal(PLAIN("a\x1b\\b"), "ab"); /* stray ST */
	assert_string_equal(PLAIN("a\x1b\x1b[31mb"), "ab");
	/* ESC before a non-ASCII character or a control is dropped and the rest kept */
	assert_string_equal(PLAIN("a\x1b\xc3\xa9"), "a\xc3\xa9");
	assert_string_equal(PLAIN("a\x1b\nb"), "a\nb");
}

static void test_8bit_csi_and_c1(void **state)
{
	char in[2 * 32 + 2];
	int i;

	/* U+009B is never an introducer: dropped, what follows is plain text */
	assert_string_equal(PLAIN("a\302\2332Jb"), "a2Jb");
	assert_string_equal(PLAIN("\302\2350;t\302\234x"), "0;tx");
	assert_string_equal(PLAIN("\xc2\x90q\xc2\x9c"), "q");
	/* a raw 0x9b byte is not UTF-8 at all */
	assert_string_equal(PLAIN("a\2336n"), "a" FFFD "6n");
	/* every C1 control goes, NBSP (U+00A0) stays */
	for (i = 0; i < 32; i++) {
		in[2 * i] = (char)0xc2;
		in[2 * i + 1] = (char)(0x80 + i);
	}
	in[64] = 'z';
	in[65] = '\0';
	assert_string_equal(plain_of(in, 65), "z");
	assert_string_equal(PLAIN("\xc2\xa0"), "\xc2\xa0");
}

static void test_c0_del_nul(void **state)
{
	assert_string_equal(PLAIN("a\005b\007c\016d\017e\177f\rg\bh\013i\014j"), "abcdefghij");
	assert_string_equal(PLAIN("l1\n\tl2\r\n"), "l1\n\tl2\n");
	{
		size_t n = 99;
		char *out = st_plain("a\0b\0", 4, &n);

		assert_non_null(out);
		assert_int_equal(n, 2);
		assert_memory_equal(out, "ab", 3);
		free(out);
	}
}

static void test_bidi(void **state)
{
	static const char *const bidi[] = {
	    "\xe2\x80\xaa", "\xe2\x80\xab", "\xe2\x80\xac", "\xe2\x80\xad", "\xe2\x80\xae",
	    "\xe2\x81\xa6", "\xe2\x81\xa7", "\xe2\x81\xa8", "\xe2\x81\xa9",
	};
	char in[16];
	size_t i;

	for (i = 0; i < sizeof bidi / sizeof bidi[0]; i++) {
		strcpy(in, "ab");
		strcat(in, bidi[i]);
		strcat(in, "cd");
		assert_string_equal(plain_of(in, strlen(in)), "abcd");
	}
	/* Trojan source: the override goes, the logical order is what you see */
	assert_string_equal(PLAIN("x = \"\xe2\x80\xae } \xe2\x81\xa6\"\n"), "x = \" } \"\n");
	/* neighbours are ordinary characters: U+2029 paragraph separator, U+200F RLM */
	assert_string_equal(PLAIN("\xe2\x80\xa9\xe2\x80\x8f"), "\xe2\x80\xa9\xe2\x80\x8f");
}

static void test_invalid_utf8(void **state)
{
	assert_string_equal(PLAIN("a\200b"), "a" FFFD "b"); /* lone continuation */
	assert_string_equal(PLAIN("a\200\277b"), "a" FFFD FFFD "b");
	assert_string_equal(PLAIN("a\342\202b"), "a" FFFD "b");     /* truncated */
	assert_string_equal(PLAIN("a\xf0\x9f\x98"), "a" FFFD);      /* truncated at end */
	assert_string_equal(PLAIN("\xc0\xaf"), FFFD FFFD);          /* overlong '/' */
	assert_string_equal(PLAIN("\xe0\x80\xaf"), FFFD FFFD FFFD); /* overlong, 3 bytes */
	assert_string_equal(PLAIN("\xf0\x80\x80\xaf"), FFFD FFFD FFFD FFFD);
	assert_string_equal(PLAIN("\xed\xa0\x80"), FFFD FFFD FFFD);          /* surrogate D800 */
	assert_string_equal(PLAIN("\xed\xbf\xbf"), FFFD FFFD FFFD);          /* surrogate DFFF */
	assert_string_equal(PLAIN("\xf4\x90\x80\x80"), FFFD FFFD FFFD FFFD); /* > U+10FFFF */
	assert_string_equal(PLAIN("\xff"), FFFD);
	assert_string_equal(PLAIN("\xfe\xf5\xf8"), FFFD FFFD FFFD);
	assert_string_equal(PLAIN("\xc1\xbf"), FFFD FFFD);
	assert_string_equal(PLAIN("\xc2"), FFFD);
	/* a truncated sequence does not swallow the ESC that cuts it */
	assert_string_equal(PLAIN("\xe2\x1b[2Jx"), FFFD "x");
	/* valid edges pass unchanged */
	assert_string_equal(PLAIN("\xc2\xa9\xe0\xa0\x80\xed\x9f\xbf\xee\x80\x80"),
	                    "\xc2\xa9\xe0\xa0\x80\xed\x9f\xbf\xee\x80\x80");
	assert_string_equal(PLAIN("\xf0\x90\x80\x80\xf4\x8f\xbf\xbf\xf0\x9f\x98\x80"),
	                    "\xf0\x90\x80\x80\xf4\x8f\xbf\xbf\xf0\x9f\x98\x80");
}

static void test_unterminated_at_end(void **state)
{
	assert_string_equal(PLAIN("ok\x1b"), "ok");
	assert_string_equal(PLAIN("ok\x1b["), "ok");
	assert_string_equal(PLAIN("ok\x1b[31"), "ok");
	assert_string_equal(PLAIN("ok\x1b]0;pwned"), "ok");
	assert_string_equal(PLAIN("ok\x1bP$q"), "ok");
	assert_string_equal(PLAIN("ok\x1b]0;pwned\x1b"), "ok");
	assert_string_equal(SGR("ok\x1b[31"), "ok");
}

static void test_long_string_is_capped(void **state)
{
	size_t n = 2 + 5000 + 4, i;
	char *in = malloc(n), *want = malloc(5000 - ST_STRMAX + 5);
	char *out;

	assert_non_null(in);
	assert_non_null(want);
	memcpy(in, "\x1b]", 2);
	memset(in + 2, 'A', 5000);
	memcpy(in + 2 + 5000, "tail", 4);
	/* the first ST_STRMAX characters after "ESC ]" go with the sequence, the rest is text */
	for (i = 0; i < 5000 - ST_STRMAX; i++)
		want[i] = 'A';
	memcpy(want + i, "tail", 5);
	out = st_plain(in, n, NULL);
	assert_non_null(out);
	assert_string_equal(out, want);
	free(out);
	free(in);
	free(want);
}

static void test_cancel_and_malformed(void **state)
{
	/* CAN cancels a CSI: the rest is text */
	assert_string_equal(PLAIN("\x1b[31\x18mX"), "mX");
	/* a new ESC abandons a sequence and starts another */
	assert_string_equal(PLAIN("\x1b[31\x1b[0mX"), "X");
	/* parameters after an intermediate: malformed, swallowed to the final byte */
	assert_string_equal(PLAIN("\x1b[1 2mX"), "X");
	/* a non-ASCII character cancels a CSI */
	assert_string_equal(PLAIN("\x1b[3\xc3\xa9"), "\xc3\xa9");
	/* huge numbers and too many parameters do nothing bad */
	assert_string_equal(PLAIN("\x1b[99999999999999999999999mX"), "X");
	assert_string_equal(PLAIN("\x1b[38;5;99999999999mX"), "X");
}

/* ---- SGR into styles ---- */

static void test_sgr_basic(void **state)
{
	expect_style(STYLE("X"), ST_DEFAULT, ST_DEFAULT, 0);
	expect_style(STYLE("\x1b[1mX"), -1, -1, ST_BOLD);
	expect_style(STYLE("\x1b[2mX"), -1, -1, ST_DIM);
	expect_style(STYLE("\x1b[3mX"), -1, -1, ST_ITALIC);
	expect_style(STYLE("\x1b[4mX"), -1, -1, ST_UNDERLINE);
	expect_style(STYLE("\x1b[5mX"), -1, -1, ST_BOLD); /* JupyterLab shows blink as bold */
	expect_style(STYLE("\x1b[7mX"), -1, -1, ST_INVERSE);
	expect_style(STYLE("\x1b[9mX"), -1, -1, ST_STRIKE);
	expect_style(STYLE("\x1b[8mX"), -1, -1, 0); /* conceal would hide text: ignored */
	expect_style(STYLE("\x1b[1;3;4;7;9mX"), -1, -1,
	             ST_BOLD | ST_ITALIC | ST_UNDERLINE | ST_INVERSE | ST_STRIKE);
	expect_style(STYLE("\x1b[31mX"), 1, -1, 0);
	expect_style(STYLE("\x1b[37;40mX"), 7, 0, 0);
	expect_style(STYLE("\x1b[90;107mX"), 8, 15, 0);
	expect_style(STYLE("\x1b[97;100mX"), 15, 8, 0);
	expect_style(STYLE("\x1b[4:3mX"), -1, -1, ST_UNDERLINE); /* curly underline */
	expect_style(STYLE("\x1b[4m\x1b[4:0mX"), -1, -1, 0);
	/* a private marker or intermediate makes it not an SGR (xterm modifyOtherKeys) */
	expect_style(STYLE("\x1b[>4;1mX"), -1, -1, 0);
	expect_style(STYLE("\x1b[?1mX"), -1, -1, 0);
	expect_style(STYLE("\x1b[1$mX"), -1, -1, 0);
}

static void test_sgr_resets(void **state)
{
	expect_style(STYLE("\x1b[1;4;31;42m\x1b[mX"), -1, -1, 0);
	expect_style(STYLE("\x1b[1;4;31;42m\x1b[0mX"), -1, -1, 0);
	expect_style(STYLE("\x1b[1;4;31;42m\x1b[0;32mX"), 2, -1, 0);
	expect_style(STYLE("\x1b[1;2;3m\x1b[22mX"), -1, -1, ST_ITALIC);
	expect_style(STYLE("\x1b[1;2m\x1b[21mX"), -1, -1, ST_DIM);
	expect_style(STYLE("\x1b[3;4;7;9m\x1b[23;24mX"), -1, -1, ST_INVERSE | ST_STRIKE);
	expect_style(STYLE("\x1b[3;4;7;9m\x1b[27;29mX"), -1, -1, ST_ITALIC | ST_UNDERLINE);
	expect_style(STYLE("\x1b[31;41m\x1b[39mX"), -1, 1, 0);
	expect_style(STYLE("\x1b[31;41m\x1b[49mX"), 1, -1, 0);
	/* an empty parameter is 0 */
	expect_style(STYLE("\x1b[31m\x1b[;1mX"), -1, -1, ST_BOLD);
	expect_style(STYLE("\x1b[31m\x1b[1;mX"), -1, -1, 0);
	/* more than ST_MAXPARAM parameters: the whole sequence is ignored */
	expect_style(STYLE("\x1b[1;1;1;1;1;1;1;1;1;1;1;1;1;1;1;1;1;1;1;1;1;1;1;1;1;1;1;1;1;1;1;1;"
	                   "1;1;1;1;1;1;1;1;31mX"),
	             -1, -1, 0);
}

static void test_sgr_256_and_truecolour(void **state)
{
	expect_style(STYLE("\x1b[38;5;196mX"), 196, -1, 0);
	expect_style(STYLE("\x1b[48;5;21mX"), -1, 21, 0);
	expect_style(STYLE("\x1b[38;5;0;48;5;255mX"), 0, 255, 0);
	expect_style(STYLE("\x1b[38;2;10;20;30mX"), ST_RGB(10, 20, 30), -1, 0);
	expect_style(STYLE("\x1b[48;2;255;128;0mX"), -1, ST_RGB(255, 128, 0), 0);
	expect_style(STYLE("\x1b[38;2;1;2;3;48;2;4;5;6;1mX"), ST_RGB(1, 2, 3), ST_RGB(4, 5, 6),
	             ST_BOLD);
	/* the colour's arguments are not read as codes: 5 and 1 below are not bold */
	expect_style(STYLE("\x1b[38;5;1mX"), 1, -1, 0);
	expect_style(STYLE("\x1b[38;5;1;1mX"), 1, -1, ST_BOLD);
	expect_style(STYLE("\x1b[58;5;1mX"), -1, -1, 0); /* underline colour: ignored */
	expect_style(STYLE("\x1b[58;2;1;1;1;4mX"), -1, -1, ST_UNDERLINE);
	/* colon forms */
	expect_style(STYLE("\x1b[38:5:200mX"), 200, -1, 0);
	expect_style(STYLE("\x1b[38:2::1:2:3mX"), ST_RGB(1, 2, 3), -1, 0);
	expect_style(STYLE("\x1b[38:2:0:1:2:3mX"), ST_RGB(1, 2, 3), -1, 0);
	expect_style(STYLE("\x1b[38:2:1:2:3mX"), ST_RGB(1, 2, 3), -1, 0);
	expect_style(STYLE("\x1b[48:5:7;1mX"), -1, 7, ST_BOLD);
	/* malformed: out of range or missing values leave the colour alone */
	expect_style(STYLE("\x1b[32m\x1b[38;5;256mX"), 2, -1, 0);
	expect_style(STYLE("\x1b[32m\x1b[38;2;1;2mX"), 2, -1, 0);
	expect_style(STYLE("\x1b[32m\x1b[38;2;1;2;300mX"), 2, -1, 0);
	expect_style(STYLE("\x1b[32m\x1b[38mX"), 2, -1, 0);
	expect_style(STYLE("\x1b[32m\x1b[38;9;1mX"), 2, -1, ST_BOLD);
}

static void test_spans(void **state)
{
	struct spans sp = PARSE("a\x1b[31mb\x1b[1mc\x1b[0md");

	assert_int_equal(sp.n, 4);
	assert_string_equal(sp.text[0], "a");
	expect_style(sp.style[0], -1, -1, 0);
	assert_string_equal(sp.text[1], "b");
	expect_style(sp.style[1], 1, -1, 0);
	assert_string_equal(sp.text[2], "c");
	expect_style(sp.style[2], 1, -1, ST_BOLD);
	assert_string_equal(sp.text[3], "d");
	expect_style(sp.style[3], -1, -1, 0);
	/* style changes with no text between them make no empty span */
	sp = PARSE("\x1b[31m\x1b[32m\x1b[33mY\x1b[0m");
	assert_int_equal(sp.n, 1);
	expect_style(sp.style[0], 3, -1, 0);
}

static void test_style_carried_across_calls(void **state)
{
	struct st_style st;
	struct spans sp = {0};

	st_style_reset(&st);
	st_parse("\x1b[1;35mA", strlen("\x1b[1;35mA"), &st, collect, &sp);
	expect_style(st, 5, -1, ST_BOLD);
	st_parse("B\x1b[22m", strlen("B\x1b[22m"), &st, collect, &sp);
	expect_style(st, 5, -1, 0);
	assert_int_equal(sp.n, 1);
	assert_string_equal(sp.text[0], "AB");
	expect_style(sp.style[0], 5, -1, ST_BOLD);
	/* st_parse drops a sequence cut at the end of its input */
	sp.n = 0;
	st_style_reset(&st);
	st_parse("\x1b[3", 3, &st, collect, &sp);
	st_parse("1mX", 3, &st, collect, &sp);
	assert_int_equal(sp.n, 1);
	assert_string_equal(sp.text[0], "1mX");
	expect_style(sp.style[0], -1, -1, 0);
}

static void test_stream_split(void **state)
{
	struct st_parser p;
	struct spans sp = {0};

	/* an SGR split across chunks */
	st_parser_init(&p, 0, collect, &sp);
	st_parser_feed(&p, "ab\x1b[3", 5);
	st_parser_feed(&p, "8;5;20", 6);
	st_parser_feed(&p, "2mred", 5);
	st_parser_finish(&p);
	assert_int_equal(sp.n, 2);
	assert_string_equal(sp.text[0], "ab");
	expect_style(sp.style[0], -1, -1, 0);
	assert_string_equal(sp.text[1], "red");
	expect_style(sp.style[1], 202, -1, 0);
	expect_style(p.style, 202, -1, 0);

	/* an OSC, ST and a UTF-8 character split across chunks, one byte at a time */
	{
		static const char in[] = "\x1b]0;pwned\x1b\\\xe2\x82\xac\xf0\x9f\x98\x80!";
		size_t i;

		memset(&sp, 0, sizeof sp);
		st_parser_init(&p, 0, collect, &sp);
		for (i = 0; i < sizeof in - 1; i++)
			st_parser_feed(&p, in + i, 1);
		st_parser_finish(&p);
		assert_int_equal(sp.n, 1);
		assert_string_equal(sp.text[0], "\xe2\x82\xac\xf0\x9f\x98\x80!");
	}

	/* finish: a truncated character becomes U+FFFD, an open sequence is dropped */
	memset(&sp, 0, sizeof sp);
	st_parser_init(&p, 0, collect, &sp);
	st_parser_feed(&p, "x\xe2\x82", 3);
	st_parser_finish(&p);
	st_parser_feed(&p, "y\x1b]0;t", 6);
	st_parser_finish(&p);
	st_parser_feed(&p, "z", 1);
	st_parser_finish(&p);
	assert_int_equal(sp.n, 1);
	assert_string_equal(sp.text[0], "x" FFFD "yz");
}

static void test_mark(void **state)
{
	static const char in[] = "a\342\200\256b\007c\302\233d\re\033[6nf";
	struct st_parser p;
	struct spans sp = {0};
	size_t n;
	char *out;

	st_parser_init(&p, ST_MARK, collect, &sp);
	st_parser_feed(&p, in, sizeof in - 1);
	st_parser_finish(&p);
	/* \r is still dropped silently, sequences still vanish */
	assert_int_equal(sp.n, 7);
	assert_string_equal(sp.text[0], "a");
	assert_string_equal(sp.text[1], "<U+202E>");
	assert_int_equal(sp.style[1].attrs, ST_MARKER);
	assert_string_equal(sp.text[2], "b");
	assert_string_equal(sp.text[3], "^G");
	assert_int_equal(sp.style[3].attrs, ST_MARKER);
	assert_string_equal(sp.text[4], "c");
	assert_string_equal(sp.text[5], "<U+009B>");
	assert_string_equal(sp.text[6], "def");
	assert_int_equal(sp.style[6].attrs, 0);

	out = st_filter("\x1b[1m\x7fZ\x00", 7, ST_MARK, &n);
	assert_non_null(out);
	assert_string_equal(out, "^?Z^@");
	assert_true(is_safe(out, n, 0));
	free(out);
	/* with SGR, a placeholder is drawn in inverse video */
	out = st_filter("a\001b", 3, ST_MARK | ST_EMIT_SGR, &n);
	assert_non_null(out);
	assert_string_equal(out, "a\x1b[0;7m^A\x1b[0mb");
	free(out);
}

/* ---- normalised SGR output ---- */

static void test_st_sgr(void **state)
{
	assert_string_equal(SGR("plain"), "plain");
	assert_string_equal(SGR("\x1b[31mred\x1b[0m plain"), "\x1b[0;31mred\x1b[0m plain");
	/* ends in the default style even if the input does not */
	assert_string_equal(SGR("\x1b[1m\x1b[1mX"), "\x1b[0;1mX\x1b[0m");
	assert_string_equal(SGR("\x1b[38;2;1;2;3mX"), "\x1b[0;38;2;1;2;3mX\x1b[0m");
	assert_string_equal(SGR("\x1b[38:5:100;48;5;3mX"), "\x1b[0;38;5;100;43mX\x1b[0m");
	assert_string_equal(SGR("\x1b[1;4;94;101mX\x1b[22mY"),
	                    "\x1b[0;1;4;94;101mX\x1b[0;4;94;101mY\x1b[0m");
	/* style changes without text write nothing */
	assert_string_equal(SGR("\x1b[31m\x1b[0m"), "");
	assert_string_equal(SGR("a\x1b[31m\x1b[39mb"), "ab");
	/* input sequences are never copied: unusual spellings come out normalised */
	assert_string_equal(SGR("\x1b[00031mX\x1b[39;49;0m"), "\x1b[0;31mX\x1b[0m");
	/* and non-SGR sequences vanish */
	assert_string_equal(SGR("\x1b[?1049h\x1b[31;1mX\x1b]0;t\x07\x1b[6n"),
	                    "\x1b[0;1;31mX\x1b[0m");
}

static void test_st_style_sgr(void **state)
{
	struct st_style st = {1, 200, ST_BOLD | ST_UNDERLINE};
	char buf[ST_SGR_MAX];

	assert_int_equal(st_style_sgr(&st, buf), strlen("\x1b[0;1;4;31;48;5;200m"));
	assert_string_equal(buf, "\x1b[0;1;4;31;48;5;200m");
	st = (struct st_style){12, 9, 0};
	st_style_sgr(&st, buf);
	assert_string_equal(buf, "\x1b[0;94;101m");
	st =
	    (struct st_style){ST_RGB(255, 255, 255), ST_RGB(255, 255, 255),
	                      ST_BOLD | ST_DIM | ST_ITALIC | ST_UNDERLINE | ST_INVERSE | ST_STRIKE};
	assert_true(st_style_sgr(&st, buf) < ST_SGR_MAX);
	assert_string_equal(buf, "\x1b[0;1;2;3;4;7;9;38;2;255;255;255;48;2;255;255;255m");
	st_style_reset(&st);
	st_style_sgr(&st, buf);
	assert_string_equal(buf, "\x1b[0m");
}

/* The whole hostile corpus through every output, checked by is_safe(). */
static void test_corpus_is_safe(void **state)
{
	static const char *const corpus[] = {
	    "\x1b]0;pwned\x07",
	    "\x1b]52;c;ZWNobyBoaQ==\x07",
	    "\x1b]8;;http://e\x1b\\t\x1b]8;;\x1b\\",
	    "\x1bP$q m\x1b\\",
	    "\x1b[2J\x1b[H\x1b[10A",
	    "\x1b[6n",
	    "\302\2336n\302\2350;t\302\234",
	    "\2336n\235",
	    "\xe2\x80\xae\xe2\x81\xa6\xe2\x81\xa9",
	    "\x80\xe2\x82\xc0\xaf\xed\xa0\x80\xff\xf4\x90\x80\x80",
	    "\x1b[31\x1b]0;\x1b[1m\x1b",
	    "\x05\x07\x0e\x0f\x7f\r\b\x1a\x18",
	    "\x1b[38;2;1;2;3;48;5;9;1;4;7m",
	    "\x1b\x1b\x1b[[[m\x1b]]]\x07",
	};
	size_t i, n;
	unsigned f;

	for (i = 0; i < sizeof corpus / sizeof corpus[0]; i++) {
		char in[128];
		size_t len = strlen(corpus[i]);

		/* text around, a NUL inside */
		memcpy(in, "A", 1);
		memcpy(in + 1, corpus[i], len);
		in[1 + len] = '\0';
		memcpy(in + 2 + len, "Z", 1);
		for (f = 0; f < 4; f++) {
			char *out = st_filter(in, len + 3, f, &n);

			assert_non_null(out);
			assert_true(is_safe(out, n, (f & ST_EMIT_SGR) != 0));
			assert_true(n >= 2 && out[0] == 'A');
			free(out);
		}
	}
}

/* ---- widths ---- */

static void test_width(void **state)
{
	size_t adv, used_b;
	int used;

	assert_int_equal(st_width("abc", 3), 3);
	assert_int_equal(st_width("", 0), 0);
	assert_int_equal(st_width("\xe6\x97\xa5\xe6\x9c\xac", 6), 4); /* 日本 */
	assert_int_equal(st_width("\xf0\x9f\x98\x80", 4), 2);         /* U+1F600 */
	assert_int_equal(st_width("e\xcc\x81", 3), 1);                /* e + combining acute */
	assert_int_equal(st_width(FFFD, 3), 1);
	assert_int_equal(st_width("a\tb", 3), 3); /* \t counts 1: expand tabs first */
	assert_int_equal(st_width("\xc3\xa9t\xc3\xa9", 5), 3);

	assert_int_equal(st_next("\xe6\x97\xa5x", 4, &adv), 2);
	assert_int_equal(adv, 3);
	assert_int_equal(st_next("x", 1, &adv), 1);
	assert_int_equal(adv, 1);
	assert_int_equal(st_next("\xe6\x97", 2, &adv), 1); /* cut: one replacement, 2 bytes */
	assert_int_equal(adv, 2);
	assert_int_equal(st_next("\377a", 2, &adv), 1);
	assert_int_equal(adv, 1);

	/* 日本語 in 5 columns: two characters fit */
	used_b = st_fit("\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e", 9, 5, &used);
	assert_int_equal(used_b, 6);
	assert_int_equal(used, 4);
	/* a combining mark stays with its base */
	used_b = st_fit("abe\xcc\x81z", 6, 3, &used);
	assert_int_equal(used_b, 5);
	assert_int_equal(used, 3);
	assert_int_equal(st_fit("abc", 3, 0, NULL), 0);
	assert_int_equal(st_fit("abc", 3, 10, &used), 3);
	assert_int_equal(used, 3);
}

/* ---- colours ---- */

static void test_colours(void **state)
{
	assert_int_equal(st_rgb_to_256(ST_RGB(255, 0, 0)), 196);
	assert_int_equal(st_rgb_to_256(ST_RGB(0, 0, 0)), 16);
	assert_int_equal(st_rgb_to_256(ST_RGB(255, 255, 255)), 231);
	assert_int_equal(st_rgb_to_256(ST_RGB(95, 135, 175)), 16 + 36 * 1 + 6 * 2 + 3);
	assert_int_equal(st_rgb_to_256(ST_RGB(100, 140, 170)), 16 + 36 * 1 + 6 * 2 + 3);
	assert_int_equal(st_rgb_to_256(ST_RGB(128, 128, 128)), 232 + 12); /* grey 128 */
	assert_int_equal(st_rgb_to_256(ST_RGB(18, 18, 18)), 233);
	assert_int_equal(st_rgb_to_256(ST_RGB(238, 238, 238)), 255);
	assert_int_equal(st_rgb_to_256(5), 5);
	assert_int_equal(st_rgb_to_256(ST_DEFAULT), ST_DEFAULT);

	assert_int_equal(st_color_rgb(196), 0xff0000);
	assert_int_equal(st_color_rgb(16), 0x000000);
	assert_int_equal(st_color_rgb(67), 0x5f87af);
	assert_int_equal(st_color_rgb(232), 0x080808);
	assert_int_equal(st_color_rgb(255), 0xeeeeee);
	assert_int_equal(st_color_rgb(1), 0xcd0000);
	assert_int_equal(st_color_rgb(ST_RGB(1, 2, 3)), 0x010203);
	assert_int_equal(st_color_rgb(ST_DEFAULT), -1);

	assert_int_equal(st_256_to_16(3), 3);
	assert_int_equal(st_256_to_16(13), 13);
	assert_int_equal(st_256_to_16(196), 9); /* ff0000: bright red */
	assert_int_equal(st_256_to_16(52), 1);  /* 5f0000: red, not black */
	assert_int_equal(st_256_to_16(21), 12); /* 0000ff: bright blue */
	assert_int_equal(st_256_to_16(22), 2);  /* 005f00: green */
	assert_int_equal(st_256_to_16(16), 0);
	assert_int_equal(st_256_to_16(231), 15);
	assert_int_equal(st_256_to_16(244), 8); /* grey 128 */
	assert_int_equal(st_256_to_16(250), 7); /* grey 188 */
	assert_int_equal(st_256_to_16(ST_RGB(0, 128, 0)), 2);
	assert_int_equal(st_256_to_16(ST_RGB(255, 255, 0)), 11);
	assert_int_equal(st_256_to_16(ST_DEFAULT), ST_DEFAULT);

	assert_int_equal(st_256_to_8(5), 5);
	assert_int_equal(st_256_to_8(9), 1);
	assert_int_equal(st_256_to_8(14), 6);
	assert_int_equal(st_256_to_8(15), 7);
	assert_int_equal(st_256_to_8(196), 1);
	assert_int_equal(st_256_to_8(21), 4);
	assert_int_equal(st_256_to_8(16), 0);
	assert_int_equal(st_256_to_8(231), 7);
	assert_int_equal(st_256_to_8(ST_RGB(200, 0, 200)), 5);
	assert_int_equal(st_256_to_8(ST_DEFAULT), ST_DEFAULT);
}

static int teardown(void **state)
{
	free(last);
	last = NULL;
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_teardown(test_osc_title, teardown),
	    cmocka_unit_test_teardown(test_osc52_clipboard, teardown),
	    cmocka_unit_test_teardown(test_osc8_hyperlink, teardown),
	    cmocka_unit_test_teardown(test_dcs_and_strings, teardown),
	    cmocka_unit_test_teardown(test_csi_cursor_and_modes, teardown),
	    cmocka_unit_test_teardown(test_csi_queries, teardown),
	    cmocka_unit_test_teardown(test_esc_two_byte, teardown),
	    cmocka_unit_test_teardown(test_8bit_csi_and_c1, teardown),
	    cmocka_unit_test_teardown(test_c0_del_nul, teardown),
	    cmocka_unit_test_teardown(test_bidi, teardown),
	    cmocka_unit_test_teardown(test_invalid_utf8, teardown),
	    cmocka_unit_test_teardown(test_unterminated_at_end, teardown),
	    cmocka_unit_test_teardown(test_long_string_is_capped, teardown),
	    cmocka_unit_test_teardown(test_cancel_and_malformed, teardown),
	    cmocka_unit_test_teardown(test_sgr_basic, teardown),
	    cmocka_unit_test_teardown(test_sgr_resets, teardown),
	    cmocka_unit_test_teardown(test_sgr_256_and_truecolour, teardown),
	    cmocka_unit_test_teardown(test_spans, teardown),
	    cmocka_unit_test_teardown(test_style_carried_across_calls, teardown),
	    cmocka_unit_test_teardown(test_stream_split, teardown),
	    cmocka_unit_test_teardown(test_mark, teardown),
	    cmocka_unit_test_teardown(test_st_sgr, teardown),
	    cmocka_unit_test_teardown(test_st_style_sgr, teardown),
	    cmocka_unit_test_teardown(test_corpus_is_safe, teardown),
	    cmocka_unit_test_teardown(test_width, teardown),
	    cmocka_unit_test_teardown(test_colours, teardown),
	};

	/* widths need a UTF-8 locale; the library never sets one itself */
	if (!setlocale(LC_CTYPE, "C.UTF-8"))
		setlocale(LC_CTYPE, "en_US.UTF-8");
	return cmocka_run_group_tests_name("safetext", tests, NULL, NULL);
}
