/* printer.c: the receipt printer (printer.h): a queue of jobs in front of
 * one of three backends (escpos, file, none).
 *
 * Why a queue and a 0 ms timer: a screen may ask for the state while a
 * receipt is still going out, and a callback may start the next job or
 * free the printer; jobs therefore start from a timer of their own, one at
 * a time, and a callback is never called from inside printer_check or
 * printer_print.
 *
 * Why open for each job (escpos): a USB printer that is unplugged leaves a
 * dead descriptor, and its node comes back under the same name when it is
 * plugged in again; opening each time finds it without a retry timer, and
 * "cannot open" is exactly "absent".
 *
 * Why the waiting is in the loop: a printer with its cover open does not
 * answer, or takes no data; the device is non-blocking, every wait is a
 * poll(2) watch with a deadline timer, and a serial port is flushed before
 * it is closed on a failure (close(2) on a tty waits for its output to
 * drain, up to 30 s).
 */
#include "printer.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include "escpos.h"
#include "log.h"
#include "loop.h"
#include "util.h"

long printer_status_ms = 300;
long printer_write_ms = 10000;

struct printer_job {
	struct printer_job *next;
	bool print;
	unsigned char *bytes;
	size_t n;
	printer_fn fn;
	void *ud;
};

struct printer_backend {
	const char *kind;
	/* Checks the argument; with p, also stores it (p->priv). */
	int (*setup)(struct printer *p, const char *arg, char *err, size_t errlen);
	/* Starts p->head; ends it, now or later, with printer_finish. */
	void (*start)(struct printer *p);
	/* Abandons a started job: descriptors closed, watches and timers
	 * removed (printer_free while a job runs). */
	void (*stop)(struct printer *p);
};

struct printer {
	struct loop *loop;
	char *spec;
	const struct printer_backend *be;
	char *path;              /* the device or file (escpos, file) */
	void *priv;              /* the backend's state: one block, no pointers out */
	struct printer_job *head, *tail;
	bool running;            /* head has been started */
	long long kick_timer;    /* starts the next job */
	enum printer_status last;
	enum printer_status logged; /* the fault logged last; PRINTER_OK: none */
	int depth;               /* > 0 while one of our callbacks runs */
	bool doomed;             /* printer_free from inside a callback */
};

const char *printer_status_name(enum printer_status st)
{
	switch (st) {
	case PRINTER_OK: return "ok";
	case PRINTER_PAPER_OUT: return "paper_out";
	case PRINTER_COVER_OPEN: return "cover_open";
	case PRINTER_OFFLINE: return "offline";
	case PRINTER_ABSENT: return "absent";
	}
	return "?";
}

/* Unplugged, never there, or not ours to use. */
static enum printer_status status_of_errno(int e)
{
	switch (e) {
	case ENOENT: case ENODEV: case ENXIO: case EIO: case ENOTDIR:
	case EACCES: case EPERM:
		return PRINTER_ABSENT;
	default:
		return PRINTER_OFFLINE;
	}
}

/* ---- the queue --------------------------------------------------------- */

static void job_free(struct printer_job *j)
{
	if (j->bytes) {
		explicit_bzero(j->bytes, j->n); /* a citizen's receipt */
		free(j->bytes);
	}
	free(j);
}

static void printer_destroy(struct printer *p)
{
	if (p->running && p->be->stop)
		p->be->stop(p);
	if (p->kick_timer)
		loop_timer_del(p->loop, p->kick_timer);
	while (p->head) {
		struct printer_job *j = p->head;
		p->head = j->next;
		job_free(j);
	}
	free(p->priv);
	free(p->path);
	free(p->spec);
	free(p);
}

static long printer_kick(struct loop *l, long long id, void *ud)
{
	struct printer *p = ud;

	p->kick_timer = 0;
	if (p->head && !p->running) {
		p->running = true;
		p->be->start(p);
	}
	return -1;
}

static void printer_schedule(struct printer *p)
{
	if (p->head && !p->running && !p->kick_timer)
		p->kick_timer = loop_timer_add(p->loop, 0, printer_kick, p);
}

