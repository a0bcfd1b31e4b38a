/* qrart.c: a payload as a QR code in Unicode half blocks.
 *
 * One cell is 1 module wide and 2 modules tall: the top half is module row
 * 2k, the bottom half row 2k+1. Dark modules are ink (the caller draws black
 * on white): both dark U+2588, top only U+2580, bottom only U+2584, neither a
 * space. A 4-module light quiet zone surrounds the symbol; an odd module
 * count leaves the last cell row with a light bottom half.
 */
#include "qrcode.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <qrencode.h>

#include "xmem.h"

#define QUIET 4

static const char GLYPH_FULL[] = "\xE2\x96\x88";   /* U+2588 */
static const char GLYPH_UPPER[] = "\xE2\x96\x80";  /* U+2580 */
static const char GLYPH_LOWER[] = "\xE2\x96\x84";  /* U+2584 */

/* Module (x, y) of the padded symbol: true if dark. */
static bool dark(const QRcode *qr, int x, int y)
{
	x -= QUIET;
	y -= QUIET;
	if (x < 0 || y < 0 || x >= qr->width || y >= qr->width)
		return false;
	return qr->data[(size_t)y * (size_t)qr->width + (size_t)x] & 1;
}

static void render(const QRcode *qr, struct qr_art *out)
{
	int n = out->modules;

	out->lines = xcalloc((size_t)out->rows, sizeof *out->lines);
	for (int r = 0; r < out->rows; r++) {
		char *line = xmalloc((size_t)out->cols * 3 + 1), *p = line;

		for (int x = 0; x < out->cols; x++) {
			bool top = dark(qr, x, 2 * r);
			bool bot = 2 * r + 1 < n && dark(qr, x, 2 * r + 1);
			const char *g = top && bot ? GLYPH_FULL : top ? GLYPH_UPPER : bot ? GLYPH_LOWER : NULL;

			if (g) {
				memcpy(p, g, 3);
				p += 3;
			} else {
				*p++ = ' ';
			}
		}
		*p = '\0';
		out->lines[r] = line;
	}
}

int qr_art_make(const char *payload, size_t len, int max_cols, int max_rows, struct qr_art *out)
{
	static const struct { QRecLevel level; char name; } levels[] = {
		{ QR_ECLEVEL_H, 'H' }, { QR_ECLEVEL_Q, 'Q' },
		{ QR_ECLEVEL_M, 'M' }, { QR_ECLEVEL_L, 'L' },
	};

	memset(out, 0, sizeof *out);
	if ((!payload && len > 0) || len > INT_MAX || max_cols <= 0 || max_rows <= 0)
		return -1;
	for (size_t i = 0; i < sizeof levels / sizeof levels[0]; i++) {
		QRcode *qr = QRcode_encodeData((int)len, (const unsigned char *)payload, 0,
		                               levels[i].level);
		int modules, rows;

		if (!qr)
			continue; /* too long at this level (ERANGE), or invalid */
		modules = qr->width + 2 * QUIET;
		rows = (modules + 1) / 2;
		if (modules <= max_cols && rows <= max_rows) {
			out->modules = modules;
			out->cols = modules;
			out->rows = rows;
			out->version = qr->version;
			out->ec = levels[i].name;
			render(qr, out);
			QRcode_free(qr);
			return 0;
		}
		QRcode_free(qr);
	}
	return -1;
}

void qr_art_free(struct qr_art *a)
{
	if (!a)
		return;
	if (a->lines) {
		for (int r = 0; r < a->rows; r++)
			free(a->lines[r]);
		free(a->lines);
	}
	memset(a, 0, sizeof *a);
}
