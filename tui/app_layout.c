// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * The notebook screen's layout cache and scrolling: each cell's layout (tui/render.c) is kept
 * with what it was made from (width, focus, editing, running, fold, attribution) and made again
 * only when one of those changed or the cell was invalidated; the view draws from it, and the
 * scrolling below measures cells with it. The attribution view's labels are filled here too.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tui/app.h"
#include "tui/highlight.h"
#include "tui/markdown.h"
#include "tui/threadkind.h"

/* ---- the layout cache ---- */

static int cache_fit(struct app *a)
{
	size_t n = nb_doc_ncells(a->doc);

	if (n > a->ncache) {
		struct app_cache *c = realloc(a->cache, n * sizeof *c);
		if (!c)
			return -1;
		memset(c + a->ncache, 0, (n - a->ncache) * sizeof *c);
		a->cache = c;
		a->ncache = n;
	}
	return 0;
}

void app_invalidate(struct app *a, size_t i)
{
	if (i < a->ncache)
		a->cache[i].valid = 0;
	a->need_draw = 1;
}

void app_invalidate_id(struct app *a, const char *id)
{
	struct nb_cell *c = nb_doc_find(a->doc, id);

	if (c)
		app_invalidate(a, (size_t)nb_doc_index(a->doc, c));
}

void app_invalidate_all(struct app *a)
{
	for (size_t i = 0; i < a->ncache; i++)
		a->cache[i].valid = 0;
	a->need_draw = 1;
}

int app_cell_unfolded(struct app *a, const char *id)
{
	for (size_t i = 0; i < a->nunfolded; i++)
		if (!strcmp(a->unfolded[i], id))
			return 1;
	return 0;
}

void app_toggle_unfold(struct app *a, const char *id)
{
	for (size_t i = 0; i < a->nunfolded; i++)
		if (!strcmp(a->unfolded[i], id)) {
			free(a->unfolded[i]);
			a->unfolded[i] = a->unfolded[--a->nunfolded];
			return;
		}
	char **u = realloc(a->unfolded, (a->nunfolded + 1) * sizeof *u);
	if (!u)
		return;
	a->unfolded = u;
	if ((u[a->nunfolded] = strdup(id)))
		a->nunfolded++;
}

const char *app_lang_name(struct app *a)
{
	json_t *md = nb_doc_metadata(a->doc);
	const char *l = json_string_value(
		json_object_get(json_object_get(md, "language_info"), "name"));

	if (!l)
		l = json_string_value(json_object_get(json_object_get(md, "kernelspec"), "language"));
	if (!l && a->kc && kc_client_info(a->kc))
		l = json_string_value(json_object_get(
			json_object_get(kc_client_info(a->kc), "language_info"), "name"));
	return l ? l : "python";
}

static enum hl_lang app_lang(struct app *a)
{
	return hl_lang_find(app_lang_name(a));
}

