/* scr_pay.c: paying one bill, from "confirm" to a final state the citizen
 * sees.
 *
 * What the screen shows is what gets paid: the amount on the confirm page
 * is the bill's; the payment the gateway creates must have that amount, and
 * its QR payload is drawn only after emv_check (core/emv.c) has parsed it
 * and found that very amount in CNY with a correct CRC. Anything else is
 * refused: never drawn, logged by kind without personal data, the payment
 * cancelled at the gateway, and the citizen told to ask staff.
 *
 * Nothing is paid twice: the outbox (outbox.c) writes the payment with its
 * Idempotency-Key before the request goes out, and every retry (a timeout,
 * a dropped connection) sends the same key, so the gateway answers with the
 * same payment. Pressing pay again while it is being created does nothing.
 *
 * Every payment reaches a final state the citizen sees: the state is polled
 * every 2 s (backing off on errors, which are never shown as "failed"),
 * states never go backwards (pay_state_next), and a countdown hides the QR
 * when it expires while polling goes on until the gateway says how it
 * ended. A scan while the QR is shown is the citizen's own payment code
 * (付款码), sent to the gateway; never a log-in.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app.h"
#include "screens.h"
#include "bigtext.h"
#include "emv.h"
#include "i18n.h"
#include "log.h"
#include "loop.h"
#include "money.h"
#include "outbox.h"
#include "pay.h"
#include "qrcode.h"
#include "receipt.h"
#include "reconcile.h"
#include "text.h"
#include "ui.h"
#include "util.h"

enum stage {
	ST_CONFIRM,   /* the bill, and a button to pay it */
	ST_CREATING,  /* POST /v1/payments (retried with the same key) */
	ST_SHOWING,   /* the QR, polling */
	ST_DONE,      /* a final state */
	ST_STOPPED,   /* refused, or could not start: a message */
};
enum { REQ_CREATE = 1, REQ_POLL, REQ_SCAN, REQ_CANCEL };
enum { T_PAY = 1, T_CANCEL, T_YES, T_NO, T_DONE };

#define POLL_MS 2000
#define POLL_MAX_MS 10000
#define CREATE_TRIES 6
#define CONFIRM_GUARD_MS 300

struct pay {
	struct bill bill;
	enum stage stage;
	char key[IDEM_KEY_SIZE];
	struct payment p;          /* the gateway's last answer (p.id once created) */
	enum pay_state shown;
	long long expires;         /* Unix seconds, 0 if unknown */
	bool qr_ok;                /* the payload passed emv_check */
	bool asking_cancel;
	bool cancelling;
	int receipt;               /* -1 not yet asked, else the printer's status */
	long long entered_ms;      /* a press this soon after is the tap that opened us */
	int tries;
	long poll_ms;
	long long poll_timer, tick_timer, create_timer;
	char *msg;                 /* a message for the citizen, or NULL */
	enum role msg_role;
	/* layout */
	struct rect area, qr_at, text, pay_btn, cancel_btn, yes_btn, no_btn;
	struct qr_art qr;
	struct bigtext amount;
};

static void set_msg(struct pay *P, enum role role, const char *msg)
{
	free(P->msg);
	P->msg = msg ? xstrdup(msg) : NULL;
	P->msg_role = role;
}

static const char *state_words(enum pay_state s)
{
	switch (s) {
	case PAY_CREATED: return _("Waiting for payment: scan the QR code with your payment app.");
	case PAY_PENDING: return _("Payment is being processed...");
	case PAY_SUCCESS: return _("Paid. Thank you.");
	case PAY_FAILED: return _("The payment failed. Nothing was charged.");
	case PAY_CANCELLED: return _("The payment was cancelled.");
	case PAY_EXPIRED: return _("The payment code expired. Nothing was charged.");
	default: return _("Starting the payment...");
	}
}

static const char *receipt_words(const struct pay *P)
{
	switch (P->receipt) {
	case -1: return "";
	case PRINTER_OK: return _("Your receipt has been printed. Please take it.");
	case PRINTER_OK + 100: return _("Printing your receipt...");
	case PRINTER_PAPER_OUT:
		return _("The printer is out of paper. Scan the QR code with your phone to keep the receipt.");
	default:
		return P->p.verify_url ? _("The receipt cannot be printed here. Scan the QR code with your phone to keep it.")
		                       : _("The receipt cannot be printed here. Please note the receipt number.");
	}
}

