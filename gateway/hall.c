/* hall.c: the service hall in the reference gateway: staff cards, the
 * kiosks' heartbeats and remote configuration, the operator's fleet page,
 * queue tickets (排队取号), ratings (好差评) and help calls
 * (呼叫工作人员), with the simulator's side of them (/sim/staff-code,
 * /sim/kiosk-config, /sim/help, /sim/queue, /sim/ratings).
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
	.heartbeat = HALL_HEARTBEAT_DEFAULT,
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
static bool ascii_word(const json_t *v, size_t max)
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

static json_t *time_json(long long t)
{
	char s[21];
	gw_rfc3339(s, t);
	return json_string(s);
}

/* The local date of t: "YYYYMMDD" (compact) or "YYYY-MM-DD". */
static void local_day(long long t, bool compact, char out[16])
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

/* ---- heartbeats and configuration ------------------------------------------------ */

#define VERSION_MAX     32            /* bytes of a kiosk's version */
#define UPTIME_MAX      315360000LL   /* s: ten years */
#define PENDING_MAX     1000000LL     /* outbox entries */
#define LAST_ERROR_MAX  200           /* characters */
#define CONFIG_VERSION_MAX 2147483647LL

static const char *const dev_ok_fault_none[] = { "ok", "fault", "none", NULL };
static const char *const dev_printer[] = { "ok", "fault", "paper_out", "none", NULL };

static const struct {
	const char *name;
	const char *const *states;
	const char *zh, *en;         /* what the error says */
} devices[] = {
	{ "scanner", dev_ok_fault_none, "须为 ok、fault、none 之一", "must be one of ok, fault, none" },
	{ "printer", dev_printer, "须为 ok、fault、paper_out、none 之一",
	  "must be one of ok, fault, paper_out, none" },
	{ "speech", dev_ok_fault_none, "须为 ok、fault、none 之一", "must be one of ok, fault, none" },
};
#define N_DEVICES (sizeof devices / sizeof devices[0])

static bool one_of(const json_t *v, const char *const list[])
{
	const char *s = json_string_value(v);
	for (size_t i = 0; s && list[i]; i++)
		if (!strcmp(s, list[i]))
			return true;
	return false;
}

static bool int_in(const json_t *v, long long min, long long max)
{
	return json_is_integer(v) && json_integer_value(v) >= min && json_integer_value(v) <= max;
}

/* The devices member checked into errs; their states in the contract's
 * order (a new reference) if all are right. */
static json_t *devices_state(const struct req *rq, json_t *v, json_t *errs)
{
	if (!json_is_object(v)) {
		err_add(errs, "devices", "type", MSG("须为各设备状态的 JSON 对象",
		                                      "must be a JSON object of the devices' states"));
		return NULL;
	}
	json_t *out = json_object(), *m;
	const char *k;
	size_t bad = json_array_size(errs);
	json_object_foreach(v, k, m) {
		size_t d = 0;
		while (d < N_DEVICES && strcmp(devices[d].name, k))
			d++;
		char field[96];
		snprintf(field, sizeof field, "devices.%.80s", k);
		if (d == N_DEVICES)
			err_add(errs, field, "unknown_field", MSG("不认识的设备", "unknown device"));
		else if (!one_of(m, devices[d].states))
			err_add(errs, field, "unknown_value", MSG(devices[d].zh, devices[d].en));
	}
	for (size_t d = 0; d < N_DEVICES; d++) {
		json_t *s = json_object_get(v, devices[d].name);
		if (!s) {
			char field[96];
			snprintf(field, sizeof field, "devices.%s", devices[d].name);
			err_add(errs, field, "required", MSG(devices[d].zh, devices[d].en));
		} else {
			json_object_set(out, devices[d].name, s);
		}
	}
	if (json_array_size(errs) > bad) {
		json_decref(out);
		return NULL;
	}
	return out;
}

/* A heartbeat's body checked, as stored: the contract's members in its
 * order (a new reference); NULL after a 422 in rp naming every member that
 * is wrong. last_error may be left out (none). */
static json_t *heartbeat_state(const struct req *rq, struct reply *rp, json_t *body)
{
	static const char *const required[] = { "version", "uptime_s", "devices", "outbox_pending",
	                                        "config_version", NULL };
	json_t *errs = json_array(), *v, *devs = NULL;
	const char *k;
	json_object_foreach(body, k, v) {
		if (!strcmp(k, "version")) {
			if (!ascii_word(v, VERSION_MAX))
				err_add(errs, k, "invalid", MSG("须为 1 到 32 个可打印的 ASCII 字符（不含空格）",
				                                "must be 1 to 32 printable ASCII characters, no spaces"));
		} else if (!strcmp(k, "uptime_s")) {
			if (!int_in(v, 0, UPTIME_MAX))
				err_add(errs, k, "out_of_range", MSG("须为 0 到 315360000 之间的整数（秒）",
				                                     "must be an integer from 0 to 315360000 (seconds)"));
		} else if (!strcmp(k, "outbox_pending")) {
			if (!int_in(v, 0, PENDING_MAX))
				err_add(errs, k, "out_of_range", MSG("须为 0 到 1000000 之间的整数",
				                                     "must be an integer from 0 to 1000000"));
		} else if (!strcmp(k, "config_version")) {
			if (!int_in(v, 0, CONFIG_VERSION_MAX))
				err_add(errs, k, "out_of_range", MSG("须为 0 到 2147483647 之间的整数",
				                                     "must be an integer from 0 to 2147483647"));
		} else if (!strcmp(k, "last_error")) {
			if (!json_is_null(v) && !plain_text(v, LAST_ERROR_MAX, false))
				err_add(errs, k, "invalid", MSG("须为 null 或不超过 200 个字的文字，不含控制字符",
				                                "must be null or text of at most 200 characters, without control characters"));
		} else if (!strcmp(k, "devices")) {
			devs = devices_state(rq, v, errs);
		} else {
			err_add(errs, k, "unknown_field", MSG("不认识的字段", "unknown field"));
		}
	}
	for (size_t i = 0; required[i]; i++)
		if (!json_object_get(body, required[i]))
			err_add(errs, required[i], "required", MSG("缺少该字段", "this member is missing"));
	if (refused(rq, rp, "validation_failed", errs)) {
		json_decref(devs);
		return NULL;
	}
	json_t *le = json_object_get(body, "last_error");
	json_t *j = json_pack("{s:O, s:O, s:o, s:O, s:O, s:O}", "version",
	                      json_object_get(body, "version"), "uptime_s",
	                      json_object_get(body, "uptime_s"), "devices", devs,
	                      "outbox_pending", json_object_get(body, "outbox_pending"),
	                      "last_error", le ? le : json_null(), "config_version",
	                      json_object_get(body, "config_version"));
	if (!j)
		abort();
	return j;
}

