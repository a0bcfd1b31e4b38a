/* test_money.c: amounts in fen written, parsed and spoken
 * (kiosk/core/money.c): the formats at their edges, EMVCo's amount syntax,
 * spoken Chinese in both scripts and English, and agreement with
 * speak_money, which reads the kiosk's other amounts aloud. */
#include <criterion/criterion.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "money.h"
#include "speak.h"

TestSuite(money);

static void fmt_is(long long fen, const char *want)
{
	char buf[32];
	memset(buf, 'x', sizeof buf);
	size_t n = money_format(fen, buf, sizeof buf);
	cr_expect_str_eq(buf, want, "money_format(%lld)", fen);
	cr_expect_eq(n, strlen(want), "money_format(%lld) returned %zu", fen, n);
}

Test(money, format)
{
	fmt_is(0, "0.00");
	fmt_is(1, "0.01");
	fmt_is(10, "0.10");
	fmt_is(100, "1.00");
	fmt_is(4560, "45.60");
	fmt_is(-5, "-0.05");
	fmt_is(-100, "-1.00");
	fmt_is(123456789, "1234567.89");
	fmt_is(LLONG_MAX, "92233720368547758.07");
	fmt_is(LLONG_MIN, "-92233720368547758.08");
}

Test(money, format_small_buffers)
{
	char buf[8];
	cr_expect_eq(money_format(4560, buf, 3), 2);
	cr_expect_str_eq(buf, "45");
	cr_expect_eq(money_format(4560, buf, 1), 0);
	cr_expect_str_eq(buf, "");
	buf[0] = 'x';
	cr_expect_eq(money_format(4560, buf, 0), 0);
	cr_expect_eq(buf[0], 'x');
	cr_expect_eq(money_format(4560, NULL, 0), 0);
	/* 24 bytes are enough for any amount. */
	char big[24];
	cr_expect_eq(money_format(LLONG_MIN, big, sizeof big), 21);
}

static void parse_is(const char *s, long long want)
{
	long long fen = -1;
	cr_expect(money_parse_yuan(s, strlen(s), &fen), "\"%s\" refused", s);
	cr_expect_eq(fen, want, "\"%s\" gave %lld", s, fen);
}

static void parse_refuses(const char *s)
{
	long long fen = 77;
	cr_expect_not(money_parse_yuan(s, strlen(s), &fen), "\"%s\" accepted", s);
	cr_expect_eq(fen, 77, "\"%s\" changed the result", s);
}

Test(money, parse_yuan)
{
	parse_is("45.6", 4560);
	parse_is("45.60", 4560);
	parse_is("45", 4500);
	parse_is("0", 0);
	parse_is("0.01", 1);
	parse_is("0.1", 10);
	parse_is("007.50", 750);
	parse_is("999999999999.99", 99999999999999LL);
	parse_refuses("");
	parse_refuses("45.605");
	parse_refuses("+1.00");
	parse_refuses("-1.00");
	parse_refuses("1e3");
	parse_refuses("1E3");
	parse_refuses(".5");
	parse_refuses("5.");
	parse_refuses("1,00");
	parse_refuses(" 1");
	parse_refuses("1 ");
	parse_refuses("1.0 ");
	parse_refuses("45..6");
	parse_refuses("1.2.3");
	parse_refuses("0x10");
	parse_refuses("１２");
	parse_refuses("1234567890123");     /* 13 digits before the point */
	parse_refuses("1234567890123.00");
	cr_expect_not(money_parse_yuan(NULL, 3, NULL));
}

Test(money, parse_yuan_reads_len_bytes_only)
{
	long long fen = 0;
	cr_expect(money_parse_yuan("45.60xyz", 5, &fen));
	cr_expect_eq(fen, 4560);
	cr_expect(money_parse_yuan("12", 1, &fen));
	cr_expect_eq(fen, 100);
	cr_expect_not(money_parse_yuan("12", 0, &fen));
	/* A NUL inside len is a character like any other: refused. */
	cr_expect_not(money_parse_yuan("1\0" "2", 3, &fen));
	/* fen may be NULL: a syntax check. */
	cr_expect(money_parse_yuan("3.14", 4, NULL));
}

/* What money_format writes, money_parse_yuan reads back. */
Test(money, format_parse_round_trip)
{
	unsigned long long x = 88172645463325252ULL;
	for (int i = 0; i < 100000; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		long long fen = (long long)(x % 100000000000000ULL) >> (x % 40);
		char buf[32];
		long long back = -1;
		size_t n = money_format(fen, buf, sizeof buf);
		cr_assert(money_parse_yuan(buf, n, &back), "%s", buf);
		cr_assert_eq(back, fen, "%lld -> %s -> %lld", fen, buf, back);
	}
}

static void say_is(long long fen, const char *lang, const char *want)
{
	char buf[128];
	size_t n = money_speak(fen, lang, buf, sizeof buf);
	cr_expect_str_eq(buf, want, "money_speak(%lld, %s)", fen, lang ? lang : "NULL");
	cr_expect_eq(n, strlen(buf));
}

