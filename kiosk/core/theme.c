/* theme.c: theme files, colour matching and contrast (pure core). */
#include "theme.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ini.h"

static const char *const role_names[ROLE_COUNT] = {
	"text", "title", "button", "focus", "error", "ok", "banner", "qr", "status", "dim",
};

const char *theme_role_name(enum role r)
{
	return r < ROLE_COUNT ? role_names[r] : "?";
}

void theme_builtin(struct theme *t)
{
	memset(t, 0, sizeof *t);
	snprintf(t->name, sizeof t->name, "builtin");
	t->contrast = THEME_CONTRAST_DEFAULT;
	t->s[ROLE_TEXT] = (struct theme_style){ 0x1a1a1a, 0xf5f5f0, 0, 0 };
	t->s[ROLE_TITLE] = (struct theme_style){ 0xffffff, 0x1f4e79, THEME_BOLD, THEME_BOLD | THEME_REVERSE };
	t->s[ROLE_BUTTON] = (struct theme_style){ 0x1a1a1a, 0xdde6f0, 0, 0 };
	t->s[ROLE_FOCUS] = (struct theme_style){ 0xffffff, 0x0b5394, THEME_BOLD, THEME_REVERSE | THEME_BOLD };
	t->s[ROLE_ERROR] = (struct theme_style){ 0x9c0006, 0xf5f5f0, THEME_BOLD, THEME_BOLD | THEME_UNDERLINE };
	t->s[ROLE_OK] = (struct theme_style){ 0x1e5e20, 0xf5f5f0, THEME_BOLD, THEME_BOLD };
	t->s[ROLE_BANNER] = (struct theme_style){ 0x1a1a1a, 0xffd966, THEME_BOLD, THEME_REVERSE };
	t->s[ROLE_QR] = (struct theme_style){ 0x000000, 0xffffff, 0, 0 };
	t->s[ROLE_STATUS] = (struct theme_style){ 0xffffff, 0x333333, 0, THEME_REVERSE };
	t->s[ROLE_DIM] = (struct theme_style){ 0x4a4a4a, 0xf5f5f0, 0, 0 };
}

struct parse_state {
	struct theme *t;
	unsigned seen[ROLE_COUNT]; /* bit 0 fg, 1 bg, 2 attr, 3 mono */
};

static int parse_rgb(const char *v, unsigned *out)
{
	if (v[0] != '#' || strlen(v) != 7 || strspn(v + 1, "0123456789abcdefABCDEF") != 6)
		return -1;
	*out = (unsigned)strtoul(v + 1, NULL, 16);
	return 0;
}

/* A contrast ratio such as 4.5 or 7, read without strtod (whose decimal
 * point depends on the locale). */
static int parse_ratio(const char *v, double *out)
{
	double r = 0, unit = 1;
	bool point = false;
	if (!*v)
		return -1;
	for (const char *p = v; *p; p++) {
		if (*p == '.' && !point) {
			point = true;
		} else if (*p >= '0' && *p <= '9' && (point ? unit > 1e-3 : r < 100)) {
			if (point) {
				unit /= 10;
				r += (*p - '0') * unit;
			} else {
				r = r * 10 + (*p - '0');
			}
		} else {
			return -1;
		}
	}
	if (r < 1 || r > 21)
		return -1;
	*out = r;
	return 0;
}

static int parse_attrs(const char *v, unsigned *out, char *err, size_t errlen)
{
	unsigned a = 0;
	const char *p = v;
	while (*p) {
		while (*p == ' ' || *p == ',')
			p++;
		size_t n = strcspn(p, ", ");
		if (n == 0)
			break;
		if (n == 4 && !strncasecmp(p, "bold", 4))
			a |= THEME_BOLD;
		else if (n == 9 && !strncasecmp(p, "underline", 9))
			a |= THEME_UNDERLINE;
		else if (n == 7 && !strncasecmp(p, "reverse", 7))
			a |= THEME_REVERSE;
		else if (n == 3 && !strncasecmp(p, "dim", 3))
			a |= THEME_DIM;
		else if (!(n == 4 && !strncasecmp(p, "none", 4))) {
			snprintf(err, errlen, "unknown attribute '%.*s' (bold, underline, reverse, dim, none)",
			         (int)n, p);
			return -1;
		}
		p += n;
	}
	*out = a;
	return 0;
}

