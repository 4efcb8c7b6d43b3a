// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * Unit tests of libkernelclient without sockets: signatures against messages signed by
 * jupyter_client (tests/data/kc/signed.json), framing with and without identities, headers and
 * dates, UTF-8 repair, connection files and their permissions, kernelspec discovery over temporary
 * JUPYTER_PATH trees, and the bad input of each kind.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <fcntl.h>
#include <sys/stat.h>

#include "kernelclient/kc_private.h"

static json_t *fixture(void)
{
	json_error_t je;
	json_t *j = json_load_file("tests/data/kc/signed.json", 0, &je);

	assert_non_null(j);
	return j;
}

static void frames_from(json_t *arr, zmq_msg_t *frames, size_t *n)
{
	size_t i;
	json_t *f;

	json_array_foreach(arr, i, f) {
		zmq_msg_init_size(&frames[i], json_string_length(f));
		memcpy(zmq_msg_data(&frames[i]), json_string_value(f), json_string_length(f));
	}
	*n = json_array_size(arr);
}

static void close_frames(zmq_msg_t *frames, size_t n)
{
	for (size_t i = 0; i < n; i++)
		zmq_msg_close(&frames[i]);
}

/* The signature jupyter_client computed verifies, and the parsed message is intact. */
static void test_signature_matches_jupyter_client(void **state)
{
	json_t *fx = fixture(), *c;
	size_t i;

	json_array_foreach(fx, i, c) {
		struct kcp_session s;
		zmq_msg_t frames[16];
		size_t n;
		struct kc_msg *m;

		assert_int_equal(kcp_session_init(&s, json_string_value(json_object_get(c, "key")),
						  json_string_value(json_object_get(c, "scheme")),
						  NULL),
				 0);
		frames_from(json_object_get(c, "frames"), frames, &n);
		m = kcp_parse(&s, frames, n);
		assert_non_null(m);
		assert_string_equal(m->msg_type, "execute_request");
		assert_string_equal(json_string_value(json_object_get(m->content, "code")),
				    "print('h\xc3\xa9llo \xe4\xb8\x96\xe7\x95\x8c')");
		assert_int_equal(s.dropped, 0);
		kc_msg_free(m);
		close_frames(frames, n);
		kcp_session_clear(&s);
	}
	json_decref(fx);
}

/* One changed byte in any signed frame, or a wrong key, drops the message and counts it. */
static void test_bad_signature_dropped(void **state)
{
	json_t *fx = fixture(), *c = json_array_get(fx, 0);
	struct kcp_session s, wrong;
	zmq_msg_t frames[16];
	size_t n;

	kcp_session_init(&s, json_string_value(json_object_get(c, "key")), "hmac-sha256", NULL);
	for (size_t k = 3; k < 8; k++) {
		frames_from(json_object_get(c, "frames"), frames, &n);
		((char *)zmq_msg_data(&frames[k]))[1] ^= 1;
		assert_null(kcp_parse(&s, frames, n));
		close_frames(frames, n);
	}
	assert_int_equal(s.dropped, 5);
	kcp_session_init(&wrong, "not the key", "hmac-sha256", NULL);
	frames_from(json_object_get(c, "frames"), frames, &n);
	assert_null(kcp_parse(&wrong, frames, n));
	assert_int_equal(wrong.dropped, 1);
	/* A missing delimiter is dropped too. */
	close_frames(frames, n);
	frames_from(json_object_get(c, "frames"), frames, &n);
	assert_null(kcp_parse(&s, frames + 3, n - 3));
	close_frames(frames, n);
	kcp_session_clear(&s);
	kcp_session_clear(&wrong);
	json_decref(fx);
}

/* What we sign, jupyter_client's algorithm verifies: re-sign the fixture's frames ourselves. */
static void test_sign_known_vector(void **state)
{
	json_t *fx = fixture(), *c = json_array_get(fx, 0), *fr = json_object_get(c, "frames");
	struct kcp_session s;
	const char *parts[4];
	size_t lens[4];
	char sig[200];

	kcp_session_init(&s, json_string_value(json_object_get(c, "key")), "hmac-sha256", NULL);
	for (int i = 0; i < 4; i++) {
		parts[i] = json_string_value(json_array_get(fr, 4 + i));
		lens[i] = json_string_length(json_array_get(fr, 4 + i));
	}
	kcp_sign(&s, parts, lens, sig);
	assert_string_equal(sig, json_string_value(json_array_get(fr, 3)));
	kcp_session_clear(&s);
	json_decref(fx);
}

