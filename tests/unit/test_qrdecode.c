/* test_qrdecode.c: qr_decode on pictures we draw ourselves with libqrencode
 * (scaled, rotated, noisy, faint, inverted, framed, from YUYV), loading
 * libzbar at first use (from several threads at once; missing, or without
 * its functions), and pnm_parse on good and malformed files. */
#include <criterion/criterion.h>
#include <dlfcn.h>
#include <locale.h>
#include <pthread.h>
#include <qrencode.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "qrcode.h"

struct pic {
	unsigned char *px;
	int w, h;
};

/* Renders payload as a QR code, `scale` pixels a module, 4-module quiet
 * zone, dark/light grey levels. */
static struct pic render(const char *payload, size_t len, int scale, int dark, int light)
{
	QRcode *q = QRcode_encodeData((int)len, (const unsigned char *)payload, 0, QR_ECLEVEL_M);
	cr_assert_not_null(q, "libqrencode failed");
	int mods = q->width + 8;
	struct pic p = { .w = mods * scale, .h = mods * scale };
	p.px = malloc((size_t)p.w * p.h);
	for (int y = 0; y < p.h; y++) {
		for (int x = 0; x < p.w; x++) {
			int mx = x / scale - 4, my = y / scale - 4;
			bool on = mx >= 0 && my >= 0 && mx < q->width && my < q->width &&
			          (q->data[my * q->width + mx] & 1);
			p.px[(size_t)y * p.w + x] = (unsigned char)(on ? dark : light);
		}
	}
	QRcode_free(q);
	return p;
}

static struct pic render_std(const char *payload, int scale)
{
	return render(payload, strlen(payload), scale, 0, 255);
}

/* Rotates 90 degrees clockwise. */
static struct pic rotate90(struct pic in)
{
	struct pic out = { .w = in.h, .h = in.w };
	out.px = malloc((size_t)out.w * out.h);
	for (int y = 0; y < in.h; y++)
		for (int x = 0; x < in.w; x++)
			out.px[(size_t)x * out.w + (out.w - 1 - y)] = in.px[(size_t)y * in.w + x];
	free(in.px);
	return out;
}

static void expect_code(struct pic p, const char *want, size_t wantlen)
{
	size_t len = 12345;
	char *got = qr_decode(p.px, p.w, p.h, &len);
	cr_assert_not_null(got, "no code found in a %dx%d picture", p.w, p.h);
	cr_assert_eq(len, wantlen, "length %zu, want %zu", len, wantlen);
	cr_assert(memcmp(got, want, len) == 0, "payload differs");
	cr_assert_eq(got[len], '\0', "result is NUL-terminated");
	free(got);
}

static const char token[] = "KIOSK-LOGIN:7f3a9c01e4b25d68a1c0ffee";

Test(qrdecode, every_scale_from_2_to_8)
{
	for (int scale = 2; scale <= 8; scale++) {
		struct pic p = render_std(token, scale);
		expect_code(p, token, strlen(token));
		free(p.px);
	}
}

Test(qrdecode, rotated_90_180_270)
{
	struct pic p = render_std(token, 4);
	for (int turn = 1; turn <= 3; turn++) {
		p = rotate90(p);
		expect_code(p, token, strlen(token));
	}
	free(p.px);
}

/* A fixed-seed generator, so the noise is the same on every run. */
static uint32_t lcg(uint32_t *st)
{
	*st = *st * 1664525u + 1013904223u;
	return *st >> 8;
}

Test(qrdecode, random_noise_40_levels)
{
	struct pic p = render_std(token, 4);
	uint32_t st = 12345;
	for (size_t i = 0; i < (size_t)p.w * p.h; i++) {
		int v = p.px[i] + (int)(lcg(&st) % 81) - 40;
		p.px[i] = (unsigned char)(v < 0 ? 0 : v > 255 ? 255 : v);
	}
	expect_code(p, token, strlen(token));
	free(p.px);
}

Test(qrdecode, low_contrast_100_on_160)
{
	struct pic p = render(token, strlen(token), 4, 100, 160);
	expect_code(p, token, strlen(token));
	free(p.px);
}

Test(qrdecode, inverted_light_on_dark)
{
	struct pic p = render(token, strlen(token), 4, 255, 0);
	expect_code(p, token, strlen(token));
	free(p.px);
}