/* Logs a fault when it starts and the recovery when it ends. */
static void printer_log(struct printer *p, enum printer_status st, const char *why)
{
	if (!strcmp(p->be->kind, "none")) /* nothing to tell */
		return;
	if (st != PRINTER_OK && st != p->logged) {
		log_warn("printer %s: %s (%s)", p->spec, printer_status_name(st), why ? why : "");
		p->logged = st;
	} else if (st == PRINTER_OK && p->logged != PRINTER_OK) {
		log_info("printer %s: working again", p->spec);
		p->logged = PRINTER_OK;
	}
}

/* The head job is over: the backend has already let go of the device.
 * The caller must return at once (the callback may free p). */
static void printer_finish(struct printer *p, enum printer_status st, const char *why)
{
	struct printer_job *j = p->head;

	p->running = false;
	p->last = st;
	printer_log(p, st, why);
	if (!j)
		return;
	p->head = j->next;
	if (!p->head)
		p->tail = NULL;
	if (j->fn) {
		p->depth++;
		j->fn(j->ud, st, st == PRINTER_OK ? NULL : why);
		p->depth--;
	}
	job_free(j);
	if (p->doomed) {
		if (p->depth == 0)
			printer_destroy(p);
		return;
	}
	printer_schedule(p);
}

static void printer_queue(struct printer *p, bool print, const void *bytes, size_t n,
                          printer_fn fn, void *ud)
{
	struct printer_job *j = xcalloc(1, sizeof *j);

	j->print = print;
	if (print && n) {
		j->bytes = xmalloc(n);
		memcpy(j->bytes, bytes, n);
		j->n = n;
	}
	j->fn = fn;
	j->ud = ud;
	if (p->tail)
		p->tail->next = j;
	else
		p->head = j;
	p->tail = j;
	printer_schedule(p);
}

void printer_check(struct printer *p, printer_fn fn, void *ud)
{
	if (p && !p->doomed)
		printer_queue(p, false, NULL, 0, fn, ud);
}

void printer_print(struct printer *p, const void *bytes, size_t n, printer_fn fn, void *ud)
{
	if (p && !p->doomed)
		printer_queue(p, true, bytes, n, fn, ud);
}

enum printer_status printer_last_status(const struct printer *p)
{
	return p ? p->last : PRINTER_ABSENT;
}

const char *printer_spec(const struct printer *p)
{
	return p ? p->spec : "";
}

/* ---- escpos:/dev/X[,BAUD] ---------------------------------------------- */

enum esc_phase { ESC_IDLE, ESC_STATUS, ESC_WRITE, ESC_DRAIN };

struct esc {
	bool set_speed;
	speed_t speed;
	int fd;
	bool tty;
	enum esc_phase phase;
	unsigned char ans[ESCPOS_STATUS_ANSWERS];
	int got;
	size_t off;              /* bytes of the job written */
	long long deadline;      /* timer: the phase's time is up */
	long long again_timer;   /* look again: the tty's output queue, or usblp's input */
	bool near_end_told;
	bool no_read_told;
};

static bool baud_speed(unsigned long baud, speed_t *out)
{
	switch (baud) {
	case 1200: *out = B1200; return true;
	case 2400: *out = B2400; return true;
	case 4800: *out = B4800; return true;
	case 9600: *out = B9600; return true;
	case 19200: *out = B19200; return true;
	case 38400: *out = B38400; return true;
	case 57600: *out = B57600; return true;
	case 115200: *out = B115200; return true;
	case 230400: *out = B230400; return true;
	default: return false;
	}
}

/* "PATH[,BAUD]": the last comma starts the rate when digits follow it. */
static int esc_parse(const char *arg, char **path, bool *set_speed, speed_t *speed,
                     char *err, size_t errlen)
{
	const char *comma = strrchr(arg, ',');
	size_t plen = strlen(arg);

	*set_speed = false;
	if (comma && comma[1] >= '0' && comma[1] <= '9') {
		char *end;
		errno = 0;
		unsigned long baud = strtoul(comma + 1, &end, 10);
		if (errno || *end || !baud_speed(baud, speed)) {
			snprintf(err, errlen, "unsupported baud rate '%s' (1200, 2400, 4800, 9600, "
			         "19200, 38400, 57600, 115200 or 230400)", comma + 1);
			return -1;
		}
		*set_speed = true;
		plen = (size_t)(comma - arg);
	}
	if (plen == 0 || arg[0] != '/') {
		snprintf(err, errlen, "escpos needs the device's absolute path (escpos:/dev/usb/lp0 "
		         "or escpos:/dev/ttyS0,19200)");
		return -1;
	}
	if (path)
		*path = xstrndup(arg, plen);
	return 0;
}

