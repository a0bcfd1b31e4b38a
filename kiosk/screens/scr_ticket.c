/* scr_ticket.c: 排队取号. Two screens: scr_queue, the services a number can
 * be taken for (those of kind `queue` in the catalog; any service page
 * with a `where` offers 取号 too), and scr_ticket, which takes one.
 *
 * One ticket per press: scr_ticket writes an outbox entry (a fresh
 * Idempotency-Key) as it opens and sends it; its own retries (no answer,
 * a timeout, a 5xx: after 1 s and 3 s) and the citizen's 重试 reuse that
 * key, so the gateway answers with the same ticket. A second press of the
 * same button lands on this screen, which ignores it while it works.
 *
 * The ticket: its number in big glyphs, the people ahead, the wait, the
 * window; printed (the number four times as high); read out character by
 * character in voice mode. Nothing is shown until the gateway has issued
 * it, and only what it said (sanitized: a window name with escape
 * sequences draws as text, a 500-character one is cut).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "app.h"
#include "bigtext.h"
#include "escpos.h"
#include "i18n.h"
#include "idem.h"
#include "jsonx.h"
#include "log.h"
#include "loop.h"
#include "menu.h"
#include "outbox.h"
#include "receipt.h"
#include "screens.h"
#include "text.h"
#include "ui.h"
#include "util.h"

/* ---- scr_queue: which service ---- */

struct queue {
	size_t *svc;      /* indexes into the catalog's services */
	int n;
	struct menu m;
};

static void queue_collect(struct screen *s)
{
	struct queue *q = s->priv;
	const struct catalog *c = &s->app->cat;
	free(q->svc);
	q->svc = xcalloc(c->n_svcs ? c->n_svcs : 1, sizeof *q->svc);
	q->n = 0;
	for (size_t i = 0; i < c->n_svcs; i++)
		if (c->svcs[i].kind == SVC_QUEUE)
			q->svc[q->n++] = i;
}

static const char *queue_label(void *ud, int i, const char **sub)
{
	struct screen *s = ud;
	struct queue *q = s->priv;
	const struct service_brief *b = &s->app->cat.svcs[q->svc[i]];
	*sub = b->summary;
	return b->name;
}

static void queue_enter(struct screen *s, void *arg)
{
	s->priv = xcalloc(1, sizeof(struct queue));
}

static void queue_leave(struct screen *s)
{
	struct queue *q = s->priv;
	free(q->svc);
	free(q);
}

static void queue_resize(struct screen *s, struct rect area)
{
	struct queue *q = s->priv;
	queue_collect(s);
	area.y += 1;
	area.h -= 1;
	int item_h = area.h >= 14 ? 2 : 1;
	menu_layout(&q->m, area, q->n, 20, item_h, 2, item_h > 1 ? 1 : 0, area.w >= 100 ? 2 : 1);
}

static void queue_draw(struct screen *s, struct rect area)
{
	struct queue *q = s->priv;
	if (q->n == 0) {
		ui_para((struct rect){ area.x + 1, area.y + 1, area.w - 2, area.h - 1 }, ROLE_TEXT,
		        s->app->cat_loaded ? _("Numbers for the counters are not given out at this kiosk. Please ask at the information desk.")
		                           : _("The list of services is not available just now. Please ask at the information desk."));
		return;
	}
	ui_text(area.x + 1, area.y, area.w - 2, ROLE_DIM, _("Choose what you have come for, then take your number."));
	menu_draw(&q->m, queue_label, s);
}

static void queue_open(struct screen *s, int i)
{
	struct queue *q = s->priv;
	const struct service_brief *b = &s->app->cat.svcs[q->svc[i]];
	struct scr_ticket_arg arg = { b->id, b->name };
	ui_push(s->app, &scr_ticket, &arg);
}

static int queue_key(struct screen *s, int key)
{
	struct queue *q = s->priv;
	if (app_search_key(s->app, key))
		return UI_HANDLED;
	int r = menu_key(&q->m, key);
	if (r >= 0)
		queue_open(s, r);
	return r == MENU_IGNORED ? UI_PASS : UI_HANDLED;
}

