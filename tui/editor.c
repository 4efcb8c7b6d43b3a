// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * The cell editor's buffer (see editor.h). The text is one contiguous NUL-terminated string:
 * cells are small, so every edit is a memmove and line positions are found by scanning, which
 * keeps the code simple and obviously correct. Every change goes through edit(), which records
 * an undo step (replace [pos, pos+ndel) by ins) or extends the previous one when typing,
 * backspacing or deleting continues where it stopped.
 */
#include "tui/editor.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "tui/safetext.h"
#include "tui/utf8.h"

enum { U_OTHER, U_TYPE, U_BACK, U_DEL };

struct undo {
	size_t pos;
	char *del, *ins; /* removed and inserted text */
	size_t ndel, nins;
	size_t cur_before, cur_after;
	int kind;
};

struct editor {
	char *text; /* NUL-terminated, valid UTF-8, no NUL inside */
	size_t len, cap;
	size_t cur;
	int goal;          /* display column kept by up/down, -1 when unset */
	struct undo *undo; /* [0, nundo): done; [nundo, nredo): undone, can be redone */
	size_t nundo, nredo, undocap;
	int seal;
	unsigned long version;
};

struct editor *editor_new(void)
{
	struct editor *e = calloc(1, sizeof(*e));

	if (!e)
		return NULL;
	e->text = calloc(1, 16);
	if (!e->text) {
		free(e);
		return NULL;
	}
	e->cap = 16;
	e->goal = -1;
	return e;
}

static void undo_clear(struct undo *u)
{
	free(u->del);
	free(u->ins);
}

static void undo_reset(struct editor *e)
{
	size_t i;

	for (i = 0; i < e->nredo; i++)
		undo_clear(&e->undo[i]);
	e->nundo = e->nredo = 0;
	e->seal = 0;
}

void editor_free(struct editor *e)
{
	if (!e)
		return;
	undo_reset(e);
	free(e->undo);
	free(e->text);
	free(e);
}

/* ---- UTF-8 ---- */

/* The code point at byte pos of the text (valid UTF-8); *len gets its length. */
static uint32_t dec(const struct editor *e, size_t pos, size_t *len)
{
	uint32_t c;

	utf8_decode(e->text + pos, e->len - pos, &c, len);
	return c;
}

/*
 * Length of the valid UTF-8 character at s[0..n), or 0 if it is not one; then *bad gets the
 * length of its maximal invalid subpart (at least 1), which becomes one U+FFFD.
 */
static size_t valid_len(const unsigned char *s, size_t n, size_t *bad)
{
	uint32_t c;
	size_t len;

	int ok = utf8_decode((const char *)s, n, &c, &len) == UTF8_OK;

	*bad = len;
	return ok ? len : 0;
}

/*
 * Caller frees. s[0..n) as valid UTF-8 without NUL: each invalid byte becomes U+FFFD.
 * NULL when out of memory.
 */
static char *clean(const char *s, size_t n, size_t *outn)
{
	const unsigned char *u = (const unsigned char *)s;
	char *out = malloc(n * 3 + 1);
	size_t i = 0, o = 0, l, bad;

	if (!out)
		return NULL;
	while (i < n) {
		if (!u[i]) {
			i++;
			continue;
		}
		l = valid_len(u + i, n - i, &bad);
		if (!l) {
			memcpy(out + o, "\xef\xbf\xbd", 3);
			o += 3;
			i += bad;
			continue;
		}
		memcpy(out + o, s + i, l);
		o += l;
		i += l;
	}
	out[o] = '\0';
	*outn = o;
	return out;
}

/* ---- positions ---- */

static size_t line_start(const struct editor *e, size_t pos)
{
	while (pos > 0 && e->text[pos - 1] != '\n')
		pos--;
	return pos;
}

static size_t line_end(const struct editor *e, size_t pos)
{
	const char *nl = memchr(e->text + pos, '\n', e->len - pos);

	return nl ? (size_t)(nl - e->text) : e->len;
}

static int is_ri(uint32_t c)
{
	return c >= 0x1f1e6 && c <= 0x1f1ff;
}

