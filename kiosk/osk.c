/* osk.c: the on-screen keyboard (osk.h) on top of the pure osk_layout().
 *
 * Keys are drawn as filled caps with the label centred (the layout leaves
 * a blank column each side, where the focus marker '>' goes), or with
 * OSK_BOXED as the kiosk's framed buttons (ui_button) where they are at
 * least 3 x 8. Touches are read against the keys as last drawn; after a
 * mode or page key the keys change, and touches on the old ones are
 * ignored until the next draw.
 */
#include "osk.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "i18n.h"
#include "text.h"
#include "ui.h"
#include "util.h"

struct osk {
	enum osk_mode mode;
	unsigned flags;
	char enter[OSK_LABEL_MAX];  /* "" : _("OK") */
	int page[2];                /* per mode */
	struct osk_layout lay;      /* the keys as laid out last */
	bool laid;                  /* lay is set */
	bool stale;                 /* the keys drawn are not lay's (mode or page changed) */
	int base;                   /* target ids of the last draw */
	bool show_focus;
	struct osk_key focus;       /* the focused key, found again by kind and character */
	struct osk_key said;        /* the key last pressed or moved to (voice) */
	enum osk_mode said_mode;    /* the mode it was in */
	bool has_said;
};

static void relayout(struct osk *k, struct rect r);

struct osk *osk_new(enum osk_mode mode, unsigned flags)
{
	struct osk *k = xcalloc(1, sizeof *k);
	k->mode = mode == OSK_DIGITS ? OSK_DIGITS : OSK_LETTERS;
	k->flags = flags;
	k->focus.kind = OSK_KEY_CHAR;
	k->focus.ch = k->mode == OSK_DIGITS ? '1' : 'a';
	return k;
}

void osk_free(struct osk *k)
{
	free(k);
}

void osk_set_enter_label(struct osk *k, const char *label)
{
	text_copy(k->enter, sizeof k->enter, label ? label : "");
}

void osk_set_mode(struct osk *k, enum osk_mode mode)
{
	if (mode != OSK_LETTERS && mode != OSK_DIGITS)
		return;
	if (k->mode == mode)
		return;
	k->mode = mode;
	if (k->laid) {
		relayout(k, k->lay.area);
		k->stale = true;
	}
}

enum osk_mode osk_mode(const struct osk *k)
{
	return k->mode;
}

static struct osk_spec spec_of(const struct osk *k)
{
	struct osk_spec s = {
		.mode = k->mode,
		.flags = k->flags,
		.large = ui_large(),
		.labels = {
			.space = _("Space"),
			.backspace = _("Delete"),
			.clear = _("Clear"),
			.enter = k->enter[0] ? k->enter : _("OK"),
			.to_digits = "123",
			.to_letters = "ABC",
		},
	};
	return s;
}

int osk_height(const struct osk *k, int width, int max_h, int *pages)
{
	struct osk_spec s = spec_of(k);
	struct osk_layout L;
	osk_layout(&L, (struct rect){ 0, 0, width, max_h }, &s, 0);
	if (pages)
		*pages = L.height > 0 ? L.pages : 0;
	return L.height;
}

static void relayout(struct osk *k, struct rect r)
{
	struct osk_spec s = spec_of(k);
	osk_layout(&k->lay, r, &s, k->page[k->mode]);
	k->page[k->mode] = k->lay.page;
	k->laid = true;
}

static int focus_index(const struct osk *k)
{
	if (!k->laid)
		return -1;
	return osk_layout_find(&k->lay, k->focus.kind, k->focus.ch);
}

/* The focus on a key of the current layout: the one it was on, else the
 * key last pressed, else the first. */
static int settle_focus(struct osk *k)
{
	int i = focus_index(k);
	if (i < 0 && k->has_said)
		i = osk_layout_find(&k->lay, k->said.kind, k->said.ch);
	if (i < 0 && k->lay.n > 0)
		i = 0;
	if (i >= 0)
		k->focus = k->lay.key[i];
	return i;
}

static void draw_key(const struct osk_layout *L, const struct osk_key *key, int target, bool focused)
{
	if (L->boxed) {
		ui_button(key->r, target, 0, key->label, NULL, focused);
		return;
	}
	/* A cap: filled, the label centred on its middle row; the focus shows
	 * by colour and by the '>' marker before the label, never colour alone. */
	enum role role = focused ? ROLE_FOCUS : ROLE_BUTTON;
	ui_fill(key->r, role);
	int lw = text_width(key->label);
	int x = key->r.x + (key->r.w - lw) / 2;
	int y = key->r.y + (key->r.h - 1) / 2;
	if (x <= key->r.x) /* cannot happen: the layout leaves a column each side */
		x = key->r.x + 1;
	if (focused) {
		ui_text(x - 1, y, 1, role, ">");
		ui_cursor(x - 1, y);
	}
	ui_text(x, y, key->r.x + key->r.w - x, role, key->label);
	ui_target(key->r, target);
}

void osk_draw(struct osk *k, struct rect r, int target_base)
{
	relayout(k, r);
	k->base = target_base;
	k->stale = false;
	int fi = k->show_focus ? settle_focus(k) : -1;
	for (int i = 0; i < k->lay.n; i++)
		draw_key(&k->lay, &k->lay.key[i], target_base + i, i == fi);
}