static int queue_mouse(struct screen *s, int target)
{
	struct queue *q = s->priv;
	int r = menu_mouse(&q->m, target);
	if (r >= 0)
		queue_open(s, r);
	return UI_HANDLED;
}

static const char *queue_title(struct screen *s)
{
	return _("Take a number");
}

static void queue_speak(struct screen *s, char *buf, size_t n, bool full)
{
	struct queue *q = s->priv;
	if (q->n == 0) {
		snprintf(buf, n, "%s. %s", queue_title(s), _("Numbers for the counters are not given out at this kiosk. Please ask at the information desk."));
		return;
	}
	const char *sub;
	char item[512];
	menu_speak_item(&q->m, q->m.focus, queue_label(s, q->m.focus, &sub), item, sizeof item);
	if (full)
		snprintf(buf, n, _("%s. Page %d of %d. Press a number to choose a service. %s"), queue_title(s),
		         menu_page(&q->m) + 1, q->m.g.pages, item);
	else
		snprintf(buf, n, "%s", item);
}

const struct screen_ops scr_queue = {
	.name = "queue",
	.enter = queue_enter,
	.leave = queue_leave,
	.key = queue_key,
	.mouse = queue_mouse,
	.draw = queue_draw,
	.resize = queue_resize,
	.speak = queue_speak,
	.title = queue_title,
};

/* ---- scr_ticket: taking one ---- */

#define TICKET_MAX 16        /* bytes of a ticket number we show */
#define TRIES 3              /* our own tries before asking the citizen */

enum tstage { T_TAKING, T_DONE, T_FAILED };
enum { ACT_DONE, ACT_HOME, ACT_RETRY };
enum { TG_ACT = 0 };

struct ticket {
	char *svc_id, *svc_name;
	char key[IDEM_KEY_SIZE];
	bool in_outbox;
	enum tstage stage;
	int tries;
	long long retry_timer;
	char *msg;                 /* T_FAILED: why, in plain words */
	/* what the gateway issued */
	char *number, *window, *issued;
	long long ahead, wait_min;
	int acts[3], n_acts;
	struct menu m;
	struct bigtext big;
	bool has_big;
	struct rect head, num, text;
	int printed;               /* -1 no printer; PRINTER_OK+100 printing; else its answer */
	long long shown_ms;        /* when the number appeared */
};

static void ticket_send(struct screen *s)
{
	struct ticket *t = s->priv;
	t->tries++;
	ui_post(s, 0, "/v1/queue/tickets", json_pack("{s:s}", "service_id", t->svc_id), t->key);
}

static long on_retry(struct loop *l, long long id, void *ud)
{
	struct screen *s = ud;
	struct ticket *t = s->priv;
	t->retry_timer = 0;
	ticket_send(s);
	return -1;
}

static void set_acts(struct screen *s)
{
	struct ticket *t = s->priv;
	t->n_acts = 0;
	if (t->stage == T_DONE)
		t->acts[t->n_acts++] = ACT_DONE;
	if (t->stage == T_FAILED && t->key[0])
		t->acts[t->n_acts++] = ACT_RETRY;
	t->acts[t->n_acts++] = ACT_HOME;
	t->m.no_focus = true; /* Enter pressed twice must not leave the number unread */
	access_repeat(s->app); /* voice mode: the number (or why not) said in full, not just the focus */
	ui_relayout(s->app);
}

static void fail(struct screen *s, const char *msg, bool for_good)
{
	struct ticket *t = s->priv;
	t->stage = T_FAILED;
	free(t->msg);
	t->msg = xstrdup(msg);
	if (for_good) {
		if (t->in_outbox && s->app->outbox)
			outbox_ticket_failed(s->app->outbox, t->key);
		t->key[0] = '\0'; /* a new press is a new ticket */
	}
	set_acts(s);
}

