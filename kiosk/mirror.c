/* mirror.c: the screen, read-only, for staff at another terminal
 * (include/mirror.h). Why it is built this way:
 *
 *  - It lives in the kiosk's one loop and never waits: the socket and every
 *    viewer are non-blocking, frames are queued, and a viewer that falls
 *    MIRROR_QUEUE_FRAMES frames behind is dropped, so a stuck viewer costs
 *    the kiosk a bounded amount of memory and no time.
 *  - It looks only when someone watches, and only after a paint: the frame
 *    is rendered from curses' own idea of the terminal (curscr), so the
 *    viewer sees exactly what was sent to the kiosk's screen.
 *  - Frames are whole screens, shared by every viewer (reference counted),
 *    and the same screen is not sent twice.
 *  - Nothing a viewer sends is interpreted: it is read and thrown away.
 *  - Frames may show a citizen's masked data (when the configuration
 *    allows it): their memory is wiped when they are freed.
 */
#include "mirror.h"

#include <curses.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>
#include <wchar.h>

#include "i18n.h"
#include "log.h"
#include "loop.h"
#include "text.h"
#include "util.h"

#define SPEC_PREFIX "unix:"
/* Connections taken per wake-up of the listening socket: a flood of them
 * cannot hold the loop. */
#define ACCEPT_BURST 32
/* Bytes read (and thrown away) from a viewer per wake-up. */
#define READ_BURST (64 * 1024)
/* Refused viewers are logged at most this often (with a count). */
#define REFUSED_LOG_MS 10000

struct frame {
	unsigned refs;
	size_t len;
	char data[];
};

struct viewer {
	struct mirror *m;
	int fd;
	unsigned long id;
	struct frame *q[MIRROR_QUEUE_FRAMES];
	int qn;
	size_t off;      /* bytes of q[0] already written */
	size_t qbytes;   /* bytes queued and not yet written */
	bool fresh;      /* has been sent no frame yet */
	bool want_out;   /* POLLOUT is watched */
};

struct mirror {
	struct loop *l;
	int lfd;
	char *path;
	dev_t dev;
	ino_t ino;
	struct viewer *v[MIRROR_MAX_VIEWERS];
	int n;
	unsigned long next_id;
	struct frame *last;    /* the last frame sent, or NULL */
	bool dirty;            /* painted (or a viewer came) since the last update */
	int last_show;         /* show given with `last`; -1 none */
	char *buf;             /* render scratch */
	size_t cap;
	void (*on_change)(void *ud);
	void *change_ud;
	unsigned long dropped;
	unsigned long refused_unlogged;
	long long refused_logged_ms;
};

/* ---- frames ---- */

static struct frame *frame_new(const void *data, size_t len)
{
	struct frame *f = xmalloc(sizeof *f + len);
	f->refs = 1;
	f->len = len;
	memcpy(f->data, data, len);
	return f;
}

static void frame_unref(struct frame *f)
{
	if (f && --f->refs == 0)
		wipe_free(f, sizeof *f + f->len);
}

/* ---- the spec ---- */

const char *mirror_spec_problem(const char *spec)
{
	struct sockaddr_un sa;
	if (!spec || strncmp(spec, SPEC_PREFIX, strlen(SPEC_PREFIX)) != 0)
		return "must be unix:PATH (a socket file to create)";
	const char *p = spec + strlen(SPEC_PREFIX);
	if (!*p)
		return "the path after unix: is empty";
	if (strlen(p) >= sizeof sa.sun_path)
		return "the path is too long for a socket (at most 107 bytes)";
	for (const unsigned char *c = (const unsigned char *)p; *c; c++)
		if (*c < 0x20 || *c == 0x7f)
			return "the path holds a control character";
	return NULL;
}

static void sun_of(struct sockaddr_un *sa, const char *path)
{
	memset(sa, 0, sizeof *sa);
	sa->sun_family = AF_UNIX;
	memcpy(sa->sun_path, path, strlen(path) + 1); /* length checked by the spec */
}

