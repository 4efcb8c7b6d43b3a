// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * The client side of bobbin's thread-routing protocol (docs/routing-protocol.md): installs the
 * kernel-side agent (kernelclient/agents/bobbin_agent.py, embedded at build time) with one silent
 * execute on IPython kernels, confirms it with a `get` on the control channel, opens the
 * `bobbin.routing` comm for events, keeps the state the kernel last confirmed, and replays the
 * user's policy changes after a restart. Other kernels are reported as unsupported, plainly.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernelclient/kc_private.h"

extern const char kcp_agent_text[];

#define ROUTING_CONFIRM_MS 5000

static void notify(struct kc_client *kc, const char *event, json_t *data)
{
	if (kc->h.routing)
		kc->h.routing(kc, event, data, kc->h.ud);
}

static void unsupported(struct kc_client *kc, const char *fmt, const char *arg)
{
	json_t *d;

	kc->routing = KC_ROUTING_UNSUPPORTED;
	snprintf(kc->routing_why, sizeof kc->routing_why, fmt, arg);
	d = json_pack("{s:s}", "reason", kc->routing_why);
	notify(kc, "unsupported", d);
	json_decref(d);
}

static void keep_state(struct kc_client *kc, json_t *state)
{
	if (!json_is_object(state))
		return;
	json_decref(kc->routing_state);
	kc->routing_state = json_incref(state);
}

static void open_comm(struct kc_client *kc)
{
	json_t *h = kcp_header(&kc->sess, "comm_open");

	kcp_uuid4(kc->comm_id);
	kcp_send(kc, KC_SHELL, h, NULL,
		 json_pack("{s:s, s:s, s:{}}", "comm_id", kc->comm_id, "target_name",
			   "bobbin.routing", "data"));
}

static void replay(struct kc_client *kc)
{
	size_t i;
	json_t *op;

	json_array_foreach(kc->routing_replay, i, op)
		kc_client_request(kc, KC_CONTROL, "bobbin_routing_request", json_deep_copy(op),
				  ROUTING_CONFIRM_MS, NULL, NULL);
}

static void on_confirm(struct kc_client *kc, const char *id, enum kc_status st,
		       const struct kc_msg *reply, void *ud)
{
	json_t *state;
	const char *pv;

	if (kc->routing != KC_ROUTING_INSTALLING)
		return;
	if (st != KC_OK || !reply) {
		unsupported(kc, "the kernel did not answer routing requests (%s)",
			    st == KC_TIMEDOUT ? "no reply" : kc_status_name(st));
		return;
	}
	state = json_object_get(reply->content, "state");
	pv = json_string_value(json_object_get(state, "protocol_version"));
	if (!pv || strncmp(pv, "1.", 2)) {
		unsupported(kc, "the kernel's routing agent speaks protocol %s, bobbin speaks 1.x",
			    pv ? pv : "(none)");
		return;
	}
	keep_state(kc, state);
	kc->routing = KC_ROUTING_READY;
	open_comm(kc);
	replay(kc);
	notify(kc, "ready", kc->routing_state);
}

static void on_installed(struct kc_client *kc, const char *id, enum kc_status st,
			 const struct kc_msg *reply, void *ud)
{
	if (kc->routing != KC_ROUTING_INSTALLING)
		return;
	if (st != KC_OK) {
		unsupported(kc, "installing the routing agent failed (%s)", kc_status_name(st));
		return;
	}
	if (!kc_client_request(kc, KC_CONTROL, "bobbin_routing_request",
			       json_pack("{s:s}", "op", "get"), ROUTING_CONFIRM_MS, on_confirm, NULL))
		unsupported(kc, "%s", kc->err);
}

void kcp_routing_on_ready(struct kc_client *kc)
{
	const char *impl;

	if (!kc->routing_on || kc->routing == KC_ROUTING_READY)
		return;
	impl = json_string_value(json_object_get(kc->info, "implementation"));
	if (!impl || strcmp(impl, "ipython")) {
		unsupported(kc, "this kernel (%s) does not support routing requests: only IPython "
				"kernels run bobbin's agent",
			    impl ? impl : "unknown implementation");
		return;
	}
	kc->routing = KC_ROUTING_INSTALLING;
	if (!kc_client_execute(kc, kcp_agent_text,
			       KC_EXEC_SILENT | KC_EXEC_NO_HISTORY | KC_EXEC_NO_STDIN |
				       KC_EXEC_KEEP_GOING,
			       on_installed, NULL))
		unsupported(kc, "%s", kc->err);
}

