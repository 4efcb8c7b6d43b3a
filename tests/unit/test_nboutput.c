// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * Unit tests of the output model (notebook/nb_output*.c): stream text processing with
 * JupyterLab's cursor semantics and the flood limit, the request table, and recorded iopub message
 * sequences from tests/data/messages/ replayed into a document. Expected values are written by
 * hand from the semantics in research/protocol.md §4.5 and docs/attribution.md.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "notebook/nb_output_private.h"

/* ---- stream text ---- */

static void feed(struct nbo_text *t, const char *s)
{
	assert_int_equal(nbo_text_append(t, s, strlen(s)), 0);
}

static void expect_text(const struct nbo_text *t, const char *want)
{
	assert_int_equal(t->len, strlen(want));
	assert_memory_equal(t->p, want, t->len);
}

static void text_plain_chunks(void **state)
{
	struct nbo_text t;

	nbo_text_init(&t, 0);
	feed(&t, "hel");
	feed(&t, "lo\nwor");
	feed(&t, "ld\n");
	expect_text(&t, "hello\nworld\n");
	assert_int_equal(t.cursor, 12);
	nbo_text_clear(&t);
}

static void text_cr_keeps_tail(void **state)
{
	struct nbo_text t;

	nbo_text_init(&t, 0);
	feed(&t, "abcdef\rXY");
	expect_text(&t, "XYcdef");
	assert_int_equal(t.cursor, 2);
	/* "\n" appends at the end, not at the cursor */
	feed(&t, "\nZ");
	expect_text(&t, "XYcdef\nZ");
	nbo_text_clear(&t);

	nbo_text_init(&t, 0);
	feed(&t, "progress 100%\rdone\n");
	expect_text(&t, "doneress 100%\n");
	nbo_text_clear(&t);
}

static void text_cr_across_messages(void **state)
{
	struct nbo_text t;

	nbo_text_init(&t, 0);
	feed(&t, "10%\r");
	feed(&t, "20%\r");
	feed(&t, "100%");
	feed(&t, "\n");
	expect_text(&t, "100%\n");
	/* a \r in one message, the rewrite in the next, on a second line */
	feed(&t, " 5/10");
	feed(&t, "\r");
	feed(&t, "10/10\n");
	expect_text(&t, "100%\n10/10\n");
	nbo_text_clear(&t);
}

static void text_crlf_is_newline(void **state)
{
	struct nbo_text t;

	nbo_text_init(&t, 0);
	feed(&t, "a\r\nb\r\n");
	expect_text(&t, "a\nb\n");
	feed(&t, "line\r");
	feed(&t, "\n");
	expect_text(&t, "a\nb\nline\n");
	nbo_text_clear(&t);
}

static void text_backspace(void **state)
{
	struct nbo_text t;

	nbo_text_init(&t, 0);
	feed(&t, "abc\bd");
	expect_text(&t, "abd");
	feed(&t, "\n\bx"); /* never deletes a newline */
	expect_text(&t, "abd\nx");
	feed(&t, "yz\b\b");
	expect_text(&t, "abd\nx");
	feed(&t, "\b\b\b"); /* stops at the line start */
	expect_text(&t, "abd\n");
	nbo_text_clear(&t);

	/* \b after \r deletes the character before the cursor and pulls the tail left */
	nbo_text_init(&t, 0);
	feed(&t, "abcdef\rXY\b");
	expect_text(&t, "Xcdef");
	assert_int_equal(t.cursor, 1);
	feed(&t, "Q");
	expect_text(&t, "XQdef");
	nbo_text_clear(&t);

	/* spinner: one message per frame */
	nbo_text_init(&t, 0);
	feed(&t, "working |");
	feed(&t, "\b/");
	feed(&t, "\b-");
	feed(&t, "\b\\");
	feed(&t, "\bdone\n");
	expect_text(&t, "working done\n");
	nbo_text_clear(&t);
}

