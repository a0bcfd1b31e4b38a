/* test_pay_attack.c: an adversarial review of the payment flow (issue 9),
 * each way found to break it kept as an end-to-end test.
 *
 * The real kiosk in a pty against the reference gateway, as test_pay.c
 * drives it. The money rules under attack: what the screen shows is what
 * gets paid; nothing is paid twice; every payment reaches a final state the
 * citizen sees; a network error is never "failed"; states never go back;
 * a spoiled QR is never drawn; no crash, no hang, no control character
 * drawn; a receipt prints once whatever restarts happen; no personal data
 * (the full account number, pay codes) in the log.
 *
 * The tests whose comment says "found broken" each found a bug, since
 * fixed; the comment says what failed.
 */
#include "e2e.h"
#include "emv.h"
#include "harness/escpos_parse.h"
#include "harness/gwd.h"
#include "pay_e2e.h"
#include "harness/harness.h"

#include <criterion/criterion.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define WAIT_MS 8000
#define COLS 120
#define ROWS 40

#define T_BILLS "生活缴费"
#define T_WATER "水费"
#define T_PAY_TITLE "缴费支付"
#define T_CONFIRM "确认支付"
#define T_WAITING "等待支付"
#define T_PAID "支付成功"
#define T_FAILED "支付失败"
#define T_CANCELLED "支付已取消"
#define T_EXPIRED "付款二维码已过期，未扣款"
#define T_ASK_CANCEL "确定取消这笔支付吗"
#define T_PRINTED "回单已打印"
#define T_NO_PAYMENTS "本机暂时无法办理缴费"
#define T_RETRYING "网络不稳定"
#define T_NOT_STARTED "未能发起"
#define T_NOT_ACCOUNT "不是户号"
#define PAY_CODE_OK "131234567890123456"

#define ACCOUNT_3 "3101000001"  /* water: 3 bills */

static void suite_fini(void);
TestSuite(pay_attack, .timeout = 180, .fini = suite_fini);

/* ---- small helpers ----------------------------------------------------------------- */

static void nap(int ms)
{
	struct timespec t = { ms / 1000, (long)(ms % 1000) * 1000000L };
	nanosleep(&t, NULL);
}

/* Keeps the screen read while time passes (the kiosk never blocks on a
 * full pty). */
static void pump(struct harness *h, int ms)
{
	long long end = e2e_now_ms() + ms;
	while (e2e_now_ms() < end)
		h_pump(h, 100);
}

/* What must never be on screen in this test, checked at every wait. */
static const char *forbidden[8];

static const char *guard_forbidden(struct harness *h)
{
	static char seen[200];
	for (int i = 0; i < 8 && forbidden[i]; i++)
		if (h_find(h, forbidden[i], NULL, NULL)) {
			snprintf(seen, sizeof seen, "%s", forbidden[i]);
			return seen;
		}
	return NULL;
}

static void forbid(const char *a, const char *b, const char *c)
{
	memset(forbidden, 0, sizeof forbidden);
	forbidden[0] = a;
	forbidden[1] = b;
	forbidden[2] = c;
	e2e_set_hooks(guard_forbidden, NULL);
}

static char scratch[700];

static void suite_fini(void)
{
	e2e_set_hooks(NULL, NULL);
	if (scratch[0]) {
		char *cmd = e2e_fmt("chmod -R u+rwx '%s' 2>/dev/null", scratch);
		if (system(cmd) != 0)
			fprintf(stderr, "%s failed\n", cmd);
		free(cmd);
		e2e_rm_rf(scratch);
		scratch[0] = '\0';
	}
}

static const char *scratch_file(const char *name)
{
	static char path[4][900];
	static int k;
	e2e_scratch_dir(scratch, sizeof scratch, "pay-attack");
	k = (k + 1) % 4;
	snprintf(path[k], sizeof path[k], "%s/%s", scratch, name);
	return path[k];
}

static void pay_last(struct gwd *g)
{
	char id[64];
	pay_last_id(g, id, sizeof id);
	pay_sim_pay(g, id);
}

/* The bill (item) picked, the confirm page, pay (1) pressed. */
static void press_pay(struct harness *h, struct gwd *g, int item, const char *step)
{
	char k[4];
	snprintf(k, sizeof k, "%d", item);
	/* The list itself, not the digit pad's "1" still on the screen while
	 * the bills load: a digit pressed then goes into the account (keys act
	 * at once since the wedge detector is opt-in; it used to hold a digit
	 * back 35 ms, long enough for the list to come here). */
	pay_expect_bills(h, g, step);
	e2e_expect(h, g, e2e_item(item, ""), WAIT_MS, step);
	h_type(h, k);
	e2e_expect_row(h, g, 0, T_PAY_TITLE, WAIT_MS, step);
	e2e_expect(h, g, T_CONFIRM, WAIT_MS, step);
	h_pump(h, 400); /* a person reads the amount (a press in the first 300 ms is taken for a double tap) */
	h_type(h, "1");
}

/* press_pay, then the QR. */
static void pay_bill(struct harness *h, struct gwd *g, int item, const char *step)
{
	press_pay(h, g, item, step);
	e2e_expect(h, g, T_WAITING, WAIT_MS, step);
	h_settle(h, 150, 2000);
	struct e2e_qr qr;
	E2E_CHECK(h, g, e2e_find_qr(h, &qr), "%s: no readable QR: %s", step, qr.why);
}

static char *ledger(const char *dir)
{
	return pay_ledger(dir, scratch_file("."));
}

static int receipts_cut(const char *prn)
{
	struct stat st;
	if (stat(prn, &st) != 0 || st.st_size == 0)
		return 0;
	struct escpos_doc doc;
	cr_assert(escpos_parse_file(prn, &doc) == 0, "the printed bytes do not parse: %s", doc.why);
	int n = doc.cuts;
	escpos_doc_free(&doc);
	return n;
}

/* A fresh data dir of the test's own (kept across kiosk restarts). */
static const char *data_dir(const char *name)
{
	static char buf[900];
	snprintf(buf, sizeof buf, "%s", scratch_file(name));
	e2e_rm_rf(buf);
	cr_assert(mkdir(buf, 0700) == 0, "mkdir %s: %s", buf, strerror(errno));
	return buf;
}

/* "--listen 127.0.0.1:PORT": the gateway restarted where the kiosk looks. */
static bool restart_same_port(struct gwd *g)
{
	char listen[64];
	snprintf(listen, sizeof listen, "127.0.0.1:%d", gwd_port(g));
	const char *args[] = { "--listen", listen, NULL };
	return gwd_restart(g, args);
}

static void end_all(struct harness *h, struct gwd *g)
{
	e2e_finish(h, g);
	e2e_set_hooks(NULL, NULL);
}

/* ---- replies that arrive after their screen left ------------------------------------- */

/* Esc and Home while the bills load: the list never pops up over the
 * screen the citizen went back to, and the kiosk goes on working. */
Test(pay_attack, esc_while_bills_load)
{
	struct gwd *g = e2e_start_gateway(NULL);
	struct harness *h = e2e_start_home(g, gwd_url(g), COLS, ROWS, NULL, WAIT_MS);
	e2e_set_faults(g, "{\"latency_ms\":2500,\"paths\":[\"/v1/bills\"]}");
	pay_to_bills(h, g, ACCOUNT_3);
	nap(200);
	h_key(h, H_ESC);
	e2e_expect_row(h, g, 0, T_BILLS, WAIT_MS, "Esc while loading: the kinds of bill");
	h_key(h, H_HOME);
	e2e_expect_row(h, g, 0, E2E_T_HOME, WAIT_MS, "Home: home");
	pump(h, 3500); /* the answer arrives */
	e2e_expect_row(h, g, 0, E2E_T_HOME, WAIT_MS, "the late answer changed nothing");
	E2E_CHECK(h, g, !h_find(h, "元", NULL, NULL), "a bill list was drawn over home");
	e2e_set_faults(g, "{}");
	pay_to_bills(h, g, ACCOUNT_3);
	pay_bill(h, g, 1, "after the late answer: pay still works");
	E2E_CHECK(h, g, pay_n_payments(g) == 1, "%zu payments", pay_n_payments(g));
	end_all(h, g);
}

/* Pay again while the payment is being created: nothing; Esc leaves (the
 * outbox and reconcile.c follow the create); the same bill picked again
 * gets the same key, so the gateway shows the one payment it made. */
Test(pay_attack, keys_while_creating)
{
	struct gwd *g = e2e_start_gateway(NULL);
	struct harness *h = e2e_start_home(g, gwd_url(g), COLS, ROWS, NULL, WAIT_MS);
	forbid(T_FAILED, NULL, NULL);
	pay_to_bills(h, g, ACCOUNT_3);
	e2e_set_faults(g, "{\"latency_ms\":2500,\"paths\":[\"/v1/payments\"]}");
	press_pay(h, g, 1, "pay with a slow gateway");
	pump(h, 150);
	h_type(h, "1");
	h_key(h, H_ENTER);
	pump(h, 150);
	h_key(h, H_ESC);
	e2e_expect_row(h, g, 0, T_WATER, WAIT_MS, "Esc while creating leaves");
	pump(h, 4000); /* the create lands; reconcile.c records it */
	e2e_set_faults(g, "{}");
	E2E_CHECK(h, g, pay_n_payments(g) == 1, "%zu payments at the gateway, not 1", pay_n_payments(g));
	press_pay(h, g, 1, "the same bill again");
	e2e_expect(h, g, T_WAITING, WAIT_MS, "the same payment, shown");
	E2E_CHECK(h, g, pay_n_payments(g) == 1, "%zu payments at the gateway, not 1", pay_n_payments(g));
	pay_last(g);
	e2e_expect(h, g, T_PAID, WAIT_MS, "paid");
	end_all(h, g);
}

/* A pay code scanned, then cancel confirmed while the scan is in flight:
 * the scan paid, so the screen must say paid (never cancelled), once. */
Test(pay_attack, cancel_while_scan_in_flight)
{
	const char *fifo = scratch_file("scan1.fifo");
	char *spec = e2e_fmt("fifo:%s", fifo);
	const char *extra[] = { "--scanner", spec, NULL };
	struct gwd *g = e2e_start_gateway(NULL);
	struct harness *h = e2e_start_home(g, gwd_url(g), COLS, ROWS, extra, WAIT_MS);
	forbid(T_CANCELLED, T_FAILED, NULL);
	pay_to_bills(h, g, ACCOUNT_3);
	pay_bill(h, g, 1, "pay");
	char id[64];
	pay_last_id(g, id, sizeof id);
	char *f = e2e_fmt("{\"latency_ms\":2000,\"paths\":[\"/v1/payments/%s/scan\",\"/v1/payments/%s/cancel\"]}",
	                  id, id);
	e2e_set_faults(g, f);
	free(f);
	e2e_fifo_send(h, g, fifo, PAY_CODE_OK, WAIT_MS);
	nap(200);
	h_key(h, H_ESC);
	e2e_expect(h, g, T_ASK_CANCEL, WAIT_MS, "Esc asks");
	h_type(h, "1");
	e2e_expect(h, g, T_PAID, 15000, "the scan paid: paid, not cancelled");
	pump(h, 3000);
	e2e_clean(h, g, "still paid");
	E2E_CHECK(h, g, h_find(h, T_PAID, NULL, NULL), "paid went away");
	e2e_set_faults(g, "{}");
	E2E_CHECK(h, g, pay_n_in_state(g, "success") == 1, "%d successes", pay_n_in_state(g, "success"));
	E2E_CHECK(h, g, e2e_log_count(h, "payment: success") == 1, "success logged %d times",
	          e2e_log_count(h, "payment: success"));
	free(spec);
	end_all(h, g);
}