/* Code points that attach to the one before them in a user-perceived character. */
static int is_extend(uint32_t c)
{
	int w;

	if (c == 0x200d || (c >= 0xfe00 && c <= 0xfe0f) || (c >= 0x1f3fb && c <= 0x1f3ff) ||
	    (c >= 0xe0020 && c <= 0xe007f) || (c >= 0xe0100 && c <= 0xe01ef))
		return 1;
	if (c < 0x300)
		return 0;
	w = wcwidth((wchar_t)c);
	return w == 0;
}

/* End of the user-perceived character starting at pos. */
static size_t next_cluster(const struct editor *e, size_t pos)
{
	uint32_t c, prev;
	size_t l;
	int ri;

	if (pos >= e->len)
		return e->len;
	c = dec(e, pos, &l);
	pos += l;
	if (c == '\n')
		return pos;
	if (c == '\r')
		return e->text[pos] == '\n' ? pos + 1 : pos;
	prev = c;
	ri = is_ri(c);
	while (pos < e->len) {
		c = dec(e, pos, &l);
		if (c < 0x20 || c == 0x7f)
			break;
		if (is_extend(c) || prev == 0x200d) {
			/* glue */
		} else if (ri && is_ri(c)) {
			ri = 0;
		} else {
			break;
		}
		prev = c;
		pos += l;
	}
	return pos;
}

/* Start of the user-perceived character that ends at pos. */
static size_t prev_cluster(const struct editor *e, size_t pos)
{
	size_t p, q;

	if (pos == 0)
		return 0;
	if (e->text[pos - 1] == '\n')
		return pos >= 2 && e->text[pos - 2] == '\r' ? pos - 2 : pos - 1;
	p = line_start(e, pos);
	while ((q = next_cluster(e, p)) < pos)
		p = q;
	return p;
}

/* Display width of the code point at s; *len gets its length. */
static int cp_width(const char *s, size_t n, size_t *len)
{
	return st_next(s, n, len);
}

/* Display column of pos in its line. */
static int col_of(const struct editor *e, size_t pos)
{
	size_t p = line_start(e, pos), l;
	int col = 0;

	while (p < pos) {
		if (e->text[p] == '\t') {
			col += EDITOR_TABSTOP - col % EDITOR_TABSTOP;
			p++;
			continue;
		}
		col += cp_width(e->text + p, e->len - p, &l);
		p += l;
	}
	return col;
}

/* The position in the line starting at ls whose column is the largest not above goal. */
static size_t pos_at_col(const struct editor *e, size_t ls, int goal)
{
	size_t le = line_end(e, ls), p = ls, q, l;
	int col = 0, w;

	while (p < le) {
		q = next_cluster(e, p);
		if (q > le)
			q = le;
		if (e->text[p] == '\t') {
			w = EDITOR_TABSTOP - col % EDITOR_TABSTOP;
		} else {
			size_t r;

			for (w = 0, r = p; r < q; r += l)
				w += cp_width(e->text + r, e->len - r, &l);
		}
		if (col + w > goal)
			break;
		col += w;
		p = q;
	}
	return p;
}

static size_t cp_to_byte(const struct editor *e, size_t cp)
{
	size_t p = 0, l;

	while (cp && p < e->len) {
		dec(e, p, &l);
		p += l;
		cp--;
	}
	return p;
}

/* ---- queries ---- */

const char *editor_text(const struct editor *e, size_t *n)
{
	if (n)
		*n = e->len;
	return e->text;
}

unsigned long editor_version(const struct editor *e)
{
	return e->version;
}

size_t editor_cursor(const struct editor *e)
{
	return e->cur;
}

void editor_set_cursor(struct editor *e, size_t off)
{
	if (off > e->len)
		off = e->len;
	while (off > 0 && off < e->len && utf8_is_cont((unsigned char)e->text[off]))
		off--;
	e->cur = off;
	e->goal = -1;
	e->seal = 1;
}

size_t editor_cursor_cp(const struct editor *e)
{
	size_t i, n = 0;

	for (i = 0; i < e->cur; i++)
		if (!utf8_is_cont((unsigned char)e->text[i]))
			n++;
	return n;
}

void editor_set_cursor_cp(struct editor *e, size_t cp)
{
	editor_set_cursor(e, cp_to_byte(e, cp));
}

