/* routes.c: the gateway's route table and the /v1 handlers.
 *
 * To add an endpoint: write a route_fn and add a line to gw_routes. Patterns
 * are literal except for {name} segments, which match one non-empty path
 * segment and arrive in rq->params in order. HEAD is served by GET routes;
 * a path that matches with another method answers 405 with Allow.
 */
#include "gw.h"
#include "gw_apps.h"
#include "gw_auth.h"
#include "gw_db.h"
#include "gw_hall.h"
#include "gw_pay.h"
#include "gw_sim.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

static void health(struct req *rq, struct reply *rp)
{
	char now[21];
	gw_rfc3339(now, (long long)time(NULL));
	reply_json(rp, 200, json_pack("{s:s, s:s}", "status", "ok", "time", now));
}

/* The catalog changes only when the database is loaded, so each language's
 * body and ETag are built once (10,000 services take tens of ms) and copied
 * per request. */
static void catalog(struct req *rq, struct reply *rp)
{
	struct gw *gw = rq->gw;
	char *body = NULL;
	size_t len = 0;

	pthread_mutex_lock(&gw->cache_lock);
	if (!gw->catalog_cache[rq->lang].body) {
		json_t *j;
		if (db_catalog_json(gw->db, rq->lang, &j) == 0) {
			char *s = json_dumps(j, JSON_COMPACT);
			json_decref(j);
			if (!s)
				abort();
			gw->catalog_cache[rq->lang].body = s;
			gw->catalog_cache[rq->lang].len = strlen(s);
			etag_of(s, strlen(s), gw->catalog_cache[rq->lang].etag);
		}
	}
	if (gw->catalog_cache[rq->lang].body) {
		len = gw->catalog_cache[rq->lang].len;
		body = malloc(len + 1);
		if (!body)
			abort();
		memcpy(body, gw->catalog_cache[rq->lang].body, len + 1);
		memcpy(rp->etag_value, gw->catalog_cache[rq->lang].etag, GW_ETAG_LEN);
	}
	pthread_mutex_unlock(&gw->cache_lock);

	if (!body) {
		reply_problem(rq, rp, "internal_error", NULL);
		return;
	}
	reply_take_body(rp, 200, "application/json", body, len);
	rp->etag = true;
	rp->cache_control = "no-cache";
	rp->localized = true;
}

void catalog_cache_drop(struct gw *gw)
{
	pthread_mutex_lock(&gw->cache_lock);
	for (int l = 0; l < LANG_N; l++) {
		free(gw->catalog_cache[l].body);
		gw->catalog_cache[l].body = NULL;
		gw->catalog_cache[l].len = 0;
		gw->catalog_cache[l].etag[0] = '\0';
	}
	pthread_mutex_unlock(&gw->cache_lock);
}

/* Service ids are short lower-case ASCII; anything else cannot exist, and
 * is not worth a database lookup. */
static bool plausible_id(const char *id)
{
	size_t n = strlen(id);
	if (n == 0 || n > 64)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((id[i] >= 'a' && id[i] <= 'z') || (id[i] >= '0' && id[i] <= '9') ||
		      id[i] == '-' || id[i] == '_'))
			return false;
	return true;
}

static void service(struct req *rq, struct reply *rp)
{
	const char *id = rq->params[0];
	json_t *j = NULL;
	int rc = plausible_id(id) ? db_service_json(rq->gw->db, id, rq->lang, &j) : 1;
	if (rc == 1) {
		reply_problem(rq, rp, "service_not_found", NULL);
		return;
	}
	if (rc < 0) {
		reply_problem(rq, rp, "internal_error", NULL);
		return;
	}
	reply_json(rp, 200, j);
	rp->etag = true;
	rp->cache_control = "no-cache";
	rp->localized = true;
}

const struct route gw_routes[] = {
	{ "GET", "/v1/health", health, 0 },
	{ "GET", "/v1/catalog", catalog, 0 },
	{ "GET", "/v1/services/{id}", service, 0 },
	{ "POST", "/v1/auth/device", auth_device, 0 },
	{ "POST", "/v1/auth/token", auth_token, 0 },
	{ "POST", "/v1/auth/scan", auth_scan, 0 },
	{ "POST", "/v1/auth/logout", auth_logout, 0 },
	{ "GET", "/v1/me", auth_me, 0 },
	{ "GET", "/v1/me/applications", app_mine, 0 },
	{ "GET", "/v1/me/licenses", lic_mine, 0 },
	{ "POST", "/v1/applications", app_submit, 0 },
	{ "GET", "/v1/applications/by-key/{key}", app_by_key, 0 },
	{ "GET", "/v1/verify/{license}/{token}", lic_verify, 0 },
	{ "GET", "/v1/bills", pay_bills, 0 },
	{ "POST", "/v1/payments", pay_create, 0 },
	{ "GET", "/v1/payments/{id}", pay_get, 0 },
	{ "POST", "/v1/payments/{id}/scan", pay_scan, 0 },
	{ "POST", "/v1/payments/{id}/cancel", pay_cancel, 0 },
	{ "POST", "/v1/kiosk/staff", hall_staff, 0 },
	{ "POST", "/v1/kiosk/heartbeat", hall_heartbeat, 0 },
	{ "GET", "/v1/kiosk/config", hall_config, 0 },
	{ "POST", "/v1/kiosk/help", hall_help, 0 },
	{ "POST", "/v1/queue/tickets", hall_ticket, 0 },
	{ "POST", "/v1/ratings", hall_rating, 0 },
	{ "GET", "/v1/fleet", hall_fleet, 0 },
	{ "GET", "/sim/faults", sim_faults_get, ROUTE_SIM },
	{ "POST", "/sim/faults", sim_faults_post, ROUTE_SIM },
	{ "POST", "/sim/device/{user_code}/approve", sim_device_approve, ROUTE_SIM },
	{ "POST", "/sim/device/{user_code}/deny", sim_device_deny, ROUTE_SIM },
	{ "POST", "/sim/device/{user_code}/slow_down", sim_device_slow_down, ROUTE_SIM },
	{ "POST", "/sim/citizen-code", sim_citizen_code, ROUTE_SIM },
	{ "POST", "/sim/sessions/expire", sim_sessions_expire, ROUTE_SIM },
	{ "GET", "/sim/accounts", sim_accounts, ROUTE_SIM },
	{ "GET", "/sim/payments", sim_payments, ROUTE_SIM },
	{ "POST", "/sim/payments/{id}/pay", sim_payment_pay, ROUTE_SIM },
	{ "POST", "/sim/payments/{id}/fail", sim_payment_fail, ROUTE_SIM },
	{ "GET", "/sim/applications", sim_apps, ROUTE_SIM },
	{ "POST", "/sim/applications/{id}/advance", sim_app_advance, ROUTE_SIM },
	{ "POST", "/sim/staff-code", sim_staff_code, ROUTE_SIM },
	{ "POST", "/sim/kiosk-config", sim_kiosk_config, ROUTE_SIM },
	{ "GET", "/sim/queue", sim_queue, ROUTE_SIM },
	{ "GET", "/sim/ratings", sim_ratings, ROUTE_SIM },
	{ "GET", "/sim/help", sim_help, ROUTE_SIM },
	{ NULL, NULL, NULL, 0 },
};
