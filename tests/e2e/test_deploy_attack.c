/* test_deploy_attack.c: an adversarial review of issue 13's deployment
 * pieces (suite "deploy_attack"): the evdev scanner backend read from a
 * recorded stream in a FIFO, and the service manager's notify protocol.
 *
 *  - A scanner that floods the kiosk with bad codes (a broken or
 *    misconfigured one can send thousands a second): the kiosk still
 *    answers keys, and kiosk.log does not grow by a line per bad code (it
 *    did: 35 MB in 3 s, a full disk in minutes).
 *  - After a log-in by an evdev scan and the session's end, the scanned
 *    code is nowhere in the production kiosk's memory.
 *  - NOTIFY_SOCKET in the abstract namespace ("@name", what systemd may
 *    give): READY=1 and the pings come, from the kiosk's own pid.
 *  - WATCHDOG_USEC that is 0, negative, not a number, 1 µs or 10^15 µs,
 *    and NOTIFY_SOCKET that is vsock:, relative, "@" or too long: the kiosk
 *    starts, paints, answers keys, and pings no more often than every 10 ms.
 *  - READY=1 exactly once across resizes and large-text toggles.
 */
#include "e2e.h"
#include "evdev_e2e.h"
#include "notify_e2e.h"
#include "harness/gwd.h"
#include "harness/harness.h"

#include <criterion/criterion.h>

#include <errno.h>
#include <fcntl.h>
#include <linux/input.h>
#include <poll.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#define WAIT_MS 15000
#define EXIT_MS 10000
#define COLS 100
#define ROWS 30

static void suite_fini(void);
TestSuite(deploy_attack, .timeout = 240, .fini = suite_fini);

#define T_STATUS_OUT "[F9] 退出登录 "
#define T_LOGGED_OUT "您已安全退出，感谢使用。"
#define T_SERVICES   "按类别办事"
#define ZHANG        "张*"

static char scratch[512];

static void suite_fini(void)
{
	e2e_rm_rf(scratch);
	scratch[0] = '\0';
}

static struct harness *start_env(struct gwd *g, const char *const env[])
{
	const char *args[3] = { NULL };
	const char *theme = e2e_theme_path();
	if (theme) {
		args[0] = "--theme";
		args[1] = theme;
	}
	struct harness *h = h_start_kiosk_env(gwd_url(g), COLS, ROWS, args, env);
	cr_assert_not_null(h, "the kiosk did not start");
	return h;
}

/* The kiosk answers 3 (services) and Backspace (home). */
static void answers_keys(struct harness *h, const char *what)
{
	H_ASSERT(h, e2e_wait_title(h, E2E_T_HOME, WAIT_MS), "%s: no home screen", what);
	h_type(h, "3");
	H_ASSERT(h, e2e_wait_title(h, T_SERVICES, WAIT_MS), "%s: 3 did not open the services", what);
	h_key(h, H_BACKSPACE);
	H_ASSERT(h, e2e_wait_title(h, E2E_T_HOME, WAIT_MS), "%s: Backspace did not go home", what);
}

static void term_and_wait(struct harness *h, struct notify_listener *ls)
{
	kill(h_pid(h), SIGTERM);
	long long end = e2e_now_ms() + EXIT_MS;
	while (!h_exited(h) && e2e_now_ms() < end) {
		if (ls)
			notify_drain(ls, h, 100);
		else
			h_pump(h, 100);
	}
	if (ls)
		notify_drain(ls, h, 100);
	int st = -1;
	H_ASSERT(h, h_wait_exit(h, EXIT_MS, &st) == 0, "the kiosk did not exit on SIGTERM");
	H_ASSERT(h, WIFEXITED(st) && WEXITSTATUS(st) == 0, "exit status %#x, not 0", st);
	char rep[1024] = "";
	H_ASSERT(h, h_sanitizer_clean(h, rep, sizeof rep), "kiosk sanitizer report: %s", rep);
	h_free(h);
}

/* ==== supervision ================================================================== */

/* systemd may hand out an abstract socket (@...): it must work as a path does. */
Test(deploy_attack, notify_socket_in_the_abstract_namespace)
{
	struct gwd *g = e2e_start_gateway(NULL);
	struct notify_listener ls;
	notify_listen_at(&ls, true);
	const char *env[] = { ls.env, "WATCHDOG_USEC=400000", NULL };
	struct harness *h = start_env(g, env);
	ls.want_pid = h_pid(h);
	H_ASSERT(h, notify_wait_ready(&ls, h, WAIT_MS), "no READY=1 on the abstract socket @%s", ls.path);
	H_ASSERT(h, ls.ready_pid == h_pid(h), "READY=1 came from pid %d, the kiosk is %d",
	         (int)ls.ready_pid, h_pid(h));
	ls.watchdog = 0;
	notify_drain(&ls, h, 2000);
	H_ASSERT(h, ls.watchdog >= 5, "%d pings in 2 s on the abstract socket", ls.watchdog);
	answers_keys(h, "abstract socket");
	term_and_wait(h, &ls);
	cr_assert_eq(ls.ready, 1, "READY=1 came %d times", ls.ready);
	cr_assert_eq(ls.stopping, 1, "STOPPING=1 came %d times", ls.stopping);
	cr_assert(!ls.foreign, "a message from another process than the kiosk");
	cr_assert_eq(ls.other, 0, "%d unexpected lines", ls.other);
	notify_close(&ls);
	e2e_end_gw(g, false);
}

