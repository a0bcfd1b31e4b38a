/* http.c: libmicrohttpd glue for gatewayd: request intake, routing, sending,
 * and what keeps one client from starving the others.
 *
 * A small pool of worker threads (epoll) serves every connection, so the
 * number of connections is bounded by file descriptors and memory, not by
 * threads: a city's kiosks fit (main.c sizes the limits). A worker must
 * never wait: a request the simulator delays is suspended
 * (MHD_suspend_connection) and the server's clock thread resumes it when
 * its time is up, so a 30 s injected delay holds up only its own request.
 *
 * Limits (struct gw_limits): connections in all and per client address
 * (libmicrohttpd refuses the rest at accept), an idle timeout (no byte for
 * that long: closed), and a deadline for receiving a whole request, headers
 * and body, counted from the connection's start or the previous answer: the
 * clock thread shuts down connections that trickle a request slower than
 * that (slow-loris), which libmicrohttpd's idle timeout alone cannot see.
 *
 * Every request becomes a struct req; the route table (routes.c) picks a
 * handler that fills a struct reply; the simulator (sim.c) may delay, fail
 * or spoil it; then send_reply adds ETag/304 handling and the common
 * headers. One log line per request is written when libmicrohttpd reports
 * it complete.
 */
#include "gw.h"
#include "gw_auth.h"
#include "gw_sim.h"

#include <arpa/inet.h>
#include <malloc.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>

/* Each connection's receive clock, for the request deadline. Lives from
 * libmicrohttpd's STARTED notification to its CLOSED one, which comes
 * before the socket is closed: under s->lock, fd is always this
 * connection's. */
struct conn {
	struct conn *prev, *next;
	int fd;
	double receiving_since;      /* monotonic s; 0: a handler has the request */
	bool cut;                    /* shut down for missing the deadline */
};

/* A request the simulator delays: suspended until due. */
struct parked {
	struct parked *next;
	struct MHD_Connection *c;
	double due;
};

struct gw_server {
	struct MHD_Daemon *mhd;
	struct gw *gw;
	struct gw_limits lim;
	pthread_t clock;             /* resumes parked requests, cuts slow ones */
	bool clock_running;
	pthread_mutex_t lock;        /* guards what follows */
	pthread_cond_t wake;         /* CLOCK_MONOTONIC */
	bool stop;                   /* no more parking; the clock ends */
	struct parked *parked;       /* unordered; only --sim delays park */
	struct conn *conns;          /* every open connection */
	pthread_mutex_t log_lock;    /* libmicrohttpd's messages, rate-limited */
	char last_msg[300];
	double last_msg_at;
	unsigned long repeats;
};

/* What http.c keeps per request beyond the struct req the handlers see. */
struct http_req {
	struct req rq;               /* first: handlers get &hr->rq */
	struct gw_server *srv;
	struct conn *cn;             /* borrowed: the connection's socket context */
	size_t body_cap;             /* bytes allocated for rq.body */
	bool parked_once;            /* the simulator's delay is over */
	struct sim_fault fault;      /* drawn once, before the delay */
};

double gw_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void gw_rfc3339(char out[21], long long unix_s)
{
	time_t t = (time_t)unix_s;
	struct tm tm;
	if (!gmtime_r(&t, &tm) || !strftime(out, 21, "%Y-%m-%dT%H:%M:%SZ", &tm))
		snprintf(out, 21, "1970-01-01T00:00:00Z");
}

const char *req_header(const struct req *rq, const char *name)
{
	return MHD_lookup_connection_value(rq->conn, MHD_HEADER_KIND, name);
}

/* ---- languages ---------------------------------------------------------- */

const char *lang_tag(enum lang l)
{
	return l == LANG_EN ? "en" : l == LANG_TW ? "zh-TW" : "zh-CN";
}

static int zh_tw_cmp(const void *key, const void *elem)
{
	return strcmp(key, ((const struct zh_tw_pair *)elem)->cn);
}

const char *zh_tw(const char *zh_cn)
{
	const struct zh_tw_pair *p = bsearch(zh_cn, zh_tw_pairs, zh_tw_n,
	                                     sizeof zh_tw_pairs[0], zh_tw_cmp);
	return p ? p->tw : NULL;
}

