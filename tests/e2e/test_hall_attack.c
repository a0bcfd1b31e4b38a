/* test_hall_attack.c: the service hall attacked (suite "hall_attack"):
 * tickets and 好差评 ratings through shut-downs, SIGKILL, outages, a
 * gateway that commits and drops, gateways that say strange things, double
 * presses and touches, a ticket number that comes back the next day, the
 * idle timeout, a comment typed with control and bidi characters, voice
 * mode, large text and English at 80x24 and 200x60 (the layout dump).
 * Screen texts are the zh_CN ones unless --lang says otherwise.
 */
#include "e2e.h"
#include "pay_e2e.h"
#include "tamper.h"
#include "harness/gwd.h"
#include "harness/harness.h"
#include "harness/escpos_parse.h"

#include <criterion/criterion.h>
#include <errno.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define WAIT_MS 15000
#define COLS 100
#define ROWS 32
#define T_QUEUE_SVC "社保业务取号"
#define T_NUMBER "您的号码："
#define T_RATE_Q "您对本次服务满意吗"
#define T_WHY "哪里不满意"
#define T_THANKS "感谢您的评价"
#define T_DONE "完成"
#define ACCOUNT_3 "3101000001"  /* water: 3 bills */

static void suite_fini(void);
TestSuite(hall_attack, .timeout = 120, .fini = suite_fini);

/* ---- scratch files, evidence ---------------------------------------------------------- */

static char scratch[700];
static char speech[800], layout[800], data[800];

static void dump_more(void)
{
	if (speech[0])
		e2e_print_file_tail("speech transcript", speech, 4000);
	if (layout[0])
		e2e_print_file_tail("layout dump", layout, 4000);
}

static void paths(void)
{
	e2e_set_hooks(NULL, dump_more);
	if (scratch[0])
		return;
	e2e_scratch_dir(scratch, sizeof scratch, "hall-attack");
	snprintf(speech, sizeof speech, "%s/speech.log", scratch);
	snprintf(layout, sizeof layout, "%s/layout.txt", scratch);
	snprintf(data, sizeof data, "%s/data", scratch);
	cr_assert(mkdir(data, 0700) == 0, "mkdir %s: %s", data, strerror(errno));
}

