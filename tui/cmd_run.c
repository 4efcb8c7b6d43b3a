// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * `bobbin run`: headless execution of a notebook, as `jupyter nbconvert --to notebook --execute`
 * (nbclient) does it — every non-empty code cell in order, outputs and execution counts stored —
 * with bobbin's output model (JupyterLab's stream semantics, provenance, saved attribution) and
 * three things nbconvert does not do: a cell that times out or a kernel that dies is recorded as
 * an error output and the partial notebook is still written, and output that arrives after the
 * last cell can be collected for --linger seconds. One thread, the kernelclient's own poll loop.
 * docs/run.md is the user's description; exit status 0 (all ran), 1 (an error, timeout or death;
 * the notebook is written), 2 (bad arguments or input; nothing is written).
 */
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kernelclient/kc.h"
#include "notebook/nb.h"
#include "notebook/nb_output.h"
#include "tui/cmd.h"
#include "tui/config.h"
#include "tui/kernel_open.h"
#include "tui/sigpipe.h"
#include "tui/tout.h"

/* After a timeout the cell gets this long to answer the interrupt before the run gives up. */
#define RUN_INTERRUPT_GRACE_MS 10000

struct run_opts {
	const char *input, *output, *cwd;
	int inplace, allow_errors;
	double timeout, linger; /* seconds; timeout <= 0: none */
	long long output_limit; /* -1: from the config */
	struct kernel_opts ko;
};

/* What the loop knows about the cell being executed. */
struct run_cell {
	char msg_id[128];
	int done;              /* the request's callback fired (reply and idle, or cancelled) */
	enum kc_status status;
};

struct run {
	struct run_opts *o;
	struct nb_doc *doc;
	struct nb_out *out;
	struct kc_client *kc;
	struct run_cell cur;
	int sigfd, progress, stop_signal;
	long long start_ms, last_int_ms;
};

static const char run_usage[] =
	"usage: bobbin run NOTEBOOK.ipynb [-o OUT.ipynb | --inplace] [-k KERNEL] [--timeout SECONDS]\n"
	"                  [--allow-errors] [--cwd DIR] [--linger SECONDS] [--output-limit SIZE]\n"
	"                  [--routing POLICY] [--route PATTERN=POLICY] [--no-agent]\n"
	"\n"
	"Executes every code cell in order, as jupyter nbconvert --to notebook --execute does, and\n"
	"writes the executed notebook to NAME.nbconvert.ipynb next to the input (or -o / --inplace).\n"
	"  -o, --output OUT       where to write the executed notebook\n"
	"  --inplace              overwrite the input notebook\n"
	"  -k, --kernel NAME      kernelspec to use (default: the notebook's metadata.kernelspec.name)\n"
	"  --timeout SECONDS      per-cell limit: interrupt the cell, record an error (default none)\n"
	"  --allow-errors         keep going after a cell raises (exit status is still 1)\n"
	"  --cwd DIR              the kernel's working directory (default: the notebook's directory)\n"
	"  --linger SECONDS       collect output arriving after the last cell for this long (default 0)\n"
	"  --output-limit SIZE    text kept per cell (10M, 512k; 0 = unlimited; default from config)\n"
	"  --routing POLICY       thread output routing: kernel, origin, current or auto\n"
	"  --route PATTERN=POLICY routing rule by thread name, repeatable\n"
	"  --no-agent             do not install the routing agent\n"
	"Exit status: 0 all cells ran; 1 a cell raised, timed out or the kernel died (the notebook is\n"
	"still written); 2 bad arguments, an unreadable notebook or a kernel that is not installed.\n";

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

