/* test_pay.c: paying a bill at the kiosk, as a citizen does it (issue 9).
 *
 * The real kiosk in a pty against the reference gateway: 生活缴费, the kind
 * of bill, the account number typed digit by digit, the bill, pay; the QR
 * read back off the screen must be a payload emv_check accepts for the
 * bill's amount, and paying it (the gateway's /sim) must end on "paid" with
 * a receipt number, in the ledger once. Then what must never be shown or
 * done: every spoiled payload refused with nothing drawn; pay pressed twice
 * is one payment; a gateway that commits and drops the connection is asked
 * again with the same key and shows the one payment; a pay code scanned;
 * a cancel.
 */
#include "e2e.h"
#include "emv.h"
#include "harness/escpos_parse.h"
#include "harness/gwd.h"
#include "pay_e2e.h"
#include "harness/harness.h"

#include <criterion/criterion.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>

#define WAIT_MS 8000
#define COLS 120
#define ROWS 40

#define T_BILLS "生活缴费"
#define T_WATER "水费"
#define T_PAY_TITLE "缴费支付"
#define T_CONFIRM "确认支付"
#define T_WAITING "等待支付"
#define T_PAID "支付成功"
#define T_RECEIPT "回单号"
#define T_REFUSED "这笔支付无法在本机显示"
#define T_CANCELLED "支付已取消"
#define T_ASK_CANCEL "确定取消这笔支付吗"
#define T_PRINTED "回单已打印"
#define T_PAPER_OUT "打印机缺纸"
#define PAY_CODE_OK "131234567890123456"

#define ACCOUNT_3 "3101000001"  /* water: 3 bills */
#define ACCOUNT_10 "3101000010" /* water: 10 bills */
#define ACCOUNT_0 "3101000002"  /* water: none */

TestSuite(pay, .timeout = 120);

static const char *last_payment_id(struct gwd *g, json_t **keep)
{
	json_t *a = pay_sim_payments(g);
	cr_assert_gt(json_array_size(a), 0, "the gateway made no payment");
	*keep = a;
	return json_string_value(json_object_get(json_array_get(a, 0), "id"));
}

/* The bill picked (1), the pay screen, pay (1): the QR, checked. Returns
 * the amount the screen's QR carries. */
static long long pay_first_bill(struct harness *h, struct gwd *g, const char *step)
{
	pay_expect_bills(h, g, step);
	h_type(h, "1");
	e2e_expect_row(h, g, 0, T_PAY_TITLE, WAIT_MS, step);
	e2e_expect(h, g, T_CONFIRM, WAIT_MS, step);
	h_pump(h, 400); /* a person reads the amount (a press in the first 300 ms is taken for a double tap) */
	h_type(h, "1");
	e2e_expect(h, g, T_WAITING, WAIT_MS, step);
	h_settle(h, 150, 2000); /* the whole frame, QR included */
	struct e2e_qr qr;
	E2E_CHECK(h, g, e2e_find_qr(h, &qr), "%s: no readable QR: %s", step, qr.why);
	json_t *keep;
	last_payment_id(g, &keep);
	long long amount = json_integer_value(json_object_get(json_array_get(keep, 0), "amount_fen"));
	json_decref(keep);
	struct emv_info info;
	enum emv_error e = emv_check(qr.data, amount, &info);
	E2E_CHECK(h, g, e == EMV_OK, "%s: the QR on screen is no payload for %lld fen: %s (%s)", step, amount,
	          emv_error_name(e), qr.data);
	return amount;
}

