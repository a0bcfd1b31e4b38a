/* gwd.h: the reference gateway (gatewayd) as a test fixture.
 *
 * gwd_start runs $GATEWAYD_BIN (default: <dir of this test binary>/../gatewayd
 * if it exists, else build/gatewayd) with
 *   --listen 127.0.0.1:0 --port-file <tmp>/port --db <tmp>/gw.db --demo --sim --quiet
 * plus extra_args, its stdout and stderr in <tmp>/gatewayd.log and sanitizer
 * reports in <tmp>, and returns once it accepts connections on the port it
 * wrote (10 s at most). Every gateway has its own temp dir and port, so tests
 * may run in parallel. It dies with the test process (PR_SET_PDEATHSIG) and
 * live gateways are stopped at exit.
 *
 * HTTP helpers use libcurl with a 10 s timeout; *resp (if resp is not NULL)
 * gets the body, NUL-terminated, for the caller to free (even on errors).
 */
#ifndef TESTS_GWD_H
#define TESTS_GWD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

struct gwd;

/* NULL-terminated extra_args, may be NULL. NULL on failure (the reason and
 * the gateway's log go to stderr). */
struct gwd *gwd_start(const char *const extra_args[]);
/* The same, serving HTTPS: --tls-cert cert --tls-key key (PEM files) are
 * added; gwd_url is then "https://127.0.0.1:PORT" and the HTTP helpers below
 * verify the gateway against the CA certificates in ca (a PEM file; NULL:
 * the system's). */
struct gwd *gwd_start_tls(const char *const extra_args[], const char *cert, const char *key,
                          const char *ca);
const char *gwd_bin(void);

/* "http://127.0.0.1:PORT", or https:// (gwd_start_tls) (owned by g). */
const char *gwd_url(const struct gwd *g);
int gwd_port(const struct gwd *g);
const char *gwd_tmpdir(const struct gwd *g);

/* The HTTP status, or -1 if there was no HTTP answer (refused, timeout). */
int gwd_post(struct gwd *g, const char *path, const char *json_body, char **resp);
int gwd_get(struct gwd *g, const char *path, char **resp);
/* A request with more say, for tests of the gateway itself: from the
 * loopback source address src (e.g. "127.0.0.2"; NULL: the system's
 * choice), with X-Kiosk-Id kiosk (NULL: none), given up after timeout_ms.
 * method is "GET" or "POST" (json_body as for gwd_post). A kept-alive
 * connection is reused by the next request from the same src. Returns as
 * gwd_post. */
int gwd_request_from(struct gwd *g, const char *src, const char *method, const char *path,
                     const char *kiosk, const char *json_body, long timeout_ms, char **resp);
/* A request with header lines of its own (headers: NULL-terminated
 * "Name: value" strings, may be NULL), e.g. X-Kiosk-Id, Idempotency-Key,
 * Accept-Language. Returns as gwd_post. */
int gwd_request_h(struct gwd *g, const char *method, const char *path,
                  const char *const headers[], const char *json_body, char **resp);
/* How many new connections the last request had to open (0: it reused a
 * kept-alive one). */
long gwd_new_connections(struct gwd *g);
/* gwd_start_tls: the host name the helpers put in their URLs, resolved to
 * 127.0.0.1, to reach a gateway whose certificate is for another name
 * (NULL: 127.0.0.1 again). */
void gwd_set_tls_name(struct gwd *g, const char *name);
/* POST /sim/faults, e.g. {"latency_ms":2000} or {"body":"malformed",
 * "paths":["/api/v1/services"]}; "{}" clears. Returns the HTTP status. */
int gwd_faults(struct gwd *g, const char *json);

/* Stops the gateway (SIGTERM) and starts it again on the same database,
 * without --demo (so what it stored is kept), with extra_args as for
 * gwd_start. Its port may change (gwd_url follows). False if it did not
 * start (the reason on stderr). */
bool gwd_restart(struct gwd *g, const char *const extra_args[]);
/* SIGKILL, no goodbye: a gateway that vanishes. The URL stays refused. */
void gwd_kill(struct gwd *g);
/* SIGTERM and wait (5 s, then SIGKILL). */
void gwd_stop(struct gwd *g);
bool gwd_running(struct gwd *g);
/* Exit status as waitpid gives it, once stopped; -1 while running. */
int gwd_status(struct gwd *g);
/* True if the gateway wrote no sanitizer report (see h_sanitizer_clean). */
bool gwd_sanitizer_clean(struct gwd *g, char *report, size_t n);
/* Prints the tail of the gateway's log (for a failing test). */
void gwd_dump(struct gwd *g, FILE *out);
/* Stops it if running, removes its temp dir, frees. NULL is fine. */
void gwd_free(struct gwd *g);

#endif
