// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * libkernelclient against real kernels: Debian's ipykernel (python3) and xeus-python (xpython).
 * Each check runs on both unless the kernel is known not to support it; measured times (interrupt,
 * death) are printed as TAP comments, and the deadlines are generous bounds, not measurements.
 */
#include "tests/integration/kctest.h"

#include <errno.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "kernelclient/kc_private.h"

static const char *kernel_of(void **state)
{
	return *state;
}

static void test_kernel_info(void **state)
{
	struct kt *t = kt_start(kernel_of(state));
	json_t *info = kc_client_info(t->kc), *li = json_object_get(info, "language_info");

	assert_non_null(info);
	assert_string_equal(json_string_value(json_object_get(li, "name")), "python");
	assert_non_null(json_string_value(json_object_get(info, "protocol_version")));
	assert_int_equal(kc_client_state(t->kc), KC_IDLE);
	/* A kernel_info request through the ordinary request path, too. */
	struct kt_reply r = {0};
	assert_non_null(kc_client_request(t->kc, KC_SHELL, "kernel_info_request", NULL, 0,
					  kt_reply_cb, &r));
	kt_wait(t, &r, KT_DEADLINE_MS);
	assert_int_equal(r.status, KC_OK);
	assert_non_null(json_object_get(r.content, "implementation"));
	json_decref(r.content);
	kt_free(t);
}

static void test_execute_stream_result_error(void **state)
{
	struct kt *t = kt_start(kernel_of(state));
	struct kt_reply r;
	char *out;
	json_t *res, *err;

	assert_int_equal(kt_exec(t, "import sys\nprint('hello')\nprint('oops', file=sys.stderr)\n6*7",
				 &r),
			 KC_OK);
	out = kt_stream(t, r.id, "stdout");
	assert_string_equal(out, "hello\n");
	free(out);
	out = kt_stream(t, r.id, "stderr");
	assert_string_equal(out, "oops\n");
	free(out);
	res = kt_find(t, r.id, "execute_result");
	assert_non_null(res);
	assert_string_equal(json_string_value(json_object_get(json_object_get(res, "data"),
							      "text/plain")),
			    "42");
	assert_true(json_integer_value(json_object_get(r.content, "execution_count")) >= 1);
	json_decref(r.content);
	/* The request finished only after its idle: the output is all there already. */
	assert_non_null(kt_find(t, r.id, "status"));

	assert_int_equal(kt_exec(t, "1/0", &r), KC_ERROR);
	err = kt_find(t, r.id, "error");
	assert_non_null(err);
	assert_non_null(strstr(json_string_value(json_object_get(err, "ename")),
			       "ZeroDivisionError"));
	assert_true(json_array_size(json_object_get(err, "traceback")) > 0);
	json_decref(r.content);
	kt_free(t);
}

static void test_stdin_roundtrip(void **state)
{
	struct kt *t = kt_start(kernel_of(state));
	struct kt_reply r;
	char *out;

	/* input() is the first thing run: readiness includes the stdin connection, so the kernel's
	 * input_request cannot be sent before its ROUTER knows us (test_ready_waits_for_stdin). */
	t->input_answer = "Ada";
	assert_int_equal(kt_exec(t, "name = input('who? ')\nprint('hello', name)", &r), KC_OK);
	json_decref(r.content);
	out = kt_stream(t, r.id, "stdout");
	assert_non_null(strstr(out, "hello Ada"));
	free(out);
	assert_int_equal(t->inputs, 1);
	assert_string_equal(t->last_prompt, "who? ");
	assert_int_equal(t->last_password, 0);
	t->input_answer = "s3cret";
	assert_int_equal(kt_exec(t, "import getpass\np = getpass.getpass('pw: ')\nprint(len(p))", &r),
			 KC_OK);
	json_decref(r.content);
	out = kt_stream(t, r.id, "stdout");
	assert_non_null(strstr(out, "6"));
	free(out);
	assert_int_equal(t->inputs, 2);
	assert_int_equal(t->last_password, 1);
	kt_free(t);
}

