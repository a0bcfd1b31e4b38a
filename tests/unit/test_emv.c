/* test_emv.c: EMVCo merchant-presented payloads (kiosk/core/emv.c): the CRC
 * against its check value, published sample payloads, each refusal of
 * emv.h's list, emv_build's layout, and a property test: whatever the
 * gateway builds checks back to the same amount and names, and any one
 * changed character is refused. */
#include <criterion/criterion.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "emv.h"

TestSuite(emv);

/* Characters in s: bytes that do not continue a UTF-8 sequence. */
static size_t chars(const char *s)
{
	size_t n = 0;
	for (; *s; s++)
		n += ((unsigned char)*s & 0xC0) != 0x80;
	return n;
}

/* Appends a data object (tag, character count, value) to buf. */
static void obj(char *buf, size_t cap, int tag, const char *v)
{
	size_t len = strlen(buf);
	snprintf(buf + len, cap - len, "%02d%02zu%s", tag, chars(v), v);
}

/* A new payload: body + "6304" + its CRC (caller frees). The CRC comes
 * from emv_crc16, which the published vectors below pin down. */
static char *seal(const char *body)
{
	size_t n = strlen(body);
	char *p = malloc(n + 9);
	cr_assert_not_null(p);
	memcpy(p, body, n);
	memcpy(p + n, "6304", 5);
	snprintf(p + n + 4, 5, "%04X", emv_crc16(p, n + 4));
	return p;
}

/* A body of the payment every refusal test spoils in one way: 45.60 yuan.
 * Objects are given as (tag, value) pairs, ending with -1. */
static char *body_of(int tag, ...)
{
	static char buf[2048];
	va_list ap;

	buf[0] = '\0';
	va_start(ap, tag);
	for (; tag >= 0; tag = va_arg(ap, int))
		obj(buf, sizeof buf, tag, va_arg(ap, const char *));
	va_end(ap);
	return buf;
}

#define GOOD_BODY                                                                          \
	body_of(0, "01", 1, "12", 26, "0012D1560000000001043721", 52, "9399", 53, "156", 54, \
	        "45.60", 58, "CN", 59, "市自来水公司", 60, "北京", 62, "0506W00042", -1)

static void expect(const char *payload, long long fen, enum emv_error want)
{
	struct emv_info info;
	memset(&info, 'x', sizeof info);
	enum emv_error got = emv_check(payload, fen, &info);
	cr_expect_eq(got, want, "emv_check gave \"%s\", want \"%s\" for %s", emv_error_name(got),
	             emv_error_name(want), payload ? payload : "(null)");
	if (got != EMV_OK)
		cr_expect(info.amount_fen == 0 && !info.merchant_name[0] && !info.reference[0],
		          "info not zeroed on a refusal");
}

static void expect_sealed(const char *body, long long fen, enum emv_error want)
{
	char *p = seal(body);
	expect(p, fen, want);
	free(p);
}

Test(emv, crc_check_value)
{
	/* The catalogue check value of CRC-16/CCITT-FALSE (a.k.a. IBM-3740). */
	cr_assert_eq(emv_crc16("123456789", 9), 0x29B1);
	cr_assert_eq(emv_crc16("", 0), 0xFFFF);
	cr_assert_eq(emv_crc16("A", 1), 0xB915);
}

/* The example of the EMV QR Code Specification for Payment Systems,
 * Merchant-Presented Mode (EMVCo), appendix: a Chinese merchant (tag 64
 * holds 最佳运输 and 北京, so its length 20 counts characters while the
 * CRC A13A runs over UTF-8 bytes). Quoted in the npm package emvqr's
 * README (https://www.npmjs.com/package/emvqr). */
static const char emvco_sample[] =
	"00020101021229300012D156000000000510A93FO3230Q31280012D15600000001030812345678520441115802CN"
	"5914BEST TRANSPORT6007BEIJING64200002ZH0104最佳运输0202北京540523.72530315655020162330304"
	"12340603***0708A60086670902ME91320016A0112233449988770708123456786304A13A";

Test(emv, emvco_specification_sample)
{
	struct emv_info info;
	size_t crc_at = strlen(emvco_sample) - 4;

	cr_assert_eq(emv_crc16(emvco_sample, crc_at), 0xA13A);
	cr_assert_eq(emv_check(emvco_sample, 2372, &info), EMV_OK);
	cr_expect_eq(info.amount_fen, 2372);
	cr_expect_str_eq(info.merchant_name, "BEST TRANSPORT");
	cr_expect_str_eq(info.merchant_city, "BEIJING");
	/* Its tag 62 has no sub-tag 05: the whole template is the reference. */
	cr_expect_str_eq(info.reference, "030412340603***0708A60086670902ME");
	expect(emvco_sample, 2371, EMV_AMOUNT_MISMATCH);
	expect(emvco_sample, 237200, EMV_AMOUNT_MISMATCH);
}

/* Two more published payloads in other currencies: their structure and CRC
 * pass, so the refusal is the currency. Bakong KHQR (Cambodia), from the
 * README of github.com/phannaly/emv-qr-code; a Mastercard developer
 * example (developer.mastercard.com, "Generate QR Code for Merchants"). */
Test(emv, other_published_samples)
{
	static const char *const samples[] = {
		"00020101021252044131153137210116372101160123456789ABCDE6016Banteay Meanchey"
		"5913Kuntheas Shop5802KH540510.005303840621201081234567863041FF2",
		"000201010211057704736a2f41a3-c54c-fce8-32d2-0324e1c32e22*3440e5bf-81ca-4c5f-a1b2-"
		"cf989f09a03952045024530384054031005802US5913Test Merchant6008New York6208030412346304"
		"6F6D",
	};
	static const unsigned crc[] = { 0x1FF2, 0x6F6D };
	for (size_t i = 0; i < sizeof samples / sizeof *samples; i++) {
		size_t n = strlen(samples[i]);
		cr_expect_eq(emv_crc16(samples[i], n - 4), crc[i], "sample %zu", i);
		expect(samples[i], 1000, EMV_BAD_CURRENCY);
	}
}

/* A merchant name in Chinese (14 characters, 42 bytes): the length says
 * 14, and the CRC FFEC was computed independently (a Python
 * CRC-16/CCITT-FALSE over the UTF-8 bytes). */
Test(emv, chinese_merchant_name)
{
	static const char p[] = "00020101021226320012D156000000000112GOVKIOSK00015204490053031565406"
	                        "128.505802CN5914北京市自来水集团有限责任公司6002北京62140510水费"
	                        "2026年11月6304FFEC";
	struct emv_info info;

	cr_assert_eq(emv_check(p, 12850, &info), EMV_OK);
	cr_expect_str_eq(info.merchant_name, "北京市自来水集团有限责任公司");
	cr_expect_str_eq(info.merchant_city, "北京");
	cr_expect_str_eq(info.reference, "水费2026年11月");

	/* The same name with its length counted in bytes (42) runs past 59's
	 * true end: the objects after it no longer line up. */
	char *bytes = strdup(p);
	memcpy(strstr(bytes, "5914北京"), "5942", 4);
	cr_expect_neq(emv_check(bytes, 12850, NULL), EMV_OK);
	free(bytes);
}

Test(emv, good_body_passes)
{
	struct emv_info info;
	char *p = seal(GOOD_BODY);
	cr_assert_eq(emv_check(p, 4560, &info), EMV_OK, "%s", p);
	cr_expect_str_eq(info.merchant_name, "市自来水公司");
	cr_expect_str_eq(info.reference, "W00042");
	cr_expect_eq(emv_check(p, 4560, NULL), EMV_OK);
	free(p);
}

Test(emv, empty)
{
	expect(NULL, 4560, EMV_EMPTY);
	expect("", 4560, EMV_EMPTY);
}