/* Cancel confirmed, and the payment paid at the gateway before the cancel
 * gets there: the screen ends on paid. */
Test(pay_attack, cancel_racing_sim_pay)
{
	struct gwd *g = e2e_start_gateway(NULL);
	struct harness *h = e2e_start_home(g, gwd_url(g), COLS, ROWS, NULL, WAIT_MS);
	forbid(T_CANCELLED, T_FAILED, NULL);
	pay_to_bills(h, g, ACCOUNT_3);
	pay_bill(h, g, 1, "pay");
	char id[64];
	pay_last_id(g, id, sizeof id);
	char *f = e2e_fmt("{\"latency_ms\":1500,\"paths\":[\"/v1/payments/%s/cancel\"]}", id);
	e2e_set_faults(g, f);
	free(f);
	h_key(h, H_ESC);
	e2e_expect(h, g, T_ASK_CANCEL, WAIT_MS, "Esc asks");
	h_type(h, "1");
	nap(100);
	pay_sim_pay(g, id);
	e2e_expect(h, g, T_PAID, 15000, "paid before the cancel arrived: paid");
	pump(h, 2500);
	e2e_clean(h, g, "still paid");
	e2e_set_faults(g, "{}");
	E2E_CHECK(h, g, pay_n_in_state(g, "success") == 1, "%d successes", pay_n_in_state(g, "success"));
	end_all(h, g);
}

/* ---- the idle timeout ------------------------------------------------------------------ */

/* Found broken by the attack, fixed since: the idle timeout (--idle-timeout 6 here, 120 s by default
 * against a 300 s payment) takes the kiosk home while the payment QR is
 * shown and the payment is still open. The citizen, who has just scanned
 * the QR and is confirming on the phone, pays; the screen is on home and
 * never shows "paid" nor the receipt (reconcile.c records it in the
 * background, and prints it, with no screen saying so). session.c
 * idle_matters()/on_idle_tick() knows nothing of a payment in progress;
 * scr_pay.c should hold the idle timeout while ST_CREATING/ST_SHOWING (or
 * the warning should say a payment is open). */
Test(pay_attack, idle_timeout_while_qr_shows)
{
	const char *extra[] = { "--idle-timeout", "6", NULL };
	struct gwd *g = e2e_start_gateway(NULL);
	struct harness *h = e2e_start_home(g, gwd_url(g), COLS, ROWS, extra, WAIT_MS);
	pay_to_bills(h, g, ACCOUNT_3);
	pay_bill(h, g, 1, "pay");
	pump(h, 9000); /* the citizen looks at the phone, not the kiosk */
	pay_last(g);
	e2e_expect(h, g, T_PAID, WAIT_MS, "paid on the phone: the kiosk must say so");
	end_all(h, g);
}

/* The idle timeout while the create is slow: whatever the screen does, the
 * gateway ends with one payment and the outbox follows it to the end. */
Test(pay_attack, idle_timeout_while_creating)
{
	const char *dir = data_dir("data-idle");
	const char *extra[] = { "--idle-timeout", "4", "--data-dir", dir, NULL };
	struct gwd *g = e2e_start_gateway(NULL);
	struct harness *h = e2e_start_home(g, gwd_url(g), COLS, ROWS, extra, WAIT_MS);
	pay_to_bills(h, g, ACCOUNT_3);
	e2e_set_faults(g, "{\"latency_ms\":7000,\"paths\":[\"/v1/payments\"]}");
	press_pay(h, g, 1, "pay, slowly");
	pump(h, 9000);
	e2e_set_faults(g, "{}");
	pump(h, 8000); /* the reconciler's pass */
	E2E_CHECK(h, g, pay_n_payments(g) == 1, "%zu payments at the gateway, not 1", pay_n_payments(g));
	pay_last(g);
	pump(h, 7000);
	char *l = ledger(dir);
	E2E_CHECK(h, g, pay_count_of(l, "success") == 1, "the ledger has %d successes:\n%s", pay_count_of(l, "success"), l);
	free(l);
	E2E_CHECK(h, g, pay_n_payments(g) == 1, "%zu payments at the gateway, not 1", pay_n_payments(g));
	end_all(h, g);
}

/* ---- two payments in a row ---------------------------------------------------------------- */

/* Two bills of one account paid one after the other: two payments, one
 * per bill, two receipts; the bill already paid cannot be paid again from
 * the list the citizen goes back to. */
Test(pay_attack, two_bills_in_a_row)
{
	const char *prn = scratch_file("two.bin");
	unlink(prn);
	char *spec = e2e_fmt("file:%s", prn);
	const char *dir = data_dir("data-two");
	const char *extra[] = { "--printer", spec, "--data-dir", dir, NULL };
	struct gwd *g = e2e_start_gateway(NULL);
	struct harness *h = e2e_start_home(g, gwd_url(g), COLS, ROWS, extra, WAIT_MS);
	pay_to_bills(h, g, ACCOUNT_3);
	pay_bill(h, g, 1, "first bill");
	pay_last(g);
	e2e_expect(h, g, T_PAID, WAIT_MS, "first paid");
	e2e_expect(h, g, T_PRINTED, WAIT_MS, "first printed");
	h_key(h, H_ESC);
	e2e_expect_row(h, g, 0, T_WATER, WAIT_MS, "back to the bills");
	pay_bill(h, g, 2, "second bill");
	pay_last(g);
	e2e_expect(h, g, T_PAID, WAIT_MS, "second paid");
	e2e_expect(h, g, T_PRINTED, WAIT_MS, "second printed");
	/* Whatever bill 1 now is, paying it must not pay any bill twice. */
	h_key(h, H_ESC);
	e2e_expect_row(h, g, 0, T_WATER, WAIT_MS, "back again");
	press_pay(h, g, 1, "bill 1 again");
	pump(h, 3000);
	json_t *a = pay_sim_payments(g), *p;
	size_t i;
	int success = 0;
	json_array_foreach(a, i, p) {
		const char *st = json_string_value(json_object_get(p, "state"));
		const char *bill = json_string_value(json_object_get(p, "bill_id"));
		if (!st || strcmp(st, "success"))
			continue;
		success++;
		size_t j;
		json_t *q;
		json_array_foreach(a, j, q) {
			const char *st2 = json_string_value(json_object_get(q, "state"));
			const char *bill2 = json_string_value(json_object_get(q, "bill_id"));
			E2E_CHECK(h, g, j == i || !st2 || strcmp(st2, "success") || !bill || !bill2 || strcmp(bill, bill2),
			          "bill %s paid twice", bill);
		}
	}
	json_decref(a);
	E2E_CHECK(h, g, success == 2, "%d successes at the gateway, not 2", success);
	E2E_CHECK(h, g, receipts_cut(prn) == 2, "%d receipts printed, not 2", receipts_cut(prn));
	char *l = ledger(dir);
	E2E_CHECK(h, g, pay_count_of(l, "success") == 2, "the ledger has %d successes:\n%s", pay_count_of(l, "success"), l);
	free(l);
	free(spec);
	end_all(h, g);
}

/* ---- the gateway goes away ----------------------------------------------------------------- */

/* The gateway killed while the QR shows and polling goes on: never
 * "failed"; it comes back (same port, same database), the payment is paid:
 * the screen ends on paid. */
Test(pay_attack, gateway_killed_while_polling_then_paid)
{
	struct gwd *g = e2e_start_gateway(NULL);
	struct harness *h = e2e_start_home(g, gwd_url(g), COLS, ROWS, NULL, WAIT_MS);
	forbid(T_FAILED, T_CANCELLED, T_EXPIRED);
	pay_to_bills(h, g, ACCOUNT_3);
	pay_bill(h, g, 1, "pay");
	char id[64];
	pay_last_id(g, id, sizeof id);
	gwd_kill(g);
	pump(h, 8000);
	e2e_clean(h, g, "the gateway is gone");
	E2E_CHECK(h, g, h_find(h, T_WAITING, NULL, NULL) || h_find(h, "正在处理", NULL, NULL),
	          "the gateway is gone: the screen no longer says it waits");
	cr_assert(restart_same_port(g), "the gateway did not come back");
	pay_sim_pay(g, id);
	e2e_expect(h, g, T_PAID, 25000, "paid while the kiosk could not ask: paid once it can");
	end_all(h, g);
}

/* The gateway stopped before pay is pressed: the citizen is told in plain
 * words (never "failed"), nothing is paid; when it comes back, paying the
 * same bill again gives one payment, and a restart of the kiosk (whose
 * reconciler re-sends the unsent create) pays nothing twice. */
Test(pay_attack, gateway_down_before_pay)
{
	const char *dir = data_dir("data-down");
	const char *extra[] = { "--data-dir", dir, NULL };
	struct gwd *g = e2e_start_gateway(NULL);
	struct harness *h = e2e_start_home(g, gwd_url(g), COLS, ROWS, extra, WAIT_MS);
	forbid(T_FAILED, NULL, NULL);
	pay_to_bills(h, g, ACCOUNT_3);
	pay_expect_bills(h, g, "bills");
	gwd_stop(g);
	press_pay(h, g, 1, "pay with no gateway");
	e2e_expect(h, g, T_RETRYING, WAIT_MS, "retrying said");
	e2e_expect(h, g, T_NOT_STARTED, 60000, "could not be started: said");
	struct e2e_qr qr;
	E2E_CHECK(h, g, !e2e_find_qr(h, &qr) && qr.cols == 0, "a QR is drawn with no payment");
	cr_assert(restart_same_port(g), "the gateway did not come back");
	h_key(h, H_ESC);
	e2e_expect_row(h, g, 0, T_WATER, WAIT_MS, "back to the bills");
	pay_bill(h, g, 1, "the same bill, the gateway back");
	pay_last(g);
	e2e_expect(h, g, T_PAID, WAIT_MS, "paid");
	e2e_end_kiosk(h, 5000);
	/* Restarted: the reconciler finds the create that never went out. */
	h = e2e_start_home(g, gwd_url(g), COLS, ROWS, extra, WAIT_MS);
	pump(h, 12000);
	E2E_CHECK(h, g, pay_n_in_state(g, "success") == 1, "%d successes", pay_n_in_state(g, "success"));
	E2E_CHECK(h, g, pay_n_in_state(g, "created") + pay_n_in_state(g, "pending") == 0,
	          "a payment nobody sees was created (%d open)", pay_n_in_state(g, "created") + pay_n_in_state(g, "pending"));
	char *l = ledger(dir);
	E2E_CHECK(h, g, pay_count_of(l, "success") == 1, "the ledger has %d successes:\n%s", pay_count_of(l, "success"), l);
	free(l);
	end_all(h, g);
}

/* ---- the kiosk killed ------------------------------------------------------------------------ */

/* SIGKILL right after pay is pressed, before the gateway answers (it
 * commits meanwhile); restart: the reconciler re-sends with the same key,
 * the gateway still has one payment; paid: one success in the ledger, one
 * receipt, over two more restarts. */
