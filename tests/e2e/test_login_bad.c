/* test_login_bad.c: logging in when things go wrong (suite "login_bad").
 *
 * Each test starts its own gatewayd (--demo --sim, login timings by flag)
 * and drives the real kiosk in an 80x24 pty. Bad input comes from a FIFO
 * scanner (--scanner fifo:PATH), from a keyboard-wedge burst (h_type of a
 * whole string in one write), from /sim/faults, /sim/sessions/expire,
 * /sim/device/{user_code}/slow_down, or from killing the gateway.
 *
 * What is checked is behaviour, never speed: waits are generous (20 s).
 * After every step the screen must be clean (no control characters, no
 * title change). After the bad input the kiosk must not be logged in (no
 * "[F9] 退出登录" in the status bar) and must still answer keys ("3" on
 * home opens the services, Esc comes back). At the end the kiosk is stopped with
 * SIGTERM and must exit 0; neither it nor the gateway may have written a
 * sanitizer report.
 *
 * Screen texts are the zh_CN ones (locale/zh_CN.po), the kiosk's default.
 * 80x24 is chosen so that the log-in screen shows the user code as spaced
 * letters ("W H Z S - F V H H") that a test can read off the screen.
 */
#include "e2e.h"
#include "harness/gwd.h"
#include "harness/harness.h"

#include <criterion/criterion.h>
#include <jansson.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define COLS 80
#define ROWS 24
#define WAIT_MS 20000 /* anything that depends on the network or a scanner */

static void suite_fini(void);
TestSuite(login_bad, .timeout = 150, .fini = suite_fini);

/* ---- what the screen says (zh_CN) ------------------------------------------ */

#define T_HOME          "政务服务自助终端"
#define T_CATEGORIES    "按类别办事"
#define T_LOGIN         "扫码登录"      /* the log-in screen's title */
#define T_ME            "我的信息"
#define T_LOGGED_IN     "[F9] 退出登录" /* status bar, only while logged in */
#define T_NOT_CODE      "这不是登录码"
#define T_CODE_INVALID  "登录码无效"
#define T_TOO_LONG      "扫描到的内容过长，不是登录码。"
#define T_CHECKING      "正在核验登录码"
#define T_CODE_EXPIRED  "登录码已过期"
#define T_CODE_USED     "该登录码已使用过"
#define T_WELCOME       "登录成功，欢迎您"
#define T_LOGGED_OUT    "您已安全退出"
#define T_SCANNER_DOWN  "扫码设备暂时无法使用"
#define T_SCAN_AT_HOME  "扫码登录请返回首页后再扫码。"
#define T_SESSION_GONE  "登录已过期，请重新登录。"
#define T_WAITING       "正在等待手机确认"
#define T_NET_TROUBLE   "网络不稳定，正在重试……"
#define T_COUNTDOWN     "二维码有效期还剩 "
#define T_NEW_CODE      "换一个二维码"
#define T_QR_EXPIRED    "二维码已过期"
#define T_UNREACHABLE   "无法连接服务网络，请稍后重试或咨询工作人员。"
#define T_UNREADABLE    "服务网络返回的内容无法识别，请咨询工作人员。"
#define T_5XX           "服务网络出现故障，请稍后重试。"
#define T_5XX_GATEWAY   "服务暂时不可用" /* gatewayd's title for simulated_failure */

/* The kiosk's log. */
#define LOG_NOTICE      "notice shown"
#define LOG_DEVICE      "POST /v1/auth/device ->"
#define LOG_POLL_FAILED "login: poll failed ("
#define LOG_SLOW_DOWN   "login: slow_down, interval now "
#define LOG_TOKEN       "gateway: POST /v1/auth/token -> "

/* Pumps for ms milliseconds whatever happens (a wait that is the point). */
static void pump_for(struct harness *h, int ms)
{
	long long end = e2e_now_ms() + ms;
	while (e2e_now_ms() < end)
		h_pump(h, (int)(end - e2e_now_ms() < 50 ? end - e2e_now_ms() + 1 : 50));
}

/* ---- the kiosk's log ----------------------------------------------------------- */

/* Pumps until the log has at least `want` lines with needle. */
static void expect_log_count(struct harness *h, struct gwd *g, const char *needle, int want, int ms,
                             const char *step)
{
	long long end = e2e_now_ms() + ms;
	while (e2e_log_count(h, needle) < want && e2e_now_ms() < end)
		h_pump(h, 50);
	E2E_CHECK(h, g, e2e_log_count(h, needle) >= want, "%s: the kiosk's log has %d \"%s\", not %d", step,
	      e2e_log_count(h, needle), needle, want);
}

/* The scanned bytes must never reach the log: no run of `win` of them
 * (shorter data: all of it) may appear there. */
static void log_lacks(struct harness *h, struct gwd *g, const void *data, size_t len, size_t win,
                      const char *step)
{
	size_t n = 0;
	char *all = e2e_log_read(h, &n);
	const unsigned char *d = data;
	if (!all)
		return;
	if (win > len)
		win = len;
	for (size_t i = 0; i + win <= len; i++) {
		if (memmem(all, n, d + i, win)) {
			free(all);
			E2E_CHECK(h, g, false, "%s: the kiosk's log holds %zu bytes of the scanned text (from offset %zu)",
			      step, win, i);
		}
	}
	free(all);
}

/* ---- gateway and kiosk ---------------------------------------------------------- */

/* A POST to the simulator that must answer 200. */
static void sim_post(struct harness *h, struct gwd *g, const char *path, const char *body)
{
	char *resp = NULL;
	int st = gwd_post(g, path, body, &resp);
	if (st != 200)
		fprintf(stderr, "POST %s: %d %s\n", path, st, resp ? resp : "");
	free(resp);
	E2E_CHECK(h, g, st == 200, "POST %s answered %d, not 200", path, st);
}

/* A one-time login code from the "phone" (POST /sim/citizen-code). */
static void citizen_code(struct gwd *g, const char *citizen, char *out, size_t n)
{
	char body[128] = "";
	char *resp = NULL;
	json_error_t e;
	if (citizen)
		snprintf(body, sizeof body, "{\"citizen\":\"%s\"}", citizen);
	int st = gwd_post(g, "/sim/citizen-code", citizen ? body : NULL, &resp);
	json_t *j = st == 200 ? json_loads(resp ? resp : "", 0, &e) : NULL;
	const char *code = json_string_value(json_object_get(j, "code"));
	snprintf(out, n, "%s", code ? code : "");
	json_decref(j);
	if (!out[0])
		fprintf(stderr, "POST /sim/citizen-code: %d %s\n", st, resp ? resp : "");
	free(resp);
	cr_assert(out[0], "no login code from /sim/citizen-code");
}

/* ---- FIFO scanners ------------------------------------------------------------------ */

/* A directory for the FIFOs of one test, removed by the suite's fini if a
 * test fails before it does. */
static char fifo_dir[1024];

static void fifo_dir_done(void)
{
	e2e_rm_rf(fifo_dir);
	fifo_dir[0] = '\0';
}

static void suite_fini(void)
{
	fifo_dir_done();
}

/* "<fresh dir>/name": the kiosk makes the FIFO itself. */
static const char *fifo_path(const char *name)
{
	static char path[4][1200];
	static int k;
	if (!fifo_dir[0]) {
		const char *base = getenv("TMPDIR");
		snprintf(fifo_dir, sizeof fifo_dir, "%.900s/login-bad-XXXXXX", base && *base ? base : "/tmp");
		cr_assert_not_null(mkdtemp(fifo_dir), "mkdtemp: %s", strerror(errno));
	}
	k = (k + 1) % 4;
	snprintf(path[k], sizeof path[k], "%s/%s", fifo_dir, name);
	return path[k];
}

/* Writes data to the kiosk's FIFO as a scanner would (the kiosk keeps a
 * reader open, and created the FIFO when it started). */
