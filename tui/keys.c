// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * Key decoder (see keys.h). Fed bytes accumulate in a buffer; keys_next() parses one key from
 * its start and consumes it only once it is complete, so chunking cannot change the result.
 * The parser is a set of pure functions over (bytes, length, final): "final" is set after
 * keys_timeout() and tells them to resolve a truncated sequence instead of waiting for more.
 * Inside a bracketed paste the bytes bypass the parser and are only searched for the end
 * marker, then cleaned into the paste text.
 */
#include "tui/keys.h"
#include "tui/safetext.h"
#include "tui/utf8.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define ESC 0x1b
#define SEQ_MAX 256  /* an escape sequence longer than this is swallowed without parsing */
#define STR_MAX 4096 /* ... a control string (a terminal's reply) longer than this */
#define NPARAM 8
#define NSUB 4
#define PARAM_CAP 0x7fffff

static const char paste_end[] = "\033[201~";
#define PASTE_END_LEN 6

/* What keys_next() is swallowing after an overlong sequence, following the grammar parse_csi()
 * and parse_ss3() use, so that the result does not depend on where the input was split. */
enum { SKIP_NONE, SKIP_CSI_PARAM, SKIP_CSI_INTER, SKIP_SS3, SKIP_STR, SKIP_OSC };

/* Results of the parse functions. */
enum { P_MORE = -1, P_SWALLOW = 0, P_KEY = 1, P_PASTE = 2 };

struct keys {
	unsigned char *buf; /* fed bytes, buf[off..len) not yet decoded */
	size_t off, len, cap;
	int flush; /* keys_timeout() since the last feed */
	int skip;  /* swallowing the rest of an overlong sequence: SKIP_* */
	int in_paste;
	unsigned char *raw; /* paste bytes as received */
	size_t rawlen, rawcap;
	char *text; /* the cleaned text of the last paste */
	size_t textcap;
	keys_reply_fn *on_reply; /* gets the terminal replies set aside (keys_on_reply) */
	void *reply_ctx;
};

struct csi {
	int np;
	int nsub[NPARAM];
	int p[NPARAM][NSUB];
};

struct keys *keys_new(void)
{
	return calloc(1, sizeof(struct keys));
}

void keys_free(struct keys *d)
{
	if (!d)
		return;
	free(d->buf);
	free(d->raw);
	free(d->text);
	free(d);
}

/* Returns p grown to hold need bytes (*cap updated), or NULL (p unchanged) when out of memory. */
static void *grow(void *p, size_t *cap, size_t need)
{
	size_t n = *cap ? *cap : 64;
	void *q;

	if (need <= *cap)
		return p;
	while (n < need)
		n *= 2;
	q = realloc(p, n);
	if (q)
		*cap = n;
	return q;
}

int keys_feed(struct keys *d, const void *s, size_t n)
{
	unsigned char *p;

	if (d->off) {
		memmove(d->buf, d->buf + d->off, d->len - d->off);
		d->len -= d->off;
		d->off = 0;
	}
	d->flush = 0;
	if (!n)
		return 0;
	if (!(p = grow(d->buf, &d->cap, d->len + n)))
		return -1;
	d->buf = p;
	memcpy(d->buf + d->len, s, n);
	d->len += n;
	return 0;
}

void keys_timeout(struct keys *d)
{
	d->flush = 1;
}

int keys_pending(const struct keys *d)
{
	/* inside a control string too: the timeout drops one whose end never comes, or it would
	 * swallow every key after it */
	return !d->in_paste && (d->len > d->off || d->skip == SKIP_STR || d->skip == SKIP_OSC);
}

int keys_in_paste(const struct keys *d)
{
	return d->in_paste;
}

/* ---- parsing ---- */

/* Modifier parameter of xterm and kitty: 1 + bits (1 shift, 2 alt, 4 ctrl, 32 meta). */
static unsigned mods_of(int param)
{
	unsigned m = 0;
	int v;

	if (param < 2)
		return 0;
	v = param - 1;
	if (v & 1)
		m |= M_SHIFT;
	if (v & 2)
		m |= M_ALT;
	if (v & 4)
		m |= M_CTRL;
	if (v & 32)
		m |= M_ALT;
	return m;
}

