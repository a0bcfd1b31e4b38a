/* test_login.c: logging in and out (suite "login").
 *
 * Each test starts its own gatewayd (--demo --sim) and drives the real kiosk
 * in a pty. Citizens log in the three ways a kiosk offers: a login code fed
 * to a scanner (fifo:PATH, or a QR picture dropped into images:DIR), the
 * device flow (the QR on the screen is read back off the terminal's cells,
 * decoded with libzbar, and approved or denied through /sim/device/), and
 * the demo keys (F5, F6). Sessions end by F9, by the home item, and by the
 * idle timeout.
 *
 * What is checked is behaviour, never speed: waits are generous (15 s).
 * After every step the screen must be clean; a full name, full ID number or
 * full phone number of a demo citizen must never be on the screen (checked
 * on every chunk of output the kiosk writes while a test waits). At the end
 * the kiosk is stopped with SIGTERM and must exit 0; neither it nor the
 * gateway may have written a sanitizer report; and no file the kiosk wrote
 * (kiosk.log, stderr.log, data/) nor the gateway's log may hold a token, a
 * login code, a user code, or a citizen's name or ID number.
 *
 * Not checked: that ending a session sends ESC [ 3 J (scrollback clear) to
 * the terminal. The harness keeps no copy of the raw output (only
 * h_bytes_out, a count), and libvterm's screen has no scrollback to look at.
 *
 * Screen texts are the zh_CN ones (locale/zh_CN.po), the kiosk's default.
 */
#include "e2e.h"
#include "harness/gwd.h"
#include "harness/harness.h"

#include <criterion/criterion.h>
#include <jansson.h>
#include <qrencode.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define WAIT_MS 15000  /* anything that depends on the network or a timer */
#define QUICK_MS 3000  /* a key's effect */

static void suite_fini(void);
TestSuite(login, .timeout = 180, .fini = suite_fini);

/* ---- what the screen says (zh_CN) ------------------------------------------ */

#define T_HOME          "政务服务自助终端"
#define T_LOGIN_TITLE   "扫码登录"
#define T_WAY1          "方式一：扫手机上的登录码"
#define T_VALID         "二维码有效期还剩 "
#define T_WAITING       "正在等待手机确认……"
#define T_WELCOME       "登录成功，欢迎您，" /* + display name + "。" */
#define T_STATUS_OUT    "[F9] 退出登录 "     /* + display name */
#define T_LOGGED_OUT    "您已安全退出，感谢使用。"
#define T_IDLE_Q        "您还在吗？"
#define T_IDLE_TAIL     " 秒后将自动退出登录。"
#define T_IDLE_OUT      "由于长时间未操作，已为您自动退出登录。"
#define T_ME_TITLE      "我的信息"
#define T_MINE_TITLE    "我的办件"
#define T_DENIED        "已在手机上拒绝登录"
#define T_EXPIRED       "二维码已过期"
#define T_ITEM_LOGIN    "4 扫码登录"
#define T_ITEM_LOGOUT   "4 退出登录"
#define T_SUB_MINE      "办件进度、电子证照" /* home item 7's second line */
#define VERIFY_PREFIX   "https://gov.example.cn/d?c="

/* ---- the demo citizens (docs/gateway-api.md, gateway/demo_data.c) ----------- */

struct citizen {
	const char *id, *name, *display, *idno, *id_masked, *phone, *phone_masked;
};

static const struct citizen citizens[] = {
	{ "cit-zhang", "张三", "张*", "11010519850313123X", "1101**********123X", "13800138000", "138****8000" },
	{ "cit-wang", "王芳", "王*", "310104199208210467", "3101**********0467", "13916802468", "139****2468" },
	{ "cit-li", "李秀英", "李*英", "420106194104170283", "4201**********0283", "15927041941", "159****1941" },
	{ "cit-ouyang", "欧阳建国", "欧**国", "440106196910015176", "4401**********5176", "18620691001", "186****1001" },
	{ "cit-aygul", "阿依古丽·买买提", "阿***·**提", "650102199605202247", "6501**********2247", "13609915520", "136****5520" },
};
#define N_CITIZENS (sizeof citizens / sizeof citizens[0])

static const struct citizen *citizen(const char *id)
{
	for (size_t i = 0; i < N_CITIZENS; i++)
		if (!strcmp(citizens[i].id, id))
			return &citizens[i];
	cr_assert_fail("no demo citizen %s", id);
	return NULL;
}

/* ---- secrets this test has seen (must never reach a log) -------------------- */

static char secrets[32][160];
static int n_secrets;

static void secret_add(const char *s)
{
	if (s && *s && n_secrets < (int)(sizeof secrets / sizeof secrets[0]))
		snprintf(secrets[n_secrets++], sizeof secrets[0], "%s", s);
}

/* ---- scratch folder for FIFOs and pictures ---------------------------------- */

static char scratch[512];

static const char *scratch_dir(void)
{
	return e2e_scratch_dir(scratch, sizeof scratch, "login");
}

static void scratch_done(void)
{
	e2e_rm_rf(scratch);
	scratch[0] = '\0';
}

static void suite_fini(void)
{
	scratch_done();
}

/* ---- the screen must never show a full name, ID or phone number -------------- */

static const char *forbidden_seen;
static char forbidden_screen[8192];

static void guard(struct harness *h)
{
	if (forbidden_seen)
		return;
	for (size_t i = 0; i < N_CITIZENS; i++) {
		const char *what[] = { citizens[i].name, citizens[i].idno, citizens[i].phone };
		for (size_t k = 0; k < 3; k++) {
			if (h_find(h, what[k], NULL, NULL)) {
				char *t = h_screen_text(h);
				forbidden_seen = what[k];
				snprintf(forbidden_screen, sizeof forbidden_screen, "%s", t);
				free(t);
				return;
			}
		}
	}
}

/* ---- failing with evidence -------------------------------------------------- */

/* e2e_clean fails on what guard saw; a failed check shows that screen. */
static const char *guard_hook(struct harness *h)
{
	guard(h);
	return forbidden_seen;
}

static void dump_hook(void)
{
	if (forbidden_seen)
		fprintf(stderr, "---- screen that showed \"%s\" ----\n%s\n----\n", forbidden_seen,
		        forbidden_screen);
}

/* ---- waiting ----------------------------------------------------------------- */

static void settle(struct harness *h, struct gwd *g, const char *step)
{
	h_settle(h, 150, 2000);
	e2e_clean(h, g, step);
}

/* ---- gateway and kiosk -------------------------------------------------------- */

static struct harness *start_kiosk(struct gwd *g, int cols, int rows, const char *const extra[])
{
	e2e_set_hooks(guard_hook, dump_hook);
	struct harness *h = e2e_start_home(g, gwd_url(g), cols, rows, extra, WAIT_MS);
	e2e_expect(h, g, T_ITEM_LOGIN, WAIT_MS, "start: home item 4 logs in");
	E2E_CHECK(h, g, !e2e_row_has(h, -1, "[F9]"), "start: someone is logged in already");
	return h;
}

/* ---- the files: no secret may be in them --------------------------------------- */

static const char *mem_find(const char *hay, size_t n, const char *needle)
{
	size_t k = strlen(needle);
	if (!k || k > n)
		return NULL;
	for (size_t i = 0; i + k <= n; i++)
		if (hay[i] == needle[0] && !memcmp(hay + i, needle, k))
			return hay + i;
	return NULL;
}

static bool b64url(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
	       c == '_';
}

enum scan_kind {
	SCAN_LOG,   /* a log: everything, and no long base64url run (a token) */
	SCAN_DATA,  /* a cache: everything but the run rule */
	SCAN_DB,    /* the gateway's database: it holds the demo citizens; only secrets */
};

/* What is wrong with a file, or NULL (static buffer). */
static const char *file_problem(const char *path, enum scan_kind kind)
{
	static char why[600];
	size_t n = 0;
	char *buf = e2e_slurp(path, &n);
	const char *bad = NULL, *at = NULL;
	if (!buf)
		return NULL;
	for (int i = 0; i < n_secrets && !bad; i++)
		if ((at = mem_find(buf, n, secrets[i])))
			bad = secrets[i];
	if (!bad && kind != SCAN_DB) {
		static const char *const fixed[] = { "GOVLOGIN", "Bearer ", "access_token", "device_code\":" };
		for (size_t i = 0; i < sizeof fixed / sizeof fixed[0] && !bad; i++)
			if ((at = mem_find(buf, n, fixed[i])))
				bad = fixed[i];
		for (size_t i = 0; i < N_CITIZENS && !bad; i++) {
			const char *what[] = { citizens[i].name, citizens[i].idno, citizens[i].phone,
			                       citizens[i].display, citizens[i].id_masked,
			                       citizens[i].phone_masked };
			for (size_t k = 0; k < 6 && !bad; k++)
				if ((at = mem_find(buf, n, what[k])))
					bad = what[k];
		}
	}
	if (!bad && kind == SCAN_LOG) {
		size_t run = 0;
		for (size_t i = 0; i < n && !bad; i++) {
			run = b64url(buf[i]) ? run + 1 : 0;
			if (run == 40) {
				at = buf + i - 39;
				bad = "a 40+ character base64url run (a token?)";
			}
		}
	}
	if (bad) {
		const char *ls = at, *le = at;
		while (ls > buf && ls[-1] != '\n' && at - ls < 200)
			ls--;
		while (le < buf + n && *le != '\n' && le - at < 200)
			le++;
		snprintf(why, sizeof why, "%.200s holds %.160s: line \"%.*s\"", path, bad, (int)(le - ls), ls);
	}
	free(buf);
	return bad ? why : NULL;
}

