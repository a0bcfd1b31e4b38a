/* pinlock.h: the staff PIN's rules (pure core: no clock, no I/O, no
 * crypto; kiosk/staff.c reads the clock, keeps the file and hashes).
 *
 * Lockout: PINLOCK_MAX_FAILS wrong PINs in a row lock the PIN for
 * PINLOCK_BASE_S (5 min); each further lockout in a row lasts twice as long
 * as the one before (10, 20, 40 min ...), at most PINLOCK_MAX_S. A right
 * PIN forgets everything; so does a day without a wrong PIN
 * (PINLOCK_FORGET_S). The state is small text kept in a file (DATA_DIR,
 * 0600) after every change, so a restart, or pulling the plug, does not
 * give five more tries: pinlock_format / pinlock_parse. A file that does
 * not parse locks for PINLOCK_BASE_S (fail closed; staff can remove it).
 * A clock set back never makes a lockout longer than its own length.
 *
 * The PIN itself is never stored: the configuration holds
 *   pbkdf2-sha256:ITERATIONS:SALT_HEX:HASH_HEX
 * (PBKDF2-HMAC-SHA256 of the PIN's digits with that salt and count, 32
 * bytes), which `kiosk --hash-pin` writes. pinhash_parse checks that form.
 * A PIN has few digits: no hash stops a search by someone who can read
 * the configuration (keep it 0600); the salt and the count make that
 * search cost hours per kiosk instead of a table lookup, and the lockout
 * is what guards the keypad.
 */
#ifndef KIOSK_PINLOCK_H
#define KIOSK_PINLOCK_H

#include <stdbool.h>
#include <stddef.h>

#define PINLOCK_MAX_FAILS 5
#define PINLOCK_BASE_S 300LL
#define PINLOCK_MAX_S (24 * 3600LL)
#define PINLOCK_FORGET_S (24 * 3600LL)

#define PIN_MIN_DIGITS 4
#define PIN_MAX_DIGITS 12

struct pinlock {
	int failures;            /* wrong PINs since the last lockout or right PIN */
	int lockouts;            /* lockouts in a row: the next lasts twice as long */
	long long locked_until;  /* Unix seconds; 0: not locked */
	long long last_fail;     /* Unix seconds of the last wrong PIN; 0: none */
};

void pinlock_init(struct pinlock *p);
/* Seconds the PIN stays locked at now (0: it may be tried). */
long long pinlock_locked_s(const struct pinlock *p, long long now);
/* Wrong PINs left before the lockout, at now. */
int pinlock_tries_left(const struct pinlock *p, long long now);
/* A wrong PIN at now (only while not locked; a locked PIN is not tried).
 * Returns the length in seconds of the lockout it started, or 0. */
long long pinlock_fail(struct pinlock *p, long long now);
/* The right PIN: everything forgotten. */
void pinlock_success(struct pinlock *p);
/* How long the n-th lockout in a row lasts (n >= 1). */
long long pinlock_lockout_len(int n);

/* The state as one line of text for its file (NUL-terminated; at most
 * n - 1 bytes); the length written, or 0 if n is too small. */
size_t pinlock_format(const struct pinlock *p, char *buf, size_t n);
/* Reads the file's text back at now. 0; or -1 if it is not what
 * pinlock_format writes: p is then locked for PINLOCK_BASE_S from now. */
int pinlock_parse(struct pinlock *p, const char *text, size_t len, long long now);

/* A PIN as it may be typed: PIN_MIN_DIGITS..PIN_MAX_DIGITS ASCII digits. */
bool pin_plausible(const char *pin, size_t len);

#define PINHASH_PREFIX "pbkdf2-sha256"
#define PINHASH_ITER_MIN 1000u
#define PINHASH_ITER_MAX 200000u     /* hashed in the loop: a tenth of a second at most */
#define PINHASH_ITER_DEFAULT 50000u
#define PINHASH_SALT_MIN 8
#define PINHASH_SALT_MAX 64
#define PINHASH_LEN 32

struct pinhash {
	unsigned iterations;
	unsigned char salt[PINHASH_SALT_MAX];
	size_t salt_len;
	unsigned char hash[PINHASH_LEN];
};

/* Parses "pbkdf2-sha256:ITER:SALT_HEX:HASH_HEX". 0, or -1 with an English
 * reason in err. */
int pinhash_parse(const char *spec, struct pinhash *out, char *err, size_t errlen);
/* The same form, for `kiosk --hash-pin`. 0, or -1 if n is too small. */
int pinhash_format(const struct pinhash *h, char *buf, size_t n);
/* Compares n bytes in a time that does not depend on where they differ. */
bool pinhash_equal(const unsigned char *a, const unsigned char *b, size_t n);

#endif
