/* access.c: the accessibility modes, which can be combined.
 *
 * Large-text mode (大字模式): asks the terminal for a bigger font through a
 * hook (xterm's font-menu escape, or a command of the deployment's), lays
 * every screen out for the smaller grid that results with fewer, bigger
 * choices (menu.c), switches to the large theme, and gives more time.
 *
 * Voice mode (语音播报): after each paint, says what the screen shows if
 * it changed: the whole screen (title, what to do, the focused item) when
 * the screen is new, the focused item when only the focus moved, and any
 * notice first. Speech runs in speech.c's worker; nothing here blocks.
 */
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "app.h"
#include "i18n.h"
#include "log.h"
#include "speech.h"
#include "ui.h"
#include "util.h"

extern char **environ;

long access_idle_limit_s(const struct app *a)
{
	/* Large mode is for people who need more time: 2.5 times as long. */
	return a->large ? a->cfg.idle_timeout_s * 5 / 2 : a->cfg.idle_timeout_s;
}

/* Runs the deployment's font command without waiting for it and without
 * leaving a zombie: the child forks the command and exits at once. */
static void run_font_command(const char *path, const char *arg)
{
	pid_t pid = fork();
	if (pid < 0) {
		log_warn("large mode: fork failed");
		return;
	}
	if (pid == 0) {
		pid_t g = fork();
		if (g == 0) {
			char *argv[] = { (char *)path, (char *)arg, NULL };
			int devnull = open("/dev/null", O_RDWR);
			if (devnull >= 0) {
				dup2(devnull, 0);
				dup2(devnull, 1);
				dup2(devnull, 2);
			}
			/* Nothing else of ours: not the gateway's sockets, not the
			 * log, whether or not a library marked them close-on-exec. */
			close_range(3, ~0U, 0);
			execv(path, argv);
			_exit(127);
		}
		_exit(g < 0 ? 1 : 0);
	}
	waitpid(pid, NULL, 0);
}

enum { FONT_NORMAL, FONT_QR, FONT_LARGE };

static void font_set(struct app *a, int level)
{
	if (a->font_level == level)
		return;
	a->font_level = level;
	static const char *const names[] = { "normal", "for the QR code", "bigger" };
	const char *how = a->cfg.large_font;
	struct large_font lf;
	if (config_large_font_parse(how, &lf) == 0) {
		/* xterm: OSC 50 sets the font; "xft:" names a TrueType one at a
		 * size in points (needs allowFontOps, as dist/kiosk-session sets).
		 * With its window kept full screen the grid shrinks: SIGWINCH. */
		int size = level == FONT_LARGE ? lf.size_large
		         : level == FONT_QR    ? lf.size + (lf.size_large - lf.size) * 5 / 8
		                               : lf.size;
		if (size < lf.size)
			size = lf.size;
		printf("\033]50;xft:%s:size=%d\007", lf.family, size);
		fflush(stdout);
		a->font_pending = true;
	} else if (!strncmp(how, "command:", 8)) {
		/* A command knows two sizes: a QR code gets the normal one. */
		run_font_command(how + 8, level == FONT_LARGE ? "large" : "normal");
		a->font_pending = true;
	}
	log_info("large mode: font %s (%s)", names[level], how);
}

void access_font_settled(struct app *a)
{
	a->font_pending = false;
}

void access_qr_font(struct app *a, bool qr_shown)
{
	if (a->large)
		font_set(a, qr_shown ? FONT_QR : FONT_LARGE);
}

bool access_qr_font_smaller(struct app *a)
{
	if (!a->large || a->font_level != FONT_QR || a->font_pending)
		return false;
	log_info("large mode: the QR code does not fit at the QR size");
	font_set(a, FONT_NORMAL);
	return true;
}

void access_set_large(struct app *a, bool on)
{
	if (a->large == on)
		return;
	a->large = on;
	ui_set_large(on);
	a->theme = on ? a->theme_large : a->theme_normal;
	ui_colours_init(&a->theme);
	font_set(a, on ? FONT_LARGE : FONT_NORMAL);
	ui_repaint_all(a);
	ui_relayout(a);
	access_speak_notice(a, on ? _("Large text is on.") : _("Large text is off."));
}

static void on_speech_event(void *ud, enum speech_event ev, const char *why)
{
	struct app *a = ud;
	if (ev == SPEECH_AUDIO_FAILED && !a->speech_failed) {
		a->speech_failed = true;
		log_warn("speech: no audio: %s", why ? why : "");
		ui_toast(a, ROLE_BANNER, _("Voice guidance cannot play: no sound device. Please ask the staff."));
	}
}

/* The speech backend, opened at first use (false: it cannot be; logged). */
static bool speech_ready(struct app *a)
{
	if (a->speech)
		return true;
	char err[256];
	char *prompts = i18n_locale_dir();
	a->speech = speech_open(a->loop, a->cfg.speech, prompts, on_speech_event, a, err, sizeof err);
	free(prompts);
	if (!a->speech)
		log_warn("speech %s: %s", a->cfg.speech, err);
	return a->speech != NULL;
}

bool access_say(struct app *a, const char *text)
{
	if (!speech_ready(a))
		return false;
	speech_say(a->speech, i18n_lang(), text, NULL);
	return true;
}

void access_set_voice(struct app *a, bool on)
{
	if (a->voice == on)
		return;
	if (on && !speech_ready(a)) {
		ui_toast(a, ROLE_ERROR, _("Voice guidance is not available at this kiosk."));
		return;
	}
	a->voice = on;
	ui_set_voice(on);
	a->spoken_id = 0;
	a->spoken[0] = '\0';
	if (on)
		access_speak_notice(a, _("Voice guidance is on. Press a number to choose; press the star key to hear this again."));
	else if (a->speech)
		speech_stop(a->speech);
	ui_dirty(a);
}

void access_reset(struct app *a)
{
	access_set_large(a, a->cfg.mode_large);
	access_set_voice(a, a->cfg.mode_voice);
}

void access_speak_notice(struct app *a, const char *text)
{
	if (!a->voice)
		return;
	snprintf(a->speak_first, sizeof a->speak_first, "%s", text);
	a->spoken[0] = '\0'; /* say it at the next paint, with the screen */
	ui_dirty(a);
}

void access_repeat(struct app *a)
{
	a->spoken_id = 0;
	a->spoken[0] = '\0';
	ui_dirty(a);
}

void access_speak_screen(struct app *a)
{
	if (!a->voice || !a->speech)
		return;
	struct screen *s = ui_top(a);
	if (!s || !s->ops->speak)
		return;
	/* `spoken` remembers the short form (the focus), so a screen said in
	 * full is not followed by its focused item again. */
	char now[1024];
	s->ops->speak(s, now, sizeof now, false);
	bool full = s->id != a->spoken_id;
	if (!full && !a->speak_first[0] && !strcmp(now, a->spoken))
		return; /* nothing new (a clock tick, say) */
	char text[2048];
	size_t n = 0;
	if (a->speak_first[0])
		n = (size_t)snprintf(text, sizeof text, "%s ", a->speak_first);
	if (n < sizeof text) {
		if (full)
			s->ops->speak(s, text + n, sizeof text - n, true);
		else
			snprintf(text + n, sizeof text - n, "%s", now);
	}
	a->speak_first[0] = '\0';
	snprintf(a->spoken, sizeof a->spoken, "%s", now);
	a->spoken_id = s->id;
	/* A recorded prompt, where one exists, stands for a whole screen. */
	speech_say(a->speech, i18n_lang(), text, full ? s->ops->name : NULL);
}
