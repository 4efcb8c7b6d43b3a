// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * The notebook screen's drawing: the only code of the screen that calls curses (with
 * theme_curses.c). Each pass draws the top line, the visible rows of the visible cells from
 * their cached layouts, the bottom line and any overlay into stdscr, then one wnoutrefresh +
 * doupdate, so curses sends only what changed; the screen is cleared only for Ctrl-L and
 * SIGWINCH. Bytes bobbin writes to the terminal itself are its own fixed mode sequences
 * (bracketed paste, mouse), never text from a kernel or a notebook.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/ioctl.h>
#include <signal.h>
#include <unistd.h>

#include "tui/app.h"
#include "tui/gfx.h"
#include "tui/session.h"
#include "tui/sigpipe.h"
#include "tui/theme_curses.h"
#include "tui/utf8.h"

static SCREEN *screen;

void view_raw(const char *s)
{
	ssize_t r = write(STDOUT_FILENO, s, strlen(s));
	(void)r;
}

int view_text_rows(struct app *a)
{
	return a->rows > 3 ? a->rows - 2 : 1;
}

static int curses_color(int c, enum theme_depth depth)
{
	return theme_curses_color(theme_color_down(c, depth), depth);
}

static attr_t span_attr(struct app *a, const struct rd_span *sp)
{
	struct st_style base;
	int fg, bg, pair;

	if (!sp->sgr)
		return a->attrs[sp->role];
	base = theme_get(&a->theme, sp->role, a->depth);
	if (a->depth == THEME_DEPTH_NONE)
		return a->attrs[sp->role] | theme_curses_attrs(sp->style.attrs);
	fg = curses_color(sp->style.fg != ST_DEFAULT ? sp->style.fg : base.fg, a->depth);
	bg = curses_color(sp->style.bg != ST_DEFAULT ? sp->style.bg : base.bg, a->depth);
	if (fg == -1 && bg == -1)
		return theme_curses_attrs(base.attrs | sp->style.attrs);
	pair = alloc_pair(fg, bg);
	if (pair < 0)
		return a->attrs[sp->role] | theme_curses_attrs(sp->style.attrs);
	return theme_curses_attrs(base.attrs | sp->style.attrs) | COLOR_PAIR(pair);
}

/* Draws n bytes of safe text at the cursor within maxw columns; returns columns used. */
static int put_text(const char *s, size_t n, int maxw)
{
	int used = 0;
	size_t k = st_fit(s, n, maxw, &used);

	if (k)
		addnstr(s, (int)k);
	return used;
}

/* Draws untrusted text (a message, a name) in a role: sanitised, clipped, ASCII if need be. */
static int put_safe(struct app *a, const char *s, int role, int maxw)
{
	size_t n;
	char *t = st_plain(s, strlen(s), &n);
	int used;

	if (!t)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (t[i] == '\n' || t[i] == '\t')
			t[i] = ' ';
	if (!a->utf8) {
		size_t o = 0;
		for (size_t i = 0; i < n; i++) {
			unsigned char c = (unsigned char)t[i];
			if (c < 0x80)
				t[o++] = (char)c;
			else if (!utf8_is_cont(c))
				t[o++] = '?';
		}
		n = o;
	}
	attrset(a->attrs[role]);
	used = put_text(t, n, maxw);
	free(t);
	return used;
}

/*
 * Marks in hl[] (one byte per byte of the row's text, spans concatenated) the matches of the
 * search text, ASCII case-insensitive as the search itself; the gutter (columns before the
 * text) is left alone. Returns 1 if anything matched.
 */
static int mark_matches(const char *pat, const struct rd_layout *l, const struct rd_row *row,
			char *buf, unsigned char *hl, size_t n)
{
	size_t k = strlen(pat), o = 0, from = 0;
	int col = 0, any = 0;

	for (unsigned i = 0; i < row->nspans; i++) {
		const struct rd_span *sp = &l->spans[row->span0 + i];

		if (col < l->text_x)
			from = o + sp->len;
		col += st_width(l->text + sp->off, sp->len);
		memcpy(buf + o, l->text + sp->off, sp->len);
		o += sp->len;
	}
	memset(hl, 0, n);
	if (!k || n < k)
		return 0;
	for (size_t i = from; i + k <= n; i++)
		if (!strncasecmp(buf + i, pat, k)) {
			memset(hl + i, 1, k);
			any = 1;
			i += k - 1;
		}
	return any;
}