static const char *dir_problem(const char *dir, bool gateway, int depth)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	const char *bad = NULL;
	if (!d)
		return NULL;
	while (!bad && (e = readdir(d))) {
		char path[4096];
		struct stat st;
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
		if (lstat(path, &st) != 0)
			continue;
		if (S_ISDIR(st.st_mode)) {
			if (depth < 3)
				bad = dir_problem(path, gateway, depth + 1);
			continue;
		}
		if (!S_ISREG(st.st_mode))
			continue;
		enum scan_kind kind = SCAN_DATA;
		if (gateway && !strncmp(e->d_name, "gw.db", 5))
			kind = SCAN_DB;
		else if (strstr(e->d_name, ".log") || !strncmp(e->d_name, "asan.", 5) ||
		         !strncmp(e->d_name, "ubsan.", 6))
			kind = SCAN_LOG;
		bad = file_problem(path, kind);
	}
	closedir(d);
	return bad;
}

/* SIGTERM: the kiosk exits 0; no sanitizer reports; no secret in any file
 * of either; frees both. had_session: whether kiosk.log must (or must not)
 * say that a session started. */
static void finish(struct harness *h, struct gwd *g, bool had_session)
{
	const char *bad;

	e2e_stop(h, g);
	if (had_session)
		E2E_CHECK(h, g, e2e_log_lines(h, "session: started") >= 1, "kiosk.log does not say a session started");
	else
		E2E_CHECK(h, g, e2e_log_lines(h, "session: started") == 0, "kiosk.log says a session started");
	bad = dir_problem(h_tmpdir(h), false, 0);
	E2E_CHECK(h, g, !bad, "a secret in the kiosk's files: %s", bad);
	bad = dir_problem(gwd_tmpdir(g), true, 0);
	E2E_CHECK(h, g, !bad, "a secret in the gateway's files: %s", bad);
	h_free(h);
	gwd_free(g);
	scratch_done();
}

/* ---- the gateway's side ---------------------------------------------------------- */

/* A fresh one-time login code of a demo citizen, as the phone shows it. */
static void citizen_code(struct gwd *g, const char *cit, char *out, size_t n)
{
	e2e_citizen_code(g, cit, out, n);
	secret_add(out);
	if (strchr(out, ':'))
		secret_add(strchr(out, ':') + 1);
}

/* The masked citizen as the gateway really sends it at log-in (a session of
 * our own, by scan): checked against the documented demo data. */
static void gateway_masked(struct gwd *g, const struct citizen *c)
{
	char code[128], body[256];
	citizen_code(g, c->id, code, sizeof code);
	snprintf(body, sizeof body, "{\"code\":\"%s\"}", code);
	json_t *j = e2e_post_json(g, "/v1/auth/scan", body, 200);
	json_t *cj = json_object_get(j, "citizen");
	const char *tok = json_string_value(json_object_get(j, "access_token"));
	const char *dn = json_string_value(json_object_get(cj, "display_name"));
	const char *im = json_string_value(json_object_get(cj, "id_masked"));
	const char *pm = json_string_value(json_object_get(cj, "phone_masked"));
	secret_add(tok);
	cr_assert(dn && !strcmp(dn, c->display), "%s: display_name %s, documented %s", c->id, dn, c->display);
	cr_assert(im && !strcmp(im, c->id_masked), "%s: id_masked %s, documented %s", c->id, im, c->id_masked);
	cr_assert(pm && !strcmp(pm, c->phone_masked), "%s: phone_masked %s, documented %s", c->id, pm,
	          c->phone_masked);
	json_decref(j);
}

/* ---- scanners ---------------------------------------------------------------------- */

/* The code as a QR picture: P5, 4 px a module, a 4-module quiet zone. */
static void write_qr_pgm(const char *dir, const char *code)
{
	QRcode *qr = QRcode_encodeData((int)strlen(code), (const unsigned char *)code, 0, QR_ECLEVEL_M);
	cr_assert_not_null(qr, "QRcode_encodeData: %s", strerror(errno));
	const int scale = 4, quiet = 4;
	int mods = qr->width + 2 * quiet, side = mods * scale;
	char tmp[1024], final[1024];
	snprintf(tmp, sizeof tmp, "%.900s/.tmp", dir);
	snprintf(final, sizeof final, "%.900s/code.pgm", dir);
	FILE *f = fopen(tmp, "wb");
	cr_assert_not_null(f, "%s: %s", tmp, strerror(errno));
	fprintf(f, "P5\n%d %d\n255\n", side, side);
	for (int y = 0; y < side; y++) {
		for (int x = 0; x < side; x++) {
			int mx = x / scale - quiet, my = y / scale - quiet;
			bool dark = mx >= 0 && my >= 0 && mx < qr->width && my < qr->width &&
			            (qr->data[my * qr->width + mx] & 1);
			fputc(dark ? 0 : 255, f);
		}
	}
	cr_assert_eq(fclose(f), 0);
	QRcode_free(qr);
	cr_assert_eq(rename(tmp, final), 0, "rename: %s", strerror(errno));
}

