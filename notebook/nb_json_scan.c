// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * One pass over the bytes of an .ipynb before anything is parsed: a recursive-descent validator
 * that accepts exactly what jansson accepts (with JSON_ALLOW_NUL), so that parts of the file parsed
 * later — a cell's outputs, when first shown — can never fail and lose data. While it walks it
 * records where each cell and each cell's "outputs" value lie, and warns about outputs whose
 * output_type is unknown or which lack required keys.
 *
 * The second half is the canonical-form check for an outputs span: it decides, without building a
 * tree, whether writing the span's parsed value would give back the very same bytes. Only then may
 * a save copy the original bytes of outputs nobody looked at. It must never say yes wrongly, so it
 * says no to anything unusual (escaped keys, odd output_type values, numbers it cannot re-format).
 */
#include "notebook/nb_json.h"

#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_WARN 200

enum ctx { C_ANY, C_TOP, C_CELLS, C_CELL, C_OUTPUTS, C_OUTPUT };

struct sc {
	const unsigned char *b, *p, *end;
	int depth;
	struct nbj_scan *s;
	size_t cell, out;    /* current cells[cell].outputs[out] */
	unsigned seen;       /* keys seen in the current output */
	char otype[48];      /* its output_type, "" if none, "?" if not a string */
};

struct str {
	size_t start, end;   /* contents, without the quotes */
	int esc, nul;
};

static void warn(struct nbj_scan *s, const char *fmt, ...)
{
	va_list ap;
	char *w, **nw;

	if (s->nwarn > MAX_WARN)
		return;
	if (s->nwarn == MAX_WARN) {
		fmt = "(more warnings not shown)";
	}
	va_start(ap, fmt);
	if (vasprintf(&w, fmt, ap) < 0)
		w = NULL;
	va_end(ap);
	if (!w || !(nw = realloc(s->warn, (s->nwarn + 1) * sizeof *nw))) {
		free(w);
		return;
	}
	s->warn = nw;
	s->warn[s->nwarn++] = w;
}

static int fail(struct sc *c, const unsigned char *at, const char *fmt, ...)
{
	va_list ap;

	c->s->err_off = (size_t)(at - c->b);
	va_start(ap, fmt);
	vsnprintf(c->s->err, sizeof c->s->err, fmt, ap);
	va_end(ap);
	return -1;
}

static void skip_ws(struct sc *c)
{
	while (c->p < c->end && (*c->p == ' ' || *c->p == '\n' || *c->p == '\r' || *c->p == '\t'))
		c->p++;
}

static int hex4(const unsigned char *p, const unsigned char *end, unsigned *v)
{
	int i;

	*v = 0;
	if (end - p < 4)
		return -1;
	for (i = 0; i < 4; i++) {
		unsigned char h = p[i];

		*v <<= 4;
		if (h >= '0' && h <= '9')
			*v |= h - '0';
		else if (h >= 'a' && h <= 'f')
			*v |= h - 'a' + 10;
		else if (h >= 'A' && h <= 'F')
			*v |= h - 'A' + 10;
		else
			return -1;
	}
	return 0;
}

/* Length of a valid UTF-8 sequence of 2–4 bytes at p, 0 if invalid (overlong, surrogate, > U+10FFFF). */
static int utf8_len(const unsigned char *p, const unsigned char *end)
{
	unsigned char c = *p, lo = 0x80, hi = 0xbf;
	int n, i;

	if (c >= 0xc2 && c <= 0xdf)
		n = 2;
	else if (c >= 0xe0 && c <= 0xef)
		n = 3;
	else if (c >= 0xf0 && c <= 0xf4)
		n = 4;
	else
		return 0;
	if (end - p < n)
		return 0;
	if (c == 0xe0)
		lo = 0xa0;
	else if (c == 0xed)
		hi = 0x9f;
	else if (c == 0xf0)
		lo = 0x90;
	else if (c == 0xf4)
		hi = 0x8f;
	if (p[1] < lo || p[1] > hi)
		return 0;
	for (i = 2; i < n; i++)
		if (p[i] < 0x80 || p[i] > 0xbf)
			return 0;
	return n;
}

