// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * Internals shared by the output model's files (nb_output*.c) and its unit test: a string-keyed
 * hash map and string interning, the request table, the stream text buffer with JupyterLab's
 * cursor semantics and the flood limit, and the saved-attribution codec. Not a public API.
 */
#ifndef BOBBIN_NB_OUTPUT_PRIVATE_H
#define BOBBIN_NB_OUTPUT_PRIVATE_H

#include <stddef.h>
#include <jansson.h>

#include "notebook/nb_output.h"

/* Open-addressing map from string keys to pointers. Keys are borrowed: they must outlive the map
 * (the model passes interned strings). No removal: the model only ever adds. */
struct nbo_slot {
	const char *key;
	void *val;
};
struct nbo_map {
	struct nbo_slot *s;
	size_t cap, n;
};
void *nbo_map_get(const struct nbo_map *map, const char *key);
/* Inserts or replaces. 0, or -1 on no memory. */
int nbo_map_put(struct nbo_map *map, const char *key, void *val);
/* Frees the table, not the keys or values. */
void nbo_map_clear(struct nbo_map *map);

/* Interned copies of strings, freed with the pool: equal strings get the same pointer, so
 * provenance can be compared by pointer. NULL in, NULL out; NULL on no memory. */
const char *nbo_intern(struct nbo_map *pool, const char *s);
void nbo_intern_clear(struct nbo_map *pool);

/* The request table: every request the front end registered, plus foreign executions. */
struct nbo_req {
	const char *msg_id;  /* interned */
	const char *cell_id; /* interned; NULL when not for a cell */
	enum nb_req_kind kind;
	unsigned busy : 1, idle : 1, reply : 1;
	size_t seq;          /* registration order */
};
struct nbo_reqs {
	struct nbo_map map;  /* msg_id → struct nbo_req * */
	struct nbo_req **v;  /* in registration order */
	size_t n, cap;
};
/* Adds (or re-registers) a request; msg_id and cell_id must be interned. NULL on no memory. */
struct nbo_req *nbo_reqs_add(struct nbo_reqs *t, const char *msg_id, const char *cell_id,
			     enum nb_req_kind kind);
struct nbo_req *nbo_reqs_get(const struct nbo_reqs *t, const char *msg_id);
void nbo_reqs_clear(struct nbo_reqs *t);
/* A cell execution: NB_REQ_EXECUTE with a cell. */
int nbo_req_is_cell(const struct nbo_req *r);
/* Finished: both the reply and idle arrived. */
int nbo_req_done(const struct nbo_req *r);

/* The text of one stream output, processed as JupyterLab >= 4.3 does, with the flood limit.
 * The cursor always lies in the last line: only "\r" and "\b" move it back, never past a "\n". */
struct nbo_text {
	char *p;
	size_t len, cap;
	size_t cursor;        /* byte offset where the next character is written */
	size_t line;          /* start of the last line (just after the last "\n") */
	size_t nl;            /* "\n" in p[0..len) */
	int trimming;         /* the head is fixed and a marker follows it */
	size_t limit;         /* 0 = unlimited */
	size_t head;          /* bytes kept at the start once trimming began */
	size_t marker;        /* bytes of the marker line that follows the head */
	unsigned long long dropped_bytes, dropped_lines;
};
void nbo_text_init(struct nbo_text *t, size_t limit);
void nbo_text_clear(struct nbo_text *t);
/* Applies n bytes of UTF-8 text at the cursor. 0, or -1 on no memory (text unchanged). */
int nbo_text_append(struct nbo_text *t, const char *s, size_t n);
/* Formats v with thousands separators ("1234567" → "1,234,567"). */
void nbo_group(char *out, size_t size, unsigned long long v);
/* Bytes of stream text kept, not counting the marker. */
size_t nbo_text_kept(const struct nbo_text *t);

/* Saved attribution (docs/attribution.md). Whether p is worth saving. */
int nbo_prov_nontrivial(const struct nb_prov *p, const char *cell_id);
/* One attribution entry for output index (new reference). */
json_t *nbo_attr_entry(const struct nb_prov *p, size_t index);
/* Reads entry e back into *p (strings interned in pool); returns the output index or -1. */
long nbo_attr_read(const json_t *e, struct nb_prov *p, struct nbo_map *pool);
/* Sets or removes metadata.bobbin.attribution of a cell metadata object so it equals attr (an
 * array, borrowed; empty removes the key and an emptied "bobbin" object). 1 if md changed. */
int nbo_attr_store(json_t *md, json_t *attr);

#endif
