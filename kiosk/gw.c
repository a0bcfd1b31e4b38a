/* gw.c: the gateway client. Every transfer lives on one curl multi handle
 * whose sockets and timer are registered with the loop (curl's multi-event
 * pattern), so a hung gateway never delays a keypress. A finished transfer
 * is checked against the contract's limits, decoded, and handed to its
 * owner's callback; then it is freed.
 *
 * Answers carry tokens and personal data, so no copy of them may outlive
 * its use: libcurl and the TLS library under it (OpenSSL: its record
 * buffers hold the decrypted answers) allocate through wiping functions
 * (every block they free is zeroed first), the receive buffer never moves
 * (so it leaves no old copies behind), and headers and bodies are zeroed
 * when a request is freed.
 *
 * The receive buffer is one private mapping of the 1 MiB limit, made at the
 * first byte of an answer: the kernel backs only the pages the answer
 * fills, so a 1 KB answer costs a page and a 946 KB catalog 946 KB, with
 * never a copy (a buffer that doubled used to hold 1.5 times the catalog
 * for a moment, and left glibc's heap larger after it). It is wiped and
 * unmapped with the request: its memory goes back to the system at once.
 */
#include "gw.h"

#include <curl/curl.h>
#include <openssl/crypto.h>
#include <poll.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "jsonx.h"
#include "log.h"
#include "loop.h"
#include "text.h"
#include "util.h"

struct gw_req {
	struct gw *gw;
	struct gw_req *prev, *next;
	CURL *easy;
	struct curl_slist *headers;
	char *path;
	char *post_body;          /* NULL for GET */
	const void *owner;
	int tag;
	gw_fn fn;
	void *ud;
	int url_index;            /* which configured URL this attempt uses */
	int attempts;
	char *buf;                /* the receive buffer: mapped, cap bytes */
	size_t len, cap;
	bool too_large;
	bool raw;                 /* gw_get_raw: a 2xx body is not parsed */
	bool delivering;          /* in its callback: gw_cancel must not touch it */
	char etag[256];
	char *if_none_match;
	char *idem_key;
	char *auth;               /* "Authorization: Bearer ..." (secret) */
	long long started_ms;
};

struct gw {
	struct loop *loop;
	CURLM *multi;
	struct gw_config cfg;     /* strings owned (copied) */
	char lang[16];
	char *token;              /* secret: wiped when forgotten */
	long long timer_id;
	struct gw_req *reqs;
	int n_reqs;
	int preferred;            /* the URL that last answered */
	enum gw_net net;
	void (*net_fn)(void *ud, enum gw_net state);
	void *net_ud;
	struct gw_last last;      /* for staff mode's 网络与网关 */
};

static void set_net(struct gw *g, enum gw_net state)
{
	if (g->net == state)
		return;
	g->net = state;
	log_info("gateway: network %s", state == GW_NET_ONLINE ? "online" : "offline");
	if (g->net_fn)
		g->net_fn(g->net_ud, state);
}

static size_t on_write(char *data, size_t size, size_t nmemb, void *ud)
{
	struct gw_req *r = ud;
	size_t n = size * nmemb;
	if (r->len + n > JSONX_MAX_BODY) {
		r->too_large = true;
		return 0; /* aborts the transfer with CURLE_WRITE_ERROR */
	}
	if (!r->buf) {
		/* The whole limit at once, untouched: pages come as the answer
		 * fills them (see the top). */
		void *p = mmap(NULL, JSONX_MAX_BODY + 1, PROT_READ | PROT_WRITE,
		               MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED)
			return 0; /* CURLE_WRITE_ERROR: a bad answer, reported */
		r->buf = p;
		r->cap = JSONX_MAX_BODY + 1;
	}
	memcpy(r->buf + r->len, data, n);
	r->len += n;
	r->buf[r->len] = '\0';
	return n;
}

