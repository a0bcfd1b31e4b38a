/* hall.c: the service hall in the reference gateway: staff cards, the
 * kiosks' heartbeats and remote configuration, the operator's fleet page,
 * queue tickets (排队取号), ratings (好差评) and help calls
 * (呼叫工作人员), with the simulator's side of them (/sim/staff-code,
 * /sim/kiosk-config, /sim/help, /sim/queue).
 *
 * Everything a kiosk asks for here is the kiosk's (X-Kiosk-Id required);
 * no citizen session is needed: a ticket is taken by anyone, a rating may
 * come from the outbox after the session has ended. Each request runs in
 * one BEGIN IMMEDIATE transaction under the store's lock (db_begin), so
 * two of them never interleave: one code is used once, one subject rated
 * once, one key makes one ticket.
 *
 * Staff codes are stored by their SHA-256, never as they are, and nothing
 * here logs. Heartbeats and configs are the kiosk's own data, kept as JSON
 * text (the last heartbeat of each kiosk; every config by version).
 */
#include "gw_hall.h"
#include "gw_auth.h"
#include "gw_pay.h" /* the store (db_begin...), req_kiosk_id, idem_key_parse */
#include "validate.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <time.h>

#define STAFF_CODE_PREFIX   "STF-"
#define STAFF_CODE_CHARS    16            /* after the prefix, [A-Z2-7] */
#define STAFF_NAME_MAX      32            /* characters */
#define STAFF_DEFAULT_NAME  "王工"
#define STAFF_CODES_KEPT_S  86400         /* an expired code is known as such this long */

static struct hall_config cfg = {
	.staff_code_ttl = HALL_STAFF_CODE_TTL_DEFAULT,
	.queue_step = HALL_QUEUE_STEP_DEFAULT,
};

void hall_init(const struct hall_config *c)
{
	cfg = *c;
}

#define MSG(zh, en) lang_pick(rq->lang, zh, en)

/* ---- small helpers ---------------------------------------------------------- */

/* The body as a JSON object (a new reference), or NULL after 400 bad_json
 * in rp (not JSON, not an object, duplicate members, not UTF-8, a NUL).
 * empty_ok: no body at all is {}. */
static json_t *body_object(const struct req *rq, struct reply *rp, bool empty_ok)
{
	json_t *j = empty_ok && !rq->body_len ? json_object()
	            : json_loadb(rq->body ? rq->body : "", rq->body_len, JSON_REJECT_DUPLICATES, NULL);
	if (json_is_object(j))
		return j;
	json_decref(j);
	reply_problem(rq, rp, "bad_json", NULL);
	return NULL;
}

static void err_add(json_t *errs, const char *field, const char *code, const char *msg)
{
	json_array_append_new(errs, problem_error(field, code, msg));
}

/* 422 (code) with errs if it holds any: true; else errs is freed. */
static bool refused(const struct req *rq, struct reply *rp, const char *code, json_t *errs)
{
	if (json_array_size(errs)) {
		reply_problem(rq, rp, code, errs);
		return true;
	}
	json_decref(errs);
	return false;
}

/* A string of 1..max bytes of printable ASCII, no spaces (ids, versions). */
static __attribute__((unused)) bool ascii_word(const json_t *v, size_t max)
{
	const char *s = json_string_value(v);
	size_t n = json_string_length(v);
	if (!s || n == 0 || n > max || strlen(s) != n)
		return false;
	for (size_t i = 0; i < n; i++)
		if (s[i] <= 0x20 || s[i] >= 0x7f)
			return false;
	return true;
}

/* Text a person wrote (a name, a comment, an error line): at most max
 * characters, no control, bidi or invisible characters (validate.c). */
static bool plain_text(const json_t *v, size_t max, bool required)
{
	const char *s = json_string_value(v);
	return s && v_text(s, json_string_length(v), max, required) == V_OK;
}

static const char *col(sqlite3_stmt *st, int i)
{
	const char *s = (const char *)sqlite3_column_text(st, i);
	return s ? s : "";
}

/* A string for JSON from the store (which only ever holds UTF-8). */
static json_t *str_json(const char *s)
{
	json_t *j = json_string(s);
	return j ? j : json_string("\xef\xbf\xbd");
}

static __attribute__((unused)) json_t *time_json(long long t)
{
	char s[21];
	gw_rfc3339(s, t);
	return json_string(s);
}