static int scan_string(struct sc *c, struct str *st)
{
	const unsigned char *p = c->p + 1, *end = c->end;

	st->start = (size_t)(p - c->b);
	st->esc = st->nul = 0;
	for (;;) {
		/* eight bytes at a time while none is '"', '\\', a control or non-ASCII byte */
		while (end - p >= 8) {
			uint64_t w, q, bs, t;

			memcpy(&w, p, 8);
			q = w ^ 0x2222222222222222ull;
			bs = w ^ 0x5c5c5c5c5c5c5c5cull;
			t = ((q - 0x0101010101010101ull) & ~q) | ((bs - 0x0101010101010101ull) & ~bs) |
			    ((w - 0x2020202020202020ull) & ~w) | w;
			if (t & 0x8080808080808080ull)
				break;
			p += 8;
		}
		while (p < end && *p >= 0x20 && *p < 0x80 && *p != '"' && *p != '\\')
			p++;
		if (p >= end)
			return fail(c, c->p, "unterminated string");
		if (*p == '"')
			break;
		if (*p == '\\') {
			unsigned v, v2;

			st->esc = 1;
			switch (p[1 < end - p ? 1 : 0]) {
			case '"': case '\\': case '/': case 'b': case 'f': case 'n': case 'r': case 't':
				if (end - p < 2)
					return fail(c, p, "unterminated string");
				p += 2;
				continue;
			case 'u':
				if (hex4(p + 2, end, &v) < 0)
					return fail(c, p, "invalid \\u escape");
				if (v >= 0xdc00 && v <= 0xdfff)
					return fail(c, p, "invalid Unicode escape (lone surrogate \\u%04x)", v);
				if (v >= 0xd800 && v <= 0xdbff) {
					if (end - p < 12 || p[6] != '\\' || p[7] != 'u' ||
					    hex4(p + 8, end, &v2) < 0 || v2 < 0xdc00 || v2 > 0xdfff)
						return fail(c, p, "invalid Unicode escape (lone surrogate \\u%04x)", v);
					p += 12;
					continue;
				}
				if (v == 0)
					st->nul = 1;
				p += 6;
				continue;
			default:
				return fail(c, p, "invalid escape in string");
			}
		}
		if (*p < 0x20)
			return fail(c, p, "control character 0x%02x in string", *p);
		{
			int n = utf8_len(p, end);

			if (!n)
				return fail(c, p, "invalid UTF-8");
			p += n;
		}
	}
	st->end = (size_t)(p - c->b);
	c->p = p + 1;
	return 0;
}

/* Decodes a short string into out (NUL-terminated); -1 if it does not fit. */
static int decode_short(const unsigned char *b, const struct str *st, char *out, size_t size)
{
	const unsigned char *p = b + st->start, *end = b + st->end;
	size_t n = 0;

	while (p < end) {
		unsigned v = *p, v2;
		char u[4];
		int k = 0, i;

		if (v == '\\') {
			switch (p[1]) {
			case 'b': v = '\b'; break;
			case 'f': v = '\f'; break;
			case 'n': v = '\n'; break;
			case 'r': v = '\r'; break;
			case 't': v = '\t'; break;
			case 'u':
				hex4(p + 2, end, &v);
				if (v >= 0xd800 && v <= 0xdbff) {
					hex4(p + 8, end, &v2);
					v = 0x10000 + ((v - 0xd800) << 10) + (v2 - 0xdc00);
					p += 6;
				}
				p += 4;
				break;
			default: v = p[1];
			}
			p += 2;
			if (v < 0x80) {
				u[k++] = (char)v;
			} else if (v < 0x800) {
				u[k++] = (char)(0xc0 | v >> 6);
				u[k++] = (char)(0x80 | (v & 0x3f));
			} else if (v < 0x10000) {
				u[k++] = (char)(0xe0 | v >> 12);
				u[k++] = (char)(0x80 | ((v >> 6) & 0x3f));
				u[k++] = (char)(0x80 | (v & 0x3f));
			} else {
				u[k++] = (char)(0xf0 | v >> 18);
				u[k++] = (char)(0x80 | ((v >> 12) & 0x3f));
				u[k++] = (char)(0x80 | ((v >> 6) & 0x3f));
				u[k++] = (char)(0x80 | (v & 0x3f));
			}
		} else {
			u[k++] = (char)*p++;
		}
		for (i = 0; i < k; i++) {
			if (n + 1 >= size)
				return -1;
			out[n++] = u[i];
		}
	}
	out[n] = 0;
	return 0;
}

