/* pay.c: bills and payments (GET /v1/bills, /v1/payments...) and the
 * simulator's side of them (/sim/accounts, /sim/payments...).
 *
 * Everything is in SQLite (db.c has the schema), so payments and the
 * Idempotency-Key records survive a restart. Each operation runs in one
 * BEGIN IMMEDIATE transaction under the store's lock: two requests for the
 * same payment (a cancel racing a payment, a key sent twice at once) are
 * serialized, and the second sees what the first did. Expiry is applied at
 * the start of every operation (created/pending payments whose expires_at
 * has come become expired), so no timer is needed.
 *
 * A payment belongs to the kiosk that made it (X-Kiosk-Id, required here):
 * another kiosk gets 404 for it. Idempotency-Key records are per kiosk too.
 * Nothing here logs an account number or a payment code; the request log
 * (http.c) has neither: the account is in the query string, which is not
 * logged, and the code is in the body.
 */
#include "gw_pay.h"
#include "gw_auth.h"
#include "gw_sim.h"
#include "emv.h"

#include <microhttpd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <time.h>

#define SIM_RECENT     "50"      /* GET /sim/payments lists this many */
#define VERIFY_URL     "https://gov.example.cn/r/"

/* Demo payment codes (付款码): 18 digits starting 10..15. */
#define CODE_PAYS      "131234567890123456"   /* pays at once: success */
#define CODE_PENDING   "135555555555555555"   /* waits for the phone: pending */

static int payment_ttl = 300;

void pay_init(int payment_ttl_s)
{
	payment_ttl = payment_ttl_s;
}

/* ---- small helpers -------------------------------------------------------- */

static const char *query_arg(const struct req *rq, const char *name)
{
	return MHD_lookup_connection_value(rq->conn, MHD_GET_ARGUMENT_KIND, name);
}

static bool digits(const char *s, size_t min, size_t max)
{
	size_t n = 0;
	for (; s[n]; n++)
		if (s[n] < '0' || s[n] > '9' || n >= max)
			return false;
	return n >= min;
}

static int bill_type_of(const char *s)
{
	for (int i = 0; s && i < BILL_NTYPES; i++)
		if (!strcmp(s, demo_bill_types[i].id))
			return i;
	return -1;
}

/* The account with all but its last 4 digits starred. */
static void mask_account(const char *a, char *out, size_t outlen)
{
	size_t n = strlen(a), i = 0;
	for (; i < n && i + 1 < outlen; i++)
		out[i] = i + 4 < n ? '*' : a[i];
	out[i] = '\0';
}

static void col_copy(sqlite3_stmt *st, int i, char *out, size_t outlen)
{
	const char *s = (const char *)sqlite3_column_text(st, i);
	snprintf(out, outlen, "%s", s ? s : "");
}

/* Created and pending payments whose time has come are expired. */
static int expire_due(sqlite3 *h, long long now)
{
	sqlite3_stmt *st = db_prep(h, "UPDATE payments SET state = 'expired', updated_at = ?1"
	                           " WHERE state IN ('created', 'pending') AND expires_at <= ?1");
	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, now);
	int rc = sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
	sqlite3_finalize(st);
	return rc;
}

/* X-Kiosk-Id, which payments belong to: 1..64 printable ASCII characters.
 * False (and 400 kiosk_id_required in rp) if it is missing or not that. */
bool req_kiosk_id(const struct req *rq, struct reply *rp, char out[65])
{
	const char *k = req_header(rq, "X-Kiosk-Id");
	size_t n = 0;
	while (k && k[n] > 0x20 && k[n] < 0x7f && n < 65)
		n++;
	if (k && n >= 1 && n <= 64 && !k[n]) {
		memcpy(out, k, n + 1);
		return true;
	}
	json_t *errs = json_array();
	json_array_append_new(errs, problem_error("X-Kiosk-Id", k ? "invalid" : "missing",
	                                          pay_message(rq, k ? "kiosk_invalid" : "key_missing")));
	reply_problem(rq, rp, "kiosk_id_required", errs);
	return false;
}

/* Payment ids are "pay-" and 16 lower-case hex digits. */
static bool plausible_payment_id(const char *id)
{
	if (strncmp(id, "pay-", 4) || strlen(id) != 20)
		return false;
	for (const char *p = id + 4; *p; p++)
		if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
			return false;
	return true;
}

