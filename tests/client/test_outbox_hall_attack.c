/* test_outbox_hall_attack.c: the outbox's tickets and ratings attacked
 * (suite outbox_hall_attack): a ticket number that comes back the next day
 * is another subject (scr_ticket.c names a ticket by number and the take's
 * key); a reader's callback that ends every rating as it reads (hall.c
 * drops week-old ones so); the limits exactly and one past; what was
 * committed survives a process that dies without closing (SIGKILL);
 * ended entries stay ended.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
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
	dir = strdup("/tmp/kiosk-outbox-hall-attack-XXXXXX");
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

TestSuite(outbox_hall_attack, .init = setup, .fini = teardown);

static struct outbox_rating rating(const char *kind, const char *id, int score)
{
	struct outbox_rating r = { .subject_kind = kind, .subject_id = id, .service_id = "svc-social-queue",
	                           .score = score, .tags = "", .comment = "" };
	return r;
}

/* Yesterday's A003 rated and delivered; today's A003 (another take, another
 * key) is rated too; today's rated twice is one rating. */
Test(outbox_hall_attack, the_same_number_another_day_is_another_subject)
{
	char k1[IDEM_KEY_SIZE], k2[IDEM_KEY_SIZE], k3[IDEM_KEY_SIZE], t1[IDEM_KEY_SIZE], t2[IDEM_KEY_SIZE];
	cr_assert_eq(outbox_ticket_new(ob, "svc-social-queue", t1), OUTBOX_OK);
	cr_assert_eq(outbox_ticket_issued(ob, t1, "A003", "3号窗口", "2026-12-02 09:00"), OUTBOX_OK);
	cr_assert_eq(outbox_ticket_new(ob, "svc-social-queue", t2), OUTBOX_OK);
	cr_assert_eq(outbox_ticket_issued(ob, t2, "A003", "3号窗口", "2026-12-03 09:00"), OUTBOX_OK,
	             "the same number, the next day: %s", outbox_error(ob));
	char s1[80], s2[80];
	snprintf(s1, sizeof s1, "A003#%s", t1);
	snprintf(s2, sizeof s2, "A003#%s", t2);
	struct outbox_rating r1 = rating("ticket", s1, 5), r2 = rating("ticket", s2, 2);
	cr_assert_eq(outbox_rating_new(ob, &r1, k1), OUTBOX_OK);
	cr_assert_eq(outbox_rating_end(ob, k1, "delivered"), OUTBOX_OK);
	cr_assert_eq(outbox_rating_new(ob, &r2, k2), OUTBOX_OK, "today's A003 taken for yesterday's");
	cr_assert_str_neq(k1, k2);
	cr_assert_eq(outbox_rating_new(ob, &r2, k3), OUTBOX_KEPT, "today's rated twice");
	cr_assert_str_eq(k2, k3);
	cr_assert_eq(outbox_pending_count(ob), 1);
}

static void end_each(void *ud, const struct outbox_rating *r)
{
	cr_assert_eq(outbox_rating_end(ud, r->key, "dropped"), OUTBOX_OK, "ending %.8s while reading: %s", r->key,
	             outbox_error(ud));
}

static void count(void *ud, const struct outbox_rating *r)
{
	(*(int *)ud)++;
}

/* hall.c ends (drops) ratings from inside the reader's callback. */
Test(outbox_hall_attack, a_reader_that_ends_every_rating_as_it_reads)
{
	char k[IDEM_KEY_SIZE], id[32];
	for (int i = 0; i < 20; i++) {
		snprintf(id, sizeof id, "PAY%03d", i);
		struct outbox_rating r = rating("payment_id", id, 1 + i % 5);
		cr_assert_eq(outbox_rating_new(ob, &r, k), OUTBOX_OK);
	}
	cr_assert_eq(outbox_rating_pending(ob, end_each, ob), 20);
	int n = 0;
	cr_assert_eq(outbox_rating_pending(ob, count, &n), 0);
	cr_assert_eq(outbox_rating_ledger(ob, count, &n), 20);
	cr_assert_eq(n, 20);
	cr_assert_eq(outbox_pending_count(ob), 0);
}

