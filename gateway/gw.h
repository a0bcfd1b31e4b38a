/* gw.h: what the parts of the reference gateway (gatewayd) share.
 *
 * A request goes: http.c (libmicrohttpd glue, a pool of worker threads)
 * reads it into a struct req, finds its route in routes.c, the handler fills
 * a struct reply, sim.c may slow it down (http.c parks the connection, it
 * never blocks a worker) or spoil it, and http.c sends it (with ETag / 304
 * handling) and logs one line when it is done.
 */
#ifndef GW_H
#define GW_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <pthread.h>
#include <jansson.h>

#define GW_MAX_BODY   (64 * 1024)   /* request bodies; more is a 413 */
#define GW_MAX_PARAMS 4             /* {name} segments in one route */
#define GW_ETAG_LEN   36            /* quotes + 32 hex digits + NUL, rounded */

/* LANG_ZH is zh-CN (Simplified), LANG_TW zh-TW (Traditional, Taiwan). */
enum lang { LANG_ZH, LANG_EN, LANG_TW, LANG_N };

/* Parses an Accept-Language value (may be NULL): the supported language with
 * the highest q wins; zh-TW, zh-HK, zh-MO and zh-Hant(-*) are zh-TW, other
 * zh ranges and "*" zh-CN; nothing supported means zh-CN. */
enum lang lang_from_header(const char *accept_language);
const char *lang_tag(enum lang l);   /* "zh-CN", "en", "zh-TW" */

/* zh-TW texts are not written by hand: gateway/zh_tw_gen.py converts every
 * zh-CN string literal of the gateway once with OpenCC (s2twp) plus reviewed
 * corrections, into zh_tw_table.c: pairs sorted by the zh-CN bytes. */
struct zh_tw_pair {
	const char *cn, *tw;
};
extern const struct zh_tw_pair zh_tw_pairs[];
extern const size_t zh_tw_n;
/* The zh-TW text of a zh-CN text of the gateway, or NULL if the table has
 * none (the text changed since zh_tw_gen.py last ran). */
const char *zh_tw(const char *zh_cn);
/* The text for l out of a zh-CN / English pair; zh-TW is zh_tw(zh), or zh
 * itself when the table lacks it. */
const char *lang_pick(enum lang l, const char *zh, const char *en);

struct gw;

struct req {
	struct gw *gw;
	void *conn;                  /* struct MHD_Connection *, borrowed */
	char method[8];
	const char *path;            /* borrowed from libmicrohttpd, decoded */
	enum lang lang;
	const char *params[GW_MAX_PARAMS]; /* route captures, owned by this req */
	size_t n_params;
	char *body;                  /* request body, NUL-terminated, <= GW_MAX_BODY */
	size_t body_len;
	bool body_too_large;
	bool responded;
	int status;                  /* what was sent, for the log */
	double t0;                   /* monotonic seconds at arrival */
	char kiosk[72];              /* X-Kiosk-Id, printable ASCII, "-" if none */
	unsigned char src[16];       /* client address; IPv4 as ::ffff:a.b.c.d */
	char logpath[200];           /* path escaped for the log */
};

struct reply {
	int status;
	char *body;                  /* malloc'd, owned; NULL = empty */
	size_t len;
	const char *content_type;    /* static string */
	const char *cache_control;   /* static string, NULL = none */
	bool localized;              /* add Content-Language and Vary */
	bool etag;                   /* send ETag, honour If-None-Match */
	bool secret;                 /* body holds tokens, codes or personal data:
	                              * wiped when freed */
	char etag_value[GW_ETAG_LEN];/* precomputed tag (with quotes), or "" */
	char allow[48];              /* Allow header for 405, or "" */
	const char *www_authenticate;/* WWW-Authenticate (401), static, or NULL */
	json_t *json;                /* when set, dumped into body at send time */
	bool replayed;               /* a stored answer again: Idempotent-Replayed: true */
};