const char *lang_pick(enum lang l, const char *zh, const char *en)
{
	if (l == LANG_EN)
		return en;
	if (l == LANG_TW) {
		const char *tw = zh_tw(zh);
		return tw ? tw : zh;
	}
	return zh;
}

/* Does the subtag list s[0..n) (after "zh-") hold one of the Traditional
 * ones: a Hant script, or the regions TW, HK, MO? */
static bool traditional_subtags(const char *s, size_t n)
{
	while (n) {
		size_t k = 0;
		while (k < n && s[k] != '-')
			k++;
		if ((k == 4 && !strncasecmp(s, "hant", 4)) ||
		    (k == 2 && (!strncasecmp(s, "tw", 2) || !strncasecmp(s, "hk", 2) ||
		                !strncasecmp(s, "mo", 2))))
			return true;
		if (k == 4 && !strncasecmp(s, "hans", 4))
			return false; /* zh-Hans-HK is Simplified */
		s += k, n -= k;
		if (n)
			s++, n--;
	}
	return false;
}

/* Language of one range ("en-GB", "zh-TW", "*"), or -1 if unsupported. */
static int lang_of_range(const char *s, size_t n)
{
	if (n == 1 && s[0] == '*')
		return LANG_ZH;
	if (n >= 2 && (n == 2 || s[2] == '-')) {
		if (!strncasecmp(s, "en", 2))
			return LANG_EN;
		if (!strncasecmp(s, "zh", 2))
			return n > 3 && traditional_subtags(s + 3, n - 3) ? LANG_TW : LANG_ZH;
	}
	return -1;
}

/* q-value of ";q=0.5" style parameters in p[0..n); 1 when absent or bad. */
static double qvalue(const char *p, size_t n)
{
	for (size_t i = 0; i + 1 < n; i++) {
		if ((p[i] == 'q' || p[i] == 'Q') && p[i + 1] == '=') {
			double q = 0, scale = 1;
			size_t j = i + 2;
			if (j >= n || (p[j] != '0' && p[j] != '1'))
				return 1;
			q = p[j++] - '0';
			if (j < n && p[j] == '.')
				for (j++; j < n && p[j] >= '0' && p[j] <= '9' && scale > 1e-3; j++) {
					scale /= 10;
					q += (p[j] - '0') * scale;
				}
			return q > 1 ? 1 : q;
		}
	}
	return 1;
}

enum lang lang_from_header(const char *h)
{
	enum lang best = LANG_ZH;
	double best_q = 0;
	if (!h)
		return best;
	while (*h) {
		size_t len = strcspn(h, ",");
		const char *s = h;
		size_t n = strcspn(s, ";,");
		while (n && (*s == ' ' || *s == '\t'))
			s++, n--;
		while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
			n--;
		int l = lang_of_range(s, n);
		double q = qvalue(h, len);
		if (l >= 0 && q > best_q) {
			best = (enum lang)l;
			best_q = q;
		}
		h += len;
		if (*h == ',')
			h++;
	}
	return best;
}

/* ---- replies ------------------------------------------------------------ */

void gw_wipe_free(void *p)
{
	if (!p)
		return;
	explicit_bzero(p, malloc_usable_size(p));
	free(p);
}

/* For MHD_create_response_from_buffer_with_free_callback. */
static void wipe_free_cb(void *p)
{
	gw_wipe_free(p);
}

/* A reply body is wiped when freed only if it says it holds a secret: a
 * 1 MiB catalog is not worth the time. */
void reply_drop_body(struct reply *rp)
{
	if (rp->secret)
		gw_wipe_free(rp->body);
	else
		free(rp->body);
	rp->body = NULL;
	rp->len = 0;
}

void reply_json(struct reply *rp, int status, json_t *j)
{
	json_decref(rp->json);
	reply_drop_body(rp);
	rp->status = status;
	rp->json = j;
	rp->content_type = "application/json";
}

void reply_take_body(struct reply *rp, int status, const char *type, char *body, size_t len)
{
	json_decref(rp->json);
	rp->json = NULL;
	reply_drop_body(rp);
	rp->status = status;
	rp->content_type = type;
	rp->body = body;
	rp->len = len;
}

