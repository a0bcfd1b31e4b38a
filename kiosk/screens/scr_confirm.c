/* scr_confirm.c: a question before something that cannot be undone (large
 * mode asks first): 1 yes, 2 no. */
#include <stdio.h>
#include <stdlib.h>

#include "app.h"
#include "screens.h"
#include "i18n.h"
#include "menu.h"
#include "ui.h"
#include "util.h"

struct confirm {
	struct menu m;
	char *question;
	void (*yes)(struct app *a);
	struct rect q;
};

static const char *confirm_label(void *ud, int i, const char **sub)
{
	*sub = NULL;
	return i == 0 ? _("Yes") : _("No, go back");
}

static void confirm_enter(struct screen *s, void *arg)
{
	const struct scr_confirm_arg *c = arg;
	struct confirm *k = xcalloc(1, sizeof *k);
	k->question = xstrdup(c->question);
	k->yes = c->yes;
	k->m.focus = 1; /* the safe answer first */
	s->priv = k;
}

static void confirm_leave(struct screen *s)
{
	struct confirm *k = s->priv;
	free(k->question);
	free(k);
}

static void confirm_resize(struct screen *s, struct rect area)
{
	struct confirm *k = s->priv;
	k->q = (struct rect){ area.x + 1, area.y + 1, area.w - 2, 3 };
	struct rect m = { area.x, area.y + 5, area.w, area.h - 5 };
	menu_layout(&k->m, m, 2, 12, 3, 4, 1, 2);
}

static void answer(struct screen *s, int i)
{
	struct app *a = s->app;
	void (*yes)(struct app *) = ((struct confirm *)s->priv)->yes;
	ui_pop(a); /* s is gone */
	if (i == 0 && yes)
		yes(a);
}

static int confirm_key(struct screen *s, int key)
{
	struct confirm *k = s->priv;
	int r = menu_key(&k->m, key);
	if (r >= 0)
		answer(s, r);
	return r == MENU_IGNORED ? UI_PASS : UI_HANDLED;
}

static int confirm_mouse(struct screen *s, int target)
{
	struct confirm *k = s->priv;
	int r = menu_mouse(&k->m, target);
	if (r >= 0)
		answer(s, r);
	return UI_HANDLED;
}

static void confirm_draw(struct screen *s, struct rect area)
{
	struct confirm *k = s->priv;
	ui_para(k->q, ROLE_TEXT, k->question);
	menu_draw(&k->m, confirm_label, s);
}

static const char *confirm_title(struct screen *s)
{
	return _("Please confirm");
}

static void confirm_speak(struct screen *s, char *buf, size_t n, bool full)
{
	struct confirm *k = s->priv;
	const char *sub;
	char item[128];
	menu_speak_item(&k->m, k->m.focus, confirm_label(s, k->m.focus, &sub), item, sizeof item);
	if (full)
		snprintf(buf, n, _("%s Press 1 for yes, 2 for no. %s"), k->question, item);
	else
		snprintf(buf, n, "%s", item);
}

const struct screen_ops scr_confirm = {
	.name = "confirm",
	.enter = confirm_enter,
	.leave = confirm_leave,
	.key = confirm_key,
	.mouse = confirm_mouse,
	.draw = confirm_draw,
	.resize = confirm_resize,
	.speak = confirm_speak,
	.title = confirm_title,
};