/* ---- a payment ---------------------------------------------------------------- */

struct pay {
	char id[24], state[12], bill_id[72], kiosk[72], receipt[40];
	long long seq, amount_fen, expires_at, paid_at;
	char *payee[LANG_N], *desc[LANG_N], *qr;
};

#define PAY_COLS "id, seq, kiosk, bill_id, amount_fen, payee_zh, payee_en, payee_tw," \
                 " description_zh, description_en, description_tw, state, qr_payload," \
                 " expires_at, receipt_no, paid_at"

static void pay_free(struct pay *p)
{
	for (int l = 0; l < LANG_N; l++) {
		free(p->payee[l]);
		free(p->desc[l]);
	}
	free(p->qr);
	memset(p, 0, sizeof *p);
}

/* 1 and *p if the payment exists, 0 if not, -1 on a database error. */
static int pay_load(sqlite3 *h, const char *id, struct pay *p)
{
	memset(p, 0, sizeof *p);
	sqlite3_stmt *st = db_prep(h, "SELECT " PAY_COLS " FROM payments WHERE id = ?1");
	if (!st)
		return -1;
	db_bind_str(st, 1, id);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		col_copy(st, 0, p->id, sizeof p->id);
		p->seq = sqlite3_column_int64(st, 1);
		col_copy(st, 2, p->kiosk, sizeof p->kiosk);
		col_copy(st, 3, p->bill_id, sizeof p->bill_id);
		p->amount_fen = sqlite3_column_int64(st, 4);
		for (int l = 0; l < LANG_N; l++) {
			p->payee[l] = db_col_dup(st, 5 + l);
			p->desc[l] = db_col_dup(st, 8 + l);
		}
		col_copy(st, 11, p->state, sizeof p->state);
		p->qr = db_col_dup(st, 12);
		p->expires_at = sqlite3_column_int64(st, 13);
		col_copy(st, 14, p->receipt, sizeof p->receipt);
		p->paid_at = sqlite3_column_int64(st, 15);
	}
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
}

static json_t *pay_json(const struct pay *p, enum lang l)
{
	char exp[21];
	gw_rfc3339(exp, p->expires_at);
	json_t *j = json_pack("{s:s, s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:s}",
	                      "id", p->id, "amount_fen", (json_int_t)p->amount_fen,
	                      "currency", "CNY", "payee", p->payee[l], "state", p->state,
	                      "qr_payload", p->qr, "expires_at", exp, "bill_id", p->bill_id,
	                      "description", p->desc[l]);
	if (!j)
		abort();
	if (!strcmp(p->state, "success")) {
		char paid[21];
		gw_rfc3339(paid, p->paid_at);
		json_object_set_new(j, "receipt", json_pack("{s:s, s:s, s:s+}", "no", p->receipt,
		                                            "paid_at", paid, "verify_url",
		                                            VERIFY_URL, p->receipt));
	}
	return j;
}

/* Moves p to state in the open transaction; success also writes the
 * receipt and marks the bill paid. */
static int pay_set_state(sqlite3 *h, struct pay *p, const char *state, long long now)
{
	if (!strcmp(state, "success")) {
		char day[21];
		gw_rfc3339(day, now);
		snprintf(p->receipt, sizeof p->receipt, "R%.4s%.2s%.2s-%06lld", day, day + 5,
		         day + 8, p->seq % 1000000);
		p->paid_at = now;
	}
	sqlite3_stmt *st = db_prep(h, "UPDATE payments SET state = ?2, updated_at = ?3,"
	                           " receipt_no = ?4, paid_at = ?5 WHERE id = ?1");
	if (!st)
		return -1;
	db_bind_str(st, 1, p->id);
	db_bind_str(st, 2, state);
	sqlite3_bind_int64(st, 3, now);
	if (p->receipt[0]) {
		db_bind_str(st, 4, p->receipt);
		sqlite3_bind_int64(st, 5, p->paid_at);
	}
	int rc = sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
	sqlite3_finalize(st);
	if (!rc && !strcmp(state, "success")) {
		st = db_prep(h, "UPDATE bills SET paid_by = ?1 WHERE id = ?2");
		if (!st)
			return -1;
		db_bind_str(st, 1, p->id);
		db_bind_str(st, 2, p->bill_id);
		rc = sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
		sqlite3_finalize(st);
	}
	if (!rc)
		snprintf(p->state, sizeof p->state, "%s", state);
	return rc;
}