void reply_materialize(struct reply *rp)
{
	if (!rp->json)
		return;
	char *s = json_dumps(rp->json, JSON_COMPACT | JSON_REAL_PRECISION(10));
	if (!s)
		abort(); /* out of memory */
	json_decref(rp->json);
	rp->json = NULL;
	reply_drop_body(rp);
	rp->body = s;
	rp->len = strlen(s);
}

static void reply_clear(struct reply *rp)
{
	json_decref(rp->json);
	reply_drop_body(rp);
	memset(rp, 0, sizeof *rp);
}

/* True if an If-None-Match value lists tag (weak comparison, RFC 9110). */
static bool inm_matches(const char *inm, const char *tag)
{
	size_t tlen = strlen(tag);
	const char *p = inm;
	while (*p) {
		while (*p == ' ' || *p == '\t' || *p == ',')
			p++;
		if (*p == '*')
			return true;
		if (p[0] == 'W' && p[1] == '/')
			p += 2;
		if (*p == '"') {
			const char *q = strchr(p + 1, '"');
			if (!q)
				return false;
			if ((size_t)(q - p + 1) == tlen && !memcmp(p, tag, tlen))
				return true;
			p = q + 1;
		} else {
			p += strcspn(p, ",");
		}
	}
	return false;
}

/* ---- requests ----------------------------------------------------------- */

static void escape_for_log(char *out, size_t outlen, const char *in)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t o = 0;
	for (const unsigned char *p = (const unsigned char *)in; *p; p++) {
		if (o + 4 + 3 >= outlen) { /* room for "%XX" and "..." + NUL */
			memcpy(out + o, "...", 3);
			o += 3;
			break;
		}
		if (*p > 0x20 && *p < 0x7f && *p != '%') {
			out[o++] = (char)*p;
		} else {
			out[o++] = '%';
			out[o++] = hex[*p >> 4];
			out[o++] = hex[*p & 15];
		}
	}
	out[o] = '\0';
}

/* The client's address as 16 bytes (IPv4 mapped into IPv6), zeros if
 * libmicrohttpd cannot say. */
static void client_address(struct MHD_Connection *c, unsigned char out[16])
{
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	memset(out, 0, 16);
	if (!ci || !ci->client_addr)
		return;
	if (ci->client_addr->sa_family == AF_INET) {
		const struct sockaddr_in *in = (const struct sockaddr_in *)ci->client_addr;
		out[10] = out[11] = 0xff;
		memcpy(out + 12, &in->sin_addr, 4);
	} else if (ci->client_addr->sa_family == AF_INET6) {
		memcpy(out, &((const struct sockaddr_in6 *)ci->client_addr)->sin6_addr, 16);
	}
}

static struct http_req *req_new(struct gw_server *srv, struct MHD_Connection *c,
                                const char *url, const char *method)
{
	struct http_req *hr = calloc(1, sizeof *hr);
	if (!hr)
		abort();
	struct req *rq = &hr->rq;
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	hr->srv = srv;
	hr->cn = ci ? ci->socket_context : NULL;
	rq->gw = srv->gw;
	rq->conn = c;
	rq->t0 = gw_now();
	rq->path = strdup(url ? url : "/");
	if (!rq->path)
		abort();
	client_address(c, rq->src);
	snprintf(rq->method, sizeof rq->method, "%s", method ? method : "?");
	for (char *m = rq->method; *m; m++) /* it goes into the log */
		if (*m <= 0x20 || *m >= 0x7f)
			*m = '?';
	rq->lang = lang_from_header(MHD_lookup_connection_value(c, MHD_HEADER_KIND,
	                                                        MHD_HTTP_HEADER_ACCEPT_LANGUAGE));
	const char *k = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-Kiosk-Id");
	if (!k || !*k) {
		rq->kiosk[0] = '-';
		rq->kiosk[1] = '\0';
	} else {
		size_t i = 0;
		for (; k[i] && i < 64; i++)
			rq->kiosk[i] = (k[i] > 0x20 && k[i] < 0x7f) ? k[i] : '?';
		if (k[i])
			rq->kiosk[i++] = '+';
		rq->kiosk[i] = '\0';
	}
	char masked[sizeof rq->logpath];
	/* User codes in /sim/device/{user_code}/... are secrets: logged as "*". */
	escape_for_log(rq->logpath, sizeof rq->logpath,
	               auth_log_path(rq->path, masked, sizeof masked) ? masked : rq->path);
	explicit_bzero(masked, sizeof masked);
	return hr;
}

