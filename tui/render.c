// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * Cell layout (see render.h): a line builder that sanitises and expands tabs, a wrapper that
 * cuts built lines into rows at display width, and the cell/pane structure around them. Outputs
 * are folded without reading more than they must: a folded output stops parsing at the fold and
 * counts the rest by newlines, and a running cell's tail skips the head by counting newlines.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tui/render.h"
#include "tui/theme.h"
#include "tui/utf8.h"

/* ---- growable arrays of the layout ---- */

static int grow(void **p, size_t *cap, size_t need, size_t elem)
{
	size_t c = *cap ? *cap : 16;
	void *q;

	if (need <= *cap)
		return 0;
	while (c < need)
		c *= 2;
	if (!(q = realloc(*p, c * elem)))
		return -1;
	*p = q;
	*cap = c;
	return 0;
}

static int l_text(struct rd_layout *l, const char *s, size_t n, int role, int sgr,
		  const struct st_style *st)
{
	struct rd_span *sp;

	if (!n)
		return 0;
	if (grow((void **)&l->text, &l->tcap, l->tlen + n + 1, 1) < 0)
		return -1;
	memcpy(l->text + l->tlen, s, n);
	sp = l->nspans && l->nrows ? &l->spans[l->nspans - 1] : NULL;
	if (sp && l->nrows && l->rows[l->nrows - 1].nspans && sp->off + sp->len == l->tlen &&
	    sp->role == role && sp->sgr == sgr && (!sgr || st_style_eq(&sp->style, st))) {
		sp->len += (unsigned)n;
		l->tlen += n;
		l->text[l->tlen] = 0; /* kept a C string (grow reserved the byte) */
		return 0;
	}
	if (grow((void **)&l->spans, &l->scap, l->nspans + 1, sizeof *l->spans) < 0)
		return -1;
	sp = &l->spans[l->nspans++];
	sp->off = (unsigned)l->tlen;
	sp->len = (unsigned)n;
	sp->role = (unsigned short)role;
	sp->sgr = (unsigned char)sgr;
	if (sgr)
		sp->style = *st;
	else
		st_style_reset(&sp->style);
	l->tlen += n;
	l->text[l->tlen] = 0;
	if (l->nrows)
		l->rows[l->nrows - 1].nspans++;
	return 0;
}

static int l_row(struct rd_layout *l, int kind, int line, int col0)
{
	struct rd_row *r;

	if (grow((void **)&l->rows, &l->rcap, l->nrows + 1, sizeof *l->rows) < 0)
		return -1;
	r = &l->rows[l->nrows++];
	r->span0 = (unsigned)l->nspans;
	r->nspans = 0;
	r->kind = (unsigned char)kind;
	r->line = line;
	r->col0 = col0;
	return 0;
}

static int l_repeat(struct rd_layout *l, const char *s, int times, int role)
{
	size_t n = strlen(s);

	for (int i = 0; i < times; i++)
		if (l_text(l, s, n, role, 0, NULL) < 0)
			return -1;
	return 0;
}

static int l_pad(struct rd_layout *l, int cols, int role)
{
	return l_repeat(l, " ", cols, role);
}

void rd_layout_clear(struct rd_layout *l)
{
	free(l->text);
	free(l->spans);
	free(l->rows);
	memset(l, 0, sizeof *l);
}

void rd_size(size_t n, char *buf, size_t size)
{
	if (n < 1024)
		snprintf(buf, size, "%zu B", n);
	else if (n < 1024 * 1024)
		snprintf(buf, size, "%.1f KB", n / 1024.0);
	else
		snprintf(buf, size, "%.1f MB", n / (1024.0 * 1024.0));
}

/* ---- the line builder: sanitised, tab-expanded text in segments of one style ---- */

struct seg {
	size_t off, len;
	int role, sgr;
	struct st_style st;
};

struct lb {
	char *b;
	size_t n, cap;
	struct seg *segs;
	size_t nsegs, scap;
	int cols;
	int ascii;
};

static void lb_reset(struct lb *b)
{
	b->n = 0;
	b->nsegs = 0;
	b->cols = 0;
}

