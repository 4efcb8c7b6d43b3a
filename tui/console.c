// SPDX-License-Identifier: GPL-3.0-or-later
/* bobbin console: a readline REPL on a kernel (being written). */
#include <stdio.h>

#include "tui/cmd.h"

int cmd_console(int argc, char **argv)
{
	fprintf(stderr, "bobbin: not available yet\n");
	return 2;
}
