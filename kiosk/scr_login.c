/* scr_login.c: the log-in screen, with both ways at once:
 *  (a) scan: the citizen shows the one-time code of the government app to
 *      any scanner (session_scan_login);
 *  (b) show: a QR code for the phone to scan (device flow after RFC 8628):
 *      POST /v1/auth/device, then poll /v1/auth/token no faster than the
 *      interval, slower after slow_down (+5 s) and on network errors
 *      (doubling, up to a minute), until approved, denied or expired.
 * The user code always stands beside the QR in big glyphs, so the citizen
 * can check it against the phone (RFC 8628 5.4, against phishing). Where
 * the QR cannot fit, the screen says so and shows the code and short URL.
 *
 * Both kinds of request belong to the session (session.c), which decides
 * whether an answer with a token logs the citizen in; this screen hears of
 * it through its logged_in op, and gets the token poll's other answers
 * (pending, slow_down, denied...) through its reply op. Each new code has a
 * generation in the poll's tag, so an answer about an old code is ignored.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "bigtext.h"
#include "i18n.h"
#include "log.h"
#include "login.h"
#include "loop.h"
#include "qrcode.h"
#include "session.h"
#include "speak.h"
#include "text.h"
#include "ui.h"
#include "util.h"

enum { REQ_DEVICE = 1, REQ_TOKEN_BASE = 16 }; /* token polls: REQ_TOKEN_BASE + generation */
enum { T_NEW_CODE = 1 };
enum dstate { D_REQUESTING, D_SHOWING, D_EXPIRED, D_DENIED, D_ERROR };

#define MAX_BACKOFF_MS 60000

struct login_scr {
	const struct screen_ops *then;
	char *then_arg;
	enum dstate state;
	struct device_auth dev;
	bool have_dev;
	long long expires_at;
	long interval_ms;
	long backoff_ms;
	bool polling;           /* a token request is in flight */
	bool net_trouble;
	int gen;                /* of the code shown; token polls carry it */
	long long poll_timer, tick_timer;
	char *error;
	/* layout */
	struct qr_art qr;
	struct bigtext big;
	struct rect qr_at, text, button;
	bool qr_fits;
};

static void set_error(struct login_scr *L, const char *msg)
{
	free(L->error);
	L->error = xstrdup(msg);
}

static void stop_polling(struct screen *s)
{
	struct login_scr *L = s->priv;
	if (L->poll_timer)
		loop_timer_del(s->app->loop, L->poll_timer);
	L->poll_timer = 0;
}

static long on_poll(struct loop *l, long long id, void *ud);

static void schedule_poll(struct screen *s, long ms)
{
	struct login_scr *L = s->priv;
	stop_polling(s);
	L->poll_timer = loop_timer_add(s->app->loop, ms, on_poll, s);
}

static long on_poll(struct loop *l, long long id, void *ud)
{
	struct screen *s = ud;
	struct login_scr *L = s->priv;
	L->poll_timer = 0;
	if (L->state != D_SHOWING || L->polling)
		return -1;
	json_t *body = json_object();
	json_object_set_new(body, "grant_type", json_string("urn:ietf:params:oauth:grant-type:device_code"));
	json_object_set_new(body, "device_code", json_string(L->dev.device_code));
	L->polling = session_token_poll(s, REQ_TOKEN_BASE + L->gen, body);
	if (!L->polling)
		schedule_poll(s, L->interval_ms); /* not sent: try again later */
	return -1;
}

static long on_tick(struct loop *l, long long id, void *ud)
{
	struct screen *s = ud;
	struct login_scr *L = s->priv;
	if (L->state == D_SHOWING && loop_now_ms() >= L->expires_at) {
		L->state = D_EXPIRED;
		stop_polling(s);
		log_info("login: device code expired");
		ui_relayout(s->app);
	}
	ui_dirty(s->app); /* the countdown */
	return 1000;
}

static void request_code(struct screen *s)
{
	struct login_scr *L = s->priv;
	stop_polling(s);
	if (L->have_dev)
		device_wipe(&L->dev);
	L->have_dev = false;
	L->polling = false;
	L->net_trouble = false;
	L->state = D_REQUESTING;
	gw_cancel_owner(s->app->gw, s); /* a device request for an older code */
	L->gen = (L->gen + 1) % 1000; /* answers about the old code are moot */
	ui_post(s, REQ_DEVICE, "/v1/auth/device", NULL, NULL);
	ui_relayout(s->app);
}

