/* db.c: the gateway's SQLite store: schema, demo, synthetic and catalog
 * file (--catalog) loading, and the queries behind GET /v1/catalog and
 * GET /v1/services/{id}.
 *
 * Every text has three columns, in enum lang order: _zh (zh-CN), _en and _tw
 * (zh-TW). demo_data.c gives zh-CN and English; the loader fills _tw from
 * zh_tw_table.c (see zh_tw_gen.py), so a query only picks a column.
 *
 * Lists (keywords, materials) are stored as JSON array text; a form is rows
 * of form_fields (and field_options for selects). min_value/max_value hold
 * an INTEGER for number/money fields and TEXT for dates, and come out of
 * the answer with that JSON type.
 */
#include "gw_db.h"
#include "gw_apps.h"
#include "gw_auth.h"
#include "gw_catalog.h"
#include "gw_demo.h"
#include "gw_pay.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Version 6 added the service hall (hall.c): staff and their one-time
 * codes, queue tickets, ratings, help calls, heartbeats and kiosk configs;
 * version 5 applications, their timelines and idempotency records,
 * and licences; version 4 bills, payments and idempotency records (older
 * databases of version 3, 4 or 5 are migrated in place: the new tables,
 * empty); version 3 the _tw columns; version 2 the citizens. */
#define SCHEMA_VERSION 6

_Static_assert(LANG_ZH == 0 && LANG_EN == 1 && LANG_TW == 2 && LANG_N == 3,
               "the _zh, _en, _tw columns follow enum lang");
/* "name_zh, name_en, name_tw" */
#define L3(c) c "_zh, " c "_en, " c "_tw"
/* "name_zh TEXT NOT NULL, ..." */
#define L3_TEXT(c) c "_zh TEXT NOT NULL, " c "_en TEXT NOT NULL, " c "_tw TEXT NOT NULL"

/* Schema version 4: bills (demo data), payments, and the answers of POST
 * /v1/payments by (kiosk, Idempotency-Key), which outlive restarts (not
 * --demo). bills.paid_by is the payment that paid it. Times are Unix
 * seconds. */
#define PAY_TABLES \
	"CREATE TABLE bills(id TEXT PRIMARY KEY, ord INTEGER NOT NULL UNIQUE," \
	" type TEXT NOT NULL CHECK (type IN ('water','electricity','gas','traffic_fine'))," \
	" account TEXT NOT NULL, period TEXT NOT NULL," \
	" amount_fen INTEGER NOT NULL CHECK (amount_fen > 0), due_date TEXT NOT NULL," \
	" " L3_TEXT("payee") ", " L3_TEXT("description") ", paid_by TEXT);" \
	"CREATE INDEX bills_by_account ON bills(type, account, ord);" \
	"CREATE TABLE bill_accounts(type TEXT NOT NULL, account TEXT NOT NULL," \
	" ord INTEGER NOT NULL, PRIMARY KEY (type, account)) WITHOUT ROWID;" \
	"CREATE TABLE payments(id TEXT PRIMARY KEY, seq INTEGER NOT NULL UNIQUE," \
	" kiosk TEXT NOT NULL, bill_id TEXT NOT NULL, amount_fen INTEGER NOT NULL," \
	" " L3_TEXT("payee") ", " L3_TEXT("description") "," \
	" state TEXT NOT NULL CHECK (state IN" \
	" ('created','pending','success','failed','cancelled','expired'))," \
	" qr_payload TEXT NOT NULL, created_at INTEGER NOT NULL, expires_at INTEGER NOT NULL," \
	" updated_at INTEGER NOT NULL, receipt_no TEXT UNIQUE, paid_at INTEGER);" \
	"CREATE INDEX payments_by_bill ON payments(bill_id, state);" \
	"CREATE INDEX payments_by_expiry ON payments(state, expires_at);" \
	"CREATE TABLE idempotency(kiosk TEXT NOT NULL, key TEXT NOT NULL," \
	" request TEXT NOT NULL, status INTEGER NOT NULL, lang INTEGER NOT NULL," \
	" body TEXT NOT NULL, created_at INTEGER NOT NULL," \
	" PRIMARY KEY (kiosk, key)) WITHOUT ROWID;"

/* Schema version 5: applications (the citizen's, by the id of struct
 * citizen; kiosk "" for the demo's past ones; auto: moves on by itself, see
 * apps.c), their timelines (app_events, in order), the answers of POST
 * /v1/applications by (kiosk, Idempotency-Key), and e-licences (demo data;
 * valid_until NULL is 长期, no end). The answers are kept as JSON text for
 * whoever handles the application; nothing reads them back here. */
#define APP_TABLES \
	"CREATE TABLE applications(id TEXT PRIMARY KEY, seq INTEGER NOT NULL UNIQUE," \
	" citizen TEXT NOT NULL, service_id TEXT NOT NULL, " L3_TEXT("service_name") "," \
	" kiosk TEXT NOT NULL, status TEXT NOT NULL CHECK (status IN ('submitted','accepted'," \
	"'in_review','needs_more','approved','rejected','completed'))," \
	" fee_fen INTEGER NOT NULL CHECK (fee_fen >= 0), answers TEXT NOT NULL," \
	" auto INTEGER NOT NULL, needs_more_zh TEXT, needs_more_en TEXT, needs_more_tw TEXT," \
	" created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL);" \
	"CREATE INDEX applications_by_citizen ON applications(citizen, created_at);" \
	"CREATE INDEX applications_moving ON applications(auto, status);" \
	"CREATE TABLE app_events(app_id TEXT NOT NULL, ord INTEGER NOT NULL, at INTEGER NOT NULL," \
	" status TEXT NOT NULL, " L3_TEXT("note") ", PRIMARY KEY (app_id, ord)) WITHOUT ROWID;" \
	"CREATE TABLE app_idempotency(kiosk TEXT NOT NULL, key TEXT NOT NULL," \
	" request TEXT NOT NULL, app_id TEXT NOT NULL, status INTEGER NOT NULL," \
	" lang INTEGER NOT NULL, body TEXT NOT NULL, created_at INTEGER NOT NULL," \
	" PRIMARY KEY (kiosk, key)) WITHOUT ROWID;" \
	"CREATE TABLE licenses(id TEXT PRIMARY KEY, citizen TEXT NOT NULL, ord INTEGER NOT NULL," \
	" type TEXT NOT NULL, " L3_TEXT("name") ", number_masked TEXT NOT NULL," \
	" " L3_TEXT("issuer") ", valid_until TEXT);" \
	"CREATE INDEX licenses_by_citizen ON licenses(citizen, ord);"

/* Schema version 6, the service hall (hall.c). Staff (S001...) and their
 * one-time codes, stored by the SHA-256 of the code (the store never holds
 * a usable one). Queue tickets: queue_days is each window group's queue of
 * a local day (grp the ticket letter, issued the last number given, called
 * how many were called, called_at when the last was); tickets are the
 * kiosks' ones. Ratings, one a subject (subject_key: "app:ID", "pay:ID",
 * "ticket:SEQ"). Help calls. The last heartbeat of each kiosk (state: the
 * heartbeat as JSON), and each kiosk's configs by version (config: the JSON
 * object as the operator gave it). Idempotency records of tickets and
 * ratings are shaped as those of payments (db_replay). */
#define IDEM_TABLE(name) \
	"CREATE TABLE " name "(kiosk TEXT NOT NULL, key TEXT NOT NULL," \
	" request TEXT NOT NULL, status INTEGER NOT NULL, lang INTEGER NOT NULL," \
	" body TEXT NOT NULL, created_at INTEGER NOT NULL," \
	" PRIMARY KEY (kiosk, key)) WITHOUT ROWID;"
#define HALL_TABLES \
	"CREATE TABLE staff(id TEXT PRIMARY KEY, seq INTEGER NOT NULL UNIQUE," \
	" name TEXT NOT NULL UNIQUE);" \
	"CREATE TABLE staff_codes(hash TEXT PRIMARY KEY, staff_id TEXT NOT NULL," \
	" created_at INTEGER NOT NULL, expires_at INTEGER NOT NULL, used_at INTEGER," \
	" used_by TEXT) WITHOUT ROWID;" \
	"CREATE TABLE queue_days(day TEXT NOT NULL, grp TEXT NOT NULL, issued INTEGER NOT NULL," \
	" called INTEGER NOT NULL, called_at INTEGER NOT NULL," \
	" PRIMARY KEY (day, grp)) WITHOUT ROWID;" \
	"CREATE TABLE tickets(seq INTEGER PRIMARY KEY, kiosk TEXT NOT NULL, ticket TEXT NOT NULL," \
	" service_id TEXT NOT NULL, day TEXT NOT NULL, grp TEXT NOT NULL, num INTEGER NOT NULL," \
	" issued_at INTEGER NOT NULL);" \
	"CREATE INDEX tickets_by_kiosk ON tickets(kiosk, ticket, service_id);" \
	IDEM_TABLE("ticket_idempotency") \
	"CREATE TABLE ratings(id TEXT PRIMARY KEY, seq INTEGER NOT NULL UNIQUE," \
	" kiosk TEXT NOT NULL, subject_key TEXT NOT NULL UNIQUE, subject TEXT NOT NULL," \
	" score INTEGER NOT NULL CHECK (score BETWEEN 1 AND 5), tags TEXT NOT NULL," \
	" comment TEXT NOT NULL, created_at INTEGER NOT NULL);" \
	IDEM_TABLE("rating_idempotency") \
	"CREATE TABLE help_calls(id TEXT PRIMARY KEY, seq INTEGER NOT NULL UNIQUE," \
	" kiosk TEXT NOT NULL, reason TEXT NOT NULL, screen TEXT NOT NULL, at INTEGER NOT NULL);" \
	"CREATE TABLE heartbeats(kiosk TEXT PRIMARY KEY, last_seen INTEGER NOT NULL," \
	" beats INTEGER NOT NULL, state TEXT NOT NULL) WITHOUT ROWID;" \
	"CREATE TABLE kiosk_configs(kiosk TEXT NOT NULL, version INTEGER NOT NULL," \
	" config TEXT NOT NULL, created_at INTEGER NOT NULL," \
	" PRIMARY KEY (kiosk, version)) WITHOUT ROWID;"

