/* test_apply.c: applying for a service end to end (suite "apply"): the
 * real kiosk in a pty against a real gatewayd, driven as a citizen would:
 * search, the service's page, 在线申请, log in by scanning, one question a
 * page with a wrong answer corrected, the check page, a change from it,
 * 提交, the confirmation with the application number, 我的办件 with the
 * timeline; and 电子证照 with its QR read off the screen.
 *
 * Screen texts are the zh_CN ones (locale/zh_CN.po).
 */
#include "e2e.h"
#include "pay_e2e.h"
#include "harness/gwd.h"
#include "harness/harness.h"
#include "harness/escpos_parse.h"

#include <criterion/criterion.h>
#include <jansson.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define WAIT_MS 15000
#define COLS 120
#define ROWS 40

#define T_SERVICE   "社会保障卡申领"
#define T_APPLY     "在线申请"
#define T_STEP1     "第1步，共6步"
#define T_PHONE_Q   "手机号码"
#define T_PROBLEM   "出错了"
#define T_PHONE_BAD "手机号码为11位数字，以1开头"
#define T_CHECK     "最后一步：核对信息"
#define T_DONE      "您的申请已提交。"
#define T_MINE      "我的办件"

static char scratch[256];

/* APPLY_SHOW=1: the screens on stderr at each step worth looking at. */
static void show(struct harness *h)
{
	if (getenv("APPLY_SHOW"))
		h_dump(h, stderr);
}

static struct harness *start(struct gwd *g, const char *fifo)
{
	char arg[1100];
	snprintf(arg, sizeof arg, "fifo:%s", fifo);
	const char *extra[] = { "--scanner", arg, NULL };
	struct harness *h = e2e_start_home(g, gwd_url(g), COLS, ROWS, extra, WAIT_MS);
	E2E_CHECK(h, g, e2e_wait_log(h, "GET /v1/catalog -> 200", WAIT_MS), "no catalog");
	h_settle(h, E2E_QUIET_MS, 2000);
	return h;
}

/* Search svc, open it, 在线申请; with login, the log-in screen comes and a
 * code of 张三's is scanned. */
static void apply_for(struct harness *h, struct gwd *g, const char *fifo, const char *svc, bool login)
{
	h_type(h, svc);
	e2e_expect(h, g, e2e_item(1, svc), WAIT_MS, "search: the service first");
	h_type(h, "1");
	e2e_expect_row(h, g, 0, svc, WAIT_MS, "the service's page");
	e2e_expect(h, g, T_APPLY, WAIT_MS, "the page offers 在线申请");
	h_type(h, "4");
	if (!login)
		return;
	e2e_expect_row(h, g, 0, "扫码登录", WAIT_MS, "apply: log in first");
	char code[128];
	e2e_citizen_code(g, "cit-zhang", code, sizeof code);
	e2e_fifo_send(h, g, fifo, code, WAIT_MS);
}

/* 社会保障卡申领's form, logged in, on its first page. */
static void open_form(struct harness *h, struct gwd *g, const char *fifo)
{
	apply_for(h, g, fifo, T_SERVICE, true);
	e2e_expect(h, g, T_STEP1, WAIT_MS, "logged in: the form's first page");
	E2E_CHECK(h, g, e2e_wait_text(h, T_PHONE_Q, WAIT_MS), "the first question is the phone");
}

/* Every page, one wrong answer corrected; the check page; a change from
 * it; submit; the confirmation; my applications. */
