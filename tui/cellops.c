// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * Cell operations of command mode, as JupyterLab users expect them: Shift-J/K (Shift-Down/Up)
 * extend a selection of neighbouring cells, and run, cut, copy, paste, delete, merge and the
 * type changes act on the selection (or the focused cell). Every operation that changes the
 * cell list is one step of the notebook's cell undo (notebook/nb_undo.h): z undoes, Z redoes.
 * The selection is the cells between an anchor and the focused cell; any other focus move
 * ends it (co_after_action).
 */
#include <stdlib.h>
#include <string.h>

#include "notebook/nb_undo.h"
#include "tui/app.h"

static size_t ncells(struct app *a)
{
	return nb_doc_ncells(a->doc);
}

/* The cells acted on: [*lo, *hi), the selection or the focused cell. Returns the count. */
static size_t range(struct app *a, size_t *lo, size_t *hi)
{
	size_t n = ncells(a);

	*lo = a->cur;
	*hi = a->cur + 1;
	if (a->sel_on) {
		*lo = a->sel_anchor < a->cur ? a->sel_anchor : a->cur;
		*hi = (a->sel_anchor > a->cur ? a->sel_anchor : a->cur) + 1;
	}
	if (*hi > n)
		*hi = n;
	if (*lo > *hi)
		*lo = *hi;
	return *hi - *lo;
}

int co_selected(struct app *a, size_t i)
{
	size_t lo, hi;

	return a->sel_on && range(a, &lo, &hi) && i >= lo && i < hi;
}

static void sel_clear(struct app *a)
{
	if (a->sel_on) {
		a->sel_on = 0;
		app_invalidate_all(a);
	}
}

void co_after_action(struct app *a, const char *name)
{
	static const char *const keep[] = {"select-down", "select-up", "undo-cells", "redo-cells",
	                                   "move-up",     "move-down", "to-code",    "to-markdown",
	                                   "to-raw",      "copy",      "redraw",     "save",
	                                   "help",        "cmdline",   "search",     NULL};

	for (size_t i = 0; keep[i]; i++)
		if (!strcmp(name, keep[i]))
			return;
	sel_clear(a);
}

static void extend(struct app *a, int d)
{
	if ((d < 0 && a->cur == 0) || (d > 0 && a->cur + 1 >= ncells(a)))
		return;
	app_edit_stop(a);
	if (!a->sel_on) {
		a->sel_on = 1;
		a->sel_anchor = a->cur;
	}
	app_invalidate_all(a);
	app_focus(a, d < 0 ? a->cur - 1 : a->cur + 1);
}

void co_select_down(struct app *a)
{
	extend(a, 1);
}

void co_select_up(struct app *a)
{
	extend(a, -1);
}

/* ---- undo ---- */

/* Snapshots [at, at+n) for undo (the editor's text must be in its cell). */
static void snap(struct app *a, size_t at, size_t n)
{
	nb_out_sync(a->out); /* a growing output's text into its cell */
	if (!a->cundo)
		a->cundo = nb_undo_new();
	if (a->cundo)
		nb_undo_begin(a->cundo, a->doc, at, n);
}

static void begin(struct app *a, size_t at, size_t n)
{
	app_edit_stop(a);
	snap(a, at, n);
}

static void end(struct app *a, size_t focus)
{
	if (!ncells(a))
		nb_doc_insert(a->doc, 0, NB_CODE);
	if (a->cundo)
		nb_undo_end(a->cundo, a->doc);
	app_invalidate_all(a);
	app_focus(a, focus < ncells(a) ? focus : ncells(a) - 1);
}

static void undo_redo(struct app *a, int redo)
{
	size_t at = 0, n = 0;
	int r;

	app_edit_stop(a);
	r = a->cundo && (redo ? nb_undo_redo : nb_undo_undo)(a->cundo, a->doc, &at, &n);
	if (!r) {
		app_msg(a, 0, redo ? "nothing to redo" : "no cell operation to undo");
		return;
	}
	app_invalidate_all(a);
	app_focus(a, at < ncells(a) ? at : ncells(a) - 1);
	if (n > 1) {
		a->sel_on = 1;
		a->sel_anchor = at + n - 1;
	}
	app_msg(a, 0, redo ? "redone (z undoes)" : "undone (Z redoes)");
}

