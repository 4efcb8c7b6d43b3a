// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * What `bobbin run` says on stderr: on a terminal one status line kept up to date in place (the
 * running cell's number, the time, its first source line); into a pipe or a CI log one line per
 * cell ("[3/40] ok 0.4 s"); a failing cell in full (its index, id, first source line and
 * traceback); one line per notebook when there are several, and a summary. Everything that came
 * from a notebook or a kernel goes through the sanitiser (tui/safetext.h): plain text into a
 * pipe, normalised colour on a terminal, never raw control bytes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include "tui/run.h"
#include "tui/safetext.h"
#include "tui/sigpipe.h"
#include "tui/tout.h"

void run_report_first_line(const char *src, char *buf, size_t max)
{
	const char *s = src, *e;
	size_t n, len;
	char *safe;

	/* The first line that is not blank. */
	for (;;) {
		while (*s == ' ' || *s == '\t')
			s++;
		if (*s != '\n' && *s != '\r')
			break;
		s++;
	}
	e = s + strcspn(s, "\r\n");
	safe = st_plain(s, (size_t)(e - s), &len);
	if (!safe) {
		*buf = 0;
		return;
	}
	/* Cut at a character boundary; tabs become spaces. */
	n = len < max - 1 ? len : max - 1;
	while (n > 0 && n < len && ((unsigned char)safe[n] & 0xc0) == 0x80)
		n--;
	for (size_t i = 0; i < n; i++)
		buf[i] = safe[i] == '\t' ? ' ' : safe[i];
	buf[n] = 0;
	while (n > 0 && buf[n - 1] == ' ')
		buf[--n] = 0;
	free(safe);
}

static const char *result_word(enum run_cell_result res)
{
	switch (res) {
	case CELL_OK:
		return "ok";
	case CELL_ERROR:
		return "error";
	case CELL_EXPECTED:
		return "error (expected: raises-exception)";
	case CELL_TIMEOUT:
		return "timeout";
	case CELL_DIED:
		return "kernel died";
	default:
		return "stopped";
	}
}

static int term_width(void)
{
	struct winsize ws;

	if (ioctl(2, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 10)
		return ws.ws_col;
	return 80;
}

void run_report_clear_status(struct run *r)
{
	if (r->tty && r->next_status) {
		tout_lit(stderr, "\r\033[K");
		r->next_status = 0;
	}
}

/* The error's traceback, else "ename: evalue", through the sink's safetext policy: normalised
 * colour on a terminal, plain text into a pipe. */
static void print_traceback(struct run *r, json_t *err)
{
	json_t *tb = json_object_get(err, "traceback"), *l;
	size_t i;

	json_array_foreach(tb, i, l) {
		const char *s = json_string_value(l);

		if (s)
			tout_text(stderr, s, strlen(s), r->tty);
		tout_lit(stderr, "\n");
	}
	if (!json_array_size(tb)) {
		const char *en = json_string_value(json_object_get(err, "ename"));
		const char *ev = json_string_value(json_object_get(err, "evalue"));

		tout_fmt(stderr, "%s: %s\n", en ? en : "Error", ev ? ev : "");
	}
}

void run_report_cell(struct run *r, struct run_job *j, struct nb_cell *cell,
		     enum run_cell_result res)
{
	double secs = (sigpipe_now_ms() - j->cell_start_ms) / 1000.0;
	int failed = res != CELL_OK && res != CELL_EXPECTED;
	char first[160], id[80];

	if (!r->o->quiet && !r->tty) {
		tout_fmt(stderr, "%s%s[%d/%d] %s %.1f s\n", r->njobs > 1 ? j->label : "",
			 r->njobs > 1 ? " " : "", j->k, j->ncode, result_word(res), secs);
	}
	if (!failed)
		return;
	run_report_clear_status(r);
	run_report_first_line(nb_cell_source(cell), first, sizeof first);
	run_report_first_line(nb_cell_id(cell), id, sizeof id);
	tout_fmt(stderr, "bobbin run: %s: cell %ld (id %s, [%d/%d]) %s: %s\n", j->label, j->cell,
		*id ? id : "none", j->k, j->ncode,
		res == CELL_ERROR ? "failed" : result_word(res), first);
	print_traceback(r, j->error);
}

void run_report_status(struct run *r, long long now, int force)
{
	char line[512], first[200];
	struct run_job *shown = NULL;
	int running = 0, done = 0, total = 0, used;
	size_t n;

	if (!r->tty)
		return;
	if (!force && now < r->next_status && !(r->status_dirty && now >= r->last_status + 100))
		return;
	for (int i = 0; i < r->njobs; i++) {
		struct run_job *j = &r->jobs[i];

		total += j->ncode;
		done += j->nrun;
		if (j->state != JOB_WAIT && j->state != JOB_DONE) {
			running++;
			if (!shown || (shown->cell < 0 && j->cell >= 0))
				shown = j;
		}
	}
	if (!shown)
		return;
	*first = 0;
	if (shown->cell >= 0)
		run_report_first_line(nb_cell_source(nb_doc_cell(shown->doc, (size_t)shown->cell)),
				      first, sizeof first);
	else if (shown->state == JOB_START)
		snprintf(first, sizeof first, "(starting the kernel)");
	else if (shown->state == JOB_LINGER)
		snprintf(first, sizeof first, "(--linger: collecting late output)");
	else if (shown->state == JOB_STOPPING)
		snprintf(first, sizeof first, "(stopping the kernel)");
	if (r->njobs == 1 && shown->state == JOB_START)
		snprintf(line, sizeof line, "bobbin run: starting the kernel, %.1f s",
			 (now - r->start_ms) / 1000.0);
	else if (r->njobs == 1)
		snprintf(line, sizeof line, "bobbin run: cell %d/%d, %.1f s: %s", shown->k,
			 shown->ncode, (now - r->start_ms) / 1000.0, first);
	else
		snprintf(line, sizeof line, "bobbin run: %d/%d cells, %d running, %.1f s: %s [%d/%d] %s",
			 done, total, running, (now - r->start_ms) / 1000.0, shown->label,
			 shown->k, shown->ncode, first);
	n = st_fit(line, strlen(line), term_width() - 1, &used);
	tout_fmt(stderr, "\r\033[K%.*s", (int)n, line);
	r->next_status = now + 1000;
	r->last_status = now;
	r->status_dirty = 0;
}

void run_report_job(struct run *r, struct run_job *j)
{
	if (r->o->quiet || r->njobs < 2)
		return;
	run_report_clear_status(r);
	tout_fmt(stderr, "bobbin run: %s: %s, %d cells run, %d failed, %d skipped, %.1f s\n",
		j->label, j->exit_status ? "FAILED" : "ok", j->nrun, j->nfailed, j->nskipped,
		(sigpipe_now_ms() - j->start_ms) / 1000.0);
}

void run_report_summary(struct run *r)
{
	int run = 0, failed = 0, skipped = 0, bad = 0;

	if (r->o->quiet)
		return;
	for (int i = 0; i < r->njobs; i++) {
		run += r->jobs[i].nrun;
		failed += r->jobs[i].nfailed;
		skipped += r->jobs[i].nskipped;
		bad += r->jobs[i].exit_status != 0;
	}
	if (r->njobs > 1)
		tout_fmt(stderr, "bobbin run: %d notebooks, %d failed; ", r->njobs, bad);
	else
		tout_lit(stderr, "bobbin run: ");
	tout_fmt(stderr, "%d cells run, %d failed, %d skipped, %.1f s\n", run, failed, skipped,
		(sigpipe_now_ms() - r->start_ms) / 1000.0);
}
