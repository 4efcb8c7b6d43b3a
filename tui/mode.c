// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * The stack of modes (see mode.h): push, pop, and the dispatch of keys, drawing, the bottom
 * line and the shared movement actions to the mode on top.
 */
#include "tui/app.h"

static struct mode_entry *top(struct app *a)
{
	return &a->modes[a->nmodes - 1];
}

void mode_push(struct app *a, const struct mode *m, void *data)
{
	if (a->nmodes >= MODE_DEPTH) {
		if (m->leave)
			m->leave(a, data);
		app_msg(a, 1, "%s: too many screens open (q closes one)", m->name);
		return;
	}
	a->modes[a->nmodes++] = (struct mode_entry){m, data};
	if (m->enter)
		m->enter(a, data);
	a->need_draw = 1;
}

void mode_pop(struct app *a)
{
	struct mode_entry e;

	if (a->nmodes <= 1)
		return;
	e = *top(a);
	a->nmodes--;
	if (e.m->leave)
		e.m->leave(a, e.data);
	a->need_draw = 1;
}

void mode_reset(struct app *a)
{
	while (a->nmodes > 1)
		mode_pop(a);
}

const struct mode *mode_top(struct app *a)
{
	return top(a)->m;
}

void *mode_top_data(struct app *a)
{
	return top(a)->data;
}

int mode_on(struct app *a, const struct mode *m)
{
	for (int i = 0; i < a->nmodes; i++)
		if (a->modes[i].m == m)
			return 1;
	return 0;
}

enum mode_result mode_key(struct app *a, const struct key *k)
{
	struct mode_entry *e = top(a);

	return e->m->key ? e->m->key(a, e->data, k) : MODE_IGNORED;
}

void mode_draw(struct app *a, struct mode_cursor *cur)
{
	int i = a->nmodes - 1;

	while (i > 0 && !a->modes[i].m->draw)
		i--;
	a->modes[i].m->draw(a, a->modes[i].data, cur);
	for (i++; i < a->nmodes; i++)
		if (a->modes[i].m->overlay)
			a->modes[i].m->overlay(a, a->modes[i].data, cur);
}

void mode_status(struct app *a, struct mode_status *st)
{
	int i = a->nmodes - 1;

	while (i > 0 && !a->modes[i].m->status)
		i--;
	st->label = st->line = st->prompt = NULL;
	st->point = -1;
	a->modes[i].m->status(a, a->modes[i].data, st);
}

void mode_move(struct app *a, enum mode_move how)
{
	struct mode_entry *e = top(a);

	if (e->m->motion)
		e->m->motion(a, e->data, how);
}

void mode_select(struct app *a)
{
	struct mode_entry *e = top(a);

	if (e->m->select)
		e->m->select(a, e->data);
}

void mode_tick(struct app *a)
{
	struct mode_entry *e = top(a);

	if (e->m->tick)
		e->m->tick(a, e->data);
}
