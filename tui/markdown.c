// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * Markdown cells laid out for a terminal (see markdown.h). cmark parses; this file walks the
 * tree with cmark's iterator (no recursion, so hostile nesting cannot exhaust the stack) and
 * keeps its own stack of containers (quotes, lists, items, code) whose prefixes start every
 * line. Inline text is cut into words that are placed on the current line or wrap to the
 * next; a line is built in one byte buffer with style runs and becomes md_spans when it ends.
 */
#include "tui/markdown.h"

#include <cmark-gfm-core-extensions.h>
#include <cmark-gfm.h>
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tui/highlight.h"
#include "tui/mime.h"
#include "tui/safetext.h"
#include "tui/sbuf.h"
#include "tui/texttable.h"
#include "tui/theme.h"

#define MD_MAX_WIDTH 1024 /* wider asks are laid out at this width (rules are width long) */
#define MD_TABSTOP 4      /* tab stops inside code blocks, from the code's first column */

enum md_kind { MD_QUOTE, MD_LIST, MD_ITEM, MD_CODE };

struct md_frame {
	enum md_kind kind;
	char first[24], cont[24]; /* prefix of the frame's first line and of the others */
	int width, role;
	int used; /* the first line has been started */
	/* MD_LIST */
	int ordered, next, numw, depth;
};

struct md_run {
	size_t len;
	int role;
	unsigned attrs;
};

/* A line or word under construction: bytes plus style runs. */
struct md_text {
	char *buf;
	size_t len, cap;
	struct md_run *runs;
	size_t nruns, rcap;
};

struct md {
	int width, ascii, strike_marks, oom;
	struct md_line *lines;
	size_t n, cap;
	struct md_frame *fr;
	size_t nfr, frcap;
	/* the current line */
	struct md_text line;
	int open, content, indent, col, maxw, prefw;
	/* the current word and the space before it */
	struct md_text word;
	int wordw, word_space, pending, sp_role;
	unsigned sp_attrs;
	/* inline state */
	int emph, strong, strike, code, link, image, heading, quote, autolink;
	int lists; /* lists open */
};

static int md_grow(struct md *m, void *pp, size_t *cap, size_t need, size_t size)
{
	void **p = pp;
	size_t nc;
	void *np;

	if (need <= *cap)
		return 0;
	if (m->oom)
		return -1;
	nc = *cap ? *cap * 2 : 16;
	while (nc < need)
		nc *= 2;
	np = realloc(*p, nc * size);
	if (!np) {
		m->oom = 1;
		return -1;
	}
	*p = np;
	*cap = nc;
	return 0;
}

static void md_text_add(struct md *m, struct md_text *t, const char *s, size_t n, int role,
                        unsigned attrs)
{
	struct md_run *last = t->nruns ? &t->runs[t->nruns - 1] : NULL;

	if (!n || md_grow(m, &t->buf, &t->cap, t->len + n + 1, 1) < 0)
		return;
	memcpy(t->buf + t->len, s, n);
	t->len += n;
	if (last && last->role == role && last->attrs == attrs) {
		last->len += n;
		return;
	}
	if (md_grow(m, &t->runs, &t->rcap, t->nruns + 1, sizeof(*t->runs)) < 0)
		return;
	t->runs[t->nruns++] = (struct md_run){n, role, attrs};
}

static void md_text_clear(struct md_text *t)
{
	t->len = 0;
	t->nruns = 0;
}

/* ---- lines ---- */

static void md_put(struct md *m, const char *s, size_t n, int w, int role, unsigned attrs)
{
	md_text_add(m, &m->line, s, n, role, attrs);
	m->col += w;
}

/* Blank columns of a prefix: part of the indent while nothing precedes them. */
static void md_put_blank(struct md *m, int w)
{
	static const char spaces[] = "                        ";

	if (!m->line.nruns) {
		m->indent += w;
		m->col += w;
		return;
	}
	while (w > 0) {
		int k = w < (int)sizeof(spaces) - 1 ? w : (int)sizeof(spaces) - 1;

		md_put(m, spaces, (size_t)k, k, THEME_NORMAL, 0);
		w -= k;
	}
}

static int md_blank_str(const char *s)
{
	while (*s == ' ')
		s++;
	return *s == '\0';
}

/* Most columns the prefixes may take: the rest stays for text. */
static int md_max_prefix(const struct md *m)
{
	int keep = m->width / 2 < 20 ? m->width / 2 : 20;

	return m->width - keep;
}

/* Starts a line with the containers' prefixes; blank_line: the separator between blocks,
 * which shows only quote bars and never a list marker. */
