/* test_speak.c: unit tests for speak.c (amounts, codes and counts read
 * aloud in Mandarin and English). */
#include <criterion/criterion.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "speak.h"

static void check(char *got, const char *want, const char *what)
{
	cr_assert_not_null(got);
	cr_expect_str_eq(got, want, "%s: got \"%s\", want \"%s\"", what, got, want);
	free(got);
}

#define MONEY(fen, lang, want) check(speak_money(fen, lang), want, "money " #fen " " #lang)
#define NUMBER(n, lang, want) check(speak_number(n, lang), want, "number " #n " " #lang)
#define CHARS(s, lang, want) check(speak_chars(s, lang), want, "chars " #s " " #lang)

Test(speak, money_zh_examples)
{
	MONEY(1250, "zh_CN", "十二元五角");
	MONEY(1205, "zh_CN", "十二元零五分");
	MONEY(1200, "zh_CN", "十二元");
	MONEY(1255, "zh_CN", "十二元五角五分");
	MONEY(5, "zh_CN", "五分");
	MONEY(50, "zh_CN", "五角");
	MONEY(55, "zh_CN", "五角五分");
	MONEY(0, "zh_CN", "零元");
	MONEY(100, "zh_CN", "一元");
	MONEY(105, "zh_CN", "一元零五分");
	MONEY(1000, "zh_CN", "十元");
	MONEY(100000, "zh_CN", "一千元");
	MONEY(1010000, "zh_CN", "一万零一百元");
	MONEY(123456789, "zh_CN", "一百二十三万四千五百六十七元八角九分");
	MONEY(12345678900LL, "zh_CN", "一亿二千三百四十五万六千七百八十九元");
	MONEY(10000000000LL, "zh_CN", "一亿元");
	MONEY(10000000100LL, "zh_CN", "一亿零一元");
}

Test(speak, money_negative_and_extremes)
{
	MONEY(-1250, "zh_CN", "负十二元五角");
	MONEY(-5, "zh_CN", "负五分");
	MONEY(-1250, "en", "minus 12 yuan 50 fen");
	/* LLONG_MIN has no positive twin: must not overflow. */
	char *s = speak_money(LLONG_MIN, "zh_CN");
	cr_assert(strncmp(s, "负", strlen("负")) == 0, "%s", s);
	cr_assert(strstr(s, "元") && strstr(s, "分"), "%s", s);
	free(s);
	s = speak_money(LLONG_MAX, "en");
	cr_assert_str_eq(s, "92233720368547758 yuan 7 fen");
	free(s);
	s = speak_number(LLONG_MIN, "en");
	cr_assert_str_eq(s, "minus 9223372036854775808");
	free(s);
}

Test(speak, money_traditional_reads_the_same)
{
	MONEY(1205, "zh_TW", "十二元零五分");
	MONEY(1010000, "zh_TW", "一万零一百元");
	MONEY(1250, "zh", "十二元五角");
}

Test(speak, money_en)
{
	MONEY(1250, "en", "12 yuan 50 fen");
	MONEY(100, "en", "1 yuan");
	MONEY(5, "en", "5 fen");
	MONEY(0, "en", "0 yuan");
	MONEY(1205, "en", "12 yuan 5 fen");
	MONEY(99, "en", "99 fen");
	MONEY(100000, "en", "1000 yuan");
	/* anything that is not Chinese reads English */
	MONEY(1250, "fr", "12 yuan 50 fen");
	MONEY(1250, NULL, "12 yuan 50 fen");
}

