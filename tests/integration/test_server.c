// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * libkernelclient's Jupyter Server transport against the real Debian jupyter-server (1.23), run
 * on loopback for this test: REST errors, round trips over both WebSocket framings (v1 and
 * legacy), a message with buffers, interrupt and restart through REST, and a dropped WebSocket
 * reconnected with the same session, whose missed output the server replays.
 */
#include "tests/integration/kctest.h"

#include <fcntl.h>

#include "tests/integration/jsrv.h"

static struct jsrv srv;
static const char *proto; /* "legacy" or NULL (v1) for the test at hand */

static struct kt *st_open(const char *token, const char *url, int attach_id)
{
	struct kt *t = calloc(1, sizeof *t);
	struct kc_error err = {0};
	struct kc_server_opts o = {.url = url ? url : srv.url,
	                           .token = token ? token : srv.token,
	                           .protocol = proto,
	                           .timeout_ms = 20000};

	t->iopub = json_array();
	snprintf(t->runtime, sizeof t->runtime, "/tmp/bobbin-kt-XXXXXX");
	assert_non_null(mkdtemp(t->runtime));
	t->kc = kc_client_launch_server(&o, "python3", &err);
	if (!t->kc)
		fail_msg("%s", err.text);
	kc_client_set_handlers(
	    t->kc, &(struct kc_handlers){
	               .iopub = kt_iopub, .input = kt_input, .state = kt_state, .ud = t});
	if (kc_client_wait_ready(t->kc, KT_DEADLINE_MS, &err) < 0)
		fail_msg("%s", err.text);
	(void)attach_id;
	return t;
}

static void test_rest_errors(void **state)
{
	struct kc_error err = {0};
	char bad[160];
	struct kc_server_opts o = {.url = srv.url, .token = "wrong", .timeout_ms = 10000};
	struct kc_client *kc;

	/* a wrong token: 403 with the URL, at attach and at launch */
	assert_null(kc_client_attach_server(&o, NULL, &err));
	printf("# %s\n", err.text);
	assert_non_null(strstr(err.text, "HTTP 403"));
	assert_non_null(strstr(err.text, srv.url));
	assert_non_null(kc = kc_client_launch_server(&o, "python3", &err));
	assert_int_equal(kc_client_wait_ready(kc, 20000, &err), -1);
	printf("# %s\n", err.text);
	assert_non_null(strstr(err.text, "HTTP 403"));
	assert_int_equal(kc_client_state(kc), KC_DEAD);
	kc_client_free(kc, 0);
	/* a wrong base path: the server's HTML 404 page */
	snprintf(bad, sizeof bad, "%snope/", srv.url);
	o = (struct kc_server_opts){.url = bad, .token = srv.token, .timeout_ms = 10000};
	assert_null(kc_client_attach_server(&o, NULL, &err));
	printf("# %s\n", err.text);
	assert_non_null(strstr(err.text, "HTTP 404: not a Jupyter Server API"));
	assert_non_null(strstr(err.text, bad));
	/* nobody listening */
	snprintf(bad, sizeof bad, "http://127.0.0.1:%d/", jsrv_free_port());
	o.url = bad;
	assert_null(kc_client_attach_server(&o, NULL, &err));
	printf("# %s\n", err.text);
	assert_non_null(strstr(err.text, bad));
	assert_non_null(strstr(err.text, "onnect"));
	/* no such kernel */
	o.url = srv.url;
	assert_null(kc_client_attach_server(&o, "ffffffff", &err));
	printf("# %s\n", err.text);
	assert_non_null(strstr(err.text, "no running kernel whose id starts with \"ffffffff\""));
	/* not a URL */
	o.url = "127.0.0.1:8888";
	assert_null(kc_client_attach_server(&o, NULL, &err));
	assert_non_null(strstr(err.text, "not an http:// or https:// URL"));
}

static void test_round_trip(void **state)
{
	struct kt_reply r;
	struct kt *t;
	char *out;

	proto = *state;
	t = st_open(NULL, NULL, 0);
	assert_int_equal(kt_exec(t, "print('hello', 6*7)", &r), KC_OK);
	json_decref(r.content);
	out = kt_stream(t, r.id, "stdout");
	assert_string_equal(out, "hello 42\n");
	free(out);
	printf("# framing: %s\n", kc_client_server_protocol(t->kc));
	assert_string_equal(kc_client_server_protocol(t->kc), proto ? "legacy" : "v1");
	/* an error reply, and completion (a shell request other than execute) */
	assert_int_equal(kt_exec(t, "1/0", &r), KC_ERROR);
	assert_non_null(kt_find(t, r.id, "error"));
	json_decref(r.content);
	memset(&r, 0, sizeof r);
	assert_non_null(kc_client_complete(t->kc, "impor", 5, kt_reply_cb, &r));
	kt_wait(t, &r, KT_DEADLINE_MS);
	assert_int_equal(r.status, KC_OK);
	json_decref(r.content);
	/* stdin through the WebSocket */
	t->input_answer = "typed";
	assert_int_equal(kt_exec(t, "print(input('name? '))", &r), KC_OK);
	json_decref(r.content);
	out = kt_stream(t, r.id, "stdout");
	assert_string_equal(out, "typed\n");
	free(out);
	assert_string_equal(t->last_prompt, "name? ");
	proto = NULL;
	kt_free(t);
}