/* From version 3 to 4, 4 to 5 and 5 to 6, in place: the new tables (no
 * demo bills, applications or licences: those come with --demo). */
static const char migrate_4_sql[] =
	"BEGIN IMMEDIATE;" PAY_TABLES "PRAGMA user_version = 4; COMMIT;";
static const char migrate_5_sql[] =
	"BEGIN IMMEDIATE;" APP_TABLES "PRAGMA user_version = 5; COMMIT;";
static const char migrate_6_sql[] =
	"BEGIN IMMEDIATE;" HALL_TABLES "PRAGMA user_version = 6; COMMIT;";

static const char schema_sql[] =
	"CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);"
	"CREATE TABLE categories(id TEXT PRIMARY KEY, ord INTEGER NOT NULL,"
	" " L3_TEXT("name") ", " L3_TEXT("where") ");"
	"CREATE TABLE services(id TEXT PRIMARY KEY, ord INTEGER NOT NULL UNIQUE,"
	" category TEXT NOT NULL REFERENCES categories(id),"
	" kind TEXT NOT NULL CHECK (kind IN ('apply','query','bill','queue')),"
	" login_required INTEGER NOT NULL, fee_fen INTEGER NOT NULL CHECK (fee_fen >= 0),"
	" processing_days INTEGER NOT NULL,"
	" " L3_TEXT("name") ", " L3_TEXT("summary") ", " L3_TEXT("keywords") ","
	" " L3_TEXT("description") ", " L3_TEXT("materials") ", " L3_TEXT("where") ");"
	"CREATE TABLE form_fields(service_id TEXT NOT NULL REFERENCES services(id),"
	" ord INTEGER NOT NULL, fid TEXT NOT NULL,"
	" type TEXT NOT NULL CHECK (type IN ('text','number','money','date','select','bool','idcard','phone')),"
	" " L3_TEXT("label") ", required INTEGER NOT NULL,"
	" max_len INTEGER, prefill TEXT, min_value, max_value,"
	" PRIMARY KEY (service_id, ord), UNIQUE (service_id, fid)) WITHOUT ROWID;"
	"CREATE TABLE field_options(service_id TEXT NOT NULL, fid TEXT NOT NULL,"
	" ord INTEGER NOT NULL, value TEXT NOT NULL, " L3_TEXT("label") ","
	" PRIMARY KEY (service_id, fid, ord)) WITHOUT ROWID;"
	"CREATE TABLE popular(ord INTEGER PRIMARY KEY, service_id TEXT NOT NULL);"
	"CREATE TABLE citizens(id TEXT PRIMARY KEY, ord INTEGER NOT NULL UNIQUE,"
	" name TEXT NOT NULL, idno TEXT NOT NULL, phone TEXT NOT NULL);"
	PAY_TABLES
	APP_TABLES
	HALL_TABLES
	"PRAGMA user_version = 6;";

static const char drop_sql[] =
	"DROP TABLE IF EXISTS field_options; DROP TABLE IF EXISTS form_fields;"
	"DROP TABLE IF EXISTS popular; DROP TABLE IF EXISTS services;"
	"DROP TABLE IF EXISTS categories; DROP TABLE IF EXISTS meta;"
	"DROP TABLE IF EXISTS citizens; DROP TABLE IF EXISTS bills;"
	"DROP TABLE IF EXISTS bill_accounts; DROP TABLE IF EXISTS payments;"
	"DROP TABLE IF EXISTS idempotency; DROP TABLE IF EXISTS applications;"
	"DROP TABLE IF EXISTS app_events; DROP TABLE IF EXISTS app_idempotency;"
	"DROP TABLE IF EXISTS licenses; DROP TABLE IF EXISTS staff;"
	"DROP TABLE IF EXISTS staff_codes; DROP TABLE IF EXISTS queue_days;"
	"DROP TABLE IF EXISTS tickets; DROP TABLE IF EXISTS ticket_idempotency;"
	"DROP TABLE IF EXISTS ratings; DROP TABLE IF EXISTS rating_idempotency;"
	"DROP TABLE IF EXISTS help_calls; DROP TABLE IF EXISTS heartbeats;"
	"DROP TABLE IF EXISTS kiosk_configs;"
	"PRAGMA user_version = 0;";

/* Column lists shared by the catalog and the service query: the brief. */
#define BRIEF_COLS "id, category, kind, login_required, fee_fen, " L3("name") ", " \
                   L3("summary") ", " L3("keywords")
enum { C_ID, C_CAT, C_KIND, C_LOGIN, C_FEE, C_NAME, C_SUMMARY = C_NAME + LANG_N,
       C_KEYWORDS = C_SUMMARY + LANG_N, C_DESC = C_KEYWORDS + LANG_N,
       C_MATERIALS = C_DESC + LANG_N, C_DAYS = C_MATERIALS + LANG_N, C_WHERE };
/* ST_FIELDS columns. */
enum { F_ID, F_TYPE, F_LABEL, F_REQUIRED = F_LABEL + LANG_N, F_MAX_LEN, F_PREFILL, F_MIN, F_MAX };

enum stmt_id { ST_VERSION, ST_CATS, ST_POPULAR, ST_SERVICES, ST_SERVICE, ST_FIELDS,
               ST_OPTIONS, ST_N };

static const char *const stmt_sql[ST_N] = {
	[ST_VERSION] = "SELECT value FROM meta WHERE key = 'catalog_version'",
	[ST_CATS] = "SELECT id, " L3("name") " FROM categories ORDER BY ord",
	[ST_POPULAR] = "SELECT p.service_id FROM popular p JOIN services s ON s.id = p.service_id"
	               " ORDER BY p.ord",
	[ST_SERVICES] = "SELECT " BRIEF_COLS " FROM services ORDER BY ord",
	[ST_SERVICE] = "SELECT " BRIEF_COLS ", " L3("description") ", " L3("materials") ","
	               " processing_days, " L3("where") " FROM services WHERE id = ?1",
	[ST_FIELDS] = "SELECT fid, type, " L3("label") ", required, max_len, prefill,"
	              " min_value, max_value FROM form_fields WHERE service_id = ?1 ORDER BY ord",
	[ST_OPTIONS] = "SELECT value, " L3("label") " FROM field_options"
	               " WHERE service_id = ?1 AND fid = ?2 ORDER BY ord",
};

struct db {
	sqlite3 *h;
	pthread_mutex_t lock;
	sqlite3_stmt *st[ST_N];
};

static int fail(struct db *db, char *err, size_t errlen, const char *what)
{
	snprintf(err, errlen, "%s: %s", what, sqlite3_errmsg(db->h));
	return -1;
}

static void log_error(struct db *db, const char *what)
{
	fprintf(stderr, "gatewayd: db: %s: %s\n", what, sqlite3_errmsg(db->h));
}

static long long query_int(struct db *db, const char *sql);

struct db *db_open(const char *path, char *err, size_t errlen)
{
	if (!sqlite3_threadsafe()) {
		snprintf(err, errlen, "SQLite was built without thread support");
		return NULL;
	}
	struct db *db = calloc(1, sizeof *db);
	if (!db)
		abort();
	pthread_mutex_init(&db->lock, NULL);
	int rc = sqlite3_open_v2(path, &db->h,
	                         SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX,
	                         NULL);
	if (rc != SQLITE_OK) {
		snprintf(err, errlen, "%s: %s", path, db->h ? sqlite3_errmsg(db->h) : sqlite3_errstr(rc));
		db_close(db);
		return NULL;
	}
	sqlite3_busy_timeout(db->h, 2000);
	sqlite3_extended_result_codes(db->h, 1);
	if (sqlite3_exec(db->h, "PRAGMA foreign_keys = ON; PRAGMA synchronous = FULL;",
	                 NULL, NULL, NULL) != SQLITE_OK) {
		fail(db, err, errlen, path);
		db_close(db);
		return NULL;
	}
	/* A new (empty) file gets the schema; anything else is left alone here,
	 * so --demo can still recreate a database of another version. */
	if (query_int(db, "PRAGMA user_version") == 0 &&
	    query_int(db, "SELECT count(*) FROM sqlite_master") == 0 &&
	    sqlite3_exec(db->h, schema_sql, NULL, NULL, NULL) != SQLITE_OK) {
		fail(db, err, errlen, "creating the schema");
		db_close(db);
		return NULL;
	}
	if (query_int(db, "PRAGMA user_version") == 3 &&
	    sqlite3_exec(db->h, migrate_4_sql, NULL, NULL, NULL) != SQLITE_OK) {
		fail(db, err, errlen, "migrating the schema from version 3 to 4");
		sqlite3_exec(db->h, "ROLLBACK", NULL, NULL, NULL);
		db_close(db);
		return NULL;
	}
	if (query_int(db, "PRAGMA user_version") == 4 &&
	    sqlite3_exec(db->h, migrate_5_sql, NULL, NULL, NULL) != SQLITE_OK) {
		fail(db, err, errlen, "migrating the schema from version 4 to 5");
		sqlite3_exec(db->h, "ROLLBACK", NULL, NULL, NULL);
		db_close(db);
		return NULL;
	}
	if (query_int(db, "PRAGMA user_version") == 5 &&
	    sqlite3_exec(db->h, migrate_6_sql, NULL, NULL, NULL) != SQLITE_OK) {
		fail(db, err, errlen, "migrating the schema from version 5 to 6");
		sqlite3_exec(db->h, "ROLLBACK", NULL, NULL, NULL);
		db_close(db);
		return NULL;
	}
	return db;
}

sqlite3 *db_lock(struct db *db)
{
	pthread_mutex_lock(&db->lock);
	return db->h;
}

