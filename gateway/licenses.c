/* licenses.c: e-licences (电子证照): GET /v1/me/licenses and the checker's
 * side, GET /v1/verify/{license}/{token}.
 *
 * The licences are demo data (demo_data.c, in SQLite after --demo). What
 * the kiosk shows as a QR is verify_payload, a URL holding the licence id
 * and a token that changes every refresh_s seconds: the first 12 bytes of
 * HMAC-SHA256(secret, "<license id>|<time slot>") in base64url, the slot
 * being the Unix time divided by refresh_s. The secret is made at start
 * (getrandom), so a screenshot of the QR, or a QR from before a restart,
 * goes stale. A checker's scan is accepted in the slot it was made for and
 * the next, so a kiosk that fetches again every refresh_s seconds never
 * shows a stale one.
 */
#include "gw_apps.h"
#include "gw_auth.h"
#include "gw_pay.h" /* the store (db_lock, db_col_dup) */

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#define VERIFY_URL  "https://gov.example.cn/v/"
#define TOKEN_BYTES 12          /* of the HMAC: 96 bits */
#define TOKEN_LEN   16          /* in base64url */

static int refresh_s = LICENSE_REFRESH_DEFAULT;
static unsigned char secret[32];

void licenses_init(int refresh)
{
	refresh_s = refresh;
	unsigned char *p = secret;
	size_t n = sizeof secret;
	while (n) {
		ssize_t got = getrandom(p, n, 0);
		if (got < 0) {
			if (errno == EINTR)
				continue;
			abort(); /* never a guessable secret */
		}
		p += got;
		n -= (size_t)got;
	}
}

void licenses_done(void)
{
	explicit_bzero(secret, sizeof secret);
}

/* HMAC-SHA256 (RFC 2104) of m under the secret. */
static void hmac(const void *m, size_t n, unsigned char out[32])
{
	unsigned char k[64] = { 0 }, inner[32];
	memcpy(k, secret, sizeof secret);
	unsigned char *buf = malloc(64 + (n > 32 ? n : 32));
	if (!buf)
		abort();
	for (int i = 0; i < 64; i++)
		buf[i] = k[i] ^ 0x36;
	memcpy(buf + 64, m, n);
	sha256(buf, 64 + n, inner);
	for (int i = 0; i < 64; i++)
		buf[i] = k[i] ^ 0x5c;
	memcpy(buf + 64, inner, 32);
	sha256(buf, 64 + 32, out);
	explicit_bzero(buf, 64 + (n > 32 ? n : 32));
	explicit_bzero(k, sizeof k);
	free(buf);
}

/* The token of licence id in time slot. */
static void token_for(const char *id, long long slot, char out[TOKEN_LEN + 1])
{
	static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	char m[160];
	int n = snprintf(m, sizeof m, "%s|%lld", id, slot);
	unsigned char d[32];
	hmac(m, (size_t)(n < (int)sizeof m ? n : (int)sizeof m - 1), d);
	size_t o = 0;
	for (size_t i = 0; i < TOKEN_BYTES; i += 3) {
		uint32_t v = (uint32_t)d[i] << 16 | (uint32_t)d[i + 1] << 8 | d[i + 2];
		out[o++] = b64[(v >> 18) & 63];
		out[o++] = b64[(v >> 12) & 63];
		out[o++] = b64[(v >> 6) & 63];
		out[o++] = b64[v & 63];
	}
	out[o] = '\0';
}

static long long slot_now(void)
{
	return (long long)time(NULL) / refresh_s;
}

static json_t *str_json(sqlite3_stmt *st, int i)
{
	const char *s = (const char *)sqlite3_column_text(st, i);
	json_t *j = json_string(s ? s : "");
	return j ? j : json_string("\xef\xbf\xbd");
}

static json_t *until_json(sqlite3_stmt *st, int i)
{
	return sqlite3_column_type(st, i) == SQLITE_NULL ? json_null() : str_json(st, i);
}

#define LIC_COLS "id, type, name_zh, name_en, name_tw, number_masked, issuer_zh, issuer_en," \
                 " issuer_tw, valid_until, citizen"
enum { L_ID, L_TYPE, L_NAME, L_NUMBER = L_NAME + LANG_N, L_ISSUER, L_UNTIL = L_ISSUER + LANG_N,
       L_CITIZEN };

