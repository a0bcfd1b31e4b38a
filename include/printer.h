/* printer.h: the receipt printer behind one small interface. A printer is
 * opened from a "kind:argument" string (--printer, [printer] device):
 *
 *   escpos:/dev/usb/lp0          an ESC/POS printer on USB (usblp)
 *   escpos:/dev/ttyS0,19200      ... on a serial port, at that baud (raw
 *                                8N1, no flow control; without ",BAUD" the
 *                                port's speed is left as it is)
 *   file:PATH                    appends the exact bytes to PATH (tests);
 *                                a file PATH.status holding "paper_out",
 *                                "cover_open", "offline" or "absent" makes
 *                                the printer report that fault (and refuse
 *                                to print) until it is removed or says "ok"
 *   none                         no printer: always PRINTER_ABSENT
 *
 * Nothing here blocks the loop. The device is opened (O_NONBLOCK) for each
 * job and closed after it, so a printer unplugged and plugged in again is
 * simply found again. An escpos job first asks the printer's real-time
 * status (DLE EOT 1-4, see escpos.h) and waits for the answers through the
 * loop, at most printer_status_ms; a printer that does not answer in time
 * is PRINTER_OFFLINE. Then a print job writes through the loop (POLLOUT)
 * and reports once the device has taken every byte.
 *
 * A fault is logged once when it starts (kind and path, never what is
 * printed) and once when the printer works again, not at every attempt.
 */
#ifndef KIOSK_PRINTER_H
#define KIOSK_PRINTER_H

#include <stddef.h>

struct loop;
struct printer;

enum printer_status {
	PRINTER_OK,
	PRINTER_PAPER_OUT,
	PRINTER_COVER_OPEN,
	PRINTER_OFFLINE,    /* not answering, reporting an error, busy */
	PRINTER_ABSENT,     /* none, or the device cannot be opened (missing,
	                     * unplugged, no permission) */
};

/* Timing (ms). Tests may shorten them; nothing else should. */
extern long printer_status_ms;  /* 300: the four status answers within this */
extern long printer_write_ms;   /* 10000: the whole receipt taken within this */

/* "ok", "paper_out", "cover_open", "offline", "absent". */
const char *printer_status_name(enum printer_status st);

/* Checks a spec without opening anything: 0, or -1 with an English
 * message (for the configuration's errors). */
int printer_spec_check(const char *spec, char *err, size_t errlen);

/* Opens a printer. A bad spec returns NULL with an English message. A
 * device that does not exist is NOT an error: the printer is returned and
 * its jobs report PRINTER_ABSENT. */
struct printer *printer_open(struct loop *l, const char *spec, char *err, size_t errlen);
/* Jobs still waiting are dropped, their callbacks never called. May be
 * called from inside a printer callback. NULL is fine. */
void printer_free(struct printer *p);
const char *printer_spec(const struct printer *p);

/* Called in the loop thread, never from inside printer_check/print. why is
 * NULL for PRINTER_OK, else an English reason for the log or staff (never
 * holds printed text). */
typedef void (*printer_fn)(void *ud, enum printer_status st, const char *why);

/* Asks the printer's state; fn gets it (within printer_status_ms for
 * escpos). Jobs run one after another in the order given. p is a printer
 * from printer_open (with NULL nothing happens: fn is never called). An
 * escpos printer with no channel back (usblp says EINVAL to a read) cannot
 * tell its state: it is PRINTER_OK, and logged once. */
void printer_check(struct printer *p, printer_fn fn, void *ud);
/* Prints bytes (copied): checks the state first, and prints only if it is
 * PRINTER_OK; fn gets PRINTER_OK once every byte was taken, or the fault
 * (a fault during the write may leave part of the receipt printed). */
void printer_print(struct printer *p, const void *bytes, size_t n, printer_fn fn, void *ud);

/* The state found by the last finished job (PRINTER_OK before any). */
enum printer_status printer_last_status(const struct printer *p);

#endif
