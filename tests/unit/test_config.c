// SPDX-License-Identifier: GPL-3.0-or-later
/* The config file: values, sizes, warnings with file:line for unknown keys and bad values. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tui/config.h"

static char warnings[2048];

static void collect(const char *msg, void *ud)
{
	strcat(warnings, msg);
	strcat(warnings, "\n");
}

static void test_defaults_and_file(void **state)
{
	struct config c;
	char path[] = "/tmp/bobbin-config-XXXXXX";
	int fd = mkstemp(path);
	FILE *f = fdopen(fd, "w");

	fputs("# a comment\n\nsave_attribution = false\noutput_limit = 2M\ntheme=light\n"
	      "fold_height = 7\nfoo = 1\nrouting = sideways\nmouse = yes\nnot a line\n",
	      f);
	fclose(f);
	config_defaults(&c);
	assert_int_equal(c.save_attribution, 1);
	assert_int_equal(c.output_limit, 10 << 20);
	warnings[0] = 0;
	config_load(&c, path, collect, NULL);
	assert_int_equal(c.save_attribution, 0);
	assert_int_equal(c.output_limit, 2 << 20);
	assert_string_equal(c.theme, "light");
	assert_int_equal(c.fold_height, 7);
	assert_int_equal(c.mouse, 1);
	assert_string_equal(c.routing, "kernel"); /* the bad value left the default */
	assert_non_null(strstr(warnings, ":7: unknown key \"foo\""));
	assert_non_null(strstr(warnings, ":8: routing: \"sideways\""));
	assert_non_null(strstr(warnings, ":10: expected key = value"));
	assert_non_null(strstr(warnings, path));
	remove(path);
}

static void test_missing_file_is_quiet(void **state)
{
	struct config c;

	config_defaults(&c);
	warnings[0] = 0;
	config_load(&c, "/nonexistent/bobbin/config", collect, NULL);
	assert_string_equal(warnings, "");
}

static void test_sizes(void **state)
{
	assert_int_equal(config_parse_size("0"), 0);
	assert_int_equal(config_parse_size("512k"), 512 * 1024);
	assert_int_equal(config_parse_size("10MB"), 10 << 20);
	assert_int_equal(config_parse_size("1G"), 1LL << 30);
	assert_int_equal(config_parse_size("ten"), -1);
	/* overflow is refused, not wrapped (2^54 + 1 kilobytes used to be 1 KB) */
	assert_int_equal(config_parse_size("18014398509481985k"), -1);
	assert_int_equal(config_parse_size("9223372036854775807"), 9223372036854775807LL);
	assert_int_equal(config_parse_size("8589934592G"), -1);
	assert_int_equal(config_parse_size("8589934591G"), 8589934591LL << 30);
	assert_int_equal(config_parse_size("99999999999999999999"), -1);
	assert_int_equal(config_parse_size("5x"), -1);
	assert_int_equal(config_parse_size("-1"), -1);
}

/* vim's :set number / nonumber / nu / nonu; with a value they are left alone (unknown keys). */
static void test_vim_alias(void **state)
{
	char key[64];
	const char *v = "";

	(void)state;
	snprintf(key, sizeof key, "number");
	assert_int_equal(config_vim_alias(key, sizeof key, &v), 1);
	assert_string_equal(key, "line_numbers");
	assert_string_equal(v, "true");
	snprintf(key, sizeof key, "nonu");
	v = "";
	assert_int_equal(config_vim_alias(key, sizeof key, &v), 1);
	assert_string_equal(v, "false");
	snprintf(key, sizeof key, "number");
	v = "3";
	assert_int_equal(config_vim_alias(key, sizeof key, &v), 0);
	snprintf(key, sizeof key, "theme");
	v = "";
	assert_int_equal(config_vim_alias(key, sizeof key, &v), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vim_alias),
	    cmocka_unit_test(test_defaults_and_file),
		cmocka_unit_test(test_missing_file_is_quiet),
		cmocka_unit_test(test_sizes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
