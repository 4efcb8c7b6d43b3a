// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * The client: one kernel, five sockets (shell, control and stdin DEALERs sharing one identity,
 * iopub SUB, heartbeat REQ), pending requests with exactly-once callbacks, the readiness handshake
 * (kernel_info reply plus one iopub message, retried: the slow-joiner problem; and the control and
 * stdin connections, watched by socket monitors), heartbeat and process-death tracking, interrupt,
 * restart and shutdown. The application owns the loop: it polls
 * kc_client_pollitems() and calls kc_client_dispatch().
 */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "kernelclient/kc_private.h"

#define HB_UNRESPONSIVE_MISSES 3
#define HB_DISCONNECTED_MS 30000
/* Readiness: kernel_info is asked again after READY_RETRY_MS without a reply. Once the reply is
 * in but no iopub message (the kernel's busy/idle went out before our subscription reached it,
 * the slow-joiner problem: common, since the sockets reconnect on a 100 ms timer while the kernel
 * starts), it is asked again after READY_IOPUB_RETRY_MS, doubling up to READY_RETRY_MS: a 1 s
 * wait there made the prompt come at ~1.05 s instead of ~0.55 s in most starts at load 3. */
#define READY_RETRY_MS 1000
#define READY_IOPUB_RETRY_MS 50
#define IDLE_GRACE_MS 1000 /* a reply later than this after idle is not coming */
/* An execute_reply is in but its idle is not, and iopub has been silent this long: the kernel
 * dropped messages (its own iopub send queue overflowed), so the idle is not coming either. */
#define IDLE_LOST_MS 3000
#define MAX_PER_DISPATCH 256
/* Flood batching: when FLOOD_COUNT output messages arrived within FLOOD_WINDOW_MS, the sockets
 * are left out of the poll set for FLOOD_HOLD_MS so that messages queue up and are handled in a
 * batch: one wake-up per batch instead of one per message. The app's own fds (keys) stay polled.
 * Nothing is lost meanwhile: the iopub socket's receive queue has no limit (its messages are taken
 * off TCP by libzmq's I/O thread however long the hold), and a hold starts only once the queue
 * has been read empty, so a backlog is read at full speed, MAX_PER_DISPATCH per pass. */
#define FLOOD_WINDOW_MS 10
#define FLOOD_HOLD_MS 30

const char *kc_state_name(enum kc_state s)
{
	static const char *const names[] = {"starting", "idle",       "busy",
					    "unresponsive", "restarting", "dead",
					    "disconnected", "ssh link lost"};

	return (unsigned)s < sizeof names / sizeof names[0] ? names[s] : "?";
}

const char *kc_status_name(enum kc_status s)
{
	static const char *const names[] = {"ok", "error", "aborted", "timed out", "cancelled"};

	return (unsigned)s < sizeof names / sizeof names[0] ? names[s] : "?";
}

static void link_back(struct kc_client *kc);
static void mark_dead(struct kc_client *kc);
static void release_held(struct kc_client *kc);
static void probe_link(struct kc_client *kc, long long now);

static void set_state(struct kc_client *kc, enum kc_state s)
{
	if (kc->state == s)
		return;
	if (kc->state == KC_LINK_LOST && s != KC_DEAD) {
		kc->state = s;
		link_back(kc);
	}
	kc->state = s;
	if (kc->h.state)
		kc->h.state(kc, s, kc->h.ud);
}

static void endpoint(const struct kc_conninfo *ci, int port, char *out, size_t size)
{
	if (!strcmp(ci->transport, "ipc"))
		snprintf(out, size, "ipc://%s-%d", ci->ip, port);
	else
		snprintf(out, size, "tcp://%s:%d", ci->ip, port);
}

static void *make_hb(struct kc_client *kc)
{
	char ep[300];
	int one = 1, zero = 0;
	void *s = zmq_socket(kc->zctx, ZMQ_REQ);

	if (!s)
		return NULL;
	zmq_setsockopt(s, ZMQ_LINGER, &zero, sizeof zero);
	zmq_setsockopt(s, ZMQ_REQ_RELAXED, &one, sizeof one);
	zmq_setsockopt(s, ZMQ_REQ_CORRELATE, &one, sizeof one);
	endpoint(&kc->ci, kc->ci.hb_port, ep, sizeof ep);
	zmq_connect(s, ep);
	return s;
}

/*
 * Readiness also waits for the control and stdin connections, which no reply proves up (the
 * kernel_info reply proves shell, an iopub message iopub). Each DEALER connects on its own
 * reconnect timer, so stdin can come up after the others; an input_request the kernel sends
 * before then is dropped by its stdin ROUTER, which cannot route to an identity it has not seen
 * yet, and input() hangs. While the client starts, a socket monitor on each (an inproc PAIR, in
 * the same poll set) reports the connection's ZMTP handshake. That is the client's side of it:
 * the kernel's ROUTER learns our identity from a READY command we sent before the event fired,
 * so before any request that could make the kernel ask for input, but nothing acknowledges it.
 * If no handshake is reported within KCP_LINK_WAIT_MS of the rest of readiness (a port not
 * forwarded; a kernel on libzmq 2 or 3, whose ZMTP has no handshake event), the client goes on.
 */
static const enum kc_channel linked_channels[] = {KC_CONTROL, KC_STDIN};

/* Starts monitoring sock[ch]; call before it connects, or once its old connection is dead. */
static void open_monitor(struct kc_client *kc, enum kc_channel ch)
{
	char ep[64];
	int zero = 0;

	/* inproc names are per context (this client's own); a restart takes a fresh one. */
	snprintf(ep, sizeof ep, "inproc://kc-monitor-%d-%u", (int)ch, kc->mon_gen);
	kc->linked &= ~(1u << ch);
	if (zmq_socket_monitor(kc->sock[ch], ep,
			       ZMQ_EVENT_HANDSHAKE_SUCCEEDED | ZMQ_EVENT_DISCONNECTED) < 0)
		return;
	/* libzmq's end sends with blocking calls: connect ours now, and keep it drained. */
	if (!(kc->mon[ch] = zmq_socket(kc->zctx, ZMQ_PAIR)) ||
	    zmq_setsockopt(kc->mon[ch], ZMQ_LINGER, &zero, sizeof zero) < 0 ||
	    zmq_connect(kc->mon[ch], ep) < 0) {
		zmq_socket_monitor(kc->sock[ch], NULL, 0);
		if (kc->mon[ch])
			zmq_close(kc->mon[ch]);
		kc->mon[ch] = NULL; /* not watched: readiness does not wait for it */
	}
}

/* Stops the monitors (once ready: news of later reconnections is not needed, and must not pile
 * up unread). kc->linked keeps what they last said. */
static void close_monitors(struct kc_client *kc)
{
	for (int i = 0; i < KC_NCHANNELS; i++)
		if (kc->mon[i]) {
			/* libzmq's end first: it would block sending to a PAIR that is gone. */
			zmq_socket_monitor(kc->sock[i], NULL, 0);
			zmq_close(kc->mon[i]);
			kc->mon[i] = NULL;
		}
	kc->mon_gen++;
}

