// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * libkernelclient — a Jupyter client library: kernelspecs, connection files, kernel launch and
 * lifecycle, the wire protocol (frames + HMAC-SHA256), and a client that talks to one kernel over
 * its five ZeroMQ sockets. It owns no loop and never prints or exits: the application asks for
 * poll items, polls them together with its own fds, and calls kc_client_dispatch().
 */
#ifndef BOBBIN_KC_H
#define BOBBIN_KC_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <jansson.h>
#include <zmq.h>

struct kc_error {
	int code;
	char text[512]; /* one line naming the thing and the cause */
};

/* ---- paths ---- */

/* The Jupyter data dir: JUPYTER_DATA_DIR, else $XDG_DATA_HOME/jupyter, else ~/.local/share/jupyter. */
int kc_path_data_dir(char *buf, size_t size);
/* The runtime dir: JUPYTER_RUNTIME_DIR, else <data dir>/runtime (never XDG_RUNTIME_DIR). */
int kc_path_runtime_dir(char *buf, size_t size);

/* ---- kernelspecs ---- */

struct kc_kernelspec {
	char *name;           /* lower-cased directory name */
	char *dir;            /* resource directory */
	char *display_name;
	char *language;
	char *interrupt_mode; /* "signal" or "message" */
	char **argv;          /* NULL-terminated */
	json_t *env;          /* object or NULL */
	json_t *metadata;     /* object or NULL */
};

/* Reads dir/kernel.json. NULL with *err on a missing or malformed file. Caller frees. */
struct kc_kernelspec *kc_kernelspec_load(const char *dir, const char *name, struct kc_error *err);
/* Finds a kernelspec by name in jupyter_client's search order. Caller frees. */
struct kc_kernelspec *kc_kernelspec_find(const char *name, struct kc_error *err);
/* Every kernelspec found, first directory wins per name, sorted by name; *n set. Caller frees
 * with kc_kernelspec_list_free. Broken specs are skipped and described in *bad (one per line,
 * caller frees; may be NULL). */
struct kc_kernelspec **kc_kernelspec_list(size_t *n, char **bad);
void kc_kernelspec_free(struct kc_kernelspec *spec);
void kc_kernelspec_list_free(struct kc_kernelspec **list, size_t n);
/* The kernels/ directories searched, in order; NULL-terminated, caller frees each and the array. */
char **kc_kernelspec_dirs(void);

/* ---- connection files ---- */

struct kc_conninfo {
	char transport[8]; /* "tcp" or "ipc" */
	char ip[256];
	int shell_port, iopub_port, stdin_port, control_port, hb_port;
	char key[256];
	char signature_scheme[32];
	char kernel_name[128];
};

/* Reads a connection file (ports as numbers or strings). Curve-encrypted files are refused. */
int kc_conn_read(const char *path, struct kc_conninfo *ci, struct kc_error *err);
/* Writes ci to path, created 0600 (O_EXCL; an existing file is an error). */
int kc_conn_write(const char *path, const struct kc_conninfo *ci, struct kc_error *err);
/* Fills ci for a new local kernel: tcp on 127.0.0.1, five free ports, a random key. */
int kc_conn_init_local(struct kc_conninfo *ci, struct kc_error *err);
/* Resolves --existing: NULL or "" → the newest kernel-*.json in the runtime dir; a path; a file
 * name in . or the runtime dir; else a substring of a file name there. */
int kc_conn_find(const char *arg, char *out, size_t size, struct kc_error *err);

/* ---- messages ---- */

enum kc_channel { KC_SHELL, KC_CONTROL, KC_STDIN, KC_IOPUB, KC_NCHANNELS };

struct kc_msg {
	json_t *header, *parent, *metadata, *content;
	const char *msg_type;  /* borrowed from header */
	const char *msg_id;    /* borrowed from header */
	const char *parent_id; /* borrowed from parent; "" if none */
	size_t nbuffers;
	struct kc_buf { void *data; size_t len; } *buffers;
	enum kc_channel channel;
};

