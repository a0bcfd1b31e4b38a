/* scr_staff.c: staff mode's way in and its menu (staff.h holds the
 * session).
 *
 * In: a staff card scanned on home (scr_home.c hands it to
 * staff_card_login), or the hidden sequence * # * # on home (a keypad
 * without '#' types '.' for it: its key sits where a phone pad has '#'),
 * each key within STAFF_SEQ_GAP_MS of the last, which opens the PIN pad.
 * Neither while a citizen is logged in. In voice mode '*' is 重听 and never
 * reaches home: staff switch voice off first, or use a card.
 *
 * The menu: 1 重打凭条 ... 8 重启程序, 0 退出. Leaving it any way (0, Esc,
 * Home, the idle timeout, the session's expiry) ends staff mode; every
 * staff screen shows the banner (scr_staff.h) and a title that says so.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app.h"
#include "screens.h"
#include "i18n.h"
#include "log.h"
#include "loop.h"
#include "menu.h"
#include "osk.h"
#include "pinlock.h"
#include "scr_staff.h"
#include "session.h"
#include "staff.h"
#include "text.h"
#include "ui.h"
#include "util.h"

#define STAFF_SEQ_GAP_MS 3000

/* ---- shared by the staff screens ------------------------------------------------------- */

struct rect staff_body(struct rect area)
{
	int h = area.h > STAFF_BANNER_H + 3 ? STAFF_BANNER_H : 0;
	return (struct rect){ area.x, area.y + h, area.w, area.h - h };
}

void staff_banner(struct screen *s, struct rect area)
{
	if (area.h <= STAFF_BANNER_H + 3)
		return;
	struct app *a = s->app;
	char who[160], ends[32] = "", line[400];
	if (staff_via(a) == STAFF_VIA_CARD)
		snprintf(who, sizeof who, _("Staff card: %s (%s)"), staff_who(a), staff_id(a));
	else
		snprintf(who, sizeof who, "%s", _("Staff PIN"));
	time_t end = time(NULL) + staff_seconds_left(a);
	struct tm tm;
	localtime_r(&end, &tm);
	strftime(ends, sizeof ends, "%H:%M", &tm);
	snprintf(line, sizeof line, _("STAFF MODE | %s | ends at %s | no citizen data is shown"), who, ends);
	ui_fill((struct rect){ area.x - 1, area.y, area.w + 2, 1 }, ROLE_BANNER);
	ui_text(area.x, area.y, area.w, ROLE_BANNER, line);
}

const char *staff_title(char *buf, size_t n, const char *page)
{
	snprintf(buf, n, "%s · %s", _("Staff mode"), page);
	return buf;
}

char *staff_col(char *out, size_t n, const char *s, int w)
{
	char *cut = text_ellipsize(s, w);
	int used = text_width(cut);
	snprintf(out, n, "%s%*s", cut, w > used ? w - used : 0, "");
	free(cut);
	return out;
}

int staff_scan_elsewhere(struct screen *s, const char *code, size_t len)
{
	/* Never a citizen's log-in in staff mode. */
	ui_toast(s->app, ROLE_TEXT, _("Staff mode: scans are shown on 4 Device tests."));
	return UI_HANDLED;
}

/* ---- the hidden sequence on home ----------------------------------------------------------- */

void app_staff_started(struct app *a)
{
	ui_push(a, &scr_staff, NULL);
}

bool app_staff_key(struct app *a, int key)
{
	static const int seq[] = { '*', '#', '*', '#' };
	static int pos;
	static long long last;
	if (key == '.')
		key = '#';
	if (key != '*' && key != '#') {
		pos = 0;
		return false;
	}
	long long now = loop_now_ms();
	if (pos > 0 && now - last > STAFF_SEQ_GAP_MS)
		pos = 0;
	last = now;
	if (key != seq[pos]) {
		pos = key == seq[0] ? 1 : 0;
		return true; /* '*' and '#' mean nothing else on home */
	}
	if (++pos < (int)(sizeof seq / sizeof seq[0]))
		return true;
	pos = 0;
	if (session_active(a)) {
		ui_toast(a, ROLE_BANNER, _("A citizen is logged in. Log out first, then open staff mode."));
		return true;
	}
	if (!staff_pin_configured(a)) {
		log_info("staff: PIN sequence typed, but no staff PIN is configured");
		ui_toast(a, ROLE_BANNER, _("No staff PIN is set up on this kiosk. Please use a staff card."));
		return true;
	}
	ui_push(a, &scr_staff_pin, NULL);
	return true;
}

