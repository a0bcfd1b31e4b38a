/* test_scan.c: the scanner backends in a real event loop: a FIFO, a
 * folder of pictures, a serial port (a pty), the camera (absent, and a
 * test frame source), bad specs, freeing a scanner from its own callback,
 * and libzbar: mapped only once a scanner that reads pictures starts, and
 * its absence reported like a missing device. */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <qrencode.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "loop.h"
#include "qrcode.h"
#include "scan.h"
#include "../../kiosk/devices/scan_int.h"

#define MAX_EVENTS 64

struct event {
	enum scan_event ev;
	char *code;
	size_t len;
	char why[256];
	char source[128];
};

struct rec {
	struct loop *l;
	struct event evs[MAX_EVENTS];
	int n;
	int want;            /* stop the loop once this many events came */
	bool timed_out;
	struct scanner *free_me_on_code; /* scanner_free from inside the callback */
};

static void on_scan(void *ud, enum scan_event ev, const char *code, size_t len,
                    const char *source, const char *why)
{
	struct rec *r = ud;
	cr_assert_lt(r->n, MAX_EVENTS);
	struct event *e = &r->evs[r->n++];
	e->ev = ev;
	e->len = len;
	if (code) {
		e->code = malloc(len + 1);
		memcpy(e->code, code, len);
		e->code[len] = '\0';
	}
	snprintf(e->why, sizeof e->why, "%s", why ? why : "");
	snprintf(e->source, sizeof e->source, "%s", source ? source : "");
	if (ev == SCAN_CODE && r->free_me_on_code) {
		scanner_free(r->free_me_on_code);
		r->free_me_on_code = NULL;
	}
	if (r->want && r->n >= r->want)
		loop_stop(r->l, 0);
}

static long on_timeout(struct loop *l, long long id, void *ud)
{
	struct rec *r = ud;
	r->timed_out = true;
	loop_stop(l, 1);
	return -1;
}

/* Runs the loop until `total` events in all have come, or ms passed. */
static bool run_until(struct rec *r, int total, long ms)
{
	r->want = total;
	r->timed_out = false;
	if (r->n >= total)
		return true;
	long long t = loop_timer_add(r->l, ms, on_timeout, r);
	loop_run(r->l);
	loop_timer_del(r->l, t);
	r->want = 0;
	return r->n >= total;
}

/* Runs the loop for ms, whatever comes. */
static void run_for(struct rec *r, long ms)
{
	r->want = 0;
	long long t = loop_timer_add(r->l, ms, on_timeout, r);
	loop_run(r->l);
	loop_timer_del(r->l, t);
}

static void rec_init(struct rec *r)
{
	memset(r, 0, sizeof *r);
	r->l = loop_new();
}

static void rec_free(struct rec *r)
{
	for (int i = 0; i < r->n; i++)
		free(r->evs[i].code);
	loop_free(r->l);
}

static const char *ev_name(enum scan_event ev)
{
	static const char *names[] = { "CODE", "TOO_LONG", "NO_CODE", "BAD_FILE", "FAILED", "READY" };
	return (unsigned)ev < 6 ? names[ev] : "?";
}

static void expect_ev(struct rec *r, int i, enum scan_event ev)
{
	cr_assert_lt(i, r->n, "event %d (%s) never came (%d events)", i, ev_name(ev), r->n);
	cr_assert_eq(r->evs[i].ev, ev, "event %d is %s (%s), want %s", i, ev_name(r->evs[i].ev),
	             r->evs[i].why, ev_name(ev));
}

static void expect_code(struct rec *r, int i, const char *code, size_t len)
{
	expect_ev(r, i, SCAN_CODE);
	cr_assert_eq(r->evs[i].len, len, "event %d: length %zu, want %zu", i, r->evs[i].len, len);
	cr_assert(memcmp(r->evs[i].code, code, len) == 0, "event %d: bytes differ", i);
}
#define EXPECT_CODE(r, i, lit) expect_code(r, i, lit, sizeof(lit) - 1)

static char *tmpdir(void)
{
	char *d = strdup("/tmp/kiosk-scan-XXXXXX");
	cr_assert_not_null(mkdtemp(d));
	return d;
}

static void rm_rf(const char *dir)
{
	char cmd[512];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	cr_assert_eq(system(cmd), 0);
}

static void write_all(int fd, const void *p, size_t n)
{
	const char *c = p;
	while (n) {
		ssize_t k = write(fd, c, n);
		cr_assert_gt(k, 0, "write: %s", strerror(errno));
		c += k;
		n -= (size_t)k;
	}
}

/* ---- QR pictures -------------------------------------------------------- */

