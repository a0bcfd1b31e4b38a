/* test_mirror.c: watching a kiosk from afar (suite "mirror"): the kiosk
 * runs with --mirror unix:PATH in one pty, tools/kiosk-mirror PATH in
 * another, and what the viewer's terminal shows must be the kiosk's screen,
 * cell by cell (characters, wide CJK ones, colours, bold, reverse), after
 * every key. A viewer that never reads does not hold up a key and is
 * dropped (the log says so); a hundred connections in a row and more
 * viewers than allowed leave the kiosk answering; while a citizen is
 * logged in viewers get a placeholder (mirror_private off, the default)
 * or the screen (on), and the citizen sees the marker on the status bar
 * while anyone watches. Screen texts are zh_CN.
 */
#include "e2e.h"
#include "harness/gwd.h"
#include "harness/harness.h"

#include <criterion/criterion.h>

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#define WAIT_MS 15000
#define QUICK_MS 5000

#define T_MARK     "◉"                         /* the status bar's marker, any language */
#define T_MARK_ZH  "◉ 远程查看中"
#define T_PAUSED   "屏幕含个人信息，暂停显示"
#define T_STATUS_OUT "[F9] 退出登录 张*"

static char scratch[512];

static void suite_fini(void) { e2e_rm_rf(scratch); }
TestSuite(mirror, .timeout = 60, .fini = suite_fini);

static const char *sock_path(void)
{
	static char p[600];
	snprintf(p, sizeof p, "%s/m.sock", e2e_scratch_dir(scratch, sizeof scratch, "mirror"));
	return p;
}

/* kiosk-mirror beside the kiosk under test ($KIOSK_MIRROR_BIN first). */
static const char *mirror_bin(void)
{
	static char p[4200];
	const char *env = getenv("KIOSK_MIRROR_BIN");
	if (env && *env)
		return env;
	char k[4096];
	snprintf(k, sizeof k, "%s", h_kiosk_bin());
	snprintf(p, sizeof p, "%s/kiosk-mirror", dirname(k));
	return p;
}

static struct harness *start(struct gwd *g, int cols, int rows, const char *const more[])
{
	static char arg[700];
	snprintf(arg, sizeof arg, "unix:%s", sock_path());
	const char *extra[16] = { "--mirror", arg };
	size_t n = 2;
	for (size_t i = 0; more && more[i] && n < 15; i++)
		extra[n++] = more[i];
	extra[n] = NULL;
	struct harness *h = e2e_start_home(g, gwd_url(g), cols, rows, extra, WAIT_MS);
	E2E_CHECK(h, g, e2e_wait_log(h, "mirror: listening on", WAIT_MS), "the mirror is not listening");
	h_settle(h, E2E_QUIET_MS, 2000);
	return h;
}

static struct harness *start_viewer(int cols, int rows)
{
	const char *argv[] = { mirror_bin(), sock_path(), NULL };
	struct harness *v = h_start(argv, cols, rows, NULL);
	cr_assert_not_null(v, "cannot start %s", mirror_bin());
	return v;
}

/* Raw viewers: connected, never reading. */
static int connect_raw(void)
{
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	cr_assert_geq(fd, 0);
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	snprintf(sa.sun_path, sizeof sa.sun_path, "%.100s", sock_path());
	cr_assert_eq(connect(fd, (struct sockaddr *)&sa, sizeof sa), 0, "connect: %s", strerror(errno));
	return fd;
}

/* The first difference between the two screens, cell by cell, into why;
 * false if there is none. */
static bool differ(struct harness *k, struct harness *v, char *why, size_t n)
{
	int cols, rows, vc, vr;
	h_size(k, &cols, &rows);
	h_size(v, &vc, &vr);
	if (cols != vc || rows != vr) {
		snprintf(why, n, "sizes %dx%d and %dx%d", cols, rows, vc, vr);
		return true;
	}
	for (int y = 0; y < rows; y++) {
		char *a = h_row_text(k, y), *b = h_row_text(v, y);
		bool same = !strcmp(a, b);
		if (!same)
			snprintf(why, n, "row %d:\n  kiosk:  \"%s\"\n  viewer: \"%s\"", y, a, b);
		free(a);
		free(b);
		if (!same)
			return true;
		for (int x = 0; x < cols; x++) {
			struct h_cell c = h_cell_at(k, x, y), d = h_cell_at(v, x, y);
			if (c.ch != d.ch || c.width != d.width || c.bold != d.bold || c.reverse != d.reverse ||
			    c.underline != d.underline || c.fg != d.fg || c.bg != d.bg) {
				snprintf(why, n, "cell %d,%d: kiosk U+%04X w%d b%d r%d u%d fg %d bg %d, "
				         "viewer U+%04X w%d b%d r%d u%d fg %d bg %d", x, y,
				         c.ch, c.width, c.bold, c.reverse, c.underline, c.fg, c.bg,
				         d.ch, d.width, d.bold, d.reverse, d.underline, d.fg, d.bg);
				return true;
			}
		}
	}
	return false;
}

