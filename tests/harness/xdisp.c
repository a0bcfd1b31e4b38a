/* xdisp.c: Xvfb, screenshots, XTEST keys and clicks (see xdisp.h). */
#include "xdisp.h"

#include <X11/Xlib.h>
#include <X11/Xutil.h>
#include <X11/extensions/XTest.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "hutil.h"

struct xdisp {
	pid_t pid;
	char name[16];
	Display *dpy;
};

static void nap_ms(int ms)
{
	struct timespec t = { ms / 1000, (long)(ms % 1000) * 1000000L };
	while (nanosleep(&t, &t) != 0 && errno == EINTR)
		;
}

/* Xvfb is found on PATH; -displayfd lets it pick a free display number. */
struct xdisp *xd_start(int w, int h, char *why, size_t n)
{
	int fds[2];
	char geom[32];
	if (access("/usr/bin/Xvfb", X_OK) != 0 && system("command -v Xvfb >/dev/null 2>&1") != 0) {
		snprintf(why, n, "Xvfb is not installed (Debian package xvfb)");
		return NULL;
	}
	if (pipe(fds) != 0) {
		snprintf(why, n, "pipe: %s", strerror(errno));
		return NULL;
	}
	snprintf(geom, sizeof geom, "%dx%dx24", w, h);
	pid_t parent = getpid();
	pid_t pid = fork();
	if (pid < 0) {
		snprintf(why, n, "fork: %s", strerror(errno));
		close(fds[0]);
		close(fds[1]);
		return NULL;
	}
	if (pid == 0) {
		/* The display number comes back on its stdout (h_child_prepare
		 * closes everything above 2). */
		dup2(fds[1], 1);
		int null = open("/dev/null", O_RDWR);
		if (null >= 0) {
			dup2(null, 0);
			dup2(null, 2);
		}
		h_child_prepare(parent);
		execlp("Xvfb", "Xvfb", "-displayfd", "1", "-screen", "0", geom, "-nolisten", "tcp",
		       "-noreset", "-dpi", "96", (char *)NULL);
		_exit(127);
	}
	close(fds[1]);
	char buf[16] = "";
	size_t got = 0;
	struct pollfd p = { fds[0], POLLIN, 0 };
	while (got < sizeof buf - 1 && poll(&p, 1, 10000) > 0) {
		ssize_t r = read(fds[0], buf + got, sizeof buf - 1 - got);
		if (r <= 0)
			break;
		got += (size_t)r;
		if (memchr(buf, '\n', got))
			break;
	}
	close(fds[0]);
	buf[got] = '\0';
	if (!got || buf[0] < '0' || buf[0] > '9') {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		snprintf(why, n, "Xvfb did not start");
		return NULL;
	}
	struct xdisp *d = calloc(1, sizeof *d);
	if (!d)
		abort();
	d->pid = pid;
	snprintf(d->name, sizeof d->name, ":%d", atoi(buf));
	for (int i = 0; i < 100 && !d->dpy; i++) {
		d->dpy = XOpenDisplay(d->name);
		if (!d->dpy)
			nap_ms(50);
	}
	int ev, er, ma, mi;
	if (!d->dpy || !XTestQueryExtension(d->dpy, &ev, &er, &ma, &mi)) {
		snprintf(why, n, "cannot use the X display %s (or it has no XTEST)", d->name);
		xd_free(d);
		return NULL;
	}
	return d;
}

const char *xd_name(const struct xdisp *d)
{
	return d->name;
}

void xd_free(struct xdisp *d)
{
	if (!d)
		return;
	if (d->dpy)
		XCloseDisplay(d->dpy);
	if (d->pid > 0) {
		kill(d->pid, SIGTERM);
		for (int i = 0; i < 100 && waitpid(d->pid, NULL, WNOHANG) == 0; i++)
			nap_ms(20);
		kill(d->pid, SIGKILL);
		waitpid(d->pid, NULL, 0);
	}
	free(d);
}

