/* keys.c: the terminal's bytes read as whole keys.
 *
 * A state machine over single bytes (ECMA-48 shapes: ESC, CSI with
 * parameters, intermediates and a final byte, SS3, control strings, plus
 * the Linux console's ESC [ [ A..E, rxvt's "n $" and X10 mouse reports),
 * so a sequence split across reads reads exactly as one that came whole.
 * Only a complete sequence is looked up; whatever it does not name is
 * dropped with all its bytes. That is the point: ncurses, meeting a
 * sequence not in terminfo, handed back its bytes one by one, and
 * ESC [ 1 ; 5 k became Esc, '1' and '5', each a button on some screen.
 *
 * A byte that cannot be part of the sequence being read (a control, ESC)
 * ends it, dropped, and is read afresh: a broken sequence costs itself,
 * never the key after it.
 */
#include "keys.h"

#include <string.h>

enum {
	KS_GROUND,
	KS_ESC,       /* ESC seen: Esc, Alt + a key, or a sequence's start */
	KS_CSI,
	KS_CSI_LINUX, /* ESC [ [: the Linux console's F1..F5 */
	KS_SS3,
	KS_STR,       /* OSC, DCS, APC, PM, SOS: up to BEL or ST */
	KS_STR_ESC,
	KS_X10,       /* ESC [ M and three raw bytes */
	KS_UTF8,
};

#define PARAM_MAX 9999999
/* kitty's private-use key numbers (its "functional key definitions") */
#define KITTY_KP_0 57399
#define KITTY_KP_DECIMAL 57409
#define KITTY_KP_MULTIPLY 57411
#define KITTY_KP_ENTER 57414
#define KITTY_KP_LEFT 57417
#define KITTY_KP_DELETE 57426
#define PUA_FIRST 57344
#define PUA_LAST 63743

void keys_init(struct keys *k)
{
	memset(k, 0, sizeof *k);
	k->state = KS_GROUND;
}

static void seq_begin(struct keys *k, int state, long long now)
{
	k->state = state;
	k->start_ms = now;
	k->marker = 0;
	k->n = 0;
	k->inter = 0;
	k->bad = false;
	k->any = false;
	k->np = 0;
	k->nsub = 0;
	k->p[0] = -1;
	k->sub[0] = -1;
}

static struct keys_event key_ev(int key)
{
	return (struct keys_event){ .kind = KEYS_KEY, .key = key };
}

static struct keys_event text_ev(unsigned cp)
{
	return (struct keys_event){ .kind = KEYS_TEXT, .key = (int)cp };
}

/* The key being read is complete: out it goes, unless an Alt before it
 * (or a late tail) drops it. */
static size_t put(struct keys *k, struct keys_event *out, struct keys_event ev)
{
	bool drop = k->drop;
	k->drop = false;
	k->state = KS_GROUND;
	if (drop)
		return 0;
	*out = ev;
	return 1;
}

/* The sequence being read is complete, or broken, and means nothing. */
static size_t none(struct keys *k)
{
	k->drop = false;
	k->state = KS_GROUND;
	return 0;
}

static int nparams(const struct keys *k)
{
	return k->any ? k->np + 1 : 0;
}

/* Parameter i, if present, is an xterm/kitty modifier (1 + bits) naming
 * no chord: Caps Lock and Num Lock (64, 128) are states, not chords. A
 * kitty release event (sub-parameter 3) is no key press either. */
static bool unmodified(const struct keys *k, int i)
{
	if (i >= nparams(k))
		return true;
	int m = k->p[i];
	if (m > 1 && ((m - 1) & ~(64 | 128)))
		return false;
	return k->sub[i] != 3;
}

static void param_byte(struct keys *k, unsigned char b, bool first, bool csi)
{
	if (b >= 0x3C) { /* < = > ? : a private marker, first or never */
		if (csi && first)
			k->marker = b;
		else
			k->bad = true;
		return;
	}
	if (k->inter) {
		k->bad = true; /* parameters after intermediates */
		return;
	}
	k->any = true;
	if (b == ';') {
		if (k->np + 1 >= KEYS_MAX_PARAMS) {
			k->bad = true;
			return;
		}
		k->np++;
		k->p[k->np] = -1;
		k->sub[k->np] = -1;
		k->nsub = 0;
		return;
	}
	if (b == ':') {
		k->nsub++;
		return;
	}
	int *v = k->nsub == 0 ? &k->p[k->np] : k->nsub == 1 ? &k->sub[k->np] : NULL;
	if (!v)
		return; /* later sub-parameters (kitty's text, alternate keys) */
	int d = b - '0';
	*v = *v < 0 ? d : *v >= PARAM_MAX ? PARAM_MAX : *v * 10 + d;
}

