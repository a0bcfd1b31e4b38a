/* scr_account.c: 生活缴费, the account number and the bills on it.
 *
 * The number is typed with the keypad's digits (or touched on the screen's
 * own digit pad: the on-screen keyboard, osk.h, as a phone pad), Backspace
 * corrects, Enter looks it up (GET /v1/bills);
 * a paper bill's code may be scanned instead. Only digits are taken: a
 * letter, a 21st digit or a scan that is no account number gets a plain
 * message and changes nothing. The bills found are a menu; picking one
 * opens the payment (scr_pay.c). Editing the number while a lookup runs
 * drops that lookup's answer: the list shown is always for the number
 * shown. The number is wiped when the screen goes.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "screens.h"
#include "bigtext.h"
#include "i18n.h"
#include "log.h"
#include "menu.h"
#include "money.h"
#include "osk.h"
#include "pay.h"
#include "text.h"
#include "ui.h"
#include "util.h"

enum stage { ST_ENTRY, ST_LOADING, ST_LIST };
enum { REQ_BILLS = 1 };
/* Touch targets: the digit pad's keys (the bills' menu uses 0..n-1, and
 * only while the pad is not shown). */
enum { T_PAD = 100 };

struct account {
	enum bill_type type;
	enum stage stage;
	char digits[ACCOUNT_MAX + 1];
	int len;
	char *msg;                /* a message under the field, or NULL */
	enum role msg_role;
	char said[128];           /* the last edit, for voice mode */
	struct bill *bills;
	size_t n_bills;
	bool paying;              /* a bill of the list was opened to be paid */
	struct menu m;
	struct osk *pad;          /* the digit pad: 1-9, 删除 0 查询 */
	/* layout */
	struct rect field, padr, list;
	bool big, has_pad;
	int msg_y;
	char sub[256];
};

static void set_msg(struct account *c, enum role role, const char *msg)
{
	free(c->msg);
	c->msg = msg ? xstrdup(msg) : NULL;
	c->msg_role = role;
}

static void drop_bills(struct account *c)
{
	bills_free(c->bills, c->n_bills);
	c->bills = NULL;
	c->n_bills = 0;
}

static void account_enter(struct screen *s, void *arg)
{
	const struct scr_account_arg *a = arg;
	struct account *c = xcalloc(1, sizeof *c);
	c->type = a->type;
	c->pad = osk_new(OSK_DIGITS, OSK_PAD | OSK_BOXED | OSK_NO_SWITCH | OSK_NO_SPACE | OSK_NO_CLEAR);
	s->priv = c;
	if (a->scanned)
		s->ops->scan(s, a->scanned, strlen(a->scanned));
}

static void account_leave(struct screen *s)
{
	struct account *c = s->priv;
	explicit_bzero(c->digits, sizeof c->digits);
	explicit_bzero(c->said, sizeof c->said);
	drop_bills(c);
	osk_free(c->pad);
	free(c->msg);
	free(c);
}

/* ---- layout ----------------------------------------------------------------------------- */

static void look_up(struct screen *s);