/* The newest config of kiosk, in the open transaction: 1 with its version
 * (and, if conf is not NULL, the config: a new reference), 0 if there is
 * none, -1. */
static int config_latest(sqlite3 *h, const char *kiosk, long long *version, json_t **conf)
{
	sqlite3_stmt *st = db_prep(h, "SELECT version, config FROM kiosk_configs WHERE kiosk = ?1"
	                           " ORDER BY version DESC LIMIT 1");
	if (!st)
		return -1;
	db_bind_str(st, 1, kiosk);
	int rc = sqlite3_step(st), r = rc == SQLITE_DONE ? 0 : -1;
	if (rc == SQLITE_ROW) {
		*version = sqlite3_column_int64(st, 0);
		r = 1;
		if (conf) {
			*conf = json_loads(col(st, 1), 0, NULL);
			if (!json_is_object(*conf)) {
				json_decref(*conf);
				*conf = NULL;
				r = -1;
			}
		}
	}
	sqlite3_finalize(st);
	return r;
}

/* The config's notice for language l: the string, or its text in l (else
 * in zh_CN) when it is an object of languages; null if there is none. A
 * new reference. */
static json_t *notice_of(const json_t *conf, enum lang l)
{
	static const char *const keys[LANG_N] = { [LANG_ZH] = "zh_CN", [LANG_EN] = "en",
	                                           [LANG_TW] = "zh_TW" };
	json_t *n = json_object_get(conf, "notice");
	if (json_is_object(n)) {
		json_t *t = json_object_get(n, keys[l]);
		n = json_is_string(t) ? t : json_object_get(n, keys[LANG_ZH]);
	}
	return json_is_string(n) ? json_incref(n) : json_null();
}

void hall_heartbeat(struct req *rq, struct reply *rp)
{
	char kiosk[65];
	if (!req_kiosk_id(rq, rp, kiosk))
		return;
	json_t *body = body_object(rq, rp, false);
	if (!body)
		return;
	json_t *state = heartbeat_state(rq, rp, body);
	json_decref(body);
	if (!state)
		return;
	char *text = json_dumps(state, JSON_COMPACT);
	json_decref(state);
	if (!text)
		abort();
	long long now = (long long)time(NULL), version = 0;
	json_t *conf = NULL;
	sqlite3 *h = db_begin(rq, rp);
	if (!h) {
		free(text);
		return;
	}
	int rc = exec_args(h, "INSERT INTO heartbeats VALUES (?1, ?4, 1, ?2) ON CONFLICT (kiosk)"
	                   " DO UPDATE SET last_seen = ?4, beats = beats + 1, state = ?2",
	                   kiosk, text, NULL, now, 0);
	free(text);
	if (!rc && config_latest(h, kiosk, &version, &conf) < 0)
		rc = -1;
	if (!db_end(rq, rp, h, rc == 0)) {
		json_decref(conf);
		return;
	}
	json_t *j = json_pack("{s:I, s:o}", "config_version", (json_int_t)version,
	                      "notice", notice_of(conf, rq->lang));
	json_decref(conf);
	if (!j)
		abort();
	reply_json(rp, 200, j);
	rp->localized = true;
}

void hall_config(struct req *rq, struct reply *rp)
{
	char kiosk[65];
	if (!req_kiosk_id(rq, rp, kiosk))
		return;
	long long version = 0;
	json_t *conf = NULL;
	sqlite3 *h = db_begin(rq, rp);
	if (!h)
		return;
	int rc = config_latest(h, kiosk, &version, &conf);
	if (!db_end(rq, rp, h, rc >= 0)) {
		json_decref(conf);
		return;
	}
	if (rc == 0) {
		reply_problem(rq, rp, "no_config", NULL);
		return;
	}
	json_t *j = json_pack("{s:I, s:o}", "config_version", (json_int_t)version, "config", conf);
	if (!j)
		abort();
	reply_json(rp, 200, j);
}