const struct rd_layout *app_layout(struct app *a, size_t i)
{
	struct nb_cell *cell = nb_doc_cell(a->doc, i);
	struct app_cache *c, want;
	struct rd_cell_in in;
	const char *id;
	int run;

	if (!cell || cache_fit(a) < 0)
		return NULL;
	id = nb_cell_id(cell);
	c = &a->cache[i];
	memset(&want, 0, sizeof want);
	want.width = a->cols;
	want.gutter = a->attribution ? RD_GUTTER_ATTRIB : RD_GUTTER;
	want.focused = i == a->cur || co_selected(a, i);
	want.editing = a->ed && !strcmp(a->edit_id, id);
	run = app_running_index(a, NULL);
	want.running = run >= 0 && (size_t)run == i;
	want.queued = app_cell_queued(a, id);
	want.unfolded = app_cell_unfolded(a, id);
	want.tail = want.running;
	want.note = a->kernel_dead && !strcmp(a->dead_cell, id) ? 1
		    /* the output model's cell for output with no cell (docs/attribution.md) */
		    : json_is_true(json_object_get(json_object_get(nb_cell_metadata(cell), "bobbin"),
						   "stray_outputs")) ? 2 : 0;
	want.input = mode_on(a, &mode_input) && !strcmp(a->input_cell, id);
	want.count = nb_cell_execution_count(cell);
	want.edver = want.editing ? editor_version(a->ed) : 0;
	if (c->valid && c->width == want.width && c->gutter == want.gutter &&
	    c->focused == want.focused && c->editing == want.editing &&
	    c->running == want.running && c->queued == want.queued &&
	    c->unfolded == want.unfolded && c->tail == want.tail && c->note == want.note &&
	    c->input == want.input && c->count == want.count && c->edver == want.edver)
		return &c->lay;

	memset(&in, 0, sizeof in);
	in.type = nb_cell_type(cell);
	if (want.editing)
		in.src = editor_text(a->ed, &in.srclen);
	else {
		in.src = nb_cell_source(cell);
		in.srclen = strlen(in.src);
	}
	unsigned char *roles = NULL;
	if (in.type == NB_CODE && in.srclen && (roles = malloc(in.srclen))) {
		hl_fill(app_lang(a), in.src, in.srclen, roles);
		in.roles = roles;
	}
	in.outputs = in.type == NB_CODE ? nb_cell_outputs(cell) : NULL;
	if (in.outputs && !nb_out_live(a->out, id, &in.live_out, &in.live_text, &in.live_len,
				       &in.live_lines))
		in.live_out = NULL;
	in.exec_count = want.count;
	in.running = want.running;
	in.queued = want.queued;
	in.width = a->cols;
	in.gutter = want.gutter;
	in.fold_height = a->cfg.fold_height;
	in.unfolded = want.unfolded;
	in.tail = want.tail;
	in.focused = want.focused;
	in.editing = want.editing;
	in.ascii = !a->utf8;
	in.numbers = a->cfg.line_numbers;
	in.note = want.note == 1 ? "kernel died while running this cell (0 0 or :restart restarts it)"
		  : want.note == 2 ? "stray output: its cell was deleted or is unknown (W lists each)"
				   : NULL;
	in.input_prompt = want.input ? a->input_prompt : NULL;
	struct mime_opts mo;
	app_mime_opts(a, &mo, 0);
	in.mime = &mo;
	if (a->attribution) {
		in.attrib = app_attrib;
		in.attrib_ud = a;
		/* the callback needs the cell: pass it through the edit id slot */
		snprintf(a->pending_attrib_cell, sizeof a->pending_attrib_cell, "%s", id);
	}
	/* markdown shown rendered unless being edited */
	struct md_line *md = NULL;
	size_t nmd = 0;
	struct rd_mdline *mdl = NULL;
	struct rd_mdspan *mds = NULL;
	if (in.type == NB_MARKDOWN && !want.editing) {
		struct md_render_opts mo = {.ascii = !a->utf8,
					    .strike_marks = a->depth == THEME_DEPTH_NONE};
		int tw = a->cols - want.gutter - 3;

		md = md_render_ex(in.src, in.srclen, tw < 8 ? 8 : tw, &mo, &nmd);
		size_t nsp = 0;
		for (size_t k = 0; md && k < nmd; k++)
			nsp += md[k].n + 1;
		mdl = calloc(nmd ? nmd : 1, sizeof *mdl);
		mds = calloc(nsp ? nsp : 1, sizeof *mds);
		if (md && mdl && mds) {
			static const char spaces[] = "                                        ";
			size_t o = 0;
			for (size_t k = 0; k < nmd; k++) {
				mdl[k].spans = &mds[o];
				if (md[k].indent > 0) {
					int ind = md[k].indent < 40 ? md[k].indent : 40;
					mds[o++] = (struct rd_mdspan){spaces, (size_t)ind, THEME_NORMAL, 0};
				}
				for (size_t j = 0; j < md[k].n; j++)
					mds[o++] = (struct rd_mdspan){md[k].spans[j].text,
								      strlen(md[k].spans[j].text),
								      md[k].spans[j].role,
								      md[k].spans[j].attrs};
				mdl[k].nspans = (size_t)(&mds[o] - mdl[k].spans);
			}
			in.md = mdl;
			in.nmd = nmd;
		}
	}
	want.lay = c->lay;
	int rc = rd_cell(&in, &want.lay);
	free(mdl);
	free(mds);
	md_free(md, nmd);
	if (rc < 0) {
		free(roles);
		c->lay = want.lay;
		c->valid = 0;
		return NULL;
	}
	free(roles);
	want.valid = 1;
	*c = want;
	return &c->lay;
}

/* ---- attribution labels (the attribution view) ---- */

/* The marks of an output sum up every provenance its chunks had (a stream output continues
 * across writers, docs/attribution.md): the label is its first writer's thread ("+" when other
 * threads wrote to it too), then an origin mark, late and stray if any chunk was. */