size_t editor_cursor_line(const struct editor *e)
{
	size_t i, n = 0;

	for (i = 0; i < e->cur; i++)
		n += e->text[i] == '\n';
	return n;
}

int editor_cursor_col(const struct editor *e)
{
	return col_of(e, e->cur);
}

int editor_at_line_start_ws(const struct editor *e)
{
	size_t p;

	for (p = line_start(e, e->cur); p < e->cur; p++)
		if (e->text[p] != ' ' && e->text[p] != '\t')
			return 0;
	return 1;
}

size_t editor_line_count(const struct editor *e)
{
	size_t i, n = 1;

	for (i = 0; i < e->len; i++)
		n += e->text[i] == '\n';
	return n;
}

int editor_iter_next(const struct editor *e, struct editor_iter *it, const char **s, size_t *n)
{
	size_t le;

	if (it->done || it->next > e->len)
		return 0;
	if (it->started)
		it->line++;
	it->started = 1;
	it->start = it->next;
	le = line_end(e, it->start);
	*s = e->text + it->start;
	*n = le - it->start;
	if (le >= e->len)
		it->done = 1;
	it->next = le + 1;
	return 1;
}

/* ---- editing core ---- */

static int grow(struct editor *e, size_t need)
{
	size_t n = e->cap;
	char *p;

	if (need < e->cap)
		return 0;
	while (n <= need)
		n *= 2;
	p = realloc(e->text, n);
	if (!p)
		return -1;
	e->text = p;
	e->cap = n;
	return 0;
}

static char *memdup_z(const char *s, size_t n)
{
	char *p = malloc(n + 1);

	if (p) {
		memcpy(p, s, n);
		p[n] = '\0';
	}
	return p;
}

/* Extends the last undo step with this edit if it continues it; 1 if it did. */
static int coalesce(struct editor *e, size_t pos, size_t ndel, const char *ins, size_t nins,
                    int kind)
{
	struct undo *u;
	char *p;

	if (kind == U_OTHER || e->seal || !e->nundo || e->nredo != e->nundo)
		return 0;
	u = &e->undo[e->nundo - 1];
	if (u->kind != kind)
		return 0;
	if (kind == U_TYPE && !ndel && pos == u->pos + u->nins) {
		if (!(p = realloc(u->ins, u->nins + nins + 1)))
			return -1;
		memcpy(p + u->nins, ins, nins);
		u->ins = p;
		u->nins += nins;
		return 1;
	}
	if (kind == U_BACK && !nins && pos + ndel == u->pos) {
		if (!(p = malloc(u->ndel + ndel + 1)))
			return -1;
		memcpy(p, e->text + pos, ndel);
		memcpy(p + ndel, u->del, u->ndel);
		free(u->del);
		u->del = p;
		u->ndel += ndel;
		u->pos = pos;
		return 1;
	}
	if (kind == U_DEL && !nins && pos == u->pos) {
		if (!(p = realloc(u->del, u->ndel + ndel + 1)))
			return -1;
		memcpy(p + u->ndel, e->text + pos, ndel);
		u->del = p;
		u->ndel += ndel;
		return 1;
	}
	return 0;
}

/* Records a new undo step; drops the redo tail and, past EDITOR_UNDO_MAX, the oldest step. */
static int record(struct editor *e, size_t pos, size_t ndel, const char *ins, size_t nins, int kind)
{
	struct undo u = {
	    .pos = pos, .ndel = ndel, .nins = nins, .cur_before = e->cur, .kind = kind};
	size_t i;

	u.del = memdup_z(e->text + pos, ndel);
	u.ins = memdup_z(ins, nins);
	if (!u.del || !u.ins)
		goto fail;
	for (i = e->nundo; i < e->nredo; i++)
		undo_clear(&e->undo[i]);
	e->nredo = e->nundo;
	if (e->nundo == EDITOR_UNDO_MAX) {
		undo_clear(&e->undo[0]);
		memmove(e->undo, e->undo + 1, (e->nundo - 1) * sizeof(*e->undo));
		e->nundo--;
	}
	if (e->nundo == e->undocap) {
		size_t n = e->undocap ? e->undocap * 2 : 16;
		struct undo *p = realloc(e->undo, n * sizeof(*p));

		if (!p)
			goto fail;
		e->undo = p;
		e->undocap = n;
	}
	e->undo[e->nundo++] = u;
	e->nredo = e->nundo;
	return 0;
fail:
	free(u.del);
	free(u.ins);
	return -1;
}

