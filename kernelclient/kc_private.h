// SPDX-License-Identifier: GPL-3.0-or-later
/* Cross-file internals of libkernelclient (kcp_ names). Not installed, not for front ends. */
#ifndef BOBBIN_KC_PRIVATE_H
#define BOBBIN_KC_PRIVATE_H

#include <stdarg.h>
#include <curl/curl.h>
#include "kernelclient/kc.h"

#define KCP_DELIM "<IDS|MSG>"

/* Formats into err (may be NULL) and returns -1. */
int kcp_fail(struct kc_error *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Opens a file of outside data for reading: a descriptor, or -1 with err set when it cannot be
 * opened or is not a regular file (a FIFO is refused without waiting for a writer). */
int kcp_open_regular(const char *path, struct kc_error *err);

/* A kernelspec from kernel.json's parsed object j (borrowed); path names it in errors. */
struct kc_kernelspec *kcp_kernelspec_from_json(json_t *j, const char *path, const char *dir,
					       const char *name, struct kc_error *err);
/* A connection file's parsed object j (borrowed) into ci; path names it in errors. */
int kcp_conn_from_json(json_t *j, const char *path, struct kc_conninfo *ci, struct kc_error *err);

/* Appends a copy of s to the NULL-terminated *v of *n strings. */
int kcp_strv_push(char ***v, size_t *n, const char *s);

/* Signing and framing state for one client session. */
struct kcp_session {
	char id[40];       /* uuid4, sent as header.session */
	char username[64];
	void *mac;         /* EVP_MAC_CTX keyed once, or NULL for an empty key */
	unsigned long dropped;
	unsigned long bad_sig; /* of dropped, those with a bad or missing signature */
};

int kcp_session_init(struct kcp_session *s, const char *key, const char *scheme,
		     struct kc_error *err);
void kcp_session_clear(struct kcp_session *s);
/* Lower-case hex HMAC of the four parts into out (≥ 129 bytes); "" when unsigned. */
int kcp_sign(const struct kcp_session *s, const char *const parts[4], const size_t lens[4],
	     char *out);
/* uuid4 text into out (≥ 37 bytes). */
void kcp_uuid4(char *out);
/* ISO 8601 UTC with microseconds and Z, as Python writes it, into out (≥ 32 bytes). */
void kcp_isodate(char *out, size_t size);
/* Replaces invalid UTF-8 with U+FFFD. Returns a new buffer (caller frees) or NULL if s was valid. */
char *kcp_utf8_repair(const char *s, size_t len, size_t *outlen);

/* Builds a header object for msg_type. */
json_t *kcp_header(const struct kcp_session *s, const char *msg_type);
/* Serialises and signs: fills frames (caller closes each) after n_ids identity frames copied
 * from ids; returns the number of frames or -1. parent may be NULL ({}). Takes nothing. */
int kcp_serialize(const struct kcp_session *s, json_t *header, json_t *parent, json_t *metadata,
		  json_t *content, zmq_msg_t *frames, int maxframes);
/* Parses received frames into a message: finds the delimiter, checks the signature over the
 * four frames as received, repairs UTF-8, loads JSON. NULL when dropped (counted in s). */
struct kc_msg *kcp_parse(struct kcp_session *s, zmq_msg_t *frames, size_t n);

/* A message from its four parts (taken, any may be NULL: then NULL, counted as dropped). */
struct kc_msg *kcp_msg_from_json(struct kcp_session *s, json_t *header, json_t *parent,
				 json_t *metadata, json_t *content);
/* Parses one JSON part (invalid UTF-8 repaired); NULL unless an object. */
json_t *kcp_load_part(const char *data, size_t len);
int kcp_msg_add_buffer(struct kc_msg *m, const void *data, size_t len);

/* Process management for launched kernels. */
struct kcp_proc {
	pid_t pid;
	int pidfd;        /* readable when the process exits; -1 when unavailable */
	int exited, status;
	char log_path[4096];
	int own_log;
};
int kcp_proc_spawn(struct kcp_proc *p, char *const argv[], char *const envp[], const char *cwd,
		   struct kc_error *err);
/* Non-blocking reap; 1 when the process has exited. */
int kcp_proc_poll(struct kcp_proc *p);
/* Signals the process group (falls back to the pid). */
int kcp_proc_signal(struct kcp_proc *p, int sig);
/* Waits up to ms for exit; 1 when exited. */
int kcp_proc_wait(struct kcp_proc *p, long ms);

long long kcp_now_ms(void);

/* The client's state, shared by kc_client.c and kc_routing.c. */
#include <limits.h>
#define HB_INTERVAL_MS 1000
#define FLOOD_COUNT 8
/* How long readiness waits for the control and stdin connections once everything else is in. */
#define KCP_LINK_WAIT_MS 2000

struct req {
	char id[40];
	char type[64];
	enum kc_channel ch;
	kc_reply_cb *cb;
	void *ud;
	long long deadline;  /* 0: none */
	long long idle_at;   /* when idle arrived */
	long long reply_at;  /* when the reply arrived */
	int got_idle;
	struct kc_msg *reply;
	int outage;          /* pending when the SSH link broke: its output may be lost */
};

struct kc_client {
	void *zctx;
	void *sock[KC_NCHANNELS];
	void *hb;
	struct kc_conninfo ci;
	char connfile[PATH_MAX];
	int own_connfile;
	struct kcp_session sess;
	int launched;
	struct kcp_proc proc;
	char **argv, **envp;
	char *cwd;
	int signal_interrupt;
	enum kc_state state;
	json_t *info;
	char kernel_session[64];
	struct kc_handlers h;
	struct req **reqs;
	size_t nreqs, capreqs;
	/* readiness handshake */
	char ready_id[40];
	int ready_reply, ready_iopub;
	long long ready_sent;
	long long ready_next; /* when to ask again */
	long ready_gap;       /* the wait after the last kernel_info before asking again */
	long long ready_rest_at; /* when the reply and an iopub message were both in; 0 before */
	/* Monitors of the sockets that no reply proves connected (control, stdin) while starting:
	 * the PAIR end of each (NULL when unmonitored), a bit per channel whose connection is up
	 * (handshake done; kept as it was at readiness), and a count for fresh inproc names. */
	void *mon[KC_NCHANNELS];
	unsigned linked, mon_gen;
	/* heartbeat */
	long long hb_sent, hb_last_ok;
	int hb_waiting, hb_misses;
	/* flood batching: times of the last FLOOD_COUNT output messages */
	long long out_times[FLOOD_COUNT];
	unsigned out_next;
	long long hold_until;
	long long iopub_at; /* when the last iopub message arrived */
	int lost;           /* during a reply callback: kc_client_output_lost() */
	/* thread routing (kc_routing.c) */
	int routing_on;
	enum kc_routing routing;
	char routing_why[256];
	json_t *routing_state;
	json_t *routing_replay; /* set_default/add_rule/remove_rule ops to redo after a restart */
	char comm_id[40];
	/* a remote kernel's SSH tunnel (kc_tunnel.c), NULL for a local one. From the link's loss
	 * until an iopub message shows the SUB subscribed again, what is sent is held here (else
	 * a request could run before its output can arrive); kernel_info probes provoke one. */
	struct kcp_tunnel *tun;
	struct kcp_held {
		enum kc_channel ch;
		int n;
		zmq_msg_t frames[6];
	} *held;
	size_t nheld;
	int holding;
	long long probe_next, hold_since;
	/* a kernel on a Jupyter Server (kc_ws.c), NULL for ZeroMQ: no sockets, no heartbeat */
	struct kcp_server *srv;
	/* pending input_request */
	json_t *input_parent;
	char err[512];
};


/* Sends header/content (taking both) with parent (borrowed, may be NULL) on a channel. */
int kcp_send(struct kc_client *kc, enum kc_channel ch, json_t *header, json_t *parent,
	     json_t *content);
/* kc_routing.c's hooks: the kernel became ready (again); an iopub message arrived (1 when it was
 * the routing comm's and is consumed); the kernel restarted or died. */
void kcp_routing_on_ready(struct kc_client *kc);
int kcp_routing_on_iopub(struct kc_client *kc, const struct kc_msg *m);
void kcp_routing_reset(struct kc_client *kc);
void kcp_routing_free(struct kc_client *kc);

/* kc_client.c for kc_tunnel.c: a client for ci (connfile is its name); the link broke. */
struct kc_client *kcp_client_attach_ci(const struct kc_conninfo *ci, const char *connfile,
				       struct kc_error *err);
void kcp_client_link_lost(struct kc_client *kc);
/* kc_tunnel.c for kc_client.c: the ssh child's pidfd (-1: none); watch it (fd_ready: the pidfd
 * was readable) and start it again when due; ms until that (-1: nothing due); the link is back;
 * a kernel started there: its interrupt, restart, death at start, shutdown (unless keep), and
 * freeing the tunnel (the ssh child, the sockets, the directory). */
int kcp_tunnel_fd(const struct kc_client *kc);
void kcp_tunnel_tick(struct kc_client *kc, int fd_ready);
long kcp_tunnel_timeout(const struct kc_client *kc);
void kcp_tunnel_link_back(struct kc_client *kc);
int kcp_tunnel_launched(const struct kc_client *kc);
int kcp_tunnel_interrupt(struct kc_client *kc);
int kcp_tunnel_restart(struct kc_client *kc, struct kc_error *err);
int kcp_tunnel_check(struct kc_client *kc, struct kc_error *err);
void kcp_tunnel_shutdown(struct kc_client *kc, int keep);
void kcp_tunnel_free(struct kc_client *kc);

/* ---- Jupyter Server: REST (kc_rest.c) ---- */

#define KCP_URL_MAX 2048
#define KCP_REST_MAXFDS 4
struct kcp_rest;
/* A request finished: code is the HTTP status (0 when none came, why says the cause then);
 * body (NUL-terminated, len bytes) is what came; url the request's. */
typedef void kcp_rest_cb(struct kcp_rest *r, long code, const char *body, size_t len,
			 const char *why, const char *url, void *ud);
struct kcp_rest {
	CURLM *multi;
	char base[KCP_URL_MAX]; /* ends in / */
	char auth[512];         /* the Authorization header, "" without a token */
	char ca_file[PATH_MAX];
	struct {
		int fd;
		short events;
	} fds[KCP_REST_MAXFDS];
	int nfds, pending;
	int fresh;              /* new requests take a new connection */
	long long timer_at;
	void *reqs;
	/* a transfer of the multi that is not a REST request finished (the WebSocket's connect) */
	void (*on_other)(struct kcp_rest *r, CURL *e, CURLcode rc, void *ud);
	void *other_ud;
};
int kcp_rest_init(struct kcp_rest *r, const char *base, const char *token, const char *ca_file,
		  struct kc_error *err);
/* Timeouts, protocols and the CA file on an easy handle. */
void kcp_rest_setup(const struct kcp_rest *r, CURL *e, long timeout_ms);
/* Starts method on base+path with body (taken; NULL: none). */
int kcp_rest_start(struct kcp_rest *r, const char *method, const char *path, json_t *body,
		   long timeout_ms, kcp_rest_cb *cb, void *ud);
int kcp_rest_pollitems(const struct kcp_rest *r, zmq_pollitem_t *items, int max);
void kcp_rest_dispatch(struct kcp_rest *r, const zmq_pollitem_t *items, int n);
long kcp_rest_timeout(const struct kcp_rest *r);
/* Runs only the REST transfers until *flag is set; -1 after timeout_ms. */
int kcp_rest_wait(struct kcp_rest *r, const int *flag, long timeout_ms);
void kcp_rest_clear(struct kcp_rest *r);
/* One line for a failed answer: the URL, the status, what it means. */
void kcp_rest_describe(const char *url, long code, const char *body, size_t len, char *out,
		       size_t size);
/* Printable text of outside bytes (controls and invalid UTF-8 dropped), at most max-1 bytes. */
void kcp_sanitize(const char *s, size_t len, char *out, size_t max);

/* ---- Jupyter Server: the kernel's WebSocket (kc_ws.c) for kc_client.c ---- */

/* Sends (taking header and content; parent and metadata borrowed, may be NULL). */
int kcp_srv_send(struct kc_client *kc, enum kc_channel ch, json_t *header, json_t *parent,
		 json_t *metadata, json_t *content);
int kcp_srv_pollitems(struct kc_client *kc, zmq_pollitem_t *items, int max);
void kcp_srv_dispatch(struct kc_client *kc, zmq_pollitem_t *items, int n);
long kcp_srv_timeout(const struct kc_client *kc);
int kcp_srv_launched(const struct kc_client *kc);
int kcp_srv_interrupt(struct kc_client *kc);
int kcp_srv_restart(struct kc_client *kc, struct kc_error *err);
/* Sends what was held while the link was down. */
void kcp_srv_release(struct kc_client *kc);
void kcp_srv_free(struct kc_client *kc, int keep);

/* kc_client.c for kc_ws.c: a new client; a message arrived (taken); the kernel is ready to be
 * asked again (after a restart); the link is back; the kernel is gone (why in kc->err). */
struct kc_client *kcp_client_new(void);
void kcp_client_deliver(struct kc_client *kc, struct kc_msg *m);
void kcp_client_restarting(struct kc_client *kc);
void kcp_client_begin(struct kc_client *kc);
void kcp_client_link_back(struct kc_client *kc);
void kcp_client_dead(struct kc_client *kc);

#endif