static unsigned char *render(const char *payload, int scale, int *w, int *h)
{
	QRcode *q = QRcode_encodeData((int)strlen(payload), (const unsigned char *)payload, 0,
	                              QR_ECLEVEL_M);
	cr_assert_not_null(q);
	int mods = q->width + 8;
	*w = *h = mods * scale;
	unsigned char *px = malloc((size_t)*w * *h);
	for (int y = 0; y < *h; y++)
		for (int x = 0; x < *w; x++) {
			int mx = x / scale - 4, my = y / scale - 4;
			bool on = mx >= 0 && my >= 0 && mx < q->width && my < q->width &&
			          (q->data[my * q->width + mx] & 1);
			px[(size_t)y * *w + x] = on ? 0 : 255;
		}
	QRcode_free(q);
	return px;
}

/* Writes a file the way a careful producer does: a temporary name, then a
 * rename into place. */
static void put_file(const char *dir, const char *name, const void *data, size_t len)
{
	char tmp[512], dst[512];
	snprintf(tmp, sizeof tmp, "%s/.%s.part", dir, name);
	snprintf(dst, sizeof dst, "%s/%s", dir, name);
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	cr_assert_geq(fd, 0, "%s: %s", tmp, strerror(errno));
	write_all(fd, data, len);
	close(fd);
	cr_assert_eq(rename(tmp, dst), 0);
}

static void put_qr_pgm(const char *dir, const char *name, const char *payload)
{
	int w, h;
	unsigned char *px = render(payload, 3, &w, &h);
	char head[64];
	int n = snprintf(head, sizeof head, "P5\n%d %d\n255\n", w, h);
	size_t len = (size_t)n + (size_t)w * h;
	char *file = malloc(len);
	memcpy(file, head, (size_t)n);
	memcpy(file + n, px, (size_t)w * h);
	put_file(dir, name, file, len);
	free(file);
	free(px);
}

/* ---- fifo --------------------------------------------------------------- */

static int open_writer(const char *path)
{
	int fd = open(path, O_WRONLY | O_NONBLOCK);
	cr_assert_geq(fd, 0, "open %s: %s", path, strerror(errno));
	return fd;
}

Test(scan, fifo_lines_become_codes)
{
	struct rec r;
	rec_init(&r);
	char *dir = tmpdir();
	char path[256], spec[300], err[200];
	snprintf(path, sizeof path, "%s/scan.fifo", dir);
	snprintf(spec, sizeof spec, "fifo:%s", path);

	struct scanner *s = scanner_open(r.l, spec, on_scan, &r, err, sizeof err);
	cr_assert_not_null(s, "%s", err);
	cr_assert(scanner_ok(s));
	cr_assert_str_eq(scanner_spec(s), spec);
	struct stat st;
	cr_assert_eq(stat(path, &st), 0, "the FIFO was created");
	cr_assert(S_ISFIFO(st.st_mode));
	cr_assert_eq(st.st_mode & 0777, 0600);

	int fd = open_writer(path);
	const char *lines = "LOGIN-0001\nLOGIN-0002\r\n\n\r\nLOGIN-0003\n";
	write_all(fd, lines, strlen(lines));
	cr_assert(run_until(&r, 3, 3000), "%d events", r.n);
	EXPECT_CODE(&r, 0, "LOGIN-0001");
	EXPECT_CODE(&r, 1, "LOGIN-0002");
	EXPECT_CODE(&r, 2, "LOGIN-0003");
	cr_assert_str_eq(r.evs[0].source, spec);

	/* The producer goes away and comes back: no EOF storm, lines still come. */
	close(fd);
	run_for(&r, 100);
	cr_assert_eq(r.n, 3, "no events from a closed writer");
	fd = open_writer(path);
	write_all(fd, "LATE", 4);
	run_for(&r, 50);
	cr_assert_eq(r.n, 3, "half a line is not a code");
	write_all(fd, "R\n", 2);
	cr_assert(run_until(&r, 4, 3000));
	EXPECT_CODE(&r, 3, "LATER");
	close(fd);

	scanner_free(s);
	rec_free(&r);
	rm_rf(dir);
	free(dir);
}

