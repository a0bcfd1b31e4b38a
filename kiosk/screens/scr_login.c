/* scr_login.c: the log-in screen, with both ways at once:
 *  (a) scan: the citizen shows the one-time code of the government app to
 *      any scanner (session_scan_login);
 *  (b) show: a QR code for the phone to scan (device flow after RFC 8628):
 *      POST /v1/auth/device, then poll /v1/auth/token no faster than the
 *      interval, slower after slow_down (+5 s) and on network errors
 *      (doubling, up to a minute), until approved, denied or expired.
 * The user code always stands beside the QR (in big glyphs where they fit),
 * so the citizen can check it against the phone (RFC 8628 5.4, against
 * phishing). The QR goes beside the text or below it, and the words say
 * which; where it cannot fit, the screen says so and shows the code and the
 * short address instead (see "layout" below).
 *
 * Both kinds of request belong to the session (session.c), which decides
 * whether an answer with a token logs the citizen in; this screen hears of
 * it through its logged_in op, and gets the token poll's other answers
 * (pending, slow_down, denied...) through its reply op. Each new code has a
 * generation in the poll's tag, so an answer about an old code is ignored.
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

enum place { PLACE_NONE, PLACE_BESIDE, PLACE_BELOW };

/* How the screen is laid out: where the QR goes (or would go: the words
 * of an expired code follow it too), how much goes with it, and where the
 * text goes. */
struct plan {
	enum place place;
	int dens;          /* index into densities[] */
	bool big;          /* the user code in big glyphs, else spaced out */
	struct rect text;
};

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
	/* layout (login_resize) */
	struct rect area;
	struct plan lay;
	bool qr_words;          /* the texts speak of a QR (one fits, or would) */
	struct qr_art qr;       /* a live code's, placed beside or below */
	struct bigtext big;     /* the user code, if lay.big */
	struct rect qr_at, button;
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
	access_qr_font(s->app, true); /* large mode: a size the QR code fits */
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

/* ---- layout -----------------------------------------------------------------
 *
 * login_resize decides where the QR goes, and every text that says where it
 * is comes from that decision: beside the text, on its left ("左侧"); below
 * it ("下方"); or nowhere, when the QR and what must be read with it do not
 * fit. Then the screen says so and shows the short address and the user code
 * instead, so no text points at a QR that is not drawn. One function
 * (lay_text) both measures the text and draws it, so what was measured is
 * what is drawn. The layout takes the first that fits of: beside, below, no
 * QR; within each, the densities below in order; within each density, the
 * user code in big glyphs, then spaced out.
 */
struct density {
	bool intro;   /* the first way's explanation */
	bool button;  /* "1 New QR code" (the 1 key works without it) */
	bool gaps;    /* blank rows between the parts */
};

static const struct density densities[] = {
	{ true, true, true }, { false, true, true }, { false, true, false }, { false, false, false },
};
#define N_DENSITIES ((int)(sizeof densities / sizeof densities[0]))

#define TEXT_PREF_W 34  /* text columns beside the QR while there is room... */
#define TEXT_MIN_W 20   /* ...and at least these (and the short address's) */
#define BUTTON_ROWS 4   /* the button and the blank row above it */

static struct rect wide_text(struct rect area)
{
	return (struct rect){ area.x + 1, area.y, area.w - 2, area.h };
}

static int button_rows(const struct login_scr *L)
{
	return densities[L->lay.dens].button && L->state != D_REQUESTING ? BUTTON_ROWS : 0;
}

/* The text of the log-in screen, measured (draw false) or drawn: rows from
 * y; nothing is drawn at or below end. */
struct flow {
	struct login_scr *L;
	bool draw;
	int y, end;
};

static void put(struct flow *f, enum role role, const char *s)
{
	const struct rect *t = &f->L->lay.text;
	int n = text_wrap(s, t->w, NULL, 0);
	if (f->draw && f->y < f->end)
		ui_para((struct rect){ t->x, f->y, t->w, n < f->end - f->y ? n : f->end - f->y }, role, s);
	f->y += n;
}

