// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * The front end's one UTF-8 module: strict decoding (overlongs, surrogates, values past U+10FFFF
 * and stray continuation bytes are ill-formed, each maximal invalid subpart is one U+FFFD, as
 * Unicode recommends and Python's errors="replace" does), encoding, and the lead-byte rules the
 * byte-at-a-time decoder of tui/safetext.c shares. Pure: no allocation, no state.
 */
#ifndef BOBBIN_UTF8_H
#define BOBBIN_UTF8_H

#include <stddef.h>
#include <stdint.h>

/* Results of utf8_decode(). */
enum utf8_result {
	UTF8_OK,      /* a valid character */
	UTF8_INVALID, /* an ill-formed sequence */
	UTF8_PARTIAL, /* a valid start that the end of the bytes cut short */
};

/*
 * Decodes the character at the start of s[0..n) (borrowed).
 * UTF8_OK: *cp is the code point and *len its length, 1 to 4.
 * UTF8_INVALID (an overlong, a surrogate, above U+10FFFF, a stray continuation byte, a
 * C0/C1/F5..FF lead, a lead cut short by a byte that cannot continue it): *cp is U+FFFD and
 * *len the length of the maximal subpart, 1 to 3, after which decoding resumes. A sequence is
 * invalid at the first byte that makes it so (E0 80 is, at its second byte).
 * UTF8_PARTIAL: s[0..n) is a valid start cut by the end of the bytes; *cp is U+FFFD and *len is
 * n (0 when n is 0), so a caller at the end of its input can take it as an invalid sequence,
 * and one that reads a stream can wait for more bytes.
 */
enum utf8_result utf8_decode(const char *s, size_t n, uint32_t *cp, size_t *len);

/* Writes the UTF-8 form of cp into out and returns its length, 1 to 4. A value that is no
 * Unicode scalar value (a surrogate, above U+10FFFF) is written as U+FFFD (3 bytes). */
size_t utf8_encode(uint32_t cp, char out[4]);

/*
 * The lead byte b >= 0x80 of a character: returns how many continuation bytes follow (0 when b
 * starts no valid character: a continuation byte, C0, C1, F5..FF), sets *cp to its bits and
 * [*lo, *hi] to the range of the next byte, narrowed where the whole would be an overlong (E0,
 * F0), a surrogate (ED) or past U+10FFFF (F4). Later continuation bytes are 80..BF.
 */
int utf8_lead(unsigned char b, uint32_t *cp, unsigned char *lo, unsigned char *hi);

/* 1 if b is a continuation byte (10xxxxxx): not the start of a character. */
static inline int utf8_is_cont(unsigned char b)
{
	return (b & 0xc0) == 0x80;
}

#endif