int kcp_routing_on_iopub(struct kc_client *kc, const struct kc_msg *m)
{
	json_t *data, *state;
	const char *ev, *cid;

	if (!kc->comm_id[0] || strcmp(m->msg_type, "comm_msg"))
		return 0;
	cid = json_string_value(json_object_get(m->content, "comm_id"));
	if (!cid || strcmp(cid, kc->comm_id))
		return 0;
	data = json_object_get(m->content, "data");
	ev = json_string_value(json_object_get(data, "event"));
	if ((state = json_object_get(data, "state"))) {
		keep_state(kc, state);
		notify(kc, "state", kc->routing_state);
	}
	if (ev && strcmp(ev, "state") && strcmp(ev, "hello"))
		notify(kc, ev, data);
	return 1;
}

void kcp_routing_reset(struct kc_client *kc)
{
	kc->comm_id[0] = 0;
	json_decref(kc->routing_state);
	kc->routing_state = NULL;
	if (kc->routing_on)
		kc->routing = KC_ROUTING_OFF; /* installed again when the kernel is ready */
}

void kcp_routing_free(struct kc_client *kc)
{
	json_decref(kc->routing_state);
	json_decref(kc->routing_replay);
	kc->routing_state = kc->routing_replay = NULL;
}

void kc_routing_enable(struct kc_client *kc)
{
	if (kc->routing_on)
		return;
	kc->routing_on = 1;
	if (!kc->routing_replay)
		kc->routing_replay = json_array();
	if (kc->state == KC_IDLE || kc->state == KC_BUSY)
		kcp_routing_on_ready(kc);
}

enum kc_routing kc_routing_status(const struct kc_client *kc)
{
	return kc->routing;
}

const char *kc_routing_why(const struct kc_client *kc)
{
	return kc->routing == KC_ROUTING_UNSUPPORTED ? kc->routing_why : "";
}

json_t *kc_routing_state(const struct kc_client *kc)
{
	return kc->routing_state;
}

struct pending {
	kc_reply_cb *cb;
	void *ud;
	json_t *op;
};

static void on_reply(struct kc_client *kc, const char *id, enum kc_status st,
		     const struct kc_msg *reply, void *ud)
{
	struct pending *p = ud;
	json_t *state = reply ? json_object_get(reply->content, "state") : NULL;
	const char *op = json_string_value(json_object_get(p->op, "op"));

	if (state) {
		keep_state(kc, state);
		notify(kc, "state", kc->routing_state);
	}
	/* Kernel-wide changes are replayed after a restart; per-thread ones name threads that
	 * will not exist any more. */
	if (st == KC_OK && op &&
	    (!strcmp(op, "set_default") || !strcmp(op, "add_rule") ||
	     !strcmp(op, "remove_rule") || !strcmp(op, "reset"))) {
		if (!strcmp(op, "reset"))
			json_array_clear(kc->routing_replay);
		json_array_append(kc->routing_replay, p->op);
	}
	if (p->cb)
		p->cb(kc, id, st, reply, p->ud);
	json_decref(p->op);
	free(p);
}

const char *kc_routing_request(struct kc_client *kc, const char *op, const char *policy,
			       long long ident, const char *pattern, kc_reply_cb *cb, void *ud)
{
	struct pending *p;
	const char *id;

	if (kc->routing != KC_ROUTING_READY) {
		snprintf(kc->err, sizeof kc->err, "%s",
			 kc->routing == KC_ROUTING_UNSUPPORTED ? kc->routing_why
			 : kc->routing == KC_ROUTING_INSTALLING
				 ? "the routing agent is still being installed"
				 : "routing is off (--no-agent)");
		return NULL;
	}
	if (!(p = calloc(1, sizeof *p)))
		return NULL;
	p->cb = cb;
	p->ud = ud;
	p->op = json_pack("{s:s}", "op", op);
	if (policy)
		json_object_set_new(p->op, "policy", json_string(policy));
	if (pattern)
		json_object_set_new(p->op, "pattern", json_string(pattern));
	if (!strcmp(op, "set_thread") || !strcmp(op, "clear_thread"))
		json_object_set_new(p->op, "ident", json_integer(ident));
	id = kc_client_request(kc, KC_CONTROL, "bobbin_routing_request", json_deep_copy(p->op),
			       ROUTING_CONFIRM_MS, on_reply, p);
	if (!id) {
		json_decref(p->op);
		free(p);
	}
	return id;
}

enum kc_routing kc_routing_wait(struct kc_client *kc, long ms)
{
	long long end = kcp_now_ms() + ms;

	while (kc->routing == KC_ROUTING_INSTALLING || (kc->routing == KC_ROUTING_OFF &&
							kc->routing_on &&
							kc->state == KC_STARTING)) {
		int never = 0;
		long left = (long)(end - kcp_now_ms());

		if (left <= 0 || kc->state == KC_DEAD)
			break;
		kc_client_run(kc, &never, left < 50 ? left : 50);
	}
	return kc->routing;
}
