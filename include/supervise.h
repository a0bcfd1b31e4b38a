/* supervise.h: telling the service manager (systemd) that the kiosk is up
 * and that its loop still turns: sd_notify's READY=1 and WATCHDOG=1. */
#ifndef KIOSK_SUPERVISE_H
#define KIOSK_SUPERVISE_H

#include <stdbool.h>

struct loop;

/* Reads NOTIFY_SOCKET and WATCHDOG_USEC (WATCHDOG_PID, if set, must be
 * ours). Without a notify socket it does nothing, and so does everything
 * below. With a watchdog, a timer of l sends WATCHDOG=1 every half
 * interval: it runs only while the loop does, so a hung loop stops the
 * pings and the manager kills and restarts us. Takes NOTIFY_SOCKET and
 * WATCHDOG_* out of the environment: call it before any thread or child
 * starts. */
void supervise_start(struct loop *l);
/* After each paint: the first one sends READY=1 (the screen is up). */
void supervise_painted(void);
/* Shut-down: STOPPING=1, and no more pings. */
void supervise_stop(void);

#endif
