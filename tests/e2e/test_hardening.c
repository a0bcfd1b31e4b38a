/* test_hardening.c: attacks on the kiosk's handling of citizens (suite
 * "hardening"), each one a defect an adversarial review found:
 *
 *  - two log-ins racing: a scan answer that arrives after the citizen left
 *    the screen, a second scan or a device-flow approval while a log-in is
 *    in flight. Never two citizens, never a silent switch, never a crash;
 *    every gateway session the kiosk does not keep is revoked at once;
 *  - the process's memory after a session ends (/proc/PID/mem): no copy of
 *    the citizen's name, ID number, phone number or token;
 *  - a truncated log-in answer: its bytes never reach the log, and the log
 *    is readable by its owner only;
 *  - shutting down with a citizen logged in (SIGTERM, SIGHUP, a lost
 *    terminal): the session is revoked at the gateway before the kiosk exits.
 *
 * "Revoked" is read off the gateway: POST /sim/sessions/expire answers the
 * number of sessions that were still alive (and ends them).
 */
#include "e2e.h"

#include <criterion/criterion.h>
#include <jansson.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define WAIT_MS 15000

static void suite_fini(void);
TestSuite(hardening, .timeout = 180, .fini = suite_fini);

#define T_ITEM_LOGIN  "4 扫码登录"
#define T_LOGIN_TITLE "扫码登录"
#define T_ME_TITLE    "我的信息"
#define T_WAY1        "方式一：扫手机上的登录码"
#define T_STATUS_OUT  "[F9] 退出登录 "
#define T_LOGGED_OUT  "您已安全退出，感谢使用。"

/* The demo citizens (gateway/demo_data.c), and the parts of them that must
 * not outlive a session. */
struct citizen {
	const char *id, *name, *display, *idno, *id_masked, *phone, *phone_masked;
};

static const struct citizen citizens[] = {
	{ "cit-zhang", "张三", "张*", "11010519850313123X", "1101**********123X", "13800138000", "138****8000" },
	{ "cit-wang", "王芳", "王*", "310104199208210467", "3101**********0467", "13916802468", "139****2468" },
	{ "cit-ouyang", "欧阳建国", "欧**国", "440106196910015176", "4401**********5176", "18620691001", "186****1001" },
};

static char scratch[512];

static const char *scratch_dir(void)
{
	return e2e_scratch_dir(scratch, sizeof scratch, "hardening");
}

static void suite_fini(void)
{
	e2e_rm_rf(scratch);
	scratch[0] = '\0';
}

/* ---- the gateway's side ------------------------------------------------------ */

static json_t *post_json(struct gwd *g, const char *path, const char *body, int want)
{
	char *resp = NULL;
	json_error_t e;
	int st = gwd_post(g, path, body, &resp);
	if (st != want)
		gwd_dump(g, stderr);
	cr_assert_eq(st, want, "POST %s: %d %s (wanted %d)", path, st, resp ? resp : "", want);
	json_t *j = json_loads(resp ? resp : "", 0, &e);
	free(resp);
	cr_assert_not_null(j, "POST %s: answer is not JSON: %s", path, e.text);
	return j;
}

/* A fresh one-time login code of a demo citizen, as the phone shows it. */
static void citizen_code(struct gwd *g, const char *cit, char *out, size_t n)
{
	char body[128];
	snprintf(body, sizeof body, "{\"citizen\":\"%s\"}", cit);
	json_t *j = post_json(g, "/sim/citizen-code", body, 200);
	const char *code = json_string_value(json_object_get(j, "code"));
	cr_assert(code && strlen(code) < n, "/sim/citizen-code gave no code");
	snprintf(out, n, "%s", code);
	json_decref(j);
}

/* Sessions still alive at the gateway (and ends them all). */
static long live_sessions(struct gwd *g)
{
	json_t *j = post_json(g, "/sim/sessions/expire", NULL, 200);
	long n = (long)json_integer_value(json_object_get(j, "expired"));
	json_decref(j);
	return n;
}

/* ---- the kiosk ---------------------------------------------------------------- */

static struct harness *start_with_fifo(struct gwd *g, char *fifo, size_t n,
                                       const char *const more[])
{
	static char arg[1100];
	snprintf(fifo, n, "%s/scanner-%d", scratch_dir(), (int)getpid());
	unlink(fifo);
	snprintf(arg, sizeof arg, "fifo:%s", fifo);
	const char *extra[16] = { "--scanner", arg };
	int k = 2;
	for (int i = 0; more && more[i] && k < 15; i++)
		extra[k++] = more[i];
	extra[k] = NULL;
	struct harness *h = e2e_start_home(g, gwd_url(g), 80, 24, extra, WAIT_MS);
	e2e_expect(h, g, T_ITEM_LOGIN, WAIT_MS, "start: home item 4 logs in");
	return h;
}

