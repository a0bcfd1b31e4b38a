/* outbox.h: what must be neither lost nor done twice, written before the
 * request that does it is sent (kiosk/outbox.c).
 *
 * The outbox is a SQLite database, DATA_DIR/outbox.db (mode 0600, and so its
 * -wal and -shm files; WAL, synchronous=FULL: a call that writes returns
 * after the record is on disk). It guarantees:
 *  - every payment is written, with its Idempotency-Key, before the request
 *    that creates it is sent; a retry (after a timeout, a dropped connection,
 *    a restart) sends the same key, so the gateway never makes a second one;
 *  - an unfinished bill has one entry: asking again for the same bill and
 *    amount gives the same entry and key (double-pressing pay is one payment);
 *  - states only move forward and a final one is never replaced (idem.h):
 *    success stays success;
 *  - a payment in a final state is in the ledger exactly once (UNIQUE key
 *    and payment id), whatever is recorded twice or after a restart; the
 *    ledger keeps the amount, payee, what it was for, the masked account,
 *    the state, receipt number and times: nothing personal (no tokens, no
 *    names, no unmasked account numbers, no payment codes, which never
 *    reach the outbox at all);
 *  - a receipt is printed at most once per payment (claim, then done);
 *  - a citizen's form submission is written, with its own key, before it
 *    is sent; its answers are sealed (seal.h: readable only while the same
 *    citizen is logged in); once it ends (delivered, refused, discarded,
 *    or a day old: dropped) the sealed row is deleted, overwritten
 *    (secure_delete) and checkpointed out of the -wal, and only a ledger
 *    row with nothing personal stays (key, service id, application id,
 *    times, how it ended).
 *
 * One kiosk process uses the database (`kiosk --ledger` may read it at the
 * same time). Calls are synchronous and short (one transaction, one fsync);
 * they are made from the loop thread at the moments a payment changes.
 *
 * Every function but outbox_free and outbox_error needs an open outbox.
 *
 * Ownership: struct outbox is the caller's from outbox_open to outbox_free.
 * A struct outbox_entry filled by a call is the caller's: its strings are
 * freed (wiped first) by outbox_entry_clear. An entry handed to a callback
 * is borrowed for the call: copy what you keep. Strings passed in are
 * borrowed for the call.
 */
#ifndef KIOSK_OUTBOX_H
#define KIOSK_OUTBOX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "idem.h"
#include "subq.h"

#define OUTBOX_FILE "outbox.db"

struct outbox;

enum outbox_result {
	OUTBOX_ERROR = -1, /* the database failed (disk full, read-only, corrupt):
	                    * outbox_error() says why; take no payment */
	OUTBOX_OK = 0,     /* written: on disk before the call returned */
	OUTBOX_KEPT,       /* nothing written: the record already says so, or
	                    * more (a repeat; a state that may not follow) */
	OUTBOX_NOT_FOUND,  /* no entry with that key */
	OUTBOX_REFUSED,    /* not allowed (each function says when); err says why */
};

enum outbox_receipt {
	OUTBOX_RECEIPT_NONE,     /* not printed */
	OUTBOX_RECEIPT_PRINTING, /* claimed: bytes may have gone out, never print again */
	OUTBOX_RECEIPT_PRINTED,  /* the printer took it all */
};

/* A payment as the kiosk is about to ask for it (strings borrowed). */
struct outbox_payment {
	const char *bill_id;        /* the bill paid, or NULL (a fee) */
	long long amount_fen;       /* > 0 */
	const char *payee;
	const char *description;    /* what it is for; NULL is "" */
	const char *account_masked; /* as the gateway masked it; masked here
	                             * too if it holds no '*'; NULL is "" */
};

/* One entry, unfinished (the outbox) or final (the ledger). Strings are NULL
 * where not known yet. */
