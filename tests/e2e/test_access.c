/* test_access.c: the accessibility modes end to end (suite "access").
 *
 * Each test starts its own gatewayd (--demo --sim) and drives the real kiosk
 * in a pty, as the citizen would: keys, the FIFO scanner (--scanner
 * fifo:PATH) for log-in codes from /sim/citizen-code.
 *
 * Voice mode (语音播报) is checked through its oracle, the speech backend
 * log:FILE, which appends one line "LANG<TAB>TEXT" per utterance: the tests
 * read that transcript while they drive the kiosk. One test synthesizes for
 * real (wav:DIR) and reads the WAV file back.
 *
 * Large-text mode (大字模式) is checked through the layout dump the kiosk
 * writes after each paint when KIOSK_LAYOUT_DUMP=FILE is set (kiosk/ui.c):
 *   screen NAME COLS ROWS LARGE
 *   text X Y W USED TRUNCATED     every text drawn (W = room, USED = drawn)
 *   target ID X Y W H             every touch target
 *   cursor X Y
 *   end
 * On every screen the tests visit: every target inside the screen, no two
 * overlapping, each at least 3 rows by 8 columns in large mode (status bar
 * included), at most 4 numbered choices a page in large mode (9 otherwise),
 * no text beyond the screen, a truncated text ending in "…" at X+USED-1 (the
 * cell is read back off the terminal), no two texts overlapping on a row.
 *
 * What is checked is behaviour, never speed: waits are generous (15 s).
 * After every step the screen must be clean. At the end the kiosk is stopped
 * with SIGTERM and must exit 0; neither it nor the gateway may have written
 * a sanitizer report.
 *
 * Screen and speech texts are the zh_CN ones (locale/zh_CN.po) unless a test
 * switches the language.
 */
#include "e2e.h"
#include "harness/gwd.h"
#include "harness/harness.h"

#include "speak.h" /* the kiosk's core (linked into the e2e binary) */

#include <criterion/criterion.h>
#include <jansson.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define WAIT_MS 15000  /* anything: network, timers, speech */
#define QUIET_MS 250   /* "the frame is finished" */

static void suite_fini(void);
TestSuite(access, .timeout = 240, .fini = suite_fini);

/* ---- what the kiosk shows and says (zh_CN unless named) ----------------------- */

#define T_HOME          "政务服务自助终端"
#define T_HOME_TW       "政務服務自助機"
#define T_HOME_EN       "Government Services Self-Service Kiosk"
#define T_CATS          "按类别办事"
#define T_CATS_TW       "依類別辦理"
#define T_CATS_EN       "Services by category"
#define T_LARGE_ON      "大字模式：开"
#define T_VOICE_ON      "语音播报：开"
#define T_REPEAT        "[*] 重听"
#define T_CONFIRM_Q     "现在退出登录吗？"
#define T_WELCOME       "登录成功，欢迎您，"  /* + display name + "。" */
#define T_LOGGED_OUT    "您已安全退出，感谢使用。"
#define T_SCAN_HOME     "扫码登录请返回首页后再扫码。" /* a scan off home */
#define T_LOGIN_TITLE   "扫码登录"
#define T_ME_TITLE      "我的信息"
#define T_MINE_TITLE    "我的办件"
#define T_QUEUE         "排队取号"
#define T_F9            "[F9] 退出登录"
#define T_ITEM_LOGOUT   "退出登录"
#define T_VOICE_NOTICE  "语音播报已开启。请按数字键选择；按星号键可重听。"

/* Home's choices by index (kiosk/screens/scr_home.c), as labelled with both modes
 * off; 0 and 1 say "：开" while their mode is on. */
enum { I_LARGE, I_VOICE, I_SERVICES, I_LOGIN, I_BILLS, I_QUEUE, I_MINE, I_LANG, I_SEARCH, N_HOME };
static const char *const home_label[N_HOME] = {
	"大字模式", "语音播报", "办事服务", "扫码登录", "生活缴费", "排队取号", "我的办件", "语言 Language",
	"搜索服务",
};

/* Target ids the kiosk uses (include/ui.h, include/menu.h). A screen's own
 * targets are >= 0; numbered menu choices are the item indexes. */
#define ID_PREV   1000000   /* MENU_T_PREV */
#define ID_NEXT   1000001   /* MENU_T_NEXT */
#define ID_BACK   (-1)      /* UI_T_BACK */
#define ID_HOME   (-2)      /* UI_T_HOME */
#define ID_LOGOUT (-3)      /* UI_T_LOGOUT */
#define ID_REPEAT (-5)      /* UI_T_REPEAT */
#define ID_SEARCH_BOX 2000003 /* kiosk/screens/scr_search.c: the search box */

/* The demo citizen who logs in (docs/gateway-api.md, gateway/demo_data.c). */
#define CIT_ID      "cit-zhang"
#define CIT_NAME    "张三"
#define CIT_DISPLAY "张*"
#define CIT_IDNO    "11010519850313123X"
#define CIT_IDMASK  "1101**********123X"
#define CIT_PHONE   "13800138000"

/* ---- the test's state (one test per process) ------------------------------------ */

static struct gwd *G;
static struct harness *H;
static char scratch[512];
static char fifo_path[700], speech_path[700], layout_path[700];
static char last_frame[65536];  /* the dump a failed check was about */
static const char *const *start_extra; /* more arguments for the kiosk (start) */

/* ---- scratch folder: the FIFO, the transcript, the layout dump, WAVs -------------- */

static const char *personal_shown(struct harness *h);
static void dump_hook(void);

static const char *scratch_dir(void)
{
	e2e_set_hooks(personal_shown, dump_hook);
	if (!scratch[0]) {
		e2e_scratch_dir(scratch, sizeof scratch, "access");
		snprintf(fifo_path, sizeof fifo_path, "%s/scanner", scratch);
		snprintf(speech_path, sizeof speech_path, "%s/speech.log", scratch);
		snprintf(layout_path, sizeof layout_path, "%s/layout.txt", scratch);
	}
	return scratch;
}

static void suite_fini(void)
{
	const char *keep = getenv("H_KEEP_TMP");
	if (keep && !strcmp(keep, "1")) {
		if (scratch[0])
			fprintf(stderr, "kept %s\n", scratch);
		return;
	}
	e2e_rm_rf(scratch); /* ours only: never a pattern */
	scratch[0] = '\0';
}

/* ---- failing with evidence --------------------------------------------------------- */

/* More evidence for a failed check: the transcript and the layout dump. */
static void dump_hook(void)
{
	if (speech_path[0])
		e2e_print_file_tail("speech transcript", speech_path, 8000);
	if (last_frame[0])
		fprintf(stderr, "---- layout dump checked ----\n%s---- end ----\n", last_frame);
	else if (layout_path[0])
		e2e_print_file_tail("layout dump", layout_path, 8000);
}

#define CHECK(cond, ...) E2E_CHECK(H, G, cond, __VA_ARGS__)

/* ---- the screen ---------------------------------------------------------------------- */

/* The demo citizen's full data must never be on the screen (e2e_clean). */
static const char *personal_shown(struct harness *h)
{
	static const char *const personal[] = { CIT_NAME, CIT_IDNO, CIT_PHONE };
	for (size_t i = 0; i < sizeof personal / sizeof personal[0]; i++)
		if (h_find(h, personal[i], NULL, NULL))
			return personal[i];
	return NULL;
}

static void clean(const char *step)
{
	e2e_clean(H, G, step);
}

static void settle(const char *step)
{
	h_settle(H, QUIET_MS, 3000);
	clean(step);
}

static bool pred_text(struct harness *h, void *ud)
{
	return h_find(h, ud, NULL, NULL);
}

static bool pred_gone(struct harness *h, void *ud)
{
	return !h_find(h, ud, NULL, NULL);
}

struct row_want {
	int row;
	const char *text;
};

static bool pred_row(struct harness *h, void *ud)
{
	const struct row_want *w = ud;
	(void)h;
	return e2e_row_has(H, w->row, w->text);
}

static void expect(const char *text, const char *step)
{
	CHECK(h_wait(H, pred_text, (void *)text, WAIT_MS), "%s: \"%s\" did not appear within %d ms", step,
	      text, WAIT_MS);
	settle(step);
}

static void expect_gone(const char *text, const char *step)
{
	CHECK(h_wait(H, pred_gone, (void *)text, WAIT_MS), "%s: \"%s\" still shown after %d ms", step, text,
	      WAIT_MS);
	settle(step);
}

static void expect_title(const char *text, const char *step)
{
	struct row_want w = { 0, text };
	CHECK(h_wait(H, pred_row, &w, WAIT_MS), "%s: the title (row 0) is not \"%s\" within %d ms", step,
	      text, WAIT_MS);
	settle(step);
}

/* ---- the kiosk's log ------------------------------------------------------------------ */

/* Pumps until kiosk.log holds needle at least `count` times. */
static void wait_log(const char *needle, int count, const char *step)
{
	long long end = e2e_now_ms() + WAIT_MS;
	while (e2e_log_count(H, needle) < count && e2e_now_ms() < end)
		h_pump(H, 50);
	CHECK(e2e_log_count(H, needle) >= count, "%s: kiosk.log does not say \"%s\" (%d times) within %d ms", step,
	      needle, count, WAIT_MS);
}

/* ---- gateway and kiosk ---------------------------------------------------------------- */

struct start_opts {
	int cols, rows;
	const char *mode;    /* --mode, or NULL */
	const char *speech;  /* --speech; NULL: "none" (never a real sound device) */
	bool log_speech;     /* --speech log:<scratch>/speech.log */
};

/* A gateway, then the kiosk (with the FIFO scanner and the layout dump),
 * fully up: the home screen shown and the catalog fetched. */
static void start(const struct start_opts *o)
{
	const char *args[32];
	size_t n = 0;
	char scanner[800], speech[800];
	const char *theme = e2e_theme_path();

	scratch_dir();
	G = gwd_start(NULL);
	cr_assert_not_null(G, "gwd_start failed: is gatewayd (%s) built?", gwd_bin());
	if (theme) {
		args[n++] = "--theme";
		args[n++] = theme;
	}
	snprintf(scanner, sizeof scanner, "fifo:%s", fifo_path);
	args[n++] = "--scanner";
	args[n++] = scanner;
	if (o->mode) {
		args[n++] = "--mode";
		args[n++] = o->mode;
	}
	if (o->log_speech)
		snprintf(speech, sizeof speech, "log:%s", speech_path);
	else
		snprintf(speech, sizeof speech, "%s", o->speech ? o->speech : "none");
	args[n++] = "--speech";
	args[n++] = speech;
	for (size_t i = 0; start_extra && start_extra[i] && n < sizeof args / sizeof args[0] - 1; i++)
		args[n++] = start_extra[i];
	args[n] = NULL;
	if (!o->log_speech)
		speech_path[0] = '\0'; /* nothing to show on failure */

	/* The harness passes its environment on: the dump is for this kiosk
	 * only (each test is a process of its own). */
	setenv("KIOSK_LAYOUT_DUMP", layout_path, 1);
	H = h_start_kiosk(gwd_url(G), o->cols, o->rows, args);
	unsetenv("KIOSK_LAYOUT_DUMP");
	cr_assert_not_null(H, "h_start_kiosk failed");
	expect_title(T_HOME, "start: home");
	wait_log("GET /v1/catalog -> 200", 1, "start: catalog fetched");
	settle("start");
}