int xd_shot(struct xdisp *d, struct xd_image *img)
{
	memset(img, 0, sizeof *img);
	Window root = DefaultRootWindow(d->dpy);
	XWindowAttributes wa;
	XSync(d->dpy, False);
	if (!XGetWindowAttributes(d->dpy, root, &wa))
		return -1;
	XImage *xi = XGetImage(d->dpy, root, 0, 0, (unsigned)wa.width, (unsigned)wa.height, AllPlanes,
	                       ZPixmap);
	if (!xi)
		return -1;
	img->w = wa.width;
	img->h = wa.height;
	img->pix = malloc((size_t)img->w * (size_t)img->h * 3);
	if (!img->pix)
		abort();
	for (int y = 0; y < img->h; y++) {
		for (int x = 0; x < img->w; x++) {
			unsigned long p = XGetPixel(xi, x, y);
			unsigned char *o = img->pix + ((size_t)y * (size_t)img->w + (size_t)x) * 3;
			o[0] = (unsigned char)((p & xi->red_mask) >> 16);
			o[1] = (unsigned char)((p & xi->green_mask) >> 8);
			o[2] = (unsigned char)(p & xi->blue_mask);
		}
	}
	XDestroyImage(xi);
	return 0;
}

void xd_image_free(struct xd_image *img)
{
	free(img->pix);
	memset(img, 0, sizeof *img);
}

uint32_t xd_pixel(const struct xd_image *img, int x, int y)
{
	if (x < 0 || y < 0 || x >= img->w || y >= img->h)
		return 0;
	const unsigned char *p = img->pix + ((size_t)y * (size_t)img->w + (size_t)x) * 3;
	return (uint32_t)p[0] << 16 | (uint32_t)p[1] << 8 | p[2];
}

bool xd_differs(const struct xd_image *a, const struct xd_image *b, int x, int y, int w, int h)
{
	if (a->w != b->w || a->h != b->h)
		return true;
	for (int yy = y; yy < y + h && yy < a->h; yy++)
		for (int xx = x; xx < x + w && xx < a->w; xx++)
			if (xd_pixel(a, xx, yy) != xd_pixel(b, xx, yy))
				return true;
	return false;
}

unsigned char *xd_gray_scaled(const struct xd_image *img, int num, int den, int *w, int *h)
{
	int ow = img->w * num / den, oh = img->h * num / den;
	unsigned char *g = malloc((size_t)ow * (size_t)oh + 1);
	if (!g)
		abort();
	for (int y = 0; y < oh; y++) {
		for (int x = 0; x < ow; x++) {
			/* the source pixels this one covers, averaged */
			int x0 = x * den / num, x1 = (x + 1) * den / num, y0 = y * den / num,
			    y1 = (y + 1) * den / num;
			if (x1 <= x0)
				x1 = x0 + 1;
			if (y1 <= y0)
				y1 = y0 + 1;
			unsigned sum = 0, cnt = 0;
			for (int sy = y0; sy < y1 && sy < img->h; sy++)
				for (int sx = x0; sx < x1 && sx < img->w; sx++) {
					uint32_t p = xd_pixel(img, sx, sy);
					sum += (299 * (p >> 16) + 587 * ((p >> 8) & 255) + 114 * (p & 255)) / 1000;
					cnt++;
				}
			g[(size_t)y * (size_t)ow + (size_t)x] = (unsigned char)(cnt ? sum / cnt : 255);
		}
	}
	*w = ow;
	*h = oh;
	return g;
}

/* ---- PNG (zlib): enough for screenshots ------------------------------------ */

static void png_chunk(FILE *f, const char *type, const unsigned char *data, size_t n)
{
	unsigned char len[4] = { (unsigned char)(n >> 24), (unsigned char)(n >> 16),
	                         (unsigned char)(n >> 8), (unsigned char)n };
	fwrite(len, 1, 4, f);
	fwrite(type, 1, 4, f);
	if (n)
		fwrite(data, 1, n, f);
	uLong c = crc32(0, (const Bytef *)type, 4);
	if (n)
		c = crc32(c, data, (uInt)n);
	unsigned char cb[4] = { (unsigned char)(c >> 24), (unsigned char)(c >> 16),
	                        (unsigned char)(c >> 8), (unsigned char)c };
	fwrite(cb, 1, 4, f);
}