void db_unlock(struct db *db)
{
	pthread_mutex_unlock(&db->lock);
}

void db_close(struct db *db)
{
	if (!db)
		return;
	for (int i = 0; i < ST_N; i++)
		sqlite3_finalize(db->st[i]);
	sqlite3_close(db->h);
	pthread_mutex_destroy(&db->lock);
	free(db);
}

static long long query_int(struct db *db, const char *sql)
{
	sqlite3_stmt *st = NULL;
	long long v = -1;
	if (sqlite3_prepare_v2(db->h, sql, -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

static int schema_ok(struct db *db, char *err, size_t errlen)
{
	long long ver = query_int(db, "PRAGMA user_version");
	if (ver == SCHEMA_VERSION)
		return 0;
	snprintf(err, errlen, "not a gatewayd database of schema version %d "
	         "(found %lld); start with --demo to recreate it", SCHEMA_VERSION, ver);
	return -1;
}

int db_prepare(struct db *db, char *err, size_t errlen)
{
	if (schema_ok(db, err, errlen))
		return -1;
	for (int i = 0; i < ST_N; i++)
		if (sqlite3_prepare_v3(db->h, stmt_sql[i], -1, SQLITE_PREPARE_PERSISTENT,
		                       &db->st[i], NULL) != SQLITE_OK)
			return fail(db, err, errlen, "preparing a query");
	return 0;
}

void db_counts(struct db *db, long *n_categories, long *n_services)
{
	pthread_mutex_lock(&db->lock);
	*n_categories = (long)query_int(db, "SELECT count(*) FROM categories");
	*n_services = (long)query_int(db, "SELECT count(*) FROM services");
	pthread_mutex_unlock(&db->lock);
}

/* ---- loading ------------------------------------------------------------ */

/* "a|b|c" as JSON array text (caller frees). */
static char *split_json(const char *s)
{
	json_t *a = json_array();
	while (s && *s) {
		size_t n = strcspn(s, "|");
		json_array_append_new(a, json_stringn(s, n));
		s += n;
		if (*s == '|')
			s++;
	}
	char *t = json_dumps(a, JSON_COMPACT);
	json_decref(a);
	if (!t)
		abort();
	return t;
}

static void bind_text(sqlite3_stmt *st, int i, const char *s)
{
	if (s)
		sqlite3_bind_text(st, i, s, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(st, i);
}

static void bind_json_list(sqlite3_stmt *st, int i, const char *list)
{
	sqlite3_bind_text(st, i, split_json(list), -1, free);
}

static int step_done(sqlite3_stmt *st)
{
	int rc = sqlite3_step(st);
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

enum ins { I_CAT, I_SVC, I_FIELD, I_OPT, I_POP, I_META, I_CIT, I_BILL, I_ACCT, I_APP,
           I_EVENT, I_LIC, I_N };

static const char *const ins_sql[I_N] = {
	[I_CAT] = "INSERT OR IGNORE INTO categories VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
	[I_SVC] = ("INSERT INTO services VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11,"
	           " ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25)"),
	[I_FIELD] = "INSERT INTO form_fields VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
	[I_OPT] = "INSERT INTO field_options VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
	[I_POP] = "INSERT INTO popular VALUES (?1, ?2)",
	[I_META] = "INSERT OR REPLACE INTO meta VALUES (?1, ?2)",
	[I_CIT] = "INSERT INTO citizens VALUES (?1, ?2, ?3, ?4, ?5)",
	[I_BILL] = ("INSERT INTO bills VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11,"
	            " ?12, ?13, NULL)"),
	[I_ACCT] = "INSERT INTO bill_accounts VALUES (?1, ?2, ?3)",
	[I_APP] = ("INSERT INTO applications VALUES (?1, (SELECT coalesce(max(seq), 0) + 1 FROM"
	           " applications), ?2, ?3, ?4, ?5, ?6, '', ?7, ?8, '{}', 0, ?9, ?10, ?11, ?12, ?13)"),
	[I_EVENT] = "INSERT INTO app_events VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
	[I_LIC] = "INSERT INTO licenses VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
};

struct loader {
	struct db *db;
	sqlite3_stmt *st[I_N];
	char *err;
	size_t errlen;
	long untranslated;           /* zh-CN texts zh_tw_table.c lacks */
};

/* A text in language l. zh-TW, which demo_data.c leaves NULL, is the zh-CN
 * text through zh_tw_table.c; a zh-CN text the table lacks (it changed
 * since zh_tw_gen.py ran) is used as it is, and counted. */
static const char *text_in(struct loader *L, const char *const t[LANG_N], int l)
{
	if (t[l] || l != LANG_TW || !t[LANG_ZH])
		return t[l];
	const char *tw = zh_tw(t[LANG_ZH]);
	if (tw)
		return tw;
	for (const unsigned char *p = (const unsigned char *)t[LANG_ZH]; *p; p++)
		if (*p >= 0x80) { /* ASCII ("60%", "") needs no translation */
			L->untranslated++;
			break;
		}
	return t[LANG_ZH];
}

static int loader_begin(struct loader *L, struct db *db, char *err, size_t errlen)
{
	memset(L, 0, sizeof *L);
	L->db = db;
	L->err = err;
	L->errlen = errlen;
	return sqlite3_exec(db->h, "BEGIN IMMEDIATE", NULL, NULL, NULL) == SQLITE_OK
	       ? 0 : fail(db, err, errlen, "starting a transaction");
}

static int loader_prepare(struct loader *L)
{
	for (int i = 0; i < I_N; i++)
		if (sqlite3_prepare_v2(L->db->h, ins_sql[i], -1, &L->st[i], NULL) != SQLITE_OK)
			return fail(L->db, L->err, L->errlen, "preparing an insert");
	return 0;
}

static int loader_end(struct loader *L, int rc)
{
	for (int i = 0; i < I_N; i++)
		sqlite3_finalize(L->st[i]);
	if (rc == 0 && sqlite3_exec(L->db->h, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
		rc = fail(L->db, L->err, L->errlen, "committing");
	if (rc == 0 && L->untranslated)
		fprintf(stderr, "gatewayd: %ld demo texts have no zh-TW form and are served in zh-CN;"
		        " run python3 gateway/zh_tw_gen.py\n", L->untranslated);
	if (rc != 0)
		sqlite3_exec(L->db->h, "ROLLBACK", NULL, NULL, NULL);
	return rc;
}

static int insert_category(struct loader *L, const struct demo_category *c, int ord)
{
	sqlite3_stmt *st = L->st[I_CAT];
	bind_text(st, 1, c->id);
	sqlite3_bind_int(st, 2, ord);
	for (int l = 0; l < LANG_N; l++) {
		bind_text(st, 3 + l, text_in(L, c->name, l));
		bind_text(st, 6 + l, text_in(L, c->where, l));
	}
	if (step_done(st))
		return fail(L->db, L->err, L->errlen, c->id);
	return 0;
}

static int insert_field(struct loader *L, const char *svc, const struct demo_field *f, int ord)
{
	static const char *const types[] = { "text", "number", "money", "date", "select",
	                                     "bool", "idcard", "phone", NULL };
	size_t t = 0;
	while (types[t] && strcmp(types[t], f->type))
		t++;
	if (!types[t] || ((strcmp(f->type, "select") == 0) != (f->options != NULL))) {
		snprintf(L->err, L->errlen, "%s: field %s: bad type or options", svc, f->id);
		return -1;
	}
	sqlite3_stmt *st = L->st[I_FIELD];
	bind_text(st, 1, svc);
	sqlite3_bind_int(st, 2, ord);
	bind_text(st, 3, f->id);
	bind_text(st, 4, f->type);
	for (int l = 0; l < LANG_N; l++)
		bind_text(st, 5 + l, text_in(L, f->label, l));
	sqlite3_bind_int(st, 8, f->required);
	if (f->max_len > 0)
		sqlite3_bind_int(st, 9, f->max_len);
	bind_text(st, 10, f->prefill);
	if (f->min_date || f->max_date) {
		bind_text(st, 11, f->min_date);
		bind_text(st, 12, f->max_date);
	} else {
		if (f->has_min)
			sqlite3_bind_int64(st, 11, f->min);
		if (f->has_max)
			sqlite3_bind_int64(st, 12, f->max);
	}
	if (step_done(st))
		return fail(L->db, L->err, L->errlen, f->id);
	for (int i = 0; f->options && f->options[i].value; i++) {
		const struct demo_option *o = &f->options[i];
		st = L->st[I_OPT];
		bind_text(st, 1, svc);
		bind_text(st, 2, f->id);
		sqlite3_bind_int(st, 3, i);
		bind_text(st, 4, o->value);
		for (int l = 0; l < LANG_N; l++)
			bind_text(st, 5 + l, text_in(L, o->label, l));
		if (step_done(st))
			return fail(L->db, L->err, L->errlen, o->value);
	}
	return 0;
}

static int insert_service(struct loader *L, const struct demo_service *s, long ord,
                          const char *const where[LANG_N])
{
	sqlite3_stmt *st = L->st[I_SVC];
	bind_text(st, 1, s->id);
	sqlite3_bind_int64(st, 2, ord);
	bind_text(st, 3, s->category);
	bind_text(st, 4, s->kind);
	sqlite3_bind_int(st, 5, s->login_required);
	sqlite3_bind_int64(st, 6, s->fee_fen);
	sqlite3_bind_int(st, 7, s->processing_days);
	for (int l = 0; l < LANG_N; l++) {
		const char *summary = text_in(L, s->summary, l), *desc = text_in(L, s->description, l);
		bind_text(st, 8 + l, text_in(L, s->name, l));
		bind_text(st, 11 + l, summary ? summary : "");
		bind_json_list(st, 14 + l, text_in(L, s->keywords, l));
		bind_text(st, 17 + l, desc ? desc : "");
		bind_json_list(st, 20 + l, text_in(L, s->materials, l));
		bind_text(st, 23 + l, text_in(L, s->where[LANG_ZH] ? s->where : where, l));
	}
	if (step_done(st))
		return fail(L->db, L->err, L->errlen, s->id);
	for (int i = 0; s->form && s->form[i].id; i++)
		if (insert_field(L, s->id, &s->form[i], i))
			return -1;
	return 0;
}

/* Demo citizens are checked as they are loaded (ID check digit and birth
 * date, phone, name), so the demo data cannot rot unnoticed. */
static int insert_citizen(struct loader *L, const struct demo_citizen *d, int ord)
{
	struct citizen c;
	const char *why = NULL;
	if (snprintf(c.id, sizeof c.id, "%s", d->id) >= (int)sizeof c.id ||
	    snprintf(c.name, sizeof c.name, "%s", d->name) >= (int)sizeof c.name ||
	    snprintf(c.idno, sizeof c.idno, "%s", d->idno) >= (int)sizeof c.idno ||
	    snprintf(c.phone, sizeof c.phone, "%s", d->phone) >= (int)sizeof c.phone)
		why = "a member is too long";
	if (!why)
		why = citizen_check(&c);
	if (why) {
		snprintf(L->err, L->errlen, "demo citizen %s: %s", d->id, why);
		return -1;
	}
	sqlite3_stmt *st = L->st[I_CIT];
	bind_text(st, 1, d->id);
	sqlite3_bind_int(st, 2, ord);
	bind_text(st, 3, d->name);
	bind_text(st, 4, d->idno);
	bind_text(st, 5, d->phone);
	if (step_done(st))
		return fail(L->db, L->err, L->errlen, d->id);
	return 0;
}

/* A demo bill: its payee and description ("水费 2026-10") in each
 * language, from its type. */
static int insert_bill(struct loader *L, const struct demo_bill *b, int ord)
{
	const struct demo_bill_type *t = &demo_bill_types[b->type];
	sqlite3_stmt *st = L->st[I_BILL];
	bind_text(st, 1, b->id);
	sqlite3_bind_int(st, 2, ord);
	bind_text(st, 3, t->id);
	bind_text(st, 4, b->account);
	bind_text(st, 5, b->period);
	sqlite3_bind_int64(st, 6, b->amount_fen);
	bind_text(st, 7, b->due_date);
	for (int l = 0; l < LANG_N; l++) {
		char desc[200];
		snprintf(desc, sizeof desc, "%s %s", text_in(L, t->name, l), b->period);
		bind_text(st, 8 + l, text_in(L, t->payee, l));
		bind_text(st, 11 + l, desc);
	}
	if (step_done(st))
		return fail(L->db, L->err, L->errlen, b->id);
	return 0;
}

static int insert_account(struct loader *L, const struct demo_account *a, int ord)
{
	sqlite3_stmt *st = L->st[I_ACCT];
	bind_text(st, 1, demo_bill_types[a->type].id);
	bind_text(st, 2, a->account);
	sqlite3_bind_int(st, 3, ord);
	if (step_done(st))
		return fail(L->db, L->err, L->errlen, "a demo account");
	return 0;
}

/* A demo citizen's past application, its times counted back from now (the
 * k-th a few hours apart from the others), so the demo stays recent. Its
 * timeline is checked: it starts submitted, each step later than the one
 * before and before now, and needs_more has its text. */
static int insert_application(struct loader *L, const struct demo_application *a, int k,
                              long long now)
{
	static const char *const statuses[] = { "submitted", "accepted", "in_review", "needs_more",
	                                        "approved", "rejected", "completed", NULL };
	const struct demo_service *svc = NULL;
	bool cit = false;
	for (size_t i = 0; i < demo_n_services && !svc; i++)
		if (!strcmp(demo_services[i].id, a->service_id))
			svc = &demo_services[i];
	for (size_t i = 0; i < demo_n_citizens && !cit; i++)
		cit = !strcmp(demo_citizens[i].id, a->citizen);
	long long created = now - (long long)a->days_ago * 86400 - 3600LL * (1 + k % 5);
	const struct demo_app_event *ev = a->timeline;
	size_t n = 0;
	const char *why = !svc ? "no such demo service" : !cit ? "no such demo citizen"
	                  : !ev || !ev[0].status || strcmp(ev[0].status, "submitted")
	                  ? "the timeline does not start with submitted" : NULL;
	for (; !why && ev[n].status; n++) {
		size_t t = 0;
		while (statuses[t] && strcmp(statuses[t], ev[n].status))
			t++;
		if (!statuses[t] || !ev[n].note[LANG_ZH] || !ev[n].note[LANG_EN])
			why = "a step with an unknown status or no note";
		else if ((n && ev[n].at_h <= ev[n - 1].at_h) || created + ev[n].at_h * 3600LL >= now)
			why = "a step not after the one before, or not before now";
	}
	const char *status = why ? NULL : ev[n - 1].status;
	if (!why && (strcmp(status, "needs_more") == 0) != (a->needs_more[LANG_ZH] != NULL))
		why = "needs_more and its text go together";
	if (why) {
		snprintf(L->err, L->errlen, "demo application %d (%s): %s", k, a->service_id, why);
		return -1;
	}
	char id[APP_ID_MAX];
	if (app_new_id(L->db->h, created, id))
		return fail(L->db, L->err, L->errlen, "an application number");
	sqlite3_stmt *st = L->st[I_APP];
	bind_text(st, 1, id);
	bind_text(st, 2, a->citizen);
	bind_text(st, 3, a->service_id);
	for (int l = 0; l < LANG_N; l++) {
		bind_text(st, 4 + l, text_in(L, svc->name, l));
		bind_text(st, 9 + l, text_in(L, a->needs_more, l));
	}
	bind_text(st, 7, status);
	sqlite3_bind_int64(st, 8, svc->fee_fen);
	sqlite3_bind_int64(st, 12, created);
	sqlite3_bind_int64(st, 13, created + ev[n - 1].at_h * 3600LL);
	if (step_done(st))
		return fail(L->db, L->err, L->errlen, id);
	for (size_t i = 0; i < n; i++) {
		st = L->st[I_EVENT];
		bind_text(st, 1, id);
		sqlite3_bind_int64(st, 2, (sqlite3_int64)i);
		sqlite3_bind_int64(st, 3, created + ev[i].at_h * 3600LL);
		bind_text(st, 4, ev[i].status);
		for (int l = 0; l < LANG_N; l++)
			bind_text(st, 5 + l, text_in(L, ev[i].note, l));
		if (step_done(st))
			return fail(L->db, L->err, L->errlen, id);
	}
	return 0;
}

static int insert_license(struct loader *L, const struct demo_license *c, int ord)
{
	sqlite3_stmt *st = L->st[I_LIC];
	bind_text(st, 1, c->id);
	bind_text(st, 2, c->citizen);
	sqlite3_bind_int(st, 3, ord);
	bind_text(st, 4, c->type);
	for (int l = 0; l < LANG_N; l++) {
		bind_text(st, 5 + l, text_in(L, c->name, l));
		bind_text(st, 9 + l, text_in(L, c->issuer, l));
	}
	bind_text(st, 8, c->number_masked);
	bind_text(st, 12, c->valid_until);
	if (step_done(st))
		return fail(L->db, L->err, L->errlen, c->id);
	return 0;
}

/* ---- plain detail pages -------------------------------------------------- */

/* The form of a service that has none of its own (demo briefs, generated
 * services, --catalog services without "form"), by kind: an application
 * asks who the citizen is and how to reach them, a query who, a bill the
 * account to look up; taking a queue number asks nothing. Gateway texts,
 * so they are in the language of the answer. */
#define PF_NAME { .id = "name", .type = "text", .label = { "姓名", "Full name" }, \
	.required = true, .max_len = 30, .prefill = "citizen.name" }
#define PF_IDNO { .id = "idno", .type = "idcard", .label = { "身份证号码", "ID card number" }, \
	.required = true, .prefill = "citizen.id" }
static const struct demo_field plain_apply[] = {
	PF_NAME, PF_IDNO,
	{ .id = "phone", .type = "phone", .label = { "手机号码", "Mobile number" }, .required = true },
	{ .id = "agree", .type = "bool",
	  .label = { "本人承诺所填信息真实有效", "I confirm that the information I have given is true" },
	  .required = true },
	{ 0 },
};
static const struct demo_field plain_query[] = { PF_NAME, PF_IDNO, { 0 } };
static const struct demo_field plain_bill[] = {
	{ .id = "account", .type = "text", .label = { "户号或缴费编号", "Account or payment number" },
	  .required = true, .max_len = 30 },
	{ 0 },
};
static const struct demo_field plain_queue[] = { { 0 } };

static const struct demo_field *plain_form(const char *kind)
{
	return !strcmp(kind, "query") ? plain_query : !strcmp(kind, "bill") ? plain_bill
	       : !strcmp(kind, "queue") ? plain_queue : plain_apply;
}

/* A demo brief as a service with the plain page: its name is its
 * description. */
static struct demo_service brief_service(const struct demo_brief *b)
{
	return (struct demo_service){
		.id = b->id, .category = b->category, .kind = b->kind,
		.login_required = b->login_required, .fee_fen = b->fee_fen,
		.name = { b->name[LANG_ZH], b->name[LANG_EN], b->name[LANG_TW] },
		.keywords = { b->keywords[LANG_ZH], b->keywords[LANG_EN], b->keywords[LANG_TW] },
		.description = { b->name[LANG_ZH], b->name[LANG_EN], b->name[LANG_TW] },
		.where = { b->where[LANG_ZH], b->where[LANG_EN], b->where[LANG_TW] },
		.form = plain_form(b->kind),
	};
}

static const struct demo_category *demo_category(const char *id)
{
	for (size_t i = 0; i < demo_n_categories; i++)
		if (!strcmp(demo_categories[i].id, id))
			return &demo_categories[i];
	return NULL;
}

int db_load_demo(struct db *db, char *err, size_t errlen)
{
	struct loader L;
	int rc = 0;
	pthread_mutex_lock(&db->lock);
	if (loader_begin(&L, db, err, errlen)) {
		pthread_mutex_unlock(&db->lock);
		return -1;
	}
	if (sqlite3_exec(db->h, drop_sql, NULL, NULL, NULL) != SQLITE_OK ||
	    sqlite3_exec(db->h, schema_sql, NULL, NULL, NULL) != SQLITE_OK)
		rc = fail(db, err, errlen, "recreating the schema");
	if (!rc)
		rc = loader_prepare(&L);
	for (size_t i = 0; !rc && i < demo_n_categories; i++)
		rc = insert_category(&L, &demo_categories[i], (int)i);
	for (size_t i = 0; !rc && i < demo_n_services; i++) {
		const struct demo_service *s = &demo_services[i];
		const struct demo_category *c = demo_category(s->category);
		if (!c) {
			snprintf(err, errlen, "%s: unknown category %s", s->id, s->category);
			rc = -1;
		} else {
			rc = insert_service(&L, s, (long)i, c->where);
		}
	}
	for (size_t i = 0; !rc && i < demo_n_briefs; i++) {
		struct demo_service s = brief_service(&demo_briefs[i]);
		const struct demo_category *c = demo_category(s.category);
		if (!c) {
			snprintf(err, errlen, "%s: unknown category %s", s.id, s.category);
			rc = -1;
		} else {
			rc = insert_service(&L, &s, (long)(demo_n_services + i), c->where);
		}
	}
	for (size_t i = 0; !rc && i < demo_n_popular; i++) {
		sqlite3_bind_int(L.st[I_POP], 1, (int)i);
		bind_text(L.st[I_POP], 2, demo_popular[i]);
		if (step_done(L.st[I_POP]))
			rc = fail(db, err, errlen, demo_popular[i]);
	}
	for (size_t i = 0; !rc && i < demo_n_citizens; i++)
		rc = insert_citizen(&L, &demo_citizens[i], (int)i);
	for (size_t i = 0; !rc && i < demo_n_accounts; i++)
		rc = insert_account(&L, &demo_accounts[i], (int)i);
	for (size_t i = 0; !rc && i < demo_n_bills; i++)
		rc = insert_bill(&L, &demo_bills[i], (int)i);
	long long now = (long long)time(NULL);
	for (size_t i = 0; !rc && i < demo_n_applications; i++)
		rc = insert_application(&L, &demo_applications[i], (int)i, now);
	for (size_t i = 0; !rc && i < demo_n_licenses; i++)
		rc = insert_license(&L, &demo_licenses[i], (int)i);
	if (!rc) {
		bind_text(L.st[I_META], 1, "catalog_version");
		bind_text(L.st[I_META], 2, demo_catalog_version);
		if (step_done(L.st[I_META]))
			rc = fail(db, err, errlen, "catalog_version");
	}
	rc = loader_end(&L, rc);
	pthread_mutex_unlock(&db->lock);
	return rc;
}

/* ---- generated services (--synthetic) ------------------------------------- */

/* Generated services are real service names as the districts, counties,
 * streets and towns of the demo city list them: "城东区水费缴纳" /
 * "Chengdong: Pay your water bill". The names are those of demo_services
 * and demo_briefs short enough (SYNTHETIC_ZH_MAX characters, SYNTHETIC_EN_MAX
 * bytes in English) for 10,000 generated services to stay under the 1 MiB
 * answer limit in every language; service k (from 0) is name k % M in
 * region (k / M) % R, with its category and kind, so names are distinct (no
 * region name is the start of another), every category gets some, and a
 * search for a common word matches dozens of services, as in a real
 * provincial list. Beyond M x R services a round number is added. Some
 * region names hold polyphones (长, 重, 朝, 行, 乐, 都, 单, 曾, 查, 厦, 藏). */
static const char *const regions[][2] = {
	{ "城东区", "Chengdong" }, { "城西区", "Chengxi" }, { "城南区", "Chengnan" },
	{ "城北区", "Chengbei" }, { "高新区", "Gaoxin" }, { "经开区", "Jingkai" },
	{ "滨江区", "Binjiang" }, { "临港新区", "Lingang" }, { "长安区", "Chang'an" },
	{ "清河县", "Qinghe" }, { "安平县", "Anping" }, { "永宁县", "Yongning" }, { "江北区", "Jiangbei" },
	{ "江南区", "Jiangnan" }, { "新城区", "Xincheng" }, { "老城区", "Laocheng" },
	{ "湖滨区", "Hubin" }, { "山阳县", "Shanyang" }, { "平乐县", "Pingle" }, { "长宁县", "Changning" },
	{ "朝阳街道", "Chaoyang" }, { "长乐镇", "Changle" }, { "银杏街道", "Yinxing" },
	{ "行知街道", "Xingzhi" }, { "河口镇", "Hekou" }, { "新华街道", "Xinhua" },
	{ "人民路街道", "Renminlu" }, { "解放街道", "Jiefang" }, { "和平街道", "Heping" },
	{ "建设街道", "Jianshe" }, { "文化街道", "Wenhua" }, { "东湖街道", "Donghu" }, { "西山镇", "Xishan" },
	{ "南湖街道", "Nanhu" }, { "北塘镇", "Beitang" }, { "青山镇", "Qingshan" }, { "白云街道", "Baiyun" },
	{ "红星街道", "Hongxing" }, { "金桥街道", "Jinqiao" }, { "石门镇", "Shimen" },
	{ "桃源街道", "Taoyuan" }, { "柳林镇", "Liulin" }, { "梅园街道", "Meiyuan" },
	{ "枫桥镇", "Fengqiao" }, { "龙泉镇", "Longquan" }, { "凤凰街道", "Fenghuang" },
	{ "松江街道", "Songjiang" }, { "重庆路街道", "Chongqinglu" }, { "中山街道", "Zhongshan" },
	{ "鼓楼街道", "Gulou" }, { "花园街道", "Huayuan" }, { "五一街道", "Wuyi" }, { "团结街道", "Tuanjie" },
	{ "光明街道", "Guangming" }, { "胜利街道", "Shengli" }, { "向阳街道", "Xiangyang" },
	{ "友谊街道", "Youyi" }, { "三里桥街道", "Sanliqiao" }, { "东关街道", "Dongguan" },
	{ "西关街道", "Xiguan" }, { "南门街道", "Nanmen" }, { "北门街道", "Beimen" }, { "大塘镇", "Datang" },
	{ "小河镇", "Xiaohe" }, { "长岭镇", "Changling" }, { "都江街道", "Dujiang" },
	{ "乐山镇", "Leshan" }, { "单桥镇", "Shanqiao" }, { "曾家镇", "Zengjia" }, { "沈家镇", "Shenjia" },
	{ "查家镇", "Zhajia" }, { "盛家镇", "Shengjia" }, { "厦门路街道", "Xiamenlu" },
	{ "银湖街道", "Yinhu" }, { "月湖街道", "Yuehu" }, { "双塔街道", "Shuangta" }, { "草桥镇", "Caoqiao" },
	{ "仁和镇", "Renhe" }, { "太平镇", "Taiping" }, { "兴隆镇", "Xinglong" },
	{ "江东街道", "Jiangdong" }, { "河西街道", "Hexi" }, { "城关镇", "Chengguan" },
	{ "新桥镇", "Xinqiao" }, { "古城街道", "Gucheng" }, { "东城街道", "Dongcheng" },
	{ "西城街道", "Xicheng" }, { "南山街道", "Nanshan" }, { "北山镇", "Beishan" },
	{ "泉山街道", "Quanshan" }, { "云龙街道", "Yunlong" }, { "长青街道", "Changqing" },
	{ "宁安镇", "Ning'an" }, { "平安街道", "Ping'an" }, { "永安镇", "Yong'an" },
	{ "福田街道", "Futian" }, { "宝山镇", "Baoshan" }, { "朝天门街道", "Chaotianmen" },
	{ "重阳镇", "Chongyang" }, { "藏龙镇", "Canglong" },
};
#define N_REGIONS (sizeof regions / sizeof regions[0])
#define SYNTHETIC_ZH_MAX 12
#define SYNTHETIC_EN_MAX 30

/* One in this many generated services is popular, as a hall's most asked
 * for ones are. */
#define SYNTHETIC_POPULAR_EVERY 100

/* Their ids: g1, g2, ... (short: 10,000 of them are in the catalog). */
#define SYNTHETIC_IDS "'g[0-9]*'"

/* gw_pay.h: a column as a new string. */
char *db_col_dup(sqlite3_stmt *st, int i)
{
	const char *s = (const char *)sqlite3_column_text(st, i);
	char *d = strdup(s ? s : "");
	if (!d)
		abort();
	return d;
}

/* The k-th real service: a hand-written service or a brief. */
static struct demo_service demo_any(size_t k)
{
	return k < demo_n_services ? demo_services[k] : brief_service(&demo_briefs[k - demo_n_services]);
}

static size_t utf8_chars(const char *s)
{
	size_t n = 0;
	for (; *s; s++)
		n += ((unsigned char)*s & 0xc0) != 0x80;
	return n;
}

/* The demo services whose names are short enough to be generated from,
 * into pool (demo_n_services + demo_n_briefs entries); returns how many. */
static size_t synthetic_pool(size_t *pool)
{
	size_t m = 0;
	for (size_t k = 0; k < demo_n_services + demo_n_briefs; k++) {
		struct demo_service s = demo_any(k);
		if (utf8_chars(s.name[LANG_ZH]) <= SYNTHETIC_ZH_MAX &&
		    strlen(s.name[LANG_EN]) <= SYNTHETIC_EN_MAX)
			pool[m++] = k;
	}
	return m;
}

int db_add_synthetic(struct db *db, long n, char *err, size_t errlen)
{
	struct loader L;
	int rc = 0;
	struct cat { char *id, *where[LANG_N]; } *cats = NULL;
	size_t ncat = 0, *pool = calloc(demo_n_services + demo_n_briefs, sizeof *pool);
	if (!pool)
		abort();
	size_t m = synthetic_pool(pool);

	if (schema_ok(db, err, errlen))
		return -1;
	pthread_mutex_lock(&db->lock);
	if (loader_begin(&L, db, err, errlen)) {
		pthread_mutex_unlock(&db->lock);
		return -1;
	}
	if (sqlite3_exec(db->h,
	                 "DELETE FROM field_options WHERE service_id GLOB " SYNTHETIC_IDS ";"
	                 "DELETE FROM form_fields WHERE service_id GLOB " SYNTHETIC_IDS ";"
	                 "DELETE FROM popular WHERE service_id GLOB " SYNTHETIC_IDS ";"
	                 "DELETE FROM services WHERE id GLOB " SYNTHETIC_IDS ";"
	                 /* and those of a database made before, svc-gen-00001 ... */
	                 "DELETE FROM field_options WHERE service_id LIKE 'svc-gen-%';"
	                 "DELETE FROM form_fields WHERE service_id LIKE 'svc-gen-%';"
	                 "DELETE FROM popular WHERE service_id LIKE 'svc-gen-%';"
	                 "DELETE FROM services WHERE id LIKE 'svc-gen-%';",
	                 NULL, NULL, NULL) != SQLITE_OK)
		rc = fail(db, err, errlen, "removing generated services");
	if (!rc && m == 0) {
		snprintf(err, errlen, "no demo service name is short enough to generate from");
		rc = -1;
	}
	if (!rc)
		rc = loader_prepare(&L);
	for (size_t i = 0; !rc && i < demo_n_categories; i++)
		rc = insert_category(&L, &demo_categories[i], (int)(1000 + i));

	sqlite3_stmt *q = NULL;
	if (!rc && sqlite3_prepare_v2(db->h, "SELECT id, " L3("where") " FROM categories", -1, &q,
	                              NULL) != SQLITE_OK)
		rc = fail(db, err, errlen, "reading categories");
	while (!rc && sqlite3_step(q) == SQLITE_ROW) {
		cats = realloc(cats, (ncat + 1) * sizeof *cats);
		if (!cats)
			abort();
		cats[ncat].id = db_col_dup(q, 0);
		for (int l = 0; l < LANG_N; l++)
			cats[ncat].where[l] = db_col_dup(q, 1 + l);
		ncat++;
	}
	sqlite3_finalize(q);
	long long ord0 = query_int(db, "SELECT coalesce(max(ord), -1) + 1 FROM services");
	long long pop0 = query_int(db, "SELECT coalesce(max(ord), -1) + 1 FROM popular");

	for (long i = 1; !rc && i <= n; i++) {
		size_t k = (size_t)(i - 1);
		struct demo_service base = demo_any(pool[k % m]);
		const char *const *region = regions[(k / m) % N_REGIONS];
		size_t round = k / (m * N_REGIONS);
		const char *const rtexts[LANG_N] = { region[0], region[1], NULL };
		const char *btw = text_in(&L, base.name, LANG_TW), *rtw = text_in(&L, rtexts, LANG_TW);
		const struct cat *c = NULL;
		for (size_t j = 0; j < ncat && !c; j++)
			if (!strcmp(cats[j].id, base.category))
				c = &cats[j];
		char id[32], nzh[300], nen[300], ntw[300], no[24] = "";
		if (round)
			snprintf(no, sizeof no, " %zu", round + 1);
		snprintf(id, sizeof id, "g%ld", i);
		snprintf(nzh, sizeof nzh, "%s%s%s", region[0], base.name[LANG_ZH], no);
		snprintf(nen, sizeof nen, "%s: %s%s", region[1], base.name[LANG_EN], no);
		snprintf(ntw, sizeof ntw, "%s%s%s", rtw, btw, no);
		/* No summary or keywords, login and fee at their defaults: the
		 * catalog of 10,000 generated services must stay under the 1 MiB
		 * answer limit. The detail page is the plain one of its kind. */
		struct demo_service s = {
			.id = id, .category = base.category, .kind = base.kind,
			.processing_days = (int)(i % 16),
			.name = { nzh, nen, ntw },
			.description = { "本事项为规模测试自动生成，仅供演示。",
			                 "Generated for scale tests; for demonstration only." },
			.materials = { "居民身份证原件", "Original resident ID card" },
			.form = plain_form(base.kind),
		};
		if (!c) {
			snprintf(err, errlen, "%s: no category %s", base.id, base.category);
			rc = -1;
			break;
		}
		rc = insert_service(&L, &s, ord0 + i, (const char *const *)c->where);
		if (!rc && i % SYNTHETIC_POPULAR_EVERY == 1) {
			sqlite3_bind_int64(L.st[I_POP], 1, pop0++);
			bind_text(L.st[I_POP], 2, id);
			if (step_done(L.st[I_POP]))
				rc = fail(db, err, errlen, id);
		}
	}
	/* --synthetic without --demo still needs citizens to log in with; with
	 * --demo they are there already. */
	bool have_citizens = query_int(db, "SELECT count(*) FROM citizens") > 0;
	for (size_t i = 0; !rc && !have_citizens && i < demo_n_citizens; i++)
		rc = insert_citizen(&L, &demo_citizens[i], (int)i);
	if (!rc) {
		bind_text(L.st[I_META], 1, "catalog_version");
		bind_text(L.st[I_META], 2, demo_catalog_version);
		if (step_done(L.st[I_META]))
			rc = fail(db, err, errlen, "catalog_version");
	}
	rc = loader_end(&L, rc);
	pthread_mutex_unlock(&db->lock);
	for (size_t i = 0; i < ncat; i++) {
		free(cats[i].id);
		for (int l = 0; l < LANG_N; l++)
			free(cats[i].where[l]);
	}
	free(cats);
	free(pool);
	return rc;
}

/* ---- catalog files (--catalog) ------------------------------------------- */

static int catalog_build(struct db *db, sqlite3_stmt *const st[], enum lang l, json_t **out);

/* Texts as JSON array text (caller frees). */
static char *list_json(const char *const *v, size_t n)
{
	json_t *a = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, json_string(v[i]));
	char *t = json_dumps(a, JSON_COMPACT);
	json_decref(a);
	if (!t)
		abort();
	return t;
}

/* A field of a file's form, its label in each language. */
static int insert_file_field(struct loader *L, const char *svc,
                             const struct cat_field *const f[LANG_N], int ord)
{
	const struct cat_field *b = f[LANG_ZH];
	sqlite3_stmt *st = L->st[I_FIELD];
	bind_text(st, 1, svc);
	sqlite3_bind_int(st, 2, ord);
	bind_text(st, 3, b->id);
	bind_text(st, 4, b->type);
	for (int l = 0; l < LANG_N; l++)
		bind_text(st, 5 + l, f[l]->label);
	sqlite3_bind_int(st, 8, b->required);
	if (b->max_len > 0)
		sqlite3_bind_int64(st, 9, b->max_len);
	bind_text(st, 10, b->prefill);
	if (b->bounds == CB_DATE) {
		bind_text(st, 11, b->min_s);
		bind_text(st, 12, b->max_s);
	} else if (b->bounds == CB_INT) {
		if (b->has_min)
			sqlite3_bind_int64(st, 11, b->min);
		if (b->has_max)
			sqlite3_bind_int64(st, 12, b->max);
	}
	if (step_done(st))
		return fail(L->db, L->err, L->errlen, b->id);
	for (size_t i = 0; i < b->n_opts; i++) {
		st = L->st[I_OPT];
		bind_text(st, 1, svc);
		bind_text(st, 2, b->id);
		sqlite3_bind_int64(st, 3, (sqlite3_int64)i);
		bind_text(st, 4, b->opts[i].value);
		for (int l = 0; l < LANG_N; l++)
			bind_text(st, 5 + l, f[l]->opts[i].label);
		if (step_done(st))
			return fail(L->db, L->err, L->errlen, b->opts[i].value);
	}
	return 0;
}

struct cat_pos {
	const char *id;
	size_t i;
};

static int cat_pos_cmp(const void *a, const void *b)
{
	return strcmp(((const struct cat_pos *)a)->id, ((const struct cat_pos *)b)->id);
}

/* Service i of the files (one a language). */
static int insert_file_service(struct loader *L, const struct catalog_file *const f[LANG_N],
                               size_t i, const struct cat_pos *cats)
{
	const struct cat_service *b = &f[LANG_ZH]->svcs[i];
	const struct cat_pos key = { b->category, 0 };
	const struct cat_pos *cp = bsearch(&key, cats, f[LANG_ZH]->n_cats, sizeof *cats, cat_pos_cmp);
	sqlite3_stmt *st = L->st[I_SVC];
	bind_text(st, 1, b->id);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)i);
	bind_text(st, 3, b->category);
	bind_text(st, 4, b->kind);
	sqlite3_bind_int(st, 5, b->login_required);
	sqlite3_bind_int64(st, 6, b->fee_fen);
	sqlite3_bind_int64(st, 7, b->processing_days);
	for (int l = 0; l < LANG_N; l++) {
		const struct cat_service *s = &f[l]->svcs[i];
		const char *where = s->where ? s->where : cp ? f[l]->cats[cp->i].where : NULL;
		bind_text(st, 8 + l, s->name);
		bind_text(st, 11 + l, s->summary);
		sqlite3_bind_text(st, 14 + l, list_json(s->keywords, s->n_keywords), -1, free);
		bind_text(st, 17 + l, s->description ? s->description : *s->summary ? s->summary : s->name);
		sqlite3_bind_text(st, 20 + l, list_json(s->materials, s->n_materials), -1, free);
		bind_text(st, 23 + l, where ? where : "");
	}
	if (step_done(st))
		return fail(L->db, L->err, L->errlen, b->id);
	if (!b->has_form) {
		const struct demo_field *form = plain_form(b->kind);
		for (int k = 0; form[k].id; k++)
			if (insert_field(L, b->id, &form[k], k))
				return -1;
		return 0;
	}
	for (size_t k = 0; k < b->n_fields; k++) {
		const struct cat_field *fl[LANG_N];
		for (int l = 0; l < LANG_N; l++)
			fl[l] = &f[l]->svcs[i].fields[k];
		if (insert_file_field(L, b->id, fl, (int)k))
			return -1;
	}
	return 0;
}

/* The size of GET /v1/catalog in each language, from what the loader has
 * written (not committed yet). */
static int served_sizes(struct db *db, size_t sizes[LANG_N], char *err, size_t errlen)
{
	static const int which[] = { ST_VERSION, ST_CATS, ST_POPULAR, ST_SERVICES };
	sqlite3_stmt *st[ST_N] = { 0 };
	int rc = 0;
	for (size_t k = 0; !rc && k < sizeof which / sizeof which[0]; k++)
		if (sqlite3_prepare_v2(db->h, stmt_sql[which[k]], -1, &st[which[k]], NULL) != SQLITE_OK)
			rc = fail(db, err, errlen, "preparing a query");
	for (int l = 0; !rc && l < LANG_N; l++) {
		json_t *j;
		if (catalog_build(db, st, (enum lang)l, &j)) {
			rc = fail(db, err, errlen, "reading the catalog back");
			break;
		}
		sizes[l] = json_dumpb(j, NULL, 0, JSON_COMPACT);
		json_decref(j);
	}
	for (int k = 0; k < ST_N; k++)
		sqlite3_finalize(st[k]);
	return rc;
}

int db_load_catalog(struct db *db, const struct catalog_file *const f[LANG_N],
                    size_t sizes[LANG_N], int *too_big, char *err, size_t errlen)
{
	struct loader L;
	const struct catalog_file *b = f[LANG_ZH];
	int rc = 0;
	*too_big = -1;
	if (schema_ok(db, err, errlen))
		return -1;
	struct cat_pos *cats = calloc(b->n_cats ? b->n_cats : 1, sizeof *cats);
	if (!cats)
		abort();
	for (size_t i = 0; i < b->n_cats; i++)
		cats[i] = (struct cat_pos){ b->cats[i].id, i };
	qsort(cats, b->n_cats, sizeof *cats, cat_pos_cmp);

	pthread_mutex_lock(&db->lock);
	if (loader_begin(&L, db, err, errlen)) {
		pthread_mutex_unlock(&db->lock);
		free(cats);
		return -1;
	}
	if (sqlite3_exec(db->h, "DELETE FROM field_options; DELETE FROM form_fields;"
	                 " DELETE FROM popular; DELETE FROM services; DELETE FROM categories;",
	                 NULL, NULL, NULL) != SQLITE_OK)
		rc = fail(db, err, errlen, "removing the catalog");
	if (!rc)
		rc = loader_prepare(&L);
	for (size_t i = 0; !rc && i < b->n_cats; i++) {
		sqlite3_stmt *st = L.st[I_CAT];
		bind_text(st, 1, b->cats[i].id);
		sqlite3_bind_int64(st, 2, (sqlite3_int64)i);
		for (int l = 0; l < LANG_N; l++) {
			const char *where = f[l]->cats[i].where;
			bind_text(st, 3 + l, f[l]->cats[i].name);
			bind_text(st, 6 + l, where ? where : "");
		}
		if (step_done(st))
			rc = fail(db, err, errlen, b->cats[i].id);
	}
	for (size_t i = 0; !rc && i < b->n_svcs; i++)
		rc = insert_file_service(&L, f, i, cats);
	for (size_t i = 0; !rc && i < b->n_popular; i++) {
		sqlite3_bind_int64(L.st[I_POP], 1, (sqlite3_int64)i);
		bind_text(L.st[I_POP], 2, b->popular[i]);
		if (step_done(L.st[I_POP]))
			rc = fail(db, err, errlen, b->popular[i]);
	}
	if (!rc) {
		bind_text(L.st[I_META], 1, "catalog_version");
		bind_text(L.st[I_META], 2, b->version);
		if (step_done(L.st[I_META]))
			rc = fail(db, err, errlen, "catalog_version");
	}
	if (!rc)
		rc = served_sizes(db, sizes, err, errlen);
	for (int l = 0; !rc && l < LANG_N; l++)
		if (sizes[l] > (size_t)CAT_SERVED_MAX) {
			snprintf(err, errlen, "GET /v1/catalog in %s would be %zu bytes, more than the "
			         "1 MiB (%ld bytes) a kiosk accepts", lang_tag((enum lang)l), sizes[l],
			         CAT_SERVED_MAX);
			*too_big = l;
			rc = -1;
		}
	rc = loader_end(&L, rc);
	pthread_mutex_unlock(&db->lock);
	free(cats);
	return rc;
}

/* ---- answers ------------------------------------------------------------ */

static json_t *col_str(sqlite3_stmt *st, int i)
{
	const char *s = (const char *)sqlite3_column_text(st, i);
	json_t *j = s ? json_stringn(s, (size_t)sqlite3_column_bytes(st, i)) : json_string("");
	return j ? j : json_string("\xef\xbf\xbd"); /* invalid UTF-8 in the database */
}

static json_t *col_list(sqlite3_stmt *st, int i)
{
	const char *s = (const char *)sqlite3_column_text(st, i);
	json_t *j = s ? json_loads(s, 0, NULL) : NULL;
	if (json_is_array(j))
		return j;
	json_decref(j);
	return json_array();
}

/* One service's brief. In the catalog (compact) members that hold their
 * default ("" summary, no keywords, login not required, no fee) are left
 * out: member names alone cost ~105 bytes a service, and 10,000 services
 * must fit the contract's 1 MiB answer limit. */
static json_t *brief_json(sqlite3_stmt *st, enum lang l, bool compact)
{
	json_t *j = json_object();
	json_object_set_new(j, "id", col_str(st, C_ID));
	json_object_set_new(j, "category", col_str(st, C_CAT));
	json_object_set_new(j, "name", col_str(st, C_NAME + (int)l));
	json_t *summary = col_str(st, C_SUMMARY + (int)l);
	json_t *keywords = col_list(st, C_KEYWORDS + (int)l);
	bool login = sqlite3_column_int(st, C_LOGIN) != 0;
	long long fee = sqlite3_column_int64(st, C_FEE);
	if (!compact || json_string_length(summary) > 0)
		json_object_set(j, "summary", summary);
	if (!compact || json_array_size(keywords) > 0)
		json_object_set(j, "keywords", keywords);
	json_decref(summary);
	json_decref(keywords);
	json_object_set_new(j, "kind", col_str(st, C_KIND));
	if (!compact || login)
		json_object_set_new(j, "login_required", json_boolean(login));
	if (!compact || fee)
		json_object_set_new(j, "fee_fen", json_integer(fee));
	return j;
}

static void stmt_done(sqlite3_stmt *st)
{
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
}

/* The catalog in language l from the ST_VERSION, ST_CATS, ST_POPULAR and
 * ST_SERVICES statements of st (the database's own, or a loader's before
 * it commits): 0 and *out, or -1 (logged). */
static int catalog_build(struct db *db, sqlite3_stmt *const st[], enum lang l, json_t **out)
{
	json_t *root = json_object(), *cats = json_array(), *pop = json_array(),
	       *svcs = json_array();
	int rc, ok = 1;
	sqlite3_stmt *q;

	q = st[ST_VERSION];
	rc = sqlite3_step(q);
	json_object_set_new(root, "version", rc == SQLITE_ROW ? col_str(q, 0)
	                                                      : json_string("1970-01-01T00:00:00Z"));
	ok = ok && (rc == SQLITE_ROW || rc == SQLITE_DONE);
	stmt_done(q);

	q = st[ST_CATS];
	while ((rc = sqlite3_step(q)) == SQLITE_ROW)
		json_array_append_new(cats, json_pack("{s:o, s:o}", "id", col_str(q, 0),
		                                      "name", col_str(q, 1 + (int)l)));
	ok = ok && rc == SQLITE_DONE;
	stmt_done(q);

	q = st[ST_POPULAR];
	while ((rc = sqlite3_step(q)) == SQLITE_ROW)
		json_array_append_new(pop, col_str(q, 0));
	ok = ok && rc == SQLITE_DONE;
	stmt_done(q);

	q = st[ST_SERVICES];
	while ((rc = sqlite3_step(q)) == SQLITE_ROW)
		json_array_append_new(svcs, brief_json(q, l, true));
	ok = ok && rc == SQLITE_DONE;
	stmt_done(q);
	if (!ok)
		log_error(db, "catalog");

	json_object_set_new(root, "categories", cats);
	json_object_set_new(root, "popular", pop);
	json_object_set_new(root, "services", svcs);
	if (!ok) {
		json_decref(root);
		return -1;
	}
	*out = root;
	return 0;
}

int db_catalog_json(struct db *db, enum lang l, json_t **out)
{
	pthread_mutex_lock(&db->lock);
	int rc = catalog_build(db, db->st, l, out);
	pthread_mutex_unlock(&db->lock);
	return rc;
}

static json_t *field_json(struct db *db, const char *svc, sqlite3_stmt *st, enum lang l, int *ok)
{
	const char *type = (const char *)sqlite3_column_text(st, 1);
	json_t *f = json_object();
	json_object_set_new(f, "id", col_str(st, F_ID));
	json_object_set_new(f, "type", col_str(st, F_TYPE));
	json_object_set_new(f, "label", col_str(st, F_LABEL + (int)l));
	json_object_set_new(f, "required", json_boolean(sqlite3_column_int(st, F_REQUIRED)));
	if (sqlite3_column_type(st, F_MAX_LEN) == SQLITE_INTEGER)
		json_object_set_new(f, "max_len", json_integer(sqlite3_column_int64(st, F_MAX_LEN)));
	if (sqlite3_column_type(st, F_PREFILL) == SQLITE_TEXT)
		json_object_set_new(f, "prefill", col_str(st, F_PREFILL));
	for (int i = 0; i < 2; i++) {
		const char *key = i ? "max" : "min";
		int c = i ? F_MAX : F_MIN;
		if (sqlite3_column_type(st, c) == SQLITE_INTEGER)
			json_object_set_new(f, key, json_integer(sqlite3_column_int64(st, c)));
		else if (sqlite3_column_type(st, c) == SQLITE_TEXT)
			json_object_set_new(f, key, col_str(st, c));
	}
	if (type && !strcmp(type, "select")) {
		sqlite3_stmt *o = db->st[ST_OPTIONS];
		json_t *opts = json_array();
		int rc;
		sqlite3_bind_text(o, 1, svc, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(o, 2, (const char *)sqlite3_column_text(st, 0), -1, SQLITE_TRANSIENT);
		while ((rc = sqlite3_step(o)) == SQLITE_ROW)
			json_array_append_new(opts, json_pack("{s:o, s:o}", "value", col_str(o, 0),
			                                      "label", col_str(o, 1 + (int)l)));
		*ok = *ok && rc == SQLITE_DONE;
		stmt_done(o);
		json_object_set_new(f, "options", opts);
	}
	return f;
}

int db_service_json(struct db *db, const char *id, enum lang l, json_t **out)
{
	json_t *j = NULL;
	int rc, ok = 1;
	pthread_mutex_lock(&db->lock);
	sqlite3_stmt *st = db->st[ST_SERVICE];
	sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		j = brief_json(st, l, false);
		json_object_set_new(j, "description", col_str(st, C_DESC + (int)l));
		json_object_set_new(j, "materials", col_list(st, C_MATERIALS + (int)l));
		json_object_set_new(j, "processing_days", json_integer(sqlite3_column_int64(st, C_DAYS)));
		json_object_set_new(j, "where", col_str(st, C_WHERE + (int)l));
		long long fee = sqlite3_column_int64(st, C_FEE);
		json_t *fields = json_array();
		sqlite3_stmt *fs = db->st[ST_FIELDS];
		sqlite3_bind_text(fs, 1, id, -1, SQLITE_TRANSIENT);
		while ((rc = sqlite3_step(fs)) == SQLITE_ROW)
			json_array_append_new(fields, field_json(db, id, fs, l, &ok));
		ok = ok && rc == SQLITE_DONE;
		stmt_done(fs);
		json_object_set_new(j, "form", json_pack("{s:o, s:I}", "fields", fields,
		                                         "fee_fen", (json_int_t)fee));
	} else {
		ok = rc == SQLITE_DONE;
	}
	stmt_done(st);
	if (!ok)
		log_error(db, "service");
	pthread_mutex_unlock(&db->lock);
	if (!ok) {
		json_decref(j);
		return -1;
	}
	if (!j)
		return 1;
	*out = j;
	return 0;
}

/* ---- citizens ----------------------------------------------------------- */

/* Copies a column into a fixed buffer; false if it is NULL or does not fit
 * (citizen_check then refuses the row). */
static bool col_copy(sqlite3_stmt *st, int i, char *out, size_t outlen)
{
	const char *s = (const char *)sqlite3_column_text(st, i);
	size_t n = (size_t)sqlite3_column_bytes(st, i);
	out[0] = '\0';
	if (!s || n >= outlen || strlen(s) != n)
		return false;
	memcpy(out, s, n + 1);
	return true;
}

int db_citizens(struct db *db, struct citizen **out, size_t *n)
{
	sqlite3_stmt *st = NULL;
	struct citizen *c = NULL;
	size_t k = 0, cap = 0;
	int rc = 0, step;
	*out = NULL;
	*n = 0;
	pthread_mutex_lock(&db->lock);
	if (sqlite3_prepare_v2(db->h, "SELECT id, name, idno, phone FROM citizens ORDER BY ord",
	                       -1, &st, NULL) != SQLITE_OK) {
		log_error(db, "reading citizens");
		pthread_mutex_unlock(&db->lock);
		return -1;
	}
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		/* Grown by copying, not realloc: the old block is wiped before it
		 * is freed, so no stray copy of a citizen stays in the heap. */
		if (k == cap) {
			cap = cap ? 2 * cap : 16;
			struct citizen *nc = calloc(cap, sizeof *c);
			if (!nc)
				abort();
			if (k) {
				memcpy(nc, c, k * sizeof *c);
				explicit_bzero(c, k * sizeof *c);
			}
			free(c);
			c = nc;
		}
		col_copy(st, 0, c[k].id, sizeof c[k].id);
		col_copy(st, 1, c[k].name, sizeof c[k].name);
		col_copy(st, 2, c[k].idno, sizeof c[k].idno);
		col_copy(st, 3, c[k].phone, sizeof c[k].phone);
		k++;
	}
	if (step != SQLITE_DONE) {
		log_error(db, "reading citizens");
		rc = -1;
	}
	sqlite3_finalize(st);
	pthread_mutex_unlock(&db->lock);
	if (rc) {
		if (c)
			explicit_bzero(c, k * sizeof *c);
		free(c);
		return -1;
	}
	*out = c;
	*n = k;
	return 0;
}

/* ---- statements and transactions for the handlers ------------------------------ */

sqlite3_stmt *db_prep(sqlite3 *h, const char *sql)
{
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(h, sql, -1, &st, NULL) != SQLITE_OK) {
		fprintf(stderr, "gatewayd: db: %s\n", sqlite3_errmsg(h));
		sqlite3_finalize(st);
		return NULL;
	}
	return st;
}

