// SPDX-License-Identifier: GPL-3.0-or-later
/* The OSC 52 clipboard sequence (tui/osc52.c): base64 of every length mod 3, control bytes
 * encoded (never raw), the size limit. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "tui/osc52.h"

static void is(const char *s, size_t n, const char *want)
{
	char *q = osc52_seq(s, n);

	assert_non_null(q);
	assert_string_equal(q, want);
	free(q);
}

static void test_seq(void **state)
{
	char *big;

	(void)state;
	is("", 0, "\033]52;c;\a");
	is("f", 1, "\033]52;c;Zg==\a");
	is("fo", 2, "\033]52;c;Zm8=\a");
	is("foo", 3, "\033]52;c;Zm9v\a");
	is("foobar", 6, "\033]52;c;Zm9vYmFy\a");
	is("\033]0;x\a\n\xff", 8, "\033]52;c;G10wO3gHCv8=\a");
	big = calloc(1, OSC52_MAX + 1);
	assert_non_null(big);
	assert_null(osc52_seq(big, OSC52_MAX + 1));
	free(big);
}

int main(void)
{
	const struct CMUnitTest tests[] = {cmocka_unit_test(test_seq)};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
