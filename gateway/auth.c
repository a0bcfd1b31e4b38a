/* auth.c: citizen logins (device flow after RFC 8628, scanned one-time
 * codes) and sessions, for gatewayd.
 *
 * Everything lives in memory in one struct auth under one mutex: pending
 * device authorizations, one-time login codes, sessions. Each table is a
 * small array searched linearly (at most AUTH_MAX entries, and each search
 * first drops what can no longer matter), with constant-time comparisons
 * of the secrets. Secrets come from getrandom(2) and are never logged:
 * the request log shows user codes in /sim/device/ paths as "*".
 *
 * Device requests are unauthenticated, so the table must not be a prize:
 * each source has a quota, and a source over it loses its own oldest
 * request rather than anyone else's. A source is the client's address, and
 * within it the X-Kiosk-Id (trusted only together with the address it came
 * from): DEVICE_PER_KIOSK for one kiosk (it shows one QR at a time),
 * DEVICE_PER_ADDR for an address (a hall's kiosks may share a NAT address).
 * When the table is full all the same (many addresses), the address holding
 * the most loses its oldest. /v1/auth/device is never refused.
 *
 * Whatever held a secret (device, user and login codes, tokens) or a
 * citizen's data is wiped with explicit_bzero before its memory is given
 * up: a table slot that is vacated, the citizens at the end, stack copies.
 *
 * The OAuth answers of /v1/auth/token are application/json
 * {"error": "..."} (RFC 8628 §3.5, RFC 6749 §5.2); everything else that
 * fails is a localized problem (problem.c).
 */
#include "gw_auth.h"
#include "validate.h" /* the kiosk's core: the same rules as its forms */

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>

#define AUTH_MAX          10000   /* entries per table */
#define DEVICE_KEEP       600.0   /* s after expiry: still answers expired_token */
#define CODE_KEEP         3600.0  /* s after expiry: still answers code_expired/code_used */
#define POLL_SLACK        0.2     /* s: polls this much early are not "too fast" */
#define SLOW_DOWN_STEP    5       /* s added to the interval by slow_down (§3.5) */
#define DEVICE_PER_KIOSK  4       /* device requests held per address + X-Kiosk-Id */
#define DEVICE_PER_ADDR   256     /* device requests held per client address */
#define SRC_SLOTS         16384   /* power of two above AUTH_MAX: counting addresses */
#define NONE              ((size_t)-1)

#define SECRET_LEN        43      /* 32 random bytes in base64url, no padding */
#define LOGIN_PREFIX      "GOVLOGIN:"
#define LOGIN_PREFIX_LEN  9
#define LOGIN_RAND_LEN    22      /* 16 random bytes in base64url */
#define LOGIN_LEN         (LOGIN_PREFIX_LEN + LOGIN_RAND_LEN)
#define USER_CODE_LEN     8

#define DEVICE_GRANT      "urn:ietf:params:oauth:grant-type:device_code"
#define VERIFICATION_URI  "https://gov.example.cn/d"

/* RFC 8628 §6.1: no vowels (no words), no look-alikes. 20 letters, 8 of
 * them: 20^8 = 2.56e10 codes, about 34.5 bits. */
static const char user_code_chars[] = "BCDFGHJKLMNPQRSTVWXZ";

enum dev_state { DEV_PENDING, DEV_APPROVED, DEV_DENIED, DEV_USED };

struct device {
	char device_code[SECRET_LEN + 1];
	char user_code[USER_CODE_LEN + 1]; /* without the hyphen */
	double expires;              /* monotonic s */
	double last_poll;            /* 0: never polled */
	int interval;                /* s, grows with slow_down */
	bool slow_down_next;         /* /sim/.../slow_down: the next poll is told slow_down */
	enum dev_state state;
	size_t citizen;              /* when approved */
	unsigned char src[16];       /* who asked: client address (struct req) */
	char kiosk[72];              /* and its X-Kiosk-Id, "-" if none */
	unsigned long long seq;      /* order of arrival: lower is older */
};

struct login_code {
	char code[LOGIN_LEN + 1];
	double expires;
	bool used;
	size_t citizen;
};

struct session {
	char token[SECRET_LEN + 1];
	double expires;
	size_t citizen;
};

/* A citizen with its masked forms, made once. */
struct cit {
	struct citizen c;
	char display[160];           /* 张*三 */
	char id_masked[19];          /* 1101**********123X */
	char phone_masked[12];       /* 138****8000 */
};

struct auth {
	pthread_mutex_t lock;
	struct auth_config cfg;
	struct cit *cits;
	size_t n_cits;
	struct device *dev;
	size_t n_dev;
	unsigned long long dev_seq;
	uint64_t src_seed;           /* hash seed for the address counts */
	uint32_t *slot_dev;          /* SRC_SLOTS: a device entry of that address */
	uint32_t *slot_count;        /* SRC_SLOTS: its entries; 0 = empty slot */
	struct login_code *codes;
	size_t n_codes;
	struct session *sess;
	size_t n_sess;
};

#define MSG(zh, en) lang_pick(rq->lang, zh, en)

