/* scan.c: scanners behind one small interface (scan.h).
 *
 * What every backend shares lives here: opening from a "kind:argument"
 * string, reporting in the loop thread, failure and retry, the line reader
 * of the line-oriented backends, the decoding worker thread, and the two
 * line backends themselves (fifo, serial). The picture backends are in
 * scan_images.c and scan_camera.c, the USB keyboard-mode scanner read from
 * its input event node (evdev:PATH[,LAYOUT]) in scan_evdev.c.
 *
 * Callbacks may call scanner_free on the scanner that is reporting: every
 * loop callback here brackets its work with scan_enter/scan_leave, and a
 * free from inside is carried out when the outermost of them returns.
 *
 * Codes may be personal login tokens: buffers that held one are wiped, and
 * nothing here logs a code.
 */
#include "scan.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include "log.h"
#include "loop.h"
#include "scan_int.h"
#include "util.h"

long scan_retry_ms = 3000;

static const struct scan_backend *const scan_backends[] = {
	&scan_camera_backend,
	&scan_serial_backend,
	&scan_images_backend,
	&scan_fifo_backend,
	&scan_evdev_backend,
};

/* ---- the scanner object ------------------------------------------------ */

static void scanner_destroy(struct scanner *s)
{
	if (s->retry_timer)
		loop_timer_del(s->loop, s->retry_timer);
	s->be->stop(s);
	/* Joins the thread; results still on their way to the loop are
	 * dropped when they arrive. */
	scan_worker_free(s->wk);
	if (s->be->destroy)
		s->be->destroy(s);
	scan_lines_reset(&s->lines);
	free(s->why_pending);
	free(s->spec);
	free(s);
}

void scan_enter(struct scanner *s)
{
	s->depth++;
}

bool scan_leave(struct scanner *s)
{
	if (--s->depth > 0)
		return s->doomed;
	if (!s->doomed)
		return false;
	scanner_destroy(s);
	return true;
}

bool scan_emit(struct scanner *s, enum scan_event ev, const char *code, size_t len,
               const char *why)
{
	if (s->doomed)
		return false;
	if (s->fn) {
		s->depth++;
		s->fn(s->ud, ev, code, len, s->spec, why);
		s->depth--;
	}
	return !s->doomed;
}

static long scan_on_retry(struct loop *l, long long id, void *ud)
{
	struct scanner *s = ud;
	char why[256] = "";

	if (s->why_pending) {
		/* scanner_open could not open the device: reported from here so
		 * that the app holds the scanner before its first callback. */
		char *w = s->why_pending;
		s->why_pending = NULL;
		scan_enter(s);
		s->failed_told = true;
		log_warn("scanner %s: %s (retrying every %ld s)", s->spec, w, scan_retry_ms / 1000);
		scan_emit(s, SCAN_FAILED, NULL, 0, w);
		free(w);
		return scan_leave(s) ? -1 : scan_retry_ms;
	}
	if (s->be->start(s, why, sizeof why) != 0) {
		s->be->stop(s);
		return scan_retry_ms;
	}
	s->ok = true;
	s->retry_timer = 0;
	s->failed_told = false;
	log_info("scanner %s: working again", s->spec);
	scan_enter(s);
	scan_emit(s, SCAN_READY, NULL, 0, NULL);
	scan_leave(s);
	return -1;
}

void scan_fail(struct scanner *s, const char *why)
{
	s->be->stop(s);
	scan_lines_reset(&s->lines);
	s->ok = false;
	if (!s->retry_timer)
		s->retry_timer = loop_timer_add(s->loop, scan_retry_ms, scan_on_retry, s);
	if (!s->failed_told) {
		s->failed_told = true;
		log_warn("scanner %s: %s (retrying every %ld s)", s->spec, why, scan_retry_ms / 1000);
		scan_emit(s, SCAN_FAILED, NULL, 0, why);
	}
}