static void lb_free(struct lb *b)
{
	free(b->b);
	free(b->segs);
}

static int lb_raw(struct lb *b, const char *s, size_t n, int role, int sgr,
		  const struct st_style *st)
{
	struct seg *g;

	if (grow((void **)&b->b, &b->cap, b->n + n + 1, 1) < 0)
		return -1;
	memcpy(b->b + b->n, s, n);
	g = b->nsegs ? &b->segs[b->nsegs - 1] : NULL;
	if (g && g->role == role && g->sgr == sgr && (!sgr || st_style_eq(&g->st, st))) {
		g->len += n;
	} else {
		if (grow((void **)&b->segs, &b->scap, b->nsegs + 1, sizeof *b->segs) < 0)
			return -1;
		g = &b->segs[b->nsegs++];
		g->off = b->n;
		g->len = n;
		g->role = role;
		g->sgr = sgr;
		if (sgr)
			g->st = *st;
		else
			st_style_reset(&g->st);
	}
	b->n += n;
	return 0;
}

/* The code point at s; a byte that starts no valid character is taken as itself (so a C1 byte
 * stays a C1 control, drawn as a placeholder). */
static uint32_t cp_at(const unsigned char *s, size_t n, size_t *adv)
{
	uint32_t c;

	if (utf8_decode((const char *)s, n, &c, adv) != UTF8_OK) {
		*adv = 1;
		c = s[0];
	}
	return c;
}

static int is_unsafe(uint32_t c)
{
	return (c < 0x20 && c != '\t') || c == 0x7f || (c >= 0x80 && c < 0xa0) ||
	       (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069);
}

/*
 * Appends n bytes of one line (no '\n') of text: tabs become spaces to the next multiple of 8,
 * control, C1 and bidi characters a '?' in the placeholder role, and with ascii every other
 * non-ASCII character a '?'. Each character counts what st_next() says, as the editor does.
 */
static int lb_add(struct lb *b, const char *s, size_t n, int role, int sgr,
		  const struct st_style *st)
{
	size_t i = 0, run = 0, adv;

	while (i < n) {
		uint32_t c = cp_at((const unsigned char *)s + i, n - i, &adv);
		int w;

		if (c == '\t' || is_unsafe(c) || (b->ascii && c >= 0x80)) {
			if (lb_raw(b, s + run, i - run, role, sgr, st) < 0)
				return -1;
			if (c == '\t') {
				int sp = 8 - b->cols % 8;
				if (lb_raw(b, "        ", (size_t)sp, role, sgr, st) < 0)
					return -1;
				b->cols += sp;
			} else {
				if (lb_raw(b, "?", 1, is_unsafe(c) ? THEME_PLACEHOLDER : role,
					   sgr && !is_unsafe(c), st) < 0)
					return -1;
				b->cols++;
			}
			i += adv;
			run = i;
			continue;
		}
		w = st_next(s + i, n - i, &adv);
		b->cols += w;
		i += adv;
	}
	return lb_raw(b, s + run, i - run, role, sgr, st);
}

/* ---- wrapping ---- */

struct wrapctx {
	struct rd_layout *l;
	int kind, line;
	int tw;          /* text columns */
	int gutter;      /* gutter columns */
	int text_x;      /* screen column of the text */
	const char *border; /* drawn at the gutter column of source rows */
	int border_role;
	int numw;        /* columns of the line numbers after the border (0: none) */
	long max_rows;   /* stop after this many rows (-1: no limit) */
	long rows;
	/* first row of an output: attribution label and marks */
	const struct rd_attrib *att;
};

