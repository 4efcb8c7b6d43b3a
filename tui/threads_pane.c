// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * Thread routing in the notebook screen (docs/routing-protocol.md): the threads pane (a live
 * table of the kernel's threads from the state the kernel confirmed, with keys that send
 * routing requests), `:routing` and `:route`, and the misrouting list (outputs whose origin
 * differs from the cell they landed in, or late or stray ones; Enter jumps there). Kernels
 * without routing get a plain sentence saying so.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tui/app.h"

/* The cell of a request's msg_id, for origins. */
static const char *origin_cell_index(struct app *a, const char *origin, char *buf, size_t size)
{
	for (size_t i = 0; origin && i < nb_doc_ncells(a->doc); i++) {
		struct nb_cell *c = nb_doc_cell(a->doc, i);
		for (size_t k = 0; k < json_array_size(nb_cell_outputs(c)); k++) {
			const struct nb_prov *p = nb_out_prov(a->out, nb_cell_id(c), k);
			if (p && p->origin_msg_id && !strcmp(p->origin_msg_id, origin) &&
			    p->origin_cell) {
				struct nb_cell *oc = nb_doc_find(a->doc, p->origin_cell);
				if (oc) {
					snprintf(buf, size, "[%ld]", nb_doc_index(a->doc, oc) + 1);
					return buf;
				}
			}
		}
	}
	return "-";
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

void tp_refresh(struct app *a)
{
	json_t *st, *threads, *t;
	size_t i, n;
	char origin[32];

	if (a->mode != MODE_THREADS || !a->kc)
		return;
	st = kc_routing_state(a->kc);
	threads = json_object_get(st, "threads");
	n = json_array_size(threads);
	free(a->items);
	a->items = calloc(n + 1, sizeof *a->items);
	a->nitems = 0;
	if (!a->items)
		return;
	snprintf(a->list_title, sizeof a->list_title,
		 "Threads — default policy: %s  (o origin, c current, a auto, K kernel, d default)",
		 json_string_value(json_object_get(st, "default")) ?: "?");
	json_array_foreach(threads, i, t)
	{
		struct app_item *it = &a->items[a->nitems];
		const char *name = json_string_value(json_object_get(t, "name")) ?: "?";
		char *safe = st_plain(name, strlen(name), NULL);
		double last = json_number_value(json_object_get(t, "last_output"));
		char when[32] = "-";

		if (last > 0) {
			time_t tt = (time_t)last;
			strftime(when, sizeof when, "%H:%M:%S", localtime(&tt));
		}
		snprintf(it->text, sizeof it->text, "%-24.24s %-5s origin %-6s %-8s %6lld out  %s",
			 safe ? safe : "?",
			 json_is_true(json_object_get(t, "alive")) ? "alive" : "ended",
			 origin_cell_index(a, json_string_value(json_object_get(t, "origin")), origin,
					   sizeof origin),
			 json_string_value(json_object_get(t, "policy")) ?: "?",
			 (long long)json_integer_value(json_object_get(t, "outputs")), when);
		free(safe);
		it->ident = json_integer_value(json_object_get(t, "ident"));
		it->role = json_is_true(json_object_get(t, "alive")) ? THEME_NORMAL
								     : THEME_PLACEHOLDER;
		a->nitems++;
	}
	if (a->item_sel >= a->nitems)
		a->item_sel = a->nitems ? a->nitems - 1 : 0;
	a->need_draw = 1;
}

void tp_open_threads(struct app *a)
{
	const char *why = why_not(a);

	if (why) {
		app_msg(a, 1, "threads: %s", why);
		return;
	}
	a->mode = MODE_THREADS;
	a->item_sel = 0;
	tp_refresh(a);
	kc_routing_request(a->kc, "get", NULL, 0, NULL, NULL, NULL);
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
	} else {
		app_msg(a, 0, "routing: the kernel confirmed");
	}
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
	if (!kc_routing_request(a->kc, op, policy, ident, pattern, on_routing_reply, a))
		app_msg(a, 1, "routing: %s", kc_client_strerror(a->kc));
	else
		app_msg(a, 0, "routing: %s %s sent", op, policy ? policy : "");
}

