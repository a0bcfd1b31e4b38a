/* test_screen.c: the kiosk as a citizen sees it (suite "screen").
 *
 * Every test here starts a real X display (Xvfb, 1920x1080), a gateway, and
 * the kiosk through dist/kiosk-session: the window manager, xterm, the
 * fonts and colours a kiosk runs with. It then looks at pixels
 * (screenshots) and types and touches through the X server (XTEST), so the
 * keys and clicks pass through xterm's own translation:
 *   - the log-in QR code decodes off the screenshot (libzbar), at the
 *     normal size and in large-text mode, and it is the live one (the
 *     gateway approves its user code and the kiosk logs in);
 *   - large-text mode makes Chinese and Latin glyphs at least 1.5 times
 *     taller, measured in the screenshots, and switching it off restores them;
 *   - contrast measured from the pixels of the title, a button, the focused
 *     button and the status bar: >= 4.5:1, >= 7:1 in the large and
 *     high-contrast themes;
 *   - a click on a home button opens it;
 *   - key combinations the kiosk does not know change nothing on screen.
 * Where Xvfb cannot start, each test says "skipped: no X server" and is
 * skipped. With SCREENSHOT_DIR set, the screens are also saved there as
 * PNG (make screenshots: docs/screenshots/).
 *
 * Cells are mapped to pixels with the cell size the kiosk logs ("terminal:
 * COLSxROWS cells of WxH px", from TIOCGWINSZ as xterm fills it in) and
 * targets come from its layout dump (KIOSK_LAYOUT_DUMP).
 */
#include "e2e.h"
#include "emv.h"
#include "notify_e2e.h"
#include "harness/hutil.h"
#include "harness/xdisp.h"

#include "qrcode.h" /* the kiosk's core (linked into the e2e binary) */

#include <criterion/criterion.h>

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define WAIT_MS 20000

TestSuite(screen, .timeout = 240);

/* One kiosk on one X display. */
struct stage {
	struct xdisp *x;
	struct gwd *g;
	pid_t session;
	char *dir;     /* data/, kiosk.log, layout, sanitizer reports */
	char *log, *layout;
	int cols, rows, cw, ch; /* the grid, and a cell in pixels */
};

/* ---- starting and stopping --------------------------------------------------- */

static const char *session_script(void)
{
	const char *s = getenv("KIOSK_SESSION");
	return s && *s ? s : "dist/kiosk-session";
}

static void stage_dump(struct stage *st)
{
	if (st->log)
		e2e_print_file_tail("kiosk.log", st->log, 3000);
	char *xl = e2e_fmt("%s/session.log", st->dir);
	e2e_print_file_tail("kiosk-session", xl, 2000);
	free(xl);
}

#define S_CHECK(st, cond, ...)                         \
	do {                                           \
		if (!(cond)) {                         \
			stage_dump(st);                \
			cr_assert_fail(__VA_ARGS__);   \
		}                                      \
	} while (0)

static int log_count(struct stage *st, const char *needle)
{
	char *s = e2e_slurp_str(st->log);
	int n = 0;
	for (const char *p = s; (p = strstr(p, needle)); p += strlen(needle))
		n++;
	free(s);
	return n;
}

static void nap(int ms)
{
	struct timespec t = { ms / 1000, (long)(ms % 1000) * 1000000L };
	nanosleep(&t, NULL);
}

/* Waits until the log holds needle at least n times. */
static bool wait_log_n(struct stage *st, const char *needle, int n, int ms)
{
	for (int t = 0; t <= ms; t += 50) {
		if (log_count(st, needle) >= n)
			return true;
		nap(50);
	}
	return false;
}

/* The last "terminal: COLSxROWS cells of WxH px" line. */
static bool read_grid(struct stage *st)
{
	char *s = e2e_slurp_str(st->log), *last = NULL;
	for (char *p = s; (p = strstr(p, "terminal: ")); p++)
		last = p;
	bool ok = last && sscanf(last, "terminal: %dx%d cells of %dx%d px", &st->cols, &st->rows,
	                         &st->cw, &st->ch) == 4 && st->cw > 0 && st->ch > 0;
	free(s);
	return ok;
}

/* The screen in the kiosk once it has stopped changing (two shots 150 ms
 * apart agree), at most ms. */
static void shot_stable(struct stage *st, struct xd_image *img, int ms)
{
	struct xd_image prev = { 0 };
	S_CHECK(st, xd_shot(st->x, &prev) == 0, "no screenshot");
	for (int t = 0; t < ms; t += 150) {
		nap(150);
		S_CHECK(st, xd_shot(st->x, img) == 0, "no screenshot");
		if (!xd_differs(&prev, img, 0, 0, img->w, img->h)) {
			xd_image_free(&prev);
			return;
		}
		xd_image_free(&prev);
		prev = *img;
		memset(img, 0, sizeof *img);
	}
	*img = prev;
}

static void save_shot(const struct xd_image *img, const char *name)
{
	const char *dir = getenv("SCREENSHOT_DIR");
	if (!dir || !*dir)
		return;
	char *path = e2e_fmt("%s/%s.png", dir, name);
	cr_assert(xd_png_write(img, path) == 0, "%s: %s", path, strerror(errno));
	fprintf(stderr, "screen: wrote %s\n", path);
	free(path);
}

/* More environment for the next stage_start (K=V, NULL-terminated, at
 * most 4): the supervisor's, in the tests of kiosk.service's chain. */
