// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * Images as character-cell art (see image.h): base64, PNG through libspng with its image and
 * chunk limits, JPEG through libjpeg with an error handler that returns (setjmp) and a scale
 * that keeps big photos small, GIF's first frame through giflib's record-by-record reader (so
 * the frames after it are never decoded), then libchafa's canvas read back cell by cell so the SGR text is
 * written here from numbers (chafa's own printer is not used).
 */
#include "tui/image.h"

#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <chafa.h>
#include <gif_lib.h>
#include <jpeglib.h>
#include <spng.h>

#include "tui/safetext.h"

/* ---- base64 ---- */

static int b64_val(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+' || c == '-')
		return 62;
	if (c == '/' || c == '_')
		return 63;
	return -1;
}

int img_b64(const char *s, size_t n, unsigned char **out, size_t *outlen)
{
	unsigned char *p;
	size_t k = 0;
	unsigned acc = 0;
	int bits = 0, pad = 0;

	*out = NULL;
	*outlen = 0;
	if (n / 4 * 3 > IMG_MAX_BYTES + 3)
		return -1;
	if (!(p = malloc(n / 4 * 3 + 3)))
		return -1;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		int v;

		if (c == ' ' || c == '\n' || c == '\r' || c == '\t')
			continue;
		if (c == '=') {
			pad++;
			continue;
		}
		if (pad || (v = b64_val(c)) < 0) { /* data after padding, or not base64 */
			free(p);
			return -1;
		}
		acc = acc << 6 | (unsigned)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			p[k++] = (unsigned char)(acc >> bits);
		}
	}
	if (bits >= 6 || pad > 2) {
		free(p);
		return -1;
	}
	*out = p;
	*outlen = k;
	return 0;
}

/* ---- decoding ---- */

const char *img_sniff(const unsigned char *p, size_t n)
{
	if (n >= 8 && !memcmp(p, "\x89PNG\r\n\x1a\n", 8))
		return "image/png";
	if (n >= 3 && p[0] == 0xff && p[1] == 0xd8 && p[2] == 0xff)
		return "image/jpeg";
	if (n >= 6 && (!memcmp(p, "GIF87a", 6) || !memcmp(p, "GIF89a", 6)))
		return "image/gif";
	return NULL;
}

void img_free(struct img *im)
{
	free(im->rgba);
	im->rgba = NULL;
	im->w = im->h = 0;
}

static int too_big(unsigned w, unsigned h, char *why, size_t wsz)
{
	if (!w || !h) {
		snprintf(why, wsz, "empty image");
		return 1;
	}
	if (w > IMG_MAX_SIDE || h > IMG_MAX_SIDE || (uint64_t)w * h > IMG_MAX_PIXELS) {
		snprintf(why, wsz, "%u×%u pixels is over the limit", w, h);
		return 1;
	}
	return 0;
}

static int png_decode(const unsigned char *p, size_t n, struct img *out, char *why, size_t wsz)
{
	spng_ctx *ctx = spng_ctx_new(0);
	struct spng_ihdr ih;
	size_t size;
	int rc;

	if (!ctx) {
		snprintf(why, wsz, "out of memory");
		return -1;
	}
	spng_set_image_limits(ctx, IMG_MAX_SIDE, IMG_MAX_SIDE);
	spng_set_chunk_limits(ctx, 16u << 20, 32u << 20);
	if ((rc = spng_set_png_buffer(ctx, p, n)) || (rc = spng_get_ihdr(ctx, &ih)))
		goto fail;
	if (too_big(ih.width, ih.height, why, wsz))
		goto fail_why;
	if ((rc = spng_decoded_image_size(ctx, SPNG_FMT_RGBA8, &size)))
		goto fail;
	if (!(out->rgba = malloc(size))) {
		snprintf(why, wsz, "out of memory");
		goto fail_why;
	}
	if ((rc = spng_decode_image(ctx, out->rgba, size, SPNG_FMT_RGBA8, SPNG_DECODE_TRNS))) {
		img_free(out);
		goto fail;
	}
	out->w = ih.width;
	out->h = ih.height;
	spng_ctx_free(ctx);
	return 0;
fail:
	snprintf(why, wsz, "bad PNG (%s)", spng_strerror(rc));
fail_why:
	spng_ctx_free(ctx);
	return -1;
}

struct jerr {
	struct jpeg_error_mgr pub;
	jmp_buf jb;
	char msg[JMSG_LENGTH_MAX];
};