static struct keys_event mouse_ev(int cb, int x, int y, bool press)
{
	struct keys_event ev = { .kind = KEYS_MOUSE, .x = x, .y = y };
	int base = cb & 3;
	ev.mods = (unsigned)(cb >> 2) & 7;
	ev.motion = (cb & 32) != 0;
	if (cb & 128)
		ev.button = 8 + base;
	else if (cb & 64)
		ev.button = 4 + base;
	else
		ev.button = base == 3 ? 0 : base + 1;
	ev.press = press && ev.button != 0;
	return ev;
}

/* "CSI n ~" keys: VT220, xterm, rxvt (7 and 8), the Linux console. */
static int tilde_key(int n)
{
	switch (n) {
	case 1: case 7: return K_HOME;
	case 4: case 8: return K_END;
	case 2: return K_IC;
	case 3: return K_DC;
	case 5: return K_PPAGE;
	case 6: return K_NPAGE;
	case 11: case 12: case 13: case 14: case 15: return K_F(n - 10);
	case 17: case 18: case 19: case 20: case 21: return K_F(n - 11);
	case 23: case 24: return K_F(n - 12);
	default: return 0; /* F13 and above, Help, Menu, paste brackets... */
	}
}

/* "CSI letter" and "SS3 letter" keys. F3 is never CSI R: that is also a
 * cursor position report. */
static int letter_key(int f, bool ss3)
{
	switch (f) {
	case 'A': return K_UP;
	case 'B': return K_DOWN;
	case 'C': return K_RIGHT;
	case 'D': return K_LEFT;
	case 'H': return K_HOME;
	case 'F': return K_END;
	case 'P': return K_F(1);
	case 'Q': return K_F(2);
	case 'R': return ss3 ? K_F(3) : 0;
	case 'S': return K_F(4);
	default: return 0;
	}
}

/* kitty's CSI u without modifiers (its "disambiguate" mode, or a key it
 * has no legacy encoding for). */
static bool kitty_key(int code, struct keys_event *ev)
{
	static const int kp_nav[] = { K_LEFT, K_RIGHT, K_UP, K_DOWN, K_PPAGE,
	                              K_NPAGE, K_HOME, K_END, K_IC, K_DC };
	switch (code) {
	case 27: *ev = key_ev(K_ESC); return true;
	case 13: *ev = key_ev(K_RETURN); return true;
	case 9: *ev = key_ev('\t'); return true;
	case 127: *ev = key_ev(K_BACKSPACE); return true;
	case KITTY_KP_DECIMAL: *ev = text_ev('.'); return true;
	case KITTY_KP_MULTIPLY: *ev = text_ev('*'); return true;
	case KITTY_KP_ENTER: *ev = key_ev(K_ENTER); return true;
	default: break;
	}
	if (code >= KITTY_KP_0 && code <= KITTY_KP_0 + 9) {
		*ev = text_ev((unsigned)('0' + code - KITTY_KP_0));
		return true;
	}
	if (code >= KITTY_KP_LEFT && code <= KITTY_KP_DELETE) {
		*ev = key_ev(kp_nav[code - KITTY_KP_LEFT]);
		return true;
	}
	/* A text key reported as a code ("report all keys"): its text. */
	if (code >= 0x20 && code != 0x7F && !(code >= 0x80 && code <= 0x9F) &&
	    !(code >= 0xD800 && code <= 0xDFFF) && !(code >= PUA_FIRST && code <= PUA_LAST) &&
	    code <= 0x10FFFF) {
		*ev = text_ev((unsigned)code);
		return true;
	}
	return false; /* KP + - / =, F13 and above, media and modifier keys */
}

