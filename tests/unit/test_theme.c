// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * Unit tests for tui/theme: the file format (colours, attributes, comments), errors that name
 * file and line, role inheritance, the shipped themes (each parses, the built-in copy equals
 * the file in themes/, every role resolves and the roles that must stand out do so at every
 * colour depth), colour depth detection, degradation, theme look-up order on disk, and a smoke
 * test of the curses colour pairs on a terminal written to /dev/null.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "tui/theme.h"
#include "tui/theme_curses.h"

static int parse(const char *text, struct theme *t, struct theme_error *err)
{
	return theme_parse(text, strlen(text), "themes/x.theme", "x", t, err);
}

static void test_parse_basic(void **state)
{
	struct theme t;
	struct theme_error err;

	assert_int_equal(parse("# a comment\n"
	                       "\n"
	                       "normal = fg=default bg=default\n"
	                       "  prompt_in\t=  fg=green bold   # trailing comment\n"
	                       "prompt_out = fg=bright-red underline italic\n"
	                       "code_number = fg=208 bg=#1a2B3c dim reverse strike\r\n"
	                       "code_string =\n"
	                       "error = fg=#ff0000",
	                       &t, &err),
	                 0);
	assert_string_equal(t.name, "x");
	assert_int_equal(t.style[THEME_NORMAL].fg, ST_DEFAULT);
	assert_int_equal(t.style[THEME_PROMPT_IN].fg, 2);
	assert_int_equal(t.style[THEME_PROMPT_IN].attrs, ST_BOLD);
	assert_int_equal(t.style[THEME_PROMPT_OUT].fg, 9);
	assert_int_equal(t.style[THEME_PROMPT_OUT].attrs, ST_UNDERLINE | ST_ITALIC);
	assert_int_equal(t.style[THEME_CODE_NUMBER].fg, 208);
	assert_int_equal(t.style[THEME_CODE_NUMBER].bg, ST_RGB(0x1a, 0x2b, 0x3c));
	assert_int_equal(t.style[THEME_CODE_NUMBER].attrs, ST_DIM | ST_INVERSE | ST_STRIKE);
	assert_int_equal(t.style[THEME_CODE_STRING].attrs, 0);
	assert_int_equal(t.style[THEME_ERROR].fg, ST_RGB(255, 0, 0));

	/* an empty theme: every role is the terminal's default */
	assert_int_equal(parse("", &t, &err), 0);
	assert_int_equal(t.style[THEME_HELP_TEXT].fg, ST_DEFAULT);
	assert_int_equal(t.style[THEME_THREAD_8].attrs, 0);
}

static void test_colors(void **state)
{
	static const struct {
		const char *word;
		int color;
	} ok[] = {
	    {"black", 0},
	    {"white", 7},
	    {"bright-black", 8},
	    {"bright-white", 15},
	    {"magenta", 5},
	    {"0", 0},
	    {"255", 255},
	    {"default", ST_DEFAULT},
	    {"#000000", ST_RGB(0, 0, 0)},
	    {"#FFffFF", ST_RGB(255, 255, 255)},
	};
	static const char *const bad[] = {"256",      "1000",    "-1",     "#12345",
	                                  "#1234567", "#gg0000", "purple", "bright-",
	                                  "",         "Red",     "0x10",   "12a"};
	struct theme t;
	struct theme_error err;
	char line[64];
	size_t i;

	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		snprintf(line, sizeof(line), "border = fg=%s bg=%s", ok[i].word, ok[i].word);
		assert_int_equal(parse(line, &t, &err), 0);
		assert_int_equal(t.style[THEME_BORDER].fg, ok[i].color);
		assert_int_equal(t.style[THEME_BORDER].bg, ok[i].color);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char want[128];

		snprintf(line, sizeof(line), "border = fg=%s", bad[i]);
		assert_int_equal(parse(line, &t, &err), -1);
		snprintf(want, sizeof(want), "themes/x.theme:1: bad colour \"%s\"", bad[i]);
		assert_string_equal(err.text, want);
		assert_int_equal(err.line, 1);
	}
}

