/* test_gateway_apps.c: applications and e-licences in the reference gateway
 * (issue 11, the gateway's part), end to end over HTTP against a real
 * gatewayd (harness/gwd.h).
 *
 * What docs/gateway-api.md promises: POST /v1/applications checks every
 * field with the kiosk's rules and lists every error by field (localized,
 * saying how to fix it), refuses answers in someone else's name, numbers
 * each application (SQ + date + sequence), answers a key once (the first
 * answer again with Idempotent-Replayed, 422 for another request, one
 * application for 20 requests at once, kept across a restart), and a kiosk
 * that lost the answer finds it by key; every demo form accepts what its
 * schema allows; GET /v1/me/applications lists the citizen's own with their
 * timelines (demo citizens have past ones); statuses move on by themselves
 * (--app-step-s) and by /sim/applications/{id}/advance; the
 * commit_then_drop fault for applications, countable; GET /v1/me/licenses
 * with a verify_payload that goes stale (--license-refresh-s) and GET
 * /v1/verify; hostile bodies are refused, never a crash.
 *
 * Requests go through a curl handle of their own each (a new connection):
 * curl would otherwise retry a request whose kept-alive connection died
 * unanswered, which would hide commit_then_drop.
 */
#include "e2e.h"
#include "harness/gwd.h"
#include "validate.h"

#include <criterion/criterion.h>
#include <curl/curl.h>
#include <jansson.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define KIOSK  "hall1-k01"
#define OTHER  "hall2-k07"
#define ZHANG_ID "11010519850313123X"
#define WANG_ID  "310104199208210467"

/* ---- requests ------------------------------------------------------------------ */

/* Who asks: each member NULL is a header not sent. */
struct who {
	const char *token, *kiosk, *key, *lang;
};

struct resp {
	long status;                 /* 0: no HTTP answer (the connection dropped) */
	char *body;                  /* "" if none; to free */
	bool replayed;               /* Idempotent-Replayed: true */
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
	static const char h[] = "Idempotent-Replayed: true";
	if (size * n >= sizeof h - 1 && !strncasecmp(p, h, sizeof h - 1))
		r->replayed = true;
	return size * n;
}

/* One request on a connection of its own; body (len bytes, may hold NULs
 * and any bytes) is sent for POST. No asserts: threads use it. */
static struct resp http_n(const char *url, const char *method, const char *path,
                          const struct who *w, const char *body, size_t len)
{
	struct resp r = { 0, strdup(""), false };
	CURL *c = curl_easy_init();
	struct curl_slist *h = NULL;
	char *u = e2e_fmt("%s%s", url, path), *hs[4] = { 0 };
	if (w && w->token)
		h = curl_slist_append(h, hs[0] = e2e_fmt("Authorization: Bearer %s", w->token));
	if (w && w->kiosk)
		h = curl_slist_append(h, hs[1] = e2e_fmt("X-Kiosk-Id: %s", w->kiosk));
	if (w && w->key)
		h = curl_slist_append(h, hs[2] = e2e_fmt("Idempotency-Key: %s", w->key));
	if (w && w->lang)
		h = curl_slist_append(h, hs[3] = e2e_fmt("Accept-Language: %s", w->lang));
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
	for (int i = 0; i < 4; i++)
		free(hs[i]);
	free(u);
	return r;
}

static struct resp http(struct gwd *g, const char *method, const char *path, const struct who *w,
                        const char *body)
{
	return http_n(gwd_url(g), method, path, w, body, body ? strlen(body) : 0);
}

