/* qrdecode.c: QR codes in: finding a code in a grey picture (libzbar), and
 * reading the pictures a scanner hands us (PGM/PPM files, YUYV frames).
 *
 * libzbar is loaded here at first use (dlopen; see qrcode.h), not linked:
 * its functions are called through `zb`, a table of pointers declared with
 * the prototypes of <zbar.h> (__typeof__), so the compiler checks every
 * call as if it were linked. Nothing here may call a zbar_* function
 * directly: the kiosk would then fail to link (it has no -lzbar), and the
 * inline helpers of <zbar.h> that call _zbar_* functions must not be used
 * either.
 *
 * pnm_parse reads files that anyone with access to the drop folder can put
 * there, so it trusts nothing: every size is checked against the bytes
 * actually present before anything is allocated or read, and every
 * malformed input is an error with a reason, never a crash or an over-read
 * (tests/fuzz/fuzz_pnm.c).
 */
#include "qrcode.h"

#include <dlfcn.h>
#include <locale.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zbar.h>

#include "xmem.h"

#define PNM_MAX_SIDE 8192
#define PNM_MAX_PIXELS 40000000ull

/* ---- libzbar, loaded at first use -------------------------------------- */

const char *qr_zbar_library = "libzbar.so.0";

/* What qr_decode calls. */
#define ZBAR_DECODE_FNS(X)               \
	X(zbar_image_scanner_create)     \
	X(zbar_image_scanner_destroy)    \
	X(zbar_image_scanner_set_config) \
	X(zbar_image_create)             \
	X(zbar_image_destroy)            \
	X(zbar_image_set_format)         \
	X(zbar_image_set_size)           \
	X(zbar_image_set_data)           \
	X(zbar_scan_image)               \
	X(zbar_image_first_symbol)       \
	X(zbar_symbol_next)              \
	X(zbar_symbol_get_type)          \
	X(zbar_symbol_get_data_length)   \
	X(zbar_symbol_get_data)

/* Written once, by zb_load under zb_once; read-only afterwards. */
static struct {
#define ZB_MEMBER(f) __typeof__(f) *f;
	ZBAR_DECODE_FNS(ZB_MEMBER)
#undef ZB_MEMBER
} zb;
static void *zb_handle;
static char zb_why[200];
static pthread_once_t zb_once = PTHREAD_ONCE_INIT;

