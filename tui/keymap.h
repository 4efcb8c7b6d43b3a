// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * The notebook screen's key bindings: one table of (mode, keys, action name), where keys is one
 * key name or two separated by a space ("d d", "I I"), and one table of the named actions with
 * their help text. The help screen, the man page and the tests read the same tables; the
 * actions themselves live in tui/actions.c. Pure: no curses, no app state.
 */
#ifndef BOBBIN_KEYMAP_H
#define BOBBIN_KEYMAP_H

#include <stddef.h>

#include "tui/keys.h"

enum km_mode { KM_COMMAND, KM_EDIT, KM_PAGER, KM_THREADS, KM_LIST, KM_NMODES };

struct km_binding {
	int mode;
	const char *keys;   /* "j", "S-Enter", "d d" */
	const char *action; /* a name in km_actions */
};

struct km_action {
	const char *name;
	const char *help;
};

/* The tables (static), and their sizes. */
const struct km_binding *km_bindings(size_t *n);
const struct km_action *km_actions(size_t *n);
/* Help text of an action, NULL if there is no such action. */
const char *km_action_help(const char *name);
/* Name of a mode ("command", "edit", …). */
const char *km_mode_name(int mode);

/* Two-key sequences in progress. Zero-initialise. */
struct km_state {
	struct key first;
	int pending;
};

#define KM_PREFIX ((const char *)1)
/* The action bound to k in mode, given what came before: KM_PREFIX when k starts a two-key
 * binding (remembered in st), NULL when k is bound to nothing (a pending prefix is then
 * dropped). Keys must be in normal form (as keys_next() gives them). */
const char *km_lookup(struct km_state *st, int mode, const struct key *k);

/* Calls cb once per action bound in mode, in table order, with every key that runs it joined by
 * ", " ("S-Enter, F5, R"). For the help screen. */
void km_describe(int mode, void (*cb)(void *ud, const char *keys, const char *action,
				      const char *help),
		 void *ud);

#endif
