// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * R for tui/highlight: one left-to-right scan, O(len), no backtracking, reads only src[0..len).
 * Roles: reserved words (if, function, TRUE, NULL, NA_integer_, ...) are keywords; a few base
 * functions are builtins (not after $ or @); strings in '...' and "..." with escapes, which may
 * span lines (R's do), raw strings r"(...)" / R"-[...]-" (R 4.0) ending at the matching closer;
 * comments from # to the line's end; numbers (1, 1.5, .5, 1e-3, 0x1F, 1L, 2i); operators, with
 * %op% (%in%, %>%) and the assignment arrows <- <<- -> ->> as one token each. Names may hold '.'
 * and '_' (data.frame); `quoted names` stay plain. Unterminated strings run to the end.
 */
#include <string.h>

#include "tui/highlight.h"
#include "tui/theme.h"

/* ?Reserved, sorted. */
static const char *const r_keywords[] = {
    "FALSE", "Inf",         "NA",       "NA_character_", "NA_complex_", "NA_integer_",
    "NA_real_", "NULL",     "NaN",      "TRUE",          "break",       "else",
    "for",   "function",    "if",       "in",            "next",        "repeat",
    "while",
};

/* Base functions met in most cells, sorted. */
static const char *const r_builtins[] = {
    "c", "cat", "data.frame", "invisible", "is.na", "is.null", "length", "library", "list",
    "matrix", "message", "names", "nrow", "paste", "paste0", "print", "rep", "require",
    "return", "seq", "seq_along", "seq_len", "sprintf", "stop", "stopifnot", "sum",
    "suppressWarnings", "tryCatch", "vector", "warning",
};

#define R_COUNT(a) (sizeof(a) / sizeof((a)[0]))

static int r_in(const char *const *list, size_t count, const unsigned char *s, size_t n)
{
	size_t lo = 0, hi = count;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2, el = strlen(list[mid]);
		int c = memcmp(s, list[mid], n < el ? n : el);

		if (!c)
			c = n < el ? -1 : n > el;
		if (!c)
			return 1;
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return 0;
}

static int r_alpha(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c >= 0x80;
}

static int r_digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

static int r_name_char(unsigned char c)
{
	return r_alpha(c) || r_digit(c) || c == '.' || c == '_';
}

static void r_mark(unsigned char *roles, size_t from, size_t to, int role)
{
	if (from < to)
		memset(roles + from, role, to - from);
}

/* A quoted string whose quote is at i; returns its end. */
static size_t r_string(const unsigned char *s, size_t n, size_t i)
{
	unsigned char q = s[i];
	size_t j = i + 1;

	while (j < n && s[j] != q)
		j += s[j] == '\\' ? 2 : 1;
	return j < n ? j + 1 : n;
}

/* r"---(...)---" with its r at i and quote at i + 1; returns its end, or 0 if not one. */
static size_t r_raw_string(const unsigned char *s, size_t n, size_t i)
{
	size_t j = i + 2, dashes = 0;
	unsigned char q = s[i + 1], close;

	while (j < n && s[j] == '-')
		j++, dashes++;
	if (j >= n || !strchr("([{", s[j]) || !s[j])
		return 0;
	close = s[j] == '(' ? ')' : s[j] == '[' ? ']' : '}';
	for (j++; j < n; j++) {
		size_t k = j + 1, d = 0;

		if (s[j] != close)
			continue;
		while (k < n && d < dashes && s[k] == '-')
			k++, d++;
		if (d == dashes && k < n && s[k] == q)
			return k + 1;
	}
	return n;
}

static size_t r_number(const unsigned char *s, size_t n, size_t i)
{
	size_t j = i;

	if (s[i] == '0' && i + 1 < n && (s[i + 1] | 0x20) == 'x') {
		j = i + 2;
		while (j < n && (r_digit(s[j]) || ((s[j] | 0x20) >= 'a' && (s[j] | 0x20) <= 'f')))
			j++;
	} else {
		while (j < n && r_digit(s[j]))
			j++;
		if (j < n && s[j] == '.')
			for (j++; j < n && r_digit(s[j]); j++)
				;
		if (j < n && (s[j] | 0x20) == 'e') {
			size_t k = j + 1;

			if (k < n && (s[k] == '+' || s[k] == '-'))
				k++;
			if (k < n && r_digit(s[k]))
				for (j = k; j < n && r_digit(s[j]); j++)
					;
		}
	}
	if (j < n && (s[j] == 'L' || s[j] == 'i'))
		j++;
	return j;
}

/* An operator at i; returns its end (at least i + 1). */
static size_t r_operator(const unsigned char *s, size_t n, size_t i)
{
	if (s[i] == '%') {
		/* to the closing % on the same line (what is scanned is consumed: linear) */
		size_t j = i + 1;

		while (j < n && s[j] != '%' && s[j] != '\n')
			j++;
		return j < n && s[j] == '%' ? j + 1 : i + 1;
	}
	if (s[i] == '<' && i + 1 < n && s[i + 1] == '<' && i + 2 < n && s[i + 2] == '-')
		return i + 3;
	if (s[i] == '-' && i + 2 < n && s[i + 1] == '>' && s[i + 2] == '>')
		return i + 3;
	if (i + 1 < n && ((s[i] == '<' && s[i + 1] == '-') || (s[i] == '-' && s[i + 1] == '>') ||
			  (s[i] == '|' && s[i + 1] == '>') || (s[i + 1] == '=' && strchr("<>=!", s[i]))))
		return i + 2;
	return i + 1;
}

void hl_r(const char *src, size_t len, unsigned char *roles)
{
	const unsigned char *s = (const unsigned char *)src;
	size_t i = 0, j;
	int member = 0; /* after $ or @: a name is a field, not a function */

	while (i < len) {
		unsigned char c = s[i];
		int was_member = member;

		member = 0;
		if (c == '#') {
			const unsigned char *nl = memchr(s + i, '\n', len - i);

			j = nl ? (size_t)(nl - s) : len;
			r_mark(roles, i, j, THEME_CODE_COMMENT);
		} else if ((c == 'r' || c == 'R') && i + 1 < len && (s[i + 1] == '"' || s[i + 1] == '\'') &&
			   (i == 0 || !r_name_char(s[i - 1])) && (j = r_raw_string(s, len, i))) {
			r_mark(roles, i, j, THEME_CODE_STRING);
		} else if (c == '"' || c == '\'') {
			j = r_string(s, len, i);
			r_mark(roles, i, j, THEME_CODE_STRING);
		} else if (c == '`') {
			const unsigned char *e = memchr(s + i + 1, '`', len - i - 1);

			j = e ? (size_t)(e - s) + 1 : len;
		} else if (r_digit(c) || (c == '.' && i + 1 < len && r_digit(s[i + 1]))) {
			j = r_number(s, len, i);
			r_mark(roles, i, j, THEME_CODE_NUMBER);
		} else if (r_alpha(c) || c == '.') {
			for (j = i; j < len && r_name_char(s[j]); j++)
				;
			if (r_in(r_keywords, R_COUNT(r_keywords), s + i, j - i))
				r_mark(roles, i, j, THEME_CODE_KEYWORD);
			else if (!was_member && r_in(r_builtins, R_COUNT(r_builtins), s + i, j - i))
				r_mark(roles, i, j, THEME_CODE_BUILTIN);
		} else if (c && strchr("+-*/^<>=!&|~?:%", c)) {
			j = r_operator(s, len, i);
			r_mark(roles, i, j, THEME_CODE_OPERATOR);
		} else {
			j = i + 1;
			member = c == '$' || c == '@';
		}
		i = j;
	}
}
