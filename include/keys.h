/* keys.h: what the terminal sends, read as whole keys (pure core).
 *
 * Bytes in, events out: a key, typed text (a code point), a mouse report,
 * or nothing. A sequence the kiosk does not know is dropped whole, never
 * let out as the digits and letters it is made of: CSI with any
 * parameters, intermediates or private markers, SS3, OSC/DCS/APC/PM/SOS
 * strings, kitty's CSI u, and Alt + anything (ESC before a key).
 *
 * What comes out:
 *  - navigation keys in every encoding terminals use (CSI, SS3, VT220
 *    "n ~", rxvt, the Linux console, kitty's CSI u): K_UP... K_HOME, K_END
 *    (Home is ESC [ H, ESC O H, ESC [ 1 ~ and ESC [ 7 ~ alike), K_IC, K_DC,
 *    K_PPAGE, K_NPAGE, K_F(1..12);
 *  - Enter (CR or LF) as K_RETURN, the keypad's Enter as K_ENTER;
 *    Backspace (DEL or ^H) as K_BACKSPACE; Esc as K_ESC once no byte
 *    follows it for KEYS_ESC_MS; other C0 controls (Tab, Ctrl+letter) as
 *    themselves; NUL (Ctrl+Space) not at all;
 *  - typed text as code points (UTF-8 decoded; invalid UTF-8 dropped);
 *    the keypad's digits, '.' and '*' in application mode as that text;
 *  - mouse reports (SGR 1006, and X10) with 0-based cells.
 *
 * Dropped: any key with Shift, Alt, Ctrl, Super, Hyper or Meta (a kiosk has
 * no chords; Caps Lock and Num Lock are states, not chords, and are
 * ignored); the keypad's + - / = and separator; F13 and above; kitty key
 * releases; anything unknown.
 *
 * A sequence may arrive split across reads: the state is kept. A lone ESC
 * is Esc once KEYS_ESC_MS pass with nothing after it (keys_deadline says
 * when to call keys_timeout); an unfinished sequence is dropped after
 * KEYS_SEQ_MS. A '[' or 'O' right after an Esc that was let out by the
 * timeout is taken for the rest of its sequence (split by a slow link),
 * and dropped with it.
 */
#ifndef KIOSK_KEYS_H
#define KIOSK_KEYS_H

#include <stdbool.h>
#include <stddef.h>

/* Keys as screens see them: a typed character is its code point; a
 * function key is UI_FKEY | its curses KEY_* number, so the two never
 * collide (ui.c checks the numbers against curses.h). */
#define UI_FKEY   0x1000000
#define K_UP      (UI_FKEY | 0403)
#define K_DOWN    (UI_FKEY | 0402)
#define K_LEFT    (UI_FKEY | 0404)
#define K_RIGHT   (UI_FKEY | 0405)
#define K_HOME    (UI_FKEY | 0406)
#define K_BACKSPACE (UI_FKEY | 0407)
#define K_DC      (UI_FKEY | 0512)
#define K_IC      (UI_FKEY | 0513)
#define K_NPAGE   (UI_FKEY | 0522)
#define K_PPAGE   (UI_FKEY | 0523)
#define K_ENTER   (UI_FKEY | 0527)
#define K_END     (UI_FKEY | 0550)
#define K_F(n)    (UI_FKEY | (0410 + (n)))
#define K_ESC     27
#define K_RETURN  '\r'

#define KEYS_ESC_MS 25   /* a lone ESC is the Esc key after this */
#define KEYS_SEQ_MS 500  /* an unfinished sequence is dropped after this */
#define KEYS_MAX_PARAMS 16

enum keys_kind { KEYS_KEY, KEYS_TEXT, KEYS_MOUSE };

/* Mouse report modifiers. */
#define KEYS_MOUSE_SHIFT 1
#define KEYS_MOUSE_ALT   2
#define KEYS_MOUSE_CTRL  4

struct keys_event {
	enum keys_kind kind;
	int key;        /* KEYS_KEY: a K_* code or a C0 control; KEYS_TEXT: a code point */
	/* KEYS_MOUSE: button 1 left, 2 middle, 3 right, 4-7 wheel, 8-11 more
	 * buttons, 0 none (a move, or an X10 release that names no button) */
	int button;
	bool press;     /* false: released */
	bool motion;    /* a move (with the button held, or none) */
	unsigned mods;  /* KEYS_MOUSE_* */
	int x, y;       /* 0-based cell */
};

/* The reader's state; keys_init before use. No memory of its own. */
struct keys {
	int state;
	bool drop;              /* the key now being read is dropped (Alt, late tail) */
	long long start_ms;     /* when the unfinished sequence began */
	long long late_until;   /* see the top; 0 if none */
	int marker;             /* CSI private marker '<' '=' '>' '?', or 0 */
	int n;                  /* bytes after the introducer */
	int inter;              /* intermediate bytes seen */
	bool bad;               /* malformed: dropped at its end */
	bool any;               /* a parameter byte was seen */
	int np;                 /* parameter being read (count - 1) */
	int nsub;               /* sub-parameter being read in it */
	int p[KEYS_MAX_PARAMS];   /* -1: empty */
	int sub[KEYS_MAX_PARAMS]; /* first sub-parameter, -1: none */
	unsigned char x10[3];
	unsigned cp, cp_min;    /* UTF-8 being decoded */
	int need;
};

void keys_init(struct keys *k);

/* Reads n bytes that arrived at now_ms; out must have room for n + 1
 * events. Returns the number of events. */
size_t keys_feed(struct keys *k, const void *bytes, size_t n, long long now_ms,
                 struct keys_event *out);

/* Milliseconds from now_ms until keys_timeout must be called if no byte
 * comes, or -1 if nothing is pending. */
long keys_deadline(const struct keys *k, long long now_ms);

/* No byte came in time: a lone ESC becomes Esc, an unfinished sequence is
 * dropped. out has room for 1 event; returns 0 or 1. */
size_t keys_timeout(struct keys *k, long long now_ms, struct keys_event *out);

#endif
