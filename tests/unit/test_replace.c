// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * Find and replace (tui/replace.c): parsing (delimiters, escaped delimiters, flags, errors),
 * first match per line vs g, & and \1 in the replacement, \n, empty matches, anchors per line.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "tui/replace.h"

#define sub(cmd, src, want, n) sub_at(cmd, src, want, n, __LINE__)
static void sub_at(const char *cmd, const char *src, const char *want, size_t want_n, int line)
{
	struct rp r;
	char err[256] = "";
	size_t n = 99;
	char *got;

	if (rp_parse(&r, cmd, err, sizeof err) < 0)
		fail_msg("line %d: %s: %s", line, cmd, err);
	got = rp_apply(&r, src, &n);
	assert_non_null(got);
	if (strcmp(got, want) || n != want_n)
		fail_msg("line %d: %s on \"%s\": got \"%s\" (%zu), want \"%s\" (%zu)", line, cmd,
		         src, got, n, want, want_n);
	free(got);
	rp_free(&r);
}

static void test_apply(void **state)
{
	(void)state;
	sub("s/a/b/", "aaa\naa", "baa\nba", 2);
	sub("s/a/b/g", "aaa\naa", "bbb\nbb", 5);
	sub("%s/x+/<&>/g", "x xx y", "<x> <xx> y", 2);
	sub("s/(\\w+)=(\\w+)/\\2=\\1/", "a=b c=d", "b=a c=d", 1);
	sub("s#/usr#/opt#g", "/usr/bin:/usr/lib", "/opt/bin:/opt/lib", 2);
	sub("s/\\//|/g", "a/b/c", "a|b|c", 2);
	sub("s/; /\\n/g", "a; b; c", "a\nb\nc", 2);
	sub("s/^/# /", "a\nb", "# a\n# b", 2);
	sub("s/$/;/", "a\nb", "a;\nb;", 2);
	sub("s/x*/-/g", "abc", "-a-b-c-", 4);
	sub("s/é/e/g", "café été", "cafe ete", 3);
	sub("s/nothing/x/g", "abc", "abc", 0);
	sub("s/a/\\&\\\\/", "a", "&\\", 1);
}

static void test_parse(void **state)
{
	struct rp r;
	char err[256];

	(void)state;
	assert_true(rp_is_subst("s/a/b/"));
	assert_true(rp_is_subst(":%s/a/b/"));
	assert_false(rp_is_subst("set number"));
	assert_false(rp_is_subst("s"));
	assert_int_equal(rp_parse(&r, "%s/a/b/gc", err, sizeof err), 0);
	assert_true(r.all_cells && r.global && r.confirm);
	rp_free(&r);
	assert_int_equal(rp_parse(&r, "s/a/b/x", err, sizeof err), -1);
	assert_non_null(strstr(err, "unknown flag 'x'"));
	rp_free(&r);
	assert_int_equal(rp_parse(&r, "s/(/b/", err, sizeof err), -1);
	assert_non_null(strstr(err, "bad pattern"));
	rp_free(&r);
	assert_int_equal(rp_parse(&r, "s//b/", err, sizeof err), -1);
	rp_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {cmocka_unit_test(test_apply),
	                                   cmocka_unit_test(test_parse)};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
