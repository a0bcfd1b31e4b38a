/* test_gateway_pay.c: bills and payments in the reference gateway (issue 9
 * item 6), end to end over HTTP against a real gatewayd (harness/gwd.h).
 *
 * What docs/gateway-api.md promises: GET /v1/bills and its demo accounts,
 * POST /v1/payments with a required Idempotency-Key (the first answer again
 * byte for byte, 422 for the same key with another body, kept across a
 * restart), one live payment per bill, payments per kiosk, GET, /scan with
 * the demo payment codes, /cancel (also racing a payment), expiry, the
 * /sim endpoints, and the /sim/faults "payment" faults: every spoiled
 * qr_payload is refused by emv_check (the kiosk's own checker) with the
 * error it stands for, and commit_then_drop leaves one payment that the
 * retry with the same key finds.
 */
#include "e2e.h"
#include "emv.h"
#include "harness/gwd.h"

#include <criterion/criterion.h>
#include <curl/curl.h>
#include <jansson.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define KIOSK      "hall1-k01"
#define OTHER      "hall2-k07"
#define CODE_PAYS  "131234567890123456"
#define CODE_WAIT  "135555555555555555"
#define VERIFY     "https://gov.example.cn/r/"

/* ---- requests ---------------------------------------------------------------- */

/* A random UUID v4 into out. */
static void uuid(char out[37])
{
	unsigned char r[16];
	cr_assert_eq(getrandom(r, sizeof r, 0), (ssize_t)sizeof r);
	r[6] = (unsigned char)((r[6] & 0x0f) | 0x40);
	r[8] = (unsigned char)((r[8] & 0x3f) | 0x80);
	snprintf(out, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
	         r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8], r[9], r[10], r[11], r[12],
	         r[13], r[14], r[15]);
}

/* A request with X-Kiosk-Id kiosk, Idempotency-Key key and Accept-Language
 * lang (each NULL: not sent). The status; *resp the body (to free). */
static int req(struct gwd *g, const char *method, const char *path, const char *kiosk,
               const char *key, const char *lang, const char *body, char **resp)
{
	char h[3][128];
	const char *hs[4];
	size_t n = 0;
	if (kiosk) {
		snprintf(h[n], sizeof h[n], "X-Kiosk-Id: %s", kiosk);
		hs[n] = h[n], n++;
	}
	if (key) {
		snprintf(h[n], sizeof h[n], "Idempotency-Key: %s", key);
		hs[n] = h[n], n++;
	}
	if (lang) {
		snprintf(h[n], sizeof h[n], "Accept-Language: %s", lang);
		hs[n] = h[n], n++;
	}
	hs[n] = NULL;
	return gwd_request_h(g, method, path, hs, body, resp);
}

/* req, asserting the status is want and the answer JSON (returned). */
static json_t *req_json(struct gwd *g, const char *method, const char *path, const char *kiosk,
                        const char *key, const char *lang, const char *body, int want)
{
	char *resp = NULL;
	int st = req(g, method, path, kiosk, key, lang, body, &resp);
	if (st != want)
		gwd_dump(g, stderr);
	cr_assert_eq(st, want, "%s %s: %d %s (wanted %d)", method, path, st, resp, want);
	json_t *j = json_loads(resp, 0, NULL);
	cr_assert_not_null(j, "%s %s: not JSON: %s", method, path, resp);
	free(resp);
	return j;
}

static const char *str(json_t *j, const char *k)
{
	const char *s = json_string_value(json_object_get(j, k));
	return s ? s : "";
}

/* The problem's code is want. */
static void assert_problem(json_t *j, const char *want)
{
	cr_assert_str_eq(str(j, "code"), want, "problem %s, wanted %s", str(j, "code"), want);
	cr_assert(*str(j, "title") && *str(j, "detail"), "no title or detail");
}

/* j (freed) is the 409 problem code for payment id in state. */
static void assert_final(json_t *j, const char *code, const char *id, const char *state)
{
	assert_problem(j, code);
	cr_assert_str_eq(str(j, "state"), state);
	cr_assert_str_eq(str(j, "payment_id"), id);
	json_decref(j);
}

/* POST /v1/payments as kiosk with key, lang and body, asserting want; the
 * answer's bytes (to free). */
static char *post_raw(struct gwd *g, const char *kiosk, const char *key, const char *lang,
                      const char *body, int want)
{
	char *resp = NULL;
	int st = req(g, "POST", "/v1/payments", kiosk, key, lang, body, &resp);
	cr_assert_eq(st, want, "POST /v1/payments %s: %d %s (wanted %d)", body, st, resp, want);
	return resp;
}

/* POST /v1/payments for bill with a new key, asserting want; the key into
 * key_out if not NULL. */
static json_t *create(struct gwd *g, const char *kiosk, const char *bill, int want,
                      char key_out[37])
{
	char key[37], body[128];
	uuid(key);
	if (key_out)
		memcpy(key_out, key, 37);
	snprintf(body, sizeof body, "{\"bill_id\":\"%s\"}", bill);
	return req_json(g, "POST", "/v1/payments", kiosk, key, NULL, body, want);
}

/* GET /v1/payments/{id} as kiosk, asserting 200; the payment. */
static json_t *get_payment(struct gwd *g, const char *kiosk, const char *id)
{
	char *path = e2e_fmt("/v1/payments/%s", id);
	json_t *j = req_json(g, "GET", path, kiosk, NULL, NULL, NULL, 200);
	free(path);
	return j;
}

