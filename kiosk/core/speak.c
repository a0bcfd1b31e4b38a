/* speak.c: text for the ear. Screens show "¥12.05", "BCDF-GHJK" or "23";
 * the synthesizer must hear 十二元零五分, "B C D F G H J K", 二十三 (espeak
 * reads "123" as one number and money symbols badly), so the words are
 * written out here, in the pure core where they can be tested exhaustively.
 *
 * Chinese readings are the formal ones printed on receipts and announced by
 * counters: 二 (not 两) everywhere, 零 wherever zeros stand between two
 * non-zero digits, a leading 一十 shortened to 十. zh_CN and zh_TW read the
 * same characters (元/角/分 and the numerals are identical in Traditional).
 *
 * English money has no "and": "12 yuan 50 fen" (speak.h shows both that and
 * "12 yuan and 50 fen"; the short form is the one the kiosk's brief asks
 * for). English numbers stay digits, which espeak reads as numbers.
 */
#include "speak.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "text.h"
#include "xmem.h"

struct buf {
	char *p;
	size_t len, cap;
};

static void buf_add(struct buf *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		b->cap = (b->len + n + 1) * 2;
		b->p = xrealloc(b->p, b->cap);
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static void buf_puts(struct buf *b, const char *s)
{
	buf_add(b, s, strlen(s));
}

static char *buf_done(struct buf *b)
{
	if (!b->p)
		return xstrdup("");
	return b->p;
}

static bool is_zh(const char *lang)
{
	return lang && (lang[0] == 'z' || lang[0] == 'Z') && (lang[1] == 'h' || lang[1] == 'H');
}

static const char *const zh_digit[10] = {
	"零", "一", "二", "三", "四", "五", "六", "七", "八", "九",
};
static const char *const en_digit[10] = {
	"zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
};

/* The magnitude of n without overflow (LLONG_MIN too). */
static unsigned long long magnitude(long long n)
{
	return n < 0 ? 0ULL - (unsigned long long)n : (unsigned long long)n;
}

/* Appends v (> 0) in Chinese numerals. Digits go in groups of four, each
 * group followed by its unit (万, 亿, 万亿, 亿亿: ULLONG_MAX has five
 * groups); inside a group 千/百/十. One 零 stands for any run of zeros
 * between two non-zero digits, except zeros at the end of a group, which
 * the group's unit absorbs (十万一千, not 十万零一千). */
static void zh_append(struct buf *b, unsigned long long v)
{
	static const char *const group_unit[] = { "", "万", "亿", "万亿", "亿亿" };
	static const char *const pos_unit[4] = { "千", "百", "十", "" };
	unsigned groups[5];
	int ng = 0;
	bool emitted = false, pending_zero = false;
	size_t start = b->len;

	do {
		groups[ng++] = (unsigned)(v % 10000);
		v /= 10000;
	} while (v && ng < 5);

	for (int g = ng - 1; g >= 0; g--) {
		unsigned grp = groups[g];
		if (grp == 0) {
			if (emitted)
				pending_zero = true;
			continue;
		}
		unsigned div = 1000;
		for (int i = 0; i < 4; i++, div /= 10) {
			unsigned d = grp / div % 10;
			if (d == 0) {
				if (emitted)
					pending_zero = true;
				continue;
			}
			if (pending_zero)
				buf_puts(b, zh_digit[0]);
			pending_zero = false;
			buf_puts(b, zh_digit[d]);
			buf_puts(b, pos_unit[i]);
			emitted = true;
		}
		buf_puts(b, group_unit[g]);
		pending_zero = false;
	}
	/* 一十 at the very start is said 十: 十, 十一, 十万 (but 一百一十). */
	static const char yi_shi[] = "一十";
	if (b->len - start >= sizeof yi_shi - 1 &&
	    memcmp(b->p + start, yi_shi, sizeof yi_shi - 1) == 0) {
		size_t yi = strlen("一");
		memmove(b->p + start, b->p + start + yi, b->len - start - yi + 1);
		b->len -= yi;
	}
}

static void en_append(struct buf *b, unsigned long long v)
{
	char tmp[32];
	int n = snprintf(tmp, sizeof tmp, "%llu", v);
	buf_add(b, tmp, (size_t)n);
}

char *speak_number(long long n, const char *lang)
{
	struct buf b = { 0 };
	unsigned long long v = magnitude(n);

	if (is_zh(lang)) {
		if (n < 0)
			buf_puts(&b, "负");
		if (v == 0)
			buf_puts(&b, zh_digit[0]);
		else
			zh_append(&b, v);
	} else {
		if (n < 0)
			buf_puts(&b, "minus ");
		en_append(&b, v);
	}
	return buf_done(&b);
}

char *speak_money(long long fen, const char *lang)
{
	struct buf b = { 0 };
	unsigned long long v = magnitude(fen);
	unsigned long long yuan = v / 100;
	unsigned jiao = (unsigned)(v / 10 % 10), f = (unsigned)(v % 10);

	if (is_zh(lang)) {
		if (fen < 0)
			buf_puts(&b, "负");
		if (v == 0) {
			buf_puts(&b, "零元");
			return buf_done(&b);
		}
		if (yuan) {
			zh_append(&b, yuan);
			buf_puts(&b, "元");
		}
		if (jiao) {
			buf_puts(&b, zh_digit[jiao]);
			buf_puts(&b, "角");
		} else if (yuan && f) {
			buf_puts(&b, zh_digit[0]); /* 十二元零五分 */
		}
		if (f) {
			buf_puts(&b, zh_digit[f]);
			buf_puts(&b, "分");
		}
		return buf_done(&b);
	}

	unsigned cents = (unsigned)(v % 100);
	if (fen < 0)
		buf_puts(&b, "minus ");
	if (yuan || !cents) {
		en_append(&b, yuan);
		buf_puts(&b, " yuan");
	}
	if (cents) {
		if (yuan)
			buf_puts(&b, " ");
		en_append(&b, cents);
		buf_puts(&b, " fen");
	}
	return buf_done(&b);
}

/* Separators inside codes and ID numbers: not read. */
static bool is_separator(unsigned cp)
{
	return cp < 0x20 || cp == 0x7F || cp == ' ' || cp == '-' || cp == '_' || cp == '.' ||
	       cp == '/' || cp == 0x3000 /* ideographic space */ || cp == 0xFFFD /* bad byte */;
}

char *speak_chars(const char *code, const char *lang)
{
	struct buf b = { 0 };
	bool zh = is_zh(lang);

	if (!code)
		return buf_done(&b);
	size_t len = strlen(code), i = 0;
	while (i < len) {
		unsigned cp;
		size_t n = text_utf8_decode(code + i, len - i, &cp);
		if (!is_separator(cp)) {
			if (b.len)
				buf_puts(&b, " ");
			if (cp >= '0' && cp <= '9')
				buf_puts(&b, (zh ? zh_digit : en_digit)[cp - '0']);
			else
				buf_add(&b, code + i, n);
		}
		i += n;
	}
	return buf_done(&b);
}
