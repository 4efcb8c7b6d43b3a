// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * Remote kernels over SSH. The real ssh binary does everything (the user's config, agent, keys,
 * known_hosts, ProxyJump): short `ssh HOST sh -c SCRIPT` runs read a connection file, find a
 * kernelspec, start or stop a kernel; one ssh child per client forwards the kernel's five
 * ports to unix sockets in a private 0700 directory, so the client connects with transport ipc
 * and no local port can be taken by someone else. Every ssh gets -o ControlPath=none: with a
 * ControlMaster in the user's config, ssh would hand the forwards to the master and exit.
 *
 * The tunnel's process is watched with a pidfd in the client's poll set. When it exits the
 * client goes to KC_LINK_LOST and the tunnel is started again after 1 s, then 2, 4, … 30 s,
 * always with BatchMode (the screen is up by then: no prompts). The client's DEALER sockets keep
 * what is sent meanwhile and deliver it once the sockets are back.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "kernelclient/kc_private.h"

#define STEP_TIMEOUT_MS 20000
#define BACKOFF_FIRST_MS 1000
#define BACKOFF_MAX_MS 30000
#define MAX_OUTPUT (1 << 20)
/* What the tunnel's remote command prints once the login shell's start-up files have run. */
#define READY_MARK "bobbin-tunnel-ready"

struct kcp_tunnel {
	char **base;        /* ssh and its options, ours included; NULL-terminated */
	size_t nbase;
	char host[256];     /* as the user wrote it, for messages */
	char dest[300];     /* what ssh gets: the host, or ssh://user@host:port */
	char dir[PATH_MAX]; /* private: the sockets and ssh's log */
	struct kc_conninfo remote;
	long timeout_ms;
	pid_t pid;          /* the ssh -N child, 0 when none */
	int pidfd;
	long long retry_at;
	long backoff_ms;
	/* a kernel started on the host by us */
	int launched, keep, signal_interrupt;
	long rpid;
	char rconnfile[PATH_MAX];
	char **rargv;       /* the remote start script's arguments, kept for a restart */
};

/* ---- running ssh ---- */

static void strv_free(char **v)
{
	for (char **p = v; p && *p; p++)
		free(*p);
	free(v);
}

/* argv for one ssh run: base, extra (NULL-terminated), the destination, then rest (may be NULL). */
static char **ssh_argv(const struct kcp_tunnel *t, const char *const *extra, const char *rest)
{
	char **v = NULL;
	size_t n = 0;

	for (size_t i = 0; i < t->nbase; i++)
		kcp_strv_push(&v, &n, t->base[i]);
	for (const char *const *e = extra; e && *e; e++)
		kcp_strv_push(&v, &n, *e);
	kcp_strv_push(&v, &n, t->dest);
	if (rest)
		kcp_strv_push(&v, &n, rest);
	return v;
}

/* A growing string; s is NULL after a failed allocation. */
struct sbuf {
	char *s;
	size_t n, cap;
};

static void sb_add(struct sbuf *b, const char *s)
{
	size_t l = strlen(s);

	if (b->s && b->n + l + 1 > b->cap) {
		char *ns = realloc(b->s, b->cap = (b->n + l + 1) * 2);

		if (!ns)
			free(b->s);
		b->s = ns;
	}
	if (!b->s)
		return;
	memcpy(b->s + b->n, s, l + 1);
	b->n += l;
}

/* Appends s quoted for a POSIX shell. */
static void shq(struct sbuf *b, const char *s)
{
	sb_add(b, "'");
	for (; *s; s++)
		sb_add(b, *s == '\'' ? "'\\''" : (char[2]){*s, 0});
	sb_add(b, "'");
}

/* Forks argv with fds 0, 1, 2 from in, out, err (-1: /dev/null); ignore_int: the child ignores
 * SIGINT. An exec failure comes back through a close-on-exec pipe: -1 with err then. */
static pid_t spawn(const struct kcp_tunnel *t, char **argv, int in, int out, int err_fd,
		   int ignore_int, struct kc_error *err)
{
	int pfd[2], e = 0;
	pid_t pid;

	if (pipe2(pfd, O_CLOEXEC) < 0)
		return kcp_fail(err, "%s: pipe: %s", t->host, strerror(errno));
	if ((pid = fork()) == 0) {
		int devnull = open("/dev/null", O_RDWR);
		int fds[3] = {in, out, err_fd};

		/* ssh dies with bobbin, whatever way bobbin ends. */
		prctl(PR_SET_PDEATHSIG, SIGTERM);
		signal(SIGPIPE, SIG_DFL);
		/* The terminal's Ctrl-C is for the kernel, not for the link (ssh keeps an ignored
		 * SIGINT ignored). */
		if (ignore_int)
			signal(SIGINT, SIG_IGN);
		for (int i = 0; i < 3; i++)
			dup2(fds[i] >= 0 ? fds[i] : devnull, i);
		execvp(argv[0], argv);
		e = errno;
		if (write(pfd[1], &e, sizeof e) < 0)
			_exit(126);
		_exit(127);
	}
	close(pfd[1]);
	if (pid < 0) {
		close(pfd[0]);
		return kcp_fail(err, "%s: fork: %s", t->host, strerror(errno));
	}
	if (read(pfd[0], &e, sizeof e) == sizeof e) {
		close(pfd[0]);
		waitpid(pid, NULL, 0);
		return kcp_fail(err, "%s: cannot run %s: %s", t->host, argv[0], strerror(e));
	}
	close(pfd[0]);
	return pid;
}