/* The good body padded to n characters with objects of tags 90, 91...
 * (unreserved templates: not checked), sealed. */
static char *padded(size_t n)
{
	char buf[4096];
	snprintf(buf, sizeof buf, "%s", GOOD_BODY);
	cr_assert_lt(chars(buf) + 8 + 5, n);
	size_t need = n - 8 - chars(buf);
	for (int tag = 90; need > 0; tag++) {
		/* At most 103 characters an object, never leaving fewer than 5. */
		size_t len = need > 107 ? 103 : need > 103 ? need - 5 : need;
		char v[100];
		memset(v, 'P', len - 4);
		v[len - 4] = '\0';
		obj(buf, sizeof buf, tag, v);
		need -= len;
	}
	char *p = seal(buf);
	cr_assert_eq(chars(p), n);
	return p;
}

Test(emv, too_long)
{
	char *p = padded(EMV_MAX_CHARS);
	expect(p, 4560, EMV_OK); /* the limit itself */
	free(p);
	p = padded(EMV_MAX_CHARS + 1);
	expect(p, 4560, EMV_TOO_LONG);
	free(p);
	p = padded(600);
	expect(p, 4560, EMV_TOO_LONG);
	free(p);

	/* 600 characters of nothing at all. */
	char junk[601];
	memset(junk, '0', 600);
	junk[600] = '\0';
	expect(junk, 4560, EMV_TOO_LONG);

	/* Characters, not bytes: 3 x 56 Chinese characters (504 bytes) fit. */
	char part[200] = "", big[2048];
	for (int i = 0; i < 56; i++)
		strcat(part, "水");
	snprintf(big, sizeof big, "%s", body_of(0, "01", 53, "156", 54, "45.60", 59, "x", -1));
	for (int tag = 80; tag < 83; tag++)
		obj(big, sizeof big, tag, part);
	char *q = seal(big);
	cr_expect_gt(strlen(q), EMV_MAX_CHARS);
	expect(q, 4560, EMV_OK);
	free(q);
}

Test(emv, lengths_that_overrun)
{
	expect_sealed(body_of(0, "01", 53, "156", 54, "45.60", -1), 4560, EMV_OK);
	/* The last object's length claims more than there is. */
	expect("000201530315654054", 4560, EMV_OVERRUN);
	expect("00020153031565499", 4560, EMV_OVERRUN);
	/* A length that swallows the CRC. */
	expect("0002015303156541445.606304ABCD", 4560, EMV_OVERRUN);
	/* A header cut short: 1 to 3 characters after the last object. */
	expect("0002015", 4560, EMV_OVERRUN);
	expect("00020153", 4560, EMV_OVERRUN);
	expect("000201530", 4560, EMV_OVERRUN);
}

Test(emv, non_digit_lengths_and_tags)
{
	expect("0002015303156540A45.60", 4560, EMV_BAD_LENGTH);
	expect("00020153O3156", 4560, EMV_BAD_LENGTH);
	expect("00020153 3156", 4560, EMV_BAD_LENGTH);
	expect("0002015300", 4560, EMV_BAD_LENGTH); /* zero: EMVCo has no empty objects */
	expect("000201530-1", 4560, EMV_BAD_LENGTH);
	expect("0002015\xe4\xb8\x80" "031", 4560, EMV_BAD_TAG); /* a Chinese digit (一) */
	expect("000201A10312356", 4560, EMV_BAD_TAG);
	expect("0002015 03156", 4560, EMV_BAD_TAG);
	expect("000201+3031", 4560, EMV_BAD_TAG);
}