static void test_errors(void **state)
{
	struct theme t;
	struct theme_error err;

	assert_int_equal(parse("# x\n\nnormal = bold\n\n\n# y\nfo = bold\n", &t, &err), -1);
	assert_string_equal(err.text, "themes/x.theme:7: unknown role \"fo\"");
	assert_int_equal(err.line, 7);
	assert_int_equal(parse("normal = bold\nborder bold\n", &t, &err), -1);
	assert_string_equal(err.text,
	                    "themes/x.theme:2: expected \"role = style\", got \"border bold\"");
	assert_int_equal(parse("normal = blink\n", &t, &err), -1);
	assert_string_equal(err.text, "themes/x.theme:1: unknown style word \"blink\"");
	assert_int_equal(parse("normal = fg=red\n = bold\n", &t, &err), -1);
	assert_string_equal(err.text, "themes/x.theme:2: unknown role \"\"");
	assert_int_equal(parse("Normal = bold\n", &t, &err), -1);
	assert_int_equal(parse("normal = fg=red=blue\n", &t, &err), -1);
	assert_string_equal(err.text, "themes/x.theme:1: bad colour \"red=blue\"");
	assert_int_equal(theme_parse("normal = bold\0", 14, "f", "x", &t, &err), -1);
	assert_string_equal(err.text, "f:1: NUL byte");
	/* an error without err is still an error */
	assert_int_equal(parse("nope = bold", &t, NULL), -1);
}

static void test_long_line(void **state)
{
	char *text = malloc(2000);
	struct theme t;
	struct theme_error err;

	memset(text, ' ', 1999);
	text[1999] = '\0';
	memcpy(text, "normal = bold", 13);
	assert_int_equal(parse(text, &t, &err), -1);
	assert_string_equal(err.text, "themes/x.theme:1: line longer than 1024 bytes");
	free(text);
}

static void test_inheritance(void **state)
{
	struct theme t;
	struct theme_error err;

	assert_int_equal(parse("normal = fg=250 bg=#101010\n"
	                       "status_bar = fg=white bg=blue bold\n"
	                       "status_kernel_busy = fg=yellow\n"
	                       "prompt_in = italic\n"
	                       "selection = bg=8\n",
	                       &t, &err),
	                 0);
	/* undefined: the parent's whole style */
	assert_true(st_style_eq(&t.style[THEME_STATUS_KERNEL_IDLE], &t.style[THEME_STATUS_BAR]));
	assert_true(st_style_eq(&t.style[THEME_CODE_KEYWORD], &t.style[THEME_NORMAL]));
	/* defined: missing colours from the parent, attributes only its own */
	assert_int_equal(t.style[THEME_STATUS_KERNEL_BUSY].fg, 3);
	assert_int_equal(t.style[THEME_STATUS_KERNEL_BUSY].bg, 4);
	assert_int_equal(t.style[THEME_STATUS_KERNEL_BUSY].attrs, 0);
	assert_int_equal(t.style[THEME_PROMPT_IN].fg, 250);
	assert_int_equal(t.style[THEME_PROMPT_IN].bg, ST_RGB(0x10, 0x10, 0x10));
	assert_int_equal(t.style[THEME_PROMPT_IN].attrs, ST_ITALIC);
	/* grandchildren inherit through the chain */
	assert_true(st_style_eq(&t.style[THEME_PROMPT_RUNNING], &t.style[THEME_PROMPT_IN]));
	assert_int_equal(t.style[THEME_SELECTION].fg, 250);
	assert_int_equal(t.style[THEME_SELECTION].bg, 8);
	/* a later line for the same role replaces the earlier one */
	assert_int_equal(parse("border = bold\nborder = dim\n", &t, &err), 0);
	assert_int_equal(t.style[THEME_BORDER].attrs, ST_DIM);
}

