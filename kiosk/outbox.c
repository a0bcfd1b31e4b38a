/* outbox.c: the outbox and the ledger in DATA_DIR/outbox.db (see outbox.h).
 *
 * Why SQLite and not files: a state change and its move into the ledger are
 * one transaction, and UNIQUE constraints make "in the ledger exactly once"
 * something the database refuses to break rather than something we hope.
 * WAL with synchronous=FULL: a commit is fsync'd before the call returns,
 * so a record written before a request is sent survives a SIGKILL or a
 * power cut after it. secure_delete: a row that leaves the outbox is
 * overwritten, not left in free pages.
 *
 * The rules (key format, which state may follow which, what an account
 * number may keep) are the pure core's: kiosk/core/idem.c, and for
 * submissions kiosk/core/subq.c.
 *
 * Submissions (schema 2) hold citizens' answers, sealed (seal.h), in their
 * own table: a row lives from the moment before the first request until
 * the submission ends, and then leaves no trace: the row is deleted under
 * secure_delete (its page overwritten with zeros), and the write-ahead log,
 * which still holds the older copies of that page, is checkpointed into
 * the database and truncated to nothing (wal_checkpoint(TRUNCATE)). A
 * checkpoint that a reader holds up (`kiosk --ledger`) is tried again at
 * the next write that ends one and at the next expiry pass.
 */
#include "outbox.h"

#include <errno.h>
#include <fcntl.h>
#include <langinfo.h>
#include <locale.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "seal.h"
#include "text.h"
#include "util.h"

/* One kiosk process writes; `kiosk --ledger` may read at the same time. A
 * writer never waits long for it: the loop thread is calling. */
#define BUSY_TIMEOUT_MS 200

/* Longest strings accepted (bytes): what a gateway could sensibly send. */
#define MAX_ID 128
#define MAX_TEXT 1024

struct outbox {
	sqlite3 *db;
	char *path;
	char *dir;
	struct seal *seal; /* loaded at the first submission that needs it */
	bool wipe_due;     /* sealed rows were deleted and not yet checkpointed away */
	char err[512];
};

/* ---- schema -------------------------------------------------------------- */

/* migrations[i] takes a database from user_version i to i + 1. Never edit
 * one that has shipped: add the next. */
static const char *const migrations[] = {
	/* 0 -> 1: the outbox (unfinished entries) and the ledger (final ones). */
	"CREATE TABLE outbox ("
	"  key TEXT PRIMARY KEY NOT NULL,"
	"  state TEXT NOT NULL,"
	"  bill_id TEXT,"
	"  amount_fen INTEGER NOT NULL CHECK (amount_fen > 0),"
	"  payee TEXT NOT NULL,"
	"  description TEXT NOT NULL,"
	"  account_masked TEXT NOT NULL,"
	"  payment_id TEXT UNIQUE,"
	"  expires_at TEXT,"
	"  created_at INTEGER NOT NULL,"
	"  sent_at INTEGER NOT NULL DEFAULT 0,"
	"  attempts INTEGER NOT NULL DEFAULT 0);"
	/* One unfinished payment per bill. */
	"CREATE UNIQUE INDEX outbox_bill ON outbox(bill_id) WHERE bill_id IS NOT NULL;"
	"CREATE TABLE ledger ("
	"  key TEXT PRIMARY KEY NOT NULL,"
	"  payment_id TEXT UNIQUE,"
	"  state TEXT NOT NULL,"
	"  bill_id TEXT,"
	"  amount_fen INTEGER NOT NULL,"
	"  payee TEXT NOT NULL,"
	"  description TEXT NOT NULL,"
	"  account_masked TEXT NOT NULL,"
	"  receipt_no TEXT,"
	"  paid_at TEXT,"
	"  created_at INTEGER NOT NULL,"
	"  sent_at INTEGER NOT NULL,"
	"  final_at INTEGER NOT NULL,"
	"  attempts INTEGER NOT NULL,"
	"  receipt INTEGER NOT NULL DEFAULT 0 CHECK (receipt BETWEEN 0 AND 2));",
	/* 1 -> 2: citizens' form submissions. `subs` holds the unfinished ones,
	 * their body sealed (seal.h: salt, who, nonce, sealed = ciphertext and
	 * tag); `sub_ledger` how each ended, with nothing personal. */
	"CREATE TABLE subs ("
	"  key TEXT PRIMARY KEY NOT NULL,"
	"  state TEXT NOT NULL CHECK (state IN ('unsent', 'sending', 'held')),"
	"  service_id TEXT NOT NULL,"
	"  service_name TEXT NOT NULL,"
	"  salt BLOB NOT NULL CHECK (length(salt) = 16),"
	"  who BLOB NOT NULL CHECK (length(who) = 32),"
	"  nonce BLOB NOT NULL CHECK (length(nonce) = 12),"
	"  sealed BLOB NOT NULL CHECK (length(sealed) > 16),"
	"  created_at INTEGER NOT NULL,"
	"  sent_at INTEGER NOT NULL DEFAULT 0,"
	"  attempts INTEGER NOT NULL DEFAULT 0);"
	"CREATE TABLE sub_ledger ("
	"  key TEXT PRIMARY KEY NOT NULL,"
	"  state TEXT NOT NULL CHECK (state IN ('delivered', 'refused', 'discarded', 'dropped')),"
	"  service_id TEXT NOT NULL,"
	"  app_id TEXT UNIQUE,"
	"  created_at INTEGER NOT NULL,"
	"  sent_at INTEGER NOT NULL,"
	"  final_at INTEGER NOT NULL,"
	"  attempts INTEGER NOT NULL);",
	/* 2 -> 3: queue tickets (a key per press; nothing personal) and 好差评
	 * ratings: `ratings` holds those not yet delivered (the comment is the
	 * citizen's words: deleted under secure_delete once delivered, as
	 * submissions are), `rating_ledger` how each ended, without the
	 * comment. One rating per subject, across both. */
	"CREATE TABLE tickets ("
	"  key TEXT PRIMARY KEY NOT NULL,"
	"  state TEXT NOT NULL CHECK (state IN ('sending', 'issued', 'failed')),"
	"  service_id TEXT NOT NULL,"
	"  ticket TEXT,"
	"  window TEXT,"
	"  issued_at TEXT,"
	"  created_at INTEGER NOT NULL,"
	"  final_at INTEGER NOT NULL DEFAULT 0);"
	"CREATE TABLE ratings ("
	"  key TEXT PRIMARY KEY NOT NULL,"
	"  subject_kind TEXT NOT NULL CHECK (subject_kind IN ('application_id', 'payment_id', 'ticket')),"
	"  subject_id TEXT NOT NULL,"
	"  service_id TEXT NOT NULL,"
	"  score INTEGER NOT NULL CHECK (score BETWEEN 1 AND 5),"
	"  tags TEXT NOT NULL,"
	"  comment TEXT NOT NULL,"
	"  created_at INTEGER NOT NULL,"
	"  attempts INTEGER NOT NULL DEFAULT 0,"
	"  next_at INTEGER NOT NULL DEFAULT 0,"
	"  UNIQUE (subject_kind, subject_id));"
	"CREATE TABLE rating_ledger ("
	"  key TEXT PRIMARY KEY NOT NULL,"
	"  subject_kind TEXT NOT NULL,"
	"  subject_id TEXT NOT NULL,"
	"  score INTEGER NOT NULL,"
	"  state TEXT NOT NULL CHECK (state IN ('delivered', 'refused', 'dropped')),"
	"  created_at INTEGER NOT NULL,"
	"  final_at INTEGER NOT NULL,"
	"  attempts INTEGER NOT NULL,"
	"  UNIQUE (subject_kind, subject_id));",
};
#define SCHEMA_VERSION ((int)(sizeof migrations / sizeof migrations[0]))

/* The same columns, in the same order, from either table (row_entry). */
#define OUTBOX_COLS                                                                  \
	"key, state, amount_fen, bill_id, payee, description, account_masked, payment_id, " \
	"expires_at, NULL, NULL, created_at, sent_at, 0, attempts, 0, 0"
#define LEDGER_COLS                                                                  \
	"key, state, amount_fen, bill_id, payee, description, account_masked, payment_id, " \
	"NULL, receipt_no, paid_at, created_at, sent_at, final_at, attempts, receipt, 1"

/* ---- errors -------------------------------------------------------------- */

/* Plain words for what SQLite says, with its own message after them. */
static void say_db(char *err, size_t n, const char *path, int rc, int sys, const char *what,
                   const char *msg)
{
	const char *why;
	/* SQLite calls a short write "full" but a refused one (EFBIG, EDQUOT)
	 * an I/O error: the system's errno tells. */
	if (sys == ENOSPC || sys == EDQUOT || sys == EFBIG)
		rc = SQLITE_FULL;
	switch (rc & 0xff) {
	case SQLITE_FULL: why = "the disk is full"; break;
	case SQLITE_READONLY:
	case SQLITE_CANTOPEN:
	case SQLITE_PERM:
	case SQLITE_AUTH: why = "it cannot be written here (a read-only folder or file, or not ours)"; break;
	case SQLITE_NOTADB: why = "the file is not an outbox database"; break;
	case SQLITE_CORRUPT: why = "the file is damaged"; break;
	case SQLITE_IOERR: why = "the disk failed to read or write it"; break;
	case SQLITE_BUSY:
	case SQLITE_LOCKED: why = "another program holds it"; break;
	default: why = "the database failed"; break;
	}
	snprintf(err, n, "outbox %s: %s: %s (%s)", path, what, why, msg ? msg : sqlite3_errstr(rc));
}

