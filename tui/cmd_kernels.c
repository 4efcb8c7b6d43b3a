// SPDX-License-Identifier: GPL-3.0-or-later
/* `bobbin kernels`: the installed kernelspecs, like `jupyter kernelspec list`. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernelclient/kc.h"
#include "tui/cmd.h"
#include "tui/kernel_open.h"
#include "tui/tout.h"

int cmd_kernels(int argc, char **argv)
{
	size_t n;
	char *bad = NULL;
	struct kc_kernelspec **list;
	struct kernel_opts ko = {0};

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			tout_lit(stdout,
			         "usage: bobbin kernels [--ssh HOST]\n\nLists the kernelspecs bobbin "
			         "can start: name, language, display name, directory.\nSearched in "
			         "JUPYTER_PATH, the Jupyter data dir, /usr/local/share/jupyter, "
			         "/usr/share/jupyter\n(on HOST with --ssh).\n");
			return 0;
		}
		int r = !strcmp(argv[i], "--ssh") || !strncmp(argv[i], "--ssh=", 6)
				? kernel_opts_parse(&ko, argc, argv, &i)
				: 0;

		if (r < 0)
			return 2;
		if (r == 0) {
			tout_fmt(stderr, "bobbin kernels: unknown argument %s\n", argv[i]);
			return 2;
		}
	}
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
