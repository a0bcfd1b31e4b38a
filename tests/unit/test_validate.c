/* test_validate.c: unit tests for validate.c, the form's checks (issue 11). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "validate.h"

TestSuite(validate);

static const struct ymd today = { 2026, 12, 3 };

static enum v_error id(const char *s)
{
	return v_idcard(s, strlen(s), today);
}

/* An 18-character ID from a 6-digit region, a birth date and a 3-digit
 * sequence, with its right check character. */
static void make_id(char out[19], const char *region, int y, int m, int d, int seq)
{
	snprintf(out, 19, "%s%04d%02d%02d%03d", region, y, m, d, seq);
	out[17] = v_idcard_check(out);
	out[18] = '\0';
}

Test(validate, idcard_known_numbers)
{
	/* The standard's own example and well-known published test numbers. */
	cr_assert_eq(v_idcard_check("11010519491231002"), 'X');
	cr_assert_eq(id("11010519491231002X"), V_OK);
	cr_assert_eq(id("11010519491231002x"), V_OK, "a lower-case x is the X");
	cr_assert_eq(id("110105194912310021"), V_CHECK_DIGIT);
	cr_assert_eq(v_idcard_check("44052418800101001"), '4');
	cr_assert_eq(id("440524188001010014"), V_BAD_DATE, "born before 1900");
	cr_assert_eq(id(""), V_EMPTY);
	cr_assert_eq(id("1101051949123100"), V_FORMAT, "too short");
	cr_assert_eq(id("11010519491231002XX"), V_FORMAT, "too long");
	cr_assert_eq(id("1101051949123100AX"), V_FORMAT, "a letter inside");
	cr_assert_eq(id("11010519491231002Y"), V_FORMAT, "not a digit or X at the end");
	cr_assert_eq(v_idcard_check("1101051949123100"), 0);
	cr_assert_eq(v_idcard_check("1101051949123100a"), 0);
}

Test(validate, idcard_birth_dates)
{
	char s[19];
	make_id(s, "310104", 2000, 2, 29, 123);
	cr_assert_eq(id(s), V_OK, "2000-02-29 was a day");
	make_id(s, "310104", 1900, 2, 29, 123);
	cr_assert_eq(id(s), V_BAD_DATE, "1900 was not a leap year");
	make_id(s, "310104", 1990, 4, 31, 123);
	cr_assert_eq(id(s), V_BAD_DATE, "April has 30 days");
	make_id(s, "310104", 1990, 13, 1, 123);
	cr_assert_eq(id(s), V_BAD_DATE);
	make_id(s, "310104", 1990, 0, 10, 123);
	cr_assert_eq(id(s), V_BAD_DATE);
	make_id(s, "310104", 2026, 12, 3, 123);
	cr_assert_eq(id(s), V_OK, "born today");
	make_id(s, "310104", 2026, 12, 4, 123);
	cr_assert_eq(id(s), V_BAD_DATE, "born tomorrow");
}

/* Property: for every ID with its own check character, changing any one
 * of its 18 characters to any other allowed one, or swapping two
 * different neighbours among the first 17, is caught. */
Test(validate, idcard_check_catches_every_single_change_and_swap)
{
	unsigned seed = 12345;
	int checked = 0;
	for (int k = 0; k < 300; k++) {
		seed = seed * 1103515245u + 12345u;
		int y = 1930 + (int)(seed >> 8) % 90, m = 1 + (int)(seed >> 4) % 12, d = 1 + (int)(seed >> 12) % 28;
		char s[19];
		char region[7];
		snprintf(region, sizeof region, "%06u", 110000 + (seed >> 16) % 540000);
		make_id(s, region, y, m, d, (int)(seed >> 20) % 1000);
		cr_assert_eq(id(s), V_OK, "%s", s);
		for (int i = 0; i < 18; i++) {
			const char *alphabet = i == 17 ? "0123456789X" : "0123456789";
			for (const char *c = alphabet; *c; c++) {
				if (*c == s[i])
					continue;
				char t[19];
				memcpy(t, s, 19);
				t[i] = *c;
				enum v_error e = id(t);
				cr_assert(e == V_CHECK_DIGIT || e == V_BAD_DATE, "%s -> %s accepted", s, t);
				checked++;
			}
		}
		for (int i = 0; i + 1 < 17; i++) {
			if (s[i] == s[i + 1])
				continue;
			char t[19];
			memcpy(t, s, 19);
			t[i] = s[i + 1];
			t[i + 1] = s[i];
			enum v_error e = id(t);
			cr_assert(e == V_CHECK_DIGIT || e == V_BAD_DATE, "%s swapped at %d -> %s accepted", s, i, t);
			checked++;
		}
	}
	cr_assert_gt(checked, 50000);
}

Test(validate, phone)
{
	cr_assert_eq(v_phone("13800138000", 11), V_OK);
	cr_assert_eq(v_phone("19912345678", 11), V_OK);
	cr_assert_eq(v_phone("", 0), V_EMPTY);
	cr_assert_eq(v_phone("12800138000", 11), V_FORMAT, "1 then 2: no mobile network");
	cr_assert_eq(v_phone("23800138000", 11), V_FORMAT);
	cr_assert_eq(v_phone("1380013800", 10), V_FORMAT);
	cr_assert_eq(v_phone("138001380001", 12), V_FORMAT);
	cr_assert_eq(v_phone("1380013800a", 11), V_FORMAT);
	cr_assert_eq(v_phone("+8613800138", 11), V_FORMAT);
}

