// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * The screen client of a notebook session (session.h, docs/detach.md): `bobbin NB` forks the
 * session and waits as its first client; `bobbin NB` on a notebook with a live session and
 * `bobbin attach` lend it this terminal (stdin, stdout, stderr passed with SCM_RIGHTS) and wait
 * the same way; `bobbin sessions` lists the live ones. The client never reads or draws on the
 * terminal: it forwards its signals to the session as lines on the socket and obeys the
 * session's lines (suspend, exit N, detached, taken PID).
 */
#include <errno.h>
#include <dirent.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "kernelclient/kc.h"
#include "tui/session.h"
#include "tui/sigpipe.h"
#include "tui/tout.h"

/* ---- names ---- */

/* What messages call a new notebook (and the session's hello, session_server.c). */
#define NEW_LABEL "(new notebook)"

void sess_abs_path(const char *file, char *buf, size_t size)
{
	char *r = realpath(file, NULL);
	char cwd[4096];

	if (r) {
		snprintf(buf, size, "%s", r);
		free(r);
	} else if (file[0] == '/' || !getcwd(cwd, sizeof cwd)) {
		snprintf(buf, size, "%s", file);
	} else {
		snprintf(buf, size, "%s/%s", cwd, file);
	}
}

int sess_sock_path(const char *file, char *buf, size_t size)
{
	char dir[4096], abs[4200];
	unsigned long long h = 14695981039346656037ull; /* FNV-1a */

	if (kc_path_runtime_dir(dir, sizeof dir) < 0)
		return -1;
	if (file)
		sess_abs_path(file, abs, sizeof abs);
	else
		snprintf(abs, sizeof abs, "untitled:%ld", (long)getpid());
	for (const char *p = abs; *p; p++)
		h = (h ^ (unsigned char)*p) * 1099511628211ull;
	if ((size_t)snprintf(buf, size, "%s/bobbin-session-%016llx.sock", dir, h) >= size ||
	    strlen(buf) >= sizeof((struct sockaddr_un *)0)->sun_path)
		return -1;
	return 0;
}