/* Serialise then parse, with and without identity frames before the delimiter. */
static void test_framing_roundtrip(void **state)
{
	struct kcp_session s;
	zmq_msg_t frames[8], with_ids[10];
	json_t *h;
	int n;
	struct kc_msg *m;

	kcp_session_init(&s, "k3y", "hmac-sha256", NULL);
	h = kcp_header(&s, "custom_request");
	json_t *content = json_pack("{s:s}", "x", "\xe2\x82\xac");
	n = kcp_serialize(&s, h, NULL, NULL, content, frames, 8);
	json_decref(content);
	assert_int_equal(n, 6);
	m = kcp_parse(&s, frames, (size_t)n);
	assert_non_null(m);
	assert_string_equal(m->msg_type, "custom_request");
	assert_string_equal(m->parent_id, "");
	kc_msg_free(m);
	zmq_msg_init_size(&with_ids[0], 3);
	memcpy(zmq_msg_data(&with_ids[0]), "id1", 3);
	zmq_msg_init_size(&with_ids[1], 3);
	memcpy(zmq_msg_data(&with_ids[1]), "id2", 3);
	for (int i = 0; i < n; i++) {
		zmq_msg_init(&with_ids[2 + i]);
		zmq_msg_copy(&with_ids[2 + i], &frames[i]);
	}
	m = kcp_parse(&s, with_ids, (size_t)n + 2);
	assert_non_null(m);
	assert_string_equal(json_string_value(json_object_get(m->content, "x")), "\xe2\x82\xac");
	kc_msg_free(m);
	close_frames(frames, (size_t)n);
	close_frames(with_ids, (size_t)n + 2);
	json_decref(h);
	kcp_session_clear(&s);
}

static void test_header_fields(void **state)
{
	struct kcp_session s;
	json_t *h;
	regex_t date, uuid;

	kcp_session_init(&s, "", NULL, NULL);
	h = kcp_header(&s, "kernel_info_request");
	assert_int_equal(regcomp(&date,
				 "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]{6})?Z$",
				 REG_EXTENDED),
			 0);
	assert_int_equal(regcomp(&uuid,
				 "^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$",
				 REG_EXTENDED),
			 0);
	assert_int_equal(regexec(&date, json_string_value(json_object_get(h, "date")), 0, NULL, 0),
			 0);
	assert_int_equal(regexec(&uuid, json_string_value(json_object_get(h, "msg_id")), 0, NULL,
				 0),
			 0);
	assert_string_equal(json_string_value(json_object_get(h, "session")), s.id);
	assert_string_equal(json_string_value(json_object_get(h, "msg_type")),
			    "kernel_info_request");
	assert_string_equal(json_string_value(json_object_get(h, "version")), "5.3");
	assert_non_null(json_string_value(json_object_get(h, "username")));
	/* Two headers never share a msg_id. */
	json_t *h2 = kcp_header(&s, "x");
	assert_string_not_equal(json_string_value(json_object_get(h, "msg_id")),
				json_string_value(json_object_get(h2, "msg_id")));
	json_decref(h2);
	regfree(&date);
	regfree(&uuid);
	json_decref(h);
}

/* Invalid UTF-8 from a kernel (surrogateescape) is repaired, not the message lost. */
static void test_utf8_repair(void **state)
{
	size_t n;
	char *r;

	assert_null(kcp_utf8_repair("plain \xc3\xa9", 8, &n));
	r = kcp_utf8_repair("A\xff" "B", 3, &n);
	assert_string_equal(r, "A\xef\xbf\xbd" "B");
	free(r);
	r = kcp_utf8_repair("\xed\xa0\x80x", 4, &n); /* a surrogate */
	assert_non_null(r);
	assert_non_null(strstr(r, "x"));
	assert_null(strstr(r, "\xed\xa0\x80"));
	free(r);
	r = kcp_utf8_repair("\xc0\xaf", 2, &n); /* overlong '/' */
	assert_null(strchr(r, '/'));
	free(r);
	r = kcp_utf8_repair("ab\xe4\xb8", 4, &n); /* truncated at the end */
	assert_string_equal(r, "ab\xef\xbf\xbd");
	free(r);
}

