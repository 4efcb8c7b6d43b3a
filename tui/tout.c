// SPDX-License-Identifier: GPL-3.0-or-later
/* The terminal output sink of the line-mode front ends (see tout.h). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tui/safetext.h"
#include "tui/tout.h"

static void put(FILE *f, const char *s, size_t n)
{
	if (n)
		fwrite(s, 1, n, f);
}

void tout_text(FILE *f, const char *s, size_t n, int sgr)
{
	size_t len;
	char *t = sgr ? st_sgr(s, n, &len) : st_plain(s, n, &len);

	if (t)
		put(f, t, len);
	free(t);
	fflush(f);
}

/*
 * Caller frees. A foreign string for a message: every control shown as a placeholder (ESC as
 * "^[", the rest as safetext marks them), nothing interpreted, so a sequence in it can neither
 * act nor, left unterminated, swallow the message after it. NULL when out of memory.
 */
static char *visible(const char *s)
{
	char *out = NULL;
	size_t outlen;
	FILE *m = open_memstream(&out, &outlen);
	int bad = !m;

	while (!bad) {
		size_t n = strcspn(s, "\033"), len;
		char *t = st_filter(s, n, ST_MARK, &len);

		bad = !t;
		put(m, t, t ? len : 0);
		free(t);
		if (!s[n])
			break;
		put(m, "^[", 2);
		s += n + 1;
	}
	if (m && fclose(m) != 0)
		bad = 1;
	if (bad) {
		free(out);
		return NULL;
	}
	return out;
}

/* Writes one conversion (conv: "%-*.*lld", say, ending in c) of the argument list into m; a %s
 * argument through visible(). -1 when out of memory. */
static int conv_one(FILE *m, const char *conv, char c, int lmod, va_list *ap)
{
	int stars = 0, w = 0, pr = 0, r = 0;

	for (const char *q = conv; *q; q++)
		stars += *q == '*';
	if (stars >= 1)
		w = va_arg(*ap, int);
	if (stars >= 2)
		pr = va_arg(*ap, int);
#define FMT(v)                                                                                     \
	(stars == 2   ? fprintf(m, conv, w, pr, v)                                                 \
	 : stars == 1 ? fprintf(m, conv, w, v)                                                     \
	              : fprintf(m, conv, v))
	if (c == 's') {
		const char *arg = va_arg(*ap, const char *);
		char *safe = visible(arg ? arg : "(null)");

		if (!safe)
			return -1;
		r = FMT(safe);
		free(safe);
	} else if (c == 'c') {
		int ch = va_arg(*ap, int);

		r = FMT((ch >= 0x20 && ch < 0x7f) ? ch : '?');
	} else if (strchr("fFeEgGaA", c)) {
		r = lmod == 'L' ? FMT(va_arg(*ap, long double)) : FMT(va_arg(*ap, double));
	} else if (c == 'p') {
		r = FMT(va_arg(*ap, void *));
	} else if (lmod == 'q') {
		r = FMT(va_arg(*ap, long long));
	} else if (lmod == 'l') {
		r = FMT(va_arg(*ap, long));
	} else if (lmod == 'z') {
		r = FMT(va_arg(*ap, size_t));
	} else if (lmod == 'j') {
		r = FMT(va_arg(*ap, intmax_t));
	} else if (lmod == 't') {
		r = FMT(va_arg(*ap, ptrdiff_t));
	} else {
		r = FMT(va_arg(*ap, int));
	}
#undef FMT
	return r < 0 ? -1 : 0;
}

void tout_fmt_(FILE *f, const char *fmt, ...)
{
	char *out = NULL;
	size_t outlen = 0;
	FILE *m = open_memstream(&out, &outlen);
	int bad = !m;
	va_list ap;

	va_start(ap, fmt);
	for (const char *s = fmt; *s && !bad;) {
		const char *pct = strchr(s, '%'), *q;
		char conv[32];
		int lmod = 0;

		if (!pct) {
			put(m, s, strlen(s));
			break;
		}
		put(m, s, (size_t)(pct - s));
		if (pct[1] == '%') {
			put(m, "%", 1);
			s = pct + 2;
			continue;
		}
		q = pct + 1 + strspn(pct + 1, "-+ #0");
		q += strspn(q, "0123456789*");
		if (*q == '.')
			q += 1 + strspn(q + 1, "0123456789*");
		if (*q == 'h' || *q == 'l' || *q == 'z' || *q == 'j' || *q == 't' || *q == 'L') {
			lmod = *q++;
			if ((lmod == 'l' && *q == 'l') || (lmod == 'h' && *q == 'h')) {
				lmod = lmod == 'l' ? 'q' : 'h';
				q++;
			}
		}
		if (!*q || !strchr("diouxXcsfFeEgGaAp", *q) ||
		    (size_t)(q + 1 - pct) >= sizeof conv) {
			bad = 1; /* a spec this sink does not take (%n, say): print nothing */
			break;
		}
		memcpy(conv, pct, (size_t)(q + 1 - pct));
		conv[q + 1 - pct] = 0;
		bad = conv_one(m, conv, *q, lmod, &ap) < 0;
		s = q + 1;
	}
	va_end(ap);
	if (m && fclose(m) != 0)
		bad = 1;
	if (!bad)
		put(f, out, outlen);
	free(out);
	fflush(f);
}

/* One parser per stream, so colour set in one call applies to the next, as on the terminal. */
struct tout_stream {
	FILE *f;
	int sgr, init;
	struct st_style shown; /* the style the terminal is in */
	struct st_parser p;
};

static struct tout_stream streams[2];

static void sync_style(struct tout_stream *ts, const struct st_style *style)
{
	char sgr[ST_SGR_MAX];

	if (!ts->sgr || st_style_eq(style, &ts->shown))
		return;
	put(ts->f, sgr, st_style_sgr(style, sgr));
	ts->shown = *style;
}

static void stream_emit(void *ud, const struct st_style *style, const char *text, size_t n)
{
	struct tout_stream *ts = ud;

	sync_style(ts, style);
	put(ts->f, text, n);
}

void tout_stream(FILE *f, const char *s, size_t n, int sgr)
{
	struct tout_stream *ts = &streams[f == stderr];

	if (!ts->init) {
		st_parser_init(&ts->p, 0, stream_emit, ts);
		st_style_reset(&ts->shown);
		ts->init = 1;
	}
	ts->f = f;
	ts->sgr = sgr;
	st_parser_feed(&ts->p, s, n);
	/* A style change at the end (a reset, say) reaches the terminal now, before a prompt. */
	sync_style(ts, &ts->p.style);
	fflush(f);
}

void tout_lit_(FILE *f, const char *s)
{
	put(f, s, strlen(s));
	fflush(f);
}

int tout_data(FILE *f, const char *s, size_t n)
{
	if (isatty(fileno(f))) {
		tout_text(f, s, n, 0);
		return ferror(f) ? -1 : 0;
	}
	if (n && fwrite(s, 1, n, f) != n)
		return -1;
	return fflush(f) == EOF ? -1 : 0;
}

void tout_pixels(FILE *f, const char *s, size_t n)
{
	if (!isatty(fileno(f)))
		return;
	put(f, s, n);
	fflush(f);
}