/* A C0 control byte or DEL as a key. */
static void control(unsigned char b, struct key *k)
{
	switch (b) {
	case 0x00:
		k->code = ' ';
		k->mods = M_CTRL;
		break;
	case 0x08:
	case 0x7f:
		k->code = K_BACKSPACE;
		break;
	case 0x09:
		k->code = K_TAB;
		break;
	case 0x0d:
		k->code = K_ENTER;
		break;
	case 0x1b:
		k->code = K_ESC;
		break;
	default:
		k->code = b <= 0x1a ? 'a' + b - 1 : "\\]^_"[b - 0x1c];
		k->mods = M_CTRL;
	}
}

/*
 * One UTF-8 character. An invalid one yields U+FFFD for its maximal subpart; a valid prefix cut
 * by the end of the buffer waits for more unless final.
 */
static int parse_utf8(const unsigned char *s, size_t n, int final, struct key *k, size_t *used)
{
	uint32_t c;

	switch (utf8_decode((const char *)s, n, &c, used)) {
	case UTF8_PARTIAL:
		if (!final)
			return P_MORE;
		break; /* U+FFFD for what came */
	case UTF8_INVALID:
		break;
	case UTF8_OK:
		if (c >= 0x80 && c < 0xa0)
			return P_SWALLOW; /* C1 controls are not keys anyone types */
		break;
	}
	k->code = (int)c;
	return P_KEY;
}

/* A mouse report: b as in xterm's encoding, x and y 1-based. */
static int mouse(int b, int x, int y, int release, struct key *k)
{
	k->code = K_MOUSE;
	if (b & 4)
		k->mods |= M_SHIFT;
	if (b & 8)
		k->mods |= M_ALT;
	if (b & 16)
		k->mods |= M_CTRL;
	k->mouse.action = release ? KM_RELEASE : (b & 32) ? KM_MOTION : KM_PRESS;
	if (b & 128)
		k->mouse.button = KB_OTHER;
	else if (b & 64)
		k->mouse.button = KB_WHEEL_UP + (b & 3);
	else
		k->mouse.button = (b & 3) == 3 ? KB_NONE : KB_LEFT + (b & 3);
	k->mouse.x = x > 0 ? x - 1 : 0;
	k->mouse.y = y > 0 ? y - 1 : 0;
	return P_KEY;
}

/* Code point of a CSI u / modifyOtherKeys report as a key code; 0 to ignore the report. */
static int u_code(int cp)
{
	/* kitty's private-use codes for keypad keys; the rest (lone modifiers, media keys)
	 * are not text */
	static const int kp[] = {
	    '0',  '1',    '2',    '3',    '4',    '5',     '6',      '7',      '8',    '9',
	    '.',  '/',    '*',    '-',    '+',    K_ENTER, '=',      0,        K_LEFT, K_RIGHT,
	    K_UP, K_DOWN, K_PGUP, K_PGDN, K_HOME, K_END,   K_INSERT, K_DELETE,
	};

	switch (cp) {
	case 13:
		return K_ENTER;
	case 9:
		return K_TAB;
	case 27:
		return K_ESC;
	case 8:
	case 127:
		return K_BACKSPACE;
	}
	if (cp >= 57399 && cp < 57399 + (int)(sizeof(kp) / sizeof(kp[0])))
		return kp[cp - 57399];
	if (cp < 0x20 || (cp >= 0x80 && cp < 0xa0) || (cp >= 0xd800 && cp <= 0xdfff) ||
	    (cp >= 0xe000 && cp <= 0xf8ff) || cp > 0x10ffff)
		return 0;
	return cp;
}

static int csi_tilde(const struct csi *c, struct key *k)
{
	int p0 = c->np ? c->p[0][0] : 0;

	k->mods = mods_of(c->np > 1 ? c->p[1][0] : 1);
	switch (p0) {
	case 1:
	case 7:
		k->code = K_HOME;
		return P_KEY;
	case 2:
		k->code = K_INSERT;
		return P_KEY;
	case 3:
		k->code = K_DELETE;
		return P_KEY;
	case 4:
	case 8:
		k->code = K_END;
		return P_KEY;
	case 5:
		k->code = K_PGUP;
		return P_KEY;
	case 6:
		k->code = K_PGDN;
		return P_KEY;
	case 11:
	case 12:
	case 13:
	case 14:
	case 15:
		k->code = K_F(p0 - 10);
		return P_KEY;
	case 17:
	case 18:
	case 19:
	case 20:
	case 21:
		k->code = K_F(p0 - 11);
		return P_KEY;
	case 23:
	case 24:
		k->code = K_F(p0 - 12);
		return P_KEY;
	case 27: /* xterm modifyOtherKeys: CSI 27 ; mods ; code ~ */
		if (c->np < 3 || !(k->code = u_code(c->p[2][0])))
			return P_SWALLOW;
		return P_KEY;
	case 200:
		return P_PASTE;
	}
	return P_SWALLOW;
}

