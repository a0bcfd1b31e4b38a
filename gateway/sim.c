/* sim.c: fault injection for the reference gateway (--sim).
 *
 * One fault set is active at a time; POST /sim/faults replaces it, `{}`
 * clears it. Requests read it under a mutex and keep a copy, so a change
 * never affects a request already under way. /sim/ paths are never faulted:
 * a test can always clear what it set.
 */
#include "gw_sim.h"
#include "gw_pay.h"
#include "emv.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define SIM_MAX_LATENCY_MS 600000L
#define SIM_MAX_PATHS      32
#define SIM_MAX_PATH_LEN   256
#define SIM_HUGE_BYTES     (5 * 1024 * 1024)
#define SIM_DEEP_LEVELS    100

static const char *const body_names[] = {
	[SIM_BODY_NONE] = NULL,
	[SIM_BODY_MALFORMED] = "malformed",
	[SIM_BODY_WRONG_TYPES] = "wrong_types",
	[SIM_BODY_HUGE] = "huge",
	[SIM_BODY_DEEP] = "deep",
	[SIM_BODY_EVIL] = "evil_strings",
	[SIM_BODY_HTML] = "html",
};
#define N_BODY (sizeof body_names / sizeof body_names[0])

/* "payment" (project): how POST /v1/payments and the answers that carry a
 * payment are spoiled (gw_pay.h). */
static const char *const pay_names[] = {
	[SIM_PAY_NONE] = NULL,
	[SIM_PAY_QR_AMOUNT] = "qr_amount",
	[SIM_PAY_QR_CRC] = "qr_crc",
	[SIM_PAY_QR_CURRENCY] = "qr_currency",
	[SIM_PAY_QR_TRUNCATED] = "qr_truncated",
	[SIM_PAY_QR_CRC_NOT_LAST] = "qr_crc_not_last",
	[SIM_PAY_COMMIT_THEN_DROP] = "commit_then_drop",
};
#define N_PAY (sizeof pay_names / sizeof pay_names[0])

/* "application" (project): POST /v1/applications (gw_sim.h). */
static const char *const app_names[] = {
	[SIM_APP_NONE] = NULL,
	[SIM_APP_COMMIT_THEN_DROP] = "commit_then_drop",
};
#define N_APP (sizeof app_names / sizeof app_names[0])
#define SIM_MAX_DROPS 1000000L

struct sim {
	pthread_mutex_t lock;
	long latency_ms;
	double error_rate;
	int status;
	enum sim_body body;
	enum sim_pay pay;
	enum sim_app app;
	long drops_left;      /* commit_then_drop drops left; -1: every one */
	char *paths[SIM_MAX_PATHS];
	size_t n_paths;
	uint64_t rng;
};

struct sim *sim_new(void)
{
	struct sim *s = calloc(1, sizeof *s);
	if (!s)
		abort();
	pthread_mutex_init(&s->lock, NULL);
	s->drops_left = -1;
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	s->rng = ((uint64_t)ts.tv_sec << 32) ^ (uint64_t)ts.tv_nsec ^ (uint64_t)getpid();
	if (!s->rng)
		s->rng = 0x9e3779b97f4a7c15u;
	return s;
}

static void clear_paths(struct sim *s)
{
	for (size_t i = 0; i < s->n_paths; i++)
		free(s->paths[i]);
	s->n_paths = 0;
}

void sim_free(struct sim *s)
{
	if (!s)
		return;
	clear_paths(s);
	pthread_mutex_destroy(&s->lock);
	free(s);
}

/* xorshift64*: a uniform double in [0, 1). Caller holds the lock. */
static double dice(struct sim *s)
{
	s->rng ^= s->rng >> 12;
	s->rng ^= s->rng << 25;
	s->rng ^= s->rng >> 27;
	return (double)((s->rng * 0x2545F4914F6CDD1Du) >> 11) * 0x1.0p-53;
}

/* "/v1/catalog" covers itself and "/v1/catalog/...", not "/v1/catalogue". */
static bool covers(const char *prefix, const char *path)
{
	size_t n = strlen(prefix);
	if (strncmp(prefix, path, n))
		return false;
	return n && (prefix[n - 1] == '/' || path[n] == '\0' || path[n] == '/');
}

