/* test_scan_evdev_attack.c: the evdev: scanner under a flood of bad codes
 * (suite "scan_evdev_attack"), in a real event loop without a terminal.
 *
 * A recording of 500 bad codes (Tab, Enter) and then one good code, read
 * as fast as the loop can: the first 10 bad codes are told (SCAN_NO_CODE)
 * and logged one by one, the rest counted (told at most once a second, the
 * count logged when the scanner stops); the good code after them is handed
 * on whole. Before, every bad code was a log line and a notice: a broken
 * scanner filled the disk. */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/input.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "loop.h"
#include "scan.h"

TestSuite(scan_evdev_attack, .timeout = 60);

struct tally {
	struct loop *l;
	int no_code, codes, other;
	char code[64];
};

static void on_scan(void *ud, enum scan_event ev, const char *code, size_t len,
                    const char *source, const char *why)
{
	struct tally *t = ud;
	if (ev == SCAN_NO_CODE) {
		t->no_code++;
	} else if (ev == SCAN_CODE) {
		t->codes++;
		snprintf(t->code, sizeof t->code, "%.*s", (int)len, code);
		loop_stop(t->l, 0);
	} else {
		t->other++;
	}
}

static long on_timeout(struct loop *l, long long id, void *ud)
{
	loop_stop(l, 1);
	return -1;
}

static void put(FILE *f, unsigned short type, unsigned short code, int value)
{
	struct input_event e;
	memset(&e, 0, sizeof e);
	e.time.tv_sec = 1700000000;
	e.type = type;
	e.code = code;
	e.value = value;
	cr_assert_eq(fwrite(&e, sizeof e, 1, f), 1);
}

static void tap(FILE *f, unsigned short code)
{
	put(f, EV_KEY, code, 1);
	put(f, EV_SYN, SYN_REPORT, 0);
	put(f, EV_KEY, code, 0);
	put(f, EV_SYN, SYN_REPORT, 0);
}

static size_t count_lines(const char *path, const char *needle)
{
	FILE *f = fopen(path, "re");
	cr_assert_not_null(f, "%s: %s", path, strerror(errno));
	char line[1024];
	size_t n = 0;
	while (fgets(line, sizeof line, f))
		n += strstr(line, needle) != NULL;
	fclose(f);
	return n;
}

Test(scan_evdev_attack, a_flood_of_bad_codes_is_counted_and_a_good_code_after_it_still_comes)
{
	char dir[] = "/tmp/kiosk-evdev-attack-XXXXXX";
	cr_assert_not_null(mkdtemp(dir));
	char path[128], spec[160], logp[128];
	snprintf(path, sizeof path, "%s/flood.rec", dir);
	snprintf(spec, sizeof spec, "evdev:%s", path);
	snprintf(logp, sizeof logp, "%s/kiosk.log", dir);
	cr_assert_eq(log_open(logp), 0);

	FILE *f = fopen(path, "we");
	cr_assert_not_null(f);
	for (int i = 0; i < 500; i++) {
		tap(f, KEY_TAB);
		tap(f, KEY_ENTER);
	}
	tap(f, KEY_A);
	tap(f, KEY_B);
	tap(f, KEY_ENTER);
	fclose(f);

	struct tally t = { .l = loop_new() };
	char err[256];
	struct scanner *s = scanner_open(t.l, spec, on_scan, &t, err, sizeof err);
	cr_assert_not_null(s, "%s", err);
	long long tm = loop_timer_add(t.l, 10000, on_timeout, NULL);
	loop_run(t.l);
	loop_timer_del(t.l, tm);

	cr_assert_eq(t.codes, 1, "the good code after the flood was not handed on");
	cr_assert_str_eq(t.code, "ab");
	cr_assert_eq(t.other, 0);
	/* 10 one by one, the one that starts the counting, and at most one a
	 * second after it (a slow machine: a few). */
	cr_assert(t.no_code >= 11 && t.no_code <= 16, "%d bad codes told, of 500", t.no_code);
	scanner_free(s); /* stops: the count is logged */
	loop_free(t.l);
	log_close();

	cr_assert_eq(count_lines(logp, "a code was dropped"), 10);
	cr_assert_eq(count_lines(logp, "counted, not each logged"), 1);
	cr_assert_eq(count_lines(logp, "490 more codes were dropped within a minute"), 1,
	             "the count of the codes not logged one by one is not in the log");
	char cmd[200];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	cr_assert_eq(system(cmd), 0);
}
