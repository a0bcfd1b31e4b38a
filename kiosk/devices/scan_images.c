/* scan_images.c: the images:DIR scanner. Each PGM/PPM file that appears in
 * DIR (written and closed there, or renamed into it) is read and searched
 * for a QR code in the worker thread; files present before we started
 * watching are not ours. Another program (a document scanner, a test) puts
 * the pictures there; we never modify or delete them.
 *
 * Starting the scanner loads libzbar (qr_zbar_load, qrcode.h): without it
 * no picture can be read, and that is a failed start with the reason
 * ("libzbar.so.0 not found"), reported and retried by scan.c like a
 * missing folder, rather than "no QR code found" for every file.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdalign.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "loop.h"
#include "qrcode.h"
#include "scan_int.h"
#include "util.h"

struct scan_images {
	char *dir;
	int ifd;
};

struct image_job {
	char *path;
	const char *name; /* inside path */
};

static bool image_wanted(const char *name)
{
	size_t n = strlen(name);

	/* Dot files are the usual temporary names of tools that write and
	 * then rename (rsync, editors): wait for the real name. */
	if (n < 5 || name[0] == '.')
		return false;
	const char *ext = name + n - 4;
	return strcasecmp(ext, ".pgm") == 0 || strcasecmp(ext, ".ppm") == 0 ||
	       strcasecmp(ext, ".pnm") == 0;
}

static int images_setup(struct scanner *s, const char *arg, char *err, size_t errlen)
{
	struct scan_images *im = xcalloc(1, sizeof *im);
	size_t n = strlen(arg);

	while (n > 1 && arg[n - 1] == '/')
		n--;
	im->dir = xstrndup(arg, n);
	im->ifd = -1;
	s->priv = im;
	return 0;
}

static void images_readable(struct loop *l, int fd, int revents, void *ud)
{
	struct scanner *s = ud;
	struct scan_images *im = s->priv;
	alignas(struct inotify_event) char buf[8192];
	bool gone = false;

	scan_enter(s);
	for (;;) {
		ssize_t n = read(fd, buf, sizeof buf);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			break;
		if (n <= 0) {
			char why[128];
			snprintf(why, sizeof why, "watching the folder failed: %s",
			         n < 0 ? strerror(errno) : "end of file");
			scan_fail(s, why);
			break;
		}
		for (char *p = buf; p < buf + n;) {
			const struct inotify_event *ev = (const struct inotify_event *)p;

			p += sizeof *ev + ev->len;
			if (ev->mask & IN_Q_OVERFLOW)
				log_warn("scanner %s: too many files at once, some were missed", s->spec);
			if (ev->mask & (IN_DELETE_SELF | IN_MOVE_SELF | IN_IGNORED | IN_UNMOUNT))
				gone = true;
			if (!(ev->mask & (IN_CLOSE_WRITE | IN_MOVED_TO)) || (ev->mask & IN_ISDIR) ||
			    !ev->len || !image_wanted(ev->name))
				continue;
			struct image_job *job = xcalloc(1, sizeof *job);
			job->path = xasprintf("%s/%s", im->dir, ev->name);
			job->name = job->path + strlen(im->dir) + 1;
			if (!scan_worker_push(s->wk, job, SCAN_IMAGE_QUEUE)) {
				log_warn("scanner %s: %d files waiting, one dropped", s->spec,
				         SCAN_IMAGE_QUEUE);
				free(job->path);
				free(job);
			}
		}
		if (gone) {
			scan_fail(s, "the folder was removed or moved");
			break;
		}
	}
	scan_leave(s);
}

static int images_start(struct scanner *s, char *why, size_t whylen)
{
	struct scan_images *im = s->priv;

	if (!qr_zbar_load(why, whylen))
		return -1;
	im->ifd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (im->ifd < 0) {
		snprintf(why, whylen, "inotify: %s", strerror(errno));
		return -1;
	}
	if (inotify_add_watch(im->ifd, im->dir, IN_CLOSE_WRITE | IN_MOVED_TO | IN_DELETE_SELF |
	                      IN_MOVE_SELF | IN_ONLYDIR) < 0) {
		snprintf(why, whylen, "cannot watch folder %s: %s", im->dir, strerror(errno));
		return -1;
	}
	loop_fd_add(s->loop, im->ifd, POLLIN, images_readable, s);
	return 0;
}

static void images_stop(struct scanner *s)
{
	struct scan_images *im = s->priv;

	if (im->ifd >= 0) {
		loop_fd_del(s->loop, im->ifd);
		close(im->ifd); /* drops the watch with it */
	}
	im->ifd = -1;
}

static void images_destroy(struct scanner *s)
{
	struct scan_images *im = s->priv;

	if (im) {
		free(im->dir);
		free(im);
	}
	s->priv = NULL;
}

/* Reads a whole regular file of at most SCAN_IMAGE_MAX bytes. */
static unsigned char *image_read(const char *path, size_t *len, char *why, size_t whylen)
{
	struct stat st;
	/* O_NONBLOCK: a FIFO named x.pgm must not hang the worker. */
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);

	if (fd < 0) {
		snprintf(why, whylen, "cannot open: %s", strerror(errno));
		return NULL;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		snprintf(why, whylen, "not a regular file");
		close(fd);
		return NULL;
	}
	if (st.st_size > (off_t)SCAN_IMAGE_MAX) {
		snprintf(why, whylen, "larger than %u MiB", SCAN_IMAGE_MAX >> 20);
		close(fd);
		return NULL;
	}
	size_t want = (size_t)st.st_size, got = 0;
	unsigned char *buf = xmalloc(want ? want : 1);
	while (got < want) {
		ssize_t n = read(fd, buf + got, want - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			snprintf(why, whylen, "read failed: %s", strerror(errno));
			free(buf);
			close(fd);
			return NULL;
		}
		if (n == 0)
			break; /* shrank under us: parse what is there */
		got += (size_t)n;
	}
	close(fd);
	*len = got;
	return buf;
}

/* Worker thread. */
static void images_work(struct scan_worker *wk, void *jobp)
{
	struct image_job *job = jobp;
	char why[256], err[128];
	size_t len = 0;
	int w, h;

	unsigned char *data = image_read(job->path, &len, err, sizeof err);
	if (!data) {
		snprintf(why, sizeof why, "%s: %s", job->name, err);
		scan_worker_report(wk, SCAN_BAD_FILE, NULL, 0, why);
		return;
	}
	unsigned char *gray = pnm_parse(data, len, &w, &h, err, sizeof err);
	free(data);
	if (!gray) {
		snprintf(why, sizeof why, "%s: %s", job->name, err);
		scan_worker_report(wk, SCAN_BAD_FILE, NULL, 0, why);
		return;
	}
	/* libzbar is loaded (images_start): NULL is a picture without a code. */
	char *code = qr_decode(gray, w, h, &len);
	free(gray);
	if (!code) {
		snprintf(why, sizeof why, "%s: no QR code found", job->name);
		scan_worker_report(wk, SCAN_NO_CODE, NULL, 0, why);
		return;
	}
	scan_worker_report(wk, SCAN_CODE, code, len, NULL);
	explicit_bzero(code, len);
	free(code);
}

static void images_job_free(void *jobp)
{
	struct image_job *job = jobp;

	free(job->path);
	free(job);
}

const struct scan_backend scan_images_backend = {
	.kind = "images",
	.setup = images_setup,
	.start = images_start,
	.stop = images_stop,
	.destroy = images_destroy,
	.work = images_work,
	.job_free = images_job_free,
};