static void md_begin(struct md *m, int blank_line)
{
	size_t k, lastq = (size_t)-1;
	int used = 0, lim = md_max_prefix(m);

	md_text_clear(&m->line);
	m->open = 1;
	m->content = 0;
	m->indent = 0;
	m->col = 0;
	if (blank_line) {
		for (k = 0; k < m->nfr; k++)
			if (m->fr[k].kind == MD_QUOTE)
				lastq = k;
	}
	for (k = 0; k < m->nfr; k++) {
		struct md_frame *f = &m->fr[k];
		const char *p;

		if (f->kind == MD_LIST)
			continue;
		if (blank_line && (lastq == (size_t)-1 || k > lastq))
			break;
		p = f->used || blank_line ? f->cont : f->first;
		if (!blank_line)
			f->used = 1;
		/* past the limit only a list marker is still shown (once), never padding */
		if (used + f->width > lim &&
		    (f->kind != MD_ITEM || p == f->cont || used + f->width >= m->width))
			continue;
		used += f->width;
		if (blank_line && k == lastq)
			md_put(m, p, strcspn(p, " "), 1, f->role,
			       0); /* the bar without its space */
		else if (md_blank_str(p))
			md_put_blank(m, f->width);
		else
			md_put(m, p, strlen(p), f->width, f->role, 0);
	}
	m->prefw = m->col;
}

static void md_end(struct md *m)
{
	struct md_line *l;
	size_t k, off = 0;

	if (!m->open)
		return;
	m->open = 0;
	/* a line of prefixes alone ("• " of an empty item) ends without its blanks */
	while (!m->content && m->line.nruns && m->line.len && m->line.buf[m->line.len - 1] == ' ') {
		m->line.len--;
		m->col--;
		if (!--m->line.runs[m->line.nruns - 1].len)
			m->line.nruns--;
	}
	if (!m->content && !m->line.nruns)
		m->indent = 0;
	if (m->col - m->prefw > m->maxw)
		m->maxw = m->col - m->prefw;
	if (md_grow(m, &m->lines, &m->cap, m->n + 1, sizeof(*m->lines)) < 0)
		return;
	l = &m->lines[m->n];
	l->indent = m->indent;
	l->n = 0;
	l->spans = m->line.nruns ? calloc(m->line.nruns, sizeof(*l->spans)) : NULL;
	if (m->line.nruns && !l->spans) {
		m->oom = 1;
		return;
	}
	m->n++;
	for (k = 0; k < m->line.nruns; k++) {
		struct md_run *r = &m->line.runs[k];
		char *t = malloc(r->len + 1);

		if (!t) {
			m->oom = 1;
			return;
		}
		memcpy(t, m->line.buf + off, r->len);
		t[r->len] = '\0';
		off += r->len;
		l->spans[l->n++] = (struct md_span){t, r->role, r->attrs};
	}
}

static void md_blank(struct md *m)
{
	md_end(m);
	md_begin(m, 1);
	md_end(m);
}

/* ---- words ---- */

/* The next line for text, ending the current one if it has text. */
static void md_wrap(struct md *m)
{
	if (m->open && m->content)
		md_end(m);
	if (!m->open)
		md_begin(m, 0);
}

/* Places one code point of width w, wrapping first if it does not fit (but never leaving a
 * line without text, so a character wider than the line still makes progress). */
static void md_put_cp(struct md *m, const char *s, size_t n, int w, int role, unsigned attrs)
{
	if (!m->open || (m->content && m->col + w > m->width))
		md_wrap(m);
	md_put(m, s, n, w, role, attrs);
	m->content = 1;
}

static void md_flush_word(struct md *m)
{
	int space;
	size_t k, off = 0;

	if (!m->word.len)
		return;
	if (!m->open)
		md_begin(m, 0);
	space = m->word_space && m->content;
	if (m->col + space + m->wordw <= m->width) {
		if (space)
			md_put(m, " ", 1, 1, m->sp_role, m->sp_attrs);
		for (k = 0; k < m->word.nruns; k++) {
			struct md_run *r = &m->word.runs[k];

			md_put(m, m->word.buf + off, r->len, 0, r->role, r->attrs);
			off += r->len;
		}
		m->col += m->wordw;
		m->content = 1;
	} else {
		/* on a line of its own, broken between code points if still too long */
		if (m->content)
			md_wrap(m);
		for (k = 0; k < m->word.nruns; k++) {
			struct md_run *r = &m->word.runs[k];
			size_t i = 0, adv;

			while (i < r->len) {
				int w = st_next(m->word.buf + off + i, r->len - i, &adv);

				md_put_cp(m, m->word.buf + off + i, adv, w, r->role, r->attrs);
				i += adv;
			}
			off += r->len;
		}
	}
	md_text_clear(&m->word);
	m->wordw = 0;
}

/* Feeds safe text s[0..n) in one style: spaces separate words, each wide character is a word
 * of its own (CJK text breaks between characters). */
