/* money.h: amounts in fen, written and spoken (pure core).
 *
 * Money is integer fen everywhere (1 yuan = 100 fen); never floats.
 */
#ifndef KIOSK_MONEY_H
#define KIOSK_MONEY_H

#include <stdbool.h>
#include <stddef.h>

/* "45.60" (no unit): the amount with two decimals, "-" before a negative
 * one. Returns the length written (always NUL-terminated; n >= 24 is
 * always enough). */
size_t money_format(long long fen, char *out, size_t n);

/* Parses an amount in yuan as EMVCo writes it ("45.6", "45.60", "45"; no
 * sign, no exponent, a digit before the point and one or two after it if
 * there is a point, at most 12 digits before it; leading zeros are just
 * zeros). Reads s[0..len) only (no NUL needed). False if it is not one;
 * *fen (fen may be NULL) is set only on success. */
bool money_parse_yuan(const char *s, size_t len, long long *fen);

/* The amount as a person says it, for speech: zh_CN "四十五元六角",
 * "一百零二元零五分", "十元", "一千元零五分", "零元", "负五分" (no 整: the
 * same words as speak_money); zh_TW the same with 萬, 億, 兆 (10^12), 負;
 * en "45 yuan 60 fen", "1 yuan", "5 fen", "minus ...". lang: zh_TW, zh_HK,
 * zh_MO or zh-Hant* read traditional, any other zh simplified, anything
 * else (NULL too) English. Returns the length written (NUL-terminated, cut
 * on a character boundary; n >= 128 is always enough). */
size_t money_speak(long long fen, const char *lang, char *out, size_t n);

#endif
