/* scr_mine.c: 我的办件, the citizen's applications (GET /v1/me/applications),
 * newest first, each with its status; picking one shows its timeline, and
 * for 需补充材料 (needs_more) what is missing, first. The menu's last items
 * lead to 电子证照 (scr_licenses.c) and 个人信息 (scr_me.c). Needs a
 * session: reached through app_push_citizen().
 *
 * Everything shown is the gateway's, sanitized by the decoder (mine.h);
 * it is wiped when the screen goes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "screens.h"
#include "i18n.h"
#include "log.h"
#include "menu.h"
#include "mine.h"
#include "text.h"
#include "ui.h"
#include "util.h"

enum { REQ_APPS = 1 };
enum { I_LICENSES, I_ME, I_FIRST }; /* the menu's fixed items, then the list */

struct mine {
	bool loaded;
	char *error;
	struct application *apps;
	size_t n;
	long open;                 /* the application whose timeline shows, or -1 */
	int top;                   /* its first line shown */
	struct menu m;
	struct rect area, body;
	char label[512], sub[512];
};

#define M(s) ((struct mine *)(s)->priv)

static const char *app_status_words(enum app_status st)
{
	switch (st) {
	case APP_SUBMITTED: return _("Submitted");
	case APP_ACCEPTED: return _("Accepted");
	case APP_IN_REVIEW: return _("Under review");
	case APP_NEEDS_MORE: return _("More needed from you");
	case APP_APPROVED: return _("Approved");
	case APP_REJECTED: return _("Not approved");
	case APP_COMPLETED: return _("Completed");
	case APP_UNKNOWN: break;
	}
	return _("In progress");
}

static void fetch(struct screen *s)
{
	struct mine *m = M(s);
	free(m->error);
	m->error = NULL;
	m->loaded = false;
	ui_get(s, REQ_APPS, "/v1/me/applications", NULL);
}

static void mine_enter(struct screen *s, void *arg)
{
	struct mine *m = xcalloc(1, sizeof *m);
	m->open = -1;
	s->priv = m;
	fetch(s);
}

static void mine_leave(struct screen *s)
{
	struct mine *m = M(s);
	applications_free(m->apps, m->n);
	explicit_bzero(m->label, sizeof m->label);
	explicit_bzero(m->sub, sizeof m->sub);
	free(m->error);
	free(m);
}

static void mine_reply(struct screen *s, int tag, const struct gw_reply *r)
{
	struct mine *m = M(s);
	char err[200];
	applications_free(m->apps, m->n);
	m->apps = NULL;
	m->n = 0;
	if (r->result == GW_OK && r->json) {
		if (applications_decode(r->json, &m->apps, &m->n, err, sizeof err) != 0) {
			log_warn("applications: %s", err);
			m->error = xstrdup(_("The service network sent an answer this kiosk cannot read. Please ask the staff."));
		} else {
			m->loaded = true;
		}
	} else {
		m->error = xstrdup(ui_gw_message(r));
	}
	m->m.focus = m->n ? I_FIRST : 0; /* the newest application */
	access_repeat(s->app);
	ui_relayout(s->app);
}

/* Items: 电子证照 and 个人信息 first (the same digits whatever the list
 * holds), then the applications, newest first, or 重试 after an error. */
static int n_items(const struct mine *m)
{
	return I_FIRST + (m->error ? 1 : (int)m->n);
}

static void mine_resize(struct screen *s, struct rect area)
{
	struct mine *m = M(s);
	m->area = area;
	m->body = (struct rect){ area.x + 1, area.y + 1, area.w - 2, area.h - 1 };
	struct rect mr = { area.x, area.y + 1, area.w, area.h - 1 };
	menu_layout(&m->m, mr, n_items(m), 30, area.h >= 20 ? 2 : 1, 2, 0, 1);
	/* A row of 3 is a box with room for the name only: the number and
	 * the date under it need 4, a page further (large mode never asks
	 * for less than 3). */
	if (m->m.g.cell_h == 3)
		menu_layout(&m->m, mr, n_items(m), 30, 4, 2, 0, 1);
}

static const char *item_label(void *ud, int i, const char **sub)
{
	struct screen *s = ud;
	struct mine *m = M(s);
	*sub = NULL;
	if (i == I_LICENSES) {
		*sub = _("ID card, driving licence, social security card...");
		return _("My e-licences");
	}
	if (i == I_ME) {
		*sub = _("Your name, ID number and phone, masked");
		return _("My details");
	}
	if (m->error)
		return _("Try again");
	const struct application *a = &m->apps[i - I_FIRST];
	snprintf(m->label, sizeof m->label, "%s  [%s]", a->service_name, app_status_words(a->status));
	snprintf(m->sub, sizeof m->sub, _("No. %s, updated %s"), a->id, a->updated_at);
	*sub = m->sub;
	return m->label;
}

