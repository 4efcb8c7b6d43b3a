// SPDX-License-Identifier: GPL-3.0-or-later
/* Unit tests of the keymap (tui/keymap.c): every binding names a key that parses, no key is
 * bound twice in a mode, two-key sequences, and the byte sequences terminals send for
 * Shift/Ctrl/Alt-Enter reach the run actions through the key decoder. (That every bound name
 * has a handler is test_actions'.) */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "tui/keymap.h"
#include "tui/keys.h"

static void test_table_sane(void **st)
{
	size_t nb;
	const struct km_binding *b = km_bindings(&nb);

	assert_true(nb > 50);
	for (size_t i = 0; i < nb; i++) {
		char first[32];
		struct key k;
		const char *sp = strchr(b[i].keys, ' ');

		snprintf(first, sizeof first, "%.*s", sp ? (int)(sp - b[i].keys) : 31, b[i].keys);
		if (keys_parse_name(first, &k) != 0)
			fail_msg("binding %zu: bad key name %s", i, b[i].keys);
		if (sp && keys_parse_name(sp + 1, &k) != 0)
			fail_msg("binding %zu: bad key name %s", i, b[i].keys);
		for (size_t j = 0; j < i; j++)
			if (b[j].mode == b[i].mode && !strcmp(b[j].keys, b[i].keys))
				fail_msg("%s bound twice in mode %s", b[i].keys,
					 km_mode_name(b[i].mode));
	}
}

/* The action for raw terminal bytes in a mode (the decoder, then the table). */
static const char *action_for(int mode, const char *bytes, size_t n)
{
	struct keys *d = keys_new();
	struct km_state st = {0};
	struct key k;
	const char *a = NULL;

	keys_feed(d, bytes, n);
	keys_timeout(d);
	while (keys_next(d, &k))
		a = km_lookup(&st, mode, &k);
	keys_free(d);
	return a == KM_PREFIX ? "prefix" : a;
}

static void test_run_keys(void **st)
{
	assert_string_equal(action_for(KM_COMMAND, "\033[13;2u", 7), "run-advance");
	assert_string_equal(action_for(KM_COMMAND, "\033[27;2;13~", 10), "run-advance");
	assert_string_equal(action_for(KM_COMMAND, "\033[13;5u", 7), "run");
	assert_string_equal(action_for(KM_COMMAND, "\033[27;5;13~", 10), "run");
	assert_string_equal(action_for(KM_COMMAND, "\033\r", 2), "run-insert");
	assert_string_equal(action_for(KM_EDIT, "\033[13;2u", 7), "run-advance");
	assert_string_equal(action_for(KM_EDIT, "\033\r", 2), "run-insert");
	/* the non-modifier alternatives */
	assert_string_equal(action_for(KM_COMMAND, "\033[15~", 5), "run-advance"); /* F5 */
	assert_string_equal(action_for(KM_COMMAND, "R", 1), "run-advance");
	assert_string_equal(action_for(KM_EDIT, "\033[17~", 5), "run"); /* F6 */
	/* plain Enter edits in command mode and is a new line in edit mode */
	assert_string_equal(action_for(KM_COMMAND, "\r", 1), "edit");
	assert_string_equal(action_for(KM_EDIT, "\r", 1), "newline");
}

static void test_sequences(void **st)
{
	struct km_state s = {0};
	struct key k = {0};

	k.code = 'd';
	assert_ptr_equal(km_lookup(&s, KM_COMMAND, &k), KM_PREFIX);
	assert_string_equal(km_lookup(&s, KM_COMMAND, &k), "cell-delete");
	k.code = 'I';
	assert_ptr_equal(km_lookup(&s, KM_COMMAND, &k), KM_PREFIX);
	assert_string_equal(km_lookup(&s, KM_COMMAND, &k), "interrupt");
	k.code = '0';
	km_lookup(&s, KM_COMMAND, &k);
	assert_string_equal(km_lookup(&s, KM_COMMAND, &k), "restart");
	/* a prefix followed by something else: the second key stands alone */
	k.code = 'g';
	assert_ptr_equal(km_lookup(&s, KM_COMMAND, &k), KM_PREFIX);
	k.code = 'j';
	assert_string_equal(km_lookup(&s, KM_COMMAND, &k), "cell-next");
	/* unbound */
	k.code = 'Q';
	assert_null(km_lookup(&s, KM_COMMAND, &k));
	/* modes are separate: j is line-down in the pager */
	k.code = 'j';
	assert_string_equal(km_lookup(&s, KM_PAGER, &k), "line-down");
	assert_null(km_lookup(&s, KM_EDIT, &k)); /* typed text */
}

struct seen {
	int run, help;
	char run_keys[160];
};

static void describe(void *ud, const char *keys, const char *action)
{
	struct seen *s = ud;

	if (!strcmp(action, "run-advance")) {
		s->run++;
		snprintf(s->run_keys, sizeof s->run_keys, "%s", keys);
	}
	if (!strcmp(action, "help"))
		s->help++;
}

static void test_describe(void **st)
{
	struct seen s = {0};

	km_describe(KM_COMMAND, describe, &s);
	assert_int_equal(s.run, 1); /* one line per action */
	assert_int_equal(s.help, 1);
	assert_string_equal(s.run_keys, "S-Enter, F5, R");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table_sane),
		cmocka_unit_test(test_run_keys),
		cmocka_unit_test(test_sequences),
		cmocka_unit_test(test_describe),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