Test(pay_attack, sigkill_right_after_pay)
{
	const char *dir = data_dir("data-kill");
	const char *prn = scratch_file("kill.bin");
	unlink(prn);
	char *spec = e2e_fmt("file:%s", prn);
	const char *extra[] = { "--data-dir", dir, "--printer", spec, NULL };
	struct gwd *g = e2e_start_gateway(NULL);
	struct harness *h = e2e_start_home(g, gwd_url(g), COLS, ROWS, extra, WAIT_MS);
	pay_to_bills(h, g, ACCOUNT_3);
	e2e_set_faults(g, "{\"latency_ms\":2000,\"paths\":[\"/v1/payments\"]}");
	press_pay(h, g, 1, "pay, slow gateway");
	E2E_CHECK(h, g, e2e_wait_log(h, "screen: enter pay", 2000), "no pay screen");
	nap(400);
	kill(h_pid(h), SIGKILL);
	int status;
	h_wait_exit(h, 5000, &status);
	h_free(h);
	nap(2500); /* the gateway commits the create of a kiosk that is gone */
	e2e_set_faults(g, "{}");
	size_t before = pay_n_payments(g);
	cr_assert(before <= 1, "%zu payments before the restart", before);
	h = e2e_start_home(g, gwd_url(g), COLS, ROWS, extra, WAIT_MS);
	pump(h, 7000);
	E2E_CHECK(h, g, pay_n_payments(g) == 1, "%zu payments at the gateway after the restart (before it: %zu)",
	          pay_n_payments(g), before);
	pay_last(g);
	E2E_CHECK(h, g, e2e_wait_log(h, "receipt: printed", 15000), "the receipt was not printed");
	e2e_end_kiosk(h, 5000);
	h = e2e_start_home(g, gwd_url(g), COLS, ROWS, extra, WAIT_MS);
	pump(h, 6000);
	E2E_CHECK(h, g, receipts_cut(prn) == 1, "%d receipts printed, not 1", receipts_cut(prn));
	char *l = ledger(dir);
	E2E_CHECK(h, g, pay_count_of(l, "success") == 1, "the ledger has %d successes:\n%s", pay_count_of(l, "success"), l);
	free(l);
	E2E_CHECK(h, g, pay_n_payments(g) == 1, "%zu payments at the gateway", pay_n_payments(g));
	free(spec);
	e2e_end_kiosk(h, 5000);
	e2e_end_gw(g, true);
}

/* ---- two kiosks, one data dir ----------------------------------------------------------------- */

/* A second kiosk started on the data dir of a running one (and kiosk
 * --ledger meanwhile): nothing crashes, the payment the first shows is
 * paid once, its receipt printed once, the ledger has it once. */
Test(pay_attack, second_kiosk_same_data_dir)
{
	const char *dir = data_dir("data-two-kiosks");
	const char *prn = scratch_file("twok.bin");
	unlink(prn);
	char *spec = e2e_fmt("file:%s", prn);
	const char *extra[] = { "--data-dir", dir, "--printer", spec, NULL };
	struct gwd *g = e2e_start_gateway(NULL);
	struct harness *h = e2e_start_home(g, gwd_url(g), COLS, ROWS, extra, WAIT_MS);
	pay_to_bills(h, g, ACCOUNT_3);
	pay_bill(h, g, 1, "first kiosk: pay");
	struct harness *h2 = e2e_start_home(g, gwd_url(g), COLS, ROWS, extra, WAIT_MS);
	pump(h2, 1500);
	char *l = ledger(dir);
	free(l);
	pay_last(g);
	e2e_expect(h, g, T_PAID, WAIT_MS, "first kiosk: paid");
	pump(h2, 7000);
	pump(h, 1000);
	e2e_clean(h2, g, "second kiosk");
	E2E_CHECK(h, g, receipts_cut(prn) == 1, "%d receipts printed, not 1", receipts_cut(prn));
	l = ledger(dir);
	E2E_CHECK(h, g, pay_count_of(l, "success") == 1, "the ledger has %d successes:\n%s", pay_count_of(l, "success"), l);
	free(l);
	/* The second kiosk can take a payment too. */
	pay_to_bills(h2, g, ACCOUNT_3);
	pay_bill(h2, g, 2, "second kiosk: pay");
	pay_last(g);
	e2e_expect(h2, g, T_PAID, WAIT_MS, "second kiosk: paid");
	e2e_end_kiosk(h2, 5000);
	free(spec);
	end_all(h, g);
}

/* ---- expiry --------------------------------------------------------------------------------- */

/* A payment that lives 3 s: the QR goes at the countdown, the screen ends
 * on expired, a pay code scanned after it is not sent, a late /sim pay is
 * refused. */
Test(pay_attack, expiry_hides_the_qr)
{
	const char *fifo = scratch_file("scan-exp.fifo");
	char *spec = e2e_fmt("fifo:%s", fifo);
	const char *extra[] = { "--scanner", spec, NULL };
	const char *gx[] = { "--payment-ttl", "3", NULL };
	struct gwd *g = e2e_start_gateway(gx);
	struct harness *h = e2e_start_home(g, gwd_url(g), COLS, ROWS, extra, WAIT_MS);
	forbid(T_FAILED, T_PAID, NULL);
	pay_to_bills(h, g, ACCOUNT_3);
	press_pay(h, g, 1, "pay");
	e2e_expect(h, g, T_WAITING, WAIT_MS, "the QR");
	long long shown = e2e_now_ms();
	e2e_expect(h, g, T_EXPIRED, 15000, "expired: said");
	h_settle(h, 150, 2000);
	struct e2e_qr qr;
	E2E_CHECK(h, g, !e2e_find_qr(h, &qr) && qr.cols == 0, "an expired QR is still drawn");
	(void)shown;
	e2e_fifo_send(h, g, fifo, PAY_CODE_OK, WAIT_MS);
	pump(h, 1500);
	e2e_clean(h, g, "a scan after the end");
	E2E_CHECK(h, g, h_find(h, T_EXPIRED, NULL, NULL), "expired went away");
	char id[64];
	pay_last_id(g, id, sizeof id);
	char *path = e2e_fmt("/sim/payments/%s/pay", id);
	int st = gwd_post(g, path, NULL, NULL);
	free(path);
	E2E_CHECK(h, g, st == 409, "an expired payment paid at the gateway: %d", st);
	pump(h, 3000);
	e2e_clean(h, g, "after a late pay");
	E2E_CHECK(h, g, pay_n_in_state(g, "success") == 0, "an expired payment was paid");
	free(spec);
	end_all(h, g);
}

/* The countdown reaches zero before the gateway's sweep says expired: the
 * QR must be gone at zero (a dead code must not be scannable). */
Test(pay_attack, qr_gone_at_the_countdown)
{
	const char *gx[] = { "--payment-ttl", "4", NULL };
	struct gwd *g = e2e_start_gateway(gx);
	struct harness *h = e2e_start_home(g, gwd_url(g), COLS, ROWS, NULL, WAIT_MS);
	pay_to_bills(h, g, ACCOUNT_3);
	pay_bill(h, g, 1, "pay");
	/* Polls cannot reach the gateway: only the countdown can take the QR
	 * away. */
	gwd_kill(g);
	pump(h, 6500);
	struct e2e_qr qr;
	E2E_CHECK(h, g, !e2e_find_qr(h, &qr) && qr.cols == 0, "the QR is still drawn after its expiry");
	E2E_CHECK(h, g, !h_find(h, T_FAILED, NULL, NULL), "failed shown for a network error");
	cr_assert(restart_same_port(g), "the gateway did not come back");
	e2e_expect(h, g, T_EXPIRED, 25000, "the gateway says expired: shown");
	end_all(h, g);
}

/* ---- the scanner ---------------------------------------------------------------------------- */

/* While the QR shows, the scanner sends escape sequences, 200 digits and a
 * real log-in code: none logs in, none is drawn raw, none is logged; then
 * the citizen's pay code pays. */
Test(pay_attack, hostile_scans_while_qr_shows)
{
	const char *fifo = scratch_file("scan2.fifo");
	char *spec = e2e_fmt("fifo:%s", fifo);
	const char *extra[] = { "--scanner", spec, NULL };
	struct gwd *g = e2e_start_gateway(NULL);
	struct harness *h = e2e_start_home(g, gwd_url(g), COLS, ROWS, extra, WAIT_MS);
	forbid("pwned", "[2J", T_FAILED);
	pay_to_bills(h, g, ACCOUNT_3);
	pay_bill(h, g, 1, "pay");
	e2e_fifo_send(h, g, fifo, "\x1b[2J\x1b]0;pwned\x07GOVLOGIN:x", WAIT_MS);
	pump(h, 1500);
	e2e_clean(h, g, "escape sequences");
	char digits[201];
	memset(digits, '7', 200);
	digits[200] = '\0';
	e2e_fifo_send(h, g, fifo, digits, WAIT_MS);
	pump(h, 1500);
	e2e_clean(h, g, "200 digits");
	E2E_CHECK(h, g, !h_find(h, "7777777777777777777777", NULL, NULL), "the 200 digits are drawn");
	char code[200];
	e2e_citizen_code(g, "cit-zhang", code, sizeof code);
	e2e_fifo_send(h, g, fifo, code, WAIT_MS);
	pump(h, 1500);
	e2e_clean(h, g, "a log-in code");
	E2E_CHECK(h, g, e2e_log_count(h, "session: started") == 0, "a scan logged in while paying");
	E2E_CHECK(h, g, e2e_row_has(h, 0, T_PAY_TITLE), "the payment screen was left");
	/* still payable, the QR still drawn */
	h_settle(h, 150, 2000);
	struct e2e_qr qr;
	E2E_CHECK(h, g, e2e_find_qr(h, &qr), "the QR went after bad scans: %s", qr.why);
	E2E_CHECK(h, g, pay_n_in_state(g, "success") == 0, "a bad scan paid");
	e2e_fifo_send(h, g, fifo, PAY_CODE_OK, WAIT_MS);
	e2e_expect(h, g, T_PAID, WAIT_MS, "the real pay code pays");
	E2E_CHECK(h, g, e2e_log_count(h, "session: started") == 0, "logged in");
	E2E_CHECK(h, g, e2e_log_count(h, "pwned") == 0 && e2e_log_count(h, "GOVLOGIN") == 0,
	          "the scans are in the log");
	E2E_CHECK(h, g, e2e_log_count(h, code) == 0, "the log-in code is in the log");
	E2E_CHECK(h, g, e2e_log_count(h, PAY_CODE_OK) == 0, "the pay code is in the log");
	E2E_CHECK(h, g, e2e_log_count(h, digits) == 0 && e2e_log_count(h, "7777777777") == 0,
	          "the 200 digits are in the log");
	free(spec);
	end_all(h, g);
}

/* The account screen fed by the scanner: 200 digits, escapes, letters:
 * a plain refusal, nothing drawn raw, the field unchanged; then a good
 * scan looks the account up. */
Test(pay_attack, hostile_scans_on_the_account_screen)
{
	const char *fifo = scratch_file("scan3.fifo");
	char *spec = e2e_fmt("fifo:%s", fifo);
	const char *extra[] = { "--scanner", spec, NULL };
	struct gwd *g = e2e_start_gateway(NULL);
	struct harness *h = e2e_start_home(g, gwd_url(g), COLS, ROWS, extra, WAIT_MS);
	forbid("pwned", "[2J", NULL);
	h_type(h, "5");
	e2e_expect_row(h, g, 0, T_BILLS, WAIT_MS, "5");
	h_type(h, "1");
	e2e_expect_row(h, g, 0, T_WATER, WAIT_MS, "1: water");
	pay_type_slowly(h, "31");
	char digits[201];
	memset(digits, '8', 200);
	digits[200] = '\0';
	e2e_fifo_send(h, g, fifo, digits, WAIT_MS);
	e2e_expect(h, g, T_NOT_ACCOUNT, WAIT_MS, "200 digits: refused");
	E2E_CHECK(h, g, !h_find(h, "888888888888888888888", NULL, NULL), "the 200 digits are drawn");
	e2e_fifo_send(h, g, fifo, "\x1b[2J\x1b]0;pwned\x07" "3101000001", WAIT_MS);
	pump(h, 2000);
	e2e_clean(h, g, "escapes");
	e2e_fifo_send(h, g, fifo, "31010000O1", WAIT_MS);
	pump(h, 1500);
	e2e_clean(h, g, "a letter O");
	e2e_fifo_send(h, g, fifo, ACCOUNT_3, WAIT_MS);
	e2e_expect(h, g, e2e_item(3, ""), WAIT_MS, "a good scan: the bills");
	E2E_CHECK(h, g, e2e_log_count(h, digits) == 0 && e2e_log_count(h, "8888888888") == 0,
	          "the 200 digits are in the log");
	free(spec);
	end_all(h, g);
}