static void fifo_write(struct harness *h, struct gwd *g, const char *path, const void *data,
                       size_t len)
{
	struct stat st;
	long long end = e2e_now_ms() + WAIT_MS;
	while ((stat(path, &st) != 0 || !S_ISFIFO(st.st_mode)) && e2e_now_ms() < end)
		h_pump(h, 50);
	E2E_CHECK(h, g, stat(path, &st) == 0 && S_ISFIFO(st.st_mode), "the kiosk made no FIFO at %s", path);
	int fd = open(path, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
	E2E_CHECK(h, g, fd >= 0, "open %s: %s", path, strerror(errno));
	const char *p = data;
	size_t off = 0;
	while (off < len && e2e_now_ms() < end) {
		ssize_t n = write(fd, p + off, len - off);
		if (n > 0)
			off += (size_t)n;
		else if (n < 0 && errno != EAGAIN && errno != EINTR)
			break;
		else
			h_pump(h, 20); /* the pipe is full: let the kiosk read */
	}
	close(fd);
	E2E_CHECK(h, g, off == len, "wrote %zu of %zu bytes to %s", off, len, path);
}

/* One scan: the bytes and a newline. */
static void fifo_scan(struct harness *h, struct gwd *g, const char *path, const void *data,
                      size_t len)
{
	char *line = malloc(len + 1);
	cr_assert_not_null(line);
	memcpy(line, data, len);
	line[len] = '\n';
	fifo_write(h, g, path, line, len + 1);
	free(line);
}

/* Scans data; waits until the kiosk has shown `notices` more notices (1 for
 * a scan refused at once, 2 for one it checks with the gateway: "checking"
 * and the answer), then for one of texts, with no "checking" left. */
static const char *scan_expect(struct harness *h, struct gwd *g, const char *path, const void *data,
                               size_t len, int notices, const char *const texts[], const char *step)
{
	int before = e2e_log_count(h, LOG_NOTICE);
	fifo_scan(h, g, path, data, len);
	expect_log_count(h, g, LOG_NOTICE, before + notices, WAIT_MS, step);
	h_settle(h, 100, 2000);
	const char *m = e2e_expect_any(h, g, texts, WAIT_MS, step);
	E2E_CHECK(h, g, h_wait_gone(h, T_CHECKING, WAIT_MS), "%s: \"%s\" stays", step, T_CHECKING);
	return m;
}

/* ---- the state of the kiosk ------------------------------------------------------------ */

static bool logged_in(struct harness *h)
{
	return e2e_row_has(h, ROWS - 1, T_LOGGED_IN);
}

static void expect_logged_in(struct harness *h, struct gwd *g, const char *step)
{
	e2e_expect_row(h, g, ROWS - 1, T_LOGGED_IN, WAIT_MS, step);
}

/* Not logged in: nothing in the status bar, nor anywhere else. */
static void expect_not_logged_in(struct harness *h, struct gwd *g, const char *step)
{
	h_settle(h, 200, 2000);
	E2E_CHECK(h, g, !logged_in(h) && !h_find(h, T_LOGGED_IN, NULL, NULL), "%s: the kiosk is logged in",
	      step);
	e2e_clean(h, g, step);
}

/* Still answers keys: Home, "3" opens the services, Esc comes back. */
static void expect_responds(struct harness *h, struct gwd *g, const char *step)
{
	char s[200];
	h_key(h, H_HOME);
	snprintf(s, sizeof s, "%s: Home", step);
	e2e_expect_row(h, g, 0, T_HOME, WAIT_MS, s);
	h_type(h, "3");
	snprintf(s, sizeof s, "%s: \"3\" opens the services", step);
	e2e_expect_row(h, g, 0, T_CATEGORIES, WAIT_MS, s);
	h_key(h, H_ESC);
	snprintf(s, sizeof s, "%s: Esc back to home", step);
	e2e_expect_row(h, g, 0, T_HOME, WAIT_MS, s);
}

/* F9 logs out; the status bar forgets the citizen. */
static void log_out(struct harness *h, struct gwd *g, const char *step)
{
	h_key(h, H_F9);
	e2e_expect(h, g, T_LOGGED_OUT, WAIT_MS, step);
	E2E_CHECK(h, g, h_wait_gone(h, T_LOGGED_IN, WAIT_MS), "%s: still logged in after F9", step);
	expect_not_logged_in(h, g, step);
}

/* SIGTERM to the kiosk, which must exit 0, then the sanitizer reports of
 * both; frees both. */
static void finish(struct harness *h, struct gwd *g)
{
	e2e_finish(h, g);
	fifo_dir_done();
}

/* ---- the log-in screen ------------------------------------------------------------------- */

static bool user_code_letter(char c)
{
	return c && strchr("BCDFGHJKLMNPQRSTVWXZ", c);
}

/* The user code as the log-in screen spells it at 80x24, one letter at a
 * time: "W H Z S - F V H H". Into out as "WHZS-FVHH"; false if not shown. */
static bool screen_user_code(struct harness *h, char out[10])
{
	for (int row = 0; row < ROWS; row++) {
		char *t = h_row_text(h, row);
		size_t n = strlen(t);
		for (size_t i = 0; i + 17 <= n; i++) {
			const char *s = t + i;
			bool ok = (i == 0 || s[-1] == ' ' || (unsigned char)s[-1] >= 0x80) &&
			          s[8] == '-' && (i + 17 == n || s[17] == ' ');
			for (int k = 0; ok && k < 9; k++) {
				ok = (k == 4 ? s[2 * k] == '-' : user_code_letter(s[2 * k])) &&
				     (k == 8 || s[2 * k + 1] == ' ');
			}
			if (ok) {
				for (int k = 0; k < 9; k++)
					out[k] = s[2 * k];
				out[9] = '\0';
				free(t);
				return true;
			}
		}
		free(t);
	}
	return false;
}

static bool pred_user_code(struct harness *h, void *ud)
{
	return screen_user_code(h, ud);
}

/* From home: "4" opens the log-in screen; waits for the QR and its code. */
static void open_login_qr(struct harness *h, struct gwd *g, char code[10], const char *step)
{
	char s[200];
	h_type(h, "4");
	snprintf(s, sizeof s, "%s: log-in screen", step);
	e2e_expect_row(h, g, 0, T_LOGIN, WAIT_MS, s);
	snprintf(s, sizeof s, "%s: waiting for the phone", step);
	e2e_expect(h, g, T_WAITING, WAIT_MS, s);
	E2E_CHECK(h, g, h_wait(h, pred_user_code, code, WAIT_MS), "%s: no user code on the screen", step);
}

/* The countdown on the log-in screen in seconds, or -1 if not shown. */
static int countdown_s(struct harness *h)
{
	int row, col, m = -1, sec = -1;
	if (!h_find(h, T_COUNTDOWN, &col, &row))
		return -1;
	char *t = h_row_text(h, row);
	const char *p = strstr(t, T_COUNTDOWN);
	if (!p || sscanf(p + strlen(T_COUNTDOWN), "%d:%d", &m, &sec) != 2)
		m = -1;
	free(t);
	return m < 0 ? -1 : m * 60 + sec;
}

/* Any QR art (half blocks) on the screen. */
static bool qr_drawn(struct harness *h)
{
	return h_find(h, "\u2580", NULL, NULL) || h_find(h, "\u2584", NULL, NULL) ||
	       h_find(h, "\u2588", NULL, NULL);
}

/* h_dump into a string, for a failure reported later; caller frees. */
static char *screen_dump(struct harness *h)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	if (!f)
		return NULL;
	h_dump(h, f);
	fclose(f);
	return buf;
}

