// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * Starting or attaching to a kernel for the command-line front ends (exec, console, run):
 * option parsing shared by all of them, and the one-line error reports a user sees.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "tui/kernel_open.h"
#include "tui/sigpipe.h"
#include "tui/tout.h"

int kernel_opts_parse(struct kernel_opts *o, int argc, char **argv, int *i)
{
	const char *a = argv[*i];

	if (!strcmp(a, "-k") || !strcmp(a, "--kernel")) {
		if (*i + 1 >= argc) {
			tout_fmt(stderr, "bobbin: %s needs a kernel name\n", a);
			return -1;
		}
		o->kernel = argv[++*i];
		return 1;
	}
	if (!strncmp(a, "--kernel=", 9)) {
		o->kernel = a + 9;
		return 1;
	}
	if (!strcmp(a, "--existing")) {
		/* A following argument that names a connection file belongs to --existing. */
		if (*i + 1 < argc && strstr(argv[*i + 1], ".json"))
			o->existing = argv[++*i];
		else
			o->existing = "";
		return 1;
	}
	if (!strncmp(a, "--existing=", 11)) {
		o->existing = a + 11;
		return 1;
	}
	if (!strcmp(a, "--ssh") || !strncmp(a, "--ssh=", 6)) {
		const char *v = a[5] == '=' ? a + 6 : *i + 1 < argc ? argv[++*i] : NULL;

		if (!v || !*v || *v == '-') {
			tout_fmt(stderr, "bobbin: --ssh needs a host (a name from ~/.ssh/config, "
			                 "host, user@host or user@host:port)\n");
			return -1;
		}
		o->ssh = v;
		return 1;
	}
	if (!strcmp(a, "--server") || !strncmp(a, "--server=", 9) || !strcmp(a, "--token-file") ||
	    !strncmp(a, "--token-file=", 13) || !strcmp(a, "--ca-file") ||
	    !strncmp(a, "--ca-file=", 10)) {
		const char *eq = strchr(a, '='), *v = eq ? eq + 1 : *i + 1 < argc ? argv[++*i] : NULL;
		size_t n = eq ? (size_t)(eq - a) : strlen(a);

		if (!v || !*v) {
			tout_fmt(stderr, "bobbin: %.*s needs %s\n", (int)n, a,
			         a[2] == 's' ? "a URL (http://HOST:PORT/ or https://…/user/NAME/)"
			                     : "a file");
			return -1;
		}
		if (a[2] == 's')
			o->server = v;
		else if (a[2] == 't')
			o->token_file = v;
		else
			o->ca_file = v;
		return 1;
	}
	if (!strcmp(a, "--server-keep")) {
		o->server_keep = 1;
		return 1;
	}
	if (!strcmp(a, "--ssh-keep")) {
		o->ssh_keep = 1;
		return 1;
	}
	if (!strcmp(a, "--no-agent")) {
		o->no_agent = 1;
		return 1;
	}
	if (!strcmp(a, "--routing") || !strncmp(a, "--routing=", 10)) {
		const char *v = a[9] == '=' ? a + 10 : *i + 1 < argc ? argv[++*i] : NULL;

		if (!v || !kernel_policy_valid(v)) {
			tout_fmt(stderr,
			         "bobbin: --routing takes kernel, origin, current or auto\n");
			return -1;
		}
		o->routing = v;
		return 1;
	}
	if (!strcmp(a, "--route") || !strncmp(a, "--route=", 8)) {
		const char *v = a[7] == '=' ? a + 8 : *i + 1 < argc ? argv[++*i] : NULL;
		const char *eq = v ? strrchr(v, '=') : NULL;

		if (!eq || eq == v || !kernel_policy_valid(eq + 1)) {
			tout_fmt(stderr, "bobbin: --route takes PATTERN=POLICY, e.g. "
			                 "'ThreadPoolExecutor-*=current'\n");
			return -1;
		}
		if (o->nroutes == (int)(sizeof o->routes / sizeof o->routes[0])) {
			tout_fmt(stderr, "bobbin: too many --route options\n");
			return -1;
		}
		o->routes[o->nroutes++] = v;
		return 1;
	}
	return 0;
}

int kernel_policy_valid(const char *p)
{
	return !strcmp(p, "kernel") || !strcmp(p, "origin") || !strcmp(p, "current") ||
	       !strcmp(p, "auto");
}

struct applied {
	int done, failed;
	void (*report)(const char *msg, void *ud);
	void *ud;
	char what[200];
};