void co_undo(struct app *a)
{
	undo_redo(a, 0);
}

void co_redo(struct app *a)
{
	undo_redo(a, 1);
}

void co_reset(struct app *a)
{
	nb_undo_free(a->cundo);
	a->cundo = NULL;
	a->sel_on = 0;
	ec_free(a);
}

void co_forget(struct app *a)
{
	rp_end(a);
	co_reset(a);
	co_clip_clear(a);
	free(a->clip);
	a->clip = NULL;
}

/* ---- operations ---- */

static void insert_at(struct app *a, size_t at)
{
	begin(a, at, 0);
	nb_doc_insert(a->doc, at, NB_CODE);
	end(a, at);
}

void co_insert_above(struct app *a)
{
	insert_at(a, a->cur);
}

void co_insert_below(struct app *a)
{
	insert_at(a, a->cur + 1);
}

void co_clip_clear(struct app *a)
{
	for (size_t i = 0; i < a->nclip; i++)
		nb_cell_free(a->clip[i]);
	a->nclip = 0;
}

/* The cells [lo, hi) into the clipboard as copies. */
static void clip_fill(struct app *a, size_t lo, size_t hi)
{
	struct nb_cell **p;

	co_clip_clear(a);
	if (hi <= lo || !(p = realloc(a->clip, (hi - lo) * sizeof *p)))
		return;
	a->clip = p;
	for (size_t i = lo; i < hi; i++)
		if ((p[a->nclip] = nb_cell_copy(a->doc, nb_doc_cell(a->doc, i))))
			a->nclip++;
}

void co_copy(struct app *a)
{
	size_t lo, hi, n;

	app_commit_edit(a);
	nb_out_sync(a->out);
	n = range(a, &lo, &hi);
	clip_fill(a, lo, hi);
	app_msg(a, 0, "%zu cell%s copied", n, n > 1 ? "s" : "");
}

static size_t remove_range(struct app *a, int to_clip)
{
	size_t lo, hi, n = range(a, &lo, &hi);

	begin(a, lo, n);
	if (to_clip)
		clip_fill(a, lo, hi);
	for (size_t i = lo; i < hi; i++)
		nb_cell_free(nb_doc_take(a->doc, lo));
	end(a, lo);
	return n;
}

void co_delete(struct app *a)
{
	size_t n = remove_range(a, 0);

	app_msg(a, 0, "%zu cell%s deleted (z brings %s back)", n, n > 1 ? "s" : "",
	        n > 1 ? "them" : "it");
}

void co_cut(struct app *a)
{
	size_t n = remove_range(a, 1);

	app_msg(a, 0, "%zu cell%s cut (v pastes %s)", n, n > 1 ? "s" : "", n > 1 ? "them" : "it");
}

static void paste_at(struct app *a, size_t at)
{
	size_t k = 0;

	if (!a->nclip) {
		app_msg(a, 0, "nothing to paste");
		return;
	}
	begin(a, at, 0);
	for (size_t i = 0; i < a->nclip; i++) {
		struct nb_cell *c = nb_cell_copy(a->doc, a->clip[i]);
		if (c)
			nb_doc_put(a->doc, at + k++, c);
	}
	end(a, at);
}

void co_paste_below(struct app *a)
{
	size_t lo, hi;

	range(a, &lo, &hi);
	paste_at(a, hi);
}

void co_paste_above(struct app *a)
{
	size_t lo, hi;

	range(a, &lo, &hi);
	paste_at(a, lo);
}