/* Reads every pending monitor event and keeps kc->linked up to date. */
static void read_monitors(struct kc_client *kc)
{
	for (size_t k = 0; k < sizeof linked_channels / sizeof linked_channels[0]; k++) {
		enum kc_channel ch = linked_channels[k];
		zmq_msg_t f;
		uint16_t ev;

		while (kc->mon[ch]) {
			zmq_msg_init(&f);
			if (zmq_msg_recv(&f, kc->mon[ch], ZMQ_DONTWAIT) < 0) {
				zmq_msg_close(&f);
				break;
			}
			/* Frame one: event (16 bits), value (32 bits); frame two: endpoint. */
			ev = 0;
			if (zmq_msg_size(&f) >= sizeof ev)
				memcpy(&ev, zmq_msg_data(&f), sizeof ev);
			while (zmq_msg_more(&f)) {
				zmq_msg_close(&f);
				zmq_msg_init(&f);
				if (zmq_msg_recv(&f, kc->mon[ch], 0) < 0)
					break;
			}
			zmq_msg_close(&f);
			if (ev == ZMQ_EVENT_HANDSHAKE_SUCCEEDED)
				kc->linked |= 1u << ch;
			else if (ev == ZMQ_EVENT_DISCONNECTED)
				kc->linked &= ~(1u << ch);
		}
	}
}

/* Are the watched connections all up? */
static int links_up(const struct kc_client *kc)
{
	for (size_t k = 0; k < sizeof linked_channels / sizeof linked_channels[0]; k++) {
		enum kc_channel ch = linked_channels[k];

		if (kc->mon[ch] && !(kc->linked & 1u << ch))
			return 0;
	}
	return 1;
}

/* SUB first, then the DEALERs with one identity, then the heartbeat (protocol.md §1.10). */
static int open_sockets(struct kc_client *kc, struct kc_error *err)
{
	static const int types[KC_NCHANNELS] = {ZMQ_DEALER, ZMQ_DEALER, ZMQ_DEALER, ZMQ_SUB};
	static const enum kc_channel order[KC_NCHANNELS] = {KC_IOPUB, KC_SHELL, KC_CONTROL,
							     KC_STDIN};
	const int ports[KC_NCHANNELS] = {kc->ci.shell_port, kc->ci.control_port, kc->ci.stdin_port,
					 kc->ci.iopub_port};
	/* A kernel binds its ports a few hundred ms after it is launched; each socket connects on its
	 * own reconnect timer (libzmq: the interval plus up to as much again of jitter), so at the
	 * default 100 ms iopub or a DEALER came up to 200 ms after the kernel was listening. 20 ms
	 * costs a refused local connect per socket every 20-40 ms only while no kernel listens. */
	int linger = 1000, reconnect = 20;
	char ep[300];

	if (!(kc->zctx = zmq_ctx_new()))
		return kcp_fail(err, "zmq_ctx_new: %s", zmq_strerror(errno));
	for (int k = 0; k < KC_NCHANNELS; k++) {
		enum kc_channel i = order[k];

		if (!(kc->sock[i] = zmq_socket(kc->zctx, types[i])))
			return kcp_fail(err, "zmq_socket: %s", zmq_strerror(errno));
		zmq_setsockopt(kc->sock[i], ZMQ_LINGER, &linger, sizeof linger);
		zmq_setsockopt(kc->sock[i], ZMQ_RECONNECT_IVL, &reconnect, sizeof reconnect);
		if (types[i] == ZMQ_SUB) {
			/* No receive limit: at the default (1000) a loop that batches lets the queue
			 * fill, TCP pushes back, and the kernel's PUB drops what it cannot send. */
			int unlimited = 0;

			zmq_setsockopt(kc->sock[i], ZMQ_RCVHWM, &unlimited, sizeof unlimited);
			zmq_setsockopt(kc->sock[i], ZMQ_SUBSCRIBE, "", 0);
		} else {
			zmq_setsockopt(kc->sock[i], ZMQ_ROUTING_ID, kc->sess.id,
				       strlen(kc->sess.id));
		}
		if (i == KC_CONTROL || i == KC_STDIN)
			open_monitor(kc, i);
		endpoint(&kc->ci, ports[i], ep, sizeof ep);
		if (zmq_connect(kc->sock[i], ep) < 0)
			return kcp_fail(err, "cannot connect to %s: %s", ep, zmq_strerror(errno));
	}
	if (!(kc->hb = make_hb(kc)))
		return kcp_fail(err, "heartbeat socket: %s", zmq_strerror(errno));
	return 0;
}

static void close_sockets(struct kc_client *kc)
{
	/* Messages queued for a kernel that is gone can never leave: don't linger on them. */
	int zero = 0, gone = kc->launched && kcp_proc_poll(&kc->proc);

	close_monitors(kc);
	for (int i = 0; i < KC_NCHANNELS; i++)
		if (kc->sock[i]) {
			if (gone)
				zmq_setsockopt(kc->sock[i], ZMQ_LINGER, &zero, sizeof zero);
			zmq_close(kc->sock[i]);
		}
	if (kc->hb)
		zmq_close(kc->hb);
	memset(kc->sock, 0, sizeof kc->sock);
	kc->hb = NULL;
	if (kc->zctx)
		zmq_ctx_term(kc->zctx);
	kc->zctx = NULL;
}

int kcp_send(struct kc_client *kc, enum kc_channel ch, json_t *header, json_t *parent,
		    json_t *content)
{
	zmq_msg_t frames[6];
	json_t *meta = json_object();
	int n, rc = 0;

	if (kc->srv) { /* a kernel on a Jupyter Server (kc_ws.c) */
		n = kcp_srv_send(kc, ch, header, parent, meta, content);
		json_decref(meta);
		return n;
	}
	n = kcp_serialize(&kc->sess, header, parent, meta, content, frames, 6);

	json_decref(meta);
	json_decref(header);
	json_decref(content);
	if (n < 0) {
		snprintf(kc->err, sizeof kc->err, "cannot serialise message");
		return -1;
	}
	if (kc->holding) {
		struct kcp_held *h = realloc(kc->held, (kc->nheld + 1) * sizeof *h);

		if (h) {
			kc->held = h;
			h += kc->nheld++;
			h->ch = ch;
			h->n = n;
			for (int i = 0; i < n; i++) {
				zmq_msg_init(&h->frames[i]);
				zmq_msg_move(&h->frames[i], &frames[i]);
				zmq_msg_close(&frames[i]);
			}
			return 0;
		}
	}
	for (int i = 0; i < n; i++) {
		if (rc == 0 && zmq_msg_send(&frames[i], kc->sock[ch],
					    (i < n - 1 ? ZMQ_SNDMORE : 0) | ZMQ_DONTWAIT) < 0) {
			snprintf(kc->err, sizeof kc->err, "send: %s", zmq_strerror(errno));
			rc = -1;
		}
		zmq_msg_close(&frames[i]);
	}
	return rc;
}

static long default_timeout(const char *type)
{
	if (!strcmp(type, "execute_request"))
		return -1;
	if (!strcmp(type, "history_request"))
		return 30000;
	if (!strcmp(type, "shutdown_request") || !strcmp(type, "interrupt_request"))
		return 5000;
	if (!strncmp(type, "complete", 8) || !strncmp(type, "inspect", 7) ||
	    !strncmp(type, "is_complete", 11) || !strncmp(type, "kernel_info", 11) ||
	    !strncmp(type, "comm_info", 9))
		return 10000;
	return 30000;
}

/* Did the kernel answer r with "aborted" (or "abort", the spec's word before 5.0, which
 * IRkernel still sends)? */
static int reply_aborted(const struct req *r)
{
	const char *s = r->reply ? json_string_value(json_object_get(r->reply->content, "status"))
				 : NULL;

	return s && (!strcmp(s, "aborted") || !strcmp(s, "abort"));
}

