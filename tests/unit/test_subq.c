/* test_subq.c: the rules of submissions in the outbox (kiosk/core/subq.c):
 * which state may follow which (every pair, and random walks: never back
 * to unsent, a final state stays), what each by-key answer means for an
 * entry of every state, age and quietness, the retry schedule and its
 * jitter, and how long a request may still be on its way. */
#include <criterion/criterion.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "subq.h"

#define U SUBQ_UNSENT
#define S SUBQ_SENDING
#define H SUBQ_HELD
#define DL SUBQ_DELIVERED
#define RF SUBQ_REFUSED
#define DC SUBQ_DISCARDED
#define DR SUBQ_DROPPED

static const enum subq_state all[SUBQ_N_STATES] = { U, S, H, DL, RF, DC, DR };

/* ---- states ---------------------------------------------------------------------- */

Test(subq, state_names_round_trip)
{
	const char *want[SUBQ_N_STATES] = { "unsent", "sending", "held", "delivered", "refused", "discarded",
	                                    "dropped" };
	for (int i = 0; i < SUBQ_N_STATES; i++) {
		cr_assert_str_eq(subq_state_name(all[i]), want[i]);
		cr_assert_eq(subq_state_parse(want[i]), (int)all[i]);
	}
	cr_assert_str_eq(subq_state_name((enum subq_state)SUBQ_N_STATES), "?");
	cr_assert_str_eq(subq_state_name((enum subq_state)-1), "?");
	const char *bad[] = { NULL, "", "Held", "sent", "delivered ", "unknown", "?" };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		cr_assert_eq(subq_state_parse(bad[i]), -1, "%s", bad[i] ? bad[i] : "NULL");
}

Test(subq, the_final_states)
{
	bool want[SUBQ_N_STATES] = { false, false, false, true, true, true, true };
	for (int i = 0; i < SUBQ_N_STATES; i++)
		cr_assert_eq(subq_final(all[i]), want[i], "%s", subq_state_name(all[i]));
}

/* Every pair, written out (not derived from the rule it checks). */
Test(subq, which_state_may_follow_which)
{
	/*                 to: U  S  H  DL RF DC DR     from: */
	static const bool want[SUBQ_N_STATES][SUBQ_N_STATES] = {
		{ 0, 1, 1, 1, 1, 1, 1 }, /* unsent: anything; discarded too (never sent) */
		{ 0, 0, 1, 1, 1, 0, 1 }, /* sending: not discarded (it may be at the gateway) */
		{ 0, 1, 0, 1, 1, 1, 1 }, /* held: sent again, or any end */
		{ 0, 0, 0, 0, 0, 0, 0 }, /* delivered */
		{ 0, 0, 0, 0, 0, 0, 0 }, /* refused */
		{ 0, 0, 0, 0, 0, 0, 0 }, /* discarded */
		{ 0, 0, 0, 0, 0, 0, 0 }, /* dropped */
	};
	for (int c = 0; c < SUBQ_N_STATES; c++)
		for (int n = 0; n < SUBQ_N_STATES; n++)
			cr_assert_eq(subq_may_move(all[c], all[n]), want[c][n], "%s -> %s", subq_state_name(all[c]),
			             subq_state_name(all[n]));
	/* Not states at all. */
	cr_assert_not(subq_may_move((enum subq_state)99, S));
	cr_assert_not(subq_may_move(U, (enum subq_state)99));
	cr_assert_not(subq_may_move(U, (enum subq_state)-1));
}

/* unsent 0, sending and held 1, final 2: never lower. */
static int rank(enum subq_state s)
{
	return s == U ? 0 : subq_final(s) ? 2 : 1;
}

