// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * `bobbin console` output: prints the kernel's iopub messages (streams, results with Out[n],
 * display_data as mime.h shows it (images as block art, markdown, tables…) else text/plain or a
 * one-line placeholder, coloured tracebacks), all
 * through safetext (SGR on a terminal, plain text otherwise). Every message also goes into an
 * output model (one code cell per execution) whose provenance decides the label printed before
 * output that does not belong to the running cell's main thread: "[from In [3], after it
 * finished]", "[Thread-1 (work)]", "[from another client]". When a line is being edited, output
 * is printed above it (readline's line saved, cleared, restored); inside a readline callback it
 * is collected and printed when the callback returns.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <glib.h>

#include "tui/console.h"
#include "tui/gfx.h"
#include "tui/mime.h"
#include "tui/safetext.h"
#include "tui/sigpipe.h"
#include "tui/tout.h"

void con_buf_add(struct con_buf *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 256;
		char *p;

		while (cap < b->len + n + 1)
			cap *= 2;
		if (!(p = realloc(b->p, cap)))
			return;
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = 0;
}

void con_buf_free(struct con_buf *b)
{
	free(b->p);
	*b = (struct con_buf){0};
}

static void raw_write(struct console *c, int err, const char *s, size_t n)
{
	FILE *f = err ? stderr : stdout;

	if (!n)
		return;
	fflush(err ? stdout : stderr);
	tout_stream(f, s, n, c->color);
	c->at_bol = s[n - 1] == '\n';
}

void con_print(struct console *c, int err, const char *s, size_t n)
{
	if (!n)
		return;
	if (c->defer) {
		/* One stream for what is collected: order matters more than the fd here. */
		con_buf_add(&c->deferred, s, n);
		return;
	}
	con_rl_hide(c);
	raw_write(c, err, s, n);
	con_rl_show(c);
}

void con_flush_deferred(struct console *c)
{
	if (c->defer || !c->deferred.len)
		return;
	con_rl_hide(c);
	raw_write(c, 0, c->deferred.p, c->deferred.len);
	c->deferred.len = 0;
	con_rl_show(c);
}

static void print_kernel(struct console *c, int err, const char *s, size_t n);

void con_flush_partial(struct console *c, int all)
{
	if (!c->partial[0].len && !c->partial[1].len)
		return;
	if (!all && sigpipe_now_ms() - c->partial_at < 150)
		return;
	for (int err = 0; err < 2; err++) {
		if (c->partial[err].len)
			print_kernel(c, err, c->partial[err].p, c->partial[err].len);
		c->partial[err].len = 0;
	}
}

void con_newline_if_needed(struct console *c)
{
	if (!c->at_bol && !c->defer)
		raw_write(c, 0, "\n", 1);
}

/* Kernel text, filtered for where it goes. */
static void print_kernel(struct console *c, int err, const char *s, size_t n)
{
	size_t len;
	char *t = c->color ? st_sgr(s, n, &len) : st_plain(s, n, &len);

	if (t) {
		con_print(c, err, t, len);
		free(t);
	}
}

void con_note(struct console *c, const char *fmt, ...)
{
	char buf[2048], *t;
	size_t len;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof buf - 1, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n > sizeof buf - 2)
		n = sizeof buf - 2;
	if (!n || buf[n - 1] != '\n')
		buf[n++] = '\n';
	if (!(t = st_plain(buf, (size_t)n, &len)))
		return;
	if (!c->at_bol && !c->defer)
		con_print(c, 1, "\n", 1);
	con_print(c, 1, t, len);
	free(t);
}

/* ---- provenance ---- */

static long cell_count(struct console *c, const char *cell_id)
{
	struct nb_cell *cell = cell_id ? nb_doc_find(c->doc, cell_id) : NULL;

	return cell ? nb_cell_execution_count(cell) : -1;
}

/* The cell the output model puts output parented to parent in (its rule: that request's cell,
 * else the running cell, else the latest started). */
static const char *landing_cell(struct console *c, const char *parent)
{
	for (size_t i = nb_doc_ncells(c->doc); i-- > 1;) {
		/* Cells keep their execute's msg_id in metadata (set when registered). */
		struct nb_cell *cell = nb_doc_cell(c->doc, i);
		const char *id = json_string_value(json_object_get(nb_cell_metadata(cell), "msg_id"));

		if (id && parent && !strcmp(id, parent))
			return nb_cell_id(cell);
		if (i + 64 < nb_doc_ncells(c->doc))
			break;
	}
	if (c->exec_cell[0] && !c->exec_idle)
		return c->exec_cell;
	return c->last_started[0] ? c->last_started : NULL;
}

