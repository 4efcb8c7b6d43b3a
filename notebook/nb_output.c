// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * The output model proper: request lifecycle, placement of each iopub message in a cell with its
 * provenance, JupyterLab's output-area rules (stream merging, clear_output wait, display_id
 * updates across cells), lazy flushing of stream buffers and upkeep of saved attribution.
 *
 * Per cell the model keeps a state keyed by cell id (never a pointer to the cell: a deleted cell is
 * simply not found): a provenance array parallel to the cell's outputs array, and for the last
 * output, while it is a stream that can still grow, a text buffer (nb_output_text.c). The json
 * "text" of that output is rewritten from the buffer only by nb_out_sync() or when the stream
 * closes, so a flood of chunks is not quadratic in jansson's immutable strings. If the outputs
 * array changes behind the model's back (another object, other length), the state is rebuilt
 * from the array and the saved attribution.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "notebook/nb_output_private.h"

#define DEFAULT_LIMIT (10u * 1000 * 1000)
/* What an output costs beyond its text, for the per-cell bound (jansson objects aren't free). */
#define OUTPUT_COST 64
/* Distinct provenances one stream output takes from the chunks merged into it; a chunk with yet
 * another one starts a new output. */
#define MAX_PARTS 16
#define PASSWORD_MASK "\xc2\xb7\xc2\xb7\xc2\xb7\xc2\xb7\xc2\xb7\xc2\xb7\xc2\xb7\xc2\xb7"

/* The provenance of a chunk merged into stream output `out` that differs from the output's own
 * (the first chunk's) and from the output's earlier parts. */
struct part {
	size_t out;
	struct nb_prov prov;
};

struct cstate {
	const char *cell_id; /* interned */
	json_t *outs;        /* the outputs array last seen (own reference) */
	struct nb_prov *prov;
	size_t nprov, cap;
	struct part *parts;  /* sorted by out */
	size_t nparts, capparts;
	long last_part;      /* the latest message's provenance: -1 the last output's, else parts[] */
	json_t *sout;        /* the open stream output (last in outs), own reference, or NULL */
	const char *sname;   /* its stream name, interned */
	struct nbo_text text;
	int text_dirty;      /* the buffer is newer than sout's "text" */
	int clear_pending;   /* clear_output(wait=True) seen */
	int attr_dirty;      /* provenance changed since attribution was written */
	int listed;          /* in the changed list, notification sent */
	size_t bytes;        /* cost of the outputs, not counting the open stream's text */
	long marker;         /* index of the dropped-outputs marker, -1 if none */
	unsigned long long mk_bytes, mk_lines, mk_outputs; /* what the marker reports */
};

struct display_ref {
	const char *cell_id;
	json_t *out;         /* own reference; still in the cell only if found there */
};
struct display {
	struct display_ref *v;
	size_t n, cap;
};

struct nb_out {
	struct nb_doc *doc;
	struct nbo_map pool;     /* interned strings */
	struct nbo_map cells;    /* cell id → struct cstate */
	struct nbo_map displays; /* display_id → struct display */
	struct nbo_reqs reqs;
	struct nbo_req *running; /* the cell execution between busy and idle */
	struct nbo_req *started; /* the latest cell execution that went busy */
	size_t limit;
	int save_attr, place_foreign, stray_cell;
	const char *stray_id;    /* the stray-output cell last used (interned) */
	nb_out_notify_cb notify;
	void *ud;
	struct cstate **changed;
	size_t nchanged, capchanged;
	json_t *unplaced;
	struct nb_misrouted *mis;
	size_t nmis, capmis;
};

struct nb_out *nb_out_new(struct nb_doc *doc)
{
	struct nb_out *m;

	if (!doc)
		return NULL;
	m = calloc(1, sizeof(*m));
	if (!m)
		return NULL;
	m->doc = doc;
	m->limit = DEFAULT_LIMIT;
	m->save_attr = 1;
	m->place_foreign = 1;
	m->stray_cell = 1;
	m->unplaced = json_array();
	if (!m->unplaced) {
		free(m);
		return NULL;
	}
	return m;
}

static void cs_free(struct cstate *cs)
{
	json_decref(cs->outs);
	json_decref(cs->sout);
	nbo_text_clear(&cs->text);
	free(cs->prov);
	free(cs->parts);
	free(cs);
}

void nb_out_free(struct nb_out *m)
{
	size_t i, j;

	if (!m)
		return;
	for (i = 0; i < m->cells.cap; i++)
		if (m->cells.s[i].key)
			cs_free(m->cells.s[i].val);
	for (i = 0; i < m->displays.cap; i++) {
		struct display *d = m->displays.s[i].val;

		if (!m->displays.s[i].key)
			continue;
		for (j = 0; j < d->n; j++)
			json_decref(d->v[j].out);
		free(d->v);
		free(d);
	}
	nbo_map_clear(&m->cells);
	nbo_map_clear(&m->displays);
	nbo_reqs_clear(&m->reqs);
	nbo_intern_clear(&m->pool);
	json_decref(m->unplaced);
	free(m->changed);
	free(m->mis);
	free(m);
}

void nb_out_set_limit(struct nb_out *m, size_t bytes)
{
	m->limit = bytes;
}

void nb_out_set_save_attribution(struct nb_out *m, int on)
{
	m->save_attr = on;
}

void nb_out_set_place_foreign(struct nb_out *m, int on)
{
	m->place_foreign = on;
}

void nb_out_set_stray_cell(struct nb_out *m, int on)
{
	m->stray_cell = on;
}

void nb_out_set_notify(struct nb_out *m, nb_out_notify_cb cb, void *ud)
{
	m->notify = cb;
	m->ud = ud;
}

/* ---- cell state ---- */

static struct cstate *cs_get(struct nb_out *m, const char *cell_id)
{
	struct cstate *cs = nbo_map_get(&m->cells, cell_id);
	const char *id;

