/* gw_auth.h: citizen logins and sessions (auth.c).
 *
 * Two ways in, both ending in a session (a random Bearer token held in
 * memory with its expiry):
 *   - the device flow after RFC 8628: the kiosk shows a QR of
 *     verification_uri_complete, the citizen approves on the phone (here:
 *     POST /sim/device/{user_code}/approve), the kiosk polls /v1/auth/token;
 *   - a one-time login code from the citizen's phone, scanned by the kiosk
 *     and sent to /v1/auth/scan (here made by POST /sim/citizen-code).
 * All state is in memory under one mutex: a restart logs everybody out.
 */
#ifndef GW_AUTH_H
#define GW_AUTH_H

#include <stdbool.h>
#include <stddef.h>

#include "gw.h"

/* A citizen as stored (db.c) and as checked here. */
struct citizen {
	char id[65];                 /* "cit-zhang" */
	char name[129];              /* UTF-8, 1..32 characters */
	char idno[19];               /* 18-character resident ID (GB 11643-1999) */
	char phone[12];              /* mainland mobile, 11 digits */
};

struct auth_config {
	int device_ttl;              /* s, device_code and user_code lifetime (300) */
	int device_interval;         /* s, minimum polling interval (5) */
	int code_ttl;                /* s, one-time login code lifetime (60) */
	int session_ttl;             /* s, access token lifetime (900) */
};

/* Takes a copy of the citizens; those that fail citizen_check are left out
 * (with a warning on stderr naming only their id). */
struct auth *auth_new(const struct auth_config *cfg, const struct citizen *c, size_t n);
void auth_free(struct auth *a);
size_t auth_n_citizens(const struct auth *a);

/* NULL if the citizen is well-formed, else what is wrong (static text).
 * Checks the ID's check digit and birth date, the phone's shape, the name's
 * UTF-8 and length. */
const char *citizen_check(const struct citizen *c);

/* True if path's secret segment (a user code in /sim/device/..., a
 * licence's verification token in /v1/verify/{license}/...) must be
 * hidden in the log; writes the path with it replaced by "*" into out. */
bool auth_log_path(const char *path, char *out, size_t outlen);

/* The citizen of the request's Bearer session, copied into *out (the
 * caller wipes it after use): true, or false if there is no live session
 * (the caller answers 401 session_expired). */
bool auth_session_citizen(const struct req *rq, struct citizen *out);
/* A name masked as citizens' are shown (张三 → 张*, 李秀英 → 李*英): also
 * staff names (hall.c). out: at least 5 bytes more than name. */
void auth_mask_name(const char *name, char *out, size_t outlen);
/* The masked name ("张*") of the citizen with this id into out; false if
 * there is none. */
bool auth_display_name(const struct auth *a, const char *citizen_id, char *out, size_t outlen);

/* Route handlers. */
void auth_device(struct req *rq, struct reply *rp);      /* POST /v1/auth/device */
void auth_token(struct req *rq, struct reply *rp);       /* POST /v1/auth/token */
void auth_scan(struct req *rq, struct reply *rp);        /* POST /v1/auth/scan */
void auth_logout(struct req *rq, struct reply *rp);      /* POST /v1/auth/logout */
void auth_me(struct req *rq, struct reply *rp);          /* GET /v1/me */
void sim_device_approve(struct req *rq, struct reply *rp);  /* POST /sim/device/{uc}/approve */
void sim_device_deny(struct req *rq, struct reply *rp);     /* POST /sim/device/{uc}/deny */
void sim_device_slow_down(struct req *rq, struct reply *rp); /* POST /sim/device/{uc}/slow_down */
void sim_citizen_code(struct req *rq, struct reply *rp);    /* POST /sim/citizen-code */
void sim_sessions_expire(struct req *rq, struct reply *rp); /* POST /sim/sessions/expire */

#endif