static void test_roles(void **state)
{
	int r, q;

	assert_string_equal(theme_role_name(THEME_NORMAL), "normal");
	assert_string_equal(theme_role_name(THEME_STATUS_KERNEL_STARTING),
	                    "status_kernel_starting");
	assert_string_equal(theme_role_name(THEME_THREAD_8), "thread_8");
	assert_null(theme_role_name(THEME_NROLES));
	assert_null(theme_role_name(-1));
	assert_int_equal(theme_role_find("help_key"), THEME_HELP_KEY);
	assert_int_equal(theme_role_find("help"), -1);
	assert_int_equal(THEME_THREAD(1), THEME_THREAD_1);
	assert_int_equal(THEME_THREAD(8), THEME_THREAD_8);
	assert_int_equal(THEME_THREAD(9), THEME_THREAD_1);
	assert_int_equal(theme_role_parent(THEME_NORMAL), THEME_NORMAL);
	assert_int_equal(theme_role_parent(THEME_POPUP_SELECTED), THEME_POPUP);
	for (r = 0; r < THEME_NROLES; r++) {
		assert_int_equal(theme_role_find(theme_role_name(r)), r);
		if (r)
			assert_true(theme_role_parent(r) < r); /* resolution order */
		for (q = 0; q < r; q++)
			assert_string_not_equal(theme_role_name(q), theme_role_name(r));
	}
}

/* Roles that must look different from normal text in every theme and at every depth. */
static const int must_stand_out[] = {THEME_SELECTION,      THEME_STATUS_BAR, THEME_POPUP_SELECTED,
                                     THEME_SEARCH_MATCH,   THEME_ERROR,      THEME_BORDER_FOCUS,
                                     THEME_MESSAGE_ERROR,  THEME_LATE_MARK,  THEME_STRAY_MARK,
                                     THEME_PROMPT_RUNNING, THEME_HELP_KEY};

static void test_builtins(void **state)
{
	const char *const *names = theme_builtin_names();
	int i, n = 0;

	for (i = 0; names[i]; i++) {
		const char *text = theme_builtin_text(names[i]);
		char path[128], *file;
		struct theme t, tf;
		struct theme_error err;
		enum theme_depth d;
		FILE *f;
		long len;
		size_t k;

		assert_non_null(text);
		assert_int_equal(theme_builtin(names[i], &t), 0);
		assert_string_equal(t.name, names[i]);

		/* the shipped file is the same text (tests run from the top of the repo) */
		snprintf(path, sizeof(path), "themes/%s.theme", names[i]);
		f = fopen(path, "rb");
		if (!f)
			fail_msg("cannot open %s", path);
		fseek(f, 0, SEEK_END);
		len = ftell(f);
		rewind(f);
		file = malloc((size_t)len + 1);
		assert_int_equal(fread(file, 1, (size_t)len, f), (size_t)len);
		file[len] = '\0';
		fclose(f);
		if (strcmp(file, text))
			fail_msg("%s differs from the built-in copy in tui/theme.c", path);
		free(file);
		if (theme_load(path, &tf, &err))
			fail_msg("%s", err.text);
		assert_memory_equal(&t, &tf, sizeof(t));

		/* the roles that must stand out do so, in colour and without */
		for (d = THEME_DEPTH_NONE; d <= THEME_DEPTH_TRUE; d++) {
			struct st_style normal = theme_get(&t, THEME_NORMAL, d);

			for (k = 0; k < sizeof(must_stand_out) / sizeof(must_stand_out[0]); k++) {
				struct st_style s = theme_get(&t, must_stand_out[k], d);

				if (st_style_eq(&s, &normal))
					fail_msg("theme %s depth %d: %s looks like normal",
					         names[i], (int)d,
					         theme_role_name(must_stand_out[k]));
			}
		}
		n++;
	}
	assert_int_equal(n, 5);
	assert_null(theme_builtin_text("nope"));
	{
		struct theme t;

		assert_int_equal(theme_builtin("nope", &t), -1);
	}
}

