/* osk_layout.h: where the keys of the on-screen keyboard go (pure core: no
 * curses). The widget itself (drawing, touches, voice) is osk.h.
 *
 * Given a rectangle (its height is the most the keyboard may take), the
 * mode and large mode, osk_layout() says which keys are shown and where:
 * rows of keys on a grid of equal units, a key one unit wide or several
 * (a function key whose label needs it, the space bar). It picks, in this
 * order of preference:
 *
 *   1. the whole keyboard on one page, with the biggest keys that fit:
 *      normal mode 3 rows x at least 5 columns, then 1 x 3 with a blank row
 *      between rows of keys, then 1 x 3 packed; large mode always 3 x 8 at
 *      least, 2 blank columns and 1 blank row between keys. Letters are in
 *      keyboard (QWERTY) rows when 10 keys fit across, else in alphabetical
 *      rows (wrapped keyboard rows would be in no order anyone knows);
 *   2. pages: the letters (or digits) in alphabetical order, a page at a
 *      time, with a page key showing the next page's range ("I-P"); the
 *      function keys stay in place on every page; fewest pages first, then
 *      the fewest rows;
 *   3. pages without the space key, then without space and clear too.
 * If nothing fits (too narrow for one function key, too short for two rows
 * of keys...), height is 0 and there are no keys.
 *
 * Every key lies inside the rectangle, no two overlap, and every label fits
 * its key whole: text_width(label) + OSK_PAD_CAP (a filled key cap, label
 * centred) or + OSK_PAD_BOXED (a framed button, ui_button's look) columns.
 * tests/unit/test_osk_layout.c checks all of it at many sizes.
 */
#ifndef KIOSK_OSK_LAYOUT_H
#define KIOSK_OSK_LAYOUT_H

#include <stdbool.h>

#include "layout.h"

enum osk_mode { OSK_LETTERS, OSK_DIGITS };

/* Options (osk_new() takes them too). */
#define OSK_NO_SWITCH 0x01u /* no 123/ABC key: the one mode only */
#define OSK_NO_SPACE  0x02u /* no space key */
#define OSK_NO_CLEAR  0x04u /* no clear key */
#define OSK_PAD       0x08u /* digits as a phone pad: 1 2 3 / 4 5 6 / 7 8 9 / Delete 0 Enter */
#define OSK_BOXED     0x10u /* keys are framed buttons (ui_button) where they are >= 3 x 8 */
#define OSK_UPPER     0x20u /* (osk.c) letters are typed as 'A'-'Z' rather than 'a'-'z' */
#define OSK_PAD_DOT   0x40u /* the pad has a '.' key (money) */
#define OSK_PAD_X     0x80u /* the pad has an 'x' key, labelled X (ID numbers) */

enum osk_key_kind {
	OSK_KEY_CHAR,      /* ch: 'a'-'z' or '0'-'9' (the label is upper case) */
	OSK_KEY_SPACE,
	OSK_KEY_BACKSPACE,
	OSK_KEY_CLEAR,
	OSK_KEY_ENTER,
	OSK_KEY_SWITCH,    /* to the other mode (labelled 123 or ABC) */
	OSK_KEY_PAGE,      /* to the next page: ch..ch2 are on it */
};

/* The function keys' labels, translated and sanitized (the layout copies
 * them into the keys). */
struct osk_labels {
	const char *space, *backspace, *clear, *enter, *to_digits, *to_letters;
};

struct osk_spec {
	enum osk_mode mode;
	unsigned flags;     /* OSK_* */
	bool large;
	struct osk_labels labels;
};

/* Columns a label needs around it. */
#define OSK_PAD_CAP 2     /* a blank (or the focus marker '>') each side */
#define OSK_PAD_BOXED 5   /* frame, padding and marker: as ui_button draws */

#define OSK_MAX_KEYS 40
#define OSK_LABEL_MAX 64

struct osk_key {
	enum osk_key_kind kind;
	char ch, ch2;
	struct rect r;
	char label[OSK_LABEL_MAX];
};

struct osk_layout {
	struct rect area;   /* as given */
	int height;         /* rows used from area.y down (<= area.h); 0: nothing fits */
	int width;          /* columns used, centred in area */
	int pages, page;    /* page shown, clamped to [0, pages) */
	char from, to;      /* the first and last character on this page, in the
	                     * order a-z, 1-9 0 (the pages' order) */
	int cols, rows;     /* grid units across, rows of keys */
	int unit, key_h, gap_x, gap_y;
	bool boxed;         /* draw the keys as framed buttons */
	bool qwerty;        /* letters in keyboard rows (else alphabetical) */
	bool pad;           /* the phone pad (OSK_PAD) */
	int dropped;        /* 0, 1 (no space key), 2 (no space, no clear) for room */
	int n;
	struct osk_key key[OSK_MAX_KEYS];
};

/* Lays the keyboard out in area (area.h rows at most), page `page` of the
 * current mode (clamped). */
void osk_layout(struct osk_layout *L, struct rect area, const struct osk_spec *s, int page);

/* The key at (x, y), or -1 (a gap, or outside). */
int osk_layout_hit(const struct osk_layout *L, int x, int y);
/* The first key of this kind (and character, for OSK_KEY_CHAR), or -1. */
int osk_layout_find(const struct osk_layout *L, enum osk_key_kind kind, char ch);
/* Arrow keys: the key beside key i (dx -1/+1: the same row, staying at its
 * ends), or in the row above/below (dy -1/+1: the one nearest under the same
 * column); -1 when moving up from the top row or down from the bottom one
 * (the focus leaves the keyboard). */
int osk_layout_move(const struct osk_layout *L, int i, int dx, int dy);

#endif