static void ticket_enter(struct screen *s, void *arg)
{
	const struct scr_ticket_arg *a = arg;
	struct ticket *t = xcalloc(1, sizeof *t);
	s->priv = t;
	t->svc_id = xstrdup(a->service_id);
	t->svc_name = xstrdup(a->service_name ? a->service_name : "");
	t->printed = -1;
	struct outbox *ob = app_outbox(s->app);
	if (ob) {
		if (outbox_ticket_new(ob, t->svc_id, t->key) == OUTBOX_OK)
			t->in_outbox = true;
		else
			log_warn("ticket: %s", outbox_error(ob));
	}
	if (!t->in_outbox) {
		/* A ticket is no money: without the outbox, a key in memory
		 * still makes our retries one ticket. */
		unsigned char rnd[16];
		if (getrandom(rnd, sizeof rnd, 0) != (ssize_t)sizeof rnd) {
			fail(s, _("A number cannot be taken at this kiosk just now. Please ask at the information desk."), false);
			return;
		}
		uuid_v4_format(rnd, t->key);
	}
	log_info("ticket: taking one (service %s)", t->svc_id);
	set_acts(s);
	ticket_send(s);
}

static void ticket_leave(struct screen *s)
{
	struct ticket *t = s->priv;
	/* Left while taking, or after our tries failed: the answer is dropped
	 * (the request is cancelled with the screen); the entry ends rather
	 * than wait for ever. */
	if (t->stage != T_DONE && t->key[0] && t->in_outbox && s->app->outbox)
		outbox_ticket_failed(s->app->outbox, t->key);
	loop_timer_del(s->app->loop, t->retry_timer);
	bigtext_free(&t->big);
	free(t->svc_id);
	free(t->svc_name);
	free(t->msg);
	free(t->number);
	free(t->window);
	free(t->issued);
	free(t);
}

static void on_printed(struct screen *s, enum printer_status st)
{
	struct ticket *t = s->priv;
	t->printed = (int)st;
	access_repeat(s->app);
	ui_dirty(s->app);
}

static void print_ticket(struct screen *s)
{
	struct ticket *t = s->priv;
	char ahead[64], wait[64];
	snprintf(ahead, sizeof ahead, ngettext("%lld person", "%lld people", (unsigned long)t->ahead), t->ahead);
	snprintf(wait, sizeof wait, ngettext("about %lld minute", "about %lld minutes", (unsigned long)t->wait_min),
	         t->wait_min);
	const struct receipt_line lines[] = {
		{ _("Service: "), t->svc_name },
		{ _("Window: "), t->window },
		{ _("Waiting ahead: "), ahead },
		{ _("Estimated wait: "), wait },
		{ _("Taken at: "), t->issued },
	};
	struct receipt r = {
		.title = _("Queue ticket"),
		.big = t->number,
		.no_amount = true,
		.lines = lines,
		.n_lines = sizeof lines / sizeof lines[0],
		.kiosk_id = s->app->cfg.kiosk_id ? s->app->cfg.kiosk_id : "",
		.lang = i18n_lang(),
	};
	t->printed = PRINTER_OK + 100;
	if (!receipt_print_doc(s->app, &r, s, on_printed) && t->printed == PRINTER_OK + 100)
		t->printed = -1;
}

