/* notify_e2e.h: a stand-in for systemd's end of the notify protocol
 * (sd_notify(3)): a unix datagram socket, at a path or in the abstract
 * namespace, to give the kiosk as NOTIFY_SOCKET, and counts of what came
 * on it with who sent it (SO_PASSCRED). Used by test_notify.c (the kiosk
 * alone), test_screen.c (through kiosk-session and xterm) and
 * test_deploy_attack.c. */
#ifndef TESTS_E2E_NOTIFY_E2E_H
#define TESTS_E2E_NOTIFY_E2E_H

#include <stdbool.h>
#include <sys/types.h>

struct harness;

struct notify_listener {
	int fd;
	char dir[64];   /* "" for an abstract socket */
	char path[96];  /* the path, or the abstract name without its '@' */
	char env[160];  /* "NOTIFY_SOCKET=path" or "NOTIFY_SOCKET=@name" */
	int ready, watchdog, stopping, other;
	/* Set when READY=1 first comes: whether row 0 of h (if one was given
	 * to notify_drain) showed the home title then. */
	bool home_at_ready;
	pid_t ready_pid;   /* who sent the first READY=1 */
	pid_t want_pid;    /* if set: ... */
	bool foreign;      /* ... a message came from another pid */
};

/* Binds a fresh socket in a new folder under /tmp (asserts on failure). */
void notify_listen(struct notify_listener *ls);
/* The same, or (abstract) a fresh name in the abstract namespace. */
void notify_listen_at(struct notify_listener *ls, bool abstract);
void notify_close(struct notify_listener *ls);
/* Reads for ms, counting lines; h (may be NULL) is pumped meanwhile. */
void notify_drain(struct notify_listener *ls, struct harness *h, int ms);
/* Drains until READY=1 has come or ms passed; true if it came. */
bool notify_wait_ready(struct notify_listener *ls, struct harness *h, int ms);

#endif