typedef void (*route_fn)(struct req *rq, struct reply *rp);

#define ROUTE_SIM 1u                 /* exists only with --sim */

struct route {
	const char *method;
	const char *pattern;             /* "/v1/services/{id}" */
	route_fn fn;
	unsigned flags;
};

extern const struct route gw_routes[]; /* ends with {NULL} */

struct db;
struct sim;
struct auth;

struct gw {
	struct db *db;
	struct sim *sim;             /* NULL unless --sim */
	struct auth *auth;           /* logins and sessions (auth.c) */
	bool quiet;
	atomic_int stopping;         /* set on SIGTERM/SIGINT */
	pthread_mutex_t cache_lock;
	struct {
		char *body;
		size_t len;
		char etag[GW_ETAG_LEN];
	} catalog_cache[LANG_N];
};

/* http.c */
struct gw_server;

/* What one client, and all of them, may hold of the server (main.c has the
 * defaults and the flags; docs/gateway-api.md says why). */
struct gw_limits {
	unsigned max_conns;          /* connections in all */
	unsigned per_ip;             /* connections from one address */
	unsigned idle_timeout;       /* s a connection may stay silent */
	unsigned request_timeout;    /* s to receive a request's headers and body */
	unsigned threads;            /* worker threads */
	const char *tls_cert;        /* PEM text, borrowed; NULL: plain HTTP */
	const char *tls_key;         /* PEM text, borrowed, with tls_cert */
};

/* Serves on the listening socket fd (taken over) until gw_server_stop. */
struct gw_server *gw_server_start(struct gw *gw, int fd, const struct gw_limits *lim,
                                  char *err, size_t errlen);
void gw_server_stop(struct gw_server *s);
const char *req_header(const struct req *rq, const char *name);
/* Closes the request's connection without an answer (what is queued
 * after this cannot be sent): the simulator's commit_then_drop. */
void req_drop_connection(const struct req *rq);
double gw_now(void);             /* monotonic seconds */
void gw_rfc3339(char out[21], long long unix_s); /* "2026-11-01T00:00:00Z" */

/* free() that first wipes the block (malloc_usable_size bytes): for
 * anything that held a secret, and jansson's memory (main.c). */
void gw_wipe_free(void *p);

/* Reply helpers. reply_json steals j. */
void reply_json(struct reply *rp, int status, json_t *j);
void reply_take_body(struct reply *rp, int status, const char *type, char *body, size_t len);
/* Frees rp->body (wiped first if rp->secret). */
void reply_drop_body(struct reply *rp);
/* Turns rp->json into rp->body (compact JSON). */
void reply_materialize(struct reply *rp);

/* problem.c: RFC 9457 answers, localized by rq->lang. code is one of the
 * table's codes (not_found, service_not_found, method_not_allowed, bad_json,
 * body_too_large, validation_failed, simulated_failure, internal_error,
 * code_invalid, code_expired, code_used, session_expired, citizen_not_found,
 * user_code_not_found, user_code_expired, user_code_decided, auth_busy,
 * and those of payments, applications and the hall); a scoped code
 * ("staff:code_used") is sent as its part after the ':'. errors (stolen,
 * may be NULL) is an array made with problem_error. */
void reply_problem(const struct req *rq, struct reply *rp, const char *code,
                   json_t *errors);
json_t *problem_error(const char *field, const char *code, const char *message);
/* The problem a status stands for on this request's path (a 404 under
 * /v1/services/ is service_not_found), or a generic one (simulation). */
void reply_problem_status(const struct req *rq, struct reply *rp, int status);

/* routes.c */
void catalog_cache_drop(struct gw *gw);

/* sha256.c */
void sha256(const void *data, size_t len, unsigned char out[32]);
/* Strong ETag of a body: "\"" + 32 hex digits of its SHA-256 + "\"". */
void etag_of(const void *data, size_t len, char out[GW_ETAG_LEN]);

#endif