/* ---- timers ----------------------------------------------------------------------------- */

static void timer_stop(struct app *a, long long *t)
{
	if (*t)
		loop_timer_del(a->loop, *t);
	*t = 0;
}

static long on_poll(struct loop *l, long long id, void *ud)
{
	struct screen *s = ud;
	struct pay *P = s->priv;
	P->poll_timer = 0;
	char path[160];
	snprintf(path, sizeof path, "/v1/payments/%s", P->p.id);
	ui_get(s, REQ_POLL, path, NULL);
	return -1;
}

static void poll_later(struct screen *s, long ms)
{
	struct pay *P = s->priv;
	timer_stop(s->app, &P->poll_timer);
	P->poll_timer = loop_timer_add(s->app->loop, ms, on_poll, s);
}

static long on_tick(struct loop *l, long long id, void *ud)
{
	struct screen *s = ud;
	struct pay *P = s->priv;
	s->app->payment_open = P->stage == ST_CREATING || P->stage == ST_SHOWING;
	if (P->stage == ST_SHOWING && P->expires && time(NULL) >= P->expires && P->qr.rows) {
		/* A dead code must not be scannable; how it ended is the
		 * gateway's to say (polling goes on). */
		qr_art_free(&P->qr);
		ui_relayout(s->app);
	}
	ui_dirty(s->app);
	return 1000;
}

/* ---- the outbox --------------------------------------------------------------------------- */

static void record_state(struct screen *s)
{
	struct pay *P = s->priv;
	struct outbox *ob = s->app->outbox;
	if (!ob || !P->key[0])
		return;
	if (outbox_payment_state(ob, P->key, P->p.state, P->p.receipt_no, P->p.paid_at) == OUTBOX_ERROR)
		log_warn("payment: outbox: %s", outbox_error(ob));
}

/* ---- the end ------------------------------------------------------------------------------- */

static void on_receipt(struct screen *s, enum printer_status st)
{
	struct pay *P = s->priv;
	P->receipt = (int)st;
	ui_relayout(s->app); /* a fault: the receipt's QR on screen instead */
	access_repeat(s->app);
}

/* A final state: the QR goes, and a success prints its receipt (once:
 * the outbox remembers). */
static void finished(struct screen *s)
{
	struct pay *P = s->priv;
	if (P->stage == ST_SHOWING)
		access_qr_font(s->app, false);
	s->app->payment_open = false;
	P->stage = ST_DONE;
	qr_art_free(&P->qr);
	timer_stop(s->app, &P->poll_timer);
	log_info("payment: %s", pay_state_name(P->shown));
	if (P->shown == PAY_SUCCESS && P->receipt < 0) {
		P->receipt = PRINTER_OK + 100; /* asked: waiting for the printer */
		receipt_print(s->app, P->key, P->p.verify_url, s, on_receipt);
	}
}

/* ---- creating ------------------------------------------------------------------------------ */

static void send_create(struct screen *s)
{
	struct pay *P = s->priv;
	if (s->app->outbox)
		outbox_payment_sending(s->app->outbox, P->key);
	json_t *body = json_pack("{s:s}", P->bill.fee ? "application_id" : "bill_id", P->bill.id);
	ui_post(s, REQ_CREATE, "/v1/payments", body, P->key);
}

static long on_create_retry(struct loop *l, long long id, void *ud)
{
	struct screen *s = ud;
	struct pay *P = s->priv;
	P->create_timer = 0;
	send_create(s);
	return -1;
}

static void start(struct screen *s)
{
	struct pay *P = s->priv;
	if (P->stage != ST_CONFIRM)
		return; /* pressed twice: one payment */
	struct outbox *ob = app_outbox(s->app);
	if (!ob) {
		set_msg(P, ROLE_ERROR, _("Payments cannot be taken at this kiosk now. Please ask the staff."));
		P->stage = ST_STOPPED;
		return;
	}
	struct outbox_payment op = { P->bill.id, P->bill.amount_fen, P->bill.payee, P->bill.period,
	                             P->bill.account_masked };
	struct outbox_entry e = { 0 };
	enum outbox_result r = outbox_payment_new(ob, &op, &e);
	if (r != OUTBOX_OK && r != OUTBOX_KEPT) {
		log_warn("payment: outbox refused a new payment: %s", outbox_error(ob));
		set_msg(P, ROLE_ERROR, _("Payments cannot be taken at this kiosk now. Please ask the staff."));
		P->stage = ST_STOPPED;
		outbox_entry_clear(&e);
		return;
	}
	memcpy(P->key, e.key, sizeof P->key);
	outbox_entry_clear(&e);
	s->app->pay_key_shown = P->key; /* followed here, not by reconcile.c */
	s->app->payment_open = true;
	P->stage = ST_CREATING;
	P->tries = 0;
	set_msg(P, ROLE_TEXT, NULL);
	send_create(s);
}