/* A message whose JSON has invalid UTF-8 still parses, with U+FFFD. */
static void test_parse_invalid_utf8(void **state)
{
	struct kcp_session s;
	zmq_msg_t frames[6];
	const char *parts[] = {"{\"msg_type\":\"stream\",\"msg_id\":\"1\"}", "{}", "{}",
			       ("{\"name\":\"stdout\",\"text\":\"A\xff" "B\"}")};
	char sig[200];
	size_t lens[4];
	struct kc_msg *m;

	kcp_session_init(&s, "key", "hmac-sha256", NULL);
	for (int i = 0; i < 4; i++)
		lens[i] = strlen(parts[i]);
	kcp_sign(&s, parts, lens, sig);
	zmq_msg_init_size(&frames[0], 9);
	memcpy(zmq_msg_data(&frames[0]), "<IDS|MSG>", 9);
	zmq_msg_init_size(&frames[1], strlen(sig));
	memcpy(zmq_msg_data(&frames[1]), sig, strlen(sig));
	for (int i = 0; i < 4; i++) {
		zmq_msg_init_size(&frames[2 + i], lens[i]);
		memcpy(zmq_msg_data(&frames[2 + i]), parts[i], lens[i]);
	}
	m = kcp_parse(&s, frames, 6);
	assert_non_null(m);
	assert_string_equal(json_string_value(json_object_get(m->content, "text")),
			    "A\xef\xbf\xbd" "B");
	kc_msg_free(m);
	close_frames(frames, 6);
	kcp_session_clear(&s);
}

static char tmpdir[256];

static int make_tmp(void **state)
{
	snprintf(tmpdir, sizeof tmpdir, "/tmp/bobbin-unit-XXXXXX");
	assert_non_null(mkdtemp(tmpdir));
	return 0;
}

static int rm_tmp(void **state)
{
	char cmd[300];

	snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
	return system(cmd);
}

static void write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void test_conn_write_read(void **state)
{
	struct kc_conninfo ci, back;
	struct kc_error err = {0};
	char path[300];
	struct stat st;

	assert_int_equal(kc_conn_init_local(&ci, &err), 0);
	assert_true(ci.shell_port > 0 && ci.iopub_port > 0 && ci.hb_port > 0);
	assert_int_not_equal(ci.shell_port, ci.iopub_port);
	assert_int_equal(strlen(ci.key), 33); /* 32 hex digits and a dash, like jupyter_client */
	snprintf(path, sizeof path, "%s/kernel-x.json", tmpdir);
	assert_int_equal(kc_conn_write(path, &ci, &err), 0);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	/* Never overwrites. */
	assert_int_equal(kc_conn_write(path, &ci, &err), -1);
	assert_int_equal(kc_conn_read(path, &back, &err), 0);
	assert_int_equal(back.shell_port, ci.shell_port);
	assert_int_equal(back.control_port, ci.control_port);
	assert_string_equal(back.key, ci.key);
	assert_string_equal(back.signature_scheme, "hmac-sha256");
}

static void test_conn_bad_input(void **state)
{
	struct kc_conninfo ci;
	struct kc_error err = {0};
	char path[300];

	snprintf(path, sizeof path, "%s/missing.json", tmpdir);
	assert_int_equal(kc_conn_read(path, &ci, &err), -1);
	assert_non_null(strstr(err.text, "missing.json"));
	assert_non_null(strstr(err.text, "No such file"));
	snprintf(path, sizeof path, "%s/broken.json", tmpdir);
	write_text(path, "{\"shell_port\": 1,\n");
	assert_int_equal(kc_conn_read(path, &ci, &err), -1);
	assert_non_null(strstr(err.text, "broken.json:"));
	assert_non_null(strstr(err.text, "not valid JSON"));
	/* Ports as strings (xeus writes them so) are accepted. */
	snprintf(path, sizeof path, "%s/strports.json", tmpdir);
	write_text(path, "{\"shell_port\":\"5001\",\"iopub_port\":\"5002\",\"stdin_port\":5003,"
			 "\"control_port\":5004,\"hb_port\":5005,\"ip\":\"127.0.0.1\",\"key\":\"k\"}");
	assert_int_equal(kc_conn_read(path, &ci, &err), 0);
	assert_int_equal(ci.shell_port, 5001);
	assert_int_equal(ci.iopub_port, 5002);
	snprintf(path, sizeof path, "%s/noport.json", tmpdir);
	write_text(path, "{\"shell_port\":5001}");
	assert_int_equal(kc_conn_read(path, &ci, &err), -1);
	assert_non_null(strstr(err.text, "iopub_port"));
	snprintf(path, sizeof path, "%s/curve.json", tmpdir);
	write_text(path, "{\"shell_port\":1,\"iopub_port\":2,\"stdin_port\":3,\"control_port\":4,"
			 "\"hb_port\":5,\"curve_publickey\":\"x\"}");
	assert_int_equal(kc_conn_read(path, &ci, &err), -1);
	assert_non_null(strstr(err.text, "Curve"));
	assert_int_equal(kcp_session_init(&(struct kcp_session){0}, "k", "hmac-whirl", &err), -1);
	assert_non_null(strstr(err.text, "hmac-whirl"));
}

