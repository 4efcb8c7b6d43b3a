// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * The notebook document: loading an .ipynb losslessly and fast, the cell list and its edits, and
 * saving it atomically with the bytes nbformat would write.
 *
 * Loading. nbj_scan() validates the whole file once (exactly jansson's grammar and limits) and
 * records each cell's byte span and the span of its "outputs" value. The top level and each cell
 * are then parsed with jansson with the outputs span replaced by `null`, so the cost of loading is
 * one scan plus parsing sources and metadata. The outputs of a code cell stay as bytes in the
 * loaded buffer (shared by reference count, so a cell taken out of its document keeps it) until
 * nb_cell_outputs() parses them. Because the scan already proved the span valid, that parse
 * cannot fail.
 *
 * Saving. Everything parsed is written by the writer (nb_json_write.c). Outputs never parsed are
 * copied from the original bytes only when nbj_outputs_canonical() proves that writing their
 * parsed value would produce exactly those bytes (checked once per cell, at the first save, in one
 * pass without allocating); otherwise they are parsed, written, and dropped again. So a file that
 * nbformat wrote comes back byte-identical, any other file comes back as nbformat would write it,
 * and a save of a large notebook is mostly memcpy.
 *
 * Versions. 4.0–4.4 files keep their minor version and get no ids while unedited; the first edit
 * (any change that makes the document dirty) upgrades to 4.5 at the next save, writing the ids the
 * cells have carried in memory all along. 4.5+ cells without an id or with a duplicate id get a new
 * one with a warning, as nbformat does on read.
 */
#include "notebook/nb.h"
#include "notebook/nb_json.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* The loaded file, shared by every cell whose outputs are still unparsed. */
struct nb_buf {
	int refs;
	size_t len;
	char *data;
};

struct nb_cell {
	struct nb_doc *doc;     /* NULL while taken out */
	json_t *obj;            /* the whole cell; "outputs" is a null placeholder while lazy */
	struct nb_buf *buf;     /* non-NULL while the outputs are unparsed */
	size_t out_start, out_end;
	int canon;              /* lazy outputs: 0 unknown, 1 canonical, -1 not */
	int id_real;            /* obj's "id" is id (otherwise id lives only in memory) */
	int odd_outputs;        /* while loading: a code cell's "outputs" was not a list */
	char id[65];
	json_t *spare_meta, *spare_outputs;  /* handed out when obj has none; attached on touch */
};

struct nb_doc {
	char *path;
	json_t *top;            /* everything but "cells" */
	struct nb_cell **cells;
	size_t n, cap;
	int minor;
	int dirty, modified;
	struct nb_warnings warn;
	int have_st;
	struct stat st;
	uint64_t hash; /* content_hash() of the file as loaded or last saved, when have_st */
	json_t *spare_meta;
	struct loader *ld;      /* non-NULL while the file is still being read (nb_doc_open) */
};

/* A file nb_doc_open() is still reading: the whole-size buffer, what is in it, the scan. */
struct loader {
	int fd;
	struct nb_buf *b;
	size_t avail;
	struct stat st;
	struct nbj_scan s;
	struct nbj_prog *prog;
	char *scratch;
	size_t scap;
	uint64_t hash;          /* content_hash() of the first `hashed` bytes */
	size_t hashed;
};

static void buf_unref(struct nb_buf *b);

static void loader_free(struct loader *ld)
{
	if (!ld)
		return;
	if (ld->fd >= 0)
		close(ld->fd);
	buf_unref(ld->b);
	nbj_prog_free(ld->prog);
	nbj_scan_clear(&ld->s);
	free(ld->scratch);
	free(ld);
}

static void set_err(struct nb_error *err, const char *name, int line, int col, const char *fmt, ...)
{
	va_list ap;
	char msg[200];

	if (!err)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	err->line = line;
	err->column = col;
	if (line)
		snprintf(err->text, sizeof err->text, "%s:%d:%d: %s", name ? name : "notebook", line,
			 col, msg);
	else
		snprintf(err->text, sizeof err->text, "%s: %s", name ? name : "notebook", msg);
}

static void add_warn(struct nb_doc *doc, const char *fmt, ...)
{
	va_list ap;
	char *w, **nw;

	va_start(ap, fmt);
	if (vasprintf(&w, fmt, ap) < 0)
		w = NULL;
	va_end(ap);
	if (!w || !(nw = realloc(doc->warn.text, (doc->warn.n + 1) * sizeof *nw))) {
		free(w);
		return;
	}
	doc->warn.text = nw;
	doc->warn.text[doc->warn.n++] = w;
}

/*
 * The buffer a file is read into. Large ones are 2 MB aligned and marked for transparent huge
 * pages: faulting in 50 MB of 4 KB pages costs more than scanning them. (The file is read, never
 * mapped: a mapping would change under us when another program rewrites the file in place, as
 * Jupyter Server does, and the unparsed outputs must stay exactly what was scanned.)
 */
static char *buf_alloc(size_t len)
{
	const size_t huge = (size_t)2 << 20;
	size_t size = (len + huge - 1) / huge * huge;
	char *p;

	if (len < 4 * huge)
		return malloc(len ? len : 1);
	if (!(p = aligned_alloc(huge, size)))
		return malloc(len);
	madvise(p, size, MADV_HUGEPAGE);
	return p;
}

static void buf_unref(struct nb_buf *b)
{
	if (b && --b->refs == 0) {
		free(b->data);
		free(b);
	}
}

/* ---- ids ---- */

static int id_valid(const char *s)
{
	size_t n = strlen(s);

	if (n < 1 || n > 64)
		return 0;
	return strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_") == n;
}

static void random_id(char out[9])
{
	static unsigned long long x;
	unsigned char r[4];
	int i;

	if (getrandom(r, sizeof r, GRND_NONBLOCK) != (ssize_t)sizeof r) {
		if (!x)
			x = (unsigned long long)time(NULL) * 2654435761u ^ (unsigned long long)getpid();
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		memcpy(r, &x, sizeof r);
	}
	for (i = 0; i < 4; i++)
		snprintf(out + 2 * i, 3, "%02x", r[i]);
}

static void fresh_id(struct nb_doc *doc, char out[9])
{
	do
		random_id(out);
	while (doc && nb_doc_find(doc, out));
}

/* A small open-addressing set of ids, so that loading 5,000 cells checks uniqueness in O(n). */
struct idset {
	const char **slot;
	size_t mask;
};

static size_t id_hash(const char *s)
{
	size_t h = 1469598103934665603ull;

	while (*s)
		h = (h ^ (unsigned char)*s++) * 1099511628211ull;
	return h;
}

/* 1 if added, 0 if already there. */
static int idset_add(struct idset *set, const char *id)
{
	size_t i = id_hash(id) & set->mask;

	while (set->slot[i]) {
		if (!strcmp(set->slot[i], id))
			return 0;
		i = (i + 1) & set->mask;
	}
	set->slot[i] = id;
	return 1;
}

/* ---- cells ---- */

static struct nb_cell *cell_new(json_t *obj)
{
	struct nb_cell *c = calloc(1, sizeof *c);

	if (!c) {
		json_decref(obj);
		return NULL;
	}
	c->obj = obj;
	return c;
}

static json_t *new_cell_obj(enum nb_cell_type type)
{
	static const char *const names[] = {"code", "markdown", "raw"};
	json_t *o = json_object();

	json_object_set_new(o, "cell_type", json_string(names[type]));
	json_object_set_new(o, "metadata", json_object());
	json_object_set_new(o, "source", json_string(""));
	if (type == NB_CODE) {
		json_object_set_new(o, "execution_count", json_null());
		json_object_set_new(o, "outputs", json_array());
	}
	return o;
}

static void set_real_id(struct nb_cell *c, const char *id)
{
	if (id != c->id)
		snprintf(c->id, sizeof c->id, "%s", id);
	json_object_set_new(c->obj, "id", json_string(c->id));
	c->id_real = 1;
}

static void mark_modified(struct nb_doc *doc)
{
	if (doc) {
		doc->dirty = 1;
		doc->modified = 1;
	}
}

static int is_code(const struct nb_cell *c)
{
	const char *t = json_string_value(json_object_get(c->obj, "cell_type"));

	return t && !strcmp(t, "code");
}

/* Parses a lazy span; cannot fail on a scanned buffer except for lack of memory. */
static json_t *parse_outputs(const struct nb_cell *c)
{
	json_error_t e;
	json_t *v = json_loadb(c->buf->data + c->out_start, c->out_end - c->out_start,
			       JSON_ALLOW_NUL, &e);

	if (v)
		nbj_rejoin_outputs(v);
	return v;
}

static void materialize(struct nb_cell *c)
{
	json_t *v;

	if (!c->buf || !(v = parse_outputs(c)))
		return;
	json_object_set_new(c->obj, "outputs", v);
	buf_unref(c->buf);
	c->buf = NULL;
}

void nb_cell_free(struct nb_cell *cell)
{
	if (!cell)
		return;
	json_decref(cell->obj);
	json_decref(cell->spare_meta);
	json_decref(cell->spare_outputs);
	buf_unref(cell->buf);
	free(cell);
}

const char *nb_cell_id(const struct nb_cell *cell)
{
	return cell->id;
}

enum nb_cell_type nb_cell_type(const struct nb_cell *cell)
{
	const char *t = json_string_value(json_object_get(cell->obj, "cell_type"));

	if (t && !strcmp(t, "code"))
		return NB_CODE;
	if (t && !strcmp(t, "markdown"))
		return NB_MARKDOWN;
	return NB_RAW;
}

void nb_cell_set_type(struct nb_cell *cell, enum nb_cell_type type)
{
	static const char *const names[] = {"code", "markdown", "raw"};
	const char *t = json_string_value(json_object_get(cell->obj, "cell_type"));

	if (t && !strcmp(t, names[type]))
		return;
	if (type == NB_CODE) {
		if (!json_object_get(cell->obj, "outputs"))
			json_object_set_new(cell->obj, "outputs", json_array());
		if (!json_object_get(cell->obj, "execution_count"))
			json_object_set_new(cell->obj, "execution_count", json_null());
	} else {
		/* As Jupyter does: markdown and raw cells have no outputs. Attachments are kept. */
		json_object_del(cell->obj, "outputs");
		json_object_del(cell->obj, "execution_count");
		buf_unref(cell->buf);
		cell->buf = NULL;
	}
	json_object_set_new(cell->obj, "cell_type", json_string(names[type]));
	mark_modified(cell->doc);
}

/* Length of the valid UTF-8 sequence at s (1–4), 0 if invalid. */
static size_t utf8_seq(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	unsigned char lo = 0x80, hi = 0xbf;
	size_t k, i;

	if (p[0] < 0x80)
		return 1;
	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		k = 2;
	else if (p[0] >= 0xe0 && p[0] <= 0xef)
		k = 3;
	else if (p[0] >= 0xf0 && p[0] <= 0xf4)
		k = 4;
	else
		return 0;
	if (n < k)
		return 0;
	if (p[0] == 0xe0)
		lo = 0xa0;
	else if (p[0] == 0xed)
		hi = 0x9f;
	else if (p[0] == 0xf0)
		lo = 0x90;
	else if (p[0] == 0xf4)
		hi = 0x8f;
	if (p[1] < lo || p[1] > hi)
		return 0;
	for (i = 2; i < k; i++)
		if (p[i] < 0x80 || p[i] > 0xbf)
			return 0;
	return k;
}

const char *nb_cell_source(struct nb_cell *cell)
{
	const char *s = json_string_value(json_object_get(cell->obj, "source"));

	return s ? s : "";
}

void nb_cell_set_source(struct nb_cell *cell, const char *text)
{
	json_t *s = json_string(text ? text : "");

	if (!s) {  /* not UTF-8: keep every valid sequence, replace the rest with U+FFFD */
		size_t n = strlen(text), i = 0, o = 0;
		char *fix = malloc(3 * n + 1);

		if (!fix)
			return;
		while (i < n) {
			size_t k = utf8_seq(text + i, n - i);

			if (k) {
				memcpy(fix + o, text + i, k);
				o += k;
				i += k;
			} else {
				memcpy(fix + o, "\xef\xbf\xbd", 3);
				o += 3;
				i++;
			}
		}
		s = json_stringn(fix, o);
		free(fix);
		if (!s)
			return;
	}
	json_object_set_new(cell->obj, "source", s);
	mark_modified(cell->doc);
}

long nb_cell_execution_count(const struct nb_cell *cell)
{
	json_t *v = json_object_get(cell->obj, "execution_count");

	return json_is_integer(v) && json_integer_value(v) >= 0 ? (long)json_integer_value(v) : -1;
}

void nb_cell_set_execution_count(struct nb_cell *cell, long n)
{
	if (nb_cell_type(cell) != NB_CODE)
		return;
	json_object_set_new(cell->obj, "execution_count", n < 0 ? json_null() : json_integer(n));
	mark_modified(cell->doc);
}

json_t *nb_cell_outputs(struct nb_cell *cell)
{
	json_t *o;

	if (cell->buf)
		materialize(cell);
	o = json_object_get(cell->obj, "outputs");
	if (nb_cell_type(cell) == NB_CODE && json_is_array(o))
		return o;
	if (!cell->spare_outputs)
		cell->spare_outputs = json_array();
	return cell->spare_outputs;
}

int nb_cell_outputs_parsed(const struct nb_cell *cell)
{
	return !cell->buf;
}

json_t *nb_cell_metadata(struct nb_cell *cell)
{
	json_t *m = json_object_get(cell->obj, "metadata");

	if (json_is_object(m))
		return m;
	if (!cell->spare_meta)
		cell->spare_meta = json_object();
	return cell->spare_meta;
}

json_t *nb_cell_attachments(struct nb_cell *cell)
{
	json_t *a = json_object_get(cell->obj, "attachments");

	return json_is_object(a) ? a : NULL;
}

void nb_cell_touch(struct nb_cell *cell)
{
	if (cell->spare_meta && json_object_size(cell->spare_meta) &&
	    !json_object_get(cell->obj, "metadata")) {
		json_object_set(cell->obj, "metadata", cell->spare_meta);
		json_decref(cell->spare_meta);
		cell->spare_meta = NULL;
	}
	if (cell->spare_outputs && json_array_size(cell->spare_outputs) &&
	    nb_cell_type(cell) == NB_CODE) {
		json_object_set(cell->obj, "outputs", cell->spare_outputs);
		json_decref(cell->spare_outputs);
		cell->spare_outputs = NULL;
	}
	mark_modified(cell->doc);
}

struct nb_cell *nb_cell_clone(const struct nb_cell *cell)
{
	struct nb_cell *c = cell_new(json_deep_copy(cell->obj));

	if (!c || !c->obj) {
		nb_cell_free(c);
		return NULL;
	}
	if (cell->buf) {  /* share the original bytes; they are immutable */
		c->buf = cell->buf;
		c->buf->refs++;
		c->out_start = cell->out_start;
		c->out_end = cell->out_end;
		c->canon = cell->canon;
	}
	memcpy(c->id, cell->id, sizeof c->id);
	c->id_real = cell->id_real;
	c->spare_meta = json_deep_copy(cell->spare_meta);
	c->spare_outputs = json_deep_copy(cell->spare_outputs);
	return c;
}

struct nb_cell *nb_cell_copy(struct nb_doc *doc, const struct nb_cell *cell)
{
	struct nb_cell *c = nb_cell_clone(cell);
	char id[9];

	if (!c)
		return NULL;
	fresh_id(doc, id);
	set_real_id(c, id);
	return c;
}

/* ---- document ---- */

static int doc_reserve(struct nb_doc *doc, size_t n)
{
	struct nb_cell **nc;
	size_t cap = doc->cap ? doc->cap : 16;

	if (n <= doc->cap)
		return 0;
	while (cap < n)
		cap *= 2;
	if (!(nc = realloc(doc->cells, cap * sizeof *nc)))
		return -1;
	doc->cells = nc;
	doc->cap = cap;
	return 0;
}

static struct nb_doc *doc_alloc(void)
{
	struct nb_doc *doc = calloc(1, sizeof *doc);

	if (doc)
		doc->minor = 5;
	return doc;
}

struct nb_doc *nb_doc_new(void)
{
	struct nb_doc *doc = doc_alloc();

	if (!doc)
		return NULL;
	doc->top = json_object();
	json_object_set_new(doc->top, "metadata", json_object());
	json_object_set_new(doc->top, "nbformat", json_integer(4));
	json_object_set_new(doc->top, "nbformat_minor", json_integer(5));
	if (!nb_doc_insert(doc, 0, NB_CODE)) {
		nb_doc_free(doc);
		return NULL;
	}
	doc->dirty = doc->modified = 0;
	return doc;
}

void nb_doc_free(struct nb_doc *doc)
{
	size_t i;

	if (!doc)
		return;
	for (i = 0; i < doc->n; i++)
		nb_cell_free(doc->cells[i]);
	for (i = 0; i < doc->warn.n; i++)
		free(doc->warn.text[i]);
	free(doc->warn.text);
	free(doc->cells);
	json_decref(doc->top);
	json_decref(doc->spare_meta);
	free(doc->path);
	loader_free(doc->ld);
	free(doc);
}

/* Parses buf[start..end) with the bytes [hole_start, hole_end) replaced by `null`. */
static json_t *parse_with_hole(const char *buf, size_t start, size_t end, size_t hole_start,
			       size_t hole_end, char **scratch, size_t *scap, json_error_t *e)
{
	size_t n;

	if (hole_start == hole_end)
		return json_loadb(buf + start, end - start, JSON_ALLOW_NUL, e);
	n = (hole_start - start) + 4 + (end - hole_end);
	if (n > *scap) {
		char *ns = realloc(*scratch, n);

		if (!ns)
			return NULL;
		*scratch = ns;
		*scap = n;
	}
	memcpy(*scratch, buf + start, hole_start - start);
	memcpy(*scratch + (hole_start - start), "null", 4);
	memcpy(*scratch + (hole_start - start) + 4, buf + hole_end, end - hole_end);
	return json_loadb(*scratch, n, JSON_ALLOW_NUL, e);
}

static int key_allowed(const char *key, const char *const *allowed)
{
	for (; *allowed; allowed++)
		if (!strcmp(key, *allowed))
			return 1;
	return 0;
}

/* Checks and normalises one freshly parsed cell as nbformat's reader would. */
/* A cell's multi-line strings as one string each (a source list that is not all strings stays a
 * list; load_cell warns about it). */
static void join_cell(json_t *o)
{
	json_t *v = json_object_get(o, "source"), *a;
	const char *key;

	if (json_is_array(v)) {
		json_t *s = nbj_join(v);

		if (s)
			json_object_set_new(o, "source", s);
	}
	if (json_is_object(a = json_object_get(o, "attachments")))
		json_object_foreach(a, key, v)
			nbj_rejoin_bundle(v);
}

static void load_cell(struct nb_doc *doc, size_t i, struct nb_cell *c, struct idset *ids)
{
	static const char *const code_keys[] = {"id", "cell_type", "metadata", "source", "outputs",
						 "execution_count", NULL};
	static const char *const text_keys[] = {"id", "cell_type", "metadata", "source",
						 "attachments", NULL};
	json_t *o = c->obj, *v;
	const char *type = json_string_value(json_object_get(o, "cell_type")), *key, *id;
	int code = type && !strcmp(type, "code");
	int known = code || (type && (!strcmp(type, "markdown") || !strcmp(type, "raw")));

	if (!type)
		add_warn(doc, "cells[%zu]: no cell_type (kept, shown as raw)", i);
	else if (!known)
		add_warn(doc, "cells[%zu]: unknown cell_type \"%.40s\" (kept, shown as raw)", i, type);
	if (known)
		json_object_foreach(o, key, v)
			if (!key_allowed(key, code ? code_keys : text_keys))
				add_warn(doc, "cells[%zu]: unexpected key \"%.40s\" in a %s cell (kept)", i,
					 key, type);
	v = json_object_get(o, "source");
	if (json_is_array(v)) {
		add_warn(doc, "cells[%zu].source: list with non-strings (kept)", i); /* see join_cell */
	} else if (!v) {
		add_warn(doc, "cells[%zu]: no source", i);
	} else if (!json_is_string(v)) {
		add_warn(doc, "cells[%zu].source: not a string (kept)", i);
	}
	if (!json_is_object(json_object_get(o, "metadata")))
		add_warn(doc, "cells[%zu]: metadata missing or not an object (kept)", i);
	if (code) {
		if (!json_object_get(o, "outputs"))
			add_warn(doc, "cells[%zu]: code cell without outputs", i);
		v = json_object_get(o, "execution_count");
		if (!v)
			add_warn(doc, "cells[%zu]: code cell without execution_count", i);
		else if (!json_is_null(v) && !(json_is_integer(v) && json_integer_value(v) >= 0))
			add_warn(doc, "cells[%zu].execution_count: not a count or null (kept)", i);
	}

	v = json_object_get(o, "id");
	id = json_string_value(v);
	if (id && id_valid(id) && idset_add(ids, id)) {
		snprintf(c->id, sizeof c->id, "%s", id);
		c->id_real = 1;
		return;
	}
	fresh_id(NULL, c->id);
	while (!idset_add(ids, c->id))
		fresh_id(NULL, c->id);
	if (doc->minor < 5)
		return;  /* ids of 4.0–4.4 cells are not checked; they are written on upgrade */
	if (!v) {
		add_warn(doc, "cells[%zu]: no id (added \"%s\")", i, c->id);
		json_object_set_new(o, "id", json_string(c->id));
		c->id_real = 1;
	} else if (id && id_valid(id)) {
		add_warn(doc, "cells[%zu]: duplicate id \"%s\" (replaced with \"%s\")", i, id, c->id);
		json_object_set_new(o, "id", json_string(c->id));
		c->id_real = 1;
	} else {
		add_warn(doc, "cells[%zu].id: not a valid cell id (kept)", i);
	}
}

/* The parts of a load after the scan. load_top: everything but the cells (the nbformat checks,
 * the top-level warnings); add_cells: the cells s found from doc->n on, their outputs left lazy
 * in b; check_cells: ids and each cell's warnings, once nbformat_minor is known. */
static int load_top(struct nb_doc *doc, struct nb_buf *b, struct nbj_scan *s, const char *name,
		    char **scratch, size_t *scap, struct nb_error *err)
{
	json_error_t e;
	json_t *v;
	const char *key;
	int line, col;

	doc->top = s->has_cells ? parse_with_hole(b->data, 0, b->len, s->cells_start, s->cells_end,
						  scratch, scap, &e)
				: json_loadb(b->data, b->len, JSON_ALLOW_NUL, &e);
	if (!doc->top)
		return set_err(err, name, 0, 0, "out of memory while loading"), -1;
	json_object_del(doc->top, "cells");
	v = json_object_get(doc->top, "nbformat");
	if (!v || !json_is_integer(v) || json_integer_value(v) != 4)
		nbj_position(b->data, b->len, s->nbformat_off, &line, &col);
	if (!v)
		return set_err(err, name, 0, 0, "not a Jupyter notebook (no \"nbformat\")"), -1;
	if (!json_is_integer(v))
		return set_err(err, name, line, col, "\"nbformat\" is not a number"), -1;
	if (json_integer_value(v) != 4) {
		set_err(err, name, line, col, json_integer_value(v) < 4 ?
			"nbformat %lld notebooks are not supported (only version 4; convert with "
			"jupyter nbconvert --to notebook)" :
			"nbformat %lld is newer than bobbin understands (only version 4)",
			(long long)json_integer_value(v));
		return -1;
	}
	if (!s->has_cells)
		return set_err(err, name, 0, 0, "not a Jupyter notebook (no \"cells\" list)"), -1;
	v = json_object_get(doc->top, "nbformat_minor");
	if (json_is_integer(v) && json_integer_value(v) >= 0) {
		doc->minor = json_integer_value(v) > 1000 ? 1000 : (int)json_integer_value(v);
	} else {
		add_warn(doc, "nbformat_minor: missing or not a number (read as 0)");
		doc->minor = 0;
	}
	if (!json_is_object(json_object_get(doc->top, "metadata")))
		add_warn(doc, "metadata: missing or not an object (kept)");
	json_object_foreach(doc->top, key, v)
		if (strcmp(key, "metadata") && strcmp(key, "nbformat") && strcmp(key, "nbformat_minor"))
			add_warn(doc, "unknown top-level key \"%.40s\" (kept)", key);
	return 0;
}

static int add_cells(struct nb_doc *doc, struct nb_buf *b, const struct nbj_scan *s,
		     char **scratch, size_t *scap)
{
	json_error_t e;

	if (doc_reserve(doc, s->ncells) < 0)
		return -1;
	while (doc->n < s->ncells) {
		const struct nbj_cell_span *sp = &s->cells[doc->n];
		struct nb_cell *c;
		json_t *o = parse_with_hole(b->data, sp->start, sp->end, sp->out_start, sp->out_end,
					    scratch, scap, &e);
		const char *id;

		if (!o || !(c = cell_new(o))) {
			json_decref(o);
			return -1;
		}
		c->doc = doc;
		doc->cells[doc->n++] = c;
		join_cell(o);
		/* an id to go by while loading; check_cells() settles it */
		id = json_string_value(json_object_get(o, "id"));
		if (id && id_valid(id))
			snprintf(c->id, sizeof c->id, "%s", id);
		else
			fresh_id(NULL, c->id);
		if (sp->out_end) {
			c->buf = b;
			b->refs++;
			c->out_start = sp->out_start;
			c->out_end = sp->out_end;
			if (!is_code(c) || b->data[sp->out_start] != '[') {
				/* only code cells' outputs lists are lazy; anything else is small */
				json_t *out = json_loadb(b->data + sp->out_start,
							 sp->out_end - sp->out_start, JSON_ALLOW_NUL, &e);

				buf_unref(c->buf);
				c->buf = NULL;
				if (!out)
					return -1;
				json_object_set_new(c->obj, "outputs", out);
				c->odd_outputs = is_code(c);
			}
		}
	}
	return 0;
}

static int check_cells(struct nb_doc *doc, const struct nbj_scan *s)
{
	struct idset ids = {0};
	size_t i;

	for (ids.mask = 15; ids.mask < 2 * doc->n; ids.mask = ids.mask * 2 + 1)
		;
	if (!(ids.slot = calloc(ids.mask + 1, sizeof *ids.slot)))
		return -1;
	for (i = 0; i < doc->n; i++) {
		if (doc->cells[i]->odd_outputs)
			add_warn(doc, "cells[%zu].outputs: not a list (kept)", i);
		doc->cells[i]->odd_outputs = 0;
		load_cell(doc, i, doc->cells[i], &ids);
	}
	for (i = 0; i < s->nwarn; i++)
		add_warn(doc, "%s", s->warn[i]);
	free(ids.slot);
	return 0;
}

/* Takes b. */
static struct nb_doc *load(struct nb_buf *b, const char *name, struct nb_error *err)
{
	struct nbj_scan s;
	struct nb_doc *doc = NULL;
	char *scratch = NULL;
	size_t scap = 0;
	int line, col;

	if (nbj_scan(b->data, b->len, &s) < 0) {
		nbj_position(b->data, b->len, s.err_off, &line, &col);
		set_err(err, name, line, col, "%s", s.err);
		goto fail;
	}
	if (!(doc = doc_alloc()))
		goto nomem;
	if (load_top(doc, b, &s, name, &scratch, &scap, err) < 0)
		goto fail;
	if (add_cells(doc, b, &s, &scratch, &scap) < 0 || check_cells(doc, &s) < 0)
		goto nomem;
	free(scratch);
	nbj_scan_clear(&s);
	buf_unref(b);
	return doc;
nomem:
	set_err(err, name, 0, 0, "out of memory while loading");
fail:
	free(scratch);
	nbj_scan_clear(&s);
	nb_doc_free(doc);
	buf_unref(b);
	return NULL;
}

struct nb_doc *nb_doc_load_buffer(const char *buf, size_t len, const char *name,
				  struct nb_error *err)
{
	struct nb_buf *b = calloc(1, sizeof *b);

	if (!b || !(b->data = buf_alloc(len))) {
		free(b);
		set_err(err, name, 0, 0, "out of memory");
		return NULL;
	}
	memcpy(b->data, buf, len);
	b->len = len;
	b->refs = 1;
	return load(b, name, err);
}

/*
 * A hash of a file's bytes, so that an in-place rewrite that kept the size and the modification
 * time is still seen as a change. Fed in chunks of HASH_CHUNK (a multiple of 8) from the start, so
 * a buffer and a file read give the same value.
 */
#define HASH_CHUNK (1u << 20)

static uint64_t hash_more(uint64_t h, const unsigned char *p, size_t n)
{
	for (; n >= 8; p += 8, n -= 8) {
		uint64_t w;

		memcpy(&w, p, 8);
		h = (h ^ w) * 0x9e3779b97f4a7c15ULL;
		h ^= h >> 31;
	}
	for (; n; p++, n--)
		h = (h ^ *p) * 0x100000001b3ULL;
	return h;
}

static uint64_t content_hash(const char *data, size_t len)
{
	uint64_t h = 0xcbf29ce484222325ULL ^ len;

	for (size_t off = 0; off < len; off += HASH_CHUNK)
		h = hash_more(h, (const unsigned char *)data + off,
			      len - off < HASH_CHUNK ? len - off : HASH_CHUNK);
	return h;
}

/* content_hash() of the file open at fd (from offset 0) into *h; -1 when it cannot be read. */
static int content_hash_fd(int fd, uint64_t *h)
{
	char *buf = malloc(HASH_CHUNK);
	size_t len = 0, fill;
	struct stat st;

	if (!buf || fstat(fd, &st) < 0) {
		free(buf);
		return -1;
	}
	*h = 0xcbf29ce484222325ULL ^ (size_t)st.st_size;
	for (;;) {
		ssize_t r = 0;

		for (fill = 0; fill < HASH_CHUNK; fill += (size_t)r) {
			r = pread(fd, buf + fill, HASH_CHUNK - fill, (off_t)(len + fill));
			if (r < 0 && errno == EINTR) {
				r = 0;
				continue;
			}
			if (r <= 0)
				break;
		}
		if (r < 0) {
			free(buf);
			return -1;
		}
		*h = hash_more(*h, (unsigned char *)buf, fill);
		len += fill;
		if (fill < HASH_CHUNK)
			break;
	}
	free(buf);
	/* a file that changed size while being read is a change: the seed had the old size */
	return len == (size_t)st.st_size ? 0 : -1;
}

/* 1 when the file at path has other bytes than the hash says (or cannot be read). */
static int content_changed(const char *path, uint64_t hash)
{
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	uint64_t h;
	int r;

	if (fd < 0)
		return 1;
	r = content_hash_fd(fd, &h);
	close(fd);
	return r < 0 || h != hash;
}

struct nb_doc *nb_doc_load(const char *path, struct nb_error *err)
{
	struct nb_buf *b;
	struct nb_doc *doc;
	struct stat st;
	size_t off = 0;
	uint64_t hash;
	/* O_NONBLOCK: a FIFO given as the notebook must not hang the open (it is refused below) */
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);

	if (fd < 0) {
		set_err(err, path, 0, 0, "cannot open: %s", strerror(errno));
		return NULL;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		set_err(err, path, 0, 0, "not a regular file");
		close(fd);
		return NULL;
	}
	if (!(b = calloc(1, sizeof *b)) || !(b->data = buf_alloc((size_t)st.st_size))) {
		free(b);
		close(fd);
		set_err(err, path, 0, 0, "out of memory");
		return NULL;
	}
	b->refs = 1;
	while (off < (size_t)st.st_size) {
		ssize_t r = read(fd, b->data + off, (size_t)st.st_size - off);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			set_err(err, path, 0, 0, "cannot read: %s",
				r < 0 ? strerror(errno) : "file shrank while reading");
			close(fd);
			buf_unref(b);
			return NULL;
		}
		off += (size_t)r;
	}
	close(fd);
	b->len = off;
	hash = content_hash(b->data, off);
	if (!(doc = load(b, path, err)))
		return NULL;
	doc->path = strdup(path);
	doc->st = st;
	doc->hash = hash;
	doc->have_st = 1;
	return doc;
}