/* The payment as the gateway created it: shown only if it is this bill's
 * amount and its QR says so. */
static void created(struct screen *s, const struct gw_reply *r)
{
	struct pay *P = s->priv;
	char err[160];
	struct payment p;
	if (payment_decode(r->json, &p, err, sizeof err) != 0) {
		log_warn("payment: unreadable answer: %s", err);
		set_msg(P, ROLE_ERROR, _("This payment cannot be shown. Nothing was charged. Please ask the staff."));
		P->stage = ST_STOPPED;
		return;
	}
	payment_free(&P->p);
	P->p = p;
	if (s->app->outbox &&
	    outbox_payment_sent(s->app->outbox, P->key, p.id, p.expires_at) == OUTBOX_REFUSED)
		log_warn("payment: the gateway answered a key with another payment");
	enum emv_error e = p.amount_fen != P->bill.amount_fen ? EMV_AMOUNT_MISMATCH
	                   : p.qr_payload ? emv_check(p.qr_payload, P->bill.amount_fen, NULL)
	                                  : EMV_EMPTY;
	P->shown = pay_state_next(P->shown, p.state);
	if (pay_state_final(P->shown)) { /* a replayed answer of a finished payment */
		record_state(s);
		finished(s);
		return;
	}
	if (e != EMV_OK) {
		log_warn("payment: QR payload refused (%s)", emv_error_name(e));
		set_msg(P, ROLE_ERROR,
		        _("This payment cannot be shown at this kiosk. Nothing was charged. Please ask the staff."));
		P->stage = ST_STOPPED;
		s->app->payment_open = false;
		/* The app's request, not the screen's: it must not die with it. */
		reconcile_cancel(s->app, P->key, p.id);
		return;
	}
	P->qr_ok = true;
	long long exp = pay_time_parse(p.expires_at);
	P->expires = exp > 0 ? exp : 0;
	P->stage = ST_SHOWING;
	access_qr_font(s->app, true); /* large mode: a size the QR fits at */
	P->poll_ms = POLL_MS;
	poll_later(s, POLL_MS);
	log_info("payment: QR code shown");
}

static void create_failed(struct screen *s, const struct gw_reply *r)
{
	struct pay *P = s->priv;
	bool transient = r->result == GW_UNREACHABLE || r->result == GW_TIMEOUT ||
	                 (r->result == GW_PROBLEM && r->status >= 500) || r->result == GW_BAD_ANSWER;
	if (transient && ++P->tries < CREATE_TRIES) {
		/* The same key again: if the gateway made the payment before the
		 * connection dropped, it answers with that one. */
		set_msg(P, ROLE_DIM, _("The network is slow. Trying again..."));
		P->create_timer = loop_timer_add(s->app->loop, 1000L << (P->tries - 1), on_create_retry, s);
		return;
	}
	P->stage = ST_STOPPED;
	s->app->payment_open = false;
	if (r->result == GW_PROBLEM && r->status >= 400 && r->status < 500 && r->status != 408 &&
	    r->status != 429 && s->app->outbox) {
		/* Refused for good (paid elsewhere, say): nothing was made. */
		outbox_payment_state(s->app->outbox, P->key, PAY_FAILED, NULL, NULL);
	}
	if (r->result == GW_PROBLEM && r->status < 500 && r->problem.title && r->problem.title[0]) {
		char msg[512];
		snprintf(msg, sizeof msg, "%s%s%s", r->problem.title, r->problem.detail[0] ? " " : "",
		         r->problem.detail);
		set_msg(P, ROLE_ERROR, msg);
	} else {
		set_msg(P, ROLE_ERROR, _("The payment could not be started. If anything was paid, it will be "
		                         "recorded. Please ask the staff."));
	}
}

/* ---- following it to the end -------------------------------------------------------------- */