static size_t on_header(char *data, size_t size, size_t nmemb, void *ud)
{
	struct gw_req *r = ud;
	size_t n = size * nmemb;
	if (n > 5 && strncasecmp(data, "etag:", 5) == 0) {
		const char *v = data + 5;
		size_t vl = n - 5;
		while (vl && (*v == ' ' || *v == '\t'))
			v++, vl--;
		while (vl && (v[vl - 1] == '\r' || v[vl - 1] == '\n' || v[vl - 1] == ' '))
			vl--;
		/* An ETag is opaque but printable ASCII; anything else is dropped. */
		bool ok = vl > 0 && vl < sizeof r->etag;
		for (size_t i = 0; ok && i < vl; i++)
			ok = v[i] > 0x20 && v[i] < 0x7f;
		if (ok) {
			memcpy(r->etag, v, vl);
			r->etag[vl] = '\0';
		}
	}
	return n;
}

/* Sockets are close-on-exec from birth, so neither aplay nor the font
 * command inherits a connection to the gateway. */
static curl_socket_t open_socket(void *ud, curlsocktype purpose, struct curl_sockaddr *addr)
{
	return socket(addr->family, addr->socktype | SOCK_CLOEXEC, addr->protocol);
}

static void req_setup(struct gw_req *r)
{
	struct gw *g = r->gw;
	char *url = xasprintf("%s%s", g->cfg.urls[r->url_index], r->path);
	CURL *e = curl_easy_init();
	if (!e)
		die("curl_easy_init failed");
	r->easy = e;
	curl_easy_setopt(e, CURLOPT_URL, url);
	free(url);
	curl_easy_setopt(e, CURLOPT_PRIVATE, r);
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 2L);
	curl_easy_setopt(e, CURLOPT_SSLVERSION, (long)CURL_SSLVERSION_TLSv1_2);
	/* Only the configured proxy: "" turns off http_proxy & co. from the
	 * environment, which must not be able to reroute citizens' data. */
	curl_easy_setopt(e, CURLOPT_PROXY, g->cfg.proxy ? g->cfg.proxy : "");
	curl_easy_setopt(e, CURLOPT_OPENSOCKETFUNCTION, open_socket);
	if (g->cfg.ca_file)
		curl_easy_setopt(e, CURLOPT_CAINFO, g->cfg.ca_file);
	if (g->cfg.pinned_pubkey)
		curl_easy_setopt(e, CURLOPT_PINNEDPUBLICKEY, g->cfg.pinned_pubkey);
	curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, g->cfg.connect_timeout_ms);
	curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, g->cfg.timeout_ms);
	curl_easy_setopt(e, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)JSONX_MAX_BODY);
	curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "");
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_write);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, r);
	curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(e, CURLOPT_HEADERDATA, r);
	curl_easy_setopt(e, CURLOPT_USERAGENT, "kiosk/" KIOSK_VERSION);

	struct curl_slist *h = NULL;
	char *line;
	h = curl_slist_append(h, "Accept: application/json, application/problem+json");
	line = xasprintf("Accept-Language: %s", g->lang);
	h = curl_slist_append(h, line);
	free(line);
	line = xasprintf("X-Kiosk-Id: %s", g->cfg.kiosk_id ? g->cfg.kiosk_id : "unknown");
	h = curl_slist_append(h, line);
	free(line);
	if (r->if_none_match) {
		line = xasprintf("If-None-Match: %s", r->if_none_match);
		h = curl_slist_append(h, line);
		free(line);
	}
	if (r->idem_key) {
		line = xasprintf("Idempotency-Key: %s", r->idem_key);
		h = curl_slist_append(h, line);
		free(line);
	}
	if (r->auth)
		h = curl_slist_append(h, r->auth);
	if (r->post_body) {
		h = curl_slist_append(h, "Content-Type: application/json");
		curl_easy_setopt(e, CURLOPT_POSTFIELDS, r->post_body);
	}
	if (!h)
		die("out of memory");
	r->headers = h;
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, h);
	r->started_ms = loop_now_ms();
	curl_multi_add_handle(g->multi, e);
}

