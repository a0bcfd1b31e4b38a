/* reconcile.h: every payment in the outbox followed to a final state
 * (kiosk/reconcile.c).
 *
 * After a restart (a crash, a power cut) and whenever a payment screen is
 * left before its payment ended, the kiosk asks the gateway about every
 * unfinished payment until it is final, records it (the ledger has it
 * exactly once), and prints the receipt of one that succeeded meanwhile,
 * unless it was printed or claimed before. A payment never created (its
 * request lost) is asked for again with its own Idempotency-Key: the
 * gateway answers with the payment it made, or makes it once.
 */
#ifndef KIOSK_RECONCILE_H
#define KIOSK_RECONCILE_H

struct app;

/* Looks at the outbox now and follows what is unfinished (again every
 * RECONCILE_MS while anything is). Cheap when nothing is. */
void reconcile_kick(struct app *a);

/* Cancels a payment at the gateway on the app's behalf (a refused QR
 * payload: the screen may be gone before the answer), recording the answer
 * in the outbox. */
void reconcile_cancel(struct app *a, const char *key, const char *payment_id);

#define RECONCILE_MS 5000

#endif