/* 0 parsed, 1 --help printed, -1 error printed. */
static int parse_args(struct run_opts *o, int argc, char **argv)
{
	o->output_limit = -1;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;
		int r = kernel_opts_parse(&o->ko, argc, argv, &i);

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
		} else if (!strcmp(a, "-o") || !strcmp(a, "--output") || !strcmp(a, "--timeout") ||
			   !strcmp(a, "--cwd") || !strcmp(a, "--linger") ||
			   !strcmp(a, "--output-limit")) {
			if (!v) {
				tout_fmt(stderr, "bobbin run: %s needs a value\n", a);
				return -1;
			}
			i++;
			if (a[1] == 'o' || !strcmp(a, "--output")) {
				o->output = v;
			} else if (!strcmp(a, "--cwd")) {
				o->cwd = v;
			} else if (!strcmp(a, "--timeout")) {
				if (parse_seconds(a, v, &o->timeout) < 0)
					return -1;
			} else if (!strcmp(a, "--linger")) {
				if (parse_seconds(a, v, &o->linger) < 0)
					return -1;
			} else if ((o->output_limit = config_parse_size(v)) < 0) {
				tout_fmt(stderr,
				         "bobbin run: --output-limit takes a size like 10M, "
				         "512k or 0, not \"%s\"\n",
				         v);
				return -1;
			}
		} else if (a[0] == '-' && a[1]) {
			tout_fmt(stderr,
			         "bobbin run: unknown option \"%s\" (bobbin run --help lists "
			         "them)\n",
			         a);
			return -1;
		} else if (!o->input) {
			o->input = a;
		} else {
			tout_fmt(stderr,
			         "bobbin run: one notebook at a time (got \"%s\" and \"%s\")\n",
			         o->input, a);
			return -1;
		}
	}
	if (!o->input) {
		tout_fmt(stderr, "%s", run_usage);
		return -1;
	}
	if (o->inplace && o->output) {
		tout_fmt(stderr, "bobbin run: -o and --inplace exclude each other\n");
		return -1;
	}
	return 0;
}

/* NAME.ipynb -> NAME.nbconvert.ipynb in the same directory, as nbconvert names it. */
static void default_output(const char *input, char *buf, size_t size)
{
	size_t n = strlen(input);

	if (n > 6 && !strcmp(input + n - 6, ".ipynb"))
		n -= 6;
	snprintf(buf, size, "%.*s.nbconvert.ipynb", (int)n, input);
}

static int dir_writable(const char *path)
{
	char tmp[PATH_MAX];

	snprintf(tmp, sizeof tmp, "%s", path);
	return access(dirname(tmp), W_OK) == 0;
}

static void progress_line(struct run *r, int k, int n)
{
	if (!r->progress)
		return;
	tout_fmt(stderr, "\r\033[Kbobbin run: cell %d/%d, %.1f s", k, n,
	         (sigpipe_now_ms() - r->start_ms) / 1000.0);
	fflush(stderr);
}

static void on_iopub(struct kc_client *kc, const struct kc_msg *m, void *ud)
{
	struct run *r = ud;

	nb_out_iopub(r->out, m->msg_type, m->parent_id, m->content, m->metadata);
}

static void on_input(struct kc_client *kc, const struct kc_msg *m, const char *prompt,
		     int password, void *ud)
{
	/* Requests go with allow_stdin false; a kernel that asks anyway gets an empty line. */
	kc_client_input_reply(kc, "");
}

static void on_reply(struct kc_client *kc, const char *id, enum kc_status st,
		     const struct kc_msg *reply, void *ud)
{
	struct run *r = ud;

	if (reply)
		nb_out_reply(r->out, id, reply->msg_type, reply->content);
	if (strcmp(id, r->cur.msg_id))
		return;
	r->cur.done = 1;
	r->cur.status = st;
}

/* Appends an error output to the cell of request msg_id, as if the kernel had sent it, so it takes
 * the model's ordinary path (and provenance). lines: the traceback, NULL-terminated. */
static void record_error(struct run *r, const char *msg_id, const char *ename, const char *evalue,
			 const char *const *lines)
{
	json_t *tb = json_array();

	for (; lines && *lines; lines++)
		json_array_append_new(tb, json_string(*lines));
	json_t *c = json_pack("{s:s, s:s, s:o}", "ename", ename, "evalue", evalue, "traceback", tb);
	nb_out_iopub(r->out, "error", msg_id, c, NULL);
	json_decref(c);
}

