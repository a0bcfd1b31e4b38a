/* test_pay.c: bills and payments decoded strictly; states never go back. */
#include <criterion/criterion.h>
#include <locale.h>
#include <string.h>

#include "pay.h"

static void init(void) { setlocale(LC_CTYPE, "C.UTF-8"); }
TestSuite(pay, .init = init);

static json_t *J(const char *s)
{
	json_error_t e;
	json_t *j = json_loads(s, JSON_ALLOW_NUL, &e);
	cr_assert_not_null(j, "%s", e.text);
	return j;
}

static int decode_bills(const char *s, struct bill **b, size_t *n, char *err, size_t errlen)
{
	json_t *j = J(s);
	int rc = bills_decode(j, b, n, err, errlen);
	json_decref(j);
	return rc;
}

#define BILL(amount) \
	"{\"id\":\"b1\",\"type\":\"water\",\"payee\":\"市自来水公司\",\"account_masked\":\"3301****5678\"," \
	"\"period\":\"2026-11\",\"amount_fen\":" amount ",\"due_date\":\"2026-12-20\"}"

Test(pay, bills_decode)
{
	struct bill *b;
	size_t n;
	char err[128];
	cr_assert_eq(decode_bills("{\"bills\":[" BILL("4560") "]}", &b, &n, err, sizeof err), 0, "%s", err);
	cr_assert_eq(n, 1);
	cr_assert_str_eq(b[0].payee, "市自来水公司");
	cr_assert_eq(b[0].type, BILL_WATER);
	cr_assert_eq(b[0].amount_fen, 4560);
	struct bill c;
	bill_copy(&c, &b[0]);
	bills_free(b, n);
	cr_assert_str_eq(c.account_masked, "3301****5678");
	bill_free(&c);

	cr_assert_eq(decode_bills("{\"bills\":[]}", &b, &n, err, sizeof err), 0);
	cr_assert_eq(n, 0);
	bills_free(b, n);
}

Test(pay, bills_refused_whole)
{
	static const char *const bad[] = {
		"{\"bills\":[" BILL("0") "]}",        "{\"bills\":[" BILL("-5") "]}",
		"{\"bills\":[" BILL("45.6") "]}",     "{\"bills\":[" BILL("\"4560\"") "]}",
		"{\"bills\":[" BILL("10000000000000") "]}",
		"{\"bills\":{}}",                     "[]",
		"{\"bills\":[{\"id\":\"b1\",\"type\":\"tax\",\"payee\":\"x\",\"account_masked\":\"1\",\"amount_fen\":1}]}",
		"{\"bills\":[" BILL("1") ",7]}",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct bill *b = (void *)1;
		size_t n = 9;
		char err[128] = "";
		cr_expect_eq(decode_bills(bad[i], &b, &n, err, sizeof err), -1, "accepted: %s", bad[i]);
		cr_expect_null(b);
		cr_expect_eq(n, 0);
		cr_expect(err[0], "no message for %s", bad[i]);
	}
}

Test(pay, bill_text_is_sanitized)
{
	struct bill *b;
	size_t n;
	char err[128];
	cr_assert_eq(decode_bills("{\"bills\":[{\"id\":\"b1\",\"type\":\"gas\",\"payee\":\"\\u001b[2J燃气\\u0007\","
	                          "\"account_masked\":\"12****34\",\"amount_fen\":1}]}",
	                          &b, &n, err, sizeof err),
	             0, "%s", err);
	cr_assert_null(strchr(b[0].payee, 0x1b));
	cr_assert_null(strchr(b[0].payee, 0x07));
	bills_free(b, n);
}

Test(pay, account_numbers)
{
	cr_assert(account_valid("123456", 6));
	cr_assert(account_valid("12345678901234567890", 20));
	cr_assert_not(account_valid("12345", 5));
	cr_assert_not(account_valid("123456789012345678901", 21));
	cr_assert_not(account_valid("12345a", 6));
	cr_assert_not(account_valid("123 456", 7));
	cr_assert_not(account_valid("\x1b[31m123456", 11));
}