/* ---- secrets ------------------------------------------------------------ */

static void random_bytes(void *buf, size_t n)
{
	unsigned char *p = buf;
	while (n) {
		ssize_t got = getrandom(p, n, 0);
		if (got < 0) {
			if (errno == EINTR)
				continue;
			abort(); /* never fall back to weak randomness */
		}
		p += got;
		n -= (size_t)got;
	}
}

static const char b64url_chars[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/* n random bytes as unpadded base64url into out (4n/3 rounded up + NUL). */
static void random_b64url(char *out, size_t nbytes)
{
	unsigned char b[48];
	size_t o = 0;
	random_bytes(b, nbytes);
	for (size_t i = 0; i < nbytes; i += 3) {
		uint32_t v = (uint32_t)b[i] << 16;
		size_t k = nbytes - i;
		if (k > 1)
			v |= (uint32_t)b[i + 1] << 8;
		if (k > 2)
			v |= b[i + 2];
		out[o++] = b64url_chars[(v >> 18) & 63];
		out[o++] = b64url_chars[(v >> 12) & 63];
		if (k > 1)
			out[o++] = b64url_chars[(v >> 6) & 63];
		if (k > 2)
			out[o++] = b64url_chars[v & 63];
	}
	out[o] = '\0';
}

static bool is_b64url(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!strchr(b64url_chars, s[i]) || !s[i])
			return false;
	return true;
}

/* Compares two secrets of the same known length without an early exit. */
static bool secret_eq(const char *a, const char *b, size_t n)
{
	unsigned char d = 0;
	for (size_t i = 0; i < n; i++)
		d |= (unsigned char)(a[i] ^ b[i]);
	return d == 0;
}

static void random_user_code(char out[USER_CODE_LEN + 1])
{
	size_t o = 0;
	while (o < USER_CODE_LEN) {
		unsigned char b[16];
		random_bytes(b, sizeof b);
		for (size_t i = 0; i < sizeof b && o < USER_CODE_LEN; i++)
			if (b[i] < 240) /* 240 = 12 * 20: no modulo bias */
				out[o++] = user_code_chars[b[i] % 20];
	}
	out[o] = '\0';
}

/* A user code as typed or scanned: hyphens dropped, case ignored. True and
 * out (8 letters) if it has the shape of one. */
static bool normalize_user_code(const char *in, char out[USER_CODE_LEN + 1])
{
	size_t o = 0;
	for (const char *p = in; *p; p++) {
		if (*p == '-')
			continue;
		char ch = (*p >= 'a' && *p <= 'z') ? (char)(*p - 'a' + 'A') : *p;
		if (o == USER_CODE_LEN || !strchr(user_code_chars, ch) || !ch)
			return false;
		out[o++] = ch;
	}
	out[o] = '\0';
	return o == USER_CODE_LEN;
}

/* ---- citizens ----------------------------------------------------------- */

/* Decodes one UTF-8 character at s[0..n): its length, or 0 if invalid
 * (overlong, surrogate, beyond U+10FFFF, truncated). */
static size_t utf8_char(const unsigned char *s, size_t n, uint32_t *cp)
{
	if (!n)
		return 0;
	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	size_t len = s[0] >= 0xf0 ? 4 : s[0] >= 0xe0 ? 3 : s[0] >= 0xc2 ? 2 : 0;
	if (!len || len > n || s[0] > 0xf4)
		return 0;
	uint32_t v = s[0] & (0x7f >> len);
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		v = (v << 6) | (s[i] & 0x3f);
	}
	static const uint32_t min[] = { 0, 0, 0x80, 0x800, 0x10000 };
	if (v < min[len] || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))
		return 0;
	*cp = v;
	return len;
}

static bool is_name_dot(uint32_t cp)
{
	return cp == 0xb7 || cp == 0x2022 || cp == 0x30fb || cp == 0xff65 || cp == 0x2027;
}

/* 张三 → 张*, 李秀英 → 李*英, 欧阳建国 → 欧**国, 阿依古丽·买买提 → 阿***·**提:
 * first and last character kept, a middle dot kept where it is, every
 * other character one '*'. A single character is "*". */
static void mask_name(const char *name, char *out, size_t outlen)
{
	const unsigned char *s = (const unsigned char *)name;
	size_t n = strlen(name), chars = 0, o = 0;
	uint32_t cp;
	for (size_t i = 0, k; i < n; i += k, chars++)
		if (!(k = utf8_char(s + i, n - i, &cp)))
			break;
	size_t idx = 0;
	for (size_t i = 0, k; i < n && o + 5 < outlen; i += k, idx++) {
		k = utf8_char(s + i, n - i, &cp);
		if (!k)
			break;
		bool keep = chars > 1 && (idx == 0 || (idx == chars - 1 && chars > 2) || is_name_dot(cp));
		if (keep) {
			memcpy(out + o, s + i, k);
			o += k;
		} else {
			out[o++] = '*';
		}
	}
	out[o] = '\0';
}

void auth_mask_name(const char *name, char *out, size_t outlen)
{
	mask_name(name, out, outlen);
}

