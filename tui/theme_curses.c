// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * Theme to ncurses colour pairs (see theme_curses.h). The only part of the theme code that
 * calls curses: it caps the depth by COLORS, turns st_style colours into curses colour numbers
 * (palette index, -1 for the default, or 0xRRGGBB on a direct-colour terminal) and defines one
 * pair per distinct combination.
 */
#include "tui/theme_curses.h"

attr_t theme_curses_attrs(unsigned a)
{
	attr_t r = A_NORMAL;

	if (a & ST_BOLD)
		r |= A_BOLD;
	if (a & ST_DIM)
		r |= A_DIM;
	if (a & ST_ITALIC)
		r |= A_ITALIC;
	if (a & ST_UNDERLINE)
		r |= A_UNDERLINE;
	if (a & ST_INVERSE)
		r |= A_REVERSE;
	return r; /* curses has no strike-through attribute */
}

int theme_curses_color(int c, enum theme_depth depth)
{
	if (c == ST_DEFAULT)
		return -1;
	/* with direct colour (terminfo RGB), 0..7 are the ANSI colours and anything else is an
	 * RGB value, so the rest of the palette goes by its RGB */
	if (depth == THEME_DEPTH_TRUE)
		return ST_IS_RGB(c) || c > 7 ? st_color_rgb(c) : c;
	return c;
}

enum theme_depth theme_curses_depth(enum theme_depth depth)
{
	if (!has_colors())
		return THEME_DEPTH_NONE;
	if (depth == THEME_DEPTH_TRUE && COLORS < 0x1000000)
		depth = THEME_DEPTH_256;
	if (depth == THEME_DEPTH_256 && COLORS < 256)
		depth = THEME_DEPTH_16;
	if (depth == THEME_DEPTH_16 && COLORS < 16)
		depth = THEME_DEPTH_8;
	if (depth == THEME_DEPTH_8 && COLORS < 8)
		depth = THEME_DEPTH_NONE;
	return depth;
}

int theme_apply_curses(const struct theme *t, enum theme_depth depth, attr_t attrs[THEME_NROLES])
{
	int fgs[THEME_NROLES], bgs[THEME_NROLES];
	int npair = 0, r, i, rc = 0;

	depth = theme_curses_depth(depth);
	if (depth != THEME_DEPTH_NONE)
		use_default_colors();
	for (r = 0; r < THEME_NROLES; r++) {
		struct st_style s = theme_get(t, r, depth);
		int fg = theme_curses_color(s.fg, depth), bg = theme_curses_color(s.bg, depth);

		attrs[r] = theme_curses_attrs(s.attrs);
		if (fg == -1 && bg == -1)
			continue;
		for (i = 0; i < npair && (fgs[i] != fg || bgs[i] != bg); i++)
			;
		if (i == npair) {
			if (npair + 1 >= COLOR_PAIRS ||
#if NCURSES_EXT_COLORS
			    init_extended_pair(npair + 1, fg, bg) == ERR
#else
			    init_pair((short)(npair + 1), (short)fg, (short)bg) == ERR
#endif
			) {
				rc = -1;
				continue;
			}
			fgs[npair] = fg;
			bgs[npair] = bg;
			npair++;
		}
		attrs[r] |= COLOR_PAIR(i + 1);
	}
	return rc;
}