static bool live(const char *state)
{
	return !strcmp(state, "created") || !strcmp(state, "pending");
}

/* 409 for a payment that can no longer change: already_paid (success) or
 * payment_closed (failed, cancelled, expired), with its state and id. */
static void reply_final(const struct req *rq, struct reply *rp, const struct pay *p)
{
	reply_problem(rq, rp, !strcmp(p->state, "success") ? "already_paid" : "payment_closed", NULL);
	json_object_set_new(rp->json, "payment_id", json_string(p->id));
	json_object_set_new(rp->json, "state", json_string(p->state));
}

/* With a qr_ fault of /sim/faults on this path, the answer's qr_payload is
 * spoiled on its way out (the stored payment keeps the true one). */
static void spoil_qr(const struct req *rq, struct reply *rp)
{
	enum sim_pay f = sim_pay_fault(rq->gw->sim, rq->path);
	if (f == SIM_PAY_NONE || f == SIM_PAY_COMMIT_THEN_DROP)
		return;
	reply_materialize(rp);
	json_t *j = rp->body ? json_loadb(rp->body, rp->len, 0, NULL) : NULL;
	const char *qr = json_string_value(json_object_get(j, "qr_payload"));
	char *bad = qr ? sim_spoil_qr(qr, f) : NULL;
	if (bad) {
		json_object_set_new(j, "qr_payload", json_string(bad));
		free(bad);
		int status = rp->status;
		reply_json(rp, status, j);
		return;
	}
	json_decref(j);
}

static void reply_payment(const struct req *rq, struct reply *rp, int status, const struct pay *p)
{
	reply_json(rp, status, pay_json(p, rq->lang));
	rp->localized = true;
	spoil_qr(rq, rp);
}

/* The payment of the path ({id}) for this kiosk, loaded in the open
 * transaction after expiry: 1 and *p, 0 (404 in rp), -1 (500: the caller
 * rolls back). any_kiosk: the simulator's view. */
static int pay_for(const struct req *rq, struct reply *rp, sqlite3 *h, const char *kiosk,
                   struct pay *p, long long now)
{
	const char *id = rq->params[0];
	memset(p, 0, sizeof *p);
	if (!plausible_payment_id(id)) {
		reply_problem(rq, rp, "payment_not_found", NULL);
		return 0;
	}
	if (expire_due(h, now))
		return -1;
	int rc = pay_load(h, id, p);
	if (rc == 1 && kiosk && strcmp(kiosk, p->kiosk)) {
		pay_free(p);
		rc = 0;
	}
	if (rc == 0)
		reply_problem(rq, rp, "payment_not_found", NULL);
	return rc;
}

/* ---- GET /v1/bills ------------------------------------------------------------ */

