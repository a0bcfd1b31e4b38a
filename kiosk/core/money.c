/* money.c: amounts in fen, written ("45.60"), parsed as EMVCo writes them
 * ("45.6") and said aloud ("四十五元六角").
 *
 * Both the kiosk and the reference gateway link this file (the gateway with
 * emv.c alone), so it depends on libc only: no text.c, no xmem.c.
 *
 * Spoken Chinese follows the formal reading of counters and receipts: 二
 * (not 两), one 零 for each run of zeros between non-zero digits (zeros at
 * the end of a four-digit group are absorbed by the group's unit:
 * 十万一千, but 一万零一百), a leading 一十 said 十, 零 before the fen when
 * there are yuan but no jiao (一百零二元零五分). No 整: receipts print it
 * after whole yuan so that nothing can be added, but nobody says it, and
 * the kiosk's other spoken amounts (speak.c) do not either. zh_TW writes
 * the large units in traditional characters and uses Taiwan's 兆 and 京
 * for 10^12 and 10^16 where the mainland says 万亿 and 亿亿; 元, 角, 分 and
 * the numerals are the same characters in both.
 */
#include "money.h"

#include <string.h>

/* The magnitude of fen as unsigned, LLONG_MIN included. */
static unsigned long long abs_fen(long long fen)
{
	return fen < 0 ? 0ULL - (unsigned long long)fen : (unsigned long long)fen;
}

/* Copies len bytes of src into out[n], cut so that no UTF-8 sequence is
 * split, NUL-terminated; returns the bytes copied. */
static size_t put_cut(char *out, size_t n, const char *src, size_t len)
{
	if (!out || n == 0)
		return 0;
	if (len > n - 1) {
		len = n - 1;
		while (len > 0 && ((unsigned char)src[len] & 0xC0) == 0x80)
			len--;
	}
	memcpy(out, src, len);
	out[len] = '\0';
	return len;
}

/* Writes v in decimal at the end of buf (which ends at *end), moving *end
 * back; returns the new start. */
static char *digits_back(char *end, unsigned long long v, int min_digits)
{
	int k = 0;
	do {
		*--end = (char)('0' + v % 10);
		v /= 10;
		k++;
	} while (v || k < min_digits);
	return end;
}

size_t money_format(long long fen, char *out, size_t n)
{
	char tmp[32];
	char *end = tmp + sizeof tmp;
	unsigned long long v = abs_fen(fen);

	end = digits_back(end, v % 100, 2);
	*--end = '.';
	end = digits_back(end, v / 100, 1);
	if (fen < 0)
		*--end = '-';
	return put_cut(out, n, end, (size_t)(tmp + sizeof tmp - end));
}

bool money_parse_yuan(const char *s, size_t len, long long *fen)
{
	size_t i = 0, whole = 0, frac = 0;
	long long v = 0, cents = 0;

	if (!s)
		return false;
	for (; i < len && s[i] >= '0' && s[i] <= '9'; i++, whole++) {
		if (whole == 12)
			return false;
		v = v * 10 + (s[i] - '0');
	}
	if (whole == 0)
		return false; /* ".5", "", "+1", "-1" */
	if (i < len) {
		if (s[i] != '.')
			return false; /* "1e3", "1,00", "1 " */
		for (i++; i < len && s[i] >= '0' && s[i] <= '9'; i++, frac++) {
			if (frac == 2)
				return false; /* "45.605" */
			cents = cents * 10 + (s[i] - '0');
		}
		if (frac == 0 || i < len)
			return false; /* "5.", "5.0x" */
	}
	if (frac == 1)
		cents *= 10;
	if (fen)
		*fen = v * 100 + cents;
	return true;
}

/* Chinese numerals for one language. */
struct zh_words {
	const char *group[5]; /* 10^0, 10^4, 10^8, 10^12, 10^16 */
	const char *neg;
};

static const struct zh_words zh_hans = { { "", "万", "亿", "万亿", "亿亿" }, "负" };
static const struct zh_words zh_hant = { { "", "萬", "億", "兆", "京" }, "負" };

static const char *const numeral[10] = { "零", "一", "二", "三", "四", "五", "六", "七", "八", "九" };

