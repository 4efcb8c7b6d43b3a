// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * Undo of cell operations (see nb_undo.h). A step owns the cells it would put back; undo and
 * redo are the same swap, which leaves the cells it took out in the step for the way back.
 */
#include <stdlib.h>
#include <string.h>

#include "notebook/nb_undo.h"

struct step {
	size_t at;
	struct nb_cell **cells; /* owned: what the swap puts back */
	size_t n;
	size_t nnow; /* cells standing at [at, at+nnow) */
};

struct nb_undo {
	struct step *s; /* [0, ndone): done; [ndone, nall): undone, can be redone */
	size_t ndone, nall, cap;
	struct step open; /* between begin and end */
	size_t before;    /* cell count at begin */
	int is_open;
};

struct nb_undo *nb_undo_new(void)
{
	return calloc(1, sizeof(struct nb_undo));
}

static void step_clear(struct step *s)
{
	for (size_t i = 0; i < s->n; i++)
		nb_cell_free(s->cells[i]);
	free(s->cells);
	memset(s, 0, sizeof *s);
}

void nb_undo_clear(struct nb_undo *u)
{
	for (size_t i = 0; i < u->nall; i++)
		step_clear(&u->s[i]);
	step_clear(&u->open);
	u->ndone = u->nall = 0;
	u->is_open = 0;
}

void nb_undo_free(struct nb_undo *u)
{
	if (!u)
		return;
	nb_undo_clear(u);
	free(u->s);
	free(u);
}

int nb_undo_begin(struct nb_undo *u, struct nb_doc *doc, size_t at, size_t n)
{
	size_t total = nb_doc_ncells(doc);

	step_clear(&u->open);
	u->is_open = 0;
	if (at > total)
		at = total;
	if (n > total - at)
		n = total - at;
	if (n && !(u->open.cells = calloc(n, sizeof *u->open.cells)))
		return -1;
	for (size_t i = 0; i < n; i++)
		if (!(u->open.cells[u->open.n++] = nb_cell_clone(nb_doc_cell(doc, at + i)))) {
			step_clear(&u->open);
			return -1;
		}
	u->open.at = at;
	u->before = total;
	u->is_open = 1;
	return 0;
}

void nb_undo_end(struct nb_undo *u, struct nb_doc *doc)
{
	size_t total = nb_doc_ncells(doc);

	if (!u->is_open)
		return;
	u->is_open = 0;
	if (total + u->open.n < u->before) { /* not the operation begin was told about */
		step_clear(&u->open);
		return;
	}
	u->open.nnow = total + u->open.n - u->before;
	for (size_t i = u->ndone; i < u->nall; i++)
		step_clear(&u->s[i]);
	u->nall = u->ndone;
	if (u->ndone == NB_UNDO_MAX) {
		step_clear(&u->s[0]);
		memmove(u->s, u->s + 1, (u->ndone - 1) * sizeof *u->s);
		u->nall = --u->ndone;
	}
	if (u->ndone == u->cap) {
		size_t cap = u->cap ? u->cap * 2 : 16;
		struct step *p = realloc(u->s, cap * sizeof *p);

		if (!p) {
			step_clear(&u->open);
			return;
		}
		u->s = p;
		u->cap = cap;
	}
	u->s[u->ndone++] = u->open;
	u->nall = u->ndone;
	memset(&u->open, 0, sizeof u->open);
}

/* Takes the nnow cells at s->at out, puts s->cells in, keeps the taken ones in s. */
static int swap(struct step *s, struct nb_doc *doc, size_t *at, size_t *n)
{
	struct nb_cell **taken = NULL;
	size_t nt = s->nnow;

	if (s->at + nt > nb_doc_ncells(doc))
		return -1; /* the document changed under the history */
	if (nt && !(taken = calloc(nt, sizeof *taken)))
		return -1;
	for (size_t i = 0; i < nt; i++)
		taken[i] = nb_doc_take(doc, s->at);
	for (size_t i = 0; i < s->n; i++)
		nb_doc_put(doc, s->at + i, s->cells[i]);
	free(s->cells);
	s->cells = taken;
	s->nnow = s->n;
	s->n = nt;
	if (at)
		*at = s->at;
	if (n)
		*n = s->nnow;
	return 0;
}

int nb_undo_undo(struct nb_undo *u, struct nb_doc *doc, size_t *at, size_t *n)
{
	if (!u->ndone || swap(&u->s[u->ndone - 1], doc, at, n) < 0)
		return 0;
	u->ndone--;
	return 1;
}

int nb_undo_redo(struct nb_undo *u, struct nb_doc *doc, size_t *at, size_t *n)
{
	if (u->ndone == u->nall || swap(&u->s[u->ndone], doc, at, n) < 0)
		return 0;
	u->ndone++;
	return 1;
}