static void suite_fini(void)
{
	e2e_set_hooks(NULL, NULL);
	e2e_rm_rf(scratch);
	scratch[0] = speech[0] = layout[0] = data[0] = '\0';
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

/* ---- kiosk and gateway ---------------------------------------------------------------------- */

/* The kiosk against url on the scratch data directory (so that a restart
 * finds what the last one left), the layout dump on, `more` arguments;
 * at home with the catalog. */
static struct harness *start_at(struct gwd *g, const char *url, int cols, int rows, const char *const more[],
                                const char *home)
{
	paths();
	const char *args[32];
	size_t n = 0;
	const char *theme = e2e_theme_path();
	if (theme) {
		args[n++] = "--theme";
		args[n++] = theme;
	}
	args[n++] = "--data-dir";
	args[n++] = data;
	for (size_t i = 0; more && more[i] && n < 30; i++)
		args[n++] = more[i];
	args[n] = NULL;
	setenv("KIOSK_LAYOUT_DUMP", layout, 1);
	struct harness *h = e2e_start_kiosk(url ? url : gwd_url(g), cols, rows, args);
	unsetenv("KIOSK_LAYOUT_DUMP");
	e2e_expect_row(h, g, 0, home ? home : E2E_T_HOME, WAIT_MS, "start: home");
	E2E_CHECK(h, g, e2e_wait_log(h, "GET /v1/catalog -> ", WAIT_MS), "no catalog");
	h_settle(h, E2E_QUIET_MS, 2000);
	return h;
}

static struct harness *start(struct gwd *g, const char *url, const char *const more[])
{
	return start_at(g, url, COLS, ROWS, more, NULL);
}

/* SIGKILL: no goodbye, nothing flushed by the kiosk itself. */
static void kill_kiosk(struct harness *h, struct gwd *g)
{
	kill(h_pid(h), SIGKILL);
	int st = 0;
	E2E_CHECK(h, g, h_wait_exit(h, 5000, &st) == 0, "the kiosk did not die");
	E2E_CHECK(h, g, WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL, "the kiosk ended otherwise: %#x", st);
	h_free(h);
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

/* Home 6, the social insurance counter (touched `touches` times at once):
 * the ticket shown; its number into num. */
static void take_ticket_n(struct harness *h, struct gwd *g, char *num, size_t n, int touches)
{
	h_key(h, H_HOME);
	h_settle(h, E2E_QUIET_MS, 1500);
	h_type(h, "6");
	e2e_expect_row(h, g, 0, "排队取号", WAIT_MS, "home 6: 排队取号");
	h_settle(h, E2E_QUIET_MS, 1000);
	for (int i = 0; i < 6 && !e2e_wait_text(h, T_QUEUE_SVC, 300); i++)
		h_key(h, H_PGDN);
	int col, row;
	E2E_CHECK(h, g, h_find(h, T_QUEUE_SVC, &col, &row), "the social insurance counter is not listed");
	for (int i = 0; i < touches; i++)
		h_click(h, col, row);
	e2e_expect(h, g, T_NUMBER, WAIT_MS, "a number was taken");
	E2E_CHECK(h, g, h_find(h, T_NUMBER, &col, &row), "no number line");
	char *line = h_row_text(h, row);
	const char *p = strstr(line, T_NUMBER) + strlen(T_NUMBER);
	size_t k = 0;
	while (p[k] && p[k] != ' ' && k + 1 < n) {
		num[k] = p[k];
		k++;
	}
	num[k] = '\0';
	free(line);
	E2E_CHECK(h, g, k >= 2 && num[0] >= 'A' && num[0] <= 'Z', "the number shown: '%s'", num);
}

static void take_ticket(struct harness *h, struct gwd *g, char *num, size_t n)
{
	take_ticket_n(h, g, num, n, 1);
}

/* On a ticket's screen: 完成 (after the double-press guard), the rating's
 * question, and a person's pause to read it. */
static void ticket_done(struct harness *h, struct gwd *g)
{
	h_pump(h, 1100);
	h_type(h, "1");
	e2e_expect(h, g, T_RATE_Q, WAIT_MS, "完成 asks for a rating");
	h_pump(h, 700);
}

/* The gateway's ratings (GET /sim/ratings), newest first (the caller decrefs). */
static json_t *gw_ratings(struct gwd *g)
{
	char *resp = NULL;
	cr_assert_eq(gwd_get(g, "/sim/ratings", &resp), 200, "GET /sim/ratings");
	json_t *j = json_loads(resp, 0, NULL);
	free(resp);
	cr_assert(json_is_object(j), "/sim/ratings is no object");
	json_t *l = json_incref(json_object_get(j, "ratings"));
	json_decref(j);
	return l;
}

/* How many ratings the gateway has whose subject's `kind` is id; the
 * score of the last one found into *score (if any). */
static int gw_rated(struct gwd *g, const char *kind, const char *id, int *score, json_t **tags)
{
	json_t *l = gw_ratings(g), *r;
	size_t i;
	int n = 0;
	json_array_foreach(l, i, r) {
		const char *s = json_string_value(json_object_get(json_object_get(r, "subject"), kind));
		if (s && !strcmp(s, id)) {
			n++;
			if (score)
				*score = (int)json_integer_value(json_object_get(r, "score"));
			if (tags) {
				json_decref(*tags);
				*tags = json_incref(json_object_get(r, "tags"));
			}
		}
	}
	json_decref(l);
	return n;
}

static int gw_n_ratings(struct gwd *g)
{
	json_t *l = gw_ratings(g);
	int n = (int)json_array_size(l);
	json_decref(l);
	return n;
}

/* Tickets the gateway issued today in the window group of ticket num
 * (GET /sim/queue), the people waiting before its first one included. */
static long long gw_issued(struct gwd *g, const char *num)
{
	char *resp = NULL;
	cr_assert_eq(gwd_get(g, "/sim/queue", &resp), 200, "GET /sim/queue");
	json_t *j = json_loads(resp, 0, NULL);
	free(resp);
	json_t *groups = json_is_array(j) ? j : json_object_get(j, "groups"), *grp;
	size_t i;
	long long n = 0;
	json_array_foreach(groups, i, grp) {
		const char *l = json_string_value(json_object_get(grp, "letter"));
		if (l && !strncmp(num, l, strlen(l)))
			n = json_integer_value(json_object_get(grp, "issued"));
	}
	json_decref(j);
	return n;
}

/* ---- the layout dump (KIOSK_LAYOUT_DUMP: one frame, replaced each paint) ---------------------- */

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

/* Every target inside the screen, none over another, large mode's at
 * least 3 rows by 8 columns; no text over another, none beyond the
 * screen, none half under a target. The frame of `screen` once the kiosk
 * has stopped painting. */
static void frame_check(struct harness *h, struct gwd *g, const char *screen, const char *step)
{
	static struct frame fr;
	struct frame *f = &fr;
	long long end = e2e_now_ms() + WAIT_MS;
	for (;;) {
		h_settle(h, E2E_QUIET_MS, 2000);
		if (frame_read(f) && !strcmp(f->screen, screen))
			break;
		E2E_CHECK(h, g, e2e_now_ms() < end, "%s: no frame of screen %s (last: %s)", step, screen, f->screen);
		h_pump(h, 50);
	}
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

/* HALL_SHOW=1: the screen (and at the end the speech transcript) on stderr. */
static void show(struct harness *h)
{
	if (getenv("HALL_SHOW")) {
		h_dump(h, stderr);
		if (!strcmp(getenv("HALL_SHOW"), "2"))
			e2e_print_file_tail("layout dump", layout, 6000);
	}
}

/* The speech transcript ("LANG<tab>text" a line) holds no control
 * character in what was said. */
static void speech_clean(struct harness *h, struct gwd *g)
{
	size_t len = 0;
	char *t = e2e_slurp(speech, &len);
	E2E_CHECK(h, g, t, "no speech transcript");
	bool tab = false;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)t[i];
		if (c == '\n')
			tab = false;
		else if (c == '\t' && !tab)
			tab = true;
		else
			E2E_CHECK(h, g, c >= 0x20 && c != 0x7f, "a control character (%#x) spoken at %zu", c, i);
	}
	free(t);
}

/* ==== 1. a number that comes back the next day =============================================== */

/* Ticket numbers start again every day (A001...). A kiosk that rated
 * yesterday's A004 must rate today's A004 too: the rating is the new
 * ticket's, not "that subject was rated already". A fresh gateway on the
 * same kiosk data is the new day. Then a payment and a ticket: each
 * rating lands on its own subject; all seven reasons chosen still make a
 * rating the gateway takes (it takes at most 5). */
Test(hall_attack, a_number_that_comes_back_tomorrow_is_rated_again)
{
	struct gwd *g1 = e2e_start_gateway(NULL);
	struct harness *h = start(g1, NULL, NULL);
	char yesterday[32], today[32];
	take_ticket(h, g1, yesterday, sizeof yesterday);
	ticket_done(h, g1);
	h_type(h, "5");
	e2e_expect(h, g1, T_THANKS, WAIT_MS, "thanked");
	E2E_CHECK(h, g1, e2e_wait_log(h, "POST /v1/ratings -> 201", WAIT_MS), "yesterday's rating not delivered");
	e2e_end_kiosk(h, 8000);
	e2e_end_gw(g1, false);

	struct gwd *g = e2e_start_gateway(NULL);
	h = start(g, NULL, NULL);
	take_ticket(h, g, today, sizeof today);
	E2E_CHECK(h, g, !strcmp(today, yesterday), "the new day's gateway gave %s, not %s again", today, yesterday);
	ticket_done(h, g);
	h_type(h, "4");
	e2e_expect(h, g, T_THANKS, WAIT_MS, "thanked");
	E2E_CHECK(h, g, e2e_wait_log(h, "POST /v1/ratings -> 201", WAIT_MS),
	          "today's %s was not rated: taken for yesterday's", today);
	int score = 0;
	E2E_CHECK(h, g, gw_rated(g, "ticket", today, &score, NULL) == 1 && score == 4, "today's rating at the gateway");

	/* A payment, rated 2 with every reason; then a ticket rated 3. */
	h_key(h, H_HOME);
	e2e_expect_row(h, g, 0, E2E_T_HOME, WAIT_MS, "home");
	h_settle(h, E2E_QUIET_MS, 1500);
	pay_to_bills(h, g, ACCOUNT_3);
	pay_expect_bills(h, g, "bills");
	h_type(h, "1");
	e2e_expect(h, g, "确认支付", WAIT_MS, "the bill to pay");
	h_pump(h, 400);
	h_type(h, "1");
	e2e_expect(h, g, "等待支付", WAIT_MS, "the QR");
	char pid[64];
	pay_last_id(g, pid, sizeof pid);
	pay_sim_pay(g, pid);
	e2e_expect(h, g, "支付成功", WAIT_MS, "paid");
	h_pump(h, 500);
	h_type(h, "1");
	e2e_expect(h, g, T_RATE_Q, WAIT_MS, "完成 after paying asks for a rating");
	h_pump(h, 700);
	h_type(h, "2");
	e2e_expect(h, g, T_WHY, WAIT_MS, "2 asks why");
	h_pump(h, 700);
	for (const char *k = "1234567"; *k; k++) {
		char c[2] = { *k, 0 };
		h_type(h, c);
		h_pump(h, 120);
	}
	h_settle(h, E2E_QUIET_MS, 1500);
	int on = e2e_count_text(h, "[x]");
	E2E_CHECK(h, g, on <= 5, "%d reasons chosen: the gateway takes 5", on);
	h_type(h, "9");
	e2e_expect(h, g, T_THANKS, WAIT_MS, "thanked");
	wait_log_n(h, g, "POST /v1/ratings -> 201", 2, WAIT_MS, "the payment's rating delivered");
	json_t *tags = NULL;
	E2E_CHECK(h, g, gw_rated(g, "payment_id", pid, &score, &tags) == 1 && score == 2,
	          "the payment's rating at the gateway");
	E2E_CHECK(h, g, json_array_size(tags) == (size_t)on && on >= 1, "%zu tags sent, %d shown",
	          json_array_size(tags), on);
	json_decref(tags);
	char next[32];
	take_ticket(h, g, next, sizeof next);
	ticket_done(h, g);
	h_type(h, "3");
	e2e_expect(h, g, T_THANKS, WAIT_MS, "thanked");
	wait_log_n(h, g, "POST /v1/ratings -> 201", 3, WAIT_MS, "the second ticket's rating delivered");
	E2E_CHECK(h, g, gw_rated(g, "ticket", next, &score, NULL) == 1 && score == 3, "%s's rating", next);
	E2E_CHECK(h, g, gw_rated(g, "payment_id", pid, &score, NULL) == 1 && score == 2, "the payment's rating moved");
	E2E_CHECK(h, g, gw_rated(g, "ticket", today, &score, NULL) == 1 && score == 4, "%s's rating moved", today);
	E2E_CHECK(h, g, gw_n_ratings(g) == 3, "%d ratings at the gateway", gw_n_ratings(g));
	E2E_CHECK(h, g, e2e_log_count(h, "POST /v1/ratings -> 422") == 0, "a rating refused");
	e2e_finish(h, g);
}

/* ==== 2. double presses and touches ================================================================== */

/* The press that opened a screen, repeated, never chooses on the next:
 * 完成 touched twice opens the rating and rates nothing; '1' twice (完成,
 * then 非常不满意) leaves the score unchosen; 2 pressed twice asks why with
 * no reason chosen; 提交 touched three times is one rating. */
Test(hall_attack, double_presses_choose_nothing_the_citizen_did_not)
{
	struct gwd *g = e2e_start_gateway(NULL);
	struct harness *h = start(g, NULL, NULL);
	char num[32];
	/* The list touched three times: one ticket (the number is the
	 * group's count of the day: the last one issued). */
	take_ticket_n(h, g, num, sizeof num, 3);
	h_settle(h, E2E_QUIET_MS, 2500);
	E2E_CHECK(h, g, gw_issued(g, num) == atoll(num + 1), "%lld issued, %s shown", gw_issued(g, num), num);
	E2E_CHECK(h, g, e2e_wait_text(h, T_NUMBER, 100), "the repeated touch left the number");

	/* 完成 touched twice. */
	h_pump(h, 1100);
	int col, row;
	E2E_CHECK(h, g, h_find(h, T_DONE, &col, &row), "no 完成");
	h_click(h, col, row);
	h_click(h, col, row);
	e2e_expect(h, g, T_RATE_Q, WAIT_MS, "完成 asks for a rating");
	h_settle(h, E2E_QUIET_MS, 1500);
	E2E_CHECK(h, g, e2e_log_count(h, "recorded (score") == 0 && e2e_wait_text(h, T_RATE_Q, 100),
	          "a second touch of 完成 rated the service");

	/* '1' twice: 完成, then 1 非常不满意 taken from the same press. */
	h_key(h, H_ESC); /* skip: home */
	e2e_expect_row(h, g, 0, E2E_T_HOME, WAIT_MS, "skipped home");
	take_ticket(h, g, num, sizeof num);
	h_pump(h, 1100);
	h_type(h, "1");
	h_pump(h, 60);
	h_type(h, "1");
	e2e_expect(h, g, T_RATE_Q, WAIT_MS, "rating");
	h_settle(h, E2E_QUIET_MS, 1500);
	E2E_CHECK(h, g, !e2e_wait_text(h, T_WHY, 100), "a double 1 on 完成 chose 非常不满意");

	/* 2 twice: why, nothing chosen. */
	h_pump(h, 600);
	h_type(h, "2");
	h_pump(h, 60);
	h_type(h, "2");
	e2e_expect(h, g, T_WHY, WAIT_MS, "2 asks why");
	h_settle(h, E2E_QUIET_MS, 1500);
	E2E_CHECK(h, g, e2e_count_text(h, "[x]") == 0, "a double 2 chose a reason");
	h_pump(h, 600);
	h_type(h, "3");
	e2e_expect(h, g, "[x]", WAIT_MS, "a reason chosen");
	/* 提交 touched three times. */
	E2E_CHECK(h, g, h_find(h, "9 提交", &col, &row) || h_find(h, "提交", &col, &row), "no 提交");
	h_click(h, col + 1, row);
	h_click(h, col + 1, row);
	h_click(h, col + 1, row);
	e2e_expect_any(h, g, (const char *const[]){ T_THANKS, E2E_T_HOME, NULL }, WAIT_MS, "thanked");
	E2E_CHECK(h, g, e2e_wait_log(h, "POST /v1/ratings -> 201", WAIT_MS), "not delivered");
	h_settle(h, E2E_QUIET_MS, 1500);
	E2E_CHECK(h, g, e2e_log_count(h, "POST /v1/ratings ->") == 1, "%d ratings posted",
	          e2e_log_count(h, "POST /v1/ratings ->"));
	int score = 0;
	json_t *tags = NULL;
	E2E_CHECK(h, g, gw_rated(g, "ticket", num, &score, &tags) == 1 && score == 2 && json_array_size(tags) == 1,
	          "the rating at the gateway: score %d, %zu tags", score, json_array_size(tags));
	json_decref(tags);
	e2e_finish(h, g);
}

/* ==== 3. shut down, killed, the gateway down: each rating at the gateway once ============== */

/* A rating on its way when the kiosk is shut down (SIGTERM: it exits
 * clean, nothing leaked) goes at the next start, once. One the gateway
 * refused with 500 is kept; once the gateway takes another, the one kept
 * goes too, without waiting for its backoff. One in flight when the kiosk
 * is killed (SIGKILL), and a ticket being taken then, leave nothing wrong
 * behind: the next start sends the rating, once. */
Test(hall_attack, ratings_survive_shutdown_kill_and_an_outage_once_each, .timeout = 150)
{
	struct gwd *g = e2e_start_gateway(NULL);
	struct harness *h = start(g, NULL, NULL);
	char t1[32], t2[32], t3[32], t4[32];
	int score = 0;

	/* 1. Held by the gateway, then SIGTERM. */
	take_ticket(h, g, t1, sizeof t1);
	ticket_done(h, g);
	e2e_set_faults(g, "{\"latency_ms\": 2500, \"paths\": [\"/v1/ratings\"]}");
	h_type(h, "5");
	e2e_expect(h, g, T_THANKS, WAIT_MS, "thanked");
	wait_log_n(h, g, "recorded (score 5)", 1, WAIT_MS, "recorded");
	pump(h, 300);
	e2e_end_kiosk(h, 8000); /* exit 0, no sanitizer report */
	e2e_set_faults(g, "{}");
	h = start(g, NULL, NULL);
	E2E_CHECK(h, g, e2e_wait_log(h, "POST /v1/ratings -> 201", WAIT_MS), "not sent after the restart");
	E2E_CHECK(h, g, gw_rated(g, "ticket", t1, &score, NULL) == 1 && score == 5, "%s's rating", t1);

	/* 2. The gateway refuses (500): kept; another delivered takes it along. */
	take_ticket(h, g, t2, sizeof t2);
	ticket_done(h, g);
	e2e_set_faults(g, "{\"error_rate\": 1.0, \"status\": 500, \"paths\": [\"/v1/ratings\"]}");
	h_type(h, "4");
	e2e_expect(h, g, T_THANKS, WAIT_MS, "thanked");
	E2E_CHECK(h, g, e2e_wait_log(h, "not delivered yet", WAIT_MS), "the 500 was not kept");
	e2e_set_faults(g, "{}");
	take_ticket(h, g, t3, sizeof t3);
	ticket_done(h, g);
	h_type(h, "3");
	e2e_expect(h, g, T_THANKS, WAIT_MS, "thanked");
	wait_log_n(h, g, "POST /v1/ratings -> 201", 3, 8000, "the kept rating follows the delivered one");
	E2E_CHECK(h, g, gw_rated(g, "ticket", t2, &score, NULL) == 1 && score == 4, "%s's rating", t2);
	E2E_CHECK(h, g, gw_rated(g, "ticket", t3, &score, NULL) == 1 && score == 3, "%s's rating", t3);

	/* 3. SIGKILL with a rating in flight. */
	take_ticket(h, g, t4, sizeof t4);
	ticket_done(h, g);
	e2e_set_faults(g, "{\"latency_ms\": 2500, \"paths\": [\"/v1/ratings\"]}");
	h_type(h, "2");
	e2e_expect(h, g, T_WHY, WAIT_MS, "why");
	h_pump(h, 700);
	h_type(h, "9");
	e2e_expect(h, g, T_THANKS, WAIT_MS, "thanked");
	wait_log_n(h, g, "recorded (score 2)", 1, WAIT_MS, "recorded");
	pump(h, 300);
	kill_kiosk(h, g);
	/* 4. And SIGKILL while a ticket is being taken. */
	e2e_set_faults(g, "{\"latency_ms\": 2500, \"paths\": [\"/v1/queue/tickets\"]}");
	h = start(g, NULL, NULL);
	E2E_CHECK(h, g, e2e_wait_log(h, "POST /v1/ratings -> 201", WAIT_MS), "not sent after the kill");
	h_type(h, "6");
	e2e_expect_row(h, g, 0, "排队取号", WAIT_MS, "home 6");
	h_settle(h, E2E_QUIET_MS, 1000);
	E2E_CHECK(h, g, h_click_text(h, T_QUEUE_SVC), "touch");
	e2e_expect(h, g, "正在取号", WAIT_MS, "taking");
	pump(h, 300);
	kill_kiosk(h, g);
	e2e_set_faults(g, "{}");
	h = start(g, NULL, NULL);
	h_settle(h, E2E_QUIET_MS, 2500);
	E2E_CHECK(h, g, gw_rated(g, "ticket", t4, &score, NULL) == 1 && score == 2, "%s's rating", t4);
	E2E_CHECK(h, g, gw_n_ratings(g) == 4, "%d ratings at the gateway, not 4", gw_n_ratings(g));
	E2E_CHECK(h, g, e2e_log_count(h, "POST /v1/ratings") == 0, "a rating sent again after it was delivered");
	e2e_finish(h, g);
}

/* ==== 4. voice, large text, English: 80x24 and 200x60 ========================================== */

/* Every page of a ticket and a rating laid out without a target over
 * another (and large mode's at least 3x8), at the smallest grid and a
 * large one; the number read out a character at a time, nothing spoken
 * with a control character; '*' held down in voice mode calls staff and
 * says so. */
Test(hall_attack, voice_large_english_pages_at_80x24_and_200x60)
{
	paths();
	struct gwd *g = e2e_start_gateway(NULL);
	char sp[900];
	snprintf(sp, sizeof sp, "log:%s", speech);
	const char *more[] = { "--lang", "en", "--mode", "large,voice", "--speech", sp, NULL };
	struct harness *h = start_at(g, NULL, 80, 24, more, "Government Services");
	h_type(h, "6");
	e2e_expect_row(h, g, 0, "Take a number", WAIT_MS, "home 6");
	frame_check(h, g, "queue", "the list, 80x24");
	h_type(h, "1");
	e2e_expect(h, g, "Your number: ", WAIT_MS, "a number");
	frame_check(h, g, "ticket", "the ticket, 80x24");
	show(h);
	E2E_CHECK(h, g, e2e_wait_text(h, "called at Window", 2000), "where to go is not on the 80x24 screen");
	int col, row;
	E2E_CHECK(h, g, h_find(h, "Your number: ", &col, &row), "the number line");
	char *line = h_row_text(h, row), num[32] = "";
	sscanf(strstr(line, "Your number: ") + 13, "%31s", num);
	free(line);
	char spelled[80] = "";
	for (size_t i = 0, k = 0; num[i] && k + 3 < sizeof spelled; i++) {
		spelled[k++] = num[i];
		spelled[k++] = ' ';
		spelled[k] = '\0';
	}
	pump(h, 500);
	char *said = e2e_slurp_str(speech);
	E2E_CHECK(h, g, strstr(said, spelled), "the number %s is not read out as \"%s\"", num, spelled);
	free(said);
	h_resize(h, 200, 60);
	frame_check(h, g, "ticket", "the ticket, 200x60");
	h_resize(h, 80, 24);
	h_pump(h, 1100);
	h_type(h, "1");
	e2e_expect_row(h, g, 0, "Rate this service", WAIT_MS, "rate");
	frame_check(h, g, "rate", "the scores, 80x24");
	show(h);
	h_resize(h, 200, 60);
	frame_check(h, g, "rate", "the scores, 200x60");
	h_pump(h, 600);
	h_type(h, "1");
	e2e_expect(h, g, "Waited too long", WAIT_MS, "why");
	frame_check(h, g, "rate", "the reasons, 200x60");
	show(h);
	h_resize(h, 80, 24);
	frame_check(h, g, "rate", "the reasons, 80x24");
	show(h);
	h_pump(h, 600);
	h_type(h, "8");
	e2e_expect(h, g, "Your comment", WAIT_MS, "the comment");
	frame_check(h, g, "rate", "the comment, 80x24");
	show(h);
	h_resize(h, 200, 60);
	frame_check(h, g, "rate", "the comment, 200x60");
	show(h);
	h_resize(h, 80, 24);
	/* '*' held down: 重听 each time until it is a hold, then staff. */
	for (int i = 0; i < 10; i++) {
		h_type(h, "*");
		h_pump(h, 40);
	}
	E2E_CHECK(h, g, e2e_wait_log(h, "POST /v1/kiosk/help -> 201", WAIT_MS), "'*' held did not call staff");
	pump(h, 800);
	said = e2e_slurp_str(speech);
	E2E_CHECK(h, g, strstr(said, "Staff have been called"), "the call is not said");
	free(said);
	speech_clean(h, g);
	if (getenv("HALL_SHOW"))
		e2e_print_file_tail("speech", speech, 8000);
	E2E_CHECK(h, g, e2e_log_count(h, "recorded (score") == 0, "a rating recorded");
	e2e_finish(h, g);
}

/* ==== 5. the idle timeout; a comment typed with controls, bidi and 230 characters ============= */

/* Left alone, the ticket and the rating go home (a rating half chosen is
 * not recorded, its comment gone). */
Test(hall_attack, idle_ticket_and_rating_go_home)
{
	struct gwd *g = e2e_start_gateway(NULL);
	const char *conf = scratch_file("kiosk.conf", "[session]\nidle_timeout_s = 5\nidle_warning_s = 2\n");
	const char *more[] = { "--config", conf, NULL };
	struct harness *h = start(g, NULL, more);
	char num[32];
	take_ticket(h, g, num, sizeof num);
	E2E_CHECK(h, g, e2e_wait_title(h, E2E_T_HOME, 9000), "the ticket did not go home when left");
	take_ticket(h, g, num, sizeof num);
	ticket_done(h, g);
	h_type(h, "1");
	e2e_expect(h, g, T_WHY, WAIT_MS, "why");
	h_pump(h, 600);
	h_type(h, "8");
	e2e_expect(h, g, "您的意见", WAIT_MS, "the comment page");
	h_pump(h, 600);
	pay_type_slowly(h, "abc");
	E2E_CHECK(h, g, e2e_wait_title(h, E2E_T_HOME, 9000), "the rating did not go home when left");
	E2E_CHECK(h, g, e2e_log_count(h, "recorded (score") == 0, "a rating left half chosen was recorded");
	E2E_CHECK(h, g, e2e_log_count(h, "idle: back to home") == 2, "idle: %d", e2e_log_count(h, "idle: back to home"));
	e2e_finish(h, g);
}

/* A comment typed from the terminal with control characters, escape
 * sequences, bidi and invisible characters keeps none of them; 230
 * characters keep 200; the gateway takes it; the log never has it. At
 * 80x24 in standard mode, each page laid out without overlaps. */
Test(hall_attack, a_hostile_comment_is_kept_plain)
{
	struct gwd *g = e2e_start_gateway(NULL);
	struct harness *h = start_at(g, NULL, 80, 24, NULL, NULL);
	char num[32];
	take_ticket(h, g, num, sizeof num);
	frame_check(h, g, "ticket", "the ticket, 80x24");
	ticket_done(h, g);
	frame_check(h, g, "rate", "the scores, 80x24");
	h_type(h, "2");
	e2e_expect(h, g, T_WHY, WAIT_MS, "why");
	frame_check(h, g, "rate", "the reasons, 80x24");
	h_pump(h, 600);
	h_type(h, "8");
	e2e_expect(h, g, "您的意见", WAIT_MS, "the comment page");
	h_pump(h, 600);
	pay_type_slowly(h, "ok");
	static const char hostile[] = "\x01\x02\a\x1b[31m\xe2\x80\xae\xe2\x80\x8b\xef\xbb\xbf\xc2\x85\xe2\x80\xa8\x1b]0;t\a";
	h_send(h, hostile, sizeof hostile - 1);
	h_pump(h, 200);
	pay_type_slowly(h, "AB");
	for (int i = 0; i < 23; i++) {
		h_type(h, "慢慢慢慢慢慢慢慢慢慢");
		h_pump(h, 60);
	}
	pay_type_slowly(h, "Z");
	h_settle(h, E2E_QUIET_MS, 1500);
	e2e_expect(h, g, "200/200字", WAIT_MS, "200 characters kept");
	/* The end of what was typed shows, the cursor after it (where the
	 * terminal's input method opens). */
	int col, row;
	E2E_CHECK(h, g, h_find(h, "200/200字", &col, &row), "the count");
	char *last = h_row_text(h, row - 1);
	E2E_CHECK(h, g, strstr(last, "慢慢慢慢") && !strstr(last, "…"), "the last row typed is not shown: %s", last);
	free(last);
	int cx, cy;
	h_cursor(h, &cx, &cy);
	E2E_CHECK(h, g, cy == row - 1 && cx > 2, "the cursor is at %d,%d, not after the comment", cx, cy);
	frame_check(h, g, "rate", "the comment, 80x24");
	show(h);
	h_key(h, H_ENTER);
	e2e_expect(h, g, "意见：okAB慢", WAIT_MS, "the comment as typed, nothing else");
	frame_check(h, g, "rate", "the reasons with the comment, 80x24");
	show(h);
	h_pump(h, 600);
	E2E_CHECK(h, g, e2e_count_text(h, "[x]") == 0, "a key of an escape sequence chose a reason");
	h_type(h, "9");
	e2e_expect(h, g, T_THANKS, WAIT_MS, "thanked");
	E2E_CHECK(h, g, e2e_wait_log(h, "POST /v1/ratings -> 201", WAIT_MS), "the gateway did not take the comment");
	json_t *l = gw_ratings(g);
	const char *c = json_string_value(json_object_get(json_array_get(l, 0), "comment"));
	E2E_CHECK(h, g, c && !strncmp(c, "okAB慢", strlen("okAB慢")) && strlen(c) == 4 + 196 * 3, "the comment at the gateway: %s",
	          c ? c : "(none)");
	json_decref(l);
	char *log = e2e_log_read(h, NULL);
	E2E_CHECK(h, g, log && !strstr(log, "okAB"), "the comment is in the log");
	free(log);
	e2e_finish(h, g);
}

/* ==== 6. what a gateway may answer ======================================================= */

/* Rate the ticket just taken with score (3..5: recorded at once). */
static void rate_ticket(struct harness *h, struct gwd *g, char *num, size_t n, const char *score)
{
	take_ticket(h, g, num, n);
	ticket_done(h, g);
	h_type(h, score);
	e2e_expect(h, g, T_THANKS, WAIT_MS, "thanked");
}

/* Behind the tamper proxy, requests giving up after 1 s. Help: the
 * gateway down (503) says so and a later press works; an eta of 10^12
 * minutes is not said. Ratings: 409 and 422 end them (the gateway decided);
 * 500, a 201 that is no JSON, and a 404 without the rating's code (a
 * gateway without the route) keep them, and they go once the gateway
 * takes ratings again, once each. */
Test(hall_attack, hostile_answers_to_help_and_ratings)
{
	struct gwd *g = e2e_start_gateway(NULL);
	const char *url = tamper_start(g);
	const char *conf = scratch_file("kiosk.conf", "[gateway]\ntimeout_ms = 1000\nconnect_timeout_ms = 1000\n");
	const char *more[] = { "--config", conf, NULL };
	struct harness *h = start(g, url, more);

	/* Help: down, then an answer with a silly eta. */
	tamper_set("POST", "/v1/kiosk/help", 503,
	           "{\"type\":\"about:blank\",\"title\":\"down\",\"status\":503,\"code\":\"unavailable\"}");
	h_key(h, H_F1);
	e2e_expect(h, g, "呼叫未能送达", WAIT_MS, "the call that did not go through is said");
	h_pump(h, 300);
	tamper_set("POST", "/v1/kiosk/help", 201, "{\"id\":\"H1\",\"eta_min\":1000000000000}");
	h_key(h, H_F1);
	e2e_expect(h, g, "已通知工作人员，马上就到", WAIT_MS, "a later press works; the eta not said");
	E2E_CHECK(h, g, !e2e_wait_text(h, "1000000000000", 100), "the eta was shown");
	E2E_CHECK(h, g, tamper_hits("POST", "/v1/kiosk/help") == 1, "help calls: %d",
	          tamper_hits("POST", "/v1/kiosk/help"));

	/* Ratings: ended by 409 and 422. */
	char n409[32], n422[32], n500[32], nbad[32], n404[32], nok[32];
	tamper_set("POST", "/v1/ratings", 409,
	           "{\"type\":\"about:blank\",\"title\":\"x\",\"status\":409,\"code\":\"already_rated\"}");
	rate_ticket(h, g, n409, sizeof n409, "5");
	E2E_CHECK(h, g, e2e_wait_log(h, "refused by the gateway (409", WAIT_MS), "409 did not end it");
	tamper_set("POST", "/v1/ratings", 422,
	           "{\"type\":\"about:blank\",\"title\":\"x\",\"status\":422,\"code\":\"invalid_rating\",\"errors\":[]}");
	rate_ticket(h, g, n422, sizeof n422, "4");
	E2E_CHECK(h, g, e2e_wait_log(h, "refused by the gateway (422", WAIT_MS), "422 did not end it");
	/* Kept: 500, a 201 of garbage, a 404 without unknown_subject. */
	tamper_set("POST", "/v1/ratings", 500, "{\"type\":\"about:blank\",\"title\":\"x\",\"status\":500}");
	rate_ticket(h, g, n500, sizeof n500, "5");
	wait_log_n(h, g, "not delivered yet", 1, WAIT_MS, "500 kept");
	tamper_set("POST", "/v1/ratings", 201, "<html>\x1b[2J\x01 not json");
	rate_ticket(h, g, nbad, sizeof nbad, "4");
	wait_log_n(h, g, "not delivered yet", 2, WAIT_MS, "garbage kept");
	tamper_set("POST", "/v1/ratings", 404, "{\"type\":\"about:blank\",\"title\":\"Not Found\",\"status\":404}");
	rate_ticket(h, g, n404, sizeof n404, "3");
	wait_log_n(h, g, "not delivered yet", 3, WAIT_MS, "404 kept");
	E2E_CHECK(h, g, gw_n_ratings(g) == 0, "ratings at the gateway");
	/* The gateway takes ratings again: the next one, then those kept. */
	tamper_set("POST", "/v1/ratings", 0, NULL);
	rate_ticket(h, g, nok, sizeof nok, "5");
	wait_log_n(h, g, "POST /v1/ratings -> 201", 4, WAIT_MS, "the kept ones follow");
	h_settle(h, E2E_QUIET_MS, 1500);
	const char *kept[] = { n500, nbad, n404, nok };
	for (int i = 0; i < 4; i++)
		E2E_CHECK(h, g, gw_rated(g, "ticket", kept[i], NULL, NULL) == 1, "%s at the gateway", kept[i]);
	E2E_CHECK(h, g, gw_n_ratings(g) == 4, "%d ratings at the gateway, not 4", gw_n_ratings(g));
	char why[200];
	E2E_CHECK(h, g, h_screen_clean(h, why, sizeof why), "%s", why);
	e2e_finish(h, g);
}

/* A ticket's answer after the citizen went home shows nowhere; a ticket
 * the gateway made while the kiosk had given up (a commit, then the
 * answer lost) is the one the citizen gets on 重试; an issued_at of 2000
 * characters is neither shown nor printed whole. (And a help call answered
 * with an eta that is no number.) */
Test(hall_attack, tickets_answered_late_lost_or_long)
{
	struct gwd *g = e2e_start_gateway(NULL);
	const char *url = tamper_start(g);
	const char *conf = scratch_file("kiosk.conf", "[gateway]\ntimeout_ms = 1000\nconnect_timeout_ms = 1000\n");
	char parg[900];
	const char *prn = scratch_file("receipts.bin", NULL);
	snprintf(parg, sizeof parg, "file:%s", prn);
	const char *more[] = { "--config", conf, "--printer", parg, NULL };
	struct harness *h = start(g, url, more);

	/* Help answered with an eta that is no number, and a negative id. */
	tamper_set("POST", "/v1/kiosk/help", 201, "{\"id\":-1,\"eta_min\":\"soon\\u001b[2J\"}");
	h_key(h, H_F1);
	e2e_expect(h, g, "已通知工作人员，马上就到", WAIT_MS, "help called; the eta not said");

	/* A ticket's answer after home. */
	e2e_set_faults(g, "{\"latency_ms\": 700, \"paths\": [\"/v1/queue/tickets\"]}");
	h_key(h, H_HOME);
	e2e_expect_row(h, g, 0, E2E_T_HOME, WAIT_MS, "home");
	h_type(h, "6");
	e2e_expect_row(h, g, 0, "排队取号", WAIT_MS, "home 6");
	h_settle(h, E2E_QUIET_MS, 1000);
	E2E_CHECK(h, g, h_click_text(h, T_QUEUE_SVC), "touch");
	e2e_expect(h, g, "正在取号", WAIT_MS, "taking");
	h_key(h, H_HOME);
	e2e_expect_row(h, g, 0, E2E_T_HOME, WAIT_MS, "home while taking");
	pump(h, 1500);
	E2E_CHECK(h, g, e2e_row_has(h, 0, E2E_T_HOME) && !e2e_wait_text(h, T_NUMBER, 100),
	          "the late answer showed a number");

	/* Committed, then the answer lost: the kiosk gives up after 1 s, three
	 * times; the gateway made one. 重试 gets that one. */
	e2e_set_faults(g, "{\"latency_ms\": 1300, \"paths\": [\"/v1/queue/tickets\"]}");
	tamper_set("POST", "/v1/queue/tickets", 0, NULL);
	h_type(h, "6");
	e2e_expect_row(h, g, 0, "排队取号", WAIT_MS, "home 6");
	h_settle(h, E2E_QUIET_MS, 1000);
	E2E_CHECK(h, g, h_click_text(h, T_QUEUE_SVC), "touch");
	e2e_expect(h, g, "未能取号", WAIT_MS, "no answer, said");
	pump(h, 1000); /* the last try committed meanwhile */
	long long issued = gw_issued(g, "A");
	e2e_set_faults(g, "{}");
	h_type(h, "1"); /* 重试 */
	e2e_expect(h, g, T_NUMBER, WAIT_MS, "a number after 重试");
	int col, row;
	E2E_CHECK(h, g, h_find(h, T_NUMBER, &col, &row), "no number line");
	char *line = h_row_text(h, row);
	char num[32] = "";
	sscanf(strstr(line, T_NUMBER) + strlen(T_NUMBER), "%31s", num);
	free(line);
	E2E_CHECK(h, g, tamper_hits("POST", "/v1/queue/tickets") == 4, "%d ticket requests",
	          tamper_hits("POST", "/v1/queue/tickets"));
	E2E_CHECK(h, g, gw_issued(g, num) == issued && atoll(num + 1) == issued,
	          "the gateway issued %lld, made %lld before 重试, shows %s", gw_issued(g, num), issued, num);

	/* issued_at: 2000 characters, no date. */
	char *at = malloc(2100);
	int k = 0;
	while (k < 2040)
		at[k++] = 'Q';
	at[k] = '\0';
	char *body = e2e_fmt("{\"ticket\":\"A123\",\"service_id\":\"x\",\"waiting_ahead\":1,\"estimated_wait_min\":2,"
	                     "\"window\":\"1号窗口\",\"issued_at\":\"%s\"}", at);
	free(at);
	tamper_set("POST", "/v1/queue/tickets", 201, body);
	free(body);
	take_ticket(h, g, num, sizeof num);
	E2E_CHECK(h, g, !strcmp(num, "A123"), "number %s", num);
	e2e_expect(h, g, "已打印", WAIT_MS, "printed");
	struct escpos_doc doc;
	E2E_CHECK(h, g, escpos_parse_file(prn, &doc) == 0, "the printed bytes do not parse: %s", doc.why);
	char *text = escpos_doc_text(&doc);
	E2E_CHECK(h, g, strstr(text, "A123") && !strstr(text, "QQQ") && doc.cuts == 2,
	          "the ticket printed:\n%s", text);
	free(text);
	escpos_doc_free(&doc);
	E2E_CHECK(h, g, e2e_log_count(h, "too long") == 0, "the outbox refused the ticket");
	e2e_finish(h, g);
}

/* ==== 7. a rating goes as the kiosk, never with a citizen's log-in ================================= */

/* A rating recorded while a citizen is logged in goes at once, as the
 * kiosk alone: no Authorization header (the contract makes ratings the
 * kiosk's, and one kept in the outbox may be another person's, with their
 * words); a help call too. One recorded and never sent (the gateway
 * failing, then a SIGKILL) goes at the next start, once. */
Test(hall_attack, ratings_and_help_go_as_the_kiosk_even_during_a_session)
{
	struct gwd *g = e2e_start_gateway(NULL);
	const char *url = tamper_start(g);
	tamper_set("POST", "/v1/ratings", 0, NULL);      /* passed on, headers kept */
	tamper_set("POST", "/v1/kiosk/help", 0, NULL);
	char sc[900];
	const char *fifo = scratch_file("scanner", NULL);
	snprintf(sc, sizeof sc, "fifo:%s", fifo);
	const char *more[] = { "--scanner", sc, NULL };
	struct harness *h = start(g, url, more);
	char code[128], first[32], num[32];
	e2e_citizen_code(g, "cit-zhang", code, sizeof code);
	e2e_fifo_send(h, g, fifo, code, WAIT_MS);
	E2E_CHECK(h, g, e2e_wait_log(h, "session: started", WAIT_MS), "not logged in");
	e2e_expect_row(h, g, -1, "张*", WAIT_MS, "logged in");
	rate_ticket(h, g, first, sizeof first, "5");
	wait_log_n(h, g, "POST /v1/ratings -> 201", 1, WAIT_MS, "sent during the session");
	E2E_CHECK(h, g, e2e_wait_text(h, "张*", 100), "the session ended");
	char *head = tamper_last_head("POST", "/v1/ratings");
	E2E_CHECK(h, g, head && strstr(head, "Idempotency-Key") && !strcasestr(head, "Authorization:"),
	          "the rating went with a citizen's token or without its key:\n%s", head ? head : "(none)");
	free(head);
	int score = 0;
	E2E_CHECK(h, g, gw_rated(g, "ticket", first, &score, NULL) == 1 && score == 5, "%s's rating", first);
	h_key(h, H_F1);
	E2E_CHECK(h, g, e2e_wait_log(h, "POST /v1/kiosk/help -> 201", WAIT_MS), "no help call");
	head = tamper_last_head("POST", "/v1/kiosk/help");
	E2E_CHECK(h, g, head && !strcasestr(head, "Authorization:"), "the help call went with a token:\n%s",
	          head ? head : "(none)");
	free(head);

	/* Recorded while the gateway fails, killed, sent at the next start. */
	e2e_set_faults(g, "{\"error_rate\": 1.0, \"paths\": [\"/v1/ratings\"]}");
	rate_ticket(h, g, num, sizeof num, "4");
	E2E_CHECK(h, g, e2e_wait_log(h, "not delivered yet", WAIT_MS), "the failure was not kept");
	kill_kiosk(h, g);
	e2e_set_faults(g, "{}");
	h = start(g, url, more);
	E2E_CHECK(h, g, e2e_wait_log(h, "POST /v1/ratings -> 201", WAIT_MS), "not sent after the kill");
	E2E_CHECK(h, g, gw_rated(g, "ticket", num, &score, NULL) == 1 && score == 4, "%s's rating", num);
	E2E_CHECK(h, g, gw_n_ratings(g) == 2, "%d ratings at the gateway", gw_n_ratings(g));
	e2e_finish(h, g);
}
