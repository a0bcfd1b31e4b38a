/* test_outbox_hall.c: queue tickets and 好差评 ratings in the outbox
 * (suite outbox_hall): a key per ticket press, tickets end once; one
 * rating per subject across the unsent and the ledger; ratings survive a
 * reopen; a delivered rating's comment leaves no byte on disk; pending
 * counts every kind; bad input refused.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "outbox.h"

static char *dir;
static struct outbox *ob;

static void open_ob(void)
{
	char err[512];
	ob = outbox_open(dir, err, sizeof err);
	cr_assert(ob, "outbox_open: %s", err);
}

static void setup(void)
{
	dir = strdup("/tmp/kiosk-outbox-hall-XXXXXX");
	cr_assert(dir && mkdtemp(dir), "mkdtemp: %s", strerror(errno));
	open_ob();
}

static void teardown(void)
{
	outbox_free(ob);
	ob = NULL;
	char cmd[PATH_MAX + 32];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
	free(dir);
}

TestSuite(outbox_hall, .init = setup, .fini = teardown);

static void count_t(void *ud, const struct outbox_ticket *t)
{
	(*(int *)ud)++;
}

Test(outbox_hall, a_key_per_press_and_a_ticket_ends_once)
{
	char k1[IDEM_KEY_SIZE], k2[IDEM_KEY_SIZE];
	cr_assert_eq(outbox_ticket_new(ob, "svc-social-queue", k1), OUTBOX_OK);
	cr_assert_eq(outbox_ticket_new(ob, "svc-social-queue", k2), OUTBOX_OK);
	cr_assert_str_neq(k1, k2);
	cr_assert(uuid_v4_valid(k1));
	cr_assert_eq(outbox_pending_count(ob), 2, "two tickets being taken are pending");
	cr_assert_eq(outbox_ticket_issued(ob, k1, "A001", "3号窗口", "2026-12-03 14:05"), OUTBOX_OK);
	cr_assert_eq(outbox_ticket_issued(ob, k1, "A001", "3号窗口", "2026-12-03 14:05"), OUTBOX_KEPT);
	cr_assert_eq(outbox_ticket_issued(ob, k1, "A002", "3号窗口", NULL), OUTBOX_REFUSED, "another number for the key");
	cr_assert_eq(outbox_ticket_failed(ob, k1), OUTBOX_REFUSED, "issued stands");
	cr_assert_eq(outbox_ticket_failed(ob, k2), OUTBOX_OK);
	cr_assert_eq(outbox_ticket_issued(ob, k2, "A003", "", NULL), OUTBOX_REFUSED, "failed stands");
	cr_assert_eq(outbox_ticket_failed(ob, "no-such-key"), OUTBOX_NOT_FOUND);
	cr_assert_eq(outbox_pending_count(ob), 0);
	int n = 0;
	cr_assert_eq(outbox_tickets_recent(ob, 10, count_t, &n), 2);
	cr_assert_eq(n, 2);
	char big[300];
	memset(big, 'x', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	cr_assert_eq(outbox_ticket_new(ob, "", k1), OUTBOX_REFUSED);
	cr_assert_eq(outbox_ticket_new(ob, big, k1), OUTBOX_REFUSED);
	cr_assert_eq(outbox_ticket_new(ob, "svc", k1), OUTBOX_OK);
	cr_assert_eq(outbox_ticket_issued(ob, k1, "", "w", NULL), OUTBOX_REFUSED, "an empty number");
}

static struct outbox_rating rating(const char *kind, const char *id, int score)
{
	struct outbox_rating r = { .subject_kind = kind, .subject_id = id, .service_id = "svc-social-queue",
	                           .score = score, .tags = "slow,other", .comment = "tai man le" };
	return r;
}

struct seen {
	int n;
	char key[IDEM_KEY_SIZE];
	char tags[64], comment[64];
	int score;
};

static void see(void *ud, const struct outbox_rating *r)
{
	struct seen *s = ud;
	s->n++;
	snprintf(s->key, sizeof s->key, "%s", r->key);
	snprintf(s->tags, sizeof s->tags, "%s", r->tags);
	snprintf(s->comment, sizeof s->comment, "%s", r->comment ? r->comment : "");
	s->score = r->score;
}

Test(outbox_hall, one_rating_per_subject_kept_across_reopen_then_delivered_without_trace)
{
	char k1[IDEM_KEY_SIZE], k2[IDEM_KEY_SIZE];
	struct outbox_rating r = rating("ticket", "A001", 2);
	cr_assert_eq(outbox_rating_new(ob, &r, k1), OUTBOX_OK);
	cr_assert_eq(outbox_rating_new(ob, &r, k2), OUTBOX_KEPT, "a second rating of the same ticket");
	cr_assert_str_eq(k1, k2, "the second is the first");
	struct outbox_rating other = rating("payment_id", "A001", 5);
	cr_assert_eq(outbox_rating_new(ob, &other, k2), OUTBOX_OK, "same id, another kind: another subject");
	cr_assert_str_neq(k1, k2);
	cr_assert_eq(outbox_pending_count(ob), 2);

	outbox_free(ob);
	open_ob();
	struct seen s = { 0 };
	cr_assert_eq(outbox_rating_pending(ob, see, &s), 2);
	cr_assert_eq(outbox_rating_attempt(ob, k1, (long long)time(NULL) + 30), OUTBOX_OK);
	cr_assert_eq(outbox_rating_end(ob, k1, "delivered"), OUTBOX_OK);
	enum outbox_result again = outbox_rating_end(ob, k1, "delivered");
	cr_assert_eq(again, OUTBOX_NOT_FOUND, "ended once: %d %s", again, outbox_error(ob));
	cr_assert_eq(outbox_rating_new(ob, &r, k2), OUTBOX_KEPT, "rated already (in the ledger)");
	cr_assert_str_eq(k1, k2);
	memset(&s, 0, sizeof s);
	cr_assert_eq(outbox_rating_ledger(ob, see, &s), 1);
	cr_assert_str_eq(s.key, k1);
	cr_assert_str_eq(s.comment, "", "the ledger holds no comment");
	cr_assert_eq(outbox_rating_end(ob, s.key, "bogus"), OUTBOX_REFUSED);
	/* The other one still carries its comment until it ends. */
	memset(&s, 0, sizeof s);
	cr_assert_eq(outbox_rating_pending(ob, see, &s), 1);
	cr_assert_str_eq(s.comment, "tai man le");
	cr_assert_str_eq(s.tags, "slow,other");
	cr_assert_eq(s.score, 5);
	cr_assert_eq(outbox_rating_end(ob, s.key, "refused"), OUTBOX_OK);
	outbox_free(ob);
	ob = NULL;
	/* No byte of either comment in the database or its side files. */
	const char *files[] = { "outbox.db", "outbox.db-wal", "outbox.db-shm" };
	for (size_t i = 0; i < 3; i++) {
		char path[PATH_MAX];
		snprintf(path, sizeof path, "%s/%s", dir, files[i]);
		FILE *f = fopen(path, "rb");
		if (!f)
			continue;
		static char buf[1 << 20];
		size_t n = fread(buf, 1, sizeof buf, f);
		fclose(f);
		cr_assert_null(memmem(buf, n, "tai man le", 10), "the comment is still in %s", files[i]);
	}
	open_ob();
}

Test(outbox_hall, bad_ratings_refused)
{
	char k[IDEM_KEY_SIZE];
	struct outbox_rating r = rating("ticket", "A001", 0);
	cr_assert_eq(outbox_rating_new(ob, &r, k), OUTBOX_REFUSED, "score 0");
	r.score = 6;
	cr_assert_eq(outbox_rating_new(ob, &r, k), OUTBOX_REFUSED, "score 6");
	r = rating("citizen", "A001", 3);
	cr_assert_eq(outbox_rating_new(ob, &r, k), OUTBOX_REFUSED, "an unknown kind of subject");
	r = rating("ticket", "", 3);
	cr_assert_eq(outbox_rating_new(ob, &r, k), OUTBOX_REFUSED, "no subject");
	char big[OUTBOX_RATING_MAX_COMMENT + 2];
	memset(big, 'x', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	r = rating("ticket", "A001", 3);
	r.comment = big;
	cr_assert_eq(outbox_rating_new(ob, &r, k), OUTBOX_REFUSED, "a comment too long");
	cr_assert_eq(outbox_pending_count(ob), 0);
}