void db_bind_str(sqlite3_stmt *st, int i, const char *s)
{
	if (s)
		sqlite3_bind_text(st, i, s, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(st, i);
}

int db_exec(sqlite3 *h, const char *sql)
{
	if (sqlite3_exec(h, sql, NULL, NULL, NULL) == SQLITE_OK)
		return 0;
	fprintf(stderr, "gatewayd: db: %s\n", sqlite3_errmsg(h));
	return -1;
}

sqlite3 *db_begin(const struct req *rq, struct reply *rp)
{
	sqlite3 *h = db_lock(rq->gw->db);
	if (db_exec(h, "BEGIN IMMEDIATE")) {
		db_unlock(rq->gw->db);
		reply_problem(rq, rp, "internal_error", NULL);
		return NULL;
	}
	return h;
}

bool db_end(const struct req *rq, struct reply *rp, sqlite3 *h, bool ok)
{
	if (ok && db_exec(h, "COMMIT"))
		ok = false;
	if (!ok)
		sqlite3_exec(h, "ROLLBACK", NULL, NULL, NULL);
	db_unlock(rq->gw->db);
	if (!ok)
		reply_problem(rq, rp, "internal_error", NULL);
	return ok;
}

/* ---- Idempotency-Key records ---------------------------------------------------------- */

/* Records are tables of ours named in the code (never from a request). */
static bool idem_table_ok(const char *table)
{
	static const char *const tables[] = { "idempotency", "app_idempotency",
	                                      "ticket_idempotency", "rating_idempotency", NULL };
	for (size_t i = 0; tables[i]; i++)
		if (!strcmp(tables[i], table))
			return true;
	return false;
}

int db_replay(sqlite3 *h, struct req *rq, struct reply *rp, const char *table,
              const char *kiosk, const char *key, const char *hash, long long now)
{
	char sql[160];
	if (!idem_table_ok(table))
		return -1;
	snprintf(sql, sizeof sql, "DELETE FROM %s WHERE created_at <= ?1", table);
	sqlite3_stmt *st = db_prep(h, sql);
	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, now - DB_IDEM_TTL_S);
	int rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return -1;
	snprintf(sql, sizeof sql, "SELECT request, status, lang, body FROM %s"
	         " WHERE kiosk = ?1 AND key = ?2", table);
	if (!(st = db_prep(h, sql)))
		return -1;
	db_bind_str(st, 1, kiosk);
	db_bind_str(st, 2, key);
	int step = sqlite3_step(st);
	rc = step == SQLITE_DONE ? 0 : -1;
	if (step == SQLITE_ROW) {
		const char *req = (const char *)sqlite3_column_text(st, 0);
		rc = 1;
		if (!req || strcmp(req, hash)) {
			reply_problem(rq, rp, "idempotency_key_reuse", NULL);
		} else {
			/* The first answer again, in its language, byte for byte. */
			int status = sqlite3_column_int(st, 1), l = sqlite3_column_int(st, 2);
			size_t len = (size_t)sqlite3_column_bytes(st, 3);
			char *body = malloc(len + 1);
			if (!body)
				abort();
			if (len)
				memcpy(body, sqlite3_column_blob(st, 3), len);
			body[len] = '\0';
			if (l >= 0 && l < LANG_N)
				rq->lang = (enum lang)l;
			reply_take_body(rp, status, status >= 400 ? "application/problem+json"
			                                          : "application/json", body, len);
			rp->localized = true;
			rp->replayed = true;
		}
	}
	sqlite3_finalize(st);
	return rc;
}

int db_idem_store(sqlite3 *h, const struct req *rq, struct reply *rp, const char *table,
                  const char *kiosk, const char *key, const char *hash, long long now)
{
	char sql[128];
	if (!idem_table_ok(table) || !strcmp(table, "app_idempotency"))
		return -1;
	reply_materialize(rp);
	snprintf(sql, sizeof sql, "INSERT INTO %s VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)", table);
	sqlite3_stmt *st = db_prep(h, sql);
	if (!st)
		return -1;
	db_bind_str(st, 1, kiosk);
	db_bind_str(st, 2, key);
	db_bind_str(st, 3, hash);
	sqlite3_bind_int(st, 4, rp->status);
	sqlite3_bind_int(st, 5, (int)rq->lang);
	sqlite3_bind_text(st, 6, rp->body ? rp->body : "", (int)rp->len, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 7, now);
	int rc = sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
	sqlite3_finalize(st);
	return rc;
}
