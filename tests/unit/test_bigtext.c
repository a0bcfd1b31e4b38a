/* test_bigtext.c: unit tests for bigtext.c (block font rendering). */
#include <criterion/criterion.h>
#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "bigtext.h"

TestSuite(bigtext);

#define FULL "\xE2\x96\x88"

/* Cells in a line made only of U+2588 and spaces, or -1 if anything else. */
static int cells(const char *s)
{
	int n = 0;

	while (*s) {
		if (*s == ' ')
			s++;
		else if (strncmp(s, FULL, 3) == 0)
			s += 3;
		else
			return -1;
		n++;
	}
	return n;
}

/* Renders s (which must fit) and checks the shape; caller frees. */
static void render_ok(const char *s, struct bigtext *b)
{
	int rc = bigtext_render(s, INT_MAX, b);

	cr_assert_eq(rc, 0, "render \"%s\" failed", s);
	cr_assert_eq(b->cols, bigtext_width(s), "\"%s\": cols %d, width %d",
		     s, b->cols, bigtext_width(s));
	if (b->cols == 0) {
		cr_assert_eq(b->rows, 0);
		return;
	}
	cr_assert_eq(b->rows, BIGTEXT_ROWS);
	for (int r = 0; r < BIGTEXT_ROWS; r++) {
		cr_assert_not_null(b->lines[r]);
		cr_assert_eq(cells(b->lines[r]), b->cols,
			     "\"%s\" row %d: \"%s\" is not %d cells of block/space",
			     s, r, b->lines[r], b->cols);
	}
}

static bool same(const struct bigtext *a, const struct bigtext *b)
{
	if (a->cols != b->cols || a->rows != b->rows)
		return false;
	for (int r = 0; r < a->rows; r++)
		if (strcmp(a->lines[r], b->lines[r]) != 0)
			return false;
	return true;
}

static bool all_blank(const struct bigtext *b)
{
	for (int r = 0; r < b->rows; r++)
		if (strstr(b->lines[r], FULL))
			return false;
	return true;
}

static const char *const SUPPORTED[] = {
	"0", "1", "2", "3", "4", "5", "6", "7", "8", "9",
	"A", "B", "C", "D", "E", "F", "G", "H", "I", "J", "K", "L", "M",
	"N", "O", "P", "Q", "R", "S", "T", "U", "V", "W", "X", "Y", "Z",
	"-", ".", ":", "/", "\xC2\xA5", " ",
};
#define NSUP (sizeof SUPPORTED / sizeof SUPPORTED[0])

Test(bigtext, empty)
{
	struct bigtext b;

	memset(&b, 0xAA, sizeof b);
	cr_assert_eq(bigtext_render("", 10, &b), 0);
	cr_assert_eq(b.cols, 0);
	cr_assert_eq(b.rows, 0);
	cr_assert_eq(bigtext_width(""), 0);
	bigtext_free(&b);
	bigtext_free(&b);  /* zeroed struct is fine */
}

Test(bigtext, glyph_widths)
{
	for (size_t i = 0; i < NSUP; i++) {
		int w = bigtext_width(SUPPORTED[i]);

		cr_assert(w >= 3 && w <= 5, "glyph \"%s\" width %d", SUPPORTED[i], w);
	}
}

Test(bigtext, widths_add_with_gap)
{
	const char *s[] = { "A", "M", "1", "AB", "ABC", "M1-", "BCDF-GHJK",
			    "12.50", ("\xC2\xA5" "12.50"), "a b", "x\xFFy" };

	for (size_t i = 0; i < sizeof s / sizeof s[0]; i++) {
		int want = 0, n = 0;

		/* Sum of one-glyph widths plus one column per gap. */
		for (const char *p = s[i]; *p; n++) {
			char one[5] = { 0 };
			size_t len = (unsigned char)*p == 0xC2 ? 2 : 1;

			memcpy(one, p, len);
			want += bigtext_width(one);
			p += len;
		}
		want += n - 1;
		cr_assert_eq(bigtext_width(s[i]), want, "\"%s\": %d, want %d",
			     s[i], bigtext_width(s[i]), want);

		struct bigtext b;

		render_ok(s[i], &b);
		bigtext_free(&b);
	}
}

Test(bigtext, separator_column_blank)
{
	struct bigtext b;
	int wa = bigtext_width("8");

	render_ok("88", &b);
	cr_assert_eq(b.cols, 2 * wa + 1);
	for (int r = 0; r < BIGTEXT_ROWS; r++) {
		/* Cell wa is the gap: find its byte offset. */
		const char *p = b.lines[r];

		for (int c = 0; c < wa; c++)
			p += *p == ' ' ? 1 : 3;
		cr_assert_eq(*p, ' ', "row %d gap not blank", r);
	}
	bigtext_free(&b);
}

Test(bigtext, max_cols)
{
	struct bigtext b;
	int w = bigtext_width("BCDF-GHJK");

	cr_assert_gt(w, 0);
	cr_assert_eq(bigtext_render("BCDF-GHJK", w, &b), 0);
	cr_assert_eq(b.cols, w);
	bigtext_free(&b);
	cr_assert_null(b.lines[0]);
	cr_assert_eq(b.cols, 0);

	memset(&b, 0xAA, sizeof b);
	cr_assert_eq(bigtext_render("BCDF-GHJK", w - 1, &b), -1);
	cr_assert_eq(b.cols, 0);
	cr_assert_eq(b.rows, 0);
	for (int r = 0; r < BIGTEXT_ROWS; r++)
		cr_assert_null(b.lines[r]);
	bigtext_free(&b);

	cr_assert_eq(bigtext_render("A", 0, &b), -1);
	cr_assert_eq(bigtext_render("A", -1, &b), -1);
}

