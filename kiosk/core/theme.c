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

/* xterm's default palette. */
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

int theme_nearest(unsigned rgb, int n)
{
	int best = 0;
	long bestd = -1;
	int r = (int)(rgb >> 16 & 255), g = (int)(rgb >> 8 & 255), b = (int)(rgb & 255);
	for (int i = 0; i < n && i < 256; i++) {
		unsigned c = xterm_rgb(i);
		long dr = r - (int)(c >> 16 & 255), dg = g - (int)(c >> 8 & 255), db = b - (int)(c & 255);
		long d = dr * dr + dg * dg + db * db;
		if (bestd < 0 || d < bestd) {
			bestd = d;
			best = i;
		}
	}
	return best;
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