static void test_complete_inspect_is_complete(void **state)
{
	struct kt *t = kt_start(kernel_of(state));
	struct kt_reply r = {0};
	json_t *m;
	size_t i;
	int found = 0;

	kc_client_complete(t->kc, "import os\nos.pa", 15, kt_reply_cb, &r);
	kt_wait(t, &r, KT_DEADLINE_MS);
	assert_int_equal(r.status, KC_OK);
	json_array_foreach(json_object_get(r.content, "matches"), i, m)
		found |= strstr(json_string_value(m), "path") != NULL;
	assert_true(found);
	assert_int_equal(json_integer_value(json_object_get(r.content, "cursor_end")), 15);
	json_decref(r.content);

	memset(&r, 0, sizeof r);
	kc_client_inspect(t->kc, "len", 3, 0, kt_reply_cb, &r);
	kt_wait(t, &r, KT_DEADLINE_MS);
	assert_int_equal(r.status, KC_OK);
	assert_true(json_is_true(json_object_get(r.content, "found")));
	assert_true(json_object_size(json_object_get(r.content, "data")) > 0);
	json_decref(r.content);

	static const struct { const char *code, *want; } cases[] = {
		{"for i in range(3):", "incomplete"}, {"1+1", "complete"}, {"1 +* 2", "invalid"}};
	for (size_t k = 0; k < 3; k++) {
		memset(&r, 0, sizeof r);
		kc_client_is_complete(t->kc, cases[k].code, kt_reply_cb, &r);
		kt_wait(t, &r, KT_DEADLINE_MS);
		assert_int_equal(r.status, KC_OK);
		const char *st = json_string_value(json_object_get(r.content, "status"));
		/* xeus-python cannot tell invalid from complete; ipykernel can. */
		if (strcmp(cases[k].want, "invalid") || !strcmp(kernel_of(state), "python3"))
			assert_string_equal(st, cases[k].want);
		json_decref(r.content);
	}
	kt_free(t);
}

/* history, comm_info, and a comm opened, messaged and closed from the client side. */
static void test_history_and_comms(void **state)
{
	struct kt *t = kt_start(kernel_of(state));
	struct kt_reply r = {0}, x;
	json_t *h;

	assert_int_equal(kt_exec(t, "a_marker_line = 1", &x), KC_OK);
	json_decref(x.content);
	assert_non_null(kc_client_request(t->kc, KC_SHELL, "history_request",
					  json_pack("{s:b, s:b, s:s, s:i}", "output", 0, "raw", 1,
						    "hist_access_type", "tail", "n", 10),
					  0, kt_reply_cb, &r));
	kt_wait(t, &r, KT_DEADLINE_MS);
	assert_int_equal(r.status, KC_OK);
	h = json_object_get(r.content, "history");
	assert_true(json_is_array(h));
	/* ipykernel lists the line just run; xeus-python 0.14 keeps no history here. */
	if (!strcmp(kernel_of(state), "python3")) {
		json_t *e = json_array_get(h, json_array_size(h) - 1);
		assert_string_equal(json_string_value(json_array_get(e, 2)), "a_marker_line = 1");
	}
	json_decref(r.content);

	memset(&r, 0, sizeof r);
	assert_non_null(kc_client_request(t->kc, KC_SHELL, "comm_info_request", NULL, 0,
					  kt_reply_cb, &r));
	kt_wait(t, &r, KT_DEADLINE_MS);
	assert_int_equal(r.status, KC_OK);
	assert_true(json_is_object(json_object_get(r.content, "comms")));
	json_decref(r.content);

	/* A comm the kernel opens on request: register a target, open from here, get a message. */
	if (!strcmp(kernel_of(state), "python3")) {
		assert_int_equal(kt_exec(t,
					 "def _t(comm, msg):\n"
					 "    comm.on_msg(lambda m: comm.send({'echo': m['content']['data']}))\n"
					 "get_ipython().kernel.comm_manager.register_target('kt.echo', _t)",
					 &x),
				 KC_OK);
		json_decref(x.content);
		assert_non_null(kc_client_send(t->kc, KC_SHELL, "comm_open",
					       json_pack("{s:s, s:s, s:{}}", "comm_id", "c0ffee",
							 "target_name", "kt.echo", "data")));
		assert_non_null(kc_client_send(t->kc, KC_SHELL, "comm_msg",
					       json_pack("{s:s, s:{s:i}}", "comm_id", "c0ffee",
							 "data", "n", 7)));
		json_t *echo = NULL;
		for (double end = kt_now() + 30; !echo && kt_now() < end;) {
			int never = 0;
			json_t *c = kt_find(t, NULL, "comm_msg");

			kc_client_run(t->kc, &never, 50);
			if (c && json_object_get(json_object_get(c, "data"), "echo"))
				echo = json_object_get(json_object_get(c, "data"), "echo");
		}
		assert_non_null(echo);
		assert_int_equal(json_integer_value(json_object_get(echo, "n")), 7);
		assert_non_null(kc_client_send(t->kc, KC_SHELL, "comm_close",
					       json_pack("{s:s, s:{}}", "comm_id", "c0ffee", "data")));
	}
	kt_free(t);
}

