/* xmem.c: allocation helpers for the pure core that abort on out-of-memory
 * instead of returning NULL, so no caller has a half-handled failure path. */
#include "xmem.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void xmem_die(size_t n)
{
	fprintf(stderr, "kiosk: out of memory (%zu bytes)\n", n);
	abort();
}

void *xmalloc(size_t n)
{
	/* malloc(0) may return NULL legitimately; ask for one byte instead. */
	void *p = malloc(n ? n : 1);

	if (!p)
		xmem_die(n);
	return p;
}

void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);

	if (!p)
		xmem_die(n * size);
	return p;
}

void *xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);

	if (!q)
		xmem_die(n);
	return q;
}

void *xmallocarray(size_t n, size_t size)
{
	if (size && n > SIZE_MAX / size)
		xmem_die(SIZE_MAX);
	return xmalloc(n * size);
}

char *xstrndup(const char *s, size_t n)
{
	char *d = xmalloc(n + 1);

	memcpy(d, s, n);
	d[n] = '\0';
	return d;
}

char *xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

void set_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (!err || errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}
