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
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define WAIT_MS 15000

static void suite_fini(void);
TestSuite(hardening, .timeout = 180, .fini = suite_fini);

#define T_ITEM_LOGIN  "4 扫码登录"
#define T_LOGIN_TITLE "扫码登录"
#define T_ME_TITLE    "我的信息"
#define T_MINE_TITLE  "我的办件"
#define T_WAY1        "方式一：扫手机上的登录码"
#define T_STATUS_OUT  "[F9] 退出登录 "
#define T_LOGGED_OUT  "您已安全退出，感谢使用。"
#define T_CHECKING    "正在核验您的登录码，请稍候。"
#define T_LEFT        "您已离开登录页面，本次登录已取消，请重新操作。"
#define T_UNREADABLE  "服务网络返回的内容无法识别，请咨询工作人员。"
#define T_SERVICES    "3 办事服务"

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

/* Sessions still alive at the gateway (and ends them all). */
static long live_sessions(struct gwd *g)
{
	json_t *j = e2e_post_json(g, "/sim/sessions/expire", NULL, 200);
	long n = (long)json_integer_value(json_object_get(j, "expired"));
	json_decref(j);
	return n;
}

/* ---- the kiosk ---------------------------------------------------------------- */

/* A citizen's code through the FIFO scanner, then "logged in as" them. */
static void scan_in(struct harness *h, struct gwd *g, const char *fifo, const struct citizen *c)
{
	char code[128];
	e2e_citizen_code(g, c->id, code, sizeof code);
	e2e_fifo_send(h, g, fifo, code, WAIT_MS);
	char want[128];
	snprintf(want, sizeof want, T_STATUS_OUT "%s", c->display);
	e2e_expect_row(h, g, -1, want, WAIT_MS, "scan: logged in");
}

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

/* A gateway whose scan answers take latency_ms, a kiosk on home with a FIFO
 * scanner, and one-time codes of 张三 (a) and 王芳 (b). */
static struct harness *two_codes(struct gwd **g, char fifo[1024], char a[128], char b[128],
                                 int latency_ms)
{
	*g = e2e_start_gateway(NULL);
	struct harness *h = start_with_fifo(*g, fifo, 1024, NULL);
	e2e_citizen_code(*g, "cit-zhang", a, 128);
	e2e_citizen_code(*g, "cit-wang", b, 128);
	char *f = e2e_fmt("{\"latency_ms\":%d,\"paths\":[\"/v1/auth/scan\"]}", latency_ms);
	e2e_set_faults(*g, f);
	free(f);
	return h;
}

/* The review's repro: a scan on home is in flight (the gateway takes 3 s),
 * the citizen opens "my applications" (the log-in screen comes first) and
 * scans another code there. The first answer arrives after its screen was
 * left: its session is revoked, not started. The second logs in. */
