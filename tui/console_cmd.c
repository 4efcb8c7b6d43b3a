// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * The console's own commands: lines that start with a backslash at the start of a block (no
 * kernel language bobbin knows starts a statement with one; "\\" sends a line that does).
 * \help, \threads [all], \routing [POLICY], \route [PATTERN=POLICY | -PATTERN], \thread IDENT
 * POLICY|clear, \restart, \quit. Routing commands talk to the kernel-side agent through
 * kc_routing_request() and show the state the kernel confirmed; kernels without the agent are
 * told apart plainly. Replies are awaited in a bounded nested loop (the line handler runs
 * inside readline).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tui/console.h"
#include "tui/safetext.h"
#include "tui/threadkind.h"

static const char help_text[] =
	"bobbin console commands (a line starting with a backslash; \\\\ sends one to the kernel):\n"
	"  \\help                     this text\n"
	"  \\threads [all]            the kernel's threads, with origin cell and routing policy\n"
	"                            (all: the kernel's own threads too)\n"
	"  \\routing [POLICY]         show or set the default routing of thread output:\n"
	"                            kernel, origin, current or auto\n"
	"  \\route PATTERN=POLICY     route threads whose name matches PATTERN (e.g. 'Pool-*')\n"
	"  \\route -PATTERN           remove that rule; \\route alone lists the rules\n"
	"  \\thread IDENT POLICY      route one thread (IDENT from \\threads); POLICY clear drops it\n"
	"  \\restart                  restart the kernel bobbin started (after it died, say)\n"
	"  \\quit                     leave (as Ctrl-D)\n"
	"Keys: Tab completes, Ctrl-R searches history, Ctrl-C interrupts running code or clears\n"
	"the line, Ctrl-D leaves (an attached kernel keeps running).\n";

void con_report_routing(struct kc_client *kc, const char *event, json_t *data, void *ud)
{
	/* Routing news is shown on demand by the commands; nothing is printed unasked. */
}

static const char *policy_word(const char *p)
{
	return p && *p ? p : "?";
}

/* The cell of a msg_id as "In [n]", or "-". */
static void cell_of(struct console *c, const char *msg_id, char *out, size_t size)
{
	snprintf(out, size, "-");
	if (!msg_id)
		return;
	for (size_t i = nb_doc_ncells(c->doc); i-- > 0;) {
		struct nb_cell *cell = nb_doc_cell(c->doc, i);
		const char *id = json_string_value(json_object_get(nb_cell_metadata(cell), "msg_id"));

		if (id && !strcmp(id, msg_id)) {
			long n = nb_cell_execution_count(cell);

			if (n >= 0)
				snprintf(out, size, "In [%ld]", n);
			else
				snprintf(out, size, "(running)");
			return;
		}
	}
	snprintf(out, size, "(other)");
}

static int routing_ready(struct console *c)
{
	enum kc_routing st = kc_routing_status(c->kc);

	if (c->ko.no_agent) {
		con_note(c, "routing: off (--no-agent)");
		return 0;
	}
	if (st == KC_ROUTING_INSTALLING || st == KC_ROUTING_OFF) {
		int was = c->defer;

		c->defer = 1;
		st = kc_routing_wait(c->kc, 3000);
		c->defer = was;
	}
	if (st == KC_ROUTING_READY)
		return 1;
	if (st == KC_ROUTING_UNSUPPORTED)
		con_note(c, "routing: %s", kc_routing_why(c->kc));
	else
		con_note(c, "routing: the agent is not installed yet");
	return 0;
}

struct rwait {
	int done;
	char err[300];
};

static void on_routing_reply(struct kc_client *kc, const char *id, enum kc_status st,
			     const struct kc_msg *reply, void *ud)
{
	struct rwait *w = ud;
	const char *s = reply ? json_string_value(json_object_get(reply->content, "status")) : NULL;

	if (st != KC_OK || !s || strcmp(s, "ok")) {
		const char *ev =
			reply ? json_string_value(json_object_get(reply->content, "evalue")) : NULL;

		snprintf(w->err, sizeof w->err, "%s", ev ? ev : kc_status_name(st));
	}
	w->done = 1;
}