/* kitty keyboard protocol: CSI code[:shifted[:base]] ; mods[:event] [; text] u */
static int csi_u(const struct csi *c, struct key *k)
{
	int code = c->np ? c->p[0][0] : 0;

	if (c->np > 1 && c->nsub[1] > 1 && c->p[1][1] == 3)
		return P_SWALLOW; /* key release */
	k->mods = mods_of(c->np > 1 ? c->p[1][0] : 1);
	if (k->mods == M_SHIFT && c->nsub[0] > 1 && c->p[0][1] > 0) {
		code = c->p[0][1];
		k->mods = 0;
	}
	if (!(k->code = u_code(code)))
		return P_SWALLOW;
	return P_KEY;
}

/* Reads parameters "1;5:3;2" from s[0..n). */
static void csi_params(const unsigned char *s, size_t n, struct csi *c)
{
	size_t i;

	memset(c, 0, sizeof(*c));
	if (!n)
		return;
	c->np = 1;
	c->nsub[0] = 1;
	for (i = 0; i < n; i++) {
		int *v;

		if (s[i] == ';') {
			if (c->np < NPARAM) {
				c->np++;
				c->nsub[c->np - 1] = 1;
			}
			continue;
		}
		if (s[i] == ':') {
			if (c->nsub[c->np - 1] < NSUB)
				c->nsub[c->np - 1]++;
			continue;
		}
		if (s[i] < '0' || s[i] > '9')
			continue;
		v = &c->p[c->np - 1][c->nsub[c->np - 1] - 1];
		*v = *v * 10 + (s[i] - '0');
		if (*v > PARAM_CAP)
			*v = PARAM_CAP;
	}
}

/* The key a CSI or SS3 sequence with final byte f names when it is the same in both ("ESC [ 1 ;
 * 5 A" and "ESC O A" are Up): cursor keys, Home, End and F1..F4; 0 for any other final. */
static int cursor_key(unsigned char f)
{
	switch (f) {
	case 'A':
		return K_UP;
	case 'B':
		return K_DOWN;
	case 'C':
		return K_RIGHT;
	case 'D':
		return K_LEFT;
	case 'H':
		return K_HOME;
	case 'F':
		return K_END;
	case 'P':
	case 'Q':
	case 'R':
	case 'S':
		return K_F(f - 'P' + 1);
	}
	return 0;
}

/* s starts with ESC [. */
static int parse_csi(const unsigned char *s, size_t n, struct key *k, size_t *used)
{
	size_t i = 2, pstart, pend;
	int marker = 0, inter = 0;
	unsigned char f;
	struct csi c;

	if (n < 3)
		return P_MORE;
	if (s[2] == '[') { /* Linux console F1..F5: ESC [ [ A..E */
		if (n < 4)
			return P_MORE;
		*used = 4;
		if (s[3] < 'A' || s[3] > 'E')
			return P_SWALLOW;
		k->code = K_F(s[3] - 'A' + 1);
		return P_KEY;
	}
	if (s[2] == 'M') { /* X10 mouse: ESC [ M b x y, each + 32 */
		if (n < 6)
			return P_MORE;
		*used = 6;
		if (s[3] < 32)
			return P_SWALLOW;
		return mouse(s[3] - 32, s[4] - 32, s[5] - 32, ((s[3] - 32) & 0x63) == 3, k);
	}
	if (s[2] >= 0x3c && s[2] <= 0x3f)
		marker = s[i++];
	pstart = i;
	while (i < n && s[i] >= 0x30 && s[i] <= 0x3f)
		i++;
	pend = i;
	while (i < n && s[i] >= 0x20 && s[i] <= 0x2f) {
		inter = 1;
		i++;
	}
	if (i >= n)
		return P_MORE;
	f = s[i];
	if (f < 0x40 || f > 0x7e) {
		/* malformed: drop what came so far, the odd byte is read again as a key */
		*used = i;
		return P_SWALLOW;
	}
	*used = i + 1;
	csi_params(s + pstart, pend - pstart, &c);
	if (marker == '<' && !inter && (f == 'M' || f == 'm')) {
		if (c.np < 3)
			return P_SWALLOW;
		return mouse(c.p[0][0], c.p[1][0], c.p[2][0], f == 'm', k);
	}
	if (marker || inter)
		return P_SWALLOW; /* terminal replies and private reports */
	k->mods = mods_of(c.np > 1 ? c.p[1][0] : 1);
	if (f == 'R' && (c.np > 2 || (c.np && c.p[0][0] > 1)))
		return P_SWALLOW; /* a cursor position report "row;col R", not F3 */
	if ((k->code = cursor_key(f)))
		return P_KEY;
	switch (f) {
	case 'Z':
		k->code = K_TAB;
		k->mods |= M_SHIFT;
		return P_KEY;
	case 'I':
	case 'O':
		k->mods = 0;
		k->code = f == 'I' ? K_FOCUS_IN : K_FOCUS_OUT;
		return P_KEY;
	case '~':
		return csi_tilde(&c, k);
	case 'u':
		return csi_u(&c, k);
	}
	return P_SWALLOW;
}

