/* test_outbox_sub.c: citizens' form submissions in the outbox
 * (kiosk/outbox.c, kiosk/seal.c) on a real SQLite file: a key per
 * submission written before it is sent, states that never go back, answers
 * that open only for their citizen (and not when altered or moved to
 * another entry), the key file (made 0600 on first use, refused when others
 * can read it), nothing left in outbox.db, -wal or -shm once a submission
 * ends, 24-hour expiry, the migration from schema 1, restarts and SIGKILL,
 * and the `kiosk --ledger` listing. */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pwd.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "outbox.h"
#include "seal.h"

/* ---- helpers --------------------------------------------------------------- */

static char *dir;
static struct outbox *ob;

static void setup(void)
{
	dir = strdup("/tmp/kiosk-outbox-sub-XXXXXX");
	cr_assert(dir && mkdtemp(dir), "mkdtemp: %s", strerror(errno));
}

static void close_outbox(void)
{
	outbox_free(ob);
	ob = NULL;
}

static void teardown(void)
{
	close_outbox();
	char cmd[PATH_MAX + 32];
	snprintf(cmd, sizeof cmd, "chmod -R u+rwx '%s'; rm -rf '%s'", dir, dir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
	free(dir);
	dir = NULL;
}

TestSuite(outbox_sub, .init = setup, .fini = teardown);

static char *path_in(const char *name)
{
	char *p = NULL;
	cr_assert(asprintf(&p, "%s/%s", dir, name) > 0);
	return p;
}

/* Opens the outbox in dir, closing it first if it is open: a restart. */
static void open_outbox(void)
{
	close_outbox();
	char err[512];
	ob = outbox_open(dir, err, sizeof err);
	cr_assert(ob, "outbox_open: %s", err);
}

/* Two citizens (valid GB 11643 numbers), and the first one's with a lower-case x. */
#define ZHANG "11010519491231002X"
#define ZHANG_LOWER "11010519491231002x"
#define LI "440524188001010014"

#define ANSWER "ZEBRA-7731-纸飞机-answer"
static const char body_zhang[] =
	"{\"service_id\":\"svc-residence\",\"answers\":{\"reason\":\"" ANSWER "\",\"phone\":\"13800138000\"}}";

static const struct outbox_submission residence = {
	.service_id = "svc-residence", .service_name = "居住证办理", .body = body_zhang, .citizen_id = ZHANG,
};

static void new_sub(const struct outbox_submission *s, struct outbox_sub_entry *e)
{
	enum outbox_result r = outbox_sub_new(ob, s, e);
	cr_assert_eq(r, OUTBOX_OK, "outbox_sub_new: %d %s", r, outbox_error(ob));
}

struct got {
	int n;
	char keys[16][IDEM_KEY_SIZE];
	enum subq_state states[16];
	char *bodies[16];
	char *names[16];
};

static void collect(void *ud, const struct outbox_sub_entry *e)
{
	struct got *g = ud;
	if (g->n < 16) {
		memcpy(g->keys[g->n], e->key, IDEM_KEY_SIZE);
		g->states[g->n] = e->state;
		g->bodies[g->n] = e->body ? strdup(e->body) : NULL;
		g->names[g->n] = e->service_name ? strdup(e->service_name) : NULL;
	}
	g->n++;
}

static void got_free(struct got *g)
{
	for (int i = 0; i < g->n && i < 16; i++) {
		free(g->bodies[i]);
		free(g->names[i]);
	}
	memset(g, 0, sizeof *g);
}

static int for_citizen(const char *id, struct got *g)
{
	memset(g, 0, sizeof *g);
	return outbox_sub_for_citizen(ob, id, collect, g);
}

static enum subq_state state_of(const char *key)
{
	struct outbox_sub_entry e;
	cr_assert_eq(outbox_sub_find(ob, key, &e), OUTBOX_OK, "%s: %s", key, outbox_error(ob));
	enum subq_state s = e.state;
	outbox_sub_entry_clear(&e);
	return s;
}

/* A second connection to the file, as staff (or an attacker) would have. */
static sqlite3 *raw_db(void)
{
	char *db = path_in(OUTBOX_FILE);
	sqlite3 *s;
	cr_assert_eq(sqlite3_open(db, &s), SQLITE_OK);
	sqlite3_busy_timeout(s, 2000);
	free(db);
	return s;
}

static void raw_exec(const char *sql)
{
	sqlite3 *s = raw_db();
	char *msg = NULL;
	cr_assert_eq(sqlite3_exec(s, sql, NULL, NULL, &msg), SQLITE_OK, "%s: %s", sql, msg ? msg : "");
	sqlite3_close(s);
}

static long long raw_int(const char *sql)
{
	sqlite3 *s = raw_db();
	sqlite3_stmt *st;
	cr_assert_eq(sqlite3_prepare_v2(s, sql, -1, &st, NULL), SQLITE_OK, "%s", sqlite3_errmsg(s));
	cr_assert_eq(sqlite3_step(st), SQLITE_ROW, "%s", sql);
	long long v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(s);
	return v;
}

/* The whole of a file, or NULL if it is not there. */
static unsigned char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	*len = 0;
	if (!f)
		return NULL;
	size_t cap = 1 << 16;
	unsigned char *buf = malloc(cap);
	size_t got;
	while ((got = fread(buf + *len, 1, cap - *len, f)) > 0) {
		*len += got;
		if (*len == cap)
			buf = realloc(buf, cap *= 2);
	}
	fclose(f);
	return buf;
}

/* Do outbox.db, its -wal or its -shm hold these bytes anywhere? */
static bool files_hold(const void *needle, size_t n)
{
	static const char *const names[] = { OUTBOX_FILE, OUTBOX_FILE "-wal", OUTBOX_FILE "-shm",
	                                     OUTBOX_FILE "-journal" };
	bool found = false;
	for (size_t i = 0; i < sizeof names / sizeof names[0] && !found; i++) {
		char *p = path_in(names[i]);
		size_t len;
		unsigned char *buf = slurp(p, &len);
		found = buf && memmem(buf, len, needle, n) != NULL;
		free(buf);
		free(p);
	}
	return found;
}

static long long file_size(const char *name)
{
	char *p = path_in(name);
	struct stat st;
	long long size = stat(p, &st) == 0 ? (long long)st.st_size : -1;
	free(p);
	return size;
}

/* ---- keys and citizens ------------------------------------------------------------- */

