// SPDX-License-Identifier: GPL-3.0-or-later
/* The subcommands; each takes argv from its own name on and returns the exit status. */
#ifndef BOBBIN_CMD_H
#define BOBBIN_CMD_H

int cmd_kernels(int argc, char **argv);
int cmd_exec(int argc, char **argv);
int cmd_run(int argc, char **argv);      /* tui/cmd_run.c */
int cmd_console(int argc, char **argv);  /* tui/console.c */
int cmd_notebook(int argc, char **argv); /* tui/app.c: the notebook screen (argv[0] is "bobbin") */

#endif