static const char *const *stage_env;

/* Xvfb, a gateway, and the kiosk through kiosk-session with extra flags;
 * returns false (test skipped) if there is no X server. Waits for home. */
static bool stage_start_at(struct stage *st, const char *const extra[], int w, int h)
{
	char why[256];
	memset(st, 0, sizeof *st);
	st->x = xd_start(w, h, why, sizeof why);
	if (!st->x) {
		fprintf(stderr, "screen: skipped: no X server (%s)\n", why);
		return false;
	}
	st->g = e2e_start_gateway((const char *const[]){ "--device-interval", "1", NULL });
	st->dir = h_make_tmpdir("kiosk-screen");
	cr_assert_not_null(st->dir);
	st->log = e2e_fmt("%s/kiosk.log", st->dir);
	st->layout = e2e_fmt("%s/layout", st->dir);
	char *data = e2e_fmt("%s/data", st->dir), *slog = e2e_fmt("%s/session.log", st->dir);
	mkdir(data, 0700);
	const char *script = session_script();
	cr_assert(access(script, X_OK) == 0, "%s is missing (set KIOSK_SESSION)", script);
	char *disp = e2e_fmt("DISPLAY=%s", xd_name(st->x)), *bin = e2e_fmt("KIOSK_BIN=%s", h_kiosk_bin());
	char *dump = e2e_fmt("KIOSK_LAYOUT_DUMP=%s", st->layout);
	const char *env_extra[9] = { disp, bin, dump, "KIOSK_SESSION_CONF=/dev/null", NULL };
	for (int i = 0; stage_env && stage_env[i] && i < 4; i++)
		env_extra[4 + i] = stage_env[i];
	char **env = h_child_env(st->dir, false, env_extra);
	const char *argv[32] = { script,   "--gateway", gwd_url(st->g), "--data-dir", data,
	                         "--log",  st->log,     "--kiosk-id",   "screen-kiosk",
	                         "--config", "/dev/null" }; /* never /etc/kiosk's */
	int n = 11;
	for (int i = 0; extra && extra[i] && n < 31; i++)
		argv[n++] = extra[i];
	argv[n] = NULL;
	pid_t parent = getpid();
	st->session = fork();
	cr_assert(st->session >= 0);
	if (st->session == 0) {
		h_child_prepare(parent);
		setpgid(0, 0);
		FILE *f = freopen(slog, "w", stderr);
		(void)f;
		execve(script, (char *const *)argv, env);
		h_child_exec_failed("kiosk-session", script);
	}
	h_free_env(env);
	free(data);
	free(slog);
	free(disp);
	free(bin);
	free(dump);
	S_CHECK(st, wait_log_n(st, "screen: enter home", 1, WAIT_MS), "the kiosk did not show home");
	S_CHECK(st, wait_log_n(st, "catalog from gateway", 1, WAIT_MS), "no catalog");
	S_CHECK(st, read_grid(st), "the kiosk did not log its cell size in pixels");
	return true;
}

static bool stage_start(struct stage *st, const char *const extra[])
{
	return stage_start_at(st, extra, 1920, 1080);
}

/* Stops the session (SIGTERM: it stops xterm, which hangs up on the
 * kiosk); no sanitizer report may be left. */
/* Processes whose command line names dir (the kiosk under xterm is in a
 * session of its own, out of reach of the session's process group):
 * SIGKILL to those still there. A sanitizer kiosk that cannot finish its
 * exit (LeakSanitizer unable to stop a non-dumpable process's threads once
 * its terminal is gone) would otherwise spin for ever. */
static void kill_strays(const char *dir)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	while (d && (e = readdir(d))) {
		pid_t pid = (pid_t)atoi(e->d_name);
		if (pid <= 1 || pid == getpid())
			continue;
		char path[64], buf[4096];
		snprintf(path, sizeof path, "/proc/%d/cmdline", (int)pid);
		FILE *f = fopen(path, "r");
		if (!f)
			continue;
		size_t n = fread(buf, 1, sizeof buf - 1, f);
		fclose(f);
		for (size_t i = 0; i < n; i++)
			if (buf[i] == '\0')
				buf[i] = ' ';
		buf[n] = '\0';
		if (strstr(buf, dir))
			kill(pid, SIGKILL);
	}
	if (d)
		closedir(d);
}

static void stage_stop(struct stage *st)
{
	if (st->session > 0) {
		kill(st->session, SIGTERM);
		int status = 0;
		for (int i = 0; i < 200 && waitpid(st->session, &status, WNOHANG) == 0; i++)
			nap(25);
		kill(-st->session, SIGKILL);
		waitpid(st->session, &status, WNOHANG);
		nap(300); /* the kiosk writes its reports as it exits */
		kill_strays(st->dir);
		char rep[2048];
		S_CHECK(st, h_dir_sanitizer_clean(st->dir, rep, sizeof rep), "sanitizer: %s", rep);
	}
	xd_free(st->x);
	e2e_end_gw(st->g, false);
	h_rmtree(st->dir);
	free(st->dir);
	free(st->log);
	free(st->layout);
	memset(st, 0, sizeof *st);
}

/* ---- reading the screen ------------------------------------------------------- */