/* Does the fault set cover path? Caller holds the lock. */
static bool hits(const struct sim *s, const char *path)
{
	if (covers("/sim", path))
		return false;
	bool hit = s->n_paths == 0 && covers("/v1", path);
	for (size_t i = 0; i < s->n_paths && !hit; i++)
		hit = covers(s->paths[i], path);
	return hit;
}

void sim_fault_for(struct sim *s, const char *path, struct sim_fault *out)
{
	memset(out, 0, sizeof *out);
	pthread_mutex_lock(&s->lock);
	if (hits(s, path)) {
		out->latency_ms = s->latency_ms;
		out->fail = s->error_rate > 0 && dice(s) < s->error_rate;
		out->body = s->body;
		out->status = s->status;
	}
	pthread_mutex_unlock(&s->lock);
}

enum sim_pay sim_pay_fault(struct sim *s, const char *path)
{
	if (!s)
		return SIM_PAY_NONE;
	pthread_mutex_lock(&s->lock);
	enum sim_pay p = hits(s, path) ? s->pay : SIM_PAY_NONE;
	pthread_mutex_unlock(&s->lock);
	return p;
}

bool sim_drop_after_commit(struct sim *s, const char *path, bool payment)
{
	if (!s)
		return false;
	pthread_mutex_lock(&s->lock);
	bool drop = (payment ? s->pay == SIM_PAY_COMMIT_THEN_DROP
	                     : s->app == SIM_APP_COMMIT_THEN_DROP) &&
	            s->drops_left != 0 && hits(s, path);
	if (drop && s->drops_left > 0)
		s->drops_left--;
	pthread_mutex_unlock(&s->lock);
	return drop;
}

/* ---- spoiling payment QR payloads ----------------------------------------- */

#define QR_MAX_TLV 64

/* One top-level data object of an EMV payload. */
struct tlv {
	char tag[3];
	const char *at;              /* the whole object: tag, length, value */
	size_t bytes;
	const char *val;
	size_t vbytes;
};

/* Splits a well-formed payload (lengths in characters) into t; how many,
 * or 0 if it is not well-formed. */
static size_t tlv_split(const char *p, struct tlv *t, size_t max)
{
	size_t n = 0;
	while (*p) {
		if (n == max || !p[0] || !p[1] || !p[2] || !p[3] || p[2] < '0' || p[2] > '9' ||
		    p[3] < '0' || p[3] > '9')
			return 0;
		size_t chars = (size_t)(p[2] - '0') * 10 + (size_t)(p[3] - '0');
		const char *v = p + 4, *e = v;
		for (size_t c = 0; c < chars; c++) {
			if (!*e)
				return 0;
			e++;
			while ((*e & 0xc0) == 0x80)
				e++;
		}
		memcpy(t[n].tag, p, 2);
		t[n].tag[2] = '\0';
		t[n].at = p;
		t[n].bytes = (size_t)(e - p);
		t[n].val = v;
		t[n].vbytes = (size_t)(e - v);
		n++;
		p = e;
	}
	return n;
}

/* Appends "6304" and the CRC of everything before it, as emv_check wants. */
static void append_crc(char *out, size_t *o)
{
	memcpy(out + *o, "6304", 4);
	*o += 4;
	*o += (size_t)sprintf(out + *o, "%04X", (unsigned)emv_crc16(out, *o));
}

char *sim_spoil_qr(const char *payload, enum sim_pay f)
{
	struct tlv t[QR_MAX_TLV];
	size_t len = strlen(payload), n = tlv_split(payload, t, QR_MAX_TLV), o = 0;
	if (f == SIM_PAY_NONE || f == SIM_PAY_COMMIT_THEN_DROP)
		return NULL;
	char *out = malloc(len + 64);
	if (!out)
		abort();
	if (f == SIM_PAY_QR_TRUNCATED || !n || strcmp(t[n - 1].tag, "63")) {
		/* The CRC's last two digits cut off: tag 63 overruns the end. */
		o = len > 2 ? len - 2 : 0;
		memcpy(out, payload, o);
	} else if (f == SIM_PAY_QR_CRC) {
		memcpy(out, payload, len);
		o = len;
		unsigned crc = (unsigned)strtoul(t[n - 1].val, NULL, 16);
		sprintf(out + len - 4, "%04X", (crc + 1) & 0xffffu);
	} else {
		const struct tlv *moved = NULL;
		for (size_t i = 0; i + 1 < n; i++) {
			if (f == SIM_PAY_QR_AMOUNT && !strcmp(t[i].tag, "54")) {
				/* One yuan more: "45.60" -> "46.60". */
				long long yuan = 0, frac = 0;
				int nd = 0;
				bool dot = false;
				for (size_t k = 0; k < t[i].vbytes && k < 15; k++) {
					char c = t[i].val[k];
					if (c == '.')
						dot = true;
					else if (!dot)
						yuan = yuan * 10 + (c - '0');
					else if (nd < 2)
						frac = frac * 10 + (c - '0'), nd++;
				}
				long long fen = yuan * 100 + (nd == 1 ? frac * 10 : frac);
				char v[32];
				int vl = snprintf(v, sizeof v, "%lld.%02lld", (fen + 100) / 100, (fen + 100) % 100);
				o += (size_t)sprintf(out + o, "54%02d%s", vl, v);
			} else if (f == SIM_PAY_QR_CURRENCY && !strcmp(t[i].tag, "53")) {
				memcpy(out + o, "5303840", 7); /* US dollars */
				o += 7;
			} else if (f == SIM_PAY_QR_CRC_NOT_LAST && !strcmp(t[i].tag, "62")) {
				moved = &t[i];
			} else {
				memcpy(out + o, t[i].at, t[i].bytes);
				o += t[i].bytes;
			}
		}
		append_crc(out, &o);
		if (f == SIM_PAY_QR_CRC_NOT_LAST) {
			/* Tag 62 after a correct tag 63 (or another object if there is
			 * no 62): the CRC is right but not last. */
			const char *tail = moved ? moved->at : "99040000";
			size_t tl = moved ? moved->bytes : 8;
			memcpy(out + o, tail, tl);
			o += tl;
		}
	}
	out[o] = '\0';
	return out;
}

/* ---- spoiling bodies ---------------------------------------------------- */

static const char captive_html[] =
	"<!DOCTYPE html>\n<html lang=\"zh-CN\"><head><meta charset=\"utf-8\">"
	"<title>无线网络认证 / Wi-Fi login</title></head>\n<body>"
	"<h1>欢迎使用政务大厅免费无线网络</h1>"
	"<p>请输入手机号获取验证码后上网。Please enter your mobile number to get online.</p>"
	"<form method=\"post\" action=\"/portal/login\"><input name=\"phone\">"
	"<button>获取验证码</button></form></body></html>\n";

/* Markers jansson writes as "\u0001\u0002FF" etc.; after dumping they are
 * replaced by raw bytes jansson itself would refuse to write. */
#define MARK_FF   "\x01\x02" "FF"
#define MARK_C080 "\x01\x02" "C080"
#define EVIL_HEAD "\x1b[2J\x1b[31m" "\xc2\x9b" "1m" "\xe2\x80\xae"
#define EVIL_TAIL "\xe2\x81\xa6" "\x1b]0;pwned\x07" MARK_FF MARK_C080 "\x1b[0m"

static bool evil_key(const char *k)
{
	static const char *const keys[] = { "name", "summary", "description", "where",
	                                     "label", "title", "detail", "materials",
	                                     "display_name", "id_masked", "phone_masked", NULL };
	for (size_t i = 0; keys[i]; i++)
		if (!strcmp(k, keys[i]))
			return true;
	return false;
}

static json_t *evil_string(const json_t *v)
{
	json_t *r = json_sprintf(EVIL_HEAD "%s" EVIL_TAIL, json_string_value(v));
	return r ? r : json_string(EVIL_HEAD EVIL_TAIL);
}

/* Walks the answer in place, poisoning the human-readable strings. */
static void evil_walk(json_t *v)
{
	const char *k;
	json_t *m;
	size_t i;
	if (json_is_object(v)) {
		json_object_foreach(v, k, m) {
			if (evil_key(k) && json_is_string(m)) {
				json_object_set_new(v, k, evil_string(m));
			} else if (evil_key(k) && json_is_array(m)) {
				for (i = 0; i < json_array_size(m); i++) {
					json_t *e = json_array_get(m, i);
					if (json_is_string(e))
						json_array_set_new(m, i, evil_string(e));
				}
			} else {
				evil_walk(m);
			}
		}
	} else if (json_is_array(v)) {
		json_array_foreach(v, i, m)
			evil_walk(m);
	}
}