/* ---- viewers ---- */

static void changed(struct mirror *m)
{
	if (m->on_change)
		m->on_change(m->change_ud);
}

static void viewer_close(struct viewer *v, const char *why, bool dropped)
{
	struct mirror *m = v->m;
	loop_fd_del(m->l, v->fd);
	close(v->fd);
	for (int i = 0; i < v->qn; i++)
		frame_unref(v->q[i]);
	for (int i = 0; i < m->n; i++) {
		if (m->v[i] == v) {
			m->v[i] = m->v[--m->n];
			m->v[m->n] = NULL;
			break;
		}
	}
	if (dropped) {
		m->dropped++;
		log_warn("mirror: viewer %lu dropped: %s (%d frames, %zu bytes queued); %d watching",
		         v->id, why, v->qn, v->qbytes, m->n);
	} else {
		log_info("mirror: viewer %lu left (%s); %d watching", v->id, why, m->n);
	}
	free(v);
	changed(m);
}

static void on_viewer(struct loop *l, int fd, int revents, void *ud);

static void watch(struct viewer *v, bool out)
{
	if (v->want_out == out)
		return;
	v->want_out = out;
	loop_fd_add(v->m->l, v->fd, out ? POLLIN | POLLOUT : POLLIN, on_viewer, v);
}

/* Writes what the socket takes now. False if the viewer was closed. */
static bool viewer_flush(struct viewer *v)
{
	while (v->qn > 0) {
		struct frame *f = v->q[0];
		ssize_t n = send(v->fd, f->data + v->off, f->len - v->off, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK) {
				watch(v, true);
				return true;
			}
			viewer_close(v, errno == EPIPE || errno == ECONNRESET ? "closed" : strerror(errno), false);
			return false;
		}
		v->off += (size_t)n;
		v->qbytes -= (size_t)n;
		if (v->off == f->len) {
			frame_unref(f);
			memmove(v->q, v->q + 1, (size_t)(v->qn - 1) * sizeof v->q[0]);
			v->qn--;
			v->off = 0;
		}
	}
	watch(v, false);
	return true;
}

/* Queues f (a new reference) and writes what the socket takes. A viewer
 * that has not taken the frames before it (its queue full) is dropped:
 * never waited for. False if the viewer was closed. */
static bool viewer_queue(struct viewer *v, struct frame *f)
{
	if (v->qn > 0 && (v->qn == MIRROR_QUEUE_FRAMES || v->qbytes + f->len > MIRROR_QUEUE_BYTES)) {
		viewer_close(v, "not reading", true);
		return false;
	}
	f->refs++;
	v->q[v->qn++] = f;
	v->qbytes += f->len;
	v->fresh = false;
	return viewer_flush(v);
}

static void on_viewer(struct loop *l, int fd, int revents, void *ud)
{
	struct viewer *v = ud;
	/* What a viewer sends is never a key: read and thrown away. The
	 * revents are not trusted alone (a descriptor number may have been
	 * reused within the pass): the read says whether it is gone. */
	char scratch[4096];
	size_t total = 0;
	while (total < READ_BURST) {
		ssize_t n = recv(fd, scratch, sizeof scratch, MSG_DONTWAIT);
		if (n > 0) {
			total += (size_t)n;
			continue;
		}
		if (n == 0) {
			viewer_close(v, "end of file", false);
			return;
		}
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN && errno != EWOULDBLOCK) {
			viewer_close(v, errno == ECONNRESET ? "closed" : strerror(errno), false);
			return;
		}
		break;
	}
	if (revents & POLLOUT)
		viewer_flush(v);
}

static void refuse(struct mirror *m, int fd)
{
	char line[160];
	int n = snprintf(line, sizeof line,
	                 "kiosk: %d viewers are watching already (at most %d): try again later\n",
	                 m->n, MIRROR_MAX_VIEWERS);
	if (send(fd, line, (size_t)n, MSG_NOSIGNAL | MSG_DONTWAIT) < 0) {
		/* nobody to tell */
	}
	close(fd);
	m->refused_unlogged++;
	long long now = loop_now_ms();
	if (m->refused_logged_ms == 0 || now - m->refused_logged_ms >= REFUSED_LOG_MS) {
		log_warn("mirror: refused %lu viewer(s): %d watching already", m->refused_unlogged, m->n);
		m->refused_unlogged = 0;
		m->refused_logged_ms = now;
	}
}

