/* test_evkeys.c: a scanner's key events back to codes (evkeys.c): the
 * layouts, shift, caps lock, the keypad, both Enters, auto-repeat,
 * SYN_DROPPED, codes too long, keys that type nothing a code may hold,
 * control characters, garbage records, wiping; and a property: any
 * printable ASCII string typed the way a us scanner types it (either
 * shift, caps lock made up for, repeats and scan-code events in between)
 * comes back the same. */
#include <criterion/criterion.h>
#include <linux/input-event-codes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "evkeys.h"

static struct evkeys d;
/* What came out, flattened: a code as '[' code ']', too long as '!', a bad
 * code as '?'. */
static char got[SCAN_MAX_CODE * 3];
static size_t ngot;
static const char *last_why;
static int n_codes, n_bad, n_long;

static void setup(void)
{
	evkeys_init(&d, EVKEYS_US);
	ngot = 0;
	got[0] = '\0';
	last_why = NULL;
	n_codes = n_bad = n_long = 0;
}

TestSuite(evkeys, .init = setup);

static void put(const char *s, size_t n)
{
	cr_assert_lt(ngot + n, sizeof got, "output overflow");
	memcpy(got + ngot, s, n);
	ngot += n;
	got[ngot] = '\0';
}

static void take(enum evkeys_result r)
{
	switch (r) {
	case EVKEYS_MORE:
		break;
	case EVKEYS_CODE:
		cr_assert_gt(d.len, 0);
		cr_assert_leq(d.len, SCAN_MAX_CODE);
		cr_assert_eq(d.buf[d.len], '\0', "NUL-terminated");
		cr_assert_eq(strlen(d.buf), d.len);
		for (size_t i = 0; i < d.len; i++)
			cr_assert(d.buf[i] >= 0x20 && d.buf[i] < 0x7f, "byte %zu is 0x%02x", i,
			          (unsigned char)d.buf[i]);
		put("[", 1);
		put(d.buf, d.len);
		put("]", 1);
		n_codes++;
		break;
	case EVKEYS_TOO_LONG:
		cr_assert_not_null(d.why);
		last_why = d.why;
		put("!", 1);
		n_long++;
		break;
	case EVKEYS_BAD:
		cr_assert_not_null(d.why);
		last_why = d.why;
		put("?", 1);
		n_bad++;
		break;
	default:
		cr_assert_fail("result %d", (int)r);
	}
}

static void ev(uint16_t type, uint16_t code, int32_t value)
{
	take(evkeys_feed(&d, type, code, value));
}

static void syn(void)
{
	ev(EV_SYN, SYN_REPORT, 0);
}

/* As a keyboard sends it: MSC_SCAN, the key, SYN_REPORT. */
static void key(uint16_t code, int32_t value)
{
	ev(EV_MSC, MSC_SCAN, 0x70000 + code);
	ev(EV_KEY, code, value);
	syn();
}

static void tap(uint16_t code)
{
	key(code, 1);
	key(code, 0);
}

static void with(uint16_t mod, uint16_t code)
{
	key(mod, 1);
	tap(code);
	key(mod, 0);
}

static void enter(void)
{
	tap(KEY_ENTER);
}

/* ---- a us keyboard, written out independently of evkeys.c's tables ------ */

struct us_row {
	uint16_t first;
	const char *plain, *shifted;
};

static const struct us_row us_rows[] = {
	{ KEY_1, "1234567890-=", "!@#$%^&*()_+" },
	{ KEY_Q, "qwertyuiop[]", "QWERTYUIOP{}" },
	{ KEY_A, "asdfghjkl;'`", "ASDFGHJKL:\"~" },
	{ KEY_BACKSLASH, "\\zxcvbnm,./", "|ZXCVBNM<>?" },
	{ KEY_SPACE, " ", " " },
};

