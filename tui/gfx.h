// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * Pixel images on the notebook screen (kitty graphics, sixel, iTerm2 inline images), over the
 * block art that the layout holds for every image (so scrolling, folding and a partly visible
 * image still show the art). The protocol comes from the `images` setting; with auto, from
 * querying the terminal once before curses starts (gfx_detect): the kitty graphics query, the
 * XTVERSION name, the cell size in pixels (CSI 16 t) and DA1 (sixel is attribute 4), DA1 last as
 * the terminal's end of answers. Inside tmux ($TMUX) auto means symbols: tmux redraws its panes
 * from its own grid, so pixels passed through would be left behind or wiped; a protocol set in
 * the config is used there through tmux's passthrough (which needs `allow-passthrough on`,
 * something bobbin cannot ask tmux about from a remote shell).
 *
 * After each screen update (gfx_after_draw) the images wholly on screen are drawn at their art's
 * cells, encoded by libchafa from the decoded pixels (never the notebook's bytes); when the set
 * of images or their places changed, the old ones are deleted first (kitty: a delete command;
 * sixel and iTerm2: a full repaint by curses), so scrolling and resizing leave no garbage.
 */
#ifndef BOBBIN_GFX_H
#define BOBBIN_GFX_H

#include <stddef.h>

#include "tui/mime.h"

struct app;

/* Asks the terminal on fds in/out (both a tty, in raw mode for the time of the queries) what it
 * draws (full: all the queries; else only the cell size and DA1), waiting at most timeout_ms
 * for DA1's answer; returns MIME_IMG_KITTY, _SIXEL, _ITERM or _SYMBOLS, and the cell size in
 * pixels (0 when not told). answer (may be NULL) gets what the terminal sent. */
int gfx_detect(int in, int out, int full, int timeout_ms, int *cell_w, int *cell_h, char *answer,
	       size_t asize);

/* Parses a terminal's answers to the queries (for gfx_detect and the tests). */
int gfx_parse(const char *s, size_t n, int *cell_w, int *cell_h);

/* The protocol used from now on for the setting images (auto: detect unless in tmux; a forced
 * protocol inside tmux is wrapped for tmux's passthrough). */
void gfx_init(int images);
int gfx_mode(void);
/* 1 when the pixel sequences go through tmux's passthrough (gfx_tmux_wrap). */
int gfx_tmux(void);

/* s[0..n) for tmux's passthrough: every string sequence (APC, DCS, OSC, SOS, PM, as kitty,
 * sixel and iTerm2 use) in a DCS "ESC P tmux; ... ESC \" of its own with each ESC doubled; other
 * bytes unchanged. With y, x > 0 each DCS also saves the cursor and moves it to row y, column x
 * of the outer terminal before the sequence (ESC 7, CSI y;x H) and restores it after (ESC 8):
 * tmux writes a passthrough wherever the outer terminal's cursor is. NUL-terminated, caller
 * frees, *outn the length; NULL when out of memory. */
char *gfx_tmux_wrap(const char *s, size_t n, int y, int x, size_t *outn);
void gfx_cell(int *w, int *h);

/* The escape sequences that draw the image (base64 data) as cols×rows cells at the cursor, in
 * mode. Caller frees with g_free (GLib's string); NULL when it does not decode. */
char *gfx_encode(const char *b64, size_t len, int mode, int cols, int rows, size_t *n);

/* After curses' update: the pixel images for what is on screen (no-op in symbols mode). */
void gfx_after_draw(struct app *a);
/* The screen is being cleared (Ctrl-L): every image is drawn again after the update. */
void gfx_forget(void);

#endif
