/* evkeys.c: a scanner's key events back to the characters it meant.
 *
 * The layouts are tables from key code to the character of each level
 * (plain, Shift, AltGr), printable ASCII only: a 0 is a key that types
 * nothing a code may hold in that layout, and any code holding one is bad.
 * Why ASCII only: the codes we take are log-in tokens and form data made of
 * ASCII, and a scanner set to a layout can only type that layout's keys, so
 * an accented letter means the scanner's layout is not the one configured
 * (better to refuse the code than to hand on a wrong one).
 *
 * The tables follow the Linux console / XKB pc105 layouts of the same
 * names, which is what a scanner "set to German" emulates.
 */
#include "evkeys.h"

#include <ctype.h>
#include <linux/input-event-codes.h>
#include <string.h>
#include <strings.h>

#define EVKEYS_TABLE 128 /* every key a layout types is below this */

struct evkeys_key {
	char c[3];      /* plain, Shift, AltGr; 0: nothing printable */
	unsigned char dead; /* bit n: level n is a dead key */
};

#define LETTER(k, l) [k] = { { l, (char)((l) - 'a' + 'A'), 0 }, 0 }

/* Keys that type the same in us, de and fr (apart from their own rows). */
#define COMMON_LETTERS                                                             \
	LETTER(KEY_B, 'b'), LETTER(KEY_C, 'c'), LETTER(KEY_D, 'd'), LETTER(KEY_F, 'f'),  \
	LETTER(KEY_G, 'g'), LETTER(KEY_H, 'h'), LETTER(KEY_I, 'i'), LETTER(KEY_J, 'j'),  \
	LETTER(KEY_K, 'k'), LETTER(KEY_L, 'l'), LETTER(KEY_N, 'n'), LETTER(KEY_O, 'o'),  \
	LETTER(KEY_P, 'p'), LETTER(KEY_R, 'r'), LETTER(KEY_S, 's'), LETTER(KEY_T, 't'),  \
	LETTER(KEY_U, 'u'), LETTER(KEY_V, 'v'), LETTER(KEY_X, 'x')

static const struct evkeys_key layout_us[EVKEYS_TABLE] = {
	COMMON_LETTERS,
	LETTER(KEY_A, 'a'), LETTER(KEY_E, 'e'), LETTER(KEY_M, 'm'), LETTER(KEY_Q, 'q'),
	LETTER(KEY_W, 'w'), LETTER(KEY_Y, 'y'), LETTER(KEY_Z, 'z'),
	[KEY_1] = { { '1', '!', 0 }, 0 },  [KEY_2] = { { '2', '@', 0 }, 0 },
	[KEY_3] = { { '3', '#', 0 }, 0 },  [KEY_4] = { { '4', '$', 0 }, 0 },
	[KEY_5] = { { '5', '%', 0 }, 0 },  [KEY_6] = { { '6', '^', 0 }, 0 },
	[KEY_7] = { { '7', '&', 0 }, 0 },  [KEY_8] = { { '8', '*', 0 }, 0 },
	[KEY_9] = { { '9', '(', 0 }, 0 },  [KEY_0] = { { '0', ')', 0 }, 0 },
	[KEY_MINUS] = { { '-', '_', 0 }, 0 },      [KEY_EQUAL] = { { '=', '+', 0 }, 0 },
	[KEY_LEFTBRACE] = { { '[', '{', 0 }, 0 },  [KEY_RIGHTBRACE] = { { ']', '}', 0 }, 0 },
	[KEY_SEMICOLON] = { { ';', ':', 0 }, 0 },  [KEY_APOSTROPHE] = { { '\'', '"', 0 }, 0 },
	[KEY_GRAVE] = { { '`', '~', 0 }, 0 },      [KEY_BACKSLASH] = { { '\\', '|', 0 }, 0 },
	[KEY_COMMA] = { { ',', '<', 0 }, 0 },      [KEY_DOT] = { { '.', '>', 0 }, 0 },
	[KEY_SLASH] = { { '/', '?', 0 }, 0 },      [KEY_102ND] = { { '<', '>', 0 }, 0 },
	[KEY_SPACE] = { { ' ', ' ', 0 }, 0 },
};

/* German QWERTZ: ß, ü, ö, ä, §, °, ², ³, €, µ and ´ are not ASCII (0);
 * ^ (plain) and ` (Shift) on the keys left of 1 and of Backspace are dead. */
