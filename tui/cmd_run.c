// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * `bobbin run`: headless execution of notebooks, as `jupyter nbconvert --to notebook --execute`
 * (nbclient) does it — every non-empty code cell in order, outputs and execution counts stored,
 * `skip-execution` and `raises-exception` tags honoured — with bobbin's output model (JupyterLab's
 * stream semantics, provenance, saved attribution), papermill-compatible parameters
 * (tui/run_params.c), progress and failures on stderr (tui/run_report.c), and several notebooks
 * at once (-j N): each is a state machine (tui/run_job.c) stepped by the one poll loop here, no
 * threads. A cell that times out or a kernel that dies is recorded as an error output and the
 * partial notebook is still written. docs/run.md is the user's description; exit status 0 (all
 * ran), 1 (an error, timeout or death; the notebooks are written), 2 (bad arguments or input,
 * found before any kernel starts; nothing is written).
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tui/cmd.h"
#include "tui/config.h"
#include "tui/run.h"
#include "tui/sigpipe.h"
#include "tui/tout.h"

static const char run_usage[] =
	"usage: bobbin run NOTEBOOK.ipynb... [-o OUT.ipynb | -o - | --inplace] [-j N] [-q]\n"
	"                  [-p NAME VALUE]... [-r NAME VALUE]... [-y JSON] [-f FILE.json]\n"
	"                  [-k KERNEL] [--timeout SECONDS] [--allow-errors] [--nbconvert-status]\n"
	"                  [--cwd DIR] [--linger SECONDS] [--output-limit SIZE]\n"
	"                  [--routing POLICY] [--route PATTERN=POLICY] [--no-agent]\n"
	"                  [--ssh HOST [--ssh-keep]] [--server URL [--server-keep]]\n"
	"\n"
	"Executes every code cell in order, as jupyter nbconvert --to notebook --execute does, and\n"
	"writes the executed notebook to NAME.nbconvert.ipynb next to the input (or -o / --inplace).\n"
	"  -o, --output OUT       where to write the executed notebook (one notebook; - for stdout)\n"
	"  --inplace              overwrite the input notebooks\n"
	"  -j, --jobs N           run N notebooks at once (default 1)\n"
	"  -q, --quiet            no progress and no summary (failures are still reported)\n"
	"  -p, --parameters NAME VALUE  a parameter, typed as papermill types it (True, 3, 0.5, text)\n"
	"  -r, --parameters-raw NAME VALUE  a parameter that stays a string\n"
	"  -y, --parameters-yaml TEXT   parameters as a JSON object (the JSON subset of YAML)\n"
	"  -f, --parameters-file FILE   the same, from a file\n"
	"  -k, --kernel NAME      kernelspec to use (default: the notebook's metadata.kernelspec.name)\n"
	"  --timeout SECONDS      per-cell limit: interrupt the cell, record an error (default none)\n"
	"  --allow-errors         keep going after a cell raises (exit status is still 1)\n"
	"  --nbconvert-status     exit status as nbconvert's: 0 with --allow-errors despite errors\n"
	"  --cwd DIR              the kernel's working directory (default: the notebook's directory)\n"
	"  --linger SECONDS       collect output arriving after the last cell for this long (default 0)\n"
	"  --output-limit SIZE    text kept per cell (10M, 512k; 0 = unlimited; default from config)\n"
	"  --routing POLICY       thread output routing: kernel, origin, current or auto\n"
	"  --route PATTERN=POLICY routing rule by thread name, repeatable\n"
	"  --no-agent             do not install the routing agent\n"
	"  --ssh HOST             the kernel is on HOST (ssh; BOBBIN_SSH replaces the command)\n"
	"  --ssh-keep             with --ssh and -k: leave the kernel running there on quit\n"
	"  --server URL           the kernel is on a Jupyter Server (token: --token-file FILE,\n"
	"                         JUPYTER_TOKEN or a prompt; --ca-file FILE for https)\n"
	"  --server-keep          with --server and -k: leave the kernel running there on quit\n"
	"Exit status (the worst over the notebooks): 0 all cells ran; 1 a cell raised, timed out or\n"
	"the kernel died (the notebook is still written); 2 bad arguments, an unreadable notebook,\n"
	"an unwritable output or a kernel that is not installed (found before anything runs).\n";