void pay_bills(struct req *rq, struct reply *rp)
{
	const char *type = query_arg(rq, "type"), *acct = query_arg(rq, "account");
	int t = bill_type_of(type);
	json_t *errs = json_array();
	if (t < 0)
		json_array_append_new(errs, problem_error("type", type ? "unknown_value" : "missing",
		                                          pay_message(rq, "bad_type")));
	if (!acct || !digits(acct, 6, 20))
		json_array_append_new(errs, problem_error("account", acct ? "invalid" : "missing",
		                                          pay_message(rq, "bad_account")));
	if (json_array_size(errs)) {
		reply_problem(rq, rp, "bad_query", errs);
		return;
	}
	json_decref(errs);

	char masked[24];
	mask_account(acct, masked, sizeof masked);
	json_t *bills = json_array();
	bool known = false, ok = true;
	sqlite3 *h = db_lock(rq->gw->db);
	sqlite3_stmt *st = db_prep(h, "SELECT 1 FROM bill_accounts WHERE type = ?1 AND account = ?2");
	ok = st != NULL;
	if (ok) {
		db_bind_str(st, 1, demo_bill_types[t].id);
		db_bind_str(st, 2, acct);
		int rc = sqlite3_step(st);
		known = rc == SQLITE_ROW;
		ok = rc == SQLITE_ROW || rc == SQLITE_DONE;
		sqlite3_finalize(st);
	}
	st = ok && known ? db_prep(h, "SELECT id, period, amount_fen, due_date, payee_zh, payee_en,"
	                           " payee_tw FROM bills WHERE type = ?1 AND account = ?2"
	                           " AND paid_by IS NULL ORDER BY ord") : NULL;
	if (st) {
		int rc;
		db_bind_str(st, 1, demo_bill_types[t].id);
		db_bind_str(st, 2, acct);
		while ((rc = sqlite3_step(st)) == SQLITE_ROW)
			json_array_append_new(bills, json_pack(
				"{s:s, s:s, s:s, s:s, s:s, s:I, s:s}",
				"id", (const char *)sqlite3_column_text(st, 0),
				"type", demo_bill_types[t].id,
				"payee", (const char *)sqlite3_column_text(st, 4 + (int)rq->lang),
				"account_masked", masked,
				"period", (const char *)sqlite3_column_text(st, 1),
				"amount_fen", (json_int_t)sqlite3_column_int64(st, 2),
				"due_date", (const char *)sqlite3_column_text(st, 3)));
		ok = rc == SQLITE_DONE;
		sqlite3_finalize(st);
	} else if (known) {
		ok = false;
	}
	db_unlock(rq->gw->db);
	if (!ok || !known) {
		json_decref(bills);
		reply_problem(rq, rp, ok ? "account_not_found" : "internal_error", NULL);
		return;
	}
	reply_json(rp, 200, json_pack("{s:o}", "bills", bills));
	rp->localized = true;
}

/* ---- POST /v1/payments -------------------------------------------------------- */

/* A UUID (8-4-4-4-12 hex digits, either case), lower-cased into out. */
bool idem_key_parse(const char *k, char out[37])
{
	if (!k || strlen(k) != 36)
		return false;
	for (int i = 0; i < 36; i++) {
		char c = k[i];
		bool dash = i == 8 || i == 13 || i == 18 || i == 23;
		if (dash ? c != '-' : !((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
		                        (c >= 'A' && c <= 'F')))
			return false;
		out[i] = (char)(c >= 'A' && c <= 'F' ? c - 'A' + 'a' : c);
	}
	out[36] = '\0';
	return true;
}

void req_body_hash(const struct req *rq, char out[65])
{
	unsigned char d[32];
	json_t *j = json_loadb(rq->body ? rq->body : "", rq->body_len, JSON_REJECT_DUPLICATES, NULL);
	char *canon = j ? json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY) : NULL;
	if (canon)
		sha256(canon, strlen(canon), d);
	else
		sha256(rq->body ? rq->body : "", rq->body_len, d);
	free(canon);
	json_decref(j);
	for (int i = 0; i < 32; i++)
		sprintf(out + 2 * i, "%02x", d[i]);
}

static int create_payment(const struct req *rq, struct reply *rp, sqlite3 *h, const char *kiosk,
                          const char *bill_id, struct pay *pp, long long now, bool *created);

/* The body's bill_id or application_id (*is_app), or NULL after a
 * 400/422 in rp. */
static const char *payment_target(const struct req *rq, struct reply *rp, json_t *body, bool *is_app)
{
	if (!json_is_object(body)) {
		reply_problem(rq, rp, "bad_json", NULL);
		return NULL;
	}
	json_t *errs = json_array(), *v;
	const char *k, *bill = NULL, *app_id = NULL;
	bool app = false;
	json_object_foreach(body, k, v) {
		if (!strcmp(k, "bill_id") && json_is_string(v) && json_string_length(v))
			bill = json_string_value(v);
		else if (!strcmp(k, "application_id") && json_is_string(v) && json_string_length(v))
			app = true, app_id = json_string_value(v);
		else if (!strcmp(k, "bill_id") || !strcmp(k, "application_id"))
			json_array_append_new(errs, problem_error(k, "invalid", pay_message(rq,
				strcmp(k, "bill_id") ? "bad_application_id" : "bad_bill_id")));
		else
			json_array_append_new(errs, problem_error(k, "unknown_field",
			                                          pay_message(rq, "unknown_field")));
	}
	if (!json_array_size(errs) && !bill == !app)
		json_array_append_new(errs, problem_error(bill ? "application_id" : "bill_id",
		                                          bill ? "not_allowed" : "missing",
		                                          pay_message(rq, "one_of")));
	if (json_array_size(errs)) {
		reply_problem(rq, rp, "validation_failed", errs);
		return NULL;
	}
	json_decref(errs);
	*is_app = app;
	return app ? app_id : bill;
}

