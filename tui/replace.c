// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * Find and replace (see replace.h): the pure parser and matcher, then the notebook screen's
 * :s / :%s, which asks y/n/a/q for each match with the c flag and is one step of the cell undo.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "notebook/nb_undo.h"
#include "tui/app.h"
#include "tui/replace.h"

int rp_is_subst(const char *p)
{
	while (*p == ' ' || *p == ':')
		p++;
	if (*p == '%')
		p++;
	return p[0] == 's' && p[1] && ispunct((unsigned char)p[1]) && p[1] != '_';
}

/* Copies a delimited part of *pp up to delim (or the end) into a new string; "\delim" becomes
 * delim, other escapes are kept for the regex or the expansion. */
static char *part(const char **pp, char delim)
{
	const char *p = *pp;
	char *out = malloc(strlen(p) + 1), *o = out;

	if (!out)
		return NULL;
	while (*p && *p != delim) {
		if (*p == '\\' && p[1] == delim) {
			*o++ = delim;
			p += 2;
			continue;
		}
		if (*p == '\\' && p[1])
			*o++ = *p++;
		*o++ = *p++;
	}
	*o = 0;
	*pp = *p ? p + 1 : p;
	return out;
}

int rp_parse(struct rp *r, const char *line, char *err, size_t errsize)
{
	const char *p = line;
	char delim, *pat;
	int rc;

	memset(r, 0, sizeof *r);
	while (*p == ' ' || *p == ':')
		p++;
	if (*p == '%')
		r->all_cells = 1, p++;
	if (!rp_is_subst(p)) {
		snprintf(err, errsize, "not a substitute command: s/PATTERN/REPLACEMENT/[g][c]");
		return -1;
	}
	delim = p[1];
	p += 2;
	if (!(pat = part(&p, delim)) || !(r->rep = part(&p, delim))) {
		free(pat);
		snprintf(err, errsize, "out of memory");
		return -1;
	}
	for (; *p; p++) {
		if (*p == 'g')
			r->global = 1;
		else if (*p == 'c')
			r->confirm = 1;
		else if (*p != ' ') {
			snprintf(err, errsize,
			         "s: unknown flag '%c' (g replaces every match, c asks)", *p);
			free(pat);
			return -1;
		}
	}
	if (!*pat) {
		snprintf(err, errsize, "s: empty pattern");
		free(pat);
		return -1;
	}
	if ((rc = regcomp(&r->re, pat, REG_EXTENDED | REG_NEWLINE))) {
		char why[160];

		regerror(rc, &r->re, why, sizeof why);
		snprintf(err, errsize, "s: bad pattern: %s", why);
		free(pat);
		return -1;
	}
	r->compiled = 1;
	free(pat);
	return 0;
}

void rp_free(struct rp *r)
{
	if (r->compiled)
		regfree(&r->re);
	free(r->rep);
	memset(r, 0, sizeof *r);
}

int rp_find(struct rp *r, const char *s, size_t from, int after_repl, size_t *ms, size_t *me)
{
	size_t len = strlen(s);

	while (from <= len) {
		size_t ls = from, le;
		char *line;
		int rc;

		while (ls > 0 && s[ls - 1] != '\n')
			ls--;
		le = from;
		while (le < len && s[le] != '\n')
			le++;
		if (!(after_repl && !r->global) && (line = strndup(s + from, le - from))) {
			rc = regexec(&r->re, line, 10, r->m, from > ls ? REG_NOTBOL : 0);
			free(line);
			if (!rc) {
				for (int i = 0; i < 10; i++)
					if (r->m[i].rm_so >= 0)
						r->m[i].rm_so += (regoff_t)from,
						    r->m[i].rm_eo += (regoff_t)from;
				*ms = (size_t)r->m[0].rm_so;
				*me = (size_t)r->m[0].rm_eo;
				return 1;
			}
		}
		from = le + 1; /* the next line */
		after_repl = 0;
	}
	return 0;
}

char *rp_expand(const struct rp *r, const char *s, size_t *n)
{
	size_t cap = strlen(r->rep) + 1, k = 0;
	char *out = malloc(cap), *t;

	for (const char *p = r->rep; out && *p; p++) {
		const char *add = p;
		size_t an = 1;

		if (*p == '&' || (*p == '\\' && p[1] >= '0' && p[1] <= '9')) {
			int g = *p == '&' ? 0 : *++p - '0';

			an = 0;
			if (r->m[g].rm_so >= 0) {
				add = s + r->m[g].rm_so;
				an = (size_t)(r->m[g].rm_eo - r->m[g].rm_so);
			}
		} else if (*p == '\\' && p[1]) {
			add = *++p == 'n' ? "\n" : p;
		}
		if (k + an + 1 > cap) {
			cap = (k + an + 1) * 2;
			if (!(t = realloc(out, cap))) {
				free(out);
				return NULL;
			}
			out = t;
		}
		memcpy(out + k, add, an);
		k += an;
	}
	if (out)
		out[k] = 0;
	*n = k;
	return out;
}

/* s with [ms, me) replaced by rep[0..rn). Caller frees. */
static char *splice(const char *s, size_t ms, size_t me, const char *rep, size_t rn)
{
	size_t len = strlen(s);
	char *out = malloc(len - (me - ms) + rn + 1);

	if (!out)
		return NULL;
	memcpy(out, s, ms);
	memcpy(out + ms, rep, rn);
	memcpy(out + ms + rn, s + me, len - me + 1);
	return out;
}