/* s starts with ESC O. Returns P_MORE when a final byte may still come, and -2 when what follows
 * cannot be SS3 (then ESC O is Alt-O). */
static int parse_ss3(const unsigned char *s, size_t n, struct key *k, size_t *used)
{
	static const char keypad[] = "*+,-./0123456789"; /* ESC O j .. ESC O y */
	size_t i = 2;
	int param = 0;
	unsigned char f;

	while (i < n && s[i] >= '0' && s[i] <= '9') {
		if (param < 1000)
			param = param * 10 + (s[i] - '0');
		i++;
	}
	if (i >= n)
		return P_MORE;
	f = s[i];
	if (f < 0x40 || f > 0x7e)
		return i == 2 ? -2 : (*used = i, P_SWALLOW);
	*used = i + 1;
	k->mods = mods_of(param);
	if ((k->code = cursor_key(f)))
		return P_KEY;
	switch (f) {
	case 'M':
		k->code = K_ENTER;
		return P_KEY;
	case 'X':
		k->code = '=';
		return P_KEY;
	}
	if (f >= 'j' && f <= 'y') {
		k->code = keypad[f - 'j'];
		return P_KEY;
	}
	return P_SWALLOW;
}

static int parse(const unsigned char *s, size_t n, int final, struct key *k, size_t *used,
                 int depth);

/* Whether ESC b may start a control string that a terminal sends as a reply: DCS (ESC P:
 * XTVERSION, DECRQSS, XTGETTCAP), OSC (ESC ]: colour reports) or APC (ESC _: kitty graphics'
 * "ESC _ G i=31;OK ESC \"). */
static int string_intro(unsigned char b)
{
	return b == 'P' || b == ']' || b == '_';
}

/* Whether the byte after the introducer makes it a reply rather than Alt-P, Alt-] or Alt-_
 * followed by a key typed in the same instant: a DCS reply starts with a parameter or an
 * intermediate byte (">|", "1$r", "1+r"), an OSC with its number, kitty's APC with "G". */
static int string_body(unsigned char intro, unsigned char b)
{
	if (intro == 'P')
		return b >= 0x20 && b <= 0x3f;
	if (intro == ']')
		return b >= '0' && b <= '9';
	return b == 'G';
}

/*
 * Where the control string whose body starts at s[0..n) ends (the terminator included): ST
 * (ESC \), BEL for an OSC, or just before an ESC that starts something else (a string cut
 * short). P_MORE while the end has not come; at final, a string without its end is all
 * swallowed. Shared by parse_string() and skip_step(), so the result does not depend on where
 * the input was split.
 */
static int string_end(const unsigned char *s, size_t n, int osc, int final, size_t *used)
{
	for (size_t i = 0; i < n; i++) {
		if (s[i] == 0x07 && osc) {
			*used = i + 1;
			return P_SWALLOW;
		}
		if (s[i] != ESC)
			continue;
		if (i + 1 >= n)
			break;
		*used = s[i + 1] == '\\' ? i + 2 : i;
		return P_SWALLOW;
	}
	if (!final)
		return P_MORE;
	*used = n;
	return P_SWALLOW;
}