static int key_is(struct sc *c, const struct str *st, const char *lit)
{
	char buf[32];

	if (!st->esc)
		return st->end - st->start == strlen(lit) && !memcmp(c->b + st->start, lit, strlen(lit));
	return !decode_short(c->b, st, buf, sizeof buf) && !strcmp(buf, lit);
}

static int scan_number(struct sc *c)
{
	const unsigned char *p = c->p, *start = p, *digits;
	int real = 0;

	if (*p == '-')
		p++;
	digits = p;
	if (p >= c->end || *p < '0' || *p > '9')
		return fail(c, start, "invalid token");
	if (*p == '0')
		p++;
	else
		while (p < c->end && *p >= '0' && *p <= '9')
			p++;
	if (p < c->end && *p == '.') {
		real = 1;
		if (++p >= c->end || *p < '0' || *p > '9')
			return fail(c, start, "invalid number");
		while (p < c->end && *p >= '0' && *p <= '9')
			p++;
	}
	if (p < c->end && (*p == 'e' || *p == 'E')) {
		real = 1;
		p++;
		if (p < c->end && (*p == '+' || *p == '-'))
			p++;
		if (p >= c->end || *p < '0' || *p > '9')
			return fail(c, start, "invalid number");
		while (p < c->end && *p >= '0' && *p <= '9')
			p++;
	}
	if (!real) {
		const char *lim = *start == '-' ? "9223372036854775808" : "9223372036854775807";
		size_t n = (size_t)(p - digits);

		if (n > 19 || (n == 19 && memcmp(digits, lim, 19) > 0))
			return fail(c, start, "integer %.*s does not fit in 64 bits", (int)(p - start > 40 ? 40 : p - start), start);
	} else {
		size_t n = (size_t)(p - start);
		char small[64], *tmp = n < sizeof small ? small : malloc(n + 1);
		double d;

		if (!tmp)
			return fail(c, start, "out of memory");
		memcpy(tmp, start, n);
		tmp[n] = 0;
		d = strtod(tmp, NULL);
		if (tmp != small)
			free(tmp);
		if (isinf(d))
			return fail(c, start, "number out of range (%.*s)", (int)(n > 40 ? 40 : n), start);
	}
	c->p = p;
	return 0;
}

static int scan_value(struct sc *c, enum ctx ctx);

static unsigned out_key_bit(struct sc *c, const struct str *k)
{
	static const char *const names[] = {"data", "metadata", "execution_count", "name", "text",
					    "ename", "evalue", "traceback"};
	size_t i;

	for (i = 0; i < sizeof names / sizeof names[0]; i++)
		if (key_is(c, k, names[i]))
			return 1u << i;
	return 0;
}

static void check_output(struct sc *c)
{
	static const struct { const char *type; unsigned need; const char *keys; } known[] = {
		{"stream", 8 | 16, "name, text"},
		{"display_data", 1 | 2, "data, metadata"},
		{"execute_result", 1 | 2 | 4, "data, metadata, execution_count"},
		{"error", 32 | 64 | 128, "ename, evalue, traceback"},
	};
	size_t i;

	if (!c->otype[0]) {
		warn(c->s, "cells[%zu].outputs[%zu]: no output_type", c->cell, c->out);
		return;
	}
	for (i = 0; i < sizeof known / sizeof known[0]; i++) {
		if (strcmp(c->otype, known[i].type))
			continue;
		if ((c->seen & known[i].need) != known[i].need)
			warn(c->s, "cells[%zu].outputs[%zu]: %s output lacks some of %s (kept)", c->cell,
			     c->out, known[i].type, known[i].keys);
		return;
	}
	warn(c->s, "cells[%zu].outputs[%zu]: unknown output_type \"%s\" (kept)", c->cell, c->out,
	     c->otype);
}

/* The members of an object whose '{' is at open; with resume, c->p is just past a member's value
 * (the progressive scan hands over there after the top-level "cells"). */
