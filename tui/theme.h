// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * Themes: the colours and attributes of bobbin's semantic roles (THEME_PROMPT_IN,
 * THEME_STDERR, THEME_THREAD_3...), read from a small text format (docs/themes.md), with the
 * shipped themes built in so bobbin works without installed files. Drawing code asks for a
 * role, never for a colour.
 *
 * Roles form a tree: a role a theme does not mention takes its parent's style (code_keyword
 * from normal, status_kernel_busy from status_bar...), and a role it does mention takes the
 * colours it leaves out from its parent, so "status_kernel_busy = fg=yellow bold" keeps the
 * status bar's background. Attributes are never inherited.
 *
 * Colour degradation maps each colour down to what the terminal has (truecolour, 256, 16, 8,
 * none) with safetext's helpers; without colour only attributes remain. A role with its own
 * background that degrades to normal's background (always so without colour) becomes reverse
 * video, so bars and selections stay visible. The curses side (pairs and attr_t) is in
 * theme_curses.h; this module is pure.
 */
#ifndef BOBBIN_THEME_H
#define BOBBIN_THEME_H

#include <stddef.h>

#include "tui/safetext.h"

/* X(enum suffix, name in files, parent role) in an order where parents come first. */
#define THEME_ROLES(X)                                                                             \
	X(NORMAL, "normal", NORMAL)                                                                \
	X(BORDER, "border", NORMAL)                                                                \
	X(BORDER_FOCUS, "border_focus", BORDER)                                                    \
	X(PROMPT_IN, "prompt_in", NORMAL)                                                          \
	X(PROMPT_OUT, "prompt_out", NORMAL)                                                        \
	X(PROMPT_RUNNING, "prompt_running", PROMPT_IN)                                             \
	X(PROMPT_QUEUED, "prompt_queued", PROMPT_IN)                                               \
	X(CODE_KEYWORD, "code_keyword", NORMAL)                                                    \
	X(CODE_STRING, "code_string", NORMAL)                                                      \
	X(CODE_COMMENT, "code_comment", NORMAL)                                                    \
	X(CODE_NUMBER, "code_number", NORMAL)                                                      \
	X(CODE_DECORATOR, "code_decorator", NORMAL)                                                \
	X(CODE_BUILTIN, "code_builtin", NORMAL)                                                    \
	X(CODE_OPERATOR, "code_operator", NORMAL)                                                  \
	X(MARKDOWN_HEADING, "markdown_heading", NORMAL)                                            \
	X(MARKDOWN_EMPH, "markdown_emph", NORMAL)                                                  \
	X(MARKDOWN_STRONG, "markdown_strong", NORMAL)                                              \
	X(MARKDOWN_CODE, "markdown_code", NORMAL)                                                  \
	X(MARKDOWN_LINK, "markdown_link", NORMAL)                                                  \
	X(MARKDOWN_QUOTE, "markdown_quote", NORMAL)                                                \
	X(OUTPUT_TEXT, "output_text", NORMAL)                                                      \
	X(STDERR, "stderr", OUTPUT_TEXT)                                                           \
	X(ERROR, "error", NORMAL)                                                                  \
	X(TRACEBACK, "traceback", OUTPUT_TEXT)                                                     \
	X(PLACEHOLDER, "placeholder", NORMAL)                                                      \
	X(FOLD_MARKER, "fold_marker", PLACEHOLDER)                                                 \
	X(STATUS_BAR, "status_bar", NORMAL)                                                        \
	X(STATUS_KERNEL_IDLE, "status_kernel_idle", STATUS_BAR)                                    \
	X(STATUS_KERNEL_BUSY, "status_kernel_busy", STATUS_BAR)                                    \
	X(STATUS_KERNEL_DEAD, "status_kernel_dead", STATUS_BAR)                                    \
	X(STATUS_KERNEL_STARTING, "status_kernel_starting", STATUS_BAR)                            \
	X(STATUS_UNSAVED, "status_unsaved", STATUS_BAR)                                            \
	X(COMMAND_LINE, "command_line", NORMAL)                                                    \
	X(MESSAGE_ERROR, "message_error", COMMAND_LINE)                                            \
	X(MESSAGE_INFO, "message_info", COMMAND_LINE)                                              \
	X(SELECTION, "selection", NORMAL)                                                          \
	X(SEARCH_MATCH, "search_match", NORMAL)                                                    \
	X(POPUP, "popup", NORMAL)                                                                  \
	X(POPUP_SELECTED, "popup_selected", POPUP)                                                 \
	X(LATE_MARK, "late_mark", NORMAL)                                                          \
	X(STRAY_MARK, "stray_mark", NORMAL)                                                        \
	X(ORIGIN_MARK, "origin_mark", NORMAL)                                                      \
	X(THREAD_1, "thread_1", NORMAL)                                                            \
	X(THREAD_2, "thread_2", NORMAL)                                                            \
	X(THREAD_3, "thread_3", NORMAL)                                                            \
	X(THREAD_4, "thread_4", NORMAL)                                                            \
	X(THREAD_5, "thread_5", NORMAL)                                                            \
	X(THREAD_6, "thread_6", NORMAL)                                                            \
	X(THREAD_7, "thread_7", NORMAL)                                                            \
	X(THREAD_8, "thread_8", NORMAL)                                                            \
	X(HELP_KEY, "help_key", NORMAL)                                                            \
	X(HELP_TEXT, "help_text", NORMAL)

