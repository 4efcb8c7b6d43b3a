// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * `bobbin console`: a line-oriented client like `jupyter console`. Interactive when stdin is a
 * terminal (readline prompts In [n] with the kernel's execution counts, multi-line blocks decided
 * by is_complete_request, Ctrl-C interrupts running code or clears the line, Ctrl-D leaves);
 * otherwise it reads the whole of stdin, splits it into blocks with is_complete and runs them in
 * order, stopping at the first that raises unless --allow-errors (exit status 1 either way).
 * One thread and one zmq_poll loop over the kernel's sockets, the signal self-pipe and stdin;
 * completion and commands wait for their reply in a bounded nested loop. This file has the
 * options, the loop and the input state machine; see console.h for the other modules.
 */
#include <errno.h>
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tui/cmd.h"
#include "tui/console.h"
#include "tui/kernel_quirks.h"
#include "tui/mime.h"
#include "tui/safetext.h"
#include "tui/sigpipe.h"
#include "tui/tout.h"

#define IS_COMPLETE_TIMEOUT_MS 1000 /* as jupyter_console */
#define IDLE_GRACE_MS 1000          /* after execute_reply, how long to wait for idle */

static const char console_usage[] =
	"usage: bobbin console [-k NAME | --existing[=FILE|ID]] [--allow-errors]\n"
	"                      [--routing POLICY] [--route PATTERN=POLICY] [--no-agent]\n"
	"                      [--ssh HOST [--ssh-keep]] [--server URL [--server-keep]]\n"
	"                      [--theme NAME]\n"
	"\n"
	"A readline REPL on a kernel; with stdin not a terminal, runs the code read from it.\n"
	"  -k, --kernel NAME      kernelspec to start (default python3)\n"
	"  --existing[=FILE|ID]   attach to a running kernel (newest kernel-*.json by default)\n"
	"  --ssh HOST             the kernel is on HOST (ssh; BOBBIN_SSH replaces the command)\n"
	"  --ssh-keep             with --ssh and -k: leave the kernel running there on quit\n"
	"  --server URL           the kernel is on a Jupyter Server (token: --token-file FILE,\n"
	"                         JUPYTER_TOKEN or a prompt; --ca-file FILE for https)\n"
	"  --server-keep          with --server and -k: leave the kernel running there on quit\n"
	"  --allow-errors         piped input: run every block even after one raised (exit 1 still)\n"
	"  --routing POLICY       thread output routing default (kernel, origin, current, auto)\n"
	"  --route PATTERN=POLICY routing rule by thread name, repeatable\n"
	"  --no-agent             do not install the routing agent\n"
	"  --theme NAME           colours of the prompts and labels (default: the config's theme;\n"
	"                         NO_COLOR turns colour off)\n"
	"Type \\help at the prompt for the console's own commands.\n";

/* ---- kernel callbacks ---- */

static void on_iopub(struct kc_client *kc, const struct kc_msg *m, void *ud)
{
	con_on_iopub(ud, m);
}

static void on_input(struct kc_client *kc, const struct kc_msg *m, const char *prompt,
		     int password, void *ud)
{
	struct console *c = ud;

	if (!c->interactive) {
		kc_client_input_reply(kc, "");
		return;
	}
	con_newline_if_needed(c);
	con_rl_prompt_input(c, prompt ? prompt : "", password);
}

static void on_state(struct kc_client *kc, enum kc_state st, void *ud)
{
	struct console *c = ud;

	if (st == KC_DEAD && !c->dead_reported) {
		c->dead_reported = 1;
		if (c->mode == CON_RUNNING || c->mode == CON_INPUT) {
			long n = c->exec_cell[0] ? nb_cell_execution_count(nb_doc_find(c->doc,
											c->exec_cell))
						 : -1;
			if (n >= 0)
				con_note(c, "bobbin: the kernel died while running In [%ld]", n);
			else
				con_note(c, "bobbin: the kernel died while running the code");
		} else {
			con_note(c, "bobbin: the kernel died");
		}
		if (c->interactive && kc_client_launched(kc))
			con_note(c, "Type \\restart to start it again, or Ctrl-D to quit.");
		c->exec_replied = c->exec_idle = 1;
		c->exec_error = 1;
	} else if (st == KC_DISCONNECTED) {
		con_note(c, "bobbin: the kernel stopped answering (heartbeat lost)");
	} else if (st == KC_LINK_LOST) {
		if (kc_client_server_url(kc))
			con_note(c, "bobbin: the WebSocket to %s dropped; reconnecting (output written "
			            "while the link was dying may be missing)",
			         kc_client_server_url(kc));
		else
			con_note(c, "bobbin: ssh link lost to %s; reconnecting (output sent meanwhile "
			            "is lost)",
			         kc_client_ssh_host(kc));
	}
}