Test(scan, fifo_too_long_line_is_dropped_and_next_works)
{
	struct rec r;
	rec_init(&r);
	char *dir = tmpdir();
	char path[256], spec[300], err[200];
	snprintf(path, sizeof path, "%s/in", dir);
	snprintf(spec, sizeof spec, "fifo:%s", path);
	struct scanner *s = scanner_open(r.l, spec, on_scan, &r, err, sizeof err);
	cr_assert_not_null(s, "%s", err);
	int fd = open_writer(path);

	size_t big = 10 * 1024;
	char *buf = malloc(big + 64);
	memset(buf, 'x', big);
	memcpy(buf + big, "\nAFTER-1\n", 9);
	write_all(fd, "BEFORE\n", 7);
	write_all(fd, buf, big + 9);
	/* the limit itself: exactly SCAN_MAX_CODE is fine, with LF or CRLF */
	memset(buf, 'y', SCAN_MAX_CODE);
	memcpy(buf + SCAN_MAX_CODE, "\r\n", 2);
	write_all(fd, buf, SCAN_MAX_CODE + 2);
	memcpy(buf + SCAN_MAX_CODE, "z\n", 2); /* one more: too long */
	write_all(fd, buf, SCAN_MAX_CODE + 2);
	write_all(fd, "AFTER-2\n", 8);

	cr_assert(run_until(&r, 6, 3000), "%d events", r.n);
	EXPECT_CODE(&r, 0, "BEFORE");
	expect_ev(&r, 1, SCAN_TOO_LONG);
	EXPECT_CODE(&r, 2, "AFTER-1");
	expect_ev(&r, 3, SCAN_CODE);
	cr_assert_eq(r.evs[3].len, SCAN_MAX_CODE);
	expect_ev(&r, 4, SCAN_TOO_LONG);
	EXPECT_CODE(&r, 5, "AFTER-2");
	run_for(&r, 50);
	cr_assert_eq(r.n, 6, "TOO_LONG once per line");

	free(buf);
	close(fd);
	scanner_free(s);
	rec_free(&r);
	rm_rf(dir);
	free(dir);
}

Test(scan, fifo_passes_bytes_raw)
{
	struct rec r;
	rec_init(&r);
	char *dir = tmpdir();
	char path[256], spec[300], err[200];
	snprintf(path, sizeof path, "%s/raw", dir);
	snprintf(spec, sizeof spec, "fifo:%s", path);
	struct scanner *s = scanner_open(r.l, spec, on_scan, &r, err, sizeof err);
	cr_assert_not_null(s, "%s", err);
	int fd = open_writer(path);

	static const char esc[] = "\x1b[2J\x1b]0;pwned\x07\x1b[31mRED\x9b" "1m\xe2\x80\xae\x00NUL\rCR";
	write_all(fd, esc, sizeof esc - 1);
	write_all(fd, "\n", 1);
	char rnd[300];
	unsigned st = 7;
	for (size_t i = 0; i < sizeof rnd; i++) {
		st = st * 1103515245u + 12345u;
		rnd[i] = (char)(st >> 16);
		if (rnd[i] == '\n')
			rnd[i] = 'n';
	}
	write_all(fd, rnd, sizeof rnd);
	write_all(fd, "\n", 1);
	cr_assert(run_until(&r, 2, 3000));
	expect_code(&r, 0, esc, sizeof esc - 1);
	expect_code(&r, 1, rnd, sizeof rnd - (rnd[sizeof rnd - 1] == '\r'));

	close(fd);
	scanner_free(s);
	rec_free(&r);
	rm_rf(dir);
	free(dir);
}

Test(scan, fifo_path_that_is_not_a_fifo_fails_then_recovers)
{
	struct rec r;
	rec_init(&r);
	scan_retry_ms = 100;
	char *dir = tmpdir();
	char path[256], spec[300], err[200];
	snprintf(path, sizeof path, "%s/plain", dir);
	snprintf(spec, sizeof spec, "fifo:%s", path);
	int fd = open(path, O_WRONLY | O_CREAT, 0600);
	close(fd);
	struct scanner *s = scanner_open(r.l, spec, on_scan, &r, err, sizeof err);
	cr_assert_not_null(s, "a device problem is not a spec error");
	cr_assert_not(scanner_ok(s));
	cr_assert_eq(r.n, 0, "reported from the loop, not from scanner_open");
	cr_assert(run_until(&r, 1, 2000));
	expect_ev(&r, 0, SCAN_FAILED);
	cr_assert(strstr(r.evs[0].why, "not a FIFO"), "%s", r.evs[0].why);
	unlink(path);
	cr_assert(run_until(&r, 2, 2000));
	expect_ev(&r, 1, SCAN_READY);
	cr_assert(scanner_ok(s));
	fd = open_writer(path);
	write_all(fd, "BACK-AGAIN\n", 11);
	cr_assert(run_until(&r, 3, 2000));
	EXPECT_CODE(&r, 2, "BACK-AGAIN");
	close(fd);
	scanner_free(s);
	rec_free(&r);
	rm_rf(dir);
	free(dir);
}

Test(scan, free_from_inside_the_callback)
{
	struct rec r;
	rec_init(&r);
	char *dir = tmpdir();
	char path[256], spec[300], err[200];
	snprintf(path, sizeof path, "%s/f", dir);
	snprintf(spec, sizeof spec, "fifo:%s", path);
	struct scanner *s = scanner_open(r.l, spec, on_scan, &r, err, sizeof err);
	cr_assert_not_null(s, "%s", err);
	r.free_me_on_code = s;
	int fd = open_writer(path);
	write_all(fd, "ONE\nTWO\nTHREE\n", 14);
	run_for(&r, 200);
	cr_assert_eq(r.n, 1, "nothing after the free");
	EXPECT_CODE(&r, 0, "ONE");
	close(fd);
	rec_free(&r);
	rm_rf(dir);
	free(dir);
}