Test(subq, random_walks_never_go_back_and_finals_stay)
{
	srand(11);
	int finals = 0, sh_cycles = 0;
	for (int walk = 0; walk < 20000; walk++) {
		enum subq_state cur = U;
		enum subq_state first_final = (enum subq_state)-1;
		int len = 1 + rand() % 30;
		for (int i = 0; i < len; i++) {
			/* Any state, and now and then something that is none. */
			int pick = rand() % (SUBQ_N_STATES + 1);
			enum subq_state next = pick == SUBQ_N_STATES ? (enum subq_state)(rand() % 1000 - 500) : all[pick];
			bool ok = subq_may_move(cur, next);
			if (!ok)
				continue;
			cr_assert(next >= U && next <= DR, "moved to a state that is none: %d", next);
			cr_assert_geq(rank(next), rank(cur), "%s -> %s went back", subq_state_name(cur),
			              subq_state_name(next));
			cr_assert_not(subq_final(cur), "%s was left", subq_state_name(cur));
			cr_assert_neq(next, U);
			cr_assert_neq(next, cur);
			if (next == DC)
				cr_assert(cur == U || cur == H, "discarded from %s", subq_state_name(cur));
			if ((cur == S && next == H) || (cur == H && next == S))
				sh_cycles++;
			cur = next;
			if (subq_final(cur) && (int)first_final < 0)
				first_final = cur;
		}
		if ((int)first_final >= 0) {
			finals++;
			cr_assert_eq(cur, first_final, "final %s replaced by %s", subq_state_name(first_final),
			             subq_state_name(cur));
			/* and nothing at all may follow it */
			for (int n = 0; n < SUBQ_N_STATES; n++)
				cr_assert_not(subq_may_move(cur, all[n]));
		}
	}
	cr_assert_gt(finals, 10000, "the walks hardly ever ended (%d)", finals);
	cr_assert_gt(sh_cycles, 100, "sending <-> held never walked (%d)", sh_cycles);
}

Test(subq, every_unfinished_state_can_end)
{
	/* Whatever happens, an unfinished entry can always be dropped: nothing
	 * is kept for ever. */
	for (int c = 0; c < SUBQ_N_STATES; c++)
		if (!subq_final(all[c]))
			cr_assert(subq_may_move(all[c], DR), "%s cannot be dropped", subq_state_name(all[c]));
}

/* ---- age ---------------------------------------------------------------------------- */

Test(subq, older_than_a_day)
{
	cr_assert_eq(SUBQ_MAX_AGE_S, 86400);
	cr_assert_not(subq_expired(0));
	cr_assert_not(subq_expired(-5)); /* a clock set back: not expired */
	cr_assert_not(subq_expired(86399));
	cr_assert_not(subq_expired(86400));
	cr_assert(subq_expired(86401));
	cr_assert(subq_expired(LLONG_MAX));
}

/* ---- answers ------------------------------------------------------------------------ */

Test(subq, answers_classified)
{
	struct {
		int status;
		bool readable;
		enum subq_answer want;
	} t[] = {
		{ 0, false, SUBQ_NO_ANSWER },   { 0, true, SUBQ_NO_ANSWER },   { -1, false, SUBQ_NO_ANSWER },
		{ 200, true, SUBQ_FOUND },      { 201, true, SUBQ_FOUND },     { 299, true, SUBQ_FOUND },
		{ 200, false, SUBQ_GARBLED },   { 204, false, SUBQ_GARBLED },  { 404, true, SUBQ_ABSENT },
		{ 404, false, SUBQ_GARBLED }, /* an HTML 404 from a proxy proves nothing */
		{ 500, true, SUBQ_BUSY },       { 502, false, SUBQ_BUSY },     { 503, true, SUBQ_BUSY },
		{ 599, false, SUBQ_BUSY },      { 408, true, SUBQ_BUSY },      { 429, true, SUBQ_BUSY },
		{ 400, true, SUBQ_GARBLED },    { 401, true, SUBQ_GARBLED },   { 403, true, SUBQ_GARBLED },
		{ 405, true, SUBQ_GARBLED },    { 409, true, SUBQ_GARBLED },   { 410, true, SUBQ_GARBLED },
		{ 422, true, SUBQ_GARBLED },    { 100, true, SUBQ_GARBLED },   { 301, true, SUBQ_GARBLED },
		{ 304, true, SUBQ_GARBLED },    { 199, true, SUBQ_GARBLED },   { 300, true, SUBQ_GARBLED },
	};
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
		cr_assert_eq(subq_answer_of(t[i].status, t[i].readable), t[i].want, "%d %s", t[i].status,
		             t[i].readable ? "readable" : "unreadable");
}