static void md_feed(struct md *m, const char *s, size_t n, int role, unsigned attrs)
{
	size_t i = 0, adv;

	while (i < n) {
		char c = s[i];
		int w;

		if (c == ' ' || c == '\t' || c == '\n') {
			md_flush_word(m);
			m->pending = 1;
			m->sp_role = role;
			m->sp_attrs = attrs;
			i++;
			continue;
		}
		w = st_next(s + i, n - i, &adv);
		if (w > 1)
			md_flush_word(m);
		if (!m->word.len) {
			m->word_space = m->pending;
			m->pending = 0;
		}
		md_text_add(m, &m->word, s + i, adv, role, attrs);
		m->wordw += w;
		if (w > 1)
			md_flush_word(m);
		i += adv;
	}
}

static void md_hard_break(struct md *m)
{
	md_flush_word(m);
	m->pending = 0;
	if (!m->open)
		md_begin(m, 0);
	md_end(m);
}

/* ---- inline content ---- */

static void md_style(const struct md *m, int *role, unsigned *attrs)
{
	static const unsigned hattrs[] = {
	    0,       ST_BOLD | ST_UNDERLINE, ST_BOLD,  ST_BOLD | ST_UNDERLINE,
	    ST_BOLD, ST_BOLD | ST_ITALIC,    ST_ITALIC};
	unsigned a = 0;

	if (m->emph)
		a |= ST_ITALIC;
	if (m->strong)
		a |= ST_BOLD;
	if (m->link)
		a |= ST_UNDERLINE;
	if (m->strike)
		a |= ST_STRIKE | ST_DIM;
	if (m->heading)
		a |= hattrs[m->heading];
	*attrs = a;
	if (m->link || m->image)
		*role = THEME_MARKDOWN_LINK;
	else if (m->code)
		*role = THEME_MARKDOWN_CODE;
	else if (m->heading)
		*role = THEME_MARKDOWN_HEADING;
	else if (m->strong)
		*role = THEME_MARKDOWN_STRONG;
	else if (m->emph)
		*role = THEME_MARKDOWN_EMPH;
	else if (m->quote)
		*role = THEME_MARKDOWN_QUOTE;
	else
		*role = THEME_NORMAL;
}

/* Untrusted text from the tree, made safe and fed in the current style. */
static void md_lit(struct md *m, const char *s)
{
	size_t n;
	char *safe;
	int role;
	unsigned attrs;

	if (!s || !*s)
		return;
	safe = st_plain(s, strlen(s), &n);
	if (!safe) {
		m->oom = 1;
		return;
	}
	md_style(m, &role, &attrs);
	md_feed(m, safe, n, role, attrs);
	free(safe);
}

/* " <URL>" after a link or inside an image's brackets; long URLs are cut. */
static void md_url(struct md *m, const char *url)
{
	size_t n, cut;
	char *safe;

	if (!url || !*url)
		return;
	safe = st_plain(url, strlen(url), &n);
	if (!safe) {
		m->oom = 1;
		return;
	}
	md_feed(m, " <", 2, THEME_MARKDOWN_LINK, 0);
	if (n > MD_URL_MAX) {
		for (cut = MD_URL_MAX; cut > 0 && ((unsigned char)safe[cut] & 0xc0) == 0x80; cut--)
			;
		md_feed(m, safe, cut, THEME_MARKDOWN_LINK, 0);
		md_feed(m, m->ascii ? "..." : "\xe2\x80\xa6", 3, THEME_MARKDOWN_LINK, 0);
	} else {
		md_feed(m, safe, n, THEME_MARKDOWN_LINK, 0);
	}
	md_feed(m, ">", 1, THEME_MARKDOWN_LINK, 0);
	free(safe);
}

/* An autolink (<http://x>, <a@b.c>) shows its URL once. */
static int md_is_autolink(cmark_node *link)
{
	cmark_node *c = cmark_node_first_child(link);
	const char *url = cmark_node_get_url(link), *text;

	if (!c || cmark_node_next(c) || cmark_node_get_type(c) != CMARK_NODE_TEXT || !url)
		return 0;
	text = cmark_node_get_literal(c);
	if (!text)
		return 0;
	if (strncmp(url, "mailto:", 7) == 0 && strcmp(url + 7, text) == 0)
		return 1;
	if (strncmp(url, "http://", 7) == 0 && strcmp(url + 7, text) == 0)
		return 1; /* GFM's extended autolink: www.example.org */
	return strcmp(url, text) == 0;
}

/* The extension a node belongs to, by cmark-gfm's name for its type ("table", "table_row",
 * "table_header", "table_cell", "strikethrough", "tasklist"): the extensions' node type
 * values are not in Debian's installed headers. */
static int md_is(cmark_node *n, const char *type)
{
	const char *t = cmark_node_get_type_string(n);

	return t && !strcmp(t, type);
}

