// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * Themes (see theme.h and docs/themes.md): the role table, the line parser with errors that
 * name file and line, inheritance, look-up of theme files, colour depth detection and
 * degradation. The shipped themes are compiled in below as text, byte for byte the files in
 * themes/ (a unit test checks that they stay equal), so the built-ins go through the same
 * parser as user files.
 */
#include "tui/theme.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#ifndef BOBBIN_PREFIX
#define BOBBIN_PREFIX "/usr/local"
#endif

#define THEME_FILE_MAX (1u << 20)
#define LINE_MAX_LEN 1024

static const struct {
	const char *name;
	int parent;
} roles[THEME_NROLES] = {
#define THEME_ROW_(id, name, parent) [THEME_##id] = {name, THEME_##parent},
    THEME_ROLES(THEME_ROW_)
#undef THEME_ROW_
};

const char *theme_role_name(int role)
{
	return role >= 0 && role < THEME_NROLES ? roles[role].name : NULL;
}

int theme_role_find(const char *name)
{
	int i;

	for (i = 0; i < THEME_NROLES; i++)
		if (!strcmp(roles[i].name, name))
			return i;
	return -1;
}

int theme_role_parent(int role)
{
	return role >= 0 && role < THEME_NROLES ? roles[role].parent : THEME_NORMAL;
}

/* ---- parser ---- */

/* A role as written: which parts the file gave. */
struct raw {
	int defined, has_fg, has_bg;
	struct st_style st;
};

static void set_err(struct theme_error *err, const char *src, int line, const char *fmt,
                    const char *arg)
{
	char msg[200];

	if (!err)
		return;
	snprintf(msg, sizeof(msg), fmt, arg);
	err->line = line;
	if (line)
		snprintf(err->text, sizeof(err->text), "%s:%d: %s", src, line, msg);
	else
		snprintf(err->text, sizeof(err->text), "%s: %s", src, msg);
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = (char)(c | 0x20);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Parses a colour word; 0, or -1 if it is not one. */
static int parse_color(const char *s, int *out)
{
	static const char *const names[] = {"black", "red",     "green", "yellow",
	                                    "blue",  "magenta", "cyan",  "white"};
	int i, v;

	if (!strcmp(s, "default")) {
		*out = ST_DEFAULT;
		return 0;
	}
	for (i = 0; i < 8; i++) {
		if (!strcmp(s, names[i])) {
			*out = i;
			return 0;
		}
		if (!strncmp(s, "bright-", 7) && !strcmp(s + 7, names[i])) {
			*out = i + 8;
			return 0;
		}
	}
	if (s[0] == '#') {
		if (strlen(s) != 7)
			return -1;
		for (v = 0, i = 1; i < 7; i++) {
			int h = hexval(s[i]);

			if (h < 0)
				return -1;
			v = v * 16 + h;
		}
		*out = ST_RGB(v >> 16, v >> 8, v);
		return 0;
	}
	if (s[0] >= '0' && s[0] <= '9' && strlen(s) <= 3) {
		for (v = 0, i = 0; s[i]; i++) {
			if (s[i] < '0' || s[i] > '9')
				return -1;
			v = v * 10 + (s[i] - '0');
		}
		if (v > 255)
			return -1;
		*out = v;
		return 0;
	}
	return -1;
}

static unsigned attr_word(const char *s)
{
	static const struct {
		const char *name;
		unsigned attr;
	} attrs[] = {
	    {"bold", ST_BOLD},           {"dim", ST_DIM},         {"italic", ST_ITALIC},
	    {"underline", ST_UNDERLINE}, {"reverse", ST_INVERSE}, {"strike", ST_STRIKE},
	};
	size_t i;

	for (i = 0; i < sizeof(attrs) / sizeof(attrs[0]); i++)
		if (!strcmp(s, attrs[i].name))
			return attrs[i].attr;
	return 0;
}

static char *trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
		*--e = '\0';
	return s;
}

/* One line (NUL-terminated, writable). */
static int parse_line(char *line, struct raw *raw, const char *src, int lineno,
                      struct theme_error *err)
{
	char *eq, *name, *word, *save = NULL;
	struct raw r = {.defined = 1};
	int role;