Test(pay, water_bill_paid_to_the_end)
{
	struct gwd *g = e2e_start_gateway(NULL);
	struct harness *h = e2e_start_home(g, gwd_url(g), COLS, ROWS, NULL, WAIT_MS);
	pay_to_bills(h, g, ACCOUNT_3);
	pay_first_bill(h, g, "pay the first bill");
	json_t *keep;
	char *path = e2e_fmt("/sim/payments/%s/pay", last_payment_id(g, &keep));
	json_decref(e2e_post_json(g, path, NULL, 200));
	json_decref(keep);
	free(path);
	e2e_expect(h, g, T_PAID, WAIT_MS, "paid at the gateway: the screen says so");
	e2e_expect(h, g, T_RECEIPT, WAIT_MS, "the receipt number");
	/* No printer here: the receipt is offered as a QR instead; the
	 * payment's own QR is gone. */
	h_settle(h, 150, 2000);
	struct e2e_qr qr;
	E2E_CHECK(h, g, e2e_find_qr(h, &qr) && strstr(qr.data, "/r/") && strncmp(qr.data, "000201", 6) != 0,
	          "not the receipt's QR: %s %s", qr.data, qr.why);
	e2e_expect(h, g, "无法打印回单", WAIT_MS, "no printer: said");
	E2E_CHECK(h, g, e2e_log_count(h, "payment: success") == 1, "success logged %d times",
	          e2e_log_count(h, "payment: success"));
	e2e_finish(h, g);
}

Test(pay, no_bills_and_unknown_account)
{
	struct gwd *g = e2e_start_gateway(NULL);
	struct harness *h = e2e_start_home(g, gwd_url(g), COLS, ROWS, NULL, WAIT_MS);
	pay_to_bills(h, g, ACCOUNT_0);
	e2e_expect(h, g, "没有待缴费用", WAIT_MS, "an account with nothing to pay");
	/* Backspace corrects: the last digit goes. */
	h_key(h, H_BACKSPACE);
	pay_type_slowly(h, "9");
	e2e_expect(h, g, "3101000009", WAIT_MS, "corrected number");
	h_key(h, H_ENTER);
	e2e_expect(h, g, "户号不存在", WAIT_MS, "an unknown account: the gateway's words");
	/* Letters and too many digits: plain words, nothing changes. */
	pay_type_slowly(h, "a");
	e2e_expect(h, g, "只能输入数字", WAIT_MS, "a letter");
	pay_type_slowly(h, "12345678901");
	e2e_expect(h, g, "最多20位", WAIT_MS, "a 21st digit");
	e2e_finish(h, g);
}

/* Each spoiled payload: refused, nothing drawn, the payment cancelled. */
Test(pay, spoiled_payloads_are_never_drawn)
{
	static const char *const faults[] = { "qr_amount", "qr_crc", "qr_currency", "qr_truncated",
	                                      "qr_crc_not_last" };
	struct gwd *g = e2e_start_gateway(NULL);
	struct harness *h = e2e_start_home(g, gwd_url(g), COLS, ROWS, NULL, WAIT_MS);
	pay_to_bills(h, g, ACCOUNT_10);
	for (size_t i = 0; i < sizeof faults / sizeof faults[0]; i++) {
		char *f = e2e_fmt("{\"paths\":[\"/v1/payments\"],\"payment\":\"%s\"}", faults[i]);
		e2e_set_faults(g, f);
		free(f);
		char bill[8];
		snprintf(bill, sizeof bill, "%zu", i + 1);
		e2e_expect(h, g, e2e_item((int)i + 1, ""), WAIT_MS, faults[i]);
		h_type(h, bill);
		e2e_expect(h, g, T_CONFIRM, WAIT_MS, faults[i]);
		h_pump(h, 400); /* a person reads the amount (a press in the first 300 ms is taken for a double tap) */
		h_type(h, "1");
		e2e_expect(h, g, T_REFUSED, WAIT_MS, faults[i]);
		h_settle(h, 150, 2000);
		struct e2e_qr qr;
		E2E_CHECK(h, g, !e2e_find_qr(h, &qr) && qr.cols == 0, "%s: a spoiled payload was drawn", faults[i]);
		E2E_CHECK(h, g, e2e_log_count(h, "QR payload refused") == (int)i + 1, "%s: not logged as refused",
		          faults[i]);
		h_key(h, H_ESC);
		e2e_expect_row(h, g, 0, T_WATER, WAIT_MS, "back to the bills");
	}
	e2e_set_faults(g, "{\"paths\":[],\"payment\":null}");
	e2e_finish(h, g);
}

