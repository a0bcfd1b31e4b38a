/* main.c: start-up and shut-down: configuration, locale, theme, log, and
 * the wiring of terminal, gateway, signals and timers into the loop.
 */
#include <errno.h>
#include <curses.h>
#include <langinfo.h>
#include <locale.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "app.h"
#include "hall.h"
#include "i18n.h"
#include "fleet.h"
#include "jsonx.h"
#include "log.h"
#include "loop.h"
#include "mirror.h"
#include "outbox.h"
#include "screens.h"
#include "scan.h"
#include "session.h"
#include "speech.h"
#include "staff.h"
#include "supervise.h"
#include "text.h"
#include "ui.h"
#include "util.h"

static struct app the_app;
/* kiosk --mirror: staff watching the screen (mirror.c); NULL without. */
static struct mirror *the_mirror;

/* How long shut-down waits for the gateway to confirm a logout. */
#define SHUTDOWN_DRAIN_MS 1500

/* ---- terminal and signals ---- */

static void on_tty(struct loop *l, int fd, int revents, void *ud)
{
	struct app *a = ud;
	if ((revents & (POLLHUP | POLLERR | POLLNVAL)) || !ui_input(a)) {
		log_warn("terminal gone; exiting");
		loop_stop(l, 1);
	}
}

static void on_before_sleep(struct loop *l, void *ud)
{
	struct app *a = ud;
	ui_paint(a);
	supervise_painted(); /* the first time: READY=1 */
	/* A citizen's (masked) data is shown to viewers only if allowed. */
	mirror_update(the_mirror, !session_active(a) || a->cfg.mirror_private);
}

/* The grid, and the size of a cell in pixels where the terminal says it
 * (xterm does): what large-text mode really achieved. */
static void note_size(struct app *a, const struct winsize *ws)
{
	int cw = ws->ws_col ? ws->ws_xpixel / ws->ws_col : 0;
	int ch = ws->ws_row ? ws->ws_ypixel / ws->ws_row : 0;
	if (ws->ws_col == a->term_cols && ws->ws_row == a->term_rows && ch == a->cell_h)
		return;
	a->term_cols = ws->ws_col;
	a->term_rows = ws->ws_row;
	a->cell_w = cw;
	a->cell_h = ch;
	log_info("terminal: %dx%d cells of %dx%d px", ws->ws_col, ws->ws_row, cw, ch);
}

static void on_winch(struct loop *l, int sig, void *ud)
{
	struct winsize ws;
	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0) {
		note_size(ud, &ws);
		access_font_settled(ud);
		ui_resize(ud, ws.ws_col, ws.ws_row);
	}
}

static void on_term(struct loop *l, int sig, void *ud)
{
	struct app *a = ud;
	if (a->session.draining) {
		/* A lost terminal sends SIGHUP after its hang-up: the wait for
		 * the logout (bounded) goes on. */
		log_info("signal %d during shut-down: still waiting for the logout", sig);
		return;
	}
	log_info("signal %d: exiting", sig);
	loop_stop(l, 0);
}

/* ---- what the UI needs from the layers above it (ui.h: struct ui_hooks) ---- */

static const char *hook_citizen(struct app *a)
{
	return session_active(a) ? session_citizen(a)->display_name : NULL;
}

static void hook_expired(struct app *a) { session_end(a, END_EXPIRED); }

static void hook_scan(struct app *a, const char *code, size_t len)
{
	app_on_scan(a, code, len, "keyboard");
}

static bool hook_key(struct app *a, int key)
{
	return a->cfg.demo_sim && app_demo_key(a, key);
}

static const char *hook_offline(struct app *a)
{
	return a->cat_state == CAT_CACHED
		? _("! Offline: showing the saved service list. Applying and paying are not available.")
		: NULL;
}

static void hook_painted(struct app *a)
{
	access_speak_screen(a);
	mirror_painted(the_mirror);
}