static void req_teardown(struct gw_req *r)
{
	if (r->easy) {
		curl_multi_remove_handle(r->gw->multi, r->easy);
		curl_easy_cleanup(r->easy);
		r->easy = NULL;
	}
	/* Headers and bodies may carry tokens and personal data. */
	for (struct curl_slist *h = r->headers; h; h = h->next)
		explicit_bzero(h->data, strlen(h->data));
	curl_slist_free_all(r->headers);
	r->headers = NULL;
	if (r->buf) {
		/* Only what the answer filled: the pages after it were never
		 * touched (wiping them would bring them in for nothing). */
		explicit_bzero(r->buf, r->len + 1);
		munmap(r->buf, r->cap);
	}
	r->buf = NULL;
	r->len = r->cap = 0;
	r->too_large = false;
	r->etag[0] = '\0';
}

static void req_unlink(struct gw_req *r)
{
	struct gw *g = r->gw;
	if (r->prev)
		r->prev->next = r->next;
	else
		g->reqs = r->next;
	if (r->next)
		r->next->prev = r->prev;
	r->prev = r->next = NULL;
	g->n_reqs--;
}

static void req_free(struct gw_req *r)
{
	req_teardown(r);
	free(r->path);
	wipe_str(r->post_body);
	free(r->if_none_match);
	free(r->idem_key);
	wipe_str(r->auth);
	free(r);
}

/* "Authorization: Bearer TOKEN", built by hand: vasprintf would grow its
 * buffer through libc's own realloc, leaving copies of the token behind. */
static char *bearer_header(const char *token)
{
	static const char pre[] = "Authorization: Bearer ";
	size_t pl = sizeof pre - 1, tl = strlen(token);
	char *h = xmalloc(pl + tl + 1);
	memcpy(h, pre, pl);
	memcpy(h + pl, token, tl + 1);
	return h;
}

static struct gw_req *req_new(struct gw *g, const char *path, const char *token,
                              const void *owner, int tag, gw_fn fn, void *ud)
{
	struct gw_req *r = xcalloc(1, sizeof *r);
	r->tag = tag;
	r->gw = g;
	r->path = xstrdup(path);
	r->owner = owner;
	r->fn = fn;
	r->ud = ud;
	r->url_index = g->preferred;
	if (token)
		r->auth = bearer_header(token);
	r->next = g->reqs;
	if (g->reqs)
		g->reqs->prev = r;
	g->reqs = r;
	g->n_reqs++;
	return r;
}

static bool is_json_type(const char *ct)
{
	if (!ct)
		return false;
	size_t n = strcspn(ct, ";");
	while (n && ct[n - 1] == ' ')
		n--;
	return (n == 16 && strncasecmp(ct, "application/json", 16) == 0) ||
	       (n == 24 && strncasecmp(ct, "application/problem+json", 24) == 0);
}

/* A failure that means "this gateway cannot be reached": the request was
 * never sent, so trying the next gateway cannot submit anything twice. (Not
 * CURLINFO_CONNECT_TIME: it is 0 on a reused keep-alive connection too.) */
static bool is_connect_failure(CURL *e, CURLcode rc)
{
	if (rc == CURLE_COULDNT_CONNECT || rc == CURLE_COULDNT_RESOLVE_HOST ||
	    rc == CURLE_COULDNT_RESOLVE_PROXY)
		return true;
	if (rc == CURLE_OPERATION_TIMEDOUT) {
		long sent = 0;
		curl_easy_getinfo(e, CURLINFO_REQUEST_SIZE, &sent);
		return sent == 0;
	}
	return false;
}

/* The path as the log may show it: no query string (account numbers...),
 * and no user code in /sim/device/{code}/... */
static void log_path(const char *path, char *out, size_t n)
{
	size_t len = strcspn(path, "?");
	static const char dev[] = "/sim/device/";
	if (strncmp(path, dev, sizeof dev - 1) == 0) {
		const char *rest = strchr(path + sizeof dev - 1, '/');
		snprintf(out, n, "%s*%.*s", dev, rest ? (int)strcspn(rest, "?") : 0, rest ? rest : "");
		return;
	}
	snprintf(out, n, "%.*s%s", (int)len, path, path[len] ? "?..." : "");
}

