// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * Kernel processes: fork and exec directly (no shell in between, so the kernel's parent poller
 * sees bobbin), in a new session and process group, with stdout/stderr captured to a log file,
 * and a pidfd so that the kernel's death is seen by poll() at once, without signal handlers.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <poll.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "kernelclient/kc_private.h"

int kcp_proc_spawn(struct kcp_proc *p, char *const argv[], char *const envp[], const char *cwd,
		   struct kc_error *err)
{
	int pipefd[2], logfd, e = 0;
	pid_t pid;

	p->exited = 0;
	p->pidfd = -1;
	logfd = open(p->log_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (logfd < 0)
		return kcp_fail(err, "%s: %s", p->log_path, strerror(errno));
	/* exec failures come back through a close-on-exec pipe, so they are reported, not logged. */
	if (pipe2(pipefd, O_CLOEXEC) < 0) {
		close(logfd);
		return kcp_fail(err, "pipe: %s", strerror(errno));
	}
	pid = fork();
	if (pid < 0) {
		close(logfd);
		close(pipefd[0]);
		close(pipefd[1]);
		return kcp_fail(err, "fork: %s", strerror(errno));
	}
	if (pid == 0) {
		int devnull = open("/dev/null", O_RDONLY);

		setsid();
		if (devnull >= 0)
			dup2(devnull, 0);
		dup2(logfd, 1);
		dup2(logfd, 2);
		signal(SIGINT, SIG_DFL);
		signal(SIGPIPE, SIG_DFL);
		if (cwd && chdir(cwd) < 0)
			e = errno;
		else {
			execvpe(argv[0], argv, envp);
			e = errno;
		}
		if (write(pipefd[1], &e, sizeof e) < 0)
			_exit(126);
		_exit(127);
	}
	close(logfd);
	close(pipefd[1]);
	if (read(pipefd[0], &e, sizeof e) == sizeof e) {
		close(pipefd[0]);
		waitpid(pid, NULL, 0);
		if (cwd && e && access(cwd, X_OK) != 0)
			return kcp_fail(err, "%s: %s", cwd, strerror(e));
		return kcp_fail(err, "cannot run %s: %s", argv[0], strerror(e));
	}
	close(pipefd[0]);
	p->pid = pid;
#ifdef SYS_pidfd_open
	p->pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
#endif
	return 0;
}

int kcp_proc_poll(struct kcp_proc *p)
{
	int st;

	if (p->exited || p->pid <= 0)
		return 1;
	if (waitpid(p->pid, &st, WNOHANG) == p->pid) {
		p->exited = 1;
		p->status = st;
		if (p->pidfd >= 0)
			close(p->pidfd);
		p->pidfd = -1;
	}
	return p->exited;
}

int kcp_proc_signal(struct kcp_proc *p, int sig)
{
	if (kcp_proc_poll(p))
		return -1;
	if (killpg(p->pid, sig) == 0)
		return 0;
	return kill(p->pid, sig);
}

int kcp_proc_wait(struct kcp_proc *p, long ms)
{
	long long end = kcp_now_ms() + ms;

	while (!kcp_proc_poll(p)) {
		long left = (long)(end - kcp_now_ms());

		if (left <= 0)
			return 0;
		if (p->pidfd >= 0) {
			struct pollfd pf = {.fd = p->pidfd, .events = POLLIN};

			poll(&pf, 1, left > 100 ? 100 : (int)left);
		} else {
			usleep(10000);
		}
	}
	return 1;
}