static void got_state(struct screen *s, const struct gw_reply *r)
{
	struct pay *P = s->priv;
	struct payment p;
	char err[160];
	if (payment_decode(r->json, &p, err, sizeof err) != 0 || strcmp(p.id, P->p.id) != 0) {
		log_warn("payment: unreadable state: %s", err);
		if (p.id)
			payment_free(&p);
		poll_later(s, P->poll_ms);
		return;
	}
	enum pay_state next = pay_state_next(P->shown, p.state);
	if (next != P->shown || (p.receipt_no && !P->p.receipt_no)) {
		/* The payload drawn is the one emv_check accepted, whatever a
		 * later answer carries. */
		char *qr = P->p.qr_payload;
		P->p.qr_payload = NULL;
		payment_free(&P->p);
		if (p.qr_payload) {
			explicit_bzero(p.qr_payload, strlen(p.qr_payload));
			free(p.qr_payload);
		}
		P->p = p;
		P->p.qr_payload = qr;
		P->shown = next;
		P->p.state = next;
		record_state(s);
	} else {
		payment_free(&p);
	}
	P->poll_ms = POLL_MS;
	if (pay_state_final(P->shown)) {
		if (P->stage != ST_DONE)
			finished(s);
		access_repeat(s->app);
	} else {
		poll_later(s, P->poll_ms);
	}
}

static void pay_reply(struct screen *s, int tag, const struct gw_reply *r)
{
	struct pay *P = s->priv;
	bool ok = r->result == GW_OK && r->json;
	/* A poll that changes nothing repaints (the countdown) without laying
	 * out again: the QR is not encoded anew every 2 s. */
	enum stage stage0 = P->stage;
	enum pay_state shown0 = P->shown;
	int receipt0 = P->receipt;
	switch (tag) {
	case REQ_CREATE:
		if (ok)
			created(s, r);
		else
			create_failed(s, r);
		break;
	case REQ_POLL:
		if (ok) {
			got_state(s, r);
		} else if (r->result == GW_PROBLEM && r->status == 404) {
			/* The gateway does not know this payment (any more): no
			 * end can be shown; the outbox keeps it for staff. */
			log_warn("payment: the gateway does not know the payment shown");
			if (P->stage == ST_SHOWING)
				access_qr_font(s->app, false);
			P->stage = ST_STOPPED;
			s->app->payment_open = false;
			qr_art_free(&P->qr);
			set_msg(P, ROLE_ERROR, _("The result of this payment cannot be confirmed. If you paid, it will be "
			                         "recorded. Please ask the staff."));
			access_repeat(s->app);
		} else {
			/* Never "failed" for a network error: ask again, later. */
			P->poll_ms = P->poll_ms * 2 > POLL_MAX_MS ? POLL_MAX_MS : P->poll_ms * 2;
			poll_later(s, P->poll_ms);
		}
		break;
	case REQ_SCAN:
	case REQ_CANCEL:
		P->cancelling = false;
		if (ok) {
			got_state(s, r);
			set_msg(P, ROLE_TEXT, NULL);
		} else if (r->result == GW_PROBLEM && r->status < 500 && r->problem.title && r->problem.title[0]) {
			set_msg(P, ROLE_ERROR, r->problem.title);
			poll_later(s, 0); /* a cancel that raced a payment: the state says */
		} else {
			set_msg(P, ROLE_ERROR, ui_gw_message(r));
		}
		break;
	default:
		break;
	}
	if (P->stage != stage0 || P->shown != shown0 || P->receipt != receipt0)
		ui_relayout(s->app);
	else
		ui_dirty(s->app);
}

static void cancel(struct screen *s)
{
	struct pay *P = s->priv;
	P->asking_cancel = false;
	if (P->stage != ST_SHOWING || P->cancelling)
		return;
	P->cancelling = true;
	char path[160];
	snprintf(path, sizeof path, "/v1/payments/%s/cancel", P->p.id);
	ui_post(s, REQ_CANCEL, path, json_object(), NULL);
	set_msg(P, ROLE_DIM, _("Cancelling..."));
}

/* ---- the screen --------------------------------------------------------------------------- */

static void pay_enter(struct screen *s, void *arg)
{
	struct pay *P = xcalloc(1, sizeof *P);
	bill_copy(&P->bill, arg);
	P->receipt = -1;
	P->entered_ms = loop_now_ms();
	s->priv = P;
	P->tick_timer = loop_timer_add(s->app->loop, 1000, on_tick, s);
}