/* Sends one routing request and waits (at most 5 s). 0 when the kernel confirmed it. */
static int routing_do(struct console *c, const char *op, const char *policy, long long ident,
		      const char *pattern)
{
	struct rwait *w = calloc(1, sizeof *w);
	int rc;

	if (!w)
		return -1;
	if (!kc_routing_request(c->kc, op, policy, ident, pattern, on_routing_reply, w)) {
		con_note(c, "routing: %s", kc_client_strerror(c->kc));
		free(w);
		return -1;
	}
	con_wait(c, &w->done, 5000);
	if (!w->done) {
		con_note(c, "routing: no answer from the kernel yet");
		return -1; /* w is freed by nobody: the callback may still come and use it */
	}
	if (w->err[0])
		con_note(c, "routing: %s failed: %s", op, w->err);
	rc = w->err[0] ? -1 : 0;
	free(w);
	return rc;
}

static void show_rules(struct console *c, json_t *state)
{
	json_t *rules = json_object_get(state, "rules"), *r;
	size_t i;

	con_note(c, "default policy: %s",
		 policy_word(json_string_value(json_object_get(state, "default"))));
	if (!json_array_size(rules))
		con_note(c, "no rules");
	json_array_foreach(rules, i, r)
		con_note(c, "rule %zu: %s=%s", i + 1,
			 json_string_value(json_object_get(r, "pattern")) ?: "?",
			 policy_word(json_string_value(json_object_get(r, "policy"))));
}

/* The thread table: the user's threads first, then the main thread, then ipykernel's fd watchers
 * (labelled by what they carry); the kernel's other threads only with "all". */
static void show_threads(struct console *c, json_t *state, int all)
{
	json_t *threads = json_object_get(state, "threads"), *t;
	size_t i, hidden = 0;
	int namew = 4, k;

	json_array_foreach(threads, i, t) {
		const char *name = json_string_value(json_object_get(t, "name"));
		int w = tk_classify(t) == TK_FD ? (int)strlen(TK_FD_LABEL)
						: name ? st_width(name, strlen(name)) : 1;

		if (w > namew)
			namew = w > 48 ? 48 : w;
	}
	con_note(c, "%-16s %-*s %-6s %-10s %-10s %-8s %-7s %s", "IDENT", namew, "NAME", "ALIVE",
		 "ORIGIN", "STARTED", "POLICY", "OUTPUTS", "KIND");
	for (k = TK_USER; k <= TK_KERNEL; k++) {
		json_array_foreach(threads, i, t) {
			char origin[32], *safe;
			const char *name = json_string_value(json_object_get(t, "name"));
			int used = 0;
			size_t fit;

			if (tk_classify(t) != (enum tk_kind)k)
				continue;
			if (k == TK_KERNEL && !all) {
				hidden++;
				continue;
			}
			safe = k == TK_FD ? strdup(TK_FD_LABEL)
					  : st_plain(name ? name : "?", strlen(name ? name : "?"), NULL);
			fit = safe ? st_fit(safe, strlen(safe), namew, &used) : 0;
			cell_of(c, json_string_value(json_object_get(t, "origin")), origin,
				sizeof origin);
			con_note(c, "%-16lld %.*s%*s %-6s %-10s %-10s %-8s %7lld %s",
				 (long long)json_integer_value(json_object_get(t, "ident")), (int)fit,
				 safe ? safe : "", namew - used, "",
				 json_is_true(json_object_get(t, "alive")) ? "yes" : "no", origin,
				 json_string_value(json_object_get(t, "origin_kind")) ?: "-",
				 policy_word(json_string_value(json_object_get(t, "policy"))),
				 (long long)json_integer_value(json_object_get(t, "outputs")),
				 tk_word((enum tk_kind)k));
			free(safe);
		}
	}
	if (hidden)
		con_note(c, "%zu kernel threads not shown (\\threads all shows them)", hidden);
	con_note(c, "default policy: %s",
		 policy_word(json_string_value(json_object_get(state, "default"))));
}

