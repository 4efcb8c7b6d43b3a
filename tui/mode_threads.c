// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * Thread routing in the notebook screen (docs/routing-protocol.md): the threads pane (T; a
 * mode: a live table of the kernel's threads from the state the kernel confirmed, with keys
 * that send routing requests), `:routing` and `:route`, and the misrouting list (W; outputs
 * whose origin differs from the cell they landed in, or late or stray ones; Enter jumps
 * there). Kernels without routing get a plain sentence saying so.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tui/app.h"
#include "tui/safetext.h"
#include "tui/threadkind.h"

/* The origin column: "[N]" for a cell execution (N counts cells from 1), "-" when the agent
 * gives no origin, "?" for a request that is not one of our cells (another client, a request
 * of bobbin's own, a deleted cell, an earlier session). */
static const char *origin_cell_index(struct app *a, const char *origin, char *buf, size_t size)
{
	const char *id = nb_out_request_cell(a->out, origin);
	struct nb_cell *c = id ? nb_doc_find(a->doc, id) : NULL;

	if (!origin)
		return "-";
	if (!c)
		return "?";
	snprintf(buf, size, "[%ld]", nb_doc_index(a->doc, c) + 1);
	return buf;
}

static const char *why_not(struct app *a)
{
	if (!a->kc)
		return "no kernel";
	switch (kc_routing_status(a->kc)) {
	case KC_ROUTING_OFF:
		return a->kopts.no_agent || !a->cfg.agent
			       ? "routing is off (--no-agent or agent = false)"
			       : "the routing agent is not installed yet";
	case KC_ROUTING_INSTALLING:
		return "the routing agent is being installed; try again in a moment";
	case KC_ROUTING_UNSUPPORTED:
		return *kc_routing_why(a->kc) ? kc_routing_why(a->kc)
					      : "this kernel does not support routing requests";
	default:
		return NULL;
	}
}

/* Appends s to buf at *at, cut or padded to w columns, then one space. */
static void put_col(char *buf, size_t size, size_t *at, const char *s, int w)
{
	int used = 0;
	size_t n = st_fit(s, strlen(s), w, &used);

	if (*at + n + (size_t)(w - used) + 2 > size)
		return;
	memcpy(buf + *at, s, n);
	*at += n;
	for (; used < w + 1; used++)
		buf[(*at)++] = ' ';
	buf[*at] = 0;
}

#define TP_ROW_MAX 256

struct tp_row {
	enum tk_kind kind;
	size_t order;
	const json_t *t;
	char name[TP_ROW_MAX]; /* as shown: sanitised, labelled, made distinct */
	int dup;               /* another row reads the same */
};

static int row_cmp(const void *x, const void *y)
{
	const struct tp_row *a = x, *b = y;

	if (a->kind != b->kind)
		return a->kind < b->kind ? -1 : 1;
	return a->order < b->order ? -1 : a->order > b->order;
}

/* The threads pane lists the kernel's own threads too (i toggles; kept between openings). */
static int show_internal;

