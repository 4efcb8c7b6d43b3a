// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * Unit tests for the notebook document (notebook/nb_doc.c and the JSON scanner and writer behind
 * it): byte-identical round trips of the nbformat-written corpus in tests/data/notebooks, the
 * lazily parsed outputs, edits and the 4.x upgrade, refusals with line and column, warnings, and
 * atomic saving. Run from the repository root.
 */
#include <dirent.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "notebook/nb.h"
#include "notebook/nb_json.h"

#define CORPUS "tests/data/notebooks"

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = malloc((size_t)n + 1);
	if (fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		fclose(f);
		return NULL;
	}
	buf[n] = 0;
	fclose(f);
	*len = (size_t)n;
	return buf;
}

static void spit(const char *path, const char *s)
{
	FILE *f = fopen(path, "wb");

	assert_non_null(f);
	fputs(s, f);
	fclose(f);
}

static int is_canonical_file(const char *name)
{
	size_t n = strlen(name);

	return n > 6 && !strcmp(name + n - 6, ".ipynb") && !strstr(name, ".input.");
}

static void assert_same_bytes(const char *what, const char *a, size_t alen, const char *b,
			      size_t blen)
{
	size_t i = 0;

	while (i < alen && i < blen && a[i] == b[i])
		i++;
	if (i == alen && alen == blen)
		return;
	print_error("%s: differs at byte %zu\n  want: %.60s\n  got:  %.60s\n", what, i,
		    i < alen ? a + i : "<end>", i < blen ? b + i : "<end>");
	fail();
}

/* Every nbformat-written file loads and serialises byte-identical, both with its outputs left as
 * original bytes and after parsing every cell's outputs into trees. */
static void test_corpus_roundtrip(void **state)
{
	DIR *d = opendir(CORPUS);
	struct dirent *e;
	int files = 0;

	assert_non_null(d);
	while ((e = readdir(d))) {
		char path[512], *orig, *out;
		size_t olen, len, i;
		struct nb_error err;
		struct nb_doc *doc;

		if (!is_canonical_file(e->d_name))
			continue;
		snprintf(path, sizeof path, "%s/%s", CORPUS, e->d_name);
		assert_non_null(orig = slurp(path, &olen));
		doc = nb_doc_load(path, &err);
		if (!doc)
			print_error("%s\n", err.text);
		assert_non_null(doc);
		assert_false(nb_doc_dirty(doc));
		assert_non_null(out = nb_doc_serialize(doc, &len));
		assert_same_bytes(path, orig, olen, out, len);
		free(out);
		for (i = 0; i < nb_doc_ncells(doc); i++) {
			struct nb_cell *c = nb_doc_cell(doc, i);

			assert_non_null(nb_cell_outputs(c));
			assert_true(nb_cell_outputs_parsed(c));
		}
		assert_non_null(out = nb_doc_serialize(doc, &len));
		assert_same_bytes(path, orig, olen, out, len);
		assert_false(nb_doc_dirty(doc));
		free(out);
		nb_doc_free(doc);
		free(orig);
		files++;
	}
	closedir(d);
	assert_true(files >= 15);
}

/* Opening a file progressively (nb_doc_open, then nb_doc_load_more in slices of `slice` bytes)
 * ends exactly as loading it at once: the same refusal with the same position, or the same cells,
 * ids, warnings and saved bytes. Every file of the corpus, good and bad, at several slice sizes. */