Test(apply, form_check_change_submit_and_follow, .timeout = 240)
{
	struct gwd *g = e2e_start_gateway(NULL);
	char fifo[600];
	snprintf(fifo, sizeof fifo, "%s/scanner", e2e_scratch_dir(scratch, sizeof scratch, "apply"));
	struct harness *h = start(g, fifo);
	open_form(h, g, fifo);

	/* A phone number too short: stays, with 出错了 and how to fix it. */
	pay_type_slowly(h, "12345"); /* a person, not a scanner */
	h_key(h, H_ENTER);
	e2e_expect(h, g, T_PROBLEM, WAIT_MS, "a short phone: 出错了");
	e2e_expect(h, g, T_PHONE_BAD, WAIT_MS, "a short phone: how to fix it");
	show(h);
	E2E_CHECK(h, g, e2e_wait_text(h, T_STEP1, 2000), "a wrong answer moved on");
	/* A letter is refused on a number page. */
	h_type(h, "a");
	e2e_expect(h, g, "只能输入数字", WAIT_MS, "a letter on a number page");
	for (int i = 0; i < 5; i++)
		h_key(h, H_BACKSPACE);
	pay_type_slowly(h, "13912345678"); /* a person, not a scanner */
	h_key(h, H_ENTER);
	e2e_expect(h, g, "第2步，共6步", WAIT_MS, "phone accepted: step 2");
	e2e_expect(h, g, "发卡银行", WAIT_MS, "step 2: the bank");
	show(h);
	/* Back keeps the answer. */
	h_key(h, H_ESC);
	e2e_expect(h, g, "13912345678", WAIT_MS, "back: the phone is still there");
	h_key(h, H_ENTER);
	e2e_expect(h, g, "第2步，共6步", WAIT_MS, "forward again");
	h_type(h, "3"); /* 中国银行 */
	h_key(h, H_ENTER);
	e2e_expect(h, g, "领取方式", WAIT_MS, "step 3: how to receive it");
	h_type(h, "1");
	h_key(h, H_ENTER);
	e2e_expect(h, g, "联系地址", WAIT_MS, "step 4: the address (optional)");
	show(h);
	e2e_expect(h, g, "（选填）", WAIT_MS, "the address is optional");
	pay_type_slowly(h, "Chaoyang Road 1"); /* a person, not a scanner */
	h_key(h, H_ENTER);
	e2e_expect(h, g, "本人承诺", WAIT_MS, "step 5: the promise");
	h_key(h, H_ENTER); /* nothing chosen: refused */
	e2e_expect(h, g, "请选择“是”才能继续", WAIT_MS, "the promise must be made");
	show(h);
	h_type(h, "1");
	h_key(h, H_ENTER);
	e2e_expect(h, g, T_CHECK, WAIT_MS, "the check page");
	/* Prefilled: masked, never the real name or number. */
	e2e_expect(h, g, "（取自登录信息）", WAIT_MS, "prefilled answers say where they come from");
	E2E_CHECK(h, g, !e2e_wait_text(h, "张三", 300) && !e2e_wait_text(h, "11010519850313123X", 300),
	          "the check page shows the real name or ID number");
	e2e_expect(h, g, "中国银行", WAIT_MS, "the bank chosen");
	e2e_expect(h, g, "Chaoyang Road 1", WAIT_MS, "the address typed");
	show(h);

	/* Change the bank: its page, then straight back to the check page. */
	h_type(h, "4");
	e2e_expect(h, g, "发卡银行", WAIT_MS, "change: the bank's page");
	h_type(h, "5");
	h_key(h, H_ENTER);
	e2e_expect(h, g, T_CHECK, WAIT_MS, "changed: back on the check page");
	e2e_expect(h, g, "中国邮政储蓄银行", WAIT_MS, "the new bank");
	e2e_expect(h, g, "13912345678", WAIT_MS, "the other answers kept");

	/* Submit: once. A second Enter at once sends nothing more. */
	h_key(h, H_ENTER);
	h_key(h, H_ENTER);
	e2e_expect(h, g, T_DONE, WAIT_MS, "submitted: confirmed");
	e2e_expect(h, g, "办件编号（请记下）：SQ", WAIT_MS, "the application number");
	show(h);
	char *row = NULL;
	char id[64] = "";
	for (int y = 0; y < ROWS && !id[0]; y++) {
		row = h_row_text(h, y);
		const char *at = strstr(row, "办件编号（请记下）：");
		if (at)
			sscanf(at + strlen("办件编号（请记下）："), "%63[A-Za-z0-9-]", id);
		free(row);
	}
	E2E_CHECK(h, g, id[0], "no application number on the screen");
	E2E_CHECK(h, g, e2e_log_count(h, "POST /v1/applications -> 201") == 1, "%d creates",
	          e2e_log_count(h, "POST /v1/applications -> 201"));
	/* Nothing personal in the log. */
	char *log = e2e_log_read(h, NULL);
	E2E_CHECK(h, g, log && !strstr(log, "13912345678") && !strstr(log, "11010519850313123X") && !strstr(log, "张三"),
	          "the log holds personal data");
	free(log);

	/* My applications: it is there, with its timeline. */
	h_type(h, "1");
	e2e_expect_row(h, g, 0, T_MINE, WAIT_MS, "my applications");
	e2e_expect(h, g, T_SERVICE, WAIT_MS, "the new application listed");
	e2e_expect(h, g, id, WAIT_MS, "with its number");
	h_type(h, "3"); /* 1 电子证照, 2 个人信息, then the newest first */
	e2e_expect(h, g, "状态：已提交", WAIT_MS, "its status");
	e2e_expect(h, g, id, WAIT_MS, "its timeline");
	show(h);

	/* The gateway moves it on; the list says so. */
	char path[160];
	snprintf(path, sizeof path, "/sim/applications/%s/advance", id);
	json_decref(e2e_post_json(g, path, NULL, 200));
	h_key(h, H_ESC);
	h_key(h, H_ESC);
	h_key(h, H_HOME);
	e2e_expect_row(h, g, 0, E2E_T_HOME, WAIT_MS, "home");
	h_type(h, "7");
	e2e_expect_row(h, g, 0, T_MINE, WAIT_MS, "my applications again");
	e2e_expect(h, g, "已受理", WAIT_MS, "advanced: accepted");
	e2e_finish(h, g);
	e2e_rm_rf(scratch);
}