	if (cs)
		return cs;
	id = nbo_intern(&m->pool, cell_id);
	cs = id ? calloc(1, sizeof(*cs)) : NULL;
	if (!cs)
		return NULL;
	cs->cell_id = id;
	cs->marker = -1;
	cs->last_part = -1;
	nbo_text_init(&cs->text, m->limit / 2);
	if (nbo_map_put(&m->cells, id, cs) < 0) {
		free(cs);
		return NULL;
	}
	return cs;
}

static int prov_reserve(struct cstate *cs, size_t n)
{
	struct nb_prov *p;
	size_t cap;

	if (n <= cs->cap)
		return 0;
	cap = cs->cap ? cs->cap : 4;
	while (cap < n)
		cap *= 2;
	p = realloc(cs->prov, cap * sizeof(*p));
	if (!p)
		return -1;
	cs->prov = p;
	cs->cap = cap;
	return 0;
}

/* Adds a part for output out, keeping the list sorted by output. Its index, or -1 on no memory. */
static long part_add(struct cstate *cs, size_t out, const struct nb_prov *p)
{
	size_t i;

	if (cs->nparts == cs->capparts) {
		size_t cap = cs->capparts ? cs->capparts * 2 : 4;
		struct part *v = realloc(cs->parts, cap * sizeof(*v));

		if (!v)
			return -1;
		cs->parts = v;
		cs->capparts = cap;
	}
	for (i = cs->nparts; i > 0 && cs->parts[i - 1].out > out; i--)
		cs->parts[i] = cs->parts[i - 1];
	cs->parts[i].out = out;
	cs->parts[i].prov = *p;
	cs->nparts++;
	return (long)i;
}

/* Forgets the parts of outputs [from, to) and moves the parts of later outputs by delta (outputs
 * removed: from < to, delta = from - to; an output inserted at from: from == to, delta = 1). */
static void parts_splice(struct cstate *cs, size_t from, size_t to, long delta)
{
	size_t i, k = 0;

	for (i = 0; i < cs->nparts; i++) {
		struct part q = cs->parts[i];

		if (q.out >= from && q.out < to)
			continue;
		if (q.out >= to)
			q.out = (size_t)((long)q.out + delta);
		cs->parts[k++] = q;
	}
	cs->nparts = k;
	cs->last_part = -1;
}

/* The parts of output out: *first is the index of the first one; returns how many. */
static size_t parts_of(const struct cstate *cs, size_t out, size_t *first)
{
	size_t lo = 0, hi = cs->nparts, n = 0;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (cs->parts[mid].out < out)
			lo = mid + 1;
		else
			hi = mid;
	}
	*first = lo;
	while (lo + n < cs->nparts && cs->parts[lo + n].out == out)
		n++;
	return n;
}

static void prov_loaded(struct nb_prov *p)
{
	memset(p, 0, sizeof(*p));
	p->flags = NB_PROV_LOADED;
	p->thread_native_id = -1;
}

static void changed(struct nb_out *m, struct cstate *cs)
{
	struct cstate **v;

	if (cs->listed)
		return;
	if (m->nchanged == m->capchanged) {
		size_t cap = m->capchanged ? m->capchanged * 2 : 16;

		v = realloc(m->changed, cap * sizeof(*v));
		if (!v)
			return; /* the cell is still changed; sync just won't know it early */
		m->changed = v;
		m->capchanged = cap;
	}
	m->changed[m->nchanged++] = cs;
	cs->listed = 1;
	if (m->notify)
		m->notify(m->ud, cs->cell_id);
}

static void flush_text(struct cstate *cs)
{
	json_t *s;

	if (!cs->sout || !cs->text_dirty)
		return;
	s = json_stringn(cs->text.p ? cs->text.p : "", cs->text.len);
	if (!s) /* not valid UTF-8 after all: keep it rather than lose it */
		s = json_stringn_nocheck(cs->text.p ? cs->text.p : "", cs->text.len);
	if (s && json_object_set_new(cs->sout, "text", s) == 0)
		cs->text_dirty = 0;
}

/* The last output stops growing: write its text and drop the buffer. */
static void close_stream(struct cstate *cs)
{
	if (!cs->sout)
		return;
	flush_text(cs);
	cs->bytes += cs->text.len;
	json_decref(cs->sout);
	cs->sout = NULL;
	cs->sname = NULL;
	nbo_text_clear(&cs->text);
	cs->text_dirty = 0;
}

/* Bytes an output holds: its strings (text, mime values, traceback) plus a fixed overhead. */
static size_t output_cost(const json_t *o)
{
	const json_t *v;
	const char *k;
	size_t n = OUTPUT_COST, i;

	n += json_string_length(json_object_get(o, "text"));
	json_object_foreach((json_t *)json_object_get(o, "data"), k, v)
		n += json_string_length(v);
	json_array_foreach(json_object_get(o, "traceback"), i, v)
		n += json_string_length(v);
	return n;
}

static void recount(struct cstate *cs)
{
	const json_t *o;
	size_t i;

	cs->bytes = 0;
	json_array_foreach(cs->outs, i, o)
		cs->bytes += output_cost(o);
	cs->marker = -1;
}

/* Reads saved attribution of the cell into the provenance array (already sized). */
static void read_attribution(struct nb_out *m, struct cstate *cs, struct nb_cell *cell)
{
	const json_t *b = json_object_get(nb_cell_metadata(cell), "bobbin");
	const json_t *attr = json_object_get(b, "attribution"), *e;
	struct nb_prov p;
	size_t i;
	long idx;

	json_array_foreach(attr, i, e) {
		idx = nbo_attr_read(e, &p, &m->pool);
		if (idx < 0 || (size_t)idx >= cs->nprov)
			continue;
		if (json_integer_value(json_object_get(e, "part")) > 0)
			part_add(cs, (size_t)idx, &p);
		else
			cs->prov[idx] = p;
	}
}

