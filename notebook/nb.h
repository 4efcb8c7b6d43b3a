// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * notebook/ — bobbin's document: the nbformat 4 model that every front end edits and fills,
 * loaded losslessly and saved byte-for-byte as nbformat writes it. Depends on jansson only.
 *
 * Cells are addressed by index for drawing and by id across asynchronous gaps (a request keeps the
 * cell id, not a pointer: a deleted cell is simply not found). Outputs are parsed lazily: loading
 * only finds cell and output boundaries; a cell's outputs become a jansson tree the first time
 * nb_cell_outputs() is called (when shown, run or saved). Unchanged cells are written back from
 * their original bytes where that is provably identical.
 */
#ifndef BOBBIN_NB_H
#define BOBBIN_NB_H

#include <stddef.h>
#include <jansson.h>

struct nb_doc;
struct nb_cell;

enum nb_cell_type { NB_CODE, NB_MARKDOWN, NB_RAW };

struct nb_error {
	int line, column;  /* 0 when not about a position in a file */
	char text[256];    /* one line: names the file and the cause */
};

/* Warnings found while loading (schema violations that could be repaired or kept), one per line,
 * each naming the JSON path. Borrowed; valid until the doc is freed. */
struct nb_warnings {
	size_t n;
	char **text;
};

/* A new empty notebook (nbformat 4.5, one empty code cell). Caller frees. */
struct nb_doc *nb_doc_new(void);
/* Loads path. NULL with *err set on failure (not JSON, nbformat < 4, no cells, NaN, integers
 * beyond 64 bits, unreadable): the file is never touched. Caller frees. */
struct nb_doc *nb_doc_load(const char *path, struct nb_error *err);
/*
 * The same, for the notebook screen, without waiting for a large file: a file larger than `first`
 * bytes whose first member is "cells" is read and checked a slice at a time, and the document
 * holds the cells read so far (nb_doc_ncells grows). nb_doc_load_more() reads up to budget more
 * bytes: 1 when the document is complete (only then are its metadata, warnings and every cell
 * there), 0 while there is more, -1 on an error (*err set, as nb_doc_load would have said; the
 * document must not be used further). nb_doc_save() completes the document first.
 */
struct nb_doc *nb_doc_open(const char *path, size_t first, struct nb_error *err);
int nb_doc_load_more(struct nb_doc *doc, size_t budget, struct nb_error *err);
int nb_doc_loading(const struct nb_doc *doc);
/* Same, from memory (name is used in messages). */
struct nb_doc *nb_doc_load_buffer(const char *buf, size_t len, const char *name,
				  struct nb_error *err);
void nb_doc_free(struct nb_doc *doc);

/* Saves atomically (temp file in the same directory, fsync, rename; permissions kept). Refuses,
 * unless force, when the file changed on disk since it was loaded or last saved (stat, then a
 * hash of its bytes, so an in-place rewrite keeping size and mtime counts), and when path names
 * an existing file that is not this notebook's (like vim's E13). path NULL: the
 * path it was loaded from. A failed save leaves the original intact. 0 or -1 with *err.
 * After saving to another path, that path becomes the document's path (like "save as"). A 4.0–4.4
 * notebook that was changed since loading is upgraded to 4.5 (cell ids written) when saved. */
int nb_doc_save(struct nb_doc *doc, const char *path, int force, struct nb_error *err);
/* The exact bytes a save would write. Caller frees. */
char *nb_doc_serialize(struct nb_doc *doc, size_t *len);

const char *nb_doc_path(const struct nb_doc *doc);          /* borrowed; NULL for a new doc */
const struct nb_warnings *nb_doc_warnings(const struct nb_doc *doc);
int nb_doc_dirty(const struct nb_doc *doc);                 /* changed since load/save */
void nb_doc_set_dirty(struct nb_doc *doc);
/* Notebook-level metadata object (kernelspec, language_info, …). Borrowed; editing it through
 * jansson is allowed, then call nb_doc_set_dirty(). */
json_t *nb_doc_metadata(struct nb_doc *doc);

/* nbformat_minor as loaded (5 for new documents; 5 after an upgrade on save). */
int nb_doc_nbformat_minor(const struct nb_doc *doc);

size_t nb_doc_ncells(const struct nb_doc *doc);
struct nb_cell *nb_doc_cell(struct nb_doc *doc, size_t index);     /* borrowed, NULL if out of range */
struct nb_cell *nb_doc_find(struct nb_doc *doc, const char *id);   /* borrowed, NULL if none */
long nb_doc_index(const struct nb_doc *doc, const struct nb_cell *cell); /* -1 if not in doc */

/* Inserts a new empty cell at index (0..ncells) with a fresh unique id. Borrowed result. */
struct nb_cell *nb_doc_insert(struct nb_doc *doc, size_t index, enum nb_cell_type type);
/* Removes the cell at index and returns it (caller owns it: re-insert or free). */
struct nb_cell *nb_doc_take(struct nb_doc *doc, size_t index);
/* Puts an owned cell at index (takes ownership); gives it a new id if its id collides. */
void nb_doc_put(struct nb_doc *doc, size_t index, struct nb_cell *cell);
void nb_cell_free(struct nb_cell *cell);
/* A deep copy with a new id. Caller owns. */
struct nb_cell *nb_cell_copy(struct nb_doc *doc, const struct nb_cell *cell);
/* A deep copy keeping the id (for undo: put it back only after the original left the doc, or
 * nb_doc_put() renames it). Caller owns; NULL when out of memory. */
struct nb_cell *nb_cell_clone(const struct nb_cell *cell);

const char *nb_cell_id(const struct nb_cell *cell);                 /* borrowed */
enum nb_cell_type nb_cell_type(const struct nb_cell *cell);
void nb_cell_set_type(struct nb_cell *cell, enum nb_cell_type type);
/* Source as one UTF-8 string (list form joined). Borrowed until the next change of the cell. */
const char *nb_cell_source(struct nb_cell *cell);
void nb_cell_set_source(struct nb_cell *cell, const char *text);
/* Execution count, -1 for null. */
long nb_cell_execution_count(const struct nb_cell *cell);
void nb_cell_set_execution_count(struct nb_cell *cell, long n);
/* The cell's outputs as an nbformat outputs array (parsed on first call). Borrowed; the output
 * model edits it in place and then calls nb_cell_touch(). Empty array for non-code cells. */
json_t *nb_cell_outputs(struct nb_cell *cell);
/* 1 once the outputs are a jansson tree (always, for cells whose outputs were never lazy). */
int nb_cell_outputs_parsed(const struct nb_cell *cell);
/* The cell's attachments object (name -> mimebundle, multi-line strings joined), NULL if none.
 * Borrowed; edit through jansson, then nb_cell_touch(). */
json_t *nb_cell_attachments(struct nb_cell *cell);
/* Cell metadata object. Borrowed; edit through jansson, then nb_cell_touch(). */
json_t *nb_cell_metadata(struct nb_cell *cell);
/* Marks the cell (and its doc) changed, so it is re-serialised and the doc is dirty. */
void nb_cell_touch(struct nb_cell *cell);

#endif