static void on_exec_reply(struct kc_client *kc, const char *id, enum kc_status st,
			  const struct kc_msg *reply, void *ud)
{
	struct console *c = ud;
	json_t *n;
	const char *s;

	if (strcmp(id, c->exec_id))
		return;
	c->exec_replied = 1;
	c->exec_replied_at = sigpipe_now_ms();
	if (!reply) {
		c->exec_idle = 1;
		c->exec_error = 1;
		return;
	}
	nb_out_reply(c->out, id, reply->msg_type, reply->content);
	if ((n = mime_page_payload(reply->content))) {
		con_print_page(c, n);
		json_decref(n);
	}
	if (kc_client_output_lost(kc)) {
		c->exec_idle = 1;
		con_note(c, "bobbin: %.*s", (int)strlen(NB_OUT_LOST_TEXT) - 1, NB_OUT_LOST_TEXT);
	}
	n = json_object_get(reply->content, "execution_count");
	if (json_is_integer(n))
		c->next_count = (long)json_integer_value(n) + 1;
	s = json_string_value(json_object_get(reply->content, "status"));
	if (!s || strcmp(s, "ok"))
		c->exec_error = 1;
}

static void on_count_reply(struct kc_client *kc, const char *id, enum kc_status st,
			   const struct kc_msg *reply, void *ud)
{
	struct console *c = ud;
	json_t *n = reply ? json_object_get(reply->content, "execution_count") : NULL;

	/* A silent execute answers with the count of the last stored execution; IRkernel's
	 * answers with the next one's. */
	if (json_is_integer(n))
		c->next_count = (long)json_integer_value(n) + !kq_silent_count_is_next(kc);
	c->count_known = 1;
}

/* Asks for the execution count the first prompt shows. */
static int send_count(struct console *c)
{
	const char *id = kc_client_execute(c->kc, "", KC_EXEC_SILENT | KC_EXEC_NO_HISTORY,
					   on_count_reply, c);

	if (!id)
		return -1;
	nb_out_request(c->out, id, NULL, NB_REQ_SILENT);
	return 0;
}

/* ---- executing ---- */

static void start_exec(struct console *c, const char *code)
{
	struct nb_cell *cell = nb_doc_insert(c->doc, nb_doc_ncells(c->doc), NB_CODE);
	int flags = c->interactive ? 0 : KC_EXEC_NO_STDIN;
	const char *id;

	nb_cell_set_source(cell, code);
	c->exec_replied = c->exec_idle = c->exec_error = 0;
	c->last_label[0] = 0;
	c->mode = CON_RUNNING;
	c->exec_id[0] = 0;
	snprintf(c->exec_cell, sizeof c->exec_cell, "%s", nb_cell_id(cell));
	id = kc_client_execute(c->kc, code, flags, on_exec_reply, c);
	if (!id) {
		con_note(c, "bobbin: %s", kc_client_strerror(c->kc));
		c->exec_replied = c->exec_idle = c->exec_error = 1;
		return;
	}
	snprintf(c->exec_id, sizeof c->exec_id, "%s", id);
	json_object_set_new(nb_cell_metadata(cell), "msg_id", json_string(id));
	nb_out_request(c->out, id, nb_cell_id(cell), NB_REQ_EXECUTE);
}

static int exec_finished(struct console *c)
{
	return c->mode == CON_RUNNING && c->exec_replied &&
	       (c->exec_idle || sigpipe_now_ms() - c->exec_replied_at >= IDLE_GRACE_MS);
}

/* ---- is_complete ---- */

