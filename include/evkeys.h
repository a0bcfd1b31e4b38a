/* evkeys.h: a USB barcode scanner's key events to whole codes (pure core).
 *
 * A HID scanner "types" each code as key presses of a keyboard with some
 * layout, then Enter. Read straight from its evdev node (scan_evdev.c),
 * those presses are (type, code, value) records as in struct input_event;
 * this decoder turns them back into the characters the scanner meant and
 * hands on each code when Enter (or keypad Enter) ends it. No libevdev, no
 * I/O: tests and the fuzzer feed it records directly.
 *
 * Decisions (docs: the usage text of evdev: scanners):
 *  - Only presses (value 1) type. Auto-repeat (value 2) is ignored: the
 *    kernel makes it up for a key held down, the scanner never sent it.
 *  - Shift (either) and caps lock (toggled by its presses, off at the start)
 *    as on a PC; caps lock only changes letters. AltGr (right Alt) gives the
 *    third level of the de and fr layouts. Ctrl, left Alt or Meta held with
 *    a key, and Tab, Esc, Backspace, Delete... are control characters: the
 *    code is bad.
 *  - The keypad types digits and . - + * / = , whatever NumLock says: a
 *    scanner that uses the keypad means digits, and we hold no NumLock state.
 *  - Only printable ASCII (0x20..0x7e) is typed: a key whose character in
 *    the layout is something else (de's umlauts, fr's accented letters), or
 *    none (F1, arrows), makes the code bad. Dead keys (de ^ and `, fr ^ and
 *    AltGr ~) followed by space type themselves; followed by anything else
 *    they would compose a non-ASCII letter: bad.
 *  - A bad code is read up to its Enter and reported once as EVKEYS_BAD,
 *    never handed on. A code longer than SCAN_MAX_CODE is reported as
 *    EVKEYS_TOO_LONG as soon as it overflows and the rest of it, up to its
 *    Enter, is dropped. Enter alone (an empty code) is nothing.
 *  - SYN_DROPPED (the kernel's buffer overflowed: events were lost) makes
 *    the code being read bad, even if nothing was read yet: what comes up
 *    to the next Enter may be the tail of a code whose head was lost.
 *  - Records that no kernel sends (a type above EV_MAX, a key code above
 *    KEY_MAX, a key value other than 0, 1, 2) are garbage, e.g. a recording
 *    read out of step: the code is bad.
 *
 * A code handed on (EVKEYS_CODE) is in d->buf until evkeys_done() wipes it;
 * the next evkeys_feed() wipes it too. Codes may be log-in tokens.
 */
#ifndef KIOSK_EVKEYS_H
#define KIOSK_EVKEYS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "scan.h" /* SCAN_MAX_CODE */

enum evkeys_layout {
	EVKEYS_US,  /* the default: what scanners ship with */
	EVKEYS_DE,  /* German QWERTZ */
	EVKEYS_FR,  /* French AZERTY */
};

enum evkeys_result {
	EVKEYS_MORE,     /* nothing to hand on yet */
	EVKEYS_CODE,     /* a whole code: d->buf, d->len (NUL-terminated) */
	EVKEYS_TOO_LONG, /* a code longer than SCAN_MAX_CODE is being dropped */
	EVKEYS_BAD,      /* a bad code ended; d->why says why */
};

struct evkeys {
	enum evkeys_layout layout;
	bool lshift, rshift, caps, altgr, lalt, lctrl, rctrl, lmeta, rmeta;
	char dead;          /* a dead key waiting for space (its own character) */
	bool dead_bad;      /* a dead key with no ASCII character of its own */
	bool handed;        /* buf holds a code handed on and not wiped yet */
	bool overflow;      /* the code is too long: dropped up to its Enter */
	const char *bad;    /* non-NULL: the code being read is bad, and why */
	const char *why;    /* why the last EVKEYS_BAD or EVKEYS_TOO_LONG (static,
	                     * English, never any of the code's characters) */
	size_t len;
	char buf[SCAN_MAX_CODE + 1];
};

void evkeys_init(struct evkeys *d, enum evkeys_layout layout);

/* "us", "de", "fr" (case does not matter); false for anything else. */
bool evkeys_layout_parse(const char *name, enum evkeys_layout *out);
const char *evkeys_layout_name(enum evkeys_layout layout);

/* Feeds one record. */
enum evkeys_result evkeys_feed(struct evkeys *d, uint16_t type, uint16_t code, int32_t value);

/* The state of a key as the device says it is now (libevdev's state at
 * open, or its sync events after SYN_DROPPED): modifiers follow it, nothing
 * is typed. */
void evkeys_key_state(struct evkeys *d, uint16_t code, bool down);

/* Wipes the code handed on by the last EVKEYS_CODE. */
void evkeys_done(struct evkeys *d);

/* A code is being read (something typed, or a bad or overlong code not yet
 * ended): the caller may time it out with evkeys_reset. */
bool evkeys_pending(const struct evkeys *d);

/* The code being read ends without its Enter (nothing came for too long,
 * the recording ended): it is wiped, and EVKEYS_BAD (d->why) if there was
 * one that was not reported yet, else EVKEYS_MORE. Modifiers and caps lock
 * stay. */
enum evkeys_result evkeys_cut(struct evkeys *d);

/* Forgets everything but the layout, wiped (the device was closed). */
void evkeys_reset(struct evkeys *d);

#endif
