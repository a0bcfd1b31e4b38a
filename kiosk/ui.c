/* ui.c: the screen stack, input dispatch, and painting. Drawing goes into
 * curses' in-memory screen; ui_paint() runs from the loop's before_sleep
 * and sends the difference to the terminal once, so moving the focus costs
 * a few dozen bytes, not a screenful.
 */
#include "ui.h"

#include <curses.h>
#include <errno.h>
#include <locale.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "i18n.h"
#include "log.h"
#include "loop.h"
#include "text.h"
#include "util.h"
#include "wedge.h"

_Static_assert(K_UP == (UI_FKEY | KEY_UP), "K_UP");
_Static_assert(K_DOWN == (UI_FKEY | KEY_DOWN), "K_DOWN");
_Static_assert(K_LEFT == (UI_FKEY | KEY_LEFT), "K_LEFT");
_Static_assert(K_RIGHT == (UI_FKEY | KEY_RIGHT), "K_RIGHT");
_Static_assert(K_HOME == (UI_FKEY | KEY_HOME), "K_HOME");
_Static_assert(K_BACKSPACE == (UI_FKEY | KEY_BACKSPACE), "K_BACKSPACE");
_Static_assert(K_IC == (UI_FKEY | KEY_IC), "K_IC");
_Static_assert(K_DC == (UI_FKEY | KEY_DC), "K_DC");
_Static_assert(K_NPAGE == (UI_FKEY | KEY_NPAGE), "K_NPAGE");
_Static_assert(K_PPAGE == (UI_FKEY | KEY_PPAGE), "K_PPAGE");
_Static_assert(K_ENTER == (UI_FKEY | KEY_ENTER), "K_ENTER");
_Static_assert(K_END == (UI_FKEY | KEY_END), "K_END");
_Static_assert(K_F(1) == (UI_FKEY | KEY_F(1)), "K_F");

struct target {
	struct rect r;
	int id;
};

struct ui_target_list {
	struct target *t;
	size_t n, cap;
};

/* The UI's own state: one terminal, one UI per process. The app is an
 * opaque handle here, passed back to the hooks and kept in each screen;
 * the UI never reads it (layers: screens -> app, session, access -> ui). */
static struct {
	struct ui_config cfg;
	struct ui_hooks hooks;
	struct app *app;
	/* The stack. */
	struct screen *top;
	struct screen *graveyard;   /* popped, left and freed by ui_reap */
	unsigned long next_screen_id;
	unsigned long nav_gen;
	/* Painting. */
	bool dirty;
	bool need_clear;            /* repaint the whole terminal (resize, session end) */
	bool clear_scrollback;
	int cols, rows;
	bool colour;
	int cursor_x, cursor_y;
	struct ui_target_list *targets;
	/* A one-line notice above the status bar, for a few seconds. */
	char toast[512];
	char help_label[96];  /* the help button's label while a call is answered, or "" */
	enum role toast_role;
	long long toast_timer;
	/* The terminal's bytes read as keys (kiosk/core/keys.c), and
	 * keyboard-wedge detection over them. */
	struct keys keys;
	long long keys_timer;
	struct wedge wedge;
	long long wedge_timer;
} U;
static bool large_mode, voice_mode;

/* KIOSK_LAYOUT_DUMP=FILE: after each paint, the touch targets and every
 * text drawn (with whether it had to be ellipsized) are written to FILE,
 * for the tests' automated layout check. Off in production. */
static char *layout_dump_path;
static FILE *layout_dump;

bool ui_large(void) { return large_mode; }
void ui_set_large(bool on) { large_mode = on; }
void ui_set_voice(bool on) { voice_mode = on; }

/* ---- colours ---- */

static attr_t role_attr[ROLE_COUNT];
/* A_BOLD where bold may be added to a role (the focused button's frame and
 * label) without a terminal drawing it in a brighter colour; else 0. */
static attr_t role_bold[ROLE_COUNT];

static attr_t theme_attrs(unsigned a)
{
	attr_t r = 0;
	if (a & THEME_BOLD)
		r |= A_BOLD;
	if (a & THEME_UNDERLINE)
		r |= A_UNDERLINE;
	if (a & THEME_REVERSE)
		r |= A_REVERSE;
	if (a & THEME_DIM)
		r |= A_DIM;
	return r;
}