/* ---- the retry schedule ----------------------------------------------------------------- */

Test(subq, backoff_doubles_to_the_cap)
{
	long want[] = { 1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000 };
	for (int i = 0; i < (int)(sizeof want / sizeof want[0]); i++)
		cr_assert_eq(subq_backoff_ms(i, 0), want[i], "after %d failures", i);
	cr_assert_eq(subq_backoff_ms(-3, 0), 1000);
	cr_assert_eq(subq_backoff_ms(1000, 0), 30000);
	cr_assert_eq(subq_backoff_ms(INT_MAX, 0), 30000);
}

Test(subq, backoff_jitter_stays_within_a_quarter)
{
	srand(5);
	for (int fails = 0; fails < 40; fails++) {
		long d = subq_backoff_ms(fails, 0);
		long lo = d, hi = 0;
		for (int k = 0; k < 5000; k++) {
			unsigned j = k == 0 ? UINT_MAX : k == 1 ? 0 : (unsigned)rand() * 2654435761u;
			long x = subq_backoff_ms(fails, j);
			cr_assert_leq(x, d, "fails %d jitter %u: %ld over %ld", fails, j, x, d);
			cr_assert_geq(x * 4, d * 3, "fails %d jitter %u: %ld under 3/4 of %ld", fails, j, x, d);
			cr_assert_leq(x, SUBQ_BACKOFF_CAP_MS);
			cr_assert_geq(x, 750);
			lo = x < lo ? x : lo;
			hi = x > hi ? x : hi;
		}
		cr_assert_lt(lo, hi, "fails %d: the jitter changes nothing", fails);
		if (fails > 0) /* the schedule never shrinks */
			cr_assert_geq(d, subq_backoff_ms(fails - 1, 0));
	}
}

Test(subq, settle_time_covers_every_gateway_tried)
{
	/* The defaults: one gateway, 3 s to connect, 10 s in all. */
	cr_assert_eq(subq_settle_s(1, 3000, 10000), 10 + SUBQ_SETTLE_MARGIN_S);
	/* Two: the first may take its connect time before the second answers. */
	cr_assert_eq(subq_settle_s(2, 3000, 10000), 13 + SUBQ_SETTLE_MARGIN_S);
	cr_assert_eq(subq_settle_s(8, 60000, 300000), 720 + SUBQ_SETTLE_MARGIN_S);
	cr_assert_eq(subq_settle_s(1, 3000, 10001), 11 + SUBQ_SETTLE_MARGIN_S); /* rounded up */
	cr_assert_eq(subq_settle_s(0, 3000, 10000), 10 + SUBQ_SETTLE_MARGIN_S);
	cr_assert_eq(subq_settle_s(-2, -1, -1), SUBQ_SETTLE_MARGIN_S);
}

/* ---- before asking ------------------------------------------------------------------------ */

static struct subq_entry entry(enum subq_state s, long long age, long long quiet)
{
	return (struct subq_entry){ s, age, quiet, 40 };
}

Test(subq, plan_for_every_state)
{
	for (int i = 0; i < SUBQ_N_STATES; i++) {
		enum subq_state s = all[i];
		struct subq_entry fresh = entry(s, 100, 100), young = entry(s, 10, 10), old = entry(s, 86401, 86401);
		struct subq_step p = subq_plan(&fresh), y = subq_plan(&young), o = subq_plan(&old);
		if (subq_final(s)) {
			cr_assert_eq(p.action, SUBQ_NOTHING, "%s", subq_state_name(s));
			cr_assert_eq(y.action, SUBQ_NOTHING);
			cr_assert_eq(o.action, SUBQ_NOTHING, "a final %s is dropped", subq_state_name(s));
			continue;
		}
		cr_assert_eq(o.action, SUBQ_DROP, "%s a day old", subq_state_name(s));
		if (s == H) {
			cr_assert_eq(p.action, SUBQ_NOTHING, "held: its citizen decides");
			cr_assert_eq(y.action, SUBQ_NOTHING);
		} else {
			cr_assert_eq(p.action, SUBQ_ASK, "%s settled", subq_state_name(s));
			cr_assert_eq(p.delay_ms, 0);
			cr_assert_eq(y.action, SUBQ_WAIT, "%s within its settle time", subq_state_name(s));
			cr_assert_eq(y.delay_ms, 30000, "%ld", y.delay_ms);
		}
	}
}

