// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * `bobbin [NOTEBOOK.ipynb]`: the notebook screen. This file owns start-up (options, the
 * notebook, the kernel — started without blocking so the screen shows "starting"), the one
 * zmq_poll loop over the kernel's sockets, the terminal and the signal pipe, the kernel's
 * callbacks (which only feed the output model and set flags), cell execution, saving and
 * quitting, and the layout cache the view draws from.
 */
#include <errno.h>
#include <libgen.h>
#include <locale.h>
#include <signal.h>
#include <langinfo.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tui/app.h"
#include "tui/cmd.h"
#include "tui/highlight.h"
#include "tui/markdown.h"
#include "tui/sigpipe.h"
#include "tui/threadkind.h"
#include "tui/tout.h"

/* ---- messages and questions ---- */

void app_msg(struct app *a, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(a->msg, sizeof a->msg, fmt, ap);
	va_end(ap);
	a->msg_err = err;
	a->need_draw = 1;
}

void app_ask(struct app *a, void (*cb)(struct app *a, int key), const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(a->ask, sizeof a->ask, fmt, ap);
	va_end(ap);
	a->ask_cb = cb;
	if (a->mode != MODE_ASK)
		a->back_mode = a->mode;
	a->mode = MODE_ASK;
	a->need_draw = 1;
}

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

int app_running_index(struct app *a, long *elapsed)
{
	struct nb_cell *c;

	if (!a->nexec || !a->execs[0].msg_id[0])
		return -1;
	if (elapsed)
		*elapsed = (long)(sigpipe_now_ms() - a->execs[0].start_ms);
	c = nb_doc_find(a->doc, a->execs[0].cell_id);
	return c ? (int)nb_doc_index(a->doc, c) : -1;
}

