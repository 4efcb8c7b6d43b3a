// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * The output model's tables: a string-keyed open-addressing hash map, string interning (so the
 * many copies of one msg_id or thread name in provenance share one allocation and compare by
 * pointer), and the request table that maps each msg_id the front end sent to its cell and
 * lifecycle (busy, reply, idle).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "notebook/nb_output_private.h"

/* FNV-1a: short keys (uuids, cell ids), no adversarial input that matters here. */
static size_t hash_str(const char *s)
{
	uint64_t h = 1469598103934665603ull;

	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 1099511628211ull;
	}
	return (size_t)h;
}

static struct nbo_slot *find_slot(struct nbo_slot *s, size_t cap, const char *key)
{
	size_t i = hash_str(key) & (cap - 1);

	while (s[i].key && s[i].key != key && strcmp(s[i].key, key) != 0)
		i = (i + 1) & (cap - 1);
	return &s[i];
}

void *nbo_map_get(const struct nbo_map *map, const char *key)
{
	struct nbo_slot *slot;

	if (!map->cap || !key)
		return NULL;
	slot = find_slot(map->s, map->cap, key);
	return slot->key ? slot->val : NULL;
}

static int grow(struct nbo_map *map)
{
	size_t cap = map->cap ? map->cap * 2 : 16, i;
	struct nbo_slot *s = calloc(cap, sizeof(*s));

	if (!s)
		return -1;
	for (i = 0; i < map->cap; i++)
		if (map->s[i].key)
			*find_slot(s, cap, map->s[i].key) = map->s[i];
	free(map->s);
	map->s = s;
	map->cap = cap;
	return 0;
}

int nbo_map_put(struct nbo_map *map, const char *key, void *val)
{
	struct nbo_slot *slot;

	if ((map->n + 1) * 4 > map->cap * 3 && grow(map) < 0)
		return -1;
	slot = find_slot(map->s, map->cap, key);
	if (!slot->key) {
		slot->key = key;
		map->n++;
	}
	slot->val = val;
	return 0;
}

void nbo_map_clear(struct nbo_map *map)
{
	free(map->s);
	map->s = NULL;
	map->cap = map->n = 0;
}

const char *nbo_intern(struct nbo_map *pool, const char *s)
{
	char *copy;
	const char *have;

	if (!s)
		return NULL;
	have = nbo_map_get(pool, s);
	if (have)
		return have;
	copy = strdup(s);
	if (!copy)
		return NULL;
	if (nbo_map_put(pool, copy, copy) < 0) {
		free(copy);
		return NULL;
	}
	return copy;
}

void nbo_intern_clear(struct nbo_map *pool)
{
	size_t i;

	for (i = 0; i < pool->cap; i++)
		free((char *)pool->s[i].key);
	nbo_map_clear(pool);
}

struct nbo_req *nbo_reqs_add(struct nbo_reqs *t, const char *msg_id, const char *cell_id,
			     enum nb_req_kind kind)
{
	struct nbo_req *r = nbo_map_get(&t->map, msg_id);

	if (r) {
		/* The same msg_id registered again (a resend): keep its lifecycle, take the new
		 * meaning. */
		r->cell_id = cell_id;
		r->kind = kind;
		return r;
	}
	if (t->n == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 16;
		struct nbo_req **v = realloc(t->v, cap * sizeof(*v));

		if (!v)
			return NULL;
		t->v = v;
		t->cap = cap;
	}
	r = calloc(1, sizeof(*r));
	if (!r)
		return NULL;
	r->msg_id = msg_id;
	r->cell_id = cell_id;
	r->kind = kind;
	r->seq = t->n;
	if (nbo_map_put(&t->map, msg_id, r) < 0) {
		free(r);
		return NULL;
	}
	t->v[t->n++] = r;
	return r;
}

struct nbo_req *nbo_reqs_get(const struct nbo_reqs *t, const char *msg_id)
{
	if (!msg_id || !*msg_id)
		return NULL;
	return nbo_map_get(&t->map, msg_id);
}

void nbo_reqs_clear(struct nbo_reqs *t)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		free(t->v[i]);
	free(t->v);
	t->v = NULL;
	t->n = t->cap = 0;
	nbo_map_clear(&t->map);
}

int nbo_req_is_cell(const struct nbo_req *r)
{
	return r && r->kind == NB_REQ_EXECUTE && r->cell_id;
}

int nbo_req_done(const struct nbo_req *r)
{
	return r && r->reply && r->idle;
}
