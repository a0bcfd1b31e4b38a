/* test_apply_attack.c: applying for a service (issue 11), attacked; each
 * way found to break it kept as an end-to-end test (suite "apply_attack").
 *
 * The real kiosk in a pty against the reference gateway, driven as in
 * test_apply.c (search, the service page, 4 在线申请, a scanned log-in,
 * one question a page, typed slowly so the keyboard-wedge detector lets
 * it out as keys). What is under attack: an application is made once
 * whatever the network does (a dropped answer, no answer, a late one, a
 * double press); one the gateway never got is kept for its citizen and
 * for nobody else; a refusal comes back beside its field; a form the kiosk
 * cannot read hides 在线申请, not the service; no typed byte crashes it or
 * reaches the screen raw; every page stays usable in large mode and in
 * English at 80x24 and 120x40; voice mode never reads an ID or phone
 * number out; 我的办件 and 电子证照 survive a gateway that fails or sends
 * garbage, and a licence QR is never left on screen once it has gone
 * stale.
 *
 * Some answers the reference gateway cannot be made to give (a form
 * schema it would refuse to serve, a 422 naming fields at will, an
 * application number full of escape sequences): a small proxy in this
 * file stands between the kiosk and gatewayd and answers chosen requests
 * itself (struct tamper).
 *
 * Tests whose comment says "found broken" each found a bug, since fixed.
 * Screen and speech texts are the zh_CN ones (locale/zh_CN.po) unless a
 * test switches to English.
 */
#include "e2e.h"
#include "tamper.h"
#include "pay_e2e.h"
#include "harness/gwd.h"
#include "harness/harness.h"

#include <criterion/criterion.h>
#include <jansson.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#define WAIT_MS 15000
#define COLS 120
#define ROWS 40

/* Screen texts (zh_CN). */
#define T_SOCIAL    "社会保障卡申领"
#define T_RENT      "租房提取住房公积金"
#define T_MARRIAGE  "结婚登记预约"
#define T_GAS_CHECK "燃气安全检查预约"
#define T_HKMO      "往来港澳通行证再次签注"
#define T_APPLY     "在线申请"
#define T_LOGIN     "扫码登录"
#define T_STEP1     "第1步"
#define T_CHECK     "最后一步：核对信息"
#define T_PROBLEM   "出错了"
#define T_DONE      "您的申请已提交。"
#define T_NUMBER    "办件编号（请记下）："
#define T_SUBMITTING "正在提交您的申请"
#define T_NO_NET    "暂时连不上政务服务网络"
#define T_LATER     "稍后再交"
#define T_KEPT      "您的申请已保存在本机"
#define T_HELD      "您有一份未提交的申请"
#define T_MINE      "我的办件"
#define T_LICENCES  "我的电子证照"
#define T_RETRY     "重试"
#define T_UNREADABLE "服务网络返回的内容无法识别"
#define T_NO_FORM   "暂不能在本机填表，请到窗口办理"
#define T_DIGITS_ONLY "这里只能输入数字。"

/* The demo citizen who logs in, and what must never be shown of her:
 * the prefilled real name and ID number (docs/gateway-api.md). */
#define CIT       "cit-zhang"
#define CIT_NAME  "张三"
#define CIT_IDNO  "11010519850313123X"
#define PHONE     "13912345678"

/* Targets of kiosk/screens/scr_form.c and scr_service.c. */
#define ID_FORM_BACK   3000001
#define ID_FORM_NEXT   3000002
#define ID_FORM_SUBMIT 3000003
#define ID_SVC_APPLY   4

static void suite_fini(void);
TestSuite(apply_attack, .timeout = 200, .fini = suite_fini);

/* ---- scratch files, evidence -------------------------------------------------------- */

static char scratch[700];
static char fifo[800], speech[800], layout[800];

static const char *guard(struct harness *h)
{
	if (h_find(h, CIT_IDNO, NULL, NULL))
		return "the citizen's full ID number";
	if (h_find(h, CIT_NAME, NULL, NULL))
		return "the citizen's full name";
	return NULL;
}

static void dump_more(void)
{
	if (speech[0])
		e2e_print_file_tail("speech transcript", speech, 6000);
	if (layout[0])
		e2e_print_file_tail("layout dump", layout, 6000);
}

static void paths(void)
{
	e2e_set_hooks(guard, dump_more);
	if (scratch[0])
		return;
	e2e_scratch_dir(scratch, sizeof scratch, "apply-attack");
	snprintf(fifo, sizeof fifo, "%s/scanner", scratch);
	snprintf(speech, sizeof speech, "%s/speech.log", scratch);
	snprintf(layout, sizeof layout, "%s/layout.txt", scratch);
}

static void suite_fini(void)
{
	e2e_set_hooks(NULL, NULL);
	e2e_rm_rf(scratch);
	scratch[0] = '\0';
}

static const char *scratch_file(const char *name, const char *content)
{
	static char path[4][900];
	static int k;
	paths();
	k = (k + 1) % 4;
	snprintf(path[k], sizeof path[k], "%s/%s", scratch, name);
	if (content) {
		FILE *f = fopen(path[k], "w");
		cr_assert_not_null(f, "%s: %s", path[k], strerror(errno));
		fputs(content, f);
		fclose(f);
	}
	return path[k];
}

/* Keeps the screen read while time passes. */
static void pump(struct harness *h, int ms)
{
	long long end = e2e_now_ms() + ms;
	while (e2e_now_ms() < end)
		h_pump(h, 100);
}

/* A kiosk configuration whose requests give up after 1 s, so a
 * submission settles (subq_settle_s: 1 s + 30 s) in a test's time. */
static const char *short_timeouts(void)
{
	return scratch_file("kiosk.conf", "[gateway]\ntimeout_ms = 1000\nconnect_timeout_ms = 1000\n");
}

/* ---- kiosk and gateway ---------------------------------------------------------------- */

/* The kiosk at home (its title `home` in row 0) against url (NULL: the
 * gateway's), with the FIFO scanner, the layout dump and `more`
 * arguments; the catalog fetched. */
static struct harness *start_titled(struct gwd *g, const char *url, int cols, int rows, const char *const more[],
                                    const char *home)
{
	paths();
	const char *args[32];
	size_t n = 0;
	char sc[900];
	const char *theme = e2e_theme_path();
	if (theme) {
		args[n++] = "--theme";
		args[n++] = theme;
	}
	snprintf(sc, sizeof sc, "fifo:%s", fifo);
	args[n++] = "--scanner";
	args[n++] = sc;
	for (size_t i = 0; more && more[i] && n < 30; i++)
		args[n++] = more[i];
	args[n] = NULL;
	setenv("KIOSK_LAYOUT_DUMP", layout, 1);
	struct harness *h = e2e_start_kiosk(url ? url : gwd_url(g), cols, rows, args);
	unsetenv("KIOSK_LAYOUT_DUMP");
	e2e_expect_row(h, g, 0, home, WAIT_MS, "start: home title");
	E2E_CHECK(h, g, e2e_wait_log(h, "GET /v1/catalog -> 200", WAIT_MS), "no catalog");
	h_settle(h, E2E_QUIET_MS, 2000);
	return h;
}

static struct harness *start(struct gwd *g, const char *url, int cols, int rows, const char *const more[])
{
	return start_titled(g, url, cols, rows, more, E2E_T_HOME);
}

/* Waits until kiosk.log holds needle n times or more. */
static void wait_log_n(struct harness *h, struct gwd *g, const char *needle, int n, int ms, const char *step)
{
	long long end = e2e_now_ms() + ms;
	while (e2e_log_count(h, needle) < n && e2e_now_ms() < end)
		h_pump(h, 50);
	E2E_CHECK(h, g, e2e_log_count(h, needle) >= n, "%s: \"%s\" logged %d times, not %d", step, needle,
	          e2e_log_count(h, needle), n);
}

static void scan_citizen(struct harness *h, struct gwd *g, const char *cit)
{
	char code[128];
	e2e_citizen_code(g, cit, code, sizeof code);
	e2e_fifo_send(h, g, fifo, code, WAIT_MS);
}

/* Search, the service's page, 4 在线申请. */
static void open_service(struct harness *h, struct gwd *g, const char *svc)
{
	h_key(h, H_HOME);
	h_settle(h, E2E_QUIET_MS, 2000);
	h_type(h, svc);
	e2e_expect(h, g, e2e_item(1, svc), WAIT_MS, "search: the service first");
	h_type(h, "1");
	e2e_expect_row(h, g, 0, svc, WAIT_MS, "the service's page");
}

/* The service's form, logging in by a scanned code if nobody is. */
static void open_form(struct harness *h, struct gwd *g, const char *svc, const char *cit)
{
	open_service(h, g, svc);
	e2e_expect(h, g, T_APPLY, WAIT_MS, "the page offers 在线申请");
	h_type(h, "4");
	if (cit) {
		e2e_expect_row(h, g, 0, T_LOGIN, WAIT_MS, "apply: log in first");
		scan_citizen(h, g, cit);
	}
	e2e_expect(h, g, T_STEP1, WAIT_MS, "the form's first page");
}

/* 社会保障卡申领: phone, bank, how to receive, address (left empty),
 * the promise; then the check page. */
static void fill_social_card(struct harness *h, struct gwd *g)
{
	e2e_expect(h, g, "手机号码", WAIT_MS, "the phone's page");
	pay_type_slowly(h, PHONE);
	h_key(h, H_ENTER);
	e2e_expect(h, g, "发卡银行", WAIT_MS, "the bank's page");
	h_type(h, "3");
	h_key(h, H_ENTER);
	e2e_expect(h, g, "领取方式", WAIT_MS, "how to receive it");
	h_type(h, "1");
	h_key(h, H_ENTER);
	e2e_expect(h, g, "联系地址", WAIT_MS, "the address");
	h_key(h, H_ENTER);
	e2e_expect(h, g, "本人承诺", WAIT_MS, "the promise");
	h_type(h, "1");
	h_key(h, H_ENTER);
	e2e_expect(h, g, T_CHECK, WAIT_MS, "the check page");
}

static void logout(struct harness *h, struct gwd *g)
{
	int n = e2e_log_count(h, "session: ended");
	h_key(h, H_F9);
	wait_log_n(h, g, "session: ended", n + 1, WAIT_MS, "F9");
	e2e_expect_row(h, g, 0, E2E_T_HOME, WAIT_MS, "logged out: home");
}

/* A citizen logs in by a scan on the home screen. */
static void login_home(struct harness *h, struct gwd *g, const char *cit)
{
	int n = e2e_log_count(h, "session: started");
	scan_citizen(h, g, cit);
	wait_log_n(h, g, "session: started", n + 1, WAIT_MS, cit);
	h_settle(h, E2E_QUIET_MS, 2000);
}

/* Clears the answer being typed (Delete: Backspace on an empty answer
 * would go back a page). */
static void clear_answer(struct harness *h, int n)
{
	for (int i = 0; i < n; i++)
		h_key(h, H_DEL);
	h_settle(h, E2E_QUIET_MS, 2000);
}