int app_cell_queued(struct app *a, const char *id)
{
	for (size_t i = 1; i < a->nexec; i++)
		if (!strcmp(a->execs[i].cell_id, id))
			return 1;
	return a->nexec && !a->execs[0].msg_id[0] && !strcmp(a->execs[0].cell_id, id);
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
	want.input = a->mode == MODE_INPUT && !strcmp(a->input_cell, id);
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
		struct md_render_opts mo = {.ascii = !a->utf8};
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

/* ---- editing ---- */

void app_commit_edit(struct app *a)
{
	struct nb_cell *c;
	const char *t;

	if (!a->ed || !(c = nb_doc_find(a->doc, a->edit_id)))
		return;
	t = editor_text(a->ed, NULL);
	if (strcmp(t, nb_cell_source(c)))
		nb_cell_set_source(c, t);
}

void app_edit_start(struct app *a)
{
	struct nb_cell *c = nb_doc_cell(a->doc, a->cur);
	const char *s;

	if (!c)
		return;
	s = nb_cell_source(c);
	if (!a->ed && (a->ed = ec_take(a, nb_cell_id(c), s))) {
		/* the cell's editor from before, with its undo and cursor */
	} else {
		if (!a->ed && !(a->ed = editor_new()))
			return;
		editor_set_text(a->ed, s, strlen(s));
		editor_bottom(a->ed);
	}
	snprintf(a->edit_id, sizeof a->edit_id, "%s", nb_cell_id(c));
	a->mode = MODE_EDIT;
	app_invalidate(a, a->cur);
	app_scroll_into_view(a);
}

void app_edit_stop(struct app *a)
{
	struct nb_cell *c;

	if (!a->ed)
		return;
	app_commit_edit(a);
	c = nb_doc_find(a->doc, a->edit_id);
	ec_keep(a, a->edit_id, a->ed);
	a->ed = NULL;
	a->edit_id[0] = 0;
	if (a->mode == MODE_EDIT || a->mode == MODE_POPUP)
		a->mode = MODE_COMMAND;
	if (c)
		app_invalidate(a, (size_t)nb_doc_index(a->doc, c));
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

/* ---- execution ---- */

static struct app_exec *exec_find(struct app *a, const char *msg_id)
{
	for (size_t i = 0; i < a->nexec; i++)
		if (!strcmp(a->execs[i].msg_id, msg_id))
			return &a->execs[i];
	return NULL;
}

static void cell_changed_id(struct app *a, const char *id)
{
	struct nb_cell *c = nb_doc_find(a->doc, id);
	if (c)
		app_invalidate(a, (size_t)nb_doc_index(a->doc, c));
}

static void on_exec_reply(struct kc_client *kc, const char *msg_id, enum kc_status st,
			  const struct kc_msg *reply, void *ud)
{
	struct app *a = ud;
	struct app_exec *e = exec_find(a, msg_id);
	size_t i;

	if (reply)
		nb_out_reply(a->out, msg_id, "execute_reply", reply->content);
	if (kc_client_output_lost(kc))
		nb_out_lost(a->out, msg_id);
	if (!e)
		return;
	i = (size_t)(e - a->execs);
	if (st == KC_CANCELLED && i == 0 && kc_client_state(kc) == KC_DEAD && !a->dead_cell[0])
		snprintf(a->dead_cell, sizeof a->dead_cell, "%s", e->cell_id);
	cell_changed_id(a, e->cell_id);
	memmove(&a->execs[i], &a->execs[i + 1], (a->nexec - i - 1) * sizeof *a->execs);
	a->nexec--;
	if (i == 0 && a->nexec) {
		a->execs[0].start_ms = sigpipe_now_ms();
		cell_changed_id(a, a->execs[0].cell_id);
	}
	a->need_draw = 1;
}

/* Running something on a kernel other than the one the notebook names makes it the notebook's. */
static void ks_apply(struct app *a)
{
	json_t *md = nb_doc_metadata(a->doc);
	const char *name;
	char old[128];

	if (!a->pending_ks)
		return;
	/* a copy: replacing the kernelspec frees the old name */
	name = json_string_value(json_object_get(json_object_get(md, "kernelspec"), "name"));
	snprintf(old, sizeof old, "%s", name ? name : "not set");
	json_object_set(md, "kernelspec", a->pending_ks);
	nb_doc_set_dirty(a->doc);
	app_msg(a, 0, "metadata.kernelspec is now %s (was %s)",
		json_string_value(json_object_get(a->pending_ks, "name")), old);
	json_decref(a->pending_ks);
	a->pending_ks = NULL;
}

static void exec_send(struct app *a, struct app_exec *e)
{
	struct nb_cell *c = nb_doc_find(a->doc, e->cell_id);
	const char *id;

	if (!c || !a->kc)
		return;
	ks_apply(a);
	id = kc_client_execute(a->kc, nb_cell_source(c), 0, on_exec_reply, a);
	if (!id) {
		app_msg(a, 1, "could not run the cell: %s", kc_client_strerror(a->kc));
		return;
	}
	snprintf(e->msg_id, sizeof e->msg_id, "%s", id);
	e->start_ms = sigpipe_now_ms();
	nb_out_request(a->out, id, e->cell_id, NB_REQ_EXECUTE);
}

void app_run_cell(struct app *a, size_t index)
{
	struct nb_cell *c = nb_doc_cell(a->doc, index);
	struct app_exec *e;

	if (!c)
		return;
	if (a->ed && !strcmp(a->edit_id, nb_cell_id(c)))
		app_commit_edit(a);
	if (nb_cell_type(c) != NB_CODE) {
		app_invalidate(a, index);
		return;
	}
	if (!a->kc) {
		app_msg(a, 1, "no kernel: pick one with :kernel NAME");
		return;
	}
	if (a->kernel_dead) {
		app_msg(a, 1, "the kernel is dead: 0 0 or :restart to restart it");
		return;
	}
	if (a->nexec == a->capexec) {
		size_t cap = a->capexec ? a->capexec * 2 : 16;
		struct app_exec *x = realloc(a->execs, cap * sizeof *x);
		if (!x)
			return;
		a->execs = x;
		a->capexec = cap;
	}
	e = &a->execs[a->nexec++];
	memset(e, 0, sizeof *e);
	snprintf(e->cell_id, sizeof e->cell_id, "%s", nb_cell_id(c));
	if (a->kernel_ready)
		exec_send(a, e);
	app_invalidate(a, index);
}

void app_run_range(struct app *a, size_t from, size_t to)
{
	for (size_t i = from; i < to && i < nb_doc_ncells(a->doc); i++)
		app_run_cell(a, i);
}

/* ---- kernel ---- */

static void on_iopub(struct kc_client *kc, const struct kc_msg *m, void *ud)
{
	struct app *a = ud;

	nb_out_iopub(a->out, m->msg_type, m->parent_id, m->content, m->metadata);
	if (!strcmp(m->msg_type, "status") && a->nexec && !strcmp(m->parent_id, a->execs[0].msg_id)) {
		const char *s = json_string_value(json_object_get(m->content, "execution_state"));
		if (s && !strcmp(s, "busy"))
			a->execs[0].start_ms = sigpipe_now_ms();
	}
}

static void on_input(struct kc_client *kc, const struct kc_msg *m, const char *prompt,
		     int password, void *ud)
{
	struct app *a = ud;
	struct app_exec *e = exec_find(a, m->parent_id);
	char *safe = st_plain(prompt, strlen(prompt), NULL);
	struct nb_cell *c;

	snprintf(a->input_prompt, sizeof a->input_prompt, "%s", safe ? safe : "");
	free(safe);
	a->input_password = password;
	snprintf(a->input_parent, sizeof a->input_parent, "%s", m->parent_id);
	snprintf(a->input_cell, sizeof a->input_cell, "%s", e ? e->cell_id : "");
	if (a->ed)
		app_edit_stop(a);
	if (a->mode != MODE_COMMAND)
		a->mode = MODE_COMMAND;
	cl_start(a, 'i', a->input_prompt);
	if ((c = nb_doc_find(a->doc, a->input_cell))) {
		/* show the prompt row (the cell's last) without moving the focus */
		size_t i = (size_t)nb_doc_index(a->doc, c);
		long H = view_text_rows(a), h;

		app_invalidate(a, i);
		h = cell_height(a, i);
		a->top = i;
		a->top_off = h > H ? (int)(h - H) : 0;
		if (h < H)
			app_scroll_rows(a, -(H - h) / 2);
	}
}

static void kernel_became_ready(struct app *a)
{
	a->kernel_ready = 1;
	for (size_t i = 0; i < a->nexec; i++)
		if (!a->execs[i].msg_id[0])
			exec_send(a, &a->execs[i]);
	if (!a->kopts.no_agent && a->cfg.agent && kc_routing_status(a->kc) == KC_ROUTING_OFF)
		kc_routing_enable(a->kc);
}

static void on_state(struct kc_client *kc, enum kc_state st, void *ud)
{
	struct app *a = ud;

	a->need_draw = 1;
	if (st == KC_DEAD) {
		a->kernel_dead = 1;
		if (a->nexec && a->execs[0].msg_id[0] && !a->dead_cell[0])
			snprintf(a->dead_cell, sizeof a->dead_cell, "%s", a->execs[0].cell_id);
		if (a->mode == MODE_INPUT)
			cl_cancel(a);
		{
			struct nb_cell *c = a->dead_cell[0] ? nb_doc_find(a->doc, a->dead_cell) : NULL;
			if (c)
				app_msg(a, 1, "the kernel died while running cell %ld — 0 0 or :restart",
					nb_doc_index(a->doc, c) + 1);
			else
				app_msg(a, 1, "the kernel died — 0 0 or :restart restarts it");
		}
		app_invalidate_all(a);
		return;
	}
	if ((st == KC_IDLE || st == KC_BUSY) && !a->kernel_ready)
		kernel_became_ready(a);
}

static void on_routing(struct kc_client *kc, const char *event, json_t *data, void *ud)
{
	tp_on_routing(ud, event, data);
}

static void set_handlers(struct app *a)
{
	struct kc_handlers h = {.iopub = on_iopub,
				.input = on_input,
				.state = on_state,
				.routing = on_routing,
				.ud = a};
	kc_client_set_handlers(a->kc, &h);
}

static void kernel_drop(struct app *a)
{
	size_t k = 0;

	if (a->kc) {
		kc_client_free(a->kc, 0);
		a->kc = NULL;
	}
	/* cells queued but not yet sent (the kernel was still starting) wait for the next kernel;
	 * those sent to this one are gone with it */
	for (size_t i = 0; i < a->nexec; i++)
		if (!a->execs[i].msg_id[0])
			a->execs[k++] = a->execs[i];
	a->nexec = k;
	a->kernel_ready = 0;
	a->kernel_dead = 0;
	a->dead_cell[0] = 0;
}

static void open_picker(struct app *a, const char *why)
{
	size_t n = 0;
	struct kc_kernelspec **l = kc_kernelspec_list(&n, NULL);

	free(a->items);
	a->items = calloc(n ? n : 1, sizeof *a->items);
	a->nitems = 0;
	for (size_t i = 0; a->items && i < n; i++) {
		char *d = st_plain(l[i]->display_name ? l[i]->display_name : "", strlen(l[i]->display_name ? l[i]->display_name : ""), NULL);
		snprintf(a->items[i].text, sizeof a->items[i].text, "%-20s %s", l[i]->name,
			 d ? d : "");
		snprintf(a->items[i].cell_id, sizeof a->items[i].cell_id, "%s", l[i]->name);
		free(d);
		a->nitems++;
	}
	kc_kernelspec_list_free(l, n);
	a->item_sel = 0;
	a->list_kind = 1;
	snprintf(a->list_title, sizeof a->list_title, "Pick a kernel (Enter), q for none");
	a->back_mode = MODE_COMMAND;
	a->mode = MODE_LIST;
	app_msg(a, 1, "%s", why);
}

int app_kernel_start(struct app *a, const char *name)
{
	struct kc_error err = {0};
	struct kc_kernelspec *spec;
	char dir[4096];

	kernel_drop(a);
	if (a->kopts.existing) {
		char path[4096];

		if (kc_conn_find(a->kopts.existing, path, sizeof path, &err) < 0 ||
		    !(a->kc = kc_client_attach(path, &err))) {
			app_msg(a, 1, "%s", err.text);
			return -1;
		}
		snprintf(a->kernel_name, sizeof a->kernel_name, "existing");
		snprintf(a->kernel_display, sizeof a->kernel_display, "%s", basename(path));
		set_handlers(a);
		return 0;
	}
	if (!(spec = kc_kernelspec_find(name, &err))) {
		char why[700];
		snprintf(why, sizeof why, "kernel \"%s\" is not installed: pick one, or q", name);
		open_picker(a, why);
		return -1;
	}
	snprintf(dir, sizeof dir, "%s", a->path[0] ? a->path : "./x");
	struct kc_launch_opts lo = {.cwd = dirname(dir)};
	if (!(a->kc = kc_client_launch(spec, &lo, &err))) {
		app_msg(a, 1, "kernel \"%s\": %s", name, err.text);
		kc_kernelspec_free(spec);
		return -1;
	}
	snprintf(a->kernel_name, sizeof a->kernel_name, "%s", spec->name);
	{
		char *d = st_plain(spec->display_name ? spec->display_name : spec->name,
				   strlen(spec->display_name ? spec->display_name : spec->name), NULL);
		snprintf(a->kernel_display, sizeof a->kernel_display, "%s", d ? d : spec->name);
		free(d);
	}
	/* the notebook remembers its kernel, once something is run on it (ks_apply) */
	json_t *ks = json_object_get(nb_doc_metadata(a->doc), "kernelspec");
	const char *old = json_string_value(json_object_get(ks, "name"));
	json_decref(a->pending_ks);
	a->pending_ks = NULL;
	if (!old || strcmp(old, spec->name)) {
		json_t *o = json_object();
		json_object_set_new(o, "display_name",
				    json_string(spec->display_name ? spec->display_name : spec->name));
		if (spec->language)
			json_object_set_new(o, "language", json_string(spec->language));
		json_object_set_new(o, "name", json_string(spec->name));
		a->pending_ks = o;
	}
	kc_kernelspec_free(spec);
	set_handlers(a);
	a->need_draw = 1;
	return 0;
}

void app_kernel_restart(struct app *a)
{
	struct kc_error err = {0};

	if (!a->kc) {
		app_msg(a, 1, "no kernel to restart: :kernel NAME starts one");
		return;
	}
	if (!kc_client_launched(a->kc)) {
		app_msg(a, 1, "an attached kernel cannot be restarted from here");
		return;
	}
	if (a->mode == MODE_INPUT)
		cl_cancel(a);
	if (kc_client_restart(a->kc, &err) < 0) {
		app_msg(a, 1, "restart failed: %s", err.text);
		return;
	}
	a->nexec = 0;
	a->kernel_ready = 0;
	a->kernel_dead = 0;
	a->dead_cell[0] = 0;
	app_invalidate_all(a);
	app_msg(a, 0, "kernel restarting");
}

void app_kernel_interrupt(struct app *a)
{
	if (!a->kc) {
		app_msg(a, 1, "no kernel");
		return;
	}
	if (kc_client_interrupt(a->kc) < 0)
		app_msg(a, 1, "interrupt failed: %s", kc_client_strerror(a->kc));
	else
		app_msg(a, 0, "interrupt sent");
}

/* ---- completion and inspection ---- */

static void popup_clear(struct app *a)
{
	for (size_t i = 0; i < a->npopup; i++)
		free(a->popup[i]);
	free(a->popup);
	a->popup = NULL;
	a->npopup = a->popup_sel = a->popup_top = 0;
}

static void popup_add(struct app *a, const char *s, size_t n)
{
	char **p = realloc(a->popup, (a->npopup + 1) * sizeof *p);
	char *t;

	if (!p)
		return;
	a->popup = p;
	if ((t = st_plain(s, n, NULL)))
		p[a->npopup++] = t;
}

static void on_complete(struct kc_client *kc, const char *msg_id, enum kc_status st,
			const struct kc_msg *reply, void *ud)
{
	struct app *a = ud;
	json_t *m, *v;
	size_t i;

	if (strcmp(msg_id, a->pending_req) || !a->ed || a->mode != MODE_EDIT)
		return;
	a->pending_req[0] = 0;
	if (st != KC_OK || !reply) {
		app_msg(a, 1, "completion: %s", kc_status_name(st));
		return;
	}
	m = json_object_get(reply->content, "matches");
	a->comp_start = (size_t)json_integer_value(json_object_get(reply->content, "cursor_start"));
	a->comp_end = (size_t)json_integer_value(json_object_get(reply->content, "cursor_end"));
	if (!json_array_size(m)) {
		app_msg(a, 0, "no completions");
		return;
	}
	if (json_array_size(m) == 1) {
		json_t *one = json_array_get(m, 0);
		size_t n;
		/* the kernel's text, as text: no control character goes into the source */
		char *s = json_is_string(one) ? st_plain(json_string_value(one),
							 json_string_length(one), &n)
					      : NULL;
		if (s)
			editor_replace(a->ed, a->comp_start, a->comp_end, s, n);
		free(s);
		app_commit_edit(a);
		app_invalidate(a, a->cur);
		return;
	}
	popup_clear(a);
	json_array_foreach(m, i, v) if (json_is_string(v))
		popup_add(a, json_string_value(v), json_string_length(v));
	a->popup_complete = 1;
	a->mode = MODE_POPUP;
	a->need_draw = 1;
}

static void on_inspect(struct kc_client *kc, const char *msg_id, enum kc_status st,
		       const struct kc_msg *reply, void *ud)
{
	struct app *a = ud;
	const char *t, *p, *nl;

	if (strcmp(msg_id, a->pending_req) || !a->ed || a->mode != MODE_EDIT)
		return;
	a->pending_req[0] = 0;
	t = reply ? json_string_value(json_object_get(json_object_get(reply->content, "data"),
						      "text/plain"))
		  : NULL;
	if (st != KC_OK || !t || !json_is_true(json_object_get(reply->content, "found"))) {
		app_msg(a, 0, "no documentation found");
		return;
	}
	popup_clear(a);
	for (p = t; *p; p = nl + 1) {
		nl = strchr(p, '\n');
		if (!nl)
			nl = p + strlen(p);
		popup_add(a, p, (size_t)(nl - p));
		if (!*nl)
			break;
	}
	a->popup_complete = 0;
	a->mode = MODE_POPUP;
	a->need_draw = 1;
}

void app_complete(struct app *a)
{
	const char *id;

	if (!a->ed || !a->kc || !a->kernel_ready) {
		app_msg(a, 1, "completion needs a running kernel");
		return;
	}
	id = kc_client_complete(a->kc, editor_text(a->ed, NULL), (long)editor_cursor_cp(a->ed),
				on_complete, a);
	if (id) {
		snprintf(a->pending_req, sizeof a->pending_req, "%s", id);
		nb_out_request(a->out, id, NULL, NB_REQ_COMPLETE);
	}
}

void app_inspect(struct app *a)
{
	const char *id;

	if (!a->ed || !a->kc || !a->kernel_ready) {
		app_msg(a, 1, "inspect needs a running kernel");
		return;
	}
	id = kc_client_inspect(a->kc, editor_text(a->ed, NULL), (long)editor_cursor_cp(a->ed), 0,
			       on_inspect, a);
	if (id) {
		snprintf(a->pending_req, sizeof a->pending_req, "%s", id);
		nb_out_request(a->out, id, NULL, NB_REQ_INSPECT);
	}
}

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
	a->mode = MODE_COMMAND;
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

	cell_changed_id(a, cell_id);
	a->outputs_changed = 1;
}

/* The notebook screen reads a large file a slice at a time after the first screen: this much at
 * first (the first screen's cells are in it), this much each pass of the loop after. */
#define LOAD_FIRST (4u << 20)
#define LOAD_SLICE (8u << 20)

/* first: 0 to load the whole file now, else read that much now and the rest from the loop */
static struct nb_doc *load_doc(const char *path, size_t first, int *is_new, char *why, size_t size)
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

/* The kernel: -k, else the notebook's, else python3; never another one silently. */
static void kernel_for_doc(struct app *a)
{
	const char *kname = a->kopts.kernel;

	if (!kname)
		kname = json_string_value(
			json_object_get(json_object_get(nb_doc_metadata(a->doc), "kernelspec"), "name"));
	a->kernel_pending = 0;
	app_kernel_start(a, kname ? kname : "python3");
}

/* Reads more of a notebook still being loaded (all of it with budget SIZE_MAX); when it is
 * complete, starts the kernel that waited for its metadata. -1 (and quit) when the rest of the
 * file turns out bad. */
static int load_more(struct app *a, size_t budget)
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
			kernel_for_doc(a);
	}
	return 0;
}

