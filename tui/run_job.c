// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * One notebook of `bobbin run`: its checks before anything starts, its kernel, and its cells as
 * a state machine that the one poll loop of tui/cmd_run.c steps after every pass, so several
 * notebooks run at once without threads. Cells run as nbclient runs them: every non-blank code
 * cell in order, `skip-execution` cells skipped, an error in a `raises-exception` cell expected.
 * A timeout, a kernel death or a stop by signal is recorded as an error output, and the partial
 * notebook is still written.
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

#include "tui/run.h"
#include "tui/safetext.h"
#include "tui/sigpipe.h"
#include "tui/tout.h"

/* After a timeout the cell gets this long to answer the interrupt before the run gives up. */
#define RUN_INTERRUPT_GRACE_MS 10000
/* How long a kernel may take to start. */
#define RUN_READY_MS 60000
/* How long a kernel gets to exit after its shutdown_request before kc_client_free() takes over
 * (jupyter_client's first wait). */
#define RUN_SHUTDOWN_MS 2500

int run_cell_has_tag(struct nb_cell *cell, const char *tag)
{
	json_t *tags = json_object_get(nb_cell_metadata(cell), "tags");
	size_t i;
	json_t *t;

	json_array_foreach(tags, i, t)
		if (json_is_string(t) && !strcmp(json_string_value(t), tag))
			return 1;
	return 0;
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

/* NAME.ipynb -> NAME.nbconvert.ipynb in the same directory, as nbconvert names it. */
static void default_output(const char *input, char *buf, size_t size)
{
	size_t n = strlen(input);

	if (n > 6 && !strcmp(input + n - 6, ".ipynb"))
		n -= 6;
	snprintf(buf, size, "%.*s.nbconvert.ipynb", (int)n, input);
}

/* 0 when path can be written (an existing file writable, or a new one in a writable
 * directory); else -1 with errno. */
static int writable(const char *path)
{
	char tmp[PATH_MAX];
	struct stat st;

	if (stat(path, &st) == 0) {
		if (S_ISDIR(st.st_mode)) {
			errno = EISDIR;
			return -1;
		}
		return access(path, W_OK);
	}
	snprintf(tmp, sizeof tmp, "%s", path);
	if (stat(dirname(tmp), &st) < 0)
		return -1;
	if (!S_ISDIR(st.st_mode)) {
		errno = ENOTDIR;
		return -1;
	}
	snprintf(tmp, sizeof tmp, "%s", path);
	return access(dirname(tmp), W_OK);
}

int run_job_prepare(struct run_job *j)
{
	struct run_opts *o = j->run->o;
	struct nb_error nerr = {0};
	char lang[64], tmp[PATH_MAX];
	const char *base;

	j->cell = -1;
	snprintf(tmp, sizeof tmp, "%s", j->input);
	base = basename(tmp);
	run_report_first_line(base, j->label, sizeof j->label);
	if (!(j->doc = nb_doc_load(j->input, &nerr))) {
		tout_fmt(stderr, "bobbin run: %s\n", nerr.text);
		return -1;
	}
	if (o->inplace)
		snprintf(j->outpath, sizeof j->outpath, "%s", j->input);
	else if (o->output)
		snprintf(j->outpath, sizeof j->outpath, "%s", o->output);
	else
		default_output(j->input, j->outpath, sizeof j->outpath);
	if (strcmp(j->outpath, "-") && writable(j->outpath) < 0) {
		tout_fmt(stderr, "bobbin run: %s: cannot write there (%s)\n", j->outpath,
			strerror(errno));
		return -1;
	}
	if (o->cwd) {
		struct stat st;

		if (stat(o->cwd, &st) < 0 || !S_ISDIR(st.st_mode)) {
			tout_fmt(stderr, "bobbin run: --cwd %s: not a directory\n", o->cwd);
			return -1;
		}
		snprintf(j->cwd, sizeof j->cwd, "%s", o->cwd);
	} else {
		/* nbconvert runs the kernel in the notebook's directory. */
		snprintf(tmp, sizeof tmp, "%s", j->input);
		if (!realpath(dirname(tmp), j->cwd)) {
			tout_fmt(stderr, "bobbin run: %s: %s\n", j->input, strerror(errno));
			return -1;
		}
	}
	if (run_check_kernel(o, j->input, j->doc, j->kname, sizeof j->kname, lang, sizeof lang) < 0)
		return -1;
	run_report_first_line(j->kname, j->kshown, sizeof j->kshown);
	if (o->nparams && run_params_inject(o, j->doc, j->input, lang) < 0)
		return -1;
	for (size_t i = 0; i < nb_doc_ncells(j->doc); i++) {
		struct nb_cell *c = nb_doc_cell(j->doc, i);

		if (runnable(c) && !run_cell_has_tag(c, "skip-execution"))
			j->ncode++;
	}
	return 0;
}

static void on_iopub(struct kc_client *kc, const struct kc_msg *m, void *ud)
{
	struct run_job *j = ud;

	nb_out_iopub(j->out, m->msg_type, m->parent_id, m->content, m->metadata);
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
	struct run_job *j = ud;

	if (reply)
		nb_out_reply(j->out, id, reply->msg_type, reply->content);
	if (strcmp(id, j->msg_id))
		return;
	j->done = 1;
	j->status = st;
	/* The first error of the cell is the one reported (a timeout's, before the interrupt's). */
	const char *s = reply ? json_string_value(json_object_get(reply->content, "status")) : NULL;
	if (s && !strcmp(s, "error") && !j->error)
		j->error = json_incref(reply->content);
}

/* Appends an error output to the running cell, as if the kernel had sent it, so it takes the
 * model's ordinary path (and provenance). lines: the traceback, NULL-terminated. */
static void record_error(struct run_job *j, const char *ename, const char *evalue,
			 const char *const *lines)
{
	json_t *tb = json_array();

	for (; lines && *lines; lines++)
		json_array_append_new(tb, json_string(*lines));
	json_t *c = json_pack("{s:s, s:s, s:o}", "ename", ename, "evalue", evalue, "traceback", tb);
	nb_out_iopub(j->out, "error", j->msg_id, c, NULL);
	if (!j->error)
		j->error = c;
	else
		json_decref(c);
}

/* nbclient's CellTimeoutError text (nbclient/exceptions.py timeout_err_msg). */
static void record_timeout(struct run_job *j, struct nb_cell *cell, double timeout)
{
	char evalue[128], secs[32], *text, *save = NULL;
	const char *lines[64];
	size_t nl = 0;

	snprintf(secs, sizeof secs, "%g", timeout);
	snprintf(evalue, sizeof evalue,
		 "A cell timed out while it was being executed, after %s seconds.", secs);
	if (asprintf(&text, "%s\nThe message was: Cell execution timed out.\n"
			    "Here is a preview of the cell contents:\n-------------------\n%s\n"
			    "-------------------",
		     evalue, nb_cell_source(cell)) < 0)
		return;
	for (char *l = strtok_r(text, "\n", &save); l && nl < 60; l = strtok_r(NULL, "\n", &save))
		lines[nl++] = l;
	lines[nl] = NULL;
	record_error(j, "CellTimeoutError", evalue, lines);
	free(text);
}

static void record_death(struct run_job *j)
{
	char *tail = kc_client_log_tail(j->kc, 400);
	const char *lines[3] = {"DeadKernelError: Kernel died while executing this cell", NULL,
				NULL};

	if (tail && *tail)
		lines[1] = tail;
	record_error(j, "DeadKernelError", "Kernel died", lines);
	free(tail);
}

/* nbclient adds this for the kernels jupyter_client calls ipykernel (by kernelspec name). */
static int append_hist_arg(struct kc_kernelspec *spec)
{
	size_t n = 0;
	char **argv;

	if (strcmp(spec->name, "python3") && strcmp(spec->name, "python2") &&
	    strcmp(spec->name, "python"))
		return 0;
	while (spec->argv && spec->argv[n])
		n++;
	if (!(argv = realloc(spec->argv, (n + 2) * sizeof *argv)))
		return -1;
	spec->argv = argv;
	if (!(argv[n] = strdup("--HistoryManager.hist_file=:memory:")))
		return -1;
	argv[n + 1] = NULL;
	return 0;
}

static void finish(struct run_job *j);

int run_job_launch(struct run_job *j)
{
	struct run *r = j->run;
	struct run_opts *o = r->o;
	struct kc_error err = {0};

	j->start_ms = sigpipe_now_ms();
	j->state = JOB_START;
	j->ready_by = j->start_ms + RUN_READY_MS;
	if (!(j->out = nb_out_new(j->doc))) {
		tout_fmt(stderr, "bobbin run: out of memory\n");
		goto fail;
	}
	nb_out_set_limit(j->out, r->output_limit);
	nb_out_set_save_attribution(j->out, r->save_attribution);
	if (o->ko.existing || kernel_remote(&o->ko)) {
		struct kernel_opts ko = o->ko;

		ko.cwd = j->cwd;
		if (!ko.existing && !ko.kernel)
			ko.kernel = j->kname;
		if (!(j->kc = kernel_open(&ko)))
			goto fail;
	} else {
		struct kc_kernelspec *spec = kc_kernelspec_find(j->kname, &err);
		struct kc_launch_opts lo = {.cwd = j->cwd};

		if (!spec || append_hist_arg(spec) < 0 || !(j->kc = kc_client_launch(spec, &lo, &err))) {
			tout_fmt(stderr, "bobbin run: %s: kernel \"%s\": %s\n", j->label, j->kshown,
				 err.text[0] ? err.text : "out of memory");
			kc_kernelspec_free(spec);
			goto fail;
		}
		kc_kernelspec_free(spec);
		if (!o->ko.no_agent)
			kc_routing_enable(j->kc);
	}
	kc_client_set_handlers(j->kc, &(struct kc_handlers){.iopub = on_iopub, .input = on_input,
							    .ud = j});
	return 0;
fail:
	nb_out_free(j->out);
	j->out = NULL;
	j->exit_status = kernel_remote(&o->ko) ? 2 : 1;
	j->state = JOB_DONE;
	j->nskipped = j->ncode;
	return -1;
}

static void report_routing(const char *msg, void *ud)
{
	struct run_job *j = ud;

	run_report_clear_status(j->run);
	tout_fmt(stderr, "bobbin run: %s: %s\n", j->label, msg);
}

/* The kernel answered (or did not, or died) while starting. 1 when it is ready. */
static int step_start(struct run_job *j, long long now)
{
	struct run_opts *o = j->run->o;
	enum kc_state st = kc_client_state(j->kc);

	if (st == KC_STARTING && now < j->ready_by)
		return 0;
	if (st == KC_STARTING || st == KC_DEAD) {
		char *tail = kc_client_log_tail(j->kc, 400);

		run_report_clear_status(j->run);
		tout_fmt(stderr, "bobbin run: %s: kernel \"%s\" %s%s", j->label, j->kshown,
			st == KC_DEAD ? "died while starting" : "did not start within 60 s",
			tail && *tail ? ":\n" : "\n");
		if (tail && *tail) {
			tout_text(stderr, tail, strlen(tail), 0);
			tout_lit(stderr, "\n");
		}
		free(tail);
		kc_client_free(j->kc, 0);
		j->kc = NULL;
		nb_out_free(j->out);
		j->out = NULL;
		j->exit_status = 1;
		j->nskipped = j->ncode;
		j->state = JOB_DONE;
		run_report_job(j->run, j);
		return 0;
	}
	if (!o->ko.existing && !o->ko.no_agent)
		kernel_apply_routing(j->kc, &o->ko, o->ko.quiet ? NULL : report_routing, j);
	j->state = JOB_CELLS;
	return 1;
}

static void send_cell(struct run_job *j, struct nb_cell *cell)
{
	struct run_opts *o = j->run->o;
	int expect = run_cell_has_tag(cell, "raises-exception");
	int flags = KC_EXEC_NO_STDIN | (o->allow_errors || expect ? KC_EXEC_KEEP_GOING : 0);
	const char *id;

	j->done = 0;
	j->grace = j->deadline = -1;
	json_decref(j->error);
	j->error = NULL;
	j->k++;
	j->cell_start_ms = sigpipe_now_ms();
	j->run->status_dirty = 1;
	/* The id is registered before the loop runs again, so no message can precede it. */
	id = kc_client_execute(j->kc, nb_cell_source(cell), flags, on_reply, j);
	if (!id) {
		const char *l[] = {kc_client_strerror(j->kc), NULL};

		snprintf(j->msg_id, sizeof j->msg_id, "bobbin-run-unsent-%d", j->k);
		nb_out_request(j->out, j->msg_id, nb_cell_id(cell), NB_REQ_EXECUTE);
		record_error(j, "RuntimeError", "the cell could not be sent to the kernel", l);
		j->done = 1;
		j->status = KC_CANCELLED;
		return;
	}
	snprintf(j->msg_id, sizeof j->msg_id, "%s", id);
	nb_out_request(j->out, j->msg_id, nb_cell_id(cell), NB_REQ_EXECUTE);
	if (o->timeout > 0)
		j->deadline = j->cell_start_ms + (long long)(o->timeout * 1000);
}

/* The running cell: -1 while it runs, else what it came to. */
static int step_cell(struct run_job *j, struct nb_cell *cell, long long now)
{
	struct run *r = j->run;

	if (!j->done && j->deadline >= 0 && j->grace < 0 && now >= j->deadline) {
		record_timeout(j, cell, r->o->timeout);
		kc_client_interrupt(j->kc);
		j->grace = now + RUN_INTERRUPT_GRACE_MS;
	}
	if (!j->done && j->grace >= 0 && now >= j->grace) {
		const char *l[] = {"RuntimeError: the kernel did not answer the interrupt after the "
				   "timeout; the run stops here", NULL};
		record_error(j, "RuntimeError", "the kernel did not answer the interrupt", l);
		return CELL_TIMEOUT;
	}
	if (!j->done && kc_client_state(j->kc) == KC_DEAD) {
		record_death(j);
		return CELL_DIED;
	}
	if (!j->done && r->stop_signal) {
		const char *l[] = {"KeyboardInterrupt: bobbin run was stopped by a signal", NULL};

		record_error(j, "KeyboardInterrupt", "bobbin run was stopped by a signal", l);
		return CELL_STOPPED;
	}
	if (!j->done)
		return -1;
	if (j->status == KC_CANCELLED) {
		/* Cancelled requests mean death or restart: either way this run is over. */
		if (!j->error)
			record_death(j);
		return CELL_DIED;
	}
	if (j->grace >= 0)
		return CELL_TIMEOUT;
	if (j->status == KC_OK)
		return CELL_OK;
	return run_cell_has_tag(cell, "raises-exception") ? CELL_EXPECTED : CELL_ERROR;
}

/* Counts a finished cell; 1 when the run goes on. */
static int account(struct run_job *j, enum run_cell_result res)
{
	struct run_opts *o = j->run->o;

	j->nrun++;
	switch (res) {
	case CELL_OK:
	case CELL_EXPECTED:
		return 1;
	case CELL_ERROR:
		/* With --allow-errors nbconvert exits 0; bobbin says 1 unless asked to match it. */
		if (!(o->allow_errors && o->nbconvert_status)) {
			j->nfailed++;
			j->exit_status = 1;
		}
		return o->allow_errors;
	case CELL_TIMEOUT:
		j->nfailed++;
		j->exit_status = 1;
		return o->allow_errors && !j->error_fatal;
	default:
		j->nfailed++;
		j->exit_status = 1;
		return 0;
	}
}

void run_job_step(struct run_job *j, long long now)
{
	struct run *r = j->run;

	if (j->state == JOB_STOPPING) {
		if (kc_client_state(j->kc) != KC_DEAD && now < j->stop_by)
			return;
		kc_client_free(j->kc, 0);
		j->kc = NULL;
		j->state = JOB_DONE;
		return;
	}

	if (j->state == JOB_START && !step_start(j, now))
		return;
	while (j->state == JOB_CELLS) {
		if (j->cell >= 0) {
			struct nb_cell *cell = nb_doc_cell(j->doc, (size_t)j->cell);
			int res = step_cell(j, cell, now);

			if (res < 0)
				return;
			j->error_fatal = j->grace >= 0 && !j->done;
			run_report_cell(r, j, cell, (enum run_cell_result)res);
			j->cell = -1;
			if (!account(j, (enum run_cell_result)res)) {
				j->stopped = 1;
				break;
			}
		}
		if (r->stop_signal) {
			j->stopped = 1;
			break;
		}
		while (j->next < nb_doc_ncells(j->doc)) {
			struct nb_cell *c = nb_doc_cell(j->doc, j->next++);

			if (!runnable(c))
				continue;
			if (run_cell_has_tag(c, "skip-execution")) {
				j->ntagged_skip++;
				continue;
			}
			j->cell = (long)j->next - 1;
			send_cell(j, c);
			break;
		}
		if (j->cell < 0)
			break;
	}
	if (j->state == JOB_CELLS) {
		if (j->cell >= 0)
			return;
		j->state = JOB_LINGER;
		j->linger_end = now + (long long)(r->o->linger * 1000);
	}
	/* Output after the last cell (threads, timers) is collected for --linger seconds. */
	if (j->state == JOB_LINGER && now < j->linger_end && !j->stopped && !r->stop_signal &&
	    kc_client_state(j->kc) != KC_DEAD)
		return;
	finish(j);
}

long run_job_next_timeout(const struct run_job *j, long long now)
{
	long long t = -1;

	if (j->state == JOB_START)
		t = j->ready_by;
	else if (j->state == JOB_LINGER)
		t = j->linger_end;
	else if (j->state == JOB_STOPPING)
		t = j->stop_by;
	else if (j->state == JOB_CELLS && j->grace >= 0)
		t = j->grace;
	else if (j->state == JOB_CELLS && j->deadline >= 0)
		t = j->deadline;
	if (t < 0)
		return -1;
	return t <= now ? 0 : (long)(t - now);
}

static void finish(struct run_job *j)
{
	struct run *r = j->run;
	struct nb_error nerr = {0};
	json_t *li = json_object_get(kc_client_info(j->kc), "language_info");

	/* Cells not sent: skipped, whether tagged or after a stop. */
	j->nskipped = j->ntagged_skip + (j->ncode - j->nrun);
	/* nbclient records the kernel's language_info in the notebook metadata. */
	if (li) {
		json_object_set(nb_doc_metadata(j->doc), "language_info", li);
		nb_doc_set_dirty(j->doc);
	}
	nb_out_sync(j->out);
	/* The notebook is complete: later messages are not recorded. A kernel bobbin started is
	 * asked to shut down now, and waited for by the loop, so other notebooks go on. */
	kc_client_set_handlers(j->kc, &(struct kc_handlers){0});
	nb_out_free(j->out);
	j->out = NULL;
	if (kc_client_launched(j->kc) && kc_client_state(j->kc) != KC_DEAD &&
	    kc_client_request(j->kc, KC_CONTROL, "shutdown_request",
			      json_pack("{s:b}", "restart", 0), 0, NULL, NULL)) {
		j->state = JOB_STOPPING;
		j->stop_by = sigpipe_now_ms() + RUN_SHUTDOWN_MS;
	} else {
		kc_client_free(j->kc, !kc_client_launched(j->kc));
		j->kc = NULL;
		j->state = JOB_DONE;
	}
	if (!strcmp(j->outpath, "-")) {
		size_t len;
		char *s = nb_doc_serialize(j->doc, &len);

		if (!s || tout_data(stdout, s, len) < 0) {
			tout_fmt(stderr, "bobbin run: %s: cannot write the notebook to stdout\n",
				j->label);
			j->exit_status = 1;
		}
		free(s);
	} else if (nb_doc_save(j->doc, j->outpath, !r->o->inplace, &nerr) < 0) {
		/* --inplace refuses when the notebook changed on disk during the run; a separate
		 * output file is replaced as nbconvert replaces it. */
		run_report_clear_status(r);
		tout_fmt(stderr, "bobbin run: %s\n", nerr.text);
		j->exit_status = 1;
	}
	run_report_job(r, j);
}

void run_job_clear(struct run_job *j)
{
	if (j->kc)
		kc_client_free(j->kc, !kc_client_launched(j->kc));
	nb_out_free(j->out);
	nb_doc_free(j->doc);
	json_decref(j->error);
	memset(j, 0, sizeof *j);
}
