/* test_mirror.c: kiosk/mirror.c in a real event loop, with viewers that are
 * plain sockets: the socket file (mode 0600, a regular file or a live
 * socket at the path refused, a stale one replaced, removed at the end),
 * frames to every viewer, the queue cap (a viewer that never reads is
 * dropped, by frames and by bytes, never waited for, while one that reads
 * keeps everything), at most MIRROR_MAX_VIEWERS viewers (the rest told and
 * closed), bytes from a viewer read and thrown away, end of file, 100
 * connections in a row leaving no descriptor behind, and mirror_update's
 * placeholder and its "same screen, not again".
 */
#include <criterion/criterion.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "loop.h"
#include "mirror.h"

static char dir[256];
static char spec[400];
static char logpath[400];

static void setup(void)
{
	snprintf(dir, sizeof dir, "/tmp/kiosk-mirror-test-XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
	snprintf(spec, sizeof spec, "unix:%s/m.sock", dir);
	snprintf(logpath, sizeof logpath, "%s/kiosk.log", dir);
	cr_assert_eq(log_open(logpath), 0);
}

static void teardown(void)
{
	log_close();
	char cmd[400];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
}

TestSuite(mirror, .init = setup, .fini = teardown, .timeout = 30);

static const char *sock_path(void) { return spec + 5; }

static long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static long stop_timer(struct loop *l, long long id, void *ud)
{
	loop_stop(l, 0);
	return -1;
}

/* One short turn of the loop: what is ready now is handled. */
static void spin(struct loop *l, long ms)
{
	long long t = loop_timer_add(l, ms, stop_timer, NULL);
	loop_run(l);
	loop_timer_del(l, t);
}

/* Spins until the mirror has n viewers (or 3 s). */
static bool wait_viewers(struct loop *l, struct mirror *m, int n)
{
	long long end = now_ms() + 3000;
	while (mirror_viewers(m) != n && now_ms() < end)
		spin(l, 5);
	return mirror_viewers(m) == n;
}

static int client(void)
{
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	cr_assert_geq(fd, 0);
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	snprintf(sa.sun_path, sizeof sa.sun_path, "%.100s", sock_path());
	cr_assert_eq(connect(fd, (struct sockaddr *)&sa, sizeof sa), 0, "connect: %s", strerror(errno));
	return fd;
}

/* Reads what is there within ms (non-blocking after the first poll). */
static size_t drain(int fd, char *buf, size_t n, int ms)
{
	size_t got = 0;
	struct pollfd p = { fd, POLLIN, 0 };
	while (got < n && poll(&p, 1, ms) > 0) {
		ssize_t r = recv(fd, buf + got, n - got, MSG_DONTWAIT);
		if (r <= 0)
			break;
		got += (size_t)r;
		ms = 20;
	}
	return got;
}

static bool at_eof(int fd, int ms)
{
	char b[4096];
	struct pollfd p = { fd, POLLIN, 0 };
	long long end = now_ms() + ms;
	while (now_ms() < end) {
		if (poll(&p, 1, 50) <= 0)
			continue;
		ssize_t r = recv(fd, b, sizeof b, MSG_DONTWAIT);
		if (r == 0 || (r < 0 && errno != EAGAIN))
			return true;
	}
	return false;
}

static int count_fds(void)
{
	int n = 0;
	DIR *d = opendir("/proc/self/fd");
	for (struct dirent *e; d && (e = readdir(d));)
		n += e->d_name[0] != '.';
	if (d)
		closedir(d);
	return n;
}

static int log_count(const char *needle)
{
	FILE *f = fopen(logpath, "r");
	if (!f)
		return 0;
	char line[1024];
	int n = 0;
	while (fgets(line, sizeof line, f))
		n += strstr(line, needle) != NULL;
	fclose(f);
	return n;
}

static int changes;
static void on_change(void *ud) { changes++; }

/* ---- the socket file ---- */

Test(mirror, socket_is_0600_and_removed_at_the_end)
{
	struct loop *l = loop_new();
	char err[300] = "";
	umask(022);
	struct mirror *m = mirror_open(l, spec, err, sizeof err);
	cr_assert_not_null(m, "%s", err);
	struct stat st;
	cr_assert_eq(lstat(sock_path(), &st), 0);
	cr_assert(S_ISSOCK(st.st_mode));
	cr_assert_eq(st.st_mode & 0777, 0600, "mode %o", st.st_mode & 0777);
	cr_assert_eq(mirror_viewers(m), 0);
	mirror_free(m);
	cr_assert_neq(lstat(sock_path(), &st), 0, "the socket file is left behind");
	mirror_free(NULL);
	loop_free(l);
}

Test(mirror, a_regular_file_at_the_path_is_refused_and_left_alone)
{
	FILE *f = fopen(sock_path(), "w");
	cr_assert_not_null(f);
	fputs("precious", f);
	fclose(f);
	struct loop *l = loop_new();
	char err[300] = "";
	cr_assert_null(mirror_open(l, spec, err, sizeof err));
	cr_assert(strstr(err, "not a socket"), "%s", err);
	char buf[32] = "";
	f = fopen(sock_path(), "r");
	cr_assert_not_null(f);
	cr_assert_not_null(fgets(buf, sizeof buf, f));
	fclose(f);
	cr_assert_str_eq(buf, "precious");
	/* A folder, a link: refused too. */
	cr_assert_eq(unlink(sock_path()), 0);
	cr_assert_eq(mkdir(sock_path(), 0700), 0);
	cr_assert_null(mirror_open(l, spec, err, sizeof err));
	cr_assert_eq(rmdir(sock_path()), 0);
	cr_assert_eq(symlink("/etc/passwd", sock_path()), 0);
	cr_assert_null(mirror_open(l, spec, err, sizeof err));
	cr_assert_eq(unlink(sock_path()), 0);
	loop_free(l);
}

Test(mirror, a_stale_socket_is_replaced_a_live_one_refused)
{
	/* Left by a kiosk that died: bound, nobody listening. */
	int s = socket(AF_UNIX, SOCK_STREAM, 0);
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	snprintf(sa.sun_path, sizeof sa.sun_path, "%.100s", sock_path());
	cr_assert_eq(bind(s, (struct sockaddr *)&sa, sizeof sa), 0);
	close(s);
	struct loop *l = loop_new();
	char err[300] = "";
	struct mirror *m = mirror_open(l, spec, err, sizeof err);
	cr_assert_not_null(m, "%s", err);
	/* A second kiosk on the same path: refused, the first one untouched. */
	cr_assert_null(mirror_open(l, spec, err, sizeof err));
	cr_assert(strstr(err, "in use"), "%s", err);
	int c = client();
	cr_assert(wait_viewers(l, m, 1));
	close(c);
	mirror_free(m);
	loop_free(l);
}

Test(mirror, bad_specs)
{
	cr_assert_not_null(mirror_spec_problem(NULL));
	cr_assert_not_null(mirror_spec_problem(""));
	cr_assert_not_null(mirror_spec_problem("unix:"));
	cr_assert_not_null(mirror_spec_problem("/tmp/m.sock"));
	cr_assert_not_null(mirror_spec_problem("tcp:127.0.0.1:9"));
	cr_assert_not_null(mirror_spec_problem("unix:/tmp/a\033[2Jb"));
	char lng[200] = "unix:/";
	memset(lng + 6, 'a', 150);
	lng[156] = '\0';
	cr_assert_not_null(mirror_spec_problem(lng));
	cr_assert_null(mirror_spec_problem("unix:/run/kiosk/mirror.sock"));
	cr_assert_null(mirror_spec_problem("unix:m.sock"));
	struct loop *l = loop_new();
	char err[300] = "";
	cr_assert_null(mirror_open(l, "unix:/nonexistent-dir/x/m.sock", err, sizeof err));
	cr_assert(strstr(err, "cannot create"), "%s", err);
	loop_free(l);
}

/* ---- viewers ---- */

Test(mirror, frames_reach_every_viewer)
{
	struct loop *l = loop_new();
	char err[300];
	struct mirror *m = mirror_open(l, spec, err, sizeof err);
	cr_assert_not_null(m, "%s", err);
	changes = 0;
	mirror_on_change(m, on_change, NULL);
	int a = client(), b = client();
	cr_assert(wait_viewers(l, m, 2));
	cr_assert_eq(changes, 2);
	mirror_send(m, "frame-1", 7);
	spin(l, 5);
	char buf[64] = "";
	cr_assert_eq(drain(a, buf, sizeof buf, 1000), 7);
	cr_assert(!memcmp(buf, "frame-1", 7));
	cr_assert_eq(drain(b, buf, sizeof buf, 1000), 7);
	close(a);
	cr_assert(wait_viewers(l, m, 1), "end of file closes the viewer");
	cr_assert_eq(changes, 3);
	cr_assert_eq(log_count("mirror: viewer 1 left"), 1);
	mirror_free(m); /* closes b */
	cr_assert(at_eof(b, 1000));
	close(b);
	loop_free(l);
}

static void slow_viewer(size_t frame_len)
{
	struct loop *l = loop_new();
	char err[300];
	struct mirror *m = mirror_open(l, spec, err, sizeof err);
	cr_assert_not_null(m, "%s", err);
	int slow = client(), fast = client();
	cr_assert(wait_viewers(l, m, 2));
	char *frame = malloc(frame_len), *sink = malloc(frame_len * 2);
	memset(frame, 'x', frame_len);
	size_t fast_got = 0;
	int sent = 0;
	long long worst = 0;
	/* The slow one never reads: the kernel's buffer fills, then the
	 * queue; then it is dropped. No send may wait for it. */
	while (mirror_viewers(m) == 2 && sent < 500) {
		long long t0 = now_ms();
		mirror_send(m, frame, frame_len);
		long long dt = now_ms() - t0;
		worst = dt > worst ? dt : worst;
		sent++;
		for (int i = 0; i < 20; i++) {
			spin(l, 1);
			fast_got += drain(fast, sink, frame_len * 2, 1);
		}
	}
	cr_assert_eq(mirror_viewers(m), 1, "the slow viewer was never dropped (%d frames)", sent);
	cr_assert_eq(mirror_dropped(m), 1);
	cr_assert_lt(worst, 200, "a send took %lld ms", worst);
	cr_assert_eq(log_count("dropped: not reading"), 1);
	/* The one that reads has had every frame. */
	for (int i = 0; i < 100 && fast_got < (size_t)sent * frame_len; i++) {
		spin(l, 2);
		fast_got += drain(fast, sink, frame_len * 2, 5);
	}
	cr_assert_eq(fast_got, (size_t)sent * frame_len);
	cr_assert(at_eof(slow, 2000), "the dropped viewer's socket is closed");
	close(slow);
	close(fast);
	mirror_free(m);
	free(frame);
	free(sink);
	loop_free(l);
}

Test(mirror, a_viewer_that_never_reads_is_dropped_by_frames) { slow_viewer(20000); }
Test(mirror, a_viewer_that_never_reads_is_dropped_by_bytes) { slow_viewer(400000); }

/* The queue's cap exactly: with the socket's buffer full, a viewer holds
 * MIRROR_QUEUE_FRAMES frames; the next one drops it. */
Test(mirror, the_queue_holds_so_many_frames)
{
	struct loop *l = loop_new();
	char err[300];
	struct mirror *m = mirror_open(l, spec, err, sizeof err);
	cr_assert_not_null(m, "%s", err);
	int slow = client();
	cr_assert(wait_viewers(l, m, 1));
	/* One frame bigger than the socket's buffer (and within the byte
	 * cap): it stays in the queue. */
	size_t big = MIRROR_QUEUE_BYTES - 100000;
	char *frame = calloc(1, big);
	mirror_send(m, frame, big);
	cr_assert_eq(mirror_viewers(m), 1, "one frame, even a big one, is queued");
	for (int i = 1; i < MIRROR_QUEUE_FRAMES; i++) {
		mirror_send(m, "small", 5);
		cr_assert_eq(mirror_viewers(m), 1, "frame %d of %d dropped it", i + 1, MIRROR_QUEUE_FRAMES);
	}
	mirror_send(m, "small", 5);
	cr_assert_eq(mirror_viewers(m), 0, "one frame more than the queue holds");
	cr_assert_eq(mirror_dropped(m), 1);
	close(slow);
	free(frame);
	mirror_free(m);
	loop_free(l);
}

Test(mirror, at_most_so_many_viewers_the_rest_told_and_closed)
{
	struct loop *l = loop_new();
	char err[300];
	struct mirror *m = mirror_open(l, spec, err, sizeof err);
	cr_assert_not_null(m, "%s", err);
	int fds[MIRROR_MAX_VIEWERS + 2];
	for (int i = 0; i < MIRROR_MAX_VIEWERS; i++)
		fds[i] = client();
	cr_assert(wait_viewers(l, m, MIRROR_MAX_VIEWERS));
	for (int i = MIRROR_MAX_VIEWERS; i < MIRROR_MAX_VIEWERS + 2; i++)
		fds[i] = client();
	spin(l, 20);
	cr_assert_eq(mirror_viewers(m), MIRROR_MAX_VIEWERS);
	for (int i = MIRROR_MAX_VIEWERS; i < MIRROR_MAX_VIEWERS + 2; i++) {
		char buf[256] = "";
		size_t n = drain(fds[i], buf, sizeof buf - 1, 1000);
		cr_assert_gt(n, 0);
		cr_assert(strstr(buf, "at most 8") && buf[n - 1] == '\n', "%s", buf);
		cr_assert_eq(strchr(buf, '\n'), buf + n - 1, "one line");
		cr_assert(at_eof(fds[i], 1000));
	}
	cr_assert_eq(log_count("mirror: refused"), 1, "refusals are logged, not each one");
	/* One leaves: the next one is let in. */
	close(fds[0]);
	cr_assert(wait_viewers(l, m, MIRROR_MAX_VIEWERS - 1));
	fds[0] = client();
	cr_assert(wait_viewers(l, m, MIRROR_MAX_VIEWERS));
	for (int i = 0; i < MIRROR_MAX_VIEWERS + 2; i++)
		close(fds[i]);
	mirror_free(m);
	loop_free(l);
}

/* Viewers that went before the loop noticed do not keep others out. */
Test(mirror, viewers_gone_unnoticed_hold_no_place)
{
	struct loop *l = loop_new();
	char err[300];
	struct mirror *m = mirror_open(l, spec, err, sizeof err);
	cr_assert_not_null(m, "%s", err);
	int fds[MIRROR_MAX_VIEWERS];
	for (int i = 0; i < MIRROR_MAX_VIEWERS; i++)
		fds[i] = client();
	cr_assert(wait_viewers(l, m, MIRROR_MAX_VIEWERS));
	for (int i = 0; i < MIRROR_MAX_VIEWERS; i++)
		close(fds[i]);
	/* Connected before the loop runs again: accepted in the same pass
	 * as the others' ends are seen. */
	int a = client(), b = client();
	spin(l, 20);
	spin(l, 20);
	cr_assert_eq(mirror_viewers(m), 2);
	cr_assert_eq(log_count("mirror: refused"), 0);
	close(a);
	close(b);
	mirror_free(m);
	loop_free(l);
}

Test(mirror, what_a_viewer_sends_is_read_and_thrown_away)
{
	struct loop *l = loop_new();
	char err[300];
	struct mirror *m = mirror_open(l, spec, err, sizeof err);
	cr_assert_not_null(m, "%s", err);
	int c = client();
	cr_assert(wait_viewers(l, m, 1));
	/* Keys, control characters, escape sequences: 4 MiB of them. */
	char junk[4096];
	for (size_t i = 0; i < sizeof junk; i++)
		junk[i] = "q\003\r\033[A1\n"[i % 9];
	size_t sent = 0;
	fcntl(c, F_SETFL, O_NONBLOCK);
	long long end = now_ms() + 10000;
	while (sent < 4u * 1024 * 1024 && now_ms() < end) {
		ssize_t n = send(c, junk, sizeof junk, MSG_NOSIGNAL);
		if (n > 0)
			sent += (size_t)n;
		else
			spin(l, 1); /* the kiosk reads: the sender is never stuck */
	}
	cr_assert_geq(sent, 4u * 1024 * 1024, "the viewer's bytes were not read");
	spin(l, 10);
	cr_assert_eq(mirror_viewers(m), 1);
	mirror_send(m, "still", 5);
	char buf[16] = "";
	cr_assert_eq(drain(c, buf, sizeof buf, 1000), 5);
	cr_assert(!memcmp(buf, "still", 5));
	close(c);
	mirror_free(m);
	loop_free(l);
}

Test(mirror, a_hundred_connections_in_a_row)
{
	struct loop *l = loop_new();
	char err[300];
	struct mirror *m = mirror_open(l, spec, err, sizeof err);
	cr_assert_not_null(m, "%s", err);
	spin(l, 1);
	int before = count_fds();
	long long t0 = now_ms();
	for (int i = 0; i < 100; i++) {
		int c = client();
		if (i % 2)
			spin(l, 0); /* half of them accepted before they go */
		close(c);
	}
	cr_assert(wait_viewers(l, m, 0));
	spin(l, 20);
	cr_assert_eq(mirror_viewers(m), 0);
	cr_assert_eq(count_fds(), before, "descriptors left behind");
	cr_assert_lt(now_ms() - t0, 3000);
	/* And then a viewer works as ever. */
	int c = client();
	cr_assert(wait_viewers(l, m, 1));
	close(c);
	mirror_free(m);
	loop_free(l);
}

/* ---- mirror_update ---- */

Test(mirror, update_sends_a_screen_once_and_the_placeholder_when_private)
{
	struct loop *l = loop_new();
	char err[300];
	struct mirror *m = mirror_open(l, spec, err, sizeof err);
	cr_assert_not_null(m, "%s", err);
	mirror_update(m, true); /* nobody watches: nothing */
	int c = client();
	cr_assert(wait_viewers(l, m, 1));
	char buf[4096] = "";
	mirror_update(m, true);
	size_t n = drain(c, buf, sizeof buf - 1, 1000);
	cr_assert_gt(n, 0, "a new viewer gets the screen at once");
	cr_assert(!memcmp(buf, "\033[?2026h", 8) && !memcmp(buf + n - 8, "\033[?2026l", 8));
	/* Painted again, the same: not sent again. */
	mirror_painted(m);
	mirror_update(m, true);
	cr_assert_eq(drain(c, buf, sizeof buf - 1, 100), 0);
	/* Private: the placeholder, once. */
	mirror_update(m, false);
	memset(buf, 0, sizeof buf);
	n = drain(c, buf, sizeof buf - 1, 1000);
	cr_assert(strstr(buf, "mirror paused"), "%s", buf);
	mirror_painted(m);
	mirror_update(m, false);
	cr_assert_eq(drain(c, buf, sizeof buf - 1, 100), 0);
	/* A second viewer gets the placeholder too, the first nothing more. */
	int d = client();
	cr_assert(wait_viewers(l, m, 2));
	mirror_update(m, false);
	memset(buf, 0, sizeof buf);
	drain(d, buf, sizeof buf - 1, 1000);
	cr_assert(strstr(buf, "mirror paused"), "%s", buf);
	cr_assert_eq(drain(c, buf, sizeof buf - 1, 100), 0);
	close(c);
	close(d);
	mirror_free(m);
	loop_free(l);
}

/* ---- tools/kiosk-mirror: what comes from the socket is filtered ---- */

/* Serves payload to one connection of kiosk-mirror [--once], run with its
 * output into a pipe; returns what it printed (caller frees), *status its
 * exit status. */
static char *run_tool(const char *payload, size_t len, bool once, int *status)
{
	char exe[4096];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	cr_assert_gt(n, 0);
	exe[n] = '\0';
	*strrchr(exe, '/') = '\0'; /* .../tests */
	char tool[4200];
	snprintf(tool, sizeof tool, "%s/../kiosk-mirror", exe);
	cr_assert_eq(access(tool, X_OK), 0, "%s is missing (make all)", tool);
	int ls = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	snprintf(sa.sun_path, sizeof sa.sun_path, "%.100s", sock_path());
	cr_assert_eq(bind(ls, (struct sockaddr *)&sa, sizeof sa), 0);
	cr_assert_eq(listen(ls, 1), 0);
	int out[2];
	cr_assert_eq(pipe(out), 0);
	pid_t pid = fork();
	cr_assert_geq(pid, 0);
	if (pid == 0) {
		dup2(out[1], 1);
		int devnull = open("/dev/null", O_RDWR);
		dup2(devnull, 0);
		dup2(devnull, 2);
		execl(tool, tool, once ? "--once" : sock_path(), once ? sock_path() : (char *)NULL, (char *)NULL);
		_exit(127);
	}
	close(out[1]);
	int c = accept(ls, NULL, NULL);
	cr_assert_geq(c, 0);
	cr_assert_eq(send(c, payload, len, MSG_NOSIGNAL), (ssize_t)len);
	close(c);
	close(ls);
	unlink(sock_path());
	size_t cap = 65536, got = 0;
	char *buf = calloc(1, cap + 1);
	ssize_t r;
	while ((r = read(out[0], buf + got, cap - got)) > 0)
		got += (size_t)r;
	close(out[0]);
	cr_assert_eq(waitpid(pid, status, 0), pid);
	buf[got] = '\0';
	return buf;
}

#define HOSTILE \
	"\033[?2026h\033[0m\033[H\033[2J\033[1;1Hab\033]0;evil title\007cd\033Pq#0\033\\ef" \
	"\302\23331m\342\200\256RTL\033[6n\033[2;1H\344\270\255\346\226\207x\033[?1049l\007\010\r\n" \
	"\033[31;1mred\340\200\257\355\240\200\033[?25l\033[3;1Hthird\033[5;3H\033[?2026l"

Test(mirror, kiosk_mirror_once_prints_the_frame_as_text_and_nothing_else)
{
	int st = -1;
	char *out = run_tool(HOSTILE, sizeof HOSTILE - 1, true, &st);
	cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0, "status %#x", st);
	cr_assert_str_eq(out, "abcdef?31m?RTL\n中文xred??\nthird\n");
	free(out);
}