/* ---- a data dir that cannot take payments --------------------------------------------------- */

static void unusable_outbox(const char *how)
{
	const char *dir = data_dir(how);
	char *db = e2e_fmt("%s/outbox.db", dir);
	if (!strcmp(how, "garbage")) {
		FILE *f = fopen(db, "w");
		cr_assert_not_null(f);
		for (int i = 0; i < 4096; i++)
			fputc((i * 7919) & 0xff, f);
		fclose(f);
	} else if (!strcmp(how, "sqlite-header")) {
		FILE *f = fopen(db, "w");
		cr_assert_not_null(f);
		fputs("SQLite format 3", f);
		fputc(0, f);
		for (int i = 0; i < 4080; i++)
			fputc((i * 31) & 0xff, f);
		fclose(f);
	} else if (!strcmp(how, "directory")) {
		cr_assert(mkdir(db, 0700) == 0);
	}
	char ddir[900];
	snprintf(ddir, sizeof ddir, "%s", dir);
	if (!strcmp(how, "not-a-dir")) { /* --data-dir names a regular file */
		snprintf(ddir, sizeof ddir, "%s/plain-file", dir);
		FILE *f = fopen(ddir, "w");
		cr_assert_not_null(f);
		fputs("not a directory\n", f);
		fclose(f);
	}
	const char *extra[] = { "--data-dir", ddir, NULL };
	struct gwd *g = e2e_start_gateway(NULL);
	struct harness *h = e2e_start_home(g, gwd_url(g), COLS, ROWS, extra, WAIT_MS);
	pay_to_bills(h, g, ACCOUNT_3);
	press_pay(h, g, 1, how);
	e2e_expect(h, g, T_NO_PAYMENTS, WAIT_MS, "payments refused in plain words");
	struct e2e_qr qr;
	E2E_CHECK(h, g, !e2e_find_qr(h, &qr) && qr.cols == 0, "%s: a QR is drawn", how);
	E2E_CHECK(h, g, pay_n_payments(g) == 0, "%s: a payment was made with no outbox", how);
	h_key(h, H_ESC);
	e2e_expect_row(h, g, 0, T_WATER, WAIT_MS, "Esc back");
	h_key(h, H_HOME);
	e2e_expect_row(h, g, 0, E2E_T_HOME, WAIT_MS, "home");
	free(db);
	end_all(h, g);
}

Test(pay_attack, outbox_garbage) { unusable_outbox("garbage"); }
Test(pay_attack, outbox_bad_sqlite) { unusable_outbox("sqlite-header"); }
Test(pay_attack, outbox_is_a_directory) { unusable_outbox("directory"); }
Test(pay_attack, data_dir_is_a_file) { unusable_outbox("not-a-dir"); }

/* ---- the printer goes away mid-run ----------------------------------------------------------- */

/* The printer's file in a directory removed while the QR shows: paid is
 * shown, the receipt is offered on screen, nothing crashes; nothing is
 * printed (and nothing is claimed printed). */
Test(pay_attack, printer_dir_removed_mid_run)
{
	const char *pdir = scratch_file("printer-dir");
	char pd[900];
	snprintf(pd, sizeof pd, "%s", pdir);
	e2e_rm_rf(pd);
	cr_assert(mkdir(pd, 0700) == 0);
	char *spec = e2e_fmt("file:%s/lp0", pd);
	const char *extra[] = { "--printer", spec, NULL };
	struct gwd *g = e2e_start_gateway(NULL);
	struct harness *h = e2e_start_home(g, gwd_url(g), COLS, ROWS, extra, WAIT_MS);
	forbid(T_PRINTED, T_FAILED, NULL);
	pay_to_bills(h, g, ACCOUNT_3);
	pay_bill(h, g, 1, "pay");
	e2e_rm_rf(pd);
	pay_last(g);
	e2e_expect(h, g, T_PAID, WAIT_MS, "paid");
	e2e_expect(h, g, "无法打印回单", WAIT_MS, "the receipt cannot be printed: said");
	h_settle(h, 150, 2000);
	struct e2e_qr qr;
	E2E_CHECK(h, g, e2e_find_qr(h, &qr) && strstr(qr.data, "/r/"), "no receipt QR on screen: %s %s", qr.data,
	          qr.why);
	struct stat st;
	E2E_CHECK(h, g, stat(pd, &st) != 0, "the printer's directory came back");
	free(spec);
	end_all(h, g);
}

/* ---- personal data ------------------------------------------------------------------------------ */

/* A whole payment with a printer and a pay code: the log holds neither the
 * account number in full nor the pay code; the outbox, once the payment is
 * final, holds no full account number either. */
Test(pay_attack, no_personal_data_in_logs)
{
	const char *fifo = scratch_file("scan4.fifo");
	char *sspec = e2e_fmt("fifo:%s", fifo);
	const char *prn = scratch_file("pd.bin");
	unlink(prn);
	char *pspec = e2e_fmt("file:%s", prn);
	const char *dir = data_dir("data-pd");
	const char *extra[] = { "--scanner", sspec, "--printer", pspec, "--data-dir", dir, NULL };
	struct gwd *g = e2e_start_gateway(NULL);
	struct harness *h = e2e_start_home(g, gwd_url(g), COLS, ROWS, extra, WAIT_MS);
	pay_to_bills(h, g, ACCOUNT_3);
	pay_bill(h, g, 1, "pay");
	e2e_fifo_send(h, g, fifo, PAY_CODE_OK, WAIT_MS);
	e2e_expect(h, g, T_PAID, WAIT_MS, "paid by pay code");
	e2e_expect(h, g, T_PRINTED, WAIT_MS, "printed");
	e2e_end_kiosk(h, 5000);
	char *cmd = e2e_fmt("grep -rl -a -e '%s' -e '%s' '%s' > '%s/pd-hits.txt' 2>/dev/null", ACCOUNT_3, PAY_CODE_OK,
	                    dir, scratch);
	int rc = system(cmd);
	free(cmd);
	char *hits_path = e2e_fmt("%s/pd-hits.txt", scratch);
	char *hits = e2e_slurp_str(hits_path);
	cr_expect(rc != 0 && !hits[0], "personal data in the data dir:\n%s", hits);
	free(hits);
	free(hits_path);
	struct escpos_doc doc;
	cr_assert(escpos_parse_file(prn, &doc) == 0, "the printed bytes do not parse: %s", doc.why);
	cr_expect(!escpos_doc_find(&doc, ACCOUNT_3), "the receipt holds the full account number");
	escpos_doc_free(&doc);
	free(sspec);
	free(pspec);
	e2e_end_gw(g, true);
}

/* The kiosk's own log after a whole payment (the log is in the harness's
 * temp dir, read before the kiosk goes). */
Test(pay_attack, log_has_no_account_nor_pay_code)
{
	const char *fifo = scratch_file("scan5.fifo");
	char *sspec = e2e_fmt("fifo:%s", fifo);
	const char *extra[] = { "--scanner", sspec, NULL };
	struct gwd *g = e2e_start_gateway(NULL);
	struct harness *h = e2e_start_home(g, gwd_url(g), COLS, ROWS, extra, WAIT_MS);
	pay_to_bills(h, g, ACCOUNT_3);
	pay_bill(h, g, 1, "pay");
	e2e_fifo_send(h, g, fifo, PAY_CODE_OK, WAIT_MS);
	e2e_expect(h, g, T_PAID, WAIT_MS, "paid by pay code");
	pump(h, 1000);
	E2E_CHECK(h, g, e2e_log_count(h, ACCOUNT_3) == 0, "the full account number is in the log");
	E2E_CHECK(h, g, e2e_log_count(h, PAY_CODE_OK) == 0, "the pay code is in the log");
	E2E_CHECK(h, g, e2e_log_count(h, "payment: success") == 1, "success logged %d times",
	          e2e_log_count(h, "payment: success"));
	free(sspec);
	end_all(h, g);
}

/* ---- more late replies, and what the citizen sees after them --------------------------------- */

#define T_REFUSED "这笔支付无法在本机显示"
#define T_IN_PROGRESS "该账单正在支付中"

/* Found broken by the attack (a race), fixed since: a spoiled payload is
 * refused and the citizen leaves at once (Esc) while the kiosk's quiet
 * cancel of that payment (REQ_CANCEL_QUIET) is still on its way. The
 * cancel is the screen's request (ui_post), so leaving the screen aborts it
 * (gw_cancel_owner), and pay_leave() only calls reconcile_kick() for
 * ST_SHOWING/ST_CREATING, not ST_STOPPED: the refused payment stays open at
 * the gateway (seen: "the refused payment is still open at the gateway (1
 * open)" 10 s later) and its outbox entry unfinished until some later kick,
 * which only polls it to expiry. The issue asks that a refused payload's
 * payment be cancelled at the gateway. Expected: the quiet cancel is owned
 * by the app (like reconcile.c's requests) or reconcile cancels entries
 * whose payload was refused. */
Test(pay_attack, spoiled_then_left_at_once)
{
	struct gwd *g = e2e_start_gateway(NULL);
	struct harness *h = e2e_start_home(g, gwd_url(g), COLS, ROWS, NULL, WAIT_MS);
	pay_to_bills(h, g, ACCOUNT_3);
	pay_expect_bills(h, g, "bills");
	e2e_set_faults(g, "{\"latency_ms\":1500,\"paths\":[\"/v1/payments\"],\"payment\":\"qr_amount\"}");
	press_pay(h, g, 1, "pay: a spoiled payload");
	e2e_expect(h, g, T_REFUSED, WAIT_MS, "refused");
	h_key(h, H_ESC);
	e2e_expect_row(h, g, 0, T_WATER, WAIT_MS, "left at once");
	pump(h, 3000);
	e2e_set_faults(g, "{}");
	pump(h, 7000); /* a reconciler's pass, if any */
	E2E_CHECK(h, g, pay_n_in_state(g, "created") + pay_n_in_state(g, "pending") == 0,
	          "the refused payment is still open at the gateway (%d open)",
	          pay_n_in_state(g, "created") + pay_n_in_state(g, "pending"));
	pay_bill(h, g, 1, "the same bill again");
	end_all(h, g);
}

/* The idle timeout waits while a payment is open (the citizen may be
 * confirming on the phone): paid, the screen says so, and only then does
 * the idle time count, taking the kiosk home. */
Test(pay_attack, idle_waits_for_an_open_payment)
{
	const char *extra[] = { "--idle-timeout", "6", NULL };
	struct gwd *g = e2e_start_gateway(NULL);
	struct harness *h = e2e_start_home(g, gwd_url(g), COLS, ROWS, extra, WAIT_MS);
	pay_to_bills(h, g, ACCOUNT_3);
	pay_bill(h, g, 1, "pay");
	char id[64];
	pay_last_id(g, id, sizeof id);
	pump(h, 9000);
	E2E_CHECK(h, g, e2e_row_has(h, 0, T_PAY_TITLE), "the idle timeout left an open payment");
	pay_sim_pay(g, id);
	e2e_expect(h, g, T_PAID, WAIT_MS, "paid: shown");
	e2e_expect_row(h, g, 0, E2E_T_HOME, 15000, "then the idle timeout goes home");
	E2E_CHECK(h, g, pay_n_payments(g) == 1, "%zu payments", pay_n_payments(g));
	end_all(h, g);
}

/* The cancel itself lost to the network (the gateway gone): never
 * "cancelled" nor "failed" on screen; the gateway back, the payment paid:
 * paid. */