/* Applications /sim/applications lists for this citizen and service made
 * at a kiosk (the demo's past ones have kiosk ""). */
static int n_apps(struct gwd *g, const char *cit, const char *svc)
{
	char *resp = NULL;
	int st = gwd_get(g, "/sim/applications", &resp);
	cr_assert_eq(st, 200, "/sim/applications: %d %s", st, resp ? resp : "");
	json_t *j = json_loads(resp, 0, NULL);
	free(resp);
	cr_assert_not_null(j, "/sim/applications: not JSON");
	json_t *a = json_object_get(j, "applications"), *e;
	size_t i;
	int n = 0;
	json_array_foreach(a, i, e) {
		const char *c = json_string_value(json_object_get(e, "citizen"));
		const char *s = json_string_value(json_object_get(e, "service_id"));
		const char *k = json_string_value(json_object_get(e, "kiosk"));
		n += c && s && k && !strcmp(c, cit) && !strcmp(s, svc) && k[0];
	}
	json_decref(j);
	return n;
}

/* The gateway's own GET answer, as JSON (new reference). */
static json_t *gw_json(struct gwd *g, const char *path)
{
	char *resp = NULL;
	int st = gwd_get(g, path, &resp);
	cr_assert_eq(st, 200, "%s: %d", path, st);
	json_t *j = json_loads(resp, 0, NULL);
	free(resp);
	cr_assert_not_null(j, "%s: not JSON", path);
	return j;
}

/* The id of the newest application of this citizen and service. */
static void app_id_of(struct gwd *g, const char *cit, const char *svc, char *out, size_t n)
{
	json_t *j = gw_json(g, "/sim/applications"), *e;
	size_t i;
	out[0] = '\0';
	json_array_foreach(json_object_get(j, "applications"), i, e) {
		const char *c = json_string_value(json_object_get(e, "citizen"));
		const char *sv = json_string_value(json_object_get(e, "service_id"));
		if (!out[0] && c && sv && !strcmp(c, cit) && !strcmp(sv, svc))
			snprintf(out, n, "%s", json_string_value(json_object_get(e, "id")));
	}
	json_decref(j);
	cr_assert(out[0], "no application of %s for %s", cit, svc);
}

/* What `kiosk --ledger` says of the kiosk's data directory. */
static char *ledger(struct harness *h)
{
	char dir[900];
	snprintf(dir, sizeof dir, "%s/data", h_tmpdir(h));
	return pay_ledger(dir, scratch);
}

/* The application number on the confirmation, into id. */
static void read_app_number(struct harness *h, struct gwd *g, char *id, size_t n)
{
	e2e_expect(h, g, T_NUMBER "SQ", WAIT_MS, "the application number");
	id[0] = '\0';
	for (int y = 0; y < ROWS && !id[0]; y++) {
		char *row = h_row_text(h, y);
		const char *at = strstr(row, T_NUMBER);
		if (at)
			sscanf(at + strlen(T_NUMBER), "%63[A-Za-z0-9-]", id);
		free(row);
	}
	(void)n;
	E2E_CHECK(h, g, id[0], "no application number on the confirmation");
}

/* Nothing typed into a form, nor the citizen's name or ID number, in
 * the kiosk's log. */
static void log_clean(struct harness *h, struct gwd *g, const char *const typed[])
{
	char *log = e2e_log_read(h, NULL);
	E2E_CHECK(h, g, log, "no kiosk.log");
	E2E_CHECK(h, g, !strstr(log, CIT_NAME) && !strstr(log, CIT_IDNO), "the citizen in the log");
	for (size_t i = 0; typed && typed[i]; i++)
		E2E_CHECK(h, g, !strstr(log, typed[i]), "\"%s\" (typed) in the log", typed[i]);
	free(log);
}

/* ---- the layout dump (KIOSK_LAYOUT_DUMP: one frame, replaced each paint) --------------- */

struct frame {
	char screen[64];
	int cols, rows, large;
	int n_text, n_tgt;
	struct { int x, y, w, used; } text[1024];
	struct { int id, x, y, w, h; } tgt[256];
};

