// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * Provenance flags where they really occur on Debian's ipykernel 6.17, without the routing agent:
 * the kernelclient feeds the output model (nb_out) directly, as every front end does.
 *  - stray: a ticker thread prints while the test sends complete and kernel_info requests; 6.17
 *    parents the thread's output to the newest shell request, i.e. to those (routing.md (h));
 *  - foreign: a second client executes on the same kernel; its output is placed at our latest
 *    cell, flagged foreign and stray;
 *  - late: a timer thread prints after the last cell's idle; it stays in that cell, flagged
 *    late (tests/e2e/test_run.sh checks the same through `bobbin run --linger`).
 * Every tick line the kernel sent is counted in the notebook: nothing dropped or duplicated.
 */
#include "tests/integration/kctest.h"

#include "notebook/nb.h"
#include "notebook/nb_output.h"

struct pv {
	struct kt *t;
	struct nb_doc *doc;
	struct nb_out *out;
};

static void pv_iopub(struct kc_client *kc, const struct kc_msg *m, void *ud)
{
	struct pv *p = ud;

	kt_iopub(kc, m, p->t);
	nb_out_iopub(p->out, m->msg_type, m->parent_id, m->content, m->metadata);
}

static void pv_state(struct kc_client *kc, enum kc_state st, void *ud)
{
	kt_state(kc, st, ((struct pv *)ud)->t);
}

static void pv_input(struct kc_client *kc, const struct kc_msg *m, const char *prompt,
		     int password, void *ud)
{
	kt_input(kc, m, prompt, password, ((struct pv *)ud)->t);
}

struct pv_req {
	struct pv *p;
	struct kt_reply r;
};

static void pv_reply(struct kc_client *kc, const char *id, enum kc_status st,
		     const struct kc_msg *reply, void *ud)
{
	struct pv_req *q = ud;

	if (reply)
		nb_out_reply(q->p->out, id, reply->msg_type, reply->content);
	kt_reply_cb(kc, id, st, reply, &q->r);
}

static struct pv *pv_start(int ncells)
{
	struct pv *p = calloc(1, sizeof *p);

	p->t = kt_start("python3");
	p->doc = nb_doc_new();
	for (int i = 1; i < ncells; i++)
		nb_doc_insert(p->doc, (size_t)i, NB_CODE);
	p->out = nb_out_new(p->doc);
	kc_client_set_handlers(p->t->kc, &(struct kc_handlers){.iopub = pv_iopub, .input = pv_input,
							      .state = pv_state, .ud = p});
	return p;
}

static void pv_free(struct pv *p)
{
	nb_out_free(p->out);
	nb_doc_free(p->doc);
	kt_free(p->t);
	free(p);
}

static const char *cell_id(struct pv *p, size_t i)
{
	return nb_cell_id(nb_doc_cell(p->doc, i));
}

/* Sends code as cell i (registered with the model) and, if wait, runs it to its end. */
static void pv_cell(struct pv *p, size_t i, const char *code, struct pv_req *q, int wait)
{
	const char *id;

	memset(q, 0, sizeof *q);
	q->p = p;
	nb_cell_set_source(nb_doc_cell(p->doc, i), code);
	id = kc_client_execute(p->t->kc, code, 0, pv_reply, q);
	assert_non_null(id);
	snprintf(q->r.id, sizeof q->r.id, "%s", id);
	assert_int_equal(nb_out_request(p->out, q->r.id, cell_id(p, i), NB_REQ_EXECUTE), 0);
	if (wait) {
		kt_wait(p->t, &q->r, KT_DEADLINE_MS);
		assert_int_equal(q->r.status, KC_OK);
		json_decref(q->r.content);
	}
}

/* Lines of stream text in all cells that start with prefix; also how many outputs of cell i have
 * all of flags set. */