static int esc_setup(struct printer *p, const char *arg, char *err, size_t errlen)
{
	struct esc e = { .fd = -1 };

	if (esc_parse(arg, p ? &p->path : NULL, &e.set_speed, &e.speed, err, errlen) != 0)
		return -1;
	if (p) {
		struct esc *pe = xmalloc(sizeof *pe);
		*pe = e;
		p->priv = pe;
	}
	return 0;
}

/* Lets go of the device: watches, timers, descriptor; what the serial
 * port still holds is thrown away unless the job ended well (a pty would
 * throw away what its other side has not read yet). */
static void esc_release(struct printer *p, bool discard)
{
	struct esc *e = p->priv;

	if (e->deadline)
		loop_timer_del(p->loop, e->deadline);
	if (e->again_timer)
		loop_timer_del(p->loop, e->again_timer);
	e->deadline = e->again_timer = 0;
	if (e->fd >= 0) {
		loop_fd_del(p->loop, e->fd);
		/* Whatever is still queued would make close(2) wait for it. */
		if (e->tty && discard)
			tcflush(e->fd, TCIOFLUSH);
		close(e->fd);
	}
	e->fd = -1;
	e->phase = ESC_IDLE;
}

static void esc_stop(struct printer *p)
{
	esc_release(p, true);
}

static void esc_end(struct printer *p, enum printer_status st, const char *why)
{
	esc_release(p, st != PRINTER_OK);
	printer_finish(p, st, why);
}

static void esc_end_errno(struct printer *p, const char *what, int err)
{
	char why[256];

	snprintf(why, sizeof why, "%s %s: %s", what, p->path, strerror(err));
	esc_end(p, status_of_errno(err), why);
}

static long esc_timeout(struct loop *l, long long id, void *ud)
{
	struct printer *p = ud;
	struct esc *e = p->priv;
	char why[128];

	e->deadline = 0;
	if (e->phase == ESC_STATUS)
		snprintf(why, sizeof why, "no answer to the status query within %ld ms",
		         printer_status_ms);
	else
		snprintf(why, sizeof why, "the printer took no more data for %ld ms",
		         printer_write_ms);
	esc_end(p, PRINTER_OFFLINE, why);
	return -1;
}

static void esc_io(struct loop *l, int fd, int revents, void *ud);

static void esc_begin_write(struct printer *p)
{
	struct esc *e = p->priv;

	e->phase = ESC_WRITE;
	e->off = 0;
	loop_timer_del(p->loop, e->deadline);
	e->deadline = loop_timer_add(p->loop, printer_write_ms, esc_timeout, p);
	loop_fd_add(p->loop, e->fd, POLLOUT, esc_io, p);
}

/* The answers are in: decide. */
static void esc_answered(struct printer *p)
{
	struct esc *e = p->priv;
	unsigned st = escpos_status_decode(e->ans);

	if (st & ESCPOS_ST_NEAR_END) {
		if (!e->near_end_told)
			log_info("printer %s: paper is running low", p->spec);
		e->near_end_told = true;
	} else {
		e->near_end_told = false;
	}
	if (st & ESCPOS_ST_COVER_OPEN) {
		esc_end(p, PRINTER_COVER_OPEN, "the cover is open");
		return;
	}
	if (st & ESCPOS_ST_PAPER_OUT) {
		esc_end(p, PRINTER_PAPER_OUT, "out of paper");
		return;
	}
	if (st & (ESCPOS_ST_OFFLINE | ESCPOS_ST_ERROR)) {
		esc_end(p, PRINTER_OFFLINE, st & ESCPOS_ST_ERROR ? "the printer reports an error"
		                                                 : "the printer is off-line");
		return;
	}
	if (!p->head->print) {
		esc_end(p, PRINTER_OK, NULL);
		return;
	}
	esc_begin_write(p);
}

/* After a read or write that moved nothing: true to try again at once
 * (EINTR); false when the caller must return, to wait for the next poll
 * (EAGAIN) or because the job was ended (the device hung up or failed). */
