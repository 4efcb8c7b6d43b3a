// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * libkernelclient over a Jupyter Server's WebSocket (bench/bench_server.sh): attaches to kernel
 * ID on URL (token in JUPYTER_TOKEN), then prints "rtt_ms MEDIAN" over N kernel_info round trips
 * and "flood_cpu_ms CPU" / "flood_wall_ms WALL" for a cell printing 10,000 lines (the client's
 * own CPU time, user + system, from the execute to its reply and idle).
 * Usage: srvbench URL ID N [legacy]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/resource.h>

#include "kernelclient/kc.h"

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static double cpu_ms(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e3 +
	       (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e3;
}

static void on_reply(struct kc_client *kc, const char *id, enum kc_status st,
                     const struct kc_msg *reply, void *ud)
{
	*(int *)ud = st == KC_OK ? 1 : 2;
}

static long lines;
static void on_iopub(struct kc_client *kc, const struct kc_msg *m, void *ud)
{
	const char *t = json_string_value(json_object_get(m->content, "text"));

	for (; t && *t; t++)
		lines += *t == '\n';
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	struct kc_error err = {0};
	struct kc_server_opts o = {.url = argv[1],
	                           .token = getenv("JUPYTER_TOKEN"),
	                           .protocol = argc > 4 ? argv[4] : NULL};
	struct kc_client *kc;
	int n = argc > 3 ? atoi(argv[3]) : 100;
	double *rtt = calloc((size_t)n, sizeof *rtt), c0, w0;

	if (argc < 3 || !(kc = kc_client_attach_server(&o, argv[2], &err)) ||
	    kc_client_wait_ready(kc, 60000, &err) < 0) {
		fprintf(stderr, "srvbench: %s\n", argc < 3 ? "usage: srvbench URL ID N" : err.text);
		return 1;
	}
	kc_client_set_handlers(kc, &(struct kc_handlers){.iopub = on_iopub});
	for (int i = 0; i < n; i++) {
		int done = 0;
		double t0 = now_ms();

		kc_client_request(kc, KC_SHELL, "kernel_info_request", NULL, 0, on_reply, &done);
		kc_client_run(kc, &done, 30000);
		rtt[i] = now_ms() - t0;
	}
	qsort(rtt, (size_t)n, sizeof *rtt, cmp);
	printf("rtt_ms %.3f\n", rtt[n / 2]);
	int done = 0;
	c0 = cpu_ms();
	w0 = now_ms();
	kc_client_execute(kc, "for i in range(10000):\n    print(i)", 0, on_reply, &done);
	kc_client_run(kc, &done, 120000);
	printf("flood_cpu_ms %.1f\nflood_wall_ms %.1f\nflood_lines %ld\n", cpu_ms() - c0,
	       now_ms() - w0, lines);
	kc_client_free(kc, 1);
	free(rtt);
	return done == 1 && lines == 10000 ? 0 : 1;
}
