/* idem.h: the pure rules of the outbox (kiosk/outbox.c): Idempotency-Keys,
 * the states an entry goes through, and what a record may keep.
 *
 * A key is a random UUID (version 4, RFC 9562) written in lower case; the
 * randomness comes from the caller (getrandom(2) in the outbox, fixed bytes
 * in the tests), so this file stays pure.
 *
 * States are pay.h's (the gateway's words); the outbox writes PAY_UNKNOWN
 * ("unsent": written, nothing from the gateway yet) before a request is
 * sent, and then records only what the screen would show after it
 * (pay_state_next): states move forward, and a final state is never
 * replaced (a success followed by pending stays success).
 */
#ifndef KIOSK_IDEM_H
#define KIOSK_IDEM_H

#include <stdbool.h>
#include <stddef.h>

#include "pay.h"

/* "xxxxxxxx-xxxx-4xxx-[89ab]xxx-xxxxxxxxxxxx" and its NUL. */
#define IDEM_KEY_SIZE 37

/* Formats 16 random bytes as a version 4 UUID: the version nibble becomes 4
 * and the variant bits 10, whatever rnd holds there; lower-case hex. */
void uuid_v4_format(const unsigned char rnd[16], char out[IDEM_KEY_SIZE]);

/* True if s is exactly what uuid_v4_format writes (36 characters, lower-case
 * hex, hyphens in place, version 4, variant 10xx). */
bool uuid_v4_valid(const char *s);

/* May the outbox record `next` over `cur`? Only a move forward that
 * pay_state_next allows: never the same state again, never away from a
 * final state, never back to PAY_UNKNOWN. */
bool idem_may_record(enum pay_state next, enum pay_state cur);
/* Two different final states: the gateway contradicted itself (the first
 * one stands; this says it must be reported). */
bool idem_contradicts(enum pay_state next, enum pay_state cur);

/* What a record may keep of an account number: the gateway's masked form
 * ("3101****0467") as it is if it holds a '*'; otherwise every character
 * but the last four becomes '*' (an unmasked number never reaches disk).
 * Written into out[n] (n > 0), never splitting a UTF-8 sequence; returns
 * the bytes written. NULL is "". */
size_t idem_mask_account(const char *in, char *out, size_t n);

#endif