Test(pay_attack, cancel_with_the_gateway_gone)
{
	struct gwd *g = e2e_start_gateway(NULL);
	struct harness *h = e2e_start_home(g, gwd_url(g), COLS, ROWS, NULL, WAIT_MS);
	forbid(T_CANCELLED, T_FAILED, NULL);
	pay_to_bills(h, g, ACCOUNT_3);
	pay_bill(h, g, 1, "pay");
	char id[64];
	pay_last_id(g, id, sizeof id);
	gwd_kill(g);
	h_key(h, H_ESC);
	e2e_expect(h, g, T_ASK_CANCEL, WAIT_MS, "Esc asks");
	h_type(h, "1");
	pump(h, 4000);
	e2e_clean(h, g, "the cancel could not be sent");
	E2E_CHECK(h, g, e2e_row_has(h, 0, T_PAY_TITLE), "the payment screen was left");
	cr_assert(restart_same_port(g), "the gateway did not come back");
	pay_sim_pay(g, id);
	e2e_expect(h, g, T_PAID, 25000, "paid");
	end_all(h, g);
}

/* The terminal resized while the QR shows (to one too small for it, then
 * back): no crash, never a QR that reads as anything else than the
 * payment's payload for the bill's amount. */
Test(pay_attack, resize_while_qr_shows)
{
	struct gwd *g = e2e_start_gateway(NULL);
	struct harness *h = e2e_start_home(g, gwd_url(g), COLS, ROWS, NULL, WAIT_MS);
	pay_to_bills(h, g, ACCOUNT_3);
	pay_bill(h, g, 1, "pay");
	json_t *a = pay_sim_payments(g);
	long long amount = json_integer_value(json_object_get(json_array_get(a, 0), "amount_fen"));
	json_decref(a);
	static const int sizes[][2] = { { 60, 20 }, { 40, 12 }, { 20, 6 }, { 200, 60 }, { 80, 24 }, { COLS, ROWS } };
	for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
		h_resize(h, sizes[i][0], sizes[i][1]);
		h_settle(h, 200, 3000);
		char step[64];
		snprintf(step, sizeof step, "%dx%d", sizes[i][0], sizes[i][1]);
		e2e_clean(h, g, step);
		struct e2e_qr qr;
		if (e2e_find_qr(h, &qr)) {
			enum emv_error e = emv_check(qr.data, amount, NULL);
			E2E_CHECK(h, g, e == EMV_OK, "%s: the QR drawn is no payload for %lld fen: %s", step, amount, qr.data);
		}
	}
	struct e2e_qr qr;
	E2E_CHECK(h, g, e2e_find_qr(h, &qr), "back to %dx%d: no readable QR: %s", COLS, ROWS, qr.why);
	pay_last(g);
	e2e_expect(h, g, T_PAID, WAIT_MS, "paid");
	end_all(h, g);
}

/* outbox.db overwritten with garbage while the kiosk runs, with a QR
 * shown: the payment still ends on paid on screen (the outbox cannot say
 * otherwise), no crash; the next payment is refused in plain words. */
Test(pay_attack, outbox_spoiled_mid_run)
{
	const char *dir = data_dir("data-spoiled");
	const char *extra[] = { "--data-dir", dir, NULL };
	struct gwd *g = e2e_start_gateway(NULL);
	struct harness *h = e2e_start_home(g, gwd_url(g), COLS, ROWS, extra, WAIT_MS);
	forbid(T_FAILED, NULL, NULL);
	pay_to_bills(h, g, ACCOUNT_3);
	pay_bill(h, g, 1, "pay");
	static const char *const files[] = { "outbox.db", "outbox.db-wal", "outbox.db-shm" };
	for (size_t k = 0; k < 3; k++) {
		char *p = e2e_fmt("%s/%s", dir, files[k]);
		FILE *f = fopen(p, "r+");
		if (f) {
			for (int i = 0; i < 8192; i++)
				fputc((i * 7919 + 13) & 0xff, f);
			fclose(f);
		}
		free(p);
	}
	pay_last(g);
	e2e_expect(h, g, T_PAID, WAIT_MS, "paid, whatever the outbox says");
	pump(h, 1500);
	h_key(h, H_ESC);
	e2e_expect_row(h, g, 0, T_WATER, WAIT_MS, "back");
	press_pay(h, g, 2, "the next bill");
	pump(h, 2500);
	e2e_clean(h, g, "the next bill");
	E2E_CHECK(h, g, h_find(h, T_NO_PAYMENTS, NULL, NULL) || h_find(h, T_WAITING, NULL, NULL),
	          "neither refused in plain words nor shown");
	end_all(h, g);
}

/* The same pay code scanned twice in a row (a citizen holding the phone
 * still): one success, the screen says paid. */
Test(pay_attack, pay_code_scanned_twice)
{
	const char *fifo = scratch_file("scan6.fifo");
	char *spec = e2e_fmt("fifo:%s", fifo);
	const char *extra[] = { "--scanner", spec, NULL };
	struct gwd *g = e2e_start_gateway(NULL);
	struct harness *h = e2e_start_home(g, gwd_url(g), COLS, ROWS, extra, WAIT_MS);
	forbid(T_FAILED, T_CANCELLED, NULL);
	pay_to_bills(h, g, ACCOUNT_3);
	pay_bill(h, g, 1, "pay");
	e2e_fifo_send(h, g, fifo, PAY_CODE_OK, WAIT_MS);
	e2e_fifo_send(h, g, fifo, PAY_CODE_OK, WAIT_MS);
	e2e_expect(h, g, T_PAID, WAIT_MS, "paid");
	pump(h, 2000);
	e2e_clean(h, g, "after both answers");
	E2E_CHECK(h, g, h_find(h, T_PAID, NULL, NULL), "paid went away");
	E2E_CHECK(h, g, pay_n_in_state(g, "success") == 1, "%d successes", pay_n_in_state(g, "success"));
	free(spec);
	end_all(h, g);
}

/* ---- hostile strings, a printer that never takes the bytes, a gateway that never answers -------- */

/* The gateway's human-readable strings poisoned with escape sequences, C1
 * controls and bidi overrides (the simulator's evil_strings) on the bills
 * and the payment: nothing drawn raw, the QR still the bill's, the receipt
 * without any of it. */
Test(pay_attack, evil_strings_on_bills_and_payment)
{
	const char *prn = scratch_file("evil.bin");
	unlink(prn);
	char *spec = e2e_fmt("file:%s", prn);
	const char *extra[] = { "--printer", spec, NULL };
	struct gwd *g = e2e_start_gateway(NULL);
	struct harness *h = e2e_start_home(g, gwd_url(g), COLS, ROWS, extra, WAIT_MS);
	forbid("pwned", "[2J", "[31m");
	e2e_set_faults(g, "{\"body\":\"evil_strings\",\"paths\":[\"/v1/bills\",\"/v1/payments\"]}");
	pay_to_bills(h, g, ACCOUNT_3);
	pay_bill(h, g, 1, "pay, evil strings");
	json_t *a = pay_sim_payments(g);
	long long amount = json_integer_value(json_object_get(json_array_get(a, 0), "amount_fen"));
	json_decref(a);
	struct e2e_qr qr;
	E2E_CHECK(h, g, e2e_find_qr(h, &qr) && emv_check(qr.data, amount, NULL) == EMV_OK, "the QR: %s %s", qr.data,
	          qr.why);
	pay_last(g);
	e2e_expect(h, g, T_PAID, WAIT_MS, "paid");
	e2e_expect(h, g, T_PRINTED, WAIT_MS, "printed");
	e2e_set_faults(g, "{}");
	size_t len = 0;
	char *bytes = e2e_slurp(prn, &len);
	cr_assert_not_null(bytes);
	bool debris = false;
	for (size_t i = 0; i + 1 < len; i++)
		if ((bytes[i] == 0x1b && (bytes[i + 1] == '[' || bytes[i + 1] == ']')) ||
		    ((unsigned char)bytes[i] == 0xc2 && (unsigned char)bytes[i + 1] == 0x9b))
			debris = true;
	E2E_CHECK(h, g, !debris && !memmem(bytes, len, "pwned", 5), "the receipt carries the gateway's escapes");
	free(bytes);
	free(spec);
	end_all(h, g);
}

/* Found broken by the attack, fixed since: --printer file:PATH where PATH is a FIFO nobody reads
 * (or any node whose open(2) blocks): printer.c file backend opens it with
 * O_WRONLY|O_APPEND|O_CREAT and no O_NONBLOCK (printer.c:678), on the main
 * loop, so the whole kiosk hangs the moment a receipt prints: the screen
 * freezes on "paid", keys do nothing, SIGTERM is not handled. Expected:
 * O_NONBLOCK (ENXIO: offline) or the open off the loop, the receipt
 * offered on screen, the kiosk responsive. */
Test(pay_attack, printer_file_is_a_fifo)
{
	const char *prn = scratch_file("printer.fifo");
	char pf[900];
	snprintf(pf, sizeof pf, "%s", prn);
	unlink(pf);
	cr_assert(mkfifo(pf, 0600) == 0, "mkfifo: %s", strerror(errno));
	char *spec = e2e_fmt("file:%s", pf);
	const char *extra[] = { "--printer", spec, NULL };
	struct gwd *g = e2e_start_gateway(NULL);
	struct harness *h = e2e_start_home(g, gwd_url(g), COLS, ROWS, extra, WAIT_MS);
	pay_to_bills(h, g, ACCOUNT_3);
	pay_bill(h, g, 1, "pay");
	pay_last(g);
	e2e_expect(h, g, T_PAID, WAIT_MS, "paid");
	pump(h, 2000);
	h_key(h, H_ESC);
	e2e_expect_row(h, g, 0, T_WATER, WAIT_MS, "the kiosk still answers keys");
	free(spec);
	end_all(h, g);
}

/* Found broken by the attack, fixed since: a gateway that takes the create and never answers (here
 * 60 s of latency): scr_pay.c ST_CREATING swallows Esc and Home ("wait for
 * it") through CREATE_TRIES (6) attempts of the 10 s request timeout plus
 * 1+2+4+8+16 s of back-off, about 90 s in which the citizen cannot leave
 * and the screen only says "trying again" (the idle timeout never fires
 * while they press keys). Expected: Esc leaves within a reasonable time
 * (the outbox and reconcile.c already follow an unfinished create), or the
 * tries are bounded in time (say 30 s). */
Test(pay_attack, gateway_that_never_answers_the_create)
{
	struct gwd *g = e2e_start_gateway(NULL);
	struct harness *h = e2e_start_home(g, gwd_url(g), COLS, ROWS, NULL, WAIT_MS);
	pay_to_bills(h, g, ACCOUNT_3);
	pay_expect_bills(h, g, "bills");
	e2e_set_faults(g, "{\"latency_ms\":60000,\"paths\":[\"/v1/payments\"]}");
	press_pay(h, g, 1, "pay, the gateway mute");
	long long t0 = e2e_now_ms();
	bool left = false;
	while (!left && e2e_now_ms() - t0 < 30000) {
		h_key(h, H_ESC);
		pump(h, 1500);
		if (h_find(h, T_ASK_CANCEL, NULL, NULL))
			h_type(h, "1");
		left = e2e_row_has(h, 0, T_WATER) || e2e_row_has(h, 0, E2E_T_HOME);
	}
	E2E_CHECK(h, g, left, "the citizen could not leave the payment screen in 30 s");
	e2e_end_kiosk(h, 5000);
	gwd_kill(g);
	gwd_free(g);
}

/* ---- a failed payment, the ledger command on a bad outbox, a keyboard-wedge burst ---------------- */

