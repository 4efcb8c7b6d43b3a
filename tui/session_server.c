// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * The session's side of a notebook session (session.h, docs/detach.md): the listening socket
 * and the attached client's control socket in the loop's poll, lending the screen a terminal
 * (the passed fds become 0, 1 and 2, and curses starts on them with newterm) and taking it away
 * again (detach: the terminal given back as it was; hangup: nothing more written to it), and
 * the recovery file while nobody looks. Detached, fds 0 and 1 are /dev/null and stderr goes to a
 * log file beside the socket.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "tui/app.h"
#include "tui/session.h"
#include "tui/sigpipe.h"

static struct {
	int on, lfd, cfd, attached, suspended;
	long client;               /* the attached client's pid */
	char sock[4200], nb[4200]; /* the socket's path ("" none), the notebook's absolute path */
	long long started, detached_at; /* wall-clock seconds; detached_at 0 while attached */
	struct stat st;                 /* the notebook file when the screen went */
	int st_ok, dead_at_detach;
	char fault[400]; /* what went wrong while detached, said on reattach */
	long long last_rec_ms;
	char rbuf[512];
	size_t rlen;
} S = {.lfd = -1, .cfd = -1};

static void say(int fd, const char *line)
{
	if (fd >= 0 && send(fd, line, strlen(line), MSG_NOSIGNAL) < 0) {
		/* the client is gone: its EOF says so */
	}
}

/* The log file of stderr while detached: beside the socket, NAME.log for NAME.sock. */
static void log_path(char *buf, size_t size)
{
	size_t l = strlen(S.sock);

	snprintf(buf, size, "%.*s.log", (int)(l > 5 ? l - 5 : 0), S.sock);
}

static void unlink_sock(void)
{
	char p[4300];
	struct stat st;

	if (!S.on || !S.sock[0])
		return;
	unlink(S.sock);
	log_path(p, sizeof p);
	if (lstat(p, &st) == 0 && S_ISREG(st.st_mode) && st.st_size == 0)
		unlink(p);
}

void sess_serve(int lfd, int cfd, const char *sock, const char *nbabs)
{
	S.on = 1;
	S.lfd = lfd;
	S.cfd = cfd;
	S.attached = 1;
	S.client = (long)getppid();
	S.started = (long long)time(NULL);
	snprintf(S.sock, sizeof S.sock, "%s", sock);
	snprintf(S.nb, sizeof S.nb, "%s", nbabs);
	prctl(PR_SET_NAME, "bobbin-session", 0, 0, 0);
	atexit(unlink_sock);
}

int sess_on(void)
{
	return S.on;
}

int sess_tty(void)
{
	return !S.on || (S.attached && !S.suspended) ? 0 : -1;
}

void sess_setsid(void)
{
	if (S.on)
		setsid();
}

int sess_pollitems(zmq_pollitem_t *items, int max)
{
	int n = 0;

	if (S.lfd >= 0 && n < max)
		items[n++] = (zmq_pollitem_t){.fd = S.lfd, .events = ZMQ_POLLIN};
	if (S.cfd >= 0 && n < max)
		items[n++] = (zmq_pollitem_t){.fd = S.cfd, .events = ZMQ_POLLIN};
	return n;
}

/* fds 0 and 1 to /dev/null, 2 to the log file beside the socket (else /dev/null). */
static void fds_away(int err_too)
{
	int nul = open("/dev/null", O_RDWR | O_CLOEXEC), log = -1;

	fflush(stdout);
	fflush(stderr);
	if (nul < 0)
		return;
	dup2(nul, 0);
	dup2(nul, 1);
	if (err_too) {
		char p[4300];

		if (S.sock[0]) {
			log_path(p, sizeof p);
			log = open(p, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0600);
		}
		dup2(log >= 0 ? log : nul, 2);
		if (log >= 0)
			close(log);
	}
	close(nul);
	clearerr(stdout);
	clearerr(stderr);
}

static void rec_now(struct app *a)
{
	app_commit_edit(a);
	if (!nb_doc_dirty(a->doc))
		return;
	if (rec_write(a) < 0 && !S.fault[0])
		snprintf(S.fault, sizeof S.fault, "while detached: %s", a->msg);
}

/* The screen goes; tell: the line for the client ("detached", "taken PID"). */
static void drop_screen(struct app *a, int hung, const char *tell)
{
	if (!S.attached)
		return;
	if (hung || S.suspended) /* the terminal is not ours to write to */
		fds_away(0);
	view_end(a);
	fds_away(1);
	S.attached = S.suspended = 0;
	S.client = 0;
	S.detached_at = (long long)time(NULL);
	S.st_ok = a->path[0] && stat(a->path, &S.st) == 0;
	S.dead_at_detach = a->kernel_dead;
	S.fault[0] = 0;
	S.rlen = 0;
	rec_now(a); /* before the client is told: when it has gone, the file is there */
	S.last_rec_ms = sigpipe_now_ms();
	say(S.cfd, tell);
	if (S.cfd >= 0)
		close(S.cfd);
	S.cfd = -1;
}

