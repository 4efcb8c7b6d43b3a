// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * OSC 52 (see osc52.h), and the notebook screen's Y: the focused cell's source, or with a prefix
 * its text output, to the system clipboard.
 */
#include <stdlib.h>
#include <string.h>

#include "tui/app.h"
#include "tui/osc52.h"

char *osc52_seq(const char *s, size_t n)
{
	static const char b64[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	static const char head[] = "\033]52;c;";
	char *out, *p;
	size_t i;

	if (n > OSC52_MAX || !(out = malloc(sizeof head + (n + 2) / 3 * 4 + 1)))
		return NULL;
	memcpy(out, head, sizeof head - 1);
	p = out + sizeof head - 1;
	for (i = 0; i + 2 < n; i += 3) {
		unsigned v = (unsigned char)s[i] << 16 | (unsigned char)s[i + 1] << 8 |
		             (unsigned char)s[i + 2];
		*p++ = b64[v >> 18];
		*p++ = b64[(v >> 12) & 63];
		*p++ = b64[(v >> 6) & 63];
		*p++ = b64[v & 63];
	}
	if (i < n) {
		unsigned v =
		    (unsigned char)s[i] << 16 | (i + 1 < n ? (unsigned char)s[i + 1] << 8 : 0);
		*p++ = b64[v >> 18];
		*p++ = b64[(v >> 12) & 63];
		*p++ = i + 1 < n ? b64[(v >> 6) & 63] : '=';
		*p++ = '=';
	}
	*p++ = '\a';
	*p = 0;
	return out;
}

/* The text of a cell's outputs: streams, text/plain results, error tracebacks. Caller frees. */
static char *outputs_text(struct nb_cell *c, size_t *len)
{
	json_t *outs = nb_cell_outputs(c), *o;
	size_t i, n = 0;
	char *buf = NULL;

	json_array_foreach(outs, i, o)
	{
		const char *t = json_string_value(json_object_get(o, "text"));
		char *nb;
		size_t l;

		if (!t)
			t = json_string_value(
			    json_object_get(json_object_get(o, "data"), "text/plain"));
		if (!t)
			t = json_string_value(json_object_get(o, "evalue"));
		if (!t)
			continue;
		l = strlen(t);
		if (!(nb = realloc(buf, n + l + 2)))
			break;
		buf = nb;
		memcpy(buf + n, t, l);
		n += l;
		if (n && buf[n - 1] != '\n')
			buf[n++] = '\n';
		buf[n] = 0;
	}
	*len = n;
	return buf;
}

static void to_clipboard(struct app *a, int output)
{
	struct nb_cell *c = nb_doc_cell(a->doc, a->cur);
	char *text = NULL, *seq;
	size_t n = 0;

	if (!c)
		return;
	if (!a->cfg.osc52) {
		app_msg(
		    a, 1,
		    "the system clipboard is off: :set osc52 true, or osc52 = true in the config");
		return;
	}
	app_commit_edit(a);
	nb_out_sync(a->out);
	if (output)
		text = outputs_text(c, &n);
	else
		n = strlen(nb_cell_source(c));
	seq = osc52_seq(output ? (text ? text : "") : nb_cell_source(c), n);
	free(text);
	if (!seq) {
		app_msg(a, 1, "too long for the clipboard (over %u bytes)", OSC52_MAX);
		return;
	}
	view_raw(seq);
	free(seq);
	app_msg(a, 0, "%s copied to the system clipboard (%zu bytes)",
	        output ? "output" : "cell source", n);
}

void osc52_copy_cell(struct app *a)
{
	to_clipboard(a, 0);
}

void osc52_copy_output(struct app *a)
{
	to_clipboard(a, 1);
}