struct check {
	int done;
	char status[16];
	char indent[128];
};

static void on_check(struct kc_client *kc, const char *id, enum kc_status st,
		     const struct kc_msg *reply, void *ud)
{
	struct check *k = ud;
	const char *s = reply ? json_string_value(json_object_get(reply->content, "status")) : NULL;
	const char *in = reply ? json_string_value(json_object_get(reply->content, "indent")) : NULL;

	snprintf(k->status, sizeof k->status, "%s", st == KC_OK && s ? s : "unknown");
	snprintf(k->indent, sizeof k->indent, "%s", in ? in : "");
	k->done = 1;
}

static struct check icheck; /* the interactive one in flight */

/* Checks code without its final newline, as a line editor holds it: IPython calls a block that
 * ends in an indented line and a newline complete, and without the newline incomplete. */
static void send_check(struct console *c, struct check *k, const char *code)
{
	size_t n = strlen(code);

	memset(k, 0, sizeof *k);
	if (n && code[n - 1] == '\n')
		n--;
	if (!kc_client_request(c->kc, KC_SHELL, "is_complete_request",
			       json_pack("{s:s%}", "code", code, n), IS_COMPLETE_TIMEOUT_MS,
			       on_check, k)) {
		snprintf(k->status, sizeof k->status, "unknown");
		k->done = 1;
	}
}

/* The interactive check answered: run the block or ask for more. */
static void checked(struct console *c)
{
	const char *s = icheck.status;

	if (!strcmp(s, "complete") || !strcmp(s, "invalid")) {
		start_exec(c, c->block.p);
		c->block.len = 0;
		return;
	}
	if (!strcmp(s, "incomplete")) {
		char *safe = st_plain(icheck.indent, strlen(icheck.indent), NULL);

		/* Only blanks make sense as an indent. */
		snprintf(c->indent, sizeof c->indent, "%s",
			 safe && strspn(safe, " \t") == strlen(safe) ? safe : "");
		free(safe);
	} else {
		c->indent[0] = 0;
	}
	con_rl_prompt_code(c, 1);
}

/* ---- line handlers (called from readline) ---- */

static int blank(const char *s)
{
	return strspn(s, " \t\r\n") == strlen(s);
}

void con_line_code(struct console *c, char *line)
{
	if (!line) {
		con_rl_remove(c);
		tout_lit(stdout, "\n");
		c->at_bol = 1;
		c->quit = 1;
		free(line);
		return;
	}
	con_rl_remove(c);
	if (!c->block.len && line[0] == '\\' && line[1] != '\\') {
		con_rl_history_add(c, line);
		con_command(c, line);
		free(line);
		if (!c->quit && c->mode != CON_RUNNING)
			con_rl_prompt_code(c, 0);
		return;
	}
	if (kc_client_state(c->kc) == KC_DEAD) {
		con_note(c, "bobbin: the kernel is dead%s",
			 kc_client_launched(c->kc) ? "; \\restart starts it again" : "");
		c->block.len = 0;
		free(line);
		con_rl_prompt_code(c, 0);
		return;
	}
	if (blank(line)) {
		free(line);
		/* A blank line ends a block; alone it just asks again. */
		if (c->block.len) {
			start_exec(c, c->block.p);
			c->block.len = 0;
		} else {
			con_rl_prompt_code(c, 0);
		}
		return;
	}
	con_rl_history_add(c, line);
	/* "\\x" sends "\x": the escape for code that starts with a backslash. */
	con_buf_add(&c->block, line[0] == '\\' && !c->block.len ? line + 1 : line,
		    strlen(line[0] == '\\' && !c->block.len ? line + 1 : line));
	con_buf_add(&c->block, "\n", 1);
	free(line);
	c->mode = CON_CHECKING;
	send_check(c, &icheck, c->block.p);
}

void con_line_input(struct console *c, char *line)
{
	con_rl_remove(c);
	c->mode = CON_RUNNING;
	if (!line) {
		tout_lit(stdout, "\n");
		c->at_bol = 1;
	}
	kc_client_input_reply(c->kc, line ? line : "");
	free(line);
}

/* ---- the loop ---- */

