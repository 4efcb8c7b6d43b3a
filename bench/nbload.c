// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * Benchmark helper for bench/bench_nbformat.sh: loads a notebook with bobbin's document model,
 * reads what the first screen needs (the first 20 cells' sources and outputs), saves it unchanged
 * to another path, and prints the wall time of each step and the peak RSS (getrusage), one
 * "key=value" per line. --load-only stops after the first screen, so that its peak memory can be
 * measured on its own.
 *   nbload IN.ipynb OUT.ipynb
 *   nbload --load-only IN.ipynb
 */
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "notebook/nb.h"

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

int main(int argc, char **argv)
{
	int load_only = argc == 3 && !strcmp(argv[1], "--load-only");
	const char *in = load_only ? argv[2] : argv[1], *out = load_only ? NULL : argv[2];
	struct nb_error err;
	struct nb_doc *doc;
	struct rusage ru;
	double t0, t1, t2, t3;
	size_t i, chars = 0, outs = 0;

	if (argc != 3) {
		fprintf(stderr, "usage: nbload IN OUT | nbload --load-only IN\n");
		return 2;
	}
	t0 = now_ms();
	if (!(doc = nb_doc_load(in, &err))) {
		fprintf(stderr, "%s\n", err.text);
		return 1;
	}
	t1 = now_ms();
	for (i = 0; i < 20 && i < nb_doc_ncells(doc); i++) {
		chars += strlen(nb_cell_source(nb_doc_cell(doc, i)));
		outs += json_array_size(nb_cell_outputs(nb_doc_cell(doc, i)));
	}
	t2 = now_ms();
	printf("cells=%zu\nload_ms=%.1f\nfirst_screen_ms=%.1f\n", nb_doc_ncells(doc), t1 - t0,
	       t2 - t0);
	if (out) {
		if (nb_doc_save(doc, out, 1, &err) < 0) {
			fprintf(stderr, "%s\n", err.text);
			return 1;
		}
		t3 = now_ms();
		printf("save_ms=%.1f\nload_save_ms=%.1f\n", t3 - t2, (t1 - t0) + (t3 - t2));
	}
	getrusage(RUSAGE_SELF, &ru);
	printf("maxrss_kb=%ld\n", ru.ru_maxrss);
	nb_doc_free(doc);
	return chars + outs == (size_t)-1;
}
