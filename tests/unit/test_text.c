/* test_text.c: unit tests for text.c (sanitize, UTF-8, widths, wrap). */
#include <criterion/criterion.h>
#include <limits.h>
#include <locale.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "text.h"

static void setup(void)
{
	setlocale(LC_CTYPE, "C.UTF-8");
}

TestSuite(text, .init = setup);

#define FFFD "\xEF\xBF\xBD"

static void check_san(const char *in, size_t len, unsigned flags, const char *want)
{
	char *out = text_sanitize(in, len, flags);

	cr_assert_str_eq(out, want, "sanitize gave \"%s\", want \"%s\"", out, want);
	free(out);
}
#define SAN(lit, flags, want) check_san(lit, sizeof(lit) - 1, flags, want)

/* True if s is valid UTF-8 and holds no control, no bidi control and nothing
 * wcwidth rejects; newlines allowed only if nl. */
static bool clean_text(const char *s, bool nl)
{
	size_t len = strlen(s), i = 0;

	if (!text_utf8_valid(s, len))
		return false;
	while (i < len) {
		unsigned cp;

		i += text_utf8_decode(s + i, len - i, &cp);
		if (cp == '\n' && nl)
			continue;
		if (cp < 0x20 || (cp >= 0x7F && cp <= 0x9F) || cp == 0x061C ||
		    cp == 0x200E || cp == 0x200F || (cp >= 0x202A && cp <= 0x202E) ||
		    (cp >= 0x2066 && cp <= 0x2069) || wcwidth((wchar_t)cp) < 0)
			return false;
	}
	return true;
}

Test(text, sanitize_plain)
{
	SAN("hello, world", 0, "hello, world");
	SAN("社保缴费查询", 0, "社保缴费查询");
	SAN("", 0, "");
	SAN("e\xCC\x81", 0, "e\xCC\x81"); /* combining mark survives */
}

Test(text, sanitize_csi)
{
	SAN("a\x1b[31mred\x1b[0m", 0, "ared");
	SAN("\x1b[?25l\x1b[2J\x1b[H", 0, "");
	SAN("x\x1b[1;2;3 qy", 0, "xy");      /* intermediate byte */
	SAN("x\x1b[12", 0, "x");             /* truncated CSI */
	SAN("x\x1b[1\x07y", 0, "x" FFFD "y"); /* control ends it */
}

Test(text, sanitize_osc)
{
	SAN("x\x1b]0;evil title\x07y", 0, "xy");
	SAN("x\x1b]8;;http://e.example/\x1b\\link\x1b]8;;\x1b\\y", 0, "xlinky");
	SAN("x\x1b]0;t\xC2\x9Cy", 0, "xy");  /* C1 ST as UTF-8 */
	SAN("x\x1b]0;never ends", 0, "x");
	SAN("x\x1b]0;a\x1b[1mb", 0, "xb");   /* ESC inside starts anew */
}

Test(text, sanitize_other_escapes)
{
	SAN("abc\x1b", 0, "abc");           /* lone ESC at end */
	SAN("\x1b", 0, "");
	SAN("a\x1b" "7b", 0, "ab");
	SAN("a\x1b(Bb", 0, "ab");
	SAN("a\x1b\x1b[mb", 0, "ab");
	SAN("a\x1b\xE7\xA4\xBE", 0, "a社");  /* ESC before non-ASCII */
}

Test(text, sanitize_c0_c1)
{
	SAN("a\nb", 0, "a b");
	SAN("a\nb", TEXT_KEEP_NEWLINES, "a\nb");
	SAN("a\tb", 0, "a b");
	SAN("a\r\nb", TEXT_KEEP_NEWLINES, "a\nb");
	SAN("a\x07" "b", 0, "a" FFFD "b");
	SAN("a\x7f" "b", 0, "a" FFFD "b");
	SAN("a\xC2\x85" "b", 0, "a" FFFD "b");        /* U+0085 NEL */
	SAN("a\xC2\x9B" "31mb", 0, "a" FFFD "31mb");  /* U+009B CSI */
	SAN("a\x9b" "31m", 0, "a" FFFD "31m");        /* raw C1 byte */
	SAN("a\xE2\x80\xA8" "b", 0, "a" FFFD "b");    /* U+2028 */
}

