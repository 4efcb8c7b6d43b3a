// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * bobbin's entry point: parses the subcommand and hands over to its module
 * (notebook screen, console, run, exec, kernels).
 */
#include <stdio.h>
#include <string.h>

#include "tui/cmd.h"
#include "tui/session.h"
#include "tui/tout.h"

#define BOBBIN_VERSION "0.1.0"

static const char usage[] =
	"usage: bobbin [OPTIONS] [NOTEBOOK.ipynb]\n"
	"       bobbin console [-k NAME | --existing[=FILE|ID]]\n"
	"       bobbin run NOTEBOOK.ipynb [-o OUT | --inplace] [-k NAME] [--timeout S]\n"
	"       bobbin exec [-k NAME | --existing[=FILE|ID]] [-c CODE]\n"
	"       bobbin kernels [--ssh HOST | --server URL]\n"
	"       bobbin sessions | bobbin attach [--take] [NOTEBOOK.ipynb]\n"
	"       (--ssh HOST: the kernel on another machine; --server URL: on a Jupyter Server;\n"
	"        for every command)\n"
	"\n"
	"A terminal notebook client for Jupyter kernels.\n"
	"Run 'bobbin COMMAND --help' for a command's options; 'man bobbin' for keys and config.\n";

int main(int argc, char **argv)
{
	if (argc > 1 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		tout_fmt(stdout, "%s", usage);
		return 0;
	}
	if (argc > 1 && !strcmp(argv[1], "--version")) {
		tout_fmt(stdout, "bobbin %s\n", BOBBIN_VERSION);
		return 0;
	}
	if (argc > 1 && !strcmp(argv[1], "kernels"))
		return cmd_kernels(argc - 1, argv + 1);
	if (argc > 1 && !strcmp(argv[1], "exec"))
		return cmd_exec(argc - 1, argv + 1);
	if (argc > 1 && !strcmp(argv[1], "run"))
		return cmd_run(argc - 1, argv + 1);
	if (argc > 1 && !strcmp(argv[1], "sessions"))
		return cmd_sessions(argc - 1, argv + 1);
	if (argc > 1 && !strcmp(argv[1], "attach"))
		return cmd_attach(argc - 1, argv + 1);
	if (argc > 1 && !strcmp(argv[1], "console"))
		return cmd_console(argc - 1, argv + 1);
	return cmd_notebook(argc, argv);
}