static void test_progressive_equals_load(void **state)
{
	static const size_t slices[] = {1, 53, 4096};
	DIR *d = opendir(CORPUS);
	struct dirent *e;
	int files = 0, partial = 0;

	assert_non_null(d);
	while ((e = readdir(d))) {
		char path[512];
		struct nb_error err1 = {0}, err2 = {0};
		struct nb_doc *full, *again, *prog;

		if (!strstr(e->d_name, ".ipynb"))
			continue;
		snprintf(path, sizeof path, "%s/%s", CORPUS, e->d_name);
		full = nb_doc_load(path, &err1);
		again = nb_doc_load(path, &err1);
		for (size_t k = 0; k < sizeof slices / sizeof slices[0]; k++) {
			int r = 0;

			memset(&err2, 0, sizeof err2);
			prog = nb_doc_open(path, 16, &err2);
			if (prog && nb_doc_loading(prog)) {
				size_t seen = nb_doc_ncells(prog);

				partial++;
				while ((r = nb_doc_load_more(prog, slices[k], &err2)) == 0) {
					assert_true(nb_doc_ncells(prog) >= seen); /* cells only ever appear */
					seen = nb_doc_ncells(prog);
				}
				if (r < 0) {
					nb_doc_free(prog);
					prog = NULL;
				}
			}
			if (!full) {
				if (prog)
					print_error("%s: loads progressively but not at once (%s)\n", path,
						    err1.text);
				assert_null(prog);
				assert_string_equal(err1.text, err2.text);
				continue;
			}
			if (!prog)
				print_error("%s: %s\n", path, err2.text);
			assert_non_null(prog);
			assert_int_equal(nb_doc_ncells(full), nb_doc_ncells(prog));
			/* ids the file does not give are made up afresh by every load: compared only
			 * where two loads at once agree */
			for (size_t i = 0; i < nb_doc_ncells(full); i++)
				if (!strcmp(nb_cell_id(nb_doc_cell(full, i)), nb_cell_id(nb_doc_cell(again, i))))
					assert_string_equal(nb_cell_id(nb_doc_cell(full, i)),
							    nb_cell_id(nb_doc_cell(prog, i)));
			{
				const struct nb_warnings *w1 = nb_doc_warnings(full), *w2 = nb_doc_warnings(prog);
				char *o1, *o2, *o3;
				size_t l1, l2, l3;

				assert_int_equal(w1->n, w2->n);
				for (size_t i = 0; i < w1->n; i++)
					if (!strstr(w1->text[i], "(added \"")) /* a fresh id is random */
						assert_string_equal(w1->text[i], w2->text[i]);
				assert_non_null(o1 = nb_doc_serialize(full, &l1));
				assert_non_null(o2 = nb_doc_serialize(prog, &l2));
				assert_non_null(o3 = nb_doc_serialize(again, &l3));
				if (l1 == l3 && !memcmp(o1, o3, l1))
					assert_same_bytes(path, o1, l1, o2, l2);
				free(o1);
				free(o2);
				free(o3);
			}
			nb_doc_free(prog);
		}
		nb_doc_free(full);
		nb_doc_free(again);
		files++;
	}
	closedir(d);
	assert_true(files >= 15);
	assert_true(partial >= 15); /* most of the corpus took the progressive path */
}

/* The fast path is taken: every code cell's outputs in the corpus are proven canonical. */
static void test_corpus_outputs_canonical(void **state)
{
	DIR *d = opendir(CORPUS);
	struct dirent *e;
	int spans = 0;

	assert_non_null(d);
	while ((e = readdir(d))) {
		char path[512], *buf;
		size_t len, i;
		struct nbj_scan s;

		if (!is_canonical_file(e->d_name))
			continue;
		snprintf(path, sizeof path, "%s/%s", CORPUS, e->d_name);
		assert_non_null(buf = slurp(path, &len));
		assert_int_equal(nbj_scan(buf, len, &s), 0);
		for (i = 0; i < s.ncells; i++) {
			if (!s.cells[i].out_end)
				continue;
			if (!nbj_outputs_canonical(buf + s.cells[i].out_start,
						   s.cells[i].out_end - s.cells[i].out_start, 3))
				print_error("%s cells[%zu]: outputs not seen as canonical\n", path, i);
			assert_true(nbj_outputs_canonical(buf + s.cells[i].out_start,
							  s.cells[i].out_end - s.cells[i].out_start, 3));
			spans++;
		}
		nbj_scan_clear(&s);
		free(buf);
	}
	closedir(d);
	assert_true(spans >= 10);
}

/* A hand-written file comes out exactly as nbformat rewrites it. */
static void test_noncanonical_like_nbformat(void **state)
{
	size_t wlen, len, i;
	char *want = slurp(CORPUS "/strings_form.nbformat.ipynb", &wlen), *out;
	struct nb_error err;
	struct nb_doc *doc = nb_doc_load(CORPUS "/strings_form.input.ipynb", &err);

	assert_non_null(want);
	assert_non_null(doc);
	assert_string_equal(nb_cell_source(nb_doc_cell(doc, 1)), "half a line\nx");
	assert_non_null(out = nb_doc_serialize(doc, &len));
	assert_same_bytes("strings_form", want, wlen, out, len);
	free(out);
	for (i = 0; i < nb_doc_ncells(doc); i++)
		nb_cell_outputs(nb_doc_cell(doc, i));
	assert_non_null(out = nb_doc_serialize(doc, &len));
	assert_same_bytes("strings_form (parsed)", want, wlen, out, len);
	free(out);
	free(want);
	nb_doc_free(doc);
}

static void test_lazy_outputs(void **state)
{
	struct nb_error err;
	struct nb_doc *doc = nb_doc_load(CORPUS "/multiline.ipynb", &err);
	struct nb_cell *c;
	json_t *outs;

	assert_non_null(doc);
	c = nb_doc_cell(doc, 5);
	assert_int_equal(nb_cell_type(c), NB_CODE);
	assert_false(nb_cell_outputs_parsed(c));
	assert_string_equal(nb_cell_source(c), "crlf\r\nendings\r\nmixed\nand\rcr");
	assert_int_equal(nb_cell_execution_count(c), 1);
	outs = nb_cell_outputs(c);
	assert_true(nb_cell_outputs_parsed(c));
	assert_int_equal(json_array_size(outs), 2);
	assert_string_equal(json_string_value(json_object_get(json_array_get(outs, 0), "text")),
			    "one\ntwo\nthree");
	assert_ptr_equal(outs, nb_cell_outputs(c));
	assert_false(nb_doc_dirty(doc));
	/* markdown cells: an empty list that is not part of the file */
	assert_int_equal(json_array_size(nb_cell_outputs(nb_doc_cell(doc, 2))), 0);
	nb_doc_free(doc);
}