static int members(struct sc *c, enum ctx ctx, const unsigned char *open, int resume)
{
	int first = !resume;

	if (resume)
		goto after_value;
	for (;;) {
		struct str k;
		enum ctx vctx = C_ANY;
		const unsigned char *vstart;

		skip_ws(c);
		if (c->p >= c->end)
			return fail(c, open, "unterminated object");
		if (*c->p == '}' && first)
			break;
		if (*c->p != '"')
			return fail(c, c->p, "expected a string as object key");
		if (scan_string(c, &k) < 0)
			return -1;
		if (k.nul)
			return fail(c, c->b + k.start - 1, "NUL byte in object key is not supported");
		skip_ws(c);
		if (c->p >= c->end || *c->p != ':')
			return fail(c, c->p, "expected ':'");
		c->p++;
		skip_ws(c);
		vstart = c->p;
		if (ctx == C_TOP && key_is(c, &k, "cells")) {
			vctx = C_CELLS;
			if (vstart < c->end && *vstart != '[')
				return fail(c, vstart, "\"cells\" is not a list");
			free(c->s->cells);
			c->s->cells = NULL;
			c->s->ncells = 0;
		} else if (ctx == C_TOP && key_is(c, &k, "nbformat")) {
			c->s->nbformat_off = (size_t)(vstart - c->b);
		} else if (ctx == C_CELL && key_is(c, &k, "outputs")) {
			vctx = C_OUTPUTS;
		} else if (ctx == C_OUTPUT) {
			if (key_is(c, &k, "output_type") && vstart < c->end) {
				struct sc tmp = *c;
				struct str v;

				if (*vstart != '"' || scan_string(&tmp, &v) < 0 ||
				    decode_short(c->b, &v, c->otype, sizeof c->otype) < 0)
					snprintf(c->otype, sizeof c->otype, "%s",
						 *vstart == '"' ? "(long name)" : "(not a string)");
				if (!c->otype[0])
					snprintf(c->otype, sizeof c->otype, "(empty)");
			} else {
				c->seen |= out_key_bit(c, &k);
			}
		}
		if (scan_value(c, vctx) < 0)
			return -1;
		if (vctx == C_CELLS) {
			c->s->has_cells = 1;
			c->s->cells_start = (size_t)(vstart - c->b);
			c->s->cells_end = (size_t)(c->p - c->b);
		} else if (vctx == C_OUTPUTS && c->s->ncells) {
			struct nbj_cell_span *cs = &c->s->cells[c->s->ncells - 1];

			cs->out_start = (size_t)(vstart - c->b);
			cs->out_end = (size_t)(c->p - c->b);
		}
after_value:
		first = 0;
		skip_ws(c);
		if (c->p >= c->end)
			return fail(c, open, "unterminated object");
		if (*c->p == ',') {
			c->p++;
			continue;
		}
		if (*c->p == '}')
			break;
		return fail(c, c->p, "expected ',' or '}'");
	}
	c->p++;
	if (ctx == C_OUTPUT)
		check_output(c);
	return 0;
}

static int scan_object(struct sc *c, enum ctx ctx)
{
	const unsigned char *open = c->p;

	c->p++;
	if (ctx == C_OUTPUT) {
		c->seen = 0;
		c->otype[0] = 0;
	}
	return members(c, ctx, open, 0);
}

static int scan_array(struct sc *c, enum ctx ctx)
{
	const unsigned char *open = c->p;
	size_t i = 0;

	c->p++;
	for (;; i++) {
		enum ctx ectx = C_ANY;
		const unsigned char *vstart;

		skip_ws(c);
		if (c->p >= c->end)
			return fail(c, open, "unterminated list");
		if (*c->p == ']' && i == 0)
			break;
		vstart = c->p;
		if (ctx == C_CELLS) {
			struct nbj_cell_span *ns;

			if (*vstart != '{')
				return fail(c, vstart, "cells[%zu] is not an object", i);
			if (!(ns = realloc(c->s->cells, (c->s->ncells + 1) * sizeof *ns)))
				return fail(c, vstart, "out of memory");
			c->s->cells = ns;
			memset(&ns[c->s->ncells], 0, sizeof *ns);
			ns[c->s->ncells].start = (size_t)(vstart - c->b);
			c->s->ncells++;
			c->cell = i;
			ectx = C_CELL;
		} else if (ctx == C_OUTPUTS) {
			c->out = i;
			if (*vstart == '{')
				ectx = C_OUTPUT;
			else
				warn(c->s, "cells[%zu].outputs[%zu]: not an object (kept)", c->cell, i);
		}
		if (scan_value(c, ectx) < 0)
			return -1;
		if (ctx == C_CELLS)
			c->s->cells[c->s->ncells - 1].end = (size_t)(c->p - c->b);
		skip_ws(c);
		if (c->p >= c->end)
			return fail(c, open, "unterminated list");
		if (*c->p == ',') {
			c->p++;
			continue;
		}
		if (*c->p == ']')
			break;
		return fail(c, c->p, "expected ',' or ']'");
	}
	c->p++;
	return 0;
}