/* ipykernel: time.sleep(60) interrupted; the reply says KeyboardInterrupt. */
static void test_interrupt(void **state)
{
	struct kt *t = kt_start(kernel_of(state));
	struct kt_reply r = {0}, warm;
	double t0, took;
	int is_ipykernel = !strcmp(kernel_of(state), "python3");

	kt_exec(t, "import time", &warm);
	json_decref(warm.content);
	kc_client_execute(t->kc, "print('sleeping', flush=True); time.sleep(60)", 0, kt_reply_cb,
			  &r);
	/* Interrupt once the cell is really running (its output arrived). */
	kt_wait_stdout(t, "sleeping", 30);
	t0 = kt_now();
	kc_client_interrupt(t->kc);
	kc_client_run(t->kc, &r.done, 20000);
	took = kt_now() - t0;
	if (is_ipykernel) {
		assert_int_equal(r.done, 1);
		assert_int_equal(r.status, KC_ERROR);
		assert_non_null(strstr(json_string_value(json_object_get(r.content, "ename")),
				       "KeyboardInterrupt"));
		printf("# %s: interrupt of time.sleep(60) took %.3f s\n", kernel_of(state), took);
		assert_true(took < 10);
	} else {
		/* Debian's xeus-python exits on SIGINT: bobbin must see it, not hang. */
		assert_int_equal(r.done, 1);
		printf("# %s: after interrupt: request %s, kernel %s (%.3f s)\n", kernel_of(state),
		       kc_status_name(r.status), kc_state_name(kc_client_state(t->kc)), took);
		assert_true(r.status == KC_CANCELLED || r.status == KC_ERROR);
	}
	json_decref(r.content);
	kt_free(t);
}

static void test_restart(void **state)
{
	struct kt *t = kt_start(kernel_of(state));
	struct kt_reply r;
	struct kc_error err = {0};
	pid_t before = kc_client_pid(t->kc);

	assert_int_equal(kt_exec(t, "marker = 41", &r), KC_OK);
	json_decref(r.content);
	assert_int_equal(kc_client_restart(t->kc, &err), 0);
	assert_false(kt_alive(before));
	assert_int_equal(kc_client_wait_ready(t->kc, KT_DEADLINE_MS, &err), 0);
	assert_int_not_equal(kc_client_pid(t->kc), before);
	/* Readiness after a restart waits for the new stdin connection too. */
	t->input_answer = "again";
	assert_int_equal(kt_exec(t, "print(input('> '))", &r), KC_OK);
	json_decref(r.content);
	assert_int_equal(t->inputs, 1);
	/* The new kernel does not know the old one's variables. */
	assert_int_equal(kt_exec(t, "marker", &r), KC_ERROR);
	json_decref(r.content);
	assert_int_equal(kt_exec(t, "print('again')", &r), KC_OK);
	json_decref(r.content);
	kt_free(t);
}

static void test_shutdown_leaves_nothing(void **state)
{
	struct kt *t = kt_start(kernel_of(state));
	pid_t pid = kc_client_pid(t->kc);
	char connfile[4096];
	double t0 = kt_now();

	snprintf(connfile, sizeof connfile, "%s", kc_client_connfile(t->kc));
	assert_true(kt_alive(pid));
	assert_int_equal(kc_client_shutdown(t->kc), 0);
	printf("# %s: shutdown took %.3f s\n", kernel_of(state), kt_now() - t0);
	assert_false(kt_alive(pid));
	/* Nothing left in its process group either. */
	assert_int_equal(killpg(pid, 0), -1);
	kt_free(t);
	assert_int_equal(access(connfile, F_OK), -1);
}

static void test_kill9_is_dead(void **state)
{
	struct kt *t = kt_start(kernel_of(state));
	struct kt_reply r = {0};
	double t0;

	kc_client_execute(t->kc, "import time; time.sleep(60)", 0, kt_reply_cb, &r);
	t0 = kt_now();
	kill(kc_client_pid(t->kc), SIGKILL);
	kc_client_run(t->kc, &r.done, 20000);
	printf("# %s: kill -9 seen as dead after %.3f s\n", kernel_of(state), kt_now() - t0);
	assert_int_equal(kc_client_state(t->kc), KC_DEAD);
	assert_int_equal(r.done, 1);
	assert_int_equal(r.status, KC_CANCELLED);
	assert_int_equal(t->states[KC_DEAD], 1);
	assert_true(kt_now() - t0 < 10);
	/* Requests to a dead kernel fail at once. */
	assert_null(kc_client_execute(t->kc, "1", 0, NULL, NULL));
	kt_free(t);
}