/* A target from the last frame of the layout dump (cells), false if none. */
static bool target_rect(struct stage *st, int id, int *x, int *y, int *w, int *h)
{
	char *s = e2e_slurp_str(st->layout);
	bool found = false;
	for (char *line = strtok(s, "\n"); line; line = strtok(NULL, "\n")) {
		int tid, a, b, c, d;
		if (sscanf(line, "target %d %d %d %d %d", &tid, &a, &b, &c, &d) == 5 && tid == id) {
			*x = a, *y = b, *w = c, *h = d;
			found = true;
		}
	}
	free(s);
	return found;
}

static int dist(uint32_t a, uint32_t b)
{
	int d = 0;
	for (int s = 0; s < 24; s += 8) {
		int k = (int)((a >> s) & 255) - (int)((b >> s) & 255);
		d += k < 0 ? -k : k;
	}
	return d;
}

/* The colours of a region: its background (the commonest colour) and its
 * ink (the commonest colour that is clearly not the background: the
 * middle of the strokes, not their anti-aliased edges). */
struct colours {
	uint32_t bg, fg;
	int ink; /* pixels of ink */
	int top, bottom; /* rows of the highest and lowest ink pixel (-1: none) */
};

#define MAX_COLOURS 4096
static struct colours region_colours(const struct xd_image *img, int x, int y, int w, int h)
{
	static uint32_t col[MAX_COLOURS];
	static int cnt[MAX_COLOURS];
	int n = 0;
	struct colours c = { 0, 0, 0, -1, -1 };
	for (int yy = y; yy < y + h; yy++)
		for (int xx = x; xx < x + w; xx++) {
			uint32_t p = xd_pixel(img, xx, yy);
			int k = 0;
			while (k < n && col[k] != p)
				k++;
			if (k == n && n < MAX_COLOURS) {
				col[n] = p;
				cnt[n++] = 0;
			}
			if (k < n)
				cnt[k]++;
		}
	int best = 0;
	for (int k = 1; k < n; k++)
		if (cnt[k] > cnt[best])
			best = k;
	c.bg = n ? col[best] : 0;
	int fbest = -1;
	for (int k = 0; k < n; k++)
		if (dist(col[k], c.bg) > 150 && (fbest < 0 || cnt[k] > cnt[fbest]))
			fbest = k;
	c.fg = fbest >= 0 ? col[fbest] : c.bg;
	for (int yy = y; yy < y + h; yy++)
		for (int xx = x; xx < x + w; xx++)
			if (dist(xd_pixel(img, xx, yy), c.bg) > 150) {
				c.ink++;
				if (c.top < 0)
					c.top = yy;
				c.bottom = yy;
			}
	return c;
}

/* The cells (cx, cy, cw x chh) in pixels. */
static struct colours cells(struct stage *st, const struct xd_image *img, int cx, int cy, int w,
                            int h)
{
	return region_colours(img, cx * st->cw, cy * st->ch, w * st->cw, h * st->ch);
}

static double contrast_of(struct colours c)
{
	return xd_contrast(c.fg, c.bg);
}

/* Title, focused button (home item 1), a button (item 2), status bar. */
static void check_contrast(struct stage *st, const struct xd_image *img, double need,
                           const char *what)
{
	int x, y, w, h;
	struct colours t = cells(st, img, 1, 0, 16, 1);
	S_CHECK(st, t.ink > 20, "%s: no text in the title bar", what);
	S_CHECK(st, contrast_of(t) >= need, "%s: title %06x on %06x is %.2f:1, not %.1f", what, t.fg,
	        t.bg, contrast_of(t), need);
	S_CHECK(st, target_rect(st, 0, &x, &y, &w, &h), "%s: no target for home item 1", what);
	struct colours f = cells(st, img, x + 1, y + 1, w - 2, h - 2);
	S_CHECK(st, f.ink > 20 && contrast_of(f) >= need,
	        "%s: focused button %06x on %06x is %.2f:1, not %.1f", what, f.fg, f.bg, contrast_of(f),
	        need);
	S_CHECK(st, target_rect(st, 1, &x, &y, &w, &h), "%s: no target for home item 2", what);
	struct colours b = cells(st, img, x + 1, y + 1, w - 2, h - 2);
	S_CHECK(st, b.ink > 20 && contrast_of(b) >= need, "%s: button %06x on %06x is %.2f:1, not %.1f",
	        what, b.fg, b.bg, contrast_of(b), need);
	S_CHECK(st, f.bg != b.bg, "%s: the focused button has the same fill as the others", what);
	struct colours s = cells(st, img, 0, st->rows - 1, st->cols, 1);
	if (s.ink < 20) /* large mode: 3-row status bar, text in the middle row */
		s = cells(st, img, 0, st->rows - 2, st->cols, 1);
	S_CHECK(st, s.ink > 20 && contrast_of(s) >= need, "%s: status bar %06x on %06x is %.2f:1, not %.1f",
	        what, s.fg, s.bg, contrast_of(s), need);
	fprintf(stderr, "screen: %s contrast: title %.1f, focused %.1f, button %.1f, status %.1f\n", what,
	        contrast_of(t), contrast_of(f), contrast_of(b), contrast_of(s));
}

/* ---- the tests ------------------------------------------------------------------ */