/* Pay pressed twice, and a gateway that commits then drops the connection:
 * one payment at the gateway, and the screen shows it. */
Test(pay, one_payment_whatever_happens)
{
	struct gwd *g = e2e_start_gateway(NULL);
	struct harness *h = e2e_start_home(g, gwd_url(g), COLS, ROWS, NULL, WAIT_MS);
	pay_to_bills(h, g, ACCOUNT_3);
	pay_expect_bills(h, g, "bills");
	h_type(h, "1");
	e2e_expect(h, g, T_CONFIRM, WAIT_MS, "confirm");
	h_pump(h, 400); /* a person reads the amount (a press in the first 300 ms is taken for a double tap) */
	e2e_set_faults(g, "{\"paths\":[\"/v1/payments\"],\"payment\":\"commit_then_drop\"}");
	h_type(h, "1");
	h_type(h, "1");
	h_key(h, H_ENTER);
	h_pump(h, 1500); /* the first answer is lost; the retry comes after a second */
	e2e_set_faults(g, "{\"paths\":[],\"payment\":null}");
	e2e_expect(h, g, T_WAITING, 15000, "the retry finds the payment");
	json_t *a = pay_sim_payments(g);
	E2E_CHECK(h, g, json_array_size(a) == 1, "%zu payments at the gateway, not 1", json_array_size(a));
	json_decref(a);
	e2e_finish(h, g);
}

Test(pay, cancel_asks_first)
{
	struct gwd *g = e2e_start_gateway(NULL);
	struct harness *h = e2e_start_home(g, gwd_url(g), COLS, ROWS, NULL, WAIT_MS);
	pay_to_bills(h, g, ACCOUNT_3);
	pay_first_bill(h, g, "pay");
	h_key(h, H_ESC);
	e2e_expect(h, g, T_ASK_CANCEL, WAIT_MS, "Esc asks before cancelling");
	h_type(h, "2");
	e2e_expect_gone(h, g, T_ASK_CANCEL, WAIT_MS, "2: not cancelled");
	h_key(h, H_ESC);
	e2e_expect(h, g, T_ASK_CANCEL, WAIT_MS, "asked again");
	h_type(h, "1");
	e2e_expect(h, g, T_CANCELLED, WAIT_MS, "1: cancelled");
	json_t *a = pay_sim_payments(g);
	const char *st = json_string_value(json_object_get(json_array_get(a, 0), "state"));
	E2E_CHECK(h, g, st && !strcmp(st, "cancelled"), "the gateway says %s", st ? st : "nothing");
	json_decref(a);
	e2e_finish(h, g);
}

/* ---- receipts, scans, restarts -------------------------------------------------------------- */

static char scratch[700];

static const char *scratch_file(const char *name)
{
	static char path[4][900];
	static int k;
	e2e_scratch_dir(scratch, sizeof scratch, "pay");
	k = (k + 1) % 4;
	snprintf(path[k], sizeof path[k], "%s/%s", scratch, name);
	return path[k];
}

static void pay_at_gateway(struct gwd *g)
{
	json_t *keep;
	char *path = e2e_fmt("/sim/payments/%s/pay", last_payment_id(g, &keep));
	json_decref(e2e_post_json(g, path, NULL, 200));
	json_decref(keep);
	free(path);
}

static char *ledger(const char *dir)
{
	return pay_ledger(dir, scratch);
}

