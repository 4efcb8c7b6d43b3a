// SPDX-License-Identifier: GPL-3.0-or-later
/* bobbin run: headless execution of a notebook (being written). */
#include <stdio.h>

#include "tui/cmd.h"

int cmd_run(int argc, char **argv)
{
	fprintf(stderr, "bobbin: not available yet\n");
	return 2;
}
