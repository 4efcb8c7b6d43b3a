// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * Papermill-compatible parameters for `bobbin run`: -p NAME VALUE typed as papermill's command
 * line types it (True, False, None, an int, a float, else a string), -r NAME VALUE as a string,
 * -y TEXT and -f FILE as a JSON object (the JSON subset of YAML; anything else is refused). They
 * are injected as papermill injects them: a new code cell tagged `injected-parameters` after the
 * first cell tagged `parameters` (at the top when there is none, with a note), replacing an
 * earlier injected cell, its source "# Parameters" and one "name = literal" line per parameter,
 * literals written as papermill's Python translator writes them (without black); and
 * metadata.papermill.parameters. R and Julia kernels take numbers and plain strings, which
 * papermill writes the same way for them; other languages are refused.
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "tui/run.h"
#include "tui/safetext.h"
#include "tui/tout.h"
#include "tui/utf8.h"

enum { BY_FILE, BY_YAML, BY_P, BY_RAW };

/* The injected cell's source as it is built; ok drops to 0 when memory ran out. */
struct src {
	char *s;
	size_t len;
	int ok;
};

static void add(struct src *b, const char *piece)
{
	size_t n = strlen(piece);
	char *t;

	if (!b->ok)
		return;
	if (!(t = realloc(b->s, b->len + n + 1))) {
		b->ok = 0;
		return;
	}
	memcpy(t + b->len, piece, n + 1);
	b->s = t;
	b->len += n;
}

/* Python's int(): optional sign, ASCII digits with single underscores between them, surrounding
 * whitespace. The value normalised (no '+', leading zeros or underscores) into out. */
static int python_int(const char *s, char *out, size_t size)
{
	size_t n = 0, z = 0;
	int neg = 0;

	while (isspace((unsigned char)*s))
		s++;
	if (*s == '+' || *s == '-')
		neg = *s++ == '-';
	for (; *s; s++) {
		if (*s == '_' && n && isdigit((unsigned char)s[1]))
			continue;
		if (!isdigit((unsigned char)*s))
			break;
		if (n + 3 >= size)
			return 0;
		out[n++] = *s;
	}
	while (isspace((unsigned char)*s))
		s++;
	out[n] = 0;
	if (*s || !n)
		return 0;
	while (z + 1 < n && out[z] == '0')
		z++;
	memmove(out + neg, out + z, n - z + 1);
	if (neg)
		out[0] = '-';
	if (!strcmp(out, "-0"))
		strcpy(out, "0");
	return 1;
}

/* Python's float(): [sign] digits [. digits] [e [sign] digits] with single underscores between
 * digits and at least one digit before the exponent, or inf, infinity, nan (any case, signed);
 * surrounding whitespace; no hexadecimal. */
static int python_float(const char *s, double *v)
{
	char clean[256];
	size_t n = 0, l;
	int mant = 0, exp = -1, dot = 0;
	const char *p, *q;

	while (isspace((unsigned char)*s))
		s++;
	p = s;
	if (*p == '+' || *p == '-')
		clean[n++] = *p++;
	l = !strncasecmp(p, "infinity", 8) ? 8 : !strncasecmp(p, "inf", 3) ||
		!strncasecmp(p, "nan", 3) ? 3 : 0;
	if (l) {
		for (q = p + l; isspace((unsigned char)*q); q++)
			;
		if (*q)
			return 0;
		*v = tolower((unsigned char)*p) == 'n' ? NAN : *s == '-' ? -INFINITY : INFINITY;
		return 1;
	}
	for (; *p && n < sizeof clean - 2; p++) {
		if (isdigit((unsigned char)*p)) {
			if (exp >= 0)
				exp++;
			else
				mant++;
		} else if (*p == '_') {
			if (p == s || !isdigit((unsigned char)p[-1]) || !isdigit((unsigned char)p[1]))
				return 0;
			continue;
		} else if (*p == '.' && !dot && exp < 0) {
			dot = 1;
		} else if ((*p == 'e' || *p == 'E') && mant && exp < 0) {
			exp = 0;
			if (p[1] == '+' || p[1] == '-')
				clean[n++] = *p++;
		} else {
			break;
		}
		clean[n++] = *p;
	}
	clean[n] = 0;
	while (isspace((unsigned char)*p))
		p++;
	if (*p || !mant || exp == 0)
		return 0;
	*v = strtod(clean, NULL);
	return 1;
}

/* Python's repr() of a finite double: the shortest digits that read back the same, in exponent
 * form when the decimal point would be more than 16 places right or 4 left. */
