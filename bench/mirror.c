/* mirror.c: what watching costs the kiosk (kiosk/mirror.c): the time to
 * render the screen curses shows as a frame, and a whole mirror_update with
 * one viewer attached, at three screen sizes.
 *
 *   mirror [--runs N]       N renders per figure (default 200)
 *
 * The screen is drawn as the kiosk draws it: every cell coloured (title,
 * text, buttons in boxes, a reversed focused button, bold), half of the
 * text Chinese (wide characters), into a curses screen whose terminal is
 * /dev/null (TERM=xterm-256color), so curscr holds exactly that.
 * Figures:
 *   snapshot      mirror_snapshot() alone: curscr read cell by cell, SGR
 *                 and UTF-8 written; and the frame's size in bytes
 *   update, new   mirror_painted() + mirror_update() when the screen
 *                 changed: snapshot, compare, queue and send to a viewer
 *                 (a socket the bench reads between runs, untimed)
 *   update, same  the same when the screen did not change (snapshot and
 *                 compare, nothing sent)
 * Without a viewer mirror_update returns at once (not measured). Times are
 * medians with min and max, in microseconds.
 * Exit status: 0, 1 if something could not be set up, 2 for usage.
 */
#include "loop.h"
#include "mirror.h"

#include <curses.h>
#include <errno.h>
#include <locale.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

static int64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static void report(const char *what, double *us, int n, const char *extra)
{
	qsort(us, (size_t)n, sizeof *us, cmp_double);
	printf("  %-34s median %8.1f us  (min %.1f, max %.1f)%s\n", what, us[n / 2], us[0], us[n - 1],
	       extra ? extra : "");
}

/* A kiosk-like screen; focus (0..3) moves the reversed button. */
static void draw(int cols, int rows, int focus)
{
	static const char *words[] = { "社保查询", "Social insurance", "公积金", "Housing fund",
		                       "生活缴费", "Bills", "排队取号", "Queue ticket" };
	bkgdset(' ' | COLOR_PAIR(2));
	erase();
	attrset(COLOR_PAIR(1) | A_BOLD);
	mvhline(0, 0, ' ', cols);
	mvaddstr(0, 1, "政务服务自助终端 Government services");
	int bw = (cols - 6) / 2, bh = 4;
	for (int i = 0; i < 8; i++) {
		int x = 2 + (i % 2) * (bw + 2), y = 2 + (i / 2) * (bh + 1);
		if (y + bh >= rows - 2)
			break;
		attrset(i == focus ? (COLOR_PAIR(3) | A_REVERSE | A_BOLD) : COLOR_PAIR(3));
		for (int r = 0; r < bh; r++)
			mvhline(y + r, x, ' ', bw);
		mvaddch(y, x, ACS_ULCORNER);
		mvhline(y, x + 1, ACS_HLINE, bw - 2);
		mvaddch(y, x + bw - 1, ACS_URCORNER);
		mvvline(y + 1, x, ACS_VLINE, bh - 2);
		mvvline(y + 1, x + bw - 1, ACS_VLINE, bh - 2);
		mvaddch(y + bh - 1, x, ACS_LLCORNER);
		mvhline(y + bh - 1, x + 1, ACS_HLINE, bw - 2);
		mvaddch(y + bh - 1, x + bw - 1, ACS_LRCORNER);
		char label[64];
		snprintf(label, sizeof label, "%d %s", i + 1, words[i]);
		mvaddstr(y + 1, x + 2, label);
	}
	attrset(COLOR_PAIR(2));
	for (int y = 2 + 4 * (bh + 1); y < rows - 2; y++)
		mvaddstr(y, 2, "办理进度查询：请扫描回执上的二维码 Scan the receipt's QR code");
	attrset(COLOR_PAIR(4));
	mvhline(rows - 1, 0, ' ', cols);
	mvaddstr(rows - 1, 1, "[Esc] 返回  [Home] 首页  [F1] 呼叫工作人员   中文 | 在线 | 14:05");
	refresh();
}