Test(pay, receipt_printed_once_with_its_qr)
{
	const char *prn = scratch_file("receipts.bin");
	unlink(prn);
	char *spec = e2e_fmt("file:%s", prn);
	const char *extra[] = { "--printer", spec, NULL };
	struct gwd *g = e2e_start_gateway(NULL);
	struct harness *h = e2e_start_home(g, gwd_url(g), COLS, ROWS, extra, WAIT_MS);
	pay_to_bills(h, g, ACCOUNT_3);
	long long amount = pay_first_bill(h, g, "pay");
	pay_at_gateway(g);
	e2e_expect(h, g, T_PAID, WAIT_MS, "paid");
	e2e_expect(h, g, T_PRINTED, WAIT_MS, "the receipt printed");
	struct escpos_doc doc;
	E2E_CHECK(h, g, escpos_parse_file(prn, &doc) == 0, "the printed bytes do not parse: %s", doc.why);
	E2E_CHECK(h, g, doc.cuts == 1, "%d cuts, not 1", doc.cuts);
	E2E_CHECK(h, g, doc.init_first && doc.chinese_first, "no ESC @ and FS & first");
	char yuan[32];
	snprintf(yuan, sizeof yuan, "%lld.%02lld", amount / 100, amount % 100);
	E2E_CHECK(h, g, escpos_doc_find(&doc, yuan), "the receipt does not hold the amount %s", yuan);
	E2E_CHECK(h, g, escpos_doc_find(&doc, "R2"), "the receipt does not hold the receipt number");
	E2E_CHECK(h, g, doc.qr && strstr(doc.qr, "/r/"), "the receipt's QR holds %s", doc.qr ? doc.qr : "nothing");
	escpos_doc_free(&doc);
	char *data = e2e_fmt("%s/data", h_tmpdir(h));
	char *l = ledger(data);
	E2E_CHECK(h, g, pay_count_of(l, "success") == 1, "the ledger has %d successes:\n%s", pay_count_of(l, "success"), l);
	free(l);
	free(data);
	free(spec);
	e2e_finish(h, g);
}

Test(pay, paper_out_offers_the_receipt_on_screen)
{
	const char *prn = scratch_file("receipts-out.bin");
	unlink(prn);
	char *status = e2e_fmt("%s.status", prn);
	FILE *f = fopen(status, "w");
	cr_assert_not_null(f);
	fputs("paper_out\n", f);
	fclose(f);
	char *spec = e2e_fmt("file:%s", prn);
	const char *extra[] = { "--printer", spec, NULL };
	struct gwd *g = e2e_start_gateway(NULL);
	struct harness *h = e2e_start_home(g, gwd_url(g), COLS, ROWS, extra, WAIT_MS);
	pay_to_bills(h, g, ACCOUNT_3);
	pay_first_bill(h, g, "pay");
	pay_at_gateway(g);
	e2e_expect(h, g, T_PAID, WAIT_MS, "paid");
	e2e_expect(h, g, T_PAPER_OUT, WAIT_MS, "the printer is out of paper: said");
	h_settle(h, 150, 2000);
	struct e2e_qr qr;
	E2E_CHECK(h, g, e2e_find_qr(h, &qr) && strstr(qr.data, "/r/"), "no receipt QR on screen: %s %s", qr.data,
	          qr.why);
	struct stat st;
	E2E_CHECK(h, g, stat(prn, &st) != 0 || st.st_size == 0, "bytes went to a printer out of paper");
	E2E_CHECK(h, g, e2e_log_count(h, "paper_out") >= 1, "the fault is not logged");
	unlink(status);
	free(status);
	free(spec);
	e2e_finish(h, g);
}

Test(pay, pay_code_scanned_while_the_qr_shows)
{
	const char *fifo = scratch_file("scan.fifo");
	char *spec = e2e_fmt("fifo:%s", fifo);
	const char *extra[] = { "--scanner", spec, NULL };
	struct gwd *g = e2e_start_gateway(NULL);
	struct harness *h = e2e_start_home(g, gwd_url(g), COLS, ROWS, extra, WAIT_MS);
	pay_to_bills(h, g, ACCOUNT_3);
	pay_first_bill(h, g, "pay");
	e2e_fifo_send(h, g, fifo, PAY_CODE_OK, WAIT_MS);
	e2e_expect(h, g, T_PAID, WAIT_MS, "paid with the scanned pay code");
	E2E_CHECK(h, g, e2e_log_count(h, "session: started") == 0, "a pay code was taken for a log-in");
	free(spec);
	e2e_finish(h, g);
}