void ui_colours_init(const struct theme *t)
{
	int n = 0;
	if (has_colors() && start_color() == OK) {
		/* A direct-colour terminal (COLORS 2^24) takes numbers from 8 up
		 * as RGB values: only 0..7 are palette entries there. */
		n = COLORS > 256 ? 8 : COLORS >= 256 ? 256 : COLORS >= 16 ? 16 : COLORS >= 8 ? 8 : 0;
		if (COLOR_PAIRS < ROLE_COUNT + 1)
			n = 0;
	}
	U.colour = n > 0;
	/* The terminal's default colours (pair 0, -1) are never used with
	 * colour: they differ per terminal. theme_map keeps the theme's
	 * contrast in xterm's palette, bold-as-bright or not. */
	for (int r = 0; r < ROLE_COUNT; r++) {
		struct theme_cell c;
		theme_map(&t->s[r], n, t->contrast, &c);
		role_attr[r] = theme_attrs(c.attr);
		role_bold[r] = c.bold_ok ? A_BOLD : 0;
		if (n) {
			init_pair((short)(r + 1), (short)c.fg, (short)c.bg);
			role_attr[r] |= COLOR_PAIR(r + 1);
		}
	}
}

/* For fills: an underline is for text, never for blank cells. */
static void set_role(enum role r)
{
	attrset(role_attr[r] & ~A_UNDERLINE);
}

/* ---- the hooks of the layers above ---- */

static const char *ui_citizen(struct app *a)
{
	return U.hooks.citizen ? U.hooks.citizen(a) : NULL;
}

/* Input arrived: true if it only dismissed the idle warning. */
static bool activity(struct app *a)
{
	return U.hooks.activity && U.hooks.activity(a);
}

/* ---- stack ---- */

static void on_reply(void *ud, const struct gw_reply *r)
{
	struct screen *s = ud;
	struct app *a = s->app;
	if (s->gone)
		return; /* its requests were cancelled when it went: not reached */
	if (r->result == GW_PROBLEM && r->status == 401 && ui_citizen(a) &&
	    r->problem.code && !strcmp(r->problem.code, "session_expired")) {
		/* The gateway ended the session: so do we, whatever the screen
		 * was doing (it is about to go). */
		if (U.hooks.session_expired)
			U.hooks.session_expired(a);
		return;
	}
	if (s->ops->reply)
		s->ops->reply(s, r->tag, r);
	ui_dirty(a);
}

void ui_get(struct screen *s, int tag, const char *path, const char *etag)
{
	if (s->gone)
		return; /* a timer of a popped screen: nobody would see the answer */
	gw_get(U.cfg.gw, path, etag, s, tag, on_reply, s);
}

void ui_post(struct screen *s, int tag, const char *path, json_t *body, const char *idem_key)
{
	if (s->gone) {
		json_decref(body);
		return;
	}
	gw_post(U.cfg.gw, path, body, idem_key, s, tag, on_reply, s);
}

/* The status bar: one row, or a row of 3-row buttons in large mode. */
static int status_h(const struct app *a)
{
	return large_mode && U.rows >= 12 ? 3 : 1;
}

struct rect ui_area(struct app *a)
{
	int top = 2 + (gw_net_state(U.cfg.gw) == GW_NET_OFFLINE ? 1 : 0);
	/* below the area: the notice row, then the status bar */
	struct rect r = { 1, top, U.cols - 2, U.rows - top - 1 - status_h(a) };
	if (r.w < 1)
		r.w = 1;
	if (r.h < 1)
		r.h = 1;
	return r;
}

void ui_push(struct app *a, const struct screen_ops *ops, void *arg)
{
	struct screen *s = xcalloc(1, sizeof *s);
	s->ops = ops;
	s->app = a;
	s->id = ++U.next_screen_id;
	s->below = U.top;
	U.top = s;
	U.nav_gen++;
	U.targets->n = 0; /* the old screen's targets mean nothing now */
	log_info("screen: enter %s", ops->name);
	if (ops->enter)
		ops->enter(s, arg);
	if (ops->resize)
		ops->resize(s, ui_area(a));
	ui_dirty(a);
}

/* Leave and free: only from ui_reap and ui_end, never under a screen's feet. */
static void screen_free(struct app *a, struct screen *s)
{
	gw_cancel_owner(U.cfg.gw, s);
	if (s->ops->leave)
		s->ops->leave(s);
	gw_cancel_owner(U.cfg.gw, s); /* whatever leave may have started */
	free(s);
}

void ui_pop(struct app *a)
{
	struct screen *s = U.top;
	if (!s || !s->below)
		return; /* home stays */
	/* Off the stack and silenced now; left and freed at the end of the
	 * pass, so the caller (often s itself) may still read s. */
	gw_cancel_owner(U.cfg.gw, s);
	U.top = s->below;
	s->gone = true;
	s->below = U.graveyard;
	U.graveyard = s;
	U.nav_gen++;
	U.targets->n = 0;
	ui_relayout(a);
}

void ui_reap(struct app *a)
{
	while (U.graveyard) {
		struct screen *s = U.graveyard;
		U.graveyard = s->below;
		screen_free(a, s);
	}
}

struct screen *ui_find(struct app *a, unsigned long id)
{
	for (struct screen *s = U.top; s; s = s->below)
		if (s->id == id)
			return s;
	return NULL;
}