const char *scr_login_user_code(struct screen *s)
{
	struct login_scr *L = s->priv;
	return L->have_dev && L->state == D_SHOWING ? L->dev.user_code : NULL;
}

static void login_enter(struct screen *s, void *arg)
{
	struct login_scr *L = xcalloc(1, sizeof *L);
	s->priv = L;
	const struct scr_login_arg *la = arg;
	if (la && la->then) {
		L->then = la->then;
		L->then_arg = la->then_arg ? xstrdup(la->then_arg) : NULL;
	}
	L->tick_timer = loop_timer_add(s->app->loop, 1000, on_tick, s);
	access_qr_font(s->app, true); /* large mode: room for the QR code */
	request_code(s);
}

static void login_leave(struct screen *s)
{
	struct login_scr *L = s->priv;
	access_qr_font(s->app, false);
	stop_polling(s);
	loop_timer_del(s->app->loop, L->tick_timer);
	if (L->have_dev)
		device_wipe(&L->dev);
	qr_art_free(&L->qr);
	bigtext_free(&L->big);
	free(L->then_arg);
	free(L->error);
	free(L);
}

/* Logged in (a log-in this screen started): go where the citizen was
 * going, or back. s stays readable after ui_pop until the end of the pass. */
static void login_logged_in(struct screen *s)
{
	struct app *a = s->app;
	struct login_scr *L = s->priv;
	stop_polling(s);
	ui_pop(a);
	if (L->then)
		ui_push(a, L->then, L->then_arg);
}

static void login_resize(struct screen *s, struct rect area)
{
	struct login_scr *L = s->priv;
	qr_art_free(&L->qr);
	bigtext_free(&L->big);
	L->qr_fits = false;
	if (L->have_dev && L->state == D_SHOWING) {
		const char *u = L->dev.verification_uri_complete;
		/* Beside the text if the text keeps 34 columns, else above it. */
		if (qr_art_make(u, strlen(u), area.w - 36, area.h, &L->qr) == 0) {
			L->qr_fits = true;
			L->qr_at = (struct rect){ area.x, area.y, L->qr.cols, L->qr.rows };
			L->text = (struct rect){ area.x + L->qr.cols + 2, area.y, area.w - L->qr.cols - 2, area.h };
		} else if (qr_art_make(u, strlen(u), area.w, area.h - 10, &L->qr) == 0) {
			L->qr_fits = true;
			L->qr_at = (struct rect){ area.x + (area.w - L->qr.cols) / 2, area.y, L->qr.cols, L->qr.rows };
			L->text = (struct rect){ area.x + 1, area.y + L->qr.rows + 1, area.w - 2,
			                         area.h - L->qr.rows - 1 };
		}
		bigtext_render(L->dev.user_code, L->qr_fits ? L->text.w : area.w - 2, &L->big);
	}
	if (!L->qr_fits)
		L->text = (struct rect){ area.x + 1, area.y, area.w - 2, area.h };
	int bw = L->text.w < 26 ? L->text.w : 26;
	L->button = (struct rect){ L->text.x, L->text.y + L->text.h - 3, bw, 3 };
}

static int para(struct rect *r, enum role role, const char *s)
{
	int n = ui_para(*r, role, s);
	r->y += n;
	r->h -= n;
	return n;
}

static void draw_user_code(struct login_scr *L, struct rect *r)
{
	if (L->big.rows && L->big.cols <= r->w && r->h > BIGTEXT_ROWS + 4) {
		for (int i = 0; i < L->big.rows; i++)
			ui_text(r->x, r->y + i, r->w, ROLE_TEXT, L->big.lines[i]);
		ui_cursor(r->x, r->y);
		r->y += L->big.rows + 1;
		r->h -= L->big.rows + 1;
	} else {
		/* Spaced out, so each character is read on its own. */
		char spaced[64] = "";
		size_t n = 0;
		for (const char *c = L->dev.user_code; *c && n + 3 < sizeof spaced; c++) {
			spaced[n++] = *c;
			spaced[n++] = ' ';
		}
		spaced[n] = '\0';
		ui_cursor(r->x, r->y);
		para(r, ROLE_FOCUS, spaced);
		r->y++;
		r->h--;
	}
}