static void fail(struct outbox *ob, int rc, const char *what)
{
	say_db(ob->err, sizeof ob->err, ob->path, rc, sqlite3_system_errno(ob->db), what, sqlite3_errmsg(ob->db));
}

/* ---- small statement helpers --------------------------------------------- */

static sqlite3_stmt *prep(struct outbox *ob, const char *sql)
{
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(ob->db, sql, -1, &st, NULL);
	if (rc != SQLITE_OK) {
		fail(ob, rc, "cannot use it");
		return NULL;
	}
	return st;
}

static void bind_text(sqlite3_stmt *st, int i, const char *s)
{
	if (s)
		sqlite3_bind_text(st, i, s, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(st, i);
}

/* Runs a statement that returns no rows: 0, or -1 (error recorded). */
static int run(struct outbox *ob, sqlite3_stmt *st, const char *what)
{
	if (!st)
		return -1;
	int rc = sqlite3_step(st);
	if (rc != SQLITE_DONE) {
		fail(ob, rc, what);
		sqlite3_finalize(st);
		return -1;
	}
	sqlite3_finalize(st);
	return 0;
}

static int exec(struct outbox *ob, const char *sql, const char *what)
{
	char *msg = NULL;
	int rc = sqlite3_exec(ob->db, sql, NULL, NULL, &msg);
	if (rc != SQLITE_OK) {
		say_db(ob->err, sizeof ob->err, ob->path, rc, sqlite3_system_errno(ob->db), what, msg);
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

static int begin(struct outbox *ob)
{
	return exec(ob, "BEGIN IMMEDIATE", "cannot start writing");
}

static enum outbox_result commit(struct outbox *ob, enum outbox_result r)
{
	if (exec(ob, "COMMIT", "cannot write it") != 0) {
		sqlite3_exec(ob->db, "ROLLBACK", NULL, NULL, NULL);
		return OUTBOX_ERROR;
	}
	return r;
}

/* Ends a transaction that wrote nothing, or failed: r is passed on. */
static enum outbox_result rollback(struct outbox *ob, enum outbox_result r)
{
	sqlite3_exec(ob->db, "ROLLBACK", NULL, NULL, NULL);
	return r;
}

/* States as the database spells them: the gateway's words, and "unsent"
 * for PAY_UNKNOWN (written, nothing from the gateway yet). */
static const char *state_word(enum pay_state s)
{
	return s == PAY_UNKNOWN ? "unsent" : pay_state_name(s);
}

static enum pay_state state_of(const char *word)
{
	int s = pay_state_parse(word);
	return s < 0 ? PAY_UNKNOWN : (enum pay_state)s;
}

static char *col_str(sqlite3_stmt *st, int i)
{
	const unsigned char *s = sqlite3_column_text(st, i);
	return s ? xstrdup((const char *)s) : NULL;
}

/* An entry's strings, in the order of columns 3 to 10 of *_COLS. */
#define ENTRY_STRINGS(e)                                                                 \
	{ &(e)->bill_id, &(e)->payee, &(e)->description, &(e)->account_masked,            \
	  &(e)->payment_id, &(e)->expires_at, &(e)->receipt_no, &(e)->paid_at }

static void row_entry(sqlite3_stmt *st, struct outbox_entry *e)
{
	memset(e, 0, sizeof *e);
	const unsigned char *key = sqlite3_column_text(st, 0);
	text_copy(e->key, sizeof e->key, key ? (const char *)key : "");
	e->state = state_of((const char *)sqlite3_column_text(st, 1));
	e->amount_fen = sqlite3_column_int64(st, 2);
	char **strs[] = ENTRY_STRINGS(e);
	for (size_t i = 0; i < sizeof strs / sizeof strs[0]; i++)
		*strs[i] = col_str(st, 3 + (int)i);
	e->created_at = sqlite3_column_int64(st, 11);
	e->sent_at = sqlite3_column_int64(st, 12);
	e->final_at = sqlite3_column_int64(st, 13);
	e->attempts = sqlite3_column_int(st, 14);
	int r = sqlite3_column_int(st, 15);
	e->receipt = r == 1 ? OUTBOX_RECEIPT_PRINTING : r == 2 ? OUTBOX_RECEIPT_PRINTED : OUTBOX_RECEIPT_NONE;
	e->in_ledger = sqlite3_column_int(st, 16) != 0;
}

void outbox_entry_clear(struct outbox_entry *e)
{
	if (!e)
		return;
	char **strs[] = ENTRY_STRINGS(e);
	for (size_t i = 0; i < sizeof strs / sizeof strs[0]; i++)
		wipe_str(*strs[i]);
	explicit_bzero(e, sizeof *e);
}

/* The one row `sql` (with the key bound as ?1) selects, into *out if it is
 * not NULL: OUTBOX_OK, OUTBOX_NOT_FOUND or OUTBOX_ERROR. */
static enum outbox_result one_row(struct outbox *ob, const char *sql, const char *key,
                                  struct outbox_entry *out)
{
	if (out)
		memset(out, 0, sizeof *out);
	sqlite3_stmt *st = prep(ob, sql);
	if (!st)
		return OUTBOX_ERROR;
	bind_text(st, 1, key);
	int rc = sqlite3_step(st);
	enum outbox_result r = OUTBOX_NOT_FOUND;
	if (rc == SQLITE_ROW) {
		if (out)
			row_entry(st, out);
		r = OUTBOX_OK;
	} else if (rc != SQLITE_DONE) {
		fail(ob, rc, "cannot read it");
		r = OUTBOX_ERROR;
	}
	sqlite3_finalize(st);
	return r;
}

static enum outbox_result find_unfinished(struct outbox *ob, const char *key, struct outbox_entry *out)
{
	return one_row(ob, "SELECT " OUTBOX_COLS " FROM outbox WHERE key = ?1", key, out);
}

static enum outbox_result find_final(struct outbox *ob, const char *key, struct outbox_entry *out)
{
	return one_row(ob, "SELECT " LEDGER_COLS " FROM ledger WHERE key = ?1", key, out);
}

enum outbox_result outbox_find(struct outbox *ob, const char *key, struct outbox_entry *out)
{
	memset(out, 0, sizeof *out);
	enum outbox_result r = find_unfinished(ob, key, out);
	return r == OUTBOX_NOT_FOUND ? find_final(ob, key, out) : r;
}

/* ---- opening ------------------------------------------------------------- */

/* A file of ours, never readable by others, never through a symbolic link:
 * tightened if it exists wider. create: make it if missing. 0, or -1 with
 * errno set (ENOENT: missing and not created). */
static int own_file(const char *path, bool create, bool *created)
{
	int fd = -1;
	if (create) {
		fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (fd >= 0)
			*created = true;
		else if (errno != EEXIST)
			return -1;
	}
	if (fd < 0)
		fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return -1;
	struct stat st;
	int r = 0;
	if (fstat(fd, &st) != 0)
		r = -1;
	else if (!S_ISREG(st.st_mode)) {
		errno = EINVAL;
		r = -1;
	} else if ((st.st_mode & 077) && fchmod(fd, 0600) != 0)
		r = -1;
	int saved = errno;
	close(fd);
	errno = saved;
	return r;
}

/* The -wal and -shm files SQLite keeps beside the database: SQLite gives
 * new ones the database's mode; old ones left wider are tightened. */
static int own_side_files(const char *path)
{
	static const char *const sfx[] = { "-wal", "-shm", "-journal" };
	for (size_t i = 0; i < sizeof sfx / sizeof sfx[0]; i++) {
		char *p = xasprintf("%s%s", path, sfx[i]);
		bool created = false;
		int r = own_file(p, false, &created);
		int saved = errno;
		free(p);
		if (r != 0 && saved != ENOENT) {
			errno = saved;
			return -1;
		}
	}
	return 0;
}

static void sync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
}

/* PRAGMA user_version, or -1 (error recorded). */
static int schema_version(struct outbox *ob)
{
	sqlite3_stmt *st = prep(ob, "PRAGMA user_version");
	if (!st)
		return -1;
	int rc = sqlite3_step(st);
	int version = rc == SQLITE_ROW ? sqlite3_column_int(st, 0) : -1;
	if (rc != SQLITE_ROW)
		fail(ob, rc, "cannot read it");
	sqlite3_finalize(st);
	return version;
}

static int migrate(struct outbox *ob, char *err, size_t n)
{
	/* Up to date (the usual case): no write lock taken, so `kiosk
	 * --ledger` never holds up a running kiosk. */
	int version = schema_version(ob);
	if (version == SCHEMA_VERSION)
		return 0;
	if (version < 0 || begin(ob) != 0)
		goto fail;
	version = schema_version(ob); /* another process may have done it */
	if (version < 0)
		goto fail_tx;
	if (version > SCHEMA_VERSION) {
		rollback(ob, OUTBOX_ERROR);
		snprintf(err, n, "outbox %s: schema version %d is not one this kiosk knows (it knows up to %d): "
		         "written by a newer kiosk?", ob->path, version, SCHEMA_VERSION);
		return -1;
	}
	for (int v = version; v < SCHEMA_VERSION; v++)
		if (exec(ob, migrations[v], "cannot bring its schema up to date") != 0)
			goto fail_tx;
	if (version < SCHEMA_VERSION) {
		char *set = xasprintf("PRAGMA user_version = %d", SCHEMA_VERSION);
		int r = exec(ob, set, "cannot bring its schema up to date");
		free(set);
		if (r != 0)
			goto fail_tx;
	}
	if (commit(ob, OUTBOX_OK) != OUTBOX_OK)
		goto fail;
	return 0;
fail_tx:
	rollback(ob, OUTBOX_ERROR);
fail:
	snprintf(err, n, "%s", ob->err);
	return -1;
}

/* The one-row PRAGMA whose answer must be `want`. */
static int pragma_is(struct outbox *ob, const char *sql, const char *want, const char *what,
                     char *err, size_t n)
{
	sqlite3_stmt *st = prep(ob, sql);
	if (!st) {
		snprintf(err, n, "%s", ob->err);
		return -1;
	}
	int rc = sqlite3_step(st);
	if (rc != SQLITE_ROW) {
		fail(ob, rc, what);
		snprintf(err, n, "%s", ob->err);
		sqlite3_finalize(st);
		return -1;
	}
	const char *got = (const char *)sqlite3_column_text(st, 0);
	int ok = got && !strcasecmp(got, want);
	if (!ok)
		snprintf(err, n, "outbox %s: %s: the file is damaged (%s)", ob->path, what, got ? got : "?");
	sqlite3_finalize(st);
	return ok ? 0 : -1;
}

struct outbox *outbox_open(const char *dir, char *err, size_t n)
{
	struct stat ds;
	if (n)
		err[0] = '\0';
	if (!dir || stat(dir, &ds) != 0 || !S_ISDIR(ds.st_mode)) {
		snprintf(err, n, "outbox: data directory %s: %s", dir ? dir : "(none)",
		         dir && stat(dir, &ds) != 0 ? strerror(errno) : "not a directory");
		return NULL;
	}
	struct outbox *ob = xcalloc(1, sizeof *ob);
	ob->dir = xstrdup(dir);
	ob->path = xasprintf("%s/%s", dir, OUTBOX_FILE);
	bool created = false;
	if (own_file(ob->path, true, &created) != 0 || own_side_files(ob->path) != 0) {
		int e = errno;
		const char *why = e == ELOOP ? " (a symbolic link: refused)"
		                  : e == EINVAL ? " (not a regular file)"
		                  : e == ENOSPC ? " (the disk is full)"
		                  : (e == EACCES || e == EROFS || e == EPERM)
		                          ? " (it cannot be written here: a read-only folder or file?)"
		                          : "";
		snprintf(err, n, "outbox %s: %s%s", ob->path, strerror(e), why);
		outbox_free(ob);
		return NULL;
	}
	if (created)
		sync_dir(dir);
	int rc = sqlite3_open_v2(ob->path, &ob->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOFOLLOW, NULL);
	if (rc != SQLITE_OK) {
		say_db(err, n, ob->path, rc, ob->db ? sqlite3_system_errno(ob->db) : 0, "cannot open it",
		       ob->db ? sqlite3_errmsg(ob->db) : NULL);
		outbox_free(ob);
		return NULL;
	}
	sqlite3_extended_result_codes(ob->db, 1);
	sqlite3_busy_timeout(ob->db, BUSY_TIMEOUT_MS);
	if (pragma_is(ob, "PRAGMA journal_mode = WAL", "wal", "cannot use a write-ahead log", err, n) != 0 ||
	    exec(ob, "PRAGMA synchronous = FULL; PRAGMA secure_delete = ON", "cannot set it up") != 0 ||
	    pragma_is(ob, "PRAGMA quick_check", "ok", "its check failed", err, n) != 0) {
		if (!*err)
			snprintf(err, n, "%s", ob->err);
		outbox_free(ob);
		return NULL;
	}
	if (migrate(ob, err, n) != 0) {
		outbox_free(ob);
		return NULL;
	}
	/* The -wal and -shm files exist now: made by SQLite with the
	 * database's mode; checked all the same. */
	if (own_side_files(ob->path) != 0) {
		snprintf(err, n, "outbox %s: its -wal or -shm file: %s", ob->path, strerror(errno));
		outbox_free(ob);
		return NULL;
	}
	return ob;
}

void outbox_free(struct outbox *ob)
{
	if (!ob)
		return;
	sqlite3_close_v2(ob->db);
	seal_free(ob->seal);
	free(ob->path);
	free(ob->dir);
	free(ob);
}

const char *outbox_error(const struct outbox *ob)
{
	return ob ? ob->err : "no outbox";
}

/* ---- payments ------------------------------------------------------------ */

static bool fits(const char *s, size_t max)
{
	return !s || strlen(s) <= max;
}

static enum outbox_result refuse(struct outbox *ob, const char *why)
{
	snprintf(ob->err, sizeof ob->err, "outbox: %s", why);
	return OUTBOX_REFUSED;
}

static int new_key(char key[IDEM_KEY_SIZE])
{
	unsigned char rnd[16];
	size_t got = 0;
	while (got < sizeof rnd) {
		ssize_t r = getrandom(rnd + got, sizeof rnd - got, 0);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		got += (size_t)r;
	}
	uuid_v4_format(rnd, key);
	explicit_bzero(rnd, sizeof rnd);
	return 0;
}

enum outbox_result outbox_payment_new(struct outbox *ob, const struct outbox_payment *p,
                                      struct outbox_entry *out)
{
	memset(out, 0, sizeof *out);
	ob->err[0] = '\0';
	if (!p || p->amount_fen <= 0 || !p->payee || !*p->payee)
		return refuse(ob, "a payment needs an amount above zero and a payee");
	if (!fits(p->bill_id, MAX_ID) || !fits(p->payee, MAX_TEXT) || !fits(p->description, MAX_TEXT) ||
	    !fits(p->account_masked, MAX_ID))
		return refuse(ob, "a payment's bill id, payee, description or account is too long");
	char account[MAX_ID + 1];
	idem_mask_account(p->account_masked, account, sizeof account);

	if (begin(ob) != 0)
		return OUTBOX_ERROR;
	if (p->bill_id) {
		struct outbox_entry old;
		sqlite3_stmt *st = prep(ob, "SELECT " OUTBOX_COLS " FROM outbox WHERE bill_id = ?1");
		if (!st)
			return rollback(ob, OUTBOX_ERROR);
		bind_text(st, 1, p->bill_id);
		int rc = sqlite3_step(st);
		if (rc == SQLITE_ROW) {
			row_entry(st, &old);
			sqlite3_finalize(st);
			if (old.amount_fen == p->amount_fen) {
				*out = old;
				return rollback(ob, OUTBOX_KEPT);
			}
			outbox_entry_clear(&old);
			refuse(ob, "this bill has an unfinished payment of another amount");
			return rollback(ob, OUTBOX_REFUSED);
		}
		sqlite3_finalize(st);
		if (rc != SQLITE_DONE) {
			fail(ob, rc, "cannot read it");
			return rollback(ob, OUTBOX_ERROR);
		}
	}
	char key[IDEM_KEY_SIZE];
	if (new_key(key) != 0) {
		snprintf(ob->err, sizeof ob->err, "outbox: no random numbers for a key: %s", strerror(errno));
		return rollback(ob, OUTBOX_ERROR);
	}
	sqlite3_stmt *st = prep(ob, "INSERT INTO outbox (key, state, bill_id, amount_fen, payee, description, "
	                            "account_masked, created_at) VALUES (?1, 'unsent', ?2, ?3, ?4, ?5, ?6, ?7)");
	if (!st)
		return rollback(ob, OUTBOX_ERROR);
	bind_text(st, 1, key);
	bind_text(st, 2, p->bill_id);
	sqlite3_bind_int64(st, 3, p->amount_fen);
	bind_text(st, 4, p->payee);
	bind_text(st, 5, p->description ? p->description : "");
	bind_text(st, 6, account);
	sqlite3_bind_int64(st, 7, (sqlite3_int64)time(NULL));
	if (run(ob, st, "cannot write the payment") != 0)
		return rollback(ob, OUTBOX_ERROR);
	if (commit(ob, OUTBOX_OK) != OUTBOX_OK)
		return OUTBOX_ERROR;
	explicit_bzero(account, sizeof account);
	enum outbox_result r = find_unfinished(ob, key, out);
	return r == OUTBOX_OK ? OUTBOX_OK : OUTBOX_ERROR;
}

enum outbox_result outbox_payment_sending(struct outbox *ob, const char *key)
{
	ob->err[0] = '\0';
	sqlite3_stmt *st = prep(ob, "UPDATE outbox SET attempts = attempts + 1 WHERE key = ?1");
	if (!st)
		return OUTBOX_ERROR;
	bind_text(st, 1, key);
	if (run(ob, st, "cannot write it") != 0)
		return OUTBOX_ERROR;
	return sqlite3_changes(ob->db) == 1 ? OUTBOX_OK : OUTBOX_NOT_FOUND;
}

enum outbox_result outbox_payment_sent(struct outbox *ob, const char *key, const char *payment_id,
                                       const char *expires_at)
{
	ob->err[0] = '\0';
	if (!payment_id || !*payment_id || !fits(payment_id, MAX_ID) || !fits(expires_at, MAX_ID))
		return refuse(ob, "the gateway's payment id is missing or too long");
	if (begin(ob) != 0)
		return OUTBOX_ERROR;
	struct outbox_entry e;
	enum outbox_result r = find_unfinished(ob, key, &e);
	if (r == OUTBOX_NOT_FOUND) {
		r = find_final(ob, key, &e);
		if (r == OUTBOX_OK)
			r = e.payment_id && !strcmp(e.payment_id, payment_id)
			        ? OUTBOX_KEPT
			        : refuse(ob, "the payment is final already, under another id");
		outbox_entry_clear(&e);
		return rollback(ob, r);
	}
	if (r != OUTBOX_OK)
		return rollback(ob, r);
	if (e.payment_id) {
		r = !strcmp(e.payment_id, payment_id)
		        ? OUTBOX_KEPT
		        : refuse(ob, "the gateway answered this key with another payment id");
		outbox_entry_clear(&e);
		return rollback(ob, r);
	}
	outbox_entry_clear(&e);
	sqlite3_stmt *st = prep(ob, "UPDATE outbox SET payment_id = ?2, expires_at = ?3, sent_at = ?4, "
	                            "state = CASE state WHEN 'unsent' THEN 'created' ELSE state END "
	                            "WHERE key = ?1");
	if (!st)
		return rollback(ob, OUTBOX_ERROR);
	bind_text(st, 1, key);
	bind_text(st, 2, payment_id);
	bind_text(st, 3, expires_at);
	sqlite3_bind_int64(st, 4, (sqlite3_int64)time(NULL));
	int rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if ((rc & 0xff) == SQLITE_CONSTRAINT) {
		refuse(ob, "the gateway gave this payment id to another key too");
		return rollback(ob, OUTBOX_REFUSED);
	}
	if (rc != SQLITE_DONE) {
		fail(ob, rc, "cannot write it");
		return rollback(ob, OUTBOX_ERROR);
	}
	return commit(ob, OUTBOX_OK);
}

/* The unfinished entry `key` becomes final: into the ledger and out of the
 * outbox, in the caller's transaction. */
static int finalize(struct outbox *ob, const char *key, enum pay_state s, const char *receipt_no,
                    const char *paid_at)
{
	sqlite3_stmt *st = prep(ob, "INSERT INTO ledger (key, payment_id, state, bill_id, amount_fen, payee, "
	                            "description, account_masked, receipt_no, paid_at, created_at, sent_at, "
	                            "final_at, attempts) "
	                            "SELECT key, payment_id, ?2, bill_id, amount_fen, payee, description, "
	                            "account_masked, ?3, ?4, created_at, sent_at, ?5, attempts "
	                            "FROM outbox WHERE key = ?1");
	if (!st)
		return -1;
	bind_text(st, 1, key);
	bind_text(st, 2, state_word(s));
	bind_text(st, 3, receipt_no);
	bind_text(st, 4, paid_at);
	sqlite3_bind_int64(st, 5, (sqlite3_int64)time(NULL));
	if (run(ob, st, "cannot write the ledger") != 0)
		return -1;
	st = prep(ob, "DELETE FROM outbox WHERE key = ?1");
	if (!st)
		return -1;
	bind_text(st, 1, key);
	return run(ob, st, "cannot write it");
}

enum outbox_result outbox_payment_state(struct outbox *ob, const char *key, enum pay_state state,
                                        const char *receipt_no, const char *paid_at)
{
	ob->err[0] = '\0';
	if (!fits(receipt_no, MAX_ID) || !fits(paid_at, MAX_ID))
		return refuse(ob, "the gateway's receipt number or time is too long");
	if (state <= PAY_UNKNOWN || state > PAY_EXPIRED)
		return refuse(ob, "only a state the gateway reported may be recorded");
	if (begin(ob) != 0)
		return OUTBOX_ERROR;
	struct outbox_entry e;
	enum outbox_result r = outbox_find(ob, key, &e);
	if (r != OUTBOX_OK)
		return rollback(ob, r);
	enum pay_state cur = e.state;
	outbox_entry_clear(&e);
	if (idem_contradicts(state, cur)) {
		snprintf(ob->err, sizeof ob->err, "outbox: the gateway said %s after %s (key %s): %s stands",
		         pay_state_name(state), pay_state_name(cur), key, pay_state_name(cur));
		return rollback(ob, OUTBOX_REFUSED);
	}
	if (!idem_may_record(state, cur))
		return rollback(ob, OUTBOX_KEPT);
	int w;
	if (pay_state_final(state)) {
		w = finalize(ob, key, state, receipt_no, paid_at);
	} else {
		sqlite3_stmt *st = prep(ob, "UPDATE outbox SET state = ?2 WHERE key = ?1");
		if (!st)
			return rollback(ob, OUTBOX_ERROR);
		bind_text(st, 1, key);
		bind_text(st, 2, state_word(state));
		w = run(ob, st, "cannot write it");
	}
	if (w != 0)
		return rollback(ob, OUTBOX_ERROR);
	return commit(ob, OUTBOX_OK);
}

/* ---- lists --------------------------------------------------------------- */

/* Reads every row of sql (which binds ?1 to arg if arg >= 0) first, then
 * hands them to cb: the callback may write to the outbox. */
static int each(struct outbox *ob, const char *sql, int arg, outbox_each_fn *cb, void *ud)
{
	ob->err[0] = '\0';
	sqlite3_stmt *st = prep(ob, sql);
	if (!st)
		return -1;
	if (arg >= 0)
		sqlite3_bind_int(st, 1, arg);
	struct outbox_entry *v = NULL;
	size_t n = 0, cap = 0;
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (n == cap) {
			cap = cap ? cap * 2 : 16;
			v = xrealloc(v, cap * sizeof *v);
		}
		row_entry(st, &v[n++]);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		fail(ob, rc, "cannot read it");
	for (size_t i = 0; i < n; i++) {
		if (rc == SQLITE_DONE && cb)
			cb(ud, &v[i]);
		outbox_entry_clear(&v[i]);
	}
	free(v);
	return rc == SQLITE_DONE ? (int)n : -1;
}

int outbox_unfinished(struct outbox *ob, outbox_each_fn *cb, void *ud)
{
	return each(ob, "SELECT " OUTBOX_COLS " FROM outbox ORDER BY created_at, rowid", -1, cb, ud);
}

int outbox_ledger(struct outbox *ob, outbox_each_fn *cb, void *ud)
{
	return each(ob, "SELECT " LEDGER_COLS " FROM ledger ORDER BY rowid", -1, cb, ud);
}

int outbox_receipts(struct outbox *ob, enum outbox_receipt which, outbox_each_fn *cb, void *ud)
{
	return each(ob, "SELECT " LEDGER_COLS " FROM ledger WHERE state = 'success' AND receipt = ?1 "
	                "ORDER BY rowid", (int)which, cb, ud);
}

int outbox_pending_count(struct outbox *ob)
{
	int pay = outbox_unfinished(ob, NULL, NULL);
	if (pay < 0)
		return -1;
	sqlite3_stmt *st = prep(ob, "SELECT (SELECT count(*) FROM subs) + (SELECT count(*) FROM ratings) + "
	                            "(SELECT count(*) FROM tickets WHERE state = 'sending' AND created_at > ?1)");
	if (!st)
		return -1;
	/* A ticket a crash left being taken is nobody's after 5 minutes. */
	sqlite3_bind_int64(st, 1, (sqlite3_int64)time(NULL) - 300);
	int more = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int(st, 0) : -1;
	sqlite3_finalize(st);
	return more < 0 ? -1 : pay + more;
}

/* ---- receipts ------------------------------------------------------------ */

/* UPDATE ledger SET receipt = to WHERE it was `from` on a success. */
static enum outbox_result receipt_step(struct outbox *ob, const char *key, int from, int to)
{
	ob->err[0] = '\0';
	sqlite3_stmt *st = prep(ob, "UPDATE ledger SET receipt = ?3 WHERE key = ?1 AND receipt = ?2 "
	                            "AND state = 'success'");
	if (!st)
		return OUTBOX_ERROR;
	bind_text(st, 1, key);
	sqlite3_bind_int(st, 2, from);
	sqlite3_bind_int(st, 3, to);
	if (run(ob, st, "cannot write the ledger") != 0)
		return OUTBOX_ERROR;
	if (sqlite3_changes(ob->db) == 1)
		return OUTBOX_OK;
	struct outbox_entry e;
	enum outbox_result r = find_final(ob, key, &e);
	if (r == OUTBOX_NOT_FOUND)
		r = find_unfinished(ob, key, NULL) == OUTBOX_OK
		        ? refuse(ob, "no receipt for a payment that is not final")
		        : OUTBOX_NOT_FOUND;
	else if (r == OUTBOX_OK)
		r = e.state != PAY_SUCCESS ? refuse(ob, "no receipt for a payment that did not succeed")
		    : (int)e.receipt >= to  ? OUTBOX_KEPT
		                            : refuse(ob, "the receipt was never claimed");
	outbox_entry_clear(&e);
	return r;
}

enum outbox_result outbox_receipt_claim(struct outbox *ob, const char *key)
{
	return receipt_step(ob, key, OUTBOX_RECEIPT_NONE, OUTBOX_RECEIPT_PRINTING);
}

enum outbox_result outbox_receipt_done(struct outbox *ob, const char *key)
{
	return receipt_step(ob, key, OUTBOX_RECEIPT_PRINTING, OUTBOX_RECEIPT_PRINTED);
}

/* ---- submissions ---------------------------------------------------------- */

/* The same columns from either table (sub_row); subs adds the seal's four
 * after them (SUB_SEALED_COLS) for outbox_sub_for_citizen. */
#define SUB_COLS "key, state, service_id, service_name, NULL, created_at, sent_at, 0, attempts, 0"
#define SUB_LEDGER_COLS "key, state, service_id, NULL, app_id, created_at, sent_at, final_at, attempts, 1"
#define SUB_SEALED_COLS SUB_COLS ", salt, who, nonce, sealed"

static void sub_row(sqlite3_stmt *st, struct outbox_sub_entry *e)
{
	memset(e, 0, sizeof *e);
	const unsigned char *key = sqlite3_column_text(st, 0);
	text_copy(e->key, sizeof e->key, key ? (const char *)key : "");
	int s = subq_state_parse((const char *)sqlite3_column_text(st, 1));
	/* The tables' CHECKs allow no other word; a row that says none is
	 * treated as being sent (asked about, never offered, never dropped
	 * unseen). */
	e->state = s < 0 ? SUBQ_SENDING : (enum subq_state)s;
	e->service_id = col_str(st, 2);
	e->service_name = col_str(st, 3);
	e->app_id = col_str(st, 4);
	e->created_at = sqlite3_column_int64(st, 5);
	e->sent_at = sqlite3_column_int64(st, 6);
	e->final_at = sqlite3_column_int64(st, 7);
	e->attempts = sqlite3_column_int(st, 8);
	e->in_ledger = sqlite3_column_int(st, 9) != 0;
}

void outbox_sub_entry_clear(struct outbox_sub_entry *e)
{
	if (!e)
		return;
	wipe_str(e->service_id);
	wipe_str(e->service_name);
	wipe_str(e->app_id);
	wipe_str(e->body);
	explicit_bzero(e, sizeof *e);
}

static enum outbox_result sub_one(struct outbox *ob, const char *sql, const char *key,
                                  struct outbox_sub_entry *out)
{
	memset(out, 0, sizeof *out);
	sqlite3_stmt *st = prep(ob, sql);
	if (!st)
		return OUTBOX_ERROR;
	bind_text(st, 1, key);
	int rc = sqlite3_step(st);
	enum outbox_result r = OUTBOX_NOT_FOUND;
	if (rc == SQLITE_ROW) {
		sub_row(st, out);
		r = OUTBOX_OK;
	} else if (rc != SQLITE_DONE) {
		fail(ob, rc, "cannot read it");
		r = OUTBOX_ERROR;
	}
	sqlite3_finalize(st);
	return r;
}

enum outbox_result outbox_sub_find(struct outbox *ob, const char *key, struct outbox_sub_entry *out)
{
	enum outbox_result r = sub_one(ob, "SELECT " SUB_COLS " FROM subs WHERE key = ?1", key, out);
	if (r == OUTBOX_NOT_FOUND)
		r = sub_one(ob, "SELECT " SUB_LEDGER_COLS " FROM sub_ledger WHERE key = ?1", key, out);
	return r;
}

/* The kiosk secret, loaded once; create: make the key file if missing.
 * 0; 1: no key file (and not made); -1: refused or failed (err set). */
static int need_seal(struct outbox *ob, bool create)
{
	if (ob->seal)
		return 0;
	bool missing = false;
	char err[400];
	ob->seal = seal_load(ob->dir, create, &missing, err, sizeof err);
	if (ob->seal)
		return 0;
	if (missing && !create)
		return 1;
	snprintf(ob->err, sizeof ob->err, "%s", err);
	return -1;
}

/* What ended submissions leave in the -wal: copies of their pages from
 * before the delete. Checkpointed into the database (where secure_delete
 * zeroed them) and the log truncated to nothing. A reader holding an old
 * snapshot (`kiosk --ledger`) makes it wait: tried again later. */
static void wipe_wal(struct outbox *ob)
{
	int log = 0, done = 0;
	int rc = sqlite3_wal_checkpoint_v2(ob->db, NULL, SQLITE_CHECKPOINT_TRUNCATE, &log, &done);
	ob->wipe_due = rc != SQLITE_OK;
}

/* The unfinished submission `key` ends in `state`: into the ledger, its
 * row (and sealed body) deleted, in the caller's transaction. */
static int sub_finalize(struct outbox *ob, const char *key, enum subq_state state, const char *app_id,
                        long long now)
{
	sqlite3_stmt *st = prep(ob, "INSERT INTO sub_ledger (key, state, service_id, app_id, created_at, "
	                            "sent_at, final_at, attempts) "
	                            "SELECT key, ?2, service_id, ?3, created_at, sent_at, ?4, attempts "
	                            "FROM subs WHERE key = ?1");
	if (!st)
		return -1;
	bind_text(st, 1, key);
	bind_text(st, 2, subq_state_name(state));
	bind_text(st, 3, app_id);
	sqlite3_bind_int64(st, 4, (sqlite3_int64)now);
	int rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if ((rc & 0xff) == SQLITE_CONSTRAINT) {
		refuse(ob, "the gateway gave this application id to another submission too");
		return -2;
	}
	if (rc != SQLITE_DONE) {
		fail(ob, rc, "cannot write the ledger");
		return -1;
	}
	st = prep(ob, "DELETE FROM subs WHERE key = ?1");
	if (!st)
		return -1;
	bind_text(st, 1, key);
	if (run(ob, st, "cannot write it") != 0)
		return -1;
	ob->wipe_due = true;
	return 0;
}

/* Records `next` for submission `key` (subq.h's rules): the common part of
 * sending, delivered, refused, held and discard. */
static enum outbox_result sub_move(struct outbox *ob, const char *key, enum subq_state next, const char *app_id)
{
	ob->err[0] = '\0';
	if (next == SUBQ_DELIVERED && (!app_id || !*app_id || !fits(app_id, MAX_ID)))
		return refuse(ob, "the gateway's application id is missing or too long");
	if (begin(ob) != 0)
		return OUTBOX_ERROR;
	struct outbox_sub_entry e;
	enum outbox_result r = outbox_sub_find(ob, key, &e);
	if (r != OUTBOX_OK) {
		outbox_sub_entry_clear(&e);
		return rollback(ob, r);
	}
	enum subq_state cur = e.state;
	bool same_id = !app_id || (e.app_id && !strcmp(e.app_id, app_id));
	outbox_sub_entry_clear(&e);
	if (subq_final(cur)) {
		if (next == SUBQ_SENDING)
			r = refuse(ob, "the submission has ended: it is never sent again");
		else if (next == cur)
			r = same_id ? OUTBOX_KEPT : refuse(ob, "the gateway answered this key with another application id");
		else if (subq_final(next)) {
			snprintf(ob->err, sizeof ob->err, "outbox: submission %s: %s after %s: %s stands", key,
			         subq_state_name(next), subq_state_name(cur), subq_state_name(cur));
			r = OUTBOX_REFUSED;
		} else
			r = OUTBOX_KEPT;
		return rollback(ob, r);
	}
	long long now = (long long)time(NULL);
	int w;
	if (next == SUBQ_SENDING) {
		/* Another request with the same key counts as an attempt. */
		sqlite3_stmt *st = prep(ob, "UPDATE subs SET state = 'sending', attempts = attempts + 1, "
		                            "sent_at = ?2 WHERE key = ?1");
		if (!st)
			return rollback(ob, OUTBOX_ERROR);
		bind_text(st, 1, key);
		sqlite3_bind_int64(st, 2, (sqlite3_int64)now);
		w = run(ob, st, "cannot write it");
	} else if (!subq_may_move(cur, next)) {
		r = next == cur ? OUTBOX_KEPT
		    : next == SUBQ_DISCARDED
		        ? refuse(ob, "a submission being sent cannot be discarded: it may have reached the gateway")
		        : refuse(ob, "that state may not follow");
		return rollback(ob, r);
	} else if (subq_final(next)) {
		w = sub_finalize(ob, key, next, next == SUBQ_DELIVERED ? app_id : NULL, now);
		if (w == -2)
			return rollback(ob, OUTBOX_REFUSED);
	} else {
		sqlite3_stmt *st = prep(ob, "UPDATE subs SET state = ?2 WHERE key = ?1");
		if (!st)
			return rollback(ob, OUTBOX_ERROR);
		bind_text(st, 1, key);
		bind_text(st, 2, subq_state_name(next));
		w = run(ob, st, "cannot write it");
	}
	if (w != 0)
		return rollback(ob, OUTBOX_ERROR);
	r = commit(ob, OUTBOX_OK);
	if (r == OUTBOX_OK && ob->wipe_due)
		wipe_wal(ob);
	return r;
}

enum outbox_result outbox_sub_new(struct outbox *ob, const struct outbox_submission *s,
                                  struct outbox_sub_entry *out)
{
	memset(out, 0, sizeof *out);
	ob->err[0] = '\0';
	if (!s || !s->service_id || !*s->service_id || !s->body || !*s->body)
		return refuse(ob, "a submission needs a service id and a body");
	size_t len = strlen(s->body);
	if (!fits(s->service_id, MAX_ID) || !fits(s->service_name, MAX_TEXT) || len > OUTBOX_SUB_MAX_BODY)
		return refuse(ob, "a submission's service id, name or body is too long");
	if (!seal_id_usable(s->citizen_id))
		return refuse(ob, "a submission needs its citizen's ID number (it seals the answers)");
	if (need_seal(ob, true) != 0)
		return OUTBOX_ERROR;

	char key[IDEM_KEY_SIZE];
	unsigned char salt[SEAL_SALT_SIZE], nonce[SEAL_NONCE_SIZE], who[SEAL_WHO_SIZE];
	if (new_key(key) != 0 || seal_random(salt, sizeof salt) != 0 || seal_random(nonce, sizeof nonce) != 0) {
		snprintf(ob->err, sizeof ob->err, "outbox: no random numbers for a key: %s", strerror(errno));
		return OUTBOX_ERROR;
	}
	size_t sealed_len = len + SEAL_TAG_SIZE;
	unsigned char *sealed = xmalloc(sealed_len);
	if (seal_who(ob->seal, salt, s->citizen_id, who) != 0 ||
	    seal_box(ob->seal, salt, s->citizen_id, nonce, key, s->body, len, sealed) != 0) {
		free(sealed);
		explicit_bzero(who, sizeof who);
		snprintf(ob->err, sizeof ob->err, "outbox: the answers could not be sealed (the crypto library failed)");
		return OUTBOX_ERROR;
	}
	long long now = (long long)time(NULL);
	sqlite3_stmt *st = prep(ob, "INSERT INTO subs (key, state, service_id, service_name, salt, who, nonce, "
	                            "sealed, created_at) VALUES (?1, 'unsent', ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
	int w = -1;
	if (st) {
		bind_text(st, 1, key);
		bind_text(st, 2, s->service_id);
		bind_text(st, 3, s->service_name ? s->service_name : "");
		sqlite3_bind_blob(st, 4, salt, sizeof salt, SQLITE_TRANSIENT);
		sqlite3_bind_blob(st, 5, who, sizeof who, SQLITE_TRANSIENT);
		sqlite3_bind_blob(st, 6, nonce, sizeof nonce, SQLITE_TRANSIENT);
		sqlite3_bind_blob(st, 7, sealed, (int)sealed_len, SQLITE_TRANSIENT);
		sqlite3_bind_int64(st, 8, (sqlite3_int64)now);
		w = run(ob, st, "cannot write the submission");
	}
	free(sealed);
	explicit_bzero(who, sizeof who);
	if (w != 0)
		return OUTBOX_ERROR;
	enum outbox_result r = sub_one(ob, "SELECT " SUB_COLS " FROM subs WHERE key = ?1", key, out);
	return r == OUTBOX_OK ? OUTBOX_OK : OUTBOX_ERROR;
}

enum outbox_result outbox_sub_sending(struct outbox *ob, const char *key)
{
	return sub_move(ob, key, SUBQ_SENDING, NULL);
}

enum outbox_result outbox_sub_delivered(struct outbox *ob, const char *key, const char *app_id)
{
	return sub_move(ob, key, SUBQ_DELIVERED, app_id);
}

enum outbox_result outbox_sub_refused(struct outbox *ob, const char *key)
{
	return sub_move(ob, key, SUBQ_REFUSED, NULL);
}

enum outbox_result outbox_sub_held(struct outbox *ob, const char *key)
{
	return sub_move(ob, key, SUBQ_HELD, NULL);
}

enum outbox_result outbox_sub_discard(struct outbox *ob, const char *key)
{
	return sub_move(ob, key, SUBQ_DISCARDED, NULL);
}

/* A growing list of entries, read before any callback runs. */
struct sub_list {
	struct outbox_sub_entry *v;
	size_t n, cap;
};

static struct outbox_sub_entry *sub_list_add(struct sub_list *l)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 16;
		l->v = xrealloc(l->v, l->cap * sizeof *l->v);
	}
	return &l->v[l->n++];
}

/* Hands the list to cb (if ok), clearing every entry (bodies wiped). */
static int sub_list_deliver(struct sub_list *l, bool ok, outbox_sub_each_fn *cb, void *ud)
{
	for (size_t i = 0; i < l->n; i++) {
		if (ok && cb)
			cb(ud, &l->v[i]);
		outbox_sub_entry_clear(&l->v[i]);
	}
	free(l->v);
	return ok ? (int)l->n : -1;
}

static int sub_each(struct outbox *ob, const char *sql, outbox_sub_each_fn *cb, void *ud)
{
	ob->err[0] = '\0';
	sqlite3_stmt *st = prep(ob, sql);
	if (!st)
		return -1;
	struct sub_list l = { 0 };
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		sub_row(st, sub_list_add(&l));
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		fail(ob, rc, "cannot read it");
	return sub_list_deliver(&l, rc == SQLITE_DONE, cb, ud);
}

int outbox_sub_pending(struct outbox *ob, outbox_sub_each_fn *cb, void *ud)
{
	return sub_each(ob, "SELECT " SUB_COLS " FROM subs ORDER BY created_at, rowid", cb, ud);
}

int outbox_sub_ledger(struct outbox *ob, outbox_sub_each_fn *cb, void *ud)
{
	return sub_each(ob, "SELECT " SUB_LEDGER_COLS " FROM sub_ledger ORDER BY rowid", cb, ud);
}

/* A blob column of exactly n bytes, or NULL. */
static const unsigned char *blob_of(sqlite3_stmt *st, int i, int n)
{
	const void *p = sqlite3_column_blob(st, i);
	return p && sqlite3_column_bytes(st, i) == n ? p : NULL;
}

int outbox_sub_for_citizen(struct outbox *ob, const char *citizen_id, outbox_sub_each_fn *cb, void *ud)
{
	ob->err[0] = '\0';
	if (!seal_id_usable(citizen_id))
		return 0; /* nothing can have been sealed for them */
	int k = need_seal(ob, false);
	if (k != 0)
		return k > 0 ? 0 : -1;
	sqlite3_stmt *st = prep(ob, "SELECT " SUB_SEALED_COLS " FROM subs WHERE state IN ('unsent', 'held') "
	                            "AND created_at >= ?1 ORDER BY created_at, rowid");
	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, (sqlite3_int64)((long long)time(NULL) - SUBQ_MAX_AGE_S));
	struct sub_list l = { 0 };
	int rc, unopened = 0;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const unsigned char *salt = blob_of(st, 10, SEAL_SALT_SIZE), *who = blob_of(st, 11, SEAL_WHO_SIZE),
		                    *nonce = blob_of(st, 12, SEAL_NONCE_SIZE);
		const unsigned char *sealed = sqlite3_column_blob(st, 13);
		int sealed_len = sqlite3_column_bytes(st, 13);
		const unsigned char *key = sqlite3_column_text(st, 0);
		if (!salt || !who || !nonce || !sealed || !key || !seal_who_is(ob->seal, salt, citizen_id, who))
			continue;
		char *body = seal_unbox(ob->seal, salt, citizen_id, nonce, (const char *)key, sealed,
		                        (size_t)sealed_len, NULL);
		if (!body) {
			unopened++;
			continue;
		}
		struct outbox_sub_entry *e = sub_list_add(&l);
		sub_row(st, e);
		e->body = body;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		fail(ob, rc, "cannot read it");
	else if (unopened)
		snprintf(ob->err, sizeof ob->err, "outbox: %d of this citizen's submissions did not open "
		         "(altered on disk): passed over", unopened);
	return sub_list_deliver(&l, rc == SQLITE_DONE, cb, ud);
}