static long stop(struct loop *l, long long id, void *ud)
{
	loop_stop(l, 0);
	return -1;
}

static void spin(struct loop *l)
{
	long long t = loop_timer_add(l, 2, stop, NULL);
	loop_run(l);
	loop_timer_del(l, t);
}

static void drain(int fd)
{
	char buf[65536];
	struct pollfd p = { fd, POLLIN, 0 };
	while (poll(&p, 1, 0) > 0 && recv(fd, buf, sizeof buf, MSG_DONTWAIT) > 0)
		;
}

int main(int argc, char **argv)
{
	int runs = 200;
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!setlocale(LC_ALL, "C.UTF-8"))
		setlocale(LC_ALL, "");
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--runs") && i + 1 < argc)
			runs = atoi(argv[++i]);
		else {
			fprintf(stderr, "usage: %s [--runs N]\n", argv[0]);
			return 2;
		}
	}
	if (runs < 3)
		runs = 3;
	FILE *out = fopen("/dev/null", "w"), *in = fopen("/dev/null", "r");
	SCREEN *scr = out && in ? newterm("xterm-256color", out, in) : NULL;
	if (!scr) {
		fprintf(stderr, "mirror: no curses screen (terminfo xterm-256color?)\n");
		return 1;
	}
	set_term(scr);
	start_color();
	init_pair(1, 15, 4);
	init_pair(2, 0, 15);
	init_pair(3, 0, 14);
	init_pair(4, 15, 8);

	char dir[] = "/tmp/bench-mirror-XXXXXX";
	if (!mkdtemp(dir)) {
		endwin();
		fprintf(stderr, "mirror: mkdtemp: %s\n", strerror(errno));
		return 1;
	}
	char spec[128], err[300];
	snprintf(spec, sizeof spec, "unix:%s/m.sock", dir);
	struct loop *l = loop_new();
	struct mirror *m = mirror_open(l, spec, err, sizeof err);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	snprintf(sa.sun_path, sizeof sa.sun_path, "%s/m.sock", dir);
	if (!m || fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
		endwin();
		fprintf(stderr, "mirror: %s\n", m ? strerror(errno) : err);
		return 1;
	}
	for (int i = 0; i < 100 && mirror_viewers(m) == 0; i++)
		spin(l);

	static const int sizes[][2] = { { 80, 24 }, { 120, 40 }, { 200, 60 } };
	double *us = malloc((size_t)runs * sizeof *us);
	char *buf = NULL;
	size_t cap = 0;
	for (size_t s = 0; s < 3; s++) {
		int cols = sizes[s][0], rows = sizes[s][1];
		resize_term(rows, cols);
		draw(cols, rows, 0);
		size_t len = 0;
		for (int i = 0; i < runs; i++) {
			int64_t t0 = now_ns();
			len = mirror_snapshot(&buf, &cap);
			us[i] = (double)(now_ns() - t0) / 1e3;
		}
		char extra[64];
		snprintf(extra, sizeof extra, ", %zu bytes a frame", len);
		printf("%dx%d (%d cells):\n", cols, rows, cols * rows);
		report("snapshot", us, runs, extra);
		for (int i = 0; i < runs; i++) {
			draw(cols, rows, i % 4);
			drain(fd);
			spin(l);
			int64_t t0 = now_ns();
			mirror_painted(m);
			mirror_update(m, true);
			us[i] = (double)(now_ns() - t0) / 1e3;
		}
		report("update, new screen (sent)", us, runs, NULL);
		for (int i = 0; i < runs; i++) {
			drain(fd);
			int64_t t0 = now_ns();
			mirror_painted(m);
			mirror_update(m, true);
			us[i] = (double)(now_ns() - t0) / 1e3;
		}
		report("update, same screen (not sent)", us, runs, NULL);
	}
	endwin();
	delscreen(scr);
	printf("viewers dropped: %lu\n", mirror_dropped(m));
	close(fd);
	mirror_free(m);
	loop_free(l);
	rmdir(dir);
	free(us);
	free(buf);
	return 0;
}