/* A lazy cell taken out of its document keeps its bytes alive (checked under ASan). */
static void test_take_outlives_doc(void **state)
{
	struct nb_error err;
	struct nb_doc *a = nb_doc_load(CORPUS "/outputs.ipynb", &err), *b = nb_doc_new();
	struct nb_cell *c, *copy;

	assert_non_null(a);
	c = nb_doc_take(a, 0);
	copy = nb_cell_copy(b, c);
	nb_doc_free(a);
	nb_doc_put(b, 1, c);
	assert_int_equal(json_array_size(nb_cell_outputs(c)), 5);
	assert_int_equal(json_array_size(nb_cell_outputs(copy)), 5);
	assert_string_not_equal(nb_cell_id(copy), nb_cell_id(c));
	nb_cell_free(copy);
	assert_int_equal(nb_doc_index(b, c), 1);
	assert_ptr_equal(nb_doc_find(b, nb_cell_id(c)), c);
	nb_doc_free(b);
}

/* Find where cell i lies in a serialised notebook. */
static void cell_span(const char *buf, size_t len, size_t i, size_t *start, size_t *end)
{
	struct nbj_scan s;

	assert_int_equal(nbj_scan(buf, len, &s), 0);
	assert_true(i < s.ncells);
	*start = s.cells[i].start;
	*end = s.cells[i].end;
	nbj_scan_clear(&s);
}

/* Editing one cell changes only that cell's bytes. */
static void test_edit_changes_only_that_cell(void **state)
{
	size_t olen, len, os, oe, ns, ne;
	char *orig = slurp(CORPUS "/unicode.ipynb", &olen), *out;
	struct nb_error err;
	struct nb_doc *doc = nb_doc_load(CORPUS "/unicode.ipynb", &err);
	struct nb_cell *c;

	assert_non_null(doc);
	c = nb_doc_cell(doc, 2);
	nb_cell_set_source(c, "print('edited ✓')\nsecond line");
	nb_cell_set_execution_count(c, 12);
	assert_true(nb_doc_dirty(doc));
	assert_non_null(out = nb_doc_serialize(doc, &len));
	cell_span(orig, olen, 2, &os, &oe);
	cell_span(out, len, 2, &ns, &ne);
	assert_int_equal(os, ns);
	assert_memory_equal(orig, out, os);
	assert_int_equal(olen - oe, len - ne);
	assert_memory_equal(orig + oe, out + ne, olen - oe);
	assert_non_null(strstr(out + ns, "\"print('edited ✓')\\n\",\n    \"second line\"\n"));
	assert_non_null(strstr(out + ns, "\"execution_count\": 12,"));
	free(out);
	/* output edits through the output model's path */
	c = nb_doc_cell(doc, 3);
	json_array_clear(nb_cell_outputs(c));
	nb_cell_touch(c);
	assert_non_null(out = nb_doc_serialize(doc, &len));
	assert_non_null(strstr(out, "\"id\": \"uni03\",\n   \"metadata\": {},\n   \"outputs\": [],"));
	free(out);
	free(orig);
	nb_doc_free(doc);
}

static int is_hex8(const char *s)
{
	return strlen(s) == 8 && strspn(s, "0123456789abcdef") == 8;
}

/* 4.0–4.4: unchanged → unchanged; changed → 4.5 with the in-memory ids written. */
static void test_old_minor_upgrade(void **state)
{
	size_t olen, len;
	char *orig = slurp(CORPUS "/v4_4_noids.ipynb", &olen), *out, id0[65], id1[65];
	struct nb_error err;
	struct nb_doc *doc = nb_doc_load(CORPUS "/v4_4_noids.ipynb", &err);

	assert_non_null(doc);
	assert_int_equal(nb_doc_nbformat_minor(doc), 4);
	assert_int_equal(nb_doc_warnings(doc)->n, 0);
	snprintf(id0, sizeof id0, "%s", nb_cell_id(nb_doc_cell(doc, 0)));
	snprintf(id1, sizeof id1, "%s", nb_cell_id(nb_doc_cell(doc, 1)));
	assert_true(is_hex8(id0) && is_hex8(id1));
	assert_ptr_equal(nb_doc_find(doc, id1), nb_doc_cell(doc, 1));
	nb_cell_outputs(nb_doc_cell(doc, 1));
	assert_non_null(out = nb_doc_serialize(doc, &len));
	assert_same_bytes("v4.4 unchanged", orig, olen, out, len);
	assert_null(strstr(out, "\"id\""));
	free(out);
	nb_doc_insert(doc, 2, NB_MARKDOWN);
	assert_non_null(out = nb_doc_serialize(doc, &len));
	assert_non_null(strstr(out, "\"nbformat_minor\": 5\n}\n"));
	assert_non_null(strstr(out, id0));
	assert_non_null(strstr(out, id1));
	assert_non_null(strstr(out, nb_cell_id(nb_doc_cell(doc, 2))));
	assert_int_equal(nb_doc_nbformat_minor(doc), 5);
	free(out);
	free(orig);
	nb_doc_free(doc);
}

