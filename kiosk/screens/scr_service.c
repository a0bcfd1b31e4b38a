/* scr_service.c: one service in full: what it is, what to bring, how long
 * it takes, what it costs, where to go. Shown from the catalog's summary at
 * once, completed by GET /v1/services/{id}; the last good copy is kept on
 * disk, so a service seen before can still be read while offline.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "screens.h"
#include "i18n.h"
#include "log.h"
#include "osk_layout.h"
#include "speak.h"
#include "text.h"
#include "ui.h"
#include "util.h"

enum { T_PREV = 1, T_NEXT = 2, T_RETRY = 3, T_APPLY = 4, T_QUEUE = 5 };
enum { REQ_DETAIL = 1 };
enum state { ST_LOADING, ST_OK, ST_SAVED, ST_ERROR, ST_GONE };

struct line {
	enum role role;
	char *text;
};

struct detail {
	char *id;
	char *name;            /* from the catalog, until the detail arrives */
	char *summary;
	struct service svc;
	bool have_svc;
	enum state state;
	char *error;
	struct line *lines;
	int n_lines, cap_lines;
	int top;               /* first visible line */
	struct rect text_area, prev, next, retry, apply, queue;
	char cache_name[128];
};

static void add_line(struct detail *d, enum role role, const char *s, size_t len)
{
	if (d->n_lines == d->cap_lines) {
		d->cap_lines = d->cap_lines ? d->cap_lines * 2 : 64;
		d->lines = xrealloc(d->lines, (size_t)d->cap_lines * sizeof *d->lines);
	}
	d->lines[d->n_lines].role = role;
	d->lines[d->n_lines].text = xstrndup(s, len);
	d->n_lines++;
}

static void add_para(struct detail *d, enum role role, const char *s, int width)
{
	int n = text_wrap(s, width, NULL, 0);
	struct text_line *tl = xcalloc((size_t)(n ? n : 1), sizeof *tl);
	text_wrap(s, width, tl, n);
	for (int i = 0; i < n; i++)
		add_line(d, role, s + tl[i].off, tl[i].len);
	free(tl);
}

static void add_field(struct detail *d, const char *label, const char *value, int width)
{
	char *s = xasprintf("%s %s", label, value);
	add_para(d, ROLE_TEXT, s, width);
	free(s);
}

static void clear_lines(struct detail *d)
{
	for (int i = 0; i < d->n_lines; i++)
		free(d->lines[i].text);
	d->n_lines = 0;
}

static void build(struct detail *d, int width)
{
	clear_lines(d);
	if (width < 4)
		width = 4;
	const char *summary = d->have_svc ? d->svc.b.summary : d->summary;
	if (summary && *summary)
		add_para(d, ROLE_DIM, summary, width);
	if (d->state == ST_SAVED)
		add_para(d, ROLE_BANNER, _("Offline: this is the copy saved when the service was last shown."), width);
	if (!d->have_svc)
		return;
	const struct service *v = &d->svc;
	if (*v->description) {
		add_line(d, ROLE_TEXT, "", 0);
		add_para(d, ROLE_TEXT, _("[About]"), width);
		add_para(d, ROLE_TEXT, v->description, width);
	}
	add_line(d, ROLE_TEXT, "", 0);
	add_para(d, ROLE_TEXT, _("[What to bring]"), width);
	if (v->n_materials == 0)
		add_para(d, ROLE_TEXT, _("Nothing needs to be brought."), width);
	for (size_t i = 0; i < v->n_materials; i++) {
		char *s = xasprintf("%zu. %s", i + 1, v->materials[i]);
		add_para(d, ROLE_TEXT, s, width);
		free(s);
	}
	add_line(d, ROLE_TEXT, "", 0);
	char buf[128];
	if (v->processing_days < 0)
		snprintf(buf, sizeof buf, "%s", _("not stated"));
	else if (v->processing_days == 0)
		snprintf(buf, sizeof buf, "%s", _("done on the spot"));
	else
		snprintf(buf, sizeof buf, ngettext("%lld working day", "%lld working days", (unsigned long)v->processing_days),
		         v->processing_days);
	add_field(d, _("[Processing time]"), buf, width);
	long long fee = v->form.n_fields ? v->form.fee_fen : v->b.fee_fen;
	if (fee <= 0) {
		snprintf(buf, sizeof buf, "%s", _("free of charge"));
	} else {
		char yuan[32];
		snprintf(buf, sizeof buf, _("%s yuan"), text_fen(fee, yuan, sizeof yuan));
	}
	add_field(d, _("[Fee]"), buf, width);
	if (*v->where)
		add_field(d, _("[Where]"), v->where, width);
	add_field(d, _("[Log-in]"), v->b.login_required ? _("needed: log in with your phone first")
	                                               : _("not needed"), width);
	if (v->form_error)
		add_field(d, _("[Apply]"), _("the form cannot be filled at this kiosk: apply at the window"), width);
	else if (v->b.kind == SVC_APPLY && v->form.n_fields)
		add_field(d, _("[Apply]"), _("at this kiosk: press 4 (Apply online)"), width);
}

