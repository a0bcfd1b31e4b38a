/* test_outbox.c: the outbox and the ledger (kiosk/outbox.c) on a real
 * SQLite file: keys written before a request and reused, states that only
 * move forward, final payments in the ledger exactly once, receipts printed
 * once, file modes, damaged files and unwritable folders, SIGKILL, and the
 * `kiosk --ledger` listing. */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pwd.h>
#include <signal.h>
#include <sched.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "outbox.h"

/* ---- helpers --------------------------------------------------------------- */

static char *make_dir(void)
{
	char *d = strdup("/tmp/kiosk-outbox-XXXXXX");
	cr_assert(d && mkdtemp(d), "mkdtemp: %s", strerror(errno));
	return d;
}

static void rm_dir(char *d)
{
	char cmd[PATH_MAX + 32];
	snprintf(cmd, sizeof cmd, "chmod -R u+rwx '%s'; rm -rf '%s'", d, d);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", d);
	free(d);
}

static char *path_in(const char *where, const char *name)
{
	char *p = NULL;
	cr_assert(asprintf(&p, "%s/%s", where, name) > 0);
	return p;
}

static struct outbox *open_ok(const char *where)
{
	char err[512];
	struct outbox *o = outbox_open(where, err, sizeof err);
	cr_assert(o, "outbox_open(%s): %s", where, err);
	return o;
}

/* Each test has a fresh folder; ob is the outbox open in it (NULL when
 * closed), freed and the folder removed after the test. */
static char *dir;
static struct outbox *ob;

static void setup(void)
{
	dir = make_dir();
}

static void close_outbox(void)
{
	outbox_free(ob);
	ob = NULL;
}

static void teardown(void)
{
	close_outbox();
	rm_dir(dir);
	dir = NULL;
}

TestSuite(outbox, .init = setup, .fini = teardown);

/* Opens the outbox in dir, closing it first if it is open: a restart. */
static void open_outbox(void)
{
	close_outbox();
	ob = open_ok(dir);
}

static const struct outbox_payment water = {
	.bill_id = "bill-water-1", .amount_fen = 4560, .payee = "北京市自来水集团",
	.description = "水费 2026-11", .account_masked = "3101****0467",
};

static const struct outbox_payment gas = { .bill_id = "bill-gas-1", .amount_fen = 100, .payee = "燃气" };

static void new_payment(const struct outbox_payment *p, struct outbox_entry *e)
{
	enum outbox_result r = outbox_payment_new(ob, p, e);
	cr_assert_eq(r, OUTBOX_OK, "outbox_payment_new: %d %s", r, outbox_error(ob));
}

struct collect {
	int n;
	char keys[16][IDEM_KEY_SIZE];
	enum pay_state states[16];
};

static void collect_one(void *ud, const struct outbox_entry *e)
{
	struct collect *c = ud;
	if (c->n < 16) {
		memcpy(c->keys[c->n], e->key, IDEM_KEY_SIZE);
		c->states[c->n] = e->state;
	}
	c->n++;
}

static int count_ledger(const char *key)
{
	struct collect c = { 0 };
	cr_assert_geq(outbox_ledger(ob, collect_one, &c), 0, "%s", outbox_error(ob));
	int n = 0;
	for (int i = 0; i < c.n && i < 16; i++)
		n += !strcmp(c.keys[i], key);
	return n;
}

static int mode_of(const char *path)
{
	struct stat st;
	cr_assert_eq(lstat(path, &st), 0, "%s: %s", path, strerror(errno));
	return (int)(st.st_mode & 07777);
}

/* The whole file (and its -wal), for looking for bytes that must not be
 * there. */
static bool file_has(const char *path, const char *needle)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return false;
	size_t cap = 1 << 20, n = 0;
	char *buf = malloc(cap);
	size_t got;
	while ((got = fread(buf + n, 1, cap - n, f)) > 0) {
		n += got;
		if (n == cap)
			buf = realloc(buf, cap *= 2);
	}
	fclose(f);
	bool found = memmem(buf, n, needle, strlen(needle)) != NULL;
	free(buf);
	return found;
}

/* ---- keys ------------------------------------------------------------------------ */

