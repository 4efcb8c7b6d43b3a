// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * Syntax colouring of cell sources: one theme role (enum theme_role) per byte, so the view
 * draws the text it already has in the colours of THEME_CODE_KEYWORD, THEME_CODE_STRING...
 * Python (and IPython's magics and shell escapes) is recognised by a single left-to-right
 * scan in O(len) with no backtracking, and so is R (highlight_r.c); any other language comes out
 * all THEME_NORMAL.
 *
 * The scanner reads only src[0..len) (NUL bytes and invalid UTF-8 are ordinary bytes; a byte
 * of 0x80 or above counts as part of an identifier) and never fails on unterminated strings:
 * a single-quoted string ends at its line's end, a triple-quoted one at the end of src. It
 * only classifies bytes: the text itself must still go through safetext before it is shown.
 *
 * Python roles: keywords (soft keywords match/case/type only where they start a statement),
 * builtin functions, constants and exception classes (not after a '.'), strings with their
 * prefixes and escapes, comments, numbers (ints, floats, hex/octal/binary, 1_000, 1e-5, 3j),
 * decorators (@name at a statement's start), operators. IPython: a line magic (%time), a
 * cell magic (%%bash) and a shell escape (!ls) at a statement's start get
 * THEME_CODE_DECORATOR for the magic's name; after a line magic the line is Python again, the
 * rest of a shell escape line is plain, and the body of a cell magic that runs another
 * language (%%bash, %%html, %%writefile...) is plain, while %%time and friends stay Python.
 *
 * Pure logic: no curses, no I/O, no global state.
 */
#ifndef BOBBIN_HIGHLIGHT_H
#define BOBBIN_HIGHLIGHT_H

#include <stddef.h>

/* Languages hl_fill() knows; HL_PLAIN for everything else. */
enum hl_lang { HL_PLAIN, HL_PYTHON, HL_R };

/*
 * The language of a kernel's language_info.name, a kernelspec language or a markdown fence's
 * info string (borrowed, may be NULL): only the first word counts, case does not, so
 * "python", "Python3", "ipython3", "py" and "python {.class}" are HL_PYTHON; "R" and "r" HL_R.
 */
enum hl_lang hl_lang_find(const char *lang);

/* The R scanner (highlight_r.c): writes len roles for src[0..len) over THEME_NORMAL ones. */
void hl_r(const char *src, size_t len, unsigned char *roles);

/* Writes len roles for src[0..len) (borrowed) into roles (len bytes, caller's). */
void hl_fill(enum hl_lang lang, const char *src, size_t len, unsigned char *roles);

/*
 * Caller frees. An array of len roles (enum theme_role values) for src[0..len) (borrowed) in
 * the language named lang (hl_lang_find()). NULL only when out of memory; for len 0 a valid
 * pointer to free.
 */
unsigned char *hl_roles(const char *lang, const char *src, size_t len);

/* The line comment marker of the language named lang (as hl_lang_find() reads it; borrowed,
 * may be NULL): "//" for C-like languages and JavaScript, "--" for SQL, Haskell and Lua, "%",
 * ";" for a few more, "#" for Python, R, Julia, the shells and anything unknown. Static. */
const char *hl_line_comment(const char *lang);

#endif
