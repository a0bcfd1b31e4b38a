/* util.c: allocation, fatal errors, atomic files, wiping secrets. */
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <malloc.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void (*die_hook)(void);

void util_set_die_hook(void (*fn)(void)) { die_hook = fn; }

void die(const char *fmt, ...)
{
	if (die_hook)
		die_hook();
	va_list ap;
	va_start(ap, fmt);
	fputs("kiosk: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	exit(1);
}

/* xmalloc, xcalloc, xrealloc, xstrdup, xstrndup live in the pure core
 * (kiosk/core/xmem.c) so the core links alone; util.h declares them too. */

char *xasprintf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *p = NULL;
	int r = vasprintf(&p, fmt, ap);
	va_end(ap);
	if (r < 0)
		die("out of memory");
	return p;
}

int file_write_atomic(const char *path, const void *data, size_t len, int mode, bool durable)
{
	char *tmp = xasprintf("%s.tmp.%ld", path, (long)getpid());
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	if (fd < 0) {
		free(tmp);
		return -1;
	}
	const char *p = data;
	size_t left = len;
	while (left > 0) {
		ssize_t w = write(fd, p, left);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			goto fail;
		}
		p += w;
		left -= (size_t)w;
	}
	if ((durable && fsync(fd) != 0) || close(fd) != 0) {
		fd = -1;
		goto fail;
	}
	if (rename(tmp, path) != 0) {
		fd = -1;
		goto fail;
	}
	free(tmp);
	return 0;
fail:;
	int saved = errno;
	if (fd >= 0)
		close(fd);
	unlink(tmp);
	free(tmp);
	errno = saved;
	return -1;
}

char *file_read(const char *path, size_t max, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	/* Reads up to max + 1 bytes, to tell "exactly max" from "too big". */
	size_t limit = max + 1, cap = limit < 4096 ? limit : 4096, n = 0;
	char *buf = xmalloc(cap + 1);
	int err = 0;
	while (n < limit) {
		if (n == cap) {
			cap = cap * 2 > limit ? limit : cap * 2;
			buf = xrealloc(buf, cap + 1);
		}
		ssize_t r = read(fd, buf + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			err = errno;
			break;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	close(fd);
	if (!err && n > max)
		err = EFBIG;
	if (err) {
		free(buf);
		errno = err;
		return NULL;
	}
	buf[n] = '\0';
	if (len)
		*len = n;
	return buf;
}

int mkdir_p(const char *path, int mode)
{
	char *p = xstrdup(path);
	for (char *s = p + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(p, (mode_t)mode) != 0 && errno != EEXIST) {
			free(p);
			return -1;
		}
		*s = '/';
	}
	int r = mkdir(p, (mode_t)mode);
	free(p);
	return (r == 0 || errno == EEXIST) ? 0 : -1;
}

void wipe_free(void *p, size_t n)
{
	if (!p)
		return;
	explicit_bzero(p, n);
	free(p);
}

void wipe_free_block(void *p)
{
	if (!p)
		return;
	explicit_bzero(p, malloc_usable_size(p));
	free(p);
}

void *wipe_realloc(void *p, size_t n)
{
	if (!p)
		return xmalloc(n);
	/* Never grown in place by realloc: a moved block would leave its old
	 * copy behind, unwiped. */
	size_t old = malloc_usable_size(p);
	void *q = xmalloc(n);
	memcpy(q, p, old < n ? old : n);
	wipe_free_block(p);
	return q;
}

void cloexec_all(void)
{
	if (close_range(3, ~0U, CLOSE_RANGE_CLOEXEC) == 0)
		return;
	/* Kernels before 5.11: one by one. */
	long max = sysconf(_SC_OPEN_MAX);
	for (int fd = 3; fd < (max > 0 && max < 65536 ? max : 65536); fd++) {
		int fl = fcntl(fd, F_GETFD);
		if (fl >= 0 && !(fl & FD_CLOEXEC))
			fcntl(fd, F_SETFD, fl | FD_CLOEXEC);
	}
}

__attribute__((noinline)) void scrub_stack(void)
{
	/* Below the caller: where the frames of deeper calls were. */
	volatile char pad[64 * 1024];
	explicit_bzero((char *)pad, sizeof pad);
	__asm__ __volatile__("" : : "r"(pad) : "memory");
}

char *path_escape(const char *prefix, const char *seg)
{
	size_t np = strlen(prefix), n = strlen(seg);
	char *path = xmalloc(np + 3 * n + 1), *p = path + np;
	memcpy(path, prefix, np);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)seg[i];
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		    c == '-' || c == '.' || c == '_' || c == '~')
			*p++ = (char)c;
		else
			p += snprintf(p, 4, "%%%02X", c);
	}
	*p = '\0';
	return path;
}

void wipe_str(char *s)
{
	if (s)
		wipe_free(s, strlen(s));
}
