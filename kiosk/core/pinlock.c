/* pinlock.c: the staff PIN's lockout and the form of its hash (see
 * pinlock.h). Pure: the caller gives the time and keeps the file. */
#include "pinlock.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void pinlock_init(struct pinlock *p)
{
	memset(p, 0, sizeof *p);
}

long long pinlock_lockout_len(int n)
{
	long long len = PINLOCK_BASE_S;
	for (int i = 1; i < n && len < PINLOCK_MAX_S; i++)
		len *= 2;
	return len < PINLOCK_MAX_S ? len : PINLOCK_MAX_S;
}

long long pinlock_locked_s(const struct pinlock *p, long long now)
{
	if (p->locked_until <= now)
		return 0;
	long long left = p->locked_until - now;
	/* A clock set back: never more than the lockout's own length. */
	long long max = pinlock_lockout_len(p->lockouts > 0 ? p->lockouts : 1);
	return left < max ? left : max;
}

/* What time has forgotten by now: a lockout that is over ends the count,
 * a day without a wrong PIN ends the doubling too. */
static void age(struct pinlock *p, long long now)
{
	if (p->last_fail > now)
		p->last_fail = now; /* a clock set back */
	if (p->last_fail && now - p->last_fail >= PINLOCK_FORGET_S) {
		pinlock_init(p);
		return;
	}
	if (p->locked_until && pinlock_locked_s(p, now) == 0) {
		p->locked_until = 0;
		p->failures = 0;
	}
}

int pinlock_tries_left(const struct pinlock *p, long long now)
{
	struct pinlock q = *p;
	age(&q, now);
	if (pinlock_locked_s(&q, now) > 0)
		return 0;
	int left = PINLOCK_MAX_FAILS - q.failures;
	return left > 0 ? left : 0;
}

long long pinlock_fail(struct pinlock *p, long long now)
{
	age(p, now);
	if (pinlock_locked_s(p, now) > 0)
		return 0; /* not tried while locked */
	p->last_fail = now;
	if (++p->failures < PINLOCK_MAX_FAILS)
		return 0;
	p->failures = 0;
	if (p->lockouts < 64)
		p->lockouts++;
	long long len = pinlock_lockout_len(p->lockouts);
	p->locked_until = now + len;
	return len;
}

void pinlock_success(struct pinlock *p)
{
	pinlock_init(p);
}

#define PINLOCK_MAGIC "pinlock1"

size_t pinlock_format(const struct pinlock *p, char *buf, size_t n)
{
	int w = snprintf(buf, n, PINLOCK_MAGIC " %d %d %lld %lld\n", p->failures, p->lockouts,
	                 p->locked_until, p->last_fail);
	return w > 0 && (size_t)w < n ? (size_t)w : 0;
}

static bool read_ll(const char **s, const char *end, long long min, long long max, long long *out)
{
	const char *p = *s;
	if (p >= end || *p != ' ')
		return false;
	p++;
	long long v = 0;
	const char *start = p;
	while (p < end && *p >= '0' && *p <= '9' && p - start < 18)
		v = v * 10 + (*p++ - '0');
	if (p == start || v < min || v > max)
		return false;
	*s = p;
	*out = v;
	return true;
}

int pinlock_parse(struct pinlock *p, const char *text, size_t len, long long now)
{
	const char *s = text, *end = text + len;
	long long f, l, until, last;
	size_t ml = strlen(PINLOCK_MAGIC);
	if (len >= ml && memcmp(s, PINLOCK_MAGIC, ml) == 0) {
		s += ml;
		if (read_ll(&s, end, 0, PINLOCK_MAX_FAILS - 1, &f) && read_ll(&s, end, 0, 64, &l) &&
		    read_ll(&s, end, 0, 1LL << 40, &until) && read_ll(&s, end, 0, 1LL << 40, &last) &&
		    (s == end || (*s == '\n' && s + 1 == end)) && (l > 0 || until == 0)) {
			p->failures = (int)f;
			p->lockouts = (int)l;
			p->locked_until = until;
			p->last_fail = last;
			return 0;
		}
	}
	/* Not ours, or damaged: locked (fail closed), never five fresh tries. */
	pinlock_init(p);
	p->lockouts = 1;
	p->locked_until = now + PINLOCK_BASE_S;
	p->last_fail = now;
	return -1;
}