/* ---- opening a large file progressively ---- */

/* Reads up to budget more bytes into the loader's buffer and hashes the whole chunks; -1 on a
 * read error or a file that ended early. */
static int loader_read(struct loader *ld, size_t budget, const char *path, struct nb_error *err)
{
	struct nb_buf *b = ld->b;

	while (budget && ld->avail < b->len) {
		size_t want = b->len - ld->avail < budget ? b->len - ld->avail : budget;
		ssize_t r = read(ld->fd, b->data + ld->avail, want);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return set_err(err, path, 0, 0, "cannot read: %s",
				       r < 0 ? strerror(errno) : "file shrank while reading"), -1;
		ld->avail += (size_t)r;
		budget -= (size_t)r;
	}
	while (ld->hashed + HASH_CHUNK <= ld->avail ||
	       (ld->avail == b->len && ld->hashed < b->len)) {
		size_t n = b->len - ld->hashed < HASH_CHUNK ? b->len - ld->hashed : HASH_CHUNK;

		ld->hash = hash_more(ld->hash, (const unsigned char *)b->data + ld->hashed, n);
		ld->hashed += n;
	}
	return 0;
}

static int scan_failed(struct loader *ld, const char *path, struct nb_error *err)
{
	int line, col;

	nbj_position(ld->b->data, ld->avail, ld->s.err_off, &line, &col);
	set_err(err, path, line, col, "%s", ld->s.err);
	return -1;
}

