/* http.c: libmicrohttpd glue for gatewayd: request intake, routing, sending.
 *
 * One thread per connection (MHD_USE_THREAD_PER_CONNECTION) so a request the
 * simulator delays for 30 s holds up only its own connection. Every request
 * becomes a struct req; the route table (routes.c) picks a handler that fills
 * a struct reply; the simulator (sim.c) may delay, fail or spoil it; then
 * send_reply adds ETag/304 handling and the common headers. One log line per
 * request is written when libmicrohttpd reports it complete.
 */
#include "gw.h"
#include "gw_auth.h"
#include "gw_sim.h"

#include <microhttpd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

struct gw_server {
	struct MHD_Daemon *mhd;
	struct gw *gw;
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

void reply_json(struct reply *rp, int status, json_t *j)
{
	json_decref(rp->json);
	free(rp->body);
	rp->body = NULL;
	rp->len = 0;
	rp->status = status;
	rp->json = j;
	rp->content_type = "application/json";
}

void reply_take_body(struct reply *rp, int status, const char *type, char *body, size_t len)
{
	json_decref(rp->json);
	rp->json = NULL;
	free(rp->body);
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
	free(rp->body);
	rp->body = s;
	rp->len = strlen(s);
}

static void reply_clear(struct reply *rp)
{
	json_decref(rp->json);
	free(rp->body);
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

static struct req *req_new(struct gw *gw, struct MHD_Connection *c,
                           const char *url, const char *method)
{
	struct req *rq = calloc(1, sizeof *rq);
	if (!rq)
		abort();
	rq->gw = gw;
	rq->conn = c;
	rq->t0 = gw_now();
	rq->path = strdup(url ? url : "/");
	if (!rq->path)
		abort();
	snprintf(rq->method, sizeof rq->method, "%s", method ? method : "?");
	for (char *m = rq->method; *m; m++) /* it goes into the log */
		if (*m <= 0x20 || *m >= 0x7f)
			*m = '?';
	rq->lang = lang_from_header(MHD_lookup_connection_value(c, MHD_HEADER_KIND,
	                                                        MHD_HTTP_HEADER_ACCEPT_LANGUAGE));
	const char *k = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-Kiosk-Id");
	if (!k || !*k) {
		strcpy(rq->kiosk, "-");
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
	return rq;
}

static void req_free(struct req *rq)
{
	if (!rq)
		return;
	for (size_t i = 0; i < rq->n_params; i++)
		free((char *)rq->params[i]);
	free((char *)rq->path);
	free(rq->body);
	free(rq);
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

static void dispatch(struct req *rq, struct reply *rp)
{
	struct gw *gw = rq->gw;
	struct sim_fault f = { 0 };

	if (rq->body_too_large) {
		reply_problem(rq, rp, "body_too_large", NULL);
		return;
	}
	if (gw->sim)
		sim_fault_for(gw->sim, rq->path, &f);
	if (f.latency_ms > 0)
		sim_delay(gw, f.latency_ms);
	if (f.fail) {
		reply_problem(rq, rp, "simulated_failure", NULL);
		return;
	}
	if (f.status) {
		reply_problem_status(rq, rp, f.status);
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
	if (f.body != SIM_BODY_NONE)
		sim_spoil(rq, rp, f.body);
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
			free(rp->body);
			rp->body = NULL;
			rp->len = 0;
		}
	}
	if (rp->body) {
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
	MHD_add_response_header(res, "X-Content-Type-Options", "nosniff");
	enum MHD_Result ret = MHD_queue_response(c, (unsigned)status, res);
	MHD_destroy_response(res);
	rq->status = status;
	rq->responded = true;
	reply_clear(rp);
	return ret;
}

static enum MHD_Result finish(struct req *rq)
{
	struct reply rp = { 0 };
	dispatch(rq, &rp);
	return send_reply(rq, &rp);
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

static enum MHD_Result on_access(void *cls, struct MHD_Connection *c, const char *url,
                                 const char *method, const char *version,
                                 const char *upload, size_t *upload_size, void **ctx)
{
	struct req *rq = *ctx;
	if (!rq) {
		rq = req_new(cls, c, url, method);
		*ctx = rq;
		const char *cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
		                                             MHD_HTTP_HEADER_CONTENT_LENGTH);
		if (cl && declared_too_large(cl)) {
			rq->body_too_large = true;
			return finish(rq);
		}
		return MHD_YES;
	}
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
			free(rq->body);
			rq->body = NULL;
			rq->body_len = 0;
			return MHD_YES;
		}
		char *b = realloc(rq->body, rq->body_len + n + 1);
		if (!b)
			abort();
		memcpy(b + rq->body_len, upload, n);
		rq->body = b;
		rq->body_len += n;
		b[rq->body_len] = '\0';
		return MHD_YES;
	}
	return finish(rq);
}

static void on_completed(void *cls, struct MHD_Connection *c, void **ctx,
                         enum MHD_RequestTerminationCode toe)
{
	struct gw *gw = cls;
	struct req *rq = *ctx;
	if (!rq)
		return;
	*ctx = NULL;
	if (!gw->quiet) {
		char when[21], line[400];
		gw_rfc3339(when, (long long)time(NULL));
		snprintf(line, sizeof line, "%s %s %s %d %.1fms kiosk=%s%s\n", when,
		         rq->method, rq->logpath, rq->status, (gw_now() - rq->t0) * 1000.0,
		         rq->kiosk, toe == MHD_REQUEST_TERMINATED_COMPLETED_OK ? "" : " (aborted)");
		fputs(line, stderr);
	}
	req_free(rq);
}

__attribute__((format(printf, 2, 0)))
static void on_mhd_log(void *cls, const char *fmt, va_list ap)
{
	struct gw *gw = cls;
	if (gw->quiet)
		return;
	char msg[300];
	vsnprintf(msg, sizeof msg, fmt, ap);
	msg[strcspn(msg, "\r\n")] = '\0';
	fprintf(stderr, "gatewayd: http: %s\n", msg);
}

struct gw_server *gw_server_start(struct gw *gw, int fd, unsigned max_conns,
                                  char *err, size_t errlen)
{
	struct gw_server *s = calloc(1, sizeof *s);
	if (!s)
		abort();
	s->gw = gw;
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION |
	                 MHD_USE_POLL | MHD_USE_ITC | MHD_USE_ERROR_LOG;
	s->mhd = MHD_start_daemon(flags, 0, NULL, NULL, on_access, gw,
	                          MHD_OPTION_EXTERNAL_LOGGER, on_mhd_log, gw, /* must be first */
	                          MHD_OPTION_LISTEN_SOCKET, (MHD_socket)fd,
	                          MHD_OPTION_CONNECTION_LIMIT, max_conns,
	                          MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)60,
	                          MHD_OPTION_NOTIFY_COMPLETED, on_completed, gw,
	                          MHD_OPTION_END);
	if (!s->mhd) {
		snprintf(err, errlen, "cannot start the HTTP server");
		free(s);
		return NULL;
	}
	return s;
}

void gw_server_stop(struct gw_server *s)
{
	if (!s)
		return;
	MHD_stop_daemon(s->mhd);
	free(s);
}
