// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * libkernelclient's side of bench_ssh.sh: attaches to the kernel of connection file argv[1],
 * directly or (with argv[2], a host) through the SSH tunnel (the ssh command from $BOBBIN_SSH),
 * and measures the attach (to ready) and the median `1+1` round trip (execute to its reply and
 * idle) over N (argv[3]) runs. Prints "key value" lines.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "kernelclient/kc.h"

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static void done_cb(struct kc_client *kc, const char *id, enum kc_status st,
		    const struct kc_msg *reply, void *ud)
{
	*(int *)ud = st == KC_OK ? 1 : -1;
}

int main(int argc, char **argv)
{
	const char *file = argc > 1 ? argv[1] : "", *host = argc > 2 && *argv[2] ? argv[2] : NULL;
	int n = argc > 3 ? atoi(argv[3]) : 200;
	const char *words[64];
	char *cmd = strdup(getenv("BOBBIN_SSH") ? getenv("BOBBIN_SSH") : "ssh"), *save = NULL;
	int nw = 0;
	struct kc_error err = {0};
	struct kc_client *kc;
	double *t = calloc(n > 0 ? n : 1, sizeof *t), t0 = now();

	for (char *w = strtok_r(cmd, " ", &save); w && nw < 63; w = strtok_r(NULL, " ", &save))
		words[nw++] = w;
	words[nw] = NULL;
	struct kc_ssh_opts so = {.host = host, .ssh_argv = words, .batch = 1};
	kc = host ? kc_client_attach_ssh(&so, file, &err) : kc_client_attach(file, &err);
	if (!kc || kc_client_wait_ready(kc, 30000, &err) < 0) {
		fprintf(stderr, "sshbench: %s\n", err.text);
		return 1;
	}
	printf("attach_ms %.1f\n", (now() - t0) * 1e3);
	for (int i = 0; i < n; i++) {
		int done = 0;

		t0 = now();
		kc_client_execute(kc, "1+1", KC_EXEC_NO_HISTORY, done_cb, &done);
		if (kc_client_run(kc, &done, 10000) < 0 || done < 0) {
			fprintf(stderr, "sshbench: 1+1 did not finish\n");
			return 1;
		}
		t[i] = now() - t0;
	}
	qsort(t, n, sizeof *t, cmp);
	printf("rtt_ms %.3f\n", t[n / 2] * 1e3);
	kc_client_free(kc, 1);
	free(t);
	free(cmd);
	return 0;
}