static int parse_seconds(const char *opt, const char *s, double *out)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || *end || v < 0) {
		tout_fmt(stderr, "bobbin run: %s takes a number of seconds, not \"%s\"\n", opt, s);
		return -1;
	}
	*out = v;
	return 0;
}

static int parse_jobs(const char *s, int *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < 1 || v > 64) {
		tout_fmt(stderr, "bobbin run: -j takes how many notebooks run at once, 1 to 64, not "
				"\"%s\"\n", s);
		return -1;
	}
	*out = (int)v;
	return 0;
}

/* 0 parsed, 1 --help printed, -1 error printed. */
static int parse_args(struct run_opts *o, int argc, char **argv)
{
	o->output_limit = -1;
	o->jobs = 1;
	if (!(o->inputs = calloc((size_t)argc, sizeof *o->inputs)))
		return -1;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;
		int r = kernel_opts_parse(&o->ko, argc, argv, &i);

		if (!r)
			r = run_params_parse(o, argc, argv, &i);
		if (r < 0)
			return -1;
		if (r)
			continue;
		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			tout_fmt(stdout, "%s", run_usage);
			return 1;
		}
		if (!strcmp(a, "--inplace")) {
			o->inplace = 1;
		} else if (!strcmp(a, "--allow-errors")) {
			o->allow_errors = 1;
		} else if (!strcmp(a, "--nbconvert-status")) {
			o->nbconvert_status = 1;
		} else if (!strcmp(a, "-q") || !strcmp(a, "--quiet")) {
			o->quiet = 1;
		} else if (!strncmp(a, "-j", 2) && a[2]) {
			if (parse_jobs(a + 2, &o->jobs) < 0)
				return -1;
		} else if (!strcmp(a, "-o") || !strcmp(a, "--output") || !strcmp(a, "--timeout") ||
			   !strcmp(a, "--cwd") || !strcmp(a, "--linger") ||
			   !strcmp(a, "--output-limit") || !strcmp(a, "-j") || !strcmp(a, "--jobs")) {
			if (!v) {
				tout_fmt(stderr, "bobbin run: %s needs a value\n", a);
				return -1;
			}
			i++;
			if (!strcmp(a, "-o") || !strcmp(a, "--output")) {
				o->output = v;
			} else if (!strcmp(a, "--cwd")) {
				o->cwd = v;
			} else if (!strcmp(a, "-j") || !strcmp(a, "--jobs")) {
				if (parse_jobs(v, &o->jobs) < 0)
					return -1;
			} else if (!strcmp(a, "--timeout")) {
				if (parse_seconds(a, v, &o->timeout) < 0)
					return -1;
			} else if (!strcmp(a, "--linger")) {
				if (parse_seconds(a, v, &o->linger) < 0)
					return -1;
			} else if ((o->output_limit = config_parse_size(v)) < 0) {
				tout_fmt(stderr, "bobbin run: --output-limit takes a size like 10M, "
						"512k or 0, not \"%s\"\n", v);
				return -1;
			}
		} else if (a[0] == '-' && a[1]) {
			tout_fmt(stderr, "bobbin run: unknown option \"%s\" (bobbin run --help lists "
					"them)\n", a);
			return -1;
		} else {
			o->inputs[o->ninputs++] = a;
		}
	}
	if (run_params_finish(o) < 0)
		return -1;
	if (!o->ninputs) {
		tout_fmt(stderr, "%s", run_usage);
		return -1;
	}
	if (o->inplace && o->output) {
		tout_fmt(stderr, "bobbin run: -o and --inplace exclude each other\n");
		return -1;
	}
	if (o->output && o->ninputs > 1) {
		tout_fmt(stderr, "bobbin run: -o names the output of one notebook, and %d were given "
				"(each is written to NAME.nbconvert.ipynb, or use --inplace)\n",
			o->ninputs);
		return -1;
	}
	if (o->ko.existing && o->ninputs > 1) {
		tout_fmt(stderr, "bobbin run: --existing runs one notebook, and %d were given\n",
			o->ninputs);
		return -1;
	}
	return 0;
}