int nb_doc_load_more(struct nb_doc *doc, size_t budget, struct nb_error *err)
{
	struct loader *ld = doc->ld;
	struct stat st;
	int r;

	if (!ld)
		return 1;
	if (loader_read(ld, budget, doc->path, err) < 0)
		return -1;
	r = nbj_prog_cells(ld->prog, ld->avail);
	if (r < 0)
		return scan_failed(ld, doc->path, err);
	if (add_cells(doc, ld->b, &ld->s, &ld->scratch, &ld->scap) < 0)
		return set_err(err, doc->path, 0, 0, "out of memory while loading"), -1;
	if (r == 0 || ld->avail < ld->b->len)
		return 0;
	/* every byte is in: the rest of the top-level object, then what a load checks */
	if ((r = nbj_prog_finish(ld->prog)) < 0)
		return scan_failed(ld, doc->path, err);
	if (r > 0)
		return set_err(err, doc->path, 0, 0,
			       "two \"cells\" lists in the notebook (not supported)"), -1;
	if (fstat(ld->fd, &st) < 0 || st.st_size != ld->st.st_size ||
	    st.st_mtim.tv_sec != ld->st.st_mtim.tv_sec || st.st_mtim.tv_nsec != ld->st.st_mtim.tv_nsec)
		return set_err(err, doc->path, 0, 0, "changed on disk while it was being read"), -1;
	if (load_top(doc, ld->b, &ld->s, doc->path, &ld->scratch, &ld->scap, err) < 0)
		return -1;
	if (check_cells(doc, &ld->s) < 0)
		return set_err(err, doc->path, 0, 0, "out of memory while loading"), -1;
	doc->st = ld->st;
	doc->hash = ld->hash;
	doc->have_st = 1;
	doc->ld = NULL;
	loader_free(ld);
	return 1;
}

