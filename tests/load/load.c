/* load.c: `make load`, a bounded load test of the reference gateway.
 *
 * Starts a gatewayd (harness/gwd.h: demo data, --sim, a free loopback port)
 * and, for --seconds, drives it the way a city's kiosks and a rude client
 * would at once:
 *   - --clients kiosks (default 200) on one curl multi handle, spread over
 *     10 source addresses 127.0.1.x (halls behind NAT), each looping over a
 *     mix: the catalog (half of them revalidated with If-None-Match), a
 *     service's details (delayed 200 ms by /sim/faults, so parked requests
 *     are part of the load), the QR log-in (device code, a pending poll,
 *     /sim approve, the token, /v1/me, log-out), the scanned log-in
 *     (/sim/citizen-code, /v1/auth/scan, log-out), GET /sim/faults;
 *   - --slow slow clients (default 128) on raw sockets from 127.0.2.x, 32 an
 *     address, each sending a request's headers one line every 5 s and
 *     never finishing; when the gateway cuts one it reconnects;
 *   - a health probe from 127.0.3.1: GET /v1/health on a new connection
 *     every 50 ms, timed.
 * Then it prints requests per second, the answers by status, the refusals
 * (connections refused or closed with no answer, and 503s), the health
 * latencies, and whether the gateway survived (still running, exit 0 on
 * SIGTERM, no sanitizer report).
 *
 * Exit status 0 if the gateway survived, every health probe was answered
 * (within --health-ms if that is not 0, else within 5 s), and no request
 * went unanswered for a reason other than a refusal; 1 otherwise. The
 * e2e suite runs it for 3 s with --health-ms 0 (test_gateway.c); timing
 * bounds are for `make load` on an idle machine only.
 */
#include "harness/gwd.h"

#include <curl/curl.h>
#include <jansson.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define CLIENT_ADDRS   10
#define SLOW_PER_ADDR  32
#define SLOW_LINE_S    5
#define PROBE_EVERY_MS 50
#define PROBE_LIMIT_MS 5000
#define MAX_PROBES     100000
#define DEVICE_GRANT   "urn:ietf:params:oauth:grant-type:device_code"

struct opts {
	double seconds;
	int clients, slow;
	double health_ms;            /* 0: only "answered within 5 s" */
	const char *url;             /* an existing gateway; NULL: start one */
};

/* ---- small helpers ------------------------------------------------------ */

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

__attribute__((format(printf, 1, 2)))
static char *fmt(const char *f, ...)
{
	va_list ap;
	char *s = NULL;
	va_start(ap, f);
	if (vasprintf(&s, f, ap) < 0)
		abort();
	va_end(ap);
	return s;
}

static long parse_num(const char *flag, const char *v, long min, long max)
{
	char *end;
	errno = 0;
	long n = strtol(v, &end, 10);
	if (!*v || *end || errno || n < min || n > max) {
		fprintf(stderr, "load: %s: expected a number from %ld to %ld\n", flag, min, max);
		exit(2);
	}
	return n;
}

struct buf {
	char *s;
	size_t len;
	bool keep;                   /* false: bodies are counted, not kept */
};

static size_t on_body(char *p, size_t size, size_t n, void *ud)
{
	struct buf *b = ud;
	size_t k = size * n;
	if (!b->keep)
		return k;
	char *s = realloc(b->s, b->len + k + 1);
	if (!s)
		abort();
	memcpy(s + b->len, p, k);
	b->len += k;
	s[b->len] = '\0';
	b->s = s;
	return k;
}

/* ---- what the gateway serves, read once before the load ----------------- */

struct world {
	const char *base;
	char etag[3][64];            /* the catalog's ETag per language */
	char **svc;                  /* service ids */
	size_t n_svc;
};

static const char *const langs[3] = { "zh-CN", "en", "zh-TW" };