/* POST /v1/payments/{id}/<what> as kiosk with body, asserting want. */
static json_t *act(struct gwd *g, const char *kiosk, const char *id, const char *what,
                   const char *body, int want)
{
	char *path = e2e_fmt("/v1/payments/%s/%s", id, what);
	json_t *j = req_json(g, "POST", path, kiosk, NULL, NULL, body, want);
	free(path);
	return j;
}

static json_t *scan(struct gwd *g, const char *id, const char *code, int want)
{
	char body[128];
	snprintf(body, sizeof body, "{\"code\":\"%s\"}", code);
	return act(g, KIOSK, id, "scan", body, want);
}

static json_t *sim_json(struct gwd *g, const char *path)
{
	char *resp = NULL;
	int st = gwd_get(g, path, &resp);
	cr_assert_eq(st, 200, "GET %s: %d %s", path, st, resp);
	json_t *j = json_loads(resp, 0, NULL);
	cr_assert_not_null(j);
	free(resp);
	return j;
}

/* How many payments /sim/payments lists for bill. */
static int payments_of(struct gwd *g, const char *bill)
{
	json_t *j = sim_json(g, "/sim/payments"), *p;
	size_t i;
	int n = 0;
	json_array_foreach(json_object_get(j, "payments"), i, p)
		n += !strcmp(str(p, "bill_id"), bill);
	json_decref(j);
	return n;
}

/* The payment's qr_payload passes emv_check with its amount_fen. */
static void assert_qr_ok(json_t *p)
{
	struct emv_info info;
	long long amount = json_integer_value(json_object_get(p, "amount_fen"));
	enum emv_error e = emv_check(str(p, "qr_payload"), amount, &info);
	cr_assert_eq(e, EMV_OK, "emv_check: %s: %s", emv_error_name(e), str(p, "qr_payload"));
	cr_assert_eq(info.amount_fen, amount);
	cr_assert_str_eq(info.reference, str(p, "id"));
}

static struct gwd *start(const char *const extra[])
{
	return e2e_start_gateway(extra);
}

/* SIGTERM: exit 0 and no sanitizer report. */
static void end(struct gwd *g)
{
	gwd_stop(g);
	int st = gwd_status(g);
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
		gwd_dump(g, stderr);
	cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0, "gatewayd exit status %#x", st);
	e2e_end_gw(g, false);
}

/* GET /v1/bills?query in lang (NULL: none), asserting want. */
static json_t *get_bills(struct gwd *g, const char *query, const char *lang, int want)
{
	char *path = e2e_fmt("/v1/bills?%s", query);
	json_t *j = req_json(g, "GET", path, NULL, NULL, lang, NULL, want);
	free(path);
	return j;
}

/* A gateway (extra arguments as for gwd_start) and a payment of bill by
 * KIOSK in it (*p). */
static struct gwd *start_paying(const char *const extra[], const char *bill, json_t **p)
{
	struct gwd *g = start(extra);
	*p = create(g, KIOSK, bill, 201, NULL);
	return g;
}

static void end_paying(struct gwd *g, json_t *p)
{
	json_decref(p);
	end(g);
}

/* ---- bills ------------------------------------------------------------------------ */

Test(gateway_pay, bills_of_an_account)
{
	struct gwd *g = start(NULL);
	json_t *j = get_bills(g, "type=water&account=3101000001", NULL, 200);
	json_t *bills = json_object_get(j, "bills"), *b;
	cr_assert_eq(json_object_size(j), 1, "only bills");
	cr_assert_eq(json_array_size(bills), 3);
	size_t i;
	json_array_foreach(bills, i, b) {
		cr_assert_eq(json_object_size(b), 7, "id type payee account_masked period amount_fen due_date");
		cr_assert_str_eq(str(b, "type"), "water");
		cr_assert_str_eq(str(b, "account_masked"), "******0001");
		cr_assert_str_eq(str(b, "payee"), "示范市自来水有限公司");
		cr_assert(json_integer_value(json_object_get(b, "amount_fen")) > 0);
		cr_assert_eq(strlen(str(b, "due_date")), 10);
		cr_assert(*str(b, "id") && *str(b, "period"));
	}
	cr_assert_str_eq(str(json_array_get(bills, 2), "id"), "bill-w1-2610");
	cr_assert_eq(json_integer_value(json_object_get(json_array_get(bills, 2), "amount_fen")), 4560);
	json_decref(j);

	j = get_bills(g, "type=water&account=3101000001", "zh-TW", 200);
	cr_assert_str_eq(str(json_array_get(json_object_get(j, "bills"), 0), "payee"),
	                 "示範市自來水有限公司");
	json_decref(j);
	j = get_bills(g, "type=gas&account=6600300001", "en", 200);
	cr_assert_str_eq(str(json_array_get(json_object_get(j, "bills"), 0), "payee"),
	                 "Demo City Gas Group Co., Ltd.");
	json_decref(j);
	end(g);
}