int nb_doc_loading(const struct nb_doc *doc)
{
	return doc->ld != NULL;
}

struct nb_doc *nb_doc_open(const char *path, size_t first, struct nb_error *err)
{
	struct loader *ld;
	struct nb_doc *doc;
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);

	if (fd < 0)
		return set_err(err, path, 0, 0, "cannot open: %s", strerror(errno)), NULL;
	if (!(ld = calloc(1, sizeof *ld))) {
		close(fd);
		return set_err(err, path, 0, 0, "out of memory"), NULL;
	}
	ld->fd = fd;
	if (fstat(fd, &ld->st) < 0 || !S_ISREG(ld->st.st_mode) || (size_t)ld->st.st_size <= first) {
		loader_free(ld);
		return nb_doc_load(path, err); /* small (or odd): all at once, as before */
	}
	ld->hash = 0xcbf29ce484222325ULL ^ (size_t)ld->st.st_size;
	if (!(ld->b = calloc(1, sizeof *ld->b)) ||
	    !(ld->b->data = buf_alloc((size_t)ld->st.st_size))) {
		loader_free(ld);
		return set_err(err, path, 0, 0, "out of memory"), NULL;
	}
	ld->b->refs = 1;
	ld->b->len = (size_t)ld->st.st_size;
	if (loader_read(ld, first, path, err) < 0) {
		loader_free(ld);
		return NULL;
	}
	if (!(ld->prog = nbj_prog_begin(ld->b->data, ld->b->len, ld->avail, &ld->s))) {
		/* not the usual layout ("cells" first): read it all and load it as before */
		if (loader_read(ld, SIZE_MAX, path, err) < 0) {
			loader_free(ld);
			return NULL;
		}
		ld->b->refs++;
		doc = load(ld->b, path, err);
		if (doc) {
			doc->path = strdup(path);
			doc->st = ld->st;
			doc->hash = ld->hash;
			doc->have_st = 1;
		}
		loader_free(ld);
		return doc;
	}
	if (!(doc = doc_alloc()) || !(doc->path = strdup(path))) {
		nb_doc_free(doc);
		loader_free(ld);
		return set_err(err, path, 0, 0, "out of memory"), NULL;
	}
	doc->ld = ld;
	if (nb_doc_load_more(doc, 0, err) < 0) {
		nb_doc_free(doc);
		return NULL;
	}
	return doc;
}