/* Paths (/sim/device/{user_code}/...) and bodies (device codes, login
 * codes) carry secrets: wiped before they go back to the allocator. */
static void req_free(struct http_req *hr)
{
	if (!hr)
		return;
	struct req *rq = &hr->rq;
	for (size_t i = 0; i < rq->n_params; i++)
		gw_wipe_free((char *)rq->params[i]);
	gw_wipe_free((char *)rq->path);
	gw_wipe_free(rq->body);
	explicit_bzero(hr, sizeof *hr);
	free(hr);
}

/* Appends n bytes of body (the total is at most GW_MAX_BODY). The buffer
 * doubles, so a body trickled a byte at a time costs no more than one sent
 * at once; it grows by copying, not realloc, so no unwiped copy of a secret
 * is left behind in freed memory. */
static void req_append_body(struct http_req *hr, const char *data, size_t n)
{
	struct req *rq = &hr->rq;
	if (rq->body_len + n + 1 > hr->body_cap) {
		size_t cap = hr->body_cap ? hr->body_cap : 1024;
		while (cap < rq->body_len + n + 1)
			cap *= 2;
		char *b = malloc(cap);
		if (!b)
			abort();
		if (rq->body_len)
			memcpy(b, rq->body, rq->body_len);
		gw_wipe_free(rq->body);
		rq->body = b;
		hr->body_cap = cap;
	}
	memcpy(rq->body + rq->body_len, data, n);
	rq->body_len += n;
	rq->body[rq->body_len] = '\0';
}

/* Matches path against a pattern; captures {name} segments into rq. */
static bool route_match(const char *pattern, const char *path, struct req *rq)
{
	const char *caps[GW_MAX_PARAMS];
	size_t caplen[GW_MAX_PARAMS], n = 0;
	const char *p = pattern, *s = path;
	while (*p && *s) {
		if (*p == '{') {
			size_t seg = strcspn(s, "/");
			if (!seg || n == GW_MAX_PARAMS)
				return false;
			caps[n] = s;
			caplen[n++] = seg;
			p += strcspn(p, "}");
			if (*p == '}')
				p++;
			s += seg;
		} else if (*p == *s) {
			p++, s++;
		} else {
			return false;
		}
	}
	if (*p || *s)
		return false;
	if (rq) {
		for (size_t i = 0; i < n; i++) {
			char *v = strndup(caps[i], caplen[i]);
			if (!v)
				abort();
			rq->params[rq->n_params++] = v;
		}
	}
	return true;
}

/* Answers a request whose simulated delay (if any) is over; f is the fault
 * drawn for it. */
static void dispatch(struct req *rq, const struct sim_fault *f, struct reply *rp)
{
	struct gw *gw = rq->gw;

	if (rq->body_too_large) {
		reply_problem(rq, rp, "body_too_large", NULL);
		return;
	}
	if (f->fail) {
		reply_problem(rq, rp, "simulated_failure", NULL);
		return;
	}
	if (f->status) {
		reply_problem_status(rq, rp, f->status);
		return;
	}

	const char *m = strcmp(rq->method, "HEAD") ? rq->method : "GET";
	const struct route *hit = NULL;
	bool path_known = false;
	for (const struct route *r = gw_routes; r->method; r++) {
		if ((r->flags & ROUTE_SIM) && !gw->sim)
			continue;
		if (!route_match(r->pattern, rq->path, NULL))
			continue;
		path_known = true;
		if (!strcmp(r->method, m)) {
			hit = r;
			break;
		}
		size_t al = strlen(rp->allow);
		const char *name = strcmp(r->method, "GET") ? r->method : "GET, HEAD";
		if (al + strlen(name) + 3 < sizeof rp->allow)
			snprintf(rp->allow + al, sizeof rp->allow - al, "%s%s",
			         al ? ", " : "", name);
	}
	if (hit) {
		rp->allow[0] = '\0';
		route_match(hit->pattern, rq->path, rq);
		hit->fn(rq, rp);
	} else if (path_known) {
		reply_problem(rq, rp, "method_not_allowed", NULL);
	} else {
		rp->allow[0] = '\0';
		reply_problem(rq, rp, "not_found", NULL);
	}
	if (f->body != SIM_BODY_NONE)
		sim_spoil(rq, rp, f->body);
}