void kc_msg_free(struct kc_msg *msg);

/* ---- client ---- */

struct kc_client;

enum kc_state {
	KC_STARTING,     /* not yet: kernel_info answered, iopub live, control and stdin connected */
	KC_IDLE,
	KC_BUSY,
	KC_UNRESPONSIVE, /* heartbeats missing for a few seconds */
	KC_RESTARTING,
	KC_DEAD,         /* a launched kernel's process exited */
	KC_DISCONNECTED, /* an attached kernel silent for much longer */
	KC_LINK_LOST,    /* the SSH tunnel to a remote kernel died; being re-established */
};
const char *kc_state_name(enum kc_state s);

enum kc_status { KC_OK, KC_ERROR, KC_ABORTED, KC_TIMEDOUT, KC_CANCELLED };
const char *kc_status_name(enum kc_status s);

/* Called exactly once per request with its final status. reply is the shell/control reply
 * (NULL when none came: timed out, cancelled); borrowed until the callback returns. */
typedef void kc_reply_cb(struct kc_client *kc, const char *msg_id, enum kc_status status,
			 const struct kc_msg *reply, void *ud);
/* Every iopub message (borrowed). */
typedef void kc_iopub_cb(struct kc_client *kc, const struct kc_msg *msg, void *ud);
/* An input_request from the kernel; answer with kc_client_input_reply(). password is set for
 * getpass() (both "password" and old xeus' "pwd"). */
typedef void kc_input_cb(struct kc_client *kc, const struct kc_msg *msg, const char *prompt,
			 int password, void *ud);
/* The kernel's state changed (dead, restarted, unresponsive, …). */
typedef void kc_state_cb(struct kc_client *kc, enum kc_state state, void *ud);
/* Routing news (docs/routing-protocol.md): event is "ready" (the agent answered; data = state),
 * "unsupported" (data = {"reason": str}), "state" (the confirmed state changed; data = state), or
 * an agent event name ("thread_started", "thread_ended", "stats", …; data = the event). data is
 * borrowed. */
typedef void kc_routing_cb(struct kc_client *kc, const char *event, json_t *data, void *ud);

struct kc_handlers {
	kc_iopub_cb *iopub;
	kc_input_cb *input;
	kc_state_cb *state;
	kc_routing_cb *routing;
	void *ud;
};

struct kc_launch_opts {
	const char *cwd;          /* NULL: inherit */
	const char *log_path;     /* kernel stdout/stderr go here; NULL: a temp file */
	const char *const *extra_env; /* "K=V" strings, NULL-terminated, or NULL */
};

/* Starts the named kernelspec (NULL: "python3") and connects. Returns before it is ready; call
 * kc_client_wait_ready() or poll until kc_client_state() leaves KC_STARTING. */
struct kc_client *kc_client_launch(const struct kc_kernelspec *spec,
				   const struct kc_launch_opts *opts, struct kc_error *err);
/* Connects to a running kernel described by a connection file. */
struct kc_client *kc_client_attach(const char *connfile, struct kc_error *err);
/* Shuts down a launched kernel (request, then SIGTERM, then SIGKILL to its group, blocking at
 * most ~10 s) unless keep is set; detaches from an attached one; frees everything. */
void kc_client_free(struct kc_client *kc, int keep);

void kc_client_set_handlers(struct kc_client *kc, const struct kc_handlers *h);
enum kc_state kc_client_state(const struct kc_client *kc);
int kc_client_launched(const struct kc_client *kc);
pid_t kc_client_pid(const struct kc_client *kc);
/* kernel_info_reply content once ready (borrowed), else NULL. */
json_t *kc_client_info(const struct kc_client *kc);
const char *kc_client_connfile(const struct kc_client *kc);
const char *kc_client_session(const struct kc_client *kc);
/* The last part of the kernel's own stdout/stderr (launched kernels), for error messages.
 * Caller frees; "" when none. */
