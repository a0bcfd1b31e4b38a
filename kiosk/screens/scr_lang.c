/* scr_lang.c: the language picker: 简体中文, 繁體中文, English. Each name is
 * written in its own language, so anyone can find theirs. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "screens.h"
#include "i18n.h"
#include "menu.h"
#include "ui.h"
#include "util.h"

static const char *const langs[] = { "zh_CN", "zh_TW", "en" };
#define N_LANGS 3

static const char *lang_label(void *ud, int i, const char **sub)
{
	static const char *const names[N_LANGS] = { "简体中文", "繁體中文", "English" };
	*sub = strcmp(langs[i], i18n_lang()) == 0 ? _("(current)") : NULL;
	return names[i];
}

static void lang_enter(struct screen *s, void *arg)
{
	struct menu *m = xcalloc(1, sizeof *m);
	for (int i = 0; i < N_LANGS; i++)
		if (!strcmp(langs[i], i18n_lang()))
			m->focus = i;
	s->priv = m;
}

static void lang_leave(struct screen *s)
{
	free(s->priv);
}

static void lang_resize(struct screen *s, struct rect area)
{
	menu_layout(s->priv, area, N_LANGS, 20, 3, 2, 1, 1);
}

static void pick(struct screen *s, int i)
{
	struct app *a = s->app;
	ui_pop(a); /* s is gone */
	app_set_lang(a, langs[i]);
}

static int lang_key(struct screen *s, int key)
{
	int r = menu_key(s->priv, key);
	if (r >= 0)
		pick(s, r);
	return r == MENU_IGNORED ? UI_PASS : UI_HANDLED;
}

static int lang_mouse(struct screen *s, int target)
{
	int r = menu_mouse(s->priv, target);
	if (r >= 0)
		pick(s, r);
	return UI_HANDLED;
}

static void lang_draw(struct screen *s, struct rect area)
{
	menu_draw(s->priv, lang_label, s);
}

static const char *lang_title(struct screen *s)
{
	return "语言 / 語言 / Language";
}

static void lang_speak(struct screen *s, char *buf, size_t n, bool full)
{
	struct menu *m = s->priv;
	const char *sub;
	char item[128];
	menu_speak_item(m, m->focus, lang_label(s, m->focus, &sub), item, sizeof item);
	if (full)
		snprintf(buf, n, "%s. 1 简体中文, 2 繁體中文, 3 English. %s", _("Choose a language"), item);
	else
		snprintf(buf, n, "%s", item);
}

const struct screen_ops scr_lang = {
	.name = "lang",
	.enter = lang_enter,
	.leave = lang_leave,
	.key = lang_key,
	.mouse = lang_mouse,
	.draw = lang_draw,
	.resize = lang_resize,
	.speak = lang_speak,
	.title = lang_title,
};
