/* reconcile.c: unfinished payments and form submissions followed to their
 * end, in the background, by the app (no screen owns these requests).
 *
 * A payment screen follows its own payment while it is shown; this takes
 * over for the others: after a restart, or when the citizen left the
 * screen. The requests' state lives in fixed tables (no allocation that a
 * shut-down could leave behind); the outbox is the truth, read again at
 * every pass.
 *
 * Submissions: every pass first drops those older than a day
 * (outbox_sub_expire), then asks the gateway about each unsent or sending
 * one by its key (GET /v1/applications/by-key/{key}: X-Kiosk-Id, no
 * citizen) and records what subq_decide says: delivered (200), held for
 * its citizen's next log-in (404), asked again after a backoff (no answer,
 * 5xx: 1, 2, 4 ... 30 s, with jitter). Two rules keep this from racing the
 * screens, with no call from them:
 *  - an entry is asked about only once it has been quiet for subq_settle_s
 *    (the longest a request of the kiosk can live, with a margin): while
 *    the screens' own request may be in flight, nothing is asked, and a
 *    404 that could precede it proves nothing (subq.h);
 *  - nothing is asked while a citizen is logged in: gw_get sends the
 *    session's token, and another citizen's token has no business on a
 *    lookup of someone's submission (the endpoint wants none). Start-up,
 *    when the kiosk has lost every token, is the case this is for.
 * A screen that gives up on a submission (its request cancelled or timed
 * out) calls reconcile_kick, so a pass comes when the entry has settled.
 */
#include "reconcile.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "app.h"
#include "log.h"
#include "loop.h"
#include "outbox.h"
#include "pay.h"
#include "receipt.h"
#include "session.h"
#include "subq.h"
#include "ui.h"

#define SLOTS 16

struct slot {
	bool busy;
	bool create;     /* a create sent again (no payment id yet) */
	struct app *a;
	char key[IDEM_KEY_SIZE];
};

static struct slot slots[SLOTS];
static long long timer, timer_due_ms;
static const char owner; /* the requests' owner */

static void schedule(struct app *a, long ms);

static void on_answer(void *ud, const struct gw_reply *r)
{
	struct slot *sl = ud;
	struct outbox *ob = sl->a->outbox;
	sl->busy = false;
	if (ob && sl->create && r->result == GW_PROBLEM && r->status >= 400 && r->status < 500 &&
	    r->status != 408 && r->status != 429) {
		/* The gateway refused the create for good (the bill was paid
		 * elsewhere, say): nothing was made; the entry is final. */
		log_info("reconcile: a payment was refused for good (%d)", r->status);
		outbox_payment_state(ob, sl->key, PAY_FAILED, NULL, NULL);
		return;
	}
	if (r->result != GW_OK || !r->json || !ob)
		return; /* asked again at the next pass */
	struct payment p;
	char err[160];
	if (payment_decode(r->json, &p, err, sizeof err) != 0) {
		log_warn("reconcile: unreadable answer: %s", err);
		return;
	}
	outbox_payment_sent(ob, sl->key, p.id, p.expires_at); /* a create: records the id */
	enum outbox_result res = outbox_payment_state(ob, sl->key, p.state, p.receipt_no, p.paid_at);
	if (res == OUTBOX_OK && pay_state_final(p.state))
		log_info("reconcile: a payment ended: %s", pay_state_name(p.state));
	if (res == OUTBOX_OK && p.state == PAY_SUCCESS)
		receipt_print(sl->a, sl->key, p.verify_url, NULL, NULL);
	payment_free(&p);
}

/* Is a screen following this payment itself? */
static bool followed(struct app *a, const char *key)
{
	return a->pay_key_shown && !strcmp(a->pay_key_shown, key);
}

/* A free slot for key, or NULL if it is being asked about already or
 * every slot is busy (the next pass). */
