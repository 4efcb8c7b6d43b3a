// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * Markdown cells laid out for a terminal: the source is parsed by libcmark-gfm (CommonMark with
 * GitHub's table, strikethrough, autolink and task list extensions) and its tree turned into
 * lines of styled spans wrapped to a width, which the view draws with the theme's roles. Nothing
 * else is interpreted: raw HTML is shown as the text it is, and every piece of text (including what
 * cmark decodes from entities such as &#27;) goes through safetext, so spans hold valid UTF-8
 * without any control character, not even \t or \n.
 *
 * Layout: headings without their '#' (level 1 bold and underlined by a rule of '═', level 2
 * bold with a rule of '─', level 3 bold underlined, 4 bold, 5 bold italic, 6 italic);
 * emphasis, strong and code spans as roles plus attributes; links as their text followed by
 * " <URL>" (just the URL for an autolink); images as "[image: alt <URL>]"; code blocks
 * indented by MD_CODE_INDENT, coloured by highlight.h when the fence's info string names
 * Python, long lines broken at the width; bullet ("•", "◦", "▪" by depth) and ordered lists
 * (numbers right-aligned) with a hanging indent; block quotes behind "│ "; thematic breaks as
 * a rule across the width; HTML blocks as plain lines. GFM tables are laid out in columns by
 * texttable.h (a cell's markup shows as its text); struck text (~~x~~) is dim with ST_STRIKE,
 * and with "~" around it when strike_marks is set; task list items show "[ ]" or "[x]" in
 * place of the bullet; bare URLs (www.x.org, https://x.org) are autolinks. $…$ and $$…$$ math
 * outside code is shown as written with common symbols as Unicode (mime_latex; "\," stays "\,", the
 * $ are dropped). Blocks are separated by one blank line (not inside tight lists). With ascii set,
 * '-', '|', '=', '*' replace the box and bullet characters.
 *
 * Wrapping is by display width (safetext's st_next, so it follows the locale: CJK counts 2),
 * at spaces, and also between two wide characters; a word longer than the line is broken
 * between code points. Nesting deeper than the width allows stops adding indentation, so
 * every line keeps room for text. Widths below MD_MIN_WIDTH count as MD_MIN_WIDTH, above 1024
 * as 1024. Runs of spaces (also inside code spans) become one space.
 *
 * Pure logic: no curses, no I/O, no global state. Linear in the input apart from cmark.
 */
#ifndef BOBBIN_MARKDOWN_H
#define BOBBIN_MARKDOWN_H

#include <stddef.h>

#define MD_CODE_INDENT 4 /* columns before a code block's text */
#define MD_MIN_WIDTH 8
#define MD_URL_MAX 200 /* bytes of a URL shown; longer ones end in "…" (data: URIs) */

/* A run of text in one style: role is an enum theme_role, attrs safetext's ST_BOLD... */
struct md_span {
	char *text; /* NUL-terminated, non-empty, safe UTF-8 */
	int role;
	unsigned attrs;
};

/*
 * One screen line: indent blank columns, then the spans (n may be 0 for a blank line).
 * indent plus the spans' width is at most the width asked for, except that a character
 * wider than the room the prefixes leave still takes a line of its own.
 */
struct md_line {
	struct md_span *spans;
	size_t n;
	int indent;
};

struct md_render_opts {
	int ascii; /* 1 for a terminal without UTF-8: ASCII rules, bars and bullets */
	/* 1 where struck text cannot be shown dimmed (vt100): "~" around it as well */
	int strike_marks;
};

/*
 * Caller frees with md_free(lines, *nlines). src[0..len) is borrowed (need not be
 * NUL-terminated; NUL bytes become U+FFFD). *nlines gets the number of lines (0 for empty
 * input: the result is then still a pointer to free). NULL only when out of memory.
 */
struct md_line *md_render(const char *src, size_t len, int width, size_t *nlines);
/* The same with options (opts may be NULL for the defaults). */
struct md_line *md_render_ex(const char *src, size_t len, int width,
                             const struct md_render_opts *opts, size_t *nlines);
/* Frees n lines returned by md_render(); md_free(NULL, 0) is a no-op. */
void md_free(struct md_line *lines, size_t n);

#endif