/* Replaces each escaped marker in s[0..*len) by its raw bytes, in place. */
static void unmark(char *s, size_t *len)
{
	static const struct { const char *esc; const char *raw; } marks[] = {
		{ "\\u0001\\u0002FF", "\xff" },
		{ "\\u0001\\u0002C080", "\xc0\x80" },
	};
	size_t o = 0;
	for (size_t i = 0; i < *len;) {
		size_t j;
		for (j = 0; j < 2; j++) {
			size_t el = strlen(marks[j].esc);
			if (*len - i >= el && !memcmp(s + i, marks[j].esc, el)) {
				size_t rl = strlen(marks[j].raw);
				memcpy(s + o, marks[j].raw, rl);
				o += rl;
				i += el;
				break;
			}
		}
		if (j == 2)
			s[o++] = s[i++];
	}
	*len = o;
	s[o] = '\0';
}

/* Same shape, every scalar changed to another type. New reference. */
static json_t *wrong_types(const json_t *v)
{
	const char *k;
	json_t *m, *r = NULL;
	size_t i;
	switch (json_typeof(v)) {
	case JSON_OBJECT:
		r = json_object();
		json_object_foreach((json_t *)v, k, m)
			json_object_set_new(r, k, wrong_types(m));
		break;
	case JSON_ARRAY:
		r = json_array();
		json_array_foreach(v, i, m)
			json_array_append_new(r, wrong_types(m));
		break;
	case JSON_STRING:
		r = json_integer((json_int_t)json_string_length(v));
		break;
	case JSON_INTEGER:
		r = json_sprintf("%" JSON_INTEGER_FORMAT, json_integer_value(v));
		break;
	case JSON_REAL:
		r = json_sprintf("%g", json_real_value(v));
		break;
	case JSON_TRUE:
		r = json_string("yes");
		break;
	case JSON_FALSE:
		r = json_string("no");
		break;
	case JSON_NULL:
		r = json_object();
		break;
	}
	if (!r)
		abort();
	return r;
}

/* body[0..len) is a JSON object text ending in '}': inserts ,"key":<value
 * of vlen bytes from fill()> before that brace. Returns a new buffer. */
static char *insert_member(const char *body, size_t len, const char *key,
                           size_t vlen, void (*fill)(char *, size_t), size_t *outlen)
{
	while (len && body[len - 1] != '}')
		len--;
	if (!len)
		return NULL;
	size_t klen = strlen(key);
	bool empty = len >= 2 && body[len - 2] == '{';
	size_t n = len - 1 + (empty ? 0 : 1) + klen + 3 + vlen + 1;
	char *out = malloc(n + 1);
	if (!out)
		abort();
	size_t o = len - 1;
	memcpy(out, body, o);
	if (!empty)
		out[o++] = ',';
	out[o++] = '"';
	memcpy(out + o, key, klen);
	o += klen;
	out[o++] = '"';
	out[o++] = ':';
	fill(out + o, vlen);
	o += vlen;
	out[o++] = '}';
	out[o] = '\0';
	*outlen = o;
	return out;
}

static void fill_padding(char *p, size_t n)
{
	if (n < 2)
		return;
	p[0] = '"';
	memset(p + 1, 'x', n - 2);
	p[n - 1] = '"';
}

static void fill_deep(char *p, size_t n)
{
	memset(p, '[', n / 2);
	memset(p + n / 2, ']', n - n / 2);
}