void req_drop_connection(const struct req *rq)
{
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info(rq->conn, MHD_CONNECTION_INFO_CONNECTION_FD);
	if (ci)
		shutdown(ci->connect_fd, SHUT_RDWR);
}

static enum MHD_Result send_reply(struct req *rq, struct reply *rp)
{
	struct MHD_Connection *c = rq->conn;
	struct MHD_Response *res;
	int status = rp->status ? rp->status : 500;

	reply_materialize(rp);
	if (rp->etag && status == 200) {
		if (!rp->etag_value[0])
			etag_of(rp->body ? rp->body : "", rp->len, rp->etag_value);
		const char *inm = req_header(rq, MHD_HTTP_HEADER_IF_NONE_MATCH);
		if (inm && inm_matches(inm, rp->etag_value)) {
			status = 304;
			reply_drop_body(rp);
		}
	}
	if (rp->body && rp->secret) {
		res = MHD_create_response_from_buffer_with_free_callback(rp->len, rp->body,
		                                                         wipe_free_cb);
		if (res)
			rp->body = NULL; /* now libmicrohttpd's, wiped when it is done */
	} else if (rp->body) {
		res = MHD_create_response_from_buffer(rp->len, rp->body, MHD_RESPMEM_MUST_FREE);
		if (res)
			rp->body = NULL; /* now libmicrohttpd's */
	} else {
		res = MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
	}
	if (!res) {
		reply_clear(rp);
		return MHD_NO;
	}
	if (rp->content_type && status != 304)
		MHD_add_response_header(res, MHD_HTTP_HEADER_CONTENT_TYPE, rp->content_type);
	MHD_add_response_header(res, MHD_HTTP_HEADER_CACHE_CONTROL,
	                        rp->cache_control ? rp->cache_control : "no-store");
	if (rp->etag && rp->etag_value[0])
		MHD_add_response_header(res, MHD_HTTP_HEADER_ETAG, rp->etag_value);
	if (rp->localized) {
		MHD_add_response_header(res, MHD_HTTP_HEADER_CONTENT_LANGUAGE, lang_tag(rq->lang));
		MHD_add_response_header(res, MHD_HTTP_HEADER_VARY, "Accept-Language");
	}
	if (rp->allow[0])
		MHD_add_response_header(res, MHD_HTTP_HEADER_ALLOW, rp->allow);
	if (rp->www_authenticate && status == 401)
		MHD_add_response_header(res, MHD_HTTP_HEADER_WWW_AUTHENTICATE, rp->www_authenticate);
	if (rp->replayed)
		MHD_add_response_header(res, "Idempotent-Replayed", "true");
	MHD_add_response_header(res, "X-Content-Type-Options", "nosniff");
	enum MHD_Result ret = MHD_queue_response(c, (unsigned)status, res);
	MHD_destroy_response(res);
	rq->status = status;
	rq->responded = true;
	reply_clear(rp);
	return ret;
}

static enum MHD_Result finish(struct http_req *hr)
{
	struct reply rp = { 0 };
	dispatch(&hr->rq, &hr->fault, &rp);
	return send_reply(&hr->rq, &rp);
}

/* Content-Length above our cap? Lets us answer 413 before reading the body. */
static bool declared_too_large(const char *cl)
{
	unsigned long long v = 0;
	for (const char *p = cl; *p; p++) {
		if (*p < '0' || *p > '9')
			return false; /* libmicrohttpd rejects malformed lengths itself */
		v = v * 10 + (unsigned)(*p - '0');
		if (v > GW_MAX_BODY)
			return true;
	}
	return false;
}

/* ---- connections and their clocks ----------------------------------------- */

/* Sets when the connection's request deadline runs from (0: stopped). */
static void conn_receiving(struct gw_server *s, struct conn *cn, double since)
{
	if (!cn)
		return;
	pthread_mutex_lock(&s->lock);
	cn->receiving_since = since;
	pthread_mutex_unlock(&s->lock);
}

