/* gw_apps.h: applications (办件) and e-licences (电子证照) in the reference
 * gateway (apps.c, licenses.c).
 *
 * An application is a form sent by a logged-in citizen from a kiosk:
 * checked field by field with the kiosk's own rules (validate.c), stored in
 * SQLite with its status timeline, and answered once per (kiosk,
 * Idempotency-Key) as payments are. Its status moves on by itself in demo
 * mode (submitted -> accepted -> in_review, computed when it is read, no
 * timers) and by POST /sim/applications/{id}/advance. Demo citizens come
 * with past applications and licences (demo_data.c, loaded by --demo).
 *
 * A licence's verify_payload changes every --license-refresh-s seconds: an
 * HMAC of the licence id and the time slot under a secret made at start,
 * so a screenshot of the QR goes stale.
 */
#ifndef GW_APPS_H
#define GW_APPS_H

#include <sqlite3.h>
#include <stdbool.h>

#include "gw.h"

#define APP_ID_MAX  24               /* "SQ20261123000001" and a NUL, with room */
#define APP_STEP_DEFAULT 60          /* s: submitted -> accepted (--app-step-s) */
#define LICENSE_REFRESH_DEFAULT 60   /* s: verify_payload lifetime (--license-refresh-s) */

/* Once, before serving: the automatic step (0: never by itself). */
void apps_init(int step_s);
/* Once, before serving: the verify_payload period; makes the secret. */
void licenses_init(int refresh_s);
void licenses_done(void);            /* wipes the secret */

/* A new application number for one made at unix time t, in the open
 * transaction of h: "SQ" + its local date YYYYMMDD + a 6-digit sequence
 * of that day (more digits past 999999). 0, or -1 on a database error. */
int app_new_id(sqlite3 *h, long long t, char out[APP_ID_MAX]);

/* Route handlers (apps.c). */
void app_submit(struct req *rq, struct reply *rp);      /* POST /v1/applications */
void app_by_key(struct req *rq, struct reply *rp);      /* GET /v1/applications/by-key/{key} */
void app_mine(struct req *rq, struct reply *rp);        /* GET /v1/me/applications */
void sim_app_advance(struct req *rq, struct reply *rp); /* POST /sim/applications/{id}/advance */
void sim_apps(struct req *rq, struct reply *rp);        /* GET /sim/applications */

/* Route handlers (licenses.c). */
void lic_mine(struct req *rq, struct reply *rp);        /* GET /v1/me/licenses */
void lic_verify(struct req *rq, struct reply *rp);      /* GET /v1/verify/{license}/{token} */

#endif
