/* evdev_e2e.h: recorded event streams for the evdev: scanner, as the e2e
 * suites write them into a FIFO the kiosk reads (test_evdev.c,
 * test_deploy_attack.c): raw struct input_event records, as a USB keyboard
 * sends them (MSC_SCAN, the key, SYN_REPORT), on a us layout. */
#ifndef TESTS_E2E_EVDEV_E2E_H
#define TESTS_E2E_EVDEV_E2E_H

#include <linux/input.h>
#include <stddef.h>

struct harness;
struct gwd;

struct evstream {
	struct input_event *ev;
	size_t n, cap;
};

void evstream_put(struct evstream *s, unsigned short type, unsigned short code, int value);
/* A key pressed (1) or let go (0), with its scan code and a report. */
void evstream_key(struct evstream *s, unsigned short code, int value);
void evstream_tap(struct evstream *s, unsigned short code);
/* The characters a log-in code is made of (letters, digits, - _ :), with
 * shift where the us layout needs it; anything else fails the test. */
void evstream_type(struct evstream *s, const char *text);
/* Opens the FIFO's write end once the kiosk reads it (the test fails after
 * E2E's wait). */
int evstream_open_fifo(struct harness *h, struct gwd *g, const char *path);
/* Writes all of s into the FIFO, whole records per write, pumping the
 * kiosk while the pipe is full; then wipes and frees s. */
void evstream_send(struct harness *h, struct gwd *g, const char *path, struct evstream *s);
/* Wipes and frees s. */
void evstream_free(struct evstream *s);

#endif