static void finish(struct kc_client *kc, size_t idx, enum kc_status st)
{
	struct req *r = kc->reqs[idx];

	kc->reqs[idx] = kc->reqs[--kc->nreqs];
	if (r->reply && st == KC_OK) {
		const char *s = json_string_value(json_object_get(r->reply->content, "status"));

		if (s && !strcmp(s, "error"))
			st = KC_ERROR;
		else if (reply_aborted(r))
			st = KC_ABORTED;
	}
	/* Finished with its reply but without its idle (see finish_lost; an aborted request has
	 * no output to lose), or pending while the SSH link was down. */
	kc->lost = (r->reply && !r->got_idle && !strcmp(r->type, "execute_request") &&
		    st != KC_CANCELLED && st != KC_TIMEDOUT && st != KC_ABORTED) ||
		   (r->outage && st != KC_CANCELLED);
	if (r->cb)
		r->cb(kc, r->id, st, r->reply, r->ud);
	kc->lost = 0;
	kc_msg_free(r->reply);
	free(r);
}

static void cancel_all(struct kc_client *kc)
{
	while (kc->nreqs)
		finish(kc, kc->nreqs - 1, KC_CANCELLED);
}

static long find_req(struct kc_client *kc, const char *id)
{
	for (size_t i = 0; i < kc->nreqs; i++)
		if (!strcmp(kc->reqs[i]->id, id))
			return (long)i;
	return -1;
}

const char *kc_client_request(struct kc_client *kc, enum kc_channel ch, const char *msg_type,
			      json_t *content, long timeout_ms, kc_reply_cb *cb, void *ud)
{
	json_t *header;
	struct req *r;

	if (!content)
		content = json_object();
	if (kc->state == KC_DEAD || (ch != KC_SHELL && ch != KC_CONTROL)) {
		snprintf(kc->err, sizeof kc->err, "%s",
			 kc->state == KC_DEAD ? "the kernel is dead" : "requests go on shell or control");
		json_decref(content);
		return NULL;
	}
	if (!(header = kcp_header(&kc->sess, msg_type)) || !(r = calloc(1, sizeof *r))) {
		json_decref(header);
		json_decref(content);
		return NULL;
	}
	snprintf(r->id, sizeof r->id, "%s", json_string_value(json_object_get(header, "msg_id")));
	snprintf(r->type, sizeof r->type, "%s", msg_type);
	r->ch = ch;
	r->cb = cb;
	r->ud = ud;
	if (timeout_ms == 0)
		timeout_ms = default_timeout(msg_type);
	r->deadline = timeout_ms > 0 ? kcp_now_ms() + timeout_ms : 0;
	if (kcp_send(kc, ch, header, NULL, content) < 0) {
		free(r);
		return NULL;
	}
	if (kc->nreqs == kc->capreqs) {
		kc->capreqs = kc->capreqs ? kc->capreqs * 2 : 16;
		kc->reqs = realloc(kc->reqs, kc->capreqs * sizeof *kc->reqs);
	}
	kc->reqs[kc->nreqs++] = r;
	return r->id;
}

const char *kc_client_send(struct kc_client *kc, enum kc_channel ch, const char *msg_type,
			   json_t *content)
{
	static char id[40];
	json_t *header;

	if (!content)
		content = json_object();
	if (kc->state == KC_DEAD || (ch != KC_SHELL && ch != KC_CONTROL) ||
	    !(header = kcp_header(&kc->sess, msg_type))) {
		snprintf(kc->err, sizeof kc->err, "cannot send %s", msg_type);
		json_decref(content);
		return NULL;
	}
	snprintf(id, sizeof id, "%s", json_string_value(json_object_get(header, "msg_id")));
	return kcp_send(kc, ch, header, NULL, content) < 0 ? NULL : id;
}

const char *kc_client_execute(struct kc_client *kc, const char *code, int flags, kc_reply_cb *cb,
			      void *ud)
{
	json_t *c = json_pack("{s:s, s:b, s:b, s:{}, s:b, s:b}", "code", code, "silent",
			      !!(flags & KC_EXEC_SILENT), "store_history",
			      !(flags & (KC_EXEC_NO_HISTORY | KC_EXEC_SILENT)), "user_expressions",
			      "allow_stdin", !(flags & KC_EXEC_NO_STDIN), "stop_on_error",
			      !(flags & KC_EXEC_KEEP_GOING));

	return kc_client_request(kc, KC_SHELL, "execute_request", c, 0, cb, ud);
}

const char *kc_client_complete(struct kc_client *kc, const char *code, long cursor_pos,
			       kc_reply_cb *cb, void *ud)
{
	return kc_client_request(kc, KC_SHELL, "complete_request",
				 json_pack("{s:s, s:I}", "code", code, "cursor_pos",
					   (json_int_t)cursor_pos),
				 0, cb, ud);
}

const char *kc_client_inspect(struct kc_client *kc, const char *code, long cursor_pos, int detail,
			      kc_reply_cb *cb, void *ud)
{
	return kc_client_request(kc, KC_SHELL, "inspect_request",
				 json_pack("{s:s, s:I, s:i}", "code", code, "cursor_pos",
					   (json_int_t)cursor_pos, "detail_level", detail),
				 0, cb, ud);
}

const char *kc_client_is_complete(struct kc_client *kc, const char *code, kc_reply_cb *cb,
				  void *ud)
{
	return kc_client_request(kc, KC_SHELL, "is_complete_request",
				 json_pack("{s:s}", "code", code), 0, cb, ud);
}

int kc_client_input_reply(struct kc_client *kc, const char *value)
{
	json_t *parent = kc->input_parent;

	if (!parent) {
		snprintf(kc->err, sizeof kc->err, "no input was requested");
		return -1;
	}
	kc->input_parent = NULL;
	int rc = kcp_send(kc, KC_STDIN, kcp_header(&kc->sess, "input_reply"), parent,
			  json_pack("{s:s}", "value", value));
	json_decref(parent);
	return rc;
}

static void send_kernel_info(struct kc_client *kc)
{
	json_t *h = kcp_header(&kc->sess, "kernel_info_request");

	snprintf(kc->ready_id, sizeof kc->ready_id, "%s",
		 json_string_value(json_object_get(h, "msg_id")));
	kc->ready_sent = kcp_now_ms();
	kc->ready_next = kc->ready_sent + kc->ready_gap;
	kcp_send(kc, KC_SHELL, h, NULL, json_object());
}

static void begin_handshake(struct kc_client *kc)
{
	kc->ready_reply = kc->ready_iopub = 0;
	kc->ready_rest_at = 0;
	kc->ready_gap = READY_RETRY_MS;
	set_state(kc, KC_STARTING);
	send_kernel_info(kc);
}

/* Is a kernel_info retry pending (kc->ready_next says when)? */
static int ready_retry_due(const struct kc_client *kc)
{
	return kc->state == KC_STARTING && kc->ready_id[0] && !(kc->ready_reply && kc->ready_iopub);
}

static void check_ready(struct kc_client *kc)
{
	if (kc->state == KC_STARTING && kc->ready_reply && kc->ready_iopub) {
		long long now = kcp_now_ms();

		if (!kc->ready_rest_at)
			kc->ready_rest_at = now;
		if (!links_up(kc) && now - kc->ready_rest_at < KCP_LINK_WAIT_MS)
			return;
		close_monitors(kc);
		kc->ready_id[0] = 0;
		kc->hb_last_ok = kcp_now_ms();
		set_state(kc, KC_IDLE);
		kcp_routing_on_ready(kc);
	}
}

