// SPDX-License-Identifier: GPL-3.0-or-later
/* Signals as bytes on a self-pipe, so the one poll loop sees them like any other event. */
#ifndef BOBBIN_SIGPIPE_H
#define BOBBIN_SIGPIPE_H

/* Installs handlers for SIGINT, SIGTERM, SIGHUP, SIGWINCH (and ignores SIGPIPE); returns the
 * read end to poll. Idempotent. */
int sigpipe_install(void);
/* The next signal number waiting on the pipe, or 0. */
int sigpipe_read(void);
/* Monotonic milliseconds. */
long long sigpipe_now_ms(void);

#endif