static void text_utf8(void **state)
{
	struct nbo_text t;

	nbo_text_init(&t, 0);
	feed(&t, "h\xc3\xa9llo\rab"); /* héllo, then "ab" over "hé" */
	expect_text(&t, "abllo");
	feed(&t, "\r\xe2\x82\xac"); /* € over "a" */
	expect_text(&t, "\xe2\x82\xac" "bllo");
	feed(&t, "\b"); /* deletes the whole € */
	expect_text(&t, "bllo");
	assert_int_equal(t.cursor, 0);
	nbo_text_clear(&t);
}

/* Lines of exactly 10 bytes: "line 0007\n". */
static void feed_lines(struct nbo_text *t, int from, int to)
{
	char line[32];
	int i;

	for (i = from; i < to; i++) {
		snprintf(line, sizeof(line), "line %04d\n", i);
		feed(t, line);
	}
}

#define ELL "\xe2\x80\xa6"

static void text_limit_head_tail(void **state)
{
	struct nbo_text t;

	/* limit 100: head = first 50 bytes (5 lines), tail = last 25 bytes moved to a line
	 * start. The 11th line makes 110 > 100: lines 5..8 (40 bytes, 4 lines) go. */
	nbo_text_init(&t, 100);
	feed_lines(&t, 0, 10);
	expect_text(&t, "line 0000\nline 0001\nline 0002\nline 0003\nline 0004\n"
			"line 0005\nline 0006\nline 0007\nline 0008\nline 0009\n");
	feed_lines(&t, 10, 11);
	expect_text(&t, "line 0000\nline 0001\nline 0002\nline 0003\nline 0004\n"
			ELL " [bobbin: 40 bytes / 4 lines dropped] " ELL "\n"
			"line 0009\nline 0010\n");
	/* kept 70; lines 11..13 make 100 (no trim), line 14 makes 110: lines 9..12 go. */
	feed_lines(&t, 11, 14);
	assert_int_equal(nbo_text_kept(&t), 100);
	feed_lines(&t, 14, 15);
	expect_text(&t, "line 0000\nline 0001\nline 0002\nline 0003\nline 0004\n"
			ELL " [bobbin: 80 bytes / 8 lines dropped] " ELL "\n"
			"line 0013\nline 0014\n");
	/* a progress bar in the tail still works after trimming */
	feed(&t, "50%\r");
	feed(&t, "99%\r100%\n");
	expect_text(&t, "line 0000\nline 0001\nline 0002\nline 0003\nline 0004\n"
			ELL " [bobbin: 80 bytes / 8 lines dropped] " ELL "\n"
			"line 0013\nline 0014\n100%\n");
	nbo_text_clear(&t);
}

