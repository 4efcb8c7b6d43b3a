// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * Benchmark helper for bench/bench_images.sh: the time to turn one base64 PNG or JPEG (a file of
 * base64 text) into character-cell art at a width, from scratch (the cache cleared: base64,
 * decode, libchafa, SGR text) and from the cache, medians of RUNS runs, one "key=value" a line.
 *   imgbench FILE.b64 [WIDTH [RUNS]]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tui/image.h"

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	struct mime_opts o = {.width = 80, .depth = THEME_DEPTH_TRUE, .images = MIME_IMG_SYMBOLS};
	int runs = argc > 3 ? atoi(argv[3]) : 20;
	double cold[200], warm[200];
	char why[128], *buf;
	long n;
	FILE *f;

	if (argc < 2 || !(f = fopen(argv[1], "rb")))
		return fprintf(stderr, "usage: imgbench FILE.b64 [WIDTH [RUNS]]\n"), 2;
	if (argc > 2)
		o.width = atoi(argv[2]);
	if (runs < 1 || runs > 200)
		runs = 20;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = malloc((size_t)n + 1);
	if (!buf || fread(buf, 1, (size_t)n, f) != (size_t)n)
		return fprintf(stderr, "imgbench: cannot read %s\n", argv[1]), 1;
	fclose(f);
	for (int i = 0; i < runs; i++) {
		double t0 = now_ms(), t1;
		char *t;

		img_cache_clear();
		t = img_text(buf, (size_t)n, &o, why, sizeof why);
		t1 = now_ms();
		if (!t)
			return fprintf(stderr, "imgbench: %s\n", why), 1;
		free(t);
		free(img_text(buf, (size_t)n, &o, why, sizeof why));
		warm[i] = now_ms() - t1;
		cold[i] = t1 - t0;
	}
	qsort(cold, (size_t)runs, sizeof *cold, cmp);
	qsort(warm, (size_t)runs, sizeof *warm, cmp);
	printf("cold_ms=%.2f\ncold_min_ms=%.2f\ncold_max_ms=%.2f\ncached_ms=%.3f\n", cold[runs / 2],
	       cold[0], cold[runs - 1], warm[runs / 2]);
	free(buf);
	return 0;
}
