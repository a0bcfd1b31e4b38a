/* test_gateway_hall.c: the service hall in the reference gateway (issue 12,
 * the gateway's part), end to end over HTTP against a real gatewayd
 * (harness/gwd.h).
 *
 * What docs/gateway-api.md promises: staff codes work once and for
 * --staff-code-ttl seconds (404 unknown, 409 used, 410 expired);
 * heartbeats keep each kiosk's last state and answer its newest config
 * version and notice (in the request's language); configs are versioned
 * per kiosk and kept as given; queue tickets are numbered per window group
 * and day, answered once per key, with waiting counts that move
 * (--queue-step-s); ratings are checked, need a subject of this kiosk and
 * are one a subject; help calls are listed by /sim/help; GET /v1/fleet
 * shows every kiosk's last heartbeat, open with --sim, behind the
 * --operator-token when one is set. Every bad input answers its problem,
 * never a crash.
 */
#include "e2e.h"
#include "harness/gwd.h"

#include <criterion/criterion.h>
#include <curl/curl.h>
#include <jansson.h>

#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define KIOSK "hall1-k01"
#define OTHER "hall2-k07"

/* ---- requests ------------------------------------------------------------------ */

struct resp {
	long status;                 /* 0: no HTTP answer */
	char *body;                  /* "" if none; to free */
	bool replayed;               /* Idempotent-Replayed: true */
	char lang[16];               /* Content-Language */
};

static size_t on_body(char *p, size_t size, size_t n, void *ud)
{
	struct resp *r = ud;
	size_t len = strlen(r->body), add = size * n;
	char *b = realloc(r->body, len + add + 1);
	if (!b)
		abort();
	memcpy(b + len, p, add);
	b[len + add] = '\0';
	r->body = b;
	return add;
}

static size_t on_header(char *p, size_t size, size_t n, void *ud)
{
	struct resp *r = ud;
	static const char rep[] = "Idempotent-Replayed: true", cl[] = "Content-Language: ";
	size_t len = size * n;
	if (len >= sizeof rep - 1 && !strncasecmp(p, rep, sizeof rep - 1))
		r->replayed = true;
	if (len > sizeof cl - 1 && !strncasecmp(p, cl, sizeof cl - 1))
		snprintf(r->lang, sizeof r->lang, "%.*s", (int)strcspn(p + sizeof cl - 1, "\r\n"),
		         p + sizeof cl - 1);
	return len;
}

/* One request on a connection of its own, with header lines hdr
 * (NULL-terminated, may be NULL); body (len bytes) for POST. */
static struct resp http_n(struct gwd *g, const char *method, const char *path,
                          const char *const hdr[], const char *body, size_t len)
{
	struct resp r = { 0, strdup(""), false, "" };
	CURL *c = curl_easy_init();
	struct curl_slist *h = NULL;
	char *u = e2e_fmt("%s%s", gwd_url(g), path);
	for (size_t i = 0; hdr && hdr[i]; i++)
		h = curl_slist_append(h, hdr[i]);
	h = curl_slist_append(h, "Content-Type: application/json");
	h = curl_slist_append(h, "Expect:");
	curl_easy_setopt(c, CURLOPT_URL, u);
	if (!strcmp(method, "POST")) {
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
		curl_easy_setopt(c, CURLOPT_COPYPOSTFIELDS, body ? body : "");
	}
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_PROXY, "");
	curl_easy_setopt(c, CURLOPT_FORBID_REUSE, 1L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 20000L);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &r);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, &r);
	if (curl_easy_perform(c) == CURLE_OK)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r.status);
	curl_slist_free_all(h);
	curl_easy_cleanup(c);
	free(u);
	return r;
}

static struct resp http(struct gwd *g, const char *method, const char *path,
                        const char *const hdr[], const char *body)
{
	return http_n(g, method, path, hdr, body, body ? strlen(body) : 0);
}

/* A request whose status must be want; its answer as JSON (to decref). */
static json_t *call(struct gwd *g, const char *method, const char *path, const char *const hdr[],
                    const char *body, long want)
{
	struct resp r = http(g, method, path, hdr, body);
	if (r.status != want)
		gwd_dump(g, stderr);
	cr_assert_eq(r.status, want, "%s %s %s: %ld %s (wanted %ld)", method, path,
	             body ? body : "", r.status, r.body, want);
	json_t *j = json_loads(r.body, 0, NULL);
	cr_assert_not_null(j, "%s %s: not JSON: %s", method, path, r.body);
	free(r.body);
	return j;
}

static const char *str(const json_t *j, const char *k)
{
	const char *s = json_string_value(json_object_get(j, k));
	return s ? s : "";
}

static long long num(const json_t *j, const char *k)
{
	json_t *v = json_object_get(j, k);
	cr_assert(json_is_integer(v), "%s is not an integer", k);
	return json_integer_value(v);
}

/* A problem answer of this status and code (with a title and detail). */
static void problem(struct gwd *g, const char *method, const char *path, const char *const hdr[],
                    const char *body, long status, const char *code)
{
	json_t *j = call(g, method, path, hdr, body, status);
	cr_assert_str_eq(str(j, "code"), code, "%s %s %s: code %s, wanted %s", method, path,
	                 body ? body : "", str(j, "code"), code);
	cr_assert(*str(j, "title") && *str(j, "detail"), "no title or detail");
	json_decref(j);
}

/* The errors of a problem as "field:code" lines, to free. */
static char *errors_of(const json_t *j)
{
	json_t *e;
	size_t i;
	char *out = strdup("");
	json_array_foreach(json_object_get(j, "errors"), i, e) {
		cr_assert(*str(e, "message"), "error %s without a message", str(e, "field"));
		char *n = e2e_fmt("%s%s:%s\n", out, str(e, "field"), str(e, "code"));
		free(out);
		out = n;
	}
	return out;
}

/* A random UUID v4. */
static void uuid(char out[37])
{
	unsigned char r[16];
	cr_assert_eq(getrandom(r, sizeof r, 0), (ssize_t)sizeof r);
	r[6] = (unsigned char)((r[6] & 0x0f) | 0x40);
	r[8] = (unsigned char)((r[8] & 0x3f) | 0x80);
	snprintf(out, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
	         r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8], r[9], r[10], r[11], r[12],
	         r[13], r[14], r[15]);
}

/* Header lines of a kiosk (NULL: none), a key (NULL: none) and a language
 * (NULL: none), in h (static strings kept in buf). */
struct hdrs {
	char b[3][80];
	const char *h[4];
};

static const char *const *hd(struct hdrs *x, const char *kiosk, const char *key, const char *lang)
{
	size_t n = 0;
	if (kiosk) {
		snprintf(x->b[0], sizeof x->b[0], "X-Kiosk-Id: %s", kiosk);
		x->h[n++] = x->b[0];
	}
	if (key) {
		snprintf(x->b[1], sizeof x->b[1], "Idempotency-Key: %s", key);
		x->h[n++] = x->b[1];
	}
	if (lang) {
		snprintf(x->b[2], sizeof x->b[2], "Accept-Language: %s", lang);
		x->h[n++] = x->b[2];
	}
	x->h[n] = NULL;
	return x->h;
}

