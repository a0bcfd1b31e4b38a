/* gw_sim.h: the simulator's fault injection (only with --sim).
 *
 * POST /sim/faults sets one fault set for chosen path prefixes: a delay, a
 * failure rate, and a way to spoil successful bodies so the kiosk's defences
 * (size, depth, types, sanitizing, content type) can be tested on purpose.
 */
#ifndef GW_SIM_H
#define GW_SIM_H

#include "gw.h"

enum sim_body {
	SIM_BODY_NONE,
	SIM_BODY_MALFORMED,   /* truncated JSON, 200 */
	SIM_BODY_WRONG_TYPES, /* same shape, every scalar of the wrong type */
	SIM_BODY_HUGE,        /* valid JSON of 5 MiB */
	SIM_BODY_DEEP,        /* arrays nested 100 deep */
	SIM_BODY_EVIL,        /* terminal escapes, bidi, invalid UTF-8 in strings */
	SIM_BODY_HTML,        /* a captive portal's HTML page, 200 */
};

struct sim_fault {
	long latency_ms;      /* http.c parks the connection this long */
	bool fail;            /* answer 500 simulated_failure */
	int status;           /* answer this 4xx/5xx problem instead (0: none) */
	enum sim_body body;
};

/* "application" (project): what POST /v1/applications suffers. */
enum sim_app {
	SIM_APP_NONE,
	SIM_APP_COMMIT_THEN_DROP, /* commit, then close the connection unanswered */
};

struct sim *sim_new(void);
void sim_free(struct sim *s);

/* The fault for one request path (never for /sim/ paths). Draws the dice
 * for error_rate. */
void sim_fault_for(struct sim *s, const char *path, struct sim_fault *out);

/* True if this request, which has just committed a new payment (payment)
 * or application (!payment), is to be dropped unanswered: a
 * commit_then_drop fault of its kind covers path and its "drop_count" is
 * not used up (one is used). False without --sim. */
bool sim_drop_after_commit(struct sim *s, const char *path, bool payment);

/* Spoils a reply: SIM_BODY_HTML replaces any reply by a 200 HTML page; the
 * other modes change JSON replies (answers and problem details alike) and
 * keep their status. Spoiled replies carry no ETag, Cache-Control: no-store. */
void sim_spoil(const struct req *rq, struct reply *rp, enum sim_body b);

/* Route handlers for GET and POST /sim/faults. */
void sim_faults_get(struct req *rq, struct reply *rp);
void sim_faults_post(struct req *rq, struct reply *rp);

#endif