static void test_conn_find(void **state)
{
	char rt[300], path[300], out[400];
	struct kc_error err = {0};
	struct kc_conninfo ci;

	snprintf(rt, sizeof rt, "%s/runtime", tmpdir);
	mkdir(rt, 0700);
	setenv("JUPYTER_RUNTIME_DIR", rt, 1);
	assert_int_equal(kc_conn_find(NULL, out, sizeof out, &err), -1);
	assert_non_null(strstr(err.text, "no kernel-*.json"));
	kc_conn_init_local(&ci, NULL);
	snprintf(path, sizeof path, "%s/kernel-111.json", rt);
	kc_conn_write(path, &ci, NULL);
	snprintf(path, sizeof path, "%s/kernel-222.json", rt);
	kc_conn_write(path, &ci, NULL);
	/* Make 111 the newest. */
	snprintf(path, sizeof path, "%s/kernel-111.json", rt);
	struct timespec t[2] = {{.tv_sec = 2000000000}, {.tv_sec = 2000000000}};
	utimensat(AT_FDCWD, path, t, 0);
	assert_int_equal(kc_conn_find("", out, sizeof out, &err), 0);
	assert_string_equal(out, path);
	assert_int_equal(kc_conn_find("222", out, sizeof out, &err), 0);
	assert_non_null(strstr(out, "kernel-222.json"));
	assert_int_equal(kc_conn_find("kernel-222.json", out, sizeof out, &err), 0);
	assert_non_null(strstr(out, "kernel-222.json"));
	assert_int_equal(kc_conn_find("nope", out, sizeof out, &err), -1);
	assert_non_null(strstr(err.text, "nope"));
	unsetenv("JUPYTER_RUNTIME_DIR");
}

static void make_spec(const char *root, const char *name, const char *json)
{
	char dir[400], path[450];

	snprintf(dir, sizeof dir, "%s/kernels", root);
	mkdir(root, 0700);
	mkdir(dir, 0700);
	snprintf(dir, sizeof dir, "%s/kernels/%s", root, name);
	mkdir(dir, 0700);
	snprintf(path, sizeof path, "%s/kernel.json", dir);
	write_text(path, json);
}

