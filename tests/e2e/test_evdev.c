/* test_evdev.c: logging in with a USB keyboard-mode scanner read from its
 * input events (suite "evdev").
 *
 * No input device here: the kiosk is started with --scanner evdev:FIFO and
 * a recorded event stream is written into the FIFO, raw struct input_event
 * records as `cat /dev/input/eventN` records them: a real log-in code of a
 * demo citizen typed key by key (shift for capitals, MSC_SCAN and
 * SYN_REPORT as a keyboard sends them), then Enter. Before it, two scans
 * that must never reach the gateway: the same code with a Tab in it (a
 * control character) and the same code with SYN_DROPPED in the middle
 * (events lost). The code is one-time, so had either been handed on (whole
 * or in part) the log-in at the end could not work the way it does.
 *
 * Checked: the citizen is logged in once; the code's text was never on the
 * screen (on every poll) nor in anything the kiosk wrote to the terminal;
 * neither it nor its random part is in kiosk.log; the log says the scan
 * came from the evdev scanner and that two codes were dropped, with the
 * reason only.
 */
#include "e2e.h"
#include "evdev_e2e.h"
#include "harness/gwd.h"
#include "harness/harness.h"

#include <criterion/criterion.h>

#include <errno.h>
#include <fcntl.h>
#include <linux/input.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define WAIT_MS 15000

static void suite_fini(void);
TestSuite(evdev, .timeout = 180, .fini = suite_fini);

#define T_STATUS_OUT "[F9] 退出登录 " /* + display name */
#define T_WELCOME    "登录成功，欢迎您，"
#define T_ITEM_LOGIN "4 扫码登录"
#define ZHANG        "张*"

static char scratch[512];

static void suite_fini(void)
{
	e2e_rm_rf(scratch);
	scratch[0] = '\0';
}

/* ---- the code must never be shown ----------------------------------------- */

static char secret[128];      /* the whole code */
static const char *secret_rand; /* its random part (after "GOVLOGIN:") */
static const char *seen;

static const char *guard_hook(struct harness *h)
{
	if (!seen && secret[0] && (h_find(h, secret, NULL, NULL) || h_find(h, secret_rand, NULL, NULL)))
		seen = "the scanned code";
	return seen;
}

/* ---- a recorded event stream ------------------------------------------------ */

static bool mem_has(const char *hay, size_t n, const char *needle)
{
	size_t k = strlen(needle);
	for (size_t i = 0; k && i + k <= n; i++)
		if (!memcmp(hay + i, needle, k))
			return true;
	return false;
}