static size_t on_header(char *p, size_t size, size_t n, void *ud)
{
	char *etag = ud;
	size_t k = size * n;
	if (k > 6 && !strncasecmp(p, "ETag:", 5)) {
		size_t i = 5, e = k;
		while (i < e && (p[i] == ' ' || p[i] == '\t'))
			i++;
		while (e > i && (p[e - 1] == '\r' || p[e - 1] == '\n' || p[e - 1] == ' '))
			e--;
		snprintf(etag, 64, "%.*s", (int)(e - i), p + i);
	}
	return k;
}

static void world_load(struct world *w)
{
	for (int l = 0; l < 3; l++) {
		CURL *c = curl_easy_init();
		struct buf b = { .keep = true };
		struct curl_slist *h = NULL;
		char *url = fmt("%s/v1/catalog", w->base), *al = fmt("Accept-Language: %s", langs[l]);
		h = curl_slist_append(h, al);
		curl_easy_setopt(c, CURLOPT_URL, url);
		curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
		curl_easy_setopt(c, CURLOPT_PROXY, "");
		curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
		curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 20000L);
		curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
		curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
		curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
		curl_easy_setopt(c, CURLOPT_HEADERDATA, (void *)w->etag[l]);
		CURLcode rc = curl_easy_perform(c);
		if (rc != CURLE_OK || !b.s) {
			fprintf(stderr, "load: GET %s: %s\n", url, curl_easy_strerror(rc));
			exit(1);
		}
		if (l == 0) {
			json_t *j = json_loads(b.s, 0, NULL), *v;
			json_t *svcs = json_object_get(j, "services");
			size_t i;
			w->svc = calloc(json_array_size(svcs) + 1, sizeof *w->svc);
			if (!w->svc)
				abort();
			json_array_foreach(svcs, i, v) {
				const char *id = json_string_value(json_object_get(v, "id"));
				if (id)
					w->svc[w->n_svc++] = strdup(id);
			}
			json_decref(j);
		}
		free(b.s);
		free(url);
		free(al);
		curl_slist_free_all(h);
		curl_easy_cleanup(c);
	}
	if (!w->n_svc) {
		fprintf(stderr, "load: the gateway's catalog has no services\n");
		exit(1);
	}
}

/* ---- counters ----------------------------------------------------------- */

enum kind { K_CATALOG, K_SERVICE, K_DEVICE, K_TOKEN, K_APPROVE, K_ME, K_LOGOUT,
            K_CODE, K_SCAN, K_FAULTS, K_N };
static const char *const kind_names[K_N] = {
	"catalog", "service", "auth/device", "auth/token", "sim approve", "me", "logout",
	"sim citizen-code", "auth/scan", "sim faults",
};

struct stats {
	unsigned long by_kind[K_N];
	unsigned long s2xx, s304, s4xx, s503, s5xx;
	unsigned long refused;       /* no connection, or closed with no answer */
	unsigned long other_err;     /* timeouts and anything else: failures */
	unsigned long flows_done;    /* log-ins that reached a token and logged out */
};

/* ---- the kiosks: one state machine per easy handle --------------------- */

enum step { S_NEXT, S_CATALOG, S_SERVICE, S_DEVICE, S_POLL_PENDING, S_APPROVE, S_POLL_TOKEN,
            S_ME, S_LOGOUT, S_CODE, S_SCAN, S_FAULTS };

struct client {
	CURL *easy;
	struct curl_slist *hdr;
	struct buf body;
	char iface[32];
	char kiosk_id[32];
	enum step step;
	char device_code[64], user_code[16], token[64], login_code[64];
	uint64_t rng;
	char *url, *post;
};

static uint64_t rnd(struct client *c)
{
	c->rng ^= c->rng >> 12;
	c->rng ^= c->rng << 25;
	c->rng ^= c->rng >> 27;
	return c->rng * 0x2545F4914F6CDD1Du;
}

static void set_str(char *out, size_t n, json_t *j, const char *key)
{
	const char *v = json_string_value(json_object_get(j, key));
	snprintf(out, n, "%s", v ? v : "");
}