static void gap(struct flow *f)
{
	if (densities[f->L->lay.dens].gaps)
		f->y++;
}

static void spaced_code(const char *code, char *out, size_t n)
{
	size_t k = 0;
	/* Spaced out, so each character is read on its own. */
	for (const char *c = code; *c && k + 3 < n; c++) {
		out[k++] = *c;
		out[k++] = ' ';
	}
	out[k ? k - 1 : 0] = '\0';
}

static void put_code(struct flow *f)
{
	struct login_scr *L = f->L;
	const struct rect *t = &L->lay.text;
	if (f->draw)
		ui_cursor(t->x, f->y);
	if (L->lay.big) {
		for (int i = 0; f->draw && i < L->big.rows && f->y + i < f->end; i++)
			ui_text(t->x, f->y + i, t->w, ROLE_TEXT, L->big.lines[i]);
		f->y += BIGTEXT_ROWS;
	} else {
		char spaced[64];
		spaced_code(L->dev.user_code, spaced, sizeof spaced);
		/* Never broken over two rows: too narrow, it goes unspaced. */
		put(f, ROLE_FOCUS, text_width(spaced) <= t->w ? spaced : L->dev.user_code);
	}
}

/* Below: the QR comes right after the user code. Measuring records where. */
static void put_qr_below(struct flow *f)
{
	struct login_scr *L = f->L;
	if (L->lay.place != PLACE_BELOW)
		return;
	gap(f);
	if (!f->draw)
		L->qr_at = (struct rect){ L->area.x + (L->area.w - L->qr.cols) / 2, f->y, L->qr.cols, L->qr.rows };
	f->y += L->qr.rows;
}

static const char *way2_title(const struct login_scr *L, bool live)
{
	if (!live)
		return _("2) Or log in from your phone");
	switch (L->lay.place) {
	case PLACE_BESIDE: return _("2) Or scan the QR code on the left with your phone");
	case PLACE_BELOW: return _("2) Or scan the QR code below with your phone");
	case PLACE_NONE: break;
	}
	return _("2) Or enter a code on your phone");
}

static const char *state_text(struct login_scr *L)
{
	switch (L->state) {
	case D_REQUESTING: return _("Getting a code for your phone...");
	case D_SHOWING: return L->net_trouble ? _("The network is unsteady; still trying...")
	                                      : _("Waiting for your phone to confirm...");
	case D_EXPIRED: return L->qr_words ? _("The QR code has expired. Press 1 for a new one.")
	                                   : _("The code has expired. Press 1 for a new one.");
	case D_DENIED: return L->qr_words ? _("The log-in was refused on the phone. Press 1 for a new QR code.")
	                                  : _("The log-in was refused on the phone. Press 1 for a new code.");
	case D_ERROR: return L->error ? L->error : "";
	}
	return "";
}

