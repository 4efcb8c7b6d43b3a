// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * The key binding tables of the notebook screen and their look-up (see keymap.h). Bindings
 * follow Jupyter's command/edit modes; every modifier chord that terminals often cannot send
 * (Shift-Enter, Ctrl-Enter) has a function key and a plain-key alternative in the same row of
 * the help screen.
 */
#include <stdio.h>
#include <string.h>

#include "tui/keymap.h"

static const struct km_binding bindings[] = {
	{KM_COMMAND, "S-Enter", "run-advance"},
	{KM_COMMAND, "F5", "run-advance"},
	{KM_COMMAND, "R", "run-advance"},
	{KM_COMMAND, "C-Enter", "run"},
	{KM_COMMAND, "F6", "run"},
	{KM_COMMAND, "M-Enter", "run-insert"},
	{KM_COMMAND, "F7", "run-insert"},
	{KM_COMMAND, "j", "cell-next"},
	{KM_COMMAND, "Down", "cell-next"},
	{KM_COMMAND, "k", "cell-prev"},
	{KM_COMMAND, "Up", "cell-prev"},
	{KM_COMMAND, "Enter", "edit"},
	{KM_COMMAND, "i", "edit"},
	{KM_COMMAND, "a", "insert-above"},
	{KM_COMMAND, "b", "insert-below"},
	{KM_COMMAND, "d d", "cell-delete"},
	{KM_COMMAND, "z", "undo-cells"},
	{KM_COMMAND, "Z", "redo-cells"},
	{KM_COMMAND, "x", "cut"},
	{KM_COMMAND, "c", "copy"},
	{KM_COMMAND, "v", "paste-below"},
	{KM_COMMAND, "V", "paste-above"},
	{KM_COMMAND, "J", "select-down"},
	{KM_COMMAND, "S-Down", "select-down"},
	{KM_COMMAND, "K", "select-up"},
	{KM_COMMAND, "S-Up", "select-up"},
	{KM_COMMAND, "C-Up", "move-up"},
	{KM_COMMAND, "C-S-Up", "move-up"},
	{KM_COMMAND, "C-Down", "move-down"},
	{KM_COMMAND, "C-S-Down", "move-down"},
	{KM_COMMAND, "M", "merge"},
	{KM_COMMAND, "y", "to-code"},
	{KM_COMMAND, "m", "to-markdown"},
	{KM_COMMAND, "r", "to-raw"},
	{KM_COMMAND, "I I", "interrupt"},
	{KM_COMMAND, "0 0", "restart"},
	{KM_COMMAND, "g g", "top"},
	{KM_COMMAND, "Home", "top"},
	{KM_COMMAND, "G", "bottom"},
	{KM_COMMAND, "End", "bottom"},
	{KM_COMMAND, "PgUp", "page-up"},
	{KM_COMMAND, "PgDn", "page-down"},
	{KM_COMMAND, "/", "search"},
	{KM_COMMAND, "n", "search-next"},
	{KM_COMMAND, "N", "search-prev"},
	{KM_COMMAND, "o", "fold"},
	{KM_COMMAND, "O", "pager"},
	{KM_COMMAND, "e", "image"},
	{KM_COMMAND, "C", "clear-output"},
	{KM_COMMAND, "C-z", "suspend"},
	{KM_COMMAND, "D D", "detach"},
	{KM_COMMAND, "Y", "clipboard-cell"},
	{KM_COMMAND, "g y", "clipboard-output"},
	{KM_COMMAND, "C-s", "save"},
	{KM_COMMAND, "q", "quit"},
	{KM_COMMAND, "h", "help"},
	{KM_COMMAND, "?", "help"},
	{KM_COMMAND, "F1", "help"},
	{KM_COMMAND, ":", "cmdline"},
	{KM_COMMAND, "C-l", "redraw"},
	{KM_COMMAND, "A", "attribution"},
	{KM_COMMAND, "T", "threads"},
	{KM_COMMAND, "W", "misrouted"},

	{KM_EDIT, "Esc", "command-mode"},
	{KM_EDIT, "S-Enter", "run-advance"},
	{KM_EDIT, "F5", "run-advance"},
	{KM_EDIT, "C-Enter", "run"},
	{KM_EDIT, "F6", "run"},
	{KM_EDIT, "M-Enter", "run-insert"},
	{KM_EDIT, "F7", "run-insert"},
	{KM_EDIT, "Left", "left"},
	{KM_EDIT, "Right", "right"},
	{KM_EDIT, "Up", "up"},
	{KM_EDIT, "Down", "down"},
	{KM_EDIT, "C-Left", "word-left"},
	{KM_EDIT, "M-b", "word-left"},
	{KM_EDIT, "C-Right", "word-right"},
	{KM_EDIT, "M-f", "word-right"},
	{KM_EDIT, "Home", "home"},
	{KM_EDIT, "C-a", "home"},
	{KM_EDIT, "End", "end"},
	{KM_EDIT, "C-e", "end"},
	{KM_EDIT, "PgUp", "page-up"},
	{KM_EDIT, "PgDn", "page-down"},
	{KM_EDIT, "Backspace", "backspace"},
	{KM_EDIT, "Delete", "delete"},
	{KM_EDIT, "C-d", "delete"},
	{KM_EDIT, "C-w", "delete-word"},
	{KM_EDIT, "M-Backspace", "delete-word"},
	{KM_EDIT, "Enter", "newline"},
	{KM_EDIT, "Tab", "complete"},
	{KM_EDIT, "S-Tab", "inspect"},
	{KM_EDIT, "C-z", "undo"},
	{KM_EDIT, "C-y", "redo"},
	{KM_EDIT, "C-/", "comment"},
	{KM_EDIT, "C-_", "comment"}, /* Ctrl-/ where the terminal cannot report modified keys */
	{KM_EDIT, "C-S--", "split"},  /* Ctrl-Shift-minus, kitty's report */
	{KM_EDIT, "C-S-_", "split"},  /* Ctrl-Shift-minus, xterm's modifyOtherKeys */
	{KM_EDIT, "M--", "split"},
	{KM_EDIT, "C-s", "save"},
	{KM_EDIT, "C-l", "redraw"},

	{KM_PAGER, "q", "close"},
	{KM_PAGER, "Esc", "close"},
	{KM_PAGER, "j", "line-down"},
	{KM_PAGER, "Down", "line-down"},
	{KM_PAGER, "Enter", "line-down"},
	{KM_PAGER, "k", "line-up"},
	{KM_PAGER, "Up", "line-up"},
	{KM_PAGER, "Space", "page-down"},
	{KM_PAGER, "PgDn", "page-down"},
	{KM_PAGER, "b", "page-up"},
	{KM_PAGER, "PgUp", "page-up"},
	{KM_PAGER, "g", "top"},
	{KM_PAGER, "G", "bottom"},
	{KM_PAGER, "C-l", "redraw"},

	{KM_THREADS, "q", "close"},
	{KM_THREADS, "Esc", "close"},
	{KM_THREADS, "j", "line-down"},
	{KM_THREADS, "Down", "line-down"},
	{KM_THREADS, "k", "line-up"},
	{KM_THREADS, "Up", "line-up"},
	{KM_THREADS, "o", "policy-origin"},
	{KM_THREADS, "c", "policy-current"},
	{KM_THREADS, "a", "policy-auto"},
	{KM_THREADS, "K", "policy-kernel"},
	{KM_THREADS, "d", "default-policy"},
	{KM_THREADS, "i", "toggle-internal"},

	{KM_LIST, "q", "close"},
	{KM_LIST, "Esc", "close"},
	{KM_LIST, "j", "line-down"},
	{KM_LIST, "Down", "line-down"},
	{KM_LIST, "k", "line-up"},
	{KM_LIST, "Up", "line-up"},
	{KM_LIST, "Enter", "select"},
};