Test(pay, states_never_go_back)
{
	cr_assert_eq(pay_state_next(PAY_UNKNOWN, PAY_CREATED), PAY_CREATED);
	cr_assert_eq(pay_state_next(PAY_CREATED, PAY_PENDING), PAY_PENDING);
	cr_assert_eq(pay_state_next(PAY_PENDING, PAY_CREATED), PAY_PENDING);
	cr_assert_eq(pay_state_next(PAY_SUCCESS, PAY_PENDING), PAY_SUCCESS);
	cr_assert_eq(pay_state_next(PAY_SUCCESS, PAY_CANCELLED), PAY_SUCCESS);
	cr_assert_eq(pay_state_next(PAY_CANCELLED, PAY_SUCCESS), PAY_CANCELLED);
	cr_assert_eq(pay_state_next(PAY_PENDING, PAY_SUCCESS), PAY_SUCCESS);
	cr_assert_eq(pay_state_next(PAY_PENDING, PAY_EXPIRED), PAY_EXPIRED);
	for (int s = PAY_UNKNOWN; s <= PAY_EXPIRED; s++) {
		cr_assert_eq(pay_state_parse(pay_state_name((enum pay_state)s)), s == PAY_UNKNOWN ? -1 : s);
		cr_assert_eq(pay_state_final((enum pay_state)s), s >= PAY_SUCCESS);
	}
	cr_assert_eq(pay_state_parse("paid"), -1);
	cr_assert_eq(pay_state_parse(NULL), -1);
}

Test(pay, payment_decode)
{
	json_t *j = J("{\"id\":\"p1\",\"amount_fen\":4560,\"currency\":\"CNY\",\"payee\":\"水务\",\"state\":\"success\","
	              "\"qr_payload\":\"000201\",\"expires_at\":\"2026-12-03T04:05:06Z\","
	              "\"receipt\":{\"no\":\"R001\",\"paid_at\":\"2026-12-03T04:01:00Z\",\"verify_url\":\"https://x/r/R001\"}}");
	struct payment p;
	char err[128];
	cr_assert_eq(payment_decode(j, &p, err, sizeof err), 0, "%s", err);
	json_decref(j);
	cr_assert_eq(p.state, PAY_SUCCESS);
	cr_assert_eq(p.amount_fen, 4560);
	cr_assert_str_eq(p.receipt_no, "R001");
	cr_assert_str_eq(p.verify_url, "https://x/r/R001");
	cr_assert_str_eq(p.qr_payload, "000201");
	payment_free(&p);
	cr_assert_null(p.id);
}

Test(pay, payment_refused_whole)
{
	static const char *const bad[] = {
		"{\"id\":\"p1\",\"amount_fen\":1,\"currency\":\"USD\",\"state\":\"created\"}",
		"{\"id\":\"p1\",\"amount_fen\":1,\"state\":\"paid\"}",
		"{\"id\":\"p1\",\"amount_fen\":0,\"state\":\"created\"}",
		"{\"id\":\"\",\"amount_fen\":1,\"state\":\"created\"}",
		"{\"amount_fen\":1,\"state\":\"created\"}",
		"{\"id\":\"p1\",\"amount_fen\":1,\"state\":\"created\",\"qr_payload\":7}",
		"{\"id\":\"p1\",\"amount_fen\":1,\"state\":\"created\",\"qr_payload\":\"a\\u0000b\"}",
		"{\"id\":\"p1\",\"amount_fen\":1,\"state\":\"success\",\"receipt\":{}}",
		"{\"id\":\"p1\",\"amount_fen\":1,\"state\":\"success\",\"receipt\":\"R1\"}",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		json_t *j = J(bad[i]);
		struct payment p;
		char err[128] = "";
		cr_expect_eq(payment_decode(j, &p, err, sizeof err), -1, "accepted: %s", bad[i]);
		cr_expect_null(p.id);
		cr_expect(err[0]);
		json_decref(j);
	}
}

Test(pay, times)
{
	cr_assert_eq(pay_time_parse("1970-01-01T00:00:00Z"), 0);
	cr_assert_eq(pay_time_parse("2026-12-03T04:05:06Z"), 1796270706LL);
	cr_assert_eq(pay_time_parse("2026-12-03T04:05:06.123Z"), 1796270706LL);
	cr_assert_eq(pay_time_parse("2026-12-03T04:05:06+00:00"), 1796270706LL);
	cr_assert_eq(pay_time_parse("2026-12-03 04:05:06Z"), -1);
	cr_assert_eq(pay_time_parse("2026-13-03T04:05:06Z"), -1);
	cr_assert_eq(pay_time_parse("2026-12-03T04:05:06+08:00"), -1);
	cr_assert_eq(pay_time_parse(""), -1);
	cr_assert_eq(pay_time_parse(NULL), -1);
}
