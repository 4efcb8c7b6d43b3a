// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * The Jupyter wire protocol: multipart frames, `<IDS|MSG>` found by scanning, HMAC signatures
 * over the four JSON frames exactly as received, fresh headers (uuid4 msg_id, ISO 8601 date), and
 * UTF-8 repair before JSON parsing (ipykernel can send invalid UTF-8 through surrogateescape).
 * Pure: no sockets are touched here, only zmq_msg_t frames, so it is testable on its own.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <pwd.h>
#include <sys/time.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "kernelclient/kc_private.h"

int kcp_fail(struct kc_error *err, const char *fmt, ...)
{
	va_list ap;

	if (err) {
		va_start(ap, fmt);
		vsnprintf(err->text, sizeof err->text, fmt, ap);
		va_end(ap);
		err->code = -1;
	}
	return -1;
}

long long kcp_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void kcp_uuid4(char *out)
{
	unsigned char b[16];

	if (RAND_bytes(b, sizeof b) != 1) {
		/* RAND_bytes only fails when the system has no entropy source at all. */
		for (size_t i = 0; i < sizeof b; i++)
			b[i] = (unsigned char)(rand() ^ (getpid() << 3));
	}
	b[6] = (b[6] & 0x0f) | 0x40;
	b[8] = (b[8] & 0x3f) | 0x80;
	snprintf(out, 37,
		 "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0],
		 b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13],
		 b[14], b[15]);
}

void kcp_isodate(char *out, size_t size)
{
	struct timeval tv;
	struct tm tm;
	char base[24];

	gettimeofday(&tv, NULL);
	gmtime_r(&tv.tv_sec, &tm);
	strftime(base, sizeof base, "%Y-%m-%dT%H:%M:%S", &tm);
	/* Python omits the fraction when microseconds are zero; so do we. */
	if (tv.tv_usec)
		snprintf(out, size, "%s.%06ldZ", base, (long)tv.tv_usec);
	else
		snprintf(out, size, "%sZ", base);
}

static const char *digest_name(const char *scheme)
{
	static const struct { const char *scheme, *digest; } map[] = {
		{"hmac-sha256", "SHA256"}, {"hmac-sha512", "SHA512"}, {"hmac-sha384", "SHA384"},
		{"hmac-sha224", "SHA224"}, {"hmac-sha1", "SHA1"},     {"hmac-md5", "MD5"},
	};

	for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
		if (!strcmp(scheme, map[i].scheme))
			return map[i].digest;
	return NULL;
}

int kcp_session_init(struct kcp_session *s, const char *key, const char *scheme,
		     struct kc_error *err)
{
	struct passwd *pw;
	const char *user = getenv("USER");

	memset(s, 0, sizeof *s);
	kcp_uuid4(s->id);
	if (!user && (pw = getpwuid(getuid())))
		user = pw->pw_name;
	snprintf(s->username, sizeof s->username, "%s", user ? user : "username");
	if (!key || !*key)
		return 0;
	const char *digest = digest_name(scheme && *scheme ? scheme : "hmac-sha256");
	if (!digest)
		return kcp_fail(err, "unsupported signature_scheme \"%s\"", scheme);
	EVP_MAC *mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
	EVP_MAC_CTX *ctx = mac ? EVP_MAC_CTX_new(mac) : NULL;
	OSSL_PARAM params[] = {
		OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, (char *)digest, 0),
		OSSL_PARAM_construct_end(),
	};
	EVP_MAC_free(mac);
	if (!ctx || !EVP_MAC_init(ctx, (const unsigned char *)key, strlen(key), params)) {
		EVP_MAC_CTX_free(ctx);
		return kcp_fail(err, "cannot set up HMAC (%s)", digest);
	}
	s->mac = ctx;
	return 0;
}

void kcp_session_clear(struct kcp_session *s)
{
	EVP_MAC_CTX_free(s->mac);
	s->mac = NULL;
}

int kcp_sign(const struct kcp_session *s, const char *const parts[4], const size_t lens[4],
	     char *out)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	size_t mdlen = 0;
	EVP_MAC_CTX *ctx;

	out[0] = 0;
	if (!s->mac)
		return 0;
	/* The keyed context is duplicated per message, as Python's digester.copy(). */
	if (!(ctx = EVP_MAC_CTX_dup(s->mac)))
		return -1;
	for (int i = 0; i < 4; i++)
		EVP_MAC_update(ctx, (const unsigned char *)parts[i], lens[i]);
	if (!EVP_MAC_final(ctx, md, &mdlen, sizeof md)) {
		EVP_MAC_CTX_free(ctx);
		return -1;
	}
	EVP_MAC_CTX_free(ctx);
	for (size_t i = 0; i < mdlen; i++) {
		out[2 * i] = "0123456789abcdef"[md[i] >> 4];
		out[2 * i + 1] = "0123456789abcdef"[md[i] & 15];
	}
	out[2 * mdlen] = 0;
	return 0;
}