static void pay_leave(struct screen *s)
{
	struct pay *P = s->priv;
	timer_stop(s->app, &P->poll_timer);
	timer_stop(s->app, &P->tick_timer);
	timer_stop(s->app, &P->create_timer);
	if (s->app->pay_key_shown == P->key)
		s->app->pay_key_shown = NULL;
	s->app->payment_open = false;
	if (P->stage == ST_SHOWING)
		access_qr_font(s->app, false);
	if (P->key[0] && P->stage != ST_DONE) {
		log_info("payment: screen left before a final state (the outbox keeps it)");
		reconcile_kick(s->app);
	}
	qr_art_free(&P->qr);
	bigtext_free(&P->amount);
	payment_free(&P->p);
	bill_free(&P->bill);
	free(P->msg);
	free(P);
}

static void pay_resize(struct screen *s, struct rect area)
{
	struct pay *P = s->priv;
	P->area = area;
	qr_art_free(&P->qr);
	bigtext_free(&P->amount);
	char yuan[32];
	money_format(P->bill.amount_fen, yuan, sizeof yuan);
	int text_w = area.w;
	P->qr_at = (struct rect){ 0 };
	if (P->stage == ST_SHOWING && P->qr_ok && !(P->expires && time(NULL) >= P->expires)) {
		const char *q = P->p.qr_payload;
		int tw = 36;
		if (qr_art_make(q, strlen(q), area.w - tw - 2, area.h, &P->qr) == 0) {
			P->qr_at = (struct rect){ area.x, area.y, P->qr.cols, P->qr.rows };
			text_w = area.w - P->qr.cols - 2;
		} else if (qr_art_make(q, strlen(q), area.w, area.h - 8, &P->qr) == 0) {
			P->qr_at = (struct rect){ area.x + (area.w - P->qr.cols) / 2, area.y + 8, P->qr.cols, P->qr.rows };
		} else {
			/* No room for it: a smaller font if large mode made it big;
			 * the words say so meanwhile (pay code still works). */
			access_qr_font_smaller(s->app);
		}
	}
	bool receipt_qr = P->stage == ST_DONE && P->shown == PAY_SUCCESS && P->receipt >= 0 &&
	                  P->receipt != PRINTER_OK && P->receipt != PRINTER_OK + 100 && P->p.verify_url;
	if (receipt_qr) {
		const char *q = P->p.verify_url;
		if (qr_art_make(q, strlen(q), area.w - 38, area.h, &P->qr) == 0) {
			P->qr_at = (struct rect){ area.x, area.y, P->qr.cols, P->qr.rows };
			text_w = area.w - P->qr.cols - 2;
		}
	}
	int tx = P->qr_at.w && text_w < area.w ? area.x + P->qr.cols + 2 : area.x + 1;
	P->text = (struct rect){ tx, area.y + 1, text_w - 2, area.h - 1 };
	if (bigtext_render(yuan, P->text.w, &P->amount) != 0)
		memset(&P->amount, 0, sizeof P->amount);
	int by = area.y + area.h - 3;
	P->pay_btn = (struct rect){ P->text.x, by, 24 < P->text.w ? 24 : P->text.w, 3 };
	P->cancel_btn = P->pay_btn;
	P->yes_btn = (struct rect){ P->text.x, by, 22, 3 };
	P->no_btn = (struct rect){ P->text.x + 24, by, 22, 3 };
}