/* The bill's payment, in the open transaction: 1 (201 with the new
 * payment in rp, *created), 0 (a 404 or 409 in rp), -1 (database error). */
static int create_for_bill(const struct req *rq, struct reply *rp, sqlite3 *h,
                           const char *kiosk, const char *bill_id, long long now, bool *created)
{
	struct pay p = { 0 };
	int rc = -1;
	sqlite3_stmt *st = db_prep(h, "SELECT amount_fen, payee_zh, payee_en, payee_tw, description_zh,"
	                           " description_en, description_tw, paid_by FROM bills WHERE id = ?1");
	if (!st || expire_due(h, now))
		goto out;
	db_bind_str(st, 1, bill_id);
	int step = sqlite3_step(st);
	if (step == SQLITE_DONE) {
		reply_problem(rq, rp, "bill_not_found", NULL);
		rc = 0;
		goto out;
	}
	if (step != SQLITE_ROW)
		goto out;
	if (sqlite3_column_type(st, 7) != SQLITE_NULL) {
		reply_problem(rq, rp, "bill_already_paid", NULL);
		rc = 0;
		goto out;
	}
	p.amount_fen = sqlite3_column_int64(st, 0);
	for (int l = 0; l < LANG_N; l++) {
		p.payee[l] = db_col_dup(st, 1 + l);
		p.desc[l] = db_col_dup(st, 4 + l);
	}
	sqlite3_finalize(st);
	st = NULL;
	rc = create_payment(rq, rp, h, kiosk, bill_id, &p, now, created);
out:
	sqlite3_finalize(st);
	pay_free(&p);
	return rc;
}

/* An application's fee (its citizen's session only: the application, its
 * service and its fee are theirs), as create_for_bill. The payment's
 * bill_id is the application's id (SQ..., never a bill's). */
static int create_for_application(const struct req *rq, struct reply *rp, sqlite3 *h,
                                  const char *kiosk, const char *app_id, long long now, bool *created)
{
	struct pay p = { 0 };
	struct citizen cit;
	int rc = -1;
	sqlite3_stmt *st = NULL;
	if (!auth_session_citizen(rq, &cit)) {
		reply_problem(rq, rp, "session_expired", NULL);
		rc = 0;
		goto out;
	}
	st = db_prep(h, "SELECT fee_fen, service_name_zh, service_name_en, service_name_tw FROM applications"
	             " WHERE id = ?1 AND citizen = ?2");
	if (!st || expire_due(h, now))
		goto out;
	db_bind_str(st, 1, app_id);
	db_bind_str(st, 2, cit.id);
	int step = sqlite3_step(st);
	if (step == SQLITE_DONE) {
		reply_problem(rq, rp, "application_not_found", NULL);
		rc = 0;
		goto out;
	}
	if (step != SQLITE_ROW)
		goto out;
	p.amount_fen = sqlite3_column_int64(st, 0);
	/* Paid to the office of the service: in the demo, named by it. */
	for (int l = 0; l < LANG_N; l++) {
		p.payee[l] = db_col_dup(st, 1 + l);
		p.desc[l] = db_col_dup(st, 1 + l);
	}
	sqlite3_finalize(st);
	st = NULL;
	if (p.amount_fen <= 0) {
		reply_problem(rq, rp, "application_no_fee", NULL);
		rc = 0;
		goto out;
	}
	st = db_prep(h, "SELECT 1 FROM payments WHERE bill_id = ?1 AND state = 'success'");
	if (!st)
		goto out;
	db_bind_str(st, 1, app_id);
	step = sqlite3_step(st);
	if (step == SQLITE_ROW) {
		reply_problem(rq, rp, "application_already_paid", NULL);
		rc = 0;
		goto out;
	}
	if (step != SQLITE_DONE)
		goto out;
	sqlite3_finalize(st);
	st = NULL;
	rc = create_payment(rq, rp, h, kiosk, app_id, &p, now, created);
out:
	sqlite3_finalize(st);
	pay_free(&p);
	return rc;
}