/* The last non-empty line of text, without its end, into out. */
static void last_line(const char *text, char *out, size_t size)
{
	const char *end = text + strlen(text), *start;

	while (end > text && (end[-1] == '\n' || end[-1] == '\r' || end[-1] == ' '))
		end--;
	start = end;
	while (start > text && start[-1] != '\n')
		start--;
	snprintf(out, size, "%.*s", (int)(end - start), start);
}

/* Ends a child: SIGTERM, then SIGKILL after a second; reaped. */
static void end_child(pid_t pid)
{
	long long end = kcp_now_ms() + 1000;

	if (pid <= 0)
		return;
	kill(pid, SIGTERM);
	while (waitpid(pid, NULL, WNOHANG) == 0) {
		if (kcp_now_ms() >= end) {
			kill(pid, SIGKILL);
			waitpid(pid, NULL, 0);
			return;
		}
		usleep(5000);
	}
}

/*
 * Runs `sh -c SCRIPT sh ARGS…` on the host with input on its stdin; its stdout into *out (caller
 * frees). Returns the exit status, or -1 with err ("HOST: cause") when ssh itself failed
 * (status 255), the script failed (its last line of stderr), or no answer came in time.
 */
static int remote_run(struct kcp_tunnel *t, const char *script, char *const args[],
		      const char *input, char **out, struct kc_error *err)
{
	struct sbuf cmd = {.s = calloc(1, 256), .cap = 256};
	char **argv;
	size_t olen = 0, elen = 0;
	int in[2] = {-1, -1}, o[2] = {-1, -1}, e[2] = {-1, -1}, st = 0, rc = -1;
	char ebuf[4096] = "", *obuf = NULL, why[600];
	long long end = kcp_now_ms() + t->timeout_ms;
	pid_t pid;
	static const char *const extra[] = {"-T", NULL};

	*out = NULL;
	sb_add(&cmd, "sh -c ");
	shq(&cmd, script);
	sb_add(&cmd, " sh");
	for (char *const *a = args; a && *a; a++) {
		sb_add(&cmd, " ");
		shq(&cmd, *a);
	}
	if (!cmd.s)
		return kcp_fail(err, "%s: out of memory", t->host);
	argv = ssh_argv(t, extra, cmd.s);
	free(cmd.s);
	if (pipe2(in, O_CLOEXEC) < 0 || pipe2(o, O_CLOEXEC) < 0 || pipe2(e, O_CLOEXEC) < 0) {
		kcp_fail(err, "%s: pipe: %s", t->host, strerror(errno));
		goto out;
	}
	if ((pid = spawn(t, argv, in[0], o[1], e[1], 0, err)) < 0)
		goto out;
	close(in[0]), in[0] = -1;
	close(o[1]), o[1] = -1;
	close(e[1]), e[1] = -1;
	/* What we send is small (a connection file): it fits the pipe. */
	if (input && write(in[1], input, strlen(input)) < 0) {
		/* ssh failed early: its stderr says why */
	}
	close(in[1]), in[1] = -1;
	obuf = calloc(1, 4096);
	for (size_t cap = 4096; o[0] >= 0 || e[0] >= 0;) {
		struct pollfd pf[2] = {{.fd = o[0], .events = POLLIN}, {.fd = e[0], .events = POLLIN}};
		long left = (long)(end - kcp_now_ms());
		ssize_t r;

		if (left <= 0) {
			end_child(pid);
			kcp_fail(err, "%s: no answer from ssh within %ld s", t->host,
				 t->timeout_ms / 1000);
			goto out;
		}
		if (poll(pf, 2, (int)left) < 0 && errno != EINTR)
			break;
		if (o[0] >= 0 && pf[0].revents) {
			if (olen + 4096 + 1 > cap && cap < MAX_OUTPUT) {
				char *nb = realloc(obuf, cap *= 2);

				if (nb)
					obuf = nb;
			}
			r = olen + 1 < cap ? read(o[0], obuf + olen, cap - olen - 1) : 0;
			if (r <= 0)
				close(o[0]), o[0] = -1;
			else
				obuf[olen += (size_t)r] = 0;
		}
		if (e[0] >= 0 && pf[1].revents) {
			r = read(e[0], ebuf + elen, sizeof ebuf - elen - 1);
			if (r <= 0) {
				close(e[0]), e[0] = -1;
			} else {
				elen += (size_t)r;
				ebuf[elen] = 0;
				if (elen > sizeof ebuf / 2) { /* keep the end: the cause comes last */
					memmove(ebuf, ebuf + elen - 1024, 1024);
					elen = 1024;
					ebuf[elen] = 0;
				}
			}
		}
	}
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	rc = WIFEXITED(st) ? WEXITSTATUS(st) : 255;
	if (rc != 0) {
		last_line(ebuf, why, sizeof why);
		kcp_fail(err, "%s: %s", t->host,
			 *why ? why : rc == 255 ? "ssh failed" : "the remote command failed");
		rc = -1;
	}
out:
	for (int i = 0; i < 2; i++) {
		if (in[i] >= 0)
			close(in[i]);
		if (o[i] >= 0)
			close(o[i]);
		if (e[i] >= 0)
			close(e[i]);
	}
	strv_free(argv);
	if (rc == 0)
		*out = obuf;
	else
		free(obuf);
	return rc;
}