/* Where to look after a match [ms, me) replaced by rn bytes: past it, one character past an
 * empty match. */
static size_t next_from(const char *s, size_t ms, size_t me, size_t rn)
{
	size_t at = ms + rn;

	if (me == ms && !s[at])
		return at + 1; /* an empty match at the end: nothing more to find */
	if (me == ms) {
		at++;
		while ((s[at] & 0xc0) == 0x80)
			at++;
	}
	return at;
}

char *rp_apply(struct rp *r, const char *src, size_t *count)
{
	char *s = strdup(src), *t, *rep;
	size_t from = 0, ms, me, rn;
	int after = 0;

	*count = 0;
	while (s && rp_find(r, s, from, after, &ms, &me)) {
		if (!(rep = rp_expand(r, s, &rn)) || !(t = splice(s, ms, me, rep, rn))) {
			free(rep);
			free(s);
			return NULL;
		}
		free(s);
		s = t;
		from = next_from(s, ms, me, rn);
		free(rep);
		/* a \n in the replacement starts a new line: the rest of the old one still counts
		 */
		after = !(rn && s[ms + rn - 1] == '\n');
		if (from > 0 && s[from - 1] == '\n')
			after = 0;
		(*count)++;
	}
	return s;
}

/* ---- the notebook screen's :s ---- */

struct rp_session {
	struct rp r;
	size_t lo, hi, cell, from, count;
	int after;
};

static void finish(struct app *a)
{
	struct rp_session *ss = a->rps;

	if (a->cundo)
		nb_undo_end(a->cundo, a->doc);
	app_invalidate_all(a);
	app_msg(a, 0,
	        ss->count ? "%zu replacement%s (z undoes)" : "pattern not found: nothing replaced",
	        ss->count, ss->count == 1 ? "" : "s");
	rp_free(&ss->r);
	free(ss);
	a->rps = NULL;
}

static void step(struct app *a);

/* Replaces the match found last in the session's cell. */
static void replace_here(struct app *a, size_t ms, size_t me)
{
	struct rp_session *ss = a->rps;
	struct nb_cell *c = nb_doc_cell(a->doc, ss->cell);
	const char *s = nb_cell_source(c);
	size_t rn;
	char *rep = rp_expand(&ss->r, s, &rn), *t;

	if (!rep || !(t = splice(s, ms, me, rep, rn))) {
		free(rep);
		ss->from = me > ms ? me : ms + 1;
		return;
	}
	nb_cell_set_source(c, t);
	ss->from = next_from(t, ms, me, rn);
	ss->after = !(rn && t[ms + rn - 1] == '\n');
	ss->count++;
	free(rep);
	free(t);
	app_invalidate(a, ss->cell);
}

static void answer(struct app *a, int key)
{
	struct rp_session *ss = a->rps;
	size_t ms, me;

	if (!ss)
		return;
	ms = (size_t)ss->r.m[0].rm_so;
	me = (size_t)ss->r.m[0].rm_eo;
	if (key == 'y' || key == 'a') {
		replace_here(a, ms, me);
		if (key == 'a')
			ss->r.confirm = 0;
	} else if (key == 'n') {
		ss->from =
		    next_from(nb_cell_source(nb_doc_cell(a->doc, ss->cell)), ms, me, me - ms);
		ss->after = 1;
	} else {
		finish(a);
		return;
	}
	step(a);
}

/* Goes on from the session's position: replaces, or asks and returns to wait for the answer. */
static void step(struct app *a)
{
	struct rp_session *ss = a->rps;
	size_t ms, me;

	while (ss->cell < ss->hi) {
		struct nb_cell *c = nb_doc_cell(a->doc, ss->cell);

		if (!c || !rp_find(&ss->r, nb_cell_source(c), ss->from, ss->after, &ms, &me)) {
			ss->cell++;
			ss->from = 0;
			ss->after = 0;
			continue;
		}
		if (!ss->r.confirm) {
			replace_here(a, ms, me);
			continue;
		}
		app_focus(a, ss->cell);
		app_ask(a, answer, "replace \"%.*s\"? (y)es, (n)o, (a)ll, (q)uit",
		        (int)(me - ms > 60 ? 60 : me - ms), nb_cell_source(c) + ms);
		return;
	}
	finish(a);
}

void rp_end(struct app *a)
{
	if (a->rps) {
		rp_free(&a->rps->r);
		free(a->rps);
		a->rps = NULL;
	}
}

void rp_start(struct app *a, const char *line)
{
	struct rp_session *ss;
	char err[256];

	app_commit_edit(a);
	if (a->rps || !(ss = calloc(1, sizeof *ss)))
		return;
	if (rp_parse(&ss->r, line, err, sizeof err) < 0) {
		app_msg(a, 1, "%s", err);
		rp_free(&ss->r);
		free(ss);
		return;
	}
	a->rps = ss;
	if (ss->r.all_cells) {
		ss->lo = 0;
		ss->hi = nb_doc_ncells(a->doc);
	} else if (a->sel_on) {
		ss->lo = a->sel_anchor < a->cur ? a->sel_anchor : a->cur;
		ss->hi = (a->sel_anchor > a->cur ? a->sel_anchor : a->cur) + 1;
	} else {
		ss->lo = a->cur;
		ss->hi = a->cur + 1;
	}
	ss->cell = ss->lo;
	app_edit_stop(a);
	if (!a->cundo)
		a->cundo = nb_undo_new();
	if (a->cundo)
		nb_undo_begin(a->cundo, a->doc, ss->lo, ss->hi - ss->lo);
	step(a);
}