/* The local date of t: "YYYYMMDD" (compact) or "YYYY-MM-DD". */
static __attribute__((unused)) void local_day(long long t, bool compact, char out[16])
{
	struct tm tm;
	time_t tt = (time_t)t;
	localtime_r(&tt, &tm);
	snprintf(out, 16, compact ? "%04d%02d%02d" : "%04d-%02d-%02d", (tm.tm_year + 1900) % 10000,
	         (tm.tm_mon + 1) % 100, tm.tm_mday % 100);
}

static void hex_sha256(const char *s, char out[65])
{
	unsigned char d[32];
	sha256(s, strlen(s), d);
	for (int i = 0; i < 32; i++)
		snprintf(out + 2 * i, 3, "%02x", d[i]);
}

/* One row's first column as an integer (*out), in the open transaction;
 * bind: up to three texts (NULL: not bound). 1 row, 0 none, -1 error. */
static int query_int(sqlite3 *h, const char *sql, const char *a, const char *b, const char *c,
                     long long *out)
{
	sqlite3_stmt *st = db_prep(h, sql);
	if (!st)
		return -1;
	const char *args[3] = { a, b, c };
	for (int i = 0; i < 3; i++)
		if (args[i])
			db_bind_str(st, i + 1, args[i]);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*out = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
}

/* A statement run to its end with texts a, b, c and integers x, y bound
 * (?1..?3 texts, ?4 ?5 integers; NULL texts unbound). 0 or -1. */
static int exec_args(sqlite3 *h, const char *sql, const char *a, const char *b, const char *c,
                     long long x, long long y)
{
	sqlite3_stmt *st = db_prep(h, sql);
	if (!st)
		return -1;
	const char *args[3] = { a, b, c };
	for (int i = 0; i < 3; i++)
		if (args[i])
			db_bind_str(st, i + 1, args[i]);
	if (sqlite3_bind_parameter_count(st) >= 4)
		sqlite3_bind_int64(st, 4, x);
	if (sqlite3_bind_parameter_count(st) >= 5)
		sqlite3_bind_int64(st, 5, y);
	int rc = sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
	sqlite3_finalize(st);
	return rc;
}

/* ---- staff -------------------------------------------------------------------- */

/* The staff member of this name (made if new: S001, S002 ...), in the open
 * transaction: 0 and id, or -1. */
static int staff_for(sqlite3 *h, const char *name, char id[16])
{
	sqlite3_stmt *st = db_prep(h, "SELECT id FROM staff WHERE name = ?1");
	if (!st)
		return -1;
	db_bind_str(st, 1, name);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		snprintf(id, 16, "%s", col(st, 0));
	sqlite3_finalize(st);
	if (rc == SQLITE_ROW)
		return 0;
	if (rc != SQLITE_DONE)
		return -1;
	long long seq = 0;
	if (query_int(h, "SELECT coalesce(max(seq), 0) + 1 FROM staff", NULL, NULL, NULL, &seq) != 1)
		return -1;
	snprintf(id, 16, "S%03lld", seq % 1000000);
	return exec_args(h, "INSERT INTO staff VALUES (?1, ?4, ?2)", id, name, NULL, seq, 0);
}

/* A staff code as scanned (white space around it dropped, as a scanner's
 * Enter), if it has the shape of one: "STF-" and 16 of [A-Z2-7]. */
static bool staff_code_shape(const char *s, char out[32])
{
	while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
		s++;
	size_t n = strlen(s);
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' || s[n - 1] == '\n'))
		n--;
	size_t pl = sizeof STAFF_CODE_PREFIX - 1;
	if (n != pl + STAFF_CODE_CHARS || strncmp(s, STAFF_CODE_PREFIX, pl))
		return false;
	for (size_t i = pl; i < n; i++)
		if (!((s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= '2' && s[i] <= '7')))
			return false;
	memcpy(out, s, n);
	out[n] = '\0';
	return true;
}

