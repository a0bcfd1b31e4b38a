/* test_theme.c: every theme's roles against their backgrounds, by the
 * WCAG 2.x contrast ratio: at least 4.5:1 in default, 7:1 in high-contrast
 * and large; as declared (RGB) and as terminals draw them: with 256 colours
 * (entries 16..255 only), and with 16 and 8 colours in xterm's default
 * palette, with and without bold-as-bright (bold text in entries 0..7 drawn
 * as 8..15, as xterm with boldColors and st do).
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

/* The contrast a role is drawn with on a terminal with n colours: the
 * least of the renditions with and without bold-as-bright, bold being the
 * role's own or the one the UI may add (bold_ok). */
static double drawn_contrast(const struct theme_cell *c, unsigned *fg_out, unsigned *bg_out)
{
	bool bold = (c->attr & THEME_BOLD) || c->bold_ok;
	unsigned bg = theme_palette_rgb(c->bg), fg = theme_palette_rgb(c->fg);
	double least = theme_contrast(fg, bg);
	*fg_out = fg;
	*bg_out = bg;
	if (bold && c->fg < 8) {
		unsigned bright = theme_palette_rgb(c->fg + 8);
		if (theme_contrast(bright, bg) < least) {
			least = theme_contrast(bright, bg);
			*fg_out = bright;
		}
	}
	return least;
}

static void check_rendition(const char *path, const struct theme *t, int r, int n, double min)
{
	struct theme_cell c;
	theme_map(&t->s[r], n, t->contrast, &c);
	int lo = n >= 256 ? 16 : 0, hi = n >= 256 ? 255 : n - 1;
	cr_expect(c.fg >= lo && c.fg <= hi && c.bg >= lo && c.bg <= hi,
	          "%s: %s in %d colours uses entries %d on %d, not within %d..%d", path, theme_role_name(r), n,
	          c.fg, c.bg, lo, hi);
	cr_expect(!(c.attr & (THEME_REVERSE | THEME_DIM)), "%s: %s in %d colours keeps reverse or dim (%#x)", path,
	          theme_role_name(r), n, c.attr);
	unsigned fg, bg;
	double got = drawn_contrast(&c, &fg, &bg);
	cr_expect(got >= min, "%s: %s in %d colours (entries %d on %d%s) is drawn #%06x on #%06x, %.2f:1, needs %.1f:1",
	          path, theme_role_name(r), n, c.fg, c.bg, (c.attr & THEME_BOLD) || c.bold_ok ? ", bold" : "", fg,
	          bg, got, min);
}

static void check(const char *path, double min)
{
	struct theme t;
	load(path, &t);
	cr_expect(t.contrast >= min, "%s promises contrast %.1f, needs %.1f", path, t.contrast, min);
	for (int r = 0; r < ROLE_COUNT; r++) {
		const struct theme_style *s = &t.s[r];
		double c = theme_contrast(s->fg, s->bg);
		cr_expect(c >= min, "%s: %s #%06x on #%06x is %.2f:1, needs %.1f:1", path,
		          theme_role_name(r), s->fg, s->bg, c, min);
		check_rendition(path, &t, r, 256, min);
		check_rendition(path, &t, r, 16, min);
		check_rendition(path, &t, r, 8, min);
		struct theme_cell mono;
		theme_map(s, 0, t.contrast, &mono);
		cr_expect(mono.fg == -1 && mono.bg == -1 && mono.attr == s->mono, "%s: %s on a monochrome terminal",
		          path, theme_role_name(r));
	}
	/* The focus shows by fill, marker and frame: no underline through it. */
	cr_expect(!(t.s[ROLE_FOCUS].attr & THEME_UNDERLINE), "%s: the focus is underlined", path);
}

Test(theme, default_contrast_at_least_4_5) { check("themes/default.theme", 4.5); }
Test(theme, high_contrast_at_least_7) { check("themes/high-contrast.theme", 7.0); }
Test(theme, large_at_least_7) { check("themes/large.theme", 7.0); }

Test(theme, builtin_contrast_at_least_4_5)
{
	struct theme t;
	theme_builtin(&t);
	for (int r = 0; r < ROLE_COUNT; r++)
		for (int n = 8; n <= 256; n = n == 16 ? 256 : n * 2) {
			struct theme_cell c;
			unsigned fg, bg;
			theme_map(&t.s[r], n, t.contrast, &c);
			double got = drawn_contrast(&c, &fg, &bg);
			cr_expect(got >= 4.5, "builtin: %s in %d colours is %.2f:1", theme_role_name(r), n, got);
		}
}

/* Terminals redefine entries 0..15 (foot, st, xterm's bold-as-bright);
 * with 256 colours none of them is used. */