/* Debris of an escape sequence that was only half removed. */
static void no_escape_debris(struct harness *h, struct gwd *g, const char *step)
{
	static const char *const debris[] = { "pwned", "[2J", "[31m", "[0m", "]0;", NULL };
	for (size_t i = 0; debris[i]; i++)
		E2E_CHECK(h, g, !h_find(h, debris[i], NULL, NULL), "%s: \"%s\" from an escape sequence shows",
		      step, debris[i]);
}

/* ==== 1. scans that are not login codes ============================================================ */

static const char *const msg_not_code[] = { T_NOT_CODE, NULL };
static const char *const msg_invalid[] = { T_CODE_INVALID, NULL };
static const char *const msg_refused[] = { T_NOT_CODE, T_CODE_INVALID, NULL };
static const char *const msg_too_long[] = { T_TOO_LONG, NULL };

/* xorshift32 with a fixed seed: the same "random" scans every run. */
static uint32_t rnd_state = 0x5eed1234u;
static uint32_t rnd(void)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 17;
	rnd_state ^= rnd_state << 5;
	return rnd_state;
}

/* After the bad scans: a real code on the same FIFO still logs in. */
static void good_scan_logs_in(struct harness *h, struct gwd *g, const char *path, const char *step)
{
	char code[128], s[200];
	citizen_code(g, NULL, code, sizeof code);
	fifo_scan(h, g, path, code, strlen(code));
	snprintf(s, sizeof s, "%s: a real code logs in", step);
	expect_logged_in(h, g, s);
	e2e_expect(h, g, T_WELCOME, WAIT_MS, s);
	log_lacks(h, g, code, strlen(code), strlen(code), s);
	snprintf(s, sizeof s, "%s: F9", step);
	log_out(h, g, s);
}

Test(login_bad, scan_random_bytes)
{
	struct gwd *g = e2e_start_gateway(NULL);
	const char *fifo = fifo_path("scan.fifo");
	char spec[1300];
	snprintf(spec, sizeof spec, "fifo:%s", fifo);
	const char *extra[] = { "--scanner", spec, NULL };
	struct harness *h = e2e_start_home(g, gwd_url(g), COLS, ROWS, extra, WAIT_MS);

	static const size_t lens[] = { 9, 64, 255, 1000, 3000 };
	unsigned char buf[3000];
	rnd_state = 0x5eed1234u;
	for (size_t k = 0; k < sizeof lens / sizeof lens[0]; k++) {
		char step[80];
		for (size_t i = 0; i < lens[k]; i++) {
			buf[i] = (unsigned char)(rnd() >> 24);
			if (buf[i] == '\n')
				buf[i] = 0xfe; /* one scan per line */
		}
		buf[0] = buf[0] < 0x80 ? (unsigned char)(buf[0] | 0x80) : buf[0]; /* surely not ASCII */
		snprintf(step, sizeof step, "random scan %zu (%zu bytes)", k, lens[k]);
		scan_expect(h, g, fifo, buf, lens[k], 1, msg_not_code, step);
		e2e_expect_row(h, g, 0, T_HOME, WAIT_MS, step);
		log_lacks(h, g, buf, lens[k], 8, step);
	}
	expect_not_logged_in(h, g, "after random scans");
	expect_responds(h, g, "after random scans");
	good_scan_logs_in(h, g, fifo, "after random scans");
	expect_responds(h, g, "at the end");
	finish(h, g);
}

Test(login_bad, scan_long_lines)
{
	struct gwd *g = e2e_start_gateway(NULL);
	const char *fifo = fifo_path("scan.fifo");
	char spec[1300];
	snprintf(spec, sizeof spec, "fifo:%s", fifo);
	const char *extra[] = { "--scanner", spec, NULL };
	struct harness *h = e2e_start_home(g, gwd_url(g), COLS, ROWS, extra, WAIT_MS);

	/* 10 KB: over the 4096-byte line limit. */
	static char big[10240];
	static const char pat[] = "Z9y8X7w6";
	for (size_t i = 0; i < sizeof big; i++)
		big[i] = pat[i % 8];
	scan_expect(h, g, fifo, big, sizeof big, 1, msg_too_long, "10 KB line");
	e2e_expect_row(h, g, 0, T_HOME, WAIT_MS, "10 KB line: still home");
	expect_not_logged_in(h, g, "10 KB line");
	/* Exactly 4096 bytes: a line, but no login code (at most 512). */
	scan_expect(h, g, fifo, big, 4096, 1, msg_not_code, "4096-byte line");
	/* 513 printable bytes: one too many. */
	scan_expect(h, g, fifo, big, 513, 1, msg_not_code, "513-byte line");
	log_lacks(h, g, pat, 8, 8, "long lines");
	expect_not_logged_in(h, g, "after long lines");
	expect_responds(h, g, "after long lines");
	/* The line reader is back in step: the next line is a code again. */
	good_scan_logs_in(h, g, fifo, "after long lines");
	finish(h, g);
}

Test(login_bad, scan_escape_sequences)
{
	struct gwd *g = e2e_start_gateway(NULL);
	const char *fifo = fifo_path("scan.fifo");
	char spec[1300];
	snprintf(spec, sizeof spec, "fifo:%s", fifo);
	const char *extra[] = { "--scanner", spec, NULL };
	struct harness *h = e2e_start_home(g, gwd_url(g), COLS, ROWS, extra, WAIT_MS);

	static const char evil[] = "\x1b[2J\x1b]0;pwned\x07GOVLOGIN:x";
	/* Stripped of its escapes it is "GOVLOGIN:x": refused here, or by
	 * the gateway (code_invalid). */
	scan_expect(h, g, fifo, evil, sizeof evil - 1, 1, msg_refused, "escape sequences");
	no_escape_debris(h, g, "escape sequences");
	e2e_expect_row(h, g, 0, T_HOME, WAIT_MS, "escape sequences: still home");
	static const char evil2[] = "\x1b[31m\xc2\x9b" "31m\xe2\x80\xae" "GOVLOGIN:AAAAAAAAAAAAAAAAAAAAAA\x1b[0m";
	scan_expect(h, g, fifo, evil2, sizeof evil2 - 1, 1, msg_refused, "C1 CSI and bidi override");
	no_escape_debris(h, g, "C1 CSI and bidi override");
	expect_not_logged_in(h, g, "escape sequences");
	log_lacks(h, g, "pwned", 5, 5, "escape sequences");
	log_lacks(h, g, "GOVLOGIN:", 9, 9, "escape sequences");
	expect_responds(h, g, "after escape sequences");

	/* The log-in screen takes scans too: the same there, and the QR stays. */
	char uc[10], uc2[10];
	open_login_qr(h, g, uc, "log-in screen");
	scan_expect(h, g, fifo, evil, sizeof evil - 1, 1, msg_refused, "log-in screen: escape sequences");
	no_escape_debris(h, g, "log-in screen: escape sequences");
	static char big[6000];
	memset(big, 'q', sizeof big);
	scan_expect(h, g, fifo, big, sizeof big, 1, msg_too_long, "log-in screen: 6000 bytes");
	e2e_expect_row(h, g, 0, T_LOGIN, WAIT_MS, "log-in screen: still there");
	e2e_expect(h, g, T_WAITING, WAIT_MS, "log-in screen: still waiting for the phone");
	E2E_CHECK(h, g, screen_user_code(h, uc2) && !strcmp(uc, uc2), "log-in screen: the user code changed");
	expect_not_logged_in(h, g, "log-in screen: bad scans");
	h_key(h, H_ESC);
	e2e_expect_row(h, g, 0, T_HOME, WAIT_MS, "Esc home");
	expect_responds(h, g, "after bad scans on the log-in screen");
	finish(h, g);
}