/* A comm_open with a binary buffer from the kernel. */
static struct kc_buf got_buf;
static void buf_iopub(struct kc_client *kc, const struct kc_msg *m, void *ud)
{
	if (!strcmp(m->msg_type, "comm_open") && m->nbuffers == 1 && !got_buf.data) {
		got_buf.data = malloc(m->buffers[0].len + 1);
		memcpy(got_buf.data, m->buffers[0].data, m->buffers[0].len);
		got_buf.len = m->buffers[0].len;
	}
	kt_iopub(kc, m, ud);
}

static void test_buffers(void **state)
{
	struct kt_reply r;
	struct kt *t;

	proto = *state;
	t = st_open(NULL, NULL, 0);
	kc_client_set_handlers(t->kc, &(struct kc_handlers){.iopub = buf_iopub, .ud = t});
	memset(&got_buf, 0, sizeof got_buf);
	assert_int_equal(kt_exec(t,
	                         "from ipykernel.comm import Comm\n"
	                         "c = Comm(target_name='bobbin_test', data={'a': 1}, "
	                         "buffers=[b'\\x00\\x01bin\\xff' * 1000])",
	                         &r),
	                 KC_OK);
	json_decref(r.content);
	assert_non_null(got_buf.data);
	assert_int_equal(got_buf.len, 6000);
	assert_memory_equal(got_buf.data,
	                    "\x00\x01"
	                    "bin\xff",
	                    6);
	free(got_buf.data);
	proto = NULL;
	kt_free(t);
}

static void test_interrupt(void **state)
{
	struct kt *t = st_open(NULL, NULL, 0);
	struct kt_reply r = {0};
	const char *id = kc_client_execute(t->kc,
	                                   "import time\nprint('sleeping', flush=True)\n"
	                                   "time.sleep(60)",
	                                   0, kt_reply_cb, &r);
	double t0;

	assert_non_null(id);
	snprintf(r.id, sizeof r.id, "%s", id);
	kt_wait_stdout(t, "sleeping", 30);
	t0 = kt_now();
	assert_int_equal(kc_client_interrupt(t->kc), 0);
	kt_wait(t, &r, 30000);
	printf("# interrupt answered in %.0f ms\n", (kt_now() - t0) * 1000);
	assert_int_equal(r.status, KC_ERROR);
	assert_string_equal(json_string_value(json_object_get(r.content, "ename")),
	                    "KeyboardInterrupt");
	json_decref(r.content);
	kt_free(t);
}

static void test_restart(void **state)
{
	struct kt *t = st_open(NULL, NULL, 0);
	struct kt_reply r;
	struct kc_error err = {0};

	assert_int_equal(kt_exec(t, "x = 1", &r), KC_OK);
	json_decref(r.content);
	assert_int_equal(kc_client_restart(t->kc, &err), 0);
	assert_int_equal(kc_client_state(t->kc), KC_RESTARTING);
	assert_int_equal(kc_client_wait_ready(t->kc, KT_DEADLINE_MS, &err), 0);
	assert_int_equal(kt_exec(t, "x", &r), KC_ERROR); /* a new kernel: x is gone */
	assert_string_equal(json_string_value(json_object_get(r.content, "ename")), "NameError");
	json_decref(r.content);
	assert_int_equal(t->states[KC_RESTARTING], 1);
	assert_int_equal(t->states[KC_STARTING], 1);
	kt_free(t);
}

static void test_reconnect_replay(void **state)
{
	struct kt *t;
	struct kt_reply r = {0};
	const char *id;
	char *out;
	int lost_seen;

	proto = *state;
	t = st_open(NULL, NULL, 0);
	/* 'during' is printed 0.2 s after the drop, before the first reconnect (0.5 s) */
	id = kc_client_execute(t->kc,
	                       "import time\nprint('before', flush=True)\ntime.sleep(0.2)\n"
	                       "print('during', flush=True)",
	                       0, kt_reply_cb, &r);
	assert_non_null(id);
	snprintf(r.id, sizeof r.id, "%s", id);
	kt_wait_stdout(t, "before", 30);
	assert_int_equal(kc_client_server_drop(t->kc), 0);
	kt_wait(t, &r, KT_DEADLINE_MS);
	assert_int_equal(r.status, KC_OK);
	json_decref(r.content);
	lost_seen = t->states[KC_LINK_LOST];
	assert_int_equal(lost_seen, 1);
	assert_int_equal(kc_client_server_connects(t->kc), 2);
	out = kt_stream(t, r.id, "stdout");
	assert_string_equal(out, "before\nduring\n");
	free(out);
	assert_true(jsrv_logged(&srv, "Replaying"));
	/* and it works on */
	assert_int_equal(kt_exec(t, "print('after')", &r), KC_OK);
	json_decref(r.content);
	assert_int_equal(r.done, 1);
	proto = NULL;
	kt_free(t);
}

