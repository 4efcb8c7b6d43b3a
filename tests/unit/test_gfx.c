// SPDX-License-Identifier: GPL-3.0-or-later
/* Pixel images through tmux (tui/gfx.c): the passthrough wrapping byte for byte (one DCS a
 * string sequence, ESCs doubled, the cursor move inside each), a real kitty encoding wrapped
 * with nothing left outside a DCS, and the protocol chosen inside tmux (auto: symbols; a
 * configured protocol: wrapped). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <glib.h>
#include <spng.h>

#include "tui/gfx.h"

static void wraps(const char *s, size_t n, int y, int x, const char *want, size_t wantn)
{
	size_t got = 0;
	char *w = gfx_tmux_wrap(s, n, y, x, &got);

	assert_non_null(w);
	if (got != wantn || memcmp(w, want, wantn))
		print_error("want %zu bytes, got %zu: %.*s\n", wantn, got, (int)got, w);
	assert_int_equal(got, wantn);
	assert_memory_equal(w, want, wantn);
	assert_int_equal(w[got], 0);
	free(w);
}

#define WRAPS(s, y, x, want) wraps(s, sizeof(s) - 1, y, x, want, sizeof(want) - 1)

static void test_wrap_bytes(void **state)
{
	(void)state;
	/* kitty's chunks: a DCS each, every ESC doubled */
	WRAPS("\033_Ga=T,m=1;AAAA\033\\\033_Gm=0;BB\033\\", 0, 0,
	      "\033Ptmux;\033\033_Ga=T,m=1;AAAA\033\033\\\033\\"
	      "\033Ptmux;\033\033_Gm=0;BB\033\033\\\033\\");
	/* with the cursor move (outer terminal's row and column) inside each */
	WRAPS("\033_Gm=1;A\033\\\033_Gm=0;B\033\\", 7, 12,
	      "\033Ptmux;\033\0337\033\033[7;12H\033\033_Gm=1;A\033\033\\\033\0338\033\\"
	      "\033Ptmux;\033\0337\033\033[7;12H\033\033_Gm=0;B\033\033\\\033\0338\033\\");
	/* iTerm2's OSC ends in BEL; a sixel DCS; bytes between sequences stay outside */
	WRAPS("\033]1337;File=inline=1:QUJD\a", 0, 0,
	      "\033Ptmux;\033\033]1337;File=inline=1:QUJD\a\033\\");
	WRAPS("\033P0;1q\"1;1;2;2#0;2;0;0;0#0~~\033\\\r\n", 0, 0,
	      "\033Ptmux;\033\033P0;1q\"1;1;2;2#0;2;0;0;0#0~~\033\033\\\033\\\r\n");
	/* a sequence cut short is still closed; ESC before NUL or a CSI is not a string */
	WRAPS("\033_Gm=1;AB", 0, 0, "\033Ptmux;\033\033_Gm=1;AB\033\\");
	wraps("\033\0x", 3, 0, 0, "\033\0x", 3);
	WRAPS("\033[2J", 0, 0, "\033[2J");
	WRAPS("", 0, 0, "");
}

static char *png_b64(unsigned w, unsigned h)
{
	spng_ctx *ctx = spng_ctx_new(SPNG_CTX_ENCODER);
	struct spng_ihdr ih = {
	    .width = w, .height = h, .bit_depth = 8, .color_type = SPNG_COLOR_TYPE_TRUECOLOR_ALPHA};
	unsigned char *px = calloc((size_t)w * h, 4);
	void *out;
	size_t n;
	int err = 0;
	char *s;

	assert_non_null(px);
	for (size_t i = 0; i < (size_t)w * h; i++)
		px[i * 4] = (unsigned char)i, px[i * 4 + 3] = 255;
	spng_set_option(ctx, SPNG_ENCODE_TO_BUFFER, 1);
	spng_set_ihdr(ctx, &ih);
	assert_int_equal(
	    spng_encode_image(ctx, px, (size_t)w * h * 4, SPNG_FMT_PNG, SPNG_ENCODE_FINALIZE), 0);
	out = spng_get_png_buffer(ctx, &n, &err);
	assert_non_null(out);
	s = g_base64_encode(out, n);
	spng_ctx_free(ctx);
	free(out);
	free(px);
	return s;
}

/* A real kitty encoding (several 4 KB chunks) wrapped: every ESC is the start of a DCS, an ESC
 * doubled inside one, or its ST; no DCS is longer than tmux's 1 MB input buffer. */
static void test_wrap_kitty(void **state)
{
	char *b = png_b64(300, 200), *seq, *w;
	size_t n, wn, dcs = 0, start = 0, chunks = 0;

	(void)state;
	seq = gfx_encode(b, strlen(b), MIME_IMG_KITTY, 30, 10, &n);
	assert_non_null(seq);
	for (const char *p = seq; (p = strstr(p, "\033_G")); p++)
		chunks++;
	assert_true(chunks > 2);
	w = gfx_tmux_wrap(seq, n, 3, 4, &wn);
	assert_non_null(w);
	for (size_t i = 0; i < wn; i++) {
		if (w[i] != '\033')
			continue;
		if (!strncmp(w + i, "\033Ptmux;", 7)) {
			assert_int_equal(dcs, 0);
			dcs = 1;
			start = i;
			i += 6;
		} else if (dcs && w[i + 1] == '\033') {
			i++; /* doubled */
		} else if (dcs && w[i + 1] == '\\') {
			assert_true(i - start < (1u << 20));
			dcs = 0;
			chunks--;
			i++;
		} else {
			fail_msg("an ESC outside a passthrough at %zu", i);
		}
	}
	assert_int_equal(dcs, 0);
	assert_int_equal(chunks, 0); /* a DCS a chunk */
	assert_non_null(strstr(w, "\033Ptmux;\033\0337\033\033[3;4H\033\033_Ga=T"));
	free(w);
	g_free(seq);
	g_free(b);
}

/* Inside tmux auto stays block art; a configured protocol is wrapped. */
static void test_tmux_choice(void **state)
{
	(void)state;
	setenv("TMUX", "/tmp/tmux-0/default,1,0", 1);
	gfx_init(MIME_IMG_AUTO);
	assert_int_equal(gfx_mode(), MIME_IMG_SYMBOLS);
	assert_false(gfx_tmux());
	gfx_init(MIME_IMG_KITTY);
	assert_int_equal(gfx_mode(), MIME_IMG_KITTY);
	assert_true(gfx_tmux());
	gfx_init(MIME_IMG_SYMBOLS);
	assert_false(gfx_tmux());
	/* over ssh from inside tmux only TERM says so */
	unsetenv("TMUX");
	setenv("TERM", "tmux-256color", 1);
	gfx_init(MIME_IMG_AUTO);
	assert_int_equal(gfx_mode(), MIME_IMG_SYMBOLS);
	gfx_init(MIME_IMG_SIXEL);
	assert_int_equal(gfx_mode(), MIME_IMG_SIXEL);
	assert_true(gfx_tmux());
	/* not in tmux: never wrapped (stdin is no terminal here, so nothing is asked) */
	setenv("TERM", "xterm-256color", 1);
	gfx_init(MIME_IMG_ITERM);
	assert_int_equal(gfx_mode(), MIME_IMG_ITERM);
	assert_false(gfx_tmux());
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_wrap_bytes),
	    cmocka_unit_test(test_wrap_kitty),
	    cmocka_unit_test(test_tmux_choice),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