Test(outbox, new_entry_has_a_v4_key_and_survives_reopen)
{
	open_outbox();
	struct outbox_entry e;
	new_payment(&water, &e);
	cr_assert(uuid_v4_valid(e.key), "key %s", e.key);
	cr_assert_eq(e.key[14], '4');
	cr_assert(strchr("89ab", e.key[19]));
	cr_assert_eq(e.state, PAY_UNKNOWN);
	cr_assert_eq(e.amount_fen, 4560);
	cr_assert_str_eq(e.payee, "北京市自来水集团");
	cr_assert_str_eq(e.account_masked, "3101****0467");
	cr_assert_null(e.payment_id);
	cr_assert_gt(e.created_at, 0);
	char key[IDEM_KEY_SIZE];
	memcpy(key, e.key, sizeof key);
	outbox_entry_clear(&e);

	open_outbox();
	cr_assert_eq(outbox_find(ob, key, &e), OUTBOX_OK);
	cr_assert_str_eq(e.bill_id, "bill-water-1");
	cr_assert_str_eq(e.description, "水费 2026-11");
	cr_assert_not(e.in_ledger);
	outbox_entry_clear(&e);
	struct collect c = { 0 };
	cr_assert_eq(outbox_unfinished(ob, collect_one, &c), 1);
	cr_assert_str_eq(c.keys[0], key);
	cr_assert_eq(outbox_pending_count(ob), 1);

	/* Two payments without a bill (fees): two keys. */
	struct outbox_payment fee = { .amount_fen = 1000, .payee = "出入境管理局" };
	struct outbox_entry f1, f2;
	new_payment(&fee, &f1);
	new_payment(&fee, &f2);
	cr_assert_str_neq(f1.key, f2.key);
	cr_assert_str_neq(f1.key, key);
	outbox_entry_clear(&f1);
	outbox_entry_clear(&f2);
}

Test(outbox, a_retry_reuses_the_key)
{
	open_outbox();
	struct outbox_entry e, again;
	new_payment(&water, &e);
	cr_assert_eq(outbox_payment_sending(ob, e.key), OUTBOX_OK);

	/* Pay pressed again, or the kiosk restarted: the same entry, the same key. */
	cr_assert_eq(outbox_payment_new(ob, &water, &again), OUTBOX_KEPT);
	cr_assert_str_eq(again.key, e.key);
	cr_assert_eq(again.attempts, 1);
	outbox_entry_clear(&again);
	open_outbox();
	cr_assert_eq(outbox_payment_new(ob, &water, &again), OUTBOX_KEPT);
	cr_assert_str_eq(again.key, e.key);
	outbox_entry_clear(&again);
	cr_assert_eq(outbox_payment_sending(ob, e.key), OUTBOX_OK);

	/* The same bill for another amount: staff must look. */
	struct outbox_payment other = water;
	other.amount_fen = 4561;
	cr_assert_eq(outbox_payment_new(ob, &other, &again), OUTBOX_REFUSED);
	cr_assert(strstr(outbox_error(ob), "another amount"), "%s", outbox_error(ob));
	outbox_entry_clear(&again);
	cr_assert_eq(outbox_unfinished(ob, NULL, NULL), 1);

	/* The gateway answers; a second answer with the same id is a repeat. */
	cr_assert_eq(outbox_payment_sent(ob, e.key, "pay-1", "2026-12-03T04:00:00Z"), OUTBOX_OK);
	cr_assert_eq(outbox_payment_sent(ob, e.key, "pay-1", "2026-12-03T04:00:00Z"), OUTBOX_KEPT);
	cr_assert_eq(outbox_payment_sent(ob, e.key, "pay-2", NULL), OUTBOX_REFUSED);
	cr_assert_eq(outbox_find(ob, e.key, &again), OUTBOX_OK);
	cr_assert_eq(again.state, PAY_CREATED);
	cr_assert_str_eq(again.payment_id, "pay-1");
	cr_assert_str_eq(again.expires_at, "2026-12-03T04:00:00Z");
	cr_assert_eq(again.attempts, 2);
	cr_assert_gt(again.sent_at, 0);
	outbox_entry_clear(&again);

	/* One payment id is one key. */
	struct outbox_entry g;
	new_payment(&gas, &g);
	cr_assert_eq(outbox_payment_sent(ob, g.key, "pay-1", NULL), OUTBOX_REFUSED);
	outbox_entry_clear(&g);

	/* Once final, the bill may be paid anew (a new payment: a new key). */
	cr_assert_eq(outbox_payment_state(ob, e.key, PAY_EXPIRED, NULL, NULL), OUTBOX_OK);
	cr_assert_eq(outbox_payment_new(ob, &water, &again), OUTBOX_OK);
	cr_assert_str_neq(again.key, e.key);
	outbox_entry_clear(&again);
	cr_assert_eq(outbox_payment_sending(ob, "00000000-0000-4000-8000-000000000000"), OUTBOX_NOT_FOUND);
	outbox_entry_clear(&e);
}