int outbox_sub_expire(struct outbox *ob, long long now)
{
	ob->err[0] = '\0';
	sqlite3_stmt *st = prep(ob, "SELECT key, created_at FROM subs ORDER BY created_at, rowid");
	if (!st)
		return -1;
	struct key_list {
		char key[IDEM_KEY_SIZE];
	} *old = NULL;
	size_t n = 0, cap = 0;
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (!subq_expired(now - sqlite3_column_int64(st, 1)))
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 16;
			old = xrealloc(old, cap * sizeof *old);
		}
		const unsigned char *key = sqlite3_column_text(st, 0);
		text_copy(old[n++].key, IDEM_KEY_SIZE, key ? (const char *)key : "");
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		fail(ob, rc, "cannot read it");
		free(old);
		return -1;
	}
	int dropped = 0;
	if (n) {
		if (begin(ob) != 0) {
			free(old);
			return -1;
		}
		for (size_t i = 0; i < n; i++) {
			if (sub_finalize(ob, old[i].key, SUBQ_DROPPED, NULL, now) != 0) {
				free(old);
				return rollback(ob, OUTBOX_ERROR);
			}
			dropped++;
		}
		if (commit(ob, OUTBOX_OK) != OUTBOX_OK) {
			free(old);
			return -1;
		}
	}
	free(old);
	if (ob->wipe_due)
		wipe_wal(ob);
	return dropped;
}

