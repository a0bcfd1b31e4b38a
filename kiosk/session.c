/* session.c: the citizen's session (see session.h): the log-in requests
 * and the one place that decides whether their answer starts a session or
 * is revoked, the idle watch with its warning, and ending a session so
 * that nothing of the citizen is left: not in memory, not on screen, not in
 * the terminal's scrollback, and not at the gateway.
 */
#include "session.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "i18n.h"
#include "log.h"
#include "loop.h"
#include "search.h"
#include "staff.h"
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

/* ---- revoking ---- */

static void on_logout_reply(void *ud, const struct gw_reply *r)
{
	struct app *a = ud;
	/* Nobody waits for this, except a kiosk that is shutting down. */
	a->session.revoking--;
	log_info("session: logout answered %d", r->status);
}

/* Ends a session at the gateway: POST /v1/auth/logout with its own token
 * (copied by the request, which wipes it when done). */
static void revoke(struct app *a, const char *token)
{
	a->session.revoking++;
	gw_post_bearer(a->gw, token, "/v1/auth/logout", NULL, &a->session, 0, on_logout_reply, a);
}

static void session_begin(struct app *a, struct login *l)
{
	a->session.login = *l;
	explicit_bzero(l, sizeof *l);
	a->session.active = true;
	a->session.started_ms = loop_now_ms();
	gw_set_token(a->gw, a->session.login.access_token);
	a->last_activity_ms = loop_now_ms();
	log_info("session: started"); /* who it is never goes to the log */
	char msg[256];
	snprintf(msg, sizeof msg, _("Logged in. Welcome, %s."), a->session.login.c.display_name);
	ui_toast(a, ROLE_OK, msg);
	explicit_bzero(msg, sizeof msg);
	ui_relayout(a);
	if (a->session.on_start)
		a->session.on_start(a);
}

void session_end(struct app *a, enum session_end_reason why)
{
	if (!a->session.active)
		return;
	/* While the token is still set; the request keeps its own copy. */
	revoke(a, a->session.login.access_token);
	gw_set_token(a->gw, NULL);
	login_wipe(&a->session.login);
	a->session.active = false;
	static const char *const reasons[] = { "citizen", "idle", "expired", "shutdown" };
	log_info("session: ended (%s, %lld s)", reasons[why],
	         (loop_now_ms() - a->session.started_ms) / 1000);
	ui_home(a);
	if (a->session.on_end)
		a->session.on_end(a);
	access_reset(a); /* the modes end with the session */
	ui_clear_terminal(a);
	/* Notices and spoken text may have named the citizen. */
	ui_wipe_notice(a);
	search_forget(a->search); /* the last query typed */
	if (a->session.draft) /* a form left unfinished: its answers */
		a->session.draft_free(a->session.draft);
	a->session.draft = NULL;
	explicit_bzero(a->spoken, sizeof a->spoken);
	explicit_bzero(a->speak_first, sizeof a->speak_first);
	const char *msg = why == END_IDLE ? _("You were logged out because the kiosk was not used for a while.")
	                : why == END_EXPIRED ? _("Your login has expired. Please log in again.")
	                : _("You have logged out. Thank you.");
	ui_toast(a, why == END_BY_CITIZEN || why == END_SHUTDOWN ? ROLE_OK : ROLE_BANNER, msg);
	ui_relayout(a);
}

void session_close(struct app *a)
{
	a->session.closing = true;
	session_end(a, END_SHUTDOWN);
}

static int login_reqs_in_flight(const struct app *a)
{
	int n = 0;
	for (size_t i = 0; i < sizeof a->session.reqs / sizeof a->session.reqs[0]; i++)
		n += a->session.reqs[i].serial != 0;
	return n;
}

static long on_drain_timeout(struct loop *l, long long id, void *ud)
{
	loop_stop(l, 0);
	return -1;
}

/* A log-in answer may still bring a token to revoke (one more logout)
 * after the last logout was answered: checked on a short tick. */
static long on_drain_tick(struct loop *l, long long id, void *ud)
{
	struct app *a = ud;
	if (a->session.revoking <= 0 && login_reqs_in_flight(a) == 0) {
		loop_stop(l, 0);
		return -1;
	}
	return 20;
}

