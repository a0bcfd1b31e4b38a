/* notify_e2e.h: a stand-in for systemd's end of the notify protocol
 * (sd_notify(3)): a unix datagram socket to give the kiosk as
 * NOTIFY_SOCKET, and counts of what came on it. Used by test_notify.c
 * (the kiosk alone) and test_screen.c (through kiosk-session and xterm). */
#ifndef TESTS_E2E_NOTIFY_E2E_H
#define TESTS_E2E_NOTIFY_E2E_H

#include <stdbool.h>

struct harness;

struct notify_listener {
	int fd;
	char dir[64];
	char path[96];
	char env[128]; /* "NOTIFY_SOCKET=path" */
	int ready, watchdog, stopping, other;
	/* Set when READY=1 first comes: whether row 0 of h (if one was given
	 * to notify_drain) showed the home title then. */
	bool home_at_ready;
};

/* Binds a fresh socket in a new folder under /tmp (asserts on failure). */
void notify_listen(struct notify_listener *ls);
void notify_close(struct notify_listener *ls);
/* Reads for ms, counting lines; h (may be NULL) is pumped meanwhile. */
void notify_drain(struct notify_listener *ls, struct harness *h, int ms);
/* Drains until READY=1 has come or ms passed; true if it came. */
bool notify_wait_ready(struct notify_listener *ls, struct harness *h, int ms);

#endif