/* ---- the listing ----------------------------------------------------------- */

struct printer {
	FILE *f;
	const char *mark;
};

/* s sanitized for a terminal, or "-". Caller frees. */
static char *clean(const char *s)
{
	return text_sanitize(s && *s ? s : "-", strlen(s && *s ? s : "-"), 0);
}

static void print_row(void *ud, const struct outbox_entry *e)
{
	struct printer *p = ud;
	char when[32] = "-", amount[32];
	time_t t = (time_t)(e->final_at ? e->final_at : e->created_at);
	struct tm tm;
	if (t && localtime_r(&t, &tm))
		strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S", &tm);
	static const char *const receipts[] = { "-", "printing", "printed" };
	char *rno = clean(e->receipt_no), *pid = clean(e->payment_id), *payee = clean(e->payee),
	     *what = clean(e->description), *acct = clean(e->account_masked);
	fprintf(p->f, "%-1s %-19s  %-9s  %10s  %-8s  %-20s  %-24s  %-36s  %s / %s / %s\n", p->mark, when,
	        state_word(e->state), text_fen(e->amount_fen, amount, sizeof amount),
	        receipts[e->receipt], rno, pid, e->key, payee, what, acct);
	wipe_str(rno);
	wipe_str(pid);
	wipe_str(payee);
	wipe_str(what);
	wipe_str(acct);
}