static const struct evkeys_key layout_de[EVKEYS_TABLE] = {
	COMMON_LETTERS,
	LETTER(KEY_A, 'a'), LETTER(KEY_W, 'w'),
	[KEY_Y] = { { 'z', 'Z', 0 }, 0 },  [KEY_Z] = { { 'y', 'Y', 0 }, 0 },
	[KEY_Q] = { { 'q', 'Q', '@' }, 0 }, [KEY_E] = { { 'e', 'E', 0 }, 0 },
	[KEY_M] = { { 'm', 'M', 0 }, 0 },
	[KEY_1] = { { '1', '!', 0 }, 0 },  [KEY_2] = { { '2', '"', 0 }, 0 },
	[KEY_3] = { { '3', 0, 0 }, 0 },    [KEY_4] = { { '4', '$', 0 }, 0 },
	[KEY_5] = { { '5', '%', 0 }, 0 },  [KEY_6] = { { '6', '&', 0 }, 0 },
	[KEY_7] = { { '7', '/', '{' }, 0 }, [KEY_8] = { { '8', '(', '[' }, 0 },
	[KEY_9] = { { '9', ')', ']' }, 0 }, [KEY_0] = { { '0', '=', '}' }, 0 },
	[KEY_MINUS] = { { 0, '?', '\\' }, 0 },
	[KEY_EQUAL] = { { 0, '`', 0 }, 2 },          /* ´ and ` dead */
	[KEY_LEFTBRACE] = { { 0, 0, 0 }, 0 },        /* ü */
	[KEY_RIGHTBRACE] = { { '+', '*', '~' }, 0 },
	[KEY_SEMICOLON] = { { 0, 0, 0 }, 0 },        /* ö */
	[KEY_APOSTROPHE] = { { 0, 0, 0 }, 0 },       /* ä */
	[KEY_GRAVE] = { { '^', 0, 0 }, 1 },          /* ^ dead, ° */
	[KEY_BACKSLASH] = { { '#', '\'', 0 }, 0 },
	[KEY_COMMA] = { { ',', ';', 0 }, 0 },        [KEY_DOT] = { { '.', ':', 0 }, 0 },
	[KEY_SLASH] = { { '-', '_', 0 }, 0 },        [KEY_102ND] = { { '<', '>', '|' }, 0 },
	[KEY_SPACE] = { { ' ', ' ', 0 }, 0 },
};

/* French AZERTY: the digits are on Shift; é è ç à ù ² £ ¤ µ § ° ¨ are not
 * ASCII (0); ^ (plain, left of $) and ~ (AltGr+2) are dead. */
static const struct evkeys_key layout_fr[EVKEYS_TABLE] = {
	COMMON_LETTERS,
	[KEY_Q] = { { 'a', 'A', 0 }, 0 },  [KEY_W] = { { 'z', 'Z', 0 }, 0 },
	[KEY_A] = { { 'q', 'Q', 0 }, 0 },  [KEY_Z] = { { 'w', 'W', 0 }, 0 },
	[KEY_SEMICOLON] = { { 'm', 'M', 0 }, 0 },
	LETTER(KEY_E, 'e'), LETTER(KEY_Y, 'y'),
	[KEY_1] = { { '&', '1', 0 }, 0 },   [KEY_2] = { { 0, '2', '~' }, 4 },
	[KEY_3] = { { '"', '3', '#' }, 0 }, [KEY_4] = { { '\'', '4', '{' }, 0 },
	[KEY_5] = { { '(', '5', '[' }, 0 }, [KEY_6] = { { '-', '6', '|' }, 0 },
	[KEY_7] = { { 0, '7', '`' }, 0 },   [KEY_8] = { { '_', '8', '\\' }, 0 },
	[KEY_9] = { { 0, '9', '^' }, 0 },   [KEY_0] = { { 0, '0', '@' }, 0 },
	[KEY_MINUS] = { { ')', 0, ']' }, 0 },      [KEY_EQUAL] = { { '=', '+', '}' }, 0 },
	[KEY_LEFTBRACE] = { { '^', 0, 0 }, 1 },    [KEY_RIGHTBRACE] = { { '$', 0, 0 }, 0 },
	[KEY_APOSTROPHE] = { { 0, '%', 0 }, 0 },   [KEY_BACKSLASH] = { { '*', 0, 0 }, 0 },
	[KEY_GRAVE] = { { 0, 0, 0 }, 0 },
	[KEY_M] = { { ',', '?', 0 }, 0 },          [KEY_COMMA] = { { ';', '.', 0 }, 0 },
	[KEY_DOT] = { { ':', '/', 0 }, 0 },        [KEY_SLASH] = { { '!', 0, 0 }, 0 },
	[KEY_102ND] = { { '<', '>', 0 }, 0 },
	[KEY_SPACE] = { { ' ', ' ', 0 }, 0 },
};