/* Failed at the gateway: "failed" shown (a real failure), then the same
 * bill again is a new payment that can be paid; one success, the failure
 * recorded too. */
Test(pay_attack, failed_then_paid_again)
{
	const char *dir = data_dir("data-failed");
	const char *extra[] = { "--data-dir", dir, NULL };
	struct gwd *g = e2e_start_gateway(NULL);
	struct harness *h = e2e_start_home(g, gwd_url(g), COLS, ROWS, extra, WAIT_MS);
	pay_to_bills(h, g, ACCOUNT_3);
	pay_bill(h, g, 1, "pay");
	char id[64];
	pay_last_id(g, id, sizeof id);
	char *path = e2e_fmt("/sim/payments/%s/fail", id);
	json_decref(e2e_post_json(g, path, NULL, 200));
	free(path);
	e2e_expect(h, g, T_FAILED, WAIT_MS, "failed at the gateway: said");
	h_settle(h, 150, 2000);
	struct e2e_qr qr;
	E2E_CHECK(h, g, !e2e_find_qr(h, &qr) && qr.cols == 0, "a QR after the failure");
	forbid(T_FAILED, NULL, NULL);
	h_key(h, H_ESC);
	e2e_expect_row(h, g, 0, T_WATER, WAIT_MS, "back");
	pay_bill(h, g, 1, "the same bill again");
	char id2[64];
	pay_last_id(g, id2, sizeof id2);
	E2E_CHECK(h, g, strcmp(id, id2) != 0, "the failed payment was shown again");
	pay_sim_pay(g, id2);
	e2e_expect(h, g, T_PAID, WAIT_MS, "paid");
	E2E_CHECK(h, g, pay_n_in_state(g, "success") == 1, "%d successes", pay_n_in_state(g, "success"));
	pump(h, 500);
	char *l = ledger(dir);
	E2E_CHECK(h, g, pay_count_of(l, "success") == 1 && pay_count_of(l, "failed") == 1,
	          "the ledger does not hold one failure and one success:\n%s", l);
	free(l);
	end_all(h, g);
}

/* kiosk --ledger on a data dir whose outbox is garbage, a directory, or
 * that does not exist: a clear error on stderr and a non-zero status, no
 * crash, no sanitizer report. */
Test(pay_attack, ledger_command_on_a_bad_outbox)
{
	static const char *const kinds[] = { "garbage", "directory", "missing" };
	for (size_t k = 0; k < 3; k++) {
		char dir[900];
		snprintf(dir, sizeof dir, "%s", scratch_file(kinds[k]));
		e2e_rm_rf(dir);
		if (k != 2) {
			cr_assert(mkdir(dir, 0700) == 0);
			char *db = e2e_fmt("%s/outbox.db", dir);
			if (k == 0) {
				FILE *f = fopen(db, "w");
				cr_assert_not_null(f);
				for (int i = 0; i < 4096; i++)
					fputc((i * 7919) & 0xff, f);
				fclose(f);
			} else {
				cr_assert(mkdir(db, 0700) == 0);
			}
			free(db);
		}
		char *out = e2e_fmt("%s/ledger-%s.txt", scratch_file("."), kinds[k]);
		char *asan = e2e_fmt("%s/ledger-%s.asan", scratch_file("."), kinds[k]);
		char *cmd = e2e_fmt("ASAN_OPTIONS=log_path='%s' '%s' --ledger --data-dir '%s' > '%s' 2>&1", asan,
		                    h_kiosk_bin(), dir, out);
		int st = system(cmd);
		char *text = e2e_slurp_str(out);
		cr_expect(WIFEXITED(st) && WEXITSTATUS(st) != 0 && WEXITSTATUS(st) < 128,
		          "%s: kiosk --ledger exit status %#x:\n%s", kinds[k], st, text);
		cr_expect(strlen(text) > 0 && strlen(text) < 2000, "%s: no clear message:\n%s", kinds[k], text);
		char *ls = e2e_fmt("ls '%s'.* > /dev/null 2>&1", asan);
		cr_expect(system(ls) != 0, "%s: a sanitizer report (%s.*)", kinds[k], asan);
		free(ls);
		free(text);
		free(cmd);
		free(asan);
		free(out);
	}
}

/* A keyboard-wedge scanner "types" a real log-in code and Enter in one
 * burst while the QR shows: a pay code attempt at most, never a log-in,
 * the payment screen stays. */
Test(pay_attack, wedge_login_code_while_qr_shows)
{
	struct gwd *g = e2e_start_gateway(NULL);
	const char *wedge[] = { "--wedge", "on", NULL }; /* the detector is opt-in */
	struct harness *h = e2e_start_home(g, gwd_url(g), COLS, ROWS, wedge, WAIT_MS);
	pay_to_bills(h, g, ACCOUNT_3);
	pay_bill(h, g, 1, "pay");
	char code[200];
	e2e_citizen_code(g, "cit-zhang", code, sizeof code);
	char *burst = e2e_fmt("%s\r", code);
	h_type(h, burst);
	free(burst);
	pump(h, 2500);
	e2e_clean(h, g, "after the burst");
	E2E_CHECK(h, g, e2e_log_count(h, "session: started") == 0, "a wedge burst logged in while paying");
	E2E_CHECK(h, g, e2e_row_has(h, 0, T_PAY_TITLE), "the payment screen was left");
	E2E_CHECK(h, g, !h_find(h, T_CANCELLED, NULL, NULL), "the burst's digits cancelled the payment");
	E2E_CHECK(h, g, e2e_log_count(h, code) == 0, "the log-in code is in the log");
	E2E_CHECK(h, g, pay_n_in_state(g, "created") == 1, "the payment is no longer open");
	pay_last(g);
	e2e_expect(h, g, T_PAID, WAIT_MS, "paid");
	end_all(h, g);
}

/* ---- a create refused for good; keys typed ahead of the confirm page ----------------------------- */

/* Pays bill 1 of ACCOUNT_3 as another kiosk would, behind this one's back. */
static void paid_elsewhere(struct gwd *g, const char *bill_id, const char *key)
{
	char *idem = e2e_fmt("Idempotency-Key: %s", key);
	const char *hdr[] = { "X-Kiosk-Id: other-kiosk", idem, NULL };
	char *body = e2e_fmt("{\"bill_id\":\"%s\"}", bill_id);
	char *resp = NULL;
	int st = gwd_request_h(g, "POST", "/v1/payments", hdr, body, &resp);
	cr_assert_eq(st, 201, "the other kiosk's create: %d %s", st, resp ? resp : "");
	json_t *j = json_loads(resp, 0, NULL);
	cr_assert_not_null(j);
	pay_sim_pay(g, json_string_value(json_object_get(j, "id")));
	json_decref(j);
	free(resp);
	free(body);
	free(idem);
}

/* Every bill of an account paid at another kiosk; returns how many. */
static int pay_all_elsewhere(struct gwd *g, const char *account)
{
	const char *hdr[] = { "X-Kiosk-Id: other-kiosk", NULL };
	char *path = e2e_fmt("/v1/bills?type=water&account=%s", account);
	char *resp = NULL;
	int st = gwd_request_h(g, "GET", path, hdr, NULL, &resp);
	cr_assert_eq(st, 200, "%s: %d %s", path, st, resp ? resp : "");
	json_t *j = json_loads(resp, 0, NULL);
	cr_assert_not_null(j, "%s: %s", path, resp);
	json_t *bills = json_object_get(j, "bills"), *b;
	cr_assert(json_array_size(bills) > 0, "%s: no bills: %s", path, resp);
	size_t i;
	json_array_foreach(bills, i, b) {
		char key[48];
		snprintf(key, sizeof key, "6f1c2d3e-4b5a-4c6d-8e7f-0a1b2c3d4e%02x", (unsigned)(i & 0xff));
		paid_elsewhere(g, json_string_value(json_object_get(b, "id")), key);
	}
	int n = (int)json_array_size(bills);
	json_decref(j);
	free(resp);
	free(path);
	return n;
}

/* Found broken by the attack, fixed since: the bill on the list was paid at another kiosk meanwhile;
 * picking it, the gateway refuses the create for good (409
 * bill_already_paid) and the screen says so, but scr_pay.c create_failed
 * never records the refusal in the outbox (include/outbox.h says a create
 * refused for good is recorded as PAY_FAILED; nothing calls it). The entry
 * stays "not final" for ever: at the next start reconcile.c re-POSTs it,
 * gets the stored 409 again, ignores it (on_answer returns on anything but
 * GW_OK) and schedules another pass every RECONCILE_MS: a POST every 5 s
 * for ever, and `kiosk --ledger` lists a payment that is never final. */
Test(pay_attack, create_refused_for_good_is_final)
{
	const char *dir = data_dir("data-refused");
	const char *extra[] = { "--data-dir", dir, NULL };
	struct gwd *g = e2e_start_gateway(NULL);
	struct harness *h = e2e_start_home(g, gwd_url(g), COLS, ROWS, extra, WAIT_MS);
	pay_to_bills(h, g, ACCOUNT_3);
	pay_expect_bills(h, g, "the bills");
	int n = pay_all_elsewhere(g, ACCOUNT_3);
	press_pay(h, g, 1, "a bill paid elsewhere meanwhile");
	e2e_expect(h, g, "账单已缴清", WAIT_MS, "refused: already paid, said");
	E2E_CHECK(h, g, pay_n_in_state(g, "success") == n, "%d successes", pay_n_in_state(g, "success"));
	e2e_end_kiosk(h, 5000);
	h = e2e_start_home(g, gwd_url(g), COLS, ROWS, extra, WAIT_MS);
	pump(h, 16000);
	int posts = e2e_log_lines(h, "POST /v1/payments");
	E2E_CHECK(h, g, posts <= 1, "the refused create was sent %d times after the restart", posts);
	char *l = ledger(dir);
	E2E_CHECK(h, g, pay_count_of(l, "0 not final") == 1, "the refused create is not final in the ledger:\n%s", l);
	free(l);
	end_all(h, g);
}

/* FINDING (disabled, low: no money moves without the citizen's phone): "1"
 * pressed twice on the bill list (a double press on the keypad, 60 ms
 * apart): the second press lands on the confirm page (scr_pay.c pay_key,
 * ST_CONFIRM takes '1') before it was ever drawn, and the payment is
 * created and its QR shown without the citizen having seen "check the
 * amount, then press 1". Expected: keys typed ahead of a new screen (within
 * a few hundred ms of its first paint) do not start a payment. */
Test(pay_attack, double_press_on_the_bill_list)
{
	struct gwd *g = e2e_start_gateway(NULL);
	struct harness *h = e2e_start_home(g, gwd_url(g), COLS, ROWS, NULL, WAIT_MS);
	pay_to_bills(h, g, ACCOUNT_3);
	pay_expect_bills(h, g, "the bills");
	h_type(h, "1");
	nap(60);
	h_type(h, "1");
	pump(h, 2500);
	e2e_clean(h, g, "after the double press");
	E2E_CHECK(h, g, pay_n_payments(g) == 0, "a payment started from a key pressed ahead of the confirm page");
	E2E_CHECK(h, g, h_find(h, T_CONFIRM, NULL, NULL), "the confirm page is not shown");
	end_all(h, g);
}

/* ---- shutting down at every step ------------------------------------------------------------------ */

/* SIGTERM (the kiosk being shut down by staff or systemd) at every step of
 * a payment, with requests in flight: exit 0, no sanitizer report (no
 * use-after-free of a screen or of a reconciler's slot), and the next start
 * follows the payment: one payment at the gateway, paid once in the
 * ledger. */
