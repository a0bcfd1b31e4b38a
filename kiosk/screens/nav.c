/* nav.c: navigation the screens share: through the log-in screen to a
 * screen that needs a citizen, logging out (asking first in large mode),
 * and the demo keys that stand in for the citizen's phone. It lives with
 * the screens because it pushes them; the app layer below never does.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app.h"
#include "screens.h"
#include "i18n.h"
#include "log.h"
#include "loop.h"
#include "outbox.h"
#include "subq.h"
#include "session.h"
#include "text.h"
#include "ui.h"
#include "util.h"

static void do_logout(struct app *a)
{
	session_end(a, END_BY_CITIZEN);
}

void app_logout(struct app *a)
{
	if (!session_active(a))
		return;
	if (ui_large()) {
		/* Large mode asks before anything that cannot be undone. */
		struct scr_confirm_arg c = { _("Log out now?"), do_logout };
		ui_push(a, &scr_confirm, &c);
		return;
	}
	do_logout(a);
}

void app_push_citizen(struct app *a, const struct screen_ops *ops, const char *arg)
{
	if (session_active(a)) {
		ui_push(a, ops, (void *)arg);
		return;
	}
	struct scr_login_arg la = { ops, arg };
	ui_push(a, &scr_login, &la);
}

/* ---- demo stand-ins for the citizen's phone ---- */

static void on_demo_code(void *ud, const struct gw_reply *r)
{
	struct app *a = ud;
	const char *code = r->result == GW_OK ? json_string_value(json_object_get(r->json, "code")) : NULL;
	if (!code) {
		ui_toast(a, ROLE_ERROR, _("Demo: the gateway gave no login code (is it running with --sim?)."));
		return;
	}
	app_on_scan(a, code, strlen(code), "demo");
}

static void on_demo_approve(void *ud, const struct gw_reply *r)
{
	struct app *a = ud;
	if (r->result != GW_OK)
		ui_toast(a, ROLE_ERROR, _("Demo: the approval was not accepted (is a QR code shown?)."));
}

static void on_demo_pay(void *ud, const struct gw_reply *r)
{
	struct app *a = ud;
	if (r->result != GW_OK)
		ui_toast(a, ROLE_ERROR, _("Demo: the payment was not accepted (is its QR code shown?)."));
}

bool app_demo_key(struct app *a, int key)
{
	if (key == K_F(5)) {
		gw_post(a->gw, "/sim/citizen-code", NULL, NULL, a, 0, on_demo_code, a);
		return true;
	}
	if (key == K_F(6)) {
		struct screen *s = ui_top(a);
		const char *uc = s && s->ops == &scr_login ? scr_login_user_code(s) : NULL;
		if (!uc) {
			ui_toast(a, ROLE_BANNER, _("Demo: F6 approves the QR login shown on the log-in screen."));
			return true;
		}
		char *path = xasprintf("/sim/device/%s/approve", uc);
		gw_post(a->gw, path, NULL, NULL, a, 0, on_demo_approve, a);
		free(path);
		return true;
	}
	if (key == K_F(7)) { /* the phone that pays the payment QR shown */
		struct screen *s = ui_top(a);
		const char *id = s && s->ops == &scr_pay ? scr_pay_payment_id(s) : NULL;
		if (!id) {
			ui_toast(a, ROLE_BANNER, _("Demo: F7 pays the payment whose QR code is shown."));
			return true;
		}
		char *path = xasprintf("/sim/payments/%s/pay", id);
		gw_post(a->gw, path, NULL, NULL, a, 0, on_demo_pay, a);
		free(path);
		return true;
	}
	return false;
}

/* ---- search from anywhere in the catalog ---- */

bool app_search_key(struct app *a, int key)
{
	if (key == '/') {
		ui_push(a, &scr_search, NULL);
		return true;
	}
	bool letter = (key >= 'a' && key <= 'z') || (key >= 'A' && key <= 'Z') ||
	              (key >= 0xFF21 && key <= 0xFF3A) || (key >= 0xFF41 && key <= 0xFF5A); /* full-width */
	/* A Chinese character from the terminal's input method (CJK blocks). */
	bool hanzi = (key >= 0x3400 && key <= 0x9FFF) || (key >= 0xF900 && key <= 0xFAFF) ||
	             (key >= 0x20000 && key <= 0x3134F);
	if (!letter && !hanzi)
		return false;
	char text[8];
	size_t n = text_utf8_encode((unsigned)key, text);
	text[n] = '\0';
	struct scr_search_arg arg = { text };
	ui_push(a, &scr_search, &arg);
	return true;
}

/* ---- submissions held for the citizen who logs in ---------------------------------------- */

struct held {
	struct scr_resume_arg arg;
	char *key, *svc_id, *svc_name, *body;
	char when[32];
};

static void held_free(struct held *h)
{
	if (!h)
		return;
	free(h->key);
	free(h->svc_id);
	free(h->svc_name);
	wipe_str(h->body);
	free(h);
}

/* The first (oldest) held or unsent submission of this citizen. */
static void on_held(void *ud, const struct outbox_sub_entry *e)
{
	struct held **out = ud;
	if (*out || !e->body || (e->state != SUBQ_HELD && e->state != SUBQ_UNSENT))
		return;
	struct held *h = xcalloc(1, sizeof *h);
	h->key = xstrdup(e->key);
	h->svc_id = xstrdup(e->service_id ? e->service_id : "");
	h->svc_name = xstrdup(e->service_name ? e->service_name : "");
	h->body = xstrdup(e->body);
	time_t t = (time_t)e->created_at;
	struct tm tm;
	localtime_r(&t, &tm);
	strftime(h->when, sizeof h->when, "%Y-%m-%d %H:%M", &tm);
	*out = h;
}

/* After the log-in screen has moved on (its logged_in op runs after the
 * session starts): the offer goes on top of where the citizen went. */
static long offer_now(struct loop *l, long long id, void *ud)
{
	struct app *a = ud;
	struct outbox *ob = app_outbox(a);
	const struct citizen *c = session_citizen(a);
	if (!ob || !c || !c->id[0] || !session_active(a))
		return -1;
	struct held *h = NULL;
	if (outbox_sub_for_citizen(ob, c->id, on_held, &h) < 0)
		log_warn("outbox: %s", outbox_error(ob));
	if (h) {
		log_info("outbox: a held submission offered at log-in");
		struct scr_resume_arg arg = { h->key, h->svc_id, h->svc_name, h->body, h->when };
		ui_push(a, &scr_resume, &arg);
		held_free(h);
	}
	return -1;
}

void app_offer_held(struct app *a)
{
	loop_timer_add(a->loop, 0, offer_now, a);
}

void app_spell(const char *s, char *out, size_t n)
{
	size_t k = 0;
	if (n == 0)
		return;
	for (const char *c = s; *c; c++) {
		/* whole characters (a number from outside may hold other than
		 * ASCII), a space after each */
		bool lead = ((unsigned char)*c & 0xC0) != 0x80;
		if (lead && k + 6 >= n)
			break;
		out[k++] = *c;
		if (((unsigned char)c[1] & 0xC0) != 0x80)
			out[k++] = ' ';
	}
	out[k] = '\0';
}