/* ---- the PIN pad ---------------------------------------------------------------------------- */

enum { T_PAD = 100 };

struct pin {
	char digits[PIN_MAX_DIGITS + 1];
	int len;
	char msg[256];
	enum role msg_role;
	struct osk *pad;
	struct rect field, padr, msgr;
	int msg_y;
	bool has_pad;
	char title[128];
};

static void pin_set_msg(struct pin *p, enum role role, const char *msg)
{
	snprintf(p->msg, sizeof p->msg, "%s", msg ? msg : "");
	p->msg_role = role;
}

static void pin_clear(struct pin *p)
{
	explicit_bzero(p->digits, sizeof p->digits);
	p->len = 0;
}

static void say_locked(struct pin *p, long long secs)
{
	char m[256];
	snprintf(m, sizeof m, _("Too many wrong PINs. Staff PIN entry is locked for %lld min."), (secs + 59) / 60);
	pin_set_msg(p, ROLE_ERROR, m);
}

static void pin_enter(struct screen *s, void *arg)
{
	struct pin *p = xcalloc(1, sizeof *p);
	p->pad = osk_new(OSK_DIGITS, OSK_PAD | OSK_BOXED | OSK_NO_SWITCH | OSK_NO_SPACE | OSK_NO_CLEAR);
	s->priv = p;
	long long locked = staff_pin_locked_s(s->app);
	if (locked > 0)
		say_locked(p, locked);
}

static void pin_leave(struct screen *s)
{
	struct pin *p = s->priv;
	pin_clear(p);
	osk_free(p->pad);
	free(p);
}

static void pin_resize(struct screen *s, struct rect area)
{
	struct pin *p = s->priv;
	int w = area.w - 2 < 30 ? area.w - 2 : 30;
	p->field = (struct rect){ area.x + 1, area.y + 2, w, 3 };
	p->msg_y = p->field.y + 3;
	osk_set_enter_label(p->pad, _("OK"));
	int kw = ui_large() ? 12 : 10;
	int lw = text_width(_("Delete")) + OSK_PAD_BOXED;
	if (kw < lw)
		kw = lw;
	int pw = 3 * kw + (ui_large() ? 4 : 2);
	/* At the right edge: the message beside it gets the room. */
	int px = area.x + area.w - pw - 1, py = area.y + 1;
	if (px < p->field.x + p->field.w + 3) {
		px = area.x + 1;
		py = p->msg_y + 3;
	}
	int pages = 0;
	int ph = osk_height(p->pad, pw, area.y + area.h - py, &pages);
	p->has_pad = px + pw <= area.x + area.w && ph > 0 && pages == 1;
	p->padr = (struct rect){ px, py, pw, ph };
	/* The message beside the pad, or across when the pad is below. */
	bool beside = p->has_pad && py < p->msg_y + 3;
	p->msgr = (struct rect){ area.x + 1, p->msg_y, beside ? px - area.x - 3 : area.w - 2, beside ? 5 : 2 };
}

static void pin_draw(struct screen *s, struct rect area)
{
	struct pin *p = s->priv;
	ui_text(area.x + 1, area.y, area.w - 2, ROLE_TEXT, _("Staff PIN: type it with the number keys, then press Enter."));
	ui_fill(p->field, ROLE_BUTTON);
	char dots[PIN_MAX_DIGITS * 4 + 1] = "";
	for (int i = 0; i < p->len; i++)
		strcat(dots, "●"); /* never the digits */
	int x = p->field.x + 1, y = p->field.y + 1;
	int used = ui_text(x, y, p->field.w - 3, ROLE_BUTTON, dots);
	ui_text(x + used, y, 1, ROLE_FOCUS, " ");
	ui_cursor(x + used, y);
	if (p->msg[0])
		ui_para(p->msgr, p->msg_role, p->msg);
	if (p->has_pad)
		osk_draw(p->pad, p->padr, T_PAD);
}

