/* scr_voice.c: voice settings, reached from the home screen's voice button
 * while voice mode is on: hear again, speed, volume, turn off. */
#include <stdio.h>
#include <stdlib.h>

#include "app.h"
#include "screens.h"
#include "i18n.h"
#include "menu.h"
#include "speech.h"
#include "ui.h"
#include "util.h"

enum { V_REPEAT, V_FASTER, V_SLOWER, V_LOUDER, V_SOFTER, V_OFF, V_COUNT };

struct voice {
	struct menu m;
	char sub[64];
};

static const char *voice_label(void *ud, int i, const char **sub)
{
	struct screen *s = ud;
	struct voice *v = s->priv;
	struct speech *sp = s->app->speech;
	*sub = NULL;
	switch (i) {
	case V_REPEAT: return _("Hear it again");
	case V_FASTER:
	case V_SLOWER:
		snprintf(v->sub, sizeof v->sub, _("Speed now %d"), sp ? speech_rate(sp) : 0);
		*sub = v->sub;
		return i == V_FASTER ? _("Speak faster") : _("Speak slower");
	case V_LOUDER:
	case V_SOFTER:
		snprintf(v->sub, sizeof v->sub, _("Volume now %d"), sp ? speech_volume(sp) : 0);
		*sub = v->sub;
		return i == V_LOUDER ? _("Louder") : _("Softer");
	case V_OFF: return _("Turn voice guide off");
	}
	return "";
}

static void voice_enter(struct screen *s, void *arg)
{
	s->priv = xcalloc(1, sizeof(struct voice));
}

static void voice_leave(struct screen *s)
{
	free(s->priv);
}

static void voice_resize(struct screen *s, struct rect area)
{
	struct voice *v = s->priv;
	menu_layout(&v->m, area, V_COUNT, 20, 3, 2, 1, 2);
}

static void act(struct screen *s, int i)
{
	struct app *a = s->app;
	struct speech *sp = a->speech;
	if (!sp)
		return;
	switch (i) {
	case V_REPEAT:
		ui_pop(a); /* hear the screen before this one */
		access_repeat(a);
		return;
	case V_FASTER: speech_set_rate(sp, speech_rate(sp) + 25); break;
	case V_SLOWER: speech_set_rate(sp, speech_rate(sp) - 25); break;
	case V_LOUDER: speech_set_volume(sp, speech_volume(sp) + 20); break;
	case V_SOFTER: speech_set_volume(sp, speech_volume(sp) - 20); break;
	case V_OFF:
		ui_pop(a);
		access_set_voice(a, false);
		return;
	}
	/* Say the new setting in the new voice. */
	const char *sub;
	char now[128];
	snprintf(now, sizeof now, "%s", voice_label(s, i, &sub));
	access_speak_notice(a, sub ? sub : now);
}

static int voice_key(struct screen *s, int key)
{
	struct voice *v = s->priv;
	int r = menu_key(&v->m, key);
	if (r >= 0)
		act(s, r);
	return r == MENU_IGNORED ? UI_PASS : UI_HANDLED;
}

static int voice_mouse(struct screen *s, int target)
{
	struct voice *v = s->priv;
	int r = menu_mouse(&v->m, target);
	if (r >= 0)
		act(s, r);
	return UI_HANDLED;
}

static void voice_draw(struct screen *s, struct rect area)
{
	struct voice *v = s->priv;
	menu_draw(&v->m, voice_label, s);
}

static const char *voice_title(struct screen *s)
{
	return _("Voice guide");
}

static void voice_speak(struct screen *s, char *buf, size_t n, bool full)
{
	struct voice *v = s->priv;
	const char *sub;
	char item[200];
	menu_speak_item(&v->m, v->m.focus, voice_label(s, v->m.focus, &sub), item, sizeof item);
	if (full)
		snprintf(buf, n, _("%s. 1 hear it again, 2 faster, 3 slower, 4 louder, 5 softer, 6 turn off. %s"),
		         voice_title(s), item);
	else
		snprintf(buf, n, "%s", item);
}

const struct screen_ops scr_voice = {
	.name = "voice",
	.enter = voice_enter,
	.leave = voice_leave,
	.key = voice_key,
	.mouse = voice_mouse,
	.draw = voice_draw,
	.resize = voice_resize,
	.speak = voice_speak,
	.title = voice_title,
};