static int on_key(void *ud, const char *section, const char *key, const char *value,
                  char *err, size_t errlen)
{
	struct parse_state *ps = ud;
	if (!*section) {
		if (!strcmp(key, "name")) {
			snprintf(ps->t->name, sizeof ps->t->name, "%s", value);
			return 0;
		}
		if (!strcmp(key, "contrast")) {
			if (parse_ratio(value, &ps->t->contrast) == 0)
				return 0;
			snprintf(err, errlen, "contrast must be a ratio from 1 to 21, like 4.5");
			return -1;
		}
		snprintf(err, errlen, "unknown key '%s' outside a role section", key);
		return -1;
	}
	int r = -1;
	for (int i = 0; i < ROLE_COUNT; i++)
		if (!strcmp(section, role_names[i]))
			r = i;
	if (r < 0) {
		snprintf(err, errlen, "unknown role [%s]", section);
		return -1;
	}
	struct theme_style *s = &ps->t->s[r];
	if (!strcmp(key, "fg") || !strcmp(key, "bg")) {
		unsigned *dst = key[0] == 'f' ? &s->fg : &s->bg;
		if (parse_rgb(value, dst) != 0) {
			snprintf(err, errlen, "%s must be a colour like #1a2b3c", key);
			return -1;
		}
		ps->seen[r] |= key[0] == 'f' ? 1u : 2u;
		return 0;
	}
	if (!strcmp(key, "attr") || !strcmp(key, "mono")) {
		unsigned *dst = key[0] == 'a' ? &s->attr : &s->mono;
		ps->seen[r] |= key[0] == 'a' ? 4u : 8u;
		return parse_attrs(value, dst, err, errlen);
	}
	snprintf(err, errlen, "unknown key '%s' (fg, bg, attr, mono)", key);
	return -1;
}

int theme_parse(struct theme *t, const char *text, char *err, size_t errlen)
{
	struct parse_state ps;
	memset(&ps, 0, sizeof ps);
	memset(t, 0, sizeof *t);
	t->contrast = THEME_CONTRAST_DEFAULT;
	ps.t = t;
	int line = ini_parse(text, on_key, &ps, err, errlen);
	if (line != 0)
		return line;
	if ((ps.seen[ROLE_TEXT] & 3u) != 3u) {
		snprintf(err, errlen, "the [text] role needs fg and bg");
		return 1;
	}
	for (int i = 0; i < ROLE_COUNT; i++) {
		if (i == ROLE_TEXT)
			continue;
		if (!(ps.seen[i] & 1u))
			t->s[i].fg = t->s[ROLE_TEXT].fg;
		if (!(ps.seen[i] & 2u))
			t->s[i].bg = t->s[ROLE_TEXT].bg;
	}
	/* The QR code is black on white whatever the theme says: scanners and
	 * phones fail on inverted codes. */
	t->s[ROLE_QR] = (struct theme_style){ 0x000000, 0xffffff, 0, 0 };
	/* The focus must show without colour too. */
	if (!(ps.seen[ROLE_FOCUS] & 8u))
		t->s[ROLE_FOCUS].mono = THEME_REVERSE | THEME_BOLD;
	return 0;
}

/* xterm's default palette: entries 0..15 as xterm defines them (the
 * reference the launcher sets; other terminals differ), 16..231 the colour
 * cube and 232..255 the grey ramp (alike in every terminal). */
static unsigned xterm_rgb(int i)
{
	static const unsigned base[16] = {
		0x000000, 0xcd0000, 0x00cd00, 0xcdcd00, 0x0000ee, 0xcd00cd, 0x00cdcd, 0xe5e5e5,
		0x7f7f7f, 0xff0000, 0x00ff00, 0xffff00, 0x5c5cff, 0xff00ff, 0x00ffff, 0xffffff,
	};
	if (i < 16)
		return base[i];
	if (i < 232) {
		static const int lvl[6] = { 0, 95, 135, 175, 215, 255 };
		int c = i - 16;
		return (unsigned)(lvl[c / 36] << 16 | lvl[(c / 6) % 6] << 8 | lvl[c % 6]);
	}
	int g = 8 + (i - 232) * 10;
	return (unsigned)(g << 16 | g << 8 | g);
}

unsigned theme_palette_rgb(int index)
{
	return xterm_rgb(index < 0 ? 0 : index > 255 ? 255 : index);
}