/* A kernel that dies at start, and one that cannot be executed, are reported with a cause. */
static void test_bad_kernels(void **state)
{
	char dir[128], spec[256], path[300];
	struct kc_error err = {0};
	struct kc_kernelspec *ks;
	struct kc_client *kc;
	FILE *f;

	snprintf(dir, sizeof dir, "/tmp/bobbin-bad-XXXXXX");
	assert_non_null(mkdtemp(dir));
	setenv("JUPYTER_RUNTIME_DIR", dir, 1);
	snprintf(spec, sizeof spec, "%s/dies", dir);
	mkdir(spec, 0700);
	snprintf(path, sizeof path, "%s/kernel.json", spec);
	f = fopen(path, "w");
	fputs("{\"argv\":[\"/bin/sh\",\"-c\",\"echo 'ImportError: no module named foo' >&2; exit "
	      "3\"],\"display_name\":\"d\",\"language\":\"x\"}",
	      f);
	fclose(f);
	ks = kc_kernelspec_load(spec, "dies", &err);
	assert_non_null(ks);
	kc = kc_client_launch(ks, NULL, &err);
	assert_non_null(kc);
	assert_int_equal(kc_client_wait_ready(kc, 20000, &err), -1);
	assert_non_null(strstr(err.text, "died"));
	assert_non_null(strstr(err.text, "no module named foo"));
	kc_client_free(kc, 0);
	kc_kernelspec_free(ks);

	snprintf(path, sizeof path, "%s/kernel.json", spec);
	f = fopen(path, "w");
	fputs("{\"argv\":[\"/nonexistent/kernel\",\"{connection_file}\"],\"display_name\":\"d\","
	      "\"language\":\"x\"}",
	      f);
	fclose(f);
	ks = kc_kernelspec_load(spec, "dies", &err);
	assert_null(kc_client_launch(ks, NULL, &err));
	assert_non_null(strstr(err.text, "/nonexistent/kernel"));
	assert_non_null(strstr(err.text, "No such file"));
	kc_kernelspec_free(ks);

	/* A kernel that never answers: sleeps instead of binding. */
	f = fopen(path, "w");
	fputs("{\"argv\":[\"sleep\",\"60\"],\"display_name\":\"d\",\"language\":\"x\"}", f);
	fclose(f);
	ks = kc_kernelspec_load(spec, "dies", &err);
	kc = kc_client_launch(ks, NULL, &err);
	pid_t pid = kc_client_pid(kc);
	assert_int_equal(kc_client_wait_ready(kc, 2000, &err), -1);
	assert_non_null(strstr(err.text, "did not answer"));
	kc_client_free(kc, 0);
	assert_false(kt_alive(pid));
	kc_kernelspec_free(ks);
	snprintf(path, sizeof path, "rm -rf '%s'", dir);
	assert_int_equal(system(path), 0);
	unsetenv("JUPYTER_RUNTIME_DIR");
}

struct sigcount {
	int good;
};

static void count_iopub(struct kc_client *kc, const struct kc_msg *m, void *ud)
{
	struct sigcount *c = ud;

	if (!strcmp(m->msg_type, "stream"))
		c->good++;
	assert_string_not_equal(m->msg_type, "forged");
}