/* The key and shift that type c on a us keyboard. */
static void us_key(char c, uint16_t *code, bool *shift)
{
	for (size_t r = 0; r < sizeof us_rows / sizeof us_rows[0]; r++) {
		const char *p = strchr(us_rows[r].plain, c);
		if (p && c) {
			*code = (uint16_t)(us_rows[r].first + (p - us_rows[r].plain));
			*shift = false;
			return;
		}
		p = strchr(us_rows[r].shifted, c);
		if (p && c) {
			*code = (uint16_t)(us_rows[r].first + (p - us_rows[r].shifted));
			*shift = true;
			return;
		}
	}
	cr_assert_fail("no us key for 0x%02x", (unsigned char)c);
}

static void type_us(const char *s)
{
	for (; *s; s++) {
		uint16_t code;
		bool shift;
		us_key(*s, &code, &shift);
		if (shift)
			with(KEY_LEFTSHIFT, code);
		else
			tap(code);
	}
}

/* ---- layouts ------------------------------------------------------------ */

Test(evkeys, layout_names)
{
	enum evkeys_layout l = EVKEYS_FR;
	cr_assert(evkeys_layout_parse("us", &l));
	cr_assert_eq(l, EVKEYS_US);
	cr_assert(evkeys_layout_parse("DE", &l));
	cr_assert_eq(l, EVKEYS_DE);
	cr_assert(evkeys_layout_parse("fr", &l));
	cr_assert_eq(l, EVKEYS_FR);
	cr_assert_not(evkeys_layout_parse("uk", &l));
	cr_assert_not(evkeys_layout_parse("", &l));
	cr_assert_not(evkeys_layout_parse(NULL, &l));
	cr_assert_str_eq(evkeys_layout_name(EVKEYS_DE), "de");
	evkeys_init(&d, (enum evkeys_layout)42);
	cr_assert_eq(d.layout, EVKEYS_US, "an unknown layout is us");
}

Test(evkeys, us_plain_and_shift)
{
	type_us("Hello, World! 123");
	enter();
	type_us("GOVLOGIN:abc-XYZ_09~`{}|\\\"';:<>?/");
	enter();
	cr_assert_str_eq(got, "[Hello, World! 123][GOVLOGIN:abc-XYZ_09~`{}|\\\"';:<>?/]");
}

Test(evkeys, right_shift_and_both_shifts)
{
	with(KEY_RIGHTSHIFT, KEY_A);
	/* both down, one let go: still shifted */
	key(KEY_LEFTSHIFT, 1);
	key(KEY_RIGHTSHIFT, 1);
	key(KEY_LEFTSHIFT, 0);
	tap(KEY_B);
	key(KEY_RIGHTSHIFT, 0);
	tap(KEY_C);
	enter();
	cr_assert_str_eq(got, "[ABc]");
}

Test(evkeys, caps_lock)
{
	tap(KEY_CAPSLOCK);
	tap(KEY_A);
	with(KEY_LEFTSHIFT, KEY_B); /* caps + shift: lower case */
	tap(KEY_1);                 /* caps lock leaves digits alone */
	with(KEY_LEFTSHIFT, KEY_1);
	tap(KEY_SEMICOLON);         /* and punctuation */
	enter();
	tap(KEY_D);                 /* still on in the next code */
	enter();
	tap(KEY_CAPSLOCK);          /* off again */
	tap(KEY_E);
	enter();
	cr_assert_str_eq(got, "[Ab1!;][D][e]");
	/* caps lock's own repeat does not toggle it */
	tap(KEY_CAPSLOCK);
	key(KEY_CAPSLOCK, 1);
	key(KEY_CAPSLOCK, 2);
	key(KEY_CAPSLOCK, 0);
	tap(KEY_F);
	enter();
	cr_assert_str_eq(got, "[Ab1!;][D][e][f]");
}