static void python_float_repr(double v, struct src *b)
{
	char e[40], digits[24], out[64];
	int prec, decpt, nd = 0;
	size_t o = 0;

	for (prec = 0; prec < 17; prec++) {
		snprintf(e, sizeof e, "%.*e", prec, v);
		if (strtod(e, NULL) == v)
			break;
	}
	/* e is [-]d[.ddd]e±XX */
	const char *p = e;
	if (*p == '-')
		out[o++] = *p++;
	for (; *p != 'e'; p++)
		if (*p != '.')
			digits[nd++] = *p;
	decpt = atoi(p + 1) + 1;
	while (nd > 1 && digits[nd - 1] == '0')
		nd--;
	digits[nd] = 0;
	if (v == 0)
		decpt = 1;
	if (decpt > 16 || decpt < -3) {
		int x = decpt - 1;

		out[o++] = digits[0];
		if (nd > 1) {
			out[o++] = '.';
			memcpy(out + o, digits + 1, (size_t)nd - 1);
			o += (size_t)nd - 1;
		}
		o += (size_t)snprintf(out + o, sizeof out - o, "e%c%02d", x < 0 ? '-' : '+', abs(x));
	} else if (decpt <= 0) {
		out[o++] = '0';
		out[o++] = '.';
		for (int i = decpt; i < 0; i++)
			out[o++] = '0';
		memcpy(out + o, digits, (size_t)nd);
		o += (size_t)nd;
	} else if (decpt >= nd) {
		memcpy(out + o, digits, (size_t)nd);
		o += (size_t)nd;
		for (int i = nd; i < decpt; i++)
			out[o++] = '0';
		out[o++] = '.';
		out[o++] = '0';
	} else {
		memcpy(out + o, digits, (size_t)decpt);
		o += (size_t)decpt;
		out[o++] = '.';
		memcpy(out + o, digits + decpt, (size_t)(nd - decpt));
		o += (size_t)(nd - decpt);
	}
	out[o] = 0;
	add(b, out);
}

/* papermill's translate_escaped_str: str.encode("unicode_escape") with '"' escaped, in double
 * quotes. -1 when s is not valid UTF-8. */
static int python_str(const char *s, struct src *b)
{
	size_t n = strlen(s), len;
	uint32_t cp;
	char tmp[16];

	add(b, "\"");
	while (n) {
		if (utf8_decode(s, n, &cp, &len) != UTF8_OK)
			return -1;
		if (cp >= 0x10000)
			snprintf(tmp, sizeof tmp, "\\U%08x", (unsigned)cp);
		else if (cp >= 0x100)
			snprintf(tmp, sizeof tmp, "\\u%04x", (unsigned)cp);
		else if (cp == '\\')
			snprintf(tmp, sizeof tmp, "\\\\");
		else if (cp == '\t')
			snprintf(tmp, sizeof tmp, "\\t");
		else if (cp == '\n')
			snprintf(tmp, sizeof tmp, "\\n");
		else if (cp == '\r')
			snprintf(tmp, sizeof tmp, "\\r");
		else if (cp < 0x20 || cp >= 0x7f)
			snprintf(tmp, sizeof tmp, "\\x%02x", (unsigned)cp);
		else if (cp == '"')
			snprintf(tmp, sizeof tmp, "\\\"");
		else
			snprintf(tmp, sizeof tmp, "%c", (char)cp);
		add(b, tmp);
		s += len;
		n -= len;
	}
	add(b, "\"");
	return 0;
}

/* Papermill's PythonTranslator.translate. -1 when a string is not valid UTF-8. */
static int python_literal(json_t *v, const char *special, struct src *b)
{
	size_t i;
	const char *k;
	json_t *x;
	int first = 1;

	if (special) {
		add(b, !strcmp(special, "nan") ? "float('nan')"
			 : !strcmp(special, "-inf") ? "float('-inf')" : "float('inf')");
		return 0;
	}
	switch (json_typeof(v)) {
	case JSON_STRING:
		return python_str(json_string_value(v), b);
	case JSON_INTEGER: {
		char n[32];

		snprintf(n, sizeof n, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		add(b, n);
		return 0;
	}
	case JSON_REAL:
		python_float_repr(json_real_value(v), b);
		return 0;
	case JSON_TRUE:
		add(b, "True");
		return 0;
	case JSON_FALSE:
		add(b, "False");
		return 0;
	case JSON_NULL:
		add(b, "None");
		return 0;
	case JSON_ARRAY:
		add(b, "[");
		json_array_foreach(v, i, x) {
			if (!first)
				add(b, ", ");
			first = 0;
			if (python_literal(x, NULL, b) < 0)
				return -1;
		}
		add(b, "]");
		return 0;
	case JSON_OBJECT:
		add(b, "{");
		json_object_foreach(v, k, x) {
			if (!first)
				add(b, ", ");
			first = 0;
			if (python_str(k, b) < 0)
				return -1;
			add(b, ": ");
			if (python_literal(x, NULL, b) < 0)
				return -1;
		}
		add(b, "}");
		return 0;
	}
	return -1;
}

/* A plain value every language papermill writes "name = value" for takes the same way: an
 * integer, a finite real, or a string of printable ASCII without quote or backslash. */
static int plain(json_t *v, const char *special)
{
	const char *s;

	if (special)
		return 0;
	if (json_is_integer(v) || json_is_real(v))
		return 1;
	if (!json_is_string(v))
		return 0;
	for (s = json_string_value(v); *s; s++)
		if (*s < 0x20 || *s >= 0x7f || *s == '"' || *s == '\\')
			return 0;
	return 1;
}

static const char *type_name(json_t *v, const char *special)
{
	if (special)
		return "a float that is not finite";
	switch (json_typeof(v)) {
	case JSON_STRING:
		return "a string with quotes, backslashes, control or non-ASCII characters";
	case JSON_TRUE:
	case JSON_FALSE:
		return "a boolean";
	case JSON_NULL:
		return "None";
	case JSON_ARRAY:
		return "a list";
	case JSON_OBJECT:
		return "a dict";
	default:
		return "a number";
	}
}

/* -y TEXT / -f FILE: a JSON object (or null, as papermill's "or {}" takes it). */
static json_t *load_object(const char *opt, const char *text, int is_file)
{
	json_error_t e;
	json_t *v = is_file ? json_load_file(text, JSON_DECODE_ANY, &e)
			    : json_loads(text, JSON_DECODE_ANY, &e);

	if (v && json_is_null(v)) {
		json_decref(v);
		return json_object();
	}
	if (v && json_is_object(v))
		return v;
	json_decref(v);
	if (is_file && e.line <= 0 && e.position == 0)
		tout_fmt(stderr, "bobbin run: %s %s: %s\n", opt, text, e.text);
	else
		tout_fmt(stderr, "bobbin run: %s: only the JSON form of YAML is read (an object like "
				"{\"alpha\": 0.5, \"name\": \"x\"}): %s\n", opt,
			v ? "not an object" : e.text);
	return NULL;
}

int run_params_parse(struct run_opts *o, int argc, char **argv, int *i)
{
	const char *a = argv[*i];
	int by;

	if (!strcmp(a, "-p") || !strcmp(a, "--parameters"))
		by = BY_P;
	else if (!strcmp(a, "-r") || !strcmp(a, "--parameters_raw") ||
		 !strcmp(a, "--parameters-raw"))
		by = BY_RAW;
	else if (!strcmp(a, "-y") || !strcmp(a, "--parameters_yaml") ||
		 !strcmp(a, "--parameters-yaml"))
		by = BY_YAML;
	else if (!strcmp(a, "-f") || !strcmp(a, "--parameters_file") ||
		 !strcmp(a, "--parameters-file"))
		by = BY_FILE;
	else
		return 0;
	if (!o->params_by[by] && !(o->params_by[by] = json_object()))
		return -1;
	if (by == BY_YAML || by == BY_FILE) {
		json_t *obj;

		if (*i + 1 >= argc) {
			tout_fmt(stderr, "bobbin run: %s needs %s\n", a, by == BY_FILE ? "a file" :
				"a JSON object");
			return -1;
		}
		if (!(obj = load_object(a, argv[++*i], by == BY_FILE)))
			return -1;
		json_object_update(o->params_by[by], obj);
		json_decref(obj);
		return 1;
	}
	if (*i + 2 >= argc) {
		tout_fmt(stderr, "bobbin run: %s takes a name and a value\n", a);
		return -1;
	}
	const char *name = argv[*i + 1], *value = argv[*i + 2];
	json_t *v;
	char digits[128];
	double d;

	*i += 2;
	if (o->params_special)
		json_object_del(o->params_special, name);
	if (by == BY_RAW)
		v = json_string(value);
	else if (!strcmp(value, "True"))
		v = json_true();
	else if (!strcmp(value, "False"))
		v = json_false();
	else if (!strcmp(value, "None"))
		v = json_null();
	else if (python_int(value, digits, sizeof digits)) {
		char *end;
		long long n;

		errno = 0;
		n = strtoll(digits, &end, 10);
		if (errno || *end) {
			tout_fmt(stderr, "bobbin run: -p %s: the integer %s is too large here\n", name,
				value);
			return -1;
		}
		v = json_integer(n);
	} else if (python_float(value, &d)) {
		if (!isfinite(d)) {
			if (!o->params_special)
				o->params_special = json_object();
			json_object_set_new(o->params_special, name,
					    json_string(isnan(d) ? "nan" : d < 0 ? "-inf" : "inf"));
			v = json_null();
		} else {
			v = json_real(d);
		}
	} else {
		v = json_string(value);
	}
	if (!v) {
		tout_fmt(stderr, "bobbin run: %s %s: the value is not valid UTF-8\n", a, name);
		return -1;
	}
	json_object_set_new(o->params_by[by], name, v);
	return 1;
}

static int identifier(const char *s)
{
	if (!isalpha((unsigned char)*s) && *s != '_')
		return 0;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '_')
			return 0;
	return 1;
}