static void on_signal(struct console *c, int sig)
{
	if (sig == SIGINT) {
		if (c->mode == CON_RUNNING || c->mode == CON_INPUT) {
			if (c->mode == CON_INPUT) {
				con_rl_remove(c);
				c->mode = CON_RUNNING;
			}
			con_note(c, "KeyboardInterrupt: interrupting the kernel");
			if (c->held.len)
				con_note(c, "bobbin: the lines typed while it ran are dropped");
			c->held.len = 0;
			c->ahead.len = 0;
			if (kc_client_interrupt(c->kc) < 0)
				con_note(c, "bobbin: %s", kc_client_strerror(c->kc));
			c->last_label[0] = 0;
		} else if (c->mode == CON_PROMPT) {
			con_rl_clear_line(c);
		}
	} else if (sig == SIGTERM || sig == SIGHUP) {
		c->quit = 1;
	} else if (sig == SIGWINCH) {
		con_rl_resize(c);
	}
}

/*
 * A line typed while code runs reaches bobbin through the terminal's line discipline (it echoes
 * it; readline is not installed). A backslash command runs at once, so `\routing current` takes
 * effect for the running cell; a code line waits for the next prompt, which shows it ready to
 * edit, and a note says so.
 */
static void read_busy(struct console *c)
{
	char buf[4096];
	ssize_t r = read(0, buf, sizeof buf);
	size_t start = 0, i;

	if (r <= 0) {
		if (r == 0 || (errno != EINTR && errno != EAGAIN))
			c->held_eof = 1;
		return;
	}
	con_buf_add(&c->ahead, buf, (size_t)r);
	c->at_bol = 1; /* the terminal echoed a line end */
	for (i = 0; i < c->ahead.len; i++) {
		char *line = c->ahead.p + start;

		if (c->ahead.p[i] != '\n')
			continue;
		c->ahead.p[i] = 0;
		start = i + 1;
		if (line[0] == '\\' && line[1] != '\\') {
			con_rl_history_add(c, line);
			con_command(c, line);
		} else if (!blank(line) || c->held.len) {
			con_buf_add(&c->held, line, strlen(line));
			con_buf_add(&c->held, "\n", 1);
			con_note(c, "bobbin: code is running; that line runs when it finishes "
				    "(Ctrl-C drops it; \\ commands run at once)");
		}
	}
	memmove(c->ahead.p, c->ahead.p + start, c->ahead.len - start);
	c->ahead.len -= start;
}

/* At a prompt: the next line typed while code ran runs now, as if typed here. */
static void submit_held(struct console *c)
{
	size_t len = strcspn(c->held.p, "\n"), rest;
	char *line = strndup(c->held.p, len);

	rest = len < c->held.len ? len + 1 : len;
	memmove(c->held.p, c->held.p + rest, c->held.len - rest);
	c->held.len -= rest;
	if (line)
		con_rl_submit(c, line, len);
	free(line);
}

static void loop_once(struct console *c, long max_ms)
{
	zmq_pollitem_t items[KC_MAXPOLL + 2];
	int n = kc_client_pollitems(c->kc, items, KC_MAXPOLL), nsig, nin = -1;
	long t = kc_client_next_timeout(c->kc);

	items[nsig = n] = (zmq_pollitem_t){.fd = c->sigfd, .events = ZMQ_POLLIN};
	if (c->interactive && (c->rl_installed || (c->mode == CON_RUNNING && !c->held_eof))) {
		nin = n + 1;
		items[nin] = (zmq_pollitem_t){.fd = 0, .events = ZMQ_POLLIN};
	}
	if ((c->mode == CON_RUNNING && c->exec_replied && !c->exec_idle) || c->partial[0].len ||
	    c->partial[1].len)
		max_ms = max_ms < 0 || max_ms > 50 ? 50 : max_ms;
	if (t < 0 || (max_ms >= 0 && t > max_ms))
		t = max_ms;
	if (zmq_poll(items, nin >= 0 ? nin + 1 : nsig + 1, t) < 0 && errno != EINTR) {
		c->quit = 1;
		return;
	}
	if (items[nsig].revents & ZMQ_POLLIN) {
		int sig;

		while ((sig = sigpipe_read()))
			on_signal(c, sig);
	}
	kc_client_dispatch(c->kc, items, n);
	{
		static struct kernel_badsig badsig;
		char why[128];

		if (kernel_badsig_check(c->kc, &badsig, why, sizeof why))
			con_note(c, "%s", why);
	}
	con_flush_partial(c, !c->rl_installed);
	if (nin >= 0 && (items[nin].revents & (ZMQ_POLLIN | ZMQ_POLLERR))) {
		if (c->rl_installed)
			con_rl_read(c);
		else if (c->mode == CON_RUNNING)
			read_busy(c);
	}
}

