// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * `bobbin run` internals, shared by tui/cmd_run.c (options, checks, the one poll loop, the
 * summary), tui/run_job.c (one notebook: its kernel and its cells, as a state machine the loop
 * steps), tui/run_report.c (progress, failures and the summary on stderr) and
 * tui/run_params.c (papermill-compatible parameters). docs/run.md is the user's description.
 */
#ifndef BOBBIN_RUN_H
#define BOBBIN_RUN_H

#include <limits.h>

#include <jansson.h>

#include "kernelclient/kc.h"
#include "notebook/nb.h"
#include "notebook/nb_output.h"
#include "tui/kernel_open.h"

struct run_opts {
	const char **inputs;
	int ninputs;
	const char *output, *cwd;
	int inplace, allow_errors, quiet, nbconvert_status, jobs;
	double timeout, linger; /* seconds; timeout <= 0: none */
	long long output_limit; /* -1: from the config */
	struct kernel_opts ko;
	/* Parameters as given with -f, -y, -p and -r (papermill merges them in that order), and
	 * merged: name -> string, integer, real, true, false, null, array or object. A real that
	 * is not finite is kept as {"float": "nan" | "inf" | "-inf"} in params_special. */
	json_t *params_by[4], *params, *params_special;
	int nparams;
};

/* JOB_STOPPING: the notebook is written and the kernel asked to shut down; the loop keeps
 * running the other notebooks meanwhile. */
enum run_job_state { JOB_WAIT, JOB_START, JOB_CELLS, JOB_LINGER, JOB_STOPPING, JOB_DONE };

/* What a finished cell came to. */
enum run_cell_result { CELL_OK, CELL_ERROR, CELL_EXPECTED, CELL_TIMEOUT, CELL_DIED, CELL_STOPPED };

struct run;

/* One notebook. */
struct run_job {
	struct run *run;
	const char *input;
	char outpath[PATH_MAX]; /* "-" for stdout */
	char cwd[PATH_MAX];
	char kname[256];
	char kshown[80]; /* kname as messages show it (safe text) */
	char label[80]; /* the notebook's name as progress shows it (safe text) */
	struct nb_doc *doc;
	struct nb_out *out;
	struct kc_client *kc;
	struct kernel_badsig badsig; /* messages dropped for a bad signature, said now and then */
	enum run_job_state state;
	size_t next;     /* index of the next cell to consider */
	long cell;       /* index of the cell being executed, -1 for none */
	int k, ncode;    /* its number among the cells that will be sent; how many those are */
	char msg_id[128];
	int done;        /* the request's callback fired */
	enum kc_status status;
	json_t *error;   /* the last error (ename, evalue, traceback) of the running cell */
	long long start_ms, cell_start_ms, deadline, grace, ready_by, linger_end, stop_by;
	/* counts, for the summary */
	int nrun, nfailed, nskipped, ntagged_skip;
	int exit_status; /* 0, 1 or 2 */
	int stopped;     /* the run stopped before the last cell */
	int error_fatal; /* the cell timed out and never answered the interrupt */
};

struct run {
	struct run_opts *o;
	struct run_job *jobs;
	int njobs, sigfd, tty, stop_signal, width;
	long long start_ms, last_int_ms, next_status, last_status;
	int status_dirty; /* a cell started: redraw soon (at most 10 times a second) */
	size_t output_limit;
	int save_attribution;
};

/* cmd_run.c */
/* The kernel name from -k, else the notebook's kernelspec, into name; the kernel's language into
 * lang ("" when unknown). Name "" for --existing. Prints and returns -1 when that kernelspec is
 * not installed. */
int run_check_kernel(struct run_opts *o, const char *input, struct nb_doc *doc, char *name,
		     size_t size, char *lang, size_t lsize);

/* run_job.c */
/* 1 when the cell's metadata.tags holds tag. */
int run_cell_has_tag(struct nb_cell *cell, const char *tag);
/* Loads the notebook, works out output path, working directory and kernel, injects parameters:
 * everything that can fail before a kernel starts. 0, or -1 after one line on stderr. */
int run_job_prepare(struct run_job *j);
/* Starts the kernel without waiting for it. -1 (job done, status 1) when it cannot start. */
int run_job_launch(struct run_job *j);
/* Advances the job after a pass of the loop: readiness, the running cell's end, timeouts,
 * death, the next cell, linger; finishes (writes the notebook) when it is over. */
void run_job_step(struct run_job *j, long long now);
/* Milliseconds until the job needs a step even with no message (a deadline), or -1. */
long run_job_next_timeout(const struct run_job *j, long long now);
void run_job_clear(struct run_job *j);

/* run_report.c */
/* A finished cell: one line per cell into a pipe, the failure (index, id, first source line,
 * traceback) in full. */
void run_report_cell(struct run *r, struct run_job *j, struct nb_cell *cell,
		     enum run_cell_result res);
/* Refreshes the status line on a terminal: once a second, and when a cell started (at most ten
 * times a second), or now with force. */
void run_report_status(struct run *r, long long now, int force);
void run_report_clear_status(struct run *r);
/* One line per notebook when there are several; the summary line. */
void run_report_job(struct run *r, struct run_job *j);
void run_report_summary(struct run *r);
/* The first line of a cell's source as safe text, at most max bytes (caller's buffer). */
void run_report_first_line(const char *src, char *buf, size_t max);

/* run_params.c */
/* Parses -p NAME VALUE (papermill's type inference), -r NAME VALUE (raw string), -y YAML and
 * -f FILE (JSON documents only, a subset of YAML) at argv[*i]; 1 when consumed, 0 when not one
 * of these, -1 after a message. */
int run_params_parse(struct run_opts *o, int argc, char **argv, int *i);
/* Merges what was given into o->params and checks the names. 0, or -1 after a message. */
int run_params_finish(struct run_opts *o);
/* Injects the parameters cell as papermill does, for the kernel's language. 0, or -1 after a
 * message naming the notebook and the parameter. */
int run_params_inject(struct run_opts *o, struct nb_doc *doc, const char *input,
		      const char *language);
void run_params_free(struct run_opts *o);

#endif
