/* emv.c: EMVCo merchant-presented QR payloads, checked (the kiosk, before it
 * draws a payment code) and built (the reference gateway).
 *
 * A payload is trusted only whole: a wrong amount with a recomputed CRC is
 * as much a refusal as a broken CRC, and each refusal has its own code so
 * that the log says which (never the payload: it names the payee and the
 * reference). The checker is strict where a real payload is regular (upper
 * case CRC, 2-digit lengths, one amount syntax) and says nothing about
 * tags it does not need, so any scheme's account templates pass.
 *
 * Lengths count characters, so the payload is first walked as UTF-8 into a
 * table of byte offsets, one per character; after that, TLV parsing works
 * in characters and the CRC in bytes. The gateway links this file with
 * money.c alone: libc only.
 */
#include "emv.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "money.h"

/* The reference gateway's one merchant account, tag 26: a GUID in the
 * registered-in-country form EMVCo's own Chinese sample uses (D156 + the
 * acquirer), and a merchant id. Fictional: no wallet pays it. */
#define BUILD_GUID "D15600000000"
#define BUILD_MERCHANT_ID "GOVKIOSK0001"
/* ISO 18245 9399: government services not elsewhere classified. */
#define BUILD_MCC "9399"
#define AMOUNT_MAX_CHARS 13 /* tag 54, EMVCo */

uint16_t emv_crc16(const void *data, size_t n)
{
	/* The polynomial's multiples for each nibble: 2 lookups a byte. */
	static const uint16_t nib[16] = {
		0x0000, 0x1021, 0x2042, 0x3063, 0x4084, 0x50A5, 0x60C6, 0x70E7,
		0x8108, 0x9129, 0xA14A, 0xB16B, 0xC18C, 0xD1AD, 0xE1CE, 0xF1EF,
	};
	const unsigned char *p = data;
	uint16_t crc = 0xFFFF;

	for (size_t i = 0; i < n; i++) {
		crc = (uint16_t)(crc << 4) ^ nib[(crc >> 12) ^ (p[i] >> 4)];
		crc = (uint16_t)(crc << 4) ^ nib[(crc >> 12) ^ (p[i] & 0x0F)];
	}
	return crc;
}

/* One code point at p (n > 0 bytes left): its length in bytes, or 0 if the
 * bytes are not UTF-8 (overlong, surrogate, past U+10FFFF, cut) or the
 * character is a C0 or C1 control or DEL. */
static size_t char_len(const unsigned char *p, size_t n)
{
	unsigned b = p[0], cp, lo;
	size_t k;

	if (b < 0x80)
		return b >= 0x20 && b != 0x7F;
	if (b >= 0xF0 && b <= 0xF4) {
		k = 4, cp = b & 0x07, lo = 0x10000;
	} else if (b >= 0xE0 && b < 0xF0) {
		k = 3, cp = b & 0x0F, lo = 0x800;
	} else if (b >= 0xC2 && b < 0xE0) {
		k = 2, cp = b & 0x1F, lo = 0x80;
	} else {
		return 0; /* a continuation byte, C0/C1 (overlong) or F5..FF */
	}
	if (n < k)
		return 0;
	for (size_t i = 1; i < k; i++) {
		if ((p[i] & 0xC0) != 0x80)
			return 0;
		cp = cp << 6 | (p[i] & 0x3F);
	}
	if (cp < lo || cp > 0x10FFFF || (cp >= 0xD800 && cp < 0xE000) || cp < 0xA0)
		return 0;
	return k;
}

/* Counts the characters of s[0..n) into *chars if it is clean UTF-8 and
 * at most max characters long; at[] (max + 1 entries, may be NULL)
 * receives each character's byte offset and, last, n. */
static enum emv_error walk(const char *s, size_t n, size_t *at, size_t max, size_t *chars)
{
	size_t i = 0, c = 0;

	while (i < n) {
		size_t k = char_len((const unsigned char *)s + i, n - i);
		if (!k)
			return EMV_BAD_UTF8;
		if (c == max)
			return EMV_TOO_LONG;
		if (at)
			at[c] = i;
		c++;
		i += k;
	}
	if (at)
		at[c] = n;
	*chars = c;
	return EMV_OK;
}

/* A data object: its tag and the characters of its value. */
struct obj {
	int tag;
	size_t from, to; /* character indexes, value only */
};

/* The payload as characters: byte offsets and the objects found. */
struct scan {
	const char *s;
	size_t at[EMV_MAX_CHARS + 1];
	size_t chars;
	struct obj obj[EMV_MAX_CHARS / 5 + 1]; /* every object takes 5 characters or more */
	int nobj;
};

static int two_digits(const struct scan *sc, size_t c)
{
	unsigned char a = (unsigned char)sc->s[sc->at[c]], b = (unsigned char)sc->s[sc->at[c + 1]];
	if (a < '0' || a > '9' || b < '0' || b > '9')
		return -1;
	return (a - '0') * 10 + (b - '0');
}

