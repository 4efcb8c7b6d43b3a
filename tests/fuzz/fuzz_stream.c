// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * Fuzz harness for the output model's stream text: random chunks of stdout and stderr full of
 * "\r", "\b" and "\n" (and clear_output, with and without wait) go into a cell one message at a
 * time, and again with the chunks after the last clear joined into one message per stream
 * switch. The outputs must come out the same: the "\r"/"\b" cursor works across chunks, and a
 * clear leaves nothing of what came before. The input's bytes choose: 0xff ends a chunk, 0xfe
 * starts a clear (the next byte's low bit is wait), 0xfd switches stdout/stderr, and every other
 * byte is one of "ab\r\b\n é\t".
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "notebook/nb.h"
#include "notebook/nb_output.h"

static void check(int cond)
{
	if (!cond)
		abort();
}

struct model {
	struct nb_doc *doc;
	struct nb_out *m;
};

static void model_init(struct model *x)
{
	check((x->doc = nb_doc_new()) != NULL);
	check((x->m = nb_out_new(x->doc)) != NULL);
	nb_out_set_limit(x->m, 0);
	nb_out_request(x->m, "req", nb_cell_id(nb_doc_cell(x->doc, 0)), NB_REQ_EXECUTE);
}

static void stream(struct model *x, int err, const char *text, size_t n)
{
	json_t *c;

	if (!n)
		return;
	c = json_pack("{s:s, s:s%}", "name", err ? "stderr" : "stdout", "text", text, n);
	check(c != NULL);
	nb_out_iopub(x->m, "stream", "req", c, NULL);
	json_decref(c);
}

static void clear(struct model *x, int wait)
{
	json_t *c = json_pack("{s:b}", "wait", wait);

	nb_out_iopub(x->m, "clear_output", "req", c, NULL);
	json_decref(c);
}

static char *outputs(struct model *x)
{
	nb_out_sync(x->m);
	return json_dumps(nb_cell_outputs(nb_doc_cell(x->doc, 0)), JSON_COMPACT);
}

/* Appends the text byte b stands for. */
static size_t put(char *buf, size_t k, uint8_t b)
{
	static const char *const alpha[] = {"a", "b", "\r", "\b", "\n", " ", "\xc3\xa9", "\t"};
	const char *s = alpha[b % 8];
	size_t l = strlen(s);

	memcpy(buf + k, s, l);
	return k + l;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct model a, b;
	char *chunk, *joined, *oa, *ob;
	size_t cn = 0, jn = 0, last_clear = 0;
	int err = 0, jerr = 0, pending_wait = 0;

	if (size > 4096)
		return 0;
	check((chunk = malloc(size * 2 + 1)) != NULL);
	check((joined = malloc(size * 2 + 1)) != NULL);
	model_init(&a);
	/* A: one message per chunk, the clears as they come */
	for (size_t i = 0; i <= size; i++) {
		uint8_t c = i < size ? data[i] : 0xff;

		if (c == 0xff || c == 0xfd || c == 0xfe) {
			stream(&a, err, chunk, cn);
			cn = 0;
			if (c == 0xfd)
				err = !err;
			if (c == 0xfe) {
				pending_wait = i + 1 < size && (data[i + 1] & 1);
				clear(&a, pending_wait);
				last_clear = i + 1;
			}
			continue;
		}
		cn = put(chunk, cn, c);
	}
	/* B: the chunks after the last clear, joined while the stream stays the same */
	model_init(&b);
	/* the stream in force at the last clear: count the switches before it */
	err = 0;
	for (size_t i = 0; i < last_clear; i++)
		err ^= data[i] == 0xfd;
	jerr = err;
	if (last_clear && pending_wait) {
		/* a waiting clear takes effect with the next output; with none, the old one stays
		 */
		int any = 0;

		for (size_t i = last_clear; i < size; i++)
			any |= data[i] < 0xfd;
		if (!any)
			goto done;
	}
	for (size_t i = last_clear; i <= size; i++) {
		uint8_t c = i < size ? data[i] : 0xfd;

		if (c == 0xfd) {
			stream(&b, jerr, joined, jn);
			jn = 0;
			jerr = !jerr;
			continue;
		}
		if (c == 0xff || c == 0xfe)
			continue;
		jn = put(joined, jn, c);
	}
	oa = outputs(&a);
	ob = outputs(&b);
	check(oa && ob);
	check(!strcmp(oa, ob));
	free(oa);
	free(ob);
done:
	nb_out_free(a.m);
	nb_doc_free(a.doc);
	nb_out_free(b.m);
	nb_doc_free(b.doc);
	free(chunk);
	free(joined);
	return 0;
}
