/* test_scan_evdev.c: the evdev: scanner (scan_evdev.c) in a real event
 * loop (suite "scan_evdev").
 *
 * Recorded event streams (raw struct input_event records, as `cat
 * /dev/input/eventN` records them) in a regular file and in a FIFO: codes
 * with shift, SYN_DROPPED, a record split across writes, a stream that ends
 * mid-code, half a record of garbage, 100 KB of keys without Enter, a
 * control character; paths that are missing or not a scanner fail with
 * the reason and are retried; bad specs. A real input device through
 * /dev/uinput where there is one (the grab, a code, unplugging mid-scan);
 * where there is none the test says so and is skipped.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/input.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "loop.h"
#include "scan.h"
#include "../../kiosk/devices/scan_int.h"

/* The Makefile compiles tests without libevdev's -I (the kiosk and these
 * tests link it): the prototypes of the few uinput calls used here, from
 * libevdev 1.x, where its headers are not on the path. */
#if __has_include(<libevdev/libevdev-uinput.h>)
#include <libevdev/libevdev-uinput.h>
#include <libevdev/libevdev.h>
#else
struct libevdev;
struct libevdev_uinput;
struct libevdev *libevdev_new(void);
void libevdev_free(struct libevdev *dev);
void libevdev_set_name(struct libevdev *dev, const char *name);
int libevdev_enable_event_type(struct libevdev *dev, unsigned int type);
int libevdev_enable_event_code(struct libevdev *dev, unsigned int type, unsigned int code,
                               const void *data);
int libevdev_uinput_create_from_device(const struct libevdev *dev, int uinput_fd,
                                       struct libevdev_uinput **uinput_dev);
void libevdev_uinput_destroy(struct libevdev_uinput *uinput_dev);
const char *libevdev_uinput_get_devnode(struct libevdev_uinput *uinput_dev);
int libevdev_uinput_write_event(const struct libevdev_uinput *uinput_dev, unsigned int type,
                                unsigned int code, int value);
#endif

#define MAX_EVENTS 64

TestSuite(scan_evdev, .timeout = 60);

struct event {
	enum scan_event ev;
	char *code;
	size_t len;
	char why[256];
};

struct rec {
	struct loop *l;
	struct event evs[MAX_EVENTS];
	int n;
	int want;
	struct scanner *free_me_on_code;
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
	if (ev == SCAN_CODE && r->free_me_on_code) {
		scanner_free(r->free_me_on_code);
		r->free_me_on_code = NULL;
	}
	if (r->want && r->n >= r->want)
		loop_stop(r->l, 0);
}

static long on_timeout(struct loop *l, long long id, void *ud)
{
	loop_stop(l, 1);
	return -1;
}

static bool run_until(struct rec *r, int total, long ms)
{
	r->want = total;
	if (r->n >= total)
		return true;
	long long t = loop_timer_add(r->l, ms, on_timeout, r);
	loop_run(r->l);
	loop_timer_del(r->l, t);
	r->want = 0;
	return r->n >= total;
}

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

static void expect_code(struct rec *r, int i, const char *code)
{
	expect_ev(r, i, SCAN_CODE);
	cr_assert_str_eq(r->evs[i].code, code, "event %d", i);
	cr_assert_eq(r->evs[i].len, strlen(code));
}

static void expect_why(struct rec *r, int i, enum scan_event ev, const char *part)
{
	expect_ev(r, i, ev);
	cr_assert(strstr(r->evs[i].why, part), "event %d: \"%s\" does not say \"%s\"", i,
	          r->evs[i].why, part);
}