static bool frame_read(struct frame *f)
{
	char *raw = e2e_slurp(layout, NULL);
	if (!raw)
		return false;
	memset(f, 0, sizeof *f);
	bool head = false, end = false;
	for (char *save = NULL, *line = strtok_r(raw, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		int a, b, c, d, e;
		if (sscanf(line, "screen %63s %d %d %d", f->screen, &f->cols, &f->rows, &f->large) == 4)
			head = true;
		else if (sscanf(line, "text %d %d %d %d %d", &a, &b, &c, &d, &e) == 5 && f->n_text < 1024) {
			f->text[f->n_text].x = a;
			f->text[f->n_text].y = b;
			f->text[f->n_text].w = c;
			f->text[f->n_text++].used = d;
		} else if (sscanf(line, "target %d %d %d %d %d", &a, &b, &c, &d, &e) == 5 && f->n_tgt < 256) {
			f->tgt[f->n_tgt].id = a;
			f->tgt[f->n_tgt].x = b;
			f->tgt[f->n_tgt].y = c;
			f->tgt[f->n_tgt].w = d;
			f->tgt[f->n_tgt++].h = e;
		} else if (!strcmp(line, "end"))
			end = true;
	}
	free(raw);
	return head && end;
}

/* The frame of `screen` once the kiosk has stopped painting. */
static void frame_of(struct harness *h, struct gwd *g, const char *screen, struct frame *f)
{
	long long end = e2e_now_ms() + WAIT_MS;
	for (;;) {
		h_settle(h, E2E_QUIET_MS, 2000);
		if (frame_read(f) && !strcmp(f->screen, screen))
			return;
		E2E_CHECK(h, g, e2e_now_ms() < end, "no frame of screen %s (last: %s)", screen, f->screen);
		h_pump(h, 50);
	}
}

static bool frame_has(const struct frame *f, int id)
{
	for (int i = 0; i < f->n_tgt; i++)
		if (f->tgt[i].id == id)
			return true;
	return false;
}

static void click_target(struct harness *h, struct gwd *g, const struct frame *f, int id)
{
	for (int i = 0; i < f->n_tgt; i++)
		if (f->tgt[i].id == id) {
			h_click(h, f->tgt[i].x + f->tgt[i].w / 2, f->tgt[i].y + f->tgt[i].h / 2);
			return;
		}
	E2E_CHECK(h, g, false, "no target %d on screen %s", id, f->screen);
}

/* Every target inside the screen, none over another, and large mode's
 * targets at least 3 rows by 8 columns; no text over another text, none
 * beyond the screen, none half under a target (a label cut by a button
 * drawn over it). */
static void frame_check(struct harness *h, struct gwd *g, const struct frame *f, const char *step)
{
	for (int i = 0; i < f->n_tgt; i++) {
		const int x = f->tgt[i].x, y = f->tgt[i].y, w = f->tgt[i].w, hh = f->tgt[i].h;
		E2E_CHECK(h, g, w > 0 && hh > 0 && x >= 0 && y >= 0 && x + w <= f->cols && y + hh <= f->rows,
		          "%s: target %d (%d,%d %dx%d) is not inside the %dx%d screen", step, f->tgt[i].id, x, y, w, hh,
		          f->cols, f->rows);
		E2E_CHECK(h, g, !f->large || (hh >= 3 && w >= 8), "%s: target %d is %dx%d in large mode", step,
		          f->tgt[i].id, w, hh);
		for (int k = 0; k < i; k++) {
			const int ox = f->tgt[k].x, oy = f->tgt[k].y, ow = f->tgt[k].w, oh = f->tgt[k].h;
			E2E_CHECK(h, g, !(x < ox + ow && ox < x + w && y < oy + oh && oy < y + hh),
			          "%s: targets %d (%d,%d %dx%d) and %d (%d,%d %dx%d) overlap", step, f->tgt[k].id, ox, oy,
			          ow, oh, f->tgt[i].id, x, y, w, hh);
		}
	}
	for (int i = 0; i < f->n_text; i++) {
		const int x = f->text[i].x, y = f->text[i].y, u = f->text[i].used;
		if (u <= 0)
			continue;
		E2E_CHECK(h, g, x >= 0 && y >= 0 && y < f->rows && x + u <= f->cols,
		          "%s: text at (%d,%d), %d columns, beyond the screen", step, x, y, u);
		for (int k = 0; k < i; k++) {
			const int ox = f->text[k].x, oy = f->text[k].y, ou = f->text[k].used;
			E2E_CHECK(h, g, ou <= 0 || oy != y || !(x < ox + ou && ox < x + u),
			          "%s: texts at (%d,%d) %d columns and (%d,%d) %d columns overlap", step, ox, oy, ou, x, y,
			          u);
		}
		for (int k = 0; k < f->n_tgt; k++) {
			const int tx = f->tgt[k].x, ty = f->tgt[k].y, tw = f->tgt[k].w, th = f->tgt[k].h;
			bool on_row = y >= ty && y < ty + th, across = x < tx + tw && tx < x + u;
			bool inside = x >= tx && x + u <= tx + tw;
			E2E_CHECK(h, g, !on_row || !across || inside,
			          "%s: text at (%d,%d), %d columns, is cut by target %d (%d,%d %dx%d)", step, x, y, u,
			          f->tgt[k].id, tx, ty, tw, th);
		}
	}
}

/* ==== 1. the gateway makes it, then the answer is lost ============================== */

/* commit_then_drop on POST /v1/applications: the gateway makes the
 * application and closes the connection unanswered. The kiosk (or curl,
 * on a kept-alive connection) asks again with the same Idempotency-Key and
 * gets the same application: one confirmation, one application. */
Test(apply_attack, committed_then_dropped_makes_one_application)
{
	struct gwd *g = e2e_start_gateway(NULL);
	struct harness *h = start(g, NULL, COLS, ROWS, NULL);
	open_form(h, g, T_SOCIAL, CIT);
	fill_social_card(h, g);
	e2e_set_faults(g, "{\"application\":\"commit_then_drop\",\"drop_count\":1,\"paths\":[\"/v1/applications\"]}");
	h_key(h, H_ENTER);
	e2e_expect(h, g, T_DONE, WAIT_MS, "confirmed after the dropped answer");
	char id[64];
	read_app_number(h, g, id, sizeof id);
	json_t *fa = gw_json(g, "/sim/faults");
	E2E_CHECK(h, g, json_integer_value(json_object_get(fa, "drop_count")) == 0, "the answer was never dropped");
	json_decref(fa);
	h_settle(h, 300, 2000);
	E2E_CHECK(h, g, e2e_log_count(h, "screen: enter applied") == 1, "the confirmation came %d times",
	          e2e_log_count(h, "screen: enter applied"));
	E2E_CHECK(h, g, n_apps(g, CIT, "svc-social-card") == 1, "%d applications made",
	          n_apps(g, CIT, "svc-social-card"));
	char *l = ledger(h);
	E2E_CHECK(h, g, pay_count_of(l, "delivered") == 1 && strstr(l, id) && !strstr(l, "\n*"),
	          "the outbox does not hold one delivered submission with %s:\n%s", id, l);
	free(l);
	e2e_finish(h, g);
}

/* ==== 2. no answer at all ================================================================ */

/* No answer (every POST /v1/applications fails) while 提交 is waited for:
 * the citizen is told plainly, with the count of tries, and 稍后再交 (2)
 * leaves. */
static void submit_and_keep(struct harness *h, struct gwd *g)
{
	int posts = e2e_log_count(h, "POST /v1/applications");
	h_key(h, H_ENTER);
	e2e_expect(h, g, T_NO_NET, WAIT_MS, "no answer: said plainly");
	e2e_expect(h, g, T_LATER, WAIT_MS, "稍后再交 offered");
	wait_log_n(h, g, "POST /v1/applications", posts + 2, WAIT_MS, "tried again with no answer");
	h_type(h, "2");
	e2e_expect(h, g, T_KEPT, WAIT_MS, "稍后再交: kept");
	E2E_CHECK(h, g, e2e_wait_title(h, E2E_T_HOME, WAIT_MS), "稍后再交 did not go home");
}

/* Every POST /v1/applications fails (error_rate 1); the kiosk tries again
 * by itself with the same key; 稍后再交 keeps it (two forms, here). Logged
 * out, the kiosk asks the gateway by key once each has settled (1 s + 30 s
 * here) and nobody is logged in: never received, so held for their
 * citizen. Another citizen logging in is offered nothing; its own citizen
 * one at each log-in, the oldest first: submitted, one application; the
 * next discarded (放弃), nothing of it kept or sent; then nothing more. */
Test(apply_attack, no_answer_kept_for_later_offered_to_its_citizen_only, .timeout = 240)
{
	struct gwd *g = e2e_start_gateway(NULL);
	const char *more[] = { "--config", short_timeouts(), NULL };
	struct harness *h = start(g, NULL, COLS, ROWS, more);
	open_form(h, g, T_SOCIAL, CIT);
	fill_social_card(h, g);
	e2e_set_faults(g, "{\"error_rate\":1.0,\"paths\":[\"/v1/applications\"]}");
	submit_and_keep(h, g);
	open_form(h, g, T_HKMO, NULL);
	h_type(h, "1");
	h_key(h, H_ENTER);
	e2e_expect(h, g, "本人承诺", WAIT_MS, "the promise");
	h_type(h, "1");
	h_key(h, H_ENTER);
	e2e_expect(h, g, T_CHECK, WAIT_MS, "the check page");
	submit_and_keep(h, g);
	int posts = e2e_log_count(h, "POST /v1/applications");
	char *l = ledger(h);
	E2E_CHECK(h, g, pay_count_of(l, "\n* ") == 2 && pay_count_of(l, "sending") == 2 && !strstr(l, "delivered"),
	          "the outbox does not hold both as being sent:\n%s", l);
	free(l);
	logout(h, g);
	e2e_set_faults(g, "{}");
	/* Settled (31 s after its last try), nobody logged in: asked by key. */
	wait_log_n(h, g, "reconcile: a submission never reached the gateway: kept for its citizen", 2, 70000,
	           "the by-key questions");
	E2E_CHECK(h, g, e2e_log_count(h, "POST /v1/applications") == posts, "sent again with nobody there");
	l = ledger(h);
	E2E_CHECK(h, g, pay_count_of(l, "held") == 2, "not held:\n%s", l);
	free(l);
	/* Someone else: nothing offered. */
	login_home(h, g, "cit-wang");
	E2E_CHECK(h, g, !e2e_wait_text(h, T_HELD, 1500), "another citizen is offered the held application");
	E2E_CHECK(h, g, e2e_log_count(h, "a held submission offered") == 0, "offered to another citizen");
	logout(h, g);
	/* Its citizen: the oldest offered, submitted, one application. */
	login_home(h, g, CIT);
	e2e_expect(h, g, T_HELD, WAIT_MS, "its citizen is offered it");
	e2e_expect(h, g, T_SOCIAL, WAIT_MS, "the offer names the service");
	h_type(h, "1");
	e2e_expect(h, g, T_DONE, WAIT_MS, "submitted from the offer");
	E2E_CHECK(h, g, n_apps(g, CIT, "svc-social-card") == 1 && n_apps(g, "cit-wang", "svc-social-card") == 0,
	          "%d applications for her, %d for him", n_apps(g, CIT, "svc-social-card"),
	          n_apps(g, "cit-wang", "svc-social-card"));
	logout(h, g);
	/* The next one at the next log-in: discarded. */
	login_home(h, g, CIT);
	e2e_expect(h, g, T_HELD, WAIT_MS, "the second offered");
	e2e_expect(h, g, T_HKMO, WAIT_MS, "the second names its service");
	posts = e2e_log_count(h, "POST /v1/applications");
	h_type(h, "2");
	e2e_expect(h, g, "申请已放弃", WAIT_MS, "discarded");
	h_settle(h, 300, 2000);
	E2E_CHECK(h, g, e2e_log_count(h, "POST /v1/applications") == posts, "a discarded application was sent");
	l = ledger(h);
	E2E_CHECK(h, g, pay_count_of(l, "delivered") == 1 && pay_count_of(l, "discarded") == 1 && !strstr(l, "\n* "),
	          "not one delivered and one discarded:\n%s", l);
	free(l);
	logout(h, g);
	login_home(h, g, CIT);
	E2E_CHECK(h, g, !e2e_wait_text(h, T_HELD, 1500), "offered again after both ended");
	E2E_CHECK(h, g, n_apps(g, CIT, "svc-exit-hkmo-endorse") == 0, "the discarded one reached the gateway");
	e2e_finish(h, g);
}

/* The answer comes too late (latency beyond the kiosk's 1 s timeout): the
 * gateway makes the application, the kiosk never hears of it. Home while
 * the first try is out: no crash, no confirmation for a screen that is
 * gone. Logged out, the by-key question finds it: delivered, never offered
 * again, one application. */
Test(apply_attack, late_answer_after_leaving_found_by_key, .timeout = 240)
{
	struct gwd *g = e2e_start_gateway(NULL);
	const char *more[] = { "--config", short_timeouts(), NULL };
	struct harness *h = start(g, NULL, COLS, ROWS, more);
	open_form(h, g, T_SOCIAL, CIT);
	fill_social_card(h, g);
	e2e_set_faults(g, "{\"latency_ms\":2500,\"paths\":[\"/v1/applications\"]}");
	h_key(h, H_ENTER);
	e2e_expect(h, g, T_SUBMITTING, WAIT_MS, "submitting");
	h_key(h, H_HOME);
	E2E_CHECK(h, g, e2e_wait_title(h, E2E_T_HOME, WAIT_MS), "Home while submitting did not go home");
	/* The gateway answers a request nobody waits for (2.5 s after it came;
	 * on a loaded machine it may come late: waited for, up to WAIT_MS). */
	long long made_by = e2e_now_ms() + 2500 + WAIT_MS;
	while (n_apps(g, CIT, "svc-social-card") == 0 && e2e_now_ms() < made_by)
		pump(h, 250);
	pump(h, 500);
	E2E_CHECK(h, g, n_apps(g, CIT, "svc-social-card") == 1, "the gateway did not make it (%d)",
	          n_apps(g, CIT, "svc-social-card"));
	E2E_CHECK(h, g, e2e_log_count(h, "screen: enter applied") == 0, "a confirmation after leaving");
	e2e_clean(h, g, "home after leaving a submission");
	logout(h, g);
	e2e_set_faults(g, "{}");
	E2E_CHECK(h, g, e2e_wait_log(h, "reconcile: a submission had reached the gateway: delivered", 60000),
	          "the kiosk never found it by key");
	char *l = ledger(h);
	E2E_CHECK(h, g, pay_count_of(l, "delivered") == 1 && pay_count_of(l, "SQ") == 1 && !strstr(l, "\n* "),
	          "not delivered with its number:\n%s", l);
	free(l);
	login_home(h, g, CIT);
	E2E_CHECK(h, g, !e2e_wait_text(h, T_HELD, 1500), "a delivered application offered again");
	E2E_CHECK(h, g, n_apps(g, CIT, "svc-social-card") == 1, "%d applications", n_apps(g, CIT, "svc-social-card"));
	e2e_finish(h, g);
}

/* The session ends at the gateway while the citizen is on the check page
 * (the gateway's side of a session that runs out mid-form): 提交 meets
 * 401 session_expired, the kiosk ends the session there and then. The
 * submission, written before it was sent, is not lost: asked about by
 * key once settled, held, and offered when she logs in again: one
 * application. */
Test(apply_attack, session_expired_at_submit_offered_at_next_log_in, .timeout = 240)
{
	struct gwd *g = e2e_start_gateway(NULL);
	const char *more[] = { "--config", short_timeouts(), NULL };
	struct harness *h = start(g, NULL, COLS, ROWS, more);
	open_form(h, g, T_SOCIAL, CIT);
	fill_social_card(h, g);
	json_decref(e2e_post_json(g, "/sim/sessions/expire", NULL, 200));
	h_key(h, H_ENTER);
	E2E_CHECK(h, g, e2e_wait_log(h, "session: ended (expired", WAIT_MS), "the session did not end");
	e2e_expect_row(h, g, 0, E2E_T_HOME, WAIT_MS, "home");
	E2E_CHECK(h, g, !e2e_wait_text(h, PHONE, 300), "the answers are still on the screen");
	E2E_CHECK(h, g, e2e_wait_log(h, "reconcile: a submission never reached the gateway: kept for its citizen", 60000),
	          "never asked about by key");
	login_home(h, g, CIT);
	e2e_expect(h, g, T_HELD, WAIT_MS, "offered at the next log-in");
	h_type(h, "1");
	e2e_expect(h, g, T_DONE, WAIT_MS, "submitted");
	E2E_CHECK(h, g, n_apps(g, CIT, "svc-social-card") == 1, "%d applications", n_apps(g, CIT, "svc-social-card"));
	e2e_finish(h, g);
}

/* ==== 3. the gateway refuses what the kiosk accepted (422) ============================== */

/* The kiosk's clock and the gateway's disagree on what "today" is (the
 * kiosk 12 hours behind UTC, the gateway 14 ahead: always a day or two
 * apart). 燃气安全检查预约 takes a date from today on: the kiosk's today
 * passes its own check and the gateway refuses it (422 out_of_range). The
 * gateway's words come back under the date, with 出错了, on the date's
 * page; corrected, it goes through with a new key: one application. */
Test(apply_attack, refused_date_mapped_back_to_its_page, .timeout = 200)
{
	setenv("TZ", "GWY-14", 1);
	tzset();
	struct gwd *g = e2e_start_gateway(NULL);
	setenv("TZ", "KSK+12", 1);
	tzset();
	struct harness *h = start(g, NULL, COLS, ROWS, NULL);
	open_form(h, g, T_GAS_CHECK, CIT);
	e2e_expect(h, g, "手机号码", WAIT_MS, "the phone");
	pay_type_slowly(h, PHONE);
	h_key(h, H_ENTER);
	e2e_expect(h, g, "上门地址", WAIT_MS, "the address");
	pay_type_slowly(h, "Chaoyang Road 1");
	h_key(h, H_ENTER);
	e2e_expect(h, g, "预约日期", WAIT_MS, "the date");
	time_t now = time(NULL);
	struct tm tm;
	localtime_r(&now, &tm); /* the kiosk's today */
	char d[16];
	strftime(d, sizeof d, "%Y%m%d", &tm);
	pay_type_slowly(h, d);
	h_key(h, H_ENTER);
	e2e_expect(h, g, "时段", WAIT_MS, "the kiosk took its today");
	h_type(h, "1");
	h_key(h, H_ENTER);
	e2e_expect(h, g, T_CHECK, WAIT_MS, "the check page");
	h_key(h, H_ENTER);
	e2e_expect(h, g, "日期不能早于今天", WAIT_MS, "the gateway's words");
	e2e_expect(h, g, T_PROBLEM, WAIT_MS, "出错了");
	e2e_expect(h, g, "预约日期", WAIT_MS, "on the date's page");
	E2E_CHECK(h, g, !e2e_wait_text(h, T_CHECK, 300), "still on the check page");
	E2E_CHECK(h, g, e2e_log_count(h, "submission refused (422 validation_failed)") == 1, "not taken as refused");
	/* Three days on is a day to the gateway too. */
	clear_answer(h, 8);
	now += 3 * 86400;
	localtime_r(&now, &tm);
	strftime(d, sizeof d, "%Y%m%d", &tm);
	pay_type_slowly(h, d);
	h_key(h, H_ENTER);
	e2e_expect(h, g, T_CHECK, WAIT_MS, "corrected: straight back to the check page");
	h_key(h, H_ENTER);
	e2e_expect(h, g, T_DONE, WAIT_MS, "accepted");
	E2E_CHECK(h, g, n_apps(g, CIT, "svc-util-gas-check") == 1, "%d applications",
	          n_apps(g, CIT, "svc-util-gas-check"));
	char *l = ledger(h);
	E2E_CHECK(h, g, pay_count_of(l, "refused") == 1 && pay_count_of(l, "delivered") == 1,
	          "the outbox does not hold one refused and one delivered submission:\n%s", l);
	free(l);
	e2e_finish(h, g);
}

/* A 422 naming several fields with hostile words (escape sequences, a
 * bidi override, a CJK message longer than any buffer), one prefilled
 * field (nobody applies in someone else's name) and one the form does not
 * have: the first field's page with its words, clean; how many need
 * changing; the prefilled one never opened for editing. Then the gateway's
 * own answer. */
Test(apply_attack, refusal_naming_fields_with_hostile_words)
{
	struct gwd *g = e2e_start_gateway(NULL);
	const char *url = tamper_start(g);
	struct harness *h = start(g, url, COLS, ROWS, NULL);
	open_form(h, g, T_SOCIAL, CIT);
	fill_social_card(h, g);
	char longmsg[3000] = "";
	for (int i = 0; i < 300; i++)
		strcat(longmsg, "银");
	char *body = e2e_fmt(
		"{\"type\":\"urn:kiosk-gateway:problem:validation_failed\",\"title\":\"填写内容有误\",\"status\":422,"
		"\"code\":\"validation_failed\",\"detail\":\"\\u001b[2J请根据提示修改\","
		"\"errors\":[{\"field\":\"name\",\"code\":\"prefill_mismatch\",\"message\":\"须为登录本人的姓名\"},"
		"{\"field\":\"phone\",\"code\":\"invalid\",\"message\":\"\\u001b[31m手机号码\\u202e不对\\u0007\\u009b1m\"},"
		"{\"field\":\"nosuch\",\"code\":\"unknown_field\",\"message\":\"没有这一项\"},"
		"{\"field\":\"bank\",\"code\":\"invalid\",\"message\":\"%s\"}]}",
		longmsg);
	tamper_set("POST", "/v1/applications", 422, body);
	free(body);
	h_key(h, H_ENTER);
	e2e_expect(h, g, T_PROBLEM, WAIT_MS, "refused: 出错了");
	e2e_expect(h, g, "有2处需要修改", WAIT_MS, "two answers to change");
	e2e_expect(h, g, "手机号码", WAIT_MS, "the phone's page");
	e2e_expect(h, g, "不对", WAIT_MS, "the gateway's words, cleaned");
	E2E_CHECK(h, g, !e2e_wait_text(h, T_CHECK, 300), "still on the check page");
	/* Next: the phone is fine to the kiosk; back to the check page. */
	h_key(h, H_ENTER);
	e2e_expect(h, g, T_CHECK, WAIT_MS, "back on the check page");
	/* The bank's page carries its (long) words. */
	h_type(h, "4");
	e2e_expect(h, g, "发卡银行", WAIT_MS, "the bank's page");
	e2e_expect(h, g, "银银银银", WAIT_MS, "the bank's words");
	h_key(h, H_ENTER);
	e2e_expect(h, g, T_CHECK, WAIT_MS, "check page");
	/* The name is the log-in's: not opened for a change. */
	h_type(h, "1");
	h_settle(h, 300, 2000);
	E2E_CHECK(h, g, e2e_wait_text(h, T_CHECK, 1000), "the prefilled name opened for a change");
	E2E_CHECK(h, g, tamper_hits("POST", "/v1/applications") == 1, "%d posts", tamper_hits("POST", "/v1/applications"));
	tamper_set("POST", "/v1/applications", 0, NULL);
	h_key(h, H_ENTER);
	e2e_expect(h, g, T_DONE, WAIT_MS, "accepted by the gateway itself");
	E2E_CHECK(h, g, n_apps(g, CIT, "svc-social-card") == 1, "%d applications", n_apps(g, CIT, "svc-social-card"));
	e2e_finish(h, g);
}

/* 422 with no field at all (a gateway's {"status":422} fault): the title
 * and detail at the top of the check page; 提交 again goes through. */
Test(apply_attack, refusal_without_fields_said_on_the_check_page)
{
	struct gwd *g = e2e_start_gateway(NULL);
	struct harness *h = start(g, NULL, COLS, ROWS, NULL);
	open_form(h, g, T_SOCIAL, CIT);
	fill_social_card(h, g);
	e2e_set_faults(g, "{\"status\":422,\"paths\":[\"/v1/applications\"]}");
	h_key(h, H_ENTER);
	e2e_expect(h, g, T_PROBLEM, WAIT_MS, "出错了");
	e2e_expect(h, g, T_CHECK, WAIT_MS, "on the check page");
	e2e_set_faults(g, "{}");
	h_key(h, H_ENTER);
	e2e_expect(h, g, T_DONE, WAIT_MS, "accepted");
	E2E_CHECK(h, g, n_apps(g, CIT, "svc-social-card") == 1, "%d applications", n_apps(g, CIT, "svc-social-card"));
	e2e_finish(h, g);
}

/* Found broken: the application number of a 201 went to the screen,
 * voice and the ledger as the gateway wrote it (a U+202E drawn on the
 * confirmation). Now a number full of escape sequences, a bidi override
 * and 5,000 more characters (a gateway gone wrong) is drawn cleaned and
 * cut, the ledger holds nothing raw. */
Test(apply_attack, hostile_application_number_drawn_clean)
{
	struct gwd *g = e2e_start_gateway(NULL);
	const char *url = tamper_start(g);
	struct harness *h = start(g, url, COLS, ROWS, NULL);
	open_form(h, g, T_SOCIAL, CIT);
	fill_social_card(h, g);
	char tail[5001];
	memset(tail, 'Q', 5000);
	tail[5000] = '\0';
	char *body = e2e_fmt("{\"id\":\"\\u001b[2J\\u001b]0;pwned\\u0007SQ\\u202e2026\\u0085%s\",\"status\":\"submitted\","
	                     "\"service_id\":\"svc-social-card\",\"service_name\":\"\\u001b[31m社会保障卡申领\","
	                     "\"created_at\":\"2026-12-03T11:02:10Z\",\"payment\":null}",
	                     tail);
	tamper_set("POST", "/v1/applications", 201, body);
	free(body);
	h_key(h, H_ENTER);
	e2e_expect(h, g, T_DONE, WAIT_MS, "confirmed");
	e2e_expect(h, g, "SQ", WAIT_MS, "the number, cleaned");
	h_settle(h, 300, 2000);
	e2e_clean(h, g, "the confirmation");
	char *l = ledger(h);
	E2E_CHECK(h, g, !strchr(l, '\033') && !strstr(l, "\xe2\x80\xae"), "the ledger holds it raw:\n%.400s", l);
	free(l);
	h_type(h, "1");
	e2e_expect_row(h, g, 0, T_MINE, WAIT_MS, "my applications after it");
	e2e_finish(h, g);
}

/* ==== 4. a form this kiosk cannot read ================================================== */

/* Forms the reference gateway would never serve (gatewayd --catalog
 * refuses them: a field type it does not know, a select without options,
 * min after max, more than 50 fields): the kiosk is sent each through the
 * proxy, as another gateway might. The service's page still shows, with
 * where to apply and "暂不能在本机填表，请到窗口办理"; 在线申请 is neither
 * drawn nor taken (4 does nothing); no crash. */
Test(apply_attack, unreadable_forms_hide_apply_not_the_service, .timeout = 200)
{
	struct gwd *g = e2e_start_gateway(NULL);
	const char *url = tamper_start(g);
	struct harness *h = start(g, url, COLS, ROWS, NULL);
	login_home(h, g, CIT);
	static const struct { const char *svc, *name, *form; } cases[] = {
		{ "svc-social-card", T_SOCIAL,
		  "{\"fields\":[{\"id\":\"sig\",\"type\":\"signature\",\"label\":\"签名\",\"required\":true}]}" },
		{ "svc-fund-rent", T_RENT,
		  "{\"fields\":[{\"id\":\"x\",\"type\":\"select\",\"label\":\"选一项\",\"required\":true,\"options\":[]}]}" },
		{ "svc-family-marriage", T_MARRIAGE,
		  "{\"fields\":[{\"id\":\"n\",\"type\":\"number\",\"label\":\"人数\",\"required\":true,\"min\":10,\"max\":1}]}" },
		{ "svc-util-gas-check", T_GAS_CHECK, NULL /* 200 fields */ },
	};
	for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
		char path[128];
		snprintf(path, sizeof path, "/v1/services/%s", cases[c].svc);
		json_t *d = gw_json(g, path);
		json_t *form;
		if (cases[c].form) {
			form = json_loads(cases[c].form, 0, NULL);
		} else {
			json_t *fields = json_array();
			for (int i = 0; i < 200; i++) {
				char id[16];
				snprintf(id, sizeof id, "f%d", i);
				json_array_append_new(fields, json_pack("{s:s, s:s, s:s, s:b}", "id", id, "type", "text",
				                                        "label", "一项", "required", 1));
			}
			form = json_pack("{s:o}", "fields", fields);
		}
		cr_assert_not_null(form);
		json_object_set_new(d, "form", form);
		char *body = json_dumps(d, JSON_COMPACT);
		json_decref(d);
		tamper_set("GET", path, 200, body);
		free(body);
		open_service(h, g, cases[c].name);
		e2e_expect(h, g, T_NO_FORM, WAIT_MS, "the page says to apply at the window");
		struct frame f;
		frame_of(h, g, "service", &f);
		E2E_CHECK(h, g, !frame_has(&f, ID_SVC_APPLY), "%s: 在线申请 drawn", cases[c].svc);
		E2E_CHECK(h, g, !e2e_wait_text(h, e2e_item(4, T_APPLY), 200), "%s: 在线申请 offered", cases[c].svc);
		int forms = e2e_log_count(h, "screen: enter form");
		h_type(h, "4");
		h_settle(h, 300, 2000);
		E2E_CHECK(h, g, e2e_log_count(h, "screen: enter form") == forms, "%s: 4 opened the form", cases[c].svc);
		E2E_CHECK(h, g, e2e_wait_title(h, cases[c].name, 1000), "%s: 4 left the page", cases[c].svc);
	}
	e2e_finish(h, g);
}