void sess_detach(struct app *a, int hung)
{
	if (!S.on || !S.sock[0]) { /* no way back to a detached session: end as without one */
		app_hangup(a);
		return;
	}
	drop_screen(a, hung, "detached\n");
}

int sess_suspend(struct app *a)
{
	if (!S.on || S.cfd < 0)
		return -1;
	S.suspended = 1;
	say(S.cfd, "suspend\n");
	return 0;
}

void sess_tick(struct app *a, long long now)
{
	long long iv = a->cfg.autosave_interval > 5 ? 5 : a->cfg.autosave_interval;

	if (!S.on || S.attached || iv <= 0 || now - S.last_rec_ms < iv * 1000)
		return;
	S.last_rec_ms = now;
	rec_now(a);
}

void sess_end(int rc)
{
	char line[32];

	if (!S.on)
		return;
	snprintf(line, sizeof line, "exit %d\n", rc);
	say(S.cfd, line);
	unlink_sock();
	S.sock[0] = 0;
}

/* ---- a client's line ---- */

static void info(struct app *a, int fd)
{
	char state[64];
	json_t *j;
	char *s;

	if (a->kernel_dead)
		snprintf(state, sizeof state, "dead");
	else if (!a->kc)
		snprintf(state, sizeof state, "%s", a->kernel_pending ? "starting" : "no kernel");
	else if (a->nexec > 1)
		snprintf(state, sizeof state, "busy (%zu queued)", a->nexec - 1);
	else if (a->nexec)
		snprintf(state, sizeof state, "busy");
	else
		snprintf(state, sizeof state, "%s", kc_state_name(kc_client_state(a->kc)));
	j = json_pack("{s:s, s:s, s:s, s:I, s:I, s:I, s:I}", "notebook",
	              S.nb[0] ? S.nb : "(new notebook)", "kernel", a->kernel_name, "state", state,
	              "pid", (json_int_t)getpid(), "client",
	              (json_int_t)(S.attached ? S.client : 0), "started", (json_int_t)S.started,
	              "detached", (json_int_t)S.detached_at);
	if (j && (s = json_dumps(j, JSON_COMPACT))) {
		say(fd, s);
		say(fd, "\n");
		free(s);
	}
	json_decref(j);
}

static void reattached(struct app *a, long long since)
{
	char when[32] = "?", extra[800] = "";
	struct stat st;
	time_t t = (time_t)since;
	struct tm tm;
	int err = 0;

	if (localtime_r(&t, &tm))
		strftime(when, sizeof when, "%H:%M", &tm);
	if (a->kernel_dead) {
		snprintf(extra + strlen(extra), sizeof extra - strlen(extra), "; %s",
		         S.dead_at_detach ? "the kernel is dead"
		                          : "the kernel died while detached");
		err = 1;
	}
	if (S.st_ok && (stat(a->path, &st) < 0 || st.st_mtim.tv_sec != S.st.st_mtim.tv_sec ||
	                st.st_mtim.tv_nsec != S.st.st_mtim.tv_nsec || st.st_size != S.st.st_size)) {
		snprintf(extra + strlen(extra), sizeof extra - strlen(extra),
		         "; the file changed on disk (:w! overwrites it)");
		err = 1;
	}
	if (S.fault[0]) {
		snprintf(extra + strlen(extra), sizeof extra - strlen(extra), "; %s", S.fault);
		err = 1;
	}
	app_msg(a, err, "reattached to a detached session (pid %ld, since %s)%s", (long)getpid(),
	        when, extra);
}

/* "attach [take]" with the terminal's fds and env lines, up to "end". */
static void attach(struct app *a, int fd, char *req, const int *fds, int nfds)
{
	struct ucred cr;
	socklen_t cl = sizeof cr;
	long pid = getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &cl) == 0 ? (long)cr.pid : 0;
	int take = !strncmp(req, "attach take", 11);
	char line[64], *save = NULL;
	long long since = S.detached_at;

	if (nfds != 3) {
		say(fd, "refused no terminal passed\n");
		goto out;
	}
	if (S.attached && !take) {
		snprintf(line, sizeof line, "busy %ld\n", S.client);
		say(fd, line);
		goto out;
	}
	if (S.attached) {
		snprintf(line, sizeof line, "taken %ld\n", pid);
		drop_screen(a, 0, line);
		since = 0;
	}
	static const char *const names[] = {"TERM", "COLORTERM", "TMUX", "NO_COLOR"};

	/* the terminal's environment is the new client's: what it does not set is unset */
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		unsetenv(names[i]);
	for (char *l = strtok_r(req, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		if (!strncmp(l, "env ", 4)) {
			for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
				if (!strncmp(l + 4, names[i], strlen(names[i])) &&
				    l[4 + strlen(names[i])] == '=')
					setenv(names[i], l + 5 + strlen(names[i]), 1);
		}
	}
	dup2(fds[0], 0);
	dup2(fds[1], 1);
	dup2(fds[2], 2);
	clearerr(stdout);
	if (view_init(a) < 0) {
		fds_away(1);
		say(fd, "refused cannot use this terminal (its TERM)\n");
		goto out;
	}
	snprintf(line, sizeof line, "attached %ld\n", (long)getpid());
	say(fd, line);
	S.cfd = fd;
	fd = -1;
	S.attached = 1;
	S.suspended = 0;
	S.client = pid;
	S.detached_at = 0;
	app_invalidate_all(a);
	app_scroll_into_view(a);
	a->full_redraw = a->need_draw = 1;
	if (since)
		reattached(a, since);
	else
		app_msg(a, 0, "taken over from another terminal");
out:
	for (int i = 0; i < nfds; i++)
		close(fds[i]);
	if (fd >= 0)
		close(fd);
}

