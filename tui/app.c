// SPDX-License-Identifier: GPL-3.0-or-later
/* the notebook screen (being written). */
#include <stdio.h>

#include "tui/cmd.h"

int cmd_notebook(int argc, char **argv)
{
	fprintf(stderr, "bobbin: not available yet\n");
	return 2;
}
