// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * Undo and redo of cell operations (notebook/nb_undo.c) on a real document: insert, delete,
 * move, merge, type change, the empty-notebook case, redo dropped by a new step, the step
 * limit, and cell ids kept across undo and redo.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "notebook/nb_undo.h"

/* The sources joined with '|'. */
static const char *srcs(struct nb_doc *d)
{
	static char buf[1024];

	buf[0] = 0;
	for (size_t i = 0; i < nb_doc_ncells(d); i++) {
		if (i)
			strcat(buf, "|");
		strcat(buf, nb_cell_source(nb_doc_cell(d, i)));
	}
	return buf;
}

static struct nb_doc *mk(void)
{
	struct nb_doc *d = nb_doc_new();

	assert_non_null(d);
	nb_cell_set_source(nb_doc_cell(d, 0), "a");
	nb_cell_set_source(nb_doc_insert(d, 1, NB_CODE), "b");
	nb_cell_set_source(nb_doc_insert(d, 2, NB_CODE), "c");
	return d;
}

static void test_ops(void **state)
{
	struct nb_doc *d = mk();
	struct nb_undo *u = nb_undo_new();
	char id_b[80];
	size_t at, n;

	(void)state;
	snprintf(id_b, sizeof id_b, "%s", nb_cell_id(nb_doc_cell(d, 1)));
	/* delete b */
	nb_undo_begin(u, d, 1, 1);
	nb_cell_free(nb_doc_take(d, 1));
	nb_undo_end(u, d);
	assert_string_equal(srcs(d), "a|c");
	/* insert x at 0 */
	nb_undo_begin(u, d, 0, 0);
	nb_cell_set_source(nb_doc_insert(d, 0, NB_CODE), "x");
	nb_undo_end(u, d);
	assert_string_equal(srcs(d), "x|a|c");
	/* move a down (swap 1 and 2) */
	nb_undo_begin(u, d, 1, 2);
	nb_doc_put(d, 2, nb_doc_take(d, 1));
	nb_undo_end(u, d);
	assert_string_equal(srcs(d), "x|c|a");
	/* merge c and a */
	nb_undo_begin(u, d, 1, 2);
	nb_cell_set_source(nb_doc_cell(d, 1), "c\na");
	nb_cell_free(nb_doc_take(d, 2));
	nb_undo_end(u, d);
	assert_string_equal(srcs(d), "x|c\na");
	/* type change */
	nb_undo_begin(u, d, 0, 1);
	nb_cell_set_type(nb_doc_cell(d, 0), NB_MARKDOWN);
	nb_undo_end(u, d);

	assert_int_equal(nb_undo_undo(u, d, &at, &n), 1);
	assert_int_equal(nb_cell_type(nb_doc_cell(d, 0)), NB_CODE);
	assert_int_equal(nb_undo_undo(u, d, &at, &n), 1);
	assert_string_equal(srcs(d), "x|c|a");
	assert_int_equal(at, 1);
	assert_int_equal(n, 2);
	assert_int_equal(nb_undo_undo(u, d, NULL, NULL), 1);
	assert_string_equal(srcs(d), "x|a|c");
	assert_int_equal(nb_undo_undo(u, d, NULL, NULL), 1);
	assert_string_equal(srcs(d), "a|c");
	assert_int_equal(nb_undo_undo(u, d, &at, &n), 1);
	assert_string_equal(srcs(d), "a|b|c");
	assert_string_equal(nb_cell_id(nb_doc_cell(d, 1)), id_b); /* the same cell, same id */
	assert_int_equal(nb_undo_undo(u, d, NULL, NULL), 0);

	assert_int_equal(nb_undo_redo(u, d, NULL, NULL), 1);
	assert_int_equal(nb_undo_redo(u, d, NULL, NULL), 1);
	assert_string_equal(srcs(d), "x|a|c");
	/* a new step drops what could be redone */
	nb_undo_begin(u, d, 3, 0);
	nb_doc_insert(d, 3, NB_RAW);
	nb_undo_end(u, d);
	assert_int_equal(nb_undo_redo(u, d, NULL, NULL), 0);
	assert_int_equal(nb_undo_undo(u, d, NULL, NULL), 1);
	assert_string_equal(srcs(d), "x|a|c");
	nb_undo_free(u);
	nb_doc_free(d);
}

/* Deleting the only cell leaves an empty one in its place; undo brings the cell back. */
static void test_last_cell(void **state)
{
	struct nb_doc *d = nb_doc_new();
	struct nb_undo *u = nb_undo_new();

	(void)state;
	nb_cell_set_source(nb_doc_cell(d, 0), "only");
	nb_undo_begin(u, d, 0, 1);
	nb_cell_free(nb_doc_take(d, 0));
	nb_doc_insert(d, 0, NB_CODE);
	nb_undo_end(u, d);
	assert_string_equal(srcs(d), "");
	assert_int_equal(nb_undo_undo(u, d, NULL, NULL), 1);
	assert_string_equal(srcs(d), "only");
	assert_int_equal(nb_doc_ncells(d), 1);
	nb_undo_free(u);
	nb_doc_free(d);
}

/* Past NB_UNDO_MAX steps the oldest go; an end without a begin records nothing. */
static void test_limit(void **state)
{
	struct nb_doc *d = nb_doc_new();
	struct nb_undo *u = nb_undo_new();
	int k = 0;

	(void)state;
	nb_undo_end(u, d);
	assert_int_equal(nb_undo_undo(u, d, NULL, NULL), 0);
	for (int i = 0; i < NB_UNDO_MAX + 10; i++) {
		nb_undo_begin(u, d, 0, 0);
		nb_doc_insert(d, 0, NB_CODE);
		nb_undo_end(u, d);
	}
	while (nb_undo_undo(u, d, NULL, NULL))
		k++;
	assert_int_equal(k, NB_UNDO_MAX);
	assert_int_equal(nb_doc_ncells(d), 11);
	nb_undo_free(u);
	nb_undo_free(NULL);
	nb_doc_free(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_ops),
	    cmocka_unit_test(test_last_cell),
	    cmocka_unit_test(test_limit),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