/* The timeline, newest last, as lines. */
static int draw_timeline(struct screen *s, struct rect r, const struct application *a)
{
	int y = r.y;
	char line[640];
	snprintf(line, sizeof line, _("%s, application No. %s"), a->service_name, a->id);
	y += ui_para((struct rect){ r.x, y, r.w, 2 }, ROLE_TEXT, line);
	snprintf(line, sizeof line, _("Status: %s"), app_status_words(a->status));
	ui_text(r.x, y++, r.w, a->status == APP_NEEDS_MORE || a->status == APP_REJECTED ? ROLE_ERROR : ROLE_OK, line);
	if (a->status == APP_NEEDS_MORE && a->needs_more[0]) {
		snprintf(line, sizeof line, _("What is needed: %s"), a->needs_more);
		y += ui_para((struct rect){ r.x, y, r.w, 3 }, ROLE_ERROR, line);
	}
	y++;
	for (size_t i = 0; i < a->n_events && y < r.y + r.h; i++) {
		const struct app_event *e = &a->timeline[i];
		snprintf(line, sizeof line, "%s  %s%s%s", e->at, app_status_words(e->status), e->note[0] ? ": " : "",
		         e->note);
		y += ui_para((struct rect){ r.x, y, r.w, r.y + r.h - y }, ROLE_TEXT, line);
	}
	return y;
}

static void mine_draw(struct screen *s, struct rect area)
{
	struct mine *m = M(s);
	if (m->open >= 0) {
		draw_timeline(s, m->body, &m->apps[m->open]);
		return;
	}
	const char *hint = m->error ? m->error : !m->loaded ? _("Loading your applications...")
	                 : m->n ? _("Your applications, newest first. Press a number to see one.")
	                        : _("You have no applications yet.");
	ui_text(area.x + 1, area.y, area.w - 2, m->error ? ROLE_ERROR : ROLE_DIM, hint);
	menu_draw(&m->m, item_label, s);
}

static void pick(struct screen *s, int i)
{
	struct mine *m = M(s);
	if (i == I_LICENSES) {
		ui_push(s->app, &scr_licenses, NULL);
	} else if (i == I_ME) {
		ui_push(s->app, &scr_me, NULL);
	} else if (m->error) {
		fetch(s);
		ui_relayout(s->app);
	} else {
		m->open = i - I_FIRST;
		access_repeat(s->app);
		ui_relayout(s->app);
	}
}

static int mine_key(struct screen *s, int key)
{
	struct mine *m = M(s);
	if (m->open >= 0) {
		if (ui_key_is_back(key)) {
			m->open = -1;
			access_repeat(s->app);
			ui_relayout(s->app);
			return UI_HANDLED;
		}
		return UI_PASS;
	}
	int r = menu_key(&m->m, key);
	if (r >= 0)
		pick(s, r);
	return r == MENU_IGNORED ? UI_PASS : UI_HANDLED;
}

static int mine_mouse(struct screen *s, int target)
{
	struct mine *m = M(s);
	if (m->open >= 0)
		return UI_HANDLED;
	int r = menu_mouse(&m->m, target);
	if (r >= 0)
		pick(s, r);
	return UI_HANDLED;
}

static const char *mine_title(struct screen *s)
{
	return _("My applications");
}

static void mine_speak(struct screen *s, char *buf, size_t n, bool full)
{
	struct mine *m = M(s);
	size_t len = 0;
#define ADD(...) do { if (len < n) len += (size_t)snprintf(buf + len, n - len, __VA_ARGS__); } while (0)
	buf[0] = '\0';
	if (full && m->error)
		ADD("%s ", m->error);
	else if (full && !m->loaded)
		ADD("%s ", _("Loading your applications..."));
	if (m->open >= 0) {
		const struct application *a = &m->apps[m->open];
		ADD(_("%s, application No. %s. "), a->service_name, a->id);
		ADD(_("Status: %s. "), app_status_words(a->status));
		if (a->status == APP_NEEDS_MORE && a->needs_more[0])
			ADD(_("What is needed: %s. "), a->needs_more);
		for (size_t i = 0; i < a->n_events; i++)
			ADD("%s, %s. %s. ", a->timeline[i].at, app_status_words(a->timeline[i].status), a->timeline[i].note);
		ADD("%s", _("Esc goes back to the list."));
		return;
	}
	const char *sub;
	char item[1200];
	menu_speak_item(&m->m, m->m.focus, item_label(s, m->m.focus, &sub), item, sizeof item);
	if (full)
		ADD(ngettext("My applications: %zu application. %s", "My applications: %zu applications. %s", m->n), m->n,
		    item);
	else
		ADD("%s", item);
#undef ADD
}

const struct screen_ops scr_mine = {
	.name = "mine",
	.enter = mine_enter,
	.leave = mine_leave,
	.key = mine_key,
	.mouse = mine_mouse,
	.draw = mine_draw,
	.resize = mine_resize,
	.reply = mine_reply,
	.speak = mine_speak,
	.title = mine_title,
};