	line = trim(line);
	if (!*line || *line == '#')
		return 0;
	eq = strchr(line, '=');
	if (!eq) {
		set_err(err, src, lineno, "expected \"role = style\", got \"%.60s\"", line);
		return -1;
	}
	*eq = '\0';
	name = trim(line);
	role = theme_role_find(name);
	if (role < 0) {
		set_err(err, src, lineno, "unknown role \"%.60s\"", name);
		return -1;
	}
	st_style_reset(&r.st);
	for (word = strtok_r(eq + 1, " \t\r", &save); word; word = strtok_r(NULL, " \t\r", &save)) {
		unsigned a;

		if (word[0] == '#' && !strchr(word, '='))
			break; /* a comment after the style */
		if (!strncmp(word, "fg=", 3) || !strncmp(word, "bg=", 3)) {
			int c, fg = word[0] == 'f';

			if (parse_color(word + 3, &c) < 0) {
				set_err(err, src, lineno, "bad colour \"%.60s\"", word + 3);
				return -1;
			}
			if (fg) {
				r.st.fg = c;
				r.has_fg = 1;
			} else {
				r.st.bg = c;
				r.has_bg = 1;
			}
			continue;
		}
		if (!(a = attr_word(word))) {
			set_err(err, src, lineno, "unknown style word \"%.60s\"", word);
			return -1;
		}
		r.st.attrs |= a;
	}
	raw[role] = r;
	return 0;
}

int theme_parse(const char *text, size_t n, const char *src, const char *name, struct theme *out,
                struct theme_error *err)
{
	struct raw raw[THEME_NROLES];
	char line[LINE_MAX_LEN + 2];
	size_t i = 0;
	int lineno = 0, r;

	memset(raw, 0, sizeof(raw));
	memset(out, 0, sizeof(*out));
	snprintf(out->name, sizeof(out->name), "%s", name ? name : "");
	while (i < n) {
		const char *nl = memchr(text + i, '\n', n - i);
		size_t len = nl ? (size_t)(nl - (text + i)) : n - i;

		lineno++;
		if (len > LINE_MAX_LEN) {
			set_err(err, src, lineno, "line longer than %s bytes", "1024");
			return -1;
		}
		if (memchr(text + i, '\0', len)) {
			set_err(err, src, lineno, "%s", "NUL byte");
			return -1;
		}
		memcpy(line, text + i, len);
		line[len] = '\0';
		i += len + 1;
		if (parse_line(line, raw, src, lineno, err) < 0)
			return -1;
	}
	/* resolve: parents come first in the role order */
	for (r = 0; r < THEME_NROLES; r++) {
		const struct st_style *p = &out->style[roles[r].parent];
		struct st_style *s = &out->style[r];

		if (r == THEME_NORMAL) {
			if (raw[r].defined)
				*s = raw[r].st;
			else
				st_style_reset(s);
			continue;
		}
		if (!raw[r].defined) {
			*s = *p;
			continue;
		}
		*s = raw[r].st;
		if (!raw[r].has_fg)
			s->fg = p->fg;
		if (!raw[r].has_bg)
			s->bg = p->bg;
	}
	return 0;
}

int theme_load(const char *path, struct theme *out, struct theme_error *err)
{
	const char *base = strrchr(path, '/');
	char name[64], *buf;
	size_t n, len;
	FILE *f;
	int r;

	base = base ? base + 1 : path;
	len = strlen(base);
	if (len > 6 && !strcmp(base + len - 6, ".theme"))
		len -= 6;
	snprintf(name, sizeof(name), "%.*s", (int)len, base);
	f = fopen(path, "rb");
	if (!f) {
		set_err(err, path, 0, "%s", strerror(errno));
		return -1;
	}
	buf = malloc(THEME_FILE_MAX + 1);
	if (!buf) {
		fclose(f);
		set_err(err, path, 0, "%s", "out of memory");
		return -1;
	}
	n = fread(buf, 1, THEME_FILE_MAX + 1, f);
	if (ferror(f) || n > THEME_FILE_MAX) {
		set_err(err, path, 0, "%s", ferror(f) ? "read error" : "file too large");
		fclose(f);
		free(buf);
		return -1;
	}
	fclose(f);
	r = theme_parse(buf, n, path, name, out, err);
	free(buf);
	return r;
}