/* ==== 1. two log-ins racing ===================================================== */

/* The review's repro: a scan on home is in flight (the gateway takes 3 s),
 * the citizen opens "my applications" (the log-in screen comes first) and
 * scans another code there. The first answer arrives after its screen was
 * left: its session is revoked, not started. The second logs in. */
Test(hardening, scan_answer_after_leaving_then_second_scan)
{
	struct gwd *g = e2e_start_gateway(NULL);
	char fifo[1024], a[128], b[128];
	struct harness *h = start_with_fifo(g, fifo, sizeof fifo, NULL);
	citizen_code(g, "cit-zhang", a, sizeof a);
	citizen_code(g, "cit-wang", b, sizeof b);
	e2e_set_faults(g, "{\"latency_ms\":3000,\"paths\":[\"/v1/auth/scan\"]}");

	e2e_fifo_send(h, g, fifo, a, WAIT_MS);
	h_settle(h, 150, 500);
	h_type(h, "7"); /* my applications: log in first */
	e2e_expect_row(h, g, 0, T_LOGIN_TITLE, WAIT_MS, "7: the log-in screen");
	e2e_fifo_send(h, g, fifo, b, WAIT_MS);

	/* B's session starts, and the screen goes on to my information. */
	e2e_expect_row(h, g, 0, T_ME_TITLE, WAIT_MS, "second scan: my information");
	e2e_expect_row(h, g, -1, T_STATUS_OUT "王*", WAIT_MS, "second scan: 王* logged in");
	h_settle(h, 300, 5000);
	E2E_CHECK(h, g, !h_exited(h), "the kiosk died");
	E2E_CHECK(h, g, e2e_log_lines(h, "session: started") == 1, "%d sessions started",
	          e2e_log_lines(h, "session: started"));
	/* A's session was revoked at the gateway: only B's is alive. */
	E2E_CHECK(h, g, e2e_wait_text(h, "王*", 10), "B is not shown");
	long alive = live_sessions(g);
	E2E_CHECK(h, g, alive == 1, "%ld sessions alive at the gateway (want B's alone)", alive);
	e2e_finish(h, g);
}

/* ==== 2. the process's memory after a session ends =============================== */

/* Every writable mapping of the process (heap, stacks, anonymous memory,
 * the data of every library), read through /proc/PID/mem in pieces; fn
 * sees each piece with a 64-byte overlap, so nothing is missed at a seam.
 * Huge reservations (ASan's shadow) are skipped: nothing is allocated there. */
static void mem_each(int pid, void (*fn)(const char *buf, size_t n, void *ud), void *ud)
{
	char path[64];
	snprintf(path, sizeof path, "/proc/%d/maps", pid);
	FILE *maps = fopen(path, "re");
	cr_assert_not_null(maps, "%s: %s", path, strerror(errno));
	snprintf(path, sizeof path, "/proc/%d/mem", pid);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	cr_assert(fd >= 0, "%s: %s", path, strerror(errno));
	enum { CHUNK = 1 << 20, OVERLAP = 64 };
	char *buf = malloc(CHUNK + OVERLAP);
	cr_assert_not_null(buf);
	char line[512];
	size_t regions = 0, bytes = 0;
	while (fgets(line, sizeof line, maps)) {
		unsigned long lo, hi;
		char perms[8];
		if (sscanf(line, "%lx-%lx %7s", &lo, &hi, perms) != 3 || perms[0] != 'r' || perms[1] != 'w')
			continue;
		if (hi - lo > (1UL << 30))
			continue;
		regions++;
		size_t keep = 0;
		for (unsigned long at = lo; at < hi;) {
			size_t want = hi - at < CHUNK ? hi - at : CHUNK;
			ssize_t r = pread(fd, buf + keep, want, (off_t)at);
			if (r <= 0) { /* a hole (guard page): go on after it */
				at += 4096;
				keep = 0;
				continue;
			}
			fn(buf, keep + (size_t)r, ud);
			bytes += (size_t)r;
			at += (unsigned long)r;
			size_t tail = keep + (size_t)r;
			keep = tail < OVERLAP ? tail : OVERLAP;
			memmove(buf, buf + tail - keep, keep);
		}
	}
	free(buf);
	close(fd);
	fclose(maps);
	cr_assert(regions > 3 && bytes > 100000, "read only %zu bytes in %zu regions of %d", bytes,
	          regions, pid);
}

static bool b64url(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
	       c == '_';
}

/* Runs of exactly 43 base64url characters (the gateway's tokens and device
 * codes: 32 random bytes) seen in memory. */
#define MAX_RUNS 512
struct runs {
	char run[MAX_RUNS][44];
	int n;
};