const char *citizen_check(const struct citizen *c)
{
	size_t idn = strnlen(c->id, sizeof c->id);
	if (idn == 0 || idn >= sizeof c->id)
		return "id: empty or too long";
	for (size_t i = 0; i < idn; i++)
		if (!((c->id[i] >= 'a' && c->id[i] <= 'z') || (c->id[i] >= '0' && c->id[i] <= '9') ||
		      c->id[i] == '-' || c->id[i] == '_'))
			return "id: not [a-z0-9_-]";

	/* Demo citizens may be born up to 2100 (their data is fixed). */
	switch (v_idcard(c->idno, strnlen(c->idno, sizeof c->idno), (struct ymd){ 2100, 12, 31 })) {
	case V_OK:
		break;
	case V_CHECK_DIGIT:
		return "idno: wrong check digit";
	case V_BAD_DATE:
		return "idno: not a real birth date";
	default:
		return "idno: not 17 digits and a digit or X";
	}
	if (v_phone(c->phone, strnlen(c->phone, sizeof c->phone)) != V_OK)
		return "phone: not a mainland mobile number (1[3-9] and 9 digits)";

	const unsigned char *s = (const unsigned char *)c->name;
	size_t n = strnlen(c->name, sizeof c->name), chars = 0;
	if (n == 0 || n >= sizeof c->name)
		return "name: empty or too long";
	for (size_t i = 0, k; i < n; i += k, chars++) {
		uint32_t cp;
		if (!(k = utf8_char(s + i, n - i, &cp)))
			return "name: not UTF-8";
		if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0) || (cp >= 0x200b && cp <= 0x200f) ||
		    (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069))
			return "name: control or bidi character";
	}
	if (chars > 32)
		return "name: more than 32 characters";
	return NULL;
}

static void cit_init(struct cit *t, const struct citizen *c)
{
	t->c = *c;
	mask_name(c->name, t->display, sizeof t->display);
	snprintf(t->id_masked, sizeof t->id_masked, "%.4s**********%.4s", c->idno, c->idno + 14);
	snprintf(t->phone_masked, sizeof t->phone_masked, "%.3s****%.4s", c->phone, c->phone + 7);
}

/* Index of the citizen with this id, or (size_t)-1. No lock needed: the
 * citizens never change after auth_new. */
static size_t find_citizen(const struct auth *a, const char *id)
{
	for (size_t i = 0; i < a->n_cits; i++)
		if (!strcmp(a->cits[i].c.id, id))
			return i;
	return (size_t)-1;
}

/* ---- setup -------------------------------------------------------------- */

struct auth *auth_new(const struct auth_config *cfg, const struct citizen *c, size_t n)
{
	struct auth *a = calloc(1, sizeof *a);
	if (!a)
		abort();
	pthread_mutex_init(&a->lock, NULL);
	a->cfg = *cfg;
	a->cits = calloc(n ? n : 1, sizeof *a->cits);
	a->dev = calloc(AUTH_MAX, sizeof *a->dev);
	a->codes = calloc(AUTH_MAX, sizeof *a->codes);
	a->sess = calloc(AUTH_MAX, sizeof *a->sess);
	a->slot_dev = calloc(SRC_SLOTS, sizeof *a->slot_dev);
	a->slot_count = calloc(SRC_SLOTS, sizeof *a->slot_count);
	if (!a->cits || !a->dev || !a->codes || !a->sess || !a->slot_dev || !a->slot_count)
		abort();
	random_bytes(&a->src_seed, sizeof a->src_seed);
	for (size_t i = 0; i < n; i++) {
		const char *why = citizen_check(&c[i]);
		if (why) {
			char id[65];
			size_t k = 0;
			for (; c[i].id[k] && k < 64; k++) /* printable only: it goes to stderr */
				id[k] = (c[i].id[k] > 0x20 && c[i].id[k] < 0x7f) ? c[i].id[k] : '?';
			id[k] = '\0';
			fprintf(stderr, "gatewayd: citizen '%s' left out: %s\n", id, why);
			continue;
		}
		cit_init(&a->cits[a->n_cits++], &c[i]);
	}
	return a;
}

void auth_free(struct auth *a)
{
	if (!a)
		return;
	/* Wipe the secrets and the citizens before the memory goes back to
	 * the allocator. */
	explicit_bzero(a->dev, AUTH_MAX * sizeof *a->dev);
	explicit_bzero(a->codes, AUTH_MAX * sizeof *a->codes);
	explicit_bzero(a->sess, AUTH_MAX * sizeof *a->sess);
	explicit_bzero(a->cits, a->n_cits * sizeof *a->cits);
	free(a->dev);
	free(a->codes);
	free(a->sess);
	free(a->cits);
	free(a->slot_dev);
	free(a->slot_count);
	pthread_mutex_destroy(&a->lock);
	free(a);
}

size_t auth_n_citizens(const struct auth *a)
{
	return a ? a->n_cits : 0;
}

/* ---- tables (caller holds the lock) ------------------------------------- */

/* Removes entry i of a table of *n entries of size bytes: the last one
 * takes its place, and the slot the last one leaves is wiped. */
