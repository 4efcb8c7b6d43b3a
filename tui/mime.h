// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * Rich outputs as text: which MIME type of an output's data bundle is shown, and the text it is
 * shown as, at a width. Shared by the notebook screen (render.c), the console and `bobbin exec`.
 *
 * The order (docs/outputs.md): an image (image/png, image/jpeg) as character-cell art when
 * images are on and the terminal has colours; text/markdown through the markdown renderer;
 * then, only when text/plain is missing or is just an object's default repr ("<… object>",
 * "<… at 0x…>"), text/latex with common symbols as Unicode, a text/html <table> as a text
 * table; text/plain itself; with no text/plain, application/json pretty-printed, other
 * text/html with its tags stripped, a widget view as a one-line note naming it. Anything else
 * is left to the caller (a one-line placeholder).
 *
 * Safety: the text returned holds only bobbin's own SGR sequences ("ESC [ … m") around text
 * that went through safetext first, so a caller parsing it with st_parse() gets styles and safe
 * text, and untrusted bytes never become control sequences.
 */
#ifndef BOBBIN_MIME_H
#define BOBBIN_MIME_H

#include <stddef.h>
#include <jansson.h>

#include "tui/theme.h"

enum mime_images {
	MIME_IMG_AUTO,
	MIME_IMG_KITTY,
	MIME_IMG_SIXEL,
	MIME_IMG_ITERM,
	MIME_IMG_SYMBOLS,
	MIME_IMG_NONE
};

struct mime_opts {
	int width;              /* columns the text may use */
	int image_rows;         /* most rows an image takes (0: MIME_IMAGE_ROWS) */
	int images;             /* enum mime_images: NONE shows placeholders */
	enum theme_depth depth; /* THEME_DEPTH_NONE: images are placeholders */
	int ascii;              /* no UTF-8 on the terminal */
	int cell_w, cell_h;     /* a cell's size in pixels when known (0: 8×16) */
};

#define MIME_IMAGE_ROWS 16

/* The images setting's name ("auto", …, "none") and back; -1 for an unknown name. */
const char *mime_images_name(int images);
int mime_images_parse(const char *s);

/*
 * The text the data bundle shows as (see the order above), with SGR sequences for styles;
 * caller frees. NULL when text/plain (or the caller's placeholders) is what shows: no rich
 * type applies, or out of memory. *chosen (may be NULL) gets the MIME type used.
 */
char *mime_text(json_t *data, const struct mime_opts *o, const char **chosen);

/*
 * Options for a line-mode front end (console, exec) printing to fd: the width of its terminal
 * (80 when unknown), the colours terminfo and $COLORTERM / $NO_COLOR give (none when color is
 * 0 or fd is no terminal), images and image_rows from the config file. In mime_tty.c.
 */
void mime_opts_tty(struct mime_opts *o, int fd, int color);

/* Whether a text/plain value is only an object's default repr ("<Figure … >" counts too). */
int mime_plain_is_repr(const char *plain);
/* The MIME bundle of the first "page" payload of an execute_reply's content (IPython's `obj?`
 * and `obj??`, IRkernel's `?name`), a new reference the caller releases; NULL when there is
 * none. Its text/plain has its backspaces applied (kq_backspaces: R's help overstrikes its
 * headings). The old form {"source": "page", "text": "..."} is not read (IPython 1 and
 * before). */
json_t *mime_page_payload(json_t *reply_content);

/* Text conversions, exposed for the tests and markdown.c. Caller frees; NULL when out of
 * memory. Input is untrusted; the results are safe text (st_plain). */
char *mime_latex(const char *s, size_t n);        /* symbols as Unicode, the rest kept */
char *mime_html_strip(const char *s, size_t n);   /* tags dropped, entities decoded */
/* NULL also when s holds no <table> or several */
char *mime_html_table(const char *s, size_t n, int width, int ascii);

#endif
