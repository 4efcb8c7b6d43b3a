// SPDX-License-Identifier: GPL-3.0-or-later
/* Starting or attaching to a kernel for a front end, with errors as one line on stderr. */
#ifndef BOBBIN_KERNEL_OPEN_H
#define BOBBIN_KERNEL_OPEN_H

#include "kernelclient/kc.h"

struct kernel_opts {
	const char *kernel;   /* -k NAME; NULL: default */
	const char *existing; /* --existing[=X]: "" for the newest, NULL when not attaching */
	const char *ssh;      /* --ssh HOST: the kernel is on HOST (kc_tunnel.c) */
	int ssh_keep;         /* --ssh-keep: a kernel started on HOST outlives bobbin */
	const char *server;   /* --server URL: the kernel is on a Jupyter Server (kc_ws.c) */
	const char *token_file; /* --token-file FILE */
	const char *ca_file;  /* --ca-file FILE */
	int server_keep;      /* --server-keep: a kernel started there outlives bobbin */
	const char *cwd;
	long ready_timeout_ms;
	/* thread routing (docs/routing-protocol.md) */
	int no_agent;             /* --no-agent */
	const char *routing;      /* --routing POLICY */
	const char *routes[16];   /* --route PATTERN=POLICY, repeatable */
	int nroutes;
	int quiet;                /* no routing notes on stderr (the notebook screen shows them) */
};

/* Parses -k/--kernel NAME, --existing[=X], --ssh HOST, --ssh-keep, --routing POLICY,
 * --route PATTERN=POLICY and --no-agent at argv[*i]; 1 when consumed (advancing *i), 0 when not one of these, -1 on a
 * missing or bad argument (message printed). */
int kernel_opts_parse(struct kernel_opts *o, int argc, char **argv, int *i);
/* Starts or attaches and waits until ready; installs the routing agent (unless no_agent) and
 * applies --routing/--route. NULL after printing "bobbin: …" on stderr. */
struct kc_client *kernel_open(const struct kernel_opts *o);

/* Over --ssh: attaches (--existing) or starts kernel name (NULL: -k, else python3) on the host,
 * without waiting for the kernel to be ready. ssh is $BOBBIN_SSH split at blanks when set (e.g.
 * "ssh -F FILE"). batch: no prompts from ssh. NULL with err. */
struct kc_client *kernel_open_ssh(const struct kernel_opts *o, const char *name, int batch,
				  struct kc_error *err);
/* The kernelspecs on --ssh HOST; NULL with err. */
struct kc_kernelspec **kernel_list_ssh(const struct kernel_opts *o, size_t *n,
				       struct kc_error *err);
/* The notebook screen: opens the --ssh (or --server) kernel before the screen takes the terminal, so ssh's
 * prompts (host key, password) can be answered; -1 with err. kernel_ssh_take() hands it over
 * once, and opens another one without prompts when asked again. */
int kernel_ssh_preopen(const struct kernel_opts *o, const char *name, struct kc_error *err);
struct kc_client *kernel_ssh_take(const struct kernel_opts *o, const char *name,
				  struct kc_error *err);

/* Over --server: the token (--token-file, else JUPYTER_TOKEN, else a prompt on the terminal,
 * asked once; "" when there is none) into so with the URL, CA file and the KERNEL_* variables
 * of the environment. -1 with err when the token file cannot be read. */
int kernel_server_opts(const struct kernel_opts *o, struct kc_server_opts *so,
		       struct kc_error *err);
/* Over --server: attaches (--existing=ID or prefix) or starts kernel name (NULL: -k, else
 * python3) without waiting for it to be ready. NULL with err. */
struct kc_client *kernel_open_server(const struct kernel_opts *o, const char *name,
				     struct kc_error *err);
/* --ssh HOST or --server URL (what the kernel's place is called in messages), or NULL. */
const char *kernel_remote(const struct kernel_opts *o);

/* Applies the routing options to a ready client (also after the user's :routing). Returns the
 * number of requests that failed; messages go to report (may be NULL). */
int kernel_apply_routing(struct kc_client *kc, const struct kernel_opts *o,
			 void (*report)(const char *msg, void *ud), void *ud);
/* Messages dropped for a bad signature, said once they start and then at most every 10 s while
 * more come: 1 with "N messages with a bad signature — wrong key?" in buf when it is time. */
struct kernel_badsig {
	const struct kc_client *kc; /* the count starts again for another client */
	unsigned long seen;
	long long said_ms;
};
int kernel_badsig_check(struct kc_client *kc, struct kernel_badsig *b, char *buf, size_t size);

/* Checks "kernel|origin|current|auto". */
int kernel_policy_valid(const char *p);

#endif
