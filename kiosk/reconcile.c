/* reconcile.c: unfinished payments followed to their end, in the
 * background, by the app (no screen owns these requests).
 *
 * A payment screen follows its own payment while it is shown; this takes
 * over for the others: after a restart, or when the citizen left the
 * screen. The requests' state lives in a fixed table (no allocation that a
 * shut-down could leave behind); the outbox is the truth, read again at
 * every pass.
 */
#include "reconcile.h"

#include <stdio.h>
#include <string.h>

#include "app.h"
#include "log.h"
#include "loop.h"
#include "outbox.h"
#include "pay.h"
#include "receipt.h"
#include "ui.h"

#define SLOTS 16

struct slot {
	bool busy;
	bool create;     /* a create sent again (no payment id yet) */
	struct app *a;
	char key[IDEM_KEY_SIZE];
};

static struct slot slots[SLOTS];
static long long timer;
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

static void schedule(struct app *a, long ms)
{
	if (!timer)
		timer = loop_timer_add(a->loop, ms, on_timer, a);
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
}