unsigned long ui_nav_gen(const struct app *a) { return U.nav_gen; }

void ui_home(struct app *a)
{
	while (U.top && U.top->below)
		ui_pop(a);
}

struct screen *ui_top(struct app *a) { return U.top; }

int ui_depth(struct app *a)
{
	int n = 0;
	for (struct screen *s = U.top; s; s = s->below)
		n++;
	return n;
}

void ui_dirty(struct app *a) { U.dirty = true; }

void ui_relayout(struct app *a)
{
	if (U.top && U.top->ops->resize)
		U.top->ops->resize(U.top, ui_area(a));
	ui_dirty(a);
}

/* ---- drawing ---- */

void ui_target(struct rect r, int target)
{
	struct ui_target_list *l = U.targets;
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 32;
		l->t = xrealloc(l->t, l->cap * sizeof *l->t);
	}
	l->t[l->n++] = (struct target){ r, target };
}

void ui_cursor(int x, int y)
{
	U.cursor_x = x;
	U.cursor_y = y;
}

void ui_fill(struct rect r, enum role role)
{
	set_role(role);
	for (int y = r.y; y < r.y + r.h; y++)
		mvhline(y, r.x, ' ', r.w);
}

static int ui_text_attr(int x, int y, int w, enum role role, attr_t extra, const char *s)
{
	if (w <= 0 || y < 0 || y >= U.rows)
		return 0;
	int used;
	size_t n = text_fit(s, w, &used);
	attrset(role_attr[role] | extra);
	if (s[n] == '\0') {
		if (layout_dump && *s)
			fprintf(layout_dump, "text %d %d %d %d 0\n", x, y, w, used);
		mvaddnstr(y, x, s, (int)n);
		return used;
	}
	char *e = text_ellipsize(s, w);
	mvaddstr(y, x, e);
	used = text_width(e);
	wipe_str(e); /* drawn text may be a (masked) name */
	if (layout_dump)
		fprintf(layout_dump, "text %d %d %d %d 1\n", x, y, w, used);
	return used;
}

int ui_text(int x, int y, int w, enum role role, const char *s)
{
	return ui_text_attr(x, y, w, role, 0, s);
}

/* Text with bytes [b0, b1) marked (what a search matched): underlined and
 * bold where the theme allows bold, never by colour alone. */
static int ui_text_mark_attr(int x, int y, int w, enum role role, attr_t extra,
                             const char *s, size_t b0, size_t b1)
{
	size_t len = strlen(s);
	if (b1 > len)
		b1 = len;
	if (b0 >= b1 || w <= 0)
		return ui_text_attr(x, y, w, role, extra, s);
	int used;
	size_t fit = text_fit(s, w, &used);
	char *e = NULL;
	const char *t = s;
	if (s[fit] != '\0') {
		/* Ellipsized: mark what is left of the run before the ellipsis. */
		e = text_ellipsize(s, w);
		t = e;
		size_t keep = text_fit(s, w - 1, &used); /* the bytes kept before "…" */
		if (b1 > keep)
			b1 = keep;
		if (b0 > b1)
			b0 = b1;
	}
	char *head = xstrndup(t, b0), *mid = xstrndup(t + b0, b1 - b0);
	int cx = x;
	cx += ui_text_attr(cx, y, w, role, extra, head);
	cx += ui_text_attr(cx, y, w - (cx - x), role, extra | A_UNDERLINE | role_bold[role], mid);
	cx += ui_text_attr(cx, y, w - (cx - x), role, extra, t + b1);
	wipe_str(head);
	wipe_str(mid);
	if (e)
		wipe_str(e);
	return cx - x;
}

int ui_text_mark(int x, int y, int w, enum role role, const char *s, size_t b0, size_t b1)
{
	return ui_text_mark_attr(x, y, w, role, 0, s, b0, b1);
}

int ui_para(struct rect r, enum role role, const char *s)
{
	if (r.w <= 0 || r.h <= 0)
		return 0;
	int n = text_wrap(s, r.w, NULL, 0);
	struct text_line *l = xcalloc((size_t)(n ? n : 1), sizeof *l);
	text_wrap(s, r.w, l, n);
	int rows = n < r.h ? n : r.h;
	for (int i = 0; i < rows; i++) {
		/* the last row that fits takes the rest of the text, ellipsized */
		size_t len = (i == rows - 1 && n > rows) ? strlen(s + l[i].off) : l[i].len;
		char *line = xstrndup(s + l[i].off, len);
		for (char *c = line; *c; c++)
			if (*c == '\n')
				*c = ' ';
		ui_text(r.x, r.y + i, r.w, role, line);
		wipe_str(line);
	}
	free(l);
	return rows;
}