Test(outbox_sub, a_submission_opens_for_its_citizen_only)
{
	open_outbox();
	struct outbox_sub_entry e;
	new_sub(&residence, &e);
	cr_assert(uuid_v4_valid(e.key), "key %s", e.key);
	cr_assert_eq(e.state, SUBQ_UNSENT);
	cr_assert_str_eq(e.service_id, "svc-residence");
	cr_assert_str_eq(e.service_name, "居住证办理");
	cr_assert_null(e.body, "the body is handed out to its citizen only");
	cr_assert_null(e.app_id);
	cr_assert_gt(e.created_at, 0);
	cr_assert_eq(e.attempts, 0);
	cr_assert_not(e.in_ledger);

	struct got g;
	cr_assert_eq(for_citizen(ZHANG, &g), 1, "%s", outbox_error(ob));
	cr_assert_str_eq(g.keys[0], e.key);
	cr_assert_str_eq(g.bodies[0], body_zhang);
	cr_assert_str_eq(g.names[0], "居住证办理");
	cr_assert_eq(g.states[0], SUBQ_UNSENT);
	got_free(&g);
	/* An x check character is an X. */
	cr_assert_eq(for_citizen(ZHANG_LOWER, &g), 1);
	cr_assert_str_eq(g.bodies[0], body_zhang);
	got_free(&g);
	/* Anyone else: nothing, and no error (their "who" does not match, so
	 * nothing of Zhang's is even tried with their key). */
	const char *others[] = { LI, "110105194912310021" /* one digit off */, "", NULL };
	for (size_t i = 0; i < sizeof others / sizeof others[0]; i++) {
		cr_assert_eq(for_citizen(others[i], &g), 0);
		cr_assert_str_eq(outbox_error(ob), "", "%s", others[i] ? others[i] : "NULL");
	}

	/* Being sent: its outcome is not known, so it is not offered. */
	cr_assert_eq(outbox_sub_sending(ob, e.key), OUTBOX_OK);
	cr_assert_eq(for_citizen(ZHANG, &g), 0);
	struct got p = { 0 };
	cr_assert_eq(outbox_sub_pending(ob, collect, &p), 1);
	cr_assert_str_eq(p.keys[0], e.key);
	cr_assert_eq(p.states[0], SUBQ_SENDING);
	cr_assert_null(p.bodies[0], "pending entries come without their bodies");
	got_free(&p);
	outbox_sub_entry_clear(&e);
}

Test(outbox_sub, every_submission_has_its_own_key)
{
	open_outbox();
	/* The same service twice in one session: two applications. */
	struct outbox_sub_entry a, b;
	new_sub(&residence, &a);
	new_sub(&residence, &b);
	cr_assert_str_neq(a.key, b.key);
	struct outbox_submission li = residence;
	li.citizen_id = LI;
	li.body = "{\"service_id\":\"svc-residence\",\"answers\":{\"reason\":\"li\"}}";
	struct outbox_sub_entry c;
	new_sub(&li, &c);
	cr_assert_eq(outbox_sub_pending(ob, NULL, NULL), 3);
	struct got g;
	cr_assert_eq(for_citizen(ZHANG, &g), 2);
	cr_assert_str_eq(g.keys[0], a.key); /* oldest first */
	cr_assert_str_eq(g.keys[1], b.key);
	got_free(&g);
	cr_assert_eq(for_citizen(LI, &g), 1);
	cr_assert_str_eq(g.bodies[0], li.body);
	got_free(&g);
	outbox_sub_entry_clear(&a);
	outbox_sub_entry_clear(&b);
	outbox_sub_entry_clear(&c);
}

Test(outbox_sub, unusable_submissions_are_refused)
{
	open_outbox();
	struct outbox_sub_entry e;
	struct outbox_submission s;
	char *big = malloc(OUTBOX_SUB_MAX_BODY + 2);
	memset(big, 'x', OUTBOX_SUB_MAX_BODY + 1);
	big[OUTBOX_SUB_MAX_BODY + 1] = '\0';
	char long_id[SEAL_ID_MAX + 2];
	memset(long_id, '1', sizeof long_id - 1);
	long_id[sizeof long_id - 1] = '\0';
	const char *bad_ids[] = { NULL, "", "1101 0519491231002X", long_id, "110105194912310\n2X", "身份证" };
	for (size_t i = 0; i < sizeof bad_ids / sizeof bad_ids[0]; i++) {
		s = residence;
		s.citizen_id = bad_ids[i];
		cr_assert_eq(outbox_sub_new(ob, &s, &e), OUTBOX_REFUSED, "id %zu", i);
		cr_assert(strstr(outbox_error(ob), "ID number"), "%s", outbox_error(ob));
	}
	s = residence;
	s.service_id = "";
	cr_assert_eq(outbox_sub_new(ob, &s, &e), OUTBOX_REFUSED);
	s = residence;
	s.body = NULL;
	cr_assert_eq(outbox_sub_new(ob, &s, &e), OUTBOX_REFUSED);
	s.body = "";
	cr_assert_eq(outbox_sub_new(ob, &s, &e), OUTBOX_REFUSED);
	s.body = big;
	cr_assert_eq(outbox_sub_new(ob, &s, &e), OUTBOX_REFUSED);
	cr_assert_eq(outbox_sub_new(ob, NULL, &e), OUTBOX_REFUSED);
	/* At the limit exactly: kept. */
	big[OUTBOX_SUB_MAX_BODY] = '\0';
	cr_assert_eq(outbox_sub_new(ob, &s, &e), OUTBOX_OK, "%s", outbox_error(ob));
	outbox_sub_entry_clear(&e);
	s = residence;
	s.service_name = NULL; /* no name to show: "" */
	new_sub(&s, &e);
	cr_assert_str_eq(e.service_name, "");
	outbox_sub_entry_clear(&e);
	cr_assert_eq(outbox_sub_pending(ob, NULL, NULL), 2);
	free(big);
}

/* ---- states and the ledger ----------------------------------------------------------- */