/* The edges of the ranges replaced: every C0 control but those handled on
 * their own (newline, tab, CR, ESC: see above) is replaced, and so are the
 * C1 controls; the characters just outside stay. */
Test(text, sanitize_control_edges)
{
	for (unsigned c = 0x01; c < 0x20; c++) {
		char in[4] = { 'a', (char)c, 'b', 0 };

		if (c == '\n' || c == '\t' || c == '\r' || c == 0x1B)
			continue;
		check_san(in, 3, TEXT_KEEP_NEWLINES, "a" FFFD "b");
	}
	SAN("a b~", 0, "a b~");
	SAN("a\xC2\x80" "b", 0, "a" FFFD "b");       /* U+0080 */
	SAN("a\xC2\x9F" "b", 0, "a" FFFD "b");       /* U+009F */
	SAN("a\xC2\xA0" "b", 0, "a\xC2\xA0" "b");   /* U+00A0 no-break space stays */
	/* Beside the bidi controls: U+061B, 061D, 2010, 202F, 206A stay. */
	SAN("\xD8\x9B\xD8\x9D\xE2\x80\x90\xE2\x80\xAF\xE2\x81\xAA", 0,
	    "\xD8\x9B\xD8\x9D\xE2\x80\x90\xE2\x80\xAF\xE2\x81\xAA");
}

Test(text, sanitize_bidi)
{
	SAN("abc\xE2\x80\xAE" "fdp.exe", 0, "abc" FFFD "fdp.exe"); /* U+202E */
	SAN("\xE2\x81\xA6" "a\xE2\x81\xA7" "b\xE2\x81\xA8" "c\xE2\x81\xA9", 0,
	    FFFD "a" FFFD "b" FFFD "c" FFFD); /* U+2066..2069 */
	SAN("\xD8\x9C\xE2\x80\x8E\xE2\x80\x8F\xE2\x80\xAA", 0, FFFD FFFD FFFD FFFD);
}

Test(text, sanitize_invalid_utf8)
{
	SAN("a\xC0\x80" "b", 0, "a" FFFD FFFD "b");         /* overlong NUL */
	SAN("\xE0\x80\xAF", 0, FFFD FFFD FFFD);             /* overlong '/' */
	SAN("a\xED\xA0\x80" "b", 0, "a" FFFD FFFD FFFD "b"); /* surrogate */
	SAN("\xF5\x80\x80\x80", 0, FFFD FFFD FFFD FFFD);
	SAN("\xF4\x90\x80\x80", 0, FFFD FFFD FFFD FFFD);    /* > U+10FFFF */
	SAN("\xFF\xFE", 0, FFFD FFFD);
	SAN("ok\xE4\xB8", 0, "ok" FFFD FFFD);               /* truncated */
	SAN("\xE4\xB8" "a", 0, FFFD FFFD "a");
	SAN("\x80", 0, FFFD);
	SAN("\xF0\x9F\x98\x80", 0, "\xF0\x9F\x98\x80");     /* emoji is valid */
}

Test(text, sanitize_nul_in_middle)
{
	char *out = text_sanitize("a\0b", 3, 0);

	cr_assert_str_eq(out, "a" FFFD "b");
	free(out);
	out = text_sanitize(NULL, 0, 0);
	cr_assert_str_eq(out, "");
	free(out);
}