static pid_t hostile_pid; /* also stopped at the end when a check failed midway */

/* tests/integration/hostile_server.py in mode; its URL into url. */
static pid_t hostile(const char *mode, char *url, size_t size)
{
	int fds[2];
	pid_t pid;
	char buf[32] = "";
	FILE *f;

	assert_int_equal(pipe(fds), 0);
	if ((pid = fork()) == 0) {
		dup2(fds[1], 1);
		close(fds[0]);
		execl("/usr/bin/python3", "python3", "tests/integration/hostile_server.py", mode,
		      (char *)NULL);
		_exit(127);
	}
	close(fds[1]);
	f = fdopen(fds[0], "r");
	assert_non_null(fgets(buf, sizeof buf, f)); /* its port, once it listens */
	fclose(f);
	snprintf(url, size, "http://127.0.0.1:%d/", atoi(buf));
	return hostile_pid = pid;
}

static void hostile_stop(pid_t pid)
{
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	hostile_pid = 0;
}

static void test_hostile(void **state)
{
	char url[64];
	struct kc_error err = {0};
	struct kc_server_opts o = {.url = url, .token = "t", .timeout_ms = 1500};
	struct kc_client *kc;
	pid_t pid;
	double t0;

	/* a server that never answers: a bounded wait, then the URL and the cause */
	pid = hostile("silent", url, sizeof url);
	t0 = kt_now();
	assert_null(kc_client_attach_server(&o, NULL, &err));
	printf("# %s (%.1f s)\n", err.text, kt_now() - t0);
	assert_true(kt_now() - t0 < 5);
	assert_non_null(strstr(err.text, url));
	assert_non_null(strstr(err.text, "imeout"));
	hostile_stop(pid);
	/* HTML where JSON belongs (a login page) */
	pid = hostile("html", url, sizeof url);
	assert_null(kc_client_attach_server(&o, NULL, &err));
	printf("# %s\n", err.text);
	assert_non_null(strstr(err.text, "the answer is not JSON (HTML"));
	assert_null(strchr(err.text, '\x1b'));
	hostile_stop(pid);
	/* malformed and huge frames: dropped, then the WebSocket refused; the client is dead */
	pid = hostile("garbage", url, sizeof url);
	assert_non_null(kc = kc_client_attach_server(&o, NULL, &err));
	assert_int_equal(kc_client_wait_ready(kc, 10000, &err), -1);
	printf("# %s; dropped %lu\n", err.text, kc_client_dropped(kc));
	assert_non_null(strstr(err.text, url));
	assert_non_null(strstr(err.text, "128 MiB"));
	assert_true(kc_client_dropped(kc) >= 4);
	assert_int_equal(kc_client_state(kc), KC_DEAD);
	kc_client_free(kc, 0);
	hostile_stop(pid);
	/* the server closes the WebSocket */
	pid = hostile("close", url, sizeof url);
	assert_non_null(kc = kc_client_attach_server(&o, NULL, &err));
	assert_int_equal(kc_client_wait_ready(kc, 10000, &err), -1);
	printf("# %s\n", err.text);
	assert_non_null(strstr(err.text, "the server closed the WebSocket (code 1011)"));
	kc_client_free(kc, 0);
	hostile_stop(pid);
}

static int group_setup(void **state)
{
	return jsrv_start(&srv, "http", NULL);
}

static int group_teardown(void **state)
{
	if (hostile_pid)
		hostile_stop(hostile_pid);
	jsrv_stop(&srv);
	return 0;
}

int main(void)
{
	static const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_rest_errors),
	    cmocka_unit_test(test_hostile),
	    cmocka_unit_test_prestate(test_round_trip, NULL),
	    cmocka_unit_test_prestate(test_round_trip, "legacy"),
	    cmocka_unit_test_prestate(test_buffers, NULL),
	    cmocka_unit_test_prestate(test_buffers, "legacy"),
	    cmocka_unit_test(test_interrupt),
	    cmocka_unit_test(test_restart),
	    cmocka_unit_test_prestate(test_reconnect_replay, NULL),
	    cmocka_unit_test_prestate(test_reconnect_replay, "legacy"),
	};

	kt_filter();
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