static void on_applied(struct kc_client *kc, const char *id, enum kc_status st,
		       const struct kc_msg *reply, void *ud)
{
	struct applied *a = ud;
	const char *s = reply ? json_string_value(json_object_get(reply->content, "status")) : NULL;

	a->done++;
	if (st != KC_OK || !s || strcmp(s, "ok")) {
		char msg[600];
		const char *ev = reply ? json_string_value(json_object_get(reply->content, "evalue"))
				       : NULL;

		a->failed++;
		snprintf(msg, sizeof msg, "routing: %s failed: %s", a->what,
			 ev ? ev : kc_status_name(st));
		if (a->report)
			a->report(msg, a->ud);
	}
}

int kernel_apply_routing(struct kc_client *kc, const struct kernel_opts *o,
			 void (*report)(const char *msg, void *ud), void *ud)
{
	struct applied a = {.report = report, .ud = ud};
	int sent = 0;

	if (!o->routing && !o->nroutes)
		return 0;
	if (kc_routing_wait(kc, 10000) != KC_ROUTING_READY) {
		char msg[400];

		snprintf(msg, sizeof msg, "routing: %s",
			 *kc_routing_why(kc) ? kc_routing_why(kc) : "the agent is not installed");
		if (report)
			report(msg, ud);
		return 1;
	}
	for (int i = -1; i < o->nroutes; i++) {
		int target;

		if (i < 0 && !o->routing)
			continue;
		if (i < 0) {
			snprintf(a.what, sizeof a.what, "--routing %s", o->routing);
			kc_routing_request(kc, "set_default", o->routing, 0, NULL, on_applied, &a);
		} else {
			char pat[200];
			const char *eq = strrchr(o->routes[i], '=');

			snprintf(pat, sizeof pat, "%.*s", (int)(eq - o->routes[i]), o->routes[i]);
			snprintf(a.what, sizeof a.what, "--route %s", o->routes[i]);
			kc_routing_request(kc, "add_rule", eq + 1, 0, pat, on_applied, &a);
		}
		sent++;
		target = sent;
		/* One at a time, so rules keep their order. */
		while (a.done < target && kc_client_state(kc) != KC_DEAD) {
			int never = 0;
			kc_client_run(kc, &never, 50);
		}
	}
	return a.failed;
}

int kernel_badsig_check(struct kc_client *kc, struct kernel_badsig *b, char *buf, size_t size)
{
	unsigned long n = kc ? kc_client_bad_signatures(kc) : 0;
	long long now = sigpipe_now_ms();

	if (kc != b->kc)
		*b = (struct kernel_badsig){.kc = kc};
	if (n <= b->seen || (b->said_ms && now - b->said_ms < 10000))
		return 0;
	b->seen = n;
	b->said_ms = now;
	snprintf(buf, size, "%lu message%s with a bad signature — wrong key?", n,
	         n == 1 ? "" : "s");
	return 1;
}

static void report_stderr(const char *msg, void *ud)
{
	tout_fmt(stderr, "bobbin: %s\n", msg);
}

static struct kc_client *with_routing(struct kc_client *kc, const struct kernel_opts *o)
{
	if (o->no_agent)
		return kc;
	kc_routing_enable(kc);
	kernel_apply_routing(kc, o, o->quiet ? NULL : report_stderr, NULL);
	return kc;
}

/* The ssh command: $BOBBIN_SSH split at blanks into argv (max words), else ssh. Returns the
 * buffer the words point into (caller frees), NULL when out of memory. */
static char *ssh_command(const char **argv, int max)
{
	const char *env = getenv("BOBBIN_SSH");
	char *words = strdup(env && *env ? env : "ssh"), *save = NULL;
	int n = 0;

	for (char *w = words ? strtok_r(words, " \t", &save) : NULL; w && n < max - 1;
	     w = strtok_r(NULL, " \t", &save))
		argv[n++] = w;
	argv[n] = NULL;
	return words;
}

struct kc_kernelspec **kernel_list_ssh(const struct kernel_opts *o, size_t *n,
				       struct kc_error *err)
{
	const char *argv[64];
	char *words = ssh_command(argv, 64);
	struct kc_ssh_opts so = {.host = o->ssh, .ssh_argv = argv};
	struct kc_kernelspec **l = words ? kc_kernelspec_list_ssh(&so, n, err) : NULL;

	free(words);
	return l;
}

struct kc_client *kernel_open_ssh(const struct kernel_opts *o, const char *name, int batch,
				  struct kc_error *err)
{
	const char *argv[64];
	char *words = ssh_command(argv, 64);
	struct kc_client *kc;