static void zb_load(void)
{
	const char *lib = qr_zbar_library;
	/* dlerror's text is translated into the language of LC_MESSAGES (the
	 * kiosk's log would get Chinese): this thread reads it in the C
	 * locale. newlocale("C") allocates nothing. */
	locale_t c = newlocale(LC_ALL_MASK, "C", (locale_t)0);
	locale_t old = c ? uselocale(c) : (locale_t)0;
	void *h = dlopen(lib, RTLD_NOW | RTLD_LOCAL);

	if (!h) {
		const char *e = dlerror();
		/* "libzbar.so.0: cannot open shared object file: No such file or
		 * directory" says less, at more length; anything else (a damaged
		 * or foreign file) is given as the loader says it. */
		if (!e || strstr(e, "No such file"))
			snprintf(zb_why, sizeof zb_why, "%s not found", lib);
		else
			snprintf(zb_why, sizeof zb_why, "%s", e);
	}
	if (c) {
		uselocale(old);
		freelocale(c);
	}
	if (!h)
		return;
#define ZB_RESOLVE(f)                                                            \
	if (!(zb.f = (__typeof__(zb.f))dlsym(h, #f))) {                          \
		snprintf(zb_why, sizeof zb_why, "%s: no %s", lib, #f);           \
		goto missing;                                                    \
	}
	ZBAR_DECODE_FNS(ZB_RESOLVE)
#undef ZB_RESOLVE
	zb_handle = h;
	return;
missing:
	memset(&zb, 0, sizeof zb);
	dlclose(h);
}

void *qr_zbar_load(char *why, size_t whylen)
{
	pthread_once(&zb_once, zb_load);
	if (!zb_handle && why && whylen)
		snprintf(why, whylen, "%s", zb_why);
	return zb_handle;
}

/* ---- decoding ---------------------------------------------------------- */

/* One pass of zbar over a Y800 image; returns the first QR symbol's bytes. */
static char *scan_once(zbar_image_scanner_t *sc, const unsigned char *gray, int w, int h,
                       size_t *len)
{
	zbar_image_t *img = zb.zbar_image_create();
	char *out = NULL;

	zb.zbar_image_set_format(img, zbar_fourcc('Y', '8', '0', '0'));
	zb.zbar_image_set_size(img, (unsigned)w, (unsigned)h);
	/* No cleanup handler: zbar only reads the caller's buffer. */
	zb.zbar_image_set_data(img, gray, (unsigned long)w * (unsigned long)h, NULL);
	if (zb.zbar_scan_image(sc, img) > 0) {
		const zbar_symbol_t *sym;

		for (sym = zb.zbar_image_first_symbol(img); sym; sym = zb.zbar_symbol_next(sym)) {
			if (zb.zbar_symbol_get_type(sym) != ZBAR_QRCODE)
				continue;
			/* Payloads may be binary (NUL bytes): use the length, not strlen. */
			unsigned n = zb.zbar_symbol_get_data_length(sym);
			const char *d = zb.zbar_symbol_get_data(sym);

			out = xmalloc((size_t)n + 1);
			if (n)
				memcpy(out, d, n);
			out[n] = '\0';
			*len = n;
			break;
		}
	}
	zb.zbar_image_destroy(img);
	return out;
}

char *qr_decode(const unsigned char *gray, int w, int h, size_t *len)
{
	size_t dummy;
	char *out;

	if (!len)
		len = &dummy;
	*len = 0;
	if (!gray || w <= 0 || h <= 0 || (uint64_t)w * (uint64_t)h > UINT32_MAX)
		return NULL;
	if (!qr_zbar_load(NULL, 0))
		return NULL;

	zbar_image_scanner_t *sc = zb.zbar_image_scanner_create();
	zb.zbar_image_scanner_set_config(sc, 0, ZBAR_CFG_ENABLE, 0);
	zb.zbar_image_scanner_set_config(sc, ZBAR_QRCODE, ZBAR_CFG_ENABLE, 1);
	/* Hand back the bytes as encoded: without this zbar guesses a character
	 * set and converts binary payloads to UTF-8. */
	zb.zbar_image_scanner_set_config(sc, ZBAR_QRCODE, ZBAR_CFG_BINARY, 1);
	/* Light on dark (a phone in dark mode): our own inverted copy. zbar's
	 * ZBAR_CFG_TEST_INVERTED would do it, but libzbar 0.23.92 inverts in
	 * 8-byte words and writes past the end of its copy when w*h is not a
	 * multiple of 8 (seen with valgrind): not for pictures from outside. */
	out = scan_once(sc, gray, w, h, len);
	if (!out) {
		size_t n = (size_t)w * (size_t)h;
		unsigned char *inv = xmalloc(n);

		for (size_t i = 0; i < n; i++)
			inv[i] = (unsigned char)(255 - gray[i]);
		out = scan_once(sc, inv, w, h, len);
		free(inv);
	}
	zb.zbar_image_scanner_destroy(sc);
	return out;
}

void yuyv_to_gray(const unsigned char *src, int w, int h, unsigned char *dst)
{
	if (!src || !dst || w <= 0 || h <= 0)
		return;
	/* Y0 U Y1 V: the luma is every other byte. */
	size_t n = (size_t)w * (size_t)h;
	for (size_t i = 0; i < n; i++)
		dst[i] = src[2 * i];
}

/* ---- PGM / PPM --------------------------------------------------------- */

struct pnm_reader {
	const unsigned char *p;
	size_t len, pos;
	char *err;
	size_t errlen;
};

static unsigned char *pnm_fail(struct pnm_reader *r, const char *why)
{
	if (r->err && r->errlen)
		snprintf(r->err, r->errlen, "%s", why);
	return NULL;
}

static bool pnm_space(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

/* Skips whitespace and '#' comments (to the end of the line). */
static void pnm_skip(struct pnm_reader *r)
{
	while (r->pos < r->len) {
		unsigned char c = r->p[r->pos];

		if (pnm_space(c)) {
			r->pos++;
		} else if (c == '#') {
			while (r->pos < r->len && r->p[r->pos] != '\n' && r->p[r->pos] != '\r')
				r->pos++;
		} else {
			break;
		}
	}
}

/* Reads a decimal number of at most `max`. Returns 0, -1 if there is no
 * number here, -2 if it exceeds max. Stops reading digits as soon as the
 * value is too big, so a megabyte of digits costs nothing. */
static int pnm_uint(struct pnm_reader *r, unsigned long max, unsigned long *out)
{
	unsigned long v = 0;
	size_t start = r->pos;

	while (r->pos < r->len && r->p[r->pos] >= '0' && r->p[r->pos] <= '9') {
		v = v * 10 + (unsigned long)(r->p[r->pos] - '0');
		r->pos++;
		if (v > max)
			return -2;
	}
	if (r->pos == start)
		return -1;
	*out = v;
	return 0;
}

/* A header number: whitespace/comments, digits, then a separator (or the
 * end, which the caller's size checks turn into "truncated"). */
static int pnm_header_uint(struct pnm_reader *r, unsigned long max, unsigned long *out)
{
	pnm_skip(r);
	int rc = pnm_uint(r, max, out);
	if (rc)
		return rc;
	if (r->pos < r->len && !pnm_space(r->p[r->pos]) && r->p[r->pos] != '#')
		return -1;
	return 0;
}

/* Luma (BT.601) of raw samples of the given maxval, scaled to 0..255. */
static unsigned char pnm_gray(unsigned long rr, unsigned long g, unsigned long b,
                              unsigned long maxval)
{
	uint64_t y = (uint64_t)(299 * rr + 587 * g + 114 * b); /* <= 65535000 */
	return (unsigned char)((y * 255 + 500 * (uint64_t)maxval) / (1000 * (uint64_t)maxval));
}

static unsigned char pnm_scale(unsigned long v, unsigned long maxval)
{
	if (maxval == 255)
		return (unsigned char)v;
	return (unsigned char)((v * 255 + maxval / 2) / maxval);
}

unsigned char *pnm_parse(const unsigned char *data, size_t len, int *w, int *h,
                         char *err, size_t errlen)
{
	struct pnm_reader rd = { .p = data, .len = len, .err = err, .errlen = errlen };
	struct pnm_reader *r = &rd;
	unsigned long width, height, maxval;
	int rc;

	if (w)
		*w = 0;
	if (h)
		*h = 0;
	if (err && errlen)
		err[0] = '\0';
	if (!data || !w || !h)
		return pnm_fail(r, "no data");
	if (len < 2 || data[0] != 'P')
		return pnm_fail(r, "not a PGM/PPM file (bad magic)");

	char kind = (char)data[1];
	bool ascii, colour;
	switch (kind) {
	case '2': ascii = true; colour = false; break;
	case '3': ascii = true; colour = true; break;
	case '5': ascii = false; colour = false; break;
	case '6': ascii = false; colour = true; break;
	case '1':
	case '4':
		return pnm_fail(r, "PBM (bitmap) files are not supported");
	default:
		return pnm_fail(r, "not a PGM/PPM file (bad magic)");
	}
	r->pos = 2;
	if (r->pos < r->len && !pnm_space(data[2]) && data[2] != '#')
		return pnm_fail(r, "not a PGM/PPM file (bad magic)");

	if ((rc = pnm_header_uint(r, 1000000, &width)) != 0)
		return pnm_fail(r, rc == -2 ? "image too large" :
		                r->pos >= r->len ? "truncated header" : "bad width");
	if ((rc = pnm_header_uint(r, 1000000, &height)) != 0)
		return pnm_fail(r, rc == -2 ? "image too large" :
		                r->pos >= r->len ? "truncated header" : "bad height");
	if ((rc = pnm_header_uint(r, 65535, &maxval)) != 0)
		return pnm_fail(r, rc == -2 ? "maxval above 65535" :
		                r->pos >= r->len ? "truncated header" : "bad maxval");
	if (width == 0 || height == 0)
		return pnm_fail(r, "empty image (zero width or height)");
	if (width > PNM_MAX_SIDE || height > PNM_MAX_SIDE ||
	    (unsigned long long)width * height > PNM_MAX_PIXELS)
		return pnm_fail(r, "image too large");
	if (maxval == 0)
		return pnm_fail(r, "maxval 0");

	size_t npix = (size_t)width * height;
	size_t chans = colour ? 3 : 1;
	size_t nsamples = npix * chans;
	unsigned char *out;

	if (!ascii) {
		/* Exactly one whitespace byte ends the header of a binary file. */
		if (r->pos >= r->len)
			return pnm_fail(r, "truncated header");
		if (!pnm_space(data[r->pos]))
			return pnm_fail(r, "bad header (comment after maxval)");
		r->pos++;
		size_t bps = maxval > 255 ? 2 : 1;
		if (r->len - r->pos < nsamples * bps)
			return pnm_fail(r, "truncated pixel data");
		const unsigned char *s = data + r->pos;
		out = xmalloc(npix);
		for (size_t i = 0; i < npix; i++) {
			unsigned long v[3];
			for (size_t c = 0; c < chans; c++) {
				if (bps == 2) {
					v[c] = (unsigned long)s[0] << 8 | s[1];
					s += 2;
				} else {
					v[c] = *s++;
				}
				if (v[c] > maxval) {
					free(out);
					return pnm_fail(r, "sample above maxval");
				}
			}
			out[i] = colour ? pnm_gray(v[0], v[1], v[2], maxval) : pnm_scale(v[0], maxval);
		}
	} else {
		/* Each sample takes at least a digit and a separator: refuse a
		 * 40-megapixel header on a 100-byte file before allocating. */
		if (r->len - r->pos < 2 * nsamples)
			return pnm_fail(r, "truncated pixel data");
		out = xmalloc(npix);
		for (size_t i = 0; i < npix; i++) {
			unsigned long v[3];
			for (size_t c = 0; c < chans; c++) {
				pnm_skip(r);
				rc = pnm_uint(r, maxval, &v[c]);
				if (rc) {
					free(out);
					return pnm_fail(r, rc == -2 ? "sample above maxval" :
					                r->pos >= r->len ? "truncated pixel data" :
					                "bad pixel data");
				}
			}
			out[i] = colour ? pnm_gray(v[0], v[1], v[2], maxval) : pnm_scale(v[0], maxval);
		}
	}
	*w = (int)width;
	*h = (int)height;
	return out;
}