static const struct {
	const char *name;
	const struct evkeys_key *table;
	const char *unmapped; /* why a code with a key it cannot type is bad */
} layouts[] = {
	[EVKEYS_US] = { "us", layout_us, "a key with no printable ASCII character in layout us" },
	[EVKEYS_DE] = { "de", layout_de, "a key with no printable ASCII character in layout de" },
	[EVKEYS_FR] = { "fr", layout_fr, "a key with no printable ASCII character in layout fr" },
};

static const char WHY_CONTROL[] = "a control character (Tab, Esc, Backspace, Ctrl, Alt...)";
static const char WHY_DROPPED[] = "key events were lost (the kernel's buffer overflowed)";
static const char WHY_GARBAGE[] = "a record no input device sends (a recording out of step?)";
static const char WHY_DEAD[] = "a dead key not followed by space (an accented letter)";
static const char WHY_LONG[] = "code longer than 4096 characters";
static const char WHY_CUT[] = "the code did not end (no Enter)";

void evkeys_init(struct evkeys *d, enum evkeys_layout layout)
{
	memset(d, 0, sizeof *d);
	d->layout = (unsigned)layout < sizeof layouts / sizeof layouts[0] ? layout : EVKEYS_US;
}

bool evkeys_layout_parse(const char *name, enum evkeys_layout *out)
{
	for (size_t i = 0; i < sizeof layouts / sizeof layouts[0]; i++) {
		if (name && strcasecmp(name, layouts[i].name) == 0) {
			*out = (enum evkeys_layout)i;
			return true;
		}
	}
	return false;
}

const char *evkeys_layout_name(enum evkeys_layout layout)
{
	return (unsigned)layout < sizeof layouts / sizeof layouts[0] ? layouts[layout].name : "?";
}

/* Forgets the code being read, wiped; modifiers and caps lock stay. */
static void evkeys_drop(struct evkeys *d)
{
	explicit_bzero(d->buf, sizeof d->buf);
	d->len = 0;
	d->handed = false;
	d->overflow = false;
	d->bad = NULL;
	d->dead = 0;
	d->dead_bad = false;
}

void evkeys_done(struct evkeys *d)
{
	if (d->handed) {
		explicit_bzero(d->buf, d->len + 1);
		d->len = 0;
		d->handed = false;
	}
}

bool evkeys_pending(const struct evkeys *d)
{
	return !d->handed && (d->len > 0 || d->overflow || d->bad || d->dead || d->dead_bad);
}

enum evkeys_result evkeys_cut(struct evkeys *d)
{
	bool tell = evkeys_pending(d) && !d->overflow;
	const char *why = d->bad ? d->bad : WHY_CUT;

	evkeys_done(d);
	evkeys_drop(d);
	d->why = tell ? why : NULL;
	return tell ? EVKEYS_BAD : EVKEYS_MORE;
}

void evkeys_reset(struct evkeys *d)
{
	evkeys_init(d, d->layout);
	explicit_bzero(d->buf, sizeof d->buf); /* memset may be optimised away */
}

/* The code being read is bad: what was read of it is wiped at once, the
 * rest is swallowed up to its Enter. The first reason is kept. */
static void evkeys_bad(struct evkeys *d, const char *why)
{
	if (d->len)
		explicit_bzero(d->buf, d->len);
	d->len = 0;
	d->dead = 0;
	d->dead_bad = false;
	if (!d->overflow && !d->bad)
		d->bad = why;
}

static enum evkeys_result evkeys_type(struct evkeys *d, char c)
{
	if (d->overflow || d->bad)
		return EVKEYS_MORE;
	if (d->len == SCAN_MAX_CODE) {
		explicit_bzero(d->buf, d->len);
		d->len = 0;
		d->overflow = true;
		d->why = WHY_LONG;
		return EVKEYS_TOO_LONG;
	}
	d->buf[d->len++] = c;
	return EVKEYS_MORE;
}

static enum evkeys_result evkeys_end(struct evkeys *d)
{
	if (d->dead || d->dead_bad)
		evkeys_bad(d, WHY_DEAD);
	if (d->overflow) {
		evkeys_drop(d); /* reported when it overflowed */
		return EVKEYS_MORE;
	}
	if (d->bad) {
		d->why = d->bad;
		evkeys_drop(d);
		return EVKEYS_BAD;
	}
	if (d->len == 0)
		return EVKEYS_MORE;
	d->buf[d->len] = '\0';
	d->handed = true;
	return EVKEYS_CODE;
}

static bool evkeys_modifier(struct evkeys *d, uint16_t code, bool down)
{
	switch (code) {
	case KEY_LEFTSHIFT: d->lshift = down; return true;
	case KEY_RIGHTSHIFT: d->rshift = down; return true;
	case KEY_LEFTCTRL: d->lctrl = down; return true;
	case KEY_RIGHTCTRL: d->rctrl = down; return true;
	case KEY_LEFTALT: d->lalt = down; return true;
	case KEY_RIGHTALT: d->altgr = down; return true;
	case KEY_LEFTMETA: d->lmeta = down; return true;
	case KEY_RIGHTMETA: d->rmeta = down; return true;
	case KEY_CAPSLOCK: case KEY_NUMLOCK: case KEY_SCROLLLOCK:
		return true; /* locks: toggled by presses (evkeys_feed), never typed */
	default:
		return false;
	}
}