Test(gateway_pay, ten_bills_none_and_every_type)
{
	struct gwd *g = start(NULL);
	json_t *j = get_bills(g, "type=water&account=3101000010", NULL, 200);
	cr_assert_eq(json_array_size(json_object_get(j, "bills")), 10);
	json_decref(j);
	/* /sim/accounts lists every type, each with an account with bills and
	 * one without, and what it says matches GET /v1/bills. */
	json_t *acc = sim_json(g, "/sim/accounts"), *a;
	int with[4] = { 0 }, without[4] = { 0 };
	const char *types[] = { "water", "electricity", "gas", "traffic_fine" };
	size_t i;
	json_array_foreach(json_object_get(acc, "accounts"), i, a) {
		char *query = e2e_fmt("type=%s&account=%s", str(a, "type"), str(a, "account"));
		json_t *bl = get_bills(g, query, NULL, 200);
		json_int_t n = json_integer_value(json_object_get(a, "bills"));
		cr_assert_eq((json_int_t)json_array_size(json_object_get(bl, "bills")), n, "%s", query);
		for (int t = 0; t < 4; t++)
			if (!strcmp(types[t], str(a, "type")))
				n ? with[t]++ : without[t]++;
		json_decref(bl);
		free(query);
	}
	for (int t = 0; t < 4; t++)
		cr_assert(with[t] && without[t], "%s: accounts with and without bills", types[t]);
	cr_assert_str_eq(str(json_object_get(acc, "payment_codes"), "pays"), CODE_PAYS);
	json_decref(acc);
	end(g);
}

Test(gateway_pay, bills_unknown_account_and_bad_queries)
{
	struct gwd *g = start(NULL);
	json_t *j = get_bills(g, "type=water&account=3101000099", NULL, 404);
	assert_problem(j, "account_not_found");
	json_decref(j);
	/* The account exists, but not for this type. */
	j = get_bills(g, "type=gas&account=3101000001", "en", 404);
	assert_problem(j, "account_not_found");
	cr_assert_str_eq(str(j, "title"), "Account not found");
	json_decref(j);
	j = get_bills(g, "type=gas&account=3101000099", "zh-TW", 404);
	cr_assert_str_eq(str(j, "title"), "戶號不存在");
	json_decref(j);

	static const struct {
		const char *query, *field;
	} bad[] = {
		{ "type=wine&account=3101000001", "type" },
		{ "account=3101000001", "type" },
		{ "type=water&account=31010abc01", "account" },
		{ "type=water&account=31010", "account" },
		{ "type=water&account=310100000100000000001", "account" },
		{ "type=water&account=%1B%5B2J3101000001", "account" },
		{ "type=water&account=3101000001%0A", "account" },
		{ "type=water", "account" },
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		j = get_bills(g, bad[i].query, NULL, 400);
		assert_problem(j, "bad_query");
		json_t *errs = json_object_get(j, "errors");
		cr_assert_eq(json_array_size(errs), 1, "%s", bad[i].query);
		cr_assert_str_eq(str(json_array_get(errs, 0), "field"), bad[i].field, "%s", bad[i].query);
		json_decref(j);
	}
	/* 200 digits. */
	char *query = e2e_fmt("type=water&account=%0200d", 7);
	j = get_bills(g, query, NULL, 400);
	cr_assert_str_eq(str(json_array_get(json_object_get(j, "errors"), 0), "field"), "account");
	json_decref(j);
	free(query);
	j = req_json(g, "GET", "/v1/bills", NULL, NULL, NULL, NULL, 400);
	cr_assert_eq(json_array_size(json_object_get(j, "errors")), 2);
	json_decref(j);
	end(g);
}

/* ---- creating a payment --------------------------------------------------------- */

Test(gateway_pay, create_answers_a_checked_payment)
{
	struct gwd *g = start(NULL);
	time_t before = time(NULL);
	json_t *p = create(g, KIOSK, "bill-w1-2610", 201, NULL);
	cr_assert_str_eq(str(p, "currency"), "CNY");
	cr_assert_str_eq(str(p, "state"), "created");
	cr_assert_str_eq(str(p, "bill_id"), "bill-w1-2610");
	cr_assert_str_eq(str(p, "payee"), "示范市自来水有限公司");
	cr_assert_str_eq(str(p, "description"), "水费 2026-10");
	cr_assert_eq(json_integer_value(json_object_get(p, "amount_fen")), 4560);
	cr_assert_eq(strncmp(str(p, "id"), "pay-", 4), 0);
	cr_assert_null(json_object_get(p, "receipt"));
	assert_qr_ok(p);
	/* expires_at: the default 5 minutes from now. */
	struct tm tm = { 0 };
	cr_assert_not_null(strptime(str(p, "expires_at"), "%Y-%m-%dT%H:%M:%SZ", &tm));
	long long left = (long long)timegm(&tm) - (long long)before;
	cr_assert(left >= 298 && left <= 302, "expires in %lld s", left);
	json_decref(p);

	/* A fine, in English. */
	char key[37];
	uuid(key);
	p = req_json(g, "POST", "/v1/payments", KIOSK, key, "en", "{\"bill_id\":\"bill-t1-0914\"}", 201);
	cr_assert_str_eq(str(p, "description"), "Traffic fine 2026-09-14");
	cr_assert_str_eq(str(p, "payee"), "Demo City Traffic Police");
	assert_qr_ok(p);
	end_paying(g, p);
}