/* SIGTERM: exit 0 and no sanitizer report (no leak). */
static void end(struct gwd *g)
{
	gwd_stop(g);
	int st = gwd_status(g);
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
		gwd_dump(g, stderr);
	cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0, "gatewayd exit status %#x", st);
	e2e_end_gw(g, false);
}

/* A body of n bytes: a JSON object padded past 64 KiB when n is large. */
static char *oversize(void)
{
	size_t n = 70 * 1024;
	char *b = malloc(n + 32);
	cr_assert_not_null(b);
	int o = snprintf(b, 32, "{\"pad\":\"");
	memset(b + o, 'x', n);
	snprintf(b + o + n, 32, "\"}");
	return b;
}

/* Bodies every endpoint refuses as a whole (400 bad_json). */
static const char *const not_json[] = {
	"", "not json", "[1,2]", "\"code\"", "{\"a\":1,\"a\":2}", "{\"a\":\"\xff\xfe\"}",
	"{\"a\":\"x\\u0000y\"}", "{\"a\":", NULL,
};

/* ---- staff codes ----------------------------------------------------------------- */

static char *staff_code(struct gwd *g, const char *body)
{
	json_t *j = call(g, "POST", "/sim/staff-code", NULL, body, 200);
	const char *c = str(j, "code");
	regex_t re;
	cr_assert_eq(regcomp(&re, "^STF-[A-Z2-7]{16}$", REG_EXTENDED | REG_NOSUB), 0);
	cr_assert_eq(regexec(&re, c, 0, NULL, 0), 0, "staff code %s", c);
	regfree(&re);
	cr_assert_eq(num(j, "expires_in"), 300);
	char *out = strdup(c);
	json_decref(j);
	return out;
}

Test(gateway_hall, staff_codes_work_once_and_not_after_they_expire)
{
	struct gwd *g = e2e_start_gateway(NULL);
	struct hdrs x;
	const char *const *k = hd(&x, KIOSK, NULL, NULL);

	/* A named staff member, then the default one: S001, S002, masked. */
	char *c1 = staff_code(g, "{\"name\":\"李秀梅\"}"), *c2 = staff_code(g, NULL);
	char *b1 = e2e_fmt("{\"code\":\"%s\"}", c1), *b2 = e2e_fmt("{\"code\":\" %s\\r\\n\"}", c2);
	json_t *j = call(g, "POST", "/v1/kiosk/staff", k, b1, 200);
	cr_assert_str_eq(str(j, "staff_id"), "S001");
	cr_assert_str_eq(str(j, "name"), "李*梅");
	cr_assert_eq(num(j, "expires_in"), 900);
	cr_assert_eq(json_object_size(j), 3, "nothing else is answered");
	json_decref(j);
	j = call(g, "POST", "/v1/kiosk/staff", hd(&x, OTHER, NULL, NULL), b2, 200);
	cr_assert_str_eq(str(j, "staff_id"), "S002");
	cr_assert_str_eq(str(j, "name"), "王*");
	json_decref(j);
	/* The same name again is the same person. */
	char *c3 = staff_code(g, "{\"name\":\"李秀梅\"}"), *b3 = e2e_fmt("{\"code\":\"%s\"}", c3);
	j = call(g, "POST", "/v1/kiosk/staff", k, b3, 200);
	cr_assert_str_eq(str(j, "staff_id"), "S001");
	json_decref(j);

	/* Used: 409 from any kiosk, in every language. */
	problem(g, "POST", "/v1/kiosk/staff", k, b1, 409, "code_used");
	problem(g, "POST", "/v1/kiosk/staff", hd(&x, OTHER, NULL, "en"), b2, 409, "code_used");
	j = call(g, "POST", "/v1/kiosk/staff", hd(&x, KIOSK, NULL, "zh-TW"), b3, 409);
	cr_assert_str_eq(str(j, "title"), "工作人員碼已使用");
	json_decref(j);

	/* Unknown, or not a staff code at all: 404 invalid_code. */
	const char *unknown[] = { "STF-AAAAAAAAAAAAAAAA", "STF-aaaaaaaaaaaaaaaa", "STF-AAAA",
	                          "STF-AAAAAAAAAAAAAAAA1", "STF-0000000000000000", "GOVLOGIN:abc", "",
	                          "\\u001b[2JSTF-AAAAAAAAAAAAAAAA", NULL };
	for (size_t i = 0; unknown[i]; i++) {
		char *b = e2e_fmt("{\"code\":\"%s\"}", unknown[i]);
		problem(g, "POST", "/v1/kiosk/staff", k, b, 404, "invalid_code");
		free(b);
	}

	/* Wrong members: 422 naming them; not JSON: 400; too big: 413; no kiosk: 400. */
	j = call(g, "POST", "/v1/kiosk/staff", k, "{\"code\":5,\"pin\":\"1234\"}", 422);
	char *e = errors_of(j);
	cr_assert_str_eq(e, "code:type\npin:unknown_field\n");
	free(e);
	json_decref(j);
	j = call(g, "POST", "/v1/kiosk/staff", k, "{}", 422);
	e = errors_of(j);
	cr_assert_str_eq(e, "code:required\n");
	free(e);
	json_decref(j);
	for (size_t i = 0; not_json[i]; i++)
		problem(g, "POST", "/v1/kiosk/staff", k, not_json[i], 400, "bad_json");
	char *big = oversize();
	problem(g, "POST", "/v1/kiosk/staff", k, big, 413, "body_too_large");
	problem(g, "POST", "/v1/kiosk/staff", NULL, b1, 400, "kiosk_id_required");
	const char *badk[] = { "X-Kiosk-Id: a b", NULL };
	problem(g, "POST", "/v1/kiosk/staff", badk, b1, 400, "kiosk_id_required");

	/* The simulator refuses names it could not show. */
	const char *bad_names[] = { "{\"name\":\"\"}", "{\"name\":\"王\\u001b[31m工\"}",
	                            "{\"name\":\"王\\u202e工\"}", "{\"name\":5}",
	                            "{\"name\":\"一二三四五六七八九十一二三四五六七八九十一二三四五六七八九十一二三\"}",
	                            "{\"nom\":\"x\"}", NULL };
	for (size_t i = 0; bad_names[i]; i++)
		problem(g, "POST", "/sim/staff-code", NULL, bad_names[i], 422, "validation_failed");
	problem(g, "POST", "/sim/staff-code", NULL, "[", 400, "bad_json");
	free(big);
	free(b1);
	free(b2);
	free(b3);
	free(c1);
	free(c2);
	free(c3);
	end(g);

	/* Expired: --staff-code-ttl 1. */
	const char *ttl[] = { "--staff-code-ttl", "1", NULL };
	g = e2e_start_gateway(ttl);
	j = call(g, "POST", "/sim/staff-code", NULL, NULL, 200);
	cr_assert_eq(num(j, "expires_in"), 1);
	char *b = e2e_fmt("{\"code\":\"%s\"}", str(j, "code"));
	json_decref(j);
	usleep(2100 * 1000);
	problem(g, "POST", "/v1/kiosk/staff", k, b, 410, "code_expired");
	problem(g, "POST", "/v1/kiosk/staff", k, b, 410, "code_expired");
	free(b);
	end(g);
}