Test(evkeys, keypad)
{
	static const uint16_t kp[] = { KEY_KP0, KEY_KP1, KEY_KP2, KEY_KP3, KEY_KP4, KEY_KP5,
	                               KEY_KP6, KEY_KP7, KEY_KP8, KEY_KP9, KEY_KPDOT,
	                               KEY_KPMINUS, KEY_KPPLUS, KEY_KPASTERISK, KEY_KPSLASH,
	                               KEY_KPEQUAL, KEY_KPCOMMA };
	for (size_t i = 0; i < sizeof kp / sizeof kp[0]; i++)
		tap(kp[i]);
	tap(KEY_KPENTER);
	/* NumLock presses change nothing; shift does not move the keypad */
	tap(KEY_NUMLOCK);
	with(KEY_LEFTSHIFT, KEY_KP7);
	tap(KEY_KPENTER);
	cr_assert_str_eq(got, "[0123456789.-+*/=,][7]");
	/* de: the keypad's decimal key types a comma */
	evkeys_init(&d, EVKEYS_DE);
	tap(KEY_KP1);
	tap(KEY_KPDOT);
	tap(KEY_KP5);
	tap(KEY_KPENTER);
	cr_assert_str_eq(got, "[0123456789.-+*/=,][7][1,5]");
}

Test(evkeys, enter_variants_and_empty_codes)
{
	type_us("ab");
	tap(KEY_ENTER);
	type_us("cd");
	tap(KEY_KPENTER);
	enter();                    /* empty: nothing */
	tap(KEY_KPENTER);
	key(KEY_LEFTSHIFT, 1);      /* only modifiers: still empty */
	key(KEY_LEFTSHIFT, 0);
	enter();
	type_us("ef");
	key(KEY_ENTER, 0);          /* a release alone ends nothing */
	key(KEY_ENTER, 2);          /* nor a repeat */
	cr_assert_str_eq(got, "[ab][cd]");
	key(KEY_ENTER, 1);
	cr_assert_str_eq(got, "[ab][cd][ef]", "Enter ends a code on its press");
	key(KEY_ENTER, 0);
	cr_assert_str_eq(got, "[ab][cd][ef]");
}

Test(evkeys, auto_repeat_is_ignored)
{
	key(KEY_A, 1);
	key(KEY_A, 2);
	key(KEY_A, 2);
	key(KEY_A, 2);
	key(KEY_A, 0);
	tap(KEY_A); /* a second press is a second character */
	key(KEY_LEFTSHIFT, 1);
	key(KEY_LEFTSHIFT, 2); /* a held shift repeats too */
	tap(KEY_B);
	key(KEY_LEFTSHIFT, 0);
	enter();
	cr_assert_str_eq(got, "[aaB]");
}

Test(evkeys, release_syn_msc_and_other_types_ignored)
{
	ev(EV_MSC, MSC_SCAN, 4);
	ev(EV_LED, LED_NUML, 1);
	ev(EV_REP, REP_DELAY, 250);
	ev(EV_REL, REL_X, 5);
	ev(EV_KEY, KEY_X, 0); /* a release of a key never pressed */
	ev(EV_SYN, SYN_REPORT, 0);
	ev(EV_SYN, SYN_CONFIG, 0);
	ev(EV_KEY, KEY_Q, 1);
	ev(EV_KEY, KEY_Q, 0);
	cr_assert_not(d.len == 0);
	ev(EV_KEY, KEY_ENTER, 1);
	cr_assert_str_eq(got, "[q]");
}

/* ---- SYN_DROPPED ---------------------------------------------------------- */

Test(evkeys, syn_dropped_discards_the_code)
{
	type_us("AB");
	ev(EV_SYN, SYN_DROPPED, 0);
	cr_assert_eq(d.len, 0, "what was read is wiped at once");
	type_us("CD");
	enter();
	cr_assert_str_eq(got, "?", "the tail of a code whose head was lost is never a code");
	cr_assert(strstr(last_why, "lost"), "%s", last_why);
	type_us("EF");
	enter();
	cr_assert_str_eq(got, "?[EF]");
	/* before anything was typed: what follows may still be a tail */
	ev(EV_SYN, SYN_DROPPED, 0);
	type_us("GH");
	enter();
	type_us("IJ");
	enter();
	cr_assert_str_eq(got, "?[EF]?[IJ]");
}