Test(emv, crc_not_upper_case_hex)
{
	/* Find a reference whose CRC has a letter, then write it in lower case. */
	char body[256], *p = NULL;
	for (int i = 0; !p; i++) {
		char ref[16];
		snprintf(ref, sizeof ref, "R%d", i);
		snprintf(body, sizeof body, "%s", body_of(0, "01", 53, "156", 54, "45.60", 62, ref, -1));
		char *q = seal(body);
		if (strpbrk(q + strlen(q) - 4, "ABCDEF"))
			p = q;
		else
			free(q);
	}
	expect(p, 4560, EMV_OK);
	for (char *c = p + strlen(p) - 4; *c; c++)
		if (*c >= 'A' && *c <= 'F')
			*c = (char)(*c - 'A' + 'a');
	expect(p, 4560, EMV_NO_CRC);
	free(p);
	expect("000201530315654045.606304G000", 4560, EMV_NO_CRC);
	expect("000201530315654045.606304 000", 4560, EMV_NO_CRC);
	expect("000201530315654045.606304-001", 4560, EMV_NO_CRC);
}

Test(emv, crc_missing_misplaced_or_misshaped)
{
	/* Missing. */
	expect(GOOD_BODY, 4560, EMV_NO_CRC);
	/* Not last: an object after a correct CRC. */
	char *p = seal(GOOD_BODY);
	char *q = malloc(strlen(p) + 7);
	sprintf(q, "%s5802CN", p);
	expect(q, 4560, EMV_NO_CRC);
	free(q);
	free(p);
	/* Not last, but the one at the end is right too. */
	char body[512];
	snprintf(body, sizeof body, "%s63041234", GOOD_BODY);
	expect_sealed(body, 4560, EMV_NO_CRC);
	/* Length 3 or 5. */
	snprintf(body, sizeof body, "%s6303ABC", GOOD_BODY);
	expect(body, 4560, EMV_NO_CRC);
	snprintf(body, sizeof body, "%s6305ABCDE", GOOD_BODY);
	expect(body, 4560, EMV_NO_CRC);
}

Test(emv, wrong_crc)
{
	char *p = seal(GOOD_BODY);
	size_t n = strlen(p);
	for (size_t i = n - 4; i < n; i++) {
		char keep = p[i];
		p[i] = keep == '0' ? '1' : '0';
		expect(p, 4560, EMV_BAD_CRC);
		p[i] = keep;
	}
	/* The CRC of the right bytes, but over fewer of them (without "6304"). */
	char body[512];
	snprintf(body, sizeof body, "%s", GOOD_BODY);
	size_t b = strlen(body);
	snprintf(body + b, sizeof body - b, "6304%04X", emv_crc16(body, b));
	expect(body, 4560, EMV_BAD_CRC);
	free(p);
}

Test(emv, format_indicator)
{
	/* Not first. */
	expect_sealed(body_of(1, "12", 0, "01", 53, "156", 54, "45.60", -1), 4560, EMV_NO_FORMAT);
	/* Missing. */
	expect_sealed(body_of(1, "12", 53, "156", 54, "45.60", -1), 4560, EMV_NO_FORMAT);
	/* Not "01". */
	expect_sealed(body_of(0, "02", 53, "156", 54, "45.60", -1), 4560, EMV_NO_FORMAT);
	expect_sealed(body_of(0, "1", 53, "156", 54, "45.60", -1), 4560, EMV_NO_FORMAT);
	expect_sealed(body_of(0, "010", 53, "156", 54, "45.60", -1), 4560, EMV_NO_FORMAT);
	/* Twice: the second is a duplicate. */
	expect_sealed(body_of(0, "01", 0, "01", 53, "156", 54, "45.60", -1), 4560,
	              EMV_DUPLICATE_TAG);
}

Test(emv, duplicate_tag)
{
	expect_sealed(body_of(0, "01", 53, "156", 54, "45.60", 54, "45.60", -1), 4560,
	              EMV_DUPLICATE_TAG);
	expect_sealed(body_of(0, "01", 59, "A", 53, "156", 54, "45.60", 59, "B", -1), 4560,
	              EMV_DUPLICATE_TAG);
	/* A second currency cannot sneak in after a good one either. */
	expect_sealed(body_of(0, "01", 53, "156", 54, "45.60", 53, "840", -1), 4560,
	              EMV_DUPLICATE_TAG);
}

