// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * Terminal-safe text: the one place where untrusted bytes (kernel output, notebook contents,
 * kernel names, error messages) become something that may be shown on a terminal, for every
 * front end. An ECMA-48 tokenizer reads UTF-8 input, interprets SGR colour and attribute
 * sequences into a struct st_style, and discards everything else: other CSI sequences, OSC
 * (title, OSC 52 clipboard, OSC 8 links), DCS/SOS/PM/APC strings, two-byte ESC sequences, C0
 * controls other than \n and \t (a stray \r or \b is dropped too: the output model handles them
 * before this module), DEL, C1 controls U+0080..U+009F (never treated as 8-bit CSI/OSC/DCS),
 * and the bidi embedding/override/isolate characters U+202A..U+202E and U+2066..U+2069.
 * Those lone characters are dropped, or with ST_MARK replaced by a visible placeholder span
 * ("^G" for C0 and DEL, "<U+202E>" for C1 and bidi) whose style carries ST_MARKER.
 * Invalid UTF-8 (overlongs, surrogates, code points above U+10FFFF, stray bytes) becomes
 * U+FFFD, one per maximal invalid subsequence, as Python's errors="replace" does.
 * Text handed out is always valid UTF-8 with no control character other than \n and \t.
 * The module never prints, never calls setlocale() and keeps no global state.
 */
#ifndef BOBBIN_SAFETEXT_H
#define BOBBIN_SAFETEXT_H

#include <stddef.h>
#include <stdint.h>

/* Colours in struct st_style: ST_DEFAULT, a palette index 0..255, or ST_RGB(r, g, b). */
#define ST_DEFAULT (-1)
#define ST_RGB_FLAG 0x1000000
#define ST_RGB(r, g, b)                                                                            \
	(ST_RGB_FLAG | (((int)(r)&0xff) << 16) | (((int)(g)&0xff) << 8) | ((int)(b)&0xff))
#define ST_IS_RGB(c) ((c) >= 0 && ((c)&ST_RGB_FLAG))
#define ST_RGB_R(c) (((c) >> 16) & 0xff)
#define ST_RGB_G(c) (((c) >> 8) & 0xff)
#define ST_RGB_B(c) ((c)&0xff)

/* Attribute bits of struct st_style. ST_MARKER is never set by input: it flags a placeholder
 * this module generated for a dropped character (only with ST_MARK). */
#define ST_BOLD 0x01u
#define ST_DIM 0x02u
#define ST_ITALIC 0x04u
#define ST_UNDERLINE 0x08u
#define ST_INVERSE 0x10u
#define ST_STRIKE 0x20u
#define ST_MARKER 0x40u

struct st_style {
	int fg, bg;     /* ST_DEFAULT, 0..255 or ST_RGB() */
	unsigned attrs; /* ST_BOLD | ... */
};

/* Flags for st_parser_init() and st_filter(). */
#define ST_MARK 0x1u     /* show dropped lone controls, C1 and bidi characters as placeholders */
#define ST_EMIT_SGR 0x2u /* st_filter(): write normalised SGR sequences for the style */

/*
 * Receives one span: text is n > 0 bytes of safe UTF-8 (no NUL, no control other than \n and
 * \t, no C1, no bidi control), never split inside a code point, not NUL-terminated. style and
 * text are borrowed until the callback returns. Consecutive spans may share a style.
 */
typedef void (*st_emit_cb)(void *ud, const struct st_style *style, const char *text, size_t n);

/* Limits: a sequence with more parameters is ignored, a longer OSC/DCS/SOS/PM/APC string is
 * dropped and what follows it shown as text (so an unterminated one cannot hide output). */
#define ST_MAXPARAM 32
#define ST_STRMAX 4096
#define ST_BUFSZ 512

/*
 * Streaming parser: feed chunks of one stream; a sequence or a UTF-8 character split across
 * chunks is handled. Embed it or put it on the stack; it owns no memory. Fields after `flags`
 * are private.
 */
struct st_parser {
	struct st_style style; /* the current style: may be read, or set between calls */
	unsigned flags;
	st_emit_cb emit;
	void *ud;
	/* private: UTF-8 decoder */
	uint32_t cp;
	int need;
	unsigned char lo, hi;
	/* private: tokenizer */
	int state;
	int str_osc;
	size_t str_len;
	int nparam;
	int bad;
	int param[ST_MAXPARAM];
	unsigned char colon[ST_MAXPARAM];
	/* private: pending span */
	struct st_style bufstyle;
	size_t nbuf;
	char buf[ST_BUFSZ];
};