static char *tmpdir(void)
{
	char *d = strdup("/tmp/kiosk-evdev-XXXXXX");
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

/* ---- recording event streams --------------------------------------------- */

struct stream {
	struct input_event *ev;
	size_t n, cap;
};

static void put(struct stream *s, uint16_t type, uint16_t code, int32_t value)
{
	if (s->n == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 64;
		s->ev = realloc(s->ev, s->cap * sizeof *s->ev);
		cr_assert_not_null(s->ev);
	}
	struct input_event *e = &s->ev[s->n++];
	memset(e, 0, sizeof *e);
	e->time.tv_sec = 1700000000;
	e->time.tv_usec = (long)(s->n * 1000 % 1000000);
	e->type = type;
	e->code = code;
	e->value = value;
}

/* A key as a USB keyboard reports it: MSC_SCAN, the key, SYN_REPORT. */
static void key(struct stream *s, uint16_t code, int32_t value)
{
	put(s, EV_MSC, MSC_SCAN, 0x70000 + code);
	put(s, EV_KEY, code, value);
	put(s, EV_SYN, SYN_REPORT, 0);
}

static void tap(struct stream *s, uint16_t code)
{
	key(s, code, 1);
	key(s, code, 0);
}

/* Letters, digits and a few signs as a us scanner types them. */
static void type(struct stream *s, const char *text)
{
	static const char row1[] = "qwertyuiop", row2[] = "asdfghjkl", row3[] = "zxcvbnm";
	for (; *text; text++) {
		char c = *text;
		bool shift = (c >= 'A' && c <= 'Z') || c == ':' || c == '_';
		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		uint16_t code = 0;
		const char *p;
		if (c >= '1' && c <= '9')
			code = (uint16_t)(KEY_1 + (c - '1'));
		else if (c == '0')
			code = KEY_0;
		else if ((p = strchr(row1, c)))
			code = (uint16_t)(KEY_Q + (p - row1));
		else if ((p = strchr(row2, c)))
			code = (uint16_t)(KEY_A + (p - row2));
		else if ((p = strchr(row3, c)))
			code = (uint16_t)(KEY_Z + (p - row3));
		else if (c == '-' || c == '_')
			code = KEY_MINUS;
		else if (c == ':')
			code = KEY_SEMICOLON;
		else
			cr_assert_fail("type: no key for '%c'", c);
		if (shift)
			key(s, KEY_LEFTSHIFT, 1);
		tap(s, code);
		if (shift)
			key(s, KEY_LEFTSHIFT, 0);
	}
}

static void enter(struct stream *s)
{
	tap(s, KEY_ENTER);
}

static void stream_free(struct stream *s)
{
	free(s->ev);
	memset(s, 0, sizeof *s);
}

static void write_file(const char *path, const void *p, size_t n)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	cr_assert_geq(fd, 0, "%s: %s", path, strerror(errno));
	write_all(fd, p, n);
	close(fd);
}

static void write_stream(const char *path, const struct stream *s)
{
	write_file(path, s->ev, s->n * sizeof *s->ev);
}

static struct scanner *open_ok(struct rec *r, const char *spec)
{
	char err[256];
	struct scanner *s = scanner_open(r->l, spec, on_scan, r, err, sizeof err);
	cr_assert_not_null(s, "%s: %s", spec, err);
	return s;
}

/* ---- a test's fixture -------------------------------------------------------- */

/* A loop and its events, a folder of its own, a path in it (or, for name
 * NULL, the folder itself), "evdev:" that path and opts as the spec, and the
 * scanner once a test opens it (fx_free frees it while it is not NULL). */
struct fx {
	struct rec r;
	char *dir;
	char path[256], spec[300];
	struct scanner *s;
};

static void fx_init(struct fx *fx, const char *name, const char *opts)
{
	rec_init(&fx->r);
	fx->dir = tmpdir();
	if (name)
		snprintf(fx->path, sizeof fx->path, "%s/%s", fx->dir, name);
	else
		snprintf(fx->path, sizeof fx->path, "%s", fx->dir);
	snprintf(fx->spec, sizeof fx->spec, "evdev:%s%s", fx->path, opts);
	fx->s = NULL;
}