static void expect_error(const char *json, const char *want)
{
	struct nb_error err;
	struct nb_doc *doc = nb_doc_load_buffer(json, strlen(json), "nb.ipynb", &err);

	if (doc || !strstr(err.text, want))
		print_error("input %.40s: got \"%s\", want \"%s\"\n", json, doc ? "(loaded)" : err.text,
			    want);
	assert_null(doc);
	assert_non_null(strstr(err.text, want));
	assert_null(strchr(err.text, '\n'));
}

#define NB_HEAD "{\"metadata\": {}, \"nbformat\": 4, \"nbformat_minor\": 5, \"cells\": "

static void test_refusals(void **state)
{
	char *deep;
	int i;

	expect_error("", "nb.ipynb:1:1: empty file");
	expect_error("{\n  \"cells\": [\n    {\"a\": }\n]}", "nb.ipynb:3:11: invalid token");
	expect_error("{\"nbformat\": 3, \"nbformat_minor\": 0, \"worksheets\": []}",
		     "nb.ipynb:1:14: nbformat 3 notebooks are not supported");
	expect_error("{\"nbformat\": 5, \"cells\": []}", "nbformat 5 is newer");
	expect_error("{\"nbformat\": 4, \"nbformat_minor\": 5, \"metadata\": {}}",
		     "nb.ipynb: not a Jupyter notebook (no \"cells\" list)");
	expect_error("{\"metadata\": {}}", "no \"nbformat\"");
	expect_error(NB_HEAD "[{\"cell_type\": \"code\", \"outputs\": [{\"x\": NaN}]}]}", "NaN");
	expect_error(NB_HEAD "[], \"x\": -Infinity}", "Infinity");
	expect_error(NB_HEAD "[], \"x\": Infinity}", "Infinity");
	expect_error(NB_HEAD "[], \"x\": 9223372036854775808}", "does not fit in 64 bits");
	expect_error(NB_HEAD "[], \"x\": -9223372036854775809}", "does not fit in 64 bits");
	expect_error(NB_HEAD "[], \"x\": 1e999}", "out of range");
	expect_error(NB_HEAD "[], \"x\": \"\xff\"}", "invalid UTF-8");
	expect_error(NB_HEAD "[], \"x\": \"\xed\xa0\x80\"}", "invalid UTF-8");
	expect_error(NB_HEAD "[], \"x\": \"\\ud800\"}", "lone surrogate");
	expect_error(NB_HEAD "[], \"x\": \"\\udc00x\"}", "lone surrogate");
	expect_error(NB_HEAD "[], \"x\\u0000\": 1}", "NUL byte in object key");
	expect_error(NB_HEAD "[]} x", "extra data");
	expect_error(NB_HEAD "[],}", "expected a string");
	expect_error(NB_HEAD "[1]}", "cells[0] is not an object");
	expect_error(NB_HEAD "{}}", "\"cells\" is not a list");
	expect_error("[1, 2]", "top level is a list");
	expect_error("\xef\xbb\xbf{}", "byte order mark");
	expect_error(NB_HEAD "[], \"x\": \"a\tb\"}", "control character 0x09");
	deep = malloc(3 * 3000 + 200);
	strcpy(deep, NB_HEAD "[], \"x\": ");
	for (i = 0; i < 3000; i++)
		strcat(deep, "[");
	for (i = 0; i < 3000; i++)
		strcat(deep, "]");
	strcat(deep, "}");
	expect_error(deep, "nested more than 2048 levels");
	free(deep);
}

static int has_warning(const struct nb_doc *doc, const char *want)
{
	size_t i;

	for (i = 0; i < nb_doc_warnings(doc)->n; i++)
		if (strstr(nb_doc_warnings(doc)->text[i], want))
			return 1;
	print_error("no warning \"%s\" among %zu\n", want, nb_doc_warnings(doc)->n);
	for (i = 0; i < nb_doc_warnings(doc)->n; i++)
		print_error("  %s\n", nb_doc_warnings(doc)->text[i]);
	return 0;
}