static void test_color_depth(void **state)
{
	assert_int_equal(theme_color_depth(256, NULL, NULL), THEME_DEPTH_256);
	assert_int_equal(theme_color_depth(256, "truecolor", NULL), THEME_DEPTH_TRUE);
	assert_int_equal(theme_color_depth(8, "24bit", NULL), THEME_DEPTH_TRUE);
	assert_int_equal(theme_color_depth(256, "yes", NULL), THEME_DEPTH_256);
	assert_int_equal(theme_color_depth(0x1000000, NULL, NULL), THEME_DEPTH_TRUE);
	assert_int_equal(theme_color_depth(88, NULL, NULL), THEME_DEPTH_16);
	assert_int_equal(theme_color_depth(16, "", ""), THEME_DEPTH_16);
	assert_int_equal(theme_color_depth(8, NULL, NULL), THEME_DEPTH_8);
	assert_int_equal(theme_color_depth(2, NULL, NULL), THEME_DEPTH_NONE);
	assert_int_equal(theme_color_depth(-1, "truecolor", NULL), THEME_DEPTH_NONE);
	assert_int_equal(theme_color_depth(0, NULL, NULL), THEME_DEPTH_NONE);
	/* NO_COLOR counts only when non-empty */
	assert_int_equal(theme_color_depth(256, "truecolor", "1"), THEME_DEPTH_NONE);
	assert_int_equal(theme_color_depth(256, NULL, ""), THEME_DEPTH_256);
}

static void test_degrade(void **state)
{
	struct theme t;
	struct theme_error err;
	struct st_style s;
	int c = ST_RGB(0xd7, 0x5f, 0x00);

	assert_int_equal(theme_color_down(c, THEME_DEPTH_TRUE), c);
	assert_int_equal(theme_color_down(c, THEME_DEPTH_256), 166);
	assert_int_equal(theme_color_down(c, THEME_DEPTH_16), st_256_to_16(c));
	assert_true(theme_color_down(c, THEME_DEPTH_16) < 16);
	assert_true(theme_color_down(c, THEME_DEPTH_8) < 8);
	assert_int_equal(theme_color_down(c, THEME_DEPTH_NONE), ST_DEFAULT);
	assert_int_equal(theme_color_down(ST_DEFAULT, THEME_DEPTH_8), ST_DEFAULT);
	assert_int_equal(theme_color_down(200, THEME_DEPTH_256), 200);
	assert_int_equal(theme_color_down(12, THEME_DEPTH_16), 12);
	assert_int_equal(theme_color_down(12, THEME_DEPTH_8), st_256_to_8(12));

	assert_int_equal(parse("normal = fg=#eeeeee bg=#1c1c1c\n"
	                       "status_bar = fg=black bg=#5f87d7 bold\n"
	                       "code_keyword = fg=#af5fff italic\n"
	                       "error = fg=#000001 bg=black\n"
	                       "search_match = bg=#1c1c1c underline\n",
	                       &t, &err),
	                 0);
	/* truecolour keeps everything */
	s = theme_get(&t, THEME_STATUS_BAR, THEME_DEPTH_TRUE);
	assert_int_equal(s.bg, ST_RGB(0x5f, 0x87, 0xd7));
	/* 256: the cube */
	s = theme_get(&t, THEME_STATUS_BAR, THEME_DEPTH_256);
	assert_int_equal(s.bg, 68);
	assert_int_equal(s.fg, 0);
	assert_int_equal(s.attrs, ST_BOLD);
	s = theme_get(&t, THEME_CODE_KEYWORD, THEME_DEPTH_16);
	assert_true(s.fg >= 0 && s.fg < 16);
	assert_int_equal(s.attrs, ST_ITALIC);
	s = theme_get(&t, THEME_CODE_KEYWORD, THEME_DEPTH_8);
	assert_true(s.fg >= 0 && s.fg < 8);
	/* no colour: attributes stay, a bar with its own background turns reverse */
	s = theme_get(&t, THEME_STATUS_BAR, THEME_DEPTH_NONE);
	assert_int_equal(s.fg, ST_DEFAULT);
	assert_int_equal(s.bg, ST_DEFAULT);
	assert_int_equal(s.attrs, ST_BOLD | ST_INVERSE);
	s = theme_get(&t, THEME_NORMAL, THEME_DEPTH_NONE);
	assert_int_equal(s.attrs, 0);
	s = theme_get(&t, THEME_SEARCH_MATCH, THEME_DEPTH_NONE); /* same background as normal */
	assert_int_equal(s.attrs, ST_UNDERLINE);
	s = theme_get(&t, THEME_CODE_KEYWORD, THEME_DEPTH_NONE);
	assert_int_equal(s.attrs, ST_ITALIC);
	/* colours that meet in a small palette: the text falls back to the default colour */
	s = theme_get(&t, THEME_ERROR, THEME_DEPTH_TRUE);
	assert_int_equal(s.fg, ST_RGB(0, 0, 1));
	s = theme_get(&t, THEME_ERROR, THEME_DEPTH_16);
	assert_int_equal(s.bg, 0);
	assert_int_equal(s.fg, ST_DEFAULT);
	/* out-of-range roles read as normal */
	s = theme_get(&t, THEME_NROLES, THEME_DEPTH_TRUE);
	assert_true(st_style_eq(&s, &t.style[THEME_NORMAL]));
}