void con_wait(struct console *c, const int *done, long ms)
{
	int was = c->defer;

	c->defer = 1;
	kc_client_run(c->kc, done, ms);
	c->defer = was;
}

static int interactive(struct console *c)
{
	const char *lang = json_string_value(
		json_object_get(json_object_get(kc_client_info(c->kc), "language_info"), "name"));
	json_t *info = kc_client_info(c->kc);
	const char *banner = json_string_value(json_object_get(info, "banner"));

	con_rl_init(c, lang);
	if (banner && *banner) {
		size_t len = strlen(banner);

		tout_text(stdout, banner, len, 0);
		if (banner[len - 1] != '\n')
			tout_lit(stdout, "\n");
		tout_lit(stdout, "\n");
	}
	c->at_bol = 1;
	while (!c->count_known && !c->quit && kc_client_state(c->kc) != KC_DEAD)
		loop_once(c, 1000);
	con_rl_prompt_code(c, 0);
	while (!c->quit) {
		loop_once(c, 1000);
		if (c->mode == CON_CHECKING && icheck.done) {
			checked(c);
		}
		if (exec_finished(c)) {
			c->exec_idle = 1;
			con_newline_if_needed(c);
			con_rl_prompt_code(c, 0);
		}
		if (c->dead_reported == 1 && c->mode == CON_RUNNING) {
			c->mode = CON_PROMPT;
			con_rl_prompt_code(c, 0);
		}
		/* lines typed while code ran, then a Ctrl-D typed then: now that it finished */
		if (c->mode == CON_PROMPT && c->rl_installed && c->held.len)
			submit_held(c);
		else if (c->held_eof && c->mode == CON_PROMPT && !c->held.len)
			con_line_code(c, NULL);
	}
	con_rl_finish(c);
	return 0;
}

/* ---- piped input ---- */

static char *slurp(FILE *f)
{
	struct con_buf b = {0};
	char chunk[65536];
	size_t r;

	while ((r = fread(chunk, 1, sizeof chunk, f)) > 0)
		con_buf_add(&b, chunk, r);
	if (!b.p)
		con_buf_add(&b, "", 0);
	return b.p;
}

/* Runs block; returns 1 when it raised (or the kernel died). */
static int run_block(struct console *c, const char *block)
{
	start_exec(c, block);
	while (!c->quit && !exec_finished(c))
		loop_once(c, 1000);
	c->mode = CON_IDLE;
	con_newline_if_needed(c);
	return c->exec_error || kc_client_state(c->kc) == KC_DEAD;
}

static int piped(struct console *c)
{
	char *code = slurp(stdin), *line, *next;
	struct con_buf acc = {0};
	int failed = 0, have_check = 1;

	if (!code)
		return 1;
	for (line = code; *line && !c->quit; line = next) {
		size_t len = strcspn(line, "\n");
		int starts_statement = len && line[0] != ' ' && line[0] != '\t' && line[0] != '\r';

		next = line[len] ? line + len + 1 : line + len;
		/* A line at column 0 may start a new block: ask whether what came before is one. */
		if (starts_statement && acc.len && !blank(acc.p)) {
			struct check k;
			int split;

			if (have_check) {
				send_check(c, &k, acc.p);
				while (!k.done && !c->quit)
					loop_once(c, 1000);
				if (!strcmp(k.status, "unknown"))
					have_check = 0;
			}
			/* Without is_complete, a blank line before a column-0 line ends a block. */
			split = have_check ? !strcmp(k.status, "complete") ||
						     !strcmp(k.status, "invalid")
					   : acc.len >= 2 && acc.p[acc.len - 2] == '\n';
			if (split) {
				int err = run_block(c, acc.p);

				acc.len = 0;
				acc.p[0] = 0;
				if (err) {
					failed = 1;
					if (!c->allow_errors || kc_client_state(c->kc) == KC_DEAD)
						break;
				}
			}
		}
		con_buf_add(&acc, line, len);
		con_buf_add(&acc, "\n", 1);
	}
	if (!c->quit && acc.len && !blank(acc.p) && (!failed || c->allow_errors) &&
	    kc_client_state(c->kc) != KC_DEAD)
		failed |= run_block(c, acc.p);
	con_buf_free(&acc);
	free(code);
	return failed || c->quit ? 1 : 0;
}

