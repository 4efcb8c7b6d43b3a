// SPDX-License-Identifier: GPL-3.0-or-later
/* mime.h's options for the line-mode front ends: the terminal's size and colours, the config. */
#include <curses.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <term.h>
#include <unistd.h>

#include "tui/config.h"
#include "tui/mime.h"

void mime_opts_tty(struct mime_opts *o, int fd, int color)
{
	static int loaded, colors = -1;
	static struct config cfg;
	struct winsize ws;
	int err = 0;

	if (!loaded) {
		config_defaults(&cfg);
		config_load(&cfg, NULL, NULL, NULL); /* warnings are the notebook screen's to show */
		loaded = 1;
	}
	*o = (struct mime_opts){.width = 80, .images = cfg.images, .image_rows = cfg.image_rows};
	if (ioctl(fd, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0) {
		o->width = ws.ws_col;
		if (ws.ws_xpixel && ws.ws_ypixel && ws.ws_row) {
			o->cell_w = ws.ws_xpixel / ws.ws_col;
			o->cell_h = ws.ws_ypixel / ws.ws_row;
		}
	}
	if (colors < 0) /* terminfo once: setupterm() allocates each time */
		colors = isatty(fd) && setupterm(NULL, fd, &err) == OK ? tigetnum("colors") : 0;
	o->depth = color ? theme_color_depth(colors, getenv("COLORTERM"), getenv("NO_COLOR"))
			 : THEME_DEPTH_NONE;
	o->ascii = 0;
}