int run_params_finish(struct run_opts *o)
{
	const char *k;
	json_t *v;

	for (int by = 0; by < 4; by++) {
		if (!o->params_by[by])
			continue;
		if (!o->params && !(o->params = json_object()))
			return -1;
		json_object_foreach(o->params_by[by], k, v) {
			json_object_set(o->params, k, v);
			/* A -r value replaces a -p float that was not finite. */
			if (by == BY_RAW && o->params_special)
				json_object_del(o->params_special, k);
		}
	}
	json_object_foreach(o->params, k, v) {
		if (!identifier(k)) {
			char *safe = st_plain(k, strlen(k), NULL);

			tout_fmt(stderr, "bobbin run: parameter name \"%s\" is not an identifier\n",
				safe ? safe : "");
			free(safe);
			return -1;
		}
	}
	o->nparams = o->params ? (int)json_object_size(o->params) : 0;
	return 0;
}

/* The injected cell's source for the kernel's language, or NULL after a message. */
static char *codify(struct run_opts *o, const char *input, const char *language)
{
	int python = !strcasecmp(language, "python");
	int other = !strcasecmp(language, "r") || !strcasecmp(language, "julia");
	struct src buf = {.ok = 1}, *b = &buf;
	const char *k;
	json_t *v;

	if (!python && !other) {
		char *safe = st_plain(language, strlen(language), NULL);

		tout_fmt(stderr, "bobbin run: %s: parameters are written for Python, R and Julia "
				"kernels, and this kernel's language is \"%s\"\n", input,
			safe && *safe ? safe : "unknown");
		free(safe);
		return NULL;
	}
	add(b, "# Parameters\n");
	json_object_foreach(o->params, k, v) {
		const char *special = json_string_value(json_object_get(o->params_special, k));

		if (other && !plain(v, special)) {
			tout_fmt(stderr, "bobbin run: %s: parameter %s is %s, which bobbin writes only "
					"for Python kernels (this one's language is %s)\n", input, k,
				type_name(v, special), !strcasecmp(language, "r") ? "R" : "Julia");
			free(buf.s);
			return NULL;
		}
		add(b, k);
		add(b, " = ");
		if (python_literal(v, special, b) < 0) {
			tout_fmt(stderr, "bobbin run: parameter %s: not valid UTF-8\n", k);
			free(buf.s);
			return NULL;
		}
		add(b, "\n");
	}
	if (!buf.ok) {
		tout_fmt(stderr, "bobbin run: out of memory\n");
		free(buf.s);
		return NULL;
	}
	return buf.s;
}

static long first_tagged(struct nb_doc *doc, const char *tag)
{
	for (size_t i = 0; i < nb_doc_ncells(doc); i++)
		if (run_cell_has_tag(nb_doc_cell(doc, i), tag))
			return (long)i;
	return -1;
}

int run_params_inject(struct run_opts *o, struct nb_doc *doc, const char *input,
		      const char *language)
{
	char *src = codify(o, input, language);
	long injected, at;
	struct nb_cell *cell;
	json_t *md, *pm;

	if (!src)
		return -1;
	injected = first_tagged(doc, "injected-parameters");
	if (injected >= 0) {
		/* papermill replaces an earlier injected cell with a new one. */
		nb_cell_free(nb_doc_take(doc, (size_t)injected));
		at = injected;
	} else if ((at = first_tagged(doc, "parameters")) >= 0) {
		at++;
	} else {
		at = 0;
		tout_fmt(stderr, "bobbin run: %s: no cell is tagged \"parameters\", so the parameters "
				"are injected at the top (as papermill does)\n", input);
	}
	if (!(cell = nb_doc_insert(doc, (size_t)at, NB_CODE))) {
		free(src);
		tout_fmt(stderr, "bobbin run: out of memory\n");
		return -1;
	}
	nb_cell_set_source(cell, src);
	free(src);
	json_object_set_new(nb_cell_metadata(cell), "tags", json_pack("[s]", "injected-parameters"));
	nb_cell_touch(cell);
	md = nb_doc_metadata(doc);
	pm = json_object_get(md, "papermill");
	if (!json_is_object(pm)) {
		pm = json_object();
		json_object_set_new(md, "papermill", pm);
	}
	json_object_set_new(pm, "parameters", json_deep_copy(o->params));
	nb_doc_set_dirty(doc);
	return 0;
}

void run_params_free(struct run_opts *o)
{
	for (int by = 0; by < 4; by++)
		json_decref(o->params_by[by]);
	json_decref(o->params);
	json_decref(o->params_special);
}