/* Replaces text [pos, pos+ndel) with ins[0..nins) (already clean), without undo. */
static int splice(struct editor *e, size_t pos, size_t ndel, const char *ins, size_t nins)
{
	if (grow(e, e->len - ndel + nins) < 0)
		return -1;
	memmove(e->text + pos + nins, e->text + pos + ndel, e->len - pos - ndel + 1);
	memcpy(e->text + pos, ins, nins);
	e->len = e->len - ndel + nins;
	e->version++;
	return 0;
}

/* The one way text changes: splice plus undo; the cursor goes to pos + nins. */
static int edit(struct editor *e, size_t pos, size_t ndel, const char *ins, size_t nins, int kind)
{
	int c;

	if (grow(e, e->len - ndel + nins) < 0)
		return -1;
	c = coalesce(e, pos, ndel, ins, nins, kind);
	if (c < 0 || (!c && record(e, pos, ndel, ins, nins, kind) < 0))
		return -1;
	splice(e, pos, ndel, ins, nins); /* cannot fail: grown above */
	e->cur = pos + nins;
	e->undo[e->nundo - 1].cur_after = e->cur;
	e->goal = -1;
	e->seal = kind == U_OTHER;
	return 0;
}

/* edit() with text from outside, cleaned first. */
static int edit_clean(struct editor *e, size_t pos, size_t ndel, const char *s, size_t n, int kind)
{
	size_t cn;
	char *c = clean(s, n, &cn);
	int r;

	if (!c)
		return -1;
	r = edit(e, pos, ndel, c, cn, kind);
	free(c);
	return r;
}

int editor_set_text(struct editor *e, const char *s, size_t n)
{
	size_t cn;
	char *c = clean(s, n, &cn);

	if (!c)
		return -1;
	free(e->text);
	e->text = c;
	e->len = cn;
	e->cap = n * 3 + 1;
	e->cur = 0;
	e->goal = -1;
	e->version++;
	undo_reset(e);
	return 0;
}

/* ---- motion ---- */

static int move_to(struct editor *e, size_t pos)
{
	int moved = pos != e->cur;

	e->cur = pos;
	e->goal = -1;
	e->seal = 1;
	return moved;
}

int editor_left(struct editor *e)
{
	return move_to(e, prev_cluster(e, e->cur));
}

int editor_right(struct editor *e)
{
	return move_to(e, next_cluster(e, e->cur));
}

int editor_up(struct editor *e)
{
	size_t ls = line_start(e, e->cur);
	int goal = e->goal >= 0 ? e->goal : col_of(e, e->cur);

	if (ls == 0)
		return 0;
	e->cur = pos_at_col(e, line_start(e, ls - 1), goal);
	e->goal = goal;
	e->seal = 1;
	return 1;
}

int editor_down(struct editor *e)
{
	size_t le = line_end(e, e->cur);
	int goal = e->goal >= 0 ? e->goal : col_of(e, e->cur);

	if (le >= e->len)
		return 0;
	e->cur = pos_at_col(e, le + 1, goal);
	e->goal = goal;
	e->seal = 1;
	return 1;
}

size_t editor_page_up(struct editor *e, size_t n)
{
	size_t i;

	for (i = 0; i < n && editor_up(e); i++)
		;
	return i;
}

size_t editor_page_down(struct editor *e, size_t n)
{
	size_t i;

	for (i = 0; i < n && editor_down(e); i++)
		;
	return i;
}

/* 0 blank, 1 word character, 2 punctuation; for the character at pos. */
static int char_class(const struct editor *e, size_t pos)
{
	unsigned char c = (unsigned char)e->text[pos];

	if (c == ' ' || c == '\t' || c == '\n' || c == '\r')
		return 0;
	if (c >= 0x80 || c == '_' || (c >= '0' && c <= '9') ||
	    ((c | 0x20) >= 'a' && (c | 0x20) <= 'z'))
		return 1;
	return 2;
}