static void pay_draw(struct screen *s, struct rect area)
{
	struct pay *P = s->priv;
	struct rect t = P->text;
	int y = t.y;
	char yuan[32], line[512];
	money_format(P->bill.amount_fen, yuan, sizeof yuan);
	for (int i = 0; i < P->qr.rows; i++)
		ui_text(P->qr_at.x, P->qr_at.y + i, P->qr.cols, ROLE_QR, P->qr.lines[i]);
	snprintf(line, sizeof line, _("Amount: %s yuan"), yuan);
	ui_text(t.x, y++, t.w, ROLE_TEXT, line);
	for (int i = 0; i < P->amount.rows && y < t.y + t.h; i++)
		ui_text(t.x, y++, P->amount.cols, ROLE_TEXT, P->amount.lines[i]);
	y++;
	snprintf(line, sizeof line, _("Payee: %s"), P->bill.payee);
	ui_text(t.x, y++, t.w, ROLE_TEXT, line);
	if (P->bill.fee) {
		snprintf(line, sizeof line, _("For: the fee of application %s"), P->bill.id);
		ui_text(t.x, y++, t.w, ROLE_TEXT, line);
	} else {
		snprintf(line, sizeof line, _("For: %s %s"), bill_type_label(P->bill.type), P->bill.period);
		ui_text(t.x, y++, t.w, ROLE_TEXT, line);
		snprintf(line, sizeof line, _("Account: %s"), P->bill.account_masked);
		ui_text(t.x, y++, t.w, ROLE_TEXT, line);
	}
	y++;
	switch (P->stage) {
	case ST_CONFIRM:
		y += ui_para((struct rect){ t.x, y, t.w, 2 }, ROLE_TEXT,
		             _("Check the amount, then press 1 to pay. Esc goes back."));
		ui_button(P->pay_btn, T_PAY, 1, _("Pay"), NULL, true);
		break;
	case ST_CREATING:
		ui_text(t.x, y++, t.w, ROLE_DIM, state_words(PAY_UNKNOWN));
		break;
	case ST_SHOWING:
		if (!(P->expires && time(NULL) >= P->expires)) /* else the line below says it */
			y += ui_para((struct rect){ t.x, y, t.w, 2 }, ROLE_OK, state_words(P->shown));
		if (P->expires) {
			long long left = P->expires - (long long)time(NULL);
			if (left > 0)
				snprintf(line, sizeof line, _("The code is valid for %lld:%02lld."), left / 60, left % 60);
			else
				snprintf(line, sizeof line, "%s", _("The code has expired. Checking how the payment ended..."));
			ui_text(t.x, y++, t.w, ROLE_DIM, line);
		}
		if (P->qr.rows)
			y += ui_para((struct rect){ t.x, y, t.w, 2 }, ROLE_DIM,
			             _("Or show your payment app's pay code to the scanner."));
		else if (!P->expires || time(NULL) < P->expires)
			y += ui_para((struct rect){ t.x, y, t.w, 2 }, ROLE_ERROR,
			             _("The screen is too small for the payment QR code. Show your payment app's pay code to the scanner instead."));
		if (P->asking_cancel) {
			ui_text(t.x, P->yes_btn.y - 1, t.w, ROLE_TEXT, _("Cancel this payment?"));
			ui_button(P->yes_btn, T_YES, 1, _("Yes, cancel it"), NULL, false);
			ui_button(P->no_btn, T_NO, 2, _("No, keep paying"), NULL, true);
		} else {
			ui_button(P->cancel_btn, T_CANCEL, 0, _("Cancel payment"), NULL, false);
		}
		break;
	case ST_DONE:
		y += ui_para((struct rect){ t.x, y, t.w, 2 }, P->shown == PAY_SUCCESS ? ROLE_OK : ROLE_ERROR,
		             state_words(P->shown));
		if (P->shown == PAY_SUCCESS && P->p.receipt_no) {
			snprintf(line, sizeof line, _("Receipt number: %s"), P->p.receipt_no);
			ui_text(t.x, y++, t.w, ROLE_TEXT, line);
			char when[64] = "";
			long long at = pay_time_parse(P->p.paid_at);
			struct tm tm;
			time_t tt = (time_t)at;
			if (at > 0 && localtime_r(&tt, &tm))
				strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S", &tm);
			snprintf(line, sizeof line, _("Paid at: %s"), when);
			ui_text(t.x, y++, t.w, ROLE_TEXT, line);
		}
		if (P->shown == PAY_SUCCESS) {
			y += ui_para((struct rect){ t.x, y, t.w, 3 }, ROLE_TEXT, receipt_words(P));
			ui_button(P->pay_btn, T_DONE, 1, _("Done"), NULL, false);
		}
		break;
	case ST_STOPPED:
		break;
	}
	if (P->msg && y < t.y + t.h)
		ui_para((struct rect){ t.x, y + 1, t.w, 3 }, P->msg_role, P->msg);
}

/* 完成 after a payment went through: 好差评 for it (one press skips). */
static void rate_payment(struct screen *s)
{
	struct pay *P = s->priv;
	struct scr_rate_arg ra = { "payment_id", P->p.id, NULL, P->bill.payee };
	ui_push(s->app, &scr_rate, &ra);
}