Test(mirror, kiosk_mirror_passes_only_the_frames_own_sequences)
{
	int st = -1;
	char *out = run_tool(HOSTILE, sizeof HOSTILE - 1, false, &st);
	cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 1, "status %#x (closed by the kiosk: 1)", st);
	cr_assert(strstr(out, "\033[2;1H中文x\033[31;1mred"), "%s", out);
	for (const char *p = out; *p; p++) {
		unsigned char ch = (unsigned char)*p;
		if (ch != 0x1b) {
			cr_assert_geq(ch, 0x20, "a control character 0x%02x reached the terminal", ch);
			continue;
		}
		/* Only CSI with digits, ';' and '?', ending in H J K m h l. */
		cr_assert_eq(p[1], '[', "ESC %c reached the terminal", p[1]);
		const char *q = p + 2;
		while ((*q >= '0' && *q <= '9') || *q == ';' || *q == '?')
			q++;
		cr_assert(*q && strchr("HJKmhl", *q), "ESC [ ... %c reached the terminal", *q);
		if (*q == 'h' || *q == 'l')
			cr_assert(!strncmp(p + 2, "?2026", 5), "mode %.8s reached the terminal", p + 2);
		p = q;
	}
	cr_assert_null(strstr(out, "\342\200\256"), "a bidi control reached the terminal");
	cr_assert_null(strstr(out, "\302\233"), "a C1 control reached the terminal");
	free(out);
}
