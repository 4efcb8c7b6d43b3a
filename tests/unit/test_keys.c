// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * Unit tests for tui/keys: every terminal encoding the decoder knows (UTF-8, C0 controls, CSI
 * and SS3 cursor and function keys with modifiers, CSI u, modifyOtherKeys, Alt as ESC prefix,
 * bracketed paste, SGR and X10 mouse, focus), garbage and terminal replies that must vanish,
 * the lone-ESC timeout, and key names. Each byte string is decoded whole, split at every byte
 * boundary into two feeds, and fed one byte at a time; all three must give the same keys.
 * Keys are compared as a space-separated list of their names.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "tui/keys.h"

#define FFFD "\xef\xbf\xbd"

/* Appends the keys d yields now to out. */
static void drain(struct keys *d, char *out, size_t size)
{
	static const char *const btn[] = {"none", "left",  "middle", "right", "up",
	                                  "down", "wleft", "wright", "other"};
	static const char *const act[] = {"press", "release", "motion"};
	struct key k;
	char name[64];

	while (keys_next(d, &k)) {
		size_t n = strlen(out);

		if (n)
			snprintf(out + n, size - n, " ");
		n = strlen(out);
		if (k.code == K_PASTE) {
			snprintf(out + n, size - n, "Paste[%.*s]", (int)k.len, k.text);
		} else if (k.code == K_MOUSE) {
			snprintf(out + n, size - n, "%s%s%sMouse(%s,%s,%d,%d)",
			         k.mods & M_CTRL ? "C-" : "", k.mods & M_ALT ? "M-" : "",
			         k.mods & M_SHIFT ? "S-" : "", btn[k.mouse.button],
			         act[k.mouse.action], k.mouse.x, k.mouse.y);
		} else {
			keys_name(&k, name, sizeof(name));
			snprintf(out + n, size - n, "%s", name);
		}
	}
}

/* Decodes s[0..n) fed as [0..split) and [split..n), then times out. */
static void decode_split(const char *s, size_t n, size_t split, char *out, size_t size)
{
	struct keys *d = keys_new();

	assert_non_null(d);
	out[0] = '\0';
	keys_feed(d, s, split);
	drain(d, out, size);
	keys_feed(d, s + split, n - split);
	drain(d, out, size);
	keys_timeout(d);
	drain(d, out, size);
	assert_int_equal(keys_pending(d), 0);
	keys_free(d);
}

/* Decodes s[0..n) fed one byte at a time, then times out. */
static void decode_bytewise(const char *s, size_t n, char *out, size_t size)
{
	struct keys *d = keys_new();
	size_t i;

	assert_non_null(d);
	out[0] = '\0';
	for (i = 0; i < n; i++) {
		keys_feed(d, s + i, 1);
		drain(d, out, size);
	}
	keys_timeout(d);
	drain(d, out, size);
	keys_free(d);
}

static void check_n(const char *s, size_t n, const char *want)
{
	char out[4096];
	size_t i;

	for (i = 0; i <= n; i++) {
		decode_split(s, n, i, out, sizeof(out));
		if (strcmp(out, want))
			fail_msg("split at %zu: got \"%s\", want \"%s\"", i, out, want);
	}
	decode_bytewise(s, n, out, sizeof(out));
	if (strcmp(out, want))
		fail_msg("byte by byte: got \"%s\", want \"%s\"", out, want);
}

#define check(lit, want) check_n(lit, sizeof(lit) - 1, want)

static void test_text(void **state)
{
	check("abc", "a b c");
	check("a b", "a Space b");
	check("\xc3\xa9\xe4\xb8\xad\xf0\x9f\x98\x80", "\xc3\xa9 \xe4\xb8\xad \xf0\x9f\x98\x80");
	check("A", "A");
	check("-+", "- +");
}