struct scanner *scanner_open(struct loop *l, const char *spec, scan_fn fn, void *ud,
                             char *err, size_t errlen)
{
	const struct scan_backend *be = NULL;
	char why[256] = "";

	if (!err)
		errlen = 0; /* snprintf(NULL, 0, ...) only measures */
	if (errlen)
		err[0] = '\0';
	if (!l || !spec) {
		snprintf(err, errlen, "no scanner given");
		return NULL;
	}
	const char *colon = strchr(spec, ':');
	if (!colon) {
		snprintf(err, errlen, "scanner \"%s\": expected kind:argument", spec);
		return NULL;
	}
	size_t klen = (size_t)(colon - spec);
	for (size_t i = 0; i < sizeof scan_backends / sizeof scan_backends[0]; i++)
		if (strlen(scan_backends[i]->kind) == klen &&
		    memcmp(scan_backends[i]->kind, spec, klen) == 0)
			be = scan_backends[i];
	if (!be) {
		snprintf(err, errlen, "scanner \"%s\": unknown kind \"%.*s\" "
		         "(camera, serial, images, fifo or evdev)", spec, (int)klen, spec);
		return NULL;
	}
	if (colon[1] == '\0') {
		snprintf(err, errlen, "scanner \"%s\": %s needs an argument", spec, be->kind);
		return NULL;
	}

	struct scanner *s = xcalloc(1, sizeof *s);
	s->loop = l;
	s->spec = xstrdup(spec);
	s->be = be;
	s->fn = fn;
	s->ud = ud;
	if (be->setup && be->setup(s, colon + 1, err, errlen) != 0) {
		if (be->destroy)
			be->destroy(s);
		free(s->spec);
		free(s);
		return NULL;
	}
	if (be->work)
		s->wk = scan_worker_new(s);
	if (be->start(s, why, sizeof why) == 0) {
		s->ok = true;
	} else {
		be->stop(s);
		s->why_pending = xstrdup(why[0] ? why : "cannot open");
		s->retry_timer = loop_timer_add(l, 0, scan_on_retry, s);
	}
	return s;
}

void scanner_free(struct scanner *s)
{
	if (!s)
		return;
	if (s->depth > 0) {
		/* Inside one of our own callbacks: done when it unwinds. */
		s->doomed = true;
		return;
	}
	scanner_destroy(s);
}

const char *scanner_spec(const struct scanner *s)
{
	return s ? s->spec : "";
}

bool scanner_ok(const struct scanner *s)
{
	return s && s->ok && !s->doomed;
}

/* ---- the line reader --------------------------------------------------- */

void scan_lines_reset(struct scan_lines *ln)
{
	if (ln->len)
		explicit_bzero(ln->buf, ln->len);
	ln->len = 0;
	ln->overflow = false;
}

bool scan_lines_feed(struct scanner *s, const char *p, size_t n)
{
	struct scan_lines *ln = &s->lines;

	for (size_t i = 0; i < n; i++) {
		char c = p[i];

		if (!(c == '\n' || (c == '\r' && ln->cr_ends))) {
			if (ln->overflow)
				continue;
			/* One byte beyond the limit is kept: it may be the CR of a
			 * CRLF that ends a line of exactly SCAN_MAX_CODE. */
			if (ln->len == SCAN_MAX_CODE + 1) {
				scan_lines_reset(ln);
				ln->overflow = true;
				if (!scan_emit(s, SCAN_TOO_LONG, NULL, 0, "code longer than 4096 bytes"))
					return false;
				continue;
			}
			ln->buf[ln->len++] = c;
			continue;
		}
		if (ln->overflow) {
			ln->overflow = false; /* the end of the line we dropped */
			continue;
		}
		size_t len = ln->len;
		if (len && ln->buf[len - 1] == '\r')
			len--;
		if (len > SCAN_MAX_CODE) {
			scan_lines_reset(ln);
			if (!scan_emit(s, SCAN_TOO_LONG, NULL, 0, "code longer than 4096 bytes"))
				return false;
		} else if (len == 0) {
			scan_lines_reset(ln); /* empty lines are not codes */
		} else {
			ln->buf[len] = '\0';
			bool alive = scan_emit(s, SCAN_CODE, ln->buf, len, NULL);
			explicit_bzero(ln->buf, ln->len + 1);
			ln->len = 0;
			if (!alive)
				return false;
		}
	}
	return true;
}

/* fifo and serial: read what is there (bounded, so that a flood cannot
 * hold the loop), feed the line reader. */