static size_t word_left_pos(const struct editor *e)
{
	size_t p = e->cur, q;
	int cls;

	while (p > 0 && char_class(e, (q = prev_cluster(e, p))) == 0)
		p = q;
	if (p == 0)
		return 0;
	cls = char_class(e, prev_cluster(e, p));
	while (p > 0 && char_class(e, (q = prev_cluster(e, p))) == cls)
		p = q;
	return p;
}

int editor_word_left(struct editor *e)
{
	return move_to(e, word_left_pos(e));
}

int editor_word_right(struct editor *e)
{
	size_t p = e->cur;
	int cls;

	while (p < e->len && char_class(e, p) == 0)
		p = next_cluster(e, p);
	if (p < e->len) {
		cls = char_class(e, p);
		while (p < e->len && char_class(e, p) == cls)
			p = next_cluster(e, p);
	}
	return move_to(e, p);
}

/* First non-blank position of the line starting at ls (its end if blank). */
static size_t first_nonblank(const struct editor *e, size_t ls)
{
	while (ls < e->len && (e->text[ls] == ' ' || e->text[ls] == '\t'))
		ls++;
	return ls;
}

int editor_home(struct editor *e)
{
	size_t ls = line_start(e, e->cur), fnb = first_nonblank(e, ls);

	return move_to(e, e->cur == fnb ? ls : fnb);
}

int editor_end(struct editor *e)
{
	return move_to(e, line_end(e, e->cur));
}

int editor_top(struct editor *e)
{
	return move_to(e, 0);
}

int editor_bottom(struct editor *e)
{
	return move_to(e, e->len);
}

/* ---- editing commands ---- */

int editor_insert(struct editor *e, const char *s, size_t n)
{
	if (memchr(s, '\n', n))
		return editor_paste(e, s, n);
	return edit_clean(e, e->cur, 0, s, n, U_TYPE);
}

int editor_paste(struct editor *e, const char *s, size_t n)
{
	return edit_clean(e, e->cur, 0, s, n, U_OTHER);
}

/* 1 if s[0..n) is a statement after which Python code dedents. */
static int ends_block(const char *s, size_t n)
{
	static const char *const kw[] = {"pass", "return", "raise", "break", "continue"};
	size_t i, k;

	for (i = 0; i < sizeof(kw) / sizeof(kw[0]); i++) {
		k = strlen(kw[i]);
		if (n >= k && !memcmp(s, kw[i], k) &&
		    (n == k || ((i == 1 || i == 2) && (s[k] == ' ' || s[k] == '('))))
			return 1;
	}
	return 0;
}

int editor_newline(struct editor *e)
{
	size_t ls = line_start(e, e->cur), ie = first_nonblank(e, ls), q = e->cur, nind;
	char *buf;
	int r, extra = 0;

	if (ie > e->cur)
		ie = e->cur;
	nind = ie - ls;
	while (q > ie && (e->text[q - 1] == ' ' || e->text[q - 1] == '\t'))
		q--;
	if (q > ie && e->text[q - 1] == ':') {
		extra = EDITOR_INDENT;
	} else if (q > ie && ends_block(e->text + ie, q - ie)) {
		if (nind && e->text[ie - 1] == '\t') {
			nind--;
		} else {
			size_t k = 0;

			while (k < EDITOR_INDENT && nind && e->text[ls + nind - 1] == ' ') {
				nind--;
				k++;
			}
		}
	}
	buf = malloc(1 + nind + (size_t)extra);
	if (!buf)
		return -1;
	buf[0] = '\n';
	memcpy(buf + 1, e->text + ls, nind);
	memset(buf + 1 + nind, ' ', (size_t)extra);
	r = edit(e, e->cur, 0, buf, 1 + nind + (size_t)extra, U_OTHER);
	free(buf);
	return r;
}

int editor_tab(struct editor *e)
{
	static const char spaces[EDITOR_INDENT] = "    ";
	int col;

	if (!editor_at_line_start_ws(e))
		return 0;
	col = col_of(e, e->cur);
	if (edit(e, e->cur, 0, spaces, (size_t)(EDITOR_INDENT - col % EDITOR_INDENT), U_OTHER) < 0)
		return -1;
	return 1;
}

