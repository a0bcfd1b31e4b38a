/* xmem.h: small helpers private to the pure core: allocation, and error
 * messages written into a caller's buffer.
 *
 * Out-of-memory aborts (the supervisor restarts the kiosk), so callers never
 * carry NULL checks for allocations. Not part of the include/ contract.
 */
#ifndef KIOSK_CORE_XMEM_H
#define KIOSK_CORE_XMEM_H

#include <stddef.h>

void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
/* n elements of `size` bytes, aborting on multiplication overflow. */
void *xmallocarray(size_t n, size_t size);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);

/* printf into err[errlen] if err is not NULL (decoders' messages). */
void set_err(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif
