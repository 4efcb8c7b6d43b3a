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
	assert_true(now() - t0 < 30.0); /* a guard against quadratic time, not a timing */
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

/* ---- floods through the whole model ---- */

static json_t *stream_content(const char *text)
{
	return json_pack("{s:s, s:s}", "name", "stdout", "text", text);
}

/* Sends a stream message (stdout) parented to parent with agent metadata md (may be NULL). */
static void send_stream(struct nb_out *m, const char *parent, const char *text, json_t *md)
{
	json_t *c = stream_content(text);

	assert_int_equal(nb_out_iopub(m, "stream", parent, c, md), 1);
	json_decref(c);
}

static void model_flood_one_stream(void **state)
{
	struct nb_doc *doc = nb_doc_new();
	struct nb_out *m = nb_out_new(doc);
	const char *id = nb_cell_id(nb_doc_cell(doc, 0));
	double t0 = now();
	size_t total = 0;
	char line[32];
	json_t *outs;
	int i;

	assert_int_equal(nb_out_request(m, "e1", id, NB_REQ_EXECUTE), 0);
	for (i = 0; i < 100000; i++) {
		json_t *c;

		total += (size_t)snprintf(line, sizeof(line), "%d\n", i);
		c = stream_content(line);
		assert_int_equal(nb_out_iopub(m, "stream", "e1", c, NULL), 1);
		json_decref(c);
	}
	assert_int_equal(nb_out_sync(m), 1);
	outs = nb_cell_outputs(nb_doc_cell(doc, 0));
	assert_int_equal(json_array_size(outs), 1);
	assert_int_equal(json_string_length(json_object_get(json_array_get(outs, 0), "text")),
			 total);
	assert_true(now() - t0 < 30.0); /* a guard against quadratic time, not a timing */
	nb_out_free(m);
	nb_doc_free(doc);
}

/* A request whose idle the kernel dropped: nb_out_lost() ends it (the cell is no longer busy) and
 * leaves one stderr line after the output that did arrive; unknown ids are refused. */
static void model_lost_idle(void **state)
{
	struct nb_doc *doc = nb_doc_new();
	struct nb_out *m = nb_out_new(doc);
	const char *id = nb_cell_id(nb_doc_cell(doc, 0));
	json_t *c = stream_content("0\n1\n"), *reply = json_pack("{s:s, s:i}", "status", "ok",
								     "execution_count", 3);
	json_t *outs, *last;

	assert_int_equal(nb_out_request(m, "e1", id, NB_REQ_EXECUTE), 0);
	assert_int_equal(nb_out_iopub(m, "stream", "e1", c, NULL), 1);
	assert_int_equal(nb_out_reply(m, "e1", "execute_reply", reply), 0);
	assert_int_equal(nb_out_cell_busy(m, id), 1);
	assert_int_equal(nb_out_lost(m, "e1"), 1);
	assert_int_equal(nb_out_cell_busy(m, id), 0);
	assert_int_equal(nb_out_request_done(m, "e1"), 1);
	assert_int_equal(nb_out_lost(m, "nope"), -1);
	nb_out_sync(m);
	outs = nb_cell_outputs(nb_doc_cell(doc, 0));
	assert_int_equal(json_array_size(outs), 2);
	last = json_array_get(outs, 1);
	assert_string_equal(json_string_value(json_object_get(last, "name")), "stderr");
	assert_string_equal(json_string_value(json_object_get(last, "text")), NB_OUT_LOST_TEXT);
	assert_false(nb_out_prov(m, id, 1)->flags & NB_PROV_LATE);
	json_decref(c);
	json_decref(reply);
	nb_out_free(m);
	nb_doc_free(doc);
}

/* The kept newline count (what a running cell's tail is laid out from) always equals the
 * newlines really in the buffer, through "\r", "\b", UTF-8 and trimming with its marker. */
static size_t count_nl(const struct nbo_text *t)
{
	size_t n = 0;

	for (size_t i = 0; i < t->len; i++)
		n += t->p[i] == '\n';
	return n;
}

static void text_newline_count(void **state)
{
	static const char *const pieces[] = {"a", "bc\n", "\r", "\b", "\xc3\xa9", "x\ry\n",
					     "\n\n", "long line without end ", "\b\b\b", "z"};
	unsigned seed = 12345;

	(void)state;
	for (size_t limit = 0; limit <= 400; limit += 100) {
		struct nbo_text t;

		nbo_text_init(&t, limit);
		for (int i = 0; i < 20000; i++) {
			seed = seed * 1103515245u + 12345u;
			feed(&t, pieces[(seed >> 16) % (sizeof pieces / sizeof *pieces)]);
			if (i % 97 == 0)
				assert_int_equal(t.nl, count_nl(&t));
		}
		assert_int_equal(t.nl, count_nl(&t));
		if (limit)
			assert_true(t.dropped_lines > 0); /* trimming really happened */
		nbo_text_clear(&t);
	}
}

/* A lazy sync leaves a growing stream's text in its buffer, where nb_out_live() shows it; a
 * full sync writes it into the cell; a closed stream is no longer live. */
static void model_lazy_sync_live(void **state)
{
	struct nb_doc *doc = nb_doc_new();
	struct nb_out *m = nb_out_new(doc);
	const char *id = nb_cell_id(nb_doc_cell(doc, 0));
	const json_t *out;
	const char *text;
	size_t len, lines;
	json_t *c, *o;

	(void)state;
	assert_int_equal(nb_out_request(m, "e1", id, NB_REQ_EXECUTE), 0);
	assert_int_equal(nb_out_live(m, id, &out, &text, &len, &lines), 0);
	c = stream_content("one\ntwo\nthr");
	assert_int_equal(nb_out_iopub(m, "stream", "e1", c, NULL), 1);
	json_decref(c);
	assert_int_equal(nb_out_sync_lazy(m), 1);
	o = json_array_get(nb_cell_outputs(nb_doc_cell(doc, 0)), 0);
	assert_string_equal(json_string_value(json_object_get(o, "text")), ""); /* not yet */
	assert_int_equal(nb_out_live(m, id, &out, &text, &len, &lines), 1);
	assert_ptr_equal(out, o);
	assert_int_equal(len, 11);
	assert_memory_equal(text, "one\ntwo\nthr", 11);
	assert_int_equal(lines, 3);
	c = stream_content("ee\n");
	assert_int_equal(nb_out_iopub(m, "stream", "e1", c, NULL), 1);
	json_decref(c);
	nb_out_sync_lazy(m);
	assert_int_equal(nb_out_live(m, id, &out, &text, &len, &lines), 1);
	assert_int_equal(lines, 3);
	assert_int_equal(nb_out_sync(m), 0); /* nothing changed since, yet the text is written */
	assert_string_equal(json_string_value(json_object_get(o, "text")), "one\ntwo\nthree\n");
	c = json_pack("{s:{s:s}, s:{}}", "data", "text/plain", "42", "metadata");
	assert_int_equal(nb_out_iopub(m, "display_data", "e1", c, NULL), 1);
	json_decref(c);
	nb_out_sync_lazy(m);
	assert_int_equal(nb_out_live(m, id, &out, &text, &len, &lines), 0);
	nb_out_free(m);
	nb_doc_free(doc);
}