static void print_sub_row(void *ud, const struct outbox_sub_entry *e)
{
	struct printer *p = ud;
	char when[32] = "-";
	time_t t = (time_t)(e->final_at ? e->final_at : e->created_at);
	struct tm tm;
	if (t && localtime_r(&t, &tm))
		strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S", &tm);
	char *svc = clean(e->service_id), *app = clean(e->app_id);
	fprintf(p->f, "%-1s %-19s  %-9s  %8d  %-24s  %-36s  %s\n", p->mark, when, subq_state_name(e->state),
	        e->attempts, app, e->key, svc);
	free(svc);
	free(app);
}

/* The submissions, after the payments: only if there are any (a kiosk
 * that takes none lists what it always did). The service's id, never its
 * name or anything of the citizen's. */
static int print_subs(struct outbox *ob, FILE *f)
{
	int done = outbox_sub_ledger(ob, NULL, NULL), open = outbox_sub_pending(ob, NULL, NULL);
	if (done < 0 || open < 0)
		return -1;
	if (done + open == 0)
		return 0;
	fprintf(f, "\nSubmissions:\n%-1s %-19s  %-9s  %8s  %-24s  %-36s  %s\n", "", "time", "state", "attempts",
	        "application id", "key", "service");
	struct printer p = { f, "" };
	if (outbox_sub_ledger(ob, print_sub_row, &p) < 0)
		return -1;
	p.mark = "*";
	if (outbox_sub_pending(ob, print_sub_row, &p) < 0)
		return -1;
	fprintf(f, "submissions: %d final, %d not final%s\n", done, open,
	        open ? " (*: being sent, or kept for their citizen)" : "");
	return 0;
}