int ui_text_center(int x, int y, int w, enum role role, const char *s)
{
	int tw = text_width(s);
	int off = tw < w ? (w - tw) / 2 : 0;
	return ui_text(x + off, y, w - off, role, s);
}

static void box_at(struct rect r, attr_t a)
{
	attrset(a & ~A_UNDERLINE); /* a frame is never underlined */
	mvaddch(r.y, r.x, ACS_ULCORNER);
	mvhline(r.y, r.x + 1, ACS_HLINE, r.w - 2);
	mvaddch(r.y, r.x + r.w - 1, ACS_URCORNER);
	for (int y = r.y + 1; y < r.y + r.h - 1; y++) {
		mvaddch(y, r.x, ACS_VLINE);
		mvaddch(y, r.x + r.w - 1, ACS_VLINE);
	}
	mvaddch(r.y + r.h - 1, r.x, ACS_LLCORNER);
	mvhline(r.y + r.h - 1, r.x + 1, ACS_HLINE, r.w - 2);
	mvaddch(r.y + r.h - 1, r.x + r.w - 1, ACS_LRCORNER);
}

void ui_button(struct rect r, int target, int number, const char *label,
               const char *sub, bool focused)
{
	ui_button_mark(r, target, number, label, 0, 0, sub, focused);
}

void ui_button_mark(struct rect r, int target, int number, const char *label,
                    size_t b0, size_t b1, const char *sub, bool focused)
{
	if (r.w < 2 || r.h < 1)
		return;
	/* The focus shows by its fill, the '>' marker and a bold frame; fill
	 * and frame are never underlined (set_role, box_at). */
	enum role role = focused ? ROLE_FOCUS : ROLE_BUTTON;
	attr_t bold = focused ? role_bold[role] : 0;
	ui_fill(r, role);
	bool boxed = r.h >= 3 && r.w >= 8;
	if (boxed)
		box_at(r, role_attr[role] | bold);
	int inner_x = r.x + (boxed ? 2 : 0), inner_w = r.w - (boxed ? 4 : 0);
	/* Room for two lines puts the label on the same row whether or not this
	 * button has a second line, so a row of buttons lines up. */
	int room = (r.h - (boxed ? 2 : 0)) >= 2 ? 2 : 1;
	int lines = sub && *sub ? room : 1;
	int y = r.y + (r.h - room) / 2;
	/* Focus is never colour alone: a '>' marker stands before the number. */
	char head[16];
	if (number > 0)
		snprintf(head, sizeof head, "%c%d ", focused ? '>' : ' ', number);
	else
		snprintf(head, sizeof head, "%c", focused ? '>' : ' ');
	int hw = ui_text(inner_x, y, inner_w, role, head);
	ui_text_mark_attr(inner_x + hw, y, inner_w - hw, role, bold, label, b0, b1);
	if (lines == 2)
		ui_text(inner_x + hw, y + 1, inner_w - hw, role, sub);
	ui_target(r, target);
	if (focused)
		ui_cursor(inner_x, y);
}

static long on_toast_timer(struct loop *l, long long id, void *ud)
{
	struct app *a = ud;
	U.toast[0] = '\0';
	U.toast_timer = 0;
	ui_dirty(a);
	return -1;
}

void ui_toast(struct app *a, enum role role, const char *msg)
{
	snprintf(U.toast, sizeof U.toast, "%s", msg);
	U.toast_role = role;
	if (U.toast_timer)
		loop_timer_del(U.cfg.loop, U.toast_timer);
	/* Long enough to read twice slowly. */
	U.toast_timer = loop_timer_add(U.cfg.loop, 8000, on_toast_timer, a);
	log_info("notice shown");
	if (U.hooks.notice)
		U.hooks.notice(a, msg);
	ui_dirty(a);
}

void ui_clear_terminal(struct app *a)
{
	U.need_clear = true;
	U.clear_scrollback = true;
	ui_dirty(a);
}

void ui_repaint_all(struct app *a)
{
	U.need_clear = true;
	ui_dirty(a);
}

void ui_set_help_label(struct app *a, const char *label)
{
	snprintf(U.help_label, sizeof U.help_label, "%s", label ? label : "");
	ui_dirty(a);
}

void ui_wipe_notice(struct app *a)
{
	explicit_bzero(U.toast, sizeof U.toast);
	ui_dirty(a);
}

bool ui_key_is_back(int key)
{
	return key == K_ESC || key == K_BACKSPACE || key == 127 || key == 8;
}

