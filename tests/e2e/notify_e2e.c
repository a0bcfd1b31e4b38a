/* notify_e2e.c: see notify_e2e.h. */
#include "notify_e2e.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "e2e.h"

void notify_listen(struct notify_listener *ls)
{
	memset(ls, 0, sizeof *ls);
	snprintf(ls->dir, sizeof ls->dir, "/tmp/kiosk-notify-XXXXXX");
	cr_assert_not_null(mkdtemp(ls->dir), "mkdtemp: %s", strerror(errno));
	snprintf(ls->path, sizeof ls->path, "%s/notify", ls->dir);
	snprintf(ls->env, sizeof ls->env, "NOTIFY_SOCKET=%s", ls->path);
	ls->fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	cr_assert_geq(ls->fd, 0, "socket: %s", strerror(errno));
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	snprintf(sa.sun_path, sizeof sa.sun_path, "%s", ls->path);
	cr_assert_eq(bind(ls->fd, (struct sockaddr *)&sa, sizeof sa), 0, "bind: %s", strerror(errno));
}

void notify_close(struct notify_listener *ls)
{
	close(ls->fd);
	unlink(ls->path);
	rmdir(ls->dir);
}

static void take_line(struct notify_listener *ls, struct harness *h, const char *line)
{
	if (!strcmp(line, "READY=1")) {
		if (ls->ready++ == 0 && h) {
			/* What the kiosk wrote before READY=1 is in the pty
			 * already (a pty hands written bytes on within a
			 * moment: 10 ms allowed). */
			h_pump(h, 0);
			if (!e2e_row_has(h, 0, E2E_T_HOME))
				h_pump(h, 10);
			ls->home_at_ready = e2e_row_has(h, 0, E2E_T_HOME);
		}
	} else if (!strcmp(line, "WATCHDOG=1")) {
		ls->watchdog++;
	} else if (!strcmp(line, "STOPPING=1")) {
		ls->stopping++;
	} else if (strncmp(line, "STATUS=", 7) != 0) {
		ls->other++;
	}
}

void notify_drain(struct notify_listener *ls, struct harness *h, int ms)
{
	long long end = e2e_now_ms() + ms;
	do {
		struct pollfd p = { .fd = ls->fd, .events = POLLIN };
		if (poll(&p, 1, 20) > 0) {
			char buf[1024];
			ssize_t n;
			while ((n = recv(ls->fd, buf, sizeof buf - 1, 0)) > 0) {
				buf[n] = '\0';
				char *save = NULL;
				for (char *line = strtok_r(buf, "\n", &save); line;
				     line = strtok_r(NULL, "\n", &save))
					take_line(ls, h, line);
			}
		}
		if (h)
			h_pump(h, 0);
	} while (e2e_now_ms() < end);
}

bool notify_wait_ready(struct notify_listener *ls, struct harness *h, int ms)
{
	long long end = e2e_now_ms() + ms;
	while (!ls->ready && e2e_now_ms() < end)
		notify_drain(ls, h, 100);
	return ls->ready > 0;
}
