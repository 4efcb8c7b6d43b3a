// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * Unit tests for tui/kernel_quirks: backspaces applied as a terminal would (R's help text
 * overstrikes headings: "_\bU" underlines, "B\bB" bolds), never past a line's start, over whole
 * UTF-8 characters.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "tui/kernel_quirks.h"

static void bs(const char *in, const char *want)
{
	char *got = kq_backspaces(in);

	assert_non_null(got);
	assert_string_equal(got, want);
	free(got);
}

static void test_backspaces(void **state)
{
	bs("_\bC_\bo_\bn_\bc_\ba_\bt", "Concat");
	bs("B\bBo\bol\bld\bd text", "Bold text");
	bs("plain\nlines", "plain\nlines");
	bs("\bat start", "at start");
	bs("a\n\bb", "a\nb"); /* not past the line's start */
	bs("\xc3\xa9\b\xc3\xa9!", "\xc3\xa9!");
	bs("ab\b\b\bc", "c");
	bs("", "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_backspaces),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
