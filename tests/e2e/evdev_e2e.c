/* evdev_e2e.c: see evdev_e2e.h. */
#include "evdev_e2e.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "e2e.h"

#define EVSTREAM_WAIT_MS 15000

void evstream_put(struct evstream *s, unsigned short type, unsigned short code, int value)
{
	if (s->n == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 256;
		s->ev = realloc(s->ev, s->cap * sizeof *s->ev);
		cr_assert_not_null(s->ev);
	}
	struct input_event *e = &s->ev[s->n++];
	memset(e, 0, sizeof *e);
	e->time.tv_sec = 1700000000 + (long)s->n / 100;
	e->type = type;
	e->code = code;
	e->value = value;
}

void evstream_key(struct evstream *s, unsigned short code, int value)
{
	evstream_put(s, EV_MSC, MSC_SCAN, 0x70000 + code);
	evstream_put(s, EV_KEY, code, value);
	evstream_put(s, EV_SYN, SYN_REPORT, 0);
}

void evstream_tap(struct evstream *s, unsigned short code)
{
	evstream_key(s, code, 1);
	evstream_key(s, code, 0);
}

void evstream_type(struct evstream *s, const char *text)
{
	static const char row1[] = "qwertyuiop", row2[] = "asdfghjkl", row3[] = "zxcvbnm";
	for (; *text; text++) {
		char c = *text;
		bool shift = (c >= 'A' && c <= 'Z') || c == ':' || c == '_';
		const char *p;
		unsigned short code = 0;
		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		if (c >= '1' && c <= '9')
			code = (unsigned short)(KEY_1 + (c - '1'));
		else if (c == '0')
			code = KEY_0;
		else if ((p = strchr(row1, c)))
			code = (unsigned short)(KEY_Q + (p - row1));
		else if ((p = strchr(row2, c)))
			code = (unsigned short)(KEY_A + (p - row2));
		else if ((p = strchr(row3, c)))
			code = (unsigned short)(KEY_Z + (p - row3));
		else if (c == '-' || c == '_')
			code = KEY_MINUS;
		else if (c == ':')
			code = KEY_SEMICOLON;
		else
			cr_assert_fail("no key for a character of the code");
		if (shift)
			evstream_key(s, KEY_LEFTSHIFT, 1);
		evstream_tap(s, code);
		if (shift)
			evstream_key(s, KEY_LEFTSHIFT, 0);
	}
}

int evstream_open_fifo(struct harness *h, struct gwd *g, const char *path)
{
	long long end = e2e_now_ms() + EVSTREAM_WAIT_MS;
	int fd = -1;
	while (fd < 0 && e2e_now_ms() < end) {
		fd = open(path, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
		if (fd < 0)
			h_pump(h, 50);
	}
	E2E_CHECK(h, g, fd >= 0, "FIFO %s: nobody reads it (%s)", path, strerror(errno));
	return fd;
}

void evstream_free(struct evstream *s)
{
	if (s->ev)
		explicit_bzero(s->ev, s->n * sizeof *s->ev);
	free(s->ev);
	memset(s, 0, sizeof *s);
}

void evstream_send(struct harness *h, struct gwd *g, const char *path, struct evstream *s)
{
	long long end = e2e_now_ms() + EVSTREAM_WAIT_MS;
	int fd = evstream_open_fifo(h, g, path);
	const char *p = (const char *)s->ev;
	size_t left = s->n * sizeof *s->ev;
	while (left && e2e_now_ms() < end) {
		/* whole records per write: a reader never sees half of one */
		size_t chunk = left < 4080 ? left : 4080 - 4080 % sizeof *s->ev;
		ssize_t w = write(fd, p, chunk);
		if (w > 0) {
			p += w;
			left -= (size_t)w;
		} else {
			E2E_CHECK(h, g, errno == EAGAIN, "FIFO write: %s", strerror(errno));
			h_pump(h, 20);
		}
	}
	close(fd);
	E2E_CHECK(h, g, left == 0, "FIFO: %zu bytes not written", left);
	evstream_free(s);
}