/* nbclient's CellTimeoutError text (nbclient/exceptions.py timeout_err_msg). */
static void record_timeout(struct run *r, struct nb_cell *cell, double timeout)
{
	char evalue[128], secs[32], *text, *save = NULL;
	const char *src = nb_cell_source(cell);
	const char *lines[64];
	size_t nl = 0;

	snprintf(secs, sizeof secs, "%g", timeout);
	snprintf(evalue, sizeof evalue,
		 "A cell timed out while it was being executed, after %s seconds.", secs);
	if (asprintf(&text, "%s\nThe message was: Cell execution timed out.\n"
			    "Here is a preview of the cell contents:\n-------------------\n%s\n"
			    "-------------------",
		     evalue, src) < 0)
		return;
	for (char *l = strtok_r(text, "\n", &save); l && nl < 60; l = strtok_r(NULL, "\n", &save))
		lines[nl++] = l;
	lines[nl] = NULL;
	record_error(r, r->cur.msg_id, "CellTimeoutError", evalue, lines);
	free(text);
}

static void record_death(struct run *r)
{
	char *tail = kc_client_log_tail(r->kc, 400);
	const char *lines[3] = {"DeadKernelError: Kernel died while executing this cell", NULL,
				NULL};

	if (tail && *tail)
		lines[1] = tail;
	record_error(r, r->cur.msg_id, "DeadKernelError", "Kernel died", lines);
	free(tail);
}

/* One pass of the loop: poll the kernel and the signal pipe for at most wait_ms. */
static void loop_once(struct run *r, long wait_ms)
{
	zmq_pollitem_t items[KC_MAXPOLL + 1];
	int n = kc_client_pollitems(r->kc, items, KC_MAXPOLL);
	long t = kc_client_next_timeout(r->kc);

	if (t < 0 || t > wait_ms)
		t = wait_ms;
	items[n] = (zmq_pollitem_t){.fd = r->sigfd, .events = ZMQ_POLLIN};
	if (zmq_poll(items, n + 1, t) < 0 && errno != EINTR)
		return;
	if (items[n].revents & ZMQ_POLLIN) {
		int sig;

		while ((sig = sigpipe_read())) {
			long long now = sigpipe_now_ms();

			if (sig == SIGINT && now - r->last_int_ms >= 1000) {
				r->last_int_ms = now;
				tout_fmt(stderr,
				         "\nbobbin run: interrupting the kernel (Ctrl-C again "
				         "to stop the run)\n");
				kc_client_interrupt(r->kc);
			} else if (sig == SIGINT || sig == SIGTERM || sig == SIGHUP) {
				r->stop_signal = sig;
			}
		}
	}
	kc_client_dispatch(r->kc, items, n);
	{
		static struct kernel_badsig badsig;
		char why[128];

		if (kernel_badsig_check(r->kc, &badsig, why, sizeof why)) {
			if (r->progress)
				tout_lit(stderr, "\r\033[K");
			tout_fmt(stderr, "bobbin run: %s\n", why);
		}
	}
}

enum cell_result { CELL_OK, CELL_ERROR, CELL_FATAL };

/* Executes one cell to its end (reply and idle), handling timeout and death. */
static enum cell_result run_cell(struct run *r, struct nb_cell *cell, int k, int n)
{
	int flags = KC_EXEC_NO_STDIN | (r->o->allow_errors ? KC_EXEC_KEEP_GOING : 0);
	const char *id;
	long long deadline = -1, grace = -1, next_progress = 0;