Test(login_bad, scan_invalid_utf8)
{
	struct gwd *g = e2e_start_gateway(NULL);
	const char *fifo = fifo_path("scan.fifo");
	char spec[1300];
	snprintf(spec, sizeof spec, "fifo:%s", fifo);
	const char *extra[] = { "--scanner", spec, NULL };
	struct harness *h = e2e_start_home(g, gwd_url(g), COLS, ROWS, extra, WAIT_MS);

	static const char bad1[] = "\xff\xfe\xc0\x80";
	scan_expect(h, g, fifo, bad1, sizeof bad1 - 1, 1, msg_not_code, "invalid UTF-8");
	/* A real-looking code with one byte of garbage inside. */
	static const char bad2[] = "GOVLOGIN:FIEBsxzmJi9R\xc0\x80nFhLlkN2Kg";
	scan_expect(h, g, fifo, bad2, sizeof bad2 - 1, 1, msg_not_code, "code with invalid UTF-8 inside");
	/* A surrogate half and an overlong slash. */
	static const char bad3[] = "\xed\xa0\x80\xe0\x80\xaf/login";
	scan_expect(h, g, fifo, bad3, sizeof bad3 - 1, 1, msg_not_code, "surrogate and overlong");
	e2e_expect_row(h, g, 0, T_HOME, WAIT_MS, "invalid UTF-8: still home");
	expect_not_logged_in(h, g, "invalid UTF-8");
	log_lacks(h, g, bad2, sizeof bad2 - 1, 8, "invalid UTF-8");
	expect_responds(h, g, "after invalid UTF-8");
	finish(h, g);
}

Test(login_bad, scan_qr_not_login_code)
{
	struct gwd *g = e2e_start_gateway(NULL);
	const char *fifo = fifo_path("scan.fifo");
	char spec[1300];
	snprintf(spec, sizeof spec, "fifo:%s", fifo);
	const char *extra[] = { "--scanner", spec, NULL };
	struct harness *h = e2e_start_home(g, gwd_url(g), COLS, ROWS, extra, WAIT_MS);

	/* An EMV merchant-presented payment QR (printable ASCII: the gateway
	 * is asked, and says code_invalid). */
	static const char emv[] =
		"00020101021229300012D156000000000510A93FO3230Q31280012D15600000001030812345678"
		"52044111530315654031005802CN5914BEST TRANSPORT6007BEIJING6304A13B";
	/* ... which has spaces: refused here already, or by the gateway. */
	scan_expect(h, g, fifo, emv, sizeof emv - 1, 1, msg_refused, "EMV payment QR");
	h_settle(h, 300, 2000);
	expect_not_logged_in(h, g, "EMV payment QR");
	/* The same without the spaces: surely asked. */
	static const char emv2[] =
		"000201010212263100108A0000067701110113006600000000005802TH530376454041.005406"
		"HELLO6304ABCD";
	scan_expect(h, g, fifo, emv2, sizeof emv2 - 1, 2, msg_invalid, "EMV payment QR, no spaces");
	expect_not_logged_in(h, g, "EMV payment QR, no spaces");
	static const char url[] = "https://example.com/pay?x=1";
	scan_expect(h, g, fifo, url, sizeof url - 1, 2, msg_invalid, "a URL");
	e2e_expect_row(h, g, 0, T_HOME, WAIT_MS, "a URL: still home");
	expect_not_logged_in(h, g, "a URL");
	/* One of the gateway's own shape, but never issued. */
	static const char fake[] = "GOVLOGIN:AAAAAAAAAAAAAAAAAAAAAA";
	scan_expect(h, g, fifo, fake, sizeof fake - 1, 2, msg_invalid, "a code never issued");
	expect_not_logged_in(h, g, "a code never issued");
	log_lacks(h, g, emv, sizeof emv - 1, 12, "EMV");
	log_lacks(h, g, emv2, sizeof emv2 - 1, 12, "EMV");
	log_lacks(h, g, url, sizeof url - 1, 12, "URL");
	log_lacks(h, g, fake, sizeof fake - 1, 12, "fake code");
	expect_responds(h, g, "after foreign QR codes");
	finish(h, g);
}

/* ==== 2. expired and used codes ============================================================ */

Test(login_bad, code_expired)
{
	const char *gargs[] = { "--code-ttl", "1", NULL };
	struct gwd *g = e2e_start_gateway(gargs);
	const char *fifo = fifo_path("scan.fifo");
	char spec[1300];
	snprintf(spec, sizeof spec, "fifo:%s", fifo);
	const char *extra[] = { "--scanner", spec, NULL };
	struct harness *h = e2e_start_home(g, gwd_url(g), COLS, ROWS, extra, WAIT_MS);

	char code[128];
	citizen_code(g, NULL, code, sizeof code);
	pump_for(h, 2500);
	static const char *const msgs[] = { T_CODE_EXPIRED, NULL };
	scan_expect(h, g, fifo, code, strlen(code), 2, msgs, "expired code");
	e2e_expect_row(h, g, 0, T_HOME, WAIT_MS, "expired code: still home");
	expect_not_logged_in(h, g, "expired code");
	log_lacks(h, g, code, strlen(code), 12, "expired code");
	expect_responds(h, g, "after an expired code");
	finish(h, g);
}

Test(login_bad, code_used_twice)
{
	struct gwd *g = e2e_start_gateway(NULL);
	const char *fifo = fifo_path("scan.fifo");
	char spec[1300];
	snprintf(spec, sizeof spec, "fifo:%s", fifo);
	const char *extra[] = { "--scanner", spec, NULL };
	struct harness *h = e2e_start_home(g, gwd_url(g), COLS, ROWS, extra, WAIT_MS);

	char code[128];
	citizen_code(g, NULL, code, sizeof code);
	fifo_scan(h, g, fifo, code, strlen(code));
	expect_logged_in(h, g, "first scan logs in");
	log_out(h, g, "F9 after the first scan");

	static const char *const msgs[] = { T_CODE_USED, NULL };
	scan_expect(h, g, fifo, code, strlen(code), 2, msgs, "the same code again");
	e2e_expect_row(h, g, 0, T_HOME, WAIT_MS, "used code: still home");
	expect_not_logged_in(h, g, "used code");
	log_lacks(h, g, code, strlen(code), 12, "used code");
	expect_responds(h, g, "after a used code");
	finish(h, g);
}

/* ==== 3. scanners that are not there ======================================================= */

Test(login_bad, camera_missing)
{
	struct gwd *g = e2e_start_gateway(NULL);
	const char *fifo = fifo_path("scan.fifo");
	char spec[1300];
	snprintf(spec, sizeof spec, "fifo:%s", fifo);
	/* No /dev/video9 here (or anywhere a test runs). */
	const char *extra[] = { "--scanner", "camera:/dev/video9", "--scanner", spec, NULL };
	struct harness *h = e2e_start_home(g, gwd_url(g), COLS, ROWS, extra, WAIT_MS);

	e2e_expect(h, g, T_SCANNER_DOWN, WAIT_MS, "missing camera: notice");
	E2E_CHECK(h, g, e2e_log_count(h, "camera:/dev/video9") > 0, "the missing camera is not in the log");
	expect_not_logged_in(h, g, "missing camera");
	expect_responds(h, g, "missing camera");
	/* The other scanner works. */
	char code[128];
	citizen_code(g, NULL, code, sizeof code);
	fifo_scan(h, g, fifo, code, strlen(code));
	expect_logged_in(h, g, "the FIFO scanner logs in");
	log_out(h, g, "F9");
	expect_responds(h, g, "at the end");
	finish(h, g);
}