/* Splits characters [from, to) into objects (at most max of them). */
static enum emv_error split(const struct scan *sc, size_t from, size_t to, struct obj *out,
                            int max, int *nout)
{
	int n = 0;

	while (from < to) {
		if (to - from < 4)
			return EMV_OVERRUN;
		int tag = two_digits(sc, from), len = two_digits(sc, from + 2);
		if (tag < 0)
			return EMV_BAD_TAG;
		if (len <= 0)
			return EMV_BAD_LENGTH;
		if ((size_t)len > to - from - 4)
			return EMV_OVERRUN;
		if (n == max)
			return EMV_OVERRUN;
		out[n++] = (struct obj){ tag, from + 4, from + 4 + (size_t)len };
		from += 4 + (size_t)len;
	}
	*nout = n;
	return EMV_OK;
}

static const char *value(const struct scan *sc, const struct obj *o, size_t *bytes)
{
	*bytes = sc->at[o->to] - sc->at[o->from];
	return sc->s + sc->at[o->from];
}

static bool value_is(const struct scan *sc, const struct obj *o, const char *want)
{
	size_t n;
	const char *v = value(sc, o, &n);
	return n == strlen(want) && memcmp(v, want, n) == 0;
}

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1; /* lower case too: the spec writes upper case */
}

static enum emv_error check_crc(const struct scan *sc)
{
	const struct obj *last = &sc->obj[sc->nobj - 1];
	size_t n;
	const char *v = value(sc, last, &n);
	unsigned want = 0;

	for (int i = 0; i < sc->nobj - 1; i++)
		if (sc->obj[i].tag == 63)
			return EMV_NO_CRC;
	if (last->tag != 63 || last->to - last->from != 4)
		return EMV_NO_CRC;
	for (size_t i = 0; i < 4; i++) {
		int d = hex_digit(v[i]);
		if (d < 0)
			return EMV_NO_CRC;
		want = want << 4 | (unsigned)d;
	}
	return emv_crc16(sc->s, sc->at[last->from]) == want ? EMV_OK : EMV_BAD_CRC;
}

/* Copies a value, cut on a character boundary to fit dst[n]. */
static void copy_value(char *dst, size_t n, const char *v, size_t len)
{
	if (len > n - 1) {
		len = n - 1;
		while (len && ((unsigned char)v[len] & 0xC0) == 0x80)
			len--;
	}
	memcpy(dst, v, len);
	dst[len] = '\0';
}

/* Tag 62's sub-tag 05 if the template parses and has one, else all of 62. */
static void copy_reference(const struct scan *sc, const struct obj *o, struct emv_info *info)
{
	struct obj sub[EMV_MAX_CHARS / 5 + 1];
	int nsub = 0;
	const struct obj *pick = o;
	size_t n;

	if (split(sc, o->from, o->to, sub, (int)(sizeof sub / sizeof *sub), &nsub) == EMV_OK)
		for (int i = 0; i < nsub; i++)
			if (sub[i].tag == 5) {
				pick = &sub[i];
				break;
			}
	const char *v = value(sc, pick, &n);
	copy_value(info->reference, sizeof info->reference, v, n);
}

static enum emv_error check_fields(const struct scan *sc, long long amount_fen,
                                   struct emv_info *info)
{
	const struct obj *by_tag[100] = { NULL };
	long long fen = 0;
	size_t n;

	for (int i = 0; i < sc->nobj; i++) {
		if (by_tag[sc->obj[i].tag])
			return EMV_DUPLICATE_TAG;
		by_tag[sc->obj[i].tag] = &sc->obj[i];
	}
	if (!by_tag[53] || !value_is(sc, by_tag[53], "156"))
		return EMV_BAD_CURRENCY;
	if (!by_tag[54])
		return EMV_BAD_AMOUNT;
	const char *amount = value(sc, by_tag[54], &n);
	if (n > AMOUNT_MAX_CHARS || !money_parse_yuan(amount, n, &fen) || fen <= 0)
		return EMV_BAD_AMOUNT;
	if (fen != amount_fen)
		return EMV_AMOUNT_MISMATCH;
	if (!info)
		return EMV_OK;
	info->amount_fen = fen;
	if (by_tag[59]) {
		const char *v = value(sc, by_tag[59], &n);
		copy_value(info->merchant_name, sizeof info->merchant_name, v, n);
	}
	if (by_tag[60]) {
		const char *v = value(sc, by_tag[60], &n);
		copy_value(info->merchant_city, sizeof info->merchant_city, v, n);
	}
	if (by_tag[62])
		copy_reference(sc, by_tag[62], info);
	return EMV_OK;
}

enum emv_error emv_check(const char *payload, long long amount_fen, struct emv_info *info)
{
	struct scan sc;
	enum emv_error e;