/* WATCHDOG_USEC as a careless unit file or a test may set it. None may stop
 * the kiosk; pings never come more often than every 10 ms (1 µs would be
 * a ping per loop pass otherwise), and an interval of 31 years pings never
 * in the test's time. */
Test(deploy_attack, odd_watchdog_intervals_never_stop_the_kiosk)
{
	static const struct {
		const char *usec;
		int min_pings, max_pings; /* in 1.5 s */
	} cases[] = {
		{ "0", 0, 0 },
		{ "-5", 0, 0 },
		{ "abc", 0, 0 },
		{ "", 0, 0 },
		{ "1", 5, 1500 / 10 + 40 },
		{ "1000000000000000", 0, 0 },
		{ "18446744073709551615", 0, 0 }, /* USEC_INFINITY: libsystemd says no */
	};
	struct gwd *g = e2e_start_gateway(NULL);
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct notify_listener ls;
		notify_listen_at(&ls, false);
		char w[96];
		snprintf(w, sizeof w, "WATCHDOG_USEC=%s", cases[i].usec);
		const char *env[] = { ls.env, w, NULL };
		struct harness *h = start_env(g, env);
		H_ASSERT(h, notify_wait_ready(&ls, h, WAIT_MS), "%s: no READY=1", w);
		answers_keys(h, w);
		notify_drain(&ls, h, 300);
		ls.watchdog = 0;
		notify_drain(&ls, h, 1500);
		H_ASSERT(h, ls.watchdog >= cases[i].min_pings && ls.watchdog <= cases[i].max_pings,
		         "%s: %d pings in 1.5 s (want %d..%d)", w, ls.watchdog, cases[i].min_pings,
		         cases[i].max_pings);
		term_and_wait(h, &ls);
		cr_assert_eq(ls.ready, 1, "%s: READY=1 came %d times", w, ls.ready);
		notify_close(&ls);
	}
	e2e_end_gw(g, false);
}

/* NOTIFY_SOCKET that is no unix socket of ours: not used, said in the log,
 * and the kiosk is a kiosk as ever. */
Test(deploy_attack, garbage_notify_socket_is_not_used)
{
	char longpath[260];
	memset(longpath, 'x', sizeof longpath);
	memcpy(longpath, "NOTIFY_SOCKET=/", 15);
	longpath[sizeof longpath - 1] = '\0';
	const char *socks[] = { "NOTIFY_SOCKET=vsock:2:9999", "NOTIFY_SOCKET=run/notify", "NOTIFY_SOCKET=@",
	                        longpath };
	struct gwd *g = e2e_start_gateway(NULL);
	for (size_t i = 0; i < sizeof socks / sizeof socks[0]; i++) {
		const char *env[] = { socks[i], "WATCHDOG_USEC=20000", NULL };
		struct harness *h = start_env(g, env);
		answers_keys(h, socks[i]);
		H_ASSERT(h, e2e_wait_log(h, "NOTIFY_SOCKET is not a unix socket", WAIT_MS),
		         "%.40s: not said in the log", socks[i]);
		term_and_wait(h, NULL);
	}
	e2e_end_gw(g, false);
}

/* The manager's queue is full when the kiosk has painted (PID 1 busy for a
 * moment at boot: the queue holds 10 datagrams by default). READY=1 must
 * still come once the manager reads again: lost, it never came, and
 * systemd would have killed a working kiosk at its start time-out (and
 * again after each restart while the manager stayed busy). */