const char *nb_doc_path(const struct nb_doc *doc)
{
	return doc->path;
}

const struct nb_warnings *nb_doc_warnings(const struct nb_doc *doc)
{
	return &doc->warn;
}

int nb_doc_dirty(const struct nb_doc *doc)
{
	return doc->dirty;
}

void nb_doc_set_dirty(struct nb_doc *doc)
{
	if (doc->spare_meta && json_object_size(doc->spare_meta) &&
	    !json_object_get(doc->top, "metadata")) {
		json_object_set(doc->top, "metadata", doc->spare_meta);
		json_decref(doc->spare_meta);
		doc->spare_meta = NULL;
	}
	mark_modified(doc);
}

json_t *nb_doc_metadata(struct nb_doc *doc)
{
	json_t *m = json_object_get(doc->top, "metadata");

	if (json_is_object(m))
		return m;
	if (!doc->spare_meta)
		doc->spare_meta = json_object();
	return doc->spare_meta;
}

int nb_doc_nbformat_minor(const struct nb_doc *doc)
{
	return doc->minor;
}

size_t nb_doc_ncells(const struct nb_doc *doc)
{
	return doc->n;
}

struct nb_cell *nb_doc_cell(struct nb_doc *doc, size_t index)
{
	return index < doc->n ? doc->cells[index] : NULL;
}