static void table_remove(void *base, size_t *n, size_t i, size_t size)
{
	char *b = base;
	(*n)--;
	if (i != *n)
		memcpy(b + i * size, b + *n * size, size);
	explicit_bzero(b + *n * size, size);
}

static void purge(struct auth *a, double now)
{
	for (size_t i = 0; i < a->n_dev;)
		if (now > a->dev[i].expires + DEVICE_KEEP)
			table_remove(a->dev, &a->n_dev, i, sizeof a->dev[0]);
		else
			i++;
	for (size_t i = 0; i < a->n_codes;)
		if (now > a->codes[i].expires + CODE_KEEP)
			table_remove(a->codes, &a->n_codes, i, sizeof a->codes[0]);
		else
			i++;
	for (size_t i = 0; i < a->n_sess;)
		if (now >= a->sess[i].expires)
			table_remove(a->sess, &a->n_sess, i, sizeof a->sess[0]);
		else
			i++;
}

/* When a table is full of things still in use, the oldest that is already
 * over (expired or used) makes room; if none is, the caller answers 503. */
static bool make_room_codes(struct auth *a, double now)
{
	if (a->n_codes < AUTH_MAX)
		return true;
	size_t best = NONE;
	for (size_t i = 0; i < a->n_codes; i++)
		if ((a->codes[i].used || now >= a->codes[i].expires) &&
		    (best == NONE || a->codes[i].expires < a->codes[best].expires))
			best = i;
	if (best == NONE)
		return false;
	table_remove(a->codes, &a->n_codes, best, sizeof a->codes[0]);
	return true;
}

/* ---- device request quotas (caller holds the lock) ------------------------ */

/* Which of two device entries (cur may be NONE) a source should give up
 * first: one no citizen is waiting on (not approved) before one that is,
 * then the older. */
static size_t better_victim(const struct auth *a, size_t cur, size_t i)
{
	if (cur == NONE)
		return i;
	bool ci = a->dev[cur].state == DEV_APPROVED, ii = a->dev[i].state == DEV_APPROVED;
	if (ci != ii)
		return ci ? i : cur;
	return a->dev[i].seq < a->dev[cur].seq ? i : cur;
}

static size_t src_slot(const struct auth *a, const unsigned char src[16])
{
	uint64_t h = 0xcbf29ce484222325u ^ a->src_seed; /* FNV-1a, seeded */
	for (int i = 0; i < 16; i++)
		h = (h ^ src[i]) * 0x100000001b3u;
	return (size_t)(h ^ (h >> 29)) & (SRC_SLOTS - 1);
}

/* The entry to evict from the address that holds the most entries. Only
 * when the table is full: one pass counting per address (open addressing
 * in SRC_SLOTS slots, so at most AUTH_MAX addresses fit easily). */
static size_t heaviest_victim(struct auth *a)
{
	size_t best_slot = 0;
	uint32_t best = 0;
	memset(a->slot_count, 0, SRC_SLOTS * sizeof *a->slot_count);
	for (size_t i = 0; i < a->n_dev; i++) {
		size_t h = src_slot(a, a->dev[i].src);
		while (a->slot_count[h] && memcmp(a->dev[a->slot_dev[h]].src, a->dev[i].src, 16))
			h = (h + 1) & (SRC_SLOTS - 1);
		if (!a->slot_count[h])
			a->slot_dev[h] = (uint32_t)i;
		if (++a->slot_count[h] > best) {
			best = a->slot_count[h];
			best_slot = h;
		}
	}
	unsigned char src[16];
	memcpy(src, a->dev[a->slot_dev[best_slot]].src, 16);
	size_t v = NONE;
	for (size_t i = 0; i < a->n_dev; i++)
		if (!memcmp(a->dev[i].src, src, 16))
			v = better_victim(a, v, i);
	return v;
}

/* Makes room for one more device request from rq's source: over the
 * kiosk's quota (X-Kiosk-Id given) its own oldest goes, over the address's
 * quota the address's oldest, and in a full table the oldest of the
 * address that holds the most. Never fails. */
static void make_room_devices(struct auth *a, const struct req *rq)
{
	bool has_kiosk = strcmp(rq->kiosk, "-") != 0;
	size_t by_addr = 0, by_kiosk = 0, v_addr = NONE, v_kiosk = NONE, v = NONE;
	for (size_t i = 0; i < a->n_dev; i++) {
		if (memcmp(a->dev[i].src, rq->src, 16))
			continue;
		by_addr++;
		v_addr = better_victim(a, v_addr, i);
		if (has_kiosk && !strcmp(a->dev[i].kiosk, rq->kiosk)) {
			by_kiosk++;
			v_kiosk = better_victim(a, v_kiosk, i);
		}
	}
	if (by_kiosk >= DEVICE_PER_KIOSK)
		v = v_kiosk;
	else if (by_addr >= DEVICE_PER_ADDR)
		v = v_addr;
	else if (a->n_dev >= AUTH_MAX)
		v = heaviest_victim(a);
	if (v != NONE)
		table_remove(a->dev, &a->n_dev, v, sizeof a->dev[0]);
}