Test(subq, plan_boundaries)
{
	struct subq_entry e = entry(S, 1000, 40);
	cr_assert_eq(subq_plan(&e).action, SUBQ_ASK); /* quiet for exactly the settle time */
	e.quiet_s = 39;
	cr_assert_eq(subq_plan(&e).action, SUBQ_WAIT);
	cr_assert_eq(subq_plan(&e).delay_ms, 1000);
	e.quiet_s = -100; /* a clock set back: waits the settle time and more, never 0 */
	cr_assert_eq(subq_plan(&e).action, SUBQ_WAIT);
	cr_assert_eq(subq_plan(&e).delay_ms, 140000);
	e = entry(U, 86400, 86400);
	cr_assert_eq(subq_plan(&e).action, SUBQ_ASK); /* a day exactly: not yet dropped */
	e.age_s = 86401;
	cr_assert_eq(subq_plan(&e).action, SUBQ_DROP);
	e = entry(S, 86401, 0); /* sent a moment ago, written a day ago: dropped all the same */
	cr_assert_eq(subq_plan(&e).action, SUBQ_DROP);
}

/* ---- after the answer ---------------------------------------------------------------------- */

Test(subq, decide_for_every_state_and_answer)
{
	const enum subq_answer answers[] = { SUBQ_FOUND, SUBQ_ABSENT, SUBQ_NO_ANSWER, SUBQ_BUSY, SUBQ_GARBLED };
	for (int i = 0; i < SUBQ_N_STATES; i++) {
		enum subq_state s = all[i];
		for (size_t k = 0; k < sizeof answers / sizeof answers[0]; k++) {
			enum subq_answer a = answers[k];
			struct subq_entry settled = entry(s, 500, 500), young = entry(s, 500, 5), old = entry(s, 90000, 500);
			struct subq_step st = subq_decide(&settled, a, 0, 0), sy = subq_decide(&young, a, 0, 0),
			                 so = subq_decide(&old, a, 0, 0);
			const char *what = subq_state_name(s);
			if (subq_final(s)) {
				cr_assert_eq(st.action, SUBQ_NOTHING, "%s, answer %d", what, a);
				cr_assert_eq(sy.action, SUBQ_NOTHING);
				cr_assert_eq(so.action, SUBQ_NOTHING);
				continue;
			}
			cr_assert_eq(so.action, SUBQ_DROP, "%s a day old, answer %d", what, a);
			enum subq_action want, want_young;
			long delay = 0, delay_young = 0;
			switch (a) {
			case SUBQ_FOUND:
				want = want_young = SUBQ_DELIVER;
				break;
			case SUBQ_ABSENT:
				want = s == H ? SUBQ_NOTHING : SUBQ_HOLD;
				want_young = s == H ? SUBQ_NOTHING : SUBQ_RETRY;
				delay_young = s == H ? 0 : 35000; /* until it has settled */
				break;
			case SUBQ_NO_ANSWER:
			case SUBQ_BUSY:
				want = want_young = s == H ? SUBQ_NOTHING : SUBQ_RETRY;
				delay = delay_young = s == H ? 0 : 1000;
				break;
			default:
				want = want_young = s == H ? SUBQ_NOTHING : SUBQ_RETRY;
				delay = delay_young = s == H ? 0 : SUBQ_BACKOFF_CAP_MS;
				break;
			}
			cr_assert_eq(st.action, want, "%s settled, answer %d: %d", what, a, st.action);
			cr_assert_eq(st.delay_ms, delay, "%s settled, answer %d: %ld ms", what, a, st.delay_ms);
			cr_assert_eq(sy.action, want_young, "%s young, answer %d: %d", what, a, sy.action);
			cr_assert_eq(sy.delay_ms, delay_young, "%s young, answer %d: %ld ms", what, a, sy.delay_ms);
		}
	}
}