Test(gateway_pay, create_needs_a_key_a_kiosk_and_a_good_body)
{
	struct gwd *g = start(NULL);
	const char *body = "{\"bill_id\":\"bill-w1-2610\"}";
	char key[37];
	uuid(key);
	json_t *j = req_json(g, "POST", "/v1/payments", KIOSK, NULL, NULL, body, 400);
	assert_problem(j, "idempotency_key_invalid");
	cr_assert_str_eq(str(json_array_get(json_object_get(j, "errors"), 0), "field"), "Idempotency-Key");
	json_decref(j);
	static const char *const bad_keys[] = {
		"abc", "123e4567e89b12d3a456426614174000", "123e4567-e89b-12d3-a456-42661417400g",
		"123e4567-e89b-12d3-a456-4266141740001", "{123e4567-e89b-12d3-a456-426614174000}",
	};
	for (size_t i = 0; i < sizeof bad_keys / sizeof bad_keys[0]; i++) {
		j = req_json(g, "POST", "/v1/payments", KIOSK, bad_keys[i], NULL, body, 400);
		assert_problem(j, "idempotency_key_invalid");
		json_decref(j);
	}
	j = req_json(g, "POST", "/v1/payments", NULL, key, NULL, body, 400);
	assert_problem(j, "kiosk_id_required");
	json_decref(j);

	j = req_json(g, "POST", "/v1/payments", KIOSK, key, NULL, "{\"bill_id\":", 400);
	assert_problem(j, "bad_json");
	json_decref(j);
	static const char *const invalid[] = {
		"{}", "{\"bill_id\":42}", "{\"bill_id\":\"bill-w1-2610\",\"amount_fen\":1}",
		"{\"bill_id\":\"bill-w1-2610\",\"application_id\":\"app-1\"}",
	};
	for (size_t i = 0; i < sizeof invalid / sizeof invalid[0]; i++) {
		j = req_json(g, "POST", "/v1/payments", KIOSK, key, NULL, invalid[i], 422);
		assert_problem(j, "validation_failed");
		cr_assert_gt(json_array_size(json_object_get(j, "errors")), 0);
		json_decref(j);
	}
	/* None of those was stored: the key still works. */
	j = req_json(g, "POST", "/v1/payments", KIOSK, key, NULL, body, 201);
	json_decref(j);

	j = create(g, KIOSK, "bill-nope", 404, NULL);
	assert_problem(j, "bill_not_found");
	json_decref(j);
	uuid(key);
	/* An application's fee is paid in its citizen's session only
	 * (test_gateway_apps.c: the rest). */
	j = req_json(g, "POST", "/v1/payments", KIOSK, key, NULL, "{\"application_id\":\"app-1\"}", 401);
	assert_problem(j, "session_expired");
	json_decref(j);
	j = req_json(g, "GET", "/v1/payments", KIOSK, NULL, NULL, NULL, 405);
	json_decref(j);
	end(g);
}

/* ---- idempotency ------------------------------------------------------------------ */

Test(gateway_pay, replay_is_the_first_answer_byte_for_byte)
{
	struct gwd *g = start(NULL);
	char key[37], key2[37];
	uuid(key);
	uuid(key2);
	const char *body = "{\"bill_id\":\"bill-e1-2609\"}";
	char *first = post_raw(g, KIOSK, key, NULL, body, 201);
	/* Again, and in another language and with the members spaced: the
	 * same request, the same bytes. */
	char *again = post_raw(g, KIOSK, key, NULL, body, 201);
	cr_assert_str_eq(again, first);
	free(again);
	again = post_raw(g, KIOSK, key, "en", "{ \"bill_id\" : \"bill-e1-2609\" }", 201);
	cr_assert_str_eq(again, first);
	free(again);
	cr_assert_eq(payments_of(g, "bill-e1-2609"), 1);

	/* A problem answer is replayed too. */
	again = post_raw(g, KIOSK, key2, NULL, body, 409);
	char *again2 = post_raw(g, KIOSK, key2, "en", body, 409);
	cr_assert_str_eq(again2, again);
	free(again);
	free(again2);

	/* The same key from another kiosk is another key. */
	again = post_raw(g, OTHER, key, NULL, body, 409);
	json_t *j = json_loads(again, 0, NULL);
	assert_problem(j, "payment_in_progress");
	cr_assert_null(json_object_get(j, "payment_id"), "another kiosk's payment is not named");
	json_decref(j);
	free(again);
	free(first);
	end(g);
}

Test(gateway_pay, same_key_other_body_is_422)
{
	struct gwd *g = start(NULL);
	char key[37];
	json_t *p = create(g, KIOSK, "bill-w1-2608", 201, key);
	json_t *j = req_json(g, "POST", "/v1/payments", KIOSK, key, NULL,
	                     "{\"bill_id\":\"bill-w1-2609\"}", 422);
	assert_problem(j, "idempotency_key_reuse");
	json_decref(j);
	/* Upper-case hex is the same key. */
	for (char *c = key; *c; c++)
		if (*c >= 'a' && *c <= 'f')
			*c = (char)(*c - 'a' + 'A');
	j = req_json(g, "POST", "/v1/payments", KIOSK, key, NULL, "{\"bill_id\":\"bill-w1-2608\"}", 201);
	cr_assert_str_eq(str(j, "id"), str(p, "id"));
	json_decref(j);
	cr_assert_eq(payments_of(g, "bill-w1-2609"), 0);
	end_paying(g, p);
}

Test(gateway_pay, restart_keeps_payments_and_keys)
{
	struct gwd *g = start(NULL);
	char key[37];
	uuid(key);
	const char *body = "{\"bill_id\":\"bill-g1-2610\"}";
	char *first = post_raw(g, KIOSK, key, NULL, body, 201);
	json_t *p = json_loads(first, 0, NULL);
	cr_assert(gwd_restart(g, NULL), "gatewayd did not start again");
	char *again = post_raw(g, KIOSK, key, NULL, body, 201);
	cr_assert_str_eq(again, first);
	free(again);
	json_t *j = req_json(g, "POST", "/v1/payments", KIOSK, key, NULL,
	                     "{\"bill_id\":\"bill-w1-2608\"}", 422);
	assert_problem(j, "idempotency_key_reuse");
	json_decref(j);
	j = get_payment(g, KIOSK, str(p, "id"));
	cr_assert_str_eq(str(j, "state"), "created");
	json_decref(j);
	/* Paid after the restart: still one payment. */
	json_decref(scan(g, str(p, "id"), CODE_PAYS, 200));
	cr_assert_eq(payments_of(g, "bill-g1-2610"), 1);
	json_decref(p);
	free(first);
	end(g);
}