Test(outbox, unusable_payments_are_refused)
{
	open_outbox();
	struct outbox_entry e;
	struct outbox_payment p = water;
	p.amount_fen = 0;
	cr_assert_eq(outbox_payment_new(ob, &p, &e), OUTBOX_REFUSED);
	p = water;
	p.payee = NULL;
	cr_assert_eq(outbox_payment_new(ob, &p, &e), OUTBOX_REFUSED);
	char big[2000];
	memset(big, 'x', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	p = water;
	p.description = big;
	cr_assert_eq(outbox_payment_new(ob, &p, &e), OUTBOX_REFUSED);
	cr_assert_eq(outbox_unfinished(ob, NULL, NULL), 0);
}

/* ---- states and the ledger ----------------------------------------------------------- */

Test(outbox, states_never_go_backwards)
{
	open_outbox();
	struct outbox_entry e, got;
	new_payment(&water, &e);
	cr_assert_eq(outbox_payment_sent(ob, e.key, "pay-1", NULL), OUTBOX_OK);
	cr_assert_eq(outbox_payment_state(ob, e.key, PAY_PENDING, NULL, NULL), OUTBOX_OK);
	cr_assert_eq(outbox_payment_state(ob, e.key, PAY_CREATED, NULL, NULL), OUTBOX_KEPT);
	cr_assert_eq(outbox_payment_state(ob, e.key, PAY_PENDING, NULL, NULL), OUTBOX_KEPT);
	cr_assert_eq(outbox_payment_state(ob, e.key, PAY_UNKNOWN, NULL, NULL), OUTBOX_REFUSED);
	cr_assert_eq(outbox_find(ob, e.key, &got), OUTBOX_OK);
	cr_assert_eq(got.state, PAY_PENDING);
	outbox_entry_clear(&got);

	cr_assert_eq(outbox_payment_state(ob, e.key, PAY_SUCCESS, "R-0001", "2026-12-03T03:01:02Z"), OUTBOX_OK);
	/* success followed by pending stays success */
	cr_assert_eq(outbox_payment_state(ob, e.key, PAY_PENDING, NULL, NULL), OUTBOX_KEPT);
	/* a cancel racing the success: the success stands, and it is reported */
	cr_assert_eq(outbox_payment_state(ob, e.key, PAY_CANCELLED, NULL, NULL), OUTBOX_REFUSED);
	cr_assert(strstr(outbox_error(ob), "success stands"), "%s", outbox_error(ob));

	open_outbox();
	cr_assert_eq(outbox_payment_state(ob, e.key, PAY_PENDING, NULL, NULL), OUTBOX_KEPT);
	cr_assert_eq(outbox_find(ob, e.key, &got), OUTBOX_OK);
	cr_assert_eq(got.state, PAY_SUCCESS);
	cr_assert(got.in_ledger);
	cr_assert_str_eq(got.receipt_no, "R-0001");
	cr_assert_str_eq(got.paid_at, "2026-12-03T03:01:02Z");
	outbox_entry_clear(&got);
	cr_assert_eq(outbox_payment_state(ob, "00000000-0000-4000-8000-000000000000", PAY_PENDING, NULL, NULL),
	             OUTBOX_NOT_FOUND);
	outbox_entry_clear(&e);
}

Test(outbox, a_final_payment_is_in_the_ledger_exactly_once)
{
	open_outbox();
	struct outbox_entry e, f, got;
	new_payment(&water, &e);
	cr_assert_eq(outbox_payment_sent(ob, e.key, "pay-1", "2026-12-03T04:00:00Z"), OUTBOX_OK);
	cr_assert_eq(outbox_payment_state(ob, e.key, PAY_SUCCESS, "R-1", "2026-12-03T03:01:02Z"), OUTBOX_OK);
	cr_assert_eq(outbox_payment_state(ob, e.key, PAY_SUCCESS, "R-1", "2026-12-03T03:01:02Z"), OUTBOX_KEPT);
	cr_assert_eq(count_ledger(e.key), 1);
	cr_assert_eq(outbox_unfinished(ob, NULL, NULL), 0);
	/* The create's answer again (a late retry): nothing changes. */
	cr_assert_eq(outbox_payment_sent(ob, e.key, "pay-1", NULL), OUTBOX_KEPT);
	cr_assert_eq(outbox_payment_sent(ob, e.key, "pay-9", NULL), OUTBOX_REFUSED);

	/* After a restart, the reconciliation polls and records it again. */
	open_outbox();
	cr_assert_eq(outbox_payment_state(ob, e.key, PAY_SUCCESS, "R-1", "2026-12-03T03:01:02Z"), OUTBOX_KEPT);
	cr_assert_eq(count_ledger(e.key), 1);

	/* A payment refused at creation (never got an id) is final too. */
	new_payment(&gas, &f);
	cr_assert_eq(outbox_payment_state(ob, f.key, PAY_FAILED, NULL, NULL), OUTBOX_OK);
	cr_assert_eq(count_ledger(f.key), 1);
	struct collect c = { 0 };
	cr_assert_eq(outbox_ledger(ob, collect_one, &c), 2);
	cr_assert_str_eq(c.keys[0], e.key);
	cr_assert_eq(c.states[0], PAY_SUCCESS);
	cr_assert_eq(c.states[1], PAY_FAILED);

	cr_assert_eq(outbox_find(ob, e.key, &got), OUTBOX_OK);
	cr_assert_str_eq(got.payment_id, "pay-1");
	cr_assert_eq(got.amount_fen, 4560);
	cr_assert_str_eq(got.payee, "北京市自来水集团");
	cr_assert_null(got.expires_at); /* the ledger keeps what staff need */
	cr_assert_gt(got.final_at, 0);
	cr_assert_gt(got.created_at, 0);
	outbox_entry_clear(&got);
	outbox_entry_clear(&e);
	outbox_entry_clear(&f);
}

Test(outbox, nothing_unmasked_reaches_the_disk)
{
	open_outbox();
	struct outbox_payment p = water;
	p.account_masked = "310104199208210467"; /* a gateway that forgot to mask */
	struct outbox_entry e;
	new_payment(&p, &e);
	cr_assert_str_eq(e.account_masked, "**************0467");
	cr_assert_eq(outbox_payment_state(ob, e.key, PAY_SUCCESS, "R-1", NULL), OUTBOX_OK);
	outbox_entry_clear(&e);
	char *db = path_in(dir, OUTBOX_FILE), *wal = path_in(dir, OUTBOX_FILE "-wal");
	cr_assert_not(file_has(db, "310104199208210467"));
	cr_assert_not(file_has(wal, "310104199208210467"));
	cr_assert_not(file_has(wal, "3101041992"));
	close_outbox();
	cr_assert_not(file_has(db, "3101041992"));
	free(db);
	free(wal);
}

/* ---- receipts ----------------------------------------------------------------------- */

Test(outbox, a_receipt_is_claimed_once_across_restarts)
{
	open_outbox();
	struct outbox_entry e, f;
	new_payment(&water, &e);
	cr_assert_eq(outbox_receipt_claim(ob, e.key), OUTBOX_REFUSED); /* not paid yet */
	cr_assert_eq(outbox_receipt_claim(ob, "00000000-0000-4000-8000-000000000000"), OUTBOX_NOT_FOUND);
	cr_assert_eq(outbox_payment_state(ob, e.key, PAY_SUCCESS, "R-1", NULL), OUTBOX_OK);

	/* Paid while nobody printed: due. */
	struct collect c = { 0 };
	cr_assert_eq(outbox_receipts(ob, OUTBOX_RECEIPT_NONE, collect_one, &c), 1);
	cr_assert_str_eq(c.keys[0], e.key);

	cr_assert_eq(outbox_receipt_done(ob, e.key), OUTBOX_REFUSED); /* never claimed */
	cr_assert_eq(outbox_receipt_claim(ob, e.key), OUTBOX_OK);
	cr_assert_eq(outbox_receipt_claim(ob, e.key), OUTBOX_KEPT);

	/* The kiosk died while printing: never printed again, reported. */
	open_outbox();
	cr_assert_eq(outbox_receipt_claim(ob, e.key), OUTBOX_KEPT);
	cr_assert_eq(outbox_receipts(ob, OUTBOX_RECEIPT_NONE, NULL, NULL), 0);
	memset(&c, 0, sizeof c);
	cr_assert_eq(outbox_receipts(ob, OUTBOX_RECEIPT_PRINTING, collect_one, &c), 1);
	cr_assert_str_eq(c.keys[0], e.key);
	cr_assert_eq(outbox_receipt_done(ob, e.key), OUTBOX_OK);
	cr_assert_eq(outbox_receipt_done(ob, e.key), OUTBOX_KEPT);

	open_outbox();
	cr_assert_eq(outbox_receipt_claim(ob, e.key), OUTBOX_KEPT);
	cr_assert_eq(outbox_receipts(ob, OUTBOX_RECEIPT_PRINTING, NULL, NULL), 0);
	cr_assert_eq(outbox_receipts(ob, OUTBOX_RECEIPT_PRINTED, NULL, NULL), 1);
	struct outbox_entry got;
	cr_assert_eq(outbox_find(ob, e.key, &got), OUTBOX_OK);
	cr_assert_eq(got.receipt, OUTBOX_RECEIPT_PRINTED);
	outbox_entry_clear(&got);

	/* No receipt for a payment that did not succeed. */
	new_payment(&gas, &f);
	cr_assert_eq(outbox_payment_state(ob, f.key, PAY_EXPIRED, NULL, NULL), OUTBOX_OK);
	cr_assert_eq(outbox_receipt_claim(ob, f.key), OUTBOX_REFUSED);
	outbox_entry_clear(&e);
	outbox_entry_clear(&f);
}

/* ---- files --------------------------------------------------------------------------- */

Test(outbox, files_are_0600_whatever_the_umask)
{
	mode_t old = umask(0);
	open_outbox();
	struct outbox_entry e;
	new_payment(&water, &e); /* the -wal holds a frame now */
	outbox_entry_clear(&e);
	const char *names[] = { OUTBOX_FILE, OUTBOX_FILE "-wal", OUTBOX_FILE "-shm" };
	for (int i = 0; i < 3; i++) {
		char *p = path_in(dir, names[i]);
		cr_assert_eq(mode_of(p), 0600, "%s is %o", names[i], mode_of(p));
		free(p);
	}
	close_outbox();

	/* Files left wider (copied by hand, say) are tightened on open. */
	for (int i = 0; i < 3; i++) {
		char *p = path_in(dir, names[i]);
		if (access(p, F_OK) == 0)
			cr_assert_eq(chmod(p, 0644), 0);
		free(p);
	}
	open_outbox();
	for (int i = 0; i < 3; i++) {
		char *p = path_in(dir, names[i]);
		cr_assert_eq(mode_of(p), 0600, "%s is %o after reopening", names[i], mode_of(p));
		free(p);
	}
	close_outbox();
	umask(old);
}

Test(outbox, a_symbolic_link_is_refused)
{
	char *db = path_in(dir, OUTBOX_FILE);
	cr_assert_eq(symlink("/tmp/elsewhere.db", db), 0);
	char err[512];
	cr_assert_null(outbox_open(dir, err, sizeof err));
	cr_assert(strstr(err, "symbolic link"), "%s", err);
	free(db);
}

static void expect_open_error(const char *where, const char *want)
{
	char err[512] = "";
	ob = outbox_open(where, err, sizeof err);
	cr_assert_null(ob, "opened a bad outbox");
	cr_assert(strstr(err, want), "error [%s] lacks [%s]", err, want);
	cr_assert(strstr(err, OUTBOX_FILE) || strstr(err, where), "error [%s] names no file", err);
}

Test(outbox, a_file_that_is_not_an_outbox_is_a_clear_error)
{
	char *db = path_in(dir, OUTBOX_FILE);
	FILE *f = fopen(db, "w");
	cr_assert(f);
	for (int i = 0; i < 200; i++)
		fputs("this is not a database, it is a text file left here\n", f);
	fclose(f);
	expect_open_error(dir, "not an outbox database");
	free(db);

	expect_open_error("/nonexistent/kiosk-data", "data directory");
}

Test(outbox, a_truncated_file_is_a_clear_error)
{
	open_outbox();
	/* Enough rows for several pages. */
	for (int i = 0; i < 300; i++) {
		char bill[32];
		snprintf(bill, sizeof bill, "bill-%d", i);
		struct outbox_payment p = water;
		p.bill_id = bill;
		struct outbox_entry e;
		new_payment(&p, &e);
		if (i % 2)
			cr_assert_eq(outbox_payment_state(ob, e.key, PAY_FAILED, NULL, NULL), OUTBOX_OK);
		outbox_entry_clear(&e);
	}
	close_outbox(); /* the last close checkpoints the -wal into the file */
	char *db = path_in(dir, OUTBOX_FILE);
	struct stat st;
	cr_assert_eq(stat(db, &st), 0);
	cr_assert_gt(st.st_size, 8 * 4096);
	cr_assert_eq(truncate(db, st.st_size / 2), 0);
	char err[512] = "";
	ob = outbox_open(dir, err, sizeof err);
	cr_assert_null(ob, "opened a truncated outbox");
	cr_assert(strstr(err, "damaged"), "%s", err);
	free(db);
}

Test(outbox, a_newer_schema_is_refused)
{
	open_outbox();
	close_outbox();
	char *db = path_in(dir, OUTBOX_FILE);
	sqlite3 *s;
	cr_assert_eq(sqlite3_open(db, &s), SQLITE_OK);
	cr_assert_eq(sqlite3_exec(s, "PRAGMA user_version = 99", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(s);
	expect_open_error(dir, "newer kiosk");
	free(db);
}

/* Runs fn in a child as an unprivileged user if we are root (root writes
 * anywhere): its exit status says how it went. */
static void as_nobody(void (*fn)(void))
{
	pid_t pid = fork();
	cr_assert_geq(pid, 0);
	if (pid == 0) {
		if (geteuid() == 0) {
			struct passwd *pw = getpwnam("nobody");
			uid_t uid = pw ? pw->pw_uid : 65534;
			gid_t gid = pw ? pw->pw_gid : 65534;
			if (setgid(gid) != 0 || setuid(uid) != 0)
				_exit(90);
		}
		fn();
		_exit(0);
	}
	int status;
	cr_assert_eq(waitpid(pid, &status, 0), pid);
	cr_assert(WIFEXITED(status), "the child died of signal %d", WTERMSIG(status));
	cr_assert_eq(WEXITSTATUS(status), 0, "the child failed (status %d)", WEXITSTATUS(status));
}

static void open_must_fail_unwritable(void)
{
	char err[512] = "";
	ob = outbox_open(dir, err, sizeof err);
	if (ob) {
		fprintf(stderr, "opened an outbox in a read-only folder\n");
		_exit(1);
	}
	if (!strstr(err, "cannot be written here") || !strstr(err, "read-only") || !strstr(err, dir)) {
		fprintf(stderr, "unclear error: %s\n", err);
		_exit(2);
	}
}

Test(outbox, a_read_only_folder_is_a_clear_error)
{
	/* No outbox yet: it cannot be made. */
	cr_assert_eq(chmod(dir, 0555), 0);
	as_nobody(open_must_fail_unwritable);

	/* An outbox made before the folder became read-only: its -wal cannot be. */
	cr_assert_eq(chmod(dir, 0700), 0);
	open_outbox();
	close_outbox();
	char *db = path_in(dir, OUTBOX_FILE);
	struct passwd *pw = getpwnam("nobody");
	if (geteuid() == 0)
		cr_assert_eq(chown(db, pw ? pw->pw_uid : 65534, pw ? pw->pw_gid : 65534), 0);
	cr_assert_eq(chmod(dir, 0555), 0);
	as_nobody(open_must_fail_unwritable);
	free(db);
}

/* A private mount namespace with a small tmpfs at the test's folder (root, or an
 * unprivileged user namespace): a disk that really fills up. false if this
 * system allows neither. */
static bool small_disk_at_dir(void)
{
	uid_t uid = geteuid();
	gid_t gid = getegid();
	if (unshare(CLONE_NEWNS) != 0) {
		if (unshare(CLONE_NEWUSER | CLONE_NEWNS) != 0)
			return false;
		char map[64];
		int fd = open("/proc/self/setgroups", O_WRONLY);
		if (fd >= 0) {
			(void)!write(fd, "deny", 4);
			close(fd);
		}
		snprintf(map, sizeof map, "0 %u 1", (unsigned)uid);
		fd = open("/proc/self/uid_map", O_WRONLY);
		if (fd < 0 || write(fd, map, strlen(map)) < 0)
			return false;
		close(fd);
		snprintf(map, sizeof map, "0 %u 1", (unsigned)gid);
		fd = open("/proc/self/gid_map", O_WRONLY);
		if (fd < 0 || write(fd, map, strlen(map)) < 0)
			return false;
		close(fd);
	}
	return mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) == 0 &&
	       mount("tmpfs", dir, "tmpfs", 0, "size=256k,mode=0700") == 0;
}

/* In a child: fills the outbox until the disk is full. Exit status 0: a
 * clear error, and what was written before is still there. */
static void full_disk(void)
{
	bool real = small_disk_at_dir();
	char err[512];
	ob = outbox_open(dir, err, sizeof err);
	if (!ob) {
		fprintf(stderr, "open: %s\n", err);
		_exit(3);
	}
	struct outbox_entry first;
	struct outbox_payment p = water;
	p.bill_id = "kept";
	if (outbox_payment_new(ob, &p, &first) != OUTBOX_OK)
		_exit(4);
	if (!real) {
		/* No namespace here: the file may not grow instead (EFBIG, which
		 * SQLite reports as an I/O error). */
		signal(SIGXFSZ, SIG_IGN);
		struct rlimit lim = { 4096, 4096 };
		if (setrlimit(RLIMIT_FSIZE, &lim) != 0)
			_exit(5);
	}
	char big[1000];
	memset(big, 'x', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	enum outbox_result r = OUTBOX_OK;
	for (int i = 0; i < 5000 && r == OUTBOX_OK; i++) {
		char bill[32];
		snprintf(bill, sizeof bill, "bill-%d", i);
		p.bill_id = bill;
		p.description = big;
		struct outbox_entry e;
		r = outbox_payment_new(ob, &p, &e);
		outbox_entry_clear(&e);
	}
	if (r != OUTBOX_ERROR) {
		fprintf(stderr, "no error from a full disk (%d)\n", r);
		_exit(6);
	}
	if (!strstr(outbox_error(ob), real ? "the disk is full" : "disk")) {
		fprintf(stderr, "unclear error: %s\n", outbox_error(ob));
		_exit(7);
	}
	struct outbox_entry got;
	if (outbox_find(ob, first.key, &got) != OUTBOX_OK || strcmp(got.bill_id, "kept") != 0)
		_exit(8);
	outbox_entry_clear(&got);
	outbox_entry_clear(&first);
	close_outbox();
	if (!real)
		fprintf(stderr, "note: no small disk to fill here; tested with a file size limit\n");
}

Test(outbox, a_full_disk_is_a_clear_error_and_loses_nothing)
{
	pid_t pid = fork();
	cr_assert_geq(pid, 0);
	if (pid == 0) {
		full_disk();
		_exit(0);
	}
	int status;
	cr_assert_eq(waitpid(pid, &status, 0), pid);
	cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0, "status %#x", status);
}

/* ---- SIGKILL ------------------------------------------------------------------------- */

/* Forks a writer: body runs in a child with the outbox open (ob) and the
 * write end of a pipe; returns its pid, and the read end in *rd. */
static pid_t fork_writer(void (*body)(int wr), int *rd)
{
	int fds[2];
	cr_assert_eq(pipe(fds), 0);
	pid_t pid = fork();
	cr_assert_geq(pid, 0);
	if (pid == 0) {
		close(fds[0]);
		char err[512];
		ob = outbox_open(dir, err, sizeof err);
		if (!ob)
			_exit(1);
		body(fds[1]);
		_exit(0);
	}
	close(fds[1]);
	*rd = fds[0];
	return pid;
}

static void write_then_die(int wr)
{
	struct outbox_entry e;
	if (outbox_payment_new(ob, &water, &e) != OUTBOX_OK)
		_exit(2);
	/* The request would go out now: the kiosk dies instead. */
	if (write(wr, e.key, IDEM_KEY_SIZE) != IDEM_KEY_SIZE)
		_exit(3);
	raise(SIGKILL);
}

Test(outbox, an_entry_written_survives_sigkill)
{
	int rd;
	pid_t pid = fork_writer(write_then_die, &rd);
	char key[IDEM_KEY_SIZE] = "";
	cr_assert_eq(read(rd, key, sizeof key), (ssize_t)sizeof key);
	close(rd);
	int status;
	cr_assert_eq(waitpid(pid, &status, 0), pid);
	cr_assert(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL, "status %#x", status);

	open_outbox();
	struct collect c = { 0 };
	cr_assert_eq(outbox_unfinished(ob, collect_one, &c), 1);
	cr_assert_str_eq(c.keys[0], key);
	/* The retry after the restart uses that key. */
	struct outbox_entry e;
	cr_assert_eq(outbox_payment_new(ob, &water, &e), OUTBOX_KEPT);
	cr_assert_str_eq(e.key, key);
	outbox_entry_clear(&e);
}

static int writer_round;

/* Pays bills as fast as it can until it is killed; says so once one is
 * final. */
static void write_until_killed(int wr)
{
	for (int i = 0;; i++) {
		char bill[48], pay_id[48];
		snprintf(bill, sizeof bill, "bill-%d-%d", writer_round, i);
		snprintf(pay_id, sizeof pay_id, "pay-%d-%d", writer_round, i);
		struct outbox_payment p = water;
		p.bill_id = bill;
		struct outbox_entry e;
		if (outbox_payment_new(ob, &p, &e) != OUTBOX_OK)
			_exit(2);
		outbox_payment_sent(ob, e.key, pay_id, NULL);
		outbox_payment_state(ob, e.key, i % 3 ? PAY_SUCCESS : PAY_PENDING, "R", NULL);
		outbox_payment_state(ob, e.key, PAY_SUCCESS, "R", NULL);
		outbox_entry_clear(&e);
		if (i == 0 && write(wr, "1", 1) != 1)
			_exit(3);
	}
}

Test(outbox, sigkill_at_any_moment_leaves_a_consistent_ledger)
{
	for (writer_round = 0; writer_round < 4; writer_round++) {
		int rd;
		pid_t pid = fork_writer(write_until_killed, &rd);
		char one;
		cr_assert_eq(read(rd, &one, 1), 1, "the writer died before its first payment");
		close(rd);
		struct timespec ts = { 0, (1 + 7 * writer_round) * 1000000L };
		nanosleep(&ts, NULL);
		kill(pid, SIGKILL);
		int status;
		cr_assert_eq(waitpid(pid, &status, 0), pid);
		cr_assert(WIFSIGNALED(status), "the writer stopped by itself: %#x", status);

		/* Everything it wrote is either unfinished or final, never both,
		 * and the ledger holds each payment once. */
		open_outbox();
		char *db = path_in(dir, OUTBOX_FILE);
		sqlite3 *s;
		cr_assert_eq(sqlite3_open(db, &s), SQLITE_OK);
		sqlite3_stmt *st;
		cr_assert_eq(sqlite3_prepare_v2(s, "SELECT (SELECT count(*) FROM outbox o JOIN ledger l USING (key)),"
		                                   " (SELECT count(*) - count(DISTINCT payment_id) FROM ledger),"
		                                   " (SELECT count(*) FROM ledger)", -1, &st, NULL), SQLITE_OK);
		cr_assert_eq(sqlite3_step(st), SQLITE_ROW);
		cr_assert_eq(sqlite3_column_int(st, 0), 0, "entries both unfinished and final");
		cr_assert_eq(sqlite3_column_int(st, 1), 0, "a payment twice in the ledger");
		cr_assert_gt(sqlite3_column_int(st, 2), 0, "the writer wrote nothing in the time");
		sqlite3_finalize(st);
		sqlite3_close(s);
		free(db);
		close_outbox();
	}
}

/* ---- the listing --------------------------------------------------------------------- */

/* An outbox with one success (receipt printed), one failure, one pending,
 * and a payee that tries to write escape sequences to the terminal. */
static void fill_for_listing(void)
{
	open_outbox();
	struct outbox_entry e;
	new_payment(&water, &e);
	cr_assert_eq(outbox_payment_sent(ob, e.key, "pay-water", NULL), OUTBOX_OK);
	cr_assert_eq(outbox_payment_state(ob, e.key, PAY_SUCCESS, "R-20261203-0001", "2026-12-03T03:01:02Z"),
	             OUTBOX_OK);
	cr_assert_eq(outbox_receipt_claim(ob, e.key), OUTBOX_OK);
	cr_assert_eq(outbox_receipt_done(ob, e.key), OUTBOX_OK);
	outbox_entry_clear(&e);
	struct outbox_payment fine = { .bill_id = "fine-1", .amount_fen = 20000, .payee = "交警支队\x1b[2J\x1b]0;x\x07",
	                               .description = "交通罚款", .account_masked = "京A****5" };
	new_payment(&fine, &e);
	cr_assert_eq(outbox_payment_sent(ob, e.key, "pay-fine", NULL), OUTBOX_OK);
	cr_assert_eq(outbox_payment_state(ob, e.key, PAY_FAILED, NULL, NULL), OUTBOX_OK);
	outbox_entry_clear(&e);
	struct outbox_payment gas_bill = { .bill_id = "gas-1", .amount_fen = 1205, .payee = "燃气公司" };
	new_payment(&gas_bill, &e);
	cr_assert_eq(outbox_payment_sent(ob, e.key, "pay-gas", NULL), OUTBOX_OK);
	cr_assert_eq(outbox_payment_state(ob, e.key, PAY_PENDING, NULL, NULL), OUTBOX_OK);
	outbox_entry_clear(&e);
	close_outbox();
}

static char *line_with(const char *text, const char *needle)
{
	const char *p = strstr(text, needle);
	if (!p)
		return NULL;
	const char *b = p, *e = strchr(p, '\n');
	while (b > text && b[-1] != '\n')
		b--;
	return strndup(b, e ? (size_t)(e - b) : strlen(b));
}

static void check_listing(const char *out)
{
	cr_assert(strstr(out, "payment id"), "no header:\n%s", out);
	char *ok = line_with(out, "pay-water");
	cr_assert(ok, "no success line:\n%s", out);
	cr_assert(strstr(ok, "success") && strstr(ok, "45.60") && strstr(ok, "printed") &&
	          strstr(ok, "R-20261203-0001") && strstr(ok, "北京市自来水集团") && ok[0] != '*', "%s", ok);
	free(ok);
	char *bad = line_with(out, "pay-fine");
	cr_assert(bad && strstr(bad, "failed") && strstr(bad, "200.00") && strstr(bad, "交警支队"), "%s", out);
	free(bad);
	char *open = line_with(out, "pay-gas");
	cr_assert(open && open[0] == '*' && strstr(open, "pending") && strstr(open, "12.05"), "%s", out);
	free(open);
	cr_assert(strstr(out, "2 final, 1 not final"), "%s", out);
	cr_assert_null(strchr(out, '\x1b'), "an escape sequence reached the listing");
	cr_assert_null(strchr(out, '\x07'));
}

static char *ledger_listing(void)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	cr_assert_eq(outbox_ledger_command(dir, f, stderr), 0);
	fclose(f);
	return buf;
}

Test(outbox, the_ledger_listing)
{
	fill_for_listing();
	char *out = ledger_listing();
	check_listing(out);
	free(out);
}

Test(outbox, the_listing_reads_while_the_kiosk_writes)
{
	fill_for_listing();
	open_outbox(); /* the running kiosk */
	struct outbox_entry e;
	new_payment(&water, &e);
	char *out = ledger_listing();
	cr_assert(strstr(out, e.key), "the new entry is not listed:\n%s", out);
	cr_assert(strstr(out, "2 final, 2 not final"), "%s", out);
	free(out);
	/* The kiosk goes on writing: the listing held no lock. */
	cr_assert_eq(outbox_payment_state(ob, e.key, PAY_FAILED, NULL, NULL), OUTBOX_OK);
	outbox_entry_clear(&e);
}

/* The kiosk beside this test binary (build/tests/client -> build/kiosk), or
 * $KIOSK_BIN. */
static const char *kiosk_bin(void)
{
	static char path[PATH_MAX + 16];
	const char *env = getenv("KIOSK_BIN");
	if (env && *env)
		return env;
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	cr_assert_gt(n, 0);
	exe[n] = '\0';
	*strrchr(exe, '/') = '\0';
	snprintf(path, sizeof path, "%s/../kiosk", exe);
	return path;
}

Test(outbox, kiosk_ledger_prints_it_without_gateway_or_terminal)
{
	fill_for_listing();
	char cmd[PATH_MAX * 2 + 100];
	snprintf(cmd, sizeof cmd, "'%s' --config /dev/null --ledger --data-dir '%s' </dev/null 2>&1",
	         kiosk_bin(), dir);
	FILE *p = popen(cmd, "r");
	cr_assert(p);
	char out[16384];
	size_t n = fread(out, 1, sizeof out - 1, p);
	out[n] = '\0';
	int status = pclose(p);
	cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0, "status %#x:\n%s", status, out);
	check_listing(out);
}

Test(outbox, the_ledger_flag_needs_no_gateway)
{
	struct config c;
	char err[256];
	char *argv[] = { "kiosk", "--config", "/dev/null", "--ledger", "--data-dir", "/tmp/somewhere", NULL };
	cr_assert_eq(config_load(&c, 6, argv, err, sizeof err), CONFIG_OK, "%s", err);
	cr_assert(c.ledger);
	cr_assert_str_eq(c.data_dir, "/tmp/somewhere");
	config_free(&c);
	/* Without it, a gateway is still required. */
	char *argv2[] = { "kiosk", "--config", "/dev/null", NULL };
	cr_assert_eq(config_load(&c, 3, argv2, err, sizeof err), CONFIG_ERROR);
	cr_assert(strstr(err, "no gateway"), "%s", err);
	config_free(&c);
}