/* Rebuilds the pane's table from the routing state, if the pane is on top. */
void tp_refresh(struct app *a)
{
	struct app_list *l = mode_top(a) == &mode_threads ? mode_top_data(a) : NULL;
	json_t *st, *threads, *t;
	size_t i, j, n, hidden = 0;
	struct tp_row *rows;
	struct app_item *items;
	int namew = 6, fixed = 50;

	if (!l || !a->kc)
		return;
	st = kc_routing_state(a->kc);
	threads = json_object_get(st, "threads");
	n = json_array_size(threads);
	items = calloc(n + 1, sizeof *items);
	rows = calloc(n + 1, sizeof *rows);
	if (!items || !rows) {
		free(items);
		free(rows);
		return;
	}
	free(l->items);
	l->items = items;
	l->nitems = 0;
	json_array_foreach(threads, i, t)
	{
		struct tp_row *r = &rows[i];
		const char *name = json_string_value(json_object_get(t, "name")) ?: "?";
		char *safe = st_plain(name, strlen(name), NULL);

		r->t = t;
		r->order = i;
		r->kind = tk_classify(t);
		/* Output a subprocess or C code wrote to the process's fd 1/2 is read by this thread:
		 * it has no Python thread to name, so say so rather than show the watcher's name. */
		snprintf(r->name, sizeof r->name, "%s", r->kind == TK_FD ? TK_FD_LABEL : safe ? safe : "?");
		free(safe);
	}
	qsort(rows, n, sizeof *rows, row_cmp);
	/* rows that read the same get the thread's id in front (a narrow column cuts the end), so
	 * each can be told apart */
	for (i = 0; i < n; i++)
		for (j = 0; j < n && !rows[i].dup; j++)
			rows[i].dup = j != i && !strcmp(rows[i].name, rows[j].name);
	for (i = 0; i < n; i++) {
		if (rows[i].dup) {
			const json_t *nid = json_object_get(rows[i].t, "native_id");
			char named[sizeof rows[i].name];

			snprintf(named, sizeof named, "#%lld %s",
				 json_is_integer(nid)
					 ? (long long)json_integer_value(nid)
					 : (long long)json_integer_value(
						   json_object_get(rows[i].t, "ident")),
				 rows[i].name);
			memcpy(rows[i].name, named, sizeof named);
		}
	}
	for (i = 0; i < n; i++) {
		int w = st_width(rows[i].name, strlen(rows[i].name));

		if ((show_internal || rows[i].kind != TK_KERNEL) && w > namew)
			namew = w;
	}
	if (namew > a->cols - fixed)
		namew = a->cols - fixed > 12 ? a->cols - fixed : 12;
	l->head[0] = 0;
	{
		size_t at = 0;

		put_col(l->head, sizeof l->head, &at, "THREAD", namew);
		snprintf(l->head + at, sizeof l->head - at,
			 "%-5s %-6s %-8s %7s  %-8s  %s", "STATE", "ORIGIN", "POLICY", "OUTPUTS",
			 "LAST", "KIND");
	}
	for (i = 0; i < n; i++) {
		struct app_item *it = &l->items[l->nitems];
		const json_t *th = rows[i].t;
		double last = json_number_value(json_object_get(th, "last_output"));
		char when[32] = "-", origin[32];
		size_t at = 0;

		if (rows[i].kind == TK_KERNEL && !show_internal) {
			hidden++;
			continue;
		}
		if (last > 0) {
			time_t tt = (time_t)last;
			strftime(when, sizeof when, "%H:%M:%S", localtime(&tt));
		}
		put_col(it->text, sizeof it->text, &at, rows[i].name, namew);
		snprintf(it->text + at, sizeof it->text - at, "%-5s %-6s %-8s %7lld  %-8s  %s",
			 json_is_true(json_object_get(th, "alive")) ? "alive" : "ended",
			 origin_cell_index(a, json_string_value(json_object_get(th, "origin")),
					   origin, sizeof origin),
			 json_string_value(json_object_get(th, "policy")) ?: "?",
			 (long long)json_integer_value(json_object_get(th, "outputs")), when,
			 tk_word(rows[i].kind));
		it->ident = json_integer_value(json_object_get(th, "ident"));
		it->role = !json_is_true(json_object_get(th, "alive")) || rows[i].kind >= TK_FD
				   ? THEME_PLACEHOLDER
				   : THEME_NORMAL;
		l->nitems++;
	}
	free(rows);
	snprintf(l->title, sizeof l->title,
		 "Threads — default policy: %s  (o origin, c current, a auto, K kernel, d default, "
		 "i %s %zu kernel threads)",
		 json_string_value(json_object_get(st, "default")) ?: "?",
		 show_internal ? "hides" : "shows", show_internal ? n - l->nitems : hidden);
	if (l->sel >= l->nitems)
		l->sel = l->nitems ? l->nitems - 1 : 0;
	a->need_draw = 1;
}

void tp_open_threads(struct app *a)
{
	const char *why = why_not(a);

	struct app_list *l;

	if (why) {
		app_msg(a, 1, "threads: %s", why);
		return;
	}
	if ((l = list_new(0)))
		mode_push(a, &mode_threads, l);
}

static void threads_enter(struct app *a, void *data)
{
	tp_refresh(a);
	kc_routing_request(a->kc, "get", NULL, 0, NULL, NULL, NULL);
}

static enum mode_result threads_key(struct app *a, void *data, const struct key *k)
{
	return list_keys(a, KM_THREADS, k);
}

static void threads_tick(struct app *a, void *data)
{
	tp_refresh(a);
}

static void threads_status(struct app *a, void *data, struct mode_status *st)
{
	st->label = "THREADS";
}

const struct mode mode_threads = {
	.name = "threads",
	.enter = threads_enter,
	.leave = list_leave,
	.key = threads_key,
	.draw = list_draw,
	.status = threads_status,
	.motion = list_move,
	.tick = threads_tick,
};

/* "routing: default origin; rules: Pool-*=current, tick*=origin (:route -PATTERN removes one)"
 * from the state the kernel confirmed last. */