static void account_resize(struct screen *s, struct rect area)
{
	struct account *c = s->priv;
	if (c->paying && ui_top(s->app) == s) {
		/* Back from a payment: a bill paid there is no longer due, and
		 * picking it again would be a payment the gateway refuses. */
		c->paying = false;
		if (c->stage == ST_LIST)
			look_up(s);
	}
	int y = area.y + 1;
	/* Large mode: the digits in big glyphs while they fit the width (a
	 * long number falls back to plain digits, never cut). */
	c->big = ui_large() && area.h >= 18;
	int fh = c->big ? BIGTEXT_ROWS + 2 : 3;
	c->field = (struct rect){ area.x + 1, y + 1, area.w - 2 < 46 ? area.w - 2 : 46, fh };
	if (c->big)
		c->field.w = area.w - 2;
	c->msg_y = c->field.y + fh;
	int top = c->msg_y + 2;
	c->list = (struct rect){ area.x, top, area.w, area.y + area.h - top };
	if (c->stage == ST_LIST)
		menu_layout(&c->m, c->list, (int)c->n_bills, 24, area.h >= 20 ? 2 : 1, 2, 0, 2);
	/* The digit pad: 4 rows of 3 keys, beside the field where there is
	 * room, else below it (not while a list is shown), and only whole, at
	 * its full size. */
	osk_set_enter_label(c->pad, _("Look up"));
	/* Keys wide enough for 删除 and 查询 (Delete, Look up) whole, with the
	 * gaps of the keyboard's mode. */
	int kw = ui_large() ? 12 : 10;
	int lw_ok = text_width(_("Look up")), lw_del = text_width(_("Delete"));
	if (kw < (lw_ok > lw_del ? lw_ok : lw_del) + OSK_PAD_BOXED)
		kw = (lw_ok > lw_del ? lw_ok : lw_del) + OSK_PAD_BOXED;
	int pw = 3 * kw + (ui_large() ? 4 : 2);
	int px = c->field.x + c->field.w + 2, py = area.y + 1;
	if (c->big || px + pw > area.x + area.w) {
		px = area.x + 1;
		py = top;
	}
	int pages = 0;
	int ph = osk_height(c->pad, pw, area.y + area.h - py, &pages);
	c->has_pad = c->stage != ST_LIST && px + pw <= area.x + area.w && ph > 0 && pages == 1 &&
	             ph == osk_height(c->pad, pw, INT_MAX, NULL);
	c->padr = (struct rect){ px, py, pw, ph };
}

/* ---- drawing ---------------------------------------------------------------------------- */

static const char *bill_label(void *ud, int i, const char **sub)
{
	struct screen *s = ud;
	struct account *c = s->priv;
	const struct bill *b = &c->bills[i];
	char yuan[32];
	money_format(b->amount_fen, yuan, sizeof yuan);
	snprintf(c->sub, sizeof c->sub, _("%s, due %s"), b->payee, b->due_date[0] ? b->due_date : "-");
	*sub = c->sub;
	static char label[160];
	snprintf(label, sizeof label, _("%s  %s yuan"), b->period[0] ? b->period : b->id, yuan);
	return label;
}

static void draw_field(struct account *c)
{
	ui_fill(c->field, ROLE_BUTTON);
	if (c->big) {
		struct bigtext bt;
		if (c->len && bigtext_render(c->digits, c->field.w - 2, &bt) == 0) {
			for (int r = 0; r < bt.rows; r++)
				ui_text(c->field.x + 1, c->field.y + 1 + r, bt.cols, ROLE_BUTTON, bt.lines[r]);
			ui_cursor(c->field.x + 1 + bt.cols, c->field.y + BIGTEXT_ROWS);
			ui_text(c->field.x + 1 + bt.cols, c->field.y + BIGTEXT_ROWS, 1, ROLE_FOCUS, " ");
			bigtext_free(&bt);
			return;
		}
	}
	int x = c->field.x + 1, y = c->field.y + c->field.h / 2;
	int used = ui_text(x, y, c->field.w - 3, ROLE_BUTTON, c->digits);
	/* The cursor: a block where the next digit goes. */
	ui_text(x + used, y, 1, ROLE_FOCUS, " ");
	ui_cursor(x + used, y);
}

static void account_draw(struct screen *s, struct rect area)
{
	struct account *c = s->priv;
	char prompt[256];
	snprintf(prompt, sizeof prompt, _("%s: enter the account number with the number keys, then press Enter."),
	         bill_type_label(c->type));
	ui_text(area.x + 1, area.y, area.w - 2, ROLE_TEXT, prompt);
	draw_field(c);
	if (c->msg)
		ui_para((struct rect){ area.x + 1, c->msg_y, area.w - 2, 2 }, c->msg_role, c->msg);
	else if (c->stage == ST_LOADING)
		ui_text(area.x + 1, c->msg_y, area.w - 2, ROLE_DIM, _("Looking up the bills..."));
	if (c->stage == ST_LIST)
		menu_draw(&c->m, bill_label, s);
	else if (c->has_pad)
		osk_draw(c->pad, c->padr, T_PAD);
}