int outbox_ledger_print(struct outbox *ob, FILE *f)
{
	fprintf(f, "%-1s %-19s  %-9s  %10s  %-8s  %-20s  %-24s  %-36s  %s\n", "", "time", "state", "yuan",
	        "receipt", "receipt no", "payment id", "key", "payee / for / account");
	struct printer p = { f, "" };
	int done = outbox_ledger(ob, print_row, &p);
	if (done < 0)
		return -1;
	p.mark = "*";
	int open = outbox_unfinished(ob, print_row, &p);
	if (open < 0)
		return -1;
	fprintf(f, "%d final, %d not final%s\n", done, open,
	        open ? " (*: the kiosk is still finding out how it ended)" : "");
	if (print_subs(ob, f) != 0)
		return -1;
	return fflush(f) == 0 ? 0 : -1;
}

int outbox_ledger_command(const char *dir, FILE *out, FILE *errf)
{
	/* Payees are Chinese: sanitizing needs a UTF-8 character type. */
	if (!setlocale(LC_CTYPE, "") || strcmp(nl_langinfo(CODESET), "UTF-8") != 0)
		setlocale(LC_CTYPE, "C.UTF-8");
	struct stat ds;
	if (stat(dir, &ds) != 0 || !S_ISDIR(ds.st_mode)) {
		fprintf(errf, "kiosk: --ledger: data directory %s: %s\n", dir,
		        stat(dir, &ds) != 0 ? strerror(errno) : "not a directory");
		return 1;
	}
	char *path = xasprintf("%s/%s", dir, OUTBOX_FILE);
	struct stat fs;
	bool missing = lstat(path, &fs) != 0 && errno == ENOENT;
	free(path);
	if (missing) {
		fprintf(out, "No payments recorded in %s.\n", dir);
		return fflush(out) == 0 ? 0 : 1;
	}
	char err[512];
	struct outbox *ob = outbox_open(dir, err, sizeof err);
	if (!ob) {
		fprintf(errf, "kiosk: --ledger: %s\n", err);
		return 1;
	}
	int r = outbox_ledger_print(ob, out);
	if (r != 0)
		fprintf(errf, "kiosk: --ledger: %s\n", *ob->err ? ob->err : strerror(errno));
	outbox_free(ob);
	return r == 0 ? 0 : 1;
}

