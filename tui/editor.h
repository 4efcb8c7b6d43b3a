// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * The cell editor's buffer: UTF-8 text with a cursor, the editing and motion commands of the
 * notebook's edit mode, auto-indent for Python-like code, and undo/redo. It draws nothing; the
 * view iterates over the lines and asks where the cursor is.
 *
 * Text is always valid UTF-8 without NUL bytes: what comes in is cleaned (invalid bytes become
 * U+FFFD, NUL is dropped), so counts in code points (the kernel's cursor_pos) are exact. The
 * cursor moves and deletes by user-perceived character (an approximation of grapheme clusters:
 * a base with its combining marks, variation selectors, emoji modifiers, ZWJ sequences and flag
 * pairs; CR LF), never inside a code point. Columns are display columns: wide characters count
 * 2 (st_width), tabs advance to the next multiple of EDITOR_TABSTOP, so the view must expand
 * tabs the same way. Widths follow the program's locale (setlocale LC_CTYPE, UTF-8).
 *
 * Undo: consecutive typing is one step, as are consecutive Backspaces or Deletes; any cursor
 * motion, Enter, paste, completion or other command ends the step. editor_seal_undo() ends it
 * too (the caller may do so after a pause in typing).
 *
 * Pure logic: no curses, no I/O, no global state.
 */
#ifndef BOBBIN_EDITOR_H
#define BOBBIN_EDITOR_H

#include <stddef.h>

#define EDITOR_INDENT 4     /* spaces per indent level */
#define EDITOR_TABSTOP 8    /* display tab stops of a \t already in the text */
#define EDITOR_UNDO_MAX 500 /* undo steps kept; older ones are forgotten */

struct editor;

/* Caller frees with editor_free(). Empty text. NULL when out of memory. */
struct editor *editor_new(void);
void editor_free(struct editor *e);

/* Replaces the whole text (s borrowed, n bytes, cleaned), cursor at 0, clears undo.
 * 0, or -1 when out of memory (nothing changed). */
int editor_set_text(struct editor *e, const char *s, size_t n);
/* Borrowed until the next change: NUL-terminated text; *n (may be NULL) gets its length. */
const char *editor_text(const struct editor *e, size_t *n);
/* Incremented by every change of the text (including undo and redo), for dirty flags. */
unsigned long editor_version(const struct editor *e);

/* ---- cursor ---- */
/* Byte offset of the cursor; always at a code point boundary. */
size_t editor_cursor(const struct editor *e);
/* Moves the cursor to byte offset off (clamped, moved back to a code point boundary). */
void editor_set_cursor(struct editor *e, size_t off);
/* The cursor as a count of Unicode code points from the start (Jupyter's cursor_pos). */
size_t editor_cursor_cp(const struct editor *e);
void editor_set_cursor_cp(struct editor *e, size_t cp);
/* 0-based line of the cursor, and its display column in that line. */
size_t editor_cursor_line(const struct editor *e);
int editor_cursor_col(const struct editor *e);
/* 1 when everything before the cursor on its line is blank (spaces and tabs), so Tab indents
 * instead of asking the kernel for completions. */
int editor_at_line_start_ws(const struct editor *e);

/* ---- lines ---- */
/* Number of lines: 1 + number of \n (an empty text has one empty line). */
size_t editor_line_count(const struct editor *e);
/*
 * Iterates over the lines for drawing: set it to {0} (or EDITOR_ITER_INIT), then each
 * editor_iter_next() gives the next line as s[0..n) without its \n, borrowed until the next
 * change, and returns 0 after the last. it.line is the line's number, it.start its byte offset.
 */
struct editor_iter {
	size_t line, start;
	/* private */
	size_t next;
	int started, done;
};
#define EDITOR_ITER_INIT                                                                           \
	{                                                                                          \
		0, 0, 0, 0, 0                                                                      \
	}
int editor_iter_next(const struct editor *e, struct editor_iter *it, const char **s, size_t *n);

/* ---- motion: 1 if the cursor moved, else 0 ---- */
int editor_left(struct editor *e);
int editor_right(struct editor *e);
/* Up/down keep a goal display column across lines of different lengths; 0 on the first/last
 * line (the notebook then moves to the neighbouring cell). */
int editor_up(struct editor *e);
int editor_down(struct editor *e);
/* Moves up/down by up to n lines; returns the number of lines moved. */
size_t editor_page_up(struct editor *e, size_t n);
size_t editor_page_down(struct editor *e, size_t n);
/* Word motion (Ctrl/Alt-arrows): to the start of the previous word / end of the next one; a
 * word is a run of letters, digits and '_' (any non-ASCII character counts as a letter), or a
 * run of other punctuation. */
int editor_word_left(struct editor *e);
int editor_word_right(struct editor *e);
/* Smart Home: to the first non-blank character of the line, or to column 0 if already there. */
int editor_home(struct editor *e);
int editor_end(struct editor *e);
/* To the start / end of the text. */
int editor_top(struct editor *e);
int editor_bottom(struct editor *e);

/* ---- editing: 0 (or 1 where stated), -1 when out of memory (nothing changed) ---- */
/* Types s (n bytes, borrowed, cleaned) at the cursor; coalesces with typing before it. Text
 * with a newline is treated as a paste. */
int editor_insert(struct editor *e, const char *s, size_t n);
/* Inserts s (borrowed, may be many lines) as one undo step of its own. */
int editor_paste(struct editor *e, const char *s, size_t n);
/* Enter: a newline, indented like the cursor's line; one level (EDITOR_INDENT spaces) more
 * after a line ending in ':', one less after pass/return/raise/break/continue. */
int editor_newline(struct editor *e);
/* Tab: with editor_at_line_start_ws(), inserts spaces up to the next indent stop and returns
 * 1; otherwise changes nothing and returns 0 (the caller asks for completions). */
int editor_tab(struct editor *e);
/* Shift-Tab: removes one indent level (up to EDITOR_INDENT spaces, or one tab) from the start of
 * the cursor's line. 1 if something was removed. */
int editor_dedent(struct editor *e);
/* Delete the character before / after the cursor. 1 if something was deleted. */
int editor_backspace(struct editor *e);
int editor_delete(struct editor *e);
/* Deletes from the start of the word before the cursor (as editor_word_left) to the cursor.
 * 1 if something was deleted. */
int editor_delete_word_left(struct editor *e);
/* Replaces code points [start_cp, end_cp) (clamped) with s (borrowed, cleaned), cursor after
 * it, one undo step: applies a completion's cursor_start..cursor_end. */
int editor_replace(struct editor *e, size_t start_cp, size_t end_cp, const char *s, size_t n);
/*
 * Split cell: caller frees. Returns the text after the cursor (without one leading \n),
 * NUL-terminated, length in *n (may be NULL), and truncates the text at the cursor (dropping one
 * trailing \n), as one undo step. NULL when out of memory (nothing changed).
 */
char *editor_split(struct editor *e, size_t *n);

/* Ctrl-/: comments the cursor's line out with marker ("#", "//", "--"; borrowed) and a space
 * at its first non-blank column, or removes the marker (and one space after it) if the line
 * already starts with it there. One undo step; the cursor stays on the same character. 1 when
 * changed, 0 for an empty marker, -1 when out of memory. */
int editor_toggle_comment(struct editor *e, const char *marker);

/* ---- undo ---- */
/* 1 if a step was undone / redone (the cursor goes back to where it was), else 0. */
int editor_undo(struct editor *e);
int editor_redo(struct editor *e);
/* The next edit starts a new undo step. */
void editor_seal_undo(struct editor *e);

#endif
