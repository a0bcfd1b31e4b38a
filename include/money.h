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
 * sign, no exponent, at most two decimals, at most 12 digits before the
 * point). False if it is not one. */
bool money_parse_yuan(const char *s, size_t len, long long *fen);

/* The amount as a person says it, for speech: zh_CN "四十五元六角",
 * "一百零二元零五分", "零元"; zh_TW the same in traditional characters;
 * en "45 yuan 60 fen". lang is "zh_CN", "zh_TW" or "en" (others: en).
 * Returns the length written (NUL-terminated; n >= 128 is always enough). */
size_t money_speak(long long fen, const char *lang, char *out, size_t n);

#endif