/* ---- images ------------------------------------------------------------- */

Test(scan, images_code_bad_file_and_no_code)
{
	struct rec r;
	rec_init(&r);
	char *dir = tmpdir();
	char spec[300], err[200];
	snprintf(spec, sizeof spec, "images:%s/", dir);
	put_qr_pgm(dir, "old.pgm", "ALREADY-THERE"); /* before we watch: ignored */

	struct scanner *s = scanner_open(r.l, spec, on_scan, &r, err, sizeof err);
	cr_assert_not_null(s, "%s", err);
	cr_assert(scanner_ok(s));

	put_qr_pgm(dir, "login.pgm", "LOGIN-QR-4711");
	cr_assert(run_until(&r, 1, 5000), "no event");
	EXPECT_CODE(&r, 0, "LOGIN-QR-4711");

	put_file(dir, "junk.pgm", "P5\n100 100\n255\nshort", 20);
	cr_assert(run_until(&r, 2, 5000));
	expect_ev(&r, 1, SCAN_BAD_FILE);
	cr_assert(strstr(r.evs[1].why, "junk.pgm"), "%s", r.evs[1].why);
	cr_assert(strstr(r.evs[1].why, "truncated"), "%s", r.evs[1].why);

	static char blank[15 + 64 * 64];
	memcpy(blank, "P5\n64 64\n255\n", 13);
	memset(blank + 13, 200, sizeof blank - 13);
	put_file(dir, "blank.PGM", blank, 13 + 64 * 64);
	cr_assert(run_until(&r, 3, 5000));
	expect_ev(&r, 2, SCAN_NO_CODE);

	/* not pictures: ignored; written in place (close-after-write) counts */
	put_file(dir, "notes.txt", "hello", 5);
	char p[512];
	snprintf(p, sizeof p, "%s/direct.ppm", dir);
	FILE *f = fopen(p, "w");
	fputs("P3\n1 1\n255\n1 2 3\n", f);
	fclose(f);
	cr_assert(run_until(&r, 4, 5000));
	expect_ev(&r, 3, SCAN_NO_CODE);
	run_for(&r, 200);
	cr_assert_eq(r.n, 4, "old.pgm and notes.txt gave nothing");

	scanner_free(s);
	rec_free(&r);
	rm_rf(dir);
	free(dir);
}

Test(scan, images_several_files_in_order)
{
	struct rec r;
	rec_init(&r);
	char *dir = tmpdir();
	char spec[300], err[200];
	snprintf(spec, sizeof spec, "images:%s", dir);
	struct scanner *s = scanner_open(r.l, spec, on_scan, &r, err, sizeof err);
	cr_assert_not_null(s, "%s", err);
	put_qr_pgm(dir, "a.pgm", "CODE-A");
	put_qr_pgm(dir, "b.pnm", "CODE-B");
	put_qr_pgm(dir, "c.pgm", "CODE-C");
	cr_assert(run_until(&r, 3, 5000), "%d events", r.n);
	EXPECT_CODE(&r, 0, "CODE-A");
	EXPECT_CODE(&r, 1, "CODE-B");
	EXPECT_CODE(&r, 2, "CODE-C");
	scanner_free(s);
	rec_free(&r);
	rm_rf(dir);
	free(dir);
}

Test(scan, images_missing_dir_fails_then_works)
{
	struct rec r;
	rec_init(&r);
	scan_retry_ms = 150;
	char *dir = tmpdir();
	char sub[300], spec[320], err[200];
	snprintf(sub, sizeof sub, "%s/drop", dir);
	snprintf(spec, sizeof spec, "images:%s", sub);
	struct scanner *s = scanner_open(r.l, spec, on_scan, &r, err, sizeof err);
	cr_assert_not_null(s, "%s", err);
	cr_assert_not(scanner_ok(s));
	cr_assert(run_until(&r, 1, 2000));
	expect_ev(&r, 0, SCAN_FAILED);
	cr_assert(r.evs[0].why[0], "a reason");
	run_for(&r, 400);
	cr_assert_eq(r.n, 1, "FAILED once, not every retry");

	cr_assert_eq(mkdir(sub, 0700), 0);
	cr_assert(run_until(&r, 2, 2000));
	expect_ev(&r, 1, SCAN_READY);
	cr_assert(scanner_ok(s));
	put_qr_pgm(sub, "x.pgm", "AFTER-RETRY");
	cr_assert(run_until(&r, 3, 5000));
	EXPECT_CODE(&r, 2, "AFTER-RETRY");

	/* the folder vanishes */
	rm_rf(sub);
	cr_assert(run_until(&r, 4, 2000));
	expect_ev(&r, 3, SCAN_FAILED);
	cr_assert_not(scanner_ok(s));

	scanner_free(s);
	rec_free(&r);
	rm_rf(dir);
	free(dir);
}