/* SIGTERM: exit 0, no sanitizer report from either. */
static void finish(void)
{
	e2e_finish(H, G);
	H = NULL;
	G = NULL;
}

/* ---- the gateway's side ------------------------------------------------------------------ */

static json_t *get_json(const char *path)
{
	char *body = NULL;
	json_error_t e;
	int st = gwd_get(G, path, &body);
	CHECK(st == 200, "GET %s: %d %s", path, st, body ? body : "");
	json_t *j = json_loads(body, 0, &e);
	CHECK(j != NULL, "GET %s: not JSON: %s", path, e.text);
	free(body);
	return j;
}

struct svc {
	const char *id, *name;
	long long fee;
};

struct cat {
	const char *id, *name;
	struct svc s[64];
	int n;
};

static struct {
	json_t *root;
	struct cat c[64];
	int n;
} CAT;

/* GET /v1/catalog (zh-CN, the gateway's default). */
static void catalog_load(void)
{
	json_t *cats, *svcs, *v;
	size_t i;
	memset(&CAT, 0, sizeof CAT);
	CAT.root = get_json("/v1/catalog");
	cats = json_object_get(CAT.root, "categories");
	svcs = json_object_get(CAT.root, "services");
	CHECK(json_is_array(cats) && json_is_array(svcs), "catalog without categories/services");
	json_array_foreach(cats, i, v) {
		if (CAT.n == 64)
			break;
		CAT.c[CAT.n].id = json_string_value(json_object_get(v, "id"));
		CAT.c[CAT.n].name = json_string_value(json_object_get(v, "name"));
		CHECK(CAT.c[CAT.n].id && CAT.c[CAT.n].name, "category %zu without id or name", i);
		CAT.n++;
	}
	CHECK(CAT.n > 1, "the demo catalog has %d categories", CAT.n);
	json_array_foreach(svcs, i, v) {
		const char *cid = json_string_value(json_object_get(v, "category"));
		for (int k = 0; cid && k < CAT.n; k++) {
			struct cat *c = &CAT.c[k];
			if (strcmp(c->id, cid) != 0 || c->n == 64)
				continue;
			c->s[c->n].id = json_string_value(json_object_get(v, "id"));
			c->s[c->n].name = json_string_value(json_object_get(v, "name"));
			c->s[c->n].fee = json_integer_value(json_object_get(v, "fee_fen"));
			c->n++;
			break;
		}
	}
}

static void catalog_done(void)
{
	json_decref(CAT.root);
	memset(&CAT, 0, sizeof CAT);
}

static int largest_category(void)
{
	int best = 0;
	for (int i = 1; i < CAT.n; i++)
		if (CAT.c[i].n > CAT.c[best].n)
			best = i;
	return best;
}

/* The fee the detail screen works with: the form's when the service has a
 * form (kiosk/screens/scr_service.c), else the service's. */
static long long detail_fee(const char *id)
{
	char *path = e2e_fmt("/v1/services/%s", id);
	json_t *d = get_json(path), *form = json_object_get(d, "form");
	long long fee = json_integer_value(json_object_get(d, "fee_fen"));
	json_t *fields = json_object_get(form, "fields");
	if (json_is_array(fields) && json_array_size(fields) > 0)
		fee = json_integer_value(json_object_get(form, "fee_fen"));
	json_decref(d);
	free(path);
	return fee;
}

/* A fresh one-time login code of the demo citizen, as the phone shows it. */
static void citizen_code(char *out, size_t n)
{
	char *resp = NULL;
	json_error_t e;
	int st = gwd_post(G, "/sim/citizen-code", "{\"citizen\":\"" CIT_ID "\"}", &resp);
	CHECK(st == 200, "POST /sim/citizen-code: %d %s", st, resp ? resp : "");
	json_t *j = json_loads(resp, 0, &e);
	const char *code = json_string_value(json_object_get(j, "code"));
	CHECK(code && strlen(code) < n, "/sim/citizen-code gave no code: %s", resp);
	snprintf(out, n, "%s", code);
	json_decref(j);
	free(resp);
}

/* ---- the speech transcript (--speech log:FILE) --------------------------------------- */

struct said {
	char *buf;
	char *line[8192]; /* "LANG\tTEXT", complete lines only */
	int n;
};

static void said_load(struct said *t)
{
	size_t len = 0;
	t->n = 0;
	t->buf = e2e_slurp(speech_path, &len);
	if (!t->buf)
		return;
	char *p = t->buf, *end = t->buf + len;
	while (p < end && t->n < 8192) {
		char *nl = memchr(p, '\n', (size_t)(end - p));
		if (!nl)
			break; /* being written */
		*nl = '\0';
		t->line[t->n++] = p;
		p = nl + 1;
	}
}

static void said_free(struct said *t)
{
	free(t->buf);
	t->buf = NULL;
	t->n = 0;
}

static int said_count(void)
{
	struct said t;
	said_load(&t);
	int n = t.n;
	said_free(&t);
	return n;
}

/* The text of a line if it is tagged lang, else NULL. A third field
 * ("\tprompt:ID": a recorded prompt stood in) is cut off (static buffer). */
static const char *said_text(const char *line, const char *lang)
{
	static char text[8192];
	size_t k = strlen(lang);
	if (strncmp(line, lang, k) != 0 || line[k] != '\t')
		return NULL;
	snprintf(text, sizeof text, "%s", line + k + 1);
	char *tab = strchr(text, '\t');
	if (tab)
		*tab = '\0';
	return text;
}

/* The first line from `from` on tagged lang whose text holds every needle
 * (or, with exact, equals needles[0]); its index, or -1. */
static int said_find(const struct said *t, int from, const char *lang, const char *const needles[],
                     bool exact)
{
	for (int i = from < 0 ? 0 : from; i < t->n; i++) {
		const char *txt = said_text(t->line[i], lang);
		if (!txt)
			continue;
		bool ok = true;
		if (exact)
			ok = !strcmp(txt, needles[0]);
		else
			for (int k = 0; needles[k] && ok; k++)
				ok = strstr(txt, needles[k]) != NULL;
		if (ok)
			return i;
	}
	return -1;
}

/* Pumps the kiosk until the transcript has such a line after `from`; copies
 * its text to out (may be NULL) and returns its index. */
static int wait_said(int from, const char *lang, const char *const needles[], bool exact, char *out,
                     size_t n, const char *step)
{
	long long end = e2e_now_ms() + WAIT_MS;
	for (;;) {
		struct said t;
		said_load(&t);
		int i = said_find(&t, from, lang, needles, exact);
		if (i >= 0 && out)
			snprintf(out, n, "%s", said_text(t.line[i], lang));
		said_free(&t);
		if (i >= 0)
			return i;
		if (e2e_now_ms() >= end)
			break;
		h_pump(H, 50);
	}
	char want[2048] = "";
	size_t o = 0;
	for (int k = 0; needles[k] && o < sizeof want; k++)
		o += (size_t)snprintf(want + o, sizeof want - o, "%s\"%s\"", k ? " and " : "", needles[k]);
	CHECK(false, "%s: nothing said in %s %s %s (from utterance %d on) within %d ms", step, lang,
	      exact ? "exactly" : "with", want, from + 1, WAIT_MS);
	return -1;
}

/* Every line from `from` on is tagged lang. */
static void all_said_in(int from, const char *lang, const char *step)
{
	struct said t;
	said_load(&t);
	for (int i = from; i < t.n; i++) {
		bool ok = said_text(t.line[i], lang) != NULL;
		char copy[600];
		snprintf(copy, sizeof copy, "%s", t.line[i]);
		if (!ok) {
			said_free(&t);
			CHECK(false, "%s: utterance %d is not tagged %s: \"%s\"", step, i + 1, lang, copy);
		}
	}
	said_free(&t);
}

/* Nothing said anywhere contains s. */
static void never_said(const char *s, const char *what)
{
	struct said t;
	said_load(&t);
	for (int i = 0; i < t.n; i++) {
		if (strstr(t.line[i], s)) {
			char copy[600];
			snprintf(copy, sizeof copy, "%s", t.line[i]);
			said_free(&t);
			CHECK(false, "the kiosk said %s (\"%s\") aloud: utterance %d \"%s\"", what, s, i + 1, copy);
		}
	}
	said_free(&t);
}

/* ---- the layout dump (KIOSK_LAYOUT_DUMP) ---------------------------------------------- */

struct ltext {
	int x, y, w, used, trunc;
	uint32_t end_ch; /* the cell at x+used-1 when read (truncated texts) */
};

struct ltarget {
	int id, x, y, w, h;
};

struct layout {
	char screen[64];
	int cols, rows, large;
	int n_text, n_tgt;
	struct ltext text[2048];
	struct ltarget tgt[512];
	int cx, cy;
	char *raw;
};

static void layout_free(struct layout *l)
{
	if (l) {
		free(l->raw);
		free(l);
	}
}

/* The last complete frame the kiosk wrote, or NULL. */
static struct layout *layout_read(void)
{
	char *raw = e2e_slurp(layout_path, NULL);
	if (!raw)
		return NULL;
	struct layout *l = calloc(1, sizeof *l);
	cr_assert_not_null(l);
	l->raw = raw;
	bool head = false, end = false;
	char *save = NULL, *copy = strdup(raw);
	for (char *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		struct ltext t = { 0 };
		struct ltarget g;
		if (sscanf(line, "screen %63s %d %d %d", l->screen, &l->cols, &l->rows, &l->large) == 4)
			head = true;
		else if (sscanf(line, "text %d %d %d %d %d", &t.x, &t.y, &t.w, &t.used, &t.trunc) == 5) {
			if (l->n_text < 2048)
				l->text[l->n_text++] = t;
		} else if (sscanf(line, "target %d %d %d %d %d", &g.id, &g.x, &g.y, &g.w, &g.h) == 5) {
			if (l->n_tgt < 512)
				l->tgt[l->n_tgt++] = g;
		} else if (sscanf(line, "cursor %d %d", &l->cx, &l->cy) == 2)
			;
		else if (!strcmp(line, "end"))
			end = true;
	}
	free(copy);
	if (!head || !end) {
		layout_free(l);
		return NULL;
	}
	return l;
}

