// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * Images in a terminal: base64 PNG/JPEG/GIF (its first frame) data from a notebook or a kernel decoded with limits
 * (libspng, libjpeg) and turned into character-cell art by libchafa, as rows of text with
 * bobbin's own SGR colour sequences (mime.h's contract: st_parse() reads them back). Results
 * are cached per image and size, so a layout redone on every keypress does not decode again.
 *
 * Bad input (invalid base64, truncated or hostile data, a size over the limits) gives NULL and
 * a short reason; memory and time stay bounded by IMG_MAX_BYTES and IMG_MAX_PIXELS.
 */
#ifndef BOBBIN_IMAGE_H
#define BOBBIN_IMAGE_H

#include <stddef.h>

#include "tui/mime.h"

#define IMG_MAX_BYTES (64u << 20)     /* encoded image bytes */
#define IMG_MAX_SIDE 16384u           /* pixels on a side */
#define IMG_MAX_PIXELS (24u << 20)    /* decoded pixels (RGBA: 4 bytes each) */

struct img {
	unsigned w, h;
	unsigned char *rgba; /* w*h*4 bytes; img_free() frees */
};

/* Decodes standard base64 (whitespace skipped, padding optional). Caller frees *out.
 * 0, or -1 for a byte outside the alphabet, a bad length or too much data (IMG_MAX_BYTES). */
int img_b64(const char *s, size_t n, unsigned char **out, size_t *outlen);

/* The type of image bytes by their signature: "image/png", "image/jpeg", "image/gif" or NULL. */
const char *img_sniff(const unsigned char *p, size_t n);

/* Decodes PNG, JPEG or GIF bytes (by signature; a GIF's first frame on its logical screen,
 * transparent where the frame does not cover it) into RGBA. 0, or -1 with a reason in why. */
int img_decode(const unsigned char *p, size_t n, struct img *out, char *why, size_t wsz);
void img_free(struct img *im);

/* The cell grid an image of w×h pixels takes: fits cols, at most rows, aspect kept. */
void img_fit(unsigned w, unsigned h, const struct mime_opts *o, int *cols, int *rows);

/* Character-cell art of an image: rows of text with SGR, each ending in "\n". Caller frees. */
char *img_art(const struct img *im, const struct mime_opts *o, char *why, size_t wsz);

/*
 * The art of base64 image data (a notebook's image/png value), cached by the data and the
 * options; caller frees the copy returned. NULL with the reason in why.
 */
char *img_text(const char *b64, size_t len, const struct mime_opts *o, char *why, size_t wsz);

/* Drops the cache (tests and memory pressure). */
void img_cache_clear(void);

#endif
