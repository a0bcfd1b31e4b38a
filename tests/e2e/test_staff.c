/* test_staff.c: staff mode (suite "staff"; issue 12, item 3).
 *
 * The real kiosk in a pty against the reference gateway. A staff card (a
 * code from /sim/staff-code written into the kiosk's FIFO scanner) opens
 * the staff menu on home; a paid bill's receipt reprinted from the ledger
 * carries 重打 (the printer's bytes parsed back), the ledger page lists the
 * payment, the device tests show a scan (escape sequence removed), print a
 * test page (parsed: title, QR) and say a sentence (speech log). Refused:
 * a malformed code (no request), an unknown one, one used once, an expired
 * one, a card while a citizen is logged in. The PIN after * # * #: a wrong
 * PIN five times locks it (the log says so and never holds the PIN), and
 * the lock survives a restart (the right PIN is refused then). The staff
 * session ends on idle; 重启程序 exits with 75. Every staff page, in large
 * mode, from 4x3 to 200x60: the kiosk lives, the screen stays clean, touch
 * targets never overlap.
 *
 * Screen texts are zh_CN's (the kiosk's default).
 */
#include "e2e.h"
#include "harness/escpos_parse.h"
#include "harness/gwd.h"
#include "harness/harness.h"
#include "pay_e2e.h"

#include <criterion/criterion.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define WAIT_MS 8000
#define COLS 120
#define ROWS 40

#define T_MENU "工作人员模式 · 菜单"
#define T_BANNER "工作人员模式 | 工作人员："
#define T_ENDED "已退出工作人员模式。"
#define T_PIN_TITLE "工作人员模式 · 工作人员密码"
#define PIN_RIGHT "246810"
#define PIN_WRONG "97531"

static void suite_fini(void);
TestSuite(staff, .timeout = 120, .fini = suite_fini);

static char scratch[700];

static const char *scratch_file(const char *name)
{
	static char path[4][900];
	static int k;
	e2e_scratch_dir(scratch, sizeof scratch, "staff");
	k = (k + 1) % 4;
	snprintf(path[k], sizeof path[k], "%s/%s", scratch, name);
	return path[k];
}

static void suite_fini(void)
{
	e2e_rm_rf(scratch);
}

/* A fresh staff code from the gateway's simulator (the caller frees). */
static char *staff_code(struct gwd *g)
{
	json_t *j = e2e_post_json(g, "/sim/staff-code", "{\"name\":\"王工\"}", 200);
	const char *c = json_string_value(json_object_get(j, "code"));
	cr_assert(c && !strncmp(c, "STF-", 4) && strlen(c) == 20, "not a staff code: %s", c ? c : "(none)");
	char *out = strdup(c);
	json_decref(j);
	return out;
}

/* The card scanned on home: the staff menu, its banner with the masked name. */
static void enter_by_card(struct harness *h, struct gwd *g, const char *fifo, const char *code)
{
	e2e_fifo_send(h, g, fifo, code, WAIT_MS);
	e2e_expect_row(h, g, 0, T_MENU, WAIT_MS, "a staff card opens the staff menu");
	e2e_expect(h, g, T_BANNER "王*（S00", WAIT_MS, "the banner says staff mode and who, masked");
	E2E_CHECK(h, g, !e2e_wait_text(h, "王工", 10), "the staff member's full name is shown");
}

static int count_in(const char *hay, const char *needle)
{
	int n = 0;
	for (const char *p = hay; (p = strstr(p, needle)); p += strlen(needle))
		n++;
	return n;
}

static struct escpos_doc printed(struct harness *h, struct gwd *g, const char *prn)
{
	struct escpos_doc doc;
	E2E_CHECK(h, g, escpos_parse_file(prn, &doc) == 0, "the printer's bytes do not parse: %s", doc.why);
	return doc;
}

