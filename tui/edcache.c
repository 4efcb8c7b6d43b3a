// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * Edit undo that survives leaving a cell: the editor of a cell left is kept (with its undo
 * history and cursor) for the last few cells, and used again when the cell is edited next, as
 * long as the cell's text did not change in between (a run, a cell undo or a replace changes
 * it, and the kept editor is then dropped).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tui/app.h"

#define EC_KEEP 16

struct ed_cache {
	struct {
		char id[64];
		struct editor *ed;
	} e[EC_KEEP]; /* most recent first */
	size_t n;
};

struct editor *ec_take(struct app *a, const char *id, const char *src)
{
	struct ed_cache *c = a->edc;
	struct editor *ed;

	for (size_t i = 0; c && i < c->n; i++) {
		if (strcmp(c->e[i].id, id))
			continue;
		ed = c->e[i].ed;
		memmove(&c->e[i], &c->e[i + 1], (c->n - i - 1) * sizeof c->e[0]);
		c->n--;
		if (!strcmp(editor_text(ed, NULL), src))
			return ed;
		editor_free(ed);
		return NULL;
	}
	return NULL;
}

void ec_keep(struct app *a, const char *id, struct editor *ed)
{
	struct ed_cache *c;

	if (!a->edc)
		a->edc = calloc(1, sizeof *a->edc);
	if (!(c = a->edc) || !id[0]) {
		editor_free(ed);
		return;
	}
	editor_free(ec_take(a, id, ""));
	if (c->n == EC_KEEP)
		editor_free(c->e[--c->n].ed);
	memmove(&c->e[1], &c->e[0], c->n * sizeof c->e[0]);
	snprintf(c->e[0].id, sizeof c->e[0].id, "%s", id);
	c->e[0].ed = ed;
	c->n++;
	editor_seal_undo(ed);
}

void ec_free(struct app *a)
{
	for (size_t i = 0; a->edc && i < a->edc->n; i++)
		editor_free(a->edc->e[i].ed);
	free(a->edc);
	a->edc = NULL;
}