Test(emv, wrong_currency)
{
	expect_sealed(body_of(0, "01", 53, "840", 54, "45.60", -1), 4560, EMV_BAD_CURRENCY);
	expect_sealed(body_of(0, "01", 53, "CNY", 54, "45.60", -1), 4560, EMV_BAD_CURRENCY);
	expect_sealed(body_of(0, "01", 53, "1560", 54, "45.60", -1), 4560, EMV_BAD_CURRENCY);
	expect_sealed(body_of(0, "01", 54, "45.60", -1), 4560, EMV_BAD_CURRENCY);
}

/* The gateway's tampering fault: another amount, CRC recomputed. */
Test(emv, amount_changed_with_a_correct_crc)
{
	expect_sealed(body_of(0, "01", 53, "156", 54, "4.56", -1), 4560, EMV_AMOUNT_MISMATCH);
	expect_sealed(body_of(0, "01", 53, "156", 54, "45.61", -1), 4560, EMV_AMOUNT_MISMATCH);
	expect_sealed(body_of(0, "01", 53, "156", 54, "456", -1), 4560, EMV_AMOUNT_MISMATCH);
	/* The same amount written three ways passes. */
	expect_sealed(body_of(0, "01", 53, "156", 54, "45.6", -1), 4560, EMV_OK);
	expect_sealed(body_of(0, "01", 53, "156", 54, "45.60", -1), 4560, EMV_OK);
	expect_sealed(body_of(0, "01", 53, "156", 54, "45", -1), 4500, EMV_OK);
	/* A payment of another amount, or a negative one. */
	expect_sealed(body_of(0, "01", 53, "156", 54, "45.60", -1), -4560, EMV_AMOUNT_MISMATCH);
}

Test(emv, bad_amounts)
{
	static const char *const bad[] = {
		"45.605", "+1.00", "-1.00", "1e3", "1E3", ".5", "5.", "1,00", " 1", "1 ", "0x10",
		"45..6", "4 5", "0", "0.00", "12345678901.00", "1234567890123", "１２", "NaN", "inf",
	};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
		expect_sealed(body_of(0, "01", 53, "156", 54, bad[i], -1), 4560, EMV_BAD_AMOUNT);
	/* Missing. */
	expect_sealed(body_of(0, "01", 53, "156", -1), 4560, EMV_BAD_AMOUNT);
	/* 13 characters is the limit, and leading zeros are only zeros. */
	expect_sealed(body_of(0, "01", 53, "156", 54, "9999999999.99", -1), 999999999999LL, EMV_OK);
	expect_sealed(body_of(0, "01", 53, "156", 54, "045.60", -1), 4560, EMV_OK);
	expect_sealed(body_of(0, "01", 53, "156", 54, "0.01", -1), 1, EMV_OK);
}

Test(emv, control_characters_and_bad_utf8)
{
	static const char *const bad[] = {
		"\x01", "\x1b[31m", "\t", "\n", "\r", "\x7f",
		"\xc2\x85",         /* U+0085 NEL, a C1 control */
		("\xc2\x9b" "31m"), /* CSI as a C1 control */
		"\x80",             /* a lone continuation byte */
		"\xc0\xaf",         /* an overlong '/' */
		"\xe0\x80\xaf",     /* another */
		"\xed\xa0\x80",     /* a surrogate */
		"\xf4\x90\x80\x80", /* past U+10FFFF */
		"\xf5\x80\x80\x80", "\xff", "\xe6\xb0",
	};
	/* In the merchant's name: refused before any object is read. */
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		char name[32];
		snprintf(name, sizeof name, "A%sB", bad[i]);
		expect_sealed(body_of(0, "01", 53, "156", 54, "45.60", 59, name, -1), 4560, EMV_BAD_UTF8);
	}
	/* A cut sequence at the very end. */
	expect("000201\xe6\xb0", 4560, EMV_BAD_UTF8);
	/* Characters that are fine: CJK, full-width, emoji, U+00A0. */
	expect_sealed(body_of(0, "01", 53, "156", 54, "45.60", 59, "水\xef\xbc\x88\xf0\x9f\x92\xa7\xc2\xa0", -1),
	              4560, EMV_OK);
}