static void move_by(struct app *a, int d)
{
	size_t lo, hi, n = range(a, &lo, &hi), anchor = a->sel_anchor;
	int sel = a->sel_on;
	struct nb_cell *c;

	if (!n || (d < 0 && lo == 0) || (d > 0 && hi >= ncells(a)))
		return;
	begin(a, d < 0 ? lo - 1 : lo, n + 1);
	if (d < 0) {
		c = nb_doc_take(a->doc, lo - 1);
		nb_doc_put(a->doc, hi - 1, c);
	} else {
		c = nb_doc_take(a->doc, hi);
		nb_doc_put(a->doc, lo, c);
	}
	end(a, d < 0 ? a->cur - 1 : a->cur + 1);
	if (sel) {
		a->sel_on = 1;
		a->sel_anchor = d < 0 ? anchor - 1 : anchor + 1;
	}
}

void co_move_up(struct app *a)
{
	move_by(a, -1);
}

void co_move_down(struct app *a)
{
	move_by(a, 1);
}

void co_merge(struct app *a)
{
	size_t lo, hi, n = range(a, &lo, &hi), len = 0;
	char *s, *p;

	if (n < 2)
		hi = lo + 2;
	if (hi > ncells(a)) {
		app_msg(a, 0, "no next cell to merge with");
		return;
	}
	begin(a, lo, hi - lo);
	for (size_t i = lo; i < hi; i++)
		len += strlen(nb_cell_source(nb_doc_cell(a->doc, i))) + 1;
	if (!(p = s = malloc(len + 1)))
		return;
	for (size_t i = lo; i < hi; i++) {
		const char *t = nb_cell_source(nb_doc_cell(a->doc, i));
		size_t l = strlen(t);

		if (i > lo)
			*p++ = '\n';
		memcpy(p, t, l);
		p += l;
	}
	*p = 0;
	nb_cell_set_source(nb_doc_cell(a->doc, lo), s);
	free(s);
	for (size_t i = lo + 1; i < hi; i++)
		nb_cell_free(nb_doc_take(a->doc, lo + 1));
	end(a, lo);
	app_msg(a, 0, "merged %zu cells", hi - lo);
}

void co_split(struct app *a)
{
	struct nb_cell *c = nb_doc_cell(a->doc, a->cur), *n;
	size_t at = a->cur, len;
	char *rest;

	if (!a->ed || !c)
		return;
	app_commit_edit(a);
	snap(a, at, 1);
	if (!(rest = editor_split(a->ed, &len)))
		return;
	app_edit_stop(a); /* the first part into the cell */
	if ((n = nb_doc_insert(a->doc, at + 1, nb_cell_type(c))))
		nb_cell_set_source(n, rest);
	free(rest);
	end(a, at + 1);
	app_edit_start(a);
	if (a->ed)
		editor_top(a->ed);
}

static void set_type(struct app *a, enum nb_cell_type t)
{
	size_t lo, hi, n = range(a, &lo, &hi), k = 0;

	for (size_t i = lo; i < hi; i++)
		k += nb_cell_type(nb_doc_cell(a->doc, i)) != t;
	if (!k)
		return;
	begin(a, lo, n);
	for (size_t i = lo; i < hi; i++)
		nb_cell_set_type(nb_doc_cell(a->doc, i), t);
	if (a->cundo)
		nb_undo_end(a->cundo, a->doc);
	app_invalidate_all(a);
}

void co_to_code(struct app *a)
{
	set_type(a, NB_CODE);
}

void co_to_markdown(struct app *a)
{
	set_type(a, NB_MARKDOWN);
}

void co_to_raw(struct app *a)
{
	set_type(a, NB_RAW);
}

/* ---- running ---- */

/* Runs the selection or the focused cell; returns the index after the last one run. */
static size_t run(struct app *a)
{
	size_t lo, hi;

	app_edit_stop(a);
	range(a, &lo, &hi);
	app_run_range(a, lo, hi);
	if (!a->kernel_ready && a->kc && !a->kernel_dead)
		app_msg(a, 0, "queued: runs when the kernel is ready");
	return hi;
}

void co_run(struct app *a)
{
	run(a);
}

void co_run_advance(struct app *a)
{
	size_t next = run(a);

	if (next >= ncells(a))
		insert_at(a, ncells(a));
	app_focus(a, next);
}

void co_run_insert(struct app *a)
{
	size_t next = run(a);

	insert_at(a, next);
	app_edit_start(a);
}
