// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * libkernelclient against a kernel in another language and another implementation: Debian's
 * IRkernel (kernelspec "ir", R over pbdZMQ). One kernel serves the whole file (R starts slower
 * than Python and the machine is shared); the checks run in order on it and the last ones
 * interrupt and restart it. What differs from the Python kernels is written at each check.
 */
#include "tests/integration/kctest.h"

static struct kt *ir;

static int ir_up(void **state)
{
	ir = kt_start("ir");
	return 0;
}

static int ir_down(void **state)
{
	kt_free(ir);
	ir = NULL;
	return 0;
}

/* A shell request (content owned, may be NULL) run to its ok reply. */
static void ir_request(const char *type, json_t *content, struct kt_reply *r)
{
	memset(r, 0, sizeof *r);
	assert_non_null(kc_client_request(ir->kc, KC_SHELL, type, content, 0, kt_reply_cb, r));
	kt_wait(ir, r, KT_DEADLINE_MS);
	assert_int_equal(r->status, KC_OK);
}

static void test_ir_kernel_info(void **state)
{
	json_t *info = kc_client_info(ir->kc), *li = json_object_get(info, "language_info");

	assert_non_null(info);
	/* language_info.name is "R" (capital), the file extension ".r", no pygments lexer name. */
	assert_string_equal(json_string_value(json_object_get(li, "name")), "R");
	assert_string_equal(json_string_value(json_object_get(info, "implementation")), "IRkernel");
	assert_non_null(json_string_value(json_object_get(info, "protocol_version")));
	assert_int_equal(kc_client_state(ir->kc), KC_IDLE);
}

static void test_ir_execute(void **state)
{
	struct kt_reply r;
	char *out;
	json_t *res, *m;
	size_t i, results = 0;

	/* cat() is stdout, message() stderr (IRkernel adds a blank line after it). Every visible
	 * top-level value is shown, each as display_data: IRkernel sends no execute_result at
	 * all (IPython sends one, for the last expression only). */
	assert_int_equal(kt_exec(ir, "cat('hello\\n')\nmessage('oops')\n1+1\nx <- 6*7\nx", &r), KC_OK);
	out = kt_stream(ir, r.id, "stdout");
	assert_string_equal(out, "hello\n");
	free(out);
	out = kt_stream(ir, r.id, "stderr");
	assert_string_equal(out, "oops\n\n");
	free(out);
	json_array_foreach(ir->iopub, i, m)
		if (!strcmp(json_string_value(json_object_get(m, "msg_type")), "display_data") &&
		    !strcmp(json_string_value(json_object_get(m, "parent")), r.id))
			results++;
	assert_int_equal(results, 2);
	assert_null(kt_find(ir, r.id, "execute_result"));
	res = kt_find(ir, r.id, "display_data");
	assert_string_equal(json_string_value(json_object_get(json_object_get(res, "data"),
							      "text/plain")),
			    "[1] 2");
	assert_true(json_integer_value(json_object_get(r.content, "execution_count")) >= 1);
	json_decref(r.content);

	/* A data.frame comes as four textual forms; text/plain is always there. */
	assert_int_equal(kt_exec(ir, "data.frame(a = 1:2, b = c('x', 'y'))", &r), KC_OK);
	res = json_object_get(kt_find(ir, r.id, "display_data"), "data");
	assert_non_null(json_object_get(res, "text/plain"));
	assert_non_null(json_object_get(res, "text/html"));
	assert_non_null(json_object_get(res, "text/markdown"));
	assert_non_null(json_object_get(res, "text/latex"));
	json_decref(r.content);

	/* A plot is display_data with image/png (and a text/plain of "plot without title"). */
	assert_int_equal(kt_exec(ir, "plot(1:3)", &r), KC_OK);
	res = json_object_get(kt_find(ir, r.id, "display_data"), "data");
	assert_non_null(json_object_get(res, "image/png"));
	json_decref(r.content);

	/* A warning is stderr text, not an error: the reply is ok. */
	assert_int_equal(kt_exec(ir, "warning('careful'); 3", &r), KC_OK);
	out = kt_stream(ir, r.id, "stderr");
	assert_non_null(strstr(out, "careful"));
	free(out);
	json_decref(r.content);
}