/* ---- reading the log-in screen -------------------------------------------------------- */

/* What the log-in screen shows once it has a code: the QR (decoded), the
 * user code (spaced letters or big glyphs), and which of the two forms. */
struct shown {
	struct e2e_qr qr;
	char code[16]; /* "XPHL-TMQV" */
	bool big;      /* in big glyphs (else spaced letters) */
};

static void user_code_from_url(const char *url, char out[16])
{
	out[0] = '\0';
	if (strncmp(url, VERIFY_PREFIX, strlen(VERIFY_PREFIX)) != 0)
		return;
	const char *c = url + strlen(VERIFY_PREFIX);
	if (strlen(c) != 8)
		return;
	snprintf(out, 16, "%.4s-%.4s", c, c + 4);
}

static void read_login_screen(struct harness *h, struct gwd *g, struct shown *s, const char *step)
{
	int col = -1;
	memset(s, 0, sizeof *s);
	e2e_expect(h, g, T_WAITING, WAIT_MS, step);
	e2e_expect(h, g, T_VALID, WAIT_MS, step);
	E2E_CHECK(h, g, h_find(h, T_WAY1, &col, NULL), "%s: no \"%s\"", step, T_WAY1);
	/* A frame may come in several chunks: read again until it decodes. */
	bool ok = false;
	int cols, rows;
	h_size(h, &cols, &rows);
	for (int i = 0; i < 5 && !ok; i++) {
		settle(h, g, step);
		ok = e2e_read_qr(h, 0, 0, col, rows, &s->qr);
	}
	E2E_CHECK(h, g, ok, "%s: no QR code read off the screen: %s", step, s->qr.why);
	E2E_CHECK(h, g, s->qr.left + s->qr.cols <= col, "%s: the QR is not left of the text", step);
	char from_url[16];
	user_code_from_url(s->qr.data, from_url);
	E2E_CHECK(h, g, from_url[0], "%s: the QR says \"%s\", not %s<8 letters>", step, s->qr.data, VERIFY_PREFIX);
	char big[16];
	int big_col = -1;
	if (e2e_spaced_code(h, s->code, NULL, NULL)) {
		s->big = false;
	} else {
		E2E_CHECK(h, g, e2e_read_big_code(h, big, &big_col, NULL) && !strcmp(big, from_url) && big_col >= col,
		      "%s: the user code %s is neither spaced out nor in big glyphs beside the QR", step,
		      from_url);
		snprintf(s->code, sizeof s->code, "%s", from_url);
		s->big = true;
	}
	/* The QR is verification_uri + "?c=" + the user code without its hyphen. */
	char want[64];
	snprintf(want, sizeof want, "%s%.4s%.4s", VERIFY_PREFIX, s->code, s->code + 5);
	E2E_CHECK(h, g, !strcmp(s->qr.data, want), "%s: the QR says \"%s\", the screen's code gives \"%s\"",
	      step, s->qr.data, want);
	secret_add(s->code);
	char bare[16];
	snprintf(bare, sizeof bare, "%.4s%.4s", s->code, s->code + 5);
	secret_add(bare);
}

/* ---- logged in, logged out ------------------------------------------------------------ */

static void expect_logged_in(struct harness *h, struct gwd *g, const struct citizen *c,
                             bool on_home, const char *step)
{
	char buf[256];
	snprintf(buf, sizeof buf, "%s%s", T_STATUS_OUT, c->display);
	e2e_expect_row(h, g, -1, buf, WAIT_MS, step);
	snprintf(buf, sizeof buf, "%s%s。", T_WELCOME, c->display);
	e2e_expect(h, g, buf, WAIT_MS, step);
	if (on_home) {
		e2e_expect_row(h, g, 0, T_HOME, WAIT_MS, step);
		e2e_expect(h, g, T_ITEM_LOGOUT, WAIT_MS, step);
		settle(h, g, step);
		/* Where the home buttons have room for a second line (not at
		 * 80x24), the log-out item's says who: the masked name and ID
		 * (ellipsized when the button is narrow: its head at least). */
		if (h_find(h, T_SUB_MINE, NULL, NULL)) {
			snprintf(buf, sizeof buf, "%s %.4s****", c->display, c->id_masked);
			e2e_expect(h, g, buf, WAIT_MS, step);
		}
		E2E_CHECK(h, g, !h_find(h, T_ITEM_LOGIN, NULL, NULL), "%s: home still offers to log in", step);
	}
}

/* Nothing of the citizen in any cell: not the masked name's first
 * character, not the ID's head or tail. */