static size_t csi_end(struct keys *k, int f, struct keys_event *out)
{
	int np = nparams(k);
	struct keys_event ev;
	if (k->bad || k->inter)
		return none(k);
	if (k->marker == '<') { /* SGR 1006 mouse: CSI < b ; x ; y M (press) or m */
		if ((f != 'M' && f != 'm') || np != 3 || k->p[0] < 0 || k->p[1] < 1 || k->p[2] < 1)
			return none(k);
		return put(k, out, mouse_ev(k->p[0], k->p[1] - 1, k->p[2] - 1, f == 'M'));
	}
	if (k->marker) /* terminal reports: DA, kitty's flags... */
		return none(k);
	bool known = false;
	if (f == 'u') {
		known = np >= 1 && np <= 3 && kitty_key(k->p[0], &ev);
	} else {
		int key = 0;
		if (f == '~' && (np == 1 || np == 2))
			key = tilde_key(k->p[0]);
		else if (f != '~' && (np == 0 || (np <= 2 && (k->p[0] == 1 || k->p[0] < 0))))
			key = letter_key(f, false);
		ev = key_ev(key);
		known = key != 0;
	}
	if (!known || !unmodified(k, 1))
		return none(k);
	return put(k, out, ev);
}

/* SS3: the cursor keys in application mode, F1..F4, the keypad in
 * application mode; xterm puts a modifier before the final
 * (ESC O 5 k: Ctrl + keypad +). */
static size_t ss3_end(struct keys *k, int f, struct keys_event *out)
{
	int np = nparams(k);
	if (k->bad || np > 2 || (np == 2 && k->p[0] != 1 && k->p[0] >= 0) ||
	    !unmodified(k, np == 2 ? 1 : 0))
		return none(k);
	int key = letter_key(f, true);
	if (key)
		return put(k, out, key_ev(key));
	if (f == 'M')
		return put(k, out, key_ev(K_ENTER));
	/* The digits, '.' and '*' are what a keypad-only citizen types; the
	 * kiosk has no use for + - / = and the separator. */
	if (f >= 'p' && f <= 'y')
		return put(k, out, text_ev((unsigned)('0' + f - 'p')));
	if (f == 'n')
		return put(k, out, text_ev('.'));
	if (f == 'j')
		return put(k, out, text_ev('*'));
	return none(k);
}

/* A C1 control, as an 8-bit byte or UTF-8 encoded: the introducers
 * start their sequence, the rest mean nothing. */
static size_t c1(struct keys *k, unsigned c, long long now)
{
	switch (c) {
	case 0x9B: seq_begin(k, KS_CSI, now); return 0;
	case 0x8F: seq_begin(k, KS_SS3, now); return 0;
	case 0x90: case 0x98: case 0x9D: case 0x9E: case 0x9F: seq_begin(k, KS_STR, now); return 0;
	default: return none(k);
	}
}

static size_t ground(struct keys *k, unsigned char b, long long now, struct keys_event *out)
{
	if (b == 0x1B) {
		k->state = KS_ESC;
		k->start_ms = now;
		return 0;
	}
	if (b < 0x80) {
		if (b == 0)
			return none(k); /* Ctrl+Space, Ctrl+@: a chord */
		if (b == '\r' || b == '\n')
			return put(k, out, key_ev(K_RETURN));
		if (b == 0x08 || b == 0x7F)
			return put(k, out, key_ev(K_BACKSPACE));
		if (b < 0x20)
			return put(k, out, key_ev(b));
		return put(k, out, text_ev(b));
	}
	if (b >= 0xC2 && b <= 0xDF) {
		k->need = 1;
		k->cp = b & 0x1Fu;
		k->cp_min = 0x80;
	} else if (b >= 0xE0 && b <= 0xEF) {
		k->need = 2;
		k->cp = b & 0x0Fu;
		k->cp_min = 0x800;
	} else if (b >= 0xF0 && b <= 0xF4) {
		k->need = 3;
		k->cp = b & 0x07u;
		k->cp_min = 0x10000;
	} else {
		return c1(k, b, now); /* 8-bit controls; the rest is no UTF-8 at all */
	}
	k->state = KS_UTF8;
	k->start_ms = now;
	return 0;
}