Test(hardening, scan_answer_after_leaving_then_second_scan)
{
	struct gwd *g;
	char fifo[1024], a[128], b[128];
	struct harness *h = two_codes(&g, fifo, a, b, 3000);

	e2e_fifo_send(h, g, fifo, a, WAIT_MS);
	h_settle(h, 150, 500);
	h_type(h, "7"); /* my applications: log in first */
	e2e_expect_row(h, g, 0, T_LOGIN_TITLE, WAIT_MS, "7: the log-in screen");
	e2e_fifo_send(h, g, fifo, b, WAIT_MS);

	/* B's session starts, and the screen goes on to my applications. */
	e2e_expect_row(h, g, 0, T_MINE_TITLE, WAIT_MS, "second scan: my applications");
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
	const char *s[128];
	int n;
	const char *found[128];
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

/* The production build: the kiosk under test unless it is a sanitizer
 * build (in a folder named *asan, as make check's build/asan/kiosk), then
 * the one beside that folder (build/kiosk); or $PROD_KIOSK_BIN. */
static const char *prod_kiosk_bin(void)
{
	static char path[4096];
	const char *env = getenv("PROD_KIOSK_BIN");
	if (env && *env)
		return env;
	snprintf(path, sizeof path, "%s", h_kiosk_bin());
	char *slash = strrchr(path, '/');
	if (!slash)
		return h_kiosk_bin();
	*slash = '\0';
	size_t n = strlen(path);
	if (n < 4 || strcmp(path + n - 4, "asan") != 0)
		return h_kiosk_bin(); /* not a sanitizer build */
	slash = strrchr(path, '/');
	snprintf(slash ? slash : path, sizeof path - (size_t)(slash ? slash - path : 0), "%s",
	         slash ? "/kiosk" : "kiosk");
	cr_assert(access(path, X_OK) == 0, "no production kiosk beside %s (set PROD_KIOSK_BIN)",
	          h_kiosk_bin());
	return path;
}

/* Logs a citizen in by scan, shows their information (GET /v1/me), logs
 * out with F9; then nothing of them may be left in the kiosk's memory.
 * mode: NULL, or --mode's "voice" (every screen read out: the texts pass
 * through the speech worker) or "large" (another layout; F9 asks first). */
static void memory_after_logout(bool production, bool tls, const char *mode)
{
	const struct citizen *c = &citizens[2]; /* 欧阳建国: a four-character name */
	if (production)
		setenv("KIOSK_BIN", prod_kiosk_bin(), 1); /* this test's process only */
	struct gwd *g;
	char fifo[1024], code[128], *ca = NULL;
	if (tls) {
		/* HTTPS: the answers pass through the TLS library's buffers too. */
		const char *dir = scratch_dir();
		e2e_make_ca(dir);
		e2e_make_cert(dir, "gw", "IP:127.0.0.1", false);
		char *cert = e2e_fmt("%s/gw.pem", dir), *key = e2e_fmt("%s/gw.key", dir);
		ca = e2e_fmt("%s/ca.pem", dir);
		g = gwd_start_tls(NULL, cert, key, ca);
		cr_assert_not_null(g, "gatewayd --tls-cert did not start");
		free(cert);
		free(key);
	} else {
		g = e2e_start_gateway(NULL);
	}
	const char *extra[5] = { NULL };
	int ne = 0;
	if (tls)
		extra[ne++] = "--ca-file", extra[ne++] = ca;
	if (mode)
		extra[ne++] = "--mode", extra[ne++] = mode;
	bool large = mode && !strcmp(mode, "large");
	struct harness *h = start_with_fifo(g, fifo, sizeof fifo, extra);
	struct runs *before = calloc(1, sizeof *before), *during = calloc(1, sizeof *during);
	cr_assert(before && during);
	h_settle(h, 300, 3000);
	mem_each(h_pid(h), collect_runs, before);

	e2e_citizen_code(g, c->id, code, sizeof code);
	e2e_fifo_send(h, g, fifo, code, WAIT_MS);
	/* Large mode's status bar has no key hints. */
	e2e_expect(h, g, large ? "退出登录 " : T_STATUS_OUT, WAIT_MS, "scan: logged in");
	h_type(h, "7");
	e2e_expect_row(h, g, 0, T_MINE_TITLE, WAIT_MS, "7: my applications");
	h_type(h, "2");
	e2e_expect_row(h, g, 0, T_ME_TITLE, WAIT_MS, "2: my information");
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
	if (large) {
		e2e_expect(h, g, "现在退出登录吗？", WAIT_MS, "F9 in large mode: asks first");
		h_type(h, "1");
	}
	e2e_expect(h, g, T_LOGGED_OUT, WAIT_MS, "F9: logged out");
	h_settle(h, 500, 3000);

	/* A freed block loses its first 16 bytes to the allocator's own
	 * pointers: look for what follows them too (a token's last 27). */
	char tails[40][32];
	int n_tails = 0;
	for (int i = 0; i < n_tokens && n_tails < 40; i++)
		snprintf(tails[n_tails++], sizeof tails[0], "%s", nd.s[i] + 16);
	for (int i = 0; i < n_tails; i++)
		nd.s[nd.n++] = tails[i];
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
	free(ca);
	e2e_finish(h, g);
}

Test(hardening, memory_after_logout_production) { memory_after_logout(true, false, NULL); }
Test(hardening, memory_after_logout_sanitizer) { memory_after_logout(false, false, NULL); }
Test(hardening, memory_after_logout_production_https) { memory_after_logout(true, true, NULL); }
Test(hardening, memory_after_logout_sanitizer_https) { memory_after_logout(false, true, NULL); }
/* Found by an adversarial review: the spoken texts (masked name, ID tail)
 * freed unwiped by the speech worker; the home button's copy of the masked
 * name and ID kept while large mode shows another page of home. */
Test(hardening, memory_after_logout_voice) { memory_after_logout(true, false, "voice"); }
Test(hardening, memory_after_logout_large) { memory_after_logout(true, false, "large"); }

/* ==== 1 (continued): more log-ins racing ===================================== */

/* The review's second repro: a scan on home is in flight, the citizen opens
 * the log-in screen and the phone approves its QR code (F6 with
 * --demo-sim). The scan's answer comes after its screen was left: revoked.
 * The approval logs in; nobody else is. */
Test(hardening, device_flow_approved_while_scan_in_flight)
{
	struct gwd *g = e2e_start_gateway((const char *const[]){ "--device-interval", "1", NULL });
	char fifo[1024], a[128];
	struct harness *h = start_with_fifo(g, fifo, sizeof fifo,
	                                    (const char *const[]){ "--demo-sim", NULL });
	e2e_citizen_code(g, "cit-wang", a, sizeof a);
	e2e_set_faults(g, "{\"latency_ms\":3000,\"paths\":[\"/v1/auth/scan\"]}");
	e2e_fifo_send(h, g, fifo, a, WAIT_MS);
	h_settle(h, 150, 500);
	h_type(h, "4"); /* home: log in, with the QR */
	e2e_expect_row(h, g, 0, T_LOGIN_TITLE, WAIT_MS, "4: the log-in screen");
	e2e_expect(h, g, "二维码有效期还剩", WAIT_MS, "a QR code shown");
	h_key(h, H_F6); /* the phone approves */
	e2e_expect_row(h, g, -1, T_STATUS_OUT, WAIT_MS, "approved: logged in");
	/* The scan's answer (3 s): refused because the screen was left, or
	 * because the approval came first; either way revoked. */
	E2E_CHECK(h, g, e2e_wait_log(h, "login: refused (", WAIT_MS), "the late scan answer was not refused");
	h_settle(h, 300, 2000);
	E2E_CHECK(h, g, !h_exited(h), "the kiosk died");
	E2E_CHECK(h, g, !e2e_row_has(h, -1, "王*"), "the scanned citizen (王*) is logged in");
	E2E_CHECK(h, g, e2e_log_lines(h, "session: started") == 1, "%d sessions started",
	          e2e_log_lines(h, "session: started"));
	long alive = live_sessions(g);
	E2E_CHECK(h, g, alive == 1, "%ld sessions alive at the gateway (want the approved one)", alive);
	e2e_finish(h, g);
}

/* Two codes scanned on the same screen, the first still being checked:
 * the second is refused with a notice and never sent. */
Test(hardening, second_scan_while_checking_is_refused)
{
	struct gwd *g;
	char fifo[1024], a[128], b[128];
	struct harness *h = two_codes(&g, fifo, a, b, 2000);
	e2e_fifo_send(h, g, fifo, a, WAIT_MS);
	h_settle(h, 150, 500);
	e2e_fifo_send(h, g, fifo, b, WAIT_MS);
	e2e_expect(h, g, T_CHECKING, WAIT_MS, "second scan: please wait");
	e2e_expect_row(h, g, -1, T_STATUS_OUT "张*", WAIT_MS, "the first scan logs in");
	h_settle(h, 300, 3000);
	E2E_CHECK(h, g, e2e_log_lines(h, "gateway: POST /v1/auth/scan") == 1, "%d scans sent",
	          e2e_log_lines(h, "gateway: POST /v1/auth/scan"));
	long alive = live_sessions(g);
	E2E_CHECK(h, g, alive == 1, "%ld sessions alive at the gateway", alive);
	e2e_finish(h, g);
}

/* A citizen scans and walks away (or moves on) before the answer: the
 * next person must not find them logged in. Leaving home and coming back
 * counts as leaving. */
static void walk_away(bool come_back)
{
	struct gwd *g = e2e_start_gateway(NULL);
	char fifo[1024], a[128];
	struct harness *h = start_with_fifo(g, fifo, sizeof fifo, NULL);
	e2e_citizen_code(g, "cit-zhang", a, sizeof a);
	e2e_set_faults(g, "{\"latency_ms\":2500,\"paths\":[\"/v1/auth/scan\"]}");
	e2e_fifo_send(h, g, fifo, a, WAIT_MS);
	h_settle(h, 150, 500);
	h_type(h, "3"); /* someone presses 办事服务 */
	e2e_expect_row(h, g, 0, "按类别办事", WAIT_MS, "3: services");
	if (come_back) {
		h_key(h, H_ESC);
		e2e_expect(h, g, T_ITEM_LOGIN, WAIT_MS, "Esc: home again");
	}
	e2e_expect(h, g, T_LEFT, WAIT_MS, "the late answer: the log-in was cancelled");
	E2E_CHECK(h, g, !e2e_row_has(h, -1, "[F9]"), "someone is logged in");
	E2E_CHECK(h, g, e2e_log_lines(h, "session: started") == 0, "a session started");
	h_settle(h, 300, 2000);
	long alive = live_sessions(g);
	E2E_CHECK(h, g, alive == 0, "%ld sessions alive at the gateway (the late one not revoked)", alive);
	e2e_finish(h, g);
}

Test(hardening, scan_then_walk_away) { walk_away(false); }
Test(hardening, scan_then_leave_and_come_back) { walk_away(true); }

/* ==== 3. a truncated log-in answer and the log ===================================== */

/* The gateway cuts every scan answer in half: wherever the cut falls
 * (inside the token, the name or the ID number), the log says what kind of
 * error it was and where, never the bytes; and only its owner may read it. */
Test(hardening, truncated_answer_never_reaches_the_log)
{
	struct gwd *g = e2e_start_gateway(NULL);
	char fifo[1024], code[128];
	struct harness *h = start_with_fifo(g, fifo, sizeof fifo, NULL);
	e2e_set_faults(g, "{\"body\":\"malformed\",\"paths\":[\"/v1/auth/scan\"]}");
	for (size_t i = 0; i < sizeof citizens / sizeof citizens[0]; i++) {
		e2e_citizen_code(g, citizens[i].id, code, sizeof code);
		e2e_fifo_send(h, g, fifo, code, WAIT_MS);
		long long end = e2e_now_ms() + WAIT_MS;
		while (e2e_log_lines(h, "not JSON") < (int)i + 1 && e2e_now_ms() < end)
			h_pump(h, 50);
		e2e_expect(h, g, T_UNREADABLE, WAIT_MS, "a cut answer: cannot read");
	}
	e2e_stop(h, g);
	size_t n;
	char *log = e2e_log_read(h, &n);
	E2E_CHECK(h, g, log && n > 0, "no kiosk.log");
	E2E_CHECK(h, g, e2e_log_lines(h, "not JSON") >= 3, "the cut answers were not logged as such");
	for (size_t k = 0; k < n; k++)
		E2E_CHECK(h, g, (unsigned char)log[k] < 0x80, "a non-ASCII byte in the log at %zu: %.80s", k,
		          log + (k > 40 ? k - 40 : 0));
	E2E_CHECK(h, g, !strstr(log, "near '"), "the log quotes the answer: %s", strstr(log, "near '"));
	for (size_t i = 0; i < sizeof citizens / sizeof citizens[0]; i++) {
		const char *id = citizens[i].idno;
		for (size_t k = 0; k + 6 <= strlen(id); k++) {
			char piece[7];
			memcpy(piece, id + k, 6);
			piece[6] = '\0';
			E2E_CHECK(h, g, !strstr(log, piece), "6 digits of %s's ID number (%s) in the log",
			          citizens[i].id, piece);
		}
	}
	free(log);
	struct stat st;
	char *path = e2e_fmt("%s/kiosk.log", h_tmpdir(h));
	E2E_CHECK(h, g, stat(path, &st) == 0 && (st.st_mode & 0777) == 0600, "kiosk.log has mode %o",
	          (unsigned)(st.st_mode & 0777));
	free(path);
	h_free(h);
	gwd_free(g);
}

/* A log that already exists with a wide mode is tightened. */
Test(hardening, existing_log_is_made_private)
{
	struct gwd *g = e2e_start_gateway(NULL);
	char *dir = e2e_make_dir("/tmp/kiosk-e2e-log-XXXXXX");
	char *path = e2e_fmt("%s/k.log", dir);
	int fd = open(path, O_WRONLY | O_CREAT, 0644);
	cr_assert(fd >= 0);
	fchmod(fd, 0644);
	close(fd);
	struct harness *h = e2e_start_home(g, gwd_url(g), 80, 24,
	                                   (const char *const[]){ "--log", path, NULL }, WAIT_MS);
	struct stat st;
	E2E_CHECK(h, g, stat(path, &st) == 0 && (st.st_mode & 0777) == 0600, "the log has mode %o",
	          (unsigned)(st.st_mode & 0777));
	e2e_finish(h, g);
	e2e_rm_rf(dir);
	free(dir);
	free(path);
}

/* ==== 4. shutting down with a citizen logged in ===================================== */

enum stop_how { STOP_TERM, STOP_HUP, STOP_HANGUP, STOP_F10 };

/* Logged in, then the kiosk is stopped: its session is revoked at the
 * gateway before it exits (POST /sim/sessions/expire finds none alive). */
static void shutdown_revokes(enum stop_how how)
{
	struct gwd *g = e2e_start_gateway(NULL);
	char fifo[1024];
	struct harness *h = start_with_fifo(g, fifo, sizeof fifo,
	                                    how == STOP_F10 ? (const char *const[]){ "--no-lockdown", NULL }
	                                                    : NULL);
	scan_in(h, g, fifo, &citizens[0]);
	h_settle(h, 200, 2000);
	/* The logout takes its time: the kiosk must wait for it (and a lost
	 * terminal's SIGHUP arrives while it waits). */
	e2e_set_faults(g, "{\"latency_ms\":600,\"paths\":[\"/v1/auth/logout\"]}");
	switch (how) {
	case STOP_TERM: kill(h_pid(h), SIGTERM); break;
	case STOP_HUP: kill(h_pid(h), SIGHUP); break;
	case STOP_HANGUP: h_hangup(h); break;
	case STOP_F10: h_key(h, H_F10); break;
	}
	int st = -1;
	E2E_CHECK(h, g, h_wait_exit(h, 10000, &st) == 0, "the kiosk did not exit");
	E2E_CHECK(h, g, WIFEXITED(st), "the kiosk died of a signal (%d)", WIFSIGNALED(st) ? WTERMSIG(st) : 0);
	char rep[512];
	E2E_CHECK(h, g, h_sanitizer_clean(h, rep, sizeof rep), "sanitizer: %s", rep);
	E2E_CHECK(h, g, e2e_log_lines(h, "session: ended (shutdown") == 1, "the session did not end at shut-down");
	E2E_CHECK(h, g, e2e_log_lines(h, "session: logout answered 204") == 1, "the logout was not answered");
	long alive = live_sessions(g);
	E2E_CHECK(h, g, alive == 0, "%ld sessions still alive at the gateway after the kiosk stopped", alive);
	h_free(h);
	e2e_end_gw(g, false);
}

Test(hardening, sigterm_revokes_the_session) { shutdown_revokes(STOP_TERM); }
Test(hardening, sighup_revokes_the_session) { shutdown_revokes(STOP_HUP); }
Test(hardening, lost_terminal_revokes_the_session) { shutdown_revokes(STOP_HANGUP); }
Test(hardening, f10_revokes_the_session) { shutdown_revokes(STOP_F10); }

/* The gateway does not answer the logout (a 30 s delay) or is gone: the
 * kiosk still exits promptly (the wait is bounded), status 0. */
static void shutdown_bounded(bool gateway_dead)
{
	struct gwd *g = e2e_start_gateway(NULL);
	char fifo[1024];
	struct harness *h = start_with_fifo(g, fifo, sizeof fifo, NULL);
	scan_in(h, g, fifo, &citizens[1]);
	if (gateway_dead)
		gwd_kill(g);
	else
		e2e_set_faults(g, "{\"latency_ms\":30000,\"paths\":[\"/v1/auth/logout\"]}");
	long long t0 = e2e_now_ms();
	kill(h_pid(h), SIGTERM);
	int st = -1;
	E2E_CHECK(h, g, h_wait_exit(h, 10000, &st) == 0, "the kiosk did not exit within 10 s");
	long long took = e2e_now_ms() - t0;
	E2E_CHECK(h, g, WIFEXITED(st) && WEXITSTATUS(st) == 0, "exit status %d", st);
	E2E_CHECK(h, g, e2e_log_lines(h, "unanswered at exit") == 1 || gateway_dead,
	          "the unanswered logout is not in the log");
	fprintf(stderr, "hardening: shut-down with %s took %lld ms\n",
	        gateway_dead ? "the gateway gone" : "a hung logout", took);
	h_free(h);
	gwd_free(g);
}

Test(hardening, shutdown_with_hung_logout_is_bounded) { shutdown_bounded(false); }
Test(hardening, shutdown_with_gateway_gone_is_bounded) { shutdown_bounded(true); }

/* ==== Also: what the kiosk leaves to others ========================================== */

/* The large-font command runs as a child of the kiosk: it inherits no
 * socket to the gateway, no pipe, no log; only /dev/null on 0, 1, 2. */
Test(hardening, font_command_inherits_no_descriptor)
{
	struct gwd *g = e2e_start_gateway(NULL);
	char *dir = e2e_make_dir("/tmp/kiosk-e2e-fds-XXXXXX");
	char *script = e2e_fmt("%s/font.sh", dir), *out = e2e_fmt("%s/fds.txt", dir),
	     *conf = e2e_fmt("%s/kiosk.conf", dir);
	FILE *f = fopen(script, "w");
	cr_assert_not_null(f);
	fprintf(f, "#!/bin/sh\nexec /bin/ls -l /proc/self/fd/ > '%s.tmp' && mv '%s.tmp' '%s'\n", out, out, out);
	fclose(f);
	chmod(script, 0755);
	f = fopen(conf, "w");
	cr_assert_not_null(f);
	fprintf(f, "[kiosk]\nlarge_font = command:%s\n", script);
	fclose(f);
	/* ls is exec'd by the shell after the redirection; `&& mv` never runs
	 * (exec replaced the shell), so read the .tmp file. */
	char *tmp_out = e2e_fmt("%s.tmp", out);
	struct harness *h = e2e_start_home(g, gwd_url(g), 80, 24,
	                                   (const char *const[]){ "--config", conf, NULL }, WAIT_MS);
	h_settle(h, 300, 3000); /* the catalog fetched: a keep-alive socket open */
	h_type(h, "1");         /* large text: runs the command */
	bool seen = false;
	for (int i = 0; i < 100 && !seen; i++) {
		h_pump(h, 50);
		struct stat st;
		seen = stat(tmp_out, &st) == 0 && st.st_size > 0;
	}
	h_settle(h, 200, 1000);
	char *list = e2e_slurp_str(tmp_out);
	E2E_CHECK(h, g, seen, "the font command did not run");
	int fds = 0;
	for (char *line = strtok(list, "\n"); line; line = strtok(NULL, "\n")) {
		char *arrow = strstr(line, " -> ");
		if (!arrow)
			continue;
		fds++;
		const char *target = arrow + 4;
		bool ok = !strcmp(target, "/dev/null") || strstr(target, "/proc/") || strstr(target, "fds.txt");
		E2E_CHECK(h, g, ok, "the font command inherited %s", line);
	}
	E2E_CHECK(h, g, fds >= 3 && fds <= 5, "%d descriptors listed", fds);
	free(list);
	/* And every descriptor of the kiosk's own is close-on-exec. */
	for (int fd = 3; fd < 256; fd++) {
		char *info = e2e_fmt("/proc/%d/fdinfo/%d", h_pid(h), fd);
		char *text = e2e_slurp(info, NULL);
		const char *fl = text ? strstr(text, "flags:") : NULL;
		unsigned long flags = 0;
		if (fl)
			sscanf(fl + 6, "%lo", &flags);
		char *link = e2e_fmt("/proc/%d/fd/%d", h_pid(h), fd), target[256] = "";
		ssize_t tl = readlink(link, target, sizeof target - 1);
		if (tl > 0)
			target[tl] = '\0';
		E2E_CHECK(h, g, !fl || (flags & 02000000), "the kiosk's fd %d (%s) is not close-on-exec", fd,
		          target);
		free(info);
		free(text);
		free(link);
	}
	e2e_finish(h, g);
	e2e_rm_rf(dir);
	free(dir);
	free(script);
	free(out);
	free(conf);
	free(tmp_out);
}

/* Kiosk mode leaves no core file, whatever limit it was started with. */
Test(hardening, no_core_dumps_in_kiosk_mode)
{
	struct rlimit all = { RLIM_INFINITY, RLIM_INFINITY };
	setrlimit(RLIMIT_CORE, &all); /* inherited by the kiosk */
	struct gwd *g = e2e_start_gateway(NULL);
	struct harness *h = e2e_start_home(g, gwd_url(g), 80, 24, NULL, WAIT_MS);
	char *path = e2e_fmt("/proc/%d/limits", h_pid(h));
	char *lim = e2e_slurp_str(path);
	const char *core = strstr(lim, "Max core file size");
	E2E_CHECK(h, g, core, "no core line in %s", path);
	unsigned long soft = 99, hard = 99;
	sscanf(core + strlen("Max core file size"), " %lu %lu", &soft, &hard);
	E2E_CHECK(h, g, soft == 0 && hard == 0, "core file size %lu %lu: %.60s", soft, hard, core);
	free(lim);
	free(path);
	e2e_finish(h, g);
}

/* http_proxy and friends in the environment do not reroute the kiosk's
 * traffic: only [gateway] proxy would. (The proxy named here refuses every
 * connection: a kiosk that used it would never load its catalog.) */
Test(hardening, proxy_environment_is_ignored)
{
	struct gwd *g = e2e_start_gateway(NULL);
	static const char *const vars[] = { "http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY",
	                                    "all_proxy", "ALL_PROXY" };
	for (size_t i = 0; i < sizeof vars / sizeof vars[0]; i++)
		setenv(vars[i], "http://127.0.0.1:9", 1);
	unsetenv("no_proxy");
	unsetenv("NO_PROXY");
	struct harness *h = e2e_start_kiosk(gwd_url(g), 80, 24, NULL);
	for (size_t i = 0; i < sizeof vars / sizeof vars[0]; i++)
		unsetenv(vars[i]);
	e2e_expect(h, g, T_SERVICES, WAIT_MS, "home");
	h_type(h, "3");
	e2e_expect(h, g, "社保", WAIT_MS, "the catalog loaded through no proxy");
	E2E_CHECK(h, g, e2e_log_lines(h, "GET /v1/catalog -> 200") >= 1, "the catalog did not load");
	e2e_finish(h, g);
}
