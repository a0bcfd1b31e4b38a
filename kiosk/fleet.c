/* fleet.c: heartbeats, and the configuration sent from afar.
 *
 * The heartbeat is the app's request (no screen owns it, no citizen's token
 * rides on it: gw_post_bearer with none; the config's GET, rarer, goes as
 * the catalog's does), one at a time: a beat that is due
 * while the last is unanswered is skipped, so a slow gateway never piles
 * them up. Its answer names the newest config version for this kiosk; one
 * that is not the version applied is fetched (GET /v1/kiosk/config), once
 * at a time, and checked key by key (kconf.c). A version refused whole (no
 * object) is not fetched again; one whose answer could not be read is,
 * at the next beat. Versions are the gateway's to count: one lower than
 * ours means its store was reset, and its newest config is the one to have.
 *
 * What a config changes, and when (kconf_key_when):
 *  - live keys go straight into a->cfg, where the rest of the kiosk reads
 *    them (session.c the idle limits, receipt.c the columns, main.c the
 *    mirror), or into the UI (wedge timings), or are read from here (the
 *    notice and home buttons: scr_home.c);
 *  - the modes and default language go into a->cfg when no citizen is
 *    logged in, else at the session's end (fleet_on_session_end, before
 *    session_end's own access_reset); the kiosk switches to them once it is
 *    at rest (home, nobody logged in, untouched for REST_MS), never under
 *    someone's fingers;
 *  - the theme is saved and taken at the next start (fleet_load).
 * A key the config leaves out is kiosk.conf's again (the values captured
 * at fleet_load). The effective config is saved, 0600, through a temporary
 * file and a rename, before it is applied.
 */
#include "fleet.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app.h"
#include "i18n.h"
#include "jsonx.h"
#include "log.h"
#include "loop.h"
#include "outbox.h"
#include "printer.h"
#include "receipt.h"
#include "scan.h"
#include "session.h"
#include "text.h"
#include "ui.h"
#include "util.h"

#define FIRST_BEAT_MS 1000
#define REST_MS 30000

enum { REQ_HEARTBEAT = 1, REQ_CONFIG = 2 };

/* kiosk.conf's (and the flags') values of what a config may set. */
struct base {
	long idle_timeout_s, idle_warning_s, heartbeat_s, wedge_gap_ms, wedge_min_len, printer_columns;
	bool mode_large, mode_voice, mirror_private;
	char *lang, *theme;
};

struct fleet {
	struct app *a;
	struct base base;
	long long timer;
	long interval_s;
	long long started_ms;
	bool hb_busy, cfg_busy;
	bool hb_failing;          /* the last beat went unanswered (said once) */
	long long version;        /* the config applied; 0: none */
	long long latest;         /* the newest the gateway named */
	long long refused;        /* a version refused whole: not fetched again */
	long long unread_logged;  /* a version whose answer could not be read, said once */
	struct kconf cur;         /* the config applied (kconf_merge's) */
	char *hb_notice;          /* the heartbeat's notice while a newer config comes */
	bool reset_owed;          /* modes or language to switch to once at rest */
};

static void set_str(char **dst, const char *v)
{
	free(*dst);
	*dst = xstrdup(v);
}

static struct fleet *F(const struct app *a) { return a ? a->fleet : NULL; }

/* ---- applying ---- */

#define VAL(f, key, field) (((f)->cur.has & KC_BIT(key)) ? (f)->cur.field : (f)->base.field)

static void apply_between(struct fleet *f)
{
	struct app *a = f->a;
	bool large = VAL(f, KC_MODE_LARGE, mode_large), voice = VAL(f, KC_MODE_VOICE, mode_voice);
	const char *lang = (f->cur.has & KC_BIT(KC_LANG)) ? f->cur.lang : f->base.lang;
	if (a->cfg.mode_large != large || a->cfg.mode_voice != voice || strcmp(a->cfg.lang, lang)) {
		a->cfg.mode_large = large;
		a->cfg.mode_voice = voice;
		set_str(&a->cfg.lang, lang);
		f->reset_owed = true;
	}
}

/* Home, nobody logged in, untouched for a while: switch to the modes and
 * language a config brought. */
