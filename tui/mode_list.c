// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * A list to pick from: a title, optional column headers, one line per item, j/k to move, Enter
 * to pick, q to close. mode_list is the generic one (the misrouting list: Enter calls the
 * list's on_select); the kernel picker (mode_kernels.c) and the threads pane (mode_threads.c)
 * are lists with keys of their own, drawn and moved by the functions here.
 */
#include <stdlib.h>
#include <string.h>

#include "tui/app.h"

struct app_list *list_new(size_t nitems)
{
	struct app_list *l = calloc(1, sizeof *l);

	if (l && !(l->items = calloc(nitems ? nitems : 1, sizeof *l->items))) {
		free(l);
		l = NULL;
	}
	return l;
}

void list_free(struct app_list *l)
{
	if (!l)
		return;
	free(l->items);
	free(l);
}

void list_leave(struct app *a, void *data)
{
	list_free(data);
}

void list_move(struct app *a, void *data, enum mode_move how)
{
	struct app_list *l = data;

	if (how == MOVE_LINE_UP && l->sel > 0)
		l->sel--;
	else if (how == MOVE_LINE_DOWN && l->sel + 1 < l->nitems)
		l->sel++;
	a->need_draw = 1;
}

void list_draw(struct app *a, void *data, struct mode_cursor *cur)
{
	view_list(a, data);
}

enum mode_result list_keys(struct app *a, int keymap, const struct key *k)
{
	int had_msg = a->msg[0] != 0;
	enum mode_result r;

	if (k->code == K_MOUSE)
		return MODE_IGNORED;
	a->msg[0] = 0;
	r = act_bound(a, keymap, k);
	return r == MODE_IGNORED && had_msg ? MODE_REDRAW : r; /* the message goes */
}

void list_open(struct app *a, struct app_list *l)
{
	mode_push(a, &mode_list, l);
}

static enum mode_result list_key(struct app *a, void *data, const struct key *k)
{
	return list_keys(a, KM_LIST, k);
}

/* The list is popped before on_select runs, so that it may open another mode. */
static void list_select(struct app *a, void *data)
{
	struct app_list *l = data;
	void (*cb)(struct app *, const struct app_item *) = l->on_select;
	struct app_item it;

	if (l->sel >= l->nitems)
		return;
	it = l->items[l->sel];
	mode_pop(a);
	if (cb)
		cb(a, &it);
}

void list_status(struct app *a, void *data, struct mode_status *st)
{
	st->label = "LIST";
}

const struct mode mode_list = {
    .name = "list",
    .leave = list_leave,
    .key = list_key,
    .draw = list_draw,
    .status = list_status,
    .motion = list_move,
    .select = list_select,
};