/* 在线申请 is offered for a service with a form this kiosk can read. */
static bool can_apply(const struct detail *d)
{
	return d->have_svc && d->state != ST_ERROR && d->state != ST_GONE && d->svc.b.kind == SVC_APPLY &&
	       d->svc.form.n_fields > 0;
}

/* 取号 is offered for a service of kind queue, or any with a counter. */
static bool can_queue(const struct detail *d)
{
	return d->have_svc && d->state != ST_ERROR && d->state != ST_GONE &&
	       (d->svc.b.kind == SVC_QUEUE || d->svc.where[0]);
}

static void set_error(struct detail *d, enum state st, const char *msg)
{
	d->state = st;
	free(d->error);
	d->error = xstrdup(msg);
}

static bool use_json(struct detail *d, json_t *j)
{
	struct service svc;
	char err[200];
	if (service_decode(j, &svc, err, sizeof err) != 0) {
		log_warn("service %s: %s", d->id, err);
		return false;
	}
	if (d->have_svc)
		service_free(&d->svc);
	d->svc = svc;
	d->have_svc = true;
	return true;
}

static void fetch(struct screen *s)
{
	struct detail *d = s->priv;
	char *etag = NULL;
	if (d->cache_name[0]) {
		json_t *j = cache_load(s->app, d->cache_name, &etag);
		if (j && !d->have_svc && use_json(d, j))
			d->state = ST_LOADING; /* shown, but being revalidated */
		json_decref(j);
	}
	/* The id goes into the path percent-encoded: it came from outside. */
	char *path = path_escape("/v1/services/", d->id);
	ui_get(s, REQ_DETAIL, path, d->have_svc ? etag : NULL);
	free(path);
	free(etag);
}