Test(screen, home_contrast_and_touch)
{
	struct stage st;
	if (!stage_start(&st, NULL))
		cr_skip_test("skipped: no X server");
	struct xd_image img;
	shot_stable(&st, &img, 5000);
	save_shot(&img, "home");
	check_contrast(&st, &img, 4.5, "default theme");
	xd_image_free(&img);

	int x, y, w, h;
	S_CHECK(&st, target_rect(&st, 2, &x, &y, &w, &h), "no target for home item 3");
	xd_click(st.x, (x + w / 2) * st.cw, (y + h / 2) * st.ch);
	S_CHECK(&st, wait_log_n(&st, "screen: enter categories", 1, WAIT_MS),
	        "a touch on home button 3 did not open it");
	stage_stop(&st);
}

Test(screen, high_contrast_theme)
{
	struct stage st;
	if (!stage_start(&st, (const char *const[]){ "--theme", "high-contrast", NULL }))
		cr_skip_test("skipped: no X server");
	struct xd_image img;
	shot_stable(&st, &img, 5000);
	check_contrast(&st, &img, 7.0, "high-contrast theme");
	xd_image_free(&img);
	stage_stop(&st);
}

/* Ink height of the title's Chinese and of the clock's digits. */
static void glyph_heights(struct stage *st, const struct xd_image *img, bool large, int *cjk,
                          int *digits)
{
	struct colours t = cells(st, img, 1, 0, 16, 1);
	int clock_row = st->rows - 1 - (large && st->rows >= 12 ? 1 : 0);
	struct colours c = cells(st, img, st->cols - 6, clock_row, 5, 1);
	S_CHECK(st, t.top >= 0 && c.top >= 0, "no ink in the title or the clock");
	*cjk = t.bottom - t.top + 1;
	*digits = c.bottom - c.top + 1;
}

Test(screen, large_text_is_larger)
{
	struct stage st;
	if (!stage_start(&st, NULL))
		cr_skip_test("skipped: no X server");
	struct xd_image img;
	int cjk0, dig0, cjk1, dig1, ch0 = st.ch;
	shot_stable(&st, &img, 5000);
	glyph_heights(&st, &img, false, &cjk0, &dig0);
	xd_image_free(&img);

	xd_key(st.x, "1", NULL); /* home: 大字模式 */
	S_CHECK(&st, wait_log_n(&st, "large mode: font bigger", 1, WAIT_MS), "large mode did not start");
	S_CHECK(&st, wait_log_n(&st, "terminal: ", 2, WAIT_MS), "the grid did not change");
	nap(300);
	S_CHECK(&st, read_grid(&st), "no grid");
	shot_stable(&st, &img, 5000);
	save_shot(&img, "large");
	glyph_heights(&st, &img, true, &cjk1, &dig1);
	fprintf(stderr, "screen: large mode: cell %d -> %d px, Chinese %d -> %d px, digits %d -> %d px\n",
	        ch0, st.ch, cjk0, cjk1, dig0, dig1);
	S_CHECK(&st, cjk1 * 2 >= cjk0 * 3, "Chinese glyphs %d -> %d px: not 1.5 times taller", cjk0, cjk1);
	S_CHECK(&st, dig1 * 2 >= dig0 * 3, "digits %d -> %d px: not 1.5 times taller", dig0, dig1);
	check_contrast(&st, &img, 7.0, "large theme");
	xd_image_free(&img);

	xd_key(st.x, "1", NULL); /* off again */
	S_CHECK(&st, wait_log_n(&st, "large mode: font normal", 1, WAIT_MS), "large mode did not end");
	S_CHECK(&st, wait_log_n(&st, "terminal: ", 3, WAIT_MS), "the grid did not change back");
	nap(300);
	S_CHECK(&st, read_grid(&st) && st.ch == ch0, "the cell is %d px, not %d as before", st.ch, ch0);
	stage_stop(&st);
}

/* The QR in a screenshot, read at full size or scaled (zbar misses very
 * large modules); a new string, or NULL. */
static char *decode_shot(const struct xd_image *img, const char *what)
{
	static const int scale[][2] = { { 1, 1 }, { 1, 2 }, { 2, 5 }, { 3, 10 }, { 1, 4 } };
	for (size_t i = 0; i < sizeof scale / sizeof scale[0]; i++) {
		int w, h;
		unsigned char *g = xd_gray_scaled(img, scale[i][0], scale[i][1], &w, &h);
		size_t len;
		char *data = qr_decode(g, w, h, &len);
		free(g);
		if (data) {
			fprintf(stderr, "screen: %s QR decoded at %d/%d\n", what, scale[i][0], scale[i][1]);
			return data;
		}
	}
	return NULL;
}

/* The QR on the log-in screen, read off the screenshot at full size or
 * scaled (zbar misses very large modules), must be the live one: its user
 * code, approved at the gateway, logs the kiosk in. */