/* A bounded string being written; too long a text is cut by put_cut at the
 * end, so appends only need to stay inside the array. */
struct line {
	char s[192];
	size_t len;
};

static void line_add(struct line *l, const char *s)
{
	size_t k = strlen(s);
	if (l->len + k < sizeof l->s) {
		memcpy(l->s + l->len, s, k);
		l->len += k;
	}
}

/* v > 0 in Chinese numerals, groups of four digits from the top. */
static void zh_number(struct line *l, unsigned long long v, const struct zh_words *w)
{
	static const char *const place[4] = { "", "十", "百", "千" };
	static const unsigned scale[4] = { 1, 10, 100, 1000 };
	unsigned grp[5] = { 0 };
	int top = 0;
	bool said = false, zero = false;
	size_t start = l->len;

	for (int g = 0; g < 5 && v; g++, v /= 10000) {
		grp[g] = (unsigned)(v % 10000);
		top = g;
	}
	for (int g = top; g >= 0; g--) {
		if (!grp[g]) {
			zero = zero || said;
			continue;
		}
		for (int p = 3; p >= 0; p--) {
			unsigned d = grp[g] / scale[p] % 10;
			if (!d) {
				zero = zero || said;
				continue;
			}
			if (zero)
				line_add(l, numeral[0]);
			line_add(l, numeral[d]);
			line_add(l, place[p]);
			said = true;
			zero = false;
		}
		line_add(l, w->group[g]);
		zero = false; /* the unit absorbs the group's trailing zeros */
	}
	/* 十, 十五, 十万: a leading 一十 loses its 一 (一百一十 keeps it). */
	if (strncmp(l->s + start, "一十", strlen("一十")) == 0) {
		size_t one = strlen("一");
		memmove(l->s + start, l->s + start + one, l->len - start - one);
		l->len -= one;
	}
}

static void speak_zh(struct line *l, long long fen, const struct zh_words *w)
{
	unsigned long long v = abs_fen(fen), yuan = v / 100;
	unsigned jiao = (unsigned)(v / 10 % 10), f = (unsigned)(v % 10);

	if (fen < 0)
		line_add(l, w->neg);
	if (yuan || v == 0) {
		if (yuan)
			zh_number(l, yuan, w);
		else
			line_add(l, numeral[0]);
		line_add(l, "元");
	}
	if (jiao) {
		line_add(l, numeral[jiao]);
		line_add(l, "角");
	} else if (yuan && f) {
		line_add(l, numeral[0]);
	}
	if (f) {
		line_add(l, numeral[f]);
		line_add(l, "分");
	}
}

static void speak_en(struct line *l, long long fen)
{
	char num[32];
	char *end = num + sizeof num - 1;
	unsigned long long v = abs_fen(fen), yuan = v / 100, cents = v % 100;

	*end = '\0';
	if (fen < 0)
		line_add(l, "minus ");
	if (yuan || !cents) {
		line_add(l, digits_back(end, yuan, 1));
		line_add(l, " yuan");
	}
	if (cents) {
		if (yuan)
			line_add(l, " ");
		line_add(l, digits_back(end, cents, 1));
		line_add(l, " fen");
	}
}

/* zh_TW, zh_HK, zh_MO and zh-Hant read traditional; other zh simplified. */
static const struct zh_words *zh_for(const char *lang)
{
	if (!lang || (lang[0] != 'z' && lang[0] != 'Z') || (lang[1] != 'h' && lang[1] != 'H'))
		return NULL;
	if (lang[2] != '_' && lang[2] != '-')
		return &zh_hans;
	const char *r = lang + 3;
	if (!strncmp(r, "TW", 2) || !strncmp(r, "HK", 2) || !strncmp(r, "MO", 2) ||
	    !strncmp(r, "Hant", 4))
		return &zh_hant;
	return &zh_hans;
}

size_t money_speak(long long fen, const char *lang, char *out, size_t n)
{
	struct line l = { .len = 0 };
	const struct zh_words *w = zh_for(lang);

	if (w)
		speak_zh(&l, fen, w);
	else
		speak_en(&l, fen);
	return put_cut(out, n, l.s, l.len);
}