static void draw_row(struct app *a, int y, const struct rd_layout *l, size_t r, int hl_search)
{
	const struct rd_row *row = &l->rows[r];
	unsigned char hl_small[512], *hl = NULL;
	char buf_small[512], *buf = NULL;
	size_t n = 0, o = 0;
	int x = 0;

	if (hl_search && a->search[0] &&
	    (row->kind == RD_ROW_SOURCE || row->kind == RD_ROW_OUTPUT)) {
		for (unsigned i = 0; i < row->nspans; i++)
			n += l->spans[row->span0 + i].len;
		hl = n <= sizeof hl_small ? hl_small : malloc(n);
		buf = n <= sizeof buf_small ? buf_small : malloc(n);
		if (!hl || !buf || !mark_matches(a->search, l, row, buf, hl, n)) {
			if (hl != hl_small)
				free(hl);
			if (buf != buf_small)
				free(buf);
			hl = NULL;
			buf = NULL;
		}
	}
	move(y, 0);
	for (unsigned i = 0; i < row->nspans && x < a->cols; i++) {
		const struct rd_span *sp = &l->spans[row->span0 + i];
		const char *t = l->text + sp->off;
		size_t j = 0;

		while (j < sp->len && x < a->cols) {
			size_t e = j + 1;
			int on = hl && hl[o + j];

			if (!hl)
				e = sp->len;
			else /* a run of one state, ending on a character boundary */
				while (e < sp->len &&
				       (utf8_is_cont((unsigned char)t[e]) || !!hl[o + e] == on))
					e++;
			attrset(on ? a->attrs[THEME_SEARCH_MATCH] : span_attr(a, sp));
			x += put_text(t + j, e - j, a->cols - x);
			j = e;
		}
		o += sp->len;
	}
	attrset(a->attrs[THEME_NORMAL]);
	if (x < a->cols)
		clrtoeol();
	if (hl != hl_small)
		free(hl);
	if (buf != buf_small)
		free(buf);
}

static void fill_line(struct app *a, int y, int role)
{
	move(y, 0);
	attrset(a->attrs[role]);
	for (int i = 0; i < a->cols; i++)
		addch(' ');
	move(y, 0);
}

static void draw_top(struct app *a)
{
	char buf[600], el[64] = "";
	const char *name = a->path[0] ? strrchr(a->path, '/') : NULL;
	int x = 0, role = THEME_STATUS_KERNEL_IDLE;
	const char *state = "no kernel";
	long elapsed;
	int run = app_running_index(a, &elapsed);

	name = name ? name + 1 : a->path[0] ? a->path : "[new notebook]";
	fill_line(a, 0, THEME_STATUS_BAR);
	x += put_safe(a, " ", THEME_STATUS_BAR, a->cols - x);
	x += put_safe(a, name, THEME_STATUS_BAR, a->cols - x);
	if (nb_doc_dirty(a->doc) || (a->ed && strcmp(editor_text(a->ed, NULL),
						     nb_cell_source(nb_doc_find(a->doc, a->edit_id)))))
		x += put_safe(a, " [+]", THEME_STATUS_UNSAVED, a->cols - x);
	if (a->kc) {
		enum kc_state st = kc_client_state(a->kc);

		state = a->kernel_dead ? "dead" : kc_state_name(st);
		if (st == KC_LINK_LOST && kc_client_server_url(a->kc))
			state = "server link lost"; /* the WebSocket, not an ssh tunnel */
		if (a->kernel_dead || st == KC_DEAD || st == KC_DISCONNECTED ||
		    st == KC_UNRESPONSIVE || st == KC_LINK_LOST)
			role = THEME_STATUS_KERNEL_DEAD;
		else if (st == KC_STARTING || st == KC_RESTARTING)
			role = THEME_STATUS_KERNEL_STARTING;
		else if (st == KC_BUSY || a->nexec)
			role = THEME_STATUS_KERNEL_BUSY;
		if (st == KC_IDLE && a->nexec && !a->kernel_dead)
			state = "busy";
	} else if (a->kernel_pending) {
		state = "starting";
		role = THEME_STATUS_KERNEL_STARTING;
	} else {
		role = THEME_STATUS_KERNEL_DEAD;
	}
	if (run >= 0)
		snprintf(el, sizeof el, " [%d] %ld.%lds", run + 1, elapsed / 1000,
			 (elapsed / 100) % 10);
	snprintf(buf, sizeof buf, "  %s ", a->kc ? a->kernel_display : "");
	x += put_safe(a, buf, THEME_STATUS_BAR, a->cols - x);
	x += put_safe(a, state, role, a->cols - x);
	x += put_safe(a, el, role, a->cols - x);
	if (a->nexec > 1) {
		snprintf(buf, sizeof buf, " (+%zu queued)", a->nexec - 1);
		x += put_safe(a, buf, THEME_STATUS_BAR, a->cols - x);
	}
	snprintf(buf, sizeof buf, "%s%s cell %zu/%zu ",
		 a->attribution ? "attribution " : "",
		 a->kc && kc_routing_status(a->kc) == KC_ROUTING_READY ? "routing" : "",
		 a->cur + 1, nb_doc_ncells(a->doc));
	{
		int w = st_width(buf, strlen(buf));
		if (a->cols - w > x + 1) {
			move(0, a->cols - w);
			put_safe(a, buf, THEME_STATUS_BAR, w);
		}
	}
}