static void on_shell_reply(struct kc_client *kc, struct kc_msg *m)
{
	long i;

	if (kc->ready_id[0] && !strcmp(m->parent_id, kc->ready_id)) {
		json_decref(kc->info);
		kc->info = json_incref(m->content);
		if (!kc->ready_reply && !kc->ready_iopub) {
			kc->ready_gap = READY_IOPUB_RETRY_MS;
			kc->ready_next = kcp_now_ms() + kc->ready_gap;
		}
		kc->ready_reply = 1;
		check_ready(kc);
		kc_msg_free(m);
		return;
	}
	if ((i = find_req(kc, m->parent_id)) < 0) {
		kc_msg_free(m);
		return;
	}
	kc_msg_free(kc->reqs[i]->reply);
	kc->reqs[i]->reply = m;
	kc->reqs[i]->reply_at = kcp_now_ms();
	if (kc->reqs[i]->got_idle)
		finish(kc, (size_t)i, KC_OK);
}

static void on_iopub(struct kc_client *kc, struct kc_msg *m)
{
	const char *sess = json_string_value(json_object_get(m->header, "session"));
	long i;

	kc->ready_iopub = 1;
	kc->iopub_at = kcp_now_ms();
	if (kc->holding && kc->state != KC_LINK_LOST)
		release_held(kc);
	/* The kernel's session id changes when it restarts (protocol.md §1.4). */
	if (sess)
		snprintf(kc->kernel_session, sizeof kc->kernel_session, "%s", sess);
	if (!strcmp(m->msg_type, "status")) {
		const char *st = json_string_value(json_object_get(m->content, "execution_state"));

		/* A Jupyter Server says so when its kernel restarted by itself or could not. */
		if (st && kc->srv && !strcmp(st, "restarting")) {
			kcp_client_restarting(kc);
			kcp_client_begin(kc);
		} else if (st && kc->srv && !strcmp(st, "dead")) {
			snprintf(kc->err, sizeof kc->err, "the server says the kernel is dead");
			mark_dead(kc);
		}
		if (st && kc->state != KC_STARTING && kc->state != KC_DEAD &&
		    kc->state != KC_RESTARTING) {
			if (!strcmp(st, "busy"))
				set_state(kc, KC_BUSY);
			else if (!strcmp(st, "idle"))
				set_state(kc, KC_IDLE);
		}
		if (st && !strcmp(st, "idle") && (i = find_req(kc, m->parent_id)) >= 0) {
			kc->reqs[i]->got_idle = 1;
			kc->reqs[i]->idle_at = kcp_now_ms();
		}
	}
	if (!strcmp(m->msg_type, "stream") || !strcmp(m->msg_type, "display_data") ||
	    !strcmp(m->msg_type, "update_display_data")) {
		long long now = kcp_now_ms(), oldest = kc->out_times[kc->out_next % FLOOD_COUNT];

		kc->out_times[kc->out_next++ % FLOOD_COUNT] = now;
		if (oldest && now - oldest <= FLOOD_WINDOW_MS)
			kc->hold_until = now + FLOOD_HOLD_MS;
	}
	if (!kcp_routing_on_iopub(kc, m) && kc->h.iopub)
		kc->h.iopub(kc, m, kc->h.ud);
	/* The handler may have sent requests (the array moved), so look the request up again. */
	if (!strcmp(m->msg_type, "status") && (i = find_req(kc, m->parent_id)) >= 0 &&
	    kc->reqs[i]->got_idle && kc->reqs[i]->reply)
		finish(kc, (size_t)i, KC_OK);
	check_ready(kc);
	kc_msg_free(m);
}

static void on_stdin(struct kc_client *kc, struct kc_msg *m)
{
	if (!strcmp(m->msg_type, "input_request")) {
		const char *prompt = json_string_value(json_object_get(m->content, "prompt"));
		json_t *pw = json_object_get(m->content, "password");

		if (!pw)
			pw = json_object_get(m->content, "pwd"); /* xeus < 5.2.2 */
		json_decref(kc->input_parent);
		kc->input_parent = json_incref(m->header);
		if (kc->h.input)
			kc->h.input(kc, m, prompt ? prompt : "", json_is_true(pw), kc->h.ud);
	}
	kc_msg_free(m);
}

/* Reads one multipart message; NULL when nothing is waiting. */
static struct kc_msg *recv_one(struct kc_client *kc, void *sock, enum kc_channel ch, int *got)
{
	zmq_msg_t frames[32];
	size_t n = 0;
	int more = 1;
	struct kc_msg *m = NULL;

	*got = 0;
	while (more) {
		zmq_msg_t f;

		zmq_msg_init(&f);
		if (zmq_msg_recv(&f, sock, n ? 0 : ZMQ_DONTWAIT) < 0) {
			zmq_msg_close(&f);
			break;
		}
		more = zmq_msg_more(&f);
		if (n < sizeof frames / sizeof frames[0])
			frames[n++] = f;
		else
			zmq_msg_close(&f); /* more buffers than we keep: dropped */
	}
	if (n) {
		*got = 1;
		m = kcp_parse(&kc->sess, frames, n);
		if (m)
			m->channel = ch;
	}
	for (size_t i = 0; i < n; i++)
		zmq_msg_close(&frames[i]);
	return m;
}

/* Reads up to MAX_PER_DISPATCH messages; 1 when more may be waiting. */
static int drain(struct kc_client *kc, enum kc_channel ch)
{
	for (int k = 0; k < MAX_PER_DISPATCH; k++) {
		int got;
		struct kc_msg *m;

		if (!kc->sock[ch])
			return 0;
		m = recv_one(kc, kc->sock[ch], ch, &got);
		if (!got)
			return 0;
		if (!m)
			continue;
		if (ch == KC_IOPUB)
			on_iopub(kc, m);
		else if (ch == KC_STDIN)
			on_stdin(kc, m);
		else
			on_shell_reply(kc, m);
	}
	return 1;
}

static void mark_dead(struct kc_client *kc)
{
	if (kc->state == KC_DEAD)
		return;
	set_state(kc, KC_DEAD);
	json_decref(kc->input_parent);
	kc->input_parent = NULL;
	cancel_all(kc);
	kcp_routing_reset(kc);
}

static void heartbeat(struct kc_client *kc, long long now)
{
	zmq_pollitem_t it = {.socket = kc->hb, .events = ZMQ_POLLIN};
	char buf[16];

	if (!kc->hb || kc->state == KC_DEAD)
		return;
	if (kc->hb_waiting && zmq_poll(&it, 1, 0) > 0) {
		while (zmq_recv(kc->hb, buf, sizeof buf, ZMQ_DONTWAIT) >= 0)
			;
		kc->hb_waiting = 0;
		kc->hb_misses = 0;
		kc->hb_last_ok = now;
		if (kc->state == KC_UNRESPONSIVE || kc->state == KC_DISCONNECTED ||
		    kc->state == KC_LINK_LOST)
			set_state(kc, KC_IDLE);
	}
	if (kc->hb_waiting && now - kc->hb_sent >= HB_INTERVAL_MS) {
		kc->hb_waiting = 0;
		kc->hb_misses++;
		if (kc->state != KC_STARTING && kc->state != KC_RESTARTING &&
		    kc->state != KC_LINK_LOST) {
			if (!kc->launched && now - kc->hb_last_ok >= HB_DISCONNECTED_MS)
				set_state(kc, KC_DISCONNECTED);
			else if (kc->hb_misses >= HB_UNRESPONSIVE_MISSES &&
				 kc->state != KC_DISCONNECTED)
				set_state(kc, KC_UNRESPONSIVE);
		}
	}
	if (!kc->hb_waiting && now - kc->hb_sent >= HB_INTERVAL_MS) {
		kc->hb_sent = now;
		if (zmq_send(kc->hb, "ping", 4, ZMQ_DONTWAIT) >= 0)
			kc->hb_waiting = 1;
	}
}

