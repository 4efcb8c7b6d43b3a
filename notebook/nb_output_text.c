// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * Stream text of one output, built the way JupyterLab >= 4.3 builds it (research/protocol.md
 * §4.5): the text has a cursor; "\r" moves it to the start of the current line and later
 * characters overwrite in place (a shorter rewrite keeps the tail of the old line); "\b" deletes the
 * character before the cursor unless that is a newline; "\n" appends a newline at the end and
 * moves the cursor there; any other character overwrites the one at the cursor or is appended.
 * The cursor survives between messages, so "\r" at the end of one chunk and text in the next work.
 *
 * Since only "\r" and "\b" move the cursor back and neither crosses a newline, the cursor always
 * lies in the last line: appending costs O(chunk) plus, when overwriting, O(last line).
 *
 * Flood limit: once the kept text exceeds the limit, the first limit/2 bytes (ending at a line
 * end when there is one) stay as the head, a marker line follows, and only the last limit/4 bytes
 * (from a line start when there is one) stay as the tail. The next trim happens after about
 * limit/4 more bytes, so trimming is amortised O(1) per byte and memory stays below the limit plus
 * the marker. Characters are counted as UTF-8 code points; cuts never split one.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "notebook/nb_output_private.h"

void nbo_text_init(struct nbo_text *t, size_t limit)
{
	memset(t, 0, sizeof(*t));
	t->limit = limit;
}

void nbo_text_clear(struct nbo_text *t)
{
	free(t->p);
	nbo_text_init(t, t->limit);
}

size_t nbo_text_kept(const struct nbo_text *t)
{
	return t->len - t->marker;
}

static int reserve(struct nbo_text *t, size_t need)
{
	size_t cap;
	char *p;

	if (need <= t->cap)
		return 0;
	cap = t->cap ? t->cap : 64;
	while (cap < need)
		cap *= 2;
	p = realloc(t->p, cap);
	if (!p)
		return -1;
	t->p = p;
	t->cap = cap;
	return 0;
}

/* Bytes of the UTF-8 sequence led by c (1 for a stray continuation byte). */
static size_t cp_len(unsigned char c)
{
	if (c >= 0xf0 && c < 0xf8)
		return 4;
	if (c >= 0xe0 && c < 0xf0)
		return 3;
	if (c >= 0xc0 && c < 0xe0)
		return 2;
	return 1;
}

static int is_cont(unsigned char c)
{
	return (c & 0xc0) == 0x80;
}

/* Writes one code point (k bytes) over the one at the cursor (the cursor is before len). */
static void overwrite_cp(struct nbo_text *t, const char *s, size_t k)
{
	size_t old = cp_len((unsigned char)t->p[t->cursor]);

	if (t->cursor + old > t->len)
		old = t->len - t->cursor;
	if (old != k)
		memmove(t->p + t->cursor + k, t->p + t->cursor + old, t->len - t->cursor - old);
	memcpy(t->p + t->cursor, s, k);
	t->len = t->len - old + k;
	t->cursor += k;
}

/* Plain text (no \n, \r, \b) at the cursor. */
static void put_run(struct nbo_text *t, const char *s, size_t n)
{
	size_t i = 0, k;

	while (i < n && t->cursor < t->len) {
		k = cp_len((unsigned char)s[i]);
		if (i + k > n)
			k = n - i;
		overwrite_cp(t, s + i, k);
		i += k;
	}
	if (i < n) {
		memcpy(t->p + t->len, s + i, n - i);
		t->len += n - i;
		t->cursor = t->len;
	}
}

static void backspace(struct nbo_text *t)
{
	size_t k = t->cursor;

	if (k <= t->line)
		return;
	k--;
	while (k > t->line && is_cont((unsigned char)t->p[k]))
		k--;
	memmove(t->p + k, t->p + t->cursor, t->len - t->cursor);
	t->len -= t->cursor - k;
	t->cursor = k;
}