	if (!words) {
		snprintf(err->text, sizeof err->text, "out of memory");
		return NULL;
	}
	struct kc_ssh_opts so = {.host = o->ssh, .ssh_argv = argv, .batch = batch,
				 .keep = o->ssh_keep};
	if (o->existing)
		kc = kc_client_attach_ssh(&so, o->existing, err);
	else
		kc = kc_client_launch_ssh(&so, name ? name : o->kernel ? o->kernel : "python3", err);
	free(words);
	return kc;
}

const char *kernel_remote(const struct kernel_opts *o)
{
	return o->ssh ? o->ssh : o->server;
}

/* The token, read or asked for once per process. */
static char token[512];
static int token_known;

static int read_token_file(const char *path, struct kc_error *err)
{
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	ssize_t n;

	if (fd < 0) {
		snprintf(err->text, sizeof err->text, "%s: %s", path, strerror(errno));
		return -1;
	}
	n = read(fd, token, sizeof token - 1);
	close(fd);
	if (n < 0) {
		snprintf(err->text, sizeof err->text, "%s: %s", path, strerror(errno));
		return -1;
	}
	token[n] = 0;
	token[strcspn(token, "\r\n")] = 0; /* the first line */
	if ((size_t)n == sizeof token - 1 && !strchr(token, '\n') && strlen(token) == (size_t)n) {
		snprintf(err->text, sizeof err->text, "%s: not a token (too long)", path);
		return -1;
	}
	return 0;
}

/* Asks on the terminal with echo off; "" when there is no terminal. */
static void ask_token(const char *url)
{
	int fd = isatty(0) ? open("/dev/tty", O_RDWR | O_CLOEXEC) : -1;
	struct termios old, quiet;
	char q[600];
	ssize_t n;

	token[0] = 0;
	if (fd < 0)
		return;
	snprintf(q, sizeof q, "Token for %s (empty: none): ", url);
	if (write(fd, q, strlen(q)) < 0 || tcgetattr(fd, &old) < 0) {
		close(fd);
		return;
	}
	quiet = old;
	quiet.c_lflag &= ~(tcflag_t)ECHO;
	tcsetattr(fd, TCSAFLUSH, &quiet);
	n = read(fd, token, sizeof token - 1);
	tcsetattr(fd, TCSAFLUSH, &old);
	(void)!write(fd, "\n", 1);
	close(fd);
	token[n > 0 ? n : 0] = 0;
	token[strcspn(token, "\r\n")] = 0;
}

int kernel_server_opts(const struct kernel_opts *o, struct kc_server_opts *so,
		       struct kc_error *err)
{
	extern char **environ;
	static const char *env[64];
	size_t n = 0;

	if (!token_known) {
		const char *t = getenv("JUPYTER_TOKEN");

		if (o->token_file) {
			if (read_token_file(o->token_file, err) < 0)
				return -1;
		} else if (t) {
			snprintf(token, sizeof token, "%s", t);
		} else {
			ask_token(o->server);
		}
		token_known = 1;
	}
	/* Enterprise Gateway hands KERNEL_* variables of the request to the kernel. */
	for (char **e = environ; *e && n < sizeof env / sizeof env[0] - 1; e++)
		if (!strncmp(*e, "KERNEL_", 7) && strchr(*e, '='))
			env[n++] = *e;
	env[n] = NULL;
	*so = (struct kc_server_opts){.url = o->server, .token = token, .ca_file = o->ca_file,
				      .env = env, .keep = o->server_keep,
				      .protocol = getenv("BOBBIN_WS_PROTOCOL")};
	return 0;
}

struct kc_client *kernel_open_server(const struct kernel_opts *o, const char *name,
				     struct kc_error *err)
{
	struct kc_server_opts so;

	if (kernel_server_opts(o, &so, err) < 0)
		return NULL;
	if (o->existing)
		return kc_client_attach_server(&so, o->existing, err);
	return kc_client_launch_server(&so, name ? name : o->kernel ? o->kernel : "python3", err);
}

static struct kc_client *ssh_pre;

int kernel_ssh_preopen(const struct kernel_opts *o, const char *name, struct kc_error *err)
{
	ssh_pre = o->server ? kernel_open_server(o, name, err) : kernel_open_ssh(o, name, 0, err);
	return ssh_pre ? 0 : -1;
}

struct kc_client *kernel_ssh_take(const struct kernel_opts *o, const char *name,
				  struct kc_error *err)
{
	struct kc_client *kc = ssh_pre;