void tp_action(struct app *a, const char *name)
{
	static const char *const cycle[] = {"kernel", "origin", "current", "auto"};

	if (a->mode == MODE_LIST) {
		if (strcmp(name, "select") || a->item_sel >= a->nitems)
			return;
		if (a->list_kind == 1) {
			char k[64];
			snprintf(k, sizeof k, "%s", a->items[a->item_sel].cell_id);
			a->mode = MODE_COMMAND;
			if (app_kernel_start(a, k) == 0)
				app_msg(a, 0, "starting kernel %s", k);
		} else {
			struct nb_cell *c = nb_doc_find(a->doc, a->items[a->item_sel].cell_id);
			a->mode = MODE_COMMAND;
			if (c)
				app_focus(a, (size_t)nb_doc_index(a->doc, c));
		}
		return;
	}
	if (a->mode != MODE_THREADS)
		return;
	if (!strcmp(name, "default-policy")) {
		const char *cur = json_string_value(
			json_object_get(kc_routing_state(a->kc), "default"));
		size_t i = 0;
		while (i < 4 && cur && strcmp(cycle[i], cur))
			i++;
		send_req(a, "set_default", cycle[(i + 1) % 4], 0, NULL);
		return;
	}
	if (a->item_sel >= a->nitems)
		return;
	send_req(a, "set_thread", name + 7 /* "policy-" */, a->items[a->item_sel].ident, NULL);
}

void tp_routing(struct app *a, const char *policy)
{
	if (!kernel_policy_valid(policy)) {
		app_msg(a, 1, ":routing kernel|origin|current|auto");
		return;
	}
	send_req(a, "set_default", policy, 0, NULL);
}

void tp_route(struct app *a, const char *rule)
{
	const char *eq = strrchr(rule, '=');
	char pat[256];

	if (!eq || eq == rule || !kernel_policy_valid(eq + 1)) {
		app_msg(a, 1, ":route PATTERN=POLICY, e.g. ThreadPoolExecutor-*=current");
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
	if (a->mode == MODE_THREADS)
		tp_refresh(a);
	a->need_draw = 1;
}

void tp_open_misrouted(struct app *a)
{
	const struct nb_misrouted *l;
	size_t n;

	nb_out_sync(a->out);
	n = nb_out_misrouted(a->out, &l);
	free(a->items);
	a->items = calloc(n + 1, sizeof *a->items);
	a->nitems = 0;
	if (!a->items)
		return;
	for (size_t i = 0; i < n; i++) {
		struct app_item *it = &a->items[a->nitems++];
		struct nb_cell *c = nb_doc_find(a->doc, l[i].cell_id);
		struct nb_cell *oc = l[i].prov->origin_cell ? nb_doc_find(a->doc, l[i].prov->origin_cell)
							    : NULL;
		const char *tn = l[i].prov->thread_name ? l[i].prov->thread_name : "";
		char *safe = st_plain(tn, strlen(tn), NULL);
		unsigned f = l[i].prov->flags;

		snprintf(it->text, sizeof it->text, "cell %-4ld output %-3zu %-20.20s from %s%s%s%s",
			 c ? nb_doc_index(a->doc, c) + 1 : 0, l[i].index, safe ? safe : "",
			 oc ? "cell " : "?", oc ? "" : "", f & NB_PROV_LATE ? "  late" : "",
			 f & NB_PROV_STRAY ? "  stray" : "");
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
		it->role = f & NB_PROV_STRAY ? THEME_STRAY_MARK
			   : f & NB_PROV_LATE ? THEME_LATE_MARK
					      : THEME_ORIGIN_MARK;
	}
	if (!a->nitems) {
		app_msg(a, 0, "misrouted: every output is in the cell it came from");
		return;
	}
	a->list_kind = 0;
	a->item_sel = 0;
	snprintf(a->list_title, sizeof a->list_title,
		 "Misrouted outputs (%zu) — Enter jumps, q closes", a->nitems);
	a->mode = MODE_LIST;
	a->need_draw = 1;
}