static void fx_free(struct fx *fx)
{
	if (fx->s)
		scanner_free(fx->s);
	rec_free(&fx->r);
	rm_rf(fx->dir);
	free(fx->dir);
}

/* The recording st as the regular file at path; st is freed. */
static void file_write_stream(const char *path, struct stream *st)
{
	write_stream(path, st);
	stream_free(st);
}

/* ---- a recording in a regular file ----------------------------------------- */

Test(scan_evdev, recorded_file_gives_exactly_the_codes)
{
	struct fx fx;
	fx_init(&fx, "scan.rec", "");

	struct stream st = { 0 };
	type(&st, "GOVLOGIN:Ab1");
	enter(&st);
	type(&st, "CD");
	put(&st, EV_SYN, SYN_DROPPED, 0); /* the kernel lost events: this code is gone */
	type(&st, "EF");
	enter(&st);
	type(&st, "gh-2");
	tap(&st, KEY_KPENTER);
	key(&st, KEY_A, 1); /* auto-repeat is not typing */
	key(&st, KEY_A, 2);
	key(&st, KEY_A, 2);
	key(&st, KEY_A, 0);
	enter(&st);
	file_write_stream(fx.path, &st);

	fx.s = open_ok(&fx.r, fx.spec);
	cr_assert(scanner_ok(fx.s));
	cr_assert(run_until(&fx.r, 4, 3000), "%d events", fx.r.n);
	expect_code(&fx.r, 0, "GOVLOGIN:Ab1");
	expect_why(&fx.r, 1, SCAN_NO_CODE, "lost");
	expect_code(&fx.r, 2, "gh-2");
	expect_code(&fx.r, 3, "a");
	run_for(&fx.r, 300);
	cr_assert_eq(fx.r.n, 4, "the end of the recording is no event (%d)", fx.r.n);
	cr_assert(scanner_ok(fx.s), "a recording that was read to its end is no failure");
	fx_free(&fx);
}

Test(scan_evdev, recorded_file_layout_de)
{
	struct fx fx;
	fx_init(&fx, "de.rec", ",de");
	struct stream st = { 0 };
	tap(&st, KEY_Y); /* z on QWERTZ */
	key(&st, KEY_RIGHTALT, 1);
	tap(&st, KEY_Q); /* @ */
	key(&st, KEY_RIGHTALT, 0);
	tap(&st, KEY_Z); /* y */
	enter(&st);
	file_write_stream(fx.path, &st);

	fx.s = open_ok(&fx.r, fx.spec);
	cr_assert(run_until(&fx.r, 1, 3000));
	expect_code(&fx.r, 0, "z@y");
	fx_free(&fx);
}

Test(scan_evdev, recorded_file_ends_mid_code_and_with_half_a_record)
{
	struct fx fx;
	fx_init(&fx, "cut.rec", "");
	struct stream st = { 0 };
	type(&st, "OK1");
	enter(&st);
	type(&st, "HALF");
	size_t n = st.n * sizeof *st.ev;
	char *buf = malloc(n + 7);
	memcpy(buf, st.ev, n);
	memcpy(buf + n, "garbage", 7); /* not a whole record */
	write_file(fx.path, buf, n + 7);
	free(buf);
	stream_free(&st);

	fx.s = open_ok(&fx.r, fx.spec);
	cr_assert(run_until(&fx.r, 2, 3000), "%d events", fx.r.n);
	expect_code(&fx.r, 0, "OK1");
	expect_why(&fx.r, 1, SCAN_NO_CODE, "did not end");
	run_for(&fx.r, 200);
	cr_assert_eq(fx.r.n, 2);
	fx_free(&fx);
}