/* Closes the viewers that have gone without the loop noticing yet (a
 * flood of connections that close at once would hold every place). */
static void reap_gone(struct mirror *m)
{
	for (int i = m->n - 1; i >= 0; i--) {
		char b;
		ssize_t r = recv(m->v[i]->fd, &b, 1, MSG_PEEK | MSG_DONTWAIT);
		if (r == 0 || (r < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR))
			viewer_close(m->v[i], r == 0 ? "end of file" : "closed", false);
	}
}

static void on_accept(struct loop *l, int fd, int revents, void *ud)
{
	struct mirror *m = ud;
	for (int i = 0; i < ACCEPT_BURST; i++) {
		int c = accept4(m->lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (c < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			if (errno != EAGAIN && errno != EWOULDBLOCK)
				log_warn("mirror: accept: %s", strerror(errno));
			return;
		}
		if (m->n == MIRROR_MAX_VIEWERS)
			reap_gone(m);
		if (m->n == MIRROR_MAX_VIEWERS) {
			refuse(m, c);
			continue;
		}
		struct viewer *v = xcalloc(1, sizeof *v);
		v->m = m;
		v->fd = c;
		v->id = ++m->next_id;
		v->fresh = true;
		m->v[m->n++] = v;
		loop_fd_add(l, c, POLLIN, on_viewer, v);
		/* Who watches, by process: no person is named. */
		struct ucred cr;
		socklen_t crlen = sizeof cr;
		if (getsockopt(c, SOL_SOCKET, SO_PEERCRED, &cr, &crlen) == 0)
			log_info("mirror: viewer %lu attached (pid %ld, uid %ld); %d watching",
			         v->id, (long)cr.pid, (long)cr.uid, m->n);
		else
			log_info("mirror: viewer %lu attached; %d watching", v->id, m->n);
		m->dirty = true;
		changed(m);
	}
}

/* ---- open, free ---- */

struct mirror *mirror_open(struct loop *l, const char *spec, char *err, size_t errlen)
{
	const char *why = mirror_spec_problem(spec);
	if (why) {
		snprintf(err, errlen, "mirror: %s", why);
		return NULL;
	}
	const char *path = spec + strlen(SPEC_PREFIX);
	struct sockaddr_un sa;
	sun_of(&sa, path);
	struct stat st;
	if (lstat(path, &st) == 0) {
		if (!S_ISSOCK(st.st_mode)) {
			snprintf(err, errlen, "mirror: %s exists and is not a socket (left as it is)", path);
			return NULL;
		}
		/* A socket: left by an earlier run, or served by a live kiosk? */
		int probe = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		if (probe < 0) {
			snprintf(err, errlen, "mirror: socket: %s", strerror(errno));
			return NULL;
		}
		int r = connect(probe, (struct sockaddr *)&sa, sizeof sa);
		int e = errno;
		close(probe);
		if (r == 0 || e == EAGAIN || e == EINPROGRESS) {
			snprintf(err, errlen, "mirror: %s is in use by another program", path);
			return NULL;
		}
		if (e != ECONNREFUSED) {
			snprintf(err, errlen, "mirror: %s: %s", path, strerror(e));
			return NULL;
		}
		if (unlink(path) != 0) {
			snprintf(err, errlen, "mirror: cannot remove the old socket %s: %s", path, strerror(errno));
			return NULL;
		}
	} else if (errno != ENOENT) {
		snprintf(err, errlen, "mirror: %s: %s", path, strerror(errno));
		return NULL;
	}
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		snprintf(err, errlen, "mirror: socket: %s", strerror(errno));
		return NULL;
	}
	/* Born 0600: whoever can connect sees the screen. */
	mode_t old = umask(0177);
	int r = bind(fd, (struct sockaddr *)&sa, sizeof sa);
	int e = errno;
	umask(old);
	if (r != 0) {
		snprintf(err, errlen, "mirror: cannot create %s: %s", path, strerror(e));
		close(fd);
		return NULL;
	}
	if (chmod(path, 0600) != 0 || lstat(path, &st) != 0 || listen(fd, 16) != 0) {
		snprintf(err, errlen, "mirror: %s: %s", path, strerror(errno));
		close(fd);
		unlink(path);
		return NULL;
	}
	struct mirror *m = xcalloc(1, sizeof *m);
	m->l = l;
	m->lfd = fd;
	m->path = xstrdup(path);
	m->dev = st.st_dev;
	m->ino = st.st_ino;
	m->last_show = -1;
	loop_fd_add(l, fd, POLLIN, on_accept, m);
	log_info("mirror: listening on %s", path);
	return m;
}