/* Leaving the form keeps its answers for the session; the session's end
 * wipes them. */
Test(apply, answers_kept_for_the_session_only, .timeout = 180)
{
	struct gwd *g = e2e_start_gateway(NULL);
	char fifo[600];
	snprintf(fifo, sizeof fifo, "%s/scanner", e2e_scratch_dir(scratch, sizeof scratch, "apply"));
	struct harness *h = start(g, fifo);
	open_form(h, g, fifo);
	pay_type_slowly(h, "13912345678"); /* a person, not a scanner */
	h_key(h, H_ENTER);
	e2e_expect(h, g, "发卡银行", WAIT_MS, "step 2");
	h_key(h, H_HOME);
	e2e_expect_row(h, g, 0, E2E_T_HOME, WAIT_MS, "home, still logged in");
	apply_for(h, g, fifo, T_SERVICE, false);
	e2e_expect(h, g, "第2步，共6步", WAIT_MS, "back where the citizen left");
	h_key(h, H_ESC);
	e2e_expect(h, g, "13912345678", WAIT_MS, "the phone kept");
	/* Log out: the next citizen starts afresh. */
	h_key(h, H_F9);
	e2e_expect_row(h, g, 0, E2E_T_HOME, WAIT_MS, "logged out");
	apply_for(h, g, fifo, T_SERVICE, true);
	e2e_expect(h, g, T_STEP1, WAIT_MS, "a new session starts at step 1");
	E2E_CHECK(h, g, !e2e_wait_text(h, "13912345678", 500), "the last session's answer survived");
	e2e_finish(h, g);
	e2e_rm_rf(scratch);
}