Test(speak, number_zh_small)
{
	NUMBER(0, "zh_CN", "零");
	NUMBER(1, "zh_CN", "一");
	NUMBER(9, "zh_CN", "九");
	NUMBER(10, "zh_CN", "十");
	NUMBER(11, "zh_CN", "十一");
	NUMBER(19, "zh_CN", "十九");
	NUMBER(20, "zh_CN", "二十");
	NUMBER(23, "zh_CN", "二十三");
	NUMBER(99, "zh_CN", "九十九");
	NUMBER(100, "zh_CN", "一百");
	NUMBER(101, "zh_CN", "一百零一");
	NUMBER(110, "zh_CN", "一百一十");
	NUMBER(111, "zh_CN", "一百一十一");
	NUMBER(1000, "zh_CN", "一千");
	NUMBER(1001, "zh_CN", "一千零一");
	NUMBER(1010, "zh_CN", "一千零一十");
	NUMBER(1100, "zh_CN", "一千一百");
	NUMBER(2019, "zh_CN", "二千零一十九");
	NUMBER(-7, "zh_CN", "负七");
	NUMBER(-10, "zh_CN", "负十");
}

Test(speak, number_zh_groups)
{
	NUMBER(10000, "zh_CN", "一万");
	NUMBER(10001, "zh_CN", "一万零一");
	NUMBER(10010, "zh_CN", "一万零一十");
	NUMBER(10100, "zh_CN", "一万零一百");
	NUMBER(11000, "zh_CN", "一万一千");
	NUMBER(100000, "zh_CN", "十万");
	NUMBER(101000, "zh_CN", "十万一千");
	NUMBER(100001, "zh_CN", "十万零一");
	NUMBER(110000, "zh_CN", "十一万");
	NUMBER(1000000, "zh_CN", "一百万");
	NUMBER(10000000, "zh_CN", "一千万");
	NUMBER(100000000, "zh_CN", "一亿");
	NUMBER(100000001, "zh_CN", "一亿零一");
	NUMBER(100010000, "zh_CN", "一亿零一万");
	NUMBER(100001000, "zh_CN", "一亿零一千");
	NUMBER(110000000, "zh_CN", "一亿一千万");
	NUMBER(123456789, "zh_CN", "一亿二千三百四十五万六千七百八十九");
	NUMBER(1000000000, "zh_CN", "十亿");
	NUMBER(1200000000, "zh_CN", "十二亿");
	NUMBER(1000000000000LL, "zh_CN", "一万亿");
	NUMBER(1000000000001LL, "zh_CN", "一万亿零一");
	NUMBER(9223372036854775807LL, "zh_CN",
	       "九百二十二亿亿三千三百七十二万亿零三百六十八亿五千四百七十七万五千八百零七");
}

Test(speak, number_en)
{
	NUMBER(0, "en", "0");
	NUMBER(23, "en", "23");
	NUMBER(123456789, "en", "123456789");
	NUMBER(-5, "en", "minus 5");
}

Test(speak, chars_letters_and_separators)
{
	CHARS("BCDF-GHJK", "en", "B C D F G H J K");
	CHARS("BCDF-GHJK", "zh_CN", "B C D F G H J K");
	CHARS("AB 12", "en", "A B one two");
	CHARS("  --A--  ", "en", "A");
	CHARS("", "en", "");
	CHARS("--", "zh_CN", "");
	CHARS("a_b.c/d", "en", "a b c d"); /* case kept; _ . / are separators too */
}

Test(speak, chars_digits)
{
	CHARS("0123456789", "zh_CN", "零 一 二 三 四 五 六 七 八 九");
	CHARS("0123456789", "en", "zero one two three four five six seven eight nine");
	CHARS("1", "zh_CN", "一"); /* never 幺 */
	CHARS("110101199003071234", "zh_TW",
	      "一 一 零 一 零 一 一 九 九 零 零 三 零 七 一 二 三 四");
	CHARS("11010119900307123X", "zh_CN",
	      "一 一 零 一 零 一 一 九 九 零 零 三 零 七 一 二 三 X");
	CHARS("138-0013-8000", "en",
	      "one three eight zero zero one three eight zero zero zero");
}

Test(speak, chars_other_characters)
{
	/* a licence plate: a Chinese character is read as itself */
	CHARS("京A·12345", "zh_CN", "京 A · 一 二 三 四 五");
	/* invalid UTF-8 and control characters are dropped, never passed on */
	CHARS("A\xff" "B\tC\n", "en", "A B C");
	CHARS(NULL, "en", "");
}