static void restart(struct console *c)
{
	struct kc_error err = {0};

	if (!kc_client_launched(c->kc)) {
		con_note(c, "bobbin: this kernel was attached with --existing; bobbin cannot restart "
			    "it");
		return;
	}
	con_note(c, "Restarting the kernel…");
	if (kc_client_restart(c->kc, &err) < 0 || kc_client_wait_ready(c->kc, 60000, &err) < 0) {
		con_note(c, "bobbin: restart failed: %s", err.text);
		return;
	}
	c->dead_reported = 0;
	c->next_count = 1;
	c->exec_id[0] = 0;
	c->exec_cell[0] = 0;
	c->mode = CON_PROMPT;
	con_note(c, "The kernel is ready.");
}

int con_command(struct console *c, const char *line)
{
	char cmd[32], a1[256], a2[64];
	int n = sscanf(line, "\\%31s %255s %63s", cmd, a1, a2);

	if (n < 1) {
		con_note(c, "bobbin: \\help lists the commands");
		return 1;
	}
	if (!strcmp(cmd, "help") || !strcmp(cmd, "?")) {
		con_print(c, 0, help_text, strlen(help_text));
	} else if (!strcmp(cmd, "quit") || !strcmp(cmd, "exit")) {
		c->quit = 1;
	} else if (!strcmp(cmd, "restart")) {
		restart(c);
	} else if (!strcmp(cmd, "threads")) {
		if (routing_ready(c) && routing_do(c, "get", NULL, 0, NULL) == 0)
			show_threads(c, kc_routing_state(c->kc), n >= 2 && !strcmp(a1, "all"));
	} else if (!strcmp(cmd, "routing")) {
		if (!routing_ready(c))
			return 1;
		if (n >= 2 && !kernel_policy_valid(a1)) {
			con_note(c, "routing: the policy is kernel, origin, current or auto");
			return 1;
		}
		if (routing_do(c, n >= 2 ? "set_default" : "get", n >= 2 ? a1 : NULL, 0, NULL) == 0)
			show_rules(c, kc_routing_state(c->kc));
	} else if (!strcmp(cmd, "route")) {
		char pat[256];
		const char *eq;

		if (!routing_ready(c))
			return 1;
		if (n < 2) {
			if (routing_do(c, "get", NULL, 0, NULL) == 0)
				show_rules(c, kc_routing_state(c->kc));
			return 1;
		}
		/* Quotes around the pattern are the user's, not part of it. */
		snprintf(pat, sizeof pat, "%s", a1);
		for (char *s = pat, *d = pat;; s++)
			if (*s != '\'' && *s != '"' && !(*d++ = *s))
				break;
		if (pat[0] == '-') {
			if (routing_do(c, "remove_rule", NULL, 0, pat + 1) == 0)
				show_rules(c, kc_routing_state(c->kc));
			return 1;
		}
		eq = strrchr(pat, '=');
		if (!eq || eq == pat || !kernel_policy_valid(eq + 1)) {
			con_note(c, "routing: \\route PATTERN=POLICY, e.g. \\route 'Pool-*'=current");
			return 1;
		}
		pat[eq - pat] = 0;
		if (routing_do(c, "add_rule", eq + 1, 0, pat) == 0)
			show_rules(c, kc_routing_state(c->kc));
	} else if (!strcmp(cmd, "thread")) {
		char *end;
		long long ident = n >= 2 ? strtoll(a1, &end, 10) : 0;

		if (n < 3 || *end || (strcmp(a2, "clear") && !kernel_policy_valid(a2))) {
			con_note(c, "routing: \\thread IDENT POLICY (kernel, origin, current, auto "
				    "or clear)");
			return 1;
		}
		if (!routing_ready(c))
			return 1;
		if (!strcmp(a2, "clear"))
			routing_do(c, "clear_thread", NULL, ident, NULL);
		else if (routing_do(c, "set_thread", a2, ident, NULL) == 0)
			con_note(c, "routing: thread %lld now %s", ident, a2);
	} else {
		char *safe = st_plain(cmd, strlen(cmd), NULL);

		con_note(c, "bobbin: unknown command \\%s (\\help lists them)", safe ? safe : "");
		free(safe);
	}
	return 1;
}