static void test_invalid_utf8(void **state)
{
	check("\xff", FFFD);
	check("\xc0\xaf"
	      "a",
	      FFFD " " FFFD " a");
	check("\xe4\xb8"
	      "a",
	      FFFD " a");
	check("\xed\xa0\x80", FFFD " " FFFD " " FFFD); /* a surrogate */
	check("\xf0\x9f\x98", FFFD);                   /* truncated at the end: after the timeout */
	check("\xc2\x9b"
	      "x",
	      "x"); /* C1 CSI is not a key */
}

/* A valid start of a character waits for its rest; a start that is already invalid (overlong,
 * surrogate, past U+10FFFF) gives its U+FFFD at once, without waiting for the timeout. */
static void test_utf8_waits_only_for_a_valid_start(void **state)
{
	struct keys *d = keys_new();
	char out[256] = "";

	assert_non_null(d);
	keys_feed(d, "\xe2\x82", 2);
	drain(d, out, sizeof(out));
	assert_string_equal(out, "");
	assert_int_equal(keys_pending(d), 1);
	keys_feed(d, "\xac", 1);
	drain(d, out, sizeof(out));
	assert_string_equal(out, "\xe2\x82\xac");

	out[0] = '\0';
	keys_feed(d, "\xe0\x80\xed\xa0\xf4\x90", 6);
	drain(d, out, sizeof(out));
	assert_string_equal(out, FFFD " " FFFD " " FFFD " " FFFD " " FFFD " " FFFD);
	assert_int_equal(keys_pending(d), 0);
	keys_free(d);
}

static void test_controls(void **state)
{
	check("\x13", "C-s");
	check("\x01\x1a", "C-a C-z");
	check("\r", "Enter");
	check("\n", "C-j");
	check("\t", "Tab");
	check("\x7f", "Backspace");
	check("\x08", "Backspace");
	check("\x00", "C-Space");
	check("\x1c\x1d\x1e\x1f", "C-\\ C-] C-^ C-_");
}

static void test_cursor_keys(void **state)
{
	check("\033[A\033[B\033[C\033[D", "Up Down Right Left");
	check("\033OA\033OB\033OC\033OD", "Up Down Right Left");
	check("\033[H\033[F\033OH\033OF", "Home End Home End");
	check("\033[1;5C", "C-Right");
	check("\033[1;2A", "S-Up");
	check("\033[1;3D", "M-Left");
	check("\033[1;6B", "C-S-Down");
	check("\033[1;8H", "C-M-S-Home");
	check("\033[1;5F", "C-End");
	check("\033O5A", "C-Up");
}

static void test_tilde_keys(void **state)
{
	check("\033[1~\033[7~\033[4~\033[8~", "Home Home End End");
	check("\033[2~\033[3~\033[5~\033[6~", "Insert Delete PgUp PgDn");
	check("\033[3;5~\033[5;2~\033[6;3~", "C-Delete S-PgUp M-PgDn");
	check("\033[11~\033[12~\033[13~\033[14~\033[15~", "F1 F2 F3 F4 F5");
	check("\033[17~\033[18~\033[19~\033[20~\033[21~", "F6 F7 F8 F9 F10");
	check("\033[23~\033[24~\033[15;2~", "F11 F12 S-F5");
	check("\033OP\033OQ\033OR\033OS", "F1 F2 F3 F4");
	check("\033[1;5P\033[1;2Q\033[1;2R\033[1;3S", "C-F1 S-F2 S-F3 M-F4");
	check("\033[[A\033[[E", "F1 F5"); /* Linux console */
	check("\033[Z", "S-Tab");
	check("\033[1;5Z", "C-S-Tab");
}

static void test_csi_u(void **state)
{
	check("\033[13;2u", "S-Enter");
	check("\033[13;5u", "C-Enter");
	check("\033[13;3u", "M-Enter");
	check("\033[13;6u", "C-S-Enter");
	check("\033[13u", "Enter");
	check("\033[115;5u", "C-s");
	check("\033[97;7u", "C-M-a");
	check("\033[27u\033[9;2u\033[127;5u", "Esc S-Tab C-Backspace");
	check("\033[97:65;2u", "A"); /* shifted key given */
	check("\033[97;2u", "A");    /* normal form: Shift on a letter is the capital */
	check("\033[57414u\033[57399u", "Enter 0"); /* keypad */
	check("\033[57441;2u", "");                 /* Shift alone */
	check("\033[97;1:3u", "");                  /* a release event */
	check("\033[?1u", "");                      /* reply to a flags query */
	check("\033[1074;5u", "C-\xd0\xb2");        /* Cyrillic */
}