static void svc_enter(struct screen *s, void *arg)
{
	struct detail *d = xcalloc(1, sizeof *d);
	s->priv = d;
	d->id = xstrdup(arg);
	long i = catalog_find(&s->app->cat, d->id);
	if (i >= 0) {
		d->name = xstrdup(s->app->cat.svcs[i].name);
		d->summary = xstrdup(s->app->cat.svcs[i].summary);
	}
	bool safe = strlen(d->id) <= 64 && strspn(d->id, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.") == strlen(d->id) && d->id[0] != '.';
	if (safe)
		snprintf(d->cache_name, sizeof d->cache_name, "svc-%s-%s.json", i18n_http_lang(), d->id);
	d->state = ST_LOADING;
	fetch(s);
}

static void svc_leave(struct screen *s)
{
	struct detail *d = s->priv;
	clear_lines(d);
	free(d->lines);
	if (d->have_svc)
		service_free(&d->svc);
	free(d->id);
	free(d->name);
	free(d->summary);
	free(d->error);
	free(d);
}

static void svc_resize(struct screen *s, struct rect area)
{
	struct detail *d = s->priv;
	/* Large mode keeps 3-row buttons however small the grid. */
	int bh = area.h >= 12 || ui_large() ? 3 : 1;
	int bw = area.w >= 40 ? 18 : (area.w - 4) / 2;
	d->text_area = (struct rect){ area.x + 1, area.y, area.w - 2, area.h - bh - 1 };
	if (d->text_area.h < 1)
		d->text_area.h = 1;
	int by = area.y + area.h - bh;
	d->prev = (struct rect){ area.x + 1, by, bw, bh };
	d->next = (struct rect){ area.x + 1 + bw + 2, by, bw, bh };
	d->retry = (struct rect){ area.x + area.w - 1 - bw, by, bw, bh };
	/* 在线申请 whole, in any language ("4 Apply online" and its frame). */
	int aw = text_width(_("Apply online")) + OSK_PAD_BOXED + 3;
	aw = aw < bw ? bw : aw > area.w - 2 ? area.w - 2 : aw;
	d->apply = (struct rect){ area.x + area.w - 1 - aw, by, aw, bh };
	if (can_apply(d) && d->apply.x <= d->next.x + d->next.w) {
		/* Narrow: the page buttons narrower, or 在线申请 a row of its own
		 * above them (touch targets never overlap). */
		int pw = (d->apply.x - (area.x + 1) - 3) / 2;
		if (pw >= 8) {
			d->prev.w = d->next.w = pw;
			d->next.x = d->prev.x + pw + 2;
		} else {
			d->apply.y = by - bh - 1;
			d->text_area.h -= bh + 1;
			if (d->text_area.h < 1)
				d->text_area.h = 1;
		}
	}
	/* 取号: left of 在线申请 on its row, else a row of its own above. */
	d->queue = (struct rect){ 0, 0, 0, 0 };
	if (can_queue(d)) {
		int qw = text_width(_("Take a number")) + OSK_PAD_BOXED + 3;
		qw = qw < bw ? bw : qw > area.w - 2 ? area.w - 2 : qw;
		int right = can_apply(d) && d->apply.y == by ? d->apply.x - 2 : area.x + area.w - 1;
		d->queue = (struct rect){ right - qw, by, qw, bh };
		if (d->queue.x <= d->next.x + d->next.w) {
			/* a row of its own above the buttons' rows */
			int top = can_apply(d) && d->apply.y < by ? d->apply.y : by;
			d->queue = (struct rect){ area.x + area.w - 1 - qw, top - bh - 1, qw, bh };
			if (d->text_area.y + d->text_area.h >= d->queue.y)
				d->text_area.h = d->queue.y - d->text_area.y - 1;
			if (d->text_area.h < 1)
				d->text_area.h = 1;
		}
	}
	build(d, d->text_area.w);
	int max_top = d->n_lines - d->text_area.h;
	if (d->top > max_top)
		d->top = max_top > 0 ? max_top : 0;
}

static void svc_reply(struct screen *s, int tag, const struct gw_reply *r)
{
	struct detail *d = s->priv;
	if (r->result == GW_OK && r->not_modified && d->have_svc) {
		d->state = ST_OK;
	} else if (r->result == GW_OK && r->json) {
		if (use_json(d, r->json)) {
			d->state = ST_OK;
			if (d->cache_name[0])
				cache_store(s->app, d->cache_name, r->body, r->body_len, r->etag);
		} else {
			set_error(d, ST_ERROR, _("The service network sent an answer this kiosk cannot read. Please ask the staff."));
		}
	} else if (r->result == GW_PROBLEM && r->status == 404) {
		if (d->have_svc) {
			service_free(&d->svc);
			d->have_svc = false;
		}
		set_error(d, ST_GONE, _("This service was not found. It may have been withdrawn."));
	} else if (d->have_svc && (r->result == GW_UNREACHABLE || r->result == GW_TIMEOUT)) {
		d->state = ST_SAVED;
	} else {
		set_error(d, ST_ERROR, ui_gw_message(r));
	}
	/* What was said while loading was only the name: say it all now. */
	access_repeat(s->app);
	ui_relayout(s->app);
}

static void scroll(struct detail *d, int by)
{
	int max_top = d->n_lines - d->text_area.h;
	d->top += by;
	if (d->top > max_top)
		d->top = max_top;
	if (d->top < 0)
		d->top = 0;
}

static void svc_draw(struct screen *s, struct rect area)
{
	struct detail *d = s->priv;
	struct rect ta = d->text_area;
	int y = ta.y;
	for (int i = d->top; i < d->n_lines && y < ta.y + ta.h; i++, y++)
		ui_text(ta.x, y, ta.w, d->lines[i].role, d->lines[i].text);
	if (d->state == ST_LOADING && !d->have_svc && y < ta.y + ta.h)
		ui_text(ta.x, y + 1 < ta.y + ta.h ? y + 1 : y, ta.w, ROLE_DIM, _("Loading the details..."));
	if ((d->state == ST_ERROR || d->state == ST_GONE) && y < ta.y + ta.h) {
		ui_para((struct rect){ ta.x, y + 1, ta.w, ta.y + ta.h - y - 1 }, ROLE_ERROR, d->error);
	}
	ui_cursor(ta.x, ta.y);
	bool more_up = d->top > 0, more_down = d->top + ta.h < d->n_lines;
	/* In an error the retry button takes the row: targets never overlap. */
	if ((more_up || more_down) && d->state != ST_ERROR) {
		ui_button(d->prev, T_PREV, 1, _("Page up"), NULL, false);
		ui_button(d->next, T_NEXT, 2, _("Page down"), NULL, false);
	}
	if (d->state == ST_ERROR)
		ui_button(d->retry, T_RETRY, 3, _("Try again"), NULL, true);
	else if (can_apply(d))
		ui_button(d->apply, T_APPLY, 4, _("Apply online"), NULL, true);
	if (can_queue(d) && d->queue.w > 0)
		ui_button(d->queue, T_QUEUE, 5, _("Take a number"), NULL, !can_apply(d));
}

static int act(struct screen *s, int target)
{
	struct detail *d = s->priv;
	switch (target) {
	case T_PREV: scroll(d, -(d->text_area.h > 1 ? d->text_area.h - 1 : 1)); return UI_HANDLED;
	case T_NEXT: scroll(d, d->text_area.h > 1 ? d->text_area.h - 1 : 1); return UI_HANDLED;
	case T_APPLY:
		if (can_apply(d))
			app_push_citizen(s->app, &scr_form, d->svc.b.id);
		return UI_HANDLED;
	case T_QUEUE:
		if (can_queue(d)) {
			struct scr_ticket_arg ta = { d->svc.b.id, d->svc.b.name };
			ui_push(s->app, &scr_ticket, &ta);
		}
		return UI_HANDLED;
	case T_RETRY:
		if (d->state == ST_ERROR) {
			d->state = ST_LOADING;
			fetch(s);
			ui_relayout(s->app);
		}
		return UI_HANDLED;
	}
	return UI_PASS;
}

static int svc_key(struct screen *s, int key)
{
	struct detail *d = s->priv;
	switch (key) {
	case K_UP: scroll(d, -1); return UI_HANDLED;
	case K_DOWN: scroll(d, 1); return UI_HANDLED;
	case K_PPAGE: case '1': return act(s, T_PREV);
	case K_NPAGE: case '2': case '0': case ' ': return act(s, T_NEXT);
	case '3': return act(s, T_RETRY);
	case '4': return act(s, T_APPLY);
	case '5': return act(s, T_QUEUE);
	case K_RETURN: return act(s, d->state == ST_ERROR ? T_RETRY : can_apply(d) || !can_queue(d) ? T_APPLY : T_QUEUE);
	}
	return UI_PASS;
}

static int svc_mouse(struct screen *s, int target)
{
	return act(s, target);
}

static const char *svc_title(struct screen *s)
{
	struct detail *d = s->priv;
	if (d->have_svc)
		return d->svc.b.name;
	return d->name ? d->name : _("Service");
}

/* In full: what matters, read for the ear (the fee as money); after a
 * scroll: the lines now in view. */
static void svc_speak(struct screen *s, char *buf, size_t n, bool full)
{
	struct detail *d = s->priv;
	size_t len = 0;
#define ADD(...) do { if (len < n) len += (size_t)snprintf(buf + len, n - len, __VA_ARGS__); } while (0)
	if (!full) {
		for (int i = d->top; i < d->n_lines && i < d->top + d->text_area.h; i++)
			ADD("%s ", d->lines[i].text);
		return;
	}
	ADD(_("%s. "), svc_title(s));
	if (d->state == ST_ERROR || d->state == ST_GONE) {
		ADD("%s", d->error ? d->error : "");
		return;
	}
	if (!d->have_svc) {
		ADD("%s", _("Loading the details..."));
		return;
	}
	const struct service *v = &d->svc;
	if (*v->b.summary)
		ADD(_("%s. "), v->b.summary);
	long long fee = v->form.n_fields ? v->form.fee_fen : v->b.fee_fen;
	if (fee > 0) {
		char *money = speak_money(fee, i18n_lang());
		ADD(_("Fee: %s. "), money);
		free(money);
	} else {
		ADD(_("%s. "), _("free of charge"));
	}
	if (v->n_materials)
		ADD(ngettext("Bring %zu item: ", "Bring %zu items: ", v->n_materials), v->n_materials);
	for (size_t i = 0; i < v->n_materials; i++)
		ADD("%s; ", v->materials[i]);
	if (*v->where)
		ADD(_("Where: %s. "), v->where);
	if (can_apply(d))
		ADD("%s ", _("Press 4 to apply online."));
	if (can_queue(d))
		ADD("%s ", _("Press 5 to take a number for the window."));
	ADD("%s", _("Press 2 for more, Esc to go back."));
#undef ADD
}

const struct screen_ops scr_service = {
	.name = "service",
	.enter = svc_enter,
	.leave = svc_leave,
	.key = svc_key,
	.mouse = svc_mouse,
	.draw = svc_draw,
	.resize = svc_resize,
	.reply = svc_reply,
	.speak = svc_speak,
	.title = svc_title,
};
