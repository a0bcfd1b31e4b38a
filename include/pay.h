/* pay.h: bills and payments as the gateway sends them (pure core).
 *
 * Decoding is strict, like model.h: every field type-checked, strings
 * sanitized; an answer that does not decode is a gateway error, never half
 * shown. Amounts are integer fen.
 */
#ifndef KIOSK_PAY_H
#define KIOSK_PAY_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

enum bill_type { BILL_WATER, BILL_ELECTRICITY, BILL_GAS, BILL_TRAFFIC_FINE, BILL_TYPES };

/* "water", "electricity", "gas", "traffic_fine"; -1 if unknown. */
const char *bill_type_name(enum bill_type t);
int bill_type_parse(const char *s);

/* Account numbers are digits only: 6 to 20 of them. */
#define ACCOUNT_MIN 6
#define ACCOUNT_MAX 20
bool account_valid(const char *s, size_t len);

struct bill {
	char *id;
	enum bill_type type;
	char *payee;
	char *account_masked;
	char *period;        /* "2026-11" or a date range; may be "" */
	long long amount_fen;
	char *due_date;      /* "" if none */
	bool fee;            /* not a bill: an application's fee (id is the
	                      * application's; period its service's name) */
};

/* {"bills": [...]} → *out (n of them; the caller frees with bills_free). */
int bills_decode(const json_t *root, struct bill **out, size_t *n, char *err, size_t errlen);
void bill_free(struct bill *b);
void bills_free(struct bill *b, size_t n);
/* A deep copy (for the payment screen). */
void bill_copy(struct bill *dst, const struct bill *src);

/* Payment states in the order they may follow each other; the last four
 * are final. PAY_UNKNOWN: not yet known (nothing from the gateway). */
enum pay_state {
	PAY_UNKNOWN, PAY_CREATED, PAY_PENDING,
	PAY_SUCCESS, PAY_FAILED, PAY_CANCELLED, PAY_EXPIRED,
};
const char *pay_state_name(enum pay_state s);  /* "created"...; "unknown" */
int pay_state_parse(const char *s);           /* -1 if unknown */
bool pay_state_final(enum pay_state s);
/* What the screen shows after `now` when it showed `shown`: states never go
 * backwards, and a final state is never replaced (a success followed by
 * pending stays success; a cancel racing a success shows success only if
 * success came first from the gateway). */
enum pay_state pay_state_next(enum pay_state shown, enum pay_state now);

struct payment {
	char *id;
	long long amount_fen;
	char *payee;
	enum pay_state state;
	char *qr_payload;    /* raw, NOT sanitized: emv_check decides; NULL if absent */
	char *expires_at;    /* RFC 3339 */
	char *receipt_no;    /* on success, else NULL */
	char *paid_at;
	char *verify_url;    /* what a printed receipt's QR holds; NULL if none */
};

/* A payment answer (POST /v1/payments, GET /v1/payments/{id}, /scan,
 * /cancel). currency must be "CNY". */
int payment_decode(const json_t *root, struct payment *out, char *err, size_t errlen);
/* Wipes and frees (a payment may carry what identifies the citizen's
 * payment; wiped all the same). */
void payment_free(struct payment *p);

/* RFC 3339 UTC ("2026-12-03T04:05:06Z", fractions allowed) → seconds since
 * the epoch; -1 if not one. */
long long pay_time_parse(const char *s);

#endif