static void test_modify_other_keys(void **state)
{
	check("\033[27;2;13~", "S-Enter");
	check("\033[27;5;13~", "C-Enter");
	check("\033[27;3;13~", "M-Enter");
	check("\033[27;5;9~", "C-Tab");
	check("\033[27;3;97~", "M-a");
	check("\033[27;6;83~", "C-S-s");
	check("\033[27;5;59~", "C-;");
	check("\033[27;5~", ""); /* no key code */
	/* Ctrl-/ (comment) and Ctrl-Shift-minus (split) stay apart once the terminal reports
	 * modified keys; without that both are the byte 0x1f, C-_ */
	check("\033[27;5;47~\033[47;5u", "C-/ C-/");
	check("\033[27;6;95~\033[45;6u", "C-S-_ C-S--");
}

static void test_alt_prefix(void **state)
{
	check("\033\r", "M-Enter");
	check("\033x", "M-x");
	check("\033X", "M-S-x");
	check("\033\x13", "C-M-s");
	check("\033\x7f", "M-Backspace");
	check("\033\xc3\xa9", "M-\xc3\xa9");
	check("\033\033[A", "M-Up");
	check("\033\033[1;5A", "C-M-Up");
	check("\033-", "M--");
	check("\033\033\033", "M-Esc Esc");
}

/* Feeds each part, then drains; a NULL part stands for a timeout. */
static void run_parts(const char *want, ...)
{
	struct keys *d = keys_new();
	char out[1024] = "";
	const char *p;
	va_list ap;

	va_start(ap, want);
	while ((p = va_arg(ap, const char *)) != (const char *)-1) {
		if (p)
			keys_feed(d, p, strlen(p));
		else
			keys_timeout(d);
		drain(d, out, sizeof(out));
	}
	va_end(ap);
	assert_string_equal(out, want);
	keys_free(d);
}
#define END ((const char *)-1)

static void test_lone_esc(void **state)
{
	struct keys *d = keys_new();
	struct key k;

	keys_feed(d, "\033", 1);
	assert_int_equal(keys_next(d, &k), 0);
	assert_int_equal(keys_pending(d), 1);
	keys_timeout(d);
	assert_int_equal(keys_next(d, &k), 1);
	assert_int_equal(k.code, K_ESC);
	assert_int_equal(k.mods, 0);
	assert_int_equal(keys_next(d, &k), 0);
	assert_int_equal(keys_pending(d), 0);
	keys_free(d);

	/* Esc typed, then Enter after a pause, versus ESC CR in one write */
	run_parts("Esc Enter", "\033", NULL, "\r", END);
	run_parts("M-Enter", "\033", "\r", END);
	run_parts("M-Enter", "\033\r", END);
	run_parts("M-[", "\033[", NULL, END);
	run_parts("M-S-o", "\033O", NULL, END);
	run_parts("M-Esc", "\033\033", NULL, END);
	run_parts("Esc Esc", "\033", NULL, "\033", NULL, END);
	/* a sequence cut at the timeout is dropped, what follows is text */
	run_parts("5 A", "\033[1;", NULL, "5A", END);
	/* a timeout with nothing pending changes nothing */
	run_parts("a Up", NULL, "a", NULL, "\033[A", END);
	/* a timeout only concerns bytes already there */
	run_parts("Up", "\033", "[A", END);
	run_parts("C-Up", "\033[1", ";5A", END);
}