static void test_warnings_and_repairs(void **state)
{
	struct nb_error err;
	struct nb_doc *doc = nb_doc_load(CORPUS "/unknown_keys.ipynb", &err);
	const char *dup = NB_HEAD "[{\"id\": \"same\", \"cell_type\": \"markdown\", \"metadata\": {}, "
			  "\"source\": \"a\"}, {\"id\": \"same\", \"cell_type\": \"markdown\", "
			  "\"metadata\": {}, \"source\": \"b\"}, {\"cell_type\": \"raw\", \"metadata\": {}, "
			  "\"source\": \"c\"}, {\"id\": \"bad id!\", \"cell_type\": \"fancy\", "
			  "\"source\": [1]}]}";
	char *out;

	assert_non_null(doc);
	assert_true(has_warning(doc, "cells[0].outputs[1]: unknown output_type \"future_output\""));
	assert_true(has_warning(doc, "unknown top-level key \"future_top_key\""));
	assert_true(has_warning(doc, "cells[0]: unexpected key \"future_cell_key\""));
	nb_doc_free(doc);

	doc = nb_doc_load_buffer(dup, strlen(dup), "dup.ipynb", &err);
	assert_non_null(doc);
	assert_true(has_warning(doc, "cells[1]: duplicate id \"same\" (replaced with"));
	assert_true(has_warning(doc, "cells[2]: no id (added"));
	assert_true(has_warning(doc, "cells[3].id: not a valid cell id"));
	assert_true(has_warning(doc, "cells[3]: unknown cell_type \"fancy\""));
	assert_true(has_warning(doc, "cells[3].source: list with non-strings"));
	assert_string_equal(nb_cell_id(nb_doc_cell(doc, 0)), "same");
	assert_true(is_hex8(nb_cell_id(nb_doc_cell(doc, 1))));
	assert_int_equal(nb_cell_type(nb_doc_cell(doc, 3)), NB_RAW);
	assert_string_equal(nb_cell_source(nb_doc_cell(doc, 3)), "");
	out = nb_doc_serialize(doc, NULL);
	assert_non_null(strstr(out, nb_cell_id(nb_doc_cell(doc, 1))));
	assert_non_null(strstr(out, "\"id\": \"bad id!\""));
	assert_non_null(strstr(out, "\"cell_type\": \"fancy\""));
	free(out);
	nb_doc_free(doc);
}

static void test_new_doc(void **state)
{
	struct nb_doc *doc = nb_doc_new();
	char want[512], *out;
	struct nb_cell *c;

	assert_non_null(doc);
	assert_null(nb_doc_path(doc));
	assert_int_equal(nb_doc_ncells(doc), 1);
	c = nb_doc_cell(doc, 0);
	assert_true(is_hex8(nb_cell_id(c)));
	assert_int_equal(nb_cell_type(c), NB_CODE);
	assert_int_equal(nb_cell_execution_count(c), -1);
	assert_int_equal(json_object_size(nb_doc_metadata(doc)), 0);
	snprintf(want, sizeof want,
		 "{\n \"cells\": [\n  {\n   \"cell_type\": \"code\",\n   \"execution_count\": null,\n"
		 "   \"id\": \"%s\",\n   \"metadata\": {},\n   \"outputs\": [],\n   \"source\": []\n"
		 "  }\n ],\n \"metadata\": {},\n \"nbformat\": 4,\n \"nbformat_minor\": 5\n}\n",
		 nb_cell_id(c));
	out = nb_doc_serialize(doc, NULL);
	assert_string_equal(out, want);
	free(out);
	nb_doc_free(doc);
}

static void test_cell_list_ops(void **state)
{
	struct nb_doc *doc = nb_doc_new();
	struct nb_cell *a, *b, *t;
	char *out;

	a = nb_doc_insert(doc, 1, NB_MARKDOWN);
	b = nb_doc_insert(doc, 0, NB_RAW);
	assert_null(nb_doc_insert(doc, 9, NB_RAW));
	assert_int_equal(nb_doc_ncells(doc), 3);
	assert_int_equal(nb_doc_index(doc, b), 0);
	assert_int_equal(nb_doc_index(doc, a), 2);
	assert_ptr_equal(nb_doc_find(doc, nb_cell_id(a)), a);
	assert_null(nb_doc_find(doc, "nope"));
	nb_cell_set_source(a, "# title\n\nbody");
	nb_cell_set_type(a, NB_CODE);
	assert_int_equal(nb_cell_type(a), NB_CODE);
	assert_int_equal(json_array_size(nb_cell_outputs(a)), 0);
	nb_cell_set_execution_count(a, 3);
	json_array_append_new(nb_cell_outputs(a), json_pack("{s:s,s:s,s:s}", "output_type",
							    "stream", "name", "stdout", "text",
							    "hi\nthere"));
	nb_cell_touch(a);
	t = nb_doc_take(doc, 2);
	assert_ptr_equal(t, a);
	assert_int_equal(nb_doc_index(doc, a), -1);
	assert_null(nb_doc_find(doc, nb_cell_id(a)));
	nb_doc_put(doc, 0, t);
	assert_int_equal(nb_doc_index(doc, a), 0);
	nb_cell_set_type(a, NB_MARKDOWN);
	assert_int_equal(nb_cell_execution_count(a), -1);
	out = nb_doc_serialize(doc, NULL);
	assert_non_null(strstr(out, "   \"cell_type\": \"markdown\",\n   \"id\""));
	assert_non_null(strstr(out, "\"source\": [\n    \"# title\\n\",\n    \"\\n\",\n    \"body\"\n"));
	assert_null(strstr(out, "there"));
	free(out);
	nb_cell_set_source(b, "bad \xff utf8 \xe2\x82");
	assert_string_equal(nb_cell_source(b), "bad \xef\xbf\xbd utf8 \xef\xbf\xbd\xef\xbf\xbd");
	/* put with a colliding id gets a new one */
	t = nb_cell_copy(doc, b);
	assert_string_not_equal(nb_cell_id(t), nb_cell_id(b));
	nb_doc_put(doc, 0, t);
	assert_int_equal(nb_doc_ncells(doc), 4);
	nb_doc_free(doc);
}

