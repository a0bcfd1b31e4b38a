/* test_qrart.c: unit tests for qrart.c (QR codes as half-block text).
 *
 * The honest check: render, turn the cells back into pixels (4x4 px per
 * module), decode with libzbar and compare byte for byte. The tests use
 * libzbar and libqrencode directly, not qr_decode.
 */
#include <criterion/criterion.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <qrencode.h>
#include <zbar.h>

#include "qrcode.h"

TestSuite(qrart);

#define PX 4 /* pixels a module, each way */

/* Deterministic printable payload of n bytes. */
static char *make_payload(size_t n, unsigned seed)
{
	char *p = malloc(n ? n : 1);

	cr_assert(p);
	for (size_t i = 0; i < n; i++) {
		seed = seed * 1103515245u + 12345u;
		p[i] = (char)(0x21 + (seed >> 16) % 94);
	}
	return p;
}

/* Parses one line into n module pairs: mod[2 * x] top, mod[2 * x + 1] bottom
 * (true = dark). Fails the test on anything but the four glyphs or a wrong
 * cell count. */
static void parse_line(const char *s, int cols, bool *top, bool *bot)
{
	const unsigned char *p = (const unsigned char *)s;
	int x = 0;

	while (*p) {
		bool t, b;

		if (*p == ' ') {
			t = b = false;
			p++;
		} else {
			cr_assert(p[0] == 0xE2 && p[1] == 0x96 &&
			          (p[2] == 0x80 || p[2] == 0x84 || p[2] == 0x88),
			          "unexpected byte 0x%02X at cell %d", p[0], x);
			t = p[2] != 0x84;
			b = p[2] != 0x80;
			p += 3;
		}
		cr_assert(x < cols, "line longer than %d cells", cols);
		top[x] = t;
		bot[x] = b;
		x++;
	}
	cr_assert_eq(x, cols, "line has %d cells, want %d", x, cols);
}

/* Module grid (modules x 2*rows, true = dark) from the art, checking every
 * line on the way. Caller frees. */
static bool *art_modules(const struct qr_art *a)
{
	int h = 2 * a->rows;
	bool *m = calloc((size_t)a->cols * (size_t)h, sizeof *m);

	cr_assert(m);
	for (int r = 0; r < a->rows; r++) {
		cr_assert(a->lines[r]);
		parse_line(a->lines[r], a->cols, m + (size_t)(2 * r) * (size_t)a->cols,
		           m + (size_t)(2 * r + 1) * (size_t)a->cols);
	}
	return m;
}

/* Decodes with libzbar; returns a new buffer (len in *len) or NULL. */
static char *zbar_decode(const unsigned char *gray, int w, int h, size_t *len)
{
	zbar_image_scanner_t *sc = zbar_image_scanner_create();
	zbar_image_t *img = zbar_image_create();
	const zbar_symbol_t *sym;
	char *res = NULL;

	zbar_image_scanner_set_config(sc, ZBAR_QRCODE, ZBAR_CFG_ENABLE, 1);
	zbar_image_set_format(img, zbar_fourcc('Y', '8', '0', '0'));
	zbar_image_set_size(img, (unsigned)w, (unsigned)h);
	zbar_image_set_data(img, gray, (unsigned long)w * (unsigned long)h, NULL);
	if (zbar_scan_image(sc, img) > 0 && (sym = zbar_image_first_symbol(img))) {
		*len = zbar_symbol_get_data_length(sym);
		res = malloc(*len + 1);
		cr_assert(res);
		memcpy(res, zbar_symbol_get_data(sym), *len);
		res[*len] = '\0';
	}
	zbar_image_destroy(img);
	zbar_image_scanner_destroy(sc);
	return res;
}