/* ---- the tunnel ---- */

static void sock_path(const struct kcp_tunnel *t, int port, char *out, size_t size)
{
	snprintf(out, size, "%s/k-%d", t->dir, port);
}

static int ports_of(const struct kc_conninfo *ci, int p[5])
{
	p[0] = ci->shell_port, p[1] = ci->iopub_port, p[2] = ci->stdin_port;
	p[3] = ci->control_port, p[4] = ci->hb_port;
	return 5;
}

/* Starts the tunnel's ssh with the five forwards; does not wait for them. It runs a remote
 * `sleep` on a forced pty rather than -N: only an "interactive" connection (a pty) makes ssh and
 * sshd set TCP_NODELAY, and without it a reply's small writes waited ~40 ms each for delayed
 * ACKs. The pty also makes sshd hang up the sleep when the connection ends. */
static int tunnel_spawn(struct kcp_tunnel *t, int batch, struct kc_error *err)
{
	static const char *const opts[] = {"-tt", "-o", "ExitOnForwardFailure=yes",
					   "-o", "ServerAliveInterval=5", "-o",
					   "ServerAliveCountMax=3", "-o", "StreamLocalBindUnlink=yes",
					   "-o", "StreamLocalBindMask=0177", NULL};
	const char *extra[32];
	char fw[5][PATH_MAX + 300], log[PATH_MAX + 16];
	int ports[5], n = 0, logfd;
	char **argv;
	pid_t pid;

	for (const char *const *o = opts; *o; o++)
		extra[n++] = *o;
	if (batch)
		extra[n++] = "-o", extra[n++] = "BatchMode=yes";
	ports_of(&t->remote, ports);
	for (int i = 0; i < 5; i++) {
		char local[PATH_MAX];

		sock_path(t, ports[i], local, sizeof local);
		unlink(local);
		if (!strcmp(t->remote.transport, "ipc"))
			snprintf(fw[i], sizeof fw[i], "%s:%s-%d", local, t->remote.ip, ports[i]);
		else if (strchr(t->remote.ip, ':'))
			snprintf(fw[i], sizeof fw[i], "%s:[%s]:%d", local, t->remote.ip, ports[i]);
		else
			snprintf(fw[i], sizeof fw[i], "%s:%s:%d", local, t->remote.ip, ports[i]);
		extra[n++] = "-L";
		extra[n++] = fw[i];
	}
	extra[n] = NULL;
	snprintf(log, sizeof log, "%s/ssh.log", t->dir);
	if ((logfd = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600)) < 0)
		return kcp_fail(err, "%s: %s", log, strerror(errno));
	argv = ssh_argv(t, extra, "echo " READY_MARK "; exec sleep 2147483647");
	pid = spawn(t, argv, -1, logfd, logfd, 1, err);
	close(logfd);
	strv_free(argv);
	if (pid < 0)
		return -1;
	t->pid = pid;
	t->pidfd = -1;
#ifdef SYS_pidfd_open
	t->pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
#endif
	return 0;
}

/* 1 when the ssh child has exited (reaped), else 0. */
static int tunnel_reap(struct kcp_tunnel *t)
{
	if (t->pid <= 0)
		return 1;
	if (waitpid(t->pid, NULL, WNOHANG) != t->pid)
		return 0;
	t->pid = 0;
	if (t->pidfd >= 0)
		close(t->pidfd);
	t->pidfd = -1;
	return 1;
}

static void tunnel_why(const struct kcp_tunnel *t, char *out, size_t size)
{
	char log[PATH_MAX + 16], buf[4096];
	int fd;
	ssize_t n = 0;

	snprintf(log, sizeof log, "%s/ssh.log", t->dir);
	if ((fd = open(log, O_RDONLY | O_CLOEXEC)) >= 0) {
		off_t sz = lseek(fd, 0, SEEK_END);

		lseek(fd, sz > (off_t)sizeof buf - 1 ? sz - (off_t)sizeof buf + 1 : 0, SEEK_SET);
		n = read(fd, buf, sizeof buf - 1);
		close(fd);
	}
	buf[n > 0 ? n : 0] = 0;
	last_line(buf, out, size);
	if (!*out)
		snprintf(out, size, "ssh exited");
}

/* Whether the tunnel's remote shell is past its start-up files (READY_MARK in ssh's log). Ending
 * the session before then would cut the user's ~/.bashrc short (a half-done `pyenv rehash`
 * leaves its lock behind, and every later login waits a minute for it). */
