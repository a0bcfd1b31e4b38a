/* mirror.h: staff watch the kiosk's screen from another terminal,
 * read-only (kiosk --mirror unix:PATH; tools/kiosk-mirror.c attaches).
 *
 * A listening AF_UNIX stream socket (mode 0600) served from the kiosk's one
 * loop. After each paint, while anyone watches, what curses shows (curscr)
 * is rendered as plain terminal output (a full frame: positions, SGR
 * colours and attributes, UTF-8) and queued to every viewer if it differs
 * from the last frame sent. Nothing ever waits for a viewer: sockets are
 * non-blocking, and a viewer whose queue is full (MIRROR_QUEUE_FRAMES
 * frames or MIRROR_QUEUE_BYTES bytes not yet taken) is dropped. Bytes a
 * viewer sends are read and thrown away: no key reaches the kiosk this way.
 *
 * A frame is "\033[?2026h" (synchronized update: terminals that know it
 * show the frame at once, the others ignore it) ... "\033[?2026l"; between
 * them only CUP, ED 2 and SGR sequences, and printable UTF-8.
 *
 * Ownership: mirror_open returns a mirror freed by mirror_free (NULL
 * accepted), which closes every viewer and removes the socket file.
 */
#ifndef KIOSK_MIRROR_H
#define KIOSK_MIRROR_H

#include <stdbool.h>
#include <stddef.h>

struct loop;
struct mirror;

#define MIRROR_MAX_VIEWERS 8
#define MIRROR_QUEUE_FRAMES 4
#define MIRROR_QUEUE_BYTES (1024 * 1024)

/* NULL if spec is a usable "unix:PATH", else why not (a static string). */
const char *mirror_spec_problem(const char *spec);

/* Listens on spec's path: a socket file left by an earlier run (nobody
 * accepting on it) is replaced; anything else at that path is refused, and
 * so is a socket another process is serving. NULL with err set on failure. */
struct mirror *mirror_open(struct loop *l, const char *spec, char *err, size_t errlen);
void mirror_free(struct mirror *m);

/* Viewers attached now. */
int mirror_viewers(const struct mirror *m);
/* fn(ud) after a viewer attached or left (the status bar's marker). */
void mirror_on_change(struct mirror *m, void (*fn)(void *ud), void *ud);

/* The screen was painted: the next mirror_update looks at it. */
void mirror_painted(struct mirror *m);
/* After painting (before_sleep): while viewers are attached, sends them
 * the screen if it changed (show), or a placeholder that says the screen
 * is private (!show). Does nothing without viewers. */
void mirror_update(struct mirror *m, bool show);

/* Queues one frame of bytes to every viewer as it is (tests; mirror_update
 * uses it). */
void mirror_send(struct mirror *m, const void *frame, size_t len);

/* Renders what curses shows (curscr) as a frame into *buf (grown as
 * needed, *cap its size); returns the frame's length. */
size_t mirror_snapshot(char **buf, size_t *cap);

/* Viewers dropped for not reading, since mirror_open (tests, bench). */
unsigned long mirror_dropped(const struct mirror *m);

#endif
