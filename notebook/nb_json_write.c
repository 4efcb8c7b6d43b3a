// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * The .ipynb writer: produces exactly the bytes of nbformat's
 *   json.dumps(split_lines(nb), indent=1, sort_keys=True, separators=(",", ": "),
 *              ensure_ascii=False)
 * for a jansson tree: one space per level, keys in code-point order, Python's string escapes
 * (lowercase \u00xx for C0 controls, everything else raw UTF-8), Python's float repr, and
 * str.splitlines(True) applied to the same fields as nbformat's split_lines(). Also the reading
 * counterpart (rejoin_lines), so the two stay next to each other.
 */
#include "notebook/nb_json.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define SINK_CHUNK (1u << 20)

int nbj_flush(struct nbj_sink *k)
{
	size_t off = 0;

	if (k->fd < 0)
		return k->err ? -1 : 0;
	while (!k->err && off < k->len) {
		ssize_t w = write(k->fd, k->buf + off, k->len - off);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			k->err = errno;
		} else {
			off += (size_t)w;
		}
	}
	k->len = 0;
	return k->err ? -1 : 0;
}

void nbj_put(struct nbj_sink *k, const char *s, size_t n)
{
	if (k->err)
		return;
	k->total += n;
	if (k->fd >= 0 && k->len + n > SINK_CHUNK) {
		if (nbj_flush(k) < 0)
			return;
		if (n >= SINK_CHUNK) {
			size_t off = 0;

			while (off < n) {
				ssize_t w = write(k->fd, s + off, n - off);

				if (w < 0) {
					if (errno == EINTR)
						continue;
					k->err = errno;
					return;
				}
				off += (size_t)w;
			}
			return;
		}
	}
	if (k->len + n > k->cap) {
		size_t cap = k->cap ? k->cap : 4096;
		char *nb;

		while (cap < k->len + n)
			cap *= 2;
		if (!(nb = realloc(k->buf, cap))) {
			k->err = ENOMEM;
			return;
		}
		k->buf = nb;
		k->cap = cap;
	}
	memcpy(k->buf + k->len, s, n);
	k->len += n;
}

void nbj_write_newline(struct nbj_sink *k, int indent)
{
	static const char sp[] = "\n                                                                ";
	size_t n = (size_t)indent + 1;

	if (n <= sizeof sp - 1) {
		nbj_put(k, sp, n);
		return;
	}
	nbj_put(k, "\n", 1);
	while (indent > 0) {
		int c = indent > 64 ? 64 : indent;

		nbj_put(k, sp + 1, (size_t)c);
		indent -= c;
	}
}

void nbj_write_string(struct nbj_sink *k, const char *s, size_t n)
{
	size_t i, run = 0;

	nbj_put(k, "\"", 1);
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		char esc[8];
		const char *e = NULL;

		if (c >= 0x20 && c != '"' && c != '\\')
			continue;
		switch (c) {
		case '"': e = "\\\""; break;
		case '\\': e = "\\\\"; break;
		case '\n': e = "\\n"; break;
		case '\r': e = "\\r"; break;
		case '\t': e = "\\t"; break;
		case '\b': e = "\\b"; break;
		case '\f': e = "\\f"; break;
		default:
			snprintf(esc, sizeof esc, "\\u%04x", c);
			e = esc;
		}
		nbj_put(k, s + run, i - run);
		nbj_put(k, e, strlen(e));
		run = i + 1;
	}
	nbj_put(k, s + run, n - run);
	nbj_put(k, "\"", 1);
}

/* Length of the line terminator starting at s[i] (Python's str.splitlines), 0 if none. */
static size_t line_end(const char *s, size_t n, size_t i)
{
	unsigned char c = (unsigned char)s[i];

	switch (c) {
	case '\r':
		return i + 1 < n && s[i + 1] == '\n' ? 2 : 1;
	case '\n': case 0x0b: case 0x0c: case 0x1c: case 0x1d: case 0x1e:
		return 1;
	case 0xc2:
		return i + 1 < n && (unsigned char)s[i + 1] == 0x85 ? 2 : 0;
	case 0xe2:
		return i + 2 < n && (unsigned char)s[i + 1] == 0x80 &&
		       ((unsigned char)s[i + 2] == 0xa8 || (unsigned char)s[i + 2] == 0xa9) ? 3 : 0;
	}
	return 0;
}