Test(evkeys, key_state_moves_modifiers_only)
{
	evkeys_key_state(&d, KEY_LEFTSHIFT, true);
	evkeys_key_state(&d, KEY_A, true); /* types nothing */
	cr_assert_not(evkeys_pending(&d));
	tap(KEY_A);
	evkeys_key_state(&d, KEY_LEFTSHIFT, false);
	tap(KEY_A);
	enter();
	cr_assert_str_eq(got, "[Aa]");
}

/* ---- too long --------------------------------------------------------------- */

Test(evkeys, the_limit_and_one_more)
{
	for (int i = 0; i < SCAN_MAX_CODE; i++)
		tap(KEY_7);
	enter();
	cr_assert_eq(n_codes, 1);
	cr_assert_eq(ngot, (size_t)SCAN_MAX_CODE + 2);
	ngot = 0;
	for (int i = 0; i < SCAN_MAX_CODE; i++)
		tap(KEY_7);
	cr_assert_eq(n_long, 0);
	tap(KEY_8);
	cr_assert_str_eq(got, "!", "reported as soon as it overflows");
	cr_assert(strstr(last_why, "longer"), "%s", last_why);
	cr_assert_eq(d.len, 0, "wiped");
	tap(KEY_9);
	enter();
	cr_assert_str_eq(got, "!", "the rest, and its Enter, are swallowed");
	type_us("next");
	enter();
	cr_assert_str_eq(got, "![next]");
}

Test(evkeys, a_hundred_kilobytes_without_enter)
{
	for (int i = 0; i < 100 * 1024; i++)
		tap((uint16_t)(KEY_Q + i % 10));
	cr_assert_eq(n_long, 1, "once");
	cr_assert_eq(n_codes + n_bad, 0);
	cr_assert(evkeys_pending(&d));
	/* the caller times it out: nothing more to report */
	take(evkeys_cut(&d));
	cr_assert_str_eq(got, "!");
	cr_assert_not(evkeys_pending(&d));
	type_us("ok");
	enter();
	cr_assert_str_eq(got, "![ok]");
}

/* ---- keys a code may not hold ----------------------------------------------- */

Test(evkeys, unmappable_keys)
{
	static const uint16_t bad[] = { KEY_F1, KEY_UP, KEY_HOME, KEY_PAGEDOWN, KEY_INSERT,
	                                KEY_VOLUMEUP, KEY_F24, KEY_KPLEFTPAREN, BTN_LEFT };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		type_us("AB");
		tap(bad[i]);
		type_us("CD");
		cr_assert_eq(d.len, 0, "key %u: the code is wiped at once", bad[i]);
		enter();
		cr_assert_eq(n_bad, (int)i + 1, "key %u", bad[i]);
		cr_assert(strstr(last_why, "no printable"), "%s", last_why);
	}
	cr_assert_eq(n_codes, 0);
	with(KEY_RIGHTALT, KEY_Q); /* us has no AltGr level */
	enter();
	cr_assert_eq(n_bad, (int)(sizeof bad / sizeof bad[0]) + 1);
	type_us("fine");
	enter();
	cr_assert_eq(n_codes, 1);
	cr_assert(strstr(got, "[fine]"));
}