static int literal(struct sc *c, const char *lit)
{
	size_t n = strlen(lit);

	if ((size_t)(c->end - c->p) < n || memcmp(c->p, lit, n))
		return fail(c, c->p, "invalid token");
	c->p += n;
	return 0;
}

static int scan_value(struct sc *c, enum ctx ctx)
{
	int r;

	if (c->p >= c->end)
		return fail(c, c->p, "unexpected end of file");
	switch (*c->p) {
	case '{':
	case '[':
		if (++c->depth > JSON_PARSER_MAX_DEPTH)
			return fail(c, c->p, "nested more than %d levels deep", JSON_PARSER_MAX_DEPTH);
		r = *c->p == '{' ? scan_object(c, ctx) : scan_array(c, ctx);
		c->depth--;
		return r;
	case '"': {
		struct str st;

		return scan_string(c, &st);
	}
	case 't':
		return literal(c, "true");
	case 'f':
		return literal(c, "false");
	case 'n':
		return literal(c, "null");
	case 'N':
		return fail(c, c->p, "NaN is not valid JSON (refused: bobbin cannot save it back)");
	case 'I':
		return fail(c, c->p, "Infinity is not valid JSON (refused: bobbin cannot save it back)");
	default:
		if (*c->p == '-' && c->end - c->p > 1 && c->p[1] == 'I')
			return fail(c, c->p, "-Infinity is not valid JSON (refused: bobbin cannot save it back)");
		if (*c->p == '-' || (*c->p >= '0' && *c->p <= '9'))
			return scan_number(c);
		return fail(c, c->p, "invalid token");
	}
}

int nbj_scan(const char *buf, size_t len, struct nbj_scan *s)
{
	struct sc c = {.b = (const unsigned char *)buf, .p = (const unsigned char *)buf,
		       .end = (const unsigned char *)buf + len, .s = s};
	memset(s, 0, sizeof *s);
	skip_ws(&c);
	if (len >= 3 && !memcmp(buf, "\xef\xbb\xbf", 3))
		return fail(&c, c.p, "starts with a byte order mark (not valid JSON)");
	if (c.p >= c.end)
		return fail(&c, c.p, "empty file");
	if (*c.p != '{') {
		if (*c.p == '[')
			return fail(&c, c.p, "not a notebook: the top level is a list, not an object");
		return fail(&c, c.p, "not JSON");
	}
	if (scan_value(&c, C_TOP) < 0)
		return -1;
	skip_ws(&c);
	if (c.p != c.end)
		return fail(&c, c.p, "extra data after the JSON object");
	return 0;
}

void nbj_scan_clear(struct nbj_scan *s)
{
	size_t i;

	for (i = 0; i < s->nwarn; i++)
		free(s->warn[i]);
	free(s->warn);
	free(s->cells);
	memset(s, 0, sizeof *s);
}

/* ---- the progressive scan: cells as their bytes arrive ---- */

struct nbj_prog {
	struct sc c;
	size_t len;                 /* the whole buffer's length */
	const unsigned char *top;   /* the top-level '{' */
	const unsigned char *list;  /* the cells' '[' */
	size_t retry_at;            /* a cell that ran out of bytes is tried again from here */
	int sep;                    /* 1: a cell was scanned, ',' or ']' comes next */
	int done;                   /* the cells list is closed */
};

static const unsigned char *skip_ws_to(const unsigned char *p, const unsigned char *end)
{
	while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
		p++;
	return p;
}

struct nbj_prog *nbj_prog_begin(const char *buf, size_t len, size_t avail, struct nbj_scan *s)
{
	const unsigned char *b = (const unsigned char *)buf, *end = b + avail, *p, *top;
	struct nbj_prog *pg;

	memset(s, 0, sizeof *s);
	if (avail >= 3 && !memcmp(buf, "\xef\xbb\xbf", 3))
		return NULL;
	top = p = skip_ws_to(b, end);
	if (p >= end || *p != '{')
		return NULL;
	p = skip_ws_to(p + 1, end);
	if (end - p < 7 || memcmp(p, "\"cells\"", 7))
		return NULL;
	p = skip_ws_to(p + 7, end);
	if (p >= end || *p != ':')
		return NULL;
	p = skip_ws_to(p + 1, end);
	if (p >= end || *p != '[')
		return NULL;
	if (!(pg = calloc(1, sizeof *pg)))
		return NULL;
	pg->c = (struct sc){.b = b, .p = p + 1, .end = end, .s = s, .depth = 2};
	pg->len = len;
	pg->top = top;
	pg->list = p;
	return pg;
}

