/* bigtext.c: a built-in 5-row block font drawn with U+2588 and spaces.
 *
 * Each glyph is 3 to 5 cells wide, given as 5 strings of '#' (ink) and '.'
 * (blank) of equal length. Shapes that are easily confused at a distance are
 * kept apart on purpose: 0 is slashed and D is square-cornered against the
 * round O; 1 has a flag and no top bar against I and T; 5 has a square top
 * corner against S; 8 is round against the flat-sided B; 2 is round against
 * the diagonal Z.
 */
#include "bigtext.h"

#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "xmem.h"

static const char FULL[] = "\xE2\x96\x88";  /* U+2588 */
#define FULL_LEN 3

struct glyph {
	unsigned cp;
	const char *rows[BIGTEXT_ROWS];
};

static const struct glyph BLANK = { 0, { "...", "...", "...", "...", "..." } };

static const struct glyph FONT[] = {
	{ '0', { ".###.", "#..##", "#.#.#", "##..#", ".###." } },
	{ '1', { ".#.", "##.", ".#.", ".#.", "###" } },
	{ '2', { ".##.", "#..#", "..#.", ".#..", "####" } },
	{ '3', { "###.", "...#", ".##.", "...#", "###." } },
	{ '4', { "#..#", "#..#", "####", "...#", "...#" } },
	{ '5', { "####", "#...", "###.", "...#", "###." } },
	{ '6', { ".##.", "#...", "###.", "#..#", ".##." } },
	{ '7', { "####", "...#", "..#.", ".#..", ".#.." } },
	{ '8', { ".##.", "#..#", ".##.", "#..#", ".##." } },
	{ '9', { ".##.", "#..#", ".###", "...#", ".##." } },
	{ 'A', { ".##.", "#..#", "####", "#..#", "#..#" } },
	{ 'B', { "###.", "#..#", "###.", "#..#", "###." } },
	{ 'C', { ".###", "#...", "#...", "#...", ".###" } },
	{ 'D', { "###.", "#..#", "#..#", "#..#", "###." } },
	{ 'E', { "####", "#...", "###.", "#...", "####" } },
	{ 'F', { "####", "#...", "###.", "#...", "#..." } },
	{ 'G', { ".###", "#...", "#.##", "#..#", ".###" } },
	{ 'H', { "#..#", "#..#", "####", "#..#", "#..#" } },
	{ 'I', { "###", ".#.", ".#.", ".#.", "###" } },
	{ 'J', { "...#", "...#", "...#", "#..#", ".##." } },
	{ 'K', { "#..#", "#.#.", "##..", "#.#.", "#..#" } },
	{ 'L', { "#...", "#...", "#...", "#...", "####" } },
	{ 'M', { "#...#", "##.##", "#.#.#", "#...#", "#...#" } },
	{ 'N', { "#...#", "##..#", "#.#.#", "#..##", "#...#" } },
	{ 'O', { ".###.", "#...#", "#...#", "#...#", ".###." } },
	{ 'P', { "###.", "#..#", "###.", "#...", "#..." } },
	{ 'Q', { ".###.", "#...#", "#.#.#", "#..#.", ".##.#" } },
	{ 'R', { "###.", "#..#", "###.", "#.#.", "#..#" } },
	{ 'S', { ".###", "#...", ".##.", "...#", "###." } },
	{ 'T', { "#####", "..#..", "..#..", "..#..", "..#.." } },
	{ 'U', { "#..#", "#..#", "#..#", "#..#", ".##." } },
	{ 'V', { "#...#", "#...#", "#...#", ".#.#.", "..#.." } },
	{ 'W', { "#...#", "#...#", "#.#.#", "##.##", "#...#" } },
	{ 'X', { "#...#", ".#.#.", "..#..", ".#.#.", "#...#" } },
	{ 'Y', { "#...#", ".#.#.", "..#..", "..#..", "..#.." } },
	{ 'Z', { "#####", "...#.", "..#..", ".#...", "#####" } },
	{ '-', { "...", "...", "###", "...", "..." } },
	{ '.', { "...", "...", "...", "...", ".#." } },
	{ ':', { "...", ".#.", "...", ".#.", "..." } },
	{ '/', { "....#", "...#.", "..#..", ".#...", "#...." } },
	{ 0xA5, { "#...#", ".#.#.", "#####", "..#..", "..#.." } },  /* ¥ */
	{ ' ', { "...", "...", "...", "...", "..." } },
};

