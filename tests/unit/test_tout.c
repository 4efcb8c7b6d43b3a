// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * Unit tests for tui/tout, the terminal output sink: tout_fmt formats numbers, widths and
 * precisions as printf does, shows every control in a %s argument as a visible placeholder (so an
 * unterminated OSC cannot swallow the rest of the message), tout_text keeps only normalised SGR,
 * and tout_stream carries a colour from one call to the next and resets it when asked. Output goes
 * to a temporary file read back byte for byte.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "tui/tout.h"

static char got[4096];

static FILE *open_tmp(void)
{
	FILE *f = tmpfile();

	assert_non_null(f);
	return f;
}

/* Reads back what was written to f, closes it. */
static const char *read_back(FILE *f)
{
	size_t n;

	rewind(f);
	n = fread(got, 1, sizeof got - 1, f);
	got[n] = 0;
	fclose(f);
	return got;
}

static void test_fmt_numbers(void **state)
{
	FILE *f = open_tmp();

	tout_fmt(f, "%d|%5d|%-3s|%.2s|%*d|%.*s|%ld|%lld|%zu|%.1f|%x|%c|%%|%u\n", -4, 42, "a", "xyz",
		 4, 7, 2, "hello", 123456789L, -5LL, (size_t)9, 2.25, 255, 'q', 7u);
	assert_string_equal(read_back(f), "-4|   42|a  |xy|   7|he|123456789|-5|9|2.2|ff|q|%|7\n");
}

static void test_fmt_hostile_argument(void **state)
{
	FILE *f = open_tmp();

	tout_fmt(f, "kernel \"%s\" (from %s) is not installed\n",
		 "\033]0;pwned\007\033]52;c;cHduZWQ=\007\033[2J", "\033]0;unterminated");
	assert_string_equal(read_back(f), "kernel \"^[]0;pwned^G^[]52;c;cHduZWQ=^G^[[2J\" (from "
					  "^[]0;unterminated) is not installed\n");
	f = open_tmp();
	tout_fmt(f, "[%s output]\n", "\xc2\x9b" "2J\xe2\x80\xae" "x");
	assert_string_equal(read_back(f), "[<U+009B>2J<U+202E>x output]\n");
	f = open_tmp();
	tout_fmt(f, "%s|%s\n", "", "\t\001");
	assert_string_equal(read_back(f), "|\t^A\n");
}

static void test_fmt_long(void **state)
{
	char big[3000];
	FILE *f = open_tmp();

	memset(big, 'z', sizeof big - 1);
	big[sizeof big - 1] = 0;
	tout_fmt(f, "<%s>", big);
	read_back(f);
	assert_int_equal(strlen(got), sizeof big + 1);
	assert_int_equal(got[0], '<');
	assert_int_equal(got[sizeof big], '>');
}

static void test_text(void **state)
{
	FILE *f = open_tmp();

	tout_text(f, "\033[31mred\033[0m\033]0;t\007 \033[2Jok", 26, 1);
	assert_string_equal(read_back(f), "\033[0;31mred\033[0m ok");
	f = open_tmp();
	tout_text(f, "\033[31mred\033[0m\033]0;t\007 \033[2Jok", 26, 0);
	assert_string_equal(read_back(f), "red ok");
}

static void test_stream_carries_colour(void **state)
{
	FILE *f = open_tmp();

	tout_stream(f, "\033[32mOut[1]: ", 13, 1);
	tout_stream(f, "42\033[0m\n", 7, 1);
	tout_stream(f, "\033]0;t\007plain\n", 13, 1);
	assert_string_equal(read_back(f), "\033[0;32mOut[1]: 42\033[0m\nplain\n");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_fmt_numbers),
	    cmocka_unit_test(test_fmt_hostile_argument),
	    cmocka_unit_test(test_fmt_long),
	    cmocka_unit_test(test_text),
	    cmocka_unit_test(test_stream_carries_colour),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
