// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * Rich outputs as text (see mime.h): the choice of MIME type, markdown through markdown.c with
 * its attributes as SGR, LaTeX symbols from a table, HTML tables laid out as text, other HTML
 * stripped, JSON pretty-printed, images through image.c.
 */
#include "tui/mime.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tui/image.h"
#include "tui/kernel_quirks.h"
#include "tui/markdown.h"
#include "tui/safetext.h"
#include "tui/sbuf.h"
#include "tui/texttable.h"
#include "tui/utf8.h"

/* ---- settings ---- */

static const char *const images_names[] = {"auto", "kitty", "sixel", "iterm", "symbols", "none"};

const char *mime_images_name(int images)
{
	return images >= 0 && images <= MIME_IMG_NONE ? images_names[images] : "?";
}

int mime_images_parse(const char *s)
{
	for (int i = 0; i <= MIME_IMG_NONE; i++)
		if (!strcmp(s, images_names[i]))
			return i;
	return -1;
}

int mime_plain_is_repr(const char *p)
{
	size_t n;

	if (!p)
		return 1;
	n = strlen(p);
	while (n && (p[n - 1] == '\n' || p[n - 1] == ' '))
		n--;
	if (n < 3 || p[0] != '<' || p[n - 1] != '>' || memchr(p, '\n', n))
		return 0;
	return 1;
}

/* ---- markdown ---- */

static char *md_text(const char *s, size_t n, const struct mime_opts *o)
{
	struct md_render_opts mo = {.ascii = o->ascii,
				    .strike_marks = o->depth == THEME_DEPTH_NONE};
	size_t nl = 0;
	struct md_line *l = md_render_ex(s, n, o->width, &mo, &nl);
	struct sb b = {0};

	if (!l)
		return NULL;
	for (size_t i = 0; i < nl; i++) {
		for (int k = 0; k < l[i].indent && k < 1024; k++)
			sb_add(&b, " ", 1);
		for (size_t j = 0; j < l[i].n; j++) {
			const struct md_span *sp = &l[i].spans[j];
			char sgr[ST_SGR_MAX];
			struct st_style st;

			st_style_reset(&st);
			/* attributes only: the output's role keeps the theme's colours */
			st.attrs = sp->attrs;
			if (sp->role == THEME_MARKDOWN_HEADING || sp->role == THEME_MARKDOWN_STRONG)
				st.attrs |= ST_BOLD;
			else if (sp->role == THEME_MARKDOWN_EMPH)
				st.attrs |= ST_ITALIC;
			else if (sp->role == THEME_MARKDOWN_LINK)
				st.attrs |= ST_UNDERLINE;
			if (st.attrs || st.fg != ST_DEFAULT) {
				st_style_sgr(&st, sgr);
				sb_str(&b, sgr);
			}
			sb_str(&b, sp->text);
			if (st.attrs || st.fg != ST_DEFAULT)
				sb_str(&b, "\033[0m");
		}
		sb_add(&b, "\n", 1);
	}
	md_free(l, nl);
	return sb_done(&b);
}

/* ---- LaTeX ---- */

struct sym {
	const char *cmd, *u;
};

