// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * Unit tests of the notebook screen's tables: every action a key binding names has a row with
 * a handler and help in the action table (tui/actions.c), action names are unique, the `:`
 * command table (tui/cmdline.c) has unique names with help, and the help screen lists exactly
 * the commands of the table and every bound action's help; act_run() says when an action does
 * not exist; the mode stack calls enter and leave, and keys, drawing and the bottom line go to
 * the right mode.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "tui/app.h"

static void test_every_binding_has_a_handler(void **st)
{
	size_t nb;
	const struct km_binding *b = km_bindings(&nb);

	for (size_t i = 0; i < nb; i++) {
		const struct act_entry *e = act_find(b[i].action);

		if (!e || !e->fn || !e->help || !e->help[0])
			fail_msg("%s (%s mode) is bound to %s, which has no handler", b[i].keys,
			         km_mode_name(b[i].mode), b[i].action);
	}
}

static void test_action_names_unique(void **st)
{
	size_t n;
	const struct act_entry *t = act_table(&n);

	assert_true(n > 40);
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < i; j++)
			if (!strcmp(t[i].name, t[j].name))
				fail_msg("action %s twice", t[i].name);
}

static void test_commands_unique(void **st)
{
	size_t n;
	const struct cl_command *c = cl_commands(&n);

	assert_true(n > 15);
	for (size_t i = 0; i < n; i++) {
		assert_non_null(c[i].fn);
		assert_true(c[i].help && c[i].help[0]);
		assert_null(strchr(c[i].name, ' '));
		for (size_t j = 0; j < i; j++)
			if (!strcmp(c[i].name, c[j].name))
				fail_msg(":%s twice", c[i].name);
	}
}

/* The text of row r of a layout (its spans joined). */
static void row_text(const struct rd_layout *l, size_t r, char *buf, size_t size)
{
	size_t o = 0;

	for (unsigned i = 0; i < l->rows[r].nspans; i++) {
		const struct rd_span *sp = &l->spans[l->rows[r].span0 + i];
		size_t n = sp->len < size - 1 - o ? sp->len : size - 1 - o;

		memcpy(buf + o, l->text + sp->off, n);
		o += n;
	}
	buf[o] = 0;
}

/* The commands the help screen lists (rows "  :NAME ..." under its "Command line" heading) are
 * the table's, each once, with the table's help. */
static void test_help_lists_the_command_table(void **st)
{
	struct rd_layout l = {0};
	size_t n, listed = 0;
	const struct cl_command *c = cl_commands(&n);
	int *seen = calloc(n, sizeof *seen), section = 0;

	act_help(&l);
	for (size_t r = 0; r < l.nrows; r++) {
		char t[512], name[64];
		size_t k;

		row_text(&l, r, t, sizeof t);
		if (!strncmp(t, "Command line (:)", 16))
			section = 1;
		if (!section || strncmp(t, "  :", 3))
			continue;
		sscanf(t + 3, "%63s", name);
		name[strcspn(name, "/")] = 0; /* ":s/PAT/REP/" */
		for (k = 0; k < n && strcmp(c[k].name, name); k++)
			;
		if (k == n)
			fail_msg("the help lists :%s, which is no command", name);
		if (seen[k]++)
			fail_msg("the help lists :%s twice", name);
		if (!strstr(t, c[k].help))
			fail_msg("the help of :%s is not the table's", name);
		listed++;
	}
	for (size_t k = 0; k < n; k++)
		if (!seen[k])
			fail_msg("the help does not list :%s", c[k].name);
	assert_int_equal(listed, n);
	free(seen);
	rd_layout_clear(&l);
}

/* Every bound action's help is on the help screen. */
static void test_help_lists_bound_actions(void **st)
{
	struct rd_layout l = {0};
	size_t nb;
	const struct km_binding *b = km_bindings(&nb);
	char *all = NULL;
	size_t len = 0;

	act_help(&l);
	for (size_t r = 0; r < l.nrows; r++) {
		char t[512];

		row_text(&l, r, t, sizeof t);
		all = realloc(all, len + strlen(t) + 2);
		memcpy(all + len, t, strlen(t));
		len += strlen(t);
		all[len++] = '\n';
		all[len] = 0;
	}
	for (size_t i = 0; i < nb; i++)
		if (!strstr(all, act_find(b[i].action)->help))
			fail_msg("the help lacks %s", b[i].action);
	for (const char *const *c = (const char *const[]){"  :noh", "  :x ", "  :e! ", NULL}; *c;
	     c++)
		if (!strstr(all, *c))
			fail_msg("the help lacks %s", *c);
	free(all);
	rd_layout_clear(&l);
}