static void show_routing(struct app *a, const char *head)
{
	json_t *st = kc_routing_state(a->kc), *rules = json_object_get(st, "rules"), *r;
	char list[400] = "";
	size_t i, at = 0;

	json_array_foreach(rules, i, r) {
		const char *pat = json_string_value(json_object_get(r, "pattern")) ?: "?";
		char *safe = st_plain(pat, strlen(pat), NULL);
		int k = snprintf(list + at, sizeof list - at, "%s%s=%s", i ? ", " : "",
				 safe ? safe : "?",
				 json_string_value(json_object_get(r, "policy")) ?: "?");

		free(safe);
		if (k < 0 || (size_t)k >= sizeof list - at)
			break;
		at += (size_t)k;
	}
	app_msg(a, 0, "routing%s: default %s; %s%s%s", head,
		json_string_value(json_object_get(st, "default")) ?: "?",
		json_array_size(rules) ? "rules " : "no rules", list,
		json_array_size(rules) ? " (:route -PATTERN removes one)" : "");
}

static void on_routing_reply(struct kc_client *kc, const char *id, enum kc_status st,
			     const struct kc_msg *reply, void *ud)
{
	struct app *a = ud;
	const char *s = reply ? json_string_value(json_object_get(reply->content, "status")) : NULL;

	if (st != KC_OK || !s || strcmp(s, "ok")) {
		const char *ev =
			reply ? json_string_value(json_object_get(reply->content, "evalue")) : NULL;
		app_msg(a, 1, "routing request failed: %s", ev ? ev : kc_status_name(st));
	} else if (mode_top(a) == &mode_threads) {
		app_msg(a, 0, "routing: the kernel confirmed");
	} else {
		show_routing(a, " (the kernel confirmed)");
	}
	tp_refresh(a);
}

/* The answer to :routing's "get": the policy and rules, as the kernel has them now. */
static void on_get_reply(struct kc_client *kc, const char *id, enum kc_status st,
			 const struct kc_msg *reply, void *ud)
{
	struct app *a = ud;
	const char *s = reply ? json_string_value(json_object_get(reply->content, "status")) : NULL;

	if (st != KC_OK || !s || strcmp(s, "ok"))
		app_msg(a, 1, "routing: the kernel did not answer: %s", kc_status_name(st));
	else
		show_routing(a, "");
	tp_refresh(a);
}

static void send_req(struct app *a, const char *op, const char *policy, long long ident,
		     const char *pattern)
{
	const char *why = why_not(a);

	if (why) {
		app_msg(a, 1, "routing: %s", why);
		return;
	}
	if (!kc_routing_request(a->kc, op, policy, ident, pattern,
				strcmp(op, "get") ? on_routing_reply : on_get_reply, a))
		app_msg(a, 1, "routing: %s", kc_client_strerror(a->kc));
	else if (strcmp(op, "get"))
		app_msg(a, 0, "routing: %s %s sent", op, policy ? policy : pattern ? pattern : "");
}

/* The threads pane's keys: policy-origin, policy-current, policy-auto, policy-kernel (for the
 * selected thread), default-policy (cycles the kernel-wide one), toggle-internal. */
void tp_action(struct app *a, const char *name)
{
	static const char *const cycle[] = {"kernel", "origin", "current", "auto"};
	struct app_list *l = mode_top(a) == &mode_threads ? mode_top_data(a) : NULL;

	if (!l)
		return;
	if (!strcmp(name, "toggle-internal")) {
		show_internal = !show_internal;
		tp_refresh(a);
		return;
	}
	if (!strcmp(name, "default-policy")) {
		const char *cur = json_string_value(
			json_object_get(kc_routing_state(a->kc), "default"));
		size_t i = 0;
		while (i < 4 && cur && strcmp(cycle[i], cur))
			i++;
		send_req(a, "set_default", cycle[(i + 1) % 4], 0, NULL);
		return;
	}
	if (l->sel >= l->nitems)
		return;
	send_req(a, "set_thread", name + 7 /* "policy-" */, l->items[l->sel].ident, NULL);
}

/* :routing alone shows the policy and rules (after asking the kernel), :routing POLICY sets the
 * default. */
void tp_routing(struct app *a, const char *policy)
{
	if (!policy || !*policy) {
		const char *why = why_not(a);

		if (why) {
			app_msg(a, 1, "routing: %s", why);
			return;
		}
		show_routing(a, "");
		send_req(a, "get", NULL, 0, NULL);
		return;
	}
	if (!kernel_policy_valid(policy)) {
		app_msg(a, 1, ":routing [kernel|origin|current|auto]");
		return;
	}
	send_req(a, "set_default", policy, 0, NULL);
}