/* ---- heartbeats and configuration ------------------------------------------------- */

#define HB_OK "{\"version\":\"0.12.0\",\"uptime_s\":%d,\"devices\":{\"scanner\":\"ok\"," \
	"\"printer\":\"paper_out\",\"speech\":\"none\"},\"outbox_pending\":2,\"last_error\":%s," \
	"\"config_version\":%d}"

static json_t *heartbeat(struct gwd *g, const char *kiosk, const char *lang, int uptime,
                         const char *last_error, int config_version)
{
	struct hdrs x;
	char *b = e2e_fmt(HB_OK, uptime, last_error, config_version);
	json_t *j = call(g, "POST", "/v1/kiosk/heartbeat", hd(&x, kiosk, NULL, lang), b, 200);
	free(b);
	cr_assert_eq(json_object_size(j), 2);
	return j;
}

static void assert_notice(const json_t *j, long long version, const char *notice)
{
	cr_assert_eq(num(j, "config_version"), version);
	if (notice)
		cr_assert_str_eq(str(j, "notice"), notice);
	else
		cr_assert(json_is_null(json_object_get(j, "notice")), "notice not null");
}

Test(gateway_hall, heartbeats_and_configs_by_version_per_kiosk)
{
	struct gwd *g = e2e_start_gateway(NULL);
	struct hdrs x;
	json_t *j = heartbeat(g, KIOSK, NULL, 5, "null", 0);
	assert_notice(j, 0, NULL);
	json_decref(j);
	problem(g, "GET", "/v1/kiosk/config", hd(&x, KIOSK, NULL, NULL), NULL, 404, "no_config");
	problem(g, "GET", "/v1/kiosk/config", NULL, NULL, 400, "kiosk_id_required");

	/* Version 1: a notice in three languages; each kiosk counts its own. */
	const char *c1 = "{\"kiosk_id\":\"" KIOSK "\",\"config\":{\"notice\":{\"zh_CN\":\"今日16:00起暂停办理\","
	                 "\"zh_TW\":\"今日16:00起暫停辦理\",\"en\":\"Closed from 16:00 today\"},"
	                 "\"idle_timeout_s\":60}}";
	j = call(g, "POST", "/sim/kiosk-config", NULL, c1, 201);
	cr_assert_eq(num(j, "config_version"), 1);
	json_decref(j);
	j = heartbeat(g, KIOSK, "en", 6, "null", 0);
	assert_notice(j, 1, "Closed from 16:00 today");
	json_decref(j);
	j = heartbeat(g, KIOSK, "zh-HK", 7, "null", 0);
	assert_notice(j, 1, "今日16:00起暫停辦理");
	json_decref(j);
	j = heartbeat(g, KIOSK, NULL, 8, "\"打印机缺纸\"", 1);
	assert_notice(j, 1, "今日16:00起暂停办理");
	json_decref(j);
	j = heartbeat(g, OTHER, NULL, 8, "null", 0);
	assert_notice(j, 0, NULL);
	json_decref(j);

	/* Version 2: kept as given (members in their order, any JSON the
	 * kiosk will judge), a plain notice for every language; a notice of
	 * another type is no notice. */
	const char *conf2 = "{\"notice\":\"系统维护\",\"zz\":[1,{\"b\":2,\"a\":\"\\u001B[31m\"}],"
	                    "\"idle_timeout_s\":0,\"theme\":\"nope\"}";
	char *c2 = e2e_fmt("{\"config\":%s,\"kiosk_id\":\"%s\"}", conf2, KIOSK);
	j = call(g, "POST", "/sim/kiosk-config", NULL, c2, 201);
	cr_assert_eq(num(j, "config_version"), 2);
	json_decref(j);
	j = heartbeat(g, KIOSK, "en", 9, "null", 1);
	assert_notice(j, 2, "系统维护");
	json_decref(j);
	struct resp r = http(g, "GET", "/v1/kiosk/config", hd(&x, KIOSK, NULL, NULL), NULL);
	cr_assert_eq(r.status, 200);
	char *want = e2e_fmt("{\"config_version\":2,\"config\":%s}", conf2);
	cr_assert_str_eq(r.body, want, "the config as given: %s", r.body);
	free(want);
	free(r.body);
	j = call(g, "POST", "/sim/kiosk-config", NULL,
	         "{\"kiosk_id\":\"" OTHER "\",\"config\":{\"notice\":[\"x\"]}}", 201);
	cr_assert_eq(num(j, "config_version"), 1);
	json_decref(j);
	j = heartbeat(g, OTHER, NULL, 9, "null", 0);
	assert_notice(j, 1, NULL);
	json_decref(j);

	/* Bad heartbeats: every wrong member named. */
	const char *const *k = hd(&x, KIOSK, NULL, "en");
	j = call(g, "POST", "/v1/kiosk/heartbeat", k,
	         "{\"version\":\"0 1\",\"uptime_s\":-1,\"devices\":{\"scanner\":\"on\",\"lamp\":\"ok\"},"
	         "\"outbox_pending\":1.5,\"last_error\":\"a\\u0007b\",\"x\":1}", 422);
	char *e = errors_of(j);
	cr_assert_str_eq(e, "version:invalid\nuptime_s:out_of_range\ndevices.scanner:unknown_value\n"
	                    "devices.lamp:unknown_field\ndevices.printer:required\n"
	                    "devices.speech:required\noutbox_pending:out_of_range\n"
	                    "last_error:invalid\nx:unknown_field\nconfig_version:required\n");
	free(e);
	json_decref(j);
	j = call(g, "POST", "/v1/kiosk/heartbeat", k,
	         "{\"version\":\"012345678901234567890123456789012\",\"uptime_s\":\"5\",\"devices\":[],"
	         "\"outbox_pending\":true,\"last_error\":5,\"config_version\":\"1\"}", 422);
	e = errors_of(j);
	cr_assert_str_eq(e, "version:invalid\nuptime_s:out_of_range\ndevices:type\n"
	                    "outbox_pending:out_of_range\nlast_error:invalid\nconfig_version:out_of_range\n");
	free(e);
	json_decref(j);
	/* 200 characters of last error are fine, 201 are not. */
	char long_err[1000] = "\"", *p = long_err + 1;
	for (int i = 0; i < 200; i++)
		p += sprintf(p, "错");
	strcpy(p, "\"");
	json_decref(heartbeat(g, KIOSK, NULL, 10, long_err, 2));
	strcpy(p, "错\"");
	char *b = e2e_fmt(HB_OK, 10, long_err, 2);
	problem(g, "POST", "/v1/kiosk/heartbeat", k, b, 422, "validation_failed");
	free(b);
	b = e2e_fmt(HB_OK, 10, "null", 2);
	problem(g, "POST", "/v1/kiosk/heartbeat", NULL, b, 400, "kiosk_id_required");
	free(b);
	for (size_t i = 0; not_json[i]; i++) {
		problem(g, "POST", "/v1/kiosk/heartbeat", k, not_json[i], 400, "bad_json");
		problem(g, "POST", "/sim/kiosk-config", NULL, not_json[i], 400, "bad_json");
	}
	char *big = oversize();
	problem(g, "POST", "/v1/kiosk/heartbeat", k, big, 413, "body_too_large");
	problem(g, "POST", "/sim/kiosk-config", NULL, big, 413, "body_too_large");
	free(big);

	/* Bad configs from the simulator. */
	j = call(g, "POST", "/sim/kiosk-config", NULL,
	         "{\"kiosk_id\":\"a b\",\"config\":[1],\"version\":3}", 422);
	e = errors_of(j);
	cr_assert_str_eq(e, "kiosk_id:invalid\nconfig:type\nversion:unknown_field\n");
	free(e);
	json_decref(j);
	j = call(g, "POST", "/sim/kiosk-config", NULL, "{}", 422);
	e = errors_of(j);
	cr_assert_str_eq(e, "kiosk_id:required\nconfig:required\n");
	free(e);
	json_decref(j);
	j = call(g, "GET", "/v1/kiosk/config", hd(&x, KIOSK, NULL, NULL), NULL, 200);
	cr_assert_eq(num(j, "config_version"), 2, "refused configs are not stored");
	json_decref(j);
	free(c2);
	end(g);
}