/* ---- built-in themes ---- */

/* BEGIN BUILTINS: the files themes/NAME.theme as C strings */
static const char theme_default[] =
    "# bobbin default theme, for terminals with a dark background.\n"
    "# Format: docs/themes.md. Roles not listed inherit from their parent role.\n"
    "\n"
    "normal            = fg=default bg=default\n"
    "border            = fg=240\n"
    "border_focus      = fg=#61afef bold\n"
    "\n"
    "prompt_in         = fg=#98c379\n"
    "prompt_out        = fg=#e06c75\n"
    "prompt_running    = fg=#e5c07b bold\n"
    "prompt_queued     = fg=244\n"
    "\n"
    "code_keyword      = fg=#c678dd bold\n"
    "code_string       = fg=#98c379\n"
    "code_comment      = fg=244 italic\n"
    "code_number       = fg=#d19a66\n"
    "code_decorator    = fg=#e5c07b\n"
    "code_builtin      = fg=#56b6c2\n"
    "code_operator     = fg=#abb2bf\n"
    "\n"
    "markdown_heading  = fg=#61afef bold\n"
    "markdown_emph     = italic\n"
    "markdown_strong   = bold\n"
    "markdown_code     = fg=#98c379\n"
    "markdown_link     = fg=#56b6c2 underline\n"
    "markdown_quote    = fg=246 italic\n"
    "\n"
    "output_text       = fg=default\n"
    "stderr            = fg=#e5c07b\n"
    "error             = fg=#e06c75 bold\n"
    "traceback         = fg=#e06c75\n"
    "placeholder       = fg=242 italic\n"
    "fold_marker       = fg=242\n"
    "\n"
    "status_bar             = fg=252 bg=236\n"
    "status_kernel_idle     = fg=#98c379\n"
    "status_kernel_busy     = fg=#e5c07b bold\n"
    "status_kernel_dead     = fg=white bg=#be5046 bold\n"
    "status_kernel_starting = fg=#61afef\n"
    "status_unsaved         = fg=#e06c75 bold\n"
    "\n"
    "command_line      = fg=default\n"
    "message_error     = fg=#e06c75 bold\n"
    "message_info      = fg=#61afef\n"
    "\n"
    "selection         = bg=#3e4452\n"
    "search_match      = fg=black bg=#e5c07b\n"
    "popup             = fg=252 bg=237\n"
    "popup_selected    = fg=black bg=#61afef\n"
    "\n"
    "late_mark         = fg=#d19a66 bold\n"
    "stray_mark        = fg=#c678dd bold\n"
    "origin_mark       = fg=#56b6c2\n"
    "\n"
    "thread_1          = fg=#61afef\n"
    "thread_2          = fg=#98c379\n"
    "thread_3          = fg=#e5c07b\n"
    "thread_4          = fg=#c678dd\n"
    "thread_5          = fg=#56b6c2\n"
    "thread_6          = fg=#e06c75\n"
    "thread_7          = fg=#d19a66\n"
    "thread_8          = fg=#abb2bf\n"
    "\n"
    "help_key          = fg=#e5c07b bold\n"
    "help_text         = fg=default\n";