void sim_spoil(const struct req *rq, struct reply *rp, enum sim_body b)
{
	(void)rq;
	if (b == SIM_BODY_HTML) {
		char *h = strdup(captive_html);
		if (!h)
			abort();
		reply_take_body(rp, 200, "text/html; charset=utf-8", h, strlen(h));
		rp->localized = false;
		rp->etag = false;
		rp->etag_value[0] = '\0';
		rp->cache_control = "no-store";
		rp->www_authenticate = NULL;
		return;
	}
	if (!rp->content_type || (strcmp(rp->content_type, "application/json") &&
	                          strcmp(rp->content_type, "application/problem+json")))
		return;
	reply_materialize(rp);
	if (!rp->body || !rp->len)
		return;
	char *nb = NULL;
	size_t nlen = 0;
	json_t *j = NULL;
	switch (b) {
	case SIM_BODY_MALFORMED:
		nlen = rp->len / 2 ? rp->len / 2 : 1;
		rp->body[nlen] = '\0';
		rp->len = nlen;
		break;
	case SIM_BODY_HUGE: {
		size_t base = rp->len + strlen(",\"padding\":\"\"");
		size_t want = base < SIM_HUGE_BYTES ? SIM_HUGE_BYTES - base + 2 : 2;
		nb = insert_member(rp->body, rp->len, "padding", want, fill_padding, &nlen);
		break;
	}
	case SIM_BODY_DEEP:
		nb = insert_member(rp->body, rp->len, "nested", 2 * SIM_DEEP_LEVELS, fill_deep, &nlen);
		break;
	case SIM_BODY_WRONG_TYPES:
	case SIM_BODY_EVIL:
		j = json_loadb(rp->body, rp->len, 0, NULL);
		if (!j)
			break;
		if (b == SIM_BODY_WRONG_TYPES) {
			json_t *w = wrong_types(j);
			json_decref(j);
			j = w;
		} else {
			evil_walk(j);
		}
		nb = json_dumps(j, JSON_COMPACT);
		json_decref(j);
		if (!nb)
			abort();
		nlen = strlen(nb);
		if (b == SIM_BODY_EVIL)
			unmark(nb, &nlen);
		break;
	default:
		break;
	}
	if (nb) {
		reply_drop_body(rp);
		rp->body = nb;
		rp->len = nlen;
	}
	rp->etag = false;
	rp->etag_value[0] = '\0';
	rp->cache_control = "no-store";
}

/* ---- /sim/faults -------------------------------------------------------- */

static json_t *faults_json(struct sim *s)
{
	json_t *paths = json_array();
	pthread_mutex_lock(&s->lock);
	for (size_t i = 0; i < s->n_paths; i++)
		json_array_append_new(paths, json_string(s->paths[i]));
	json_t *j = json_pack("{s:I, s:f, s:o, s:s?, s:i, s:s?, s:s?, s:o}", "latency_ms",
	                      (json_int_t)s->latency_ms, "error_rate", s->error_rate,
	                      "paths", paths, "body", body_names[s->body], "status", s->status,
	                      "payment", pay_names[s->pay], "application", app_names[s->app],
	                      "drop_count", s->drops_left < 0 ? json_null()
	                                                      : json_integer(s->drops_left));
	pthread_mutex_unlock(&s->lock);
	if (!j)
		abort();
	return j;
}

void sim_faults_get(struct req *rq, struct reply *rp)
{
	reply_json(rp, 200, faults_json(rq->gw->sim));
}

#define MSG(zh, en) lang_pick(rq->lang, zh, en)

/* The index of v's name in names[1..n), 0 for null, -1 for anything else. */
static int name_index(const json_t *v, const char *const names[], size_t n)
{
	const char *name = json_string_value(v);
	if (json_is_null(v))
		return 0;
	for (size_t i = 1; name && i < n; i++)
		if (!strcmp(name, names[i]))
			return (int)i;
	return -1;
}