/* Sets up the next request of c's current flow, or picks a new flow. */
static void client_prepare(struct client *c, const struct world *w)
{
	static const enum step flows[] = { S_CATALOG, S_CATALOG, S_CATALOG, S_SERVICE, S_SERVICE,
	                                   S_SERVICE, S_DEVICE, S_CODE, S_FAULTS };
	if (c->step == S_NEXT)
		c->step = flows[rnd(c) % (sizeof flows / sizeof flows[0])];
	curl_easy_reset(c->easy);
	curl_slist_free_all(c->hdr);
	c->hdr = NULL;
	free(c->url);
	free(c->post);
	c->url = c->post = NULL;
	free(c->body.s);
	c->body = (struct buf){ .keep = c->step != S_CATALOG && c->step != S_SERVICE };

	char *h = fmt("X-Kiosk-Id: %s", c->kiosk_id);
	c->hdr = curl_slist_append(c->hdr, h);
	free(h);
	int l = (int)(rnd(c) % 3);
	h = fmt("Accept-Language: %s", langs[l]);
	c->hdr = curl_slist_append(c->hdr, h);
	free(h);
	switch (c->step) {
	case S_CATALOG:
		c->url = fmt("%s/v1/catalog", w->base);
		if (rnd(c) % 2 && w->etag[l][0]) {
			h = fmt("If-None-Match: %s", w->etag[l]);
			c->hdr = curl_slist_append(c->hdr, h);
			free(h);
		}
		break;
	case S_SERVICE:
		c->url = fmt("%s/v1/services/%s", w->base, w->svc[rnd(c) % w->n_svc]);
		break;
	case S_DEVICE:
		c->url = fmt("%s/v1/auth/device", w->base);
		c->post = strdup("");
		break;
	case S_POLL_PENDING:
	case S_POLL_TOKEN:
		c->url = fmt("%s/v1/auth/token", w->base);
		c->post = fmt("{\"grant_type\":\"%s\",\"device_code\":\"%s\"}", DEVICE_GRANT,
		              c->device_code);
		break;
	case S_APPROVE:
		c->url = fmt("%s/sim/device/%s/approve", w->base, c->user_code);
		c->post = strdup("");
		break;
	case S_ME:
	case S_LOGOUT:
		c->url = fmt("%s/v1/%s", w->base, c->step == S_ME ? "me" : "auth/logout");
		if (c->step == S_LOGOUT)
			c->post = strdup("");
		h = fmt("Authorization: Bearer %s", c->token);
		c->hdr = curl_slist_append(c->hdr, h);
		free(h);
		break;
	case S_CODE:
		c->url = fmt("%s/sim/citizen-code", w->base);
		c->post = strdup("");
		break;
	case S_SCAN:
		c->url = fmt("%s/v1/auth/scan", w->base);
		c->post = fmt("{\"code\":\"%s\"}", c->login_code);
		break;
	case S_FAULTS:
	case S_NEXT:
		c->url = fmt("%s/sim/faults", w->base);
		break;
	}
	if (c->post)
		c->hdr = curl_slist_append(c->hdr, "Content-Type: application/json");
	curl_easy_setopt(c->easy, CURLOPT_URL, c->url);
	curl_easy_setopt(c->easy, CURLOPT_HTTPHEADER, c->hdr);
	curl_easy_setopt(c->easy, CURLOPT_INTERFACE, c->iface);
	curl_easy_setopt(c->easy, CURLOPT_PROXY, "");
	curl_easy_setopt(c->easy, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c->easy, CURLOPT_TIMEOUT_MS, 15000L);
	curl_easy_setopt(c->easy, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c->easy, CURLOPT_WRITEDATA, &c->body);
	curl_easy_setopt(c->easy, CURLOPT_PRIVATE, (char *)c);
	if (c->post)
		curl_easy_setopt(c->easy, CURLOPT_POSTFIELDS, c->post);
}