Test(subq, retries_follow_the_schedule)
{
	struct subq_entry e = entry(S, 500, 500);
	long want[] = { 1000, 2000, 4000, 8000, 16000, 30000, 30000 };
	for (int f = 0; f < 7; f++) {
		cr_assert_eq(subq_decide(&e, SUBQ_NO_ANSWER, f, 0).delay_ms, want[f]);
		cr_assert_eq(subq_decide(&e, SUBQ_BUSY, f, 0).delay_ms, want[f]);
		cr_assert_eq(subq_decide(&e, SUBQ_NO_ANSWER, f, 12345).delay_ms, subq_backoff_ms(f, 12345));
		/* garbled: the cap at once, whatever the count */
		long g = subq_decide(&e, SUBQ_GARBLED, f, 777).delay_ms;
		cr_assert(g <= SUBQ_BACKOFF_CAP_MS && g * 4 >= SUBQ_BACKOFF_CAP_MS * 3, "%ld", g);
	}
	cr_assert_eq(subq_decide(&e, SUBQ_NO_ANSWER, -7, 0).delay_ms, 1000);
	/* A value that is no answer is taken as one that proves nothing. */
	cr_assert_eq(subq_decide(&e, (enum subq_answer)77, 0, 0).action, SUBQ_RETRY);
	cr_assert_eq(subq_decide(&e, (enum subq_answer)77, 0, 0).delay_ms, SUBQ_BACKOFF_CAP_MS);
}

/* Random entries and answers: the decision's promises, whatever the mix. */
Test(subq, random_decisions_keep_their_promises)
{
	srand(23);
	for (int n = 0; n < 200000; n++) {
		struct subq_entry e = {
			all[rand() % SUBQ_N_STATES],
			(long long)(rand() % 200000) - 1000,
			(long long)(rand() % 400) - 50,
			rand() % 800,
		};
		enum subq_answer a = (enum subq_answer)(rand() % 5);
		int fails = rand() % 50;
		unsigned j = (unsigned)rand();
		struct subq_step st = subq_decide(&e, a, fails, j);
		bool final = subq_final(e.state), old = e.age_s > SUBQ_MAX_AGE_S;
		/* Delivered only on FOUND; held only on a settled 404 of an unsent or sending one. */
		cr_assert_eq(st.action == SUBQ_DELIVER, !final && !old && a == SUBQ_FOUND);
		cr_assert_eq(st.action == SUBQ_HOLD,
		             !final && !old && a == SUBQ_ABSENT && e.state != H && e.quiet_s >= e.settle_s);
		cr_assert_eq(st.action == SUBQ_DROP, !final && old);
		cr_assert(st.action != SUBQ_ASK && st.action != SUBQ_WAIT);
		if (final)
			cr_assert_eq(st.action, SUBQ_NOTHING);
		if (st.action == SUBQ_RETRY) {
			cr_assert_gt(st.delay_ms, 0);
			cr_assert_leq(st.delay_ms, SUBQ_BACKOFF_CAP_MS > (e.settle_s + 50) * 1000 ? SUBQ_BACKOFF_CAP_MS
			                                                                         : (e.settle_s + 50) * 1000);
			cr_assert_neq(e.state, H, "a held entry is never asked about again");
		} else {
			cr_assert_eq(st.delay_ms, 0);
		}
		/* The plan asks only what can be decided. */
		struct subq_step p = subq_plan(&e);
		if (p.action == SUBQ_ASK)
			cr_assert(!final && !old && e.state != H && e.quiet_s >= e.settle_s);
		if (p.action == SUBQ_WAIT)
			cr_assert(p.delay_ms >= 1000 && e.quiet_s < e.settle_s);
	}
}