	memset(&r->cur, 0, sizeof r->cur);
	/* The id is registered before the loop runs again, so no message can precede it. */
	id = kc_client_execute(r->kc, nb_cell_source(cell), flags, on_reply, r);
	if (!id) {
		tout_fmt(stderr, "bobbin run: cell %d: %s\n", k, kc_client_strerror(r->kc));
		return CELL_FATAL;
	}
	snprintf(r->cur.msg_id, sizeof r->cur.msg_id, "%s", id);
	nb_out_request(r->out, r->cur.msg_id, nb_cell_id(cell), NB_REQ_EXECUTE);
	if (r->o->timeout > 0)
		deadline = sigpipe_now_ms() + (long long)(r->o->timeout * 1000);
	while (!r->cur.done) {
		long long now = sigpipe_now_ms();
		long wait = 1000;

		if (r->progress && now >= next_progress) {
			progress_line(r, k, n);
			next_progress = now + 1000;
		}
		if (deadline >= 0 && grace < 0 && now >= deadline) {
			record_timeout(r, cell, r->o->timeout);
			kc_client_interrupt(r->kc);
			grace = now + RUN_INTERRUPT_GRACE_MS;
		}
		if (grace >= 0 && now >= grace) {
			const char *l[] = {"RuntimeError: the kernel did not answer the interrupt "
					   "after the timeout; the run stops here", NULL};
			record_error(r, r->cur.msg_id, "RuntimeError",
				     "the kernel did not answer the interrupt", l);
			return CELL_FATAL;
		}
		if (kc_client_state(r->kc) == KC_DEAD && !r->cur.done) {
			record_death(r);
			return CELL_FATAL;
		}
		if (r->stop_signal) {
			const char *l[] = {"KeyboardInterrupt: bobbin run was stopped by a signal",
					   NULL};
			record_error(r, r->cur.msg_id, "KeyboardInterrupt",
				     "bobbin run was stopped by a signal", l);
			return CELL_FATAL;
		}
		if (deadline >= 0 && grace < 0 && deadline - now < wait)
			wait = (long)(deadline - now);
		loop_once(r, wait < 1 ? 1 : wait);
	}
	if (r->cur.status == KC_CANCELLED) {
		/* Cancelled requests mean death or restart: either way this run is over. */
		record_death(r);
		return CELL_FATAL;
	}
	if (grace >= 0)
		return CELL_ERROR;
	return r->cur.status == KC_OK ? CELL_OK : CELL_ERROR;
}

/* Like nbclient: code cells whose source is only whitespace are skipped, outputs untouched. */
static int runnable(struct nb_cell *cell)
{
	const char *s;

	if (nb_cell_type(cell) != NB_CODE)
		return 0;
	for (s = nb_cell_source(cell); *s; s++)
		if (!strchr(" \t\r\n\f\v", *s))
			return 1;
	return 0;
}

static void warn_config(const char *msg, void *ud)
{
	tout_fmt(stderr, "bobbin: %s\n", msg);
}

/* The kernel name from -k, else the notebook's kernelspec; NULL for --existing. Prints and
 * returns -1 when that kernelspec is not installed. */
static int check_kernel(struct run_opts *o, struct nb_doc *doc, char *name, size_t size)
{
	struct kc_error err = {0};
	struct kc_kernelspec *spec;
	const char *from = "-k";

	if (o->ko.existing)
		return 0;
	if (o->ko.kernel) {
		snprintf(name, size, "%s", o->ko.kernel);
	} else {
		json_t *ks = json_object_get(nb_doc_metadata(doc), "kernelspec");
		const char *n = json_string_value(json_object_get(ks, "name"));

		snprintf(name, size, "%s", n && *n ? n : "python3");
		from = n && *n ? "the notebook's metadata.kernelspec.name" : "the default";
	}
	if (!(spec = kc_kernelspec_find(name, &err))) {
		tout_fmt(stderr,
		         "bobbin run: %s: kernel \"%s\" (from %s) is not installed (bobbin "
		         "kernels lists those that are)\n",
		         o->input, name, from);
		return -1;
	}
	kc_kernelspec_free(spec);
	o->ko.kernel = name;
	return 0;
}