static void expect_no_citizen_cells(struct harness *h, struct gwd *g, const struct citizen *c,
                                    const char *step)
{
	uint32_t first[4];
	int cols, rows;
	e2e_utf8_decode(c->display, first, 1);
	h_size(h, &cols, &rows);
	for (int y = 0; y < rows; y++)
		for (int x = 0; x < cols; x++)
			E2E_CHECK(h, g, h_cell_at(h, x, y).ch != first[0],
			      "%s: cell (%d,%d) still shows the citizen's surname", step, x, y);
	char head[8], tail[8];
	snprintf(head, sizeof head, "%.4s", c->id_masked);
	snprintf(tail, sizeof tail, "%s", c->id_masked + strlen(c->id_masked) - 4);
	E2E_CHECK(h, g, !h_find(h, head, NULL, NULL) && !h_find(h, tail, NULL, NULL),
	      "%s: part of the ID number is still shown", step);
	E2E_CHECK(h, g, !h_find(h, c->display, NULL, NULL), "%s: the masked name is still shown", step);
	E2E_CHECK(h, g, !e2e_row_has(h, -1, "[F9]"), "%s: the status bar still offers F9 log-out", step);
}

static void expect_logged_out(struct harness *h, struct gwd *g, const struct citizen *c,
                              const char *notice, const char *step)
{
	e2e_expect(h, g, notice, WAIT_MS, step);
	e2e_expect_row(h, g, 0, T_HOME, WAIT_MS, step);
	e2e_expect(h, g, T_ITEM_LOGIN, WAIT_MS, step);
	settle(h, g, step);
	expect_no_citizen_cells(h, g, c, step);
}

static void open_login(struct harness *h, struct gwd *g, const char *step)
{
	h_type(h, "4"); /* home: 扫码登录 */
	e2e_expect_row(h, g, 0, T_LOGIN_TITLE, WAIT_MS, step);
	e2e_expect(h, g, T_WAY1, WAIT_MS, step);
}

/* ==== 1. a login code from a FIFO scanner ================================================ */

static void scan_fifo(int cols, int rows)
{
	const struct citizen *zhang = citizen("cit-zhang");
	struct gwd *g = e2e_start_gateway(NULL);
	char fifo[1024], arg[1100], code[128];
	snprintf(fifo, sizeof fifo, "%s/scanner", scratch_dir());
	snprintf(arg, sizeof arg, "fifo:%s", fifo);
	const char *extra[] = { "--scanner", arg, NULL };
	struct harness *h = start_kiosk(g, cols, rows, extra);

	citizen_code(g, "cit-zhang", code, sizeof code);
	e2e_fifo_send(h, g, fifo, code, WAIT_MS);
	expect_logged_in(h, g, zhang, true, "FIFO scan on home: logged in");
	E2E_CHECK(h, g, e2e_log_lines(h, "session: started") == 1, "one scan, %d sessions",
	      e2e_log_lines(h, "session: started"));

	h_record(h);
	h_key(h, H_F9);
	expect_logged_out(h, g, zhang, T_LOGGED_OUT, "F9: logged out");
	e2e_expect_cleared(h, g, "F9: logged out");
	finish(h, g, true);
}

Test(login, scan_fifo_logs_in_80x24) { scan_fifo(80, 24); }
Test(login, scan_fifo_logs_in_120x40) { scan_fifo(120, 40); }

/* ==== 2. a QR picture in a watched folder ================================================= */

Test(login, scan_image_logs_in)
{
	const struct citizen *li = citizen("cit-li");
	struct gwd *g = e2e_start_gateway(NULL);
	char dir[1024], arg[1100], code[128];
	snprintf(dir, sizeof dir, "%s/pictures", scratch_dir());
	cr_assert_eq(mkdir(dir, 0700), 0, "mkdir %s: %s", dir, strerror(errno));
	snprintf(arg, sizeof arg, "images:%s", dir);
	const char *extra[] = { "--scanner", arg, NULL };
	struct harness *h = start_kiosk(g, 100, 30, extra);

	citizen_code(g, li->id, code, sizeof code);
	write_qr_pgm(dir, code);
	expect_logged_in(h, g, li, true, "QR picture on home: logged in");

	/* Log out by the home item this time (at once: not in large mode). */
	h_type(h, "4");
	expect_logged_out(h, g, li, T_LOGGED_OUT, "home item 4: logged out");
	finish(h, g, true);
}

/* ==== 3. the device flow: the QR on the screen ============================================= */

static void device_flow(int cols, int rows)
{
	const struct citizen *ou = citizen("cit-ouyang");
	const char *gw_args[] = { "--device-interval", "1", NULL };
	struct gwd *g = e2e_start_gateway(gw_args);
	struct harness *h = start_kiosk(g, cols, rows, NULL);
	struct shown s;
	char path[128];

	open_login(h, g, "log-in screen");
	read_login_screen(h, g, &s, "log-in screen: QR and code");
	/* At these sizes the QR fits beside the text; at 120x40 the code is big. */
	E2E_CHECK(h, g, s.big == (cols >= 120), "%dx%d: the user code is %s", cols, rows,
	      s.big ? "in big glyphs" : "spaced out");

	snprintf(path, sizeof path, "/sim/device/%s/approve", s.code);
	json_decref(e2e_post_json(g, path, "{\"citizen\":\"cit-ouyang\"}", 200));
	expect_logged_in(h, g, ou, true, "approved on the phone: logged in");

	h_key(h, H_F9);
	expect_logged_out(h, g, ou, T_LOGGED_OUT, "F9: logged out");
	finish(h, g, true);
}

