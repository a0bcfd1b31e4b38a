/* scr_me.c: who is logged in, as the gateway says now (GET /v1/me): the
 * masked name, ID number and phone. Needs a session: reached through
 * app_push_citizen(), which logs in first. */
#include <stdio.h>
#include <stdlib.h>

#include "app.h"
#include "screens.h"
#include "i18n.h"
#include "jsonx.h"
#include "login.h"
#include "session.h"
#include "speak.h"
#include <string.h>
#include "text.h"
#include "ui.h"
#include "util.h"

enum { REQ_ME = 1 };

struct me {
	bool loaded;
	char *name, *id, *phone;   /* masked */
	char *error;
};

static void me_enter(struct screen *s, void *arg)
{
	s->priv = xcalloc(1, sizeof(struct me));
	ui_get(s, REQ_ME, "/v1/me", NULL);
}

static void me_clear(struct me *m)
{
	wipe_str(m->name);
	wipe_str(m->id);
	wipe_str(m->phone);
	m->name = m->id = m->phone = NULL;
}

static void me_leave(struct screen *s)
{
	struct me *m = s->priv;
	me_clear(m);
	free(m->error);
	free(m);
}

static void me_reply(struct screen *s, int tag, const struct gw_reply *r)
{
	struct me *m = s->priv;
	char err[160];
	char *n = NULL, *i = NULL, *p = NULL;
	if (r->result == GW_OK && r->json &&
	    !jsonx_str(r->json, "display_name", true, &n, "", err, sizeof err) &&
	    !jsonx_str(r->json, "id_masked", true, &i, "", err, sizeof err) &&
	    !jsonx_str(r->json, "phone_masked", false, &p, "", err, sizeof err)) {
		me_clear(m);
		m->name = text_mask(n, 1, 1);
		m->id = text_mask(i, 4, 4);
		m->phone = p ? text_mask(p, 3, 4) : xstrdup("");
		m->loaded = true;
	} else {
		free(m->error);
		m->error = xstrdup(r->result == GW_OK
		                   ? _("The service network sent an answer this kiosk cannot read. Please ask the staff.")
		                   : ui_gw_message(r));
	}
	wipe_str(n);
	wipe_str(i);
	wipe_str(p);
}

static void me_draw(struct screen *s, struct rect area)
{
	struct me *m = s->priv;
	struct rect r = { area.x + 1, area.y + 1, area.w - 2, area.h - 1 };
	ui_cursor(r.x, r.y);
	if (m->error) {
		ui_para(r, ROLE_ERROR, m->error);
		return;
	}
	if (!m->loaded) {
		ui_text(r.x, r.y, r.w, ROLE_DIM, _("Loading..."));
		return;
	}
	char line[256];
	snprintf(line, sizeof line, _("Name: %s"), m->name);
	ui_text(r.x, r.y, r.w, ROLE_TEXT, line);
	snprintf(line, sizeof line, _("ID number: %s"), m->id);
	ui_text(r.x, r.y + 2, r.w, ROLE_TEXT, line);
	if (*m->phone) {
		snprintf(line, sizeof line, _("Mobile: %s"), m->phone);
		ui_text(r.x, r.y + 4, r.w, ROLE_TEXT, line);
	}
	explicit_bzero(line, sizeof line);
	ui_para((struct rect){ r.x, r.y + 6, r.w, r.h - 6 }, ROLE_DIM,
	        _("Your applications and e-licences are not yet available at this kiosk. To log out, press F9 or touch \"Log out\" below."));
}

static const char *me_title(struct screen *s)
{
	return _("My information");
}

static void me_speak(struct screen *s, char *buf, size_t n, bool full)
{
	struct me *m = s->priv;
	if (m->error) {
		snprintf(buf, n, "%s", m->error);
		return;
	}
	if (!m->loaded) {
		snprintf(buf, n, "%s", full ? me_title(s) : _("Loading..."));
		return;
	}
	/* Bystanders hear it too: the surname and the last four ID characters
	 * only, never the masked stars read out. */
	char surname[16] = "";
	unsigned cp;
	size_t k = text_utf8_decode(m->name, strlen(m->name), &cp);
	snprintf(surname, sizeof surname, "%.*s", (int)k, m->name);
	size_t idl = strlen(m->id);
	char *tail = speak_chars(idl > 4 ? m->id + idl - 4 : m->id, i18n_lang());
	snprintf(buf, n, _("%s. Logged in: %s. ID number ending %s."), me_title(s), surname, tail);
	wipe_str(tail);
	explicit_bzero(surname, sizeof surname);
}

const struct screen_ops scr_me = {
	.name = "me",
	.enter = me_enter,
	.leave = me_leave,
	.draw = me_draw,
	.reply = me_reply,
	.speak = me_speak,
	.title = me_title,
};