static int tunnel_ready(const struct kcp_tunnel *t)
{
	char log[PATH_MAX + 16], buf[4096];
	int fd;
	ssize_t n = 0;

	snprintf(log, sizeof log, "%s/ssh.log", t->dir);
	if ((fd = open(log, O_RDONLY | O_CLOEXEC)) >= 0) {
		n = read(fd, buf, sizeof buf - 1);
		close(fd);
	}
	buf[n > 0 ? n : 0] = 0;
	return strstr(buf, READY_MARK) != NULL;
}

/* Waits until the five sockets exist and the remote shell is ready; -1 with err when ssh exits
 * first or time runs out. */
static int tunnel_wait_up(struct kcp_tunnel *t, struct kc_error *err)
{
	long long end = kcp_now_ms() + t->timeout_ms;
	int ports[5];

	ports_of(&t->remote, ports);
	for (;;) {
		int up = 0;
		char why[512];

		for (int i = 0; i < 5; i++) {
			char p[PATH_MAX];
			struct stat st;

			sock_path(t, ports[i], p, sizeof p);
			up += stat(p, &st) == 0 && S_ISSOCK(st.st_mode);
		}
		if (up == 5 && tunnel_ready(t))
			return 0;
		if (tunnel_reap(t)) {
			tunnel_why(t, why, sizeof why);
			return kcp_fail(err, "%s: the tunnel failed: %s", t->host, why);
		}
		if (kcp_now_ms() >= end) {
			end_child(t->pid);
			tunnel_reap(t);
			return kcp_fail(err, "%s: the tunnel was not up within %ld s", t->host,
					t->timeout_ms / 1000);
		}
		if (t->pidfd >= 0) {
			struct pollfd pf = {.fd = t->pidfd, .events = POLLIN};

			poll(&pf, 1, 10);
		} else {
			usleep(10000);
		}
	}
}

/* Removes the sockets, the log and the directory. */
static void tunnel_clean(struct kcp_tunnel *t)
{
	int ports[5];
	char p[PATH_MAX + 16];

	if (!t->dir[0])
		return;
	ports_of(&t->remote, ports);
	for (int i = 0; i < 5; i++) {
		sock_path(t, ports[i], p, sizeof p);
		unlink(p);
	}
	snprintf(p, sizeof p, "%s/ssh.log", t->dir);
	unlink(p);
	rmdir(t->dir);
	t->dir[0] = 0;
}

static void tunnel_free(struct kcp_tunnel *t)
{
	if (!t)
		return;
	/* Not in the middle of the remote shell's start-up (tunnel_ready), within reason. */
	for (int i = 0; i < 300 && t->pid > 0 && !tunnel_reap(t) && !tunnel_ready(t); i++)
		usleep(10000);
	if (t->pid > 0 && !tunnel_reap(t))
		end_child(t->pid);
	if (t->pidfd >= 0)
		close(t->pidfd);
	tunnel_clean(t);
	strv_free(t->base);
	strv_free(t->rargv);
	free(t);
}

/* A private directory for the sockets: $XDG_RUNTIME_DIR, $TMPDIR or /tmp, the first whose
 * socket paths fit a sockaddr_un. */
static int make_dir(struct kcp_tunnel *t, struct kc_error *err)
{
	const char *cands[] = {getenv("XDG_RUNTIME_DIR"), getenv("TMPDIR"), "/tmp"};

	for (size_t i = 0; i < sizeof cands / sizeof cands[0]; i++) {
		if (!cands[i] || !*cands[i] || strlen(cands[i]) > 60)
			continue;
		snprintf(t->dir, sizeof t->dir, "%s/bobbin-ssh-XXXXXX", cands[i]);
		if (mkdtemp(t->dir))
			return 0;
	}
	t->dir[0] = 0;
	return kcp_fail(err, "cannot create a private directory for the tunnel: %s",
			strerror(errno));
}

static struct kcp_tunnel *tunnel_new(const struct kc_ssh_opts *o, struct kc_error *err)
{
	static const char *const ours[] = {"-o", "ControlPath=none", "-o", "ConnectTimeout=10",
					   NULL};
	static const char *const def[] = {"ssh", NULL};
	struct kcp_tunnel *t;
	const char *h = o->host, *at, *colon;

	if (!h || !*h || *h == '-' || strpbrk(h, " \t\n'\"\\"))
		return kcp_fail(err, "--ssh: \"%s\" is not a host name", h ? h : ""), NULL;
	if (!(t = calloc(1, sizeof *t)))
		return kcp_fail(err, "out of memory"), NULL;
	t->pidfd = -1;
	t->keep = o->keep;
	t->backoff_ms = BACKOFF_FIRST_MS;
	t->timeout_ms = o->timeout_ms > 0 ? o->timeout_ms : STEP_TIMEOUT_MS;
	snprintf(t->host, sizeof t->host, "%s", h);
	/* user@host:port → ssh://user@host:port (ssh has no host:port of its own) */
	at = strchr(h, '@');
	colon = strrchr(at ? at : h, ':');
	if (colon && colon[1] && strspn(colon + 1, "0123456789") == strlen(colon + 1) &&
	    !strchr(at ? at : h, ']') && colon == strchr(at ? at : h, ':'))
		snprintf(t->dest, sizeof t->dest, "ssh://%s", h);
	else
		snprintf(t->dest, sizeof t->dest, "%s", h);
	for (const char *const *a = o->ssh_argv && o->ssh_argv[0] ? o->ssh_argv : def; *a; a++)
		kcp_strv_push(&t->base, &t->nbase, *a);
	for (const char *const *a = ours; *a; a++)
		kcp_strv_push(&t->base, &t->nbase, *a);
	if (o->batch) {
		kcp_strv_push(&t->base, &t->nbase, "-o");
		kcp_strv_push(&t->base, &t->nbase, "BatchMode=yes");
	}
	return t;
}

