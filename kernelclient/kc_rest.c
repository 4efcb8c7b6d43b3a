// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * The Jupyter Server REST API through libcurl's multi interface, driven from the caller's poll
 * loop: curl tells us (socket callback) which descriptors it wants watched and for what, and
 * (timer callback) when it wants to be called without an event; kcp_rest_pollitems() adds those
 * descriptors to the client's poll set and kcp_rest_dispatch() hands what poll saw back to curl.
 * No threads and no blocking transfer in the loop; kcp_rest_wait() is the bounded blocking form
 * for the moments before a loop exists (resolving --existing, `bobbin kernels`, shutdown).
 *
 * Every request carries "Authorization: token T"; errors become one line naming the URL and the
 * cause, with what the server wrote kept out of it except a short, sanitised "message" field.
 */
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernelclient/kc_private.h"

#define REST_MAX_BODY (16u << 20)

struct rreq {
	struct rreq *next;
	CURL *e;
	struct curl_slist *hdrs;
	char *body;
	size_t len, cap;
	int too_big;
	char *post;
	char url[KCP_URL_MAX];
	char errbuf[CURL_ERROR_SIZE];
	kcp_rest_cb *cb;
	void *ud;
};

static size_t on_data(char *p, size_t size, size_t n, void *ud)
{
	struct rreq *q = ud;
	size_t len = size * n;

	if (q->len + len + 1 > REST_MAX_BODY) {
		q->too_big = 1;
		return 0;
	}
	if (q->len + len + 1 > q->cap) {
		size_t cap = (q->len + len + 1) * 2;
		char *nb = realloc(q->body, cap);

		if (!nb)
			return 0;
		q->body = nb;
		q->cap = cap;
	}
	memcpy(q->body + q->len, p, len);
	q->len += len;
	q->body[q->len] = 0;
	return len;
}

static int on_socket(CURL *e, curl_socket_t s, int what, void *ud, void *sockp)
{
	struct kcp_rest *r = ud;
	int i;

	for (i = 0; i < r->nfds && r->fds[i].fd != s; i++)
		;
	if (what == CURL_POLL_REMOVE) {
		if (i < r->nfds)
			r->fds[i] = r->fds[--r->nfds];
		return 0;
	}
	if (i == r->nfds) {
		if (r->nfds == KCP_REST_MAXFDS)
			return -1;
		r->nfds++;
	}
	r->fds[i].fd = s;
	r->fds[i].events = (short)((what & CURL_POLL_IN ? ZMQ_POLLIN : 0) |
	                           (what & CURL_POLL_OUT ? ZMQ_POLLOUT : 0));
	return 0;
}

static int on_timer(CURLM *m, long ms, void *ud)
{
	struct kcp_rest *r = ud;

	r->timer_at = ms < 0 ? 0 : kcp_now_ms() + ms;
	return 0;
}

int kcp_rest_init(struct kcp_rest *r, const char *base, const char *token, const char *ca_file,
                  struct kc_error *err)
{
	static int global;
	size_t l;

	memset(r, 0, sizeof *r);
	if (!global && curl_global_init(CURL_GLOBAL_DEFAULT) == 0)
		global = 1;
	if (!base || (strncmp(base, "http://", 7) && strncmp(base, "https://", 8)))
		return kcp_fail(err, "%s: not an http:// or https:// URL", base ? base : "");
	if ((l = strlen(base)) + 2 >= sizeof r->base)
		return kcp_fail(err, "the server URL is too long");
	/* The base always ends in one / so that paths join on to it. */
	snprintf(r->base, sizeof r->base, "%s%s", base, l && base[l - 1] == '/' ? "" : "/");
	if (token && strlen(token) > 400)
		return kcp_fail(err, "%s: the token is longer than 400 bytes", r->base);
	for (const char *p = token; p && *p; p++)
		if ((unsigned char)*p < 0x21 || *p == 0x7f)
			return kcp_fail(err, "%s: the token has a blank or control character",
			                r->base);
	if (token && *token)
		snprintf(r->auth, sizeof r->auth, "Authorization: token %s", token);
	if (ca_file)
		snprintf(r->ca_file, sizeof r->ca_file, "%s", ca_file);
	if (!(r->multi = curl_multi_init()))
		return kcp_fail(err, "curl_multi_init failed");
	curl_multi_setopt(r->multi, CURLMOPT_SOCKETFUNCTION, on_socket);
	curl_multi_setopt(r->multi, CURLMOPT_SOCKETDATA, r);
	curl_multi_setopt(r->multi, CURLMOPT_TIMERFUNCTION, on_timer);
	curl_multi_setopt(r->multi, CURLMOPT_TIMERDATA, r);
	return 0;
}