void sim_kiosk_config(struct req *rq, struct reply *rp)
{
	json_t *body = body_object(rq, rp, false), *v;
	if (!body)
		return;
	json_t *errs = json_array();
	const char *k;
	json_object_foreach(body, k, v) {
		if (!strcmp(k, "kiosk_id")) {
			if (!ascii_word(v, 64))
				err_add(errs, k, "invalid", pay_message(rq, "kiosk_invalid"));
		} else if (!strcmp(k, "config")) {
			if (!json_is_object(v))
				err_add(errs, k, "type", MSG("须为 JSON 对象", "must be a JSON object"));
		} else {
			err_add(errs, k, "unknown_field", MSG("不认识的字段", "unknown field"));
		}
	}
	if (!json_object_get(body, "kiosk_id"))
		err_add(errs, "kiosk_id", "required", MSG("缺少该字段", "this member is missing"));
	if (!json_object_get(body, "config"))
		err_add(errs, "config", "required", MSG("缺少该字段", "this member is missing"));
	if (refused(rq, rp, "validation_failed", errs)) {
		json_decref(body);
		return;
	}
	char *text = json_dumps(json_object_get(body, "config"), JSON_COMPACT);
	if (!text)
		abort();
	char kiosk[65];
	snprintf(kiosk, sizeof kiosk, "%s", json_string_value(json_object_get(body, "kiosk_id")));
	json_decref(body);
	long long now = (long long)time(NULL), version = 0;
	sqlite3 *h = db_begin(rq, rp);
	if (!h) {
		free(text);
		return;
	}
	int rc = query_int(h, "SELECT coalesce(max(version), 0) + 1 FROM kiosk_configs"
	                   " WHERE kiosk = ?1", kiosk, NULL, NULL, &version) == 1 ? 0 : -1;
	if (!rc)
		rc = exec_args(h, "INSERT INTO kiosk_configs VALUES (?1, ?4, ?2, ?5)", kiosk, text, NULL,
		               version, now);
	free(text);
	if (!db_end(rq, rp, h, rc == 0))
		return;
	reply_json(rp, 201, json_pack("{s:I}", "config_version", (json_int_t)version));
}

/* ---- queue tickets ---------------------------------------------------------------- */

#define SERVICE_ID_MAX      64
#define QUEUE_PER_PERSON_S  150   /* the estimate per person when nobody is called */

/* RFC 3339 in local time with its offset: "2026-12-03T14:05:00+08:00". */
static void local_rfc3339(long long t, char out[64])
{
	struct tm tm;
	time_t tt = (time_t)t;
	localtime_r(&tt, &tm);
	long off = tm.tm_gmtoff;
	char sign = off < 0 ? '-' : '+';
	if (off < 0)
		off = -off;
	snprintf(out, 64, "%04d-%02d-%02dT%02d:%02d:%02d%c%02ld:%02ld", (tm.tm_year + 1900) % 10000,
	         tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec % 60, sign,
	         (off / 3600) % 100, off % 3600 / 60);
}

struct qsvc {
	char kind[16];
	char *where[LANG_N], *name[LANG_N];
};

static void qsvc_free(struct qsvc *s)
{
	for (int l = 0; l < LANG_N; l++) {
		free(s->where[l]);
		free(s->name[l]);
	}
	memset(s, 0, sizeof *s);
}

/* Service id, in the open transaction: 1 and *s, 0 if there is none, -1. */
static int qsvc_load(sqlite3 *h, const char *id, struct qsvc *s)
{
	memset(s, 0, sizeof *s);
	sqlite3_stmt *st = db_prep(h, "SELECT kind, where_zh, where_en, where_tw, name_zh, name_en,"
	                           " name_tw FROM services WHERE id = ?1");
	if (!st)
		return -1;
	db_bind_str(st, 1, id);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		snprintf(s->kind, sizeof s->kind, "%s", col(st, 0));
		for (int l = 0; l < LANG_N; l++) {
			s->where[l] = db_col_dup(st, 1 + l);
			s->name[l] = db_col_dup(st, 4 + l);
		}
	}
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
}

/* The services one can queue for: of kind queue, or done at a window. */
#define QUEUEABLE "(kind = 'queue' OR where_zh != '')"

/* The ticket letters of the services at this window (their where, zh-CN):
 * the windows of services one can queue for, in the catalog's order,
 * lettered A to Z, then AA, AB ... *idx gets the window's place. */
static int window_letters(sqlite3 *h, const char *where_zh, char out[8], long long *idx)
{
	if (query_int(h, "SELECT count(*) FROM (SELECT min(ord) AS o FROM services WHERE " QUEUEABLE
	              " GROUP BY where_zh) WHERE o < (SELECT min(ord) FROM services WHERE"
	              " where_zh = ?1 AND " QUEUEABLE ")", where_zh, NULL, NULL, idx) != 1)
		return -1;
	char rev[8];
	size_t n = 0;
	for (long long v = *idx + 1; v > 0 && n < sizeof rev - 1; v /= 26) {
		v--;
		rev[n++] = (char)('A' + v % 26);
	}
	for (size_t i = 0; i < n; i++)
		out[i] = rev[n - 1 - i];
	out[n] = '\0';
	return 0;
}

/* The window as a ticket names it: the where up to its first bracket
 * ("3号窗口（社保综合窗口）" is 3号窗口, "Window 3 (Social insurance)"
 * Window 3); the whole where if that leaves nothing; for a queue with no
 * window, words saying to watch the display. A new string. */
static char *window_name(const char *where, enum lang l)
{
	if (!*where)
		where = lang_pick(l, "请留意大厅叫号屏", "Watch the hall's display for your number");
	size_t n = strlen(where);
	const char *b = strstr(where, "（"), *p = strchr(where, '(');
	size_t cut = b ? (size_t)(b - where) : n;
	if (p && (size_t)(p - where) < cut)
		cut = (size_t)(p - where);
	while (cut && where[cut - 1] == ' ')
		cut--;
	if (!cut)
		cut = n;
	char *out = strndup(where, cut);
	if (!out)
		abort();
	return out;
}

/* The hall's clock for one queue: every --queue-step-s seconds one more
 * ticket is called while anyone waits; an empty queue waits for the next
 * ticket (the step then starts from now). */