/* The payment of target (a bill or an application) for p's amount, payee
 * and description, in the open transaction: one live payment a target. */
static int create_payment(const struct req *rq, struct reply *rp, sqlite3 *h, const char *kiosk,
                          const char *bill_id, struct pay *pp, long long now, bool *created)
{
	struct pay p = *pp;
	int rc = -1;
	int step;
	sqlite3_stmt *st;
	/* One live payment per bill. */
	st = db_prep(h, "SELECT id, kiosk FROM payments WHERE bill_id = ?1"
	             " AND state IN ('created', 'pending') LIMIT 1");
	if (!st)
		goto out;
	db_bind_str(st, 1, bill_id);
	step = sqlite3_step(st);
	if (step == SQLITE_ROW) {
		reply_problem(rq, rp, "payment_in_progress", NULL);
		/* The kiosk can follow its own payment; another kiosk's stays
		 * unnamed. */
		if (!strcmp((const char *)sqlite3_column_text(st, 1), kiosk))
			json_object_set_new(rp->json, "payment_id",
			                    json_string((const char *)sqlite3_column_text(st, 0)));
		rc = 0;
		goto out;
	}
	if (step != SQLITE_DONE)
		goto out;
	sqlite3_finalize(st);
	st = NULL;

	unsigned char r[8];
	if (getrandom(r, sizeof r, 0) != (ssize_t)sizeof r)
		goto out;
	snprintf(p.id, sizeof p.id, "pay-%02x%02x%02x%02x%02x%02x%02x%02x", r[0], r[1], r[2],
	         r[3], r[4], r[5], r[6], r[7]);
	snprintf(p.state, sizeof p.state, "created");
	snprintf(p.bill_id, sizeof p.bill_id, "%s", bill_id);
	p.expires_at = now + payment_ttl;
	p.qr = emv_build(p.amount_fen, p.payee[LANG_ZH], demo_merchant_city, p.id);
	if (!p.qr) {
		fprintf(stderr, "gatewayd: emv_build refused a payment of bill %s\n", bill_id);
		goto out;
	}
	st = db_prep(h, "INSERT INTO payments VALUES (?1, (SELECT coalesce(max(seq), 0) + 1 FROM"
	             " payments), ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, 'created', ?11, ?12, ?13,"
	             " ?12, NULL, NULL)");
	if (!st)
		goto out;
	db_bind_str(st, 1, p.id);
	db_bind_str(st, 2, kiosk);
	db_bind_str(st, 3, bill_id);
	sqlite3_bind_int64(st, 4, p.amount_fen);
	for (int l = 0; l < LANG_N; l++) {
		db_bind_str(st, 5 + l, p.payee[l]);
		db_bind_str(st, 8 + l, p.desc[l]);
	}
	db_bind_str(st, 11, p.qr);
	sqlite3_bind_int64(st, 12, now);
	sqlite3_bind_int64(st, 13, p.expires_at);
	if (sqlite3_step(st) != SQLITE_DONE)
		goto out;
	reply_json(rp, 201, pay_json(&p, rq->lang));
	*created = true;
	rc = 1;
out:
	sqlite3_finalize(st);
	*pp = p; /* the caller frees it (the QR made here too) */
	return rc;
}

void pay_create(struct req *rq, struct reply *rp)
{
	char kiosk[65], key[37], hash[65];
	if (!req_kiosk_id(rq, rp, kiosk))
		return;
	const char *k = req_header(rq, "Idempotency-Key");
	if (!idem_key_parse(k, key)) {
		json_t *errs = json_array();
		json_array_append_new(errs, problem_error("Idempotency-Key", k ? "invalid" : "missing",
		                                          pay_message(rq, k ? "key_invalid" : "key_missing")));
		reply_problem(rq, rp, "idempotency_key_invalid", errs);
		return;
	}
	req_body_hash(rq, hash);
	long long now = (long long)time(NULL);
	sqlite3 *h = db_begin(rq, rp);
	if (!h)
		return;
	bool created = false;
	int rc = db_replay(h, rq, rp, "idempotency", kiosk, key, hash, now);
	if (rc == 0) {
		json_t *body = json_loadb(rq->body ? rq->body : "", rq->body_len,
		                          JSON_REJECT_DUPLICATES, NULL);
		bool is_app = false;
		const char *bill = payment_target(rq, rp, body, &is_app);
		/* What the request decided is stored; a request that was not
		 * understood (400, 422) decided nothing and is not. */
		bool store = bill || rp->status == 404;
		if (bill && (is_app ? create_for_application(rq, rp, h, kiosk, bill, now, &created)
		                    : create_for_bill(rq, rp, h, kiosk, bill, now, &created)) < 0)
			rc = -1;
		if (rp->status == 401)
			store = false; /* no session: nothing decided */
		if (rc == 0 && store && db_idem_store(h, rq, rp, "idempotency", kiosk, key, hash, now))
			rc = -1;
		json_decref(body);
	}
	if (!db_end(rq, rp, h, rc >= 0))
		return;
	if (created && sim_drop_after_commit(rq->gw->sim, rq->path, true)) {
		req_drop_connection(rq);
		return;
	}
	rp->localized = true;
	spoil_qr(rq, rp);
}