/* Whether BatchMode=yes is among t's ssh options already. */
static int o_batch(const struct kcp_tunnel *t)
{
	for (size_t i = 0; i < t->nbase; i++)
		if (!strcmp(t->base[i], "BatchMode=yes"))
			return 1;
	return 0;
}

/* The tunnel for t->remote, then the client over it (which then owns t). NULL with err; t's ssh
 * child and directory are gone then, t itself is the caller's. */
static struct kc_client *connect_through(struct kcp_tunnel *t, const char *where,
					 struct kc_error *err)
{
	struct kc_conninfo local = t->remote;
	struct kc_client *kc;

	if (make_dir(t, err) < 0 || tunnel_spawn(t, 0, err) < 0 || tunnel_wait_up(t, err) < 0)
		goto fail;
	snprintf(local.transport, sizeof local.transport, "ipc");
	snprintf(local.ip, sizeof local.ip, "%s/k", t->dir);
	if (!(kc = kcp_client_attach_ci(&local, where, err)))
		goto fail;
	kc->tun = t;
	kc->signal_interrupt = 0;
	/* From here on a screen may own the terminal: later ssh runs (interrupt, restart, stop)
	 * must not prompt. */
	if (!o_batch(t)) {
		kcp_strv_push(&t->base, &t->nbase, "-o");
		kcp_strv_push(&t->base, &t->nbase, "BatchMode=yes");
	}
	return kc;
fail:
	if (t->pid > 0 && !tunnel_reap(t))
		end_child(t->pid), t->pid = 0;
	tunnel_clean(t);
	return NULL;
}

/* The Jupyter directories on the host, as kc_path_*_dir() computes them here. */
#define SH_DIRS                                                                              \
	"d=${JUPYTER_DATA_DIR:-${XDG_DATA_HOME:-$HOME/.local/share}/jupyter}\n"               \
	"rt=${JUPYTER_RUNTIME_DIR:-$d/runtime}\n"
#define SH_SPEC_DIRS                                                                         \
	"for k in $(printf %s \"${JUPYTER_PATH:-}\" | tr : ' ') \"$d\" /usr/local/share/jupyter " \
	"/usr/share/jupyter; do\n"

static const char find_script[] =
	SH_DIRS
	"a=$1\n"
	"case $a in \"~/\"*) a=$HOME/${a#\"~/\"};; esac\n"
	"if [ -z \"$a\" ]; then\n"
	"  f=$(ls -t \"$rt\"/kernel-*.json 2>/dev/null | head -n 1)\n"
	"  [ -n \"$f\" ] || { echo \"no kernel-*.json connection file in $rt\" >&2; exit 3; }\n"
	"elif case $a in */*) true;; *) [ -e \"$a\" ];; esac; then f=$a\n"
	"elif [ -e \"$rt/$a\" ]; then f=$rt/$a\n"
	"else\n"
	"  f=$(ls -t \"$rt\"/*\"$a\"*.json 2>/dev/null | head -n 1)\n"
	"  [ -n \"$f\" ] || { echo \"no connection file matching \\\"$a\\\" in $rt\" >&2; exit 3; }\n"
	"fi\n"
	"[ -e \"$f\" ] || { echo \"$f: no such file\" >&2; exit 3; }\n"
	"[ -f \"$f\" ] || { echo \"$f: not a regular file\" >&2; exit 3; }\n"
	"[ -r \"$f\" ] || { echo \"$f: permission denied\" >&2; exit 3; }\n"
	"printf '%s\\n' \"$f\"; head -c 65536 \"$f\"\n";

/* Splits "FIRST-LINE\nREST" in place: returns REST, *first set. */
static char *split_line(char *s, char **first)
{
	char *nl = strchr(s, '\n');

	*first = s;
	if (!nl)
		return s + strlen(s);
	*nl = 0;
	return nl + 1;
}

static int parse_conn(struct kcp_tunnel *t, const char *file, const char *text,
		      struct kc_error *err)
{
	char where[PATH_MAX + 300];
	json_error_t je;
	json_t *j = json_loads(text, 0, &je);
	int rc;

	snprintf(where, sizeof where, "%s:%s", t->host, file);
	if (!j)
		return kcp_fail(err, "%s: not a connection file (not valid JSON: %s)", where,
				je.text);
	rc = kcp_conn_from_json(j, where, &t->remote, err);
	json_decref(j);
	return rc;
}

struct kc_client *kc_client_attach_ssh(const struct kc_ssh_opts *o, const char *existing,
				       struct kc_error *err)
{
	struct kcp_tunnel *t = tunnel_new(o, err);
	char *out = NULL, *file, *json, where[PATH_MAX + 300];
	char *args[] = {(char *)(existing ? existing : ""), NULL};
	struct kc_client *kc;

