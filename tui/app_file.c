// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * The notebook screen's file: reading a notebook (a large one a slice at a time, so the first
 * screen shows before the whole file is read), attaching it to a new output model, saving it
 * (never over a file changed on disk unless forced), opening another (:e), and quitting, which
 * asks when there are unsaved changes.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tui/app.h"

/* ---- saving and quitting ---- */

int app_save(struct app *a, const char *path, int force)
{
	struct nb_error err = {0};
	char oldrec[4200] = "";

	app_commit_edit(a);
	nb_out_sync(a->out);
	if (!path && !a->path[0]) {
		app_msg(a, 1, "no file name: :w FILE.ipynb");
		return -1;
	}
	if (path && a->path[0])
		rec_path(a->path, oldrec, sizeof oldrec);
	/* A document restored from the recovery file was loaded from there: :w writes it to the
	 * notebook it stands for, which is no "other file" for the document. */
	if (!path && a->path[0] && nb_doc_path(a->doc) && strcmp(nb_doc_path(a->doc), a->path))
		force = 1;
	if (nb_doc_save(a->doc, path ? path : a->path, force, &err) < 0) {
		/* "...; not saved (save with force ...)": said the front end's way */
		char *cut = strstr(err.text, "; not saved (save with force");

		if (cut)
			*cut = 0;
		app_msg(a, 1, "not saved: %s%s", err.text,
			!cut ? "" : path ? " (:w! FILE overwrites)" : " (:w! overwrites)");
		return -1;
	}
	if (oldrec[0])
		unlink(oldrec);
	if (path)
		snprintf(a->path, sizeof a->path, "%s", path);
	rec_remove(a);
	app_msg(a, 0, "saved %s (%zu cells)", a->path, nb_doc_ncells(a->doc));
	return 0;
}

static void quit_answer(struct app *a, int key)
{
	if (key == 'y' || key == 'Y') {
		if (app_save(a, NULL, 0) == 0)
			a->quit = 1;
	} else if (key == 'n' || key == 'N') {
		rec_remove(a);
		a->quit = 1;
	} else {
		app_msg(a, 0, "not quitting");
	}
}

void app_quit(struct app *a, int force)
{
	app_commit_edit(a);
	if (!force && nb_doc_dirty(a->doc)) {
		app_ask(a, quit_answer, "Unsaved changes. Save before quitting? (y)es (n)o (c)ancel");
		return;
	}
	if (force)
		rec_remove(a);
	a->quit = 1;
}

static void notify(void *ud, const char *cell_id)
{
	struct app *a = ud;

	app_invalidate_id(a, cell_id);
	a->outputs_changed = 1;
}

struct nb_doc *app_doc_open(const char *path, size_t first, int *is_new, char *why, size_t size)
{
	struct nb_error err = {0};
	struct nb_doc *d;
	struct stat st;

	*is_new = 0;
	if (!path)
		return (*is_new = 1), nb_doc_new();
	if (stat(path, &st) < 0 && errno == ENOENT) {
		*is_new = 1;
		return nb_doc_new();
	}
	if (!(d = first ? nb_doc_open(path, first, &err) : nb_doc_load(path, &err)))
		snprintf(why, size, "%s", err.text);
	return d;
}

int app_load_more(struct app *a, size_t budget)
{
	struct nb_error err = {0};
	int r;

	if (!nb_doc_loading(a->doc))
		return 0;
	r = nb_doc_load_more(a->doc, budget, &err);
	if (r < 0) {
		snprintf(a->load_err, sizeof a->load_err, "%s", err.text);
		a->quit = 3;
		return -1;
	}
	a->need_draw = 1;
	if (r > 0) {
		app_invalidate_all(a); /* the cells' ids and warnings are settled now */
		hb_load_note(a);
		if (a->kernel_pending)
			app_kernel_for_doc(a);
	}
	return 0;
}

void app_doc_attach(struct app *a, struct nb_doc *d)
{
	nb_out_free(a->out);
	if (a->doc && a->doc != d)
		nb_doc_free(a->doc);
	a->doc = d;
	a->out = nb_out_new(d);
	nb_out_set_notify(a->out, notify, a);
	nb_out_set_limit(a->out, a->cfg.output_limit);
	nb_out_set_save_attribution(a->out, a->cfg.save_attribution);
	for (size_t i = 0; i < a->ncache; i++)
		rd_layout_clear(&a->cache[i].lay);
	free(a->cache);
	a->cache = NULL;
	a->ncache = 0;
	a->cur = a->top = 0;
	a->top_off = 0;
	a->nexec = 0;
	a->need_draw = a->full_redraw = 1;
	co_reset(a);
}

int app_load(struct app *a, const char *path, int force)
{
	char why[300] = "";
	int is_new;
	struct nb_doc *d;

	app_commit_edit(a);
	if (!force && nb_doc_dirty(a->doc)) {
		app_msg(a, 1, "unsaved changes: :w first, or :e! FILE to drop them");
		return -1;
	}
	if (!(d = app_doc_open(path, 0, &is_new, why, sizeof why))) {
		app_msg(a, 1, "%s", why);
		return -1;
	}
	app_edit_stop(a);
	rec_remove(a);
	app_doc_attach(a, d);
	snprintf(a->path, sizeof a->path, "%s", path);
	app_msg(a, 0, "%s%s", path, is_new ? " (new)" : "");
	hb_load_note(a);
	return 0;
}