/* A message with a wrong signature is dropped and counted; a good one goes through. */
static void test_wrong_signature_dropped(void **state)
{
	void *ctx = zmq_ctx_new(), *pub = zmq_socket(ctx, ZMQ_PUB), *router[4];
	struct kc_conninfo ci;
	struct kcp_session good, forger;
	struct kc_error err = {0};
	struct kc_client *kc;
	struct sigcount c = {0};
	char dir[64] = "/tmp/bobbin-sig-XXXXXX", path[128], ep[64];
	int zero = 0;

	assert_non_null(mkdtemp(dir));
	kc_conn_init_local(&ci, NULL);
	snprintf(ep, sizeof ep, "tcp://127.0.0.1:%d", ci.iopub_port);
	assert_int_equal(zmq_bind(pub, ep), 0);
	int ports[4] = {ci.shell_port, ci.control_port, ci.stdin_port, ci.hb_port};
	for (int i = 0; i < 4; i++) {
		router[i] = zmq_socket(ctx, i == 3 ? ZMQ_REP : ZMQ_ROUTER);
		snprintf(ep, sizeof ep, "tcp://127.0.0.1:%d", ports[i]);
		zmq_bind(router[i], ep);
	}
	snprintf(path, sizeof path, "%s/kernel-fake.json", dir);
	assert_int_equal(kc_conn_write(path, &ci, &err), 0);
	kc = kc_client_attach(path, &err);
	assert_non_null(kc);
	kc_client_set_handlers(kc, &(struct kc_handlers){.iopub = count_iopub, .ud = &c});
	kcp_session_init(&good, ci.key, "hmac-sha256", NULL);
	kcp_session_init(&forger, "wrong key", "hmac-sha256", NULL);
	/* PUB drops until the subscription arrives: keep publishing both until the good one lands. */
	for (double end = kt_now() + 20; !c.good && kt_now() < end;) {
		zmq_msg_t frames[6];
		int never = 0, n;

		json_t *fh = kcp_header(&forger, "forged"), *fc = json_pack("{s:s}", "text", "evil");
		n = kcp_serialize(&forger, fh, NULL, NULL, fc, frames, 6);
		json_decref(fh);
		json_decref(fc);
		for (int i = 0; i < n; i++)
			zmq_msg_send(&frames[i], pub, i < n - 1 ? ZMQ_SNDMORE : 0);
		json_t *h = kcp_header(&good, "stream"), *ct = json_pack("{s:s,s:s}", "name", "stdout",
									  "text", "fine");
		n = kcp_serialize(&good, h, NULL, NULL, ct, frames, 6);
		json_decref(h);
		json_decref(ct);
		for (int i = 0; i < n; i++)
			zmq_msg_send(&frames[i], pub, i < n - 1 ? ZMQ_SNDMORE : 0);
		kc_client_run(kc, &never, 100);
	}
	assert_true(c.good >= 1);
	assert_true(kc_client_dropped(kc) >= 1);
	printf("# forged messages dropped: %lu, good ones delivered: %d\n", kc_client_dropped(kc),
	       c.good);
	kc_client_free(kc, 1);
	kcp_session_clear(&good);
	kcp_session_clear(&forger);
	zmq_setsockopt(pub, ZMQ_LINGER, &zero, sizeof zero);
	zmq_close(pub);
	for (int i = 0; i < 4; i++) {
		zmq_setsockopt(router[i], ZMQ_LINGER, &zero, sizeof zero);
		zmq_close(router[i]);
	}
	zmq_ctx_term(ctx);
	unlink(path);
	rmdir(dir);
}

/* A fake kernel for the readiness tests, driven from the test's own loop: it answers
 * kernel_info_request, turns execute_request into an input_request, publishes a status on every
 * pass, and binds its stdin ROUTER only when told to. */
struct fake {
	void *ctx, *pub, *shell, *control, *stdin_;
	struct kc_conninfo ci;
	struct kcp_session sess;
	char dir[64], path[128];
	int input_sent, unroutable;
	/* Publish a status only for each kernel_info_request, as kernels do, and none before
	 * this time (kt_now()); 0: a status on every pass. */
	double status_from;
};