/* A screen with nothing but the cells mode: enough for the tables and the stack, no curses. */
static void app_min(struct app *a)
{
	memset(a, 0, sizeof *a);
	a->modes[0] = (struct mode_entry){&mode_cells, NULL};
	a->nmodes = 1;
}

static void test_unknown_action_says_so(void **st)
{
	struct app a;

	app_min(&a);
	assert_int_equal(act_run(&a, "no-such-action"), -1);
	assert_non_null(strstr(a.msg, "no-such-action: no such action"));
	assert_int_equal(a.msg_err, 1);
}

/* A test mode that records what the stack did to it. */
static int entered, left, keys, drawn, overlaid;

static void t_enter(struct app *a, void *data)
{
	entered++;
}

static void t_leave(struct app *a, void *data)
{
	left++;
	free(data);
}

static enum mode_result t_key(struct app *a, void *data, const struct key *k)
{
	keys++;
	return k->code == 'x' ? MODE_IGNORED : MODE_REDRAW;
}

static void t_overlay(struct app *a, void *data, struct mode_cursor *cur)
{
	overlaid++;
	cur->y = 7;
}

static void t_draw(struct app *a, void *data, struct mode_cursor *cur)
{
	drawn++;
	cur->y = 3;
}

static void t_status(struct app *a, void *data, struct mode_status *s)
{
	s->label = "T";
}

static const struct mode t_full = {.name = "full",
                                   .enter = t_enter,
                                   .leave = t_leave,
                                   .key = t_key,
                                   .draw = t_draw,
                                   .status = t_status};
static const struct mode t_over = {
    .name = "over", .enter = t_enter, .leave = t_leave, .key = t_key, .overlay = t_overlay};

static void test_mode_stack(void **st)
{
	struct app a;
	struct key k = {.code = 'y'};
	struct mode_cursor cur = {-1, -1};
	struct mode_status s;

	app_min(&a);
	entered = left = keys = drawn = overlaid = 0;
	mode_push(&a, &t_full, malloc(8));
	mode_push(&a, &t_over, malloc(8));
	assert_int_equal(entered, 2);
	assert_ptr_equal(mode_top(&a), &t_over);
	assert_true(mode_on(&a, &t_full));
	assert_int_equal(act_key(&a, &k), MODE_REDRAW);
	k.code = 'x';
	assert_int_equal(act_key(&a, &k), MODE_IGNORED);
	assert_int_equal(keys, 2);
	k.code = K_FOCUS_IN; /* never reaches a mode */
	assert_int_equal(act_key(&a, &k), MODE_HANDLED);
	assert_int_equal(keys, 2);
	/* the topmost mode that draws, then the overlays above it; the status from below */
	mode_draw(&a, &cur);
	assert_int_equal(drawn, 1);
	assert_int_equal(overlaid, 1);
	assert_int_equal(cur.y, 7);
	mode_status(&a, &s);
	assert_string_equal(s.label, "T");
	/* popping frees; the cells at the bottom are never popped */
	mode_reset(&a);
	assert_int_equal(left, 2);
	assert_int_equal(a.nmodes, 1);
	mode_pop(&a);
	assert_int_equal(a.nmodes, 1);
	assert_ptr_equal(mode_top(&a), &mode_cells);
	/* a full stack refuses, and frees what it was given */
	for (int i = 0; i < MODE_DEPTH + 2; i++)
		mode_push(&a, &t_full, malloc(8));
	assert_int_equal(a.nmodes, MODE_DEPTH);
	assert_int_equal(left, 2 + 3);
	mode_reset(&a);
	assert_int_equal(left, 2 + 3 + MODE_DEPTH - 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_every_binding_has_a_handler),
	    cmocka_unit_test(test_action_names_unique),
	    cmocka_unit_test(test_commands_unique),
	    cmocka_unit_test(test_help_lists_the_command_table),
	    cmocka_unit_test(test_help_lists_bound_actions),
	    cmocka_unit_test(test_unknown_action_says_so),
	    cmocka_unit_test(test_mode_stack),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
