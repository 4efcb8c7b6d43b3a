// SPDX-License-Identifier: GPL-3.0-or-later
/* Pixel images on the notebook screen (see gfx.h). */
#include "tui/gfx.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <chafa.h>

#include "tui/app.h"
#include "tui/image.h"
#include "tui/mode.h"
#include "tui/safetext.h"

static int mode = MIME_IMG_SYMBOLS;
static int cell_w, cell_h;
static int in_tmux; /* a forced protocol inside tmux: sequences wrapped for its passthrough */

int gfx_mode(void)
{
	return mode;
}

void gfx_cell(int *w, int *h)
{
	*w = cell_w;
	*h = cell_h;
}

int gfx_tmux(void)
{
	return in_tmux;
}

/* ---- tmux passthrough ---- */

/* Where the string sequence (APC, DCS, OSC, SOS, PM) at s[0..n) ends: after its ST (ESC \) or,
 * for OSC, a BEL; n when it does not end. */
static size_t seq_end(const char *s, size_t n)
{
	for (size_t i = 2; i < n; i++) {
		if (s[i] == '\a' && s[1] == ']')
			return i + 1;
		if (s[i] == '\033' && i + 1 < n && s[i + 1] == '\\')
			return i + 2;
	}
	return n;
}

char *gfx_tmux_wrap(const char *s, size_t n, int y, int x, size_t *outn)
{
	char mv[48];
	size_t k = 0, i, e, nesc, mvn = 0;
	char *o;

	/* inside each DCS: save the cursor, move, the sequence, restore (ESCs doubled) */
	if (y > 0 && x > 0)
		mvn = (size_t)snprintf(mv, sizeof mv, "\033\0337\033\033[%d;%dH", y, x);
	/* the size first: one DCS a string sequence (tmux drops a passthrough longer than its
	 * input buffer, and kitty's chunks are 4 KB each) */
	for (*outn = 0, i = 0; i < n; i = e) {
		if (s[i] != '\033' || i + 1 >= n || !memchr("_P]X^", s[i + 1], 5)) {
			e = i + 1;
			*outn += 1;
			continue;
		}
		e = i + seq_end(s + i, n - i);
		nesc = 0;
		for (size_t j = i; j < e; j++)
			nesc += s[j] == '\033';
		*outn += 9 + (e - i) + nesc + (mvn ? mvn + 3 : 0);
	}
	if (!(o = malloc(*outn + 1)))
		return NULL;
	for (i = 0; i < n; i = e) {
		if (s[i] != '\033' || i + 1 >= n || !memchr("_P]X^", s[i + 1], 5)) {
			e = i + 1;
			o[k++] = s[i]; /* anything else is for tmux itself */
			continue;
		}
		e = i + seq_end(s + i, n - i);
		memcpy(o + k, "\033Ptmux;", 7);
		k += 7;
		memcpy(o + k, mv, mvn);
		k += mvn;
		for (size_t j = i; j < e; j++) {
			if (s[j] == '\033')
				o[k++] = '\033';
			o[k++] = s[j];
		}
		if (mvn) {
			memcpy(o + k, "\033\0338", 3);
			k += 3;
		}
		memcpy(o + k, "\033\\", 2);
		k += 2;
	}
	o[k] = 0;
	return o;
}

/* ---- asking the terminal ---- */