/* Renders payload in a generous box and checks everything. */
static void roundtrip(const char *payload, size_t len)
{
	struct qr_art a;

	cr_assert_eq(qr_art_make(payload, len, 400, 400, &a), 0);
	cr_assert_eq(a.cols, a.modules);
	cr_assert_eq(a.rows, (a.modules + 1) / 2);
	cr_assert(a.version >= 1 && a.version <= 40);
	cr_assert_eq(a.modules, 17 + 4 * a.version + 8);
	cr_assert(strchr("LMQH", a.ec) && a.ec);
	cr_assert_eq(a.ec, 'H', "a generous box gets level H, got %c", a.ec);

	int n = a.modules, h = 2 * a.rows;
	bool *m = art_modules(&a);

	/* Quiet zone: 4 modules each side (2 cell rows top, 2+ at the bottom). */
	for (int y = 0; y < h; y++)
		for (int x = 0; x < n; x++)
			if (x < 4 || x >= n - 4 || y < 4 || y >= n - 4)
				cr_assert(!m[(size_t)y * n + x], "quiet zone dark at %d,%d", x, y);
	for (int r = 0; r < 2; r++) {
		for (int x = 0; x < n; x++) {
			cr_assert_eq(a.lines[r][x], ' ');
			cr_assert_eq(a.lines[a.rows - 1 - r][x], ' ');
		}
		cr_assert_eq(a.lines[r][n], '\0');
		cr_assert_eq(a.lines[a.rows - 1 - r][n], '\0');
	}
	for (int r = 0; r < a.rows; r++)
		for (int x = 0; x < 4; x++) {
			size_t l = strlen(a.lines[r]);

			cr_assert_eq(a.lines[r][x], ' ');
			cr_assert_eq(a.lines[r][l - 1 - x], ' ');
		}

	/* Same modules as libqrencode gives at that level (no flip, no
	 * transpose, dark = ink). */
	QRecLevel lv = a.ec == 'H' ? QR_ECLEVEL_H : a.ec == 'Q' ? QR_ECLEVEL_Q :
	               a.ec == 'M' ? QR_ECLEVEL_M : QR_ECLEVEL_L;
	QRcode *qr = QRcode_encodeData((int)len, (const unsigned char *)payload, 0, lv);

	cr_assert(qr);
	cr_assert_eq(qr->version, a.version);
	cr_assert_eq(qr->width + 8, n);
	for (int y = 0; y < qr->width; y++)
		for (int x = 0; x < qr->width; x++)
			cr_assert_eq(m[(size_t)(y + 4) * n + x + 4],
			             (bool)(qr->data[y * qr->width + x] & 1),
			             "module %d,%d differs", x, y);
	QRcode_free(qr);

	/* Back to pixels and through zbar. */
	int w = n * PX, ph = h * PX;
	unsigned char *gray = malloc((size_t)w * (size_t)ph);

	cr_assert(gray);
	for (int y = 0; y < ph; y++)
		for (int x = 0; x < w; x++)
			gray[(size_t)y * w + x] = m[(size_t)(y / PX) * n + x / PX] ? 0 : 255;
	size_t got_len = 0;
	char *got = zbar_decode(gray, w, ph, &got_len);

	cr_assert(got, "zbar found no QR code (%zu bytes, version %d)", len, a.version);
	cr_assert_eq(got_len, len, "decoded %zu bytes, want %zu", got_len, len);
	cr_assert(memcmp(got, payload, len) == 0, "decoded payload differs");
	free(got);
	free(gray);
	free(m);
	qr_art_free(&a);
	cr_assert_eq(a.lines, NULL);
	cr_assert_eq(a.rows, 0);
}

static void roundtrip_n(size_t n)
{
	char *p = make_payload(n, (unsigned)n);

	roundtrip(p, n);
	free(p);
}

Test(qrart, roundtrip_20) { roundtrip_n(20); }
Test(qrart, roundtrip_60) { roundtrip_n(60); }
Test(qrart, roundtrip_120) { roundtrip_n(120); }
Test(qrart, roundtrip_250) { roundtrip_n(250); }

Test(qrart, roundtrip_url)
{
	static const char url[] = "https://gov.example.cn/d?c=BCDFGHJK";

	roundtrip(url, sizeof url - 1);
}

Test(qrart, roundtrip_binary_with_nul)
{
	static const char bin[] = "ab\0cd\x01\x02\x7f\0\0xyz\tQR\0end";

	roundtrip(bin, sizeof bin - 1);
}

static bool is_zero(const struct qr_art *a)
{
	static const struct qr_art zero;

	return a->cols == zero.cols && a->rows == zero.rows && a->modules == 0 &&
	       a->version == 0 && a->ec == 0 && a->lines == NULL;
}

/* Symbol width (quiet zone included) libqrencode gives at one level. */
static int width_at(const char *p, size_t len, QRecLevel lv)
{
	QRcode *qr = QRcode_encodeData((int)len, (const unsigned char *)p, 0, lv);
	int w;

	cr_assert(qr);
	w = qr->width + 8;
	QRcode_free(qr);
	return w;
}