static enum kind kind_of(enum step s)
{
	switch (s) {
	case S_CATALOG: return K_CATALOG;
	case S_SERVICE: return K_SERVICE;
	case S_DEVICE: return K_DEVICE;
	case S_POLL_PENDING:
	case S_POLL_TOKEN: return K_TOKEN;
	case S_APPROVE: return K_APPROVE;
	case S_ME: return K_ME;
	case S_LOGOUT: return K_LOGOUT;
	case S_CODE: return K_CODE;
	case S_SCAN: return K_SCAN;
	default: return K_FAULTS;
	}
}

/* Counts a finished request and moves c's flow on. */
static void client_done(struct client *c, CURLcode rc, struct stats *st)
{
	long status = 0;
	curl_easy_getinfo(c->easy, CURLINFO_RESPONSE_CODE, &status);
	st->by_kind[kind_of(c->step)]++;
	if (rc != CURLE_OK) {
		if (rc == CURLE_COULDNT_CONNECT || rc == CURLE_GOT_NOTHING || rc == CURLE_RECV_ERROR ||
		    rc == CURLE_SEND_ERROR)
			st->refused++;
		else
			st->other_err++;
		c->step = S_NEXT;
		return;
	}
	if (status == 304)
		st->s304++;
	else if (status >= 200 && status < 300)
		st->s2xx++;
	else if (status == 503)
		st->s503++;
	else if (status >= 500)
		st->s5xx++;
	else
		st->s4xx++;

	json_t *j = c->body.s ? json_loads(c->body.s, 0, NULL) : NULL;
	enum step next = S_NEXT;
	switch (c->step) {
	case S_DEVICE:
		if (status == 200) {
			set_str(c->device_code, sizeof c->device_code, j, "device_code");
			set_str(c->user_code, sizeof c->user_code, j, "user_code");
			next = S_POLL_PENDING;
		}
		break;
	case S_POLL_PENDING:
		next = S_APPROVE;
		break;
	case S_APPROVE:
		next = status == 200 ? S_POLL_TOKEN : S_NEXT;
		break;
	case S_POLL_TOKEN:
	case S_SCAN:
		if (status == 200) {
			set_str(c->token, sizeof c->token, j, "access_token");
			next = S_ME;
		}
		break;
	case S_ME:
		next = S_LOGOUT;
		break;
	case S_LOGOUT:
		st->flows_done++;
		break;
	case S_CODE:
		if (status == 200) {
			set_str(c->login_code, sizeof c->login_code, j, "code");
			next = S_SCAN;
		}
		break;
	default:
		break;
	}
	json_decref(j);
	c->step = next;
}

/* ---- slow clients (their own thread) ------------------------------------ */

struct slow {
	int port, n;
	atomic_bool stop;
	unsigned long connected, cut, refused;
};

/* A non-blocking connection from src to 127.0.0.1:port, or -1. */
static int connect_from(const char *src, int port)
{
	struct sockaddr_in from = { .sin_family = AF_INET }, to = { .sin_family = AF_INET };
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	inet_pton(AF_INET, src, &from.sin_addr);
	to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	to.sin_port = htons((uint16_t)port);
	if (bind(fd, (struct sockaddr *)&from, sizeof from) ||
	    (connect(fd, (struct sockaddr *)&to, sizeof to) && errno != EINPROGRESS)) {
		close(fd);
		return -1;
	}
	return fd;
}

