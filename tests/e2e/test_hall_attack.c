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

__attribute__((unused)) static const char *scratch_file(const char *name, const char *content)
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
__attribute__((unused)) static void pump(struct harness *h, int ms)
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
	args[n++] = "--data-dir";
	args[n++] = data;
	for (size_t i = 0; more && more[i] && n < 30; i++)
		args[n++] = more[i];
	args[n] = NULL;
	setenv("KIOSK_LAYOUT_DUMP", layout, 1);
	struct harness *h = e2e_start_home(g, url ? url : gwd_url(g), cols, rows, args, WAIT_MS);
	unsetenv("KIOSK_LAYOUT_DUMP");
	if (home)
		e2e_expect_row(h, g, 0, home, WAIT_MS, "start: home");
	E2E_CHECK(h, g, e2e_wait_log(h, "GET /v1/catalog -> ", WAIT_MS), "no catalog");
	h_settle(h, E2E_QUIET_MS, 2000);
	return h;
}

static struct harness *start(struct gwd *g, const char *url, const char *const more[])
{
	return start_at(g, url, COLS, ROWS, more, NULL);
}

/* SIGKILL: no goodbye, nothing flushed by the kiosk itself. */
__attribute__((unused)) static void kill_kiosk(struct harness *h, struct gwd *g)
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