/* A new session for citizen ci; NULL if the table is full. */
static struct session *session_add(struct auth *a, size_t ci, double now)
{
	if (a->n_sess >= AUTH_MAX)
		return NULL;
	struct session *s = &a->sess[a->n_sess++];
	random_b64url(s->token, 32);
	s->expires = now + a->cfg.session_ttl;
	s->citizen = ci;
	return s;
}

static struct session *session_find(struct auth *a, const char *token)
{
	struct session *hit = NULL;
	for (size_t i = 0; i < a->n_sess; i++)
		if (secret_eq(a->sess[i].token, token, SECRET_LEN))
			hit = &a->sess[i];
	return hit;
}

/* ---- answers ------------------------------------------------------------ */

static json_t *citizen_full_json(const struct cit *t)
{
	json_t *j = json_pack("{s:s, s:s, s:s, s:s, s:s}", "display_name", t->display,
	                      "id_masked", t->id_masked, "name", t->c.name, "id", t->c.idno,
	                      "phone_masked", t->phone_masked);
	if (!j)
		abort();
	return j;
}

/* The contract's session object. token is copied by the caller out of the
 * table before the lock is released. */
static void reply_session(struct req *rq, struct reply *rp, const char *token, int ttl,
                          const struct cit *t)
{
	json_t *j = json_pack("{s:s, s:s, s:i, s:o}", "access_token", token, "token_type", "Bearer",
	                      "expires_in", ttl, "citizen", citizen_full_json(t));
	if (!j)
		abort();
	reply_json(rp, 200, j);
	rp->cache_control = "no-store";
	rp->secret = true;
}

/* RFC 6749 §5.2 error answer: 400 application/json {"error": code}. */
static void reply_oauth_error(struct reply *rp, const char *code)
{
	json_t *j = json_pack("{s:s}", "error", code);
	if (!j)
		abort();
	reply_json(rp, 400, j);
	rp->cache_control = "no-store";
}

/* The request body as a JSON object; an empty body is {}. NULL if it is
 * not a JSON object (or has duplicate keys). */
static json_t *body_object(const struct req *rq, bool empty_ok)
{
	if (!rq->body_len)
		return empty_ok ? json_object() : NULL;
	json_t *j = json_loadb(rq->body, rq->body_len, JSON_REJECT_DUPLICATES, NULL);
	if (!json_is_object(j)) {
		json_decref(j);
		return NULL;
	}
	return j;
}

/* ---- POST /v1/auth/device ----------------------------------------------- */

void auth_device(struct req *rq, struct reply *rp)
{
	struct auth *a = rq->gw->auth;
	double now = gw_now();
	struct device d = { 0 };

	random_b64url(d.device_code, 32);
	d.expires = now + a->cfg.device_ttl;
	d.interval = a->cfg.device_interval;
	d.state = DEV_PENDING;
	memcpy(d.src, rq->src, sizeof d.src);
	memcpy(d.kiosk, rq->kiosk, sizeof d.kiosk);

	pthread_mutex_lock(&a->lock);
	purge(a, now);
	make_room_devices(a, rq);
	d.seq = ++a->dev_seq;
	for (bool clash = true; clash;) { /* unique among the codes still held */
		random_user_code(d.user_code);
		clash = false;
		for (size_t i = 0; i < a->n_dev && !clash; i++)
			clash = !strcmp(a->dev[i].user_code, d.user_code);
	}
	a->dev[a->n_dev++] = d;
	pthread_mutex_unlock(&a->lock);

	char shown[USER_CODE_LEN + 2], complete[sizeof VERIFICATION_URI + 4 + USER_CODE_LEN];
	snprintf(shown, sizeof shown, "%.4s-%.4s", d.user_code, d.user_code + 4);
	snprintf(complete, sizeof complete, "%s?c=%s", VERIFICATION_URI, d.user_code);
	json_t *j = json_pack("{s:s, s:s, s:s, s:s, s:i, s:i}", "device_code", d.device_code,
	                      "user_code", shown, "verification_uri", VERIFICATION_URI,
	                      "verification_uri_complete", complete,
	                      "expires_in", a->cfg.device_ttl, "interval", a->cfg.device_interval);
	if (!j)
		abort();
	explicit_bzero(&d, sizeof d);
	explicit_bzero(shown, sizeof shown);
	explicit_bzero(complete, sizeof complete);
	reply_json(rp, 200, j);
	rp->secret = true;
}

/* ---- POST /v1/auth/token ------------------------------------------------ */