/* s starts with ESC and a string introducer, n > 2: never keys, whatever it holds. */
static int parse_string(const unsigned char *s, size_t n, int final, size_t *used)
{
	int r = string_end(s + 2, n - 2, s[1] == ']', final, used);

	*used += 2;
	return r;
}

/* s starts with ESC. depth 1 when this ESC already follows one (Alt prefix). */
static int parse_esc(const unsigned char *s, size_t n, int final, struct key *k, size_t *used,
                     int depth)
{
	size_t u;
	int r;

	if (n == 1) {
		if (!final)
			return P_MORE;
		k->code = K_ESC;
		*used = 1;
		return P_KEY;
	}
	if (s[1] == '[' || s[1] == 'O') {
		r = s[1] == '[' ? parse_csi(s, n, k, used) : parse_ss3(s, n, k, used);
		if (r == P_MORE && !final)
			return P_MORE;
		if (r == -2 || (r == P_MORE && n == 2)) {
			/* nothing more came: Alt-[ or Alt-O */
			memset(k, 0, sizeof(*k));
			k->code = s[1];
			k->mods = M_ALT;
			*used = 2;
			return P_KEY;
		}
		if (r == P_MORE) {
			*used = n; /* a truncated sequence at the timeout */
			return P_SWALLOW;
		}
		/* as keys_next() swallows one that is still incomplete at this length */
		return *used > SEQ_MAX ? P_SWALLOW : r;
	}
	if (string_intro(s[1]) && n > 2 && string_body(s[1], s[2]))
		return parse_string(s, n, final, used);
	if (string_intro(s[1]) && n == 2 && !final)
		return P_MORE; /* ESC P alone: Alt-P at the timeout, or a string's start */
	if (s[1] == ESC && depth) {
		k->code = K_ESC; /* ESC ESC ESC: the first is the Esc key */
		*used = 1;
		return P_KEY;
	}
	r = parse(s + 1, n - 1, final, k, &u, 1);
	if (r == P_MORE)
		return P_MORE;
	*used = u + 1;
	if (r == P_KEY && k->code != K_MOUSE && k->code != K_FOCUS_IN && k->code != K_FOCUS_OUT)
		k->mods |= M_ALT;
	return r;
}

static int parse(const unsigned char *s, size_t n, int final, struct key *k, size_t *used,
                 int depth)
{
	unsigned char b = s[0];

	memset(k, 0, sizeof(*k));
	if (b == ESC)
		return parse_esc(s, n, final, k, used, depth);
	*used = 1;
	if (b < 0x20 || b == 0x7f) {
		control(b, k);
		return P_KEY;
	}
	if (b < 0x80) {
		k->code = b;
		return P_KEY;
	}
	return parse_utf8(s, n, final, k, used);
}

/* ---- bracketed paste ---- */

static void paste_add(struct keys *d, const unsigned char *s, size_t n)
{
	unsigned char *p;

	if (d->rawlen + n > KEYS_PASTE_MAX)
		n = KEYS_PASTE_MAX - d->rawlen;
	if (!n || !(p = grow(d->raw, &d->rawcap, d->rawlen + n)))
		return;
	d->raw = p;
	memcpy(d->raw + d->rawlen, s, n);
	d->rawlen += n;
}

/* Cleans the raw paste into d->text: valid UTF-8, \n line ends, no controls but \n and \t. */
static void paste_finish(struct keys *d, struct key *k)
{
	size_t i = 0, o = 0, adv;
	struct key ck;
	char *p;

	memset(k, 0, sizeof(*k));
	k->code = K_PASTE;
	k->text = "";
	if (!(p = grow(d->text, &d->textcap, d->rawlen * 3 + 1)))
		return;
	d->text = p;
	while (i < d->rawlen) {
		unsigned char b = d->raw[i];

		if (b == '\r') {
			d->text[o++] = '\n';
			i += i + 1 < d->rawlen && d->raw[i + 1] == '\n' ? 2 : 1;
			continue;
		}
		if (b < 0x80) {
			if (b >= 0x20 ? b != 0x7f : (b == '\n' || b == '\t'))
				d->text[o++] = (char)b;
			i++;
			continue;
		}
		if (parse_utf8(d->raw + i, d->rawlen - i, 1, &ck, &adv) == P_KEY)
			o += utf8_encode((uint32_t)ck.code, d->text + o);
		i += adv;
	}
	d->text[o] = '\0';
	k->text = d->text;
	k->len = o;
}