/* The entries lo..hi-1 a terminal with n colours is given. */
static void palette_range(int n, int *lo, int *hi)
{
	*lo = n >= 256 ? 16 : 0;
	*hi = n >= 256 ? 256 : n >= 16 ? 16 : 8;
}

static long distance(unsigned a, unsigned b)
{
	long dr = (long)(a >> 16 & 255) - (long)(b >> 16 & 255);
	long dg = (long)(a >> 8 & 255) - (long)(b >> 8 & 255);
	long db = (long)(a & 255) - (long)(b & 255);
	return dr * dr + dg * dg + db * db;
}

int theme_nearest(unsigned rgb, int n)
{
	int lo, hi;
	palette_range(n, &lo, &hi);
	int best = lo;
	for (int i = lo + 1; i < hi; i++)
		if (distance(xterm_rgb(i), rgb) < distance(xterm_rgb(best), rgb))
			best = i;
	return best;
}

static double luminance(unsigned rgb);

static double ratio(double la, double lb)
{
	return la > lb ? (la + 0.05) / (lb + 0.05) : (lb + 0.05) / (la + 0.05);
}

/* The contrast of text in entry fg on entry bg, the lesser of the two a
 * terminal may draw when bold: xterm (boldColors), st and others draw bold
 * text in entries 0..7 as 8..15. */
static double worst_contrast(const double *lum, int fg, int bg, bool bold)
{
	double c = ratio(lum[fg], lum[bg]);
	if (bold && fg < 8) {
		double b = ratio(lum[fg + 8], lum[bg]);
		if (b < c)
			c = b;
	}
	return c;
}

void theme_map(const struct theme_style *s, int n, double min_contrast, struct theme_cell *out)
{
	if (n <= 0) {
		*out = (struct theme_cell){ -1, -1, s->mono, true };
		return;
	}
	unsigned fg_rgb = s->fg, bg_rgb = s->bg;
	if (s->attr & THEME_REVERSE) {
		fg_rgb = s->bg;
		bg_rgb = s->fg;
	}
	int lo, hi;
	palette_range(n, &lo, &hi);
	double lum[256];
	for (int i = 0; i < 256; i++)
		lum[i] = i < 16 || (i >= lo && i < hi) ? luminance(xterm_rgb(i)) : 0;
	/* The pair nearest to the theme's that keeps the contrast; the
	 * background counts four times, the larger area, so that roles on one
	 * background keep one entry. */
	int fg = -1, bg = -1;
	long best = -1;
	for (int b = lo; b < hi; b++) {
		long db = 4 * distance(xterm_rgb(b), bg_rgb);
		if (best >= 0 && db >= best)
			continue;
		for (int f = lo; f < hi; f++) {
			long d = db + distance(xterm_rgb(f), fg_rgb);
			if ((best < 0 || d < best) && worst_contrast(lum, f, b, false) >= min_contrast) {
				best = d;
				fg = f;
				bg = b;
			}
		}
	}
	double got = min_contrast;
	if (fg < 0) { /* none keeps it: the most contrast there is */
		got = 0;
		for (int b = lo; b < hi; b++)
			for (int f = lo; f < hi; f++)
				if (worst_contrast(lum, f, b, false) > got) {
					got = worst_contrast(lum, f, b, false);
					fg = f;
					bg = b;
				}
	}
	out->fg = fg;
	out->bg = bg;
	out->bold_ok = worst_contrast(lum, fg, bg, true) >= got;
	out->attr = s->attr & ~(THEME_REVERSE | THEME_DIM);
	if (!out->bold_ok)
		out->attr &= ~THEME_BOLD;
}

static double lin(unsigned c8)
{
	double c = c8 / 255.0;
	return c <= 0.04045 ? c / 12.92 : pow((c + 0.055) / 1.055, 2.4);
}

static double luminance(unsigned rgb)
{
	return 0.2126 * lin(rgb >> 16 & 255) + 0.7152 * lin(rgb >> 8 & 255) + 0.0722 * lin(rgb & 255);
}

double theme_contrast(unsigned a, unsigned b)
{
	double la = luminance(a), lb = luminance(b);
	if (la < lb) {
		double t = la;
		la = lb;
		lb = t;
	}
	return (la + 0.05) / (lb + 0.05);
}
