/* scr_form.c: 在线申请, a service's form filled at the kiosk, one question
 * a page (formstate.h), then 核对信息 (check your answers), then sent once.
 *
 * Pages. Each question is its own page with a progress line (第2步，共5步),
 * the question, how to answer it, the answer, and 上一步 / 下一步. What is
 * typed depends on the field's type:
 *   text            letters on the on-screen keyboard, or anything the
 *                   terminal's input method types (controls refused);
 *   number, money,  the numeric pad (and the keypad's digits; money takes
 *   phone, idcard   one '.', an ID number an X at its end);
 *   date            year, month and day as three numeric steps, each
 *                   filled in turn; the arrows add or take one;
 *   select, bool    numbered choices (1-9, or touch).
 * 下一步 checks the answer (validate.h): a wrong one stays, with 出错了 at
 * the top of the page (spoken first) and the message under the field,
 * in words that say how to fix it. 上一步 keeps every answer, right or
 * not; from the first question it leaves the form. Fields the gateway
 * prefills from the citizen (name, ID number) are no pages: the check page
 * shows them masked, and only the gateway sees the real values.
 *
 * The check page lists every answer; a digit (or a touch) changes one, which
 * returns straight here; Enter (提交) sends. Sending is submit.c's: the
 * outbox has the submission before the first byte leaves.
 *
 * A form left (Esc from the first question, home) is kept for the session:
 * coming back to the same service finds every answer. The session's end
 * wipes it (session.c calls the draft's free hook); nothing typed is
 * written anywhere but the outbox, sealed, at 提交.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app.h"
#include "screens.h"
#include "formstate.h"
#include "i18n.h"
#include "log.h"
#include "menu.h"
#include "money.h"
#include "osk.h"
#include "session.h"
#include "idem.h"
#include "jsonx.h"
#include "loop.h"
#include "outbox.h"
#include "reconcile.h"
#include "subq.h"
#include "text.h"
#include "ui.h"
#include "util.h"
#include "validate.h"

enum stage { ST_LOADING, ST_BAD, ST_FILL, ST_SENDING };
/* An application number is short ("SQ20261203000001"); a longer one is
 * cut to this many columns before it is shown or kept. */
#define APP_ID_COLS 64
enum { REQ_DETAIL = 1, REQ_SUBMIT = 2 };
/* Touch targets: options and check rows are the menu's (0..n-1); the
 * rest stay clear of them and of the keyboard's. */
enum { T_BACK = 3000001, T_NEXT, T_SUBMIT, T_RETRY, T_LATER, T_SEG = 3000010, T_OSK = 3000100 };

/* What survives the screen for the rest of the session. */
struct draft {
	char *svc_id;
	struct service svc;
	struct formstate *fs;
	long long session;          /* the session's started_ms */
};

struct form_scr {
	char *svc_id;
	struct draft *d;            /* NULL until the form is read */
	enum stage stage;
	char *bad;                  /* ST_BAD: why (translated) */
	/* The page being edited: its answer as typed. */
	int shown;                  /* the page the buffers hold (-1: none) */
	char buf[FORM_ANSWER_MAX + 1];
	size_t len;
	char seg[3][5];             /* a date: year, month, day */
	int seg_focus;
	char *err;                  /* under the field / the summary */
	bool summary;               /* 出错了 at the top */
	char said[256];             /* voice: the last edit */
	struct menu m;              /* options, or the check page's rows */
	struct osk *kb;             /* the keyboard of the page's field type */
	int kb_type;                /* its enum field_type + 1; 0: none */
	/* layout */
	struct rect area, label, field, segs[3], msg, kbr, back, next, list;
	int label_rows;
	int unit_w;                 /* a date's units: the widest's columns */
	bool has_kb;
	char row[512], sub[512];    /* the check page's row being drawn */
	/* Sending (ST_SENDING): the outbox's entry, its body, the tries. */
	char key[IDEM_KEY_SIZE];    /* "" until the outbox has it */
	char *body;                 /* the exact body sent each time (wiped) */
	char *svc_name;             /* for the confirmation */
	bool in_flight;
	int tries;
	long long retry_timer;
	long retry_ms;              /* the wait before the next try */
	char **field_err;           /* the gateway's words per field (422) */
	size_t n_field_err;
	/* 您有一份未提交的申请 (scr_resume): a held submission offered again. */
	bool resume, offering;
	char *resume_when;
};

#define F(s) ((struct form_scr *)(s)->priv)

static struct ymd today(void)
{
	time_t t = time(NULL);
	struct tm tm;
	localtime_r(&t, &tm);
	return (struct ymd){ tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday };
}

static void draft_free(void *p)
{
	struct draft *d = p;
	if (!d)
		return;
	formstate_free(d->fs);
	service_free(&d->svc);
	free(d->svc_id);
	free(d);
}

static const struct form_field *cur_field(const struct form_scr *f)
{
	if (!f->d || formstate_on_check(f->d->fs))
		return NULL;
	return &f->d->svc.form.fields[formstate_field(f->d->fs, formstate_page(f->d->fs))];
}

static void set_err(struct form_scr *f, const char *msg, bool summary)
{
	free(f->err);
	f->err = msg ? xstrdup(msg) : NULL;
	f->summary = msg && summary;
}

static void wipe_buffers(struct form_scr *f)
{
	explicit_bzero(f->buf, sizeof f->buf);
	explicit_bzero(f->seg, sizeof f->seg);
	explicit_bzero(f->said, sizeof f->said);
	explicit_bzero(f->row, sizeof f->row);
	explicit_bzero(f->sub, sizeof f->sub);
	f->len = 0;
}

/* ---- words ---------------------------------------------------------------------------- */

/* "today" or a date as the citizen reads it. */
static const char *date_words(const char *d, char *buf, size_t n)
{
	if (!strcmp(d, "today"))
		return _("today");
	snprintf(buf, n, "%s", d);
	return buf;
}

/* What is wrong with field fl's answer, in words that say how to fix it. */
static void error_words(const struct form_field *fl, enum v_error e, const char *answer,
                        char *out, size_t n)
{
	char a[64], b[64];
	switch (e) {
	case V_OK:
		out[0] = '\0';
		return;
	case V_EMPTY:
		if (fl->type == FIELD_SELECT)
			snprintf(out, n, _("Please choose one: %s."), fl->label);
		else if (fl->type == FIELD_BOOL)
			snprintf(out, n, _("Please choose \"Yes\" to go on: %s."), fl->label);
		else
			snprintf(out, n, _("Please fill this in: %s."), fl->label);
		return;
	case V_TOO_LONG:
		snprintf(out, n, _("At most %lld characters, please; this has %zu."), fl->max_len,
		         text_chars(answer, strlen(answer)));
		return;
	case V_FORMAT:
		switch (fl->type) {
		case FIELD_PHONE:
			snprintf(out, n, "%s", _("A mobile number has 11 digits and starts with 1, like 13800138000."));
			return;
		case FIELD_IDCARD:
			snprintf(out, n, "%s", _("An ID number has 18 characters: 17 digits, then a digit or X."));
			return;
		case FIELD_NUMBER:
			snprintf(out, n, "%s", _("Please enter a whole number, digits only."));
			return;
		case FIELD_MONEY:
			snprintf(out, n, "%s", _("Please enter an amount in yuan, like 120 or 120.50."));
			return;
		case FIELD_DATE:
			snprintf(out, n, "%s", _("Please fill in the year (4 digits), the month and the day."));
			return;
		default:
			snprintf(out, n, "%s", _("This has characters that cannot be used. Please type it again."));
			return;
		}
	case V_CHECK_DIGIT:
		snprintf(out, n, "%s", _("This ID number is not right: please check each digit against the card."));
		return;
	case V_BAD_DATE:
		if (fl->type == FIELD_IDCARD)
			snprintf(out, n, "%s", _("The date of birth in this ID number is not right: please check each digit against the card."));
		else
			snprintf(out, n, "%s", _("There is no such day. Please check the month and the day."));
		return;
	case V_TOO_SMALL:
	case V_TOO_LARGE: {
		bool small = e == V_TOO_SMALL;
		if (fl->type == FIELD_DATE) {
			const char *lim = small ? fl->min_date : fl->max_date;
			snprintf(out, n, small ? _("The date cannot be before %s.") : _("The date cannot be after %s."),
			         date_words(lim, a, sizeof a));
		} else if (fl->type == FIELD_MONEY) {
			money_format(small ? fl->min_num : fl->max_num, a, sizeof a);
			snprintf(out, n, small ? _("The amount must be at least %s yuan.") : _("The amount can be at most %s yuan."), a);
		} else if (fl->has_min && fl->has_max) {
			snprintf(a, sizeof a, "%lld", fl->min_num);
			snprintf(b, sizeof b, "%lld", fl->max_num);
			snprintf(out, n, _("Please enter a number from %s to %s."), a, b);
		} else {
			snprintf(a, sizeof a, "%lld", small ? fl->min_num : fl->max_num);
			snprintf(out, n, small ? _("The number must be at least %s.") : _("The number can be at most %s."), a);
		}
		return;
	}
	}
	out[0] = '\0';
}