Test(staff, card_reprint_ledger_and_device_tests)
{
	const char *fifo = scratch_file("scan.fifo");
	const char *prn = scratch_file("receipts.bin");
	const char *said = scratch_file("speech.log");
	unlink(prn);
	unlink(said);
	char *scanner = e2e_fmt("fifo:%s", fifo), *printer = e2e_fmt("file:%s", prn), *speech = e2e_fmt("log:%s", said);
	const char *extra[] = { "--scanner", scanner, "--printer", printer, "--speech", speech, NULL };
	struct gwd *g = e2e_start_gateway(NULL);
	struct harness *h = e2e_start_home(g, gwd_url(g), COLS, ROWS, extra, WAIT_MS);

	/* A citizen pays a water bill; its receipt prints. */
	pay_to_bills(h, g, "3101000001");
	pay_expect_bills(h, g, "the bills");
	h_type(h, "1");
	e2e_expect(h, g, "确认支付", WAIT_MS, "the pay screen");
	h_pump(h, 400);
	h_type(h, "1");
	e2e_expect(h, g, "等待支付", WAIT_MS, "the payment's QR");
	char id[64];
	pay_last_id(g, id, sizeof id);
	pay_sim_pay(g, id);
	e2e_expect(h, g, "回单已打印", WAIT_MS, "paid: the receipt printed");
	json_t *pays = pay_sim_payments(g);
	long long fen = json_integer_value(json_object_get(json_array_get(pays, 0), "amount_fen"));
	json_decref(pays);
	char yuan[32];
	snprintf(yuan, sizeof yuan, "%lld.%02lld", fen / 100, fen % 100);
	h_key(h, H_HOME);
	e2e_expect_row(h, g, 0, E2E_T_HOME, WAIT_MS, "home");

	char *code = staff_code(g);
	enter_by_card(h, g, fifo, code);

	/* 2 缴费记录: the payment, paid, and nothing personal. */
	h_type(h, "2");
	e2e_expect_row(h, g, 0, "工作人员模式 · 缴费记录", WAIT_MS, "2: the ledger");
	e2e_expect(h, g, "已支付 1 笔", WAIT_MS, "the ledger counts the payment");
	e2e_expect(h, g, yuan, WAIT_MS, "the ledger shows its amount");
	E2E_CHECK(h, g, !e2e_wait_text(h, "3101", 10), "the ledger shows the account number");
	h_key(h, H_ESC);
	e2e_expect_row(h, g, 0, T_MENU, WAIT_MS, "back to the menu");

	/* 1 重打凭条: printed again, marked 重打. */
	h_type(h, "1");
	e2e_expect_row(h, g, 0, "工作人员模式 · 重打凭条", WAIT_MS, "1: reprint");
	e2e_expect(h, g, yuan, WAIT_MS, "the paid payment is offered");
	h_type(h, "1");
	e2e_expect(h, g, "已重打凭条", WAIT_MS, "reprinted");
	struct escpos_doc doc = printed(h, g, prn);
	E2E_CHECK(h, g, doc.cuts == 2, "%d receipts printed, not 2", doc.cuts);
	E2E_CHECK(h, g, escpos_doc_find(&doc, "重打 REPRINT"), "the reprint carries no 重打 REPRINT line");
	E2E_CHECK(h, g, escpos_doc_find(&doc, "缴费凭证（重打）"), "the reprint's title is not marked 重打");
	char *all = escpos_doc_text(&doc);
	E2E_CHECK(h, g, count_in(all, yuan) >= 2, "the amount is not on both receipts:\n%s", all);
	E2E_CHECK(h, g, count_in(all, "重打") == 2, "重打 is not on the reprint alone:\n%s", all);
	free(all);
	escpos_doc_free(&doc);
	h_key(h, H_ESC);
	e2e_expect_row(h, g, 0, T_MENU, WAIT_MS, "back to the menu");

	/* 4 设备检测: a scan shown (its escape sequence gone), a test page, a
	 * sentence said, the display chart. */
	h_type(h, "4");
	e2e_expect_row(h, g, 0, "工作人员模式 · 设备检测", WAIT_MS, "4: device tests");
	e2e_fifo_send(h, g, fifo, "TEST-123\033[2Jabc", WAIT_MS);
	e2e_expect(h, g, "TEST-123abc", WAIT_MS, "the scan shown, sanitized");
	e2e_expect(h, g, "共 11 个字符", WAIT_MS, "its length");
	h_type(h, "1");
	e2e_expect(h, g, "测试页已打印", WAIT_MS, "the test page printed");
	doc = printed(h, g, prn);
	E2E_CHECK(h, g, doc.cuts == 3, "%d cuts after the test page, not 3", doc.cuts);
	E2E_CHECK(h, g, escpos_doc_find(&doc, "打印测试页"), "no test page title");
	E2E_CHECK(h, g, escpos_doc_find(&doc, "政务服务自助终端 打印测试"), "no Chinese line on the test page");
	const struct escpos_line *ruler = escpos_doc_find(&doc, "1234567890123456789012345678901234567890");
	E2E_CHECK(h, g, ruler && ruler->cols == 48, "the ruler is not one line of the paper's 48 columns (%d)",
	          ruler ? ruler->cols : -1);
	E2E_CHECK(h, g, doc.qr && !strcmp(doc.qr, "KIOSK-PRINTER-TEST test-kiosk"), "the test page's QR holds %s",
	          doc.qr ? doc.qr : "nothing");
	escpos_doc_free(&doc);
	h_type(h, "2");
	e2e_expect(h, g, "状态：正常", WAIT_MS, "the printer's state read");
	h_type(h, "3");
	e2e_expect(h, g, "已播报测试语句", WAIT_MS, "the test sentence");
	char *sl = e2e_slurp_str(said);
	E2E_CHECK(h, g, strstr(sl, "语音测试：这是自助终端的声音"), "the speech log has no test sentence: %s", sl);
	free(sl);
	h_type(h, "4");
	e2e_expect_row(h, g, 0, "工作人员模式 · 显示屏色卡", WAIT_MS, "4: the chart");
	e2e_expect(h, g, "focus", WAIT_MS, "every role is on the chart");
	h_key(h, H_ESC);
	e2e_expect_row(h, g, 0, "工作人员模式 · 设备检测", WAIT_MS, "back to device tests");
	h_key(h, H_ESC);
	e2e_expect_row(h, g, 0, T_MENU, WAIT_MS, "back to the menu");

	/* 5, 6, 7: the gateway in use, the version, the log's last lines. */
	h_type(h, "5");
	e2e_expect(h, g, gwd_url(g), WAIT_MS, "5: the gateway's URL");
	h_type(h, "1");
	e2e_expect(h, g, "网关已应答", WAIT_MS, "the gateway tested");
	h_key(h, H_ESC);
	h_type(h, "6");
	e2e_expect(h, g, "终端程序版本：", WAIT_MS, "6: the version");
	e2e_expect(h, g, "终端编号：test-kiosk", WAIT_MS, "6: the kiosk id");
	h_key(h, H_ESC);
	h_type(h, "7");
	e2e_expect_row(h, g, 0, "工作人员模式 · 最近错误", WAIT_MS, "7: recent errors");
	h_key(h, H_ESC);

	/* 0 退出: home, and staff mode said to be over. */
	e2e_expect_row(h, g, 0, T_MENU, WAIT_MS, "the menu");
	h_type(h, "0");
	e2e_expect_row(h, g, 0, E2E_T_HOME, WAIT_MS, "0: home");
	e2e_expect(h, g, T_ENDED, WAIT_MS, "staff mode ended");
	/* The log: who (the id), never the code nor what was scanned. */
	E2E_CHECK(h, g, e2e_log_count(h, "staff: session started (card, staff S00") == 1, "no start logged");
	E2E_CHECK(h, g, e2e_log_count(h, "staff: session ended (exit") == 1, "no end logged");
	E2E_CHECK(h, g, e2e_log_count(h, code) == 0 && e2e_log_count(h, code + 4) == 0, "the staff code is logged");
	E2E_CHECK(h, g, e2e_log_count(h, "TEST-123") == 0, "the scan is logged");
	E2E_CHECK(h, g, e2e_log_count(h, "王") == 0, "the staff member's name is logged");
	free(code);
	free(scanner);
	free(printer);
	free(speech);
	e2e_finish(h, g);
}

