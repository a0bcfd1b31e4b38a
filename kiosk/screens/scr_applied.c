/* scr_applied.c: 申请已提交, after the gateway confirmed an application
 * (never before: scr_form.c pushes it on a 2xx with the application's id).
 *
 * The application number in big glyphs (where they fit), what happens next
 * and when, where to go; then 1 我的办件 (its progress), 2 pay the fee now
 * (when the service has one), 0 home. The number is what the citizen keeps:
 * voice mode reads it digit by digit.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app.h"
#include "screens.h"
#include "bigtext.h"
#include "escpos.h"
#include "receipt.h"
#include "i18n.h"
#include "log.h"
#include "menu.h"
#include "money.h"
#include "speak.h"
#include "ui.h"
#include "util.h"

enum act { A_MINE, A_PAY, A_HOME };

struct applied {
	char *app_id, *svc_name, *where;
	long long days, fee_fen;
	enum act acts[3];
	int n_acts;
	struct menu m;
	struct bigtext big;
	bool has_big;
	struct rect head, num, text;
	char next[512];
	int printed;               /* -1 no printer; PRINTER_OK+100 printing; else its answer */
	char when[32];             /* submitted at, as printed */
};

/* The printer's answer to the 回执 (this screen only hears it while on
 * the stack). */
static void on_printed(struct screen *s, enum printer_status st)
{
	struct applied *p = s->priv;
	p->printed = (int)st;
	access_repeat(s->app);
	ui_dirty(s->app);
}

/* 申请回执: the number, the service, when, where, how long; the number as
 * a QR the window's staff scan. Nothing personal: no name, no ID. */
static void print_receipt(struct screen *s)
{
	struct applied *p = s->priv;
	char days[64] = "";
	if (p->days > 0)
		snprintf(days, sizeof days, ngettext("%lld working day", "%lld working days", (unsigned long)p->days), p->days);
	else if (p->days == 0)
		snprintf(days, sizeof days, "%s", _("done on the spot"));
	const struct receipt_line lines[] = {
		{ _("Service: "), p->svc_name },
		{ _("Application No.: "), p->app_id },
		{ _("Submitted: "), p->when },
		{ _("Time limit: "), days },
		{ _("Where: "), p->where },
	};
	struct receipt r = {
		.title = _("Application receipt"),
		.no_amount = true,
		.lines = lines,
		.n_lines = sizeof lines / sizeof lines[0],
		.kiosk_id = s->app->cfg.kiosk_id ? s->app->cfg.kiosk_id : "",
		.verify = p->app_id,
		.verify_label = _("Show this code at the window"),
		.lang = i18n_lang(),
	};
	p->printed = PRINTER_OK + 100;
	if (!receipt_print_doc(s->app, &r, s, on_printed) && p->printed == PRINTER_OK + 100)
		p->printed = -1;
}

static void applied_enter(struct screen *s, void *arg)
{
	const struct scr_applied_arg *a = arg;
	struct applied *p = xcalloc(1, sizeof *p);
	s->priv = p;
	p->app_id = xstrdup(a->app_id);
	p->svc_name = xstrdup(a->service_name ? a->service_name : "");
	p->where = xstrdup(a->where ? a->where : "");
	p->days = a->processing_days;
	p->fee_fen = a->fee_fen;
	if (p->fee_fen > 0) /* the fee first: what the citizen is to do now */
		p->acts[p->n_acts++] = A_PAY;
	p->acts[p->n_acts++] = A_MINE;
	p->acts[p->n_acts++] = A_HOME;
	/* No choice is focused until an arrow moves onto one: Enter pressed
	 * again for 提交 (the answer comes in milliseconds) would otherwise
	 * take the citizen away from the number before it is read. */
	p->m.no_focus = true;
	time_t t = time(NULL);
	struct tm tm;
	localtime_r(&t, &tm);
	strftime(p->when, sizeof p->when, "%Y-%m-%d %H:%M", &tm);
	log_info("application submitted");
	p->printed = -1;
	if (app_printer(s->app))
		print_receipt(s);
}

static void applied_leave(struct screen *s)
{
	struct applied *p = s->priv;
	bigtext_free(&p->big);
	free(p->app_id);
	free(p->svc_name);
	free(p->where);
	free(p);
}

static const char *act_label(void *ud, int i, const char **sub)
{
	struct screen *s = ud;
	struct applied *p = s->priv;
	static char buf[128];
	*sub = NULL;
	switch (p->acts[i]) {
	case A_MINE: *sub = _("Progress of your applications"); return _("My applications");
	case A_PAY: {
		char y[32];
		money_format(p->fee_fen, y, sizeof y);
		snprintf(buf, sizeof buf, _("Pay the fee: %s yuan"), y);
		return buf;
	}
	case A_HOME: *sub = _("Then tell us how it went"); return _("Done");
	}
	return "";
}

static void what_next(struct applied *p)
{
	char days[128];
	if (p->days > 0)
		snprintf(days, sizeof days, ngettext("It is usually handled within %lld working day.",
		                                     "It is usually handled within %lld working days.",
		                                     (unsigned long)p->days), p->days);
	else
		snprintf(days, sizeof days, "%s", _("It is usually handled on the same day."));
	snprintf(p->next, sizeof p->next, _("%s Follow its progress in \"My applications\" at any kiosk or on your phone. %s%s%s"),
	         days, p->where[0] ? _("Where: ") : "", p->where, p->fee_fen > 0 ? _(" A fee is due: pay it now with your phone (1), or at the window.") : "");
}