int nbj_prog_cells(struct nbj_prog *pg, size_t avail)
{
	struct sc *c = &pg->c;
	struct nbj_scan *s = c->s;
	int last = avail >= pg->len;

	if (pg->done)
		return 1;
	if (!last && avail < pg->retry_at)
		return 0;
	c->end = c->b + avail;
	for (;;) {
		const unsigned char *at;
		size_t nwarn = s->nwarn;

		skip_ws(c);
		if (c->p >= c->end)
			return last ? fail(c, pg->list, "unterminated list") : 0;
		if (pg->sep) {
			if (*c->p == ']')
				break;
			if (*c->p != ',')
				return fail(c, c->p, "expected ',' or ']'");
			c->p++;
			pg->sep = 0;
			continue;
		}
		if (*c->p == ']' && !s->ncells)
			break;
		at = c->p;
		if (*at != '{')
			return fail(c, at, "cells[%zu] is not an object", s->ncells);
		{
			struct nbj_cell_span *ns = realloc(s->cells, (s->ncells + 1) * sizeof *ns);

			if (!ns)
				return fail(c, at, "out of memory");
			s->cells = ns;
			memset(&ns[s->ncells], 0, sizeof *ns);
			ns[s->ncells].start = (size_t)(at - c->b);
			c->cell = s->ncells++;
		}
		if (scan_value(c, C_CELL) < 0) {
			if (last)
				return -1;
			/* most likely the cell goes on past what has been read: drop what this try
			 * found and try again once as many bytes again have come in */
			s->ncells--;
			while (s->nwarn > nwarn)
				free(s->warn[--s->nwarn]);
			s->err[0] = 0;
			c->depth = 2;
			c->p = at;
			pg->retry_at = avail + (avail - (size_t)(at - c->b)) + 1;
			return 0;
		}
		s->cells[s->ncells - 1].end = (size_t)(c->p - c->b);
		pg->sep = 1;
	}
	c->p++;
	pg->done = 1;
	s->has_cells = 1;
	s->cells_start = (size_t)(pg->list - c->b);
	s->cells_end = (size_t)(c->p - c->b);
	return 1;
}

int nbj_prog_finish(struct nbj_prog *pg)
{
	struct sc *c = &pg->c;
	size_t n = c->s->ncells, start = c->s->cells_start;

	c->end = c->b + pg->len;
	c->depth = 1;
	if (members(c, C_TOP, pg->top, 1) < 0)
		return -1;
	skip_ws(c);
	if (c->p != c->end)
		return fail(c, c->p, "extra data after the JSON object");
	/* a second "cells" member (the last one counts, as in jansson) */
	if (c->s->ncells != n || c->s->cells_start != start || !c->s->has_cells)
		return 1;
	return 0;
}

void nbj_prog_free(struct nbj_prog *pg)
{
	free(pg);
}

void nbj_position(const char *buf, size_t len, size_t off, int *line, int *col)
{
	size_t i;
	int l = 1, co = 1;

	if (off > len)
		off = len;
	for (i = 0; i < off; i++) {
		unsigned char ch = (unsigned char)buf[i];

		if (ch == '\n') {
			l++;
			co = 1;
		} else if ((ch & 0xc0) != 0x80) {
			co++;
		}
	}
	if (line)
		*line = l;
	if (col)
		*col = co;
}

/* ---- canonical form of an outputs span ---- */

enum mode { M_PLAIN, M_BUNDLE, M_OUTPUTS, M_OUTPUT };

struct ck {
	const unsigned char *p, *end;
};

/* What a value looked like, for the caller's nbformat-specific rules. */
struct vinfo {
	char type;     /* '"', '[', '{', or 'x' for anything else */
	int all_str;   /* list: every element is a string */
	int lines_ok;  /* list of strings: exactly str.splitlines(True) of their concatenation */
	int split_ok;  /* bundle: the mime-specific join/split rules hold */
	/* string: line statistics */
	int empty, terms, ends_term, ends_cr, starts_nl;
	size_t len;  /* string contents, in bytes as written */
};

static int ck_value(struct ck *c, int indent, enum mode m, struct vinfo *vi);