Test(staff, cards_refused)
{
	const char *fifo = scratch_file("refused.fifo");
	char *scanner = e2e_fmt("fifo:%s", fifo);
	const char *extra[] = { "--scanner", scanner, NULL };
	struct gwd *g = e2e_start_gateway(NULL);
	struct harness *h = e2e_start_home(g, gwd_url(g), COLS, ROWS, extra, WAIT_MS);

	/* Not of the form: refused here, never sent. */
	e2e_fifo_send(h, g, fifo, "STF-abc", WAIT_MS);
	e2e_expect(h, g, "无法识别该工作人员码", WAIT_MS, "a malformed staff code");
	E2E_CHECK(h, g, e2e_log_count(h, "/v1/kiosk/staff") == 0, "a malformed code was sent");
	/* Of the form, but unknown: 404 invalid_code. */
	e2e_fifo_send(h, g, fifo, "STF-AAAAAAAAAAAAAAAA", WAIT_MS);
	e2e_expect(h, g, "工作人员码无效", WAIT_MS, "an unknown staff code");

	/* A citizen logged in: log out first. */
	char cit[128];
	e2e_citizen_code(g, "cit-zhang", cit, sizeof cit);
	e2e_fifo_send(h, g, fifo, cit, WAIT_MS);
	e2e_expect(h, g, "4 退出登录", WAIT_MS, "the citizen logged in");
	char *code = staff_code(g);
	e2e_fifo_send(h, g, fifo, code, WAIT_MS);
	e2e_expect(h, g, "当前有市民登录，请先退出登录，再扫工作人员码。", WAIT_MS, "a card while a citizen is in");
	E2E_CHECK(h, g, e2e_log_count(h, "staff: session started") == 0, "staff mode beside a citizen");
	h_key(h, H_F9);
	e2e_expect(h, g, "4 扫码登录", WAIT_MS, "logged out");

	/* A gateway failing, then answering with wrong types: plain words. */
	e2e_set_faults(g, "{\"error_rate\":1,\"paths\":[\"/v1/kiosk/staff\"]}");
	e2e_fifo_send(h, g, fifo, code, WAIT_MS);
	e2e_expect(h, g, "无法核验工作人员码", WAIT_MS, "the gateway failing");
	e2e_set_faults(g, "{\"body\":\"wrong_types\",\"paths\":[\"/v1/kiosk/staff\"]}");
	e2e_fifo_send(h, g, fifo, code, WAIT_MS);
	e2e_expect(h, g, "服务网络返回的内容无法识别", WAIT_MS, "an answer of the wrong types");
	E2E_CHECK(h, g, e2e_wait_title(h, E2E_T_HOME, 10), "not home");
	/* Hostile strings in the answer's name: drawn sanitized (e2e_expect
	 * checks the screen is clean). */
	e2e_set_faults(g, "{\"body\":\"evil_strings\",\"paths\":[\"/v1/kiosk/staff\"]}");
	char *code2 = staff_code(g);
	e2e_fifo_send(h, g, fifo, code2, WAIT_MS);
	e2e_expect_row(h, g, 0, T_MENU, WAIT_MS, "a card whose answer has hostile strings");
	e2e_expect(h, g, "王*", WAIT_MS, "the name, sanitized");
	h_type(h, "0");
	e2e_expect(h, g, T_ENDED, WAIT_MS, "staff mode left");
	e2e_set_faults(g, "{}");

	/* Used once, then refused. */
	e2e_fifo_send(h, g, fifo, code2, WAIT_MS);
	e2e_expect(h, g, "该工作人员码已使用过", WAIT_MS, "a code used once");
	E2E_CHECK(h, g, e2e_log_count(h, "staff: session started") == 1, "%d staff sessions",
	          e2e_log_count(h, "staff: session started"));
	free(code);
	free(code2);
	free(scanner);
	e2e_finish(h, g);
}