static int row_start(struct wrapctx *w, int col0, int first)
{
	struct rd_layout *l = w->l;

	if (l_row(l, w->kind, w->line, col0) < 0)
		return -1;
	w->rows++;
	if (first && w->att && w->att->label[0]) {
		int lw = st_width(w->att->label, strlen(w->att->label));
		if (l_text(l, w->att->label, strlen(w->att->label), w->att->label_role, 0, NULL) <
		    0)
			return -1;
		return l_pad(l, w->text_x - lw, THEME_NORMAL);
	}
	if (l_pad(l, w->gutter, THEME_NORMAL) < 0)
		return -1;
	if (w->border) {
		if (l_text(l, w->border, strlen(w->border), w->border_role, 0, NULL) < 0)
			return -1;
		if (w->numw && w->kind == RD_ROW_SOURCE) {
			char num[16];

			if (col0) /* a wrapped line's next row: no number */
				snprintf(num, sizeof num, "%*s", w->numw, "");
			else
				snprintf(num, sizeof num, "%*d ", w->numw - 1, w->line + 1);
			if (l_text(l, num, strlen(num), THEME_PLACEHOLDER, 0, NULL) < 0)
				return -1;
			return l_pad(l, w->text_x - w->gutter - 1 - w->numw, THEME_NORMAL);
		}
		return l_pad(l, w->text_x - w->gutter - 1, THEME_NORMAL);
	}
	return l_pad(l, w->text_x - w->gutter, THEME_NORMAL);
}

static int row_marks(struct wrapctx *w)
{
	if (w->att && w->att->marks[0])
		return l_text(w->l, w->att->marks, strlen(w->att->marks), w->att->marks_role, 0,
			      NULL);
	return 0;
}

/* Cuts the built line into rows. */
static int wrap_line(struct wrapctx *w, struct lb *b, int first)
{
	int col = 0, used_row = 0;
	size_t gi;

	if (w->max_rows >= 0 && w->rows >= w->max_rows)
		return 1;
	if (row_start(w, 0, first) < 0)
		return -1;
	for (gi = 0; gi < b->nsegs; gi++) {
		const struct seg *g = &b->segs[gi];
		size_t pos = 0;

		while (pos < g->len) {
			int used;
			size_t k = st_fit(b->b + g->off + pos, g->len - pos, w->tw - used_row, &used);

			if (k == 0 && used_row == 0) { /* a character wider than the row */
				size_t adv;
				used = st_next(b->b + g->off + pos, g->len - pos, &adv);
				k = adv;
			}
			if (k) {
				if (l_text(w->l, b->b + g->off + pos, k, g->role, g->sgr, &g->st) <
				    0)
					return -1;
				pos += k;
				used_row += used;
				col += used;
			}
			if (pos < g->len) {
				if (first && row_marks(w) < 0)
					return -1;
				first = 0;
				if (w->max_rows >= 0 && w->rows >= w->max_rows)
					return 1;
				if (row_start(w, col, 0) < 0)
					return -1;
				used_row = 0;
			}
		}
	}
	if (first && row_marks(w) < 0)
		return -1;
	return 0;
}

/* ---- outputs ---- */

static const char *mime_plain(json_t *data)
{
	return json_string_value(json_object_get(data, "text/plain"));
}

const char *rd_output_text(json_t *o, int *role, char **owned)
{
	const char *type = json_string_value(json_object_get(o, "output_type"));

	*owned = NULL;
	*role = THEME_OUTPUT_TEXT;
	if (!type)
		return "";
	if (!strcmp(type, "stream")) {
		const char *name = json_string_value(json_object_get(o, "name"));
		const char *t = json_string_value(json_object_get(o, "text"));

		if (name && !strcmp(name, "stderr"))
			*role = THEME_STDERR;
		return t ? t : "";
	}
	if (!strcmp(type, "error")) {
		json_t *tb = json_object_get(o, "traceback"), *line;
		size_t i, n = 0;
		char *s;

		*role = THEME_TRACEBACK;
		if (!json_array_size(tb)) {
			const char *en = json_string_value(json_object_get(o, "ename"));
			const char *ev = json_string_value(json_object_get(o, "evalue"));
			size_t len = strlen(en ? en : "Error") + strlen(ev ? ev : "") + 3;

			if (!(s = malloc(len)))
				return "";
			snprintf(s, len, "%s: %s", en ? en : "Error", ev ? ev : "");
			*owned = s;
			return s;
		}
		json_array_foreach(tb, i, line) n += json_string_length(line) + 1;
		if (!(s = malloc(n + 1)))
			return "";
		n = 0;
		json_array_foreach(tb, i, line)
		{
			size_t k = json_string_length(line);
			if (i)
				s[n++] = '\n';
			if (k)
				memcpy(s + n, json_string_value(line), k);
			n += k;
		}
		s[n] = 0;
		*owned = s;
		return s;
	}
	if (!strcmp(type, "execute_result") || !strcmp(type, "display_data")) {
		const char *t = mime_plain(json_object_get(o, "data"));
		return t ? t : "";
	}
	return "";
}