static const char theme_light[] =
    "# bobbin light theme, for terminals with a light background.\n"
    "# Format: docs/themes.md. Roles not listed inherit from their parent role.\n"
    "\n"
    "normal            = fg=default bg=default\n"
    "border            = fg=250\n"
    "border_focus      = fg=#4078f2 bold\n"
    "\n"
    "prompt_in         = fg=#50a14f\n"
    "prompt_out        = fg=#e45649\n"
    "prompt_running    = fg=#c18401 bold\n"
    "prompt_queued     = fg=245\n"
    "\n"
    "code_keyword      = fg=#a626a4 bold\n"
    "code_string       = fg=#50a14f\n"
    "code_comment      = fg=245 italic\n"
    "code_number       = fg=#986801\n"
    "code_decorator    = fg=#c18401\n"
    "code_builtin      = fg=#0184bc\n"
    "code_operator     = fg=#383a42\n"
    "\n"
    "markdown_heading  = fg=#4078f2 bold\n"
    "markdown_emph     = italic\n"
    "markdown_strong   = bold\n"
    "markdown_code     = fg=#50a14f\n"
    "markdown_link     = fg=#0184bc underline\n"
    "markdown_quote    = fg=243 italic\n"
    "\n"
    "output_text       = fg=default\n"
    "stderr            = fg=#986801\n"
    "error             = fg=#e45649 bold\n"
    "traceback         = fg=#ca1243\n"
    "placeholder       = fg=246 italic\n"
    "fold_marker       = fg=246\n"
    "\n"
    "status_bar             = fg=235 bg=253\n"
    "status_kernel_idle     = fg=#50a14f\n"
    "status_kernel_busy     = fg=#c18401 bold\n"
    "status_kernel_dead     = fg=white bg=#e45649 bold\n"
    "status_kernel_starting = fg=#4078f2\n"
    "status_unsaved         = fg=#e45649 bold\n"
    "\n"
    "command_line      = fg=default\n"
    "message_error     = fg=#e45649 bold\n"
    "message_info      = fg=#4078f2\n"
    "\n"
    "selection         = bg=#d0d8f0\n"
    "search_match      = fg=black bg=#f5d76e\n"
    "popup             = fg=235 bg=254\n"
    "popup_selected    = fg=white bg=#4078f2\n"
    "\n"
    "late_mark         = fg=#986801 bold\n"
    "stray_mark        = fg=#a626a4 bold\n"
    "origin_mark       = fg=#0184bc\n"
    "\n"
    "thread_1          = fg=#4078f2\n"
    "thread_2          = fg=#50a14f\n"
    "thread_3          = fg=#c18401\n"
    "thread_4          = fg=#a626a4\n"
    "thread_5          = fg=#0184bc\n"
    "thread_6          = fg=#e45649\n"
    "thread_7          = fg=#986801\n"
    "thread_8          = fg=#696c77\n"
    "\n"
    "help_key          = fg=#a626a4 bold\n"
    "help_text         = fg=default\n";

static const char theme_solarized_dark[] =
    "# bobbin solarized-dark theme (Ethan Schoonover's palette), with its own background.\n"
    "# Format: docs/themes.md. Roles not listed inherit from their parent role.\n"
    "# base03 #002b36  base02 #073642  base01 #586e75  base0 #839496  base1 #93a1a1\n"
    "# yellow #b58900  orange #cb4b16  red #dc322f  magenta #d33682  violet #6c71c4\n"
    "# blue #268bd2  cyan #2aa198  green #859900\n"
    "\n"
    "normal            = fg=#839496 bg=#002b36\n"
    "border            = fg=#586e75\n"
    "border_focus      = fg=#268bd2 bold\n"
    "\n"
    "prompt_in         = fg=#859900\n"
    "prompt_out        = fg=#dc322f\n"
    "prompt_running    = fg=#b58900 bold\n"
    "prompt_queued     = fg=#586e75\n"
    "\n"
    "code_keyword      = fg=#859900 bold\n"
    "code_string       = fg=#2aa198\n"
    "code_comment      = fg=#586e75 italic\n"
    "code_number       = fg=#d33682\n"
    "code_decorator    = fg=#cb4b16\n"
    "code_builtin      = fg=#268bd2\n"
    "code_operator     = fg=#93a1a1\n"
    "\n"
    "markdown_heading  = fg=#cb4b16 bold\n"
    "markdown_emph     = italic\n"
    "markdown_strong   = fg=#93a1a1 bold\n"
    "markdown_code     = fg=#2aa198\n"
    "markdown_link     = fg=#268bd2 underline\n"
    "markdown_quote    = fg=#586e75 italic\n"
    "\n"
    "stderr            = fg=#b58900\n"
    "error             = fg=#dc322f bold\n"
    "traceback         = fg=#dc322f\n"
    "placeholder       = fg=#586e75 italic\n"
    "\n"
    "status_bar             = fg=#93a1a1 bg=#073642\n"
    "status_kernel_idle     = fg=#859900\n"
    "status_kernel_busy     = fg=#b58900 bold\n"
    "status_kernel_dead     = fg=#fdf6e3 bg=#dc322f bold\n"
    "status_kernel_starting = fg=#268bd2\n"
    "status_unsaved         = fg=#cb4b16 bold\n"
    "\n"
    "message_error     = fg=#dc322f bold\n"
    "message_info      = fg=#268bd2\n"
    "\n"
    "selection         = bg=#073642\n"
    "search_match      = fg=#002b36 bg=#b58900\n"
    "popup             = fg=#93a1a1 bg=#073642\n"
    "popup_selected    = fg=#fdf6e3 bg=#268bd2\n"
    "\n"
    "late_mark         = fg=#cb4b16 bold\n"
    "stray_mark        = fg=#d33682 bold\n"
    "origin_mark       = fg=#2aa198\n"
    "\n"
    "thread_1          = fg=#268bd2\n"
    "thread_2          = fg=#859900\n"
    "thread_3          = fg=#b58900\n"
    "thread_4          = fg=#d33682\n"
    "thread_5          = fg=#2aa198\n"
    "thread_6          = fg=#cb4b16\n"
    "thread_7          = fg=#6c71c4\n"
    "thread_8          = fg=#93a1a1\n"
    "\n"
    "help_key          = fg=#b58900 bold\n";

