/* subq.h: the pure rules of citizens' form submissions in the outbox
 * (kiosk/outbox.c keeps them, kiosk/reconcile.c follows them after a
 * restart): the states a submission goes through, which may follow which,
 * what to do with one given its age and the gateway's answer to
 * `GET /v1/applications/by-key/{key}`, and how long to wait before asking
 * again. No I/O, no clock: times and jitter come from the caller.
 *
 * States:
 *   unsent     written (with its Idempotency-Key), no request sent yet
 *   sending    a POST /v1/applications went out with the key; how it ended
 *              is not known (a crash, a timeout, a dropped connection)
 *   held       the gateway said it never received the key (by-key 404):
 *              kept for the same citizen's next log-in (submit or discard)
 *   delivered  the gateway has it (201 to the POST, or by-key 200)    final
 *   refused    the gateway refused it for good (422 and the like)     final
 *   discarded  its citizen discarded it                               final
 *   dropped    older than SUBQ_MAX_AGE_S, whatever it was             final
 *
 * Never backwards: nothing goes back to unsent, a final state is never
 * left or replaced. The one way "back" is sending <-> held: a held entry
 * its citizen submits again is sending again (with the same key), and a
 * 404 to a sending one holds it. Discarding needs a citizen who saw it,
 * so only unsent and held entries may be discarded: a sending one may
 * have reached the gateway.
 */
#ifndef KIOSK_SUBQ_H
#define KIOSK_SUBQ_H

#include <stdbool.h>

enum subq_state {
	SUBQ_UNSENT,
	SUBQ_SENDING,
	SUBQ_HELD,
	SUBQ_DELIVERED,
	SUBQ_REFUSED,
	SUBQ_DISCARDED,
	SUBQ_DROPPED,
};
#define SUBQ_N_STATES 7

/* Entries older than this are dropped (their answers wiped), whatever
 * their state: a day is long enough to come back, short enough that a
 * kiosk does not keep citizens' answers. */
#define SUBQ_MAX_AGE_S (24LL * 3600)

/* The retry schedule: 1 s, 2 s, 4 s ... never more than 30 s. */
#define SUBQ_BACKOFF_FIRST_MS 1000L
#define SUBQ_BACKOFF_CAP_MS 30000L

/* "unsent", "sending", ... (the outbox's words); "?" for no state. */
const char *subq_state_name(enum subq_state s);
/* The state a word names, or -1. */
int subq_state_parse(const char *word);
/* delivered, refused, discarded, dropped. */
bool subq_final(enum subq_state s);
/* May an entry in state cur be recorded as next? Only a move (never the
 * same state), never away from a final state, never to unsent, and to
 * discarded only from unsent or held. */
bool subq_may_move(enum subq_state cur, enum subq_state next);

/* Older than SUBQ_MAX_AGE_S: age_s > SUBQ_MAX_AGE_S. */
bool subq_expired(long long age_s);

/* The gateway's answer to by-key, classified. */
enum subq_answer {
	SUBQ_FOUND,      /* 2xx with an application the kiosk could read */
	SUBQ_ABSENT,     /* 404 problem details: the key never reached it */
	SUBQ_NO_ANSWER,  /* no answer at all: unreachable, timed out, TLS failed */
	SUBQ_BUSY,       /* 5xx, 408, 429: it may answer later */
	SUBQ_GARBLED,    /* an answer that proves nothing: a 2xx that is not an
	                  * application, a 404 that is not the gateway's problem
	                  * details (a proxy's page), any other status */
};
/* status: the HTTP status, 0 if there was no answer; readable: the body
 * was what the status promises (an application for a 2xx, problem details
 * for an error). */
enum subq_answer subq_answer_of(int status, bool readable);

enum subq_action {
	SUBQ_NOTHING, /* final, or held (waits for its citizen), or the answer
	               * changes nothing */
	SUBQ_ASK,     /* ask the gateway by-key now */
	SUBQ_WAIT,    /* not yet: delay_ms says when to look again */
	SUBQ_DELIVER, /* record it delivered (the answers are wiped) */
	SUBQ_HOLD,    /* record it held, for its citizen's next log-in */
	SUBQ_RETRY,   /* ask again after delay_ms */
	SUBQ_DROP,    /* too old: drop it (the answers are wiped) */
};

struct subq_step {
	enum subq_action action;
	long delay_ms; /* SUBQ_WAIT and SUBQ_RETRY; 0 otherwise */
};

/* Where an entry stands, for subq_plan and subq_decide.
 *   age_s     seconds since it was written
 *   quiet_s   seconds since the kiosk last did something with it (written,
 *             or a request sent with its key)
 *   settle_s  how long a request the kiosk sent may still be on its way or
 *             being handled at the gateway (subq_settle_s): until then a
 *             404 proves nothing, and the screens' own request is not raced */
struct subq_entry {
	enum subq_state state;
	long long age_s, quiet_s, settle_s;
};

/* Before asking: what to do with the entry now. Final: nothing. Too old:
 * drop. Held: nothing (its citizen decides). Unsent or sending, quiet for
 * less than settle_s: wait until it has been (a request may be in flight).
 * Otherwise: ask. */
struct subq_step subq_plan(const struct subq_entry *e);

/* After the by-key answer: what to record. fails is how many lookups of
 * this key failed before (0 for the first), jitter any number from the
 * caller (random: spreads kiosks that retry at once).
 *   too old (whatever the answer)         drop
 *   final                                 nothing
 *   found                                 deliver (held too: the gateway has it)
 *   held, anything else                   nothing (its citizen decides)
 *   absent, quiet for settle_s or more    hold
 *   absent within settle_s                retry when it has settled
 *   no answer, busy                       retry after subq_backoff_ms(fails)
 *   garbled                               retry after the cap (logged: a gateway
 *                                         that answers this will not change soon) */
struct subq_step subq_decide(const struct subq_entry *e, enum subq_answer a, int fails,
                             unsigned jitter);

/* The wait before lookup number fails + 1 (fails >= 0): 1 s doubled per
 * failure, at most SUBQ_BACKOFF_CAP_MS, less up to a quarter of itself by
 * jitter (jitter 0: exactly 1, 2, 4, 8, 16, 30, 30 ... s). Never less than
 * three quarters of the schedule, never more than it. */
long subq_backoff_ms(int fails, unsigned jitter);

/* settle_s for a gateway client that tries n_urls gateways, each for
 * connect_ms to connect and timeout_ms in all (the kiosk's [gateway]
 * settings), plus a margin for a gateway still handling a request the
 * kiosk gave up on. */
long long subq_settle_s(int n_urls, long connect_ms, long timeout_ms);
#define SUBQ_SETTLE_MARGIN_S 30

#endif