/* A ticket number: 1..16 letters, digits and '-' (what a window calls out). */
static bool number_ok(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n > TICKET_MAX)
		return false;
	for (; *s; s++)
		if (!((*s >= '0' && *s <= '9') || (*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') || *s == '-'))
			return false;
	return true;
}

/* "YYYY-MM-DDTHH:MM" at least (RFC 3339, as the contract says). */
static bool issued_ok(const char *at)
{
	static const char shape[] = "dddd-dd-ddTdd:dd";
	for (size_t i = 0; i < sizeof shape - 1; i++)
		if (shape[i] == 'd' ? !(at[i] >= '0' && at[i] <= '9') : at[i] != shape[i])
			return false; /* a short string stops at its NUL */
	return true;
}

static bool decode(struct ticket *t, const json_t *j, char *err, size_t n)
{
	char *num = NULL, *win = NULL, *at = NULL;
	long long ahead = -1, wait = -1;
	bool ok = jsonx_str(j, "ticket", true, &num, "", err, n) == 0 &&
	          jsonx_str(j, "window", true, &win, "", err, n) == 0 &&
	          jsonx_str(j, "issued_at", false, &at, "", err, n) == 0 &&
	          jsonx_int(j, "waiting_ahead", true, &ahead, "", err, n) == 0 &&
	          jsonx_int(j, "estimated_wait_min", true, &wait, "", err, n) == 0;
	/* The number as sent, not as sanitized: one with a control character
	 * in it is no ticket number, even if what is left would look like one. */
	const char *raw = json_string_value(json_object_get(j, "ticket"));
	if (ok && (!raw || !number_ok(raw) || strcmp(raw, num) != 0)) {
		snprintf(err, n, "ticket number not 1-16 letters/digits");
		ok = false;
	}
	if (ok && (ahead < 0 || ahead > 100000 || wait < 0 || wait > 7 * 24 * 60)) {
		snprintf(err, n, "waiting_ahead or estimated_wait_min out of range");
		ok = false;
	}
	if (!ok) {
		free(num);
		free(win);
		free(at);
		return false;
	}
	/* A window name is a few words: a long one is cut, never the layout. */
	char *cut = text_ellipsize(win, 60);
	free(win);
	t->number = num;
	t->window = cut;
	/* "2026-12-03T14:05:00+08:00" -> "2026-12-03 14:05"; anything else
	 * is not shown or printed (a gateway's 2000 characters would be a
	 * metre of paper, and too long for the outbox). */
	if (at && issued_ok(at)) {
		at[10] = ' ';
		at[16] = '\0';
	} else if (at) {
		at[0] = '\0';
	}
	t->issued = at ? at : xstrdup("");
	t->ahead = ahead;
	t->wait_min = wait;
	return true;
}

static void ticket_reply(struct screen *s, int tag, const struct gw_reply *r)
{
	struct ticket *t = s->priv;
	if (t->stage != T_TAKING)
		return;
	bool transient = r->result == GW_UNREACHABLE || r->result == GW_TIMEOUT ||
	                 (r->result == GW_PROBLEM && (r->status >= 500 || r->status == 408 || r->status == 429));
	if (transient) {
		if (t->tries < TRIES) {
			t->retry_timer = loop_timer_add(s->app->loop, t->tries == 1 ? 1000 : 3000, on_retry, s);
			return;
		}
		log_warn("ticket: no answer after %d tries (%s)", t->tries, r->why ? r->why : "");
		fail(s, _("The number could not be taken: the service network did not answer. Press 1 to try again (you will get one number only)."), false);
		return;
	}
	if (r->result != GW_OK) {
		log_warn("ticket: refused (%d %s)", r->status, r->problem.code ? r->problem.code : "");
		fail(s, r->result == GW_PROBLEM && r->status == 422
		     ? _("Numbers for this service are not given out here. Please ask at the information desk.")
		     : ui_gw_message(r), true);
		return;
	}
	char err[160];
	if (!decode(t, r->json, err, sizeof err)) {
		/* It may be issued at the gateway: never shown as one it is not. */
		log_warn("ticket: unreadable answer: %s", err);
		fail(s, _("The service network sent an answer this kiosk cannot read. Please ask at the information desk for your number."), false);
		return;
	}
	if (t->in_outbox && s->app->outbox &&
	    outbox_ticket_issued(s->app->outbox, t->key, t->number, t->window, t->issued) == OUTBOX_ERROR)
		log_warn("ticket: %s", outbox_error(s->app->outbox));
	t->stage = T_DONE;
	t->shown_ms = loop_now_ms();
	log_info("ticket issued");
	set_acts(s);
	if (app_printer(s->app))
		print_ticket(s);
}

static const char *act_label(void *ud, int i, const char **sub)
{
	struct screen *s = ud;
	struct ticket *t = s->priv;
	*sub = NULL;
	switch (t->acts[i]) {
	case ACT_DONE: *sub = _("Then tell us how it went"); return _("Done");
	case ACT_RETRY: return _("Try again");
	case ACT_HOME: return _("Back to the home screen");
	}
	return "";
}

static void ticket_resize(struct screen *s, struct rect area)
{
	struct ticket *t = s->priv;
	bigtext_free(&t->big);
	int bh = ui_large() || area.h >= 20 ? 3 : 1;
	/* The buttons side by side where they fit (menu_layout: up to 3, 2 in
	 * large mode, 24 columns each): the rows left are the ticket's (large
	 * mode at 80x24 lost the window's name, where to go, to a second row
	 * of buttons that were never there). */
	int maxc = ui_large() ? 2 : 3, cols = (area.w + 2) / (24 + 2);
	cols = cols < 1 ? 1 : cols > maxc ? maxc : cols;
	int mh = (t->n_acts + cols - 1) / cols * (bh + 1);
	/* The number in big glyphs wherever they fit above a line of text and
	 * the buttons: large mode's few rows most of all (a fixed 18 rows left
	 * it a single line of text there, smaller than normal mode's glyphs). */
	t->has_big = t->number && area.h >= 1 + 2 + BIGTEXT_ROWS + 1 + 1 + mh &&
	             bigtext_render(t->number, area.w - 2, &t->big) == 0;
	int y = area.y + 1;
	t->head = (struct rect){ area.x + 1, y, area.w - 2, 1 };
	y += 2;
	int nh = t->has_big ? BIGTEXT_ROWS : 1;
	t->num = (struct rect){ area.x + 1, y, area.w - 2, nh };
	y += nh + 1;
	int th = area.y + area.h - mh - y;
	t->text = (struct rect){ area.x + 1, y, area.w - 2, th > 1 ? th : 1 };
	menu_layout(&t->m, (struct rect){ area.x, area.y + area.h - mh, area.w, mh }, t->n_acts, 24, bh, 2, 1, 3);
}

static const char *print_words(const struct ticket *t)
{
	if (t->printed < 0)
		return NULL;
	if (t->printed == PRINTER_OK + 100)
		return _("Printing your ticket...");
	if (t->printed == PRINTER_OK)
		return _("Your ticket is printed: please take it.");
	return _("The ticket cannot be printed just now: please remember your number.");
}

static void details(const struct ticket *t, char *buf, size_t n)
{
	char ahead[128], wait[128];
	snprintf(ahead, sizeof ahead, ngettext("%lld person is waiting ahead of you.", "%lld people are waiting ahead of you.",
	                                       (unsigned long)t->ahead), t->ahead);
	snprintf(wait, sizeof wait, ngettext("The wait is about %lld minute.", "The wait is about %lld minutes.",
	                                     (unsigned long)t->wait_min), t->wait_min);
	snprintf(buf, n, _("%s %s Please wait for your number to be called at %s."), ahead, wait, t->window);
}

static void ticket_draw(struct screen *s, struct rect area)
{
	struct ticket *t = s->priv;
	switch (t->stage) {
	case T_TAKING:
		ui_text(t->head.x, t->head.y, t->head.w, ROLE_TEXT, _("Taking your number..."));
		break;
	case T_FAILED:
		ui_para(t->text, ROLE_ERROR, t->msg ? t->msg : "");
		break;
	case T_DONE: {
		char line[128];
		snprintf(line, sizeof line, _("Your number: %s"), t->number);
		ui_text(t->head.x, t->head.y, t->head.w, ROLE_OK, line);
		if (t->has_big)
			for (int r = 0; r < t->big.rows; r++)
				ui_text(t->num.x, t->num.y + r, t->big.cols, ROLE_TEXT, t->big.lines[r]);
		else
			ui_text(t->num.x, t->num.y, t->num.w, ROLE_FOCUS, t->number);
		char d[512];
		details(t, d, sizeof d);
		int used = ui_para(t->text, ROLE_TEXT, d);
		const char *pr = print_words(t);
		if (pr && used < t->text.h)
			ui_para((struct rect){ t->text.x, t->text.y + used, t->text.w, t->text.h - used },
			        t->printed == PRINTER_OK || t->printed == PRINTER_OK + 100 ? ROLE_OK : ROLE_ERROR, pr);
		break;
	}
	}
	if (t->stage != T_TAKING)
		menu_draw(&t->m, act_label, s);
}

static void act(struct screen *s, int i)
{
	struct ticket *t = s->priv;
	switch (t->acts[i]) {
	case ACT_DONE: {
		/* The number and this take's key: numbers come back every day,
		 * and the outbox keeps one rating a subject (hall.c sends the
		 * gateway the number alone). */
		char subject[TICKET_MAX + 1 + IDEM_KEY_SIZE];
		snprintf(subject, sizeof subject, "%s#%s", t->number, t->key);
		struct scr_rate_arg ra = { "ticket", subject, t->svc_id, t->svc_name };
		ui_push(s->app, &scr_rate, &ra);
		return;
	}
	case ACT_RETRY:
		t->stage = T_TAKING;
		t->tries = 0;
		set_acts(s);
		ticket_send(s);
		return;
	case ACT_HOME:
		ui_home(s->app);
		return;
	}
}

static int ticket_key(struct screen *s, int key)
{
	struct ticket *t = s->priv;
	if (t->stage == T_TAKING)
		return ui_key_is_back(key) || key == K_HOME ? UI_PASS : UI_HANDLED;
	/* The press that took it, repeated, must not leave the number. */
	if (t->stage == T_DONE && loop_now_ms() - t->shown_ms < 1000 && key != K_HOME && !ui_key_is_back(key))
		return UI_HANDLED;
	if (t->m.no_focus) {
		if (key == K_RETURN || key == ' ')
			return UI_HANDLED;
		if (key == K_UP || key == K_DOWN || key == K_LEFT || key == K_RIGHT) {
			t->m.no_focus = false;
			ui_dirty(s->app);
			return UI_HANDLED;
		}
	}
	int r = menu_key(&t->m, key);
	if (r >= 0)
		act(s, r);
	return r == MENU_IGNORED ? UI_PASS : UI_HANDLED;
}

static int ticket_mouse(struct screen *s, int target)
{
	struct ticket *t = s->priv;
	if (t->stage == T_TAKING || (t->stage == T_DONE && loop_now_ms() - t->shown_ms < 1000))
		return UI_HANDLED;
	int r = menu_mouse(&t->m, target);
	if (r >= 0)
		act(s, r);
	return UI_HANDLED;
}

static const char *ticket_title(struct screen *s)
{
	struct ticket *t = s->priv;
	return t->svc_name[0] ? t->svc_name : _("Take a number");
}

static void ticket_speak(struct screen *s, char *buf, size_t n, bool full)
{
	struct ticket *t = s->priv;
	const char *sub;
	char item[256] = "";
	if (t->stage != T_TAKING)
		menu_speak_item(&t->m, t->m.focus, act_label(s, t->m.focus, &sub), item, sizeof item);
	if (!full && t->stage != T_TAKING) {
		snprintf(buf, n, "%s", item);
		return;
	}
	switch (t->stage) {
	case T_TAKING:
		snprintf(buf, n, "%s. %s", ticket_title(s), _("Taking your number..."));
		break;
	case T_FAILED:
		snprintf(buf, n, "%s %s", t->msg ? t->msg : "", item);
		break;
	case T_DONE: {
		char spelled[80], d[512];
		app_spell(t->number, spelled, sizeof spelled);
		details(t, d, sizeof d);
		const char *pr = print_words(t);
		snprintf(buf, n, _("Your number is %s. %s %s %s"), spelled, d, pr ? pr : "", item);
		break;
	}
	}
}

const struct screen_ops scr_ticket = {
	.name = "ticket",
	.enter = ticket_enter,
	.leave = ticket_leave,
	.key = ticket_key,
	.mouse = ticket_mouse,
	.draw = ticket_draw,
	.resize = ticket_resize,
	.reply = ticket_reply,
	.speak = ticket_speak,
	.title = ticket_title,
};