/* A problem with nothing but its status, for error answers that are not
 * problem details (an HTML error page, say). */
static void problem_from_status(struct problem *p, int status)
{
	json_t *empty = json_object();
	char err[64];
	problem_decode(empty, status, p, err, sizeof err);
	json_decref(empty);
}

static void deliver(struct gw *g, struct gw_req *r, CURLcode rc)
{
	struct gw_reply rep;
	memset(&rep, 0, sizeof rep);
	rep.tag = r->tag;
	char why[256] = "";
	long status = 0;
	char *ct = NULL;
	curl_easy_getinfo(r->easy, CURLINFO_RESPONSE_CODE, &status);
	curl_easy_getinfo(r->easy, CURLINFO_CONTENT_TYPE, &ct);
	rep.status = (int)status;
	json_t *json = NULL;

	if (rc != CURLE_OK) {
		if (r->too_large || rc == CURLE_FILESIZE_EXCEEDED) {
			rep.result = GW_TOO_LARGE;
			snprintf(why, sizeof why, "answer larger than %d bytes", JSONX_MAX_BODY);
		} else if (is_connect_failure(r->easy, rc)) {
			rep.result = GW_UNREACHABLE;
			snprintf(why, sizeof why, "%s", curl_easy_strerror(rc));
		} else if (rc == CURLE_OPERATION_TIMEDOUT) {
			rep.result = GW_TIMEOUT;
			snprintf(why, sizeof why, "%s", curl_easy_strerror(rc));
		} else {
			rep.result = GW_BAD_ANSWER;
			snprintf(why, sizeof why, "%s", curl_easy_strerror(rc));
		}
	} else if (status == 304) {
		rep.result = GW_OK;
		rep.not_modified = true;
	} else if (status == 204) {
		rep.result = GW_OK; /* no content (a logout) */
	} else if (!is_json_type(ct)) {
		rep.result = status >= 400 ? GW_PROBLEM : GW_BAD_ANSWER;
		snprintf(why, sizeof why, "content type is not JSON");
		if (rep.result == GW_PROBLEM)
			problem_from_status(&rep.problem, rep.status);
	} else if (r->raw && status >= 200 && status < 300) {
		/* Checked for size and type; the caller reads the bytes. */
		rep.result = GW_OK;
	} else {
		char err[200];
		json = jsonx_parse(r->buf ? r->buf : "", r->len, err, sizeof err);
		if (!json) {
			rep.result = status >= 400 ? GW_PROBLEM : GW_BAD_ANSWER;
			snprintf(why, sizeof why, "%s", err);
			if (rep.result == GW_PROBLEM)
				problem_from_status(&rep.problem, rep.status);
		} else if (status >= 200 && status < 300) {
			rep.result = GW_OK;
			rep.json = json;
		} else {
			rep.result = GW_PROBLEM;
			rep.json = json; /* RFC 8628 token errors are plain JSON */
			if (problem_decode(json, rep.status, &rep.problem, err, sizeof err) != 0)
				snprintf(why, sizeof why, "problem details: %s", err);
		}
	}

	/* Unlink first: callbacks below may cancel their owner's other requests
	 * or start new ones, but can no longer reach this one. */
	req_unlink(r);
	r->delivering = true;
	set_net(g, rep.result == GW_UNREACHABLE ? GW_NET_OFFLINE : GW_NET_ONLINE);

	rep.etag = r->etag[0] ? r->etag : NULL;
	rep.body = r->buf;
	rep.body_len = r->len;
	rep.why = why;
	char lp[256];
	log_path(r->path, lp, sizeof lp);
	log_info("gateway: %s %s -> %ld %s%s%s (%lld ms)", r->post_body ? "POST" : "GET", lp,
	         status, rep.result == GW_OK ? "ok" : "error", why[0] ? ": " : "", why,
	         loop_now_ms() - r->started_ms);
	g->last = (struct gw_last){ .at_ms = loop_now_ms(), .post = r->post_body != NULL, .status = (int)status,
	                            .result = rep.result, .ms = (long)(loop_now_ms() - r->started_ms),
	                            .url_index = r->url_index };
	text_copy(g->last.path, sizeof g->last.path, lp);

	if (r->fn)
		r->fn(r->ud, &rep);
	json_decref(json);
	problem_free(&rep.problem);
	req_free(r);
}