const char *ui_gw_message(const struct gw_reply *r)
{
	switch (r->result) {
	case GW_OK:
		return "";
	case GW_UNREACHABLE:
		return _("The service network cannot be reached. Please try again later or ask the staff.");
	case GW_TIMEOUT:
		return _("The service network is not answering. Please try again.");
	case GW_TOO_LARGE:
	case GW_BAD_ANSWER:
		return _("The service network sent an answer this kiosk cannot read. Please ask the staff.");
	case GW_PROBLEM:
		if (r->problem.title && *r->problem.title)
			return r->problem.title;
		if (r->status == 404)
			return _("This service was not found. It may have been withdrawn.");
		if (r->status >= 500)
			return _("The service network has a problem. Please try again later.");
		return _("The request was not accepted. Please ask the staff.");
	}
	return "";
}

/* ---- status and title bars ---- */

static void draw_title(struct app *a)
{
	set_role(ROLE_TITLE);
	mvhline(0, 0, ' ', U.cols);
	const char *t = U.top && U.top->ops->title ? U.top->ops->title(U.top) : "";
	ui_text(1, 0, U.cols - 2, ROLE_TITLE, t);
	if (gw_net_state(U.cfg.gw) == GW_NET_OFFLINE) {
		set_role(ROLE_BANNER);
		mvhline(1, 0, ' ', U.cols);
		const char *msg = U.hooks.offline_text ? U.hooks.offline_text(a) : NULL;
		if (!msg)
			msg = _("! Offline: the service network cannot be reached.");
		ui_text(1, 1, U.cols - 2, ROLE_BANNER, msg);
	}
}

static bool help_offered(struct app *a)
{
	return U.hooks.help && (!U.hooks.help_offered || U.hooks.help_offered(a));
}

static void draw_status(struct app *a)
{
	int sh = status_h(a);
	int y = U.rows - sh;
	ui_fill((struct rect){ 0, y, U.cols, sh }, ROLE_STATUS);
	bool home = !U.top || !U.top->below;

	/* The actions, most important first: a narrow bar drops the last. */
	struct { const char *label; int target; } act[5];
	int n = 0;
	char out[160];
	/* Large mode's buttons are for touch: no key hints, so that log-out,
	 * back and home still fit side by side on a small grid. */
	bool big = sh == 3;
	const char *citizen = ui_citizen(a);
	if (citizen) {
		/* Always visible while someone is logged in. */
		snprintf(out, sizeof out, big ? _("Log out %s") : _("[F9] Log out %s"), citizen);
		act[n].label = out;
		act[n++].target = UI_T_LOGOUT;
	}
	if (!home) {
		act[n].label = big ? _("Back") : _("[Esc] Back");
		act[n++].target = UI_T_BACK;
		act[n].label = big ? _("Home") : _("[Home] Home");
		act[n++].target = UI_T_HOME;
	}
	if (help_offered(a)) {
		/* On every screen; before 重听, which '*' also does. */
		act[n].label = U.help_label[0] ? U.help_label : big ? _("Call staff") : _("[F1] Call staff");
		act[n++].target = UI_T_HELP;
	}
	if (voice_mode) {
		act[n].label = big ? _("Repeat") : _("[*] Repeat");
		act[n++].target = UI_T_REPEAT;
	}
	/* Someone watching from afar (mirror.c) is always said: room is kept. */
	const char *watch = U.hooks.watched && U.hooks.watched(a) ? _("◉ Viewed remotely") : NULL;
	int room = U.cols - 1 - (watch ? text_width(watch) + 2 : 0);
	int x = 1;
	for (int i = 0; i < n; i++) {
		int w = text_width(act[i].label);
		if (sh == 3) {
			/* Large mode: real buttons, at least 3 x 8, with gaps. */
			int bw = w + 5 < 8 ? 8 : w + 5; /* frame, padding, marker */
			if (x + bw > room)
				break;
			ui_button((struct rect){ x, y, bw, 3 }, act[i].target, 0, act[i].label, NULL, false);
			x += bw + 2;
		} else {
			if (x + w > room)
				break;
			ui_text(x, y, U.cols - x, ROLE_STATUS, act[i].label);
			ui_target((struct rect){ x, y, w, 1 }, act[i].target);
			x += w + 2;
		}
	}
	char clock[8];
	time_t now = time(NULL);
	struct tm tm;
	localtime_r(&now, &tm);
	strftime(clock, sizeof clock, "%H:%M", &tm);
	/* The network state in words, never by colour alone. */
	const char *net = gw_net_state(U.cfg.gw) == GW_NET_OFFLINE ? _("Offline") : _("Online");
	char right[160];
	const char *w1 = watch ? watch : "", *w2 = watch ? " | " : "";
	snprintf(right, sizeof right, "%s%s%s | %s | %s", w1, w2, i18n_lang_name(i18n_lang()), net, clock);
	int rw = text_width(right);
	if (x + rw + 1 > U.cols) {
		snprintf(right, sizeof right, "%s%s%s %s", w1, w2, net, clock);
		rw = text_width(right);
	}
	if (x + rw + 1 > U.cols && watch) {
		snprintf(right, sizeof right, "%s", watch);
		rw = text_width(right);
	}
	if (x + rw + 1 <= U.cols)
		ui_text(U.cols - rw - 1, y + sh / 2, rw, ROLE_STATUS, right);
	explicit_bzero(out, sizeof out); /* held the citizen's masked name */
}