Test(login, device_flow_qr_on_screen_80x24) { device_flow(80, 24); }
Test(login, device_flow_qr_on_screen_120x40) { device_flow(120, 40); }

/* The same with the demo keys: F6 approves what the screen shows (as
 * cit-zhang), F5 scans a demo login code. */
Test(login, device_flow_demo_keys)
{
	const struct citizen *zhang = citizen("cit-zhang");
	const char *gw_args[] = { "--device-interval", "1", NULL };
	struct gwd *g = e2e_start_gateway(gw_args);
	const char *extra[] = { "--demo-sim", NULL };
	struct harness *h = start_kiosk(g, 120, 40, extra);
	struct shown s;

	open_login(h, g, "log-in screen");
	read_login_screen(h, g, &s, "log-in screen: QR and code");
	h_key(h, H_F6);
	expect_logged_in(h, g, zhang, true, "F6: approved, logged in");
	h_key(h, H_F9);
	expect_logged_out(h, g, zhang, T_LOGGED_OUT, "F9: logged out");

	h_key(h, H_F5);
	expect_logged_in(h, g, zhang, true, "F5: demo code scanned, logged in");
	h_key(h, H_F9);
	expect_logged_out(h, g, zhang, T_LOGGED_OUT, "F9 again: logged out");
	finish(h, g, true);
}

/* ==== 4. a page that needs a citizen: log in first, then there ============================= */

Test(login, login_then_back_to_my_info)
{
	const struct citizen *zhang = citizen("cit-zhang");
	struct gwd *g = e2e_start_gateway(NULL);
	char fifo[1024], arg[1100], code[128], buf[256];
	gateway_masked(g, zhang);
	snprintf(fifo, sizeof fifo, "%s/scanner", scratch_dir());
	snprintf(arg, sizeof arg, "fifo:%s", fifo);
	const char *extra[] = { "--scanner", arg, NULL };
	struct harness *h = start_kiosk(g, 80, 24, extra);

	h_type(h, "7"); /* home: 我的办件 */
	e2e_expect_row(h, g, 0, T_LOGIN_TITLE, WAIT_MS, "home 7 without a citizen: the log-in screen");
	e2e_expect(h, g, T_WAY1, WAIT_MS, "log-in screen");
	e2e_expect(h, g, T_WAITING, WAIT_MS, "log-in screen: QR shown");

	citizen_code(g, zhang->id, code, sizeof code);
	e2e_fifo_send(h, g, fifo, code, WAIT_MS);
	e2e_expect_row(h, g, 0, T_MINE_TITLE, WAIT_MS, "after the scan: my applications");
	h_type(h, "2");
	e2e_expect_row(h, g, 0, T_ME_TITLE, WAIT_MS, "2: my information");
	snprintf(buf, sizeof buf, "姓名：%s", zhang->display);
	e2e_expect(h, g, buf, WAIT_MS, "my information: masked name");
	snprintf(buf, sizeof buf, "身份证号：%s", zhang->id_masked);
	e2e_expect(h, g, buf, WAIT_MS, "my information: masked ID");
	snprintf(buf, sizeof buf, "手机号：%s", zhang->phone_masked);
	e2e_expect(h, g, buf, WAIT_MS, "my information: masked phone");
	expect_logged_in(h, g, zhang, false, "my information: logged in");

	h_key(h, H_ESC);
	e2e_expect_row(h, g, 0, T_MINE_TITLE, WAIT_MS, "Esc: my applications");
	h_key(h, H_ESC);
	e2e_expect_row(h, g, 0, T_HOME, WAIT_MS, "Esc: home (the log-in screen is not in between)");
	settle(h, g, "home");
	snprintf(buf, sizeof buf, "%s%s", T_STATUS_OUT, zhang->display);
	E2E_CHECK(h, g, e2e_row_has(h, -1, buf), "home: no longer logged in");
	e2e_expect(h, g, T_ITEM_LOGOUT, WAIT_MS, "home: item 4 logs out");

	/* Home 7 again: straight there, no log-in screen. */
	h_type(h, "7");
	e2e_expect_row(h, g, 0, T_MINE_TITLE, WAIT_MS, "home 7 with a citizen: my applications at once");
	h_key(h, H_HOME);
	e2e_expect_row(h, g, 0, T_HOME, WAIT_MS, "Home key");
	h_key(h, H_F9);
	expect_logged_out(h, g, zhang, T_LOGGED_OUT, "F9: logged out");
	finish(h, g, true);
}

/* ==== 5. the idle timeout ======================================================================= */

struct idle_seen {
	int last;      /* the last countdown value seen, -1 before */
	int distinct;  /* how many different values */
	bool rose;     /* a value higher than the one before */
};

