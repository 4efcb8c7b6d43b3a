// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * `bobbin exec`: runs code once on a kernel and prints its outputs — stream text, text/plain of
 * results and displays, tracebacks — for scripts and smoke tests. Everything from the kernel goes
 * through safetext: on a terminal only normalised SGR colour survives, into a pipe or file no
 * escape sequence at all. Ctrl-C interrupts the kernel; a second Ctrl-C within a second exits.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "kernelclient/kc.h"
#include "tui/cmd.h"
#include "tui/console.h"
#include "tui/kernel_open.h"
#include "tui/mime.h"
#include "tui/sigpipe.h"
#include "tui/tout.h"

struct exec_state {
	char msg_id[64]; /* a copy: the library's string is gone once the request finishes */
	int done, failed, allow_stdin;
	enum kc_status status;
};

static void write_safe(FILE *f, const char *s, size_t len)
{
	tout_text(f, s, len, isatty(fileno(f)));
}

static void write_line(FILE *f, const char *s)
{
	write_safe(f, s, strlen(s));
	if (!*s || s[strlen(s) - 1] != '\n')
		tout_lit(f, "\n");
}

/* A display_data's or a page's MIME bundle on stdout. */
static void print_bundle(json_t *data)
{
	const char *plain = json_string_value(json_object_get(data, "text/plain"));
	struct mime_opts mo;
	char *rich;

	mime_opts_tty(&mo, STDOUT_FILENO, isatty(STDOUT_FILENO));
	if (con_pixels(stdout, data, &mo, 0)) /* images = kitty, sixel, iterm on a terminal */
		return;
	if ((rich = mime_text(data, &mo, NULL))) {
		write_line(stdout, rich);
		free(rich);
	} else if (plain)
		write_line(stdout, plain);
	else if (json_object_size(data)) {
		const char *mime = json_object_iter_key(json_object_iter(data));

		tout_fmt(stdout, "[%s output]\n", mime);
	}
}

static void on_iopub(struct kc_client *kc, const struct kc_msg *m, void *ud)
{
	struct exec_state *es = ud;
	json_t *c = m->content;

	if (!es->msg_id[0] || strcmp(m->parent_id, es->msg_id))
		return;
	if (!strcmp(m->msg_type, "stream")) {
		const char *name = json_string_value(json_object_get(c, "name"));
		json_t *t = json_object_get(c, "text");

		write_safe(name && !strcmp(name, "stderr") ? stderr : stdout,
			   json_string_value(t) ? json_string_value(t) : "", json_string_length(t));
	} else if (!strcmp(m->msg_type, "execute_result") ||
		   !strcmp(m->msg_type, "display_data")) {
		print_bundle(json_object_get(c, "data"));
	} else if (!strcmp(m->msg_type, "error")) {
		json_t *tb = json_object_get(c, "traceback"), *line;
		size_t i;

		es->failed = 1;
		if (json_array_size(tb)) {
			json_array_foreach(tb, i, line)
				if (json_is_string(line))
					write_line(stderr, json_string_value(line));
		} else {
			tout_fmt(stderr, "%s: %s\n",
			         json_string_value(json_object_get(c, "ename")) ?: "Error",
			         json_string_value(json_object_get(c, "evalue")) ?: "");
		}
	}
}

/* Reads one answer for input(); 0 at end of file. On a terminal the prompt is shown and a
 * password is not echoed; from a pipe the next line is the answer. */
static int read_answer(const char *prompt, int password, char *buf, size_t size)
{
	struct termios old, quiet;
	int tty = isatty(0);

	write_safe(stderr, prompt, strlen(prompt));
	if (password && tty && tcgetattr(0, &old) == 0) {
		quiet = old;
		quiet.c_lflag &= ~(tcflag_t)ECHO;
		tcsetattr(0, TCSANOW, &quiet);
	}
	int got = fgets(buf, (int)size, stdin) != NULL;

	if (!got)
		buf[0] = 0;
	buf[strcspn(buf, "\n")] = 0;
	if (password && tty) {
		tcsetattr(0, TCSANOW, &old);
		tout_lit(stderr, "\n");
	}
	return got;
}

static void on_input(struct kc_client *kc, const struct kc_msg *m, const char *prompt,
		     int password, void *ud)
{
	struct exec_state *es = ud;
	char buf[4096];

	if (!read_answer(prompt, password, buf, sizeof buf)) {
		/* No answer will come: interrupt, so input() raises instead of waiting forever. A
		 * kernel may go on with the empty answer (R's readline() returns ""): exit 1 all the
		 * same. */
		es->failed = 1;
		tout_fmt(stderr,
		         "\nbobbin exec: the code asked for input, and standard input is at its "
		         "end\n");
		kc_client_interrupt(kc);
		kc_client_input_reply(kc, "");
		return;
	}
	kc_client_input_reply(kc, buf);
}

static void on_reply(struct kc_client *kc, const char *id, enum kc_status st,
		     const struct kc_msg *reply, void *ud)
{
	struct exec_state *es = ud;
	json_t *page = reply ? mime_page_payload(reply->content) : NULL;

	if (page) /* `obj?`: printed after the outputs, as jupyter console does */
		print_bundle(page);
	json_decref(page);
	es->status = st;
	es->done = 1;
	if (st != KC_OK)
		es->failed = 1;
	if (st == KC_CANCELLED)
		tout_fmt(stderr, "bobbin: the kernel died while running the code\n");
}