int app_attrib(void *ud, size_t out_index, struct rd_attrib *at)
{
	struct app *a = ud;
	const char *cell = a->pending_attrib_cell;
	const struct nb_prov *p = nb_out_prov(a->out, cell, out_index), *q;
	const char *name = NULL, *origin = NULL, *kind = NULL;
	unsigned flags = 0;
	int n = 0, more_threads = 0;

	if (!p)
		return -1;
	for (size_t k = 0; (q = k ? nb_out_prov_part(a->out, cell, out_index, k - 1) : p); k++) {
		if (q->flags & NB_PROV_THREAD) {
			const char *nm = q->thread_name ? q->thread_name : "thread";

			if (!name) {
				name = nm;
				kind = q->origin_kind;
			}
			else if (strcmp(name, nm))
				more_threads = 1;
		}
		if (!origin && q->origin_cell && q->parent_cell &&
		    strcmp(q->origin_cell, q->parent_cell))
			origin = q->origin_cell;
		flags |= q->flags;
	}
	if (name) {
		/* ipykernel's fd watcher carries what subprocesses and C code write: say that */
		char *safe = tk_is_fd(name, kind) ? strdup("fd output")
						    : st_plain(name, strlen(name), NULL);
		unsigned h = 0;

		for (const char *s = name; *s; s++)
			h = h * 31 + (unsigned char)*s;
		snprintf(at->label, sizeof at->label, "%.*s%s",
			 RD_GUTTER_ATTRIB - 2 - more_threads, safe ? safe : "?",
			 more_threads ? "+" : "");
		free(safe);
		/* MainThread keeps the first colour; others by a hash of their name */
		at->label_role = !strcmp(name, "MainThread") ? THEME_THREAD_1
							     : THEME_THREAD((int)(h % 7) + 2);
	}
	if (origin) {
		struct nb_cell *oc = nb_doc_find(a->doc, origin);
		long oi = oc ? nb_doc_index(a->doc, oc) : -1;

		n += snprintf(at->marks + n, sizeof at->marks - (size_t)n, "  %s [%ld]",
			      a->utf8 ? "↩" : "<-", oi + 1);
		at->marks_role = THEME_ORIGIN_MARK;
	}
	if (flags & NB_PROV_LATE && n < (int)sizeof at->marks) {
		n += snprintf(at->marks + n, sizeof at->marks - (size_t)n, "  late");
		at->marks_role = THEME_LATE_MARK;
	}
	if (flags & (NB_PROV_STRAY | NB_PROV_ORPHAN) && n < (int)sizeof at->marks) {
		snprintf(at->marks + n, sizeof at->marks - (size_t)n, "  stray");
		at->marks_role = THEME_STRAY_MARK;
	}
	return 0;
}

/* ---- scrolling ---- */

static long cell_height(struct app *a, size_t i)
{
	const struct rd_layout *l = app_layout(a, i);
	return l ? (long)l->nrows : 1;
}

void app_scroll_rows(struct app *a, long r)
{
	size_t n = nb_doc_ncells(a->doc);

	a->top_off += (int)r;
	while (a->top_off < 0 && a->top > 0) {
		a->top--;
		a->top_off += (int)cell_height(a, a->top);
	}
	if (a->top_off < 0)
		a->top_off = 0;
	while (a->top + 1 < n && a->top_off >= cell_height(a, a->top)) {
		a->top_off -= (int)cell_height(a, a->top);
		a->top++;
	}
	a->need_draw = 1;
}

void app_scroll_into_view(struct app *a)
{
	long H = view_text_rows(a), y = 0, lo, hi;
	size_t i;

	if (a->cur < a->top || (a->cur == a->top && a->top_off > 0 && !a->ed)) {
		a->top = a->cur;
		a->top_off = 0;
		return;
	}
	if (a->cur - a->top > 200) { /* a long jump: start from the cell itself */
		a->top = a->cur;
		a->top_off = 0;
		app_scroll_rows(a, -(H - cell_height(a, a->cur)));
		return;
	}
	y = -a->top_off;
	for (i = a->top; i < a->cur; i++)
		y += cell_height(a, i);
	lo = y;
	hi = y + cell_height(a, a->cur) - 1;
	if (a->ed) {
		const struct rd_layout *l = app_layout(a, a->cur);
		long r = l ? rd_cursor_row(l, editor_cursor_line(a->ed), editor_cursor_col(a->ed),
					   NULL)
			   : 0;
		lo = hi = y + (r < 0 ? 0 : r);
		if (lo < 0) {
			app_scroll_rows(a, lo);
			return;
		}
	}
	if (hi >= H) {
		long d = hi - H + 1;
		if (!a->ed && d > lo)
			d = lo; /* keep the cell's top on screen */
		if (d > 0)
			app_scroll_rows(a, d);
	}
	a->need_draw = 1;
}

void app_show_end(struct app *a, size_t i)
{
	long H = view_text_rows(a), h;

	app_invalidate(a, i);
	h = cell_height(a, i);
	a->top = i;
	a->top_off = h > H ? (int)(h - H) : 0;
	if (h < H)
		app_scroll_rows(a, -(H - h) / 2);
}

void app_focus(struct app *a, size_t i)
{
	size_t n = nb_doc_ncells(a->doc);

	if (!n)
		return;
	if (i >= n)
		i = n - 1;
	if (a->ed && i != a->cur)
		app_edit_stop(a);
	app_invalidate(a, a->cur);
	a->cur = i;
	app_invalidate(a, i);
	app_scroll_into_view(a);
}