static void login_qr(bool large, int screen_w, int screen_h)
{
	struct stage st;
	if (!stage_start_at(&st, NULL, screen_w, screen_h))
		cr_skip_test("skipped: no X server");
	struct xd_image img;
	int title0 = 0;
	bool small = screen_w < 1920;
	if (large) {
		shot_stable(&st, &img, 5000);
		struct colours t = cells(&st, &img, 1, 0, 16, 1);
		title0 = t.bottom - t.top + 1;
		xd_image_free(&img);
		xd_key(st.x, "1", NULL);
		S_CHECK(&st, wait_log_n(&st, "terminal: ", 2, WAIT_MS), "large mode: the grid did not change");
	}
	int grids = log_count(&st, "terminal: ");
	xd_key(st.x, "4", NULL); /* home: 扫码登录 */
	S_CHECK(&st, wait_log_n(&st, "login: QR code shown", 1, WAIT_MS), "no QR code");
	if (large) /* the log-in screen asks for a size the QR fits at */
		S_CHECK(&st, wait_log_n(&st, "terminal: ", grids + 1, WAIT_MS), "the font did not change");
	nap(500);
	S_CHECK(&st, read_grid(&st), "no grid");
	shot_stable(&st, &img, 5000);
	if (!small)
		save_shot(&img, large ? "login-large" : "login");
	/* Large mode on a full HD screen: still large text beside the QR (the
	 * title 1.5 times taller). On a small one the QR does not fit at that
	 * size: the normal size comes back for it. */
	if (large && !small) {
		struct colours t = cells(&st, &img, 1, 0, 8, 1);
		int title1 = t.bottom - t.top + 1;
		fprintf(stderr, "screen: log-in in large mode: title %d -> %d px, grid %dx%d\n", title0, title1,
		        st.cols, st.rows);
		S_CHECK(&st, title1 * 2 >= title0 * 3, "log-in title %d -> %d px: not 1.5 times taller", title0,
		        title1);
		S_CHECK(&st, log_count(&st, "QR code does not fit") == 0, "the QR did not fit");
	}
	if (large && small) {
		S_CHECK(&st, wait_log_n(&st, "QR code does not fit", 1, WAIT_MS), "no step down to the normal size");
		S_CHECK(&st, wait_log_n(&st, "terminal: ", grids + 2, WAIT_MS), "the font did not change again");
		nap(500);
		xd_image_free(&img);
		shot_stable(&st, &img, 5000);
	}
	char *url = decode_shot(&img, "log-in");
	xd_image_free(&img);
	S_CHECK(&st, url, "the QR on the screen does not decode");
	static const char prefix[] = "https://gov.example.cn/d?c=";
	S_CHECK(&st, !strncmp(url, prefix, sizeof prefix - 1), "the QR holds %s", url);
	char *path = e2e_fmt("/sim/device/%s/approve", url + sizeof prefix - 1);
	char *resp = NULL;
	int status = gwd_post(st.g, path, NULL, &resp);
	S_CHECK(&st, status == 200, "approving %s: %d %s", path, status, resp ? resp : "");
	S_CHECK(&st, wait_log_n(&st, "session: started", 1, WAIT_MS), "the approved QR did not log in");
	free(resp);
	free(path);
	free(url);
	stage_stop(&st);
}

Test(screen, login_qr_decodes) { login_qr(false, 1920, 1080); }
Test(screen, login_qr_decodes_in_large_mode) { login_qr(true, 1920, 1080); }
Test(screen, login_qr_decodes_in_large_mode_on_a_small_screen) { login_qr(true, 1280, 720); }

/* The payment QR, read off the pixels as the citizen's phone reads it: a
 * payload for the bill's amount (emv_check), in normal and large mode. */
static void payment_qr(bool large)
{
	struct stage st;
	if (!stage_start(&st, NULL))
		cr_skip_test("skipped: no X server");
	if (large) {
		xd_key(st.x, "1", NULL);
		S_CHECK(&st, wait_log_n(&st, "terminal: ", 2, WAIT_MS), "large mode: the grid did not change");
	}
	xd_key(st.x, "5", NULL); /* 生活缴费 */
	S_CHECK(&st, wait_log_n(&st, "screen: enter bills", 1, WAIT_MS), "no bills screen");
	xd_key(st.x, "1", NULL); /* water */
	S_CHECK(&st, wait_log_n(&st, "screen: enter account", 1, WAIT_MS), "no account screen");
	for (const char *d = "3101000001"; *d; d++) {
		char k[2] = { *d, 0 };
		xd_key(st.x, k, NULL);
		nap(80);
	}
	xd_key(st.x, "Return", NULL);
	S_CHECK(&st, wait_log_n(&st, "GET /v1/bills", 1, WAIT_MS), "no lookup");
	nap(300);
	xd_key(st.x, "1", NULL);
	S_CHECK(&st, wait_log_n(&st, "screen: enter pay", 1, WAIT_MS), "no pay screen");
	nap(500); /* a person reads the amount (a press in the first 300 ms is a double tap) */
	xd_key(st.x, "1", NULL);
	S_CHECK(&st, wait_log_n(&st, "payment: QR code shown", 1, WAIT_MS), "no payment QR");
	nap(800);
	struct xd_image img;
	shot_stable(&st, &img, 5000);
	save_shot(&img, large ? "pay-large" : "pay");
	char *data = decode_shot(&img, "payment");
	xd_image_free(&img);
	S_CHECK(&st, data, "the payment QR on the screen does not decode");
	char *resp = NULL;
	S_CHECK(&st, gwd_get(st.g, "/sim/payments", &resp) == 200, "/sim/payments");
	json_t *j = json_loads(resp, 0, NULL);
	long long amount = json_integer_value(
		json_object_get(json_array_get(json_object_get(j, "payments"), 0), "amount_fen"));
	json_decref(j);
	free(resp);
	enum emv_error e = emv_check(data, amount, NULL);
	S_CHECK(&st, e == EMV_OK, "the payment QR is no payload for %lld fen: %s (%s)", amount, emv_error_name(e),
	        data);
	free(data);
	stage_stop(&st);
}

Test(screen, payment_qr_decodes) { payment_qr(false); }
Test(screen, payment_qr_decodes_in_large_mode) { payment_qr(true); }

