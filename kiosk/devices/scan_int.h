/* scan_int.h: private to the scanner layer (kiosk/scan*.c) and its tests.
 *
 * scan.c holds what every backend shares: the scanner object, reporting in
 * the loop thread (callbacks may free the scanner), failure and retry, the
 * line reader (fifo, serial) and the decoding worker thread (images,
 * camera). Each backend is a const ops table; evdev (scan_evdev.c) reads
 * key events through its own decoder (evkeys.h) instead of lines.
 */
#ifndef KIOSK_SCAN_INT_H
#define KIOSK_SCAN_INT_H

#include <stdbool.h>
#include <stddef.h>

#include "scan.h"

struct loop;
struct scan_worker;

/* Timing (ms). Tests shorten scan_retry_ms; nothing else should. */
extern long scan_retry_ms;          /* 3000: reopening a failed device */
extern long scan_evdev_idle_ms;     /* 1500: evdev: a code begun and no key since is cut off */
#define SCAN_CAMERA_REPEAT_MS 2000  /* the same code seen again this soon is not reported */
#define SCAN_IMAGE_MAX (64u << 20)  /* images: larger files are SCAN_BAD_FILE */
#define SCAN_IMAGE_QUEUE 64         /* images: files waiting beyond this are dropped */

struct scan_backend {
	const char *kind;
	/* Checks and stores the argument (scanner_open: a bad one is an error). */
	int (*setup)(struct scanner *s, const char *arg, char *err, size_t errlen);
	/* Opens the device and watches it. 0, or -1 with an English reason. */
	int (*start)(struct scanner *s, char *why, size_t whylen);
	/* Closes the device and removes its fds (idempotent). */
	void (*stop)(struct scanner *s);
	/* Frees what setup allocated (after stop and after the worker ended). */
	void (*destroy)(struct scanner *s);
	/* Worker thread (images, camera): handles one job. */
	void (*work)(struct scan_worker *wk, void *job);
	void (*job_free)(void *job);
	/* Loop thread: a code the worker found (camera: drop repeats). NULL:
	 * report it as it is. */
	bool (*want_code)(struct scanner *s, const char *code, size_t len);
};

struct scan_lines {
	char buf[SCAN_MAX_CODE + 2];
	size_t len;
	bool overflow;
	bool cr_ends; /* a bare CR ends a line too (serial scanners often send CR only) */
};

struct scanner {
	struct loop *loop;
	char *spec;
	const struct scan_backend *be;
	scan_fn fn;
	void *ud;
	bool ok;             /* the device works right now */
	bool failed_told;    /* SCAN_FAILED reported, SCAN_READY not yet */
	char *why_pending;   /* scanner_open failure, reported from a timer */
	long long retry_timer;
	int depth;           /* > 0 while a callback of ours is on the stack */
	bool doomed;         /* scanner_free was called from inside a callback */
	struct scan_lines lines;
	struct scan_worker *wk;
	void *priv;          /* the backend's state */
};

/* Reporting, in the loop thread. Returns false if the scanner was freed by
 * the callback (the caller must return without touching s again; see
 * scan_enter/scan_leave). */
bool scan_emit(struct scanner *s, enum scan_event ev, const char *code, size_t len,
               const char *why);
/* Every loop callback of a backend brackets its work so that scanner_free
 * from inside a report is deferred to the end: scan_leave returns true if
 * the scanner is gone. */
void scan_enter(struct scanner *s);
bool scan_leave(struct scanner *s);
/* The device failed: stop it, report SCAN_FAILED (once per outage), log,
 * and retry every scan_retry_ms. */
void scan_fail(struct scanner *s, const char *why);

/* A FIFO's writer of our own, kept open while we read it: without one the
 * read end polls as hung up (EOF) whenever no producer has it open, and the
 * loop would spin; with it, producers may come and go. The fd (O_CLOEXEC),
 * or -1 with why set. */
int scan_fifo_writer(const char *path, char *why, size_t whylen);

/* The line reader: feeds bytes, reports codes. false if s was freed. */
bool scan_lines_feed(struct scanner *s, const char *p, size_t n);
void scan_lines_reset(struct scan_lines *ln);

/* The decoding worker: one thread per scanner, jobs handled in order. */
struct scan_worker *scan_worker_new(struct scanner *s);
/* Queues a job; false (job not taken) if max jobs are already waiting. */
bool scan_worker_push(struct scan_worker *wk, void *job, size_t max);
/* Nothing running and nothing waiting (camera: drop frames otherwise). */
bool scan_worker_idle(struct scan_worker *wk);
/* From the worker thread: hands a result to the loop thread (copies). */
void scan_worker_report(struct scan_worker *wk, enum scan_event ev, const char *code,
                        size_t len, const char *why);
void scan_worker_free(struct scan_worker *wk);

/* A camera frame source. The real one is libzbar's video; tests plug in
 * their own through scan_camsrc_override (platform-notes: no /dev/video
 * here). */
struct scan_camsrc {
	void *(*open)(const char *dev, char *why, size_t whylen);
	int (*fd)(void *src);
	/* Takes the frame that made fd readable. want false: drop it (the
	 * worker is busy). Returns 1 with a new w*h grey buffer in *gray, 0 if
	 * there is no frame to decode, -1 if the device failed (why set). */
	int (*next)(void *src, bool want, unsigned char **gray, int *w, int *h,
	            char *why, size_t whylen);
	void (*close)(void *src);
};
extern const struct scan_camsrc *scan_camsrc_override;

extern const struct scan_backend scan_fifo_backend;
extern const struct scan_backend scan_serial_backend;
extern const struct scan_backend scan_images_backend;
extern const struct scan_backend scan_camera_backend;
extern const struct scan_backend scan_evdev_backend;

#endif