/* Makes the state agree with the cell's outputs array and returns that array. */
static json_t *cs_bind(struct nb_out *m, struct cstate *cs, struct nb_cell *cell)
{
	json_t *outs = nb_cell_outputs(cell);
	size_t n = json_array_size(outs), i;

	if (outs == cs->outs && n == cs->nprov) {
		if (cs->sout && json_array_get(outs, n - 1) != cs->sout)
			close_stream(cs);
		return outs;
	}
	close_stream(cs);
	if (prov_reserve(cs, n) < 0)
		n = cs->nprov < n ? cs->nprov : n; /* keep what fits; extra outputs get no provenance */
	if (outs != cs->outs) {
		int first = cs->outs == NULL;

		json_decref(cs->outs);
		cs->outs = json_incref(outs);
		for (i = 0; i < n; i++)
			prov_loaded(&cs->prov[i]);
		cs->nprov = n;
		cs->nparts = 0;
		cs->last_part = -1;
		read_attribution(m, cs, cell);
		recount(cs);
		cs->clear_pending = 0;
		if (!first)
			cs->attr_dirty = 1;
	} else {
		for (i = cs->nprov; i < n; i++)
			prov_loaded(&cs->prov[i]);
		cs->nprov = n;
		recount(cs);
		cs->attr_dirty = 1;
	}
	return outs;
}

static void do_clear(struct nb_out *m, struct cstate *cs, struct nb_cell *cell)
{
	json_t *outs = cs_bind(m, cs, cell);

	close_stream(cs);
	if (json_array_size(outs) == 0 && cs->nprov == 0)
		return;
	json_array_clear(outs);
	cs->nprov = 0;
	cs->nparts = 0;
	cs->last_part = -1;
	cs->bytes = 0;
	cs->marker = -1;
	cs->attr_dirty = 1;
	nb_cell_touch(cell);
	changed(m, cs);
}

static struct nb_cell *code_cell(struct nb_out *m, const char *id)
{
	struct nb_cell *c = id ? nb_doc_find(m->doc, id) : NULL;

	return c && nb_cell_type(c) == NB_CODE ? c : NULL;
}

/* ---- requests ---- */

int nb_out_request(struct nb_out *m, const char *msg_id, const char *cell_id,
		   enum nb_req_kind kind)
{
	const char *id, *cid = NULL;
	struct nb_cell *cell;
	struct nbo_req *r;

	if (!m || !msg_id || !*msg_id)
		return -1;
	id = nbo_intern(&m->pool, msg_id);
	if (cell_id && !(cid = nbo_intern(&m->pool, cell_id)))
		return -1;
	if (!id || !(r = nbo_reqs_add(&m->reqs, id, cid, kind)))
		return -1;
	if (nbo_req_is_cell(r) && (cell = code_cell(m, cid))) {
		struct cstate *cs = cs_get(m, cid);

		if (!cs)
			return -1;
		do_clear(m, cs, cell);
		cs->clear_pending = 0;
		if (nb_cell_execution_count(cell) != -1) {
			nb_cell_set_execution_count(cell, -1);
			nb_cell_touch(cell);
			changed(m, cs);
		}
	}
	return 0;
}

static void set_count(struct nb_out *m, const struct nbo_req *r, const json_t *count)
{
	struct nb_cell *cell;
	struct cstate *cs;

	if (!nbo_req_is_cell(r) || !json_is_integer(count) || !(cell = code_cell(m, r->cell_id)))
		return;
	if (nb_cell_execution_count(cell) == (long)json_integer_value(count))
		return;
	nb_cell_set_execution_count(cell, (long)json_integer_value(count));
	nb_cell_touch(cell);
	if ((cs = cs_get(m, r->cell_id)))
		changed(m, cs);
}

int nb_out_reply(struct nb_out *m, const char *msg_id, const char *msg_type,
		 const json_t *content)
{
	struct nbo_req *r = m ? nbo_reqs_get(&m->reqs, msg_id) : NULL;

	if (!r)
		return -1;
	r->reply = 1;
	if (msg_type && !strcmp(msg_type, "execute_reply"))
		set_count(m, r, json_object_get(content, "execution_count"));
	return 0;
}

int nb_out_request_done(struct nb_out *m, const char *msg_id)
{
	struct nbo_req *r = m ? nbo_reqs_get(&m->reqs, msg_id) : NULL;

	return r ? nbo_req_done(r) : -1;
}

const char *nb_out_request_cell(struct nb_out *m, const char *msg_id)
{
	struct nbo_req *r = m && msg_id ? nbo_reqs_get(&m->reqs, msg_id) : NULL;

	return nbo_req_is_cell(r) ? r->cell_id : NULL;
}

int nb_out_cell_busy(struct nb_out *m, const char *cell_id)
{
	size_t i;

	if (!m || !cell_id)
		return 0;
	/* Newest first: a cell's latest execution decides, older ones are done or abandoned. */
	for (i = m->reqs.n; i-- > 0;) {
		const struct nbo_req *r = m->reqs.v[i];

		if (nbo_req_is_cell(r) && !strcmp(r->cell_id, cell_id))
			return !nbo_req_done(r);
	}
	return 0;
}

static void on_status(struct nb_out *m, struct nbo_req *r, const json_t *content)
{
	const char *state = json_string_value(json_object_get(content, "execution_state"));

	if (!r || !state)
		return;
	if (!strcmp(state, "busy")) {
		r->busy = 1;
		if (nbo_req_is_cell(r))
			m->running = m->started = r;
	} else if (!strcmp(state, "idle")) {
		r->idle = 1;
		if (m->running == r)
			m->running = NULL;
	}
}

/* The cell where stray output shows: the running cell, else the latest started, else the latest
 * requested one that still exists. */
static const char *latest_cell(struct nb_out *m)
{
	size_t i;

	if (m->running && code_cell(m, m->running->cell_id))
		return m->running->cell_id;
	if (m->started && code_cell(m, m->started->cell_id))
		return m->started->cell_id;
	for (i = m->reqs.n; i-- > 0;)
		if (nbo_req_is_cell(m->reqs.v[i]) && m->reqs.v[i]->busy &&
		    code_cell(m, m->reqs.v[i]->cell_id))
			return m->reqs.v[i]->cell_id;
	for (i = m->reqs.n; i-- > 0;)
		if (nbo_req_is_cell(m->reqs.v[i]) && code_cell(m, m->reqs.v[i]->cell_id))
			return m->reqs.v[i]->cell_id;
	return NULL;
}

/* ---- provenance and placement ---- */

static int is_stray_cell(struct nb_cell *c)
{
	const json_t *b = json_object_get(nb_cell_metadata(c), "bobbin");

	return nb_cell_type(c) == NB_CODE && json_is_true(json_object_get(b, "stray_outputs"));
}

/* A language whose line comments start with "#", from the notebook's metadata. */
static int hash_comments(struct nb_out *m)
{
	static const char *const langs[] = { "python", "r", "julia", "bash", "sh", "ruby", "perl" };
	const json_t *md = nb_doc_metadata(m->doc);
	const char *l = json_string_value(
		json_object_get(json_object_get(md, "language_info"), "name"));
	size_t i;

	if (!l)
		l = json_string_value(json_object_get(json_object_get(md, "kernelspec"), "language"));
	for (i = 0; l && i < sizeof(langs) / sizeof(langs[0]); i++)
		if (!strcasecmp(l, langs[i]) || (i == 0 && !strncasecmp(l, "python", 6)))
			return 1;
	return 0;
}

/* The cell for output that has no cell to land in (docs/attribution.md): the last code cell
 * marked metadata.bobbin.stray_outputs, else a new one appended to the notebook. */
static const char *stray_cell(struct nb_out *m)
{
	struct nb_cell *c = m->stray_id ? nb_doc_find(m->doc, m->stray_id) : NULL;
	size_t i, n = nb_doc_ncells(m->doc);
	json_t *b;

	if (c && is_stray_cell(c))
		return m->stray_id;
	for (i = n, c = NULL; i-- > 0 && !c;)
		if (!is_stray_cell(c = nb_doc_cell(m->doc, i)))
			c = NULL;
	if (!c) {
		c = nb_doc_insert(m->doc, n, NB_CODE);
		b = json_pack("{s:b}", "stray_outputs", 1);
		if (!c || !b || json_object_set_new(nb_cell_metadata(c), "bobbin", b) < 0)
			return NULL;
		if (hash_comments(m))
			nb_cell_set_source(c, "# bobbin: output whose cell was deleted or is unknown "
					      "(metadata.bobbin.attribution says where it came from)");
		nb_cell_touch(c);
	}
	m->stray_id = nbo_intern(&m->pool, nb_cell_id(c));
	return m->stray_id;
}

static void read_agent_meta(struct nb_out *m, const json_t *md, struct nb_prov *p)
{
	const json_t *b = json_object_get(md, "bobbin"), *th, *v;
	struct nbo_req *o;

	if (!json_is_object(b))
		return;
	th = json_object_get(b, "thread");
	if (json_is_object(th)) {
		p->flags |= NB_PROV_THREAD;
		p->thread_name = nbo_intern(&m->pool, json_string_value(json_object_get(th, "name")));
		v = json_object_get(th, "ident");
		if (json_is_integer(v))
			p->thread_ident = json_integer_value(v);
		else if (json_is_real(v))
			p->thread_ident = (long long)json_real_value(v);
		v = json_object_get(th, "native_id");
		if (json_is_integer(v))
			p->thread_native_id = json_integer_value(v);
	}
	p->origin_msg_id = nbo_intern(&m->pool, json_string_value(json_object_get(b, "origin")));
	p->origin_kind = nbo_intern(&m->pool, json_string_value(json_object_get(b, "origin_kind")));
	p->policy = nbo_intern(&m->pool, json_string_value(json_object_get(b, "policy")));
	o = nbo_reqs_get(&m->reqs, p->origin_msg_id);
	if (nbo_req_is_cell(o))
		p->origin_cell = o->cell_id;
}

/* Decides where a message parented to parent lands and with what provenance. Returns the cell
 * (and *csp), or NULL when it has nowhere to go (then *p is still filled in). */
static struct nb_cell *place(struct nb_out *m, const char *parent, const json_t *md,
			     struct nb_prov *p, struct cstate **csp)
{
	struct nbo_req *r = nbo_reqs_get(&m->reqs, parent);
	const char *land = NULL;
	struct nb_cell *cell;

	memset(p, 0, sizeof(*p));
	p->thread_native_id = -1;
	p->msg_id = parent && *parent ? nbo_intern(&m->pool, parent) : NULL;
	read_agent_meta(m, md, p);
	if (nbo_req_is_cell(r)) {
		p->parent_cell = r->cell_id;
		if (code_cell(m, r->cell_id))
			land = r->cell_id;
		else
			p->flags |= NB_PROV_ORPHAN;
	} else {
		p->flags |= NB_PROV_STRAY;
		if (r && r->kind == NB_REQ_FOREIGN)
			p->flags |= NB_PROV_FOREIGN;
	}
	if (r && r->idle)
		p->flags |= NB_PROV_LATE;
	if (!land) {
		if ((p->flags & NB_PROV_FOREIGN) && !m->place_foreign)
			return NULL;
		land = latest_cell(m);
		if (!land && m->stray_cell)
			land = stray_cell(m);
	}
	if (!land || !(cell = code_cell(m, land)) || !(*csp = cs_get(m, land)))
		return NULL;
	if (m->running && m->running->cell_id != (*csp)->cell_id)
		p->flags |= NB_PROV_CROSS_CELL;
	return cell;
}