	if (!t)
		return NULL;
	if (remote_run(t, find_script, args, NULL, &out, err) < 0)
		goto fail;
	json = split_line(out, &file);
	snprintf(t->rconnfile, sizeof t->rconnfile, "%s", file);
	if (parse_conn(t, file, json, err) < 0)
		goto fail;
	free(out);
	snprintf(where, sizeof where, "%s:%s", t->host, t->rconnfile);
	if ((kc = connect_through(t, where, err)))
		return kc;
	out = NULL;
fail:
	free(out);
	tunnel_free(t);
	return NULL;
}

/* ---- kernels started on the host ---- */

static const char spec_script[] =
	SH_DIRS
	SH_SPEC_DIRS
	"  [ -f \"$k/kernels/$1/kernel.json\" ] && { s=$k/kernels/$1; break; }\n"
	"done\n"
	"[ -n \"$s\" ] || { echo \"no kernel named \\\"$1\\\" is installed there\" >&2; exit 3; }\n"
	"printf '%s\\n%s\\n' \"$s\" \"$rt\"; head -c 65536 \"$s/kernel.json\"\n";

/* $1 runtime dir, $2 connection file, $3 log, then the kernel's argv. The connection file comes
 * on stdin (empty on a restart: the file is still there). The kernel gets a session of its own
 * (setsid) and no terminal, so it outlives this ssh; as a background job of a shell without job
 * control it is no group leader and setsid execs in place: $! is the kernel. */
static const char start_script[] =
	"rt=$1 f=$2 log=$3; shift 3\n"
	"umask 077; mkdir -p \"$rt\" || exit 3\n"
	"t=$(cat); [ -z \"$t\" ] || printf '%s\\n' \"$t\" >\"$f\" || exit 3\n"
	"cd || exit 3\n"
	"unset JPY_PARENT_PID\n"
	"setsid \"$@\" </dev/null >\"$log\" 2>&1 &\n"
	"echo $!\n";

/* $1 pid, $2 1 to wait first (a shutdown_request was sent), $3… files to remove. */
static const char stop_script[] =
	"p=$1 w=$2; shift 2\n"
	"gone() { ! kill -0 \"$p\" 2>/dev/null; }\n"
	"wt() { i=0; while ! gone && [ $i -lt 25 ]; do sleep 0.1; i=$((i+1)); done; }\n"
	"[ \"$w\" = 1 ] && wt\n"
	"gone || { kill -TERM -- -\"$p\" 2>/dev/null || kill -TERM \"$p\"; wt; }\n"
	"gone || kill -KILL -- -\"$p\" 2>/dev/null || kill -KILL \"$p\" 2>/dev/null\n"
	"rm -f \"$@\"\n";

/* $1 pid: SIGINT to its group (the kernel leads one). */
static const char int_script[] =
	"kill -INT -- -\"$1\" 2>/dev/null || kill -INT \"$1\"\n";

/* $1 pid, $2 log: the log's end, and whether it still runs. */
static const char check_script[] =
	"tail -c 600 \"$2\" 2>/dev/null\n"
	"if kill -0 \"$1\" 2>/dev/null; then echo; echo RUNNING; fi\n";

static char *replace(const char *a, const char *what, const char *with)
{
	const char *at = strstr(a, what);
	size_t l;
	char *s;

	if (!at)
		return strdup(a);
	l = strlen(a) - strlen(what) + strlen(with) + 1;
	s = malloc(l);
	snprintf(s, l, "%.*s%s%s", (int)(at - a), a, with, at + strlen(what));
	return s;
}

static int remote_start(struct kcp_tunnel *t, const char *conn_text, struct kc_error *err)
{
	char *out = NULL;
	int rc = remote_run(t, start_script, t->rargv, conn_text, &out, err);

	if (rc == 0 && (t->rpid = strtol(out, NULL, 10)) <= 0)
		rc = kcp_fail(err, "%s: the kernel did not start", t->host);
	free(out);
	return rc;
}

static void remote_stop(struct kcp_tunnel *t, int wait, int remove)
{
	char pid[32], *out = NULL;
	char log[PATH_MAX + 8];
	char *args[] = {pid, wait ? "1" : "0", t->rconnfile, log, NULL};
	struct kc_error err;

	if (t->rpid <= 0)
		return;
	snprintf(pid, sizeof pid, "%ld", t->rpid);
	snprintf(log, sizeof log, "%.*s.log", (int)strlen(t->rconnfile) - 5, t->rconnfile);
	if (!remove)
		args[2] = NULL;
	remote_run(t, stop_script, args, NULL, &out, &err);
	free(out);
	t->rpid = 0;
}

struct kc_client *kc_client_launch_ssh(const struct kc_ssh_opts *o, const char *name,
				       struct kc_error *err)
{
	struct kcp_tunnel *t = tunnel_new(o, err);
	char *out = NULL, *dir, *rt, *json, uuid[40], *conn_text = NULL;
	char *args[] = {(char *)(name ? name : "python3"), NULL}, where[PATH_MAX + 300];
	char log[PATH_MAX];
	struct kc_kernelspec *spec = NULL;
	struct kc_client *kc = NULL;
	json_error_t je;
	json_t *j;
	char **v = NULL;
	size_t n = 0;

