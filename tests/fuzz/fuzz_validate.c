/* fuzz_validate.c: libFuzzer target for the form's checks (validate.c):
 * whatever a citizen types, every check answers without reading past the
 * input, and what it accepts is what it claims: an accepted ID has 18
 * characters, its own check character and a birth date that v_date
 * accepts too; an accepted phone is 11 digits starting 1[3-9]; an accepted
 * date parses and lies within its bounds. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "validate.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 64)
		return 0;
	/* An exact-size copy: ASan sees any read past the citizen's input. */
	char *s = malloc(size ? size : 1);
	if (!s)
		abort();
	memcpy(s, data, size);
	const struct ymd today = { 2026, 12, 3 };
	if (v_idcard(s, size, today) == V_OK) {
		char first[18];
		if (size != 18)
			abort();
		memcpy(first, s, 17);
		first[17] = '\0';
		char c = v_idcard_check(first);
		if (c != (s[17] == 'x' ? 'X' : s[17]))
			abort();
		char date[11] = { s[6], s[7], s[8], s[9], '-', s[10], s[11], '-', s[12], s[13], 0 };
		if (v_date(date, 10, "1900-01-01", "today", today) != V_OK)
			abort();
	}
	if (v_phone(s, size) == V_OK && (size != 11 || s[0] != '1' || s[1] < '3' || s[1] > '9'))
		abort();
	struct ymd d;
	if (v_date(s, size, "2000-01-01", "today", today) == V_OK &&
	    (!v_date_parse(s, size, &d) || v_date_cmp(d, today) > 0 || d.y < 2000))
		abort();
	long long v = 0;
	if (v_number(s, size, true, -5, true, 5, &v) == V_OK && (v < -5 || v > 5))
		abort();
	(void)v_text(s, size, 3, true);
	free(s);
	return 0;
}
