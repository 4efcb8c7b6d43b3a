// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * A real Jupyter Server for tests (Debian's python3-jupyter-server): started on a free
 * 127.0.0.1 port with a generated token and a private root, runtime, config and data
 * directory, waited for until its API answers, and stopped at the end. JSRV_ARGS adds
 * options (e.g. a certificate for https).
 */
#ifndef BOBBIN_JSRV_H
#define BOBBIN_JSRV_H

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include "kernelclient/kc.h"

struct jsrv {
	pid_t pid;
	int port;
	char url[128], token[64], dir[128], log[200];
};

static inline int jsrv_free_port(void)
{
	struct sockaddr_in a = {.sin_family = AF_INET};
	socklen_t al = sizeof a;
	int fd = socket(AF_INET, SOCK_STREAM, 0), port = -1;

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd >= 0 && bind(fd, (struct sockaddr *)&a, sizeof a) == 0 &&
	    getsockname(fd, (struct sockaddr *)&a, &al) == 0)
		port = ntohs(a.sin_port);
	if (fd >= 0)
		close(fd);
	return port;
}

/* Starts the server (scheme "http" or "https"; extra: more options or NULL). 0 when it answers
 * within 60 s; -1 with the reason on stderr. */
static inline int jsrv_start(struct jsrv *s, const char *scheme, const char *const *extra)
{
	char portarg[64], tokarg[100], rootarg[200], sub[200];
	const char *argv[40];
	int n = 0;

	memset(s, 0, sizeof *s);
	snprintf(s->dir, sizeof s->dir, "/tmp/bobbin-jsrv-XXXXXX");
	if (!mkdtemp(s->dir))
		return -1;
	srand((unsigned)getpid() ^ (unsigned)time(NULL));
	for (int i = 0; i < 32; i++)
		s->token[i] = "0123456789abcdef"[rand() % 16];
	s->port = jsrv_free_port();
	snprintf(s->url, sizeof s->url, "%s://127.0.0.1:%d/", scheme, s->port);
	snprintf(s->log, sizeof s->log, "%s/server.log", s->dir);
	snprintf(portarg, sizeof portarg, "--ServerApp.port=%d", s->port);
	snprintf(tokarg, sizeof tokarg, "--ServerApp.token=%s", s->token);
	snprintf(rootarg, sizeof rootarg, "--ServerApp.root_dir=%s", s->dir);
	const char *fixed[] = {"/usr/bin/python3", "-m", "jupyter_server", "--no-browser",
	                       "--ServerApp.ip=127.0.0.1", "--ServerApp.port_retries=0",
	                       "--ServerApp.open_browser=False", portarg, tokarg, rootarg,
	                       /* CI containers run as root */
	                       geteuid() == 0 ? "--allow-root" : "--ServerApp.allow_root=False"};
	for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++)
		argv[n++] = fixed[i];
	for (const char *const *e = extra; e && *e && n < 38; e++)
		argv[n++] = *e;
	argv[n] = NULL;
	if ((s->pid = fork()) == 0) {
		int fd = open(s->log, O_WRONLY | O_CREAT | O_TRUNC, 0600);

		dup2(fd, 1);
		dup2(fd, 2);
		setpgid(0, 0);
		snprintf(sub, sizeof sub, "%s/runtime", s->dir);
		setenv("JUPYTER_RUNTIME_DIR", sub, 1);
		snprintf(sub, sizeof sub, "%s/config", s->dir);
		setenv("JUPYTER_CONFIG_DIR", sub, 1);
		unsetenv("JUPYTER_TOKEN");
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	struct kc_server_opts o = {.url = s->url, .token = s->token, .timeout_ms = 2000};
	for (int i = 0; i < 300; i++) {
		struct kc_error err = {0};
		json_t *j;
		int st;

		if (waitpid(s->pid, &st, WNOHANG) == s->pid) {
			fprintf(stderr, "# jupyter_server exited at start; see %s\n", s->log);
			s->pid = 0;
			return -1;
		}
		if ((j = kc_server_get(&o, "api/status", &err))) {
			json_decref(j);
			return 0;
		}
		usleep(200000); /* the server is starting: nothing to wait on but its port */
	}
	fprintf(stderr, "# jupyter_server did not answer within 60 s; see %s\n", s->log);
	return -1;
}

/* Does the server's log hold text? */
static inline int jsrv_logged(const struct jsrv *s, const char *text)
{
	FILE *f = fopen(s->log, "r");
	char line[4096];
	int found = 0;

	while (f && !found && fgets(line, sizeof line, f))
		found = strstr(line, text) != NULL;
	if (f)
		fclose(f);
	return found;
}

static inline void jsrv_stop(struct jsrv *s)
{
	char cmd[200];

	if (s->pid > 0) {
		kill(-s->pid, SIGTERM);
		for (int i = 0; i < 100 && waitpid(s->pid, NULL, WNOHANG) == 0; i++)
			usleep(100000);
		kill(-s->pid, SIGKILL);
		waitpid(s->pid, NULL, 0);
	}
	s->pid = 0;
	if (getenv("JSRV_KEEP_LOG"))
		return;
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", s->dir);
	if (system(cmd) != 0)
		fprintf(stderr, "# could not remove %s\n", s->dir);
}

#endif