/* Consumes paste bytes; 1 when the end marker came and *k is the paste. */
static int paste_step(struct keys *d, struct key *k)
{
	unsigned char *s = d->buf + d->off;
	size_t n = d->len - d->off, keep;
	unsigned char *e = memmem(s, n, paste_end, PASTE_END_LEN);

	if (e) {
		paste_add(d, s, (size_t)(e - s));
		d->off += (size_t)(e - s) + PASTE_END_LEN;
		d->in_paste = 0;
		paste_finish(d, k);
		d->rawlen = 0;
		return 1;
	}
	/* keep a tail that may be the start of the end marker */
	for (keep = n < PASTE_END_LEN - 1 ? n : PASTE_END_LEN - 1; keep; keep--)
		if (!memcmp(s + n - keep, paste_end, keep))
			break;
	paste_add(d, s, n - keep);
	d->off += n - keep;
	return 0;
}

/* The grammar of the overlong sequence at s (ESC, maybe ESC again, then [ or O); *intro gets
 * the length of what precedes its parameters. */
static int skip_kind(const unsigned char *s, size_t *intro)
{
	size_t i = 1;

	if (s[i] == ESC)
		i++;
	*intro = i + 1;
	if (string_intro(s[i]))
		return s[i] == ']' ? SKIP_OSC : SKIP_STR;
	return s[i] == 'O' ? SKIP_SS3 : SKIP_CSI_PARAM;
}

/* Swallows the rest of an overlong sequence; 1 if the input ran out before its end. */
static int skip_step(struct keys *d)
{
	unsigned char b;
	size_t used;

	if (d->skip == SKIP_STR || d->skip == SKIP_OSC) {
		if (string_end(d->buf + d->off, d->len - d->off, d->skip == SKIP_OSC, d->flush,
		               &used) == P_MORE) {
			/* all but an ESC at the end, which may be the start of ST */
			if (d->len > d->off && d->buf[d->len - 1] == ESC)
				d->off = d->len - 1;
			else
				d->off = d->len;
			return 1;
		}
		d->off += used;
		d->skip = SKIP_NONE;
		return 0;
	}

	for (; d->off < d->len; d->off++) {
		b = d->buf[d->off];
		if (d->skip == SKIP_CSI_PARAM && b >= 0x30 && b <= 0x3f)
			continue;
		if (d->skip != SKIP_SS3 && b >= 0x20 && b <= 0x2f) {
			d->skip = SKIP_CSI_INTER;
			continue;
		}
		if (d->skip == SKIP_SS3 && b >= '0' && b <= '9')
			continue;
		if (b >= 0x40 && b <= 0x7e)
			d->off++; /* the final byte */
		d->skip = SKIP_NONE;
		return 0;
	}
	return 1;
}

/* Whether the pending bytes s[0..n) start a control string (maybe after an Alt ESC). */
static int is_string(const unsigned char *s, size_t n)
{
	size_t i = n > 1 && s[1] == ESC ? 2 : 1;

	return s[0] == ESC && i + 1 < n && string_intro(s[i]) && string_body(s[i], s[i + 1]);
}

void keys_on_reply(struct keys *d, keys_reply_fn *fn, void *ctx)
{
	d->on_reply = fn;
	d->reply_ctx = ctx;
}

int keys_next(struct keys *d, struct key *k)
{
	size_t n, used;
	int r;

	for (;;) {
		if (d->in_paste)
			return paste_step(d, k);
		n = d->len - d->off;
		if (d->skip) {
			if (skip_step(d))
				return 0;
			continue;
		}
		if (!n) {
			d->flush = 0;
			return 0;
		}
		r = parse(d->buf + d->off, n, d->flush, k, &used, 0);
		if (r == P_MORE) {
			if (n <= (is_string(d->buf + d->off, n) ? STR_MAX : SEQ_MAX))
				return 0;
			d->skip = skip_kind(d->buf + d->off, &used);
			d->off += used;
			continue;
		}
		if (r == P_SWALLOW && d->on_reply && used > 2 && d->buf[d->off] == ESC)
			d->on_reply(d->reply_ctx, (const char *)d->buf + d->off, used);
		d->off += used;
		if (r == P_PASTE) {
			d->in_paste = 1;
			d->rawlen = 0;
			continue;
		}
		if (r == P_KEY) {
			keys_normalize(k);
			return 1;
		}
	}
}