/* The label for output with provenance p ("" when it is the running cell's own output). */
static void make_label(struct console *c, const struct nb_prov *p, char *out, size_t size)
{
	char parts[3][200];
	int np = 0;
	int own = p->parent_cell && c->exec_cell[0] && !strcmp(p->parent_cell, c->exec_cell) &&
		  !(p->flags & NB_PROV_LATE);

	out[0] = 0;
	if ((p->flags & NB_PROV_THREAD) && p->thread_name &&
	    !(p->origin_kind && !strcmp(p->origin_kind, "main"))) {
		char *name = st_plain(p->thread_name, strlen(p->thread_name), NULL);

		snprintf(parts[np++], sizeof parts[0], "%s", name ? name : "thread");
		free(name);
	}
	if (!own) {
		long n = cell_count(c, p->parent_cell);

		if (p->flags & NB_PROV_FOREIGN)
			snprintf(parts[np++], sizeof parts[0], "from another client");
		else if (p->parent_cell && n >= 0)
			snprintf(parts[np++], sizeof parts[0], "from In [%ld]%s", n,
				 p->flags & NB_PROV_LATE ? ", after it finished" : "");
		else if (p->parent_cell)
			snprintf(parts[np++], sizeof parts[0], "from an earlier cell%s",
				 p->flags & NB_PROV_LATE ? ", after it finished" : "");
		else
			snprintf(parts[np++], sizeof parts[0], "not from any cell");
	}
	if (p->origin_cell && (!p->parent_cell || strcmp(p->origin_cell, p->parent_cell))) {
		long n = cell_count(c, p->origin_cell);

		if (n >= 0)
			snprintf(parts[np++], sizeof parts[0], "started in In [%ld]", n);
	}
	if (!np)
		return;
	snprintf(out, size, "[%s%s%s%s%s]", parts[0], np > 1 ? ", " : "", np > 1 ? parts[1] : "",
		 np > 2 ? ", " : "", np > 2 ? parts[2] : "");
}

static void print_label(struct console *c, const char *label)
{
	char line[600];
	int n;

	if (!strcmp(label, c->last_label))
		return;
	snprintf(c->last_label, sizeof c->last_label, "%s", label);
	if (!*label)
		return;
	if (!c->at_bol && !c->defer && !c->rl_installed)
		raw_write(c, 0, "\n", 1);
	char on[ST_SGR_MAX], off[ST_SGR_MAX];

	n = snprintf(line, sizeof line, "%s%s%s\n", con_sgr(c, THEME_PLACEHOLDER, on), label,
		     con_sgr(c, -1, off));
	con_print(c, 0, line, (size_t)n < sizeof line ? (size_t)n : sizeof line - 1);
}

/* ---- printing messages ---- */

static void human_size(size_t n, char *buf, size_t size)
{
	if (n < 1024)
		snprintf(buf, size, "%zu B", n);
	else if (n < 1024 * 1024)
		snprintf(buf, size, "%.1f KB", n / 1024.0);
	else
		snprintf(buf, size, "%.1f MB", n / 1048576.0);
}

/* Where the pane's cursor is on tmux's terminal (1-based) and the pane's height, asked of tmux;
 * 0 when it cannot be asked. */
static int tmux_cursor(int *y, int *x, int *h)
{
	const char *pane = getenv("TMUX_PANE");
	int ok = pane && *pane && strspn(pane, "%0123456789") == strlen(pane), cy, top, left;
	char cmd[192];
	FILE *p;

	snprintf(cmd, sizeof cmd,
		 "tmux display-message -p %s%s '#{cursor_y} #{pane_top} #{pane_left} #{pane_height}' "
		 "2>/dev/null",
		 ok ? "-t " : "", ok ? pane : "");
	if (!(p = popen(cmd, "r")))
		return 0;
	ok = fscanf(p, "%d %d %d %d", &cy, &top, &left, h) == 4 && cy >= 0 && top >= 0 &&
	     left >= 0 && cy + top < 10000 && left < 10000 && *h > 0;
	pclose(p);
	*y = top + cy + 1;
	*x = left + 1;
	return ok;
}

