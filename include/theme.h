/* theme.h: colour themes (pure core). A theme maps each role to RGB colours
 * and attributes; the UI maps RGB to whatever the terminal has (256, 16 or
 * 8 colours) and falls back to attributes alone on monochrome terminals.
 *
 * File format (themes/NAME.theme, INI): before the sections,
 *   name = large
 *   contrast = 7         (the least WCAG contrast every role keeps on every
 *                         terminal; 4.5 if not given)
 * then one section per role,
 *   [focus]
 *   fg = #000000
 *   bg = #ffd700
 *   attr = bold          (bold, underline, reverse, dim; comma-separated)
 *   mono = reverse,bold  (attributes used when the terminal has no colour)
 * A role without a section takes the values of [text]. Underline is for
 * text: the UI never underlines fills, frames or blank cells.
 */
#ifndef KIOSK_THEME_H
#define KIOSK_THEME_H

#include <stdbool.h>
#include <stddef.h>

enum role {
	ROLE_TEXT,    /* body text and the screen background */
	ROLE_TITLE,   /* the title bar */
	ROLE_BUTTON,  /* an actionable element */
	ROLE_FOCUS,   /* the focused element */
	ROLE_ERROR,
	ROLE_OK,
	ROLE_BANNER,  /* offline and other notices */
	ROLE_QR,      /* black on white, always */
	ROLE_STATUS,  /* the status bar */
	ROLE_DIM,     /* secondary text (summaries, hints) */
	ROLE_COUNT
};

#define THEME_BOLD      1u
#define THEME_UNDERLINE 2u
#define THEME_REVERSE   4u
#define THEME_DIM       8u

/* WCAG AA for text: what a theme keeps unless it says more. */
#define THEME_CONTRAST_DEFAULT 4.5

struct theme_style {
	unsigned fg, bg;  /* 0xRRGGBB */
	unsigned attr;    /* THEME_* */
	unsigned mono;    /* THEME_* on monochrome terminals */
};

struct theme {
	char name[64];
	double contrast;  /* the least contrast every role keeps when mapped */
	struct theme_style s[ROLE_COUNT];
};

/* A role as a terminal is told to draw it. */
struct theme_cell {
	int fg, bg;       /* palette entries; -1 (none) on a monochrome terminal */
	unsigned attr;    /* THEME_* to set */
	bool bold_ok;     /* bold may be added (a focused frame) without a
	                   * terminal drawing the text in another colour */
};

const char *theme_role_name(enum role r);

/* Fills t with the built-in default theme (used when no file is found). */
void theme_builtin(struct theme *t);

/* Parses theme text. Returns 0, or the error line (message in err). */
int theme_parse(struct theme *t, const char *text, char *err, size_t errlen);

/* The palette entry nearest to rgb (squared distance in RGB, xterm's
 * default palette) among those a terminal with n colours is given: 16..255
 * when n >= 256 (the colour cube and the grey ramp, which terminals do not
 * redefine; black is 16, white 231), else 0..n-1 (n = 8 or 16). */
int theme_nearest(unsigned rgb, int n);

/* Maps a role's style for a terminal with n colours (256, 16 or 8; 0 for
 * none: the mono attributes alone). The background is the nearest entry;
 * the text the nearest entry that keeps min_contrast against it, with xterm's
 * default palette for entries 0..15, whether or not the terminal draws
 * bold text in entries 0..7 brighter (as 8..15): bold is dropped where that
 * would cost contrast. With colours, reverse is applied to the pair and dim
 * (which a terminal draws as it likes) is dropped, so the colours drawn are
 * exactly fg on bg. Where min_contrast cannot be had, the pair with the
 * most contrast. */
void theme_map(const struct theme_style *s, int n, double min_contrast, struct theme_cell *out);

/* The RGB value xterm's default palette gives an entry (0..255). */
unsigned theme_palette_rgb(int index);

/* WCAG 2.x contrast ratio of two sRGB colours (1.0 .. 21.0). */
double theme_contrast(unsigned rgb_a, unsigned rgb_b);

#endif