Test(validate, dates_and_bounds)
{
	struct ymd d;
	cr_assert(v_date_parse("2024-02-29", 10, &d));
	cr_assert(!v_date_parse("2023-02-29", 10, &d));
	cr_assert(!v_date_parse("2024-2-29", 9, &d));
	cr_assert(!v_date_parse("2024/02/29", 10, &d));
	cr_assert(!v_date_parse("20240229xx", 10, &d));
	cr_assert_eq(v_date("2026-12-03", 10, "2025-11-01", "today", today), V_OK);
	cr_assert_eq(v_date("2026-12-04", 10, "2025-11-01", "today", today), V_TOO_LARGE);
	cr_assert_eq(v_date("2025-10-31", 10, "2025-11-01", "today", today), V_TOO_SMALL);
	cr_assert_eq(v_date("2026-02-30", 10, NULL, NULL, today), V_BAD_DATE);
	cr_assert_eq(v_date("30/02/2026", 10, NULL, NULL, today), V_FORMAT);
	cr_assert_eq(v_date("", 0, NULL, NULL, today), V_EMPTY);
	/* a bound the schema got wrong is no bound */
	cr_assert_eq(v_date("2026-01-01", 10, "soon", "", today), V_OK);
	cr_assert_eq(v_date_cmp((struct ymd){ 2026, 1, 2 }, (struct ymd){ 2026, 1, 10 }), -1);
	cr_assert_eq(v_date_cmp((struct ymd){ 2026, 1, 10 }, (struct ymd){ 2026, 1, 10 }), 0);
}

Test(validate, numbers)
{
	long long v = 0;
	cr_assert_eq(v_number("5", 1, true, 1, true, 10, &v), V_OK);
	cr_assert_eq(v, 5);
	cr_assert_eq(v_number("0", 1, true, 1, true, 10, &v), V_TOO_SMALL);
	cr_assert_eq(v_number("11", 2, true, 1, true, 10, &v), V_TOO_LARGE);
	cr_assert_eq(v_number("-3", 2, false, 0, false, 0, &v), V_OK);
	cr_assert_eq(v, -3);
	cr_assert_eq(v_number("", 0, false, 0, false, 0, &v), V_EMPTY);
	cr_assert_eq(v_number("-", 1, false, 0, false, 0, &v), V_FORMAT);
	cr_assert_eq(v_number("1.5", 3, false, 0, false, 0, &v), V_FORMAT);
	cr_assert_eq(v_number("9999999999999999999", 19, false, 0, false, 0, &v), V_FORMAT, "past 18 digits");
	cr_assert_eq(v_number("1e3", 3, false, 0, false, 0, &v), V_FORMAT);
}

Test(validate, text_length_in_characters)
{
	cr_assert_eq(v_text("张三", strlen("张三"), 2, true), V_OK, "2 characters, 6 bytes");
	cr_assert_eq(v_text("张三丰", strlen("张三丰"), 2, true), V_TOO_LONG);
	cr_assert_eq(v_text("", 0, 30, true), V_EMPTY);
	cr_assert_eq(v_text("   ", 3, 30, true), V_EMPTY, "spaces alone are empty");
	cr_assert_eq(v_text("", 0, 30, false), V_OK, "not required");
	cr_assert_eq(v_text("abc", 3, 0, true), V_OK, "0: no limit");
	cr_assert_eq(v_text("a\x1b[31mb", 8, 0, true), V_FORMAT, "an escape sequence");
	cr_assert_eq(v_text("a\nb", 3, 0, true), V_FORMAT, "a newline");
	cr_assert_eq(v_text("\xc2\x85", 2, 0, true), V_FORMAT, "C1 NEL");
	cr_assert_eq(v_text("ab\xe2\x80\xae", 5, 0, true), V_FORMAT, "bidi override");
	cr_assert_eq(v_text("\xff\xfe", 2, 0, true), V_FORMAT, "not UTF-8");
	cr_assert_eq(v_text("\xe5\xbc", 2, 0, true), V_FORMAT, "cut in the middle");
	cr_assert_eq(v_text("\xc0\xaf", 2, 0, true), V_FORMAT, "overlong");
	cr_assert_eq(v_text("\xed\xa0\x80", 3, 0, true), V_FORMAT, "a surrogate");
	cr_assert_eq(v_text("\xe3\x80\x80", 3, 0, true), V_EMPTY, "an ideographic space alone is empty");
	cr_assert_eq(v_text("阿卜杜·热合曼", strlen("阿卜杜·热合曼"), 7, true), V_OK, "a middle dot");
	cr_assert_eq(v_text("\xf0\x9f\x98\x80", 4, 1, true), V_OK, "an emoji is one character");
	cr_assert(!v_char_ok(0x1b) && !v_char_ok(0x7f) && !v_char_ok(0x9b) && !v_char_ok(0x202e) &&
	          !v_char_ok(0xfeff) && !v_char_ok(0xe000) && !v_char_ok(0xfffd) && !v_char_ok(0xd800));
	cr_assert(v_char_ok('a') && v_char_ok(0x5f20) && v_char_ok(0x3000) && v_char_ok(0x20000));
}