static struct slot *take_slot(struct app *a, const char *key)
{
	struct slot *sl = NULL;
	for (int i = 0; i < SLOTS; i++) {
		if (slots[i].busy && !strcmp(slots[i].key, key))
			return NULL;
		if (!slots[i].busy && !sl)
			sl = &slots[i];
	}
	if (sl) {
		sl->busy = true;
		sl->create = false;
		sl->a = a;
		snprintf(sl->key, sizeof sl->key, "%s", key);
	}
	return sl;
}

void reconcile_cancel(struct app *a, const char *key, const char *payment_id)
{
	struct slot *sl = app_outbox(a) ? take_slot(a, key) : NULL;
	if (!sl) {
		schedule(a, RECONCILE_MS); /* followed to its end all the same */
		return;
	}
	char path[160];
	snprintf(path, sizeof path, "/v1/payments/%s/cancel", payment_id);
	gw_post(a->gw, path, json_object(), NULL, &owner, 0, on_answer, sl);
}

static void follow(void *ud, const struct outbox_entry *e)
{
	struct app *a = ud;
	if (followed(a, e->key))
		return;
	struct slot *sl = take_slot(a, e->key);
	if (!sl)
		return;
	if (e->payment_id) {
		char path[160];
		snprintf(path, sizeof path, "/v1/payments/%s", e->payment_id);
		gw_get(a->gw, path, NULL, &owner, 0, on_answer, sl);
	} else if (e->bill_id) {
		sl->create = true;
		outbox_payment_sending(a->outbox, e->key);
		gw_post(a->gw, "/v1/payments", json_pack("{s:s}", "bill_id", e->bill_id), e->key, &owner, 0,
		        on_answer, sl);
	} else {
		sl->busy = false;
	}
}

/* Receipts of payments that succeeded while no screen showed them. */
static void print_one(void *ud, const struct outbox_entry *e)
{
	struct app *a = ud;
	if (!followed(a, e->key))
		receipt_print(a, e->key, NULL, NULL, NULL);
}

static long on_timer(struct loop *l, long long id, void *ud)
{
	struct app *a = ud;
	timer = 0;
	reconcile_kick(a);
	return -1;
}

/* A pass within ms from now: an earlier timer is kept, a later one
 * brought forward. */
static void schedule(struct app *a, long ms)
{
	long long due = loop_now_ms() + ms;
	if (timer && timer_due_ms <= due)
		return;
	if (timer)
		loop_timer_del(a->loop, timer);
	timer = loop_timer_add(a->loop, ms, on_timer, a);
	timer_due_ms = due;
}

/* ---- submissions ---------------------------------------------------------------- */

/* A submission being followed: its lookups' failures, when it may be
 * asked again. A key with no slot (all taken) waits for the next pass. */
#define SUB_SLOTS 32

struct sub_slot {
	bool used;
	bool busy;          /* a lookup in flight */
	bool seen;          /* its entry is still unfinished (this pass) */
	struct app *a;
	char key[IDEM_KEY_SIZE];
	int fails;          /* lookups that proved nothing, in a row */
	long long next_ms;  /* loop_now_ms() before which it is not asked */
};

static struct sub_slot sub_slots[SUB_SLOTS];

/* The longest a pass waits while only held entries remain (their day may
 * end; a clock set right meanwhile is noticed). */
#define HELD_CHECK_MS (10L * 60 * 1000)

static struct sub_slot *sub_slot_find(const char *key)
{
	for (int i = 0; i < SUB_SLOTS; i++)
		if (sub_slots[i].used && !strcmp(sub_slots[i].key, key))
			return &sub_slots[i];
	return NULL;
}

static struct sub_slot *sub_slot_new(struct app *a, const char *key)
{
	struct sub_slot *free_one = NULL;
	for (int i = 0; i < SUB_SLOTS && !free_one; i++)
		if (!sub_slots[i].used)
			free_one = &sub_slots[i];
	if (free_one) {
		memset(free_one, 0, sizeof *free_one);
		free_one->used = true;
		free_one->a = a;
		snprintf(free_one->key, sizeof free_one->key, "%s", key);
	}
	return free_one;
}

static void sub_slot_done(struct sub_slot *sl)
{
	memset(sl, 0, sizeof *sl);
}