static int sock_connect(const char *path)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -1;
	snprintf(sa.sun_path, sizeof sa.sun_path, "%s", path);
	if (connect(fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
		int e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

/* A listening socket at path (mode 0600); -1 with errno EADDRINUSE when a live session is
 * there. A socket nobody answers on (a crashed session's) is replaced. */
static int sock_listen(const char *path)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int fd, r, tries = 0;
	mode_t old;

	snprintf(sa.sun_path, sizeof sa.sun_path, "%s", path);
	for (;;) {
		if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
			return -1;
		old = umask(077);
		r = bind(fd, (struct sockaddr *)&sa, sizeof sa);
		umask(old);
		if (r == 0 && listen(fd, 8) == 0)
			return fd;
		close(fd);
		if (r == 0 || errno != EADDRINUSE || tries++)
			return -1;
		if ((fd = sock_connect(path)) >= 0) {
			close(fd);
			errno = EADDRINUSE;
			return -1;
		}
		unlink(path); /* stale: nobody listens */
	}
}

/* One line from fd within ms (without its newline); -1 on EOF, error or timeout. */
static int read_line(int fd, char *buf, size_t size, int ms)
{
	size_t n = 0;

	while (n + 1 < size) {
		struct pollfd p = {fd, POLLIN, 0};
		ssize_t r;

		if (poll(&p, 1, ms) <= 0)
			return -1;
		if ((r = read(fd, buf + n, 1)) <= 0)
			return -1;
		if (buf[n] == '\n')
			break;
		n++;
	}
	buf[n] = 0;
	return 0;
}

static void say(int fd, const char *line)
{
	ssize_t r = write(fd, line, strlen(line));
	(void)r;
}

/* A connection to the session at sock, or -1; a socket nobody listens on (its session crashed
 * or was killed) is removed, with a message. */
static int connect_live(const char *sock)
{
	int fd = sock_connect(sock);

	if (fd < 0 && errno == ECONNREFUSED && unlink(sock) == 0)
		tout_fmt(stderr,
		         "bobbin: removed a stale session socket (its session is gone): %s\n",
		         sock);
	return fd;
}

/* ---- the client's wait ---- */

/* Waits as the client of the session on fd (child: the session is this process's child, else
 * 0; spid its pid); returns the exit status. */
static int client_wait(int fd, pid_t child, long spid, const char *label)
{
	char buf[1024];
	size_t len = 0;
	int hup = 0;

	int sfd = sigpipe_install(), sig; /* the client's signals, as lines to the session */

	for (;;) {
		struct pollfd p[2] = {{fd, POLLIN, 0}, {sfd, POLLIN, 0}};
		int pr = poll(p, 2, hup ? 3000 : -1);

		if (pr < 0 && errno == EINTR)
			continue;
		if (pr == 0) /* hung up, and the session did not answer in time */
			return 1;
		while ((sig = sigpipe_read())) {
			if (sig == SIGHUP) {
				hup = 1;
				say(fd, "hup\n");
			} else {
				say(fd, sig == SIGTERM  ? "term\n"
				        : sig == SIGINT ? "int\n"
				                        : "winch\n");
			}
		}
		if (!(p[0].revents & (POLLIN | POLLHUP | POLLERR)))
			continue;
		ssize_t r = read(fd, buf + len, sizeof buf - 1 - len);
		if (r <= 0) {
			int st;

			if (hup)
				return 1;
			if (child > 0 && waitpid(child, &st, 0) == child) {
				if (WIFEXITED(st))
					return WEXITSTATUS(st);
				tout_fmt(stderr,
				         "bobbin: the session (pid %ld) was killed by signal %d\n",
				         spid, WTERMSIG(st));
				return 1;
			}
			tout_fmt(stderr, "bobbin: the session (pid %ld) ended unexpectedly\n",
			         spid);
			return 1;
		}
		len += (size_t)r;
		buf[len] = 0;
		char *nl;
		while ((nl = memchr(buf, '\n', len))) {
			char line[256];
			size_t k = (size_t)(nl - buf);

			snprintf(line, sizeof line, "%.*s", (int)k, buf);
			memmove(buf, nl + 1, len - k - 1);
			len -= k + 1;
			if (!strcmp(line, "suspend")) {
				pid_t pg;

				/* back here after fg (SIGCONT); continued in the background (bg),
				 * it stops again, as a program writing to its terminal from there
				 * would */
				do
					raise(SIGSTOP);
				while ((pg = tcgetpgrp(0)) >= 0 && pg != getpgrp());
				say(fd, "resumed\n");
			} else if (!strncmp(line, "exit ", 5)) {
				/* the session ends right after: reaped here when it is our child */
				for (int i = 0; child > 0 && i < 50; i++)
					if (waitpid(child, NULL, WNOHANG) != 0 ||
					    (usleep(20000), 0))
						break;
				return atoi(line + 5);
			} else if (!strcmp(line, "detached")) {
				if (!hup)
					tout_fmt(stderr,
					         "bobbin: detached; the session goes on (pid %ld): "
					         "bobbin %s reattaches\n",
					         spid, strcmp(label, NEW_LABEL) ? label : "attach");
				return hup ? 1 : 0;
			} else if (!strncmp(line, "taken ", 6)) {
				tout_fmt(stderr,
				         "bobbin: %s was taken over by another terminal (pid %s)\n",
				         label, line + 6);
				return 0;
			}
		}
		if (len == sizeof buf - 1)
			len = 0; /* no line that long is ours */
	}
}

/* ---- attaching ---- */

/* Lends this terminal to the session at sock: 1 when there is a live session (*rc: how it
 * ended, or 1 when it refused), 0 when there is none. */
static int attach_to(const char *sock, int take, const char *label, int *rc)
{
	static const char *const envs[] = {"TERM", "COLORTERM", "TMUX", "NO_COLOR"};
	char msg[2048], line[256];
	int fd = connect_live(sock), fds[3] = {0, 1, 2};
	size_t n;
	union {
		struct cmsghdr h;
		char b[CMSG_SPACE(sizeof fds)];
	} cm;
	struct iovec iov;
	struct msghdr mh = {0};

	if (fd < 0) {
		return 0;
	}
	n = (size_t)snprintf(msg, sizeof msg, "attach%s\n", take ? " take" : "");
	for (size_t i = 0; i < sizeof envs / sizeof envs[0]; i++) {
		const char *v = getenv(envs[i]);

		if (v && strlen(v) < 200)
			n += (size_t)snprintf(msg + n, sizeof msg - n, "env %s=%s\n", envs[i], v);
	}
	n += (size_t)snprintf(msg + n, sizeof msg - n, "end\n");
	iov = (struct iovec){msg, n};
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	mh.msg_control = cm.b;
	mh.msg_controllen = sizeof cm.b;
	memset(cm.b, 0, sizeof cm.b);
	CMSG_FIRSTHDR(&mh)->cmsg_level = SOL_SOCKET;
	CMSG_FIRSTHDR(&mh)->cmsg_type = SCM_RIGHTS;
	CMSG_FIRSTHDR(&mh)->cmsg_len = CMSG_LEN(sizeof fds);
	memcpy(CMSG_DATA(CMSG_FIRSTHDR(&mh)), fds, sizeof fds);
	if (sendmsg(fd, &mh, MSG_NOSIGNAL) != (ssize_t)n ||
	    read_line(fd, line, sizeof line, 15000) < 0) {
		tout_fmt(stderr, "bobbin: the session of %s does not answer (%s)\n", label, sock);
		close(fd);
		*rc = 1;
		return 1;
	}
	if (!strncmp(line, "busy ", 5)) {
		tout_fmt(stderr,
		         "bobbin: %s is open in another terminal (pid %s): "
		         "bobbin attach --take %s takes it over\n",
		         label, line + 5, label);
		close(fd);
		*rc = 1;
		return 1;
	}
	if (strncmp(line, "attached ", 9)) {
		tout_fmt(stderr, "bobbin: the session of %s refused the terminal: %s\n", label,
		         line);
		close(fd);
		*rc = 1;
		return 1;
	}
	*rc = client_wait(fd, 0, atol(line + 9), label);
	close(fd);
	return 1;
}

int sess_begin(const char *file, int *rc)
{
	char sock[4200] = "", abs[4200] = "";
	const char *label = file ? file : NEW_LABEL;
	int lfd = -1, sv[2];
	pid_t pid;

	if (file && sess_sock_path(file, sock, sizeof sock) == 0) {
		lfd = sock_listen(sock);
		if (lfd < 0 && errno == EADDRINUSE && attach_to(sock, 0, label, rc))
			return 1;
		if (lfd < 0)
			lfd = sock_listen(sock); /* it went away meanwhile */
	} else if (!file && sess_sock_path(NULL, sock, sizeof sock) == 0) {
		lfd = sock_listen(sock);
	}
	if (lfd < 0)
		sock[0] = 0; /* no socket: the session runs on, but cannot be reattached */
	if (file)
		sess_abs_path(file, abs, sizeof abs);
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
		goto nofork;
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		close(sv[0]);
		close(sv[1]);
		goto nofork;
	}
	if (pid == 0) {
		close(sv[0]);
		sess_serve(lfd, sv[1], sock, abs);
		return 0;
	}
	close(sv[1]);
	if (lfd >= 0)
		close(lfd);
	*rc = client_wait(sv[0], pid, (long)pid, label);
	return 1;
nofork:
	if (lfd >= 0) {
		close(lfd);
		unlink(sock);
	}
	return 0;
}