static void test_paste(void **state)
{
	check("\033[200~hello\033[201~", "Paste[hello]");
	check("\033[200~a\r\nb\rc\nd\033[201~", "Paste[a\nb\nc\nd]");
	check("x\033[200~\033[A\x03\t\x7f\033[201~y", "x Paste[[A\t] y");
	check("\033[200~\xff\xe4\xb8\xad\033[201~", "Paste[" FFFD "\xe4\xb8\xad]");
	check("\033[200~\033[201~", "Paste[]");
	check("\033[200~\033[20\033[201~", "Paste[[20]");
	check("\033[201~a", "a"); /* a stray end marker */
	check("\033[200~\033\033[201~", "Paste[]");
	/* unterminated: waits for its end, a timeout does not end it */
	run_parts("", "\033[200~abc", NULL, END);
	run_parts("Paste[abc\ndef] Up", "\033[200~abc", NULL, "\r", "def\033[2", "01~\033[A", END);
}

static void test_paste_in_paste_state(void **state)
{
	struct keys *d = keys_new();
	struct key k;

	keys_feed(d, "\033[200~ab", 8);
	assert_int_equal(keys_next(d, &k), 0);
	assert_int_equal(keys_in_paste(d), 1);
	assert_int_equal(keys_pending(d), 0);
	keys_feed(d, "\033[201~", 6);
	assert_int_equal(keys_next(d, &k), 1);
	assert_int_equal(k.code, K_PASTE);
	assert_int_equal(k.len, 2);
	assert_memory_equal(k.text, "ab", 2);
	assert_int_equal(keys_in_paste(d), 0);
	keys_free(d);
}

static void test_mouse(void **state)
{
	check("\033[<0;10;5M", "Mouse(left,press,9,4)");
	check("\033[<0;10;5m", "Mouse(left,release,9,4)");
	check("\033[<2;1;1M\033[<1;1;1M", "Mouse(right,press,0,0) Mouse(middle,press,0,0)");
	check("\033[<64;3;4M\033[<65;3;4M", "Mouse(up,press,2,3) Mouse(down,press,2,3)");
	check("\033[<32;300;100M", "Mouse(left,motion,299,99)");
	check("\033[<35;5;5M", "Mouse(none,motion,4,4)");
	check("\033[<16;1;1M\033[<4;1;1M", "C-Mouse(left,press,0,0) S-Mouse(left,press,0,0)");
	check("\033[<0;1M", ""); /* too few parameters */
	check("\033[M !!\033[M#!!", "Mouse(left,press,0,0) Mouse(none,release,0,0)"); /* X10 */
	check("\033[M`!!", "Mouse(up,press,0,0)");
}

static void test_focus(void **state)
{
	check("\033[I\033[O", "FocusIn FocusOut");
}

static void test_garbage(void **state)
{
	char big[400];

	check("\033[?1;2ca", "a");              /* device attributes reply */
	check("\033[12;40Rb", "b");             /* cursor position report */
	check("\033[>0;276;0cc", "c");          /* secondary DA */
	check("\033[5Xd", "d");                 /* unknown final byte */
	check("\033[1$ye", "e");                /* intermediate byte */
	check("\033[99~f", "f");                /* unknown tilde key */
	check("\033[1\x01g", "C-a g");          /* control inside: dropped up to it */
	check("\033[1;5\033[A", "Up");          /* ESC inside: a new sequence */
	check("\033Oz\033OM\033Oj", "Enter *"); /* unknown SS3, keypad Enter, keypad * */
	check("\033[\xe4\xb8\xadq", "\xe4\xb8\xad q");

	/* an overlong sequence is swallowed to its end without desynchronising */
	memcpy(big, "\033[", 2);
	memset(big + 2, '1', 300);
	memcpy(big + 302, "Ab", 3);
	check_n(big, 304, "b");
	memset(big + 2, ';', 300);
	check_n(big, 304, "b");
	/* ... following the same grammar: a parameter after an intermediate byte ends it */
	memcpy(big + 302, " 1Ab", 5);
	check_n(big, 306, "1 A b");
	memcpy(big, "\033O", 2);
	memset(big + 2, '5', 300);
	memcpy(big + 302, ";Ab", 4);
	check_n(big, 305, "; A b");
}

