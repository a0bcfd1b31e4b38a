/* session.c: the citizen's session (see session.h): starting it from a
 * login answer, the idle watch with its warning, and ending it so that
 * nothing of the citizen is left: not in memory, not on screen, not in the
 * terminal's scrollback.
 */
#include "session.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "i18n.h"
#include "log.h"
#include "loop.h"
#include "text.h"
#include "ui.h"
#include "util.h"

bool session_active(const struct app *a)
{
	return a->session.active;
}

const struct citizen *session_citizen(const struct app *a)
{
	return a->session.active ? &a->session.login.c : NULL;
}

void session_begin(struct app *a, struct login *l)
{
	if (a->session.active)
		session_end(a, END_BY_CITIZEN); /* never two citizens at once */
	a->session.login = *l;
	memset(l, 0, sizeof *l);
	a->session.active = true;
	a->session.started_ms = loop_now_ms();
	gw_set_token(a->gw, a->session.login.access_token);
	a->last_activity_ms = loop_now_ms();
	log_info("session: started"); /* who it is never goes to the log */
	char msg[256];
	snprintf(msg, sizeof msg, _("Logged in. Welcome, %s."), a->session.login.c.display_name);
	ui_toast(a, ROLE_OK, msg);
	ui_relayout(a);
}

static void on_logout_reply(void *ud, const struct gw_reply *r)
{
	/* Nobody waits for this: the session is already gone here. */
	log_info("session: logout answered %d", r->status);
}

void session_end(struct app *a, enum session_end_reason why)
{
	if (!a->session.active)
		return;
	/* The logout request is made while the token is still set (a request
	 * keeps the token it was made with); owned by the app, not a screen. */
	gw_post(a->gw, "/v1/auth/logout", NULL, NULL, a, 0, on_logout_reply, a);
	gw_set_token(a->gw, NULL);
	login_wipe(&a->session.login);
	a->session.active = false;
	static const char *const reasons[] = { "citizen", "idle", "expired" };
	log_info("session: ended (%s, %lld s)", reasons[why],
	         (loop_now_ms() - a->session.started_ms) / 1000);
	ui_home(a);
	access_reset(a); /* the modes end with the session */
	ui_clear_terminal(a);
	const char *msg = why == END_IDLE ? _("You were logged out because the kiosk was not used for a while.")
	                : why == END_EXPIRED ? _("Your login has expired. Please log in again.")
	                : _("You have logged out. Thank you.");
	ui_toast(a, why == END_BY_CITIZEN ? ROLE_OK : ROLE_BANNER, msg);
	ui_relayout(a);
}

/* ---- idle watch ---- */

static long idle_limit_ms(const struct app *a)
{
	return access_idle_limit_s(a) * 1000L;
}

static long warn_ms(const struct app *a)
{
	long w = a->cfg.idle_warning_s * 1000L;
	return w < idle_limit_ms(a) ? w : idle_limit_ms(a) / 2;
}

/* Something to time out: a session, or anything but a fresh home screen. */
static bool idle_matters(const struct app *a)
{
	return a->session.active || ui_depth((struct app *)a) > 1;
}

int session_idle_warning(const struct app *a)
{
	if (!a->idle_warning)
		return -1;
	long long left = a->last_activity_ms + idle_limit_ms(a) - loop_now_ms();
	return left < 0 ? 0 : (int)((left + 999) / 1000);
}

static long on_idle_tick(struct loop *l, long long id, void *ud)
{
	struct app *a = ud;
	if (!idle_matters(a)) {
		a->idle_warning = false;
		return 1000;
	}
	long long idle = loop_now_ms() - a->last_activity_ms;
	if (idle >= idle_limit_ms(a)) {
		a->idle_warning = false;
		if (a->session.active) {
			session_end(a, END_IDLE);
		} else {
			log_info("idle: back to home");
			ui_home(a);
			access_reset(a);
			if (strcmp(i18n_lang(), a->cfg.lang) != 0)
				app_set_lang(a, a->cfg.lang);
			ui_clear_terminal(a);
		}
		return 1000;
	}
	if (idle >= idle_limit_ms(a) - warn_ms(a)) {
		if (!a->idle_warning)
			log_info("idle: warning shown");
		a->idle_warning = true;
		ui_dirty(a); /* the countdown */
	}
	return 1000;
}

void session_idle_start(struct app *a)
{
	a->last_activity_ms = loop_now_ms();
	a->idle_timer = loop_timer_add(a->loop, 1000, on_idle_tick, a);
}

bool session_activity(struct app *a)
{
	a->last_activity_ms = loop_now_ms();
	if (!a->idle_warning)
		return false;
	a->idle_warning = false;
	a->idle_extensions++;
	log_info("idle: extended (%d)", a->idle_extensions);
	ui_dirty(a);
	return true;
}

/* ---- login by scan ---- */

bool session_scan_login(struct screen *s, int tag, const char *code, size_t len)
{
	struct app *a = s->app;
	if (a->session.active) {
		ui_toast(a, ROLE_BANNER, _("Someone is logged in. Log out first, then scan again."));
		return false;
	}
	if (!login_code_plausible(code, len)) {
		ui_toast(a, ROLE_ERROR, _("This is not a login code. Open the government app on your phone and show its login code."));
		return false;
	}
	json_t *body = json_object();
	json_object_set_new(body, "code", json_stringn(code, len));
	ui_post(s, tag, "/v1/auth/scan", body, NULL);
	ui_toast(a, ROLE_TEXT, _("Checking your login code..."));
	return true;
}

bool session_scan_reply(struct screen *s, const struct gw_reply *r)
{
	struct app *a = s->app;
	if (r->result == GW_OK && r->json) {
		struct login l;
		char err[160];
		if (login_decode(r->json, &l, err, sizeof err) == 0) {
			session_begin(a, &l);
			return true;
		}
		log_warn("login answer rejected: %s", err);
		ui_toast(a, ROLE_ERROR, _("The service network sent an answer this kiosk cannot read. Please ask the staff."));
		return false;
	}
	const char *code = r->result == GW_PROBLEM && r->problem.code ? r->problem.code : "";
	const char *msg;
	if (!strcmp(code, "code_expired"))
		msg = _("This login code has expired. Refresh it in the app on your phone and scan again.");
	else if (!strcmp(code, "code_used"))
		msg = _("This login code was already used. Refresh it in the app on your phone and scan again.");
	else if (!strcmp(code, "code_invalid"))
		msg = _("This is not a valid login code. Open the government app on your phone and show its login code.");
	else
		msg = ui_gw_message(r);
	ui_toast(a, ROLE_ERROR, msg);
	return false;
}
