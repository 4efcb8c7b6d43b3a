// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * libkernelclient's side of bench_kernelclient.sh: on one kernel (kernelspec argv[1]) measures
 * the median kernel_info round trip and execute-`pass`-to-idle over N iterations, and the client
 * CPU per iopub message over a flood of one-line stream messages. Prints "key value" lines.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/resource.h>

#include "kernelclient/kc.h"

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static double cpu(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + ru.ru_stime.tv_sec +
	       ru.ru_stime.tv_usec / 1e6;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static void done_cb(struct kc_client *kc, const char *id, enum kc_status st,
		    const struct kc_msg *reply, void *ud)
{
	*(int *)ud = 1;
}

static long streams;

static void count(struct kc_client *kc, const struct kc_msg *m, void *ud)
{
	streams += !strcmp(m->msg_type, "stream");
}

int main(int argc, char **argv)
{
	const char *name = argc > 1 ? argv[1] : "python3";
	int n = argc > 2 ? atoi(argv[2]) : 1000, lines = argc > 3 ? atoi(argv[3]) : 10000;
	struct kc_error err = {0};
	struct kc_kernelspec *spec = kc_kernelspec_find(name, &err);
	struct kc_client *kc = spec ? kc_client_launch(spec, NULL, &err) : NULL;
	double *t = calloc(n, sizeof *t), t0, c0;
	char code[128];

	if (!kc || kc_client_wait_ready(kc, 60000, &err) < 0) {
		fprintf(stderr, "kcbench: %s\n", err.text);
		return 1;
	}
	kc_client_set_handlers(kc, &(struct kc_handlers){.iopub = count});
	for (int i = 0; i < n; i++) {
		int done = 0;

		t0 = now();
		kc_client_request(kc, KC_SHELL, "kernel_info_request", NULL, 0, done_cb, &done);
		kc_client_run(kc, &done, 10000);
		t[i] = now() - t0;
	}
	qsort(t, n, sizeof *t, cmp);
	printf("kernel_info_ms %.3f\n", t[n / 2] * 1e3);
	for (int i = 0; i < n; i++) {
		int done = 0;

		t0 = now();
		kc_client_execute(kc, "pass", KC_EXEC_NO_HISTORY, done_cb, &done);
		kc_client_run(kc, &done, 10000);
		t[i] = now() - t0;
	}
	qsort(t, n, sizeof *t, cmp);
	printf("execute_pass_ms %.3f\n", t[n / 2] * 1e3);
	{
		int done = 0;

		snprintf(code, sizeof code, "for i in range(%d): print(i, flush=True)", lines);
		streams = 0;
		c0 = cpu();
		t0 = now();
		kc_client_execute(kc, code, 0, done_cb, &done);
		kc_client_run(kc, &done, 600000);
		printf("flood_messages %ld\n", streams);
		printf("flood_idle %d\n", done);
		printf("flood_wall_s %.3f\n", now() - t0);
		printf("flood_cpu_us_per_msg %.2f\n", (cpu() - c0) * 1e6 / (streams ? streams : 1));
	}
	kc_client_free(kc, 0);
	kc_kernelspec_free(spec);
	free(t);
	return 0;
}