/* A date field whose min is after its max (min "2030-01-01", max
 * "2020-01-01"): no day can be answered, so the model refuses the form
 * (kiosk/core/model.c) and 在线申请 is not offered. */
Test(apply_attack, date_min_after_max_hides_apply)
{
	struct gwd *g = e2e_start_gateway(NULL);
	const char *url = tamper_start(g);
	struct harness *h = start(g, url, COLS, ROWS, NULL);
	json_t *d = gw_json(g, "/v1/services/svc-util-gas-check");
	json_object_set_new(d, "form", json_loads("{\"fields\":[{\"id\":\"d\",\"type\":\"date\",\"label\":\"日期\","
	                                          "\"required\":true,\"min\":\"2030-01-01\",\"max\":\"2020-01-01\"}]}",
	                                          0, NULL));
	char *body = json_dumps(d, JSON_COMPACT);
	json_decref(d);
	tamper_set("GET", "/v1/services/svc-util-gas-check", 200, body);
	free(body);
	open_service(h, g, T_GAS_CHECK);
	e2e_expect(h, g, T_NO_FORM, WAIT_MS, "the page says to apply at the window");
	e2e_finish(h, g);
}

/* ==== 5. the session ends mid-form ====================================================== */

/* The idle end (4 s here) on a half-typed page: home, the terminal
 * cleared, and the next log-in starts the form afresh at step 1, nothing
 * of what was typed anywhere on the screen. */