/* Terminal replies as control strings (DCS, OSC, APC, SOS, PM), early or late, asked for or
 * not: none of their bytes is a key, and the key after them arrives */
static void test_replies(void **state)
{
	char big[6000];

	check("\033_Gi=31;OK\033\\a", "a"); /* kitty graphics */
	check("\033_Gi=31;ENOENT:no such image\033\\\r", "Enter");
	check("\033P>|XTerm(388)\033\\b", "b");          /* XTVERSION */
	check("\033P1$r0;1m\033\\c", "c");               /* DECRQSS */
	check("\033]11;rgb:ffff/ffff/ffff\007d", "d");   /* colour report, BEL */
	check("\033]11;rgb:0000/0000/0000\033\\e", "e"); /* ... ST */
	/* only what a reply starts with: Alt-P, Alt-] or Alt-_ and a key in one write stay keys */
	check("\033Pa\033]x\033_y", "M-S-p a M-] x M-_ y");
	check("\033_Gi=31;OK\033\\\033[?62;4c\033[A", "Up"); /* then DA1, then a key */
	/* a BEL inside a DCS is data; an ESC that is not ST ends the string (and is read) */
	check("\033P>|x\007y\033\\g", "g");
	check("\033_Gi=1;OK\033[Bh", "Down h");
	/* cut short at the timeout: dropped; alone, ESC P and friends are Alt keys */
	check("\033_Gi=31;O", "");
	check("\033P", "M-S-p");
	check("\033]", "M-]");
	check("\033_", "M-_");
	check("\033\033_Gi=31;OK\033\\i", "i");
	run_parts("j", "\033_Gi=31;", NULL, "j", END);
	run_parts("M-S-p k", "\033P", NULL, "k", END);
	run_parts("l", "\033_Gi=31;O", "K\033", "\\l", END);
	/* Alt-P and a key in one write: both at once, no wait for the timeout */
	run_parts("M-S-p a", "\033Pa", END);
	/* longer than the limit: swallowed to its end all the same */
	memcpy(big, "\033_G", 3);
	memset(big + 3, 'A', 5000);
	memcpy(big + 5003, "\033\\m", 4);
	check_n(big, 5006, "m");
	big[1] = ']';
	big[2] = '1';
	big[5003] = '\007';
	big[5004] = 'n';
	check_n(big, 5005, "n");
	/* one that never ends does not eat the keys after the timeout */
	struct keys *d = keys_new();
	struct key k;

	keys_feed(d, big, 5000);
	assert_int_equal(keys_next(d, &k), 0);
	assert_int_equal(keys_pending(d), 1);
	keys_timeout(d);
	assert_int_equal(keys_next(d, &k), 0);
	assert_int_equal(keys_pending(d), 0);
	keys_feed(d, "o", 1);
	assert_int_equal(keys_next(d, &k), 1);
	assert_int_equal(k.code, 'o');
	keys_free(d);
}

