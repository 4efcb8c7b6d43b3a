// SPDX-License-Identifier: GPL-3.0-or-later
/* Starting or attaching to a kernel for a front end, with errors as one line on stderr. */
#ifndef BOBBIN_KERNEL_OPEN_H
#define BOBBIN_KERNEL_OPEN_H

#include "kernelclient/kc.h"

struct kernel_opts {
	const char *kernel;   /* -k NAME; NULL: default */
	const char *existing; /* --existing[=X]: "" for the newest, NULL when not attaching */
	const char *cwd;
	long ready_timeout_ms;
};

/* Parses -k/--kernel NAME and --existing[=X] at argv[*i]; 1 when consumed (advancing *i),
 * 0 when not one of these, -1 on a missing argument (message printed). */
int kernel_opts_parse(struct kernel_opts *o, int argc, char **argv, int *i);
/* Starts or attaches and waits until ready; NULL after printing "bobbin: …" on stderr. */
struct kc_client *kernel_open(const struct kernel_opts *o);

#endif
