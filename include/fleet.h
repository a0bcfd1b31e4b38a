/* fleet.h: the kiosk among hundreds of others: it reports in and is
 * configured from afar (kiosk/fleet.c).
 *
 * Every heartbeat_s seconds (60; [gateway] heartbeat_s, --heartbeat-s, or
 * the remote config's) POST /v1/kiosk/heartbeat says the version, uptime,
 * the devices' states, the outbox's unfinished entries, the last warning
 * and the config version applied. An answer naming another config version
 * makes the kiosk fetch GET /v1/kiosk/config, check it key by key (kconf.h)
 * and apply it: live keys at once, the modes and the default language when
 * no citizen is logged in (never during a session), the theme at the next
 * start. The last good config is kept in DATA_DIR/remote-config.json and
 * read at start-up, so a kiosk restarted offline keeps its settings.
 */
#ifndef KIOSK_FLEET_H
#define KIOSK_FLEET_H

#include <stdbool.h>

#include "kconf.h"

struct app;

#define FLEET_FILE "remote-config.json"

/* At start-up, once the log is open and before the first screen: makes
 * a->fleet and applies the saved config over kiosk.conf's settings. True
 * if it names another theme than the one loaded (main.c loads it). */
bool fleet_load(struct app *a);
/* Starts the heartbeats (the loop, gateway and UI exist). */
void fleet_start(struct app *a);
/* Stops them, cancels the requests, frees a->fleet (NULL is fine). */
void fleet_free(struct app *a);

/* The notice for the home screen in the kiosk's language (checked: no
 * control character, at most KCONF_NOTICE_MAX characters), or NULL. */
const char *fleet_notice(const struct app *a);
/* The home screen's buttons to show, in order (kconf_home_name indexes);
 * returns how many (all of them, in their own order, without a config). */
int fleet_home_buttons(const struct app *a, int order[KCONF_HOME_COUNT]);
/* The config version applied (0: none), and the newest the gateway named
 * (0: none, or not heard yet): for staff mode. */
long long fleet_config_version(const struct app *a);
long long fleet_config_latest(const struct app *a);
/* A session ended (session.c's hook, set by fleet_start): the modes and
 * default language a config brought during it take effect now. */
void fleet_on_session_end(struct app *a);

#endif