static void on_connection(void *cls, struct MHD_Connection *c, void **socket_ctx,
                          enum MHD_ConnectionNotificationCode toe)
{
	struct gw_server *s = cls;
	struct conn *cn = *socket_ctx;
	if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
		const union MHD_ConnectionInfo *ci =
			MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
		cn = calloc(1, sizeof *cn);
		if (!cn)
			abort();
		cn->fd = ci ? ci->connect_fd : -1;
		cn->receiving_since = gw_now();
		pthread_mutex_lock(&s->lock);
		cn->next = s->conns;
		if (s->conns)
			s->conns->prev = cn;
		s->conns = cn;
		pthread_mutex_unlock(&s->lock);
		*socket_ctx = cn;
	} else if (toe == MHD_CONNECTION_NOTIFY_CLOSED && cn) {
		pthread_mutex_lock(&s->lock);
		if (cn->prev)
			cn->prev->next = cn->next;
		else
			s->conns = cn->next;
		if (cn->next)
			cn->next->prev = cn->prev;
		pthread_mutex_unlock(&s->lock);
		free(cn);
		*socket_ctx = NULL;
	}
}

/* Parks a request for its simulated delay; false if the server is stopping
 * (then it is answered at once). Called from the access handler only. */
static bool park(struct gw_server *s, struct MHD_Connection *c, long ms)
{
	struct parked *p = calloc(1, sizeof *p);
	if (!p)
		abort();
	p->c = c;
	p->due = gw_now() + (double)ms / 1000.0;
	/* Suspend before the clock can see it, and never call libmicrohttpd
	 * under s->lock (its own locks are taken in the other order). */
	MHD_suspend_connection(c);
	pthread_mutex_lock(&s->lock);
	bool stopping = s->stop;
	if (!stopping) {
		p->next = s->parked;
		s->parked = p;
		pthread_cond_signal(&s->wake);
	}
	pthread_mutex_unlock(&s->lock);
	if (stopping) {
		MHD_resume_connection(c);
		free(p);
		return false;
	}
	return true;
}

/* Shuts down connections that have taken longer than the deadline to send
 * their request. shutdown(2), not close: libmicrohttpd sees the end of the
 * stream, closes the connection itself and frees what it holds. */
static void cut_slow(struct gw_server *s, double now)
{
	unsigned long n = 0;
	for (struct conn *cn = s->conns; cn; cn = cn->next) {
		if (cn->cut || cn->fd < 0 || cn->receiving_since <= 0 ||
		    now - cn->receiving_since <= s->lim.request_timeout)
			continue;
		shutdown(cn->fd, SHUT_RDWR);
		cn->cut = true;
		n++;
	}
	if (n && !s->gw->quiet)
		fprintf(stderr, "gatewayd: closed %lu connection%s that took more than %u s to "
		        "send a request\n", n, n == 1 ? "" : "s", s->lim.request_timeout);
}

/* The clock thread: resumes parked requests when due, and checks the
 * request deadline twice a second. On stop it resumes every parked request
 * at once, so libmicrohttpd never stops with one suspended. */
static void *clock_main(void *arg)
{
	struct gw_server *s = arg;
	double next_sweep = 0;
	pthread_mutex_lock(&s->lock);
	for (;;) {
		double now = gw_now(), wake = now + 0.5;
		struct parked *due = NULL, **pp = &s->parked;
		while (*pp) {
			struct parked *p = *pp;
			if (s->stop || p->due <= now) {
				*pp = p->next;
				p->next = due;
				due = p;
			} else {
				if (p->due < wake)
					wake = p->due;
				pp = &p->next;
			}
		}
		if (!s->stop && now >= next_sweep) {
			cut_slow(s, now);
			next_sweep = now + 0.5;
		}
		if (next_sweep < wake)
			wake = next_sweep;
		bool stop = s->stop;
		pthread_mutex_unlock(&s->lock);
		while (due) {
			struct parked *p = due;
			due = p->next;
			MHD_resume_connection(p->c);
			free(p);
		}
		pthread_mutex_lock(&s->lock);
		if (stop)
			break;
		now = gw_now();
		if (wake > now && !s->stop) {
			struct timespec ts;
			clock_gettime(CLOCK_MONOTONIC, &ts);
			double left = wake - now;
			ts.tv_sec += (time_t)left;
			ts.tv_nsec += (long)((left - (double)(time_t)left) * 1e9);
			if (ts.tv_nsec >= 1000000000L) {
				ts.tv_sec++;
				ts.tv_nsec -= 1000000000L;
			}
			pthread_cond_timedwait(&s->wake, &s->lock, &ts);
		}
	}
	pthread_mutex_unlock(&s->lock);
	return NULL;
}