Test(staff, expired_code_refused)
{
	const char *fifo = scratch_file("expired.fifo");
	char *scanner = e2e_fmt("fifo:%s", fifo);
	const char *extra[] = { "--scanner", scanner, NULL };
	const char *gextra[] = { "--staff-code-ttl", "1", NULL };
	struct gwd *g = e2e_start_gateway(gextra);
	struct harness *h = e2e_start_home(g, gwd_url(g), COLS, ROWS, extra, WAIT_MS);
	char *code = staff_code(g);
	h_pump(h, 2100); /* its second is over */
	e2e_fifo_send(h, g, fifo, code, WAIT_MS);
	e2e_expect(h, g, "该工作人员码已过期", WAIT_MS, "an expired code");
	E2E_CHECK(h, g, e2e_wait_title(h, E2E_T_HOME, 10), "not home");
	free(code);
	free(scanner);
	e2e_finish(h, g);
}

/* `kiosk --hash-pin` with the PIN on stdin: the configuration line. */
static void write_pin_config(const char *conf)
{
	char *cmd = e2e_fmt("printf '%%s\\n' %s | '%s' --hash-pin > '%s' 2>/dev/null", PIN_RIGHT, h_kiosk_bin(),
	                    conf);
	e2e_sh(cmd);
	free(cmd);
	char *text = e2e_slurp_str(conf);
	cr_assert(!strncmp(text, "staff_pin_hash = pbkdf2-sha256:", 31), "kiosk --hash-pin wrote: %s", text);
	cr_assert(!strstr(text, PIN_RIGHT), "the PIN is in its hash line");
	char *with_section = e2e_fmt("[kiosk]\n%s", text);
	FILE *f = fopen(conf, "w");
	cr_assert_not_null(f);
	fputs(with_section, f);
	fclose(f);
	free(with_section);
	free(text);
}