Test(login_bad, fifo_dir_missing)
{
	struct gwd *g = e2e_start_gateway(NULL);
	const char *good = fifo_path("scan.fifo");
	const char *bad = fifo_path("no/such/dir/scan.fifo");
	char spec_good[1300], spec_bad[1300];
	snprintf(spec_good, sizeof spec_good, "fifo:%s", good);
	snprintf(spec_bad, sizeof spec_bad, "fifo:%s", bad);
	const char *extra[] = { "--scanner", spec_bad, "--scanner", spec_good, NULL };
	struct harness *h = e2e_start_home(g, gwd_url(g), COLS, ROWS, extra, WAIT_MS);

	e2e_expect(h, g, T_SCANNER_DOWN, WAIT_MS, "FIFO in a missing directory: notice");
	E2E_CHECK(h, g, e2e_log_count(h, "no/such/dir/scan.fifo") > 0, "the broken scanner is not in the log");
	struct stat st;
	E2E_CHECK(h, g, stat(bad, &st) != 0, "the kiosk made %s after all", bad);
	expect_not_logged_in(h, g, "FIFO in a missing directory");
	expect_responds(h, g, "FIFO in a missing directory");
	char code[128];
	citizen_code(g, NULL, code, sizeof code);
	fifo_scan(h, g, good, code, strlen(code));
	expect_logged_in(h, g, "the good FIFO logs in");
	log_out(h, g, "F9");
	expect_responds(h, g, "at the end");
	finish(h, g);
}

/* ==== 4. the gateway goes away while the QR is shown ============================================ */

/* The N of every "login: poll failed (...), next in N s" so far. */
static int poll_backoffs(struct harness *h, int *out, int max)
{
	char *all = e2e_log_read(h, NULL);
	int n = 0;
	for (const char *p = all; p && (p = strstr(p, LOG_POLL_FAILED)); p++) {
		const char *eol = strchr(p, '\n');
		const char *next = strstr(p, "next in ");
		if (next && (!eol || next < eol) && n < max)
			out[n++] = atoi(next + 8);
	}
	free(all);
	return n;
}

/* The time of a kiosk.log line ("2024-05-01T08:00:00.123Z info ..."), in
 * ms since the epoch; -1 if it has none. */
static long long log_line_ms(const char *line)
{
	struct tm tm;
	int ms = -1;
	memset(&tm, 0, sizeof tm);
	const char *p = strptime(line, "%Y-%m-%dT%H:%M:%S", &tm);
	if (!p || sscanf(p, ".%3dZ", &ms) != 1 || ms < 0)
		return -1;
	return (long long)timegm(&tm) * 1000 + ms;
}

/* The times of the kiosk.log lines that hold needle, in order (at most
 * max); their number. */
static int log_times(struct harness *h, const char *needle, long long *out, int max)
{
	char *all = e2e_log_read(h, NULL);
	int n = 0;
	for (const char *line = all; line && *line && n < max;) {
		const char *eol = strchr(line, '\n');
		size_t len = eol ? (size_t)(eol - line) : strlen(line);
		if (memmem(line, len, needle, strlen(needle)))
			out[n++] = log_line_ms(line);
		line = eol ? eol + 1 : line + len;
	}
	free(all);
	return n;
}

/* Pumps until the log has `want` lines with needle; their times into out. */
static int expect_log_times(struct harness *h, struct gwd *g, const char *needle, long long *out,
                            int want, int ms, const char *step)
{
	long long end = e2e_now_ms() + ms;
	int n;
	while ((n = log_times(h, needle, out, want)) < want && e2e_now_ms() < end)
		h_pump(h, 50);
	E2E_CHECK(h, g, n >= want, "%s: the kiosk's log has %d \"%s\", not %d", step, n, needle, want);
	return n;
}

/* The gap between two logged events that must be at least min_ms apart.
 * The log's times are milliseconds of the wall clock, the kiosk's timers
 * monotonic: MARGIN_MS absorbs the rounding. A loaded machine only makes
 * gaps longer, so nothing bounds them from above. */
#define MARGIN_MS 150
static void expect_gap(struct harness *h, struct gwd *g, long long from, long long to, long min_ms,
                       const char *what)
{
	E2E_CHECK(h, g, from > 0 && to > 0, "%s: a log line without a time", what);
	E2E_CHECK(h, g, to - from >= min_ms - MARGIN_MS, "%s: %lld ms apart, not at least %ld ms", what,
	          to - from, min_ms);
}

Test(login_bad, gateway_down_while_polling)
{
	const char *gargs[] = { "--device-interval", "1", NULL };
	struct gwd *g = e2e_start_gateway(gargs);
	struct harness *h = e2e_start_home(g, gwd_url(g), COLS, ROWS, NULL, WAIT_MS);
	char code[10];

	open_login_qr(h, g, code, "QR");
	gwd_kill(g);
	e2e_expect(h, g, T_NET_TROUBLE, WAIT_MS, "gateway gone: network trouble");
	int t0 = countdown_s(h);
	E2E_CHECK(h, g, t0 > 0, "no countdown on the log-in screen");

	/* It keeps trying, each time waiting longer (2, 4, 8 s ...). */
	int b[16];
	long long end = e2e_now_ms() + WAIT_MS;
	while (poll_backoffs(h, b, 16) < 3 && e2e_now_ms() < end)
		h_pump(h, 100);
	int nb = poll_backoffs(h, b, 16);
	E2E_CHECK(h, g, nb >= 3, "only %d \"%s\" in the kiosk's log", nb, LOG_POLL_FAILED);
	for (int i = 1; i < nb; i++)
		E2E_CHECK(h, g, b[i] > b[i - 1] || b[i] == 60, "poll interval does not grow: %d s then %d s",
		      b[i - 1], b[i]);
	E2E_CHECK(h, g, b[0] >= 1, "first retry after %d s", b[0]);
	/* ...and waits that long: each failure comes at least the announced
	 * wait after the one before. */
	long long t[16];
	int nt = log_times(h, LOG_POLL_FAILED, t, 16);
	for (int i = 1; i < nt && i < nb; i++) {
		char what[80];
		snprintf(what, sizeof what, "poll failures %d and %d (\"next in %d s\")", i, i + 1, b[i - 1]);
		expect_gap(h, g, t[i - 1], t[i], b[i - 1] * 1000L, what);
	}

	/* Still the same QR and code, the countdown running, the notice there. */
	h_settle(h, 100, 1500);
	int t1 = countdown_s(h);
	E2E_CHECK(h, g, t1 >= 0 && t1 < t0, "countdown does not run: %d s, then %d s", t0, t1);
	char code2[10];
	E2E_CHECK(h, g, screen_user_code(h, code2) && !strcmp(code, code2), "user code changed or gone");
	e2e_expect(h, g, T_NET_TROUBLE, WAIT_MS, "network trouble stays");
	expect_not_logged_in(h, g, "gateway gone");

	/* Keys still work. */
	h_key(h, H_ESC);
	e2e_expect_row(h, g, 0, T_HOME, WAIT_MS, "Esc back to home");
	h_type(h, "4"); /* home: 扫码登录 */
	e2e_expect_row(h, g, 0, T_LOGIN, WAIT_MS, "log-in screen again");
	e2e_expect(h, g, T_UNREACHABLE, WAIT_MS, "log-in screen: unreachable");
	e2e_expect(h, g, T_NEW_CODE, WAIT_MS, "log-in screen: new-QR button");
	E2E_CHECK(h, g, !h_find(h, T_WAITING, NULL, NULL), "waiting for a phone without a QR");
	int before = e2e_log_count(h, LOG_DEVICE);
	h_type(h, "1");
	expect_log_count(h, g, LOG_DEVICE, before + 1, WAIT_MS, "new QR asked for");
	e2e_expect(h, g, T_UNREACHABLE, WAIT_MS, "new QR: unreachable again");
	e2e_expect(h, g, T_NEW_CODE, WAIT_MS, "new QR: button again");
	expect_not_logged_in(h, g, "log-in screen offline");
	h_key(h, H_ESC);
	e2e_expect_row(h, g, 0, T_HOME, WAIT_MS, "Esc back to home");
	expect_responds(h, g, "gateway gone");
	finish(h, g);
}

/* ==== 5. slow_down ================================================================================ */