static int prov_eq(const struct nb_prov *a, const struct nb_prov *b)
{
	/* Strings are interned: pointer equality is string equality. */
	return a->flags == b->flags && a->msg_id == b->msg_id && a->parent_cell == b->parent_cell &&
	       a->origin_msg_id == b->origin_msg_id && a->origin_cell == b->origin_cell &&
	       a->origin_kind == b->origin_kind && a->policy == b->policy &&
	       a->thread_name == b->thread_name && a->thread_ident == b->thread_ident &&
	       a->thread_native_id == b->thread_native_id;
}

static json_t *marker_text(const struct cstate *cs)
{
	char text[160], b[40], l[40], o[40];

	nbo_group(b, sizeof(b), cs->mk_bytes);
	nbo_group(l, sizeof(l), cs->mk_lines);
	nbo_group(o, sizeof(o), cs->mk_outputs);
	snprintf(text, sizeof(text),
		 "\xe2\x80\xa6 [bobbin: %s bytes / %s lines / %s outputs dropped] \xe2\x80\xa6\n", b,
		 l, o);
	return json_string(text);
}

/*
 * The per-cell bound across outputs (many small outputs, e.g. two threads interleaving): when the
 * closed outputs cost more than the limit, the outputs after the head (up to the one that crosses
 * half the limit) are dropped until a quarter of the limit is free again, and one marker output after the
 * head counts everything dropped so far. Each trim frees at least a quarter of the limit, so the
 * work is amortised over the bytes that caused it.
 */
static void bound_cell(struct nb_out *m, struct cstate *cs, json_t *outs)
{
	size_t n = json_array_size(outs), acc = 0, start, end, j;
	json_t *mk;

	if (!m->limit || cs->bytes <= m->limit)
		return;
	if (cs->marker < 0 || (size_t)cs->marker >= n) {
		/* The head: outputs up to and including the one that crosses half the limit. */
		for (start = 0; start < n && acc <= m->limit / 2; start++)
			acc += output_cost(json_array_get(outs, start));
		mk = json_pack("{s:s, s:s, s:s}", "name", "stdout", "output_type", "stream", "text",
			       "");
		if (prov_reserve(cs, cs->nprov + 1) < 0 || !mk ||
		    json_array_insert_new(outs, start, mk) < 0)
			return;
		memmove(cs->prov + start + 1, cs->prov + start,
			(cs->nprov - start) * sizeof(*cs->prov));
		parts_splice(cs, start, start, 1);
		prov_loaded(&cs->prov[start]);
		cs->prov[start].flags = 0;
		cs->nprov++;
		n++;
		cs->marker = (long)start;
		cs->bytes += OUTPUT_COST;
	}
	mk = json_array_get(outs, (size_t)cs->marker);
	start = (size_t)cs->marker + 1;
	for (j = start; j < n && cs->bytes > m->limit / 2 + m->limit / 4; j++) {
		const json_t *o = json_array_get(outs, j);
		const char *t = json_string_value(json_object_get(o, "text"));
		size_t c = output_cost(o);

		cs->bytes -= c;
		cs->mk_bytes += c - OUTPUT_COST;
		cs->mk_outputs++;
		for (; t && (t = strchr(t, '\n')); t++)
			cs->mk_lines++;
	}
	end = j;
	for (j = end; j-- > start;)
		json_array_remove(outs, j);
	memmove(cs->prov + start, cs->prov + end, (cs->nprov - end) * sizeof(*cs->prov));
	cs->nprov -= end - start;
	parts_splice(cs, start, end, (long)start - (long)end);
	cs->bytes -= output_cost(mk);
	json_object_set_new(mk, "text", marker_text(cs));
	cs->bytes += output_cost(mk);
	cs->attr_dirty = 1;
}

/* Appends a new output (reference stolen) with its provenance. */
static int append_output(struct nb_out *m, struct cstate *cs, struct nb_cell *cell, json_t *out,
			 const struct nb_prov *p)
{
	json_t *outs;

	if (!out)
		return -1;
	outs = cs_bind(m, cs, cell);
	close_stream(cs);
	bound_cell(m, cs, outs);
	cs->bytes += output_cost(out);
	if (prov_reserve(cs, cs->nprov + 1) < 0 || json_array_append_new(outs, out) < 0)
		return -1;
	cs->prov[cs->nprov++] = *p;
	cs->last_part = -1;
	if (nbo_prov_nontrivial(p, cs->cell_id))
		cs->attr_dirty = 1;
	nb_cell_touch(cell);
	changed(m, cs);
	return 0;
}

/* A pending clear_output(wait=True) happens just before the next output is added. */
static void pending_clear(struct nb_out *m, struct cstate *cs, struct nb_cell *cell)
{
	cs_bind(m, cs, cell);
	if (cs->clear_pending) {
		cs->clear_pending = 0;
		do_clear(m, cs, cell);
	}
}