static void model_flood_interleaved(void **state)
{
	struct nb_doc *doc = nb_doc_new();
	struct nb_out *m = nb_out_new(doc);
	const char *id = nb_cell_id(nb_doc_cell(doc, 0));
	json_t *md[2], *c[2], *outs;
	double t0 = now();
	const char *text;
	int i;

	/* Two threads printing in turn, one on stdout, one on stderr: the stream name alternates, so
	 * every chunk is its own output (as in JupyterLab). With a limit of 10,000 bytes the cell
	 * stays bounded and the work linear. */
	nb_out_set_limit(m, 10000);
	md[0] = json_pack("{s:{s:{s:s,s:I}}}", "bobbin", "thread", "name", "A", "ident", 1);
	md[1] = json_pack("{s:{s:{s:s,s:I}}}", "bobbin", "thread", "name", "B", "ident", 2);
	c[0] = stream_content("0123456789\n");
	c[1] = json_pack("{s:s, s:s}", "name", "stderr", "text", "0123456789\n");
	assert_int_equal(nb_out_request(m, "e1", id, NB_REQ_EXECUTE), 0);
	for (i = 0; i < 100000; i++)
		assert_int_equal(nb_out_iopub(m, "stream", "e1", c[i & 1], md[i & 1]), 1);
	nb_out_sync(m);
	outs = nb_cell_outputs(nb_doc_cell(doc, 0));
	/* at most 10,000 bytes at 64 + 11 per output */
	assert_true(json_array_size(outs) <= 10000 / 75 + 2);
	assert_true(json_array_size(outs) > 10);
	/* the first output stays, a marker follows the head, the last chunk is last */
	assert_string_equal(json_string_value(json_object_get(json_array_get(outs, 0), "text")),
			    "0123456789\n");
	assert_int_equal(nb_out_prov(m, id, 0)->thread_ident, 1);
	text = json_string_value(
		json_object_get(json_array_get(outs, json_array_size(outs) - 1), "text"));
	assert_string_equal(text, "0123456789\n");
	assert_int_equal(nb_out_prov(m, id, json_array_size(outs) - 1)->thread_ident, 2);
	{
		size_t k, markers = 0, n = json_array_size(outs);
		unsigned long long dropped = 0;

		for (k = 0; k < n; k++) {
			char num[32], *d = num;
			const char *q;

			text = json_string_value(json_object_get(json_array_get(outs, k), "text"));
			if (!strstr(text, "[bobbin: "))
				continue;
			markers++;
			/* "… [bobbin: B bytes / L lines / O outputs dropped] …": read O */
			q = strstr(text, " lines / ");
			assert_non_null(q);
			for (q += 9; *q && *q != ' ' && d < num + sizeof(num) - 1; q++)
				if (*q != ',')
					*d++ = *q;
			*d = '\0';
			dropped = strtoull(num, NULL, 10);
			assert_non_null(strstr(text, " outputs dropped] "));
		}
		assert_int_equal(markers, 1);
		/* every message is accounted for: kept outputs (not the marker) + dropped ones */
		assert_int_equal(n - 1 + dropped, 100000);
	}
	assert_true(now() - t0 < 30.0); /* a guard against quadratic time, not a timing */
	json_decref(c[0]);
	json_decref(c[1]);
	json_decref(md[0]);
	json_decref(md[1]);
	nb_out_free(m);
	nb_doc_free(doc);
}

/* Chunks of one stream from different threads and requests continue one output, as in
 * JupyterLab: a progress bar a thread finishes after its cell's idle ends in its last state, and
 * every distinct provenance is kept as a part of the output (issue 10, defect 3). Past 16 distinct
 * ones a new output starts, so a cell's provenance stays bounded. */