static void type_pin(struct harness *h, const char *pin)
{
	pay_type_slowly(h, pin);
	h_key(h, H_ENTER);
}

static void open_pin_pad(struct harness *h, struct gwd *g)
{
	pay_type_slowly(h, "*#*#");
	e2e_expect_row(h, g, 0, T_PIN_TITLE, WAIT_MS, "* # * # on home: the PIN pad");
}

Test(staff, wrong_pin_five_times_locks_even_after_a_restart)
{
	const char *conf = scratch_file("pin.conf");
	write_pin_config(conf);
	char data[900];
	snprintf(data, sizeof data, "%s", scratch_file("pin-data"));
	e2e_rm_rf(data);
	cr_assert_eq(mkdir(data, 0700), 0);
	const char *extra[] = { "--config", conf, "--data-dir", data, NULL };
	struct gwd *g = e2e_start_gateway(NULL);
	struct harness *h = e2e_start_home(g, gwd_url(g), COLS, ROWS, extra, WAIT_MS);

	/* One wrong PIN, then the right one: staff mode. */
	open_pin_pad(h, g);
	type_pin(h, PIN_WRONG);
	e2e_expect(h, g, "密码错误。再错 4 次", WAIT_MS, "a wrong PIN: four more tries");
	E2E_CHECK(h, g, !e2e_wait_text(h, PIN_WRONG, 10), "the PIN is shown");
	type_pin(h, PIN_RIGHT);
	e2e_expect_row(h, g, 0, T_MENU, WAIT_MS, "the right PIN: the staff menu");
	e2e_expect(h, g, "工作人员模式 | 工作人员密码", WAIT_MS, "the banner: by PIN");
	h_type(h, "0");
	e2e_expect(h, g, T_ENDED, WAIT_MS, "left");

	/* Five wrong ones: locked, and logged without the PIN. */
	open_pin_pad(h, g);
	for (int i = 0; i < 4; i++) {
		type_pin(h, PIN_WRONG);
		char *left = e2e_fmt("再错 %d 次", 4 - i);
		e2e_expect(h, g, left, WAIT_MS, "a wrong PIN");
		free(left);
	}
	type_pin(h, PIN_WRONG);
	e2e_expect(h, g, "工作人员密码已锁定 5 分钟", WAIT_MS, "the fifth: locked");
	type_pin(h, PIN_RIGHT);
	e2e_expect(h, g, "工作人员密码已锁定", WAIT_MS, "the right PIN while locked: refused");
	E2E_CHECK(h, g, e2e_wait_title(h, T_PIN_TITLE, 10), "a locked PIN let staff in");
	E2E_CHECK(h, g, e2e_log_count(h, "staff: PIN locked for 300 s after 5 wrong PINs") == 1,
	          "the lockout is not logged");
	E2E_CHECK(h, g, e2e_log_count(h, PIN_WRONG) == 0 && e2e_log_count(h, PIN_RIGHT) == 0, "a PIN is logged");
	char *state = e2e_fmt("%s/staff-pin.state", data);
	struct stat st;
	E2E_CHECK(h, g, stat(state, &st) == 0 && (st.st_mode & 0777) == 0600, "the lockout state file is not 0600");
	char *text = e2e_slurp_str(state);
	E2E_CHECK(h, g, !strstr(text, PIN_WRONG) && !strstr(text, PIN_RIGHT), "a PIN is in the state file");
	free(text);
	e2e_end_kiosk(h, 10000);

	/* After a restart: still locked, the right PIN refused. */
	h = e2e_start_home(g, gwd_url(g), COLS, ROWS, extra, WAIT_MS);
	open_pin_pad(h, g);
	e2e_expect(h, g, "工作人员密码已锁定", WAIT_MS, "locked at once after the restart");
	type_pin(h, PIN_RIGHT);
	e2e_expect(h, g, "工作人员密码已锁定", WAIT_MS, "the right PIN refused after the restart");
	E2E_CHECK(h, g, e2e_log_count(h, "staff: session started") == 0, "a locked PIN started staff mode");
	free(state);
	e2e_finish(h, g);
}