static long long settle_s(const struct app *a)
{
	return subq_settle_s(a->cfg.n_gateways, a->cfg.connect_timeout_ms, a->cfg.timeout_ms);
}

static struct subq_entry sub_where(const struct app *a, const struct outbox_sub_entry *e, long long now)
{
	long long last = e->sent_at > e->created_at ? e->sent_at : e->created_at;
	return (struct subq_entry){ e->state, now - e->created_at, now - last, settle_s(a) };
}

static unsigned jitter(void)
{
	unsigned j;
	if (getrandom(&j, sizeof j, GRND_NONBLOCK) != (ssize_t)sizeof j)
		j = (unsigned)loop_now_ms();
	return j;
}

/* The by-key answer's application id into id[n], if it is one: a JSON
 * object whose "id" is 1..128 printable ASCII characters and whose
 * "service_id", if any, is the entry's. */
static bool app_decode(const json_t *j, const char *service_id, char *id, size_t n)
{
	const char *v = json_string_value(json_object_get(j, "id"));
	const json_t *svc = json_object_get(j, "service_id");
	if (!json_is_object(j) || !v || !*v || strlen(v) >= n || strlen(v) > 128)
		return false;
	for (const char *c = v; *c; c++)
		if (*c <= 0x20 || *c >= 0x7f)
			return false;
	if (svc && (!json_is_string(svc) || !service_id || strcmp(json_string_value(svc), service_id) != 0))
		return false;
	snprintf(id, n, "%s", v);
	return true;
}

static void on_sub_answer(void *ud, const struct gw_reply *r)
{
	struct sub_slot *sl = ud;
	struct app *a = sl->a;
	struct outbox *ob = a->outbox;
	sl->busy = false;
	struct outbox_sub_entry e;
	/* Read again: the screens may have recorded something meanwhile. */
	if (!ob || outbox_sub_find(ob, sl->key, &e) != OUTBOX_OK) {
		if (ob)
			outbox_sub_entry_clear(&e);
		sub_slot_done(sl);
		return;
	}
	char app_id[160] = "";
	bool readable = false;
	if (r->result == GW_OK)
		readable = r->json && app_decode(r->json, e.service_id, app_id, sizeof app_id);
	else if (r->result == GW_PROBLEM)
		/* "Never received" is the gateway's own 404 (docs/gateway-api.md);
		 * one without that code (a gateway without the endpoint, a
		 * proxy's) proves nothing. */
		readable = r->json && (r->status != 404 ||
		                       (r->problem.code && !strcmp(r->problem.code, "application_not_found")));
	int status = r->result == GW_UNREACHABLE || r->result == GW_TIMEOUT ? 0 : r->status;
	enum subq_answer ans = subq_answer_of(status, readable);
	long long now = (long long)time(NULL);
	struct subq_entry q = sub_where(a, &e, now);
	struct subq_step st = subq_decide(&q, ans, sl->fails, jitter());
	outbox_sub_entry_clear(&e);
	enum outbox_result res = OUTBOX_OK;
	switch (st.action) {
	case SUBQ_DELIVER:
		res = outbox_sub_delivered(ob, sl->key, app_id);
		if (res == OUTBOX_OK)
			log_info("reconcile: a submission had reached the gateway: delivered");
		sub_slot_done(sl);
		break;
	case SUBQ_HOLD:
		res = outbox_sub_held(ob, sl->key);
		if (res == OUTBOX_OK)
			log_info("reconcile: a submission never reached the gateway: kept for its citizen");
		sub_slot_done(sl);
		break;
	case SUBQ_RETRY:
		if (ans == SUBQ_GARBLED)
			log_warn("reconcile: the gateway's answer about a submission proves nothing (%d): "
			         "asked again later", status);
		sl->fails = sl->fails < INT_MAX ? sl->fails + 1 : sl->fails;
		sl->next_ms = loop_now_ms() + st.delay_ms;
		schedule(a, st.delay_ms);
		break;
	case SUBQ_DROP:
		if (outbox_sub_expire(ob, now) < 0)
			res = OUTBOX_ERROR;
		sub_slot_done(sl);
		break;
	case SUBQ_NOTHING:
	case SUBQ_ASK:
	case SUBQ_WAIT:
		sub_slot_done(sl);
		break;
	}
	if (res == OUTBOX_ERROR || res == OUTBOX_REFUSED)
		log_warn("reconcile: %s", outbox_error(ob));
}