static void test_ir_error(void **state)
{
	struct kt_reply r;
	json_t *err;
	const char *first;

	/* ename is the constant "ERROR", evalue the whole message with its newline; the traceback
	 * has plain lines (no ANSI colour, unlike IPython's), the first holding "Traceback:" after
	 * a newline of its own. */
	assert_int_equal(kt_exec(ir, "f <- function() stop('boom')\ng <- function() f()\ng()", &r),
			 KC_ERROR);
	err = kt_find(ir, r.id, "error");
	assert_non_null(err);
	assert_string_equal(json_string_value(json_object_get(err, "ename")), "ERROR");
	assert_string_equal(json_string_value(json_object_get(err, "evalue")), "Error in f(): boom\n");
	assert_true(json_array_size(json_object_get(err, "traceback")) >= 3);
	first = json_string_value(json_array_get(json_object_get(err, "traceback"), 0));
	assert_non_null(strstr(first, "boom"));
	assert_null(strchr(first, '\033'));
	json_decref(r.content);
}

static void test_ir_stdin(void **state)
{
	struct kt_reply r;
	char *out;

	ir->input_answer = "Ada";
	assert_int_equal(kt_exec(ir, "name <- readline('who? ')\ncat('hello', name, '\\n')", &r),
			 KC_OK);
	json_decref(r.content);
	out = kt_stream(ir, r.id, "stdout");
	assert_non_null(strstr(out, "hello Ada"));
	free(out);
	assert_int_equal(ir->inputs, 1);
	assert_string_equal(ir->last_prompt, "who? ");
	assert_int_equal(ir->last_password, 0);
}

static void test_ir_complete_inspect_is_complete(void **state)
{
	struct kt_reply r = {0};
	json_t *m;
	size_t i;
	int found = 0;

	/* R names have dots: the completion of "data.fr" replaces the whole word from 0. */
	ir_request("complete_request", json_pack("{s:s, s:i}", "code", "data.fr", "cursor_pos", 7),
		   &r);
	json_array_foreach(json_object_get(r.content, "matches"), i, m)
		found |= !strcmp(json_string_value(m), "data.frame");
	assert_true(found);
	assert_int_equal(json_integer_value(json_object_get(r.content, "cursor_start")), 0);
	assert_int_equal(json_integer_value(json_object_get(r.content, "cursor_end")), 7);
	json_decref(r.content);

	/* R's help as text/plain, with overstrikes (tui/kernel_quirks.h: kq_backspaces). */
	ir_request("inspect_request",
		   json_pack("{s:s, s:i, s:i}", "code", "paste", "cursor_pos", 5, "detail_level", 0),
		   &r);
	assert_true(json_is_true(json_object_get(r.content, "found")));
	assert_non_null(strchr(json_string_value(json_object_get(json_object_get(r.content, "data"),
								 "text/plain")),
			       '\b'));
	json_decref(r.content);

	/* An unfinished function body is incomplete; R tells invalid code from complete. */
	static const struct { const char *code, *want; } cases[] = {
		{"function(x) {", "incomplete"}, {"1+1", "complete"}, {"1 +* 2", "invalid"}};
	for (size_t k = 0; k < 3; k++) {
		ir_request("is_complete_request", json_pack("{s:s}", "code", cases[k].code), &r);
		assert_string_equal(json_string_value(json_object_get(r.content, "status")),
				    cases[k].want);
		json_decref(r.content);
	}

	/* IRkernel 1.3.2 nests the answer one level down, {"content": {"comms": []}}, and no
	 * comms is an empty array (R's empty list), not an object: bobbin does not read it. */
	ir_request("comm_info_request", NULL, &r);
	assert_true(json_object_get(r.content, "comms") ||
		    json_object_get(json_object_get(r.content, "content"), "comms"));
	json_decref(r.content);
	ir_request("history_request",
		   json_pack("{s:b, s:b, s:s, s:i}", "output", 0, "raw", 1, "hist_access_type",
			     "tail", "n", 10),
		   &r);
	assert_true(json_is_array(json_object_get(r.content, "history")));
	json_decref(r.content);
}