Test(pay_attack, sigterm_at_every_step)
{
	const char *dir = data_dir("data-term");
	const char *prn = scratch_file("term.bin");
	unlink(prn);
	char *spec = e2e_fmt("file:%s", prn);
	const char *extra[] = { "--data-dir", dir, "--printer", spec, NULL };
	struct gwd *g = e2e_start_gateway(NULL);
	static const char *const steps[] = { "bills loading", "creating", "QR shown", "cancel in flight",
	                                     "reconciling" };
	for (size_t k = 0; k < sizeof steps / sizeof steps[0]; k++) {
		struct harness *h = e2e_start_home(g, gwd_url(g), COLS, ROWS, extra, WAIT_MS);
		switch (k) {
		case 0:
			e2e_set_faults(g, "{\"latency_ms\":3000,\"paths\":[\"/v1/bills\"]}");
			pay_to_bills(h, g, ACCOUNT_3);
			pump(h, 500);
			break;
		case 1:
			pay_to_bills(h, g, ACCOUNT_3);
			pay_expect_bills(h, g, steps[k]);
			e2e_set_faults(g, "{\"latency_ms\":3000,\"paths\":[\"/v1/payments\"]}");
			press_pay(h, g, 1, steps[k]);
			pump(h, 500);
			break;
		case 2:
			pay_to_bills(h, g, ACCOUNT_3);
			pay_bill(h, g, 1, steps[k]);
			break;
		case 3: {
			pay_to_bills(h, g, ACCOUNT_3);
			pay_bill(h, g, 1, steps[k]);
			e2e_set_faults(g, "{\"latency_ms\":3000,\"paths\":[\"/v1/payments\"]}");
			h_key(h, H_ESC);
			e2e_expect(h, g, T_ASK_CANCEL, WAIT_MS, steps[k]);
			h_type(h, "2"); /* no: keep it, but a poll is in flight */
			pump(h, 2500);
			break;
		}
		case 4:
			e2e_set_faults(g, "{\"latency_ms\":3000,\"paths\":[\"/v1/payments\"]}");
			pump(h, 1000);
			break;
		}
		kill(h_pid(h), SIGTERM);
		int st = -1;
		char rep[1024] = "";
		H_ASSERT(h, h_wait_exit(h, 10000, &st) == 0, "%s: the kiosk did not exit on SIGTERM", steps[k]);
		H_ASSERT(h, WIFEXITED(st) && WEXITSTATUS(st) == 0, "%s: exit status %#x", steps[k], st);
		H_ASSERT(h, h_sanitizer_clean(h, rep, sizeof rep), "%s: sanitizer report: %s", steps[k], rep);
		h_free(h);
		e2e_set_faults(g, "{}");
		nap(3200); /* requests the gateway was still sleeping on */
	}
	cr_assert(pay_n_payments(g) == 1, "%zu payments at the gateway, not 1", pay_n_payments(g));
	pay_last(g);
	struct harness *h = e2e_start_home(g, gwd_url(g), COLS, ROWS, extra, WAIT_MS);
	E2E_CHECK(h, g, e2e_wait_log(h, "receipt: printed", 15000), "the receipt was not printed after the restart");
	e2e_end_kiosk(h, 5000);
	char *l = ledger(dir);
	cr_assert(pay_count_of(l, "success") == 1, "the ledger has %d successes:\n%s", pay_count_of(l, "success"), l);
	free(l);
	cr_assert(receipts_cut(prn) == 1, "%d receipts, not 1", receipts_cut(prn));
	free(spec);
	e2e_end_gw(g, true);
}

/* ---- a spoiled payload in a later answer ----------------------------------------------------------- */

#define PAY_CODE_PENDING "135555555555555555" /* the gateway's demo code that leaves it pending */

/* Found broken by the attack, fixed since: the QR drawn is checked once, on the create's answer;
 * a later answer (a poll, or the scan's) that changes the state carries a
 * qr_payload too, and scr_pay.c got_state() takes it in place of the one
 * that passed emv_check (it keeps the old only when the new is absent);
 * pay_resize() then draws P->p.qr_payload because P->qr_ok is still true.
 * Here: the QR shows, the gateway starts spoiling the payload in its
 * answers (amount changed, CRC correct), the citizen's app leaves the
 * payment pending (demo code 135555555555555555): the QR on screen is
 * redrawn with the spoiled payload, another amount than the bill's.
 * Expected: the payload shown never changes after emv_check (or is checked
 * again and refused). */
Test(pay_attack, spoiled_payload_in_a_later_answer)
{
	const char *fifo = scratch_file("scan7.fifo");
	char *spec = e2e_fmt("fifo:%s", fifo);
	const char *extra[] = { "--scanner", spec, NULL };
	struct gwd *g = e2e_start_gateway(NULL);
	struct harness *h = e2e_start_home(g, gwd_url(g), COLS, ROWS, extra, WAIT_MS);
	pay_to_bills(h, g, ACCOUNT_3);
	pay_bill(h, g, 1, "pay");
	json_t *a = pay_sim_payments(g);
	long long amount = json_integer_value(json_object_get(json_array_get(a, 0), "amount_fen"));
	json_decref(a);
	e2e_set_faults(g, "{\"paths\":[\"/v1/payments/\"],\"payment\":\"qr_amount\"}");
	e2e_fifo_send(h, g, fifo, PAY_CODE_PENDING, WAIT_MS);
	e2e_expect(h, g, "正在处理支付", WAIT_MS, "pending: said");
	pump(h, 2500);
	h_settle(h, 150, 2000);
	struct e2e_qr qr;
	if (e2e_find_qr(h, &qr)) {
		enum emv_error e = emv_check(qr.data, amount, NULL);
		E2E_CHECK(h, g, e == EMV_OK, "a spoiled payload is drawn (%s for %lld fen): %s", emv_error_name(e), amount,
		          qr.data);
	}
	e2e_set_faults(g, "{}");
	free(spec);
	end_all(h, g);
}

/* ---- a receipt offered on screen is not printed later for someone else ---------------------------- */

/* FINDING (disabled; a question for the lead as much as a bug): the printer
 * was out of paper, so the citizen was offered the receipt as a QR on
 * screen and left. The receipt stays "not printed" in the outbox, and
 * reconcile.c print_one() prints every such receipt at the next
 * reconcile_kick(): at the next start (here), or in the same run as soon as
 * any payment screen is left mid-payment, that is, in the middle of the
 * next citizen's session, who then takes home a stranger's receipt (payee,
 * amount, masked account, time). Its comment says it is for "payments that
 * succeeded while no screen showed them", which this one was not.
 * Expected: a receipt offered on screen is marked as such and never printed
 * unattended (or only on staff request). */
Test(pay_attack, paper_out_receipt_not_printed_later)
{
	const char *dir = data_dir("data-paper");
	const char *prn = scratch_file("paper.bin");
	unlink(prn);
	char *status = e2e_fmt("%s.status", prn);
	FILE *f = fopen(status, "w");
	cr_assert_not_null(f);
	fputs("paper_out\n", f);
	fclose(f);
	char *spec = e2e_fmt("file:%s", prn);
	const char *extra[] = { "--printer", spec, "--data-dir", dir, NULL };
	struct gwd *g = e2e_start_gateway(NULL);
	struct harness *h = e2e_start_home(g, gwd_url(g), COLS, ROWS, extra, WAIT_MS);
	pay_to_bills(h, g, ACCOUNT_3);
	pay_bill(h, g, 1, "pay");
	pay_last(g);
	e2e_expect(h, g, T_PAID, WAIT_MS, "paid");
	e2e_expect(h, g, "打印机缺纸", WAIT_MS, "paper out: the receipt offered on screen");
	e2e_end_kiosk(h, 5000);
	unlink(status); /* staff put paper in */
	h = e2e_start_home(g, gwd_url(g), COLS, ROWS, extra, WAIT_MS);
	pump(h, 5000);
	E2E_CHECK(h, g, receipts_cut(prn) == 0, "the receipt offered on screen was printed later, unattended");
	free(status);
	free(spec);
	end_all(h, g);
}

/* After a bill is paid, Esc goes back to the bill list: the paid bill is no
 * longer offered (picking it again would be a create the gateway refuses).
 * (Holds.) */
Test(pay_attack, paid_bill_leaves_the_list)
{
	struct gwd *g = e2e_start_gateway(NULL);
	struct harness *h = e2e_start_home(g, gwd_url(g), COLS, ROWS, NULL, WAIT_MS);
	pay_to_bills(h, g, ACCOUNT_3);
	pay_expect_bills(h, g, "the bills");
	int col, row;
	cr_assert(h_find(h, "元", &col, &row)); /* the first bill's amount */
	char *before = h_row_text(h, row);
	pay_bill(h, g, 1, "pay bill 1");
	pay_last(g);
	e2e_expect(h, g, T_PAID, WAIT_MS, "paid");
	h_key(h, H_ESC);
	e2e_expect_row(h, g, 0, T_WATER, WAIT_MS, "back to the list");
	pump(h, 1500);
	char *after = h_row_text(h, row);
	E2E_CHECK(h, g, strcmp(before, after) != 0, "the paid bill is still offered: %s", after);
	free(before);
	free(after);
	end_all(h, g);
}

/* ---- answers to the polls spoiled; a gateway that forgot the payment ------------------------------ */

/* Every kind of bad answer to the polls, one after the other (malformed
 * JSON, a captive portal's HTML, wrong types, evil strings, 500, 503):
 * never "failed", "cancelled" or "expired", nothing drawn raw, no crash;
 * the answers good again and the payment paid: paid. */
Test(pay_attack, poll_answers_spoiled_then_paid)
{
	struct gwd *g = e2e_start_gateway(NULL);
	struct harness *h = e2e_start_home(g, gwd_url(g), COLS, ROWS, NULL, WAIT_MS);
	pay_to_bills(h, g, ACCOUNT_3);
	pay_bill(h, g, 1, "pay");
	forbid(T_FAILED, T_CANCELLED, T_EXPIRED);
	static const char *const faults[] = {
		"{\"body\":\"malformed\",\"paths\":[\"/v1/payments/\"]}",
		"{\"body\":\"html\",\"paths\":[\"/v1/payments/\"]}",
		"{\"body\":\"wrong_types\",\"paths\":[\"/v1/payments/\"]}",
		"{\"body\":\"evil_strings\",\"paths\":[\"/v1/payments/\"]}",
		"{\"body\":\"huge\",\"paths\":[\"/v1/payments/\"]}",
		"{\"status\":500,\"paths\":[\"/v1/payments/\"]}",
		"{\"status\":503,\"paths\":[\"/v1/payments/\"]}",
	};
	for (size_t i = 0; i < sizeof faults / sizeof faults[0]; i++) {
		e2e_set_faults(g, faults[i]);
		pump(h, 4500);
		e2e_clean(h, g, faults[i]);
		E2E_CHECK(h, g, e2e_row_has(h, 0, T_PAY_TITLE), "%s: the payment screen was left", faults[i]);
	}
	e2e_set_faults(g, "{}");
	pay_last(g);
	e2e_expect(h, g, T_PAID, 20000, "paid once the answers are good again");
	end_all(h, g);
}

/* Found broken by the attack, fixed since: the gateway lost the payment (its database restored from
 * before it): every poll answers 404 payment_not_found. scr_pay.c treats
 * any answer but 200 to a poll as a network error ("ask again, later",
 * backing off to 10 s) and reconcile.c the same: the QR is hidden at the
 * countdown, then "The code has expired. Checking how the payment
 * ended..." for ever; the citizen never sees an end, the outbox entry is
 * never final and is polled for ever. Expected: a definite 404 is a final
 * answer (say so, ask staff; the ledger records it as unknown/failed). */
