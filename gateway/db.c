/* db.c: the gateway's SQLite store: schema, demo and synthetic loading, and
 * the queries behind GET /v1/catalog and GET /v1/services/{id}.
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
#include "gw_auth.h"
#include "gw_demo.h"
#include "gw_pay.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Version 4 added bills, payments and idempotency records (a version 3
 * database is migrated in place: the new tables, empty); version 3 the _tw
 * columns; version 2 the citizens. */
#define SCHEMA_VERSION 4

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

/* From version 3 to 4, in place: the payment tables (no demo bills: those
 * come with --demo). */
static const char migrate_4_sql[] =
	"BEGIN IMMEDIATE;" PAY_TABLES "PRAGMA user_version = 4; COMMIT;";

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
	"PRAGMA user_version = 4;";

static const char drop_sql[] =
	"DROP TABLE IF EXISTS field_options; DROP TABLE IF EXISTS form_fields;"
	"DROP TABLE IF EXISTS popular; DROP TABLE IF EXISTS services;"
	"DROP TABLE IF EXISTS categories; DROP TABLE IF EXISTS meta;"
	"DROP TABLE IF EXISTS citizens; DROP TABLE IF EXISTS bills;"
	"DROP TABLE IF EXISTS bill_accounts; DROP TABLE IF EXISTS payments;"
	"DROP TABLE IF EXISTS idempotency;"
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

enum ins { I_CAT, I_SVC, I_FIELD, I_OPT, I_POP, I_META, I_CIT, I_BILL, I_ACCT, I_N };

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

/* Generated fields: the same three on every generated service. */
static const struct demo_field synthetic_form[] = {
	{ .id = "name", .type = "text", .label = { "姓名", "Full name" }, .required = true,
	  .max_len = 30, .prefill = "citizen.name" },
	{ .id = "idno", .type = "idcard", .label = { "身份证号码", "ID card number" },
	  .required = true, .prefill = "citizen.id" },
	{ .id = "agree", .type = "bool",
	  .label = { "本人承诺所填信息真实有效", "I confirm that the information I have given is true" },
	  .required = true },
	{ 0 },
};

/* Generated services are named this, and a number. */
static const char synthetic_name[] = "综合服务事项";

/* gw_pay.h: a column as a new string. */
char *db_col_dup(sqlite3_stmt *st, int i)
{
	const char *s = (const char *)sqlite3_column_text(st, i);
	char *d = strdup(s ? s : "");
	if (!d)
		abort();
	return d;
}

int db_add_synthetic(struct db *db, long n, char *err, size_t errlen)
{
	static const char *const kinds[] = { "apply", "query", "apply", "bill", "apply", "queue" };
	struct loader L;
	int rc = 0;
	struct cat { char *id, *name[LANG_N], *where[LANG_N]; } *cats = NULL;
	size_t ncat = 0;

	if (schema_ok(db, err, errlen))
		return -1;
	pthread_mutex_lock(&db->lock);
	if (loader_begin(&L, db, err, errlen)) {
		pthread_mutex_unlock(&db->lock);
		return -1;
	}
	if (sqlite3_exec(db->h,
	                 "DELETE FROM field_options WHERE service_id LIKE 'svc-gen-%';"
	                 "DELETE FROM form_fields WHERE service_id LIKE 'svc-gen-%';"
	                 "DELETE FROM services WHERE id LIKE 'svc-gen-%';",
	                 NULL, NULL, NULL) != SQLITE_OK)
		rc = fail(db, err, errlen, "removing generated services");
	if (!rc)
		rc = loader_prepare(&L);
	for (size_t i = 0; !rc && i < demo_n_categories; i++)
		rc = insert_category(&L, &demo_categories[i], (int)(1000 + i));

	sqlite3_stmt *q = NULL;
	if (!rc && sqlite3_prepare_v2(db->h, "SELECT id, " L3("name") ", " L3("where")
	                              " FROM categories ORDER BY ord", -1, &q, NULL) != SQLITE_OK)
		rc = fail(db, err, errlen, "reading categories");
	while (!rc && sqlite3_step(q) == SQLITE_ROW) {
		cats = realloc(cats, (ncat + 1) * sizeof *cats);
		if (!cats)
			abort();
		cats[ncat].id = db_col_dup(q, 0);
		for (int l = 0; l < LANG_N; l++) {
			cats[ncat].name[l] = db_col_dup(q, 1 + l);
			cats[ncat].where[l] = db_col_dup(q, 1 + LANG_N + l);
		}
		ncat++;
	}
	sqlite3_finalize(q);
	long long ord0 = query_int(db, "SELECT coalesce(max(ord), -1) + 1 FROM services");

	for (long i = 1; !rc && i <= n && ncat; i++) {
		const struct cat *c = &cats[(size_t)(i - 1) % ncat];
		char id[32], nzh[64], nen[64], ntw[64], kzh[160], ken[160];
		snprintf(id, sizeof id, "svc-gen-%05ld", i);
		snprintf(nzh, sizeof nzh, "%s %04ld", synthetic_name, i);
		snprintf(nen, sizeof nen, "General service %04ld", i);
		snprintf(ntw, sizeof ntw, "%s %04ld", lang_pick(LANG_TW, synthetic_name, NULL), i);
		/* No summary or keywords, login and fee at their defaults: a
		 * generated service costs ~85 bytes of catalog, so 10,000 of them
		 * stay under the 1 MiB answer limit. */
		kzh[0] = ken[0] = '\0';
		struct demo_service s = {
			.id = id, .category = c->id, .kind = kinds[i % 6],
			.login_required = false, .fee_fen = 0,
			.processing_days = (int)(i % 16),
			.name = { nzh, nen, ntw },
			.summary = { "", "", "" },
			.keywords = { kzh, ken, kzh },
			.description = { "本事项为规模测试自动生成，仅供演示。",
			                 "Generated for scale tests; for demonstration only." },
			.materials = { "居民身份证原件", "Original resident ID card" },
			.form = synthetic_form,
		};
		rc = insert_service(&L, &s, ord0 + i, (const char *const *)c->where);
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
		for (int l = 0; l < LANG_N; l++) {
			free(cats[i].name[l]);
			free(cats[i].where[l]);
		}
	}
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

int db_catalog_json(struct db *db, enum lang l, json_t **out)
{
	json_t *root = json_object(), *cats = json_array(), *pop = json_array(),
	       *svcs = json_array();
	int rc, ok = 1;
	sqlite3_stmt *st;

	pthread_mutex_lock(&db->lock);
	st = db->st[ST_VERSION];
	rc = sqlite3_step(st);
	json_object_set_new(root, "version", rc == SQLITE_ROW ? col_str(st, 0)
	                                                      : json_string("1970-01-01T00:00:00Z"));
	ok = ok && (rc == SQLITE_ROW || rc == SQLITE_DONE);
	stmt_done(st);

	st = db->st[ST_CATS];
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		json_array_append_new(cats, json_pack("{s:o, s:o}", "id", col_str(st, 0),
		                                      "name", col_str(st, 1 + (int)l)));
	ok = ok && rc == SQLITE_DONE;
	stmt_done(st);

	st = db->st[ST_POPULAR];
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		json_array_append_new(pop, col_str(st, 0));
	ok = ok && rc == SQLITE_DONE;
	stmt_done(st);

	st = db->st[ST_SERVICES];
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		json_array_append_new(svcs, brief_json(st, l, true));
	ok = ok && rc == SQLITE_DONE;
	stmt_done(st);
	if (!ok)
		log_error(db, "catalog");
	pthread_mutex_unlock(&db->lock);

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
