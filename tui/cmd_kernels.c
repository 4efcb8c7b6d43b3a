// SPDX-License-Identifier: GPL-3.0-or-later
/* `bobbin kernels`: the installed kernelspecs, like `jupyter kernelspec list`. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernelclient/kc.h"
#include "tui/cmd.h"
#include "tui/kernel_open.h"
#include "tui/tout.h"

/* The kernelspecs and running kernels of a Jupyter Server. */
static int list_server(const struct kernel_opts *ko)
{
	struct kc_server_opts so;
	struct kc_error err = {0};
	json_t *specs, *kernels, *v;
	const char *k;
	size_t i;

	if (kernel_server_opts(ko, &so, &err) < 0 ||
	    !(specs = kc_server_get(&so, "api/kernelspecs", &err))) {
		tout_fmt(stderr, "bobbin: %s\n", err.text);
		return 2;
	}
	if (!(kernels = kc_server_get(&so, "api/kernels", &err))) {
		tout_fmt(stderr, "bobbin: %s\n", err.text);
		json_decref(specs);
		return 2;
	}
	/* Everything here is the server's: tout_fmt shows it safely. */
	tout_fmt(stdout, "%-20s %-10s %s\n", "NAME", "LANGUAGE", "DISPLAY NAME");
	json_object_foreach(json_object_get(specs, "kernelspecs"), k, v) {
		json_t *spec = json_object_get(v, "spec");
		const char *lang = json_string_value(json_object_get(spec, "language"));
		const char *disp = json_string_value(json_object_get(spec, "display_name"));

		tout_fmt(stdout, "%-20s %-10s %s\n", k, lang ? lang : "", disp ? disp : "");
	}
	tout_fmt(stdout, "\n%-38s %-14s %-10s %-11s %s\n", "RUNNING KERNEL", "NAME", "STATE",
	         "CONNECTIONS", "LAST ACTIVITY");
	json_array_foreach(kernels, i, v) {
		const char *id = json_string_value(json_object_get(v, "id"));
		const char *name = json_string_value(json_object_get(v, "name"));
		const char *st = json_string_value(json_object_get(v, "execution_state"));
		const char *last = json_string_value(json_object_get(v, "last_activity"));

		tout_fmt(stdout, "%-38s %-14s %-10s %-11lld %s\n", id ? id : "?", name ? name : "",
		         st ? st : "", (long long)json_integer_value(json_object_get(v, "connections")),
		         last ? last : "");
	}
	if (!json_array_size(kernels))
		tout_fmt(stdout, "(none)\n");
	json_decref(specs);
	json_decref(kernels);
	return 0;
}

int cmd_kernels(int argc, char **argv)
{
	size_t n;
	char *bad = NULL;
	struct kc_kernelspec **list;
	struct kernel_opts ko = {0};

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			tout_lit(stdout,
			         "usage: bobbin kernels [--ssh HOST | --server URL [--token-file FILE] "
			         "[--ca-file FILE]]\n\nLists the kernelspecs bobbin "
			         "can start: name, language, display name, directory.\nSearched in "
			         "JUPYTER_PATH, the Jupyter data dir, /usr/local/share/jupyter, "
			         "/usr/share/jupyter\n(on HOST with --ssh). With --server: the server's "
			         "kernelspecs and its running kernels.\n");
			return 0;
		}
		int r = !strncmp(argv[i], "--ssh", 5) || !strncmp(argv[i], "--server", 8) ||
				!strncmp(argv[i], "--token-file", 12) ||
				!strncmp(argv[i], "--ca-file", 9)
			        ? kernel_opts_parse(&ko, argc, argv, &i)
			        : 0;

		if (r < 0)
			return 2;
		if (r == 0) {
			tout_fmt(stderr, "bobbin kernels: unknown argument %s\n", argv[i]);
			return 2;
		}
	}
	if (ko.server)
		return list_server(&ko);
	if (ko.ssh) {
		struct kc_error err = {0};

		if (!(list = kernel_list_ssh(&ko, &n, &err))) {
			tout_fmt(stderr, "bobbin: %s\n", err.text);
			return 2;
		}
	} else {
		list = kc_kernelspec_list(&n, &bad);
	}
	if (n)
		tout_fmt(stdout, "%-20s %-10s %-28s %s\n", "NAME", "LANGUAGE", "DISPLAY NAME",
		         "PATH");
	for (size_t i = 0; i < n; i++) {
		/* kernel.json and its directory are somebody else's: tout_fmt shows them safely. */
		tout_fmt(stdout, "%-20s %-10s %-28s %s\n", list[i]->name, list[i]->language,
		         list[i]->display_name, list[i]->dir);
	}
	if (bad && *bad)
		tout_fmt(stderr, "bobbin: skipped broken kernelspecs:\n%s", bad);
	if (!n)
		tout_fmt(stderr, "bobbin: no kernelspecs found (install python3-ipykernel?)\n");
	free(bad);
	kc_kernelspec_list_free(list, n);
	return n ? 0 : 1;
}