static void write_lines(struct nbj_sink *k, const char *s, size_t n, int indent)
{
	size_t i = 0, start = 0;
	int first = 1;

	if (n == 0) {
		nbj_put(k, "[]", 2);
		return;
	}
	nbj_put(k, "[", 1);
	while (start < n) {
		size_t t = 0;

		for (i = start; i < n; i++) {
			unsigned char c = (unsigned char)s[i];

			if ((c < 0x20 || c == 0xc2 || c == 0xe2) && (t = line_end(s, n, i)))
				break;
		}
		if (!first)
			nbj_put(k, ",", 1);
		first = 0;
		nbj_write_newline(k, indent + 1);
		i = i < n ? i + t : n;
		nbj_write_string(k, s + start, i - start);
		start = i;
	}
	nbj_write_newline(k, indent);
	nbj_put(k, "]", 1);
}

void nbj_format_real(double d, char *out, size_t size)
{
	char buf[40], digits[24];
	int p, e, nd = 0, neg;
	char *q;

	if (d == 0) {
		snprintf(out, size, "%s", signbit(d) ? "-0.0" : "0.0");
		return;
	}
	if (isnan(d) || isinf(d)) {  /* never loaded; Python would write these */
		snprintf(out, size, "%s", isnan(d) ? "NaN" : d < 0 ? "-Infinity" : "Infinity");
		return;
	}
	for (p = 1; p <= 17; p++) {
		snprintf(buf, sizeof buf, "%.*e", p - 1, d);
		if (strtod(buf, NULL) == d)
			break;
	}
	neg = buf[0] == '-';
	for (q = buf + neg; *q && *q != 'e'; q++)
		if (*q >= '0' && *q <= '9')
			digits[nd++] = *q;
	while (nd > 1 && digits[nd - 1] == '0')
		nd--;
	digits[nd] = 0;
	e = atoi(q + 1);
	q = out;
	if (neg)
		*q++ = '-';
	if (e < -4 || e >= 16) {
		*q++ = digits[0];
		if (nd > 1) {
			*q++ = '.';
			memcpy(q, digits + 1, (size_t)nd - 1);
			q += nd - 1;
		}
		snprintf(q, size - (size_t)(q - out), "e%c%02d", e < 0 ? '-' : '+', e < 0 ? -e : e);
	} else if (e < 0) {
		*q++ = '0';
		*q++ = '.';
		for (p = -1; p > e; p--)
			*q++ = '0';
		memcpy(q, digits, (size_t)nd);
		q[nd] = 0;
	} else {
		for (p = 0; p <= e; p++)
			*q++ = p < nd ? digits[p] : '0';
		*q++ = '.';
		if (nd > e + 1) {
			memcpy(q, digits + e + 1, (size_t)(nd - e - 1));
			q += nd - e - 1;
		} else {
			*q++ = '0';
		}
		*q = 0;
	}
}