static bool esc_retry(struct printer *p, ssize_t n, int revents, const char *what)
{
	if (n < 0 && errno == EINTR)
		return true;
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
		if (revents & (POLLERR | POLLHUP | POLLNVAL))
			esc_end(p, PRINTER_ABSENT, "the device hung up");
		return false;
	}
	esc_end_errno(p, what, n < 0 ? errno : EIO);
	return false;
}

static long esc_read_again(struct loop *l, long long id, void *ud)
{
	struct printer *p = ud;
	struct esc *e = p->priv;

	e->again_timer = 0;
	loop_fd_add(p->loop, e->fd, POLLIN, esc_io, p);
	return -1;
}

static void esc_read_status(struct printer *p, int revents)
{
	struct esc *e = p->priv;
	unsigned char buf[32];

	for (;;) {
		ssize_t n = read(e->fd, buf, sizeof buf);
		if (n > 0) {
			/* XON/XOFF and stray bytes are not answers. */
			for (ssize_t i = 0; i < n && e->got < ESCPOS_STATUS_ANSWERS; i++)
				if (escpos_status_byte(buf[i]))
					e->ans[e->got++] = buf[i];
			if (e->got == ESCPOS_STATUS_ANSWERS) {
				esc_answered(p);
				return;
			}
			continue;
		}
		if (n == 0 && e->tty) {
			esc_end(p, PRINTER_ABSENT, "the device hung up");
			return;
		}
		if (n == 0) {
			/* usblp: an empty transfer from the printer. Look again
			 * shortly (a device that always reads nothing would keep
			 * the loop spinning). */
			loop_fd_del(p->loop, e->fd);
			e->again_timer = loop_timer_add(p->loop, 10, esc_read_again, p);
			return;
		}
		if (n < 0 && errno == EINVAL && !e->tty) {
			/* usblp on a printer with no channel back: it cannot tell
			 * its state, so print without knowing it. */
			if (!e->no_read_told)
				log_info("printer %s: cannot report its state (no read channel); "
				         "printing unchecked", p->spec);
			e->no_read_told = true;
			memset(e->ans, 0x12, sizeof e->ans); /* "all well" */
			esc_answered(p);
			return;
		}
		if (!esc_retry(p, n, revents, "reading"))
			return;
	}
}

static long esc_drain_poll(struct loop *l, long long id, void *ud)
{
	struct printer *p = ud;
	struct esc *e = p->priv;
	int queued = 0;

	if (ioctl(e->fd, TIOCOUTQ, &queued) != 0 || queued <= 0) {
		e->again_timer = 0;
		esc_end(p, PRINTER_OK, NULL);
		return -1;
	}
	return 20;
}

static void esc_write_more(struct printer *p, int revents)
{
	struct esc *e = p->priv;
	struct printer_job *j = p->head;

	if (e->phase == ESC_DRAIN) {
		/* usblp: writable again once the last transfer completed */
		esc_end(p, PRINTER_OK, NULL);
		return;
	}
	while (e->off < j->n) {
		ssize_t n = write(e->fd, j->bytes + e->off, j->n - e->off);
		if (n > 0)
			e->off += (size_t)n;
		else if (!esc_retry(p, n, revents, "writing to"))
			return;
	}
	e->phase = ESC_DRAIN;
	if (e->tty) {
		loop_fd_del(p->loop, e->fd);
		e->again_timer = loop_timer_add(p->loop, 0, esc_drain_poll, p);
	}
}

static void esc_io(struct loop *l, int fd, int revents, void *ud)
{
	struct printer *p = ud;
	struct esc *e = p->priv;

	if (e->phase == ESC_STATUS)
		esc_read_status(p, revents);
	else if (e->phase == ESC_WRITE || e->phase == ESC_DRAIN)
		esc_write_more(p, revents);
}

static int esc_setup_tty(struct esc *e)
{
	struct termios t;

	if (tcgetattr(e->fd, &t) != 0)
		return -1;
	/* Raw: no CR added to LF, no echo of the printer's answers back to
	 * it, no XON/XOFF taken out of the data. */
	cfmakeraw(&t);
	t.c_cflag |= CLOCAL | CREAD;
	t.c_cflag &= ~(tcflag_t)CRTSCTS;
	t.c_iflag &= ~(tcflag_t)(IXON | IXOFF | IXANY);
	t.c_cc[VMIN] = 1;
	t.c_cc[VTIME] = 0;
	if (e->set_speed) {
		cfsetispeed(&t, e->speed);
		cfsetospeed(&t, e->speed);
	}
	if (tcsetattr(e->fd, TCSANOW, &t) != 0)
		return -1;
	tcflush(e->fd, TCIFLUSH); /* answers to someone else's questions */
	return 0;
}

