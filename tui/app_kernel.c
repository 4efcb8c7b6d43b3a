// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * The notebook screen's kernel: starting (without blocking), attaching, restarting and
 * interrupting it, its callbacks (which only feed the output model and set flags), input()
 * requests, and cell execution: a queue of cells sent in order, the first one running, those
 * queued while the kernel starts sent once it is ready.
 */
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tui/app.h"
#include "tui/mime.h"
#include "tui/sigpipe.h"

/* ---- execution ---- */

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


static struct app_exec *exec_find(struct app *a, const char *msg_id)
{
	for (size_t i = 0; i < a->nexec; i++)
		if (!strcmp(a->execs[i].msg_id, msg_id))
			return &a->execs[i];
	return NULL;
}

static void on_exec_reply(struct kc_client *kc, const char *msg_id, enum kc_status st,
			  const struct kc_msg *reply, void *ud)
{
	struct app *a = ud;
	struct app_exec *e = exec_find(a, msg_id);
	json_t *page;
	size_t i;

	if (reply)
		nb_out_reply(a->out, msg_id, "execute_reply", reply->content);
	if (reply && (page = mime_page_payload(reply->content))) {
		pager_open_page(a, page); /* `obj?`: in the pager, as Jupyter's classic notebook */
		json_decref(page);
	}
	if (kc_client_output_lost(kc))
		nb_out_lost(a->out, msg_id);
	if (!e)
		return;
	i = (size_t)(e - a->execs);
	if (st == KC_CANCELLED && i == 0 && kc_client_state(kc) == KC_DEAD && !a->dead_cell[0])
		snprintf(a->dead_cell, sizeof a->dead_cell, "%s", e->cell_id);
	app_invalidate_id(a, e->cell_id);
	memmove(&a->execs[i], &a->execs[i + 1], (a->nexec - i - 1) * sizeof *a->execs);
	a->nexec--;
	if (i == 0 && a->nexec) {
		a->execs[0].start_ms = sigpipe_now_ms();
		app_invalidate_id(a, a->execs[0].cell_id);
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
	mode_reset(a); /* the kernel waits: the answer comes first */
	cl_start(a, 'i', a->input_prompt);
	if ((c = nb_doc_find(a->doc, a->input_cell)))
		app_show_end(a, (size_t)nb_doc_index(a->doc, c)); /* the prompt row, the cell's last */
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
		cl_input_cancel(a);
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

int app_kernel_start(struct app *a, const char *name)
{
	struct kc_error err = {0};
	struct kc_kernelspec *spec;
	char dir[4096];

	kernel_drop(a);
	if (kernel_remote(&a->kopts)) { /* on another host (kc_tunnel.c) or a server (kc_ws.c) */
		if (!(a->kc = kernel_ssh_take(&a->kopts, name, &err))) {
			app_msg(a, 1, "%s", err.text);
			return -1;
		}
		snprintf(a->kernel_name, sizeof a->kernel_name, "%s",
			 a->kopts.existing ? "existing" : name);
		snprintf(a->kernel_display, sizeof a->kernel_display, "%s on %s",
			 a->kopts.existing ? "existing" : name, kernel_remote(&a->kopts));
		set_handlers(a);
		return 0;
	}
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
		kernels_pick(a, why);
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
	cl_input_cancel(a);
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


/* The kernel: -k, else the notebook's, else python3; never another one silently. */
void app_kernel_for_doc(struct app *a)
{
	const char *kname = a->kopts.kernel;

	if (!kname)
		kname = json_string_value(
			json_object_get(json_object_get(nb_doc_metadata(a->doc), "kernelspec"), "name"));
	a->kernel_pending = 0;
	app_kernel_start(a, kname ? kname : "python3");
}