/* A service's page, for the screenshots in docs/ (and: it is reachable by
 * touch, and shows). */
Test(screen, service_page)
{
	struct stage st;
	if (!stage_start(&st, NULL))
		cr_skip_test("skipped: no X server");
	xd_key(st.x, "3", NULL);
	S_CHECK(&st, wait_log_n(&st, "screen: enter categories", 1, WAIT_MS), "no categories");
	xd_key(st.x, "1", NULL);
	S_CHECK(&st, wait_log_n(&st, "screen: enter services", 1, WAIT_MS), "no services");
	xd_key(st.x, "1", NULL);
	S_CHECK(&st, wait_log_n(&st, "screen: enter service", 2, WAIT_MS), "no service");
	S_CHECK(&st, wait_log_n(&st, "GET /v1/services/", 1, WAIT_MS), "no service details");
	nap(300);
	struct xd_image img;
	shot_stable(&st, &img, 5000);
	save_shot(&img, "service");
	struct colours t = cells(&st, &img, 1, 0, 16, 1);
	S_CHECK(&st, t.ink > 20, "the service page has no title");
	xd_image_free(&img);
	stage_stop(&st);
}

/* The cells of row cy (cx .. cx + n - 1) whose bottom rows carry a line of
 * ink across the cell (an underline): a bit per cell in out. */
static void underlined_cells(struct stage *st, const struct xd_image *img, int cx, int cy, int n,
                             bool *out)
{
	for (int k = 0; k < n; k++) {
		out[k] = false;
		int x0 = (cx + k) * st->cw, y0 = cy * st->ch;
		struct colours c = region_colours(img, x0, y0, st->cw, st->ch);
		/* a pixel row in the lowest quarter of the cell inked across */
		for (int yy = y0 + st->ch * 3 / 4; yy < y0 + st->ch && !out[k]; yy++) {
			int ink = 0;
			for (int xx = x0; xx < x0 + st->cw; xx++)
				ink += dist(xd_pixel(img, xx, yy), c.bg) > 150;
			out[k] = ink * 10 >= st->cw * 9;
		}
	}
}

/* What a search matched is marked by more than colour: gjjtq over
 * 住房公积金提取 underlines 公积金提取 and not 住房, in the pixels xterm
 * draws. */
Test(screen, search_match_is_underlined)
{
	struct stage st;
	if (!stage_start(&st, NULL))
		cr_skip_test("skipped: no X server");
	const char *keys[] = { "g", "j", "j", "t", "q" };
	for (int i = 0; i < 5; i++)
		xd_key(st.x, keys[i], NULL);
	S_CHECK(&st, wait_log_n(&st, "screen: enter search", 1, WAIT_MS), "typing did not open the search");
	nap(600);
	struct xd_image img;
	shot_stable(&st, &img, 5000);
	save_shot(&img, "search");
	int x, y, w, h;
	S_CHECK(&st, target_rect(&st, 0, &x, &y, &w, &h), "no result 1 in the layout dump");
	/* The label's row and first cell, as ui_button draws it: a frame and
	 * a blank, or not; the marker and "1 " before the label. */
	bool boxed = h >= 3 && w >= 8;
	int room = (h - (boxed ? 2 : 0)) >= 2 ? 2 : 1;
	int row = y + (h - room) / 2, label = x + (boxed ? 2 : 0) + 3;
	bool u[14];
	underlined_cells(&st, &img, label, row, 14, u);
	char got[15];
	for (int k = 0; k < 14; k++)
		got[k] = u[k] ? 'U' : '.';
	got[14] = 0;
	/* 住房 (4 cells) plain, 公积金提取 (10 cells) underlined */
	S_CHECK(&st, !strcmp(got, "....UUUUUUUUUU"),
	        "underlined cells of result 1 from its label: %s (want ....UUUUUUUUUU)", got);
	xd_image_free(&img);
	stage_stop(&st);
}

/* Keys the kiosk does not know, as xterm encodes them with modifiers: the
 * screen (status bar aside: it has a clock) must not change at all. */
Test(screen, unknown_keys_change_nothing)
{
	struct stage st;
	if (!stage_start(&st, NULL))
		cr_skip_test("skipped: no X server");
	static const char *const keys[][2] = {
		{ "KP_Add", "ctrl" },      { "KP_Add", "shift" },     { "KP_Add", NULL },
		{ "KP_Subtract", "ctrl" }, { "KP_Subtract", NULL },   { "KP_Enter", "ctrl" },
		{ "KP_Enter", "shift" },   { "equal", "ctrl" },       { "minus", "ctrl" },
		{ "plus", "ctrl shift" },  { "Return", "ctrl shift" }, { "Return", "alt" },
		{ "1", "alt" },            { "5", "ctrl" },           { "F5", "ctrl" },
		{ "F2", "shift" },         { "Up", "ctrl" },          { "Down", "shift" },
		{ "Left", "alt" },         { "Right", "ctrl shift" },  { "Home", "ctrl" },
		{ "End", "shift" },        { "Prior", "ctrl" },       { "Next", "shift" },
		{ "Insert", NULL },        { "Delete", NULL },        { "F12", NULL },
		{ "Tab", "ctrl" },         { "space", "ctrl" },       { "Escape", "alt" },
	};
	struct xd_image before, after;
	shot_stable(&st, &before, 5000);
	int sbar = (st.rows - 1) * st.ch;
	for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
		xd_key(st.x, keys[i][0], keys[i][1]);
		nap(150);
		shot_stable(&st, &after, 3000);
		bool changed = xd_differs(&before, &after, 0, 0, before.w, sbar);
		if (changed)
			save_shot(&after, "leaked-key");
		S_CHECK(&st, !changed, "%s%s%s changed the screen", keys[i][1] ? keys[i][1] : "",
		        keys[i][1] ? "+" : "", keys[i][0]);
		xd_image_free(&after);
	}
	xd_image_free(&before);
	S_CHECK(&st, log_count(&st, "screen: enter") == 1, "a key opened a screen");
	stage_stop(&st);
}