Test(evdev, scanner_events_log_in_and_the_code_is_never_shown)
{
	struct gwd *g = e2e_start_gateway(NULL);
	char fifo[600], arg[700];
	snprintf(fifo, sizeof fifo, "%s/usb-scanner-event-kbd", e2e_scratch_dir(scratch, sizeof scratch, "evdev"));
	cr_assert_eq(mkfifo(fifo, 0600), 0, "mkfifo %s: %s", fifo, strerror(errno));
	snprintf(arg, sizeof arg, "evdev:%s", fifo);
	const char *extra[] = { "--scanner", arg, NULL };

	secret[0] = '\0';
	seen = NULL;
	e2e_set_hooks(guard_hook, NULL);
	struct harness *h = e2e_start_home(g, gwd_url(g), 80, 24, extra, WAIT_MS);
	e2e_expect(h, g, T_ITEM_LOGIN, WAIT_MS, "start: home item 4 logs in");
	h_record(h);

	e2e_citizen_code(g, "cit-zhang", secret, sizeof secret);
	secret_rand = strchr(secret, ':') ? strchr(secret, ':') + 1 : secret;
	cr_assert_gt(strlen(secret_rand), 8, "a code with a random part");
	size_t half = strlen(secret) / 2;
	char head[128], tail[128];
	snprintf(head, sizeof head, "%.*s", (int)half, secret);
	snprintf(tail, sizeof tail, "%s", secret + half);

	/* 1. the code with a Tab in it: a control character, dropped */
	struct evstream st = { 0 };
	evstream_type(&st, head);
	evstream_tap(&st, KEY_TAB);
	evstream_type(&st, tail);
	evstream_tap(&st, KEY_ENTER);
	evstream_send(h, g, fifo, &st);
	E2E_CHECK(h, g, e2e_wait_log(h, "control character", WAIT_MS),
	          "the code with a Tab was not reported as dropped");

	/* 2. events lost in the middle: the tail is not a code */
	evstream_type(&st, head);
	evstream_put(&st, EV_SYN, SYN_DROPPED, 0);
	evstream_type(&st, tail);
	evstream_tap(&st, KEY_KPENTER);
	evstream_send(h, g, fifo, &st);
	long long until = e2e_now_ms() + WAIT_MS;
	while (e2e_log_lines(h, "a code was dropped") < 2 && e2e_now_ms() < until)
		h_pump(h, 50);
	E2E_CHECK(h, g, e2e_log_lines(h, "a code was dropped") == 2, "%d codes dropped, want 2",
	          e2e_log_lines(h, "a code was dropped"));
	E2E_CHECK(h, g, e2e_log_lines(h, "key events were lost") == 1, "SYN_DROPPED was not the reason");
	h_settle(h, 300, 2000);
	E2E_CHECK(h, g, !h_find(h, T_STATUS_OUT, NULL, NULL), "logged in by a code that was dropped");
	E2E_CHECK(h, g, e2e_log_lines(h, "scan from") == 0, "a dropped code was handed to the app");

	/* 3. the code itself */
	evstream_type(&st, secret);
	evstream_tap(&st, KEY_ENTER);
	evstream_send(h, g, fifo, &st);
	char buf[128];
	snprintf(buf, sizeof buf, "%s%s", T_STATUS_OUT, ZHANG);
	e2e_expect_row(h, g, -1, buf, WAIT_MS, "evdev scan: logged in");
	snprintf(buf, sizeof buf, "%s%s。", T_WELCOME, ZHANG);
	e2e_expect(h, g, buf, WAIT_MS, "evdev scan: welcome");
	E2E_CHECK(h, g, e2e_log_lines(h, "session: started") == 1, "%d sessions, want 1",
	          e2e_log_lines(h, "session: started"));
	char from[800];
	snprintf(from, sizeof from, "scan from %s", arg);
	E2E_CHECK(h, g, e2e_log_lines(h, from) == 1, "kiosk.log does not say the scan came from %s", arg);
	E2E_CHECK(h, g, e2e_log_lines(h, "a recorded event stream (FIFO)") >= 1,
	          "kiosk.log does not say it reads a recording");

	/* never on the screen, nor in what was written to the terminal */
	h_settle(h, 300, 2000);
	E2E_CHECK(h, g, !guard_hook(h), "the code was on the screen");
	E2E_CHECK(h, g, h_recorded_count(h, secret_rand, strlen(secret_rand)) == 0,
	          "the code's random part was written to the terminal");
	E2E_CHECK(h, g, h_recorded_count(h, head, strlen(head)) == 0 &&
	                h_recorded_count(h, tail, strlen(tail)) == 0,
	          "part of the code was written to the terminal");

	e2e_stop(h, g);
	size_t n = 0;
	char *log = e2e_log_read(h, &n);
	cr_assert_not_null(log, "no kiosk.log");
	E2E_CHECK(h, g, !mem_has(log, n, secret_rand), "kiosk.log holds the code");
	E2E_CHECK(h, g, !mem_has(log, n, tail + strlen(tail) - 8), "kiosk.log holds part of the code");
	free(log);
	char *errpath = e2e_fmt("%s/stderr.log", h_tmpdir(h));
	char *err = e2e_slurp_str(errpath);
	E2E_CHECK(h, g, !strstr(err, secret_rand), "stderr.log holds the code");
	free(err);
	free(errpath);
	h_free(h);
	gwd_free(g);
	explicit_bzero(secret, sizeof secret);
}