static bool is_item(int id)
{
	return id >= 0 && id < ID_PREV;
}

static bool has_target(const struct layout *l, int id)
{
	for (int i = 0; i < l->n_tgt; i++)
		if (l->tgt[i].id == id)
			return true;
	return false;
}

static int item_count(const struct layout *l)
{
	int n = 0;
	for (int i = 0; i < l->n_tgt; i++)
		n += is_item(l->tgt[i].id);
	return n;
}

/* The lowest numbered choice on the page (its digit is 1), or -1. */
static int first_item(const struct layout *l)
{
	int m = -1;
	for (int i = 0; i < l->n_tgt; i++)
		if (is_item(l->tgt[i].id) && (m < 0 || l->tgt[i].id < m))
			m = l->tgt[i].id;
	return m;
}

/* The choice the cursor (the focus) is on, or -1. */
static int focused_item(const struct layout *l)
{
	for (int i = 0; i < l->n_tgt; i++) {
		const struct ltarget *g = &l->tgt[i];
		if (is_item(g->id) && l->cx >= g->x && l->cx < g->x + g->w && l->cy >= g->y && l->cy < g->y + g->h)
			return g->id;
	}
	return -1;
}

typedef bool (*frame_pred)(const struct layout *l, const void *ud);

static bool frame_ok(const struct layout *l, const char *screen, frame_pred pred, const void *ud)
{
	int cols, rows;
	h_size(H, &cols, &rows);
	return l && !strcmp(l->screen, screen) && l->cols == cols && l->rows == rows && (!pred || pred(l, ud));
}

/* A frame that stays: the dump read, the cells it points at read, and
 * nothing painted in between. NULL if the kiosk never stops painting. */
static struct layout *stable_frame(void)
{
	for (int tries = 0; tries < 20; tries++) {
		h_settle(H, QUIET_MS, 3000);
		struct layout *a = layout_read();
		if (!a) {
			h_pump(H, 50);
			continue;
		}
		for (int i = 0; i < a->n_text; i++) {
			struct ltext *t = &a->text[i];
			t->end_ch = h_cell_at(H, t->x + t->used - 1, t->y).ch;
		}
		size_t more = h_settle(H, 120, 1000);
		struct layout *b = layout_read();
		bool same = more == 0 && b && !strcmp(a->raw, b->raw);
		layout_free(b);
		if (same)
			return a;
		layout_free(a);
	}
	return NULL;
}

/* Waits for a stable frame of `screen` (at the harness's size) for which
 * pred holds. */
static struct layout *wait_frame(const char *screen, frame_pred pred, const void *ud, const char *step)
{
	long long end = e2e_now_ms() + WAIT_MS;
	for (;;) {
		struct layout *l = layout_read();
		bool ok = frame_ok(l, screen, pred, ud);
		layout_free(l);
		if (ok) {
			l = stable_frame();
			if (frame_ok(l, screen, pred, ud)) {
				clean(step);
				return l;
			}
			layout_free(l);
		}
		if (e2e_now_ms() >= end)
			break;
		h_pump(H, 50);
	}
	struct layout *l = layout_read();
	if (l)
		snprintf(last_frame, sizeof last_frame, "%s", l->raw);
	CHECK(false, "%s: no stable frame of screen \"%s\"%s within %d ms (last: %s %dx%d)", step, screen,
	      pred ? " in the state wanted" : "", WAIT_MS, l ? l->screen : "none", l ? l->cols : 0,
	      l ? l->rows : 0);
	return NULL;
}

/* Layout rules. A broken rule is recorded, not fatal at once, so that a
 * tour reports every rule a kiosk breaks (each rule's first case with its
 * screen and dump); layout_verdict() fails the test at the end. */
enum rule {
	R_SIZE, R_TARGET_OUT, R_TARGET_SMALL, R_TARGET_OVERLAP, R_TOO_MANY, R_TEXT_OUT, R_ELLIPSIS,
	R_TEXT_OVERLAP, R_CURSOR, R_NO_WAY_BACK, N_RULES
};

static const char *const rule_name[N_RULES] = {
	"the dump's screen is the terminal's, in the mode expected",
	"every target inside the screen",
	"every target at least 8 columns x 3 rows (large mode)",
	"no two targets overlap",
	"at most 4 numbered choices a page (large mode; 9 otherwise)",
	"no text drawn beyond the screen",
	"a truncated text ends with \"…\" at X+USED-1",
	"no two texts overlap on a row",
	"the cursor on the screen",
	"every screen but home offers a way back by touch (a back or home target)",
};

static struct {
	int count;
	char first[1024];
} broken[N_RULES];

static void broke(enum rule r, const struct layout *l, const char *step, const char *what)
{
	if (broken[r].count++ > 0)
		return;
	snprintf(broken[r].first, sizeof broken[r].first, "%s (screen %s %dx%d%s): %s", step, l->screen, l->cols,
	         l->rows, l->large ? ", large" : "", what);
	fprintf(stderr, "\n**** layout rule broken: %s\n**** first case: %s\n", rule_name[r], broken[r].first);
	h_dump(H, stderr);
	fprintf(stderr, "---- layout dump of that frame ----\n%s---- end ----\n", l->raw);
}

/* Fails the test if any frame broke a rule. */
static void layout_verdict(void)
{
	char msg[8192] = "";
	size_t n = 0;
	int total = 0;
	for (int r = 0; r < N_RULES; r++) {
		if (!broken[r].count)
			continue;
		total += broken[r].count;
		n += (size_t)snprintf(msg + n, n < sizeof msg ? sizeof msg - n : 0, "\n  [%s] broken %d time(s); first: %s",
		                      rule_name[r], broken[r].count, broken[r].first);
		if (n >= sizeof msg)
			n = sizeof msg - 1;
	}
	CHECK(total == 0, "layout rules broken (the screens and dumps are printed above):%s", msg);
}

/* The checks every frame must pass. */
static void check_frame(const struct layout *l, bool large, const char *step)
{
	char why[512];
	int cols, rows;
	h_size(H, &cols, &rows);
	if (l->cols != cols || l->rows != rows || l->large != (large ? 1 : 0)) {
		snprintf(why, sizeof why, "the dump says %dx%d large=%d; the terminal is %dx%d, large mode %s",
		         l->cols, l->rows, l->large, cols, rows, large ? "on" : "off");
		broke(R_SIZE, l, step, why);
	}
	/* Targets: on the screen, big enough, apart. */
	for (int i = 0; i < l->n_tgt; i++) {
		const struct ltarget *g = &l->tgt[i];
		if (g->w <= 0 || g->h <= 0 || g->x < 0 || g->y < 0 || g->x + g->w > cols || g->y + g->h > rows) {
			snprintf(why, sizeof why, "target %d (%d,%d %dx%d) is not inside the %dx%d screen", g->id, g->x,
			         g->y, g->w, g->h, cols, rows);
			broke(R_TARGET_OUT, l, step, why);
		}
		if (large && (g->h < 3 || g->w < 8)) {
			snprintf(why, sizeof why, "target %d at (%d,%d) is %d columns x %d rows", g->id, g->x, g->y, g->w,
			         g->h);
			broke(R_TARGET_SMALL, l, step, why);
		}
		for (int k = 0; k < i; k++) {
			const struct ltarget *o = &l->tgt[k];
			if (g->x < o->x + o->w && o->x < g->x + g->w && g->y < o->y + o->h && o->y < g->y + g->h) {
				snprintf(why, sizeof why, "targets %d (%d,%d %dx%d) and %d (%d,%d %dx%d) overlap", o->id,
				         o->x, o->y, o->w, o->h, g->id, g->x, g->y, g->w, g->h);
				broke(R_TARGET_OVERLAP, l, step, why);
			}
		}
	}
	int items = item_count(l), max = large ? 4 : 9;
	if (items > max) {
		snprintf(why, sizeof why, "%d numbered choices on one page", items);
		broke(R_TOO_MANY, l, step, why);
	}
	/* Texts: on the screen, truncated ones with their ellipsis, apart. */
	for (int i = 0; i < l->n_text; i++) {
		const struct ltext *t = &l->text[i];
		if (t->x < 0 || t->y < 0 || t->y >= rows || t->used < 0 || t->x + t->used > cols) {
			snprintf(why, sizeof why, "text at (%d,%d), %d columns drawn, goes beyond the %dx%d screen", t->x,
			         t->y, t->used, cols, rows);
			broke(R_TEXT_OUT, l, step, why);
		}
		if (t->trunc && t->end_ch != 0x2026) {
			char *row = h_row_text(H, t->y);
			snprintf(why, sizeof why,
			         "\"text %d %d %d %d 1\": cell (%d,%d) is U+%04X, not \"…\" (row %d: \"%.300s\")", t->x,
			         t->y, t->w, t->used, t->x + t->used - 1, t->y, (unsigned)t->end_ch, t->y, row);
			free(row);
			broke(R_ELLIPSIS, l, step, why);
		}
		for (int k = 0; k < i; k++) {
			const struct ltext *o = &l->text[k];
			if (o->y != t->y || !o->used || !t->used)
				continue;
			if (t->x < o->x + o->used && o->x < t->x + t->used) {
				char *row = h_row_text(H, t->y);
				snprintf(why, sizeof why, "texts on row %d overlap: columns %d..%d and %d..%d (row: \"%.300s\")",
				         t->y, o->x, o->x + o->used - 1, t->x, t->x + t->used - 1, row);
				free(row);
				broke(R_TEXT_OVERLAP, l, step, why);
			}
		}
	}
	if (l->cx < 0 || l->cy < 0 || l->cx >= cols || l->cy >= rows) {
		snprintf(why, sizeof why, "the cursor (%d,%d) is off the screen", l->cx, l->cy);
		broke(R_CURSOR, l, step, why);
	}
	/* A touch-only citizen must be able to leave every screen but home
	 * (the confirm screen's "No" choice is its way back). */
	if (strcmp(l->screen, "home") != 0 && strcmp(l->screen, "confirm") != 0 &&
	    !has_target(l, ID_BACK) && !has_target(l, ID_HOME)) {
		char *bar = h_row_text(H, rows - (large ? 2 : 1));
		snprintf(why, sizeof why, "no back (%d) or home (%d) target; status bar: \"%.300s\"", ID_BACK, ID_HOME,
		         bar);
		free(bar);
		broke(R_NO_WAY_BACK, l, step, why);
	}
}