static void text_limit_no_newlines(void **state)
{
	struct nbo_text t;
	char buf[41];

	/* 40 bytes per chunk, no newline at all, limit 100: at 120 bytes the head is cut at 50,
	 * the tail keeps the last 25 bytes; 45 bytes dropped, 0 lines. */
	nbo_text_init(&t, 100);
	memset(buf, 'a', 40);
	buf[40] = '\0';
	feed(&t, buf);
	feed(&t, buf);
	memset(buf, 'b', 40);
	feed(&t, buf);
	expect_text(&t, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
			"\n" ELL " [bobbin: 45 bytes / 0 lines dropped] " ELL "\n"
			"bbbbbbbbbbbbbbbbbbbbbbbbb");
	nbo_text_clear(&t);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void text_flood_linear(void **state)
{
	struct nbo_text t;
	unsigned long long total = 0, lines = 0;
	double t0 = now();
	char line[32], marker[128];
	int i, n;

	/* 100,000 one-line messages, unlimited: everything kept, in well under a second. */
	nbo_text_init(&t, 0);
	for (i = 0; i < 100000; i++) {
		n = snprintf(line, sizeof(line), "%d\n", i);
		feed(&t, line);
		total += (unsigned)n;
	}
	assert_int_equal(t.len, total);
	assert_memory_equal(t.p + t.len - 6, "99999\n", 6);
	nbo_text_clear(&t);

	/* The same with a limit of 1000: bytes and lines dropped + kept add up to what was sent. */
	nbo_text_init(&t, 1000);
	total = 0;
	for (i = 0; i < 100000; i++) {
		n = snprintf(line, sizeof(line), "%d\n", i);
		feed(&t, line);
		total += (unsigned)n;
		lines++;
	}
	assert_true(nbo_text_kept(&t) <= 1000);
	assert_int_equal(t.dropped_bytes + nbo_text_kept(&t), total);
	{
		unsigned long long kept_lines = 0;
		size_t j;

		for (j = 0; j < t.len; j++)
			kept_lines += t.p[j] == '\n';
		assert_int_equal(t.dropped_lines + kept_lines - 1, lines); /* marker has one */
	}
	/* head: 0..9 (10 two-byte lines), 10..? three-byte lines up to byte 500 */
	assert_memory_equal(t.p, "0\n1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n11\n", 26);
	assert_memory_equal(t.p + t.len - 6, "99999\n", 6);
	snprintf(marker, sizeof(marker), ELL " [bobbin: %s", "");
	assert_non_null(memmem(t.p, t.len, marker, strlen(marker)));
	nbo_text_clear(&t);
	assert_true(now() - t0 < 2.0);
}

/* ---- request table ---- */

static void table_requests(void **state)
{
	struct nbo_map pool = { 0 };
	struct nbo_reqs t = { 0 };
	const char *a = nbo_intern(&pool, "msg-a"), *b = nbo_intern(&pool, "msg-b");
	const char *c1 = nbo_intern(&pool, "cell-1");
	struct nbo_req *r;
	char key[32];
	int i;

	assert_ptr_equal(a, nbo_intern(&pool, "msg-a"));
	assert_ptr_not_equal(a, b);
	r = nbo_reqs_add(&t, a, c1, NB_REQ_EXECUTE);
	assert_non_null(r);
	assert_true(nbo_req_is_cell(r));
	assert_false(nbo_req_done(r));
	r->idle = 1;
	assert_false(nbo_req_done(r));
	r->reply = 1;
	assert_true(nbo_req_done(r));
	r = nbo_reqs_add(&t, b, NULL, NB_REQ_COMPLETE);
	assert_false(nbo_req_is_cell(r));
	assert_false(nbo_req_is_cell(nbo_reqs_add(&t, nbo_intern(&pool, "x"), c1, NB_REQ_SILENT)));
	assert_ptr_equal(nbo_reqs_get(&t, "msg-b"), r);
	assert_null(nbo_reqs_get(&t, "msg-zzz"));
	assert_null(nbo_reqs_get(&t, ""));
	assert_null(nbo_reqs_get(&t, NULL));
	/* growth keeps every entry findable and in order */
	for (i = 0; i < 1000; i++) {
		snprintf(key, sizeof(key), "k%d", i);
		assert_non_null(nbo_reqs_add(&t, nbo_intern(&pool, key), NULL, NB_REQ_OTHER));
	}
	for (i = 0; i < 1000; i++) {
		snprintf(key, sizeof(key), "k%d", i);
		r = nbo_reqs_get(&t, key);
		assert_non_null(r);
		assert_string_equal(r->msg_id, key);
		assert_int_equal(r->seq, 3 + i);
	}
	assert_int_equal(nbo_reqs_get(&t, "msg-a")->seq, 0);
	nbo_reqs_clear(&t);
	nbo_intern_clear(&pool);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(text_plain_chunks),
		cmocka_unit_test(text_cr_keeps_tail),
		cmocka_unit_test(text_cr_across_messages),
		cmocka_unit_test(text_crlf_is_newline),
		cmocka_unit_test(text_backspace),
		cmocka_unit_test(text_utf8),
		cmocka_unit_test(text_limit_head_tail),
		cmocka_unit_test(text_limit_no_newlines),
		cmocka_unit_test(text_flood_linear),
		cmocka_unit_test(table_requests),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