Test(pay_attack, gateway_forgot_the_payment)
{
	const char *gx[] = { "--payment-ttl", "6", NULL };
	struct gwd *g = e2e_start_gateway(gx);
	struct harness *h = e2e_start_home(g, gwd_url(g), COLS, ROWS, NULL, WAIT_MS);
	pay_to_bills(h, g, ACCOUNT_3);
	pay_bill(h, g, 1, "pay");
	gwd_kill(g);
	char *rm = e2e_fmt("rm -f '%s'/gw.db*", gwd_tmpdir(g));
	e2e_sh(rm);
	free(rm);
	char listen[64];
	snprintf(listen, sizeof listen, "127.0.0.1:%d", gwd_port(g));
	const char *args[] = { "--listen", listen, "--demo", "--payment-ttl", "6", NULL };
	cr_assert(gwd_restart(g, args), "the gateway did not come back");
	pump(h, 25000);
	e2e_clean(h, g, "after the gateway forgot");
	E2E_CHECK(h, g, !h_find(h, "正在确认支付结果", NULL, NULL) && !h_find(h, T_WAITING, NULL, NULL),
	          "no end shown for a payment the gateway does not know");
	end_all(h, g);
}

/* Two kiosks on one data dir pay the same bill at the same moment: one
 * payment at the gateway (the outbox gives both the same key, or the
 * gateway refuses the second), each screen ends on paid or in plain words,
 * one receipt. */
Test(pay_attack, two_kiosks_one_data_dir_same_bill)
{
	const char *dir = data_dir("data-same-bill");
	const char *prn = scratch_file("samebill.bin");
	unlink(prn);
	char *spec = e2e_fmt("file:%s", prn);
	const char *extra[] = { "--data-dir", dir, "--printer", spec, NULL };
	struct gwd *g = e2e_start_gateway(NULL);
	struct harness *h = e2e_start_home(g, gwd_url(g), COLS, ROWS, extra, WAIT_MS);
	struct harness *h2 = e2e_start_home(g, gwd_url(g), COLS, ROWS, extra, WAIT_MS);
	forbid(T_FAILED, NULL, NULL);
	pay_to_bills(h, g, ACCOUNT_3);
	pay_to_bills(h2, g, ACCOUNT_3);
	pay_expect_bills(h, g, "first: bills");
	pay_expect_bills(h2, g, "second: bills");
	h_type(h, "1");
	h_type(h2, "1");
	e2e_expect(h, g, T_CONFIRM, WAIT_MS, "first: confirm");
	h_pump(h, 400); /* a person reads the amount (a press in the first 300 ms is taken for a double tap) */
	e2e_expect(h2, g, T_CONFIRM, WAIT_MS, "second: confirm");
	h_pump(h2, 400); /* a person reads the amount (a press in the first 300 ms is taken for a double tap) */
	h_type(h, "1");
	h_type(h2, "1");
	pump(h, 1500);
	pump(h2, 1500);
	E2E_CHECK(h, g, pay_n_payments(g) == 1, "%zu payments for one bill", pay_n_payments(g));
	pay_last(g);
	pump(h, 4000);
	pump(h2, 4000);
	e2e_clean(h, g, "first");
	e2e_clean(h2, g, "second");
	E2E_CHECK(h, g, h_find(h, T_PAID, NULL, NULL), "the first kiosk does not say paid");
	E2E_CHECK(h2, g, h_find(h2, T_PAID, NULL, NULL) || h_find(h2, T_IN_PROGRESS, NULL, NULL),
	          "the second kiosk says neither paid nor in progress");
	E2E_CHECK(h, g, pay_n_in_state(g, "success") == 1, "%d successes", pay_n_in_state(g, "success"));
	pump(h, 2000);
	E2E_CHECK(h, g, receipts_cut(prn) == 1, "%d receipts, not 1", receipts_cut(prn));
	e2e_end_kiosk(h2, 5000);
	char *l = ledger(dir);
	E2E_CHECK(h, g, pay_count_of(l, "success") == 1, "the ledger has %d successes:\n%s", pay_count_of(l, "success"), l);
	free(l);
	free(spec);
	end_all(h, g);
}

/* "Cancel this payment?" on screen when the payment succeeds: paid is
 * shown, the question goes, and the "1" the citizen then presses cancels
 * nothing. */
Test(pay_attack, paid_while_asking_to_cancel)
{
	struct gwd *g = e2e_start_gateway(NULL);
	struct harness *h = e2e_start_home(g, gwd_url(g), COLS, ROWS, NULL, WAIT_MS);
	forbid(T_CANCELLED, T_FAILED, NULL);
	pay_to_bills(h, g, ACCOUNT_3);
	pay_bill(h, g, 1, "pay");
	h_key(h, H_ESC);
	e2e_expect(h, g, T_ASK_CANCEL, WAIT_MS, "Esc asks");
	pay_last(g);
	e2e_expect(h, g, T_PAID, WAIT_MS, "paid while asking");
	e2e_expect_gone(h, g, T_ASK_CANCEL, WAIT_MS, "the question goes");
	h_type(h, "1");
	pump(h, 2000);
	e2e_clean(h, g, "1 pressed after paid");
	E2E_CHECK(h, g, pay_n_in_state(g, "success") == 1, "not paid at the gateway");
	end_all(h, g);
}

/* FINDING (disabled, minor wording): the countdown reached zero and the
 * gateway cannot say yet how the payment ended (unreachable here): the QR
 * is gone, yet the screen still says "等待支付：请用手机支付App扫描二维码"
 * (scan the QR code) above "二维码已过期，正在确认支付结果……": scr_pay.c
 * pay_draw shows state_words(P->shown) for ST_SHOWING whatever the
 * countdown says. Expected: once the QR is hidden, no words ask the
 * citizen to scan it. */
Test(pay_attack, no_scan_prompt_after_the_countdown)
{
	const char *gx[] = { "--payment-ttl", "4", NULL };
	struct gwd *g = e2e_start_gateway(gx);
	struct harness *h = e2e_start_home(g, gwd_url(g), COLS, ROWS, NULL, WAIT_MS);
	pay_to_bills(h, g, ACCOUNT_3);
	pay_bill(h, g, 1, "pay");
	gwd_kill(g);
	pump(h, 6500);
	e2e_clean(h, g, "after the countdown");
	E2E_CHECK(h, g, !h_find(h, "扫描二维码", NULL, NULL), "the screen asks to scan a QR it no longer shows");
	cr_assert(restart_same_port(g), "the gateway did not come back");
	e2e_expect(h, g, T_EXPIRED, 25000, "expired");
	end_all(h, g);
}

/* The outbox and its WAL/SHM files are the kiosk's alone (mode 0600, the
 * issue's requirement), even when the kiosk is started under umask 0. */
Test(pay_attack, outbox_files_are_private)
{
	const char *dir = data_dir("data-mode");
	const char *extra[] = { "--data-dir", dir, NULL };
	struct gwd *g = e2e_start_gateway(NULL);
	mode_t old = umask(0);
	struct harness *h = e2e_start_home(g, gwd_url(g), COLS, ROWS, extra, WAIT_MS);
	umask(old);
	pay_to_bills(h, g, ACCOUNT_3);
	pay_bill(h, g, 1, "pay");
	static const char *const files[] = { "outbox.db", "outbox.db-wal", "outbox.db-shm" };
	for (size_t k = 0; k < 3; k++) {
		char *p = e2e_fmt("%s/%s", dir, files[k]);
		struct stat st;
		if (stat(p, &st) == 0)
			E2E_CHECK(h, g, (st.st_mode & 077) == 0, "%s has mode %04o", files[k], (unsigned)(st.st_mode & 07777));
		else
			E2E_CHECK(h, g, k != 0, "no %s", p);
		free(p);
	}
	end_all(h, g);
}

/* Resizes on the final screen that offers the receipt as a QR (no
 * printer), and on the confirm page: no crash, clean, and any QR drawn is
 * the receipt's, never the spent payment's. */
Test(pay_attack, resize_on_the_receipt_screen)
{
	struct gwd *g = e2e_start_gateway(NULL);
	struct harness *h = e2e_start_home(g, gwd_url(g), COLS, ROWS, NULL, WAIT_MS);
	pay_to_bills(h, g, ACCOUNT_3);
	pay_expect_bills(h, g, "the bills");
	h_type(h, "1");
	e2e_expect(h, g, T_CONFIRM, WAIT_MS, "confirm");
	h_pump(h, 400); /* a person reads the amount (a press in the first 300 ms is taken for a double tap) */
	h_resize(h, 20, 6);
	h_settle(h, 200, 3000);
	e2e_clean(h, g, "confirm at 20x6");
	h_resize(h, COLS, ROWS);
	e2e_expect(h, g, T_CONFIRM, WAIT_MS, "confirm again");
	h_pump(h, 400); /* a person reads the amount (a press in the first 300 ms is taken for a double tap) */
	h_type(h, "1");
	e2e_expect(h, g, T_WAITING, WAIT_MS, "the QR");
	pay_last(g);
	e2e_expect(h, g, T_PAID, WAIT_MS, "paid");
	static const int sizes[][2] = { { 40, 12 }, { 20, 6 }, { 200, 60 }, { COLS, ROWS } };
	for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
		h_resize(h, sizes[i][0], sizes[i][1]);
		h_settle(h, 200, 3000);
		char step[64];
		snprintf(step, sizeof step, "receipt at %dx%d", sizes[i][0], sizes[i][1]);
		e2e_clean(h, g, step);
		struct e2e_qr qr;
		if (e2e_find_qr(h, &qr))
			E2E_CHECK(h, g, strstr(qr.data, "/r/") && strncmp(qr.data, "000201", 6) != 0, "%s: the QR is %s", step,
			          qr.data);
	}
	e2e_expect(h, g, T_PAID, WAIT_MS, "still paid");
	end_all(h, g);
}

/* Large mode on a small terminal (80x24): the payment QR either reads as
 * the bill's payload or is replaced by plain words (pay code instead);
 * never a QR that is cut or reads as anything else. */
Test(pay_attack, large_mode_small_terminal)
{
	const char *extra[] = { "--mode", "large", NULL };
	struct gwd *g = e2e_start_gateway(NULL);
	struct harness *h = e2e_start_home(g, gwd_url(g), 80, 24, extra, WAIT_MS);
	h_type(h, "5");
	e2e_expect_row(h, g, 0, T_BILLS, WAIT_MS, "5");
	h_type(h, "1");
	e2e_expect_row(h, g, 0, T_WATER, WAIT_MS, "water");
	pay_type_slowly(h, ACCOUNT_3);
	h_key(h, H_ENTER);
	pay_expect_bills(h, g, "bills");
	h_type(h, "1");
	E2E_CHECK(h, g, e2e_wait_log(h, "screen: enter pay", WAIT_MS), "no pay screen");
	h_pump(h, 400); /* a person reads the amount (a press in the first 300 ms is taken for a double tap) */
	pump(h, 500);
	h_type(h, "1");
	E2E_CHECK(h, g, e2e_wait_log(h, "payment: QR code shown", WAIT_MS), "no QR step");
	pump(h, 1000);
	h_settle(h, 200, 3000);
	e2e_clean(h, g, "large, 80x24");
	json_t *a = pay_sim_payments(g);
	long long amount = json_integer_value(json_object_get(json_array_get(a, 0), "amount_fen"));
	json_decref(a);
	struct e2e_qr qr;
	if (e2e_find_qr(h, &qr))
		E2E_CHECK(h, g, emv_check(qr.data, amount, NULL) == EMV_OK, "the QR reads %s", qr.data);
	else
		E2E_CHECK(h, g, qr.cols == 0 && (h_find(h, "付款码", NULL, NULL)),
		          "neither a readable QR nor words about the pay code: %s", qr.why);
	pay_last(g);
	e2e_expect(h, g, T_PAID, WAIT_MS, "paid");
	end_all(h, g);
}