static int add_stream(struct nb_out *m, struct cstate *cs, struct nb_cell *cell, const char *name,
		      const char *text, size_t len, const struct nb_prov *p)
{
	const char *iname = nbo_intern(&m->pool, name);
	json_t *out;

	if (!iname)
		return -1;
	pending_clear(m, cs, cell);
	/* JupyterLab: a chunk continues the stream of the same name that ends the output area, so
	 * "\r" and "\b" act on the text already there, whoever sent it. Its provenance is kept as a
	 * part of that output when it differs. */
	if (cs->sout && cs->sname == iname && cs->nprov) {
		size_t first, n = parts_of(cs, cs->nprov - 1, &first), i;
		long k = -2;

		if (prov_eq(&cs->prov[cs->nprov - 1], p))
			k = -1;
		for (i = 0; k == -2 && i < n; i++)
			if (prov_eq(&cs->parts[first + i].prov, p))
				k = (long)(first + i);
		if (k == -2 && n < MAX_PARTS && (k = part_add(cs, cs->nprov - 1, p)) >= 0 &&
		    nbo_prov_nontrivial(p, cs->cell_id))
			cs->attr_dirty = 1;
		if (k >= -1) {
			if (nbo_text_append(&cs->text, text, len) < 0)
				return -1;
			cs->last_part = k;
			cs->text_dirty = 1;
			changed(m, cs);
			return 0;
		}
	}
	out = json_pack("{s:s, s:s, s:s}", "name", name, "output_type", "stream", "text", "");
	if (append_output(m, cs, cell, out, p) < 0)
		return -1;
	cs->sout = json_incref(out);
	cs->sname = iname;
	nbo_text_init(&cs->text, m->limit / 2);
	if (nbo_text_append(&cs->text, text, len) < 0)
		return -1;
	cs->text_dirty = 1;
	return 0;
}

/* nbformat output for a message (new reference), or NULL if it makes none. */
static json_t *make_output(const char *msg_type, const json_t *content)
{
	const json_t *data = json_object_get(content, "data");
	const json_t *md = json_object_get(content, "metadata");
	json_t *o = json_object();

	if (!o)
		return NULL;
	if (!strcmp(msg_type, "error")) {
		const json_t *tb = json_object_get(content, "traceback");
		const char *en = json_string_value(json_object_get(content, "ename"));
		const char *ev = json_string_value(json_object_get(content, "evalue"));

		json_object_set_new(o, "ename", json_string(en ? en : ""));
		json_object_set_new(o, "evalue", json_string(ev ? ev : ""));
		json_object_set_new(o, "output_type", json_string("error"));
		json_object_set_new(o, "traceback", json_is_array(tb) ? json_deep_copy(tb)
								       : json_array());
		return o;
	}
	json_object_set_new(o, "data", json_is_object(data) ? json_deep_copy(data) : json_object());
	if (!strcmp(msg_type, "execute_result")) {
		const json_t *n = json_object_get(content, "execution_count");

		json_object_set_new(o, "execution_count",
				    json_is_integer(n) ? json_incref((json_t *)n) : json_null());
	}
	json_object_set_new(o, "metadata", json_is_object(md) ? json_deep_copy(md) : json_object());
	json_object_set_new(o, "output_type", json_string(msg_type));
	return o;
}

static const char *display_id(const json_t *content)
{
	const char *id =
		json_string_value(json_object_get(json_object_get(content, "transient"), "display_id"));

	return id && *id ? id : NULL;
}

/* Replaces data and metadata of every live output shown under id, in any cell. */
static int update_display(struct nb_out *m, const char *id, const json_t *content)
{
	struct display *d = nbo_map_get(&m->displays, id);
	const json_t *data = json_object_get(content, "data");
	const json_t *md = json_object_get(content, "metadata");
	size_t i, j, k = 0, n;
	int any = 0;

	if (!d)
		return 0;
	for (i = 0; i < d->n; i++) {
		struct display_ref ref = d->v[i];
		struct nb_cell *cell = code_cell(m, ref.cell_id);
		json_t *outs = cell ? nb_cell_outputs(cell) : NULL;
		struct cstate *cs;

		n = json_array_size(outs);
		for (j = 0; j < n && json_array_get(outs, j) != ref.out; j++)
			;
		if (j == n) { /* cleared or deleted: forget it */
			json_decref(ref.out);
			continue;
		}
		json_object_set_new(ref.out, "data",
				    json_is_object(data) ? json_deep_copy(data) : json_object());
		json_object_set_new(ref.out, "metadata",
				    json_is_object(md) ? json_deep_copy(md) : json_object());
		nb_cell_touch(cell);
		if ((cs = cs_get(m, ref.cell_id)))
			changed(m, cs);
		any = 1;
		d->v[k++] = ref;
	}
	d->n = k;
	return any;
}

static void track_display(struct nb_out *m, const char *id, const char *cell_id, json_t *out)
{
	struct display *d = nbo_map_get(&m->displays, id);
	const char *iid;

	if (!d) {
		iid = nbo_intern(&m->pool, id);
		d = iid ? calloc(1, sizeof(*d)) : NULL;
		if (!d)
			return;
		if (nbo_map_put(&m->displays, iid, d) < 0) {
			free(d);
			return;
		}
	}
	if (d->n == d->cap) {
		size_t cap = d->cap ? d->cap * 2 : 4;
		struct display_ref *v = realloc(d->v, cap * sizeof(*v));

		if (!v)
			return;
		d->v = v;
		d->cap = cap;
	}
	d->v[d->n].cell_id = cell_id;
	d->v[d->n++].out = json_incref(out);
}

static void add_unplaced(struct nb_out *m, const char *msg_type, const json_t *content)
{
	json_t *o;

	if (!strcmp(msg_type, "stream")) {
		const char *name = json_string_value(json_object_get(content, "name"));
		const char *text = json_string_value(json_object_get(content, "text"));

		o = json_pack("{s:s, s:s, s:s}", "name", name ? name : "stdout", "output_type",
			      "stream", "text", text ? text : "");
	} else {
		o = make_output(msg_type, content);
	}
	if (o)
		json_array_append_new(m->unplaced, o);
}

static int is_output_type(const char *t)
{
	return !strcmp(t, "stream") || !strcmp(t, "display_data") ||
	       !strcmp(t, "execute_result") || !strcmp(t, "error");
}