/* ---- large mode where the font cannot change ------------------------------------ */

/* The terminal ignores the font request (libvterm here, like a terminal
 * without font operations, or large_font = none): the grid stays as it
 * was, and large mode must then make nothing smaller than normal mode did:
 * each home button at least as wide and as tall, the status bar's actions
 * at least as big. */
struct frame_targets {
	int n;
	int id[64], w[64], h[64];
};

static void last_frame(const char *path, struct frame_targets *ft)
{
	char *s = e2e_slurp_str(path);
	memset(ft, 0, sizeof *ft);
	for (char *line = strtok(s, "\n"); line; line = strtok(NULL, "\n")) {
		int id, x, y, w, h;
		if (!strncmp(line, "screen ", 7))
			ft->n = 0;
		else if (sscanf(line, "target %d %d %d %d %d", &id, &x, &y, &w, &h) == 5 && ft->n < 64) {
			ft->id[ft->n] = id;
			ft->w[ft->n] = w;
			ft->h[ft->n] = h;
			ft->n++;
		}
	}
	free(s);
}

static void same_grid_not_smaller(const char *font_hook)
{
	char dir[512] = "";
	e2e_scratch_dir(dir, sizeof dir, "screen-vt");
	char *layout = e2e_fmt("%s/layout", dir);
	setenv("KIOSK_LAYOUT_DUMP", layout, 1);
	struct gwd *g = e2e_start_gateway(NULL);
	struct harness *h = e2e_start_home(g, gwd_url(g), 147, 40,
	                                   (const char *const[]){ "--large-font", font_hook, NULL }, WAIT_MS);
	unsetenv("KIOSK_LAYOUT_DUMP");
	e2e_expect(h, g, "4 扫码登录", WAIT_MS, "home");
	h_settle(h, 300, 3000);
	struct frame_targets normal, large;
	last_frame(layout, &normal);
	h_type(h, "1");
	e2e_expect(h, g, "大字模式：开", WAIT_MS, "large mode on");
	h_settle(h, 500, 3000);
	last_frame(layout, &large);
	int compared = 0;
	for (int i = 0; i < large.n; i++)
		for (int k = 0; k < normal.n; k++) {
			if (normal.id[k] != large.id[i])
				continue;
			compared++;
			E2E_CHECK(h, g, large.w[i] >= normal.w[k] && large.h[i] >= normal.h[k],
			          "large_font %s: target %d is %dx%d in large mode, %dx%d in normal mode",
			          font_hook, large.id[i], large.w[i], large.h[i], normal.w[k], normal.h[k]);
		}
	E2E_CHECK(h, g, compared >= 4, "only %d targets in both modes", compared);
	e2e_finish(h, g);
	free(layout);
	e2e_rm_rf(dir);
}

Test(screen, large_mode_without_a_font_change_makes_nothing_smaller)
{
	same_grid_not_smaller("none");
	same_grid_not_smaller("xft:DejaVu Sans Mono:16:32"); /* libvterm ignores it */
}

/* ---- kiosk-session: what is missing is said, and the kiosk's status kept ---------- */

/* Runs kiosk-session on the display with env (space-separated K=V) and
 * args; returns its exit status, stderr in *err. */
