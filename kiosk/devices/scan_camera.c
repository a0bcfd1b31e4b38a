/* scan_camera.c: the camera:/dev/videoN scanner (libzbar video).
 *
 * The device fd is in the loop; each frame is taken in the loop thread
 * (the fd is ready, so that does not block), turned grey and handed to the
 * worker thread, which runs qr_decode. While the worker is busy, frames
 * are dropped, never queued: the newest picture is the one that matters.
 * A code held in front of the camera is seen in frame after frame; it is
 * reported once, and again only after SCAN_CAMERA_REPEAT_MS without it.
 *
 * Frames come from a small source interface (scan_int.h) so that tests can
 * feed pictures without a /dev/video device.
 *
 * libzbar is not linked (qrcode.h): starting the scanner loads it
 * (qr_zbar_load: the worker's qr_decode needs it whatever the source), and
 * the video functions are resolved from it at the first open of a real
 * camera, into `zv`, pointers declared with <zbar.h>'s prototypes. A
 * missing library or function is a failed start with the reason
 * ("libzbar.so.0 not found"), reported and retried by scan.c like a
 * missing camera.
 */
#include <dlfcn.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zbar.h>

#include "log.h"
#include "loop.h"
#include "qrcode.h"
#include "scan_int.h"
#include "util.h"

const struct scan_camsrc *scan_camsrc_override;

/* ---- libzbar video as a frame source ----------------------------------- */

#define Y800 zbar_fourcc('Y', '8', '0', '0')

/* What the frame source calls. _zbar_error_string is what <zbar.h>'s
 * inline zbar_video_error_string calls (that one would need -lzbar). */
#define ZBAR_VIDEO_FNS(X)             \
	X(zbar_video_create)          \
	X(zbar_video_destroy)         \
	X(zbar_video_open)            \
	X(zbar_video_init)            \
	X(zbar_negotiate_format)      \
	X(zbar_video_enable)          \
	X(zbar_video_get_fd)          \
	X(zbar_video_next_image)      \
	X(zbar_image_convert)         \
	X(zbar_image_destroy)         \
	X(zbar_image_get_width)       \
	X(zbar_image_get_height)      \
	X(zbar_image_get_data_length) \
	X(zbar_image_get_data)        \
	X(_zbar_error_string)

/* Written once, by zv_load under zv_once; read-only afterwards. */
static struct {
#define ZV_MEMBER(f) __typeof__(f) *f;
	ZBAR_VIDEO_FNS(ZV_MEMBER)
#undef ZV_MEMBER
} zv;
static bool zv_ok;
static char zv_why[200];
static pthread_once_t zv_once = PTHREAD_ONCE_INIT;