/* A request whose status must be want; its answer as JSON (to decref). */
static json_t *call(struct gwd *g, const char *method, const char *path, const struct who *w,
                    const char *body, long want)
{
	struct resp r = http(g, method, path, w, body);
	if (r.status != want)
		gwd_dump(g, stderr);
	cr_assert_eq(r.status, want, "%s %s: %ld %s (wanted %ld)", method, path, r.status, r.body,
	             want);
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

static void assert_problem(const json_t *j, const char *code)
{
	cr_assert_str_eq(str(j, "code"), code, "problem %s, wanted %s", str(j, "code"), code);
	cr_assert(*str(j, "title") && *str(j, "detail"), "no title or detail");
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

/* ---- the gateway and its citizens ---------------------------------------------------- */

static struct gwd *start(const char *const extra[])
{
	return e2e_start_gateway(extra);
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

/* A session of demo citizen cit (logged in with a scanned code): its
 * access token into tok. */
static void login(struct gwd *g, const char *cit, char tok[64])
{
	char code[128];
	e2e_citizen_code(g, cit, code, sizeof code);
	char *body = e2e_fmt("{\"code\":\"%s\"}", code);
	json_t *j = e2e_post_json(g, "/v1/auth/scan", body, 200);
	const char *t = str(j, "access_token");
	cr_assert(strlen(t) > 0 && strlen(t) < 64, "no token");
	snprintf(tok, 64, "%s", t);
	json_decref(j);
	free(body);
}

/* The form of a service (GET /v1/services/{id}), to decref. */
static json_t *form_of(struct gwd *g, const char *svc)
{
	char *path = e2e_fmt("/v1/services/%s", svc);
	json_t *s = call(g, "GET", path, NULL, NULL, 200);
	free(path);
	json_t *f = json_incref(json_object_get(s, "form"));
	json_decref(s);
	cr_assert(json_is_object(f));
	return f;
}

static void today(char out[11])
{
	time_t t = time(NULL);
	struct tm tm;
	localtime_r(&t, &tm);
	strftime(out, 11, "%Y-%m-%d", &tm);
}

/* Answers a form's schema allows, for the citizen named name with ID
 * idno: prefilled fields theirs, the rest within every bound. */
static json_t *valid_answers(const json_t *form, const char *name, const char *idno)
{
	json_t *a = json_object(), *f;
	size_t i;
	char day[11];
	today(day);
	json_array_foreach(json_object_get(form, "fields"), i, f) {
		const char *type = str(f, "type"), *id = str(f, "id"), *pre = str(f, "prefill");
		json_t *v = NULL;
		if (!strcmp(pre, "citizen.name")) {
			v = json_string(name);
		} else if (!strcmp(pre, "citizen.id")) {
			v = json_string(idno);
		} else if (!strcmp(type, "text")) {
			v = json_string("示范文字");
		} else if (!strcmp(type, "idcard")) {
			v = json_string(WANG_ID);
		} else if (!strcmp(type, "phone")) {
			v = json_string("13800138000");
		} else if (!strcmp(type, "date")) {
			const char *lo = str(f, "min"), *hi = str(f, "max");
			const char *d = day;
			if (*lo && strcmp(lo, "today") && strcmp(lo, d) > 0)
				d = lo;
			if (*hi && strcmp(hi, "today") && strcmp(hi, d) < 0)
				d = hi;
			v = json_string(d);
		} else if (!strcmp(type, "number") || !strcmp(type, "money")) {
			json_t *lo = json_object_get(f, "min");
			v = json_integer(json_is_integer(lo) ? json_integer_value(lo) : 1);
		} else if (!strcmp(type, "select")) {
			v = json_string(str(json_array_get(json_object_get(f, "options"), 0), "value"));
		} else if (!strcmp(type, "bool")) {
			v = json_true();
		}
		cr_assert_not_null(v, "field %s of type %s", id, type);
		json_object_set_new(a, id, v);
	}
	return a;
}

/* {"service_id": svc, "answers": answers (stolen)} as text, to free. */
static char *submission(const char *svc, json_t *answers)
{
	json_t *j = json_pack("{s:s, s:o}", "service_id", svc, "answers", answers);
	char *s = json_dumps(j, JSON_COMPACT);
	json_decref(j);
	return s;
}

/* The valid submission of service svc for 张三 (cit-zhang), to free. */
static char *zhang_submission(struct gwd *g, const char *svc)
{
	json_t *form = form_of(g, svc);
	char *s = submission(svc, valid_answers(form, "张三", ZHANG_ID));
	json_decref(form);
	return s;
}

/* POST /v1/applications as tok from KIOSK with a new key (into key if not
 * NULL), asserting want. */
static json_t *submit(struct gwd *g, const char *tok, const char *body, long want, char key[37])
{
	char k[37];
	uuid(k);
	if (key)
		memcpy(key, k, 37);
	struct who w = { tok, KIOSK, k, NULL };
	return call(g, "POST", "/v1/applications", &w, body, want);
}

/* The errors of a 422 as "field:code" lines, in order, to free. */
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

/* The citizen's applications (GET /v1/me/applications in lang). */
static json_t *mine(struct gwd *g, const char *tok, const char *lang)
{
	struct who w = { tok, NULL, NULL, lang };
	json_t *j = call(g, "GET", "/v1/me/applications", &w, NULL, 200);
	json_t *list = json_incref(json_object_get(j, "applications"));
	json_decref(j);
	cr_assert(json_is_array(list));
	return list;
}

/* How many of list have this id. */
static int count_id(const json_t *list, const char *id)
{
	json_t *a;
	size_t i;
	int n = 0;
	json_array_foreach(list, i, a)
		n += !strcmp(str(a, "id"), id);
	return n;
}

/* The application with this id in list (borrowed), asserted. */
static json_t *find_app(json_t *list, const char *id)
{
	json_t *a;
	size_t i;
	json_array_foreach(list, i, a)
		if (!strcmp(str(a, "id"), id))
			return a;
	cr_assert_fail("application %s not listed", id);
	return NULL;
}

/* How many applications /sim/applications lists from kiosk. */
static int sim_count(struct gwd *g, const char *kiosk)
{
	json_t *j = call(g, "GET", "/sim/applications", NULL, NULL, 200), *a;
	size_t i;
	int n = 0;
	json_array_foreach(json_object_get(j, "applications"), i, a)
		n += !strcmp(str(a, "kiosk"), kiosk);
	json_decref(j);
	return n;
}

/* An "SQ" + YYYYMMDD + 6 digits application number. */
static void assert_app_id(const char *id)
{
	cr_assert_eq(strlen(id), 16, "application number %s", id);
	cr_assert_eq(strncmp(id, "SQ", 2), 0, "application number %s", id);
	for (int i = 2; i < 16; i++)
		cr_assert(id[i] >= '0' && id[i] <= '9', "application number %s", id);
}

/* ---- submitting ------------------------------------------------------------------------ */

Test(gateway_apps, valid_submission_answers_201_with_an_application_number)
{
	struct gwd *g = start(NULL);
	char tok[64], day[11];
	login(g, "cit-zhang", tok);
	char *body = zhang_submission(g, "svc-social-card");
	json_t *a = submit(g, tok, body, 201, NULL);
	cr_assert_eq(json_object_size(a), 6, "id status service_id service_name created_at payment");
	assert_app_id(str(a, "id"));
	today(day);
	char want_day[9] = { day[0], day[1], day[2], day[3], day[5], day[6], day[8], day[9], 0 };
	cr_assert_eq(strncmp(str(a, "id") + 2, want_day, 8), 0, "dated today: %s", str(a, "id"));
	cr_assert_str_eq(str(a, "status"), "submitted");
	cr_assert_str_eq(str(a, "service_id"), "svc-social-card");
	cr_assert_str_eq(str(a, "service_name"), "社会保障卡申领");
	cr_assert_eq(strlen(str(a, "created_at")), 20);
	cr_assert(json_is_null(json_object_get(a, "payment")), "no fee, no payment");

	/* The next one is the next number, in English; a fee brings a payment. */
	char *paid = zhang_submission(g, "svc-household-idcard");
	char k[37];
	uuid(k);
	struct who w = { tok, KIOSK, k, "en" };
	json_t *b = call(g, "POST", "/v1/applications", &w, paid, 201);
	cr_assert_str_eq(str(b, "service_name"), "Renew a resident identity card");
	cr_assert_eq(strncmp(str(a, "id"), str(b, "id"), 10), 0);
	cr_assert_eq(atol(str(b, "id") + 10), atol(str(a, "id") + 10) + 1, "%s after %s",
	             str(b, "id"), str(a, "id"));
	json_t *pay = json_object_get(b, "payment");
	cr_assert_eq(json_object_size(pay), 1);
	cr_assert_eq(json_integer_value(json_object_get(pay, "amount_fen")), 2000);

	/* Both are the citizen's, newest first, with their first step. */
	json_t *list = mine(g, tok, "zh-TW");
	cr_assert_str_eq(str(json_array_get(list, 0), "id"), str(b, "id"));
	cr_assert_str_eq(str(json_array_get(list, 1), "id"), str(a, "id"));
	json_t *mine_a = find_app(list, str(a, "id"));
	cr_assert_str_eq(str(mine_a, "service_name"), "社會保障卡申領");
	cr_assert_str_eq(str(mine_a, "status"), "submitted");
	cr_assert_null(json_object_get(mine_a, "needs_more"));
	json_t *tl = json_object_get(mine_a, "timeline");
	cr_assert_eq(json_array_size(tl), 1);
	cr_assert_str_eq(str(json_array_get(tl, 0), "status"), "submitted");
	cr_assert_str_eq(str(json_array_get(tl, 0), "at"), str(a, "created_at"));
	cr_assert(*str(json_array_get(tl, 0), "note"));
	json_decref(list);
	json_decref(a);
	json_decref(b);
	free(body);
	free(paid);
	end(g);
}

Test(gateway_apps, every_demo_form_accepts_what_its_schema_allows, .timeout = 120)
{
	struct gwd *g = start(NULL);
	char tok[64];
	login(g, "cit-ouyang", tok);
	json_t *cat = call(g, "GET", "/v1/catalog", NULL, NULL, 200), *s;
	size_t i;
	int made = 0, formless = 0;
	json_array_foreach(json_object_get(cat, "services"), i, s) {
		const char *svc = str(s, "id");
		json_t *form = form_of(g, svc);
		bool none = json_array_size(json_object_get(form, "fields")) == 0;
		char *body = submission(svc, valid_answers(form, "欧阳建国", "440106196910015176"));
		json_t *a = submit(g, tok, body, none ? 422 : 201, NULL);
		if (none) {
			assert_problem(a, "service_has_no_form");
			formless++;
		} else {
			assert_app_id(str(a, "id"));
			made++;
		}
		json_decref(a);
		json_decref(form);
		free(body);
	}
	cr_log_info("%d applications made, %d services without a form", made, formless);
	cr_assert_geq(made, 280);
	cr_assert_geq(formless, 3, "the queue services");
	json_decref(cat);
	end(g);
}

/* ---- every error, by field ------------------------------------------------------------- */

Test(gateway_apps, every_error_is_listed_with_its_field)
{
	struct gwd *g = start(NULL);
	char tok[64];
	login(g, "cit-zhang", tok);
	/* svc-fund-rent: name, idno, phone, rent (money 10000..2000000),
	 * months (number 1..12), bank_card (text, 19), agree. Everything
	 * wrong at once, and a field the form does not have. */
	const char *bad = "{\"service_id\":\"svc-fund-rent\",\"answers\":{"
		"\"name\":\"王芳\",\"idno\":\"110105198503131230\",\"phone\":\"12345\","
		"\"rent\":500,\"months\":\"3\",\"bank_card\":\"62220212345678901234\","
		"\"agree\":false,\"pet\":\"cat\"}}";
	json_t *j = submit(g, tok, bad, 422, NULL);
	assert_problem(j, "validation_failed");
	char *errs = errors_of(j);
	cr_assert_str_eq(errs, "name:prefill_mismatch\nidno:invalid\nphone:invalid\n"
	                       "rent:out_of_range\nmonths:type\nbank_card:too_long\n"
	                       "agree:required\npet:unknown_field\n");
	free(errs);
	/* Messages say how to fix it. */
	json_t *e = json_object_get(j, "errors");
	cr_assert_str_eq(str(json_array_get(e, 2), "message"), "请填写11位手机号码，以1开头");
	cr_assert(strstr(str(json_array_get(e, 3), "message"), "100 到 20000"),
	          "the bounds in yuan: %s", str(json_array_get(e, 3), "message"));
	cr_assert(strstr(str(json_array_get(e, 5), "message"), "19"), "%s",
	          str(json_array_get(e, 5), "message"));
	json_decref(j);

	/* The same in English and in Traditional Chinese. */
	char k[37];
	uuid(k);
	struct who w = { tok, KIOSK, k, "en" };
	j = call(g, "POST", "/v1/applications", &w, bad, 422);
	e = json_object_get(j, "errors");
	cr_assert_str_eq(str(json_array_get(e, 2), "message"),
	                 "Please enter an 11-digit mobile number starting with 1");
	cr_assert(strstr(str(json_array_get(e, 3), "message"), "100 to 20000 yuan"), "%s",
	          str(json_array_get(e, 3), "message"));
	json_decref(j);
	w.lang = "zh-TW";
	j = call(g, "POST", "/v1/applications", &w, bad, 422);
	e = json_object_get(j, "errors");
	cr_assert_str_eq(str(json_array_get(e, 2), "message"), "請填寫11位手機號碼，以1開頭");
	json_decref(j);

	/* svc-social-certificate: purpose (select), from and to (dates
	 * 1992-01-01..today), copies (number 1..5); name and idno missing. */
	j = submit(g, tok, "{\"service_id\":\"svc-social-certificate\",\"answers\":{"
	                   "\"purpose\":\"\",\"from\":\"2026-02-30\",\"to\":\"1991-12-31\","
	                   "\"copies\":0}}", 422, NULL);
	errs = errors_of(j);
	cr_assert_str_eq(errs, "name:required\nidno:required\npurpose:required\nfrom:invalid\n"
	                       "to:out_of_range\ncopies:out_of_range\n");
	free(errs);
	e = json_object_get(j, "errors");
	cr_assert(strstr(str(json_array_get(e, 4), "message"), "1992-01-01"), "%s",
	          str(json_array_get(e, 4), "message"));
	json_decref(j);
	j = submit(g, tok, "{\"service_id\":\"svc-social-certificate\",\"answers\":{"
	                   "\"name\":\"张三\",\"idno\":\"" ZHANG_ID "\",\"purpose\":\"rent\","
	                   "\"from\":\"2026/01/01\",\"to\":\"2999-01-01\",\"copies\":6}}", 422, NULL);
	errs = errors_of(j);
	cr_assert_str_eq(errs, "purpose:invalid\nfrom:invalid\nto:out_of_range\ncopies:out_of_range\n");
	free(errs);
	e = json_object_get(j, "errors");
	cr_assert(strstr(str(json_array_get(e, 2), "message"), "今天"), "after today: %s",
	          str(json_array_get(e, 2), "message"));
	json_decref(j);

	/* Types: a string for a number, a number for text, a string for a
	 * bool, a real for money, an array for a select. */
	char day[11];
	today(day);
	char *types = e2e_fmt("{\"service_id\":\"svc-medical-reimburse\",\"answers\":{"
	                      "\"name\":42,\"idno\":\"" ZHANG_ID "\",\"phone\":13800138000,"
	                      "\"hospital\":\"示范市第一人民医院\",\"visit\":[\"inpatient\"],"
	                      "\"visit_on\":\"%s\",\"amount\":12.5,\"agree\":\"true\"}}", day);
	j = submit(g, tok, types, 422, NULL);
	free(types);
	errs = errors_of(j);
	cr_assert_str_eq(errs, "name:type\nphone:type\nvisit:type\namount:type\nagree:type\n");
	free(errs);
	json_decref(j);
	end(g);
}

Test(gateway_apps, text_limits_are_characters_and_hostile_characters_are_invalid)
{
	struct gwd *g = start(NULL);
	char tok[64];
	login(g, "cit-zhang", tok);
	json_t *form = form_of(g, "svc-medical-reimburse"); /* hospital: text, 60 characters */
	char sixty[60 * 3 + 4] = "", *p = sixty;
	for (int i = 0; i < 60; i++)
		p += sprintf(p, "院");
	static const struct {
		const char *hospital, *code; /* NULL: accepted */
	} cases[] = {
		{ NULL, NULL },              /* 60 characters (180 bytes) */
		{ "院", "too_long" },        /* 61 */
		{ "\\u0007", "invalid" },   /* C0 (escaped in JSON) */
		{ "\xc2\x9b", "invalid" },    /* C1 */
		{ "\u202e", "invalid" },     /* bidi override */
		{ "\u200b", "invalid" },     /* zero width */
		{ "\\u0000", "invalid" },    /* NUL (escaped in JSON) */
		{ "\\u001b[2J", "invalid" }, /* an escape sequence */
		{ "   ", "required" },       /* only spaces */
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		json_t *a = valid_answers(form, "张三", ZHANG_ID);
		char *h = e2e_fmt("%s%s", i <= 1 ? sixty : "", cases[i].hospital ? cases[i].hospital : "");
		json_object_set_new(a, "hospital", json_string("PLACEHOLDER"));
		char *body = submission("svc-medical-reimburse", a), *b2;
		/* The value as raw JSON text, so escapes like \u0000 arrive as such. */
		char *at = strstr(body, "PLACEHOLDER");
		*at = '\0';
		b2 = e2e_fmt("%s%s%s", body, h, at + strlen("PLACEHOLDER"));
		json_t *j = submit(g, tok, b2, cases[i].code ? 422 : 201, NULL);
		if (cases[i].code) {
			char *errs = errors_of(j), *want = e2e_fmt("hospital:%s\n", cases[i].code);
			cr_assert_str_eq(errs, want, "case %zu", i);
			free(errs);
			free(want);
		}
		json_decref(j);
		free(body);
		free(b2);
		free(h);
	}
	json_decref(form);
	end(g);
}

Test(gateway_apps, id_numbers_are_checked_as_the_kiosk_does)
{
	struct gwd *g = start(NULL);
	char tok[64];
	login(g, "cit-wang", tok);
	/* svc-medical-pay: insured_idno is an optional idcard of someone else. */
	json_t *form = form_of(g, "svc-medical-pay");
	char bad_birth[19] = "11010519990231002", check;
	check = v_idcard_check(bad_birth);
	bad_birth[17] = check;
	bad_birth[18] = '\0';
	char bad_check[19] = ZHANG_ID;
	bad_check[17] = '1';
	static const char *const codes[] = { "invalid", "invalid", "invalid", "invalid", NULL, NULL };
	const char *values[] = { bad_birth, bad_check, "1101051985031312", "11010519850313123Y",
	                         "11010519850313123x", "" };
	char *messages[4] = { 0 };
	for (size_t i = 0; i < 6; i++) {
		json_t *a = valid_answers(form, "王芳", WANG_ID);
		json_object_set_new(a, "insured_idno", json_string(values[i]));
		char *body = submission("svc-medical-pay", a);
		json_t *j = submit(g, tok, body, codes[i] ? 422 : 201, NULL);
		if (codes[i]) {
			char *errs = errors_of(j);
			cr_assert_str_eq(errs, "insured_idno:invalid\n", "%s", values[i]);
			free(errs);
			messages[i] = strdup(str(json_array_get(json_object_get(j, "errors"), 0), "message"));
		}
		json_decref(j);
		free(body);
	}
	/* Each mistake is said as what it is. */
	cr_assert(strstr(messages[0], "出生日期"), "%s", messages[0]);
	cr_assert(strstr(messages[1], "校验"), "%s", messages[1]);
	cr_assert(strstr(messages[2], "18"), "%s", messages[2]);
	for (int i = 0; i < 4; i++)
		free(messages[i]);
	json_decref(form);
	end(g);
}

Test(gateway_apps, nobody_applies_in_someone_elses_name)
{
	struct gwd *g = start(NULL);
	char tok[64];
	login(g, "cit-zhang", tok);
	json_t *form = form_of(g, "svc-social-card");
	/* 王芳's name and ID from 张三's session. */
	json_t *a = valid_answers(form, "王芳", WANG_ID);
	char *body = submission("svc-social-card", a);
	json_t *j = submit(g, tok, body, 422, NULL);
	char *errs = errors_of(j);
	cr_assert_str_eq(errs, "name:prefill_mismatch\nidno:prefill_mismatch\n");
	free(errs);
	json_decref(j);
	free(body);
	/* A name with a space added is not the name either. */
	a = valid_answers(form, "张三 ", ZHANG_ID);
	body = submission("svc-social-card", a);
	j = submit(g, tok, body, 422, NULL);
	errs = errors_of(j);
	cr_assert_str_eq(errs, "name:prefill_mismatch\n");
	free(errs);
	json_decref(j);
	free(body);
	/* The citizen's own ID with a lower-case x is theirs. */
	a = valid_answers(form, "张三", "11010519850313123x");
	body = submission("svc-social-card", a);
	json_decref(submit(g, tok, body, 201, NULL));
	free(body);
	/* Nothing was made in 王芳's name: the one application is 张三's. */
	json_t *sim = call(g, "GET", "/sim/applications", NULL, NULL, 200), *x;
	size_t i;
	int made = 0;
	json_array_foreach(json_object_get(sim, "applications"), i, x) {
		if (strcmp(str(x, "kiosk"), KIOSK))
			continue;
		made++;
		cr_assert_str_eq(str(x, "citizen"), "cit-zhang");
	}
	cr_assert_eq(made, 1);
	json_decref(sim);
	json_decref(form);
	end(g);
}

Test(gateway_apps, unknown_service_no_form_and_bad_members)
{
	struct gwd *g = start(NULL);
	char tok[64];
	login(g, "cit-li", tok);
	json_t *j = submit(g, tok, "{\"service_id\":\"svc-nope\",\"answers\":{}}", 404, NULL);
	assert_problem(j, "service_not_found");
	json_decref(j);
	j = submit(g, tok, "{\"service_id\":\"../../etc/passwd\",\"answers\":{}}", 404, NULL);
	assert_problem(j, "service_not_found");
	json_decref(j);
	j = submit(g, tok, "{\"service_id\":\"svc-social-queue\",\"answers\":{}}", 422, NULL);
	assert_problem(j, "service_has_no_form");
	json_decref(j);
	j = submit(g, tok, "{\"service_id\":42,\"answers\":[],\"extra\":1}", 422, NULL);
	assert_problem(j, "validation_failed");
	char *errs = errors_of(j);
	cr_assert_str_eq(errs, "service_id:type\nanswers:type\nextra:unknown_field\n");
	free(errs);
	json_decref(j);
	j = submit(g, tok, "{}", 422, NULL);
	errs = errors_of(j);
	cr_assert_str_eq(errs, "service_id:required\nanswers:required\n");
	free(errs);
	json_decref(j);
	end(g);
}

Test(gateway_apps, a_session_a_kiosk_and_a_key_are_needed)
{
	struct gwd *g = start(NULL);
	char tok[64], key[37];
	login(g, "cit-zhang", tok);
	char *body = zhang_submission(g, "svc-social-card");
	uuid(key);
	struct who w = { NULL, KIOSK, key, NULL };
	json_t *j = call(g, "POST", "/v1/applications", &w, body, 401);
	assert_problem(j, "session_expired");
	json_decref(j);
	w.token = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
	json_decref(call(g, "POST", "/v1/applications", &w, body, 401));
	w.token = tok;
	w.kiosk = NULL;
	j = call(g, "POST", "/v1/applications", &w, body, 400);
	assert_problem(j, "kiosk_id_required");
	json_decref(j);
	w.kiosk = KIOSK;
	w.key = NULL;
	j = call(g, "POST", "/v1/applications", &w, body, 400);
	assert_problem(j, "idempotency_key_invalid");
	cr_assert_str_eq(str(json_array_get(json_object_get(j, "errors"), 0), "field"), "Idempotency-Key");
	json_decref(j);
	w.key = "not-a-uuid";
	json_decref(call(g, "POST", "/v1/applications", &w, body, 400));
	/* Logged out: 401. */
	w.key = key;
	struct who out = { tok, NULL, NULL, NULL };
	struct resp r = http(g, "POST", "/v1/auth/logout", &out, "");
	cr_assert_eq(r.status, 204);
	free(r.body);
	json_decref(call(g, "POST", "/v1/applications", &w, body, 401));
	json_decref(call(g, "GET", "/v1/me/applications", &w, NULL, 401));
	json_decref(call(g, "GET", "/v1/me/licenses", &w, NULL, 401));
	/* GET on the submit path is 405. */
	json_decref(call(g, "GET", "/v1/applications", &w, NULL, 405));
	free(body);
	end(g);
}

Test(gateway_apps, bad_bodies_are_refused_never_a_crash)
{
	struct gwd *g = start(NULL);
	char tok[64];
	login(g, "cit-aygul", tok);
	static const char *const not_objects[] = {
		"", "not json", "[]", "\"svc-social-card\"", "42", "null",
		"{\"service_id\":\"svc-social-card\",\"answers\":{}", /* cut short */
		"{\"service_id\":\"a\",\"service_id\":\"b\",\"answers\":{}}", /* duplicate member */
	};
	for (size_t i = 0; i < sizeof not_objects / sizeof not_objects[0]; i++) {
		json_t *j = submit(g, tok, not_objects[i], 400, NULL);
		assert_problem(j, "bad_json");
		json_decref(j);
	}
	/* Raw bytes that are not UTF-8 in a string: not JSON. */
	char key[37];
	uuid(key);
	struct who w = { tok, KIOSK, key, NULL };
	static const char raw[] = "{\"service_id\":\"svc-social-card\",\"answers\":{\"name\":\"\xff\xfe\"}}";
	struct resp r = http_n(gwd_url(g), "POST", "/v1/applications", &w, raw, sizeof raw - 1);
	cr_assert_eq(r.status, 400, "%ld %s", r.status, r.body);
	free(r.body);
	/* Arrays nested 5,000 deep. */
	char *deep = malloc(10100);
	memcpy(deep, "{\"answers\":", 11);
	memset(deep + 11, '[', 5000);
	memset(deep + 5011, ']', 5000);
	strcpy(deep + 10011, "}");
	json_t *j = submit(g, tok, deep, 400, NULL);
	json_decref(j);
	free(deep);
	/* 200 answers: one error for the lot. */
	json_t *a = json_object();
	for (int i = 0; i < 200; i++) {
		char k[16];
		snprintf(k, sizeof k, "f%d", i);
		json_object_set_new(a, k, json_string("x"));
	}
	char *body = submission("svc-social-card", a);
	j = submit(g, tok, body, 422, NULL);
	char *errs = errors_of(j);
	cr_assert_str_eq(errs, "answers:too_many\n");
	free(errs);
	json_decref(j);
	free(body);
	/* 100 are checked, every one named. */
	json_t *form = form_of(g, "svc-social-card");
	a = valid_answers(form, "阿依古丽·买买提", "650102199605202247");
	for (int i = 0; json_object_size(a) < 100; i++) {
		char k[16];
		snprintf(k, sizeof k, "extra%d", i);
		json_object_set_new(a, k, json_integer(i));
	}
	body = submission("svc-social-card", a);
	j = submit(g, tok, body, 422, NULL);
	cr_assert_eq(json_array_size(json_object_get(j, "errors")), 100 - 7);
	json_decref(j);
	free(body);
	json_decref(form);
	/* Over 64 KiB: 413, said before the body is read. */
	char *huge = malloc(70 * 1024 + 64);
	int n = sprintf(huge, "{\"service_id\":\"svc-social-card\",\"answers\":{\"name\":\"");
	memset(huge + n, 'a', 70 * 1024);
	strcpy(huge + n + 70 * 1024, "\"}}");
	j = submit(g, tok, huge, 413, NULL);
	assert_problem(j, "body_too_large");
	json_decref(j);
	free(huge);
	/* Still serving, and nothing was made. */
	json_decref(call(g, "GET", "/v1/health", NULL, NULL, 200));
	cr_assert_eq(sim_count(g, KIOSK), 0);
	end(g);
}

/* ---- idempotency ----------------------------------------------------------------------- */

Test(gateway_apps, same_key_same_request_is_the_first_answer_again)
{
	struct gwd *g = start(NULL);
	char tok[64], key[37];
	login(g, "cit-zhang", tok);
	char *body = zhang_submission(g, "svc-fund-rent");
	uuid(key);
	struct who w = { tok, KIOSK, key, NULL };
	struct resp first = http(g, "POST", "/v1/applications", &w, body);
	cr_assert_eq(first.status, 201, "%s", first.body);
	cr_assert_not(first.replayed, "the first answer is no replay");
	struct resp again = http(g, "POST", "/v1/applications", &w, body);
	cr_assert_eq(again.status, 201);
	cr_assert(again.replayed, "Idempotent-Replayed: true");
	cr_assert_str_eq(again.body, first.body);
	free(again.body);
	/* In another language, members reordered and spaced: the same request. */
	json_t *parsed = json_loads(body, 0, NULL);
	json_t *answers = json_object_get(parsed, "answers");
	char *indented = json_dumps(answers, JSON_INDENT(2));
	char *respaced = e2e_fmt("{ \"answers\" : %s , \"service_id\" : \"svc-fund-rent\" }",
	                         indented);
	free(indented);
	w.lang = "en";
	again = http(g, "POST", "/v1/applications", &w, respaced);
	cr_assert_eq(again.status, 201, "%s", again.body);
	cr_assert(again.replayed);
	cr_assert_str_eq(again.body, first.body, "the first answer, in its language");
	free(again.body);
	json_t *a = json_loads(first.body, 0, NULL);
	json_t *list = mine(g, tok, NULL);
	cr_assert_eq(count_id(list, str(a, "id")), 1, "listed once");
	cr_assert_eq(sim_count(g, KIOSK), 1);
	json_decref(list);
	json_decref(a);
	json_decref(parsed);
	free(respaced);
	free(first.body);
	free(body);
	end(g);
}

Test(gateway_apps, same_key_another_request_is_422)
{
	struct gwd *g = start(NULL);
	char tok[64], wtok[64], key[37];
	login(g, "cit-zhang", tok);
	login(g, "cit-wang", wtok);
	char *body = zhang_submission(g, "svc-social-card");
	json_t *a = submit(g, tok, body, 201, key);
	/* Another answer under the same key. */
	json_t *p = json_loads(body, 0, NULL);
	json_object_set_new(json_object_get(p, "answers"), "bank", json_string("boc"));
	char *other = json_dumps(p, JSON_COMPACT);
	struct who w = { tok, KIOSK, key, NULL };
	json_t *j = call(g, "POST", "/v1/applications", &w, other, 422);
	assert_problem(j, "idempotency_key_reuse");
	json_decref(j);
	/* The same body from another citizen at the same kiosk. */
	w.token = wtok;
	j = call(g, "POST", "/v1/applications", &w, body, 422);
	assert_problem(j, "idempotency_key_reuse");
	json_decref(j);
	/* Upper-case hex is the same key. */
	char upper[37];
	for (int i = 0; i < 37; i++)
		upper[i] = (char)(key[i] >= 'a' && key[i] <= 'f' ? key[i] - 'a' + 'A' : key[i]);
	w.token = tok;
	w.key = upper;
	j = call(g, "POST", "/v1/applications", &w, body, 201);
	cr_assert_str_eq(str(j, "id"), str(a, "id"));
	json_decref(j);
	/* Another kiosk's key is another key: a second application. */
	w.kiosk = OTHER;
	w.key = key;
	j = call(g, "POST", "/v1/applications", &w, body, 201);
	cr_assert_str_neq(str(j, "id"), str(a, "id"));
	json_decref(j);
	cr_assert_eq(sim_count(g, KIOSK), 1);
	json_decref(a);
	json_decref(p);
	free(other);
	free(body);
	end(g);
}

Test(gateway_apps, a_refused_request_decides_nothing)
{
	struct gwd *g = start(NULL);
	char tok[64], key[37];
	login(g, "cit-zhang", tok);
	json_t *form = form_of(g, "svc-social-card");
	json_t *a = valid_answers(form, "张三", ZHANG_ID);
	json_object_set_new(a, "phone", json_string("1380013800"));
	char *bad = submission("svc-social-card", a);
	json_t *j = submit(g, tok, bad, 422, key);
	json_decref(j);
	/* Corrected, with the same key: made. */
	char *good = zhang_submission(g, "svc-social-card");
	struct who w = { tok, KIOSK, key, NULL };
	struct resp r = http(g, "POST", "/v1/applications", &w, good);
	cr_assert_eq(r.status, 201, "%s", r.body);
	cr_assert_not(r.replayed);
	free(r.body);
	json_decref(form);
	free(bad);
	free(good);
	end(g);
}

struct racer {
	const char *url, *body;
	struct who w;
	pthread_barrier_t *go;
	struct resp r;
};

static void *race_one(void *arg)
{
	struct racer *x = arg;
	pthread_barrier_wait(x->go);
	x->r = http_n(x->url, "POST", "/v1/applications", &x->w, x->body, strlen(x->body));
	return NULL;
}

Test(gateway_apps, twenty_at_once_with_one_key_make_one_application)
{
	struct gwd *g = start(NULL);
	char tok[64], key[37];
	login(g, "cit-zhang", tok);
	char *body = zhang_submission(g, "svc-household-idcard");
	uuid(key);
	enum { N = 20 };
	struct racer x[N];
	pthread_t t[N];
	pthread_barrier_t go;
	pthread_barrier_init(&go, NULL, N);
	for (int i = 0; i < N; i++) {
		x[i] = (struct racer){ .url = gwd_url(g), .body = body, .w = { tok, KIOSK, key, NULL },
		                       .go = &go };
		pthread_create(&t[i], NULL, race_one, &x[i]);
	}
	for (int i = 0; i < N; i++)
		pthread_join(t[i], NULL);
	pthread_barrier_destroy(&go);
	int replays = 0;
	for (int i = 0; i < N; i++) {
		cr_assert_eq(x[i].r.status, 201, "racer %d: %ld %s", i, x[i].r.status, x[i].r.body);
		cr_assert_str_eq(x[i].r.body, x[0].r.body, "every answer the same bytes");
		replays += x[i].r.replayed;
	}
	cr_assert_eq(replays, N - 1, "one made it, the rest were replays");
	cr_assert_eq(sim_count(g, KIOSK), 1);
	json_t *a = json_loads(x[0].r.body, 0, NULL);
	json_t *list = mine(g, tok, NULL);
	cr_assert_eq(count_id(list, str(a, "id")), 1);
	json_decref(list);
	json_decref(a);
	for (int i = 0; i < N; i++)
		free(x[i].r.body);
	free(body);
	end(g);
}

Test(gateway_apps, restart_keeps_applications_and_keys)
{
	struct gwd *g = start(NULL);
	char tok[64], key[37];
	login(g, "cit-zhang", tok);
	char *body = zhang_submission(g, "svc-fund-rent");
	uuid(key);
	struct who w = { tok, KIOSK, key, NULL };
	struct resp first = http(g, "POST", "/v1/applications", &w, body);
	cr_assert_eq(first.status, 201, "%s", first.body);
	json_t *a = json_loads(first.body, 0, NULL);
	cr_assert(gwd_restart(g, NULL), "gatewayd did not start again");
	/* Sessions do not survive a restart; keys and applications do. */
	json_decref(call(g, "POST", "/v1/applications", &w, body, 401));
	login(g, "cit-zhang", tok);
	struct resp again = http(g, "POST", "/v1/applications", &w, body);
	cr_assert_eq(again.status, 201);
	cr_assert(again.replayed);
	cr_assert_str_eq(again.body, first.body);
	free(again.body);
	json_t *list = mine(g, tok, NULL);
	cr_assert_eq(count_id(list, str(a, "id")), 1);
	json_decref(list);
	char *path = e2e_fmt("/v1/applications/by-key/%s", key);
	struct who k = { NULL, KIOSK, NULL, NULL };
	json_t *j = call(g, "GET", path, &k, NULL, 200);
	cr_assert_str_eq(str(j, "id"), str(a, "id"));
	json_decref(j);
	/* The next number follows the stored ones. */
	json_t *b = submit(g, tok, body, 201, NULL);
	cr_assert_eq(atol(str(b, "id") + 10), atol(str(a, "id") + 10) + 1);
	json_decref(b);
	free(path);
	json_decref(a);
	free(first.body);
	free(body);
	end(g);
}

/* ---- by key ------------------------------------------------------------------------------ */

Test(gateway_apps, by_key_answers_the_kiosk_that_sent_it)
{
	struct gwd *g = start(NULL);
	char tok[64], key[37], none[37];
	login(g, "cit-zhang", tok);
	char *body = zhang_submission(g, "svc-exit-passport");
	json_t *a = submit(g, tok, body, 201, key);
	char *path = e2e_fmt("/v1/applications/by-key/%s", key);
	/* No citizen session needed: the kiosk that crashed lost it. */
	struct who k = { NULL, KIOSK, NULL, NULL };
	json_t *j = call(g, "GET", path, &k, NULL, 200);
	cr_assert_eq(json_object_size(j), 4, "id status service_id payment, nothing personal");
	cr_assert_str_eq(str(j, "id"), str(a, "id"));
	cr_assert_str_eq(str(j, "status"), "submitted");
	cr_assert_str_eq(str(j, "service_id"), "svc-exit-passport");
	cr_assert_eq(json_integer_value(json_object_get(json_object_get(j, "payment"), "amount_fen")),
	             12000);
	json_decref(j);
	/* Another kiosk, a key never sent, no kiosk, not a key. */
	k.kiosk = OTHER;
	j = call(g, "GET", path, &k, NULL, 404);
	assert_problem(j, "application_not_found");
	json_decref(j);
	k.kiosk = KIOSK;
	uuid(none);
	char *path2 = e2e_fmt("/v1/applications/by-key/%s", none);
	json_decref(call(g, "GET", path2, &k, NULL, 404));
	k.kiosk = NULL;
	json_decref(call(g, "GET", path, &k, NULL, 400));
	k.kiosk = KIOSK;
	json_decref(call(g, "GET", "/v1/applications/by-key/not-a-key", &k, NULL, 400));
	/* A refused request left nothing to find. */
	char bad_key[37];
	json_decref(submit(g, tok, "{\"service_id\":\"svc-nope\",\"answers\":{}}", 404, bad_key));
	char *path3 = e2e_fmt("/v1/applications/by-key/%s", bad_key);
	json_decref(call(g, "GET", path3, &k, NULL, 404));
	free(path);
	free(path2);
	free(path3);
	json_decref(a);
	free(body);
	end(g);
}

/* ---- the commit_then_drop fault ------------------------------------------------------------ */

Test(gateway_apps, commit_then_drop_then_retry_finds_one_application)
{
	struct gwd *g = start(NULL);
	char tok[64], key[37];
	login(g, "cit-zhang", tok);
	e2e_set_faults(g, "{\"application\":\"commit_then_drop\",\"drop_count\":1,"
	                  "\"paths\":[\"/v1/applications\"]}");
	char *body = zhang_submission(g, "svc-social-card");
	uuid(key);
	struct who w = { tok, KIOSK, key, NULL };
	struct resp r = http(g, "POST", "/v1/applications", &w, body);
	cr_assert_eq(r.status, 0, "answered %ld %s: the connection should have been dropped",
	             r.status, r.body);
	free(r.body);
	/* Committed before the drop: the kiosk asks by key (without the
	 * citizen's token), then its retry gets the stored answer. */
	char *path = e2e_fmt("/v1/applications/by-key/%s", key);
	struct who k = { NULL, KIOSK, NULL, NULL };
	json_t *found = call(g, "GET", path, &k, NULL, 200);
	cr_assert_str_eq(str(found, "status"), "submitted");
	r = http(g, "POST", "/v1/applications", &w, body);
	cr_assert_eq(r.status, 201, "%s", r.body);
	cr_assert(r.replayed);
	json_t *a = json_loads(r.body, 0, NULL);
	cr_assert_str_eq(str(a, "id"), str(found, "id"));
	free(r.body);
	json_t *list = mine(g, tok, NULL);
	cr_assert_eq(count_id(list, str(a, "id")), 1, "listed once");
	json_decref(list);
	cr_assert_eq(sim_count(g, KIOSK), 1);
	/* The one drop is used up: the next new application is answered. */
	json_t *f = call(g, "GET", "/sim/faults", NULL, NULL, 200);
	cr_assert_str_eq(str(f, "application"), "commit_then_drop");
	cr_assert_eq(json_integer_value(json_object_get(f, "drop_count")), 0);
	json_decref(f);
	json_decref(submit(g, tok, body, 201, NULL));
	cr_assert_eq(sim_count(g, KIOSK), 2);

	/* Two drops of three; then, without a count, every new one drops, and
	 * refusals are answered. */
	e2e_set_faults(g, "{\"application\":\"commit_then_drop\",\"drop_count\":2}");
	int dropped = 0;
	for (int i = 0; i < 3; i++) {
		uuid(key);
		r = http(g, "POST", "/v1/applications", &w, body);
		dropped += r.status == 0;
		cr_assert(r.status == 0 || r.status == 201, "%ld", r.status);
		free(r.body);
	}
	cr_assert_eq(dropped, 2);
	cr_assert_eq(sim_count(g, KIOSK), 5, "all three were made");
	e2e_set_faults(g, "{\"application\":\"commit_then_drop\"}");
	for (int i = 0; i < 2; i++) {
		uuid(key);
		r = http(g, "POST", "/v1/applications", &w, body);
		cr_assert_eq(r.status, 0);
		free(r.body);
	}
	json_decref(submit(g, tok, "{\"service_id\":\"svc-nope\",\"answers\":{}}", 404, NULL));
	/* A payment fault leaves applications alone. */
	e2e_set_faults(g, "{\"payment\":\"commit_then_drop\"}");
	json_decref(submit(g, tok, body, 201, NULL));
	json_decref(call(g, "POST", "/sim/faults", NULL, "{\"application\":\"drop\"}", 422));
	json_decref(call(g, "POST", "/sim/faults", NULL, "{\"drop_count\":0}", 422));
	e2e_set_faults(g, "{}");
	json_decref(found);
	json_decref(a);
	free(path);
	free(body);
	end(g);
}

/* ---- statuses ------------------------------------------------------------------------------- */

/* POST /sim/applications/{id}/advance with body, asserting want. */
static json_t *advance(struct gwd *g, const char *id, const char *body, long want)
{
	char *path = e2e_fmt("/sim/applications/%s/advance", id);
	json_t *j = call(g, "POST", path, NULL, body, want);
	free(path);
	return j;
}

Test(gateway_apps, advance_through_every_status_then_409)
{
	static const char *const args[] = { "--app-step-s", "0", NULL };
	struct gwd *g = start(args);
	char tok[64];
	login(g, "cit-zhang", tok);
	char *body = zhang_submission(g, "svc-social-card");
	json_t *a = submit(g, tok, body, 201, NULL);
	const char *id = str(a, "id");
	static const char *const path[] = { "accepted", "in_review", "approved", "completed" };
	for (int i = 0; i < 4; i++) {
		json_t *j = advance(g, id, NULL, 200);
		cr_assert_str_eq(str(j, "id"), id);
		cr_assert_str_eq(str(j, "status"), path[i]);
		json_t *tl = json_object_get(j, "timeline");
		cr_assert_eq(json_array_size(tl), (size_t)i + 2);
		cr_assert_str_eq(str(json_array_get(tl, i + 1), "status"), path[i]);
		cr_assert(*str(json_array_get(tl, i + 1), "note"));
		json_decref(j);
	}
	json_t *j = advance(g, id, NULL, 409);
	assert_problem(j, "application_final");
	cr_assert_str_eq(str(j, "state"), "completed");
	json_decref(j);
	/* The citizen sees the whole timeline, in order, in English. */
	json_t *list = mine(g, tok, "en");
	json_t *mine_a = find_app(list, id);
	cr_assert_str_eq(str(mine_a, "status"), "completed");
	json_t *tl = json_object_get(mine_a, "timeline"), *e;
	size_t i;
	const char *prev = "";
	json_array_foreach(tl, i, e) {
		cr_assert(strcmp(str(e, "at"), prev) >= 0, "in order");
		prev = str(e, "at");
	}
	cr_assert_str_eq(str(json_array_get(tl, 4), "note"),
	                 "Completed: collect the result at the window, or wait for it by post");
	cr_assert_str_eq(str(mine_a, "updated_at"), prev);
	json_decref(list);
	json_decref(a);

	/* needs_more and back, then rejected; a move that is not allowed. */
	a = submit(g, tok, body, 201, NULL);
	id = str(a, "id");
	j = advance(g, id, "{\"status\":\"completed\"}", 422);
	cr_assert_str_eq(str(json_array_get(json_object_get(j, "errors"), 0), "field"), "status");
	json_decref(j);
	json_decref(advance(g, id, "{}", 200));
	j = advance(g, id, "{\"status\":\"needs_more\"}", 200);
	cr_assert_str_eq(str(j, "status"), "needs_more");
	cr_assert(*str(j, "needs_more"), "says what to bring");
	json_decref(j);
	j = advance(g, id, NULL, 200);
	cr_assert_str_eq(str(j, "status"), "in_review");
	cr_assert_null(json_object_get(j, "needs_more"));
	json_decref(j);
	j = advance(g, id, "{\"status\":\"rejected\"}", 200);
	cr_assert_str_eq(str(j, "status"), "rejected");
	json_decref(j);
	json_decref(advance(g, id, NULL, 409));
	json_decref(a);
	/* Unknown, and bad bodies. */
	j = advance(g, "SQ20260101999999", NULL, 404);
	assert_problem(j, "application_not_found");
	json_decref(j);
	json_decref(advance(g, "x", NULL, 404));
	json_decref(advance(g, "SQ20260101999999", "[", 400));
	json_decref(advance(g, "SQ20260101999999", "{\"status\":\"done\"}", 422));
	json_decref(advance(g, "SQ20260101999999", "{\"to\":\"accepted\"}", 422));
	/* Nothing moves by itself with --app-step-s 0. */
	a = submit(g, tok, body, 201, NULL);
	usleep(1500 * 1000);
	list = mine(g, tok, NULL);
	cr_assert_str_eq(str(find_app(list, str(a, "id")), "status"), "submitted");
	json_decref(list);
	json_decref(a);
	free(body);
	end(g);
}

Test(gateway_apps, statuses_move_on_by_themselves)
{
	static const char *const args[] = { "--app-step-s", "1", NULL };
	struct gwd *g = start(args);
	char tok[64];
	login(g, "cit-wang", tok);
	json_t *form = form_of(g, "svc-social-card");
	char *body = submission("svc-social-card", valid_answers(form, "王芳", WANG_ID));
	json_t *a = submit(g, tok, body, 201, NULL);
	char key[37];
	json_t *b = submit(g, tok, body, 201, key);
	usleep(1500 * 1000);
	/* Accepted one step after it was sent: by key too. */
	char *path = e2e_fmt("/v1/applications/by-key/%s", key);
	struct who k = { NULL, KIOSK, NULL, NULL };
	json_t *j = call(g, "GET", path, &k, NULL, 200);
	cr_assert_str_eq(str(j, "status"), "accepted");
	json_decref(j);
	usleep(2000 * 1000);
	/* In review two steps after that, and no further by itself. */
	json_t *list = mine(g, tok, NULL);
	json_t *x = find_app(list, str(a, "id"));
	cr_assert_str_eq(str(x, "status"), "in_review");
	json_t *tl = json_object_get(x, "timeline");
	cr_assert_eq(json_array_size(tl), 3);
	struct tm t0 = { 0 }, t1 = { 0 }, t2 = { 0 };
	strptime(str(json_array_get(tl, 0), "at"), "%Y-%m-%dT%H:%M:%SZ", &t0);
	strptime(str(json_array_get(tl, 1), "at"), "%Y-%m-%dT%H:%M:%SZ", &t1);
	strptime(str(json_array_get(tl, 2), "at"), "%Y-%m-%dT%H:%M:%SZ", &t2);
	cr_assert_eq(timegm(&t1) - timegm(&t0), 1, "accepted 1 s after it was sent");
	cr_assert_eq(timegm(&t2) - timegm(&t1), 2, "in review 2 s after that");
	json_decref(list);
	/* The demo's past applications stay where they are. */
	json_t *sim = call(g, "GET", "/sim/applications", NULL, NULL, 200), *s;
	size_t i;
	json_array_foreach(json_object_get(sim, "applications"), i, s)
		if (!*str(s, "kiosk"))
			cr_assert_str_neq(str(s, "status"), "submitted");
	json_decref(sim);
	free(path);
	json_decref(a);
	json_decref(b);
	json_decref(form);
	free(body);
	end(g);
}

/* ---- the demo citizens ----------------------------------------------------------------------- */

Test(gateway_apps, demo_citizens_have_past_applications)
{
	struct gwd *g = start(NULL);
	static const char *const cits[] = { "cit-zhang", "cit-wang", "cit-li", "cit-ouyang", "cit-aygul" };
	static const char *const statuses[] = { "accepted", "in_review", "needs_more", "approved",
	                                        "rejected", "completed" };
	bool seen[6] = { false };
	for (size_t c = 0; c < 5; c++) {
		char tok[64];
		login(g, cits[c], tok);
		json_t *list = mine(g, tok, NULL), *en = mine(g, tok, "en"), *a;
		size_t n = json_array_size(list), i;
		cr_assert(n >= 2 && n <= 3, "%s has %zu applications", cits[c], n);
		const char *prev = "9999";
		json_array_foreach(list, i, a) {
			assert_app_id(str(a, "id"));
			cr_assert(strcmp(str(a, "created_at"), prev) <= 0, "newest first");
			prev = str(a, "created_at");
			bool known = false;
			for (int s = 0; s < 6; s++)
				if (!strcmp(statuses[s], str(a, "status")))
					known = seen[s] = true;
			cr_assert(known, "status %s", str(a, "status"));
			bool more = !strcmp(str(a, "status"), "needs_more");
			cr_assert_eq(json_object_get(a, "needs_more") != NULL, more);
			json_t *tl = json_object_get(a, "timeline"), *e;
			size_t k;
			cr_assert_str_eq(str(json_array_get(tl, 0), "status"), "submitted");
			cr_assert_str_eq(str(json_array_get(tl, json_array_size(tl) - 1), "status"),
			                 str(a, "status"));
			const char *at = "";
			json_array_foreach(tl, k, e) {
				cr_assert(strcmp(str(e, "at"), at) > 0, "steps in order");
				at = str(e, "at");
				cr_assert(*str(e, "note"));
			}
			cr_assert_str_eq(str(a, "updated_at"), at);
			/* English names and notes. */
			json_t *b = json_array_get(en, i);
			cr_assert_str_eq(str(b, "id"), str(a, "id"));
			cr_assert_str_neq(str(b, "service_name"), str(a, "service_name"));
			cr_assert((unsigned char)str(b, "service_name")[0] < 0x80, "%s", str(b, "service_name"));
		}
		if (c == 0) {
			bool found = false;
			json_array_foreach(list, i, a)
				found = found || strstr(str(a, "needs_more"), "户口簿首页复印件");
			cr_assert(found, "张三 is asked for a copy of the household register");
		}
		json_decref(list);
		json_decref(en);
	}
	for (int s = 0; s < 6; s++)
		cr_assert(seen[s], "some demo application is %s", statuses[s]);
	end(g);
}

/* ---- licences ---------------------------------------------------------------------------------- */

static json_t *licenses(struct gwd *g, const char *tok, const char *lang)
{
	struct who w = { tok, NULL, NULL, lang };
	json_t *j = call(g, "GET", "/v1/me/licenses", &w, NULL, 200);
	json_t *l = json_incref(json_object_get(j, "licenses"));
	json_decref(j);
	cr_assert(json_is_array(l));
	return l;
}

static json_t *by_type(json_t *list, const char *type)
{
	json_t *x;
	size_t i;
	json_array_foreach(list, i, x)
		if (!strcmp(str(x, "type"), type))
			return x;
	return NULL;
}

/* GET the path of a verify_payload: the checker's phone. */
static json_t *verify(struct gwd *g, const char *payload)
{
	const char *p = strstr(payload, "/v/");
	cr_assert_not_null(p, "%s", payload);
	char *path = e2e_fmt("/v1/verify/%s", p + 3);
	json_t *j = call(g, "GET", path, NULL, NULL, 200);
	free(path);
	return j;
}

Test(gateway_apps, licenses_and_a_verify_payload_that_goes_stale)
{
	static const char *const args[] = { "--license-refresh-s", "1", NULL };
	struct gwd *g = start(args);
	char tok[64];
	login(g, "cit-zhang", tok);
	json_t *list = licenses(g, tok, NULL), *x;
	size_t i;
	cr_assert_geq(json_array_size(list), 3);
	json_array_foreach(list, i, x) {
		cr_assert_eq(json_object_size(x), 8, "id type name number_masked issuer valid_until "
		             "verify_payload refresh_s");
		cr_assert(*str(x, "id") && *str(x, "name") && *str(x, "issuer"));
		cr_assert(strchr(str(x, "number_masked"), '*'), "masked: %s", str(x, "number_masked"));
		cr_assert_eq(json_integer_value(json_object_get(x, "refresh_s")), 1);
		char *prefix = e2e_fmt("https://gov.example.cn/v/%s/", str(x, "id"));
		cr_assert_eq(strncmp(str(x, "verify_payload"), prefix, strlen(prefix)), 0, "%s",
		             str(x, "verify_payload"));
		free(prefix);
		json_t *until = json_object_get(x, "valid_until");
		cr_assert(json_is_null(until) || strlen(json_string_value(until)) == 10);
	}
	json_t *id = by_type(list, "id_card");
	cr_assert_not_null(id);
	cr_assert_str_eq(str(id, "name"), "居民身份证");
	cr_assert_str_eq(str(id, "number_masked"), "1101**********123X");
	cr_assert_not_null(by_type(list, "driving_licence"));
	cr_assert_not_null(by_type(list, "social_security_card"));
	cr_assert_null(by_type(list, "business_licence"));

	/* The checker's phone: valid now, with the holder's masked name. */
	char *payload = strdup(str(id, "verify_payload"));
	json_t *v = verify(g, payload);
	cr_assert(json_is_true(json_object_get(v, "valid")), "%s", payload);
	json_t *lic = json_object_get(v, "license");
	cr_assert_str_eq(str(lic, "holder"), "张*");
	cr_assert_str_eq(str(lic, "number_masked"), "1101**********123X");
	cr_assert_str_eq(str(lic, "type"), "id_card");
	json_decref(v);
	/* refresh_s later the payload is another; the old one goes stale. */
	usleep(2100 * 1000);
	json_t *later = licenses(g, tok, "en");
	json_t *id2 = by_type(later, "id_card");
	cr_assert_str_neq(str(id2, "verify_payload"), payload, "a screenshot goes stale");
	cr_assert_str_eq(str(id2, "name"), "Resident identity card");
	v = verify(g, str(id2, "verify_payload"));
	cr_assert(json_is_true(json_object_get(v, "valid")));
	json_decref(v);
	v = verify(g, payload);
	cr_assert(json_is_false(json_object_get(v, "valid")));
	cr_assert_str_eq(str(v, "reason"), "stale");
	cr_assert_null(json_object_get(v, "license"), "nothing about a licence for a stale code");
	json_decref(v);
	/* Made up: another licence's token, a wrong one, an unknown licence. */
	char *swapped = e2e_fmt("https://gov.example.cn/v/%s/%s", str(by_type(later, "driving_licence"), "id"),
	                        strrchr(str(id2, "verify_payload"), '/') + 1);
	v = verify(g, swapped);
	cr_assert(json_is_false(json_object_get(v, "valid")));
	json_decref(v);
	v = verify(g, "https://gov.example.cn/v/lic-a3f0c7e1/AAAAAAAAAAAAAAAA");
	cr_assert(json_is_false(json_object_get(v, "valid")));
	json_decref(v);
	v = verify(g, "https://gov.example.cn/v/lic-nope/AAAAAAAAAAAAAAAA");
	cr_assert_str_eq(str(v, "reason"), "unknown");
	json_decref(v);
	json_decref(later);
	free(swapped);
	free(payload);
	json_decref(list);

	/* 欧阳建国 has the business licence; every citizen an identity card. */
	static const char *const cits[] = { "cit-wang", "cit-li", "cit-ouyang", "cit-aygul" };
	for (int c = 0; c < 4; c++) {
		char t[64];
		login(g, cits[c], t);
		json_t *l = licenses(g, t, NULL);
		cr_assert_not_null(by_type(l, "id_card"), "%s", cits[c]);
		cr_assert_eq(by_type(l, "business_licence") != NULL, c == 2, "%s", cits[c]);
		json_decref(l);
	}
	end(g);
}

/* An application's fee: paid in its citizen's session (POST /v1/payments
 * {"application_id"}) for the form's fee; another citizen's application is
 * not found; a free one has nothing to pay; a paid one is not paid twice. */
Test(gateway_apps, an_application_fee_is_paid_once_by_its_citizen)
{
	struct gwd *g = start(NULL);
	char zhang[64], wang[64], key[37];
	login(g, "cit-zhang", zhang);
	login(g, "cit-wang", wang);
	char *body = zhang_submission(g, "svc-exit-hkmo-endorse");
	json_t *a = submit(g, zhang, body, 201, NULL);
	cr_assert_eq(json_integer_value(json_object_get(json_object_get(a, "payment"), "amount_fen")), 1500);
	char *pay = e2e_fmt("{\"application_id\":\"%s\"}", str(a, "id"));

	uuid(key);
	struct who w = { wang, KIOSK, key, NULL };
	json_t *j = call(g, "POST", "/v1/payments", &w, pay, 404);
	assert_problem(j, "application_not_found");
	json_decref(j);

	uuid(key);
	w = (struct who){ zhang, KIOSK, key, NULL };
	j = call(g, "POST", "/v1/payments", &w, pay, 201);
	cr_assert_eq(json_integer_value(json_object_get(j, "amount_fen")), 1500);
	char *sim = e2e_fmt("/sim/payments/%s/pay", str(j, "id"));
	json_decref(e2e_post_json(g, sim, NULL, 200));
	json_decref(j);

	uuid(key);
	w = (struct who){ zhang, KIOSK, key, NULL };
	j = call(g, "POST", "/v1/payments", &w, pay, 409);
	assert_problem(j, "application_already_paid");
	json_decref(j);

	char *free_body = zhang_submission(g, "svc-social-card");
	json_t *b = submit(g, zhang, free_body, 201, NULL);
	cr_assert(json_is_null(json_object_get(b, "payment")));
	char *pay_free = e2e_fmt("{\"application_id\":\"%s\"}", str(b, "id"));
	uuid(key);
	w = (struct who){ zhang, KIOSK, key, NULL };
	j = call(g, "POST", "/v1/payments", &w, pay_free, 409);
	assert_problem(j, "application_no_fee");
	json_decref(j);
	free(pay_free);
	free(free_body);
	json_decref(b);
	free(sim);
	free(pay);
	json_decref(a);
	free(body);
	end(g);
}