/* ---- editing and looking up ------------------------------------------------------------- */

static void edited(struct account *c, const char *what)
{
	if (c->stage != ST_ENTRY) {
		c->stage = ST_ENTRY; /* a lookup's answer for the old number is dropped */
		drop_bills(c);
	}
	set_msg(c, ROLE_TEXT, NULL);
	snprintf(c->said, sizeof c->said, _("%s. %d digits entered."), what, c->len);
}

static void add_digit(struct screen *s, int d)
{
	struct account *c = s->priv;
	if (c->len >= ACCOUNT_MAX) {
		set_msg(c, ROLE_ERROR, _("An account number has at most 20 digits."));
		return;
	}
	c->digits[c->len++] = (char)('0' + d);
	c->digits[c->len] = '\0';
	char what[8] = { (char)('0' + d), 0 };
	edited(c, what);
}

static void del_digit(struct screen *s)
{
	struct account *c = s->priv;
	if (c->len > 0)
		c->digits[--c->len] = '\0';
	edited(c, _("Deleted"));
}

static void look_up(struct screen *s)
{
	struct account *c = s->priv;
	if (!account_valid(c->digits, (size_t)c->len)) {
		set_msg(c, ROLE_ERROR, _("Please enter the whole account number: 6 to 20 digits."));
		return;
	}
	char path[128];
	snprintf(path, sizeof path, "/v1/bills?type=%s&account=%s", bill_type_name(c->type), c->digits);
	c->stage = ST_LOADING;
	set_msg(c, ROLE_TEXT, NULL);
	drop_bills(c);
	ui_get(s, REQ_BILLS, path, NULL);
	explicit_bzero(path, sizeof path);
}

static void account_reply(struct screen *s, int tag, const struct gw_reply *r)
{
	struct account *c = s->priv;
	if (c->stage != ST_LOADING)
		return; /* the number changed since: this answer is for another one */
	c->stage = ST_ENTRY;
	if (r->result == GW_OK && r->json) {
		char err[160];
		if (bills_decode(r->json, &c->bills, &c->n_bills, err, sizeof err) != 0) {
			log_warn("bills: unreadable answer: %s", err);
			set_msg(c, ROLE_ERROR, _("The service network sent an answer this kiosk cannot read. Please ask the staff."));
		} else if (c->n_bills == 0) {
			set_msg(c, ROLE_OK, _("There is nothing to pay on this account."));
		} else {
			c->stage = ST_LIST;
			set_msg(c, ROLE_TEXT, NULL);
			c->m.focus = 0;
		}
	} else if (r->result == GW_PROBLEM && r->status >= 400 && r->status < 500 && r->problem.title &&
	           r->problem.title[0]) {
		/* The gateway's own words (localized, sanitized): no such account... */
		char msg[512];
		snprintf(msg, sizeof msg, "%s%s%s", r->problem.title, r->problem.detail[0] ? " " : "",
		         r->problem.detail);
		set_msg(c, ROLE_ERROR, msg);
	} else {
		set_msg(c, ROLE_ERROR, ui_gw_message(r));
	}
	access_repeat(s->app);
	ui_relayout(s->app);
}

static void open_bill(struct screen *s, int i)
{
	struct account *c = s->priv;
	ui_push(s->app, &scr_pay, &c->bills[i]);
	c->paying = true; /* back from the payment: the list is looked up again */
}