int run_check_kernel(struct run_opts *o, const char *input, struct nb_doc *doc, char *name,
		     size_t size, char *lang, size_t lsize)
{
	struct kc_error err = {0};
	struct kc_kernelspec *spec;
	json_t *md = nb_doc_metadata(doc);
	json_t *ks = json_object_get(md, "kernelspec");
	const char *l = json_string_value(json_object_get(ks, "language"));
	const char *from = "-k";

	if (!l)
		l = json_string_value(json_object_get(json_object_get(md, "language_info"), "name"));
	snprintf(lang, lsize, "%s", l ? l : "");
	*name = 0;
	if (o->ko.existing)
		return 0;
	if (o->ko.kernel) {
		snprintf(name, size, "%s", o->ko.kernel);
	} else {
		const char *n = json_string_value(json_object_get(ks, "name"));

		snprintf(name, size, "%s", n && *n ? n : "python3");
		from = n && *n ? "the notebook's metadata.kernelspec.name" : "the default";
	}
	if (kernel_remote(&o->ko))
		return 0; /* looked up on the host or server when it starts */
	if (!(spec = kc_kernelspec_find(name, &err))) {
		tout_fmt(stderr, "bobbin run: %s: kernel \"%s\" (from %s) is not installed (bobbin "
				"kernels lists those that are)\n", input, name, from);
		return -1;
	}
	if (spec->language)
		snprintf(lang, lsize, "%s", spec->language);
	kc_kernelspec_free(spec);
	return 0;
}

static void warn_config(const char *msg, void *ud)
{
	tout_fmt(stderr, "bobbin: %s\n", msg);
}

/* Two notebooks written to one file would overwrite each other. */
static int same_outputs(struct run *r)
{
	for (int a = 0; a < r->njobs; a++)
		for (int b = a + 1; b < r->njobs; b++)
			if (!strcmp(r->jobs[a].outpath, r->jobs[b].outpath)) {
				tout_fmt(stderr, "bobbin run: %s and %s would both be written to %s\n",
					r->jobs[a].input, r->jobs[b].input, r->jobs[a].outpath);
				return 1;
			}
	return 0;
}

static void handle_signals(struct run *r)
{
	int sig;

	while ((sig = sigpipe_read())) {
		long long now = sigpipe_now_ms();

		if (sig == SIGINT && now - r->last_int_ms >= 1000) {
			r->last_int_ms = now;
			run_report_clear_status(r);
			tout_fmt(stderr, "bobbin run: interrupting the kernel (Ctrl-C again to stop "
					"the run)\n");
			for (int i = 0; i < r->njobs; i++)
				if (r->jobs[i].state == JOB_CELLS && r->jobs[i].kc)
					kc_client_interrupt(r->jobs[i].kc);
		} else if (sig == SIGINT || sig == SIGTERM || sig == SIGHUP) {
			r->stop_signal = sig;
		}
	}
}