static void model_stream_parts(void **state)
{
	struct nb_doc *doc = nb_doc_new();
	struct nb_out *m = nb_out_new(doc);
	const char *id = nb_cell_id(nb_doc_cell(doc, 0));
	json_t *md, *st, *outs, *attr;
	const struct nb_prov *p;
	char text[64];
	int i;

	assert_int_equal(nb_out_request(m, "e1", id, NB_REQ_EXECUTE), 0);
	st = json_pack("{s:s}", "execution_state", "busy");
	assert_int_equal(nb_out_iopub(m, "status", "e1", st, NULL), 0);
	json_decref(st);
	md = json_pack("{s:{s:{s:s,s:I},s:s}}", "bobbin", "thread", "name", "dl", "ident", 7,
		       "origin_kind", "thread");
	for (i = 1; i <= 30; i++) {
		snprintf(text, sizeof(text), "\rdownloading %d/30%s", i, i == 30 ? " done\n" : "");
		send_stream(m, "e1", text, i % 3 ? md : NULL);
		if (i == 4) { /* the cell finishes; the thread goes on */
			st = json_pack("{s:s}", "execution_state", "idle");
			assert_int_equal(nb_out_iopub(m, "status", "e1", st, NULL), 0);
			json_decref(st);
		}
	}
	nb_out_sync(m);
	outs = nb_cell_outputs(nb_doc_cell(doc, 0));
	assert_int_equal(json_array_size(outs), 1);
	assert_string_equal(json_string_value(json_object_get(json_array_get(outs, 0), "text")),
			    "downloading 30/30 done\n");
	/* own: thread; parts: main-thread chunk before idle, then late ones with and without md */
	p = nb_out_prov(m, id, 0);
	assert_int_equal(p->flags, NB_PROV_THREAD);
	assert_int_equal(nb_out_prov_part(m, id, 0, 0)->flags, 0);
	assert_int_equal(nb_out_prov_part(m, id, 0, 1)->flags, NB_PROV_THREAD | NB_PROV_LATE);
	assert_int_equal(nb_out_prov_part(m, id, 0, 2)->flags, NB_PROV_LATE);
	assert_null(nb_out_prov_part(m, id, 0, 3));
	assert_int_equal(nb_out_last_prov(m, id)->flags, NB_PROV_LATE); /* i = 30: no metadata */
	attr = json_object_get(json_object_get(nb_cell_metadata(nb_doc_cell(doc, 0)), "bobbin"),
			       "attribution");
	/* the own provenance (a thread) and the two late parts; the trivial part is not saved */
	assert_int_equal(json_array_size(attr), 3);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(attr, 1), "part")), 2);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(attr, 2), "part")), 3);
	json_decref(md);

	/* 20 threads in turn: 17 provenances fill the first output, the 18th starts another */
	assert_int_equal(nb_out_request(m, "e2", id, NB_REQ_EXECUTE), 0);
	for (i = 0; i < 20; i++) {
		md = json_pack("{s:{s:{s:s,s:I}}}", "bobbin", "thread", "name", "T", "ident", i);
		send_stream(m, "e2", "x", md);
		json_decref(md);
	}
	nb_out_sync(m);
	outs = nb_cell_outputs(nb_doc_cell(doc, 0));
	assert_int_equal(json_array_size(outs), 2);
	assert_string_equal(json_string_value(json_object_get(json_array_get(outs, 0), "text")),
			    "xxxxxxxxxxxxxxxxx");
	assert_non_null(nb_out_prov_part(m, id, 0, 15));
	assert_null(nb_out_prov_part(m, id, 0, 16));
	assert_int_equal(nb_out_prov(m, id, 1)->thread_ident, 17);
	assert_int_equal(nb_out_prov_part(m, id, 1, 1)->thread_ident, 19);
	nb_out_free(m);
	nb_doc_free(doc);
}

/* ---- recorded message sequences ---- */

/*
 * Each tests/data/messages/NAME.jsonl is one scenario, one JSON object per line ("//" lines are
 * comments): a message as received ({"channel": "iopub"|"shell", "header": {"msg_type", …},
 * "parent_header": {"msg_id"}, "metadata", "content"}), a front-end action ("send", "stdin",
 * "clear_cell", "delete", "limit", "save_attribution", "place_foreign", "stray_cell", "reload",
 * "notebook"), or a "check" of the expected state, written by hand ("stray" checks the cell for
 * output with no cell, which must be the last one). The default notebook has code cells c1, c2,
 * c3.
 */
#define DEFAULT_NB                                                                                 \
	"{\"cells\": ["                                                                            \
	"{\"cell_type\": \"code\", \"execution_count\": null, \"id\": \"c1\", \"metadata\": {},"   \
	" \"outputs\": [], \"source\": \"\"},"                                                     \
	"{\"cell_type\": \"code\", \"execution_count\": null, \"id\": \"c2\", \"metadata\": {},"   \
	" \"outputs\": [], \"source\": \"\"},"                                                     \
	"{\"cell_type\": \"code\", \"execution_count\": null, \"id\": \"c3\", \"metadata\": {},"   \
	" \"outputs\": [], \"source\": \"\"}],"                                                    \
	" \"metadata\": {}, \"nbformat\": 4, \"nbformat_minor\": 5}"

struct replay {
	const char *file;
	int line;
	struct nb_doc *doc;
	struct nb_out *m;
	int notified;
};

static void on_notify(void *ud, const char *cell_id)
{
	((struct replay *)ud)->notified++;
}

static void open_doc(struct replay *r, const char *text, size_t len)
{
	struct nb_error err;

	nb_out_free(r->m);
	nb_doc_free(r->doc);
	r->doc = nb_doc_load_buffer(text, len, r->file, &err);
	if (!r->doc)
		fail_msg("%s:%d: notebook does not load: %s", r->file, r->line, err.text);
	r->m = nb_out_new(r->doc);
	assert_non_null(r->m);
	nb_out_set_notify(r->m, on_notify, r);
}