/* Whether the peer on fd runs as this process's user (root may too). */
static int same_user(int fd)
{
	struct ucred cr;
	socklen_t cl = sizeof cr;

	return getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &cl) == 0 &&
	       (cr.uid == geteuid() || cr.uid == 0);
}

static void accept_one(struct app *a)
{
	char buf[4096];
	size_t len = 0;
	int fds[3], nfds = 0, fd = accept4(S.lfd, NULL, NULL, SOCK_CLOEXEC);
	struct timeval tv = {2, 0};

	if (fd < 0)
		return;
	if (!same_user(fd)) { /* the socket's mode says so too; this holds if that is changed */
		close(fd);
		return;
	}
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	/* the request is one short write: hello, or attach with the fds and up to "end" */
	while (len + 1 < sizeof buf) {
		union {
			struct cmsghdr h;
			char b[CMSG_SPACE(sizeof fds)];
		} cm;
		struct iovec iov = {buf + len, sizeof buf - 1 - len};
		struct msghdr mh = {.msg_iov = &iov,
		                    .msg_iovlen = 1,
		                    .msg_control = cm.b,
		                    .msg_controllen = sizeof cm.b};
		ssize_t r = recvmsg(fd, &mh, MSG_CMSG_CLOEXEC);

		if (r <= 0)
			break;
		for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c))
			if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
				int k = (int)((c->cmsg_len - CMSG_LEN(0)) / sizeof(int));
				int got[3];

				memcpy(got, CMSG_DATA(c), (size_t)(k > 3 ? 3 : k) * sizeof(int));
				for (int i = 0; i < k && i < 3; i++)
					if (nfds < 3)
						fds[nfds++] = got[i];
					else
						close(got[i]);
			}
		len += (size_t)r;
		buf[len] = 0;
		if (!strncmp(buf, "hello\n", 6) || strstr(buf, "\nend\n"))
			break;
	}
	buf[len] = 0;
	if (!strncmp(buf, "hello\n", 6)) {
		info(a, fd);
	} else if (!strncmp(buf, "attach", 6) && strstr(buf, "\nend\n")) {
		attach(a, fd, buf, fds, nfds);
		return;
	}
	for (int i = 0; i < nfds; i++)
		close(fds[i]);
	close(fd);
}

static void client_line(struct app *a, const char *l)
{
	if (!strcmp(l, "hup")) {
		sess_detach(a, 1);
	} else if (!strcmp(l, "term")) {
		app_hangup(a);
	} else if (!strcmp(l, "int")) {
		app_kernel_interrupt(a);
	} else if (!strcmp(l, "winch")) {
		if (S.attached && !S.suspended)
			view_resize(a);
	} else if (!strcmp(l, "resumed")) {
		if (S.suspended) {
			S.suspended = 0;
			view_resume(a);
		}
	}
}

void sess_dispatch(struct app *a, const zmq_pollitem_t *items, int n)
{
	for (int i = 0; i < n; i++) {
		if (!(items[i].revents & (ZMQ_POLLIN | ZMQ_POLLERR)))
			continue;
		if (items[i].fd == S.lfd) {
			accept_one(a);
		} else if (items[i].fd == S.cfd && S.cfd >= 0) {
			ssize_t r =
			    recv(S.cfd, S.rbuf + S.rlen, sizeof S.rbuf - 1 - S.rlen, MSG_DONTWAIT);
			char *nl;

			if (r == 0 || (r < 0 && errno != EAGAIN && errno != EINTR)) {
				sess_detach(a, 1); /* the client is gone: so may the terminal be */
				continue;
			}
			if (r < 0)
				continue;
			S.rlen += (size_t)r;
			S.rbuf[S.rlen] = 0;
			while (S.cfd >= 0 && (nl = memchr(S.rbuf, '\n', S.rlen))) {
				size_t k = (size_t)(nl - S.rbuf);

				*nl = 0;
				client_line(a, S.rbuf);
				if (!S.rlen)
					break; /* the screen went: the buffer was reset */
				memmove(S.rbuf, nl + 1, S.rlen - k - 1);
				S.rlen -= k + 1;
			}
			if (S.rlen == sizeof S.rbuf - 1)
				S.rlen = 0;
		}
	}
}

void sess_detach_key(struct app *a)
{
	if (!S.on || !S.attached)
		app_msg(a, 1, "detach: this bobbin runs without a session (see docs/detach.md)");
	else if (!S.sock[0])
		app_msg(
		    a, 1,
		    "detach: no session socket in the runtime dir, so no way back: not detaching");
	else
		drop_screen(a, 0, "detached\n");
}