Test(text, sanitize_random_bytes_property)
{
	unsigned seed = 12345;
	unsigned char buf[64];
	static const unsigned char pool[] = { 0x1b, '[', ']', 0x07, '\\', 0xC2, 0x9B,
		0x85, 0xE2, 0x80, 0xAE, 0xED, 0xA0, 0xF4, 0x90, 0xF5, 0, '\n', '\r',
		'\t', 'a', ' ', 0xE7, 0xA4, 0xBE, 0xBF, 0xC0, 0x9C };
	int iter;

	for (iter = 0; iter < 20000; iter++) {
		size_t len = (size_t)(rand_r(&seed) % sizeof buf), i;
		char *out;

		for (i = 0; i < len; i++)
			buf[i] = (rand_r(&seed) & 1) ? (unsigned char)rand_r(&seed)
			                             : pool[rand_r(&seed) % sizeof pool];
		out = text_sanitize((const char *)buf, len, iter & 1 ? TEXT_KEEP_NEWLINES : 0);
		cr_assert(clean_text(out, iter & 1), "iteration %d", iter);
		free(out);
	}
}

Test(text, utf8_valid_and_decode)
{
	unsigned cp;

	cr_assert(text_utf8_valid("社保 abc", strlen("社保 abc")));
	cr_assert(text_utf8_valid("", 0));
	cr_assert(text_utf8_valid("a\0b", 3));
	cr_assert_not(text_utf8_valid("\xC0\x80", 2));
	cr_assert_not(text_utf8_valid("\xED\xA0\x80", 3));
	cr_assert_not(text_utf8_valid("\xF5\x80\x80\x80", 4));
	cr_assert_not(text_utf8_valid("\xE7\xA4", 2));
	cr_assert_not(text_utf8_valid("\xE7\xA4\xBE", 2)); /* len cuts it */

	cr_assert_eq(text_utf8_decode("\xE7\xA4\xBE", 3, &cp), 3);
	cr_assert_eq(cp, 0x793E);
	cr_assert_eq(text_utf8_decode("\xF0\x9F\x98\x80", 4, &cp), 4);
	cr_assert_eq(cp, 0x1F600);
	cr_assert_eq(text_utf8_decode("\xC0\x80", 2, &cp), 1);
	cr_assert_eq(cp, 0xFFFD);
	cr_assert_eq(text_utf8_decode("\xE7\xA4\xBE", 2, &cp), 1);
	cr_assert_eq(cp, 0xFFFD);
	cr_assert_eq(text_utf8_decode("\xEF\xBF\xBD", 3, &cp), 3); /* real U+FFFD */
	cr_assert_eq(cp, 0xFFFD);
	cr_assert_eq(text_utf8_decode("A", 1, &cp), 1);
	cr_assert_eq(cp, 'A');
}

Test(text, utf8_repair)
{
	size_t n = 99;
	char *out = text_utf8_repair("a\xFF" "b\xED\xA0\x80", 6, &n);

	cr_assert_str_eq(out, "a" FFFD "b" FFFD FFFD FFFD);
	cr_assert_eq(n, strlen(out));
	free(out);
	out = text_utf8_repair("{\"k\":\"社\"}", strlen("{\"k\":\"社\"}"), &n);
	cr_assert_str_eq(out, "{\"k\":\"社\"}");
	free(out);
	out = text_utf8_repair("", 0, &n);
	cr_assert_str_eq(out, "");
	cr_assert_eq(n, 0);
	free(out);
}

Test(text, width)
{
	cr_assert_eq(text_width("社保查询"), 8);
	cr_assert_eq(text_width("abc"), 3);
	cr_assert_eq(text_width(""), 0);
	cr_assert_eq(text_width(NULL), 0);
	cr_assert_eq(text_width("e\xCC\x81"), 1);
	cr_assert_eq(text_width("\xE2\x80\xA6"), 1);
	cr_assert_eq(text_width("社a"), 3);
	cr_assert_eq(text_width_n("社保查询", 6), 4);
	cr_assert_eq(text_width_n("社保查询", 0), 0);
}

