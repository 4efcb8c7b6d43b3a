// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * The console's colours from the same themes as the notebook screen: the prompts, Out[n] and
 * output labels are drawn in the theme's roles (prompt_in, prompt_out, placeholder), at the
 * colour depth the terminal has. NO_COLOR (or stdout not a terminal) turns every colour off,
 * the kernel's own SGR included. The theme is --theme NAME, else the config's `theme`; a bad
 * one is reported once and the default used.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tui/config.h"
#include "tui/console.h"
#include "tui/theme.h"
#include "tui/tout.h"

/* The terminal's colours from $TERM and $COLORTERM (the console does not use terminfo). */
static int term_colors(void)
{
	const char *t = getenv("TERM");

	if (!t || !*t || !strcmp(t, "dumb"))
		return 0;
	if (strstr(t, "direct"))
		return 1 << 24;
	if (strstr(t, "256"))
		return 256;
	return strstr(t, "16color") ? 16 : 8;
}

static void warn(const char *msg, void *ud)
{
	(void)ud;
	(void)msg; /* the notebook screen reports config problems; the console stays quiet */
}

void con_theme_init(struct console *c, const char *name)
{
	struct config cfg;
	struct theme_dirs dirs;
	struct theme_error err = {0};
	char exe[4096];

	c->depth = theme_color_depth(term_colors(), getenv("COLORTERM"), getenv("NO_COLOR"));
	if (c->depth == THEME_DEPTH_NONE)
		c->color = 0;
	if (!c->color)
		return;
	config_defaults(&cfg);
	config_load(&cfg, NULL, warn, NULL);
	theme_dirs_from_env(&dirs, exe, sizeof exe);
	if (theme_open(name ? name : cfg.theme, &dirs, &c->theme, &err) < 0) {
		tout_fmt(stderr, "bobbin console: using the default theme: %s\n", err.text);
		theme_builtin("default", &c->theme);
	}
}

const char *con_sgr(const struct console *c, int role, char buf[ST_SGR_MAX])
{
	struct st_style st;

	buf[0] = 0;
	if (!c->color)
		return buf;
	if (role < 0) /* back to the terminal's default */
		snprintf(buf, ST_SGR_MAX, "\033[0m");
	else {
		st = theme_get(&c->theme, role, c->depth);
		buf[st_style_sgr(&st, buf)] = 0;
	}
	return buf;
}