/* The kiosk polls no faster than the interval (1 s here), and after a
 * slow_down no faster than 5 s more (RFC 8628 3.5), measured between the
 * answers to its polls in its own log: an answer is logged before the next
 * poll is scheduled, so consecutive answers are at least the interval
 * apart. */
Test(login_bad, slow_down_then_approve)
{
	const char *gargs[] = { "--device-interval", "1", NULL };
	struct gwd *g = e2e_start_gateway(gargs);
	struct harness *h = e2e_start_home(g, gwd_url(g), COLS, ROWS, NULL, WAIT_MS);
	char code[10], path[80], what[80];
	long long t[16], slow[2];

	open_login_qr(h, g, code, "QR");
	int n0 = expect_log_times(h, g, LOG_TOKEN, t, 3, WAIT_MS, "polls at the interval");
	for (int i = 1; i < n0; i++) {
		snprintf(what, sizeof what, "polls %d and %d", i, i + 1);
		expect_gap(h, g, t[i - 1], t[i], 1000, what);
	}

	snprintf(path, sizeof path, "/sim/device/%s/slow_down", code);
	sim_post(h, g, path, NULL);
	expect_log_count(h, g, LOG_SLOW_DOWN "6 s", 1, WAIT_MS, "slow_down taken");
	/* The poll answered slow_down, and the two after it. */
	E2E_CHECK(h, g, log_times(h, LOG_SLOW_DOWN, slow, 2) == 1, "more than one slow_down");
	int n = log_times(h, LOG_TOKEN, t, 16), k = 0;
	while (k < n && t[k] <= slow[0])
		k++; /* t[k - 1]: the answer that said slow_down */
	E2E_CHECK(h, g, k >= 1, "no poll answered before the slow_down line");
	expect_log_times(h, g, LOG_TOKEN, t, k + 2, 2 * 6000 + WAIT_MS, "polls after slow_down");
	expect_gap(h, g, t[k - 1], t[k], 6000, "the slow_down answer and the next poll's");
	expect_gap(h, g, t[k], t[k + 1], 6000, "the two polls after slow_down");
	h_settle(h, 100, 1500);
	e2e_expect(h, g, T_WAITING, WAIT_MS, "still waiting after slow_down");
	E2E_CHECK(h, g, !h_find(h, T_NET_TROUBLE, NULL, NULL), "slow_down shown as network trouble");
	expect_not_logged_in(h, g, "after slow_down");

	snprintf(path, sizeof path, "/sim/device/%s/approve", code);
	sim_post(h, g, path, NULL);
	expect_logged_in(h, g, "approved after slow_down");
	e2e_expect_row(h, g, 0, T_HOME, WAIT_MS, "logged in: home");
	/* One slow_down only: the gateway, which measures too, would have
	 * answered slow_down again to a poll that came too early. */
	E2E_CHECK(h, g, e2e_log_count(h, LOG_SLOW_DOWN) == 1, "%d slow_down answers", e2e_log_count(h, LOG_SLOW_DOWN));
	log_out(h, g, "F9");
	expect_responds(h, g, "at the end");
	finish(h, g);
}

/* ==== 6. a keyboard-wedge scan where scans are not taken ========================================== */

/* The first category and its first service (test_faults.c does the same). */
struct names {
	char cat_name[256], svc_name[256];
};

static void names_get(struct gwd *g, struct names *n)
{
	char *body = NULL;
	json_error_t e;
	int st = gwd_get(g, "/v1/catalog", &body);
	json_t *cat = st == 200 ? json_loads(body, 0, &e) : NULL;
	free(body);
	memset(n, 0, sizeof *n);
	json_t *c0 = json_array_get(json_object_get(cat, "categories"), 0);
	const char *cid = json_string_value(json_object_get(c0, "id"));
	const char *cname = json_string_value(json_object_get(c0, "name"));
	snprintf(n->cat_name, sizeof n->cat_name, "%s", cname ? cname : "");
	size_t i;
	json_t *s;
	json_array_foreach(json_object_get(cat, "services"), i, s) {
		const char *sc = json_string_value(json_object_get(s, "category"));
		const char *sn = json_string_value(json_object_get(s, "name"));
		if (cid && sc && sn && !strcmp(sc, cid)) {
			snprintf(n->svc_name, sizeof n->svc_name, "%s", sn);
			break;
		}
	}
	json_decref(cat);
	cr_assert(n->cat_name[0] && n->svc_name[0], "no service in the first category (catalog: %d)", st);
}

/* The row of the focused menu item (its '>' marker), or -1. */
static int focus_row(struct harness *h, char *label, size_t n)
{
	for (int row = 1; row < ROWS - 1; row++) {
		char *t = h_row_text(h, row);
		char *p = strchr(t, '>');
		if (p && p[1] >= '1' && p[1] <= '9' && p[2] == ' ') {
			snprintf(label, n, "%s", p);
			free(t);
			return row;
		}
		free(t);
	}
	return -1;
}

/* The detector is opt-in: by default a burst typed on the terminal is
 * typing, whatever its speed (a USB scanner is read as evdev: instead, and
 * keys are never held back). A real code and Enter typed at a scanner's
 * pace on home does not log in; its first digit acts at once. */
Test(login_bad, wedge_off_by_default)
{
	struct gwd *g = e2e_start_gateway(NULL);
	struct harness *h = e2e_start_home(g, gwd_url(g), COLS, ROWS, NULL, WAIT_MS);
	char code[128], line[160];
	citizen_code(g, NULL, code, sizeof code);
	snprintf(line, sizeof line, "%s\r", code);
	h_type(h, line);
	expect_not_logged_in(h, g, "a burst with the detector off");
	log_lacks(h, g, code, strlen(code), 12, "burst");
	E2E_CHECK(h, g, e2e_log_count(h, "session: started") == 0, "a burst logged in with the detector off");
	/* ... but it is noticed, once, for whoever reads the log or the fleet. */
	E2E_CHECK(h, g, e2e_log_count(h, "a keyboard-wedge scanner seems to type on the terminal") == 1,
	          "the burst was not logged once as a scanner typing with wedge off");
	e2e_stop(h, g);
}

