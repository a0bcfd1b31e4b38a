/* app.c: the kiosk's shared state: the catalog (from the gateway, with a
 * disk cache so browsing works offline), the language, the network-state
 * timers. Screens call these; main.c wires them into the loop.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "app.h"
#include "i18n.h"
#include "jsonx.h"
#include "log.h"
#include "loop.h"
#include "outbox.h"
#include "reconcile.h"
#include "search.h"
#include "scan.h"
#include "session.h"
#include "text.h"
#include "ui.h"
#include "util.h"

enum { REQ_CATALOG = 1, REQ_HEALTH = 2 };

/* ---- the outbox ---- */

struct outbox *app_outbox(struct app *a)
{
	static bool failed;
	if (a->outbox || failed)
		return a->outbox;
	char err[256];
	a->outbox = outbox_open(a->cfg.data_dir, err, sizeof err);
	if (!a->outbox) {
		failed = true; /* said once; payments are refused from now on */
		log_warn("outbox: %s (no payments)", err);
	}
	return a->outbox;
}

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
	if (file_write_atomic(path, body, len, 0644, false) != 0)
		log_warn("cache %s not written: %s", name, strerror(errno));
	else if (etag)
		file_write_atomic(epath, etag, strlen(etag), 0644, false);
	else
		unlink(epath);
	free(epath);
	free(path);
}

/* ---- the search index (it borrows the catalog) ---- */

void app_search_drop(struct app *a)
{
	search_free(a->search);
	a->search = NULL;
}

static long on_search_timer(struct loop *l, long long id, void *ud)
{
	struct app *a = ud;
	a->search_timer = 0;
	app_search(a);
	return -1;
}

struct search_index *app_search(struct app *a)
{
	if (!a->search) {
		long long t0 = loop_now_ms();
		a->search = search_build(&a->cat);
		a->search_gen++;
		log_info("search index: %zu services, %zu KiB, %lld ms", a->cat.n_svcs,
		         search_index_bytes(a->search) / 1024, loop_now_ms() - t0);
	}
	return a->search;
}

/* ---- catalog ---- */

/* The catalog is decoded from its bytes (catalog_parse), from the gateway
 * and from the cache file alike: no JSON tree (jansson's tree of a 1 MB
 * catalog is about 9 MB), and one compact catalog (a few large blocks).
 * The cache file holds the body as it was received. */

static char *catalog_cache_name(void)
{
	return xasprintf("catalog-%s.json", i18n_http_lang());
}

/* Makes the catalog in body[0..len) the one shown. 0, or catalog_parse's
 * refusal (logged): -1 JSON that is not a catalog, -2 not JSON at all.
 * The bytes are checked first (catalog_check builds nothing), so the
 * catalog shown is let go before the new one is built: the two are never
 * in memory together (1.3 MB each with 10,000 services). */
static int catalog_take(struct app *a, const char *body, size_t len, const char *from)
{
	char err[200];
	int rc = catalog_check(body, len, err, sizeof err);
	if (rc != 0) {
		log_warn("catalog from %s rejected: %s", from, err);
		return rc;
	}
	app_search_drop(a);
	catalog_free(&a->cat);
	rc = catalog_parse(body, len, &a->cat, err, sizeof err);
	if (rc != 0) { /* not after a check of the same bytes; but never half a state */
		log_warn("catalog from %s rejected: %s", from, err);
		a->cat_loaded = false;
		free(a->cat_etag);
		a->cat_etag = NULL;
		return rc;
	}
	log_info("catalog from %s: %zu categories, %zu services (%zu bytes in, %zu bytes held)", from,
	         a->cat.n_cats, a->cat.n_svcs, len, catalog_size(&a->cat));
	/* The index right after this pass (not at the first keystroke), once
	 * the body it came in has been freed: the two never take room at
	 * the same time. */
	if (!a->search_timer)
		a->search_timer = loop_timer_add(a->loop, 0, on_search_timer, a);
	return 0;
}