/* Until the viewer shows what the kiosk shows (both settled). */
static void expect_same(struct harness *k, struct gwd *g, struct harness *v, const char *step)
{
	char why[1200] = "";
	long long end = e2e_now_ms() + QUICK_MS;
	h_settle(k, E2E_QUIET_MS, 3000);
	for (;;) {
		h_pump(k, 10);
		h_pump(v, 30);
		if (!differ(k, v, why, sizeof why))
			break;
		if (e2e_now_ms() > end) {
			fprintf(stderr, "*** the viewer's screen:\n");
			h_dump(v, stderr);
			E2E_CHECK(k, g, false, "%s: the viewer differs: %s", step, why);
		}
	}
	char w2[300] = "";
	H_ASSERT(v, h_screen_clean(v, w2, sizeof w2), "%s: the viewer's screen is not clean: %s", step, w2);
}

static void stop_viewer(struct harness *v)
{
	int st = -1;
	char rep[1024] = "";
	h_type(v, "q");
	H_ASSERT(v, h_wait_exit(v, QUICK_MS, &st) == 0, "q did not end kiosk-mirror");
	H_ASSERT(v, WIFEXITED(st) && WEXITSTATUS(st) == 0, "kiosk-mirror exit status %#x", st);
	H_ASSERT(v, h_sanitizer_clean(v, rep, sizeof rep), "kiosk-mirror: %s", rep);
	/* Its terminal is given back: the alternate screen left, the
	 * cursor shown. */
	H_ASSERT(v, h_cursor_visible(v), "the viewer's cursor is still hidden");
	H_ASSERT(v, !h_find(v, "政务", NULL, NULL), "the viewer's terminal still shows the kiosk");
	h_free(v);
}

/* ---- 1. the viewer sees the screen ---------------------------------------------- */

Test(mirror, the_viewer_sees_what_the_kiosk_shows)
{
	struct gwd *g = e2e_start_gateway(NULL);
	struct harness *k = start(g, 100, 30, NULL);
	E2E_CHECK(k, g, !e2e_row_has(k, -1, T_MARK), "marked as watched before anyone watches");
	struct harness *v = start_viewer(100, 30);
	e2e_expect_row(k, g, -1, T_MARK_ZH, QUICK_MS, "watched: the status bar says so");
	E2E_CHECK(k, g, e2e_log_count(k, "mirror: viewer 1 attached") == 1, "the viewer is not in the log");
	expect_same(k, g, v, "home");
	/* Focus moves, a category, a search with CJK results, back. */
	h_key(k, H_DOWN);
	expect_same(k, g, v, "down");
	h_key(k, H_RIGHT);
	expect_same(k, g, v, "right");
	h_type(k, "3");
	expect_same(k, g, v, "3");
	h_key(k, H_ESC);
	expect_same(k, g, v, "back home");
	h_type(k, "shebao");
	expect_same(k, g, v, "search");
	h_key(k, H_ESC);
	e2e_expect_row(k, g, 0, E2E_T_HOME, QUICK_MS, "home again");
	h_settle(k, E2E_QUIET_MS, 2000);
	/* Keys typed at the viewer never reach the kiosk. */
	char *before = e2e_screen_body(k);
	h_type(v, "1");
	h_key(v, H_DOWN);
	h_key(v, H_ENTER);
	h_settle(k, 300, 1000);
	char *after = e2e_screen_body(k);
	E2E_CHECK(k, g, !strcmp(before, after), "a key typed at the viewer changed the kiosk's screen");
	free(before);
	free(after);
	expect_same(k, g, v, "after keys at the viewer");
	/* r draws the last frame again; q leaves with the terminal restored. */
	h_type(v, "r");
	expect_same(k, g, v, "r");
	stop_viewer(v);
	e2e_expect_gone(k, g, T_MARK, QUICK_MS, "nobody watches: the marker goes");
	E2E_CHECK(k, g, e2e_wait_log(k, "mirror: viewer 1 left", QUICK_MS), "the viewer leaving is not logged");
	e2e_finish(k, g);
}

