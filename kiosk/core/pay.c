/* pay.c: bills and payments decoded from the gateway's answers, and the
 * rule that a payment's state on screen never goes backwards.
 *
 * Money is what this kiosk must never get wrong, so decoding is strict: an
 * amount that is not a positive integer of fen, a currency other than CNY,
 * a state this kiosk does not know, all make the whole answer unreadable
 * (a gateway error on screen), never a guess. The QR payload is kept raw:
 * emv_check (emv.c) is what decides whether it may be drawn.
 */
#include "pay.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "jsonx.h"
#include "xmem.h"

static const char *const type_names[BILL_TYPES] = {
	[BILL_WATER] = "water", [BILL_ELECTRICITY] = "electricity",
	[BILL_GAS] = "gas", [BILL_TRAFFIC_FINE] = "traffic_fine",
};

const char *bill_type_name(enum bill_type t)
{
	return (unsigned)t < BILL_TYPES ? type_names[t] : "?";
}

int bill_type_parse(const char *s)
{
	for (int i = 0; s && i < BILL_TYPES; i++)
		if (!strcmp(s, type_names[i]))
			return i;
	return -1;
}

bool account_valid(const char *s, size_t len)
{
	if (len < ACCOUNT_MIN || len > ACCOUNT_MAX)
		return false;
	for (size_t i = 0; i < len; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

/* A positive amount of fen, at most 10^12 (ten billion yuan): anything
 * else is no bill this kiosk takes. */
static int amount(const json_t *o, const char *path, long long *out, char *err, size_t errlen)
{
	if (jsonx_int(o, "amount_fen", true, out, path, err, errlen) != 0)
		return -1;
	if (*out <= 0 || *out > 1000000000000LL) {
		set_err(err, errlen, "%s.amount_fen: out of range", path);
		return -1;
	}
	return 0;
}

void bill_free(struct bill *b)
{
	if (!b)
		return;
	free(b->id);
	free(b->payee);
	free(b->account_masked);
	free(b->period);
	free(b->due_date);
	memset(b, 0, sizeof *b);
}

void bills_free(struct bill *b, size_t n)
{
	for (size_t i = 0; b && i < n; i++)
		bill_free(&b[i]);
	free(b);
}

static int bill_decode(const json_t *o, const char *path, struct bill *b, char *err, size_t errlen)
{
	char *type = NULL;
	memset(b, 0, sizeof *b);
	if (!json_is_object(o)) {
		set_err(err, errlen, "%s: expected object", path);
		return -1;
	}
	int rc = jsonx_str(o, "id", true, &b->id, path, err, errlen) ||
	         jsonx_str(o, "type", true, &type, path, err, errlen) ||
	         jsonx_str(o, "payee", true, &b->payee, path, err, errlen) ||
	         jsonx_str(o, "account_masked", true, &b->account_masked, path, err, errlen) ||
	         jsonx_str(o, "period", false, &b->period, path, err, errlen) ||
	         jsonx_str(o, "due_date", false, &b->due_date, path, err, errlen) ||
	         amount(o, path, &b->amount_fen, err, errlen);
	if (!rc) {
		int t = bill_type_parse(type);
		if (t < 0) {
			set_err(err, errlen, "%s.type: unknown", path);
			rc = -1;
		}
		b->type = (enum bill_type)(t < 0 ? 0 : t);
	}
	if (!rc && !b->id[0]) {
		set_err(err, errlen, "%s.id: empty", path);
		rc = -1;
	}
	free(type);
	if (rc) {
		bill_free(b);
		return -1;
	}
	if (!b->period)
		b->period = xstrdup("");
	if (!b->due_date)
		b->due_date = xstrdup("");
	return 0;
}

int bills_decode(const json_t *root, struct bill **out, size_t *n, char *err, size_t errlen)
{
	*out = NULL;
	*n = 0;
	const json_t *a = json_is_object(root) ? json_object_get(root, "bills") : NULL;
	if (!json_is_array(a)) {
		set_err(err, errlen, "bills: expected array");
		return -1;
	}
	size_t m = json_array_size(a);
	struct bill *v = xcalloc(m ? m : 1, sizeof *v);
	for (size_t i = 0; i < m; i++) {
		char path[32];
		snprintf(path, sizeof path, "bills[%zu]", i);
		if (bill_decode(json_array_get(a, i), path, &v[i], err, errlen) != 0) {
			bills_free(v, i);
			return -1;
		}
	}
	*out = v;
	*n = m;
	return 0;
}

static char *dup_or_null(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

void bill_copy(struct bill *dst, const struct bill *src)
{
	*dst = *src;
	dst->id = dup_or_null(src->id);
	dst->payee = dup_or_null(src->payee);
	dst->account_masked = dup_or_null(src->account_masked);
	dst->period = dup_or_null(src->period);
	dst->due_date = dup_or_null(src->due_date);
}

/* ---- states ------------------------------------------------------------------------------- */

static const char *const state_names[] = {
	[PAY_UNKNOWN] = "unknown", [PAY_CREATED] = "created", [PAY_PENDING] = "pending",
	[PAY_SUCCESS] = "success", [PAY_FAILED] = "failed", [PAY_CANCELLED] = "cancelled",
	[PAY_EXPIRED] = "expired",
};

const char *pay_state_name(enum pay_state s)
{
	return (unsigned)s <= PAY_EXPIRED ? state_names[s] : "unknown";
}

int pay_state_parse(const char *s)
{
	for (int i = PAY_CREATED; s && i <= PAY_EXPIRED; i++)
		if (!strcmp(s, state_names[i]))
			return i;
	return -1;
}

bool pay_state_final(enum pay_state s)
{
	return s >= PAY_SUCCESS;
}

enum pay_state pay_state_next(enum pay_state shown, enum pay_state now)
{
	if (pay_state_final(shown))
		return shown;
	return now > shown ? now : shown;
}

/* ---- payments ----------------------------------------------------------------------------- */

void payment_free(struct payment *p)
{
	if (!p)
		return;
	char **s[] = { &p->id, &p->payee, &p->qr_payload, &p->expires_at, &p->receipt_no, &p->paid_at,
	               &p->verify_url };
	for (size_t i = 0; i < sizeof s / sizeof s[0]; i++) {
		if (*s[i])
			explicit_bzero(*s[i], strlen(*s[i]));
		free(*s[i]);
	}
	memset(p, 0, sizeof *p);
}

/* The QR payload raw (emv_check refuses anything with a control
 * character), but no longer than a payload can be. */
static int raw_payload(const json_t *o, char **out, char *err, size_t errlen)
{
	const json_t *v = json_object_get(o, "qr_payload");
	*out = NULL;
	if (!v || json_is_null(v))
		return 0;
	if (!json_is_string(v)) {
		set_err(err, errlen, "qr_payload: expected string");
		return -1;
	}
	size_t len = json_string_length(v);
	if (len > 4096) {
		set_err(err, errlen, "qr_payload: too long");
		return -1;
	}
	*out = xstrndup(json_string_value(v), len);
	if (strlen(*out) != len) { /* a NUL inside */
		free(*out);
		*out = NULL;
		set_err(err, errlen, "qr_payload: NUL inside");
		return -1;
	}
	return 0;
}

int payment_decode(const json_t *root, struct payment *out, char *err, size_t errlen)
{
	memset(out, 0, sizeof *out);
	if (!json_is_object(root)) {
		set_err(err, errlen, "payment: expected object");
		return -1;
	}
	char *state = NULL, *currency = NULL;
	int rc = jsonx_str(root, "id", true, &out->id, "", err, errlen) ||
	         amount(root, "payment", &out->amount_fen, err, errlen) ||
	         jsonx_str(root, "currency", false, &currency, "", err, errlen) ||
	         jsonx_str(root, "payee", false, &out->payee, "", err, errlen) ||
	         jsonx_str(root, "state", true, &state, "", err, errlen) ||
	         jsonx_str(root, "expires_at", false, &out->expires_at, "", err, errlen) ||
	         raw_payload(root, &out->qr_payload, err, errlen);
	if (!rc && currency && strcmp(currency, "CNY") != 0) {
		set_err(err, errlen, "currency: not CNY");
		rc = -1;
	}
	if (!rc) {
		int st = pay_state_parse(state);
		if (st < 0) {
			set_err(err, errlen, "state: unknown");
			rc = -1;
		}
		out->state = st < 0 ? PAY_UNKNOWN : (enum pay_state)st;
	}
	if (!rc && !out->id[0]) {
		set_err(err, errlen, "id: empty");
		rc = -1;
	}
	const json_t *r = json_object_get(root, "receipt");
	if (!rc && r && !json_is_null(r)) {
		if (!json_is_object(r)) {
			set_err(err, errlen, "receipt: expected object");
			rc = -1;
		} else {
			rc = jsonx_str(r, "no", true, &out->receipt_no, "receipt", err, errlen) ||
			     jsonx_str(r, "paid_at", false, &out->paid_at, "receipt", err, errlen) ||
			     jsonx_str(r, "verify_url", false, &out->verify_url, "receipt", err, errlen);
		}
	}
	free(state);
	free(currency);
	if (rc) {
		payment_free(out);
		return -1;
	}
	if (!out->payee)
		out->payee = xstrdup("");
	return 0;
}

long long pay_time_parse(const char *s)
{
	int y, mo, d, h, mi, sec, n = 0;
	if (!s || sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &sec, &n) != 6 || n != 19)
		return -1;
	const char *p = s + 19;
	if (*p == '.') {
		p++;
		if (*p < '0' || *p > '9')
			return -1;
		while (*p >= '0' && *p <= '9')
			p++;
	}
	if (strcmp(p, "Z") != 0 && strcmp(p, "+00:00") != 0)
		return -1;
	if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60)
		return -1;
	struct tm tm = { .tm_year = y - 1900, .tm_mon = mo - 1, .tm_mday = d,
	                 .tm_hour = h, .tm_min = mi, .tm_sec = sec };
	return (long long)timegm(&tm);
}