/* The saved catalog: the file's bytes in one buffer of its size (no
 * growing), or NULL; *etag its ETag if it has one gw.c would have taken
 * (as cache_load reads it). */
static char *catalog_cache_read(struct app *a, const char *name, size_t *len, char **etag)
{
	char *path = data_path(a, name);
	char *body = NULL;
	struct stat st;
	*len = 0;
	*etag = NULL;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd >= 0 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size <= JSONX_MAX_BODY) {
		size_t size = (size_t)st.st_size, n = 0;
		body = xmalloc(size + 1);
		while (n < size) {
			ssize_t r = read(fd, body + n, size - n);
			if (r < 0 && errno == EINTR)
				continue;
			if (r <= 0)
				break;
			n += (size_t)r;
		}
		body[n] = '\0';
		*len = n;
	} else if (fd >= 0) {
		log_warn("cache %s not read: not a file of at most %d bytes", name, JSONX_MAX_BODY);
	}
	if (fd >= 0)
		close(fd);
	if (body) {
		char *epath = xasprintf("%s.etag", path);
		size_t elen;
		char *e = file_read(epath, 256, &elen);
		bool ok = e && elen > 0;
		for (size_t i = 0; ok && i < elen; i++)
			ok = e[i] > 0x20 && e[i] < 0x7f; /* as gw.c accepts them */
		if (ok)
			*etag = e;
		else
			free(e);
		free(epath);
	}
	free(path);
	return body;
}

void app_catalog_load_cache(struct app *a)
{
	char *name = catalog_cache_name();
	char *etag = NULL;
	size_t len;
	char *body = catalog_cache_read(a, name, &len, &etag);
	if (body && catalog_take(a, body, len, "cache") == 0) {
		a->cat_state = CAT_CACHED;
		a->cat_loaded = true;
		free(a->cat_etag);
		a->cat_etag = etag;
	} else {
		free(etag);
	}
	free(body);
	free(name);
}

/* A refresh failed: keep a loaded catalog (now only "saved"), or say why
 * there is none. The message is copied: r's strings die with r. */
static void catalog_failed(struct app *a, const char *msg)
{
	if (a->cat_loaded) {
		a->cat_state = CAT_CACHED;
		return;
	}
	a->cat_state = CAT_FAILED;
	free(a->cat_error);
	a->cat_error = xstrdup(msg);
}

static void on_catalog(void *ud, const struct gw_reply *r)
{
	struct app *a = ud;
	if (r->result == GW_OK && r->not_modified) {
		/* Only sent with the ETag of a loaded catalog. */
		if (a->cat_loaded)
			a->cat_state = CAT_LIVE;
		else
			catalog_failed(a, ui_gw_message(r));
	} else if (r->result == GW_OK) {
		/* gw_get_raw: the body, checked for size and type, not parsed. */
		int rc = catalog_take(a, r->body, r->body_len, "gateway");
		if (rc == 0) {
			a->cat_state = CAT_LIVE;
			a->cat_loaded = true;
			free(a->cat_etag);
			a->cat_etag = r->etag ? xstrdup(r->etag) : NULL;
			char *name = catalog_cache_name();
			cache_store(a, name, r->body, r->body_len, r->etag);
			free(name);
		} else if (rc == -2) {
			/* Not JSON: worded as gw.c words any answer it cannot parse. */
			struct gw_reply bad = *r;
			bad.result = GW_BAD_ANSWER;
			catalog_failed(a, ui_gw_message(&bad));
		} else {
			catalog_failed(a, _("The service network sent a list of services this kiosk cannot read. Please ask the staff."));
		}
	} else {
		catalog_failed(a, ui_gw_message(r));
	}
	ui_relayout(a);
}

void app_catalog_refresh(struct app *a)
{
	/* One catalog request at a time; its owner is the catalog, so this
	 * never cancels the app's other requests (a logout, say). */
	gw_cancel_owner(a->gw, &a->cat);
	if (a->cat_state == CAT_FAILED || a->cat_state == CAT_NONE)
		a->cat_state = CAT_LOADING;
	gw_get_raw(a->gw, "/v1/catalog", a->cat_etag, &a->cat, REQ_CATALOG, on_catalog, a);
	ui_dirty(a);
}