static void lay_text(struct flow *f, bool live)
{
	struct login_scr *L = f->L;
	const struct rect *t = &L->lay.text;
	char buf[512];

	put(f, ROLE_TITLE, _("1) Scan the code on your phone"));
	if (densities[L->lay.dens].intro) {
		put(f, ROLE_TEXT, _("Open the government app on your phone, show its login code, and hold it to the scanner."));
		gap(f);
	}
	if (f->draw)
		ui_cursor(t->x, f->y);
	put(f, ROLE_TITLE, way2_title(L, live));
	if (!live) {
		put(f, L->state == D_REQUESTING ? ROLE_DIM : ROLE_ERROR, state_text(L));
		return;
	}
	/* Measured with the whole lifetime, the widest the countdown gets. */
	long long left = f->draw ? (L->expires_at - loop_now_ms() + 999) / 1000 : L->dev.expires_in;
	if (left < 0)
		left = 0;
	if (L->lay.place == PLACE_NONE) {
		put(f, ROLE_BANNER, _("The screen is too small for the QR code. Open the address below on your phone and enter the code."));
		put(f, ROLE_FOCUS, L->dev.verification_uri);
		gap(f);
		put_code(f);
		gap(f);
		snprintf(buf, sizeof buf, _("The code is valid for %lld:%02lld more."), left / 60, left % 60);
	} else {
		put(f, ROLE_TEXT, _("Then check that your phone shows this code, and confirm there:"));
		put_code(f);
		put_qr_below(f);
		gap(f);
		snprintf(buf, sizeof buf, _("Or open %s on your phone and enter the code."), L->dev.verification_uri);
		put(f, ROLE_TEXT, buf);
		snprintf(buf, sizeof buf, _("The QR code is valid for %lld:%02lld more."), left / 60, left % 60);
	}
	put(f, ROLE_DIM, buf);
	if (f->draw) {
		put(f, L->net_trouble ? ROLE_ERROR : ROLE_DIM, state_text(L));
	} else { /* room for either */
		const char *a = _("Waiting for your phone to confirm..."), *b = _("The network is unsteady; still trying...");
		put(f, ROLE_DIM, text_wrap(a, t->w, NULL, 0) >= text_wrap(b, t->w, NULL, 0) ? a : b);
	}
}

/* Rows the text needs as L->lay says (and, below, where the QR goes). */
static int measure(struct login_scr *L, bool live)
{
	struct flow f = { L, false, L->lay.text.y, L->lay.text.y + L->lay.text.h };
	lay_text(&f, live);
	return f.y - L->lay.text.y;
}

/* The first density and form of the user code with which the text fits in
 * text (as L->lay); false if none does (L->lay is then the tightest). */
static bool fit(struct login_scr *L, enum place place, struct rect text, bool live)
{
	int big_w = live ? bigtext_width(L->dev.user_code) : INT_MAX;
	for (int d = 0; d < N_DENSITIES; d++) {
		for (int big = big_w <= text.w; big >= 0; big--) {
			L->lay = (struct plan){ place, d, big, text };
			if (measure(L, live) <= text.h - button_rows(L))
				return true;
		}
	}
	return false;
}

/* Where the live code's QR goes; false if nowhere (L->lay: without it). */
static bool place_qr(struct login_scr *L, struct rect area)
{
	const char *u = L->dev.verification_uri_complete;
	int min_w = text_width(L->dev.verification_uri);
	if (min_w < TEXT_MIN_W)
		min_w = TEXT_MIN_W;
	/* Beside: a QR of the best error correction that leaves the text its
	 * columns, then the smallest one. */
	const struct { int text_w, gap; } beside[] = { { TEXT_PREF_W, 2 }, { min_w, 1 } };
	for (int i = 0; i < 2; i++) {
		if (qr_art_make(u, strlen(u), area.w - beside[i].gap - beside[i].text_w, area.h, &L->qr) != 0)
			continue;
		int x = area.x + L->qr.cols + beside[i].gap;
		L->qr_at = (struct rect){ area.x, area.y, L->qr.cols, L->qr.rows };
		if (fit(L, PLACE_BESIDE, (struct rect){ x, area.y, area.x + area.w - x, area.h }, true))
			return true;
		qr_art_free(&L->qr);
	}
	/* Below: the text over the whole width, the QR as big as the rest allows. */
	struct rect text = wide_text(area);
	int big_w = bigtext_width(L->dev.user_code);
	for (int d = 0; d < N_DENSITIES; d++) {
		for (int big = big_w <= text.w; big >= 0; big--) {
			L->lay = (struct plan){ PLACE_BELOW, d, big, text };
			int room = text.h - button_rows(L) - measure(L, true); /* without the QR */
			if (room > 0 && qr_art_make(u, strlen(u), area.w, room, &L->qr) == 0) {
				measure(L, true); /* where the QR goes */
				return true;
			}
		}
	}
	fit(L, PLACE_NONE, text, true);
	return false;
}

