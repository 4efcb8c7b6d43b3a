// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * Syntax colouring of cell sources, one role per byte. The Python scanner is a hand-written
 * single pass: each token is classified where it starts and consumed whole, so the work is
 * linear in the length. The only look-ahead beyond a token is for the soft keywords match and
 * case, which read to the end of their own line once (at most once per line). See highlight.h.
 */
#include "tui/highlight.h"

#include <stdlib.h>
#include <string.h>

#include "tui/theme.h"

_Static_assert(THEME_NROLES <= 256, "theme roles must fit in a byte");

/* Sorted for bsearch. */
static const char *const hl_keywords[] = {
    "False", "None",     "True",  "and",    "as",   "assert", "async",  "await",    "break",
    "class", "continue", "def",   "del",    "elif", "else",   "except", "finally",  "for",
    "from",  "global",   "if",    "import", "in",   "is",     "lambda", "nonlocal", "not",
    "or",    "pass",     "raise", "return", "try",  "while",  "with",   "yield",
};

/* Builtin functions, types, constants and the common exception classes; sorted. */
static const char *const hl_builtins[] = {
    "ArithmeticError",
    "AssertionError",
    "AttributeError",
    "BaseException",
    "BaseExceptionGroup",
    "BlockingIOError",
    "BrokenPipeError",
    "BufferError",
    "ConnectionError",
    "DeprecationWarning",
    "EOFError",
    "Ellipsis",
    "EnvironmentError",
    "Exception",
    "ExceptionGroup",
    "FileExistsError",
    "FileNotFoundError",
    "FloatingPointError",
    "GeneratorExit",
    "IOError",
    "ImportError",
    "IndentationError",
    "IndexError",
    "InterruptedError",
    "IsADirectoryError",
    "KeyError",
    "KeyboardInterrupt",
    "LookupError",
    "MemoryError",
    "ModuleNotFoundError",
    "NameError",
    "NotADirectoryError",
    "NotImplemented",
    "NotImplementedError",
    "OSError",
    "OverflowError",
    "PermissionError",
    "RecursionError",
    "ReferenceError",
    "RuntimeError",
    "RuntimeWarning",
    "StopAsyncIteration",
    "StopIteration",
    "SyntaxError",
    "SystemError",
    "SystemExit",
    "TabError",
    "TimeoutError",
    "TypeError",
    "UnboundLocalError",
    "UnicodeDecodeError",
    "UnicodeEncodeError",
    "UnicodeError",
    "UserWarning",
    "ValueError",
    "Warning",
    "ZeroDivisionError",
    "__build_class__",
    "__debug__",
    "__import__",
    "abs",
    "aiter",
    "all",
    "anext",
    "any",
    "ascii",
    "bin",
    "bool",
    "breakpoint",
    "bytearray",
    "bytes",
    "callable",
    "chr",
    "classmethod",
    "compile",
    "complex",
    "delattr",
    "dict",
    "dir",
    "display",
    "divmod",
    "enumerate",
    "eval",
    "exec",
    "exit",
    "filter",
    "float",
    "format",
    "frozenset",
    "getattr",
    "globals",
    "hasattr",
    "hash",
    "help",
    "hex",
    "id",
    "input",
    "int",
    "isinstance",
    "issubclass",
    "iter",
    "len",
    "list",
    "locals",
    "map",
    "max",
    "memoryview",
    "min",
    "next",
    "object",
    "oct",
    "open",
    "ord",
    "pow",
    "print",
    "property",
    "quit",
    "range",
    "repr",
    "reversed",
    "round",
    "set",
    "setattr",
    "slice",
    "sorted",
    "staticmethod",
    "str",
    "sum",
    "super",
    "tuple",
    "type",
    "vars",
    "zip",
};

/* Magics whose arguments (line) or body (cell) are Python code; sorted. */
static const char *const hl_py_magics[] = {
    "capture", "cython", "debug",   "memit", "prun",   "px",
    "pypy",    "python", "python3", "time",  "timeit",
};

#define HL_COUNT(a) (sizeof(a) / sizeof((a)[0]))

struct hl_word {
	const unsigned char *s;
	size_t n;
};

static int hl_word_cmp(const void *key, const void *elem)
{
	const struct hl_word *w = key;
	const char *e = *(const char *const *)elem;
	size_t el = strlen(e);
	int c = memcmp(w->s, e, w->n < el ? w->n : el);

	if (c)
		return c;
	return w->n < el ? -1 : w->n > el;
}