Test(scan, images_free_while_decoding)
{
	struct rec r;
	rec_init(&r);
	char *dir = tmpdir();
	char spec[300], err[200];
	snprintf(spec, sizeof spec, "images:%s", dir);
	struct scanner *s = scanner_open(r.l, spec, on_scan, &r, err, sizeof err);
	cr_assert_not_null(s, "%s", err);
	for (int i = 0; i < 6; i++) {
		char name[32];
		snprintf(name, sizeof name, "f%d.pgm", i);
		put_qr_pgm(dir, name, "SOME-CODE");
	}
	/* let the loop see the files and the worker start, then free */
	run_for(&r, 30);
	scanner_free(s);
	int n = r.n;
	run_for(&r, 300); /* results already posted are dropped, not delivered */
	cr_assert_eq(r.n, n);
	rec_free(&r);
	rm_rf(dir);
	free(dir);
}

/* ---- serial ------------------------------------------------------------- */

static int open_pty(char *slave, size_t len)
{
	int m = posix_openpt(O_RDWR | O_NOCTTY);
	cr_assert_geq(m, 0);
	cr_assert_eq(grantpt(m), 0);
	cr_assert_eq(unlockpt(m), 0);
	cr_assert_eq(ptsname_r(m, slave, len), 0);
	return m;
}

Test(scan, serial_on_a_pty)
{
	struct rec r;
	rec_init(&r);
	scan_retry_ms = 100;
	char slave[128], spec[160], err[200];
	int m = open_pty(slave, sizeof slave);
	snprintf(spec, sizeof spec, "serial:%s,115200", slave);
	struct scanner *s = scanner_open(r.l, spec, on_scan, &r, err, sizeof err);
	cr_assert_not_null(s, "%s", err);
	cr_assert(scanner_ok(s), "opened");

	/* CR, CRLF and LF endings all end a code */
	const char *data = "SER-0001\rSER-0002\r\nSER-0003\n\r\n";
	write_all(m, data, strlen(data));
	cr_assert(run_until(&r, 3, 3000), "%d events", r.n);
	EXPECT_CODE(&r, 0, "SER-0001");
	EXPECT_CODE(&r, 1, "SER-0002");
	EXPECT_CODE(&r, 2, "SER-0003");
	run_for(&r, 50);
	cr_assert_eq(r.n, 3);

	/* the scanner is unplugged */
	close(m);
	cr_assert(run_until(&r, 4, 3000));
	expect_ev(&r, 3, SCAN_FAILED);
	cr_assert_not(scanner_ok(s));
	/* (Not checked: that the retries stay quiet. A test running in
	 * parallel may get the same /dev/pts number, and then it is back.) */

	scanner_free(s);
	rec_free(&r);
}

Test(scan, serial_default_baud_and_missing_device)
{
	struct rec r;
	rec_init(&r);
	char slave[128], spec[160], err[200];
	int m = open_pty(slave, sizeof slave);
	snprintf(spec, sizeof spec, "serial:%s", slave);
	struct scanner *s = scanner_open(r.l, spec, on_scan, &r, err, sizeof err);
	cr_assert_not_null(s, "%s", err);
	write_all(m, "DEFAULT-9600\r", 13);
	cr_assert(run_until(&r, 1, 3000));
	EXPECT_CODE(&r, 0, "DEFAULT-9600");
	scanner_free(s);
	close(m);

	struct scanner *s2 = scanner_open(r.l, "serial:/dev/ttyNOPE0,9600", on_scan, &r, err,
	                                  sizeof err);
	cr_assert_not_null(s2, "an absent device is not a spec error");
	cr_assert(run_until(&r, 2, 3000));
	expect_ev(&r, 1, SCAN_FAILED);
	cr_assert(strstr(r.evs[1].why, "/dev/ttyNOPE0"), "%s", r.evs[1].why);
	scanner_free(s2);
	rec_free(&r);
}

/* ---- camera ------------------------------------------------------------- */

Test(scan, absent_camera_fails_without_crashing)
{
	struct rec r;
	rec_init(&r);
	char err[200];
	struct scanner *s = scanner_open(r.l, "camera:/dev/video9", on_scan, &r, err, sizeof err);
	cr_assert_not_null(s, "%s", err);
	cr_assert_not(scanner_ok(s));
	cr_assert(run_until(&r, 1, 3000));
	expect_ev(&r, 0, SCAN_FAILED);
	cr_assert(strstr(r.evs[0].why, "video9"), "%s", r.evs[0].why);
	cr_assert_null(strchr(r.evs[0].why, '\n'), "one line: %s", r.evs[0].why);
	cr_assert_str_eq(r.evs[0].source, "camera:/dev/video9");
	scanner_free(s);
	rec_free(&r);
}