char *kc_client_log_tail(const struct kc_client *kc, size_t max);
/* Inside a reply callback: 1 when the request finished without its status: idle. The
 * execute_reply came, then iopub went silent for a few seconds with no idle: the kernel dropped
 * iopub messages (its own send queue overflowed), so some of the output may be missing too.
 * The request still finishes (with the reply's status); 0 otherwise and outside callbacks. */
int kc_client_output_lost(const struct kc_client *kc);
/* Messages dropped for a bad or missing signature, and for being unparsable. */
unsigned long kc_client_dropped(const struct kc_client *kc);
/* Of those, the messages dropped for a bad or missing signature (a wrong key, most likely). */
unsigned long kc_client_bad_signatures(const struct kc_client *kc);
const char *kc_client_strerror(const struct kc_client *kc);

/* ---- the event loop ---- */

#define KC_MAXPOLL 8
/* Fills up to max poll items (max ≥ KC_MAXPOLL); returns how many. */
int kc_client_pollitems(struct kc_client *kc, zmq_pollitem_t *items, int max);
/* Handles what is ready (bounded work per call) and due timers. items/n as filled and polled. */
void kc_client_dispatch(struct kc_client *kc, zmq_pollitem_t *items, int n);
/* Milliseconds until the next timer (heartbeat, request timeouts), or -1. */
long kc_client_next_timeout(const struct kc_client *kc);
/* A blocking helper for simple tools and tests: polls and dispatches until *done is non-zero or
 * timeout_ms passes (-1: forever). Returns 0 when done, -1 on timeout. */
int kc_client_run(struct kc_client *kc, const int *done, long timeout_ms);
/* Blocks until the kernel is ready (kernel_info reply, one iopub message, the control and stdin
 * connections up or 2 s past the rest), dead, or timeout. */
int kc_client_wait_ready(struct kc_client *kc, long timeout_ms, struct kc_error *err);

/* ---- requests ---- */

/* Sends a request of any type (known or custom) on shell or control. Takes content (NULL: {}).
 * timeout_ms 0 picks a default for the type; -1 waits forever (still ends on death/restart).
 * Returns the msg_id (borrowed until the callback fires) or NULL with kc_client_strerror(). */
const char *kc_client_request(struct kc_client *kc, enum kc_channel ch, const char *msg_type,
			      json_t *content, long timeout_ms, kc_reply_cb *cb, void *ud);

/* Sends a message that has no reply (comm_open, comm_msg, comm_close, …) on shell or control.
 * Takes content. Returns its msg_id (valid until the next send) or NULL. */
const char *kc_client_send(struct kc_client *kc, enum kc_channel ch, const char *msg_type,
			   json_t *content);

#define KC_EXEC_SILENT 1
#define KC_EXEC_NO_HISTORY 2
#define KC_EXEC_NO_STDIN 4
#define KC_EXEC_KEEP_GOING 8 /* stop_on_error false */
/* execute_request with all six fields. */
const char *kc_client_execute(struct kc_client *kc, const char *code, int flags, kc_reply_cb *cb,
			      void *ud);
const char *kc_client_complete(struct kc_client *kc, const char *code, long cursor_pos,
			       kc_reply_cb *cb, void *ud);
const char *kc_client_inspect(struct kc_client *kc, const char *code, long cursor_pos,
			      int detail, kc_reply_cb *cb, void *ud);
const char *kc_client_is_complete(struct kc_client *kc, const char *code, kc_reply_cb *cb,
				  void *ud);
/* Answers the pending input_request. */
int kc_client_input_reply(struct kc_client *kc, const char *value);
/* Interrupts: SIGINT to the kernel's process group (interrupt_mode signal, launched kernels) or
 * interrupt_request on control (message mode, attached kernels). */