/* ---- moving through menus with digits and 0 ------------------------------------------------ */

static bool pred_first_not(const struct layout *l, const void *ud)
{
	return first_item(l) >= 0 && first_item(l) != *(const int *)ud;
}

static bool pred_has_items(const struct layout *l, const void *ud)
{
	(void)ud;
	return item_count(l) > 0;
}

/* The number drawn on choice id's button (the keypad's digit for it): the
 * first run of digits inside its target that stands after a blank or the
 * focus marker '>' and before a blank. -1 if there is none. */
static int shown_number(const struct layout *l, int id)
{
	for (int i = 0; i < l->n_tgt; i++) {
		const struct ltarget *g = &l->tgt[i];
		if (g->id != id)
			continue;
		for (int y = g->y; y < g->y + g->h; y++)
			for (int x = g->x; x < g->x + g->w; x++) {
				uint32_t c = h_cell_at(H, x, y).ch, before = x > g->x ? h_cell_at(H, x - 1, y).ch : ' ';
				if (c < '0' || c > '9' || (before != ' ' && before != '>'))
					continue;
				int n = 0, k = x;
				while (k < g->x + g->w && h_cell_at(H, k, y).ch >= '0' && h_cell_at(H, k, y).ch <= '9')
					n = n * 10 + (int)(h_cell_at(H, k++, y).ch - '0');
				if (h_cell_at(H, k, y).ch == ' ')
					return n;
			}
	}
	return -1;
}

/* Presses 0 (next page) until choice i is on the page, then the number its
 * button shows. */
static void pick_item(const char *screen, int i, const char *step)
{
	for (int tries = 0; tries < 40; tries++) {
		struct layout *l = wait_frame(screen, pred_has_items, NULL, step);
		int first = first_item(l);
		bool here = false;
		for (int k = 0; k < l->n_tgt; k++)
			here = here || l->tgt[k].id == i;
		bool pager = has_target(l, ID_NEXT);
		int num = here ? shown_number(l, i) : -1;
		layout_free(l);
		if (here) {
			CHECK(num >= 1 && num <= 9, "%s: choice %d of %s shows no number 1-9 (%d)", step, i, screen, num);
			char d[2] = { (char)('0' + num), 0 };
			h_type(H, d);
			return;
		}
		CHECK(pager, "%s: choice %d is not on the only page of %s", step, i, screen);
		h_type(H, "0");
		layout_free(wait_frame(screen, pred_first_not, &first, step));
	}
	CHECK(false, "%s: choice %d of %s never shown", step, i, screen);
}

/* Checks every page of a menu screen: 0 to the next page until page 1
 * comes round again. Returns the number of pages. */
static int check_pages(const char *screen, bool large, const char *step)
{
	char s[300];
	struct layout *l = wait_frame(screen, pred_has_items, NULL, step);
	snprintf(s, sizeof s, "%s, page 1", step);
	check_frame(l, large, s);
	int first = first_item(l), prev = first, pages = 1;
	bool pager = has_target(l, ID_NEXT);
	layout_free(l);
	if (!pager)
		return 1;
	for (; pages < 40; pages++) {
		h_type(H, "0");
		l = wait_frame(screen, pred_first_not, &prev, step);
		prev = first_item(l);
		snprintf(s, sizeof s, "%s, page %d", step, pages + 1);
		if (prev != first)
			check_frame(l, large, s);
		layout_free(l);
		if (prev == first)
			break;
	}
	CHECK(prev == first, "%s: paging with 0 never came back to page 1", step);
	return pages;
}

static bool pred_large(const struct layout *l, const void *ud)
{
	return l->large == *(const int *)ud;
}

static struct layout *wait_home_large(int large, const char *step)
{
	return wait_frame("home", pred_large, &large, step);
}

/* Waits until the focus on `screen` leaves choice `from`; returns the
 * choice now focused and puts the number its button shows into num. The
 * '>' marker must be on the screen too (focus not by colour alone). */
static int wait_focus_move(const char *screen, int from, char *num, size_t n, const char *step)
{
	long long end = e2e_now_ms() + WAIT_MS;
	for (;;) {
		struct layout *l = layout_read();
		int f = l && !strcmp(l->screen, screen) ? focused_item(l) : from;
		layout_free(l);
		if (f != from && f >= 0) {
			l = stable_frame();
			CHECK(l && !strcmp(l->screen, screen), "%s: the screen changed", step);
			f = focused_item(l);
			int k = shown_number(l, f);
			CHECK(k >= 1, "%s: the focused choice %d shows no number", step, f + 1);
			CHECK(h_cell_at(H, l->cx, l->cy).ch == '>', "%s: no '>' at the cursor (%d,%d) on the focused choice",
			      step, l->cx, l->cy);
			snprintf(num, n, "%d", k);
			layout_free(l);
			return f;
		}
		if (e2e_now_ms() >= end)
			return from;
		h_pump(H, 50);
	}
}

/* ==== 1. voice: browsing, said aloud =========================================================== */

/* The money as said: the demo catalog's fees, written out here; others as
 * the kiosk's core reads them (speak_money, unit-tested on its own). */
static char *money_words(long long fen)
{
	static const struct { long long fen; const char *zh; } known[] = {
		{ 1000, "十元" }, { 1500, "十五元" }, { 2000, "二十元" }, { 4000, "四十元" },
		{ 6000, "六十元" }, { 8000, "八十元" }, { 12000, "一百二十元" }, { 40000, "四百元" },
		{ 1250, "十二元五角" },
	};
	char *core = speak_money(fen, "zh_CN");
	for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
		if (known[i].fen == fen) {
			cr_assert_str_eq(core, known[i].zh, "speak_money(%lld) is \"%s\", not \"%s\"", fen, core,
			                 known[i].zh);
			break;
		}
	return core;
}

Test(access, voice_browse_transcript)
{
	struct start_opts o = { 80, 24, "voice", NULL, true };
	char line[4096], want[1024];
	int mark, i;
	start(&o);
	catalog_load();

	/* Home, in full: the notice that voice is on, the title, every choice
	 * with its number, then the focused one. */
	const char *const home_need[] = { T_HOME, NULL };
	i = wait_said(0, "zh_CN", home_need, false, line, sizeof line, "home announced");
	CHECK(strncmp(line, T_VOICE_NOTICE, strlen(T_VOICE_NOTICE)) == 0,
	      "home: the voice-on notice is not said first: \"%s\"", line);
	for (int k = 0; k < N_HOME; k++) {
		char *choice = e2e_fmt(" %d %s;", k + 1, k == I_VOICE ? T_VOICE_ON : home_label[k]);
		CHECK(strstr(line, choice), "home announcement lacks \"%s\": \"%s\"", choice, line);
		free(choice);
	}
	snprintf(want, sizeof want, "第1项，%s", home_label[I_LARGE]);
	CHECK(strlen(line) >= strlen(want) && !strcmp(line + strlen(line) - strlen(want), want),
	      "home announcement does not end with the focused choice \"%s\": \"%s\"", want, line);
	(void)i;
	struct layout *l = wait_home_large(0, "home");
	int focus0 = focused_item(l);
	layout_free(l);
	CHECK(focus0 == I_LARGE, "home: focus on choice %d, not 1", focus0 + 1);

	/* Down: only the focused choice, "第N项，label" (menu_speak_item), N as
	 * its button shows it. */
	mark = said_count();
	h_key(H, H_DOWN);
	int f = wait_focus_move("home", I_LARGE, want, sizeof want, "Down");
	CHECK(f > I_LARGE && f < N_HOME, "Down did not move the focus (choice %d)", f + 1);
	{
		char *item = e2e_fmt("第%s项，%s", want, f == I_VOICE ? T_VOICE_ON : home_label[f]);
		snprintf(want, sizeof want, "%s", item);
		free(item);
	}
	const char *const focus_need[] = { want, NULL };
	wait_said(mark, "zh_CN", focus_need, true, NULL, 0, "Down: the focused choice said");
	settle("Down");

	/* 3: the categories, in full, with the page. */
	mark = said_count();
	h_type(H, "3");
	expect_title(T_CATS, "3: categories");
	l = wait_frame("categories", pred_has_items, NULL, "categories");
	int per_page = item_count(l), n1 = shown_number(l, 0);
	layout_free(l);
	int pages = (CAT.n + per_page - 1) / per_page;
	char page_info[128], first_cat[512];
	snprintf(page_info, sizeof page_info, "第1页，共%d页", pages);
	snprintf(first_cat, sizeof first_cat, "第%d项，%s，共 %d 项服务", n1, CAT.c[0].name, CAT.c[0].n);
	const char *const cats_need[] = { T_CATS, page_info, first_cat, NULL };
	char cats_line[4096];
	wait_said(mark, "zh_CN", cats_need, false, cats_line, sizeof cats_line, "categories announced");
	CHECK(!strncmp(cats_line, T_CATS, strlen(T_CATS)), "categories: the title is not said first: \"%s\"",
	      cats_line);
	if (pages > 1) {
		char *shown = e2e_fmt("第 1/%d 页", pages);
		CHECK(h_find(H, shown, NULL, NULL), "categories: the screen does not show \"%s\"", shown);
		free(shown);
	}

	/* '*' and F2 say the screen again, in full: the same words. */
	const char *const again[] = { cats_line, NULL };
	mark = said_count();
	h_type(H, "*");
	wait_said(mark, "zh_CN", again, true, NULL, 0, "'*': the categories again");
	settle("'*'");
	mark = said_count();
	h_key(H, H_F2);
	wait_said(mark, "zh_CN", again, true, NULL, 0, "F2: the categories again");
	settle("F2");

	/* Right: the focused category with its number of services. */
	mark = said_count();
	h_key(H, H_RIGHT);
	f = wait_focus_move("categories", 0, want, sizeof want, "Right");
	CHECK(f > 0 && f < CAT.n, "Right did not move the focus off category 1");
	{
		char *item = e2e_fmt("第%s项，%s，共 %d 项服务", want, CAT.c[f].name, CAT.c[f].n);
		snprintf(want, sizeof want, "%s", item);
		free(item);
	}
	wait_said(mark, "zh_CN", focus_need, true, NULL, 0, "Right: the focused category said");
	settle("Right");

	/* A scan here (not home): the notice is said, before the focus. */
	mark = said_count();
	e2e_fifo_send(H, G, fifo_path, "NOT-A-LOGIN-CODE-12345", WAIT_MS);
	expect(T_SCAN_HOME, "scan off home: notice shown");
	const char *const toast_need[] = { T_SCAN_HOME, NULL };
	wait_said(mark, "zh_CN", toast_need, false, line, sizeof line, "scan off home: notice said");
	CHECK(!strncmp(line, T_SCAN_HOME, strlen(T_SCAN_HOME)), "the notice is not said first: \"%s\"", line);

	/* A service with a fee, in its category. */
	int ci = -1, si = -1;
	for (int c = 0; c < CAT.n && ci < 0; c++)
		for (int s = 0; s < CAT.c[c].n; s++)
			if (CAT.c[c].s[s].fee > 0) {
				ci = c, si = s;
				break;
			}
	CHECK(ci >= 0, "no service in the demo catalog has a fee");
	const struct svc *sv = &CAT.c[ci].s[si];
	long long fee = detail_fee(sv->id);
	CHECK(fee > 0, "%s: the catalog gives a fee, its detail none", sv->id);
	char *money = money_words(fee);

	mark = said_count();
	pick_item("categories", ci, "open the category");
	expect_title(CAT.c[ci].name, "category opened");
	l = wait_frame("services", pred_has_items, NULL, "services");
	layout_free(l);
	{
		char first_svc[600];
		snprintf(first_svc, sizeof first_svc, "第1项，%s", CAT.c[ci].s[0].name);
		const char *const svcs_need[] = { CAT.c[ci].name, "请按数字键选择事项", first_svc, NULL };
		wait_said(mark, "zh_CN", svcs_need, false, NULL, 0, "services announced");
	}

	/* The service: its title and its fee, as money, said without asking. */
	char *loaded = e2e_fmt("GET /v1/services/%s -> 200", sv->id);
	int n_loaded = e2e_log_count(H, loaded);
	mark = said_count();
	pick_item("services", si, "open the service");
	expect_title(sv->name, "service opened");
	wait_log(loaded, n_loaded + 1, "service details fetched");
	layout_free(wait_frame("service", NULL, NULL, "service details shown"));
	char *fee_said = e2e_fmt("收费：%s。", money);
	const char *const svc_need[] = { sv->name, fee_said, NULL };
	struct said t;
	long long end = e2e_now_ms() + WAIT_MS;
	int found = -1;
	while (found < 0 && e2e_now_ms() < end) {
		said_load(&t);
		found = said_find(&t, mark, "zh_CN", svc_need, false);
		said_free(&t);
		if (found < 0)
			h_pump(H, 50);
	}
	if (found < 0) {
		/* Evidence for the report: what was said, and whether '*' has it. */
		int before = said_count();
		h_type(H, "*");
		h_settle(H, 500, 3000);
		long long e2 = e2e_now_ms() + 5000;
		int rep = -1;
		while (rep < 0 && e2e_now_ms() < e2) {
			said_load(&t);
			rep = said_find(&t, before, "zh_CN", svc_need, false);
			said_free(&t);
			if (rep < 0)
				h_pump(H, 50);
		}
		CHECK(false,
		      "service \"%s\" (fee %lld fen): after its details arrived, nothing said names it with \"%s\" "
		      "(utterances %d on; see the transcript); '*' afterwards %s",
		      sv->name, fee, fee_said, mark + 1, rep >= 0 ? "does say it" : "does not say it either");
	}
	settle("service with a fee");

	/* A free one of the same category, if any: "免费". */
	int free_si = -1;
	for (int s = 0; s < CAT.c[ci].n && free_si < 0; s++)
		if (s != si && detail_fee(CAT.c[ci].s[s].id) == 0)
			free_si = s;
	if (free_si >= 0) {
		const struct svc *fv = &CAT.c[ci].s[free_si];
		char *fl = e2e_fmt("GET /v1/services/%s -> 200", fv->id);
		int nf = e2e_log_count(H, fl);
		h_key(H, H_BACKSPACE);
		expect_title(CAT.c[ci].name, "back to the services");
		mark = said_count();
		pick_item("services", free_si, "open a free service");
		expect_title(fv->name, "free service opened");
		wait_log(fl, nf + 1, "free service details fetched");
		const char *const free_need[] = { fv->name, "免费。", NULL };
		wait_said(mark, "zh_CN", free_need, false, NULL, 0, "free service: \"免费\" said");
		free(fl);
	}

	free(fee_said);
	free(loaded);
	free(money);
	catalog_done();
	finish();
}

