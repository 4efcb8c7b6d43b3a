// SPDX-License-Identifier: GPL-3.0-or-later
/* Unit tests of rich outputs (tui/mime.c, tui/image.c, tui/texttable.c): the MIME choice,
 * markdown, LaTeX, HTML tables and stripped HTML, JSON, widgets, and images from real PNG and
 * JPEG bytes encoded here (libspng, libjpeg), hostile images, the cache, the layout rows. */
#include <locale.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include <glib.h>
#include <jpeglib.h>
#include <spng.h>

#include "tui/gfx.h"
#include "tui/image.h"
#include "tui/mime.h"
#include "tui/render.h"
#include "tui/safetext.h"

static const struct mime_opts opts = {.width = 60, .images = MIME_IMG_AUTO,
				      .depth = THEME_DEPTH_TRUE};

/* ---- images made here ---- */

/* w×h RGBA: left half red, right half blue. */
static unsigned char *pixels(unsigned w, unsigned h)
{
	unsigned char *p = malloc((size_t)w * h * 4);

	assert_non_null(p);
	for (unsigned y = 0; y < h; y++)
		for (unsigned x = 0; x < w; x++) {
			unsigned char *q = p + ((size_t)y * w + x) * 4;
			q[0] = x < w / 2 ? 220 : 10;
			q[1] = 20;
			q[2] = x < w / 2 ? 20 : 230;
			q[3] = 255;
		}
	return p;
}

static unsigned char *png_bytes(unsigned w, unsigned h, size_t *n)
{
	spng_ctx *ctx = spng_ctx_new(SPNG_CTX_ENCODER);
	struct spng_ihdr ih = {.width = w, .height = h, .bit_depth = 8,
			       .color_type = SPNG_COLOR_TYPE_TRUECOLOR_ALPHA};
	unsigned char *px = pixels(w, h);
	void *out;
	int err = 0;

	spng_set_option(ctx, SPNG_ENCODE_TO_BUFFER, 1);
	spng_set_ihdr(ctx, &ih);
	assert_int_equal(spng_encode_image(ctx, px, (size_t)w * h * 4, SPNG_FMT_PNG,
					   SPNG_ENCODE_FINALIZE), 0);
	out = spng_get_png_buffer(ctx, n, &err);
	assert_non_null(out);
	spng_ctx_free(ctx);
	free(px);
	return out;
}

static unsigned char *jpeg_bytes(unsigned w, unsigned h, size_t *n)
{
	struct jpeg_compress_struct ci;
	struct jpeg_error_mgr jerr;
	unsigned char *px = pixels(w, h), *out = NULL;
	unsigned long size = 0;

	ci.err = jpeg_std_error(&jerr);
	jpeg_create_compress(&ci);
	jpeg_mem_dest(&ci, &out, &size);
	ci.image_width = w;
	ci.image_height = h;
	ci.input_components = 4;
	ci.in_color_space = JCS_EXT_RGBA;
	jpeg_set_defaults(&ci);
	jpeg_start_compress(&ci, TRUE);
	while (ci.next_scanline < h) {
		JSAMPROW row = px + (size_t)ci.next_scanline * w * 4;
		jpeg_write_scanlines(&ci, &row, 1);
	}
	jpeg_finish_compress(&ci);
	jpeg_destroy_compress(&ci);
	free(px);
	*n = size;
	return out;
}