struct outbox_entry {
	char key[IDEM_KEY_SIZE]; /* the Idempotency-Key */
	enum pay_state state;
	long long amount_fen;
	char *bill_id;
	char *payee;
	char *description;
	char *account_masked;
	char *payment_id;  /* the gateway's id, once it answered */
	char *expires_at;  /* the gateway's, as it wrote it */
	char *receipt_no;  /* on success */
	char *paid_at;     /* on success, the gateway's time as it wrote it */
	long long created_at, sent_at, final_at; /* Unix seconds; 0: not yet */
	int attempts;      /* outbox_payment_sending calls: requests sent */
	enum outbox_receipt receipt;
	bool in_ledger;    /* final: the ledger's record */
};

/* Wipes and frees e's strings and zeroes it; NULL is fine. */
void outbox_entry_clear(struct outbox_entry *e);

/* Opens DIR/outbox.db, creating it (0600) if it is missing, and brings its
 * schema up to date. NULL on failure, with err[n] saying why in plain words
 * (a directory that cannot be written, a full disk, a file that is not an
 * outbox or is damaged, a schema from a newer kiosk). The directory must
 * exist. */
struct outbox *outbox_open(const char *dir, char *err, size_t n);
/* NULL is fine. */
void outbox_free(struct outbox *ob);
/* Why the last call that failed failed (never NULL; "" if none did).
 * Valid until the next call. */
const char *outbox_error(const struct outbox *ob);

/* Writes a new payment (PAY_UNKNOWN, "unsent", with a fresh key from getrandom(2)) before
 * its request is sent, and fills *out (caller clears it).
 * OUTBOX_OK: new. OUTBOX_KEPT: the bill already has an unfinished entry for
 * the same amount: *out is that one; send its key again. OUTBOX_REFUSED:
 * the bill has an unfinished entry of another amount (staff must look), or
 * p is unusable (amount <= 0, no payee). */
enum outbox_result outbox_payment_new(struct outbox *ob, const struct outbox_payment *p,
                                      struct outbox_entry *out);

/* Counts a request about to go out with this key (the count shows in the
 * ledger listing; a key's requests are never limited here). */
enum outbox_result outbox_payment_sending(struct outbox *ob, const char *key);

/* Records the gateway's answer to the create: its payment id and expiry
 * (may be NULL); unsent becomes created. OUTBOX_KEPT: already recorded.
 * OUTBOX_REFUSED: the entry has another payment id (the gateway broke the
 * Idempotency-Key contract), or it is final. */
enum outbox_result outbox_payment_sent(struct outbox *ob, const char *key, const char *payment_id,
                                       const char *expires_at);

/* Records a state the gateway reported (never one the kiosk inferred: a
 * countdown reaching zero is not "expired" until the gateway says so), with
 * the receipt number and payment time on success (may be NULL). A final
 * state moves the entry to the ledger in the same transaction.
 * OUTBOX_KEPT: the state may not follow the recorded one (idem.h), e.g. a
 * repeat or pending after success. OUTBOX_REFUSED: another final state
 * than the one recorded (the gateway contradicted itself: the first stands;
 * err says both, for the log). A create the gateway refused for good (a
 * problem answer, never a network error) is recorded as PAY_FAILED: the
 * entry goes to the ledger without a payment id. */
enum outbox_result outbox_payment_state(struct outbox *ob, const char *key, enum pay_state state,
                                        const char *receipt_no, const char *paid_at);

/* Looks a key up (outbox, then ledger) into *out (caller clears). */
enum outbox_result outbox_find(struct outbox *ob, const char *key, struct outbox_entry *out);

typedef void outbox_each_fn(void *ud, const struct outbox_entry *e);

/* Every unfinished entry, oldest first: after a restart, unsent ones are
 * sent again with their key, the others polled to a final state. The
 * callback may call the outbox (the list is read first). The number of
 * entries, or -1 (outbox_error). */
