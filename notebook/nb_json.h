// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * Internals shared by the notebook document files (not a public header): the one-pass JSON scanner
 * that validates a whole .ipynb and finds cell and outputs spans (nb_json_scan.c), the check that a
 * span of outputs is already in the exact form the writer produces, and the writer that reproduces
 * nbformat's bytes (nb_json_write.c). Everything here is named nbj_.
 */
#ifndef BOBBIN_NB_JSON_H
#define BOBBIN_NB_JSON_H

#include <stddef.h>
#include <jansson.h>

/* One element of the top-level "cells" array, as byte offsets into the scanned buffer. */
struct nbj_cell_span {
	size_t start, end;          /* the cell object, '{' .. one past '}' */
	size_t out_start, out_end;  /* the value of its last "outputs" member; 0/0 when none */
};

struct nbj_scan {
	int has_cells;
	size_t cells_start, cells_end;  /* value of the last top-level "cells" member */
	size_t nbformat_off;            /* offset of the top-level "nbformat" value, or 0 */
	struct nbj_cell_span *cells;    /* caller frees (nbj_scan_clear) */
	size_t ncells;
	char **warn;                    /* schema warnings found while scanning; caller frees */
	size_t nwarn;
	/* error, when nbj_scan() returns -1 */
	size_t err_off;
	char err[200];
};

/*
 * Validates buf as one JSON object with exactly the grammar and limits jansson accepts when loading
 * with JSON_ALLOW_NUL (UTF-8, surrogate pairs, no NaN/Infinity, 64-bit integers, finite reals,
 * nesting <= JSON_PARSER_MAX_DEPTH, no NUL in keys), so that jansson cannot later fail on any part
 * of it. Records the cells and outputs spans and warns about outputs with an unknown output_type
 * or missing keys. 0, or -1 with err/err_off set.
 */
int nbj_scan(const char *buf, size_t len, struct nbj_scan *s);
void nbj_scan_clear(struct nbj_scan *s);

/*
 * The same scan, a cell at a time as the bytes of a buffer of len bytes arrive (the first avail
 * now). Only for a top-level object whose first member is "cells": nbj_prog_begin() is NULL
 * otherwise (then wait for all the bytes and use nbj_scan). nbj_prog_cells() scans the cells that
 * lie wholly in the first avail bytes into s->cells: 1 when the list is closed, 0 for more bytes,
 * -1 on an error (s->err; a cell that fails before all bytes are in is taken to be unfinished and
 * tried again later). nbj_prog_finish(), with every byte there, scans the rest of the object:
 * 0, -1 on an error, 1 when a second "cells" member replaced the first (scan again with nbj_scan).
 */
struct nbj_prog;
struct nbj_prog *nbj_prog_begin(const char *buf, size_t len, size_t avail, struct nbj_scan *s);
int nbj_prog_cells(struct nbj_prog *pg, size_t avail);
int nbj_prog_finish(struct nbj_prog *pg);
void nbj_prog_free(struct nbj_prog *pg);
/* 1-based line and column (in characters) of offset off in buf. */
void nbj_position(const char *buf, size_t len, size_t off, int *line, int *col);

/*
 * 1 if the outputs value buf[0..len) of a code cell (an already validated span) is byte for byte
 * what parsing it, joining multi-line strings the way nbformat reads them, and writing it back at
 * nesting level indent would produce. Conservative: 0 whenever unsure.
 */
int nbj_outputs_canonical(const char *buf, size_t len, int indent);

/* Output sink: a growing memory buffer (fd < 0) or a buffered file descriptor. */
struct nbj_sink {
	char *buf;
	size_t len, cap;
	int fd;
	int err;  /* errno of the first failure; later writes are dropped */
	unsigned long long total;
};

void nbj_put(struct nbj_sink *k, const char *s, size_t n);
int nbj_flush(struct nbj_sink *k);

/* How a value is written; mirrors nbformat's split_lines() for each place in a notebook. */
enum nbj_kind {
	NBJ_PLAIN,    /* as is */
	NBJ_LINES,    /* a string becomes the list str.splitlines(True) */
	NBJ_BUNDLE,   /* mimebundle: text/..., application/javascript, image/svg+xml split */
	NBJ_ATTACH,   /* attachments: an object of mimebundles */
	NBJ_OUTPUTS,  /* a code cell's outputs list */
};

void nbj_write(struct nbj_sink *k, json_t *v, int indent, enum nbj_kind kind);
void nbj_write_string(struct nbj_sink *k, const char *s, size_t n);
void nbj_write_newline(struct nbj_sink *k, int indent);
/* Python's repr(float) into out (at least 32 bytes). */
void nbj_format_real(double d, char *out, size_t size);
/* The object's keys sorted by code point. Caller frees the array (not the keys). */
const char **nbj_sorted_keys(json_t *obj, size_t *n);

/* nbformat's reading rules (rwbase.rejoin_lines), in place. */
int nbj_is_json_mime(const char *key);
int nbj_is_split_mime(const char *key);
void nbj_rejoin_bundle(json_t *bundle);
void nbj_rejoin_outputs(json_t *outputs);
/* If v is a list of strings, the joined string (new reference), else NULL. */
json_t *nbj_join(json_t *v);

#endif