static void check_done(struct gw *g)
{
	CURLMsg *m;
	int left;
	while ((m = curl_multi_info_read(g->multi, &left))) {
		if (m->msg != CURLMSG_DONE)
			continue;
		struct gw_req *r = NULL;
		curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, (char **)&r);
		CURLcode rc = m->data.result;
		if (!r)
			continue;
		if (is_connect_failure(r->easy, rc) && r->attempts + 1 < g->cfg.n_urls) {
			/* Next gateway: the request never reached the last one. */
			log_warn("gateway: %s unreachable (%s), trying the next",
			         g->cfg.urls[r->url_index], curl_easy_strerror(rc));
			r->attempts++;
			r->url_index = (r->url_index + 1) % g->cfg.n_urls;
			req_teardown(r);
			req_setup(r);
			continue;
		}
		if (rc == CURLE_OK)
			g->preferred = r->url_index;
		deliver(g, r, rc);
	}
}

static void on_socket_ready(struct loop *l, int fd, int revents, void *ud)
{
	struct gw *g = ud;
	int flags = 0, running;
	if (revents & POLLIN)
		flags |= CURL_CSELECT_IN;
	if (revents & POLLOUT)
		flags |= CURL_CSELECT_OUT;
	if (revents & (POLLERR | POLLHUP | POLLNVAL))
		flags |= CURL_CSELECT_ERR;
	if (revents & POLLNVAL) /* closed behind our back: never spin on it */
		loop_fd_del(l, fd);
	curl_multi_socket_action(g->multi, fd, flags, &running);
	check_done(g);
}

static int on_curl_socket(CURL *e, curl_socket_t s, int what, void *ud, void *sockp)
{
	struct gw *g = ud;
	if (what == CURL_POLL_REMOVE) {
		loop_fd_del(g->loop, s);
		return 0;
	}
	short ev = 0;
	if (what == CURL_POLL_IN || what == CURL_POLL_INOUT)
		ev |= POLLIN;
	if (what == CURL_POLL_OUT || what == CURL_POLL_INOUT)
		ev |= POLLOUT;
	loop_fd_add(g->loop, s, ev, on_socket_ready, g);
	return 0;
}

static long on_timer(struct loop *l, long long id, void *ud)
{
	struct gw *g = ud;
	int running;
	g->timer_id = 0;
	curl_multi_socket_action(g->multi, CURL_SOCKET_TIMEOUT, 0, &running);
	check_done(g);
	return -1;
}

static int on_curl_timer(CURLM *m, long timeout_ms, void *ud)
{
	struct gw *g = ud;
	if (g->timer_id)
		loop_timer_del(g->loop, g->timer_id);
	g->timer_id = 0;
	if (timeout_ms >= 0)
		g->timer_id = loop_timer_add(g->loop, timeout_ms, on_timer, g);
	return 0;
}

/* libcurl's allocator: every block is zeroed before it is freed (its
 * receive buffers, header lists and request buffers hold tokens and
 * personal data); realloc never leaves the old block behind. */
static void *curl_x_malloc(size_t n) { return xmalloc(n); }
static void curl_x_free(void *p) { wipe_free_block(p); }
static void *curl_x_realloc(void *p, size_t n) { return wipe_realloc(p, n); }
static char *curl_x_strdup(const char *s) { return xstrdup(s); }
static void *curl_x_calloc(size_t n, size_t size) { return xcalloc(n, size); }

/* OpenSSL's allocator, the same way (its realloc also frees, for 0). */
static void *ossl_malloc(size_t n, const char *file, int line) { return xmalloc(n); }
static void ossl_free(void *p, const char *file, int line) { wipe_free_block(p); }
static void *ossl_realloc(void *p, size_t n, const char *file, int line)
{
	if (n == 0) {
		wipe_free_block(p);
		return NULL;
	}
	return wipe_realloc(p, n);
}