/* ---- libmicrohttpd callbacks ----------------------------------------------- */

static enum MHD_Result on_access(void *cls, struct MHD_Connection *c, const char *url,
                                 const char *method, const char *version,
                                 const char *upload, size_t *upload_size, void **ctx)
{
	struct gw_server *s = cls;
	struct http_req *hr = *ctx;
	if (!hr) { /* the headers are in */
		hr = req_new(s, c, url, method);
		*ctx = hr;
		const char *cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
		                                             MHD_HTTP_HEADER_CONTENT_LENGTH);
		if (cl && declared_too_large(cl)) {
			hr->rq.body_too_large = true;
			conn_receiving(s, hr->cn, 0);
			return finish(hr);
		}
		return MHD_YES;
	}
	struct req *rq = &hr->rq;
	if (rq->responded) { /* answered early (413): drop whatever still arrives */
		*upload_size = 0;
		return MHD_YES;
	}
	if (*upload_size) {
		size_t n = *upload_size;
		*upload_size = 0;
		if (rq->body_too_large)
			return MHD_YES;
		if (rq->body_len + n > GW_MAX_BODY) {
			rq->body_too_large = true;
			gw_wipe_free(rq->body);
			rq->body = NULL;
			rq->body_len = 0;
			hr->body_cap = 0;
			return MHD_YES;
		}
		req_append_body(hr, upload, n);
		return MHD_YES;
	}
	/* The whole request is in (or this is the call after a resume). */
	if (!hr->parked_once) {
		hr->parked_once = true;
		conn_receiving(s, hr->cn, 0);
		if (s->gw->sim && !rq->body_too_large)
			sim_fault_for(s->gw->sim, rq->path, &hr->fault);
		if (hr->fault.latency_ms > 0 && park(s, c, hr->fault.latency_ms))
			return MHD_YES; /* called again once resumed */
	}
	return finish(hr);
}

static void on_completed(void *cls, struct MHD_Connection *c, void **ctx,
                         enum MHD_RequestTerminationCode toe)
{
	struct gw_server *s = cls;
	struct http_req *hr = *ctx;
	if (!hr)
		return;
	*ctx = NULL;
	struct req *rq = &hr->rq;
	/* A kept-alive connection's next request runs against the deadline
	 * from now. */
	conn_receiving(s, hr->cn, gw_now());
	if (!s->gw->quiet) {
		char when[21], line[400];
		gw_rfc3339(when, (long long)time(NULL));
		snprintf(line, sizeof line, "%s %s %s %d %.1fms kiosk=%s%s\n", when,
		         rq->method, rq->logpath, rq->status, (gw_now() - rq->t0) * 1000.0,
		         rq->kiosk, toe == MHD_REQUEST_TERMINATED_COMPLETED_OK ? "" : " (aborted)");
		fputs(line, stderr);
	}
	req_free(hr);
}

/* libmicrohttpd's own messages ("Server reached connection limit", TLS
 * handshake failures...). A client can cause one per connection, so the
 * same message is written at most once a second, with a count of the
 * repeats left out. */
__attribute__((format(printf, 2, 0)))
static void on_mhd_log(void *cls, const char *fmt, va_list ap)
{
	struct gw_server *s = cls;
	if (s->gw->quiet)
		return;
	char msg[300];
	vsnprintf(msg, sizeof msg, fmt, ap);
	msg[strcspn(msg, "\r\n")] = '\0';
	double now = gw_now();
	pthread_mutex_lock(&s->log_lock);
	if (!strcmp(msg, s->last_msg) && now - s->last_msg_at < 1.0) {
		s->repeats++;
	} else {
		if (s->repeats)
			fprintf(stderr, "gatewayd: http: (the last message %lu more time%s)\n",
			        s->repeats, s->repeats == 1 ? "" : "s");
		fprintf(stderr, "gatewayd: http: %s\n", msg);
		snprintf(s->last_msg, sizeof s->last_msg, "%s", msg);
		s->last_msg_at = now;
		s->repeats = 0;
	}
	pthread_mutex_unlock(&s->log_lock);
}