/* ---- GET /v1/payments/{id}, /scan, /cancel ---------------------------------------- */

/* What a request does to a payment found in the open transaction: true to
 * answer it, with *to the state to move it to first (NULL: none); false
 * when it has put a problem in rp instead. */
typedef bool (*decide_fn)(const struct req *rq, struct reply *rp, const struct pay *p,
                          const char **to, const void *arg);

/* Loads the payment of the path (kiosk's, or any with NULL), lets decide
 * choose, and answers it (200) or decide's problem. */
static void change(struct req *rq, struct reply *rp, const char *kiosk, decide_fn decide,
                   const void *arg)
{
	struct pay p;
	long long now = (long long)time(NULL);
	sqlite3 *h = db_begin(rq, rp);
	if (!h)
		return;
	int rc = pay_for(rq, rp, h, kiosk, &p, now);
	const char *to = NULL;
	bool answer = rc == 1 && decide(rq, rp, &p, &to, arg);
	if (answer && to)
		rc = pay_set_state(h, &p, to, now);
	if (db_end(rq, rp, h, rc >= 0) && answer)
		reply_payment(rq, rp, 200, &p);
	pay_free(&p);
}

static bool decide_get(const struct req *rq, struct reply *rp, const struct pay *p,
                       const char **to, const void *arg)
{
	return true;
}

void pay_get(struct req *rq, struct reply *rp)
{
	char kiosk[65];
	if (req_kiosk_id(rq, rp, kiosk))
		change(rq, rp, kiosk, decide_get, NULL);
}

/* A scanned payment code: leading and trailing white space (a scanner's
 * Enter) dropped; 18 digits starting 10..15, or NULL. */
static const char *payment_code(const struct req *rq, char out[19])
{
	json_t *j = json_loadb(rq->body ? rq->body : "", rq->body_len, JSON_REJECT_DUPLICATES, NULL);
	const char *c = json_string_value(json_object_get(j, "code"));
	bool ok = false;
	if (c && json_object_size(j) == 1) {
		while (*c == ' ' || *c == '\t' || *c == '\r' || *c == '\n')
			c++;
		size_t n = strlen(c);
		while (n && (c[n - 1] == ' ' || c[n - 1] == '\t' || c[n - 1] == '\r' || c[n - 1] == '\n'))
			n--;
		ok = n == 18 && c[0] == '1' && c[1] >= '0' && c[1] <= '5';
		for (size_t i = 0; ok && i < n; i++)
			ok = c[i] >= '0' && c[i] <= '9';
		if (ok) {
			memcpy(out, c, 18);
			out[18] = '\0';
		}
	}
	json_decref(j);
	return ok ? out : NULL;
}

/* arg: the payment code, or NULL if what was scanned is not one. */
static bool decide_scan(const struct req *rq, struct reply *rp, const struct pay *p,
                        const char **to, const void *arg)
{
	const char *code = arg;
	if (!live(p->state))
		reply_final(rq, rp, p);
	else if (!code)
		reply_problem(rq, rp, "payment_code_invalid", NULL);
	else if (!strcmp(code, CODE_PAYS))
		*to = "success";
	else if (!strcmp(code, CODE_PENDING))
		*to = "pending";
	else
		reply_problem(rq, rp, "payment_code_refused", NULL);
	return *to != NULL;
}