static void press(struct osk *k, int i, struct osk_event *ev)
{
	const struct osk_key *key = &k->lay.key[i];
	k->said = *key;
	k->said_mode = k->mode;
	k->has_said = true;
	if (k->show_focus)
		k->focus = *key;
	switch (key->kind) {
	case OSK_KEY_CHAR:
		ev->kind = OSK_CHAR;
		ev->ch = key->ch;
		if ((k->flags & OSK_UPPER) && ev->ch >= 'a' && ev->ch <= 'z')
			ev->ch = (char)(ev->ch - 'a' + 'A');
		break;
	case OSK_KEY_SPACE:
		ev->kind = OSK_SPACE;
		ev->ch = ' ';
		break;
	case OSK_KEY_BACKSPACE: ev->kind = OSK_BACKSPACE; break;
	case OSK_KEY_CLEAR: ev->kind = OSK_CLEAR; break;
	case OSK_KEY_ENTER: ev->kind = OSK_ENTER; break;
	case OSK_KEY_SWITCH:
		k->mode = k->mode == OSK_LETTERS ? OSK_DIGITS : OSK_LETTERS;
		relayout(k, k->lay.area);
		k->stale = true;
		break;
	case OSK_KEY_PAGE:
		k->page[k->mode] = k->lay.pages > 1 ? (k->lay.page + 1) % k->lay.pages : 0;
		relayout(k, k->lay.area);
		k->stale = true;
		break;
	}
}

bool osk_touch(struct osk *k, int target, struct osk_event *ev)
{
	ev->kind = OSK_NONE;
	ev->ch = 0;
	if (!k || !k->laid)
		return false;
	long long i = (long long)target - k->base;
	if (i < 0 || i >= OSK_MAX_KEYS)
		return false;
	if (k->stale || i >= k->lay.n)
		return true; /* a key drawn before the keys changed: ignored */
	press(k, (int)i, ev);
	return true;
}

bool osk_key(struct osk *k, int key, struct osk_event *ev)
{
	ev->kind = OSK_NONE;
	ev->ch = 0;
	if (!k || !k->laid || k->lay.n == 0)
		return false;
	int dx = 0, dy = 0;
	switch (key) {
	case K_LEFT: dx = -1; break;
	case K_RIGHT: dx = 1; break;
	case K_UP: dy = -1; break;
	case K_DOWN: dy = 1; break;
	case K_RETURN:
	case K_ENTER: {
		if (!k->show_focus)
			return false;
		int i = settle_focus(k);
		if (i < 0)
			return false;
		press(k, i, ev);
		return true;
	}
	default:
		return false;
	}
	int i = settle_focus(k);
	if (!k->show_focus) {
		k->show_focus = true; /* the first arrow shows where the focus is */
	} else {
		int j = osk_layout_move(&k->lay, i, dx, dy);
		if (j < 0) {
			k->show_focus = false;
			return false;
		}
		i = j;
	}
	if (i < 0)
		return false;
	k->focus = k->lay.key[i];
	k->said = k->focus;
	k->said_mode = k->mode;
	k->has_said = true;
	return true;
}

void osk_focus(struct osk *k, bool on)
{
	k->show_focus = on;
	if (on && k->laid)
		settle_focus(k);
}

bool osk_focused(const struct osk *k)
{
	return k->show_focus;
}

/* ---- voice ---------------------------------------------------------------------------------- */

static char up(char c)
{
	return c >= 'a' && c <= 'z' ? (char)(c - 'a' + 'A') : c;
}

static void say_range(bool digits, char from, char to, char *buf, size_t n)
{
	char a[2] = { up(from), 0 }, b[2] = { up(to), 0 };
	if (from == to || !to) {
		if (digits)
			snprintf(buf, n, "%s", a);
		else
			snprintf(buf, n, _("Letter %s"), a);
	} else {
		snprintf(buf, n, digits ? _("Digits %s to %s") : _("Letters %s to %s"), a, b);
	}
}

static void say_key(const struct osk *k, char *buf, size_t n)
{
	const struct osk_key *key = &k->said;
	buf[0] = '\0';
	if (!k->has_said)
		return;
	bool digits = k->said_mode == OSK_DIGITS;
	switch (key->kind) {
	case OSK_KEY_CHAR:
		say_range(key->ch >= '0' && key->ch <= '9', key->ch, key->ch, buf, n);
		break;
	case OSK_KEY_SWITCH:
		snprintf(buf, n, "%s", digits ? _("Letters keyboard") : _("Digits keyboard"));
		break;
	case OSK_KEY_PAGE:
		say_range(digits, key->ch, key->ch2, buf, n);
		break;
	default:
		snprintf(buf, n, "%s", key->label);
		break;
	}
}

void osk_speak(const struct osk *k, bool full, char *buf, size_t n)
{
	if (!n)
		return;
	char key[160];
	say_key(k, key, sizeof key);
	if (!full || !k->laid || k->lay.n == 0) {
		snprintf(buf, n, "%s", key);
		return;
	}
	char range[96], all[160];
	bool digits = k->mode == OSK_DIGITS;
	if (k->lay.pages <= 1)
		say_range(digits, digits ? '0' : 'a', digits ? '9' : 'z', range, sizeof range);
	else
		say_range(digits, k->lay.from, k->lay.to, range, sizeof range);
	snprintf(all, sizeof all, _("On-screen keyboard: %s."), range);
	snprintf(buf, n, "%s%s%s", all, key[0] ? " " : "", key);
}