static struct pic frame(struct pic in, int fw, int fh, int ox, int oy, unsigned char bg)
{
	struct pic out = { .w = fw, .h = fh };
	out.px = malloc((size_t)fw * fh);
	memset(out.px, bg, (size_t)fw * fh);
	for (int y = 0; y < in.h; y++)
		memcpy(out.px + (size_t)(y + oy) * fw + ox, in.px + (size_t)y * in.w, (size_t)in.w);
	free(in.px);
	return out;
}

Test(qrdecode, inverted_odd_size)
{
	/* 29 modules x 3 px = 87 x 87: w*h not a multiple of 8 (libzbar's own
	 * inverted pass overruns on such sizes; run under valgrind) */
	struct pic p = render(token, strlen(token), 3, 230, 20);
	cr_assert_neq((p.w * p.h) % 8, 0);
	expect_code(p, token, strlen(token));
	free(p.px);
	unsigned char odd[5 * 3] = { 0 };
	size_t len;
	cr_assert_null(qr_decode(odd, 5, 3, &len));
}

Test(qrdecode, small_code_in_a_640x480_frame)
{
	struct pic p = frame(render_std(token, 3), 640, 480, 371, 203, 230);
	/* some clutter around it: a dark bar and a grey block */
	for (int y = 20; y < 60; y++)
		memset(p.px + (size_t)y * 640 + 30, 20, 300);
	for (int y = 300; y < 460; y++)
		memset(p.px + (size_t)y * 640 + 40, 120, 200);
	expect_code(p, token, strlen(token));
	free(p.px);
}

Test(qrdecode, yuyv_camera_frame)
{
	struct pic p = frame(render_std(token, 4), 640, 480, 100, 80, 255);
	unsigned char *yuyv = malloc((size_t)640 * 480 * 2);
	for (size_t i = 0; i < (size_t)640 * 480; i++) {
		yuyv[2 * i] = p.px[i];
		yuyv[2 * i + 1] = (unsigned char)(i & 1 ? 90 : 170); /* V / U: chroma noise */
	}
	unsigned char *gray = malloc((size_t)640 * 480);
	yuyv_to_gray(yuyv, 640, 480, gray);
	cr_assert(memcmp(gray, p.px, (size_t)640 * 480) == 0, "Y samples taken");
	struct pic g = { .px = gray, .w = 640, .h = 480 };
	expect_code(g, token, strlen(token));
	free(gray);
	free(yuyv);
	free(p.px);
}

Test(qrdecode, binary_payload_with_nul_and_high_bytes)
{
	static const char bin[] = "\x00\x01tok\x00\xff\xfe\x80\xc3\x28 end";
	size_t n = sizeof bin - 1;
	struct pic p = render(bin, n, 4, 0, 255);
	expect_code(p, bin, n);
	free(p.px);
}

Test(qrdecode, utf8_payload_comes_back_as_is)
{
	static const char s[] = "社保查询 login=42";
	struct pic p = render(s, strlen(s), 4, 0, 255);
	expect_code(p, s, strlen(s));
	free(p.px);
}

Test(qrdecode, no_code_gives_null)
{
	unsigned char *px = malloc(320 * 240);
	uint32_t st = 99;
	for (size_t i = 0; i < 320 * 240; i++)
		px[i] = (unsigned char)lcg(&st);
	size_t len = 77;
	cr_assert_null(qr_decode(px, 320, 240, &len));
	cr_assert_eq(len, 0);
	memset(px, 255, 320 * 240);
	cr_assert_null(qr_decode(px, 320, 240, &len));
	free(px);
}

Test(qrdecode, tiny_and_invalid_images)
{
	unsigned char one = 0;
	size_t len;
	cr_assert_null(qr_decode(&one, 1, 1, &len));
	cr_assert_null(qr_decode(&one, 0, 1, &len));
	cr_assert_null(qr_decode(&one, 1, -5, &len));
	cr_assert_null(qr_decode(NULL, 10, 10, &len));
	unsigned char row[3] = { 0, 255, 0 };
	cr_assert_null(qr_decode(row, 3, 1, &len));
}

/* ---- loading libzbar ---------------------------------------------------- */

/* Criterion runs every test in a process of its own, so each of these sees
 * libzbar not yet loaded by qrdecode.c (this binary links it, so dlopen
 * finds it already mapped; tests/client checks that the kiosk's code maps
 * it only when needed). */