int outbox_unfinished(struct outbox *ob, outbox_each_fn *cb, void *ud);
/* Every final payment, in the order they became final. As above. */
int outbox_ledger(struct outbox *ob, outbox_each_fn *cb, void *ud);
/* Successful payments whose receipt is in state `which`: NONE, those to
 * print (paid while the kiosk was down, say); PRINTING, claims never
 * confirmed (the kiosk stopped while printing: not printed again, staff
 * check the printer). As above. */
int outbox_receipts(struct outbox *ob, enum outbox_receipt which, outbox_each_fn *cb, void *ud);
/* Unfinished entries of every kind (payments, submissions, ratings,
 * tickets being taken): the heartbeat's outbox_pending; or -1. */
int outbox_pending_count(struct outbox *ob);

/* Claims the printing of a successful payment's receipt, before any byte
 * goes to the printer. OUTBOX_OK: print it now, then outbox_receipt_done.
 * OUTBOX_KEPT: already claimed or printed: never print it again.
 * OUTBOX_REFUSED: the ledger does not hold it as a success. */
enum outbox_result outbox_receipt_claim(struct outbox *ob, const char *key);
/* The printer took the whole receipt. OUTBOX_KEPT: already done.
 * OUTBOX_REFUSED: never claimed. */
enum outbox_result outbox_receipt_done(struct outbox *ob, const char *key);

/* ---- citizens' form submissions (POST /v1/applications) -------------------
 *
 * The screens, for a submission: outbox_sub_new before the first attempt,
 * outbox_sub_sending before each request (every one with the entry's key),
 * then outbox_sub_delivered (2xx: the application's id), outbox_sub_refused
 * (a problem answer that is final: 422 and the like) or nothing (no answer,
 * a timeout, 5xx: it stays sending, and reconcile.c asks the gateway by key
 * once it has settled). At log-in, outbox_sub_for_citizen lists what that
 * citizen left unsent ("您有一份未提交的申请"): submitted again with
 * its key (outbox_sub_sending...) or discarded (outbox_sub_discard).
 * reconcile.c: outbox_sub_pending, outbox_sub_held, outbox_sub_delivered,
 * outbox_sub_expire. States and their rules: subq.h.
 *
 * The first submission makes DATA_DIR/outbox.key (seal.h); payments never
 * need it, and a key file that is refused (readable by others, say) stops
 * submissions only: outbox_error says why. */

/* The longest request body kept (the reference gateway's request limit). */
#define OUTBOX_SUB_MAX_BODY (64 * 1024)

/* A submission as the kiosk is about to send it (strings borrowed). */
struct outbox_submission {
	const char *service_id;   /* 1..128 bytes */
	const char *service_name; /* for the offer at the next log-in; NULL is "" */
	const char *body;         /* the exact JSON request body to send (sealed) */
	const char *citizen_id;   /* the citizen's ID number: seals and matches,
	                           * never stored */
};

/* One submission, unfinished or final (the ledger's). Strings are NULL
 * where not known or not kept. */
struct outbox_sub_entry {
	char key[IDEM_KEY_SIZE];   /* the Idempotency-Key */
	enum subq_state state;
	char *service_id;
	char *service_name;        /* unfinished entries only (the ledger keeps the id) */
	char *app_id;              /* the gateway's application id: delivered only */
	long long created_at, sent_at, final_at; /* Unix seconds; 0: not yet */
	int attempts;              /* outbox_sub_sending calls: requests sent */
	char *body;                /* the request body: only from outbox_sub_for_citizen */
	bool in_ledger;            /* final: the ledger's record */
};

/* Wipes and frees e's strings (the body above all) and zeroes it; NULL is
 * fine. */
void outbox_sub_entry_clear(struct outbox_sub_entry *e);

/* Writes a new submission (unsent, with a fresh key from getrandom(2)),
 * its body sealed for s->citizen_id, before its first request, and fills
 * *out without the body (caller clears it). Every call is a new entry and
 * key: the same service twice in a session is two applications (the
 * screens stop a double press). OUTBOX_REFUSED: s is unusable (no service
 * id, no body or over OUTBOX_SUB_MAX_BODY, no usable ID number).
 * OUTBOX_ERROR: the database or the key file failed (outbox_error). */