	ssh_pre = NULL;
	if (kc)
		return kc;
	return o->server ? kernel_open_server(o, name, err) : kernel_open_ssh(o, name, 1, err);
}

struct kc_client *kernel_open(const struct kernel_opts *o)
{
	struct kc_error err = {0};
	struct kc_client *kc;
	long timeout = o->ready_timeout_ms ? o->ready_timeout_ms : 60000;

	if (o->server) {
		if (!(kc = kernel_open_server(o, NULL, &err))) {
			tout_fmt(stderr, "bobbin: %s\n", err.text);
			return NULL;
		}
		if (kc_client_wait_ready(kc, timeout, &err) < 0) {
			/* the client's errors name the URL; a timeout does not */
			if (strncmp(err.text, "http", 4))
				tout_fmt(stderr, "bobbin: %s: %s\n", kc_client_connfile(kc), err.text);
			else
				tout_fmt(stderr, "bobbin: %s\n", err.text);
			kc_client_free(kc, 0);
			return NULL;
		}
		if (o->server_keep && kc_client_launched(kc) && !o->quiet)
			tout_fmt(stderr, "bobbin: the kernel keeps running on the server after this: "
			                 "--server %s --existing=%s\n",
			         o->server, kc_client_server_kernel(kc));
		return with_routing(kc, o);
	}
	if (o->ssh) {
		if (!(kc = kernel_open_ssh(o, NULL, 0, &err))) {
			tout_fmt(stderr, "bobbin: %s\n", err.text);
			return NULL;
		}
		if (kc_client_wait_ready(kc, o->existing ? (o->ready_timeout_ms ? o->ready_timeout_ms
									 : 10000)
							 : timeout,
					 &err) < 0) {
			if (o->existing)
				tout_fmt(stderr, "bobbin: %s: no kernel answers (a stale connection "
				                 "file of a dead kernel?)\n",
				         kc_client_connfile(kc));
			else if (strncmp(err.text, o->ssh, strlen(o->ssh)))
				tout_fmt(stderr, "bobbin: %s: %s\n", o->ssh, err.text);
			else
				tout_fmt(stderr, "bobbin: %s\n", err.text);
			kc_client_free(kc, 0);
			return NULL;
		}
		if (o->ssh_keep && kc_client_launched(kc) && !o->quiet)
			tout_fmt(stderr, "bobbin: the kernel keeps running on %s after this: "
			                 "--ssh %s --existing=%s\n",
			         o->ssh, o->ssh, kc_client_ssh_connfile(kc));
		return with_routing(kc, o);
	}

	if (o->existing) {
		char path[4096];

		if (kc_conn_find(o->existing, path, sizeof path, &err) < 0) {
			tout_fmt(stderr, "bobbin: %s\n", err.text);
			return NULL;
		}
		if (!(kc = kc_client_attach(path, &err))) {
			tout_fmt(stderr, "bobbin: %s\n", err.text);
			return NULL;
		}
		/* An attached kernel that does not answer is most likely a stale file, unless what
		 * came was signed with another key. */
		if (kc_client_wait_ready(kc, o->ready_timeout_ms ? o->ready_timeout_ms : 10000,
					 &err) < 0) {
			struct kernel_badsig b = {0};
			char why[128];

			if (kernel_badsig_check(kc, &b, why, sizeof why))
				tout_fmt(stderr, "bobbin: %s: no answer: %s\n", path, why);
			else
				tout_fmt(stderr,
				         "bobbin: %s: no kernel answers (a stale connection file "
				         "of a dead "
				         "kernel?)\n",
				         path);
			kc_client_free(kc, 1);
			return NULL;
		}
		return with_routing(kc, o);
	}
	struct kc_kernelspec *spec = kc_kernelspec_find(o->kernel ? o->kernel : "python3", &err);
	if (!spec) {
		tout_fmt(stderr, "bobbin: %s\n", err.text);
		return NULL;
	}
	struct kc_launch_opts lo = {.cwd = o->cwd};
	kc = kc_client_launch(spec, &lo, &err);
	if (!kc) {
		tout_fmt(stderr, "bobbin: %s\n", err.text);
		kc_kernelspec_free(spec);
		return NULL;
	}
	if (kc_client_wait_ready(kc, timeout, &err) < 0) {
		tout_fmt(stderr, "bobbin: kernel \"%s\": %s\n", spec->name, err.text);
		kc_kernelspec_free(spec);
		kc_client_free(kc, 0);
		return NULL;
	}
	kc_kernelspec_free(spec);
	return with_routing(kc, o);
}
