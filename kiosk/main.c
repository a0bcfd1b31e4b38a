/* main.c: start-up and shut-down, the catalog (network + disk cache), and
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
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "app.h"
#include "i18n.h"
#include "jsonx.h"
#include "log.h"
#include "loop.h"
#include "text.h"
#include "ui.h"
#include "util.h"

enum { REQ_CATALOG = 1, REQ_HEALTH = 2 };

static struct app the_app;

/* ---- disk cache ---- */

static char *data_path(struct app *a, const char *name)
{
	return xasprintf("%s/%s", a->cfg.data_dir, name);
}

json_t *cache_load(struct app *a, const char *name, char **etag)
{
	char *path = data_path(a, name);
	size_t len;
	char *body = file_read(path, JSONX_MAX_BODY, &len);
	json_t *j = NULL;
	if (body) {
		char err[160];
		j = jsonx_parse(body, len, err, sizeof err);
		if (!j)
			log_warn("cache %s unreadable: %s", name, err);
		free(body);
	}
	if (etag) {
		*etag = NULL;
		char *epath = xasprintf("%s.etag", path);
		char *e = j ? file_read(epath, 256, &len) : NULL;
		bool ok = e && len > 0;
		for (size_t i = 0; ok && i < len; i++)
			ok = e[i] > 0x20 && e[i] < 0x7f; /* as gw.c accepts them */
		if (ok)
			*etag = e;
		else
			free(e);
		free(epath);
	}
	free(path);
	return j;
}

void cache_store(struct app *a, const char *name, const char *body, size_t len, const char *etag)
{
	char *path = data_path(a, name);
	char *epath = xasprintf("%s.etag", path);
	if (file_write_atomic(path, body, len, 0644) != 0)
		log_warn("cache %s not written: %s", name, strerror(errno));
	else if (etag)
		file_write_atomic(epath, etag, strlen(etag), 0644);
	else
		unlink(epath);
	free(epath);
	free(path);
}

/* ---- catalog ---- */

static char *catalog_cache_name(void)
{
	return xasprintf("catalog-%s.json", i18n_http_lang());
}

static bool catalog_take(struct app *a, json_t *j, const char *from)
{
	struct catalog c;
	char err[200];
	if (catalog_decode(j, &c, err, sizeof err) != 0) {
		log_warn("catalog from %s rejected: %s", from, err);
		return false;
	}
	catalog_free(&a->cat);
	a->cat = c;
	log_info("catalog from %s: %zu categories, %zu services", from, c.n_cats, c.n_svcs);
	return true;
}

static void catalog_load_cache(struct app *a)
{
	char *name = catalog_cache_name();
	char *etag = NULL;
	json_t *j = cache_load(a, name, &etag);
	if (j && catalog_take(a, j, "cache")) {
		a->cat_state = CAT_CACHED;
		free(a->cat_etag);
		a->cat_etag = etag;
	} else {
		free(etag);
	}
	json_decref(j);
	free(name);
}

static void on_catalog(void *ud, const struct gw_reply *r)
{
	struct app *a = ud;
	if (r->result == GW_OK && r->not_modified && a->cat.n_cats + a->cat.n_svcs > 0) {
		a->cat_state = CAT_LIVE;
	} else if (r->result == GW_OK && r->json) {
		if (catalog_take(a, r->json, "gateway")) {
			a->cat_state = CAT_LIVE;
			free(a->cat_etag);
			a->cat_etag = r->etag ? xstrdup(r->etag) : NULL;
			char *name = catalog_cache_name();
			cache_store(a, name, r->body, r->body_len, r->etag);
			free(name);
		} else if (a->cat_state != CAT_CACHED) {
			a->cat_state = CAT_FAILED;
			a->cat_error = _("The service network sent a list of services this kiosk cannot read. Please ask the staff.");
		}
	} else if (a->cat_state != CAT_CACHED) {
		a->cat_state = CAT_FAILED;
		a->cat_error = ui_gw_message(r);
	}
	ui_relayout(a);
}

void app_catalog_refresh(struct app *a)
{
	gw_cancel_owner(a->gw, a); /* one catalog request at a time */
	if (a->cat_state == CAT_FAILED || a->cat_state == CAT_NONE)
		a->cat_state = CAT_LOADING;
	gw_get(a->gw, "/v1/catalog", a->cat_etag, a, REQ_CATALOG, on_catalog, a);
	ui_dirty(a);
}

void app_set_lang(struct app *a, const char *lang)
{
	i18n_set_lang(lang);
	gw_set_lang(a->gw, i18n_http_lang());
	/* The catalog is per language: show the saved copy in the new language
	 * at once if there is one, and revalidate. */
	catalog_free(&a->cat);
	free(a->cat_etag);
	a->cat_etag = NULL;
	a->cat_state = CAT_NONE;
	catalog_load_cache(a);
	app_catalog_refresh(a);
	ui_relayout(a);
}

void app_quit(struct app *a)
{
	loop_stop(a->loop, 0);
}

/* ---- timers ---- */