/* ---- one live payment per bill; per kiosk ------------------------------------------ */

Test(gateway_pay, one_live_payment_per_bill)
{
	json_t *p;
	struct gwd *g = start_paying(NULL, "bill-w10-2601", &p);
	json_t *j = create(g, KIOSK, "bill-w10-2601", 409, NULL);
	assert_problem(j, "payment_in_progress");
	cr_assert_str_eq(str(j, "payment_id"), str(p, "id"), "the kiosk can follow its payment");
	json_decref(j);
	j = create(g, OTHER, "bill-w10-2601", 409, NULL);
	assert_problem(j, "payment_in_progress");
	cr_assert_null(json_object_get(j, "payment_id"));
	json_decref(j);

	/* Paid: the bill is gone from the list, and cannot be paid again. */
	json_decref(scan(g, str(p, "id"), CODE_PAYS, 200));
	j = create(g, KIOSK, "bill-w10-2601", 409, NULL);
	assert_problem(j, "bill_already_paid");
	json_decref(j);
	j = get_bills(g, "type=water&account=3101000010", NULL, 200);
	cr_assert_eq(json_array_size(json_object_get(j, "bills")), 9);
	cr_assert_str_eq(str(json_array_get(json_object_get(j, "bills"), 0), "id"), "bill-w10-2602");
	json_decref(j);
	json_decref(p);

	/* Cancelled: a new payment may start. */
	p = create(g, KIOSK, "bill-w10-2602", 201, NULL);
	json_decref(act(g, KIOSK, str(p, "id"), "cancel", NULL, 200));
	json_decref(p);
	p = create(g, KIOSK, "bill-w10-2602", 201, NULL);
	json_decref(p);
	cr_assert_eq(payments_of(g, "bill-w10-2602"), 2);
	end(g);
}

Test(gateway_pay, payments_belong_to_their_kiosk)
{
	json_t *p;
	struct gwd *g = start_paying(NULL, "bill-w1-2608", &p);
	const char *id = str(p, "id");
	char *path = e2e_fmt("/v1/payments/%s", id);
	json_t *j = req_json(g, "GET", path, OTHER, NULL, NULL, NULL, 404);
	assert_problem(j, "payment_not_found");
	json_decref(j);
	j = req_json(g, "GET", path, NULL, NULL, NULL, NULL, 400);
	assert_problem(j, "kiosk_id_required");
	json_decref(j);
	json_decref(act(g, OTHER, id, "cancel", NULL, 404));
	json_decref(act(g, OTHER, id, "scan", "{\"code\":\"" CODE_PAYS "\"}", 404));
	j = get_payment(g, KIOSK, id);
	cr_assert_str_eq(str(j, "state"), "created", "another kiosk changed nothing");
	json_decref(j);
	json_decref(req_json(g, "GET", "/v1/payments/pay-0000000000000000", KIOSK, NULL, NULL, NULL, 404));
	json_decref(req_json(g, "GET", "/v1/payments/..%2Fetc", KIOSK, NULL, NULL, NULL, 404));
	free(path);
	end_paying(g, p);
}

/* ---- states -------------------------------------------------------------------------- */

Test(gateway_pay, scan_with_the_demo_code_pays)
{
	json_t *p;
	struct gwd *g = start_paying(NULL, "bill-e1-2610", &p);
	const char *id = str(p, "id");
	/* A scanner's Enter around the code is ignored. */
	json_t *j = act(g, KIOSK, id, "scan", "{\"code\":\" " CODE_PAYS "\\r\\n\"}", 200);
	cr_assert_str_eq(str(j, "state"), "success");
	json_t *r = json_object_get(j, "receipt");
	cr_assert(json_is_object(r));
	const char *no = str(r, "no");
	cr_assert(*no && *str(r, "paid_at"));
	char *url = e2e_fmt("%s%s", VERIFY, no);
	cr_assert_str_eq(str(r, "verify_url"), url);
	free(url);
	json_t *again = get_payment(g, KIOSK, id);
	cr_assert(json_equal(again, j), "GET says what the scan answered");
	json_decref(again);
	/* Paid: a second scan and a cancel are 409 already_paid. */
	assert_final(scan(g, id, CODE_PAYS, 409), "already_paid", id, "success");
	assert_final(act(g, KIOSK, id, "cancel", NULL, 409), "already_paid", id, "success");
	json_decref(j);
	end_paying(g, p);
}