void kcp_rest_setup(const struct kcp_rest *r, CURL *e, long timeout_ms)
{
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, timeout_ms < 20000 ? timeout_ms : 20000L);
	curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, timeout_ms);
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
	if (r->ca_file[0])
		curl_easy_setopt(e, CURLOPT_CAINFO, r->ca_file);
}

static void free_req(struct kcp_rest *r, struct rreq *q)
{
	for (struct rreq **p = (struct rreq **)&r->reqs; *p; p = &(*p)->next)
		if (*p == q) {
			*p = q->next;
			break;
		}
	curl_easy_cleanup(q->e);
	curl_slist_free_all(q->hdrs);
	free(q->body);
	free(q->post);
	free(q);
}

int kcp_rest_start(struct kcp_rest *r, const char *method, const char *path, json_t *body,
                   long timeout_ms, kcp_rest_cb *cb, void *ud)
{
	struct rreq *q = calloc(1, sizeof *q);

	if (!q || !(q->e = curl_easy_init())) {
		free(q);
		json_decref(body);
		return -1;
	}
	snprintf(q->url, sizeof q->url, "%s%s", r->base, path);
	q->cb = cb;
	q->ud = ud;
	if (r->auth[0])
		q->hdrs = curl_slist_append(q->hdrs, r->auth);
	q->hdrs = curl_slist_append(q->hdrs, "Accept: application/json");
	if (body || strcmp(method, "GET")) {
		q->post = body ? json_dumps(body, JSON_COMPACT) : strdup("");
		q->hdrs = curl_slist_append(q->hdrs, "Content-Type: application/json");
	}
	json_decref(body);
	kcp_rest_setup(r, q->e, timeout_ms);
	curl_easy_setopt(q->e, CURLOPT_URL, q->url);
	curl_easy_setopt(q->e, CURLOPT_HTTPHEADER, q->hdrs);
	curl_easy_setopt(q->e, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(q->e, CURLOPT_WRITEDATA, q);
	curl_easy_setopt(q->e, CURLOPT_ERRORBUFFER, q->errbuf);
	curl_easy_setopt(q->e, CURLOPT_PRIVATE, q);
	if (strcmp(method, "GET"))
		curl_easy_setopt(q->e, CURLOPT_CUSTOMREQUEST, method);
	if (r->fresh)
		curl_easy_setopt(q->e, CURLOPT_FRESH_CONNECT, 1L);
	if (q->post)
		curl_easy_setopt(q->e, CURLOPT_POSTFIELDS, q->post);
	q->next = r->reqs;
	r->reqs = q;
	if (curl_multi_add_handle(r->multi, q->e) != CURLM_OK) {
		free_req(r, q);
		return -1;
	}
	r->pending++;
	return 0;
}

/* Keeps printable text of s (at most max bytes): control characters, C1 and invalid UTF-8 are
 * dropped, so a server's words can go into a message on a terminal. */
void kcp_sanitize(const char *s, size_t len, char *out, size_t max)
{
	size_t o = 0, fl;
	char *fixed = kcp_utf8_repair(s, len, &fl);
	const unsigned char *p = (const unsigned char *)(fixed ? fixed : s);
	size_t n = fixed ? fl : len;

	for (size_t i = 0; i < n && o + 4 < max; i++) {
		unsigned c = p[i];

		if (c < 0x20 || c == 0x7f) {
			if (o && out[o - 1] != ' ')
				out[o++] = ' ';
			continue;
		}
		if (c == 0xc2 && i + 1 < n && p[i + 1] >= 0x80 && p[i + 1] < 0xa0) {
			i++; /* a C1 control */
			continue;
		}
		out[o++] = (char)c;
	}
	/* never end inside a UTF-8 sequence */
	while (o && ((unsigned char)out[o - 1] & 0xc0) == 0x80)
		o--;
	if (o && ((unsigned char)out[o - 1] & 0xc0) == 0xc0)
		o--;
	out[o] = 0;
	free(fixed);
}

void kcp_rest_describe(const char *url, long code, const char *body, size_t len, char *out,
                       size_t size)
{
	json_t *j = body && len ? json_loadb(body, len, 0, NULL) : NULL;
	const char *msg = json_string_value(json_object_get(j, "message"));
	char said[200] = "";

	if (!msg)
		msg = json_string_value(json_object_get(j, "reason"));
	if (msg)
		kcp_sanitize(msg, strlen(msg), said, sizeof said);
	if (code == 401 || code == 403)
		snprintf(out, size,
		         "%s: HTTP %ld: the server refused the token (set JUPYTER_TOKEN "
		         "or use --token-file)",
		         url, code);
	else if (code == 404 && !j)
		snprintf(out, size,
		         "%s: HTTP 404: not a Jupyter Server API (check the URL and its "
		         "base path)",
		         url);
	else if (code >= 200 && code < 300 && !j)
		snprintf(out, size,
		         "%s: the answer is not JSON (%s: not a Jupyter Server, or a "
		         "login page in front of it?)",
		         url,
		         body && len && memchr(body, '<', len < 200 ? len : 200) ? "HTML" : "text");
	else
		snprintf(out, size, "%s: HTTP %ld%s%s", url, code, said[0] ? ": " : "", said);
	json_decref(j);
}

static void done(struct kcp_rest *r, CURLMsg *msg)
{
	struct rreq *q = NULL;
	long code = 0;
	char why[600] = "";

	curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&q);
	curl_easy_getinfo(msg->easy_handle, CURLINFO_RESPONSE_CODE, &code);
	curl_multi_remove_handle(r->multi, msg->easy_handle);
	r->pending--;
	if (msg->data.result != CURLE_OK) {
		char detail[300];

		kcp_sanitize(q->errbuf, strlen(q->errbuf), detail, sizeof detail);
		if (q->too_big)
			snprintf(why, sizeof why, "%s: the answer is larger than %u MiB", q->url,
			         REST_MAX_BODY >> 20);
		else
			snprintf(why, sizeof why, "%s: %s%s%s", q->url,
			         curl_easy_strerror(msg->data.result), detail[0] ? ": " : "",
			         detail);
		code = 0;
	}
	if (q->cb)
		q->cb(r, code, q->body ? q->body : "", q->len, why[0] ? why : NULL, q->url, q->ud);
	free_req(r, q);
}