/* ==== 2. voice: logging in by scan, said aloud, privately ======================================== */

#define T_ME_EN       "My information"
#define T_ID_TAIL     "身份证号尾号"       /* + the last 4 characters, one at a time, + "。" */
#define T_ID_TAIL_EN  "ID number ending " /* + the same in English words + "." */

/* The last four characters of the demo citizen's ID number as they must be
 * read: each one on its own, digits as words, separated by spaces, then the
 * sentence's full stop ("一 二 三 X。", "one two three X."). Written out
 * here, not by the kiosk's speak_chars, which is what is under test. */
static void id_tail_words(const char *lang, char *out, size_t n)
{
	static const char *const zh[] = { "零", "一", "二", "三", "四", "五", "六", "七", "八", "九" };
	static const char *const en[] = { "zero", "one", "two", "three", "four",
		                          "five", "six", "seven", "eight", "nine" };
	const char *id = CIT_IDNO, *tail = id + strlen(id) - 4;
	size_t o = 0;
	out[0] = '\0';
	for (int i = 0; i < 4 && o < n; i++) {
		char c = tail[i];
		const char *w = c >= '0' && c <= '9' ? (strcmp(lang, "en") ? zh : en)[c - '0'] : NULL;
		o += (size_t)snprintf(out + o, n - o, "%s%s%.*s", i ? " " : "", w ? w : "", w ? 0 : 1, &tail[i]);
	}
	if (o < n)
		snprintf(out + o, n - o, "%s", strcmp(lang, "en") ? "。" : ".");
}

/* What follows marker in the utterance said must be exactly the ID tail. */
static void expect_id_tail(const char *said, const char *marker, const char *lang, const char *step)
{
	char want[128];
	id_tail_words(lang, want, sizeof want);
	const char *p = strstr(said, marker);
	CHECK(p && !strcmp(p + strlen(marker), want),
	      "%s: after \"%s\" the kiosk said \"%s\", not \"%s\" (the ID's last four characters one at a "
	      "time)", step, marker, p ? p + strlen(marker) : "(nothing)", want);
}

/* From home: 8, the language picker, then its choice digit; home again in
 * that language (its title home). */
static void pick_language(const char *digit, const char *home, const char *step)
{
	h_type(H, "8");
	layout_free(wait_frame("lang", pred_has_items, NULL, step));
	h_type(H, digit);
	expect_title(home, step);
}

/* 7 on home: my information (title), fetched and shown (shown), said in
 * lang with every needle, the ID's tail one character at a time after
 * marker; then back to the home screen (home). */
static void me_said(const char *lang, const char *title, const char *shown, const char *const need[],
                    const char *marker, const char *home)
{
	char line[4096], step[64];
	int mark = said_count(), n_me = e2e_log_count(H, "GET /v1/me -> 200");
	snprintf(step, sizeof step, "my information (%s)", lang);
	h_type(H, "7");
	expect_title(strcmp(lang, "en") ? T_MINE_TITLE : "My applications", step);
	h_type(H, "2"); /* 个人信息 */
	expect_title(title, step);
	wait_log("GET /v1/me -> 200", n_me + 1, step);
	expect(shown, step);
	wait_said(mark, lang, need, false, line, sizeof line, step);
	expect_id_tail(line, marker, lang, step);
	h_key(H, H_BACKSPACE);
	h_key(H, H_BACKSPACE);
	expect_title(home, step);
}

Test(access, voice_login_by_scan)
{
	struct start_opts o = { 80, 24, "voice", NULL, true };
	char code[256], line[4096];
	int mark;
	start(&o);
	const char *const home_need[] = { T_HOME, NULL };
	wait_said(0, "zh_CN", home_need, false, NULL, 0, "home announced");

	mark = said_count();
	citizen_code(code, sizeof code);
	e2e_fifo_send(H, G, fifo_path, code, WAIT_MS);
	expect(T_WELCOME CIT_DISPLAY "。", "scan on home: welcome shown");
	CHECK(h_find(H, T_F9, NULL, NULL), "logged in, but no F9 log-out in the status bar");
	const char *const welcome[] = { T_WELCOME CIT_DISPLAY "。", NULL };
	wait_said(mark, "zh_CN", welcome, false, line, sizeof line, "welcome said");
	CHECK(!strncmp(line, T_WELCOME, strlen(T_WELCOME)), "the welcome is not said first: \"%s\"", line);

	/* 我的信息: said, with the surname and the ID's tail only; the same in
	 * English, then back to Chinese. */
	const char *const me_zh[] = { T_ME_TITLE, "已登录：张。", T_ID_TAIL, NULL };
	me_said("zh_CN", T_ME_TITLE, "姓名：" CIT_DISPLAY, me_zh, T_ID_TAIL, T_HOME);
	pick_language("3", T_HOME_EN, "English");
	const char *const me_en[] = { T_ME_EN, "Logged in: 张.", T_ID_TAIL_EN, NULL };
	me_said("en", T_ME_EN, "Name: " CIT_DISPLAY, me_en, T_ID_TAIL_EN, T_HOME_EN);
	pick_language("1", T_HOME, "Chinese again");

	mark = said_count();
	h_key(H, H_F9);
	expect(T_LOGGED_OUT, "F9: logged out");
	expect_gone(T_F9, "F9: status bar without log-out");
	const char *const bye[] = { T_LOGGED_OUT, NULL };
	wait_said(mark, "zh_CN", bye, false, NULL, 0, "log-out said");
	h_settle(H, 500, 3000);

	never_said(CIT_NAME, "the full name");
	never_said(CIT_IDNO, "the full ID number");
	never_said(CIT_IDMASK, "the masked ID number");
	never_said(CIT_PHONE, "the full phone number");
	never_said(code, "the login code");
	if (strchr(code, ':'))
		never_said(strchr(code, ':') + 1, "the login code");
	finish();
}

/* ==== 3. voice: English and Traditional Chinese ===================================================== */