int kc_client_interrupt(struct kc_client *kc);
/* Restarts a launched kernel in place (same ports and key). Pending requests are cancelled. */
int kc_client_restart(struct kc_client *kc, struct kc_error *err);
/* Shuts a launched kernel down and waits for its process (request on control, then SIGTERM,
 * then SIGKILL to its group, with jupyter_client's timings). 0 when the process is gone. */
int kc_client_shutdown(struct kc_client *kc);

/* ---- remote kernels over SSH (kc_tunnel.c) ---- */

/* One ssh child per client (-tt running `sleep`, not -N: see docs/ssh.md) forwards the kernel's five ports to unix sockets in a private
 * 0700 directory (the client then speaks transport ipc). The real ssh binary runs, so the user's
 * ~/.ssh/config, agent, keys and known_hosts apply; every ssh gets -o ControlPath=none (a
 * ControlMaster would own the forwards and let our ssh exit at once). When the tunnel's process
 * exits the client's state becomes KC_LINK_LOST and the tunnel is started again with backoff
 * (1 s doubling to 30 s, BatchMode); requests sent meanwhile are held and go through once it is
 * back and iopub delivers again. Requests that were pending when the link broke report
 * kc_client_output_lost(): the kernel's iopub output of that time is gone. */
struct kc_ssh_opts {
	const char *host;            /* a ~/.ssh/config name, host, user@host or user@host:port */
	const char *const *ssh_argv; /* the ssh command and leading options, NULL-terminated
				      * (NULL: {"ssh"}) */
	int batch;                   /* BatchMode=yes from the start (no prompts at all) */
	int keep;                    /* kc_client_free() leaves a kernel started here running */
	long timeout_ms;             /* bound for each ssh step; 0: 20 s */
};

/* Attaches to a kernel on o->host: existing is resolved there as kc_conn_find() does here ("":
 * the newest kernel-*.json in the remote runtime dir) and read with ssh. NULL with one line in
 * err naming the host and the cause; no ssh process or socket file is left then. */
struct kc_client *kc_client_attach_ssh(const struct kc_ssh_opts *o, const char *existing,
				       struct kc_error *err);
/* Starts the kernelspec name (found on the remote host in jupyter's order) there, detached from
 * the SSH session (setsid, its output in a log next to its connection file), and attaches.
 * kc_client_launched() is 1: kc_client_free(kc, 0) shuts it down (unless o->keep),
 * kc_client_interrupt() sends SIGINT with `ssh HOST kill` (interrupt_mode signal) and
 * kc_client_restart() starts it again on the same ports. */
struct kc_client *kc_client_launch_ssh(const struct kc_ssh_opts *o, const char *name,
				       struct kc_error *err);
/* The kernelspecs on o->host, as kc_kernelspec_list(). NULL with err on an ssh failure. */
struct kc_kernelspec **kc_kernelspec_list_ssh(const struct kc_ssh_opts *o, size_t *n,
					      struct kc_error *err);
/* The host of a client attached over SSH, else NULL; the remote connection file path. */
const char *kc_client_ssh_host(const struct kc_client *kc);
const char *kc_client_ssh_connfile(const struct kc_client *kc);
/* The tunnel's ssh process, or 0 (tests and diagnostics). */
pid_t kc_client_ssh_pid(const struct kc_client *kc);

/* ---- kernels on a Jupyter Server (kc_rest.c, kc_ws.c; docs/server.md) ---- */

/* REST through libcurl's multi interface and the kernel's WebSocket (the connection by libcurl,
 * CONNECT_ONLY; RFC 6455 framing by wslay), all in the client's poll set. The WebSocket speaks
 * v1.kernel.websocket.jupyter.org when the server picks it, else the legacy JSON framing (binary
 * frames with an offset table when there are buffers). No heartbeat: liveness from WebSocket
 * pings. A dropped WebSocket: KC_LINK_LOST, then reconnects with the same session_id (the
 * server replays what it buffered meanwhile) with backoff 0.5 s doubling to 30 s; requests
 * pending then report kc_client_output_lost(). The server's status "restarting" and "dead" are
 * KC_RESTARTING and KC_DEAD; interrupt and restart go through REST. */