/* ---- bobbin sessions, bobbin attach ---- */

struct sess_info {
	char sock[4200];
	char notebook[4200];
	char kernel[128];
	char state[32];
	long pid, client;
	long long started, detached_at;
};

/* Asks the session at sock; 0 and *in filled, -1 when it does not answer (a stale socket is
 * removed, with a message). */
static int ask_hello(const char *sock, struct sess_info *in)
{
	char line[8192];
	json_t *j;
	int fd = connect_live(sock);

	if (fd < 0) {
		return -1;
	}
	say(fd, "hello\n");
	if (read_line(fd, line, sizeof line, 5000) < 0 || !(j = json_loads(line, 0, NULL))) {
		close(fd);
		return -1;
	}
	close(fd);
	memset(in, 0, sizeof *in);
	snprintf(in->sock, sizeof in->sock, "%s", sock);
	snprintf(in->notebook, sizeof in->notebook, "%s",
	         json_string_value(json_object_get(j, "notebook")) ?: "");
	snprintf(in->kernel, sizeof in->kernel, "%s",
	         json_string_value(json_object_get(j, "kernel")) ?: "");
	snprintf(in->state, sizeof in->state, "%s",
	         json_string_value(json_object_get(j, "state")) ?: "");
	in->pid = (long)json_integer_value(json_object_get(j, "pid"));
	in->client = (long)json_integer_value(json_object_get(j, "client"));
	in->started = json_integer_value(json_object_get(j, "started"));
	in->detached_at = json_integer_value(json_object_get(j, "detached"));
	json_decref(j);
	return 0;
}

/* The live sessions in the runtime dir (stale sockets removed); caller frees. */
static struct sess_info *list_sessions(size_t *n)
{
	char dir[4096], p[4200];
	struct sess_info *v = NULL, in;
	struct dirent *e;
	DIR *d;