Test(emv, truncated_anywhere)
{
	char *p = seal(GOOD_BODY);
	size_t n = strlen(p);
	for (size_t cut = 1; cut < n; cut++) {
		if (((unsigned char)p[cut] & 0xC0) == 0x80)
			continue; /* inside a character: that is bad UTF-8, tested above */
		char keep = p[cut];
		p[cut] = '\0';
		enum emv_error e = emv_check(p, 4560, NULL);
		cr_expect(e == EMV_OVERRUN || e == EMV_NO_CRC || e == EMV_NO_FORMAT,
		          "cut at %zu: %s", cut, emv_error_name(e));
		p[cut] = keep;
	}
	free(p);
}

Test(emv, reference_from_tag_62)
{
	struct emv_info info;
	char *p;

	/* Sub-tag 05 among others. */
	p = seal(body_of(0, "01", 53, "156", 54, "1", 62, "0103ABC0506REF-010703K03", -1));
	cr_assert_eq(emv_check(p, 100, &info), EMV_OK);
	cr_expect_str_eq(info.reference, "REF-01");
	free(p);
	/* Not a template: all of it. */
	p = seal(body_of(0, "01", 53, "156", 54, "1", 62, "just words", -1));
	cr_assert_eq(emv_check(p, 100, &info), EMV_OK);
	cr_expect_str_eq(info.reference, "just words");
	free(p);
	/* Long Chinese values are cut on a character boundary. */
	char city[256] = "";
	for (int i = 0; i < 30; i++)
		strcat(city, "京");
	p = seal(body_of(0, "01", 53, "156", 54, "1", 60, city, -1));
	cr_assert_eq(emv_check(p, 100, &info), EMV_OK);
	cr_expect_eq(strlen(info.merchant_city), 63 / 3 * 3);
	cr_expect_eq(memcmp(info.merchant_city, city, strlen(info.merchant_city)), 0);
	cr_expect_str_eq(info.merchant_name, "");
	free(p);
}

Test(emv, error_names)
{
	for (int e = EMV_OK; e <= EMV_AMOUNT_MISMATCH; e++) {
		const char *name = emv_error_name((enum emv_error)e);
		cr_expect(name && *name && strcmp(name, "unknown error") != 0, "error %d", e);
		for (int f = EMV_OK; f < e; f++)
			cr_expect_str_neq(name, emv_error_name((enum emv_error)f));
	}
	cr_expect_str_eq(emv_error_name(EMV_BAD_CRC), "bad CRC");
	cr_expect_str_eq(emv_error_name((enum emv_error)99), "unknown error");
}

/* Tag by tag, what emv_build writes. */
Test(emv, build_layout)
{
	char *p = emv_build(4560, "市自来水公司", "北京", "W00042");
	cr_assert_not_null(p);
	char *want = seal(body_of(0, "01", 1, "12", 26, "0012D156000000000112GOVKIOSK0001", 52,
	                          "9399", 53, "156", 54, "45.60", 58, "CN", 59, "市自来水公司", 60,
	                          "北京", 62, "0506W00042", -1));
	cr_expect_str_eq(p, want);
	free(want);
	free(p);

	/* No reference: no tag 62. */
	p = emv_build(1, "A", "B", "");
	cr_assert_not_null(p);
	cr_expect_null(strstr(p, "6204"));
	cr_expect_not_null(strstr(p, "54040.01"));
	cr_expect_eq(emv_check(p, 1, NULL), EMV_OK);
	free(p);
}