int editor_dedent(struct editor *e)
{
	size_t ls = line_start(e, e->cur), n = 0, cur = e->cur;

	if (e->text[ls] == '\t')
		n = 1;
	else
		while (n < EDITOR_INDENT && e->text[ls + n] == ' ')
			n++;
	if (!n)
		return 0;
	if (edit(e, ls, n, "", 0, U_OTHER) < 0)
		return -1;
	e->cur = cur >= ls + n ? cur - n : ls;
	e->undo[e->nundo - 1].cur_after = e->cur;
	return 1;
}

int editor_backspace(struct editor *e)
{
	size_t p = prev_cluster(e, e->cur);

	if (p == e->cur)
		return 0;
	return edit(e, p, e->cur - p, "", 0, U_BACK) < 0 ? -1 : 1;
}

int editor_delete(struct editor *e)
{
	size_t p = next_cluster(e, e->cur);

	if (p == e->cur)
		return 0;
	return edit(e, e->cur, p - e->cur, "", 0, U_DEL) < 0 ? -1 : 1;
}

int editor_delete_word_left(struct editor *e)
{
	size_t p = word_left_pos(e);

	if (p == e->cur)
		return 0;
	return edit(e, p, e->cur - p, "", 0, U_OTHER) < 0 ? -1 : 1;
}

int editor_replace(struct editor *e, size_t start_cp, size_t end_cp, const char *s, size_t n)
{
	size_t a = cp_to_byte(e, start_cp), b = cp_to_byte(e, end_cp);

	if (b < a)
		b = a;
	return edit_clean(e, a, b - a, s, n, U_OTHER);
}

char *editor_split(struct editor *e, size_t *n)
{
	size_t from = e->cur, to = e->cur, tn;
	char *tail;

	if (from > 0 && e->text[from - 1] == '\n')
		from--;
	tn = e->len - to;
	if (tn && e->text[to] == '\n') {
		to++;
		tn--;
	}
	tail = memdup_z(e->text + to, tn);
	if (!tail)
		return NULL;
	if (edit(e, from, e->len - from, "", 0, U_OTHER) < 0) {
		free(tail);
		return NULL;
	}
	if (n)
		*n = tn;
	return tail;
}

/* Adds or removes the marker at the first non-blank column of the cursor's line. */
int editor_toggle_comment(struct editor *e, const char *marker)
{
	size_t ls = line_start(e, e->cur), le = line_end(e, e->cur), at = first_nonblank(e, ls);
	size_t m = strlen(marker), cur = e->cur, n;
	int r;

	if (!m)
		return 0;
	if (le - at >= m && !memcmp(e->text + at, marker, m)) {
		n = m + (at + m < le && e->text[at + m] == ' ');
		if ((r = edit(e, at, n, "", 0, U_OTHER)) < 0)
			return r;
		e->cur = cur >= at + n ? cur - n : cur > at ? at : cur;
	} else {
		char buf[32];

		if (m + 2 > sizeof buf)
			return 0;
		memcpy(buf, marker, m);
		buf[m] = ' ';
		if ((r = edit(e, at, 0, buf, m + 1, U_OTHER)) < 0)
			return r;
		e->cur = cur >= at ? cur + m + 1 : cur;
	}
	e->undo[e->nundo - 1].cur_after = e->cur;
	return 1;
}

/* ---- undo ---- */

int editor_undo(struct editor *e)
{
	struct undo *u;

	if (!e->nundo)
		return 0;
	u = &e->undo[e->nundo - 1];
	if (splice(e, u->pos, u->nins, u->del, u->ndel) < 0)
		return -1;
	e->nundo--;
	e->cur = u->cur_before;
	e->goal = -1;
	e->seal = 1;
	return 1;
}

int editor_redo(struct editor *e)
{
	struct undo *u;

	if (e->nundo == e->nredo)
		return 0;
	u = &e->undo[e->nundo];
	if (splice(e, u->pos, u->ndel, u->ins, u->nins) < 0)
		return -1;
	e->nundo++;
	e->cur = u->cur_after;
	e->goal = -1;
	e->seal = 1;
	return 1;
}

void editor_seal_undo(struct editor *e)
{
	e->seal = 1;
}