static void test_float_repr(void **state)
{
	static const struct { double d; const char *want; } cases[] = {
		{0.1, "0.1"}, {1e-7, "1e-07"}, {1e22, "1e+22"}, {-0.0, "-0.0"}, {3.0, "3.0"},
		{1.7976931348623157e308, "1.7976931348623157e+308"}, {5e-324, "5e-324"},
		{0.30000000000000004, "0.30000000000000004"}, {1e16, "1e+16"},
		{1e15, "1000000000000000.0"}, {123456789012345680.0, "1.2345678901234568e+17"},
		{1e-4, "0.0001"}, {1e-5, "1e-05"}, {2.5e-5, "2.5e-05"}, {100.0, "100.0"},
		{-1.5, "-1.5"}, {1.0 / 3, "0.3333333333333333"}, {12345.678, "12345.678"},
		{0.0, "0.0"}, {9007199254740993.0, "9007199254740992.0"}, {1.5e300, "1.5e+300"},
	};
	char buf[48];
	size_t i;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		nbj_format_real(cases[i].d, buf, sizeof buf);
		assert_string_equal(buf, cases[i].want);
	}
}

static char tmpdir[64];

static void tmp_path(char *out, size_t size, const char *name)
{
	snprintf(out, size, "%s/%s", tmpdir, name);
}

static int count_entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	while (d && (e = readdir(d)))
		n += e->d_name[0] != '.' || strstr(e->d_name, ".tmp") != NULL;
	if (d)
		closedir(d);
	return n;
}

/* A file that goes bad after its first cells: the first cells come, then the same refusal as a
 * load at once gives (message and position). */
static void test_progressive_bad_tail(void **state)
{
	static const char *const tails[] = {
		"]}",                                               /* no nbformat */
		"], \"nbformat\": 3, \"nbformat_minor\": 0, \"metadata\": {}}",
		"], \"nbformat\": 4, \"nbformat_minor\": 5, \"metadata\": {}} x",
		(", {\"cell_type\": \"code\", \"source\": \"\", \"metadata\": {}, \"outputs\": [], "
		 "\"execution_count\": NaN}], \"nbformat\": 4, \"nbformat_minor\": 5, \"metadata\": {}}"),
		", {\"cell_type\": \"code\", \"source\": \"unterminated",
		", 7], \"nbformat\": 4, \"nbformat_minor\": 5, \"metadata\": {}}",
		"], \"cells\": [], \"nbformat\": 4, \"nbformat_minor\": 5, \"metadata\": {}}",
	};
	char path[128];

	tmp_path(path, sizeof path, "tail.ipynb");
	for (size_t k = 0; k < sizeof tails / sizeof tails[0]; k++) {
		char text[4096];
		struct nb_error e1 = {0}, e2 = {0};
		struct nb_doc *full, *prog;
		int r = 0;

		snprintf(text, sizeof text,
			 "{\"cells\": [{\"cell_type\": \"markdown\", \"id\": \"a1\", \"metadata\": {}, "
			 "\"source\": \"first\"}, {\"cell_type\": \"markdown\", \"id\": \"a2\", "
			 "\"metadata\": {}, \"source\": \"second, padded %0300d\"}%s", 0, tails[k]);
		spit(path, text);
		full = nb_doc_load(path, &e1);
		prog = nb_doc_open(path, 200, &e2);
		assert_non_null(prog);
		assert_true(nb_doc_loading(prog));
		assert_int_equal(nb_doc_ncells(prog), 1); /* the first cell is there at once */
		while ((r = nb_doc_load_more(prog, 7, &e2)) == 0)
			;
		if (k == 6) { /* two "cells" lists: jansson's last one wins; not read progressively */
			assert_non_null(full);
			assert_int_equal(r, -1);
			assert_non_null(strstr(e2.text, "two \"cells\" lists"));
		} else {
			assert_null(full);
			assert_int_equal(r, -1);
			assert_string_equal(e1.text, e2.text);
		}
		nb_doc_free(full);
		nb_doc_free(prog);
	}
	unlink(path);
}

