/* emv.h: EMVCo merchant-presented QR payloads (pure core).
 *
 * The kiosk shows a payment's `qr_payload` only after emv_check has parsed
 * it and found it to be exactly the payment on the screen; the reference
 * gateway builds its payloads with emv_build. A payload is TLV: a 2-digit
 * tag, a 2-digit length counted in characters (code points, not bytes) and
 * the value. The checks (each failure has its own code, for the log and the
 * tests; the citizen only ever sees "cannot be shown"):
 *  - every length is 2 ASCII digits and stays inside the payload;
 *  - tag 00 comes first, with the value "01";
 *  - tag 63 comes last, with 4 upper-case hex digits, and equals the
 *    CRC-16/CCITT-FALSE (poly 0x1021, init 0xFFFF, no reflection, no final
 *    xor) of the UTF-8 bytes up to and including "6304";
 *  - tag 53 is "156" (CNY); tag 54 is the amount in yuan with at most two
 *    decimals (money_parse_yuan: no sign, no exponent, a digit before the
 *    point; at most 13 characters as EMVCo says; not zero) and equals
 *    amount_fen exactly;
 *  - no top-level tag twice; only printable characters (no C0/C1 controls);
 *  - the whole payload is at most EMV_MAX_CHARS characters, and valid UTF-8.
 * Other tags (account templates 02-51, 52, 58-60, 62, 64...) are not
 * checked beyond their length, so any scheme's payload passes.
 */
#ifndef KIOSK_EMV_H
#define KIOSK_EMV_H

#include <stddef.h>
#include <stdint.h>

/* 512 characters: the largest payload the kiosk can draw as a QR at its
 * smallest supported grid; the EMVCo maximum is 512 as well. */
#define EMV_MAX_CHARS 512

/* The largest amount emv_build writes: "9999999999.99" fills tag 54's 13
 * characters. */
#define EMV_MAX_AMOUNT_FEN 999999999999LL

enum emv_error {
	EMV_OK = 0,
	EMV_EMPTY,          /* no payload */
	EMV_TOO_LONG,       /* over EMV_MAX_CHARS characters */
	EMV_BAD_UTF8,       /* not UTF-8, or a control character */
	EMV_BAD_TAG,        /* a tag that is not 2 digits */
	EMV_BAD_LENGTH,     /* a length that is not 2 digits, or 0 */
	EMV_OVERRUN,        /* a length past the end of the payload */
	EMV_NO_FORMAT,      /* tag 00 missing, not first, or not "01" */
	EMV_NO_CRC,         /* tag 63 missing, not last, or not 4 hex digits (upper case) */
	EMV_BAD_CRC,        /* the CRC does not match */
	EMV_DUPLICATE_TAG,  /* a top-level tag twice */
	EMV_BAD_CURRENCY,   /* tag 53 missing or not "156" */
	EMV_BAD_AMOUNT,     /* tag 54 missing or not an amount in yuan */
	EMV_AMOUNT_MISMATCH /* tag 54 is not the payment's amount */
};

/* What a checked payload says (pointers into nothing: copies, valid UTF-8
 * without control characters, cut on a character boundary; "" where the
 * payload has no such tag). */
struct emv_info {
	long long amount_fen;
	char merchant_name[128]; /* tag 59, UTF-8 (EMVCo: 25 characters) */
	char merchant_city[64];  /* tag 60 (15 characters) */
	/* Tag 62, sub-tag 05 if present (25 characters, so up to 100 bytes),
	 * else the whole value. */
	char reference[104];
};

/* CRC-16/CCITT-FALSE of n bytes ("123456789" gives 0x29B1). */
uint16_t emv_crc16(const void *data, size_t n);

/* Checks payload (NUL-terminated) against the payment's amount in fen.
 * info (may be NULL) is filled on EMV_OK and zeroed otherwise. The first
 * failure found is returned, in this order: empty, UTF-8 and length,
 * structure (tag, length, overrun), format indicator, CRC, then the fields
 * (duplicate, currency, amount), so a payload spoiled in transit is a CRC
 * failure and one re-signed with another amount a mismatch. */
enum emv_error emv_check(const char *payload, long long amount_fen, struct emv_info *info);

/* A short English name of an error, for the log ("bad CRC"). */
const char *emv_error_name(enum emv_error e);

/* Builds a dynamic payload (tag 01 "12") for amount_fen in CNY: tags 00,
 * 01, 26 (the reference gateway's fictional merchant account: GUID
 * "D15600000000", id in sub-tag 01), 52 (MCC 9399, government services),
 * 53 "156", 54 (two decimals: "45.60"), 58 "CN", 59 merchant name and 60
 * city (UTF-8; cut at 25 and 15 characters), 62 with the reference in
 * sub-tag 05 (cut at 25 characters; no tag 62 if reference is ""), 63 CRC.
 * Returns a malloc'ed string the caller frees, or NULL if an argument is
 * unusable (amount <= 0 or over EMV_MAX_AMOUNT_FEN, NULL strings, an empty
 * name or city, invalid UTF-8 or control characters). */
char *emv_build(long long amount_fen, const char *merchant_name, const char *merchant_city,
                const char *reference);

#endif
