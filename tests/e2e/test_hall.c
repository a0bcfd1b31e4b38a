/* test_hall.c: the service hall end to end (suite "hall"): 排队取号 with
 * the ticket printed, 好差评 after it, a rating kept while the gateway
 * fails and sent once after a restart, 呼叫工作人员 from the status bar,
 * F1 and '*' held down; the real kiosk in a pty against a real gatewayd.
 * Screen texts are the zh_CN ones.
 */
#include "e2e.h"
#include "pay_e2e.h"
#include "tamper.h"
#include "harness/gwd.h"
#include "harness/harness.h"
#include "harness/escpos_parse.h"

#include <criterion/criterion.h>
#include <jansson.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define WAIT_MS 15000
#define COLS 100
#define ROWS 32
#define T_QUEUE_SVC "社保业务取号"
#define T_NUMBER "您的号码："
#define T_RATE_Q "您对本次服务满意吗"
#define T_THANKS "感谢您的评价"

static char scratch[256];

/* HALL_SHOW=1: the screens on stderr at the steps worth looking at. */
static void show(struct harness *h)
{
	if (getenv("HALL_SHOW"))
		h_dump(h, stderr);
}

static struct harness *start(struct gwd *g, const char *prn, const char *data)
{
	char parg[800];
	snprintf(parg, sizeof parg, "file:%s", prn);
	const char *extra[] = { "--printer", parg, data ? "--data-dir" : NULL, data, NULL };
	struct harness *h = e2e_start_home(g, gwd_url(g), COLS, ROWS, extra, WAIT_MS);
	E2E_CHECK(h, g, e2e_wait_log(h, "GET /v1/catalog -> ", WAIT_MS), "no catalog");
	h_settle(h, E2E_QUIET_MS, 2000);
	return h;
}

