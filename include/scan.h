/* scan.h: scanners behind one small interface. A scanner is opened from a
 * "kind:argument" string and reports each scanned code to the app in the
 * loop thread; blocking work (camera frames, image decoding) runs in a
 * worker thread and comes back through loop_post().
 *
 *   camera:/dev/videoN      libzbar video; the device fd is in the loop
 *   serial:/dev/ttyACM0[,9600]  one line per code
 *   images:DIR              each PGM/PPM file that appears in DIR (inotify)
 *   fifo:PATH               each line written to the FIFO is one code
 *   evdev:PATH[,LAYOUT]     a USB scanner in keyboard mode, read from its
 *                           input event node and grabbed (it never types
 *                           into the terminal); key codes to text with
 *                           LAYOUT (us, de, fr: evkeys.h). A FIFO or file of
 *                           recorded struct input_event is replayed.
 *
 * Scanners that type on the terminal itself (keyboard wedge) are taken
 * only with [scanner] wedge = on: see wedge.h.
 * A scanner that is missing or fails is reported (status callback, log) and
 * retried every few seconds; the others keep working.
 */
#ifndef KIOSK_SCAN_H
#define KIOSK_SCAN_H

#include <stdbool.h>
#include <stddef.h>

struct loop;
struct scanner;

/* Longest code accepted; a longer line is reported as SCAN_TOO_LONG and
 * dropped whole (up to its newline). */
#define SCAN_MAX_CODE 4096

enum scan_event {
	SCAN_CODE,      /* code/len: the raw bytes scanned (not sanitized!) */
	SCAN_TOO_LONG,  /* a line longer than SCAN_MAX_CODE was discarded */
	SCAN_NO_CODE,   /* images: a file held no readable code; evdev: a code with
	                 * keys that are no text (why: English, for the log) */
	SCAN_BAD_FILE,  /* images: not a PGM/PPM we can read */
	SCAN_FAILED,    /* the device failed or vanished (why: English, for the log) */
	SCAN_READY,     /* the device is (again) working */
};

/* Called in the loop thread. `source` is the scanner's spec string. */
typedef void (*scan_fn)(void *ud, enum scan_event ev, const char *code, size_t len,
                        const char *source, const char *why);

/* Opens a scanner. A bad spec (unknown kind, missing argument) returns NULL
 * with an English message in err. A device that cannot be opened now is
 * NOT an error: the scanner is returned, reports SCAN_FAILED, and retries. */
struct scanner *scanner_open(struct loop *l, const char *spec, scan_fn fn, void *ud,
                             char *err, size_t errlen);
void scanner_free(struct scanner *s);
const char *scanner_spec(const struct scanner *s);
bool scanner_ok(const struct scanner *s);

#endif
