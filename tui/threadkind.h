// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * What a kernel thread is, from its entry in the routing agent's thread table
 * (docs/routing-protocol.md), for the threads pane and the console's \threads: the user's own
 * threads come first; ipykernel's fd watchers (the threads that read what a subprocess or C code
 * writes to fd 1/2) get an honest label instead of their name; the kernel's other threads
 * (IOPub, Heartbeat, Control, history, …) are marked and can be hidden.
 */
#ifndef BOBBIN_THREADKIND_H
#define BOBBIN_THREADKIND_H

#include <jansson.h>

/* In display order. */
enum tk_kind {
	TK_USER,   /* started by the user's code */
	TK_MAIN,   /* the kernel's main thread: the cells' own code */
	TK_FD,     /* ipykernel's fd watcher */
	TK_KERNEL  /* the kernel's own */
};

/* What the fd watchers' output is shown as: no Python thread wrote it. */
#define TK_FD_LABEL "fd output (subprocess/C)"

/* Output forwarded by ipykernel's fd watcher: the agent says origin_kind "fd" (protocol 1.1), or
 * the thread is named "Thread-3 (_watch_pipe_fd)"; either may be NULL. */
int tk_is_fd(const char *thread_name, const char *origin_kind);
/* The kind of a thread-table entry: the agent's "internal" flag and "role" when it sends them
 * (protocol 1.1), else known names (and unnamed Thread subclasses that ran before the agent
 * came). */
enum tk_kind tk_classify(const json_t *thread);
/* The KIND column: "", "main", "fd 1/2", "kernel". */
const char *tk_word(enum tk_kind k);

#endif
