/* scr_services.c: the services of one category, a page at a time. Holds
 * the category by id, so a catalog that is replaced while this screen is
 * open (revalidation, language switch) is looked up again, not dangled. */
#include <stdio.h>
#include <stdlib.h>

#include "app.h"
#include "screens.h"
#include "i18n.h"
#include "menu.h"
#include "text.h"
#include "ui.h"
#include "util.h"

struct svcs {
	char *cat_id;
	long cat;          /* index in the current catalog, -1 if gone */
	struct menu m;
	char sub[512];
};

static const struct service_brief *brief(struct screen *s, int i)
{
	struct svcs *v = s->priv;
	const struct catalog *c = &s->app->cat;
	return &c->svcs[c->cats[v->cat].svc[i]];
}

static const char *svc_label(void *ud, int i, const char **sub)
{
	struct screen *s = ud;
	struct svcs *v = s->priv;
	const struct service_brief *b = brief(s, i);
	char fee[32] = "";
	if (b->fee_fen > 0) {
		char yuan[32];
		snprintf(fee, sizeof fee, _("Fee %s yuan"), text_fen(b->fee_fen, yuan, sizeof yuan));
	}
	snprintf(v->sub, sizeof v->sub, "%s%s%s%s%s",
	         b->login_required ? _("[Log-in needed]") : "",
	         b->login_required ? " " : "",
	         fee, fee[0] ? " " : "", b->summary);
	*sub = v->sub;
	return b->name;
}

static void svcs_enter(struct screen *s, void *arg)
{
	struct svcs *v = xcalloc(1, sizeof *v);
	v->cat_id = xstrdup(arg);
	v->cat = -1;
	s->priv = v;
}

static void svcs_leave(struct screen *s)
{
	struct svcs *v = s->priv;
	free(v->cat_id);
	free(v);
}

static int count(struct screen *s)
{
	struct svcs *v = s->priv;
	return v->cat < 0 ? 0 : (int)s->app->cat.cats[v->cat].n_svc;
}

static void svcs_resize(struct screen *s, struct rect area)
{
	struct svcs *v = s->priv;
	v->cat = catalog_find_category(&s->app->cat, v->cat_id);
	int item_h = area.h >= 14 ? 2 : 1;
	menu_layout(&v->m, area, count(s), 20, item_h, 2, item_h > 1 ? 1 : 0, 1);
}

static void svcs_draw(struct screen *s, struct rect area)
{
	struct svcs *v = s->priv;
	if (v->cat < 0) {
		ui_text(area.x + 1, area.y + 1, area.w - 2, ROLE_ERROR,
		        _("This category is no longer offered."));
		return;
	}
	if (count(s) == 0) {
		ui_text(area.x + 1, area.y + 1, area.w - 2, ROLE_TEXT,
		        _("There are no services in this category yet."));
		return;
	}
	menu_draw(&v->m, svc_label, s);
}

static void open_svc(struct screen *s, int i)
{
	ui_push(s->app, &scr_service, brief(s, i)->id);
}

static int svcs_key(struct screen *s, int key)
{
	struct svcs *v = s->priv;
	if (app_search_key(s->app, key))
		return UI_HANDLED;
	int r = menu_key(&v->m, key);
	if (r >= 0)
		open_svc(s, r);
	return r == MENU_IGNORED ? UI_PASS : UI_HANDLED;
}

static int svcs_mouse(struct screen *s, int target)
{
	struct svcs *v = s->priv;
	int r = menu_mouse(&v->m, target);
	if (r >= 0)
		open_svc(s, r);
	return UI_HANDLED;
}

static const char *svcs_title(struct screen *s)
{
	struct svcs *v = s->priv;
	return v->cat < 0 ? _("Services") : s->app->cat.cats[v->cat].name;
}

static void svcs_speak(struct screen *s, char *buf, size_t n, bool full)
{
	struct svcs *v = s->priv;
	if (count(s) == 0) {
		snprintf(buf, n, "%s. %s", svcs_title(s),
		         v->cat < 0 ? _("This category is no longer offered.")
		                    : _("There are no services in this category yet."));
		return;
	}
	char item[512];
	menu_speak_item(&v->m, v->m.focus, brief(s, v->m.focus)->name, item, sizeof item);
	if (full)
		snprintf(buf, n, _("%s. Page %d of %d. Press a number to choose a service. %s"),
		         svcs_title(s), menu_page(&v->m) + 1, v->m.g.pages, item);
	else
		snprintf(buf, n, "%s", item);
}

const struct screen_ops scr_services = {
	.name = "services",
	.enter = svcs_enter,
	.leave = svcs_leave,
	.key = svcs_key,
	.mouse = svcs_mouse,
	.draw = svcs_draw,
	.resize = svcs_resize,
	.speak = svcs_speak,
	.title = svcs_title,
};