/* ---- 2. a viewer that never reads ------------------------------------------------ */

Test(mirror, a_viewer_that_never_reads_does_not_delay_a_key)
{
	struct gwd *g = e2e_start_gateway(NULL);
	/* A big screen: big frames fill the socket sooner. */
	struct harness *k = start(g, 200, 60, NULL);
	int idle = connect_raw();
	e2e_expect_row(k, g, -1, T_MARK, QUICK_MS, "watched");
	long long worst = 0;
	int keys = 0;
	while (e2e_log_count(k, "dropped: not reading") == 0 && keys < 120) {
		char *body = e2e_screen_body(k);
		long long t0 = e2e_now_ms();
		h_key(k, keys % 2 ? H_UP : H_DOWN);
		bool moved = e2e_wait_body(k, body, false, QUICK_MS);
		long long dt = e2e_now_ms() - t0;
		free(body);
		E2E_CHECK(k, g, moved, "key %d was not answered within %d ms", keys + 1, QUICK_MS);
		worst = dt > worst ? dt : worst;
		keys++;
	}
	E2E_CHECK(k, g, e2e_log_count(k, "dropped: not reading") == 1,
	          "the idle viewer was not dropped after %d keys", keys);
	cr_log_info("idle viewer dropped after %d keys; slowest key %lld ms", keys, worst);
	E2E_CHECK(k, g, worst < 2000, "a key took %lld ms with an idle viewer", worst);
	e2e_expect_gone(k, g, T_MARK, QUICK_MS, "dropped: nobody watches");
	/* Its socket is closed: it reads what was queued, then the end. */
	char buf[65536];
	ssize_t r;
	long long end = e2e_now_ms() + QUICK_MS;
	while ((r = recv(idle, buf, sizeof buf, MSG_DONTWAIT)) != 0 && e2e_now_ms() < end)
		if (r < 0)
			h_pump(k, 10);
	E2E_CHECK(k, g, r == 0, "the dropped viewer's socket is still open");
	close(idle);
	e2e_finish(k, g);
}

/* ---- 3. a hundred connections; too many viewers ------------------------------------ */

Test(mirror, a_hundred_connections_and_too_many_viewers)
{
	struct gwd *g = e2e_start_gateway(NULL);
	struct harness *k = start(g, 80, 24, NULL);
	for (int i = 0; i < 100; i++)
		close(connect_raw());
	e2e_expect_row(k, g, 0, E2E_T_HOME, QUICK_MS, "a hundred connections: still there");
	e2e_expect_gone(k, g, T_MARK, QUICK_MS, "a hundred connections: all gone");
	E2E_CHECK(k, g, e2e_log_count(k, "mirror: refused") == 0, "refused while nobody watched");
	/* Ten at once: eight watch, two are told and closed. */
	int fds[10];
	for (int i = 0; i < 10; i++)
		fds[i] = connect_raw();
	h_settle(k, E2E_QUIET_MS, 2000);
	int refused = 0;
	for (int i = 0; i < 10; i++) {
		char buf[8192];
		struct pollfd p = { fds[i], POLLIN, 0 };
		if (poll(&p, 1, 200) > 0) {
			ssize_t n = recv(fds[i], buf, sizeof buf - 1, MSG_DONTWAIT);
			if (n > 0 && buf[0] != '\033') {
				buf[n] = '\0';
				E2E_CHECK(k, g, strstr(buf, "at most 8"), "the refusal says: %s", buf);
				refused++;
			}
		}
	}
	E2E_CHECK(k, g, refused == 2, "%d of 10 refused, not 2", refused);
	/* The kiosk answers at once, marked as watched. */
	e2e_expect_row(k, g, -1, T_MARK, QUICK_MS, "watched by eight");
	h_type(k, "3");
	h_settle(k, E2E_QUIET_MS, 2000);
	E2E_CHECK(k, g, !e2e_row_has(k, 0, E2E_T_HOME), "3 did not leave home");
	h_key(k, H_ESC);
	e2e_expect_row(k, g, 0, E2E_T_HOME, QUICK_MS, "the kiosk answers keys");
	for (int i = 0; i < 10; i++)
		close(fds[i]);
	e2e_expect_gone(k, g, T_MARK, QUICK_MS, "all gone");
	E2E_CHECK(k, g, e2e_log_count(k, "mirror: refused") >= 1, "refusals are not logged");

	/* kiosk-mirror --once prints the screen as text. */
	h_settle(k, E2E_QUIET_MS, 2000);
	char out[600];
	snprintf(out, sizeof out, "%s/once.txt", e2e_scratch_dir(scratch, sizeof scratch, "mirror"));
	char *cmd = e2e_fmt("'%s' --once '%s' >'%s'", mirror_bin(), sock_path(), out);
	int rc = system(cmd);
	free(cmd);
	E2E_CHECK(k, g, rc == 0, "kiosk-mirror --once: status %d", rc);
	h_pump(k, 100);
	char *text = e2e_slurp_str(out), *screen = h_screen_text(k);
	size_t tl = strlen(text);
	if (tl && text[tl - 1] == '\n')
		text[tl - 1] = '\0';
	/* The status bar shows the marker for the --once viewer itself. */
	char *tb = strrchr(text, '\n'), *sb = strrchr(screen, '\n');
	E2E_CHECK(k, g, tb && sb, "no rows");
	*tb = *sb = '\0';
	E2E_CHECK(k, g, !strcmp(text, screen), "--once:\n%s\nscreen:\n%s", text, screen);
	E2E_CHECK(k, g, strstr(tb + 1, T_MARK), "--once: the status bar: %s", tb + 1);
	free(text);
	free(screen);
	e2e_finish(k, g);
}