Test(outbox_sub, delivered_is_final_and_in_the_ledger_once)
{
	open_outbox();
	struct outbox_sub_entry e, got;
	new_sub(&residence, &e);
	cr_assert_eq(outbox_sub_sending(ob, e.key), OUTBOX_OK);
	cr_assert_eq(outbox_sub_sending(ob, e.key), OUTBOX_OK); /* a retry, same key */
	cr_assert_eq(outbox_sub_find(ob, e.key, &got), OUTBOX_OK);
	cr_assert_eq(got.state, SUBQ_SENDING);
	cr_assert_eq(got.attempts, 2);
	cr_assert_gt(got.sent_at, 0);
	cr_assert_null(got.body);
	outbox_sub_entry_clear(&got);

	cr_assert_eq(outbox_sub_delivered(ob, e.key, NULL), OUTBOX_REFUSED);
	cr_assert_eq(outbox_sub_delivered(ob, e.key, ""), OUTBOX_REFUSED);
	char long_id[200];
	memset(long_id, 'a', sizeof long_id - 1);
	long_id[sizeof long_id - 1] = '\0';
	cr_assert_eq(outbox_sub_delivered(ob, e.key, long_id), OUTBOX_REFUSED);
	cr_assert_eq(state_of(e.key), SUBQ_SENDING);

	cr_assert_eq(outbox_sub_delivered(ob, e.key, "app-1001"), OUTBOX_OK, "%s", outbox_error(ob));
	cr_assert_eq(outbox_sub_delivered(ob, e.key, "app-1001"), OUTBOX_KEPT); /* a repeat */
	cr_assert_eq(outbox_sub_delivered(ob, e.key, "app-9999"), OUTBOX_REFUSED);
	cr_assert_eq(outbox_sub_held(ob, e.key), OUTBOX_KEPT);
	cr_assert_eq(outbox_sub_refused(ob, e.key), OUTBOX_REFUSED);
	cr_assert(strstr(outbox_error(ob), "delivered stands"), "%s", outbox_error(ob));
	cr_assert_eq(outbox_sub_discard(ob, e.key), OUTBOX_REFUSED);
	cr_assert_eq(outbox_sub_sending(ob, e.key), OUTBOX_REFUSED, "a delivered submission is never sent again");

	open_outbox();
	cr_assert_eq(outbox_sub_find(ob, e.key, &got), OUTBOX_OK);
	cr_assert_eq(got.state, SUBQ_DELIVERED);
	cr_assert(got.in_ledger);
	cr_assert_str_eq(got.app_id, "app-1001");
	cr_assert_str_eq(got.service_id, "svc-residence");
	cr_assert_null(got.service_name, "the ledger keeps the service's id only");
	cr_assert_eq(got.attempts, 2);
	cr_assert_geq(got.final_at, got.created_at);
	outbox_sub_entry_clear(&got);
	cr_assert_eq(outbox_sub_pending(ob, NULL, NULL), 0);
	struct got g = { 0 };
	cr_assert_eq(outbox_sub_ledger(ob, collect, &g), 1);
	cr_assert_eq(g.states[0], SUBQ_DELIVERED);
	got_free(&g);
	cr_assert_eq(for_citizen(ZHANG, &g), 0);

	/* One application id is one key. */
	struct outbox_sub_entry f;
	new_sub(&residence, &f);
	cr_assert_eq(outbox_sub_delivered(ob, f.key, "app-1001"), OUTBOX_REFUSED);
	cr_assert(strstr(outbox_error(ob), "another submission"), "%s", outbox_error(ob));
	cr_assert_eq(state_of(f.key), SUBQ_UNSENT);

	/* Unknown keys. */
	const char *nokey = "00000000-0000-4000-8000-000000000000";
	cr_assert_eq(outbox_sub_sending(ob, nokey), OUTBOX_NOT_FOUND);
	cr_assert_eq(outbox_sub_delivered(ob, nokey, "app-2"), OUTBOX_NOT_FOUND);
	cr_assert_eq(outbox_sub_refused(ob, nokey), OUTBOX_NOT_FOUND);
	cr_assert_eq(outbox_sub_held(ob, nokey), OUTBOX_NOT_FOUND);
	cr_assert_eq(outbox_sub_discard(ob, nokey), OUTBOX_NOT_FOUND);
	cr_assert_eq(outbox_sub_find(ob, nokey, &got), OUTBOX_NOT_FOUND);
	outbox_sub_entry_clear(&got);
	outbox_sub_entry_clear(&e);
	outbox_sub_entry_clear(&f);
}

Test(outbox_sub, held_is_offered_then_sent_again_or_discarded)
{
	open_outbox();
	struct outbox_sub_entry a, b;
	new_sub(&residence, &a);
	new_sub(&residence, &b);
	cr_assert_eq(outbox_sub_sending(ob, a.key), OUTBOX_OK);
	cr_assert_eq(outbox_sub_sending(ob, b.key), OUTBOX_OK);
	/* Being sent: never discarded (it may be at the gateway). */
	cr_assert_eq(outbox_sub_discard(ob, a.key), OUTBOX_REFUSED);
	cr_assert(strstr(outbox_error(ob), "reached the gateway"), "%s", outbox_error(ob));
	/* By key, the gateway never got them: held. */
	cr_assert_eq(outbox_sub_held(ob, a.key), OUTBOX_OK);
	cr_assert_eq(outbox_sub_held(ob, a.key), OUTBOX_KEPT);
	cr_assert_eq(outbox_sub_held(ob, b.key), OUTBOX_OK);

	struct got g;
	cr_assert_eq(for_citizen(ZHANG, &g), 2);
	cr_assert_eq(g.states[0], SUBQ_HELD);
	cr_assert_str_eq(g.bodies[0], body_zhang);
	got_free(&g);

	/* The citizen submits a again (same key), and discards b. */
	cr_assert_eq(outbox_sub_sending(ob, a.key), OUTBOX_OK);
	cr_assert_eq(state_of(a.key), SUBQ_SENDING);
	cr_assert_eq(outbox_sub_delivered(ob, a.key, "app-7"), OUTBOX_OK);
	cr_assert_eq(outbox_sub_discard(ob, b.key), OUTBOX_OK);
	cr_assert_eq(outbox_sub_discard(ob, b.key), OUTBOX_KEPT);
	cr_assert_eq(outbox_sub_sending(ob, b.key), OUTBOX_REFUSED);
	cr_assert_eq(outbox_sub_delivered(ob, b.key, "app-8"), OUTBOX_REFUSED, "discarded stands");
	cr_assert(strstr(outbox_error(ob), "discarded stands"), "%s", outbox_error(ob));
	cr_assert_eq(state_of(b.key), SUBQ_DISCARDED);
	cr_assert_eq(for_citizen(ZHANG, &g), 0);
	cr_assert_eq(outbox_sub_pending(ob, NULL, NULL), 0);

	/* An unsent one may be discarded at once. */
	struct outbox_sub_entry c;
	new_sub(&residence, &c);
	cr_assert_eq(outbox_sub_discard(ob, c.key), OUTBOX_OK);
	outbox_sub_entry_clear(&a);
	outbox_sub_entry_clear(&b);
	outbox_sub_entry_clear(&c);
}

Test(outbox_sub, refused_ends_it)
{
	open_outbox();
	struct outbox_sub_entry e;
	new_sub(&residence, &e);
	cr_assert_eq(outbox_sub_sending(ob, e.key), OUTBOX_OK);
	cr_assert_eq(outbox_sub_refused(ob, e.key), OUTBOX_OK);
	cr_assert_eq(outbox_sub_refused(ob, e.key), OUTBOX_KEPT);
	cr_assert_eq(outbox_sub_delivered(ob, e.key, "app-1"), OUTBOX_REFUSED);
	cr_assert_eq(state_of(e.key), SUBQ_REFUSED);
	struct got g;
	cr_assert_eq(for_citizen(ZHANG, &g), 0);
	outbox_sub_entry_clear(&e);
}

static void discard_in_callback(void *ud, const struct outbox_sub_entry *e)
{
	int *n = ud;
	cr_assert_not_null(e->body);
	cr_assert_eq(outbox_sub_discard(ob, e->key), OUTBOX_OK, "%s", outbox_error(ob));
	(*n)++;
}

Test(outbox_sub, the_callback_may_write)
{
	open_outbox();
	struct outbox_sub_entry a, b;
	new_sub(&residence, &a);
	new_sub(&residence, &b);
	int n = 0;
	cr_assert_eq(outbox_sub_for_citizen(ob, ZHANG, discard_in_callback, &n), 2);
	cr_assert_eq(n, 2);
	cr_assert_eq(outbox_sub_pending(ob, NULL, NULL), 0);
	outbox_sub_entry_clear(&a);
	outbox_sub_entry_clear(&b);
}

