// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * The cells: the notebook itself, always at the bottom of the mode stack, in Jupyter's two
 * modes: command mode (keys act on cells) and edit mode (a->ed is the focused cell's editor;
 * keys the table does not bind are typed into it). Keys go through the keymap to the named
 * actions of actions.c; the mouse focuses a cell (command mode) and scrolls.
 */
#include <stdio.h>
#include <string.h>

#include "tui/app.h"
#include "tui/utf8.h"

/* After a key in edit mode: the editor's text into the cell if it changed, and the cursor's
 * row on screen. ver is editor_version() from before the key. */
void cells_edited(struct app *a, unsigned long ver)
{
	if (!a->ed)
		return;
	if (editor_version(a->ed) != ver)
		app_commit_edit(a);
	app_invalidate(a, a->cur); /* the text, or only the cursor, moved */
	app_scroll_into_view(a);
}

static enum mode_result mouse(struct app *a, const struct key *k)
{
	int y = k->mouse.y, row = 1;
	size_t i = a->top, n = nb_doc_ncells(a->doc);
	long skip = a->top_off;

	if (k->mouse.button == KB_WHEEL_UP || k->mouse.button == KB_WHEEL_DOWN) {
		app_scroll_rows(a, k->mouse.button == KB_WHEEL_UP ? -3 : 3);
		return MODE_REDRAW;
	}
	if (k->mouse.button != KB_LEFT || k->mouse.action != KM_PRESS || a->ed)
		return MODE_IGNORED;
	while (i < n) {
		const struct rd_layout *l = app_layout(a, i);
		long h = l ? (long)l->nrows - skip : 1;

		if (y >= row && y < row + h) {
			app_focus(a, i);
			return MODE_REDRAW;
		}
		row += (int)h;
		skip = 0;
		i++;
		if (row > a->rows)
			break;
	}
	return MODE_HANDLED;
}

/* A key no binding of the mode takes. */
static enum mode_result unbound(struct app *a, const struct key *k)
{
	if ((k->mods & ~M_SHIFT) == M_ALT && (k->code < 0x110000 || k->code == K_ESC)) {
		/* Esc typed quickly before a key arrives as Alt-key: take it as both (Alt-Z is
		 * M-S-z: the Shift goes back into the letter) */
		struct key k2 = *k;

		k2.mods &= M_SHIFT;
		keys_normalize(&k2);
		if (a->ed)
			act_run(a, "command-mode");
		return mode_key(a, &k2) | MODE_REDRAW;
	}
	if (a->ed) {
		char u[4];

		if (k->code == K_PASTE)
			editor_paste(a->ed, k->text, k->len);
		else if (k->code < 0x110000 && k->code >= 0x20 && !(k->mods & ~M_SHIFT))
			editor_insert(a->ed, u, utf8_encode((uint32_t)k->code, u));
		else
			return MODE_IGNORED;
		return MODE_REDRAW;
	}
	if (k->code != K_ESC) {
		char kn[40];

		keys_name(k, kn, sizeof kn);
		if (k->code == 'c' && k->mods == M_CTRL)
			app_msg(a, 0, "I I interrupts the kernel, q quits");
		else if (k->code != K_PASTE)
			app_msg(a, 0, "%s: not a command key (h for help)", kn);
	}
	return MODE_IGNORED;
}

static enum mode_result cells_key(struct app *a, void *data, const struct key *k)
{
	unsigned long ver = a->ed ? editor_version(a->ed) : 0;
	enum mode_result r;

	if (k->code == K_MOUSE)
		return mouse(a, k);
	a->msg[0] = 0;
	r = act_bound(a, a->ed ? KM_EDIT : KM_COMMAND, k);
	if (r == MODE_IGNORED)
		r = unbound(a, k);
	cells_edited(a, ver);
	return r == MODE_IGNORED ? MODE_REDRAW : r; /* the message was cleared */
}

static void page(struct app *a, int dir)
{
	long H = view_text_rows(a);
	size_t n = nb_doc_ncells(a->doc);

	if (a->ed) {
		if (dir > 0)
			editor_page_down(a->ed, (size_t)(H > 4 ? H - 4 : 1));
		else
			editor_page_up(a->ed, (size_t)(H > 4 ? H - 4 : 1));
		app_invalidate(a, a->cur);
		app_scroll_into_view(a);
		return;
	}
	app_scroll_rows(a, dir * (H > 2 ? H - 2 : 1));
	app_invalidate(a, a->cur);
	a->cur = a->top_off > 0 && a->top + 1 < n ? a->top + 1 : a->top;
	app_invalidate(a, a->cur);
}

static void cells_move(struct app *a, void *data, enum mode_move how)
{
	switch (how) {
	case MOVE_TOP:
		app_focus(a, 0);
		break;
	case MOVE_BOTTOM:
		app_focus(a, nb_doc_ncells(a->doc) - 1);
		break;
	case MOVE_PAGE_UP:
		page(a, -1);
		break;
	case MOVE_PAGE_DOWN:
		page(a, 1);
		break;
	case MOVE_LINE_UP:
	case MOVE_LINE_DOWN:
		break; /* cell-prev, cell-next and the editor's up and down instead */
	}
}

static void cells_draw(struct app *a, void *data, struct mode_cursor *cur)
{
	view_cells(a, cur);
}

static void cells_status(struct app *a, void *data, struct mode_status *st)
{
	st->label = a->ed ? "EDIT" : "COMMAND";
}

const struct mode mode_cells = {
    .name = "cells",
    .key = cells_key,
    .draw = cells_draw,
    .status = cells_status,
    .motion = cells_move,
};
