// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * Find and replace in vim's words: "s/PAT/REP/[g][c]" on the focused cell's lines (or the
 * selected cells'), "%s/PAT/REP/[g][c]" on every cell. PAT is a POSIX extended regular
 * expression matched within one line at a time; REP may use & (the match) and \1..\9 (groups),
 * \& and \\ for themselves, and \n for a line break. Without g only the first match of each line
 * is replaced; c asks for each one. Any punctuation can stand for '/', and a backslash before it
 * makes it literal. This header's rp_* functions are pure (no app, no curses).
 */
#ifndef BOBBIN_REPLACE_H
#define BOBBIN_REPLACE_H

#include <regex.h>
#include <stddef.h>

struct rp {
	regex_t re;
	int compiled;
	char *rep;        /* the replacement as written (escapes resolved at expansion) */
	int all_cells;    /* % */
	int global;       /* g */
	int confirm;      /* c */
	regmatch_t m[10]; /* the last rp_find() */
};

/* 1 if line (after ':' and blanks) is a substitute command ("s/", "%s/", "s#" …). */
int rp_is_subst(const char *line);
/* Parses and compiles line into *r (which the caller frees with rp_free() whatever the result).
 * 0, or -1 with one line naming the problem in err. */
int rp_parse(struct rp *r, const char *line, char *err, size_t errsize);
void rp_free(struct rp *r);
/* The next match in s at or after byte from, not crossing a line: 1 with [*ms, *me), else 0.
 * Without g, a match after another one replaced on the same line (from past the line's start
 * with after_repl set) does not count. */
int rp_find(struct rp *r, const char *s, size_t from, int after_repl, size_t *ms, size_t *me);
/* Caller frees. The replacement text for the last rp_find() on s; *n its length. */
char *rp_expand(const struct rp *r, const char *s, size_t *n);
/* Caller frees. s with every match replaced (as the flags say, without asking); *count gets the
 * number. NULL when out of memory. */
char *rp_apply(struct rp *r, const char *s, size_t *count);

#endif