/* ---- queue tickets -------------------------------------------------------- */

enum outbox_result outbox_ticket_new(struct outbox *ob, const char *service_id, char key[IDEM_KEY_SIZE])
{
	ob->err[0] = '\0';
	key[0] = '\0';
	if (!service_id || !*service_id || !fits(service_id, MAX_ID))
		return refuse(ob, "a ticket needs a service id (1..128 bytes)");
	if (new_key(key) != 0) {
		snprintf(ob->err, sizeof ob->err, "outbox: no random numbers for a key: %s", strerror(errno));
		return OUTBOX_ERROR;
	}
	sqlite3_stmt *st = prep(ob, "INSERT INTO tickets (key, state, service_id, created_at) "
	                            "VALUES (?1, 'sending', ?2, ?3)");
	if (!st)
		return OUTBOX_ERROR;
	bind_text(st, 1, key);
	bind_text(st, 2, service_id);
	sqlite3_bind_int64(st, 3, (sqlite3_int64)time(NULL));
	return run(ob, st, "cannot write the ticket") == 0 ? OUTBOX_OK : OUTBOX_ERROR;
}

/* sending -> issued (with what the gateway said) or failed. */
static enum outbox_result ticket_end(struct outbox *ob, const char *key, bool issued, const char *ticket,
                                     const char *window, const char *issued_at)
{
	ob->err[0] = '\0';
	if (issued && (!ticket || !*ticket || !fits(ticket, MAX_ID) || !fits(window, MAX_TEXT) ||
	               !fits(issued_at, MAX_ID)))
		return refuse(ob, "the gateway's ticket is missing or too long");
	sqlite3_stmt *st = prep(ob, "UPDATE tickets SET state = ?2, ticket = ?3, window = ?4, issued_at = ?5, "
	                            "final_at = ?6 WHERE key = ?1 AND state = 'sending'");
	if (!st)
		return OUTBOX_ERROR;
	bind_text(st, 1, key);
	bind_text(st, 2, issued ? "issued" : "failed");
	bind_text(st, 3, issued ? ticket : NULL);
	bind_text(st, 4, issued ? window : NULL);
	bind_text(st, 5, issued ? issued_at : NULL);
	sqlite3_bind_int64(st, 6, (sqlite3_int64)time(NULL));
	if (run(ob, st, "cannot write the ticket") != 0)
		return OUTBOX_ERROR;
	if (sqlite3_changes(ob->db) == 1)
		return OUTBOX_OK;
	/* Not sending: unknown, or ended (a repeat of the same answer is kept). */
	st = prep(ob, "SELECT state, ticket FROM tickets WHERE key = ?1");
	if (!st)
		return OUTBOX_ERROR;
	bind_text(st, 1, key);
	enum outbox_result r = OUTBOX_NOT_FOUND;
	if (sqlite3_step(st) == SQLITE_ROW) {
		const char *state = (const char *)sqlite3_column_text(st, 0);
		const char *had = (const char *)sqlite3_column_text(st, 1);
		bool same = state && !strcmp(state, issued ? "issued" : "failed") &&
		            (!issued || (had && !strcmp(had, ticket)));
		r = same ? OUTBOX_KEPT : refuse(ob, "the ticket has ended otherwise: that stands");
	}
	sqlite3_finalize(st);
	return r;
}

enum outbox_result outbox_ticket_issued(struct outbox *ob, const char *key, const char *ticket,
                                        const char *window, const char *issued_at)
{
	return ticket_end(ob, key, true, ticket, window, issued_at);
}

enum outbox_result outbox_ticket_failed(struct outbox *ob, const char *key)
{
	return ticket_end(ob, key, false, NULL, NULL, NULL);
}

