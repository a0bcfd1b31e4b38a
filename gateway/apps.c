/* apps.c: applications (办件) in the reference gateway: POST
 * /v1/applications, GET /v1/applications/by-key/{key}, GET
 * /v1/me/applications, and the simulator's /sim/applications.
 *
 * A submission is checked with the kiosk's own rules (validate.c, linked
 * from the kiosk's core), every field at once, so what the kiosk let
 * through the gateway accepts and what it refuses is named field by field
 * in words that say how to fix it. The citizen comes from the session, and
 * the fields the kiosk prefills from it (prefill citizen.name, citizen.id)
 * must be the citizen's own: a kiosk cannot apply in someone else's name.
 *
 * Idempotency is that of payments (pay.c): a record per (kiosk, key) in
 * SQLite for 24 h, and BEGIN IMMEDIATE under the store's lock, so the same
 * key sent twice at once makes one application. Only a request that made an
 * application is stored: one refused (400, 404, 422) decided nothing, and
 * the kiosk may send the corrected form with the same key. "The same
 * request" is the same citizen and the same body (its JSON with sorted
 * members). A kiosk that lost its answer (and with it, after a restart,
 * the citizen's token) asks GET /v1/applications/by-key/{key}.
 *
 * Statuses move on by themselves in demo mode, computed whenever
 * applications are read (no timers), as payment expiry is: a kiosk's
 * application is accepted --app-step-s seconds after its last step and in
 * review twice that after being accepted; a person (here
 * /sim/applications/{id}/advance) decides the rest.
 *
 * Nothing here logs; answers (names, ID numbers, phone numbers) are kept in
 * the store for whoever handles the application, and the memory that held
 * them is wiped (jansson's allocator wipes; the canonical copies are wiped
 * here).
 */
#include "gw_apps.h"
#include "gw_auth.h"
#include "gw_pay.h" /* the store (db_lock), req_kiosk_id, idem_key_parse */
#include "gw_sim.h"
#include "validate.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define ANSWERS_MAX  100      /* members of "answers"; more is one error */
#define MINE_MAX     50       /* GET /v1/me/applications lists this many */
#define SIM_RECENT   "50"     /* GET /sim/applications lists this many */
#define MSG_MAX      320      /* bytes of a message with its values filled in */

static int app_step = APP_STEP_DEFAULT;

void apps_init(int step_s)
{
	app_step = step_s;
}

#define MSG(zh, en) lang_pick(rq->lang, zh, en)

/* ---- statuses ------------------------------------------------------------- */

/* What the timeline says when an application reaches a status at the
 * kiosk's gateway (the demo's past ones have their own notes). */
static const struct {
	const char *status, *zh, *en;
} notes[] = {
	{ "submitted", "已在自助终端提交申请", "Submitted at a self-service kiosk" },
	{ "accepted", "材料已收到，申请已受理", "Your application has been received and accepted" },
	{ "in_review", "正在审核，有结果会短信通知您",
	  "Under review; you will get a text message when there is news" },
	{ "needs_more", "请携带居民身份证原件到受理窗口核验。",
	  "Please bring your original resident ID card to the window to have it checked." },
	{ "approved", "审核通过", "Approved" },
	{ "rejected", "不予受理：申请不符合办理条件，详情请到窗口咨询",
	  "Not accepted: the application does not meet the conditions; please ask at the window for details" },
	{ "completed", "已办结，请到窗口领取结果或等待邮寄",
	  "Completed: collect the result at the window, or wait for it by post" },
};
#define N_NOTES (sizeof notes / sizeof notes[0])
#define NOTE_BACK_ZH "材料已补齐，继续审核"
#define NOTE_BACK_EN "The missing documents have arrived; the review goes on"

/* The moves a person may make; the first from a status is its usual next. */
static const struct {
	const char *from, *to;
} moves[] = {
	{ "submitted", "accepted" }, { "submitted", "rejected" },
	{ "accepted", "in_review" }, { "accepted", "needs_more" }, { "accepted", "rejected" },
	{ "in_review", "approved" }, { "in_review", "needs_more" }, { "in_review", "rejected" },
	{ "needs_more", "in_review" }, { "needs_more", "rejected" },
	{ "approved", "completed" },
};
#define N_MOVES (sizeof moves / sizeof moves[0])

static bool final_status(const char *s)
{
	return !strcmp(s, "completed") || !strcmp(s, "rejected");
}

static bool move_allowed(const char *from, const char *to)
{
	for (size_t i = 0; i < N_MOVES; i++)
		if (!strcmp(moves[i].from, from) && !strcmp(moves[i].to, to))
			return true;
	return false;
}

static const char *next_status(const char *from)
{
	for (size_t i = 0; i < N_MOVES; i++)
		if (!strcmp(moves[i].from, from))
			return moves[i].to;
	return NULL;
}

/* ---- the store ------------------------------------------------------------ */

static void local_day(long long t, struct tm *tm)
{
	time_t tt = (time_t)t;
	localtime_r(&tt, tm);
}

int app_new_id(sqlite3 *h, long long t, char out[APP_ID_MAX])
{
	struct tm tm;
	char day[48], glob[64];
	local_day(t, &tm);
	snprintf(day, sizeof day, "%04d%02d%02d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
	snprintf(glob, sizeof glob, "SQ%s*", day);
	sqlite3_stmt *st = db_prep(h, "SELECT coalesce(max(CAST(substr(id, 11) AS INTEGER)), 0)"
	                           " FROM applications WHERE id GLOB ?1");
	if (!st)
		return -1;
	db_bind_str(st, 1, glob);
	int rc = sqlite3_step(st);
	long long n = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW)
		return -1;
	char id[96];
	snprintf(id, sizeof id, "SQ%.8s%06lld", day, n + 1);
	if (strlen(id) >= APP_ID_MAX)
		return -1;
	memcpy(out, id, strlen(id) + 1);
	return 0;
}