static const struct {
	long long fen;
	const char *lang, *want;
} spoken[] = {
	/* zh_CN */
	{ 4560, "zh_CN", "四十五元六角" },
	{ 10205, "zh_CN", "一百零二元零五分" },
	{ 0, "zh_CN", "零元" },
	{ 1, "zh_CN", "一分" },
	{ 10, "zh_CN", "一角" },
	{ 11, "zh_CN", "一角一分" },
	{ 100, "zh_CN", "一元" },
	{ 1000, "zh_CN", "十元" },
	{ 1500, "zh_CN", "十五元" },
	{ 11000, "zh_CN", "一百一十元" },
	{ 20000, "zh_CN", "二百元" },
	{ 100005, "zh_CN", "一千元零五分" },
	{ 100050, "zh_CN", "一千元五角" },
	{ 1000000, "zh_CN", "一万元" }, /* no 整 in speech */
	{ 1000100, "zh_CN", "一万零一元" },
	{ 1010000, "zh_CN", "一万零一百元" },
	{ 10100000, "zh_CN", "十万一千元" },
	{ 10000000, "zh_CN", "十万元" },
	{ 10000000000LL, "zh_CN", "一亿元" },
	{ 10000000100LL, "zh_CN", "一亿零一元" },
	{ 123456789, "zh_CN", "一百二十三万四千五百六十七元八角九分" },
	{ 100000000000000LL, "zh_CN", "一万亿元" },
	{ -4560, "zh_CN", "负四十五元六角" },
	{ -5, "zh_CN", "负五分" },
	{ 4560, "zh", "四十五元六角" },
	{ 4560, "zh-Hans", "四十五元六角" },
	/* zh_TW: 萬, 億, 兆 (10^12, as Taiwan says it), 負; below 萬 it reads as
	 * zh_CN (speak_scripts_agree_below_wan) */
	{ 1000000, "zh_TW", "一萬元" },
	{ 1010000, "zh_TW", "一萬零一百元" },
	{ 10000000000LL, "zh_TW", "一億元" },
	{ 123456789, "zh_TW", "一百二十三萬四千五百六十七元八角九分" },
	{ 100000000000000LL, "zh_TW", "一兆元" },
	{ -5, "zh_TW", "負五分" },
	{ 1000000, "zh_HK", "一萬元" },
	{ 1000000, "zh-Hant-TW", "一萬元" },
	{ 1000000, "zh-TW", "一萬元" },
	/* English */
	{ 4560, "en", "45 yuan 60 fen" },
	{ 10205, "en", "102 yuan 5 fen" },
	{ 0, "en", "0 yuan" },
	{ 5, "en", "5 fen" },
	{ 100, "en", "1 yuan" },
	{ -4560, "en", "minus 45 yuan 60 fen" },
	{ LLONG_MAX, "en", "92233720368547758 yuan 7 fen" },
	{ LLONG_MIN, "en", "minus 92233720368547758 yuan 8 fen" },
	/* Anything not Chinese reads English. */
	{ 4560, "fr", "45 yuan 60 fen" },
	{ 4560, "", "45 yuan 60 fen" },
	{ 4560, NULL, "45 yuan 60 fen" },
	{ 4560, "z", "45 yuan 60 fen" },
};

Test(money, speak)
{
	for (size_t i = 0; i < sizeof spoken / sizeof *spoken; i++)
		say_is(spoken[i].fen, spoken[i].lang, spoken[i].want);
}

Test(money, speak_extremes_fit_128)
{
	say_is(LLONG_MIN, "zh_CN",
	       "负九亿亿二千二百三十三万亿七千二百零三亿六千八百五十四万七千七百五十八元零八分");
	/* The longest reading: every digit non-zero, negative, jiao and fen. */
	static const long long longest[] = { -8999999999999999999LL, LLONG_MIN, LLONG_MAX,
		                             -7777777777777777777LL };
	static const char *const langs[] = { "zh_CN", "zh_TW", "en" };
	for (size_t i = 0; i < sizeof longest / sizeof *longest; i++)
		for (size_t l = 0; l < 3; l++) {
			char big[512], fit[128];
			memset(big, 0, sizeof big);
			size_t n = money_speak(longest[i], langs[l], big, sizeof big);
			cr_expect_lt(n, 128, "%lld %s: %zu bytes", longest[i], langs[l], n);
			money_speak(longest[i], langs[l], fit, sizeof fit);
			cr_expect_str_eq(fit, big);
		}
}

Test(money, speak_cuts_on_a_character)
{
	char buf[8];
	/* "四十五元六角" is 18 bytes: 7 bytes hold two characters. */
	cr_expect_eq(money_speak(4560, "zh_CN", buf, sizeof buf), 6);
	cr_expect_str_eq(buf, "四十");
	cr_expect_eq(money_speak(4560, "zh_CN", buf, 1), 0);
	cr_expect_str_eq(buf, "");
	cr_expect_eq(money_speak(4560, "zh_CN", NULL, 0), 0);
}

Test(money, speak_scripts_agree_below_wan)
{
	for (long long fen = 0; fen < 1000000; fen += fen < 20000 ? 1 : 97) {
		char cn[128], tw[128];
		money_speak(fen, "zh_CN", cn, sizeof cn);
		money_speak(fen, "zh_TW", tw, sizeof tw);
		cr_assert_str_eq(tw, cn, "%lld", fen);
	}
}

/* The kiosk says amounts in two places (the payment screen here, service
 * fees through speak_money): they must never disagree. */
Test(money, speak_agrees_with_speak_money)
{
	unsigned long long x = 0x853C49E6748FEA9BULL;
	for (int i = 0; i < 20000; i++) {
		x = x * 6364136223846793005ULL + 1442695040888963407ULL;
		long long fen = i < 2000 ? i : (long long)(x >> (x % 48 + 1)) * (x & 1 ? 1 : -1);
		for (int zh = 0; zh < 2; zh++) {
			const char *lang = zh ? "zh_CN" : "en";
			char buf[128];
			char *want = speak_money(fen, lang);
			money_speak(fen, lang, buf, sizeof buf);
			cr_assert_str_eq(buf, want, "%lld %s", fen, lang);
			free(want);
		}
	}
}
