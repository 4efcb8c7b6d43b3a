// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * Unit tests of tui/utf8: strict decoding at every boundary of the Unicode table (and against an
 * independent reference on every first byte with edge continuations), maximal-subpart lengths,
 * and encoding (every scalar value round-trips; surrogates and values past U+10FFFF become
 * U+FFFD).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "tui/utf8.h"

/* utf8_decode() on one case: the result, the code point and the length. */
static void decode_is(const char *s, size_t n, enum utf8_result want, uint32_t cp, size_t len)
{
	uint32_t got_cp = 0;
	size_t got_len = 99;
	enum utf8_result r = utf8_decode(s, n, &got_cp, &got_len);

	if (r != want || got_cp != cp || got_len != len)
		fail_msg(
		    "decoding %zu bytes %02x...: got %d U+%04X len %zu, want %d U+%04X len %zu", n,
		    n ? (unsigned char)s[0] : 0, (int)r, (unsigned)got_cp, got_len, (int)want,
		    (unsigned)cp, len);
}

#define DECODE_IS(lit, want, cp, len) decode_is(lit, sizeof(lit) - 1, want, cp, len)

static void test_utf8_decode(void **state)
{
	/* valid, at the edges of each length and around the excluded ranges */
	DECODE_IS("\0", UTF8_OK, 0, 1);
	DECODE_IS("\177a", UTF8_OK, 0x7f, 1);
	DECODE_IS("\xc2\x80", UTF8_OK, 0x80, 2);
	DECODE_IS("\xdf\xbf", UTF8_OK, 0x7ff, 2);
	DECODE_IS("\xe0\xa0\x80", UTF8_OK, 0x800, 3);
	DECODE_IS("\xed\x9f\xbf", UTF8_OK, 0xd7ff, 3);
	DECODE_IS("\xee\x80\x80", UTF8_OK, 0xe000, 3);
	DECODE_IS("\357\277\277x", UTF8_OK, 0xffff, 3);
	DECODE_IS("\xf0\x90\x80\x80", UTF8_OK, 0x10000, 4);
	DECODE_IS("\xf0\x9f\x98\x80", UTF8_OK, 0x1f600, 4);
	DECODE_IS("\xf4\x8f\xbf\xbf", UTF8_OK, 0x10ffff, 4);

	/* overlongs: invalid at the first byte that makes them so, never "partial" */
	DECODE_IS("\xc0\xaf", UTF8_INVALID, 0xfffd, 1);
	DECODE_IS("\xc1\xbf", UTF8_INVALID, 0xfffd, 1);
	DECODE_IS("\xe0\x80\xaf", UTF8_INVALID, 0xfffd, 1);
	DECODE_IS("\xe0\x9f\xbf", UTF8_INVALID, 0xfffd, 1);
	DECODE_IS("\xe0\x9f", UTF8_INVALID, 0xfffd, 1);
	DECODE_IS("\xf0\x8f\xbf\xbf", UTF8_INVALID, 0xfffd, 1);
	DECODE_IS("\xf0\x80", UTF8_INVALID, 0xfffd, 1);

	/* surrogates U+D800..U+DFFF */
	DECODE_IS("\xed\xa0\x80", UTF8_INVALID, 0xfffd, 1);
	DECODE_IS("\xed\xbf\xbf", UTF8_INVALID, 0xfffd, 1);
	DECODE_IS("\xed\xa0", UTF8_INVALID, 0xfffd, 1);

	/* above U+10FFFF */
	DECODE_IS("\xf4\x90\x80\x80", UTF8_INVALID, 0xfffd, 1);
	DECODE_IS("\xf4\x90", UTF8_INVALID, 0xfffd, 1);
	DECODE_IS("\xf5\x80\x80\x80", UTF8_INVALID, 0xfffd, 1);
	DECODE_IS("\xf7\xbf\xbf\xbf", UTF8_INVALID, 0xfffd, 1);

	/* bytes that start nothing */
	DECODE_IS("\x80", UTF8_INVALID, 0xfffd, 1);
	DECODE_IS("\xbf\x80", UTF8_INVALID, 0xfffd, 1);
	DECODE_IS("\xfe", UTF8_INVALID, 0xfffd, 1);
	DECODE_IS("\xff", UTF8_INVALID, 0xfffd, 1);

	/* truncated: valid so far and cut by the end, "partial"; cut by another byte, invalid
	 * with the maximal subpart as its length */
	decode_is("", 0, UTF8_PARTIAL, 0xfffd, 0);
	DECODE_IS("\xc2", UTF8_PARTIAL, 0xfffd, 1);
	DECODE_IS("\xe2", UTF8_PARTIAL, 0xfffd, 1);
	DECODE_IS("\xe2\x82", UTF8_PARTIAL, 0xfffd, 2);
	DECODE_IS("\xe0\xa0", UTF8_PARTIAL, 0xfffd, 2);
	DECODE_IS("\xed\x9f", UTF8_PARTIAL, 0xfffd, 2);
	DECODE_IS("\xf0\x9f\x98", UTF8_PARTIAL, 0xfffd, 3);
	DECODE_IS("\xf4\x8f\xbf", UTF8_PARTIAL, 0xfffd, 3);
	DECODE_IS("\302a", UTF8_INVALID, 0xfffd, 1);
	DECODE_IS("\342\202a", UTF8_INVALID, 0xfffd, 2);
	DECODE_IS("\xf0\x9f\x98\x1b", UTF8_INVALID, 0xfffd, 3);
	DECODE_IS("\xf0\x9f\xc2\xa9", UTF8_INVALID, 0xfffd, 2);
}

/*
 * Unicode's table of well-formed byte sequences (Table 3-7), written out independently of
 * the decoder: a row allows bytes lo[k]..hi[k] at each position k of its size.
 */