Test(text, fit)
{
	int used = -1;

	cr_assert_eq(text_fit("社保查询", 5, &used), 6);
	cr_assert_eq(used, 4);
	cr_assert_eq(text_fit("社保查询", 8, &used), 12);
	cr_assert_eq(used, 8);
	cr_assert_eq(text_fit("社保查询", 1, &used), 0);
	cr_assert_eq(used, 0);
	cr_assert_eq(text_fit("abc", 0, NULL), 0);
	cr_assert_eq(text_fit("abc", -3, &used), 0);
	cr_assert_eq(text_fit("abc", 100, &used), 3);
	cr_assert_eq(used, 3);
	cr_assert_eq(text_fit("ae\xCC\x81x", 2, &used), 4); /* keeps the accent */
	cr_assert_eq(used, 2);
}

Test(text, ellipsize)
{
	char *s;
	int cols;

	s = text_ellipsize("hello", 5);
	cr_assert_str_eq(s, "hello");
	free(s);
	s = text_ellipsize("hello world", 5);
	cr_assert_str_eq(s, "hell\xE2\x80\xA6");
	free(s);
	s = text_ellipsize("hello", 0);
	cr_assert_str_eq(s, "");
	free(s);
	s = text_ellipsize("hello", -1);
	cr_assert_str_eq(s, "");
	free(s);
	s = text_ellipsize("hello", 1);
	cr_assert_str_eq(s, "\xE2\x80\xA6");
	free(s);
	s = text_ellipsize("社保查询", 5);
	cr_assert_str_eq(s, "社保\xE2\x80\xA6");
	free(s);
	s = text_ellipsize("社保查询", 4);
	cr_assert_str_eq(s, "社\xE2\x80\xA6");
	free(s);
	for (cols = 1; cols <= 12; cols++) {
		s = text_ellipsize("社保查询服务", cols);
		cr_assert_leq(text_width(s), cols, "cols %d gave width %d", cols, text_width(s));
		cr_assert_geq(text_width(s), cols - 1);
		if (cols >= 12)
			cr_assert_str_eq(s, "社保查询服务");
		free(s);
	}
}

/* Checks the wrap invariants on s: every line within cols, widths right,
 * lines in order, and all non-space characters covered exactly once. */
static void check_wrap(const char *s, int cols)
{
	int n = text_wrap(s, cols, NULL, 0), i, eff = cols < 2 ? 2 : cols;
	struct text_line *lines = calloc((size_t)n + 1, sizeof *lines);
	char *seen = malloc(strlen(s) + 1), *want = malloc(strlen(s) + 1);
	size_t ns = 0, nw = 0, prev_end = 0, k;

	cr_assert_eq(text_wrap(s, cols, lines, n), n);
	for (i = 0; i < n; i++) {
		cr_assert_leq(lines[i].width, eff, "line %d of \"%s\" at %d cols", i, s, cols);
		cr_assert_eq(lines[i].width, text_width_n(s + lines[i].off, lines[i].len));
		cr_assert_geq(lines[i].off, prev_end);
		prev_end = lines[i].off + lines[i].len;
		cr_assert_leq(prev_end, strlen(s));
		for (k = lines[i].off; k < prev_end; k++)
			if (s[k] != ' ' && s[k] != '\n')
				seen[ns++] = s[k];
	}
	for (k = 0; s[k]; k++)
		if (s[k] != ' ' && s[k] != '\n')
			want[nw++] = s[k];
	cr_assert_eq(ns, nw, "\"%s\" at %d cols", s, cols);
	cr_assert(memcmp(seen, want, ns) == 0);
	free(seen);
	free(want);
	free(lines);
}

