/* wedge.c: telling a keyboard-wedge scanner from a person by timing alone.
 *
 * Printable keys are held while it is undecided whether they are a person
 * typing or a scanner "typing" a code. Each key must come within max_gap_ms
 * of the previous one for the burst to go on; a slower key, a function key
 * or a flush at the deadline gives the held keys back, in order, as keys.
 * Enter after at least min_len held keys makes them one scan.
 *
 * Gaps: a key exactly max_gap_ms after the previous one is still in the
 * burst; wedge_deadline() is that same instant, so a flush at the deadline
 * and a key at the deadline agree (whichever the caller sees first wins).
 */
#include "wedge.h"

#include <string.h>

#define WEDGE_DEFAULT_GAP 35
#define WEDGE_DEFAULT_MIN 6

void wedge_init(struct wedge *w, const struct wedge_cfg *cfg)
{
	memset(w, 0, sizeof *w);
	w->cfg.max_gap_ms = cfg && cfg->max_gap_ms > 0 ? cfg->max_gap_ms : WEDGE_DEFAULT_GAP;
	w->cfg.min_len = cfg && cfg->min_len > 0 ? cfg->min_len : WEDGE_DEFAULT_MIN;
	/* A scan longer than WEDGE_MAX is reported as too long anyway. */
	if (w->cfg.min_len > WEDGE_MAX)
		w->cfg.min_len = WEDGE_MAX;
}

/* Scanned codes may be personal tokens: do not leave them lying around. */
static void wedge_wipe_scan(struct wedge *w)
{
	if (w->scan_len)
		explicit_bzero(w->scan, w->scan_len);
	w->scan_len = 0;
	w->scan[0] = '\0';
}

static size_t wedge_release(struct wedge *w, struct wedge_out *out, size_t n)
{
	for (size_t i = 0; i < w->n_held; i++)
		out[n++] = (struct wedge_out){ .kind = WEDGE_KEY, .key = w->held[i] };
	if (w->n_held)
		explicit_bzero(w->held, w->n_held * sizeof w->held[0]);
	w->n_held = 0;
	return n;
}

static size_t wedge_utf8(unsigned cp, char *s)
{
	/* The caller said "printable"; a value that is no code point at all
	 * still must not produce invalid UTF-8. */
	if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
		cp = 0xFFFD;
	if (cp < 0x80) {
		s[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		s[0] = (char)(0xC0 | cp >> 6);
		s[1] = (char)(0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp < 0x10000) {
		s[0] = (char)(0xE0 | cp >> 12);
		s[1] = (char)(0x80 | (cp >> 6 & 0x3F));
		s[2] = (char)(0x80 | (cp & 0x3F));
		return 3;
	}
	s[0] = (char)(0xF0 | cp >> 18);
	s[1] = (char)(0x80 | (cp >> 12 & 0x3F));
	s[2] = (char)(0x80 | (cp >> 6 & 0x3F));
	s[3] = (char)(0x80 | (cp & 0x3F));
	return 4;
}

static bool wedge_is_enter(int key, bool printable)
{
	/* The contract says Enter is '\r'; a terminal in some modes gives '\n'. */
	return !printable && (key == '\r' || key == '\n');
}

size_t wedge_feed(struct wedge *w, int key, bool printable, long long now_ms,
                  struct wedge_out *out)
{
	size_t n = 0;

	wedge_wipe_scan(w);
	/* Too slow for a scanner: what was held was a person typing. */
	if ((w->n_held || w->overflow) && now_ms - w->last_ms > w->cfg.max_gap_ms) {
		n = wedge_release(w, out, n);
		w->overflow = false;
	}
	w->last_ms = now_ms;

	if (printable) {
		if (w->overflow)
			return n; /* swallowing the rest of an overlong burst */
		if (w->n_held == WEDGE_MAX) {
			out[n++] = (struct wedge_out){ .kind = WEDGE_TOO_LONG };
			explicit_bzero(w->held, sizeof w->held);
			w->n_held = 0;
			w->overflow = true;
			return n;
		}
		w->held[w->n_held++] = key;
		return n;
	}

	if (wedge_is_enter(key, printable)) {
		if (w->overflow) {
			/* The Enter that ends a discarded scan is part of it. */
			w->overflow = false;
			return n;
		}
		if (w->n_held >= (size_t)w->cfg.min_len) {
			size_t len = 0;
			for (size_t i = 0; i < w->n_held; i++)
				len += wedge_utf8((unsigned)w->held[i], w->scan + len);
			w->scan[len] = '\0';
			w->scan_len = len;
			explicit_bzero(w->held, w->n_held * sizeof w->held[0]);
			w->n_held = 0;
			out[n++] = (struct wedge_out){ .kind = WEDGE_SCAN };
			return n;
		}
	}

	/* A function key, or Enter after too short a burst: the held keys were
	 * typed, and this key follows them. */
	n = wedge_release(w, out, n);
	w->overflow = false;
	out[n++] = (struct wedge_out){ .kind = WEDGE_KEY, .key = key };
	return n;
}

bool wedge_watch(struct wedge *w, int key, bool printable, long long now_ms)
{
	bool in_time = w->n_watched && now_ms - w->last_ms <= w->cfg.max_gap_ms;
	w->last_ms = now_ms;
	if (printable) {
		w->n_watched = in_time ? w->n_watched + 1 : 1;
		return false;
	}
	bool scan = in_time && wedge_is_enter(key, printable) && w->n_watched >= (size_t)w->cfg.min_len;
	w->n_watched = 0;
	return scan;
}

long wedge_deadline(const struct wedge *w, long long now_ms)
{
	if (!w->n_held)
		return -1;
	long long d = w->last_ms + w->cfg.max_gap_ms - now_ms;
	return d < 0 ? 0 : (long)d;
}

size_t wedge_flush(struct wedge *w, long long now_ms, struct wedge_out *out)
{
	wedge_wipe_scan(w);
	/* An overlong burst is over only once the gap has really passed: a
	 * flush in the middle of one must not let its tail come out as a scan. */
	if (w->overflow && now_ms - w->last_ms > w->cfg.max_gap_ms)
		w->overflow = false;
	return wedge_release(w, out, 0);
}
