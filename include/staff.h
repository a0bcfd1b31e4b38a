/* staff.h: staff mode's session (kiosk/staff.c). The screens are
 * scr_staff*.c (screens.h).
 *
 * Two ways in, both only from the home screen while no citizen is logged
 * in:
 *  - a staff card: a code "STF-" + 16 of [A-Z2-7] scanned, checked by
 *    POST /v1/kiosk/staff {"code"} (one-time codes; 404 invalid_code,
 *    409 code_used, 410 code_expired); the answer's name (masked by the
 *    gateway) and expires_in make the session;
 *  - a PIN typed after the hidden sequence on home, checked against
 *    [kiosk] staff_pin_hash (pinlock.h: its form, and the lockout kept in
 *    DATA_DIR/staff-pin.state, 0600). The session lasts STAFF_PIN_SESSION_S.
 *
 * A staff session ends by 0 退出, by the idle timeout (session.c's, as for
 * a citizen), at its expiry, when its screens are left, or at shut-down;
 * ending returns home, clears the terminal and wipes who it was. It never
 * holds a citizen's data, and the log names the staff id (a card) and how
 * it ended, never a name, a code or a PIN.
 */
#ifndef KIOSK_STAFF_H
#define KIOSK_STAFF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "printer.h"
#include "receipt.h"

struct app;
struct screen;

/* `kiosk` exits with this after 重启程序 so that its supervisor starts it
 * again (systemd: RestartForceExitStatus=75; sysexits' EX_TEMPFAIL). */
#define KIOSK_EXIT_RESTART 75

#define STAFF_CODE_PREFIX "STF-"
#define STAFF_CODE_LEN 20           /* the prefix and 16 of [A-Z2-7] */
#define STAFF_PIN_SESSION_S 900     /* a PIN's session: 15 min */
#define STAFF_MAX_SESSION_S 28800   /* a gateway's expires_in is held to 8 h */
#define STAFF_PIN_STATE_FILE "staff-pin.state"

enum staff_via { STAFF_VIA_CARD, STAFF_VIA_PIN };
enum staff_end_reason {
	STAFF_END_EXIT,      /* 0 退出 */
	STAFF_END_IDLE,      /* the idle timeout */
	STAFF_END_EXPIRED,   /* its time is up */
	STAFF_END_LEFT,      /* its screens were left (Home) */
	STAFF_END_RESTART,   /* 重启程序 */
	STAFF_END_SHUTDOWN,  /* the kiosk is stopping: no screen is touched */
};

bool staff_active(const struct app *a);
enum staff_via staff_via(const struct app *a);
/* The name as the gateway gave it (masked, sanitized), "" for a PIN. */
const char *staff_who(const struct app *a);
/* The staff id the gateway gave ("" for a PIN). */
const char *staff_id(const struct app *a);
/* Seconds left before the session expires (0 if none). */
long staff_seconds_left(const struct app *a);

/* Looks like a staff card (starts with STAFF_CODE_PREFIX): the home
 * screen hands such a scan here instead of to the citizen's log-in. */
bool staff_code_like(const char *code, size_t len);
/* The whole form: the prefix and 16 of [A-Z2-7]. */
bool staff_code_valid(const char *code, size_t len);

/* A staff card scanned on screen s: refused with a notice while a citizen
 * is logged in, staff mode is on or the code is malformed; else
 * POST /v1/kiosk/staff. A session starts only if s is still on top with
 * nothing pushed or popped since and nobody logged in meanwhile; then
 * started(a) (it pushes the staff screens). A refusal is said in a notice.
 * True if the code was sent. */
bool staff_card_login(struct screen *s, const char *code, size_t len, void (*started)(struct app *a));

enum staff_pin_result {
	STAFF_PIN_OK,       /* the session has started */
	STAFF_PIN_WRONG,    /* *info: tries left before the lockout */
	STAFF_PIN_LOCKED,   /* *info: seconds left (this try locked it, or it was) */
	STAFF_PIN_OFF,      /* no staff_pin_hash configured */
	STAFF_PIN_BAD,      /* not 4-12 digits: not counted */
	STAFF_PIN_UNSAVED,  /* the lockout state cannot be written: refused */
};
/* Whether a PIN is configured. */
bool staff_pin_configured(const struct app *a);
/* Seconds the PIN stays locked (0: it may be tried). */
long long staff_pin_locked_s(struct app *a);
/* Checks a typed PIN (never kept, never logged); a wrong one counts
 * towards the lockout, saved before this returns. */
enum staff_pin_result staff_pin_try(struct app *a, const char *pin, size_t len, long long *info);

/* Ends the session (if any): see staff_end_reason. */
void staff_end(struct app *a, enum staff_end_reason why);
/* 重启程序: ends the session and stops the loop with KIOSK_EXIT_RESTART. */
void staff_restart(struct app *a);

/* Printing for staff (s and fn as receipt.h's: told later, if s is still
 * on the stack). A payment's receipt again, from the ledger (a success),
 * titled and marked 重打 / REPRINT, without its verification QR (the
 * ledger does not keep it): false with PRINTER_ABSENT told at once if
 * there is no such payment, printer or outbox. */
bool staff_reprint(struct app *a, const char *key, struct screen *s, receipt_fn fn);
/* The printer's test page: the kiosk's id, the time, the printer, a ruler
 * of the paper's width, Chinese text and a QR code. */
bool staff_print_test_page(struct app *a, struct screen *s, receipt_fn fn);
/* Asks the printer's state; fn hears it (why: an English reason or NULL). */
typedef void (*staff_printer_fn)(struct screen *s, enum printer_status st, const char *why);
bool staff_printer_check(struct app *a, struct screen *s, staff_printer_fn fn);

/* `kiosk --hash-pin`: reads a PIN (a line of 4-12 digits) from in (not
 * echoed on a terminal) and prints the configuration line
 * "staff_pin_hash = pbkdf2-sha256:..." to out. Exit status: 0, or 1. */
int staff_hash_pin_command(FILE *in, FILE *out, FILE *err);

#endif