static size_t count_lines(struct pv *p, const char *prefix)
{
	size_t n = 0, plen = strlen(prefix);

	nb_out_sync(p->out);
	for (size_t c = 0; c < nb_doc_ncells(p->doc); c++) {
		json_t *outs = nb_cell_outputs(nb_doc_cell(p->doc, c)), *o;
		size_t i;

		json_array_foreach(outs, i, o) {
			json_t *t = json_object_get(o, "text");
			const char *s = json_string_value(t);
			char *joined = NULL;

			if (json_is_array(t)) {
				size_t k, len = 0;
				json_t *l;

				joined = calloc(1, 1);
				json_array_foreach(t, k, l) {
					size_t ll = json_string_length(l);
					joined = realloc(joined, len + ll + 1);
					memcpy(joined + len, json_string_value(l), ll + 1);
					len += ll;
				}
				s = joined;
			}
			for (const char *q = s; q && *q; q = strchr(q, '\n') ? strchr(q, '\n') + 1 : "")
				if (!strncmp(q, prefix, plen))
					n++;
			free(joined);
		}
	}
	return n;
}

/* Lines starting with prefix in every iopub stream message the kernel sent. */
static size_t count_sent(struct pv *p, const char *prefix)
{
	size_t n = 0, plen = strlen(prefix);
	char *all = kt_stream(p->t, NULL, "stdout");

	for (const char *q = all; *q; q = strchr(q, '\n') ? strchr(q, '\n') + 1 : "")
		if (!strncmp(q, prefix, plen))
			n++;
	free(all);
	return n;
}

/* The first output of cell i with a provenance (its own or a part's: a stream output continues
 * across writers) that has all of flags, or -1. */
static long find_flagged(struct pv *p, size_t i, unsigned flags, const struct nb_prov **prov)
{
	json_t *outs;

	nb_out_sync(p->out);
	outs = nb_cell_outputs(nb_doc_cell(p->doc, i));
	for (size_t k = 0; k < json_array_size(outs); k++) {
		const struct nb_prov *pr = nb_out_prov(p->out, cell_id(p, i), k);

		for (size_t j = 0; pr; pr = nb_out_prov_part(p->out, cell_id(p, i), k, j++))
			if ((pr->flags & flags) == flags) {
				*prov = pr;
				return (long)k;
			}
	}
	return -1;
}

static const char ticker[] =
	"import threading, time, sys\n"
	"stop = threading.Event()\n"
	"def tick():\n"
	"    n = 0\n"
	"    while not stop.is_set():\n"
	"        print(f'tick {n}')\n"
	"        sys.stdout.flush()\n"
	"        n += 1\n"
	"        time.sleep(0.02)\n"
	"threading.Thread(target=tick, name='ticker', daemon=True).start()\n";

static void test_stray_from_complete_and_kernel_info(void **state)
{
	struct pv *p = pv_start(2);
	struct pv_req c1, c2, q;
	const struct nb_prov *pr = NULL;
	double deadline = kt_now() + 30;
	char ids[64][64];
	int nids = 0;
	long k = -1;

	pv_cell(p, 0, ticker, &c1, 1);
	/* Requests that are not cell executions, until thread output parented to one shows up. */
	while (k < 0 && kt_now() < deadline && nids < 64) {
		const char *id;

		memset(&q, 0, sizeof q);
		q.p = p;
		if (nids % 2)
			id = kc_client_request(p->t->kc, KC_SHELL, "kernel_info_request", NULL, 0,
					       pv_reply, &q);
		else
			id = kc_client_complete(p->t->kc, "pri", 3, pv_reply, &q);
		assert_non_null(id);
		snprintf(ids[nids], sizeof ids[nids], "%s", id);
		nb_out_request(p->out, id, NULL, nids % 2 ? NB_REQ_KERNEL_INFO : NB_REQ_COMPLETE);
		nids++;
		kt_wait(p->t, &q.r, KT_DEADLINE_MS);
		json_decref(q.r.content);
		/* Let the ticker's next flush come while this request is the newest. */
		int never = 0;
		kc_client_run(p->t->kc, &never, 100);
		k = find_flagged(p, 0, NB_PROV_STRAY, &pr);
	}
	assert_true(k >= 0);
	int known = 0;
	for (int i = 0; i < nids; i++)
		known |= pr->msg_id && !strcmp(pr->msg_id, ids[i]);
	assert_true(known); /* parented to one of our complete / kernel_info requests */
	assert_false(pr->flags & NB_PROV_FOREIGN);
	print_message("# stray output %ld in the latest cell, after %d requests\n", k, nids);

	pv_cell(p, 1, "stop.set()\ntime.sleep(0.1)\n", &c2, 1);
	/* Nothing dropped, nothing duplicated: every tick line sent is in the notebook once. */
	assert_int_equal(count_lines(p, "tick "), count_sent(p, "tick "));
	assert_true(count_sent(p, "tick ") > 0);
	pv_free(p);
}

