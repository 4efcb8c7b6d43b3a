// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * Kernels on a Jupyter Server: the second transport of the client. The kernel is started,
 * interrupted, restarted and shut down through REST (kc_rest.c); its messages go over one
 * WebSocket, /api/kernels/ID/channels?session_id=S. libcurl makes the TCP/TLS connection
 * (CONNECT_ONLY, in the same multi as the REST calls, so certificate checks are curl's); the
 * HTTP upgrade is written here; wslay's event API does the RFC 6455 framing, reading and writing
 * through curl_easy_recv/send when poll says the socket is ready. Everything runs from the
 * client's poll set: no threads, no blocking call in the loop.
 *
 * Framing: v1.kernel.websocket.jupyter.org when the server picks it (an offset table: u64 LE
 * count, u64 LE offsets, the channel name, then header, parent, metadata, content, buffers),
 * else the legacy one (a JSON text frame with "channel"; a binary frame with u32 BE count and
 * offsets, the JSON, then buffers, when there are buffers). The server signs for us: the
 * client has no key.
 *
 * A dropped WebSocket (EOF, a close frame, an error, no pong for 3 ping intervals): the client
 * goes to KC_LINK_LOST and connects again with the same session_id after 0.5 s, doubling to 30 s;
 * the server keeps the kernel's channels for that session and replays what came meanwhile.
 */
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <wslay/wslay.h>

#include "kernelclient/kc_private.h"

#define WS_MAX_MSG (128u << 20) /* a larger message closes the WebSocket (1009) */
#define HS_MAX 16384
#define BACKOFF_FIRST_MS 500
#define BACKOFF_MAX_MS 30000
#define V1 "v1.kernel.websocket.jupyter.org"

enum phase { P_NONE, P_LAUNCHING, P_CONNECTING, P_UPGRADE, P_OPEN, P_WAIT, P_GONE };

struct wsheld {
	unsigned char *data;
	size_t len;
	int binary;
};

struct kcp_server {
	struct kc_client *kc;
	struct kcp_rest rest;
	char id[64];
	int launched, keep, offer_v1, v1;
	long timeout_ms, ping_ms;
	enum phase phase;
	CURL *conn;
	int fd;
	char hs[HS_MAX];
	size_t hslen, hssent, hsreq;
	char accept[64];
	unsigned char *left;
	size_t leftlen, leftoff;
	wslay_event_context_ptr ctx;
	long long deadline, last_rx, ping_at, retry_at;
	long backoff;
	struct wsheld *held;
	size_t nheld;
	struct kc_msg **in;
	size_t nin, capin;
	unsigned connects;
	int ready_once; /* the kernel was ready at least once over this server */
	int failed;     /* the WebSocket failed: handled after wslay returns */
	char why[600];
};

static const char *const chan_names[KC_NCHANNELS] = {"shell", "control", "stdin", "iopub"};

static int chan_of(const char *s, size_t len)
{
	for (int i = 0; i < KC_NCHANNELS; i++)
		if (strlen(chan_names[i]) == len && !memcmp(chan_names[i], s, len))
			return i;
	return -1;
}

/* ---- receiving ---- */

static void push_in(struct kcp_server *s, struct kc_msg *m, int ch)
{
	if (!m)
		return;
	if (ch < 0) {
		kc_msg_free(m);
		s->kc->sess.dropped++;
		return;
	}
	m->channel = (enum kc_channel)ch;
	if (s->nin == s->capin) {
		struct kc_msg **n = realloc(s->in, (s->capin = s->capin * 2 + 16) * sizeof *n);

		if (!n) {
			kc_msg_free(m);
			return;
		}
		s->in = n;
	}
	s->in[s->nin++] = m;
}

static json_t *take(json_t *o, const char *k)
{
	return json_incref(json_object_get(o, k));
}

/* A legacy message: JSON (text of len bytes), plus buffers for a binary frame. */
static void recv_legacy(struct kcp_server *s, const char *text, size_t len,
                        const unsigned char *bin, const uint32_t *offs, uint32_t nbufs,
                        size_t total)
{
	json_t *j = kcp_load_part(text, len);
	const char *ch = json_string_value(json_object_get(j, "channel"));
	struct kc_msg *m;

	if (!j || !ch) {
		json_decref(j);
		s->kc->sess.dropped++;
		return;
	}
	m = kcp_msg_from_json(&s->kc->sess, take(j, "header"), take(j, "parent_header"),
	                      take(j, "metadata"), take(j, "content"));
	for (uint32_t i = 1; m && i < nbufs; i++) {
		size_t end = i + 1 < nbufs ? offs[i + 1] : total;

		kcp_msg_add_buffer(m, bin + offs[i], end - offs[i]);
	}
	push_in(s, m, chan_of(ch, strlen(ch)));
	json_decref(j);
}

static uint32_t be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint64_t le64(const unsigned char *p)
{
	uint64_t v = 0;

	for (int i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

static void recv_binary_legacy(struct kcp_server *s, const unsigned char *p, size_t len)
{
	uint32_t n, offs[1024];

	if (len < 4 || (n = be32(p)) == 0 || n > 1024 || 4 + (size_t)4 * n > len)
		goto bad;
	for (uint32_t i = 0; i < n; i++) {
		offs[i] = be32(p + 4 + 4 * i);
		if (offs[i] < 4 + 4 * n || offs[i] > len || (i && offs[i] < offs[i - 1]))
			goto bad;
	}
	recv_legacy(s, (const char *)p + offs[0], (n > 1 ? offs[1] : len) - offs[0], p, offs, n,
	            len);
	return;
bad:
	s->kc->sess.dropped++;
}

static void recv_v1(struct kcp_server *s, const unsigned char *p, size_t len)
{
	uint64_t n, offs[1024];
	struct kc_msg *m;

	if (len < 8 || (n = le64(p)) < 6 || n > 1024 || 8 + 8 * n > len)
		goto bad;
	for (uint64_t i = 0; i < n; i++) {
		offs[i] = le64(p + 8 + 8 * i);
		if (offs[i] < 8 + 8 * n || offs[i] > len || (i && offs[i] < offs[i - 1]))
			goto bad;
	}
	json_t *part[4];
	for (int i = 0; i < 4; i++)
		part[i] = kcp_load_part((const char *)p + offs[1 + i], offs[2 + i] - offs[1 + i]);
	m = kcp_msg_from_json(&s->kc->sess, part[0], part[1], part[2], part[3]);
	for (uint64_t i = 5; m && i + 1 < n; i++)
		kcp_msg_add_buffer(m, p + offs[i], offs[i + 1] - offs[i]);
	push_in(s, m, chan_of((const char *)p + offs[0], offs[1] - offs[0]));
	return;
bad:
	s->kc->sess.dropped++;
}

static void on_msg(wslay_event_context_ptr ctx, const struct wslay_event_on_msg_recv_arg *a,
                   void *ud)
{
	struct kcp_server *s = ud;

	s->last_rx = kcp_now_ms();
	if (a->opcode == WSLAY_TEXT_FRAME)
		recv_legacy(s, (const char *)a->msg, a->msg_length, NULL, NULL, 0, 0);
	else if (a->opcode == WSLAY_BINARY_FRAME && s->v1)
		recv_v1(s, a->msg, a->msg_length);
	else if (a->opcode == WSLAY_BINARY_FRAME)
		recv_binary_legacy(s, a->msg, a->msg_length);
	else if (a->opcode == WSLAY_CONNECTION_CLOSE && !s->failed) {
		s->failed = 1;
		snprintf(s->why, sizeof s->why, "the server closed the WebSocket (code %u)",
		         a->status_code);
	}
}

static ssize_t ws_recv(wslay_event_context_ptr ctx, uint8_t *buf, size_t len, int flags, void *ud)
{
	struct kcp_server *s = ud;
	size_t n = 0;
	CURLcode rc;

	if (s->failed) { /* stop reading what is refused */
		wslay_event_set_error(ctx, WSLAY_ERR_CALLBACK_FAILURE);
		return -1;
	}
	if (s->leftoff < s->leftlen) {
		n = s->leftlen - s->leftoff < len ? s->leftlen - s->leftoff : len;
		memcpy(buf, s->left + s->leftoff, n);
		s->leftoff += n;
		return (ssize_t)n;
	}
	rc = curl_easy_recv(s->conn, buf, len, &n);
	if (rc == CURLE_AGAIN) {
		wslay_event_set_error(ctx, WSLAY_ERR_WOULDBLOCK);
		return -1;
	}
	if (rc != CURLE_OK || n == 0) {
		if (!s->failed)
			snprintf(s->why, sizeof s->why, "%s",
			         rc == CURLE_OK ? "the server closed the connection"
			                        : curl_easy_strerror(rc));
		s->failed = 1;
		wslay_event_set_error(ctx, WSLAY_ERR_CALLBACK_FAILURE);
		return -1;
	}
	/* ACK at once: the server writes a reply as several small frames, and with Nagle on its
	 * side a delayed ACK here held each round trip by 40 ms (measured, bench_server.sh). */
	setsockopt(s->fd, IPPROTO_TCP, TCP_QUICKACK, &(int){1}, sizeof(int));
	return (ssize_t)n;
}

static ssize_t ws_send(wslay_event_context_ptr ctx, const uint8_t *data, size_t len, int flags,
                       void *ud)
{
	struct kcp_server *s = ud;
	size_t n = 0;
	CURLcode rc = curl_easy_send(s->conn, data, len, &n);

	if (rc == CURLE_AGAIN) {
		wslay_event_set_error(ctx, WSLAY_ERR_WOULDBLOCK);
		return -1;
	}
	if (rc != CURLE_OK) {
		if (!s->failed)
			snprintf(s->why, sizeof s->why, "%s", curl_easy_strerror(rc));
		s->failed = 1;
		wslay_event_set_error(ctx, WSLAY_ERR_CALLBACK_FAILURE);
		return -1;
	}
	return (ssize_t)n;
}

static int ws_mask(wslay_event_context_ptr ctx, uint8_t *buf, size_t len, void *ud)
{
	return RAND_bytes(buf, (int)len) == 1 ? 0 : -1;
}

/* ---- the connection ---- */

static void close_conn(struct kcp_server *s)
{
	if (s->ctx)
		wslay_event_context_free(s->ctx);
	s->ctx = NULL;
	if (s->conn) {
		curl_multi_remove_handle(s->rest.multi, s->conn);
		curl_easy_cleanup(s->conn);
	}
	s->conn = NULL;
	s->fd = -1;
	free(s->left);
	s->left = NULL;
	s->leftlen = s->leftoff = 0;
}

static void start_connect(struct kcp_server *s);

/* The WebSocket failed (s->why says how): before it ever opened, the client is dead with the
 * cause; after, the link is lost and tried again with backoff. gone: no point trying again. */
static void link_failed(struct kcp_server *s, int gone)
{
	struct kc_client *kc = s->kc;

	close_conn(s);
	s->failed = 0;
	/* Never ready: nothing to come back to (and a waiting front end must not hang). */
	if (!s->connects || gone || !s->ready_once) {
		s->phase = P_GONE;
		snprintf(kc->err, sizeof kc->err, "%s", s->why);
		kcp_client_dead(kc);
		return;
	}
	s->phase = P_WAIT;
	s->retry_at = kcp_now_ms() + s->backoff;
	s->backoff = s->backoff * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS : s->backoff * 2;
	kcp_client_link_lost(kc);
}

static void ws_fail(struct kcp_server *s, int gone, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void ws_fail(struct kcp_server *s, int gone, const char *fmt, ...)
{
	char what[400];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof what, fmt, ap);
	va_end(ap);
	snprintf(s->why, sizeof s->why, "%sapi/kernels/%s/channels: %s", s->rest.base, s->id, what);
	link_failed(s, gone);
}

static void on_connected(struct kcp_rest *r, CURL *e, CURLcode rc, void *ud)
{
	struct kcp_server *s = ud;
	unsigned char key[16];
	char k64[32], path[KCP_URL_MAX], host[600], *h = NULL, *port = NULL, *p = NULL;
	curl_socket_t fd = CURL_SOCKET_BAD;
	CURLU *u;

	if (e != s->conn)
		return;
	if (rc != CURLE_OK) {
		ws_fail(s, 0, "%s", curl_easy_strerror(rc));
		return;
	}
	if (curl_easy_getinfo(e, CURLINFO_ACTIVESOCKET, &fd) != CURLE_OK || fd == CURL_SOCKET_BAD) {
		ws_fail(s, 0, "no socket after connecting");
		return;
	}
	s->fd = (int)fd;
	/* The upgrade request. */
	RAND_bytes(key, sizeof key);
	EVP_EncodeBlock((unsigned char *)k64, key, sizeof key);
	{
		char cat[128];
		unsigned char md[EVP_MAX_MD_SIZE];
		unsigned mdlen = 0;

		snprintf(cat, sizeof cat, "%s258EAFA5-E914-47DA-95CA-C5AB0DC85B11", k64);
		EVP_Digest(cat, strlen(cat), md, &mdlen, EVP_sha1(), NULL);
		EVP_EncodeBlock((unsigned char *)s->accept, md, (int)mdlen);
	}
	if (!(u = curl_url()) || curl_url_set(u, CURLUPART_URL, s->rest.base, 0) ||
	    curl_url_get(u, CURLUPART_HOST, &h, 0) || curl_url_get(u, CURLUPART_PATH, &p, 0)) {
		curl_url_cleanup(u);
		ws_fail(s, 1, "cannot parse the URL");
		return;
	}
	curl_url_get(u, CURLUPART_PORT, &port, 0);
	snprintf(host, sizeof host, "%s%s%s", h, port ? ":" : "", port ? port : "");
	snprintf(path, sizeof path, "%sapi/kernels/%s/channels?session_id=%s", p, s->id,
	         s->kc->sess.id);
	curl_free(h);
	curl_free(p);
	curl_free(port);
	curl_url_cleanup(u);
	s->hsreq = (size_t)snprintf(s->hs, sizeof s->hs,
	                            "GET %s HTTP/1.1\r\nHost: %s\r\nUpgrade: websocket\r\n"
	                            "Connection: Upgrade\r\nSec-WebSocket-Key: %s\r\n"
	                            "Sec-WebSocket-Version: 13\r\n%s%s%s\r\n",
	                            path, host, k64,
	                            s->offer_v1 ? "Sec-WebSocket-Protocol: " V1 "\r\n" : "",
	                            s->rest.auth, s->rest.auth[0] ? "\r\n" : "");
	s->hssent = 0;
	s->hslen = 0;
	s->phase = P_UPGRADE;
}

static void start_connect(struct kcp_server *s)
{
	close_conn(s);
	if (!(s->conn = curl_easy_init())) {
		ws_fail(s, 1, "out of memory");
		return;
	}
	kcp_rest_setup(&s->rest, s->conn, s->timeout_ms);
	curl_easy_setopt(s->conn, CURLOPT_URL, s->rest.base);
	curl_easy_setopt(s->conn, CURLOPT_CONNECT_ONLY, 1L);
	curl_easy_setopt(s->conn, CURLOPT_TIMEOUT_MS, 0L);
	if (curl_multi_add_handle(s->rest.multi, s->conn) != CURLM_OK) {
		ws_fail(s, 1, "cannot start connecting");
		return;
	}
	s->phase = P_CONNECTING;
	s->deadline = kcp_now_ms() + s->timeout_ms;
}

static void opened(struct kcp_server *s)
{
	struct wslay_event_callbacks cb = {.recv_callback = ws_recv,
	                                   .send_callback = ws_send,
	                                   .genmask_callback = ws_mask,
	                                   .on_msg_recv_callback = on_msg};

	if (wslay_event_context_client_init(&s->ctx, &cb, s) != 0) {
		ws_fail(s, 1, "out of memory");
		return;
	}
	wslay_event_config_set_max_recv_msg_length(s->ctx, WS_MAX_MSG);
	s->phase = P_OPEN;
	s->connects++;
	s->backoff = BACKOFF_FIRST_MS;
	s->last_rx = kcp_now_ms();
	s->ping_at = s->last_rx + s->ping_ms;
	if (s->kc->state == KC_LINK_LOST)
		kcp_client_link_back(s->kc);
	if (!s->kc->holding)
		kcp_srv_release(s->kc);
}

/* Reads the server's answer to the upgrade. */
static void upgrade_read(struct kcp_server *s)
{
	char *end, *line, *save = NULL, proto[64] = "";
	int code = 0, ok_accept = 0;

	while (s->hslen < sizeof s->hs - 1) {
		size_t n = 0;
		CURLcode rc =
		    curl_easy_recv(s->conn, s->hs + s->hslen, sizeof s->hs - 1 - s->hslen, &n);

		if (rc == CURLE_AGAIN)
			break;
		if (rc != CURLE_OK || n == 0) {
			ws_fail(s, 0, "%s during the WebSocket upgrade",
			        rc == CURLE_OK ? "the server closed the connection"
			                       : curl_easy_strerror(rc));
			return;
		}
		s->hslen += n;
		s->hs[s->hslen] = 0;
		if (strstr(s->hs, "\r\n\r\n"))
			break;
	}
	s->hs[s->hslen] = 0;
	if (!(end = strstr(s->hs, "\r\n\r\n"))) {
		if (s->hslen >= sizeof s->hs - 1)
			ws_fail(s, 1, "the upgrade's answer has no end");
		return;
	}
	*end = 0;
	if (sscanf(s->hs, "HTTP/1.%*d %d", &code) != 1) {
		ws_fail(s, 1, "not an HTTP answer to the WebSocket upgrade");
		return;
	}
	if (code != 101) {
		char line1[600];

		kcp_rest_describe("", code, NULL, 0, line1, sizeof line1);
		ws_fail(s, code == 401 || code == 403 || code == 404,
		        "HTTP %d on the WebSocket upgrade%s", code,
		        code == 403 || code == 401 ? ": the server refused the token"
		        : code == 404              ? ": no such kernel on the server"
		                                   : "");
		return;
	}
	for (line = strtok_r(s->hs, "\r\n", &save); line; line = strtok_r(NULL, "\r\n", &save)) {
		char *colon = strchr(line, ':'), *v;

		if (!colon)
			continue;
		*colon = 0;
		for (v = colon + 1; *v == ' ' || *v == '\t'; v++)
			;
		if (!strcasecmp(line, "sec-websocket-accept"))
			ok_accept = !strcmp(v, s->accept);
		else if (!strcasecmp(line, "sec-websocket-protocol"))
			snprintf(proto, sizeof proto, "%s", v);
	}
	if (!ok_accept) {
		ws_fail(s, 1, "the WebSocket upgrade's Sec-WebSocket-Accept is wrong");
		return;
	}
	s->v1 = !strcmp(proto, V1);
	/* Bytes after the answer are the first frames. */
	size_t rest = s->hslen - (size_t)(end + 4 - s->hs);
	if (rest && (s->left = malloc(rest))) {
		memcpy(s->left, end + 4, rest);
		s->leftlen = rest;
		s->leftoff = 0;
	}
	opened(s);
}

static void upgrade_write(struct kcp_server *s)
{
	while (s->hssent < s->hsreq) {
		size_t n = 0;
		CURLcode rc = curl_easy_send(s->conn, s->hs + s->hssent, s->hsreq - s->hssent, &n);

		if (rc == CURLE_AGAIN)
			return;
		if (rc != CURLE_OK) {
			ws_fail(s, 0, "%s", curl_easy_strerror(rc));
			return;
		}
		s->hssent += n;
	}
	if (s->hssent == s->hsreq)
		s->hslen = 0, s->hssent = s->hsreq + 1; /* sent: now the answer */
}

/* ---- sending ---- */

static int queue_frame(struct kcp_server *s, unsigned char *data, size_t len, int binary)
{
	struct wslay_event_msg msg = {.opcode = binary ? WSLAY_BINARY_FRAME : WSLAY_TEXT_FRAME,
	                              .msg = data,
	                              .msg_length = len};
	int rc = wslay_event_queue_msg(s->ctx, &msg);

	free(data);
	if (rc == 0 && wslay_event_send(s->ctx) != 0 && !s->failed) {
		s->failed = 1;
		snprintf(s->why, sizeof s->why, "cannot send on the WebSocket");
	}
	return rc == 0 ? 0 : -1;
}

int kcp_srv_send(struct kc_client *kc, enum kc_channel ch, json_t *header, json_t *parent,
                 json_t *metadata, json_t *content)
{
	struct kcp_server *s = kc->srv;
	json_t *empty = json_object();
	unsigned char *data = NULL;
	size_t len = 0;
	/* The framing is picked by the server at the upgrade: a message held before that is
	 * kept as legacy JSON and framed again when it is sent (send_held). */
	int binary = s->phase == P_OPEN && s->v1;

	if (!binary) {
		json_t *o =
		    json_pack("{s:O, s:O, s:O, s:O, s:s, s:[]}", "header", header, "parent_header",
		              parent ? parent : empty, "metadata", metadata ? metadata : empty,
		              "content", content, "channel", chan_names[ch], "buffers");

		data = o ? (unsigned char *)json_dumps(o, JSON_COMPACT) : NULL;
		len = data ? strlen((char *)data) : 0;
		json_decref(o);
	} else {
		json_t *objs[4] = {header, parent ? parent : empty, metadata ? metadata : empty,
		                   content};
		char *parts[4] = {0};
		size_t lens[4], cl = strlen(chan_names[ch]), off;
		int ok = 1;

		for (int i = 0; i < 4; i++) {
			ok &= (parts[i] = json_dumps(objs[i], JSON_COMPACT)) != NULL;
			lens[i] = parts[i] ? strlen(parts[i]) : 0;
		}
		len = 8 * 7 + cl + lens[0] + lens[1] + lens[2] + lens[3];
		if (ok && (data = malloc(len))) {
			uint64_t offs[7] = {6, 8 * 7, 8 * 7 + cl};

			for (int i = 0; i < 4; i++)
				offs[3 + i] = offs[2 + i] + lens[i];
			for (int i = 0; i < 7; i++)
				for (int b = 0; b < 8; b++)
					data[8 * i + b] = (unsigned char)(offs[i] >> (8 * b));
			memcpy(data + 8 * 7, chan_names[ch], cl);
			off = 8 * 7 + cl;
			for (int i = 0; i < 4; i++) {
				memcpy(data + off, parts[i], lens[i]);
				off += lens[i];
			}
		}
		for (int i = 0; i < 4; i++)
			free(parts[i]);
	}
	json_decref(empty);
	json_decref(header);
	json_decref(content);
	if (!data) {
		snprintf(kc->err, sizeof kc->err, "cannot serialise message");
		return -1;
	}
	/* While the server restarts the kernel, what is sent waits for the new one. */
	if (s->phase == P_OPEN && !kc->holding && !s->nheld && kc->state != KC_RESTARTING)
		return queue_frame(s, data, len, binary);
	struct wsheld *h = realloc(s->held, (s->nheld + 1) * sizeof *h);
	if (!h) {
		free(data);
		return -1;
	}
	s->held = h;
	s->held[s->nheld++] = (struct wsheld){.data = data, .len = len, .binary = binary};
	return 0;
}

/* A held legacy JSON message, framed as the server picked. */
static void send_held(struct kcp_server *s, struct wsheld *h)
{
	json_t *j;

	if (!s->v1 || h->binary) {
		queue_frame(s, h->data, h->len, h->binary);
		return;
	}
	j = json_loadb((char *)h->data, h->len, 0, NULL);
	free(h->data);
	if (!j)
		return;
	const char *ch = json_string_value(json_object_get(j, "channel"));
	int c = ch ? chan_of(ch, strlen(ch)) : -1;

	if (c >= 0)
		kcp_srv_send(s->kc, (enum kc_channel)c, take(j, "header"),
		             json_object_get(j, "parent_header"), json_object_get(j, "metadata"),
		             take(j, "content"));
	json_decref(j);
}

void kcp_srv_release(struct kc_client *kc)
{
	struct kcp_server *s = kc->srv;
	size_t n = s->nheld;
	struct wsheld *held = s->held;

	if (s->phase != P_OPEN)
		return;
	s->held = NULL;
	s->nheld = 0;
	for (size_t i = 0; i < n; i++)
		send_held(s, &held[i]);
	free(held);
}

/* ---- the loop ---- */

int kcp_srv_pollitems(struct kc_client *kc, zmq_pollitem_t *items, int max)
{
	struct kcp_server *s = kc->srv;
	int n = kcp_rest_pollitems(&s->rest, items, max - 1);

	if (s->fd >= 0 && (s->phase == P_UPGRADE || s->phase == P_OPEN)) {
		short ev = ZMQ_POLLIN;

		if (s->phase == P_UPGRADE ? s->hssent < s->hsreq
		                          : s->ctx && wslay_event_want_write(s->ctx))
			ev |= ZMQ_POLLOUT;
		items[n++] = (zmq_pollitem_t){.fd = s->fd, .events = ev};
	}
	return n;
}

static void ping(struct kcp_server *s, long long now)
{
	struct wslay_event_msg msg = {.opcode = WSLAY_PING, .msg = (const uint8_t *)"b", 1};

	if (s->phase != P_OPEN)
		return;
	if (now - s->last_rx >= 3 * s->ping_ms) {
		snprintf(s->why, sizeof s->why, "no answer to WebSocket pings for %ld s",
		         3 * s->ping_ms / 1000);
		s->failed = 1;
		return;
	}
	if (now >= s->ping_at) {
		s->ping_at = now + s->ping_ms;
		if (wslay_event_queue_msg(s->ctx, &msg) == 0)
			wslay_event_send(s->ctx);
	}
}

void kcp_srv_dispatch(struct kc_client *kc, zmq_pollitem_t *items, int n)
{
	struct kcp_server *s = kc->srv;
	long long now;
	size_t k;

	kcp_rest_dispatch(&s->rest, items, n);
	for (int i = 0; i < n; i++) {
		if (items[i].socket || items[i].fd != s->fd || s->fd < 0 || !items[i].revents)
			continue;
		if (s->phase == P_UPGRADE) {
			if (s->hssent < s->hsreq)
				upgrade_write(s);
			if (s->phase == P_UPGRADE && s->hssent > s->hsreq)
				upgrade_read(s);
			/* frames that came with the upgrade's answer are read now: no poll event
			 * will announce them */
			if (s->phase == P_OPEN && s->leftoff < s->leftlen &&
			    wslay_event_recv(s->ctx) != 0 && !s->failed) {
				s->failed = 1;
				snprintf(s->why, sizeof s->why, "%s",
				         "a malformed or oversized WebSocket frame");
			}
		} else if (s->phase == P_OPEN) {
			if (items[i].revents & (ZMQ_POLLIN | ZMQ_POLLERR))
				if (wslay_event_recv(s->ctx) != 0 && !s->failed) {
					s->failed = 1;
					snprintf(s->why, sizeof s->why, "%s",
					         "a malformed or oversized WebSocket frame");
				}
			if (!s->failed && wslay_event_want_write(s->ctx))
				wslay_event_send(s->ctx);
		}
	}
	now = kcp_now_ms();
	ping(s, now);
	/* Closed both ways, or closed by us (a frame refused): the WebSocket is done. */
	if (s->phase == P_OPEN && !s->failed &&
	    (wslay_event_get_close_sent(s->ctx) ||
	     (!wslay_event_want_read(s->ctx) && !wslay_event_want_write(s->ctx)))) {
		uint16_t sent = wslay_event_get_status_code_sent(s->ctx);

		s->failed = 1;
		if (sent == WSLAY_CODE_MESSAGE_TOO_BIG)
			snprintf(s->why, sizeof s->why, "a message larger than %u MiB (refused)",
			         WS_MAX_MSG >> 20);
		else if (sent == WSLAY_CODE_PROTOCOL_ERROR ||
		         sent == WSLAY_CODE_INVALID_FRAME_PAYLOAD_DATA)
			snprintf(s->why, sizeof s->why,
			         "a malformed WebSocket frame (closed, code %u)", sent);
		else
			snprintf(s->why, sizeof s->why, "the WebSocket was closed");
	}
	if (kc->state == KC_IDLE || kc->state == KC_BUSY)
		s->ready_once = 1;
	/* What arrived is handed on after wslay is done (the handlers may send). */
	for (k = 0; k < s->nin && kc->srv; k++)
		kcp_client_deliver(kc, s->in[k]);
	s->nin = 0;
	if (s->failed && s->phase == P_OPEN) {
		char what[600];

		snprintf(what, sizeof what, "%s", s->why);
		ws_fail(s, 0, "%s", what);
	}
	if ((s->phase == P_CONNECTING || s->phase == P_UPGRADE) && now >= s->deadline)
		ws_fail(s, 0, "no answer within %ld s", s->timeout_ms / 1000);
	if (s->phase == P_WAIT && now >= s->retry_at)
		start_connect(s);
}

long kcp_srv_timeout(const struct kc_client *kc)
{
	const struct kcp_server *s = kc->srv;
	long long now = kcp_now_ms(), next = -1;
	long t = kcp_rest_timeout(&s->rest);

	if (t >= 0)
		next = now + t;
#define SOONER(at)                                                                                 \
	do {                                                                                       \
		if (next < 0 || (at) < next)                                                       \
			next = (at);                                                               \
	} while (0)
	if (s->phase == P_OPEN) {
		SOONER(s->ping_at);
		SOONER(s->last_rx + 3 * s->ping_ms);
	}
	if (s->phase == P_CONNECTING || s->phase == P_UPGRADE)
		SOONER(s->deadline);
	if (s->phase == P_WAIT)
		SOONER(s->retry_at);
#undef SOONER
	return next < 0 ? -1 : next > now ? (long)(next - now) : 0;
}

/* ---- REST for the kernel ---- */

static void on_launched(struct kcp_rest *r, long code, const char *body, size_t len,
                        const char *why, const char *url, void *ud)
{
	struct kcp_server *s = ud;
	json_t *j = code >= 200 && code < 300 ? json_loadb(body, len, 0, NULL) : NULL;
	const char *id = json_string_value(json_object_get(j, "id"));

	if (!id || strlen(id) >= sizeof s->id || strspn(id, "0123456789abcdef-") != strlen(id)) {
		if (why)
			snprintf(s->why, sizeof s->why, "%s", why);
		else if (code >= 200 && code < 300 && j)
			snprintf(s->why, sizeof s->why, "%s: the answer has no kernel id", url);
		else
			kcp_rest_describe(url, code, body, len, s->why, sizeof s->why);
		json_decref(j);
		s->phase = P_GONE;
		snprintf(s->kc->err, sizeof s->kc->err, "%s", s->why);
		kcp_client_dead(s->kc);
		return;
	}
	snprintf(s->id, sizeof s->id, "%s", id);
	snprintf(s->kc->connfile, sizeof s->kc->connfile, "%sapi/kernels/%s", s->rest.base, id);
	json_decref(j);
	start_connect(s);
}

static void on_restarted(struct kcp_rest *r, long code, const char *body, size_t len,
                         const char *why, const char *url, void *ud)
{
	struct kcp_server *s = ud;

	if (code >= 200 && code < 300) {
		kcp_client_begin(s->kc);
		if (!s->kc->holding)
			kcp_srv_release(s->kc);
		return;
	}
	if (why)
		snprintf(s->kc->err, sizeof s->kc->err, "%s", why);
	else
		kcp_rest_describe(url, code, body, len, s->kc->err, sizeof s->kc->err);
	kcp_client_dead(s->kc);
}

static void on_quiet(struct kcp_rest *r, long code, const char *body, size_t len, const char *why,
                     const char *url, void *ud)
{
	struct kcp_server *s = ud;

	if (why)
		snprintf(s->kc->err, sizeof s->kc->err, "%s", why);
	else if (code < 200 || code >= 300)
		kcp_rest_describe(url, code, body, len, s->kc->err, sizeof s->kc->err);
}

int kcp_srv_interrupt(struct kc_client *kc)
{
	char path[128];

	snprintf(path, sizeof path, "api/kernels/%s/interrupt", kc->srv->id);
	return kcp_rest_start(&kc->srv->rest, "POST", path, NULL, kc->srv->timeout_ms, on_quiet,
	                      kc->srv);
}

int kcp_srv_restart(struct kc_client *kc, struct kc_error *err)
{
	char path[128];

	snprintf(path, sizeof path, "api/kernels/%s/restart", kc->srv->id);
	if (kcp_rest_start(&kc->srv->rest, "POST", path, NULL, kc->srv->timeout_ms, on_restarted,
	                   kc->srv) < 0)
		return kcp_fail(err, "%s: cannot start the request", path);
	return 0;
}

int kcp_srv_launched(const struct kc_client *kc)
{
	return kc->srv && kc->srv->launched;
}

/* The DELETE's answer: done (what kcp_rest_wait waits on) and its HTTP code, 0 when none came. */
struct answer {
	int done;
	long code;
};

static void on_flag(struct kcp_rest *r, long code, const char *body, size_t len, const char *why,
                    const char *url, void *ud)
{
	struct answer *a = ud;

	a->done = 1;
	a->code = code;
}

void kcp_srv_free(struct kc_client *kc, int keep)
{
	struct kcp_server *s = kc->srv;

	if (!s)
		return;
	if (s->ctx && s->phase == P_OPEN) { /* a polite close, as far as it goes at once */
		wslay_event_queue_close(s->ctx, WSLAY_CODE_NORMAL_CLOSURE, NULL, 0);
		wslay_event_send(s->ctx);
	}
	close_conn(s);
	if (s->launched && !keep && !s->keep && s->id[0]) {
		char path[128];

		snprintf(path, sizeof path, "api/kernels/%s", s->id);
		/* jupyter-server 1.23 sometimes answers a DELETE with 500 ("Uncaught exception")
		 * and keeps the kernel listed: asked again, a little later, up to three times */
		for (int tries = 0; tries < 3; tries++) {
			struct answer ans = {0, 0};

			if (tries)
				poll(NULL, 0, 300);
			/* a new connection: a kept-alive one may have died with the WebSocket's */
			s->rest.fresh = 1;
			if (kcp_rest_start(&s->rest, "DELETE", path, NULL, 10000, on_flag, &ans) <
			    0)
				break;
			kcp_rest_wait(&s->rest, &ans.done, 10000);
			if (ans.code > 0 && ans.code < 500)
				break;
		}
	}
	kcp_rest_clear(&s->rest);
	for (size_t i = 0; i < s->nheld; i++)
		free(s->held[i].data);
	free(s->held);
	for (size_t i = 0; i < s->nin; i++)
		kc_msg_free(s->in[i]);
	free(s->in);
	free(s);
	kc->srv = NULL;
}

/* ---- public ---- */

static void on_other(struct kcp_rest *r, CURL *e, CURLcode rc, void *ud)
{
	on_connected(r, e, rc, ud);
}

static struct kc_client *server_client(const struct kc_server_opts *o, struct kc_error *err)
{
	struct kc_client *kc = kcp_client_new();
	struct kcp_server *s = kc ? calloc(1, sizeof *s) : NULL;

	if (!s) {
		free(kc);
		kcp_fail(err, "out of memory");
		return NULL;
	}
	kc->srv = s;
	s->kc = kc;
	s->fd = -1;
	s->timeout_ms = o->timeout_ms > 0 ? o->timeout_ms : 30000;
	s->ping_ms = o->ping_ms > 0 ? o->ping_ms : 10000;
	s->backoff = BACKOFF_FIRST_MS;
	s->offer_v1 = !o->protocol || strcmp(o->protocol, "legacy");
	s->keep = o->keep;
	if (kcp_rest_init(&s->rest, o->url, o->token, o->ca_file, err) < 0 ||
	    kcp_session_init(&kc->sess, "", "hmac-sha256", err) < 0) {
		kc_client_free(kc, 1);
		return NULL;
	}
	s->rest.on_other = on_other;
	s->rest.other_ud = s;
	snprintf(kc->connfile, sizeof kc->connfile, "%s", s->rest.base);
	return kc;
}

struct kc_client *kc_client_launch_server(const struct kc_server_opts *o, const char *name,
                                          struct kc_error *err)
{
	struct kc_client *kc = server_client(o, err);
	json_t *env = json_object(), *body;

	if (!kc) {
		json_decref(env);
		return NULL;
	}
	for (const char *const *e = o->env; e && *e; e++) {
		const char *eq = strchr(*e, '=');

		if (eq) {
			char k[256];

			snprintf(k, sizeof k, "%.*s", (int)(eq - *e), *e);
			json_object_set_new(env, k, json_string(eq + 1));
		}
	}
	body = json_pack("{s:s, s:o}", "name", name ? name : "python3", "env", env);
	kc->srv->launched = 1;
	kc->srv->phase = P_LAUNCHING;
	if (kcp_rest_start(&kc->srv->rest, "POST", "api/kernels", body, kc->srv->timeout_ms,
	                   on_launched, kc->srv) < 0) {
		kcp_fail(err, "%sapi/kernels: cannot start the request", kc->srv->rest.base);
		kc_client_free(kc, 1);
		return NULL;
	}
	kcp_client_begin(kc);
	return kc;
}

struct get {
	int done;
	long code;
	char *body;
	size_t len;
	char why[600];
};

static void on_get(struct kcp_rest *r, long code, const char *body, size_t len, const char *why,
                   const char *url, void *ud)
{
	struct get *g = ud;

	g->done = 1;
	g->code = code;
	if (why)
		snprintf(g->why, sizeof g->why, "%s", why);
	else if (code < 200 || code >= 300)
		kcp_rest_describe(url, code, body, len, g->why, sizeof g->why);
	else if ((g->body = malloc(len + 1))) {
		memcpy(g->body, body, len + 1);
		g->len = len;
	}
}

static json_t *get_json(struct kcp_rest *r, const char *path, long timeout_ms, struct kc_error *err)
{
	struct get g = {0};
	json_t *j = NULL;

	if (kcp_rest_start(r, "GET", path, NULL, timeout_ms, on_get, &g) < 0) {
		kcp_fail(err, "%s%s: cannot start the request", r->base, path);
		return NULL;
	}
	if (kcp_rest_wait(r, &g.done, timeout_ms + 1000) < 0)
		kcp_fail(err, "%s%s: no answer within %ld s", r->base, path, timeout_ms / 1000);
	else if (g.why[0])
		kcp_fail(err, "%s", g.why);
	else if (!(j = json_loadb(g.body ? g.body : "", g.len, 0, NULL))) {
		char url[KCP_URL_MAX + 64];

		snprintf(url, sizeof url, "%s%s", r->base, path);
		kcp_rest_describe(url, 200, g.body, g.len, err->text, sizeof err->text);
	}
	free(g.body);
	return j;
}

json_t *kc_server_get(const struct kc_server_opts *o, const char *path, struct kc_error *err)
{
	struct kcp_rest r;
	json_t *j = NULL;

	if (kcp_rest_init(&r, o->url, o->token, o->ca_file, err) == 0)
		j = get_json(&r, path, o->timeout_ms > 0 ? o->timeout_ms : 30000, err);
	kcp_rest_clear(&r);
	return j;
}

struct kc_client *kc_client_attach_server(const struct kc_server_opts *o, const char *id,
                                          struct kc_error *err)
{
	struct kc_client *kc = server_client(o, err);
	json_t *list, *k;
	size_t i, found = 0;
	const char *match = NULL;

	if (!kc)
		return NULL;
	if (!(list = get_json(&kc->srv->rest, "api/kernels", kc->srv->timeout_ms, err))) {
		kc_client_free(kc, 1);
		return NULL;
	}
	json_array_foreach(list, i, k)
	{
		const char *kid = json_string_value(json_object_get(k, "id"));

		if (kid && (!id || !*id || !strncmp(kid, id, strlen(id)))) {
			if (id && !strcmp(kid, id)) {
				match = kid, found = 1;
				break;
			}
			match = kid;
			found++;
		}
	}
	if (found != 1 || strlen(match) >= sizeof kc->srv->id ||
	    strspn(match, "0123456789abcdef-") != strlen(match)) {
		char said[80];

		kcp_sanitize(id ? id : "", id ? strlen(id) : 0, said, sizeof said);
		if (!json_is_array(list))
			kcp_fail(err, "%sapi/kernels: the answer is not a list of kernels",
			         kc->srv->rest.base);
		else if (!found)
			kcp_fail(err, "%s: no running kernel%s%s%s", kc->srv->rest.base,
			         said[0] ? " whose id starts with \"" : "", said,
			         said[0] ? "\"" : "");
		else
			kcp_fail(err, "%s: %zu running kernels match \"%s\": give more of the id",
			         kc->srv->rest.base, found, said);
		json_decref(list);
		kc_client_free(kc, 1);
		return NULL;
	}
	snprintf(kc->srv->id, sizeof kc->srv->id, "%s", match);
	json_decref(list);
	snprintf(kc->connfile, sizeof kc->connfile, "%sapi/kernels/%s", kc->srv->rest.base,
	         kc->srv->id);
	start_connect(kc->srv);
	kcp_client_begin(kc);
	return kc;
}

const char *kc_client_server_url(const struct kc_client *kc)
{
	return kc->srv ? kc->srv->rest.base : NULL;
}

const char *kc_client_server_kernel(const struct kc_client *kc)
{
	return kc->srv ? kc->srv->id : NULL;
}

const char *kc_client_server_protocol(const struct kc_client *kc)
{
	if (!kc->srv || !kc->srv->connects)
		return "";
	return kc->srv->v1 ? "v1" : "legacy";
}

int kc_client_server_drop(struct kc_client *kc)
{
	if (!kc->srv || kc->srv->fd < 0)
		return -1;
	return shutdown(kc->srv->fd, SHUT_RDWR);
}

unsigned kc_client_server_connects(const struct kc_client *kc)
{
	return kc->srv ? kc->srv->connects : 0;
}