Test(login_bad, wedge_burst_off_home)
{
	struct gwd *g = e2e_start_gateway(NULL);
	struct names n;
	names_get(g, &n);
	const char *fifo = fifo_path("scan.fifo");
	char spec[1300];
	snprintf(spec, sizeof spec, "fifo:%s", fifo);
	/* The detector is opt-in ([scanner] wedge = on). */
	const char *extra[] = { "--scanner", spec, "--wedge", "on", NULL };
	struct harness *h = e2e_start_home(g, gwd_url(g), COLS, ROWS, extra, WAIT_MS);

	h_type(h, "3"); /* home: 办事服务 */
	e2e_expect_row(h, g, 0, T_CATEGORIES, WAIT_MS, "categories");
	e2e_expect(h, g, e2e_item(1, n.cat_name), WAIT_MS, "categories: first category");
	h_type(h, "1");
	e2e_expect_row(h, g, 0, n.cat_name, WAIT_MS, "services list");
	e2e_expect(h, g, e2e_item(1, n.svc_name), WAIT_MS, "services list: first service");
	h_key(h, H_DOWN);
	h_settle(h, 100, 2000);
	char focus[256] = "", focus2[256] = "";
	int frow = focus_row(h, focus, sizeof focus);
	E2E_CHECK(h, g, frow > 0 && strncmp(focus, ">1 ", 3) != 0, "Down did not move the focus (%s)", focus);

	/* A scanner "typing" a code ends in Enter: one write, so each key
	 * comes within the wedge gap. */
	static const char *const bursts[] = {
		"GOVLOGIN:abcdefghijklmnop\r",
		"GOVLOGIN:1234567890123456\r", /* digits that would pick items */
		"1203456789\r",
	};
	for (size_t k = 0; k < sizeof bursts / sizeof bursts[0]; k++) {
		char step[80];
		snprintf(step, sizeof step, "burst %zu on the services list", k);
		int before = e2e_log_count(h, LOG_NOTICE);
		h_type(h, bursts[k]);
		expect_log_count(h, g, LOG_NOTICE, before + 1, WAIT_MS, step);
		e2e_expect(h, g, T_SCAN_AT_HOME, WAIT_MS, step);
		h_settle(h, 200, 2000);
		E2E_CHECK(h, g, e2e_row_has(h, 0, n.cat_name), "%s: left the services list", step);
		E2E_CHECK(h, g, !h_find(h, T_CHECKING, NULL, NULL), "%s: the code was sent", step);
		E2E_CHECK(h, g, focus_row(h, focus2, sizeof focus2) == frow && !strcmp(focus, focus2),
		      "%s: the focus moved from \"%s\" to \"%s\"", step, focus, focus2);
		expect_not_logged_in(h, g, step);
	}
	E2E_CHECK(h, g, e2e_log_count(h, "scan from keyboard") == 3, "%d keyboard scans in the log, not 3",
	      e2e_log_count(h, "scan from keyboard"));
	/* The same from the FIFO scanner. */
	{
		static const char fscan[] = "GOVLOGIN:1234567890123456";
		static const char *const msgs[] = { T_SCAN_AT_HOME, NULL };
		scan_expect(h, g, fifo, fscan, sizeof fscan - 1, 1, msgs, "FIFO scan on the services list");
		h_settle(h, 200, 2000);
		E2E_CHECK(h, g, e2e_row_has(h, 0, n.cat_name), "FIFO scan: left the services list");
		E2E_CHECK(h, g, focus_row(h, focus2, sizeof focus2) == frow && !strcmp(focus, focus2),
		      "FIFO scan: the focus moved from \"%s\" to \"%s\"", focus, focus2);
		expect_not_logged_in(h, g, "FIFO scan on the services list");
	}
	log_lacks(h, g, "abcdefghijklmnop", 16, 16, "wedge");
	/* Typed by a person (one key at a time) a digit still picks. */
	h_type(h, "1");
	e2e_expect_row(h, g, 0, n.svc_name, WAIT_MS, "a single \"1\" opens the first service");
	h_key(h, H_ESC);
	e2e_expect_row(h, g, 0, n.cat_name, WAIT_MS, "Esc to the services list");
	h_key(h, H_ESC);
	e2e_expect_row(h, g, 0, T_CATEGORIES, WAIT_MS, "Esc to the categories");
	h_key(h, H_ESC);
	e2e_expect_row(h, g, 0, T_HOME, WAIT_MS, "Esc home");
	expect_responds(h, g, "after bursts");

	/* On the home screen: a burst longer than any scan (4096) is refused
	 * whole; none of it comes out as keys. */
	{
		static char lots[4300];
		memset(lots, 'a', sizeof lots - 2);
		lots[sizeof lots - 2] = '\r';
		lots[sizeof lots - 1] = '\0';
		int before = e2e_log_count(h, LOG_NOTICE);
		h_type(h, lots);
		expect_log_count(h, g, LOG_NOTICE, before + 1, WAIT_MS, "overlong burst");
		e2e_expect(h, g, T_TOO_LONG, WAIT_MS, "overlong burst");
		h_settle(h, 200, 3000);
		e2e_expect_row(h, g, 0, T_HOME, WAIT_MS, "overlong burst: still home");
		expect_not_logged_in(h, g, "overlong burst");
		E2E_CHECK(h, g, e2e_log_count(h, LOG_NOTICE) == before + 1, "overlong burst: %d notices",
		      e2e_log_count(h, LOG_NOTICE) - before);
	}

	/* On the home screen the same kind of burst with a real code logs in. */
	char code[128], line[160];
	citizen_code(g, NULL, code, sizeof code);
	snprintf(line, sizeof line, "%s\r", code);
	h_type(h, line);
	expect_logged_in(h, g, "wedge scan on home logs in");
	e2e_expect(h, g, T_WELCOME, WAIT_MS, "welcome");
	log_lacks(h, g, code, strlen(code), 12, "wedge code");
	log_out(h, g, "F9");
	expect_responds(h, g, "at the end");
	finish(h, g);
}

/* ==== 7. the session ends on the gateway mid-use ================================================= */

Test(login_bad, session_expires_mid_use)
{
	struct gwd *g = e2e_start_gateway(NULL);
	const char *fifo = fifo_path("scan.fifo");
	char spec[1300];
	snprintf(spec, sizeof spec, "fifo:%s", fifo);
	const char *extra[] = { "--scanner", spec, NULL };
	struct harness *h = e2e_start_home(g, gwd_url(g), COLS, ROWS, extra, WAIT_MS);

	char code[128];
	citizen_code(g, "cit-ouyang", code, sizeof code);
	fifo_scan(h, g, fifo, code, strlen(code));
	expect_logged_in(h, g, "scan logs in");
	E2E_CHECK(h, g, e2e_row_has(h, ROWS - 1, "欧**国"), "the masked name is not in the status bar");
	h_type(h, "7"); /* home: 我的办件 */
	e2e_expect_row(h, g, 0, "我的办件", WAIT_MS, "my applications");
	h_type(h, "2"); /* 个人信息 */
	e2e_expect_row(h, g, 0, T_ME, WAIT_MS, "my information");
	e2e_expect(h, g, "姓名：欧**国", WAIT_MS, "my information: name");

	char *resp = NULL;
	int st = gwd_post(g, "/sim/sessions/expire", NULL, &resp);
	bool one = resp && strstr(resp, "\"expired\":1");
	free(resp);
	E2E_CHECK(h, g, st == 200 && one, "/sim/sessions/expire: %d", st);

	h_key(h, H_HOME);
	e2e_expect_row(h, g, 0, T_HOME, WAIT_MS, "Home key: home");
	h_record(h);
	h_type(h, "7"); /* GET /v1/me/applications with the dead token */
	e2e_expect(h, g, T_SESSION_GONE, WAIT_MS, "session expired: notice");
	e2e_expect_row(h, g, 0, T_HOME, WAIT_MS, "session expired: home");
	expect_not_logged_in(h, g, "session expired");
	e2e_expect_cleared(h, g, "session expired");
	E2E_CHECK(h, g, !h_find(h, "欧**国", NULL, NULL) && !h_find(h, "欧", NULL, NULL),
	      "the citizen's name stays on the screen");
	E2E_CHECK(h, g, !h_find(h, "4401", NULL, NULL), "the citizen's ID stays on the screen");
	/* Now "7" asks for a log-in. */
	h_type(h, "7");
	e2e_expect_row(h, g, 0, T_LOGIN, WAIT_MS, "7 without a session: log-in screen");
	h_key(h, H_ESC);
	e2e_expect_row(h, g, 0, T_HOME, WAIT_MS, "Esc home");
	expect_responds(h, g, "after the session expired");
	finish(h, g);
}

/* ==== 8. the gateway answers garbage to the login calls ============================================ */

