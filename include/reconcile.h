/* reconcile.h: every payment in the outbox followed to a final state,
 * every form submission to the gateway or its citizen (kiosk/reconcile.c).
 *
 * After a restart (a crash, a power cut) and whenever a payment screen is
 * left before its payment ended, the kiosk asks the gateway about every
 * unfinished payment until it is final, records it (the ledger has it
 * exactly once), and prints the receipt of one that succeeded meanwhile,
 * unless it was printed or claimed before. A payment never created (its
 * request lost) is asked for again with its own Idempotency-Key: the
 * gateway answers with the payment it made, or makes it once.
 *
 * A submission whose outcome is not known (unsent or sending: a crash, a
 * timeout, a screen that gave up) is looked up by its key once it has
 * settled (subq.h) and while nobody is logged in: the gateway has it
 * (delivered: its answers wiped) or never got it (held: offered to its
 * citizen at their next log-in, outbox_sub_for_citizen); no answer is
 * asked again (1, 2, 4 ... 30 s). Submissions a day old are dropped.
 * The screens need not tell which submission they are sending: one is not
 * looked up before its requests could have ended (see reconcile.c).
 */
#ifndef KIOSK_RECONCILE_H
#define KIOSK_RECONCILE_H

struct app;

/* Looks at the outbox now and follows what is unfinished (again every
 * RECONCILE_MS while anything is; submissions when they are due, held
 * ones when their day ends). Cheap when nothing is. The screens call it
 * when they leave a payment or give up on a submission. */
void reconcile_kick(struct app *a);

/* Cancels a payment at the gateway on the app's behalf (a refused QR
 * payload: the screen may be gone before the answer), recording the answer
 * in the outbox. */
void reconcile_cancel(struct app *a, const char *key, const char *payment_id);

#define RECONCILE_MS 5000

#endif
