/* theme.h: colour themes (pure core). A theme maps each role to RGB colours
 * and attributes; the UI maps RGB to whatever the terminal has (256, 16 or
 * 8 colours) and falls back to attributes alone on monochrome terminals.
 *
 * File format (themes/NAME.theme, INI): one section per role,
 *   [focus]
 *   fg = #000000
 *   bg = #ffd700
 *   attr = bold          (bold, underline, reverse, dim; comma-separated)
 *   mono = reverse,bold  (attributes used when the terminal has no colour)
 * A role without a section takes the values of [text].
 */
#ifndef KIOSK_THEME_H
#define KIOSK_THEME_H

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

struct theme_style {
	unsigned fg, bg;  /* 0xRRGGBB */
	unsigned attr;    /* THEME_* */
	unsigned mono;    /* THEME_* on monochrome terminals */
};

struct theme {
	char name[64];
	struct theme_style s[ROLE_COUNT];
};

const char *theme_role_name(enum role r);

/* Fills t with the built-in default theme (used when no file is found). */
void theme_builtin(struct theme *t);

/* Parses theme text. Returns 0, or the error line (message in err). */
int theme_parse(struct theme *t, const char *text, char *err, size_t errlen);

/* xterm's colour index nearest to rgb among the first n colours (n = 8, 16
 * or 256), by squared distance in RGB. */
int theme_nearest(unsigned rgb, int n);

/* The RGB value xterm shows for a palette index (0..255). */
unsigned theme_palette_rgb(int index);

/* WCAG 2.x contrast ratio of two sRGB colours (1.0 .. 21.0). */
double theme_contrast(unsigned rgb_a, unsigned rgb_b);

#endif