static bool hook_watched(struct app *a)
{
	return mirror_viewers(the_mirror) > 0;
}

/* A viewer came or went: the status bar's marker. */
static void on_mirror_change(void *ud) { ui_dirty(ud); }

/* Staff in staff mode are the help: no 呼叫工作人员 for them. */
static bool hook_help_offered(struct app *a) { return !staff_active(a); }

static const struct ui_hooks ui_hooks = {
	.activity = session_activity,
	.idle_warning = session_idle_warning,
	.citizen = hook_citizen,
	.logout = app_logout,
	.session_expired = hook_expired,
	.painted = hook_painted,
	.notice = access_speak_notice,
	.repeat = access_repeat,
	.key = hook_key,
	.scan = hook_scan,
	.quit = app_quit,
	.offline_text = hook_offline,
	.watched = hook_watched,
	.help = hall_call_help,
	.help_offered = hook_help_offered,
};

static void restore_terminal(void)
{
	if (stdscr && !isendwin())
		endwin();
}

/* Kiosk mode: the process holds citizens' data, so it never leaves a core
 * file, and other processes of the same user cannot attach to it or read
 * its memory (PR_SET_DUMPABLE 0 gives /proc/PID/mem to root alone). */
static void no_core_dumps(void)
{
	struct rlimit none = { 0, 0 };
	if (setrlimit(RLIMIT_CORE, &none) != 0)
		fprintf(stderr, "kiosk: cannot switch off core dumps: %s\n", strerror(errno));
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0)
		fprintf(stderr, "kiosk: cannot make the process non-dumpable: %s\n", strerror(errno));
}

static int load_theme(const char *t, struct theme *out)
{
	char *path;
	if (strchr(t, '/'))
		path = xstrdup(t);
	else {
		/* Next to the executable in a build tree (the Makefile copies
		 * them there, as it puts the catalogs in locale/), else installed. */
		char exe[4096];
		ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
		exe[n > 0 ? n : 0] = '\0';
		char *slash = strrchr(exe, '/');
		if (slash)
			*slash = '\0';
		char *p1 = xasprintf("%s/themes/%s.theme", exe, t);
		char *p2 = xasprintf("%s/../share/kiosk/themes/%s.theme", exe, t);
		char *p3 = xasprintf("%s/share/kiosk/themes/%s.theme", KIOSK_PREFIX, t);
		path = access(p1, R_OK) == 0 ? xstrdup(p1) : access(p2, R_OK) == 0 ? xstrdup(p2) : xstrdup(p3);
		free(p1);
		free(p2);
		free(p3);
	}
	size_t len;
	char *text = file_read(path, 65536, &len);
	if (!text) {
		fprintf(stderr, "kiosk: theme '%s': cannot read %s: %s\n", t, path, strerror(errno));
		free(path);
		return -1;
	}
	char err[200];
	int line = theme_parse(out, text, err, sizeof err);
	free(text);
	if (line != 0) {
		fprintf(stderr, "kiosk: %s:%d: %s\n", path, line, err);
		free(path);
		return -1;
	}
	free(path);
	return 0;
}