Test(scan_evdev, a_hundred_kilobytes_without_enter_then_a_code)
{
	struct fx fx;
	fx_init(&fx, "flood.rec", "");
	struct stream st = { 0 };
	/* bare presses and releases: the file stays small */
	for (int i = 0; i < 100 * 1024; i++) {
		put(&st, EV_KEY, (uint16_t)(KEY_Q + i % 10), 1);
		put(&st, EV_KEY, (uint16_t)(KEY_Q + i % 10), 0);
	}
	enter(&st);
	type(&st, "AFTER");
	enter(&st);
	for (int i = 0; i < 100 * 1024; i++) { /* and again, never ended */
		put(&st, EV_KEY, KEY_X, 1);
		put(&st, EV_KEY, KEY_X, 0);
	}
	file_write_stream(fx.path, &st);

	fx.s = open_ok(&fx.r, fx.spec);
	cr_assert(run_until(&fx.r, 3, 20000), "%d events", fx.r.n);
	expect_why(&fx.r, 0, SCAN_TOO_LONG, "longer");
	expect_code(&fx.r, 1, "AFTER");
	expect_ev(&fx.r, 2, SCAN_TOO_LONG);
	run_for(&fx.r, 300);
	cr_assert_eq(fx.r.n, 3, "once per code, nothing at the end (%d)", fx.r.n);
	fx_free(&fx);
}

Test(scan_evdev, control_characters_and_unmappable_keys_drop_the_code)
{
	struct fx fx;
	fx_init(&fx, "ctl.rec", "");
	struct stream st = { 0 };
	type(&st, "01");
	key(&st, KEY_LEFTCTRL, 1); /* GS, as GS1 codes carry it */
	tap(&st, KEY_RIGHTBRACE);
	key(&st, KEY_LEFTCTRL, 0);
	type(&st, "23");
	enter(&st);
	type(&st, "ab");
	tap(&st, KEY_TAB);
	enter(&st);
	type(&st, "ab");
	tap(&st, KEY_F5);
	enter(&st);
	type(&st, "good");
	enter(&st);
	file_write_stream(fx.path, &st);

	fx.s = open_ok(&fx.r, fx.spec);
	cr_assert(run_until(&fx.r, 4, 3000), "%d events", fx.r.n);
	expect_why(&fx.r, 0, SCAN_NO_CODE, "control");
	expect_why(&fx.r, 1, SCAN_NO_CODE, "control");
	expect_why(&fx.r, 2, SCAN_NO_CODE, "no printable");
	expect_code(&fx.r, 3, "good");
	fx_free(&fx);
}

Test(scan_evdev, free_from_inside_the_callback)
{
	struct fx fx;
	fx_init(&fx, "f.rec", "");
	struct stream st = { 0 };
	type(&st, "ONE");
	enter(&st);
	type(&st, "TWO");
	enter(&st);
	file_write_stream(fx.path, &st);
	fx.r.free_me_on_code = open_ok(&fx.r, fx.spec); /* fx.s stays NULL: the callback frees it */
	run_for(&fx.r, 300);
	cr_assert_eq(fx.r.n, 1, "nothing after the free");
	expect_code(&fx.r, 0, "ONE");
	fx_free(&fx);
}

/* ---- a recording through a FIFO ----------------------------------------------- */

static int open_writer(const char *path)
{
	int fd = open(path, O_WRONLY | O_NONBLOCK);
	cr_assert_geq(fd, 0, "open %s: %s", path, strerror(errno));
	return fd;
}

/* A producer that comes, writes n bytes at p into the FIFO and goes. */
static void fifo_write_raw(const char *path, const void *p, size_t n)
{
	int fd = open_writer(path);
	write_all(fd, p, n);
	close(fd);
}

/* The same with the recording st, which is freed. */
static void fifo_write_stream(const char *path, struct stream *st)
{
	fifo_write_raw(path, st->ev, st->n * sizeof *st->ev);
	stream_free(st);
}

/* The fixture with a FIFO "scanner" in its folder and the scanner open on
 * it; idle_ms, where it is not 0, is scan_evdev_idle_ms first. */