Test(deploy_attack, ready_comes_after_the_manager_was_too_busy_to_read)
{
	struct gwd *g = e2e_start_gateway(NULL);
	struct notify_listener ls;
	notify_listen_at(&ls, false);
	/* Fill the queue from a socket of our own. */
	int f = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	cr_assert_geq(f, 0);
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	snprintf(sa.sun_path, sizeof sa.sun_path, "%s", ls.path);
	int queued = 0;
	while (queued < 100000 && sendto(f, "X=1", 3, 0, (struct sockaddr *)&sa, sizeof sa) == 3)
		queued++;
	cr_assert(errno == EAGAIN || errno == EWOULDBLOCK, "filling the queue: %s", strerror(errno));
	const char *env[] = { ls.env, NULL };
	struct harness *h = start_env(g, env);
	H_ASSERT(h, e2e_wait_title(h, E2E_T_HOME, WAIT_MS), "no home screen");
	h_settle(h, 500, 1500); /* READY=1 went (or not) with the first paint */
	/* The manager reads again. */
	H_ASSERT(h, notify_wait_ready(&ls, h, WAIT_MS), "READY=1 never came once the queue was read (%d queued "
	         "before the kiosk started)", queued);
	H_ASSERT(h, e2e_log_lines(h, "READY=1 waits") == 1, "the kiosk did not meet the full queue");
	notify_drain(&ls, h, 500);
	H_ASSERT(h, ls.ready == 1, "READY=1 came %d times", ls.ready);
	H_ASSERT(h, ls.other == queued, "%d of our %d fillers read", ls.other, queued);
	answers_keys(h, "after the full queue");
	term_and_wait(h, &ls);
	cr_assert_eq(ls.stopping, 1, "STOPPING=1 came %d times", ls.stopping);
	close(f);
	notify_close(&ls);
	e2e_end_gw(g, false);
}

/* "Ready" is a start-up event: a resize or large text (key 1 on home)
 * repaints everything, and must not send it again. */
Test(deploy_attack, ready_once_across_resizes_and_large_text)
{
	struct gwd *g = e2e_start_gateway(NULL);
	struct notify_listener ls;
	notify_listen_at(&ls, false);
	const char *env[] = { ls.env, NULL };
	struct harness *h = start_env(g, env);
	ls.want_pid = h_pid(h);
	H_ASSERT(h, notify_wait_ready(&ls, h, WAIT_MS), "no READY=1");
	H_ASSERT(h, e2e_wait_title(h, E2E_T_HOME, WAIT_MS), "no home screen");
	for (int i = 0; i < 3; i++) {
		h_resize(h, i % 2 ? COLS : 120, i % 2 ? ROWS : 40);
		notify_drain(&ls, h, 400);
		h_type(h, "1");
		notify_drain(&ls, h, 600);
	}
	h_resize(h, COLS, ROWS);
	notify_drain(&ls, h, 1000);
	H_ASSERT(h, e2e_wait_title(h, E2E_T_HOME, WAIT_MS), "no home screen after the toggles");
	H_ASSERT(h, ls.ready == 1, "READY=1 came %d times", ls.ready);
	term_and_wait(h, &ls);
	cr_assert(!ls.foreign, "a message from another process than the kiosk");
	notify_close(&ls);
	e2e_end_gw(g, false);
}

/* ==== the evdev scanner: recorded event streams ======================================= */

static struct harness *start_evdev_env(struct gwd *g, char *fifo, size_t n, const char *name,
                                       const char *const env[])
{
	static char arg[700];
	snprintf(fifo, n, "%s/%s", e2e_scratch_dir(scratch, sizeof scratch, "deploy_attack"), name);
	unlink(fifo);
	cr_assert_eq(mkfifo(fifo, 0600), 0, "mkfifo %s: %s", fifo, strerror(errno));
	snprintf(arg, sizeof arg, "evdev:%s", fifo);
	const char *extra[] = { "--scanner", arg, NULL, NULL, NULL };
	const char *theme = e2e_theme_path();
	if (theme) {
		extra[2] = "--theme";
		extra[3] = theme;
	}
	struct harness *h = h_start_kiosk_env(gwd_url(g), 80, 24, extra, env);
	cr_assert_not_null(h, "the kiosk did not start");
	e2e_expect_row(h, g, 0, E2E_T_HOME, WAIT_MS, "start: home title");
	return h;
}

static struct harness *start_evdev(struct gwd *g, char *fifo, size_t n, const char *name)
{
	return start_evdev_env(g, fifo, n, name, NULL);
}

/* A scanner gone wrong sends bad codes (here Tab, Enter) as fast as the
 * FIFO takes them. Keys are still answered while it does, the watchdog
 * still pinged (the loop turns); and each bad
 * code is not a line of kiosk.log (before: one line per code, 35 MB in 3 s,
 * a kiosk's disk full within minutes; and syslog with it). */
