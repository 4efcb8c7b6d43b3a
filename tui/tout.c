// SPDX-License-Identifier: GPL-3.0-or-later
/* The terminal output sink of the line-mode front ends (see tout.h). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

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

/* A growing NUL-terminated buffer; after a failed allocation bad is set and adding stops. */
struct tbuf {
	char *p;
	size_t len, cap;
	int bad;
};

static void tb_add(struct tbuf *b, const char *s, size_t n)
{
	if (b->bad)
		return;
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 256;
		char *p;

		while (cap < b->len + n + 1)
			cap *= 2;
		if (!(p = realloc(b->p, cap))) {
			b->bad = 1;
			return;
		}
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = 0;
}

/*
 * Caller frees. A foreign string for a message: every control shown as a placeholder (ESC as
 * "^[", the rest as safetext marks them), nothing interpreted, so a sequence in it can neither
 * act nor, left unterminated, swallow the message after it. NULL when out of memory.
 */
static char *visible(const char *s)
{
	struct tbuf b = {0};

	for (;;) {
		size_t n = strcspn(s, "\033"), len;
		char *t = st_filter(s, n, ST_MARK, &len);

		if (!t) {
			free(b.p);
			return NULL;
		}
		tb_add(&b, t, len);
		free(t);
		if (!s[n])
			break;
		tb_add(&b, "^[", 2);
		s += n + 1;
	}
	tb_add(&b, "", 0);
	if (b.bad) {
		free(b.p);
		return NULL;
	}
	return b.p;
}

/* Formats one conversion spec (spec..end, NUL-terminated copy in conv) of the argument list. */
static void tb_conv(struct tbuf *b, const char *conv, char c, int lmod, va_list *ap)
{
	char small[128], *piece = small;
	int n = 0;

	/* Takes the star arguments first, then the value: a spec is at most "%-*.*lld". */
	int stars = 0, w = 0, pr = 0;
	for (const char *q = conv; *q; q++)
		stars += *q == '*';
	if (stars >= 1)
		w = va_arg(*ap, int);
	if (stars >= 2)
		pr = va_arg(*ap, int);
#define FMT(v)                                                                                     \
	(stars == 2   ? snprintf(small, sizeof small, conv, w, pr, v)                              \
	 : stars == 1 ? snprintf(small, sizeof small, conv, w, v)                                  \
	              : snprintf(small, sizeof small, conv, v))
	if (c == 's') {
		const char *arg = va_arg(*ap, const char *);
		char *safe = visible(arg ? arg : "(null)");

		if (!safe) {
			b->bad = 1;
			return;
		}
		n = FMT(safe);
		if (n >= (int)sizeof small && (piece = malloc((size_t)n + 1))) {
			if (stars == 2)
				snprintf(piece, (size_t)n + 1, conv, w, pr, safe);
			else if (stars == 1)
				snprintf(piece, (size_t)n + 1, conv, w, safe);
			else
				snprintf(piece, (size_t)n + 1, conv, safe);
		}
		free(safe);
	} else if (c == 'c') {
		int ch = va_arg(*ap, int);

		n = FMT((ch >= 0x20 && ch < 0x7f) ? ch : '?');
	} else if (strchr("fFeEgGaA", c)) {
		if (lmod == 'L')
			n = FMT(va_arg(*ap, long double));
		else
			n = FMT(va_arg(*ap, double));
	} else if (c == 'p') {
		n = FMT(va_arg(*ap, void *));
	} else if (lmod == 'q') {
		n = FMT(va_arg(*ap, long long));
	} else if (lmod == 'l') {
		n = FMT(va_arg(*ap, long));
	} else if (lmod == 'z') {
		n = FMT(va_arg(*ap, size_t));
	} else if (lmod == 'j') {
		n = FMT(va_arg(*ap, intmax_t));
	} else if (lmod == 't') {
		n = FMT(va_arg(*ap, ptrdiff_t));
	} else {
		n = FMT(va_arg(*ap, int));
	}
#undef FMT
	if (n < 0 || !piece) {
		b->bad = 1;
		return;
	}
	tb_add(b, piece, (size_t)n < sizeof small || piece != small ? (size_t)n : sizeof small - 1);
	if (piece != small)
		free(piece);
}

void tout_fmt_(FILE *f, const char *fmt, ...)
{
	struct tbuf b = {0};
	va_list ap;

	va_start(ap, fmt);
	for (const char *s = fmt; *s;) {
		const char *pct = strchr(s, '%'), *q;
		char conv[32];
		int lmod = 0;

		if (!pct) {
			tb_add(&b, s, strlen(s));
			break;
		}
		tb_add(&b, s, (size_t)(pct - s));
		if (pct[1] == '%') {
			tb_add(&b, "%", 1);
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
			b.bad = 1; /* a spec this sink does not take (%n, say): print nothing */
			break;
		}
		memcpy(conv, pct, (size_t)(q + 1 - pct));
		conv[q + 1 - pct] = 0;
		tb_conv(&b, conv, *q, lmod, &ap);
		s = q + 1;
	}
	va_end(ap);
	if (!b.bad && b.len)
		put(f, b.p, b.len);
	free(b.p);
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
