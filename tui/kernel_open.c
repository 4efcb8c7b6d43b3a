// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * Starting or attaching to a kernel for the command-line front ends (exec, console, run):
 * option parsing shared by all of them, and the one-line error reports a user sees.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tui/kernel_open.h"

int kernel_opts_parse(struct kernel_opts *o, int argc, char **argv, int *i)
{
	const char *a = argv[*i];

	if (!strcmp(a, "-k") || !strcmp(a, "--kernel")) {
		if (*i + 1 >= argc) {
			fprintf(stderr, "bobbin: %s needs a kernel name\n", a);
			return -1;
		}
		o->kernel = argv[++*i];
		return 1;
	}
	if (!strncmp(a, "--kernel=", 9)) {
		o->kernel = a + 9;
		return 1;
	}
	if (!strcmp(a, "--existing")) {
		/* A following argument that names a connection file belongs to --existing. */
		if (*i + 1 < argc && strstr(argv[*i + 1], ".json"))
			o->existing = argv[++*i];
		else
			o->existing = "";
		return 1;
	}
	if (!strncmp(a, "--existing=", 11)) {
		o->existing = a + 11;
		return 1;
	}
	return 0;
}

struct kc_client *kernel_open(const struct kernel_opts *o)
{
	struct kc_error err = {0};
	struct kc_client *kc;
	long timeout = o->ready_timeout_ms ? o->ready_timeout_ms : 60000;

	if (o->existing) {
		char path[4096];

		if (kc_conn_find(o->existing, path, sizeof path, &err) < 0) {
			fprintf(stderr, "bobbin: %s\n", err.text);
			return NULL;
		}
		if (!(kc = kc_client_attach(path, &err))) {
			fprintf(stderr, "bobbin: %s\n", err.text);
			return NULL;
		}
		/* An attached kernel that does not answer is most likely a stale file. */
		if (kc_client_wait_ready(kc, o->ready_timeout_ms ? o->ready_timeout_ms : 10000,
					 &err) < 0) {
			fprintf(stderr,
				"bobbin: %s: no kernel answers (a stale connection file of a dead "
				"kernel?)\n",
				path);
			kc_client_free(kc, 1);
			return NULL;
		}
		return kc;
	}
	struct kc_kernelspec *spec = kc_kernelspec_find(o->kernel ? o->kernel : "python3", &err);
	if (!spec) {
		fprintf(stderr, "bobbin: %s\n", err.text);
		return NULL;
	}
	struct kc_launch_opts lo = {.cwd = o->cwd};
	kc = kc_client_launch(spec, &lo, &err);
	if (!kc) {
		fprintf(stderr, "bobbin: %s\n", err.text);
		kc_kernelspec_free(spec);
		return NULL;
	}
	if (kc_client_wait_ready(kc, timeout, &err) < 0) {
		fprintf(stderr, "bobbin: kernel \"%s\": %s\n", spec->name, err.text);
		kc_kernelspec_free(spec);
		kc_client_free(kc, 0);
		return NULL;
	}
	kc_kernelspec_free(spec);
	return kc;
}