/* A frame source for tests: a byte on a pipe is a frame; 'x' is the camera
 * failing. The picture is whatever cam_pic holds. */
static struct {
	bool available;
	int pipe[2];
	unsigned char *pic;
	int w, h;
	int decoded, dropped, opens;
} cam;

static void *fake_open(const char *dev, char *why, size_t whylen)
{
	if (!cam.available) {
		snprintf(why, whylen, "no camera at %s", dev);
		return NULL;
	}
	cr_assert_eq(pipe(cam.pipe), 0);
	fcntl(cam.pipe[0], F_SETFL, O_NONBLOCK);
	cam.opens++;
	return &cam;
}

static int fake_fd(void *src)
{
	return cam.pipe[0];
}

static int fake_next(void *src, bool want, unsigned char **gray, int *w, int *h, char *why,
                     size_t whylen)
{
	char c;
	if (read(cam.pipe[0], &c, 1) != 1)
		return 0;
	if (c == 'x') {
		snprintf(why, whylen, "fake camera gone");
		return -1;
	}
	if (!want) {
		cam.dropped++;
		return 0;
	}
	cam.decoded++;
	*gray = malloc((size_t)cam.w * cam.h);
	memcpy(*gray, cam.pic, (size_t)cam.w * cam.h);
	*w = cam.w;
	*h = cam.h;
	return 1;
}

static void fake_close(void *src)
{
	close(cam.pipe[0]);
	close(cam.pipe[1]);
}

static const struct scan_camsrc fake_src = {
	.open = fake_open, .fd = fake_fd, .next = fake_next, .close = fake_close,
};

/* The code somewhere in a 640x480 frame, like a camera's picture. */
static void show(const char *payload)
{
	int w, h;
	unsigned char *qr = render(payload, 3, &w, &h);
	free(cam.pic);
	cam.w = 640;
	cam.h = 480;
	cam.pic = malloc(640 * 480);
	memset(cam.pic, 180, 640 * 480);
	for (int y = 0; y < h; y++)
		memcpy(cam.pic + (size_t)(y + 150) * 640 + 200, qr + (size_t)y * w, (size_t)w);
	free(qr);
}

static long t_frame(struct loop *l, long long id, void *ud)
{
	int *left = ud;
	if (write(cam.pipe[1], "f", 1) != 1)
		return -1;
	return --*left > 0 ? 60 : -1;
}

Test(scan, camera_frames_code_held_is_reported_once)
{
	struct rec r;
	rec_init(&r);
	scan_retry_ms = 100;
	scan_camsrc_override = &fake_src;
	cam.available = true;
	char err[200];
	struct scanner *s = scanner_open(r.l, "camera:fake0", on_scan, &r, err, sizeof err);
	cr_assert_not_null(s, "%s", err);
	cr_assert(scanner_ok(s));

	/* the same code in 6 frames, 60 ms apart */
	show("CAM-CODE-1");
	int left = 6;
	loop_timer_add(r.l, 0, t_frame, &left);
	run_for(&r, 600);
	cr_assert_eq(r.n, 1, "held in front of the camera: once (%d)", r.n);
	EXPECT_CODE(&r, 0, "CAM-CODE-1");
	cr_assert_geq(cam.decoded, 2, "it was really seen again (%d)", cam.decoded);

	/* a burst of frames while the worker is busy: dropped, not queued */
	show("CAM-CODE-2");
	write_all(cam.pipe[1], "ffffffffffffffffffff", 20);
	cr_assert(run_until(&r, 2, 2000));
	EXPECT_CODE(&r, 1, "CAM-CODE-2");
	run_for(&r, 300);
	cr_assert_eq(r.n, 2);
	cr_assert_gt(cam.dropped, 0, "frames dropped while busy");

	/* a frame without a code says nothing */
	free(cam.pic);
	cam.pic = calloc(1, 100 * 100);
	cam.w = cam.h = 100;
	write_all(cam.pipe[1], "f", 1);
	run_for(&r, 200);
	cr_assert_eq(r.n, 2);

	/* the camera vanishes, and comes back */
	write_all(cam.pipe[1], "x", 1);
	cr_assert(run_until(&r, 3, 2000));
	expect_ev(&r, 2, SCAN_FAILED);
	cr_assert_str_eq(r.evs[2].why, "fake camera gone");
	cr_assert(run_until(&r, 4, 2000));
	expect_ev(&r, 3, SCAN_READY);
	cr_assert_eq(cam.opens, 2);
	show("CAM-CODE-2");
	write_all(cam.pipe[1], "f", 1);
	run_for(&r, 300);
	cr_assert_eq(r.n, 4, "the same code within 2 s is still the same scan");
	show("CAM-CODE-1");
	write_all(cam.pipe[1], "f", 1);
	cr_assert(run_until(&r, 5, 2000));
	EXPECT_CODE(&r, 4, "CAM-CODE-1");

	scanner_free(s);
	free(cam.pic);
	rec_free(&r);
}