static void jerr_exit(j_common_ptr c)
{
	struct jerr *e = (struct jerr *)c->err;

	(*c->err->format_message)(c, e->msg);
	longjmp(e->jb, 1);
}

static void jerr_quiet(j_common_ptr c, int level)
{
	(void)c;
	(void)level; /* warnings (corrupt data that still decodes) are not printed */
}

static int jpeg_decode(const unsigned char *p, size_t n, struct img *out, char *why, size_t wsz)
{
	struct jpeg_decompress_struct ci;
	struct jerr je;
	unsigned char *volatile rgba = NULL;

	memset(&ci, 0, sizeof ci);
	ci.err = jpeg_std_error(&je.pub);
	je.pub.error_exit = jerr_exit;
	je.pub.emit_message = jerr_quiet;
	je.msg[0] = 0;
	if (setjmp(je.jb)) {
		snprintf(why, wsz, "bad JPEG (%.80s)", je.msg);
		jpeg_destroy_decompress(&ci);
		free(rgba);
		return -1;
	}
	jpeg_create_decompress(&ci);
	ci.mem->max_memory_to_use = 256L << 20;
	jpeg_mem_src(&ci, p, (unsigned long)n);
	jpeg_read_header(&ci, TRUE);
	if (ci.image_width > IMG_MAX_SIDE * 4 || ci.image_height > IMG_MAX_SIDE * 4) {
		too_big(ci.image_width, ci.image_height, why, wsz);
		jpeg_destroy_decompress(&ci);
		return -1;
	}
	/* a terminal never needs more than a few thousand pixels: big photos decode scaled */
	ci.scale_num = 1;
	ci.scale_denom = 1;
	while (ci.scale_denom < 8 && (ci.image_width / ci.scale_denom > 2048 ||
				      ci.image_height / ci.scale_denom > 2048))
		ci.scale_denom *= 2;
	ci.out_color_space = JCS_EXT_RGBA;
	jpeg_calc_output_dimensions(&ci);
	if (too_big(ci.output_width, ci.output_height, why, wsz)) {
		jpeg_destroy_decompress(&ci);
		return -1;
	}
	jpeg_start_decompress(&ci);
	if (!(rgba = malloc((size_t)ci.output_width * ci.output_height * 4))) {
		snprintf(why, wsz, "out of memory");
		jpeg_destroy_decompress(&ci);
		return -1;
	}
	while (ci.output_scanline < ci.output_height) {
		JSAMPROW row = rgba + (size_t)ci.output_scanline * ci.output_width * 4;

		jpeg_read_scanlines(&ci, &row, 1);
	}
	out->w = ci.output_width;
	out->h = ci.output_height;
	jpeg_finish_decompress(&ci);
	jpeg_destroy_decompress(&ci);
	out->rgba = rgba;
	return 0;
}

struct gif_src {
	const unsigned char *p;
	size_t n, off;
};

static int gif_read(GifFileType *g, GifByteType *buf, int want)
{
	struct gif_src *s = g->UserData;
	size_t k = want < 0 ? 0 : (size_t)want;

	if (k > s->n - s->off)
		k = s->n - s->off;
	memcpy(buf, s->p + s->off, k);
	s->off += k;
	return (int)k;
}

/* Reads the first frame's pixels into the canvas (w×h RGBA, transparent); -1 on a giflib error
 * (in *err) or a frame without colours. */
static int gif_frame(GifFileType *g, unsigned char *rgba, unsigned w, unsigned h, int transp,
		     int *err)
{
	const GifImageDesc *d = &g->Image;
	const ColorMapObject *cm = d->ColorMap ? d->ColorMap : g->SColorMap;
	GifPixelType *line;
	int fw = d->Width, fh = d->Height;
	/* an interlaced frame's rows arrive in four passes */
	static const int start[] = {0, 4, 2, 1}, step[] = {8, 8, 4, 2};

	if (!cm) {
		*err = D_GIF_ERR_NO_COLOR_MAP;
		return -1;
	}
	if (!(line = malloc((size_t)fw))) {
		*err = D_GIF_ERR_NOT_ENOUGH_MEM;
		return -1;
	}
	for (int pass = d->Interlace ? 0 : 3, r = 0; pass < 4; pass++) {
		for (int y = d->Interlace ? start[pass] : 0; y < fh; y += d->Interlace ? step[pass] : 1, r++) {
			long sy = (long)d->Top + y;

			if (DGifGetLine(g, line, fw) == GIF_ERROR) {
				*err = g->Error;
				free(line);
				return -1;
			}
			if (sy >= (long)h)
				continue;
			for (int x = 0; x < fw; x++) {
				long sx = (long)d->Left + x;
				unsigned char *o = rgba + ((size_t)sy * w + (size_t)sx) * 4;
				const GifColorType *c;

				if (sx >= (long)w || line[x] == transp || line[x] >= cm->ColorCount)
					continue; /* off the screen, transparent, or no such colour */
				c = &cm->Colors[line[x]];
				o[0] = c->Red, o[1] = c->Green, o[2] = c->Blue, o[3] = 255;
			}
		}
		if (!d->Interlace)
			break;
	}
	free(line);
	return 0;
}