static void test_names(void **state)
{
	static const struct {
		int code;
		unsigned mods;
		const char *name;
	} t[] = {
	    {'s', M_CTRL, "C-s"},
	    {K_ENTER, M_SHIFT, "S-Enter"},
	    {K_ENTER, M_ALT, "M-Enter"},
	    {K_ENTER, M_CTRL | M_ALT | M_SHIFT, "C-M-S-Enter"},
	    {K_UP, 0, "Up"},
	    {'a', 0, "a"},
	    {' ', M_CTRL, "C-Space"},
	    {K_F(12), 0, "F12"},
	    {K_PGDN, M_CTRL, "C-PgDn"},
	    {0xe9, M_ALT, "M-\xc3\xa9"},
	    {'-', M_CTRL, "C--"},
	    {K_BACKSPACE, 0, "Backspace"},
	    {K_ESC, 0, "Esc"},
	    {K_TAB, M_SHIFT, "S-Tab"},
	};
	struct key k, p;
	char buf[64];
	size_t i;
	int c;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		memset(&k, 0, sizeof(k));
		k.code = t[i].code;
		k.mods = t[i].mods;
		keys_name(&k, buf, sizeof(buf));
		assert_string_equal(buf, t[i].name);
		assert_int_equal(keys_parse_name(t[i].name, &p), 0);
		assert_int_equal(p.code, k.code);
		assert_int_equal(p.mods, k.mods);
	}
	/* every special key round-trips with every modifier set */
	for (c = K_ENTER; c < K_LAST; c++) {
		unsigned m;

		for (m = 0; m < 8; m++) {
			memset(&k, 0, sizeof(k));
			k.code = c;
			k.mods = m;
			keys_name(&k, buf, sizeof(buf));
			assert_int_equal(keys_parse_name(buf, &p), 0);
			assert_int_equal(p.code, c);
			assert_int_equal(p.mods, m);
		}
	}
	/* truncation behaves like snprintf */
	memset(&k, 0, sizeof(k));
	k.code = K_ENTER;
	k.mods = M_CTRL;
	assert_int_equal(keys_name(&k, buf, 4), 7);
	assert_string_equal(buf, "C-E");
}

static void test_parse_name(void **state)
{
	struct key k;

	assert_int_equal(keys_parse_name("ctrl+s", &k), 0);
	assert_int_equal(k.code, 's');
	assert_int_equal(k.mods, M_CTRL);
	assert_int_equal(keys_parse_name("Shift-Return", &k), 0);
	assert_int_equal(k.code, K_ENTER);
	assert_int_equal(k.mods, M_SHIFT);
	assert_int_equal(keys_parse_name("alt-enter", &k), 0);
	assert_int_equal(k.mods, M_ALT);
	assert_int_equal(keys_parse_name("Meta-x", &k), 0);
	assert_int_equal(k.code, 'x');
	assert_int_equal(k.mods, M_ALT);
	assert_int_equal(keys_parse_name("M-X", &k), 0); /* normal form */
	assert_int_equal(k.code, 'x');
	assert_int_equal(k.mods, M_ALT | M_SHIFT);
	assert_int_equal(keys_parse_name("S-a", &k), 0);
	assert_int_equal(k.code, 'A');
	assert_int_equal(k.mods, 0);
	assert_int_equal(keys_parse_name("C-S", &k), 0);
	assert_int_equal(k.code, 's');
	assert_int_equal(k.mods, M_CTRL | M_SHIFT);
	assert_int_equal(keys_parse_name("PageDown", &k), 0);
	assert_int_equal(k.code, K_PGDN);
	assert_int_equal(keys_parse_name("escape", &k), 0);
	assert_int_equal(k.code, K_ESC);
	assert_int_equal(keys_parse_name("f7", &k), 0);
	assert_int_equal(k.code, K_F(7));
	assert_int_equal(keys_parse_name("-", &k), 0);
	assert_int_equal(k.code, '-');
	assert_int_equal(keys_parse_name("+", &k), 0);
	assert_int_equal(k.code, '+');
	assert_int_equal(keys_parse_name("\xe4\xb8\xad", &k), 0);
	assert_int_equal(k.code, 0x4e2d);

	assert_int_equal(keys_parse_name("", &k), -1);
	assert_int_equal(keys_parse_name("C-", &k), -1);
	assert_int_equal(keys_parse_name("Foo", &k), -1);
	assert_int_equal(keys_parse_name("X-a", &k), -1);
	assert_int_equal(keys_parse_name("F13", &k), -1);
	assert_int_equal(keys_parse_name("\x01", &k), -1);
	assert_int_equal(keys_parse_name("\xff", &k), -1);
	assert_int_equal(keys_parse_name("ab", &k), -1);
}