/* The bottom line: the mode's line being edited (with the cursor), its question, or its word
 * and the message. Returns the cursor's column, or -1. */
static int draw_bottom(struct app *a)
{
	struct mode_status st;
	int y = a->rows - 1, x = 0, cx;

	mode_status(a, &st);
	fill_line(a, y, THEME_COMMAND_LINE);
	if (st.line && st.prompt) {
		x += put_safe(a, st.prompt, THEME_COMMAND_LINE, a->cols);
		cx = x + st_width(st.line, (size_t)(st.point > 0 ? st.point : 0));
		put_safe(a, st.line, THEME_COMMAND_LINE, a->cols - x);
		return cx < a->cols ? cx : a->cols - 1;
	}
	if (st.line) {
		put_safe(a, st.line, THEME_MESSAGE_INFO, a->cols);
		return -1;
	}
	if (st.label) {
		char m[32];
		snprintf(m, sizeof m, "%s ", st.label);
		x += put_safe(a, m, THEME_STATUS_BAR, a->cols);
		x += put_safe(a, " ", THEME_COMMAND_LINE, a->cols - x);
	}
	if (a->msg[0])
		put_safe(a, a->msg, a->msg_err ? THEME_MESSAGE_ERROR : THEME_MESSAGE_INFO,
			 a->cols - x);
	return -1;
}

/* The input() answer drawn on the cell's input row. */
static int draw_input(struct app *a, int y, const struct rd_layout *l, size_t r)
{
	int point, x = 0;
	const char *prompt;
	const char *line = cl_line(&point, &prompt);
	const struct rd_row *row = &l->rows[r];

	for (unsigned i = 0; i < row->nspans; i++)
		x += st_width(l->text + l->spans[row->span0 + i].off,
			      l->spans[row->span0 + i].len);
	move(y, x < a->cols ? x : a->cols - 1);
	if (a->input_password)
		return x;
	attrset(a->attrs[THEME_SELECTION]);
	put_safe(a, line, THEME_SELECTION, a->cols - x);
	return x + st_width(line, (size_t)point);
}

