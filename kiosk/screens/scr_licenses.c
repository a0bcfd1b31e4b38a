/* scr_licenses.c: 电子证照, the citizen's e-licences (GET /v1/me/licenses).
 * The list shows each one's name, masked number and validity; picking one
 * shows its verification QR code at full size (a checker scans it instead
 * of a paper copy) with a countdown: the payload changes every refresh_s
 * seconds, so the list is fetched again when it runs out and the QR
 * redrawn from the new payload (a photo of an old one is worth nothing).
 * Large mode asks for a font the QR fits at (access_qr_font) while it
 * shows. Needs a session.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app.h"
#include "screens.h"
#include "i18n.h"
#include "log.h"
#include "loop.h"
#include "menu.h"
#include "mine.h"
#include "qrcode.h"
#include "text.h"
#include "ui.h"
#include "util.h"

enum { REQ_LIST = 1 };
enum { T_RETRY = 3000001 };

struct lics {
	bool loaded, refreshing;
	char *error;
	struct license *l;
	size_t n;
	char *open_id;            /* the licence shown, or NULL: the list */
	long long fetched_ms;     /* when the list came */
	long long tick;
	struct qr_art qr;
	bool qr_font;
	struct menu m;
	struct rect area, qr_at, text, retry;
	char label[256], sub[256];
};

#define L(s) ((struct lics *)(s)->priv)

static void fetch(struct screen *s)
{
	L(s)->refreshing = true;
	ui_get(s, REQ_LIST, "/v1/me/licenses", NULL);
}

static const struct license *open_lic(const struct lics *v)
{
	for (size_t i = 0; v->open_id && i < v->n; i++)
		if (!strcmp(v->l[i].id, v->open_id))
			return &v->l[i];
	return NULL;
}

/* The gateway takes a code for at least refresh_s after it was fetched,
 * and perhaps hardly longer (its time slot and the next, in whole
 * seconds): it is shown for a little less, so that a checker scanning it
 * at the last moment is not refused. */
static long long margin_ms(const struct license *l)
{
	return l->refresh_s >= 4 ? 1000 : l->refresh_s * 250;
}

/* Milliseconds the shown licence's code may still be shown (refresh_s
 * after the list came, less the margin), at least 0. */
static long long left_ms(const struct lics *v, const struct license *l)
{
	long long left = l->refresh_s * 1000 - margin_ms(l) - (loop_now_ms() - v->fetched_ms);
	return left > 0 ? left : 0;
}

/* The same in whole seconds, rounded up (the countdown). */
static long long left_s(const struct lics *v, const struct license *l)
{
	return (left_ms(v, l) + 999) / 1000;
}

static long on_tick(struct loop *lp, long long id, void *ud)
{
	struct screen *s = ud;
	struct lics *v = L(s);
	const struct license *l = open_lic(v);
	/* Fetched again a tick and a half before the code must go, so the
	 * new one is normally there first. */
	if (l && left_ms(v, l) <= 1500 && !v->refreshing)
		fetch(s);
	if (!l)
		return 1000;
	ui_dirty(s->app);
	/* Next when the countdown changes: the code goes at the moment it
	 * must, not up to a tick later. */
	long long ms = left_ms(v, l);
	return ms > 0 ? (long)(ms % 1000) + 1 : 1000;
}

static void lics_enter(struct screen *s, void *arg)
{
	struct lics *v = xcalloc(1, sizeof *v);
	s->priv = v;
	fetch(s);
	v->tick = loop_timer_add(s->app->loop, 1000, on_tick, s);
}

static void set_qr_font(struct screen *s, bool on)
{
	struct lics *v = L(s);
	if (v->qr_font != on)
		access_qr_font(s->app, on);
	v->qr_font = on;
}

static void lics_leave(struct screen *s)
{
	struct lics *v = L(s);
	if (v->tick)
		loop_timer_del(s->app->loop, v->tick);
	set_qr_font(s, false);
	qr_art_free(&v->qr);
	licenses_free(v->l, v->n);
	free(v->open_id);
	free(v->error);
	explicit_bzero(v->label, sizeof v->label);
	explicit_bzero(v->sub, sizeof v->sub);
	free(v);
}