/* The text of a table cell on one line: its inline text, breaks as spaces (markup inside a
 * cell is shown as its text). */
static char *md_cell_text(cmark_node *cell)
{
	cmark_iter *it = cmark_iter_new(cell);
	cmark_event_type ev;
	struct sb b = {0};
	char *raw, *safe;

	if (!it)
		return NULL;
	while ((ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
		cmark_node *c = cmark_iter_get_node(it);
		int t = cmark_node_get_type(c);

		if (ev != CMARK_EVENT_ENTER)
			continue;
		if (t == CMARK_NODE_SOFTBREAK || t == CMARK_NODE_LINEBREAK)
			sb_add(&b, " ", 1);
		else if ((t == CMARK_NODE_TEXT || t == CMARK_NODE_CODE ||
			  t == CMARK_NODE_HTML_INLINE) && cmark_node_get_literal(c))
			sb_str(&b, cmark_node_get_literal(c));
	}
	cmark_iter_free(it);
	raw = sb_done(&b);
	if (!raw)
		return strdup("");
	safe = st_plain(raw, strlen(raw), NULL);
	free(raw);
	return safe;
}

static void md_verbatim(struct md *m, const char *lit, int code, const char *info);

/* A GFM table laid out in columns (texttable.h) at the room left by the prefixes. */
static void md_table(struct md *m, cmark_node *table)
{
	size_t ncols = cmark_gfm_extensions_get_table_columns(table), nrows = 0, r = 0;
	const uint8_t *al = cmark_gfm_extensions_get_table_alignments(table);
	struct tt_cell *grid = NULL;
	int align[TT_MAX_COLS], room = m->width;
	cmark_node *row, *cell;
	char *out = NULL;

	if (ncols > TT_MAX_COLS)
		ncols = TT_MAX_COLS;
	for (size_t c = 0; c < ncols; c++)
		align[c] = !al ? TT_AUTO : al[c] == 'l' ? TT_LEFT : al[c] == 'r' ? TT_RIGHT
					   : al[c] == 'c' ? TT_CENTER : TT_AUTO;
	for (row = cmark_node_first_child(table); row; row = cmark_node_next(row))
		nrows++;
	if (!ncols || !nrows || !(grid = calloc(nrows * ncols, sizeof *grid))) {
		m->oom |= ncols && nrows;
		return;
	}
	for (row = cmark_node_first_child(table); row; row = cmark_node_next(row), r++) {
		int head = cmark_gfm_extensions_get_table_row_is_header(row);
		size_t c = 0;

		for (cell = cmark_node_first_child(row); cell && c < ncols;
		     cell = cmark_node_next(cell), c++)
			grid[r * ncols + c] = (struct tt_cell){md_cell_text(cell), head};
		for (; c < ncols; c++)
			grid[r * ncols + c] = (struct tt_cell){strdup(""), head};
	}
	for (size_t k = 0; k < nrows * ncols; k++)
		m->oom |= !grid[k].text;
	for (size_t f = 0; f < m->nfr; f++)
		room -= m->fr[f].width;
	if (!m->oom && (out = tt_layout(grid, nrows, ncols, align, room, m->ascii, 0)))
		md_verbatim(m, out, 0, NULL);
	m->oom |= !out;
	free(out);
	for (size_t k = 0; k < nrows * ncols; k++)
		free((char *)grid[k].text);
	free(grid);
}

/* Lays out the inline children of a paragraph or heading. */
static void md_inlines(struct md *m, cmark_node *block)
{
	cmark_iter *it = cmark_iter_new(block);
	cmark_event_type ev;

	if (!it) {
		m->oom = 1;
		return;
	}
	m->pending = 0;
	while ((ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
		cmark_node *c = cmark_iter_get_node(it);
		int enter = ev == CMARK_EVENT_ENTER, d = enter ? 1 : -1;

		switch (cmark_node_get_type(c)) {
		case CMARK_NODE_TEXT:
		case CMARK_NODE_HTML_INLINE:
			md_lit(m, cmark_node_get_literal(c));
			break;
		case CMARK_NODE_CODE:
			m->code++;
			md_lit(m, cmark_node_get_literal(c));
			m->code--;
			break;
		case CMARK_NODE_SOFTBREAK:
			md_lit(m, " ");
			break;
		case CMARK_NODE_LINEBREAK:
			md_hard_break(m);
			break;
		case CMARK_NODE_EMPH:
			m->emph += d;
			break;
		case CMARK_NODE_STRONG:
			m->strong += d;
			break;
		case CMARK_NODE_LINK:
			m->link += d;
			if (enter) {
				m->autolink = md_is_autolink(c);
			} else if (!m->autolink) {
				md_url(m, cmark_node_get_url(c));
			}
			break;
		case CMARK_NODE_IMAGE:
			if (enter) {
				md_feed(m, "[image: ", 8, THEME_MARKDOWN_LINK, 0);
				m->image++;
			} else {
				m->image--;
				md_url(m, cmark_node_get_url(c));
				md_feed(m, "]", 1, THEME_MARKDOWN_LINK, 0);
			}
			break;
		default:
			if (md_is(c, "strikethrough")) {
				if (!enter)
					m->strike--;
				if (m->strike_marks)
					md_lit(m, "~");
				if (enter)
					m->strike++;
			}
			break;
		}
	}
	cmark_iter_free(it);
	md_flush_word(m);
	m->pending = 0;
	md_end(m);
}

/* ---- blocks ---- */

static struct md_frame *md_push(struct md *m, enum md_kind kind, int role)
{
	struct md_frame *f;

	if (md_grow(m, &m->fr, &m->frcap, m->nfr + 1, sizeof(*m->fr)) < 0)
		return NULL;
	f = &m->fr[m->nfr++];
	memset(f, 0, sizeof(*f));
	f->kind = kind;
	f->role = role;
	return f;
}

static void md_pop(struct md *m)
{
	if (m->nfr)
		m->nfr--;
}

/* A rule of w columns of the box character s (one column wide). */
static void md_rule(struct md *m, const char *s, int w, int role)
{
	while (w-- > 0)
		md_put(m, s, strlen(s), 1, role, 0);
}

/* Code and HTML blocks: source lines kept, broken at the width; code indented and coloured. */
static void md_verbatim(struct md *m, const char *lit, int code, const char *info)
{
	size_t n, i, adv = 1, start;
	char *safe = st_plain(lit ? lit : "", lit ? strlen(lit) : 0, &n);
	unsigned char *roles = NULL;
	struct md_frame *f;
	int base = code ? THEME_MARKDOWN_CODE : (m->quote ? THEME_MARKDOWN_QUOTE : THEME_NORMAL);

	if (!safe) {
		m->oom = 1;
		return;
	}
	if (n && safe[n - 1] == '\n')
		n--;
	if (code && hl_lang_find(info) != HL_PLAIN) {
		roles = malloc(n ? n : 1);
		if (!roles) {
			m->oom = 1;
			free(safe);
			return;
		}
		hl_fill(hl_lang_find(info), safe, n, roles);
	}
	if (code && (f = md_push(m, MD_CODE, THEME_NORMAL))) {
		memset(f->first, ' ', MD_CODE_INDENT);
		memset(f->cont, ' ', MD_CODE_INDENT);
		f->width = MD_CODE_INDENT;
	}
	md_end(m);
	for (start = 0;; start = i + 1) {
		int x = 0;

		md_begin(m, 0);
		for (i = start; i < n && safe[i] != '\n'; i += adv) {
			int role = roles && roles[i] != THEME_NORMAL ? roles[i] : base;
			int w = st_next(safe + i, n - i, &adv);

			if (safe[i] == '\t') {
				int k = MD_TABSTOP - x % MD_TABSTOP;

				x += k;
				while (k-- > 0)
					md_put_cp(m, " ", 1, 1, role, 0);
				continue;
			}
			md_put_cp(m, safe + i, adv, w, role, 0);
			x += w;
		}
		md_end(m);
		if (i >= n)
			break;
	}
	if (code)
		md_pop(m);
	free(roles);
	free(safe);
}

static int md_digits(long v)
{
	int d = 1;

	while (v >= 10) {
		v /= 10;
		d++;
	}
	return d;
}

static void md_list_enter(struct md *m, cmark_node *list)
{
	struct md_frame *f;
	cmark_node *c;
	long count = 0, start = cmark_node_get_list_start(list);
	int depth = m->lists++;

	for (c = cmark_node_first_child(list); c; c = cmark_node_next(c))
		count++;
	f = md_push(m, MD_LIST, THEME_NORMAL);
	if (!f)
		return;
	f->ordered = cmark_node_get_list_type(list) == CMARK_ORDERED_LIST;
	f->next = start;
	f->depth = depth;
	f->numw = md_digits(start + (count ? count - 1 : 0));
	if (f->numw > 12)
		f->numw = 12;
}

static void md_item_enter(struct md *m, cmark_node *item)
{
	static const char *const bullets[] = {"\xe2\x80\xa2", "\xe2\x97\xa6", "\xe2\x96\xaa"};
	static const char *const abullets[] = {"*", "-", "+"};
	struct md_frame *list = m->nfr ? &m->fr[m->nfr - 1] : NULL, *f;
	char mark[24];
	int w;

	if (!list || list->kind != MD_LIST)
		return;
	if (md_is(item, "tasklist")) { /* "[x] ", after the number of an ordered list */
		const char *box = cmark_gfm_extensions_get_tasklist_item_checked(item) ? "[x] "
											: "[ ] ";

		w = list->ordered ? snprintf(mark, sizeof(mark), "%*d. %s", list->numw,
					     list->next++ % 1000000000, box)
				  : snprintf(mark, sizeof(mark), "%s", box);
	} else if (list->ordered) {
		w = snprintf(mark, sizeof(mark), "%*d. ", list->numw, list->next++ % 1000000000);
	} else {
		snprintf(mark, sizeof(mark), "%s ",
		         (m->ascii ? abullets : bullets)[list->depth % 3]);
		w = 2;
	}
	f = md_push(m, MD_ITEM, THEME_NORMAL);
	if (!f)
		return;
	snprintf(f->first, sizeof(f->first), "%s", mark);
	memset(f->cont, ' ', (size_t)w < sizeof(f->cont) ? (size_t)w : sizeof(f->cont) - 1);
	f->width = w;
}

/* Siblings are separated by a blank line, except in tight lists. */
static void md_gap(struct md *m, cmark_node *node)
{
	cmark_node *parent = cmark_node_parent(node);
	int t = parent ? cmark_node_get_type(parent) : CMARK_NODE_NONE;

	if (!cmark_node_previous(node))
		return;
	if (t == CMARK_NODE_ITEM)
		parent = cmark_node_parent(parent), t = CMARK_NODE_LIST;
	if (t == CMARK_NODE_LIST && parent && cmark_node_get_list_tight(parent))
		return;
	md_blank(m);
}

static void md_walk(struct md *m, cmark_node *doc)
{
	cmark_iter *it = cmark_iter_new(doc);
	cmark_event_type ev;
	struct md_frame *f;

	if (!it) {
		m->oom = 1;
		return;
	}
	while (!m->oom && (ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
		cmark_node *c = cmark_iter_get_node(it);
		int type = cmark_node_get_type(c);

		if (ev == CMARK_EVENT_EXIT) {
			switch (type) {
			case CMARK_NODE_BLOCK_QUOTE:
				m->quote--;
				md_pop(m);
				break;
			case CMARK_NODE_ITEM:
				f = m->nfr ? &m->fr[m->nfr - 1] : NULL;
				if (f && f->kind == MD_ITEM && !f->used) {
					md_begin(m, 0); /* an empty item still shows its marker */
					md_end(m);
				}
				md_pop(m);
				break;
			case CMARK_NODE_LIST:
				m->lists--;
				md_pop(m);
				break;
			default:
				break;
			}
			continue;
		}
		if (type == CMARK_NODE_DOCUMENT ||
		    (type & CMARK_NODE_TYPE_MASK) == CMARK_NODE_TYPE_INLINE)
			continue;
		md_gap(m, c);
		switch (type) {
		case CMARK_NODE_BLOCK_QUOTE:
			if ((f = md_push(m, MD_QUOTE, THEME_MARKDOWN_QUOTE))) {
				snprintf(f->first, sizeof(f->first), "%s ",
				         m->ascii ? "|" : "\xe2\x94\x82");
				snprintf(f->cont, sizeof(f->cont), "%s", f->first);
				f->width = 2;
			}
			m->quote++;
			break;
		case CMARK_NODE_LIST:
			md_list_enter(m, c);
			break;
		case CMARK_NODE_ITEM:
			md_item_enter(m, c);
			break;
		case CMARK_NODE_CODE_BLOCK:
			md_verbatim(m, cmark_node_get_literal(c), 1, cmark_node_get_fence_info(c));
			break;
		case CMARK_NODE_HTML_BLOCK:
		case CMARK_NODE_CUSTOM_BLOCK:
			md_verbatim(m, cmark_node_get_literal(c), 0, NULL);
			break;
		case CMARK_NODE_THEMATIC_BREAK:
			md_begin(m, 0);
			md_rule(m, m->ascii ? "-" : "\xe2\x94\x80", m->width - m->col,
			        m->quote ? THEME_MARKDOWN_QUOTE : THEME_NORMAL);
			md_end(m);
			break;
		case CMARK_NODE_HEADING:
			m->heading = cmark_node_get_heading_level(c);
			if (m->heading < 1 || m->heading > 6)
				m->heading = 6;
			m->maxw = 0;
			md_inlines(m, c);
			if (m->heading <= 2 && m->maxw > 0) {
				const char *r = m->heading == 1 ? (m->ascii ? "=" : "\xe2\x95\x90")
				                                : (m->ascii ? "-" : "\xe2\x94\x80");

				md_begin(m, 0);
				md_rule(m, r,
				        m->maxw < m->width - m->col ? m->maxw : m->width - m->col,
				        THEME_MARKDOWN_HEADING);
				md_end(m);
			}
			m->heading = 0;
			cmark_iter_reset(it, c, CMARK_EVENT_EXIT);
			break;
		case CMARK_NODE_PARAGRAPH:
			md_inlines(m, c);
			cmark_iter_reset(it, c, CMARK_EVENT_EXIT);
			break;
		default:
			if (md_is(c, "table")) {
				md_table(m, c);
				cmark_iter_reset(it, c, CMARK_EVENT_EXIT);
			}
			break;
		}
	}
	cmark_iter_free(it);
}

void md_free(struct md_line *lines, size_t n)
{
	size_t i, k;

	if (!lines)
		return;
	for (i = 0; i < n; i++) {
		for (k = 0; k < lines[i].n; k++)
			free(lines[i].spans[k].text);
		free(lines[i].spans);
	}
	free(lines);
}

/* The line at s[i..n): where its text starts after up to 3 spaces (*text), and whether it opens
 * or closes a fenced code block (``` or ~~~). */
static int md_fence_line(const char *s, size_t i, size_t n, size_t *text)
{
	size_t j = i;

	while (j < n && j - i < 4 && s[j] == ' ')
		j++;
	*text = j;
	return j + 3 <= n && (!strncmp(s + j, "```", 3) || !strncmp(s + j, "~~~", 3));
}

/* The end of a rewrite of s[0..n) into ob (what is copied up to copied): the rest of s added,
 * ob's text returned with its length in *outlen; NULL when nothing was rewritten (ob empty) or
 * out of memory (the caller then uses the source as it is). */
static char *md_rewritten(struct sb *ob, const char *s, size_t copied, size_t n, size_t *outlen)
{
	if (ob->p && !ob->oom)
		sb_add(ob, s + copied, n - copied);
	if (!ob->p || ob->oom) {
		free(ob->p);
		return NULL;
	}
	*outlen = ob->n;
	return ob->p;
}

/*
 * Math in a markdown source ($…$ and $$…$$ outside code): replaced by its text with common
 * symbols as Unicode (mime_latex), every ASCII punctuation character escaped so that cmark
 * keeps it as written (a "\\," stays "\\,", a "_" starts no emphasis). A '$' opens only before
 * a non-space and closes only after a non-space and not before a digit (so "$5 and $10" is
 * prose). NULL when there is no math (or out of memory: the source is then used as it is).
 */
static char *md_math(const char *s, size_t n, size_t *outlen)
{
	struct sb ob = {0};
	size_t i = 0, copied = 0, text;
	int fence = 0, bol = 1, none[2] = {0, 0};
	unsigned char no_bt[64] = {0}; /* backtick runs of this length with no closer */

	while (i < n) {
		if (bol && md_fence_line(s, i, n, &text))
			fence = !fence;
		bol = s[i] == '\n';
		if (fence || (s[i] != '$' && s[i] != '`' && s[i] != '\\')) {
			i++;
			continue;
		}
		if (s[i] == '\\') { /* an escaped character, "\\$" included */
			i += 2;
			continue;
		}
		if (s[i] == '`') { /* a code span: skipped to its closing run */
			size_t k = i, run, j;

			while (k < n && s[k] == '`')
				k++;
			run = k - i;
			if (run < sizeof no_bt && no_bt[run]) { /* known to have no closer */
				i = k;
				continue;
			}
			for (j = k; j < n; j++) {
				size_t r = 0;

				while (j + r < n && s[j + r] == '`')
					r++;
				if (r == run)
					break;
				j += r ? r - 1 : 0;
			}
			if (j >= n && run < sizeof no_bt)
				no_bt[run] = 1;
			i = j < n ? j + run : k;
			continue;
		}
		/* '$' */
		int dbl = i + 1 < n && s[i + 1] == '$';
		size_t a = i + (dbl ? 2 : 1), e;

		if (a >= n || none[dbl] || (!dbl && (s[a] == ' ' || s[a] == '\n'))) {
			i = a;
			continue;
		}
		for (e = a; e < n; e++) {
			if (s[e] == '\\') {
				e++;
				continue;
			}
			if (s[e] != '$')
				continue;
			if (dbl) {
				if (e + 1 < n && s[e + 1] == '$')
					break;
				continue;
			}
			if (s[e - 1] != ' ' && s[e - 1] != '\n' && !(e + 1 < n && s[e + 1] >= '0' &&
								     s[e + 1] <= '9'))
				break;
		}
		if (e >= n || e == a) {
			/* no closer up to the end: none for a later opener of this kind either, so
			 * the scan is not repeated (linear on "$ $ $ …") */
			if (e >= n)
				none[dbl] = 1;
			i = a;
			continue;
		}
		{
			char *t = mime_latex(s + a, e - a);

			if (!t) {
				free(ob.p);
				return NULL;
			}
			sb_add(&ob, s + copied, i - copied);
			for (char *p = t; *p; p++) {
				if (*p == '\n' || *p == '\t') {
					sb_add(&ob, " ", 1);
					continue;
				}
				if ((unsigned char)*p < 0x80 && ispunct((unsigned char)*p))
					sb_add(&ob, "\\", 1);
				sb_add(&ob, p, 1);
			}
			free(t);
			i = e + (dbl ? 2 : 1);
			copied = i;
		}
	}
	return md_rewritten(&ob, s, copied, n, outlen); /* NULL: no math */
}

/*
 * cmark-gfm 0.29.0.gfm.6 (Debian 12) takes quadratic time on a long paragraph holding links and
 * emphasis ("[e](f) *c* " repeated: 128 KB in 1.6 s, 256 KB in 6 s). Such a paragraph is cut
 * into paragraphs of about MD_BLOCK_MAX bytes (a blank line put in at a line break or space,
 * else, where the block holds a '[', anywhere between two characters 1 KB later), outside
 * fenced code.
 * NULL when nothing needs cutting (or out of memory: the source is then used as it is).
 */
#define MD_BLOCK_MAX 8192

static char *md_split(const char *s, size_t n, size_t *outlen)
{
	struct sb ob = {0};
	size_t i, blk = 0, copied = 0;
	int fence = 0, bol = 1, bracket = 0;

	if (n <= MD_BLOCK_MAX)
		return NULL;
	for (i = 0; i < n; i++) {
		char c = s[i];

		if (bol) {
			size_t j;

			if (md_fence_line(s, i, n, &j))
				fence = !fence;
			if (j < n && s[j] == '\n') { /* a blank line ends the block */
				blk = 0;
				bracket = 0;
			}
		}
		bol = c == '\n';
		bracket |= c == '[';
		if (fence || ++blk < MD_BLOCK_MAX)
			continue;
		if (c == '\n' || c == ' ') {
			sb_add(&ob, s + copied, i - copied);
			sb_add(&ob, "\n\n", 2);
			copied = i + 1;
			bol = 1;
		} else if (bracket && blk >= MD_BLOCK_MAX + 1024 && ((unsigned char)c & 0xc0) != 0x80) {
			sb_add(&ob, s + copied, i - copied);
			sb_add(&ob, "\n\n", 2);
			copied = i;
		} else {
			continue;
		}
		blk = 0;
		bracket = 0;
	}
	return md_rewritten(&ob, s, copied, n, outlen);
}

/* The tree of src with the GFM extensions bobbin shows (not tagfilter: raw HTML is shown as
 * text anyway). NULL when out of memory. */
static cmark_node *md_parse(const char *src, size_t len)
{
	static const char *const ext[] = {"table", "strikethrough", "autolink", "tasklist"};
	cmark_parser *p;
	cmark_node *doc;

	cmark_gfm_core_extensions_ensure_registered();
	if (!(p = cmark_parser_new(CMARK_OPT_VALIDATE_UTF8)))
		return NULL;
	for (size_t i = 0; i < sizeof ext / sizeof *ext; i++) {
		cmark_syntax_extension *e = cmark_find_syntax_extension(ext[i]);

		if (e)
			cmark_parser_attach_syntax_extension(p, e);
	}
	cmark_parser_feed(p, src, len);
	doc = cmark_parser_finish(p);
	cmark_parser_free(p);
	return doc;
}

struct md_line *md_render_ex(const char *src, size_t len, int width,
                             const struct md_render_opts *opts, size_t *nlines)
{
	struct md m;
	cmark_node *doc;
	struct md_line *out;
	char *math, *split;
	size_t mlen = 0, slen = 0;

	memset(&m, 0, sizeof(m));
	m.width = width < MD_MIN_WIDTH ? MD_MIN_WIDTH : width > MD_MAX_WIDTH ? MD_MAX_WIDTH : width;
	m.ascii = opts && opts->ascii;
	m.strike_marks = opts && opts->strike_marks;
	*nlines = 0;
	math = src ? md_math(src, len, &mlen) : NULL;
	if (math) {
		src = math;
		len = mlen;
	}
	split = src ? md_split(src, len, &slen) : NULL;
	if (split) {
		src = split;
		len = slen;
	}
	doc = md_parse(src && len ? src : "", src ? len : 0);
	free(math);
	free(split);
	if (!doc)
		return NULL;
	md_walk(&m, doc);
	md_end(&m);
	cmark_node_free(doc);
	free(m.line.buf);
	free(m.line.runs);
	free(m.word.buf);
	free(m.word.runs);
	free(m.fr);
	if (m.oom) {
		md_free(m.lines, m.n);
		return NULL;
	}
	out = m.lines ? m.lines : calloc(1, sizeof(*out));
	if (out)
		*nlines = m.n;
	return out;
}

struct md_line *md_render(const char *src, size_t len, int width, size_t *nlines)
{
	return md_render_ex(src, len, width, NULL, nlines);
}