static void settle_at_rest(struct fleet *f)
{
	struct app *a = f->a;
	if (!f->reset_owed || session_active(a) || ui_depth(a) > 1 ||
	    loop_now_ms() - a->last_activity_ms < REST_MS)
		return;
	f->reset_owed = false;
	if (a->large != a->cfg.mode_large || a->voice != a->cfg.mode_voice) {
		log_info("fleet: modes now %s%s", a->cfg.mode_large ? "large " : "",
		         a->cfg.mode_voice ? "voice" : a->cfg.mode_large ? "" : "normal");
		access_reset(a);
	}
	if (strcmp(i18n_lang(), a->cfg.lang) != 0) {
		log_info("fleet: language now %s", a->cfg.lang);
		app_set_lang(a, a->cfg.lang);
	}
}

static void schedule(struct fleet *f, long ms);

static char *notice_copy(const struct app *a)
{
	const char *n = fleet_notice(a);
	return n ? xstrdup(n) : NULL;
}

/* The notice may have changed (before: what it was): home shows it, and
 * says it in voice mode if home is what the kiosk shows. */
static void notice_check(struct fleet *f, char *before)
{
	const char *now = fleet_notice(f->a);
	if (before == now || (before && now && !strcmp(before, now))) {
		free(before);
		return;
	}
	free(before);
	ui_relayout(f->a);
	if (now && f->a->voice && ui_depth(f->a) == 1)
		access_repeat(f->a); /* home's speak op says the notice first */
}

/* The live keys, from f->cur (or kiosk.conf's values). */
static void apply_live(struct fleet *f)
{
	struct app *a = f->a;
	a->cfg.idle_timeout_s = VAL(f, KC_IDLE_TIMEOUT, idle_timeout_s);
	a->cfg.idle_warning_s = VAL(f, KC_IDLE_WARNING, idle_warning_s);
	a->cfg.printer_columns = VAL(f, KC_PRINTER_COLUMNS, printer_columns);
	a->cfg.mirror_private = VAL(f, KC_MIRROR_PRIVATE, mirror_private);
	a->cfg.wedge_gap_ms = VAL(f, KC_WEDGE_GAP, wedge_gap_ms);
	a->cfg.wedge_min_len = VAL(f, KC_WEDGE_MIN_LEN, wedge_min_len);
	f->interval_s = VAL(f, KC_HEARTBEAT, heartbeat_s);
}

/* Logs what a new config changes and when each change takes effect. */
static void log_changes(struct fleet *f, const struct kconf *old, long long version)
{
	char live[256] = "", between[256] = "", restart[64] = "";
	for (int key = 0; key < KC_COUNT; key++) {
		if (kconf_same(old, &f->cur, (enum kconf_key)key))
			continue;
		enum kconf_when w = kconf_key_when((enum kconf_key)key);
		char *buf = w == KC_LIVE ? live : w == KC_BETWEEN ? between : restart;
		size_t n = w == KC_LIVE ? sizeof live : w == KC_BETWEEN ? sizeof between : sizeof restart;
		size_t len = strlen(buf);
		snprintf(buf + len, n - len, "%s%s", len ? ", " : "", kconf_key_name((enum kconf_key)key));
	}
	log_info("fleet: config %lld applied%s%s%s%s%s%s%s", version,
	         live[0] ? "; now: " : "", live,
	         between[0] ? (session_active(f->a) ? "; when the session ends: " : "; between sessions: ") : "",
	         between, restart[0] ? "; applies at restart: " : "", restart,
	         live[0] || between[0] || restart[0] ? "" : " (no change)");
}

static void log_refusals(const struct kconf *k, long long version)
{
	for (int i = 0; i < k->n_refusals; i++)
		log_warn("fleet: config %lld: %s refused: %s", version, k->refusals[i].key, k->refusals[i].why);
	if (k->n_refused > k->n_refusals)
		log_warn("fleet: config %lld: %d more keys refused", version, k->n_refused - k->n_refusals);
}

/* ---- the saved copy ---- */

static char *saved_path(const struct app *a)
{
	return xasprintf("%s/%s", a->cfg.data_dir, FLEET_FILE);
}