/* ---- files ---- */

static char tmp[256];

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void mkdirs(const char *path)
{
	char buf[512], *p;

	snprintf(buf, sizeof(buf), "%s", path);
	for (p = buf + 1; *p; p++) {
		if (*p == '/') {
			*p = '\0';
			mkdir(buf, 0700);
			*p = '/';
		}
	}
	mkdir(buf, 0700);
}

static int setup_tmp(void **state)
{
	snprintf(tmp, sizeof(tmp), "/tmp/bobbin-theme-XXXXXX");
	return mkdtemp(tmp) ? 0 : -1;
}

static int teardown_tmp(void **state)
{
	char cmd[300];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmp);
	return system(cmd) == 0 ? 0 : -1;
}

static void test_load(void **state)
{
	char path[512], want[600];
	struct theme t;
	struct theme_error err;

	snprintf(path, sizeof(path), "%s/mine.theme", tmp);
	write_file(path, "normal = bold\nborder = fg=blue\n");
	assert_int_equal(theme_load(path, &t, &err), 0);
	assert_string_equal(t.name, "mine");
	assert_int_equal(t.style[THEME_BORDER].fg, 4);

	write_file(path, "normal = bold\n\nborder = fg=bleu\n");
	assert_int_equal(theme_load(path, &t, &err), -1);
	snprintf(want, sizeof(want), "%s:3: bad colour \"bleu\"", path);
	assert_string_equal(err.text, want);
	assert_int_equal(err.line, 3);

	snprintf(path, sizeof(path), "%s/missing.theme", tmp);
	assert_int_equal(theme_load(path, &t, &err), -1);
	snprintf(want, sizeof(want), "%s: No such file or directory", path);
	assert_string_equal(err.text, want);
	assert_int_equal(err.line, 0);
}