int gfx_parse(const char *s, size_t n, int *cw, int *ch)
{
	int kitty = 0, sixel = 0, iterm = 0;
	const char *e = s + n;

	*cw = *ch = 0;
	for (const char *p = s; p < e; p++) {
		if (*p != '\033' || p + 1 >= e)
			continue;
		if (p[1] == '_' && e - p > 4 && p[2] == 'G') { /* ESC _ G i=31;OK ESC \ */
			const char *semi = memchr(p, ';', (size_t)(e - p));
			if (semi && e - semi >= 3 && !strncmp(semi + 1, "OK", 2))
				kitty = 1;
		} else if (p[1] == 'P' && e - p > 3 && p[2] == '>' && p[3] == '|') { /* XTVERSION */
			size_t k = (size_t)(e - p - 4);
			if ((k >= 6 && memmem(p + 4, k < 64 ? k : 64, "iTerm2", 6)) ||
			    (k >= 7 && memmem(p + 4, k < 64 ? k : 64, "WezTerm", 7)))
				iterm = 1;
		} else if (p[1] == '[') {
			const char *q = p + 2;
			int v[16], nv = 0, cur = 0, have = 0, priv = q < e && *q == '?';

			if (priv)
				q++;
			for (; q < e && ((*q >= '0' && *q <= '9') || *q == ';'); q++) {
				if (*q == ';') {
					if (nv < 16)
						v[nv++] = cur;
					cur = 0;
					have = 0;
				} else {
					cur = cur * 10 + (*q - '0');
					if (cur > 100000)
						cur = 100000;
					have = 1;
				}
			}
			if (have && nv < 16)
				v[nv++] = cur;
			if (q < e && *q == 'c' && priv) { /* DA1: ESC [ ? 62 ; 4 ; … c */
				for (int i = 1; i < nv; i++)
					sixel |= v[i] == 4;
			} else if (q < e && *q == 't' && !priv && nv == 3 && v[0] == 6) {
				*ch = v[1] > 0 && v[1] < 1000 ? v[1] : 0; /* ESC [ 6 ; h ; w t */
				*cw = v[2] > 0 && v[2] < 1000 ? v[2] : 0;
			}
		}
	}
	return kitty ? MIME_IMG_KITTY : iterm ? MIME_IMG_ITERM : sixel ? MIME_IMG_SIXEL
							: MIME_IMG_SYMBOLS;
}

/* Whether the answers so far hold DA1's (the last query's). */
static int has_da1(const char *s, size_t n)
{
	for (size_t i = 0; i + 2 < n; i++)
		if (s[i] == '\033' && s[i + 1] == '[' && s[i + 2] == '?') {
			size_t k = i + 3;

			while (k < n && ((s[k] >= '0' && s[k] <= '9') || s[k] == ';'))
				k++;
			if (k < n && s[k] == 'c')
				return 1;
		}
	return 0;
}

static int inside_tmux(void)
{
	const char *tmux = getenv("TMUX"), *term = getenv("TERM");

	return (tmux && *tmux) || (term && !strncmp(term, "tmux", 4));
}

/* The answers to the queries gathered until DA1's; probing: 0 none asked or all came, 1 all
 * asked (auto), 2 only the cell size (a forced protocol). */
static char answers[1024];
static size_t nanswers;
static int probing;

void gfx_init(int images)
{
	static const char q[] = "\033_Gi=31,s=1,v=1,a=q,t=d,f=24;AAAA\033\\" /* kitty */
				"\033[>0q"                                    /* XTVERSION */
				"\033[16t"                                    /* cell size */
				"\033[c";                                     /* DA1 */
	const char *ask = NULL;

	mode = images == MIME_IMG_AUTO ? MIME_IMG_SYMBOLS : images;
	in_tmux = 0;
	probing = 0;
	nanswers = 0;
	cell_w = cell_h = 0;
	if (images == MIME_IMG_AUTO) {
		if (!inside_tmux())
			ask = q;
	} else if (images == MIME_IMG_KITTY || images == MIME_IMG_SIXEL ||
		   images == MIME_IMG_ITERM) {
		/* forced: still ask for the cell size; inside tmux (which answers for itself)
		 * everything is wrapped for its passthrough, which the user has allowed */
		if (inside_tmux())
			in_tmux = 1;
		else
			ask = strstr(q, "\033[16t");
	}
	/* asked, not waited for: the answers come through the key reader (gfx_reply), so neither
	 * a slow link nor a terminal that answers nothing delays the first screen */
	if (ask && isatty(STDIN_FILENO) && isatty(STDOUT_FILENO)) {
		view_raw(ask);
		probing = images == MIME_IMG_AUTO ? 1 : 2;
	}
}