static void *slow_main(void *arg)
{
	struct slow *s = arg;
	static const char first[] = "GET /v1/catalog HTTP/1.1\r\nHost: gw\r\n";
	static const char line[] = "X-Slow: still typing\r\n";
	int *fd = calloc((size_t)s->n, sizeof *fd);
	double *next = calloc((size_t)s->n, sizeof *next);
	bool *started = calloc((size_t)s->n, sizeof *started);
	struct pollfd *pf = calloc((size_t)s->n, sizeof *pf);
	if (!fd || !next || !started || !pf)
		abort();
	for (int i = 0; i < s->n; i++)
		fd[i] = -1;
	while (!atomic_load(&s->stop)) {
		double now = now_s();
		for (int i = 0; i < s->n; i++) {
			if (fd[i] < 0) {
				char src[32];
				snprintf(src, sizeof src, "127.0.2.%d", 1 + i / SLOW_PER_ADDR);
				fd[i] = connect_from(src, s->port);
				if (fd[i] < 0) {
					s->refused++;
					continue;
				}
				s->connected++;
				started[i] = false;
				next[i] = now;
			}
			if (now >= next[i]) {
				const char *msg = started[i] ? line : first;
				/* A connection the gateway refused shows as EOF below. */
				if (send(fd[i], msg, strlen(msg), MSG_NOSIGNAL) > 0)
					started[i] = true;
				next[i] = now + SLOW_LINE_S;
			}
			pf[i].fd = fd[i];
			pf[i].events = POLLIN;
			pf[i].revents = 0;
		}
		if (poll(pf, (nfds_t)s->n, 200) > 0) {
			for (int i = 0; i < s->n; i++) {
				if (fd[i] < 0 || !pf[i].revents)
					continue;
				char b[512];
				ssize_t r = recv(fd[i], b, sizeof b, MSG_DONTWAIT);
				if (r == 0 || (r < 0 && errno != EAGAIN && errno != EWOULDBLOCK)) {
					close(fd[i]);
					fd[i] = -1;
					s->cut++;
				}
			}
		}
	}
	for (int i = 0; i < s->n; i++)
		if (fd[i] >= 0)
			close(fd[i]);
	free(fd);
	free(next);
	free(started);
	free(pf);
	return NULL;
}

/* ---- the health probe (its own thread) ----------------------------------- */

struct probe {
	const char *base;
	atomic_bool stop;
	double *ms;                  /* answered probes' times */
	size_t n, failed;
};

static void *probe_main(void *arg)
{
	struct probe *p = arg;
	char *url = fmt("%s/v1/health", p->base);
	CURL *c = curl_easy_init();
	struct buf b = { 0 };
	while (!atomic_load(&p->stop) && p->n < MAX_PROBES) {
		double t0 = now_s();
		curl_easy_reset(c);
		curl_easy_setopt(c, CURLOPT_URL, url);
		curl_easy_setopt(c, CURLOPT_INTERFACE, "127.0.3.1");
		curl_easy_setopt(c, CURLOPT_PROXY, "");
		curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
		curl_easy_setopt(c, CURLOPT_FRESH_CONNECT, 1L);
		curl_easy_setopt(c, CURLOPT_FORBID_REUSE, 1L);
		curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)PROBE_LIMIT_MS);
		curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
		curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
		long status = 0;
		CURLcode rc = curl_easy_perform(c);
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
		double ms = (now_s() - t0) * 1000.0;
		if (rc == CURLE_OK && status == 200)
			p->ms[p->n++] = ms;
		else
			p->failed++;
		double left = PROBE_EVERY_MS - ms;
		if (left > 0)
			poll(NULL, 0, (int)left);
	}
	curl_easy_cleanup(c);
	free(url);
	return NULL;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* ---- main ---------------------------------------------------------------- */

static void usage(void)
{
	fputs("usage: load [--seconds N] [--clients N] [--slow N] [--health-ms MS] [--url URL]\n"
	      "Runs gatewayd ($GATEWAYD_BIN, else next to this program, else build/gatewayd)\n"
	      "under load for N seconds (default 20) and prints the figures; --url drives a\n"
	      "gateway that is already running instead. --health-ms 0: health must only\n"
	      "answer within 5 s. Exit 1 if the gateway failed.\n", stderr);
	exit(2);
}