/* How to answer this kind of question. */
static const char *how_words(const struct form_field *fl)
{
	switch (fl->type) {
	case FIELD_TEXT: return _("Type with the keyboard below, or your own input method.");
	case FIELD_NUMBER: return _("Enter the number with the number keys.");
	case FIELD_MONEY: return _("Enter the amount in yuan with the number keys; . for jiao and fen.");
	case FIELD_PHONE: return _("Enter the 11-digit mobile number with the number keys.");
	case FIELD_IDCARD: return _("Enter the 18 characters of the ID number; X is the X key.");
	case FIELD_DATE: return _("Enter the year, then the month, then the day. Up and down change the one marked.");
	case FIELD_SELECT: return _("Press the number of your choice, or touch it.");
	case FIELD_BOOL: return _("Press 1 for yes, 2 for no.");
	}
	return "";
}

/* An answer as the check page shows it: prefilled ones masked as the
 * gateway masked them, choices by their label, money in yuan. */
static const char *answer_words(struct screen *s, size_t i, char *buf, size_t n)
{
	struct form_scr *f = F(s);
	const struct form_field *fl = &f->d->svc.form.fields[i];
	const char *v = formstate_answer(f->d->fs, i);
	if (formstate_prefilled(f->d->fs, i)) {
		const struct citizen *c = session_citizen(s->app);
		const char *m = !c ? "" : !strcmp(fl->prefill, "citizen.id") ? c->id_masked : c->display_name;
		snprintf(buf, n, "%s %s", m, _("(from your log-in)"));
		return buf;
	}
	if (!*v)
		return _("(not answered)");
	switch (fl->type) {
	case FIELD_SELECT:
		for (size_t k = 0; k < fl->n_options; k++)
			if (!strcmp(fl->options[k].value, v))
				return fl->options[k].label;
		return v;
	case FIELD_BOOL:
		return !strcmp(v, "true") ? _("Answer: yes") : _("Answer: no");
	case FIELD_MONEY: {
		long long fen;
		char y[40];
		if (money_parse_yuan(v, strlen(v), &fen)) {
			money_format(fen, y, sizeof y);
			snprintf(buf, n, _("%s yuan"), y);
			return buf;
		}
		return v;
	}
	default:
		return v;
	}
}

/* ---- the page's buffers ------------------------------------------------------------------ */

/* Loads the current page's answer into the editing buffers. */
static void load_page(struct form_scr *f)
{
	struct formstate *fs = f->d->fs;
	int page = formstate_page(fs);
	if (f->shown == page)
		return;
	f->shown = page;
	wipe_buffers(f);
	f->seg_focus = 0;
	f->m.focus = 0;
	f->m.no_focus = formstate_on_check(fs);
	const struct form_field *fl = cur_field(f);
	if (!fl)
		return;
	const char *v = formstate_answer(fs, formstate_field(fs, page));
	f->len = text_copy(f->buf, sizeof f->buf, v);
	if (fl->type == FIELD_DATE) {
		/* "YYYY-MM-DD", or what was typed of it */
		const char *p = v;
		for (int k = 0; k < 3 && *p; k++) {
			size_t w = strcspn(p, "-");
			if (w > (k ? 2u : 4u))
				w = k ? 2 : 4;
			memcpy(f->seg[k], p, w);
			f->seg[k][w] = '\0';
			p += strcspn(p, "-");
			if (*p == '-')
				p++;
		}
		f->seg_focus = !f->seg[0][0] || strlen(f->seg[0]) < 4 ? 0 : strlen(f->seg[1]) < 2 ? 1 : 2;
	} else if (fl->type == FIELD_SELECT) {
		for (size_t k = 0; k < fl->n_options; k++)
			if (!strcmp(fl->options[k].value, v))
				f->m.focus = (int)k;
	} else if (fl->type == FIELD_BOOL) {
		f->m.focus = !strcmp(v, "false") ? 1 : 0;
	}
}

/* The editing buffers into the form's answer. */
static void store_page(struct form_scr *f)
{
	const struct form_field *fl = cur_field(f);
	if (!fl)
		return;
	if (fl->type == FIELD_DATE) {
		char d[32];
		if (!f->seg[0][0] && !f->seg[1][0] && !f->seg[2][0])
			d[0] = '\0';
		else
			snprintf(d, sizeof d, "%s-%s%s-%s%s", f->seg[0], strlen(f->seg[1]) == 1 ? "0" : "",
			         f->seg[1], strlen(f->seg[2]) == 1 ? "0" : "", f->seg[2]);
		formstate_set(f->d->fs, d);
		explicit_bzero(d, sizeof d);
	} else if (fl->type != FIELD_SELECT && fl->type != FIELD_BOOL) {
		formstate_set(f->d->fs, f->buf);
	}
}

/* ---- reading the form --------------------------------------------------------------------- */

static void start(struct screen *s, struct draft *d)
{
	struct form_scr *f = F(s);
	f->d = d;
	f->stage = ST_FILL;
	f->shown = -1;
	load_page(f);
	access_repeat(s->app);
	ui_relayout(s->app);
}

static void bad(struct screen *s, const char *msg)
{
	struct form_scr *f = F(s);
	f->stage = ST_BAD;
	free(f->bad);
	f->bad = xstrdup(msg);
	access_repeat(s->app);
	ui_relayout(s->app);
}

/* A service read: its form, or why it cannot be filled here. */
static void use_service(struct screen *s, struct service *svc)
{
	struct form_scr *f = F(s);
	if (svc->form_error) {
		log_warn("form of %s: %s", f->svc_id, svc->form_error);
		service_free(svc);
		bad(s, _("This service's form cannot be filled at this kiosk. Please apply at the window named on the service's page, or ask the staff."));
		return;
	}
	const struct citizen *c = session_citizen(s->app);
	struct draft *d = xcalloc(1, sizeof *d);
	d->svc_id = xstrdup(f->svc_id);
	d->svc = *svc;
	d->session = s->app->session.started_ms;
	struct form_prefill p = { c && c->name[0] ? c->name : NULL, c && c->id[0] ? c->id : NULL };
	d->fs = formstate_new(&d->svc.form, &p);
	if (!d->fs) {
		draft_free(d);
		bad(s, _("This service has no form to fill in here. Its page says how to apply."));
		return;
	}
	/* A field to be prefilled with what the gateway did not send: the
	 * citizen cannot type it here (it is theirs, not a passer-by's). */
	for (size_t i = 0; i < d->svc.form.n_fields; i++) {
		const char *pf = d->svc.form.fields[i].prefill;
		if ((!strcmp(pf, "citizen.name") && !p.name) || (!strcmp(pf, "citizen.id") && !p.id)) {
			draft_free(d);
			bad(s, _("Your log-in did not bring the details this form needs. Please apply at the window, or ask the staff."));
			return;
		}
	}
	start(s, d);
}