/* The idle warning: a box over the screen with a countdown; any key or
 * touch dismisses it (and so gives more time). */
static void draw_idle_warning(struct app *a)
{
	int left = U.hooks.idle_warning ? U.hooks.idle_warning(a) : -1;
	if (left < 0)
		return;
	int w = U.cols - 4 < 60 ? U.cols - 4 : 60, h = U.rows - 4 < 7 ? U.rows - 4 : 7;
	if (w < 10 || h < 3)
		return;
	struct rect r = { (U.cols - w) / 2, (U.rows - h) / 2, w, h };
	ui_fill(r, ROLE_BANNER);
	box_at(r, role_attr[ROLE_BANNER]);
	char line[200];
	snprintf(line, sizeof line,
	         ui_citizen(a) ? _("Still there? You will be logged out in %d s.")
	                           : _("Still there? Back to the start in %d s."), left);
	int y = r.y + 1;
	ui_text_center(r.x + 1, y, r.w - 2, ROLE_BANNER, line);
	if (h >= 5)
		ui_text_center(r.x + 1, y + 2, r.w - 2, ROLE_BANNER,
		               _("Touch the screen or press any key to continue."));
	ui_target(r, UI_T_IDLE);
	ui_cursor(r.x + 2, y);
}

static void logout(struct app *a)
{
	if (ui_citizen(a) && U.hooks.logout)
		U.hooks.logout(a);
}

void ui_paint(struct app *a)
{
	ui_reap(a); /* the end of the pass: screens popped in it go now */
	if (!U.dirty)
		return;
	U.dirty = false;
	U.targets->n = 0;
	if (layout_dump_path) {
		char *tmp = xasprintf("%s.tmp", layout_dump_path);
		layout_dump = fopen(tmp, "we");
		free(tmp);
		if (layout_dump)
			fprintf(layout_dump, "screen %s %d %d %d\n", U.top ? U.top->ops->name : "-",
			        U.cols, U.rows, large_mode);
	}
	if (U.need_clear) {
		clearok(curscr, TRUE);
		U.need_clear = false;
	}
	bkgdset(' ' | role_attr[ROLE_TEXT]);
	erase();
	U.cursor_x = 0;
	U.cursor_y = 0;
	if (U.cols < 16 || U.rows < 6) {
		ui_text(0, 0, U.cols, ROLE_ERROR, _("Window too small"));
	} else {
		draw_title(a);
		if (U.top && U.top->ops->draw)
			U.top->ops->draw(U.top, ui_area(a));
		if (U.toast[0]) {
			int ty = U.rows - status_h(a) - 1;
			set_role(U.toast_role);
			mvhline(ty, 0, ' ', U.cols);
			ui_text(1, ty, U.cols - 2, U.toast_role, U.toast);
		}
		draw_status(a);
		draw_idle_warning(a);
	}
	if (layout_dump) {
		for (size_t i = 0; i < U.targets->n; i++) {
			struct rect r = U.targets->t[i].r;
			fprintf(layout_dump, "target %d %d %d %d %d\n", U.targets->t[i].id, r.x, r.y, r.w, r.h);
		}
		fprintf(layout_dump, "cursor %d %d\nend\n", U.cursor_x, U.cursor_y);
		fclose(layout_dump);
		layout_dump = NULL;
		/* whole frames only: a reader never sees half of one */
		char *tmp = xasprintf("%s.tmp", layout_dump_path);
		rename(tmp, layout_dump_path);
		free(tmp);
	}
	move(U.cursor_y, U.cursor_x);
	refresh();
	if (U.clear_scrollback) {
		/* E3: the terminal's scrollback goes too (xterm and most others). */
		const char *e3 = tigetstr("E3");
		putp(e3 && e3 != (char *)-1 ? e3 : "\033[3J");
		fflush(stdout);
		U.clear_scrollback = false;
		/* And what the last frames left on our own stack (lines with the
		 * citizen's masked name, built for drawing). */
		scrub_stack();
	}
	if (U.hooks.painted)
		U.hooks.painted(a);
}

/* ---- input ---- */

static void dispatch_target(struct app *a, int id)
{
	if (id == UI_T_BACK)
		ui_pop(a);
	else if (id == UI_T_HOME)
		ui_home(a);
	else if (id == UI_T_LOGOUT)
		logout(a);
	else if (id == UI_T_REPEAT && U.hooks.repeat)
		U.hooks.repeat(a);
	else if (id == UI_T_HELP && help_offered(a))
		U.hooks.help(a);
	else if (id == UI_T_IDLE)
		; /* dismissing the warning was the point */
	else if (U.top && U.top->ops->mouse)
		U.top->ops->mouse(U.top, id);
	ui_dirty(a);
}