int con_pixels(FILE *f, json_t *data, const struct mime_opts *mo, int nl_first)
{
	static const char *const types[] = {"image/png", "image/jpeg", "image/gif"};
	const char *tmux = getenv("TMUX"), *term = getenv("TERM");
	int in_tmux = tmux && *tmux, rows, y, x, h;
	json_t *v = NULL;
	size_t n;
	char *seq, *w, mv[32];

	if (!isatty(fileno(f)) || mo->depth == THEME_DEPTH_NONE ||
	    (!in_tmux && term && !strncmp(term, "tmux", 4)) || /* tmux there, not askable here */
	    (in_tmux && !tmux_cursor(&y, &x, &h)))
		return 0;
	for (size_t i = 0; i < sizeof types / sizeof *types && !v; i++)
		v = json_object_get(data, types[i]);
	if (!json_is_string(v) ||
	    !(seq = gfx_encode_fit(json_string_value(v), json_string_length(v), mo, &rows, &n)))
		return 0;
	if (in_tmux && rows >= h) { /* its top would scroll away before it is drawn */
		g_free(seq);
		return 0;
	}
	if (nl_first)
		tout_lit(f, "\n");
	if (!in_tmux) {
		tout_pixels(f, seq, n);
		tout_lit(f, "\n"); /* the cursor is on the image's last row */
		g_free(seq);
		return 1;
	}
	/* tmux does not know the image's size: its rows are made first, then the image drawn at
	 * their top, at a place in the outer terminal's coordinates (tmux writes a passthrough
	 * where the outer cursor happens to be, and homes it after each) */
	for (int i = 0; i < rows; i++)
		tout_lit(f, "\n");
	snprintf(mv, sizeof mv, "\033[%dA", rows);
	tout_pixels(f, mv, strlen(mv));
	if (tmux_cursor(&y, &x, &h) && (w = gfx_tmux_wrap(seq, n, y, x, &n))) {
		tout_pixels(f, w, n);
		free(w);
	}
	snprintf(mv, sizeof mv, "\033[%dB\r", rows);
	tout_pixels(f, mv, strlen(mv));
	g_free(seq);
	return 1;
}

static void print_data(struct console *c, json_t *data, const char *out_prefix);

void con_print_page(struct console *c, json_t *data)
{
	con_flush_partial(c, 1);
	con_newline_if_needed(c);
	print_data(c, data, NULL);
}

static void print_data(struct console *c, json_t *data, const char *out_prefix)
{
	json_t *plain = json_object_get(data, "text/plain");
	const char *k;
	json_t *v;

	struct mime_opts mo;
	char *rich;
	int ok;

	if (out_prefix)
		con_print(c, 0, out_prefix, strlen(out_prefix));
	mime_opts_tty(&mo, STDOUT_FILENO, c->color);
	if (!c->defer) { /* collected output goes through tout_stream, which keeps no pixels */
		con_rl_hide(c);
		ok = con_pixels(stdout, data, &mo, out_prefix != NULL);
		if (ok)
			c->at_bol = 1;
		con_rl_show(c);
		if (ok)
			return;
	}
	if ((rich = mime_text(data, &mo, NULL))) {
		/* markdown, an image, a table: from the start of a line */
		if (out_prefix)
			con_print(c, 0, "\n", 1);
		print_kernel(c, 0, rich, strlen(rich));
		free(rich);
		return;
	}
	if (json_is_string(plain)) {
		const char *s = json_string_value(plain);
		size_t n = json_string_length(plain);

		/* IPython starts a multi-line result on its own line. */
		if (out_prefix && memchr(s, '\n', n))
			con_print(c, 0, "\n", 1);
		print_kernel(c, 0, s, n);
		if (!n || s[n - 1] != '\n')
			con_print(c, 0, "\n", 1);
		return;
	}
	json_object_foreach(data, k, v) {
		char size[32], line[300];
		size_t bytes = json_is_string(v) ? json_string_length(v) : 0;
		char *mime = st_plain(k, strlen(k), NULL);

		if (!bytes) {
			char *dump = json_dumps(v, JSON_COMPACT);

			bytes = dump ? strlen(dump) : 0;
			free(dump);
		}
		human_size(bytes, size, sizeof size);
		snprintf(line, sizeof line, "[%s, %s]\n", mime ? mime : "?", size);
		free(mime);
		con_print(c, 0, line, strlen(line));
		return;
	}
	con_print(c, 0, "\n", 1);
}