/* SIGKILL while a payment waits; it is paid meanwhile; the next start
 * finds it paid, records it once and prints its receipt once, and the one
 * after that prints nothing. */
Test(pay, killed_while_pending_then_paid)
{
	char dir_buf[800];
	snprintf(dir_buf, sizeof dir_buf, "%s", scratch_file("data"));
	e2e_rm_rf(dir_buf);
	mkdir(dir_buf, 0700);
	const char *prn = scratch_file("receipts-kill.bin");
	unlink(prn);
	char *spec = e2e_fmt("file:%s", prn);
	const char *extra[] = { "--data-dir", dir_buf, "--printer", spec, NULL };
	struct gwd *g = e2e_start_gateway(NULL);
	struct harness *h = e2e_start_home(g, gwd_url(g), COLS, ROWS, extra, WAIT_MS);
	pay_to_bills(h, g, ACCOUNT_3);
	pay_first_bill(h, g, "pay");
	kill(h_pid(h), SIGKILL);
	int status;
	h_wait_exit(h, 5000, &status);
	h_free(h);
	pay_at_gateway(g);
	for (int round = 0; round < 2; round++) {
		h = e2e_start_home(g, gwd_url(g), COLS, ROWS, extra, WAIT_MS);
		if (round == 0)
			E2E_CHECK(h, g, e2e_wait_log(h, "receipt: printed", WAIT_MS), "restart: the receipt not printed");
		else
			h_pump(h, 1500);
		struct escpos_doc doc;
		E2E_CHECK(h, g, escpos_parse_file(prn, &doc) == 0, "the printed bytes do not parse: %s", doc.why);
		E2E_CHECK(h, g, doc.cuts == 1, "start %d: %d receipts printed, not 1", round + 2, doc.cuts);
		escpos_doc_free(&doc);
		char *l = ledger(dir_buf);
		E2E_CHECK(h, g, pay_count_of(l, "success") == 1, "start %d: the ledger has %d successes:\n%s", round + 2,
		          pay_count_of(l, "success"), l);
		free(l);
		e2e_end_kiosk(h, 3000);
	}
	e2e_end_gw(g, false);
	free(spec);
}

/* Large text and voice together, as an elderly citizen would use them: the
 * digits typed are spoken one by one, the amount is spoken as money, the
 * amount on screen is in big glyphs, and the QR still reads. */
Test(pay, large_and_voice)
{
	const char *speech = scratch_file("speech.log");
	unlink(speech);
	char *spec = e2e_fmt("log:%s", speech);
	const char *extra[] = { "--mode", "large,voice", "--speech", spec, NULL };
	struct gwd *g = e2e_start_gateway(NULL);
	struct harness *h = e2e_start_home(g, gwd_url(g), COLS, ROWS, extra, WAIT_MS);
	h_type(h, "5");
	e2e_expect_row(h, g, 0, T_BILLS, WAIT_MS, "large: 5 opens 生活缴费");
	h_type(h, "1");
	e2e_expect_row(h, g, 0, T_WATER, WAIT_MS, "large: water");
	pay_type_slowly(h, ACCOUNT_3);
	h_settle(h, 300, 3000);
	E2E_CHECK(h, g, e2e_count_text(h, "███") >= 5, "large mode: the digits are not in big glyphs");
	char *said = e2e_slurp_str(speech);
	E2E_CHECK(h, g, said && strstr(said, "已输入10位"), "the digits are not counted aloud:\n%s", said ? said : "");
	free(said);
	h_key(h, H_ENTER);
	long long amount = pay_first_bill(h, g, "large: pay");
	h_settle(h, 500, 3000);
	said = e2e_slurp_str(speech);
	E2E_CHECK(h, g, said && strstr(said, "元"), "the amount is not spoken as money:\n%s", said ? said : "");
	free(said);
	char yuan[32];
	snprintf(yuan, sizeof yuan, "%lld.%02lld", amount / 100, amount % 100);
	E2E_CHECK(h, g, e2e_count_text(h, yuan) >= 1, "the amount %s is not on screen", yuan);
	free(spec);
	e2e_finish(h, g);
}