static void fx_open_fifo(struct fx *fx, long idle_ms)
{
	fx_init(fx, "scanner", "");
	if (idle_ms)
		scan_evdev_idle_ms = idle_ms;
	cr_assert_eq(mkfifo(fx->path, 0600), 0);
	fx->s = open_ok(&fx->r, fx->spec);
}

Test(scan_evdev, fifo_records_split_across_writes)
{
	struct fx fx;
	fx_open_fifo(&fx, 0);
	cr_assert(scanner_ok(fx.s));

	struct stream st = { 0 };
	type(&st, "Split-1");
	enter(&st);
	size_t n = st.n * sizeof *st.ev, cut = sizeof *st.ev * 5 + 11;
	int fd = open_writer(fx.path);
	write_all(fd, st.ev, cut); /* half a record at the end */
	run_for(&fx.r, 100);
	cr_assert_eq(fx.r.n, 0);
	write_all(fd, (char *)st.ev + cut, n - cut);
	cr_assert(run_until(&fx.r, 1, 3000));
	expect_code(&fx.r, 0, "Split-1");
	stream_free(&st);

	/* the producer goes, another comes: no end of file, codes still come */
	close(fd);
	run_for(&fx.r, 100);
	cr_assert_eq(fx.r.n, 1);
	fd = open_writer(fx.path);
	type(&st, "Again");
	enter(&st);
	write_all(fd, st.ev, st.n * sizeof *st.ev);
	stream_free(&st);
	cr_assert(run_until(&fx.r, 2, 3000));
	expect_code(&fx.r, 1, "Again");
	close(fd);
	fx_free(&fx);
}

Test(scan_evdev, fifo_stream_ends_mid_code_is_cut_off_not_glued)
{
	struct fx fx;
	fx_open_fifo(&fx, 200);

	struct stream st = { 0 };
	type(&st, "HEAD");
	fifo_write_stream(fx.path, &st);
	cr_assert(run_until(&fx.r, 1, 3000), "a code begun and never ended is reported");
	expect_why(&fx.r, 0, SCAN_NO_CODE, "did not end");

	type(&st, "TAIL");
	enter(&st);
	fifo_write_stream(fx.path, &st);
	cr_assert(run_until(&fx.r, 2, 3000));
	expect_code(&fx.r, 1, "TAIL");
	fx_free(&fx);
}

Test(scan_evdev, fifo_half_a_record_of_garbage_then_in_step_again)
{
	struct fx fx;
	fx_open_fifo(&fx, 200);

	fifo_write_raw(fx.path, "\x01\x02\x03garbage", 10);
	run_for(&fx.r, 500); /* dropped once nothing follows */
	cr_assert_eq(fx.r.n, 0, "half a record and no code begun: nothing to tell");

	struct stream st = { 0 };
	type(&st, "InStep");
	enter(&st);
	fifo_write_stream(fx.path, &st);
	cr_assert(run_until(&fx.r, 1, 3000));
	expect_code(&fx.r, 0, "InStep");
	fx_free(&fx);
}

Test(scan_evdev, fifo_garbage_right_before_a_code_is_never_a_code)
{
	struct fx fx;
	fx_open_fifo(&fx, 200);

	/* ten bytes of garbage, then a whole code in the same write: every
	 * record after it is read out of step */
	struct stream st = { 0 };
	type(&st, "WRONG");
	enter(&st);
	size_t n = st.n * sizeof *st.ev;
	char *buf = malloc(n + 10);
	memset(buf, 0x5a, 10);
	memcpy(buf + 10, st.ev, n);
	fifo_write_raw(fx.path, buf, n + 10);
	free(buf);
	stream_free(&st);
	run_for(&fx.r, 800);
	for (int i = 0; i < fx.r.n; i++)
		cr_assert_neq(fx.r.evs[i].ev, SCAN_CODE, "event %d: a code out of garbage", i);
	cr_assert_geq(fx.r.n, 1, "the garbage was not reported");
	expect_ev(&fx.r, fx.r.n - 1, SCAN_NO_CODE);

	/* in step again once the writer is gone and the half record dropped */
	int before = fx.r.n;
	type(&st, "RIGHT");
	enter(&st);
	fifo_write_stream(fx.path, &st);
	cr_assert(run_until(&fx.r, before + 1, 3000));
	expect_code(&fx.r, before, "RIGHT");
	fx_free(&fx);
}

