/* supervise.c: the service manager's notify protocol (sd_notify(3)), so
 * that dist/kiosk.service (Type=notify, WatchdogSec=) knows when the kiosk
 * is on the screen and restarts it when its loop hangs.
 *
 * READY=1 goes after the first paint has been written to the terminal:
 * "started" means a citizen can see the home screen, not that main() ran.
 * WATCHDOG=1 goes from a timer of the one event loop, every half of the
 * manager's interval (the rule sd_watchdog_enabled(3) gives): the pings
 * prove that the loop turns, which is what a citizen needs (a loop stuck in
 * a write to a frozen terminal, a deadlock or an endless loop stops them).
 *
 * The kiosk runs as a grandchild of the unit's main process (kiosk-session
 * → xterm → kiosk): the unit sets NotifyAccess=all, and kiosk-session
 * unsets WATCHDOG_PID (it names the session's shell), so libsystemd's
 * check that the watchdog is meant for this process passes.
 *
 * sd_notify sends one datagram on a unix socket; the manager reads its
 * socket at once, so the send does not wait in practice (it could only
 * block if PID 1 itself were stuck). Nothing is logged per ping.
 */
#include "supervise.h"

#include <inttypes.h>
#include <stdlib.h>
#include <systemd/sd-daemon.h>

#include "log.h"
#include "loop.h"

static struct {
	bool on;          /* NOTIFY_SOCKET is set */
	bool ready_sent;
	long ping_ms;     /* 0: no watchdog */
	struct loop *loop;
	long long timer;
} S;

static long on_ping(struct loop *l, long long id, void *ud)
{
	sd_notify(0, "WATCHDOG=1");
	return S.ping_ms;
}

void supervise_start(struct loop *l)
{
	const char *sock = getenv("NOTIFY_SOCKET");
	S.on = sock && *sock;
	if (!S.on)
		return;
	S.loop = l;
	uint64_t usec = 0;
	int r = sd_watchdog_enabled(0, &usec);
	if (r > 0 && usec > 0) {
		uint64_t ms = usec / 2000;
		S.ping_ms = ms < 10 ? 10 : ms > 3600000 ? 3600000 : (long)ms;
		S.timer = loop_timer_add(l, S.ping_ms, on_ping, NULL);
		log_info("supervisor: watchdog every %" PRIu64 " ms, pinged every %ld ms",
		         usec / 1000, S.ping_ms);
	} else if (r < 0) {
		log_warn("supervisor: WATCHDOG_USEC is not a number of microseconds: no watchdog");
	} else {
		log_info("supervisor: notify socket, no watchdog");
	}
}

void supervise_painted(void)
{
	if (!S.on || S.ready_sent)
		return;
	S.ready_sent = true;
	if (sd_notify(0, "READY=1\nSTATUS=The kiosk is on the screen") <= 0)
		log_warn("supervisor: READY=1 could not be sent");
	else
		log_info("supervisor: ready");
}

void supervise_stop(void)
{
	if (!S.on)
		return;
	if (S.timer)
		loop_timer_del(S.loop, S.timer);
	S.timer = 0;
	sd_notify(0, "STOPPING=1");
	S.on = false;
}
