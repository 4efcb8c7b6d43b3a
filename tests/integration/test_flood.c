// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * Floods of one-line stream messages from real kernels (ipykernel and xeus-python): every line
 * arrives, in order, once, and the cell goes idle. Then a kernel that drops its idle (as one
 * whose iopub send queue overflowed would): the request still finishes, flagged as having lost
 * output.
 *
 * The million-line floods take about a minute each in the ordinary build (the whole program about
 * 2.5 minutes); a sanitizer build runs only the 10,000-line ones (ASan makes the client several
 * times slower: with the 100,000-line ones the program took 4 minutes). KT_FLOOD_MAX=n runs only
 * floods of at most n lines in any build (KT_FLOOD_MAX=1000000 runs them all).
 */
#include "tests/integration/kctest.h"

#if defined(__SANITIZE_ADDRESS__)
#define KT_SAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define KT_SAN 1
#endif
#endif
#ifndef KT_SAN
#define KT_SAN 0
#endif

/* What the flood's handler saw for one execution. */
struct flood {
	char parent[64];
	long next;       /* the next number expected */
	long messages;   /* stream messages */
	int idle;        /* status: idle for the parent came */
	char bad[160];   /* the first surprise, "" if none */
	char partial[32]; /* a line not yet ended by "\n" */
	size_t plen;
};

static void flood_line(struct flood *f, const char *s, size_t n)
{
	char *end;
	char buf[32];
	long v;

	if (f->bad[0])
		return;
	snprintf(buf, sizeof buf, "%.*s", (int)(n < sizeof buf - 1 ? n : sizeof buf - 1), s);
	v = strtol(buf, &end, 10);
	if (!n || n >= sizeof buf - 1 || *end || v != f->next)
		snprintf(f->bad, sizeof f->bad, "line %ld is \"%s\"", f->next, buf);
	else
		f->next++;
}

static void flood_iopub(struct kc_client *kc, const struct kc_msg *m, void *ud)
{
	struct flood *f = ud;
	const char *name, *s, *nl;

	if (strcmp(m->parent_id, f->parent))
		return;
	if (!strcmp(m->msg_type, "status")) {
		s = json_string_value(json_object_get(m->content, "execution_state"));
		f->idle |= s && !strcmp(s, "idle");
		return;
	}
	if (strcmp(m->msg_type, "stream"))
		return;
	name = json_string_value(json_object_get(m->content, "name"));
	s = json_string_value(json_object_get(m->content, "text"));
	if (!name || strcmp(name, "stdout") || !s)
		return;
	f->messages++;
	/* Lines may be split across messages (xeus-python sends print's "\n" on its own). */
	while ((nl = strchr(s, '\n'))) {
		size_t n = (size_t)(nl - s);

		if (f->plen) {
			if (f->plen + n < sizeof f->partial) {
				memcpy(f->partial + f->plen, s, n);
				n += f->plen;
			} else {
				n = sizeof f->partial;
			}
			flood_line(f, f->partial, n);
			f->plen = 0;
		} else {
			flood_line(f, s, n);
		}
		s = nl + 1;
	}
	for (; *s && f->plen < sizeof f->partial - 1; s++)
		f->partial[f->plen++] = *s;
}

struct lost_reply {
	int done, lost;
	enum kc_status status;
};

static void lost_cb(struct kc_client *kc, const char *id, enum kc_status st,
		    const struct kc_msg *reply, void *ud)
{
	struct lost_reply *r = ud;

	r->done++;
	r->status = st;
	r->lost = kc_client_output_lost(kc);
}

static long flood_max(void)
{
	const char *e = getenv("KT_FLOOD_MAX");

	return e && *e ? atol(e) : KT_SAN ? 10000 : 1000000;
}

