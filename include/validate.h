/* validate.h: checks of what a citizen types into a form (pure core).
 *
 * The rules of the gateway contract's field types (docs/gateway-api.md),
 * checked as the citizen goes, before anything is sent: the gateway checks
 * again. Each check answers a `enum v_error`: V_OK, or what is wrong, which
 * the form turns into words that say how to fix it. Nothing here allocates
 * or keeps what it is given (values may be personal).
 */
#ifndef KIOSK_VALIDATE_H
#define KIOSK_VALIDATE_H

#include <stdbool.h>
#include <stddef.h>

enum v_error {
	V_OK,
	V_EMPTY,        /* required and empty */
	V_TOO_LONG,     /* more characters than allowed */
	V_FORMAT,       /* not the shape asked for (digits, YYYY-MM-DD...) */
	V_CHECK_DIGIT,  /* an ID number whose last character does not match */
	V_BAD_DATE,     /* not a real date (2月30日), or an impossible birth date */
	V_TOO_SMALL,    /* before min / below min */
	V_TOO_LARGE,    /* after max / above max */
};

/* A calendar day. */
struct ymd { int y, m, d; };

/* "YYYY-MM-DD", exactly, and a real day (leap years counted). */
bool v_date_parse(const char *s, size_t n, struct ymd *out);
bool v_date_real(struct ymd d);
int v_date_cmp(struct ymd a, struct ymd b);

/* The GB 11643-1999 check character ('0'-'9' or 'X') of an ID number's
 * first 17 digits; 0 if they are not 17 digits. */
char v_idcard_check(const char *first17);
/* An 18-character resident ID: 17 digits and the check character (x
 * taken as X), a real birth date (YYYYMMDD at 7-14) from 1900 up to
 * today. */
enum v_error v_idcard(const char *s, size_t n, struct ymd today);
/* A mainland mobile number: 11 digits, 1 then 3-9. */
enum v_error v_phone(const char *s, size_t n);
/* A date within [min, max] ("YYYY-MM-DD" or "today"; NULL or "": no
 * bound). */
enum v_error v_date(const char *s, size_t n, const char *min, const char *max, struct ymd today);
/* An integer (digits, an optional '-') within [min, max] where has_min /
 * has_max. *out gets it. */
enum v_error v_number(const char *s, size_t n, bool has_min, long long min, bool has_max,
                      long long max, long long *out);
/* A character a citizen may type into a text answer: no control (C0,
 * DEL, C1), bidi control, invisible, surrogate, noncharacter, private use
 * or U+FFFD. */
bool v_char_ok(unsigned cp);
/* Text of at most max_chars characters (code points, not bytes; 0: no
 * limit), valid UTF-8 of characters v_char_ok takes (else V_FORMAT),
 * empty (or only spaces) only if not required. */
enum v_error v_text(const char *s, size_t n, size_t max_chars, bool required);

#endif