static const char theme_high_contrast[] =
    "# bobbin high-contrast theme: bright basic colours on black, bold where it helps reading.\n"
    "# Uses only the 16 basic colours, so it looks the same on every colour terminal.\n"
    "# Format: docs/themes.md. Roles not listed inherit from their parent role.\n"
    "\n"
    "normal            = fg=bright-white bg=black\n"
    "border            = fg=white\n"
    "border_focus      = fg=bright-yellow bold\n"
    "\n"
    "prompt_in         = fg=bright-green bold\n"
    "prompt_out        = fg=bright-red bold\n"
    "prompt_running    = fg=bright-yellow bold\n"
    "prompt_queued     = fg=white\n"
    "\n"
    "code_keyword      = fg=bright-cyan bold\n"
    "code_string       = fg=bright-green\n"
    "code_comment      = fg=bright-yellow\n"
    "code_number       = fg=bright-magenta\n"
    "code_decorator    = fg=bright-yellow bold\n"
    "code_builtin      = fg=bright-cyan\n"
    "code_operator     = fg=bright-white bold\n"
    "\n"
    "markdown_heading  = fg=bright-yellow bold underline\n"
    "markdown_emph     = italic\n"
    "markdown_strong   = bold\n"
    "markdown_code     = fg=bright-green\n"
    "markdown_link     = fg=bright-cyan underline\n"
    "markdown_quote    = fg=white italic\n"
    "\n"
    "stderr            = fg=bright-yellow\n"
    "error             = fg=bright-white bg=red bold\n"
    "traceback         = fg=bright-red\n"
    "placeholder       = fg=white italic\n"
    "\n"
    "status_bar             = fg=black bg=bright-white\n"
    "status_kernel_idle     = fg=black bg=bright-green bold\n"
    "status_kernel_busy     = fg=black bg=bright-yellow bold\n"
    "status_kernel_dead     = fg=bright-white bg=red bold\n"
    "status_kernel_starting = fg=black bg=bright-cyan bold\n"
    "status_unsaved         = fg=bright-white bg=red bold\n"
    "\n"
    "message_error     = fg=bright-red bold\n"
    "message_info      = fg=bright-cyan bold\n"
    "\n"
    "selection         = fg=black bg=bright-cyan\n"
    "search_match      = fg=black bg=bright-yellow\n"
    "popup             = fg=bright-white bg=blue\n"
    "popup_selected    = fg=black bg=bright-yellow bold\n"
    "\n"
    "late_mark         = fg=bright-yellow bold reverse\n"
    "stray_mark        = fg=bright-magenta bold reverse\n"
    "origin_mark       = fg=bright-cyan bold\n"
    "\n"
    "thread_1          = fg=bright-cyan\n"
    "thread_2          = fg=bright-green\n"
    "thread_3          = fg=bright-yellow\n"
    "thread_4          = fg=bright-magenta\n"
    "thread_5          = fg=bright-blue\n"
    "thread_6          = fg=bright-red\n"
    "thread_7          = fg=bright-white bold\n"
    "thread_8          = fg=white underline\n"
    "\n"
    "help_key          = fg=bright-yellow bold\n";