struct gw *gw_new(struct loop *l, const struct gw_config *cfg)
{
	static bool curl_ready;
	if (!curl_ready) {
		/* Before anything makes OpenSSL allocate (curl_global_init does). */
		if (!CRYPTO_set_mem_functions(ossl_malloc, ossl_realloc, ossl_free))
			log_warn("gateway: the TLS library was started already: its buffers are not wiped");
		curl_global_init_mem(CURL_GLOBAL_DEFAULT, curl_x_malloc, curl_x_free, curl_x_realloc,
		                     curl_x_strdup, curl_x_calloc);
		curl_ready = true;
	}
	struct gw *g = xcalloc(1, sizeof *g);
	g->loop = l;
	g->cfg = *cfg;
	for (int i = 0; i < cfg->n_urls; i++) {
		/* "http://host:1/" + "/v1/..." must not make "//v1" */
		char *u = xstrdup(cfg->urls[i]);
		size_t n = strlen(u);
		while (n && u[n - 1] == '/')
			u[--n] = '\0';
		g->cfg.urls[i] = u;
	}
	g->cfg.kiosk_id = cfg->kiosk_id ? xstrdup(cfg->kiosk_id) : NULL;
	g->cfg.ca_file = cfg->ca_file ? xstrdup(cfg->ca_file) : NULL;
	g->cfg.pinned_pubkey = cfg->pinned_pubkey ? xstrdup(cfg->pinned_pubkey) : NULL;
	g->cfg.proxy = cfg->proxy && *cfg->proxy ? xstrdup(cfg->proxy) : NULL;
	if (g->cfg.connect_timeout_ms <= 0)
		g->cfg.connect_timeout_ms = 3000;
	if (g->cfg.timeout_ms <= 0)
		g->cfg.timeout_ms = 10000;
	snprintf(g->lang, sizeof g->lang, "zh-CN");
	g->multi = curl_multi_init();
	curl_multi_setopt(g->multi, CURLMOPT_SOCKETFUNCTION, on_curl_socket);
	curl_multi_setopt(g->multi, CURLMOPT_SOCKETDATA, g);
	curl_multi_setopt(g->multi, CURLMOPT_TIMERFUNCTION, on_curl_timer);
	curl_multi_setopt(g->multi, CURLMOPT_TIMERDATA, g);
	return g;
}

void gw_free(struct gw *g)
{
	if (!g)
		return;
	while (g->reqs)
		gw_cancel(g, g->reqs);
	if (g->timer_id)
		loop_timer_del(g->loop, g->timer_id);
	curl_multi_cleanup(g->multi);
	wipe_str(g->token);
	for (int i = 0; i < g->cfg.n_urls; i++)
		free((char *)g->cfg.urls[i]);
	free((char *)g->cfg.kiosk_id);
	free((char *)g->cfg.ca_file);
	free((char *)g->cfg.pinned_pubkey);
	free((char *)g->cfg.proxy);
	free(g);
}

void gw_set_token(struct gw *g, const char *token)
{
	wipe_str(g->token);
	g->token = token ? xstrdup(token) : NULL;
}

void gw_set_lang(struct gw *g, const char *lang)
{
	snprintf(g->lang, sizeof g->lang, "%s", lang);
}

static struct gw_req *get_as(struct gw *g, const char *path, const char *etag, bool raw,
                             const void *owner, int tag, gw_fn fn, void *ud)
{
	struct gw_req *r = req_new(g, path, g->token, owner, tag, fn, ud);
	if (etag && *etag)
		r->if_none_match = xstrdup(etag);
	r->raw = raw;
	req_setup(r);
	return r;
}

struct gw_req *gw_get(struct gw *g, const char *path, const char *etag,
                      const void *owner, int tag, gw_fn fn, void *ud)
{
	return get_as(g, path, etag, false, owner, tag, fn, ud);
}