static enum utf8_result reference_decode(const unsigned char *s, size_t n, uint32_t *cp,
                                         size_t *len)
{
	static const struct {
		unsigned char lo[4], hi[4];
		size_t size;
	} rows[] = {
	    {{0x00}, {0x7f}, 1},                                     /* U+0000..U+007F */
	    {{0xc2, 0x80}, {0xdf, 0xbf}, 2},                         /* U+0080..U+07FF */
	    {{0xe0, 0xa0, 0x80}, {0xe0, 0xbf, 0xbf}, 3},             /* U+0800..U+0FFF */
	    {{0xe1, 0x80, 0x80}, {0xec, 0xbf, 0xbf}, 3},             /* U+1000..U+CFFF */
	    {{0xed, 0x80, 0x80}, {0xed, 0x9f, 0xbf}, 3},             /* U+D000..U+D7FF */
	    {{0xee, 0x80, 0x80}, {0xef, 0xbf, 0xbf}, 3},             /* U+E000..U+FFFF */
	    {{0xf0, 0x90, 0x80, 0x80}, {0xf0, 0xbf, 0xbf, 0xbf}, 4}, /* U+10000..U+3FFFF */
	    {{0xf1, 0x80, 0x80, 0x80}, {0xf3, 0xbf, 0xbf, 0xbf}, 4}, /* U+40000..U+FFFFF */
	    {{0xf4, 0x80, 0x80, 0x80}, {0xf4, 0x8f, 0xbf, 0xbf}, 4}, /* U+100000..U+10FFFF */
	};
	const size_t nrows = sizeof(rows) / sizeof(rows[0]);
	size_t row, k;

	*cp = 0xfffd;
	*len = n ? 1 : 0;
	if (!n)
		return UTF8_PARTIAL;
	for (row = 0; row < nrows; row++)
		if (s[0] >= rows[row].lo[0] && s[0] <= rows[row].hi[0])
			break;
	if (row == nrows)
		return UTF8_INVALID;
	for (k = 1; k < rows[row].size; k++) {
		*len = k;
		if (k == n)
			return UTF8_PARTIAL;
		if (s[k] < rows[row].lo[k] || s[k] > rows[row].hi[k])
			return UTF8_INVALID;
	}
	*len = rows[row].size;
	switch (rows[row].size) {
	case 1:
		*cp = s[0];
		break;
	case 2:
		*cp = (uint32_t)(s[0] - 0xc0) * 64 + (s[1] - 0x80);
		break;
	case 3:
		*cp = ((uint32_t)(s[0] - 0xe0) * 64 + (s[1] - 0x80)) * 64 + (s[2] - 0x80);
		break;
	default:
		*cp = (((uint32_t)(s[0] - 0xf0) * 64 + (s[1] - 0x80)) * 64 + (s[2] - 0x80)) * 64 +
		      (s[3] - 0x80);
	}
	return UTF8_OK;
}

/* Every first byte, followed by up to three bytes from each side of every boundary the
 * table has, at every length from 1 to 4, decodes as the reference says. */
static void test_utf8_decode_matches_table(void **state)
{
	static const unsigned char edge[] = {0x00, 0x41, 0x7f, 0x80, 0x8f, 0x90, 0x9f,
	                                     0xa0, 0xbf, 0xc0, 0xc2, 0xe0, 0xf4, 0xff};
	const size_t ne = sizeof(edge);
	unsigned char s[4];
	uint32_t cp;
	size_t i, n, len;

	for (i = 0; i < 256 * ne * ne * ne; i++) {
		s[0] = (unsigned char)(i % 256);
		s[1] = edge[i / 256 % ne];
		s[2] = edge[i / 256 / ne % ne];
		s[3] = edge[i / 256 / ne / ne];
		for (n = 1; n <= 4; n++) {
			enum utf8_result want = reference_decode(s, n, &cp, &len);

			decode_is((const char *)s, n, want, cp, len);
		}
	}
}

/* Every scalar value encodes to the bytes the decoder reads back as it, in the length the
 * value's range asks for. */
static void test_utf8_encode_round_trip(void **state)
{
	for (uint32_t cp = 0; cp <= 0x10ffff; cp++) {
		char b[4];
		size_t n, len;
		uint32_t back;

		if (cp >= 0xd800 && cp <= 0xdfff)
			continue;
		n = utf8_encode(cp, b);
		if (n != (cp < 0x80 ? 1u : cp < 0x800 ? 2u : cp < 0x10000 ? 3u : 4u))
			fail_msg("U+%04X: %zu bytes", (unsigned)cp, n);
		if (utf8_decode(b, n, &back, &len) != UTF8_OK || back != cp || len != n)
			fail_msg("U+%04X does not round-trip", (unsigned)cp);
	}
}

static void test_utf8_encode_non_scalar(void **state)
{
	char b[4];

	assert_int_equal(utf8_encode(0xd800, b), 3);
	assert_memory_equal(b, "\xef\xbf\xbd", 3);
	assert_int_equal(utf8_encode(0x110000, b), 3);
	assert_memory_equal(b, "\xef\xbf\xbd", 3);
	assert_int_equal(utf8_encode(0xe9, b), 2);
	assert_memory_equal(b, "\xc3\xa9", 2);
}

static void test_utf8_is_cont(void **state)
{
	for (int b = 0; b < 256; b++)
		assert_int_equal(utf8_is_cont((unsigned char)b), b >= 0x80 && b <= 0xbf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_utf8_decode),
	    cmocka_unit_test(test_utf8_decode_matches_table),
	    cmocka_unit_test(test_utf8_encode_round_trip),
	    cmocka_unit_test(test_utf8_encode_non_scalar),
	    cmocka_unit_test(test_utf8_is_cont),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