/* Length of the valid UTF-8 sequence at s (strict: no overlongs, surrogates or > U+10FFFF),
 * or 0 when invalid. */
static size_t utf8_valid_len(const unsigned char *s, size_t n)
{
	unsigned c = s[0];

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		return n >= 2 && (s[1] & 0xc0) == 0x80 ? 2 : 0;
	if (c >= 0xe0 && c <= 0xef) {
		if (n < 3 || (s[1] & 0xc0) != 0x80 || (s[2] & 0xc0) != 0x80)
			return 0;
		if ((c == 0xe0 && s[1] < 0xa0) || (c == 0xed && s[1] > 0x9f))
			return 0;
		return 3;
	}
	if (c >= 0xf0 && c <= 0xf4) {
		if (n < 4 || (s[1] & 0xc0) != 0x80 || (s[2] & 0xc0) != 0x80 ||
		    (s[3] & 0xc0) != 0x80)
			return 0;
		if ((c == 0xf0 && s[1] < 0x90) || (c == 0xf4 && s[1] > 0x8f))
			return 0;
		return 4;
	}
	return 0;
}

char *kcp_utf8_repair(const char *str, size_t len, size_t *outlen)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0, k;
	char *out;

	for (;;) { /* the common case: all valid, mostly ASCII */
		while (i < len && s[i] < 0x80)
			i++;
		if (i == len)
			return NULL;
		if (!(k = utf8_valid_len(s + i, len - i)))
			break;
		i += k;
	}
	/* Each invalid byte becomes U+FFFD (3 bytes), so 3×len bounds the result. */
	if (!(out = malloc(3 * len + 1)))
		return NULL;
	memcpy(out, s, i);
	*outlen = i;
	while (i < len) {
		if ((k = utf8_valid_len(s + i, len - i))) {
			memcpy(out + *outlen, s + i, k);
			*outlen += k;
			i += k;
		} else {
			memcpy(out + *outlen, "\xef\xbf\xbd", 3);
			*outlen += 3;
			i++;
			/* A maximal invalid subsequence yields one replacement: skip its tail. */
			while (i < len && (s[i] & 0xc0) == 0x80 && !utf8_valid_len(s + i, len - i))
				i++;
		}
	}
	out[*outlen] = 0;
	return out;
}

json_t *kcp_header(const struct kcp_session *s, const char *msg_type)
{
	char id[40], date[40];

	kcp_uuid4(id);
	kcp_isodate(date, sizeof date);
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "msg_id", id, "session", s->id,
			 "username", s->username, "date", date, "msg_type", msg_type, "version",
			 "5.3");
}

int kcp_serialize(const struct kcp_session *s, json_t *header, json_t *parent, json_t *metadata,
		  json_t *content, zmq_msg_t *frames, int maxframes)
{
	json_t *objs[4] = {header, parent, metadata, content};
	char *parts[4] = {NULL};
	size_t lens[4];
	char sig[EVP_MAX_MD_SIZE * 2 + 1];
	int i, rc = -1;

	if (maxframes < 6)
		return -1;
	for (i = 0; i < 4; i++) {
		json_t *o = objs[i] ? objs[i] : json_object();

		parts[i] = json_dumps(o, JSON_COMPACT);
		if (!objs[i])
			json_decref(o);
		if (!parts[i])
			goto out;
		lens[i] = strlen(parts[i]);
	}
	if (kcp_sign(s, (const char *const *)parts, lens, sig) < 0)
		goto out;
	zmq_msg_init_size(&frames[0], strlen(KCP_DELIM));
	memcpy(zmq_msg_data(&frames[0]), KCP_DELIM, strlen(KCP_DELIM));
	zmq_msg_init_size(&frames[1], strlen(sig));
	memcpy(zmq_msg_data(&frames[1]), sig, strlen(sig));
	for (i = 0; i < 4; i++) {
		zmq_msg_init_size(&frames[2 + i], lens[i]);
		memcpy(zmq_msg_data(&frames[2 + i]), parts[i], lens[i]);
	}
	rc = 6;
out:
	for (i = 0; i < 4; i++)
		free(parts[i]);
	return rc;
}

