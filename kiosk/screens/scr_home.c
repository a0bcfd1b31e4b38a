/* scr_home.c: the home screen: what a citizen can do here, the language
 * switch, and the accessibility modes. Always at the bottom of the stack.
 * It accepts scans: showing the government app's login code to the scanner
 * logs the citizen in from here at once, without finding a menu first. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "fleet.h"
#include "screens.h"
#include "i18n.h"
#include "menu.h"
#include "session.h"
#include "staff.h"
#include "text.h"
#include "ui.h"
#include "util.h"

/* The accessibility modes come first: big buttons 1 and 2. */
enum { H_LARGE, H_VOICE, H_SERVICES, H_LOGIN, H_BILLS, H_QUEUE, H_MINE, H_LANG, H_SEARCH, H_COUNT };
_Static_assert((int)H_COUNT == (int)KCONF_HOME_COUNT, "kconf.c names the home buttons in H_* order");
struct home {
	struct menu m;
	/* The buttons shown, in order (a config's home_buttons): the menu's
	 * item i, digit i + 1, is button order[i]. */
	int order[H_COUNT], n;
	int notice_y;       /* the config's notice (fleet.c), or -1 */
	char lang_label[64];
	char who[160];
	int welcome_y;
	bool had_session;   /* a citizen was logged in at the last layout */
};

static const char *item_label(void *ud, int i, const char **sub)
{
	struct screen *s = ud;
	struct home *h = s->priv;
	*sub = NULL;
	switch (i) {
	case H_SERVICES: *sub = _("Social security, medical, housing fund..."); return _("Services");
	case H_LOGIN:
		if (session_active(s->app)) {
			const struct citizen *c = session_citizen(s->app);
			snprintf(h->who, sizeof h->who, "%s %s", c->display_name, c->id_masked);
			*sub = h->who;
			return _("Log out");
		}
		*sub = _("Scan your app's code");
		return _("Log in");
	case H_BILLS: *sub = _("Water, power, gas, fines"); return _("Pay bills");
	case H_SEARCH: *sub = _("Type pinyin: sbcx = 社保查询"); return _("Search services");
	case H_QUEUE: *sub = _("Get a number for a counter"); return _("Take a number");
	case H_MINE: *sub = _("Progress and e-licences"); return _("My applications");
	/* A mode's state is said in words, never by colour alone. */
	case H_LARGE:
		*sub = s->app->large ? _("On: press again to turn off") : _("Bigger text");
		return s->app->large ? _("Large text: on") : _("Large text");
	case H_VOICE:
		*sub = s->app->voice ? _("On: speed, volume, turn off") : _("Spoken guidance");
		return s->app->voice ? _("Voice guide: on") : _("Voice guide");
	case H_LANG:
		snprintf(h->lang_label, sizeof h->lang_label, "%s", i18n_lang_name(i18n_lang()));
		*sub = h->lang_label;
		/* Bilingual on purpose: findable whatever language is showing. */
		return !strcmp(i18n_lang(), "zh_TW") ? "語言 Language" : "语言 Language";
	}
	return "";
}

/* Item i of the menu as shown. */
static const char *shown_label(void *ud, int i, const char **sub)
{
	struct home *h = ((struct screen *)ud)->priv;
	*sub = NULL;
	return i >= 0 && i < h->n ? item_label(ud, h->order[i], sub) : "";
}

static void home_enter(struct screen *s, void *arg)
{
	s->priv = xcalloc(1, sizeof(struct home));
}

static void home_leave(struct screen *s)
{
	free(s->priv);
}

static void home_resize(struct screen *s, struct rect area)
{
	struct home *h = s->priv;
	if (h->had_session && !session_active(s->app)) {
		/* A session ended (session_end lays home out again): nothing of
		 * that citizen stays, not their name on the button, not where
		 * their focus was. */
		explicit_bzero(h->who, sizeof h->who);
		h->m.focus = 0;
	}
	h->had_session = session_active(s->app);
	h->n = fleet_home_buttons(s->app, h->order);
	h->welcome_y = -1;
	if (area.h >= 16) {
		h->welcome_y = area.y;
		area.y += 2;
		area.h -= 2;
	}
	/* The notice: on the welcome's blank line, or a line of its own. */
	h->notice_y = -1;
	if (fleet_notice(s->app) && area.h >= 8) {
		h->notice_y = h->welcome_y >= 0 ? area.y - 1 : area.y;
		if (h->welcome_y < 0 || area.h >= 22) {
			area.y += 1 + (h->welcome_y < 0);
			area.h -= 1 + (h->welcome_y < 0);
		}
	}
	/* Two columns of big buttons; a blank row between rows when it fits. */
	int item_h = area.h >= 4 * 4 + 3 ? 4 : 3;
	int gap_y = area.h >= 4 * item_h + 3 ? 1 : 0;
	menu_layout(&h->m, area, h->n, 22, item_h, 2, gap_y, area.w >= 110 ? 4 : 2);
}

