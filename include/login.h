/* login.h: the gateway's login answers as typed structs (pure core).
 *
 * A login holds secrets (the token; the citizen's full name and ID number,
 * present only for prefilling forms): login_wipe() zeroes every byte before
 * freeing. Nothing here is ever logged or written to disk.
 */
#ifndef KIOSK_LOGIN_H
#define KIOSK_LOGIN_H

#include <stddef.h>
#include <jansson.h>

struct citizen {
	char *display_name;   /* masked by the gateway, masked again by us */
	char *id_masked;
	char *phone_masked;   /* "" if absent */
	char *name;           /* full name: prefill only, never shown; "" if absent */
	char *id;             /* full ID number: prefill only, never shown; "" if absent */
};

struct login {
	char *access_token;
	long long expires_in; /* seconds */
	struct citizen c;
};

/* Decodes the 200 answer of /v1/auth/token or /v1/auth/scan. The token
 * must be 1..4096 printable ASCII characters; token_type, if present, must
 * be "Bearer". display_name and id_masked are required. */
int login_decode(const json_t *root, struct login *out, char *err, size_t errlen);
void login_wipe(struct login *l);
void citizen_wipe(struct citizen *c);

struct device_auth {
	char *device_code;    /* secret */
	char *user_code;
	char *verification_uri;
	char *verification_uri_complete; /* = verification_uri if absent */
	long long expires_in; /* seconds, 1..3600 */
	long long interval;   /* seconds, 1..60; 5 if absent (RFC 8628) */
};

int device_decode(const json_t *root, struct device_auth *out, char *err, size_t errlen);
void device_wipe(struct device_auth *d);

/* The "error" of a 400 answer from /v1/auth/token (RFC 8628 3.5). */
enum token_error { TOKEN_PENDING, TOKEN_SLOW_DOWN, TOKEN_DENIED, TOKEN_EXPIRED, TOKEN_OTHER };
enum token_error token_error_decode(const json_t *root);

/* Masks for display, idempotent on text that is already masked: keeps the
 * first `keep_first` and last `keep_last` characters (code points) and
 * replaces the rest by '*'. A string too short to keep both ends keeps only
 * the first character (a 2-character name: "张*"). Name separators (the
 * middle dot, a space) are kept. New string. */
char *text_mask(const char *s, int keep_first, int keep_last);

/* A scanned login code is plausible if it is 1..512 bytes of printable
 * ASCII (no spaces, no controls). Anything else is refused before sending. */
int login_code_plausible(const char *code, size_t len);

#endif