static void expect_lines(const char *s, int cols, const char *const *want, int nwant)
{
	struct text_line lines[32];
	int n = text_wrap(s, cols, lines, 32), i;

	cr_assert_eq(n, nwant, "\"%s\" at %d cols: %d lines, want %d", s, cols, n, nwant);
	for (i = 0; i < n; i++) {
		cr_assert_eq(lines[i].len, strlen(want[i]), "line %d", i);
		cr_assert(memcmp(s + lines[i].off, want[i], lines[i].len) == 0,
		          "line %d: \"%.*s\" want \"%s\"", i, (int)lines[i].len,
		          s + lines[i].off, want[i]);
	}
}

Test(text, wrap_latin)
{
	static const char *const w1[] = { "the quick", "brown fox" };
	static const char *const w2[] = { "abcd", "efgh", "ij" };
	static const char *const w3[] = { "a", "", "b" };
	static const char *const w4[] = { "xx", "very", "long", "word" };
	static const char *const w5[] = { "a" };
	static const char *const w6[] = { "aaaa", "b" };

	expect_lines("the quick brown fox", 10, w1, 2);
	expect_lines("the quick   brown fox", 10, w1, 2);
	expect_lines("abcdefghij", 4, w2, 3);
	expect_lines("a\n\nb", 10, w3, 3);
	expect_lines("xx verylongword", 4, w4, 4);
	expect_lines("a\n", 10, w5, 1);
	expect_lines("aaaa \nb", 4, w6, 2); /* no blank line after a space break */
	cr_assert_eq(text_wrap("", 10, NULL, 0), 0);
	cr_assert_eq(text_wrap(NULL, 10, NULL, 0), 0);
}

Test(text, wrap_cjk)
{
	static const char *const w1[] = { "社保", "查询", "服务" };
	static const char *const w2[] = { "社保查", "询。" };
	static const char *const w3[] = { "一二", "「三", "四」" };
	static const char *const w4[] = { "请带", "ATM卡" };
	static const char *const w5[] = { "社" };
	static const char *const w6[] = { "（社", "保）" };

	expect_lines("社保查询服务", 5, w1, 3);
	expect_lines("社保查询。", 8, w2, 2);  /* 。 never starts a line */
	expect_lines("一二「三四」", 6, w3, 3); /* 「 never ends one */
	expect_lines("请带ATM卡", 6, w4, 2);
	expect_lines("社", 1, w5, 1);          /* cols < 2 is 2 */
	expect_lines("（社保）", 4, w6, 2);
}

Test(text, wrap_counts_beyond_max)
{
	struct text_line one[1];

	cr_assert_eq(text_wrap("a b c d", 2, one, 1), 4);
	cr_assert_eq(one[0].off, 0);
	cr_assert_eq(one[0].len, 1);
	cr_assert_eq(text_wrap("a b c d", 2, NULL, 0), 4);
}

Test(text, wrap_property_random)
{
	static const char *const alphabet[] = { "a", "b", "Z", " ", " ", "社", "保",
		"查", "。", "，", "「", "」", "（", "）", "\n", ",", ".", "(", ")",
		"e\xCC\x81", "\xE2\x80\x9C", "\xE2\x80\x9D", "\xF0\x9F\x98\x80" };
	unsigned seed = 42;
	char buf[512];
	int iter;

	for (iter = 0; iter < 3000; iter++) {
		size_t len = 0;
		int parts = rand_r(&seed) % 60, k;

		for (k = 0; k < parts; k++) {
			const char *a = alphabet[rand_r(&seed) % (sizeof alphabet / sizeof *alphabet)];

			memcpy(buf + len, a, strlen(a));
			len += strlen(a);
		}
		buf[len] = '\0';
		check_wrap(buf, rand_r(&seed) % 30);
	}
}