void view_cells(struct app *a, struct mode_cursor *cur)
{
	int input = mode_on(a, &mode_input);
	/* the editor's cursor shows unless a line or a question has the keys */
	int editing = mode_top(a) == &mode_cells || mode_top(a) == &mode_popup;
	int H = view_text_rows(a), y = 1;
	size_t n = nb_doc_ncells(a->doc);
	size_t i = a->top;
	long skip = a->top_off;

	while (y <= H && i < n) {
		const struct rd_layout *l = app_layout(a, i);

		if (!l)
			break;
		for (size_t r = (size_t)skip; r < l->nrows && y <= H; r++, y++) {
			draw_row(a, y, l, r, 1);
			if (l->rows[r].kind == RD_ROW_INPUT && input) {
				cur->x = draw_input(a, y, l, r);
				cur->y = y;
			}
		}
		if (a->ed && i == a->cur && editing) {
			int x;
			long r = rd_cursor_row(l, editor_cursor_line(a->ed),
					       editor_cursor_col(a->ed), &x);
			long sy = (long)y - (long)l->nrows + r;

			if (r >= 0 && sy >= 1 && sy <= H) {
				cur->y = (int)sy;
				cur->x = x < a->cols ? x : a->cols - 1;
			}
		}
		skip = 0;
		i++;
	}
	attrset(a->attrs[THEME_NORMAL]);
	for (; y <= H; y++) {
		move(y, 0);
		clrtoeol();
	}
}

void view_layout(struct app *a, const struct rd_layout *lay, long top)
{
	int H = view_text_rows(a);
	long r = top;

	for (int y = 1; y <= H; y++, r++) {
		if (r >= 0 && (size_t)r < lay->nrows)
			draw_row(a, y, lay, (size_t)r, 1);
		else {
			move(y, 0);
			attrset(a->attrs[THEME_NORMAL]);
			clrtoeol();
		}
	}
}

void view_list(struct app *a, const struct app_list *l)
{
	int H = view_text_rows(a), y0 = 2;
	size_t first = 0;

	fill_line(a, 1, THEME_HELP_KEY);
	put_safe(a, l->title, THEME_HELP_KEY, a->cols);
	if (l->head[0]) {
		move(2, 0);
		attrset(a->attrs[THEME_PLACEHOLDER]);
		clrtoeol();
		put_safe(a, l->head, THEME_PLACEHOLDER, a->cols);
		y0 = 3;
	}
	if (l->sel >= (size_t)(H - y0 + 1))
		first = l->sel - (size_t)(H - y0 + 1) + 1;
	for (int y = y0; y <= H; y++) {
		size_t i = first + (size_t)(y - y0);

		move(y, 0);
		attrset(a->attrs[THEME_NORMAL]);
		clrtoeol();
		if (i >= l->nitems)
			continue;
		if (i == l->sel)
			fill_line(a, y, THEME_SELECTION);
		put_safe(a, l->items[i].text, i == l->sel ? THEME_SELECTION : l->items[i].role,
			 a->cols);
	}
}

void view_popup(struct app *a, const char *const *lines, size_t n, size_t *sel, size_t *top,
		const struct mode_cursor *cur)
{
	int cy = cur->y, cx = cur->x;
	int H = view_text_rows(a), w = 0, h, y0, x0;
	size_t i;

	if (!n)
		return;
	for (i = 0; i < n; i++) {
		int ww = st_width(lines[i], strlen(lines[i]));
		if (ww > w)
			w = ww;
	}
	w += 2;
	if (w > a->cols - 2)
		w = a->cols - 2;
	h = (int)n < 12 ? (int)n : 12;
	if (h > H - 1)
		h = H - 1;
	if (cy < 1)
		cy = 1;
	y0 = cy + 1 + h <= H ? cy + 1 : cy - h;
	if (y0 < 1)
		y0 = 1;
	x0 = sel ? cx : 2;
	if (x0 + w > a->cols)
		x0 = a->cols - w;
	if (x0 < 0)
		x0 = 0;
	if (sel) {
		if (*sel < *top)
			*top = *sel;
		if (*sel >= *top + (size_t)h)
			*top = *sel - (size_t)h + 1;
	}
	for (int r = 0; r < h; r++) {
		size_t k = *top + (size_t)r;
		int role = sel && k == *sel ? THEME_POPUP_SELECTED
								   : THEME_POPUP;
		move(y0 + r, x0);
		attrset(a->attrs[role]);
		for (int c = 0; c < w; c++)
			addch(' ');
		move(y0 + r, x0 + 1);
		if (k < n)
			put_safe(a, lines[k], role, w - 2);
	}
}