Test(scan, camera_absent_at_start_then_plugged_in)
{
	struct rec r;
	rec_init(&r);
	scan_retry_ms = 100;
	scan_camsrc_override = &fake_src;
	cam.available = false;
	char err[200];
	struct scanner *s = scanner_open(r.l, "camera:fake1", on_scan, &r, err, sizeof err);
	cr_assert_not_null(s, "%s", err);
	cr_assert(run_until(&r, 1, 2000));
	expect_ev(&r, 0, SCAN_FAILED);
	cr_assert_str_eq(r.evs[0].why, "no camera at fake1");
	cam.available = true;
	cr_assert(run_until(&r, 2, 2000));
	expect_ev(&r, 1, SCAN_READY);
	show("PLUGGED");
	write_all(cam.pipe[1], "f", 1);
	cr_assert(run_until(&r, 3, 2000));
	EXPECT_CODE(&r, 2, "PLUGGED");
	scanner_free(s);
	free(cam.pic);
	rec_free(&r);
}

/* ---- libzbar: loaded when pictures must be read ------------------------- */

/* Is libzbar mapped into this process? (Each Criterion test runs in a
 * process of its own.) */
static bool zbar_mapped(void)
{
	FILE *f = fopen("/proc/self/maps", "r");
	char line[4096];
	bool found = false;

	cr_assert_not_null(f);
	while (!found && fgets(line, sizeof line, f))
		found = strstr(line, "/libzbar.so") != NULL;
	fclose(f);
	return found;
}

Test(scan, zbar_is_mapped_only_once_pictures_are_read)
{
	cr_assert_not(zbar_mapped(), "libzbar is mapped before any scanner was opened: the "
	              "client objects must not link it (Makefile: zbar out of the kiosk's libraries)");
	struct rec r;
	rec_init(&r);
	char *dir = tmpdir();
	char path[300], spec[320], err[200];

	/* A line scanner reads no pictures. */
	snprintf(path, sizeof path, "%s/scan.fifo", dir);
	snprintf(spec, sizeof spec, "fifo:%s", path);
	struct scanner *f = scanner_open(r.l, spec, on_scan, &r, err, sizeof err);
	cr_assert_not_null(f, "%s", err);
	cr_assert(scanner_ok(f));
	int wfd = open_writer(path);
	write_all(wfd, "LINE-CODE\n", 10);
	cr_assert(run_until(&r, 1, 3000));
	EXPECT_CODE(&r, 0, "LINE-CODE");
	cr_assert_not(zbar_mapped(), "a fifo: scanner loaded libzbar");

	/* A picture scanner loads it when it starts, and reads with it. */
	char pics[300];
	snprintf(pics, sizeof pics, "%s/pics", dir);
	cr_assert_eq(mkdir(pics, 0700), 0);
	snprintf(spec, sizeof spec, "images:%s", pics);
	struct scanner *im = scanner_open(r.l, spec, on_scan, &r, err, sizeof err);
	cr_assert_not_null(im, "%s", err);
	cr_assert(scanner_ok(im));
	put_qr_pgm(pics, "code.pgm", "FROM-A-PICTURE");
	cr_assert(run_until(&r, 2, 5000));
	EXPECT_CODE(&r, 1, "FROM-A-PICTURE");
	cr_assert(zbar_mapped(), "a picture was decoded, but libzbar is not mapped");

	close(wfd);
	scanner_free(im);
	scanner_free(f);
	rec_free(&r);
	rm_rf(dir);
	free(dir);
}

/* Without libzbar (qr_zbar_library names one that is not there), the
 * picture scanners fail to start with the reason, once, and keep retrying
 * like a missing device; line scanners are not affected. */