static int gif_decode(const unsigned char *p, size_t n, struct img *out, char *why, size_t wsz)
{
	struct gif_src src = {p, n, 0};
	int err = 0, transp = -1, done = 0;
	GifFileType *g = DGifOpen(&src, gif_read, &err);
	GifRecordType rt;
	unsigned w, h;

	if (!g)
		goto fail;
	w = (unsigned)g->SWidth;
	h = (unsigned)g->SHeight;
	if (too_big(w, h, why, wsz)) {
		DGifCloseFile(g, &err);
		return -1;
	}
	while (!done) {
		if (DGifGetRecordType(g, &rt) == GIF_ERROR)
			goto fail_gif;
		switch (rt) {
		case IMAGE_DESC_RECORD_TYPE:
			if (DGifGetImageDesc(g) == GIF_ERROR)
				goto fail_gif;
			/* the frame is decoded whole even where the screen clips it */
			if (too_big((unsigned)g->Image.Width, (unsigned)g->Image.Height, why, wsz)) {
				DGifCloseFile(g, &err);
				return -1;
			}
			if (!(out->rgba = calloc((size_t)w * h, 4))) {
				snprintf(why, wsz, "out of memory");
				DGifCloseFile(g, &err);
				return -1;
			}
			if (gif_frame(g, out->rgba, w, h, transp, &err) < 0) {
				img_free(out);
				DGifCloseFile(g, &done);
				goto fail;
			}
			done = 1;
			break;
		case EXTENSION_RECORD_TYPE: {
			GifByteType *ext;
			int code;

			if (DGifGetExtension(g, &code, &ext) == GIF_ERROR)
				goto fail_gif;
			if (code == GRAPHICS_EXT_FUNC_CODE && ext && ext[0] >= 4)
				transp = ext[1] & 1 ? ext[4] : -1; /* the next frame's transparent colour */
			while (ext)
				if (DGifGetExtensionNext(g, &ext) == GIF_ERROR)
					goto fail_gif;
			break;
		}
		case TERMINATE_RECORD_TYPE:
			snprintf(why, wsz, "GIF without a frame");
			DGifCloseFile(g, &err);
			return -1;
		default:
			break;
		}
	}
	out->w = w;
	out->h = h;
	DGifCloseFile(g, &err);
	return 0;
fail_gif:
	err = g->Error;
	DGifCloseFile(g, &done);
fail:
	snprintf(why, wsz, "bad GIF (%s)", GifErrorString(err) ? GifErrorString(err) : "?");
	return -1;
}

int img_decode(const unsigned char *p, size_t n, struct img *out, char *why, size_t wsz)
{
	const char *type = img_sniff(p, n);

	memset(out, 0, sizeof *out);
	if (!type) {
		snprintf(why, wsz, "not a PNG, JPEG or GIF image");
		return -1;
	}
	if (!strcmp(type, "image/png"))
		return png_decode(p, n, out, why, wsz);
	if (!strcmp(type, "image/jpeg"))
		return jpeg_decode(p, n, out, why, wsz);
	return gif_decode(p, n, out, why, wsz);
}

/* ---- art ---- */