/* Starts a parser in the default style; emit and ud are borrowed for the parser's life (emit
 * may be NULL: the parser then only follows the style). */
void st_parser_init(struct st_parser *p, unsigned flags, st_emit_cb emit, void *ud);
/* Parses len bytes of s (borrowed; may contain NUL) and emits their text before returning,
 * except an incomplete sequence or UTF-8 character at the end, kept for the next call. */
void st_parser_feed(struct st_parser *p, const char *s, size_t len);
/* Ends the stream: an unterminated sequence is dropped, a truncated UTF-8 character becomes
 * U+FFFD. The parser (and its style) can then start a new stream. */
void st_parser_finish(struct st_parser *p);

/*
 * One-shot parse of complete input s (borrowed). state (may be NULL) gives the starting style
 * and receives the final one, so styles carry from one call to the next; a sequence cut at the
 * end of s is dropped, so use struct st_parser for streams that split sequences.
 */
void st_parse(const char *s, size_t len, struct st_style *state, st_emit_cb emit, void *ud);

/*
 * Caller frees. Safe text of s with every escape sequence removed, for a pipe or a file.
 * NUL-terminated (the text itself has no NUL); *outlen (may be NULL) gets its length.
 * NULL only when out of memory.
 */
char *st_plain(const char *s, size_t len, size_t *outlen);
/*
 * Caller frees. Like st_plain(), but each style change is written as one normalised SGR
 * sequence "ESC [ 0 ; ... m" generated from the parsed style (never copied from the input),
 * and the text ends in the default style; for a terminal in line mode.
 */
char *st_sgr(const char *s, size_t len, size_t *outlen);
/* Caller frees. st_plain() (flags 0) and st_sgr() (ST_EMIT_SGR) with ST_MARK available;
 * ST_MARKER placeholders are written in inverse video when ST_EMIT_SGR is set. */
char *st_filter(const char *s, size_t len, unsigned flags, size_t *outlen);

/* Writes the normalised SGR sequence for style into out (NUL-terminated), returns its length.
 * ST_SGR_MAX bytes are always enough. */
#define ST_SGR_MAX 64
size_t st_style_sgr(const struct st_style *style, char out[ST_SGR_MAX]);
/* Sets the default style (both colours ST_DEFAULT, no attributes). */
void st_style_reset(struct st_style *style);
/* 1 if a and b are the same style, else 0. */
int st_style_eq(const struct st_style *a, const struct st_style *b);

/*
 * Widths, for safe UTF-8 (as produced above) and a UTF-8 locale (the program's setlocale()):
 * wcwidth() columns, with 1 for anything wcwidth() rejects (so \t and \n count 1: split lines
 * and expand tabs before measuring). CJK and emoji are 2, combining marks 0.
 * st_next: width of the code point at s (n > 0); *adv gets its length in bytes (a byte that
 * starts no valid UTF-8 character counts as one code point of width 1).
 */
int st_next(const char *s, size_t n, size_t *adv);
/* Display columns of n bytes of s. */
int st_width(const char *s, size_t n);
/* Bytes of s (at most n) that fit in cols columns without splitting a code point; *used (may
 * be NULL) gets their width. For wrapping. */
size_t st_fit(const char *s, size_t n, int cols, int *used);

/*
 * Colour degradation. Each takes any colour of struct st_style and returns ST_DEFAULT for
 * ST_DEFAULT. st_rgb_to_256: ST_RGB to the nearest xterm cube (levels 0,95,135,175,215,255)
 * or grey-ramp (8+10k) entry; palette colours are returned unchanged. st_256_to_16 and
 * st_256_to_8 keep 0..15 / 0..7 and map the rest by hue (each of r, g, b at least halfway
 * between the smallest and largest component is on; bright for 16 when the largest is near
 * 255), near-greys by lightness, so a dark red stays red instead of becoming black.
 * st_color_rgb: 0xRRGGBB of a colour (xterm's default palette for 0..15), -1 for ST_DEFAULT.
 */
int st_rgb_to_256(int color);
int st_256_to_16(int color);
int st_256_to_8(int color);
int st_color_rgb(int color);

#endif