	if (info)
		memset(info, 0, sizeof *info);
	if (!payload || !*payload)
		return EMV_EMPTY;
	sc.s = payload;
	e = walk(payload, strlen(payload), sc.at, EMV_MAX_CHARS, &sc.chars);
	if (e != EMV_OK)
		return e;
	e = split(&sc, 0, sc.chars, sc.obj, (int)(sizeof sc.obj / sizeof *sc.obj), &sc.nobj);
	if (e != EMV_OK)
		return e;
	if (sc.obj[0].tag != 0 || !value_is(&sc, &sc.obj[0], "01"))
		return EMV_NO_FORMAT;
	e = check_crc(&sc);
	if (e != EMV_OK)
		return e;
	e = check_fields(&sc, amount_fen, info);
	if (e != EMV_OK && info)
		memset(info, 0, sizeof *info);
	return e;
}

const char *emv_error_name(enum emv_error e)
{
	static const char *const names[] = {
		[EMV_OK] = "ok",
		[EMV_EMPTY] = "empty payload",
		[EMV_TOO_LONG] = "payload too long",
		[EMV_BAD_UTF8] = "invalid UTF-8 or a control character",
		[EMV_BAD_TAG] = "tag not 2 digits",
		[EMV_BAD_LENGTH] = "length not 2 digits or zero",
		[EMV_OVERRUN] = "length past the end",
		[EMV_NO_FORMAT] = "no payload format indicator 01 first",
		[EMV_NO_CRC] = "no CRC last",
		[EMV_BAD_CRC] = "bad CRC",
		[EMV_DUPLICATE_TAG] = "duplicate tag",
		[EMV_BAD_CURRENCY] = "currency not CNY",
		[EMV_BAD_AMOUNT] = "bad amount",
		[EMV_AMOUNT_MISMATCH] = "amount differs from the payment",
	};
	if ((unsigned)e < sizeof names / sizeof *names && names[e])
		return names[e];
	return "unknown error";
}

/* The payload being built: bytes, with room for the largest one. */
struct out {
	char s[1024];
	size_t len;
};

static void out_raw(struct out *o, const char *s, size_t n)
{
	memcpy(o->s + o->len, s, n);
	o->len += n;
	o->s[o->len] = '\0';
}

/* Appends tag, the character count of v[0..n) and v. */
static void out_obj(struct out *o, int tag, const char *v, size_t n)
{
	size_t chars = 0;
	char head[4] = { (char)('0' + tag / 10), (char)('0' + tag % 10), 0, 0 };

	walk(v, n, NULL, EMV_MAX_CHARS, &chars);
	head[2] = (char)('0' + chars / 10);
	head[3] = (char)('0' + chars % 10);
	out_raw(o, head, 4);
	out_raw(o, v, n);
}

static void out_str(struct out *o, int tag, const char *v)
{
	out_obj(o, tag, v, strlen(v));
}

/* The bytes of s's first max characters; 0 if s is not clean UTF-8. */
static size_t cut_chars(const char *s, size_t max)
{
	size_t n = strlen(s), i = 0, chars;

	if (walk(s, n, NULL, SIZE_MAX, &chars) != EMV_OK)
		return 0;
	for (size_t c = 0; c < max && i < n; c++)
		i += char_len((const unsigned char *)s + i, n - i);
	return i;
}

char *emv_build(long long amount_fen, const char *merchant_name, const char *merchant_city,
                const char *reference)
{
	struct out o = { .len = 0 };
	char amount[32], crc[5];
	size_t name_n, city_n, ref_n;

	if (amount_fen <= 0 || amount_fen > EMV_MAX_AMOUNT_FEN || !merchant_name || !merchant_city ||
	    !reference)
		return NULL;
	name_n = cut_chars(merchant_name, 25);
	city_n = cut_chars(merchant_city, 15);
	ref_n = cut_chars(reference, 25);
	if (!name_n || !city_n || (!ref_n && *reference))
		return NULL;

	out_str(&o, 0, "01");
	out_str(&o, 1, "12"); /* dynamic: one payment */
	{
		struct out acct = { .len = 0 };
		out_str(&acct, 0, BUILD_GUID);
		out_str(&acct, 1, BUILD_MERCHANT_ID);
		out_obj(&o, 26, acct.s, acct.len);
	}
	out_str(&o, 52, BUILD_MCC);
	out_str(&o, 53, "156");
	out_obj(&o, 54, amount, money_format(amount_fen, amount, sizeof amount));
	out_str(&o, 58, "CN");
	out_obj(&o, 59, merchant_name, name_n);
	out_obj(&o, 60, merchant_city, city_n);
	if (ref_n) {
		struct out add = { .len = 0 };
		out_obj(&add, 5, reference, ref_n);
		out_obj(&o, 62, add.s, add.len);
	}
	out_raw(&o, "6304", 4);
	unsigned v = emv_crc16(o.s, o.len);
	for (int i = 3; i >= 0; i--, v >>= 4)
		crc[i] = "0123456789ABCDEF"[v & 0xF];
	out_raw(&o, crc, 4);

	char *p = malloc(o.len + 1);
	if (!p)
		abort(); /* out of memory: the supervisor restarts us */
	memcpy(p, o.s, o.len + 1);
	return p;
}