void img_fit(unsigned w, unsigned h, const struct mime_opts *o, int *cols, int *rows)
{
	double cw = o->cell_w > 0 ? o->cell_w : 8, ch = o->cell_h > 0 ? o->cell_h : 16;
	int maxr = o->image_rows > 0 ? o->image_rows : MIME_IMAGE_ROWS;
	int maxc = o->width > 0 ? o->width : 80;
	double native = (double)w / cw; /* columns at the image's own size */
	double c = native < maxc ? native : maxc, r;

	if (c < 1)
		c = 1;
	r = c * cw * h / ((double)w * ch);
	if (r > maxr) {
		r = maxr;
		c = r * ch * w / ((double)h * cw);
	}
	*cols = c < 1 ? 1 : c > maxc ? maxc : (int)(c + 0.5);
	*rows = r < 1 ? 1 : (int)(r + 0.5);
	if (*cols > maxc)
		*cols = maxc;
	if (*rows > maxr)
		*rows = maxr;
}

static void put_color(char *buf, size_t size, int *k, int bg, gint c, int indexed)
{
	if (c < 0)
		*k += snprintf(buf + *k, size - (size_t)*k, ";%d", bg ? 49 : 39);
	else if (indexed)
		*k += snprintf(buf + *k, size - (size_t)*k, ";%d;5;%d", bg ? 48 : 38, c & 0xff);
	else
		*k += snprintf(buf + *k, size - (size_t)*k, ";%d;2;%d;%d;%d", bg ? 48 : 38,
			       (c >> 16) & 0xff, (c >> 8) & 0xff, c & 0xff);
}

char *img_art(const struct img *im, const struct mime_opts *o, char *why, size_t wsz)
{
	ChafaSymbolMap *sm;
	ChafaCanvasConfig *cc;
	ChafaCanvas *cv;
	ChafaCanvasMode mode;
	int cols, rows, indexed = o->depth != THEME_DEPTH_TRUE;
	char *out, *q;
	size_t cap;
	gint pfg = -2, pbg = -2;

	img_fit(im->w, im->h, o, &cols, &rows);
	switch (o->depth) {
	case THEME_DEPTH_TRUE: mode = CHAFA_CANVAS_MODE_TRUECOLOR; break;
	case THEME_DEPTH_256: mode = CHAFA_CANVAS_MODE_INDEXED_240; break;
	case THEME_DEPTH_16: mode = CHAFA_CANVAS_MODE_INDEXED_16; break;
	default: mode = CHAFA_CANVAS_MODE_INDEXED_8; break;
	}
	/* every cell: up to two colours in full and one 4-byte character */
	cap = (size_t)rows * ((size_t)cols * 48 + 8) + 1;
	if (!(out = malloc(cap))) {
		snprintf(why, wsz, "out of memory");
		return NULL;
	}
	chafa_set_n_threads(1);
	sm = chafa_symbol_map_new();
	if (o->ascii) {
		chafa_symbol_map_add_by_tags(sm, CHAFA_SYMBOL_TAG_ASCII);
	} else {
		chafa_symbol_map_add_by_tags(sm, CHAFA_SYMBOL_TAG_BLOCK | CHAFA_SYMBOL_TAG_SPACE);
		chafa_symbol_map_remove_by_tags(sm, CHAFA_SYMBOL_TAG_WIDE);
	}
	cc = chafa_canvas_config_new();
	chafa_canvas_config_set_geometry(cc, cols, rows);
	chafa_canvas_config_set_canvas_mode(cc, mode);
	chafa_canvas_config_set_pixel_mode(cc, CHAFA_PIXEL_MODE_SYMBOLS);
	chafa_canvas_config_set_symbol_map(cc, sm);
	cv = chafa_canvas_new(cc);
	chafa_canvas_draw_all_pixels(cv, CHAFA_PIXEL_RGBA8_UNASSOCIATED, im->rgba, (gint)im->w,
				     (gint)im->h, (gint)im->w * 4);
	q = out;
	for (int y = 0; y < rows; y++) {
		pfg = pbg = -2;
		for (int x = 0; x < cols; x++) {
			gunichar c = chafa_canvas_get_char_at(cv, x, y);
			gint fg, bg;
			char seq[64];
			int k = 0;

			if (indexed)
				chafa_canvas_get_raw_colors_at(cv, x, y, &fg, &bg);
			else
				chafa_canvas_get_colors_at(cv, x, y, &fg, &bg);
			if (fg != pfg || bg != pbg) {
				k = snprintf(seq, sizeof seq, "\033[0");
				put_color(seq, sizeof seq, &k, 0, fg, indexed);
				put_color(seq, sizeof seq, &k, 1, bg, indexed);
				k += snprintf(seq + k, sizeof seq - (size_t)k, "m");
				memcpy(q, seq, (size_t)k);
				q += k;
				pfg = fg;
				pbg = bg;
			}
			/* only one-column printable characters: anything else is a space */
			if (c < 0x20 || (c >= 0x7f && c < 0xa0) || c > 0xffff ||
			    g_unichar_iswide(c) || g_unichar_iszerowidth(c))
				c = ' ';
			q += g_unichar_to_utf8(c, q);
		}
		memcpy(q, "\033[0m\n", 5);
		q += 5;
	}
	*q = 0;
	chafa_canvas_unref(cv);
	chafa_canvas_config_unref(cc);
	chafa_symbol_map_unref(sm);
	return out;
}