static char *b64(const unsigned char *p, size_t n)
{
	static const char a[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	char *s = malloc(n / 3 * 4 + 8), *q = s;
	size_t i;

	for (i = 0; i + 2 < n; i += 3) {
		unsigned v = (unsigned)p[i] << 16 | (unsigned)p[i + 1] << 8 | p[i + 2];
		*q++ = a[v >> 18];
		*q++ = a[v >> 12 & 63];
		*q++ = a[v >> 6 & 63];
		*q++ = a[v & 63];
	}
	if (i < n) {
		unsigned v = (unsigned)p[i] << 16 | (i + 1 < n ? (unsigned)p[i + 1] << 8 : 0);
		*q++ = a[v >> 18];
		*q++ = a[v >> 12 & 63];
		*q++ = i + 1 < n ? a[v >> 6 & 63] : '=';
		*q++ = '=';
	}
	*q = 0;
	return s;
}

/* Rows of the text and whether every row is within width columns once parsed. */
struct scan {
	int rows, maxw, cur, red, blue, controls;
};

static void scan_emit(void *ud, const struct st_style *st, const char *t, size_t n)
{
	struct scan *s = ud;

	for (size_t i = 0; i < n;) {
		size_t adv = 1;

		if (t[i] == '\n') {
			s->rows++;
			s->cur = 0;
			i++;
			continue;
		}
		if ((unsigned char)t[i] < 0x20)
			s->controls++;
		s->cur += st_next(t + i, n - i, &adv);
		if (s->cur > s->maxw)
			s->maxw = s->cur;
		i += adv;
	}
	for (int k = 0; k < 2; k++) {
		int c = k ? st->bg : st->fg;

		if (ST_IS_RGB(c) && ST_RGB_R(c) > 150 && ST_RGB_B(c) < 100)
			s->red = 1;
		if (ST_IS_RGB(c) && ST_RGB_B(c) > 150 && ST_RGB_R(c) < 100)
			s->blue = 1;
	}
}

static struct scan scan(const char *t)
{
	struct scan s = {0};

	st_parse(t, strlen(t), NULL, scan_emit, &s);
	return s;
}

static json_t *bundle(const char *mime, const char *value, const char *plain)
{
	json_t *d = json_object();

	json_object_set_new(d, mime, json_string(value));
	if (plain)
		json_object_set_new(d, "text/plain", json_string(plain));
	return d;
}

/* ---- tests ---- */

static void test_png_art(void **state)
{
	size_t n;
	unsigned char *png = png_bytes(320, 160, &n);
	char *s = b64(png, n), why[128] = "";
	json_t *d = bundle("image/png", s, "<Figure size 320x160 with 1 Axes>");
	const char *chosen = NULL;
	char *t = mime_text(d, &opts, &chosen);
	struct scan sc;

	assert_non_null(t);
	assert_string_equal(chosen, "image/png");
	sc = scan(t);
	/* 320 px at 8 px a cell: 40 columns, 160 px at 16 px a row: 10 rows */
	assert_int_equal(sc.rows, 10);
	assert_int_equal(sc.maxw, 40);
	assert_true(sc.red && sc.blue);
	assert_int_equal(sc.controls, 0);
	assert_null(strstr(t, "Figure"));
	free(t);
	/* no colours, or images off: text/plain and the caller's placeholder */
	struct mime_opts none = opts;
	none.depth = THEME_DEPTH_NONE;
	assert_null(mime_text(d, &none, NULL));
	none = opts;
	none.images = MIME_IMG_NONE;
	assert_null(mime_text(d, &none, NULL));
	/* a narrow pane and a row limit keep the aspect */
	struct mime_opts small = opts;
	small.width = 20;
	t = img_text(s, strlen(s), &small, why, sizeof why);
	assert_non_null(t);
	sc = scan(t);
	assert_int_equal(sc.maxw, 20);
	assert_int_equal(sc.rows, 5);
	free(t);
	small = opts;
	small.image_rows = 4;
	t = img_text(s, strlen(s), &small, why, sizeof why);
	sc = scan(t);
	assert_int_equal(sc.rows, 4);
	assert_int_equal(sc.maxw, 16);
	free(t);
	json_decref(d);
	free(s);
	free(png);
}

static void test_jpeg_and_depths(void **state)
{
	size_t n;
	unsigned char *jpg = jpeg_bytes(160, 80, &n);
	char *s = b64(jpg, n), why[128] = "", *t;
	struct mime_opts o = opts;
	struct scan sc;

	t = img_text(s, strlen(s), &o, why, sizeof why);
	assert_non_null(t);
	sc = scan(t);
	assert_int_equal(sc.maxw, 20);
	assert_int_equal(sc.rows, 5);
	assert_true(sc.red && sc.blue);
	free(t);
	/* 256 colours: palette indexes only; 8: the first 8 */
	o.depth = THEME_DEPTH_256;
	t = img_text(s, strlen(s), &o, why, sizeof why);
	assert_non_null(t);
	assert_null(strstr(t, ";2;"));
	assert_non_null(strstr(t, "38;5;"));
	free(t);
	o.depth = THEME_DEPTH_8;
	t = img_text(s, strlen(s), &o, why, sizeof why);
	assert_non_null(t);
	assert_null(strstr(t, ";2;"));
	free(t);
	/* ASCII terminals get ASCII art */
	o.depth = THEME_DEPTH_TRUE;
	o.ascii = 1;
	t = img_text(s, strlen(s), &o, why, sizeof why);
	assert_non_null(t);
	for (const unsigned char *p = (const unsigned char *)t; *p; p++)
		assert_true(*p < 0x80);
	free(t);
	free(s);
	free(jpg);
}

static uint32_t crc32_(const unsigned char *p, size_t n)
{
	uint32_t c = 0xffffffffu;

	for (size_t i = 0; i < n; i++) {
		c ^= p[i];
		for (int k = 0; k < 8; k++)
			c = c & 1 ? 0xedb88320u ^ (c >> 1) : c >> 1;
	}
	return c ^ 0xffffffffu;
}

static void expect_fail(const char *b, size_t len, const char *reason)
{
	char why[128] = "";
	char *t = img_text(b, len, &opts, why, sizeof why);

	if (t || !strstr(why, reason))
		print_error("want failure \"%s\", got \"%s\"\n", reason, why);
	assert_null(t);
	assert_non_null(strstr(why, reason));
}

static void test_hostile(void **state)
{
	size_t n;
	unsigned char *png = png_bytes(64, 32, &n);
	char *s;

	/* a PNG claiming 100000×100000, with a valid CRC */
	png[16] = 0, png[17] = 1, png[18] = 0x86, png[19] = 0xa0;
	png[20] = 0, png[21] = 1, png[22] = 0x86, png[23] = 0xa0;
	uint32_t c = crc32_(png + 12, 17);
	png[29] = (unsigned char)(c >> 24), png[30] = (unsigned char)(c >> 16);
	png[31] = (unsigned char)(c >> 8), png[32] = (unsigned char)c;
	s = b64(png, n);
	expect_fail(s, strlen(s), "PNG");
	free(s);
	free(png);
	/* truncated */
	png = png_bytes(64, 32, &n);
	s = b64(png, n / 2);
	expect_fail(s, strlen(s), "bad PNG");
	free(s);
	free(png);
	/* a truncated JPEG still decodes (libjpeg fills in grey); garbage after the SOI does not */
	expect_fail("/9j/AAAA", 8, "JPEG");
	expect_fail("not base64!", 11, "invalid base64");
	expect_fail("R0lGODlhAQABAAAAACw=", 20, "GIF");
	expect_fail("AAAA", 4, "not a PNG, JPEG or GIF");
	/* over the size limit: refused before any byte is read (the pointer is never used) */
	expect_fail((const char *)&n, (size_t)IMG_MAX_BYTES / 3 * 4 + 400, "limit");
	/* the text/plain placeholder line names the reason */
	json_t *d = bundle("image/png", "@@@", NULL);
	char *t = mime_text(d, &opts, NULL);
	assert_non_null(strstr(t, "[image/png 0 B: invalid base64]"));
	free(t);
	json_decref(d);
}

/* The GIF fixtures of tests/data/gif (made by make_gifs.py there, checked with PIL) */
static unsigned char *gif_file(const char *name, size_t *n)
{
	char path[256];
	FILE *f;
	unsigned char *p = malloc(4096);

	snprintf(path, sizeof path, "tests/data/gif/%s", name);
	f = fopen(path, "rb");
	assert_non_null(f);
	assert_non_null(p);
	*n = fread(p, 1, 4096, f);
	fclose(f);
	return p;
}

static void expect_px(const struct img *im, unsigned x, unsigned y, unsigned rgba)
{
	const unsigned char *q = im->rgba + ((size_t)y * im->w + x) * 4;
	unsigned got = (unsigned)q[0] << 24 | (unsigned)q[1] << 16 | (unsigned)q[2] << 8 | q[3];

	if ((got & 0xff) == 0 && (rgba & 0xff) == 0)
		return; /* transparent: the colour does not matter */
	if (got != rgba)
		print_error("pixel %u,%u: want %08x, got %08x\n", x, y, rgba, got);
	assert_int_equal(got, rgba);
}

static void test_gif(void **state)
{
	static const unsigned R = 0xff0000ffu, G = 0x00ff00ffu, B = 0x0000ffffu, W = 0xffffffffu;
	static const unsigned tiny[] = {R, G, B, W, W, B, G, R}, lace[] = {R, G, B, W, R, G, B, W};
	struct img im;
	char why[128] = "", *s, *t;
	size_t n;
	unsigned char *p = gif_file("tiny.gif", &n);

	/* the first frame only (the second is all green) */
	assert_int_equal(img_decode(p, n, &im, why, sizeof why), 0);
	assert_int_equal(im.w, 4);
	assert_int_equal(im.h, 2);
	for (unsigned i = 0; i < 8; i++)
		expect_px(&im, i % 4, i / 4, tiny[i]);
	img_free(&im);
	/* through mime_text as art, like a PNG */
	s = b64(p, n);
	json_t *d = bundle("image/gif", s, "<IPython.core.display.Image object>");
	const char *chosen = NULL;
	struct scan sc;

	t = mime_text(d, &opts, &chosen);
	assert_non_null(t);
	assert_string_equal(chosen, "image/gif");
	sc = scan(t);
	assert_true(sc.rows >= 1 && sc.controls == 0);
	assert_null(strstr(t, "[image/gif"));
	free(t);
	json_decref(d);
	free(s);
	free(p);
	/* interlaced rows put back in order */
	p = gif_file("interlaced.gif", &n);
	assert_int_equal(img_decode(p, n, &im, why, sizeof why), 0);
	assert_int_equal(im.h, 8);
	for (unsigned y = 0; y < 8; y++)
		expect_px(&im, 0, y, lace[y]);
	img_free(&im);
	free(p);
	/* a frame inside the screen, its colour 3 transparent, the rest of the screen too */
	p = gif_file("transparent.gif", &n);
	assert_int_equal(img_decode(p, n, &im, why, sizeof why), 0);
	assert_int_equal(im.w, 4);
	expect_px(&im, 1, 1, R);
	expect_px(&im, 2, 1, 0);
	expect_px(&im, 1, 2, 0);
	expect_px(&im, 2, 2, B);
	expect_px(&im, 0, 0, 0);
	expect_px(&im, 3, 3, 0);
	img_free(&im);
	free(p);
	/* hostile: a 65535×65535 screen, a truncated frame */
	p = gif_file("huge.gif", &n);
	s = b64(p, n);
	expect_fail(s, strlen(s), "65535×65535 pixels is over the limit");
	free(s);
	free(p);
	p = gif_file("truncated.gif", &n);
	s = b64(p, n);
	expect_fail(s, strlen(s), "bad GIF");
	free(s);
	free(p);
}

static void test_cache(void **state)
{
	size_t n;
	unsigned char *png = png_bytes(1600, 1200, &n);
	char *s = b64(png, n), why[64];
	struct timespec a, b, c;
	double first, again;

	img_cache_clear();
	clock_gettime(CLOCK_MONOTONIC, &a);
	free(img_text(s, strlen(s), &opts, why, sizeof why));
	clock_gettime(CLOCK_MONOTONIC, &b);
	for (int i = 0; i < 100; i++)
		free(img_text(s, strlen(s), &opts, why, sizeof why));
	clock_gettime(CLOCK_MONOTONIC, &c);
	first = (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9;
	again = ((double)(c.tv_sec - b.tv_sec) + (double)(c.tv_nsec - b.tv_nsec) / 1e9) / 100;
	/* a hit copies text: far cheaper than decoding 1.9 Mpixels */
	assert_true(again * 20 < first);
	free(s);
	free(png);
}

static void test_text_types(void **state)
{
	json_t *d;
	char *t;
	const char *chosen;

	/* markdown beats its repr; attributes as SGR */
	d = bundle("text/markdown", "# Head\n\n**bold** | x |", "<IPython.core.display.Markdown object>");
	t = mime_text(d, &opts, &chosen);
	assert_string_equal(chosen, "text/markdown");
	assert_non_null(strstr(t, "Head"));
	assert_non_null(strstr(t, "\033[0;1mbold"));
	assert_null(strstr(t, "IPython"));
	free(t);
	json_decref(d);
	/* LaTeX when text/plain is only a repr; "\\," kept */
	d = bundle("text/latex", "$\\alpha \\, \\frac{1}{2} x^2$", "<IPython.core.display.Latex object>");
	t = mime_text(d, &opts, NULL);
	assert_string_equal(t, "α \\, \\frac{1}{2} x²\n");
	free(t);
	json_decref(d);
	/* a useful text/plain (sympy's) wins over LaTeX and HTML */
	d = bundle("text/latex", "$x^2$", "x**2");
	assert_null(mime_text(d, &opts, NULL));
	json_decref(d);
	/* and over markdown: an R value (IRkernel sends its markdown beside R's printed form) */
	d = bundle("text/markdown", "'Ada'", "[1] \"Ada\"");
	assert_null(mime_text(d, &opts, NULL));
	json_decref(d);
	/* pandas' HTML without text/plain: a text table; escapes in cells are dropped */
	d = bundle("text/html",
		   "<div><style>t{}</style><table><thead><tr><th></th><th>a</th></tr></thead>"
		   "<tbody><tr><th>0</th><td>x &amp; \033]0;T\007y</td></tr>"
		   "<tr><th>1</th><td>2.5</td></tr></tbody></table></div>",
		   NULL);
	t = mime_text(d, &opts, NULL);
	assert_string_equal(t, "   \033[1ma\033[0m\n────────\n\033[1m0\033[0m  x & y\n"
			       "\033[1m1\033[0m    2.5\n");
	free(t);
	json_decref(d);
	/* other HTML: tags stripped, script dropped */
	d = bundle("text/html", "<p>Hello <b>world</b></p><script>alert(1)</script><p>&lt;ok&gt;</p>",
		   NULL);
	t = mime_text(d, &opts, NULL);
	assert_string_equal(t, "Hello world\n<ok>\n");
	free(t);
	json_decref(d);
	/* numeric entities, a control among them dropped */
	t = mime_html_strip("&#x3b1;&#955;&#27;&#0;!", 23);
	assert_string_equal(t, "αλ\xef\xbf\xbd!\n");
	free(t);
	/* JSON pretty-printed, its escapes shown, not acted on */
	d = json_object();
	json_object_set_new(d, "application/json", json_pack("{s:[i,i]}", "a", 1, 2));
	t = mime_text(d, &opts, NULL);
	assert_string_equal(t, "{\n  \"a\": [\n    1,\n    2\n  ]\n}\n");
	free(t);
	json_decref(d);
	/* a widget: one line naming it */
	d = bundle("text/plain", "IntSlider(value=3)", NULL);
	json_object_set_new(d, "application/vnd.jupyter.widget-view+json",
			    json_pack("{s:s}", "model_id", "abc"));
	t = mime_text(d, &opts, NULL);
	assert_non_null(strstr(t, "[widget IntSlider(value=3):"));
	free(t);
	json_decref(d);
	/* plain only: the caller's business */
	d = bundle("text/plain", "42", NULL);
	assert_null(mime_text(d, &opts, NULL));
	json_decref(d);
}

static void test_layout_rows(void **state)
{
	size_t n;
	unsigned char *png = png_bytes(640, 480, &n);
	char *s = b64(png, n);
	json_t *outs = json_pack("[{s:s,s:{s:s,s:s},s:{}}]", "output_type", "display_data",
				 "data", "image/png", s, "text/plain", "<Figure>", "metadata");
	struct rd_cell_in in;
	struct rd_layout l = {0};
	size_t rows = 0, sgr = 0;

	memset(&in, 0, sizeof in);
	in.type = NB_CODE;
	in.src = "plot()";
	in.srclen = 6;
	in.outputs = outs;
	in.width = 80;
	in.exec_count = 1;
	in.fold_height = 20;
	in.mime = &opts;
	assert_int_equal(rd_cell(&in, &l), 0);
	for (size_t r = 0; r < l.nrows; r++) {
		if (l.rows[r].kind != RD_ROW_OUTPUT)
			continue;
		rows++;
		for (unsigned k = 0; k < l.rows[r].nspans; k++)
			sgr += l.spans[l.rows[r].span0 + k].sgr;
	}
	assert_int_equal(rows, MIME_IMAGE_ROWS);
	if (sgr < 16)
		print_error("%zu spans with colours\n", sgr);
	assert_true(sgr >= 16);
	assert_null(strstr(l.text, "Figure"));
	assert_null(strstr(l.text, "[image/png"));
	/* without mime options: the placeholder as before */
	in.mime = NULL;
	assert_int_equal(rd_cell(&in, &l), 0);
	assert_non_null(strstr(l.text, "[image/png"));
	rd_layout_clear(&l);
	json_decref(outs);
	free(s);
	free(png);
}

/* The terminal's answers to the start-up queries decide the protocol. */
static void test_gfx_parse(void **state)
{
	int w, h;
	const char kitty[] = "\033_Gi=31;OK\033\\\033[6;20;10t\033[?62;22c";
	const char sixel[] = "\033[?62;4;22c";
	const char iterm[] = "\033P>|iTerm2 3.5.0\033\\\033[?62;4c";
	const char kitty_err[] = "\033_Gi=31;ENOTSUPPORTED:x\033\\\033[?1;2c";
	const char junk[] = "\033[?6;4;4;4;4;4;4;4;4;4;4;4;4;4;4;4;4;4;4;4;4c\033[6;99999;1t";

	assert_int_equal(gfx_parse(kitty, sizeof kitty - 1, &w, &h), MIME_IMG_KITTY);
	assert_int_equal(w, 10);
	assert_int_equal(h, 20);
	assert_int_equal(gfx_parse(sixel, sizeof sixel - 1, &w, &h), MIME_IMG_SIXEL);
	assert_int_equal(w, 0);
	assert_int_equal(gfx_parse(iterm, sizeof iterm - 1, &w, &h), MIME_IMG_ITERM);
	assert_int_equal(gfx_parse(kitty_err, sizeof kitty_err - 1, &w, &h), MIME_IMG_SYMBOLS);
	assert_int_equal(gfx_parse("", 0, &w, &h), MIME_IMG_SYMBOLS);
	assert_int_equal(gfx_parse(junk, sizeof junk - 1, &w, &h), MIME_IMG_SIXEL);
	assert_int_equal(h, 0); /* an absurd cell size is not believed */
	assert_int_equal(mime_images_parse("kitty"), MIME_IMG_KITTY);
	assert_int_equal(mime_images_parse("pixels"), -1);
	assert_string_equal(mime_images_name(MIME_IMG_NONE), "none");
}

/* The pixel encoders, each used again and again (chafa's default term db is borrowed: it was
 * once unreferenced after each use, and the next encoding used freed memory). */
static void test_gfx_encode(void **state)
{
	size_t n, len;
	unsigned char *png = png_bytes(64, 32, &n);
	char *s = b64(png, n);
	static const struct {
		int mode;
		const char *start;
	} want[] = {{MIME_IMG_KITTY, "\033_Ga=T,f=32"}, {MIME_IMG_SIXEL, "\033P"},
		    {MIME_IMG_ITERM, "\033]1337;File=inline=1"}};

	for (int round = 0; round < 20; round++)
		for (size_t k = 0; k < sizeof want / sizeof *want; k++) {
			char *t = gfx_encode(s, strlen(s), want[k].mode, 8, 2, &len);

			assert_non_null(t);
			assert_true(len > 20);
			assert_non_null(strstr(t, want[k].start));
			g_free(t);
		}
	assert_null(gfx_encode("AAAA", 4, MIME_IMG_KITTY, 8, 2, &len));
	free(s);
	free(png);
}

/* The page payload of an execute_reply: the first with source "page" and a bundle. */
static void test_page_payload(void **state)
{
	json_t *r = json_loads("{\"status\": \"ok\", \"payload\": ["
			       "{\"source\": \"set_next_input\", \"text\": \"x\"},"
			       "{\"source\": \"page\", \"data\": {}},"
			       "{\"source\": \"page\", \"data\": {\"text/plain\": \"Doc\"}}]}",
			       0, NULL);
	json_t *none = json_loads("{\"status\": \"ok\", \"payload\": [{\"source\": \"page\", "
				  "\"text\": \"old\"}]}",
				  0, NULL);
	json_t *d;

	assert_non_null(r);
	assert_non_null(none);
	d = mime_page_payload(r);
	assert_non_null(d);
	assert_string_equal(json_string_value(json_object_get(d, "text/plain")), "Doc");
	json_decref(d);
	/* R's help: overstruck headings become plain letters, the reply itself is left alone */
	json_object_set_new(json_object_get(json_array_get(json_object_get(r, "payload"), 2), "data"),
			    "text/plain", json_string("_\bM_\be_\ba_\bn\nB\bBo\bol\bld\bd"));
	d = mime_page_payload(r);
	assert_non_null(d);
	assert_string_equal(json_string_value(json_object_get(d, "text/plain")), "Mean\nBold");
	assert_non_null(strchr(json_string_value(json_object_get(
				       json_object_get(json_array_get(json_object_get(r, "payload"), 2), "data"),
				       "text/plain")),
			       '\b'));
	json_decref(d);
	assert_null(mime_page_payload(none));
	assert_null(mime_page_payload(NULL));
	json_decref(r);
	json_decref(none);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_png_art),
	    cmocka_unit_test(test_jpeg_and_depths),
	    cmocka_unit_test(test_gif),
	    cmocka_unit_test(test_hostile),
	    cmocka_unit_test(test_cache),
	    cmocka_unit_test(test_text_types),
	    cmocka_unit_test(test_page_payload),
	    cmocka_unit_test(test_layout_rows),
	    cmocka_unit_test(test_gfx_parse),
	    cmocka_unit_test(test_gfx_encode),
	};

	setlocale(LC_ALL, "C.UTF-8");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