/* The one loop: polls every running kernel and the signal pipe, then steps every job. */
static void run_loop(struct run *r)
{
	int nitems = r->njobs * KC_MAXPOLL + 1;
	zmq_pollitem_t *items = calloc((size_t)nitems, sizeof *items);
	int *count = calloc((size_t)r->njobs, sizeof *count);
	int next = 0;

	if (!items || !count) {
		tout_fmt(stderr, "bobbin run: out of memory\n");
		free(items);
		free(count);
		return;
	}
	for (;;) {
		long long now = sigpipe_now_ms();
		int active = 0, alive = 0, n = 0;
		long wait = 1000;

		/* A kernel that is only exiting does not hold a place: the next one starts. */
		for (int i = 0; i < r->njobs; i++) {
			enum run_job_state st = r->jobs[i].state;

			alive += st != JOB_WAIT && st != JOB_DONE;
			active += st != JOB_WAIT && st != JOB_DONE && st != JOB_STOPPING;
		}
		while (active < r->o->jobs && next < r->njobs && !r->stop_signal) {
			if (run_job_launch(&r->jobs[next]) == 0) {
				active++;
				alive++;
			} else {
				run_report_job(r, &r->jobs[next]);
			}
			next++;
		}
		if (!alive)
			break;
		for (int i = 0; i < r->njobs; i++) {
			struct run_job *j = &r->jobs[i];
			long t;

			count[i] = 0;
			if (j->state == JOB_WAIT || j->state == JOB_DONE)
				continue;
			count[i] = kc_client_pollitems(j->kc, items + n, KC_MAXPOLL);
			n += count[i];
			t = kc_client_next_timeout(j->kc);
			if (t >= 0 && t < wait)
				wait = t;
			t = run_job_next_timeout(j, now);
			if (t >= 0 && t < wait)
				wait = t;
		}
		items[n] = (zmq_pollitem_t){.fd = r->sigfd, .events = ZMQ_POLLIN};
		if (zmq_poll(items, n + 1, wait < 1 ? 1 : wait) < 0 && errno != EINTR)
			break;
		if (items[n].revents & ZMQ_POLLIN)
			handle_signals(r);
		n = 0;
		for (int i = 0; i < r->njobs; i++) {
			if (!count[i])
				continue;
			struct run_job *j = &r->jobs[i];
			char why[128];

			kc_client_dispatch(j->kc, items + n, count[i]);
			n += count[i];
			if (kernel_badsig_check(j->kc, &j->badsig, why, sizeof why)) {
				run_report_clear_status(r);
				tout_fmt(stderr, "bobbin run: %s: %s\n", j->label, why);
			}
		}
		now = sigpipe_now_ms();
		for (int i = 0; i < r->njobs; i++)
			if (r->jobs[i].state != JOB_WAIT && r->jobs[i].state != JOB_DONE)
				run_job_step(&r->jobs[i], now);
		run_report_status(r, now, 0);
	}
	/* Notebooks never started (a stop by signal) count as not run. */
	for (int i = next; i < r->njobs; i++) {
		r->jobs[i].nskipped = r->jobs[i].ncode + r->jobs[i].ntagged_skip;
		r->jobs[i].exit_status = 1;
	}
	run_report_clear_status(r);
	free(items);
	free(count);
}

int cmd_run(int argc, char **argv)
{
	struct run_opts o = {0};
	struct run r = {.o = &o};
	struct config cfg;
	int rc = 0;

	if ((rc = parse_args(&o, argc, argv))) {
		run_params_free(&o);
		free(o.inputs);
		return rc > 0 ? 0 : 2;
	}
	config_defaults(&cfg);
	config_load(&cfg, NULL, warn_config, NULL);
	if (!cfg.agent)
		o.ko.no_agent = 1;
	if (!o.ko.routing && strcmp(cfg.routing, "kernel") && kernel_policy_valid(cfg.routing))
		o.ko.routing = cfg.routing;
	r.output_limit = o.output_limit >= 0 ? (size_t)o.output_limit : cfg.output_limit;
	r.save_attribution = cfg.save_attribution;
	r.tty = isatty(2) && !o.quiet;
	if (!(r.jobs = calloc((size_t)o.ninputs, sizeof *r.jobs))) {
		tout_fmt(stderr, "bobbin run: out of memory\n");
		rc = 1;
		goto out;
	}
	/* Everything that can be found wrong is found before any kernel starts. */
	rc = 0;
	for (int i = 0; i < o.ninputs; i++) {
		r.jobs[i].run = &r;
		r.jobs[i].input = o.inputs[i];
		r.njobs++;
		if (run_job_prepare(&r.jobs[i]) < 0)
			rc = 2;
	}
	if (!rc && same_outputs(&r))
		rc = 2;
	if (rc)
		goto out;
	r.sigfd = sigpipe_install();
	r.start_ms = sigpipe_now_ms();
	run_loop(&r);
	for (int i = 0; i < r.njobs; i++)
		if (r.jobs[i].exit_status > rc)
			rc = r.jobs[i].exit_status;
	run_report_summary(&r);
out:
	for (int i = 0; i < r.njobs; i++)
		run_job_clear(&r.jobs[i]);
	free(r.jobs);
	run_params_free(&o);
	free(o.inputs);
	return rc;
}