/* ---- the cache ---- */

#define CACHE_N 48
#define CACHE_BYTES (24u << 20)

struct centry {
	const char *key; /* the data's address: compared with the fingerprint, never read */
	size_t len;
	uint64_t fp;
	int cols, rows, depth, ascii, cw, ch;
	char *text; /* NULL with why: a failure is cached too */
	char why[96];
	size_t bytes;
	unsigned long used;
};

static struct centry cache[CACHE_N];
static unsigned long cache_clock;

/* FNV-1a over the start, the middle and the end: cheap for a 10 MB string. */
static uint64_t fingerprint(const char *s, size_t n)
{
	uint64_t h = 1469598103934665603ull;
	size_t parts[3] = {0, n / 2, n > 256 ? n - 256 : 0};

	for (int k = 0; k < 3; k++)
		for (size_t i = parts[k]; i < n && i < parts[k] + 256; i++)
			h = (h ^ (unsigned char)s[i]) * 1099511628211ull;
	return h ^ n;
}

void img_cache_clear(void)
{
	for (int i = 0; i < CACHE_N; i++) {
		free(cache[i].text);
		memset(&cache[i], 0, sizeof cache[i]);
	}
}

static char *render(const char *b64, size_t len, const struct mime_opts *o, char *why,
		    size_t wsz)
{
	unsigned char *bytes;
	size_t n;
	struct img im;
	char *t;

	if (img_b64(b64, len, &bytes, &n) < 0) {
		snprintf(why, wsz, "invalid base64");
		return NULL;
	}
	if (img_decode(bytes, n, &im, why, wsz) < 0) {
		free(bytes);
		return NULL;
	}
	free(bytes);
	t = img_art(&im, o, why, wsz);
	img_free(&im);
	return t;
}

char *img_text(const char *b64, size_t len, const struct mime_opts *o, char *why, size_t wsz)
{
	uint64_t fp;
	int cw = o->cell_w, ch = o->cell_h, cols = o->width, rows = o->image_rows;
	struct centry *e = NULL, *victim = &cache[0];
	size_t total = 0;

	if (len / 4 * 3 > IMG_MAX_BYTES) { /* before reading any of it */
		snprintf(why, wsz, "over the %u MB limit", IMG_MAX_BYTES >> 20);
		return NULL;
	}
	fp = fingerprint(b64, len);
	for (int i = 0; i < CACHE_N; i++) {
		struct centry *c = &cache[i];

		if (c->key == b64 && c->len == len && c->fp == fp && c->cols == cols &&
		    c->rows == rows && c->depth == (int)o->depth && c->ascii == o->ascii &&
		    c->cw == cw && c->ch == ch) {
			e = c;
			break;
		}
		if (c->used < victim->used)
			victim = c;
	}
	if (!e) {
		char *t;

		why[0] = 0;
		t = render(b64, len, o, why, wsz);
		e = victim;
		free(e->text);
		*e = (struct centry){b64, len, fp, cols, rows, (int)o->depth, o->ascii, cw, ch,
				     t, "", t ? strlen(t) : 0, 0};
		snprintf(e->why, sizeof e->why, "%s", why);
		/* bounded memory: the oldest entries go when the texts grow too big */
		for (int i = 0; i < CACHE_N; i++)
			total += cache[i].bytes;
		while (total > CACHE_BYTES) {
			struct centry *old = NULL;

			for (int i = 0; i < CACHE_N; i++)
				if (cache[i].text && &cache[i] != e &&
				    (!old || cache[i].used < old->used))
					old = &cache[i];
			if (!old)
				break;
			total -= old->bytes;
			free(old->text);
			memset(old, 0, sizeof *old);
		}
	}
	e->used = ++cache_clock;
	if (!e->text) {
		snprintf(why, wsz, "%s", e->why);
		return NULL;
	}
	return strdup(e->text);
}
