// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * Applying a theme to ncurses: each role becomes an attr_t (attributes | COLOR_PAIR(n)) for
 * wattrset()/wbkgdset(). Kept apart from tui/theme.h so the pure theme code and its tests need
 * no curses. The view calls it once after start_color() and again after a theme change.
 */
#ifndef BOBBIN_THEME_CURSES_H
#define BOBBIN_THEME_CURSES_H

#include <curses.h>

#include "tui/theme.h"

/*
 * Fills attrs[role] for every role. depth is what the terminal was detected to have
 * (theme_color_depth()); it is lowered further to what curses can draw (COLORS, direct colour
 * only with an RGB terminfo entry). Colour pairs 1..k (k <= THEME_NROLES, one per distinct
 * fg/bg combination) are (re)defined; other code should take its pairs with alloc_pair(),
 * which hands out unused numbers first (it recycles only once all COLOR_PAIRS are taken).
 * Calls use_default_colors() so ST_DEFAULT is the terminal's own colour. Returns 0, or -1 if
 * some colour could not be set (those roles then keep only their attributes). Must run after
 * initscr() and start_color().
 */
int theme_apply_curses(const struct theme *t, enum theme_depth depth, attr_t attrs[THEME_NROLES]);

/* The depth curses can draw (COLORS, has_colors()) for a detected depth; after initscr(). */
enum theme_depth theme_curses_depth(enum theme_depth depth);
/* A curses colour number for an st_style colour already at this depth: -1 for ST_DEFAULT, a
 * palette index, or 0xRRGGBB on a direct-colour terminal. */
int theme_curses_color(int c, enum theme_depth depth);
/* Curses attributes for ST_BOLD, ST_DIM, ... (curses has no strike-through). */
attr_t theme_curses_attrs(unsigned a);

#endif