static enum nb_req_kind kind_of(const char *s)
{
	static const struct {
		const char *name;
		enum nb_req_kind kind;
	} kinds[] = {
		{ "execute", NB_REQ_EXECUTE }, { "silent", NB_REQ_SILENT },
		{ "complete", NB_REQ_COMPLETE }, { "inspect", NB_REQ_INSPECT },
		{ "kernel_info", NB_REQ_KERNEL_INFO }, { "comm", NB_REQ_COMM },
	};
	size_t i;

	for (i = 0; s && i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (!strcmp(s, kinds[i].name))
			return kinds[i].kind;
	return NB_REQ_OTHER;
}

static unsigned flags_of(struct replay *r, const json_t *names)
{
	static const struct {
		const char *name;
		unsigned flag;
	} f[] = {
		{ "late", NB_PROV_LATE },       { "cross_cell", NB_PROV_CROSS_CELL },
		{ "stray", NB_PROV_STRAY },     { "foreign", NB_PROV_FOREIGN },
		{ "orphan", NB_PROV_ORPHAN },   { "thread", NB_PROV_THREAD },
		{ "loaded", NB_PROV_LOADED },   { "stdin", NB_PROV_STDIN },
	};
	unsigned flags = 0;
	const json_t *v;
	size_t i, j;

	json_array_foreach(names, i, v) {
		for (j = 0; j < sizeof(f) / sizeof(f[0]); j++)
			if (!strcmp(json_string_value(v), f[j].name))
				break;
		if (j == sizeof(f) / sizeof(f[0]))
			fail_msg("%s:%d: unknown flag %s", r->file, r->line, json_string_value(v));
		flags |= f[j].flag;
	}
	return flags;
}

static void expect_json(struct replay *r, const char *what, const json_t *got, const json_t *want)
{
	char *g, *w;

	if (json_equal(got, want))
		return;
	g = json_dumps(got, JSON_SORT_KEYS | JSON_ENCODE_ANY);
	w = json_dumps(want, JSON_SORT_KEYS | JSON_ENCODE_ANY);
	fail_msg("%s:%d: %s\n   got  %s\n   want %s", r->file, r->line, what, g ? g : "(null)",
		 w ? w : "(null)");
}

static void expect_str(struct replay *r, const char *what, const char *got, const json_t *want)
{
	if (!want)
		return;
	if (json_is_null(want) ? got == NULL : got && !strcmp(got, json_string_value(want)))
		return;
	fail_msg("%s:%d: %s: got %s, want %s", r->file, r->line, what, got ? got : "NULL",
		 json_is_null(want) ? "null" : json_string_value(want));
}

static void check_prov(struct replay *r, const char *cell_id, const json_t *want)
{
	const json_t *w;
	size_t i;
	char what[96];

	json_array_foreach(want, i, w) {
		size_t idx = (size_t)json_integer_value(json_object_get(w, "index"));
		/* "part": k (from 1) checks the k-th other provenance merged into the output */
		json_int_t part = json_integer_value(json_object_get(w, "part"));
		const struct nb_prov *p = part > 0 ? nb_out_prov_part(r->m, cell_id, idx,
								      (size_t)part - 1)
						   : nb_out_prov(r->m, cell_id, idx);
		const json_t *v;

		snprintf(what, sizeof(what), "prov %s[%zu] part %d", cell_id, idx, (int)part);
		if (!p)
			fail_msg("%s:%d: %s missing", r->file, r->line, what);
		if (p->flags != flags_of(r, json_object_get(w, "flags")))
			fail_msg("%s:%d: %s flags 0x%x, want 0x%x", r->file, r->line, what, p->flags,
				 flags_of(r, json_object_get(w, "flags")));
		expect_str(r, what, p->msg_id, json_object_get(w, "msg_id"));
		expect_str(r, what, p->parent_cell, json_object_get(w, "parent_cell"));
		expect_str(r, what, p->origin_cell, json_object_get(w, "origin"));
		expect_str(r, what, p->origin_msg_id, json_object_get(w, "origin_msg_id"));
		expect_str(r, what, p->origin_kind, json_object_get(w, "origin_kind"));
		expect_str(r, what, p->policy, json_object_get(w, "policy"));
		expect_str(r, what, p->thread_name, json_object_get(w, "thread_name"));
		if ((v = json_object_get(w, "thread_ident")) &&
		    p->thread_ident != json_integer_value(v))
			fail_msg("%s:%d: %s thread_ident %lld", r->file, r->line, what,
				 p->thread_ident);
	}
}

static int is_stray(struct replay *r, const char *id)
{
	struct nb_cell *cell = nb_doc_find(r->doc, id);

	return cell && json_is_true(json_object_get(
			       json_object_get(nb_cell_metadata(cell), "bobbin"), "stray_outputs"));
}

static void check(struct replay *r, const json_t *c)
{
	const char *key;
	const json_t *v;

	if (!json_is_true(json_object_get(c, "nosync")))
		nb_out_sync(r->m);
	json_object_foreach((json_t *)c, key, v) {
		struct nb_cell *cell;
		const json_t *w;
		const char *id;

		if (!strcmp(key, "nosync"))
			continue;
		if (!strcmp(key, "unplaced")) {
			expect_json(r, "unplaced", nb_out_unplaced(r->m), v);
			continue;
		}
		if (!strcmp(key, "misrouted")) {
			const struct nb_misrouted *list;
			size_t n = nb_out_misrouted(r->m, &list), i;
			json_t *got = json_array();

			/* the stray-output cell's generated id reads "stray" */
			for (i = 0; i < n; i++)
				json_array_append_new(
					got, json_pack("[s,I]",
						       is_stray(r, list[i].cell_id) ? "stray"
										    : list[i].cell_id,
						       (json_int_t)list[i].index));
			expect_json(r, "misrouted", got, v);
			json_decref(got);
			continue;
		}
		if (!strcmp(key, "busy") || !strcmp(key, "done")) {
			const char *k;
			const json_t *b;

			json_object_foreach((json_t *)v, k, b) {
				int got = *key == 'b' ? nb_out_cell_busy(r->m, k)
						      : nb_out_request_done(r->m, k);
				if (got != json_integer_value(b))
					fail_msg("%s:%d: %s %s = %d", r->file, r->line, key, k, got);
			}
			continue;
		}
		if (!strcmp(key, "notified")) {
			if (r->notified != json_integer_value(v))
				fail_msg("%s:%d: notified %d times", r->file, r->line, r->notified);
			r->notified = 0;
			continue;
		}
		if (!strcmp(key, "stray")) {
			/* the cell for output with no cell to land in: the last one, marked */
			size_t n = nb_doc_ncells(r->doc);

			cell = n ? nb_doc_cell(r->doc, n - 1) : NULL;
			if (!cell || !is_stray(r, nb_cell_id(cell)))
				fail_msg("%s:%d: no stray-output cell at the end", r->file, r->line);
		} else if (!(cell = nb_doc_find(r->doc, key))) {
			fail_msg("%s:%d: no cell %s", r->file, r->line, key);
		}
		id = nb_cell_id(cell);
		if ((w = json_object_get(v, "outputs")))
			expect_json(r, "outputs", nb_cell_outputs(cell), w);
		if ((w = json_object_get(v, "metadata")))
			expect_json(r, "metadata", nb_cell_metadata(cell), w);
		if ((w = json_object_get(v, "execution_count"))) {
			long want = json_is_integer(w) ? (long)json_integer_value(w) : -1;

			if (nb_cell_execution_count(cell) != want)
				fail_msg("%s:%d: %s execution_count %ld, want %ld", r->file,
					 r->line, id, nb_cell_execution_count(cell), want);
		}
		if ((w = json_object_get(v, "prov")))
			check_prov(r, id, w);
	}
}

static void step(struct replay *r, json_t *j)
{
	const json_t *v;
	const char *chan = json_string_value(json_object_get(j, "channel"));

	if (chan) {
		const char *type = json_string_value(
			json_object_get(json_object_get(j, "header"), "msg_type"));
		const char *parent = json_string_value(
			json_object_get(json_object_get(j, "parent_header"), "msg_id"));
		const json_t *content = json_object_get(j, "content");

		if (!strcmp(chan, "iopub"))
			assert_int_not_equal(nb_out_iopub(r->m, type, parent, content,
							  json_object_get(j, "metadata")),
					     -1);
		else
			nb_out_reply(r->m, parent, type, content);
	} else if ((v = json_object_get(j, "send"))) {
		assert_int_equal(nb_out_request(r->m, json_string_value(json_object_get(v, "msg_id")),
						json_string_value(json_object_get(v, "cell")),
						kind_of(json_string_value(json_object_get(v, "kind")))),
				 0);
	} else if ((v = json_object_get(j, "stdin"))) {
		assert_int_equal(nb_out_stdin(r->m, json_string_value(json_object_get(v, "parent")),
					      json_string_value(json_object_get(v, "prompt")),
					      json_string_value(json_object_get(v, "value")),
					      json_is_true(json_object_get(v, "password"))),
				 1);
	} else if ((v = json_object_get(j, "clear_cell"))) {
		assert_int_equal(nb_out_clear_cell(r->m, json_string_value(v)), 0);
	} else if ((v = json_object_get(j, "delete"))) {
		struct nb_cell *cell = nb_doc_find(r->doc, json_string_value(v));

		assert_non_null(cell);
		nb_cell_free(nb_doc_take(r->doc, (size_t)nb_doc_index(r->doc, cell)));
	} else if ((v = json_object_get(j, "limit"))) {
		nb_out_set_limit(r->m, (size_t)json_integer_value(v));
	} else if ((v = json_object_get(j, "save_attribution"))) {
		nb_out_set_save_attribution(r->m, json_is_true(v));
	} else if ((v = json_object_get(j, "stray_cell"))) {
		nb_out_set_stray_cell(r->m, json_is_true(v));
	} else if ((v = json_object_get(j, "place_foreign"))) {
		nb_out_set_place_foreign(r->m, json_is_true(v));
	} else if ((v = json_object_get(j, "notebook"))) {
		char *text = json_dumps(v, JSON_SORT_KEYS);

		open_doc(r, text, strlen(text));
		free(text);
	} else if (json_object_get(j, "reload")) {
		size_t len;
		char *text;

		nb_out_sync(r->m);
		text = nb_doc_serialize(r->doc, &len);
		assert_non_null(text);
		open_doc(r, text, len);
		free(text);
	} else if ((v = json_object_get(j, "check"))) {
		check(r, v);
	} else {
		fail_msg("%s:%d: unknown step", r->file, r->line);
	}
}

static void replay(void **state)
{
	struct replay r = { .file = *state };
	char path[512], *line = NULL;
	size_t cap = 0;
	json_error_t err;
	FILE *f;
	int checks = 0;

	snprintf(path, sizeof(path), "tests/data/messages/%s.jsonl", r.file);
	f = fopen(path, "r");
	if (!f)
		fail_msg("cannot open %s (run from the repository root)", path);
	open_doc(&r, DEFAULT_NB, strlen(DEFAULT_NB));
	while (getline(&line, &cap, f) > 0) {
		json_t *j;

		r.line++;
		if (line[strspn(line, " \t\r\n")] == '\0' || !strncmp(line, "//", 2))
			continue;
		j = json_loads(line, 0, &err);
		if (!j)
			fail_msg("%s:%d: %s", path, r.line, err.text);
		checks += json_object_get(j, "check") != NULL;
		step(&r, j);
		json_decref(j);
	}
	free(line);
	fclose(f);
	assert_true(checks > 0);
	nb_out_free(r.m);
	nb_doc_free(r.doc);
}

#define SEQ(name) { "seq_" name, replay, NULL, NULL, (void *)name }

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
		cmocka_unit_test(text_newline_count),
		cmocka_unit_test(model_lazy_sync_live),
		cmocka_unit_test(table_requests),
		cmocka_unit_test(model_flood_one_stream),
		cmocka_unit_test(model_flood_interleaved),
		cmocka_unit_test(model_stream_parts),
		cmocka_unit_test(model_lost_idle),
		SEQ("basic_execute"),
		SEQ("late_and_cross"),
		SEQ("stray"),
		SEQ("display_update"),
		SEQ("clear_wait"),
		SEQ("progress"),
		SEQ("flood"),
		SEQ("attribution"),
		SEQ("stdin"),
		SEQ("errors_counts"),
		SEQ("foreign"),
		SEQ("orphan"),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
