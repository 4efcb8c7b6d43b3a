// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * Terminal-safe text (see safetext.h for the policy). Bytes go through two small machines:
 * a UTF-8 decoder that yields code points (U+FFFD for each maximal invalid subsequence, so
 * overlongs, surrogates and stray bytes never get through), and an ECMA-48 tokenizer on those
 * code points that applies SGR to the current style and swallows every other sequence. Text
 * is re-encoded from the decoded code points into a small span buffer, never copied from the
 * input, so what leaves this file is valid UTF-8 by construction.
 */
#include "tui/safetext.h"
#include "tui/utf8.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

enum {
	S_GROUND,
	S_ESC,        /* after ESC */
	S_ESC_INTER,  /* ESC + intermediates, waiting for the final byte */
	S_CSI,        /* ESC [ + parameters */
	S_CSI_INTER,  /* CSI + intermediates */
	S_CSI_IGNORE, /* malformed CSI: swallowed up to its final byte */
	S_STR,        /* OSC, DCS, SOS, PM, APC body */
	S_STR_ESC,    /* ESC inside a string: ST if a backslash follows */
};

/* Why a CSI is not an SGR we apply. */
#define BAD_NOTSGR 1   /* private marker or intermediate byte */
#define BAD_OVERFLOW 2 /* more than ST_MAXPARAM parameters */

#define PARAM_CAP 65535 /* parameter values are clamped here so they never overflow */

static const unsigned char cube_level[6] = {0, 95, 135, 175, 215, 255};

/* xterm's default colours 0..15 */
static const int xterm16[16] = {
    0x000000, 0xcd0000, 0x00cd00, 0xcdcd00, 0x0000ee, 0xcd00cd, 0x00cdcd, 0xe5e5e5,
    0x7f7f7f, 0xff0000, 0x00ff00, 0xffff00, 0x5c5cff, 0xff00ff, 0x00ffff, 0xffffff,
};

void st_style_reset(struct st_style *style)
{
	style->fg = ST_DEFAULT;
	style->bg = ST_DEFAULT;
	style->attrs = 0;
}

int st_style_eq(const struct st_style *a, const struct st_style *b)
{
	return a->fg == b->fg && a->bg == b->bg && a->attrs == b->attrs;
}

/* ---- span buffer ---- */

static void flush(struct st_parser *p)
{
	if (p->nbuf && p->emit)
		p->emit(p->ud, &p->bufstyle, p->buf, p->nbuf);
	p->nbuf = 0;
}

static void put_text(struct st_parser *p, const struct st_style *style, const char *s, size_t n)
{
	if (p->nbuf && (!st_style_eq(&p->bufstyle, style) || p->nbuf + n > sizeof p->buf))
		flush(p);
	if (!p->nbuf)
		p->bufstyle = *style;
	memcpy(p->buf + p->nbuf, s, n);
	p->nbuf += n;
}

static void put_cp(struct st_parser *p, uint32_t cp)
{
	char u[4];

	put_text(p, &p->style, u, utf8_encode(cp, u));
}

/* Placeholder for a dropped character: "^G" for C0 and DEL, "<U+009B>" otherwise. */
static void put_mark(struct st_parser *p, uint32_t cp)
{
	struct st_style m = p->style;
	char t[16];
	int n;

	if (cp < 0x20 || cp == 0x7f)
		n = snprintf(t, sizeof t, "^%c", (char)(cp ^ 0x40));
	else
		n = snprintf(t, sizeof t, "<U+%04X>", (unsigned)cp);
	m.attrs |= ST_MARKER;
	put_text(p, &m, t, (size_t)n);
}

static int is_bidi(uint32_t c)
{
	return (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069);
}

/* ---- SGR ---- */

/*
 * Reads an extended colour (after 38/48/58) from a[0..n-1]: "5;n" or "2;r;g;b", in the colon
 * form also "2:cs:r:g:b" with a colour-space id. Returns the colour or -2 if malformed; *used
 * gets how many parameters it took.
 */
static int ext_color(const int *a, int n, int colon, int *used)
{
	int i, v[3];

	*used = n < 1 ? n : 1;
	if (n < 1)
		return -2;
	if (a[0] == 5) {
		*used = n < 2 ? n : 2;
		if (n < 2 || a[1] > 255)
			return -2;
		return a[1] < 0 ? 0 : a[1];
	}
	if (a[0] != 2)
		return -2;
	if (colon && n >= 5) {
		a++; /* skip the colour-space id */
		n--;
		*used = 5;
	} else {
		*used = n < 4 ? n : 4;
	}
	if (n < 4)
		return -2;
	for (i = 0; i < 3; i++) {
		if (a[1 + i] > 255)
			return -2;
		v[i] = a[1 + i] < 0 ? 0 : a[1 + i];
	}
	return ST_RGB(v[0], v[1], v[2]);
}