static const char theme_mono[] =
    "# bobbin mono theme: attributes only, no colour (also what NO_COLOR terminals get in "
    "spirit).\n"
    "# Format: docs/themes.md. Roles not listed inherit from their parent role.\n"
    "\n"
    "normal            = fg=default bg=default\n"
    "border            = dim\n"
    "border_focus      = bold\n"
    "\n"
    "prompt_in         = bold\n"
    "prompt_out        = bold\n"
    "prompt_running    = bold reverse\n"
    "prompt_queued     = dim\n"
    "\n"
    "code_keyword      = bold\n"
    "code_string       =\n"
    "code_comment      = dim italic\n"
    "code_decorator    = bold\n"
    "code_builtin      =\n"
    "\n"
    "markdown_heading  = bold underline\n"
    "markdown_emph     = italic\n"
    "markdown_strong   = bold\n"
    "markdown_code     = dim\n"
    "markdown_link     = underline\n"
    "markdown_quote    = italic\n"
    "\n"
    "stderr            = bold\n"
    "error             = bold reverse\n"
    "traceback         = bold\n"
    "placeholder       = dim italic\n"
    "\n"
    "status_bar             = reverse\n"
    "status_kernel_busy     = reverse bold\n"
    "status_kernel_dead     = reverse bold underline\n"
    "status_kernel_starting = reverse dim\n"
    "status_unsaved         = reverse bold\n"
    "\n"
    "message_error     = bold reverse\n"
    "message_info      = bold\n"
    "\n"
    "selection         = reverse\n"
    "search_match      = reverse underline\n"
    "popup             = reverse\n"
    "popup_selected    = bold underline\n"
    "\n"
    "late_mark         = bold underline\n"
    "stray_mark        = bold reverse\n"
    "origin_mark       = underline\n"
    "\n"
    "thread_1          = bold\n"
    "thread_2          = underline\n"
    "thread_3          = italic\n"
    "thread_4          = bold underline\n"
    "thread_5          = bold italic\n"
    "thread_6          = underline italic\n"
    "thread_7          = dim\n"
    "thread_8          = dim underline\n"
    "\n"
    "help_key          = bold\n";
/* END BUILTINS */

static const char *const builtin_names[] = {"default",       "light", "solarized-dark",
                                            "high-contrast", "mono",  NULL};
static const char *const builtin_texts[] = {theme_default, theme_light, theme_solarized_dark,
                                            theme_high_contrast, theme_mono};

const char *const *theme_builtin_names(void)
{
	return builtin_names;
}

const char *theme_builtin_text(const char *name)
{
	int i;

	for (i = 0; builtin_names[i]; i++)
		if (!strcmp(name, builtin_names[i]))
			return builtin_texts[i];
	return NULL;
}

int theme_builtin(const char *name, struct theme *out)
{
	const char *t = theme_builtin_text(name);
	char src[96];

	if (!t)
		return -1;
	snprintf(src, sizeof(src), "(built-in %s)", name);
	return theme_parse(t, strlen(t), src, name, out, NULL);
}

/* ---- look-up ---- */

void theme_dirs_from_env(struct theme_dirs *dirs, char *exe_buf, size_t exe_size)
{
	ssize_t n = -1;
	char *slash;

	dirs->config_home = getenv("XDG_CONFIG_HOME");
	dirs->home = getenv("HOME");
	dirs->prefix = BOBBIN_PREFIX;
	dirs->exe_dir = NULL;
	if (exe_size > 1)
		n = readlink("/proc/self/exe", exe_buf, exe_size - 1);
	if (n > 0 && (size_t)n < exe_size - 1) {
		exe_buf[n] = '\0';
		slash = strrchr(exe_buf, '/');
		if (slash) {
			*slash = '\0';
			dirs->exe_dir = exe_buf;
		}
	}
}