int gfx_reply(const char *s, size_t n)
{
	int m, w, h, changed;

	if (!probing)
		return 0;
	if (n > sizeof answers - 1 - nanswers)
		n = sizeof answers - 1 - nanswers;
	memcpy(answers + nanswers, s, n);
	nanswers += n;
	if (!has_da1(answers, nanswers) && nanswers < sizeof answers - 1)
		return 0;
	m = gfx_parse(answers, nanswers, &w, &h);
	if (probing == 2)
		m = mode;
	changed = m != mode || w != cell_w || h != cell_h;
	mode = m;
	cell_w = w;
	cell_h = h;
	probing = 0;
	return changed;
}

void gfx_on_reply(void *ctx, const char *s, size_t n)
{
	struct app *a = ctx;

	if (gfx_reply(s, n)) { /* block art sized for the cells, pixels over it */
		app_invalidate_all(a);
		a->full_redraw = 1;
		a->need_draw = 1;
	}
}

/* ---- encoding ---- */

char *gfx_encode(const char *b64, size_t len, int m, int cols, int rows, size_t *outlen)
{
	unsigned char *bytes;
	size_t n;
	struct img im;
	char why[128];
	ChafaTermDb *db;
	ChafaTermInfo *ti;
	ChafaCanvasConfig *cc;
	ChafaCanvas *cv;
	GString *gs;
	char *out;
	int cw = cell_w > 0 ? cell_w : 10, ch = cell_h > 0 ? cell_h : 20;

	if (len / 4 * 3 > IMG_MAX_BYTES || img_b64(b64, len, &bytes, &n) < 0)
		return NULL;
	if (img_decode(bytes, n, &im, why, sizeof why) < 0) {
		free(bytes);
		return NULL;
	}
	free(bytes);
	chafa_set_n_threads(1);
	db = chafa_term_db_get_default();
	ti = chafa_term_db_get_fallback_info(db);
	cc = chafa_canvas_config_new();
	chafa_canvas_config_set_geometry(cc, cols, rows);
	chafa_canvas_config_set_cell_geometry(cc, cw, ch);
	chafa_canvas_config_set_pixel_mode(cc, m == MIME_IMG_KITTY   ? CHAFA_PIXEL_MODE_KITTY
					       : m == MIME_IMG_ITERM ? CHAFA_PIXEL_MODE_ITERM2
								 : CHAFA_PIXEL_MODE_SIXELS);
	chafa_canvas_config_set_canvas_mode(cc, CHAFA_CANVAS_MODE_TRUECOLOR);
	cv = chafa_canvas_new(cc);
	chafa_canvas_draw_all_pixels(cv, CHAFA_PIXEL_RGBA8_UNASSOCIATED, im.rgba, (gint)im.w,
				     (gint)im.h, (gint)im.w * 4);
	gs = chafa_canvas_print(cv, ti);
	*outlen = gs->len;
	out = g_string_free(gs, FALSE);
	chafa_canvas_unref(cv);
	chafa_canvas_config_unref(cc);
	chafa_term_info_unref(ti); /* the default db is chafa's own: never unreferenced */
	img_free(&im);
	return out;
}

char *gfx_encode_fit(const char *b64, size_t len, const struct mime_opts *o, int *rows,
		     size_t *outlen)
{
	unsigned char *bytes;
	size_t n;
	struct img im;
	char why[128], *out;
	int cols, r, sw = cell_w, sh = cell_h;

	if (o->images != MIME_IMG_KITTY && o->images != MIME_IMG_SIXEL &&
	    o->images != MIME_IMG_ITERM)
		return NULL;
	if (len / 4 * 3 > IMG_MAX_BYTES || img_b64(b64, len, &bytes, &n) < 0)
		return NULL;
	r = img_decode(bytes, n, &im, why, sizeof why);
	free(bytes);
	if (r < 0)
		return NULL;
	img_fit(im.w, im.h, o, &cols, rows);
	img_free(&im);
	/* the cell size img_fit used, for the pixels' size (a sixel is drawn at its own) */
	cell_w = o->cell_w > 0 ? o->cell_w : 8;
	cell_h = o->cell_h > 0 ? o->cell_h : 16;
	out = gfx_encode(b64, len, o->images, cols, *rows, outlen);
	cell_w = sw;
	cell_h = sh;
	return out;
}