static void zv_load(void)
{
	void *h = qr_zbar_load(zv_why, sizeof zv_why);

	if (!h)
		return;
#define ZV_RESOLVE(f)                                                                  \
	if (!(zv.f = (__typeof__(zv.f))dlsym(h, #f))) {                                \
		snprintf(zv_why, sizeof zv_why, "%s: no %s", qr_zbar_library, #f);     \
		memset(&zv, 0, sizeof zv);                                             \
		return;                                                                \
	}
	ZBAR_VIDEO_FNS(ZV_RESOLVE)
#undef ZV_RESOLVE
	zv_ok = true;
}

/* zbar's messages read "ERROR: zbar video in fn():\n    system error: ...":
 * keep what follows the function name, on one line. */
static void zsrc_why(zbar_video_t *vdo, const char *what, char *why, size_t whylen)
{
	const char *msg = zv._zbar_error_string(vdo, 0);
	const char *p = msg ? strstr(msg, "():") : NULL;
	size_t n = 0;

	p = p ? p + 3 : msg ? msg : "error";
	if (!whylen)
		return;
	n = (size_t)snprintf(why, whylen, "%s: ", what);
	if (n >= whylen)
		return;
	for (bool space = true; *p && n + 1 < whylen; p++) {
		bool ws = *p == ' ' || *p == '\n' || *p == '\t' || *p == '\r';
		if (ws && space)
			continue;
		why[n++] = ws ? ' ' : *p;
		space = ws;
	}
	while (n > 0 && why[n - 1] == ' ')
		n--;
	why[n] = '\0';
}

static void *zsrc_open(const char *dev, char *why, size_t whylen)
{
	pthread_once(&zv_once, zv_load);
	if (!zv_ok) {
		snprintf(why, whylen, "%s", zv_why);
		return NULL;
	}

	zbar_video_t *vdo = zv.zbar_video_create();

	if (!vdo) {
		snprintf(why, whylen, "cannot create a zbar video");
		return NULL;
	}
	if (zv.zbar_video_open(vdo, dev) < 0) {
		zsrc_why(vdo, "cannot open the camera", why, whylen);
		zv.zbar_video_destroy(vdo);
		return NULL;
	}
	/* Grey if the camera has it; else whatever zbar finds best (YUYV...),
	 * converted per frame. */
	if (zv.zbar_video_init(vdo, Y800) < 0 && zv.zbar_negotiate_format(vdo, NULL) < 0) {
		zsrc_why(vdo, "no usable picture format", why, whylen);
		zv.zbar_video_destroy(vdo);
		return NULL;
	}
	if (zv.zbar_video_enable(vdo, 1) < 0) {
		zsrc_why(vdo, "cannot start the camera", why, whylen);
		zv.zbar_video_destroy(vdo);
		return NULL;
	}
	return vdo;
}

static int zsrc_fd(void *src)
{
	int fd = zv.zbar_video_get_fd(src);
	/* libzbar opens the device without O_CLOEXEC: children (aplay, the
	 * font command) must not inherit the camera. */
	if (fd >= 0)
		fcntl(fd, F_SETFD, fcntl(fd, F_GETFD) | FD_CLOEXEC);
	return fd;
}

static int zsrc_next(void *src, bool want, unsigned char **gray, int *w, int *h,
                     char *why, size_t whylen)
{
	zbar_image_t *img = zv.zbar_video_next_image(src);

	if (!img) {
		zsrc_why(src, "camera read failed", why, whylen);
		return -1;
	}
	if (!want) {
		zv.zbar_image_destroy(img); /* gives the buffer back to the driver */
		return 0;
	}
	zbar_image_t *g = zv.zbar_image_convert(img, Y800);
	zv.zbar_image_destroy(img);
	if (!g)
		return 0;
	unsigned gw = zv.zbar_image_get_width(g), gh = zv.zbar_image_get_height(g);
	unsigned long dlen = zv.zbar_image_get_data_length(g);
	const void *data = zv.zbar_image_get_data(g);
	int rc = 0;
	if (data && gw > 0 && gh > 0 && gw <= 16384 && gh <= 16384 &&
	    dlen >= (unsigned long)gw * gh) {
		*gray = xmalloc((size_t)gw * gh);
		memcpy(*gray, data, (size_t)gw * gh);
		*w = (int)gw;
		*h = (int)gh;
		rc = 1;
	}
	zv.zbar_image_destroy(g);
	return rc;
}

static void zsrc_close(void *src)
{
	zv.zbar_video_enable(src, 0);
	zv.zbar_video_destroy(src);
}

static const struct scan_camsrc zbar_camsrc = {
	.open = zsrc_open,
	.fd = zsrc_fd,
	.next = zsrc_next,
	.close = zsrc_close,
};

/* ---- the scanner ------------------------------------------------------- */

struct scan_camera {
	char *dev;
	const struct scan_camsrc *src;
	void *h;
	int fd;
	char *last;          /* the last code reported (a token: wiped) */
	size_t last_len;
	long long last_seen; /* when it was last seen, reported or not */
};

struct frame_job {
	unsigned char *gray;
	int w, h;
};

static int camera_setup(struct scanner *s, const char *arg, char *err, size_t errlen)
{
	struct scan_camera *c = xcalloc(1, sizeof *c);

	c->dev = xstrdup(arg);
	c->src = scan_camsrc_override ? scan_camsrc_override : &zbar_camsrc;
	c->fd = -1;
	s->priv = c;
	return 0;
}

static void camera_readable(struct loop *l, int fd, int revents, void *ud)
{
	struct scanner *s = ud;
	struct scan_camera *c = s->priv;
	unsigned char *gray = NULL;
	char why[256] = "";
	int w = 0, h = 0;

	scan_enter(s);
	if (!(revents & POLLIN) && (revents & (POLLERR | POLLHUP | POLLNVAL))) {
		scan_fail(s, "the camera stopped (unplugged?)");
	} else {
		int r = c->src->next(c->h, scan_worker_idle(s->wk), &gray, &w, &h, why, sizeof why);
		if (r < 0) {
			scan_fail(s, why[0] ? why : "camera read failed");
		} else if (r > 0) {
			struct frame_job *job = xcalloc(1, sizeof *job);
			job->gray = gray;
			job->w = w;
			job->h = h;
			if (!scan_worker_push(s->wk, job, 1)) {
				free(job->gray);
				free(job);
			}
		}
	}
	scan_leave(s);
}

static int camera_start(struct scanner *s, char *why, size_t whylen)
{
	struct scan_camera *c = s->priv;

	/* The worker decodes with libzbar whatever the source: no library, no
	 * camera scanner. */
	if (!qr_zbar_load(why, whylen))
		return -1;
	c->h = c->src->open(c->dev, why, whylen);
	if (!c->h)
		return -1;
	c->fd = c->src->fd(c->h);
	if (c->fd < 0) {
		snprintf(why, whylen, "camera %s cannot be polled", c->dev);
		return -1;
	}
	loop_fd_add(s->loop, c->fd, POLLIN, camera_readable, s);
	return 0;
}

static void camera_stop(struct scanner *s)
{
	struct scan_camera *c = s->priv;

	if (c->fd >= 0)
		loop_fd_del(s->loop, c->fd);
	if (c->h)
		c->src->close(c->h);
	c->h = NULL;
	c->fd = -1;
}

static void camera_forget(struct scan_camera *c)
{
	if (c->last) {
		explicit_bzero(c->last, c->last_len);
		free(c->last);
	}
	c->last = NULL;
	c->last_len = 0;
}

static void camera_destroy(struct scanner *s)
{
	struct scan_camera *c = s->priv;

	if (c) {
		camera_forget(c);
		free(c->dev);
		free(c);
	}
	s->priv = NULL;
}

/* Worker thread. */
static void camera_work(struct scan_worker *wk, void *jobp)
{
	struct frame_job *job = jobp;
	size_t len = 0;
	char *code = qr_decode(job->gray, job->w, job->h, &len);

	if (code) {
		scan_worker_report(wk, SCAN_CODE, code, len, NULL);
		explicit_bzero(code, len);
		free(code);
	}
}

static void camera_job_free(void *jobp)
{
	struct frame_job *job = jobp;

	free(job->gray);
	free(job);
}

/* Loop thread: a code held in front of the lens is one scan. */
static bool camera_want_code(struct scanner *s, const char *code, size_t len)
{
	struct scan_camera *c = s->priv;
	long long now = loop_now_ms();

	if (c->last && c->last_len == len && memcmp(c->last, code, len) == 0 &&
	    now - c->last_seen < SCAN_CAMERA_REPEAT_MS) {
		c->last_seen = now;
		return false;
	}
	camera_forget(c);
	c->last = xmalloc(len + 1);
	memcpy(c->last, code, len);
	c->last[len] = '\0';
	c->last_len = len;
	c->last_seen = now;
	return true;
}

const struct scan_backend scan_camera_backend = {
	.kind = "camera",
	.setup = camera_setup,
	.start = camera_start,
	.stop = camera_stop,
	.destroy = camera_destroy,
	.work = camera_work,
	.job_free = camera_job_free,
	.want_code = camera_want_code,
};