/* Moves application id to status `to` at time at, with a note (zh-CN and
 * English; zh-TW from the table), in the open transaction. needs_more
 * carries its text (the note); any other status clears it. */
static int app_move(sqlite3 *h, const char *id, const char *to, long long at, const char *zh,
                    const char *en)
{
	const char *tw = zh_tw(zh);
	sqlite3_stmt *st = db_prep(h, "INSERT INTO app_events VALUES (?1, (SELECT coalesce(max(ord),"
	                           " -1) + 1 FROM app_events WHERE app_id = ?1), ?2, ?3, ?4, ?5, ?6)");
	if (!st)
		return -1;
	db_bind_str(st, 1, id);
	sqlite3_bind_int64(st, 2, at);
	db_bind_str(st, 3, to);
	db_bind_str(st, 4, zh);
	db_bind_str(st, 5, en);
	db_bind_str(st, 6, tw ? tw : zh);
	int rc = sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
	sqlite3_finalize(st);
	bool more = !strcmp(to, "needs_more");
	st = rc ? NULL : db_prep(h, "UPDATE applications SET status = ?2, updated_at = ?3,"
	                         " needs_more_zh = ?4, needs_more_en = ?5, needs_more_tw = ?6"
	                         " WHERE id = ?1");
	if (!st)
		return -1;
	db_bind_str(st, 1, id);
	db_bind_str(st, 2, to);
	sqlite3_bind_int64(st, 3, at);
	db_bind_str(st, 4, more ? zh : NULL);
	db_bind_str(st, 5, more ? en : NULL);
	db_bind_str(st, 6, more ? (tw ? tw : zh) : NULL);
	rc = sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
	sqlite3_finalize(st);
	return rc;
}

/* The usual note of a status (came_back: in review again after needs_more). */
static void note_of(const char *status, bool came_back, const char **zh, const char **en)
{
	*zh = *en = "";
	if (came_back) {
		*zh = NOTE_BACK_ZH;
		*en = NOTE_BACK_EN;
		return;
	}
	for (size_t i = 0; i < N_NOTES; i++)
		if (!strcmp(notes[i].status, status)) {
			*zh = notes[i].zh;
			*en = notes[i].en;
		}
}

/* The demo's clock: every kiosk application still submitted or accepted
 * takes the automatic steps that have come due, each dated when it came
 * due (its last step plus app_step, or twice that from accepted). In the
 * open transaction; applied before anything reads applications. */
static int advance_due(sqlite3 *h, long long now)
{
	if (app_step <= 0)
		return 0;
	struct due {
		char id[APP_ID_MAX], status[16];
		long long last;
	} *d = NULL;
	size_t n = 0, cap = 0;
	sqlite3_stmt *st = db_prep(h, "SELECT a.id, a.status, (SELECT max(at) FROM app_events e"
	                           " WHERE e.app_id = a.id) FROM applications a WHERE a.auto = 1"
	                           " AND a.status IN ('submitted', 'accepted')");
	if (!st)
		return -1;
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (n == cap) {
			cap = cap ? 2 * cap : 16;
			d = realloc(d, cap * sizeof *d);
			if (!d)
				abort();
		}
		const char *id = (const char *)sqlite3_column_text(st, 0);
		const char *s = (const char *)sqlite3_column_text(st, 1);
		snprintf(d[n].id, sizeof d[n].id, "%s", id ? id : "");
		snprintf(d[n].status, sizeof d[n].status, "%s", s ? s : "");
		d[n].last = sqlite3_column_int64(st, 2);
		n++;
	}
	sqlite3_finalize(st);
	int err = rc == SQLITE_DONE ? 0 : -1;
	for (size_t i = 0; !err && i < n; i++) {
		const char *s = d[i].status;
		long long at = d[i].last;
		for (;;) {
			bool sub = !strcmp(s, "submitted");
			if (!sub && strcmp(s, "accepted"))
				break;
			at += (sub ? 1LL : 2LL) * app_step;
			if (at > now)
				break;
			const char *to = sub ? "accepted" : "in_review", *zh, *en;
			note_of(to, false, &zh, &en);
			if ((err = app_move(h, d[i].id, to, at, zh, en)))
				break;
			s = to;
		}
	}
	free(d);
	return err;
}

/* ---- answers as JSON --------------------------------------------------------- */

#define APP_COLS "id, service_id, service_name_zh, service_name_en, service_name_tw, status," \
                 " needs_more_zh, needs_more_en, needs_more_tw, created_at, updated_at, fee_fen," \
                 " citizen, kiosk"
enum { A_ID, A_SVC, A_NAME, A_STATUS = A_NAME + LANG_N, A_MORE, A_CREATED = A_MORE + LANG_N,
       A_UPDATED, A_FEE, A_CITIZEN, A_KIOSK };

static const char *col(sqlite3_stmt *st, int i)
{
	const char *s = (const char *)sqlite3_column_text(st, i);
	return s ? s : "";
}

static json_t *payment_json(long long fee)
{
	return fee > 0 ? json_pack("{s:I}", "amount_fen", (json_int_t)fee) : json_null();
}

static json_t *time_json(long long t)
{
	char s[21];
	gw_rfc3339(s, t);
	return json_string(s);
}

/* A string for JSON from the store (which only ever holds UTF-8). */
static json_t *str_json(const char *s)
{
	json_t *j = json_string(s);
	return j ? j : json_string("\xef\xbf\xbd");
}

/* One application of an APP_COLS row, as GET /v1/me/applications lists it,
 * with its timeline. */