/* ---- failing and retrying ------------------------------------------------------- */

Test(scan_evdev, missing_path_fails_with_the_reason_and_is_retried)
{
	struct fx fx;
	fx_init(&fx, "usb-scanner-event-kbd", "");
	scan_retry_ms = 100;
	fx.s = open_ok(&fx.r, fx.spec);
	cr_assert_not(scanner_ok(fx.s));
	cr_assert_eq(fx.r.n, 0, "reported from the loop, not from scanner_open");
	cr_assert(run_until(&fx.r, 1, 2000));
	expect_why(&fx.r, 0, SCAN_FAILED, "no scanner at");
	cr_assert(strstr(fx.r.evs[0].why, fx.path), "%s", fx.r.evs[0].why);
	run_for(&fx.r, 350);
	cr_assert_eq(fx.r.n, 1, "failed once per outage, however often it is retried");

	/* "plugged in": the path appears (here as a recording) */
	struct stream st = { 0 };
	type(&st, "PLUGGED");
	enter(&st);
	file_write_stream(fx.path, &st);
	cr_assert(run_until(&fx.r, 3, 2000), "%d events", fx.r.n);
	expect_ev(&fx.r, 1, SCAN_READY);
	expect_code(&fx.r, 2, "PLUGGED");
	cr_assert(scanner_ok(fx.s));
	fx_free(&fx);
}

Test(scan_evdev, not_a_scanner_fails_with_the_reason)
{
	struct fx fx;
	fx_init(&fx, NULL, ""); /* the spec is the folder itself */
	scan_retry_ms = 100;

	struct scanner *s = open_ok(&fx.r, "evdev:/dev/null");
	cr_assert(run_until(&fx.r, 1, 2000));
	expect_why(&fx.r, 0, SCAN_FAILED, "not an input event device");
	run_for(&fx.r, 250);
	cr_assert_eq(fx.r.n, 1);
	cr_assert_not(scanner_ok(s));
	scanner_free(s);

	fx.s = open_ok(&fx.r, fx.spec);
	cr_assert(run_until(&fx.r, 2, 2000));
	expect_why(&fx.r, 1, SCAN_FAILED, "folder");
	fx_free(&fx);
}

Test(scan_evdev, bad_specs)
{
	struct loop *l = loop_new();
	char err[256];
	static const struct { const char *spec, *says; } bad[] = {
		{ "evdev:", "needs an argument" },
		{ "evdev:,us", "needs a device path" },
		{ "evdev:/dev/input/event3,uk", "unknown keyboard layout \"uk\"" },
		{ "evdev:/dev/input/event3,", "unknown keyboard layout" },
		{ "evdevx:/dev/input/event3", "evdev)" },
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct scanner *s = scanner_open(l, bad[i].spec, NULL, NULL, err, sizeof err);
		cr_assert_null(s, "%s was taken", bad[i].spec);
		cr_assert(strstr(err, bad[i].says), "%s: \"%s\" does not say \"%s\"", bad[i].spec, err,
		          bad[i].says);
	}
	static const char *good[] = { "evdev:/nonexistent/event9", "evdev:/nonexistent/event9,de",
	                              "evdev:/nonexistent/event9,FR", "evdev:/nonexistent/event9,us" };
	for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
		struct scanner *s = scanner_open(l, good[i], NULL, NULL, err, sizeof err);
		cr_assert_not_null(s, "%s: %s", good[i], err);
		scanner_free(s);
	}
	loop_free(l);
}