static long on_clock(struct loop *l, long long id, void *ud)
{
	struct app *a = ud;
	ui_dirty(a);
	time_t now = time(NULL);
	return (long)(60 - now % 60) * 1000 + 50;
}

static void on_health(void *ud, const struct gw_reply *r)
{
	struct app *a = ud;
	/* Back online: bring the catalog up to date. */
	if (r->result != GW_UNREACHABLE && a->cat_state != CAT_LIVE)
		app_catalog_refresh(a);
}

static long on_health_timer(struct loop *l, long long id, void *ud)
{
	struct app *a = ud;
	if (gw_net_state(a->gw) == GW_NET_OFFLINE)
		gw_get(a->gw, "/v1/health", NULL, a, REQ_HEALTH, on_health, a);
	else if (a->cat_state == CAT_LIVE)
		app_catalog_refresh(a); /* revalidate now and then (cheap: 304) */
	return gw_net_state(a->gw) == GW_NET_OFFLINE ? 10000 : 15 * 60 * 1000;
}

static void on_net_change(void *ud, enum gw_net state)
{
	struct app *a = ud;
	if (state == GW_NET_OFFLINE) {
		loop_timer_del(a->loop, a->health_timer);
		a->health_timer = loop_timer_add(a->loop, 10000, on_health_timer, a);
	}
	ui_relayout(a); /* the banner takes a row */
}

/* ---- terminal and signals ---- */

static void on_tty(struct loop *l, int fd, int revents, void *ud)
{
	struct app *a = ud;
	if (revents & (POLLHUP | POLLERR | POLLNVAL)) {
		log_warn("terminal gone; exiting");
		loop_stop(l, 1);
		return;
	}
	ui_input(a);
}

static void on_before_sleep(struct loop *l, void *ud)
{
	ui_paint(ud);
}

static void on_winch(struct loop *l, int sig, void *ud)
{
	struct winsize ws;
	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0)
		ui_resize(ud, ws.ws_col, ws.ws_row);
}

static void on_term(struct loop *l, int sig, void *ud)
{
	log_info("signal %d: exiting", sig);
	loop_stop(l, 0);
}

static void restore_terminal(void)
{
	if (stdscr && !isendwin())
		endwin();
}

static int load_theme(struct app *a)
{
	const char *t = a->cfg.theme;
	char *path;
	if (strchr(t, '/'))
		path = xstrdup(t);
	else {
		/* Next to the executable in the source tree, else installed. */
		char exe[4096];
		ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
		exe[n > 0 ? n : 0] = '\0';
		char *slash = strrchr(exe, '/');
		if (slash)
			*slash = '\0';
		char *p1 = xasprintf("%s/../themes/%s.theme", exe, t);
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
	int line = theme_parse(&a->theme, text, err, sizeof err);
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
	if (load_theme(a) != 0)
		return 2;
	if (log_open(a->cfg.log_file) != 0) {
		fprintf(stderr, "kiosk: cannot open log %s: %s\n", a->cfg.log_file, strerror(errno));
		return 2;
	}
	if (mkdir_p(a->cfg.data_dir, 0700) != 0)
		log_warn("data dir %s: %s (no offline catalog)", a->cfg.data_dir, strerror(errno));
	log_info("kiosk %s starting: %d gateway(s), lockdown %s", KIOSK_VERSION,
	         a->cfg.n_gateways, a->cfg.lockdown ? "on" : "off");

	i18n_init();
	i18n_set_lang(a->cfg.lang);

	a->loop = loop_new();
	struct gw_config gc = {
		.n_urls = a->cfg.n_gateways,
		.kiosk_id = a->cfg.kiosk_id,
		.ca_file = a->cfg.ca_file,
		.pinned_pubkey = a->cfg.pinned_pubkey,
		.connect_timeout_ms = a->cfg.connect_timeout_ms,
		.timeout_ms = a->cfg.timeout_ms,
	};
	for (int i = 0; i < a->cfg.n_gateways; i++)
		gc.urls[i] = a->cfg.gateways[i];
	a->gw = gw_new(a->loop, &gc);
	gw_set_lang(a->gw, i18n_http_lang());
	gw_on_net_change(a->gw, on_net_change, a);

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

	ui_init(a);
	catalog_load_cache(a);
	ui_push(a, &scr_home, NULL);
	app_catalog_refresh(a);

	loop_fd_add(a->loop, STDIN_FILENO, POLLIN, on_tty, a);
	loop_set_before_sleep(a->loop, on_before_sleep, a);
	a->clock_timer = loop_timer_add(a->loop, 0, on_clock, a);
	a->health_timer = loop_timer_add(a->loop, 15 * 60 * 1000, on_health_timer, a);

	int code = loop_run(a->loop);

	ui_end(a);
	gw_free(a->gw);
	loop_free(a->loop);
	catalog_free(&a->cat);
	free(a->cat_etag);
	log_info("kiosk exiting (%d)", code);
	log_close();
	config_free(&a->cfg);
	return code;
}
