// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * Pixel images on the notebook screen (kitty graphics, sixel, iTerm2 inline images), over the
 * block art that the layout holds for every image (so scrolling, folding and a partly visible
 * image still show the art). The protocol comes from the `images` setting; with auto, from
 * querying the terminal at start (gfx_init): the kitty graphics query, the XTVERSION name, the
 * cell size in pixels (CSI 16 t) and DA1 (sixel is attribute 4), DA1 last as the terminal's end
 * of answers. The answers are not waited for: the key reader hands them over (gfx_reply) and the
 * images switch from block art to pixels when they come, so the first screen never waits for a
 * slow link or for a terminal that answers nothing. Inside tmux ($TMUX) auto means symbols: tmux redraws its panes
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

/* Parses a terminal's answers to the queries (for gfx_reply and the tests). */
int gfx_parse(const char *s, size_t n, int *cell_w, int *cell_h);

/* The protocol used from now on for the setting images: auto starts as symbols and asks the
 * terminal on stdout, without waiting (gfx_reply takes the answers); inside tmux auto asks
 * nothing and stays symbols, and a forced protocol is wrapped for tmux's passthrough. */
void gfx_init(int images);
/* A terminal reply the key reader set aside (keys_on_reply). 1 when the answers, complete with
 * DA1's, changed the protocol or the cell size: images must be laid out and drawn again. */
int gfx_reply(const char *s, size_t n);
/* keys_on_reply's function for the notebook screen (ctx: the app): gfx_reply, then everything
 * laid out and drawn again if it changed. */
void gfx_on_reply(void *ctx, const char *s, size_t n);
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

/* For a line-mode front end (console, exec): the sequence drawing the image at the cursor in
 * o->images (kitty, sixel or iterm; NULL for any other setting), *rows rows high, at the size
 * img_fit gives for o (the block art's) and o's cell size. Caller frees with g_free; NULL also
 * when it does not decode. */
char *gfx_encode_fit(const char *b64, size_t len, const struct mime_opts *o, int *rows,
		     size_t *n);

/* After curses' update: the pixel images for what is on screen (no-op in symbols mode). */
void gfx_after_draw(struct app *a);
/* The screen is being cleared (Ctrl-L): every image is drawn again after the update. */
void gfx_forget(void);

#endif