int nb_out_lost(struct nb_out *m, const char *msg_id)
{
	json_t *line, *idle;
	int rc;

	if (!m || !nbo_reqs_get(&m->reqs, msg_id))
		return -1;
	line = json_pack("{s:s, s:s}", "name", "stderr", "text", NB_OUT_LOST_TEXT);
	idle = json_pack("{s:s}", "execution_state", "idle");
	/* The line first: after idle it would count as late output. */
	rc = nb_out_iopub(m, "stream", msg_id, line, NULL);
	if (rc >= 0 && nb_out_iopub(m, "status", msg_id, idle, NULL) < 0)
		rc = -1;
	json_decref(line);
	json_decref(idle);
	return rc;
}

int nb_out_iopub(struct nb_out *m, const char *msg_type, const char *parent_msg_id,
		 const json_t *content, const json_t *metadata)
{
	struct nbo_req *r;
	struct nb_cell *cell;
	struct cstate *cs = NULL;
	struct nb_prov p;
	const char *did;

	if (!m || !msg_type || !json_is_object(content))
		return -1;
	r = nbo_reqs_get(&m->reqs, parent_msg_id);
	if (!strcmp(msg_type, "status")) {
		on_status(m, r, content);
		return 0;
	}
	if (!strcmp(msg_type, "execute_input")) {
		if (!r && parent_msg_id && *parent_msg_id) {
			/* Another client's execution: remember it so its output is recognised. */
			const char *id = nbo_intern(&m->pool, parent_msg_id);

			r = id ? nbo_reqs_add(&m->reqs, id, NULL, NB_REQ_FOREIGN) : NULL;
			if (r)
				r->busy = 1;
			return 0;
		}
		if (r && nbo_req_is_cell(r)) {
			r->busy = 1;
			if (!r->idle)
				m->running = m->started = r;
		}
		set_count(m, r, json_object_get(content, "execution_count"));
		return 0;
	}
	if (!strcmp(msg_type, "update_display_data")) {
		did = display_id(content);
		return did ? update_display(m, did, content) : 0;
	}
	if (!strcmp(msg_type, "clear_output")) {
		cell = place(m, parent_msg_id, metadata, &p, &cs);
		if (!cell)
			return 0;
		if (json_is_true(json_object_get(content, "wait"))) {
			cs_bind(m, cs, cell);
			cs->clear_pending = 1;
			return 0;
		}
		do_clear(m, cs, cell);
		return 1;
	}
	if (!is_output_type(msg_type))
		return 0;

	cell = place(m, parent_msg_id, metadata, &p, &cs);
	if (!cell) {
		add_unplaced(m, msg_type, content);
		return 0;
	}
	if (!strcmp(msg_type, "stream")) {
		const json_t *t = json_object_get(content, "text");
		const char *name = json_string_value(json_object_get(content, "name"));

		if (!name)
			name = "stdout";
		return add_stream(m, cs, cell, name, json_is_string(t) ? json_string_value(t) : "",
				  json_string_length(t), &p) < 0 ? -1 : 1;
	}
	did = display_id(content);
	/* JupyterLab: a display_data reusing a known display_id updates the earlier ones too. */
	if (did && !strcmp(msg_type, "display_data"))
		update_display(m, did, content);
	{
		json_t *out = make_output(msg_type, content);

		pending_clear(m, cs, cell);
		if (append_output(m, cs, cell, out, &p) < 0)
			return -1;
		if (did)
			track_display(m, did, cs->cell_id, out);
	}
	return 1;
}

int nb_out_stdin(struct nb_out *m, const char *request_msg_id, const char *prompt,
		 const char *value, int password)
{
	struct nb_cell *cell;
	struct cstate *cs = NULL;
	struct nb_prov p;
	json_t *content;
	char *text;
	size_t lp, lv;
	int rc;

	if (!m)
		return -1;
	prompt = prompt ? prompt : "";
	value = password ? PASSWORD_MASK : value ? value : "";
	lp = strlen(prompt);
	lv = strlen(value);
	text = malloc(lp + lv + 2);
	if (!text)
		return -1;
	memcpy(text, prompt, lp);
	memcpy(text + lp, value, lv);
	text[lp + lv] = '\n';
	text[lp + lv + 1] = '\0';
	cell = place(m, request_msg_id, NULL, &p, &cs);
	p.flags |= NB_PROV_STDIN;
	if (!cell) {
		content = json_pack("{s:s, s:s}", "name", "stdin", "text", text);
		if (content)
			add_unplaced(m, "stream", content);
		json_decref(content);
		free(text);
		return 0;
	}
	rc = add_stream(m, cs, cell, "stdin", text, lp + lv + 1, &p) < 0 ? -1 : 1;
	free(text);
	return rc;
}

int nb_out_clear_cell(struct nb_out *m, const char *cell_id)
{
	struct nb_cell *cell = m ? code_cell(m, cell_id) : NULL;
	struct cstate *cs;

	if (!cell || !(cs = cs_get(m, cell_id)))
		return -1;
	do_clear(m, cs, cell);
	cs->clear_pending = 0;
	return 0;
}

/* ---- sync and queries ---- */

static void write_attribution(struct nb_out *m, struct cstate *cs, struct nb_cell *cell)
{
	json_t *attr;
	size_t i;

	cs->attr_dirty = 0;
	if (!m->save_attr)
		return;
	attr = json_array();
	if (!attr)
		return;
	for (i = 0; i < cs->nprov; i++) {
		size_t first, n = parts_of(cs, i, &first), k;

		if (nbo_prov_nontrivial(&cs->prov[i], cs->cell_id))
			json_array_append_new(attr, nbo_attr_entry(&cs->prov[i], i));
		for (k = 0; k < n; k++) {
			json_t *e;

			if (!nbo_prov_nontrivial(&cs->parts[first + k].prov, cs->cell_id))
				continue;
			e = nbo_attr_entry(&cs->parts[first + k].prov, i);
			json_object_set_new(e, "part", json_integer((json_int_t)k + 1));
			json_array_append_new(attr, e);
		}
	}
	if (nbo_attr_store(nb_cell_metadata(cell), attr))
		nb_cell_touch(cell);
	json_decref(attr);
}