void auth_token(struct req *rq, struct reply *rp)
{
	struct auth *a = rq->gw->auth;
	json_t *j = body_object(rq, false);
	const char *grant = json_string_value(json_object_get(j, "grant_type"));
	json_t *dcj = json_object_get(j, "device_code");
	const char *dc = json_string_value(dcj);

	if (!j || !grant || (!strcmp(grant, DEVICE_GRANT) && !dc)) {
		json_decref(j);
		reply_oauth_error(rp, "invalid_request");
		return;
	}
	if (strcmp(grant, DEVICE_GRANT)) {
		json_decref(j);
		reply_oauth_error(rp, "unsupported_grant_type");
		return;
	}
	if (json_string_length(dcj) != SECRET_LEN || !is_b64url(dc, SECRET_LEN)) {
		json_decref(j);
		reply_oauth_error(rp, "invalid_grant");
		return;
	}

	const char *err = NULL;
	char token[SECRET_LEN + 1] = "";
	size_t ci = 0;
	double now = gw_now();
	pthread_mutex_lock(&a->lock);
	purge(a, now);
	struct device *d = NULL;
	for (size_t i = 0; i < a->n_dev; i++)
		if (secret_eq(a->dev[i].device_code, dc, SECRET_LEN))
			d = &a->dev[i];
	if (!d || d->state == DEV_USED) {
		err = "invalid_grant";
	} else if (d->state == DEV_DENIED) {
		err = "access_denied";
	} else if (now >= d->expires) {
		err = "expired_token";
	} else if (d->state == DEV_APPROVED) {
		struct session *s = session_add(a, d->citizen, now);
		if (s) {
			memcpy(token, s->token, sizeof token);
			ci = d->citizen;
			d->state = DEV_USED;
		} else {
			err = "";
		}
	} else if (d->slow_down_next ||
	           (d->last_poll > 0 && now - d->last_poll < d->interval - POLL_SLACK)) {
		d->slow_down_next = false;
		d->interval += SLOW_DOWN_STEP; /* RFC 8628 §3.5: for this and later polls */
		d->last_poll = now;
		err = "slow_down";
	} else {
		d->last_poll = now;
		err = "authorization_pending";
	}
	pthread_mutex_unlock(&a->lock);
	json_decref(j);

	if (err && !*err)
		reply_problem(rq, rp, "auth_busy", NULL);
	else if (err)
		reply_oauth_error(rp, err);
	else
		reply_session(rq, rp, token, a->cfg.session_ttl, &a->cits[ci]);
	explicit_bzero(token, sizeof token);
}

/* ---- POST /v1/auth/scan ------------------------------------------------- */

void auth_scan(struct req *rq, struct reply *rp)
{
	struct auth *a = rq->gw->auth;
	/* Whatever arrives (not JSON, invalid UTF-8, no "code", a code of
	 * another shape) is a code that cannot be used: code_invalid. */
	json_t *j = body_object(rq, false);
	json_t *cj = json_object_get(j, "code");
	const char *code = json_string_value(cj);
	size_t n = code ? json_string_length(cj) : 0;
	/* Scanners acting as keyboards add CR/LF or tabs: trim ASCII space. */
	while (n && (*code == ' ' || *code == '\t' || *code == '\r' || *code == '\n'))
		code++, n--;
	while (n && (code[n - 1] == ' ' || code[n - 1] == '\t' || code[n - 1] == '\r' ||
	             code[n - 1] == '\n'))
		n--;
	if (!code || n != LOGIN_LEN || memcmp(code, LOGIN_PREFIX, LOGIN_PREFIX_LEN) ||
	    !is_b64url(code + LOGIN_PREFIX_LEN, LOGIN_RAND_LEN)) {
		json_decref(j);
		reply_problem(rq, rp, "code_invalid", NULL);
		return;
	}

	const char *problem = NULL;
	char token[SECRET_LEN + 1] = "";
	size_t ci = 0;
	double now = gw_now();
	pthread_mutex_lock(&a->lock);
	purge(a, now);
	struct login_code *lc = NULL;
	for (size_t i = 0; i < a->n_codes; i++)
		if (secret_eq(a->codes[i].code, code, LOGIN_LEN))
			lc = &a->codes[i];
	if (!lc) {
		problem = "code_invalid";
	} else if (lc->used) {
		problem = "code_used";
	} else if (now >= lc->expires) {
		problem = "code_expired";
	} else {
		struct session *s = session_add(a, lc->citizen, now);
		if (s) {
			lc->used = true;
			memcpy(token, s->token, sizeof token);
			ci = lc->citizen;
		} else {
			problem = "auth_busy";
		}
	}
	pthread_mutex_unlock(&a->lock);
	json_decref(j);

	if (problem)
		reply_problem(rq, rp, problem, NULL);
	else
		reply_session(rq, rp, token, a->cfg.session_ttl, &a->cits[ci]);
	explicit_bzero(token, sizeof token);
}

/* ---- sessions ----------------------------------------------------------- */

/* The token of "Authorization: Bearer <token>" if it has a token's shape. */
static bool bearer_token(const struct req *rq, char out[SECRET_LEN + 1])
{
	const char *h = req_header(rq, "Authorization");
	if (!h || strncasecmp(h, "Bearer ", 7))
		return false;
	h += 7;
	while (*h == ' ')
		h++;
	size_t n = strcspn(h, " \t");
	if (n != SECRET_LEN || !is_b64url(h, n) || h[n + strspn(h + n, " \t")])
		return false;
	memcpy(out, h, SECRET_LEN);
	out[SECRET_LEN] = '\0';
	return true;
}