Test(staff, idle_ends_it_and_restart_exits_75)
{
	const char *fifo = scratch_file("idle.fifo");
	char *scanner = e2e_fmt("fifo:%s", fifo);
	const char *extra[] = { "--scanner", scanner, "--idle-timeout", "4", NULL };
	struct gwd *g = e2e_start_gateway(NULL);
	struct harness *h = e2e_start_home(g, gwd_url(g), COLS, ROWS, extra, WAIT_MS);
	char *code = staff_code(g);
	enter_by_card(h, g, fifo, code);
	h_type(h, "6"); /* a page above the menu: all of it goes */
	e2e_expect_row(h, g, 0, "工作人员模式 · 配置版本", WAIT_MS, "6");
	e2e_expect(h, g, "由于长时间未操作，工作人员模式已结束。", 12000, "the idle end");
	e2e_expect_row(h, g, 0, E2E_T_HOME, WAIT_MS, "home after the idle end");
	E2E_CHECK(h, g, e2e_log_count(h, "staff: session ended (idle") == 1, "the idle end is not logged");
	free(code);

	/* 8 重启程序: asks, then the kiosk exits with 75 for its supervisor. */
	code = staff_code(g);
	enter_by_card(h, g, fifo, code);
	h_type(h, "8");
	e2e_expect(h, g, "现在重启自助终端程序吗", WAIT_MS, "8 asks first");
	h_type(h, "1");
	int status = -1;
	E2E_CHECK(h, g, h_wait_exit(h, 10000, &status) == 0, "the kiosk did not exit");
	E2E_CHECK(h, g, WIFEXITED(status) && WEXITSTATUS(status) == 75, "exit status %#x, not 75", status);
	char rep[1024] = "";
	E2E_CHECK(h, g, h_sanitizer_clean(h, rep, sizeof rep), "kiosk sanitizer report: %s", rep);
	E2E_CHECK(h, g, e2e_log_count(h, "staff: session ended (restart") == 1, "the restart is not logged");
	free(code);
	free(scanner);
	h_free(h);
	e2e_end_gw(g, false);
}