/* Applies the parsed SGR parameters to p->style (JupyterLab's subset plus 2, 3, 9, 23, 29). */
static void sgr(struct st_parser *p)
{
	struct st_style *st = &p->style;
	int n = p->nparam + 1, i = 0;

	while (i < n) {
		int v = p->param[i] < 0 ? 0 : p->param[i];
		int end = i + 1, used, c;

		while (end < n && p->colon[end])
			end++; /* colon sub-parameters belong to this one */
		switch (v) {
		case 0:
			st_style_reset(st);
			break;
		case 1:
		case 5: /* blink shown as bold, as JupyterLab does */
			st->attrs |= ST_BOLD;
			break;
		case 2:
			st->attrs |= ST_DIM;
			break;
		case 3:
			st->attrs |= ST_ITALIC;
			break;
		case 4: /* 4:0 is "no underline", 4:1..4:5 underline styles */
			if (end > i + 1 && p->param[i + 1] <= 0)
				st->attrs &= ~ST_UNDERLINE;
			else
				st->attrs |= ST_UNDERLINE;
			break;
		case 7:
			st->attrs |= ST_INVERSE;
			break;
		case 9:
			st->attrs |= ST_STRIKE;
			break;
		case 21: /* JupyterLab: bold off */
			st->attrs &= ~ST_BOLD;
			break;
		case 22:
			st->attrs &= ~(ST_BOLD | ST_DIM);
			break;
		case 23:
			st->attrs &= ~ST_ITALIC;
			break;
		case 24:
			st->attrs &= ~ST_UNDERLINE;
			break;
		case 27:
			st->attrs &= ~ST_INVERSE;
			break;
		case 29:
			st->attrs &= ~ST_STRIKE;
			break;
		case 39:
			st->fg = ST_DEFAULT;
			break;
		case 49:
			st->bg = ST_DEFAULT;
			break;
		case 38:
		case 48:
		case 58: /* underline colour: parsed so its arguments are not taken as codes */
			if (end > i + 1) {
				c = ext_color(p->param + i + 1, end - i - 1, 1, &used);
			} else {
				c = ext_color(p->param + i + 1, n - i - 1, 0, &used);
				end = i + 1 + used;
			}
			if (c != -2 && v == 38)
				st->fg = c;
			else if (c != -2 && v == 48)
				st->bg = c;
			break;
		default:
			if (v >= 30 && v <= 37)
				st->fg = v - 30;
			else if (v >= 40 && v <= 47)
				st->bg = v - 40;
			else if (v >= 90 && v <= 97)
				st->fg = v - 90 + 8;
			else if (v >= 100 && v <= 107)
				st->bg = v - 100 + 8;
			/* everything else (conceal, fonts, blink 6, ...) is ignored */
			break;
		}
		i = end;
	}
}

/* ---- tokenizer ---- */

static void csi_start(struct st_parser *p)
{
	p->state = S_CSI;
	p->nparam = 0;
	p->bad = 0;
	p->param[0] = -1;
	p->colon[0] = 0;
}

static void str_start(struct st_parser *p, int osc)
{
	p->state = S_STR;
	p->str_osc = osc;
	p->str_len = 0;
}

static void ground(struct st_parser *p, uint32_t c)
{
	if (c == '\n' || c == '\t') {
		put_cp(p, c);
	} else if (c == 0x1b) {
		p->state = S_ESC;
	} else if (c < 0x20 || c == 0x7f) {
		/* \r and \b are the output model's business; here they are just dropped */
		if ((p->flags & ST_MARK) && c != '\r' && c != '\b')
			put_mark(p, c);
	} else if ((c >= 0x80 && c <= 0x9f) || is_bidi(c)) {
		/* C1 controls are single characters, never introducers of 8-bit sequences */
		if (p->flags & ST_MARK)
			put_mark(p, c);
	} else {
		put_cp(p, c);
	}
}

/* A byte that cannot continue the current sequence cancels it and is read afresh. */
static void cancel(struct st_parser *p, uint32_t c)
{
	p->state = S_GROUND;
	ground(p, c);
}

