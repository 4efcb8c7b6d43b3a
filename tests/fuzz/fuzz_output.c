// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * Fuzz harness for the output model: each input line is one message as JSON,
 * {"t": msg_type, "p": 0|1|2 (no parent, the cell's execute request, another one), "c": content,
 * "m": metadata, "r": 1 for a shell reply}, applied with nb_out_iopub()/nb_out_reply() to a
 * notebook of two code cells with a small output limit. Syncs as it goes; the notebook must then
 * serialise, load back and serialise to the same bytes.
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

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct nb_doc *doc = nb_doc_new(), *again;
	struct nb_out *m;
	struct nb_error err;
	const char *parents[] = {"", "req-1", "req-2"};
	size_t off = 0, alen, blen;
	char *a, *b;

	check(doc != NULL);
	nb_doc_insert(doc, 0, NB_CODE);
	nb_doc_insert(doc, 1, NB_CODE);
	check((m = nb_out_new(doc)) != NULL);
	nb_out_set_limit(m, 4096);
	nb_out_request(m, "req-1", nb_cell_id(nb_doc_cell(doc, 0)), NB_REQ_EXECUTE);
	nb_out_request(m, "req-2", nb_cell_id(nb_doc_cell(doc, 1)), NB_REQ_EXECUTE);
	while (off < size) {
		const uint8_t *nl = memchr(data + off, '\n', size - off);
		size_t len = nl ? (size_t)(nl - data - off) : size - off;
		json_t *msg = json_loadb((const char *)data + off, len, 0, NULL);
		const char *t = json_string_value(json_object_get(msg, "t"));
		json_int_t p = json_integer_value(json_object_get(msg, "p"));

		off += len + 1;
		if (!t) {
			json_decref(msg);
			continue;
		}
		if (json_is_true(json_object_get(msg, "r")))
			nb_out_reply(m, parents[p == 1 || p == 2 ? p : 0], t, json_object_get(msg, "c"));
		else
			nb_out_iopub(m, t, parents[p == 1 || p == 2 ? p : 0], json_object_get(msg, "c"),
				     json_object_get(msg, "m"));
		if (len % 3 == 0)
			nb_out_sync(m);
		json_decref(msg);
	}
	nb_out_sync(m);
	check((a = nb_doc_serialize(doc, &alen)) != NULL);
	check((again = nb_doc_load_buffer(a, alen, "fuzz", &err)) != NULL);
	check((b = nb_doc_serialize(again, &blen)) != NULL);
	check(alen == blen && !memcmp(a, b, alen));
	free(a);
	free(b);
	nb_doc_free(again);
	nb_out_free(m);
	nb_doc_free(doc);
	return 0;
}