struct ir_queued {
	struct kt_reply r;
	int lost;
	double at;
};

static void ir_queued_cb(struct kc_client *kc, const char *id, enum kc_status st,
			 const struct kc_msg *reply, void *ud)
{
	struct ir_queued *q = ud;

	q->lost = kc_client_output_lost(kc);
	q->at = kt_now();
	kt_reply_cb(kc, id, st, reply, &q->r);
}

/* A cell queued behind one that fails is aborted: IRkernel answers "abort" and sends no
 * busy/idle for it (ipykernel does). bobbin must not call that lost output, nor wait long. */
static void test_ir_abort_after_error(void **state)
{
	struct ir_queued a = {0}, b = {0};

	assert_non_null(kc_client_execute(ir->kc, "Sys.sleep(0.3); stop('first fails')", 0,
					  ir_queued_cb, &a));
	assert_non_null(kc_client_execute(ir->kc, "cat('never\\n')", 0, ir_queued_cb, &b));
	kc_client_run(ir->kc, &b.r.done, KT_DEADLINE_MS);
	assert_int_equal(a.r.done, 1);
	assert_int_equal(b.r.done, 1);
	assert_int_equal(a.r.status, KC_ERROR);
	assert_int_equal(b.r.status, KC_ABORTED);
	assert_int_equal(b.lost, 0);
	printf("# ir: the aborted request finished %.3f s after the failed one\n", b.at - a.at);
	assert_true(b.at - a.at < 2.5);
	json_decref(a.r.content);
	json_decref(b.r.content);
}

/* Sys.sleep(60) interrupted by SIGINT (interrupt_mode is signal): no error message at all, the
 * reply's status is "abort" (the spec's old word; Python kernels raise KeyboardInterrupt). */
static void test_ir_interrupt(void **state)
{
	struct kt_reply r = {0}, after;
	double t0, took;

	kc_client_execute(ir->kc, "cat('sleeping\\n'); flush(stdout()); Sys.sleep(60)", 0,
			  kt_reply_cb, &r);
	kt_wait_stdout(ir, "sleeping", 30);
	t0 = kt_now();
	kc_client_interrupt(ir->kc);
	kc_client_run(ir->kc, &r.done, 20000);
	took = kt_now() - t0;
	assert_int_equal(r.done, 1);
	printf("# ir: interrupt of Sys.sleep(60) took %.3f s, reply %s\n", took,
	       kc_status_name(r.status));
	assert_int_equal(r.status, KC_ABORTED);
	assert_null(kt_find(ir, r.id, "error"));
	assert_true(took < 10);
	json_decref(r.content);
	/* The kernel lives on and runs the next cell. */
	assert_int_equal(kt_exec(ir, "1", &after), KC_OK);
	json_decref(after.content);
}

static void test_ir_restart(void **state)
{
	struct kt_reply r;
	struct kc_error err = {0};
	pid_t before = kc_client_pid(ir->kc);
	char *out;

	assert_int_equal(kt_exec(ir, "kept <- 1", &r), KC_OK);
	json_decref(r.content);
	assert_int_equal(kc_client_restart(ir->kc, &err), 0);
	assert_false(kt_alive(before));
	assert_int_equal(kc_client_wait_ready(ir->kc, KT_DEADLINE_MS, &err), 0);
	assert_int_not_equal(kc_client_pid(ir->kc), before);
	assert_int_equal(kt_exec(ir, "cat(exists('kept'), '\\n')", &r), KC_OK);
	out = kt_stream(ir, r.id, "stdout");
	assert_non_null(strstr(out, "FALSE"));
	free(out);
	json_decref(r.content);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ir_kernel_info),
		cmocka_unit_test(test_ir_execute),
		cmocka_unit_test(test_ir_error),
		cmocka_unit_test(test_ir_stdin),
		cmocka_unit_test(test_ir_complete_inspect_is_complete),
		cmocka_unit_test(test_ir_abort_after_error),
		cmocka_unit_test(test_ir_interrupt),
		cmocka_unit_test(test_ir_restart),
	};

	kt_filter();
	return cmocka_run_group_tests_name("ir", tests, ir_up, ir_down);
}