static int nonempty(const char *s)
{
	return s && *s;
}

int theme_find(const char *name, const struct theme_dirs *dirs, char *path, size_t size)
{
	char cand[4][1024];
	int i, n = 0;

	if (!name || !*name || name[0] == '.' || strchr(name, '/'))
		return 0;
	/* the XDG spec ignores a relative $XDG_CONFIG_HOME */
	if (nonempty(dirs->config_home) && dirs->config_home[0] == '/')
		snprintf(cand[n++], sizeof(cand[0]), "%s/bobbin/themes/%s.theme", dirs->config_home,
		         name);
	else if (nonempty(dirs->home))
		snprintf(cand[n++], sizeof(cand[0]), "%s/.config/bobbin/themes/%s.theme",
		         dirs->home, name);
	if (nonempty(dirs->prefix))
		snprintf(cand[n++], sizeof(cand[0]), "%s/share/bobbin/themes/%s.theme",
		         dirs->prefix, name);
	if (nonempty(dirs->exe_dir))
		snprintf(cand[n++], sizeof(cand[0]), "%s/themes/%s.theme", dirs->exe_dir, name);
	for (i = 0; i < n; i++) {
		if (access(cand[i], R_OK) == 0) {
			snprintf(path, size, "%s", cand[i]);
			return 1;
		}
	}
	return 0;
}

int theme_open(const char *name, const struct theme_dirs *dirs, struct theme *out,
               struct theme_error *err)
{
	char path[1024];

	if (!name || !*name)
		name = "default";
	if (strchr(name, '/'))
		return theme_load(name, out, err);
	if (theme_find(name, dirs, path, sizeof(path)))
		return theme_load(path, out, err);
	if (theme_builtin(name, out) == 0)
		return 0;
	set_err(err, "--theme", 0,
	        "no theme \"%.60s\" (try default, light, solarized-dark, "
	        "high-contrast, mono)",
	        name);
	return -1;
}

/* ---- colour depth ---- */

enum theme_depth theme_color_depth(int colors, const char *colorterm, const char *no_color)
{
	if (nonempty(no_color) || colors < 8)
		return THEME_DEPTH_NONE;
	if (colors >= 0x1000000 ||
	    (colorterm && (!strcasecmp(colorterm, "truecolor") || !strcasecmp(colorterm, "24bit"))))
		return THEME_DEPTH_TRUE;
	if (colors >= 256)
		return THEME_DEPTH_256;
	if (colors >= 16)
		return THEME_DEPTH_16;
	return THEME_DEPTH_8;
}

int theme_color_down(int color, enum theme_depth depth)
{
	if (color == ST_DEFAULT)
		return ST_DEFAULT;
	switch (depth) {
	case THEME_DEPTH_TRUE:
		return color;
	case THEME_DEPTH_256:
		return st_rgb_to_256(color);
	case THEME_DEPTH_16:
		return st_256_to_16(color);
	case THEME_DEPTH_8:
		return st_256_to_8(color);
	case THEME_DEPTH_NONE:
		break;
	}
	return ST_DEFAULT;
}

struct st_style theme_get(const struct theme *t, int role, enum theme_depth depth)
{
	struct st_style s;
	int normal_bg = t->style[THEME_NORMAL].bg;

	if (role < 0 || role >= THEME_NROLES)
		role = THEME_NORMAL;
	s = t->style[role];
	s.fg = theme_color_down(s.fg, depth);
	s.bg = theme_color_down(s.bg, depth);
	/* a bar or selection shown by its own background must not vanish when the palette (or
	 * no colour at all) makes that background normal's: it becomes reverse video */
	if (t->style[role].bg != normal_bg && s.bg == theme_color_down(normal_bg, depth))
		s.attrs |= ST_INVERSE;
	/* two colours that differed may meet in a smaller palette: keep the text readable */
	if (s.fg != ST_DEFAULT && s.fg == s.bg && t->style[role].fg != t->style[role].bg)
		s.fg = ST_DEFAULT;
	return s;
}