static void report_stderr(const char *msg, void *ud)
{
	tout_fmt(stderr, "bobbin: %s\n", msg);
}

int cmd_console(int argc, char **argv)
{
	struct console c = {.next_count = 1, .at_bol = 1, .status = 0};
	int rc, user_no_agent;
	const char *theme = NULL;

	for (int i = 1; i < argc; i++) {
		int r = kernel_opts_parse(&c.ko, argc, argv, &i);

		if (r < 0)
			return 2;
		if (r)
			continue;
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			tout_fmt(stdout, "%s", console_usage);
			return 0;
		} else if (!strcmp(argv[i], "--allow-errors")) {
			c.allow_errors = 1;
		} else if (!strcmp(argv[i], "--theme") && i + 1 < argc) {
			theme = argv[++i];
		} else {
			tout_fmt(stderr, "bobbin console: unknown argument \"%s\"\n%s", argv[i],
			         console_usage);
			return 2;
		}
	}
	setlocale(LC_ALL, "");
	c.interactive = isatty(0);
	c.color = isatty(1);
	con_theme_init(&c, theme);
	c.sigfd = sigpipe_install();
	if (!(c.doc = nb_doc_new()) || !(c.out = nb_out_new(c.doc))) {
		tout_fmt(stderr, "bobbin console: out of memory\n");
		nb_doc_free(c.doc);
		return 1;
	}
	nb_out_set_limit(c.out, 256 * 1024);
	nb_out_set_save_attribution(c.out, 0);
	/* output with no cell is printed as it comes, labelled; the console saves no notebook */
	nb_out_set_stray_cell(c.out, 0);
	/* The agent is installed after the first prompt's count is asked for, so the prompt does
	 * not wait for the install's execute. */
	user_no_agent = c.ko.no_agent;
	c.ko.no_agent = 1;
	c.kc = kernel_open(&c.ko);
	c.ko.no_agent = user_no_agent;
	if (!c.kc) {
		nb_out_free(c.out);
		nb_doc_free(c.doc);
		return kernel_remote(&c.ko) ? 2 : 1;
	}
	kc_client_set_handlers(c.kc, &(struct kc_handlers){.iopub = on_iopub,
							   .input = on_input,
							   .state = on_state,
							   .routing = con_report_routing,
							   .ud = &c});
	if (c.interactive && send_count(&c) < 0)
		c.count_known = 1;
	if (!c.ko.no_agent) {
		kc_routing_enable(c.kc);
		kernel_apply_routing(c.kc, &c.ko, report_stderr, NULL);
	}
	rc = c.interactive ? interactive(&c) : piped(&c);
	if (c.interactive) {
		if (!kc_client_launched(c.kc))
			tout_fmt(stdout, "Leaving the kernel running (%s).\n",
			         kc_client_connfile(c.kc));
		else if (kc_client_state(c.kc) != KC_DEAD)
			tout_fmt(stdout, "Shutting down the kernel.\n");
		fflush(stdout);
	}
	kc_client_free(c.kc, !kc_client_launched(c.kc));
	nb_out_free(c.out);
	nb_doc_free(c.doc);
	con_buf_free(&c.block);
	con_buf_free(&c.deferred);
	con_buf_free(&c.partial[0]);
	con_buf_free(&c.partial[1]);
	con_buf_free(&c.ahead);
	con_buf_free(&c.held);
	return rc;
}