struct nb_cell *nb_doc_find(struct nb_doc *doc, const char *id)
{
	size_t i;

	for (i = 0; id && i < doc->n; i++)
		if (!strcmp(doc->cells[i]->id, id))
			return doc->cells[i];
	return NULL;
}

long nb_doc_index(const struct nb_doc *doc, const struct nb_cell *cell)
{
	size_t i;

	for (i = 0; cell && i < doc->n; i++)
		if (doc->cells[i] == cell)
			return (long)i;
	return -1;
}

static void place(struct nb_doc *doc, size_t index, struct nb_cell *c)
{
	if (index > doc->n)
		index = doc->n;
	memmove(doc->cells + index + 1, doc->cells + index, (doc->n - index) * sizeof *doc->cells);
	doc->cells[index] = c;
	doc->n++;
	c->doc = doc;
	mark_modified(doc);
}

struct nb_cell *nb_doc_insert(struct nb_doc *doc, size_t index, enum nb_cell_type type)
{
	struct nb_cell *c;
	char id[9];

	if (index > doc->n || doc_reserve(doc, doc->n + 1) < 0 || !(c = cell_new(new_cell_obj(type))))
		return NULL;
	fresh_id(doc, id);
	set_real_id(c, id);
	place(doc, index, c);
	return c;
}