void auth_me(struct req *rq, struct reply *rp)
{
	struct auth *a = rq->gw->auth;
	char token[SECRET_LEN + 1];
	size_t ci = (size_t)-1;
	if (bearer_token(rq, token)) {
		double now = gw_now();
		pthread_mutex_lock(&a->lock);
		purge(a, now);
		struct session *s = session_find(a, token);
		if (s)
			ci = s->citizen;
		pthread_mutex_unlock(&a->lock);
		explicit_bzero(token, sizeof token);
	}
	if (ci == (size_t)-1) {
		reply_problem(rq, rp, "session_expired", NULL);
		return;
	}
	const struct cit *t = &a->cits[ci];
	json_t *j = json_pack("{s:s, s:s, s:s}", "display_name", t->display,
	                      "id_masked", t->id_masked, "phone_masked", t->phone_masked);
	if (!j)
		abort();
	reply_json(rp, 200, j);
}

bool auth_session_citizen(const struct req *rq, struct citizen *out)
{
	struct auth *a = rq->gw->auth;
	char token[SECRET_LEN + 1];
	bool ok = false;
	if (!bearer_token(rq, token))
		return false;
	double now = gw_now();
	pthread_mutex_lock(&a->lock);
	purge(a, now);
	struct session *s = session_find(a, token);
	if (s) {
		*out = a->cits[s->citizen].c;
		ok = true;
	}
	pthread_mutex_unlock(&a->lock);
	explicit_bzero(token, sizeof token);
	return ok;
}

bool auth_display_name(const struct auth *a, const char *citizen_id, char *out, size_t outlen)
{
	size_t ci = find_citizen(a, citizen_id);
	if (ci == (size_t)-1 || !outlen)
		return false;
	snprintf(out, outlen, "%s", a->cits[ci].display);
	return true;
}

void auth_logout(struct req *rq, struct reply *rp)
{
	struct auth *a = rq->gw->auth;
	char token[SECRET_LEN + 1];
	if (bearer_token(rq, token)) {
		pthread_mutex_lock(&a->lock);
		struct session *s = session_find(a, token);
		if (s)
			table_remove(a->sess, &a->n_sess, (size_t)(s - a->sess), sizeof a->sess[0]);
		pthread_mutex_unlock(&a->lock);
		explicit_bzero(token, sizeof token);
	}
	reply_take_body(rp, 204, NULL, NULL, 0);
}

/* ---- /sim --------------------------------------------------------------- */

/* The citizen a /sim body names ({"citizen": id}, absent: the first one).
 * Answers the problem itself and returns false on a bad body. */
static bool sim_citizen_arg(struct req *rq, struct reply *rp, size_t *ci)
{
	struct auth *a = rq->gw->auth;
	json_t *j = body_object(rq, true);
	if (!j) {
		reply_problem(rq, rp, "bad_json", NULL);
		return false;
	}
	json_t *errs = json_array();
	const char *k, *id = NULL;
	json_t *v;
	json_object_foreach(j, k, v) {
		if (!strcmp(k, "citizen") && json_is_string(v))
			id = json_string_value(v);
		else if (!strcmp(k, "citizen"))
			json_array_append_new(errs, problem_error(k, "invalid",
				MSG("须为示例居民的 id，如 cit-zhang", "must be a demo citizen's id, e.g. cit-zhang")));
		else
			json_array_append_new(errs, problem_error(k, "unknown_field",
				MSG("不认识的字段", "unknown field")));
	}
	if (json_array_size(errs)) {
		json_decref(j);
		reply_problem(rq, rp, "validation_failed", errs);
		return false;
	}
	json_decref(errs);
	*ci = id ? find_citizen(a, id) : (a->n_cits ? 0 : (size_t)-1);
	json_decref(j);
	if (*ci == (size_t)-1) {
		reply_problem(rq, rp, "citizen_not_found", NULL);
		return false;
	}
	return true;
}

static void sim_device_decide(struct req *rq, struct reply *rp, bool approve)
{
	struct auth *a = rq->gw->auth;
	char uc[USER_CODE_LEN + 1];
	if (!normalize_user_code(rq->params[0], uc)) {
		reply_problem(rq, rp, "user_code_not_found", NULL);
		return;
	}
	size_t ci;
	if (!sim_citizen_arg(rq, rp, &ci))
		return;
	const char *problem = NULL;
	double now = gw_now();
	pthread_mutex_lock(&a->lock);
	purge(a, now);
	struct device *d = NULL;
	for (size_t i = 0; i < a->n_dev && !d; i++)
		if (!strcmp(a->dev[i].user_code, uc))
			d = &a->dev[i];
	if (!d) {
		problem = "user_code_not_found";
	} else if (d->state != DEV_PENDING) {
		problem = "user_code_decided";
	} else if (now >= d->expires) {
		problem = "user_code_expired";
	} else {
		d->state = approve ? DEV_APPROVED : DEV_DENIED;
		d->citizen = ci;
	}
	pthread_mutex_unlock(&a->lock);
	if (problem) {
		reply_problem(rq, rp, problem, NULL);
		return;
	}
	json_t *j = approve ? json_pack("{s:s, s:s}", "decision", "approved", "citizen", a->cits[ci].c.id)
	                    : json_pack("{s:s}", "decision", "denied");
	if (!j)
		abort();
	reply_json(rp, 200, j);
}