static void queue_advance(long long issued, long long *called, long long *called_at, long long now)
{
	if (cfg.queue_step <= 0)
		return;
	if (*called >= issued) {
		*called_at = now;
		return;
	}
	long long n = (now - *called_at) / cfg.queue_step;
	if (n <= 0)
		return;
	if (n >= issued - *called) {
		*called = issued;
		*called_at = now;
	} else {
		*called += n;
		*called_at += n * cfg.queue_step;
	}
}

/* The next number of window group grp on day, in the open transaction,
 * after the calls that came due: 0 with *num and *ahead (those before it
 * not called yet), or -1. A group's first ticket of the day finds seed
 * people already waiting (the hall's own ticket machine opened first). */
static int queue_take(sqlite3 *h, const char *day, const char *grp, long long seed, long long now,
                      long long *num, long long *ahead)
{
	long long issued = seed, called = 0, called_at = now;
	sqlite3_stmt *st = db_prep(h, "SELECT issued, called, called_at FROM queue_days"
	                           " WHERE day = ?1 AND grp = ?2");
	if (!st)
		return -1;
	db_bind_str(st, 1, day);
	db_bind_str(st, 2, grp);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		issued = sqlite3_column_int64(st, 0);
		called = sqlite3_column_int64(st, 1);
		called_at = sqlite3_column_int64(st, 2);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return -1;
	queue_advance(issued, &called, &called_at, now);
	*num = issued + 1;
	*ahead = *num - 1 - called;
	st = db_prep(h, "INSERT OR REPLACE INTO queue_days VALUES (?1, ?2, ?3, ?4, ?5)");
	if (!st)
		return -1;
	db_bind_str(st, 1, day);
	db_bind_str(st, 2, grp);
	sqlite3_bind_int64(st, 3, *num);
	sqlite3_bind_int64(st, 4, called);
	sqlite3_bind_int64(st, 5, called_at);
	rc = sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
	sqlite3_finalize(st);
	return rc;
}

/* The body's service_id (borrowed), or NULL after a 422 in rp. */
static const char *ticket_service(const struct req *rq, struct reply *rp, json_t *body)
{
	json_t *errs = json_array(), *v;
	const char *k, *svc = NULL;
	json_object_foreach(body, k, v) {
		if (strcmp(k, "service_id"))
			err_add(errs, k, "unknown_field", MSG("不认识的字段", "unknown field"));
		else if (ascii_word(v, SERVICE_ID_MAX))
			svc = json_string_value(v);
		else
			err_add(errs, k, "type", MSG("须为事项编号（字符串），如 svc-social-card",
			                             "must be a service id (a string), such as svc-social-card"));
	}
	if (!json_object_get(body, "service_id"))
		err_add(errs, "service_id", "required",
		        MSG("请指定要取号的事项（service_id）", "give the service to queue for (service_id)"));
	return refused(rq, rp, "validation_failed", errs) ? NULL : svc;
}

/* A new ticket of service svc for kiosk, in the open transaction: 201 in
 * rp, or its 404 or 422; 0, or -1 on a database error. */