Test(gateway_pay, scan_refused_and_invalid_codes)
{
	json_t *p;
	struct gwd *g = start_paying(NULL, "bill-w1-2609", &p);
	const char *id = str(p, "id");
	static const char *const refused[] = { "101234567890123456", "159999999999999999",
	                                       "131234567890123457" };
	for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++) {
		json_t *j = scan(g, id, refused[i], 402);
		assert_problem(j, "payment_code_refused");
		json_decref(j);
	}
	static const char *const invalid[] = {
		"{\"code\":\"GOVLOGIN:FIEBsxzmJi9RnFhLlkN2Kg\"}", "{\"code\":\"13123456789012345\"}",
		"{\"code\":\"1312345678901234567\"}", "{\"code\":\"161234567890123456\"}",
		"{\"code\":\"09123456789012345a\"}", "{\"code\":\"\\u001b[2J131234567890123456\"}",
		"{\"code\":131234567890123456}", "{}", "not json",
	};
	for (size_t i = 0; i < sizeof invalid / sizeof invalid[0]; i++) {
		json_t *j = act(g, KIOSK, id, "scan", invalid[i], 422);
		assert_problem(j, "payment_code_invalid");
		json_decref(j);
	}
	json_t *j = get_payment(g, KIOSK, id);
	cr_assert_str_eq(str(j, "state"), "created", "refused codes change nothing");
	json_decref(j);
	end_paying(g, p);
}

Test(gateway_pay, pending_code_then_the_phone_pays)
{
	json_t *p;
	struct gwd *g = start_paying(NULL, "bill-t1-1102", &p);
	const char *id = str(p, "id");
	json_t *j = scan(g, id, CODE_WAIT, 200);
	cr_assert_str_eq(str(j, "state"), "pending");
	json_decref(j);
	char *path = e2e_fmt("/sim/payments/%s/pay", id);
	j = e2e_post_json(g, path, NULL, 200);
	cr_assert_str_eq(str(j, "state"), "success");
	json_decref(j);
	assert_final(e2e_post_json(g, path, NULL, 409), "already_paid", id, "success");
	free(path);
	j = get_payment(g, KIOSK, id);
	cr_assert_str_eq(str(j, "state"), "success");
	cr_assert(json_is_object(json_object_get(j, "receipt")));
	json_decref(j);
	end_paying(g, p);
}

Test(gateway_pay, sim_fail_and_cancel)
{
	json_t *p;
	struct gwd *g = start_paying(NULL, "bill-w1-2608", &p);
	const char *id = str(p, "id");
	char *path = e2e_fmt("/sim/payments/%s/fail", id);
	json_t *j = e2e_post_json(g, path, NULL, 200);
	cr_assert_str_eq(str(j, "state"), "failed");
	json_decref(j);
	free(path);
	assert_final(act(g, KIOSK, id, "cancel", NULL, 409), "payment_closed", id, "failed");
	assert_final(scan(g, id, CODE_PAYS, 409), "payment_closed", id, "failed");
	json_decref(p);

	/* The bill is still unpaid: a new payment, cancelled twice. */
	p = create(g, KIOSK, "bill-w1-2608", 201, NULL);
	id = str(p, "id");
	j = act(g, KIOSK, id, "cancel", NULL, 200);
	cr_assert_str_eq(str(j, "state"), "cancelled");
	json_decref(j);
	j = act(g, KIOSK, id, "cancel", NULL, 200);
	cr_assert_str_eq(str(j, "state"), "cancelled");
	json_decref(j);
	path = e2e_fmt("/sim/payments/%s/pay", id);
	assert_final(e2e_post_json(g, path, NULL, 409), "payment_closed", id, "cancelled");
	free(path);
	j = e2e_post_json(g, "/sim/payments/pay-0123456789abcdef/pay", NULL, 404);
	assert_problem(j, "payment_not_found");
	json_decref(j);

	/* /sim/payments: newest first, with id, state, amount and bill. */
	j = sim_json(g, "/sim/payments");
	json_t *first = json_array_get(json_object_get(j, "payments"), 0);
	cr_assert_str_eq(str(first, "id"), id);
	cr_assert_str_eq(str(first, "state"), "cancelled");
	cr_assert_eq(json_integer_value(json_object_get(first, "amount_fen")), 3850);
	cr_assert_str_eq(str(first, "bill_id"), "bill-w1-2608");
	cr_assert_eq(json_array_size(json_object_get(j, "payments")), 2);
	json_decref(j);
	end_paying(g, p);
}

Test(gateway_pay, expiry)
{
	static const char *const args[] = { "--payment-ttl", "1", NULL };
	json_t *p;
	struct gwd *g = start_paying(args, "bill-w1-2610", &p);
	const char *id = str(p, "id");
	json_t *q = create(g, KIOSK, "bill-w1-2609", 201, NULL);
	json_decref(scan(g, str(q, "id"), CODE_WAIT, 200)); /* pending expires too */
	usleep(2200 * 1000);
	json_t *j = get_payment(g, KIOSK, id);
	cr_assert_str_eq(str(j, "state"), "expired");
	json_decref(j);
	j = get_payment(g, KIOSK, str(q, "id"));
	cr_assert_str_eq(str(j, "state"), "expired");
	json_decref(j);
	assert_final(scan(g, id, CODE_PAYS, 409), "payment_closed", id, "expired");
	assert_final(act(g, KIOSK, id, "cancel", NULL, 409), "payment_closed", id, "expired");
	/* The bill may be paid with a new payment. */
	j = create(g, KIOSK, "bill-w1-2610", 201, NULL);
	cr_assert_str_neq(str(j, "id"), id);
	json_decref(j);
	json_decref(q);
	end_paying(g, p);
}

/* ---- cancel racing a payment ----------------------------------------------------------- */

/* A POST on a connection of its own (curl retries a request whose reused
 * connection dies unanswered, which would hide commit_then_drop), started
 * with the other racer if go is not NULL. */
struct racer {
	const char *url;
	char *path;
	const char *kiosk, *key, *request;
	pthread_barrier_t *go;
	long status;                 /* 0: no answer */
	char *body;
};