Test(apply_attack, idle_end_mid_form_leaves_nothing)
{
	struct gwd *g = e2e_start_gateway(NULL);
	const char *more[] = { "--idle-timeout", "4", NULL };
	struct harness *h = start(g, NULL, COLS, ROWS, more);
	open_form(h, g, T_SOCIAL, CIT);
	pay_type_slowly(h, PHONE);
	h_key(h, H_ENTER);
	e2e_expect(h, g, "发卡银行", WAIT_MS, "step 2");
	h_type(h, "3");
	h_key(h, H_ESC);
	e2e_expect(h, g, PHONE, WAIT_MS, "back: the phone");
	h_record(h);
	E2E_CHECK(h, g, e2e_wait_log(h, "session: ended (idle", 30000), "no idle end");
	E2E_CHECK(h, g, e2e_wait_title(h, E2E_T_HOME, WAIT_MS), "the idle end did not go home");
	e2e_expect_cleared(h, g, "the idle end mid-form");
	open_form(h, g, T_SOCIAL, CIT);
	E2E_CHECK(h, g, e2e_wait_text(h, "第1步，共6步", 1000), "not step 1");
	E2E_CHECK(h, g, !e2e_wait_text(h, "13912", 500), "the last session's phone is back");
	h_key(h, H_ENTER);
	e2e_expect(h, g, T_PROBLEM, WAIT_MS, "the phone is empty: 出错了");
	e2e_finish(h, g);
}

/* ==== 6. pressed twice ================================================================== */

/* Enter pressed again and again on the check page, a person's pace (the
 * answer comes between two presses), then 提交 touched twice: one POST,
 * one application each time. Found broken: the second Enter, meant for
 * 提交, landed on the confirmation (the answer takes milliseconds) and
 * picked its first choice, 我的办件; the third opened an application: the
 * number to keep was never seen. Now the confirmation takes Enter only
 * once an arrow has moved onto a choice (digits act at once). */
Test(apply_attack, double_presses_make_one_application, .timeout = 200)
{
	struct gwd *g = e2e_start_gateway(NULL);
	struct harness *h = start(g, NULL, COLS, ROWS, NULL);
	open_form(h, g, T_SOCIAL, CIT);
	fill_social_card(h, g);
	for (int i = 0; i < 5; i++) {
		h_key(h, H_ENTER);
		h_pump(h, 120);
	}
	e2e_expect(h, g, T_DONE, WAIT_MS, "confirmed");
	h_settle(h, 300, 2000);
	E2E_CHECK(h, g, e2e_wait_text(h, T_DONE, 500) && e2e_log_count(h, "screen: enter mine") == 0,
	          "the presses after 提交 left the confirmation");
	E2E_CHECK(h, g, e2e_log_lines(h, "POST /v1/applications") == 1, "%d POSTs",
	          e2e_log_lines(h, "POST /v1/applications"));
	E2E_CHECK(h, g, n_apps(g, CIT, "svc-social-card") == 1, "%d applications", n_apps(g, CIT, "svc-social-card"));
	/* The same again, by touch. */
	open_form(h, g, T_SOCIAL, NULL);
	fill_social_card(h, g);
	struct frame f;
	frame_of(h, g, "form", &f);
	E2E_CHECK(h, g, frame_has(&f, ID_FORM_SUBMIT), "no 提交 to touch");
	click_target(h, g, &f, ID_FORM_SUBMIT);
	click_target(h, g, &f, ID_FORM_SUBMIT);
	h_pump(h, 150);
	click_target(h, g, &f, ID_FORM_SUBMIT);
	e2e_expect(h, g, T_DONE, WAIT_MS, "confirmed");
	h_settle(h, 300, 2000);
	E2E_CHECK(h, g, e2e_wait_text(h, T_DONE, 500), "the touches after 提交 left the confirmation");
	E2E_CHECK(h, g, e2e_log_lines(h, "POST /v1/applications") == 2, "%d POSTs in all",
	          e2e_log_lines(h, "POST /v1/applications"));
	E2E_CHECK(h, g, n_apps(g, CIT, "svc-social-card") == 2, "%d applications", n_apps(g, CIT, "svc-social-card"));
	/* Digits still act on the confirmation. */
	h_type(h, "1");
	e2e_expect_row(h, g, 0, T_MINE, WAIT_MS, "1: my applications");
	e2e_finish(h, g);
}

/* ==== 7. what is typed ================================================================== */

/* Raw bytes nobody should type: control characters, an escape sequence
 * (ESC [ 31 m), invalid UTF-8, a bidi override. */
static void type_junk(struct harness *h, struct gwd *g, const char *step)
{
	static const char junk[] = "\x01\x02\x07\x0b\x1b[31m\x1b]0;pwned\x07\xff\xfe\xc0\x80\xed\xa0\x80";
	h_send(h, junk, sizeof junk - 1);
	h_settle(h, 200, 2000);
	e2e_clean(h, g, step);
	E2E_CHECK(h, g, !e2e_wait_text(h, "pwned", 100) && !e2e_wait_text(h, "31m", 100), "%s: junk typed in", step);
}

/* 租房提取住房公积金: phone, rent (money), months (number), bank card
 * (text, 19 at most), the promise. Every wrong key or answer gets words
 * that say how to fix it; nothing crashes or is drawn raw; the answers
 * at last pass the gateway too. */
Test(apply_attack, bad_typing_on_number_money_and_text_pages, .timeout = 200)
{
	struct gwd *g = e2e_start_gateway(NULL);
	struct harness *h = start(g, NULL, COLS, ROWS, NULL);
	open_form(h, g, T_RENT, CIT);
	/* phone */
	type_junk(h, g, "junk on the phone's page");
	h_type(h, "a");
	e2e_expect(h, g, T_DIGITS_ONLY, WAIT_MS, "a letter on the phone");
	pay_type_slowly(h, PHONE "999");
	e2e_expect(h, g, "这一项已经填满了", WAIT_MS, "a twelfth digit");
	e2e_expect(h, g, PHONE, WAIT_MS, "eleven kept");
	E2E_CHECK(h, g, !e2e_wait_text(h, PHONE "9", 200), "more than 11 digits taken");
	h_key(h, H_ENTER);
	/* money */
	e2e_expect(h, g, "月租金", WAIT_MS, "the rent");
	type_junk(h, g, "junk on the money page");
	h_type(h, ".");
	h_key(h, H_ENTER);
	e2e_expect(h, g, T_PROBLEM, WAIT_MS, "a lone '.'");
	pay_type_slowly(h, "3.5.");
	e2e_expect(h, g, "金额只能有一个小数点", WAIT_MS, "a second '.'");
	h_type(h, "x");
	e2e_expect(h, g, T_DIGITS_ONLY, WAIT_MS, "a letter in money");
	h_key(h, H_ENTER);
	e2e_expect(h, g, "金额", WAIT_MS, "too little said");
	clear_answer(h, 6);
	pay_type_slowly(h, "999999999999999999");
	e2e_expect(h, g, "这一项已经填满了", WAIT_MS, "money: too many digits");
	h_key(h, H_ENTER);
	e2e_expect(h, g, T_PROBLEM, WAIT_MS, "a huge rent");
	clear_answer(h, 20);
	pay_type_slowly(h, "3000.50");
	h_key(h, H_ENTER);
	/* number */
	e2e_expect(h, g, "提取月数", WAIT_MS, "the months");
	type_junk(h, g, "junk on the number page");
	h_type(h, "-");
	h_key(h, H_ENTER);
	e2e_expect(h, g, T_PROBLEM, WAIT_MS, "a lone '-'");
	pay_type_slowly(h, "1-");
	e2e_expect(h, g, T_DIGITS_ONLY, WAIT_MS, "a '-' inside");
	pay_type_slowly(h, "3");
	h_key(h, H_ENTER);
	e2e_expect(h, g, "1 到 12", WAIT_MS, "out of range: the range said");
	clear_answer(h, 6);
	pay_type_slowly(h, "6");
	h_key(h, H_ENTER);
	/* text, 19 at most */
	e2e_expect(h, g, "收款银行卡号", WAIT_MS, "the bank card");
	type_junk(h, g, "junk on the text page");
	h_type(h, "\xe2\x80\xae"); /* U+202E from an input method */
	e2e_expect(h, g, "这里不能输入这个字符", WAIT_MS, "a bidi override refused");
	pay_type_slowly(h, "6222020200112233445566");
	e2e_expect(h, g, "最多只能填写 19 个字", WAIT_MS, "the 20th character");
	e2e_expect(h, g, "6222020200112233445", WAIT_MS, "19 kept");
	E2E_CHECK(h, g, !e2e_wait_text(h, "62220202001122334455", 200), "a 20th character taken");
	clear_answer(h, 19);
	/* A paste of 600 bytes from an input method: the first 19 characters. */
	char paste[1000] = "";
	for (int i = 0; i < 200; i++)
		strcat(paste, "卡");
	h_type(h, paste);
	h_settle(h, 300, 3000);
	e2e_expect(h, g, "最多只能填写 19 个字", WAIT_MS, "the paste cut at 19");
	e2e_clean(h, g, "after the paste");
	h_key(h, H_ENTER);
	/* the promise: only 1 or 2 */
	e2e_expect(h, g, "本人承诺", WAIT_MS, "the promise");
	type_junk(h, g, "junk on the promise");
	h_type(h, "7x");
	h_key(h, H_ENTER);
	e2e_expect(h, g, T_PROBLEM, WAIT_MS, "nothing chosen");
	h_type(h, "1");
	h_key(h, H_ENTER);
	e2e_expect(h, g, T_CHECK, WAIT_MS, "the check page");
	e2e_expect(h, g, "3000.50", WAIT_MS, "the rent as typed");
	h_key(h, H_ENTER);
	e2e_expect(h, g, T_DONE, WAIT_MS, "the gateway takes it");
	log_clean(h, g, (const char *const[]){ PHONE, "6222020200112233445", "3000.50", "卡卡卡", NULL });
	e2e_finish(h, g);
}