int main(int argc, char **argv)
{
	struct app *a = &the_app;
	char err[512];
	switch (config_load(&a->cfg, argc, argv, err, sizeof err)) {
	case CONFIG_EXIT_OK:
		config_free(&a->cfg);
		return 0;
	case CONFIG_ERROR:
		fprintf(stderr, "kiosk: %s\n", err);
		config_free(&a->cfg);
		return 2;
	case CONFIG_OK:
		break;
	}
	/* kiosk --ledger: a listing for staff; no terminal, no gateway. */
	if (a->cfg.ledger) {
		int status = outbox_ledger_command(a->cfg.data_dir, stdout, stderr);
		config_free(&a->cfg);
		return status;
	}
	/* kiosk --hash-pin: the staff PIN's configuration line (staff.c). */
	if (a->cfg.hash_pin) {
		int status = staff_hash_pin_command(stdin, stdout, stderr);
		config_free(&a->cfg);
		return status;
	}
	/* ncursesw and wcwidth need a UTF-8 character type, whatever the
	 * environment says. */
	if (!setlocale(LC_ALL, "") || strcmp(nl_langinfo(CODESET), "UTF-8") != 0) {
		if (!setlocale(LC_ALL, "C.UTF-8")) {
			fprintf(stderr, "kiosk: no UTF-8 locale (C.UTF-8) on this system\n");
			return 1;
		}
	}
	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		fprintf(stderr, "kiosk: must run on a terminal\n");
		return 2;
	}
	if (load_theme(a->cfg.theme, &a->theme_normal) != 0)
		return 2;
	/* Large mode's theme: bolder and higher in contrast. */
	if (load_theme("large", &a->theme_large) != 0)
		a->theme_large = a->theme_normal;
	a->theme = a->theme_normal;
	if (a->cfg.lockdown)
		no_core_dumps();
	if (log_open(a->cfg.log_file) != 0) {
		fprintf(stderr, "kiosk: cannot open log %s: %s\n", a->cfg.log_file, strerror(errno));
		return 2;
	}
	if (mkdir_p(a->cfg.data_dir, 0700) != 0)
		log_warn("data dir %s: %s (no offline catalog)", a->cfg.data_dir, strerror(errno));
	log_info("kiosk %s starting: %d gateway(s), lockdown %s", KIOSK_VERSION,
	         a->cfg.n_gateways, a->cfg.lockdown ? "on" : "off");
	/* The last config from afar over kiosk.conf's (fleet.c), so a kiosk
	 * restarted offline keeps it: its language and modes from the start,
	 * and its theme, which only a start takes. */
	struct theme remote_theme;
	if (fleet_load(a) && load_theme(a->cfg.theme, &remote_theme) == 0)
		a->theme = a->theme_normal = remote_theme;

	i18n_init();
	i18n_set_lang(a->cfg.lang);
	/* Parsed answers carry tokens and names: their memory is zeroed when
	 * jansson frees it. */
	json_set_alloc_funcs(xmalloc, wipe_free_block);

	a->loop = loop_new();
	/* READY=1 after the first paint, WATCHDOG=1 from the loop. It takes
	 * NOTIFY_SOCKET and WATCHDOG_* out of the environment before any
	 * thread or child starts: they are for this process alone. */
	supervise_start(a->loop);
	if (!a->cfg.wedge && a->cfg.n_scanners == 0)
		log_warn("no scanner configured and [scanner] wedge off: no code can be scanned "
		         "(a USB scanner: device = evdev:/dev/input/by-id/...; one that types: wedge = on)");
	if (a->cfg.mirror) {
		the_mirror = mirror_open(a->loop, a->cfg.mirror, err, sizeof err);
		if (!the_mirror) {
			fprintf(stderr, "kiosk: %s\n", err);
			log_error("%s", err);
			return 2;
		}
		mirror_on_change(the_mirror, on_mirror_change, a);
	}
	struct gw_config gc = {
		.n_urls = a->cfg.n_gateways,
		.kiosk_id = a->cfg.kiosk_id,
		.ca_file = a->cfg.ca_file,
		.pinned_pubkey = a->cfg.pinned_pubkey,
		.proxy = a->cfg.proxy,
		.connect_timeout_ms = a->cfg.connect_timeout_ms,
		.timeout_ms = a->cfg.timeout_ms,
	};
	for (int i = 0; i < a->cfg.n_gateways; i++)
		gc.urls[i] = a->cfg.gateways[i];
	a->gw = gw_new(a->loop, &gc);
	/* Libraries open descriptors of their own (libcurl's wake-up socket
	 * pair, say) without close-on-exec: mark every one we have now. */
	cloexec_all();
	gw_set_lang(a->gw, i18n_http_lang());
	gw_on_net_change(a->gw, app_on_net_change, a);

	/* Signals: SIGWINCH handled by us (before initscr, so curses leaves it
	 * alone); in kiosk mode no key or signal from the keyboard ends us. */
	loop_on_signal(a->loop, SIGWINCH, on_winch, a);
	loop_on_signal(a->loop, SIGTERM, on_term, a);
	loop_on_signal(a->loop, SIGHUP, on_term, a);
	if (a->cfg.lockdown) {
		signal(SIGINT, SIG_IGN);
		signal(SIGQUIT, SIG_IGN);
		signal(SIGTSTP, SIG_IGN);
	} else {
		loop_on_signal(a->loop, SIGINT, on_term, a);
	}
	signal(SIGPIPE, SIG_IGN);
	util_set_die_hook(restore_terminal);

	struct ui_config uc = {
		.loop = a->loop, .gw = a->gw, .theme = &a->theme,
		.lockdown = a->cfg.lockdown, .cursor_visible = a->cfg.cursor_visible,
		.wedge = a->cfg.wedge, .wedge_gap_ms = (int)a->cfg.wedge_gap_ms, .wedge_min_len = (int)a->cfg.wedge_min_len,
	};
	ui_init(a, &uc, &ui_hooks);
	a->session.on_start = app_offer_held; /* screens.h: held submissions at log-in */
	struct winsize ws;
	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0)
		note_size(a, &ws);
	app_catalog_load_cache(a);
	ui_push(a, &scr_home, NULL);
	app_catalog_refresh(a);
	fleet_start(a); /* heartbeats */
	for (int i = 0; i < a->cfg.n_scanners; i++) {
		char why[256];
		struct scanner *sc = scanner_open(a->loop, a->cfg.scanners[i],
		                                  app_scanner_event, a, why, sizeof why);
		if (sc)
			a->scanners[a->n_scanners++] = sc;
		else {
			log_warn("scanner %s: %s", a->cfg.scanners[i], why);
			ui_toast(a, ROLE_BANNER, _("A scanner is not working. Please use another way or ask the staff."));
		}
	}
	session_idle_start(a);
	hall_start(a); /* ratings a restart left unsent */
	access_reset(a); /* --mode large,voice: a kiosk dedicated to them */

	loop_fd_add(a->loop, STDIN_FILENO, POLLIN, on_tty, a);
	loop_set_before_sleep(a->loop, on_before_sleep, a);
	a->clock_timer = loop_timer_add(a->loop, 0, app_on_clock, a);
	a->health_timer = loop_timer_add(a->loop, 15 * 60 * 1000, app_on_health_timer, a);

	int code = loop_run(a->loop);
	supervise_stop();

	/* Shut-down (SIGTERM, SIGHUP, F10, a lost terminal): no more input, no
	 * new session; a citizen still logged in is logged out at the gateway,
	 * and the kiosk waits briefly for that (a token left valid would outlive
	 * us by its whole lifetime), wiping everything regardless. */
	loop_fd_del(a->loop, STDIN_FILENO);
	mirror_free(the_mirror);
	the_mirror = NULL;
	for (int i = 0; i < a->n_scanners; i++)
		scanner_free(a->scanners[i]);
	a->n_scanners = 0;
	hall_stop(a);
	fleet_free(a);
	session_close(a);
	staff_end(a, STAFF_END_SHUTDOWN);
	session_drain(a, SHUTDOWN_DRAIN_MS);
	loop_drain(a->loop);
	speech_free(a->speech);
	loop_drain(a->loop);
	ui_end(a);
	gw_free(a->gw);
	loop_free(a->loop);
	app_search_drop(a);
	catalog_free(&a->cat);
	free(a->cat_etag);
	free(a->cat_error);
	log_info("kiosk exiting (%d)", code);
	log_close();
	config_free(&a->cfg);
	return code;
}