Test(deploy_attack, a_flood_of_bad_codes_neither_holds_keys_nor_fills_the_log)
{
	struct gwd *g = e2e_start_gateway(NULL);
	char fifo[600];
	struct notify_listener ls;
	notify_listen_at(&ls, false);
	const char *env[] = { ls.env, "WATCHDOG_USEC=400000", NULL };
	struct harness *h = start_evdev_env(g, fifo, sizeof fifo, "flood-event-kbd", env);
	int fd = evstream_open_fifo(h, g, fifo);
	notify_drain(&ls, h, 0);
	ls.watchdog = 0;

	struct evstream st = { 0 };
	for (int i = 0; i < 170; i++) { /* 170 bad codes, Tab and Enter: about 48 KB */
		evstream_tap(&st, KEY_TAB);
		evstream_tap(&st, KEY_ENTER);
	}
	const char *buf = (const char *)st.ev;
	size_t len = st.n * sizeof *st.ev, per_code = len / 170;
	size_t sent = 0;
	long long t_end = e2e_now_ms() + 3000;
	bool typed = false, answered = false;
	long long last_drain = 0;
	long long deadline = e2e_now_ms() + WAIT_MS;
	/* Flood for 3 s at least, and on until the key was answered. */
	while ((e2e_now_ms() < t_end || !answered) && e2e_now_ms() < deadline) {
		ssize_t w = write(fd, buf, len);
		if (w > 0)
			sent += (size_t)w;
		else
			E2E_CHECK(h, g, errno == EAGAIN, "FIFO write: %s", strerror(errno));
		h_pump(h, w > 0 ? 0 : 5);
		if (!typed && e2e_now_ms() > t_end - 2000) {
			h_type(h, "3");
			typed = true;
		}
		if (typed && !answered)
			answered = e2e_row_has(h, 0, T_SERVICES);
		if (e2e_now_ms() - last_drain >= 100) { /* a drain waits up to 20 ms */
			notify_drain(&ls, NULL, 0);
			last_drain = e2e_now_ms();
		}
	}
	close(fd);
	evstream_free(&st);
	int pings = ls.watchdog;
	notify_close(&ls);
	size_t codes = sent / per_code;
	/* The loop turned all along: the supervisor heard it (a ping per 0.2 s). */
	E2E_CHECK(h, g, pings >= 5, "%d watchdog pings during a flood of 3 s or more", pings);
	E2E_CHECK(h, g, answered, "3 was not answered in %d ms while the scanner flooded (%zu bad codes)",
	          WAIT_MS, codes);
	E2E_CHECK(h, g, codes > 2000, "only %zu bad codes sent: no flood", codes);
	h_settle(h, 300, 3000);
	h_key(h, H_BACKSPACE);
	E2E_CHECK(h, g, e2e_wait_title(h, E2E_T_HOME, WAIT_MS), "Backspace after the flood: not home");
	int lines = e2e_log_lines(h, "a code was dropped");
	fprintf(stderr, "deploy_attack: %zu bad codes sent, %d logged one by one\n", codes, lines);
	E2E_CHECK(h, g, lines >= 1, "no bad code was logged at all");
	E2E_CHECK(h, g, lines <= 50, "%d log lines for %zu bad codes: a broken scanner fills the disk",
	          lines, codes);
	E2E_CHECK(h, g, e2e_log_lines(h, "not each logged") >= 1, "the log does not say codes are being counted");
	/* Each notice is a line of the log too (ui.c): told at most once a second. */
	int notices = e2e_log_lines(h, "notice shown");
	E2E_CHECK(h, g, notices <= 60, "%d notices for %zu bad codes", notices, codes);
	e2e_finish(h, g);
}

/* ---- the process's memory after a session (from test_hardening.c's method) ---- */