void nbo_group(char *out, size_t size, unsigned long long v)
{
	char digits[32];
	int n = snprintf(digits, sizeof(digits), "%llu", v), i, o = 0;

	for (i = 0; i < n && (size_t)o + 2 < size; i++) {
		if (i > 0 && (n - i) % 3 == 0)
			out[o++] = ',';
		out[o++] = digits[i];
	}
	out[o] = '\0';
}

static void trim(struct nbo_text *t)
{
	char marker[128], b[40], l[40];
	size_t start, cut, mlen, tail;
	const char *nl;

	if (!t->trimming) {
		size_t h = t->limit / 2;
		const char *last = NULL, *q;

		for (q = t->p; q < t->p + h && (q = memchr(q, '\n', h - (size_t)(q - t->p)));
		     q++)
			last = q;
		if (last)
			h = (size_t)(last - t->p) + 1;
		else
			while (h > 0 && is_cont((unsigned char)t->p[h]))
				h--;
		t->head = h;
		t->marker = 0;
		t->trimming = 1;
	}
	start = t->head + t->marker;
	tail = t->limit / 4;
	if (t->len - start <= tail)
		return;
	cut = t->len - tail;
	if (cut < t->line) {
		if (t->p[cut - 1] != '\n') {
			nl = memchr(t->p + cut, '\n', t->line - cut);
			cut = nl ? (size_t)(nl - t->p) + 1 : t->line;
		}
	} else {
		while (cut < t->len && is_cont((unsigned char)t->p[cut]))
			cut++;
	}
	if (cut <= start)
		return;

	t->dropped_bytes += cut - start;
	for (nl = t->p + start; (nl = memchr(nl, '\n', cut - (size_t)(nl - t->p))); nl++) {
		t->dropped_lines++;
		t->nl--;
	}
	nbo_group(b, sizeof(b), t->dropped_bytes);
	nbo_group(l, sizeof(l), t->dropped_lines);
	mlen = (size_t)snprintf(marker, sizeof(marker),
				"%s\xe2\x80\xa6 [bobbin: %s bytes / %s lines dropped] \xe2\x80\xa6\n",
				t->head > 0 && t->p[t->head - 1] != '\n' ? "\n" : "", b, l);
	/* The marker grows by at most a few digits; cut - head is at least as large as it was. */
	if (reserve(t, t->head + mlen + (t->len - cut)) < 0)
		return;
	for (nl = t->p + t->head; (nl = memchr(nl, '\n', start - (size_t)(nl - t->p))); nl++)
		t->nl--; /* the old marker's */
	for (nl = marker; (nl = memchr(nl, '\n', mlen - (size_t)(nl - marker))); nl++)
		t->nl++;
	memmove(t->p + t->head + mlen, t->p + cut, t->len - cut);
	memcpy(t->p + t->head, marker, mlen);
	t->cursor = t->cursor >= cut ? t->cursor - cut + t->head + mlen : t->head + mlen;
	t->line = t->line >= cut ? t->line - cut + t->head + mlen : t->head + mlen;
	t->len = t->head + mlen + (t->len - cut);
	t->marker = mlen;
}

int nbo_text_append(struct nbo_text *t, const char *s, size_t n)
{
	size_t i = 0, j;

	/* Overwriting a code point with a longer one grows the text by less than the new bytes. */
	if (reserve(t, t->len + n + 1) < 0)
		return -1;
	while (i < n) {
		switch (s[i]) {
		case '\n':
			t->p[t->len++] = '\n';
			t->nl++;
			t->cursor = t->line = t->len;
			i++;
			break;
		case '\r':
			t->cursor = t->line;
			i++;
			break;
		case '\b':
			backspace(t);
			i++;
			break;
		default:
			for (j = i; j < n && s[j] != '\n' && s[j] != '\r' && s[j] != '\b'; j++)
				;
			put_run(t, s + i, j - i);
			i = j;
		}
	}
	if (t->limit && nbo_text_kept(t) > t->limit)
		trim(t);
	return 0;
}