enum outbox_result outbox_sub_new(struct outbox *ob, const struct outbox_submission *s,
                                  struct outbox_sub_entry *out);

/* A request with this key is about to go out: unsent or held becomes
 * sending, the attempt is counted. OUTBOX_REFUSED: the submission has
 * ended (delivered, refused, discarded, dropped): send nothing. */
enum outbox_result outbox_sub_sending(struct outbox *ob, const char *key);

/* The gateway has it (201 to the POST, or 200 by key): into the ledger with
 * the application's id (1..128 bytes), the sealed answers deleted for good.
 * OUTBOX_KEPT: recorded already with that id. OUTBOX_REFUSED: another id
 * is recorded, or the id is another key's (the gateway broke the key's
 * contract), or it ended otherwise (refused, discarded, dropped: that
 * stands; err says both, for the log). */
enum outbox_result outbox_sub_delivered(struct outbox *ob, const char *key, const char *app_id);

/* The gateway refused it for good (a problem answer to the POST that
 * retrying cannot change: 422 and the like; never a network error): the
 * answers deleted, the ledger says refused. OUTBOX_KEPT and OUTBOX_REFUSED
 * as for outbox_sub_delivered. */
enum outbox_result outbox_sub_refused(struct outbox *ob, const char *key);

/* By key, the gateway said it never received it: kept for its citizen's
 * next log-in. OUTBOX_KEPT: held already, or ended. */
enum outbox_result outbox_sub_held(struct outbox *ob, const char *key);

/* Its citizen discarded it: the answers deleted, the ledger says
 * discarded. Only an unsent or held one: OUTBOX_REFUSED for one being
 * sent (it may have reached the gateway) or one that ended otherwise. */
enum outbox_result outbox_sub_discard(struct outbox *ob, const char *key);

/* Looks a submission up (unfinished, then the ledger), without its body. */
enum outbox_result outbox_sub_find(struct outbox *ob, const char *key, struct outbox_sub_entry *out);

typedef void outbox_sub_each_fn(void *ud, const struct outbox_sub_entry *e);

/* Every unfinished submission (unsent, sending, held), oldest first,
 * without bodies. The callback may call the outbox (the list is read
 * first). The number of entries, or -1 (outbox_error). */
int outbox_sub_pending(struct outbox *ob, outbox_sub_each_fn *cb, void *ud);
/* Every final submission, in the order they ended. As above. */
int outbox_sub_ledger(struct outbox *ob, outbox_sub_each_fn *cb, void *ud);

/* The unsent and held submissions of this citizen, not older than
 * SUBQ_MAX_AGE_S, oldest first, with their bodies opened: only those whose
 * "who" HMAC matches citizen_id, and whose seal opens (one that does not,
 * altered on disk, is passed over, and outbox_error says so). The bodies
 * are wiped after each callback: copy what you keep, and wipe it. Sending
 * ones are not listed: the gateway may have them (reconcile.c finds out).
 * The number handed to cb, or -1 (outbox_error: the database, or a key
 * file that is refused). No key file yet: 0. */
int outbox_sub_for_citizen(struct outbox *ob, const char *citizen_id, outbox_sub_each_fn *cb, void *ud);

/* Drops every unfinished submission older than SUBQ_MAX_AGE_S at `now`
 * (Unix seconds), whatever its state: into the ledger as dropped, the
 * answers deleted for good. The number dropped, or -1. */
int outbox_sub_expire(struct outbox *ob, long long now);

/* ---- queue tickets (排队取号) ----
 * One entry per press, written before the request with a fresh key (every
 * retry of that press reuses it): a double press or a retry is one ticket.
 * Nothing personal: service, the gateway's ticket number and window. */