/* ---- queue tickets ------------------------------------------------------------------ */

static bool matches(const char *s, const char *pattern)
{
	regex_t re;
	cr_assert_eq(regcomp(&re, pattern, REG_EXTENDED | REG_NOSUB), 0);
	bool m = regexec(&re, s, 0, NULL, 0) == 0;
	regfree(&re);
	return m;
}

/* POST /v1/queue/tickets for svc from kiosk with key (NULL: a new one),
 * asserting want; the answer as JSON. */
static json_t *take(struct gwd *g, const char *kiosk, const char *key, const char *svc,
                    const char *lang, long want)
{
	struct hdrs x;
	char k[37];
	if (!key)
		uuid(k);
	char *b = e2e_fmt("{\"service_id\":\"%s\"}", svc);
	json_t *j = call(g, "POST", "/v1/queue/tickets", hd(&x, kiosk, key ? key : k, lang), b, want);
	free(b);
	return j;
}

/* A 201 ticket of svc: its members, their shapes; the number's digits. */
static long long ticket_ok(const json_t *j, const char *svc, const char *letter, const char *window)
{
	cr_assert_eq(json_object_size(j), 7, "ticket, service_id, service_name, waiting_ahead, "
	             "estimated_wait_min, window, issued_at");
	const char *t = str(j, "ticket");
	cr_assert(matches(t, "^[A-Z]+[0-9]{3,}$"), "ticket %s", t);
	if (letter)
		cr_assert(!strncmp(t, letter, strlen(letter)) && t[strlen(letter)] >= '0' &&
		          t[strlen(letter)] <= '9', "ticket %s of group %s", t, letter);
	cr_assert_str_eq(str(j, "service_id"), svc);
	cr_assert(*str(j, "service_name"));
	cr_assert(num(j, "waiting_ahead") >= 0 && num(j, "estimated_wait_min") >= 0);
	if (window)
		cr_assert_str_eq(str(j, "window"), window);
	cr_assert(matches(str(j, "issued_at"),
	                  "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}[+-][0-9]{2}:[0-9]{2}$"),
	          "issued_at %s", str(j, "issued_at"));
	return atoll(t + strspn(t, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"));
}

Test(gateway_hall, tickets_are_numbered_per_window_and_answered_once_per_key)
{
	const char *args[] = { "--queue-step-s", "0", NULL };
	struct gwd *g = e2e_start_gateway(args);
	struct hdrs x;
	char k1[37], k2[37];
	uuid(k1);
	uuid(k2);

	/* The first of the day finds people waiting; nobody is called
	 * (--queue-step-s 0): each ticket has one more ahead, 2.5 min each. */
	json_t *a = take(g, KIOSK, k1, "svc-social-queue", NULL, 201);
	long long n1 = ticket_ok(a, "svc-social-queue", "A", "3号窗口"), w1 = num(a, "waiting_ahead");
	cr_assert(w1 >= 2 && n1 == w1 + 1, "A%03lld with %lld ahead", n1, w1);
	cr_assert_eq(num(a, "estimated_wait_min"), (w1 * 150 + 59) / 60);
	cr_assert_str_eq(str(a, "service_name"), "社保业务取号");
	char *first = json_dumps(a, JSON_COMPACT);
	json_decref(a);

	/* The same key again: the same answer byte for byte, in its language. */
	struct resp r = http(g, "POST", "/v1/queue/tickets", hd(&x, KIOSK, k1, "en"),
	                     "{ \"service_id\" : \"svc-social-queue\" }");
	cr_assert_eq(r.status, 201);
	cr_assert(r.replayed, "no Idempotent-Replayed");
	cr_assert_str_eq(r.lang, "zh-CN");
	cr_assert_str_eq(r.body, first);
	free(r.body);
	problem(g, "POST", "/v1/queue/tickets", hd(&x, KIOSK, k1, NULL),
	        "{\"service_id\":\"svc-tax-queue\"}", 422, "idempotency_key_reuse");

	/* Another service at the same window: the same letter, the next number. */
	a = take(g, KIOSK, k2, "svc-social-query", "en", 201);
	cr_assert_eq(ticket_ok(a, "svc-social-query", "A", "Window 3"), n1 + 1);
	cr_assert_eq(num(a, "waiting_ahead"), w1 + 1);
	json_decref(a);
	/* Keys are per kiosk: the same key from another kiosk is a new ticket. */
	a = take(g, OTHER, k1, "svc-social-queue", "zh-TW", 201);
	cr_assert_eq(ticket_ok(a, "svc-social-queue", "A", "3號窗口"), n1 + 2);
	json_decref(a);
	/* Other windows, other letters; a service's own where. */
	a = take(g, KIOSK, NULL, "svc-tax-queue", NULL, 201);
	ticket_ok(a, "svc-tax-queue", NULL, "13号窗口");
	cr_assert(str(a, "ticket")[0] != 'A');
	json_decref(a);
	a = take(g, KIOSK, NULL, "svc-disability-help", "en", 201);
	ticket_ok(a, "svc-disability-help", NULL, "At this kiosk");
	json_decref(a);

	/* No queue, no service: refused, and the key stays unused. */
	char k3[37];
	uuid(k3);
	problem(g, "POST", "/v1/queue/tickets", hd(&x, KIOSK, k3, NULL),
	        "{\"service_id\":\"svc-social-ecard\"}", 422, "no_queue");
	problem(g, "POST", "/v1/queue/tickets", hd(&x, KIOSK, k3, NULL),
	        "{\"service_id\":\"svc-nope\"}", 404, "unknown_service");
	a = take(g, KIOSK, k3, "svc-fund-queue", NULL, 201);
	ticket_ok(a, "svc-fund-queue", NULL, "7号窗口");
	json_decref(a);

	/* Bad requests. */
	const char *ok = "{\"service_id\":\"svc-social-queue\"}";
	problem(g, "POST", "/v1/queue/tickets", hd(&x, KIOSK, NULL, NULL), ok, 400,
	        "idempotency_key_invalid");
	problem(g, "POST", "/v1/queue/tickets", hd(&x, KIOSK, "not-a-uuid", NULL), ok, 400,
	        "idempotency_key_invalid");
	problem(g, "POST", "/v1/queue/tickets", hd(&x, NULL, k2, NULL), ok, 400, "kiosk_id_required");
	for (size_t i = 0; not_json[i]; i++)
		problem(g, "POST", "/v1/queue/tickets", hd(&x, KIOSK, k2, NULL), not_json[i], 400,
		        "bad_json");
	char *big = oversize();
	problem(g, "POST", "/v1/queue/tickets", hd(&x, KIOSK, k2, NULL), big, 413, "body_too_large");
	free(big);
	const char *bad[] = { "{}", "{\"service_id\":5}", "{\"service_id\":\"\"}",
	                      "{\"service_id\":\"svc\\u001b[2J\"}", "{\"service_id\":null}",
	                      "{\"service_id\":\"svc-social-queue\",\"count\":2}",
	                      "{\"service_id\":\"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\"}",
	                      NULL };
	for (size_t i = 0; bad[i]; i++) {
		char k[37];
		uuid(k);
		problem(g, "POST", "/v1/queue/tickets", hd(&x, KIOSK, k, NULL), bad[i], 422,
		        "validation_failed");
	}

	/* Kept across a restart. */
	cr_assert(gwd_restart(g, args), "restart");
	r = http(g, "POST", "/v1/queue/tickets", hd(&x, KIOSK, k1, NULL), ok);
	cr_assert_eq(r.status, 201);
	cr_assert(r.replayed);
	cr_assert_str_eq(r.body, first);
	free(r.body);
	a = take(g, KIOSK, NULL, "svc-social-queue", NULL, 201);
	cr_assert_eq(ticket_ok(a, "svc-social-queue", "A", NULL), n1 + 3);
	json_decref(a);
	free(first);
	end(g);
}

/* The group of letter in GET /sim/queue. */
static json_t *group_of(struct gwd *g, const char *letter)
{
	json_t *j = call(g, "GET", "/sim/queue", NULL, NULL, 200), *e;
	size_t i;
	json_array_foreach(json_object_get(j, "groups"), i, e)
		if (!strcmp(str(e, "letter"), letter)) {
			json_incref(e);
			json_decref(j);
			return e;
		}
	cr_assert_fail("no group %s", letter);
	return NULL;
}

Test(gateway_hall, waiting_counts_go_down_as_tickets_are_called)
{
	const char *args[] = { "--queue-step-s", "1", NULL };
	struct gwd *g = e2e_start_gateway(args);
	json_t *a = take(g, KIOSK, NULL, "svc-fund-queue", NULL, 201);
	ticket_ok(a, "svc-fund-queue", NULL, NULL);
	long long w1 = num(a, "waiting_ahead");
	char letter[8];
	snprintf(letter, sizeof letter, "%.*s", (int)strspn(str(a, "ticket"), "ABCDEFGHIJKLMNOPQRSTUVWXYZ"),
	         str(a, "ticket"));
	cr_assert(w1 >= 2);
	cr_assert_eq(num(a, "estimated_wait_min"), (w1 + 59) / 60);
	json_decref(a);

	usleep(2300 * 1000);
	json_t *grp = group_of(g, letter);
	cr_assert(num(grp, "called") >= 2, "two called in 2.3 s");
	cr_assert_eq(num(grp, "waiting"), num(grp, "issued") - num(grp, "called"));
	json_decref(grp);
	a = take(g, KIOSK, NULL, "svc-fund-queue", NULL, 201);
	long long w2 = num(a, "waiting_ahead");
	cr_assert(w2 <= w1 - 1, "%lld ahead after two calls, %lld before", w2, w1);
	json_decref(a);

	/* Everyone called: the next finds nobody ahead. */
	usleep((useconds_t)(w2 + 2) * 1000 * 1000);
	grp = group_of(g, letter);
	cr_assert_eq(num(grp, "waiting"), 0);
	json_decref(grp);
	a = take(g, KIOSK, NULL, "svc-fund-queue", NULL, 201);
	cr_assert_eq(num(a, "waiting_ahead"), 0);
	cr_assert_eq(num(a, "estimated_wait_min"), 0);
	json_decref(a);
	end(g);
}

/* ---- ratings -------------------------------------------------------------------------- */

/* POST /v1/ratings from kiosk with key (NULL: a new one), asserting want. */
static json_t *rate(struct gwd *g, const char *kiosk, const char *key, const char *body, long want)
{
	struct hdrs x;
	char k[37];
	if (!key)
		uuid(k);
	return call(g, "POST", "/v1/ratings", hd(&x, kiosk, key ? key : k, NULL), body, want);
}

/* Subjects made by KIOSK: an application of 张三, a payment, a ticket. */
static void subjects(struct gwd *g, char app[32], char pay[32], char ticket[16])
{
	struct hdrs x;
	char code[128], key[37];
	e2e_citizen_code(g, "cit-zhang", code, sizeof code);
	char *b = e2e_fmt("{\"code\":\"%s\"}", code);
	json_t *j = e2e_post_json(g, "/v1/auth/scan", b, 200);
	free(b);
	char *auth = e2e_fmt("Authorization: Bearer %s", str(j, "access_token"));
	json_decref(j);
	uuid(key);
	char *kh = e2e_fmt("Idempotency-Key: %s", key);
	const char *h[] = { auth, "X-Kiosk-Id: " KIOSK, kh, NULL };
	j = call(g, "POST", "/v1/applications", h, "{\"service_id\":\"svc-social-unit-query\","
	         "\"answers\":{\"name\":\"张三\",\"idno\":\"11010519850313123X\"}}", 201);
	snprintf(app, 32, "%s", str(j, "id"));
	json_decref(j);
	free(auth);
	free(kh);
	uuid(key);
	j = call(g, "POST", "/v1/payments", hd(&x, KIOSK, key, NULL), "{\"bill_id\":\"bill-w1-2610\"}", 201);
	snprintf(pay, 32, "%s", str(j, "id"));
	json_decref(j);
	j = take(g, KIOSK, NULL, "svc-social-queue", NULL, 201);
	snprintf(ticket, 16, "%s", str(j, "ticket"));
	json_decref(j);
}

Test(gateway_hall, ratings_one_a_subject_of_this_kiosk)
{
	struct gwd *g = e2e_start_gateway(NULL);
	struct hdrs x;
	char app[32], pay[32], ticket[16], k1[37];
	subjects(g, app, pay, ticket);

	/* A ticket rated 5, no tags; the same key again is the same answer. */
	char *bt = e2e_fmt("{\"subject\":{\"ticket\":\"%s\",\"service_id\":\"svc-social-queue\"},"
	                   "\"score\":5}", ticket);
	uuid(k1);
	json_t *j = rate(g, KIOSK, k1, bt, 201);
	cr_assert(matches(str(j, "id"), "^R[A-Z0-9]+$"), "id %s", str(j, "id"));
	cr_assert_eq(num(j, "score"), 5);
	cr_assert_str_eq(str(json_object_get(j, "subject"), "ticket"), ticket);
	cr_assert_eq(json_object_size(j), 3);
	char *first = json_dumps(j, JSON_COMPACT);
	json_decref(j);
	struct resp r = http(g, "POST", "/v1/ratings", hd(&x, KIOSK, k1, "en"), bt);
	cr_assert_eq(r.status, 201);
	cr_assert(r.replayed);
	cr_assert_str_eq(r.body, first);
	free(r.body);
	free(first);
	/* Another key for it: already rated; the key with another body: 422. */
	problem(g, "POST", "/v1/ratings", hd(&x, KIOSK, NULL, NULL), NULL, 400, "idempotency_key_invalid");
	j = rate(g, KIOSK, NULL, bt, 409);
	cr_assert_str_eq(str(j, "code"), "already_rated");
	json_decref(j);
	char *bp = e2e_fmt("{\"subject\":{\"payment_id\":\"%s\"},\"score\":2,"
	                   "\"tags\":[\"slow\",\"system\"],\"comment\":\"扫码后等了很久\"}", pay);
	j = rate(g, KIOSK, k1, bp, 422);
	cr_assert_str_eq(str(j, "code"), "idempotency_key_reuse");
	json_decref(j);

	/* A payment and an application: another kiosk cannot rate them. */
	j = rate(g, OTHER, NULL, bp, 404);
	cr_assert_str_eq(str(j, "code"), "unknown_subject");
	json_decref(j);
	json_decref(rate(g, KIOSK, NULL, bp, 201));
	char *ba = e2e_fmt("{\"subject\":{\"application_id\":\"%s\"},\"score\":1,\"tags\":[\"not_done\","
	                   "\"unclear\",\"unfriendly\",\"too_many_steps\",\"other\"],\"comment\":\"\"}", app);
	json_decref(rate(g, KIOSK, NULL, ba, 201));
	json_decref(rate(g, KIOSK, NULL, ba, 409));
	json_decref(rate(g, KIOSK, NULL, bp, 409));

	/* Subjects that do not exist, or not here. */
	const char *unknown[] = { "{\"application_id\":\"SQ20260101000001\"}", "{\"payment_id\":\"pay-0000000000000000\"}",
	                          "{\"ticket\":\"Z999\",\"service_id\":\"svc-social-queue\"}", NULL };
	for (size_t i = 0; unknown[i]; i++) {
		char *b = e2e_fmt("{\"subject\":%s,\"score\":3}", unknown[i]);
		json_t *u = rate(g, KIOSK, NULL, b, 404);
		cr_assert_str_eq(str(u, "code"), "unknown_subject");
		json_decref(u);
		free(b);
	}
	char *bt2 = e2e_fmt("{\"subject\":{\"ticket\":\"%s\",\"service_id\":\"svc-social-queue\"},"
	                    "\"score\":4}", ticket);
	json_decref(rate(g, OTHER, NULL, bt2, 404));
	char *bt3 = e2e_fmt("{\"subject\":{\"ticket\":\"%s\",\"service_id\":\"svc-tax-queue\"},"
	                    "\"score\":4}", ticket);
	json_decref(rate(g, KIOSK, NULL, bt3, 404));

	/* Every wrong member named, 422 invalid_rating; nothing stored. */
	struct { const char *body, *errors; } bad[] = {
		{ "{}", "subject:required\nscore:required\n" },
		{ "{\"subject\":{\"application_id\":\"x\"},\"score\":0}", "score:out_of_range\n" },
		{ "{\"subject\":{\"application_id\":\"x\"},\"score\":6}", "score:out_of_range\n" },
		{ "{\"subject\":{\"application_id\":\"x\"},\"score\":3.5}", "score:out_of_range\n" },
		{ "{\"subject\":{\"application_id\":\"x\"},\"score\":\"5\"}", "score:out_of_range\n" },
		{ "{\"subject\":{\"application_id\":\"x\"},\"score\":true}", "score:out_of_range\n" },
		{ "{\"subject\":{},\"score\":3}", "subject:invalid\n" },
		{ "{\"subject\":\"SQ1\",\"score\":3}", "subject:type\n" },
		{ "{\"subject\":{\"application_id\":\"a\",\"payment_id\":\"b\"},\"score\":3}", "subject:invalid\n" },
		{ "{\"subject\":{\"ticket\":\"A001\"},\"score\":3}", "subject:invalid\n" },
		{ "{\"subject\":{\"application_id\":\"a\",\"x\":1},\"score\":3}", "subject:invalid\n" },
		{ "{\"subject\":{\"application_id\":5},\"score\":3}", "subject.application_id:invalid\n" },
		{ "{\"subject\":{\"payment_id\":\"\"},\"score\":3}", "subject.payment_id:invalid\n" },
		{ "{\"subject\":{\"ticket\":\"A 1\",\"service_id\":\"\\u001b[2J\"},\"score\":3}",
		  "subject.ticket:invalid\nsubject.service_id:invalid\n" },
		{ "{\"subject\":{\"payment_id\":\"p\"},\"score\":1,\"tags\":[\"slow\",\"unclear\",\"system\","
		  "\"unfriendly\",\"other\",\"not_done\"]}", "tags:invalid\n" },
		{ "{\"subject\":{\"payment_id\":\"p\"},\"score\":1,\"tags\":[\"rude\"]}", "tags:invalid\n" },
		{ "{\"subject\":{\"payment_id\":\"p\"},\"score\":1,\"tags\":[\"slow\",\"slow\"]}", "tags:invalid\n" },
		{ "{\"subject\":{\"payment_id\":\"p\"},\"score\":1,\"tags\":\"slow\"}", "tags:invalid\n" },
		{ "{\"subject\":{\"payment_id\":\"p\"},\"score\":1,\"tags\":[1]}", "tags:invalid\n" },
		{ "{\"subject\":{\"payment_id\":\"p\"},\"score\":1,\"comment\":\"a\\u001b[2Jb\"}", "comment:invalid\n" },
		{ "{\"subject\":{\"payment_id\":\"p\"},\"score\":1,\"comment\":\"a\\u202eb\"}", "comment:invalid\n" },
		{ "{\"subject\":{\"payment_id\":\"p\"},\"score\":1,\"comment\":\"a\\nb\"}", "comment:invalid\n" },
		{ "{\"subject\":{\"payment_id\":\"p\"},\"score\":1,\"comment\":7}", "comment:invalid\n" },
		{ "{\"subject\":{\"payment_id\":\"p\"},\"score\":1,\"stars\":1}", "stars:unknown_field\n" },
		{ NULL, NULL },
	};
	for (size_t i = 0; bad[i].body; i++) {
		j = rate(g, KIOSK, NULL, bad[i].body, 422);
		cr_assert_str_eq(str(j, "code"), "invalid_rating", "%s", bad[i].body);
		char *e = errors_of(j);
		cr_assert_str_eq(e, bad[i].errors, "%s", bad[i].body);
		free(e);
		json_decref(j);
	}
	/* A comment of 200 characters is fine, of 201 not; a tag too long is unknown. */
	char c[1200] = "", *p = c;
	for (int i = 0; i < 200; i++)
		p += sprintf(p, "慢");
	char *b200 = e2e_fmt("{\"subject\":{\"payment_id\":\"p\"},\"score\":1,\"comment\":\"%s\"}", c);
	json_decref(rate(g, KIOSK, NULL, b200, 404));
	char *b201 = e2e_fmt("{\"subject\":{\"payment_id\":\"p\"},\"score\":1,\"comment\":\"%s慢\"}", c);
	j = rate(g, KIOSK, NULL, b201, 422);
	cr_assert_str_eq(str(j, "code"), "invalid_rating");
	json_decref(j);
	memset(c, 's', 300);
	c[300] = '\0';
	char *blong = e2e_fmt("{\"subject\":{\"payment_id\":\"p\"},\"score\":1,\"tags\":[\"%s\"]}", c);
	json_decref(rate(g, KIOSK, NULL, blong, 422));
	for (size_t i = 0; not_json[i]; i++)
		problem(g, "POST", "/v1/ratings", hd(&x, KIOSK, k1, NULL), not_json[i], 400, "bad_json");
	char *big = oversize();
	problem(g, "POST", "/v1/ratings", hd(&x, KIOSK, k1, NULL), big, 413, "body_too_large");
	problem(g, "POST", "/v1/ratings", hd(&x, NULL, k1, NULL), bt, 400, "kiosk_id_required");

	/* What was stored: three ratings, newest first, as sent. */
	j = call(g, "GET", "/sim/ratings", NULL, NULL, 200);
	json_t *list = json_object_get(j, "ratings");
	cr_assert_eq(json_array_size(list), 3);
	json_t *last = json_array_get(list, 0), *mid = json_array_get(list, 1);
	cr_assert_str_eq(str(json_object_get(last, "subject"), "application_id"), app);
	cr_assert_eq(json_array_size(json_object_get(last, "tags")), 5);
	cr_assert_str_eq(str(mid, "comment"), "扫码后等了很久");
	cr_assert_str_eq(str(mid, "kiosk_id"), KIOSK);
	cr_assert_eq(num(mid, "score"), 2);
	json_decref(j);
	free(big);
	free(blong);
	free(b200);
	free(b201);
	free(bt);
	free(bt2);
	free(bt3);
	free(bp);
	free(ba);
	end(g);
}

/* ---- help calls -------------------------------------------------------------------------- */

Test(gateway_hall, help_calls_are_listed_for_staff)
{
	struct gwd *g = e2e_start_gateway(NULL);
	struct hdrs x;
	json_t *j = call(g, "POST", "/v1/kiosk/help", hd(&x, KIOSK, NULL, NULL),
	                 "{\"reason\":\"payment\",\"screen\":\"pay\"}", 201);
	cr_assert(matches(str(j, "id"), "^H[0-9]{12}$"), "id %s", str(j, "id"));
	cr_assert(num(j, "eta_min") >= 2 && num(j, "eta_min") <= 15);
	cr_assert_eq(json_object_size(j), 2);
	char first[32];
	snprintf(first, sizeof first, "%s", str(j, "id"));
	long long eta1 = num(j, "eta_min");
	json_decref(j);
	j = call(g, "POST", "/v1/kiosk/help", hd(&x, OTHER, NULL, NULL),
	         "{\"screen\":\"home\",\"reason\":\"assist\"}", 201);
	cr_assert_str_neq(str(j, "id"), first);
	cr_assert(num(j, "eta_min") > eta1, "a busier hall answers later");
	json_decref(j);

	j = call(g, "GET", "/sim/help", NULL, NULL, 200);
	json_t *calls = json_object_get(j, "calls");
	cr_assert_eq(json_array_size(calls), 2);
	json_t *c0 = json_array_get(calls, 0), *c1 = json_array_get(calls, 1);
	cr_assert_str_eq(str(c0, "kiosk_id"), OTHER);
	cr_assert_str_eq(str(c0, "reason"), "assist");
	cr_assert_str_eq(str(c0, "screen"), "home");
	cr_assert_str_eq(str(c1, "id"), first);
	cr_assert_str_eq(str(c1, "kiosk_id"), KIOSK);
	cr_assert_str_eq(str(c1, "screen"), "pay");
	cr_assert(matches(str(c1, "at"), "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z$"));
	cr_assert_eq(json_object_size(c1), 5);
	json_decref(j);

	struct { const char *body, *errors; } bad[] = {
		{ "{}", "reason:required\nscreen:required\n" },
		{ "{\"reason\":\"fire\",\"screen\":\"pay\"}", "reason:unknown_value\n" },
		{ "{\"reason\":1,\"screen\":\"pay\"}", "reason:unknown_value\n" },
		{ "{\"reason\":\"other\",\"screen\":\"Pay\"}", "screen:invalid\n" },
		{ "{\"reason\":\"other\",\"screen\":\"\"}", "screen:invalid\n" },
		{ "{\"reason\":\"other\",\"screen\":\"scr-pay\"}", "screen:invalid\n" },
		{ "{\"reason\":\"other\",\"screen\":\"pay\\u001b[2J\"}", "screen:invalid\n" },
		{ "{\"reason\":\"other\",\"screen\":\"abcdefghijklmnopqrstuvwxyz_abcdefg\"}", "screen:invalid\n" },
		{ "{\"reason\":\"other\",\"screen\":[\"pay\"]}", "screen:invalid\n" },
		{ "{\"reason\":\"other\",\"screen\":\"pay\",\"name\":\"张三\"}", "name:unknown_field\n" },
		{ NULL, NULL },
	};
	for (size_t i = 0; bad[i].body; i++) {
		j = call(g, "POST", "/v1/kiosk/help", hd(&x, KIOSK, NULL, "en"), bad[i].body, 422);
		cr_assert_str_eq(str(j, "code"), "validation_failed");
		char *e = errors_of(j);
		cr_assert_str_eq(e, bad[i].errors, "%s", bad[i].body);
		free(e);
		json_decref(j);
	}
	json_decref(call(g, "POST", "/v1/kiosk/help", hd(&x, KIOSK, NULL, NULL),
	                 "{\"reason\":\"device\",\"screen\":\"abcdefghijklmnopqrstuvwxyz_abcde\"}", 201));
	for (size_t i = 0; not_json[i]; i++)
		problem(g, "POST", "/v1/kiosk/help", hd(&x, KIOSK, NULL, NULL), not_json[i], 400, "bad_json");
	char *big = oversize();
	problem(g, "POST", "/v1/kiosk/help", hd(&x, KIOSK, NULL, NULL), big, 413, "body_too_large");
	free(big);
	problem(g, "POST", "/v1/kiosk/help", NULL, "{\"reason\":\"other\",\"screen\":\"pay\"}", 400,
	        "kiosk_id_required");
	j = call(g, "GET", "/sim/help", NULL, NULL, 200);
	cr_assert_eq(json_array_size(json_object_get(j, "calls")), 3, "refused calls are not stored");
	json_decref(j);
	end(g);
}

/* ---- the fleet ------------------------------------------------------------------------------ */

/* The kiosk id in GET /v1/fleet's list (a new reference), or NULL. */
static json_t *fleet_kiosk(const json_t *fleet, const char *id)
{
	json_t *k;
	size_t i;
	json_array_foreach(json_object_get(fleet, "kiosks"), i, k)
		if (!strcmp(str(k, "kiosk_id"), id))
			return json_incref(k);
	return NULL;
}

Test(gateway_hall, the_fleet_shows_every_kiosks_last_heartbeat)
{
	const char *args[] = { "--heartbeat-s", "1", NULL };
	struct gwd *g = e2e_start_gateway(args);
	json_t *f = call(g, "GET", "/v1/fleet", NULL, NULL, 200);
	cr_assert_eq(json_array_size(json_object_get(f, "kiosks")), 0);
	json_decref(f);

	/* 100 heartbeats from 20 kiosks; k00's config says every 10 s. */
	json_decref(call(g, "POST", "/sim/kiosk-config", NULL,
	                 "{\"kiosk_id\":\"k00\",\"config\":{\"heartbeat_s\":20}}", 201));
	json_decref(call(g, "POST", "/sim/kiosk-config", NULL,
	                 "{\"kiosk_id\":\"k00\",\"config\":{\"heartbeat_s\":10}}", 201));
	for (int i = 0; i < 100; i++) {
		char id[8];
		snprintf(id, sizeof id, "k%02d", i % 20);
		json_decref(heartbeat(g, id, NULL, i, i == 80 ? "\"扫描枪无响应\"" : "null", i % 20 ? 0 : 1));
	}
	f = call(g, "GET", "/v1/fleet", NULL, NULL, 200);
	json_t *list = json_object_get(f, "kiosks");
	cr_assert_eq(json_array_size(list), 20);
	cr_assert_str_eq(str(json_array_get(list, 0), "kiosk_id"), "k00");
	cr_assert_str_eq(str(json_array_get(list, 19), "kiosk_id"), "k19");
	json_t *k0 = fleet_kiosk(f, "k00");
	cr_assert_eq(json_object_size(k0), 10);
	cr_assert_eq(num(k0, "uptime_s"), 80, "the last heartbeat's state");
	cr_assert_str_eq(str(k0, "last_error"), "扫描枪无响应");
	cr_assert_eq(num(k0, "config_version"), 1);
	cr_assert_eq(num(k0, "config_version_latest"), 2);
	cr_assert(json_is_true(json_object_get(k0, "online")));
	cr_assert_str_eq(str(k0, "version"), "0.12.0");
	cr_assert_eq(num(k0, "outbox_pending"), 2);
	cr_assert_str_eq(str(json_object_get(k0, "devices"), "printer"), "paper_out");
	cr_assert(matches(str(k0, "last_seen"), "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z$"));
	json_decref(k0);
	json_t *k7 = fleet_kiosk(f, "k07");
	cr_assert_eq(num(k7, "uptime_s"), 87);
	cr_assert(json_is_null(json_object_get(k7, "last_error")));
	cr_assert_eq(num(k7, "config_version_latest"), 0);
	json_decref(k7);
	json_decref(f);

	/* More than three heartbeats of silence (--heartbeat-s 1): offline,
	 * but k00, whose config says 10 s, is still online. The gateway
	 * counts whole seconds: 4.6 s is at least 4 of them. */
	usleep(4600 * 1000);
	f = call(g, "GET", "/v1/fleet", NULL, NULL, 200);
	k0 = fleet_kiosk(f, "k00");
	k7 = fleet_kiosk(f, "k07");
	cr_assert(json_is_true(json_object_get(k0, "online")));
	cr_assert(json_is_false(json_object_get(k7, "online")));
	json_decref(k0);
	json_decref(k7);
	json_decref(f);
	end(g);

	/* With --operator-token only its Bearer token sees the fleet, --sim or not. */
	const char *tok[] = { "--operator-token", "op-0123456789abcdef", NULL };
	g = e2e_start_gateway(tok);
	json_decref(heartbeat(g, KIOSK, NULL, 1, "null", 0));
	problem(g, "GET", "/v1/fleet", NULL, NULL, 401, "operator_token_required");
	const char *wrong[][2] = { { "Authorization: Bearer op-0123456789abcdeF", NULL },
	                           { "Authorization: Bearer op-0123456789abcdef x", NULL },
	                           { "Authorization: Basic op-0123456789abcdef", NULL },
	                           { "Authorization: Bearer ", NULL },
	                           { "Authorization: Bearer op-0123456789abcde", NULL } };
	for (size_t i = 0; i < sizeof wrong / sizeof wrong[0]; i++)
		problem(g, "GET", "/v1/fleet", wrong[i], NULL, 401, "operator_token_required");
	const char *right[] = { "Authorization: bearer  op-0123456789abcdef", NULL };
	f = call(g, "GET", "/v1/fleet", right, NULL, 200);
	cr_assert_eq(json_array_size(json_object_get(f, "kiosks")), 1);
	json_decref(f);
	end(g);
}