/* A mouse report goes through the keyboard-wedge detector as the key
 * K_MOUSE, so keys it holds come out first; on_mouse reads the report
 * here. */
#define K_MOUSE (UI_FKEY | KEY_MOUSE)
static struct keys_event mouse_report;

static void on_mouse(struct app *a)
{
	const struct keys_event *ev = &mouse_report;
	/* Act on touch-down: the press is what a touch screen reliably
	 * reports. Releases, wheels, drags and other buttons do nothing. */
	if (ev->button != 1 || !ev->press || ev->motion)
		return;
	if (activity(a))
		return; /* the touch dismissed the idle warning */
	struct ui_target_list *l = U.targets;
	for (size_t i = l->n; i-- > 0;) {
		if (rect_contains(l->t[i].r, ev->x, ev->y)) {
			dispatch_target(a, l->t[i].id);
			return;
		}
	}
}

void ui_resize(struct app *a, int cols, int rows)
{
	if (cols < 1 || rows < 1)
		return;
	resize_term(rows, cols);
	U.cols = COLS;
	U.rows = LINES;
	U.need_clear = true;
	ui_relayout(a);
}

/* '*' held down on a keypad (its auto-repeat: 8 within 2.5 s, none more
 * than 0.6 s apart) calls staff; the rest of that hold is swallowed. Each
 * '*' before that does what '*' does (重听 in voice mode). */
static bool star_held(struct app *a, int key)
{
	static int n;
	static long long first, last;
	static bool fired;
	if (key != '*' || !help_offered(a)) {
		n = 0;
		return false;
	}
	long long now = loop_now_ms();
	if (n == 0 || now - last > 600) {
		n = 0;
		first = now;
		fired = false;
	}
	n++;
	last = now;
	if (fired)
		return true;
	if (n >= 8 && now - first <= 2500) {
		fired = true;
		U.hooks.help(a);
		ui_dirty(a);
		return true;
	}
	return false;
}

void ui_key(struct app *a, int key)
{
	if (key == K_MOUSE) {
		on_mouse(a);
		return;
	}
	if (key == '\n' || key == K_ENTER)
		key = K_RETURN;
	if (activity(a))
		return; /* the key dismissed the idle warning: nothing else */
	if (key == K_F(9) && ui_citizen(a)) {
		logout(a);
		return;
	}
	if (key == K_F(1) && help_offered(a)) {
		U.hooks.help(a);
		ui_dirty(a);
		return;
	}
	if (star_held(a, key))
		return;
	if ((key == '*' || key == K_F(2)) && voice_mode) {
		if (U.hooks.repeat)
			U.hooks.repeat(a); /* 重听 */
		return;
	}
	if (U.hooks.key && U.hooks.key(a, key))
		return;
	if (U.top && U.top->ops->key && U.top->ops->key(U.top, key) == UI_HANDLED) {
		ui_dirty(a);
		return;
	}
	if (ui_key_is_back(key))
		ui_pop(a);
	else if (key == K_HOME)
		ui_home(a);
	else if (key == K_F(10) && !U.cfg.lockdown && U.hooks.quit)
		U.hooks.quit(a);
	ui_dirty(a);
}

/* What the keyboard-wedge detector lets out: keys, or a whole scan. */
static void wedge_emit(struct app *a, const struct wedge_out *out, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (out[i].kind == WEDGE_KEY)
			ui_key(a, out[i].key);
		else if (out[i].kind == WEDGE_SCAN) {
			if (U.hooks.scan)
				U.hooks.scan(a, U.wedge.scan, U.wedge.scan_len);
		}
		else
			ui_toast(a, ROLE_ERROR, _("The scanned code is too long to be a login code."));
	}
}

static void input_arm(struct app *a);

/* With the detector off, a burst that it would have taken for a scan is
 * still typing, but it says a keyboard-wedge scanner is typing on this
 * terminal, which the configuration does not expect: logged once per run
 * (and so in the fleet's heartbeat as the last warning), never its text. */
static void burst_watch(int key, bool text, long long now)
{
	static bool told;
	if (wedge_watch(&U.wedge, key, text, now) && !told) {
		told = true;
		log_warn("a keyboard-wedge scanner seems to type on the terminal, but [scanner] wedge is off: "
		         "its codes are taken as typing (read it as evdev:, or set wedge = on)");
	}
}

/* The reader's events, at once, or (with [scanner] wedge = on) through
 * the keyboard-wedge detector: typed text may be a scanner's burst; keys
 * and mouse reports end a burst. Off, nothing typed on the terminal is a
 * scan: scanners are read as devices (evdev:, serial:, camera:). */
