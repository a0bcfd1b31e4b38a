/* fuzz_keys.c: libFuzzer target for the terminal's key reader (keys.c).
 *
 * Beyond "no crash": the input read whole, byte by byte, and cut at the
 * places the first byte picks gives the same events (state survives split
 * reads); every event is well formed (text is a printable code point, keys
 * are known codes or C0 controls, mouse cells are not negative); nothing
 * is pending once the sequence timeout has passed; and one complete
 * sequence built from the input (a CSI, an SS3 or a control string) gives
 * at most one event, a string none: a sequence is never let out in pieces.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "keys.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAXIN 4096

static struct keys_event ev_a[MAXIN + 1], ev_b[MAXIN + 2], ev_c[MAXIN + 2];

static bool known_key(int key)
{
	static const int keys[] = { K_UP, K_DOWN, K_LEFT, K_RIGHT, K_HOME, K_END, K_IC, K_DC,
	                            K_PPAGE, K_NPAGE, K_ENTER, K_BACKSPACE };
	if (key > 0 && key < 0x20)
		return key != 0x08; /* ^H is K_BACKSPACE */
	if (key >= K_F(1) && key <= K_F(12))
		return true;
	for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
		if (key == keys[i])
			return true;
	return false;
}

static void check_events(const struct keys_event *ev, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const struct keys_event *e = &ev[i];
		switch (e->kind) {
		case KEYS_TEXT:
			if (e->key < 0x20 || e->key == 0x7F || (e->key >= 0x80 && e->key < 0xA0) ||
			    e->key > 0x10FFFF || (e->key >= 0xD800 && e->key <= 0xDFFF))
				abort();
			break;
		case KEYS_KEY:
			if (!known_key(e->key))
				abort();
			break;
		case KEYS_MOUSE:
			if (e->x < 0 || e->y < 0 || e->button < 0 || e->button > 11 || e->mods > 7 ||
			    (e->press && e->button == 0))
				abort();
			break;
		default:
			abort();
		}
	}
}

static bool same(const struct keys_event *a, const struct keys_event *b, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (a[i].kind != b[i].kind || a[i].key != b[i].key)
			return false;
		if (a[i].kind == KEYS_MOUSE &&
		    (a[i].button != b[i].button || a[i].press != b[i].press || a[i].motion != b[i].motion ||
		     a[i].mods != b[i].mods || a[i].x != b[i].x || a[i].y != b[i].y))
			return false;
	}
	return true;
}

/* Fed in pieces: cut where bit (i % 8) of `cuts` says, one byte at a time
 * if cuts is 0xFF. Time stands still, so no timeout may fire. */
static size_t feed_cut(const uint8_t *d, size_t n, unsigned cuts, struct keys_event *out)
{
	struct keys k;
	size_t m = 0, from = 0;
	keys_init(&k);
	for (size_t i = 0; i < n; i++) {
		if (i + 1 == n || (cuts >> (i % 8) & 1)) {
			m += keys_feed(&k, d + from, i + 1 - from, 0, out + m);
			from = i + 1;
		}
	}
	return m;
}

/* One complete sequence: intro, then the input mapped onto parameter and
 * intermediate bytes (or string bytes), then a final byte. */
static void one_sequence(const uint8_t *d, size_t n)
{
	static uint8_t s[MAXIN + 8];
	struct keys k;
	size_t len = 0, m;
	unsigned kind = n ? d[0] % 3 : 0;
	if (n < 2)
		return;
	if (kind == 2) { /* a control string: OSC, ended by BEL */
		s[len++] = 0x1B;
		s[len++] = ']';
		for (size_t i = 1; i < n; i++)
			s[len++] = (uint8_t)(0x20 + d[i] % 0x5F); /* printable, never ESC */
		s[len++] = 0x07;
	} else {
		s[len++] = 0x1B;
		s[len++] = kind ? 'O' : '[';
		/* CSI: parameter and intermediate bytes (0x20..0x3F); SS3:
		 * parameter bytes only, its intermediates end it */
		for (size_t i = 1; i + 1 < n; i++)
			s[len++] = (uint8_t)(kind ? 0x30 + d[i] % 0x10 : 0x20 + d[i] % 0x20);
		s[len++] = (uint8_t)(0x40 + d[n - 1] % 0x3F); /* a final byte */
	}
	/* "ESC [ M" is followed by three raw bytes, "ESC [ [" by one: not
	 * complete. */
	if (kind == 0 && (s[2] == 'M' || s[2] == '['))
		return;
	keys_init(&k);
	m = keys_feed(&k, s, len, 0, ev_b);
	check_events(ev_b, m);
	/* rxvt's "n $" ends a CSI early: what follows is read afresh. */
	if (kind == 0 && memchr(s + 2, '$', len - 2))
		return;
	if (m > 1 || (kind == 2 && m != 0))
		abort();
	if (keys_deadline(&k, 0) != -1) /* complete: nothing pending */
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct keys k;
	size_t n = size > MAXIN ? MAXIN : size, ma, mb, mc;
	unsigned cuts = n ? data[0] : 0;

	keys_init(&k);
	ma = keys_feed(&k, data, n, 0, ev_a);
	if (ma > n + 1)
		abort();
	check_events(ev_a, ma);
	if (keys_deadline(&k, 0) > KEYS_SEQ_MS)
		abort();
	/* Time passes: nothing is left pending. */
	ma += keys_timeout(&k, KEYS_SEQ_MS, ev_a + ma);
	check_events(ev_a, ma);
	if (keys_deadline(&k, KEYS_SEQ_MS) != -1)
		abort();

	mb = feed_cut(data, n, 0xFF, ev_b);
	mc = feed_cut(data, n, cuts, ev_c);
	/* ev_a also holds what the timeout let out; the split reads did not
	 * time out, so they have at most that one event fewer. */
	if (mb != mc || !same(ev_b, ev_c, mb) || mb > ma || ma - mb > 1 || !same(ev_a, ev_b, mb))
		abort();

	one_sequence(data, n);
	return 0;
}