static void token(struct st_parser *p, uint32_t c)
{
	switch (p->state) {
	case S_GROUND:
		ground(p, c);
		break;
	case S_ESC:
		if (c == '[')
			csi_start(p);
		else if (c == ']')
			str_start(p, 1);
		else if (c == 'P' || c == 'X' || c == '^' || c == '_')
			str_start(p, 0);
		else if (c >= 0x20 && c <= 0x2f)
			p->state = S_ESC_INTER;
		else if (c >= 0x30 && c <= 0x7e)
			p->state = S_GROUND; /* a complete two-byte sequence: dropped */
		else if (c != 0x1b)
			cancel(p, c);
		break;
	case S_ESC_INTER:
		if (c >= 0x30 && c <= 0x7e)
			p->state = S_GROUND;
		else if (c == 0x1b)
			p->state = S_ESC;
		else if (!(c >= 0x20 && c <= 0x2f))
			cancel(p, c);
		break;
	case S_CSI:
		if (c >= '0' && c <= '9') {
			int *v = &p->param[p->nparam];

			if (*v < 0)
				*v = 0;
			if (*v <= PARAM_CAP)
				*v = *v * 10 + (int)(c - '0');
			if (*v > PARAM_CAP)
				*v = PARAM_CAP;
		} else if (c == ';' || c == ':') {
			if (p->nparam + 1 >= ST_MAXPARAM) {
				p->bad |= BAD_OVERFLOW;
			} else {
				p->nparam++;
				p->param[p->nparam] = -1;
				p->colon[p->nparam] = c == ':';
			}
		} else if (c >= 0x3c && c <= 0x3f) {
			p->bad |= BAD_NOTSGR; /* private parameters: <=>? */
		} else if (c >= 0x20 && c <= 0x2f) {
			p->state = S_CSI_INTER;
		} else if (c >= 0x40 && c <= 0x7e) {
			if (c == 'm' && !p->bad)
				sgr(p);
			p->state = S_GROUND;
		} else if (c == 0x1b) {
			p->state = S_ESC;
		} else {
			cancel(p, c);
		}
		break;
	case S_CSI_INTER:
	case S_CSI_IGNORE:
		if (c >= 0x40 && c <= 0x7e)
			p->state = S_GROUND; /* never an SGR: intermediates or malformed */
		else if (c >= 0x30 && c <= 0x3f)
			p->state = S_CSI_IGNORE;
		else if (c == 0x1b)
			p->state = S_ESC;
		else if (!(c >= 0x20 && c <= 0x2f))
			cancel(p, c);
		break;
	case S_STR:
		if ((c == 0x07 && p->str_osc) || c == 0x9c || c == 0x18 || c == 0x1a)
			p->state = S_GROUND; /* BEL (OSC), 8-bit ST, CAN, SUB */
		else if (c == 0x1b)
			p->state = S_STR_ESC;
		else if (++p->str_len > ST_STRMAX)
			cancel(p, c); /* too long: drop it and show what follows */
		break;
	case S_STR_ESC:
		if (c == '\\') {
			p->state = S_GROUND; /* ST */
		} else {
			p->state = S_ESC; /* the string is abandoned; this ESC starts anew */
			token(p, c);
		}
		break;
	}
}

/* ---- UTF-8 decoder ---- */

/* Feeds one byte; yields U+FFFD once per maximal invalid subsequence (Unicode's "maximal
 * subpart" practice, as Python's errors="replace"). The byte-at-a-time form of
 * utf8_decode(), so that a character split across st_parser_feed() calls needs no buffer. */
static void put_byte(struct st_parser *p, unsigned char b)
{
	if (p->need) {
		if (b >= p->lo && b <= p->hi) {
			p->cp = (p->cp << 6) | (b & 0x3fu);
			p->lo = 0x80;
			p->hi = 0xbf;
			if (--p->need == 0)
				token(p, p->cp);
			return;
		}
		p->need = 0;
		token(p, 0xfffd); /* then b is read afresh */
	}
	if (b < 0x80)
		token(p, b);
	else if (!(p->need = utf8_lead(b, &p->cp, &p->lo, &p->hi)))
		token(p, 0xfffd); /* continuation byte, C0, C1, F5..FF */
}

/* ---- parser API ---- */

void st_parser_init(struct st_parser *p, unsigned flags, st_emit_cb emit, void *ud)
{
	memset(p, 0, sizeof *p);
	st_style_reset(&p->style);
	p->flags = flags;
	p->emit = emit;
	p->ud = ud;
	p->state = S_GROUND;
}