static void applied_resize(struct screen *s, struct rect area)
{
	struct applied *p = s->priv;
	what_next(p);
	bigtext_free(&p->big);
	p->has_big = bigtext_render(p->app_id, area.w - 2, &p->big) == 0 && area.h >= 20;
	int y = area.y + 1;
	p->head = (struct rect){ area.x + 1, y, area.w - 2, 2 };
	y += 2;
	int nh = p->has_big ? BIGTEXT_ROWS : 1;
	p->num = (struct rect){ area.x + 1, y, area.w - 2, nh };
	y += nh + 1;
	int bh = ui_large() || area.h >= 20 ? 3 : 1;
	int mh = p->n_acts * (bh + 1);
	int th = area.y + area.h - mh - y;
	p->text = (struct rect){ area.x + 1, y, area.w - 2, th > 1 ? th : 1 };
	struct rect mr = { area.x, area.y + area.h - mh, area.w, mh };
	menu_layout(&p->m, mr, p->n_acts, 24, bh, 2, 1, 3);
}

/* What the printer did with the 回执, in words; NULL: no printer. */
static const char *print_words(const struct applied *p)
{
	if (p->printed < 0)
		return NULL;
	if (p->printed == PRINTER_OK + 100)
		return _("Printing your receipt...");
	if (p->printed == PRINTER_OK)
		return _("Your receipt is printed: please take it.");
	return _("The receipt cannot be printed just now: please write down the application number.");
}

static void applied_draw(struct screen *s, struct rect area)
{
	struct applied *p = s->priv;
	ui_text(p->head.x, p->head.y, p->head.w, ROLE_OK, _("Your application has been submitted."));
	char line[256];
	snprintf(line, sizeof line, _("Application number (keep it): %s"), p->app_id);
	ui_text(p->head.x, p->head.y + 1, p->head.w, ROLE_TEXT, line);
	if (p->has_big)
		for (int r = 0; r < p->big.rows; r++)
			ui_text(p->num.x, p->num.y + r, p->big.cols, ROLE_TEXT, p->big.lines[r]);
	else
		ui_text(p->num.x, p->num.y, p->num.w, ROLE_FOCUS, p->app_id);
	int used = ui_para(p->text, ROLE_TEXT, p->next);
	const char *pr = print_words(p);
	if (pr && used < p->text.h)
		ui_para((struct rect){ p->text.x, p->text.y + used, p->text.w, p->text.h - used },
		        p->printed == PRINTER_OK || p->printed == PRINTER_OK + 100 ? ROLE_OK : ROLE_ERROR, pr);
	menu_draw(&p->m, act_label, s);
}

static void act(struct screen *s, int i)
{
	struct applied *p = s->priv;
	struct app *a = s->app;
	switch (p->acts[i]) {
	case A_MINE:
		ui_pop(a);
		ui_push(a, &scr_mine, NULL);
		return;
	case A_PAY: {
		/* POST /v1/payments {"application_id"}: the pay screen follows it
		 * as it follows a bill's (outbox, QR checked, receipt). */
		struct bill b = { .id = p->app_id, .payee = p->svc_name, .account_masked = "",
		                  .period = p->svc_name, .amount_fen = p->fee_fen, .due_date = "", .fee = true };
		ui_push(a, &scr_pay, &b);
		return;
	}
	case A_HOME: {
		/* 好差评 first (one press skips it); the screen keeps its copies */
		struct scr_rate_arg ra = { "application_id", p->app_id, NULL, p->svc_name };
		ui_push(a, &scr_rate, &ra);
		return;
	}
	}
}

static int applied_key(struct screen *s, int key)
{
	struct applied *p = s->priv;
	if (p->m.no_focus) {
		if (key == K_RETURN || key == K_ENTER || key == ' ')
			return UI_HANDLED;
		if (key == K_UP || key == K_DOWN || key == K_LEFT || key == K_RIGHT) {
			p->m.no_focus = false;
			ui_dirty(s->app);
			return UI_HANDLED;
		}
	}
	int r = menu_key(&p->m, key);
	if (r >= 0)
		act(s, r);
	return r == MENU_IGNORED ? UI_PASS : UI_HANDLED;
}

static int applied_mouse(struct screen *s, int target)
{
	struct applied *p = s->priv;
	int r = menu_mouse(&p->m, target);
	if (r >= 0)
		act(s, r);
	return UI_HANDLED;
}

static const char *applied_title(struct screen *s)
{
	struct applied *p = s->priv;
	return p->svc_name[0] ? p->svc_name : _("Application submitted");
}

static void applied_speak(struct screen *s, char *buf, size_t n, bool full)
{
	struct applied *p = s->priv;
	const char *sub;
	char item[256];
	menu_speak_item(&p->m, p->m.focus, act_label(s, p->m.focus, &sub), item, sizeof item);
	if (!full) {
		snprintf(buf, n, "%s", item);
		return;
	}
	/* The number one character at a time: it is to be written down. */
	char spelled[160];
	app_spell(p->app_id, spelled, sizeof spelled);
	const char *pr = print_words(p);
	snprintf(buf, n, _("Your application has been submitted. Application number: %s. %s %s"), spelled, p->next,
	         item);
	if (pr) {
		size_t len = strlen(buf);
		snprintf(buf + len, n - len, " %s", pr);
	}
}

const struct screen_ops scr_applied = {
	.name = "applied",
	.enter = applied_enter,
	.leave = applied_leave,
	.key = applied_key,
	.mouse = applied_mouse,
	.draw = applied_draw,
	.resize = applied_resize,
	.speak = applied_speak,
	.title = applied_title,
};