static void doc_attach(struct app *a, struct nb_doc *d)
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
	if (!(d = load_doc(path, 0, &is_new, why, sizeof why))) {
		app_msg(a, 1, "%s", why);
		return -1;
	}
	app_edit_stop(a);
	rec_remove(a);
	doc_attach(a, d);
	snprintf(a->path, sizeof a->path, "%s", path);
	app_msg(a, 0, "%s%s", path, is_new ? " (new)" : "");
	hb_load_note(a);
	return 0;
}

void app_set_theme(struct app *a, const char *name)
{
	struct theme_dirs dirs;
	struct theme_error err = {0};
	char exe[4096];
	struct theme t;

	theme_dirs_from_env(&dirs, exe, sizeof exe);
	if (theme_open(name, &dirs, &t, &err) < 0) {
		app_msg(a, 1, "%s (using %s)", err.text, a->theme.name[0] ? a->theme.name : "default");
		if (!a->theme.name[0])
			theme_builtin("default", &a->theme);
		return;
	}
	a->theme = t;
	snprintf(a->cfg.theme, sizeof a->cfg.theme, "%s", name);
	view_apply_theme(a);
	app_invalidate_all(a);
	a->full_redraw = 1;
	app_msg(a, 0, "theme %s", a->theme.name);
}