/* ---- drawing ---- */

struct placed {
	const char *key; /* the image data's address, compared only */
	size_t len;
	int y, x, cols, rows;
};

#define MAX_PLACED 32

static struct placed last[MAX_PLACED];
static int nlast, dirty;

void gfx_forget(void)
{
	nlast = 0; /* the screen was cleared: nothing to delete, everything to draw */
	dirty = 1;
}

struct genc {
	const char *key;
	size_t len;
	int mode, cols, rows, cw, ch;
	char *seq; /* g_malloc'd */
	size_t n;
	unsigned long used;
};

#define GCACHE 16
static struct genc gcache[GCACHE];
static unsigned long gclock;

static const char *encoded(const char *b64, size_t len, int cols, int rows, size_t *n)
{
	struct genc *victim = &gcache[0];

	for (int i = 0; i < GCACHE; i++) {
		struct genc *g = &gcache[i];

		if (g->seq && g->key == b64 && g->len == len && g->mode == mode && g->cols == cols &&
		    g->rows == rows && g->cw == cell_w && g->ch == cell_h) {
			g->used = ++gclock;
			*n = g->n;
			return g->seq;
		}
		if (g->used < victim->used)
			victim = g;
	}
	g_free(victim->seq);
	*victim = (struct genc){b64, len, mode, cols, rows, cell_w, cell_h, NULL, 0, ++gclock};
	victim->seq = gfx_encode(b64, len, mode, cols, rows, &victim->n);
	*n = victim->n;
	return victim->seq;
}

/* The image data an output shows as art (as mime.c chooses), or NULL. */
static const char *output_image(json_t *o, size_t *len)
{
	json_t *d = json_object_get(o, "data");
	const char *t = json_string_value(json_object_get(o, "output_type"));

	if (!t || (strcmp(t, "display_data") && strcmp(t, "execute_result")))
		return NULL;
	for (int i = 0; i < 3; i++) {
		json_t *v = json_object_get(d, i == 2 ? "image/gif" : i ? "image/jpeg" : "image/png");

		if (json_is_string(v)) {
			*len = json_string_length(v);
			return json_string_value(v);
		}
	}
	return NULL;
}

/* Finds the images wholly on screen, with their places. */
static int visible(struct app *a, struct placed *p)
{
	int H = view_text_rows(a), y = 1, np = 0;
	size_t n = nb_doc_ncells(a->doc), i = a->top;
	long skip = a->top_off;

	const struct mode *top = mode_top(a);

	/* the cells' rows on screen with nothing over them (a popup would be drawn under) */
	if ((top != &mode_cells && top != &mode_cmdline && top != &mode_input && top != &mode_ask) ||
	    a->depth == THEME_DEPTH_NONE || a->cfg.images == MIME_IMG_NONE)
		return 0; /* no art on screen, so no image */
	while (y <= H && i < n) {
		const struct rd_layout *l = app_layout(a, i);
		json_t *outs = nb_cell_outputs(nb_doc_cell(a->doc, i));

		if (!l)
			break;
		for (size_t r = 0; r < l->nrows; r++) {
			const struct rd_row *row = &l->rows[r];
			long sy = y + (long)r - skip;
			size_t k = r, len = 0;
			const char *img;
			int cols = 0;

			if (row->kind != RD_ROW_OUTPUT || (r && l->rows[r - 1].kind == RD_ROW_OUTPUT &&
							    l->rows[r - 1].line == row->line))
				continue; /* not an output's first row */
			if (!(img = output_image(json_array_get(outs, (size_t)row->line), &len)))
				continue;
			while (k < l->nrows && l->rows[k].kind == RD_ROW_OUTPUT &&
			       l->rows[k].line == row->line) {
				int w = 0;

				for (unsigned s = 0; s < l->rows[k].nspans; s++)
					w += st_width(l->text + l->spans[l->rows[k].span0 + s].off,
						      l->spans[l->rows[k].span0 + s].len);
				if (w - l->text_x > cols)
					cols = w - l->text_x;
				k++;
			}
			/* wholly on screen, and the art itself (a placeholder is one short row) */
			if (sy < 1 || sy + (long)(k - r) - 1 > H || cols < 1 || k - r < 2 ||
			    np == MAX_PLACED || (k < l->nrows && l->rows[k].kind == RD_ROW_FOLD))
				continue;
			p[np++] = (struct placed){img, len, (int)sy, l->text_x, cols, (int)(k - r)};
		}
		y += (int)l->nrows - (int)skip;
		skip = 0;
		i++;
	}
	return np;
}