Test(qrart, level_choice)
{
	/* 50 bytes: version 3 at L (capacity 53), version 4 at M (v3-M holds 42). */
	char *p = make_payload(50, 7);
	int wh = width_at(p, 50, QR_ECLEVEL_H), wm = width_at(p, 50, QR_ECLEVEL_M);
	int wl = width_at(p, 50, QR_ECLEVEL_L);
	struct qr_art a;

	cr_assert_lt(wl, wm);

	/* Exactly H's box: H. */
	cr_assert_eq(qr_art_make(p, 50, wh, (wh + 1) / 2, &a), 0);
	cr_assert_eq(a.ec, 'H');
	cr_assert_eq(a.cols, wh);
	qr_art_free(&a);

	/* Shrinking the box steps the level down, never up, and ends at L. */
	char last = 'H';
	const char *order = "LMQH";

	for (int c = wh; c >= wl; c--) {
		cr_assert_eq(qr_art_make(p, 50, c, (c + 1) / 2, &a), 0, "box %d", c);
		cr_assert_leq(strchr(order, a.ec), strchr(order, last), "box %d: %c after %c",
		              c, a.ec, last);
		cr_assert_leq(a.cols, c);
		cr_assert_leq(a.rows, (c + 1) / 2);
		last = a.ec;
		qr_art_free(&a);
	}
	cr_assert_eq(last, 'L');

	/* Only rows too short for M: L. */
	cr_assert_eq(qr_art_make(p, 50, 200, (wl + 1) / 2, &a), 0);
	cr_assert_eq(a.ec, 'L');
	cr_assert_eq(a.modules, wl);
	cr_assert_eq(a.version, 3);
	qr_art_free(&a);

	/* Too small for anything: -1, out zeroed (even if it held junk). */
	memset(&a, 0x5A, sizeof a);
	cr_assert_eq(qr_art_make(p, 50, wl - 1, 200, &a), -1);
	cr_assert(is_zero(&a));
	memset(&a, 0x5A, sizeof a);
	cr_assert_eq(qr_art_make(p, 50, 200, (wl + 1) / 2 - 1, &a), -1);
	cr_assert(is_zero(&a));
	cr_assert_eq(qr_art_make(p, 50, 0, 0, &a), -1);
	cr_assert(is_zero(&a));
	cr_assert_eq(qr_art_make(p, 50, -5, 100, &a), -1);
	cr_assert(is_zero(&a));
	qr_art_free(&a); /* zeroed struct: fine */
	qr_art_free(NULL);
	free(p);
}

Test(qrart, odd_modules_last_row)
{
	/* Modules are always odd (17 + 4v + 8): the last row's bottom half is
	 * the quiet zone, so it is blank; the row above carries ink only in its
	 * top half within the quiet columns. */
	struct qr_art a;

	cr_assert_eq(qr_art_make("x", 1, 80, 24, &a), 0);
	cr_assert_eq(a.modules % 2, 1);
	cr_assert_eq(a.rows, (a.modules + 1) / 2);
	for (int x = 0; x < a.cols; x++)
		cr_assert_eq(a.lines[a.rows - 1][x], ' ');
	qr_art_free(&a);
}

Test(qrart, fits_80x24_and_78x17)
{
	char *p = make_payload(60, 60);
	struct qr_art a;

	cr_assert_eq(qr_art_make(p, 60, 80, 24, &a), 0);
	cr_assert_leq(a.cols, 80);
	cr_assert_leq(a.rows, 24);
	qr_art_free(&a);

	/* A realistic QR area: 60 bytes is version 4 (41 x 21) at best, which
	 * does not fit 17 rows; nothing does. */
	cr_assert_eq(qr_art_make(p, 60, 78, 17, &a), -1);
	cr_assert(is_zero(&a));
	free(p);
}

Test(qrart, null_payload)
{
	struct qr_art a;

	cr_assert_eq(qr_art_make(NULL, 5, 80, 24, &a), -1);
	cr_assert(is_zero(&a));
	/* libqrencode refuses 0 bytes (EINVAL): nothing to show. */
	cr_assert_eq(qr_art_make("", 0, 80, 24, &a), -1);
	cr_assert(is_zero(&a));
}