int outbox_tickets_recent(struct outbox *ob, int max, outbox_ticket_fn *cb, void *ud)
{
	ob->err[0] = '\0';
	sqlite3_stmt *st = prep(ob, "SELECT key, state, service_id, ticket, window, issued_at, created_at "
	                            "FROM tickets ORDER BY created_at DESC, rowid DESC LIMIT ?1");
	if (!st)
		return -1;
	sqlite3_bind_int(st, 1, max);
	int n = 0, rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct outbox_ticket t = { 0 };
		snprintf(t.key, sizeof t.key, "%s", (const char *)sqlite3_column_text(st, 0));
		t.state = (const char *)sqlite3_column_text(st, 1);
		t.service_id = (const char *)sqlite3_column_text(st, 2);
		t.ticket = (const char *)sqlite3_column_text(st, 3);
		t.window = (const char *)sqlite3_column_text(st, 4);
		t.issued_at = (const char *)sqlite3_column_text(st, 5);
		t.created_at = sqlite3_column_int64(st, 6);
		if (cb)
			cb(ud, &t);
		n++;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		fail(ob, rc, "cannot read it");
		return -1;
	}
	return n;
}

/* ---- ratings -------------------------------------------------------------- */

static bool subject_kind_ok(const char *k)
{
	return k && (!strcmp(k, "application_id") || !strcmp(k, "payment_id") || !strcmp(k, "ticket"));
}

enum outbox_result outbox_rating_new(struct outbox *ob, const struct outbox_rating *r, char key[IDEM_KEY_SIZE])
{
	ob->err[0] = '\0';
	key[0] = '\0';
	if (!r || !subject_kind_ok(r->subject_kind) || !r->subject_id || !*r->subject_id ||
	    !fits(r->subject_id, MAX_ID) || !r->service_id || !fits(r->service_id, MAX_ID) ||
	    r->score < 1 || r->score > 5 || !fits(r->tags, MAX_TEXT) || !fits(r->comment, OUTBOX_RATING_MAX_COMMENT))
		return refuse(ob, "a rating needs a subject, a service id and a score of 1 to 5");
	if (begin(ob) != 0)
		return OUTBOX_ERROR;
	/* One rating per subject: a second (another press, another screen
	 * reaching the same payment) is the first. */
	sqlite3_stmt *st = prep(ob, "SELECT key FROM ratings WHERE subject_kind = ?1 AND subject_id = ?2 "
	                            "UNION ALL SELECT key FROM rating_ledger WHERE subject_kind = ?1 "
	                            "AND subject_id = ?2");
	if (!st)
		return rollback(ob, OUTBOX_ERROR);
	bind_text(st, 1, r->subject_kind);
	bind_text(st, 2, r->subject_id);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		snprintf(key, IDEM_KEY_SIZE, "%s", (const char *)sqlite3_column_text(st, 0));
		sqlite3_finalize(st);
		return rollback(ob, OUTBOX_KEPT);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		fail(ob, rc, "cannot read it");
		return rollback(ob, OUTBOX_ERROR);
	}
	if (new_key(key) != 0) {
		snprintf(ob->err, sizeof ob->err, "outbox: no random numbers for a key: %s", strerror(errno));
		return rollback(ob, OUTBOX_ERROR);
	}
	st = prep(ob, "INSERT INTO ratings (key, subject_kind, subject_id, service_id, score, tags, comment, "
	              "created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
	if (!st)
		return rollback(ob, OUTBOX_ERROR);
	bind_text(st, 1, key);
	bind_text(st, 2, r->subject_kind);
	bind_text(st, 3, r->subject_id);
	bind_text(st, 4, r->service_id);
	sqlite3_bind_int(st, 5, r->score);
	bind_text(st, 6, r->tags ? r->tags : "");
	bind_text(st, 7, r->comment ? r->comment : "");
	sqlite3_bind_int64(st, 8, (sqlite3_int64)time(NULL));
	if (run(ob, st, "cannot write the rating") != 0)
		return rollback(ob, OUTBOX_ERROR);
	return commit(ob, OUTBOX_OK);
}

int outbox_rating_pending(struct outbox *ob, outbox_rating_fn *cb, void *ud)
{
	ob->err[0] = '\0';
	sqlite3_stmt *st = prep(ob, "SELECT key, subject_kind, subject_id, service_id, score, tags, comment, "
	                            "created_at, attempts, next_at FROM ratings ORDER BY created_at, rowid");
	if (!st)
		return -1;
	/* Read first: the callback may write. */
	struct outbox_rating *v = NULL;
	size_t n = 0, cap = 0;
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (n == cap) {
			cap = cap ? cap * 2 : 8;
			v = xrealloc(v, cap * sizeof *v);
		}
		struct outbox_rating *e = &v[n++];
		memset(e, 0, sizeof *e);
		snprintf(e->key, sizeof e->key, "%s", (const char *)sqlite3_column_text(st, 0));
		e->subject_kind = col_str(st, 1);
		e->subject_id = col_str(st, 2);
		e->service_id = col_str(st, 3);
		e->score = sqlite3_column_int(st, 4);
		e->tags = col_str(st, 5);
		e->comment = col_str(st, 6);
		e->created_at = sqlite3_column_int64(st, 7);
		e->attempts = sqlite3_column_int(st, 8);
		e->next_at = sqlite3_column_int64(st, 9);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		fail(ob, rc, "cannot read it");
	for (size_t i = 0; i < n; i++) {
		if (rc == SQLITE_DONE && cb)
			cb(ud, &v[i]);
		free((char *)v[i].subject_kind);
		free((char *)v[i].subject_id);
		free((char *)v[i].service_id);
		free((char *)v[i].tags);
		wipe_str((char *)v[i].comment);
	}
	free(v);
	return rc == SQLITE_DONE ? (int)n : -1;
}

enum outbox_result outbox_rating_attempt(struct outbox *ob, const char *key, long long next_at)
{
	ob->err[0] = '\0';
	sqlite3_stmt *st = prep(ob, "UPDATE ratings SET attempts = attempts + 1, next_at = ?2 WHERE key = ?1");
	if (!st)
		return OUTBOX_ERROR;
	bind_text(st, 1, key);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)next_at);
	if (run(ob, st, "cannot write the rating") != 0)
		return OUTBOX_ERROR;
	return sqlite3_changes(ob->db) == 1 ? OUTBOX_OK : OUTBOX_NOT_FOUND;
}

enum outbox_result outbox_rating_end(struct outbox *ob, const char *key, const char *how)
{
	ob->err[0] = '\0';
	if (!how || (strcmp(how, "delivered") && strcmp(how, "refused") && strcmp(how, "dropped")))
		return refuse(ob, "a rating ends delivered, refused or dropped");
	if (begin(ob) != 0)
		return OUTBOX_ERROR;
	sqlite3_stmt *st = prep(ob, "INSERT INTO rating_ledger (key, subject_kind, subject_id, score, state, "
	                            "created_at, final_at, attempts) SELECT key, subject_kind, subject_id, score, "
	                            "?2, created_at, ?3, attempts FROM ratings WHERE key = ?1");
	if (!st)
		return rollback(ob, OUTBOX_ERROR);
	bind_text(st, 1, key);
	bind_text(st, 2, how);
	sqlite3_bind_int64(st, 3, (sqlite3_int64)time(NULL));
	if (run(ob, st, "cannot write the ledger") != 0)
		return rollback(ob, OUTBOX_ERROR);
	if (sqlite3_changes(ob->db) != 1)
		return rollback(ob, OUTBOX_NOT_FOUND); /* ended already, or never written */
	st = prep(ob, "DELETE FROM ratings WHERE key = ?1");
	if (!st)
		return rollback(ob, OUTBOX_ERROR);
	bind_text(st, 1, key);
	if (run(ob, st, "cannot write it") != 0 || sqlite3_changes(ob->db) != 1)
		return rollback(ob, OUTBOX_ERROR);
	ob->wipe_due = true;
	enum outbox_result r = commit(ob, OUTBOX_OK);
	if (r == OUTBOX_OK)
		wipe_wal(ob);
	return r;
}

int outbox_rating_ledger(struct outbox *ob, outbox_rating_fn *cb, void *ud)
{
	ob->err[0] = '\0';
	sqlite3_stmt *st = prep(ob, "SELECT key, subject_kind, subject_id, score, state, created_at, attempts "
	                            "FROM rating_ledger ORDER BY rowid");
	if (!st)
		return -1;
	int n = 0, rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct outbox_rating e = { 0 };
		snprintf(e.key, sizeof e.key, "%s", (const char *)sqlite3_column_text(st, 0));
		e.subject_kind = (const char *)sqlite3_column_text(st, 1);
		e.subject_id = (const char *)sqlite3_column_text(st, 2);
		e.score = sqlite3_column_int(st, 3);
		e.state = (const char *)sqlite3_column_text(st, 4);
		e.created_at = sqlite3_column_int64(st, 5);
		e.attempts = sqlite3_column_int(st, 6);
		if (cb)
			cb(ud, &e);
		n++;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		fail(ob, rc, "cannot read it");
		return -1;
	}
	return n;
}