struct nb_cell *nb_doc_take(struct nb_doc *doc, size_t index)
{
	struct nb_cell *c;

	if (index >= doc->n)
		return NULL;
	c = doc->cells[index];
	memmove(doc->cells + index, doc->cells + index + 1, (doc->n - index - 1) * sizeof *doc->cells);
	doc->n--;
	c->doc = NULL;
	mark_modified(doc);
	return c;
}

void nb_doc_put(struct nb_doc *doc, size_t index, struct nb_cell *cell)
{
	char id[9];

	if (!cell)
		return;
	if (doc_reserve(doc, doc->n + 1) < 0) {
		nb_cell_free(cell);  /* takes ownership, even on failure */
		return;
	}
	if (!cell->id[0] || nb_doc_find(doc, cell->id)) {
		fresh_id(doc, id);
		set_real_id(cell, id);
	} else if (!cell->id_real) {
		json_object_set_new(cell->obj, "id", json_string(cell->id));
		cell->id_real = 1;
	}
	place(doc, index, cell);
}

/* ---- writing ---- */

static void upgrade(struct nb_doc *doc)
{
	size_t i;

	json_object_set_new(doc->top, "nbformat_minor", json_integer(5));
	doc->minor = 5;
	for (i = 0; i < doc->n; i++)
		if (!doc->cells[i]->id_real) {
			json_object_set_new(doc->cells[i]->obj, "id", json_string(doc->cells[i]->id));
			doc->cells[i]->id_real = 1;
		}
}

static void write_cell(struct nbj_sink *k, struct nb_cell *c, int indent)
{
	size_t n, i;
	const char **keys;
	int code = is_code(c);

	if (!json_object_size(c->obj)) {
		nbj_put(k, "{}", 2);
		return;
	}
	if (!(keys = nbj_sorted_keys(c->obj, &n))) {
		k->err = ENOMEM;
		return;
	}
	nbj_put(k, "{", 1);
	for (i = 0; i < n; i++) {
		json_t *v = json_object_get(c->obj, keys[i]);

		if (i)
			nbj_put(k, ",", 1);
		nbj_write_newline(k, indent + 1);
		nbj_write_string(k, keys[i], strlen(keys[i]));
		nbj_put(k, ": ", 2);
		if (!strcmp(keys[i], "outputs") && c->buf) {
			const char *span = c->buf->data + c->out_start;
			size_t len = c->out_end - c->out_start;

			if (!c->canon)
				c->canon = nbj_outputs_canonical(span, len, indent + 1) ? 1 : -1;
			if (c->canon > 0) {
				nbj_put(k, span, len);
			} else {
				json_t *out = parse_outputs(c);

				if (!out)
					k->err = ENOMEM;
				nbj_write(k, out, indent + 1, NBJ_OUTPUTS);
				json_decref(out);
			}
		} else if (!strcmp(keys[i], "source")) {
			nbj_write(k, v, indent + 1, NBJ_LINES);
		} else if (!strcmp(keys[i], "attachments")) {
			nbj_write(k, v, indent + 1, NBJ_ATTACH);
		} else {
			nbj_write(k, v, indent + 1,
				  code && !strcmp(keys[i], "outputs") ? NBJ_OUTPUTS : NBJ_PLAIN);
		}
	}
	free(keys);
	nbj_write_newline(k, indent);
	nbj_put(k, "}", 1);
}