Test(outbox_sub, held_entries_survive_a_restart)
{
	open_outbox();
	struct outbox_sub_entry e;
	new_sub(&residence, &e);
	cr_assert_eq(outbox_sub_sending(ob, e.key), OUTBOX_OK);
	cr_assert_eq(outbox_sub_held(ob, e.key), OUTBOX_OK);
	close_outbox();

	open_outbox();
	struct got g;
	cr_assert_eq(for_citizen(ZHANG, &g), 1, "%s", outbox_error(ob));
	cr_assert_str_eq(g.keys[0], e.key);
	cr_assert_eq(g.states[0], SUBQ_HELD);
	cr_assert_str_eq(g.bodies[0], body_zhang);
	got_free(&g);
	cr_assert_eq(for_citizen(LI, &g), 0);
	outbox_sub_entry_clear(&e);
}

/* ---- expiry --------------------------------------------------------------------------- */

Test(outbox_sub, a_day_old_is_dropped_whatever_its_state)
{
	open_outbox();
	struct outbox_sub_entry u, s, h;
	new_sub(&residence, &u);
	new_sub(&residence, &s);
	new_sub(&residence, &h);
	cr_assert_eq(outbox_sub_sending(ob, s.key), OUTBOX_OK);
	cr_assert_eq(outbox_sub_sending(ob, h.key), OUTBOX_OK);
	cr_assert_eq(outbox_sub_held(ob, h.key), OUTBOX_OK);
	long long t = u.created_at > h.created_at ? u.created_at : h.created_at;
	long long first = u.created_at < h.created_at ? u.created_at : h.created_at;
	cr_assert_eq(outbox_sub_expire(ob, first), 0);
	cr_assert_eq(outbox_sub_expire(ob, first + SUBQ_MAX_AGE_S), 0, "a day exactly is not older");
	cr_assert_eq(outbox_sub_expire(ob, t + SUBQ_MAX_AGE_S + 1), 3, "%s", outbox_error(ob));
	cr_assert_eq(outbox_sub_expire(ob, t + SUBQ_MAX_AGE_S + 1), 0);
	cr_assert_eq(outbox_sub_pending(ob, NULL, NULL), 0);
	struct got g = { 0 };
	cr_assert_eq(outbox_sub_ledger(ob, collect, &g), 3);
	for (int i = 0; i < 3; i++)
		cr_assert_eq(g.states[i], SUBQ_DROPPED);
	got_free(&g);
	struct outbox_sub_entry got;
	cr_assert_eq(outbox_sub_find(ob, s.key, &got), OUTBOX_OK);
	cr_assert_eq(got.final_at, t + SUBQ_MAX_AGE_S + 1, "final at the clock it was given");
	outbox_sub_entry_clear(&got);
	/* Dropped stands. */
	cr_assert_eq(outbox_sub_delivered(ob, s.key, "app-late"), OUTBOX_REFUSED);
	cr_assert(strstr(outbox_error(ob), "dropped stands"), "%s", outbox_error(ob));
	cr_assert_eq(outbox_sub_sending(ob, u.key), OUTBOX_REFUSED);
	outbox_sub_entry_clear(&u);
	outbox_sub_entry_clear(&s);
	outbox_sub_entry_clear(&h);
}

Test(outbox_sub, a_day_old_is_never_offered_even_before_it_is_dropped)
{
	open_outbox();
	struct outbox_sub_entry old, fresh;
	new_sub(&residence, &old);
	new_sub(&residence, &fresh);
	char sql[200];
	snprintf(sql, sizeof sql, "UPDATE subs SET created_at = created_at - %lld WHERE key = '%s'",
	         SUBQ_MAX_AGE_S + 5, old.key);
	raw_exec(sql);
	struct got g;
	cr_assert_eq(for_citizen(ZHANG, &g), 1);
	cr_assert_str_eq(g.keys[0], fresh.key);
	got_free(&g);
	cr_assert_eq(outbox_sub_expire(ob, (long long)time(NULL)), 1);
	cr_assert_eq(state_of(old.key), SUBQ_DROPPED);
	cr_assert_eq(state_of(fresh.key), SUBQ_UNSENT);
	outbox_sub_entry_clear(&old);
	outbox_sub_entry_clear(&fresh);
}

/* ---- the key file ------------------------------------------------------------------------ */

Test(outbox_sub, the_key_file_is_made_0600_at_the_first_submission)
{
	mode_t old = umask(0);
	open_outbox();
	char *key = path_in(SEAL_KEY_FILE);
	struct stat st;
	cr_assert_neq(stat(key, &st), 0, "a kiosk that took no submission has no key file");
	struct got g;
	cr_assert_eq(for_citizen(ZHANG, &g), 0, "no key: nothing to open, no error");
	cr_assert_neq(stat(key, &st), 0, "looking made a key file");
	struct outbox_payment fee = { .amount_fen = 1000, .payee = "出入境管理局" };
	struct outbox_entry pe;
	cr_assert_eq(outbox_payment_new(ob, &fee, &pe), OUTBOX_OK);
	outbox_entry_clear(&pe);
	cr_assert_neq(stat(key, &st), 0, "a payment made a key file");

	struct outbox_sub_entry e;
	new_sub(&residence, &e);
	umask(old);
	cr_assert_eq(lstat(key, &st), 0);
	cr_assert(S_ISREG(st.st_mode));
	cr_assert_eq(st.st_mode & 07777, 0600, "mode %o", st.st_mode & 07777);
	cr_assert_eq(st.st_size, SEAL_SECRET_SIZE);
	cr_assert_eq(st.st_uid, geteuid());
	/* No temporary file left beside it. */
	char cmd[PATH_MAX + 64];
	snprintf(cmd, sizeof cmd, "ls -a '%s' | grep -q 'outbox.key-'", dir);
	cr_assert_neq(system(cmd), 0, "a temporary key file was left");
	size_t len;
	unsigned char *k1 = slurp(key, &len);
	/* The same secret after a restart. */
	open_outbox();
	new_sub(&residence, &e);
	unsigned char *k2 = slurp(key, &len);
	cr_assert_eq(memcmp(k1, k2, SEAL_SECRET_SIZE), 0, "the key file was replaced");
	cr_assert_eq(for_citizen(ZHANG, &g), 2);
	got_free(&g);
	free(k1);
	free(k2);
	free(key);
	outbox_sub_entry_clear(&e);
}

/* A submission is made (and the key file with it), then `how` is done to
 * the key file; a restarted kiosk must refuse it with `want` in the error,
 * and still take payments. */