static size_t racer_body(char *p, size_t size, size_t n, void *ud)
{
	struct racer *r = ud;
	size_t len = r->body ? strlen(r->body) : 0, add = size * n;
	char *b = realloc(r->body, len + add + 1);
	cr_assert_not_null(b);
	memcpy(b + len, p, add);
	b[len + add] = '\0';
	r->body = b;
	return add;
}

static void *racer_run(void *arg)
{
	struct racer *r = arg;
	CURL *c = curl_easy_init();
	struct curl_slist *h = NULL;
	char *url = e2e_fmt("%s%s", r->url, r->path), *kh = NULL, *ih = NULL;
	if (r->kiosk) {
		kh = e2e_fmt("X-Kiosk-Id: %s", r->kiosk);
		h = curl_slist_append(h, kh);
	}
	if (r->key) {
		ih = e2e_fmt("Idempotency-Key: %s", r->key);
		h = curl_slist_append(h, ih);
	}
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, r->request ? r->request : "");
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_PROXY, "");
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 10000L);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, racer_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, r);
	if (r->go)
		pthread_barrier_wait(r->go);
	if (curl_easy_perform(c) == CURLE_OK)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r->status);
	curl_slist_free_all(h);
	curl_easy_cleanup(c);
	free(url);
	free(kh);
	free(ih);
	return NULL;
}

/* Two racers at once; both joined. */
static void race(struct racer *a, struct racer *b)
{
	pthread_barrier_t go;
	pthread_t ta, tb;
	pthread_barrier_init(&go, NULL, 2);
	a->go = b->go = &go;
	pthread_create(&ta, NULL, racer_run, a);
	pthread_create(&tb, NULL, racer_run, b);
	pthread_join(ta, NULL);
	pthread_join(tb, NULL);
	pthread_barrier_destroy(&go);
}

Test(gateway_pay, cancel_racing_payment_leaves_one_outcome)
{
	struct gwd *g = start(NULL);
	static const char *const bills[] = { "bill-w10-2601", "bill-w10-2602", "bill-w10-2603",
	                                     "bill-w10-2604", "bill-w10-2605", "bill-w10-2606",
	                                     "bill-w10-2607", "bill-w10-2608" };
	int paid = 0, cancelled = 0;
	for (size_t i = 0; i < sizeof bills / sizeof bills[0]; i++) {
		json_t *p = create(g, KIOSK, bills[i], 201, NULL);
		const char *id = str(p, "id");
		struct racer pay = { .url = gwd_url(g), .path = e2e_fmt("/sim/payments/%s/pay", id) },
		             cancel = { .url = gwd_url(g), .kiosk = KIOSK,
		                        .path = e2e_fmt("/v1/payments/%s/cancel", id) };
		race(&pay, &cancel);
		json_t *now = get_payment(g, KIOSK, id);
		json_t *loser = json_loads(pay.status == 200 ? cancel.body : pay.body, 0, NULL);
		if (pay.status == 200) {
			/* Paid first: the cancel says paid, with the state. */
			cr_assert_eq(cancel.status, 409, "%s", cancel.body);
			assert_final(loser, "already_paid", id, "success");
			cr_assert_str_eq(str(now, "state"), "success");
			paid++;
		} else {
			cr_assert_eq(cancel.status, 200, "pay %ld %s, cancel %ld %s", pay.status,
			             pay.body, cancel.status, cancel.body);
			cr_assert_eq(pay.status, 409, "%s", pay.body);
			assert_final(loser, "payment_closed", id, "cancelled");
			cr_assert_str_eq(str(now, "state"), "cancelled");
			cancelled++;
		}
		json_decref(now);
		free(pay.path);
		free(cancel.path);
		free(pay.body);
		free(cancel.body);
		json_decref(p);
	}
	cr_log_info("cancel racing pay: %d paid, %d cancelled", paid, cancelled);
	end(g);
}

Test(gateway_pay, same_key_twice_at_once_makes_one_payment)
{
	struct gwd *g = start(NULL);
	static const char *const bills[] = { "bill-w10-2601", "bill-w10-2602", "bill-w10-2603",
	                                     "bill-w10-2604", "bill-w10-2605" };
	for (size_t i = 0; i < sizeof bills / sizeof bills[0]; i++) {
		/* The outbox's retry racing its first try: one payment, and both
		 * answers are the same bytes. */
		char key[37], *body = e2e_fmt("{\"bill_id\":\"%s\"}", bills[i]);
		uuid(key);
		struct racer a = { .url = gwd_url(g), .path = e2e_fmt("/v1/payments"), .kiosk = KIOSK,
		                   .key = key, .request = body },
		             b = a;
		b.path = e2e_fmt("/v1/payments");
		race(&a, &b);
		cr_assert(a.status == 201 && b.status == 201, "%ld %s / %ld %s", a.status, a.body,
		          b.status, b.body);
		cr_assert_str_eq(a.body, b.body);
		cr_assert_eq(payments_of(g, bills[i]), 1);
		free(a.body);
		free(b.body);
		free(a.path);
		free(b.path);
		free(body);
	}
	end(g);
}