Test(evkeys, control_characters)
{
	static const uint16_t ctl[] = { KEY_TAB, KEY_ESC, KEY_BACKSPACE, KEY_DELETE };
	for (size_t i = 0; i < sizeof ctl / sizeof ctl[0]; i++) {
		type_us("01");
		tap(ctl[i]);
		type_us("23");
		enter();
	}
	/* GS1's group separator as scanners type it: Ctrl+] */
	type_us("01");
	with(KEY_LEFTCTRL, KEY_RIGHTBRACE);
	type_us("23");
	enter();
	type_us("a");
	with(KEY_RIGHTCTRL, KEY_J); /* ^J: a newline */
	enter();
	with(KEY_LEFTALT, KEY_X);
	enter();
	with(KEY_LEFTMETA, KEY_X);
	enter();
	/* both Ctrl keys down, one let go: still Ctrl */
	key(KEY_LEFTCTRL, 1);
	key(KEY_RIGHTCTRL, 1);
	key(KEY_RIGHTCTRL, 0);
	tap(KEY_C);
	key(KEY_LEFTCTRL, 0);
	enter();
	cr_assert_str_eq(got, "?????????");
	cr_assert(strstr(last_why, "control"), "%s", last_why);
	/* the modifiers were let go: the next code is fine */
	type_us("ok");
	enter();
	cr_assert_str_eq(got, "?????????[ok]");
}

Test(evkeys, garbage_records)
{
	type_us("ab");
	ev(0x1234, 0, 0);
	enter();
	type_us("ab");
	ev(EV_KEY, 0x2ff, 1); /* above KEY_MAX */
	enter();
	type_us("ab");
	ev(EV_KEY, KEY_C, 7); /* no such value */
	enter();
	type_us("ab");
	ev(EV_KEY, KEY_C, -1);
	enter();
	cr_assert_str_eq(got, "????");
	cr_assert(strstr(last_why, "record"), "%s", last_why);
}

/* ---- other layouts --------------------------------------------------------- */

Test(evkeys, de_qwertz)
{
	evkeys_init(&d, EVKEYS_DE);
	tap(KEY_Y);                       /* z */
	tap(KEY_Z);                       /* y */
	with(KEY_LEFTSHIFT, KEY_Y);       /* Z */
	with(KEY_RIGHTALT, KEY_Q);        /* @ */
	with(KEY_RIGHTALT, KEY_7);        /* { */
	with(KEY_RIGHTALT, KEY_8);        /* [ */
	with(KEY_RIGHTALT, KEY_9);        /* ] */
	with(KEY_RIGHTALT, KEY_0);        /* } */
	with(KEY_RIGHTALT, KEY_MINUS);    /* \ */
	with(KEY_RIGHTALT, KEY_102ND);    /* | */
	with(KEY_RIGHTALT, KEY_RIGHTBRACE); /* ~ */
	with(KEY_LEFTSHIFT, KEY_7);       /* / */
	with(KEY_LEFTSHIFT, KEY_0);       /* = */
	with(KEY_LEFTSHIFT, KEY_2);       /* " */
	tap(KEY_SLASH);                   /* - */
	with(KEY_LEFTSHIFT, KEY_SLASH);   /* _ */
	tap(KEY_BACKSLASH);               /* # */
	with(KEY_LEFTSHIFT, KEY_BACKSLASH); /* ' */
	with(KEY_LEFTSHIFT, KEY_DOT);     /* : */
	tap(KEY_RIGHTBRACE);              /* + */
	tap(KEY_GRAVE);                   /* ^, dead ... */
	tap(KEY_SPACE);                   /* ... + space: ^ */
	with(KEY_LEFTSHIFT, KEY_EQUAL);   /* `, dead */
	tap(KEY_SPACE);
	with(KEY_LEFTSHIFT, KEY_MINUS);   /* ? */
	enter();
	cr_assert_str_eq(got, "[zyZ@{[]}\\|~/=\"-_#':+^`?]");

	static const uint16_t umlauts[] = { KEY_SEMICOLON, KEY_APOSTROPHE, KEY_LEFTBRACE, KEY_MINUS };
	for (size_t i = 0; i < sizeof umlauts / sizeof umlauts[0]; i++) {
		tap(KEY_A);
		tap(umlauts[i]);
		enter();
	}
	with(KEY_LEFTSHIFT, KEY_3);       /* § */
	enter();
	tap(KEY_GRAVE);                   /* ^ + a: â */
	tap(KEY_A);
	enter();
	tap(KEY_A);
	tap(KEY_GRAVE);                   /* a dead key and then the end */
	enter();
	tap(KEY_EQUAL);                   /* ´: no ASCII at all */
	tap(KEY_SPACE);
	enter();
	cr_assert_str_eq(got, "[zyZ@{[]}\\|~/=\"-_#':+^`?]????????");
	tap(KEY_CAPSLOCK);
	tap(KEY_Z);
	enter();
	cr_assert_str_eq(got, "[zyZ@{[]}\\|~/=\"-_#':+^`?]????????[Y]");
}