/* ---- names ---- */

static const char *const names[] = {
    "Enter", "Tab",  "Backspace", "Esc",    "Up",  "Down", "Left",  "Right", "Home",    "End",
    "PgUp",  "PgDn", "Delete",    "Insert", "F1",  "F2",   "F3",    "F4",    "F5",      "F6",
    "F7",    "F8",   "F9",        "F10",    "F11", "F12",  "Paste", "Mouse", "FocusIn", "FocusOut",
};

static const struct {
	const char *alias;
	int code;
} aliases[] = {
    {"Return", K_ENTER},  {"RET", K_ENTER},  {"Escape", K_ESC}, {"PageUp", K_PGUP},
    {"PageDown", K_PGDN}, {"Del", K_DELETE}, {"Ins", K_INSERT}, {"BS", K_BACKSPACE},
    {"Space", ' '},       {"Spc", ' '},      {"SPC", ' '},
};

void keys_normalize(struct key *k)
{
	if (k->code < 0x20 || k->code == 0x7f || k->code > 0x10ffff)
		return;
	if (k->mods == M_SHIFT) {
		k->mods = 0;
		if (k->code >= 'a' && k->code <= 'z')
			k->code -= 32;
	} else if ((k->mods & (M_CTRL | M_ALT)) && k->code >= 'A' && k->code <= 'Z') {
		k->code += 32;
		k->mods |= M_SHIFT;
	}
}

int keys_name(const struct key *k, char *buf, size_t size)
{
	char ch[12];
	const char *base;

	if (k->code >= K_ENTER && k->code < K_LAST) {
		base = names[k->code - K_ENTER];
	} else if (k->code == ' ') {
		base = "Space";
	} else if (k->code > 0x20 && k->code <= 0x10ffff && k->code != 0x7f &&
	           !(k->code >= 0x80 && k->code < 0xa0)) {
		ch[utf8_encode((uint32_t)k->code, ch)] = '\0';
		base = ch;
	} else {
		snprintf(ch, sizeof(ch), "U+%04X", (unsigned)k->code & 0x1fffff);
		base = ch;
	}
	return snprintf(buf, size, "%s%s%s%s", k->mods & M_CTRL ? "C-" : "",
	                k->mods & M_ALT ? "M-" : "", k->mods & M_SHIFT ? "S-" : "", base);
}

/* Modifier bit named by s[0..n), or 0. */
static unsigned mod_name(const char *s, size_t n)
{
	static const struct {
		const char *name;
		unsigned mod;
	} mods[] = {
	    {"C", M_CTRL},  {"Ctrl", M_CTRL}, {"Control", M_CTRL}, {"M", M_ALT},
	    {"Alt", M_ALT}, {"Meta", M_ALT},  {"S", M_SHIFT},      {"Shift", M_SHIFT},
	};
	size_t i;

	for (i = 0; i < sizeof(mods) / sizeof(mods[0]); i++)
		if (strlen(mods[i].name) == n && !strncasecmp(s, mods[i].name, n))
			return mods[i].mod;
	return 0;
}

int keys_parse_name(const char *s, struct key *k)
{
	const unsigned char *u;
	struct key ck;
	size_t n, used, i;
	unsigned m;

	memset(k, 0, sizeof(*k));
	for (;;) {
		size_t j = strcspn(s, "-+");

		if (!s[j] || !j || !s[j + 1] || !(m = mod_name(s, j)))
			break;
		k->mods |= m;
		s += j + 1;
	}
	n = strlen(s);
	if (!n)
		return -1;
	u = (const unsigned char *)s;
	if (u[0] > 0x20 && u[0] != 0x7f && parse(u, n, 1, &ck, &used, 1) == P_KEY && used == n &&
	    ck.code != 0xfffd) {
		k->code = ck.code;
		keys_normalize(k);
		return 0;
	}
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcasecmp(s, names[i])) {
			k->code = K_ENTER + (int)i;
			keys_normalize(k);
			return 0;
		}
	for (i = 0; i < sizeof(aliases) / sizeof(aliases[0]); i++)
		if (!strcasecmp(s, aliases[i].alias)) {
			k->code = aliases[i].code;
			keys_normalize(k);
			return 0;
		}
	return -1;
}

_Static_assert(sizeof(names) / sizeof(names[0]) == K_LAST - K_ENTER, "a name for every K_ code");