/* 电子证照: the QR read off the screen is the gateway's verify_payload. */
Test(apply, licence_qr_decodes, .timeout = 180)
{
	struct gwd *g = e2e_start_gateway(NULL);
	char fifo[600];
	snprintf(fifo, sizeof fifo, "%s/scanner", e2e_scratch_dir(scratch, sizeof scratch, "apply"));
	struct harness *h = start(g, fifo);
	char code[128];
	e2e_citizen_code(g, "cit-zhang", code, sizeof code);
	e2e_fifo_send(h, g, fifo, code, WAIT_MS);
	E2E_CHECK(h, g, e2e_wait_log(h, "session: started", WAIT_MS), "not logged in");
	h_type(h, "7");
	e2e_expect_row(h, g, 0, T_MINE, WAIT_MS, "my applications");
	e2e_expect(h, g, "我的电子证照", WAIT_MS, "the licences' item");
	/* The licences' item comes after the applications. */
	int n = 0;
	for (int d = 1; d <= 9 && !n; d++)
		if (e2e_wait_text(h, e2e_item(d, "我的电子证照"), 100))
			n = d;
	E2E_CHECK(h, g, n, "no numbered licences item");
	char key[2] = { (char)('0' + n), 0 };
	h_type(h, key);
	e2e_expect_row(h, g, 0, "我的电子证照", WAIT_MS, "the licences");
	e2e_expect(h, g, "居民身份证", WAIT_MS, "the ID card listed");
	h_type(h, "1");
	e2e_expect(h, g, "秒后更新", WAIT_MS, "the countdown");
	/* Read once the frame is whole (the QR is drawn row by row). */
	struct e2e_qr qr;
	bool read = false;
	for (long long end = e2e_now_ms() + WAIT_MS; !read && e2e_now_ms() < end;) {
		h_settle(h, E2E_QUIET_MS, 1000);
		read = e2e_find_qr(h, &qr);
	}
	E2E_CHECK(h, g, read, "the QR did not decode: %s", qr.why);
	E2E_CHECK(h, g, !strncmp(qr.data, "https://", 8), "the QR holds %s", qr.data);
	/* The gateway's payload for that licence, now. */
	fprintf(stderr, "apply: licence QR %dx%d cells: %s\n", qr.cols, qr.rows, qr.data);
	E2E_CHECK(h, g, strstr(qr.data, "/v/"), "not a verification URL: %s", qr.data);
	/* The gateway's own check of what a checker's phone would open. */
	const char *v = strstr(qr.data, "/v/");
	char vpath[600];
	snprintf(vpath, sizeof vpath, "/v1/verify/%s", v + 3);
	char *ans = NULL;
	int st = gwd_get(g, vpath, &ans);
	E2E_CHECK(h, g, st == 200 && ans && strstr(ans, "\"valid\":true") && strstr(ans, "居民身份证"),
	          "the gateway does not verify the code on the screen: %s", ans ? ans : "(no answer)");
	free(ans);
	e2e_finish(h, g);
	e2e_rm_rf(scratch);
}

/* A service with a fee: from the confirmation straight to the payment of
 * that application's fee (POST /v1/payments {"application_id"}); paid on
 * the phone, success shown; the fee cannot be paid twice. */
Test(apply, fee_paid_from_the_confirmation, .timeout = 240)
{
	struct gwd *g = e2e_start_gateway(NULL);
	char fifo[600];
	snprintf(fifo, sizeof fifo, "%s/scanner", e2e_scratch_dir(scratch, sizeof scratch, "apply"));
	struct harness *h = start(g, fifo);
	apply_for(h, g, fifo, "往来港澳通行证再次签注", true);
	e2e_expect(h, g, "第1步，共3步", WAIT_MS, "two questions: the kind, the promise");
	h_type(h, "1");
	h_key(h, H_ENTER);
	e2e_expect(h, g, "第2步，共3步", WAIT_MS, "the promise");
	h_type(h, "1");
	h_key(h, H_ENTER);
	e2e_expect(h, g, T_CHECK, WAIT_MS, "the check page");
	h_key(h, H_ENTER);
	e2e_expect(h, g, T_DONE, WAIT_MS, "submitted");
	e2e_expect(h, g, e2e_item(1, "缴纳费用：15.00 元"), WAIT_MS, "the fee is the first thing to do");
	show(h);
	h_type(h, "1");
	e2e_expect(h, g, "确认支付", WAIT_MS, "the payment's confirmation");
	E2E_CHECK(h, g, e2e_wait_text(h, "15.00", 2000), "the amount");
	h_pump(h, 400); /* a press in the page's first 300 ms is a double tap's */
	h_type(h, "1");
	e2e_expect(h, g, "等待支付", WAIT_MS, "the QR shown");
	char id[64];
	pay_last_id(g, id, sizeof id);
	pay_sim_pay(g, id);
	e2e_expect(h, g, "支付成功", WAIT_MS, "paid");
	E2E_CHECK(h, g, pay_n_in_state(g, "success") == 1, "%d payments succeeded", pay_n_in_state(g, "success"));
	e2e_finish(h, g);
	e2e_rm_rf(scratch);
}