void app_set_lang(struct app *a, const char *lang)
{
	i18n_set_lang(lang);
	gw_set_lang(a->gw, i18n_http_lang());
	/* The catalog is per language: show the saved copy in the new language
	 * at once if there is one, and revalidate. */
	app_search_drop(a);
	catalog_free(&a->cat);
	free(a->cat_etag);
	a->cat_etag = NULL;
	a->cat_state = CAT_NONE;
	a->cat_loaded = false;
	app_catalog_load_cache(a);
	app_catalog_refresh(a);
	ui_relayout(a);
}

void app_quit(struct app *a)
{
	loop_stop(a->loop, 0);
}

/* ---- timers ---- */

long app_on_clock(struct loop *l, long long id, void *ud)
{
	struct app *a = ud;
	static bool started;
	if (!started) { /* at start-up: payments a restart left unfinished */
		started = true;
		/* Only if there is an outbox: a kiosk that never took a payment
		 * does not open (nor load the pages of) its database for nothing. */
		char *path = data_path(a, OUTBOX_FILE);
		if (access(path, F_OK) == 0)
			reconcile_kick(a);
		free(path);
	}
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

/* Offline: a cheap health check every 10 s. Online with only a saved or
 * no catalog: try again every 30 s. Live: revalidate every 15 min (a 304). */
long app_on_health_timer(struct loop *l, long long id, void *ud)
{
	struct app *a = ud;
	if (gw_net_state(a->gw) == GW_NET_OFFLINE) {
		gw_get(a->gw, "/v1/health", NULL, a, REQ_HEALTH, on_health, a);
		return 10000;
	}
	if (a->cat_state != CAT_LOADING)
		app_catalog_refresh(a);
	return a->cat_state == CAT_LIVE ? 15 * 60 * 1000 : 30000;
}

void app_on_net_change(void *ud, enum gw_net state)
{
	struct app *a = ud;
	/* Check again soon, whichever way the network went. */
	loop_timer_del(a->loop, a->health_timer);
	a->health_timer = loop_timer_add(a->loop, state == GW_NET_OFFLINE ? 10000 : 30000,
	                                 app_on_health_timer, a);
	ui_relayout(a); /* the banner takes a row */
}


/* ---- scans ---- */

void app_on_scan(struct app *a, const char *code, size_t len, const char *source)
{
	/* The scan itself is never logged: it may be a personal token. */
	log_info("scan from %s (%zu bytes)", source, len);
	char *clean = text_sanitize(code, len, 0);
	struct screen *s = ui_top(a);
	if (s && s->ops->scan)
		s->ops->scan(s, clean, strlen(clean));
	else
		ui_toast(a, ROLE_BANNER, _("To log in by scanning, go back to the home screen and scan there."));
	wipe_str(clean);
	ui_dirty(a);
}

void app_scanner_event(void *ud, enum scan_event ev, const char *code, size_t len,
                       const char *source, const char *why)
{
	struct app *a = ud;
	switch (ev) {
	case SCAN_CODE:
		app_on_scan(a, code, len, source);
		break;
	case SCAN_TOO_LONG:
		ui_toast(a, ROLE_ERROR, _("The scanned code is too long to be a login code."));
		break;
	case SCAN_NO_CODE:
		ui_toast(a, ROLE_ERROR, _("The code could not be read. Please scan it again."));
		break;
	case SCAN_BAD_FILE:
		ui_toast(a, ROLE_ERROR, _("The picture could not be read. Please try again."));
		break;
	case SCAN_FAILED:
		log_warn("scanner %s failed: %s", source, why ? why : "");
		ui_toast(a, ROLE_BANNER, _("A scanner is not working. Please use another way or ask the staff."));
		break;
	case SCAN_READY:
		log_info("scanner %s ready", source);
		break;
	}
}