static int ck_nl(struct ck *c, int indent)
{
	int i;

	if (c->end - c->p < indent + 1 || *c->p != '\n')
		return 0;
	for (i = 1; i <= indent; i++)
		if (c->p[i] != ' ')
			return 0;
	c->p += indent + 1;
	return 1;
}

static int ck_string(struct ck *c, struct vinfo *vi)
{
	const unsigned char *p = c->p + 1, *start = c->p + 1;
	int prev_cr = 0, first = 1;

	vi->type = '"';
	vi->terms = vi->ends_term = vi->starts_nl = 0;
	for (;;) {
		unsigned char ch = *p;
		int term = 0, cr = 0, nl = 0;

		if (ch == '"')
			break;
		if (ch == '\\') {
			unsigned v;

			switch (p[1]) {
			case '"': case '\\': case 't': case 'b':
				p += 2;
				break;
			case 'n': nl = term = 1; p += 2; break;
			case 'r': cr = term = 1; p += 2; break;
			case 'f': term = 1; p += 2; break;
			case 'u':
				if (p[2] != '0' || p[3] != '0' || (p[4] != '0' && p[4] != '1') ||
				    !((p[5] >= '0' && p[5] <= '9') || (p[5] >= 'a' && p[5] <= 'f')))
					return 0;
				hex4(p + 2, c->end, &v);
				if (v == 8 || v == 9 || v == 10 || v == 12 || v == 13)
					return 0;
				term = v == 0x0b || (v >= 0x1c && v <= 0x1e);
				p += 6;
				break;
			default:
				return 0;  /* "\/" */
			}
		} else if (ch == 0xc2 && p[1] == 0x85) {
			term = 1;
			p += 2;
		} else if (ch == 0xe2 && p[1] == 0x80 && (p[2] == 0xa8 || p[2] == 0xa9)) {
			term = 1;
			p += 3;
		} else {
			p++;
		}
		if (first)
			vi->starts_nl = nl;
		first = 0;
		if (term && !(nl && prev_cr))
			vi->terms++;
		vi->ends_term = term;
		prev_cr = cr;
	}
	vi->empty = first;
	vi->ends_cr = prev_cr;
	vi->len = (size_t)(p - start);
	c->p = p + 1;
	return 1;
}

static int ck_number(struct ck *c)
{
	const unsigned char *p = c->p;
	int real = 0;
	size_t n;
	char tmp[48], out[48];

	while (p < c->end && (*p == '-' || *p == '+' || *p == '.' || *p == 'e' || *p == 'E' ||
			      (*p >= '0' && *p <= '9'))) {
		if (*p == '.' || *p == 'e' || *p == 'E')
			real = 1;
		p++;
	}
	n = (size_t)(p - c->p);
	if (!real) {
		int ok = !(n == 2 && c->p[0] == '-' && c->p[1] == '0');

		c->p = p;
		return ok;
	}
	if (n >= sizeof tmp)
		return 0;
	memcpy(tmp, c->p, n);
	tmp[n] = 0;
	nbj_format_real(strtod(tmp, NULL), out, sizeof out);
	c->p = p;
	return !strcmp(tmp, out);
}

/* Rules for one member of a mimebundle that nbformat joins on read and splits on write. */
static int bundle_member_ok(const char *key, const struct vinfo *vi)
{
	if (nbj_is_json_mime(key))
		return 1;
	if (nbj_is_split_mime(key)) {
		if (vi->type == '"')
			return 0;
		return vi->type != '[' || !vi->all_str || vi->lines_ok;
	}
	return !(vi->type == '[' && vi->all_str);
}