/* The pane's place on tmux's terminal (#{pane_top}, #{pane_left}), asked each time the images
 * move (a pane may move without being resized); 0, 0 when tmux cannot be asked ($TMUX unset:
 * TERM=tmux… over ssh). */
static void tmux_offset(int *top, int *left)
{
	const char *t = getenv("TMUX"), *pane = getenv("TMUX_PANE");
	char cmd[128];
	FILE *f;

	*top = *left = 0;
	if (!t || !*t)
		return;
	snprintf(cmd, sizeof cmd, "tmux display-message -p %s%s '#{pane_top} #{pane_left}' 2>/dev/null",
		 pane && strspn(pane, "%0123456789") == strlen(pane) && *pane ? "-t " : "",
		 pane && strspn(pane, "%0123456789") == strlen(pane) ? pane : "");
	if (!(f = popen(cmd, "r")))
		return;
	if (fscanf(f, "%d %d", top, left) != 2 || *top < 0 || *left < 0 || *top > 10000 ||
	    *left > 10000)
		*top = *left = 0;
	pclose(f);
}

void gfx_after_draw(struct app *a)
{
	struct placed now[MAX_PLACED];
	int nnow, same, top = 0, left = 0;

	if (mode != MIME_IMG_KITTY && mode != MIME_IMG_SIXEL && mode != MIME_IMG_ITERM)
		return;
	nnow = visible(a, now);
	same = nnow == nlast && !memcmp(now, last, (size_t)nnow * sizeof *now);
	if (same && !dirty)
		return;
	if (nlast) {
		if (mode == MIME_IMG_KITTY) {
			/* every placement and its data */
			view_raw(in_tmux ? "\033Ptmux;\033\033_Ga=d,d=A,q=2\033\033\\\033\\"
					 : "\033_Ga=d,d=A,q=2\033\\");
		} else {
			/* sixel and iTerm2 pixels stay in the cells: curses paints them all again */
			clearok(curscr, TRUE);
			wrefresh(curscr);
		}
	}
	if (in_tmux && nnow)
		tmux_offset(&top, &left);
	view_raw("\0337"); /* the cursor curses left */
	for (int k = 0; k < nnow; k++) {
		size_t n;
		const char *seq = encoded(now[k].key, now[k].len, now[k].cols, now[k].rows, &n);
		char mv[32], *w;

		if (!seq || !n)
			continue;
		if (in_tmux) {
			/* tmux writes a passthrough at the outer terminal's cursor (and homes it
			 * after each), not the pane's: every one moves there itself */
			if ((w = gfx_tmux_wrap(seq, n, now[k].y + 1 + top, now[k].x + 1 + left, &n))) {
				view_raw(w);
				free(w);
			}
			continue;
		}
		snprintf(mv, sizeof mv, "\033[%d;%dH", now[k].y + 1, now[k].x + 1);
		view_raw(mv);
		view_raw(seq);
	}
	view_raw("\0338");
	memcpy(last, now, (size_t)nnow * sizeof *now);
	nlast = nnow;
	dirty = 0;
}
