/* gw_hall.h: the service hall in the reference gateway (hall.c): staff
 * codes, heartbeats and remote configuration of kiosks, the fleet page,
 * queue tickets, ratings (好差评) and help calls.
 *
 * Everything is in SQLite (db.c, schema version 6) and runs in one
 * transaction under the store's lock per request, as payments do; queue
 * numbers move on by themselves, computed when a ticket is taken (no
 * timers). docs/gateway-api.md has the contract.
 */
#ifndef GW_HALL_H
#define GW_HALL_H

#include "gw.h"

#define HALL_STAFF_CODE_TTL_DEFAULT 300   /* s: a staff code's life (--staff-code-ttl) */
#define HALL_STAFF_SESSION_S        900   /* s: a staff session, as answered */
#define HALL_QUEUE_STEP_DEFAULT     30    /* s: a ticket called (--queue-step-s) */
#define HALL_HEARTBEAT_DEFAULT      60    /* s: kiosks' heartbeat interval (--heartbeat-s) */

struct hall_config {
	int staff_code_ttl;          /* s */
	int queue_step;              /* s; 0: nobody is ever called */
	int heartbeat;               /* s: a kiosk's heartbeat interval unless its
	                              * config says (online: heard within 3) */
	const char *operator_token;  /* GET /v1/fleet's Bearer token; NULL: none.
	                              * Borrowed: lives as long as the process */
};

/* Once, before serving. */
void hall_init(const struct hall_config *c);

/* Route handlers. */
void hall_staff(struct req *rq, struct reply *rp);        /* POST /v1/kiosk/staff */
void sim_staff_code(struct req *rq, struct reply *rp);    /* POST /sim/staff-code */
void hall_heartbeat(struct req *rq, struct reply *rp);    /* POST /v1/kiosk/heartbeat */
void hall_config(struct req *rq, struct reply *rp);       /* GET /v1/kiosk/config */
void sim_kiosk_config(struct req *rq, struct reply *rp);  /* POST /sim/kiosk-config */
void hall_ticket(struct req *rq, struct reply *rp);       /* POST /v1/queue/tickets */
void sim_queue(struct req *rq, struct reply *rp);         /* GET /sim/queue */
void hall_rating(struct req *rq, struct reply *rp);       /* POST /v1/ratings */
void sim_ratings(struct req *rq, struct reply *rp);       /* GET /sim/ratings */
void hall_help(struct req *rq, struct reply *rp);         /* POST /v1/kiosk/help */
void sim_help(struct req *rq, struct reply *rp);          /* GET /sim/help */
void hall_fleet(struct req *rq, struct reply *rp);        /* GET /v1/fleet */

#endif