static char *slurp(FILE *f)
{
	size_t cap = 4096, n = 0, r;
	char *buf = malloc(cap);

	while (buf && (r = fread(buf + n, 1, cap - n - 1, f)) > 0) {
		n += r;
		if (n + 1 == cap)
			buf = realloc(buf, cap *= 2);
	}
	if (buf)
		buf[n] = 0;
	return buf;
}

static const char exec_usage[] =
	"usage: bobbin exec [-k NAME | --existing[=FILE|ID]] [--ssh HOST | --server URL] [-c CODE]\n"
	"\n"
	"Runs CODE (or the code read from standard input) once and prints its outputs.\n"
	"Exit status: 0, or 1 when the code raised or the kernel died (2: --ssh or --server failed).\n"
	"  -k, --kernel NAME      kernelspec to start (default python3)\n"
	"  --existing[=FILE|ID]   attach to a running kernel (newest kernel-*.json by default)\n"
	"  --ssh HOST             the kernel is on HOST (ssh; BOBBIN_SSH replaces the command)\n"
	"  --ssh-keep             with --ssh and -k: leave the kernel running there on quit\n"
	"  --server URL           the kernel is on a Jupyter Server (token: --token-file FILE,\n"
	"                         JUPYTER_TOKEN or a prompt; --ca-file FILE for https)\n"
	"  --server-keep          with --server and -k: leave the kernel running there on quit\n"
	"  -c CODE                the code to run\n";

int cmd_exec(int argc, char **argv)
{
	struct kernel_opts ko = {0};
	struct exec_state es = {0};
	const char *code = NULL;
	char *owned = NULL;
	struct kc_client *kc;
	long long last_int = 0;
	struct kernel_badsig badsig = {0};
	char why[128];
	int sigfd;

	for (int i = 1; i < argc; i++) {
		int r = kernel_opts_parse(&ko, argc, argv, &i);

		if (r < 0)
			return 2;
		if (r)
			continue;
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			tout_fmt(stdout, "%s", exec_usage);
			return 0;
		} else if (!strcmp(argv[i], "-c") && i + 1 < argc) {
			code = argv[++i];
		} else {
			tout_fmt(stderr, "bobbin exec: unknown argument \"%s\"\n%s", argv[i],
			         exec_usage);
			return 2;
		}
	}
	if (!code) {
		if (!(owned = slurp(stdin))) {
			tout_fmt(stderr, "bobbin exec: cannot read code from standard input\n");
			return 2;
		}
		code = owned;
	}
	sigfd = sigpipe_install();
	if (!(kc = kernel_open(&ko))) {
		free(owned);
		return kernel_remote(&ko) ? 2 : 1;
	}
	kc_client_set_handlers(kc, &(struct kc_handlers){.iopub = on_iopub,
							 .input = on_input, .ud = &es});
	/* Code from stdin leaves no stdin for input(): tell the kernel, as nbclient does. */
	const char *id = kc_client_execute(kc, code, owned ? KC_EXEC_NO_STDIN : 0, on_reply, &es);
	if (id) {
		snprintf(es.msg_id, sizeof es.msg_id, "%s", id);
	} else {
		tout_fmt(stderr, "bobbin exec: %s\n", kc_client_strerror(kc));
		es.failed = 1;
		es.done = 1;
	}
	while (!es.done) {
		zmq_pollitem_t items[KC_MAXPOLL + 1];
		int n = kc_client_pollitems(kc, items, KC_MAXPOLL);
		long t = kc_client_next_timeout(kc);

		items[n] = (zmq_pollitem_t){.fd = sigfd, .events = ZMQ_POLLIN};
		if (zmq_poll(items, n + 1, t < 0 ? 1000 : t) < 0 && errno != EINTR)
			break;
		if (items[n].revents & ZMQ_POLLIN) {
			int sig = sigpipe_read();

			if (sig == SIGINT) {
				long long now = sigpipe_now_ms();

				if (now - last_int < 1000) {
					tout_fmt(stderr, "\nbobbin: interrupted twice, exiting\n");
					es.failed = 1;
					break;
				}
				last_int = now;
				tout_fmt(stderr, "\nbobbin: interrupting the kernel (Ctrl-C again "
				                 "to exit)\n");
				kc_client_interrupt(kc);
			} else if (sig == SIGTERM || sig == SIGHUP) {
				es.failed = 1;
				break;
			}
		}
		kc_client_dispatch(kc, items, n);
		if (kernel_badsig_check(kc, &badsig, why, sizeof why))
			tout_fmt(stderr, "bobbin exec: %s\n", why);
		if (kc_client_state(kc) == KC_DEAD && !es.done) {
			tout_fmt(stderr, "bobbin: the kernel died\n");
			es.failed = 1;
			break;
		}
	}
	kc_client_free(kc, !kc_client_launched(kc));
	free(owned);
	return es.failed ? 1 : 0;
}