static void pin_submit(struct screen *s)
{
	struct pin *p = s->priv;
	struct app *a = s->app;
	long long info = 0;
	enum staff_pin_result r = staff_pin_try(a, p->digits, (size_t)p->len, &info);
	pin_clear(p);
	char m[256];
	switch (r) {
	case STAFF_PIN_OK:
		ui_pop(a); /* s is gone: nothing of it is read below */
		ui_push(a, &scr_staff, NULL);
		return;
	case STAFF_PIN_WRONG:
		snprintf(m, sizeof m, _("Wrong PIN. %lld more tries before staff PIN entry is locked."), info);
		pin_set_msg(p, ROLE_ERROR, m);
		break;
	case STAFF_PIN_LOCKED:
		say_locked(p, info);
		break;
	case STAFF_PIN_OFF:
		pin_set_msg(p, ROLE_ERROR, _("No staff PIN is set up on this kiosk. Please use a staff card."));
		break;
	case STAFF_PIN_BAD:
		pin_set_msg(p, ROLE_ERROR, _("A staff PIN has 4 to 12 digits."));
		break;
	case STAFF_PIN_UNSAVED:
		pin_set_msg(p, ROLE_ERROR, _("Staff PIN entry is not available: the kiosk cannot save its state. Please use a staff card."));
		break;
	}
	access_repeat(a);
}

static void pin_digit(struct screen *s, int d)
{
	struct pin *p = s->priv;
	if (p->len >= PIN_MAX_DIGITS) {
		pin_set_msg(p, ROLE_ERROR, _("A staff PIN has 4 to 12 digits."));
		return;
	}
	p->digits[p->len++] = (char)('0' + d);
	p->digits[p->len] = '\0';
	if (p->msg_role != ROLE_ERROR || staff_pin_locked_s(s->app) == 0)
		pin_set_msg(p, ROLE_TEXT, NULL);
}

static void pin_delete(struct screen *s)
{
	struct pin *p = s->priv;
	if (p->len > 0)
		p->digits[--p->len] = '\0';
}

static int pin_key(struct screen *s, int key)
{
	struct pin *p = s->priv;
	if (key >= '0' && key <= '9') {
		pin_digit(s, key - '0');
		return UI_HANDLED;
	}
	if (key == K_BACKSPACE || key == 0x7f || key == 8) {
		if (p->len == 0)
			return UI_PASS;
		pin_delete(s);
		return UI_HANDLED;
	}
	if (key == K_RETURN) {
		pin_submit(s);
		return UI_HANDLED;
	}
	return UI_PASS;
}

static int pin_mouse(struct screen *s, int target)
{
	struct pin *p = s->priv;
	struct osk_event ev;
	if (p->has_pad && osk_touch(p->pad, target, &ev)) {
		if (ev.kind == OSK_CHAR && ev.ch >= '0' && ev.ch <= '9')
			pin_digit(s, ev.ch - '0');
		else if (ev.kind == OSK_BACKSPACE)
			pin_delete(s);
		else if (ev.kind == OSK_ENTER)
			pin_submit(s);
	}
	return UI_HANDLED;
}

/* A staff card works here too. */
static int pin_scan(struct screen *s, const char *code, size_t len)
{
	if (staff_code_like(code, len))
		staff_card_login(s, code, len, app_staff_started);
	else
		ui_toast(s->app, ROLE_TEXT, _("Type the staff PIN, or scan a staff card."));
	return UI_HANDLED;
}

static const char *pin_title(struct screen *s)
{
	struct pin *p = s->priv;
	return staff_title(p->title, sizeof p->title, _("Staff PIN"));
}