static void lics_reply(struct screen *s, int tag, const struct gw_reply *r)
{
	struct lics *v = L(s);
	char err[200];
	v->refreshing = false;
	struct license *l = NULL;
	size_t n = 0;
	if (r->result == GW_OK && r->json && licenses_decode(r->json, &l, &n, err, sizeof err) == 0) {
		licenses_free(v->l, v->n);
		v->l = l;
		v->n = n;
		v->loaded = true;
		v->fetched_ms = loop_now_ms();
		free(v->error);
		v->error = NULL;
		if (v->open_id && !open_lic(v)) { /* gone meanwhile */
			free(v->open_id);
			v->open_id = NULL;
		}
	} else {
		if (r->result == GW_OK)
			log_warn("licenses: %s", err);
		free(v->error);
		v->error = xstrdup(r->result == GW_OK ? _("The service network sent an answer this kiosk cannot read. Please ask the staff.")
		                                      : ui_gw_message(r));
		/* A stale QR is never left on screen. */
		free(v->open_id);
		v->open_id = NULL;
	}
	access_repeat(s->app);
	ui_relayout(s->app);
}

static void lics_resize(struct screen *s, struct rect area)
{
	struct lics *v = L(s);
	v->area = area;
	qr_art_free(&v->qr);
	v->qr_at = (struct rect){ 0 };
	int bh = ui_large() || area.h >= 14 ? 3 : 1;
	v->retry = (struct rect){ area.x + 1, area.y + area.h - bh, 18, bh };
	const struct license *l = open_lic(v);
	set_qr_font(s, l != NULL && !v->error);
	if (l && !v->error) {
		const char *q = l->verify_payload;
		int tw = 34;
		if (qr_art_make(q, strlen(q), area.w - tw - 2, area.h, &v->qr) == 0) {
			v->qr_at = (struct rect){ area.x, area.y, v->qr.cols, v->qr.rows };
			v->text = (struct rect){ area.x + v->qr.cols + 2, area.y + 1, area.w - v->qr.cols - 3, area.h - 1 };
		} else if (qr_art_make(q, strlen(q), area.w, area.h - 6, &v->qr) == 0) {
			v->qr_at = (struct rect){ area.x + (area.w - v->qr.cols) / 2, area.y + 6, v->qr.cols, v->qr.rows };
			v->text = (struct rect){ area.x + 1, area.y, area.w - 2, 6 };
		} else {
			access_qr_font_smaller(s->app);
			v->text = (struct rect){ area.x + 1, area.y + 1, area.w - 2, area.h - 1 };
		}
		return;
	}
	struct rect mr = { area.x, area.y + 1, area.w, area.h - 1 };
	menu_layout(&v->m, mr, (int)v->n, 30, 2, 2, 0, 2);
}

static const char *lic_label(void *ud, int i, const char **sub)
{
	struct screen *s = ud;
	struct lics *v = L(s);
	const struct license *l = &v->l[i];
	snprintf(v->label, sizeof v->label, "%s", l->name);
	if (l->valid_until[0])
		snprintf(v->sub, sizeof v->sub, _("%s, valid until %s"), l->number_masked, l->valid_until);
	else
		snprintf(v->sub, sizeof v->sub, _("%s, valid for the long term"), l->number_masked);
	*sub = v->sub;
	return v->label;
}

static void lics_draw(struct screen *s, struct rect area)
{
	struct lics *v = L(s);
	if (v->error) {
		ui_para((struct rect){ area.x + 1, area.y + 1, area.w - 2, area.h - 5 }, ROLE_ERROR, v->error);
		ui_button(v->retry, T_RETRY, 1, _("Try again"), NULL, true);
		return;
	}
	if (!v->loaded) {
		ui_text(area.x + 1, area.y + 1, area.w - 2, ROLE_DIM, _("Loading your e-licences..."));
		return;
	}
	const struct license *l = open_lic(v);
	if (!l) {
		ui_text(area.x + 1, area.y, area.w - 2, ROLE_DIM,
		        v->n ? _("Press a number to show a licence's QR code for checking.")
		             : _("You have no e-licences."));
		menu_draw(&v->m, lic_label, s);
		return;
	}
	/* A code that is due is never shown, however slow the new one is:
	 * the gateway would no longer take it. */
	long long left = left_s(v, l);
	for (int i = 0; left > 0 && i < v->qr.rows; i++)
		ui_text(v->qr_at.x, v->qr_at.y + i, v->qr.cols, ROLE_QR, v->qr.lines[i]);
	struct rect t = v->text;
	int y = t.y;
	char line[512];
	y += ui_para((struct rect){ t.x, y, t.w, 2 }, ROLE_TEXT, l->name);
	snprintf(line, sizeof line, _("Number: %s"), l->number_masked);
	ui_text(t.x, y++, t.w, ROLE_TEXT, line);
	if (l->issuer[0]) {
		snprintf(line, sizeof line, _("Issued by: %s"), l->issuer);
		y += ui_para((struct rect){ t.x, y, t.w, 2 }, ROLE_TEXT, line);
	}
	if (l->valid_until[0])
		snprintf(line, sizeof line, _("Valid until: %s"), l->valid_until);
	else
		snprintf(line, sizeof line, "%s", _("Valid for the long term"));
	ui_text(t.x, y++, t.w, ROLE_TEXT, line);
	y++;
	if (v->qr.rows) {
		if (left > 0 && !v->refreshing)
			snprintf(line, sizeof line, _("The code changes in %lld s. Let the checker scan it."), left);
		else
			snprintf(line, sizeof line, "%s", _("Getting a new code..."));
		y += ui_para((struct rect){ t.x, y, t.w, 2 }, ROLE_OK, line);
	} else {
		y += ui_para((struct rect){ t.x, y, t.w, 3 }, ROLE_ERROR, _("The QR code does not fit on this screen."));
	}
	ui_text(t.x, y + 1, t.w, ROLE_DIM, _("Esc goes back to the list."));
}