/* 结婚登记预约: the partner's ID number (idcard) and the date. Found
 * broken on the way: with 8 answers the check page's rows shrank to 3
 * lines, a box with room for the question only, and no answer could be
 * checked (at 120x40; at 80x24 from 5 answers on, and in large mode
 * always); the rows now keep room for the answer and the list pages. */
Test(apply_attack, bad_typing_on_id_and_date_pages, .timeout = 200)
{
	struct gwd *g = e2e_start_gateway(NULL);
	struct harness *h = start(g, NULL, COLS, ROWS, NULL);
	open_form(h, g, T_MARRIAGE, CIT);
	pay_type_slowly(h, PHONE);
	h_key(h, H_ENTER);
	e2e_expect(h, g, "对方姓名", WAIT_MS, "the partner's name");
	h_type(h, "王芳");
	h_settle(h, 200, 2000);
	h_key(h, H_ENTER);
	/* ID number */
	e2e_expect(h, g, "对方身份证号码", WAIT_MS, "the partner's ID");
	type_junk(h, g, "junk on the ID page");
	pay_type_slowly(h, "3101041992X");
	e2e_expect(h, g, "X 只能是身份证号码的最后一位", WAIT_MS, "an X in the middle");
	pay_type_slowly(h, "082104689");
	e2e_expect(h, g, "这一项已经填满了", WAIT_MS, "a 19th character");
	e2e_expect(h, g, "310104199208210468", WAIT_MS, "18 kept");
	h_key(h, H_ENTER);
	e2e_expect(h, g, "身份证号码不对", WAIT_MS, "a wrong check character");
	h_key(h, H_BACKSPACE);
	h_type(h, "x");
	e2e_expect(h, g, "31010419920821046X", WAIT_MS, "x taken as X, last");
	h_key(h, H_BACKSPACE);
	h_type(h, "7");
	h_key(h, H_ENTER);
	e2e_expect(h, g, "预约日期", WAIT_MS, "a good ID: the date");
	/* date */
	type_junk(h, g, "junk on the date page");
	h_type(h, "a");
	e2e_expect(h, g, T_DIGITS_ONLY, WAIT_MS, "a letter in a date");
	pay_type_slowly(h, "20270230");
	h_key(h, H_ENTER);
	e2e_expect(h, g, "没有这一天", WAIT_MS, "30 February");
	clear_answer(h, 8);
	pay_type_slowly(h, "00000101");
	h_key(h, H_ENTER);
	e2e_expect(h, g, T_PROBLEM, WAIT_MS, "the year 0000");
	clear_answer(h, 8);
	pay_type_slowly(h, "20271315");
	h_key(h, H_ENTER);
	e2e_expect(h, g, T_PROBLEM, WAIT_MS, "month 13");
	clear_answer(h, 8);
	pay_type_slowly(h, "20270315");
	h_key(h, H_ENTER);
	e2e_expect(h, g, "时段", WAIT_MS, "a good date: the time");
	h_type(h, "2");
	h_key(h, H_ENTER);
	e2e_expect(h, g, "完全自愿", WAIT_MS, "consent");
	h_type(h, "1");
	h_key(h, H_ENTER);
	e2e_expect(h, g, T_CHECK, WAIT_MS, "the check page");
	e2e_expect(h, g, "2027-03-15", WAIT_MS, "the date as an answer");
	h_key(h, H_ENTER);
	e2e_expect(h, g, T_DONE, WAIT_MS, "the gateway takes it");
	log_clean(h, g, (const char *const[]){ PHONE, "310104199208210467", "王芳", NULL });
	e2e_finish(h, g);
}

/* ==== 8. large text, English, small screens ============================================= */

struct tour {
	const char *lang, *mode;
	int cols, rows;
};

/* The texts of the screens in the tour's language. */
static const char *tr(const struct tour *t, const char *zh, const char *en)
{
	return t->lang && !strcmp(t->lang, "en") ? en : zh;
}

/* The frame of the form checked (frame_check), with 上一步 and 下一步
 * (or 提交) to touch. */
static void form_frame(struct harness *h, struct gwd *g, const char *step, bool check_page)
{
	struct frame f;
	frame_of(h, g, "form", &f);
	frame_check(h, g, &f, step);
	E2E_CHECK(h, g, frame_has(&f, ID_FORM_BACK), "%s: no back button", step);
	E2E_CHECK(h, g, frame_has(&f, check_page ? ID_FORM_SUBMIT : ID_FORM_NEXT), "%s: no %s button", step,
	          check_page ? "submit" : "next");
}

/* 结婚登记预约 end to end: every page (text with its keyboard, ID number
 * and phone pads, the date's three parts, a choice, yes/no), each also
 * with 出错了 at the top, and the check page, at the tour's size and mode:
 * every target inside the screen and apart, no text over another or cut
 * by a button, 上一步 and 下一步 always there; Enter moves on wherever the
 * keyboard or the choices did not fit; the check page shows answers.
 * Found broken: in English the date's units were cut by the next part's
 * box ("yea", "mont" drawn as "mon…" under it); in large mode the check
 * page showed questions without their answers (see
 * bad_typing_on_id_and_date_pages). */
static void tour(const struct tour *t)
{
	struct gwd *g = e2e_start_gateway(NULL);
	const char *more[8];
	int n = 0;
	if (t->lang) {
		more[n++] = "--lang";
		more[n++] = t->lang;
	}
	if (t->mode) {
		more[n++] = "--mode";
		more[n++] = t->mode;
	}
	more[n] = NULL;
	struct harness *h = start_titled(g, NULL, t->cols, t->rows, more, tr(t, E2E_T_HOME, "Government Services"));
	const char *svc = tr(t, T_MARRIAGE, "Book a marriage registration");
	h_type(h, tr(t, T_MARRIAGE, "marriage registration"));
	e2e_expect(h, g, e2e_item(1, svc), WAIT_MS, "search: the service first");
	h_type(h, "1");
	e2e_expect_row(h, g, 0, svc, WAIT_MS, "the service's page");

	e2e_expect(h, g, tr(t, T_APPLY, "Apply online"), WAIT_MS, "the page offers 在线申请");
	h_type(h, "4");
	e2e_expect_row(h, g, 0, tr(t, T_LOGIN, "Log in"), WAIT_MS, "apply: log in first");
	scan_citizen(h, g, CIT);
	const char *step1 = tr(t, "第1步", "Step 1 of");
	e2e_expect(h, g, step1, WAIT_MS, "the form's first page");
	const char *problem = tr(t, T_PROBLEM, "There is a problem");
	static const struct { const char *what, *answer; } pages[] = {
		{ "phone", PHONE },
		{ "partner's name (text)", "Wang Fang" },
		{ "partner's ID number", "310104199208210467" },
		{ "date", "20270315" },
		{ "time (choice)", "1" },
		{ "consent (yes/no)", "1" },
	};
	for (size_t p = 0; p < sizeof pages / sizeof pages[0]; p++) {
		char step[160];
		snprintf(step, sizeof step, "%dx%d %s %s: %s", t->cols, t->rows, t->lang ? t->lang : "zh_CN",
		         t->mode ? t->mode : "normal", pages[p].what);
		form_frame(h, g, step, false);
		if (p != 4) { /* the time's empty answer: the summary, checked below */
			h_key(h, H_ENTER);
			e2e_expect(h, g, problem, WAIT_MS, step);
			strcat(step, ", with 出错了");
			form_frame(h, g, step, false);
		}
		pay_type_slowly(h, pages[p].answer);
		h_key(h, H_ENTER);
		h_settle(h, 200, 2000);
		e2e_expect_gone(h, g, problem, WAIT_MS, step);
	}
	e2e_expect(h, g, tr(t, T_CHECK, "Last step: check your answers"), WAIT_MS, "the check page");
	form_frame(h, g, "the check page", true);
	/* The first row's answer (the name, from the log-in) is there to check. */
	e2e_expect(h, g, tr(t, "取自登录信息", "(from your log-in)"), WAIT_MS, "the check page shows the answers");
	h_key(h, H_ENTER);
	e2e_expect(h, g, tr(t, T_DONE, "Your application has been submitted."), WAIT_MS, "submitted");
	struct frame f;
	frame_of(h, g, "applied", &f);
	frame_check(h, g, &f, "the confirmation");
	E2E_CHECK(h, g, n_apps(g, CIT, "svc-family-marriage") == 1, "%d applications",
	          n_apps(g, CIT, "svc-family-marriage"));
	e2e_finish(h, g);
}

Test(apply_attack, layout_large_80x24, .timeout = 200)
{
	tour(&(struct tour){ NULL, "large", 80, 24 });
}

Test(apply_attack, layout_english_80x24, .timeout = 200)
{
	tour(&(struct tour){ "en", NULL, 80, 24 });
}

Test(apply_attack, layout_english_large_120x40, .timeout = 200)
{
	tour(&(struct tour){ "en", "large", 120, 40 });
}

/* ==== 9. voice mode ===================================================================== */