static void input_events(struct app *a, const struct keys_event *ev, size_t n)
{
	static struct wedge_out out[WEDGE_MAX + 2];
	for (size_t i = 0; i < n; i++) {
		int key = ev[i].key;
		if (ev[i].kind == KEYS_MOUSE) {
			mouse_report = ev[i];
			key = K_MOUSE;
		} else if (key == K_ENTER) {
			key = K_RETURN;
		}
		if (!U.cfg.wedge) {
			burst_watch(key, ev[i].kind == KEYS_TEXT, loop_now_ms());
			ui_key(a, key);
		} else
			wedge_emit(a, out, wedge_feed(&U.wedge, key, ev[i].kind == KEYS_TEXT, loop_now_ms(), out));
	}
}

static long on_wedge_timer(struct loop *l, long long id, void *ud)
{
	struct app *a = ud;
	static struct wedge_out out[WEDGE_MAX + 2];
	U.wedge_timer = 0;
	wedge_emit(a, out, wedge_flush(&U.wedge, loop_now_ms(), out));
	return -1;
}

/* Nothing followed a lone ESC (Esc), or a sequence stopped half-way. */
static long on_keys_timer(struct loop *l, long long id, void *ud)
{
	struct app *a = ud;
	struct keys_event ev[1];
	U.keys_timer = 0;
	input_events(a, ev, keys_timeout(&U.keys, loop_now_ms(), ev));
	input_arm(a);
	return -1;
}

static void timer_set(struct app *a, long long *timer, long delay, loop_timer_fn fn)
{
	if (*timer)
		loop_timer_del(U.cfg.loop, *timer);
	*timer = delay >= 0 ? loop_timer_add(U.cfg.loop, delay, fn, a) : 0;
}

/* Wake-ups for what the reader and the wedge detector hold back. */
static void input_arm(struct app *a)
{
	long long now = loop_now_ms();
	timer_set(a, &U.wedge_timer, wedge_deadline(&U.wedge, now), on_wedge_timer);
	timer_set(a, &U.keys_timer, keys_deadline(&U.keys, now), on_keys_timer);
}

bool ui_input(struct app *a)
{
	/* Typed bytes may be a scanned login code: wiped after use. */
	static struct keys_event ev[1024 + 1];
	unsigned char buf[1024];
	ssize_t n = read(STDIN_FILENO, buf, sizeof buf);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return true;
	if (n <= 0)
		return false; /* end of file, or an error: the terminal is gone */
	size_t m = keys_feed(&U.keys, buf, (size_t)n, loop_now_ms(), ev);
	explicit_bzero(buf, (size_t)n);
	input_events(a, ev, m);
	explicit_bzero(ev, m * sizeof ev[0]);
	input_arm(a);
	return true;
}

void ui_init(struct app *a, const struct ui_config *cfg, const struct ui_hooks *hooks)
{
	U.cfg = *cfg;
	U.hooks = *hooks;
	U.app = a;
	U.targets = xcalloc(1, sizeof *U.targets);
	const char *dump = getenv("KIOSK_LAYOUT_DUMP");
	if (dump && *dump)
		layout_dump_path = xstrdup(dump);
	initscr();
	if (U.cfg.lockdown)
		raw();
	else
		cbreak();
	noecho();
	nonl();
	/* Curses never reads the terminal: ui_input does (kiosk/core/keys.c).
	 * keypad() still asks for application cursor and keypad mode (smkx),
	 * mousemask() for mouse reports; typeahead(-1) keeps curses from
	 * cutting a paint short because keys are waiting. */
	keypad(stdscr, TRUE);
	typeahead(-1);
	leaveok(stdscr, FALSE);
	curs_set(U.cfg.cursor_visible ? 1 : 0);
	mousemask(BUTTON1_PRESSED | BUTTON1_RELEASED, NULL);
	keys_init(&U.keys);
	ui_colours_init(cfg->theme);
	U.cfg.theme = NULL; /* the caller's: not kept */
	struct wedge_cfg wc = { cfg->wedge_gap_ms, cfg->wedge_min_len };
	wedge_init(&U.wedge, &wc);
	U.cols = COLS;
	U.rows = LINES;
	U.dirty = true;
}

void ui_set_wedge(struct app *a, int gap_ms, int min_len)
{
	/* What is held now is judged by the new rule when the next key or
	 * the flush comes: nothing is lost. */
	U.wedge.cfg.max_gap_ms = gap_ms;
	U.wedge.cfg.min_len = min_len;
}

void ui_end(struct app *a)
{
	ui_reap(a);
	while (U.top) {
		struct screen *s = U.top;
		U.top = s->below;
		screen_free(a, s);
	}
	if (!isendwin())
		endwin();
	if (U.targets) {
		free(U.targets->t);
		free(U.targets);
		U.targets = NULL;
	}
}