char *rd_output_rich(json_t *o, const struct mime_opts *mo, int width)
{
	const char *type = json_string_value(json_object_get(o, "output_type"));
	struct mime_opts w = *mo;

	if (!type || (strcmp(type, "execute_result") && strcmp(type, "display_data")))
		return NULL;
	w.width = width;
	return mime_text(json_object_get(o, "data"), &w, NULL);
}

/* Rich MIME types shown as a placeholder: everything but text/plain, and the formats whose
 * text/plain rendering is the useful one (html tables, markdown, latex) when text/plain is
 * there. */
static int mime_placeholder(const char *mime, int has_plain)
{
	if (!strcmp(mime, "text/plain"))
		return 0;
	if (has_plain &&
	    (!strcmp(mime, "text/html") || !strcmp(mime, "text/markdown") ||
	     !strcmp(mime, "text/latex") || !strncmp(mime, "application/vnd.jupyter", 23)))
		return 0;
	return 1;
}

static size_t mime_size(const char *mime, json_t *v)
{
	size_t n;

	if (json_is_string(v)) {
		n = json_string_length(v);
		/* binary types are stored in base64 */
		if (strncmp(mime, "text/", 5) && !strstr(mime, "json") && !strstr(mime, "svg") &&
		    !strstr(mime, "javascript"))
			n = n / 4 * 3;
		return n;
	}
	char *d = json_dumps(v, JSON_COMPACT);
	n = d ? strlen(d) : 0;
	free(d);
	return n;
}

/* Number of lines text shows as ("" is none; a last line without '\n' counts). */
static size_t count_lines(const char *s, size_t n)
{
	size_t c = 0;
	const char *p = s, *e = s + n, *q;

	while (p < e && (q = memchr(p, '\n', (size_t)(e - p)))) {
		c++;
		p = q + 1;
	}
	return c + (p < e);
}

/*
 * The start of line skip (from 0) of the text [s, e), which has `lines` lines, searched from
 * the nearer end: a running cell's tail is found without reading its whole output.
 */
static const char *line_start(const char *s, const char *e, size_t lines, size_t skip)
{
	const char *q;

	if (skip >= lines)
		return e;
	if (skip <= lines / 2) {
		for (q = s; skip && q < e; skip--) {
			q = memchr(q, '\n', (size_t)(e - q));
			q = q ? q + 1 : e;
		}
		return q;
	}
	q = e > s && e[-1] == '\n' ? e - 1 : e; /* the last line's own "\n" starts nothing */
	for (size_t keep = lines - skip; keep; keep--) {
		const char *nl = memrchr(s, '\n', (size_t)(q - s));

		if (!nl)
			return s;
		if (keep == 1)
			return nl + 1;
		q = nl;
	}
	return s;
}

struct outctx {
	struct wrapctx *w;
	struct lb *b;
	int role;
	int first;    /* the next row is the output's first */
	int stop;     /* the row budget is used up */
	int lost;     /* the line that hit the budget was not shown */
	size_t lines; /* lines finished */
	int err;
};

static void out_flush(struct outctx *o)
{
	int r = wrap_line(o->w, o->b, o->first);

	if (r < 0)
		o->err = 1;
	if (r > 0) {
		o->stop = 1;
		o->lost = 1; /* this line did not fit either */
	}
	o->first = 0;
	o->lines++;
	lb_reset(o->b);
}

static void out_emit(void *ud, const struct st_style *st, const char *text, size_t n)
{
	struct outctx *o = ud;
	int sgr = st->fg != ST_DEFAULT || st->bg != ST_DEFAULT || st->attrs;

	while (n && !o->stop) {
		const char *nl = memchr(text, '\n', n);
		size_t k = nl ? (size_t)(nl - text) : n;

		if (k && lb_add(o->b, text, k, o->role, sgr, st) < 0)
			o->err = 1;
		if (!nl)
			break;
		out_flush(o);
		text += k + 1;
		n -= k + 1;
	}
}