static bool mem_has_any(int pid, const char *const needles[], int n, const char **found)
{
	char path[64];
	snprintf(path, sizeof path, "/proc/%d/maps", pid);
	FILE *maps = fopen(path, "re");
	cr_assert_not_null(maps, "%s: %s", path, strerror(errno));
	snprintf(path, sizeof path, "/proc/%d/mem", pid);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	cr_assert(fd >= 0, "%s: %s", path, strerror(errno));
	enum { CHUNK = 1 << 20, OVERLAP = 128 };
	char *buf = malloc(CHUNK + OVERLAP);
	cr_assert_not_null(buf);
	char line[512];
	size_t bytes = 0;
	*found = NULL;
	while (!*found && fgets(line, sizeof line, maps)) {
		unsigned long lo, hi;
		char perms[8];
		if (sscanf(line, "%lx-%lx %7s", &lo, &hi, perms) != 3 || perms[0] != 'r' || perms[1] != 'w')
			continue;
		if (hi - lo > (1UL << 30))
			continue;
		size_t keep = 0;
		for (unsigned long at = lo; at < hi && !*found;) {
			size_t want = hi - at < CHUNK ? hi - at : CHUNK;
			ssize_t r = pread(fd, buf + keep, want, (off_t)at);
			if (r <= 0) {
				at += 4096;
				keep = 0;
				continue;
			}
			for (int k = 0; k < n && !*found; k++)
				if (memmem(buf, keep + (size_t)r, needles[k], strlen(needles[k])))
					*found = needles[k];
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
	cr_assert(bytes > 100000, "read only %zu bytes of %d", bytes, pid);
	return *found != NULL;
}

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
		return h_kiosk_bin();
	slash = strrchr(path, '/');
	snprintf(slash ? slash : path, sizeof path - (size_t)(slash ? slash - path : 0), "%s",
	         slash ? "/kiosk" : "kiosk");
	cr_assert(access(path, X_OK) == 0, "no production kiosk beside %s (set PROD_KIOSK_BIN)",
	          h_kiosk_bin());
	return path;
}

/* A code read from the scanner's key events passes through the backend's
 * read buffer, the half-record store and the decoder: after the session,
 * none of it may be left. The production build (ASan keeps freed memory
 * in quarantine, which is not what a kiosk runs). */
Test(deploy_attack, a_scanned_code_is_not_in_memory_after_the_session)
{
	setenv("KIOSK_BIN", prod_kiosk_bin(), 1);
	struct gwd *g = e2e_start_gateway(NULL);
	char fifo[600], code[128];
	struct harness *h = start_evdev(g, fifo, sizeof fifo, "mem-event-kbd");
	e2e_citizen_code(g, "cit-zhang", code, sizeof code);
	const char *rand = strchr(code, ':') ? strchr(code, ':') + 1 : code;
	cr_assert_gt(strlen(rand), 20, "a code with a random part");

	struct evstream st = { 0 };
	evstream_type(&st, code);
	evstream_tap(&st, KEY_ENTER);
	evstream_send(h, g, fifo, &st);
	char buf[128];
	snprintf(buf, sizeof buf, "%s%s", T_STATUS_OUT, ZHANG);
	e2e_expect_row(h, g, -1, buf, WAIT_MS, "evdev scan: logged in");
	h_settle(h, 300, 2000);
	h_key(h, H_F9);
	e2e_expect(h, g, T_LOGGED_OUT, WAIT_MS, "F9: logged out");
	h_settle(h, 500, 3000);

	/* The random part; past a freed block's first 16 bytes; the whole. */
	char tail[128];
	snprintf(tail, sizeof tail, "%s", rand + 16);
	const char *needles[] = { code, rand, tail };
	const char *found = NULL;
	bool has = mem_has_any(h_pid(h), needles, 3, &found);
	E2E_CHECK(h, g, !has, "after logout the kiosk's memory still holds the scanned code (%s)",
	          found == code ? "whole" : found == rand ? "its random part" : "its tail");
	/* Nor on disk: the data folder, the log, stderr. */
	char *cmd = e2e_fmt("grep -rqaF -e '%s' '%s' 2>/dev/null", rand, h_tmpdir(h));
	int rc = system(cmd);
	free(cmd);
	E2E_CHECK(h, g, WIFEXITED(rc) && WEXITSTATUS(rc) == 1,
	          "the scanned code is in a file under %s (grep status %#x)", h_tmpdir(h), rc);
	explicit_bzero(code, sizeof code);
	explicit_bzero(tail, sizeof tail);
	e2e_finish(h, g);
}

/* ---- races ---------------------------------------------------------------------- */

/* Sessions still alive at the gateway (and ends them all). */
static long live_sessions(struct gwd *g)
{
	json_t *j = e2e_post_json(g, "/sim/sessions/expire", NULL, 200);
	long n = (long)json_integer_value(json_object_get(j, "expired"));
	json_decref(j);
	return n;
}

/* A scan is read and its log-in is on its way (the gateway slow to answer)
 * when SIGTERM comes: the kiosk exits, and no session it opened is left
 * alive at the gateway (the answer's token is revoked, or never used). */
Test(deploy_attack, a_scan_right_as_sigterm_comes_leaves_no_session)
{
	struct gwd *g = e2e_start_gateway(NULL);
	char fifo[600], code[128];
	struct harness *h = start_evdev(g, fifo, sizeof fifo, "term-event-kbd");
	e2e_citizen_code(g, "cit-zhang", code, sizeof code);
	e2e_set_faults(g, "{\"latency_ms\":800,\"paths\":[\"/v1/auth/scan\"]}");
	struct evstream st = { 0 };
	evstream_type(&st, code);
	evstream_tap(&st, KEY_ENTER);
	evstream_send(h, g, fifo, &st);
	explicit_bzero(code, sizeof code);
	E2E_CHECK(h, g, e2e_wait_log(h, "scan from", WAIT_MS), "the scan was not read");
	kill(h_pid(h), SIGTERM);
	int status = -1;
	E2E_CHECK(h, g, h_wait_exit(h, EXIT_MS, &status) == 0, "the kiosk did not exit on SIGTERM");
	E2E_CHECK(h, g, WIFEXITED(status) && WEXITSTATUS(status) == 0, "exit status %#x", status);
	char rep[512];
	E2E_CHECK(h, g, h_sanitizer_clean(h, rep, sizeof rep), "sanitizer: %s", rep);
	h_pump(h, 0);
	long alive = live_sessions(g);
	E2E_CHECK(h, g, alive == 0, "%ld sessions alive at the gateway after the kiosk stopped", alive);
	h_free(h);
	e2e_end_gw(g, true);
}

/* Two USB scanners, each its own event node: their key events interleave
 * in time, record by record, and neither code is mixed with the other.
 * One types letters, Tab and Enter (bad codes, each dropped whole); the
 * other the citizen's code. The citizen is logged in once, by A's code,
 * and nothing of B's reached the app. */
Test(deploy_attack, two_scanners_typing_at_once_do_not_mix_their_codes)
{
	struct gwd *g = e2e_start_gateway(NULL);
	char a[600], b[600], arg_a[700], arg_b[700], code[128];
	snprintf(a, sizeof a, "%s/a-event-kbd", e2e_scratch_dir(scratch, sizeof scratch, "deploy_attack"));
	snprintf(b, sizeof b, "%s/b-event-kbd", scratch);
	unlink(a);
	unlink(b);
	cr_assert_eq(mkfifo(a, 0600), 0);
	cr_assert_eq(mkfifo(b, 0600), 0);
	snprintf(arg_a, sizeof arg_a, "evdev:%s", a);
	snprintf(arg_b, sizeof arg_b, "evdev:%s", b);
	const char *extra[] = { "--scanner", arg_a, "--scanner", arg_b, NULL };
	struct harness *h = e2e_start_home(g, gwd_url(g), 80, 24, extra, WAIT_MS);
	e2e_citizen_code(g, "cit-zhang", code, sizeof code);

	struct evstream sa = { 0 }, sb = { 0 };
	evstream_type(&sa, code);
	evstream_tap(&sa, KEY_ENTER);
	explicit_bzero(code, sizeof code);
	int nb_codes = 0;
	while (sb.n < sa.n) {
		evstream_type(&sb, "zzzz");
		evstream_tap(&sb, KEY_TAB);
		evstream_tap(&sb, KEY_ENTER);
		nb_codes++;
	}
	int fa = evstream_open_fifo(h, g, a), fb = evstream_open_fifo(h, g, b);
	/* A record each in turn, a little at a time: the kiosk reads them
	 * interleaved. */
	size_t rec = sizeof(struct input_event);
	for (size_t i = 0; i < sa.n || i < sb.n; i += 8) {
		size_t na = i < sa.n ? (sa.n - i < 8 ? sa.n - i : 8) : 0;
		size_t nb = i < sb.n ? (sb.n - i < 8 ? sb.n - i : 8) : 0;
		if (na)
			E2E_CHECK(h, g, write(fa, &sa.ev[i], na * rec) == (ssize_t)(na * rec), "write A");
		if (nb)
			E2E_CHECK(h, g, write(fb, &sb.ev[i], nb * rec) == (ssize_t)(nb * rec), "write B");
		h_pump(h, 1);
	}
	close(fa);
	close(fb);
	evstream_free(&sa);
	evstream_free(&sb);
	char want[128];
	snprintf(want, sizeof want, "%s%s", T_STATUS_OUT, ZHANG);
	e2e_expect_row(h, g, -1, want, WAIT_MS, "two scanners: logged in by A's code");
	h_settle(h, 300, 2000);
	E2E_CHECK(h, g, e2e_log_lines(h, "session: started") == 1, "%d sessions, want 1",
	          e2e_log_lines(h, "session: started"));
	char from[800];
	snprintf(from, sizeof from, "scan from %s ", arg_a);
	E2E_CHECK(h, g, e2e_log_lines(h, from) == 1, "A's code was not handed on once");
	snprintf(from, sizeof from, "scan from %s ", arg_b);
	E2E_CHECK(h, g, e2e_log_lines(h, from) == 0, "a code of B's reached the app: they mixed");
	int dropped = e2e_log_lines(h, "a code was dropped");
	E2E_CHECK(h, g, dropped == (nb_codes < 10 ? nb_codes : 10), "%d codes dropped, B sent %d bad ones",
	          dropped, nb_codes);
	e2e_finish(h, g);
}

/* 200 codes in one burst (a scanner in continuous mode, or a replayed
 * recording): the first starts a log-in, and every other one that comes
 * while it is being checked is refused, not sent: one POST /v1/auth/scan,
 * one session, the first citizen's. */
Test(deploy_attack, two_hundred_codes_in_one_burst_log_in_once)
{
	struct gwd *g = e2e_start_gateway(NULL);
	char fifo[600], a[128], b[128];
	struct harness *h = start_evdev(g, fifo, sizeof fifo, "burst-event-kbd");
	e2e_citizen_code(g, "cit-zhang", a, sizeof a);
	e2e_citizen_code(g, "cit-wang", b, sizeof b);
	e2e_set_faults(g, "{\"latency_ms\":1500,\"paths\":[\"/v1/auth/scan\"]}");
	struct evstream st = { 0 };
	for (int i = 0; i < 200; i++) {
		evstream_type(&st, i == 0 ? a : b);
		evstream_tap(&st, KEY_ENTER);
	}
	explicit_bzero(a, sizeof a);
	explicit_bzero(b, sizeof b);
	evstream_send(h, g, fifo, &st);
	char want[128];
	snprintf(want, sizeof want, "%s%s", T_STATUS_OUT, ZHANG);
	e2e_expect_row(h, g, -1, want, WAIT_MS, "burst: the first code logs in");
	h_settle(h, 300, 3000);
	int scans = e2e_log_lines(h, "scan from");
	E2E_CHECK(h, g, scans == 200, "%d scans handed on, want 200", scans);
	E2E_CHECK(h, g, e2e_log_lines(h, "gateway: POST /v1/auth/scan") == 1, "%d log-ins sent, want 1",
	          e2e_log_lines(h, "gateway: POST /v1/auth/scan"));
	E2E_CHECK(h, g, e2e_log_lines(h, "session: started") == 1, "%d sessions, want 1",
	          e2e_log_lines(h, "session: started"));
	e2e_set_faults(g, "{}");
	long alive = live_sessions(g);
	E2E_CHECK(h, g, alive == 1, "%ld sessions alive at the gateway, want 1", alive);
	e2e_finish(h, g);
}

/* ---- what an installer may get wrong ------------------------------------------------ */

/* --wedge with a value that is neither on nor off: a clear message, exit
 * status 2, and the value (here a terminal escape) not echoed on stderr. */
Test(deploy_attack, a_bad_wedge_value_is_refused_at_start)
{
	const char *argv[] = { h_kiosk_bin(), "--gateway", "http://127.0.0.1:9", "--wedge", "\033[2Jmaybe", NULL };
	struct harness *h = h_start(argv, 80, 24, NULL);
	cr_assert_not_null(h);
	int st = -1;
	H_ASSERT(h, h_wait_exit(h, EXIT_MS, &st) == 0, "the kiosk did not exit on a bad --wedge");
	H_ASSERT(h, WIFEXITED(st) && WEXITSTATUS(st) == 2, "exit status %#x, not 2", st);
	char *path = e2e_fmt("%s/stderr.log", h_tmpdir(h));
	char *err = e2e_slurp_str(path);
	H_ASSERT(h, err && strstr(err, "wedge must be on or off"), "no clear message on stderr: %s",
	         err ? err : "(none)");
	H_ASSERT(h, !strstr(err, "maybe") && !strchr(err, '\033'), "the bad value was echoed");
	free(err);
	free(path);
	h_free(h);
}

/* Scanner paths that are no scanner: the kiosk starts as ever, answers
 * keys, tells the citizen a scanner is not working, and logs why in words
 * (not a crash, not a spin: the retry is every 3 s, logged once). */
Test(deploy_attack, evdev_paths_that_are_no_scanner)
{
	static const struct {
		const char *spec, *why;
	} cases[] = {
		{ "evdev:/dev/zero", "is not an input event device" },
		{ "evdev:/dev/null", "is not an input event device" },
		{ "evdev:/tmp", "is a folder" },
		{ "evdev:/nonexistent/event-kbd", "no scanner at /nonexistent/event-kbd" },
		{ "evdev:/tmp/a,b", "unknown keyboard layout" },
		{ "evdev:,us", "needs a device path" },
	};
	struct gwd *g = e2e_start_gateway(NULL);
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const char *extra[] = { "--scanner", cases[i].spec, NULL };
		struct harness *h = e2e_start_home(g, gwd_url(g), 80, 24, extra, WAIT_MS);
		H_ASSERT(h, e2e_wait_log(h, cases[i].why, WAIT_MS), "%s: the log does not say \"%s\"",
		         cases[i].spec, cases[i].why);
		h_type(h, "3");
		H_ASSERT(h, e2e_wait_title(h, T_SERVICES, WAIT_MS), "%s: 3 did not open the services",
		         cases[i].spec);
		h_settle(h, 300, 3500); /* past a retry */
		H_ASSERT(h, e2e_log_lines(h, cases[i].why) <= 2, "%s: the failure is logged %d times",
		         cases[i].spec, e2e_log_lines(h, cases[i].why));
		e2e_end_kiosk(h, EXIT_MS);
	}
	e2e_end_gw(g, false);
}