static void collect_runs(const char *buf, size_t n, void *ud)
{
	struct runs *rs = ud;
	size_t i = 0;
	while (i < n) {
		if (!b64url(buf[i])) {
			i++;
			continue;
		}
		size_t j = i;
		while (j < n && b64url(buf[j]))
			j++;
		if (j - i == 43 && i > 0 && j < n) {
			bool seen = false;
			for (int k = 0; k < rs->n && !seen; k++)
				seen = !memcmp(rs->run[k], buf + i, 43);
			if (!seen && rs->n < MAX_RUNS) {
				memcpy(rs->run[rs->n], buf + i, 43);
				rs->run[rs->n++][43] = '\0';
			}
		}
		i = j;
	}
}

struct needles {
	const char *s[64];
	int n;
	const char *found[64];
	int n_found;
};

static void find_needles(const char *buf, size_t n, void *ud)
{
	struct needles *nd = ud;
	for (int k = 0; k < nd->n; k++) {
		if (!nd->s[k] || memmem(buf, n, nd->s[k], strlen(nd->s[k])) == NULL)
			continue;
		nd->found[nd->n_found++] = nd->s[k];
		nd->s[k] = NULL; /* once is enough */
	}
}

/* The production build next to the sanitizer build make check runs
 * (build/asan/kiosk -> build/kiosk), or $PROD_KIOSK_BIN. */
static const char *prod_kiosk_bin(void)
{
	static char path[4096];
	const char *env = getenv("PROD_KIOSK_BIN");
	if (env && *env)
		return env;
	snprintf(path, sizeof path, "%s", h_kiosk_bin());
	char *slash = strrchr(path, '/');
	if (slash) {
		*slash = '\0';
		slash = strrchr(path, '/');
	}
	if (slash)
		snprintf(slash, sizeof path - (size_t)(slash - path), "/kiosk");
	cr_assert(slash && access(path, X_OK) == 0,
	          "no production kiosk next to %s (set PROD_KIOSK_BIN)", h_kiosk_bin());
	return path;
}

/* Logs a citizen in by scan, shows their information (GET /v1/me), logs
 * out with F9; then nothing of them may be left in the kiosk's memory. */
static void memory_after_logout(bool production)
{
	const struct citizen *c = &citizens[2]; /* 欧阳建国: a four-character name */
	if (production)
		setenv("KIOSK_BIN", prod_kiosk_bin(), 1); /* this test's process only */
	struct gwd *g = e2e_start_gateway(NULL);
	char fifo[1024], code[128];
	struct harness *h = start_with_fifo(g, fifo, sizeof fifo, NULL);
	struct runs *before = calloc(1, sizeof *before), *during = calloc(1, sizeof *during);
	cr_assert(before && during);
	h_settle(h, 300, 3000);
	mem_each(h_pid(h), collect_runs, before);

	citizen_code(g, c->id, code, sizeof code);
	e2e_fifo_send(h, g, fifo, code, WAIT_MS);
	e2e_expect_row(h, g, -1, T_STATUS_OUT, WAIT_MS, "scan: logged in");
	h_type(h, "7");
	e2e_expect_row(h, g, 0, T_ME_TITLE, WAIT_MS, "7: my information");
	e2e_expect(h, g, c->id_masked, WAIT_MS, "my information: the masked ID");
	h_settle(h, 300, 3000);
	/* The token is in memory now (it must be, to be sent): learn it as the
	 * 43-character runs that were not there before. */
	mem_each(h_pid(h), collect_runs, during);
	struct needles nd = { .n = 0 };
	for (int i = 0; i < during->n && nd.n < 40; i++) {
		bool old = false;
		for (int k = 0; k < before->n && !old; k++)
			old = !strcmp(before->run[k], during->run[i]);
		if (!old)
			nd.s[nd.n++] = during->run[i];
	}
	E2E_CHECK(h, g, nd.n >= 1, "no token-like string in memory while logged in");
	int n_tokens = nd.n;

	h_key(h, H_F9);
	e2e_expect(h, g, T_LOGGED_OUT, WAIT_MS, "F9: logged out");
	h_settle(h, 500, 3000);

	const char *parts[] = { c->name, c->idno, c->phone, c->display, c->id_masked, c->phone_masked,
	                        "access_token", "Bearer " };
	for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++)
		nd.s[nd.n++] = parts[i];
	mem_each(h_pid(h), find_needles, &nd);
	if (nd.n_found) {
		char what[2048] = "";
		size_t o = 0;
		for (int i = 0; i < nd.n_found && o < sizeof what - 100; i++)
			o += (size_t)snprintf(what + o, sizeof what - o, " [%s]", nd.found[i]);
		E2E_CHECK(h, g, false, "%s kiosk: after logout its memory still holds%s (%d token candidates)",
		          production ? "production" : "sanitizer", what, n_tokens);
	}
	free(before);
	free(during);
	e2e_finish(h, g);
}

Test(hardening, memory_after_logout_production) { memory_after_logout(true); }
Test(hardening, memory_after_logout_sanitizer) { memory_after_logout(false); }