static void fake_start(struct fake *f)
{
	char ep[64];
	int one = 1;
	struct kc_error err = {0};

	memset(f, 0, sizeof *f);
	snprintf(f->dir, sizeof f->dir, "/tmp/bobbin-fake-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	kc_conn_init_local(&f->ci, NULL);
	kcp_session_init(&f->sess, f->ci.key, "hmac-sha256", NULL);
	f->ctx = zmq_ctx_new();
	f->pub = zmq_socket(f->ctx, ZMQ_PUB);
	f->shell = zmq_socket(f->ctx, ZMQ_ROUTER);
	f->control = zmq_socket(f->ctx, ZMQ_ROUTER);
	f->stdin_ = zmq_socket(f->ctx, ZMQ_ROUTER);
	/* Refuse rather than drop a message for an identity the ROUTER has not seen. */
	zmq_setsockopt(f->stdin_, ZMQ_ROUTER_MANDATORY, &one, sizeof one);
	snprintf(ep, sizeof ep, "tcp://127.0.0.1:%d", f->ci.iopub_port);
	assert_int_equal(zmq_bind(f->pub, ep), 0);
	snprintf(ep, sizeof ep, "tcp://127.0.0.1:%d", f->ci.shell_port);
	assert_int_equal(zmq_bind(f->shell, ep), 0);
	snprintf(ep, sizeof ep, "tcp://127.0.0.1:%d", f->ci.control_port);
	assert_int_equal(zmq_bind(f->control, ep), 0);
	snprintf(f->path, sizeof f->path, "%s/kernel-fake.json", f->dir);
	assert_int_equal(kc_conn_write(f->path, &f->ci, &err), 0);
}

static void fake_bind_stdin(struct fake *f)
{
	char ep[64];

	snprintf(ep, sizeof ep, "tcp://127.0.0.1:%d", f->ci.stdin_port);
	assert_int_equal(zmq_bind(f->stdin_, ep), 0);
}

/* Sends a signed message, after an identity frame when ident is set. -1 when unroutable. */
static int fake_send(struct fake *f, void *sock, const zmq_msg_t *ident, const char *type,
		     json_t *parent, json_t *content)
{
	zmq_msg_t frames[6], id;
	json_t *h = kcp_header(&f->sess, type);
	int n = kcp_serialize(&f->sess, h, parent, NULL, content, frames, 6), rc = 0, e = 0;

	json_decref(h);
	json_decref(content);
	assert_int_equal(n, 6);
	if (ident) {
		zmq_msg_init(&id);
		zmq_msg_copy(&id, (zmq_msg_t *)ident);
		if ((rc = zmq_msg_send(&id, sock, ZMQ_SNDMORE)) < 0)
			e = errno;
		zmq_msg_close(&id);
	}
	for (int i = 0; i < n; i++) {
		if (rc >= 0 &&
		    (rc = zmq_msg_send(&frames[i], sock, i < n - 1 ? ZMQ_SNDMORE : 0)) < 0)
			e = errno;
		zmq_msg_close(&frames[i]);
	}
	errno = e;
	return rc < 0 ? -1 : 0;
}

/* One pass of the fake kernel. */
static void fake_serve(struct fake *f)
{
	zmq_msg_t frames[16];
	size_t n = 0;
	int more = 1;

	if (!f->status_from)
		fake_send(f, f->pub, NULL, "status", NULL,
			  json_pack("{s:s}", "execution_state", "idle"));
	while (more && n < 16) {
		zmq_msg_init(&frames[n]);
		if (zmq_msg_recv(&frames[n], f->shell, n ? 0 : ZMQ_DONTWAIT) < 0) {
			zmq_msg_close(&frames[n]);
			break;
		}
		more = zmq_msg_more(&frames[n++]);
	}
	if (n) {
		struct kc_msg *m = kcp_parse(&f->sess, frames, n);

		assert_non_null(m);
		if (!strcmp(m->msg_type, "kernel_info_request")) {
			if (f->status_from && kt_now() >= f->status_from)
				fake_send(f, f->pub, NULL, "status", m->header,
					  json_pack("{s:s}", "execution_state", "idle"));
			fake_send(f, f->shell, &frames[0], "kernel_info_reply", m->header,
				  json_pack("{s:s, s:s, s:{s:s}}", "status", "ok",
					    "protocol_version", "5.3", "language_info", "name",
					    "python"));
		} else if (!strcmp(m->msg_type, "execute_request")) {
			/* As ipykernel does, read the stdin socket before asking (which also lets
			 * the ROUTER take in new connections); a ROUTER learns an identity from a
			 * handshake that the client counts done a moment before its peer does, so
			 * an unroutable send is retried briefly and counted. */
			for (double end = kt_now() + 1; kt_now() < end; usleep(1000)) {
				char junk[64];

				while (zmq_recv(f->stdin_, junk, sizeof junk, ZMQ_DONTWAIT) >= 0)
					;
				if (fake_send(f, f->stdin_, &frames[0], "input_request", m->header,
					      json_pack("{s:s, s:b}", "prompt", "who? ", "password",
							0)) == 0) {
					f->input_sent = 1;
					break;
				}
				assert_int_equal(errno, EHOSTUNREACH);
				f->unroutable++;
			}
		}
		kc_msg_free(m);
	}
	for (size_t i = 0; i < n; i++)
		zmq_msg_close(&frames[i]);
}

static void fake_stop(struct fake *f)
{
	void *socks[] = {f->pub, f->shell, f->control, f->stdin_};
	int zero = 0;

	for (size_t i = 0; i < 4; i++) {
		zmq_setsockopt(socks[i], ZMQ_LINGER, &zero, sizeof zero);
		zmq_close(socks[i]);
	}
	zmq_ctx_term(f->ctx);
	kcp_session_clear(&f->sess);
	unlink(f->path);
	rmdir(f->dir);
}

/* Runs the client and the fake until the client leaves KC_STARTING or has its kernel_info
 * reply and an iopub message (rest_only), at most 20 s. */
static void fake_run_until(struct fake *f, struct kc_client *kc, int rest_only)
{
	for (double end = kt_now() + 20; kt_now() < end;) {
		int never = 0;

		if (kc_client_state(kc) != KC_STARTING ||
		    (rest_only && kc->ready_reply && kc->ready_iopub))
			return;
		fake_serve(f);
		kc_client_run(kc, &never, 10);
	}
}

/*
 * The client is not ready before its stdin DEALER has connected, even with the kernel_info reply
 * and iopub in: a kernel's first input_request would be dropped by its stdin ROUTER. The fake
 * binds stdin only after the rest is in; without the wait, the client turns idle at once and the
 * first check fails (the wait was disabled to see it fail). Then the first execute's
 * input_request is routable and reaches the client.
 */
static void test_ready_waits_for_stdin(void **state)
{
	struct fake f;
	struct kt t = {.input_answer = "Ada"};
	struct kc_error err = {0};
	struct kt_reply r = {0};
	long long bound;

	fake_start(&f);
	t.iopub = json_array();
	t.kc = kc_client_attach(f.path, &err);
	assert_non_null(t.kc);
	kc_client_set_handlers(t.kc, &(struct kc_handlers){.iopub = kt_iopub, .input = kt_input,
							    .state = kt_state, .ud = &t});
	fake_run_until(&f, t.kc, 1);
	assert_true(t.kc->ready_reply && t.kc->ready_iopub);
	/* Stdin is not bound: still starting, for a while (unless the bounded wait ran out). */
	for (double end = kt_now() + 0.3; kt_now() < end;) {
		int never = 0;

		fake_serve(&f);
		kc_client_run(t.kc, &never, 10);
		if (kc_client_state(t.kc) != KC_STARTING)
			assert_true(kcp_now_ms() - t.kc->ready_rest_at >= KCP_LINK_WAIT_MS);
	}
	fake_bind_stdin(&f);
	bound = kcp_now_ms();
	fake_run_until(&f, t.kc, 0);
	assert_int_equal(kc_client_state(t.kc), KC_IDLE);
	/* Ready because the connections came up, not because the wait ran out. */
	assert_true(t.kc->linked & 1u << KC_STDIN);
	assert_true(t.kc->linked & 1u << KC_CONTROL);
	printf("# ready %lld ms after stdin was bound\n", kcp_now_ms() - bound);
	assert_non_null(kc_client_execute(t.kc, "input('who? ')", 0, kt_reply_cb, &r));
	for (double end = kt_now() + 20; !t.inputs && kt_now() < end;) {
		int never = 0;

		fake_serve(&f);
		kc_client_run(t.kc, &never, 10);
	}
	printf("# input_request: sent %d, unroutable first %d times\n", f.input_sent, f.unroutable);
	assert_int_equal(f.input_sent, 1);
	assert_int_equal(t.inputs, 1);
	assert_string_equal(t.last_prompt, "who? ");
	kc_client_free(t.kc, 1);
	json_decref(t.iopub);
	fake_stop(&f);
}

/* A stdin port that never answers delays readiness by the bounded wait, no more. */
static void test_ready_without_stdin_is_bounded(void **state)
{
	struct fake f;
	struct kc_error err = {0};
	struct kc_client *kc;
	long long waited;

	fake_start(&f);
	kc = kc_client_attach(f.path, &err);
	assert_non_null(kc);
	fake_run_until(&f, kc, 0);
	assert_int_equal(kc_client_state(kc), KC_IDLE);
	waited = kcp_now_ms() - kc->ready_rest_at;
	printf("# ready without stdin after %lld ms more\n", waited);
	assert_true(waited >= KCP_LINK_WAIT_MS);
	assert_false(kc->linked & 1u << KC_STDIN);
	assert_true(kc->linked & 1u << KC_CONTROL);
	kc_client_free(kc, 1);
	fake_stop(&f);
}

/*
 * The kernel_info reply comes but its busy/idle went out before the subscription reached the
 * kernel (the slow joiner): the client asks again soon (from 50 ms, doubling), not after a second.
 * The fake kernel answers at once and publishes nothing for its first 300 ms; the client is
 * ready by the retry after that (~350 ms), where a 1 s retry made it ~1000 ms.
 */
static void test_ready_retry_is_quick(void **state)
{
	struct fake f;
	struct kc_error err = {0};
	struct kc_client *kc;
	double t0;
	long ms;

	fake_start(&f);
	fake_bind_stdin(&f);
	t0 = kt_now();
	f.status_from = t0 + 0.3;
	kc = kc_client_attach(f.path, &err);
	assert_non_null(kc);
	fake_run_until(&f, kc, 0);
	ms = (long)((kt_now() - t0) * 1000);
	printf("# ready %ld ms after attaching; the kernel published from 300 ms\n", ms);
	assert_int_equal(kc_client_state(kc), KC_IDLE);
	assert_true(ms >= 300);
	assert_true(ms < 900);
	kc_client_free(kc, 1);
	fake_stop(&f);
}

/* Attach with --existing to a kernel that jupyter_client started; leave it running on exit. */
static void test_attach_jupyter_client_kernel(void **state)
{
	char dir[64] = "/tmp/bobbin-att-XXXXXX", cmd[1024], line[4096], found[4096];
	struct kc_error err = {0};
	struct kt t = {0};
	struct kt_reply r;
	FILE *p;
	int kpid = 0;

	assert_non_null(mkdtemp(dir));
	setenv("JUPYTER_RUNTIME_DIR", dir, 1);
	snprintf(cmd, sizeof cmd,
		 "exec /usr/bin/python3 -c \"\n"
		 "import signal, sys, time, os\n"
		 "from jupyter_client import KernelManager\n"
		 "km = KernelManager(kernel_name='python3')\n"
		 "km.connection_file = os.path.join('%s', 'kernel-jc1.json')\n"
		 "km.start_kernel()\n"
		 "kc = km.client(); kc.start_channels(); kc.wait_for_ready(timeout=60)\n"
		 "print(km.provisioner.process.pid, os.getpid(), flush=True)\n"
		 "signal.signal(signal.SIGTERM, lambda *a: (km.shutdown_kernel(now=True), sys.exit(0)))\n"
		 "time.sleep(300)\n\"",
		 dir);
	assert_non_null(p = popen(cmd, "r"));
	assert_non_null(fgets(line, sizeof line, p));
	int mpid = 0;
	assert_int_equal(sscanf(line, "%d %d", &kpid, &mpid), 2);
	assert_true(kpid > 0 && mpid > 0);
	/* "jc1" is a substring of the file's name, as jupyter console resolves --existing. */
	assert_int_equal(kc_conn_find("jc1", found, sizeof found, &err), 0);
	t.iopub = json_array();
	t.kc = kc_client_attach(found, &err);
	assert_non_null(t.kc);
	kc_client_set_handlers(t.kc, &(struct kc_handlers){.iopub = kt_iopub, .ud = &t});
	assert_int_equal(kc_client_wait_ready(t.kc, KT_DEADLINE_MS, &err), 0);
	assert_int_equal(kt_exec(&t, "print('attached', 20 + 1)", &r), KC_OK);
	json_decref(r.content);
	char *out = kt_stream(&t, r.id, "stdout");
	assert_string_equal(out, "attached 21\n");
	free(out);
	kc_client_free(t.kc, 1);
	json_decref(t.iopub);
	/* Detaching leaves the kernel running. */
	assert_true(kt_alive(kpid));
	/* The manager's SIGTERM handler shuts its kernel down; pclose waits for it. */
	kill(mpid, SIGTERM);
	pclose(p);
	for (double end = kt_now() + 10; kt_alive(kpid) && kt_now() < end;)
		usleep(50000);
	assert_false(kt_alive(kpid));
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
	unsetenv("JUPYTER_RUNTIME_DIR");
}

int main(void)
{
	kt_filter();
	const struct CMUnitTest tests[] = {
		KT_BOTH(test_kernel_info),
		KT_BOTH(test_execute_stream_result_error),
		KT_BOTH(test_stdin_roundtrip),
		KT_BOTH(test_complete_inspect_is_complete),
		KT_BOTH(test_history_and_comms),
		KT_BOTH(test_interrupt),
		KT_BOTH(test_restart),
		KT_BOTH(test_shutdown_leaves_nothing),
		KT_BOTH(test_kill9_is_dead),
		cmocka_unit_test(test_bad_kernels),
		cmocka_unit_test(test_wrong_signature_dropped),
		cmocka_unit_test(test_ready_waits_for_stdin),
		cmocka_unit_test(test_ready_without_stdin_is_bounded),
		cmocka_unit_test(test_ready_retry_is_quick),
		cmocka_unit_test(test_attach_jupyter_client_kernel),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