static int ticket_issue(sqlite3 *h, const struct req *rq, struct reply *rp, const char *kiosk,
                        const char *svc, long long now, bool *made)
{
	struct qsvc s;
	int found = qsvc_load(h, svc, &s);
	if (found <= 0) {
		if (!found)
			reply_problem(rq, rp, "unknown_service", NULL);
		return found;
	}
	if (strcmp(s.kind, "queue") && !*s.where[LANG_ZH]) {
		qsvc_free(&s);
		reply_problem(rq, rp, "no_queue", NULL);
		return 0;
	}
	char grp[8], day[16], ticket[32], at[64];
	long long idx, num, ahead;
	local_day(now, false, day);
	int rc = window_letters(h, s.where[LANG_ZH], grp, &idx);
	if (!rc)
		rc = queue_take(h, day, grp, 2 + idx * 3 % 5, now, &num, &ahead);
	if (!rc) {
		snprintf(ticket, sizeof ticket, "%s%03lld", grp, num);
		sqlite3_stmt *st = db_prep(h, "INSERT INTO tickets (kiosk, ticket, service_id, day, grp,"
		                           " num, issued_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
		rc = -1;
		if (st) {
			db_bind_str(st, 1, kiosk);
			db_bind_str(st, 2, ticket);
			db_bind_str(st, 3, svc);
			db_bind_str(st, 4, day);
			db_bind_str(st, 5, grp);
			sqlite3_bind_int64(st, 6, num);
			sqlite3_bind_int64(st, 7, now);
			rc = sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
			sqlite3_finalize(st);
		}
	}
	if (!rc) {
		long long per = cfg.queue_step > 0 ? cfg.queue_step : QUEUE_PER_PERSON_S;
		char *window = window_name(s.where[rq->lang], rq->lang);
		local_rfc3339(now, at);
		json_t *j = json_pack("{s:s, s:s, s:o, s:I, s:I, s:o, s:s}", "ticket", ticket,
		                      "service_id", svc, "service_name", str_json(s.name[rq->lang]),
		                      "waiting_ahead", (json_int_t)ahead,
		                      "estimated_wait_min", (json_int_t)((ahead * per + 59) / 60),
		                      "window", str_json(window), "issued_at", at);
		free(window);
		if (!j)
			abort();
		reply_json(rp, 201, j);
		rp->localized = true;
		*made = true;
	}
	qsvc_free(&s);
	return rc;
}

/* The Idempotency-Key of the request into key; false after 400 in rp. */
static bool req_idem_key(const struct req *rq, struct reply *rp, char key[37])
{
	const char *k = req_header(rq, "Idempotency-Key");
	if (idem_key_parse(k, key))
		return true;
	json_t *errs = json_array();
	err_add(errs, "Idempotency-Key", k ? "invalid" : "missing",
	        pay_message(rq, k ? "key_invalid" : "key_missing"));
	reply_problem(rq, rp, "idempotency_key_invalid", errs);
	return false;
}

void hall_ticket(struct req *rq, struct reply *rp)
{
	char kiosk[65], key[37], hash[65];
	if (!req_kiosk_id(rq, rp, kiosk) || !req_idem_key(rq, rp, key))
		return;
	json_t *body = body_object(rq, rp, false);
	if (!body)
		return;
	req_body_hash(rq, hash);
	long long now = (long long)time(NULL);
	sqlite3 *h = db_begin(rq, rp);
	if (!h) {
		json_decref(body);
		return;
	}
	bool made = false;
	/* Only a ticket made is stored with its key: a refused request
	 * decided nothing, and the kiosk may send another with the key. */
	int rc = db_replay(h, rq, rp, "ticket_idempotency", kiosk, key, hash, now);
	const char *svc = rc == 0 ? ticket_service(rq, rp, body) : NULL;
	if (svc)
		rc = ticket_issue(h, rq, rp, kiosk, svc, now, &made);
	if (made && rc == 0)
		rc = db_idem_store(h, rq, rp, "ticket_idempotency", kiosk, key, hash, now);
	json_decref(body);
	db_end(rq, rp, h, rc >= 0);
}

void sim_queue(struct req *rq, struct reply *rp)
{
	char day[16];
	long long now = (long long)time(NULL);
	local_day(now, false, day);
	sqlite3 *h = db_begin(rq, rp);
	if (!h)
		return;
	json_t *groups = json_array();
	sqlite3_stmt *st = db_prep(h, "SELECT grp, issued, called, called_at FROM queue_days"
	                           " WHERE day = ?1 ORDER BY length(grp), grp");
	int rc = SQLITE_ERROR;
	if (st) {
		db_bind_str(st, 1, day);
		while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
			long long issued = sqlite3_column_int64(st, 1), called = sqlite3_column_int64(st, 2),
			          called_at = sqlite3_column_int64(st, 3);
			queue_advance(issued, &called, &called_at, now);
			json_array_append_new(groups, json_pack("{s:o, s:I, s:I, s:I}",
				"letter", str_json(col(st, 0)), "issued", (json_int_t)issued,
				"called", (json_int_t)called, "waiting", (json_int_t)(issued - called)));
		}
		sqlite3_finalize(st);
	}
	if (!db_end(rq, rp, h, rc == SQLITE_DONE)) {
		json_decref(groups);
		return;
	}
	reply_json(rp, 200, json_pack("{s:s, s:o}", "day", day, "groups", groups));
}

/* ---- ratings (好差评) ------------------------------------------------------------- */

#define RATING_TAGS_MAX     5
#define RATING_COMMENT_MAX  200          /* characters */
#define SUBJECT_ID_MAX      64
#define SIM_RECENT          50           /* GET /sim/ratings, /sim/help list this many */

static const char *const rating_tags[] = { "slow", "unclear", "unfriendly", "system",
                                           "too_many_steps", "not_done", "other", NULL };

/* What is rated: an application or a payment by id, or a ticket by its
 * number and service; members borrowed from the body. */
struct subject {
	enum { SUBJ_APP, SUBJ_PAY, SUBJ_TICKET } kind;
	const char *id, *service;
};

/* The subject member checked into errs: true and *s if it is exactly one
 * of {"application_id"}, {"payment_id"}, {"ticket","service_id"}. */
static bool subject_of(const struct req *rq, json_t *v, struct subject *s, json_t *errs)
{
	const char *shape = MSG("须为 {\"application_id\"}、{\"payment_id\"} 或 {\"ticket\",\"service_id\"} 之一",
	                        "must be one of {\"application_id\"}, {\"payment_id\"} and {\"ticket\",\"service_id\"}");
	json_t *app = json_object_get(v, "application_id"), *pay = json_object_get(v, "payment_id"),
	       *tk = json_object_get(v, "ticket"), *svc = json_object_get(v, "service_id");
	size_t n = json_object_size(v);
	if (!json_is_object(v) || !((app && n == 1) || (pay && n == 1) || (tk && svc && n == 2))) {
		err_add(errs, "subject", json_is_object(v) ? "invalid" : "type", shape);
		return false;
	}
	bool ok = true;
	const char *k;
	json_t *m;
	json_object_foreach(v, k, m) {
		if (!ascii_word(m, SUBJECT_ID_MAX)) {
			char field[48];
			snprintf(field, sizeof field, "subject.%s", k);
			err_add(errs, field, "invalid", MSG("须为 1 到 64 个可打印的 ASCII 字符",
			                                    "must be 1 to 64 printable ASCII characters"));
			ok = false;
		}
	}
	if (ok) {
		s->kind = app ? SUBJ_APP : pay ? SUBJ_PAY : SUBJ_TICKET;
		s->id = json_string_value(app ? app : pay ? pay : tk);
		s->service = tk ? json_string_value(svc) : NULL;
	}
	return ok;
}