struct gw_req *gw_get_raw(struct gw *g, const char *path, const char *etag,
                          const void *owner, int tag, gw_fn fn, void *ud)
{
	return get_as(g, path, etag, true, owner, tag, fn, ud);
}

static struct gw_req *post_as(struct gw *g, const char *token, const char *path, json_t *body,
                              const char *idem_key, const void *owner, int tag, gw_fn fn, void *ud)
{
	struct gw_req *r = req_new(g, path, token, owner, tag, fn, ud);
	json_t *b = body ? body : json_object();
	r->post_body = json_dumps(b, JSON_COMPACT);
	json_decref(b);
	if (!r->post_body)
		die("out of memory");
	if (idem_key)
		r->idem_key = xstrdup(idem_key);
	req_setup(r);
	return r;
}

struct gw_req *gw_post(struct gw *g, const char *path, json_t *body, const char *idem_key,
                       const void *owner, int tag, gw_fn fn, void *ud)
{
	return post_as(g, g->token, path, body, idem_key, owner, tag, fn, ud);
}

struct gw_req *gw_post_bearer(struct gw *g, const char *token, const char *path, json_t *body,
                              const void *owner, int tag, gw_fn fn, void *ud)
{
	return post_as(g, token, path, body, NULL, owner, tag, fn, ud);
}

struct gw_req *gw_post_kiosk(struct gw *g, const char *path, json_t *body, const char *idem_key,
                             const void *owner, int tag, gw_fn fn, void *ud)
{
	return post_as(g, NULL, path, body, idem_key, owner, tag, fn, ud);
}

void gw_cancel(struct gw *g, struct gw_req *r)
{
	if (!r || r->delivering)
		return;
	req_unlink(r);
	req_free(r);
}

void gw_cancel_owner(struct gw *g, const void *owner)
{
	struct gw_req *r = g->reqs;
	while (r) {
		struct gw_req *next = r->next;
		if (r->owner == owner)
			gw_cancel(g, r);
		r = next;
	}
}

enum gw_net gw_net_state(const struct gw *g) { return g->net; }
const struct gw_last *gw_last(const struct gw *g) { return &g->last; }
int gw_n_urls(const struct gw *g) { return g->cfg.n_urls; }
const char *gw_url(const struct gw *g, int i) { return i >= 0 && i < g->cfg.n_urls ? g->cfg.urls[i] : NULL; }
int gw_preferred(const struct gw *g) { return g->preferred; }
int gw_in_flight(const struct gw *g) { return g->n_reqs; }

void gw_on_net_change(struct gw *g, void (*fn)(void *ud, enum gw_net state), void *ud)
{
	g->net_fn = fn;
	g->net_ud = ud;
}

/* True for 127.x.y.z written as digits and dots, "localhost" and "[::1]". */
static bool host_is_loopback(const char *h, size_t n)
{
	if ((n == 9 && strncmp(h, "localhost", 9) == 0) || (n == 5 && strncmp(h, "[::1]", 5) == 0))
		return true;
	if (n < 4 || strncmp(h, "127.", 4) != 0)
		return false;
	int dots = 0;
	for (size_t i = 0; i < n; i++) {
		if (h[i] == '.')
			dots++;
		else if (h[i] < '0' || h[i] > '9')
			return false;
	}
	return dots == 3;
}

const char *gw_url_problem(const char *url)
{
	const char *h;
	bool tls;
	if (strncmp(url, "https://", 8) == 0)
		h = url + 8, tls = true;
	else if (strncmp(url, "http://", 7) == 0)
		h = url + 7, tls = false;
	else
		return "the URL must start with https:// (http:// only for loopback)";
	size_t n = h[0] == '[' ? strcspn(h, "]") + 1 : strcspn(h, ":/");
	if (n == 0 || n > strlen(h))
		return "no host in the URL";
	if (strchr(url, '?') || strchr(url, '#') || strchr(url, '@'))
		return "the URL must not carry a query, fragment or user name";
	if (!tls && !host_is_loopback(h, n))
		return "plain http:// is allowed only for loopback addresses; use https://";
	return NULL;
}
