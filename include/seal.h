/* seal.h: citizens' answers sealed at rest, openable only while their
 * citizen is logged in (kiosk/seal.c, for the outbox's submissions).
 *
 * The decision, and why:
 *  - AES-256-GCM (OpenSSL's libcrypto, which the kiosk links for TLS
 *    anyway): authenticated, so a damaged or altered row is refused, never
 *    read as someone's answers; the entry's Idempotency-Key is the
 *    additional data, so a sealed body moved to another entry is refused
 *    too.
 *  - The key is derived per entry: HMAC-SHA256(kiosk_secret, "seal" || salt
 *    || citizen_id_number), with a random 16-byte salt and 12-byte nonce of
 *    its own. The citizen's ID number arrives with their session (for
 *    prefilling forms) and is never stored, so the answers can be read
 *    back only while that citizen is logged in: a copy of outbox.db alone,
 *    or with the key file but without the ID number, does not open them.
 *    The kiosk has no other reason to read them: replaying a submission
 *    after a restart asks the gateway by key and needs no answers.
 *  - Finding a citizen's entries: HMAC-SHA256(kiosk_secret, "who" || salt ||
 *    citizen_id_number), compared in constant time. Not a plain hash: an
 *    ID number has little entropy (a region, a birth date, a sequence
 *    number), and a plain hash of one is found by trying them all. With the
 *    kiosk secret that search needs the key file as well; someone holding
 *    both files can still try every ID number against an entry (see
 *    docs/architecture.md, Outbox): what limits that is the key file's
 *    privacy and the entries' short life (delivered, refused or a day old:
 *    deleted).
 *  - The kiosk secret: 32 random bytes in DATA_DIR/outbox.key, mode 0600,
 *    made on first use (O_EXCL, then linked into place: a crash never
 *    leaves a short key under the name); on every load it must be a
 *    regular file of ours, 32 bytes, readable by nobody else. A key file
 *    that others can read is refused, not tightened: it may have been
 *    copied, and the answers it guards are then not private any more.
 *
 * Keys and plaintexts are wiped after use (explicit_bzero; OpenSSL cleanses
 * its contexts). Nothing here logs.
 */
#ifndef KIOSK_SEAL_H
#define KIOSK_SEAL_H

#include <stdbool.h>
#include <stddef.h>

#define SEAL_KEY_FILE "outbox.key"
#define SEAL_SECRET_SIZE 32
#define SEAL_SALT_SIZE 16
#define SEAL_NONCE_SIZE 12
#define SEAL_TAG_SIZE 16
#define SEAL_WHO_SIZE 32
/* The longest citizen ID number accepted (bytes). */
#define SEAL_ID_MAX 64

struct seal;

/* Loads DIR/outbox.key; with create, makes it first if it is missing.
 * NULL on failure with err[n] in plain words (refused: readable by others,
 * not ours, a symbolic link, not 32 bytes; or the system's reason); a
 * missing file without create sets *missing (may be NULL). */
struct seal *seal_load(const char *dir, bool create, bool *missing, char *err, size_t n);
/* Wipes the secret. NULL is fine. */
void seal_free(struct seal *s);

/* n random bytes from getrandom(2): 0, or -1 (errno). */
int seal_random(void *buf, size_t n);

/* A citizen ID number as it is sealed and matched: 1..SEAL_ID_MAX bytes
 * of printable ASCII; a lower-case letter counts as its capital (an x
 * check character is X). */
bool seal_id_usable(const char *citizen_id);

/* who = HMAC-SHA256(secret, "who" || salt || id). 0, or -1 (id unusable,
 * or the library failed). */
int seal_who(const struct seal *s, const unsigned char salt[SEAL_SALT_SIZE], const char *citizen_id,
             unsigned char who[SEAL_WHO_SIZE]);
/* Does who belong to this citizen? Constant time in who. */
bool seal_who_is(const struct seal *s, const unsigned char salt[SEAL_SALT_SIZE], const char *citizen_id,
                 const unsigned char who[SEAL_WHO_SIZE]);

/* Seals len bytes of plain into out[len + SEAL_TAG_SIZE] (ciphertext,
 * then the tag), with aad (a NUL-terminated string) authenticated. 0, or
 * -1 (id unusable, or the library failed). */
int seal_box(const struct seal *s, const unsigned char salt[SEAL_SALT_SIZE], const char *citizen_id,
             const unsigned char nonce[SEAL_NONCE_SIZE], const char *aad, const void *plain, size_t len,
             unsigned char *out);
/* Opens what seal_box made: a new NUL-terminated buffer of len -
 * SEAL_TAG_SIZE bytes (*plain_len, may be NULL), the caller's to wipe and
 * free; NULL if it does not open (another citizen, another aad, altered
 * bytes, too short). */
char *seal_unbox(const struct seal *s, const unsigned char salt[SEAL_SALT_SIZE], const char *citizen_id,
                 const unsigned char nonce[SEAL_NONCE_SIZE], const char *aad, const unsigned char *box,
                 size_t len, size_t *plain_len);

#endif
