/* test_theme.c: every theme's text roles against their backgrounds, by the
 * WCAG 2.x contrast ratio: at least 4.5:1 in default, 7:1 in high-contrast
 * and large; as declared (RGB) and as a 256-colour terminal shows them.
 * Run from the source tree (tests/run.sh does). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>

#include "theme.h"

static void load(const char *path, struct theme *t)
{
	FILE *f = fopen(path, "r");
	cr_assert_not_null(f, "cannot open %s (run from the source tree)", path);
	char buf[65536];
	size_t n = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	buf[n] = '\0';
	char err[200];
	int line = theme_parse(t, buf, err, sizeof err);
	cr_assert_eq(line, 0, "%s:%d: %s", path, line, err);
}

static void check(const char *path, double min)
{
	struct theme t;
	load(path, &t);
	for (int r = 0; r < ROLE_COUNT; r++) {
		const struct theme_style *s = &t.s[r];
		double c = theme_contrast(s->fg, s->bg);
		cr_expect(c >= min, "%s: %s #%06x on #%06x is %.2f:1, needs %.1f:1", path,
		          theme_role_name(r), s->fg, s->bg, c, min);
		/* What a 256-colour terminal shows: the nearest palette colours. */
		unsigned fg = theme_palette_rgb(theme_nearest(s->fg, 256));
		unsigned bg = theme_palette_rgb(theme_nearest(s->bg, 256));
		double c256 = theme_contrast(fg, bg);
		cr_expect(c256 >= min, "%s: %s in 256 colours #%06x on #%06x is %.2f:1, needs %.1f:1",
		          path, theme_role_name(r), fg, bg, c256, min);
	}
}

Test(theme, default_contrast_at_least_4_5) { check("themes/default.theme", 4.5); }
Test(theme, high_contrast_at_least_7) { check("themes/high-contrast.theme", 7.0); }
Test(theme, large_at_least_7) { check("themes/large.theme", 7.0); }

Test(theme, contrast_formula)
{
	cr_assert_float_eq(theme_contrast(0x000000, 0xffffff), 21.0, 1e-9);
	cr_assert_float_eq(theme_contrast(0x777777, 0x777777), 1.0, 1e-9);
	/* #767676 on white is the well-known 4.54:1 */
	double c = theme_contrast(0x767676, 0xffffff);
	cr_assert(c > 4.5 && c < 4.6, "%f", c);
}

Test(theme, qr_is_always_black_on_white)
{
	struct theme t;
	cr_assert_eq(theme_parse(&t, "[text]\nfg = #ffffff\nbg = #000000\n[qr]\nfg = #ffffff\nbg = #000000\n",
	                         NULL, 0), 0);
	cr_assert_eq(t.s[ROLE_QR].fg, 0x000000u);
	cr_assert_eq(t.s[ROLE_QR].bg, 0xffffffu);
}

Test(theme, bad_files_name_the_line)
{
	struct theme t;
	char err[200];
	cr_assert_eq(theme_parse(&t, "[text]\nfg = #fff\n", err, sizeof err), 2);
	cr_assert_eq(theme_parse(&t, "[text]\nfg = #000000\nbg = #ffffff\n[nope]\nfg = #000000\n", err, sizeof err), 5); /* the key under it */
	cr_assert_eq(theme_parse(&t, "[text]\nfg = #000000\nbg = #ffffff\nattr = blink\n", err, sizeof err), 4);
	cr_assert_neq(theme_parse(&t, "[title]\nfg = #000000\n", err, sizeof err), 0); /* no [text] */
}
