/* subq.c: the rules of submissions in the outbox: which state may follow
 * which, what a by-key answer means for an entry, and the retry schedule
 * (pure: the outbox's SQLite is kiosk/outbox.c, the requests are
 * kiosk/reconcile.c). See subq.h. */
#include "subq.h"

#include <limits.h>
#include <string.h>

static const char *const names[SUBQ_N_STATES] = {
	[SUBQ_UNSENT] = "unsent",       [SUBQ_SENDING] = "sending", [SUBQ_HELD] = "held",
	[SUBQ_DELIVERED] = "delivered", [SUBQ_REFUSED] = "refused", [SUBQ_DISCARDED] = "discarded",
	[SUBQ_DROPPED] = "dropped",
};

static bool valid(int s)
{
	return s >= 0 && s < SUBQ_N_STATES;
}

const char *subq_state_name(enum subq_state s)
{
	return valid((int)s) ? names[s] : "?";
}

int subq_state_parse(const char *word)
{
	for (int i = 0; word && i < SUBQ_N_STATES; i++)
		if (!strcmp(word, names[i]))
			return i;
	return -1;
}

bool subq_final(enum subq_state s)
{
	return s == SUBQ_DELIVERED || s == SUBQ_REFUSED || s == SUBQ_DISCARDED || s == SUBQ_DROPPED;
}

bool subq_may_move(enum subq_state cur, enum subq_state next)
{
	if (!valid((int)cur) || !valid((int)next) || cur == next || subq_final(cur) || next == SUBQ_UNSENT)
		return false;
	if (next == SUBQ_DISCARDED)
		return cur == SUBQ_UNSENT || cur == SUBQ_HELD;
	return true;
}

bool subq_expired(long long age_s)
{
	return age_s > SUBQ_MAX_AGE_S;
}

enum subq_answer subq_answer_of(int status, bool readable)
{
	if (status <= 0)
		return SUBQ_NO_ANSWER;
	if (status >= 200 && status < 300)
		return readable ? SUBQ_FOUND : SUBQ_GARBLED;
	if (status == 404)
		return readable ? SUBQ_ABSENT : SUBQ_GARBLED;
	if (status >= 500 || status == 408 || status == 429)
		return SUBQ_BUSY;
	return SUBQ_GARBLED;
}

long subq_backoff_ms(int fails, unsigned jitter)
{
	long d = SUBQ_BACKOFF_FIRST_MS;
	for (int i = 0; i < fails && d < SUBQ_BACKOFF_CAP_MS; i++)
		d *= 2;
	if (d > SUBQ_BACKOFF_CAP_MS)
		d = SUBQ_BACKOFF_CAP_MS;
	return d - (long)(jitter % (unsigned)(d / 4 + 1));
}

long long subq_settle_s(int n_urls, long connect_ms, long timeout_ms)
{
	if (n_urls < 1)
		n_urls = 1;
	if (connect_ms < 0)
		connect_ms = 0;
	if (timeout_ms < 0)
		timeout_ms = 0;
	/* A connection failure moves the request to the next gateway: each
	 * may take its connect time; the one that answers, its whole time. */
	long long ms = (long long)(n_urls - 1) * connect_ms + timeout_ms;
	return (ms + 999) / 1000 + SUBQ_SETTLE_MARGIN_S;
}

static struct subq_step step(enum subq_action a, long delay_ms)
{
	return (struct subq_step){ a, delay_ms };
}

/* Milliseconds until the entry has been quiet for settle_s (at least 1 s). */
static long until_settled(const struct subq_entry *e)
{
	long long s = e->settle_s - e->quiet_s;
	if (s < 1)
		s = 1;
	if (s > LONG_MAX / 1000)
		s = LONG_MAX / 1000;
	return (long)s * 1000;
}

static bool settled(const struct subq_entry *e)
{
	return e->quiet_s >= e->settle_s;
}

struct subq_step subq_plan(const struct subq_entry *e)
{
	if (subq_final(e->state))
		return step(SUBQ_NOTHING, 0);
	if (subq_expired(e->age_s))
		return step(SUBQ_DROP, 0);
	if (e->state == SUBQ_HELD)
		return step(SUBQ_NOTHING, 0);
	if (!settled(e))
		return step(SUBQ_WAIT, until_settled(e));
	return step(SUBQ_ASK, 0);
}

struct subq_step subq_decide(const struct subq_entry *e, enum subq_answer a, int fails,
                             unsigned jitter)
{
	if (subq_final(e->state))
		return step(SUBQ_NOTHING, 0);
	if (subq_expired(e->age_s))
		return step(SUBQ_DROP, 0);
	if (a == SUBQ_FOUND)
		return step(SUBQ_DELIVER, 0);
	if (e->state == SUBQ_HELD) /* its citizen decides; nothing to retry */
		return step(SUBQ_NOTHING, 0);
	if (fails < 0)
		fails = 0;
	switch (a) {
	case SUBQ_FOUND:
		break;
	case SUBQ_ABSENT:
		/* A request with the key may still be on its way: a 404 now
		 * proves nothing. */
		if (!settled(e))
			return step(SUBQ_RETRY, until_settled(e));
		return step(SUBQ_HOLD, 0);
	case SUBQ_NO_ANSWER:
	case SUBQ_BUSY:
		return step(SUBQ_RETRY, subq_backoff_ms(fails, jitter));
	case SUBQ_GARBLED:
		break;
	}
	return step(SUBQ_RETRY, SUBQ_BACKOFF_CAP_MS - (long)(jitter % (SUBQ_BACKOFF_CAP_MS / 4 + 1)));
}