/* The same bill in Traditional Chinese and in English. */
static void in_language(const char *lang, const char *bills_title, const char *paid)
{
	const char *extra[] = { "--lang", lang, NULL };
	struct gwd *g = e2e_start_gateway(NULL);
	struct harness *h = e2e_start_kiosk(gwd_url(g), COLS, ROWS, extra);
	E2E_CHECK(h, g, e2e_wait_log(h, "catalog from gateway", WAIT_MS), "%s: no home", lang);
	h_type(h, "5");
	e2e_expect_row(h, g, 0, bills_title, WAIT_MS, lang);
	h_type(h, "1");
	pay_type_slowly(h, ACCOUNT_3);
	h_key(h, H_ENTER);
	pay_expect_bills(h, g, lang);
	h_type(h, "1");
	E2E_CHECK(h, g, e2e_wait_log(h, "screen: enter pay", WAIT_MS), "%s: no pay screen", lang);
	h_pump(h, 400); /* a person reads the amount (a press in the first 300 ms is taken for a double tap) */
	h_type(h, "1");
	E2E_CHECK(h, g, e2e_wait_log(h, "payment: QR code shown", WAIT_MS), "%s: no QR", lang);
	pay_at_gateway(g);
	e2e_expect(h, g, paid, WAIT_MS, lang);
	e2e_finish(h, g);
}

Test(pay, zh_tw) { in_language("zh_TW", "生活繳費", "支付成功，謝謝"); }
Test(pay, en) { in_language("en", "Pay bills", "Paid. Thank you."); }

/* By touch alone: every step a finger on the screen, the digits on the
 * screen's own pad, pay, then cancel with its question. */
static void touch(struct harness *h, struct gwd *g, const char *text, const char *step)
{
	e2e_expect(h, g, text, WAIT_MS, step);
	h_settle(h, 100, 2000);
	E2E_CHECK(h, g, h_click_text(h, text), "%s: \"%s\" cannot be touched", step, text);
	h_pump(h, 120);
}

Test(pay, by_touch_alone)
{
	struct gwd *g = e2e_start_gateway(NULL);
	struct harness *h = e2e_start_home(g, gwd_url(g), COLS, ROWS, NULL, WAIT_MS);
	touch(h, g, T_BILLS, "home: 生活缴费");
	e2e_expect_row(h, g, 0, T_BILLS, WAIT_MS, "touched: 生活缴费");
	touch(h, g, "1 " T_WATER, "water");
	e2e_expect_row(h, g, 0, T_WATER, WAIT_MS, "touched: water");
	for (const char *d = ACCOUNT_3; *d; d++) {
		char key[16];
		snprintf(key, sizeof key, "│  %c ", *d); /* the pad's key */
		touch(h, g, key, "a digit on the pad");
	}
	e2e_expect(h, g, ACCOUNT_3, WAIT_MS, "the digits touched are shown");
	touch(h, g, "查询", "look up");
	touch(h, g, "2026-", "the first bill (its period)");
	e2e_expect_row(h, g, 0, T_PAY_TITLE, WAIT_MS, "touched: the bill");
	h_pump(h, 400);
	touch(h, g, T_CONFIRM, "pay");
	e2e_expect(h, g, T_WAITING, WAIT_MS, "touched: pay");
	touch(h, g, "取消支付", "cancel");
	touch(h, g, "1 确定取消", "yes, cancel it");
	e2e_expect(h, g, T_CANCELLED, WAIT_MS, "cancelled by touch");
	e2e_finish(h, g);
}