static int idle_countdown(struct harness *h)
{
	int col, row;
	if (!h_find(h, T_IDLE_Q, &col, &row))
		return -1;
	char *t = h_row_text(h, row);
	const char *p = strstr(t, T_IDLE_Q);
	int n = -1;
	if (p && strstr(p, T_IDLE_TAIL))
		sscanf(p + strlen(T_IDLE_Q), "%d", &n);
	free(t);
	return n;
}

static bool pred_idle_out(struct harness *h, void *ud)
{
	struct idle_seen *s = ud;
	guard(h);
	int n = idle_countdown(h);
	if (n >= 0 && n != s->last) {
		if (s->last >= 0 && n > s->last)
			s->rose = true;
		s->last = n;
		s->distinct++;
	}
	return h_find(h, T_IDLE_OUT, NULL, NULL);
}

Test(login, idle_timeout)
{
	const struct citizen *zhang = citizen("cit-zhang");
	struct gwd *g = e2e_start_gateway(NULL);
	char fifo[1024], arg[1100], code[128];
	snprintf(fifo, sizeof fifo, "%s/scanner", scratch_dir());
	snprintf(arg, sizeof arg, "fifo:%s", fifo);
	const char *extra[] = { "--scanner", arg, "--idle-timeout", "8", NULL };
	const int cols = 80, rows = 24;
	struct harness *h = start_kiosk(g, cols, rows, extra);

	citizen_code(g, zhang->id, code, sizeof code);
	e2e_fifo_send(h, g, fifo, code, WAIT_MS);
	expect_logged_in(h, g, zhang, true, "scan: logged in");
	settle(h, g, "logged in");
	/* The screen above the notice and status rows, to compare later. */
	char *before[64];
	for (int y = 0; y < rows - 2; y++)
		before[y] = h_row_text(h, y);

	/* 8 s: the warning comes 4 s before the end (half the timeout). */
	e2e_expect(h, g, T_IDLE_Q, WAIT_MS, "first idle warning");
	int n = idle_countdown(h);
	E2E_CHECK(h, g, n >= 1 && n <= 4, "first idle warning: countdown %d s, not 1..4 (\"%s\")", n,
	      T_IDLE_Q "N" T_IDLE_TAIL);
	E2E_CHECK(h, g, e2e_row_has(h, -1, T_STATUS_OUT), "the warning shows, but nobody is logged in");

	/* A key dismisses it and does nothing else ("3" would open the
	 * services). */
	h_type(h, "3");
	e2e_expect_gone(h, g, T_IDLE_Q, QUICK_MS, "a key dismisses the warning");
	settle(h, g, "warning dismissed");
	E2E_CHECK(h, g, e2e_row_has(h, 0, T_HOME), "the key that dismissed the warning was acted on");
	for (int y = 0; y < rows - 2; y++) {
		char *now = h_row_text(h, y);
		bool same = !strcmp(now, before[y]);
		if (!same)
			fprintf(stderr, "row %d before: [%s]\nrow %d after:  [%s]\n", y, before[y], y, now);
		free(now);
		E2E_CHECK(h, g, same, "row %d changed under the dismissed warning", y);
	}
	for (int y = 0; y < rows - 2; y++)
		free(before[y]);
	char buf[128];
	snprintf(buf, sizeof buf, "%s%s", T_STATUS_OUT, zhang->display);
	E2E_CHECK(h, g, e2e_row_has(h, -1, buf), "logged out by the key that dismissed the warning");
	E2E_CHECK(h, g, e2e_log_lines(h, "idle: extended") == 1, "kiosk.log: %d idle extensions, not 1",
	      e2e_log_lines(h, "idle: extended"));

	/* Left alone again: the warning again, counting down, then the end. */
	h_record(h);
	e2e_expect(h, g, T_IDLE_Q, WAIT_MS, "second idle warning");
	struct idle_seen seen = { -1, 0, false };
	E2E_CHECK(h, g, h_wait(h, pred_idle_out, &seen, WAIT_MS), "no idle log-out notice \"%s\" within %d ms",
	      T_IDLE_OUT, WAIT_MS);
	e2e_clean(h, g, "idle log-out");
	E2E_CHECK(h, g, !seen.rose && seen.distinct >= 2,
	      "the countdown did not count down (%d values seen, last %d%s)", seen.distinct, seen.last,
	      seen.rose ? ", went up" : "");
	expect_logged_out(h, g, zhang, T_IDLE_OUT, "idle: logged out");
	E2E_CHECK(h, g, !h_find(h, T_IDLE_Q, NULL, NULL), "the warning stays after the log-out");
	E2E_CHECK(h, g, e2e_log_lines(h, "session: ended (idle") == 1, "kiosk.log: no idle end of session");
	e2e_expect_cleared(h, g, "idle: logged out");
	finish(h, g, true);
}

/* ==== 6. refused on the phone, and expired ======================================================== */