static int hl_in(const char *const *list, size_t count, const unsigned char *s, size_t n)
{
	struct hl_word w = {s, n};

	if (n == 0 || n > 24)
		return 0;
	return bsearch(&w, list, count, sizeof(list[0]), hl_word_cmp) != NULL;
}

enum hl_lang hl_lang_find(const char *lang)
{
	static const char *const names[] = {"ipython", "ipython3", "py",
	                                    "py3",     "python",   "python3"};
	char word[16];
	size_t n = 0, k;

	if (!lang)
		return HL_PLAIN;
	while (*lang == ' ' || *lang == '\t')
		lang++;
	while (lang[n] && lang[n] != ' ' && lang[n] != '\t' && lang[n] != '{' && lang[n] != ',') {
		if (n + 1 >= sizeof(word))
			return HL_PLAIN;
		word[n] = (char)(lang[n] >= 'A' && lang[n] <= 'Z' ? lang[n] - 'A' + 'a' : lang[n]);
		n++;
	}
	word[n] = '\0';
	for (k = 0; k < HL_COUNT(names); k++)
		if (strcmp(word, names[k]) == 0)
			return HL_PYTHON;
	return strcmp(word, "r") == 0 ? HL_R : HL_PLAIN;
}

static int hl_is_ident(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_' || c >= 0x80;
}

static int hl_is_ident_start(unsigned char c)
{
	return hl_is_ident(c) && !(c >= '0' && c <= '9');
}

static int hl_is_digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

