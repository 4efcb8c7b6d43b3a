// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * The notebook screen's key bindings: one table of (mode, keys, action name), where keys is one
 * key name or two separated by a space ("d d", "I I"). The names are rows of the action table
 * in tui/actions.c (name, help, handler); the help screen and the tests read both tables.
 * Pure: no curses, no app state.
 */
#ifndef BOBBIN_KEYMAP_H
#define BOBBIN_KEYMAP_H

#include <stddef.h>

#include "tui/keys.h"

enum km_mode { KM_COMMAND, KM_EDIT, KM_PAGER, KM_THREADS, KM_LIST, KM_NMODES };

struct km_binding {
	int mode;
	const char *keys;   /* "j", "S-Enter", "d d" */
	const char *action; /* a name in the action table (act_find) */
};

/* The table (static), and its size. */
const struct km_binding *km_bindings(size_t *n);
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
void km_describe(int mode, void (*cb)(void *ud, const char *keys, const char *action), void *ud);

#endif
