/* bigtext.h: big glyphs drawn with block characters, for what must be read
 * at a distance: user codes, amounts, queue numbers (pure core).
 *
 * A built-in 5-row font covers digits, A-Z, and - . : ¥ / space; each glyph
 * is made of U+2588 (full block) and spaces, so it needs no font support
 * beyond what the QR code already uses. Lower-case letters are drawn as
 * upper case. Anything else is drawn as a blank glyph.
 */
#ifndef KIOSK_BIGTEXT_H
#define KIOSK_BIGTEXT_H

#include <stddef.h>

#define BIGTEXT_ROWS 5

struct bigtext {
	int cols;                     /* width in cells */
	int rows;                     /* BIGTEXT_ROWS, or 0 if empty */
	char *lines[BIGTEXT_ROWS];    /* UTF-8, each exactly `cols` cells */
};

/* Renders s with one blank column between glyphs. Returns 0, or -1 if the
 * result would be wider than max_cols (out zeroed). */
int bigtext_render(const char *s, int max_cols, struct bigtext *out);
/* Width in cells that bigtext_render would need for s. */
int bigtext_width(const char *s);
void bigtext_free(struct bigtext *b);

#endif