static void coming_soon(struct screen *s, const char *title)
{
	struct scr_message_arg arg = {
		title, _("This service is not yet available at this kiosk. Please ask the staff at the information desk."),
	};
	ui_push(s->app, &scr_message, &arg);
}

static void activate(struct screen *s, int i)
{
	const char *sub;
	switch (i) {
	case H_LARGE:
		access_set_large(s->app, !s->app->large);
		break;
	case H_VOICE:
		if (s->app->voice)
			ui_push(s->app, &scr_voice, NULL);
		else
			access_set_voice(s->app, true);
		break;
	case H_SERVICES:
		ui_push(s->app, &scr_categories, NULL);
		break;
	case H_LOGIN:
		if (session_active(s->app))
			app_logout(s->app);
		else
			ui_push(s->app, &scr_login, NULL);
		break;
	case H_MINE:
		app_push_citizen(s->app, &scr_mine, NULL);
		break;
	case H_LANG:
		ui_push(s->app, &scr_lang, NULL);
		break;
	case H_BILLS:
		ui_push(s->app, &scr_bills, NULL);
		break;
	case H_SEARCH:
		ui_push(s->app, &scr_search, NULL);
		break;
	case H_QUEUE:
		ui_push(s->app, &scr_queue, NULL);
		break;
	default:
		coming_soon(s, item_label(s, i, &sub));
		break;
	}
}

static int home_key(struct screen *s, int key)
{
	struct home *h = s->priv;
	if (app_staff_key(s->app, key)) /* * # * #: the staff PIN (scr_staff.c) */
		return UI_HANDLED;
	if (app_search_key(s->app, key))
		return UI_HANDLED;
	int r = menu_key(&h->m, key);
	if (r >= 0 && r < h->n)
		activate(s, h->order[r]);
	return r == MENU_IGNORED ? UI_PASS : UI_HANDLED;
}

static int home_mouse(struct screen *s, int target)
{
	struct home *h = s->priv;
	int r = menu_mouse(&h->m, target);
	if (r >= 0 && r < h->n)
		activate(s, h->order[r]);
	return UI_HANDLED;
}

static int home_scan(struct screen *s, const char *code, size_t len)
{
	if (staff_code_like(code, len)) /* a staff card: staff mode (staff.h) */
		staff_card_login(s, code, len, app_staff_started);
	else
		session_scan_login(s, code, len); /* one at a time, decided there */
	return UI_HANDLED;
}

static void home_draw(struct screen *s, struct rect area)
{
	struct home *h = s->priv;
	if (h->welcome_y >= 0)
		ui_text_center(area.x, h->welcome_y, area.w, ROLE_TEXT,
		               session_active(s->app)
		               ? _("You are logged in. Touch a button or press its number.")
		               : _("Welcome. Touch a button or press its number, or scan your app's login code."));
	const char *notice = fleet_notice(s->app);
	if (h->notice_y >= 0 && notice) {
		/* Checked by fleet.c; cleaned again here: nothing from outside
		 * reaches the terminal unsanitized. */
		char *clean = text_sanitize(notice, strlen(notice), 0);
		char *line = xasprintf(_("Notice: %s"), clean);
		char *fit = text_ellipsize(line, area.w - 2);
		ui_fill((struct rect){ area.x, h->notice_y, area.w, 1 }, ROLE_BANNER);
		ui_text_center(area.x + 1, h->notice_y, area.w - 2, ROLE_BANNER, fit);
		free(fit);
		free(line);
		free(clean);
	}
	menu_draw(&h->m, shown_label, s);
}

static const char *home_title(struct screen *s)
{
	return _("Government Services Self-Service Kiosk");
}

static void home_speak(struct screen *s, char *buf, size_t n, bool full)
{
	struct home *h = s->priv;
	const char *sub;
	char item[256];
	menu_speak_item(&h->m, h->m.focus, shown_label(s, h->m.focus, &sub), item, sizeof item);
	if (!full) {
		snprintf(buf, n, "%s", item);
		return;
	}
	/* Every choice with its number, then where the focus is. */
	size_t len = 0;
	const char *notice = fleet_notice(s->app);
	if (notice) { /* the hall's notice first (fleet.c) */
		char *clean = text_sanitize(notice, strlen(notice), 0);
		len = (size_t)snprintf(buf, n, _("Notice: %s."), clean);
		free(clean);
		if (len < n)
			len += (size_t)snprintf(buf + len, n - len, " ");
	}
	if (len < n)
		len += (size_t)snprintf(buf + len, n - len, _("%s. Press a number to choose:"), home_title(s));
	for (int i = 0; i < h->n && len < n; i++)
		len += (size_t)snprintf(buf + len, n - len, " %d %s;", i + 1, shown_label(s, i, &sub));
	if (len < n)
		snprintf(buf + len, n - len, " %s", item);
}

const struct screen_ops scr_home = {
	.name = "home",
	.enter = home_enter,
	.leave = home_leave,
	.key = home_key,
	.mouse = home_mouse,
	.draw = home_draw,
	.resize = home_resize,
	.speak = home_speak,
	.title = home_title,
	.scan = home_scan,
};
