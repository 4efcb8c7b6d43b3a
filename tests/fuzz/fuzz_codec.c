// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * Fuzz harness for the wire codec: the input's lines are the frames of one message as received
 * (identities, <IDS|MSG>, signature, header, parent, metadata, content, buffers). kcp_parse()
 * runs on them unsigned (empty key), then with a key after the harness signed the four parts, so
 * the JSON side is reached both ways. A message that parses has a string msg_type and msg_id, and
 * serialises and parses back to the same msg_type.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kernelclient/kc_private.h"

#define MAXF 16

static void check(int cond)
{
	if (!cond)
		abort();
}

static void roundtrip(struct kcp_session *s, struct kc_msg *m)
{
	zmq_msg_t out[MAXF];
	int n = kcp_serialize(s, m->header, m->parent, m->metadata, m->content, out, MAXF);
	struct kc_msg *back;

	check(n >= 6);
	back = kcp_parse(s, out, (size_t)n);
	check(back && !strcmp(back->msg_type, m->msg_type));
	kc_msg_free(back);
	for (int i = 0; i < n; i++)
		zmq_msg_close(&out[i]);
}

static void parse(const char *key, const uint8_t *data, size_t size)
{
	struct kcp_session s;
	struct kc_error err = {0};
	zmq_msg_t f[MAXF];
	size_t n = 0, off = 0, d;
	struct kc_msg *m;

	check(kcp_session_init(&s, key, "hmac-sha256", &err) == 0);
	while (n < MAXF && off <= size) {
		const uint8_t *nl = memchr(data + off, '\n', size - off);
		size_t len = nl ? (size_t)(nl - data - off) : size - off;

		zmq_msg_init_size(&f[n], len);
		if (len)
			memcpy(zmq_msg_data(&f[n]), data + off, len);
		n++;
		off += len + 1;
	}
	for (d = 0; d < n; d++)
		if (zmq_msg_size(&f[d]) == strlen(KCP_DELIM) &&
		    !memcmp(zmq_msg_data(&f[d]), KCP_DELIM, strlen(KCP_DELIM)))
			break;
	if (*key && d + 6 <= n) {
		const char *parts[4];
		size_t lens[4];
		char sig[160];

		for (int i = 0; i < 4; i++) {
			parts[i] = zmq_msg_data(&f[d + 2 + i]);
			lens[i] = zmq_msg_size(&f[d + 2 + i]);
		}
		check(kcp_sign(&s, parts, lens, sig) == 0);
		zmq_msg_close(&f[d + 1]);
		zmq_msg_init_size(&f[d + 1], strlen(sig));
		memcpy(zmq_msg_data(&f[d + 1]), sig, strlen(sig));
	}
	if ((m = kcp_parse(&s, f, n))) {
		check(m->msg_type && m->msg_id && m->parent_id);
		roundtrip(&s, m);
		kc_msg_free(m);
	}
	for (size_t i = 0; i < n; i++)
		zmq_msg_close(&f[i]);
	kcp_session_clear(&s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	parse("", data, size);
	parse("a-key", data, size);
	return 0;
}