static const struct glyph *lookup(unsigned cp)
{
	if (cp >= 'a' && cp <= 'z')
		cp -= 'a' - 'A';
	for (size_t i = 0; i < sizeof FONT / sizeof FONT[0]; i++)
		if (FONT[i].cp == cp)
			return &FONT[i];
	return &BLANK;
}

/* Decodes one code point from s (NUL-terminated, s[0] != 0). Returns the
 * bytes consumed; *cp is the code point, or 0 for an invalid sequence (one
 * byte consumed), which draws as the blank glyph. */
static size_t decode(const unsigned char *s, unsigned *cp)
{
	unsigned c = s[0], min, v;
	size_t n;

	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c >= 0xC2 && c <= 0xDF) {
		n = 2; v = c & 0x1F; min = 0x80;
	} else if (c >= 0xE0 && c <= 0xEF) {
		n = 3; v = c & 0x0F; min = 0x800;
	} else if (c >= 0xF0 && c <= 0xF4) {
		n = 4; v = c & 0x07; min = 0x10000;
	} else {
		*cp = 0;
		return 1;
	}
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xC0) != 0x80) {  /* also stops at the NUL */
			*cp = 0;
			return 1;
		}
		v = (v << 6) | (s[i] & 0x3F);
	}
	if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF)) {
		*cp = 0;
		return 1;
	}
	*cp = v;
	return n;
}

static const struct glyph *next_glyph(const char **p)
{
	unsigned cp;

	*p += decode((const unsigned char *)*p, &cp);
	return cp ? lookup(cp) : &BLANK;
}

/* Width in cells, saturating at LONG_MAX (never reached for real input). */
static long width_of(const char *s)
{
	long w = 0;
	const char *p = s;

	if (!s)
		return 0;
	while (*p) {
		long g = (long)strlen(next_glyph(&p)->rows[0]) + (w ? 1 : 0);

		if (w > LONG_MAX - g)
			return LONG_MAX;
		w += g;
	}
	return w;
}

int bigtext_width(const char *s)
{
	long w = width_of(s);

	return w > INT_MAX ? INT_MAX : (int)w;
}

int bigtext_render(const char *s, int max_cols, struct bigtext *out)
{
	long w = width_of(s);

	memset(out, 0, sizeof *out);
	if (w == 0)
		return 0;  /* nothing to draw fits any width */
	if (w > max_cols)
		return -1;

	size_t len[BIGTEXT_ROWS] = { 0 };
	bool first = true;

	/* First pass: bytes per row. */
	for (const char *p = s; *p; first = false) {
		const struct glyph *g = next_glyph(&p);

		for (int r = 0; r < BIGTEXT_ROWS; r++) {
			if (!first)
				len[r]++;  /* separator column */
			for (const char *c = g->rows[r]; *c; c++)
				len[r] += *c == '#' ? FULL_LEN : 1;
		}
	}
	for (int r = 0; r < BIGTEXT_ROWS; r++) {
		out->lines[r] = xmalloc(len[r] + 1);
		len[r] = 0;
	}
	/* Second pass: draw. */
	first = true;
	for (const char *p = s; *p; first = false) {
		const struct glyph *g = next_glyph(&p);

		for (int r = 0; r < BIGTEXT_ROWS; r++) {
			char *line = out->lines[r];

			if (!first)
				line[len[r]++] = ' ';
			for (const char *c = g->rows[r]; *c; c++) {
				if (*c == '#') {
					memcpy(line + len[r], FULL, FULL_LEN);
					len[r] += FULL_LEN;
				} else {
					line[len[r]++] = ' ';
				}
			}
		}
	}
	for (int r = 0; r < BIGTEXT_ROWS; r++)
		out->lines[r][len[r]] = '\0';
	out->cols = (int)w;
	out->rows = BIGTEXT_ROWS;
	return 0;
}

void bigtext_free(struct bigtext *b)
{
	if (!b)
		return;
	for (int r = 0; r < BIGTEXT_ROWS; r++)
		free(b->lines[r]);
	memset(b, 0, sizeof *b);
}
