// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * The notebook screen's modes: each is one `const struct mode` (a small vtable) in its own
 * tui/mode_*.c next to the private data it keeps, and the screen holds a stack of them (tmux's
 * window_mode is the model). The cells (command and edit) are always at the bottom; the `:`
 * line, a question, a popup, the pager or a list is pushed over them and popped when done,
 * which frees its data. Keys go to the top mode; the screen draws the topmost mode that owns
 * the text rows, then the overlays above it; the bottom line is the topmost mode's status.
 */
#ifndef BOBBIN_MODE_H
#define BOBBIN_MODE_H

#include <stddef.h>

#include "tui/keys.h"

struct app;

/* What a key handler did (htop's HandlerResult): the loop redraws only for MODE_REDRAW, and
 * "this key did nothing" is visible to the caller. */
enum mode_result {
	MODE_IGNORED = 0, /* not a key of this mode */
	MODE_HANDLED = 1, /* done; nothing on the screen changed */
	MODE_REDRAW = 3,  /* done, and the screen needs a redraw */
};

/* Movements the shared actions ("top", "page-down", "line-up", …) ask of the top mode. */
enum mode_move {
	MOVE_TOP,
	MOVE_BOTTOM,
	MOVE_PAGE_UP,
	MOVE_PAGE_DOWN,
	MOVE_LINE_UP,
	MOVE_LINE_DOWN
};

/* Where drawing leaves the terminal's cursor: y -1 hides it. */
struct mode_cursor {
	int y, x;
};

/* What the bottom line shows. */
struct mode_status {
	const char *label;  /* a word before the message ("EDIT"); NULL: none */
	const char *line;   /* instead of the message: a question, or the line being edited */
	const char *prompt; /* with line: the prompt before it; the cursor is at byte point */
	int point;          /* -1: no cursor */
};

struct mode {
	const char *name;
	/* Once the mode is on top with its data (which it owns from then on). Optional. */
	void (*enter)(struct app *a, void *data);
	/* When it leaves the stack: frees data. Optional. */
	void (*leave)(struct app *a, void *data);
	/* A key (focus events never come here). */
	enum mode_result (*key)(struct app *a, void *data, const struct key *k);
	/* Draws the text rows; NULL: the mode below does. */
	void (*draw)(struct app *a, void *data, struct mode_cursor *cur);
	/* Drawn over what the modes below drew (a popup). Optional. */
	void (*overlay)(struct app *a, void *data, struct mode_cursor *cur);
	/* Fills the bottom line; NULL: the mode below says. */
	void (*status)(struct app *a, void *data, struct mode_status *st);
	/* The movement actions; NULL: they do nothing here. */
	void (*motion)(struct app *a, void *data, enum mode_move how);
	/* The "select" action (Enter on a list). Optional. */
	void (*select)(struct app *a, void *data);
	/* Once a second while on top (a live table). Optional. */
	void (*tick)(struct app *a, void *data);
};

#define MODE_DEPTH 8

/* ---- mode.c: the stack ---- */
/* Pushes m with its data (the mode takes it: freed by its leave even when the stack is full). */
void mode_push(struct app *a, const struct mode *m, void *data);
/* Pops the top mode (never the cells at the bottom); its leave frees its data. */
void mode_pop(struct app *a);
/* Pops everything above the cells. */
void mode_reset(struct app *a);
/* The top mode and its data (borrowed until it is popped). */
const struct mode *mode_top(struct app *a);
void *mode_top_data(struct app *a);
/* 1 if m is anywhere on the stack. */
int mode_on(struct app *a, const struct mode *m);
/* Key to the top mode; draw and status as said above. */
enum mode_result mode_key(struct app *a, const struct key *k);
void mode_draw(struct app *a, struct mode_cursor *cur);
void mode_status(struct app *a, struct mode_status *st);
void mode_move(struct app *a, enum mode_move how);
void mode_select(struct app *a);
void mode_tick(struct app *a);

/* ---- the modes, one file each ---- */
extern const struct mode mode_cells;   /* mode_cells.c: command and edit mode */
extern const struct mode mode_cmdline; /* mode_cmdline.c: the `:` and `/` lines */
extern const struct mode mode_input;   /* mode_cmdline.c: answering input() */
extern const struct mode mode_ask;     /* mode_ask.c: a one-key question */
extern const struct mode mode_popup;   /* mode_popup.c: completions, inspect text */
extern const struct mode mode_pager;   /* mode_pager.c: an output, or the help */
extern const struct mode mode_list;    /* mode_list.c: a list to pick from (misrouted) */
extern const struct mode mode_threads; /* mode_threads.c: the threads pane */
extern const struct mode mode_kernels; /* mode_kernels.c: the kernel picker */

#endif