void mirror_free(struct mirror *m)
{
	if (!m)
		return;
	m->on_change = NULL; /* shutting down: nothing to repaint */
	while (m->n > 0)
		viewer_close(m->v[m->n - 1], "the kiosk is stopping", false);
	loop_fd_del(m->l, m->lfd);
	close(m->lfd);
	/* Only our own socket: not whatever replaced it since. */
	struct stat st;
	if (lstat(m->path, &st) == 0 && S_ISSOCK(st.st_mode) && st.st_dev == m->dev && st.st_ino == m->ino)
		unlink(m->path);
	frame_unref(m->last);
	if (m->buf)
		wipe_free(m->buf, m->cap);
	free(m->path);
	free(m);
}

int mirror_viewers(const struct mirror *m) { return m ? m->n : 0; }
unsigned long mirror_dropped(const struct mirror *m) { return m ? m->dropped : 0; }

void mirror_on_change(struct mirror *m, void (*fn)(void *ud), void *ud)
{
	m->on_change = fn;
	m->change_ud = ud;
}

void mirror_painted(struct mirror *m)
{
	if (m)
		m->dirty = true;
}

/* ---- sending ---- */

static void send_to(struct mirror *m, struct frame *f, bool fresh_only)
{
	/* Backwards: a viewer closed on the way is replaced by the last one,
	 * which has been served already. */
	for (int i = m->n - 1; i >= 0; i--)
		if (!fresh_only || m->v[i]->fresh)
			viewer_queue(m->v[i], f);
}

void mirror_send(struct mirror *m, const void *frame, size_t len)
{
	struct frame *f = frame_new(frame, len);
	frame_unref(m->last);
	m->last = f;
	send_to(m, f, false);
}

/* ---- rendering ---- */

struct out {
	char **buf;
	size_t *cap;
	size_t len;
};

static void put(struct out *o, const char *s, size_t n)
{
	if (o->len + n + 1 > *o->cap) {
		size_t cap = *o->cap ? *o->cap : 16384;
		while (o->len + n + 1 > cap)
			cap *= 2;
		/* The old copy may show a citizen's masked data: not left behind. */
		*o->buf = wipe_realloc(*o->buf, cap);
		*o->cap = cap;
	}
	memcpy(*o->buf + o->len, s, n);
	o->len += n;
}

static void puts_(struct out *o, const char *s) { put(o, s, strlen(s)); }

/* CUP: row and column from 1. */
static void put_cup(struct out *o, int row, int col)
{
	char tmp[48];
	int n = snprintf(tmp, sizeof tmp, "\033[%d;%dH", row, col);
	put(o, tmp, (size_t)n);
}

static void put_cp(struct out *o, unsigned cp)
{
	char u[4];
	put(o, u, text_utf8_encode(cp, u));
}

#define FRAME_BEGIN "\033[?2026h\033[0m\033[H\033[2J"
#define FRAME_END "\033[?2026l"