json_t *kcp_load_part(const char *data, size_t len)
{
	size_t fixed_len;
	char *fixed;
	json_t *j;

	if (len == 2 && data[0] == '{' && data[1] == '}') /* most metadata */
		return json_object();
	fixed = kcp_utf8_repair(data, len, &fixed_len);

	j = json_loadb(fixed ? fixed : data, fixed ? fixed_len : len,
		       JSON_ALLOW_NUL | JSON_DECODE_ANY, NULL);
	free(fixed);
	if (j && !json_is_object(j)) {
		json_decref(j);
		j = NULL;
	}
	return j;
}

struct kc_msg *kcp_msg_from_json(struct kcp_session *s, json_t *header, json_t *parent,
				 json_t *metadata, json_t *content)
{
	struct kc_msg *m = calloc(1, sizeof *m);

	if (m) {
		m->header = header;
		m->parent = parent;
		m->metadata = metadata;
		m->content = content;
	}
	if (!m || !json_is_object(header) || !json_is_object(parent) ||
	    !json_is_object(metadata) || !json_is_object(content) ||
	    !json_is_string(json_object_get(header, "msg_type"))) {
		if (m)
			kc_msg_free(m);
		else
			json_decref(header), json_decref(parent), json_decref(metadata),
				json_decref(content);
		s->dropped++;
		return NULL;
	}
	m->msg_type = json_string_value(json_object_get(m->header, "msg_type"));
	m->msg_id = json_string_value(json_object_get(m->header, "msg_id"));
	if (!m->msg_id)
		m->msg_id = "";
	m->parent_id = json_string_value(json_object_get(m->parent, "msg_id"));
	if (!m->parent_id)
		m->parent_id = "";
	return m;
}

int kcp_msg_add_buffer(struct kc_msg *m, const void *data, size_t len)
{
	struct kc_buf *b = realloc(m->buffers, (m->nbuffers + 1) * sizeof *b);

	if (!b)
		return -1;
	m->buffers = b;
	b += m->nbuffers;
	if (!(b->data = malloc(len ? len : 1)))
		return -1;
	memcpy(b->data, data, len);
	b->len = len;
	m->nbuffers++;
	return 0;
}

struct kc_msg *kcp_parse(struct kcp_session *s, zmq_msg_t *frames, size_t n)
{
	size_t d, i;
	struct kc_msg *m;
	const char *parts[4];
	size_t lens[4];
	char sig[EVP_MAX_MD_SIZE * 2 + 1];

	for (d = 0; d < n; d++)
		if (zmq_msg_size(&frames[d]) == strlen(KCP_DELIM) &&
		    !memcmp(zmq_msg_data(&frames[d]), KCP_DELIM, strlen(KCP_DELIM)))
			break;
	if (d + 6 > n) {
		s->dropped++;
		return NULL;
	}
	for (i = 0; i < 4; i++) {
		parts[i] = zmq_msg_data(&frames[d + 2 + i]);
		lens[i] = zmq_msg_size(&frames[d + 2 + i]);
	}
	if (s->mac) {
		size_t siglen = zmq_msg_size(&frames[d + 1]);

		if (kcp_sign(s, parts, lens, sig) < 0 || siglen != strlen(sig) ||
		    CRYPTO_memcmp(sig, zmq_msg_data(&frames[d + 1]), siglen) != 0) {
			s->dropped++;
			s->bad_sig++;
			return NULL;
		}
	}
	m = kcp_msg_from_json(s, kcp_load_part(parts[0], lens[0]), kcp_load_part(parts[1], lens[1]),
			      kcp_load_part(parts[2], lens[2]), kcp_load_part(parts[3], lens[3]));
	if (!m)
		return NULL;
	m->nbuffers = n - (d + 6);
	if (m->nbuffers) {
		m->buffers = calloc(m->nbuffers, sizeof *m->buffers);
		for (i = 0; m->buffers && i < m->nbuffers; i++) {
			zmq_msg_t *f = &frames[d + 6 + i];

			m->buffers[i].len = zmq_msg_size(f);
			m->buffers[i].data = malloc(m->buffers[i].len ? m->buffers[i].len : 1);
			if (m->buffers[i].data)
				memcpy(m->buffers[i].data, zmq_msg_data(f), m->buffers[i].len);
		}
		if (!m->buffers)
			m->nbuffers = 0;
	}
	return m;
}

void kc_msg_free(struct kc_msg *m)
{
	if (!m)
		return;
	json_decref(m->header);
	json_decref(m->parent);
	json_decref(m->metadata);
	json_decref(m->content);
	for (size_t i = 0; i < m->nbuffers; i++)
		free(m->buffers[i].data);
	free(m->buffers);
	free(m);
}