static int ck_object(struct ck *c, int indent, enum mode m, struct vinfo *vi)
{
	char prev[128], kbuf[128];
	size_t prevlen = 0;
	int first = 1;
	char otype[32] = "";
	int data_split_ok = 1;

	vi->type = '{';
	vi->split_ok = 1;
	c->p++;
	if (*c->p == '}') {
		c->p++;
		return m != M_OUTPUT;
	}
	for (;;) {
		struct vinfo kv, v;
		struct str ks;
		size_t klen;
		int r;
		enum mode vm = M_PLAIN;

		if (!ck_nl(c, indent + 1) || *c->p != '"' || !ck_string(c, &kv))
			return 0;
		/* keys compare by code point, so escaped keys are compared decoded */
		ks.start = 0;
		ks.end = kv.len;
		if (decode_short(c->p - kv.len - 1, &ks, kbuf, sizeof kbuf) < 0)
			return 0;
		klen = strlen(kbuf);
		if (!first) {
			r = memcmp(prev, kbuf, prevlen < klen ? prevlen : klen);
			if (r > 0 || (r == 0 && prevlen >= klen))
				return 0;
		}
		first = 0;
		memcpy(prev, kbuf, klen + 1);
		prevlen = klen;
		if (c->end - c->p < 2 || c->p[0] != ':' || c->p[1] != ' ')
			return 0;
		c->p += 2;
		if (m == M_OUTPUT && !strcmp(kbuf, "data"))
			vm = M_BUNDLE;
		if (!ck_value(c, indent + 1, vm, &v))
			return 0;
		if (m == M_BUNDLE && !bundle_member_ok(kbuf, &v))
			vi->split_ok = 0;
		if (m == M_OUTPUT) {
			if (!strcmp(kbuf, "data")) {
				data_split_ok = v.split_ok;
			} else if (!strcmp(kbuf, "output_type")) {
				const char *s = (const char *)c->p - v.len - 1;

				if (v.type != '"' || v.empty || v.len >= sizeof otype ||
				    memchr(s, '\\', v.len))
					return 0;
				memcpy(otype, s, v.len);
				otype[v.len] = 0;
			} else if (!strcmp(kbuf, "text")) {
				if (!otype[0])
					return 0;
				if (!strcmp(otype, "stream")) {
					if (v.type == '"' || (v.type == '[' && v.all_str && !v.lines_ok))
						return 0;
				} else if (strcmp(otype, "execute_result") && strcmp(otype, "display_data")) {
					if (v.type == '[' && v.all_str)
						return 0;
				}
			}
		}
		if (*c->p == ',') {
			c->p++;
			continue;
		}
		if (!ck_nl(c, indent) || *c->p != '}')
			return 0;
		c->p++;
		break;
	}
	if (m == M_OUTPUT) {
		if (!otype[0])
			return 0;
		if ((!strcmp(otype, "execute_result") || !strcmp(otype, "display_data")) &&
		    !data_split_ok)
			return 0;
	}
	return 1;
}

static int ck_array(struct ck *c, int indent, enum mode m, struct vinfo *vi)
{
	struct vinfo prev = {0};
	int n = 0;

	vi->type = '[';
	vi->all_str = 1;
	vi->lines_ok = 1;
	c->p++;
	if (*c->p == ']') {
		c->p++;
		return 1;
	}
	for (;; n++) {
		struct vinfo v;

		if (!ck_nl(c, indent + 1))
			return 0;
		if (m == M_OUTPUTS && *c->p != '{')
			return 0;
		if (!ck_value(c, indent + 1, m == M_OUTPUTS ? M_OUTPUT : M_PLAIN, &v))
			return 0;
		if (v.type != '"') {
			vi->all_str = 0;
		} else if (vi->lines_ok) {
			if (v.empty || v.terms > 1 || (v.terms == 1 && !v.ends_term))
				vi->lines_ok = 0;
			if (n && (prev.terms != 1 || (prev.ends_cr && v.starts_nl)))
				vi->lines_ok = 0;
			prev = v;
		}
		if (*c->p == ',') {
			c->p++;
			continue;
		}
		if (!ck_nl(c, indent) || *c->p != ']')
			return 0;
		c->p++;
		return 1;
	}
}

static int ck_value(struct ck *c, int indent, enum mode m, struct vinfo *vi)
{
	memset(vi, 0, sizeof *vi);
	vi->type = 'x';
	switch (*c->p) {
	case '{':
		return ck_object(c, indent, m, vi);
	case '[':
		return ck_array(c, indent, m, vi);
	case '"':
		return m == M_PLAIN || m == M_BUNDLE ? ck_string(c, vi) : 0;
	case 't':
		c->p += 4;
		return 1;
	case 'f':
		c->p += 5;
		return 1;
	case 'n':
		c->p += 4;
		return 1;
	default:
		return ck_number(c);
	}
}

int nbj_outputs_canonical(const char *buf, size_t len, int indent)
{
	struct ck c = {(const unsigned char *)buf, (const unsigned char *)buf + len};
	struct vinfo vi;

	if (!len || *buf != '[')
		return 0;
	return ck_value(&c, indent, M_OUTPUTS, &vi) && c.p == c.end;
}
