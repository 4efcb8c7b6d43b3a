// SPDX-License-Identifier: GPL-3.0-or-later
/* `bobbin kernels`: the installed kernelspecs, like `jupyter kernelspec list`. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernelclient/kc.h"
#include "tui/cmd.h"
#include "tui/safetext.h"

int cmd_kernels(int argc, char **argv)
{
	size_t n;
	char *bad = NULL;
	struct kc_kernelspec **list;

	if (argc > 1 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		puts("usage: bobbin kernels\n\nLists the kernelspecs bobbin can start: name, "
		     "language, display name, directory.\nSearched in JUPYTER_PATH, the Jupyter "
		     "data dir, /usr/local/share/jupyter, /usr/share/jupyter.");
		return 0;
	}
	list = kc_kernelspec_list(&n, &bad);
	if (n)
		printf("%-20s %-10s %-28s %s\n", "NAME", "LANGUAGE", "DISPLAY NAME", "PATH");
	for (size_t i = 0; i < n; i++) {
		/* kernel.json is somebody else's file: its text is shown through safetext. */
		size_t l;
		char *dn = st_plain(list[i]->display_name, strlen(list[i]->display_name), &l);

		printf("%-20s %-10s %-28s %s\n", list[i]->name, list[i]->language, dn ? dn : "",
		       list[i]->dir);
		free(dn);
	}
	if (bad && *bad)
		fprintf(stderr, "bobbin: skipped broken kernelspecs:\n%s", bad);
	if (!n)
		fprintf(stderr, "bobbin: no kernelspecs found (install python3-ipykernel?)\n");
	free(bad);
	kc_kernelspec_list_free(list, n);
	return n ? 0 : 1;
}
