/* validate.c: checks of what a citizen types into a form (see validate.h). */
#include "validate.h"

#include <limits.h>
#include <string.h>

static bool digits(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

static int num(const char *s, size_t n)
{
	int v = 0;
	for (size_t i = 0; i < n; i++)
		v = v * 10 + (s[i] - '0');
	return v;
}

bool v_date_real(struct ymd d)
{
	static const int mdays[12] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	bool leap = (d.y % 4 == 0 && d.y % 100 != 0) || d.y % 400 == 0;
	return d.y >= 1 && d.y <= 9999 && d.m >= 1 && d.m <= 12 && d.d >= 1 && d.d <= mdays[d.m - 1] &&
	       !(d.m == 2 && d.d == 29 && !leap);
}

int v_date_cmp(struct ymd a, struct ymd b)
{
	if (a.y != b.y)
		return a.y < b.y ? -1 : 1;
	if (a.m != b.m)
		return a.m < b.m ? -1 : 1;
	return a.d < b.d ? -1 : a.d > b.d;
}

bool v_date_parse(const char *s, size_t n, struct ymd *out)
{
	if (n != 10 || s[4] != '-' || s[7] != '-' || !digits(s, 4) || !digits(s + 5, 2) || !digits(s + 8, 2))
		return false;
	struct ymd d = { num(s, 4), num(s + 5, 2), num(s + 8, 2) };
	if (!v_date_real(d))
		return false;
	*out = d;
	return true;
}

char v_idcard_check(const char *first17)
{
	static const int w[17] = { 7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2 };
	static const char check[] = "10X98765432";
	if (strnlen(first17, 17) != 17 || !digits(first17, 17))
		return 0;
	int sum = 0;
	for (int i = 0; i < 17; i++)
		sum += (first17[i] - '0') * w[i];
	return check[sum % 11];
}

enum v_error v_idcard(const char *s, size_t n, struct ymd today)
{
	if (n == 0)
		return V_EMPTY;
	if (n != 18 || !digits(s, 17) || !((s[17] >= '0' && s[17] <= '9') || s[17] == 'X' || s[17] == 'x'))
		return V_FORMAT;
	char first[18];
	memcpy(first, s, 17);
	first[17] = '\0';
	char c = v_idcard_check(first);
	explicit_bzero(first, sizeof first);
	if (c != (s[17] == 'x' ? 'X' : s[17]))
		return V_CHECK_DIGIT;
	struct ymd born = { num(s + 6, 4), num(s + 10, 2), num(s + 12, 2) };
	if (born.y < 1900 || !v_date_real(born) || v_date_cmp(born, today) > 0)
		return V_BAD_DATE;
	return V_OK;
}

enum v_error v_phone(const char *s, size_t n)
{
	if (n == 0)
		return V_EMPTY;
	if (n != 11 || !digits(s, 11) || s[0] != '1' || s[1] < '3')
		return V_FORMAT;
	return V_OK;
}

/* A bound: "today", a date, or none (true with *has false). */
static bool bound(const char *b, struct ymd today, struct ymd *out, bool *has)
{
	*has = b && *b;
	if (!*has)
		return true;
	if (!strcmp(b, "today")) {
		*out = today;
		return true;
	}
	return v_date_parse(b, strlen(b), out);
}

enum v_error v_date(const char *s, size_t n, const char *min, const char *max, struct ymd today)
{
	if (n == 0)
		return V_EMPTY;
	struct ymd d, lo = { 0, 0, 0 }, hi = { 0, 0, 0 };
	bool has_lo, has_hi;
	if (!v_date_parse(s, n, &d)) {
		/* The shape right and the day impossible (2026-02-30) is said
		 * as such: the citizen typed a date, just not a real one. */
		if (n == 10 && s[4] == '-' && s[7] == '-' && digits(s, 4) && digits(s + 5, 2) && digits(s + 8, 2))
			return V_BAD_DATE;
		return V_FORMAT;
	}
	/* A bound the schema got wrong is no bound (the gateway checks). */
	if (bound(min, today, &lo, &has_lo) && has_lo && v_date_cmp(d, lo) < 0)
		return V_TOO_SMALL;
	if (bound(max, today, &hi, &has_hi) && has_hi && v_date_cmp(d, hi) > 0)
		return V_TOO_LARGE;
	return V_OK;
}

enum v_error v_number(const char *s, size_t n, bool has_min, long long min, bool has_max,
                      long long max, long long *out)
{
	if (n == 0)
		return V_EMPTY;
	size_t i = s[0] == '-' ? 1 : 0;
	if (i == n || n - i > 18 || !digits(s + i, n - i))
		return V_FORMAT;
	long long v = 0;
	for (; i < n; i++)
		v = v * 10 + (s[i] - '0');
	if (s[0] == '-')
		v = -v;
	if (has_min && v < min)
		return V_TOO_SMALL;
	if (has_max && v > max)
		return V_TOO_LARGE;
	if (out)
		*out = v;
	return V_OK;
}

bool v_char_ok(unsigned c)
{
	if (c < 0x20 || (c >= 0x7F && c < 0xA0))
		return false;                       /* C0, DEL, C1 */
	if (c == 0x061C || (c >= 0x200B && c <= 0x200F) || (c >= 0x2028 && c <= 0x202E) ||
	    (c >= 0x2060 && c <= 0x206F) || c == 0xFEFF || c == 0xAD)
		return false;                       /* bidi controls, invisibles */
	if ((c >= 0xD800 && c <= 0xDFFF) || c > 0x10FFFF || (c & 0xFFFE) == 0xFFFE ||
	    (c >= 0xFDD0 && c <= 0xFDEF))
		return false;                       /* surrogates, noncharacters */
	if ((c >= 0xE000 && c <= 0xF8FF) || c >= 0xF0000 || c == 0xFFFD)
		return false;                       /* private use, replacement */
	return true;
}

/* The next code point of s[i..n) (strict UTF-8: no overlongs, no
 * surrogates); 0 bytes if invalid. */
static size_t next_cp(const unsigned char *s, size_t i, size_t n, unsigned *cp)
{
	unsigned c = s[i];
	size_t len;
	unsigned min;
	if (c < 0x80) {
		*cp = c;
		return 1;
	} else if (c >= 0xC2 && c <= 0xDF) {
		len = 2, min = 0x80, c &= 0x1F;
	} else if (c >= 0xE0 && c <= 0xEF) {
		len = 3, min = 0x800, c &= 0x0F;
	} else if (c >= 0xF0 && c <= 0xF4) {
		len = 4, min = 0x10000, c &= 0x07;
	} else {
		return 0;
	}
	if (n - i < len)
		return 0;
	for (size_t k = 1; k < len; k++) {
		if ((s[i + k] & 0xC0) != 0x80)
			return 0;
		c = (c << 6) | (s[i + k] & 0x3F);
	}
	if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
		return 0;
	*cp = c;
	return len;
}

enum v_error v_text(const char *s, size_t n, size_t max_chars, bool required)
{
	size_t chars = 0, blank = 0;
	const unsigned char *u = (const unsigned char *)s;
	for (size_t i = 0; i < n;) {
		unsigned cp;
		size_t len = next_cp(u, i, n, &cp);
		if (!len || !v_char_ok(cp))
			return V_FORMAT;
		chars++;
		blank += cp == ' ' || cp == 0x3000;
		i += len;
	}
	if (chars == blank)
		return required ? V_EMPTY : V_OK;
	if (max_chars && chars > max_chars)
		return V_TOO_LONG;
	return V_OK;
}
