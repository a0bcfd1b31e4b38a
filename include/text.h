/* text.h: UTF-8 text on its way to the screen (pure core: no curses, no curl).
 *
 * Every string that comes from outside (gateway, scanner, disk) passes
 * text_sanitize() before it may be drawn. Widths are terminal columns as
 * wcwidth(3) counts them under a UTF-8 LC_CTYPE (the same function ncursesw
 * uses, so our layout and the terminal agree): CJK is 2 columns.
 */
#ifndef KIOSK_TEXT_H
#define KIOSK_TEXT_H

#include <stddef.h>
#include <stdbool.h>

/* Flags for text_sanitize(). */
#define TEXT_KEEP_NEWLINES 1u /* keep '\n' (paragraphs); otherwise it becomes a space */

/* Returns a new NUL-terminated string (caller frees) that is valid UTF-8 and
 * holds no C0 control (except '\n' with TEXT_KEEP_NEWLINES; TAB becomes a
 * space, CR is dropped), no DEL, no C1 control (U+0080..U+009F), no bidi
 * control (U+061C, U+200E, U+200F, U+202A..U+202E, U+2066..U+2069), no
 * unassigned/non-printable character (wcwidth < 0): each invalid byte or
 * removed character becomes U+FFFD, except ESC sequences, which are dropped
 * whole (ESC [ ... final byte; ESC ] ... BEL/ST; ESC + one byte). Overlong
 * encodings, surrogates and code points above U+10FFFF are invalid. Embedded
 * NUL bytes in `in` (len counts them) end nothing: they become U+FFFD.
 * Never returns NULL (aborts on out-of-memory). */
char *text_sanitize(const char *in, size_t len, unsigned flags);

/* True if s[0..len) is entirely valid UTF-8 (no overlongs, no surrogates). */
bool text_utf8_valid(const char *s, size_t len);

/* Replaces every invalid UTF-8 sequence in buf[0..len) by U+FFFD, in a new
 * buffer (caller frees, NUL-terminated, *outlen set). Used on raw gateway
 * bodies before JSON parsing so one bad byte does not lose a whole catalog. */
char *text_utf8_repair(const char *buf, size_t len, size_t *outlen);

/* Encodes a code point as UTF-8 into out (no NUL); returns its length
 * (1-4). Surrogates and values past U+10FFFF become U+FFFD. */
size_t text_utf8_encode(unsigned cp, char out[4]);

/* Decodes one code point at s (at most len bytes); returns the number of
 * bytes consumed (>= 1) and sets *cp (U+FFFD for an invalid sequence, which
 * consumes one byte). len must be > 0. */
size_t text_utf8_decode(const char *s, size_t len, unsigned *cp);

/* Characters (code points) in the first len bytes of UTF-8: its lead
 * bytes, so a valid string's count. */
size_t text_chars(const char *s, size_t len);

/* Display width in columns of a sanitized string (first len bytes). */
int text_width_n(const char *s, size_t len);
int text_width(const char *s);

/* Bytes of the longest prefix of s that fits in `cols` columns without
 * splitting a character; *used (may be NULL) receives its width. */
size_t text_fit(const char *s, int cols, int *used);

/* New string (caller frees) that fits `cols` columns: s itself if it fits,
 * otherwise a prefix plus "…" (U+2026, 1 column). cols <= 0 gives "". */
char *text_ellipsize(const char *s, int cols);

/* One wrapped line: s[off .. off+len), `width` columns. */
struct text_line {
	size_t off;
	size_t len;
	int width;
};

/* Wraps s into lines of at most `cols` columns. Breaks at spaces in Latin
 * text (the space is not part of either line) and between any two CJK
 * characters, never before closing punctuation (，。、；：？！）》」』”’ and
 * their ASCII cousins) nor after opening punctuation (（《「『“‘); a word wider
 * than `cols` is broken by character. '\n' forces a break. Fills up to
 * max_lines entries of `lines` (may be NULL with max_lines 0) and returns
 * the total number of lines the text needs (so a caller can size a pager).
 * cols < 2 is treated as 2. */
int text_wrap(const char *s, int cols, struct text_line *lines, int max_lines);

/* Formats an amount in fen as yuan: 1250 -> "12.50", -5 -> "-0.05".
 * buf must hold at least 32 bytes. Returns buf. */
char *text_fen(long long fen, char *buf, size_t buflen);

/* Copies at most n-1 bytes of src to dst, never splitting a UTF-8 sequence,
 * always NUL-terminating (n > 0). Returns bytes copied. */
size_t text_copy(char *dst, size_t n, const char *src);

#endif