Test(access, voice_english_and_tw)
{
	struct start_opts o = { 80, 24, "voice", NULL, true };
	int mark;
	start(&o);
	const char *const home_need[] = { T_HOME, NULL };
	wait_said(0, "zh_CN", home_need, false, NULL, 0, "home announced");

	/* 8: the picker, said in the current language. */
	mark = said_count();
	h_type(H, "8");
	layout_free(wait_frame("lang", pred_has_items, NULL, "8: language picker"));
	const char *const pick_zh[] = { "请选择语言", "1 简体中文, 2 繁體中文, 3 English", "第1项，简体中文", NULL };
	wait_said(mark, "zh_CN", pick_zh, false, NULL, 0, "picker announced");

	/* 3: English, from then on tagged "en". */
	mark = said_count();
	h_type(H, "3");
	expect_title(T_HOME_EN, "3: English home");
	const char *const home_en[] = { T_HOME_EN, "Press a number to choose:", " 2 Voice guide: on;", " 3 Services;",
		                        NULL };
	wait_said(mark, "en", home_en, false, NULL, 0, "English home announced");
	h_type(H, "3");
	expect_title(T_CATS_EN, "English categories");
	const char *const cats_en[] = { T_CATS_EN, "Page 1 of", "Item 1: ", NULL };
	wait_said(mark, "en", cats_en, false, NULL, 0, "English categories announced");
	h_key(H, H_BACKSPACE);
	expect_title(T_HOME_EN, "back to the English home");
	h_type(H, "8");
	layout_free(wait_frame("lang", pred_has_items, NULL, "8: language picker in English"));
	const char *const pick_en[] = { "Choose a language", "Item 3: English", NULL };
	wait_said(mark, "en", pick_en, false, NULL, 0, "English picker announced");
	h_settle(H, 500, 3000);
	all_said_in(mark, "en", "in English");

	/* 2: Traditional Chinese, tagged "zh_TW", in Traditional characters. */
	mark = said_count();
	h_type(H, "2");
	expect_title(T_HOME_TW, "2: zh_TW home");
	char line[4096];
	const char *const home_tw[] = { T_HOME_TW, "請按數字鍵選擇", " 2 語音播報：開;", " 3 申辦服務;", NULL };
	wait_said(mark, "zh_TW", home_tw, false, line, sizeof line, "zh_TW home announced");
	CHECK(!strstr(line, T_HOME) && !strstr(line, "请按数字键选择") && !strstr(line, T_VOICE_ON),
	      "Simplified text in the zh_TW announcement: \"%s\"", line);
	h_type(H, "3");
	expect_title(T_CATS_TW, "zh_TW categories");
	const char *const cats_tw[] = { T_CATS_TW, "第1頁，共", "請按數字鍵選擇類別", "第1項，", NULL };
	wait_said(mark, "zh_TW", cats_tw, false, line, sizeof line, "zh_TW categories announced");
	CHECK(!strstr(line, T_CATS) && !strstr(line, "第1页"), "Simplified text in the zh_TW announcement: \"%s\"",
	      line);
	h_settle(H, 500, 3000);
	all_said_in(mark, "zh_TW", "in Traditional Chinese");

	/* And back to Simplified. */
	h_key(H, H_BACKSPACE);
	expect_title(T_HOME_TW, "back to the zh_TW home");
	h_type(H, "8");
	layout_free(wait_frame("lang", pred_has_items, NULL, "8: picker in zh_TW"));
	mark = said_count();
	h_type(H, "1");
	expect_title(T_HOME, "1: zh_CN home");
	wait_said(mark, "zh_CN", home_need, false, NULL, 0, "zh_CN home announced again");
	finish();
}

/* ==== 4. large mode: every screen's layout ============================================================ */

static bool pred_logged_in(const struct layout *l, const void *ud)
{
	(void)ud;
	return has_target(l, ID_LOGOUT);
}

static bool pred_logged_out(const struct layout *l, const void *ud)
{
	(void)ud;
	return !has_target(l, ID_LOGOUT);
}

/* The detail screen: the top, then 2 (page down) until the end, then 1. */
static void tour_service(bool large, const char *step)
{
	char s[300];
	struct layout *l = wait_frame("service", NULL, NULL, step);
	snprintf(s, sizeof s, "%s: top", step);
	check_frame(l, large, s);
	layout_free(l);
	int scrolled = 0;
	for (int k = 0; k < 40; k++) {
		char *before = h_screen_text(H);
		h_type(H, "2");
		h_settle(H, 400, 3000);
		char *after = h_screen_text(H);
		bool moved = strcmp(before, after) != 0;
		free(before);
		free(after);
		if (!moved)
			break;
		scrolled++;
		l = wait_frame("service", NULL, NULL, step);
		snprintf(s, sizeof s, "%s: page down %d", step, scrolled);
		check_frame(l, large, s);
		layout_free(l);
	}
	if (scrolled) {
		h_type(H, "1");
		h_settle(H, 400, 3000);
		l = wait_frame("service", NULL, NULL, step);
		snprintf(s, sizeof s, "%s: page up", step);
		check_frame(l, large, s);
		layout_free(l);
	}
}

/* Visits every screen a citizen can reach and checks each frame. */
static void layout_tour(int cols, int rows, bool large, bool via_toggle)
{
	struct start_opts o = { via_toggle ? 80 : cols, via_toggle ? 24 : rows, large && !via_toggle ? "large" : NULL,
		                "none", false };
	struct layout *l;
	char code[256];
	start(&o);
	catalog_load();

	if (via_toggle) {
		/* 1 on home at 80x24, then the grid a bigger font leaves. */
		l = wait_home_large(0, "home, normal");
		layout_free(l);
		h_type(H, "1");
		l = wait_home_large(1, "1: large mode on");
		layout_free(l);
		expect(T_LARGE_ON, "1: the label says large mode is on");
		h_resize(H, cols, rows);
	}
	l = wait_home_large(large ? 1 : 0, "home");
	layout_free(l);
	if (large)
		expect(T_LARGE_ON, "home: the label says large mode is on");
	check_pages("home", large, "home");

	/* 6 排队取号: the queue's list (its pages); Backspace, home. */
	pick_item("home", I_QUEUE, "home: 排队取号");
	expect_title(T_QUEUE, "queue list");
	check_pages("queue", large, "queue list");
	h_key(H, H_BACKSPACE);
	expect_title(T_HOME, "queue list: Backspace, home");

	/* 8: the language picker. */
	pick_item("home", I_LANG, "home: language");
	check_pages("lang", large, "language picker");
	h_key(H, H_BACKSPACE);
	expect_title(T_HOME, "picker: back home");

	/* 3: categories, the biggest category's services, one service. */
	pick_item("home", I_SERVICES, "home: services");
	expect_title(T_CATS, "categories");
	check_pages("categories", large, "categories");
	int ci = largest_category();
	pick_item("categories", ci, "categories: the biggest category");
	expect_title(CAT.c[ci].name, "services list");
	check_pages("services", large, "services list");
	const struct svc *sv = &CAT.c[ci].s[0];
	char *loaded = e2e_fmt("GET /v1/services/%s -> 200", sv->id);
	int n_loaded = e2e_log_count(H, loaded);
	pick_item("services", 0, "services: the first");
	expect_title(sv->name, "service detail");
	wait_log(loaded, n_loaded + 1, "service details fetched");
	free(loaded);
	tour_service(large, "service detail");
	h_key(H, H_HOME);
	expect_title(T_HOME, "Home key: home");

	/* 9: the search: empty, with results, and its keyboard (beside the
	 * results, or taking turns with them: the box brings it). */
	pick_item("home", I_SEARCH, "home: search");
	l = wait_frame("search", NULL, NULL, "search, empty");
	check_frame(l, large, "search, empty");
	layout_free(l);
	h_type(H, "sb");
	settle("search: sb");
	check_pages("search", large, "search results for sb");
	l = wait_frame("search", NULL, NULL, "search: sb");
	bool turns = has_target(l, ID_SEARCH_BOX) && !has_target(l, 2000100);
	for (int i = 0; turns && i < l->n_tgt; i++) {
		if (l->tgt[i].id == ID_SEARCH_BOX) {
			h_click(H, l->tgt[i].x + l->tgt[i].w / 2, l->tgt[i].y + l->tgt[i].h / 2);
			break;
		}
	}
	layout_free(l);
	if (turns) {
		l = wait_frame("search", NULL, NULL, "search: the keyboard");
		CHECK(has_target(l, 2000100), "touching the search box did not bring the keyboard");
		check_frame(l, large, "search: the keyboard");
		layout_free(l);
	}
	h_key(H, H_HOME);
	expect_title(T_HOME, "search: Home key, home");

	/* 2: voice on (no sound: --speech none), 2 again: its settings. */
	pick_item("home", I_VOICE, "home: voice on");
	expect(T_VOICE_ON, "voice on: the label says so");
	l = wait_home_large(large ? 1 : 0, "home, voice on");
	CHECK(has_target(l, ID_REPEAT) || large, "voice on: no repeat target in the status bar");
	check_frame(l, large, "home, voice on");
	layout_free(l);
	pick_item("home", I_VOICE, "home: voice settings");
	check_pages("voice", large, "voice settings");
	h_key(H, H_BACKSPACE);
	expect_title(T_HOME, "voice settings: back home");

	/* 4: the log-in screen, then a scan there. */
	int n_dev = e2e_log_count(H, "POST /v1/auth/device -> 200");
	pick_item("home", I_LOGIN, "home: log in");
	expect_title(T_LOGIN_TITLE, "log-in screen");
	wait_log("POST /v1/auth/device -> 200", n_dev + 1, "log-in screen: QR code fetched");
	l = wait_frame("login", NULL, NULL, "log-in screen");
	check_frame(l, large, "log-in screen");
	layout_free(l);
	citizen_code(code, sizeof code);
	e2e_fifo_send(H, G, fifo_path, code, WAIT_MS);
	expect(T_WELCOME CIT_DISPLAY "。", "scan: logged in");
	l = wait_frame("home", pred_logged_in, NULL, "home, logged in");
	layout_free(l);
	check_pages("home", large, "home, logged in");

	/* 7: my information. */
	int n_me = e2e_log_count(H, "GET /v1/me -> 200");
	pick_item("home", I_MINE, "home: my applications");
	expect_title(T_MINE_TITLE, "my applications");
	l = wait_frame("mine", NULL, NULL, "my applications");
	check_frame(l, large, "my applications");
	layout_free(l);
	pick_item("mine", 1, "my applications: my information");
	expect_title(T_ME_TITLE, "my information");
	wait_log("GET /v1/me -> 200", n_me + 1, "my information fetched");
	l = wait_frame("me", NULL, NULL, "my information");
	check_frame(l, large, "my information");
	layout_free(l);
	h_key(H, H_BACKSPACE);
	expect_title(T_MINE_TITLE, "my information: back to my applications");
	h_key(H, H_BACKSPACE);
	expect_title(T_HOME, "my information: back home");

	/* 4 again: log out; large mode asks first. */
	pick_item("home", I_LOGIN, "home: log out");
	if (large) {
		expect(T_CONFIRM_Q, "confirm screen");
		l = wait_frame("confirm", NULL, NULL, "confirm screen");
		check_frame(l, large, "confirm screen");
		CHECK(item_count(l) == 2, "the confirm screen has %d choices, not 2", item_count(l));
		layout_free(l);
		h_type(H, "1");
	}
	expect(T_LOGGED_OUT, "logged out");
	l = wait_frame("home", pred_logged_out, NULL, "home, logged out");
	/* The modes end with the session: back to the configured ones. */
	check_frame(l, large && !via_toggle, "home, logged out");
	layout_free(l);
	catalog_done();
	layout_verdict();
	finish();
}

