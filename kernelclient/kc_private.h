// SPDX-License-Identifier: GPL-3.0-or-later
/* Cross-file internals of libkernelclient (kcp_ names). Not installed, not for front ends. */
#ifndef BOBBIN_KC_PRIVATE_H
#define BOBBIN_KC_PRIVATE_H

#include <stdarg.h>
#include "kernelclient/kc.h"

#define KCP_DELIM "<IDS|MSG>"

/* Formats into err (may be NULL) and returns -1. */
int kcp_fail(struct kc_error *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Signing and framing state for one client session. */
struct kcp_session {
	char id[40];       /* uuid4, sent as header.session */
	char username[64];
	void *mac;         /* EVP_MAC_CTX keyed once, or NULL for an empty key */
	unsigned long dropped;
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

#endif
