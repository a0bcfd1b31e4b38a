/* scr_message.c: a title, a paragraph and an OK button: notices, and the
 * entry points that later versions fill. */
#include <stdio.h>
#include <stdlib.h>

#include "app.h"
#include "screens.h"
#include "i18n.h"
#include "text.h"
#include "ui.h"
#include "util.h"

struct message {
	char *title;
	char *text;
	struct rect ok;
};

static void msg_enter(struct screen *s, void *arg)
{
	const struct scr_message_arg *a = arg;
	struct message *m = xcalloc(1, sizeof *m);
	m->title = xstrdup(a->title);
	m->text = xstrdup(a->text);
	s->priv = m;
}

static void msg_leave(struct screen *s)
{
	struct message *m = s->priv;
	free(m->title);
	free(m->text);
	free(m);
}

static void msg_resize(struct screen *s, struct rect area)
{
	struct message *m = s->priv;
	int w = area.w < 20 ? area.w : 20;
	m->ok = (struct rect){ area.x + (area.w - w) / 2, area.y + area.h - 3, w, 3 };
	if (m->ok.y < area.y)
		m->ok.y = area.y;
}

static void msg_draw(struct screen *s, struct rect area)
{
	struct message *m = s->priv;
	ui_para((struct rect){ area.x + 1, area.y + 1, area.w - 2, m->ok.y - area.y - 2 }, ROLE_TEXT, m->text);
	ui_button(m->ok, 0, 1, _("OK"), NULL, true);
}

static void done(struct screen *s)
{
	ui_pop(s->app);
}

static int msg_key(struct screen *s, int key)
{
	if (key == K_RETURN || key == '1' || key == ' ') {
		done(s);
		return UI_HANDLED;
	}
	return UI_PASS;
}

static int msg_mouse(struct screen *s, int target)
{
	if (target == 0)
		done(s);
	return UI_HANDLED;
}

static const char *msg_title(struct screen *s)
{
	return ((struct message *)s->priv)->title;
}

static void msg_speak(struct screen *s, char *buf, size_t n, bool full)
{
	struct message *m = s->priv;
	if (full)
		snprintf(buf, n, _("%s. %s Press 1 or Enter for OK."), m->title, m->text);
	else
		snprintf(buf, n, "%s", m->title);
}

const struct screen_ops scr_message = {
	.name = "message",
	.enter = msg_enter,
	.leave = msg_leave,
	.key = msg_key,
	.mouse = msg_mouse,
	.draw = msg_draw,
	.resize = msg_resize,
	.speak = msg_speak,
	.title = msg_title,
};