static size_t step(struct keys *k, unsigned char b, long long now, struct keys_event *out)
{
	bool late = k->late_until && now <= k->late_until;
	k->late_until = 0;
	if (late && k->state == KS_GROUND && (b == '[' || b == 'O')) {
		/* The rest of a sequence whose ESC came too late to be one. */
		k->drop = true;
		seq_begin(k, b == '[' ? KS_CSI : KS_SS3, now);
		return 0;
	}
	for (;;) {
		switch (k->state) {
		case KS_GROUND:
			return ground(k, b, now, out);
		case KS_ESC:
			switch (b) {
			case '[': seq_begin(k, KS_CSI, now); return 0;
			case 'O': seq_begin(k, KS_SS3, now); return 0;
			case ']': case 'P': case '_': case '^': case 'X': seq_begin(k, KS_STR, now); return 0;
			case 0x1B:
				/* Alt+Esc, or Alt + a key sent as a sequence
				 * (rxvt's Alt+Up: ESC ESC [ A) */
				k->drop = true;
				k->start_ms = now;
				return 0;
			default:
				/* Alt + a key: the key is read, then dropped */
				k->drop = true;
				k->state = KS_GROUND;
				continue;
			}
		case KS_CSI:
			if (k->n == 0 && b == '[') {
				k->state = KS_CSI_LINUX;
				return 0;
			}
			if (k->n == 0 && b == 'M') {
				k->state = KS_X10;
				return 0;
			}
			if (b >= 0x30 && b <= 0x3F) {
				param_byte(k, b, k->n++ == 0, true);
				return 0;
			}
			k->n++;
			if (b >= 0x20 && b <= 0x2F) {
				/* rxvt ends Shift + Home, F1... ("7 $") with '$',
				 * a byte that is otherwise an intermediate. */
				if (b == '$' && !k->marker && !k->inter && nparams(k) == 1 && !k->bad)
					return none(k);
				k->inter++;
				return 0;
			}
			if (b >= 0x40 && b <= 0x7E)
				return csi_end(k, b, out);
			none(k);
			continue;
		case KS_CSI_LINUX:
			if (b >= 0x40 && b <= 0x7E)
				return b >= 'A' && b <= 'E' ? put(k, out, key_ev(K_F(b - 'A' + 1))) : none(k);
			none(k);
			continue;
		case KS_SS3:
			if (b >= 0x30 && b <= 0x3F) {
				param_byte(k, b, false, false);
				return 0;
			}
			if (b >= 0x20 && b <= 0x7E)
				return ss3_end(k, b, out);
			none(k);
			continue;
		case KS_STR:
			if (b == 0x07 || b == 0x18 || b == 0x1A) /* BEL; CAN, SUB cancel */
				return none(k);
			if (b == 0x1B)
				k->state = KS_STR_ESC;
			return 0;
		case KS_STR_ESC:
			if (b == '\\') /* ST */
				return none(k);
			/* The string ended; this ESC starts something else. */
			none(k);
			k->state = KS_ESC;
			k->start_ms = now;
			continue;
		case KS_X10:
			if (b < 0x20) {
				none(k);
				continue;
			}
			k->x10[k->n++] = b;
			if (k->n < 3)
				return 0;
			if (k->x10[1] < 33 || k->x10[2] < 33)
				return none(k);
			return put(k, out, mouse_ev(k->x10[0] - 32, k->x10[1] - 33, k->x10[2] - 33, true));
		case KS_UTF8:
			if ((b & 0xC0) != 0x80) {
				none(k);
				continue;
			}
			k->cp = k->cp << 6 | (b & 0x3Fu);
			if (--k->need > 0)
				return 0;
			if (k->cp < k->cp_min || k->cp > 0x10FFFF || (k->cp >= 0xD800 && k->cp <= 0xDFFF))
				return none(k);
			if (k->cp < 0xA0)
				return c1(k, k->cp, now);
			return put(k, out, text_ev(k->cp));
		default:
			none(k);
			continue;
		}
	}
}

size_t keys_feed(struct keys *k, const void *bytes, size_t n, long long now_ms,
                 struct keys_event *out)
{
	const unsigned char *b = bytes;
	/* What waited too long ends before these bytes are read. */
	size_t m = keys_timeout(k, now_ms, out);
	for (size_t i = 0; i < n; i++)
		m += step(k, b[i], now_ms, out + m);
	return m;
}

long keys_deadline(const struct keys *k, long long now_ms)
{
	if (k->state == KS_GROUND)
		return -1;
	long long at = k->start_ms + (k->state == KS_ESC ? KEYS_ESC_MS : KEYS_SEQ_MS);
	return at <= now_ms ? 0 : (long)(at - now_ms);
}

size_t keys_timeout(struct keys *k, long long now_ms, struct keys_event *out)
{
	if (keys_deadline(k, now_ms) != 0)
		return 0;
	if (k->state == KS_ESC) {
		k->late_until = now_ms + KEYS_SEQ_MS;
		return put(k, out, key_ev(K_ESC));
	}
	return none(k);
}