static void form_reply(struct screen *s, int tag, const struct gw_reply *r)
{
	char err[200];
	if (r->result == GW_OK && r->json) {
		struct service svc;
		if (service_decode(r->json, &svc, err, sizeof err) != 0) {
			log_warn("form of %s: %s", F(s)->svc_id, err);
			bad(s, _("The service network sent an answer this kiosk cannot read. Please ask the staff."));
			return;
		}
		use_service(s, &svc);
	} else if (r->result == GW_PROBLEM && r->status == 404) {
		bad(s, _("This service was not found. It may have been withdrawn."));
	} else {
		bad(s, ui_gw_message(r));
	}
}

static void form_enter(struct screen *s, void *arg)
{
	struct form_scr *f = xcalloc(1, sizeof *f);
	s->priv = f;
	f->svc_id = xstrdup(arg);
	f->shown = -1;
	/* The form the session left unfinished, if it is this one. */
	struct draft *d = s->app->session.draft;
	if (d && !strcmp(d->svc_id, f->svc_id) && d->session == s->app->session.started_ms) {
		s->app->session.draft = NULL;
		start(s, d);
		return;
	}
	f->stage = ST_LOADING;
	char *path = path_escape("/v1/services/", f->svc_id);
	ui_get(s, REQ_DETAIL, path, NULL);
	free(path);
}

static void sent_done(struct form_scr *f);
static void clear_field_errs(struct form_scr *f);

static void form_leave(struct screen *s)
{
	struct form_scr *f = F(s);
	struct app *a = s->app;
	if (f->retry_timer)
		loop_timer_del(a->loop, f->retry_timer);
	if (f->key[0]) {
		/* Left while sending (home, log-out, the session's end): the
		 * outbox has it; reconcile.c learns whether the gateway does. */
		sent_done(f);
		reconcile_kick(a);
	}
	clear_field_errs(f);
	if (f->d) {
		store_page(f);
		/* Kept for this session only: a session that ended (or another
		 * one) gets nothing; nor does a form already in the outbox. */
		if (session_active(a) && f->d->session == a->session.started_ms && f->stage == ST_FILL) {
			if (a->session.draft)
				a->session.draft_free(a->session.draft);
			a->session.draft = f->d;
			a->session.draft_free = draft_free;
		} else {
			draft_free(f->d);
		}
	}
	wipe_buffers(f);
	osk_free(f->kb);
	free(f->err);
	free(f->bad);
	free(f->svc_id);
	free(f->svc_name);
	free(f->resume_when);
	free(f);
}

/* ---- layout ------------------------------------------------------------------------------- */

static int opt_count(const struct form_field *fl)
{
	return fl->type == FIELD_SELECT ? (int)fl->n_options : fl->type == FIELD_BOOL ? 2 : 0;
}

/* A date's parts by name: year, month, day. */
static const char *unit_words(int k)
{
	return k == 0 ? _("year") : k == 1 ? _("month") : _("day");
}

static enum osk_mode kb_mode(const struct form_field *fl)
{
	return fl->type == FIELD_TEXT ? OSK_LETTERS : OSK_DIGITS;
}

static void form_resize(struct screen *s, struct rect area)
{
	struct form_scr *f = F(s);
	f->area = area;
	bool big = ui_large();
	int bh = area.h >= 14 || big ? 3 : 1;
	int bw = area.w >= 44 ? 18 : (area.w - 4) / 2;
	int by = area.y + area.h - bh;
	f->back = (struct rect){ area.x + 1, by, bw, bh };
	f->next = (struct rect){ area.x + area.w - 1 - bw, by, bw, bh };
	if (f->stage != ST_FILL)
		return;
	int y = area.y + 1;                           /* row 0: the progress line */
	if (f->summary)
		y += 3;                                   /* 出错了 and its message */
	if (formstate_on_check(f->d->fs)) {
		f->list = (struct rect){ area.x, y + 1, area.w, by - 1 - (y + 1) };
		menu_layout(&f->m, f->list, (int)f->d->svc.form.n_fields, 30, 2, 2, 0, 1);
		/* A row of 3 is a box with room for the question only (large mode
		 * never asks for less): the answer needs 4, a page further. */
		if (f->m.g.cell_h == 3)
			menu_layout(&f->m, f->list, (int)f->d->svc.form.n_fields, 30, 4, 2, 0, 1);
		return;
	}
	const struct form_field *fl = cur_field(f);
	f->label = (struct rect){ area.x + 1, y, area.w - 2, 2 };
	f->label_rows = text_wrap(fl->label, f->label.w, NULL, 0);
	if (f->label_rows > 3)
		f->label_rows = 3;
	f->label.h = f->label_rows;
	y += f->label_rows + 1;                       /* then how to answer */
	y += 1;
	int n = opt_count(fl);
	if (n) {
		f->list = (struct rect){ area.x, y, area.w, by - 1 - y };
		menu_layout(&f->m, f->list, n, 20, 3, 2, big ? 1 : 0, 2);
		f->has_kb = false;
		f->msg = (struct rect){ area.x + 1, by - 1, area.w - 2, 1 };
		return;
	}
	int fh = 3;
	if (fl->type == FIELD_DATE) {
		/* Each part, then its unit (年, or "month" in English) as wide as
		 * the widest: a part is never drawn over the unit before it. */
		int sw = big ? 10 : 8, x = area.x + 1;
		f->unit_w = 0;
		for (int k = 0; k < 3; k++) {
			int uw = text_width(unit_words(k));
			f->unit_w = uw > f->unit_w ? uw : f->unit_w;
		}
		for (int k = 0; k < 3; k++) {
			f->segs[k] = (struct rect){ x, y, k == 0 ? sw + 2 : sw, fh };
			x += f->segs[k].w + 1 + f->unit_w + 1;
		}
		f->field = (struct rect){ area.x + 1, y, x - (area.x + 1), fh };
	} else {
		int w = area.w - 2 < 50 ? area.w - 2 : 50;
		f->field = (struct rect){ area.x + 1, y, w, fh };
	}
	y += fh;
	f->msg = (struct rect){ area.x + 1, y, area.w - 2, 2 };
	y += 2;
	/* The keyboard: under the field, whole, if it fits. */
	if (f->kb_type != (int)fl->type + 1) {
		/* Only the keys the field can take: a phone pad for numbers (a
		 * '.' for money, an X for ID numbers), letters for text. */
		unsigned pad = OSK_PAD | OSK_BOXED | OSK_NO_SWITCH | OSK_NO_SPACE | OSK_NO_CLEAR;
		osk_free(f->kb);
		f->kb = fl->type == FIELD_TEXT ? osk_new(OSK_LETTERS, OSK_BOXED | OSK_NO_CLEAR)
		      : osk_new(OSK_DIGITS, pad | (fl->type == FIELD_MONEY ? OSK_PAD_DOT : 0) |
		                               (fl->type == FIELD_IDCARD ? OSK_PAD_X : 0));
		f->kb_type = (int)fl->type + 1;
	}
	osk_set_enter_label(f->kb, _("Next"));
	int pages = 0, room = by - 1 - y;
	int kw = area.w - 2 < 70 ? area.w - 2 : 70;
	if (kb_mode(fl) == OSK_DIGITS)
		kw = kw < 40 ? kw : 40;
	int kh = room > 0 ? osk_height(f->kb, kw, room, &pages) : 0;
	f->has_kb = kh > 0;
	f->kbr = (struct rect){ area.x + 1, y, kw, kh };
}