static int cmp_keys(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

const char **nbj_sorted_keys(json_t *obj, size_t *n)
{
	size_t cnt = json_object_size(obj), i = 0;
	const char **keys = malloc((cnt ? cnt : 1) * sizeof *keys);
	const char *key;
	json_t *v;

	*n = 0;
	if (!keys)
		return NULL;
	json_object_foreach(obj, key, v)
		keys[i++] = key;
	qsort(keys, i, sizeof *keys, cmp_keys);
	*n = i;
	return keys;
}

int nbj_is_json_mime(const char *key)
{
	size_t n = strlen(key);

	return !strcmp(key, "application/json") ||
	       (!strncmp(key, "application/", 12) && n >= 5 && !strcmp(key + n - 5, "+json"));
}

int nbj_is_split_mime(const char *key)
{
	return !strncmp(key, "text/", 5) || !strcmp(key, "application/javascript") ||
	       !strcmp(key, "image/svg+xml");
}

static enum nbj_kind member_kind(enum nbj_kind kind, json_t *obj, const char *key)
{
	if (kind == NBJ_BUNDLE)
		return nbj_is_split_mime(key) ? NBJ_LINES : NBJ_PLAIN;
	if (kind == NBJ_ATTACH)
		return NBJ_BUNDLE;
	if (kind == NBJ_OUTPUTS) {  /* obj is one output */
		const char *ot = json_string_value(json_object_get(obj, "output_type"));

		if (!ot)
			return NBJ_PLAIN;
		if (!strcmp(key, "data") &&
		    (!strcmp(ot, "execute_result") || !strcmp(ot, "display_data")))
			return NBJ_BUNDLE;
		if (!strcmp(key, "text") && !strcmp(ot, "stream"))
			return NBJ_LINES;
	}
	return NBJ_PLAIN;
}

static void write_object(struct nbj_sink *k, json_t *v, int indent, enum nbj_kind kind)
{
	size_t n, i;
	const char **keys;

	if (!json_object_size(v)) {
		nbj_put(k, "{}", 2);
		return;
	}
	if (!(keys = nbj_sorted_keys(v, &n))) {
		k->err = ENOMEM;
		return;
	}
	nbj_put(k, "{", 1);
	for (i = 0; i < n; i++) {
		if (i)
			nbj_put(k, ",", 1);
		nbj_write_newline(k, indent + 1);
		nbj_write_string(k, keys[i], strlen(keys[i]));
		nbj_put(k, ": ", 2);
		nbj_write(k, json_object_get(v, keys[i]), indent + 1, member_kind(kind, v, keys[i]));
	}
	free(keys);
	nbj_write_newline(k, indent);
	nbj_put(k, "}", 1);
}

void nbj_write(struct nbj_sink *k, json_t *v, int indent, enum nbj_kind kind)
{
	char num[48];
	size_t i;

	switch (json_typeof(v)) {
	case JSON_OBJECT:
		write_object(k, v, indent, kind == NBJ_OUTPUTS ? NBJ_PLAIN : kind);
		break;
	case JSON_ARRAY:
		if (!json_array_size(v)) {
			nbj_put(k, "[]", 2);
			break;
		}
		nbj_put(k, "[", 1);
		for (i = 0; i < json_array_size(v); i++) {
			json_t *e = json_array_get(v, i);

			if (i)
				nbj_put(k, ",", 1);
			nbj_write_newline(k, indent + 1);
			if (kind == NBJ_OUTPUTS && json_is_object(e))
				write_object(k, e, indent + 1, NBJ_OUTPUTS);
			else
				nbj_write(k, e, indent + 1, NBJ_PLAIN);
		}
		nbj_write_newline(k, indent);
		nbj_put(k, "]", 1);
		break;
	case JSON_STRING:
		if (kind == NBJ_LINES)
			write_lines(k, json_string_value(v), json_string_length(v), indent);
		else
			nbj_write_string(k, json_string_value(v), json_string_length(v));
		break;
	case JSON_INTEGER:
		snprintf(num, sizeof num, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		nbj_put(k, num, strlen(num));
		break;
	case JSON_REAL:
		nbj_format_real(json_real_value(v), num, sizeof num);
		nbj_put(k, num, strlen(num));
		break;
	case JSON_TRUE:
		nbj_put(k, "true", 4);
		break;
	case JSON_FALSE:
		nbj_put(k, "false", 5);
		break;
	default:
		nbj_put(k, "null", 4);
	}
}

json_t *nbj_join(json_t *v)
{
	size_t i, n = 0, off = 0;
	char *buf;
	json_t *s;

	if (!json_is_array(v))
		return NULL;
	for (i = 0; i < json_array_size(v); i++) {
		if (!json_is_string(json_array_get(v, i)))
			return NULL;
		n += json_string_length(json_array_get(v, i));
	}
	if (!(buf = malloc(n + 1)))
		return NULL;
	for (i = 0; i < json_array_size(v); i++) {
		json_t *e = json_array_get(v, i);

		memcpy(buf + off, json_string_value(e), json_string_length(e));
		off += json_string_length(e);
	}
	s = json_stringn_nocheck(buf, n);
	free(buf);
	return s;
}

void nbj_rejoin_bundle(json_t *bundle)
{
	const char *key;
	json_t *v;

	if (!json_is_object(bundle))
		return;
	json_object_foreach(bundle, key, v) {
		json_t *s;

		if (!nbj_is_json_mime(key) && (s = nbj_join(v)))
			json_object_set_new(bundle, key, s);
	}
}

/* Python truthiness, for nbformat's `elif output_type and ...`. */
static int py_truthy(json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_STRING: return json_string_length(v) > 0;
	case JSON_TRUE: return 1;
	case JSON_INTEGER: return json_integer_value(v) != 0;
	case JSON_REAL: return json_real_value(v) != 0;
	case JSON_ARRAY: return json_array_size(v) > 0;
	case JSON_OBJECT: return json_object_size(v) > 0;
	default: return 0;
	}
}

void nbj_rejoin_outputs(json_t *outputs)
{
	size_t i;

	for (i = 0; i < json_array_size(outputs); i++) {
		json_t *o = json_array_get(outputs, i), *ot, *s;
		const char *t;

		if (!json_is_object(o))
			continue;
		ot = json_object_get(o, "output_type");
		t = json_string_value(ot);
		if (t && (!strcmp(t, "execute_result") || !strcmp(t, "display_data")))
			nbj_rejoin_bundle(json_object_get(o, "data"));
		else if (ot && py_truthy(ot) && (s = nbj_join(json_object_get(o, "text"))))
			json_object_set_new(o, "text", s);
	}
}