/* :route PATTERN=POLICY adds a rule, :route -PATTERN removes one, :route alone lists them. */
void tp_route(struct app *a, const char *rule)
{
	const char *eq = strrchr(rule, '=');
	char pat[256];

	if (!*rule) {
		tp_routing(a, NULL);
		return;
	}
	if (*rule == '-' && rule[1]) {
		json_t *rules = a->kc ? json_object_get(kc_routing_state(a->kc), "rules") : NULL, *r;
		size_t i;
		int known = 0;

		json_array_foreach(rules, i, r)
			known |= !strcmp(json_string_value(json_object_get(r, "pattern")) ?: "",
					 rule + 1);
		if (!known && !why_not(a)) {
			show_routing(a, ": no such rule");
			a->msg_err = 1;
			return;
		}
		send_req(a, "remove_rule", NULL, 0, rule + 1);
		return;
	}
	if (!eq || eq == rule || !kernel_policy_valid(eq + 1)) {
		app_msg(a, 1, ":route PATTERN=POLICY (e.g. ThreadPoolExecutor-*=current), "
			      ":route -PATTERN removes it, :route lists");
		return;
	}
	snprintf(pat, sizeof pat, "%.*s", (int)(eq - rule), rule);
	send_req(a, "add_rule", eq + 1, 0, pat);
}

void tp_on_routing(struct app *a, const char *event, json_t *data)
{
	if (!strcmp(event, "ready")) {
		/* --routing / --route, else the config's default */
		if (a->kopts.routing)
			send_req(a, "set_default", a->kopts.routing, 0, NULL);
		else if (strcmp(a->cfg.routing, "kernel"))
			send_req(a, "set_default", a->cfg.routing, 0, NULL);
		for (int i = 0; i < a->kopts.nroutes; i++)
			tp_route(a, a->kopts.routes[i]);
	} else if (!strcmp(event, "unsupported") && (a->kopts.routing || a->kopts.nroutes)) {
		app_msg(a, 1, "routing: %s",
			json_string_value(json_object_get(data, "reason")) ?: "not supported");
	}
	tp_refresh(a);
	a->need_draw = 1;
}

/* Enter on the misrouting list: the cell the output landed in. */
static void misrouted_select(struct app *a, const struct app_item *it)
{
	struct nb_cell *c = nb_doc_find(a->doc, it->cell_id);

	if (c)
		app_focus(a, (size_t)nb_doc_index(a->doc, c));
}

void tp_open_misrouted(struct app *a)
{
	const struct nb_misrouted *l;
	struct app_list *ls;
	size_t n;

	nb_out_sync(a->out);
	n = nb_out_misrouted(a->out, &l);
	if (!(ls = list_new(n)))
		return;
	for (size_t i = 0; i < n; i++) {
		struct app_item *it = &ls->items[ls->nitems++];
		struct nb_cell *c = nb_doc_find(a->doc, l[i].cell_id);
		struct nb_cell *oc = l[i].prov->origin_cell ? nb_doc_find(a->doc, l[i].prov->origin_cell)
							    : NULL;
		const char *tn = l[i].prov->thread_name ? l[i].prov->thread_name : "";
		char *safe = tk_is_fd(tn, l[i].prov->origin_kind) ? strdup(TK_FD_LABEL)
								  : st_plain(tn, strlen(tn), NULL);
		unsigned f = l[i].prov->flags;

		snprintf(it->text, sizeof it->text, "cell %-4ld output %-3zu %-24.24s from %s%s%s%s%s",
			 c ? nb_doc_index(a->doc, c) + 1 : 0, l[i].index, safe ? safe : "",
			 oc ? "cell " : "?", oc ? "" : "", f & NB_PROV_LATE ? "  late" : "",
			 f & NB_PROV_STRAY ? "  stray" : "",
			 f & NB_PROV_ORPHAN ? "  its cell was deleted" : "");
		if (oc) {
			char tail[64];
			snprintf(tail, sizeof tail, "%ld", nb_doc_index(a->doc, oc) + 1);
			/* put the origin's number after "from cell " */
			char *from = strstr(it->text, "from cell ");
			if (from) {
				char rest[128];
				snprintf(rest, sizeof rest, "%s", from + 10);
				snprintf(from + 10, sizeof it->text - (size_t)(from + 10 - it->text),
					 "%s%s", tail, rest);
			}
		}
		free(safe);
		snprintf(it->cell_id, sizeof it->cell_id, "%s", l[i].cell_id);
		it->out_index = l[i].index;
		it->role = f & (NB_PROV_STRAY | NB_PROV_ORPHAN) ? THEME_STRAY_MARK
			   : f & NB_PROV_LATE ? THEME_LATE_MARK
					      : THEME_ORIGIN_MARK;
	}
	if (!ls->nitems) {
		list_free(ls);
		app_msg(a, 0, "misrouted: every output is in the cell it came from");
		return;
	}
	snprintf(ls->head, sizeof ls->head, "%-9s %-10s %-24s %s", "CELL", "OUTPUT", "THREAD",
		 "FROM");
	snprintf(ls->title, sizeof ls->title, "Misrouted outputs (%zu) — Enter jumps, q closes",
		 ls->nitems);
	ls->on_select = misrouted_select;
	list_open(a, ls);
}