	if (!t)
		return NULL;
	if (remote_run(t, spec_script, args, NULL, &out, err) < 0)
		goto fail;
	json = split_line(split_line(out, &dir), &rt);
	snprintf(where, sizeof where, "%s:%s/kernel.json", t->host, dir);
	if (!(j = json_loads(json, 0, &je))) {
		kcp_fail(err, "%s: not valid JSON: %s", where, je.text);
		goto fail;
	}
	spec = kcp_kernelspec_from_json(j, where, dir, args[0], err);
	json_decref(j);
	if (!spec)
		goto fail;
	t->signal_interrupt = strcmp(spec->interrupt_mode, "message") != 0;
	/* Ports picked free here: a remote kernel that cannot bind one dies, and says so. */
	if (kc_conn_init_local(&t->remote, err) < 0)
		goto fail;
	snprintf(t->remote.kernel_name, sizeof t->remote.kernel_name, "%s", spec->name);
	kcp_uuid4(uuid);
	snprintf(t->rconnfile, sizeof t->rconnfile, "%s/kernel-%s.json", rt, uuid);
	snprintf(log, sizeof log, "%s/kernel-%s.log", rt, uuid);
	kcp_strv_push(&v, &n, rt);
	kcp_strv_push(&v, &n, t->rconnfile);
	kcp_strv_push(&v, &n, log);
	if (spec->env) {
		const char *k;
		json_t *val;

		kcp_strv_push(&v, &n, "env");
		json_object_foreach(spec->env, k, val) {
			char kv[4096];

			if (json_is_string(val) && !strchr(k, '=')) {
				snprintf(kv, sizeof kv, "%s=%s", k, json_string_value(val));
				kcp_strv_push(&v, &n, kv);
			}
		}
	}
	for (char **a = spec->argv; *a; a++) {
		char *x = replace(*a, "{connection_file}", t->rconnfile);
		char *y = replace(x, "{resource_dir}", dir);

		kcp_strv_push(&v, &n, y);
		free(x);
		free(y);
	}
	t->rargv = v;
	{
		json_t *cj = json_pack("{s:s, s:s, s:i, s:i, s:i, s:i, s:i, s:s, s:s, s:s}",
				       "transport", "tcp", "ip", "127.0.0.1", "shell_port",
				       t->remote.shell_port, "iopub_port", t->remote.iopub_port,
				       "stdin_port", t->remote.stdin_port, "control_port",
				       t->remote.control_port, "hb_port", t->remote.hb_port, "key",
				       t->remote.key, "signature_scheme", "hmac-sha256",
				       "kernel_name", spec->name);

		conn_text = cj ? json_dumps(cj, JSON_SORT_KEYS) : NULL;
		json_decref(cj);
	}
	if (!conn_text || remote_start(t, conn_text, err) < 0)
		goto fail;
	t->launched = 1;
	snprintf(where, sizeof where, "%s:%s", t->host, t->rconnfile);
	if ((kc = connect_through(t, where, err))) {
		kc->signal_interrupt = t->signal_interrupt;
		free(out);
		free(conn_text);
		kc_kernelspec_free(spec);
		return kc;
	}
fail:
	free(out);
	free(conn_text);
	kc_kernelspec_free(spec);
	remote_stop(t, 0, 1);
	tunnel_free(t);
	return NULL;
}

struct kc_kernelspec **kc_kernelspec_list_ssh(const struct kc_ssh_opts *o, size_t *n,
					      struct kc_error *err)
{
	static const char list_script[] =
		SH_DIRS
		SH_SPEC_DIRS
		"  for j in \"$k\"/kernels/*/kernel.json; do\n"
		"    [ -f \"$j\" ] || continue\n"
		"    printf '\\036%s\\n' \"${j%/kernel.json}\"; head -c 65536 \"$j\"; echo\n"
		"  done\n"
		"done\n";
	struct kcp_tunnel *t = tunnel_new(o, err);
	struct kc_kernelspec **list = NULL;
	char *out = NULL, *save = NULL;

	*n = 0;
	if (!t)
		return NULL;
	if (remote_run(t, list_script, NULL, NULL, &out, err) < 0) {
		tunnel_free(t);
		return NULL;
	}
	list = calloc(1, sizeof *list);
	for (char *rec = strtok_r(out, "\036", &save); rec; rec = strtok_r(NULL, "\036", &save)) {
		char *dir, *json = split_line(rec, &dir), *name = strrchr(dir, '/');
		json_t *j = json_loads(json, 0, NULL);
		struct kc_kernelspec *s = NULL, **nl;
		int dup = 0;

		if (j && name)
			s = kcp_kernelspec_from_json(j, dir, dir, name + 1, NULL);
		json_decref(j);
		for (size_t i = 0; s && i < *n; i++)
			dup |= !strcmp(list[i]->name, s->name);
		if (!s || dup || !(nl = realloc(list, (*n + 2) * sizeof *list))) {
			kc_kernelspec_free(s);
			continue;
		}
		list = nl;
		list[(*n)++] = s;
	}
	free(out);
	tunnel_free(t);
	for (size_t i = 1; i < *n; i++) /* by name, as kc_kernelspec_list */
		for (size_t k = i; k > 0 && strcmp(list[k - 1]->name, list[k]->name) > 0; k--) {
			struct kc_kernelspec *x = list[k];

			list[k] = list[k - 1];
			list[k - 1] = x;
		}
	return list;
}