struct outbox_ticket {
	char key[IDEM_KEY_SIZE];
	const char *state;          /* "sending", "issued", "failed" */
	const char *service_id, *ticket, *window, *issued_at; /* NULL until issued */
	long long created_at;
};
typedef void outbox_ticket_fn(void *ud, const struct outbox_ticket *t);
/* A new entry (sending) and its key. OUTBOX_REFUSED: no usable service id. */
enum outbox_result outbox_ticket_new(struct outbox *ob, const char *service_id, char key[IDEM_KEY_SIZE]);
/* The gateway issued it / it failed for good. OUTBOX_KEPT: the same was
 * recorded; OUTBOX_REFUSED: it ended otherwise; OUTBOX_NOT_FOUND. */
enum outbox_result outbox_ticket_issued(struct outbox *ob, const char *key, const char *ticket,
                                        const char *window, const char *issued_at);
enum outbox_result outbox_ticket_failed(struct outbox *ob, const char *key);
/* The last `max` tickets, newest first (borrowed strings). Count or -1. */
int outbox_tickets_recent(struct outbox *ob, int max, outbox_ticket_fn *cb, void *ud);

/* ---- ratings (好差评) ----
 * Written before the first request with a fresh key, sent until the gateway
 * answers (kept across restarts and outages: hall.c sends them), then
 * deleted under secure_delete (the comment is the citizen's own words)
 * leaving a ledger row without the comment. One rating per subject: a
 * second for the same subject is the first (OUTBOX_KEPT with its key). */
#define OUTBOX_RATING_MAX_COMMENT 800  /* bytes: 200 characters of Chinese */
struct outbox_rating {
	char key[IDEM_KEY_SIZE];   /* filled when read */
	const char *subject_kind;  /* "application_id", "payment_id", "ticket" */
	const char *subject_id;    /* the application, payment or ticket */
	const char *service_id;    /* "" if not known */
	int score;                 /* 1..5 */
	const char *tags;          /* comma-separated tag ids, "" for none */
	const char *comment;       /* "" for none */
	const char *state;         /* ledger rows: delivered, refused, dropped */
	long long created_at, next_at;
	int attempts;
};
typedef void outbox_rating_fn(void *ud, const struct outbox_rating *r);
enum outbox_result outbox_rating_new(struct outbox *ob, const struct outbox_rating *r, char key[IDEM_KEY_SIZE]);
/* The undelivered ones, oldest first (read before any callback: it may
 * write; the comment is wiped after the call). Count or -1. */
int outbox_rating_pending(struct outbox *ob, outbox_rating_fn *cb, void *ud);
/* A request went out: attempts + 1, not again before next_at (Unix s). */
enum outbox_result outbox_rating_attempt(struct outbox *ob, const char *key, long long next_at);
/* how: "delivered", "refused" (for good), "dropped" (too old). */
enum outbox_result outbox_rating_end(struct outbox *ob, const char *key, const char *how);
/* The ended ones, in order (no comment). Count or -1. */
int outbox_rating_ledger(struct outbox *ob, outbox_rating_fn *cb, void *ud);

/* Writes the ledger, then the unfinished entries (marked), as a plain
 * table to f: what `kiosk --ledger` prints; then, if there are any, the
 * submissions the same way (key, service id, application id, state,
 * times: nothing personal). Strings are sanitized (f may be a terminal).
 * 0, or -1 (outbox_error). */
int outbox_ledger_print(struct outbox *ob, FILE *f);

/* `kiosk --ledger --data-dir DIR`: opens the outbox (never creating one:
 * a missing file prints an empty ledger), prints it to out, problems to
 * errf. Needs no gateway and no terminal. Sets LC_CTYPE to a UTF-8 locale
 * (for the payees' widths). Returns the exit status: 0, or 1. */
int outbox_ledger_command(const char *dir, FILE *out, FILE *errf);

#endif