static void write_doc(struct nb_doc *doc, struct nbj_sink *k)
{
	size_t n, i, j;
	const char **keys;

	if (doc->modified && doc->minor < 5)
		upgrade(doc);
	json_object_set_new(doc->top, "cells", json_null());  /* a placeholder, to sort the keys */
	keys = nbj_sorted_keys(doc->top, &n);
	if (!keys) {
		k->err = ENOMEM;
		json_object_del(doc->top, "cells");
		return;
	}
	nbj_put(k, "{", 1);
	for (i = 0; i < n; i++) {
		if (i)
			nbj_put(k, ",", 1);
		nbj_write_newline(k, 1);
		nbj_write_string(k, keys[i], strlen(keys[i]));
		nbj_put(k, ": ", 2);
		if (strcmp(keys[i], "cells")) {
			nbj_write(k, json_object_get(doc->top, keys[i]), 1, NBJ_PLAIN);
			continue;
		}
		if (!doc->n) {
			nbj_put(k, "[]", 2);
			continue;
		}
		nbj_put(k, "[", 1);
		for (j = 0; j < doc->n; j++) {
			if (j)
				nbj_put(k, ",", 1);
			nbj_write_newline(k, 2);
			write_cell(k, doc->cells[j], 2);
		}
		nbj_write_newline(k, 1);
		nbj_put(k, "]", 1);
	}
	free(keys);
	json_object_del(doc->top, "cells");
	nbj_write_newline(k, 0);
	nbj_put(k, "}\n", 2);
}

char *nb_doc_serialize(struct nb_doc *doc, size_t *len)
{
	struct nbj_sink k = {.fd = -1};

	write_doc(doc, &k);
	nbj_put(&k, "", 1);
	if (k.err) {
		free(k.buf);
		return NULL;
	}
	if (len)
		*len = k.len - 1;
	return k.buf;
}

static int same_file(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino && a->st_size == b->st_size &&
	       a->st_mtim.tv_sec == b->st_mtim.tv_sec && a->st_mtim.tv_nsec == b->st_mtim.tv_nsec;
}

static int save(struct nb_doc *doc, const char *path, int force, struct nb_error *err);

int nb_doc_save(struct nb_doc *doc, const char *path, int force, struct nb_error *err)
{
	/* a document still being read is finished first: a save writes every cell */
	if (nb_doc_load_more(doc, SIZE_MAX, err) < 0)
		return -1;
	return save(doc, path, force, err);
}

static int save(struct nb_doc *doc, const char *path, int force, struct nb_error *err)
{
	const char *name = path ? path : doc->path;
	char real[PATH_MAX], tmp[PATH_MAX + 256], dir[PATH_MAX];
	const char *target, *base, *slash;
	struct stat st, nst;
	struct nbj_sink k = {.fd = -1};
	uint64_t hash = 0;
	int exists, own, fd = -1, tries, dfd;
	char rid[9];

	if (!name) {
		set_err(err, "notebook", 0, 0, "no file name to save to");
		return -1;
	}
	/* Write through a symlink to the file it names, so the link stays a link. */
	target = realpath(name, real) ? real : name;
	exists = stat(target, &st) == 0;
	own = doc->path && (!path || !strcmp(path, doc->path));
	if (!own && exists && doc->have_st && st.st_dev == doc->st.st_dev &&
	    st.st_ino == doc->st.st_ino)
		own = 1; /* the same file by another name */
	if (own && exists && doc->have_st && !force &&
	    (!same_file(&st, &doc->st) || content_changed(target, doc->hash))) {
		set_err(err, name, 0, 0, "changed on disk since bobbin opened or last saved it; not "
			"saved (save with force to overwrite it)");
		return -1;
	}
	if (!own && exists && !force) {
		set_err(err, name, 0, 0, "exists and is not this notebook; not saved (save with force "
			"to overwrite it)");
		return -1;
	}
	if (exists && !S_ISREG(st.st_mode)) {
		set_err(err, name, 0, 0, "not a regular file; not saved");
		return -1;
	}
	slash = strrchr(target, '/');
	if (slash) {
		snprintf(dir, sizeof dir, "%.*s", (int)(slash - target) ? (int)(slash - target) : 1,
			 target);
		base = slash + 1;
	} else {
		snprintf(dir, sizeof dir, ".");
		base = target;
	}
	for (tries = 0; tries < 100 && fd < 0; tries++) {
		random_id(rid);
		if ((size_t)snprintf(tmp, sizeof tmp, "%s/.%.200s.bobbin-%s.tmp", dir, base, rid) >=
		    sizeof tmp) {
			errno = ENAMETOOLONG;
			break;
		}
		fd = open(tmp, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
		if (fd < 0 && errno != EEXIST)
			break;
	}
	if (fd < 0) {
		set_err(err, name, 0, 0, "cannot create a temporary file in %s: %s; not saved", dir,
			strerror(errno));
		return -1;
	}
	if (exists) {
		if (fchown(fd, st.st_uid, st.st_gid) < 0) {
			/* not ours to give away; the mode below still applies */
		}
		if (fchmod(fd, st.st_mode & 07777) < 0) {
			/* keep the default mode rather than fail */
		}
	}
	k.fd = fd;
	write_doc(doc, &k);
	nbj_flush(&k);
	free(k.buf);
	if (!k.err && fsync(fd) < 0)
		k.err = errno;
	if (!k.err && fstat(fd, &nst) < 0)
		k.err = errno;
	if (!k.err && content_hash_fd(fd, &hash) < 0)
		k.err = errno ? errno : EIO;
	if (close(fd) < 0 && !k.err)
		k.err = errno;
	if (!k.err && rename(tmp, target) < 0)
		k.err = errno;
	if (k.err) {
		unlink(tmp);
		set_err(err, name, 0, 0, "cannot write: %s; the file on disk is unchanged",
			strerror(k.err));
		return -1;
	}
	if ((dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) >= 0) {
		if (fsync(dfd) < 0) {
			/* the rename is done; some file systems cannot sync a directory */
		}
		close(dfd);
	}
	if (path && (!doc->path || strcmp(path, doc->path))) {
		char *np = strdup(path);

		if (np) {
			free(doc->path);
			doc->path = np;
		}
	}
	doc->st = nst;
	doc->hash = hash;
	doc->have_st = 1;
	doc->dirty = 0;
	return 0;
}