/* Every staff page at sizes from tiny to large, in large mode too: the
 * kiosk lives on, the screen stays clean, touch targets never overlap. */
static bool targets_overlap(const char *dump_path, char *why, size_t n)
{
	char *text = e2e_slurp_str(dump_path);
	int r[256][4], k = 0;
	for (char *l = strtok(text, "\n"); l && k < 256; l = strtok(NULL, "\n")) {
		int id;
		if (sscanf(l, "target %d %d %d %d %d", &id, &r[k][0], &r[k][1], &r[k][2], &r[k][3]) == 5)
			k++;
	}
	free(text);
	if (k == 0) {
		snprintf(why, n, "no touch target in %s", dump_path);
		return true;
	}
	for (int i = 0; i < k; i++)
		for (int j = i + 1; j < k; j++)
			if (r[i][0] < r[j][0] + r[j][2] && r[j][0] < r[i][0] + r[i][2] && r[i][1] < r[j][1] + r[j][3] &&
			    r[j][1] < r[i][1] + r[i][3]) {
				snprintf(why, n, "%d,%d %dx%d and %d,%d %dx%d", r[i][0], r[i][1], r[i][2], r[i][3], r[j][0],
				         r[j][1], r[j][2], r[j][3]);
				return true;
			}
	return false;
}

static void at_every_size(struct harness *h, struct gwd *g, const char *dump, const char *page)
{
	static const int sizes[][2] = { { 4, 3 }, { 20, 8 }, { 40, 12 }, { 80, 24 }, { 200, 60 }, { COLS, ROWS } };
	for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
		h_resize(h, sizes[i][0], sizes[i][1]);
		h_settle(h, 100, 2000);
		char why[160];
		E2E_CHECK(h, g, !h_exited(h), "%s at %dx%d: the kiosk exited", page, sizes[i][0], sizes[i][1]);
		e2e_clean(h, g, page);
		if (sizes[i][0] >= 80)
			E2E_CHECK(h, g, !targets_overlap(dump, why, sizeof why), "%s at %dx%d: targets overlap: %s", page,
			          sizes[i][0], sizes[i][1], why);
	}
}

Test(staff, every_page_at_every_size)
{
	const char *fifo = scratch_file("sizes.fifo");
	const char *dump = scratch_file("layout.txt");
	char *scanner = e2e_fmt("fifo:%s", fifo);
	const char *extra[] = { "--scanner", scanner, "--mode", "large", NULL };
	struct gwd *g = e2e_start_gateway(NULL);
	setenv("KIOSK_LAYOUT_DUMP", dump, 1);
	struct harness *h = e2e_start_home(g, gwd_url(g), COLS, ROWS, extra, WAIT_MS);
	unsetenv("KIOSK_LAYOUT_DUMP");
	char *code = staff_code(g);
	enter_by_card(h, g, fifo, code);
	at_every_size(h, g, dump, "the menu");
	static const char *const pages[] = { "1", "2", "3", "4", "5", "6", "7" };
	for (size_t p = 0; p < sizeof pages / sizeof pages[0]; p++) {
		h_type(h, pages[p]);
		h_settle(h, 150, 2000);
		char *what = e2e_fmt("page %s", pages[p]);
		at_every_size(h, g, dump, what);
		free(what);
		h_key(h, H_ESC);
		e2e_expect_row(h, g, 0, T_MENU, WAIT_MS, "back to the menu");
	}
	/* The chart, and the PIN pad (after leaving). */
	h_type(h, "4");
	e2e_expect_row(h, g, 0, "工作人员模式 · 设备检测", WAIT_MS, "4");
	h_type(h, "4");
	e2e_expect_row(h, g, 0, "工作人员模式 · 显示屏色卡", WAIT_MS, "the chart");
	at_every_size(h, g, dump, "the chart");
	free(code);
	free(scanner);
	e2e_finish(h, g);
}