static void login_draw(struct screen *s, struct rect area)
{
	struct login_scr *L = s->priv;
	struct rect r = L->text;
	bool tight = !L->qr_fits && L->state == D_SHOWING;
	if (!tight || r.h >= 16)
		r.h -= 4; /* the button row (while showing, 1 works without it) */

	/* Only a live code is drawn: a dead one must not be scannable. */
	if (L->qr_fits && L->state == D_SHOWING) {
		for (int i = 0; i < L->qr.rows; i++)
			ui_text(L->qr_at.x, L->qr_at.y + i, L->qr.cols, ROLE_QR, L->qr.lines[i]);
	}
	ui_text(r.x, r.y, r.w, ROLE_TITLE, _("1) Scan the code on your phone"));
	r.y++, r.h--;
	if (!tight) {
		para(&r, ROLE_TEXT, _("Open the government app on your phone, show its login code, and hold it to the scanner."));
		r.y++, r.h--;
	}
	ui_cursor(r.x, r.y);
	ui_text(r.x, r.y, r.w, ROLE_TITLE, _("2) Or scan this QR code with your phone"));
	r.y++, r.h--;

	char buf[256];
	switch (L->state) {
	case D_REQUESTING:
		para(&r, ROLE_DIM, _("Getting a QR code..."));
		break;
	case D_SHOWING: {
		if (tight) {
			/* No room for the QR: the code and the address come first. */
			draw_user_code(L, &r);
		} else {
			if (!L->qr_fits)
				para(&r, ROLE_BANNER, _("The screen is too small for the QR code. Open the address below on your phone and enter the code."));
			para(&r, ROLE_TEXT, _("Then check that your phone shows this code, and confirm there:"));
			draw_user_code(L, &r);
		}
		snprintf(buf, sizeof buf, _("Or open %s on your phone and enter the code."), L->dev.verification_uri);
		para(&r, ROLE_TEXT, buf);
		long long left = (L->expires_at - loop_now_ms() + 999) / 1000;
		if (left < 0)
			left = 0;
		snprintf(buf, sizeof buf, _("The code is valid for %lld:%02lld more."), left / 60, left % 60);
		para(&r, ROLE_DIM, buf);
		para(&r, L->net_trouble ? ROLE_ERROR : ROLE_DIM,
		     L->net_trouble ? _("The network is unsteady; still trying...")
		                    : _("Waiting for your phone to confirm..."));
		break;
	}
	case D_EXPIRED:
		para(&r, ROLE_ERROR, _("The QR code has expired. Press 1 for a new one."));
		break;
	case D_DENIED:
		para(&r, ROLE_ERROR, _("The log-in was refused on the phone. Press 1 for a new QR code."));
		break;
	case D_ERROR:
		para(&r, ROLE_ERROR, L->error ? L->error : "");
		break;
	}
	if (L->state != D_SHOWING && L->state != D_REQUESTING)
		ui_cursor(L->button.x + 2, L->button.y + 1);
	if (L->state != D_REQUESTING && !(tight && L->text.h < 16))
		ui_button(L->button, T_NEW_CODE, 1, _("New QR code"), NULL,
		          L->state != D_SHOWING);
}

static int login_key(struct screen *s, int key)
{
	struct login_scr *L = s->priv;
	if ((key == '1' || (key == K_RETURN && L->state != D_SHOWING)) && L->state != D_REQUESTING) {
		request_code(s);
		return UI_HANDLED;
	}
	return UI_PASS;
}

static int login_mouse(struct screen *s, int target)
{
	struct login_scr *L = s->priv;
	if (target == T_NEW_CODE && L->state != D_REQUESTING)
		request_code(s);
	return UI_HANDLED;
}

static int login_scan(struct screen *s, const char *code, size_t len)
{
	session_scan_login(s, code, len); /* one at a time, decided there */
	return UI_HANDLED;
}