void evkeys_key_state(struct evkeys *d, uint16_t code, bool down)
{
	evkeys_modifier(d, code, down);
}

static char evkeys_keypad(const struct evkeys *d, uint16_t code)
{
	switch (code) {
	case KEY_KP0: return '0';
	case KEY_KP1: return '1';
	case KEY_KP2: return '2';
	case KEY_KP3: return '3';
	case KEY_KP4: return '4';
	case KEY_KP5: return '5';
	case KEY_KP6: return '6';
	case KEY_KP7: return '7';
	case KEY_KP8: return '8';
	case KEY_KP9: return '9';
	case KEY_KPDOT: return d->layout == EVKEYS_DE ? ',' : '.'; /* de: the decimal comma */
	case KEY_KPMINUS: return '-';
	case KEY_KPPLUS: return '+';
	case KEY_KPASTERISK: return '*';
	case KEY_KPSLASH: return '/';
	case KEY_KPEQUAL: return '=';
	case KEY_KPCOMMA: return ',';
	default: return 0;
	}
}

static bool evkeys_control_key(uint16_t code)
{
	switch (code) {
	case KEY_TAB: case KEY_ESC: case KEY_BACKSPACE: case KEY_DELETE: case KEY_LINEFEED:
		return true;
	default:
		return false;
	}
}

static enum evkeys_result evkeys_press(struct evkeys *d, uint16_t code)
{
	const struct evkeys_key *table = layouts[d->layout].table;
	bool shift = d->lshift || d->rshift;

	if (code == KEY_ENTER || code == KEY_KPENTER)
		return evkeys_end(d);
	if (d->lctrl || d->rctrl || d->lalt || d->lmeta || d->rmeta || evkeys_control_key(code)) {
		evkeys_bad(d, WHY_CONTROL);
		return EVKEYS_MORE;
	}
	char c = evkeys_keypad(d, code);
	bool dead = false;
	if (!c && code < EVKEYS_TABLE) {
		const struct evkeys_key *k = &table[code];
		int level;
		if (d->altgr)
			level = shift ? -1 : 2; /* AltGr+Shift: no ASCII in our layouts */
		else
			level = (shift != (d->caps && k->c[0] >= 'a' && k->c[0] <= 'z')) ? 1 : 0;
		if (level >= 0) {
			c = k->c[level];
			dead = k->dead >> level & 1;
		}
	}
	if (d->dead || d->dead_bad) {
		/* dead key + space types the dead key itself; anything else
		 * would be an accented letter */
		char was = d->dead;
		bool ok = code == KEY_SPACE && c == ' ' && !d->dead_bad;
		d->dead = 0;
		d->dead_bad = false;
		if (!ok) {
			evkeys_bad(d, WHY_DEAD);
			return EVKEYS_MORE;
		}
		return evkeys_type(d, was);
	}
	if (!c) {
		evkeys_bad(d, layouts[d->layout].unmapped);
		return EVKEYS_MORE;
	}
	if (dead) {
		if (!d->overflow && !d->bad)
			d->dead = c;
		return EVKEYS_MORE;
	}
	return evkeys_type(d, c);
}

enum evkeys_result evkeys_feed(struct evkeys *d, uint16_t type, uint16_t code, int32_t value)
{
	evkeys_done(d);
	d->why = NULL; /* the reason of the last report, read by now */

	if (type > EV_MAX) {
		evkeys_bad(d, WHY_GARBAGE);
		return EVKEYS_MORE;
	}
	if (type == EV_SYN) {
		if (code == SYN_DROPPED)
			evkeys_bad(d, WHY_DROPPED);
		return EVKEYS_MORE;
	}
	if (type != EV_KEY)
		return EVKEYS_MORE; /* EV_MSC (scan codes), EV_LED, EV_REP... */
	if (code > KEY_MAX || value < 0 || value > 2) {
		evkeys_bad(d, WHY_GARBAGE);
		return EVKEYS_MORE;
	}
	if (value == 2)
		return EVKEYS_MORE; /* auto-repeat: made up by the kernel */
	if (evkeys_modifier(d, code, value == 1)) {
		if (value == 1 && code == KEY_CAPSLOCK)
			d->caps = !d->caps;
		return EVKEYS_MORE;
	}
	if (value == 0)
		return EVKEYS_MORE;
	return evkeys_press(d, code);
}