static void test_find_order(void **state)
{
	char cfg[300], home[300], prefix[300], exe[300], p[600], found[1024];
	struct theme_dirs dirs;
	struct theme t;
	struct theme_error err;

	snprintf(cfg, sizeof(cfg), "%s/cfg", tmp);
	snprintf(home, sizeof(home), "%s/home", tmp);
	snprintf(prefix, sizeof(prefix), "%s/usr", tmp);
	snprintf(exe, sizeof(exe), "%s/bin", tmp);
	snprintf(p, sizeof(p), "%s/bobbin/themes", cfg);
	mkdirs(p);
	snprintf(p, sizeof(p), "%s/.config/bobbin/themes", home);
	mkdirs(p);
	snprintf(p, sizeof(p), "%s/share/bobbin/themes", prefix);
	mkdirs(p);
	snprintf(p, sizeof(p), "%s/themes", exe);
	mkdirs(p);
	dirs = (struct theme_dirs){cfg, home, prefix, exe};

	snprintf(p, sizeof(p), "%s/themes/t.theme", exe);
	write_file(p, "normal = fg=4\n");
	snprintf(p, sizeof(p), "%s/share/bobbin/themes/t.theme", prefix);
	write_file(p, "normal = fg=3\n");
	snprintf(p, sizeof(p), "%s/bobbin/themes/t.theme", cfg);
	write_file(p, "normal = fg=1\n");
	snprintf(p, sizeof(p), "%s/.config/bobbin/themes/t.theme", home);
	write_file(p, "normal = fg=2\n");

	assert_int_equal(theme_find("t", &dirs, found, sizeof(found)), 1);
	snprintf(p, sizeof(p), "%s/bobbin/themes/t.theme", cfg);
	assert_string_equal(found, p);
	assert_int_equal(theme_open("t", &dirs, &t, &err), 0);
	assert_int_equal(t.style[THEME_NORMAL].fg, 1);

	/* $XDG_CONFIG_HOME unset (or relative): ~/.config */
	dirs.config_home = "";
	assert_int_equal(theme_open("t", &dirs, &t, &err), 0);
	assert_int_equal(t.style[THEME_NORMAL].fg, 2);
	dirs.config_home = "relative/dir";
	assert_int_equal(theme_open("t", &dirs, &t, &err), 0);
	assert_int_equal(t.style[THEME_NORMAL].fg, 2);
	dirs.config_home = NULL;
	dirs.home = NULL;
	assert_int_equal(theme_open("t", &dirs, &t, &err), 0);
	assert_int_equal(t.style[THEME_NORMAL].fg, 3);
	dirs.prefix = NULL;
	assert_int_equal(theme_open("t", &dirs, &t, &err), 0);
	assert_int_equal(t.style[THEME_NORMAL].fg, 4);
	dirs.exe_dir = NULL;
	assert_int_equal(theme_find("t", &dirs, found, sizeof(found)), 0);
	assert_int_equal(theme_open("t", &dirs, &t, &err), -1);
	assert_string_equal(err.text,
	                    "--theme: no theme \"t\" (try default, light, solarized-dark, "
	                    "high-contrast, mono)");

	/* a file overrides the built-in of the same name; with none, the built-in */
	dirs = (struct theme_dirs){cfg, home, prefix, exe};
	assert_int_equal(theme_open("mono", &dirs, &t, &err), 0);
	assert_int_equal(t.style[THEME_SELECTION].attrs, ST_INVERSE);
	snprintf(p, sizeof(p), "%s/bobbin/themes/mono.theme", cfg);
	write_file(p, "selection = bold\n");
	assert_int_equal(theme_open("mono", &dirs, &t, &err), 0);
	assert_int_equal(t.style[THEME_SELECTION].attrs, ST_BOLD);
	/* a broken file is reported, not skipped */
	write_file(p, "selection = shiny\n");
	assert_int_equal(theme_open("mono", &dirs, &t, &err), -1);
	assert_non_null(strstr(err.text, "mono.theme:1: unknown style word \"shiny\""));
	/* NULL or empty means default */
	assert_int_equal(theme_open(NULL, &dirs, &t, &err), 0);
	assert_string_equal(t.name, "default");
	/* a path is loaded as it is; names that look like paths are not searched */
	snprintf(p, sizeof(p), "%s/themes/t.theme", exe);
	assert_int_equal(theme_open(p, &dirs, &t, &err), 0);
	assert_int_equal(t.style[THEME_NORMAL].fg, 4);
	assert_int_equal(theme_find("../t", &dirs, found, sizeof(found)), 0);
	assert_int_equal(theme_find(".t", &dirs, found, sizeof(found)), 0);
	assert_int_equal(theme_find("", &dirs, found, sizeof(found)), 0);
}

