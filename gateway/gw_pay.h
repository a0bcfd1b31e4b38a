/* gw_pay.h: bills and payments in the reference gateway (pay.c).
 *
 * Bills are demo data (demo_data.c, loaded into SQLite by --demo); payments
 * and the Idempotency-Key records of POST /v1/payments live in SQLite too,
 * so both survive a restart (db.c has the schema). A payment belongs to the
 * kiosk that made it (X-Kiosk-Id): another kiosk is told 404. Its state is
 * created, pending, success, failed, cancelled or expired; expiry is
 * applied whenever a payment is read or changed. Every change runs in one
 * transaction under the store's lock, so a cancel racing a payment leaves
 * one of the two, never both.
 */
#ifndef GW_PAY_H
#define GW_PAY_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>

#include "gw.h"

/* ---- demo bills (demo_data.c) -------------------------------------------- */

enum bill_type { BILL_WATER, BILL_ELECTRICITY, BILL_GAS, BILL_TRAFFIC_FINE, BILL_NTYPES };

struct demo_bill_type {
	const char *id;              /* "water", as in GET /v1/bills?type= */
	const char *name[LANG_N];    /* 水费: the payment's description starts with it */
	const char *payee[LANG_N];   /* who is paid */
};

struct demo_bill {
	const char *id;              /* "bill-w01-2610" */
	enum bill_type type;
	const char *account;         /* 6..20 digits */
	const char *period;          /* "2026-10", or a fine's date "2026-09-14" */
	long long amount_fen;
	const char *due_date;        /* "2026-12-15" */
};

/* An account of the demo, with or without bills. */
struct demo_account {
	enum bill_type type;
	const char *account;
};

extern const struct demo_bill_type demo_bill_types[BILL_NTYPES];
extern const struct demo_bill demo_bills[];
extern const size_t demo_n_bills;
extern const struct demo_account demo_accounts[];
extern const size_t demo_n_accounts;
/* City in the payment QR (EMV tag 60). */
extern const char demo_merchant_city[];

/* ---- the store (db.c) ------------------------------------------------------ */

/* The SQLite connection with the store's lock held (the prepared
 * statements and transactions are shared), and its release. pay.c runs its
 * own statements between the two. */
sqlite3 *db_lock(struct db *db);
void db_unlock(struct db *db);
/* A column as a new string ("" for NULL); aborts when out of memory. */
char *db_col_dup(sqlite3_stmt *st, int i);
/* A statement (NULL, said on stderr, if it does not compile). */
sqlite3_stmt *db_prep(sqlite3 *h, const char *sql);
/* Binds s as text (copied), or NULL. */
void db_bind_str(sqlite3_stmt *st, int i, const char *s);
int db_exec(sqlite3 *h, const char *sql);
/* BEGIN IMMEDIATE with the store's lock held; NULL (and 500 in rp) if not. */
sqlite3 *db_begin(const struct req *rq, struct reply *rp);
/* COMMIT (ok) or ROLLBACK, and the lock let go; false (and 500 in rp) if
 * it did not commit. */
bool db_end(const struct req *rq, struct reply *rp, sqlite3 *h, bool ok);

/* Idempotency-Key records (payments, applications, tickets, ratings) are
 * kept this long. */
#define DB_IDEM_TTL_S 86400
/* In the open transaction: drops the records of table (one of the
 * gateway's *idempotency tables) older than DB_IDEM_TTL_S, then looks up
 * (kiosk, key): 1 if there is one, with the first answer again in rp (its
 * status, language and body byte for byte, Idempotent-Replayed) when hash
 * (of the request) is the one stored, else 422 idempotency_key_reuse; 0 if
 * there is none; -1 on a database error. */
int db_replay(sqlite3 *h, struct req *rq, struct reply *rp, const char *table,
              const char *kiosk, const char *key, const char *hash, long long now);
/* Stores the answer in rp (materialized) under (kiosk, key) in table
 * (idempotency, ticket_idempotency or rating_idempotency: those of the
 * same columns), in the open transaction. 0 or -1. */
int db_idem_store(sqlite3 *h, const struct req *rq, struct reply *rp, const char *table,
                  const char *kiosk, const char *key, const char *hash, long long now);

/* ---- shared with apps.c and hall.c (pay.c) ----------------------------------------------- */

/* X-Kiosk-Id: 1..64 printable ASCII characters into out; false (and 400
 * kiosk_id_required in rp) if it is missing or not that. */
bool req_kiosk_id(const struct req *rq, struct reply *rp, char out[65]);
/* An Idempotency-Key: a UUID (8-4-4-4-12 hex digits, either case),
 * lower-cased into out; false if k is NULL or not that. */
bool idem_key_parse(const char *k, char out[37]);
/* What "the same body" means: the SHA-256 (hex) of the body's JSON with
 * its members sorted and no spaces (or of the raw bytes if it is not
 * JSON). */
void req_body_hash(const struct req *rq, char out[65]);

/* ---- localized texts (problem.c) -------------------------------------------- */

/* A validation message of the payment endpoints by its id ("bad_type"),
 * in the request's language; "" for an unknown id. */
const char *pay_message(const struct req *rq, const char *id);

/* ---- payments (pay.c) --------------------------------------------------------- */

/* Once, before serving: the life of a payment (--payment-ttl, seconds). */
void pay_init(int payment_ttl_s);

void pay_bills(struct req *rq, struct reply *rp);          /* GET /v1/bills */
void pay_create(struct req *rq, struct reply *rp);         /* POST /v1/payments */
void pay_get(struct req *rq, struct reply *rp);            /* GET /v1/payments/{id} */
void pay_scan(struct req *rq, struct reply *rp);           /* POST /v1/payments/{id}/scan */
void pay_cancel(struct req *rq, struct reply *rp);         /* POST /v1/payments/{id}/cancel */
void sim_accounts(struct req *rq, struct reply *rp);       /* GET /sim/accounts */
void sim_payments(struct req *rq, struct reply *rp);       /* GET /sim/payments */
void sim_payment_pay(struct req *rq, struct reply *rp);    /* POST /sim/payments/{id}/pay */
void sim_payment_fail(struct req *rq, struct reply *rp);   /* POST /sim/payments/{id}/fail */

/* ---- the simulator's payment faults (sim.c) ----------------------------------- */

enum sim_pay {
	SIM_PAY_NONE,
	SIM_PAY_QR_AMOUNT,        /* tag 54 one yuan more, CRC recomputed */
	SIM_PAY_QR_CRC,           /* the CRC off by one */
	SIM_PAY_QR_CURRENCY,      /* tag 53 "840", CRC recomputed */
	SIM_PAY_QR_TRUNCATED,     /* the last 2 characters cut off */
	SIM_PAY_QR_CRC_NOT_LAST,  /* tag 62 moved after a correct tag 63 */
	SIM_PAY_COMMIT_THEN_DROP, /* POST /v1/payments: commit, then close unanswered */
};

/* The payment fault set by /sim/faults for this path (its "paths" rule
 * applies); SIM_PAY_NONE without --sim. */
enum sim_pay sim_pay_fault(struct sim *s, const char *path);
/* The payload spoiled as f says (a malloc'd string), or NULL if f is not a
 * qr_ fault. */
char *sim_spoil_qr(const char *payload, enum sim_pay f);

#endif