/* The DEC line-drawing set (ACS_*) as Unicode, as terminals show it. */
static unsigned acs_cp(wchar_t c)
{
	static const struct { char c; unsigned cp; } map[] = {
		{ 'l', 0x250c }, { 'm', 0x2514 }, { 'k', 0x2510 }, { 'j', 0x2518 },
		{ 't', 0x251c }, { 'u', 0x2524 }, { 'v', 0x2534 }, { 'w', 0x252c },
		{ 'q', 0x2500 }, { 'x', 0x2502 }, { 'n', 0x253c }, { 'o', 0x23ba },
		{ 'p', 0x23bb }, { 'r', 0x23bc }, { 's', 0x23bd }, { '`', 0x25c6 },
		{ 'a', 0x2592 }, { 'f', 0x00b0 }, { 'g', 0x00b1 }, { '~', 0x00b7 },
		{ ',', 0x2190 }, { '+', 0x2192 }, { '.', 0x2193 }, { '-', 0x2191 },
		{ 'h', 0x2591 }, { 'i', 0x240b }, { '0', 0x2588 }, { 'y', 0x2264 },
		{ 'z', 0x2265 }, { '{', 0x03c0 }, { '|', 0x2260 }, { '}', 0x00a3 },
	};
	for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
		if ((wchar_t)map[i].c == c)
			return map[i].cp;
	return c >= 0x20 && c < 0x7f ? (unsigned)c : '?';
}

/* Never a control character to a viewer's terminal, whatever the cell
 * holds (what curses shows came through text_sanitize, but a frame is
 * terminal output: it is checked again here). */