static void key_file_refused(void (*how)(const char *path), const char *want)
{
	open_outbox();
	struct outbox_sub_entry e;
	new_sub(&residence, &e);
	outbox_sub_entry_clear(&e);
	close_outbox();
	char *key = path_in(SEAL_KEY_FILE);
	how(key);
	open_outbox();
	cr_assert_eq(outbox_sub_new(ob, &residence, &e), OUTBOX_ERROR, "took a submission");
	cr_assert(strstr(outbox_error(ob), want), "error [%s] lacks [%s]", outbox_error(ob), want);
	cr_assert(strstr(outbox_error(ob), key), "error [%s] names no file", outbox_error(ob));
	struct got g;
	cr_assert_eq(for_citizen(ZHANG, &g), -1);
	cr_assert(strstr(outbox_error(ob), want), "%s", outbox_error(ob));
	cr_assert_eq(outbox_sub_pending(ob, NULL, NULL), 1, "the entry is still there");
	struct outbox_payment fee = { .amount_fen = 1000, .payee = "出入境管理局" };
	struct outbox_entry pe;
	cr_assert_eq(outbox_payment_new(ob, &fee, &pe), OUTBOX_OK, "payments stopped too: %s", outbox_error(ob));
	outbox_entry_clear(&pe);
	free(key);
}

static void world_readable(const char *p) { cr_assert_eq(chmod(p, 0644), 0); }
static void group_readable(const char *p) { cr_assert_eq(chmod(p, 0640), 0); }
static void world_writable(const char *p) { cr_assert_eq(chmod(p, 0602), 0); }

Test(outbox_sub, a_key_file_others_can_read_is_refused)
{
	key_file_refused(world_readable, "other users can read it (mode 0644): refused");
	/* Not tightened behind the staff's back: still 0644. */
	char *key = path_in(SEAL_KEY_FILE);
	struct stat st;
	cr_assert_eq(stat(key, &st), 0);
	cr_assert_eq(st.st_mode & 07777, 0644);
	free(key);
	struct outbox_sub_entry e;
	cr_assert_eq(outbox_sub_new(ob, &residence, &e), OUTBOX_ERROR);
	cr_assert(strstr(outbox_error(ob), "chmod 600"), "%s", outbox_error(ob));
}

Test(outbox_sub, a_group_readable_key_file_is_refused)
{
	key_file_refused(group_readable, "mode 0640");
}

Test(outbox_sub, a_key_file_others_can_write_is_refused)
{
	key_file_refused(world_writable, "mode 0602");
}

static void replaced_by_link(const char *p)
{
	char *elsewhere = path_in("elsewhere.key");
	cr_assert_eq(rename(p, elsewhere), 0);
	cr_assert_eq(symlink(elsewhere, p), 0);
	free(elsewhere);
}

Test(outbox_sub, a_key_file_that_is_a_link_is_refused)
{
	key_file_refused(replaced_by_link, "symbolic link");
}

static void grown(const char *p)
{
	int fd = open(p, O_WRONLY | O_APPEND);
	cr_assert_geq(fd, 0);
	cr_assert_eq(write(fd, "x", 1), 1);
	close(fd);
}

static void emptied(const char *p) { cr_assert_eq(truncate(p, 0), 0); }

Test(outbox_sub, a_key_file_of_the_wrong_size_is_refused)
{
	key_file_refused(grown, "damaged (33 bytes");
}

Test(outbox_sub, an_empty_key_file_is_refused)
{
	key_file_refused(emptied, "damaged (0 bytes");
}

static void given_away(const char *p)
{
	struct passwd *pw = getpwnam("nobody");
	cr_assert_eq(chown(p, pw ? pw->pw_uid : 65534, pw ? pw->pw_gid : 65534), 0);
}

Test(outbox_sub, a_key_file_of_another_user_is_refused)
{
	if (geteuid() != 0)
		cr_skip_test("needs root to give the file away");
	key_file_refused(given_away, "belongs to another user");
}

Test(outbox_sub, another_key_file_opens_nothing)
{
	open_outbox();
	struct outbox_sub_entry e;
	new_sub(&residence, &e);
	close_outbox();
	/* The database copied to a kiosk with another secret (or the key file
	 * lost and made again): the answers do not open there. */
	char *key = path_in(SEAL_KEY_FILE);
	cr_assert_eq(unlink(key), 0);
	open_outbox();
	struct outbox_sub_entry f;
	new_sub(&residence, &f); /* a new key file */
	struct got g;
	cr_assert_eq(for_citizen(ZHANG, &g), 1);
	cr_assert_str_eq(g.keys[0], f.key);
	got_free(&g);
	free(key);
	outbox_sub_entry_clear(&e);
	outbox_sub_entry_clear(&f);
}

/* ---- altered on disk ----------------------------------------------------------------------- */

Test(outbox_sub, an_altered_seal_is_passed_over)
{
	open_outbox();
	struct outbox_sub_entry a, b;
	new_sub(&residence, &a);
	new_sub(&residence, &b);
	/* One bit of a's ciphertext flipped, as anyone who can write the file could. */
	char sql[300];
	sqlite3 *s = raw_db();
	sqlite3_stmt *st;
	snprintf(sql, sizeof sql, "SELECT sealed FROM subs WHERE key = '%s'", a.key);
	cr_assert_eq(sqlite3_prepare_v2(s, sql, -1, &st, NULL), SQLITE_OK);
	cr_assert_eq(sqlite3_step(st), SQLITE_ROW);
	int n = sqlite3_column_bytes(st, 0);
	unsigned char *blob = malloc((size_t)n);
	memcpy(blob, sqlite3_column_blob(st, 0), (size_t)n);
	sqlite3_finalize(st);
	blob[n / 2] ^= 0x01;
	cr_assert_eq(sqlite3_prepare_v2(s, "UPDATE subs SET sealed = ?1 WHERE key = ?2", -1, &st, NULL), SQLITE_OK);
	sqlite3_bind_blob(st, 1, blob, n, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, a.key, -1, SQLITE_TRANSIENT);
	cr_assert_eq(sqlite3_step(st), SQLITE_DONE);
	sqlite3_finalize(st);
	/* And one bit of b's tag (its last bytes). */
	snprintf(sql, sizeof sql, "SELECT sealed FROM subs WHERE key = '%s'", b.key);
	cr_assert_eq(sqlite3_prepare_v2(s, sql, -1, &st, NULL), SQLITE_OK);
	cr_assert_eq(sqlite3_step(st), SQLITE_ROW);
	int m = sqlite3_column_bytes(st, 0);
	unsigned char *blob2 = malloc((size_t)m);
	memcpy(blob2, sqlite3_column_blob(st, 0), (size_t)m);
	sqlite3_finalize(st);
	blob2[m - 1] ^= 0x80;
	cr_assert_eq(sqlite3_prepare_v2(s, "UPDATE subs SET sealed = ?1 WHERE key = ?2", -1, &st, NULL), SQLITE_OK);
	sqlite3_bind_blob(st, 1, blob2, m, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, b.key, -1, SQLITE_TRANSIENT);
	cr_assert_eq(sqlite3_step(st), SQLITE_DONE);
	sqlite3_finalize(st);
	sqlite3_close(s);
	free(blob);
	free(blob2);

	struct got g;
	cr_assert_eq(for_citizen(ZHANG, &g), 0, "an altered seal opened");
	cr_assert(strstr(outbox_error(ob), "2 of this citizen's submissions did not open"), "%s", outbox_error(ob));
	/* They are still followed (by key they need no answers) and end as usual. */
	cr_assert_eq(outbox_sub_pending(ob, NULL, NULL), 2);
	cr_assert_eq(outbox_sub_discard(ob, a.key), OUTBOX_OK);
	outbox_sub_entry_clear(&a);
	outbox_sub_entry_clear(&b);
}

