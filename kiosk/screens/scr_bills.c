/* scr_bills.c: 生活缴费, the first step: which kind of bill. Water,
 * electricity, gas or a traffic fine; the account number comes next
 * (scr_account.c). A paper bill's code may be scanned here already: its
 * account number is taken for the kind the code says, or asked for. */
#include <stdio.h>
#include <stdlib.h>

#include "app.h"
#include "screens.h"
#include "i18n.h"
#include "menu.h"
#include "pay.h"
#include "ui.h"
#include "util.h"

struct bills {
	struct menu m;
};

const char *bill_type_label(enum bill_type t)
{
	switch (t) {
	case BILL_WATER: return _("Water");
	case BILL_ELECTRICITY: return _("Electricity");
	case BILL_GAS: return _("Gas");
	case BILL_TRAFFIC_FINE: return _("Traffic fine");
	default: return "?";
	}
}

static const char *type_label(void *ud, int i, const char **sub)
{
	static const char *const subs[BILL_TYPES] = {
		[BILL_WATER] = N_("Account number on your water bill"),
		[BILL_ELECTRICITY] = N_("Account number on your electricity bill"),
		[BILL_GAS] = N_("Account number on your gas bill"),
		[BILL_TRAFFIC_FINE] = N_("Decision number on the fine notice"),
	};
	*sub = _(subs[i]);
	return bill_type_label((enum bill_type)i);
}

static void bills_enter(struct screen *s, void *arg)
{
	s->priv = xcalloc(1, sizeof(struct bills));
}

static void bills_leave(struct screen *s)
{
	free(s->priv);
}

static void bills_resize(struct screen *s, struct rect area)
{
	struct bills *b = s->priv;
	int item_h = area.h >= 16 ? 4 : 3;
	menu_layout(&b->m, area, BILL_TYPES, 22, item_h, 2, area.h >= 4 * item_h + 3 ? 1 : 0, 2);
}

static void bills_draw(struct screen *s, struct rect area)
{
	struct bills *b = s->priv;
	menu_draw(&b->m, type_label, s);
}

static void pick(struct screen *s, int i)
{
	ui_push(s->app, &scr_account, &(struct scr_account_arg){ (enum bill_type)i, NULL });
}

static int bills_key(struct screen *s, int key)
{
	struct bills *b = s->priv;
	int r = menu_key(&b->m, key);
	if (r >= 0)
		pick(s, r);
	return r == MENU_IGNORED ? UI_PASS : UI_HANDLED;
}

static int bills_mouse(struct screen *s, int target)
{
	struct bills *b = s->priv;
	int r = menu_mouse(&b->m, target);
	if (r >= 0)
		pick(s, r);
	return UI_HANDLED;
}

static const char *bills_title(struct screen *s)
{
	return _("Pay bills");
}

static void bills_speak(struct screen *s, char *buf, size_t n, bool full)
{
	struct bills *b = s->priv;
	const char *sub;
	char item[256];
	menu_speak_item(&b->m, b->m.focus, type_label(s, b->m.focus, &sub), item, sizeof item);
	if (full)
		snprintf(buf, n, _("%s. Which bill do you want to pay? Press a number. %s"), bills_title(s), item);
	else
		snprintf(buf, n, "%s", item);
}

const struct screen_ops scr_bills = {
	.name = "bills",
	.enter = bills_enter,
	.leave = bills_leave,
	.key = bills_key,
	.mouse = bills_mouse,
	.draw = bills_draw,
	.resize = bills_resize,
	.speak = bills_speak,
	.title = bills_title,
};