void hall_staff(struct req *rq, struct reply *rp)
{
	char kiosk[65], code[32] = "", hash[65];
	if (!req_kiosk_id(rq, rp, kiosk))
		return;
	json_t *body = body_object(rq, rp, false), *v;
	if (!body)
		return;
	json_t *errs = json_array();
	const char *k;
	bool shaped = false;
	json_object_foreach(body, k, v) {
		if (strcmp(k, "code"))
			err_add(errs, k, "unknown_field", MSG("不认识的字段", "unknown field"));
		else if (!json_is_string(v))
			err_add(errs, k, "type", MSG("须为工作人员码（字符串）", "must be a staff code (a string)"));
		else
			shaped = staff_code_shape(json_string_value(v), code);
	}
	if (!json_object_get(body, "code"))
		err_add(errs, "code", "required", MSG("缺少工作人员码（code）", "the staff code is missing (code)"));
	json_decref(body);
	if (refused(rq, rp, "validation_failed", errs))
		return;
	if (!shaped) {
		reply_problem(rq, rp, "invalid_code", NULL);
		return;
	}
	hex_sha256(code, hash);
	explicit_bzero(code, sizeof code);
	long long now = (long long)time(NULL);
	sqlite3 *h = db_begin(rq, rp);
	if (!h)
		return;
	int rc = exec_args(h, "DELETE FROM staff_codes WHERE expires_at <= ?4", NULL, NULL, NULL,
	                   now - STAFF_CODES_KEPT_S, 0);
	sqlite3_stmt *st = rc ? NULL :
		db_prep(h, "SELECT c.used_at, c.expires_at, s.id, s.name FROM staff_codes c"
		        " JOIN staff s ON s.id = c.staff_id WHERE c.hash = ?1");
	json_t *j = NULL;
	if (st) {
		db_bind_str(st, 1, hash);
		int step = sqlite3_step(st);
		if (step == SQLITE_DONE) {
			reply_problem(rq, rp, "invalid_code", NULL);
		} else if (step != SQLITE_ROW) {
			rc = -1;
		} else if (sqlite3_column_type(st, 0) != SQLITE_NULL) {
			reply_problem(rq, rp, "staff:code_used", NULL);
		} else if (sqlite3_column_int64(st, 1) <= now) {
			reply_problem(rq, rp, "staff:code_expired", NULL);
		} else {
			char masked[160];
			auth_mask_name(col(st, 3), masked, sizeof masked);
			j = json_pack("{s:o, s:o, s:i}", "staff_id", str_json(col(st, 2)),
			              "name", str_json(masked), "expires_in", HALL_STAFF_SESSION_S);
			if (!j)
				abort();
		}
		sqlite3_finalize(st);
	} else {
		rc = -1;
	}
	if (!rc && j)
		rc = exec_args(h, "UPDATE staff_codes SET used_at = ?4, used_by = ?2 WHERE hash = ?1",
		               hash, kiosk, NULL, now, 0);
	if (!db_end(rq, rp, h, rc == 0)) {
		json_decref(j);
		return;
	}
	if (j)
		reply_json(rp, 200, j);
}

void sim_staff_code(struct req *rq, struct reply *rp)
{
	json_t *body = body_object(rq, rp, true), *v;
	if (!body)
		return;
	json_t *errs = json_array();
	const char *k, *name = STAFF_DEFAULT_NAME;
	json_object_foreach(body, k, v) {
		if (strcmp(k, "name"))
			err_add(errs, k, "unknown_field", MSG("不认识的字段", "unknown field"));
		else if (!plain_text(v, STAFF_NAME_MAX, true))
			err_add(errs, k, "invalid", MSG("须为 1 到 32 个字的姓名，不含控制字符",
			                                "must be a name of 1 to 32 characters, without control characters"));
		else
			name = json_string_value(v);
	}
	if (refused(rq, rp, "validation_failed", errs)) {
		json_decref(body);
		return;
	}
	static const char b32[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
	unsigned char r[STAFF_CODE_CHARS];
	char code[32], hash[65], id[16];
	if (getrandom(r, sizeof r, 0) != (ssize_t)sizeof r) {
		json_decref(body);
		reply_problem(rq, rp, "internal_error", NULL);
		return;
	}
	size_t pl = sizeof STAFF_CODE_PREFIX - 1;
	memcpy(code, STAFF_CODE_PREFIX, pl);
	for (int i = 0; i < STAFF_CODE_CHARS; i++)
		code[pl + (size_t)i] = b32[r[i] & 31];
	code[pl + STAFF_CODE_CHARS] = '\0';
	hex_sha256(code, hash);
	long long now = (long long)time(NULL);
	sqlite3 *h = db_begin(rq, rp);
	if (!h) {
		json_decref(body);
		return;
	}
	int rc = staff_for(h, name, id);
	if (!rc)
		rc = exec_args(h, "INSERT INTO staff_codes VALUES (?1, ?2, ?4, ?5, NULL, NULL)", hash, id,
		               NULL, now, now + cfg.staff_code_ttl);
	json_decref(body);
	if (!db_end(rq, rp, h, rc == 0))
		return;
	json_t *j = json_pack("{s:s, s:i}", "code", code, "expires_in", cfg.staff_code_ttl);
	if (!j)
		abort();
	explicit_bzero(code, sizeof code);
	reply_json(rp, 200, j);
	rp->secret = true;
}
