// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * UTF-8 decoding and encoding for the whole front end (see utf8.h): the key decoder, the
 * sanitiser, the editor, the layout and the command line all read and write characters here.
 */
#include "tui/utf8.h"

int utf8_lead(unsigned char b, uint32_t *cp, unsigned char *lo, unsigned char *hi)
{
	*lo = 0x80;
	*hi = 0xbf;
	if (b >= 0xc2 && b <= 0xdf) {
		*cp = b & 0x1fu;
		return 1;
	}
	if (b >= 0xe0 && b <= 0xef) {
		*cp = b & 0x0fu;
		if (b == 0xe0)
			*lo = 0xa0; /* overlong */
		else if (b == 0xed)
			*hi = 0x9f; /* surrogates */
		return 2;
	}
	if (b >= 0xf0 && b <= 0xf4) {
		*cp = b & 0x07u;
		if (b == 0xf0)
			*lo = 0x90; /* overlong */
		else if (b == 0xf4)
			*hi = 0x8f; /* past U+10FFFF */
		return 3;
	}
	return 0;
}

enum utf8_result utf8_decode(const char *str, size_t n, uint32_t *cp, size_t *len)
{
	const unsigned char *s = (const unsigned char *)str;
	unsigned char lo, hi;
	uint32_t c = 0;
	size_t i;
	int need;

	*cp = 0xfffd;
	*len = n ? 1 : 0;
	if (!n)
		return UTF8_PARTIAL;
	if (s[0] < 0x80) {
		*cp = s[0];
		return UTF8_OK;
	}
	if (!(need = utf8_lead(s[0], &c, &lo, &hi)))
		return UTF8_INVALID;
	for (i = 1; i <= (size_t)need; i++) {
		*len = i;
		if (i >= n)
			return UTF8_PARTIAL;
		if (s[i] < lo || s[i] > hi)
			return UTF8_INVALID;
		c = (c << 6) | (s[i] & 0x3fu);
		lo = 0x80;
		hi = 0xbf;
	}
	*cp = c;
	*len = i;
	return UTF8_OK;
}

size_t utf8_encode(uint32_t cp, char out[4])
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xc0 | (cp >> 6));
		out[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if ((cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		cp = 0xfffd;
	if (cp < 0x10000) {
		out[0] = (char)(0xe0 | (cp >> 12));
		out[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		out[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	out[0] = (char)(0xf0 | (cp >> 18));
	out[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
	out[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
	out[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}