static int session_run(struct xdisp *x, const char *env, const char *args, char **err)
{
	char dir[512] = "";
	e2e_scratch_dir(dir, sizeof dir, "screen-session");
	char *errf = e2e_fmt("%s/err", dir);
	char *cmd = e2e_fmt("env DISPLAY=%s KIOSK_SESSION_CONF=/dev/null KIOSK_BIN=%s %s %s %s 2>%s "
	                    ">/dev/null </dev/null",
	                    xd_name(x), h_kiosk_bin(), env, session_script(), args, errf);
	int st = system(cmd);
	*err = e2e_slurp_str(errf);
	free(cmd);
	free(errf);
	e2e_rm_rf(dir);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

Test(screen, session_says_what_is_missing)
{
	char why[256], *err;
	struct xdisp *x = xd_start(800, 600, why, sizeof why);
	if (!x) {
		fprintf(stderr, "screen: skipped: no X server (%s)\n", why);
		cr_skip_test("skipped: no X server");
	}
	int st = session_run(x, "KIOSK_FONT='No Such Font'", "--gateway http://127.0.0.1:1", &err);
	cr_assert(st == 3 && strstr(err, "No Such Font"), "a missing font: exit %d, said [%s]", st, err);
	free(err);
	/* A PATH with every program but xterm. */
	char bin[512] = "";
	e2e_scratch_dir(bin, sizeof bin, "screen-bin");
	char *mk = e2e_fmt("for f in /usr/bin/* /usr/sbin/*; do [ \"${f##*/}\" = xterm ] || "
	                   "ln -sf \"$f\" '%s'/; done", bin);
	e2e_sh(mk);
	char *path = e2e_fmt("PATH=%s", bin);
	st = session_run(x, path, "--gateway http://127.0.0.1:1", &err);
	cr_assert(st == 3 && strstr(err, "xterm"), "no xterm on PATH: exit %d, said [%s]", st, err);
	free(err);
	free(mk);
	free(path);
	e2e_rm_rf(bin);
	st = session_run(x, "KIOSK_BIN=/nonexistent/kiosk", "", &err);
	cr_assert(st == 3 && strstr(err, "/nonexistent/kiosk"), "no kiosk: exit %d, said [%s]", st, err);
	free(err);
	/* The kiosk's own refusal (a bad flag): its status and its words. */
	st = session_run(x, "", "--gateway http://127.0.0.1:1 --lang xx", &err);
	cr_assert(st == 2 && strstr(err, "lang"), "a bad flag: exit %d, said [%s]", st, err);
	free(err);
	xd_free(x);
}

/* ---- kiosk.service's chain: systemd → kiosk-session → xterm → kiosk ---------------- */

/* The kiosk process of this stage (its command name is "kiosk" and its
 * command line names the stage's folder), or -1. */
static pid_t stage_kiosk_pid(struct stage *st)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	pid_t found = -1;
	while (d && (e = readdir(d)) && found < 0) {
		pid_t pid = (pid_t)atoi(e->d_name);
		if (pid <= 1)
			continue;
		char path[64], comm[64] = "", buf[4096];
		snprintf(path, sizeof path, "/proc/%d/comm", (int)pid);
		FILE *f = fopen(path, "r");
		if (!f)
			continue;
		if (!fgets(comm, sizeof comm, f))
			comm[0] = '\0';
		fclose(f);
		if (strcmp(comm, "kiosk\n") != 0)
			continue;
		snprintf(path, sizeof path, "/proc/%d/cmdline", (int)pid);
		f = fopen(path, "r");
		if (!f)
			continue;
		size_t n = fread(buf, 1, sizeof buf - 1, f);
		fclose(f);
		for (size_t i = 0; i < n; i++)
			if (buf[i] == '\0')
				buf[i] = ' ';
		buf[n] = '\0';
		if (strstr(buf, st->dir))
			found = pid;
	}
	if (d)
		closedir(d);
	return found;
}

/* What kiosk.service (Type=notify, NotifyAccess=all, WatchdogSec=) relies
 * on, through the real kiosk-session and xterm: NOTIFY_SOCKET and
 * WATCHDOG_USEC reach the kiosk, WATCHDOG_PID (systemd sets it to the
 * unit's main process, the session's shell) does not stop the pings, the
 * pings stop when the kiosk hangs (SIGSTOP), and a crash (SIGKILL) ends
 * kiosk-session at once with a failing status, for Restart=always. */
Test(screen, session_tells_the_supervisor_through_xterm)
{
	struct notify_listener ls;
	notify_listen(&ls);
	char wpid[48];
	snprintf(wpid, sizeof wpid, "WATCHDOG_PID=%d", (int)getpid()); /* not the kiosk's */
	const char *env[] = { ls.env, "WATCHDOG_USEC=400000", wpid, NULL };
	struct stage st;
	stage_env = env;
	bool up = stage_start(&st, NULL);
	stage_env = NULL;
	if (!up) {
		notify_close(&ls);
		cr_skip_test("skipped: no X server");
	}
	S_CHECK(&st, notify_wait_ready(&ls, NULL, WAIT_MS), "no READY=1 came through kiosk-session and xterm");
	ls.watchdog = 0;
	notify_drain(&ls, NULL, 2000);
	S_CHECK(&st, ls.watchdog >= 5, "%d pings in 2 s through kiosk-session (WATCHDOG_PID dropped?)",
	        ls.watchdog);
	pid_t k = stage_kiosk_pid(&st);
	S_CHECK(&st, k > 0, "no kiosk process under kiosk-session");

	kill(k, SIGSTOP); /* hung, as the manager sees it */
	notify_drain(&ls, NULL, 300);
	ls.watchdog = 0;
	notify_drain(&ls, NULL, 1500);
	int hung = ls.watchdog;
	kill(k, SIGCONT);
	S_CHECK(&st, hung == 0, "%d pings while the kiosk was stopped", hung);

	/* A crash: kiosk-session ends with it. */
	kill(k, SIGKILL);
	long long t0 = e2e_now_ms();
	int status = 0;
	pid_t r = 0;
	while ((r = waitpid(st.session, &status, WNOHANG)) == 0 && e2e_now_ms() - t0 < WAIT_MS)
		nap(20);
	S_CHECK(&st, r == st.session, "kiosk-session still runs %d ms after the kiosk was killed",
	        (int)(e2e_now_ms() - t0));
	fprintf(stderr, "screen: kiosk-session ended %lld ms after the kiosk's SIGKILL, status %#x\n",
	        e2e_now_ms() - t0, status);
	S_CHECK(&st, WIFEXITED(status) && WEXITSTATUS(status) != 0,
	        "kiosk-session's status after a crash is %#x: systemd would not see a failure", status);
	st.session = 0; /* reaped; the SIGKILLed kiosk left no report to check */
	kill_strays(st.dir);
	stage_stop(&st);
	notify_close(&ls);
}