Test(bigtext, lower_equals_upper)
{
	for (char c = 'a'; c <= 'z'; c++) {
		char lo[2] = { c, 0 }, up[2] = { (char)(c - 'a' + 'A'), 0 };
		struct bigtext a, b;

		render_ok(lo, &a);
		render_ok(up, &b);
		cr_assert(same(&a, &b), "'%c' differs from '%c'", c, up[0]);
		bigtext_free(&a);
		bigtext_free(&b);
	}

	struct bigtext a, b;

	render_ok("bcdf-ghjk", &a);
	render_ok("BCDF-GHJK", &b);
	cr_assert(same(&a, &b));
	bigtext_free(&a);
	bigtext_free(&b);
}

Test(bigtext, unknown_chars_blank)
{
	const char *unknown[] = {
		"!", "?", "#", "@", "\t", "\x7F", "\xC3\xA9" /* é */,
		"\xE2\x82\xAC" /* € */, "\xF0\x9F\x98\x80" /* emoji */,
		"\xFF", "\x80", "\xC2",
	};
	/* Invalid UTF-8: every byte is its own blank glyph. */
	const char *invalid[] = {
		"\xE2\x82", "\xC0\xAF" /* overlong */, "\xE0\x80\xAF" /* overlong */,
		"\xED\xA0\x80" /* surrogate */, "\xF4\x90\x80\x80" /* > U+10FFFF */,
		"\xF0\x9F\x98" /* truncated */,
	};
	struct bigtext sp;

	render_ok(" ", &sp);
	for (size_t i = 0; i < sizeof unknown / sizeof unknown[0]; i++) {
		struct bigtext b;

		render_ok(unknown[i], &b);
		cr_assert_eq(b.cols, 3, "unknown #%zu width %d", i, b.cols);
		cr_assert(all_blank(&b), "unknown #%zu not blank", i);
		cr_assert(same(&b, &sp));
		bigtext_free(&b);
	}
	bigtext_free(&sp);
	for (size_t i = 0; i < sizeof invalid / sizeof invalid[0]; i++) {
		struct bigtext b;
		int n = (int)strlen(invalid[i]);

		render_ok(invalid[i], &b);
		cr_assert_eq(b.cols, 3 * n + (n - 1), "invalid #%zu width %d", i, b.cols);
		cr_assert(all_blank(&b), "invalid #%zu not blank", i);
		bigtext_free(&b);
	}

	/* Each invalid byte is its own blank glyph; the rest still decodes. */
	cr_assert_eq(bigtext_width("\xFF\xFE"), 3 + 1 + 3);
	cr_assert_eq(bigtext_width("\xE2\x82" "A"), 3 + 1 + 3 + 1 + bigtext_width("A"));
}

Test(bigtext, user_code)
{
	struct bigtext b;

	render_ok("BCDF-GHJK", &b);
	cr_assert_gt(b.cols, 8 * 3 + 8);
	cr_assert_not(all_blank(&b));
	bigtext_free(&b);
}

Test(bigtext, amounts)
{
	struct bigtext a, b;

	render_ok("12.50", &a);
	render_ok("\xC2\xA5" "12.50", &b);
	cr_assert_eq(b.cols, a.cols + 1 + bigtext_width("\xC2\xA5"));
	/* The amount is drawn the same after the yen sign. */
	for (int r = 0; r < BIGTEXT_ROWS; r++) {
		const char *p = b.lines[r];

		for (int c = 0; c < bigtext_width("\xC2\xA5") + 1; c++)
			p += *p == ' ' ? 1 : 3;
		cr_assert_str_eq(p, a.lines[r]);
	}
	bigtext_free(&a);
	bigtext_free(&b);
}

Test(bigtext, glyphs_distinct)
{
	struct bigtext g[NSUP];

	for (size_t i = 0; i < NSUP; i++)
		render_ok(SUPPORTED[i], &g[i]);
	for (size_t i = 0; i < NSUP; i++)
		for (size_t j = i + 1; j < NSUP; j++)
			cr_assert_not(same(&g[i], &g[j]), "\"%s\" and \"%s\" look the same",
				      SUPPORTED[i], SUPPORTED[j]);
	for (size_t i = 0; i < NSUP; i++)
		bigtext_free(&g[i]);
}

Test(bigtext, no_blank_glyph_but_space)
{
	for (size_t i = 0; i < NSUP; i++) {
		struct bigtext b;

		render_ok(SUPPORTED[i], &b);
		if (strcmp(SUPPORTED[i], " ") == 0)
			cr_assert(all_blank(&b));
		else
			cr_assert_not(all_blank(&b), "\"%s\" is blank", SUPPORTED[i]);
		bigtext_free(&b);
	}
}

/* bigtext_free takes NULL, and leaves what it freed zeroed, so that a
 * second free (the log-in screen frees its code on every relayout and
 * again when it leaves) frees nothing twice. */
Test(bigtext, null_free)
{
	struct bigtext b;

	bigtext_free(NULL);
	render_ok("BCDF-GHJK", &b);
	for (int pass = 0; pass < 2; pass++) {
		bigtext_free(&b);
		cr_assert_eq(b.cols, 0, "pass %d: cols %d after free", pass, b.cols);
		cr_assert_eq(b.rows, 0, "pass %d: rows %d after free", pass, b.rows);
		for (int r = 0; r < BIGTEXT_ROWS; r++)
			cr_assert_null(b.lines[r], "pass %d: row %d still set after free", pass, r);
	}
}