Test(evkeys, fr_azerty)
{
	evkeys_init(&d, EVKEYS_FR);
	with(KEY_LEFTSHIFT, KEY_1);       /* digits are on shift */
	with(KEY_LEFTSHIFT, KEY_2);
	with(KEY_LEFTSHIFT, KEY_0);
	tap(KEY_Q);                       /* a */
	tap(KEY_W);                       /* z */
	tap(KEY_A);                       /* q */
	tap(KEY_Z);                       /* w */
	tap(KEY_SEMICOLON);               /* m */
	tap(KEY_M);                       /* , */
	tap(KEY_1);                       /* & */
	tap(KEY_3);                       /* " */
	tap(KEY_6);                       /* - */
	tap(KEY_8);                       /* _ */
	with(KEY_RIGHTALT, KEY_0);        /* @ */
	with(KEY_RIGHTALT, KEY_3);        /* # */
	with(KEY_LEFTSHIFT, KEY_DOT);     /* / */
	tap(KEY_DOT);                     /* : */
	tap(KEY_LEFTBRACE);               /* ^ dead */
	tap(KEY_SPACE);
	with(KEY_RIGHTALT, KEY_2);        /* ~ dead */
	tap(KEY_SPACE);
	enter();
	cr_assert_str_eq(got, "[120azqwm,&\"-_@#/:^~]");
	tap(KEY_2);                       /* é */
	enter();
	tap(KEY_0);                       /* à */
	enter();
	tap(KEY_LEFTBRACE);               /* ^ + e: ê */
	tap(KEY_E);
	enter();
	tap(KEY_CAPSLOCK);
	tap(KEY_Q);                       /* A */
	tap(KEY_1);                       /* caps lock leaves & alone */
	enter();
	cr_assert_str_eq(got, "[120azqwm,&\"-_@#/:^~]???[A&]");
}

/* ---- wiping ----------------------------------------------------------------- */

static bool all_zero(const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return false;
	return true;
}

Test(evkeys, codes_are_wiped)
{
	type_us("SECRET");
	cr_assert(evkeys_pending(&d));
	cr_assert_eq(evkeys_feed(&d, EV_KEY, KEY_ENTER, 1), EVKEYS_CODE);
	cr_assert_str_eq(d.buf, "SECRET");
	cr_assert_not(evkeys_pending(&d), "a code handed on is not pending");
	evkeys_done(&d);
	cr_assert(all_zero(d.buf, sizeof d.buf), "evkeys_done wipes it");
	cr_assert_eq(d.len, 0);

	type_us("TOKEN");
	cr_assert_eq(evkeys_feed(&d, EV_KEY, KEY_KPENTER, 1), EVKEYS_CODE);
	ev(EV_KEY, KEY_KPENTER, 0); /* the next record wipes it too */
	cr_assert(all_zero(d.buf, sizeof d.buf), "the next feed wipes it");

	type_us("HALF");
	cr_assert_eq(evkeys_cut(&d), EVKEYS_BAD, "a code cut off is reported");
	cr_assert(strstr(d.why, "did not end"), "%s", d.why);
	cr_assert(all_zero(d.buf, sizeof d.buf), "and wiped");
	cr_assert_eq(evkeys_cut(&d), EVKEYS_MORE, "nothing pending: nothing to say");

	tap(KEY_CAPSLOCK);
	key(KEY_LEFTSHIFT, 1);
	type_us("x");
	evkeys_reset(&d);
	cr_assert(all_zero(d.buf, sizeof d.buf));
	cr_assert_not(d.caps || d.lshift, "reset forgets the modifiers");
	cr_assert_eq(d.layout, EVKEYS_US);
	/* a cut keeps caps lock (a lock, not a key held) */
	tap(KEY_CAPSLOCK);
	tap(KEY_A);
	evkeys_cut(&d);
	tap(KEY_B);
	enter();
	cr_assert_str_eq(got, "[B]");
}