struct first_use {
	const unsigned char *px;
	int w, h;
	char *got;
	size_t len;
};

static void *decode_thread(void *arg)
{
	struct first_use *u = arg;
	u->got = qr_decode(u->px, u->w, u->h, &u->len);
	return NULL;
}

Test(qrdecode, first_use_from_several_threads_at_once)
{
	struct pic p = render_std(token, 4);
	struct first_use u[6];
	pthread_t t[6];
	for (int i = 0; i < 6; i++) {
		u[i] = (struct first_use){ .px = p.px, .w = p.w, .h = p.h };
		cr_assert_eq(pthread_create(&t[i], NULL, decode_thread, &u[i]), 0);
	}
	for (int i = 0; i < 6; i++) {
		pthread_join(t[i], NULL);
		cr_assert_not_null(u[i].got, "thread %d found no code", i);
		cr_assert_eq(u[i].len, strlen(token));
		cr_assert(memcmp(u[i].got, token, u[i].len) == 0);
		free(u[i].got);
	}
	free(p.px);
	char why[200] = "untouched";
	void *h = qr_zbar_load(why, sizeof why);
	cr_assert_not_null(h, "%s", why);
	cr_assert_str_eq(why, "untouched", "no reason when it works");
	cr_assert_not_null(dlsym(h, "zbar_video_open"), "the handle is libzbar's");
	cr_assert_eq(qr_zbar_load(NULL, 0), h, "loaded once");
}

Test(qrdecode, missing_library_is_a_reason_not_a_crash)
{
	qr_zbar_library = "libzbar-missing-for-tests.so.0";
	struct pic p = render_std(token, 4);
	size_t len = 99;
	cr_assert_null(qr_decode(p.px, p.w, p.h, &len));
	cr_assert_eq(len, 0);
	char why[200] = "";
	cr_assert_null(qr_zbar_load(why, sizeof why));
	cr_assert_str_eq(why, "libzbar-missing-for-tests.so.0 not found");
	/* and again, the same (loading is tried once) */
	why[0] = '\0';
	cr_assert_null(qr_zbar_load(why, sizeof why));
	cr_assert_str_eq(why, "libzbar-missing-for-tests.so.0 not found");
	cr_assert_null(qr_zbar_load(NULL, 0));
	char tiny[8];
	cr_assert_null(qr_zbar_load(tiny, sizeof tiny));
	cr_assert_str_eq(tiny, "libzbar");
	cr_assert_null(qr_decode(p.px, p.w, p.h, NULL));
	free(p.px);
}

Test(qrdecode, reason_in_english_whatever_the_language)
{
	/* What the kiosk does for a Chinese screen (i18n.c): the loader's own
	 * messages would then come translated, into the English log. */
	cr_assert_not_null(setlocale(LC_ALL, "C.UTF-8"));
	setenv("LANGUAGE", "zh_CN", 1);
	qr_zbar_library = "libzbar-missing-for-tests.so.0";
	char why[200] = "";
	cr_assert_null(qr_zbar_load(why, sizeof why));
	cr_assert_str_eq(why, "libzbar-missing-for-tests.so.0 not found");
}

Test(qrdecode, library_without_the_functions_is_a_reason)
{
	/* A real library that loads but is not libzbar. */
	qr_zbar_library = "libm.so.6";
	char why[200] = "";
	cr_assert_null(qr_zbar_load(why, sizeof why));
	cr_assert_str_eq(why, "libm.so.6: no zbar_image_scanner_create");
	struct pic p = render_std(token, 4);
	size_t len;
	cr_assert_null(qr_decode(p.px, p.w, p.h, &len));
	free(p.px);
}

/* ---- pnm_parse ---------------------------------------------------------- */

static unsigned char *parse(const char *data, size_t len, int *w, int *h, char *err)
{
	return pnm_parse((const unsigned char *)data, len, w, h, err, 128);
}
#define PARSE(lit, w, h, err) parse(lit, sizeof(lit) - 1, w, h, err)