Test(access, large_mode_layout_60x20, .timeout = 300) { layout_tour(60, 20, true, false); }
Test(access, large_mode_layout_40x15, .timeout = 300) { layout_tour(40, 15, true, false); }
Test(access, large_mode_toggle_resize_60x20, .timeout = 300) { layout_tour(60, 20, true, true); }
Test(access, large_mode_toggle_resize_40x15, .timeout = 300) { layout_tour(40, 15, true, true); }
Test(access, normal_mode_layout_80x24, .timeout = 300) { layout_tour(80, 24, false, false); }

/* ==== 5. large mode off: as before ===================================================================== */

/* The dump without the text lines of the status bar's clock row, which may
 * tick between the two frames: everything else must be equal. */
static char *targets_of(const struct layout *l)
{
	char *out = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&out, &n);
	for (int i = 0; i < l->n_tgt; i++)
		fprintf(f, "target %d %d %d %d %d\n", l->tgt[i].id, l->tgt[i].x, l->tgt[i].y, l->tgt[i].w, l->tgt[i].h);
	fprintf(f, "cursor %d %d\n", l->cx, l->cy);
	fclose(f);
	return out;
}

Test(access, large_mode_off_restores)
{
	struct start_opts o = { 80, 24, NULL, "none", false };
	start(&o);
	struct layout *before = wait_home_large(0, "home, normal");
	check_frame(before, false, "home, normal");
	CHECK(h_find(H, "1 大字模式", NULL, NULL) && !h_find(H, T_LARGE_ON, NULL, NULL),
	      "home: choice 1 does not read \"大字模式\"");
	char *body_before = h_screen_text(H);
	*strrchr(body_before, '\n') = '\0'; /* the status bar holds a clock */

	h_type(H, "1");
	struct layout *on = wait_home_large(1, "1: large mode on");
	check_frame(on, true, "home, large");
	layout_free(on);
	expect(T_LARGE_ON, "large mode on: said in words on choice 1");

	h_type(H, "1");
	struct layout *after = wait_home_large(0, "1 again: large mode off");
	expect_gone(T_LARGE_ON, "large mode off: the label");
	CHECK(h_find(H, "1 大字模式", NULL, NULL), "large mode off: choice 1 does not read \"大字模式\"");
	layout_free(after);
	after = wait_home_large(0, "large mode off");
	char *tb = targets_of(before), *ta = targets_of(after);
	if (strcmp(tb, ta) != 0) {
		fprintf(stderr, "---- targets before ----\n%s---- after ----\n%s----\n", tb, ta);
		CHECK(false, "after large mode on and off, the targets differ from before");
	}
	/* Texts: the same places and widths (the clock's digits aside). */
	CHECK(before->n_text == after->n_text, "%d texts before, %d after", before->n_text, after->n_text);
	for (int i = 0; i < before->n_text; i++) {
		const struct ltext *a = &before->text[i], *b = &after->text[i];
		CHECK(a->x == b->x && a->y == b->y && a->w == b->w && a->used == b->used && a->trunc == b->trunc,
		      "text %d: (%d,%d) w %d used %d before, (%d,%d) w %d used %d after", i, a->x, a->y, a->w,
		      a->used, b->x, b->y, b->w, b->used);
	}
	char *body_after = h_screen_text(H);
	*strrchr(body_after, '\n') = '\0';
	if (strcmp(body_before, body_after) != 0) {
		fprintf(stderr, "---- before ----\n%s\n---- after ----\n%s\n----\n", body_before, body_after);
		CHECK(false, "the home screen differs from before large mode");
	}
	free(tb);
	free(ta);
	free(body_before);
	free(body_after);
	layout_free(before);
	layout_free(after);
	layout_verdict();
	finish();
}

/* ==== 6. large mode asks before logging out ============================================================ */

Test(access, large_mode_confirms_logout)
{
	struct start_opts o = { 80, 24, "large", "none", false };
	char code[256];
	start(&o);
	struct layout *l = wait_home_large(1, "home, large");
	layout_free(l);
	citizen_code(code, sizeof code);
	e2e_fifo_send(H, G, fifo_path, code, WAIT_MS);
	expect(T_WELCOME CIT_DISPLAY "。", "scan: logged in");
	l = wait_frame("home", pred_logged_in, NULL, "home, logged in");
	CHECK(first_item(l) == 0, "home is not on its first page");
	layout_free(l);
	expect("4 " T_ITEM_LOGOUT, "home: choice 4 logs out");

	h_type(H, "4");
	expect(T_CONFIRM_Q, "4: asked first");
	expect("1 确定", "confirm: 1 确定");
	expect("2 取消，返回", "confirm: 2 取消，返回");
	l = wait_frame("confirm", NULL, NULL, "confirm screen");
	check_frame(l, true, "confirm screen");
	CHECK(has_target(l, ID_LOGOUT), "the confirm screen: no longer logged in");
	layout_free(l);

	h_type(H, "2");
	expect_gone(T_CONFIRM_Q, "2: the question goes");
	expect_title(T_HOME, "2: back home");
	l = wait_frame("home", pred_logged_in, NULL, "2: still logged in");
	layout_free(l);
	expect("4 " T_ITEM_LOGOUT, "2: still logged in");
	CHECK(!h_find(H, T_LOGGED_OUT, NULL, NULL), "2 logged out");

	h_type(H, "4");
	expect(T_CONFIRM_Q, "4 again: asked");
	h_type(H, "1");
	expect(T_LOGGED_OUT, "1: logged out");
	l = wait_frame("home", pred_logged_out, NULL, "home, logged out");
	CHECK(l->large == 1, "the configured large mode ended with the session");
	layout_free(l);
	expect_gone(T_F9, "logged out: no F9 in the status bar");
	expect("4 " T_LOGIN_TITLE, "logged out: choice 4 logs in again");
	layout_verdict();
	finish();
}

/* ==== 6b. large mode gives 2.5 times as long before the idle end ============================================= */

#define IDLE_S       4             /* --idle-timeout: the shortest the kiosk takes */
#define T_IDLE_Q     "您还在吗？"   /* + seconds left + "秒后..." */
#define LOG_IDLE_END "idle: back to home"
#define IDLE_MARGIN_MS 100         /* clock rounding between the test and the kiosk */

/* The countdown of the idle warning, or -1 if it is not shown. */
static int idle_countdown(void)
{
	int col, row, n = -1;
	if (!h_find(H, T_IDLE_Q, &col, &row))
		return -1;
	char *t = h_row_text(H, row);
	const char *p = strstr(t, T_IDLE_Q);
	if (!p || sscanf(p + strlen(T_IDLE_Q), "%d", &n) != 1)
		n = -1;
	free(t);
	return n;
}

/* Opens the services from home ("3"), touches nothing more, and waits for
 * the kiosk to go back home by itself: not before limit_s after the key
 * (the kiosk reads the key after it was sent, and the end is seen after it
 * happened, so a loaded machine only adds time), and within WAIT_MS after
 * that, clearing the terminal. The warning comes at half the limit (the
 * configured 30 s is longer) and never shows more than that. */
static void expect_idle_end(long limit_s, const char *step)
{
	int ends = e2e_log_count(H, LOG_IDLE_END), most = -1;
	h_record(H);
	long long sent = e2e_now_ms();
	h_type(H, "3");
	struct row_want cats = { 0, T_CATS };
	CHECK(h_wait(H, pred_row, &cats, WAIT_MS), "%s: \"3\" did not open the services", step);
	long long deadline = sent + limit_s * 1000 + WAIT_MS;
	while (e2e_log_count(H, LOG_IDLE_END) == ends && e2e_now_ms() < deadline) {
		h_pump(H, 50);
		int n = idle_countdown();
		if (n > most)
			most = n;
	}
	long long took = e2e_now_ms() - sent;
	CHECK(e2e_log_count(H, LOG_IDLE_END) > ends, "%s: no idle end within %lld ms of the key (limit %ld s)", step,
	      took, limit_s);
	CHECK(took >= limit_s * 1000 - IDLE_MARGIN_MS, "%s: back home %lld ms after the key, before the %ld s limit",
	      step, took, limit_s);
	CHECK(most >= 0, "%s: no idle warning before the end", step);
	CHECK(most <= (limit_s + 1) / 2, "%s: the warning counted down from %d s; the limit is %ld s, the warning "
	      "half of it", step, most, limit_s);
	expect_title(T_HOME, step);
	e2e_expect_cleared(H, G, step);
}

Test(access, idle_limit_longer_in_large_mode)
{
	char idle[16];
	snprintf(idle, sizeof idle, "%d", IDLE_S);
	const char *const extra[] = { "--idle-timeout", idle, NULL };
	struct start_opts o = { 80, 24, NULL, "none", false };
	start_extra = extra;
	start(&o);

	/* Normal mode: the limit as configured. */
	expect_idle_end(IDLE_S, "normal mode");

	/* Large mode (switched on at home, where nothing times out): 2.5 times
	 * as long; the idle end switches it off again. */
	h_type(H, "1");
	layout_free(wait_home_large(1, "1: large mode on"));
	expect_idle_end(IDLE_S * 5 / 2, "large mode");
	layout_free(wait_home_large(0, "large mode ends with the idle end"));
	finish();
}

/* ==== 7. the keypad alone: digits, Enter, Backspace ======================================================= */

static bool pred_page(struct harness *h, void *ud)
{
	return h_find(h, ud, NULL, NULL);
}

static void expect_page(int page, int pages, const char *step)
{
	char *s = e2e_fmt("第 %d/%d 页", page, pages);
	CHECK(h_wait(H, pred_page, s, WAIT_MS), "%s: \"%s\" not shown", step, s);
	free(s);
	settle(step);
}

