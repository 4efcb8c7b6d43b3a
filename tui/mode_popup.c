// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * The popup over the cell being edited: the kernel's completions (Tab; Up/Down or Tab choose,
 * Enter takes one) or its documentation for the name at the cursor (S-Tab; Up/Down scroll).
 * Requests go to the kernel from here and their replies open the popup, unless the user has
 * moved on (left edit mode, or sent another request) by then. Any other key closes the popup
 * and does what it does in edit mode.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tui/app.h"
#include "tui/kernel_quirks.h"

struct popup {
	char **lines;
	size_t n, sel, top;
	int complete;                /* 1: completions, 0: inspect text lines */
	size_t comp_start, comp_end; /* code points of the source the completion replaces */
};

static void popup_free(struct popup *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < p->n; i++)
		free(p->lines[i]);
	free(p->lines);
	free(p);
}

static void popup_add(struct popup *p, const char *s, size_t n)
{
	char **l = realloc(p->lines, (p->n + 1) * sizeof *l);
	char *t;

	if (!l)
		return;
	p->lines = l;
	if ((t = st_plain(s, n, NULL)))
		l[p->n++] = t;
}

/* A reply we still want: the one we wait for, while the cell is being edited. */
static int wanted(struct app *a, const char *msg_id)
{
	if (strcmp(msg_id, a->pending_req) || !a->ed || mode_top(a) != &mode_cells)
		return 0;
	a->pending_req[0] = 0;
	return 1;
}

static void on_complete(struct kc_client *kc, const char *msg_id, enum kc_status st,
                        const struct kc_msg *reply, void *ud)
{
	struct app *a = ud;
	struct popup *p;
	json_t *m, *v;
	size_t i, start, end;

	if (!wanted(a, msg_id))
		return;
	if (st != KC_OK || !reply) {
		app_msg(a, 1, "completion: %s", kc_status_name(st));
		return;
	}
	m = json_object_get(reply->content, "matches");
	start = (size_t)json_integer_value(json_object_get(reply->content, "cursor_start"));
	end = (size_t)json_integer_value(json_object_get(reply->content, "cursor_end"));
	if (!json_array_size(m)) {
		app_msg(a, 0, "no completions");
		return;
	}
	if (json_array_size(m) == 1) {
		json_t *one = json_array_get(m, 0);
		size_t n;
		/* the kernel's text, as text: no control character goes into the source */
		char *s = json_is_string(one)
		              ? st_plain(json_string_value(one), json_string_length(one), &n)
		              : NULL;
		if (s)
			editor_replace(a->ed, start, end, s, n);
		free(s);
		app_commit_edit(a);
		app_invalidate(a, a->cur);
		return;
	}
	if (!(p = calloc(1, sizeof *p)))
		return;
	json_array_foreach(m, i, v) if (json_is_string(v))
	    popup_add(p, json_string_value(v), json_string_length(v));
	if (!p->n) {
		popup_free(p);
		app_msg(a, 0, "no completions");
		return;
	}
	p->complete = 1;
	p->comp_start = start;
	p->comp_end = end;
	mode_push(a, &mode_popup, p);
}

static void on_inspect(struct kc_client *kc, const char *msg_id, enum kc_status st,
                       const struct kc_msg *reply, void *ud)
{
	struct app *a = ud;
	struct popup *p;
	const char *t, *s, *nl;
	char *plain;

	if (!wanted(a, msg_id))
		return;
	t = reply ? json_string_value(
	                json_object_get(json_object_get(reply->content, "data"), "text/plain"))
	          : NULL;
	if (st != KC_OK || !t || !json_is_true(json_object_get(reply->content, "found"))) {
		app_msg(a, 0, "no documentation found");
		return;
	}
	if (!(p = calloc(1, sizeof *p)))
		return;
	plain = kq_backspaces(t); /* R's help overstrikes its headings */
	for (s = plain ? plain : t; *s; s = nl + 1) {
		nl = strchr(s, '\n');
		if (!nl)
			nl = s + strlen(s);
		popup_add(p, s, (size_t)(nl - s));
		if (!*nl)
			break;
	}
	free(plain);
	mode_push(a, &mode_popup, p);
}

/* Sends a complete (inspect 0) or inspect request for the editor's text at its cursor. */
static void request(struct app *a, int inspect)
{
	const char *id;

	if (!a->ed || !a->kc || !a->kernel_ready) {
		app_msg(a, 1, "%s needs a running kernel", inspect ? "inspect" : "completion");
		return;
	}
	id = inspect ? kc_client_inspect(a->kc, editor_text(a->ed, NULL),
	                                 (long)editor_cursor_cp(a->ed), 0, on_inspect, a)
	             : kc_client_complete(a->kc, editor_text(a->ed, NULL),
	                                  (long)editor_cursor_cp(a->ed), on_complete, a);
	if (id) {
		snprintf(a->pending_req, sizeof a->pending_req, "%s", id);
		nb_out_request(a->out, id, NULL, inspect ? NB_REQ_INSPECT : NB_REQ_COMPLETE);
	}
}

void popup_complete(struct app *a)
{
	request(a, 0);
}

void popup_inspect(struct app *a)
{
	request(a, 1);
}

static void popup_leave(struct app *a, void *data)
{
	popup_free(data);
}

static enum mode_result popup_key(struct app *a, void *data, const struct key *k)
{
	struct popup *p = data;
	unsigned long ver = a->ed ? editor_version(a->ed) : 0;

	if (k->code == K_MOUSE)
		return MODE_IGNORED;
	if (k->code == K_ESC) {
		mode_pop(a);
		cells_edited(a, ver);
		return MODE_REDRAW;
	}
	if (p->complete) {
		if (k->code == K_DOWN || k->code == K_TAB ||
		    (k->code == 'n' && k->mods == M_CTRL)) {
			p->sel = (p->sel + 1) % p->n;
			cells_edited(a, ver);
			return MODE_REDRAW;
		}
		if (k->code == K_UP || (k->code == 'p' && k->mods == M_CTRL)) {
			p->sel = (p->sel + p->n - 1) % p->n;
			cells_edited(a, ver);
			return MODE_REDRAW;
		}
		if (k->code == K_ENTER && !k->mods) {
			const char *s = p->lines[p->sel];

			editor_replace(a->ed, p->comp_start, p->comp_end, s, strlen(s));
			mode_pop(a);
			cells_edited(a, ver);
			return MODE_REDRAW;
		}
	} else if (k->code == K_DOWN || k->code == K_UP) {
		if (k->code == K_DOWN && p->top + 1 < p->n)
			p->top++;
		if (k->code == K_UP && p->top)
			p->top--;
		cells_edited(a, ver);
		return MODE_REDRAW;
	}
	/* any other key closes the popup and does what it does in edit mode */
	mode_pop(a);
	mode_key(a, k);
	cells_edited(a, ver);
	return MODE_REDRAW;
}

static void popup_overlay(struct app *a, void *data, struct mode_cursor *cur)
{
	struct popup *p = data;

	view_popup(a, (const char *const *)p->lines, p->n, p->complete ? &p->sel : NULL, &p->top,
	           cur);
}

const struct mode mode_popup = {
    .name = "popup",
    .leave = popup_leave,
    .key = popup_key,
    .overlay = popup_overlay,
};