int app_key_mode(struct app *a)
{
	switch (a->mode) {
	case MODE_EDIT:
		return KM_EDIT;
	case MODE_PAGER:
		return KM_PAGER;
	case MODE_THREADS:
		return KM_THREADS;
	case MODE_LIST:
		return KM_LIST;
	default:
		return KM_COMMAND;
	}
}

/* ---- start-up and the loop ---- */

static const char nb_usage[] =
	"usage: bobbin [OPTIONS] [NOTEBOOK.ipynb]\n"
	"\n"
	"The notebook screen (a new notebook when the file does not exist).\n"
	"  -k, --kernel NAME      start this kernelspec (default: the notebook's)\n"
	"  --existing[=FILE|ID]   attach to a running kernel\n"
	"  --theme NAME|PATH      colour theme (default, light, solarized-dark, high-contrast, mono)\n"
	"  --mouse, --no-mouse    click to focus and wheel to scroll (off by default)\n"
	"  --recover              restore the recovery file without asking\n"
	"  --routing POLICY       kernel-wide thread routing: kernel, origin, current, auto\n"
	"  --route PATTERN=POLICY per-thread-name routing rule (repeatable)\n"
	"  --no-agent             do not install the routing agent\n"
	"Keys: h or ? in the notebook; man bobbin.\n";