static void expect_bad(const char *data, size_t len, const char *why_part)
{
	int w = 7, h = 7;
	char err[128] = "";
	unsigned char *g = parse(data, len, &w, &h, err);
	cr_assert_null(g, "accepted a bad file (want error containing \"%s\")", why_part);
	cr_assert_eq(w, 0);
	cr_assert_eq(h, 0);
	cr_assert(err[0] != '\0', "an error message");
	cr_assert(strstr(err, why_part) != NULL, "error \"%s\" should mention \"%s\"", err, why_part);
}
#define BAD(lit, part) expect_bad(lit, sizeof(lit) - 1, part)

Test(pnm, p5_binary_grey)
{
	int w, h;
	char err[128];
	unsigned char *g = PARSE("P5\n3 2\n255\n\x00\x10\x20\x80\xfe\xff", &w, &h, err);
	cr_assert_not_null(g, "%s", err);
	cr_assert_eq(w, 3);
	cr_assert_eq(h, 2);
	unsigned char want[] = { 0, 0x10, 0x20, 0x80, 0xfe, 0xff };
	cr_assert(memcmp(g, want, 6) == 0);
	free(g);
}

Test(pnm, p2_ascii_with_comments_and_scaling)
{
	int w, h;
	char err[128];
	unsigned char *g = PARSE("P2 # a comment right after the magic\n"
	                         "# a whole comment line\n"
	                         "3 # width\n2\n15\n"
	                         "0 15 7\n# comment in the pixels\n1\t2 15\n", &w, &h, err);
	cr_assert_not_null(g, "%s", err);
	cr_assert_eq(w, 3);
	cr_assert_eq(h, 2);
	unsigned char want[] = { 0, 255, 119, 17, 34, 255 };
	cr_assert(memcmp(g, want, 6) == 0, "%d %d %d %d %d %d", g[0], g[1], g[2], g[3], g[4], g[5]);
	free(g);
}

Test(pnm, p6_colour_to_luma)
{
	int w, h;
	char err[128];
	unsigned char *g = PARSE("P6\n4 1\n255\n\xff\x00\x00\x00\xff\x00\x00\x00\xff\xff\xff\xff",
	                         &w, &h, err);
	cr_assert_not_null(g, "%s", err);
	cr_assert_eq(w, 4);
	cr_assert_eq(h, 1);
	/* 0.299, 0.587, 0.114 of 255, rounded */
	cr_assert_eq(g[0], 76);
	cr_assert_eq(g[1], 150);
	cr_assert_eq(g[2], 29);
	cr_assert_eq(g[3], 255);
	free(g);
}

Test(pnm, p3_ascii_colour)
{
	int w, h;
	char err[128];
	unsigned char *g = PARSE("P3\n2 1\n# c\n100\n100 100 100  0 0 100\n", &w, &h, err);
	cr_assert_not_null(g, "%s", err);
	cr_assert_eq(g[0], 255);
	cr_assert_eq(g[1], 29);
	free(g);
}

Test(pnm, sixteen_bit_big_endian)
{
	int w, h;
	char err[128];
	unsigned char *g = PARSE("P5\n3 1\n65535\n\x00\x00\xff\xff\x80\x00", &w, &h, err);
	cr_assert_not_null(g, "%s", err);
	cr_assert_eq(g[0], 0);
	cr_assert_eq(g[1], 255);
	cr_assert_eq(g[2], 128);
	free(g);
	g = PARSE("P6\n1 1\n1000\n\x03\xe8\x03\xe8\x03\xe8", &w, &h, err);
	cr_assert_not_null(g, "%s", err);
	cr_assert_eq(g[0], 255);
	free(g);
	g = PARSE("P2\n2 1\n65535\n65535 257\n", &w, &h, err);
	cr_assert_not_null(g, "%s", err);
	cr_assert_eq(g[0], 255);
	cr_assert_eq(g[1], 1);
	free(g);
}

Test(pnm, trailing_data_is_ignored)
{
	int w, h;
	char err[128];
	unsigned char *g = PARSE("P5 1 1 255\n\x42" "P5 1 1 255\n\x00", &w, &h, err);
	cr_assert_not_null(g, "%s", err);
	cr_assert_eq(g[0], 0x42);
	free(g);
}