static void scan_stream_readable(struct loop *l, int fd, int revents, void *ud)
{
	struct scanner *s = ud;
	char buf[4096];
	size_t total = 0;

	scan_enter(s);
	for (;;) {
		ssize_t n = read(fd, buf, sizeof buf);

		if (n > 0) {
			bool alive = scan_lines_feed(s, buf, (size_t)n);
			explicit_bzero(buf, (size_t)n);
			total += (size_t)n;
			if (!alive || total >= 64 * 1024)
				break;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			if (revents & (POLLERR | POLLHUP | POLLNVAL))
				scan_fail(s, "the device hung up");
			break;
		}
		if (n == 0)
			scan_fail(s, "end of file (device gone?)");
		else {
			char why[128];
			snprintf(why, sizeof why, "read failed: %s", strerror(errno));
			scan_fail(s, why);
		}
		break;
	}
	scan_leave(s);
}

/* ---- fifo:PATH --------------------------------------------------------- */

int scan_fifo_writer(const char *path, char *why, size_t whylen)
{
	int fd = open(path, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		snprintf(why, whylen, "cannot open FIFO %s: %s", path, strerror(errno));
	return fd;
}

struct scan_fifo {
	char *path;
	int rfd, wfd;
};

static int fifo_setup(struct scanner *s, const char *arg, char *err, size_t errlen)
{
	struct scan_fifo *f = xcalloc(1, sizeof *f);
	f->path = xstrdup(arg);
	f->rfd = f->wfd = -1;
	s->priv = f;
	return 0;
}

static int fifo_start(struct scanner *s, char *why, size_t whylen)
{
	struct scan_fifo *f = s->priv;
	struct stat st;

	if (stat(f->path, &st) != 0) {
		if (errno != ENOENT) {
			snprintf(why, whylen, "%s: %s", f->path, strerror(errno));
			return -1;
		}
		if (mkfifo(f->path, 0600) != 0 && errno != EEXIST) {
			snprintf(why, whylen, "cannot create FIFO %s: %s", f->path, strerror(errno));
			return -1;
		}
	} else if (!S_ISFIFO(st.st_mode)) {
		snprintf(why, whylen, "%s is not a FIFO", f->path);
		return -1;
	}
	f->rfd = open(f->path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (f->rfd < 0 || fstat(f->rfd, &st) != 0 || !S_ISFIFO(st.st_mode)) {
		snprintf(why, whylen, "cannot open FIFO %s: %s", f->path,
		         f->rfd < 0 ? strerror(errno) : "not a FIFO");
		return -1;
	}
	f->wfd = scan_fifo_writer(f->path, why, whylen);
	if (f->wfd < 0)
		return -1;
	loop_fd_add(s->loop, f->rfd, POLLIN, scan_stream_readable, s);
	return 0;
}

static void fifo_stop(struct scanner *s)
{
	struct scan_fifo *f = s->priv;

	if (f->rfd >= 0) {
		loop_fd_del(s->loop, f->rfd);
		close(f->rfd);
	}
	if (f->wfd >= 0)
		close(f->wfd);
	f->rfd = f->wfd = -1;
}

static void fifo_destroy(struct scanner *s)
{
	struct scan_fifo *f = s->priv;

	if (f) {
		free(f->path);
		free(f);
	}
	s->priv = NULL;
}

const struct scan_backend scan_fifo_backend = {
	.kind = "fifo",
	.setup = fifo_setup,
	.start = fifo_start,
	.stop = fifo_stop,
	.destroy = fifo_destroy,
};

/* ---- serial:/dev/ttyX[,baud] ------------------------------------------- */

struct scan_serial {
	char *path;
	speed_t speed;
	int fd;
};

static const struct { unsigned long baud; speed_t speed; } serial_rates[] = {
	{ 300, B300 }, { 600, B600 }, { 1200, B1200 }, { 1800, B1800 }, { 2400, B2400 },
	{ 4800, B4800 }, { 9600, B9600 }, { 19200, B19200 }, { 38400, B38400 },
	{ 57600, B57600 }, { 115200, B115200 }, { 230400, B230400 },
	{ 460800, B460800 }, { 921600, B921600 },
};

/* "path[,baud]": the last comma starts the rate, so a path that holds a
 * comma itself needs the rate spelled out. */
static int serial_setup(struct scanner *s, const char *arg, char *err, size_t errlen)
{
	const char *comma = strrchr(arg, ',');
	size_t plen = comma ? (size_t)(comma - arg) : strlen(arg);
	speed_t speed = B9600;

	if (plen == 0) {
		snprintf(err, errlen, "scanner \"%s\": serial needs a device path", s->spec);
		return -1;
	}
	if (comma) {
		const char *b = comma + 1;
		unsigned long baud = 0;
		bool found = false;
		size_t i;

		for (i = 0; b[i] >= '0' && b[i] <= '9' && i < 8; i++)
			baud = baud * 10 + (unsigned long)(b[i] - '0');
		if (i > 0 && b[i] == '\0') {
			for (size_t k = 0; k < sizeof serial_rates / sizeof serial_rates[0]; k++) {
				if (serial_rates[k].baud == baud) {
					speed = serial_rates[k].speed;
					found = true;
				}
			}
		}
		if (!found) {
			snprintf(err, errlen, "scanner \"%s\": unsupported baud rate \"%s\" "
			         "(use 1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200...)",
			         s->spec, b);
			return -1;
		}
	}
	struct scan_serial *se = xcalloc(1, sizeof *se);
	se->path = xstrndup(arg, plen);
	se->speed = speed;
	se->fd = -1;
	s->priv = se;
	s->lines.cr_ends = true;
	return 0;
}

static int serial_start(struct scanner *s, char *why, size_t whylen)
{
	struct scan_serial *se = s->priv;
	struct termios t;

	se->fd = open(se->path, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
	if (se->fd < 0) {
		snprintf(why, whylen, "cannot open %s: %s", se->path, strerror(errno));
		return -1;
	}
	if (tcgetattr(se->fd, &t) != 0) {
		snprintf(why, whylen, "%s is not a serial port: %s", se->path, strerror(errno));
		return -1;
	}
	cfmakeraw(&t);
	t.c_cflag |= CLOCAL | CREAD;
	t.c_cflag &= ~(tcflag_t)CRTSCTS;
	/* VMIN 1: with O_NONBLOCK an empty read is EAGAIN, so a read of 0
	 * really means the line hung up (VMIN 0 would return 0 for both). */
	t.c_cc[VMIN] = 1;
	t.c_cc[VTIME] = 0;
	cfsetispeed(&t, se->speed);
	cfsetospeed(&t, se->speed);
	if (tcsetattr(se->fd, TCSANOW, &t) != 0) {
		snprintf(why, whylen, "cannot set up %s: %s", se->path, strerror(errno));
		return -1;
	}
	/* Whatever arrived before we listened may be half a code. */
	tcflush(se->fd, TCIFLUSH);
	loop_fd_add(s->loop, se->fd, POLLIN, scan_stream_readable, s);
	return 0;
}

static void serial_stop(struct scanner *s)
{
	struct scan_serial *se = s->priv;

	if (se->fd >= 0) {
		loop_fd_del(s->loop, se->fd);
		close(se->fd);
	}
	se->fd = -1;
}

static void serial_destroy(struct scanner *s)
{
	struct scan_serial *se = s->priv;

	if (se) {
		free(se->path);
		free(se);
	}
	s->priv = NULL;
}

const struct scan_backend scan_serial_backend = {
	.kind = "serial",
	.setup = serial_setup,
	.start = serial_start,
	.stop = serial_stop,
	.destroy = serial_destroy,
};

/* ---- the decoding worker ----------------------------------------------- */

struct scan_job_node {
	struct scan_job_node *next;
	void *job;
};

struct scan_worker {
	struct loop *loop;
	const struct scan_backend *be;
	struct scanner *owner;  /* loop thread only; NULL once the scanner is freed */
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct scan_job_node *head, *tail; /* under mu */
	size_t njobs;                      /* under mu */
	bool busy, stop;                   /* under mu */
	unsigned pending;                  /* under mu: results posted, not delivered */
};

struct scan_result {
	struct scan_worker *wk;
	enum scan_event ev;
	char *code;
	size_t len;
	char *why;
};

static void *scan_worker_main(void *arg)
{
	struct scan_worker *wk = arg;

	pthread_mutex_lock(&wk->mu);
	for (;;) {
		while (!wk->stop && !wk->head)
			pthread_cond_wait(&wk->cv, &wk->mu);
		if (wk->stop)
			break;
		struct scan_job_node *n = wk->head;
		wk->head = n->next;
		if (!wk->head)
			wk->tail = NULL;
		wk->njobs--;
		wk->busy = true;
		pthread_mutex_unlock(&wk->mu);
		wk->be->work(wk, n->job);
		wk->be->job_free(n->job);
		free(n);
		pthread_mutex_lock(&wk->mu);
		wk->busy = false;
	}
	pthread_mutex_unlock(&wk->mu);
	return NULL;
}

struct scan_worker *scan_worker_new(struct scanner *s)
{
	struct scan_worker *wk = xcalloc(1, sizeof *wk);
	sigset_t all, old;

	wk->loop = s->loop;
	wk->be = s->be;
	wk->owner = s;
	pthread_mutex_init(&wk->mu, NULL);
	pthread_cond_init(&wk->cv, NULL);
	/* Signals belong to the loop thread (its self-pipe): the worker is
	 * born with all of them blocked. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	int rc = pthread_create(&wk->thread, NULL, scan_worker_main, wk);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0)
		die("scanner %s: cannot start a thread: %s", s->spec, strerror(rc));
	return wk;
}

bool scan_worker_push(struct scan_worker *wk, void *job, size_t max)
{
	bool taken = false;

	pthread_mutex_lock(&wk->mu);
	if (wk->njobs < max) {
		struct scan_job_node *n = xcalloc(1, sizeof *n);
		n->job = job;
		if (wk->tail)
			wk->tail->next = n;
		else
			wk->head = n;
		wk->tail = n;
		wk->njobs++;
		taken = true;
		pthread_cond_signal(&wk->cv);
	}
	pthread_mutex_unlock(&wk->mu);
	return taken;
}

bool scan_worker_idle(struct scan_worker *wk)
{
	pthread_mutex_lock(&wk->mu);
	bool idle = !wk->busy && !wk->head;
	pthread_mutex_unlock(&wk->mu);
	return idle;
}

static void scan_worker_destroy(struct scan_worker *wk)
{
	pthread_mutex_destroy(&wk->mu);
	pthread_cond_destroy(&wk->cv);
	free(wk);
}

static void scan_result_free(struct scan_result *r)
{
	if (r->code) {
		explicit_bzero(r->code, r->len);
		free(r->code);
	}
	free(r->why);
	free(r);
}

/* Loop thread: a result from the worker. */
static void scan_worker_deliver(struct loop *l, void *ud)
{
	struct scan_result *r = ud;
	struct scan_worker *wk = r->wk;

	pthread_mutex_lock(&wk->mu);
	wk->pending--;
	unsigned left = wk->pending;
	struct scanner *s = wk->owner;
	pthread_mutex_unlock(&wk->mu);
	if (!s) {
		/* The scanner is gone (its thread already joined). */
		scan_result_free(r);
		if (left == 0)
			scan_worker_destroy(wk);
		return;
	}
	scan_enter(s);
	if (r->ev != SCAN_CODE || !s->be->want_code || s->be->want_code(s, r->code, r->len))
		scan_emit(s, r->ev, r->code, r->len, r->why);
	scan_result_free(r);
	scan_leave(s);
}

void scan_worker_report(struct scan_worker *wk, enum scan_event ev, const char *code,
                        size_t len, const char *why)
{
	struct scan_result *r = xcalloc(1, sizeof *r);

	r->wk = wk;
	r->ev = ev;
	if (code) {
		r->code = xmalloc(len + 1);
		memcpy(r->code, code, len);
		r->code[len] = '\0';
		r->len = len;
	}
	r->why = why ? xstrdup(why) : NULL;
	pthread_mutex_lock(&wk->mu);
	wk->pending++;
	pthread_mutex_unlock(&wk->mu);
	loop_post(wk->loop, scan_worker_deliver, r);
}

void scan_worker_free(struct scan_worker *wk)
{
	if (!wk)
		return;
	pthread_mutex_lock(&wk->mu);
	wk->stop = true;
	pthread_cond_signal(&wk->cv);
	pthread_mutex_unlock(&wk->mu);
	pthread_join(wk->thread, NULL);
	while (wk->head) {
		struct scan_job_node *n = wk->head;
		wk->head = n->next;
		wk->be->job_free(n->job);
		free(n);
	}
	wk->tail = NULL;
	wk->njobs = 0;
	pthread_mutex_lock(&wk->mu);
	wk->owner = NULL;
	unsigned left = wk->pending;
	pthread_mutex_unlock(&wk->mu);
	/* Results already posted free it when they arrive (if the loop is
	 * freed first they leak, with the loop's own queue). */
	if (left == 0)
		scan_worker_destroy(wk);
}
