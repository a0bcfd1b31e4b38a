/* xdisp.h: a real X display for the tests that look at pixels.
 *
 * xd_start runs Xvfb (a virtual framebuffer X server, 24-bit colour) on a
 * free display and connects to it; the kiosk is then started on it with
 * dist/kiosk-session, exactly as on a kiosk (window manager, xterm, fonts).
 * Screenshots are read with XGetImage; keys and clicks are sent with the
 * XTEST extension, so they go through xterm's own key translation, as a
 * citizen's keypad or touch screen would.
 *
 * Images are RGB, 3 bytes a pixel, rows top to bottom (caller frees pix).
 * Ownership: xd_start returns a display the caller frees with xd_free (NULL
 * accepted); it dies with the test process (PR_SET_PDEATHSIG).
 */
#ifndef TESTS_XDISP_H
#define TESTS_XDISP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct xdisp;

struct xd_image {
	int w, h;
	unsigned char *pix; /* w * h * 3 */
};

/* Xvfb w x h; NULL with the reason in why (e.g. "Xvfb is not installed"). */
struct xdisp *xd_start(int w, int h, char *why, size_t n);
/* ":N", for DISPLAY (owned by d). */
const char *xd_name(const struct xdisp *d);
void xd_free(struct xdisp *d);

/* The whole screen. 0, or -1 (then img is zeroed). */
int xd_shot(struct xdisp *d, struct xd_image *img);
void xd_image_free(struct xd_image *img);
/* 0 or -1 (errno set). */
int xd_png_write(const struct xd_image *img, const char *path);
/* Pixel (x, y) as 0xRRGGBB; 0 outside. */
uint32_t xd_pixel(const struct xd_image *img, int x, int y);
/* Grey (Y800) copy scaled by num/den (box filter), caller frees; *w, *h. */
unsigned char *xd_gray_scaled(const struct xd_image *img, int num, int den, int *w, int *h);
/* True if the two images differ anywhere inside the rectangle. */
bool xd_differs(const struct xd_image *a, const struct xd_image *b, int x, int y, int w, int h);

/* A key, by X keysym name ("4", "KP_Add", "Return", "F5", "Home"), with
 * modifiers held: any of "ctrl", "shift", "alt" (space-separated, or NULL). */
void xd_key(struct xdisp *d, const char *keysym, const char *mods);
/* A left click (press, 20 ms, release) at pixel (x, y). */
void xd_click(struct xdisp *d, int x, int y);

/* WCAG 2 contrast ratio of two sRGB colours (0xRRGGBB), >= 1. */
double xd_contrast(uint32_t a, uint32_t b);

#endif
