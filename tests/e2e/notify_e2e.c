/* notify_e2e.c: see notify_e2e.h. */
#include "notify_e2e.h"

#include <errno.h>
#include <poll.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "e2e.h"

void notify_listen_at(struct notify_listener *ls, bool abstract)
{
	memset(ls, 0, sizeof *ls);
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	socklen_t len;
	if (abstract) {
		snprintf(ls->path, sizeof ls->path, "kiosk-notify-%d-%lld", (int)getpid(), e2e_now_ms());
		snprintf(ls->env, sizeof ls->env, "NOTIFY_SOCKET=@%s", ls->path);
		memcpy(sa.sun_path + 1, ls->path, strlen(ls->path));
		len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + strlen(ls->path));
	} else {
		snprintf(ls->dir, sizeof ls->dir, "/tmp/kiosk-notify-XXXXXX");
		cr_assert_not_null(mkdtemp(ls->dir), "mkdtemp: %s", strerror(errno));
		snprintf(ls->path, sizeof ls->path, "%s/notify", ls->dir);
		snprintf(ls->env, sizeof ls->env, "NOTIFY_SOCKET=%s", ls->path);
		snprintf(sa.sun_path, sizeof sa.sun_path, "%s", ls->path);
		len = sizeof sa;
	}
	ls->fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	cr_assert_geq(ls->fd, 0, "socket: %s", strerror(errno));
	cr_assert_eq(bind(ls->fd, (struct sockaddr *)&sa, len), 0, "bind: %s", strerror(errno));
	int one = 1;
	cr_assert_eq(setsockopt(ls->fd, SOL_SOCKET, SO_PASSCRED, &one, sizeof one), 0);
}

void notify_listen(struct notify_listener *ls)
{
	notify_listen_at(ls, false);
}

void notify_close(struct notify_listener *ls)
{
	close(ls->fd);
	if (ls->dir[0]) {
		unlink(ls->path);
		rmdir(ls->dir);
	}
}

static void take_line(struct notify_listener *ls, struct harness *h, const char *line, pid_t from)
{
	if (!strcmp(line, "READY=1")) {
		if (ls->ready++ == 0)
			ls->ready_pid = from;
		if (ls->ready == 1 && h) {
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
			for (;;) {
				char buf[1024];
				union {
					char b[CMSG_SPACE(sizeof(struct ucred))];
					struct cmsghdr align;
				} cb;
				struct iovec iov = { buf, sizeof buf - 1 };
				struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cb.b,
				                    .msg_controllen = sizeof cb.b };
				ssize_t n = recvmsg(ls->fd, &m, 0);
				if (n <= 0)
					break;
				buf[n] = '\0';
				pid_t from = 0;
				for (struct cmsghdr *c = CMSG_FIRSTHDR(&m); c; c = CMSG_NXTHDR(&m, c))
					if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_CREDENTIALS) {
						struct ucred u;
						memcpy(&u, CMSG_DATA(c), sizeof u);
						from = u.pid;
					}
				if (ls->want_pid && from != ls->want_pid)
					ls->foreign = true;
				char *save = NULL;
				for (char *line = strtok_r(buf, "\n", &save); line;
				     line = strtok_r(NULL, "\n", &save))
					take_line(ls, h, line, from);
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
