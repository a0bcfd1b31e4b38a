/* tamper.h: the tests' tampering proxy (tamper.c): one per test process.
 *
 * Listens on a loopback port; each request the kiosk sends is read whole,
 * then either answered with a canned answer (a rule for its method and
 * path) or passed to gatewayd with "Connection: close" and its answer
 * copied back. One request a connection: curl opens another. */
#ifndef TESTS_E2E_TAMPER_H
#define TESTS_E2E_TAMPER_H

struct gwd;

/* Answers method+path with status and body (problem+json from 400 up);
 * body NULL: pass it on again (and count it). */
void tamper_set(const char *method, const char *path, int status, const char *body);
/* Requests matched by the rule for method+path since it was set. */
int tamper_hits(const char *method, const char *path);
/* The body of the last request matching a rule (caller frees), or NULL. */
char *tamper_last(const char *method, const char *path);
/* The same, its request line and headers. */
char *tamper_last_head(const char *method, const char *path);
/* The proxy's URL, in front of gateway g. */
const char *tamper_start(struct gwd *g);

#endif