static void save(struct fleet *f)
{
	json_t *doc = json_pack("{s:I, s:o}", "config_version", (json_int_t)f->version,
	                        "config", kconf_to_json(&f->cur));
	char *body = json_dumps(doc, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(doc);
	char *path = saved_path(f->a);
	if (!body || file_write_atomic(path, body, strlen(body), 0600, true) != 0)
		log_warn("fleet: %s not written: %s (the config is applied, not kept)", path, strerror(errno));
	free(path);
	free(body);
}

/* {"config_version": n >= 0, "config": {...}} (the GET's answer and the
 * saved file alike): the version, and the object (borrowed) or NULL with
 * err said. */
static const json_t *envelope(const json_t *root, long long *version, char *err, size_t errlen)
{
	const json_t *v = json_object_get(root, "config_version");
	if (!json_is_integer(v) || json_integer_value(v) < 0) {
		snprintf(err, errlen, "config_version: expected a whole number");
		*version = 0;
		return NULL;
	}
	*version = json_integer_value(v);
	const json_t *c = json_object_get(root, "config");
	if (!json_is_object(c)) {
		snprintf(err, errlen, "config: expected an object");
		return NULL;
	}
	return c;
}

bool fleet_load(struct app *a)
{
	struct fleet *f = xcalloc(1, sizeof *f);
	f->a = a;
	a->fleet = f;
	struct base *b = &f->base;
	b->idle_timeout_s = a->cfg.idle_timeout_s;
	b->idle_warning_s = a->cfg.idle_warning_s;
	b->heartbeat_s = a->cfg.heartbeat_s > 0 ? a->cfg.heartbeat_s : 60;
	b->wedge_gap_ms = a->cfg.wedge_gap_ms;
	b->wedge_min_len = a->cfg.wedge_min_len;
	b->printer_columns = a->cfg.printer_columns;
	b->mode_large = a->cfg.mode_large;
	b->mode_voice = a->cfg.mode_voice;
	b->mirror_private = a->cfg.mirror_private;
	b->lang = xstrdup(a->cfg.lang);
	b->theme = xstrdup(a->cfg.theme);
	f->interval_s = b->heartbeat_s;
	f->started_ms = loop_now_ms();

	char *path = saved_path(a);
	size_t len;
	errno = 0;
	char *body = file_read(path, JSONX_MAX_BODY, &len);
	if (!body) {
		if (errno != ENOENT)
			log_warn("fleet: %s not read: %s (kiosk.conf's settings)", path, strerror(errno));
		free(path);
		return false;
	}
	char err[200];
	long long version = 0;
	struct kconf k;
	json_t *root = jsonx_parse(body, len, err, sizeof err);
	const json_t *c = root ? envelope(root, &version, err, sizeof err) : NULL;
	if (!c || kconf_decode(c, &k, err, sizeof err) != 0) {
		log_warn("fleet: %s unreadable: %s (kiosk.conf's settings)", path, err);
		json_decref(root);
		free(body);
		free(path);
		return false;
	}
	json_decref(root);
	free(body);
	free(path);
	kconf_merge(&f->cur, NULL, &k, b->idle_timeout_s);
	kconf_free(&k);
	log_refusals(&f->cur, version); /* a saved key this kiosk no longer takes */
	f->version = version;
	apply_live(f);
	/* No session yet: the modes and language at once (main.c's
	 * i18n_set_lang and access_reset come after). */
	apply_between(f);
	f->reset_owed = false;
	bool theme = (f->cur.has & KC_BIT(KC_THEME)) && strcmp(f->cur.theme, a->cfg.theme) != 0;
	if (theme)
		set_str(&a->cfg.theme, f->cur.theme);
	log_info("fleet: saved config %lld loaded", version);
	return theme;
}

/* A config's object arrived (version v): checked, merged, saved, applied. */
static void take_config(struct fleet *f, const json_t *obj, long long v)
{
	struct app *a = f->a;
	char err[200];
	struct kconf k, merged, old;
	if (kconf_decode(obj, &k, err, sizeof err) != 0) {
		log_warn("fleet: config %lld refused whole: %s (keeping config %lld)", v, err, f->version);
		f->refused = v;
		return;
	}
	kconf_merge(&merged, &f->cur, &k, f->base.idle_timeout_s);
	kconf_free(&k);
	log_refusals(&merged, v);
	char *notice_before = notice_copy(a);
	old = f->cur;
	f->cur = merged;
	f->version = v;
	free(f->hb_notice);
	f->hb_notice = NULL;
	save(f);
	long interval = f->interval_s;
	apply_live(f);
	ui_set_wedge(a, (int)a->cfg.wedge_gap_ms, (int)a->cfg.wedge_min_len);
	if (f->interval_s != interval)
		schedule(f, f->interval_s * 1000);
	if (!session_active(a))
		apply_between(f);
	log_changes(f, &old, v);
	kconf_free(&old);
	settle_at_rest(f);
	ui_relayout(a); /* the buttons */
	notice_check(f, notice_before);
}

static void on_config(void *ud, const struct gw_reply *r)
{
	struct fleet *f = ud;
	f->cfg_busy = false;
	if (r->result == GW_PROBLEM && r->status == 404) {
		log_info("fleet: the gateway has no config for this kiosk (%s)", r->problem.code ? r->problem.code : "404");
		return;
	}
	if (r->result == GW_BAD_ANSWER && f->unread_logged != f->latest) {
		/* Not JSON at all: the old config stays; asked again at the next
		 * beat (a damaged answer may not be the config itself). */
		f->unread_logged = f->latest;
		log_warn("fleet: config %lld unreadable (%s): keeping config %lld", f->latest,
		         r->why ? r->why : "not JSON", f->version);
		return;
	}
	if (r->result != GW_OK) {
		log_info("fleet: config not fetched (%s); again at the next heartbeat", r->why ? r->why : "no answer");
		return;
	}
	char err[200];
	long long v;
	const json_t *obj = json_is_object(r->json) ? envelope(r->json, &v, err, sizeof err) : NULL;
	if (!obj) {
		if (!json_is_object(r->json))
			snprintf(err, sizeof err, "expected an object");
		log_warn("fleet: config %lld refused whole: %s (keeping config %lld)", f->latest, err, f->version);
		f->refused = f->latest;
		return;
	}
	take_config(f, obj, v);
}

/* ---- heartbeats ---- */

static const char *scanner_state(const struct app *a)
{
	if (a->cfg.n_scanners == 0)
		return "none";
	if (a->n_scanners < a->cfg.n_scanners)
		return "fault";
	for (int i = 0; i < a->n_scanners; i++)
		if (!scanner_ok(a->scanners[i]))
			return "fault";
	return "ok";
}

static const char *printer_state(struct app *a)
{
	if (!a->cfg.printer || !strcmp(a->cfg.printer, "none"))
		return "none";
	struct printer *p = app_printer(a);
	if (!p)
		return "fault";
	switch (printer_last_status(p)) {
	case PRINTER_OK: return "ok";
	case PRINTER_PAPER_OUT: return "paper_out";
	default: return "fault";
	}
}

static const char *speech_state(const struct app *a)
{
	if (!a->cfg.speech || !strcmp(a->cfg.speech, "none"))
		return "none";
	return a->speech_failed ? "fault" : "ok";
}

static void newest_line(void *ud, const char *line)
{
	char **out = ud;
	if (!*out)
		*out = text_sanitize(line, strlen(line), 0);
}

static int outbox_pending(struct app *a)
{
	/* A kiosk that never wrote an outbox does not make one for this. */
	if (!a->outbox) {
		char *path = xasprintf("%s/%s", a->cfg.data_dir, OUTBOX_FILE);
		bool exists = access(path, F_OK) == 0;
		free(path);
		if (!exists)
			return 0;
	}
	struct outbox *ob = app_outbox(a);
	int n = ob ? outbox_pending_count(ob) : -1;
	return n < 0 ? 0 : n;
}

static void on_heartbeat(void *ud, const struct gw_reply *r)
{
	struct fleet *f = ud;
	f->hb_busy = false;
	if (r->result != GW_OK || !json_is_object(r->json)) {
		/* Said once a streak. Refused (4xx) is the kiosk's fault or the
		 * gateway's: a warning; no answer is the network's, said elsewhere. */
		if (!f->hb_failing && r->result == GW_PROBLEM && r->status < 500)
			log_warn("fleet: heartbeat refused (%d %s)", r->status,
			         r->problem.code ? r->problem.code : "");
		else if (!f->hb_failing)
			log_info("fleet: heartbeat not taken (%s)", r->result == GW_OK ? "no object"
			         : r->why ? r->why : "no answer");
		f->hb_failing = true;
		return;
	}
	if (f->hb_failing)
		log_info("fleet: heartbeats taken again");
	f->hb_failing = false;
	const json_t *v = json_object_get(r->json, "config_version");
	if (!json_is_integer(v) || json_integer_value(v) < 0) {
		log_warn("fleet: heartbeat answer without a config_version");
		return;
	}
	f->latest = json_integer_value(v);
	/* The heartbeat's notice is the newest config's: shown while that
	 * config is on its way (the config's own, once applied, is shown in
	 * whatever language the kiosk speaks then). */
	const json_t *n = json_object_get(r->json, "notice");
	char *hb = NULL;
	bool newer = f->latest > 0 && f->latest != f->version && f->latest != f->refused;
	if (newer && json_is_string(n) && kconf_notice_ok(json_string_value(n), json_string_length(n)))
		hb = xstrdup(json_string_value(n));
	else if (newer && n && !json_is_null(n) && !json_is_string(n))
		log_warn("fleet: heartbeat notice refused: not text");
	else if (newer && json_is_string(n))
		log_warn("fleet: heartbeat notice refused: at most %d characters, none of them a control character",
		         KCONF_NOTICE_MAX);
	if (hb && !*hb) { /* "": none */
		free(hb);
		hb = NULL;
	}
	char *notice_before = notice_copy(f->a);
	free(f->hb_notice);
	f->hb_notice = hb;
	notice_check(f, notice_before);
	if (newer && !f->cfg_busy) {
		f->cfg_busy = true;
		gw_get(f->a->gw, "/v1/kiosk/config", NULL, f, REQ_CONFIG, on_config, f);
	}
}

static void beat(struct fleet *f)
{
	struct app *a = f->a;
	settle_at_rest(f);
	if (f->hb_busy)
		return; /* the last one is still unanswered: no pile-up */
	char *last = NULL;
	log_recent(newest_line, &last);
	json_t *body = json_pack("{s:s, s:I, s:{s:s, s:s, s:s}, s:i, s:o, s:I}",
	                         "version", KIOSK_VERSION,
	                         "uptime_s", (json_int_t)((loop_now_ms() - f->started_ms) / 1000),
	                         "devices", "scanner", scanner_state(a), "printer", printer_state(a),
	                         "speech", speech_state(a),
	                         "outbox_pending", outbox_pending(a),
	                         "last_error", last ? json_string(last) : json_null(),
	                         "config_version", (json_int_t)f->version);
	free(last);
	f->hb_busy = true;
	/* The kiosk's own request: no citizen's token on it. */
	gw_post_bearer(a->gw, NULL, "/v1/kiosk/heartbeat", body, f, REQ_HEARTBEAT, on_heartbeat, f);
}

static long on_timer(struct loop *l, long long id, void *ud)
{
	struct fleet *f = ud;
	beat(f);
	return f->interval_s * 1000;
}

static void schedule(struct fleet *f, long ms)
{
	if (f->timer)
		loop_timer_del(f->a->loop, f->timer);
	f->timer = loop_timer_add(f->a->loop, ms, on_timer, f);
}

void fleet_start(struct app *a)
{
	struct fleet *f = F(a);
	if (!f)
		return;
	a->session.on_end = fleet_on_session_end;
	ui_set_wedge(a, (int)a->cfg.wedge_gap_ms, (int)a->cfg.wedge_min_len);
	schedule(f, FIRST_BEAT_MS);
}

void fleet_free(struct app *a)
{
	struct fleet *f = F(a);
	if (!f)
		return;
	if (f->timer && a->loop)
		loop_timer_del(a->loop, f->timer);
	if (a->gw)
		gw_cancel_owner(a->gw, f);
	if (a->session.on_end == fleet_on_session_end)
		a->session.on_end = NULL;
	kconf_free(&f->cur);
	free(f->hb_notice);
	free(f->base.lang);
	free(f->base.theme);
	free(f);
	a->fleet = NULL;
}

void fleet_on_session_end(struct app *a)
{
	struct fleet *f = F(a);
	if (f)
		apply_between(f);
}

/* ---- for the screens ---- */

const char *fleet_notice(const struct app *a)
{
	const struct fleet *f = F(a);
	if (!f)
		return NULL;
	if (f->hb_notice)
		return f->hb_notice;
	return kconf_notice(&f->cur, i18n_lang());
}

int fleet_home_buttons(const struct app *a, int order[KCONF_HOME_COUNT])
{
	const struct fleet *f = F(a);
	if (f && (f->cur.has & KC_BIT(KC_HOME_BUTTONS))) {
		memcpy(order, f->cur.home, (size_t)f->cur.n_home * sizeof order[0]);
		return f->cur.n_home;
	}
	for (int i = 0; i < KCONF_HOME_COUNT; i++)
		order[i] = i;
	return KCONF_HOME_COUNT;
}

long long fleet_config_version(const struct app *a)
{
	return F(a) ? F(a)->version : 0;
}

long long fleet_config_latest(const struct app *a)
{
	return F(a) ? F(a)->latest : 0;
}