Test(theme, nearest_256_is_never_below_16)
{
	cr_assert_eq(theme_nearest(0x000000, 256), 16);
	cr_assert_eq(theme_nearest(0xffffff, 256), 231);
	for (unsigned r = 0; r < 256; r += 5)
		for (unsigned g = 0; g < 256; g += 5)
			for (unsigned b = 0; b < 256; b += 5) {
				int i = theme_nearest(r << 16 | g << 8 | b, 256);
				cr_assert(i >= 16 && i <= 255, "#%02x%02x%02x is entry %d", r, g, b, i);
			}
	cr_assert_eq(theme_nearest(0xffffff, 16), 15);
	cr_assert_eq(theme_nearest(0xffffff, 8), 7);
}

/* The palette the contrast is computed in: xterm's defaults, spot-checked
 * against xterm's own figures. */
Test(theme, palette_is_xterms)
{
	cr_assert_eq(theme_palette_rgb(0), 0x000000u);
	cr_assert_eq(theme_palette_rgb(7), 0xe5e5e5u);
	cr_assert_eq(theme_palette_rgb(8), 0x7f7f7fu);
	cr_assert_eq(theme_palette_rgb(12), 0x5c5cffu);
	cr_assert_eq(theme_palette_rgb(16), 0x000000u);
	cr_assert_eq(theme_palette_rgb(17), 0x00005fu);
	cr_assert_eq(theme_palette_rgb(231), 0xffffffu);
	cr_assert_eq(theme_palette_rgb(232), 0x080808u);
	cr_assert_eq(theme_palette_rgb(255), 0xeeeeeeu);
}

/* The case: bold black on white is drawn grey (#7f7f7f, 4:1) by a
 * terminal that brightens bold; in 8 and 16 colours the bold goes. */
Test(theme, no_bold_that_a_terminal_would_brighten)
{
	struct theme_style s = { 0x000000, 0xffffff, THEME_BOLD, 0 };
	struct theme_cell c;
	theme_map(&s, 16, 7.0, &c);
	cr_assert_eq(c.fg, 0);
	cr_assert_eq(c.bg, 15);
	cr_assert_not(c.attr & THEME_BOLD);
	cr_assert_not(c.bold_ok);
	theme_map(&s, 256, 7.0, &c);
	cr_assert_eq(c.fg, 16);
	cr_assert_eq(c.bg, 231);
	cr_assert(c.attr & THEME_BOLD);
	/* Bold white on black only gets brighter: it stays. */
	s = (struct theme_style){ 0xffffff, 0x000000, THEME_BOLD, 0 };
	theme_map(&s, 8, 7.0, &c);
	cr_assert_eq(c.fg, 7);
	cr_assert_eq(c.bg, 0);
	cr_assert(c.attr & THEME_BOLD);
}

/* A colour the palette lacks is traded for contrast, not kept for
 * nearness: white on #1f4e79 would be white on grey (4:1) in 16 colours. */
Test(theme, contrast_before_nearness)
{
	struct theme_style s = { 0xffffff, 0x1f4e79, 0, 0 };
	struct theme_cell c;
	theme_map(&s, 16, 4.5, &c);
	cr_assert_eq(theme_nearest(0x1f4e79, 16), 8);
	cr_assert_eq(c.fg, 15);
	cr_assert_eq(c.bg, 4, "bg %d", c.bg);
	/* Impossible asks get the most contrast there is. */
	s = (struct theme_style){ 0x808080, 0x808080, 0, 0 };
	theme_map(&s, 8, 21.0, &c);
	cr_assert(theme_contrast(theme_palette_rgb(c.fg), theme_palette_rgb(c.bg)) > 16.6, "%d on %d", c.fg, c.bg);
	/* Reverse is applied to the pair. */
	s = (struct theme_style){ 0x000000, 0xffffff, THEME_REVERSE, THEME_REVERSE };
	theme_map(&s, 256, 4.5, &c);
	cr_assert_eq(c.fg, 231);
	cr_assert_eq(c.bg, 16);
	cr_assert_eq(c.attr, 0u);
}

Test(theme, contrast_key)
{
	struct theme t;
	char err[200];
	cr_assert_eq(theme_parse(&t, "[text]\nfg = #000000\nbg = #ffffff\n", err, sizeof err), 0);
	cr_assert_float_eq(t.contrast, 4.5, 1e-9);
	cr_assert_eq(theme_parse(&t, "contrast = 7.25\n[text]\nfg = #000000\nbg = #ffffff\n", err, sizeof err), 0);
	cr_assert_float_eq(t.contrast, 7.25, 1e-9);
	cr_assert_eq(theme_parse(&t, "contrast = 22\n[text]\nfg = #000000\nbg = #ffffff\n", err, sizeof err), 1);
	cr_assert_eq(theme_parse(&t, "contrast = 4,5\n[text]\nfg = #000000\nbg = #ffffff\n", err, sizeof err), 1);
	cr_assert_eq(theme_parse(&t, "contrast =\n", err, sizeof err), 1);
}

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