static void pin_speak(struct screen *s, char *buf, size_t n, bool full)
{
	struct pin *p = s->priv;
	char count[96];
	snprintf(count, sizeof count, _("%d digits entered."), p->len); /* never the digits */
	if (full)
		snprintf(buf, n, "%s. %s %s %s", pin_title(s),
		         _("Staff PIN: type it with the number keys, then press Enter."), p->msg, count);
	else
		snprintf(buf, n, "%s %s", p->msg, count);
}

const struct screen_ops scr_staff_pin = {
	.name = "staff_pin",
	.enter = pin_enter,
	.leave = pin_leave,
	.key = pin_key,
	.mouse = pin_mouse,
	.draw = pin_draw,
	.resize = pin_resize,
	.speak = pin_speak,
	.title = pin_title,
	.scan = pin_scan,
};

/* ---- the menu ------------------------------------------------------------------------------- */

enum { M_REPRINT, M_LEDGER, M_OUTBOX, M_DEVICES, M_NETWORK, M_CONFIG, M_ERRORS, M_RESTART, M_COUNT };
enum { T_EXIT = 200, T_YES, T_NO };

struct staffm {
	struct menu m;
	struct rect banner, exit;
	/* 8 重启程序 asks here, under the banner: 1 yes, 2 (or Esc) no. */
	bool confirming;
	struct rect question, yes, no;
	char title[128];
	char exit_label[96];
};

static const char *menu_label(void *ud, int i, const char **sub)
{
	*sub = NULL;
	switch (i) {
	case M_REPRINT: *sub = _("The last receipts again, marked 重打"); return _("Reprint receipts");
	case M_LEDGER: *sub = _("Final payments: amounts and states"); return _("Payment ledger");
	case M_OUTBOX: *sub = _("Pending and final entries, counts"); return _("Outbox");
	case M_DEVICES: *sub = _("Scanner, printer, speech, display"); return _("Device tests");
	case M_NETWORK: *sub = _("Gateways, online or not, last request"); return _("Network and gateway");
	case M_CONFIG: *sub = _("Program and configuration"); return _("Version and configuration");
	case M_ERRORS: *sub = _("The last warnings and errors"); return _("Recent errors");
	case M_RESTART: *sub = _("Asks first"); return _("Restart the program");
	}
	return "";
}

static void staffm_enter(struct screen *s, void *arg)
{
	s->priv = xcalloc(1, sizeof(struct staffm));
}

static void staffm_leave(struct screen *s)
{
	/* Left by Home, a touch on the status bar...: staff mode ends with
	 * its menu (staff_end's own ways have ended it already). */
	staff_end(s->app, STAFF_END_LEFT);
	free(s->priv);
}

static void staffm_resize(struct screen *s, struct rect area)
{
	struct staffm *k = s->priv;
	struct rect b = staff_body(area);
	int eh = b.h >= 12 ? 3 : 1;
	k->exit = (struct rect){ b.x, b.y + b.h - eh, b.w < 30 ? b.w : 30, eh };
	struct rect m = { b.x, b.y, b.w, b.h - eh - 1 };
	menu_layout(&k->m, m, M_COUNT, 24, m.h >= 4 * 3 + 3 ? 3 : 1, 2, m.h >= 4 * 3 + 3 ? 1 : 0, 2);
	k->question = (struct rect){ b.x + 1, b.y + 1, b.w - 2, 2 };
	int bw = b.w / 2 - 2 < 30 ? b.w / 2 - 2 : 30;
	k->yes = (struct rect){ b.x + 1, b.y + 4, bw, 3 };
	k->no = (struct rect){ b.x + 3 + bw, b.y + 4, bw, 3 };
}

static void staffm_draw(struct screen *s, struct rect area)
{
	struct staffm *k = s->priv;
	if (!staff_active(s->app))
		return;
	staff_banner(s, area);
	if (k->confirming) {
		ui_para(k->question, ROLE_BANNER, _("Restart the kiosk program now? It starts again by itself in a few seconds."));
		ui_button(k->yes, T_YES, 1, _("Restart now"), NULL, false);
		ui_button(k->no, T_NO, 2, _("No, go back"), NULL, true);
		return;
	}
	menu_draw(&k->m, menu_label, s);
	snprintf(k->exit_label, sizeof k->exit_label, "0 %s", _("Exit staff mode"));
	ui_button(k->exit, T_EXIT, 0, k->exit_label, NULL, false);
}