static void pick(struct screen *s, int i)
{
	struct lics *v = L(s);
	free(v->open_id);
	v->open_id = xstrdup(v->l[i].id);
	/* A code about to go stale is fetched fresh first. */
	if (left_s(v, &v->l[i]) < 5)
		fetch(s);
	access_repeat(s->app);
	ui_relayout(s->app);
}

static int lics_key(struct screen *s, int key)
{
	struct lics *v = L(s);
	if (v->error) {
		if (key == '1' || key == K_RETURN) {
			fetch(s);
			ui_relayout(s->app);
			return UI_HANDLED;
		}
		return UI_PASS;
	}
	if (!v->loaded)
		return UI_PASS;
	if (v->open_id) {
		if (ui_key_is_back(key)) {
			free(v->open_id);
			v->open_id = NULL;
			access_repeat(s->app);
			ui_relayout(s->app);
			return UI_HANDLED;
		}
		return UI_PASS;
	}
	int r = menu_key(&v->m, key);
	if (r >= 0)
		pick(s, r);
	return r == MENU_IGNORED ? UI_PASS : UI_HANDLED;
}

static int lics_mouse(struct screen *s, int target)
{
	struct lics *v = L(s);
	if (target == T_RETRY && v->error) {
		fetch(s);
		ui_relayout(s->app);
		return UI_HANDLED;
	}
	if (!v->loaded || v->open_id)
		return UI_HANDLED;
	int r = menu_mouse(&v->m, target);
	if (r >= 0)
		pick(s, r);
	return UI_HANDLED;
}

static const char *lics_title(struct screen *s)
{
	return _("My e-licences");
}

static void lics_speak(struct screen *s, char *buf, size_t n, bool full)
{
	struct lics *v = L(s);
	buf[0] = '\0';
	if (v->error) {
		snprintf(buf, n, "%s %s", v->error, _("Press 1 to try again."));
		return;
	}
	if (!v->loaded) {
		snprintf(buf, n, "%s", _("Loading your e-licences..."));
		return;
	}
	const struct license *l = open_lic(v);
	if (l) {
		char until[160];
		if (l->valid_until[0])
			snprintf(until, sizeof until, _("Valid until: %s"), l->valid_until);
		else
			snprintf(until, sizeof until, "%s", _("Valid for the long term"));
		snprintf(buf, n, _("%s. Its QR code is on the screen for the checker to scan. %s. Esc goes back."), l->name,
		         until);
		return;
	}
	const char *sub;
	char item[600];
	if (!v->n) {
		snprintf(buf, n, "%s", _("You have no e-licences."));
		return;
	}
	menu_speak_item(&v->m, v->m.focus, lic_label(s, v->m.focus, &sub), item, sizeof item);
	if (full)
		snprintf(buf, n, ngettext("My e-licences: %zu licence. %s", "My e-licences: %zu licences. %s", v->n), v->n, item);
	else
		snprintf(buf, n, "%s", item);
}

const struct screen_ops scr_licenses = {
	.name = "licenses",
	.enter = lics_enter,
	.leave = lics_leave,
	.key = lics_key,
	.mouse = lics_mouse,
	.draw = lics_draw,
	.resize = lics_resize,
	.reply = lics_reply,
	.speak = lics_speak,
	.title = lics_title,
};