struct outinfo {
	size_t nph;        /* placeholder lines */
	size_t lines;      /* text lines */
	const char *text;  /* text shown */
	size_t len;
	char *owned;
	int role;
};

/*
 * Lays out outputs [first_out..] starting at line skip of the first, until the row budget of
 * w is used; returns lines not shown (counted, not parsed) in *hidden.
 */
static int lay_outputs(struct wrapctx *w, json_t *outs, struct outinfo *info, size_t nout,
		       size_t first_out, size_t skip, int ascii, rd_attrib_cb *attrib, void *aud,
		       size_t *hidden)
{
	struct lb b = {.ascii = ascii};
	size_t i;
	int rc = 0;

	*hidden = 0;
	for (i = first_out; i < nout; i++) {
		json_t *o = json_array_get(outs, i);
		json_t *data = json_object_get(o, "data");
		struct rd_attrib att;
		struct outctx oc = {.w = w, .b = &b, .role = info[i].role, .first = 1};
		size_t lskip = i == first_out ? skip : 0;

		w->line = (int)i;
		w->att = NULL;
		if (attrib) {
			memset(&att, 0, sizeof att);
			if (attrib(aud, i, &att) == 0)
				w->att = &att;
		}
		if (w->max_rows >= 0 && w->rows >= w->max_rows) {
			*hidden += info[i].nph + info[i].lines;
			continue;
		}
		/* placeholders first */
		if (info[i].nph) {
			const char *k;
			json_t *v;
			int has_plain = mime_plain(data) != NULL;
			size_t ph = 0;

			json_object_foreach(data, k, v)
			{
				char line[300], sz[32];
				char *safe;

				if (!mime_placeholder(k, has_plain))
					continue;
				if (ph++ < lskip)
					continue;
				rd_size(mime_size(k, v), sz, sizeof sz);
				safe = st_plain(k, strlen(k), NULL);
				snprintf(line, sizeof line, "[%s %s]", safe ? safe : "?", sz);
				free(safe);
				lb_reset(&b);
				if (lb_add(&b, line, strlen(line), THEME_PLACEHOLDER, 0, NULL) < 0)
					goto oom;
				if (w->max_rows >= 0 && w->rows >= w->max_rows) {
					(*hidden)++;
					continue;
				}
				if (wrap_line(w, &b, oc.first) < 0)
					goto oom;
				oc.first = 0;
			}
			lskip = lskip > info[i].nph ? lskip - info[i].nph : 0;
		}
		/* then the text, a line at a time so a fold can stop early */
		{
			const char *p = info[i].text, *e = p + info[i].len;
			struct st_style state;

			st_style_reset(&state);
			p = line_start(p, e, info[i].lines, lskip);
			lb_reset(&b);
			while (p < e && !oc.stop) {
				const char *q = memchr(p, '\n', (size_t)(e - p));
				const char *end = q ? q + 1 : e;

				st_parse(p, (size_t)(end - p), &state, out_emit, &oc);
				p = end;
			}
			if (!oc.stop && b.n) /* a last line without '\n' */
				out_flush(&oc);
			if (oc.err)
				goto oom;
			if (oc.stop) {
				*hidden += count_lines(p, (size_t)(e - p)) + (size_t)oc.lost;
			}
		}
	}
	lb_free(&b);
	return rc;
oom:
	lb_free(&b);
	return -1;
}

/* ---- the cell ---- */

struct borders {
	const char *top_left, *bottom_left, *h, *v;
};

static const struct borders b_utf8 = {"┌", "└", "─", "│"};
static const struct borders b_utf8_focus = {"┏", "┗", "━", "┃"};
static const struct borders b_ascii = {"+", "+", "-", "|"};
static const struct borders b_ascii_focus = {"#", "#", "=", "#"};