struct kc_server_opts {
	const char *url;             /* http(s)://host:port/base/ */
	const char *token;           /* NULL or "": none */
	const char *ca_file;         /* PEM CAs for https, NULL: the system's */
	const char *const *env;      /* "K=V" sent as the new kernel's env, NULL-terminated */
	const char *protocol;        /* "legacy": do not offer v1; NULL: offer it */
	int keep;                    /* kc_client_free() leaves a kernel started here running */
	long timeout_ms;             /* bound for each REST call and connect; 0: 30 s */
	long ping_ms;                /* WebSocket ping interval; 0: 10 s (dead after 3 missed) */
};

/* Attaches to the running kernel whose id is id or starts with it (unique; "" or NULL: the only
 * one). Blocks at most o->timeout_ms for the kernel list; the WebSocket connects in the loop. */
struct kc_client *kc_client_attach_server(const struct kc_server_opts *o, const char *id,
					  struct kc_error *err);
/* Starts kernelspec name with POST /api/kernels; returns at once (KC_STARTING until the
 * server answers and the kernel does: a slow server never blocks the loop). */
struct kc_client *kc_client_launch_server(const struct kc_server_opts *o, const char *name,
					  struct kc_error *err);
/* GET base+path (e.g. "api/kernelspecs"), blocking at most o->timeout_ms. NULL with err. */
json_t *kc_server_get(const struct kc_server_opts *o, const char *path, struct kc_error *err);
/* The server's URL and the kernel's id for a server client, else NULL; the subprotocol in use
 * ("v1" or "legacy", "" before the WebSocket is open). */
const char *kc_client_server_url(const struct kc_client *kc);
const char *kc_client_server_kernel(const struct kc_client *kc);
const char *kc_client_server_protocol(const struct kc_client *kc);
/* Drops the WebSocket's connection as a network failure would (tests, diagnostics). */
int kc_client_server_drop(struct kc_client *kc);
/* How many times the WebSocket was connected (1 before any drop). */
unsigned kc_client_server_connects(const struct kc_client *kc);

/* ---- thread routing (docs/routing-protocol.md) ---- */

enum kc_routing {
	KC_ROUTING_OFF,         /* not asked for */
	KC_ROUTING_INSTALLING,  /* agent sent, waiting for its answer */
	KC_ROUTING_READY,       /* the agent answered: requests work */
	KC_ROUTING_UNSUPPORTED, /* not an IPython kernel, or no answer: kc_routing_why() says */
};

/* Turns the routing agent on: installed now if the kernel is ready, else as soon as it is, and
 * again after every restart (replaying the policy changes made so far). */
void kc_routing_enable(struct kc_client *kc);
enum kc_routing kc_routing_status(const struct kc_client *kc);
/* Why routing is unsupported, one line; "" otherwise. */
const char *kc_routing_why(const struct kc_client *kc);
/* The state the kernel last confirmed (default, rules, threads, …). Borrowed; NULL before. */
json_t *kc_routing_state(const struct kc_client *kc);
/* Sends a bobbin_routing_request on control: op is get, set_default, set_thread, clear_thread,
 * add_rule, remove_rule or reset; policy/pattern may be NULL, ident is used by the thread ops.
 * The reply's content has "status" and the confirmed "state" (also kept, and reported to the
 * routing handler). NULL when routing is not ready (kc_client_strerror says why). */
const char *kc_routing_request(struct kc_client *kc, const char *op, const char *policy,
			       long long ident, const char *pattern, kc_reply_cb *cb, void *ud);
/* Blocks (running the client) until routing is ready or unsupported, at most ms. */
enum kc_routing kc_routing_wait(struct kc_client *kc, long ms);

#endif