struct new_code {
	char old[4][16];
	int n_old;
	char got[16];
};

static bool pred_new_code(struct harness *h, void *ud)
{
	struct new_code *w = ud;
	guard(h);
	if (!h_find(h, T_WAITING, NULL, NULL) || !e2e_spaced_code(h, w->got, NULL, NULL))
		return false;
	for (int i = 0; i < w->n_old; i++)
		if (!strcmp(w->got, w->old[i]))
			return false;
	return true;
}

static void expect_new_code(struct harness *h, struct gwd *g, struct new_code *w, struct shown *s,
                            const char *step)
{
	E2E_CHECK(h, g, h_wait(h, pred_new_code, w, WAIT_MS), "%s: no new code within %d ms (last: %s)", step,
	      WAIT_MS, w->n_old ? w->old[w->n_old - 1] : "");
	read_login_screen(h, g, s, step);
	E2E_CHECK(h, g, !strcmp(s->code, w->got), "%s: code changed while reading", step);
	snprintf(w->old[w->n_old++], sizeof w->old[0], "%s", s->code);
}

/* A dead code's QR left on the screen (checked after the rest of the test,
 * so that one finding does not hide the others). */
static char stale_qr[8192];

static void check_no_stale_qr(struct harness *h, const char *dead_code, const char *step)
{
	struct e2e_qr q;
	int col = -1, cols, rows;
	if (!h_find(h, T_WAY1, &col, NULL))
		return;
	h_size(h, &cols, &rows);
	bool decoded = e2e_read_qr(h, 0, 0, col, rows, &q);
	if (q.cols == 0)
		return; /* no half blocks left of the text: no QR */
	if (stale_qr[0]) { /* the first screen is enough; name the step */
		size_t n = strlen(stale_qr);
		snprintf(stale_qr + n, sizeof stale_qr - n, "\n%s: the same, a QR still shown for the dead code %s",
		         step, dead_code);
		return;
	}
	char *t = h_screen_text(h);
	snprintf(stale_qr, sizeof stale_qr,
	         "%s: a QR code is still shown (%dx%d cells at %d,%d) for the dead code %s%s%s%s; screen:\n%s",
	         step, q.cols, q.rows, q.left, q.top, dead_code, decoded ? " (it decodes as \"" : "",
	         decoded ? q.data : "", decoded ? "\")" : "", t);
	free(t);
}

Test(login, deny_and_expire)
{
	const char *gw_args[] = { "--device-interval", "1", "--device-ttl", "4", NULL };
	struct gwd *g = e2e_start_gateway(gw_args);
	struct harness *h = start_kiosk(g, 80, 24, NULL);
	struct new_code w = { .n_old = 0 };
	struct shown s;
	char path[128];
	int col;

	open_login(h, g, "log-in screen");
	expect_new_code(h, g, &w, &s, "first code");

	snprintf(path, sizeof path, "/sim/device/%s/deny", s.code);
	json_decref(e2e_post_json(g, path, NULL, 200));
	e2e_expect(h, g, T_DENIED, WAIT_MS, "denied on the phone: message");
	settle(h, g, "denied");
	E2E_CHECK(h, g, !h_find(h, T_WAITING, NULL, NULL), "denied: still waiting for the phone");
	char now[16];
	E2E_CHECK(h, g, !e2e_spaced_code(h, now, NULL, NULL), "denied: a user code is still shown (%s)", now);
	E2E_CHECK(h, g, h_find(h, T_WAY1, &col, NULL), "denied: the log-in screen is gone");
	check_no_stale_qr(h, s.code, "denied");

	h_type(h, "1");
	expect_new_code(h, g, &w, &s, "after 1: a new code");
	E2E_CHECK(h, g, !h_find(h, T_DENIED, NULL, NULL), "the refusal message stays with the new code");

	/* Now nobody answers: after 4 s the code expires. */
	e2e_expect(h, g, T_EXPIRED, WAIT_MS, "expired: message");
	settle(h, g, "expired");
	E2E_CHECK(h, g, !h_find(h, T_WAITING, NULL, NULL), "expired: still waiting for the phone");
	E2E_CHECK(h, g, !e2e_spaced_code(h, now, NULL, NULL), "expired: a user code is still shown (%s)", now);
	check_no_stale_qr(h, s.code, "expired");

	h_type(h, "1");
	expect_new_code(h, g, &w, &s, "after 1 again: a new code");
	E2E_CHECK(h, g, !h_find(h, T_EXPIRED, NULL, NULL), "the expiry message stays with the new code");

	h_key(h, H_ESC);
	e2e_expect_row(h, g, 0, T_HOME, WAIT_MS, "Esc: home");
	e2e_expect(h, g, T_ITEM_LOGIN, WAIT_MS, "home: nobody logged in");
	finish(h, g, false);
	/* Once refused or expired, the code is dead: its QR must go with the
	 * user code (a phone that scans it now only gets an error). */
	cr_assert(!stale_qr[0], "%s", stale_qr);
}