int rd_cell(const struct rd_cell_in *in, struct rd_layout *l)
{
	const struct borders *bd = in->ascii ? (in->focused ? &b_ascii_focus : &b_ascii)
					     : (in->focused ? &b_utf8_focus : &b_utf8);
	int border_role = in->focused ? THEME_BORDER_FOCUS : THEME_BORDER;
	int G = in->gutter > 0 ? in->gutter : RD_GUTTER;
	int W = in->width;
	int text_x = G + 2;
	int tw = W - text_x - 1;
	struct lb b = {.ascii = in->ascii};
	struct wrapctx w;
	char prompt[32];
	int prole = THEME_PROMPT_IN;

	int numw = 0;

	rd_layout_clear(l);
	if (in->numbers && in->type == NB_CODE && !(in->md && !in->editing)) {
		size_t lines = 1;

		for (size_t i = 0; in->src && i < in->srclen; i++)
			lines += in->src[i] == '\n';
		numw = 2; /* at least one digit and a space */
		while (lines >= 10 && numw < 10)
			lines /= 10, numw++;
		text_x += numw;
		tw -= numw;
	}
	if (tw < 8)
		tw = 8;
	l->text_x = text_x;

	/* top border with the prompt */
	if (in->type == NB_CODE) {
		if (in->running) {
			snprintf(prompt, sizeof prompt, "[*]:");
			prole = THEME_PROMPT_RUNNING;
		} else if (in->queued) {
			snprintf(prompt, sizeof prompt, "[-]:");
			prole = THEME_PROMPT_QUEUED;
		} else if (in->exec_count >= 0) {
			snprintf(prompt, sizeof prompt, "[%ld]:", in->exec_count);
		} else {
			snprintf(prompt, sizeof prompt, "[ ]:");
		}
	} else {
		snprintf(prompt, sizeof prompt, "%s", in->type == NB_MARKDOWN ? "md" : "raw");
		prole = THEME_PLACEHOLDER;
	}
	if (l_row(l, RD_ROW_TOP, 0, 0) < 0)
		goto oom;
	{
		int pw = (int)strlen(prompt);
		if (pw > G - 1)
			pw = G - 1;
		if (l_pad(l, G - 1 - pw, THEME_NORMAL) < 0 ||
		    l_text(l, prompt, (size_t)pw, prole, 0, NULL) < 0 ||
		    l_pad(l, 1, THEME_NORMAL) < 0 ||
		    l_text(l, bd->top_left, strlen(bd->top_left), border_role, 0, NULL) < 0 ||
		    l_repeat(l, bd->h, W - G - 2, border_role) < 0)
			goto oom;
	}

	/* source */
	memset(&w, 0, sizeof w);
	w.l = l;
	w.kind = RD_ROW_SOURCE;
	w.tw = tw;
	w.gutter = G;
	w.text_x = text_x;
	w.border = bd->v;
	w.border_role = border_role;
	w.max_rows = -1;
	w.numw = numw;
	if (in->md && !in->editing) {
		for (size_t i = 0; i < in->nmd; i++) {
			lb_reset(&b);
			for (size_t k = 0; k < in->md[i].nspans; k++) {
				const struct rd_mdspan *sp = &in->md[i].spans[k];
				struct st_style st;

				st_style_reset(&st);
				st.attrs = sp->attrs;
				if (lb_add(&b, sp->text, sp->len, sp->role, sp->attrs != 0, &st) < 0)
					goto oom;
			}
			w.line = (int)i;
			if (wrap_line(&w, &b, 0) < 0)
				goto oom;
		}
	} else {
		const char *s = in->src ? in->src : "", *e = s + in->srclen;
		int line = 0;

		for (;;) {
			const char *nl = memchr(s, '\n', (size_t)(e - s));
			size_t n = nl ? (size_t)(nl - s) : (size_t)(e - s);
			size_t start = (size_t)(s - in->src);
			size_t i = 0;

			lb_reset(&b);
			/* runs of one role */
			while (i < n) {
				int role = in->roles ? in->roles[start + i] : THEME_NORMAL;
				size_t j = in->roles ? i + 1 : n;

				while (j < n && in->roles[start + j] == role)
					j++;
				/* a role change inside a UTF-8 character waits for its end */
				while (j < n && utf8_is_cont((unsigned char)s[j]))
					j++;
				if (role <= 0 || role >= THEME_NROLES)
					role = THEME_NORMAL;
				if (lb_add(&b, s + i, j - i, role, 0, NULL) < 0)
					goto oom;
				i = j;
			}
			w.line = line++;
			if (wrap_line(&w, &b, 0) < 0)
				goto oom;
			if (!nl)
				break;
			s = nl + 1;
		}
	}
	if (l_row(l, RD_ROW_BOTTOM, 0, 0) < 0 || l_pad(l, G, THEME_NORMAL) < 0 ||
	    l_text(l, bd->bottom_left, strlen(bd->bottom_left), border_role, 0, NULL) < 0 ||
	    l_repeat(l, bd->h, W - G - 2, border_role) < 0)
		goto oom;

	/* outputs */
	size_t nout = in->type == NB_CODE ? json_array_size(in->outputs) : 0;
	if (nout) {
		struct outinfo *info = calloc(nout, sizeof *info);
		size_t total = 0, hidden = 0, first_out = 0, skip = 0;
		long budget = in->fold_height > 1 && !in->unfolded ? in->fold_height - 1 : -1;
		int folded;

		if (!info)
			goto oom;
		for (size_t i = 0; i < nout; i++) {
			json_t *o = json_array_get(in->outputs, i);
			json_t *data = json_object_get(o, "data");
			const char *k;
			json_t *v;
			int has_plain = mime_plain(data) != NULL;
			char *rich;

			if (o == in->live_out) {
				rd_output_text(o, &info[i].role, &info[i].owned); /* the role */
				info[i].text = in->live_text;
				info[i].len = in->live_len;
				info[i].lines = in->live_lines;
			} else if (in->mime && (rich = rd_output_rich(o, in->mime, tw))) {
				/* a rich type shown as text: no placeholders, no text/plain */
				info[i].text = info[i].owned = rich;
				info[i].role = THEME_OUTPUT_TEXT;
				info[i].len = strlen(rich);
				info[i].lines = count_lines(rich, info[i].len);
				total += info[i].lines;
				continue;
			} else {
				info[i].text = rd_output_text(o, &info[i].role, &info[i].owned);
				info[i].len = strlen(info[i].text);
				info[i].lines = count_lines(info[i].text, info[i].len);
			}
			json_object_foreach(data, k, v) info[i].nph += mime_placeholder(k, has_plain);
			total += info[i].nph + info[i].lines;
		}
		folded = budget >= 0 && total > (size_t)in->fold_height;
		w.kind = RD_ROW_OUTPUT;
		w.border = NULL;
		w.gutter = G;
		w.rows = 0;
		w.max_rows = budget; /* rows, so one long wrapped line folds too */
		if (folded && in->tail) {
			/* start so that the last `budget` lines show */
			size_t want_skip = total - (size_t)budget, acc = 0;

			for (first_out = 0; first_out < nout; first_out++) {
				size_t n = info[first_out].nph + info[first_out].lines;
				if (acc + n > want_skip)
					break;
				acc += n;
			}
			skip = want_skip - acc;
			hidden = want_skip;
			if (l_row(l, RD_ROW_FOLD, 0, 0) < 0 || l_pad(l, text_x, THEME_NORMAL) < 0)
				goto oom_info;
			{
				char msg[96];
				snprintf(msg, sizeof msg, "%s %zu earlier line%s (o unfolds, O pages)",
					 in->ascii ? "..." : "…", hidden, hidden == 1 ? "" : "s");
				if (l_text(l, msg, strlen(msg), THEME_FOLD_MARKER, 0, NULL) < 0)
					goto oom_info;
			}
		}
		{
			size_t h2 = 0;
			long before = (long)l->nrows;

			size_t tlen = l->tlen, nspans = l->nspans;

			/* lines that fit the fold exactly show without a marker; when wrapping
			 * makes them taller after all, the marker takes the last row again */
			if (budget >= 0 && !folded)
				w.max_rows = in->fold_height;
			if (lay_outputs(&w, in->outputs, info, nout, first_out, skip, in->ascii,
					in->attrib, in->attrib_ud, &h2) < 0)
				goto oom_info;
			if (budget >= 0 && !folded && h2) {
				l->nrows = (size_t)before;
				l->tlen = tlen;
				l->nspans = nspans;
				if (l->text)
					l->text[tlen] = 0;
				w.rows = 0;
				w.max_rows = budget;
				if (lay_outputs(&w, in->outputs, info, nout, first_out, skip,
						in->ascii, in->attrib, in->attrib_ud, &h2) < 0)
					goto oom_info;
			}
			if (folded && in->tail && (long)l->nrows - before > budget) {
				/* wrapped lines made the tail taller than the fold: drop its top */
				size_t drop = (size_t)((long)l->nrows - before - budget);
				memmove(&l->rows[before], &l->rows[before + (long)drop],
					(size_t)(budget) * sizeof *l->rows);
				l->nrows -= drop;
			}
			if (!in->tail || !folded)
				hidden = h2;
		}
		if ((!folded || !in->tail) && hidden) {
			char msg[96];
			snprintf(msg, sizeof msg, "%s %zu more line%s (o unfolds, O pages)",
				 in->ascii ? "..." : "…", hidden, hidden == 1 ? "" : "s");
			if (l_row(l, RD_ROW_FOLD, 0, 0) < 0 || l_pad(l, text_x, THEME_NORMAL) < 0 ||
			    l_text(l, msg, strlen(msg), THEME_FOLD_MARKER, 0, NULL) < 0)
				goto oom_info;
		}
		l->fold_hidden = (int)hidden;
		for (size_t i = 0; i < nout; i++)
			free(info[i].owned);
		free(info);
		goto outputs_done;
oom_info:
		for (size_t i = 0; i < nout; i++)
			free(info[i].owned);
		free(info);
		goto oom;
	}
outputs_done:
	if (in->note) {
		lb_reset(&b);
		if (lb_add(&b, in->note, strlen(in->note), THEME_ERROR, 0, NULL) < 0)
			goto oom;
		w.kind = RD_ROW_NOTE;
		w.border = NULL;
		w.att = NULL;
		w.max_rows = -1;
		if (wrap_line(&w, &b, 0) < 0)
			goto oom;
	}
	if (in->input_prompt) {
		lb_reset(&b);
		if (lb_add(&b, in->input_prompt, strlen(in->input_prompt), THEME_OUTPUT_TEXT, 0,
			   NULL) < 0)
			goto oom;
		w.kind = RD_ROW_INPUT;
		w.border = NULL;
		w.att = NULL;
		w.max_rows = -1;
		/* one row: the view draws the answer being typed after the prompt */
		if (row_start(&w, 0, 0) < 0)
			goto oom;
		for (size_t gi = 0; gi < b.nsegs; gi++)
			if (l_text(l, b.b + b.segs[gi].off, b.segs[gi].len, b.segs[gi].role, 0,
				   NULL) < 0)
				goto oom;
	}
	lb_free(&b);
	return 0;
oom:
	lb_free(&b);
	return -1;
}

long rd_cursor_row(const struct rd_layout *l, size_t line, int col, int *x)
{
	long found = -1;

	for (size_t r = 0; r < l->nrows; r++) {
		const struct rd_row *row = &l->rows[r];

		if (row->kind != RD_ROW_SOURCE || row->line != (int)line)
			continue;
		if (row->col0 <= col || found < 0)
			found = (long)r;
	}
	if (found >= 0 && x)
		*x = l->text_x + col - l->rows[found].col0;
	return found;
}

int rd_append(struct rd_layout *l, const char *s, int role, int newrow)
{
	struct lb b = {0};
	int rc = 0;

	if (newrow || !l->nrows)
		if (l_row(l, RD_ROW_OUTPUT, 0, 0) < 0)
			return -1;
	if (lb_add(&b, s, strlen(s), role, 0, NULL) < 0)
		rc = -1;
	for (size_t i = 0; !rc && i < b.nsegs; i++)
		if (l_text(l, b.b + b.segs[i].off, b.segs[i].len, b.segs[i].role, 0, NULL) < 0)
			rc = -1;
	lb_free(&b);
	return rc;
}