static void activate(struct screen *s, int i)
{
	struct app *a = s->app;
	switch (i) {
	case M_REPRINT: ui_push(a, &scr_staff_reprint, NULL); break;
	case M_LEDGER: ui_push(a, &scr_staff_page, &(int){ STAFF_PAGE_LEDGER }); break;
	case M_OUTBOX: ui_push(a, &scr_staff_page, &(int){ STAFF_PAGE_OUTBOX }); break;
	case M_DEVICES: ui_push(a, &scr_staff_dev, NULL); break;
	case M_NETWORK: ui_push(a, &scr_staff_page, &(int){ STAFF_PAGE_NETWORK }); break;
	case M_CONFIG: ui_push(a, &scr_staff_page, &(int){ STAFF_PAGE_CONFIG }); break;
	case M_ERRORS: ui_push(a, &scr_staff_page, &(int){ STAFF_PAGE_ERRORS }); break;
	case M_RESTART:
		((struct staffm *)s->priv)->confirming = true;
		access_repeat(a);
		break;
	}
}

static int staffm_key(struct screen *s, int key)
{
	struct staffm *k = s->priv;
	if (k->confirming) {
		if (key == '1') {
			staff_restart(s->app); /* the last thing */
		} else if (key == '2' || key == K_RETURN || ui_key_is_back(key)) {
			k->confirming = false; /* Enter: the safe answer has the focus */
			access_repeat(s->app);
		}
		return UI_HANDLED;
	}
	if (key == '0' || ui_key_is_back(key) || key == K_HOME) {
		staff_end(s->app, STAFF_END_EXIT); /* pops s: the last thing */
		return UI_HANDLED;
	}
	int r = menu_key(&k->m, key);
	if (r >= 0)
		activate(s, r);
	return r == MENU_IGNORED ? UI_PASS : UI_HANDLED;
}

static int staffm_mouse(struct screen *s, int target)
{
	struct staffm *k = s->priv;
	if (k->confirming) {
		if (target == T_YES)
			staff_restart(s->app);
		else if (target == T_NO)
			k->confirming = false;
		return UI_HANDLED;
	}
	if (target == T_EXIT) {
		staff_end(s->app, STAFF_END_EXIT);
		return UI_HANDLED;
	}
	int r = menu_mouse(&k->m, target);
	if (r >= 0)
		activate(s, r);
	return UI_HANDLED;
}

static const char *staffm_title(struct screen *s)
{
	struct staffm *k = s->priv;
	return staff_title(k->title, sizeof k->title, _("Menu"));
}

static void staffm_speak(struct screen *s, char *buf, size_t n, bool full)
{
	struct staffm *k = s->priv;
	const char *sub;
	char item[256];
	if (k->confirming) {
		snprintf(buf, n, _("%s Press 1 to restart, 2 to go back."),
		         _("Restart the kiosk program now? It starts again by itself in a few seconds."));
		return;
	}
	menu_speak_item(&k->m, k->m.focus, menu_label(s, k->m.focus, &sub), item, sizeof item);
	if (!full) {
		snprintf(buf, n, "%s", item);
		return;
	}
	size_t len = (size_t)snprintf(buf, n, _("%s. Press a number to choose:"), staffm_title(s));
	for (int i = 0; i < M_COUNT && len < n; i++)
		len += (size_t)snprintf(buf + len, n - len, " %d %s;", i + 1, menu_label(s, i, &sub));
	if (len < n)
		len += (size_t)snprintf(buf + len, n - len, " 0 %s. ", _("Exit staff mode"));
	if (len < n)
		snprintf(buf + len, n - len, "%s", item);
}

const struct screen_ops scr_staff = {
	.name = "staff",
	.enter = staffm_enter,
	.leave = staffm_leave,
	.key = staffm_key,
	.mouse = staffm_mouse,
	.draw = staffm_draw,
	.resize = staffm_resize,
	.speak = staffm_speak,
	.title = staffm_title,
	.scan = staff_scan_elsewhere,
};