/* Commands shown as a Unicode character; anything else stays as written. */
static const struct sym latex_syms[] = {
	{"alpha", "α"}, {"beta", "β"}, {"gamma", "γ"}, {"delta", "δ"}, {"epsilon", "ϵ"},
	{"varepsilon", "ε"}, {"zeta", "ζ"}, {"eta", "η"}, {"theta", "θ"}, {"vartheta", "ϑ"},
	{"iota", "ι"}, {"kappa", "κ"}, {"lambda", "λ"}, {"mu", "μ"}, {"nu", "ν"}, {"xi", "ξ"},
	{"pi", "π"}, {"varpi", "ϖ"}, {"rho", "ρ"}, {"sigma", "σ"}, {"tau", "τ"},
	{"upsilon", "υ"}, {"phi", "ϕ"}, {"varphi", "φ"}, {"chi", "χ"}, {"psi", "ψ"},
	{"omega", "ω"}, {"Gamma", "Γ"}, {"Delta", "Δ"}, {"Theta", "Θ"}, {"Lambda", "Λ"},
	{"Xi", "Ξ"}, {"Pi", "Π"}, {"Sigma", "Σ"}, {"Upsilon", "Υ"}, {"Phi", "Φ"}, {"Psi", "Ψ"},
	{"Omega", "Ω"}, {"infty", "∞"}, {"sum", "∑"}, {"prod", "∏"}, {"int", "∫"},
	{"iint", "∬"}, {"oint", "∮"}, {"partial", "∂"}, {"nabla", "∇"}, {"pm", "±"},
	{"mp", "∓"}, {"times", "×"}, {"div", "÷"}, {"cdot", "·"}, {"ast", "∗"}, {"circ", "∘"},
	{"bullet", "•"}, {"leq", "≤"}, {"le", "≤"}, {"geq", "≥"}, {"ge", "≥"}, {"neq", "≠"},
	{"ne", "≠"}, {"approx", "≈"}, {"equiv", "≡"}, {"sim", "∼"}, {"simeq", "≃"},
	{"propto", "∝"}, {"ll", "≪"}, {"gg", "≫"}, {"to", "→"}, {"rightarrow", "→"},
	{"leftarrow", "←"}, {"gets", "←"}, {"leftrightarrow", "↔"}, {"Rightarrow", "⇒"},
	{"Leftarrow", "⇐"}, {"Leftrightarrow", "⇔"}, {"implies", "⟹"}, {"iff", "⟺"},
	{"mapsto", "↦"}, {"uparrow", "↑"}, {"downarrow", "↓"}, {"in", "∈"}, {"notin", "∉"},
	{"ni", "∋"}, {"subset", "⊂"}, {"subseteq", "⊆"}, {"supset", "⊃"}, {"supseteq", "⊇"},
	{"cup", "∪"}, {"cap", "∩"}, {"emptyset", "∅"}, {"varnothing", "∅"}, {"forall", "∀"},
	{"exists", "∃"}, {"neg", "¬"}, {"lnot", "¬"}, {"land", "∧"}, {"wedge", "∧"},
	{"lor", "∨"}, {"vee", "∨"}, {"oplus", "⊕"}, {"otimes", "⊗"}, {"perp", "⊥"},
	{"parallel", "∥"}, {"angle", "∠"}, {"degree", "°"}, {"ldots", "…"}, {"dots", "…"},
	{"cdots", "⋯"}, {"vdots", "⋮"}, {"ddots", "⋱"}, {"hbar", "ℏ"}, {"ell", "ℓ"},
	{"Re", "ℜ"}, {"Im", "ℑ"}, {"aleph", "ℵ"}, {"sqrt", "√"}, {"prime", "′"},
	{"langle", "⟨"}, {"rangle", "⟩"}, {"lfloor", "⌊"}, {"rfloor", "⌋"}, {"lceil", "⌈"},
	{"rceil", "⌉"}, {"mathbb{R}", "ℝ"}, {"mathbb{N}", "ℕ"}, {"mathbb{Z}", "ℤ"},
	{"mathbb{Q}", "ℚ"}, {"mathbb{C}", "ℂ"}, {"quad", "  "}, {"qquad", "    "},
	/* layout-only commands that carry nothing readable */
	{"displaystyle", ""}, {"textstyle", ""}, {"left", ""}, {"right", ""},
};

static const char *const sup_digits[] = {"⁰", "¹", "²", "³", "⁴", "⁵", "⁶", "⁷", "⁸", "⁹"};
static const char *const sub_digits[] = {"₀", "₁", "₂", "₃", "₄", "₅", "₆", "₇", "₈", "₉"};

static const char *script_char(char c, int sup)
{
	if (c >= '0' && c <= '9')
		return sup ? sup_digits[c - '0'] : sub_digits[c - '0'];
	switch (c) {
	case '+': return sup ? "⁺" : "₊";
	case '-': return sup ? "⁻" : "₋";
	case '=': return sup ? "⁼" : "₌";
	case '(': return sup ? "⁽" : "₍";
	case ')': return sup ? "⁾" : "₎";
	case 'n': return sup ? "ⁿ" : "ₙ";
	case 'i': return sup ? "ⁱ" : "ᵢ";
	case 'j': return sup ? NULL : "ⱼ";
	case 'k': return sup ? NULL : "ₖ";
	case 'x': return sup ? NULL : "ₓ";
	case 'T': return sup ? "ᵀ" : NULL;
	default: return NULL;
	}
}