/* The time after which r's idle counts as lost, or 0 if it cannot be (see IDLE_LOST_MS). */
static long long idle_lost_at(const struct kc_client *kc, const struct req *r)
{
	if (!r->reply || r->got_idle || strcmp(r->type, "execute_request"))
		return 0;
	/* IRkernel sends no busy/idle around the requests it aborts after an error: an aborted
	 * request has no output, so its idle is waited for only briefly. */
	if (reply_aborted(r))
		return r->reply_at + IDLE_GRACE_MS;
	return (kc->iopub_at > r->reply_at ? kc->iopub_at : r->reply_at) + IDLE_LOST_MS;
}

static int idle_lost(const struct kc_client *kc, const struct req *r, long long now)
{
	long long at = idle_lost_at(kc, r);

	return at && now >= at;
}

/* Finishes request idx whose idle the kernel dropped; the kernel is idle unless another
 * execution is still pending. */
static void finish_lost(struct kc_client *kc, size_t idx)
{
	finish(kc, idx, KC_OK);
	for (size_t i = 0; i < kc->nreqs; i++)
		if (!strcmp(kc->reqs[i]->type, "execute_request"))
			return;
	if (kc->state == KC_BUSY)
		set_state(kc, KC_IDLE);
}

static void timers(struct kc_client *kc, int check_proc, int check_tunnel)
{
	long long now = kcp_now_ms();

	kcp_tunnel_tick(kc, check_tunnel);
	probe_link(kc, now);
	if (kc->launched && (check_proc || kc->proc.exited) && kcp_proc_poll(&kc->proc)) {
		mark_dead(kc);
		return;
	}
	if (ready_retry_due(kc) && now >= kc->ready_next) {
		/* No reply yet: ask again. Or iopub not live yet: provoke another busy/idle. */
		if (kc->ready_reply && (kc->ready_gap *= 2) > READY_RETRY_MS)
			kc->ready_gap = READY_RETRY_MS;
		send_kernel_info(kc);
	}
	/* A watched connection came up, or the wait for one is over. */
	check_ready(kc);
	heartbeat(kc, now);
	for (size_t i = 0; i < kc->nreqs;) {
		struct req *r = kc->reqs[i];

		if (r->deadline && now >= r->deadline)
			finish(kc, i, r->reply ? KC_OK : KC_TIMEDOUT);
		else if (r->reply && r->got_idle)
			finish(kc, i, KC_OK);
		else if (r->got_idle && !r->reply && now - r->idle_at >= IDLE_GRACE_MS &&
			 strcmp(r->type, "execute_request"))
			finish(kc, i, KC_TIMEDOUT); /* busy/idle but no reply: unknown type */
		else if (idle_lost(kc, r, now))
			finish_lost(kc, i);
		else
			i++;
	}
}

int kc_client_pollitems(struct kc_client *kc, zmq_pollitem_t *items, int max)
{
	int n = 0, hold = kcp_now_ms() < kc->hold_until;

	if (kc->srv)
		return kcp_srv_pollitems(kc, items, max);
	for (int i = 0; i < KC_NCHANNELS && n < max && !hold; i++)
		if (kc->sock[i])
			items[n++] = (zmq_pollitem_t){.socket = kc->sock[i], .events = ZMQ_POLLIN};
	if (kc->hb && n < max)
		items[n++] = (zmq_pollitem_t){.socket = kc->hb, .events = ZMQ_POLLIN};
	if (kc->launched && kc->proc.pidfd >= 0 && n < max)
		items[n++] = (zmq_pollitem_t){.fd = kc->proc.pidfd, .events = ZMQ_POLLIN};
	if (kcp_tunnel_fd(kc) >= 0 && n < max)
		items[n++] = (zmq_pollitem_t){.fd = kcp_tunnel_fd(kc), .events = ZMQ_POLLIN};
	/* The monitors live while the client starts. */
	for (int i = 0; i < KC_NCHANNELS && n < max; i++)
		if (kc->mon[i] && !(kc->linked & 1u << i))
			items[n++] = (zmq_pollitem_t){.socket = kc->mon[i], .events = ZMQ_POLLIN};
	return n;
}

void kc_client_dispatch(struct kc_client *kc, zmq_pollitem_t *items, int n)
{
	/* Replies before iopub would finish requests before their output is seen, so iopub first. */
	static const enum kc_channel order[] = {KC_IOPUB, KC_STDIN, KC_SHELL, KC_CONTROL};

	unsigned ready = 0;
	int died = kc->launched && kc->proc.pidfd < 0; /* no pidfd: ask waitpid every time */
	int tunnel = 0;

	if (kc->srv) {
		kcp_srv_dispatch(kc, items, n);
		timers(kc, 0, 0);
		return;
	}
	/* Only the sockets poll found readable: an empty receive costs libzmq two system calls
	 * (its fork check and its mailbox), per socket, per wakeup. */
	for (int i = 0; i < n; i++) {
		if (!(items[i].revents & ZMQ_POLLIN))
			continue;
		for (int ch = 0; ch < KC_NCHANNELS; ch++)
			if (items[i].socket && items[i].socket == kc->sock[ch])
				ready |= 1u << ch;
		if (!items[i].socket && kc->launched && items[i].fd == kc->proc.pidfd)
			died = 1;
		if (!items[i].socket && items[i].fd >= 0 && items[i].fd == kcp_tunnel_fd(kc))
			tunnel = 1;
	}
	read_monitors(kc);
	for (size_t k = 0; k < sizeof order / sizeof order[0]; k++)
		if (ready & 1u << order[k] && drain(kc, order[k]) && order[k] == KC_IOPUB)
			kc->hold_until = 0; /* a backlog: no hold until it is read */
	timers(kc, died, tunnel);
}

long kc_client_next_timeout(const struct kc_client *kc)
{
	long long now = kcp_now_ms(), next = now + HB_INTERVAL_MS;

	if (kc->state == KC_DEAD)
		return -1;
	if (kc->hb && kc->hb_sent + HB_INTERVAL_MS < next)
		next = kc->hb_sent + HB_INTERVAL_MS;
	if (ready_retry_due(kc) && kc->ready_next < next)
		next = kc->ready_next;
	if (kc->state == KC_STARTING && kc->ready_rest_at &&
	    kc->ready_rest_at + KCP_LINK_WAIT_MS < next)
		next = kc->ready_rest_at + KCP_LINK_WAIT_MS;
	for (size_t i = 0; i < kc->nreqs; i++) {
		if (kc->reqs[i]->deadline && kc->reqs[i]->deadline < next)
			next = kc->reqs[i]->deadline;
		if (kc->reqs[i]->got_idle && kc->reqs[i]->idle_at + IDLE_GRACE_MS < next)
			next = kc->reqs[i]->idle_at + IDLE_GRACE_MS;
		if (idle_lost_at(kc, kc->reqs[i]) && idle_lost_at(kc, kc->reqs[i]) < next)
			next = idle_lost_at(kc, kc->reqs[i]);
	}
	if (kc->launched && kc->proc.pidfd < 0 && now + 200 < next)
		next = now + 200;
	if (kc->hold_until > now && kc->hold_until < next)
		next = kc->hold_until;
	if (kcp_tunnel_timeout(kc) >= 0 && now + kcp_tunnel_timeout(kc) < next)
		next = now + kcp_tunnel_timeout(kc);
	if (kc->holding && kc->state != KC_LINK_LOST && kc->probe_next < next)
		next = kc->probe_next;
	if (kc->srv && kcp_srv_timeout(kc) >= 0 && now + kcp_srv_timeout(kc) < next)
		next = now + kcp_srv_timeout(kc);
	return next > now ? (long)(next - now) : 0;
}