static void reap(struct kcp_rest *r)
{
	CURLMsg *msg;
	int left;

	while ((msg = curl_multi_info_read(r->multi, &left)))
		if (msg->msg == CURLMSG_DONE) {
			struct rreq *q = NULL;

			curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&q);
			if (q) /* not one of ours (a WebSocket's connection is handled there) */
				done(r, msg);
			else if (r->on_other)
				r->on_other(r, msg->easy_handle, msg->data.result, r->other_ud);
		}
}

int kcp_rest_pollitems(const struct kcp_rest *r, zmq_pollitem_t *items, int max)
{
	int n = 0;

	for (int i = 0; i < r->nfds && n < max; i++)
		items[n++] = (zmq_pollitem_t){.fd = r->fds[i].fd, .events = r->fds[i].events};
	return n;
}

void kcp_rest_dispatch(struct kcp_rest *r, const zmq_pollitem_t *items, int n)
{
	int running;

	if (!r->multi)
		return;
	for (int i = 0; i < n; i++) {
		int mine = 0, ev = 0;

		if (items[i].socket || !items[i].revents)
			continue;
		for (int k = 0; k < r->nfds; k++)
			mine |= r->fds[k].fd == items[i].fd;
		if (!mine)
			continue;
		if (items[i].revents & ZMQ_POLLIN)
			ev |= CURL_CSELECT_IN;
		if (items[i].revents & ZMQ_POLLOUT)
			ev |= CURL_CSELECT_OUT;
		if (items[i].revents & ZMQ_POLLERR)
			ev |= CURL_CSELECT_ERR;
		curl_multi_socket_action(r->multi, items[i].fd, ev, &running);
	}
	if (r->timer_at && kcp_now_ms() >= r->timer_at) {
		r->timer_at = 0;
		curl_multi_socket_action(r->multi, CURL_SOCKET_TIMEOUT, 0, &running);
	}
	reap(r);
}

long kcp_rest_timeout(const struct kcp_rest *r)
{
	long long now = kcp_now_ms();

	if (!r->timer_at)
		return -1;
	return r->timer_at > now ? (long)(r->timer_at - now) : 0;
}

int kcp_rest_wait(struct kcp_rest *r, const int *flag, long timeout_ms)
{
	long long end = kcp_now_ms() + timeout_ms;

	while (!*flag) {
		zmq_pollitem_t items[KCP_REST_MAXFDS];
		int n = kcp_rest_pollitems(r, items, KCP_REST_MAXFDS);
		long left = (long)(end - kcp_now_ms()), t = kcp_rest_timeout(r);

		if (left <= 0)
			return -1;
		if (t < 0 || t > left)
			t = left;
		if (t > 100)
			t = 100;
		zmq_poll(items, n, t);
		kcp_rest_dispatch(r, items, n);
	}
	return 0;
}

void kcp_rest_clear(struct kcp_rest *r)
{
	if (!r->multi)
		return;
	/* Transfers still running are dropped without their callbacks. */
	while (r->reqs) {
		struct rreq *q = r->reqs;

		curl_multi_remove_handle(r->multi, q->e);
		free_req(r, q);
	}
	curl_multi_cleanup(r->multi);
	r->multi = NULL;
}