void view_draw(struct app *a)
{
	struct mode_cursor cur = {-1, -1};
	int bx;

	nb_out_sync_lazy(a->out);
	if (a->outputs_changed && mode_top(a) == &mode_cells)
		app_scroll_into_view(a);
	a->outputs_changed = 0;
	if (a->full_redraw) {
		clearok(curscr, TRUE);
		a->full_redraw = 0;
		gfx_forget();
	}
	draw_top(a);
	mode_draw(a, &cur);
	bx = draw_bottom(a);
	if (bx >= 0) {
		cur.y = a->rows - 1;
		cur.x = bx;
	}
	if (cur.y >= 0 && cur.x >= 0) {
		curs_set(1);
		move(cur.y, cur.x);
	} else {
		curs_set(0);
		move(a->rows - 1, 0);
	}
	wnoutrefresh(stdscr);
	doupdate();
	gfx_after_draw(a); /* pixel images over their art (gfx.h) */
	a->need_draw = 0;
}

void view_apply_theme(struct app *a)
{
	enum theme_depth d = theme_color_depth(COLORS, getenv("COLORTERM"), getenv("NO_COLOR"));

	a->depth = COLORS > 0 ? theme_curses_depth(d) : THEME_DEPTH_NONE;
	if (a->depth != THEME_DEPTH_NONE)
		reset_color_pairs();
	theme_apply_curses(&a->theme, a->depth, a->attrs);
	bkgdset(a->attrs[THEME_NORMAL] & ~A_CHARTEXT);
}

static void get_size(struct app *a)
{
	struct winsize ws;

	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0 && ws.ws_col > 0) {
		a->rows = ws.ws_row;
		a->cols = ws.ws_col;
	} else {
		a->rows = LINES;
		a->cols = COLS;
	}
}

void view_resize(struct app *a)
{
	get_size(a);
	resizeterm(a->rows, a->cols);
	a->rows = LINES;
	a->cols = COLS;
	app_invalidate_all(a);
	app_scroll_into_view(a);
	a->full_redraw = 1;
	a->need_draw = 1;
}

/* The terminal modes bobbin set, on (after start and resume) or off (at exit and suspend). */
static void term_modes(struct app *a, int on)
{
	view_raw(on ? "\033[?2004h" : "\033[?2004l"); /* bracketed paste */
	if (a->cfg.extended_keys)
		view_raw(on ? KEYS_REPORT_ON : KEYS_REPORT_OFF);
	if (a->cfg.mouse)
		view_raw(on ? "\033[?1000h\033[?1006h" : "\033[?1000l\033[?1006l");
}

int view_init(struct app *a)
{
	gfx_init(a->cfg.images); /* asks the terminal before curses reads it */
	if (!(screen = newterm(NULL, stdout, stdin)))
		return -1;
	set_term(screen);
	raw();
	noecho();
	nonl();
	intrflush(stdscr, FALSE);
	keypad(stdscr, FALSE);
	set_escdelay(25);
	typeahead(-1); /* keys are read from fd 0 by the loop; one write per update */
	/* NO_COLOR (or a terminal without colour) never starts colour at all, so curses does not
	 * paint its white-on-black default pair either */
	if (has_colors() && theme_color_depth(tigetnum("colors"), getenv("COLORTERM"),
					      getenv("NO_COLOR")) != THEME_DEPTH_NONE)
		start_color();
	a->rows = LINES;
	a->cols = COLS;
	view_apply_theme(a);
	erase();
	refresh();
	term_modes(a, 1);
	return 0;
}

void view_suspend(struct app *a)
{
	term_modes(a, 0);
	endwin();
	if (sess_suspend(a) == 0)
		return; /* the session's client stops; view_resume() when it is continued */
	raise(SIGSTOP); /* back here after fg (SIGCONT) */
	view_resume(a);
}

void view_resume(struct app *a)
{
	refresh();
	term_modes(a, 1);
	a->full_redraw = 1;
	a->need_draw = 1;
}

void view_end(struct app *a)
{
	if (!screen)
		return;
	term_modes(a, 0);
	endwin();
	delscreen(screen);
	screen = NULL;
}