/* The limits exactly, and one past; what ended stays ended. */
Test(outbox_hall_attack, limits_and_ended_entries)
{
	char k[IDEM_KEY_SIZE];
	/* 200 characters of 4 bytes: the longest comment the screen makes. */
	char comment[OUTBOX_RATING_MAX_COMMENT + 2] = "";
	for (int i = 0; i < 200; i++)
		strcat(comment, "\xf0\x9f\x98\x80");
	struct outbox_rating r = rating("application_id", "APP1", 1);
	r.comment = comment;
	r.tags = "slow,unclear,unfriendly,system,too_many_steps";
	cr_assert_eq(outbox_rating_new(ob, &r, k), OUTBOX_OK, "200 four-byte characters: %s", outbox_error(ob));
	strcat(comment, "x");
	r = rating("application_id", "APP2", 1);
	r.comment = comment;
	cr_assert_eq(outbox_rating_new(ob, &r, k), OUTBOX_REFUSED, "801 bytes");
	char id[160];
	memset(id, 'A', 128);
	id[128] = '\0';
	r = rating("ticket", id, 3);
	cr_assert_eq(outbox_rating_new(ob, &r, k), OUTBOX_OK, "a subject of 128 bytes");
	strcat(id, "A");
	r = rating("ticket", id, 3);
	cr_assert_eq(outbox_rating_new(ob, &r, k), OUTBOX_REFUSED, "129 bytes");
	r = rating("ticket", "A009", 3);
	r.tags = NULL;
	r.comment = NULL;
	r.service_id = "";
	cr_assert_eq(outbox_rating_new(ob, &r, k), OUTBOX_OK, "no tags, no comment, no service");
	cr_assert_eq(outbox_rating_end(ob, k, "refused"), OUTBOX_OK);
	cr_assert_eq(outbox_rating_attempt(ob, k, 0), OUTBOX_NOT_FOUND, "an attempt on an ended rating");
	cr_assert_eq(outbox_rating_end(ob, k, "delivered"), OUTBOX_NOT_FOUND, "ended twice");
	cr_assert_eq(outbox_rating_end(ob, "00000000-0000-4000-8000-000000000000", "delivered"), OUTBOX_NOT_FOUND);
	cr_assert_eq(outbox_rating_new(ob, &r, k), OUTBOX_KEPT, "refused stands: not rated again");

	char t[IDEM_KEY_SIZE], win[1100];
	memset(win, 'w', 1024);
	win[1024] = '\0';
	cr_assert_eq(outbox_ticket_new(ob, "svc", t), OUTBOX_OK);
	cr_assert_eq(outbox_ticket_issued(ob, t, "A1", win, NULL), OUTBOX_OK, "a window of 1024 bytes, no time");
	cr_assert_eq(outbox_ticket_new(ob, "svc", t), OUTBOX_OK);
	strcat(win, "w");
	cr_assert_eq(outbox_ticket_issued(ob, t, "A2", win, NULL), OUTBOX_REFUSED, "1025 bytes");
	cr_assert_eq(outbox_ticket_failed(ob, t), OUTBOX_OK, "still sending after a refused answer");
	cr_assert_eq(outbox_ticket_failed(ob, t), OUTBOX_KEPT, "failed twice: the same");
}

/* A process that records a rating and a ticket and is killed (SIGKILL)
 * before it closes anything: the next one finds both. */
Test(outbox_hall_attack, committed_survives_sigkill)
{
	outbox_free(ob);
	ob = NULL;
	int pfd[2];
	cr_assert_eq(pipe(pfd), 0);
	pid_t pid = fork();
	cr_assert_geq(pid, 0);
	if (pid == 0) {
		char err[256], k[IDEM_KEY_SIZE], t[IDEM_KEY_SIZE];
		struct outbox *o = outbox_open(dir, err, sizeof err);
		struct outbox_rating r = rating("payment_id", "PAY-KILLED", 4);
		r.comment = "killed after this";
		bool ok = o && outbox_rating_new(o, &r, k) == OUTBOX_OK && outbox_ticket_new(o, "svc", t) == OUTBOX_OK;
		if (write(pfd[1], ok ? "y" : "n", 1) != 1)
			_exit(2);
		for (;;)
			pause();
	}
	close(pfd[1]);
	char c = 0;
	cr_assert_eq(read(pfd[0], &c, 1), 1);
	close(pfd[0]);
	kill(pid, SIGKILL);
	int st = 0;
	waitpid(pid, &st, 0);
	cr_assert_eq(c, 'y', "the child could not write");
	open_ob();
	int n = 0;
	cr_assert_eq(outbox_rating_pending(ob, count, &n), 1);
	cr_assert_eq(outbox_pending_count(ob), 2, "the rating and the ticket being taken");
	char k[IDEM_KEY_SIZE];
	struct outbox_rating r = rating("payment_id", "PAY-KILLED", 1);
	cr_assert_eq(outbox_rating_new(ob, &r, k), OUTBOX_KEPT, "the killed one's rating stands");
}
