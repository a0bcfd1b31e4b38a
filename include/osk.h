/* osk.h: the on-screen keyboard, a widget like menu.h, for every screen
 * where text is typed by touch (search, forms, the account number).
 *
 * Two modes: letters (A-Z) and digits (0-9), each with the function keys
 * 123/ABC (switch mode), space, 删除 (backspace), 清空 (clear) and the enter
 * key, whose label the screen gives (搜索, 下一步...). Options (OSK_* in
 * osk_layout.h) leave keys out or ask for the phone pad. Where the keys go
 * is the pure osk_layout() (kiosk/core/osk_layout.c): the whole keyboard
 * with the biggest keys that fit, or pages of letters with a page key
 * ("I-P") when it cannot fit whole (large mode on a small grid).
 *
 * Ownership: osk_new() returns a keyboard the screen owns and frees with
 * osk_free() (NULL is fine). Labels given to it are copied. It holds no
 * text typed: each press is handed to the screen as an osk_event, and the
 * screen keeps (and wipes) what was typed.
 *
 * Use from a screen:
 *   resize: h = osk_height(k, area.w, rows_left, &pages) to decide where it
 *           goes (0: it does not fit there; pages > 1: letters on pages);
 *   draw:   osk_draw(k, rect, T_OSK) registers targets T_OSK .. T_OSK +
 *           OSK_MAX_KEYS - 1 (keep them apart from the screen's others);
 *   mouse:  if (osk_touch(k, target, &ev)) { act on ev; ui_dirty(app); }
 *   key:    if (osk_key(k, key, &ev)) ... (arrows move a focus over the keys,
 *           Enter presses the focused one; only while that focus is shown).
 * The keyboard's own state (mode, page, focus) changes in osk_touch and
 * osk_key: the screen must redraw after either returns true.
 */
#ifndef KIOSK_OSK_H
#define KIOSK_OSK_H

#include <stdbool.h>
#include <stddef.h>

#include "layout.h"
#include "osk_layout.h"

struct osk;

enum osk_event_kind {
	OSK_NONE,      /* the keyboard changed itself (mode, page, focus): redraw */
	OSK_CHAR,      /* ch: 'a'-'z' ('A'-'Z' with OSK_UPPER) or '0'-'9' */
	OSK_SPACE,     /* ch: ' ' */
	OSK_BACKSPACE,
	OSK_CLEAR,
	OSK_ENTER,
};

struct osk_event {
	enum osk_event_kind kind;
	char ch;
};

/* A keyboard in `mode` (OSK_LETTERS or OSK_DIGITS), with options OSK_*. */
struct osk *osk_new(enum osk_mode mode, unsigned flags);
void osk_free(struct osk *k);

/* The enter key's label, translated (copied; NULL: 确定 / OK). Short: a
 * word or two, it must fit a key. */
void osk_set_enter_label(struct osk *k, const char *label);
void osk_set_mode(struct osk *k, enum osk_mode mode);
enum osk_mode osk_mode(const struct osk *k);

/* Rows the keyboard takes at width `width` given at most max_h rows (its
 * biggest keys that fit, on the fewest pages), or 0 if it cannot work there
 * at all. *pages (may be NULL) gets the number of pages the letters (or
 * digits) need at that size: 1 means the whole keyboard shows. Large mode
 * is ui_large()'s. osk_height(k, w, INT_MAX, NULL) is the best it can do. */
int osk_height(const struct osk *k, int width, int max_h, int *pages);

/* Draws the keyboard in r (never outside it; nothing if it does not fit)
 * and registers its keys as targets target_base .. target_base + n - 1
 * (n <= OSK_MAX_KEYS). Only inside a screen's draw. */
void osk_draw(struct osk *k, struct rect r, int target_base);

/* A touched target: true if it was one of the keyboard's (ev says what it
 * means; OSK_NONE: a mode or page key, the keyboard redraws itself), false
 * for any other target (ev->kind OSK_NONE). Touches are taken against the
 * keys as last drawn. */
bool osk_touch(struct osk *k, int target, struct osk_event *ev);

/* Keys: the arrows show a focus on the keys and move it (true, OSK_NONE);
 * while it shows, Enter presses the focused key (true, ev as a touch).
 * Up from the top row or down from the bottom one hides the focus and
 * returns false: the screen moves its focus elsewhere. Every other key:
 * false (digits and letters typed on a keypad are the screen's). */
bool osk_key(struct osk *k, int key, struct osk_event *ev);
/* Shows or hides the focus (on the key last pressed, else the first). */
void osk_focus(struct osk *k, bool on);
bool osk_focused(const struct osk *k);

/* Voice: with full, "屏幕键盘：字母 A 到 Z。" (the keys on this page) and
 * the key below; without, the key last pressed or focused: "字母 A",
 * "5", "删除", "空格", "数字键盘", "字母 I 到 P" (a page key), the enter
 * key's label. Empty if there is nothing to say. */
void osk_speak(const struct osk *k, bool full, char *buf, size_t n);

#endif