/* ---- a real input device, through uinput ------------------------------------------ */

static void u_key(struct libevdev_uinput *u, unsigned code, int value)
{
	cr_assert_eq(libevdev_uinput_write_event(u, EV_KEY, code, value), 0);
	cr_assert_eq(libevdev_uinput_write_event(u, EV_SYN, SYN_REPORT, 0), 0);
}

static void u_tap(struct libevdev_uinput *u, unsigned code)
{
	u_key(u, code, 1);
	u_key(u, code, 0);
}

Test(scan_evdev, uinput_keyboard_is_grabbed_and_read)
{
	if (access("/dev/uinput", F_OK) != 0)
		cr_skip_test("no /dev/uinput: no virtual keyboard to test a real input device with "
		             "(the recorded-stream tests cover the decoding)");
	int ufd = open("/dev/uinput", O_RDWR | O_CLOEXEC);
	if (ufd < 0)
		cr_skip_test("cannot open /dev/uinput: %s", strerror(errno));

	struct libevdev *dev = libevdev_new();
	libevdev_set_name(dev, "kiosk test scanner");
	libevdev_enable_event_type(dev, EV_KEY);
	static const unsigned keys[] = { KEY_ENTER, KEY_KPENTER, KEY_LEFTSHIFT, KEY_A, KEY_B,
	                                 KEY_C, KEY_1, KEY_2 };
	for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
		libevdev_enable_event_code(dev, EV_KEY, keys[i], NULL);
	struct libevdev_uinput *u = NULL;
	int rc = libevdev_uinput_create_from_device(dev, ufd, &u);
	if (rc < 0) {
		libevdev_free(dev);
		close(ufd);
		cr_skip_test("cannot create a uinput device: %s", strerror(-rc));
	}
	const char *node = libevdev_uinput_get_devnode(u);
	if (!node) {
		libevdev_uinput_destroy(u);
		libevdev_free(dev);
		close(ufd);
		cr_skip_test("the uinput device has no /dev/input node (no devtmpfs or sysfs?)");
	}

	struct rec r;
	rec_init(&r);
	scan_retry_ms = 100;
	char spec[300];
	snprintf(spec, sizeof spec, "evdev:%s", node);
	struct scanner *s = open_ok(&r, spec);
	cr_assert(scanner_ok(s), "the virtual keyboard was not taken");

	/* grabbed: nobody else gets its keys */
	int other = open(node, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	cr_assert_geq(other, 0, "%s: %s", node, strerror(errno));
	cr_assert_eq(ioctl(other, EVIOCGRAB, 1), -1, "a second grab succeeded");
	cr_assert_eq(errno, EBUSY, "a second grab: %s", strerror(errno));

	u_key(u, KEY_LEFTSHIFT, 1);
	u_tap(u, KEY_A);
	u_key(u, KEY_LEFTSHIFT, 0);
	u_tap(u, KEY_B);
	u_tap(u, KEY_1);
	u_tap(u, KEY_2);
	u_tap(u, KEY_ENTER);
	cr_assert(run_until(&r, 1, 3000), "%d events", r.n);
	expect_code(&r, 0, "Ab12");
	char junk[sizeof(struct input_event) * 16];
	cr_assert_lt(read(other, junk, sizeof junk), 0, "the grab let keys through to another reader");
	close(other);

	/* unplugged mid-scan: the half code is never a code */
	u_tap(u, KEY_C);
	u_tap(u, KEY_C);
	run_for(&r, 100);
	libevdev_uinput_destroy(u);
	cr_assert(run_until(&r, 2, 3000), "%d events", r.n);
	expect_why(&r, 1, SCAN_FAILED, "unplugged");
	cr_assert_not(scanner_ok(s));
	run_for(&r, 300);
	cr_assert_eq(r.n, 2, "retried quietly while it is gone");

	scanner_free(s);
	libevdev_free(dev);
	close(ufd);
	rec_free(&r);
}