/* One pass over the unfinished submissions. */
struct sub_pass {
	struct app *a;
	long long now;
	long next_ms; /* when the next pass is due; LONG_MAX: none needed */
};

static void sooner(struct sub_pass *p, long long ms)
{
	if (ms < 1)
		ms = 1;
	if (ms < p->next_ms)
		p->next_ms = (long)ms;
}

static void follow_sub(void *ud, const struct outbox_sub_entry *e)
{
	struct sub_pass *p = ud;
	struct app *a = p->a;
	struct subq_entry q = sub_where(a, e, p->now);
	struct subq_step st = subq_plan(&q);
	struct sub_slot *sl = sub_slot_find(e->key);
	if (sl)
		sl->seen = true;
	switch (st.action) {
	case SUBQ_NOTHING:
		if (e->state == SUBQ_HELD) /* until its day ends */
			sooner(p, q.age_s < SUBQ_MAX_AGE_S ? (SUBQ_MAX_AGE_S - q.age_s + 1) * 1000 : 1000);
		return;
	case SUBQ_WAIT:
		sooner(p, st.delay_ms);
		return;
	case SUBQ_DROP: /* its day ended since outbox_sub_expire ran */
		sooner(p, 1000);
		return;
	case SUBQ_ASK:
		break;
	case SUBQ_DELIVER:
	case SUBQ_HOLD:
	case SUBQ_RETRY:
		return;
	}
	if (session_active(a) || !uuid_v4_valid(e->key)) {
		sooner(p, RECONCILE_MS);
		return;
	}
	if (!sl)
		sl = sub_slot_new(a, e->key);
	if (!sl) {
		sooner(p, RECONCILE_MS);
		return;
	}
	if (sl->busy)
		return; /* its answer schedules what follows */
	long long wait = sl->next_ms - loop_now_ms();
	if (wait > 0) {
		sooner(p, wait);
		return;
	}
	sl->busy = true;
	char path[96];
	snprintf(path, sizeof path, "/v1/applications/by-key/%s", e->key);
	gw_get(a->gw, path, NULL, &owner, 0, on_sub_answer, sl);
}

static void follow_subs(struct app *a, struct outbox *ob)
{
	struct sub_pass p = { a, (long long)time(NULL), LONG_MAX };
	int dropped = outbox_sub_expire(ob, p.now);
	if (dropped > 0)
		log_info("reconcile: %d submission(s) older than a day dropped, their answers wiped", dropped);
	for (int i = 0; i < SUB_SLOTS; i++)
		sub_slots[i].seen = false;
	int n = dropped < 0 ? -1 : outbox_sub_pending(ob, follow_sub, &p);
	if (n < 0) {
		log_warn("reconcile: %s", outbox_error(ob));
		sooner(&p, RECONCILE_MS);
	} else {
		/* Entries that ended elsewhere (the screens delivered them). */
		for (int i = 0; i < SUB_SLOTS; i++)
			if (sub_slots[i].used && !sub_slots[i].busy && !sub_slots[i].seen)
				sub_slot_done(&sub_slots[i]);
	}
	if (p.next_ms != LONG_MAX)
		schedule(a, p.next_ms < HELD_CHECK_MS ? p.next_ms : HELD_CHECK_MS);
}

void reconcile_kick(struct app *a)
{
	struct outbox *ob = app_outbox(a);
	if (!ob)
		return;
	int n = outbox_unfinished(ob, follow, a);
	outbox_receipts(ob, OUTBOX_RECEIPT_NONE, print_one, a);
	if (n > 0)
		schedule(a, RECONCILE_MS);
	follow_subs(a, ob);
}