Test(emv, build_cuts_by_characters)
{
	char name[256] = "", city[256] = "", ref[128] = "";
	for (int i = 0; i < 30; i++) {
		strcat(name, "缴");
		strcat(city, "费");
		strcat(ref, "R");
	}
	char *p = emv_build(100, name, city, ref);
	cr_assert_not_null(p);
	struct emv_info info;
	cr_assert_eq(emv_check(p, 100, &info), EMV_OK);
	cr_expect_eq(chars(info.merchant_name), 25);
	cr_expect_eq(chars(info.merchant_city), 15);
	cr_expect_eq(strlen(info.reference), 25);
	cr_expect_not_null(strstr(p, "5925缴"));
	cr_expect_not_null(strstr(p, "6015费"));
	free(p);
}

Test(emv, build_refuses)
{
	cr_expect_null(emv_build(0, "A", "B", "C"));
	cr_expect_null(emv_build(-1, "A", "B", "C"));
	cr_expect_null(emv_build(EMV_MAX_AMOUNT_FEN + 1, "A", "B", "C"));
	cr_expect_null(emv_build(100, NULL, "B", "C"));
	cr_expect_null(emv_build(100, "A", NULL, "C"));
	cr_expect_null(emv_build(100, "A", "B", NULL));
	cr_expect_null(emv_build(100, "", "B", "C"));
	cr_expect_null(emv_build(100, "A", "", "C"));
	cr_expect_null(emv_build(100, "A\x1b[2J", "B", "C"));
	cr_expect_null(emv_build(100, "A", "B\xff", "C"));
	cr_expect_null(emv_build(100, "A", "B", "C\n"));
	char *p = emv_build(EMV_MAX_AMOUNT_FEN, "A", "B", "C");
	cr_assert_not_null(p);
	cr_expect_not_null(strstr(p, "54139999999999.99"));
	cr_expect_eq(emv_check(p, EMV_MAX_AMOUNT_FEN, NULL), EMV_OK);
	free(p);
}

/* xorshift64*: the same sequence on every run, so a failure repeats. */
static unsigned long long rng_state = 0x9E3779B97F4A7C15ULL;
static unsigned long long rng(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545F4914F6CDD1DULL;
}