Test(pnm, truncated)
{
	BAD("P5\n3 2\n255\n\x00\x10\x20\x80\xfe", "truncated");
	BAD("P5\n3 2\n65535\n\x00\x10\x20\x80\xfe\xff", "truncated");
	BAD("P6\n2 2\n255\n\x00\x00\x00", "truncated");
	BAD("P2\n3 2\n255\n1 2 3 4 5", "truncated");
	BAD("P3\n1 1\n255\n1 2", "truncated");
	BAD("P5\n3 2\n255", "truncated");
	BAD("P5\n3 2\n", "truncated");
	BAD("P5\n3", "truncated");
	BAD("P5", "truncated");
	BAD("P6 # only a comment", "truncated");
}

Test(pnm, huge_dimensions_rejected_before_allocating)
{
	BAD("P5\n100000 100000\n255\n", "too large");
	BAD("P5\n8193 1\n255\n\x00", "too large");
	BAD("P5\n1 8193\n255\n\x00", "too large");
	BAD("P5\n8000 8000\n255\n\x00", "too large");   /* 64 Mpx > 40 */
	BAD("P5\n99999999999999999999999 1\n255\n", "too large");
	BAD("P2\n8000 5000\n255\n0 0 0\n", "truncated"); /* 40 Mpx claimed, 6 bytes present */
}

Test(pnm, bad_magic_and_headers)
{
	BAD("", "magic");
	BAD("P", "magic");
	BAD("P7\n1 1\n255\n\x00", "magic");
	BAD("XY\n1 1\n255\n\x00", "magic");
	BAD("P55 1 1 255\n\x00", "magic");
	BAD("\xff\xd8\xff\xe0 JFIF", "magic");
	BAD("P1\n1 1\n1\n", "not supported");
	BAD("P4\n1 1\n\x00", "not supported");
	BAD("P5\nx 1\n255\n\x00", "width");
	BAD("P5\n1 -1\n255\n\x00", "height");
	BAD("P5\n1 1\nabc\n\x00", "maxval");
	BAD("P5\n1 1\n255#c\n\x00", "header");
	BAD("P5\n0 1\n255\n", "zero");
	BAD("P5\n1 0\n255\n", "zero");
	BAD("P5\n1x 1\n255\n\x00", "width");
}

Test(pnm, maxval_limits)
{
	BAD("P5\n1 1\n0\n\x00", "maxval 0");
	BAD("P2\n1 1\n0\n0\n", "maxval 0");
	BAD("P5\n1 1\n65536\n\x00\x00", "65535");
	BAD("P5\n1 1\n15\n\x10", "above maxval");
	BAD("P2\n2 1\n15\n3 16\n", "above maxval");
	BAD("P5\n1 1\n1000\n\x03\xe9", "above maxval");
	int w, h;
	char err[128];
	unsigned char *g = PARSE("P5\n2 1\n1\n\x00\x01", &w, &h, err);
	cr_assert_not_null(g, "%s", err);
	cr_assert_eq(g[0], 0);
	cr_assert_eq(g[1], 255);
	free(g);
}

Test(pnm, bad_ascii_pixels)
{
	BAD("P2\n2 1\n255\n1 x 2 3 4 5 6\n", "bad pixel");
	BAD("P2\n2 1\n255\n1 -2 3 4 5 6\n", "bad pixel");
}

Test(pnm, null_arguments)
{
	int w, h;
	char err[64];
	cr_assert_null(pnm_parse(NULL, 10, &w, &h, err, sizeof err));
	cr_assert_null(pnm_parse((const unsigned char *)"P5 1 1 255\n\x00", 12, NULL, &h, err,
	                         sizeof err));
	/* no room for the message is fine too */
	cr_assert_null(pnm_parse((const unsigned char *)"P9", 2, &w, &h, NULL, 0));
}

Test(pnm, a_pgm_of_a_qr_code_decodes)
{
	struct pic p = render_std(token, 3);
	char head[64];
	int n = snprintf(head, sizeof head, "P5\n# drawn by the test\n%d %d\n255\n", p.w, p.h);
	size_t len = (size_t)n + (size_t)p.w * p.h;
	char *file = malloc(len);
	memcpy(file, head, (size_t)n);
	memcpy(file + n, p.px, (size_t)p.w * p.h);
	int w, h;
	char err[128];
	unsigned char *g = parse(file, len, &w, &h, err);
	cr_assert_not_null(g, "%s", err);
	struct pic q = { .px = g, .w = w, .h = h };
	expect_code(q, token, strlen(token));
	free(g);
	free(file);
	free(p.px);
}