static void cfg_warn(const char *msg, void *ud)
{
	tout_fmt(stderr, "bobbin: %s\n", msg);
}

static void recover_answer(struct app *a, int key)
{
	char rp[4200];

	a->mode = MODE_COMMAND;
	rec_path(a->path, rp, sizeof rp);
	if (key == 'r' || key == 'R') {
		struct nb_error err = {0};
		struct nb_doc *d = nb_doc_load(rp, &err);

		if (!d) {
			app_msg(a, 1, "recovery file unreadable: %s", err.text);
			return;
		}
		nb_doc_set_dirty(d);
		doc_attach(a, d);
		app_msg(a, 0, "recovered from %s: :w saves it", rp);
	} else if (key == 'd' || key == 'D') {
		unlink(rp);
		app_msg(a, 0, "recovery file deleted");
	} else {
		app_msg(a, 0, "recovery file kept: %s", rp);
	}
}

static long loop_timeout(struct app *a, long long now)
{
	long t = 1000;

	if (keys_pending(a->keys))
		t = 30;
	if (nb_doc_loading(a->doc))
		t = 0;
	if (a->need_draw) {
		long d = (long)(a->last_draw_ms + 33 - now);
		if (d < t)
			t = d < 0 ? 0 : d;
	}
	if (a->kc) {
		long k = kc_client_next_timeout(a->kc);
		if (k >= 0 && k < t)
			t = k;
	}
	return t;
}