int kc_client_run(struct kc_client *kc, const int *done, long timeout_ms)
{
	long long end = timeout_ms >= 0 ? kcp_now_ms() + timeout_ms : 0;
	zmq_pollitem_t items[KC_MAXPOLL];

	while (!*done) {
		long t = kc_client_next_timeout(kc), left;
		int n = kc_client_pollitems(kc, items, KC_MAXPOLL);

		if (timeout_ms >= 0) {
			left = (long)(end - kcp_now_ms());
			if (left <= 0)
				return -1;
			if (t < 0 || t > left)
				t = left;
		}
		if (t < 0 || t > 1000)
			t = 1000;
		if (zmq_poll(items, n, t) < 0 && errno != EINTR)
			return -1;
		kc_client_dispatch(kc, items, n);
		if (kc->state == KC_DEAD && !*done)
			return -1;
	}
	return 0;
}

int kc_client_wait_ready(struct kc_client *kc, long timeout_ms, struct kc_error *err)
{
	long long end = kcp_now_ms() + timeout_ms, check_at = kcp_now_ms() + 3000;
	zmq_pollitem_t items[KC_MAXPOLL];

	/* A restart through a Jupyter Server is RESTARTING until the server answers. */
	while (kc->state == KC_STARTING || (kc->srv && kc->state == KC_RESTARTING)) {
		long left = (long)(end - kcp_now_ms());
		int n = kc_client_pollitems(kc, items, KC_MAXPOLL);

		/* A kernel started over SSH: no pidfd tells its death, so ask every few seconds. */
		if (kcp_tunnel_launched(kc) && kcp_now_ms() >= check_at) {
			if (kcp_tunnel_check(kc, err) < 0)
				return -1;
			check_at = kcp_now_ms() + 3000;
		}
		if (left <= 0) {
			char *tail = kc_client_log_tail(kc, 600);

			kcp_fail(err, "kernel did not answer within %ld s%s%s", timeout_ms / 1000,
				 *tail ? "; its output:\n" : "", tail);
			free(tail);
			return -1;
		}
		/* The next timer (a kernel_info retry is due within 50 ms of a reply), at most 100. */
		long t = kc_client_next_timeout(kc);

		if (t < 0 || t > 100)
			t = 100;
		zmq_poll(items, n, left < t ? left : t);
		kc_client_dispatch(kc, items, n);
	}
	if (kc->state == KC_DEAD && kc->srv)
		return kcp_fail(err, "%s", kc->err);
	if (kc->state == KC_DEAD) {
		char *tail = kc_client_log_tail(kc, 600);
		int st = kc->proc.status;

		kcp_fail(err, "kernel died at start (%s %d)%s%s",
			 WIFSIGNALED(st) ? "signal" : "exit status",
			 WIFSIGNALED(st) ? WTERMSIG(st) : WEXITSTATUS(st),
			 *tail ? "; its output:\n" : "", tail);
		free(tail);
		return -1;
	}
	return 0;
}

/* Builds the kernel's environment: ours, plus the spec's env with ${VAR} expanded from ours
 * (unknown variables stay literal, as Python's Template.safe_substitute), plus JPY_PARENT_PID. */
static char **build_env(const struct kc_kernelspec *spec, const char *const *extra)
{
	extern char **environ;
	size_t n = 0, cap = 16;
	char **env = calloc(cap, sizeof *env);
	char buf[64];

#define ADD(s)                                                                  \
	do {                                                                        \
		if (n + 2 >= cap)                                                       \
			env = realloc(env, (cap *= 2) * sizeof *env);                   \
		env[n++] = (s);                                                         \
		env[n] = NULL;                                                          \
	} while (0)
	for (char **e = environ; *e; e++) {
		int skip = !strncmp(*e, "JPY_PARENT_PID=", 15);

		if (spec->language && !strncmp(spec->language, "python", 6) &&
		    !strncmp(*e, "PYTHONEXECUTABLE=", 17))
			skip = 1;
		if (spec->env && !skip) {
			const char *eq = strchr(*e, '=');

			if (eq) {
				char name[256];

				snprintf(name, sizeof name, "%.*s", (int)(eq - *e), *e);
				skip = json_object_get(spec->env, name) != NULL;
			}
		}
		if (!skip)
			ADD(strdup(*e));
	}
	if (spec->env) {
		const char *k;
		json_t *v;

		json_object_foreach(spec->env, k, v) {
			const char *s = json_string_value(v);
			size_t cap2 = strlen(k) + 2 + (s ? strlen(s) : 0) + 1, o;
			char *out;

			if (!s)
				continue;
			out = malloc(cap2);
			o = (size_t)sprintf(out, "%s=", k);
			for (const char *p = s; *p;) {
				const char *end, *val;
				char name[256];

				if (p[0] == '$' && p[1] == '{' && (end = strchr(p, '}')) &&
				    end - p - 2 < (long)sizeof name) {
					snprintf(name, sizeof name, "%.*s", (int)(end - p - 2),
						 p + 2);
					if ((val = getenv(name))) {
						cap2 += strlen(val);
						out = realloc(out, cap2);
						o += (size_t)sprintf(out + o, "%s", val);
						p = end + 1;
						continue;
					}
				}
				out[o++] = *p++;
				out[o] = 0;
			}
			ADD(out);
		}
	}
	snprintf(buf, sizeof buf, "JPY_PARENT_PID=%d", (int)getpid());
	ADD(strdup(buf));
	for (const char *const *x = extra; x && *x; x++)
		ADD(strdup(*x));
#undef ADD
	return env;
}

static void free_strv(char **v)
{
	for (char **p = v; p && *p; p++)
		free(*p);
	free(v);
}

static char **build_argv(const struct kc_kernelspec *spec, const char *connfile)
{
	size_t n = 0;
	char **argv;

	while (spec->argv[n])
		n++;
	argv = calloc(n + 1, sizeof *argv);
	for (size_t i = 0; i < n; i++) {
		const char *a = spec->argv[i], *at = strstr(a, "{connection_file}");

		if (at) {
			size_t l = strlen(a) - 17 + strlen(connfile) + 1;

			argv[i] = malloc(l);
			snprintf(argv[i], l, "%.*s%s%s", (int)(at - a), a, connfile, at + 17);
		} else if (strstr(a, "{resource_dir}")) {
			at = strstr(a, "{resource_dir}");
			size_t l = strlen(a) - 14 + strlen(spec->dir) + 1;

			argv[i] = malloc(l);
			snprintf(argv[i], l, "%.*s%s%s", (int)(at - a), a, spec->dir, at + 14);
		} else if (a[0] == '~' && a[1] == '/' && getenv("HOME")) {
			argv[i] = malloc(strlen(a) + strlen(getenv("HOME")) + 1);
			sprintf(argv[i], "%s%s", getenv("HOME"), a + 1);
		} else {
			argv[i] = strdup(a);
		}
	}
	return argv;
}