static void test_save(void **state)
{
	char path[128], other[128], bad[160], *orig, *now;
	size_t olen, len;
	struct nb_error err;
	struct nb_doc *doc;
	struct stat st;

	tmp_path(path, sizeof path, "nb.ipynb");
	orig = slurp(CORPUS "/images.ipynb", &olen);
	spit(path, orig);
	chmod(path, 0640);
	assert_non_null(doc = nb_doc_load(path, &err));
	assert_string_equal(nb_doc_path(doc), path);

	/* unchanged save: same bytes, same mode, no temp files left */
	assert_int_equal(nb_doc_save(doc, NULL, 0, &err), 0);
	now = slurp(path, &len);
	assert_same_bytes("saved", orig, olen, now, len);
	free(now);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0640);
	assert_int_equal(count_entries(tmpdir), 1);

	/* someone else changes the file: refused, file untouched; force overwrites */
	nb_cell_set_source(nb_doc_cell(doc, 0), "mine");
	spit(path, "{\"theirs\": true}\n");
	assert_int_equal(nb_doc_save(doc, NULL, 0, &err), -1);
	assert_non_null(strstr(err.text, "changed on disk"));
	now = slurp(path, &len);
	assert_string_equal(now, "{\"theirs\": true}\n");
	free(now);
	assert_int_equal(nb_doc_save(doc, NULL, 1, &err), 0);
	now = slurp(path, &len);
	assert_non_null(strstr(now, "\"mine\""));
	free(now);
	assert_true(nb_doc_save(doc, NULL, 0, &err) == 0);  /* our own save is not a change */
	assert_false(nb_doc_dirty(doc));

	/* failures: missing directory, a path inside a file; the original stays */
	tmp_path(bad, sizeof bad, "missing/dir/x.ipynb");
	assert_int_equal(nb_doc_save(doc, bad, 0, &err), -1);
	assert_non_null(strstr(err.text, "No such file or directory"));
	snprintf(bad, sizeof bad, "%s/inside.ipynb", path);
	assert_int_equal(nb_doc_save(doc, bad, 0, &err), -1);
	assert_non_null(strstr(err.text, "Not a directory"));
	assert_string_equal(nb_doc_path(doc), path);
	assert_int_equal(count_entries(tmpdir), 1);

	/* save as: the new path becomes the document's */
	tmp_path(other, sizeof other, "copy.ipynb");
	assert_int_equal(nb_doc_save(doc, other, 0, &err), 0);
	assert_string_equal(nb_doc_path(doc), other);
	now = slurp(other, &len);
	free(orig);
	orig = slurp(path, &olen);
	assert_same_bytes("save as", orig, olen, now, len);
	free(now);
	free(orig);
	unlink(other);
	unlink(path);
	nb_doc_free(doc);

	/* a new document needs a path */
	doc = nb_doc_new();
	assert_int_equal(nb_doc_save(doc, NULL, 0, &err), -1);
	nb_doc_free(doc);
}

/* Rewrites path in place with other bytes of the same length and puts its mtime back. */
static void rewrite_in_place(const char *path)
{
	struct stat st;
	char *s;
	size_t len;
	FILE *f;

	assert_int_equal(stat(path, &st), 0);
	s = slurp(path, &len);
	for (size_t i = 0; i < len; i++)
		if (s[i] == 'x')
			s[i] = 'y';
	assert_non_null(f = fopen(path, "r+"));
	assert_int_equal(fwrite(s, 1, len, f), len);
	fclose(f);
	free(s);
	assert_int_equal(utimensat(AT_FDCWD, path, (struct timespec[]){st.st_atim, st.st_mtim}, 0), 0);
}

/* A change that keeps size and mtime is still a change; an existing other file is not
 * overwritten without force; the same file by another name is this notebook. */
static void test_save_refuses(void **state)
{
	char path[128], other[128], alias[160], *now;
	size_t len;
	struct nb_error err;
	struct nb_doc *doc;

	tmp_path(path, sizeof path, "mine.ipynb");
	spit(path, "{\"cells\": [{\"cell_type\": \"code\", \"execution_count\": null, \"id\": \"a\", "
		   "\"metadata\": {}, \"outputs\": [], \"source\": \"xxxx\"}], \"metadata\": {}, "
		   "\"nbformat\": 4, \"nbformat_minor\": 5}\n");
	assert_non_null(doc = nb_doc_load(path, &err));
	nb_cell_set_source(nb_doc_cell(doc, 0), "mine");

	rewrite_in_place(path);
	assert_int_equal(nb_doc_save(doc, NULL, 0, &err), -1);
	assert_non_null(strstr(err.text, "changed on disk"));
	now = slurp(path, &len);
	assert_non_null(strstr(now, "yyyy"));
	free(now);
	assert_int_equal(nb_doc_save(doc, NULL, 1, &err), 0);
	assert_int_equal(nb_doc_save(doc, NULL, 0, &err), 0); /* our own bytes: no change */

	tmp_path(other, sizeof other, "notes.txt");
	spit(other, "my notes\n");
	assert_int_equal(nb_doc_save(doc, other, 0, &err), -1);
	assert_non_null(strstr(err.text, "exists"));
	now = slurp(other, &len);
	assert_string_equal(now, "my notes\n");
	free(now);
	assert_string_equal(nb_doc_path(doc), path);
	assert_int_equal(nb_doc_save(doc, other, 1, &err), 0);
	assert_string_equal(nb_doc_path(doc), other);

	snprintf(alias, sizeof alias, "%s/./notes.txt", tmpdir);
	assert_int_equal(nb_doc_save(doc, alias, 0, &err), 0);
	unlink(other);
	unlink(path);
	nb_doc_free(doc);
}