Test(text, wrap_linear, .timeout = 10)
{
	size_t n = 1 << 20, i;
	char *s = malloc(n + 1);
	int lines;

	/* One huge word: a quadratic wrap would rescan it per line. */
	memset(s, 'a', n);
	s[n] = '\0';
	lines = text_wrap(s, 40, NULL, 0);
	cr_assert_eq(lines, (int)((n + 39) / 40));
	/* Words with spaces, and CJK. */
	for (i = 0; i < n; i++)
		s[i] = (i % 7 == 6) ? ' ' : 'w';
	cr_assert_gt(text_wrap(s, 40, NULL, 0), 0);
	free(s);
	s = malloc(3 * 300000 + 1);
	for (i = 0; i < 300000; i++)
		memcpy(s + 3 * i, "社", 3);
	s[3 * 300000] = '\0';
	cr_assert_eq(text_wrap(s, 41, NULL, 0), 300000 / 20);
	free(s);
}

Test(text, fen)
{
	char buf[32];

	cr_assert_str_eq(text_fen(1250, buf, sizeof buf), "12.50");
	cr_assert_str_eq(text_fen(-5, buf, sizeof buf), "-0.05");
	cr_assert_str_eq(text_fen(0, buf, sizeof buf), "0.00");
	cr_assert_str_eq(text_fen(100, buf, sizeof buf), "1.00");
	cr_assert_str_eq(text_fen(-100, buf, sizeof buf), "-1.00");
	cr_assert_str_eq(text_fen(LLONG_MAX, buf, sizeof buf), "92233720368547758.07");
	cr_assert_str_eq(text_fen(LLONG_MIN, buf, sizeof buf), "-92233720368547758.08");
}

Test(text, copy)
{
	char buf[8];

	cr_assert_eq(text_copy(buf, 4, "社保"), 3);
	cr_assert_str_eq(buf, "社");
	cr_assert_eq(text_copy(buf, 6, "社保"), 3);
	cr_assert_eq(text_copy(buf, 7, "社保"), 6);
	cr_assert_str_eq(buf, "社保");
	cr_assert_eq(text_copy(buf, 1, "abc"), 0);
	cr_assert_str_eq(buf, "");
	cr_assert_eq(text_copy(buf, 3, "abc"), 2);
	cr_assert_str_eq(buf, "ab");
	cr_assert_eq(text_copy(buf, 8, "a\xE7"), 2); /* invalid byte: one unit */
	cr_assert_eq(text_copy(buf, 3, "a\xF0\x9F\x98\x80"), 1);
	cr_assert_str_eq(buf, "a");
}

Test(text, utf8_encode_round_trip)
{
	static const unsigned cps[] = { 0, 'a', 0x7F, 0x80, 0x7FF, 0x800, 0x793E, 0xFFFD, 0xFFFF,
	                                0x10000, 0x2B820, 0x10FFFF };
	for (size_t i = 0; i < sizeof cps / sizeof cps[0]; i++) {
		char b[4];
		size_t n = text_utf8_encode(cps[i], b);
		unsigned back;
		cr_assert_eq(text_utf8_decode(b, n, &back), n, "U+%04X", cps[i]);
		cr_assert_eq(back, cps[i], "U+%04X came back as U+%04X", cps[i], back);
		cr_assert(text_utf8_valid(b, n) || cps[i] == 0);
	}
	char b[4];
	unsigned back;
	/* a surrogate or a value past U+10FFFF is never written as such */
	text_utf8_decode(b, text_utf8_encode(0xD800, b), &back);
	cr_assert_eq(back, 0xFFFD);
	text_utf8_decode(b, text_utf8_encode(0x110000, b), &back);
	cr_assert_eq(back, 0xFFFD);
}

Test(text, chars_counts_code_points)
{
	cr_assert_eq(text_chars("", 0), 0);
	cr_assert_eq(text_chars("abc", 3), 3);
	cr_assert_eq(text_chars("社保卡", strlen("社保卡")), 3);
	cr_assert_eq(text_chars("a\xf0\xab\xa0\xa0z", 6), 3);
	cr_assert_eq(text_chars("社保卡", 4), 2, "only the first len bytes");
}