static int account_key(struct screen *s, int key)
{
	struct account *c = s->priv;
	if (c->stage == ST_LIST) {
		int r = menu_key(&c->m, key);
		if (r >= 0) {
			open_bill(s, r);
			return UI_HANDLED;
		}
		if (r == MENU_MOVED)
			return UI_HANDLED;
		if (ui_key_is_back(key)) { /* back to the number, not out */
			c->stage = ST_ENTRY;
			drop_bills(c);
			ui_relayout(s->app);
			return UI_HANDLED;
		}
		return UI_PASS;
	}
	if (key >= '0' && key <= '9') {
		add_digit(s, key - '0');
		return UI_HANDLED;
	}
	if (key == K_BACKSPACE || key == 0x7f || key == 8) {
		if (c->len == 0)
			return UI_PASS; /* nothing to delete: back */
		del_digit(s);
		return UI_HANDLED;
	}
	if (key == K_RETURN) {
		look_up(s);
		return UI_HANDLED;
	}
	if (key >= 0x20 && key < UI_FKEY) {
		set_msg(c, ROLE_ERROR, _("Only digits can be entered here."));
		return UI_HANDLED;
	}
	return UI_PASS;
}

static int account_mouse(struct screen *s, int target)
{
	struct account *c = s->priv;
	if (c->stage == ST_LIST) {
		int r = menu_mouse(&c->m, target);
		if (r >= 0)
			open_bill(s, r);
		return UI_HANDLED;
	}
	struct osk_event ev;
	if (c->has_pad && osk_touch(c->pad, target, &ev)) {
		if (ev.kind == OSK_CHAR && ev.ch >= '0' && ev.ch <= '9')
			add_digit(s, ev.ch - '0');
		else if (ev.kind == OSK_BACKSPACE)
			del_digit(s);
		else if (ev.kind == OSK_ENTER)
			look_up(s);
	}
	return UI_HANDLED;
}

/* A paper bill's code: its digits are the account number. */
static int account_scan(struct screen *s, const char *code, size_t len)
{
	struct account *c = s->priv;
	if (!account_valid(code, len)) {
		set_msg(c, ROLE_ERROR, _("This code is not an account number. Please type the number printed on the bill."));
		ui_dirty(s->app);
		return UI_HANDLED;
	}
	memcpy(c->digits, code, len);
	c->digits[len] = '\0';
	c->len = (int)len;
	edited(c, _("Scanned"));
	look_up(s);
	ui_relayout(s->app);
	return UI_HANDLED;
}

static const char *account_title(struct screen *s)
{
	struct account *c = s->priv;
	return bill_type_label(c->type);
}

static void account_speak(struct screen *s, char *buf, size_t n, bool full)
{
	struct account *c = s->priv;
	if (c->stage == ST_LIST) {
		const struct bill *b = &c->bills[c->m.focus];
		char money[160], item[512], label[320];
		money_speak(b->amount_fen, i18n_lang(), money, sizeof money);
		snprintf(label, sizeof label, "%s, %s, %s", b->period, money, b->payee);
		menu_speak_item(&c->m, c->m.focus, label, item, sizeof item);
		if (full)
			snprintf(buf, n, _("%d bills to pay. Press a number to pay one. %s"), (int)c->n_bills, item);
		else
			snprintf(buf, n, "%s", item);
		return;
	}
	const char *msg = c->msg ? c->msg : c->stage == ST_LOADING ? _("Looking up the bills...") : "";
	if (full)
		snprintf(buf, n, _("%s. Enter the account number with the number keys, then press Enter. %s"),
		         account_title(s), msg);
	else
		snprintf(buf, n, "%s %s", c->said, msg);
}

const struct screen_ops scr_account = {
	.name = "account",
	.enter = account_enter,
	.leave = account_leave,
	.key = account_key,
	.mouse = account_mouse,
	.draw = account_draw,
	.resize = account_resize,
	.reply = account_reply,
	.speak = account_speak,
	.title = account_title,
	.scan = account_scan,
};