int main(int argc, char **argv)
{
	struct opts o = { .seconds = 20, .clients = 200, .slow = 128, .health_ms = 100 };
	for (int i = 1; i < argc; i += 2) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (!v)
			usage();
		if (!strcmp(a, "--seconds"))
			o.seconds = (double)parse_num(a, v, 1, 3600);
		else if (!strcmp(a, "--clients"))
			o.clients = (int)parse_num(a, v, 1, 2000);
		else if (!strcmp(a, "--slow"))
			o.slow = (int)parse_num(a, v, 0, SLOW_PER_ADDR * 250);
		else if (!strcmp(a, "--health-ms"))
			o.health_ms = (double)parse_num(a, v, 0, 60000);
		else if (!strcmp(a, "--url"))
			o.url = v;
		else
			usage();
	}
	curl_global_init(CURL_GLOBAL_DEFAULT);

	static const char *const gw_args[] = { "--device-interval", "1", NULL };
	struct gwd *g = NULL;
	struct world w = { .base = o.url };
	if (!o.url) {
		g = gwd_start(gw_args);
		if (!g) {
			fprintf(stderr, "load: gatewayd did not start\n");
			return 1;
		}
		w.base = gwd_url(g);
	}
	const char *colon = strrchr(w.base, ':');
	int port = colon ? (int)strtol(colon + 1, NULL, 10) : 0;
	world_load(&w);
	/* Service details wait 200 ms: the gateway parks them, never a worker. */
	{
		CURL *c = curl_easy_init();
		char *url = fmt("%s/sim/faults", w.base);
		struct curl_slist *h = curl_slist_append(NULL, "Content-Type: application/json");
		curl_easy_setopt(c, CURLOPT_URL, url);
		curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
		curl_easy_setopt(c, CURLOPT_PROXY, "");
		curl_easy_setopt(c, CURLOPT_POSTFIELDS,
		                 "{\"latency_ms\":200,\"paths\":[\"/v1/services\"]}");
		curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
		struct buf b = { 0 };
		curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
		CURLcode rc = curl_easy_perform(c);
		if (rc != CURLE_OK)
			fprintf(stderr, "load: POST /sim/faults: %s\n", curl_easy_strerror(rc));
		curl_slist_free_all(h);
		curl_easy_cleanup(c);
		free(url);
	}

	struct stats st = { 0 };
	struct slow slow = { .port = port, .n = o.slow };
	struct probe probe = { .base = w.base };
	probe.ms = calloc(MAX_PROBES, sizeof *probe.ms);
	if (!probe.ms)
		abort();
	atomic_init(&slow.stop, false);
	atomic_init(&probe.stop, false);
	pthread_t slow_t, probe_t;
	if (o.slow)
		pthread_create(&slow_t, NULL, slow_main, &slow);

	CURLM *m = curl_multi_init();
	curl_multi_setopt(m, CURLMOPT_MAXCONNECTS, (long)o.clients + 16);
	struct client *cl = calloc((size_t)o.clients, sizeof *cl);
	if (!cl)
		abort();
	for (int i = 0; i < o.clients; i++) {
		struct client *c = &cl[i];
		c->easy = curl_easy_init();
		snprintf(c->iface, sizeof c->iface, "127.0.1.%d", 1 + i % CLIENT_ADDRS);
		snprintf(c->kiosk_id, sizeof c->kiosk_id, "load-%03d", i);
		c->rng = 0x9e3779b97f4a7c15u * (uint64_t)(i + 1);
		client_prepare(c, &w);
		curl_multi_add_handle(m, c->easy);
	}
	pthread_create(&probe_t, NULL, probe_main, &probe);

	double t0 = now_s(), end = t0 + o.seconds;
	int running = 0;
	while (now_s() < end) {
		curl_multi_perform(m, &running);
		CURLMsg *msg;
		int left;
		while ((msg = curl_multi_info_read(m, &left))) {
			if (msg->msg != CURLMSG_DONE)
				continue;
			struct client *c = NULL;
			CURL *e = msg->easy_handle;
			CURLcode rc = msg->data.result;
			curl_easy_getinfo(e, CURLINFO_PRIVATE, (char **)&c);
			curl_multi_remove_handle(m, e);
			client_done(c, rc, &st);
			client_prepare(c, &w);
			curl_multi_add_handle(m, e);
		}
		curl_multi_poll(m, NULL, 0, 50, NULL);
	}
	double elapsed = now_s() - t0;
	atomic_store(&probe.stop, true);
	atomic_store(&slow.stop, true);
	pthread_join(probe_t, NULL);
	if (o.slow)
		pthread_join(slow_t, NULL);
	for (int i = 0; i < o.clients; i++) {
		curl_multi_remove_handle(m, cl[i].easy);
		curl_easy_cleanup(cl[i].easy);
		curl_slist_free_all(cl[i].hdr);
		free(cl[i].url);
		free(cl[i].post);
		free(cl[i].body.s);
	}
	curl_multi_cleanup(m);
	free(cl);

	/* ---- the report ---- */
	unsigned long total = st.s2xx + st.s304 + st.s4xx + st.s503 + st.s5xx;
	printf("load: %.1f s, %d kiosk clients from %d addresses, %d slow clients from %d "
	       "addresses\n", elapsed, o.clients, o.clients < CLIENT_ADDRS ? o.clients : CLIENT_ADDRS,
	       o.slow, (o.slow + SLOW_PER_ADDR - 1) / SLOW_PER_ADDR);
	printf("answered: %lu requests, %.0f/s (2xx %lu, 304 %lu, 4xx %lu, 503 %lu, other 5xx %lu)\n",
	       total, (double)total / elapsed, st.s2xx, st.s304, st.s4xx, st.s503, st.s5xx);
	printf("by kind:");
	for (int k = 0; k < K_N; k++)
		printf(" %s %lu%s", kind_names[k], st.by_kind[k], k + 1 < K_N ? "," : "\n");
	printf("log-ins completed (token, /v1/me, log-out): %lu\n", st.flows_done);
	printf("refusals: %lu requests without an answer (refused or closed), %lu answered 503\n",
	       st.refused, st.s503);
	printf("failures: %lu requests timed out or failed otherwise\n", st.other_err);
	if (o.slow)
		printf("slow clients: %lu connections opened, %lu closed by the gateway, %lu "
		       "refused at connect\n", slow.connected, slow.cut, slow.refused);
	bool ok = st.other_err == 0 && probe.failed == 0 && probe.n > 0;
	if (probe.n) {
		qsort(probe.ms, probe.n, sizeof *probe.ms, cmp_double);
		double p50 = probe.ms[probe.n / 2], p99 = probe.ms[(probe.n * 99) / 100];
		double mx = probe.ms[probe.n - 1];
		printf("health: %zu probes on new connections, %zu failed; p50 %.1f ms, p99 %.1f ms, "
		       "max %.1f ms", probe.n, probe.failed, p50, p99, mx);
		if (o.health_ms > 0) {
			bool met = mx <= o.health_ms && !probe.failed;
			printf(" (bound %.0f ms: %s)\n", o.health_ms, met ? "met" : "MISSED");
			ok = ok && met;
		} else {
			printf("\n");
		}
	} else {
		printf("health: no probe answered (%zu failed)\n", probe.failed);
	}
	if (g) {
		bool alive = gwd_running(g);
		gwd_stop(g);
		int status = gwd_status(g);
		char rep[2000] = "";
		bool clean = gwd_sanitizer_clean(g, rep, sizeof rep);
		bool exit0 = status >= 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0;
		printf("gateway: %s during the run, %s on SIGTERM, %s\n",
		       alive ? "running" : "DIED", exit0 ? "exit 0" : "FAILED to exit 0",
		       clean ? "no sanitizer report" : "SANITIZER REPORT");
		if (!alive || !exit0 || !clean) {
			gwd_dump(g, stderr);
			ok = false;
		}
		gwd_free(g);
	}
	for (size_t i = 0; i < w.n_svc; i++)
		free(w.svc[i]);
	free(w.svc);
	free(probe.ms);
	curl_global_cleanup();
	printf("load: %s\n", ok ? "ok" : "FAILED");
	return ok ? 0 : 1;
}
