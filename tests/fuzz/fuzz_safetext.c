// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * libFuzzer harness for tui/safetext: runs every entry point on arbitrary bytes and aborts if
 * the output breaks the safety invariants (valid UTF-8; no control but \n and \t; no C1, no
 * bidi control; in st_sgr output ESC only as "ESC [ digits/; m"), or if the results disagree:
 * chunked and one-shot parsing give the same text, st_plain is idempotent, and st_sgr's text
 * with its SGRs removed is st_plain's. Builds with tests/fuzz/driver.c or -fsanitize=fuzzer.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tui/safetext.h"

/* Same rules as the unit test's checker, written separately from the module. */
static int safe(const unsigned char *s, size_t n, int sgr_ok)
{
	size_t i = 0, k, len;
	uint32_t cp;

	while (i < n) {
		if (s[i] == 0x1b) {
			if (!sgr_ok || i + 1 >= n || s[i + 1] != '[')
				return 0;
			for (k = i + 2; k < n && ((s[k] >= '0' && s[k] <= '9') || s[k] == ';'); k++)
				;
			if (k >= n || s[k] != 'm')
				return 0;
			i = k + 1;
			continue;
		}
		if (s[i] < 0x80) {
			if ((s[i] < 0x20 && s[i] != '\n' && s[i] != '\t') || s[i] == 0x7f)
				return 0;
			i++;
			continue;
		}
		if (s[i] >= 0xc2 && s[i] <= 0xdf)
			len = 2, cp = s[i] & 0x1f;
		else if (s[i] >= 0xe0 && s[i] <= 0xef)
			len = 3, cp = s[i] & 0x0f;
		else if (s[i] >= 0xf0 && s[i] <= 0xf4)
			len = 4, cp = s[i] & 0x07;
		else
			return 0;
		if (i + len > n)
			return 0;
		for (k = 1; k < len; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return 0;
			cp = cp << 6 | (s[i + k] & 0x3f);
		}
		if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) || cp > 0x10ffff ||
		    (cp >= 0xd800 && cp <= 0xdfff) || (cp >= 0x80 && cp <= 0x9f) ||
		    (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069))
			return 0;
		i += len;
	}
	return 1;
}

static void check(int ok)
{
	if (!ok)
		abort();
}

struct acc {
	char *buf;
	size_t len, cap;
};

static void acc_emit(void *ud, const struct st_style *style, const char *text, size_t n)
{
	struct acc *a = ud;

	check(n > 0);
	check(safe((const unsigned char *)text, n, 0));
	check(!(style->attrs & ST_MARKER));
	check(style->fg >= -1 && (style->fg <= 255 || ST_IS_RGB(style->fg)));
	check(style->bg >= -1 && (style->bg <= 255 || ST_IS_RGB(style->bg)));
	if (a->len + n > a->cap) {
		size_t cap = (a->len + n) * 2;
		char *b = realloc(a->buf, cap);

		check(b != NULL);
		a->buf = b;
		a->cap = cap;
	}
	memcpy(a->buf + a->len, text, n);
	a->len += n;
	/* widths of safe text never fail */
	check(st_width(text, n) >= 0);
}

/* Removes "ESC [ ... m" from s in place, returns the new length. */
static size_t strip_sgr(char *s, size_t n)
{
	size_t i = 0, o = 0;

	while (i < n) {
		if (s[i] == 0x1b) {
			while (i < n && s[i] != 'm')
				i++;
			i++;
			continue;
		}
		s[o++] = s[i++];
	}
	return o;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *in = (const char *)data;
	struct acc one = {0}, split = {0};
	struct st_parser p;
	struct st_style st;
	size_t np, ns, nm, nr, cut, i;
	char *plain, *sgr, *mark, *again;

	/* one shot */
	st_style_reset(&st);
	st_parse(in, size, &st, acc_emit, &one);

	/* the same in pieces: split points taken from the data */
	cut = size ? data[0] % (size + 1) : 0;
	st_parser_init(&p, 0, acc_emit, &split);
	st_parser_feed(&p, in, cut);
	for (i = cut; i < size; i += 7)
		st_parser_feed(&p, in + i, size - i < 7 ? size - i : 7);
	st_parser_finish(&p);
	check(one.len == split.len && (!one.len || !memcmp(one.buf, split.buf, one.len)));
	check(st_style_eq(&st, &p.style));

	plain = st_plain(in, size, &np);
	sgr = st_sgr(in, size, &ns);
	mark = st_filter(in, size, ST_MARK | ST_EMIT_SGR, &nm);
	check(plain && sgr && mark);
	check(plain[np] == '\0' && sgr[ns] == '\0' && mark[nm] == '\0');
	check(safe((unsigned char *)plain, np, 0));
	check(safe((unsigned char *)sgr, ns, 1));
	check(safe((unsigned char *)mark, nm, 1));
	check(np == one.len && (!np || !memcmp(plain, one.buf, np)));

	/* st_plain of safe text changes nothing */
	again = st_plain(plain, np, &nr);
	check(again && nr == np && !memcmp(again, plain, np));
	free(again);

	/* st_sgr is st_plain plus SGRs */
	ns = strip_sgr(sgr, ns);
	check(ns == np && !memcmp(sgr, plain, np));

	/* wrapping helpers on the safe text */
	if (np) {
		int used;
		size_t fit = st_fit(plain, np, (int)(data[size - 1] % 40), &used);

		check(fit <= np && used >= 0 && used <= data[size - 1] % 40);
	}

	free(plain);
	free(sgr);
	free(mark);
	free(one.buf);
	free(split.buf);
	return 0;
}