bool pin_plausible(const char *pin, size_t len)
{
	if (!pin || len < PIN_MIN_DIGITS || len > PIN_MAX_DIGITS)
		return false;
	for (size_t i = 0; i < len; i++)
		if (pin[i] < '0' || pin[i] > '9')
			return false;
	return true;
}

/* ---- the hash's form ---- */

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Hex digits s[0..n) into out (n even, n / 2 <= max); the bytes, or -1. */
static long unhex(const char *s, size_t n, unsigned char *out, size_t max)
{
	if (n == 0 || n % 2 || n / 2 > max)
		return -1;
	for (size_t i = 0; i < n; i += 2) {
		int hi = hexval(s[i]), lo = hexval(s[i + 1]);
		if (hi < 0 || lo < 0)
			return -1;
		out[i / 2] = (unsigned char)(hi << 4 | lo);
	}
	return (long)(n / 2);
}

int pinhash_parse(const char *spec, struct pinhash *out, char *err, size_t errlen)
{
	static const char form[] = "must be " PINHASH_PREFIX ":ITERATIONS:SALT_HEX:HASH_HEX (kiosk --hash-pin writes it)";
	memset(out, 0, sizeof *out);
	size_t pl = strlen(PINHASH_PREFIX);
	if (!spec || strncmp(spec, PINHASH_PREFIX, pl) != 0 || spec[pl] != ':') {
		snprintf(err, errlen, "%s", form);
		return -1;
	}
	const char *it = spec + pl + 1, *c1 = strchr(it, ':');
	const char *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
	if (!c1 || !c2 || strchr(c2 + 1, ':')) {
		snprintf(err, errlen, "%s", form);
		return -1;
	}
	unsigned long long n = 0;
	const char *p = it;
	for (; p < c1 && *p >= '0' && *p <= '9' && n <= PINHASH_ITER_MAX; p++)
		n = n * 10 + (unsigned)(*p - '0');
	if (p != c1 || p == it || n < PINHASH_ITER_MIN || n > PINHASH_ITER_MAX) {
		snprintf(err, errlen, "the iteration count must be a number from %u to %u", PINHASH_ITER_MIN,
		         PINHASH_ITER_MAX);
		return -1;
	}
	long sl = unhex(c1 + 1, (size_t)(c2 - c1 - 1), out->salt, sizeof out->salt);
	if (sl < PINHASH_SALT_MIN) {
		snprintf(err, errlen, "the salt must be %d to %d bytes in hex", PINHASH_SALT_MIN, PINHASH_SALT_MAX);
		memset(out, 0, sizeof *out);
		return -1;
	}
	if (unhex(c2 + 1, strlen(c2 + 1), out->hash, sizeof out->hash) != PINHASH_LEN) {
		snprintf(err, errlen, "the hash must be %d bytes in hex", PINHASH_LEN);
		memset(out, 0, sizeof *out);
		return -1;
	}
	out->iterations = (unsigned)n;
	out->salt_len = (size_t)sl;
	return 0;
}

int pinhash_format(const struct pinhash *h, char *buf, size_t n)
{
	size_t need = strlen(PINHASH_PREFIX) + 1 + 10 + 1 + 2 * h->salt_len + 1 + 2 * PINHASH_LEN + 1;
	if (n < need || h->salt_len > PINHASH_SALT_MAX)
		return -1;
	size_t w = (size_t)snprintf(buf, n, "%s:%u:", PINHASH_PREFIX, h->iterations);
	static const char hx[] = "0123456789abcdef";
	for (size_t i = 0; i < h->salt_len; i++) {
		buf[w++] = hx[h->salt[i] >> 4];
		buf[w++] = hx[h->salt[i] & 15];
	}
	buf[w++] = ':';
	for (size_t i = 0; i < PINHASH_LEN; i++) {
		buf[w++] = hx[h->hash[i] >> 4];
		buf[w++] = hx[h->hash[i] & 15];
	}
	buf[w] = '\0';
	return 0;
}

bool pinhash_equal(const unsigned char *a, const unsigned char *b, size_t n)
{
	volatile unsigned char d = 0;
	for (size_t i = 0; i < n; i++)
		d |= a[i] ^ b[i];
	return d == 0;
}