Test(gateway_pay, two_keys_at_once_make_one_payment)
{
	struct gwd *g = start(NULL);
	static const char *const bills[] = { "bill-w10-2606", "bill-w10-2607", "bill-w10-2608",
	                                     "bill-w10-2609", "bill-w10-2610" };
	for (size_t i = 0; i < sizeof bills / sizeof bills[0]; i++) {
		char k1[37], k2[37], *body = e2e_fmt("{\"bill_id\":\"%s\"}", bills[i]);
		uuid(k1);
		uuid(k2);
		struct racer a = { .url = gwd_url(g), .path = e2e_fmt("/v1/payments"), .kiosk = KIOSK,
		                   .key = k1, .request = body },
		             b = a;
		b.path = e2e_fmt("/v1/payments");
		b.key = k2;
		race(&a, &b);
		struct racer *won = a.status == 201 ? &a : &b, *lost = a.status == 201 ? &b : &a;
		cr_assert_eq(won->status, 201, "%ld %s / %ld %s", a.status, a.body, b.status, b.body);
		cr_assert_eq(lost->status, 409, "%s", lost->body);
		json_t *w = json_loads(won->body, 0, NULL), *l = json_loads(lost->body, 0, NULL);
		assert_problem(l, "payment_in_progress");
		cr_assert_str_eq(str(l, "payment_id"), str(w, "id"));
		cr_assert_eq(payments_of(g, bills[i]), 1);
		json_decref(w);
		json_decref(l);
		free(a.body);
		free(b.body);
		free(a.path);
		free(b.path);
		free(body);
	}
	end(g);
}

/* ---- faults ---------------------------------------------------------------------------- */

Test(gateway_pay, spoiled_qr_payloads_are_refused_by_emv_check)
{
	struct gwd *g = start(NULL);
	static const struct {
		const char *fault;
		enum emv_error want;
	} faults[] = {
		{ "qr_amount", EMV_AMOUNT_MISMATCH },
		{ "qr_crc", EMV_BAD_CRC },
		{ "qr_currency", EMV_BAD_CURRENCY },
		{ "qr_truncated", EMV_OVERRUN },
		{ "qr_crc_not_last", EMV_NO_CRC },
	};
	static const char *const bills[] = { "bill-w10-2601", "bill-w10-2602", "bill-w10-2603",
	                                     "bill-w10-2604", "bill-w10-2605" };
	for (size_t i = 0; i < sizeof faults / sizeof faults[0]; i++) {
		char *set = e2e_fmt("{\"payment\":\"%s\",\"paths\":[\"/v1/payments\"]}", faults[i].fault);
		e2e_set_faults(g, set);
		char key[37];
		json_t *p = create(g, KIOSK, bills[i], 201, key);
		long long amount = json_integer_value(json_object_get(p, "amount_fen"));
		enum emv_error e = emv_check(str(p, "qr_payload"), amount, NULL);
		cr_assert_eq(e, faults[i].want, "%s: emv_check says %s: %s", faults[i].fault,
		             emv_error_name(e), str(p, "qr_payload"));
		/* GET is spoiled the same way; the stored payment is not. */
		json_t *q = get_payment(g, KIOSK, str(p, "id"));
		cr_assert_eq(emv_check(str(q, "qr_payload"), amount, NULL), faults[i].want);
		json_decref(q);
		e2e_set_faults(g, "{}");
		q = get_payment(g, KIOSK, str(p, "id"));
		assert_qr_ok(q);
		json_decref(q);
		/* The replay, now unspoiled. */
		char body[64];
		snprintf(body, sizeof body, "{\"bill_id\":\"%s\"}", bills[i]);
		q = req_json(g, "POST", "/v1/payments", KIOSK, key, NULL, body, 201);
		assert_qr_ok(q);
		json_decref(q);
		json_decref(p);
		free(set);
	}
	/* GET /sim/faults says which; a wrong name is 422. */
	e2e_set_faults(g, "{\"payment\":\"qr_crc\"}");
	json_t *f = sim_json(g, "/sim/faults");
	cr_assert_str_eq(str(f, "payment"), "qr_crc");
	json_decref(f);
	json_decref(e2e_post_json(g, "/sim/faults", "{\"payment\":\"qr_wrong\"}", 422));
	end(g);
}

Test(gateway_pay, commit_then_drop_then_retry_finds_one_payment)
{
	struct gwd *g = start(NULL);
	e2e_set_faults(g, "{\"payment\":\"commit_then_drop\"}");
	char key[37];
	uuid(key);
	const char *body = "{\"bill_id\":\"bill-w1-2610\"}";
	struct racer r = { .url = gwd_url(g), .path = e2e_fmt("/v1/payments"), .kiosk = KIOSK,
	                   .key = key, .request = body };
	racer_run(&r);
	cr_assert_eq(r.status, 0, "answered %ld %s: the connection should have been dropped",
	             r.status, r.body);
	free(r.path);
	free(r.body);
	cr_assert_eq(payments_of(g, "bill-w1-2610"), 1, "committed before the drop");
	/* The kiosk's retry with the same key (the fault is still on: replays
	 * are answered) finds the same payment. */
	json_t *p = req_json(g, "POST", "/v1/payments", KIOSK, key, NULL, body, 201);
	assert_qr_ok(p);
	json_t *list = sim_json(g, "/sim/payments");
	cr_assert_str_eq(str(json_array_get(json_object_get(list, "payments"), 0), "id"), str(p, "id"));
	json_decref(list);
	cr_assert_eq(payments_of(g, "bill-w1-2610"), 1);
	/* A retry with a new key is told about the payment in progress. */
	json_t *j = create(g, KIOSK, "bill-w1-2610", 409, NULL);
	assert_problem(j, "payment_in_progress");
	cr_assert_str_eq(str(j, "payment_id"), str(p, "id"));
	json_decref(j);
	cr_assert_eq(payments_of(g, "bill-w1-2610"), 1);
	json_decref(p);
	e2e_set_faults(g, "{}");
	end(g);
}
