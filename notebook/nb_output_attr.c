// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * Saved attribution: the provenance of outputs that did not simply come from their own cell's main
 * thread, kept in cell metadata (metadata.bobbin.attribution) so it survives saving and reopening.
 * The format is described in docs/attribution.md. Ordinary notebooks get no metadata at all.
 */
#include <string.h>

#include "notebook/nb_output_private.h"

int nbo_prov_nontrivial(const struct nb_prov *p, const char *cell_id)
{
	if (p->flags & (NB_PROV_LATE | NB_PROV_CROSS_CELL | NB_PROV_STRAY | NB_PROV_ORPHAN))
		return 1;
	if (p->origin_cell && (!cell_id || strcmp(p->origin_cell, cell_id) != 0))
		return 1;
	/* A thread other than the main one (the agent says "main" for the cell's own thread). */
	if ((p->flags & NB_PROV_THREAD) && !(p->origin_kind && !strcmp(p->origin_kind, "main")))
		return 1;
	return 0;
}

static json_t *str_or_null(const char *s)
{
	return s ? json_string(s) : json_null();
}

json_t *nbo_attr_entry(const struct nb_prov *p, size_t index)
{
	json_t *e = json_object(), *th = json_null();

	if (!e)
		return NULL;
	if (p->flags & NB_PROV_THREAD) {
		th = json_object();
		json_object_set_new(th, "ident", json_integer(p->thread_ident));
		json_object_set_new(th, "name", str_or_null(p->thread_name));
	}
	json_object_set_new(e, "cross_cell", json_boolean(p->flags & NB_PROV_CROSS_CELL));
	json_object_set_new(e, "late", json_boolean(p->flags & NB_PROV_LATE));
	json_object_set_new(e, "origin", str_or_null(p->origin_cell));
	json_object_set_new(e, "origin_kind", str_or_null(p->origin_kind));
	json_object_set_new(e, "output", json_integer((json_int_t)index));
	json_object_set_new(e, "policy", str_or_null(p->policy));
	/* An orphan (its cell was deleted) landed where stray output lands: saved as stray. */
	json_object_set_new(e, "stray",
			    json_boolean(p->flags & (NB_PROV_STRAY | NB_PROV_ORPHAN)));
	json_object_set_new(e, "thread", th);
	return e;
}

static const char *get_str(const json_t *o, const char *key, struct nbo_map *pool)
{
	const json_t *v = json_object_get(o, key);

	return json_is_string(v) ? nbo_intern(pool, json_string_value(v)) : NULL;
}

long nbo_attr_read(const json_t *e, struct nb_prov *p, struct nbo_map *pool)
{
	const json_t *idx = json_object_get(e, "output"), *th;

	if (!json_is_object(e) || !json_is_integer(idx) || json_integer_value(idx) < 0)
		return -1;
	memset(p, 0, sizeof(*p));
	p->thread_native_id = -1;
	p->flags = NB_PROV_LOADED;
	if (json_is_true(json_object_get(e, "late")))
		p->flags |= NB_PROV_LATE;
	if (json_is_true(json_object_get(e, "stray")))
		p->flags |= NB_PROV_STRAY;
	if (json_is_true(json_object_get(e, "cross_cell")))
		p->flags |= NB_PROV_CROSS_CELL;
	p->origin_cell = get_str(e, "origin", pool);
	p->origin_kind = get_str(e, "origin_kind", pool);
	p->policy = get_str(e, "policy", pool);
	th = json_object_get(e, "thread");
	if (json_is_object(th)) {
		const json_t *ident = json_object_get(th, "ident");

		p->flags |= NB_PROV_THREAD;
		p->thread_name = get_str(th, "name", pool);
		if (json_is_integer(ident))
			p->thread_ident = json_integer_value(ident);
	}
	return (long)json_integer_value(idx);
}

int nbo_attr_store(json_t *md, json_t *attr)
{
	json_t *b = json_object_get(md, "bobbin"), *old;

	if (!json_is_object(md))
		return 0;
	old = json_is_object(b) ? json_object_get(b, "attribution") : NULL;
	if (json_array_size(attr) == 0) {
		if (!old)
			return 0;
		json_object_del(b, "attribution");
		if (json_object_size(b) == 0)
			json_object_del(md, "bobbin");
		return 1;
	}
	if (old && json_equal(old, attr))
		return 0;
	if (!json_is_object(b)) {
		/* A non-object "bobbin" is not ours to interpret; attribution needs the object. */
		b = json_object();
		if (!b || json_object_set_new(md, "bobbin", b) < 0)
			return 0;
	}
	json_object_set(b, "attribution", attr);
	return 1;
}
