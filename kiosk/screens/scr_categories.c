/* scr_categories.c: the catalog's categories (社保, 医保, 公积金...), each with
 * its number of services. Shows the catalog state while there is none. */
#include <stdio.h>
#include <stdlib.h>

#include "app.h"
#include "screens.h"
#include "i18n.h"
#include "menu.h"
#include "ui.h"
#include "util.h"

#define T_RETRY 2000000

struct cats {
	struct menu m;
	char sub[64];
	struct rect retry;
};

static const char *cat_label(void *ud, int i, const char **sub)
{
	struct screen *s = ud;
	struct cats *c = s->priv;
	const struct category *k = &s->app->cat.cats[i];
	snprintf(c->sub, sizeof c->sub, ngettext("%zu service", "%zu services", k->n_svc), k->n_svc);
	*sub = c->sub;
	return k->name;
}

static void cats_enter(struct screen *s, void *arg)
{
	s->priv = xcalloc(1, sizeof(struct cats));
	if (s->app->cat_state == CAT_FAILED || s->app->cat_state == CAT_NONE)
		app_catalog_refresh(s->app);
}

static void cats_leave(struct screen *s)
{
	free(s->priv);
}

static void cats_resize(struct screen *s, struct rect area)
{
	struct cats *c = s->priv;
	/* 3 x 3 big buttons a page (9 = one digit each), with the number of
	 * services on a second line when there is room for it. */
	int n = (int)s->app->cat.n_cats;
	int avail = n > MENU_MAX_PER_PAGE ? area.h - 2 : area.h;
	int item_h = avail >= 3 * 4 + 2 ? 4 : 3;
	int gap_y = avail >= 3 * item_h + 2 ? 1 : 0;
	menu_layout(&c->m, area, n, 18, item_h, 2, gap_y, area.w >= 120 ? 4 : 3);
	int w = area.w < 24 ? area.w : 24;
	c->retry = (struct rect){ area.x + (area.w - w) / 2, area.y + 5, w, 3 };
}

static bool have_catalog(struct app *a)
{
	return a->cat_loaded;
}

static void cats_draw(struct screen *s, struct rect area)
{
	struct cats *c = s->priv;
	struct app *a = s->app;
	if (!have_catalog(a)) {
		if (a->cat_state == CAT_FAILED) {
			ui_para((struct rect){ area.x + 1, area.y + 1, area.w - 2, 3 }, ROLE_ERROR,
			        a->cat_error ? a->cat_error : "");
			ui_button(c->retry, T_RETRY, 1, _("Try again"), NULL, true);
		} else {
			ui_text(area.x + 1, area.y + 1, area.w - 2, ROLE_TEXT, _("Loading the list of services..."));
			ui_cursor(area.x + 1, area.y + 1);
		}
		return;
	}
	if (a->cat.n_cats == 0) {
		ui_text(area.x + 1, area.y + 1, area.w - 2, ROLE_TEXT, _("No services are offered at this kiosk."));
		return;
	}
	menu_draw(&c->m, cat_label, s);
}

static void open_cat(struct screen *s, int i)
{
	ui_push(s->app, &scr_services, s->app->cat.cats[i].id);
}

static int cats_key(struct screen *s, int key)
{
	struct cats *c = s->priv;
	if (!have_catalog(s->app)) {
		if (s->app->cat_state == CAT_FAILED && (key == K_RETURN || key == '1')) {
			app_catalog_refresh(s->app);
			return UI_HANDLED;
		}
		return UI_PASS;
	}
	if (app_search_key(s->app, key))
		return UI_HANDLED;
	int r = menu_key(&c->m, key);
	if (r >= 0)
		open_cat(s, r);
	return r == MENU_IGNORED ? UI_PASS : UI_HANDLED;
}

static int cats_mouse(struct screen *s, int target)
{
	struct cats *c = s->priv;
	if (target == T_RETRY) {
		app_catalog_refresh(s->app);
		return UI_HANDLED;
	}
	int r = menu_mouse(&c->m, target);
	if (r >= 0)
		open_cat(s, r);
	return UI_HANDLED;
}

static const char *cats_title(struct screen *s)
{
	return _("Services by category");
}

static void cats_speak(struct screen *s, char *buf, size_t n, bool full)
{
	struct cats *c = s->priv;
	struct app *a = s->app;
	if (!have_catalog(a) || a->cat.n_cats == 0) {
		const char *state = a->cat_state == CAT_FAILED && a->cat_error ? a->cat_error
		                  : a->cat.n_cats == 0 && have_catalog(a) ? _("No services are offered at this kiosk.")
		                  : _("Loading the list of services...");
		snprintf(buf, n, "%s", state);
		return;
	}
	char item[512];
	const char *sub;
	const char *name = cat_label(s, c->m.focus, &sub);
	char both[400];
	snprintf(both, sizeof both, _("%s, %s"), name, sub);
	menu_speak_item(&c->m, c->m.focus, both, item, sizeof item);
	if (full)
		snprintf(buf, n, _("%s. Page %d of %d. Press a number to choose a category. %s"),
		         cats_title(s), menu_page(&c->m) + 1, c->m.g.pages, item);
	else
		snprintf(buf, n, "%s", item);
}

const struct screen_ops scr_categories = {
	.name = "categories",
	.enter = cats_enter,
	.leave = cats_leave,
	.key = cats_key,
	.mouse = cats_mouse,
	.draw = cats_draw,
	.resize = cats_resize,
	.speak = cats_speak,
	.title = cats_title,
};