static void no_zbar(const char *lib, const char *want_why)
{
	qr_zbar_library = lib;
	scan_retry_ms = 100;
	scan_camsrc_override = &fake_src;
	cam.available = true;
	struct rec r;
	rec_init(&r);
	char *dir = tmpdir();
	char spec[320], err[200];

	snprintf(spec, sizeof spec, "images:%s", dir);
	struct scanner *im = scanner_open(r.l, spec, on_scan, &r, err, sizeof err);
	cr_assert_not_null(im, "%s", err);
	cr_assert_not(scanner_ok(im));
	cr_assert(run_until(&r, 1, 2000));
	expect_ev(&r, 0, SCAN_FAILED);
	cr_assert_str_eq(r.evs[0].why, want_why);
	cr_assert_str_eq(r.evs[0].source, spec);

	struct scanner *cm = scanner_open(r.l, "camera:fake2", on_scan, &r, err, sizeof err);
	cr_assert_not_null(cm, "%s", err);
	cr_assert(run_until(&r, 2, 2000));
	expect_ev(&r, 1, SCAN_FAILED);
	cr_assert_str_eq(r.evs[1].why, want_why);
	cr_assert_str_eq(r.evs[1].source, "camera:fake2");
	cr_assert_eq(cam.opens, 0, "the camera is not opened without libzbar");

	/* the real camera source says the same */
	struct scanner *real = NULL;
	scan_camsrc_override = NULL;
	real = scanner_open(r.l, "camera:/dev/video9", on_scan, &r, err, sizeof err);
	cr_assert_not_null(real, "%s", err);
	cr_assert(run_until(&r, 3, 2000));
	expect_ev(&r, 2, SCAN_FAILED);
	cr_assert_str_eq(r.evs[2].why, want_why);

	/* pictures are not read, retries say nothing new, nothing crashes */
	put_qr_pgm(dir, "code.pgm", "NOT-READ");
	run_for(&r, 450);
	cr_assert_eq(r.n, 3, "FAILED once per scanner (%d events)", r.n);
	cr_assert_not(scanner_ok(im));
	cr_assert_not(scanner_ok(cm));

	/* a line scanner still works */
	char path[300];
	snprintf(path, sizeof path, "%s/line.fifo", dir);
	snprintf(spec, sizeof spec, "fifo:%s", path);
	struct scanner *f = scanner_open(r.l, spec, on_scan, &r, err, sizeof err);
	cr_assert_not_null(f, "%s", err);
	int wfd = open_writer(path);
	write_all(wfd, "STILL-WORKS\n", 12);
	cr_assert(run_until(&r, 4, 3000));
	EXPECT_CODE(&r, 3, "STILL-WORKS");
	close(wfd);

	scanner_free(f);
	scanner_free(real);
	scanner_free(cm);
	scanner_free(im);
	rec_free(&r);
	rm_rf(dir);
	free(dir);
}

Test(scan, no_zbar_picture_scanners_fail_with_the_reason)
{
	no_zbar("libzbar-missing-for-tests.so.0", "libzbar-missing-for-tests.so.0 not found");
	cr_assert_not(zbar_mapped());
}

Test(scan, zbar_without_its_functions_fails_with_the_reason)
{
	no_zbar("libm.so.6", "libm.so.6: no zbar_image_scanner_create");
}

/* ---- specs -------------------------------------------------------------- */

static void expect_bad_spec(const char *spec, const char *part)
{
	struct loop *l = loop_new();
	char err[200] = "";
	struct scanner *s = scanner_open(l, spec, on_scan, NULL, err, sizeof err);
	cr_assert_null(s, "\"%s\" was accepted", spec);
	cr_assert(err[0], "\"%s\": a message", spec);
	cr_assert(strstr(err, part), "\"%s\": message \"%s\" should mention \"%s\"", spec, err, part);
	loop_free(l);
}

Test(scan, bad_specs)
{
	expect_bad_spec("bogus:x", "unknown");
	expect_bad_spec("fifo:", "argument");
	expect_bad_spec("images:", "argument");
	expect_bad_spec("camera:", "argument");
	expect_bad_spec("serial:", "argument");
	expect_bad_spec("serial:/dev/x,12345", "baud");
	expect_bad_spec("serial:/dev/x,", "baud");
	expect_bad_spec("serial:/dev/x,96OO", "baud");
	expect_bad_spec("serial:,9600", "path");
	expect_bad_spec("no-colon", "kind:argument");
	expect_bad_spec("", "kind:argument");
	expect_bad_spec(":x", "unknown");
	expect_bad_spec("FIFO:/tmp/x", "unknown");
}

Test(scan, good_specs_open_even_without_a_device)
{
	struct loop *l = loop_new();
	char err[200];
	const char *specs[] = { "serial:/dev/ttyNOPE9,115200", "serial:/dev/ttyNOPE9,1200",
	                        "images:/nonexistent/dir", "camera:/dev/video9" };
	for (size_t i = 0; i < sizeof specs / sizeof specs[0]; i++) {
		struct scanner *s = scanner_open(l, specs[i], NULL, NULL, err, sizeof err);
		cr_assert_not_null(s, "%s: %s", specs[i], err);
		cr_assert_not(scanner_ok(s));
		scanner_free(s);
	}
	scanner_free(NULL);
	loop_free(l);
}