static void hangup(struct app *a)
{
	app_commit_edit(a);
	if (nb_doc_dirty(a->doc))
		rec_write(a);
	a->quit = 2;
}

static void loop(struct app *a)
{
	int sfd = sigpipe_install();
	long long last_byte = 0;

	while (!a->quit) {
		zmq_pollitem_t items[KC_MAXPOLL + 2];
		int n = a->kc ? kc_client_pollitems(a->kc, items, KC_MAXPOLL) : 0;
		long long now = sigpipe_now_ms();
		struct key k;
		int sig;

		items[n] = (zmq_pollitem_t){.fd = 0, .events = ZMQ_POLLIN};
		items[n + 1] = (zmq_pollitem_t){.fd = sfd, .events = ZMQ_POLLIN};
		if (zmq_poll(items, n + 2, loop_timeout(a, now)) < 0 && errno != EINTR)
			break;
		now = sigpipe_now_ms();
		if (a->kc) {
			static struct kernel_badsig badsig;
			char why[128];

			kc_client_dispatch(a->kc, items, n);
			if (kernel_badsig_check(a->kc, &badsig, why, sizeof why))
				app_msg(a, 1, "%s", why);
		}
		if (items[n].revents & ZMQ_POLLIN) {
			char buf[4096];
			ssize_t r = read(0, buf, sizeof buf);

			if (r > 0) {
				keys_feed(a->keys, buf, (size_t)r);
				last_byte = now;
			} else if (r == 0 || (errno != EINTR && errno != EAGAIN)) {
				hangup(a); /* the terminal went away */
				break;
			}
		} else if (keys_pending(a->keys) && now - last_byte >= 30) {
			keys_timeout(a->keys);
		}
		/* a key acts on the whole notebook: the rest of a large file is read first */
		while (!a->quit && keys_next(a->keys, &k) && load_more(a, SIZE_MAX) == 0)
			act_key(a, &k);
		while ((items[n + 1].revents & ZMQ_POLLIN) && (sig = sigpipe_read())) {
			if (sig == SIGWINCH)
				view_resize(a);
			else if (sig == SIGHUP || sig == SIGTERM)
				hangup(a);
			else if (sig == SIGINT)
				app_kernel_interrupt(a);
		}
		if (!a->quit)
			load_more(a, LOAD_SLICE);
		if (a->quit)
			break;
		if (a->cfg.autosave_interval > 0 &&
		    now - a->last_autosave_ms >= a->cfg.autosave_interval * 1000LL) {
			a->last_autosave_ms = now;
			app_commit_edit(a);
			if (nb_doc_dirty(a->doc))
				rec_write(a);
		}
		if (a->nexec && now - a->last_tick_ms >= 1000) {
			a->last_tick_ms = now;
			a->need_draw = 1; /* the elapsed time */
		}
		if (a->mode == MODE_THREADS && now - a->last_tick_ms >= 1000) {
			a->last_tick_ms = now;
			tp_refresh(a);
		}
		if (a->need_draw && now - a->last_draw_ms >= 33) {
			a->last_draw_ms = now;
			view_draw(a);
		}
	}
}