/* ---- drawing ------------------------------------------------------------------------------ */

static const char *opt_label(void *ud, int i, const char **sub)
{
	struct screen *s = ud;
	const struct form_field *fl = cur_field(F(s));
	*sub = NULL;
	if (fl->type == FIELD_BOOL)
		return i == 0 ? _("Answer: yes") : _("Answer: no");
	return fl->options[i].label;
}

static const char *row_label(void *ud, int i, const char **sub)
{
	struct screen *s = ud;
	struct form_scr *f = F(s);
	const struct form_field *fl = &f->d->svc.form.fields[i];
	answer_words(s, (size_t)i, f->sub, sizeof f->sub);
	if (formstate_prefilled(f->d->fs, (size_t)i))
		snprintf(f->row, sizeof f->row, "%s", fl->label);
	else
		snprintf(f->row, sizeof f->row, _("%s  [change]"), fl->label);
	*sub = answer_words(s, (size_t)i, f->sub, sizeof f->sub);
	return f->row;
}

static void draw_progress(struct screen *s)
{
	struct form_scr *f = F(s);
	char line[128];
	int n = formstate_pages(f->d->fs), p = formstate_page(f->d->fs);
	if (formstate_on_check(f->d->fs))
		snprintf(line, sizeof line, _("Last step: check your answers"));
	else
		snprintf(line, sizeof line, _("Step %d of %d"), p + 1, n + 1);
	ui_text(f->area.x + 1, f->area.y, f->area.w - 2, ROLE_DIM, line);
	if (f->summary && f->err) {
		struct rect r = { f->area.x + 1, f->area.y + 1, f->area.w - 2, 2 };
		ui_fill(r, ROLE_ERROR);
		ui_text(r.x + 1, r.y, r.w - 2, ROLE_ERROR, _("There is a problem"));
		ui_text(r.x + 1, r.y + 1, r.w - 2, ROLE_ERROR, f->err);
		ui_cursor(r.x + 1, r.y);
	}
}

static void draw_field(struct screen *s, const struct form_field *fl)
{
	struct form_scr *f = F(s);
	if (fl->type == FIELD_DATE) {
		for (int k = 0; k < 3; k++) {
			struct rect r = f->segs[k];
			bool on = k == f->seg_focus;
			ui_fill(r, on ? ROLE_FOCUS : ROLE_BUTTON);
			char shown[16];
			int want = k ? 2 : 4, have = (int)strlen(f->seg[k]);
			snprintf(shown, sizeof shown, "%s%.*s", f->seg[k], want - have, "____");
			ui_text(r.x + 1, r.y + 1, r.w - 2, on ? ROLE_FOCUS : ROLE_BUTTON, shown);
			int ux = r.x + r.w + 1, room = f->area.x + f->area.w - ux;
			ui_text(ux, r.y + 1, f->unit_w < room ? f->unit_w : room, ROLE_TEXT, unit_words(k));
			ui_target(r, T_SEG + k);
			if (on)
				ui_cursor(r.x + 1 + have, r.y + 1);
		}
		return;
	}
	ui_fill(f->field, ROLE_BUTTON);
	int x = f->field.x + 1, y = f->field.y + 1, w = f->field.w - 3;
	/* The end of a long answer shows: where the next character goes. */
	const char *v = f->buf;
	while (text_width(v) > w && *v) {
		unsigned cp;
		size_t k = text_utf8_decode(v, strlen(v), &cp);
		v += k ? k : 1;
	}
	int used = ui_text(x, y, w, ROLE_BUTTON, v);
	ui_text(x + used, y, 1, ROLE_FOCUS, " ");
	ui_cursor(x + used, y);
	ui_target(f->field, T_SEG);
}

static void draw_sending(struct screen *s, struct rect area)
{
	struct form_scr *f = F(s);
	char msg[512];
	if (f->offering) {
		snprintf(msg, sizeof msg, _("You have an application that was not submitted: %s (filled in %s). Submit it now, or discard it?"),
		         f->svc_name, f->resume_when);
		ui_para((struct rect){ area.x + 1, area.y + 1, area.w - 2, area.h - 5 }, ROLE_TEXT, msg);
		ui_button(f->back, T_LATER, 2, _("Discard it"), NULL, false);
		ui_button(f->next, T_RETRY, 1, _("Submit now"), NULL, true);
		return;
	}
	if (f->in_flight && f->tries <= 1)
		snprintf(msg, sizeof msg, "%s", _("Submitting your application..."));
	else
		snprintf(msg, sizeof msg, _("The service network cannot be reached just now. Trying again (%d)... You can wait, or keep it for later: this kiosk keeps your application and offers it at your next log-in here."),
		         f->tries);
	ui_para((struct rect){ area.x + 1, area.y + 1, area.w - 2, area.h - 5 }, ROLE_TEXT, msg);
	if (f->tries > 1 || !f->in_flight) {
		ui_button(f->back, T_LATER, 2, _("Keep for later"), NULL, false);
		ui_button(f->next, T_RETRY, 1, _("Try now"), NULL, true);
	}
}

static void form_draw(struct screen *s, struct rect area)
{
	struct form_scr *f = F(s);
	if (f->stage == ST_LOADING) {
		ui_text(area.x + 1, area.y + 1, area.w - 2, ROLE_DIM, _("Loading the form..."));
		return;
	}
	if (f->stage == ST_BAD) {
		ui_para((struct rect){ area.x + 1, area.y + 1, area.w - 2, area.h - 2 }, ROLE_ERROR, f->bad);
		return;
	}
	if (f->stage == ST_SENDING) {
		draw_sending(s, area);
		return;
	}
	draw_progress(s);
	bool check = formstate_on_check(f->d->fs);
	if (check) {
		int y = f->list.y - 1;
		ui_text(area.x + 1, y, area.w - 2, ROLE_TEXT,
		        _("Check your answers. Press a number to change one, Enter to submit."));
		menu_draw(&f->m, row_label, s);
		ui_button(f->back, T_BACK, 0, _("Back"), NULL, false);
		ui_button(f->next, T_SUBMIT, 0, _("Submit"), NULL, f->m.no_focus);
		return;
	}
	const struct form_field *fl = cur_field(f);
	ui_para(f->label, ROLE_TEXT, fl->label);
	char how[512];
	snprintf(how, sizeof how, "%s%s", fl->required ? "" : _("(optional) "), how_words(fl));
	ui_text(area.x + 1, f->label.y + f->label.h, area.w - 2, ROLE_DIM, how);
	if (opt_count(fl)) {
		menu_draw(&f->m, opt_label, s);
	} else {
		draw_field(s, fl);
		if (f->has_kb)
			osk_draw(f->kb, f->kbr, T_OSK);
	}
	size_t fi = formstate_field(f->d->fs, formstate_page(f->d->fs));
	if (f->err && !f->summary)
		ui_para(f->msg, ROLE_ERROR, f->err);
	else if (f->field_err && f->field_err[fi])
		ui_para(f->msg, ROLE_ERROR, f->field_err[fi]);
	else if (f->err)
		ui_para(f->msg, ROLE_ERROR, f->err);
	ui_button(f->back, T_BACK, 0, _("Back"), NULL, false);
	ui_button(f->next, T_NEXT, 0, _("Next"), NULL, false);
	if (f->summary && f->err)
		ui_cursor(area.x + 2, area.y + 1);
}

/* ---- moving between pages ------------------------------------------------------------------ */

static void moved(struct screen *s)
{
	struct form_scr *f = F(s);
	load_page(f);
	access_repeat(s->app);
	ui_relayout(s->app);
}