int cmd_run(int argc, char **argv)
{
	struct run_opts o = {0};
	struct run r = {.o = &o};
	struct config cfg;
	struct nb_error nerr = {0};
	char outpath[PATH_MAX], kname[256], cwd[PATH_MAX];
	int rc, ncode = 0, k = 0, failed = 0;
	size_t i, ncells;

	if ((rc = parse_args(&o, argc, argv)))
		return rc > 0 ? 0 : 2;
	config_defaults(&cfg);
	config_load(&cfg, NULL, warn_config, NULL);
	if (!(r.doc = nb_doc_load(o.input, &nerr))) {
		tout_fmt(stderr, "bobbin run: %s\n", nerr.text);
		return 2;
	}
	if (o.inplace)
		snprintf(outpath, sizeof outpath, "%s", o.input);
	else if (o.output)
		snprintf(outpath, sizeof outpath, "%s", o.output);
	else
		default_output(o.input, outpath, sizeof outpath);
	if (!dir_writable(outpath)) {
		tout_fmt(stderr, "bobbin run: %s: cannot write there (%s)\n", outpath,
		         strerror(errno));
		goto bad_input;
	}
	if (o.cwd) {
		struct stat st;

		if (stat(o.cwd, &st) < 0 || !S_ISDIR(st.st_mode)) {
			tout_fmt(stderr, "bobbin run: --cwd %s: not a directory\n", o.cwd);
			goto bad_input;
		}
	} else {
		/* nbconvert runs the kernel in the notebook's directory. */
		char tmp[PATH_MAX];

		snprintf(tmp, sizeof tmp, "%s", o.input);
		if (!realpath(dirname(tmp), cwd)) {
			tout_fmt(stderr, "bobbin run: %s: %s\n", o.input, strerror(errno));
			goto bad_input;
		}
		o.cwd = cwd;
	}
	if (check_kernel(&o, r.doc, kname, sizeof kname) < 0)
		goto bad_input;

	o.ko.cwd = o.cwd;
	if (!cfg.agent)
		o.ko.no_agent = 1;
	if (!o.ko.routing && strcmp(cfg.routing, "kernel") && kernel_policy_valid(cfg.routing))
		o.ko.routing = cfg.routing;
	r.out = nb_out_new(r.doc);
	if (!r.out) {
		tout_fmt(stderr, "bobbin run: out of memory\n");
		nb_doc_free(r.doc);
		return 1;
	}
	nb_out_set_limit(r.out, o.output_limit >= 0 ? (size_t)o.output_limit : cfg.output_limit);
	nb_out_set_save_attribution(r.out, cfg.save_attribution);

	r.sigfd = sigpipe_install();
	r.progress = isatty(2);
	r.start_ms = sigpipe_now_ms();
	if (!(r.kc = kernel_open(&o.ko))) {
		nb_out_free(r.out);
		nb_doc_free(r.doc);
		return 1;
	}
	kc_client_set_handlers(r.kc, &(struct kc_handlers){.iopub = on_iopub, .input = on_input,
							   .ud = &r});
	ncells = nb_doc_ncells(r.doc);
	for (i = 0; i < ncells; i++)
		ncode += runnable(nb_doc_cell(r.doc, i));
	for (i = 0; i < ncells; i++) {
		struct nb_cell *cell = nb_doc_cell(r.doc, i);
		enum cell_result res;

		if (!runnable(cell))
			continue;
		res = run_cell(&r, cell, ++k, ncode);
		if (res != CELL_OK)
			failed = 1;
		if (res == CELL_FATAL || (res == CELL_ERROR && !o.allow_errors))
			break;
	}
	/* Output after the last cell (threads, timers) is collected for --linger seconds. */
	if (o.linger > 0 && kc_client_state(r.kc) != KC_DEAD && !r.stop_signal) {
		long long end = sigpipe_now_ms() + (long long)(o.linger * 1000);

		while (!r.stop_signal && kc_client_state(r.kc) != KC_DEAD) {
			long long left = end - sigpipe_now_ms();

			if (left <= 0)
				break;
			loop_once(&r, left);
		}
	}
	if (r.progress)
		tout_lit(stderr, "\r\033[K");
	json_t *info = kc_client_info(r.kc);
	json_t *li = json_object_get(info, "language_info");
	/* nbclient records the kernel's language_info in the notebook metadata. */
	if (li) {
		json_object_set(nb_doc_metadata(r.doc), "language_info", li);
		nb_doc_set_dirty(r.doc);
	}
	nb_out_sync(r.out);
	kc_client_free(r.kc, !kc_client_launched(r.kc));
	nb_out_free(r.out);
	/* --inplace refuses when the notebook changed on disk during the run; a separate output
	 * file is replaced as nbconvert replaces it. */
	if (nb_doc_save(r.doc, outpath, !o.inplace, &nerr) < 0) {
		tout_fmt(stderr, "bobbin run: %s\n", nerr.text);
		failed = 1;
	}
	nb_doc_free(r.doc);
	return failed ? 1 : 0;

bad_input:
	nb_doc_free(r.doc);
	return 2;
}
