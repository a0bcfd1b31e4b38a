/* util.h: small helpers for the client (not the pure core): allocation that
 * aborts on out-of-memory (the supervisor restarts the kiosk), fatal errors,
 * files written atomically, and wiping secrets. */
#ifndef KIOSK_UTIL_H
#define KIOSK_UTIL_H

#include <stdbool.h>
#include <stddef.h>

/* Defined in kiosk/core/xmem.c. */
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
/* printf into a new string. */
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Restores the terminal (if a hook is set) and exits 1 with the message on
 * stderr. For programming errors and out-of-memory only. */
void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
void util_set_die_hook(void (*fn)(void));

/* Writes data to path via a temporary file + rename, mode `mode`; with
 * durable, fsync first (for what must survive a power cut; a cache need
 * not, and fsync on slow flash would stall the loop). 0 or -1 (errno set). */
int file_write_atomic(const char *path, const void *data, size_t len, int mode, bool durable);
/* Reads a whole file (at most max bytes) into a new NUL-terminated buffer. */
char *file_read(const char *path, size_t max, size_t *len);
/* mkdir -p with mode. */
int mkdir_p(const char *path, int mode);

/* prefix followed by seg percent-encoded (all but A-Z a-z 0-9 - . _ ~):
 * a path with an id that came from outside. A new string. */
char *path_escape(const char *prefix, const char *seg);

/* Zeroes memory in a way the compiler may not remove, then frees. */
void wipe_free(void *p, size_t n);
void wipe_str(char *s); /* wipe + free a NUL-terminated string */
/* free() that zeroes the whole block first: given to jansson, so parsed
 * answers (tokens, names) do not linger in freed memory. */
void wipe_free_block(void *p);
/* realloc() that leaves no copy behind: a new block, the old one wiped and
 * freed (for buffers that fill with answers: tokens, personal data). */
void *wipe_realloc(void *p, size_t n);
/* Marks every open descriptor above 2 close-on-exec. */
void cloexec_all(void);
/* Zeroes 64 KiB of the stack below the caller: the frames deeper calls
 * left there (lines built to draw a citizen's name, say). */
void scrub_stack(void);

#endif