/* x^2, x^{10}, a_{i}: the script as Unicode when every character has a form; else 0. */
static size_t latex_script(struct sb *b, const char *s, size_t n, int sup)
{
	size_t i = 1, start, end;

	if (i >= n)
		return 0;
	if (s[i] == '{') {
		start = i + 1;
		end = start;
		while (end < n && s[end] != '}')
			end++;
		if (end >= n || end == start || end - start > 16)
			return 0;
	} else {
		start = i;
		end = i + 1;
	}
	for (size_t k = start; k < end; k++)
		if (!script_char(s[k], sup))
			return 0;
	for (size_t k = start; k < end; k++)
		sb_str(b, script_char(s[k], sup));
	return (s[i] == '{' ? end + 1 : end);
}

char *mime_latex(const char *s, size_t n)
{
	struct sb b = {0};
	char *safe, *out;
	size_t i = 0;

	while (i < n) {
		if (s[i] == '\\' && i + 1 < n && isalpha((unsigned char)s[i + 1])) {
			size_t j = i + 1, k;
			const char *u = NULL;

			while (j < n && isalpha((unsigned char)s[j]))
				j++;
			for (k = 0; k < sizeof latex_syms / sizeof *latex_syms; k++) {
				size_t cl = strlen(latex_syms[k].cmd);

				if (cl <= n - i - 1 && !strncmp(s + i + 1, latex_syms[k].cmd, cl) &&
				    (latex_syms[k].cmd[cl - 1] == '}' || i + 1 + cl == j)) {
					u = latex_syms[k].u;
					j = i + 1 + cl;
					break;
				}
			}
			if (u)
				sb_str(&b, u);
			else
				sb_add(&b, s + i, j - i);
			i = j;
			continue;
		}
		if (s[i] == '\\' && i + 1 < n) { /* \, \; \{ …: kept as written */
			sb_add(&b, s + i, 2);
			i += 2;
			continue;
		}
		if (s[i] == '^' || s[i] == '_') {
			size_t k = latex_script(&b, s + i, n - i, s[i] == '^');

			if (k) {
				i += k;
				continue;
			}
		}
		sb_add(&b, s + i, 1);
		i++;
	}
	out = sb_done(&b);
	if (!out)
		return NULL;
	safe = st_plain(out, strlen(out), NULL);
	free(out);
	return safe;
}

/* text/latex as shown: the $ or $$ delimiters around the whole value dropped. */
static char *latex_text(const char *s, size_t n)
{
	while (n && isspace((unsigned char)*s))
		s++, n--;
	while (n && isspace((unsigned char)s[n - 1]))
		n--;
	if (n >= 4 && !strncmp(s, "$$", 2) && !strncmp(s + n - 2, "$$", 2))
		s += 2, n -= 4;
	else if (n >= 2 && s[0] == '$' && s[n - 1] == '$')
		s += 1, n -= 2;
	char *t = mime_latex(s, n), *r;
	size_t len;

	if (!t)
		return NULL;
	len = strlen(t);
	if (!(r = malloc(len + 2))) {
		free(t);
		return NULL;
	}
	memcpy(r, t, len);
	r[len] = '\n';
	r[len + 1] = 0;
	free(t);
	return r;
}

/* ---- HTML ---- */

static const struct sym html_ents[] = {
	{"amp", "&"}, {"lt", "<"}, {"gt", ">"}, {"quot", "\""}, {"apos", "'"}, {"nbsp", " "},
	{"hellip", "…"}, {"mdash", "—"}, {"ndash", "–"}, {"times", "×"}, {"copy", "©"},
};

/* An entity at s (after '&'): its text into b; bytes used (0: not an entity). */
static size_t html_entity(struct sb *b, const char *s, size_t n)
{
	size_t j = 0;

	while (j < n && j < 12 && s[j] != ';')
		j++;
	if (j >= n || s[j] != ';' || !j)
		return 0;
	if (s[0] == '#') {
		unsigned long cp = s[1] == 'x' || s[1] == 'X' ? strtoul(s + 2, NULL, 16)
							      : strtoul(s + 1, NULL, 10);
		char u[4];

		if (!cp || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			cp = 0xfffd;
		/* controls are st_plain()'s to drop */
		sb_add(b, u, utf8_encode((uint32_t)cp, u));
		return j + 1;
	}
	for (size_t k = 0; k < sizeof html_ents / sizeof *html_ents; k++)
		if (strlen(html_ents[k].cmd) == j && !strncmp(s, html_ents[k].cmd, j)) {
			sb_str(b, html_ents[k].u);
			return j + 1;
		}
	return 0;
}

/* The tag name at s (after '<', maybe "/"), lowercased into name. */
static void tag_name(const char *s, size_t n, char *name, size_t size, int *closing)
{
	size_t i = 0, k = 0;

	*closing = i < n && s[i] == '/';
	if (*closing)
		i++;
	while (i < n && k + 1 < size && isalnum((unsigned char)s[i]))
		name[k++] = (char)tolower((unsigned char)s[i++]);
	name[k] = 0;
}

/* Walks HTML: text (entities decoded, whitespace collapsed) goes to b; block tags become
 * line breaks when breaks is set; script/style are skipped. */
static void html_text(struct sb *b, const char *s, size_t n, int breaks)
{
	size_t i = 0;
	int space = 0, skip = 0;

	while (i < n) {
		if (s[i] == '<') {
			const char *e = memchr(s + i, '>', n - i);
			char name[16];
			int closing;

			if (!e)
				break;
			tag_name(s + i + 1, (size_t)(e - s - i - 1), name, sizeof name, &closing);
			if (!strcmp(name, "script") || !strcmp(name, "style"))
				skip = !closing;
			if (breaks && (!strcmp(name, "br") || !strcmp(name, "p") ||
				       !strcmp(name, "div") || !strcmp(name, "tr") ||
				       !strcmp(name, "li") || !strcmp(name, "table") ||
				       (name[0] == 'h' && isdigit((unsigned char)name[1])))) {
				if (b->n && b->p[b->n - 1] != '\n')
					sb_add(b, "\n", 1);
				space = 0;
			} else if (!strcmp(name, "td") || !strcmp(name, "th")) {
				space = b->n && b->p[b->n - 1] != '\n';
			}
			i = (size_t)(e - s) + 1;
			continue;
		}
		if (skip) {
			i++;
			continue;
		}
		if (isspace((unsigned char)s[i])) {
			space = b->n && b->p[b->n - 1] != '\n';
			i++;
			continue;
		}
		if (space)
			sb_add(b, " ", 1);
		space = 0;
		if (s[i] == '&') {
			size_t k = html_entity(b, s + i + 1, n - i - 1);

			if (k) {
				i += k + 1;
				continue;
			}
		}
		sb_add(b, s + i, 1);
		i++;
	}
}

char *mime_html_strip(const char *s, size_t n)
{
	struct sb b = {0};
	char *t, *safe;

	html_text(&b, s, n, 1);
	if (!b.oom && (!b.n || b.p[b.n - 1] != '\n'))
		sb_add(&b, "\n", 1);
	if (!(t = sb_done(&b)))
		return NULL;
	safe = st_plain(t, strlen(t), NULL);
	free(t);
	return safe;
}

/* Case-insensitive search for needle in [s, s+n). */
static const char *find_ci(const char *s, size_t n, const char *needle)
{
	size_t k = strlen(needle);

	for (size_t i = 0; i + k <= n; i++)
		if (!strncasecmp(s + i, needle, k))
			return s + i;
	return NULL;
}

struct cell {
	char *text;
	int head;
};

#define TABLE_MAX_CELLS 20000
#define TABLE_MAX_ROWS 4096

char *mime_html_table(const char *s, size_t n, int width, int ascii)
{
	const char *t = find_ci(s, n, "<table"), *end = s + n, *te;
	struct cell *cells = NULL;
	struct tt_cell *grid = NULL;
	size_t nc = 0, cap = 0, nrows = 0, ncols = 0;
	size_t *rowstart = NULL;
	char *out = NULL;

	if (!t || find_ci(t + 6, (size_t)(end - t - 6), "<table"))
		return NULL; /* nested or several tables: not a simple one */
	te = find_ci(t, (size_t)(end - t), "</table");
	if (te)
		end = te;
	if (!(rowstart = malloc((TABLE_MAX_ROWS + 1) * sizeof *rowstart)))
		return NULL;
	/* rows, then cells */
	for (const char *r = t; nrows < TABLE_MAX_ROWS && (r = find_ci(r, (size_t)(end - r), "<tr"));) {
		const char *re = find_ci(r + 3, (size_t)(end - r - 3), "<tr");
		const char *c = r + 3;

		if (!re)
			re = end;
		rowstart[nrows++] = nc;
		for (;;) {
			const char *td = find_ci(c, (size_t)(re - c), "<td");
			const char *th = find_ci(c, (size_t)(re - c), "<th");
			const char *cs = td && (!th || td < th) ? td : th, *gt, *ce;
			struct sb cb = {0};
			char *raw, *safe;

			if (!cs || !(gt = memchr(cs, '>', (size_t)(re - cs))))
				break;
			ce = find_ci(gt, (size_t)(re - gt), cs == td ? "</td" : "</th");
			if (!ce) {
				const char *n1 = find_ci(gt, (size_t)(re - gt), "<td");
				const char *n2 = find_ci(gt, (size_t)(re - gt), "<th");
				ce = n1 && (!n2 || n1 < n2) ? n1 : n2 ? n2 : re;
			}
			if (nc == TABLE_MAX_CELLS)
				goto fail;
			if (nc == cap) {
				size_t ncap = cap ? cap * 2 : 64;
				struct cell *p = realloc(cells, ncap * sizeof *p);

				if (!p)
					goto fail;
				cells = p;
				cap = ncap;
			}
			html_text(&cb, gt + 1, (size_t)(ce - gt - 1), 0);
			raw = sb_done(&cb);
			safe = raw ? st_plain(raw, strlen(raw), NULL) : NULL;
			free(raw);
			if (!safe)
				goto fail;
			/* one line per cell: tabs and newlines become spaces */
			for (char *p = safe; *p; p++)
				if (*p == '\n' || *p == '\t')
					*p = ' ';
			cells[nc].text = safe;
			cells[nc].head = cs == th;
			nc++;
			c = ce;
		}
		if (rowstart[nrows - 1] == nc)
			nrows--; /* a row without cells */
		else if (nc - rowstart[nrows - 1] > ncols)
			ncols = nc - rowstart[nrows - 1];
		r = re;
	}
	if (!nrows)
		goto fail;
	if (ncols > TT_MAX_COLS)
		ncols = TT_MAX_COLS;
	rowstart[nrows] = nc;
	if (!(grid = calloc(nrows * ncols, sizeof *grid)))
		goto fail;
	for (size_t r = 0; r < nrows; r++)
		for (size_t k = 0; k < ncols; k++) {
			size_t i = rowstart[r] + k;
			struct tt_cell *g = &grid[r * ncols + k];

			if (i < rowstart[r + 1]) {
				g->text = cells[i].text;
				g->head = cells[i].head;
			} else {
				g->head = k && g[-1].head; /* a short row's missing cells */
			}
		}
	out = tt_layout(grid, nrows, ncols, NULL, width, ascii, 1);
fail:
	for (size_t k = 0; k < nc; k++)
		free(cells[k].text);
	free(cells);
	free(grid);
	free(rowstart);
	return out;
}

/* ---- JSON ---- */

static char *json_text(json_t *v)
{
	char *d = json_dumps(v, JSON_INDENT(2) | JSON_ENCODE_ANY), *safe;

	if (!d)
		return NULL;
	safe = st_plain(d, strlen(d), NULL);
	free(d);
	if (safe) {
		size_t n = strlen(safe);
		char *r = realloc(safe, n + 2);

		if (!r) {
			free(safe);
			return NULL;
		}
		r[n] = '\n';
		r[n + 1] = 0;
		safe = r;
	}
	return safe;
}

/* ---- the choice ---- */

static const char *get_str(json_t *data, const char *k, size_t *n)
{
	json_t *v = json_object_get(data, k);

	/* nbformat keeps multi-line text as a list of lines; the notebook reader joins them */
	if (!json_is_string(v))
		return NULL;
	*n = json_string_length(v);
	return json_string_value(v);
}

static char *image_text(json_t *data, const char *mime, const struct mime_opts *o)
{
	size_t n;
	const char *b64 = get_str(data, mime, &n);
	char why[128], line[256], size[32];
	char *t;

	if (!b64)
		return NULL;
	if ((t = img_text(b64, n, o, why, sizeof why)))
		return t;
	if (n / 4 * 3 < 1024)
		snprintf(size, sizeof size, "%zu B", n / 4 * 3);
	else if (n / 4 * 3 < 1024 * 1024)
		snprintf(size, sizeof size, "%.1f KB", (double)(n / 4 * 3) / 1024.0);
	else
		snprintf(size, sizeof size, "%.1f MB", (double)(n / 4 * 3) / 1048576.0);
	snprintf(line, sizeof line, "\033[2m[%s %s: %s]\033[0m\n", mime, size, why);
	return strdup(line);
}

char *mime_text(json_t *data, const struct mime_opts *o, const char **chosen)
{
	static const char *const images[] = {"image/png", "image/jpeg", "image/gif"};
	const char *plain = json_string_value(json_object_get(data, "text/plain"));
	int weak = mime_plain_is_repr(plain); /* missing or "<… object>" */
	const char *s;
	size_t n;
	char *t;

#define PICK(m, expr)                                                                              \
	do {                                                                                       \
		if (chosen)                                                                        \
			*chosen = (m);                                                             \
		return (expr);                                                                     \
	} while (0)

	if (!json_is_object(data))
		return NULL;
	if (o->images != MIME_IMG_NONE && o->depth != THEME_DEPTH_NONE)
		for (size_t i = 0; i < sizeof images / sizeof *images; i++)
			if (json_object_get(data, images[i]))
				PICK(images[i], image_text(data, images[i], o));
	if (weak && (s = get_str(data, "text/markdown", &n)))
		PICK("text/markdown", md_text(s, n, o));
	if (weak && (s = get_str(data, "text/latex", &n)))
		PICK("text/latex", latex_text(s, n));
	if (weak && (s = get_str(data, "text/html", &n)) && (t = mime_html_table(s, n, o->width, o->ascii)))
		PICK("text/html", t);
	if (json_object_get(data, "application/vnd.jupyter.widget-view+json")) {
		/* the widget's repr names it: "IntSlider(value=3)" */
		const char *name = plain ? plain : "?";
		char line[200], *safe = st_plain(name, strcspn(name, "\n"), NULL);

		snprintf(line, sizeof line,
			 "\033[2m[widget %.60s: interactive widgets are not shown here]\033[0m\n",
			 safe ? safe : "?");
		free(safe);
		PICK("application/vnd.jupyter.widget-view+json", strdup(line));
	}
	if (plain)
		return NULL;
	if (json_object_get(data, "application/json"))
		PICK("application/json", json_text(json_object_get(data, "application/json")));
	if ((s = get_str(data, "text/html", &n)))
		PICK("text/html", mime_html_strip(s, n));
#undef PICK
	return NULL;
}

json_t *mime_page_payload(json_t *reply_content)
{
	json_t *pl = json_object_get(reply_content, "payload"), *p;
	size_t i;

	json_array_foreach(pl, i, p) {
		const char *src = json_string_value(json_object_get(p, "source"));
		json_t *data = json_object_get(p, "data");

		if (src && !strcmp(src, "page") && json_is_object(data) && json_object_size(data)) {
			json_t *copy = json_copy(data);
			const char *plain = json_string_value(json_object_get(data, "text/plain"));
			char *clean = plain && strchr(plain, '\b') ? kq_backspaces(plain) : NULL;

			if (copy && clean)
				json_object_set_new(copy, "text/plain", json_string(clean));
			free(clean);
			return copy;
		}
	}
	return NULL;
}