/* ---- kiosk-session starting its own Xvfb --------------------------------------------- */

static bool on_path(const char *prog)
{
	char *cmd = e2e_fmt("command -v %s >/dev/null 2>&1", prog);
	int rc = system(cmd);
	free(cmd);
	return rc == 0;
}

static void comm_of(pid_t pid, char *out, size_t n)
{
	char path[64];
	snprintf(path, sizeof path, "/proc/%d/comm", (int)pid);
	FILE *f = fopen(path, "re");
	snprintf(out, n, "?");
	if (f) {
		if (fgets(out, (int)n, f))
			out[strcspn(out, "\n")] = '\0';
		fclose(f);
	}
}

/* KIOSK_SESSION_X=xvfb without DISPLAY: kiosk-session starts Xvfb itself,
 * and Xvfb (like Xorg) sends READY=1 as soon as it listens when it has
 * NOTIFY_SOCKET. The first READY=1 the manager hears must be the kiosk's,
 * after its paint: its sender's /proc/PID/comm is "kiosk" (SO_PASSCRED),
 * and so is every other message's. */
Test(deploy_attack, session_on_its_own_xvfb_is_ready_only_when_the_kiosk_says_so)
{
	if (!on_path("Xvfb") || !on_path("xterm") || !on_path("matchbox-window-manager"))
		cr_skip_test("skipped: Xvfb, xterm or matchbox-window-manager not installed");
	struct gwd *g = e2e_start_gateway(NULL);
	struct notify_listener ls;
	notify_listen_at(&ls, false);
	char *dir = e2e_make_dir("/tmp/kiosk-dattack-session-XXXXXX");
	char *logp = e2e_fmt("%s/kiosk.log", dir), *data = e2e_fmt("%s/data", dir);
	char *errp = e2e_fmt("%s/session.err", dir);
	const char *script = getenv("KIOSK_SESSION");
	if (!script || !*script)
		script = "dist/kiosk-session";
	char abs_bin[4096];
	cr_assert_not_null(realpath(h_kiosk_bin(), abs_bin), "%s", h_kiosk_bin());

	pid_t pid = fork();
	cr_assert_geq(pid, 0);
	if (pid == 0) {
		setsid();
		unsetenv("DISPLAY");
		unsetenv("WAYLAND_DISPLAY");
		setenv("KIOSK_SESSION_X", "xvfb", 1);
		setenv("KIOSK_SESSION_GEOMETRY", "1024x768", 1);
		setenv("KIOSK_SESSION_CONF", "/dev/null", 1);
		setenv("KIOSK_BIN", abs_bin, 1);
		setenv("NOTIFY_SOCKET", ls.path, 1);
		setenv("WATCHDOG_USEC", "2000000", 1);
		char wpid[32];
		snprintf(wpid, sizeof wpid, "%d", (int)getppid());
		setenv("WATCHDOG_PID", wpid, 1);
		int fd = open(errp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
		if (fd >= 0) {
			dup2(fd, 1);
			dup2(fd, 2);
		}
		execl("/bin/sh", "sh", script, "--gateway", gwd_url(g), "--log", logp, "--data-dir", data,
		      (char *)NULL);
		_exit(127);
	}
	/* Up to 30 s: Xvfb, the window manager and xterm start first. */
	bool ready = notify_wait_ready(&ls, NULL, 30000);
	char comm[64] = "";
	if (ready)
		comm_of(ls.ready_pid, comm, sizeof comm);
	if (ready) {
		pid_t kiosk = ls.ready_pid;
		ls.want_pid = kiosk;
		ls.watchdog = 0;
		notify_drain(&ls, NULL, 2500);
	}
	/* Stop it: SIGTERM to kiosk-session, which takes its stack down. */
	kill(pid, SIGTERM);
	int status = 0;
	long long end = e2e_now_ms() + 15000;
	pid_t r = 0;
	while ((r = waitpid(pid, &status, WNOHANG)) == 0 && e2e_now_ms() < end)
		usleep(50 * 1000);
	if (r == 0) {
		kill(-pid, SIGKILL); /* our own session's group only */
		waitpid(pid, &status, 0);
	}
	if (!ready || strcmp(comm, "kiosk") != 0 || ls.foreign) {
		e2e_print_file_tail("kiosk-session stderr", errp, 3000);
		e2e_print_file_tail("kiosk.log", logp, 3000);
	}
	cr_assert(ready, "no READY=1 in 30 s through kiosk-session on its own Xvfb");
	cr_assert_str_eq(comm, "kiosk", "the first READY=1 came from pid %d (%s), not the kiosk",
	                 (int)ls.ready_pid, comm);
	cr_assert_eq(ls.ready, 1, "READY=1 came %d times", ls.ready);
	cr_assert(!ls.foreign, "a message from a process other than the kiosk");
	cr_assert_geq(ls.watchdog, 2, "%d pings in 2.5 s with a 2 s watchdog (WATCHDOG_PID dropped?)",
	              ls.watchdog);
	notify_close(&ls);
	e2e_rm_rf(dir);
	free(dir);
	free(logp);
	free(data);
	free(errp);
	e2e_end_gw(g, false);
}