/* The 回执 printed at the confirmation: the number (also as the QR the
 * window scans), the service, where; nothing personal. */
Test(apply, receipt_printed_with_the_number, .timeout = 180)
{
	struct gwd *g = e2e_start_gateway(NULL);
	char fifo[600], prn[700];
	snprintf(fifo, sizeof fifo, "%s/scanner", e2e_scratch_dir(scratch, sizeof scratch, "apply"));
	snprintf(prn, sizeof prn, "%s/receipts.bin", scratch);
	char farg[1100], parg[800];
	snprintf(farg, sizeof farg, "fifo:%s", fifo);
	snprintf(parg, sizeof parg, "file:%s", prn);
	const char *extra[] = { "--scanner", farg, "--printer", parg, NULL };
	struct harness *h = e2e_start_home(g, gwd_url(g), COLS, ROWS, extra, WAIT_MS);
	E2E_CHECK(h, g, e2e_wait_log(h, "GET /v1/catalog -> 200", WAIT_MS), "no catalog");
	h_settle(h, E2E_QUIET_MS, 2000);
	open_form(h, g, fifo);
	pay_type_slowly(h, "13912345678");
	h_key(h, H_ENTER);
	e2e_expect(h, g, "发卡银行", WAIT_MS, "bank");
	h_type(h, "1");
	h_key(h, H_ENTER);
	e2e_expect(h, g, "领取方式", WAIT_MS, "collect");
	h_type(h, "1");
	h_key(h, H_ENTER);
	e2e_expect(h, g, "联系地址", WAIT_MS, "address");
	h_key(h, H_ENTER); /* optional: left empty */
	e2e_expect(h, g, "本人承诺", WAIT_MS, "promise");
	h_type(h, "1");
	h_key(h, H_ENTER);
	e2e_expect(h, g, T_CHECK, WAIT_MS, "check page");
	e2e_expect(h, g, "（未填写）", WAIT_MS, "the empty optional answer said so");
	h_key(h, H_ENTER);
	e2e_expect(h, g, T_DONE, WAIT_MS, "submitted");
	e2e_expect(h, g, "回执已打印，请取走。", WAIT_MS, "the receipt printed");
	struct escpos_doc doc;
	E2E_CHECK(h, g, escpos_parse_file(prn, &doc) == 0, "the printed bytes do not parse: %s", doc.why);
	E2E_CHECK(h, g, doc.cuts == 1, "%d cuts", doc.cuts);
	E2E_CHECK(h, g, doc.qr && !strncmp(doc.qr, "SQ", 2), "the QR holds %s", doc.qr ? doc.qr : "nothing");
	char *text = escpos_doc_text(&doc);
	E2E_CHECK(h, g, strstr(text, "申请回执") && strstr(text, T_SERVICE) && strstr(text, doc.qr),
	          "the receipt lacks its title, service or number:\n%s", text);
	E2E_CHECK(h, g, !strstr(text, "张") && !strstr(text, "13912345678") && !strstr(text, "11010519850313123X"),
	          "the receipt holds personal data:\n%s", text);
	free(text);
	escpos_doc_free(&doc);
	e2e_finish(h, g);
	e2e_rm_rf(scratch);
}