int xd_png_write(const struct xd_image *img, const char *path)
{
	size_t row = (size_t)img->w * 3 + 1, rawn = row * (size_t)img->h;
	unsigned char *raw = malloc(rawn);
	if (!raw)
		abort();
	for (int y = 0; y < img->h; y++) {
		raw[(size_t)y * row] = 0; /* filter: none */
		memcpy(raw + (size_t)y * row + 1, img->pix + (size_t)y * (size_t)img->w * 3,
		       (size_t)img->w * 3);
	}
	uLongf zn = compressBound((uLong)rawn);
	unsigned char *z = malloc(zn);
	if (!z)
		abort();
	if (compress2(z, &zn, raw, (uLong)rawn, 9) != Z_OK) {
		free(raw);
		free(z);
		errno = EIO;
		return -1;
	}
	free(raw);
	FILE *f = fopen(path, "wb");
	if (!f) {
		free(z);
		return -1;
	}
	fwrite("\x89PNG\r\n\x1a\n", 1, 8, f);
	unsigned w = (unsigned)img->w, h = (unsigned)img->h;
	unsigned char ihdr[13] = { (unsigned char)(w >> 24), (unsigned char)(w >> 16),
	                           (unsigned char)(w >> 8),  (unsigned char)w,
	                           (unsigned char)(h >> 24), (unsigned char)(h >> 16),
	                           (unsigned char)(h >> 8),  (unsigned char)h,
	                           8, 2, 0, 0, 0 };
	png_chunk(f, "IHDR", ihdr, sizeof ihdr);
	png_chunk(f, "IDAT", z, zn);
	png_chunk(f, "IEND", NULL, 0);
	free(z);
	return fclose(f);
}

/* ---- input --------------------------------------------------------------- */

static void press(struct xdisp *d, const char *keysym, bool down)
{
	KeySym ks = XStringToKeysym(keysym);
	KeyCode kc = ks == NoSymbol ? 0 : XKeysymToKeycode(d->dpy, ks);
	if (kc)
		XTestFakeKeyEvent(d->dpy, kc, down, 0);
}

void xd_key(struct xdisp *d, const char *keysym, const char *mods)
{
	const char *held[3];
	int n = 0;
	if (mods && strstr(mods, "ctrl"))
		held[n++] = "Control_L";
	if (mods && strstr(mods, "shift"))
		held[n++] = "Shift_L";
	if (mods && strstr(mods, "alt"))
		held[n++] = "Alt_L";
	for (int i = 0; i < n; i++)
		press(d, held[i], true);
	press(d, keysym, true);
	XSync(d->dpy, False);
	nap_ms(15);
	press(d, keysym, false);
	for (int i = n; i-- > 0;)
		press(d, held[i], false);
	XSync(d->dpy, False);
}

void xd_click(struct xdisp *d, int x, int y)
{
	XTestFakeMotionEvent(d->dpy, -1, x, y, 0);
	XSync(d->dpy, False);
	nap_ms(20);
	XTestFakeButtonEvent(d->dpy, 1, True, 0);
	XSync(d->dpy, False);
	nap_ms(20);
	XTestFakeButtonEvent(d->dpy, 1, False, 0);
	XSync(d->dpy, False);
}

/* ---- colour ------------------------------------------------------------- */

static double lin(double c)
{
	c /= 255.0;
	return c <= 0.03928 ? c / 12.92 : pow((c + 0.055) / 1.055, 2.4);
}

static double luminance(uint32_t c)
{
	return 0.2126 * lin((double)(c >> 16)) + 0.7152 * lin((double)((c >> 8) & 255)) +
	       0.0722 * lin((double)(c & 255));
}

double xd_contrast(uint32_t a, uint32_t b)
{
	double la = luminance(a), lb = luminance(b);
	return la > lb ? (la + 0.05) / (lb + 0.05) : (lb + 0.05) / (la + 0.05);
}