Test(qrart, box_limits)
{
	struct qr_art a;

	/* 58x14 cannot hold even version 1 (29 modules = 15 rows). */
	cr_assert_eq(qr_art_make("x", 1, 58, 14, &a), -1);
	cr_assert(is_zero(&a));
	cr_assert_eq(qr_art_make("x", 1, 29, 15, &a), 0);
	cr_assert_eq(a.version, 1);
	cr_assert_eq(a.ec, 'H');
	qr_art_free(&a);
}

/* True if libqrencode encodes p at level lv in a symbol (quiet zone
 * included) that fits cols x rows cells. */
static bool fits_at(const char *p, size_t len, QRecLevel lv, int cols, int rows)
{
	QRcode *qr = QRcode_encodeData((int)len, (const unsigned char *)p, 0, lv);
	bool fits;

	if (!qr)
		return false;
	fits = qr->width + 8 <= cols && (qr->width + 8 + 1) / 2 <= rows;
	QRcode_free(qr);
	return fits;
}

/* The sizes and levels of typical payloads (random bytes, and the device
 * flow's URL) in the QR areas of the log-in screen (78x17 and 118x33 are
 * what 80x24 and 120x40 leave beside the text), in a box too small for
 * anything, and in a whole 80x24 screen. Each result is pinned, logged for
 * the report, and checked against libqrencode: the level is the highest
 * that fits, and where "-" is expected no level fits. */
Test(qrart, report_sizes)
{
	static const int boxes[4][2] = { { 78, 17 }, { 118, 33 }, { 58, 14 }, { 80, 24 } };
	static const size_t sizes[] = { 0, 20, 35, 60, 120, 250 };
	static const char *const want[][4] = {
		/* 78x17  118x33  58x14  80x24 */
		{ "-",    "-",    "-",   "-" },   /* 0 B: libqrencode encodes nothing */
		{ "v2Q",  "v3H",  "-",   "v3H" }, /* 20 B */
		{ "-",    "v5H",  "-",   "v5H" }, /* the 35 B URL */
		{ "-",    "v7H",  "-",   "v5Q" }, /* 60 B */
		{ "-",    "v9Q",  "-",   "-" },   /* 120 B */
		{ "-",    "v10L", "-",   "-" },   /* 250 B */
	};
	static const struct { QRecLevel level; char name; } levels[] = {
		{ QR_ECLEVEL_H, 'H' }, { QR_ECLEVEL_Q, 'Q' }, { QR_ECLEVEL_M, 'M' }, { QR_ECLEVEL_L, 'L' },
	};
	static const char url[] = "https://gov.example.cn/d?c=BCDFGHJK";

	for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
		char *p = sizes[i] == 35 ? NULL : make_payload(sizes[i], (unsigned)sizes[i]);
		const char *pl = p ? p : url;
		size_t len = p ? sizes[i] : sizeof url - 1;

		for (size_t b = 0; b < sizeof boxes / sizeof boxes[0]; b++) {
			int bc = boxes[b][0], br = boxes[b][1];
			const char *w = want[i][b];
			struct qr_art a;
			char got[8] = "-";
			int rc = qr_art_make(pl, len, bc, br, &a);

			if (rc == 0)
				snprintf(got, sizeof got, "v%d%c", a.version, a.ec);
			cr_log_info("%3zu B%s in %3dx%-2d: %s", len, p ? "   " : " url", bc, br, got);
			cr_assert_str_eq(got, w, "%zu bytes in %dx%d: %s, want %s", len, bc, br, got, w);
			if (rc != 0) {
				cr_assert(is_zero(&a));
				for (size_t l = 0; l < sizeof levels / sizeof levels[0]; l++)
					cr_assert_not(fits_at(pl, len, levels[l].level, bc, br),
					              "%zu bytes fit %dx%d at level %c", len, bc, br,
					              levels[l].name);
				continue;
			}
			cr_assert_eq(a.modules, 17 + 4 * a.version + 8);
			cr_assert_eq(a.cols, a.modules);
			cr_assert_eq(a.rows, (a.modules + 1) / 2);
			cr_assert_leq(a.cols, bc);
			cr_assert_leq(a.rows, br);
			for (size_t l = 0; levels[l].name != a.ec; l++)
				cr_assert_not(fits_at(pl, len, levels[l].level, bc, br),
				              "%zu bytes in %dx%d: level %c fits, yet %c was chosen", len,
				              bc, br, levels[l].name, a.ec);
			qr_art_free(&a);
		}
		free(p);
	}
}
