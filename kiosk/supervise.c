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
 * The datagrams go out on a socket of our own, never blocking: libsystemd's
 * sd_notify() sends on a blocking socket, and a manager that does not read
 * (a stuck PID 1, or a test's listener) fills the socket's queue and then
 * holds the whole loop in sendmsg() (seen: the kiosk stopped answering
 * keys). Here a full queue loses that one message instead, which to the
 * manager looks like a missed ping, as it should; READY=1 alone is sent
 * again from a timer until it goes (lost, it would never be made up).
 * libsystemd still reads WATCHDOG_USEC and WATCHDOG_PID
 * (sd_watchdog_enabled). Nothing is logged per ping.
 */
#include "supervise.h"

#include <errno.h>
#include <stddef.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <systemd/sd-daemon.h>
#include <unistd.h>

#include "log.h"
#include "loop.h"

static struct {
	bool on;          /* NOTIFY_SOCKET names a unix socket */
	int fd;           /* non-blocking datagram socket */
	struct sockaddr_un sa;
	socklen_t sa_len;
	long dropped;     /* messages lost to a full queue (logged once) */
	bool ready_sent;
	long ping_ms;     /* 0: no watchdog */
	struct loop *loop;
	long long timer;
	long long ready_timer; /* READY=1 met a full queue: sent again until it goes */
} S;

#define READY_MSG "READY=1\nSTATUS=The kiosk is on the screen"
#define READY_RETRY_MS 100

/* One message, never waiting: 0, or the errno why it was lost. */
static int notify(const char *msg)
{
	if (sendto(S.fd, msg, strlen(msg), MSG_DONTWAIT | MSG_NOSIGNAL,
	           (const struct sockaddr *)&S.sa, S.sa_len) >= 0)
		return 0;
	int err = errno;
	if (err == EWOULDBLOCK)
		err = EAGAIN;
	if (err == EAGAIN && S.dropped++ == 0)
		log_warn("supervisor: the service manager is not reading its socket: a message lost");
	return err;
}

/* NOTIFY_SOCKET: a path, or @name in the abstract namespace (what systemd
 * gives); anything else (vsock:, a path too long) is not ours to use. */
static bool socket_address(const char *s)
{
	size_t n = strlen(s);
	if ((s[0] != '/' && s[0] != '@') || n < 2 || n >= sizeof S.sa.sun_path)
		return false;
	memset(&S.sa, 0, sizeof S.sa);
	S.sa.sun_family = AF_UNIX;
	memcpy(S.sa.sun_path, s, n);
	if (s[0] == '@')
		S.sa.sun_path[0] = '\0';
	S.sa_len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n + (s[0] == '/'));
	return true;
}

static long on_ping(struct loop *l, long long id, void *ud)
{
	notify("WATCHDOG=1");
	return S.ping_ms;
}

static void start(struct loop *l)
{
	const char *sock = getenv("NOTIFY_SOCKET");
	if (!sock || !*sock)
		return;
	if (!socket_address(sock)) {
		log_warn("supervisor: NOTIFY_SOCKET is not a unix socket's path or @name: not used");
		return;
	}
	S.fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (S.fd < 0) {
		log_warn("supervisor: socket: %s", strerror(errno));
		return;
	}
	S.on = true;
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

void supervise_start(struct loop *l)
{
	start(l);
	/* The manager's words are for this process: a child (the font
	 * command, aplay) must not notify in our name, nor see a watchdog. */
	unsetenv("NOTIFY_SOCKET");
	unsetenv("WATCHDOG_USEC");
	unsetenv("WATCHDOG_PID");
}

/* A lost ping is only a missed ping, but a lost READY=1 is never made up:
 * the manager would wait for it to its start time-out and then kill a
 * kiosk that is on the screen and working. A queue that is full (a manager
 * busy for a moment) empties: READY=1 is sent again until it goes. */
static long on_ready_retry(struct loop *l, long long id, void *ud)
{
	int err = notify(READY_MSG);
	if (err == EAGAIN)
		return READY_RETRY_MS;
	S.ready_timer = 0;
	if (err)
		log_warn("supervisor: READY=1 could not be sent: %s", strerror(err));
	else
		log_info("supervisor: ready (sent again: the manager's queue was full)");
	return -1;
}

void supervise_painted(void)
{
	if (!S.on || S.ready_sent)
		return;
	S.ready_sent = true;
	int err = notify(READY_MSG);
	if (err == EAGAIN) {
		log_warn("supervisor: READY=1 waits: the service manager's queue is full");
		S.ready_timer = loop_timer_add(S.loop, READY_RETRY_MS, on_ready_retry, NULL);
	} else if (err) {
		log_warn("supervisor: READY=1 could not be sent");
	} else {
		log_info("supervisor: ready");
	}
}

void supervise_stop(void)
{
	if (!S.on)
		return;
	if (S.timer)
		loop_timer_del(S.loop, S.timer);
	S.timer = 0;
	if (S.ready_timer)
		loop_timer_del(S.loop, S.ready_timer);
	S.ready_timer = 0;
	notify("STOPPING=1");
	close(S.fd);
	S.fd = -1;
	S.on = false;
}
