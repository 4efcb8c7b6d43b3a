// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * The notebook session that survives its terminal (docs/detach.md). `bobbin NB` forks before
 * anything else is set up: the child is the session (it owns the kernel client and the document
 * and runs the notebook screen on the terminal it is lent), the parent a thin screen client that
 * only waits, forwards its signals and obeys the session's few messages. The session listens on
 * a unix socket in the Jupyter runtime dir; a later `bobbin NB` or `bobbin attach` lends it
 * another terminal (the fds passed with SCM_RIGHTS).
 *   session_client.c  the client side: start (fork), attach, the client's wait, `bobbin sessions`
 *   session_server.c  the session side: the socket, detaching and reattaching the screen
 * The document and the kernel client know nothing of this; the loop in app.c asks these calls.
 */
#ifndef BOBBIN_SESSION_H
#define BOBBIN_SESSION_H

#include <stddef.h>
#include <zmq.h>

struct app;

/* ---- session_client.c ---- */
/* Before the notebook screen sets anything up. A live session for file (NULL: a new notebook)
 * gets this terminal (or refuses: another terminal has it); otherwise the process forks: the
 * parent waits as the session's client. Returns 1 in the process that is done, with *rc its
 * exit status; 0 in the session (or when the fork failed: the screen runs in this process). */
int sess_begin(const char *file, int *rc);
int cmd_sessions(int argc, char **argv);
int cmd_attach(int argc, char **argv);
/* The socket's path for the notebook file (NULL: a new notebook of this process); -1 when the
 * runtime dir is unknown or the path too long. */
int sess_sock_path(const char *file, char *buf, size_t size);

/* Between the two halves: the absolute path of a notebook file (not required to exist); the
 * child of sess_begin() becomes the session with its listening socket (-1: none), the first
 * client's control socket, the socket's path and the notebook's absolute path. */
void sess_abs_path(const char *file, char *buf, size_t size);
void sess_serve(int lfd, int cfd, const char *sock, const char *nbabs);

/* ---- session_server.c ---- */
/* The session's side, called by the loop: whether this process is a session (0 in a fork-less
 * fallback); the tty fd to read keys from, -1 while no terminal is lent (or it is suspended). */
int sess_on(void);
int sess_tty(void);
/* After the first screen's set-up and before the kernel: a new session of its own (no
 * controlling terminal, so no SIGHUP or job-control stops reach it). */
void sess_setsid(void);
/* The listening socket and the client's control socket, for the loop's poll; returns how many. */
int sess_pollitems(zmq_pollitem_t *items, int max);
void sess_dispatch(struct app *a, const zmq_pollitem_t *items, int n);
/* The terminal went away (hung 1: nothing more is written to it) or the user detached (0: the
 * terminal is given back as it was and the client told). */
void sess_detach(struct app *a, int hung);
/* The "detach" action (D D, :detach). */
void sess_detach_key(struct app *a);
/* Ctrl-Z: 0 when the client stops itself and the session waits for it (the screen was left);
 * -1 when this process is no session (the caller stops itself). */
int sess_suspend(struct app *a);
/* Each pass of the loop: the recovery file while detached. */
void sess_tick(struct app *a, long long now_ms);
/* At the end: the client is told the exit status; the socket removed. */
void sess_end(int rc);

#endif