void st_parser_feed(struct st_parser *p, const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		put_byte(p, (unsigned char)s[i]);
	flush(p);
}

void st_parser_finish(struct st_parser *p)
{
	if (p->need) {
		p->need = 0;
		token(p, 0xfffd);
	}
	p->state = S_GROUND;
	flush(p);
}

void st_parse(const char *s, size_t len, struct st_style *state, st_emit_cb emit, void *ud)
{
	struct st_parser p;

	st_parser_init(&p, 0, emit, ud);
	if (state)
		p.style = *state;
	st_parser_feed(&p, s, len);
	st_parser_finish(&p);
	if (state)
		*state = p.style;
}

/* ---- whole-string filters ---- */

size_t st_style_sgr(const struct st_style *style, char out[ST_SGR_MAX])
{
	static const struct {
		unsigned attr;
		char code;
	} attrs[] = {{ST_BOLD, '1'},      {ST_DIM, '2'},     {ST_ITALIC, '3'},
	             {ST_UNDERLINE, '4'}, {ST_INVERSE, '7'}, {ST_STRIKE, '9'}};
	size_t n = 0, i;
	int k, c, base;

	out[n++] = '\x1b';
	out[n++] = '[';
	out[n++] = '0';
	for (i = 0; i < sizeof attrs / sizeof attrs[0]; i++) {
		if (style->attrs & attrs[i].attr) {
			out[n++] = ';';
			out[n++] = attrs[i].code;
		}
	}
	for (k = 0; k < 2; k++) {
		c = k ? style->bg : style->fg;
		base = k ? 40 : 30;
		if (ST_IS_RGB(c))
			n += (size_t)snprintf(out + n, ST_SGR_MAX - n, ";%d;2;%d;%d;%d", base + 8,
			                      ST_RGB_R(c), ST_RGB_G(c), ST_RGB_B(c));
		else if (c >= 0 && c < 8)
			n += (size_t)snprintf(out + n, ST_SGR_MAX - n, ";%d", base + c);
		else if (c >= 8 && c < 16)
			n += (size_t)snprintf(out + n, ST_SGR_MAX - n, ";%d", base + 60 + c - 8);
		else if (c >= 16 && c < 256)
			n += (size_t)snprintf(out + n, ST_SGR_MAX - n, ";%d;5;%d", base + 8, c);
	}
	out[n++] = 'm';
	out[n] = '\0';
	return n;
}

struct sink {
	char *buf;
	size_t len, cap;
	int oom;
	unsigned flags;
	struct st_style cur; /* what the SGRs written so far have set */
};

static void sink_put(struct sink *k, const char *s, size_t n)
{
	if (k->oom)
		return;
	if (n + 1 > k->cap - k->len) {
		size_t cap = k->cap ? k->cap : 256;
		char *b;

		while (n + 1 > cap - k->len) {
			if (cap > ((size_t)-1) / 2) {
				k->oom = 1;
				return;
			}
			cap *= 2;
		}
		if (!(b = realloc(k->buf, cap))) {
			k->oom = 1;
			return;
		}
		k->buf = b;
		k->cap = cap;
	}
	memcpy(k->buf + k->len, s, n);
	k->len += n;
}

static void sink_emit(void *ud, const struct st_style *style, const char *text, size_t n)
{
	struct sink *k = ud;

	if (k->flags & ST_EMIT_SGR) {
		struct st_style want = *style;
		char seq[ST_SGR_MAX];

		if (want.attrs & ST_MARKER)
			want.attrs ^= ST_INVERSE;
		want.attrs &= ~ST_MARKER;
		if (!st_style_eq(&want, &k->cur)) {
			sink_put(k, seq, st_style_sgr(&want, seq));
			k->cur = want;
		}
	}
	sink_put(k, text, n);
}

char *st_filter(const char *s, size_t len, unsigned flags, size_t *outlen)
{
	struct sink k = {.flags = flags};
	struct st_parser p;
	struct st_style def;

	st_style_reset(&k.cur);
	st_style_reset(&def);
	st_parser_init(&p, flags & ST_MARK, sink_emit, &k);
	st_parser_feed(&p, s, len);
	st_parser_finish(&p);
	if ((flags & ST_EMIT_SGR) && !st_style_eq(&k.cur, &def))
		sink_put(&k, "\x1b[0m", 4);
	sink_put(&k, "", 0); /* makes sure there is a buffer for the NUL */
	if (k.oom) {
		free(k.buf);
		return NULL;
	}
	k.buf[k.len] = '\0';
	if (outlen)
		*outlen = k.len;
	return k.buf;
}