void pay_scan(struct req *rq, struct reply *rp)
{
	char kiosk[65], code[19];
	if (!req_kiosk_id(rq, rp, kiosk))
		return;
	change(rq, rp, kiosk, decide_scan, payment_code(rq, code));
	explicit_bzero(code, sizeof code);
}

static bool decide_cancel(const struct req *rq, struct reply *rp, const struct pay *p,
                          const char **to, const void *arg)
{
	if (live(p->state))
		*to = "cancelled";
	else if (strcmp(p->state, "cancelled")) /* cancelling twice is cancelling */
		reply_final(rq, rp, p);
	return *to || !strcmp(p->state, "cancelled");
}

void pay_cancel(struct req *rq, struct reply *rp)
{
	char kiosk[65];
	if (req_kiosk_id(rq, rp, kiosk))
		change(rq, rp, kiosk, decide_cancel, NULL);
}

/* ---- /sim ----------------------------------------------------------------------- */

void sim_accounts(struct req *rq, struct reply *rp)
{
	json_t *accts = json_array();
	sqlite3 *h = db_lock(rq->gw->db);
	sqlite3_stmt *st = db_prep(h, "SELECT a.type, a.account, (SELECT count(*) FROM bills b"
	                           " WHERE b.type = a.type AND b.account = a.account"
	                           " AND b.paid_by IS NULL) FROM bill_accounts a ORDER BY a.ord");
	int rc = SQLITE_ERROR;
	while (st && (rc = sqlite3_step(st)) == SQLITE_ROW)
		json_array_append_new(accts, json_pack("{s:s, s:s, s:I}",
			"type", (const char *)sqlite3_column_text(st, 0),
			"account", (const char *)sqlite3_column_text(st, 1),
			"bills", (json_int_t)sqlite3_column_int64(st, 2)));
	sqlite3_finalize(st);
	db_unlock(rq->gw->db);
	if (rc != SQLITE_DONE) {
		json_decref(accts);
		reply_problem(rq, rp, "internal_error", NULL);
		return;
	}
	reply_json(rp, 200, json_pack("{s:o, s:{s:s, s:s, s:s}}", "accounts", accts,
	                              "payment_codes", "pays", CODE_PAYS, "pending", CODE_PENDING,
	                              "refused", "101234567890123456"));
}

void sim_payments(struct req *rq, struct reply *rp)
{
	json_t *list = json_array();
	sqlite3 *h = db_begin(rq, rp);
	if (!h) {
		json_decref(list);
		return;
	}
	sqlite3_stmt *st = expire_due(h, (long long)time(NULL)) ? NULL :
		db_prep(h, "SELECT id, state, amount_fen, bill_id, kiosk, created_at FROM payments"
		        " ORDER BY seq DESC LIMIT " SIM_RECENT);
	int rc = SQLITE_ERROR;
	while (st && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		char at[21];
		gw_rfc3339(at, sqlite3_column_int64(st, 5));
		json_array_append_new(list, json_pack("{s:s, s:s, s:I, s:s, s:s, s:s}",
			"id", (const char *)sqlite3_column_text(st, 0),
			"state", (const char *)sqlite3_column_text(st, 1),
			"amount_fen", (json_int_t)sqlite3_column_int64(st, 2),
			"bill_id", (const char *)sqlite3_column_text(st, 3),
			"kiosk", (const char *)sqlite3_column_text(st, 4),
			"created_at", at));
	}
	sqlite3_finalize(st);
	if (!db_end(rq, rp, h, rc == SQLITE_DONE)) {
		json_decref(list);
		return;
	}
	reply_json(rp, 200, json_pack("{s:o}", "payments", list));
}

/* The payer's app finishes the payment: arg is "success" or "failed". */
static bool decide_finish(const struct req *rq, struct reply *rp, const struct pay *p,
                          const char **to, const void *arg)
{
	if (live(p->state))
		*to = arg;
	else
		reply_final(rq, rp, p);
	return *to != NULL;
}

void sim_payment_pay(struct req *rq, struct reply *rp)
{
	change(rq, rp, NULL, decide_finish, "success");
}

void sim_payment_fail(struct req *rq, struct reply *rp)
{
	change(rq, rp, NULL, decide_finish, "failed");
}