static int pay_key(struct screen *s, int key)
{
	struct pay *P = s->priv;
	if (P->stage == ST_DONE && P->shown == PAY_SUCCESS && key == '1') {
		rate_payment(s);
		return UI_HANDLED;
	}
	switch (P->stage) {
	case ST_CONFIRM:
		if ((key == '1' || key == K_RETURN) && loop_now_ms() - P->entered_ms < CONFIRM_GUARD_MS)
			return UI_HANDLED; /* a double press on the bill list: check the amount first */
		if (key == '1' || key == K_RETURN) {
			start(s);
			ui_relayout(s->app);
			return UI_HANDLED;
		}
		return UI_PASS;
	case ST_CREATING:
		/* Leaving is allowed: the outbox holds the key, and reconcile.c
		 * follows the create to its end (never a second payment). */
		return UI_PASS;
	case ST_SHOWING:
		if (P->asking_cancel) {
			if (key == '1')
				cancel(s);
			else if (key == '2' || ui_key_is_back(key))
				P->asking_cancel = false;
			return UI_HANDLED;
		}
		if (ui_key_is_back(key) || key == '0' || key == K_HOME) {
			P->asking_cancel = true; /* leaving means cancelling: ask */
			return UI_HANDLED;
		}
		return UI_PASS;
	default:
		return UI_PASS;
	}
}

static int pay_mouse(struct screen *s, int target)
{
	struct pay *P = s->priv;
	if (target == T_PAY && loop_now_ms() - P->entered_ms >= CONFIRM_GUARD_MS)
		start(s);
	else if (target == T_CANCEL && P->stage == ST_SHOWING)
		P->asking_cancel = true;
	else if (target == T_YES)
		cancel(s);
	else if (target == T_NO)
		P->asking_cancel = false;
	else if (target == T_DONE && P->stage == ST_DONE && P->shown == PAY_SUCCESS) {
		rate_payment(s);
		return UI_HANDLED;
	}
	ui_relayout(s->app);
	return UI_HANDLED;
}

/* While the QR shows, a scan is the citizen's own payment code; at any
 * other moment it is refused here (never taken as a log-in). */
static int pay_scan(struct screen *s, const char *code, size_t len)
{
	struct pay *P = s->priv;
	if (P->stage != ST_SHOWING || (P->expires && time(NULL) >= P->expires)) {
		set_msg(P, ROLE_ERROR, _("Please scan your payment code while the payment QR code is shown."));
		ui_dirty(s->app);
		return UI_HANDLED;
	}
	json_t *body = json_pack("{s:s%}", "code", code, len);
	char path[160];
	snprintf(path, sizeof path, "/v1/payments/%s/scan", P->p.id);
	ui_post(s, REQ_SCAN, path, body, NULL);
	set_msg(P, ROLE_DIM, _("Paying with your code..."));
	log_info("payment: pay code scanned (%zu bytes)", len);
	ui_dirty(s->app);
	return UI_HANDLED;
}

static const char *pay_title(struct screen *s)
{
	return _("Payment");
}

static void pay_speak(struct screen *s, char *buf, size_t n, bool full)
{
	struct pay *P = s->priv;
	char money[160];
	money_speak(P->bill.amount_fen, i18n_lang(), money, sizeof money);
	const char *now = P->stage == ST_CONFIRM  ? _("Press 1 to pay.")
	                  : P->stage == ST_STOPPED ? (P->msg ? P->msg : "")
	                  : P->asking_cancel       ? _("Cancel this payment? Press 1 for yes, 2 for no.")
	                                           : state_words(P->shown);
	char both[512];
	if (P->stage == ST_DONE && P->receipt >= 0) {
		snprintf(both, sizeof both, "%s %s", now, receipt_words(P));
		now = both;
	}
	if (full)
		snprintf(buf, n, _("Payment. %s to %s. %s"), money, P->bill.payee, now);
	else
		snprintf(buf, n, "%s", now);
	if (P->stage == ST_DONE && P->shown == PAY_SUCCESS) {
		size_t len = strlen(buf);
		snprintf(buf + len, n - len, " %s", _("Press 1 when you are done."));
	}
}

const char *scr_pay_payment_id(struct screen *s)
{
	struct pay *P = s->priv;
	return P->stage == ST_SHOWING ? P->p.id : NULL;
}

const struct screen_ops scr_pay = {
	.name = "pay",
	.enter = pay_enter,
	.leave = pay_leave,
	.key = pay_key,
	.mouse = pay_mouse,
	.draw = pay_draw,
	.resize = pay_resize,
	.reply = pay_reply,
	.speak = pay_speak,
	.title = pay_title,
	.scan = pay_scan,
};