/* The code that makes one stream message per line on each kernel. */
static const char *flood_code(const char *kernel, long n)
{
	if (!strcmp(kernel, "xpython"))
		return "import sys, time\n"
		       "for i in range(%ld):\n"
		       "    sys.stdout.write('%%d\\n' %% i)\n"
		       "    sys.stdout.flush()\n"
		       "    if i %% 100 == 99: time.sleep(0.001)\n";
	if (n > 100000)
		return "import time\n"
		       "k = get_ipython().kernel\n"
		       "p = k.get_parent('shell')\n"
		       "for i in range(%ld):\n"
		       "    k.session.send(k.iopub_socket, 'stream', {'name': 'stdout', 'text': '%%d\\n' %% i}, parent=p)\n"
		       "    if i %% 100 == 99: time.sleep(0.001)\n";
	return "for i in range(%ld): print(i, flush=True)\n";
}

static void flood(const char *kernel, long n)
{
	struct kt *t;
	struct flood f = {0};
	struct lost_reply r = {0};
	char code[512];
	const char *id;
	double t0;

	if (n > flood_max()) {
		printf("# skip %s %ld-line flood: above KT_FLOOD_MAX=%ld%s\n", kernel, n, flood_max(),
		       KT_SAN ? " (sanitizer build)" : "");
		return;
	}
	t = kt_start(kernel);
	kc_client_set_handlers(t->kc, &(struct kc_handlers){.iopub = flood_iopub, .ud = &f});
	snprintf(code, sizeof code, flood_code(kernel, n), n);
	t0 = kt_now();
	id = kc_client_execute(t->kc, code, 0, lost_cb, &r);
	assert_non_null(id);
	snprintf(f.parent, sizeof f.parent, "%s", id);
	/* Generous: a loaded machine; the deadline is a hang guard, not a measurement. */
	kc_client_run(t->kc, &r.done, 120000 + n / 2);
	printf("# %s: %ld lines, %ld messages, %.1f s\n", kernel, f.next, f.messages,
	       kt_now() - t0);
	if (f.bad[0])
		fail_msg("%s flood of %ld: %s", kernel, n, f.bad);
	assert_int_equal(r.done, 1);
	assert_int_equal(r.status, KC_OK);
	assert_int_equal(r.lost, 0);
	assert_true(f.idle);
	assert_int_equal(f.plen, 0);
	assert_int_equal(f.next, n);
	assert_int_equal(kc_client_state(t->kc), KC_IDLE);
	kt_free(t);
}

static void test_flood_10k(void **state)
{
	flood(*state, 10000);
}

static void test_flood_100k(void **state)
{
	flood(*state, 100000);
}

static void test_flood_1m(void **state)
{
	flood(*state, 1000000);
}

/*
 * The kernel drops this execution's idle (ipykernel's status publisher patched for one call, as
 * a full send queue would drop it): the execute_reply comes, iopub goes silent, and after the
 * grace period the request finishes with its reply's status, flagged as having lost output, and
 * the kernel counts as idle again. The next execution is normal.
 */
static void test_idle_dropped_by_kernel(void **state)
{
	struct kt *t = kt_start("python3");
	struct lost_reply r = {0};
	struct kt_reply ok;
	double t0;

	assert_non_null(kc_client_execute(
		t->kc,
		"k = get_ipython().kernel\n"
		"orig = k._publish_status\n"
		"def once(status, *a, **kw):\n"
		"    if status == 'idle':\n"
		"        k._publish_status = orig\n"
		"        return\n"
		"    return orig(status, *a, **kw)\n"
		"k._publish_status = once\n"
		"print('before the drop', flush=True)\n",
		0, lost_cb, &r));
	t0 = kt_now();
	kc_client_run(t->kc, &r.done, KT_DEADLINE_MS);
	printf("# finished %.1f s after sending\n", kt_now() - t0);
	assert_int_equal(r.done, 1);
	assert_int_equal(r.status, KC_OK);
	assert_int_equal(r.lost, 1);
	assert_int_equal(kc_client_state(t->kc), KC_IDLE);
	assert_int_equal(kt_exec(t, "print('after')", &ok), KC_OK);
	assert_int_equal(kc_client_output_lost(t->kc), 0);
	json_decref(ok.content);
	kt_free(t);
}

int main(void)
{
	kt_filter();
	const struct CMUnitTest tests[] = {
		KT_BOTH(test_flood_10k),
		KT_BOTH(test_flood_100k),
		KT_BOTH(test_flood_1m),
		cmocka_unit_test(test_idle_dropped_by_kernel),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