char *st_plain(const char *s, size_t len, size_t *outlen)
{
	return st_filter(s, len, 0, outlen);
}

char *st_sgr(const char *s, size_t len, size_t *outlen)
{
	return st_filter(s, len, ST_EMIT_SGR, outlen);
}

/* ---- widths ---- */

int st_next(const char *s, size_t n, size_t *adv)
{
	uint32_t cp;
	int w;

	if (!n) {
		*adv = 0;
		return 0;
	}
	utf8_decode(s, n, &cp, adv);
	w = wcwidth((wchar_t)cp);
	return w < 0 ? 1 : w;
}

int st_width(const char *s, size_t n)
{
	size_t i = 0, adv;
	int w = 0;

	while (i < n) {
		w += st_next(s + i, n - i, &adv);
		i += adv;
	}
	return w;
}

size_t st_fit(const char *s, size_t n, int cols, int *used)
{
	size_t i = 0, adv;
	int w = 0, cw;

	while (i < n) {
		cw = st_next(s + i, n - i, &adv);
		if (w + cw > cols)
			break;
		w += cw;
		i += adv;
	}
	if (used)
		*used = w;
	return i;
}

/* ---- colours ---- */

int st_color_rgb(int color)
{
	int i;

	if (ST_IS_RGB(color))
		return color & 0xffffff;
	if (color < 0 || color > 255)
		return -1;
	if (color < 16)
		return xterm16[color];
	if (color >= 232) {
		i = 8 + 10 * (color - 232);
		return i << 16 | i << 8 | i;
	}
	i = color - 16;
	return cube_level[i / 36] << 16 | cube_level[i / 6 % 6] << 8 | cube_level[i % 6];
}

static int cube_index(int v)
{
	if (v < 48)
		return 0;
	if (v < 115)
		return 1;
	return (v - 35) / 40;
}

static int sq(int v)
{
	return v * v;
}

int st_rgb_to_256(int color)
{
	int r, g, b, ri, gi, bi, k, grey, dcube, dgrey;

	if (!ST_IS_RGB(color))
		return color;
	r = ST_RGB_R(color);
	g = ST_RGB_G(color);
	b = ST_RGB_B(color);
	ri = cube_index(r);
	gi = cube_index(g);
	bi = cube_index(b);
	dcube = sq(r - cube_level[ri]) + sq(g - cube_level[gi]) + sq(b - cube_level[bi]);
	k = ((r + g + b) / 3 - 3) / 10;
	if (k < 0)
		k = 0;
	if (k > 23)
		k = 23;
	grey = 8 + 10 * k;
	dgrey = sq(r - grey) + sq(g - grey) + sq(b - grey);
	return dgrey < dcube ? 232 + k : 16 + 36 * ri + 6 * gi + bi;
}

/*
 * Down to the basic colours by hue rather than by distance, so a dark red stays red instead of
 * becoming black: components at least halfway between the smallest and the largest are "on";
 * near-greys go by lightness.
 */
static int to_basic(int color, int bright)
{
	int rgb = st_color_rgb(color), r, g, b, hi, lo, light, mid, c;

	if (rgb < 0)
		return ST_DEFAULT;
	r = rgb >> 16 & 0xff;
	g = rgb >> 8 & 0xff;
	b = rgb & 0xff;
	hi = r > g ? (r > b ? r : b) : (g > b ? g : b);
	lo = r < g ? (r < b ? r : b) : (g < b ? g : b);
	light = (hi + lo) / 2;
	if (hi - lo < 0x30) {
		if (!bright)
			return light < 0x60 ? 0 : 7;
		return light < 0x30 ? 0 : light < 0x90 ? 8 : light < 0xe0 ? 7 : 15;
	}
	mid = (hi + lo + 1) / 2;
	c = (r >= mid ? 1 : 0) | (g >= mid ? 2 : 0) | (b >= mid ? 4 : 0);
	return bright && hi > 230 ? c + 8 : c;
}

int st_256_to_16(int color)
{
	if (color >= 0 && color < 16)
		return color;
	return to_basic(color, 1);
}

int st_256_to_8(int color)
{
	if (color >= 0 && color < 8)
		return color;
	return to_basic(color, 0);
}