void session_drain(struct app *a, long ms)
{
	if (a->session.revoking <= 0 && login_reqs_in_flight(a) == 0)
		return;
	log_info("session: waiting up to %ld ms for %d logout(s), %d log-in answer(s)", ms,
	         a->session.revoking, login_reqs_in_flight(a));
	a->session.draining = true;
	long long t = loop_timer_add(a->loop, ms, on_drain_timeout, a);
	long long tick = loop_timer_add(a->loop, 20, on_drain_tick, a);
	loop_run(a->loop);
	loop_timer_del(a->loop, t);
	loop_timer_del(a->loop, tick);
	a->session.draining = false;
	if (a->session.revoking > 0)
		log_warn("session: %d logout(s) unanswered at exit (the gateway's session lifetime ends them)",
		         a->session.revoking);
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
	if (a->payment_open) {
		/* Not while a payment is open: it ends by itself (paid, expired),
		 * and the idle time counts from then. */
		a->idle_warning = false;
		a->last_activity_ms = loop_now_ms();
		return 1000;
	}
	long long idle = loop_now_ms() - a->last_activity_ms;
	if (idle >= idle_limit_ms(a)) {
		a->idle_warning = false;
		if (a->session.active) {
			session_end(a, END_IDLE);
		} else {
			staff_end(a, STAFF_END_IDLE); /* staff mode ends as a session does */
			log_info("idle: back to home");
			ui_home(a);
			search_forget(a->search); /* what the last citizen typed */
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

/* ---- log-in requests ---- */

#define N_REQS (sizeof ((struct app *)0)->session.reqs / sizeof ((struct app *)0)->session.reqs[0])

static struct session_login_req *req_find(struct app *a, int serial)
{
	for (size_t i = 0; i < N_REQS; i++)
		if (a->session.reqs[i].serial == serial)
			return &a->session.reqs[i];
	return NULL;
}

/* The scan request in flight, if any. */
static struct session_login_req *scan_in_flight(struct app *a)
{
	for (size_t i = 0; i < N_REQS; i++)
		if (a->session.reqs[i].serial && a->session.reqs[i].scan)
			return &a->session.reqs[i];
	return NULL;
}

/* The citizen is still where the log-in began. */
static bool still_there(struct app *a, const struct session_login_req *q)
{
	struct screen *top = ui_top(a);
	return top && top->id == q->screen_id && ui_nav_gen(a) == q->nav;
}

static void on_login_reply(void *ud, const struct gw_reply *r);

/* False if there is no room (8 answers on their way: codes scanned on
 * screens since left, each waiting for its answer to be revoked), if s is
 * gone or the kiosk is shutting down; the body is then dropped. */
static bool login_post(struct screen *s, int tag, bool scan, const char *path, json_t *body)
{
	struct app *a = s->app;
	struct session_login_req *q = req_find(a, 0);
	if (!q || s->gone || a->session.closing) {
		json_decref(body);
		return false;
	}
	if (++a->session.next_serial <= 0)
		a->session.next_serial = 1;
	*q = (struct session_login_req){ a->session.next_serial, s->id, ui_nav_gen(a), tag, scan };
	gw_post(a->gw, path, body, NULL, &a->session, q->serial, on_login_reply, a);
	return true;
}

/* A token in an answer the kiosk cannot use otherwise: revoked, so no
 * session is left open at the gateway that nobody will ever close. */
static void revoke_stray(struct app *a, const json_t *j)
{
	const char *t = json_string_value(json_object_get(j, "access_token"));
	size_t n = t ? strlen(t) : 0;
	if (n < 1 || n > 4096)
		return;
	for (size_t i = 0; i < n; i++)
		if (t[i] <= 0x20 || t[i] >= 0x7f)
			return;
	log_info("login: revoking the session of an answer that could not be used");
	revoke(a, t);
}

static void scan_failed(struct app *a, const struct gw_reply *r)
{
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
}

static void on_login_reply(void *ud, const struct gw_reply *r)
{
	struct app *a = ud;
	struct session_login_req *slot = req_find(a, r->tag);
	if (!slot)
		return;
	struct session_login_req q = *slot;
	slot->serial = 0;
	struct screen *s = ui_find(a, q.screen_id);
	bool there = still_there(a, &q);
	struct login l;
	char err[160];

	if (r->result != GW_OK || !r->json) {
		if (q.scan && there)
			scan_failed(a, r);
		else if (!q.scan && s && s->ops->reply)
			s->ops->reply(s, q.tag, r);
		ui_dirty(a);
		return;
	}
	if (login_decode(r->json, &l, err, sizeof err) != 0) {
		log_warn("login answer rejected: %s", err);
		revoke_stray(a, r->json);
		if (q.scan && there)
			ui_toast(a, ROLE_ERROR, _("The service network sent an answer this kiosk cannot read. Please ask the staff."));
		else if (!q.scan && s && s->ops->reply)
			s->ops->reply(s, q.tag, r);
		ui_dirty(a);
		return;
	}
	const char *why = a->session.closing ? "shutting down"
	                : a->session.active ? "someone is logged in"
	                : !there ? "the citizen left the screen" : NULL;
	if (why) {
		/* Never two citizens, never a silent switch: this one goes. */
		log_info("login: refused (%s); its session revoked", why);
		revoke(a, l.access_token);
		login_wipe(&l);
		if (a->session.closing)
			return;
		ui_toast(a, ROLE_BANNER, a->session.active
		         ? _("Someone is already logged in, so the other log-in was cancelled.")
		         : _("The log-in was cancelled because the screen was changed. Please try again."));
		return;
	}
	session_begin(a, &l);
	/* still_there: s is the top screen. Its logged_in may pop it: nothing
	 * of s is read after it (and the stack frees it only later). */
	if (s->ops->logged_in)
		s->ops->logged_in(s);
	ui_dirty(a);
}

bool session_scan_login(struct screen *s, const char *code, size_t len)
{
	struct app *a = s->app;
	if (a->session.active) {
		ui_toast(a, ROLE_BANNER, _("Someone is logged in. Log out first, then scan again."));
		return false;
	}
	struct session_login_req *busy = scan_in_flight(a);
	if (busy && still_there(a, busy)) {
		/* One at a time: never log in twice. (A scan from a screen the
		 * citizen has left is no longer theirs; its answer is revoked.) */
		ui_toast(a, ROLE_TEXT, _("Your login code is being checked. Please wait."));
		return false;
	}
	if (!login_code_plausible(code, len)) {
		ui_toast(a, ROLE_ERROR, _("This is not a login code. Open the government app on your phone and show its login code."));
		return false;
	}
	json_t *body = json_object();
	json_object_set_new(body, "code", json_stringn(code, len));
	if (!login_post(s, 0, true, "/v1/auth/scan", body)) {
		/* Too many answers still on their way (codes scanned and left):
		 * never dropped in silence. */
		ui_toast(a, ROLE_TEXT, _("Your login code is being checked. Please wait."));
		return false;
	}
	ui_toast(a, ROLE_TEXT, _("Checking your login code..."));
	return true;
}

bool session_token_poll(struct screen *s, int tag, json_t *body)
{
	return login_post(s, tag, false, "/v1/auth/token", body);
}
