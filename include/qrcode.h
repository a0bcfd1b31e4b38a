/* qrcode.h: QR codes in and out (pure core: libqrencode, libzbar; no
 * curses, no devices).
 *
 * Out: qr_art renders a payload as lines of Unicode half blocks (one cell =
 * 1 module wide, 2 modules tall) with a 4-module quiet zone, choosing the
 * highest error-correction level that fits the given cell box. Drawn dark
 * on light by the caller's colour pair (black on white, never inverted).
 *
 * In: qr_decode finds a QR code in a grey image (Y800: one byte a pixel);
 * pnm_parse reads PGM/PPM files (P2, P3, P5, P6) into grey; yuyv_to_gray
 * converts camera frames.
 *
 * libzbar is not linked: it and what it links (libX11, xcb, libv4l,
 * libjpeg, D-Bus, libsystemd, libgcrypt...) are about 1.7 MB of resident
 * pages (bench/rss.sh, run 1, espeak-ng not linked either) that a kiosk
 * reading codes from a keyboard-wedge or serial scanner would map and
 * initialise for nothing. It is dlopen()ed (qr_zbar_library, RTLD_NOW | RTLD_LOCAL) at
 * the first qr_decode or qr_zbar_load, once per process, from any thread,
 * and never unloaded. A missing library or symbol makes every later call
 * fail the same way (no retry: install libzbar0 and restart).
 */
#ifndef KIOSK_QRCODE_H
#define KIOSK_QRCODE_H

#include <stdbool.h>
#include <stddef.h>

struct qr_art {
	int cols, rows;      /* cells */
	int modules;         /* symbol width in modules, quiet zone included */
	int version;         /* 1..40 */
	char ec;             /* 'L', 'M', 'Q' or 'H' */
	char **lines;        /* rows strings of UTF-8 (each `cols` cells) */
};

/* Renders payload (bytes, 8-bit mode) to fit max_cols x max_rows cells.
 * Returns 0, or -1 if it cannot fit at any level (or cannot be encoded);
 * out is then zeroed. */
int qr_art_make(const char *payload, size_t len, int max_cols, int max_rows, struct qr_art *out);
void qr_art_free(struct qr_art *a);

/* Decodes the first QR code in a w x h grey image (stride = w). Returns a
 * new string (caller frees; *len its length, the payload may hold NULs) or
 * NULL if none is found. Also tries the inverted image (light on dark).
 * Loads libzbar at its first call; NULL too if it cannot (qr_zbar_load
 * says why). */
char *qr_decode(const unsigned char *gray, int w, int h, size_t *len);

/* Loads libzbar now, if it is not yet (what qr_decode needs resolved).
 * Returns its dlopen handle (for dlsym of more of its functions: the
 * camera's video API), or NULL with a one-line English reason in why
 * ("libzbar.so.0 not found", "libzbar.so.0: no zbar_scan_image"). The
 * scanners that decode call it when they start, so that a missing library
 * is reported like a missing device. Thread-safe. */
void *qr_zbar_load(char *why, size_t whylen);

/* The library qr_zbar_load opens: "libzbar.so.0". Tests name a missing
 * one (before the first load) to see that failure. */
extern const char *qr_zbar_library;

/* Parses a PGM or PPM image (binary or ASCII, maxval 1..65535) into a new
 * grey buffer (caller frees). Limits: w, h <= 8192 and w*h <= 40 Mpx.
 * Returns NULL with a short English reason in err on anything malformed. */
unsigned char *pnm_parse(const unsigned char *data, size_t len, int *w, int *h,
                         char *err, size_t errlen);

/* Converts a packed YUYV (YUY2) frame to grey: the Y samples. dst holds w*h. */
void yuyv_to_gray(const unsigned char *src, int w, int h, unsigned char *dst);

#endif