static void esc_start(struct printer *p)
{
	struct esc *e = p->priv;
	struct stat st;

	e->got = 0;
	e->fd = open(p->path, O_RDWR | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	if (e->fd < 0) {
		esc_end_errno(p, "cannot open", errno);
		return;
	}
	if (fstat(e->fd, &st) != 0 || !S_ISCHR(st.st_mode)) {
		char why[256];
		snprintf(why, sizeof why, "%s is not a device (file:PATH writes to a file)", p->path);
		esc_end(p, PRINTER_ABSENT, why);
		return;
	}
	e->tty = isatty(e->fd);
	if (e->tty && esc_setup_tty(e) != 0) {
		esc_end_errno(p, "cannot set up the serial port", errno);
		return;
	}
	if (!e->tty && e->set_speed) {
		char why[256];
		snprintf(why, sizeof why, "%s is not a serial port (drop the baud rate)", p->path);
		esc_end(p, PRINTER_ABSENT, why);
		return;
	}
	if (!e->tty) {
		/* Old answers left in the device: read them away (bounded). */
		unsigned char junk[64];
		for (int i = 0; i < 16 && read(e->fd, junk, sizeof junk) > 0; i++)
			;
	}
	ssize_t n = write(e->fd, ESCPOS_STATUS_QUERY, ESCPOS_STATUS_QUERY_LEN);
	if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK) {
		esc_end_errno(p, "writing to", errno);
		return;
	}
	if (n != ESCPOS_STATUS_QUERY_LEN) {
		/* Its buffer is full: it is not printing what it has. */
		esc_end(p, PRINTER_OFFLINE, "the printer takes no data");
		return;
	}
	e->phase = ESC_STATUS;
	e->deadline = loop_timer_add(p->loop, printer_status_ms, esc_timeout, p);
	loop_fd_add(p->loop, e->fd, POLLIN, esc_io, p);
}

static const struct printer_backend esc_backend = {
	.kind = "escpos",
	.setup = esc_setup,
	.start = esc_start,
	.stop = esc_stop,
};

/* ---- file:PATH --------------------------------------------------------- */

static int file_setup(struct printer *p, const char *arg, char *err, size_t errlen)
{
	if (!*arg) {
		snprintf(err, errlen, "file needs a path (file:PATH)");
		return -1;
	}
	if (p)
		p->path = xstrdup(arg);
	return 0;
}

/* The fault PATH.status asks for (PRINTER_OK if none). */
static enum printer_status file_fault(const char *path, char *why, size_t whylen)
{
	char dir[4096], status_path[4200];
	struct stat st;

	snprintf(dir, sizeof dir, "%s", path);
	char *slash = strrchr(dir, '/');
	if (slash)
		*(slash == dir ? slash + 1 : slash) = '\0';
	else
		snprintf(dir, sizeof dir, ".");
	if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
		snprintf(why, whylen, "directory %s does not exist", dir);
		return PRINTER_ABSENT;
	}
	snprintf(status_path, sizeof status_path, "%s.status", path);
	int fd = open(status_path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return PRINTER_OK;
	char word[32] = "";
	ssize_t n = read(fd, word, sizeof word - 1);
	close(fd);
	if (n <= 0)
		return PRINTER_OK;
	word[n] = '\0';
	word[strcspn(word, " \t\r\n")] = '\0';
	for (int s = PRINTER_OK; s <= PRINTER_ABSENT; s++) {
		if (!strcmp(word, printer_status_name((enum printer_status)s))) {
			snprintf(why, whylen, "simulated by %s", status_path);
			return (enum printer_status)s;
		}
	}
	snprintf(why, whylen, "%s holds no status name", status_path);
	return PRINTER_OFFLINE;
}