/* A token poll's answer that logged nobody in (session.c took those). */
static void token_reply(struct screen *s, const struct gw_reply *r)
{
	struct login_scr *L = s->priv;
	L->polling = false;
	if (L->state != D_SHOWING)
		return;
	if (r->result == GW_OK) {
		/* A token in an answer session.c could not read (and revoked). */
		L->state = D_ERROR;
		set_error(L, _("The service network sent an answer this kiosk cannot read. Please ask the staff."));
		return;
	}
	if (r->result == GW_PROBLEM && r->status == 400 && r->json) {
		L->net_trouble = false;
		L->backoff_ms = 0;
		switch (token_error_decode(r->json)) {
		case TOKEN_PENDING:
			schedule_poll(s, L->interval_ms);
			return;
		case TOKEN_SLOW_DOWN:
			L->interval_ms += 5000; /* RFC 8628 3.5 */
			log_info("login: slow_down, interval now %ld s", L->interval_ms / 1000);
			schedule_poll(s, L->interval_ms);
			return;
		case TOKEN_DENIED:
			L->state = D_DENIED;
			log_info("login: denied on the phone");
			return;
		case TOKEN_EXPIRED:
		case TOKEN_OTHER:
			L->state = D_EXPIRED;
			log_info("login: device code no longer valid");
			return;
		}
	}
	/* Network trouble or a gateway fault: keep the code, try again later,
	 * each time waiting longer. */
	L->net_trouble = true;
	L->backoff_ms = L->backoff_ms ? L->backoff_ms * 2 : L->interval_ms * 2;
	if (L->backoff_ms > MAX_BACKOFF_MS)
		L->backoff_ms = MAX_BACKOFF_MS;
	log_info("login: poll failed (%s), next in %ld s", r->why ? r->why : "", L->backoff_ms / 1000);
	schedule_poll(s, L->backoff_ms);
}

static void login_reply(struct screen *s, int tag, const struct gw_reply *r)
{
	struct login_scr *L = s->priv;
	if (tag >= REQ_TOKEN_BASE) {
		if (tag - REQ_TOKEN_BASE != L->gen)
			return; /* about a code no longer shown */
		enum dstate before = L->state;
		token_reply(s, r);
		if (L->state != before)
			ui_relayout(s->app); /* the QR goes with the code */
		return;
	}
	/* REQ_DEVICE */
	char err[160];
	if (r->result == GW_OK && r->json && device_decode(r->json, &L->dev, err, sizeof err) == 0) {
		L->have_dev = true;
		L->state = D_SHOWING;
		L->expires_at = loop_now_ms() + L->dev.expires_in * 1000;
		L->interval_ms = L->dev.interval * 1000;
		L->backoff_ms = 0;
		schedule_poll(s, L->interval_ms);
		log_info("login: QR code shown (valid %lld s, poll every %lld s)", L->dev.expires_in,
		         L->dev.interval);
	} else {
		if (r->result == GW_OK)
			log_warn("device authorization rejected: %s", err);
		L->state = D_ERROR;
		set_error(L, r->result == GW_OK
		             ? _("The service network sent an answer this kiosk cannot read. Please ask the staff.")
		             : ui_gw_message(r));
	}
	ui_relayout(s->app);
}

static const char *login_title(struct screen *s)
{
	return _("Log in");
}

static const char *state_text(struct login_scr *L)
{
	switch (L->state) {
	case D_REQUESTING: return _("Getting a QR code...");
	case D_SHOWING: return L->net_trouble ? _("The network is unsteady; still trying...")
	                                      : _("Waiting for your phone to confirm...");
	case D_EXPIRED: return _("The QR code has expired. Press 1 for a new one.");
	case D_DENIED: return _("The log-in was refused on the phone. Press 1 for a new QR code.");
	case D_ERROR: return L->error ? L->error : "";
	}
	return "";
}

static void login_speak(struct screen *s, char *buf, size_t n, bool full)
{
	struct login_scr *L = s->priv;
	if (!full) {
		snprintf(buf, n, "%s", state_text(L));
		return;
	}
	size_t len = (size_t)snprintf(buf, n, "%s. %s ", login_title(s),
	                              _("Show the login code of the government app on your phone to the scanner, or scan the QR code on the screen."));
	if (L->state == D_SHOWING && len < n) {
		/* The code one character at a time. */
		char *code = speak_chars(L->dev.user_code, i18n_lang());
		len += (size_t)snprintf(buf + len, n - len, "%s %s. ", _("The code is:"), code);
		free(code);
	}
	if (len < n)
		snprintf(buf + len, n - len, "%s", state_text(L));
}

const struct screen_ops scr_login = {
	.name = "login",
	.enter = login_enter,
	.leave = login_leave,
	.key = login_key,
	.mouse = login_mouse,
	.draw = login_draw,
	.resize = login_resize,
	.reply = login_reply,
	.speak = login_speak,
	.title = login_title,
	.scan = login_scan,
	.logged_in = login_logged_in,
};