static size_t sync(struct nb_out *m, int lazy)
{
	size_t i, n = 0;

	if (!m)
		return 0;
	for (i = 0; i < m->nchanged; i++) {
		struct cstate *cs = m->changed[i];
		struct nb_cell *cell = code_cell(m, cs->cell_id);

		cs->listed = 0;
		if (!cell)
			continue;
		cs_bind(m, cs, cell);
		if (cs->text_dirty) {
			if (!lazy)
				flush_text(cs);
			nb_cell_touch(cell);
		}
		if (cs->attr_dirty)
			write_attribution(m, cs, cell);
		n++;
	}
	m->nchanged = 0;
	if (lazy)
		return n;
	/* open streams a lazy sync left in their buffers */
	for (i = 0; i < m->cells.cap; i++) {
		struct cstate *cs = m->cells.s[i].val;
		struct nb_cell *cell;

		if (!m->cells.s[i].key || !cs->text_dirty || !(cell = code_cell(m, cs->cell_id)))
			continue;
		cs_bind(m, cs, cell);
		flush_text(cs);
	}
	return n;
}

size_t nb_out_sync(struct nb_out *m)
{
	return sync(m, 0);
}

size_t nb_out_sync_lazy(struct nb_out *m)
{
	return sync(m, 1);
}

int nb_out_live(struct nb_out *m, const char *cell_id, const json_t **out, const char **text,
		size_t *len, size_t *lines)
{
	struct cstate *cs = m && cell_id ? nbo_map_get(&m->cells, cell_id) : NULL;

	if (!cs || !cs->sout)
		return 0;
	*out = cs->sout;
	*text = cs->text.p ? cs->text.p : "";
	*len = cs->text.len;
	*lines = cs->text.nl + (cs->text.len > cs->text.line);
	return 1;
}

const struct nb_prov *nb_out_prov(struct nb_out *m, const char *cell_id, size_t index)
{
	struct nb_cell *cell = m ? code_cell(m, cell_id) : NULL;
	struct cstate *cs;

	if (!cell || !(cs = cs_get(m, cell_id)))
		return NULL;
	cs_bind(m, cs, cell);
	return index < cs->nprov ? &cs->prov[index] : NULL;
}

const struct nb_prov *nb_out_prov_part(struct nb_out *m, const char *cell_id, size_t index,
				       size_t k)
{
	struct nb_cell *cell = m ? code_cell(m, cell_id) : NULL;
	struct cstate *cs;
	size_t first;

	if (!cell || !(cs = cs_get(m, cell_id)))
		return NULL;
	cs_bind(m, cs, cell);
	if (index >= cs->nprov || k >= parts_of(cs, index, &first))
		return NULL;
	return &cs->parts[first + k].prov;
}

const struct nb_prov *nb_out_last_prov(struct nb_out *m, const char *cell_id)
{
	struct nb_cell *cell = m ? code_cell(m, cell_id) : NULL;
	struct cstate *cs;

	if (!cell || !(cs = cs_get(m, cell_id)))
		return NULL;
	cs_bind(m, cs, cell);
	if (!cs->nprov)
		return NULL;
	if (cs->last_part >= 0 && (size_t)cs->last_part < cs->nparts &&
	    cs->parts[cs->last_part].out == cs->nprov - 1)
		return &cs->parts[cs->last_part].prov;
	return &cs->prov[cs->nprov - 1];
}

static int misrouted(const struct nb_prov *p, const char *cell_id)
{
	return (p->flags & (NB_PROV_LATE | NB_PROV_STRAY | NB_PROV_CROSS_CELL | NB_PROV_ORPHAN)) ||
	       (p->origin_cell && strcmp(p->origin_cell, cell_id) != 0);
}

/* Adds output j's provenance p to the jump list if it is misrouted. -1 on no memory. */
static int mis_add(struct nb_out *m, const struct cstate *cs, size_t j, const struct nb_prov *p)
{
	if (!misrouted(p, cs->cell_id))
		return 0;
	if (m->nmis == m->capmis) {
		size_t cap = m->capmis ? m->capmis * 2 : 16;
		struct nb_misrouted *v = realloc(m->mis, cap * sizeof(*v));

		if (!v)
			return -1;
		m->mis = v;
		m->capmis = cap;
	}
	m->mis[m->nmis].cell_id = cs->cell_id;
	m->mis[m->nmis].index = j;
	m->mis[m->nmis++].prov = p;
	return 0;
}

size_t nb_out_misrouted(struct nb_out *m, const struct nb_misrouted **list)
{
	size_t i, j, nc;

	*list = NULL;
	if (!m)
		return 0;
	m->nmis = 0;
	nc = nb_doc_ncells(m->doc);
	for (i = 0; i < nc; i++) {
		struct nb_cell *cell = nb_doc_cell(m->doc, i);
		const char *id = nb_cell_id(cell);
		struct cstate *cs = nbo_map_get(&m->cells, id);

		if (nb_cell_type(cell) != NB_CODE)
			continue;
		if (!cs) {
			/* Only cells with saved attribution can have misrouted outputs we never saw. */
			const json_t *b = json_object_get(nb_cell_metadata(cell), "bobbin");

			if (!json_object_get(b, "attribution") || !(cs = cs_get(m, id)))
				continue;
		}
		cs_bind(m, cs, cell);
		for (j = 0; j < cs->nprov; j++) {
			size_t first, n = parts_of(cs, j, &first), k;

			if (mis_add(m, cs, j, &cs->prov[j]) < 0)
				goto out;
			for (k = 0; k < n; k++)
				if (mis_add(m, cs, j, &cs->parts[first + k].prov) < 0)
					goto out;
		}
	}
out:
	*list = m->mis;
	return m->nmis;
}

json_t *nb_out_unplaced(struct nb_out *m)
{
	return m ? m->unplaced : NULL;
}
