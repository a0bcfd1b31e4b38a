/* gw.h: the asynchronous gateway client (libcurl multi, driven by the loop).
 *
 * A request belongs to an owner (a screen, or the app); gw_cancel_owner()
 * drops every request of an owner, so a reply for a screen that is gone is
 * never delivered. Replies arrive in the loop thread. Every answer is held to
 * the contract's limits (1 MiB, depth 32, JSON content type, strict decoding
 * is the caller's with model.h) before the callback sees it.
 */
#ifndef KIOSK_GW_H
#define KIOSK_GW_H

#include <stdbool.h>
#include <jansson.h>

#include "model.h"

struct loop;
struct gw;
struct gw_req;

#define GW_MAX_URLS 8

struct gw_config {
	const char *urls[GW_MAX_URLS]; /* tried in order on connection failure */
	int n_urls;
	const char *kiosk_id;
	const char *ca_file;           /* NULL: system bundle */
	const char *pinned_pubkey;     /* NULL: none; "sha256//..." or a PEM file */
	const char *proxy;             /* NULL: none (the environment's is ignored) */
	long connect_timeout_ms;
	long timeout_ms;
};

enum gw_result {
	GW_OK,          /* 2xx with a JSON body (or 304: not_modified) */
	GW_PROBLEM,     /* 4xx/5xx: problem holds the decoded problem details */
	GW_UNREACHABLE, /* no gateway could be connected to */
	GW_TIMEOUT,     /* connected, but no complete answer in time */
	GW_TOO_LARGE,   /* body over 1 MiB */
	GW_BAD_ANSWER,  /* not JSON, too deep, wrong content type, TLS failure... */
};

enum gw_net { GW_NET_UNKNOWN, GW_NET_ONLINE, GW_NET_OFFLINE };

struct gw_reply {
	int tag;                   /* as given to gw_get/gw_post */
	enum gw_result result;
	int status;                /* HTTP status, 0 if none */
	bool not_modified;         /* 304 */
	json_t *json;              /* borrowed: valid during the callback only;
	                              for GW_OK, and for GW_PROBLEM with a JSON body;
	                              NULL for a gw_get_raw 2xx (read body) */
	const char *etag;          /* borrowed, NULL if none */
	const char *body;          /* borrowed raw body (for caching) */
	size_t body_len;
	struct problem problem;    /* GW_PROBLEM; owned by the reply */
	const char *why;           /* English detail for the log, never shown */
};

typedef void (*gw_fn)(void *ud, const struct gw_reply *r);

struct gw *gw_new(struct loop *l, const struct gw_config *cfg);
void gw_free(struct gw *g);

/* The citizen's bearer token, sent on every request made from now on
 * (copied; NULL forgets it, wiping the copy). A request keeps the token it
 * was made with, so a logout made just before forgetting still carries it. */
void gw_set_token(struct gw *g, const char *token);

/* Language for Accept-Language: "zh-CN", "zh-TW", "en". Copied. */
void gw_set_lang(struct gw *g, const char *lang);

/* GET path (e.g. "/v1/catalog"); etag (may be NULL) is sent as If-None-Match. */
struct gw_req *gw_get(struct gw *g, const char *path, const char *etag,
                      const void *owner, int tag, gw_fn fn, void *ud);
/* The same, for an answer the caller decodes from its bytes (the catalog:
 * catalog_parse, no JSON tree): a 2xx answer is held to the same limits
 * (1 MiB, JSON content type) but not parsed, so it arrives as GW_OK with
 * body and body_len and json NULL, even if the bytes are not JSON (the
 * decoder says so). Error answers are parsed as for gw_get. */
struct gw_req *gw_get_raw(struct gw *g, const char *path, const char *etag,
                          const void *owner, int tag, gw_fn fn, void *ud);
/* POST path with a JSON body (reference stolen). idem_key may be NULL. */
struct gw_req *gw_post(struct gw *g, const char *path, json_t *body, const char *idem_key,
                       const void *owner, int tag, gw_fn fn, void *ud);
/* POST with this bearer token instead of the session's (a log-in answer
 * the kiosk refuses is revoked with its own token). token is copied. */
struct gw_req *gw_post_bearer(struct gw *g, const char *token, const char *path, json_t *body,
                              const void *owner, int tag, gw_fn fn, void *ud);
/* POST as the kiosk alone: no citizen's token, whoever is logged in (the
 * kiosk's own records: ratings kept in the outbox, help calls). */
struct gw_req *gw_post_kiosk(struct gw *g, const char *path, json_t *body, const char *idem_key,
                             const void *owner, int tag, gw_fn fn, void *ud);
void gw_cancel(struct gw *g, struct gw_req *r);
void gw_cancel_owner(struct gw *g, const void *owner);

enum gw_net gw_net_state(const struct gw *g);
/* Called (in the loop thread) whenever the network state changes. */
void gw_on_net_change(struct gw *g, void (*fn)(void *ud, enum gw_net state), void *ud);
/* The last request that ended (staff mode's 网络与网关): at_ms 0 if none
 * yet; path as the log shows it (no query string). */
struct gw_last {
	long long at_ms;           /* loop_now_ms() when it ended */
	bool post;
	char path[96];
	int status;                /* HTTP status, 0 if none */
	enum gw_result result;
	long ms;                   /* how long it took */
	int url_index;             /* the configured URL it went to */
};
const struct gw_last *gw_last(const struct gw *g);
/* The configured URLs, and the one that last answered. */
int gw_n_urls(const struct gw *g);
const char *gw_url(const struct gw *g, int i);
int gw_preferred(const struct gw *g);
/* Number of requests in flight (for the status bar's activity mark). */
int gw_in_flight(const struct gw *g);

/* Checks a configured URL: https anywhere, http only on loopback. Returns
 * NULL if fine, or a static English reason. */
const char *gw_url_problem(const char *url);

#endif