static void test_kernelspec_discovery(void **state)
{
	char a[300], b[300], data[300], jp[700];
	struct kc_error err = {0};
	struct kc_kernelspec *s, **list;
	size_t n;
	char *bad = NULL;

	snprintf(a, sizeof a, "%s/pathA", tmpdir);
	snprintf(b, sizeof b, "%s/pathB", tmpdir);
	snprintf(data, sizeof data, "%s/data", tmpdir);
	make_spec(a, "Echo", "{\"argv\":[\"echo\",\"{connection_file}\"],\"display_name\":\"A "
			     "echo\",\"language\":\"text\",\"env\":{\"X\":\"1\"},"
			     "\"metadata\":{\"m\":1}}");
	make_spec(b, "echo", "{\"argv\":[\"echo\"],\"display_name\":\"B echo\",\"language\":\"t\"}");
	make_spec(b, "msg", "{\"argv\":[\"x\"],\"display_name\":\"M\",\"language\":\"t\","
			    "\"interrupt_mode\":\"message\"}");
	make_spec(data, "broken", "{\"argv\": [");
	make_spec(data, "noargv", "{\"display_name\":\"x\"}");
	snprintf(jp, sizeof jp, "%s:%s", a, b);
	setenv("JUPYTER_PATH", jp, 1);
	setenv("JUPYTER_DATA_DIR", data, 1);
	/* The first directory wins, names are case-insensitive. */
	s = kc_kernelspec_find("echo", &err);
	assert_non_null(s);
	assert_string_equal(s->display_name, "A echo");
	assert_string_equal(s->name, "echo");
	assert_string_equal(s->argv[1], "{connection_file}");
	assert_string_equal(s->interrupt_mode, "signal");
	assert_non_null(json_object_get(s->env, "X"));
	assert_non_null(json_object_get(s->metadata, "m"));
	kc_kernelspec_free(s);
	s = kc_kernelspec_find("msg", &err);
	assert_string_equal(s->interrupt_mode, "message");
	kc_kernelspec_free(s);
	assert_null(kc_kernelspec_find("nosuch", &err));
	assert_non_null(strstr(err.text, "nosuch"));
	assert_null(kc_kernelspec_find("broken", &err));
	assert_non_null(strstr(err.text, "broken/kernel.json"));
	assert_null(kc_kernelspec_find("noargv", &err));
	assert_non_null(strstr(err.text, "argv"));
	/* The list has each name once; broken ones are reported, not listed. */
	list = kc_kernelspec_list(&n, &bad);
	int echo = 0;
	for (size_t i = 0; i < n; i++) {
		echo += !strcmp(list[i]->name, "echo");
		assert_string_not_equal(list[i]->name, "broken");
	}
	assert_int_equal(echo, 1);
	assert_non_null(bad);
	assert_non_null(strstr(bad, "broken"));
	assert_non_null(strstr(bad, "noargv"));
	free(bad);
	kc_kernelspec_list_free(list, n);
	/* Search order: JUPYTER_PATH entries, data dir, then the system dirs. */
	char **dirs = kc_kernelspec_dirs();
	assert_non_null(strstr(dirs[0], "pathA/kernels"));
	assert_non_null(strstr(dirs[1], "pathB/kernels"));
	assert_non_null(strstr(dirs[2], "data/kernels"));
	assert_string_equal(dirs[3], "/usr/local/share/jupyter/kernels");
	assert_string_equal(dirs[4], "/usr/share/jupyter/kernels");
	assert_null(dirs[5]);
	for (char **d = dirs; *d; d++)
		free(*d);
	free(dirs);
	unsetenv("JUPYTER_PATH");
	unsetenv("JUPYTER_DATA_DIR");
}

static void test_paths(void **state)
{
	char buf[300];

	setenv("HOME", "/home/u", 1);
	unsetenv("JUPYTER_DATA_DIR");
	unsetenv("JUPYTER_RUNTIME_DIR");
	unsetenv("XDG_DATA_HOME");
	kc_path_data_dir(buf, sizeof buf);
	assert_string_equal(buf, "/home/u/.local/share/jupyter");
	kc_path_runtime_dir(buf, sizeof buf);
	assert_string_equal(buf, "/home/u/.local/share/jupyter/runtime");
	setenv("XDG_DATA_HOME", "/x", 1);
	setenv("XDG_RUNTIME_DIR", "/run/user/0", 1); /* deliberately not used */
	kc_path_runtime_dir(buf, sizeof buf);
	assert_string_equal(buf, "/x/jupyter/runtime");
	setenv("JUPYTER_DATA_DIR", "/d", 1);
	kc_path_runtime_dir(buf, sizeof buf);
	assert_string_equal(buf, "/d/runtime");
	setenv("JUPYTER_RUNTIME_DIR", "/r", 1);
	kc_path_runtime_dir(buf, sizeof buf);
	assert_string_equal(buf, "/r");
	unsetenv("JUPYTER_DATA_DIR");
	unsetenv("JUPYTER_RUNTIME_DIR");
	unsetenv("XDG_DATA_HOME");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_signature_matches_jupyter_client),
		cmocka_unit_test(test_bad_signature_dropped),
		cmocka_unit_test(test_sign_known_vector),
		cmocka_unit_test(test_framing_roundtrip),
		cmocka_unit_test(test_header_fields),
		cmocka_unit_test(test_utf8_repair),
		cmocka_unit_test(test_parse_invalid_utf8),
		cmocka_unit_test_setup_teardown(test_conn_write_read, make_tmp, rm_tmp),
		cmocka_unit_test_setup_teardown(test_conn_bad_input, make_tmp, rm_tmp),
		cmocka_unit_test_setup_teardown(test_conn_find, make_tmp, rm_tmp),
		cmocka_unit_test_setup_teardown(test_kernelspec_discovery, make_tmp, rm_tmp),
		cmocka_unit_test(test_paths),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