/* The tags member checked into errs (at most 5 of the list, each once). */
static void tags_check(const struct req *rq, json_t *v, json_t *errs)
{
	size_t i, k;
	json_t *t;
	bool ok = json_is_array(v) && json_array_size(v) <= RATING_TAGS_MAX;
	json_array_foreach(ok ? v : NULL, i, t) {
		bool known = false;
		for (k = 0; rating_tags[k] && !known; k++)
			known = json_is_string(t) && !strcmp(json_string_value(t), rating_tags[k]);
		for (k = 0; k < i && known; k++)
			known = !json_equal(t, json_array_get(v, k));
		ok = ok && known;
	}
	if (!ok)
		err_add(errs, "tags", "invalid",
		        MSG("最多 5 个不重复的原因：slow、unclear、unfriendly、system、too_many_steps、not_done、other",
		            "at most 5 different reasons of slow, unclear, unfriendly, system, too_many_steps, not_done, other"));
}

/* The body checked: true with *s, *score; false after 422 invalid_rating
 * in rp naming every member that is wrong. */
static bool rating_check(const struct req *rq, struct reply *rp, json_t *body, struct subject *s,
                         int *score)
{
	json_t *errs = json_array(), *v;
	const char *k;
	json_object_foreach(body, k, v) {
		if (!strcmp(k, "subject")) {
			subject_of(rq, v, s, errs);
		} else if (!strcmp(k, "score")) {
			if (int_in(v, 1, 5))
				*score = (int)json_integer_value(v);
			else
				err_add(errs, k, "out_of_range", MSG("须为 1 到 5 的整数", "must be an integer from 1 to 5"));
		} else if (!strcmp(k, "tags")) {
			tags_check(rq, v, errs);
		} else if (!strcmp(k, "comment")) {
			if (!plain_text(v, RATING_COMMENT_MAX, false))
				err_add(errs, k, "invalid", MSG("须为不超过 200 个字的文字，不含控制字符",
				                                "must be text of at most 200 characters, without control characters"));
		} else {
			err_add(errs, k, "unknown_field", MSG("不认识的字段", "unknown field"));
		}
	}
	if (!json_object_get(body, "subject"))
		err_add(errs, "subject", "required", MSG("缺少评价对象（subject）", "what is rated is missing (subject)"));
	if (!json_object_get(body, "score"))
		err_add(errs, "score", "required", MSG("缺少评分（score）", "the score is missing (score)"));
	return !refused(rq, rp, "invalid_rating", errs);
}

/* The stored subject's key ("app:ID", "pay:ID", "ticket:SEQ"), if this
 * kiosk made it, in the open transaction: 1 and key, 0 none, -1. */
static int subject_key(sqlite3 *h, const char *kiosk, const struct subject *s, char key[96])
{
	long long seq = 0;
	int rc;
	switch (s->kind) {
	case SUBJ_APP:
		rc = query_int(h, "SELECT 1 FROM applications WHERE id = ?1 AND kiosk = ?2", s->id, kiosk,
		               NULL, &seq);
		snprintf(key, 96, "app:%s", s->id);
		return rc;
	case SUBJ_PAY:
		rc = query_int(h, "SELECT 1 FROM payments WHERE id = ?1 AND kiosk = ?2", s->id, kiosk,
		               NULL, &seq);
		snprintf(key, 96, "pay:%s", s->id);
		return rc;
	default:
		/* The latest ticket of that number: numbers come back each day. */
		rc = query_int(h, "SELECT seq FROM tickets WHERE kiosk = ?1 AND ticket = ?2"
		               " AND service_id = ?3 ORDER BY seq DESC LIMIT 1", kiosk, s->id, s->service,
		               &seq);
		snprintf(key, 96, "ticket:%lld", seq);
		return rc;
	}
}

/* The rating of body for kiosk, in the open transaction: 201 in rp, or its
 * 404 or 409; 0, or -1 on a database error. */
static int rating_make(sqlite3 *h, const struct req *rq, struct reply *rp, const char *kiosk,
                       json_t *body, const struct subject *s, int score, long long now, bool *made)
{
	char skey[96], id[40], day[16];
	long long seq = 0, dup = 0;
	int rc = subject_key(h, kiosk, s, skey);
	if (rc == 0)
		reply_problem(rq, rp, "unknown_subject", NULL);
	if (rc <= 0)
		return rc;
	rc = query_int(h, "SELECT 1 FROM ratings WHERE subject_key = ?1", skey, NULL, NULL, &dup);
	if (rc == 1)
		reply_problem(rq, rp, "already_rated", NULL);
	if (rc != 0)
		return rc < 0 ? -1 : 0;
	if (query_int(h, "SELECT coalesce(max(seq), 0) + 1 FROM ratings", NULL, NULL, NULL, &seq) != 1)
		return -1;
	local_day(now, true, day);
	snprintf(id, sizeof id, "RT%s%06lld", day, seq);
	json_t *subj = json_object_get(body, "subject");
	json_t *tags = json_object_get(body, "tags");
	char *subj_text = json_dumps(subj, JSON_COMPACT);
	char *tags_text = tags ? json_dumps(tags, JSON_COMPACT) : strdup("[]");
	const char *comment = json_string_value(json_object_get(body, "comment"));
	sqlite3_stmt *st = db_prep(h, "INSERT INTO ratings VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)");
	rc = -1;
	if (st && subj_text && tags_text) {
		db_bind_str(st, 1, id);
		sqlite3_bind_int64(st, 2, seq);
		db_bind_str(st, 3, kiosk);
		db_bind_str(st, 4, skey);
		db_bind_str(st, 5, subj_text);
		sqlite3_bind_int(st, 6, score);
		db_bind_str(st, 7, tags_text);
		db_bind_str(st, 8, comment ? comment : "");
		sqlite3_bind_int64(st, 9, now);
		rc = sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
	}
	sqlite3_finalize(st);
	free(subj_text);
	free(tags_text);
	if (rc)
		return -1;
	json_t *j = json_pack("{s:s, s:O, s:i}", "id", id, "subject", subj, "score", score);
	if (!j)
		abort();
	reply_json(rp, 201, j);
	*made = true;
	return 0;
}