static json_t *app_json(sqlite3 *h, sqlite3_stmt *row, enum lang l, bool *ok)
{
	json_t *j = json_object(), *tl = json_array();
	const char *id = col(row, A_ID), *status = col(row, A_STATUS);
	json_object_set_new(j, "id", str_json(id));
	json_object_set_new(j, "service_id", str_json(col(row, A_SVC)));
	json_object_set_new(j, "service_name", str_json(col(row, A_NAME + (int)l)));
	json_object_set_new(j, "status", str_json(status));
	json_object_set_new(j, "created_at", time_json(sqlite3_column_int64(row, A_CREATED)));
	json_object_set_new(j, "updated_at", time_json(sqlite3_column_int64(row, A_UPDATED)));
	if (!strcmp(status, "needs_more"))
		json_object_set_new(j, "needs_more", str_json(col(row, A_MORE + (int)l)));
	sqlite3_stmt *st = db_prep(h, "SELECT at, status, note_zh, note_en, note_tw FROM app_events"
	                           " WHERE app_id = ?1 ORDER BY ord");
	int rc = SQLITE_ERROR;
	if (st) {
		db_bind_str(st, 1, id);
		while ((rc = sqlite3_step(st)) == SQLITE_ROW)
			json_array_append_new(tl, json_pack("{s:o, s:o, s:o}",
				"at", time_json(sqlite3_column_int64(st, 0)),
				"status", str_json(col(st, 1)),
				"note", str_json(col(st, 2 + (int)l))));
		sqlite3_finalize(st);
	}
	if (rc != SQLITE_DONE)
		*ok = false;
	json_object_set_new(j, "timeline", tl);
	return j;
}

/* The application with this id as app_json and its status, in the open
 * transaction: 1 and *out, 0 if there is none, -1. */
static int app_find(sqlite3 *h, const char *id, enum lang l, json_t **out, char status[16])
{
	sqlite3_stmt *st = db_prep(h, "SELECT " APP_COLS " FROM applications WHERE id = ?1");
	if (!st)
		return -1;
	db_bind_str(st, 1, id);
	int rc = sqlite3_step(st), r = rc == SQLITE_DONE ? 0 : -1;
	if (rc == SQLITE_ROW) {
		bool ok = true;
		snprintf(status, 16, "%s", col(st, A_STATUS));
		*out = app_json(h, st, l, &ok);
		r = ok ? 1 : -1;
		if (!ok) {
			json_decref(*out);
			*out = NULL;
		}
	}
	sqlite3_finalize(st);
	return r;
}

/* ---- checking a form ------------------------------------------------------------ */

struct field {
	char *id, *type, *prefill;
	bool required;
	long long max_len;           /* 0: none */
	bool has_min, has_max;       /* number, money */
	long long min, max;
	char *min_s, *max_s;         /* date bounds, NULL: none */
	char **opts;                 /* select */
	size_t n_opts;
};

struct form {
	struct field *f;
	size_t n;
	long long fee;
	char *name[LANG_N];
};

static void form_free(struct form *fm)
{
	for (size_t i = 0; i < fm->n; i++) {
		struct field *f = &fm->f[i];
		free(f->id);
		free(f->type);
		free(f->prefill);
		free(f->min_s);
		free(f->max_s);
		for (size_t k = 0; k < f->n_opts; k++)
			free(f->opts[k]);
		free(f->opts);
	}
	free(fm->f);
	for (int l = 0; l < LANG_N; l++)
		free(fm->name[l]);
	memset(fm, 0, sizeof *fm);
}

static char *col_dup_or_null(sqlite3_stmt *st, int i)
{
	return sqlite3_column_type(st, i) == SQLITE_NULL ? NULL : db_col_dup(st, i);
}

/* A bound column: an integer (number, money) or a date text. */
static void bound(sqlite3_stmt *st, int i, bool *has, long long *v, char **s)
{
	if (sqlite3_column_type(st, i) == SQLITE_INTEGER) {
		*has = true;
		*v = sqlite3_column_int64(st, i);
	} else if (sqlite3_column_type(st, i) == SQLITE_TEXT) {
		*s = db_col_dup(st, i);
	}
}

/* The service's form, in the open transaction: 1 and *fm, 0 if there is
 * no such service, -1. */
static int form_load(sqlite3 *h, const char *svc, struct form *fm)
{
	memset(fm, 0, sizeof *fm);
	sqlite3_stmt *st = db_prep(h, "SELECT fee_fen, name_zh, name_en, name_tw FROM services"
	                           " WHERE id = ?1");
	if (!st)
		return -1;
	db_bind_str(st, 1, svc);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		fm->fee = sqlite3_column_int64(st, 0);
		for (int l = 0; l < LANG_N; l++)
			fm->name[l] = db_col_dup(st, 1 + l);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW)
		return rc == SQLITE_DONE ? 0 : -1;
	st = db_prep(h, "SELECT fid, type, required, max_len, prefill, min_value, max_value"
	             " FROM form_fields WHERE service_id = ?1 ORDER BY ord");
	sqlite3_stmt *o = db_prep(h, "SELECT value FROM field_options WHERE service_id = ?1"
	                          " AND fid = ?2 ORDER BY ord");
	if (!st || !o) {
		sqlite3_finalize(st);
		sqlite3_finalize(o);
		return -1;
	}
	db_bind_str(st, 1, svc);
	size_t cap = 0;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (fm->n == cap) {
			cap = cap ? 2 * cap : 8;
			fm->f = realloc(fm->f, cap * sizeof *fm->f);
			if (!fm->f)
				abort();
		}
		struct field *f = &fm->f[fm->n++];
		memset(f, 0, sizeof *f);
		f->id = db_col_dup(st, 0);
		f->type = db_col_dup(st, 1);
		f->required = sqlite3_column_int(st, 2) != 0;
		f->max_len = sqlite3_column_int64(st, 3);
		f->prefill = col_dup_or_null(st, 4);
		bound(st, 5, &f->has_min, &f->min, &f->min_s);
		bound(st, 6, &f->has_max, &f->max, &f->max_s);
		if (!strcmp(f->type, "select")) {
			int orc;
			sqlite3_reset(o);
			db_bind_str(o, 1, svc);
			db_bind_str(o, 2, f->id);
			while ((orc = sqlite3_step(o)) == SQLITE_ROW) {
				f->opts = realloc(f->opts, (f->n_opts + 1) * sizeof *f->opts);
				if (!f->opts)
					abort();
				f->opts[f->n_opts++] = db_col_dup(o, 0);
			}
			if (orc != SQLITE_DONE)
				rc = SQLITE_ERROR;
		}
		if (rc == SQLITE_ERROR)
			break;
	}
	sqlite3_finalize(st);
	sqlite3_finalize(o);
	if (rc != SQLITE_DONE) {
		form_free(fm);
		return -1;
	}
	return 1;
}