static void test_dirs_from_env(void **state)
{
	struct theme_dirs dirs;
	char exe[1024];

	setenv("XDG_CONFIG_HOME", "/x/cfg", 1);
	theme_dirs_from_env(&dirs, exe, sizeof(exe));
	assert_string_equal(dirs.config_home, "/x/cfg");
	assert_non_null(dirs.prefix);
	assert_non_null(dirs.exe_dir);
	assert_non_null(strstr(dirs.exe_dir, "tests"));
}

/* ---- curses ---- */

static void test_curses(void **state)
{
	FILE *out = fopen("/dev/null", "w"), *in = fopen("/dev/null", "r");
	attr_t a[THEME_NROLES], mono[THEME_NROLES];
	struct theme t;
	SCREEN *scr;
	int r;

	assert_non_null(out);
	assert_non_null(in);
	scr = newterm("xterm-256color", out, in);
	if (!scr) {
		fclose(out);
		fclose(in);
		skip();
	}
	start_color();
	assert_int_equal(theme_builtin("default", &t), 0);
	assert_int_equal(theme_apply_curses(&t, THEME_DEPTH_TRUE, a), 0);
	assert_int_equal(PAIR_NUMBER(a[THEME_NORMAL]), 0);
	assert_true(PAIR_NUMBER(a[THEME_SELECTION]) > 0);
	assert_true(PAIR_NUMBER(a[THEME_STATUS_BAR]) > 0);
	assert_true(a[THEME_CODE_KEYWORD] & A_BOLD);
	assert_true(a[THEME_CODE_COMMENT] & A_ITALIC);
	/* roles with the same colours share a pair */
	assert_int_equal(PAIR_NUMBER(a[THEME_PROMPT_IN]), PAIR_NUMBER(a[THEME_CODE_STRING]));
	for (r = 0; r < THEME_NROLES; r++)
		assert_true(PAIR_NUMBER(a[r]) <= THEME_NROLES);

	/* no colour: attributes only */
	assert_int_equal(theme_apply_curses(&t, THEME_DEPTH_NONE, a), 0);
	for (r = 0; r < THEME_NROLES; r++)
		assert_int_equal(PAIR_NUMBER(a[r]), 0);
	assert_true(a[THEME_STATUS_BAR] & A_REVERSE);

	assert_int_equal(theme_builtin("mono", &t), 0);
	assert_int_equal(theme_apply_curses(&t, THEME_DEPTH_256, mono), 0);
	assert_true(mono[THEME_SELECTION] & A_REVERSE);
	assert_int_equal(PAIR_NUMBER(mono[THEME_SELECTION]), 0);

	endwin();
	delscreen(scr);
	fclose(out);
	fclose(in);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_parse_basic),
	    cmocka_unit_test(test_colors),
	    cmocka_unit_test(test_errors),
	    cmocka_unit_test(test_long_line),
	    cmocka_unit_test(test_inheritance),
	    cmocka_unit_test(test_roles),
	    cmocka_unit_test(test_builtins),
	    cmocka_unit_test(test_color_depth),
	    cmocka_unit_test(test_degrade),
	    cmocka_unit_test_setup_teardown(test_load, setup_tmp, teardown_tmp),
	    cmocka_unit_test_setup_teardown(test_find_order, setup_tmp, teardown_tmp),
	    cmocka_unit_test(test_dirs_from_env),
	    cmocka_unit_test(test_curses),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