Test(access, keypad_only, .timeout = 300)
{
	struct start_opts o = { 80, 24, NULL, "none", false };
	char code[256], buf[512];
	struct layout *l;
	start(&o);
	catalog_load();

	/* 3: the categories; 0 pages through them. */
	h_type(H, "3");
	expect_title(T_CATS, "3: categories");
	l = wait_frame("categories", pred_has_items, NULL, "categories");
	int per = item_count(l);
	layout_free(l);
	int pages = (CAT.n + per - 1) / per;
	CHECK(pages >= 2, "%d categories, %d a page: one page only", CAT.n, per);
	for (int p = 2; p <= pages + 1; p++) {
		h_type(H, "0");
		int want = p > pages ? 1 : p;
		expect_page(want, pages, "0: next page of categories");
		snprintf(buf, sizeof buf, "1 %s", CAT.c[(want - 1) * per].name);
		expect(buf, "0: the page's first category");
	}

	/* The biggest category: its services, paged with 0 too. */
	int ci = largest_category();
	pick_item("categories", ci, "the biggest category");
	expect_title(CAT.c[ci].name, "services list");
	l = wait_frame("services", pred_has_items, NULL, "services list");
	int sper = item_count(l);
	bool spaged = has_target(l, ID_NEXT);
	layout_free(l);
	if (spaged) {
		int sp = (CAT.c[ci].n + sper - 1) / sper;
		h_type(H, "0");
		expect_page(2, sp, "0: page 2 of the services");
		snprintf(buf, sizeof buf, "1 %s", CAT.c[ci].s[sper].name);
		expect(buf, "0: page 2's first service");
		for (int p = 3; p <= sp + 1; p++) {
			h_type(H, "0");
			expect_page(p > sp ? 1 : p, sp, "0: next page of the services");
		}
	}
	h_type(H, "1");
	expect_title(CAT.c[ci].s[0].name, "1: the first service");
	expect("【所需材料】", "service details");
	h_type(H, "2");
	settle("2: page down");
	h_key(H, H_BACKSPACE);
	expect_title(CAT.c[ci].name, "Backspace: the services");
	h_key(H, H_BACKSPACE);
	expect_title(T_CATS, "Backspace: the categories");
	h_key(H, H_BACKSPACE);
	expect_title(T_HOME, "Backspace: home");

	/* 6 排队取号, Backspace: home. */
	h_type(H, "6");
	expect_title(T_QUEUE, "6: the queue's list");
	h_key(H, H_BACKSPACE);
	expect_title(T_HOME, "Backspace: home");

	/* 8 3: English; 8 1: Chinese again. */
	h_type(H, "8");
	layout_free(wait_frame("lang", pred_has_items, NULL, "8: language picker"));
	h_type(H, "3");
	expect_title(T_HOME_EN, "3: English");
	h_type(H, "8");
	layout_free(wait_frame("lang", pred_has_items, NULL, "8: language picker in English"));
	h_type(H, "1");
	expect_title(T_HOME, "1: Chinese again");
	expect("3 办事服务", "Chinese home");

	/* 4: the log-in screen; the scan itself is the scanner's. */
	h_type(H, "4");
	expect_title(T_LOGIN_TITLE, "4: log-in screen");
	citizen_code(code, sizeof code);
	e2e_fifo_send(H, G, fifo_path, code, WAIT_MS);
	expect(T_WELCOME CIT_DISPLAY "。", "scan: logged in");
	expect_title(T_HOME, "logged in: home");
	expect("4 " T_ITEM_LOGOUT, "logged in: 4 logs out");

	/* 7: my information. */
	h_type(H, "7");
	expect_title(T_MINE_TITLE, "7: my applications");
	h_type(H, "2");
	expect_title(T_ME_TITLE, "2: my information");
	expect("姓名：" CIT_DISPLAY, "my information: masked name");
	h_key(H, H_BACKSPACE);
	expect_title(T_MINE_TITLE, "Backspace: my applications");
	h_key(H, H_BACKSPACE);
	expect_title(T_HOME, "Backspace: home");

	/* 4: logged out at once (not large mode). */
	h_type(H, "4");
	expect(T_LOGGED_OUT, "4: logged out");
	expect_gone(T_F9, "logged out: no F9");
	expect("4 " T_LOGIN_TITLE, "logged out: 4 logs in");
	catalog_done();
	finish();
}

/* ==== 8. the modes end with the session ================================================================= */

Test(access, modes_end_with_session)
{
	struct start_opts o = { 80, 24, NULL, "none", false };
	char code[256];
	struct layout *l;
	start(&o);
	citizen_code(code, sizeof code);
	e2e_fifo_send(H, G, fifo_path, code, WAIT_MS);
	expect(T_WELCOME CIT_DISPLAY "。", "scan: logged in");
	l = wait_frame("home", pred_logged_in, NULL, "home, logged in");
	layout_free(l);

	h_type(H, "1");
	expect(T_LARGE_ON, "1: large mode on");
	l = wait_home_large(1, "1: large mode on");
	CHECK(first_item(l) == 0, "large mode: home not on its first page");
	layout_free(l);
	h_type(H, "2");
	expect(T_VOICE_ON, "2: voice on");
	l = wait_home_large(1, "2: voice on");
	CHECK(has_target(l, ID_REPEAT), "voice on: no repeat button in the status bar");
	CHECK(has_target(l, ID_LOGOUT), "voice on: logged out?");
	check_frame(l, true, "home, both modes on");
	layout_free(l);

	/* F9: large mode asks; 1 logs out. */
	h_key(H, H_F9);
	expect(T_CONFIRM_Q, "F9: asked first");
	h_type(H, "1");
	expect(T_LOGGED_OUT, "1: logged out");
	l = wait_frame("home", pred_logged_out, NULL, "home, logged out");
	CHECK(l->large == 0, "large mode still on after the session");
	CHECK(!has_target(l, ID_REPEAT), "voice mode still on after the session: a repeat target");
	layout_free(l);
	expect("1 大字模式", "logged out: choice 1");
	expect("2 语音播报", "logged out: choice 2");
	CHECK(!h_find(H, T_LARGE_ON, NULL, NULL), "\"%s\" still shown after the session", T_LARGE_ON);
	CHECK(!h_find(H, T_VOICE_ON, NULL, NULL), "\"%s\" still shown after the session", T_VOICE_ON);
	CHECK(!h_find(H, "重听", NULL, NULL), "the status bar still offers \"%s\"", T_REPEAT);
	CHECK(!h_find(H, "：开", NULL, NULL), "a mode still says \"：开\"");
	layout_verdict();
	finish();
}

/* ==== 9. real synthesis to a WAV file ===================================================================== */

struct wav {
	int format, channels, rate, bits;
	size_t data_len;
	const unsigned char *data;
};

static uint32_t le32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint16_t le16(const unsigned char *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

/* NULL if it parses, else why. */
static const char *wav_parse(const unsigned char *b, size_t n, struct wav *w)
{
	memset(w, 0, sizeof *w);
	if (n < 12 || memcmp(b, "RIFF", 4) || memcmp(b + 8, "WAVE", 4))
		return "not RIFF/WAVE";
	bool fmt_seen = false;
	size_t p = 12;
	while (p + 8 <= n) {
		uint32_t len = le32(b + p + 4);
		const unsigned char *c = b + p + 8;
		if (!memcmp(b + p, "fmt ", 4)) {
			if (len < 16 || p + 8 + 16 > n)
				return "short fmt chunk";
			w->format = le16(c);
			w->channels = le16(c + 2);
			w->rate = (int)le32(c + 4);
			w->bits = le16(c + 14);
			fmt_seen = true;
		} else if (!memcmp(b + p, "data", 4)) {
			if (!fmt_seen)
				return "data before fmt";
			if (p + 8 + len > n)
				return "data chunk longer than the file (still being written?)";
			w->data = c;
			w->data_len = len;
			return NULL;
		}
		p += 8 + len + (len & 1);
	}
	return "no data chunk";
}

Test(access, espeak_real_wav, .timeout = 120)
{
	/* Only where the kiosk has the wav backend. */
	{
		char cmd[4200];
		snprintf(cmd, sizeof cmd, "'%s' --help 2>&1 | grep -q 'wav:DIR'", h_kiosk_bin());
		if (system(cmd) != 0)
			cr_skip_test("%s has no --speech wav:DIR", h_kiosk_bin());
	}
	char dir[800], spec[820];
	snprintf(dir, sizeof dir, "%s/wav", scratch_dir());
	cr_assert_eq(mkdir(dir, 0700), 0, "mkdir %s: %s", dir, strerror(errno));
	snprintf(spec, sizeof spec, "wav:%s", dir);
	struct start_opts o = { 80, 24, "voice", spec, false };
	start(&o);

	/* The first utterance: the home announcement, once written whole. */
	char path[1200] = "";
	struct wav w;
	const char *why = "no file";
	unsigned char *buf = NULL;
	size_t len = 0, last_len = (size_t)-1;
	long long end = e2e_now_ms() + WAIT_MS, stable_since = 0;
	while (e2e_now_ms() < end) {
		DIR *d = opendir(dir);
		struct dirent *e;
		char first[300] = "";
		while (d && (e = readdir(d)))
			if (strstr(e->d_name, ".wav") && (!first[0] || strcmp(e->d_name, first) < 0))
				snprintf(first, sizeof first, "%s", e->d_name);
		if (d)
			closedir(d);
		if (first[0]) {
			snprintf(path, sizeof path, "%s/%s", dir, first);
			free(buf);
			buf = (unsigned char *)e2e_slurp(path, &len);
			why = buf ? wav_parse(buf, len, &w) : "unreadable";
			if (len != last_len) {
				last_len = len;
				stable_since = e2e_now_ms();
			} else if (!why && e2e_now_ms() - stable_since >= 700) {
				break;
			}
		}
		h_pump(H, 100);
	}
	CHECK(path[0], "no WAV file in %s within %d ms of the home screen", dir, WAIT_MS);
	CHECK(!why, "%s: %s", path, why);
	CHECK(strstr(path, "zh_CN"), "%s: not named for zh_CN", path);
	CHECK(w.format == 1 && w.channels == 1 && w.bits == 16 && w.rate == 22050,
	      "%s: format %d, %d channel(s), %d bits, %d Hz; wanted PCM (1), mono, 16 bits, 22050 Hz", path,
	      w.format, w.channels, w.bits, w.rate);
	size_t samples = w.data_len / 2;
	double secs = (double)samples / 22050.0;
	CHECK(secs >= 2.0 && secs <= 60.0, "%s: %.2f s long; the home announcement should take 2 to 60 s", path,
	      secs);
	double sum = 0;
	for (size_t i = 0; i < samples; i++) {
		double v = (int16_t)le16(w.data + 2 * i);
		sum += v * v;
	}
	double rms = sqrt(sum / (double)(samples ? samples : 1));
	CHECK(rms > 300.0, "%s: RMS %.1f of 32767: silence, not speech", path, rms);
	free(buf);
	finish();
}