void sim_device_approve(struct req *rq, struct reply *rp)
{
	sim_device_decide(rq, rp, true);
}

void sim_device_deny(struct req *rq, struct reply *rp)
{
	sim_device_decide(rq, rp, false);
}

/* POST /sim/device/{user_code}/slow_down: the next poll of that device code
 * answers slow_down (and its interval grows by SLOW_DOWN_STEP), as if the
 * gateway were overloaded; the kiosk's handling of it can then be tested
 * without polling too fast on purpose. No body (or {}). */
/* For endpoints that take no members: an absent body or {} is fine; bad
 * JSON answers bad_json, and any member validation_failed naming it. */
static bool require_empty_body(struct req *rq, struct reply *rp)
{
	json_t *j = body_object(rq, true);
	if (!j) {
		reply_problem(rq, rp, "bad_json", NULL);
		return false;
	}
	if (json_object_size(j)) {
		json_t *errs = json_array();
		const char *k;
		json_t *v;
		json_object_foreach(j, k, v)
			json_array_append_new(errs, problem_error(k, "unknown_field",
				MSG("不认识的字段", "unknown field")));
		json_decref(j);
		reply_problem(rq, rp, "validation_failed", errs);
		return false;
	}
	json_decref(j);
	return true;
}

void sim_device_slow_down(struct req *rq, struct reply *rp)
{
	struct auth *a = rq->gw->auth;
	char uc[USER_CODE_LEN + 1];
	if (!normalize_user_code(rq->params[0], uc)) {
		reply_problem(rq, rp, "user_code_not_found", NULL);
		return;
	}
	if (!require_empty_body(rq, rp))
		return;
	const char *problem = NULL;
	double now = gw_now();
	pthread_mutex_lock(&a->lock);
	purge(a, now);
	struct device *d = NULL;
	for (size_t i = 0; i < a->n_dev && !d; i++)
		if (!strcmp(a->dev[i].user_code, uc))
			d = &a->dev[i];
	if (!d)
		problem = "user_code_not_found";
	else if (d->state != DEV_PENDING)
		problem = "user_code_decided";
	else if (now >= d->expires)
		problem = "user_code_expired";
	else
		d->slow_down_next = true;
	pthread_mutex_unlock(&a->lock);
	if (problem) {
		reply_problem(rq, rp, problem, NULL);
		return;
	}
	json_t *j = json_pack("{s:s}", "next_poll", "slow_down");
	if (!j)
		abort();
	reply_json(rp, 200, j);
}

void sim_citizen_code(struct req *rq, struct reply *rp)
{
	struct auth *a = rq->gw->auth;
	size_t ci;
	if (!sim_citizen_arg(rq, rp, &ci))
		return;
	struct login_code lc = { .citizen = ci };
	memcpy(lc.code, LOGIN_PREFIX, LOGIN_PREFIX_LEN);
	random_b64url(lc.code + LOGIN_PREFIX_LEN, 16);
	double now = gw_now();
	lc.expires = now + a->cfg.code_ttl;
	pthread_mutex_lock(&a->lock);
	purge(a, now);
	bool ok = make_room_codes(a, now);
	if (ok)
		a->codes[a->n_codes++] = lc;
	pthread_mutex_unlock(&a->lock);
	if (!ok) {
		reply_problem(rq, rp, "auth_busy", NULL);
		return;
	}
	json_t *j = json_pack("{s:s, s:i}", "code", lc.code, "expires_in", a->cfg.code_ttl);
	if (!j)
		abort();
	explicit_bzero(&lc, sizeof lc);
	reply_json(rp, 200, j);
	rp->secret = true;
}

void sim_sessions_expire(struct req *rq, struct reply *rp)
{
	struct auth *a = rq->gw->auth;
	if (!require_empty_body(rq, rp))
		return;
	pthread_mutex_lock(&a->lock);
	size_t n = a->n_sess;
	explicit_bzero(a->sess, n * sizeof a->sess[0]);
	a->n_sess = 0;
	pthread_mutex_unlock(&a->lock);
	json_t *j = json_pack("{s:I}", "expired", (json_int_t)n);
	if (!j)
		abort();
	reply_json(rp, 200, j);
}

/* ---- log ---------------------------------------------------------------- */

bool auth_log_path(const char *path, char *out, size_t outlen)
{
	static const char prefix[] = "/sim/device/", verify[] = "/v1/verify/";
	size_t pl = sizeof prefix - 1, vl = sizeof verify - 1;
	/* A licence's verification token (/v1/verify/{license}/{token}). */
	if (!strncmp(path, verify, vl) && strchr(path + vl, '/')) {
		snprintf(out, outlen, "%.*s/*", (int)(strchr(path + vl, '/') - path), path);
		return true;
	}
	if (strncmp(path, prefix, pl) || path[pl] == '\0')
		return false;
	const char *rest = path + pl + strcspn(path + pl, "/");
	snprintf(out, outlen, "%s*%s", prefix, rest);
	return true;
}