	*n = 0;
	if (kc_path_runtime_dir(dir, sizeof dir) < 0 || !(d = opendir(dir)))
		return NULL;
	while ((e = readdir(d))) {
		size_t l = strlen(e->d_name);
		struct sess_info *nv;

		if (strncmp(e->d_name, "bobbin-session-", 15) || l < 5 ||
		    strcmp(e->d_name + l - 5, ".sock"))
			continue;
		snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
		if (ask_hello(p, &in) < 0 || !(nv = realloc(v, (*n + 1) * sizeof *v)))
			continue;
		v = nv;
		v[(*n)++] = in;
	}
	closedir(d);
	return v;
}

static void age(long long since, char *buf, size_t size)
{
	long long s = (long long)time(NULL) - since;

	if (s < 120)
		snprintf(buf, size, "%llds", s < 0 ? 0 : s);
	else if (s < 7200)
		snprintf(buf, size, "%lldm", s / 60);
	else
		snprintf(buf, size, "%lldh%02lldm", s / 3600, s / 60 % 60);
}

int cmd_sessions(int argc, char **argv)
{
	struct sess_info *v;
	size_t n;

	if (argc > 1) {
		if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
			tout_lit(
			    stdout,
			    "usage: bobbin sessions\n\nLists the live notebook sessions "
			    "(docs/detach.md): notebook, kernel, state,\nage, pid; a stale socket "
			    "left by a crashed session is removed.\n");
			return 0;
		}
		tout_fmt(stderr, "bobbin sessions: unknown argument %s\n", argv[1]);
		return 2;
	}
	v = list_sessions(&n);
	if (!n) {
		tout_lit(stdout, "no sessions\n");
		free(v);
		return 0;
	}
	tout_fmt(stdout, "%-8s %-9s %-16s %-18s %-9s %s\n", "PID", "AGE", "KERNEL", "STATE",
	         "SCREEN", "NOTEBOOK");
	for (size_t i = 0; i < n; i++) {
		char ag[32], scr[32];

		age(v[i].started, ag, sizeof ag);
		if (v[i].client)
			snprintf(scr, sizeof scr, "pid %ld", v[i].client);
		else
			snprintf(scr, sizeof scr, "detached");
		tout_fmt(stdout, "%-8ld %-9s %-16s %-18s %-9s %s\n", v[i].pid, ag, v[i].kernel,
		         v[i].state, scr, v[i].notebook);
	}
	free(v);
	return 0;
}

int cmd_attach(int argc, char **argv)
{
	const char *file = NULL;
	char sock[4200];
	int take = 0, rc = 1;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--take")) {
			take = 1;
		} else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			tout_lit(
			    stdout,
			    "usage: bobbin attach [--take] [NOTEBOOK.ipynb]\n\nLends this "
			    "terminal to the notebook's live session (the only detached one\nwhen "
			    "none is named). --take takes it from the terminal that has it.\n");
			return 0;
		} else if (argv[i][0] == '-') {
			tout_fmt(stderr, "bobbin attach: unknown option %s\n", argv[i]);
			return 2;
		} else if (!file) {
			file = argv[i];
		} else {
			tout_fmt(stderr, "bobbin attach: one notebook at a time\n");
			return 2;
		}
	}
	if (!isatty(0) || !isatty(1)) {
		tout_fmt(stderr, "bobbin attach: needs a terminal\n");
		return 2;
	}
	if (file) {
		if (sess_sock_path(file, sock, sizeof sock) < 0 ||
		    !attach_to(sock, take, file, &rc)) {
			tout_fmt(stderr,
			         "bobbin attach: no session for %s (bobbin sessions lists them)\n",
			         file);
			return 1;
		}
		return rc;
	}
	size_t n, k = 0, pick = 0;
	struct sess_info *v = list_sessions(&n);

	for (size_t i = 0; i < n; i++)
		if (!v[i].client || take) {
			k++;
			pick = i;
		}
	if (k != 1) {
		tout_fmt(stderr, "bobbin attach: %s\n",
		         k ? "several sessions: name the notebook (bobbin sessions lists them)"
		           : "no detached session (bobbin sessions lists them)");
		free(v);
		return 1;
	}
	snprintf(sock, sizeof sock, "%s", v[pick].sock);
	char label[4200];
	snprintf(label, sizeof label, "%s", v[pick].notebook);
	free(v);
	if (!attach_to(sock, take, label, &rc)) {
		tout_fmt(stderr, "bobbin attach: the session of %s is gone\n", label);
		return 1;
	}
	return rc;
}
