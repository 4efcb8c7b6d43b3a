// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * Undo and redo of cell operations (insert, delete, cut, paste, move, merge, split, type
 * change): every one of them replaces a run of neighbouring cells with another run, so a step is
 * "at index at, the n cells that were there before" plus how many cells stand there now. Undo
 * takes the cells that stand there out, keeps them for redo, and puts the old ones back (with
 * their ids); redo does the same the other way. Text typed into a cell is the cell editor's own
 * undo, not this.
 *
 * Use: nb_undo_begin() before the operation snapshots the cells it will touch, nb_undo_end()
 * after it records the step (the number of cells now there follows from the cell count).
 * Jansson and the document only: no curses, no I/O.
 */
#ifndef BOBBIN_NB_UNDO_H
#define BOBBIN_NB_UNDO_H

#include <stddef.h>

#include "notebook/nb.h"

#define NB_UNDO_MAX 100 /* steps kept; older ones are forgotten */

struct nb_undo;

/* Caller frees with nb_undo_free(). NULL when out of memory. */
struct nb_undo *nb_undo_new(void);
void nb_undo_free(struct nb_undo *u);
/* Forgets every step (another document was opened). */
void nb_undo_clear(struct nb_undo *u);
/* Snapshots cells [at, at+n) of doc (clamped) before an operation. 0, or -1 when out of memory
 * (the operation may go ahead; it just cannot be undone). */
int nb_undo_begin(struct nb_undo *u, struct nb_doc *doc, size_t at, size_t n);
/* The operation is done: records the step (and drops what could be redone). Without a
 * nb_undo_begin() since the last end, does nothing. */
void nb_undo_end(struct nb_undo *u, struct nb_doc *doc);
/* 1 if a step was undone / redone, with *at (may be NULL) the first cell it put back and *n (may
 * be NULL) how many; 0 if there was none. */
int nb_undo_undo(struct nb_undo *u, struct nb_doc *doc, size_t *at, size_t *n);
int nb_undo_redo(struct nb_undo *u, struct nb_doc *doc, size_t *at, size_t *n);

#endif