Test(login_bad, auth_evil_strings)
{
	const char *gargs[] = { "--device-interval", "1", NULL };
	struct gwd *g = e2e_start_gateway(gargs);
	const char *fifo = fifo_path("scan.fifo");
	char spec[1300];
	snprintf(spec, sizeof spec, "fifo:%s", fifo);
	const char *extra[] = { "--scanner", spec, NULL };
	struct harness *h = e2e_start_home(g, gwd_url(g), COLS, ROWS, extra, WAIT_MS);

	e2e_set_faults(g, "{\"body\":\"evil_strings\",\"paths\":[\"/v1/auth\"]}");
	char code[128];
	citizen_code(g, NULL, code, sizeof code);
	fifo_scan(h, g, fifo, code, strlen(code));
	static const char *const outcome[] = { T_LOGGED_IN, T_UNREADABLE, NULL };
	e2e_expect_any(h, g, outcome, WAIT_MS, "scan with evil strings");
	h_settle(h, 200, 2000);
	e2e_clean(h, g, "scan with evil strings");
	no_escape_debris(h, g, "scan with evil strings");
	if (logged_in(h)) /* accepted: what is drawn of the name is clean (above) */
		log_out(h, g, "F9 after the evil login");
	expect_not_logged_in(h, g, "evil strings by scan");

	/* The QR way: the token answer is spoiled the same way. */
	char uc[10], path[80];
	open_login_qr(h, g, uc, "QR with evil strings");
	snprintf(path, sizeof path, "/sim/device/%s/approve", uc);
	sim_post(h, g, path, NULL);
	e2e_expect_any(h, g, outcome, WAIT_MS, "QR with evil strings approved");
	h_settle(h, 200, 2000);
	e2e_clean(h, g, "QR with evil strings approved");
	no_escape_debris(h, g, "QR with evil strings approved");
	if (logged_in(h))
		log_out(h, g, "F9 after the evil QR login");
	expect_not_logged_in(h, g, "evil strings by QR");
	e2e_set_faults(g, "{}");
	expect_responds(h, g, "after evil strings");
	finish(h, g);
}

Test(login_bad, auth_malformed)
{
	const char *gargs[] = { "--device-interval", "1", NULL };
	struct gwd *g = e2e_start_gateway(gargs);
	const char *fifo = fifo_path("scan.fifo");
	char spec[1300];
	snprintf(spec, sizeof spec, "fifo:%s", fifo);
	const char *extra[] = { "--scanner", spec, NULL };
	struct harness *h = e2e_start_home(g, gwd_url(g), COLS, ROWS, extra, WAIT_MS);

	e2e_set_faults(g, "{\"body\":\"malformed\",\"paths\":[\"/v1/auth\"]}");
	char code[128];
	citizen_code(g, NULL, code, sizeof code);
	static const char *const msgs[] = { T_UNREADABLE, NULL };
	scan_expect(h, g, fifo, code, strlen(code), 2, msgs, "scan, malformed answer");
	expect_not_logged_in(h, g, "scan, malformed answer");

	/* The QR: the device answer is cut in half. */
	h_type(h, "4"); /* home: 扫码登录 */
	e2e_expect_row(h, g, 0, T_LOGIN, WAIT_MS, "log-in screen");
	e2e_expect(h, g, T_UNREADABLE, WAIT_MS, "log-in screen: unreadable answer");
	e2e_expect(h, g, T_NEW_CODE, WAIT_MS, "log-in screen: new-QR button");
	E2E_CHECK(h, g, !h_find(h, T_WAITING, NULL, NULL), "waiting for a phone without a QR");
	expect_not_logged_in(h, g, "QR, malformed answer");
	/* Fixed: a new QR comes. */
	e2e_set_faults(g, "{}");
	h_type(h, "1");
	e2e_expect(h, g, T_WAITING, WAIT_MS, "new QR after the faults are cleared");

	/* Now the polls are cut in half, the approving one too: the kiosk
	 * cannot read the session, and must not be logged in. */
	char uc[10], path[80];
	E2E_CHECK(h, g, h_wait(h, pred_user_code, uc, WAIT_MS), "no user code on the screen");
	e2e_set_faults(g, "{\"body\":\"malformed\",\"paths\":[\"/v1/auth/token\"]}");
	e2e_expect(h, g, T_NET_TROUBLE, WAIT_MS, "polls cut in half: network trouble");
	snprintf(path, sizeof path, "/sim/device/%s/approve", uc);
	sim_post(h, g, path, NULL);
	expect_log_count(h, g, "POST /v1/auth/token -> 200 error", 1, WAIT_MS,
	                 "the approving poll, cut in half");
	h_settle(h, 200, 2000);
	e2e_clean(h, g, "the approving poll, cut in half");
	expect_not_logged_in(h, g, "the approving poll, cut in half");
	/* Cleared: the spent code is over; a new one logs in. */
	e2e_set_faults(g, "{}");
	e2e_expect(h, g, T_QR_EXPIRED, WAIT_MS, "the spent QR code");
	expect_not_logged_in(h, g, "the spent QR code");
	/* The dead code's QR must go with it (a phone could still scan it).
	 * Checked at the end, so that the rest is tested even if it stays. */
	h_settle(h, 200, 2000);
	char *stale_qr = qr_drawn(h) ? screen_dump(h) : NULL;
	h_type(h, "1");
	e2e_expect(h, g, T_WAITING, WAIT_MS, "another QR");
	char uc2[10];
	E2E_CHECK(h, g, h_wait(h, pred_user_code, uc2, WAIT_MS) && strcmp(uc, uc2),
	      "no new user code on the screen");
	snprintf(path, sizeof path, "/sim/device/%s/approve", uc2);
	sim_post(h, g, path, NULL);
	expect_logged_in(h, g, "the new QR logs in");
	log_out(h, g, "F9");
	expect_responds(h, g, "after malformed answers");
	finish(h, g);
	if (stale_qr) {
		fprintf(stderr, "%s", stale_qr);
		free(stale_qr);
		cr_assert_fail("the QR code of the spent device code %s is still drawn in the "
		               "\"expired\" state (screen above)", uc);
	}
}

Test(login_bad, device_500_then_new_code)
{
	const char *gargs[] = { "--device-interval", "1", NULL };
	struct gwd *g = e2e_start_gateway(gargs);
	struct harness *h = e2e_start_home(g, gwd_url(g), COLS, ROWS, NULL, WAIT_MS);

	e2e_set_faults(g, "{\"status\":500,\"paths\":[\"/v1/auth/device\"]}");
	h_type(h, "4"); /* home: 扫码登录 */
	e2e_expect_row(h, g, 0, T_LOGIN, WAIT_MS, "log-in screen");
	static const char *const msgs_5xx[] = { T_5XX_GATEWAY, T_5XX, NULL };
	e2e_expect_any(h, g, msgs_5xx, WAIT_MS, "log-in screen: server error");
	e2e_expect(h, g, T_NEW_CODE, WAIT_MS, "log-in screen: new-QR button");
	E2E_CHECK(h, g, !h_find(h, T_WAITING, NULL, NULL), "waiting for a phone without a QR");

	/* Still failing: asks again, says the same. */
	int before = e2e_log_count(h, LOG_DEVICE);
	h_type(h, "1");
	expect_log_count(h, g, LOG_DEVICE, before + 1, WAIT_MS, "new QR while failing");
	e2e_expect_any(h, g, msgs_5xx, WAIT_MS, "new QR while failing: server error");
	e2e_expect(h, g, T_NEW_CODE, WAIT_MS, "new QR while failing: button");
	expect_not_logged_in(h, g, "device 500");

	/* Cleared: touching the button brings a QR, and it works. */
	e2e_set_faults(g, "{}");
	E2E_CHECK(h, g, h_click_text(h, T_NEW_CODE), "no new-QR button to touch");
	char uc[10], path[80];
	e2e_expect(h, g, T_WAITING, WAIT_MS, "QR after the faults are cleared");
	E2E_CHECK(h, g, h_wait(h, pred_user_code, uc, WAIT_MS), "no user code on the screen");
	E2E_CHECK(h, g, !h_find(h, T_5XX_GATEWAY, NULL, NULL) && !h_find(h, T_5XX, NULL, NULL),
	      "the error stays with the QR");
	snprintf(path, sizeof path, "/sim/device/%s/approve", uc);
	sim_post(h, g, path, NULL);
	expect_logged_in(h, g, "approved");
	log_out(h, g, "F9");
	expect_responds(h, g, "at the end");
	finish(h, g);
}