void sim_faults_post(struct req *rq, struct reply *rp)
{
	struct sim *s = rq->gw->sim;
	json_t *j = rq->body_len ? json_loadb(rq->body, rq->body_len, JSON_REJECT_DUPLICATES, NULL)
	                         : json_object();
	if (!json_is_object(j)) {
		json_decref(j);
		reply_problem(rq, rp, "bad_json", NULL);
		return;
	}
	json_t *errs = json_array();
	long latency = 0;
	double rate = 0;
	int status = 0;
	enum sim_body body = SIM_BODY_NONE;
	enum sim_pay pay = SIM_PAY_NONE;
	enum sim_app app = SIM_APP_NONE;
	long drops = -1;
	const char *k;
	json_t *v;
	json_object_foreach(j, k, v) {
		if (!strcmp(k, "latency_ms")) {
			if (!json_is_integer(v) || json_integer_value(v) < 0 ||
			    json_integer_value(v) > SIM_MAX_LATENCY_MS)
				json_array_append_new(errs, problem_error(k, "out_of_range",
					MSG("须为 0 到 600000 之间的整数（毫秒）", "must be an integer from 0 to 600000 (milliseconds)")));
			else
				latency = (long)json_integer_value(v);
		} else if (!strcmp(k, "error_rate")) {
			double r = json_number_value(v);
			if (!json_is_number(v) || !(r >= 0 && r <= 1))
				json_array_append_new(errs, problem_error(k, "out_of_range",
					MSG("须为 0 到 1 之间的数", "must be a number from 0 to 1")));
			else
				rate = r;
		} else if (!strcmp(k, "paths")) {
			size_t i;
			json_t *p;
			bool ok = json_is_array(v) && json_array_size(v) <= SIM_MAX_PATHS;
			json_array_foreach(ok ? v : NULL, i, p)
				ok = ok && json_is_string(p) && json_string_value(p)[0] == '/' &&
				     json_string_length(p) <= SIM_MAX_PATH_LEN &&
				     strlen(json_string_value(p)) == json_string_length(p);
			if (!ok)
				json_array_append_new(errs, problem_error(k, "invalid",
					MSG("须为以 / 开头的路径前缀列表（最多 32 个）",
					    "must be a list of up to 32 path prefixes starting with /")));
		} else if (!strcmp(k, "status")) {
			json_int_t st = json_integer_value(v);
			if (!json_is_integer(v) || !(st == 0 || (st >= 400 && st <= 599)))
				json_array_append_new(errs, problem_error(k, "out_of_range",
					MSG("须为 400 到 599 之间的整数，或 0", "must be an integer from 400 to 599, or 0")));
			else
				status = (int)st;
		} else if (!strcmp(k, "body")) {
			int b = name_index(v, body_names, N_BODY);
			if (b < 0)
				json_array_append_new(errs, problem_error(k, "unknown_value",
					MSG("须为 malformed、wrong_types、huge、deep、evil_strings、html 之一或 null",
					    "must be one of malformed, wrong_types, huge, deep, evil_strings, html, or null")));
			else
				body = (enum sim_body)b;
		} else if (!strcmp(k, "payment")) {
			int b = name_index(v, pay_names, N_PAY);
			if (b < 0)
				json_array_append_new(errs, problem_error(k, "unknown_value",
					MSG("须为 qr_amount、qr_crc、qr_currency、qr_truncated、qr_crc_not_last、commit_then_drop 之一或 null",
					    "must be one of qr_amount, qr_crc, qr_currency, qr_truncated, qr_crc_not_last, commit_then_drop, or null")));
			else
				pay = (enum sim_pay)b;
		} else if (!strcmp(k, "application")) {
			int b = name_index(v, app_names, N_APP);
			if (b < 0)
				json_array_append_new(errs, problem_error(k, "unknown_value",
					MSG("须为 commit_then_drop 或 null", "must be commit_then_drop or null")));
			else
				app = (enum sim_app)b;
		} else if (!strcmp(k, "drop_count")) {
			if (!json_is_null(v) && (!json_is_integer(v) || json_integer_value(v) < 1 ||
			                         json_integer_value(v) > SIM_MAX_DROPS))
				json_array_append_new(errs, problem_error(k, "out_of_range",
					MSG("须为 1 到 1000000 之间的整数，或 null（每次都断开）",
					    "must be an integer from 1 to 1000000, or null (drop every time)")));
			else if (json_is_integer(v))
				drops = (long)json_integer_value(v);
		} else {
			json_array_append_new(errs, problem_error(k, "unknown_field",
				MSG("不认识的字段", "unknown field")));
		}
	}
	if (json_array_size(errs)) {
		json_decref(j);
		reply_problem(rq, rp, "validation_failed", errs);
		return;
	}
	json_decref(errs);
	pthread_mutex_lock(&s->lock);
	clear_paths(s);
	json_t *paths = json_object_get(j, "paths"), *p;
	size_t i;
	json_array_foreach(paths, i, p) {
		char *c = strdup(json_string_value(p));
		if (!c)
			abort();
		s->paths[s->n_paths++] = c;
	}
	s->latency_ms = latency;
	s->error_rate = rate;
	s->status = status;
	s->body = body;
	s->pay = pay;
	s->app = app;
	s->drops_left = drops;
	pthread_mutex_unlock(&s->lock);
	json_decref(j);
	reply_json(rp, 200, faults_json(s));
}
