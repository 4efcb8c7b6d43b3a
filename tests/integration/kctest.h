// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * Helpers for integration tests against real kernels: each test gets a private runtime dir,
 * starts a kernel by kernelspec name, records every iopub message, and runs requests to their
 * end with generous deadlines (a loaded CI machine is slow; the deadlines are not measurements).
 */
#ifndef BOBBIN_KCTEST_H
#define BOBBIN_KCTEST_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "kernelclient/kc.h"

#define KT_DEADLINE_MS 60000

/* A test that takes the kernelspec name as its state, on both kernels. */
#define KT_BOTH(fn)                                                                         \
	cmocka_unit_test_prestate(fn, "python3"), cmocka_unit_test_prestate(fn, "xpython")

struct kt {
	struct kc_client *kc;
	json_t *iopub;  /* every iopub message: {"msg_type", "parent", "content"} */
	char *input_answer;
	int inputs, last_password;
	char last_prompt[256];
	int states[16];
	char runtime[128];
};

/* A request's outcome. */
struct kt_reply {
	int done;
	enum kc_status status;
	json_t *content;
	char id[64];
};

static inline double kt_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void kt_iopub(struct kc_client *kc, const struct kc_msg *m, void *ud)
{
	struct kt *t = ud;

	json_array_append_new(t->iopub,
			      json_pack("{s:s, s:s, s:O, s:O}", "msg_type", m->msg_type, "parent",
					m->parent_id, "content", m->content, "metadata",
					m->metadata));
}

static void kt_input(struct kc_client *kc, const struct kc_msg *m, const char *prompt,
		     int password, void *ud)
{
	struct kt *t = ud;

	t->inputs++;
	t->last_password = password;
	snprintf(t->last_prompt, sizeof t->last_prompt, "%s", prompt);
	kc_client_input_reply(kc, t->input_answer ? t->input_answer : "");
}

static void kt_state(struct kc_client *kc, enum kc_state s, void *ud)
{
	struct kt *t = ud;

	if ((unsigned)s < 16)
		t->states[s]++;
}

static void kt_reply_cb(struct kc_client *kc, const char *id, enum kc_status st,
			const struct kc_msg *reply, void *ud)
{
	struct kt_reply *r = ud;

	r->done++;
	r->status = st;
	r->content = reply ? json_incref(reply->content) : NULL;
}

/* The routing events seen (kc_routing_cb), as {"event": name, "data": data}. */
static json_t *kt_routing_events;

static void kt_routing(struct kc_client *kc, const char *event, json_t *data, void *ud)
{
	if (!kt_routing_events)
		kt_routing_events = json_array();
	json_array_append_new(kt_routing_events,
			      json_pack("{s:s, s:O}", "event", event, "data", data ? data : json_null()));
}

/* KT_FILTER=test_stdin* runs only the matching tests (cmocka's wildcards). */
static inline void kt_filter(void)
{
	if (getenv("KT_FILTER"))
		cmocka_set_test_filter(getenv("KT_FILTER"));
}

static inline void kt_private_runtime(struct kt *t)
{
	snprintf(t->runtime, sizeof t->runtime, "/tmp/bobbin-kt-XXXXXX");
	assert_non_null(mkdtemp(t->runtime));
	setenv("JUPYTER_RUNTIME_DIR", t->runtime, 1);
}

/* Starts kernelspec name and waits until ready. */
static inline struct kt *kt_start(const char *name)
{
	struct kt *t = calloc(1, sizeof *t);
	struct kc_error err = {0};
	struct kc_kernelspec *spec;

	kt_private_runtime(t);
	t->iopub = json_array();
	spec = kc_kernelspec_find(name, &err);
	if (!spec)
		fail_msg("%s", err.text);
	t->kc = kc_client_launch(spec, NULL, &err);
	kc_kernelspec_free(spec);
	if (!t->kc)
		fail_msg("%s", err.text);
	kc_client_set_handlers(t->kc, &(struct kc_handlers){.iopub = kt_iopub, .input = kt_input,
							   .state = kt_state, .routing = kt_routing,
							   .ud = t});
	if (kc_client_wait_ready(t->kc, KT_DEADLINE_MS, &err) < 0)
		fail_msg("%s", err.text);
	return t;
}

static inline void kt_free(struct kt *t)
{
	char cmd[200];

	if (!t)
		return;
	kc_client_free(t->kc, 0);
	json_decref(t->iopub);
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", t->runtime);
	if (system(cmd) != 0)
		fprintf(stderr, "# could not remove %s\n", t->runtime);
	unsetenv("JUPYTER_RUNTIME_DIR");
	free(t);
}

/* Waits for r to finish (its callback fired). */
static inline void kt_wait(struct kt *t, struct kt_reply *r, long ms)
{
	kc_client_run(t->kc, &r->done, ms);
	assert_int_equal(r->done, 1);
}

/* Runs code to completion; returns the reply status. */
static inline enum kc_status kt_exec(struct kt *t, const char *code, struct kt_reply *r)
{
	const char *id;

	memset(r, 0, sizeof *r);
	id = kc_client_execute(t->kc, code, 0, kt_reply_cb, r);
	assert_non_null(id);
	snprintf(r->id, sizeof r->id, "%s", id);
	kt_wait(t, r, KT_DEADLINE_MS);
	return r->status;
}

/* Concatenated stream text of name for parent id. */
static inline char *kt_stream(struct kt *t, const char *parent, const char *name)
{
	size_t i;
	json_t *m;
	char *out = calloc(1, 1);
	size_t len = 0;

	json_array_foreach(t->iopub, i, m) {
		json_t *c = json_object_get(m, "content");

		if (strcmp(json_string_value(json_object_get(m, "msg_type")), "stream") ||
		    (parent && strcmp(json_string_value(json_object_get(m, "parent")), parent)) ||
		    strcmp(json_string_value(json_object_get(c, "name")), name))
			continue;
		const char *s = json_string_value(json_object_get(c, "text"));
		out = realloc(out, len + strlen(s) + 1);
		strcpy(out + len, s);
		len += strlen(s);
	}
	return out;
}

/* The first iopub message of type for parent id, or NULL (borrowed). */
static inline json_t *kt_find(struct kt *t, const char *parent, const char *type)
{
	size_t i;
	json_t *m;

	json_array_foreach(t->iopub, i, m)
		if (!strcmp(json_string_value(json_object_get(m, "msg_type")), type) &&
		    (!parent || !strcmp(json_string_value(json_object_get(m, "parent")), parent)))
			return json_object_get(m, "content");
	return NULL;
}

/* Runs the client until text appears in the stdout stream of any request (a cell has really
 * started), or secs pass. */
static inline void kt_wait_stdout(struct kt *t, const char *text, double secs)
{
	for (double end = kt_now() + secs; kt_now() < end;) {
		int never = 0;
		char *o = kt_stream(t, NULL, "stdout");
		int seen = strstr(o, text) != NULL;

		free(o);
		if (seen)
			break;
		kc_client_run(t->kc, &never, 50);
	}
}

/* Is process pid alive (and not a zombie)? */
static inline int kt_alive(pid_t pid)
{
	char path[64], buf[512];
	FILE *f;
	int alive = 0;

	snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
	if ((f = fopen(path, "r"))) {
		if (fgets(buf, sizeof buf, f)) {
			char *p = strrchr(buf, ')');
			alive = p && p[2] != 'Z';
		}
		fclose(f);
	}
	return alive;
}

#endif