static void next(struct screen *s)
{
	struct form_scr *f = F(s);
	const struct form_field *fl = cur_field(f);
	if (!fl)
		return;
	store_page(f);
	size_t i = formstate_field(f->d->fs, formstate_page(f->d->fs));
	enum v_error e = formstate_next(f->d->fs, today());
	if (e != V_OK) {
		char msg[512];
		error_words(fl, e, formstate_answer(f->d->fs, i), msg, sizeof msg);
		set_err(f, msg, true);
		f->said[0] = '\0'; /* the words are said first, and alone */
		access_speak_notice(s->app, msg);
		ui_relayout(s->app);
		return;
	}
	set_err(f, NULL, false);
	moved(s);
}

static void back(struct screen *s)
{
	struct form_scr *f = F(s);
	store_page(f);
	set_err(f, NULL, false);
	if (!formstate_back(f->d->fs)) {
		ui_pop(s->app); /* the draft is kept for the session */
		return;
	}
	moved(s);
}

static void change(struct screen *s, int i)
{
	struct form_scr *f = F(s);
	if (!formstate_change(f->d->fs, (size_t)i)) {
		ui_toast(s->app, ROLE_BANNER, _("This comes from your log-in and cannot be changed here."));
		return;
	}
	set_err(f, NULL, false);
	moved(s);
}

/* ---- sending ---------------------------------------------------------------------------- */

/* The request body: every answer the citizen gave, typed as the contract
 * says (numbers and money in fen as integers, yes/no as booleans), the
 * prefilled ones with their real values. */