static void file_start(struct printer *p)
{
	struct printer_job *j = p->head;
	char why[4400] = "";

	enum printer_status st = file_fault(p->path, why, sizeof why);
	if (st != PRINTER_OK || !j->print) {
		printer_finish(p, st, why);
		return;
	}
	/* Never blocking the loop: a FIFO nobody reads fails (ENXIO) instead
	 * of hanging the kiosk, and a full one fails its write (EAGAIN). */
	int fd = open(p->path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY | O_NONBLOCK, 0600);
	if (fd < 0) {
		int err = errno;
		snprintf(why, sizeof why, "cannot open %s: %s", p->path, strerror(err));
		printer_finish(p, status_of_errno(err), why);
		return;
	}
	size_t off = 0;
	while (off < j->n) {
		ssize_t n = write(fd, j->bytes + off, j->n - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			int err = n < 0 ? errno : EIO;
			close(fd);
			snprintf(why, sizeof why, "writing to %s: %s", p->path, strerror(err));
			printer_finish(p, status_of_errno(err), why);
			return;
		}
		off += (size_t)n;
	}
	close(fd);
	printer_finish(p, PRINTER_OK, NULL);
}

static const struct printer_backend file_backend = {
	.kind = "file",
	.setup = file_setup,
	.start = file_start,
};

/* ---- none -------------------------------------------------------------- */

static void none_start(struct printer *p)
{
	printer_finish(p, PRINTER_ABSENT, "no printer configured");
}

static const struct printer_backend none_backend = {
	.kind = "none",
	.start = none_start,
};

/* ---- opening ----------------------------------------------------------- */

static const struct printer_backend *const printer_backends[] = {
	&esc_backend,
	&file_backend,
	&none_backend,
};

/* Finds the backend; *arg is what follows "kind:" (NULL for none). */
static const struct printer_backend *printer_parse(const char *spec, const char **arg,
                                                   char *err, size_t errlen)
{
	if (!spec || !*spec) {
		snprintf(err, errlen, "no printer given (escpos:DEVICE, file:PATH or none)");
		return NULL;
	}
	if (!strcmp(spec, "none")) {
		*arg = NULL;
		return &none_backend;
	}
	const char *colon = strchr(spec, ':');
	size_t klen = colon ? (size_t)(colon - spec) : strlen(spec);
	for (size_t i = 0; colon && i < sizeof printer_backends / sizeof printer_backends[0]; i++) {
		const struct printer_backend *be = printer_backends[i];
		if (be->setup && strlen(be->kind) == klen && !memcmp(be->kind, spec, klen)) {
			*arg = colon + 1;
			return be;
		}
	}
	snprintf(err, errlen, "printer '%s': unknown kind '%.*s' (escpos:DEVICE[,BAUD], "
	         "file:PATH or none)", spec, (int)(klen > 32 ? 32 : klen), spec);
	return NULL;
}

int printer_spec_check(const char *spec, char *err, size_t errlen)
{
	const char *arg = NULL;
	char why[256];
	const struct printer_backend *be;

	if (!err)
		errlen = 0;
	be = printer_parse(spec, &arg, err, errlen);
	if (!be)
		return -1;
	if (be->setup && be->setup(NULL, arg, why, sizeof why) != 0) {
		snprintf(err, errlen, "printer '%s': %s", spec, why);
		return -1;
	}
	return 0;
}

struct printer *printer_open(struct loop *l, const char *spec, char *err, size_t errlen)
{
	const char *arg = NULL;
	char why[256];

	if (!err)
		errlen = 0;
	if (errlen)
		err[0] = '\0';
	if (!l) {
		snprintf(err, errlen, "no loop");
		return NULL;
	}
	const struct printer_backend *be = printer_parse(spec, &arg, err, errlen);
	if (!be)
		return NULL;
	struct printer *p = xcalloc(1, sizeof *p);
	p->loop = l;
	p->spec = xstrdup(spec);
	p->be = be;
	if (be->setup && be->setup(p, arg, why, sizeof why) != 0) {
		snprintf(err, errlen, "printer '%s': %s", spec, why);
		free(p->spec);
		free(p);
		return NULL;
	}
	return p;
}

void printer_free(struct printer *p)
{
	if (!p)
		return;
	if (p->depth > 0) {
		p->doomed = true; /* from inside a callback: when it returns */
		return;
	}
	printer_destroy(p);
}