#define NBIND (sizeof bindings / sizeof bindings[0])

/* Parsed keys of each binding (first and second), filled on first use. */
static struct key parsed[NBIND][2];
static int nkeys[NBIND];
static int ready;

static void parse_all(void)
{
	for (size_t i = 0; i < NBIND; i++) {
		const char *s = bindings[i].keys, *sp = strchr(s, ' ');
		char a[32];

		if (sp && sp != s) {
			snprintf(a, sizeof a, "%.*s", (int)(sp - s), s);
			nkeys[i] = keys_parse_name(a, &parsed[i][0]) == 0 &&
					   keys_parse_name(sp + 1, &parsed[i][1]) == 0
				   ? 2
				   : 0;
		} else {
			nkeys[i] = keys_parse_name(s, &parsed[i][0]) == 0 ? 1 : 0;
		}
	}
	ready = 1;
}

const struct km_binding *km_bindings(size_t *n)
{
	*n = NBIND;
	return bindings;
}

const char *km_mode_name(int mode)
{
	static const char *const names[] = {"command", "edit", "pager", "threads", "list"};
	return mode >= 0 && mode < KM_NMODES ? names[mode] : "?";
}

static int same(const struct key *a, const struct key *b)
{
	return a->code == b->code && a->mods == b->mods;
}

const char *km_lookup(struct km_state *st, int mode, const struct key *k)
{
	size_t i;

	if (!ready)
		parse_all();
	if (st->pending) {
		st->pending = 0;
		for (i = 0; i < NBIND; i++)
			if (bindings[i].mode == mode && nkeys[i] == 2 &&
			    same(&parsed[i][0], &st->first) && same(&parsed[i][1], k))
				return bindings[i].action;
		/* not a sequence: the second key stands on its own */
	}
	for (i = 0; i < NBIND; i++)
		if (bindings[i].mode == mode && nkeys[i] == 2 && same(&parsed[i][0], k)) {
			st->first = *k;
			st->pending = 1;
			return KM_PREFIX;
		}
	for (i = 0; i < NBIND; i++)
		if (bindings[i].mode == mode && nkeys[i] == 1 && same(&parsed[i][0], k))
			return bindings[i].action;
	return NULL;
}

void km_describe(int mode, void (*cb)(void *ud, const char *keys, const char *action), void *ud)
{
	for (size_t i = 0; i < NBIND; i++) {
		char keys[160] = "";
		size_t j, len = 0;
		int seen = 0;

		if (bindings[i].mode != mode)
			continue;
		for (j = 0; j < i && !seen; j++)
			seen = bindings[j].mode == mode && !strcmp(bindings[j].action,
								   bindings[i].action);
		if (seen)
			continue;
		for (j = i; j < NBIND; j++)
			if (bindings[j].mode == mode && !strcmp(bindings[j].action, bindings[i].action))
				len += (size_t)snprintf(keys + len, len < sizeof keys ? sizeof keys - len : 0,
							"%s%s", len ? ", " : "", bindings[j].keys);
		cb(ud, keys, bindings[i].action);
	}
}