static char *build_body(struct form_scr *f)
{
	const struct form *fo = &f->d->svc.form;
	json_t *ans = json_object();
	for (size_t i = 0; i < fo->n_fields; i++) {
		const char *v = formstate_answer(f->d->fs, i);
		if (!*v)
			continue;
		json_t *j;
		long long n;
		switch (fo->fields[i].type) {
		case FIELD_NUMBER: j = json_integer(strtoll(v, NULL, 10)); break;
		case FIELD_MONEY: j = money_parse_yuan(v, strlen(v), &n) ? json_integer(n) : json_string(v); break;
		case FIELD_BOOL: j = json_boolean(!strcmp(v, "true")); break;
		default: j = json_string(v); break;
		}
		json_object_set_new(ans, fo->fields[i].id, j);
	}
	json_t *b = json_object();
	json_object_set_new(b, "service_id", json_string(f->d->svc.b.id));
	json_object_set_new(b, "answers", ans);
	char *out = json_dumps(b, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(b);
	return out;
}

static void send_now(struct screen *s)
{
	struct form_scr *f = F(s);
	if (f->in_flight || !f->body)
		return;
	/* Nothing goes out that the outbox did not record as going out: an
	 * entry left "unsent" is offered again at log-in without asking the
	 * gateway, so sending it unrecorded could make it twice. */
	enum outbox_result w = outbox_sub_sending(app_outbox(s->app), f->key);
	if (w != OUTBOX_OK && w != OUTBOX_KEPT) {
		if (w == OUTBOX_ERROR)
			log_warn("outbox: %s", outbox_error(app_outbox(s->app)));
		else
			log_warn("form: the outbox holds this submission as finished; not sent");
		sent_done(f);
		reconcile_kick(s->app); /* a try sent before: it learns how that ended */
		bad(s, _("This kiosk cannot keep applications safely just now. Please apply at the window, or ask the staff."));
		return;
	}
	json_t *b = json_loads(f->body, 0, NULL);
	if (!b) { /* cannot happen: we wrote it */
		log_error("form: the stored body is not JSON");
		return;
	}
	f->in_flight = true;
	f->tries++;
	ui_post(s, REQ_SUBMIT, "/v1/applications", b, f->key);
	ui_relayout(s->app);
}

static long on_retry(struct loop *l, long long id, void *ud)
{
	struct screen *s = ud;
	F(s)->retry_timer = 0;
	send_now(s);
	return -1;
}

/* 提交: the first wrong answer's page if any (a rule may have changed
 * since a page let an answer through), else into the outbox, then sent. */
static void submit(struct screen *s)
{
	struct form_scr *f = F(s);
	if (f->stage == ST_SENDING)
		return; /* a second press sends nothing more */
	enum v_error why;
	long bad_field = formstate_first_error(f->d->fs, today(), &why);
	if (bad_field >= 0) {
		char msg[512];
		const struct form_field *fl = &f->d->svc.form.fields[bad_field];
		error_words(fl, why, formstate_answer(f->d->fs, (size_t)bad_field), msg, sizeof msg);
		set_err(f, msg, true);
		access_speak_notice(s->app, msg);
		moved(s);
		return;
	}
	const struct citizen *c = session_citizen(s->app);
	if (!app_outbox(s->app) || !c || !c->id[0]) {
		/* Nothing is sent that is not written first. */
		set_err(f, _("This kiosk cannot keep applications safely just now. Please apply at the window, or ask the staff."), true);
		access_speak_notice(s->app, f->err);
		ui_relayout(s->app);
		return;
	}
	char *body = build_body(f);
	struct outbox_submission sub = { .service_id = f->d->svc.b.id, .service_name = f->d->svc.b.name,
	                                 .body = body, .citizen_id = c->id };
	struct outbox_sub_entry e = { 0 };
	if (outbox_sub_new(app_outbox(s->app), &sub, &e) != OUTBOX_OK) {
		log_warn("outbox: submission not written: %s", outbox_error(app_outbox(s->app)));
		wipe_str(body);
		outbox_sub_entry_clear(&e);
		set_err(f, _("This kiosk cannot keep applications safely just now. Please apply at the window, or ask the staff."), true);
		access_speak_notice(s->app, f->err);
		ui_relayout(s->app);
		return;
	}
	memcpy(f->key, e.key, sizeof f->key);
	outbox_sub_entry_clear(&e);
	f->body = body;
	free(f->svc_name);
	f->svc_name = xstrdup(f->d->svc.b.name);
	f->stage = ST_SENDING;
	f->tries = 0;
	f->retry_ms = SUBQ_BACKOFF_FIRST_MS;
	set_err(f, NULL, false);
	send_now(s);
	access_repeat(s->app);
}

static void clear_field_errs(struct form_scr *f)
{
	for (size_t i = 0; i < f->n_field_err; i++)
		free(f->field_err[i]);
	free(f->field_err);
	f->field_err = NULL;
	f->n_field_err = 0;
}
/* The submission is over (delivered or refused): nothing to resend. */
static void sent_done(struct form_scr *f)
{
	wipe_str(f->body);
	f->body = NULL;
	f->key[0] = '\0';
	f->in_flight = false;
}

/* 422: each message beside its field, the first such field's page shown
 * with 出错了; messages for no field of the form go to the summary. */
static void refused(struct screen *s, const struct gw_reply *r)
{
	struct form_scr *f = F(s);
	if (!f->d) {
		/* A resumed submission has no form here to correct: say why,
		 * and how to apply again. */
		char msg[1024];
		const char *t = r->problem.title && r->problem.title[0] ? r->problem.title : _("The application was not accepted.");
		const char *why = r->problem.n_errors && r->problem.errors[0].message ? r->problem.errors[0].message
		                : r->problem.detail ? r->problem.detail : "";
		snprintf(msg, sizeof msg, _("%s %s Please fill in the form again from the service's page."), t, why);
		bad(s, msg);
		return;
	}
	const struct form *fo = &f->d->svc.form;
	clear_field_errs(f);
	f->field_err = xcalloc(fo->n_fields ? fo->n_fields : 1, sizeof *f->field_err);
	f->n_field_err = fo->n_fields;
	long first = -1;
	char other[512] = "";
	for (size_t k = 0; k < r->problem.n_errors; k++) {
		const struct problem_error *pe = &r->problem.errors[k];
		const char *msg = pe->message && pe->message[0] ? pe->message : _("Please check this answer.");
		long at = -1;
		for (size_t i = 0; i < fo->n_fields; i++)
			if (pe->field && !strcmp(pe->field, fo->fields[i].id) && !formstate_prefilled(f->d->fs, i))
				at = (long)i;
		if (at >= 0 && !f->field_err[at]) {
			f->field_err[at] = xstrdup(msg);
			if (first < 0)
				first = at;
		} else if (!other[0]) {
			snprintf(other, sizeof other, "%s", msg);
		}
	}
	f->stage = ST_FILL;
	if (first >= 0) {
		int n = 0;
		for (size_t i = 0; i < fo->n_fields; i++)
			n += f->field_err[i] != NULL;
		char msg[640];
		if (n > 1)
			snprintf(msg, sizeof msg, ngettext("%d answer needs changing. %s", "%d answers need changing. %s",
			                                   (unsigned long)n), n, f->field_err[first]);
		else
			snprintf(msg, sizeof msg, "%s", f->field_err[first]);
		set_err(f, msg, true);
		formstate_change(f->d->fs, (size_t)first);
	} else {
		char msg[1024];
		const char *t = r->problem.title && r->problem.title[0] ? r->problem.title : _("The application was not accepted.");
		snprintf(msg, sizeof msg, "%s%s%s", t, other[0] || (r->problem.detail && r->problem.detail[0]) ? " " : "",
		         other[0] ? other : r->problem.detail ? r->problem.detail : "");
		set_err(f, msg, true);
	}
	access_speak_notice(s->app, f->err);
	f->shown = -1;
	moved(s);
}

static void delivered(struct screen *s, const struct gw_reply *r)
{
	struct form_scr *f = F(s);
	struct app *a = s->app;
	/* The number goes to the screen, to voice and to the ledger: from
	 * outside, so sanitized like every string decoded (escape sequences
	 * and bidi controls out), and cut to what a number can be. */
	const json_t *jid = json_object_get(r->json, "id");
	char *id = text_sanitize(json_string_value(jid), json_string_length(jid), 0);
	size_t cut = text_fit(id, APP_ID_COLS, &(int){ 0 });
	id[cut] = '\0';
	const char *status = json_string_value(json_object_get(r->json, "status"));
	json_t *pay = json_object_get(r->json, "payment");
	json_t *amt = json_is_object(pay) ? json_object_get(pay, "amount_fen") : NULL;
	if (outbox_sub_delivered(app_outbox(a), f->key, id) == OUTBOX_ERROR)
		log_warn("outbox: %s", outbox_error(a->outbox));
	struct scr_applied_arg arg = {
		.app_id = id,
		.status = status ? status : "submitted",
		.service_id = f->svc_id,
		.service_name = f->svc_name,
		.processing_days = f->d ? f->d->svc.processing_days : -1,
		.where = f->d ? f->d->svc.where : "",
		.fee_fen = json_is_integer(amt) ? json_integer_value(amt) : 0,
	};
	sent_done(f);
	/* The form is done with: its answers go now, not at the session's end. */
	ui_pop(a);
	ui_push(a, &scr_applied, &arg);
	free(id);
	draft_free(f->d);
	f->d = NULL;
}

static void submit_reply(struct screen *s, const struct gw_reply *r)
{
	struct form_scr *f = F(s);
	f->in_flight = false;
	if (f->stage != ST_SENDING)
		return;
	if (r->result == GW_OK && r->json && json_is_string(json_object_get(r->json, "id"))) {
		delivered(s, r);
		return;
	}
	if (r->result == GW_PROBLEM && r->status >= 400 && r->status < 500 && r->status != 401 &&
	    r->status != 408 && r->status != 429) {
		/* Refused for good: the gateway made no application. Another
		 * try, after a correction, is a new submission with a new key. */
		log_info("form: submission refused (%d %s)", r->status, r->problem.code ? r->problem.code : "");
		if (outbox_sub_refused(app_outbox(s->app), f->key) == OUTBOX_ERROR)
			log_warn("outbox: %s", outbox_error(app_outbox(s->app)));
		sent_done(f);
		refused(s, r);
		return;
	}
	/* No answer, a busy gateway, or one we cannot read: it may have the
	 * application or not. The same key again: it makes it at most once. */
	log_info("form: submission not confirmed (%d %s); again in %ld ms", r->status, r->why && r->why[0] ? r->why : "",
	         f->retry_ms);
	f->retry_timer = loop_timer_add(s->app->loop, f->retry_ms, on_retry, s);
	f->retry_ms = f->retry_ms * 2 > SUBQ_BACKOFF_CAP_MS ? SUBQ_BACKOFF_CAP_MS : f->retry_ms * 2;
	access_repeat(s->app);
	ui_relayout(s->app);
}

/* 稍后再交: the outbox keeps it; it is offered at the citizen's next
 * log-in here if the gateway never got it (reconcile.c asks). */
static void later(struct screen *s)
{
	struct form_scr *f = F(s);
	struct app *a = s->app;
	if (f->retry_timer)
		loop_timer_del(a->loop, f->retry_timer);
	f->retry_timer = 0;
	sent_done(f);
	draft_free(f->d);
	f->d = NULL;
	ui_home(a);
	ui_toast(a, ROLE_OK, _("Your application is kept at this kiosk. It will be offered to you at your next log-in here."));
	reconcile_kick(a);
}

static void form_reply_any(struct screen *s, int tag, const struct gw_reply *r)
{
	if (tag == REQ_SUBMIT)
		submit_reply(s, r);
	else
		form_reply(s, tag, r);
}

/* ---- typing ---------------------------------------------------------------------------- */

static bool accepts(const struct form_field *fl, unsigned cp, size_t len)
{
	switch (fl->type) {
	case FIELD_TEXT:
		return v_char_ok(cp);
	case FIELD_NUMBER:
		return (cp >= '0' && cp <= '9') || (cp == '-' && len == 0);
	case FIELD_MONEY:
		return (cp >= '0' && cp <= '9') || cp == '.';
	case FIELD_PHONE:
		return cp >= '0' && cp <= '9';
	case FIELD_IDCARD:
		return (cp >= '0' && cp <= '9') || ((cp == 'x' || cp == 'X') && len == 17);
	default:
		return false;
	}
}

static void say_edit(struct form_scr *f, const char *what)
{
	snprintf(f->said, sizeof f->said, "%s", what);
}

/* ID and phone numbers are never read out (voice mode speaks to the
 * hall): what was done, and how many characters there are now. */
static bool private_answer(const struct form_field *fl)
{
	return fl->type == FIELD_PHONE || fl->type == FIELD_IDCARD;
}

static void say_count(struct form_scr *f, const char *what)
{
	snprintf(f->said, sizeof f->said, _("%s. %d digits entered."), what, (int)text_chars(f->buf, f->len));
}

/* A date's segment: digits fill it, then the next. */
static void seg_digit(struct form_scr *f, int d)
{
	int k = f->seg_focus, want = k ? 2 : 4;
	size_t have = strlen(f->seg[k]);
	if ((int)have >= want) {
		if (k < 2) {
			f->seg_focus = ++k;
			have = strlen(f->seg[k]);
			want = 2;
			if ((int)have >= want)
				return;
		} else {
			return;
		}
	}
	f->seg[k][have] = (char)('0' + d);
	f->seg[k][have + 1] = '\0';
	/* A month above 1 or a day above 3 cannot take a second digit. */
	if (((int)have + 1 == want) || (k == 1 && have == 0 && d > 1) || (k == 2 && have == 0 && d > 3))
		if (k < 2)
			f->seg_focus = k + 1;
	char w[8] = { (char)('0' + d), 0 };
	say_edit(f, w);
}

static void seg_back(struct form_scr *f)
{
	int k = f->seg_focus;
	size_t have = strlen(f->seg[k]);
	if (!have && k > 0) {
		k = --f->seg_focus;
		have = strlen(f->seg[k]);
	}
	if (have)
		f->seg[k][have - 1] = '\0';
	say_edit(f, _("Deleted"));
}

/* Up/down: one more or one less in the marked segment. */
static void seg_step(struct form_scr *f, int by)
{
	int k = f->seg_focus;
	struct ymd t = today();
	int v = f->seg[k][0] ? atoi(f->seg[k]) : k == 0 ? t.y : k == 1 ? t.m : t.d;
	if (f->seg[k][0])
		v += by;
	int lo = k == 0 ? 1900 : 1, hi = k == 0 ? 2100 : k == 1 ? 12 : 31;
	if (v < lo)
		v = hi;
	if (v > hi)
		v = lo;
	snprintf(f->seg[k], sizeof f->seg[k], k ? "%02d" : "%04d", v);
	say_edit(f, f->seg[k]);
}

static void type_cp(struct screen *s, unsigned cp)
{
	struct form_scr *f = F(s);
	const struct form_field *fl = cur_field(f);
	if (fl->type == FIELD_DATE) {
		if (cp >= '0' && cp <= '9')
			seg_digit(f, (int)(cp - '0'));
		else
			set_err(f, _("Only digits can be entered here."), false);
		return;
	}
	if (!accepts(fl, cp, f->len)) {
		set_err(f, fl->type == FIELD_TEXT ? _("That character cannot be used here.")
		           : fl->type == FIELD_IDCARD && (cp == 'x' || cp == 'X')
		           ? _("X can only be the last of the 18 characters.")
		           : _("Only digits can be entered here."), false);
		return;
	}
	if (cp == 'x')
		cp = 'X';
	char one[5];
	size_t n = text_utf8_encode(cp, one);
	one[n] = '\0';
	size_t cap = fl->type == FIELD_PHONE ? 11 : fl->type == FIELD_IDCARD ? 18
	           : fl->type == FIELD_NUMBER || fl->type == FIELD_MONEY ? 15 : FORM_ANSWER_MAX;
	if (f->len + n > cap || f->len + n > FORM_ANSWER_MAX ||
	    (fl->type == FIELD_TEXT && fl->max_len > 0 && text_chars(f->buf, f->len) >= (size_t)fl->max_len)) {
		char msg[160];
		if (fl->type == FIELD_TEXT && fl->max_len > 0)
			snprintf(msg, sizeof msg, _("At most %lld characters, please."), fl->max_len);
		else
			snprintf(msg, sizeof msg, "%s", _("That is all this answer can hold."));
		set_err(f, msg, false);
		return;
	}
	if (fl->type == FIELD_MONEY && cp == '.' && memchr(f->buf, '.', f->len)) {
		set_err(f, _("An amount has one decimal point."), false);
		return;
	}
	memcpy(f->buf + f->len, one, n + 1);
	f->len += n;
	set_err(f, NULL, false);
	if (private_answer(fl))
		say_count(f, fl->label);
	else
		say_edit(f, one);
}

static void backspace(struct screen *s)
{
	struct form_scr *f = F(s);
	const struct form_field *fl = cur_field(f);
	if (fl->type == FIELD_DATE) {
		seg_back(f);
		return;
	}
	/* One character (a whole code point) off the end. */
	while (f->len > 0) {
		unsigned char c = (unsigned char)f->buf[--f->len];
		f->buf[f->len] = '\0';
		if ((c & 0xC0) != 0x80)
			break;
	}
	set_err(f, NULL, false);
	if (private_answer(fl))
		say_count(f, _("Deleted"));
	else
		say_edit(f, _("Deleted"));
}

static void clear(struct screen *s)
{
	struct form_scr *f = F(s);
	explicit_bzero(f->buf, sizeof f->buf);
	explicit_bzero(f->seg, sizeof f->seg);
	f->len = 0;
	f->seg_focus = 0;
	say_edit(f, _("Cleared"));
}

static void choose(struct screen *s, int i)
{
	struct form_scr *f = F(s);
	const struct form_field *fl = cur_field(f);
	f->m.focus = i;
	if (fl->type == FIELD_BOOL)
		formstate_set(f->d->fs, i == 0 ? "true" : "false");
	else
		formstate_set(f->d->fs, fl->options[i].value);
	set_err(f, NULL, false);
	say_edit(f, opt_label(s, i, &(const char *){ NULL }));
}

static int form_mouse(struct screen *s, int target);

static int form_key(struct screen *s, int key)
{
	struct form_scr *f = F(s);
	if (f->stage == ST_SENDING) {
		if (f->offering) {
			if (key == '1' || key == K_RETURN || key == K_ENTER)
				return form_mouse(s, T_RETRY);
			if (key == '2')
				return form_mouse(s, T_LATER);
			return UI_PASS;
		}
		if (f->tries > 1 || !f->in_flight) {
			if (key == '1' || key == K_RETURN || key == K_ENTER)
				return form_mouse(s, T_RETRY);
			if (key == '2')
				return form_mouse(s, T_LATER);
		}
		/* No way back while it may be arriving: home and log-out stay
		 * (the outbox has it). */
		return ui_key_is_back(key) ? UI_HANDLED : UI_PASS;
	}
	if (f->stage != ST_FILL)
		return UI_PASS;
	if (formstate_on_check(f->d->fs)) {
		/* Enter is 提交 (focused) until the arrows move onto a row:
		 * then it changes that row. */
		if ((key == K_RETURN || key == K_ENTER) && f->m.no_focus) {
			submit(s);
			return UI_HANDLED;
		}
		if (key == K_UP || key == K_DOWN || key == K_LEFT || key == K_RIGHT) {
			if (f->m.no_focus) {
				f->m.no_focus = false;
				ui_dirty(s->app);
				return UI_HANDLED;
			}
		}
		if (ui_key_is_back(key)) {
			back(s);
			return UI_HANDLED;
		}
		int r = menu_key(&f->m, key);
		if (r >= 0)
			change(s, r);
		return r == MENU_IGNORED ? UI_PASS : UI_HANDLED;
	}
	const struct form_field *fl = cur_field(f);
	if (key == K_RETURN || key == K_ENTER) {
		if (f->has_kb && osk_focused(f->kb)) {
			struct osk_event ev;
			if (osk_key(f->kb, key, &ev))
				goto osk_event;
		}
		next(s);
		return UI_HANDLED;
	}
	if (key == K_ESC || (key == K_BACKSPACE && f->len == 0 && !opt_count(fl) &&
	                     (fl->type != FIELD_DATE || (!f->seg[0][0] && !f->seg[1][0] && !f->seg[2][0])))) {
		back(s);
		return UI_HANDLED;
	}
	if (opt_count(fl)) {
		if (key == K_BACKSPACE) {
			back(s);
			return UI_HANDLED;
		}
		int r = menu_key(&f->m, key);
		if (r >= 0)
			choose(s, r);
		if (r != MENU_IGNORED) {
			ui_dirty(s->app);
			return UI_HANDLED;
		}
		return UI_PASS;
	}
	if (key == K_BACKSPACE || key == K_DC) {
		backspace(s);
		ui_dirty(s->app);
		return UI_HANDLED;
	}
	if (fl->type == FIELD_DATE && (key == K_LEFT || key == K_RIGHT)) {
		f->seg_focus += key == K_LEFT ? -1 : 1;
		f->seg_focus = f->seg_focus < 0 ? 0 : f->seg_focus > 2 ? 2 : f->seg_focus;
		ui_dirty(s->app);
		return UI_HANDLED;
	}
	if (fl->type == FIELD_DATE && (key == K_UP || key == K_DOWN)) {
		seg_step(f, key == K_UP ? 1 : -1);
		ui_dirty(s->app);
		return UI_HANDLED;
	}
	if (f->has_kb) {
		struct osk_event ev;
		if (osk_key(f->kb, key, &ev)) {
osk_event:
			switch (ev.kind) {
			case OSK_CHAR: case OSK_SPACE: type_cp(s, (unsigned char)ev.ch); break;
			case OSK_BACKSPACE: backspace(s); break;
			case OSK_CLEAR: clear(s); break;
			case OSK_ENTER: next(s); return UI_HANDLED;
			case OSK_NONE: break;
			}
			ui_dirty(s->app);
			return UI_HANDLED;
		}
	}
	if (key >= 0x20 && key < UI_FKEY) {
		type_cp(s, (unsigned)key);
		ui_dirty(s->app);
		return UI_HANDLED;
	}
	return UI_PASS;
}

static int form_mouse(struct screen *s, int target)
{
	struct form_scr *f = F(s);
	if (f->stage == ST_SENDING && f->offering) {
		if (target == T_RETRY) {
			f->offering = false;
			send_now(s);
			access_repeat(s->app);
		} else if (target == T_LATER) {
			struct app *a = s->app;
			if (outbox_sub_discard(app_outbox(a), f->key) == OUTBOX_ERROR)
				log_warn("outbox: %s", outbox_error(app_outbox(a)));
			sent_done(f);
			ui_pop(a);
			ui_toast(a, ROLE_OK, _("The application was discarded. Nothing of it is kept."));
		}
		return UI_HANDLED;
	}
	if (f->stage == ST_SENDING) {
		if (target == T_RETRY && !f->in_flight) {
			if (f->retry_timer)
				loop_timer_del(s->app->loop, f->retry_timer);
			f->retry_timer = 0;
			send_now(s);
		} else if (target == T_LATER) {
			later(s);
		}
		return UI_HANDLED;
	}
	if (f->stage != ST_FILL)
		return UI_PASS;
	if (target == T_BACK) {
		back(s);
		return UI_HANDLED;
	}
	if (target == T_NEXT) {
		next(s);
		return UI_HANDLED;
	}
	if (target == T_SUBMIT) {
		submit(s);
		return UI_HANDLED;
	}
	if (formstate_on_check(f->d->fs)) {
		int r = menu_mouse(&f->m, target);
		if (r >= 0)
			change(s, r);
		ui_dirty(s->app);
		return UI_HANDLED;
	}
	const struct form_field *fl = cur_field(f);
	if (target >= T_SEG && target < T_SEG + 3) {
		if (fl->type == FIELD_DATE)
			f->seg_focus = target - T_SEG;
		ui_dirty(s->app);
		return UI_HANDLED;
	}
	if (opt_count(fl)) {
		int r = menu_mouse(&f->m, target);
		if (r >= 0)
			choose(s, r);
		ui_dirty(s->app);
		return UI_HANDLED;
	}
	struct osk_event ev;
	if (f->has_kb && osk_touch(f->kb, target, &ev)) {
		switch (ev.kind) {
		case OSK_CHAR: case OSK_SPACE: type_cp(s, (unsigned char)ev.ch); break;
		case OSK_BACKSPACE: backspace(s); break;
		case OSK_CLEAR: clear(s); break;
		case OSK_ENTER: next(s); return UI_HANDLED;
		case OSK_NONE: break;
		}
		ui_dirty(s->app);
	}
	return UI_HANDLED;
}

/* ---- voice and title ---------------------------------------------------------------------- */

static const char *form_title(struct screen *s)
{
	struct form_scr *f = F(s);
	if (f->d)
		return f->d->svc.b.name;
	long i = catalog_find(&s->app->cat, f->svc_id);
	return i >= 0 ? s->app->cat.svcs[i].name : _("Apply");
}

static void form_speak(struct screen *s, char *buf, size_t n, bool full)
{
	struct form_scr *f = F(s);
	size_t len = 0;
#define ADD(...) do { if (len < n) len += (size_t)snprintf(buf + len, n - len, __VA_ARGS__); } while (0)
	buf[0] = '\0';
	if (f->stage == ST_LOADING) {
		ADD("%s", _("Loading the form..."));
		return;
	}
	if (f->stage == ST_BAD) {
		ADD("%s", f->bad);
		return;
	}
	if (f->stage == ST_SENDING) {
		if (f->in_flight && f->tries <= 1)
			ADD("%s", _("Submitting your application..."));
		else
			ADD(_("The service network cannot be reached just now. Trying again (%d)... You can wait, or keep it for later: this kiosk keeps your application and offers it at your next log-in here."),
			    f->tries);
		return;
	}
	if (!full) {
		ADD("%s", f->said);
		if (f->err && !f->summary) /* a summary was said first, as a notice */
			ADD(" %s", f->err);
		return;
	}
	if (f->summary && f->err)
		ADD(_("There is a problem: %s "), f->err);
	if (formstate_on_check(f->d->fs)) {
		ADD("%s ", _("Last step: check your answers. Press a number to change one, Enter to submit."));
		for (size_t i = 0; i < f->d->svc.form.n_fields && len < n; i++) {
			const struct form_field *fi = &f->d->svc.form.fields[i];
			const char *v = formstate_answer(f->d->fs, i);
			char a[512];
			if (private_answer(fi) && !formstate_prefilled(f->d->fs, i) && *v) {
				ADD("%zu. ", i + 1);
				ADD(_("%s. %d digits entered."), fi->label, (int)text_chars(v, strlen(v)));
				ADD(" ");
				continue;
			}
			ADD("%zu. %s: %s. ", i + 1, fi->label, answer_words(s, i, a, sizeof a));
		}
		return;
	}
	const struct form_field *fl = cur_field(f);
	ADD(_("Step %d of %d. "), formstate_page(f->d->fs) + 1, formstate_pages(f->d->fs) + 1);
	ADD("%s. %s%s ", fl->label, fl->required ? "" : _("(optional) "), how_words(fl));
	if (opt_count(fl)) {
		for (int i = 0; i < opt_count(fl); i++)
			ADD("%d: %s. ", i + 1, opt_label(s, i, &(const char *){ NULL }));
	} else if (f->len && private_answer(fl)) {
		ADD(_("%s. %d digits entered."), fl->label, (int)text_chars(f->buf, f->len));
	} else if (f->len) {
		ADD(_("Entered: %s."), f->buf);
	}
#undef ADD
}

const struct screen_ops scr_form = {
	.name = "form",
	.enter = form_enter,
	.leave = form_leave,
	.key = form_key,
	.mouse = form_mouse,
	.draw = form_draw,
	.resize = form_resize,
	.reply = form_reply_any,
	.speak = form_speak,
	.title = form_title,
};

/* ---- 您有一份未提交的申请 ------------------------------------------------------------------ */

static void resume_enter(struct screen *s, void *arg)
{
	const struct scr_resume_arg *r = arg;
	struct form_scr *f = xcalloc(1, sizeof *f);
	s->priv = f;
	f->svc_id = xstrdup(r->service_id);
	f->svc_name = xstrdup(r->service_name);
	f->resume_when = xstrdup(r->when);
	f->body = xstrdup(r->body);
	snprintf(f->key, sizeof f->key, "%s", r->key);
	f->shown = -1;
	f->resume = f->offering = true;
	f->stage = ST_SENDING;
	f->retry_ms = SUBQ_BACKOFF_FIRST_MS;
}

static const char *resume_title(struct screen *s)
{
	return _("An application not submitted");
}

static void resume_speak(struct screen *s, char *buf, size_t n, bool full)
{
	struct form_scr *f = F(s);
	if (f->offering)
		snprintf(buf, n, _("You have an application that was not submitted: %s (filled in %s). Press 1 to submit it now, 2 to discard it."),
		         f->svc_name, f->resume_when);
	else
		form_speak(s, buf, n, full);
}

const struct screen_ops scr_resume = {
	.name = "resume",
	.enter = resume_enter,
	.leave = form_leave,
	.key = form_key,
	.mouse = form_mouse,
	.draw = form_draw,
	.resize = form_resize,
	.reply = form_reply_any,
	.speak = resume_speak,
	.title = resume_title,
};