/* ---- 4. a citizen logged in --------------------------------------------------------- */

Test(mirror, private_while_a_citizen_is_logged_in)
{
	struct gwd *g = e2e_start_gateway(NULL);
	const char *more[] = { "--demo-sim", NULL };
	struct harness *k = start(g, 80, 24, more);
	struct harness *v = start_viewer(80, 24);
	expect_same(k, g, v, "home");
	h_key(k, H_F5); /* a demo citizen's code scanned */
	e2e_expect_row(k, g, -1, T_STATUS_OUT, WAIT_MS, "logged in");
	e2e_expect_row(k, g, -1, T_MARK_ZH, QUICK_MS, "logged in: the citizen sees the marker");
	H_ASSERT(v, h_wait_text(v, T_PAUSED, QUICK_MS), "the viewer does not say the mirror is paused");
	H_ASSERT(v, !h_find(v, "张", NULL, NULL), "the viewer shows the citizen's name");
	h_type(k, "7"); /* 我的办件: the citizen's own data */
	h_settle(k, 300, 3000);
	h_pump(v, 200);
	H_ASSERT(v, h_find(v, T_PAUSED, NULL, NULL) && !h_find(v, "张", NULL, NULL),
	         "the viewer shows the citizen's page");
	h_key(k, H_F9);
	e2e_expect_row(k, g, 0, E2E_T_HOME, WAIT_MS, "logged out");
	e2e_expect_gone(k, g, "张*", WAIT_MS, "logged out: no name");
	expect_same(k, g, v, "logged out: the screen again");
	stop_viewer(v);
	e2e_finish(k, g);
}

Test(mirror, mirror_private_on_shows_the_citizens_screen)
{
	struct gwd *g = e2e_start_gateway(NULL);
	char conf[600];
	snprintf(conf, sizeof conf, "%s/kiosk.conf", e2e_scratch_dir(scratch, sizeof scratch, "mirror"));
	FILE *f = fopen(conf, "w");
	cr_assert_not_null(f);
	fputs("[kiosk]\nmirror_private = yes\n", f);
	fclose(f);
	const char *more[] = { "--demo-sim", "--config", conf, NULL };
	struct harness *k = start(g, 80, 24, more);
	struct harness *v = start_viewer(80, 24);
	h_key(k, H_F5);
	e2e_expect_row(k, g, -1, T_STATUS_OUT, WAIT_MS, "logged in");
	expect_same(k, g, v, "logged in, allowed: the screen");
	H_ASSERT(v, !h_find(v, T_PAUSED, NULL, NULL), "paused though allowed");
	h_key(k, H_F9);
	e2e_expect_row(k, g, 0, E2E_T_HOME, WAIT_MS, "logged out");
	stop_viewer(v);
	e2e_finish(k, g);
}