void lic_mine(struct req *rq, struct reply *rp)
{
	struct citizen cit;
	if (!auth_session_citizen(rq, &cit)) {
		reply_problem(rq, rp, "session_expired", NULL);
		return;
	}
	json_t *list = json_array();
	long long slot = slot_now();
	sqlite3 *h = db_lock(rq->gw->db);
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(h, "SELECT " LIC_COLS " FROM licenses WHERE citizen = ?1"
	                               " ORDER BY ord", -1, &st, NULL) == SQLITE_OK ? SQLITE_ROW
	                                                                           : SQLITE_ERROR;
	if (st)
		sqlite3_bind_text(st, 1, cit.id, -1, SQLITE_TRANSIENT);
	while (rc == SQLITE_ROW && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *id = (const char *)sqlite3_column_text(st, L_ID);
		char tok[TOKEN_LEN + 1];
		token_for(id ? id : "", slot, tok);
		json_t *j = json_pack("{s:o, s:o, s:o, s:o, s:o, s:o, s:s+++, s:i}",
			"id", str_json(st, L_ID), "type", str_json(st, L_TYPE),
			"name", str_json(st, L_NAME + (int)rq->lang),
			"number_masked", str_json(st, L_NUMBER),
			"issuer", str_json(st, L_ISSUER + (int)rq->lang),
			"valid_until", until_json(st, L_UNTIL),
			"verify_payload", VERIFY_URL, id ? id : "", "/", tok,
			"refresh_s", refresh_s);
		if (!j)
			abort();
		json_array_append_new(list, j);
	}
	if (rc != SQLITE_DONE)
		fprintf(stderr, "gatewayd: db: licences: %s\n", sqlite3_errmsg(h));
	sqlite3_finalize(st);
	db_unlock(rq->gw->db);
	explicit_bzero(&cit, sizeof cit);
	if (rc != SQLITE_DONE) {
		json_decref(list);
		reply_problem(rq, rp, "internal_error", NULL);
		return;
	}
	reply_json(rp, 200, json_pack("{s:o}", "licenses", list));
	rp->localized = true;
}

/* Compares two tokens of TOKEN_LEN characters without an early exit. */
static bool token_eq(const char *a, const char *b)
{
	unsigned char d = 0;
	for (size_t i = 0; i < TOKEN_LEN; i++)
		d |= (unsigned char)(a[i] ^ b[i]);
	return d == 0;
}

/* What a checker's phone is told: {"valid": true, "license": {...}} with
 * the holder's masked name, or {"valid": false, "reason": "unknown" |
 * "stale" | "expired"}. Never a 404: a guessed licence id learns nothing
 * more than a stale token does. */
void lic_verify(struct req *rq, struct reply *rp)
{
	const char *id = rq->params[0], *token = rq->params[1];
	const char *reason = "unknown";
	json_t *lic = NULL;
	if (strlen(id) <= 64 && strlen(token) == TOKEN_LEN) {
		sqlite3 *h = db_lock(rq->gw->db);
		sqlite3_stmt *st = NULL;
		int rc = SQLITE_ERROR;
		if (sqlite3_prepare_v2(h, "SELECT " LIC_COLS " FROM licenses WHERE id = ?1", -1, &st,
		                       NULL) == SQLITE_OK) {
			sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
			rc = sqlite3_step(st);
		}
		if (rc == SQLITE_ROW) {
			long long slot = slot_now();
			char now_tok[TOKEN_LEN + 1], prev_tok[TOKEN_LEN + 1], holder[160] = "";
			token_for(id, slot, now_tok);
			token_for(id, slot - 1, prev_tok);
			/* Both compared, so the time taken does not say which slot. */
			bool fresh_now = token_eq(token, now_tok), fresh_prev = token_eq(token, prev_tok);
			bool fresh = fresh_now || fresh_prev;
			const char *until = (const char *)sqlite3_column_text(st, L_UNTIL);
			char today[21];
			gw_rfc3339(today, (long long)time(NULL));
			today[10] = '\0';
			const char *cit = (const char *)sqlite3_column_text(st, L_CITIZEN);
			auth_display_name(rq->gw->auth, cit ? cit : "", holder, sizeof holder);
			if (!fresh) {
				reason = "stale";
			} else if (until && strcmp(until, today) < 0) {
				reason = "expired";
			} else {
				reason = NULL;
				lic = json_pack("{s:o, s:o, s:o, s:o, s:o, s:s}",
					"type", str_json(st, L_TYPE),
					"name", str_json(st, L_NAME + (int)rq->lang),
					"number_masked", str_json(st, L_NUMBER),
					"issuer", str_json(st, L_ISSUER + (int)rq->lang),
					"valid_until", until_json(st, L_UNTIL), "holder", holder);
			}
		} else if (rc != SQLITE_DONE) {
			reason = "";
		}
		sqlite3_finalize(st);
		db_unlock(rq->gw->db);
	}
	if (reason && !*reason) {
		reply_problem(rq, rp, "internal_error", NULL);
		return;
	}
	json_t *j = lic ? json_pack("{s:b, s:o}", "valid", 1, "license", lic)
	                : json_pack("{s:b, s:s}", "valid", 0, "reason", reason);
	if (!j)
		abort();
	reply_json(rp, 200, j);
	rp->localized = true;
}