/* ---- the client's hooks ---- */

int kcp_tunnel_fd(const struct kc_client *kc)
{
	return kc->tun ? kc->tun->pidfd : -1;
}

void kcp_tunnel_tick(struct kc_client *kc, int fd_ready)
{
	struct kcp_tunnel *t = kc->tun;
	long long now = kcp_now_ms();

	if (!t)
		return;
	if (t->pid > 0 && (fd_ready || t->pidfd < 0) && tunnel_reap(t)) {
		kcp_client_link_lost(kc);
		t->retry_at = now + t->backoff_ms;
		t->backoff_ms = t->backoff_ms * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS
								    : t->backoff_ms * 2;
	}
	if (t->pid == 0 && now >= t->retry_at && kc->state != KC_DEAD) {
		struct kc_error err;

		if (tunnel_spawn(t, 1, &err) < 0)
			t->retry_at = now + t->backoff_ms;
	}
}

void kcp_tunnel_link_back(struct kc_client *kc)
{
	if (kc->tun)
		kc->tun->backoff_ms = BACKOFF_FIRST_MS;
}

long kcp_tunnel_timeout(const struct kc_client *kc)
{
	const struct kcp_tunnel *t = kc->tun;
	long long now = kcp_now_ms();

	if (!t || (t->pid > 0 && t->pidfd >= 0))
		return -1;
	if (t->pid > 0) /* no pidfd: look every 200 ms */
		return 200;
	return t->retry_at > now ? (long)(t->retry_at - now) : 0;
}

int kcp_tunnel_launched(const struct kc_client *kc)
{
	return kc->tun && kc->tun->launched;
}

int kcp_tunnel_interrupt(struct kc_client *kc)
{
	struct kcp_tunnel *t = kc->tun;
	char pid[32], *out = NULL, *args[] = {pid, NULL};
	struct kc_error err;
	int rc;

	snprintf(pid, sizeof pid, "%ld", t->rpid);
	rc = remote_run(t, int_script, args, NULL, &out, &err);
	free(out);
	if (rc < 0)
		snprintf(kc->err, sizeof kc->err, "%s", err.text);
	return rc < 0 ? -1 : 0;
}

int kcp_tunnel_restart(struct kc_client *kc, struct kc_error *err)
{
	struct kcp_tunnel *t = kc->tun;
	json_t *h;

	if (kc->sock[KC_CONTROL] && (h = kcp_header(&kc->sess, "shutdown_request")))
		kcp_send(kc, KC_CONTROL, h, NULL, json_pack("{s:b}", "restart", 1));
	remote_stop(t, 1, 0);
	return remote_start(t, "", err);
}

/* Whether the kernel started there still runs; when not, err says so with its output's end. */
int kcp_tunnel_check(struct kc_client *kc, struct kc_error *err)
{
	struct kcp_tunnel *t = kc->tun;
	char pid[32], log[PATH_MAX + 8], *out = NULL, *args[] = {pid, log, NULL}, *run;
	int rc;

	if (!t || !t->launched)
		return 0;
	snprintf(pid, sizeof pid, "%ld", t->rpid);
	snprintf(log, sizeof log, "%.*s.log", (int)strlen(t->rconnfile) - 5, t->rconnfile);
	if (remote_run(t, check_script, args, NULL, &out, err) < 0)
		return -1;
	run = strstr(out, "\nRUNNING");
	rc = run ? 0 : -1;
	if (!run) {
		while (*out && strlen(out) && out[strlen(out) - 1] == '\n')
			out[strlen(out) - 1] = 0;
		kcp_fail(err, "the kernel died at start%s%s",
			 *out ? "; its output:\n" : "", out);
	}
	free(out);
	return rc;
}

void kcp_tunnel_shutdown(struct kc_client *kc, int keep)
{
	struct kcp_tunnel *t = kc->tun;
	json_t *h;

	if (!t || !t->launched || keep || t->keep)
		return;
	if (kc->state != KC_LINK_LOST && kc->sock[KC_CONTROL] &&
	    (h = kcp_header(&kc->sess, "shutdown_request")))
		kcp_send(kc, KC_CONTROL, h, NULL, json_pack("{s:b}", "restart", 0));
	remote_stop(t, kc->state != KC_LINK_LOST, 1);
}

void kcp_tunnel_free(struct kc_client *kc)
{
	tunnel_free(kc->tun);
	kc->tun = NULL;
}

const char *kc_client_ssh_host(const struct kc_client *kc)
{
	return kc->tun ? kc->tun->host : NULL;
}

const char *kc_client_ssh_connfile(const struct kc_client *kc)
{
	return kc->tun ? kc->tun->rconnfile : NULL;
}

pid_t kc_client_ssh_pid(const struct kc_client *kc)
{
	return kc->tun ? kc->tun->pid : 0;
}