int cmd_notebook(int argc, char **argv)
{
	struct app app, *a = &app;
	const char *file = NULL, *theme = NULL;
	char why[300] = "";
	int is_new = 0, mouse = -1, rc = 0;
	long long rec_mtime;

	memset(a, 0, sizeof *a);
	config_defaults(&a->cfg);
	for (int i = 1; i < argc; i++) {
		int r = kernel_opts_parse(&a->kopts, argc, argv, &i);

		if (r < 0)
			return 2;
		if (r > 0)
			continue;
		if (!strcmp(argv[i], "--theme") && i + 1 < argc)
			theme = argv[++i];
		else if (!strncmp(argv[i], "--theme=", 8))
			theme = argv[i] + 8;
		else if (!strcmp(argv[i], "--mouse"))
			mouse = 1;
		else if (!strcmp(argv[i], "--no-mouse"))
			mouse = 0;
		else if (!strcmp(argv[i], "--recover"))
			a->recover_flag = 1;
		else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			tout_fmt(stdout, "%s", nb_usage);
			return 0;
		} else if (argv[i][0] == '-' && argv[i][1]) {
			tout_fmt(stderr, "bobbin: unknown option %s\n%s", argv[i], nb_usage);
			return 2;
		} else if (!file)
			file = argv[i];
		else {
			tout_fmt(stderr, "bobbin: one notebook at a time\n");
			return 2;
		}
	}
	if (!isatty(0) || !isatty(1)) {
		tout_fmt(stderr, "bobbin: the notebook screen needs a terminal (try bobbin run)\n");
		return 2;
	}
	setlocale(LC_ALL, "");
	a->utf8 = !strcmp(nl_langinfo(CODESET), "UTF-8");
	config_load(&a->cfg, NULL, cfg_warn, NULL);
	if (mouse >= 0)
		a->cfg.mouse = mouse;
	a->attribution = a->cfg.attribution_view;
	a->kopts.quiet = 1;
	if (!a->cfg.agent)
		a->kopts.no_agent = 1;

	struct nb_doc *d = load_doc(file, LOAD_FIRST, &is_new, why, sizeof why);
	if (!d) {
		tout_fmt(stderr, "bobbin: %s\n", why);
		return 1;
	}
	if (file)
		snprintf(a->path, sizeof a->path, "%s", file);
	a->keys = keys_new();
	doc_attach(a, d);
	if (a->recover_flag && file && rec_exists(file, &rec_mtime))
		recover_answer(a, 'r');

	/* the theme: a bad file is reported and the default used */
	{
		struct theme_dirs dirs;
		struct theme_error err = {0};
		char exe[4096];

		theme_dirs_from_env(&dirs, exe, sizeof exe);
		if (theme_open(theme ? theme : a->cfg.theme, &dirs, &a->theme, &err) < 0) {
			snprintf(why, sizeof why, "using the default theme: %s", err.text);
			theme_builtin("default", &a->theme);
		}
	}
	if (view_init(a) < 0) {
		tout_fmt(stderr, "bobbin: cannot use this terminal (TERM=%s)\n",
		         getenv("TERM") ? getenv("TERM") : "");
		nb_out_free(a->out);
		nb_doc_free(a->doc);
		return 1;
	}
	cl_init(a);
	if (why[0])
		app_msg(a, 1, "%s", why);
	else
		app_msg(a, 0, "%s%s — h for help", file ? file : "new notebook",
			is_new && file ? " (new file)" : "");
	hb_load_note(a);

	/* the notebook first: starting or attaching a kernel takes longer than drawing it, and a
	 * large notebook's kernelspec is known only once the whole file is read (load_more) */
	a->kernel_pending = 1;
	view_draw(a);
	if (!nb_doc_loading(a->doc))
		kernel_for_doc(a);
	if (!a->recover_flag && file && rec_exists(file, &rec_mtime)) {
		char rp[4200];
		rec_path(file, rp, sizeof rp);
		app_ask(a, recover_answer,
			"A recovery file %s exists: (r)ecover it, (d)elete it, (i)gnore", rp);
	}
	a->last_autosave_ms = sigpipe_now_ms();
	view_draw(a);
	loop(a);
	cl_end(a);
	view_end(a);
	if (a->quit == 2)
		rc = 1;
	if (a->quit == 3) {
		tout_fmt(stderr, "bobbin: %s\n", a->load_err);
		rc = 1;
	}
	if (a->kc)
		kc_client_free(a->kc, 0);
	json_decref(a->pending_ks);
	for (size_t i = 0; i < a->ncache; i++)
		rd_layout_clear(&a->cache[i].lay);
	free(a->cache);
	co_forget(a);
	for (size_t i = 0; i < a->nunfolded; i++)
		free(a->unfolded[i]);
	free(a->unfolded);
	popup_clear(a);
	free(a->items);
	free(a->execs);
	rd_layout_clear(&a->pager);
	editor_free(a->ed);
	keys_free(a->keys);
	nb_out_free(a->out);
	nb_doc_free(a->doc);
	return rc;
}