Test(outbox_sub, a_seal_moved_to_another_entry_does_not_open)
{
	open_outbox();
	struct outbox_sub_entry a, b;
	new_sub(&residence, &a);
	struct outbox_submission other = residence;
	other.body = "{\"service_id\":\"svc-residence\",\"answers\":{\"reason\":\"the second\"}}";
	new_sub(&other, &b);
	/* a's whole seal (salt, who, nonce, ciphertext) copied over b's: the
	 * citizen matches, but the additional data (the key) is b's. */
	char sql[400];
	snprintf(sql, sizeof sql,
	         "UPDATE subs SET (salt, who, nonce, sealed) = (SELECT salt, who, nonce, sealed FROM subs "
	         "WHERE key = '%s') WHERE key = '%s'",
	         a.key, b.key);
	raw_exec(sql);
	struct got g;
	cr_assert_eq(for_citizen(ZHANG, &g), 1);
	cr_assert_str_eq(g.keys[0], a.key, "the moved seal opened under %s", g.keys[0]);
	cr_assert_str_eq(g.bodies[0], body_zhang);
	got_free(&g);
	/* The keys swapped instead: neither opens. */
	snprintf(sql, sizeof sql,
	         "UPDATE subs SET key = 'tmp' WHERE key = '%s'; UPDATE subs SET key = '%s' WHERE key = '%s'; "
	         "UPDATE subs SET key = '%s' WHERE key = 'tmp'",
	         a.key, a.key, b.key, b.key);
	raw_exec(sql);
	cr_assert_eq(for_citizen(ZHANG, &g), 1, "only b's row (holding a's seal under a's key now) opens");
	got_free(&g);
	/* Another citizen's "who" over a: not theirs, not opened for them. */
	cr_assert_eq(for_citizen(LI, &g), 0);
	outbox_sub_entry_clear(&a);
	outbox_sub_entry_clear(&b);
}

/* ---- nothing left behind ------------------------------------------------------------------- */

/* Ends a submission in each of the four ways; after each, no byte of its
 * answers, salt, "who", nonce or ciphertext is anywhere in the files. */
enum ending { END_DELIVERED, END_REFUSED, END_DISCARDED, END_DROPPED };

static void leaves_no_trace(enum ending how)
{
	open_outbox();
	/* A body large enough for overflow pages, with a distinctive answer. */
	size_t big = 12000;
	char *body = malloc(big + 200);
	int n = snprintf(body, big + 200, "{\"service_id\":\"svc-residence\",\"answers\":{\"reason\":\"%s\",\"more\":\"",
	                 ANSWER);
	for (size_t i = 0; i < big; i++)
		body[n++] = (char)('a' + (i * 7) % 26);
	strcpy(body + n, "\"}}");
	struct outbox_submission s = residence;
	s.body = body;
	struct outbox_sub_entry e, other;
	new_sub(&s, &e);
	new_sub(&residence, &other); /* another one stays */
	cr_assert_eq(outbox_sub_sending(ob, e.key), OUTBOX_OK);

	/* What the row holds, read as anyone with the file could. */
	unsigned char salt[16], who[32], nonce[12], chunk[64];
	sqlite3 *db = raw_db();
	sqlite3_stmt *st;
	cr_assert_eq(sqlite3_prepare_v2(db, "SELECT salt, who, nonce, sealed FROM subs WHERE key = ?1", -1, &st, NULL),
	             SQLITE_OK);
	sqlite3_bind_text(st, 1, e.key, -1, SQLITE_TRANSIENT);
	cr_assert_eq(sqlite3_step(st), SQLITE_ROW);
	memcpy(salt, sqlite3_column_blob(st, 0), sizeof salt);
	memcpy(who, sqlite3_column_blob(st, 1), sizeof who);
	memcpy(nonce, sqlite3_column_blob(st, 2), sizeof nonce);
	cr_assert_gt(sqlite3_column_bytes(st, 3), 10000);
	memcpy(chunk, (const unsigned char *)sqlite3_column_blob(st, 3) + 5000, sizeof chunk); /* an overflow page's */
	sqlite3_finalize(st);
	sqlite3_close(db);

	/* The plaintext never reaches the files; the seal does, until the end. */
	cr_assert_not(files_hold(ANSWER, strlen(ANSWER)), "an answer reached the disk unsealed");
	cr_assert_not(files_hold(ZHANG, strlen(ZHANG)), "the ID number reached the disk");
	cr_assert(files_hold(salt, sizeof salt), "the test cannot find the salt it looks for");
	cr_assert(files_hold(chunk, sizeof chunk), "the test cannot find the ciphertext it looks for");

	switch (how) {
	case END_DELIVERED:
		cr_assert_eq(outbox_sub_delivered(ob, e.key, "app-42"), OUTBOX_OK, "%s", outbox_error(ob));
		break;
	case END_REFUSED:
		cr_assert_eq(outbox_sub_refused(ob, e.key), OUTBOX_OK, "%s", outbox_error(ob));
		break;
	case END_DISCARDED:
		cr_assert_eq(outbox_sub_held(ob, e.key), OUTBOX_OK);
		cr_assert_eq(outbox_sub_discard(ob, e.key), OUTBOX_OK, "%s", outbox_error(ob));
		break;
	case END_DROPPED:
		cr_assert_eq(outbox_sub_expire(ob, e.created_at + SUBQ_MAX_AGE_S + 1), 2, "%s", outbox_error(ob));
		break;
	}
	/* While the kiosk still runs (the outbox open): nothing. */
	cr_assert_not(files_hold(salt, sizeof salt), "the salt is still on disk");
	cr_assert_not(files_hold(who, sizeof who), "the citizen's HMAC is still on disk");
	cr_assert_not(files_hold(nonce, sizeof nonce), "the nonce is still on disk");
	cr_assert_not(files_hold(chunk, sizeof chunk), "the ciphertext is still on disk");
	cr_assert_not(files_hold(ANSWER, strlen(ANSWER)));
	cr_assert_eq(file_size(OUTBOX_FILE "-wal"), 0, "the -wal was not truncated");
	/* The ledger row is there, and the other entry still opens. */
	struct outbox_sub_entry got;
	cr_assert_eq(outbox_sub_find(ob, e.key, &got), OUTBOX_OK);
	cr_assert(got.in_ledger);
	outbox_sub_entry_clear(&got);
	if (how != END_DROPPED) {
		struct got g;
		cr_assert_eq(for_citizen(ZHANG, &g), 1);
		cr_assert_str_eq(g.keys[0], other.key);
		got_free(&g);
	}
	close_outbox();
	cr_assert_not(files_hold(chunk, sizeof chunk));
	cr_assert_not(files_hold(salt, sizeof salt));
	free(body);
	outbox_sub_entry_clear(&e);
	outbox_sub_entry_clear(&other);
}