/* Parsing every output and writing it gives the same bytes as copying proven-canonical spans:
 * checked on inputs where the canonical check must say no. */
static void test_canonical_check_is_sound(void **state)
{
	static const char *const outs[] = {
		"[{\"output_type\": \"stream\", \"name\": \"stdout\", \"text\": \"a\\nb\"}]",
		"[\n    {\n     \"name\": \"stdout\",\n     \"output_type\": \"stream\",\n     \"text\": [\n      \"a\",\n      \"b\\n\"\n     ]\n    }\n   ]",
		"[\n    {\n     \"name\": \"stdout\",\n     \"output_type\": \"stream\",\n     \"text\": [\n      \"a\\r\",\n      \"\\nb\"\n     ]\n    }\n   ]",
		"[\n    {\n     \"name\": \"stdout\",\n     \"output_type\": \"stream\",\n     \"text\": [\n      \"a\\/\"\n     ]\n    }\n   ]",
		"[\n    {\n     \"data\": {\n      \"image/png\": [\n       \"x\"\n      ]\n     },\n     \"metadata\": {},\n     \"output_type\": \"display_data\"\n    }\n   ]",
		"[\n    {\n     \"data\": {\n      \"text/plain\": \"x\"\n     },\n     \"metadata\": {},\n     \"output_type\": \"display_data\"\n    }\n   ]",
		"[\n    {\n     \"ename\": \"E\",\n     \"output_type\": \"error\",\n     \"text\": [\n      \"x\"\n     ]\n    }\n   ]",
		"[\n    {\n     \"metadata\": {\n      \"f\": 1E5,\n      \"g\": -0,\n      \"h\": 0.10\n     },\n     \"output_type\": \"x\"\n    }\n   ]",
		"[\n    {\n     \"metadata\": {\n      \"b\": 1,\n      \"a\": 2\n     },\n     \"output_type\": \"x\"\n    }\n   ]",
		"[\n    {\n     \"metadata\": {\n      \"a\": \"\\u001B\"\n     },\n     \"output_type\": \"x\"\n    }\n   ]",
		"[\n    {\n     \"name\": \"stdout\",\n     \"output_type\": \"stream\",\n     \"text\": [\n      \"\"\n     ]\n    }\n   ]",
	};
	size_t i;

	for (i = 0; i < sizeof outs / sizeof outs[0]; i++) {
		char *json, *a, *b;
		size_t alen, blen, j;
		struct nb_error err;
		struct nb_doc *doc;

		assert_true(asprintf(&json, "{\n \"cells\": [\n  {\n   \"cell_type\": \"code\",\n"
				     "   \"outputs\": %s\n  }\n ],\n \"nbformat\": 4\n}\n", outs[i]) > 0);
		doc = nb_doc_load_buffer(json, strlen(json), "t", &err);
		assert_non_null(doc);
		assert_non_null(a = nb_doc_serialize(doc, &alen));
		for (j = 0; j < nb_doc_ncells(doc); j++)
			nb_cell_outputs(nb_doc_cell(doc, j));
		assert_non_null(b = nb_doc_serialize(doc, &blen));
		assert_same_bytes(outs[i], b, blen, a, alen);
		assert_string_not_equal(a, json);
		free(a);
		free(b);
		free(json);
		nb_doc_free(doc);
	}
}

static int setup(void **state)
{
	snprintf(tmpdir, sizeof tmpdir, "/tmp/test_nbdoc.XXXXXX");
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **state)
{
	return rmdir(tmpdir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_corpus_roundtrip),
		cmocka_unit_test(test_progressive_equals_load),
		cmocka_unit_test(test_corpus_outputs_canonical),
		cmocka_unit_test(test_noncanonical_like_nbformat),
		cmocka_unit_test(test_lazy_outputs),
		cmocka_unit_test(test_take_outlives_doc),
		cmocka_unit_test(test_edit_changes_only_that_cell),
		cmocka_unit_test(test_old_minor_upgrade),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_warnings_and_repairs),
		cmocka_unit_test(test_new_doc),
		cmocka_unit_test(test_cell_list_ops),
		cmocka_unit_test(test_float_repr),
		cmocka_unit_test(test_save),
		cmocka_unit_test(test_save_refuses),
		cmocka_unit_test(test_progressive_bad_tail),
		cmocka_unit_test(test_canonical_check_is_sound),
	};

	return cmocka_run_group_tests_name("nbdoc", tests, setup, teardown);
}