static int hl_is_hex(unsigned char c)
{
	return hl_is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static int hl_is_space(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\f' || c == '\r' || c == '\v';
}

struct hl {
	const unsigned char *s;
	size_t n;
	unsigned char *r;
	int depth;      /* open brackets: a newline inside them does not end the statement */
	int stmt_start; /* nothing but blanks since the start of a logical line */
	int first_stmt; /* nothing but blanks since the start of the source */
	int prev_dot;   /* the last token was '.': a name after it is an attribute */
};

static void hl_mark(struct hl *h, size_t from, size_t to, int role)
{
	if (to > h->n)
		to = h->n;
	if (from < to)
		memset(h->r + from, role, to - from);
}

/* End of the line containing i (index of its '\n', or n). */
static size_t hl_eol(const struct hl *h, size_t i)
{
	const unsigned char *nl = memchr(h->s + i, '\n', h->n - i);

	return nl ? (size_t)(nl - h->s) : h->n;
}

/* Prefix letters of a string literal: r, b, f, u, t and two-letter mixes like rb/Rf. */
static int hl_is_str_prefix(const unsigned char *s, size_t n)
{
	size_t k;
	int r = 0, other = 0;

	if (n == 0 || n > 2)
		return 0;
	for (k = 0; k < n; k++) {
		switch (s[k] | 0x20) {
		case 'r':
			r++;
			break;
		case 'b':
		case 'f':
		case 'u':
		case 't':
			other++;
			break;
		default:
			return 0;
		}
	}
	if (r > 1 || other > 1)
		return 0;
	return !(n == 2 && (s[0] | 0x20) != 'r' && (s[1] | 0x20) != 'r');
}

/* A string literal whose quote is at q (prefix from start); returns its end. Unterminated:
 * a single-quoted string stops before its newline, a triple-quoted one at the end. */
static size_t hl_string(struct hl *h, size_t start, size_t q)
{
	unsigned char quote = h->s[q];
	size_t j = q + 1;
	int triple = q + 2 < h->n && h->s[q + 1] == quote && h->s[q + 2] == quote;

	if (triple)
		j = q + 3;
	while (j < h->n) {
		unsigned char c = h->s[j];

		if (c == '\\') {
			j += 2; /* an escape (raw strings too: r"\"" is one string) */
			continue;
		}
		if (triple) {
			if (c == quote && j + 2 < h->n && h->s[j + 1] == quote &&
			    h->s[j + 2] == quote) {
				j += 3;
				break;
			}
		} else if (c == quote) {
			j++;
			break;
		} else if (c == '\n') {
			break;
		}
		j++;
	}
	if (j > h->n)
		j = h->n;
	hl_mark(h, start, j, THEME_CODE_STRING);
	return j;
}

static size_t hl_digits(const struct hl *h, size_t j, int hex)
{
	while (j < h->n && (h->s[j] == '_' || (hex ? hl_is_hex(h->s[j]) : hl_is_digit(h->s[j]))))
		j++;
	return j;
}

static size_t hl_number(struct hl *h, size_t i)
{
	size_t j = i;
	unsigned char x = i + 1 < h->n ? (h->s[i + 1] | 0x20) : 0;

	if (h->s[i] == '0' && (x == 'x' || x == 'o' || x == 'b')) {
		j = hl_digits(h, i + 2, 1);
	} else {
		j = hl_digits(h, j, 0);
		if (j < h->n && h->s[j] == '.')
			j = hl_digits(h, j + 1, 0);
		if (j < h->n && (h->s[j] | 0x20) == 'e') {
			size_t k = j + 1;

			if (k < h->n && (h->s[k] == '+' || h->s[k] == '-'))
				k++;
			if (k < h->n && hl_is_digit(h->s[k]))
				j = hl_digits(h, k, 0);
		}
		if (j < h->n && (h->s[j] | 0x20) == 'j')
			j++;
	}
	hl_mark(h, i, j, THEME_CODE_NUMBER);
	return j;
}

/* Does the statement from j to the end of its line end with ':' (outside strings and
 * comments)? Tells `match x:` from `match(x)` and `match = 1`. */
static int hl_ends_with_colon(const struct hl *h, size_t j)
{
	size_t end = hl_eol(h, j);
	unsigned char quote = 0, last = 0;

	for (; j < end; j++) {
		unsigned char c = h->s[j];

		if (quote) {
			if (c == '\\')
				j++;
			else if (c == quote)
				quote = 0;
			continue;
		}
		if (c == '#')
			break;
		if (c == '\'' || c == '"')
			quote = c;
		if (!hl_is_space(c))
			last = c;
	}
	return last == ':';
}

static size_t hl_name(struct hl *h, size_t i, int at_start)
{
	size_t j = i, k;
	const unsigned char *w = h->s + i;
	int role = THEME_NORMAL;

	while (j < h->n && hl_is_ident(h->s[j]))
		j++;
	if (j < h->n && (h->s[j] == '\'' || h->s[j] == '"') && hl_is_str_prefix(w, j - i))
		return hl_string(h, i, j);
	for (k = j; k < h->n && hl_is_space(h->s[k]); k++)
		;
	if (hl_in(hl_keywords, HL_COUNT(hl_keywords), w, j - i)) {
		role = THEME_CODE_KEYWORD;
	} else if (h->prev_dot) {
		role = THEME_NORMAL;
	} else if (at_start && ((j - i == 5 && memcmp(w, "match", 5) == 0) ||
	                        (j - i == 4 && memcmp(w, "case", 4) == 0))) {
		if (k < h->n && h->s[k] && !strchr("=.,)]}:;", h->s[k]) && hl_ends_with_colon(h, k))
			role = THEME_CODE_KEYWORD;
	} else if (at_start && j - i == 4 && memcmp(w, "type", 4) == 0 && k > j && k < h->n &&
	           hl_is_ident_start(h->s[k])) {
		role = THEME_CODE_KEYWORD; /* type X = ... */
	} else if (hl_in(hl_builtins, HL_COUNT(hl_builtins), w, j - i)) {
		role = THEME_CODE_BUILTIN;
	}
	hl_mark(h, i, j, role);
	return j;
}

/* @name or @a.b.c at a statement's start. */
static size_t hl_decorator(struct hl *h, size_t i)
{
	size_t j = i + 1;

	while (j < h->n && hl_is_space(h->s[j]))
		j++;
	while (j < h->n && (hl_is_ident(h->s[j]) || h->s[j] == '.'))
		j++;
	hl_mark(h, i, j, THEME_CODE_DECORATOR);
	return j;
}

/* %magic, %%magic or !command at a statement's start; returns where Python resumes. */
static size_t hl_magic(struct hl *h, size_t i)
{
	size_t j = i, name, eol = hl_eol(h, i);
	int cell = 0, py;

	if (h->s[i] == '!') {
		j++;
		while (j < eol && !hl_is_space(h->s[j]))
			j++;
		hl_mark(h, i, j, THEME_CODE_DECORATOR);
		hl_mark(h, j, eol, THEME_NORMAL);
		return eol;
	}
	j++;
	if (j < h->n && h->s[j] == '%') {
		j++;
		cell = h->first_stmt;
	}
	name = j;
	while (j < eol && !hl_is_space(h->s[j]))
		j++;
	hl_mark(h, i, j, THEME_CODE_DECORATOR);
	py = hl_in(hl_py_magics, HL_COUNT(hl_py_magics), h->s + name, j - name);
	if (cell) {
		/* arguments of a cell magic are options, its body Python or another language */
		hl_mark(h, j, py ? eol : h->n, THEME_NORMAL);
		return py ? eol : h->n;
	}
	if (!py) {
		hl_mark(h, j, eol, THEME_NORMAL);
		return eol;
	}
	return j;
}

static void hl_python(struct hl *h)
{
	size_t i = 0;

	h->stmt_start = 1;
	h->first_stmt = 1;
	while (i < h->n) {
		unsigned char c = h->s[i];
		int at_start = h->stmt_start && h->depth == 0;
		int dot = 0;
		size_t next;

		if (c == '\n') {
			h->r[i++] = THEME_NORMAL;
			if (h->depth == 0)
				h->stmt_start = 1;
			continue;
		}
		if (hl_is_space(c)) {
			h->r[i++] = THEME_NORMAL;
			continue;
		}
		if (c == '\\' && i + 1 < h->n && h->s[i + 1] == '\n') {
			hl_mark(h, i, i + 2, THEME_NORMAL); /* joins lines: no new statement */
			i += 2;
			continue;
		}
		if (c == '#') {
			next = hl_eol(h, i);
			hl_mark(h, i, next, THEME_CODE_COMMENT);
			i = next;
			continue;
		}
		h->stmt_start = 0;
		if (at_start && c == '@') {
			i = hl_decorator(h, i);
		} else if (at_start && (c == '%' || c == '!')) {
			i = hl_magic(h, i);
		} else if (hl_is_ident_start(c)) {
			i = hl_name(h, i, at_start);
		} else if (hl_is_digit(c) ||
		           (c == '.' && i + 1 < h->n && hl_is_digit(h->s[i + 1]))) {
			i = hl_number(h, i);
		} else if (c == '\'' || c == '"') {
			i = hl_string(h, i, i);
		} else {
			int role = THEME_NORMAL;

			if (c == '(' || c == '[' || c == '{')
				h->depth++;
			else if ((c == ')' || c == ']' || c == '}') && h->depth > 0)
				h->depth--;
			else if (c && strchr("+-*/%<>=!&|^~@", c))
				role = THEME_CODE_OPERATOR;
			h->r[i++] = (unsigned char)role;
			dot = c == '.';
		}
		h->prev_dot = dot;
		h->first_stmt = 0;
	}
}

void hl_fill(enum hl_lang lang, const char *src, size_t len, unsigned char *roles)
{
	struct hl h = {(const unsigned char *)src, len, roles, 0, 1, 1, 0};

	if (len == 0)
		return;
	memset(roles, THEME_NORMAL, len);
	if (lang == HL_PYTHON)
		hl_python(&h);
	else if (lang == HL_R)
		hl_r(src, len, roles);
}

unsigned char *hl_roles(const char *lang, const char *src, size_t len)
{
	unsigned char *roles = malloc(len ? len : 1);

	if (roles)
		hl_fill(hl_lang_find(lang), src, len, roles);
	return roles;
}

const char *hl_line_comment(const char *lang)
{
	static const struct {
		const char *marker, *names;
	} tab[] = {
	    {"//", " c c++ cpp c# csharp cuda java javascript js typescript ts go rust scala kotlin "
		   "swift dart groovy php objective-c zig "},
	    {"--", " sql haskell lua ada elm idris agda "},
	    {"%", " matlab octave erlang prolog tex latex "},
	    {";", " scheme racket clojure lisp common-lisp "},
	};
	char word[24];
	size_t n = 0;

	while (lang && (*lang == ' ' || *lang == '\t'))
		lang++;
	while (lang && lang[n] && !strchr(" \t{,", lang[n]) && n + 3 < sizeof word) {
		word[n + 1] = (char)(lang[n] >= 'A' && lang[n] <= 'Z' ? lang[n] - 'A' + 'a' : lang[n]);
		n++;
	}
	word[0] = ' ';
	word[n + 1] = ' ';
	word[n + 2] = '\0';
	for (size_t i = 0; n && i < HL_COUNT(tab); i++)
		if (strstr(tab[i].names, word))
			return tab[i].marker;
	return "#"; /* python, R, julia, the shells, ruby, perl and most kernels' languages */
}