/* tmpl with "{v}" replaced by v (a message's value, never what the
 * citizen sent) into out. */
static const char *fill(char out[MSG_MAX], const char *tmpl, const char *v)
{
	const char *at = strstr(tmpl, "{v}");
	if (!at)
		snprintf(out, MSG_MAX, "%s", tmpl);
	else
		snprintf(out, MSG_MAX, "%.*s%s%s", (int)(at - tmpl), tmpl, v, at + 3);
	return out;
}

/* Fen as yuan for a message: "100", "0.50", "12.05". */
static void yuan(long long fen, char out[32])
{
	const char *sign = fen < 0 ? "-" : "";
	unsigned long long a = fen < 0 ? 0ULL - (unsigned long long)fen : (unsigned long long)fen;
	if (a % 100)
		snprintf(out, 32, "%s%llu.%02llu", sign, a / 100, a % 100);
	else
		snprintf(out, 32, "%s%llu", sign, a / 100);
}

/* True if s[0..n) is UTF-8 without C0 or C1 controls, DEL, bidi controls,
 * invisible characters, noncharacters, private use or U+FFFD: what must
 * never reach a screen or a clerk's form, for every string answer (the
 * kiosk's own rule for text answers, v_text, refuses the same). */
static bool clean_text(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	for (size_t i = 0; i < n;) {
		uint32_t c = p[i];
		size_t len = c < 0x80 ? 1 : c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc2 ? 2 : 0;
		if (!len || i + len > n || c > 0xf4)
			return false;
		if (len > 1) {
			c &= 0x7fu >> len;
			for (size_t k = 1; k < len; k++) {
				if ((p[i + k] & 0xc0) != 0x80)
					return false;
				c = (c << 6) | (p[i + k] & 0x3f);
			}
			static const uint32_t least[] = { 0, 0, 0x80, 0x800, 0x10000 };
			if (c < least[len] || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
				return false;
		}
		if (c < 0x20 || (c >= 0x7f && c < 0xa0) || c == 0xad || c == 0x61c ||
		    (c >= 0x200b && c <= 0x200f) || (c >= 0x2028 && c <= 0x202e) ||
		    (c >= 0x2060 && c <= 0x206f) || c == 0xfeff || (c & 0xfffe) == 0xfffe ||
		    (c >= 0xfdd0 && c <= 0xfdef) || (c >= 0xe000 && c <= 0xf8ff) || c >= 0xf0000 ||
		    c == 0xfffd)
			return false;
		i += len;
	}
	return true;
}

static bool str_is(const json_t *v, const char *s)
{
	size_t n = strlen(s);
	return json_string_length(v) == n && !memcmp(json_string_value(v), s, n);
}

/* What is wrong with one answer (v may be NULL: not given), as an error
 * code and its message, or NULL if nothing. cit: whose form it is. */
static const char *check_field(const struct req *rq, const struct field *f, const json_t *v,
                               const struct citizen *cit, struct ymd today, char msg[MSG_MAX])
{
	const char *t = f->type;
	bool is_bool = !strcmp(t, "bool"), is_int = !strcmp(t, "number") || !strcmp(t, "money");
	#define SAY(code, zh, en) do { snprintf(msg, MSG_MAX, "%s", MSG(zh, en)); return code; } while (0)

	if (json_is_null(v))
		v = NULL;
	if (!v || (json_is_string(v) && json_string_length(v) == 0)) {
		if (!f->required)
			return NULL;
		if (is_bool)
			SAY("required", "请阅读后勾选确认", "Please read it and tick to confirm");
		if (!strcmp(t, "select"))
			SAY("required", "请选择一项", "Please choose one of the options");
		SAY("required", "请填写此项", "Please fill this in");
	}
	if (is_bool) {
		if (!json_is_boolean(v))
			SAY("type", "须为 true 或 false", "must be true or false");
		if (f->required && !json_is_true(v))
			SAY("required", "请阅读后勾选确认", "Please read it and tick to confirm");
		return NULL;
	}
	if (is_int) {
		if (!json_is_integer(v)) {
			if (!strcmp(t, "money"))
				SAY("type", "须为以分为单位的整数金额（JSON 整数）",
				    "must be an amount in fen (a JSON integer)");
			SAY("type", "须为整数（JSON 整数）", "must be a whole number (a JSON integer)");
		}
		long long n = (long long)json_integer_value(v);
		if ((f->has_min && n < f->min) || (f->has_max && n > f->max)) {
			char lo[32], hi[32], both[80];
			bool money = !strcmp(t, "money");
			if (money) {
				yuan(f->min, lo);
				yuan(f->max, hi);
			} else {
				snprintf(lo, sizeof lo, "%lld", f->min);
				snprintf(hi, sizeof hi, "%lld", f->max);
			}
			if (f->has_min && f->has_max) {
				snprintf(both, sizeof both, "%s%s%s", lo, MSG(" 到 ", " to "), hi);
				fill(msg, money ? MSG("金额须在 {v} 元之间", "The amount must be from {v} yuan")
				                : MSG("请填写 {v} 之间的数", "Please enter a number from {v}"), both);
			} else if (f->has_min) {
				fill(msg, money ? MSG("金额不能少于 {v} 元", "The amount must be at least {v} yuan")
				                : MSG("请填写不小于 {v} 的数", "Please enter {v} or more"), lo);
			} else {
				fill(msg, money ? MSG("金额不能超过 {v} 元", "The amount must be at most {v} yuan")
				                : MSG("请填写不大于 {v} 的数", "Please enter {v} or less"), hi);
			}
			return "out_of_range";
		}
		return NULL;
	}
	if (!json_is_string(v))
		SAY("type", "须为文字（JSON 字符串）", "must be text (a JSON string)");
	const char *s = json_string_value(v);
	size_t n = json_string_length(v);
	if (!clean_text(s, n))
		SAY("invalid", "含有不能使用的字符（如控制字符），请删除后重新填写",
		    "Contains characters that cannot be used (such as control characters); please remove them");
	enum v_error e = V_OK;
	if (!strcmp(t, "text")) {
		e = v_text(s, n, f->max_len > 0 ? (size_t)f->max_len : 0, f->required);
		if (e == V_FORMAT)
			SAY("invalid", "含有不能使用的字符（如控制字符），请删除后重新填写",
			    "Contains characters that cannot be used (such as control characters); please remove them");
		if (e == V_EMPTY)
			SAY("required", "请填写此项", "Please fill this in");
		if (e == V_TOO_LONG) {
			char num[24];
			snprintf(num, sizeof num, "%lld", f->max_len);
			fill(msg, MSG("最多 {v} 个字，请删减", "At most {v} characters; please shorten it"), num);
			return "too_long";
		}
	} else if (!strcmp(t, "idcard")) {
		e = v_idcard(s, n, today);
		if (e == V_FORMAT)
			SAY("invalid", "请填写18位身份证号码（17位数字，最后一位是数字或X）",
			    "Please enter the 18-character ID number (17 digits, then a digit or X)");
		if (e == V_CHECK_DIGIT)
			SAY("invalid", "身份证号码有误：最后一位校验码不符，请逐位核对",
			    "This ID number is not right: its last character does not match the others; please check each one");
		if (e == V_BAD_DATE)
			SAY("invalid", "身份证号码中的出生日期（第7到14位）不正确，请核对",
			    "The date of birth in this ID number (characters 7 to 14) is not a real one; please check it");
		if (f->prefill && !strcmp(f->prefill, "citizen.id")) {
			bool same = n == 18 && !memcmp(s, cit->idno, 17) &&
			            (s[17] == 'x' ? 'X' : s[17]) == cit->idno[17];
			if (!same)
				SAY("prefill_mismatch", "须为登录本人的身份证号码，不能代他人申请",
				    "This must be the ID number of the person logged in: nobody can apply in someone else's name");
		}
		return NULL;
	} else if (!strcmp(t, "phone")) {
		if (v_phone(s, n) != V_OK)
			SAY("invalid", "请填写11位手机号码，以1开头", "Please enter an 11-digit mobile number starting with 1");
		return NULL;
	} else if (!strcmp(t, "date")) {
		e = v_date(s, n, f->min_s, f->max_s, today);
		if (e == V_FORMAT)
			SAY("invalid", "请按“年-月-日”填写日期，如 2026-11-23",
			    "Please write the date as year-month-day, e.g. 2026-11-23");
		if (e == V_BAD_DATE)
			SAY("invalid", "没有这一天，请检查月份和日期", "There is no such day; please check the month and the day");
		if (e == V_TOO_SMALL || e == V_TOO_LARGE) {
			const char *b = e == V_TOO_SMALL ? f->min_s : f->max_s;
			const char *bv = !strcmp(b, "today") ? MSG("今天", "today") : b;
			fill(msg, e == V_TOO_SMALL ? MSG("日期不能早于{v}", "The date cannot be before {v}")
			                           : MSG("日期不能晚于{v}", "The date cannot be after {v}"), bv);
			return "out_of_range";
		}
		return NULL;
	} else if (!strcmp(t, "select")) {
		for (size_t k = 0; k < f->n_opts; k++)
			if (str_is(v, f->opts[k]))
				return NULL;
		SAY("invalid", "请从给出的选项中选择", "Please choose one of the options given");
	}
	if (f->prefill && !strcmp(f->prefill, "citizen.name") && !str_is(v, cit->name))
		SAY("prefill_mismatch", "须为登录本人的姓名，不能代他人申请",
		    "This must be the name of the person logged in: nobody can apply in someone else's name");
	return NULL;
	#undef SAY
}

/* Every error of the answers (in the form's order, then members that are
 * not fields), appended to errs. */
static void check_answers(const struct req *rq, const struct form *fm, json_t *answers,
                          const struct citizen *cit, json_t *errs)
{
	struct tm tm;
	local_day((long long)time(NULL), &tm);
	struct ymd today = { tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday };
	char msg[MSG_MAX];
	for (size_t i = 0; i < fm->n; i++) {
		const char *code = check_field(rq, &fm->f[i], json_object_get(answers, fm->f[i].id),
		                               cit, today, msg);
		if (code)
			json_array_append_new(errs, problem_error(fm->f[i].id, code, msg));
	}
	const char *k;
	json_t *v;
	json_object_foreach(answers, k, v) {
		bool known = false;
		for (size_t i = 0; i < fm->n && !known; i++)
			known = !strcmp(fm->f[i].id, k);
		if (!known)
			json_array_append_new(errs, problem_error(k, "unknown_field",
				MSG("表单中没有这一项", "This form has no such field")));
	}
}

/* ---- POST /v1/applications --------------------------------------------------------- */

/* "The same request": the citizen and the body's JSON with its members
 * sorted, hashed. */
static void request_hash(const struct citizen *cit, const json_t *body, char out[65])
{
	char *canon = json_dumps(body, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
	if (!canon)
		abort();
	size_t cl = strlen(cit->id), bl = strlen(canon);
	char *buf = malloc(cl + 1 + bl);
	if (!buf)
		abort();
	memcpy(buf, cit->id, cl);
	buf[cl] = '\n';
	memcpy(buf + cl + 1, canon, bl);
	unsigned char d[32];
	sha256(buf, cl + 1 + bl, d);
	explicit_bzero(buf, cl + 1 + bl);
	free(buf);
	gw_wipe_free(canon);
	for (int i = 0; i < 32; i++)
		sprintf(out + 2 * i, "%02x", d[i]);
}

/* The body's service_id and answers (borrowed from body), or false after a
 * 422 in rp naming each member that is wrong. */
static bool submission(const struct req *rq, struct reply *rp, json_t *body, const char **svc,
                       json_t **answers)
{
	json_t *errs = json_array(), *v;
	const char *k;
	*svc = NULL;
	*answers = NULL;
	json_object_foreach(body, k, v) {
		if (!strcmp(k, "service_id")) {
			if (json_is_string(v) && json_string_length(v) > 0 &&
			    json_string_length(v) <= 64 && strlen(json_string_value(v)) == json_string_length(v))
				*svc = json_string_value(v);
			else
				json_array_append_new(errs, problem_error(k, "type",
					MSG("须为事项编号（字符串），如 svc-social-card",
					    "must be a service id (a string), such as svc-social-card")));
		} else if (!strcmp(k, "answers")) {
			if (!json_is_object(v))
				json_array_append_new(errs, problem_error(k, "type",
					MSG("须为以字段 id 为键的 JSON 对象", "must be a JSON object keyed by field id")));
			else if (json_object_size(v) > ANSWERS_MAX)
				json_array_append_new(errs, problem_error(k, "too_many",
					MSG("最多 100 项", "must hold at most 100 members")));
			else
				*answers = v;
		} else {
			json_array_append_new(errs, problem_error(k, "unknown_field",
				MSG("不认识的字段", "unknown field")));
		}
	}
	if (!json_object_get(body, "service_id"))
		json_array_append_new(errs, problem_error("service_id", "required",
			MSG("请指定要办理的事项（service_id）", "give the service to apply for (service_id)")));
	if (!json_object_get(body, "answers"))
		json_array_append_new(errs, problem_error("answers", "required",
			MSG("缺少表单内容（answers）", "the form's answers are missing (answers)")));
	if (json_array_size(errs)) {
		reply_problem(rq, rp, "validation_failed", errs);
		return false;
	}
	json_decref(errs);
	return true;
}

/* Stores the new application of cit and its first step, in the open
 * transaction; the 201 answer into rp. */
static int app_create(sqlite3 *h, const struct req *rq, struct reply *rp, const char *kiosk,
                      const struct citizen *cit, const char *svc, const struct form *fm,
                      json_t *answers, long long now)
{
	char id[APP_ID_MAX];
	if (app_new_id(h, now, id))
		return -1;
	char *ans = json_dumps(answers, JSON_COMPACT | JSON_ENCODE_ANY);
	if (!ans)
		abort();
	sqlite3_stmt *st = db_prep(h, "INSERT INTO applications VALUES (?1, (SELECT coalesce(max(seq),"
	                           " 0) + 1 FROM applications), ?2, ?3, ?4, ?5, ?6, ?7, 'submitted',"
	                           " ?8, ?9, 1, NULL, NULL, NULL, ?10, ?10)");
	int rc = -1;
	if (st) {
		db_bind_str(st, 1, id);
		db_bind_str(st, 2, cit->id);
		db_bind_str(st, 3, svc);
		for (int l = 0; l < LANG_N; l++)
			db_bind_str(st, 4 + l, fm->name[l]);
		db_bind_str(st, 7, kiosk);
		sqlite3_bind_int64(st, 8, fm->fee);
		db_bind_str(st, 9, ans);
		sqlite3_bind_int64(st, 10, now);
		rc = sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
		sqlite3_clear_bindings(st); /* its copy of the answers */
		sqlite3_finalize(st);
	}
	gw_wipe_free(ans);
	const char *zh, *en;
	note_of("submitted", false, &zh, &en);
	if (!rc)
		rc = app_move(h, id, "submitted", now, zh, en);
	if (rc)
		return -1;
	json_t *j = json_pack("{s:s, s:s, s:s, s:o, s:o, s:o}", "id", id, "status", "submitted",
	                      "service_id", svc, "service_name", str_json(fm->name[rq->lang]),
	                      "created_at", time_json(now), "payment", payment_json(fm->fee));
	if (!j)
		abort();
	reply_json(rp, 201, j);
	rp->localized = true;
	return 0;
}

static int idem_store(sqlite3 *h, const struct req *rq, struct reply *rp, const char *kiosk,
                      const char *key, const char *hash, long long now)
{
	reply_materialize(rp);
	json_t *j = json_loadb(rp->body, rp->len, 0, NULL);
	const char *id = json_string_value(json_object_get(j, "id"));
	sqlite3_stmt *st = id ? db_prep(h, "INSERT INTO app_idempotency VALUES (?1, ?2, ?3, ?4, ?5,"
	                                " ?6, ?7, ?8)") : NULL;
	int rc = -1;
	if (st) {
		db_bind_str(st, 1, kiosk);
		db_bind_str(st, 2, key);
		db_bind_str(st, 3, hash);
		db_bind_str(st, 4, id);
		sqlite3_bind_int(st, 5, rp->status);
		sqlite3_bind_int(st, 6, (int)rq->lang);
		sqlite3_bind_text(st, 7, rp->body, (int)rp->len, SQLITE_TRANSIENT);
		sqlite3_bind_int64(st, 8, now);
		rc = sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
		sqlite3_finalize(st);
	}
	json_decref(j);
	return rc;
}

/* The citizen of the request's session into *cit; false after 401. */
static bool citizen_of(const struct req *rq, struct reply *rp, struct citizen *cit)
{
	if (auth_session_citizen(rq, cit))
		return true;
	reply_problem(rq, rp, "session_expired", NULL);
	return false;
}

void app_submit(struct req *rq, struct reply *rp)
{
	char kiosk[65], key[37], hash[65];
	struct citizen cit;
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
	if (!citizen_of(rq, rp, &cit))
		return;
	/* A NUL in a string is an answer to refuse by name, not a body to
	 * refuse whole. */
	json_t *body = json_loadb(rq->body ? rq->body : "", rq->body_len,
	                          JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL, NULL);
	if (!json_is_object(body)) {
		json_decref(body);
		explicit_bzero(&cit, sizeof cit);
		reply_problem(rq, rp, "bad_json", NULL);
		return;
	}
	request_hash(&cit, body, hash);
	long long now = (long long)time(NULL);
	sqlite3 *h = db_begin(rq, rp);
	if (!h) {
		json_decref(body);
		explicit_bzero(&cit, sizeof cit);
		return;
	}
	bool created = false;
	int rc = db_replay(h, rq, rp, "app_idempotency", kiosk, key, hash, now);
	const char *svc;
	json_t *answers;
	if (rc == 0 && submission(rq, rp, body, &svc, &answers)) {
		struct form fm;
		int found = form_load(h, svc, &fm);
		if (found == 0) {
			reply_problem(rq, rp, "service_not_found", NULL);
		} else if (found > 0 && fm.n == 0) {
			reply_problem(rq, rp, "service_has_no_form", NULL);
		} else if (found > 0) {
			json_t *errs = json_array();
			check_answers(rq, &fm, answers, &cit, errs);
			if (json_array_size(errs)) {
				reply_problem(rq, rp, "validation_failed", errs);
			} else {
				json_decref(errs);
				rc = app_create(h, rq, rp, kiosk, &cit, svc, &fm, answers, now);
				if (!rc)
					rc = idem_store(h, rq, rp, kiosk, key, hash, now);
				created = !rc;
			}
		} else {
			rc = -1;
		}
		if (found > 0)
			form_free(&fm);
	}
	json_decref(body);
	explicit_bzero(&cit, sizeof cit);
	if (!db_end(rq, rp, h, rc >= 0))
		return;
	if (created && sim_drop_after_commit(rq->gw->sim, rq->path, false))
		req_drop_connection(rq);
}

/* ---- GET /v1/applications/by-key/{key} ------------------------------------------------ */

void app_by_key(struct req *rq, struct reply *rp)
{
	char kiosk[65], key[37];
	if (!req_kiosk_id(rq, rp, kiosk))
		return;
	if (!idem_key_parse(rq->params[0], key)) {
		json_t *errs = json_array();
		json_array_append_new(errs, problem_error("key", "invalid", pay_message(rq, "key_invalid")));
		reply_problem(rq, rp, "idempotency_key_invalid", errs);
		return;
	}
	long long now = (long long)time(NULL);
	sqlite3 *h = db_begin(rq, rp);
	if (!h)
		return;
	int rc = advance_due(h, now);
	sqlite3_stmt *st = rc ? NULL :
		db_prep(h, "SELECT a.id, a.status, a.service_id, a.fee_fen FROM app_idempotency i"
		        " JOIN applications a ON a.id = i.app_id"
		        " WHERE i.kiosk = ?1 AND i.key = ?2 AND i.created_at > ?3");
	json_t *j = NULL;
	if (st) {
		db_bind_str(st, 1, kiosk);
		db_bind_str(st, 2, key);
		sqlite3_bind_int64(st, 3, now - DB_IDEM_TTL_S);
		int step = sqlite3_step(st);
		if (step == SQLITE_ROW)
			j = json_pack("{s:o, s:o, s:o, s:o}", "id", str_json(col(st, 0)),
			              "status", str_json(col(st, 1)), "service_id", str_json(col(st, 2)),
			              "payment", payment_json(sqlite3_column_int64(st, 3)));
		else if (step != SQLITE_DONE)
			rc = -1;
		sqlite3_finalize(st);
	} else {
		rc = -1;
	}
	if (!db_end(rq, rp, h, rc == 0)) {
		json_decref(j);
		return;
	}
	if (!j) {
		reply_problem(rq, rp, "application_not_found", NULL);
		return;
	}
	reply_json(rp, 200, j);
}

/* ---- GET /v1/me/applications ----------------------------------------------------------- */

void app_mine(struct req *rq, struct reply *rp)
{
	struct citizen cit;
	if (!citizen_of(rq, rp, &cit))
		return;
	long long now = (long long)time(NULL);
	sqlite3 *h = db_begin(rq, rp);
	if (!h) {
		explicit_bzero(&cit, sizeof cit);
		return;
	}
	json_t *list = json_array();
	bool ok = advance_due(h, now) == 0;
	sqlite3_stmt *st = ok ? db_prep(h, "SELECT " APP_COLS " FROM applications WHERE citizen = ?1"
	                                " ORDER BY created_at DESC, seq DESC LIMIT ?2") : NULL;
	int rc = SQLITE_ERROR;
	if (st) {
		db_bind_str(st, 1, cit.id);
		sqlite3_bind_int(st, 2, MINE_MAX);
		while ((rc = sqlite3_step(st)) == SQLITE_ROW)
			json_array_append_new(list, app_json(h, st, rq->lang, &ok));
		sqlite3_finalize(st);
	}
	explicit_bzero(&cit, sizeof cit);
	if (!db_end(rq, rp, h, ok && rc == SQLITE_DONE)) {
		json_decref(list);
		return;
	}
	reply_json(rp, 200, json_pack("{s:o}", "applications", list));
	rp->localized = true;
}

/* ---- /sim/applications ------------------------------------------------------------------- */

void sim_apps(struct req *rq, struct reply *rp)
{
	long long now = (long long)time(NULL);
	sqlite3 *h = db_begin(rq, rp);
	if (!h)
		return;
	json_t *list = json_array();
	sqlite3_stmt *st = advance_due(h, now) ? NULL :
		db_prep(h, "SELECT " APP_COLS " FROM applications ORDER BY seq DESC LIMIT " SIM_RECENT);
	int rc = SQLITE_ERROR;
	while (st && (rc = sqlite3_step(st)) == SQLITE_ROW)
		json_array_append_new(list, json_pack("{s:o, s:o, s:o, s:o, s:o, s:o}",
			"id", str_json(col(st, A_ID)), "status", str_json(col(st, A_STATUS)),
			"service_id", str_json(col(st, A_SVC)), "citizen", str_json(col(st, A_CITIZEN)),
			"kiosk", str_json(col(st, A_KIOSK)),
			"created_at", time_json(sqlite3_column_int64(st, A_CREATED))));
	sqlite3_finalize(st);
	if (!db_end(rq, rp, h, rc == SQLITE_DONE)) {
		json_decref(list);
		return;
	}
	reply_json(rp, 200, json_pack("{s:o}", "applications", list));
}

/* The body of /advance: {} or {"status": one of the statuses}; *to NULL
 * for the usual next one. False after a 400/422 in rp. */
static bool advance_arg(const struct req *rq, struct reply *rp, const char **to, json_t **keep)
{
	*to = NULL;
	*keep = NULL;
	json_t *j = rq->body_len ? json_loadb(rq->body, rq->body_len, JSON_REJECT_DUPLICATES, NULL)
	                         : json_object();
	if (!json_is_object(j)) {
		json_decref(j);
		reply_problem(rq, rp, "bad_json", NULL);
		return false;
	}
	json_t *errs = json_array(), *v;
	const char *k;
	json_object_foreach(j, k, v) {
		bool known = false;
		for (size_t i = 0; i < N_NOTES && !known; i++)
			known = json_is_string(v) && !strcmp(json_string_value(v), notes[i].status);
		if (!strcmp(k, "status") && known)
			*to = json_string_value(v);
		else if (!strcmp(k, "status"))
			json_array_append_new(errs, problem_error(k, "unknown_value",
				MSG("须为 accepted、in_review、needs_more、approved、rejected、completed 之一",
				    "must be one of accepted, in_review, needs_more, approved, rejected, completed")));
		else
			json_array_append_new(errs, problem_error(k, "unknown_field",
				MSG("不认识的字段", "unknown field")));
	}
	if (json_array_size(errs)) {
		json_decref(j);
		reply_problem(rq, rp, "validation_failed", errs);
		return false;
	}
	json_decref(errs);
	*keep = j;
	return true;
}

void sim_app_advance(struct req *rq, struct reply *rp)
{
	const char *id = rq->params[0], *to;
	json_t *arg;
	if (!advance_arg(rq, rp, &to, &arg))
		return;
	long long now = (long long)time(NULL);
	sqlite3 *h = db_begin(rq, rp);
	if (!h) {
		json_decref(arg);
		return;
	}
	char status[16] = "";
	json_t *app = NULL;
	int rc = advance_due(h, now) ? -1 : strlen(id) < APP_ID_MAX ?
	         app_find(h, id, rq->lang, &app, status) : 0;
	json_decref(app);
	app = NULL;
	if (rc == 0) {
		reply_problem(rq, rp, "application_not_found", NULL);
	} else if (rc == 1 && final_status(status)) {
		reply_problem(rq, rp, "application_final", NULL);
		json_object_set_new(rp->json, "application_id", json_string(id));
		json_object_set_new(rp->json, "state", json_string(status));
	} else if (rc == 1 && to && !move_allowed(status, to)) {
		json_t *errs = json_array();
		json_array_append_new(errs, problem_error("status", "not_allowed",
			MSG("该申请当前状态不能转到这一状态", "the application cannot move to this status from where it is")));
		reply_problem(rq, rp, "validation_failed", errs);
	} else if (rc == 1) {
		const char *zh, *en;
		if (!to)
			to = next_status(status);
		note_of(to, !strcmp(status, "needs_more") && !strcmp(to, "in_review"), &zh, &en);
		rc = app_move(h, id, to, now, zh, en);
		if (!rc)
			rc = app_find(h, id, rq->lang, &app, status) == 1 ? 0 : -1;
	}
	json_decref(arg);
	if (!db_end(rq, rp, h, rc >= 0)) {
		json_decref(app);
		return;
	}
	if (app) {
		reply_json(rp, 200, app);
		rp->localized = true;
	}
}
