// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * The self-pipe: signal handlers only write the signal number as a byte; the loop reads it.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "tui/sigpipe.h"

static int fds[2] = {-1, -1};

static void handler(int sig)
{
	int saved = errno;
	unsigned char b = (unsigned char)sig;

	if (write(fds[1], &b, 1) < 0) {
		/* The pipe is full: the loop has plenty to read already. */
	}
	errno = saved;
}

int sigpipe_install(void)
{
	struct sigaction sa;
	static const int sigs[] = {SIGINT, SIGTERM, SIGHUP, SIGWINCH};

	if (fds[0] >= 0)
		return fds[0];
	if (pipe2(fds, O_CLOEXEC | O_NONBLOCK) < 0)
		return -1;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = handler;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_RESTART;
	for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
		sigaction(sigs[i], &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	return fds[0];
}

int sigpipe_read(void)
{
	unsigned char b;

	return fds[0] >= 0 && read(fds[0], &b, 1) == 1 ? b : 0;
}

long long sigpipe_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}