void hall_rating(struct req *rq, struct reply *rp)
{
	char kiosk[65], key[37], hash[65];
	if (!req_kiosk_id(rq, rp, kiosk) || !req_idem_key(rq, rp, key))
		return;
	json_t *body = body_object(rq, rp, false);
	if (!body)
		return;
	req_body_hash(rq, hash);
	long long now = (long long)time(NULL);
	sqlite3 *h = db_begin(rq, rp);
	if (!h) {
		json_decref(body);
		return;
	}
	bool made = false;
	struct subject s = { 0 };
	int score = 0;
	/* As tickets: only a rating made is stored with its key. */
	int rc = db_replay(h, rq, rp, "rating_idempotency", kiosk, key, hash, now);
	if (rc == 0 && rating_check(rq, rp, body, &s, &score))
		rc = rating_make(h, rq, rp, kiosk, body, &s, score, now, &made);
	if (made && rc == 0)
		rc = db_idem_store(h, rq, rp, "rating_idempotency", kiosk, key, hash, now);
	json_decref(body);
	db_end(rq, rp, h, rc >= 0);
}

void sim_ratings(struct req *rq, struct reply *rp)
{
	sqlite3 *h = db_begin(rq, rp);
	if (!h)
		return;
	json_t *list = json_array();
	sqlite3_stmt *st = db_prep(h, "SELECT id, kiosk, subject, score, tags, comment, created_at"
	                           " FROM ratings ORDER BY seq DESC LIMIT ?1");
	int rc = SQLITE_ERROR;
	if (st) {
		sqlite3_bind_int(st, 1, SIM_RECENT);
		while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
			json_t *subj = json_loads(col(st, 2), 0, NULL), *tags = json_loads(col(st, 4), 0, NULL);
			json_array_append_new(list, json_pack("{s:o, s:o, s:o, s:i, s:o, s:o, s:o}",
				"id", str_json(col(st, 0)), "kiosk_id", str_json(col(st, 1)),
				"subject", subj ? subj : json_null(), "score", sqlite3_column_int(st, 3),
				"tags", tags ? tags : json_array(), "comment", str_json(col(st, 5)),
				"created_at", time_json(sqlite3_column_int64(st, 6))));
		}
		sqlite3_finalize(st);
	}
	if (!db_end(rq, rp, h, rc == SQLITE_DONE)) {
		json_decref(list);
		return;
	}
	reply_json(rp, 200, json_pack("{s:o}", "ratings", list));
}

/* ---- help calls (呼叫工作人员) ------------------------------------------------------- */

#define SCREEN_MAX      32               /* bytes of [a-z_] */
#define HELP_BUSY_S     600              /* calls this recent keep staff busy */
#define HELP_ETA_MIN    2
#define HELP_ETA_MAX    15

static const char *const help_reasons[] = { "assist", "device", "payment", "other", NULL };

static bool screen_name(const json_t *v)
{
	const char *s = json_string_value(v);
	size_t n = json_string_length(v);
	if (!s || n == 0 || n > SCREEN_MAX || strlen(s) != n)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || s[i] == '_'))
			return false;
	return true;
}