#define THEME_ENUM_(id, name, parent) THEME_##id,
enum theme_role { THEME_ROLES(THEME_ENUM_) THEME_NROLES };
#undef THEME_ENUM_
#define THEME_THREAD(n) (THEME_THREAD_1 + ((n)-1) % 8) /* n = 1, 2, ... cycles over 8 */

/* Terminal colour capability, from least to most. */
enum theme_depth {
	THEME_DEPTH_NONE,
	THEME_DEPTH_8,
	THEME_DEPTH_16,
	THEME_DEPTH_256,
	THEME_DEPTH_TRUE
};

/* A loaded theme: every role resolved (inheritance applied), colours as written in the file. */
struct theme {
	char name[64];
	struct st_style style[THEME_NROLES];
};

/* "path:line: message" (line 0 for errors about the whole file). */
struct theme_error {
	int line;
	char text[320];
};

/* Name of a role in theme files ("prompt_in"), or NULL. */
const char *theme_role_name(int role);
/* The role named name, or -1. */
int theme_role_find(const char *name);
/* The role a role inherits from (normal for normal itself). */
int theme_role_parent(int role);

/*
 * Parses a theme from text[0..n) (borrowed; need not be NUL-terminated). src names the text in
 * error messages ("themes/x.theme"). On error returns -1, fills *err (may be NULL) and leaves
 * *out unspecified. name goes into out->name.
 */
int theme_parse(const char *text, size_t n, const char *src, const char *name, struct theme *out,
                struct theme_error *err);
/* Reads and parses the file at path (borrowed); its name is the file name without ".theme". */
int theme_load(const char *path, struct theme *out, struct theme_error *err);

/* The text of a built-in theme ("default", "light", "solarized-dark", "high-contrast",
 * "mono"), static, or NULL. */
const char *theme_builtin_text(const char *name);
/* NULL-terminated list of the built-in names, static. */
const char *const *theme_builtin_names(void);
/* Parses a built-in theme into *out. 0, or -1 if there is none of that name. */
int theme_builtin(const char *name, struct theme *out);

/* Where theme_open() looks; any may be NULL or empty. All borrowed. */
struct theme_dirs {
	const char *config_home; /* $XDG_CONFIG_HOME */
	const char *home;        /* $HOME, for ~/.config when config_home is unset */
	const char *prefix;      /* install prefix: PREFIX/share/bobbin/themes */
	const char *exe_dir;     /* directory of the bobbin binary: EXE_DIR/themes */
};
/* Fills *dirs from the environment, the compile-time prefix and /proc/self/exe (exe_buf, of
 * size exe_size, holds the directory). The strings stay borrowed from the environment. */
void theme_dirs_from_env(struct theme_dirs *dirs, char *exe_buf, size_t exe_size);
/*
 * Finds NAME.theme in, in order: CONFIG/bobbin/themes (CONFIG is $XDG_CONFIG_HOME, else
 * $HOME/.config), PREFIX/share/bobbin/themes, EXE_DIR/themes. Writes the path into path and
 * returns 1 if a file exists, else 0. A name with '/' or starting with '.' is never searched.
 */
int theme_find(const char *name, const struct theme_dirs *dirs, char *path, size_t size);
/*
 * The theme for --theme NAME: a path if NAME contains '/', else the first file theme_find()
 * finds, else the built-in theme of that name. A file that exists but has errors is an error
 * (no silent fallback). NULL name means "default".
 */
int theme_open(const char *name, const struct theme_dirs *dirs, struct theme *out,
               struct theme_error *err);

/* Decides the colour depth from COLORS (or terminfo colors#), $COLORTERM and $NO_COLOR (each
 * string may be NULL). NO_COLOR present and non-empty wins; then COLORS >= 2^24 or COLORTERM
 * "truecolor"/"24bit" is truecolour; then 256, 16, 8 by COLORS; fewer than 8 is none. */
enum theme_depth theme_color_depth(int colors, const char *colorterm, const char *no_color);
/* A colour of struct st_style mapped down to depth (ST_DEFAULT with no colour). */
int theme_color_down(int color, enum theme_depth depth);
/* The style of role for a terminal of the given depth. */
struct st_style theme_get(const struct theme *t, int role, enum theme_depth depth);

#endif