static bool printable(wchar_t c)
{
	if (c < 0x20 || (c >= 0x7f && c < 0xa0))
		return false;
	if (c == 0x061c || c == 0x200e || c == 0x200f || (c >= 0x202a && c <= 0x202e) ||
	    (c >= 0x2066 && c <= 0x2069))
		return false;
	if (c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return false;
	return true;
}

static void put_colour(struct out *o, int c, bool bg)
{
	char tmp[16];
	if (c < 0)
		snprintf(tmp, sizeof tmp, ";%d", bg ? 49 : 39);
	else if (c < 8)
		snprintf(tmp, sizeof tmp, ";%d", (bg ? 40 : 30) + c);
	else if (c < 16)
		snprintf(tmp, sizeof tmp, ";%d", (bg ? 100 : 90) + c - 8);
	else
		snprintf(tmp, sizeof tmp, ";%d;5;%d", bg ? 48 : 38, c & 0xff);
	puts_(o, tmp);
}

#define ATTR_MASK (A_BOLD | A_DIM | A_ITALIC | A_UNDERLINE | A_BLINK | A_REVERSE | A_STANDOUT | A_INVIS)

static void put_sgr(struct out *o, attr_t a, short pair)
{
	puts_(o, "\033[0");
	if (a & A_BOLD)
		puts_(o, ";1");
	if (a & A_DIM)
		puts_(o, ";2");
	if (a & A_ITALIC)
		puts_(o, ";3");
	if (a & A_UNDERLINE)
		puts_(o, ";4");
	if (a & A_BLINK)
		puts_(o, ";5");
	if (a & (A_REVERSE | A_STANDOUT))
		puts_(o, ";7");
	if (a & A_INVIS)
		puts_(o, ";8");
	short fg = -1, bg = -1;
	if (pair > 0 && has_colors() && pair_content(pair, &fg, &bg) == OK) {
		put_colour(o, fg, false);
		put_colour(o, bg, true);
	}
	puts_(o, "m");
}

size_t mirror_snapshot(char **buf, size_t *cap)
{
	struct out o = { buf, cap, 0 };
	puts_(&o, FRAME_BEGIN);
	if (curscr) {
		int rows = getmaxy(curscr), cols = getmaxx(curscr);
		int cy, cx;
		getyx(curscr, cy, cx); /* the terminal's cursor: put back below */
		for (int y = 0; y < rows; y++) {
			/* Blank default cells at the end of a row are already clear. */
			int end = cols;
			while (end > 0) {
				cchar_t c;
				wchar_t w[CCHARW_MAX + 1];
				attr_t a;
				short pair;
				if (mvwin_wch(curscr, y, end - 1, &c) == ERR || getcchar(&c, w, &a, &pair, NULL) == ERR)
					break;
				if (w[0] != L' ' || (a & ATTR_MASK) || pair != 0)
					break;
				end--;
			}
			if (end == 0)
				continue;
			put_cup(&o, y + 1, 1);
			bool have = false;
			attr_t cur_a = 0;
			short cur_p = 0;
			for (int x = 0; x < end; x++) {
				cchar_t c;
				wchar_t w[CCHARW_MAX + 1] = { 0 };
				attr_t a = 0;
				short pair = 0;
				if (mvwin_wch(curscr, y, x, &c) == ERR || getcchar(&c, w, &a, &pair, NULL) == ERR) {
					w[0] = L' ';
					w[1] = 0;
				}
				a &= ATTR_MASK | A_ALTCHARSET;
				if (!have || (a & ATTR_MASK) != cur_a || pair != cur_p) {
					put_sgr(&o, a & ATTR_MASK, pair);
					cur_a = a & ATTR_MASK;
					cur_p = pair;
					have = true;
				}
				wchar_t ch = w[0];
				if (a & A_ALTCHARSET) {
					put_cp(&o, acs_cp(ch));
					continue;
				}
				int wd = printable(ch) ? wcwidth(ch) : -1;
				if (wd == 2 && x + 1 < end) {
					/* A wide character takes this cell and the next,
					 * which holds the same character again. */
					put_cp(&o, (unsigned)ch);
					x++;
				} else if (wd == 1) {
					put_cp(&o, (unsigned)ch);
				} else {
					put(&o, wd == 2 || wd == 0 ? " " : "?", 1);
					continue;
				}
				for (int k = 1; k < CCHARW_MAX && w[k]; k++)
					if (printable(w[k]) && wcwidth(w[k]) == 0)
						put_cp(&o, (unsigned)w[k]);
			}
			puts_(&o, "\033[0m");
		}
		wmove(curscr, cy, cx);
		put_cup(&o, cy + 1, cx + 1);
	}
	puts_(&o, FRAME_END);
	return o.len;
}

/* What viewers see while the screen is private: one line in the middle. */
static size_t placeholder(char **buf, size_t *cap)
{
	struct out o = { buf, cap, 0 };
	int rows = curscr ? getmaxy(curscr) : 24, cols = curscr ? getmaxx(curscr) : 80;
	const char *msg = _("Screen shows personal data: mirror paused");
	int w = text_width(msg);
	puts_(&o, FRAME_BEGIN);
	put_cup(&o, rows / 2 + 1, w < cols ? (cols - w) / 2 + 1 : 1);
	char *safe = text_sanitize(msg, strlen(msg), 0);
	puts_(&o, safe);
	free(safe);
	put_cup(&o, 1, 1);
	puts_(&o, FRAME_END);
	return o.len;
}

void mirror_update(struct mirror *m, bool show)
{
	if (!m)
		return;
	if (m->n == 0) {
		/* Nobody watches: nothing is looked at, nothing kept. */
		frame_unref(m->last);
		m->last = NULL;
		m->last_show = -1;
		m->dirty = false;
		return;
	}
	bool fresh = false;
	for (int i = 0; i < m->n; i++)
		fresh |= m->v[i]->fresh;
	if (!m->dirty && !fresh && (int)show == m->last_show)
		return;
	m->dirty = false;
	size_t len = show ? mirror_snapshot(&m->buf, &m->cap) : placeholder(&m->buf, &m->cap);
	m->last_show = show;
	if (m->last && m->last->len == len && memcmp(m->last->data, m->buf, len) == 0)
		send_to(m, m->last, true); /* the same screen: only to whoever has none */
	else
		mirror_send(m, m->buf, len);
	explicit_bzero(m->buf, len);
}