void hall_help(struct req *rq, struct reply *rp)
{
	char kiosk[65];
	if (!req_kiosk_id(rq, rp, kiosk))
		return;
	json_t *body = body_object(rq, rp, false), *v;
	if (!body)
		return;
	json_t *errs = json_array();
	const char *k;
	json_object_foreach(body, k, v) {
		if (!strcmp(k, "reason")) {
			if (!one_of(v, help_reasons))
				err_add(errs, k, "unknown_value", MSG("须为 assist、device、payment、other 之一",
				                                      "must be one of assist, device, payment, other"));
		} else if (!strcmp(k, "screen")) {
			if (!screen_name(v))
				err_add(errs, k, "invalid", MSG("须为 1 到 32 个小写字母或下划线",
				                                "must be 1 to 32 lower-case letters or underscores"));
		} else {
			err_add(errs, k, "unknown_field", MSG("不认识的字段", "unknown field"));
		}
	}
	if (!json_object_get(body, "reason"))
		err_add(errs, "reason", "required", MSG("缺少该字段", "this member is missing"));
	if (!json_object_get(body, "screen"))
		err_add(errs, "screen", "required", MSG("缺少该字段", "this member is missing"));
	if (refused(rq, rp, "validation_failed", errs)) {
		json_decref(body);
		return;
	}
	char id[40], day[16], glob[24];
	long long now = (long long)time(NULL), seq = 0, n_day = 0, busy = 0;
	local_day(now, true, day);
	snprintf(glob, sizeof glob, "H%s*", day);
	sqlite3 *h = db_begin(rq, rp);
	if (!h) {
		json_decref(body);
		return;
	}
	int rc = query_int(h, "SELECT coalesce(max(seq), 0) + 1 FROM help_calls", NULL, NULL, NULL,
	                   &seq) == 1 &&
	         query_int(h, "SELECT count(*) FROM help_calls WHERE id GLOB ?1", glob, NULL, NULL,
	                   &n_day) == 1 ? 0 : -1;
	/* Staff busy with the hall's other recent calls come later. */
	sqlite3_stmt *q = rc ? NULL : db_prep(h, "SELECT count(*) FROM help_calls WHERE at > ?1");
	if (q) {
		sqlite3_bind_int64(q, 1, now - HELP_BUSY_S);
		if (sqlite3_step(q) == SQLITE_ROW)
			busy = sqlite3_column_int64(q, 0);
		else
			rc = -1;
		sqlite3_finalize(q);
	} else {
		rc = -1;
	}
	snprintf(id, sizeof id, "H%s%04lld", day, n_day + 1);
	if (!rc) {
		sqlite3_stmt *st = db_prep(h, "INSERT INTO help_calls VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
		rc = -1;
		if (st) {
			db_bind_str(st, 1, id);
			sqlite3_bind_int64(st, 2, seq);
			db_bind_str(st, 3, kiosk);
			db_bind_str(st, 4, json_string_value(json_object_get(body, "reason")));
			db_bind_str(st, 5, json_string_value(json_object_get(body, "screen")));
			sqlite3_bind_int64(st, 6, now);
			rc = sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
			sqlite3_finalize(st);
		}
	}
	json_decref(body);
	if (!db_end(rq, rp, h, rc == 0))
		return;
	long long eta = HELP_ETA_MIN + busy;
	reply_json(rp, 201, json_pack("{s:s, s:I}", "id", id,
	                              "eta_min", (json_int_t)(eta > HELP_ETA_MAX ? HELP_ETA_MAX : eta)));
}

void sim_help(struct req *rq, struct reply *rp)
{
	sqlite3 *h = db_begin(rq, rp);
	if (!h)
		return;
	json_t *list = json_array();
	sqlite3_stmt *st = db_prep(h, "SELECT id, kiosk, reason, screen, at FROM help_calls"
	                           " ORDER BY seq DESC LIMIT ?1");
	int rc = SQLITE_ERROR;
	if (st) {
		sqlite3_bind_int(st, 1, SIM_RECENT);
		while ((rc = sqlite3_step(st)) == SQLITE_ROW)
			json_array_append_new(list, json_pack("{s:o, s:o, s:o, s:o, s:o}",
				"id", str_json(col(st, 0)), "kiosk_id", str_json(col(st, 1)),
				"reason", str_json(col(st, 2)), "screen", str_json(col(st, 3)),
				"at", time_json(sqlite3_column_int64(st, 4))));
		sqlite3_finalize(st);
	}
	if (!db_end(rq, rp, h, rc == SQLITE_DONE)) {
		json_decref(list);
		return;
	}
	reply_json(rp, 200, json_pack("{s:o}", "calls", list));
}

/* ---- the fleet ---------------------------------------------------------------------------- */

#define ONLINE_BEATS  3              /* online: heard from within this many heartbeats */

/* GET /v1/fleet is the operator's: with --operator-token, only with it
 * (compared in constant time, as digests); without, only with --sim. */
static bool operator_ok(const struct req *rq)
{
	if (!cfg.operator_token)
		return rq->gw->sim != NULL;
	const char *h = req_header(rq, "Authorization");
	if (!h || strncasecmp(h, "Bearer ", 7))
		return false;
	h += 7;
	while (*h == ' ')
		h++;
	size_t n = strcspn(h, " \t");
	if (!n || h[n + strspn(h + n, " \t")])
		return false;
	unsigned char a[32], b[32], d = 0;
	sha256(h, n, a);
	sha256(cfg.operator_token, strlen(cfg.operator_token), b);
	for (int i = 0; i < 32; i++)
		d |= (unsigned char)(a[i] ^ b[i]);
	return d == 0;
}

/* A kiosk's heartbeat interval: its newest config's heartbeat_s when that
 * is one the kiosk takes (10..3600), else --heartbeat-s. */
static long long beat_of(const char *config)
{
	json_t *c = *config ? json_loads(config, 0, NULL) : NULL;
	json_t *v = json_object_get(c, "heartbeat_s");
	long long s = int_in(v, 10, 3600) ? json_integer_value(v) : cfg.heartbeat;
	json_decref(c);
	return s;
}

void hall_fleet(struct req *rq, struct reply *rp)
{
	if (!operator_ok(rq)) {
		reply_problem(rq, rp, "operator_token_required", NULL);
		return;
	}
	long long now = (long long)time(NULL);
	sqlite3 *h = db_begin(rq, rp);
	if (!h)
		return;
	json_t *list = json_array();
	sqlite3_stmt *st = db_prep(h, "SELECT b.kiosk, b.last_seen, b.state, (SELECT max(version)"
	                           " FROM kiosk_configs c WHERE c.kiosk = b.kiosk), (SELECT config"
	                           " FROM kiosk_configs c WHERE c.kiosk = b.kiosk ORDER BY version"
	                           " DESC LIMIT 1) FROM heartbeats b ORDER BY b.kiosk");
	int rc = SQLITE_ERROR;
	while (st && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		long long seen = sqlite3_column_int64(st, 1);
		json_t *s = json_loads(col(st, 2), 0, NULL);
		if (!json_is_object(s)) {
			json_decref(s);
			s = json_object();
		}
		json_t *k = json_pack("{s:o, s:o, s:b}", "kiosk_id", str_json(col(st, 0)),
		                      "last_seen", time_json(seen),
		                      "online", now - seen <= ONLINE_BEATS * beat_of(col(st, 4)));
		static const char *const members[] = { "version", "uptime_s", "devices",
		                                        "outbox_pending", "last_error",
		                                        "config_version", NULL };
		for (size_t i = 0; members[i]; i++) {
			json_t *m = json_object_get(s, members[i]);
			json_object_set(k, members[i], m ? m : json_null());
		}
		json_object_set_new(k, "config_version_latest", json_integer(sqlite3_column_int64(st, 3)));
		json_decref(s);
		json_array_append_new(list, k);
	}
	sqlite3_finalize(st);
	if (!db_end(rq, rp, h, rc == SQLITE_DONE)) {
		json_decref(list);
		return;
	}
	reply_json(rp, 200, json_pack("{s:o}", "kiosks", list));
}