Test(outbox_sub, delivered_leaves_no_trace_in_the_files)
{
	leaves_no_trace(END_DELIVERED);
}

Test(outbox_sub, refused_leaves_no_trace_in_the_files)
{
	leaves_no_trace(END_REFUSED);
}

Test(outbox_sub, discarded_leaves_no_trace_in_the_files)
{
	leaves_no_trace(END_DISCARDED);
}

Test(outbox_sub, dropped_leaves_no_trace_in_the_files)
{
	leaves_no_trace(END_DROPPED);
}

Test(outbox_sub, a_reader_holding_the_log_delays_the_wipe_only)
{
	open_outbox();
	struct outbox_sub_entry e;
	new_sub(&residence, &e);
	unsigned char salt[16];
	sqlite3 *db = raw_db();
	sqlite3_stmt *st;
	cr_assert_eq(sqlite3_prepare_v2(db, "SELECT salt FROM subs WHERE key = ?1", -1, &st, NULL), SQLITE_OK);
	sqlite3_bind_text(st, 1, e.key, -1, SQLITE_TRANSIENT);
	cr_assert_eq(sqlite3_step(st), SQLITE_ROW);
	memcpy(salt, sqlite3_column_blob(st, 0), sizeof salt);
	sqlite3_finalize(st);
	/* `kiosk --ledger` in the middle of reading: a snapshot held open. */
	cr_assert_eq(sqlite3_exec(db, "BEGIN; SELECT count(*) FROM subs;", NULL, NULL, NULL), SQLITE_OK);
	cr_assert_eq(outbox_sub_delivered(ob, e.key, "app-1"), OUTBOX_OK, "%s", outbox_error(ob));
	cr_assert_eq(state_of(e.key), SUBQ_DELIVERED);
	cr_assert_eq(sqlite3_exec(db, "COMMIT", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	/* The next pass (expiry at start-up or in the periodic reconcile) finishes it. */
	cr_assert_eq(outbox_sub_expire(ob, (long long)time(NULL)), 0);
	cr_assert_not(files_hold(salt, sizeof salt), "the salt is still on disk");
	cr_assert_eq(file_size(OUTBOX_FILE "-wal"), 0);
	outbox_sub_entry_clear(&e);
}

/* ---- the schema ------------------------------------------------------------------------------ */

Test(outbox_sub, an_outbox_of_schema_1_keeps_its_payments)
{
	/* An outbox as the previous kiosk left it: migration 0 -> 1 only (it
	 * is never edited), with payments in both tables. */
	open_outbox();
	struct outbox_payment water = { .bill_id = "bill-water-1", .amount_fen = 4560, .payee = "北京市自来水集团",
	                                .description = "水费", .account_masked = "3101****0467" };
	struct outbox_payment gas = { .bill_id = "bill-gas-1", .amount_fen = 100, .payee = "燃气" };
	struct outbox_entry w, g;
	cr_assert_eq(outbox_payment_new(ob, &water, &w), OUTBOX_OK);
	cr_assert_eq(outbox_payment_sent(ob, w.key, "pay-1", NULL), OUTBOX_OK);
	cr_assert_eq(outbox_payment_new(ob, &gas, &g), OUTBOX_OK);
	cr_assert_eq(outbox_payment_state(ob, g.key, PAY_SUCCESS, "R-1", NULL), OUTBOX_OK);
	close_outbox();
	raw_exec("DROP TABLE subs; DROP TABLE sub_ledger; DROP TABLE tickets; DROP TABLE ratings; "
	         "DROP TABLE rating_ledger; PRAGMA user_version = 1;");
	cr_assert_eq(raw_int("PRAGMA user_version"), 1);
	cr_assert_eq(raw_int("SELECT count(*) FROM sqlite_master WHERE name LIKE 'sub%'"), 0);

	open_outbox();
	cr_assert_eq(raw_int("PRAGMA user_version"), 3);
	struct outbox_entry got;
	cr_assert_eq(outbox_find(ob, w.key, &got), OUTBOX_OK);
	cr_assert_eq(got.state, PAY_CREATED);
	cr_assert_str_eq(got.payment_id, "pay-1");
	cr_assert_str_eq(got.payee, "北京市自来水集团");
	outbox_entry_clear(&got);
	cr_assert_eq(outbox_find(ob, g.key, &got), OUTBOX_OK);
	cr_assert(got.in_ledger);
	cr_assert_eq(got.state, PAY_SUCCESS);
	outbox_entry_clear(&got);
	cr_assert_eq(outbox_unfinished(ob, NULL, NULL), 1);
	cr_assert_eq(outbox_ledger(ob, NULL, NULL), 1);
	/* The payment goes on, and submissions work. */
	cr_assert_eq(outbox_payment_state(ob, w.key, PAY_SUCCESS, "R-2", NULL), OUTBOX_OK);
	struct outbox_sub_entry e;
	new_sub(&residence, &e);
	cr_assert_eq(outbox_sub_delivered(ob, e.key, "app-1"), OUTBOX_OK);
	outbox_sub_entry_clear(&e);
	/* And a schema 3 outbox opens as it is. */
	open_outbox();
	cr_assert_eq(raw_int("PRAGMA user_version"), 3);
	cr_assert_eq(outbox_sub_ledger(ob, NULL, NULL), 1);
	outbox_entry_clear(&w);
	outbox_entry_clear(&g);
}

Test(outbox_sub, a_schema_from_a_newer_kiosk_is_still_refused)
{
	open_outbox();
	close_outbox();
	raw_exec("PRAGMA user_version = 4");
	char err[512] = "";
	ob = outbox_open(dir, err, sizeof err);
	cr_assert_null(ob);
	cr_assert(strstr(err, "newer kiosk") && strstr(err, "up to 3"), "%s", err);
}

/* ---- SIGKILL ----------------------------------------------------------------------------------- */

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

static void send_then_die(int wr)
{
	struct outbox_sub_entry e;
	if (outbox_sub_new(ob, &residence, &e) != OUTBOX_OK || outbox_sub_sending(ob, e.key) != OUTBOX_OK)
		_exit(2);
	/* The POST would go out now: the kiosk dies instead. */
	if (write(wr, e.key, IDEM_KEY_SIZE) != IDEM_KEY_SIZE)
		_exit(3);
	raise(SIGKILL);
}

Test(outbox_sub, a_submission_being_sent_survives_sigkill)
{
	int rd;
	pid_t pid = fork_writer(send_then_die, &rd);
	char key[IDEM_KEY_SIZE] = "";
	cr_assert_eq(read(rd, key, sizeof key), (ssize_t)sizeof key);
	close(rd);
	int status;
	cr_assert_eq(waitpid(pid, &status, 0), pid);
	cr_assert(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL, "status %#x", status);

	open_outbox();
	struct got p = { 0 };
	cr_assert_eq(outbox_sub_pending(ob, collect, &p), 1);
	cr_assert_str_eq(p.keys[0], key);
	cr_assert_eq(p.states[0], SUBQ_SENDING, "the restart must ask the gateway first");
	got_free(&p);
	struct got g;
	cr_assert_eq(for_citizen(ZHANG, &g), 0, "offered before the gateway was asked");
	/* The gateway never got it: held, and its citizen gets it back whole. */
	cr_assert_eq(outbox_sub_held(ob, key), OUTBOX_OK);
	cr_assert_eq(for_citizen(ZHANG, &g), 1);
	cr_assert_str_eq(g.bodies[0], body_zhang);
	got_free(&g);
}

/* Writes submissions as fast as it can until it is killed, telling the
 * parent each key once outbox_sub_new returned. */
static void submit_until_killed(int wr)
{
	for (int i = 0;; i++) {
		struct outbox_sub_entry e;
		if (outbox_sub_new(ob, &residence, &e) != OUTBOX_OK)
			_exit(2);
		if (write(wr, e.key, IDEM_KEY_SIZE) != IDEM_KEY_SIZE)
			_exit(3);
		outbox_sub_sending(ob, e.key);
		char app[48];
		snprintf(app, sizeof app, "app-%d-%d", getpid(), i);
		if (i % 3 == 0)
			outbox_sub_held(ob, e.key);
		else
			outbox_sub_delivered(ob, e.key, app);
		outbox_sub_entry_clear(&e);
	}
}

Test(outbox_sub, sigkill_at_any_moment_loses_and_doubles_nothing)
{
	for (int round = 0; round < 4; round++) {
		int rd;
		pid_t pid = fork_writer(submit_until_killed, &rd);
		char keys[64][IDEM_KEY_SIZE];
		int n = 0;
		while (n < 3 && read(rd, keys[n], IDEM_KEY_SIZE) == IDEM_KEY_SIZE)
			n++;
		cr_assert_eq(n, 3, "the writer died early");
		struct timespec ts = { 0, (1 + 5 * round) * 1000000L };
		nanosleep(&ts, NULL);
		kill(pid, SIGKILL);
		while (n < 64 && read(rd, keys[n], IDEM_KEY_SIZE) == IDEM_KEY_SIZE)
			n++;
		close(rd);
		int status;
		cr_assert_eq(waitpid(pid, &status, 0), pid);
		cr_assert(WIFSIGNALED(status), "the writer stopped by itself: %#x", status);

		open_outbox();
		/* Never both unfinished and final, an application id once. */
		cr_assert_eq(raw_int("SELECT count(*) FROM subs JOIN sub_ledger USING (key)"), 0);
		cr_assert_eq(raw_int("SELECT count(*) - count(DISTINCT app_id) FROM sub_ledger WHERE app_id IS NOT NULL"),
		             0);
		/* Every key the writer was told about is there, exactly once. */
		for (int i = 0; i < n; i++) {
			struct outbox_sub_entry e;
			cr_assert_eq(outbox_sub_find(ob, keys[i], &e), OUTBOX_OK, "round %d: key %d of %d lost", round, i, n);
			outbox_sub_entry_clear(&e);
		}
		/* What is unfinished opens whole for its citizen. */
		struct got g;
		int held = for_citizen(ZHANG, &g);
		cr_assert_geq(held, 0, "%s", outbox_error(ob));
		for (int i = 0; i < held && i < 16; i++)
			cr_assert_str_eq(g.bodies[i], body_zhang);
		got_free(&g);
		cr_assert_str_eq(outbox_error(ob), "", "an entry did not open after the kill");
		close_outbox();
	}
}

/* ---- the listing -------------------------------------------------------------------------------- */

Test(outbox_sub, the_ledger_lists_submissions_without_anything_personal)
{
	open_outbox();
	struct outbox_sub_entry a, b, c;
	new_sub(&residence, &a);
	cr_assert_eq(outbox_sub_sending(ob, a.key), OUTBOX_OK);
	cr_assert_eq(outbox_sub_delivered(ob, a.key, "APP-20261203-0007"), OUTBOX_OK);
	new_sub(&residence, &b);
	cr_assert_eq(outbox_sub_sending(ob, b.key), OUTBOX_OK);
	cr_assert_eq(outbox_sub_held(ob, b.key), OUTBOX_OK);
	struct outbox_submission evil = residence;
	evil.service_id = "svc-\x1b[2J-evil";
	new_sub(&evil, &c);
	close_outbox();

	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);
	cr_assert_eq(outbox_ledger_command(dir, f, stderr), 0);
	fclose(f);
	cr_assert(strstr(out, "0 final, 0 not final"), "the payments' part changed:\n%s", out);
	cr_assert(strstr(out, "Submissions:"), "%s", out);
	const char *l = strstr(out, "APP-20261203-0007");
	cr_assert(l, "%s", out);
	const char *bol = l;
	while (bol > out && bol[-1] != '\n')
		bol--;
	cr_assert(bol[0] != '*' && strstr(bol, "delivered") < strchr(bol, '\n') && strstr(bol, a.key) < strchr(bol, '\n'),
	          "%s", out);
	l = strstr(out, b.key);
	cr_assert(l, "%s", out);
	bol = l;
	while (bol > out && bol[-1] != '\n')
		bol--;
	cr_assert(bol[0] == '*' && strstr(bol, "held") < strchr(bol, '\n'), "%s", out);
	cr_assert(strstr(out, "submissions: 1 final, 2 not final"), "%s", out);
	cr_assert(strstr(out, "svc-residence"), "%s", out);
	/* Nothing personal, nothing for the terminal. */
	cr_assert_null(strstr(out, ANSWER));
	cr_assert_null(strstr(out, "13800138000"));
	cr_assert_null(strstr(out, ZHANG));
	cr_assert_null(strstr(out, "居住证办理"), "the service's name is not listed, its id is");
	cr_assert_null(strchr(out, '\x1b'));
	free(out);
	/* The listing made no key file either way, and reads without one. */
	outbox_sub_entry_clear(&a);
	outbox_sub_entry_clear(&b);
	outbox_sub_entry_clear(&c);
}

Test(outbox_sub, a_payments_only_listing_is_unchanged)
{
	open_outbox();
	struct outbox_payment fee = { .amount_fen = 1000, .payee = "出入境管理局" };
	struct outbox_entry pe;
	cr_assert_eq(outbox_payment_new(ob, &fee, &pe), OUTBOX_OK);
	outbox_entry_clear(&pe);
	close_outbox();
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);
	cr_assert_eq(outbox_ledger_command(dir, f, stderr), 0);
	fclose(f);
	cr_assert_null(strstr(out, "Submissions"), "%s", out);
	cr_assert(strstr(out, "0 final, 1 not final"), "%s", out);
	free(out);
	char *key = path_in(SEAL_KEY_FILE);
	cr_assert_neq(access(key, F_OK), 0, "the listing made a key file");
	free(key);
}