Test(evkeys, cut_after_a_bad_code_says_why)
{
	type_us("ab");
	ev(EV_SYN, SYN_DROPPED, 0);
	cr_assert_eq(evkeys_cut(&d), EVKEYS_BAD);
	cr_assert(strstr(d.why, "lost"), "%s", d.why);
	ev(EV_SYN, SYN_DROPPED, 0); /* nothing typed since: still reported */
	cr_assert_eq(evkeys_cut(&d), EVKEYS_BAD);
}

/* ---- the property ------------------------------------------------------------ */

static unsigned rnd_state;

static unsigned rnd(unsigned n)
{
	rnd_state = rnd_state * 1103515245u + 12345u;
	return (rnd_state >> 8) % n;
}

/* s typed by a us scanner: either shift, the keypad for some digits, caps
 * lock on for a while (the scanner making up for it: shift inverted for
 * letters), auto-repeat and stray events in between. */
static void type_us_noisy(const char *s)
{
	bool caps = false;
	for (; *s; s++) {
		uint16_t code;
		bool shift;
		if (rnd(20) == 0) {
			tap(KEY_CAPSLOCK);
			caps = !caps;
		}
		if (*s >= '0' && *s <= '9' && rnd(3) == 0) {
			static const uint16_t kp[] = { KEY_KP0, KEY_KP1, KEY_KP2, KEY_KP3, KEY_KP4,
			                               KEY_KP5, KEY_KP6, KEY_KP7, KEY_KP8, KEY_KP9 };
			tap(kp[*s - '0']);
			continue;
		}
		us_key(*s, &code, &shift);
		bool letter = (*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z');
		if (caps && letter)
			shift = !shift;
		uint16_t mod = rnd(2) ? KEY_LEFTSHIFT : KEY_RIGHTSHIFT;
		if (shift)
			key(mod, 1);
		key(code, 1);
		for (unsigned r = rnd(4) == 0 ? rnd(5) : 0; r > 0; r--)
			key(code, 2);
		if (rnd(10) == 0)
			ev(EV_LED, LED_CAPSL, caps);
		key(code, 0);
		if (shift)
			key(mod, 0);
	}
}

Test(evkeys, property_printable_ascii_round_trips)
{
	static char s[SCAN_MAX_CODE + 1], want[SCAN_MAX_CODE + 3];
	for (unsigned seed = 1; seed <= 400; seed++) {
		rnd_state = seed;
		size_t n = 1 + rnd(seed % 50 == 0 ? SCAN_MAX_CODE : 200);
		for (size_t i = 0; i < n; i++)
			s[i] = (char)(0x20 + rnd(0x5f));
		s[n] = '\0';
		ngot = 0;
		n_codes = 0;
		type_us_noisy(s);
		if (rnd(2))
			enter();
		else
			tap(KEY_KPENTER);
		snprintf(want, sizeof want, "[%s]", s);
		cr_assert_eq(n_codes, 1, "seed %u: %d codes", seed, n_codes);
		cr_assert_str_eq(got, want, "seed %u", seed);
		/* caps lock may still be on: the next string starts afresh */
		evkeys_reset(&d);
	}
}