struct kc_client *kcp_client_new(void)
{
	struct kc_client *kc = calloc(1, sizeof *kc);

	if (kc) {
		kc->proc.pidfd = -1;
		kc->state = KC_STARTING;
	}
	return kc;
}

static int mkdir_p(const char *path, mode_t mode)
{
	char buf[PATH_MAX];

	snprintf(buf, sizeof buf, "%s", path);
	for (char *p = buf + 1; *p; p++)
		if (*p == '/') {
			*p = 0;
			mkdir(buf, 0700);
			*p = '/';
		}
	if (mkdir(buf, mode) < 0 && errno != EEXIST)
		return -1;
	return 0;
}

struct kc_client *kc_client_launch(const struct kc_kernelspec *spec,
				   const struct kc_launch_opts *opts, struct kc_error *err)
{
	struct kc_client *kc = kcp_client_new();
	char rt[PATH_MAX], uuid[40], real[PATH_MAX];
	static const struct kc_launch_opts none;

	if (!opts)
		opts = &none;
	if (!kc) {
		kcp_fail(err, "out of memory");
		return NULL;
	}
	kc->launched = 1;
	kc->signal_interrupt = !spec->interrupt_mode || strcmp(spec->interrupt_mode, "message");
	if (kc_path_runtime_dir(rt, sizeof rt) < 0 || mkdir_p(rt, 0700) < 0) {
		kcp_fail(err, "%s: cannot create the Jupyter runtime directory: %s", rt,
			 strerror(errno));
		goto fail;
	}
	/* Only the owner may delete files in the runtime dir, as jupyter_client arranges. */
	chmod(rt, 01700);
	kcp_uuid4(uuid);
	snprintf(kc->connfile, sizeof kc->connfile, "%s/kernel-%s.json", rt, uuid);
	if (kc_conn_init_local(&kc->ci, err) < 0)
		goto fail;
	snprintf(kc->ci.kernel_name, sizeof kc->ci.kernel_name, "%s", spec->name);
	if (kc_conn_write(kc->connfile, &kc->ci, err) < 0)
		goto fail;
	kc->own_connfile = 1;
	if (!realpath(kc->connfile, real))
		snprintf(real, sizeof real, "%s", kc->connfile);
	if (kcp_session_init(&kc->sess, kc->ci.key, kc->ci.signature_scheme, err) < 0)
		goto fail;
	if (opts->log_path) {
		snprintf(kc->proc.log_path, sizeof kc->proc.log_path, "%s", opts->log_path);
	} else {
		snprintf(kc->proc.log_path, sizeof kc->proc.log_path, "%s/kernel-%s.log", rt, uuid);
		kc->proc.own_log = 1;
	}
	kc->argv = build_argv(spec, real);
	kc->envp = build_env(spec, opts->extra_env);
	kc->cwd = opts->cwd ? strdup(opts->cwd) : NULL;
	if (kcp_proc_spawn(&kc->proc, kc->argv, kc->envp, kc->cwd, err) < 0) {
		char msg[sizeof err->text];

		snprintf(msg, sizeof msg, "kernel \"%s\": %s", spec->name, err->text);
		snprintf(err->text, sizeof err->text, "%s", msg);
		goto fail;
	}
	if (open_sockets(kc, err) < 0)
		goto fail;
	begin_handshake(kc);
	return kc;
fail:
	kc_client_free(kc, 0);
	return NULL;
}

struct kc_client *kc_client_attach(const char *connfile, struct kc_error *err)
{
	struct kc_conninfo ci;

	if (kc_conn_read(connfile, &ci, err) < 0)
		return NULL;
	return kcp_client_attach_ci(&ci, connfile, err);
}

struct kc_client *kcp_client_attach_ci(const struct kc_conninfo *ci, const char *connfile,
				       struct kc_error *err)
{
	struct kc_client *kc = kcp_client_new();

	if (!kc) {
		kcp_fail(err, "out of memory");
		return NULL;
	}
	snprintf(kc->connfile, sizeof kc->connfile, "%s", connfile);
	kc->signal_interrupt = 0;
	kc->ci = *ci;
	if (kcp_session_init(&kc->sess, kc->ci.key, kc->ci.signature_scheme, err) < 0 ||
	    open_sockets(kc, err) < 0) {
		kc_client_free(kc, 1);
		return NULL;
	}
	begin_handshake(kc);
	return kc;
}

void kcp_client_link_lost(struct kc_client *kc)
{
	if (kc->state == KC_DEAD || kc->state == KC_LINK_LOST)
		return;
	for (size_t i = 0; i < kc->nreqs; i++)
		kc->reqs[i]->outage = 1;
	kc->holding = 1;
	kc->probe_next = 0;
	set_state(kc, KC_LINK_LOST);
}

/* A probe's reply came after every request sent before it (shell is handled in order): a
 * request pending since the outage without its reply now never gets one. */
static void on_probe(struct kc_client *kc, const char *id, enum kc_status st,
		     const struct kc_msg *reply, void *ud)
{
	if (st != KC_OK)
		return;
	for (size_t i = 0; i < kc->nreqs;) {
		struct req *r = kc->reqs[i];

		if (r->outage && !r->reply && r->ch == KC_SHELL)
			finish(kc, i, KC_ERROR);
		else
			i++;
	}
}

static void link_back(struct kc_client *kc)
{
	kcp_tunnel_link_back(kc);
	kc->probe_next = 0;
}

/* Sends what was held, in order, and stops holding. */
static void release_held(struct kc_client *kc)
{
	kc->holding = 0;
	if (kc->srv)
		kcp_srv_release(kc);
	for (size_t k = 0; k < kc->nheld; k++) {
		struct kcp_held *h = &kc->held[k];

		for (int i = 0; i < h->n; i++) {
			zmq_msg_send(&h->frames[i], kc->sock[h->ch],
				     (i < h->n - 1 ? ZMQ_SNDMORE : 0) | ZMQ_DONTWAIT);
			zmq_msg_close(&h->frames[i]);
		}
	}
	free(kc->held);
	kc->held = NULL;
	kc->nheld = 0;
}

/* The link is back but iopub not proven: a kernel_info (sent past the hold) every 200 ms makes
 * the kernel publish busy/idle; the first iopub message releases the rest (on_iopub). After
 * KCP_HOLD_MAX_MS of none, what is held goes anyway. */
#define KCP_HOLD_MAX_MS 5000
static void probe_link(struct kc_client *kc, long long now)
{
	if (!kc->holding || kc->state == KC_LINK_LOST || kc->state == KC_DEAD ||
	    now < kc->probe_next)
		return;
	if (kc->probe_next && now - kc->hold_since >= KCP_HOLD_MAX_MS) {
		release_held(kc);
		return;
	}
	if (!kc->probe_next)
		kc->hold_since = now;
	kc->probe_next = now + 200;
	kc->holding = 0;
	kc_client_request(kc, KC_SHELL, "kernel_info_request", NULL, 0, on_probe, NULL);
	kc->holding = 1;
}

