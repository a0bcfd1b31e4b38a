/* receipt.h: a payment's receipt, printed once (kiosk/receipt.c).
 *
 * The outbox decides: a receipt is claimed there before any byte goes to
 * the printer, and marked done when the printer took it all, so no restart
 * prints it twice. The printer's answer comes later, through the loop; the
 * screen that asked hears of it only if it is still on the stack.
 */
#ifndef KIOSK_RECEIPT_H
#define KIOSK_RECEIPT_H

#include <stdbool.h>

#include "printer.h"

struct app;
struct screen;

/* What a screen hears: PRINTER_OK (printed), a fault (the citizen is
 * offered the receipt on screen instead), or PRINTER_ABSENT also when it
 * was printed before (already claimed). */
typedef void (*receipt_fn)(struct screen *s, enum printer_status st);

/* The printer of --printer, opened at first use; NULL for "none" or a
 * printer that cannot be used at all. */
struct printer *app_printer(struct app *a);

/* Prints the receipt of the outbox's payment `key` (a success; verify: what
 * its QR holds, may be NULL) unless it was claimed before. The printer's
 * state is asked first: a fault claims nothing. s and fn (may be NULL)
 * hear how it went, later (through the loop), or at once with
 * PRINTER_ABSENT when there is no printer or outbox (returns false). */
bool receipt_print(struct app *a, const char *key, const char *verify, struct screen *s, receipt_fn fn);

/* Prints a receipt that is no payment's (r: an application's 回执, with
 * no_amount; encoded now, so r is borrowed for the call only), after the
 * printer's state is asked. Nothing is claimed: printing it again is
 * harmless. s and fn as above. */
struct receipt;
bool receipt_print_doc(struct app *a, const struct receipt *r, struct screen *s, receipt_fn fn);

#endif