/* Utterances of the transcript (--speech log:FILE), "LANG\tTEXT" a line. */
static int said_lines(char ***out)
{
	char *all = e2e_slurp_str(speech);
	int n = 0;
	char **v = NULL;
	for (char *save = NULL, *line = strtok_r(all, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		v = realloc(v, sizeof *v * (size_t)(n + 1));
		char *tab = strchr(line, '\t');
		v[n++] = strdup(tab ? tab + 1 : line);
	}
	free(all);
	*out = v;
	return n;
}

static void said_free(char **v, int n)
{
	for (int i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

/* The first utterance from `from` on that holds needle (its index), within
 * WAIT_MS. */
static int wait_said(struct harness *h, struct gwd *g, int from, const char *needle, const char *step)
{
	long long end = e2e_now_ms() + WAIT_MS;
	for (;;) {
		char **v;
		int n = said_lines(&v), at = -1;
		for (int i = from; i < n && at < 0; i++)
			if (strstr(v[i], needle))
				at = i;
		said_free(v, n);
		if (at >= 0)
			return at;
		E2E_CHECK(h, g, e2e_now_ms() < end, "%s: \"%s\" never said", step, needle);
		h_pump(h, 50);
	}
}

static int n_said(void)
{
	char **v;
	int n = said_lines(&v);
	said_free(v, n);
	return n;
}

/* Found broken: voice mode read a phone and an ID number out in full, to
 * everyone in the hall: each digit as it was typed, "已输入：13912345678"
 * on the page, and every answer on the check page. Now the digits typed
 * are counted ("手机号码，已输入3位"), never said; and a wrong answer's
 * words are said first, once. */
Test(apply_attack, voice_never_reads_id_or_phone_numbers, .timeout = 200)
{
	struct gwd *g = e2e_start_gateway(NULL);
	paths();
	char sp[900];
	snprintf(sp, sizeof sp, "log:%s", speech);
	const char *more[] = { "--mode", "voice", "--speech", sp, NULL };
	struct harness *h = start(g, NULL, COLS, ROWS, more);
	open_form(h, g, T_MARRIAGE, CIT);
	wait_said(h, g, 0, "手机号码", "the phone's page said");
	h_settle(h, 300, 2000);
	/* Utterances said while a phone or an ID number was typed. */
	int typing[3][2];
	int from = typing[0][0] = n_said();
	pay_type_slowly(h, "1391");
	h_settle(h, 300, 2000);
	wait_said(h, g, from, "已输入4位", "the digits counted");
	/* A wrong answer: its words first. */
	from = typing[0][1] = n_said();
	h_key(h, H_ENTER);
	int at = wait_said(h, g, from, "手机号码为11位数字", "the error said");
	E2E_CHECK(h, g, at == from, "something was said before the error");
	h_settle(h, 300, 2000);
	typing[1][0] = n_said();
	pay_type_slowly(h, "2345678");
	h_settle(h, 300, 2000);
	typing[1][1] = n_said();
	h_key(h, H_ENTER);
	wait_said(h, g, from, "对方姓名", "the partner's name");
	h_type(h, "王芳");
	h_settle(h, 300, 2000);
	h_key(h, H_ENTER);
	wait_said(h, g, from, "对方身份证号码", "the partner's ID");
	h_settle(h, 300, 2000);
	typing[2][0] = n_said();
	pay_type_slowly(h, "310104199208210467");
	h_settle(h, 300, 2000);
	typing[2][1] = n_said();
	h_key(h, H_ENTER);
	wait_said(h, g, from, "预约日期", "the date");
	pay_type_slowly(h, "20270315");
	h_key(h, H_ENTER);
	wait_said(h, g, from, "时段", "the time");
	h_type(h, "1");
	h_key(h, H_ENTER);
	wait_said(h, g, from, "完全自愿", "consent");
	h_type(h, "1");
	h_key(h, H_ENTER);
	int check = wait_said(h, g, from, "最后一步", "the check page");
	/* Back to the phone's page from the check page: its answer counted. */
	h_type(h, "3");
	wait_said(h, g, check, "已输入11位", "the phone's page again");
	h_key(h, H_ENTER);
	wait_said(h, g, check + 1, "最后一步", "the check page again");
	h_settle(h, 500, 2000);
	char **v;
	int n = said_lines(&v);
	for (int i = 0; i < n; i++) {
		bool echo = false;
		for (int k = 0; k < 3; k++)
			echo |= i >= typing[k][0] && i < typing[k][1] && strpbrk(v[i], "0123456789") &&
			        !strstr(v[i], "已输入");
		bool phone = strstr(v[i], "1391234") || strstr(v[i], "2345678");
		bool idno = strstr(v[i], "31010419") || strstr(v[i], "08210467");
		char copy[600];
		snprintf(copy, sizeof copy, "%s", v[i]);
		if (echo || phone || idno) {
			said_free(v, n);
			E2E_CHECK(h, g, false, "utterance %d reads out what was typed: \"%s\"", i + 1, copy);
		}
	}
	said_free(v, n);
	e2e_finish(h, g);
}

/* ==== 10. 我的办件 and 电子证照 when the gateway fails ====================================== */

/* 我的办件 at 80x24 against a gateway that fails (500), is too slow, or
 * sends garbage (truncated JSON, wrong types, 5 MiB, nested 100 deep, a
 * captive portal's HTML, a 404, escape sequences in every text): plain
 * words and 重试, never a crash or a raw byte; 重试 with the gateway well
 * again lists the applications. Found broken: at 80x24 the list's rows
 * were boxes of 3 lines, room for the service's name only: no application
 * number or date was shown. */
Test(apply_attack, my_applications_against_a_failing_gateway, .timeout = 200)
{
	struct gwd *g = e2e_start_gateway(NULL);
	const char *more[] = { "--config", short_timeouts(), NULL };
	struct harness *h = start(g, NULL, 80, 24, more);
	login_home(h, g, CIT);
	static const char *const faults[] = {
		"{\"error_rate\":1.0,\"paths\":[\"/v1/me/applications\"]}",
		"{\"latency_ms\":3000,\"paths\":[\"/v1/me/applications\"]}",
		"{\"body\":\"malformed\",\"paths\":[\"/v1/me/applications\"]}",
		"{\"body\":\"wrong_types\",\"paths\":[\"/v1/me/applications\"]}",
		"{\"body\":\"huge\",\"paths\":[\"/v1/me/applications\"]}",
		"{\"body\":\"deep\",\"paths\":[\"/v1/me/applications\"]}",
		"{\"body\":\"html\",\"paths\":[\"/v1/me/applications\"]}",
		"{\"status\":404,\"paths\":[\"/v1/me/applications\"]}",
	};
	for (size_t i = 0; i < sizeof faults / sizeof faults[0]; i++) {
		e2e_set_faults(g, faults[i]);
		h_key(h, H_HOME);
		h_settle(h, E2E_QUIET_MS, 2000);
		h_type(h, "7");
		e2e_expect_row(h, g, 0, T_MINE, WAIT_MS, faults[i]);
		e2e_expect(h, g, T_RETRY, WAIT_MS, faults[i]);
		e2e_clean(h, g, faults[i]);
		E2E_CHECK(h, g, !e2e_wait_text(h, "户口市内迁移", 100), "%s: a list shown", faults[i]);
	}
	e2e_set_faults(g, "{}");
	h_type(h, "3"); /* 1 电子证照, 2 个人信息, 3 重试 */
	e2e_expect(h, g, "户口市内迁移", WAIT_MS, "重试: the list");
	/* Each with its number, at 80x24 too. */
	char id[64];
	app_id_of(g, CIT, "svc-household-move", id, sizeof id);
	e2e_expect(h, g, id, WAIT_MS, "the list shows each application's number");
	/* Escape sequences in every text: shown cleaned. */
	e2e_set_faults(g, "{\"body\":\"evil_strings\",\"paths\":[\"/v1/me/applications\"]}");
	h_key(h, H_HOME);
	h_settle(h, E2E_QUIET_MS, 2000);
	h_type(h, "7");
	e2e_expect_row(h, g, 0, T_MINE, WAIT_MS, "evil strings");
	e2e_expect(h, g, "户口市内迁移", WAIT_MS, "evil strings: the list");
	h_type(h, "4"); /* the second newest: 户口市内迁移, needs_more */
	e2e_expect(h, g, "户口簿", WAIT_MS, "evil strings: a timeline");
	e2e_clean(h, g, "evil strings: a timeline");
	e2e_finish(h, g);
}

/* Whether a QR is drawn anywhere (its half blocks). */
static bool qr_shown(struct harness *h)
{
	struct e2e_qr qr;
	e2e_find_qr(h, &qr);
	return qr.cols > 0;
}

/* The QR on the screen, read, is one the gateway takes now. */
static void qr_verifies(struct harness *h, struct gwd *g, const char *step)
{
	struct e2e_qr qr;
	bool read = false;
	for (long long end = e2e_now_ms() + WAIT_MS; !read && e2e_now_ms() < end;) {
		h_settle(h, E2E_QUIET_MS, 1000);
		read = e2e_find_qr(h, &qr);
	}
	E2E_CHECK(h, g, read, "%s: the QR did not decode: %s", step, qr.why);
	const char *v = strstr(qr.data, "/v/");
	E2E_CHECK(h, g, v, "%s: not a verification URL: %s", step, qr.data);
	char path[600], *ans = NULL;
	snprintf(path, sizeof path, "/v1/verify/%s", v + 3);
	int st = gwd_get(g, path, &ans);
	E2E_CHECK(h, g, st == 200 && ans && strstr(ans, "\"valid\":true"), "%s: the gateway says %s", step,
	          ans ? ans : "nothing");
	free(ans);
}

static void open_licence(struct harness *h, struct gwd *g)
{
	h_key(h, H_HOME);
	h_settle(h, E2E_QUIET_MS, 2000);
	h_type(h, "7");
	e2e_expect_row(h, g, 0, T_MINE, WAIT_MS, "my applications");
	e2e_expect(h, g, T_LICENCES, WAIT_MS, "the licences' item");
	int k = 0;
	for (int d = 1; d <= 9 && !k; d++)
		if (e2e_wait_text(h, e2e_item(d, T_LICENCES), 100))
			k = d;
	E2E_CHECK(h, g, k, "no numbered licences item");
	char key[2] = { (char)('0' + k), 0 };
	h_type(h, key);
	e2e_expect_row(h, g, 0, T_LICENCES, WAIT_MS, "the licences");
	e2e_expect(h, g, "居民身份证", WAIT_MS, "the ID card listed");
	h_type(h, "1");
	e2e_expect(h, g, "秒后更新", WAIT_MS, "the countdown");
}

/* Found broken: a licence QR stayed on screen after it went stale while
 * its refresh was slow to come: a photo of it, or a checker scanning it
 * then, got a code the gateway no longer takes. Now the code is hidden
 * from the moment it is due ("正在获取新的二维码……") until a fresh one
 * comes; a refresh that fails hides it too, with 重试. */
Test(apply_attack, licence_qr_never_shown_stale, .timeout = 200)
{
	const char *gw_args[] = { "--license-refresh-s", "4", NULL };
	struct gwd *g = e2e_start_gateway(gw_args);
	struct harness *h = start(g, NULL, COLS, ROWS, NULL);
	login_home(h, g, CIT);
	open_licence(h, g);
	qr_verifies(h, g, "the first QR");
	/* The refresh is slow (9 s, more than twice the code's life): every QR
	 * on the screen meanwhile is one the gateway still takes, and once
	 * the old one is due none is drawn until the new one comes. */
	e2e_set_faults(g, "{\"latency_ms\":9000,\"paths\":[\"/v1/me/licenses\"]}");
	int before = e2e_log_count(h, "GET /v1/me/licenses -> 200");
	int seen = 0, hidden = 0;
	while (e2e_log_count(h, "GET /v1/me/licenses -> 200") == before) {
		if (qr_shown(h)) {
			qr_verifies(h, g, "a QR while its refresh is out");
			seen++;
		} else if (e2e_wait_text(h, "正在获取新的二维码", 0)) {
			hidden++;
		}
		h_pump(h, 200);
	}
	E2E_CHECK(h, g, hidden > 0, "the QR was never hidden while its refresh was out (%d QRs read)", seen);
	e2e_expect(h, g, "秒后更新", WAIT_MS, "refreshed");
	qr_verifies(h, g, "the refreshed QR");
	/* The refresh fails: hidden, 重试. */
	e2e_set_faults(g, "{\"error_rate\":1.0,\"paths\":[\"/v1/me/licenses\"]}");
	e2e_expect(h, g, T_RETRY, WAIT_MS, "a failed refresh: 重试");
	h_settle(h, 300, 2000);
	E2E_CHECK(h, g, !qr_shown(h), "a QR left on screen after its refresh failed");
	e2e_set_faults(g, "{}");
	h_type(h, "1");
	e2e_expect(h, g, "居民身份证", WAIT_MS, "重试: the list");
	h_type(h, "1");
	e2e_expect(h, g, "秒后更新", WAIT_MS, "the QR again");
	qr_verifies(h, g, "the QR after 重试");
	/* Garbage for a list: plain words, no QR, no crash. */
	e2e_set_faults(g, "{\"body\":\"wrong_types\",\"paths\":[\"/v1/me/licenses\"]}");
	e2e_expect(h, g, T_UNREADABLE, WAIT_MS, "garbage: plain words");
	h_settle(h, 300, 2000);
	E2E_CHECK(h, g, !qr_shown(h), "a QR left on screen after garbage");
	e2e_finish(h, g);
}

/* ==== more: sizes and limits ============================================================ */

/* Every kind of page (and the check page, and the sending page) through
 * a storm of sizes, tiny ones included, in normal and large mode: no
 * crash, nothing raw drawn, and back at 120x40 the page works on. */
static void storm(struct harness *h, struct gwd *g, const char *step)
{
	static const int sizes[][2] = { { 20, 8 }, { 12, 5 }, { 4, 3 }, { 200, 60 }, { 30, 10 }, { 80, 24 }, { COLS, ROWS } };
	for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
		h_resize(h, sizes[i][0], sizes[i][1]);
		h_settle(h, E2E_QUIET_MS, 2000);
		E2E_CHECK(h, g, !h_exited(h), "%s: the kiosk died at %dx%d", step, sizes[i][0], sizes[i][1]);
		e2e_clean(h, g, step);
	}
}

static void storm_form(bool large)
{
	struct gwd *g = e2e_start_gateway(NULL);
	const char *more[] = { "--mode", large ? "large" : "normal", NULL };
	struct harness *h = start(g, NULL, COLS, ROWS, more);
	open_form(h, g, T_MARRIAGE, CIT);
	static const char *const answers[] = { PHONE, "Wang Fang", "310104199208210467", "20270315", "1", "1" };
	for (size_t p = 0; p < sizeof answers / sizeof answers[0]; p++) {
		char step[64];
		snprintf(step, sizeof step, "page %zu", p + 1);
		storm(h, g, step);
		pay_type_slowly(h, answers[p]);
		storm(h, g, step);
		h_key(h, H_ENTER);
		h_settle(h, 200, 2000);
	}
	e2e_expect(h, g, T_CHECK, WAIT_MS, "the check page");
	storm(h, g, "the check page");
	e2e_set_faults(g, "{\"error_rate\":1.0,\"paths\":[\"/v1/applications\"]}");
	h_key(h, H_ENTER);
	e2e_expect(h, g, T_LATER, WAIT_MS, "sending, no answer");
	storm(h, g, "sending");
	e2e_set_faults(g, "{}");
	h_type(h, "1");
	e2e_expect(h, g, T_DONE, WAIT_MS, "sent");
	storm(h, g, "the confirmation");
	E2E_CHECK(h, g, n_apps(g, CIT, "svc-family-marriage") == 1, "%d applications",
	          n_apps(g, CIT, "svc-family-marriage"));
	e2e_finish(h, g);
}

Test(apply_attack, size_storm_on_every_page)
{
	storm_form(false);
}

Test(apply_attack, size_storm_on_every_page_large)
{
	storm_form(true);
}

/* A form at the kiosk's limits, from a gateway other than ours (gatewayd
 * serves at most 50 fields): 100 fields (the most the kiosk takes), 97 of
 * them optional texts with labels of 300 characters, a choice of 150
 * options, a number with no bounds, a promise. Enter through every page,
 * the options' pages turned, the check page's pages turned, 提交: one
 * request, with every answer given. */
Test(apply_attack, a_form_at_the_limits, .timeout = 200)
{
	struct gwd *g = e2e_start_gateway(NULL);
	const char *url = tamper_start(g);
	struct harness *h = start(g, url, COLS, ROWS, NULL);
	json_t *d = gw_json(g, "/v1/services/svc-social-card");
	json_t *fields = json_array();
	char label[1000] = "";
	for (int i = 0; i < 300; i++)
		strcat(label, i % 50 ? "长" : "，");
	for (int i = 0; i < 97; i++) {
		char id[16];
		snprintf(id, sizeof id, "t%d", i);
		json_array_append_new(fields, json_pack("{s:s, s:s, s:s, s:b}", "id", id, "type", "text", "label", label,
		                                        "required", 0));
	}
	json_t *opts = json_array();
	for (int i = 0; i < 150; i++) {
		char v[16], l[32];
		snprintf(v, sizeof v, "o%d", i);
		snprintf(l, sizeof l, "选项%d", i + 1);
		json_array_append_new(opts, json_pack("{s:s, s:s}", "value", v, "label", l));
	}
	json_array_append_new(fields, json_pack("{s:s, s:s, s:s, s:b, s:o}", "id", "pick", "type", "select", "label",
	                                        "选一项", "required", 1, "options", opts));
	json_array_append_new(fields, json_pack("{s:s, s:s, s:s, s:b}", "id", "n", "type", "number", "label", "一个数",
	                                        "required", 1));
	json_array_append_new(fields, json_pack("{s:s, s:s, s:s, s:b}", "id", "agree", "type", "bool", "label", "同意",
	                                        "required", 1));
	json_object_set_new(d, "form", json_pack("{s:o}", "fields", fields));
	char *body = json_dumps(d, JSON_COMPACT);
	json_decref(d);
	tamper_set("GET", "/v1/services/svc-social-card", 200, body);
	free(body);
	tamper_set("POST", "/v1/applications", 201,
	           "{\"id\":\"SQ20261203999999\",\"status\":\"submitted\",\"service_id\":\"svc-social-card\","
	           "\"service_name\":\"社会保障卡申领\",\"created_at\":\"2026-12-03T11:02:10Z\",\"payment\":null}");
	open_form(h, g, T_SOCIAL, CIT);
	e2e_expect(h, g, "第1步，共101步", WAIT_MS, "100 pages and the check page");
	pay_type_slowly(h, "abc");
	for (int i = 0; i < 97; i++)
		h_key(h, H_ENTER);
	e2e_expect(h, g, "选一项", WAIT_MS, "the choice after 97 texts");
	e2e_expect(h, g, "第98步", WAIT_MS, "page 98");
	for (int i = 0; i < 16; i++)
		h_type(h, "0"); /* the options' pages, round again */
	e2e_expect(h, g, "选项", WAIT_MS, "a page of options");
	h_settle(h, 200, 2000);
	h_type(h, "9"); /* no 9th option on a page of 8 (at 120x40): nothing */
	h_type(h, "1");
	h_key(h, H_ENTER);
	e2e_expect(h, g, "一个数", WAIT_MS, "the number");
	pay_type_slowly(h, "-123456789012345"); /* 15 at most: the last refused */
	h_key(h, H_ENTER);
	e2e_expect(h, g, "同意", WAIT_MS, "the promise");
	h_type(h, "1");
	h_key(h, H_ENTER);
	e2e_expect(h, g, T_CHECK, WAIT_MS, "the check page");
	struct frame f;
	frame_of(h, g, "form", &f);
	frame_check(h, g, &f, "the check page of 100");
	for (int i = 0; i < 12; i++)
		h_type(h, "0"); /* its pages */
	h_settle(h, 200, 2000);
	e2e_clean(h, g, "the check page's pages");
	h_key(h, H_ENTER);
	e2e_expect(h, g, T_DONE, WAIT_MS, "submitted");
	E2E_CHECK(h, g, tamper_hits("POST", "/v1/applications") == 1, "%d requests",
	          tamper_hits("POST", "/v1/applications"));
	char *sent = tamper_last("POST", "/v1/applications");
	E2E_CHECK(h, g, sent && strstr(sent, "\"t0\":\"abc\"") && !strstr(sent, "\"t1\"") &&
	                    strstr(sent, "\"n\":-12345678901234,") && strstr(sent, "\"pick\":\"o128\"") &&
	                    strstr(sent, "\"agree\":true") && strstr(sent, "\"service_id\":\"svc-social-card\""),
	          "the answers sent: %s", sent ? sent : "(none)");
	free(sent);
	e2e_finish(h, g);
}

/* The kiosk's secret for sealing answers (DATA_DIR/outbox.key) can be
 * read by others, so it may have been copied: nothing is sent that could
 * not be kept safely. 提交 says so plainly (apply at the window), sends
 * nothing, and the answers stay on the check page. */
Test(apply_attack, no_safe_outbox_no_submission)
{
	struct gwd *g = e2e_start_gateway(NULL);
	paths();
	char dir[900], key[1000];
	snprintf(dir, sizeof dir, "%s/data", scratch);
	cr_assert_eq(mkdir(dir, 0700), 0);
	snprintf(key, sizeof key, "%s/outbox.key", dir);
	FILE *f = fopen(key, "w");
	cr_assert_not_null(f);
	fwrite("0123456789abcdef0123456789abcdef", 1, 32, f);
	fclose(f);
	cr_assert_eq(chmod(key, 0644), 0);
	const char *more[] = { "--data-dir", dir, NULL };
	struct harness *h = start(g, NULL, COLS, ROWS, more);
	open_form(h, g, T_SOCIAL, CIT);
	fill_social_card(h, g);
	h_key(h, H_ENTER);
	e2e_expect(h, g, "本机暂时无法安全保存申请", WAIT_MS, "said plainly");
	e2e_expect(h, g, T_PROBLEM, WAIT_MS, "出错了");
	e2e_expect(h, g, T_CHECK, WAIT_MS, "still the check page");
	e2e_expect(h, g, PHONE, WAIT_MS, "the answers kept");
	h_key(h, H_ENTER);
	h_settle(h, 300, 2000);
	E2E_CHECK(h, g, e2e_log_count(h, "submission not written") == 2, "not refused by the outbox");
	E2E_CHECK(h, g, e2e_log_count(h, "POST /v1/applications") == 0, "sent without the outbox");
	E2E_CHECK(h, g, n_apps(g, CIT, "svc-social-card") == 0, "an application made");
	e2e_finish(h, g);
}