/* Up to max characters from the pool: ASCII or CJK (U+4E00..U+9FA5). */
static void random_text(char *out, int max, bool cjk)
{
	static const char ascii[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789 -.&()";
	int n = 1 + (int)(rng() % (unsigned)max);
	char *o = out;
	for (int i = 0; i < n; i++) {
		if (cjk && rng() % 4) {
			unsigned cp = 0x4E00 + (unsigned)(rng() % (0x9FA5 - 0x4E00));
			*o++ = (char)(0xE0 | cp >> 12);
			*o++ = (char)(0x80 | (cp >> 6 & 0x3F));
			*o++ = (char)(0x80 | (cp & 0x3F));
		} else {
			*o++ = ascii[rng() % (sizeof ascii - 1)];
		}
	}
	*o = '\0';
}

/* An amount from 1 fen to 10^10 fen, spread over the orders of magnitude. */
static long long random_amount(void)
{
	long long top = 1;
	for (int digits = 1 + (int)(rng() % 10); digits > 0; digits--)
		top *= 10;
	return 1 + (long long)(rng() % (unsigned long long)top);
}

/* Changes the character at byte i so that the bytes differ in one byte
 * only (ASCII to other ASCII, a CJK character's last byte): a burst of at
 * most 8 bits, which CRC-16 always detects. */
static void change_char(char *p, size_t i)
{
	unsigned char c = (unsigned char)p[i];
	if (c < 0x80) {
		p[i] = (char)(c == 'Z' ? 'Y' : c >= 0x21 && c < 0x7E ? c + 1 : 'Q');
	} else {
		unsigned char *last = (unsigned char *)p + i + 2;
		*last = (unsigned char)(0x80 | ((*last + 1) & 0x3F));
	}
}

Test(emv, property_build_then_check)
{
	char name[200], city[200], ref[200];
	int mutated = 0;

	for (int round = 0; round < 2000; round++) {
		long long fen = round == 0 ? 1 : round == 1 ? 10000000000LL : random_amount();
		bool cjk = round % 2;
		random_text(name, 30, cjk);
		random_text(city, 20, cjk);
		random_text(ref, 30, rng() % 4 == 0);
		char *p = emv_build(fen, name, city, ref);
		cr_assert_not_null(p, "emv_build(%lld, %s, %s, %s)", fen, name, city, ref);
		struct emv_info info;
		cr_assert_eq(emv_check(p, fen, &info), EMV_OK, "%s: %s", p,
		             emv_error_name(emv_check(p, fen, NULL)));
		cr_assert_eq(info.amount_fen, fen);
		/* The names, cut to 25 and 15 characters. */
		cr_assert_eq(strncmp(info.merchant_name, name, strlen(info.merchant_name)), 0);
		cr_assert_eq(chars(info.merchant_name), chars(name) < 25 ? chars(name) : 25);
		cr_assert_eq(strncmp(info.merchant_city, city, strlen(info.merchant_city)), 0);
		cr_assert_eq(chars(info.merchant_city), chars(city) < 15 ? chars(city) : 15);
		cr_assert_eq(strncmp(info.reference, ref, strlen(info.reference)), 0);
		cr_assert_eq(chars(info.reference), chars(ref) < 25 ? chars(ref) : 25);
		cr_assert_neq(emv_check(p, fen + 1, NULL), EMV_OK);

		/* Every 10th payload: each character changed in turn (the test
		 * below checks which refusal). */
		if (round % 10 == 0) {
			size_t n = strlen(p);
			char *q = malloc(n + 1);
			for (size_t pos = 0; pos < n; pos += (unsigned char)p[pos] >= 0xE0 ? 3 : 1) {
				memcpy(q, p, n + 1);
				change_char(q, pos);
				cr_assert_neq(emv_check(q, fen, NULL), EMV_OK, "changed at %zu: %s", pos, q);
				mutated++;
			}
			free(q);
		}
		free(p);
	}
	cr_expect_gt(mutated, 10000);
}

/* Which refusal a changed character gets: one in a value (but 00's and
 * 63's) leaves the structure whole, so the CRC refuses it. The test walks
 * the objects itself (values are ASCII or 3-byte CJK here). */
Test(emv, property_value_changes_are_crc_failures)
{
	char name[200], city[200], ref[200];

	for (int round = 0; round < 200; round++) {
		long long fen = random_amount();
		random_text(name, 30, true);
		random_text(city, 20, round % 2);
		random_text(ref, 30, false);
		char *p = emv_build(fen, name, city, ref);
		cr_assert_not_null(p);
		size_t n = strlen(p);
		char *q = malloc(n + 1);
		/* Walk objects: (byte offset of the value, its bytes). */
		size_t pos = 0;
		while (pos < n) {
			int tag = (p[pos] - '0') * 10 + (p[pos + 1] - '0');
			size_t len = (size_t)((p[pos + 2] - '0') * 10 + (p[pos + 3] - '0'));
			size_t v = pos + 4, end = v;
			for (size_t c = 0; c < len; c++)
				end += ((unsigned char)p[end] >= 0xE0) ? 3 : 1;
			for (size_t i = v; i < end; i += ((unsigned char)p[i] >= 0xE0) ? 3 : 1) {
				memcpy(q, p, n + 1);
				change_char(q, i);
				enum emv_error e = emv_check(q, fen, NULL);
				if (tag == 0)
					cr_assert_eq(e, EMV_NO_FORMAT, "%s", q);
				else if (tag == 63)
					cr_assert(e == EMV_BAD_CRC || e == EMV_NO_CRC, "%s", q);
				else
					cr_assert_eq(e, EMV_BAD_CRC, "tag %02d changed at %zu: %s: %s", tag,
					             i, emv_error_name(e), q);
			}
			pos = end;
		}
		free(q);
		free(p);
	}
}
