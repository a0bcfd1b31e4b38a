/* wedge.h: telling a keyboard-wedge scanner from a person (pure core).
 *
 * A USB scanner in keyboard mode "types" a code far faster than a person:
 * a burst of printable characters, each within max_gap_ms of the last,
 * ending in Enter. Printable keys are held back for up to max_gap_ms while
 * that is undecided; a person's keys come out as keys (delayed by at most
 * max_gap_ms), a burst of at least min_len characters ending in Enter comes
 * out as one scan. Non-printable keys (arrows...) end a burst and pass.
 */
#ifndef KIOSK_WEDGE_H
#define KIOSK_WEDGE_H

#include <stdbool.h>
#include <stddef.h>

#define WEDGE_MAX 4096  /* longer bursts are reported as too long */

struct wedge_cfg {
	int max_gap_ms;  /* default 35 */
	int min_len;     /* default 6 */
};

enum wedge_out_kind { WEDGE_KEY, WEDGE_SCAN, WEDGE_TOO_LONG };

struct wedge_out {
	enum wedge_out_kind kind;
	int key;         /* WEDGE_KEY: the key, as given to wedge_feed */
};

struct wedge {
	struct wedge_cfg cfg;
	int held[WEDGE_MAX];       /* keys held back, in order */
	size_t n_held;
	long long last_ms;
	bool overflow;
	char scan[WEDGE_MAX * 4 + 1]; /* the last scan, UTF-8, NUL-terminated */
	size_t scan_len;
	size_t n_watched;          /* wedge_watch: printable keys in the burst so far */
};

void wedge_init(struct wedge *w, const struct wedge_cfg *cfg);

/* Feeds one key at time now_ms. `printable` says whether key is a text
 * character (code point) rather than a function key; Enter is key '\r' with
 * printable false. Appends what comes out to out[] (at most WEDGE_MAX + 2
 * entries; size it so) and returns the count. A WEDGE_SCAN's text is in
 * w->scan / w->scan_len until the next call. */
size_t wedge_feed(struct wedge *w, int key, bool printable, long long now_ms,
                  struct wedge_out *out);

/* Time (ms from now_ms) when wedge_flush must be called if no key comes,
 * or -1 if nothing is held. */
long wedge_deadline(const struct wedge *w, long long now_ms);

/* No key came in time: releases the held keys as keys. Returns the count. */
size_t wedge_flush(struct wedge *w, long long now_ms, struct wedge_out *out);

/* The detector switched off ([scanner] wedge = off): nothing is held, every
 * key passes at once, and this only watches. True when key (an Enter) ends
 * a burst that wedge_feed's rule would have taken for a scan: at least
 * min_len printable keys, each within max_gap_ms of the last, and the
 * Enter within max_gap_ms too. Keeps a count and a time, never the text.
 * Not to be mixed with wedge_feed on the same struct. */
bool wedge_watch(struct wedge *w, int key, bool printable, long long now_ms);

#endif