/* Decoded keys name themselves in a way that parses back to the same key. */
static void test_decoded_names_parse(void **state)
{
	static const char input[] = "\x13\033[13;2u\033[1;7C\033x\033X\033[27;5;59~\xc3\xa9 \033[Z";
	struct keys *d = keys_new();
	struct key k, p;
	char buf[64];
	int n = 0;

	keys_feed(d, input, sizeof(input) - 1);
	while (keys_next(d, &k)) {
		keys_name(&k, buf, sizeof(buf));
		assert_int_equal(keys_parse_name(buf, &p), 0);
		assert_int_equal(p.code, k.code);
		assert_int_equal(p.mods, k.mods);
		n++;
	}
	assert_int_equal(n, 9);
	keys_free(d);
}

/* A small deterministic generator, so a failure can be replayed. */
static uint32_t rnd_state = 12345;
static uint32_t rnd(void)
{
	rnd_state = rnd_state * 1103515245u + 12345u;
	return (rnd_state >> 8) & 0xffffff;
}

/* Random byte soup rich in escape-sequence pieces decodes the same whole, in random chunks and
 * byte by byte (no timeout in between, so only chunking differs). */
static void test_random_chunking(void **state)
{
	static const char pieces[][8] = {"\033", "[",    "O",    "1",  ";",    "5", "~",    "u",
	                                 "P",    "]",    "_",    "\\", "\007", "<", "M",    "m",
	                                 "A",    "200~", "201~", "27", "\r",   "a", "\xc3", "\xa9",
	                                 "\xff", ":",    " ",    "?",  "$"};
	static char whole[65536], chunked[65536], bytes[65536];
	char in[600];
	int iter;

	for (iter = 0; iter < 3000; iter++) {
		size_t n = 0, i, cut;
		struct keys *d;

		while (n < 500 && (n < 10 || rnd() % 64)) {
			const char *p = pieces[rnd() % (sizeof(pieces) / sizeof(pieces[0]))];

			if (rnd() % 16 == 0) {
				in[n++] = (char)(rnd() & 0xff);
				continue;
			}
			if (rnd() % 40 == 0) { /* sometimes an overlong parameter run */
				for (i = 0; i < 300 && n < 590; i++)
					in[n++] = (char)"1;:"[rnd() % 3];
				continue;
			}
			if (n + strlen(p) >= sizeof(in))
				break;
			memcpy(in + n, p, strlen(p));
			n += strlen(p);
		}

		decode_split(in, n, n, whole, sizeof(whole));

		d = keys_new();
		chunked[0] = '\0';
		for (i = 0; i < n; i = cut) {
			cut = i + 1 + rnd() % 40;
			if (cut > n)
				cut = n;
			keys_feed(d, in + i, cut - i);
			drain(d, chunked, sizeof(chunked));
		}
		keys_timeout(d);
		drain(d, chunked, sizeof(chunked));
		keys_free(d);

		decode_bytewise(in, n, bytes, sizeof(bytes));

		if (strcmp(whole, chunked) || strcmp(whole, bytes))
			fail_msg("iteration %d: whole \"%s\"\nchunked \"%s\"\nbytes \"%s\"", iter,
			         whole, chunked, bytes);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_text),
	    cmocka_unit_test(test_invalid_utf8),
	    cmocka_unit_test(test_utf8_waits_only_for_a_valid_start),
	    cmocka_unit_test(test_controls),
	    cmocka_unit_test(test_cursor_keys),
	    cmocka_unit_test(test_tilde_keys),
	    cmocka_unit_test(test_csi_u),
	    cmocka_unit_test(test_modify_other_keys),
	    cmocka_unit_test(test_alt_prefix),
	    cmocka_unit_test(test_lone_esc),
	    cmocka_unit_test(test_paste),
	    cmocka_unit_test(test_paste_in_paste_state),
	    cmocka_unit_test(test_mouse),
	    cmocka_unit_test(test_focus),
	    cmocka_unit_test(test_garbage),
	    cmocka_unit_test(test_replies),
	    cmocka_unit_test(test_names),
	    cmocka_unit_test(test_parse_name),
	    cmocka_unit_test(test_decoded_names_parse),
	    cmocka_unit_test(test_random_chunking),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