void con_on_iopub(struct console *c, const struct kc_msg *m)
{
	json_t *ct = m->content;
	const char *t = m->msg_type;
	const char *land;
	const struct nb_prov *p = NULL;
	char label[512];

	if (!strcmp(t, "status") && c->exec_id[0] && !strcmp(m->parent_id, c->exec_id)) {
		const char *st = json_string_value(json_object_get(ct, "execution_state"));

		if (st && !strcmp(st, "busy"))
			snprintf(c->last_started, sizeof c->last_started, "%s", c->exec_cell);
		if (st && !strcmp(st, "idle"))
			c->exec_idle = 1;
	}
	if (!strcmp(t, "execute_input") && m->parent_id[0] &&
	    (!c->exec_id[0] || strcmp(m->parent_id, c->exec_id)))
		snprintf(c->foreign[c->nforeign++ % 8], sizeof c->foreign[0], "%s", m->parent_id);
	land = landing_cell(c, m->parent_id);
	nb_out_iopub(c->out, t, m->parent_id, ct, m->metadata);
	if (strcmp(t, "stream") && strcmp(t, "execute_result") && strcmp(t, "display_data") &&
	    strcmp(t, "error"))
		return;
	if (land) {
		/* the chunk's own provenance, also when it continued an earlier stream output */
		p = nb_out_last_prov(c->out, land);
		if (p && (!p->msg_id || strcmp(p->msg_id, m->parent_id)))
			p = NULL;
	}
	if (p) {
		make_label(c, p, label, sizeof label);
	} else {
		int own = c->exec_id[0] && !strcmp(m->parent_id, c->exec_id);

		int foreign = 0;

		/* No cell to land in yet: the model keeps it unplaced, without provenance. */
		for (int i = 0; i < 8 && !own; i++)
			foreign |= m->parent_id[0] && !strcmp(c->foreign[i], m->parent_id);
		snprintf(label, sizeof label, "%s",
			 own ? "" : foreign ? "[from another client]" : "[not from any cell]");
	}
	print_label(c, label);

	if (!strcmp(t, "stream")) {
		const char *name = json_string_value(json_object_get(ct, "name"));
		json_t *text = json_object_get(ct, "text");

		int err = name && !strcmp(name, "stderr");
		const char *s = json_string_value(text);
		size_t n = json_string_length(text), k = n;

		if (!s)
			return;
		if (!c->rl_installed && !c->partial[err].len) {
			print_kernel(c, err, s, n);
			return;
		}
		/* A prompt is up: print whole lines, hold the rest for a moment. */
		while (k && s[k - 1] != '\n')
			k--;
		if (k) {
			con_buf_add(&c->partial[err], s, k);
			print_kernel(c, err, c->partial[err].p, c->partial[err].len);
			c->partial[err].len = 0;
		}
		if (k < n) {
			if (!c->partial[err].len)
				c->partial_at = sigpipe_now_ms();
			con_buf_add(&c->partial[err], s + k, n - k);
		}
	} else if (!strcmp(t, "execute_result")) {
		char prefix[64];
		json_t *n = json_object_get(ct, "execution_count");

		if (!c->at_bol)
			con_print(c, 0, "\n", 1);
		char on[ST_SGR_MAX], off[ST_SGR_MAX];

		snprintf(prefix, sizeof prefix, "%sOut[%lld]:%s ", con_sgr(c, THEME_PROMPT_OUT, on),
			 (long long)json_integer_value(n), con_sgr(c, -1, off));
		print_data(c, json_object_get(ct, "data"), prefix);
	} else if (!strcmp(t, "display_data")) {
		if (!c->at_bol)
			con_print(c, 0, "\n", 1);
		print_data(c, json_object_get(ct, "data"), NULL);
	} else if (!strcmp(t, "error")) {
		json_t *tb = json_object_get(ct, "traceback"), *line;
		size_t i;

		if (m->parent_id && !strcmp(m->parent_id, c->exec_id))
			c->exec_error = 1;
		if (!c->at_bol)
			con_print(c, 1, "\n", 1);
		if (json_array_size(tb)) {
			json_array_foreach(tb, i, line) {
				if (!json_is_string(line))
					continue;
				print_kernel(c, 1, json_string_value(line), json_string_length(line));
				con_print(c, 1, "\n", 1);
			}
		} else {
			char buf[1024];

			snprintf(buf, sizeof buf, "%s: %s\n",
				 json_string_value(json_object_get(ct, "ename")) ?: "Error",
				 json_string_value(json_object_get(ct, "evalue")) ?: "");
			print_kernel(c, 1, buf, strlen(buf));
		}
	}
}