static void shutdown_process(struct kc_client *kc, int restart)
{
	json_t *h;

	if (!kc->launched || kcp_proc_poll(&kc->proc))
		return;
	/* jupyter_client's sequence: request on control, 2.5 s, SIGTERM, 2.5 s, SIGKILL. */
	if (kc->sock[KC_CONTROL] && (h = kcp_header(&kc->sess, "shutdown_request")))
		kcp_send(kc, KC_CONTROL, h, NULL, json_pack("{s:b}", "restart", restart));
	if (kcp_proc_wait(&kc->proc, 2500))
		return;
	kcp_proc_signal(&kc->proc, SIGTERM);
	if (kcp_proc_wait(&kc->proc, 2500))
		return;
	kcp_proc_signal(&kc->proc, SIGKILL);
	kcp_proc_wait(&kc->proc, 5000);
}

int kc_client_shutdown(struct kc_client *kc)
{
	shutdown_process(kc, 0);
	if (kc->launched) {
		mark_dead(kc);
		return kcp_proc_poll(&kc->proc) ? 0 : -1;
	}
	return 0;
}

void kc_client_free(struct kc_client *kc, int keep)
{
	if (!kc)
		return;
	kcp_tunnel_shutdown(kc, keep);
	kcp_srv_free(kc, keep);
	if (kc->launched && !keep)
		shutdown_process(kc, 0);
	else if (kc->launched && !kcp_proc_poll(&kc->proc))
		kcp_proc_signal(&kc->proc, SIGKILL), kcp_proc_wait(&kc->proc, 2000);
	kc->h = (struct kc_handlers){0};
	cancel_all(kc);
	kc->holding = 0;
	for (size_t k = 0; k < kc->nheld; k++)
		for (int i = 0; i < kc->held[k].n; i++)
			zmq_msg_close(&kc->held[k].frames[i]);
	free(kc->held);
	if (kc->tun) { /* what is still queued waits for a link that is going away */
		int zero = 0;

		for (int i = 0; i < KC_NCHANNELS; i++)
			if (kc->sock[i])
				zmq_setsockopt(kc->sock[i], ZMQ_LINGER, &zero, sizeof zero);
	}
	close_sockets(kc);
	kcp_tunnel_free(kc);
	if (kc->own_connfile)
		unlink(kc->connfile);
	if (kc->proc.own_log)
		unlink(kc->proc.log_path);
	if (kc->proc.pidfd >= 0)
		close(kc->proc.pidfd);
	kcp_session_clear(&kc->sess);
	json_decref(kc->info);
	json_decref(kc->input_parent);
	kcp_routing_free(kc);
	free_strv(kc->argv);
	free_strv(kc->envp);
	free(kc->cwd);
	free(kc->reqs);
	free(kc);
}

int kc_client_restart(struct kc_client *kc, struct kc_error *err)
{
	int remote = kcp_tunnel_launched(kc);

	if (kc->srv) { /* POST …/restart; the handshake begins when it is answered */
		kcp_client_restarting(kc);
		if (kcp_srv_restart(kc, err) < 0) {
			mark_dead(kc);
			return -1;
		}
		return 0;
	}
	if (!kc->launched && !remote)
		return kcp_fail(err, "cannot restart a kernel bobbin did not start");
	set_state(kc, KC_RESTARTING);
	cancel_all(kc);
	kcp_routing_reset(kc);
	json_decref(kc->input_parent);
	kc->input_parent = NULL;
	if (!remote)
		shutdown_process(kc, 1);
	/* The old kernel is gone (a remote one: going) and the new one not started: any handshake
	 * from here on is new. */
	close_monitors(kc);
	for (size_t k = 0; k < sizeof linked_channels / sizeof linked_channels[0]; k++)
		open_monitor(kc, linked_channels[k]);
	if (!remote) {
		if (kc->proc.pidfd >= 0)
			close(kc->proc.pidfd);
		kc->proc.pidfd = -1;
	}
	if (remote ? kcp_tunnel_restart(kc, err) < 0
		   : kcp_proc_spawn(&kc->proc, kc->argv, kc->envp, kc->cwd, err) < 0) {
		set_state(kc, KC_DEAD);
		return -1;
	}
	json_decref(kc->info);
	kc->info = NULL;
	kc->hb_misses = 0;
	begin_handshake(kc);
	return 0;
}

int kc_client_interrupt(struct kc_client *kc)
{
	if (kc->srv)
		return kcp_srv_interrupt(kc);
	if (kc->launched && kc->signal_interrupt)
		return kcp_proc_signal(&kc->proc, SIGINT);
	if (kcp_tunnel_launched(kc) && kc->signal_interrupt)
		return kcp_tunnel_interrupt(kc);
	return kc_client_request(kc, KC_CONTROL, "interrupt_request", NULL, 0, NULL, NULL) ? 0
											 : -1;
}

void kc_client_set_handlers(struct kc_client *kc, const struct kc_handlers *h)
{
	kc->h = *h;
}

enum kc_state kc_client_state(const struct kc_client *kc)
{
	return kc->state;
}

int kc_client_launched(const struct kc_client *kc)
{
	return kc->launched || kcp_tunnel_launched(kc) || kcp_srv_launched(kc);
}

pid_t kc_client_pid(const struct kc_client *kc)
{
	return kc->launched ? kc->proc.pid : 0;
}

json_t *kc_client_info(const struct kc_client *kc)
{
	return kc->info;
}

const char *kc_client_connfile(const struct kc_client *kc)
{
	return kc->connfile;
}

const char *kc_client_session(const struct kc_client *kc)
{
	return kc->sess.id;
}

int kc_client_output_lost(const struct kc_client *kc)
{
	return kc->lost;
}

unsigned long kc_client_dropped(const struct kc_client *kc)
{
	return kc->sess.dropped;
}

unsigned long kc_client_bad_signatures(const struct kc_client *kc)
{
	return kc->sess.bad_sig;
}

const char *kc_client_strerror(const struct kc_client *kc)
{
	return kc->err;
}

char *kc_client_log_tail(const struct kc_client *kc, size_t max)
{
	FILE *f = kc->launched ? fopen(kc->proc.log_path, "rb") : NULL;
	char *buf = calloc(1, max + 1);
	long size;
	size_t n;

	if (!f || !buf)
		goto out;
	fseek(f, 0, SEEK_END);
	size = ftell(f);
	fseek(f, size > (long)max ? size - (long)max : 0, SEEK_SET);
	n = fread(buf, 1, max, f);
	buf[n] = 0;
	/* Trim a trailing newline so the message ends cleanly. */
	while (n && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
		buf[--n] = 0;
out:
	if (f)
		fclose(f);
	return buf ? buf : strdup("");
}

/* ---- for kc_ws.c ---- */

void kcp_client_deliver(struct kc_client *kc, struct kc_msg *m)
{
	if (m->channel == KC_IOPUB)
		on_iopub(kc, m);
	else if (m->channel == KC_STDIN)
		on_stdin(kc, m);
	else
		on_shell_reply(kc, m);
}

void kcp_client_restarting(struct kc_client *kc)
{
	set_state(kc, KC_RESTARTING);
	cancel_all(kc);
	kcp_routing_reset(kc);
	json_decref(kc->input_parent);
	kc->input_parent = NULL;
	json_decref(kc->info);
	kc->info = NULL;
}

void kcp_client_begin(struct kc_client *kc)
{
	begin_handshake(kc);
}

void kcp_client_link_back(struct kc_client *kc)
{
	int busy = 0;

	for (size_t i = 0; i < kc->nreqs; i++)
		busy |= !strcmp(kc->reqs[i]->type, "execute_request");
	set_state(kc, busy ? KC_BUSY : KC_IDLE);
}

void kcp_client_dead(struct kc_client *kc)
{
	mark_dead(kc);
}