static void test_foreign_client(void **state)
{
	struct pv *p = pv_start(2);
	struct pv_req c1, c2;
	struct kt_reply rb = {0};
	struct kc_error err = {0};
	struct kc_client *b;
	const struct nb_prov *pr = NULL;
	long k;

	pv_cell(p, 0, "print('ours')", &c1, 1);
	b = kc_client_attach(kc_client_connfile(p->t->kc), &err);
	assert_non_null(b);
	assert_int_equal(kc_client_wait_ready(b, KT_DEADLINE_MS, &err), 0);
	assert_non_null(kc_client_execute(b, "print('from the other client')", 0, kt_reply_cb, &rb));
	kc_client_run(b, &rb.done, KT_DEADLINE_MS);
	assert_int_equal(rb.done, 1);
	json_decref(rb.content);
	/* Our client sees the other's execute_input, output and idle; then runs its next cell. */
	pv_cell(p, 1, "print('ours again')", &c2, 1);
	k = find_flagged(p, 0, NB_PROV_FOREIGN | NB_PROV_STRAY, &pr);
	assert_true(k >= 0);
	json_t *o = json_array_get(nb_cell_outputs(nb_doc_cell(p->doc, 0)), (size_t)k);
	/* the stream continues cell 1's own: one text, the foreign chunk a part of it */
	assert_string_equal(json_string_value(json_object_get(o, "text")),
			    "ours\nfrom the other client\n");
	print_message("# foreign output %ld in cell 1, flags 0x%x\n", k, pr->flags);
	/* Our own cells keep their own output, unflagged. */
	assert_int_equal(find_flagged(p, 1, NB_PROV_FOREIGN, &pr), -1);
	kc_client_free(b, 1);
	pv_free(p);
}

static void test_late_after_last_cell(void **state)
{
	struct pv *p = pv_start(1);
	struct pv_req c1;
	const struct nb_prov *pr = NULL;
	double deadline;
	long k = -1;

	/* A timer in the kernel writes after the cell's idle, with no request in between: 6.17
	 * parents it to the cell, which is finished. */
	pv_cell(p, 0,
		"import threading\n"
		"threading.Timer(0.3, lambda: print('late line', flush=True)).start()\n"
		"print('cell')\n",
		&c1, 1);
	deadline = kt_now() + 30;
	while (kt_now() < deadline && count_lines(p, "late line") == 0) {
		int never = 0;
		kc_client_run(p->t->kc, &never, 100);
	}
	assert_int_equal(count_lines(p, "late line"), 1);
	/* it continues the cell's stream ("cell\nlate line\n"), as a late part of that output */
	k = find_flagged(p, 0, NB_PROV_LATE, &pr);
	assert_true(k >= 0);
	assert_string_equal(json_string_value(json_object_get(
				    json_array_get(nb_cell_outputs(nb_doc_cell(p->doc, 0)), (size_t)k),
				    "text")),
			    "cell\nlate line\n");
	print_message("# late line: output %ld, flags 0x%x\n", k, pr->flags);
	assert_true(pr->flags & NB_PROV_LATE);
	assert_false(pr->flags & NB_PROV_STRAY);
	assert_string_equal(pr->parent_cell, cell_id(p, 0));
	assert_string_equal(pr->msg_id, c1.r.id);
	/* The cell's own output before it is not late. */
	assert_false(nb_out_prov(p->out, cell_id(p, 0), 0)->flags & NB_PROV_LATE);
	pv_free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_stray_from_complete_and_kernel_info),
		cmocka_unit_test(test_foreign_client),
		cmocka_unit_test(test_late_after_last_cell),
	};

	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