/* ---- the server ------------------------------------------------------------ */

static void server_free(struct gw_server *s)
{
	pthread_mutex_destroy(&s->lock);
	pthread_mutex_destroy(&s->log_lock);
	pthread_cond_destroy(&s->wake);
	free(s);
}

/* Stops the clock thread; every parked request is resumed first. */
static void clock_stop(struct gw_server *s)
{
	pthread_mutex_lock(&s->lock);
	s->stop = true;
	pthread_cond_signal(&s->wake);
	pthread_mutex_unlock(&s->lock);
	if (s->clock_running)
		pthread_join(s->clock, NULL);
	s->clock_running = false;
}

struct gw_server *gw_server_start(struct gw *gw, int fd, const struct gw_limits *lim,
                                  char *err, size_t errlen)
{
	struct gw_server *s = calloc(1, sizeof *s);
	if (!s)
		abort();
	s->gw = gw;
	s->lim = *lim;
	pthread_mutex_init(&s->lock, NULL);
	pthread_mutex_init(&s->log_lock, NULL);
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&s->wake, &ca);
	pthread_condattr_destroy(&ca);

	bool tls = lim->tls_cert && lim->tls_key;
	if (tls && MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES) {
		snprintf(err, errlen, "this libmicrohttpd has no TLS support");
		server_free(s);
		return NULL;
	}
	if (pthread_create(&s->clock, NULL, clock_main, s)) {
		snprintf(err, errlen, "cannot start the clock thread");
		server_free(s);
		return NULL;
	}
	s->clock_running = true;

	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL |
	                 MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ERROR_LOG | (tls ? MHD_USE_TLS : 0);
	/* Pools above 32 KiB are mmap'd and unmapped when the connection
	 * closes: the raw request bytes (Authorization headers, bodies with
	 * codes) go back to the kernel instead of lingering in the heap. */
	size_t pool = 64 * 1024;
	struct MHD_OptionItem tls_opts[] = {
		{ MHD_OPTION_HTTPS_MEM_CERT, 0, (void *)lim->tls_cert },
		{ MHD_OPTION_HTTPS_MEM_KEY, 0, (void *)lim->tls_key },
		{ MHD_OPTION_END, 0, NULL },
	};
	s->mhd = MHD_start_daemon(flags, 0, NULL, NULL, on_access, s,
	                          MHD_OPTION_EXTERNAL_LOGGER, on_mhd_log, s, /* must be first */
	                          MHD_OPTION_LISTEN_SOCKET, (MHD_socket)fd,
	                          MHD_OPTION_THREAD_POOL_SIZE, lim->threads > 1 ? lim->threads : 0u,
	                          MHD_OPTION_CONNECTION_LIMIT, lim->max_conns,
	                          MHD_OPTION_PER_IP_CONNECTION_LIMIT, lim->per_ip,
	                          MHD_OPTION_CONNECTION_TIMEOUT, lim->idle_timeout,
	                          MHD_OPTION_CONNECTION_MEMORY_LIMIT, pool,
	                          MHD_OPTION_NOTIFY_COMPLETED, on_completed, s,
	                          MHD_OPTION_NOTIFY_CONNECTION, on_connection, s,
	                          MHD_OPTION_ARRAY, tls ? tls_opts : tls_opts + 2,
	                          MHD_OPTION_END);
	if (!s->mhd) {
		snprintf(err, errlen, tls ? "cannot start the HTTPS server (check the certificate "
		                            "and key)" : "cannot start the HTTP server");
		clock_stop(s);
		server_free(s);
		return NULL;
	}
	return s;
}

void gw_server_stop(struct gw_server *s)
{
	if (!s)
		return;
	clock_stop(s);
	MHD_stop_daemon(s->mhd);
	/* Parked entries were all resumed by clock_stop; connections are all
	 * closed, so their conn records are gone too. */
	server_free(s);
}