/* Home 6, the social insurance counter: the ticket shown; its number. */
static void take_ticket(struct harness *h, struct gwd *g, char *num, size_t n)
{
	h_type(h, "6");
	e2e_expect_row(h, g, 0, "排队取号", WAIT_MS, "home 6: 排队取号");
	h_settle(h, E2E_QUIET_MS, 1000);
	/* Large mode shows the list a page at a time. */
	for (int i = 0; i < 6 && !e2e_wait_text(h, T_QUEUE_SVC, 300); i++)
		h_key(h, H_PGDN);
	e2e_expect(h, g, T_QUEUE_SVC, WAIT_MS, "the social insurance counter is listed");
	E2E_CHECK(h, g, h_click_text(h, T_QUEUE_SVC), "cannot touch %s", T_QUEUE_SVC);
	e2e_expect(h, g, T_NUMBER, WAIT_MS, "a number was taken");
	int col, row;
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

Test(hall, ticket_printed_then_rated_once, .timeout = 120)
{
	struct gwd *g = e2e_start_gateway(NULL);
	char prn[700];
	snprintf(prn, sizeof prn, "%s/receipts.bin", e2e_scratch_dir(scratch, sizeof scratch, "hall"));
	struct harness *h = start(g, prn, NULL);
	char num[32];
	take_ticket(h, g, num, sizeof num);
	e2e_expect(h, g, "前面还有", WAIT_MS, "how many wait ahead");
	e2e_expect(h, g, "排队凭条已打印", WAIT_MS, "the ticket printed");
	show(h);

	struct escpos_doc doc;
	E2E_CHECK(h, g, escpos_parse_file(prn, &doc) == 0, "the printed bytes do not parse: %s", doc.why);
	E2E_CHECK(h, g, doc.cuts == 1, "%d cuts", doc.cuts);
	const struct escpos_line *big = escpos_doc_find(&doc, num);
	E2E_CHECK(h, g, big && big->size == 0x33 && big->bold && big->align == 1,
	          "the number is not printed large and centred (size %#x)", big ? big->size : -1);
	char *text = escpos_doc_text(&doc);
	E2E_CHECK(h, g, strstr(text, "排队凭条") && strstr(text, "窗口") && strstr(text, "前面等候"),
	          "the ticket lacks its title, window or queue:\n%s", text);
	free(text);
	escpos_doc_free(&doc);

	/* 完成 -> 好差评 -> 5 -> thanks -> home by itself. */
	h_pump(h, 1200); /* the double-press guard */
	h_type(h, "1");
	e2e_expect(h, g, T_RATE_Q, WAIT_MS, "完成 asks for a rating");
	e2e_expect(h, g, "5 非常满意", WAIT_MS, "5 is 非常满意");
	h_pump(h, 600); /* a person reads it: a press in the first 500 ms is 完成's, repeated */
	h_type(h, "5");
	e2e_expect(h, g, T_THANKS, WAIT_MS, "thanked");
	E2E_CHECK(h, g, e2e_wait_log(h, "POST /v1/ratings -> 201", WAIT_MS), "the rating was not delivered");
	E2E_CHECK(h, g, e2e_wait_title(h, "政务服务自助终端", 8000), "not home after the thanks");
	h_settle(h, E2E_QUIET_MS, 2000);
	E2E_CHECK(h, g, e2e_log_count(h, "POST /v1/queue/tickets ->") == 1, "tickets posted: %d",
	          e2e_log_count(h, "POST /v1/queue/tickets ->"));
	E2E_CHECK(h, g, e2e_log_count(h, "POST /v1/ratings ->") == 1, "ratings posted: %d",
	          e2e_log_count(h, "POST /v1/ratings ->"));
	e2e_finish(h, g);
	e2e_rm_rf(scratch);
}

/* A low score asks why; the gateway failing keeps the rating in the
 * outbox; a restart sends it, once; skipping takes one press. */
Test(hall, low_rating_kept_while_gateway_fails_then_sent_once, .timeout = 150)
{
	struct gwd *g = e2e_start_gateway(NULL);
	char prn[700], data[700];
	snprintf(prn, sizeof prn, "%s/receipts.bin", e2e_scratch_dir(scratch, sizeof scratch, "hall"));
	snprintf(data, sizeof data, "%s/data", scratch);
	E2E_CHECK(NULL, g, mkdir(data, 0700) == 0, "mkdir %s", data);
	struct harness *h = start(g, prn, data);
	char num[32];
	take_ticket(h, g, num, sizeof num);
	e2e_set_faults(g, "{\"error_rate\": 1.0, \"paths\": [\"/v1/ratings\"]}");
	h_pump(h, 1200);
	h_type(h, "1");
	e2e_expect(h, g, T_RATE_Q, WAIT_MS, "rating");
	h_pump(h, 600); /* a person reads it: a press in the first 500 ms is 完成's, repeated */
	h_type(h, "1"); /* 非常不满意 */
	e2e_expect(h, g, "哪里不满意", WAIT_MS, "a low score asks why");
	h_pump(h, 600);
	h_type(h, "1");
	e2e_expect(h, g, "[x] 等候时间长", WAIT_MS, "a reason chosen, said in words");
	show(h);
	h_type(h, "8");
	e2e_expect(h, g, "您的意见", WAIT_MS, "the comment page");
	h_pump(h, 600);
	pay_type_slowly(h, "tai man le"); /* a person, not a scanner */
	h_key(h, H_ENTER);
	e2e_expect(h, g, "tai man le", WAIT_MS, "the comment back on the reasons page");
	h_pump(h, 600);
	h_type(h, "9");
	e2e_expect(h, g, T_THANKS, WAIT_MS, "thanked even so");
	E2E_CHECK(h, g, e2e_wait_log(h, "not delivered yet", WAIT_MS), "the failure was not kept");
	char *ob = e2e_fmt("%s/outbox.db", data);
	e2e_end_kiosk(h, 5000); /* frees h */
	e2e_set_faults(g, "{}");

	/* The next start sends it at once, with the same key. */
	h = start(g, prn, data);
	E2E_CHECK(h, g, e2e_wait_log(h, "POST /v1/ratings -> 201", WAIT_MS), "not sent after the restart");
	h_settle(h, E2E_QUIET_MS, 3000);
	E2E_CHECK(h, g, e2e_log_count(h, "POST /v1/ratings ->") == 1, "sent %d times",
	          e2e_log_count(h, "POST /v1/ratings ->"));
	/* At the gateway: one rating, for this ticket, as given. */
	char *resp = NULL;
	E2E_CHECK(h, g, gwd_get(g, "/sim/ratings", &resp) == 200, "GET /sim/ratings");
	E2E_CHECK(h, g, strstr(resp, num) && strstr(resp, "tai man le") && strstr(resp, "slow"),
	          "the gateway's ratings: %s", resp);
	json_t *j = json_loads(resp, 0, NULL);
	json_t *list = json_is_array(j) ? j : json_object_get(j, "ratings");
	E2E_CHECK(h, g, json_array_size(list) == 1, "%zu ratings at the gateway: %s", json_array_size(list), resp);
	json_decref(j);
	free(resp);
	/* The comment left no trace on disk. */
	size_t len = 0;
	char *db = e2e_slurp(ob, &len);
	E2E_CHECK(h, g, db && !memmem(db, len, "tai man le", 10), "the comment is still in the outbox");
	free(db);
	free(ob);
	e2e_finish(h, g);
	e2e_rm_rf(scratch);
}

Test(hall, call_staff_by_f1_star_and_touch, .timeout = 90)
{
	struct gwd *g = e2e_start_gateway(NULL);
	char prn[700];
	snprintf(prn, sizeof prn, "%s/receipts.bin", e2e_scratch_dir(scratch, sizeof scratch, "hall"));
	struct harness *h = start(g, prn, NULL);
	e2e_expect(h, g, "[F1] 呼叫工作人员", WAIT_MS, "the status bar offers it");
	/* '*' held down: a keypad's auto-repeat. */
	h_type(h, "1");
	e2e_expect(h, g, "大字模式：开", WAIT_MS, "large mode on");
	for (int i = 0; i < 10; i++) {
		h_type(h, "*");
		h_pump(h, 40);
	}
	e2e_expect(h, g, "已通知工作人员", WAIT_MS, "'*' held called staff");
	e2e_expect(h, g, "工作人员即将到达", WAIT_MS, "the button says help is coming");
	char *resp = NULL;
	E2E_CHECK(h, g, gwd_get(g, "/sim/help", &resp) == 200, "GET /sim/help");
	json_t *j = json_loads(resp, 0, NULL);
	free(resp);
	json_t *calls = json_object_get(j, "calls");
	E2E_CHECK(h, g, json_array_size(calls) == 1, "%zu calls", json_array_size(calls));
	const char *screen = json_string_value(json_object_get(json_array_get(calls, 0), "screen"));
	E2E_CHECK(h, g, screen && !strcmp(screen, "home"), "the call names screen %s", screen ? screen : "-");
	json_decref(j);
	/* Again, by F1 and by touch: said, not sent again. */
	h_key(h, H_F1);
	e2e_expect(h, g, "已呼叫工作人员，正在赶来", WAIT_MS, "a second call is not sent");
	E2E_CHECK(h, g, h_click_text(h, "工作人员即将到达"), "the button cannot be touched");
	h_settle(h, E2E_QUIET_MS, 2000);
	E2E_CHECK(h, g, e2e_log_count(h, "POST /v1/kiosk/help ->") == 1, "%d help calls",
	          e2e_log_count(h, "POST /v1/kiosk/help ->"));
	e2e_finish(h, g);
	e2e_rm_rf(scratch);
}

/* What a gateway (or something in between) may say to a ticket request:
 * a 500-character window with escape sequences is drawn as text and cut;
 * a number with a control character is no ticket (never shown as one);
 * 422 no_queue says to ask at the desk. A double press takes one. */
Test(hall, hostile_ticket_answers_and_a_double_press, .timeout = 120)
{
	struct gwd *g = e2e_start_gateway(NULL);
	const char *url = tamper_start(g);
	char *win = malloc(1200);
	size_t k = (size_t)sprintf(win, "3号窗口\\u001b[2J\\u001b]0;owned\\u0007");
	while (k < 1100)
		win[k++] = 'W';
	win[k] = '\0';
	char *body = e2e_fmt("{\"ticket\":\"A023\",\"service_id\":\"svc-social-queue\",\"waiting_ahead\":5,"
	                     "\"estimated_wait_min\":12,\"window\":\"%s\",\"issued_at\":\"2026-12-03T14:05:00+08:00\"}", win);
	free(win);
	tamper_set("POST", "/v1/queue/tickets", 201, body);
	free(body);
	struct harness *h = e2e_start_home(g, url, COLS, ROWS, NULL, WAIT_MS);
	E2E_CHECK(h, g, e2e_wait_log(h, "GET /v1/catalog -> 200", WAIT_MS), "no catalog");
	h_settle(h, E2E_QUIET_MS, 2000);
	char num[32];
	take_ticket(h, g, num, sizeof num);
	E2E_CHECK(h, g, !strcmp(num, "A023"), "number %s", num);
	e2e_expect(h, g, "3号窗口", WAIT_MS, "the window's name");
	char why[200];
	E2E_CHECK(h, g, h_screen_clean(h, why, sizeof why), "the screen took a control: %s", why);
	E2E_CHECK(h, g, !e2e_wait_text(h, "WWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWW", 300),
	          "the 500-character window was not cut");

	/* A number with a control character: no ticket. */
	tamper_set("POST", "/v1/queue/tickets", 201,
	           "{\"ticket\":\"A\\u001b[31m9\",\"waiting_ahead\":1,\"estimated_wait_min\":1,\"window\":\"1号\"}");
	h_key(h, H_HOME);
	e2e_expect_row(h, g, 0, "政务服务自助终端", WAIT_MS, "home");
	h_type(h, "6");
	e2e_expect(h, g, T_QUEUE_SVC, WAIT_MS, "the list again");
	E2E_CHECK(h, g, h_click_text(h, T_QUEUE_SVC), "touch");
	e2e_expect(h, g, "无法识别", WAIT_MS, "an unreadable ticket said so");
	E2E_CHECK(h, g, !e2e_wait_text(h, T_NUMBER, 300), "an unreadable ticket was shown as a number");

	/* 422 no_queue. */
	tamper_set("POST", "/v1/queue/tickets", 422,
	           "{\"type\":\"about:blank\",\"title\":\"x\",\"status\":422,\"code\":\"no_queue\"}");
	h_key(h, H_ESC);
	e2e_expect_row(h, g, 0, "排队取号", WAIT_MS, "back to the list");
	h_settle(h, E2E_QUIET_MS, 1000);
	E2E_CHECK(h, g, h_click_text(h, T_QUEUE_SVC), "touch");
	e2e_expect(h, g, "此业务不在本机取号", WAIT_MS, "no_queue said in words");

	/* A double press on the list: one request. */
	tamper_set("POST", "/v1/queue/tickets", 0, NULL);
	h_key(h, H_ESC);
	e2e_expect_row(h, g, 0, "排队取号", WAIT_MS, "back to the list");
	h_settle(h, E2E_QUIET_MS, 1000);
	int col, row;
	E2E_CHECK(h, g, h_find(h, T_QUEUE_SVC, &col, &row), "find");
	h_click(h, col, row);
	h_click(h, col, row);
	h_type(h, "1");
	e2e_expect(h, g, T_NUMBER, WAIT_MS, "a real ticket");
	h_settle(h, E2E_QUIET_MS, 2500);
	E2E_CHECK(h, g, tamper_hits("POST", "/v1/queue/tickets") == 1, "%d ticket requests for one press",
	          tamper_hits("POST", "/v1/queue/tickets"));
	E2E_CHECK(h, g, e2e_wait_text(h, T_NUMBER, 100), "the second press left the number");
	e2e_finish(h, g);
}

/* Large mode on the smallest grid (80x24): the ticket and every score and
 * 跳过 on screen; 0 skips straight home. */
Test(hall, large_mode_80x24_ticket_and_every_score, .timeout = 90)
{
	struct gwd *g = e2e_start_gateway(NULL);
	struct harness *h = e2e_start_home(g, gwd_url(g), 80, 24, NULL, WAIT_MS);
	E2E_CHECK(h, g, e2e_wait_log(h, "GET /v1/catalog -> ", WAIT_MS), "no catalog");
	h_settle(h, E2E_QUIET_MS, 2000);
	h_type(h, "1");
	e2e_expect(h, g, "大字模式：开", WAIT_MS, "large mode on");
	char num[32];
	take_ticket(h, g, num, sizeof num);
	e2e_expect(h, g, "前面还有", WAIT_MS, "the queue, in large mode");
	h_settle(h, E2E_QUIET_MS, 2000);
	show(h);
	h_pump(h, 1200);
	h_type(h, "1");
	e2e_expect(h, g, T_RATE_Q, WAIT_MS, "rating");
	const char *all[] = { "5 非常满意", "4 满意", "3 基本满意", "2 不满意", "1 非常不满意", "跳过" };
	for (size_t i = 0; i < 6; i++)
		E2E_CHECK(h, g, e2e_wait_text(h, all[i], 2000), "%s is not on the 80x24 large screen", all[i]);
	show(h);
	char why[200];
	E2E_CHECK(h, g, h_screen_clean(h, why, sizeof why), "%s", why);
	h_type(h, "0");
	e2e_expect_row(h, g, 0, "政务服务自助终端", WAIT_MS, "0 skipped straight home");
	h_settle(h, E2E_QUIET_MS, 1500);
	E2E_CHECK(h, g, e2e_log_count(h, "POST /v1/ratings") == 0, "a skipped rating was sent");
	e2e_finish(h, g);
}
