/* fuzz_emv.c: libFuzzer target for the EMVCo payload checker and builder
 * (emv.c, money.c).
 *
 * Input: a mode byte, the payment's amount in fen (8 bytes, little-endian),
 * then the mode's data:
 *   0  a payload, checked as it is;
 *   1  a payload body: "6304" and its CRC are appended first, so that the
 *      fuzzer gets past the CRC to the fields behind it;
 *   2  merchant name, city and reference separated by NUL bytes, built
 *      with emv_build and checked back.
 *
 * Beyond "no crash": a known error code with a name; the same answer with
 * and without info, and twice; on EMV_OK, the payload is at most
 * EMV_MAX_CHARS characters, ends in the upper-case CRC of what precedes
 * it, info holds the amount, which formats and parses back equal, and
 * clean NUL-terminated strings; one bit flipped anywhere in an accepted
 * payload, or another amount, is refused. What emv_build returns is always
 * accepted with its amount and carries the names it was given.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "emv.h"
#include "money.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAXIN 4096

/* Clean text as emv.c promises it: UTF-8 without C0, DEL or C1, and the
 * NUL inside the array. */
static void check_clean(const char *s, size_t cap)
{
	size_t n = strnlen(s, cap);
	if (n == cap)
		abort();
	for (size_t i = 0; i < n;) {
		unsigned char b = (unsigned char)s[i];
		size_t k = b < 0x80 ? 1 : b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : 2;
		if (b < 0x20 || b == 0x7F || (b >= 0x80 && b < 0xC2) || i + k > n)
			abort();
		for (size_t j = 1; j < k; j++)
			if (((unsigned char)s[i + j] & 0xC0) != 0x80)
				abort();
		if (b == 0xC2 && (unsigned char)s[i + 1] < 0xA0)
			abort(); /* C1 */
		i += k;
	}
}

static size_t chars(const char *s)
{
	size_t n = 0;
	for (; *s; s++)
		n += ((unsigned char)*s & 0xC0) != 0x80;
	return n;
}

static void check_accepted(char *p, long long fen, const struct emv_info *info)
{
	size_t n = strlen(p);
	char crc[5], amount[32];
	long long back = -1;

	if (chars(p) > EMV_MAX_CHARS || n < 8 || memcmp(p + n - 8, "6304", 4) != 0)
		abort();
	snprintf(crc, sizeof crc, "%04X", emv_crc16(p, n - 4));
	if (memcmp(p + n - 4, crc, 4) != 0)
		abort();
	if (info->amount_fen != fen || fen <= 0)
		abort();
	size_t len = money_format(fen, amount, sizeof amount);
	if (!money_parse_yuan(amount, len, &back) || back != fen)
		abort();
	check_clean(info->merchant_name, sizeof info->merchant_name);
	check_clean(info->merchant_city, sizeof info->merchant_city);
	check_clean(info->reference, sizeof info->reference);
	if (emv_check(p, fen + 1, NULL) != EMV_AMOUNT_MISMATCH)
		abort();
	/* CRC-16 catches every single-bit error, and the CRC object is always
	 * the last 8 characters, so no flip can make another valid payload.
	 * 16 flips spread by the amount (all of them would slow the run). */
	for (unsigned k = 0; k < 16; k++) {
		size_t i = (k * 7919u + (unsigned long long)fen) % n;
		p[i] ^= (char)(1 << k % 8);
		if (p[i] && emv_check(p, fen, NULL) == EMV_OK)
			abort();
		p[i] ^= (char)(1 << k % 8);
	}
}

static void check_payload(char *p, long long fen)
{
	struct emv_info info, again;
	enum emv_error e = emv_check(p, fen, &info);

	if ((unsigned)e > EMV_AMOUNT_MISMATCH || !emv_error_name(e))
		abort();
	if (emv_check(p, fen, NULL) != e || emv_check(p, fen, &again) != e ||
	    memcmp(&info, &again, sizeof info) != 0)
		abort();
	if (e == EMV_OK)
		check_accepted(p, fen, &info);
	else if (info.amount_fen || info.merchant_name[0] || info.reference[0])
		abort();
}

/* The first chars characters of s (which emv_build took as clean). */
static bool starts_with_chars(const char *got, const char *s, size_t max)
{
	size_t want = chars(s) < max ? chars(s) : max;
	return chars(got) == want && strncmp(got, s, strlen(got)) == 0;
}

/* The string after s in [.., end), or the empty one at end[-1]. */
static const char *next_field(const char *s, const char *end)
{
	const char *next = s + strlen(s) + 1;
	return next < end ? next : end - 1;
}

/* d[0..n) ends with a NUL. */
static void check_build(long long fen, const char *d, size_t n)
{
	const char *name = d, *city = next_field(name, d + n), *ref = next_field(city, d + n);

	char *p = emv_build(fen, name, city, ref);
	if (!p)
		return;
	struct emv_info info;
	if (emv_check(p, fen, &info) != EMV_OK)
		abort();
	if (!starts_with_chars(info.merchant_name, name, 25) ||
	    !starts_with_chars(info.merchant_city, city, 15))
		abort();
	if (*ref && !starts_with_chars(info.reference, ref, 25))
		abort();
	check_accepted(p, fen, &info);
	free(p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char buf[MAXIN + 16];
	uint64_t raw = 0;

	if (size < 9 || size > MAXIN)
		return 0;
	for (int i = 8; i >= 1; i--)
		raw = raw << 8 | data[i];
	long long fen = (long long)raw;
	size_t n = size - 9;
	memcpy(buf, data + 9, n);
	buf[n] = '\0';

	switch (data[0] % 3) {
	case 0:
		check_payload(buf, fen);
		break;
	case 1: {
		size_t body = strlen(buf);
		memcpy(buf + body, "6304", 4);
		snprintf(buf + body + 4, 5, "%04X", emv_crc16(buf, body + 4));
		check_payload(buf, fen);
		break;
	}
	default:
		check_build(fen, buf, n + 1);
		break;
	}
	return 0;
}