/* Without a code yet: could a QR be drawn at all? The smallest (version 1,
 * quiet zone included) is 29 x 15 cells. Only for the words of a request. */
static bool qr_room(struct rect area)
{
	return (area.h >= 15 && area.w >= 29 + 1 + TEXT_MIN_W) || (area.w >= 29 && area.h >= 15 + 10);
}

static const char *button_label(const struct login_scr *L)
{
	return L->qr_words ? _("New QR code") : _("New code");
}

static void login_resize(struct screen *s, struct rect area)
{
	struct login_scr *L = s->priv;
	bool live = L->state == D_SHOWING;
	qr_art_free(&L->qr);
	bigtext_free(&L->big);
	L->area = area;
	L->lay = (struct plan){ PLACE_NONE, 0, false, wide_text(area) };
	/* Expired or refused: the words still follow where this code's QR
	 * went, but only a live code is drawn: a dead one must not be
	 * scannable. */
	L->qr_words = L->have_dev ? place_qr(L, area) : qr_room(area);
	/* Large mode's QR size leaves no room for this code on this
	 * screen: the normal size is asked for, and a new grid comes. */
	if (live && !L->qr_words)
		access_qr_font_smaller(s->app);
	if (!live) {
		enum place place = L->lay.place;
		qr_art_free(&L->qr);
		fit(L, place, wide_text(area), false);
	}
	if (L->lay.big && bigtext_render(L->dev.user_code, L->lay.text.w, &L->big) != 0)
		L->lay.big = false;
	/* 26 columns, or as many as its label needs (a box, the focus marker
	 * and the number take 7), up to the area's right edge. */
	int bw = text_width(button_label(L)) + 7, room = area.x + area.w - L->lay.text.x;
	if (bw < 26)
		bw = 26;
	if (bw > room)
		bw = room;
	L->button = (struct rect){ L->lay.text.x, L->lay.text.y + L->lay.text.h - 3, bw, 3 };
}

static void login_draw(struct screen *s, struct rect area)
{
	struct login_scr *L = s->priv;
	bool live = L->state == D_SHOWING;
	if (live && L->lay.place != PLACE_NONE) {
		for (int i = 0; i < L->qr.rows; i++)
			ui_text(L->qr_at.x, L->qr_at.y + i, L->qr.cols, ROLE_QR, L->qr.lines[i]);
	}
	struct flow f = { L, true, L->lay.text.y, L->lay.text.y + L->lay.text.h - button_rows(L) };
	lay_text(&f, live);
	if (!live && L->state != D_REQUESTING)
		ui_cursor(L->button.x + 2, L->button.y + 1);
	if (button_rows(L))
		ui_button(L->button, T_NEW_CODE, 1, button_label(L), NULL, !live);
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
		/* Voice mode said the screen while the code was on its way: now
		 * say it again with the code and where the QR is (if it is). */
		access_repeat(s->app);
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

static void login_speak(struct screen *s, char *buf, size_t n, bool full)
{
	struct login_scr *L = s->priv;
	if (!full) {
		snprintf(buf, n, "%s", state_text(L));
		return;
	}
	/* The ways, as the screen shows them: the QR where it is, if it is. */
	char how[512];
	bool live = L->state == D_SHOWING;
	if (!live)
		snprintf(how, sizeof how, "%s", _("Show the login code of the government app on your phone to the scanner."));
	else if (L->lay.place == PLACE_BESIDE)
		snprintf(how, sizeof how, "%s", _("Show the login code of the government app on your phone to the scanner, or scan the QR code on the left of the screen."));
	else if (L->lay.place == PLACE_BELOW)
		snprintf(how, sizeof how, "%s", _("Show the login code of the government app on your phone to the scanner, or scan the QR code below the text."));
	else
		snprintf(how, sizeof how, _("Show the login code of the government app on your phone to the scanner, or open %s on your phone and enter the code."),
		         L->dev.verification_uri);
	size_t len = (size_t)snprintf(buf, n, "%s. %s ", login_title(s), how);
	if (live && len < n) {
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
