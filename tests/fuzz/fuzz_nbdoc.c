// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * Fuzz harness for the notebook loader and writer: loads arbitrary bytes with
 * nb_doc_load_buffer(); whatever loads must serialise, load again and serialise to the same bytes
 * (idempotence), and writing with the outputs left as original bytes must equal writing them
 * after parsing every cell's outputs (the canonical-span check never says yes wrongly).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "notebook/nb.h"

static void check(int cond)
{
	if (!cond)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct nb_error err;
	struct nb_doc *doc = nb_doc_load_buffer((const char *)data, size, "fuzz", &err), *again;
	char *a, *b, *c;
	size_t alen, blen, clen, i;

	if (!doc)
		return 0;
	a = nb_doc_serialize(doc, &alen);
	check(a != NULL);
	for (i = 0; i < nb_doc_ncells(doc); i++)
		check(nb_cell_outputs(nb_doc_cell(doc, i)) != NULL);
	b = nb_doc_serialize(doc, &blen);
	check(b && alen == blen && !memcmp(a, b, alen));
	again = nb_doc_load_buffer(a, alen, "fuzz-again", &err);
	check(again != NULL);
	c = nb_doc_serialize(again, &clen);
	check(c && clen == alen && !memcmp(a, c, alen));
	free(a);
	free(b);
	free(c);
	nb_doc_free(again);
	nb_doc_free(doc);
	return 0;
}
