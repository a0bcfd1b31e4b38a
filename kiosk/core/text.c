/* text.c: UTF-8 text on its way to the screen.
 *
 * Everything the gateway, a scanner or a file hands us goes through
 * text_sanitize() before it is drawn, so that no byte sequence from outside
 * can move the cursor, retitle the terminal or flip the reading direction.
 * Widths come from wcwidth(3), the function ncursesw itself uses, so that our
 * layout and the terminal agree on every column.
 */
#include "text.h"

#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "xmem.h"

#define REPLACEMENT 0xFFFDu
static const char replacement_utf8[] = "\xEF\xBF\xBD";

size_t text_chars(const char *s, size_t len)
{
	size_t n = 0;
	for (size_t i = 0; i < len; i++)
		n += ((unsigned char)s[i] & 0xC0) != 0x80;
	return n;
}

size_t text_utf8_encode(unsigned cp, char out[4])
{
	if (cp >= 0x110000 || (cp >= 0xD800 && cp <= 0xDFFF))
		cp = REPLACEMENT;
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xC0 | cp >> 6);
		out[1] = (char)(0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xE0 | cp >> 12);
		out[1] = (char)(0x80 | (cp >> 6 & 0x3F));
		out[2] = (char)(0x80 | (cp & 0x3F));
		return 3;
	}
	out[0] = (char)(0xF0 | cp >> 18);
	out[1] = (char)(0x80 | (cp >> 12 & 0x3F));
	out[2] = (char)(0x80 | (cp >> 6 & 0x3F));
	out[3] = (char)(0x80 | (cp & 0x3F));
	return 4;
}

size_t text_utf8_decode(const char *s, size_t len, unsigned *cp)
{
	const unsigned char *p = (const unsigned char *)s;
	unsigned c, v, min;
	size_t need, i;

	/* The contract says len > 0; a zero must still not read s[0]. */
	if (len == 0) {
		*cp = REPLACEMENT;
		return 1;
	}
	c = p[0];
	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	/* C0/C1 leads are always overlong, F5+ would exceed U+10FFFF. */
	if (c >= 0xC2 && c <= 0xDF) {
		need = 1;
		v = c & 0x1F;
		min = 0x80;
	} else if (c >= 0xE0 && c <= 0xEF) {
		need = 2;
		v = c & 0x0F;
		min = 0x800;
	} else if (c >= 0xF0 && c <= 0xF4) {
		need = 3;
		v = c & 0x07;
		min = 0x10000;
	} else {
		goto invalid;
	}
	if (len < need + 1)
		goto invalid;
	for (i = 1; i <= need; i++) {
		if ((p[i] & 0xC0) != 0x80)
			goto invalid;
		v = (v << 6) | (p[i] & 0x3F);
	}
	if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
		goto invalid;
	*cp = v;
	return need + 1;
invalid:
	*cp = REPLACEMENT;
	return 1;
}

/* True when decode() consumed one byte because the sequence was invalid (a
 * genuine U+FFFD in the input is three bytes long). */
static int decoded_invalid(unsigned cp, size_t n)
{
	return cp == REPLACEMENT && n == 1;
}

bool text_utf8_valid(const char *s, size_t len)
{
	size_t i = 0;

	while (i < len) {
		unsigned cp;
		size_t n;

		if ((unsigned char)s[i] < 0x80) {
			i++;
			continue;
		}
		n = text_utf8_decode(s + i, len - i, &cp);
		if (decoded_invalid(cp, n))
			return false;
		i += n;
	}
	return true;
}

/* Output buffer sized for the worst case: every input byte becoming a
 * three-byte U+FFFD. */
static char *alloc_worst_case(size_t len)
{
	if (len > (SIZE_MAX - 1) / 3)
		abort();
	return xmalloc(len * 3 + 1);
}

char *text_utf8_repair(const char *buf, size_t len, size_t *outlen)
{
	char *out = alloc_worst_case(len);
	size_t i = 0, o = 0;

	while (i < len) {
		unsigned cp;
		size_t n = text_utf8_decode(buf + i, len - i, &cp);

		if (decoded_invalid(cp, n)) {
			memcpy(out + o, replacement_utf8, 3);
			o += 3;
		} else {
			memcpy(out + o, buf + i, n);
			o += n;
		}
		i += n;
	}
	out[o] = '\0';
	if (outlen)
		*outlen = o;
	return out;
}

/* Returns the index just past the escape sequence starting with the ESC at
 * in[i]. CSI and OSC follow the contract; for every other ESC we take the
 * ECMA-48 shape (intermediates 0x20-0x2F, then one final 0x30-0x7E), which
 * is "ESC + one byte" in the common case but also swallows the whole of
 * charset designations such as ESC ( B. A byte that cannot belong to the
 * sequence ends it without being consumed, so it is judged on its own. */
static size_t skip_escape(const char *in, size_t len, size_t i)
{
	const unsigned char *p = (const unsigned char *)in;
	size_t j = i + 1;

	if (j >= len)
		return len; /* lone ESC at the end */
	if (p[j] == '[') {
		j++;
		while (j < len && p[j] >= 0x20 && p[j] <= 0x3F)
			j++;
		if (j < len && p[j] >= 0x40 && p[j] <= 0x7E)
			j++;
		return j;
	}
	if (p[j] == ']') {
		/* An OSC runs to BEL or ST; a terminal would swallow an
		 * unterminated one too, so the rest of the string goes. */
		for (j++; j < len; j++) {
			if (p[j] == 0x07)
				return j + 1;
			if (p[j] == 0x1B)
				return (j + 1 < len && p[j + 1] == '\\') ? j + 2 : j;
			if (p[j] == 0xC2 && j + 1 < len && p[j + 1] == 0x9C)
				return j + 2; /* ST as the C1 control U+009C */
		}
		return len;
	}
	while (j < len && p[j] >= 0x20 && p[j] <= 0x2F)
		j++;
	if (j < len && p[j] >= 0x30 && p[j] <= 0x7E)
		j++;
	return j;
}

static int is_bidi_control(unsigned cp)
{
	return cp == 0x061C || cp == 0x200E || cp == 0x200F ||
	       (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069);
}

char *text_sanitize(const char *in, size_t len, unsigned flags)
{
	char *out;
	size_t i = 0, o = 0;

	if (!in)
		len = 0;
	out = alloc_worst_case(len);
	while (i < len) {
		unsigned cp;
		size_t n;

		if (in[i] == 0x1B) {
			i = skip_escape(in, len, i);
			continue;
		}
		n = text_utf8_decode(in + i, len - i, &cp);
		if (cp == '\n') {
			out[o++] = (flags & TEXT_KEEP_NEWLINES) ? '\n' : ' ';
		} else if (cp == '\t') {
			out[o++] = ' ';
		} else if (cp == '\r') {
			/* dropped: CRLF bodies must not show a mark per line */
		} else if (decoded_invalid(cp, n) || cp < 0x20 ||
		           (cp >= 0x7F && cp <= 0x9F) || is_bidi_control(cp) ||
		           wcwidth((wchar_t)cp) < 0) {
			memcpy(out + o, replacement_utf8, 3);
			o += 3;
		} else {
			memcpy(out + o, in + i, n);
			o += n;
		}
		i += n;
	}
	out[o] = '\0';
	return out;
}

/* Width of one code point. Sanitized text never has a negative wcwidth; for
 * anything else we count what ncursesw would most likely draw: nothing for
 * controls, one cell (a replacement glyph) for the rest. */
static int cp_width(unsigned cp)
{
	int w = wcwidth((wchar_t)cp);

	if (w >= 0)
		return w;
	if (cp < 0x20 || (cp >= 0x7F && cp <= 0x9F))
		return 0;
	return 1;
}

int text_width_n(const char *s, size_t len)
{
	size_t i = 0;
	long long w = 0;

	if (!s)
		return 0;
	while (i < len) {
		unsigned cp;

		i += text_utf8_decode(s + i, len - i, &cp);
		w += cp_width(cp);
	}
	return w > INT_MAX ? INT_MAX : (int)w;
}

int text_width(const char *s)
{
	return s ? text_width_n(s, strlen(s)) : 0;
}

size_t text_fit(const char *s, int cols, int *used)
{
	size_t i = 0, len;
	int w = 0;

	if (!s) {
		if (used)
			*used = 0;
		return 0;
	}
	len = strlen(s);
	while (i < len) {
		unsigned cp;
		size_t n = text_utf8_decode(s + i, len - i, &cp);
		int cw = cp_width(cp);

		/* Zero-width marks after the last fitting character stay with
		 * it: cutting them off would change how that character looks. */
		if (w + cw > cols)
			break;
		w += cw;
		i += n;
	}
	if (used)
		*used = w;
	return i;
}

char *text_ellipsize(const char *s, int cols)
{
	static const char ellipsis[] = "\xE2\x80\xA6"; /* U+2026, 1 column */
	size_t keep;
	char *out;

	if (cols <= 0 || !s)
		return xstrdup("");
	if (text_width(s) <= cols)
		return xstrdup(s);
	keep = text_fit(s, cols - 1, NULL);
	out = xmalloc(keep + sizeof ellipsis);
	memcpy(out, s, keep);
	memcpy(out + keep, ellipsis, sizeof ellipsis);
	return out;
}

/* Line breaking classes: just enough of UAX #14 for Chinese and Latin. */
enum brk_class { BRK_SPACE, BRK_OTHER, BRK_OPEN, BRK_CLOSE };

struct brk_char {
	enum brk_class cls;
	int wide; /* 2 columns: CJK ideographs, kana, hangul, fullwidth forms */
};

/* Kinsoku: never at the start of a line. */
static int is_close_punct(unsigned cp)
{
	switch (cp) {
	case 0xFF0C: case 0x3002: case 0x3001: case 0xFF1B: case 0xFF1A:
	case 0xFF1F: case 0xFF01: case 0xFF09: case 0x300B: case 0x300D:
	case 0x300F: case 0x201D: case 0x2019: case 0x3011: case 0x3009:
	case 0x3015: case 0xFF3D: case 0xFF5D: case 0xFF0E: case 0x2026:
	case ',': case '.': case ';': case ':': case '?': case '!':
	case ')': case ']': case '}':
		return 1;
	default:
		return 0;
	}
}

/* Kinsoku: never at the end of a line. */
static int is_open_punct(unsigned cp)
{
	switch (cp) {
	case 0xFF08: case 0x300A: case 0x300C: case 0x300E: case 0x201C:
	case 0x2018: case 0x3010: case 0x3008: case 0x3014: case 0xFF3B:
	case 0xFF5B: case '(': case '[': case '{':
		return 1;
	default:
		return 0;
	}
}

static struct brk_char brk_classify(unsigned cp, int w)
{
	struct brk_char c;

	c.wide = w >= 2;
	if (cp == ' ')
		c.cls = BRK_SPACE;
	else if (is_close_punct(cp))
		c.cls = BRK_CLOSE;
	else if (is_open_punct(cp))
		c.cls = BRK_OPEN;
	else
		c.cls = BRK_OTHER;
	return c;
}

/* May a line end between a and b (no space between them)? Wide characters
 * break on either side; narrow runs only at spaces; kinsoku wins over both. */
static int brk_allowed(struct brk_char a, struct brk_char b)
{
	if (b.cls == BRK_CLOSE || a.cls == BRK_OPEN)
		return 0;
	return a.wide || b.wide;
}

struct wrap_out {
	struct text_line *lines;
	int max_lines;
	int n;
};

static void wrap_emit(struct wrap_out *wo, size_t off, size_t len, int width)
{
	if (wo->lines && wo->n < wo->max_lines) {
		wo->lines[wo->n].off = off;
		wo->lines[wo->n].len = len;
		wo->lines[wo->n].width = width;
	}
	if (wo->n < INT_MAX)
		wo->n++;
}

/* Greedy, one pass: we remember only the last break opportunity on the
 * current line and the widths on either side of it, so moving the tail of a
 * line to the next one costs a subtraction, not a rescan (O(n) overall). */
int text_wrap(const char *s, int cols, struct text_line *lines, int max_lines)
{
	struct wrap_out wo = { lines, max_lines, 0 };
	struct brk_char prev = { BRK_OTHER, 0 };
	size_t len, pos = 0, line_start = 0;
	size_t brk_end = 0, brk_next = 0, run_start = 0;
	int width = 0, brk_w_end = 0, brk_w_next = 0, run_w = 0;
	int have_brk = 0, have_prev = 0, in_run = 0, skip_spaces = 0;

	if (!s)
		return 0;
	if (cols < 2)
		cols = 2;
	len = strlen(s);
	while (pos < len) {
		unsigned cp;
		size_t n = text_utf8_decode(s + pos, len - pos, &cp);
		struct brk_char c;
		int w;

		if (cp == '\n') {
			/* Right after a break at spaces the line is already
			 * out; a newline there must not add a blank one. */
			if (!skip_spaces)
				wrap_emit(&wo, line_start, pos - line_start, width);
			pos += n;
			line_start = pos;
			width = 0;
			have_brk = have_prev = in_run = skip_spaces = 0;
			continue;
		}
		if (cp == ' ') {
			if (skip_spaces) {
				pos += n;
				line_start = pos;
				continue;
			}
			if (!in_run) {
				in_run = 1;
				run_start = pos;
				run_w = width;
			}
			if (width + 1 > cols) {
				if (run_start > line_start)
					wrap_emit(&wo, line_start, run_start - line_start, run_w);
				pos += n;
				line_start = pos;
				width = 0;
				have_brk = have_prev = in_run = 0;
				skip_spaces = 1;
				continue;
			}
			width += 1;
			pos += n;
			/* Leading indentation is kept and is no break point. */
			if (run_start > line_start) {
				have_brk = 1;
				brk_end = run_start;
				brk_w_end = run_w;
				brk_next = pos;
				brk_w_next = width;
			}
			prev = brk_classify(cp, 1);
			have_prev = 1;
			continue;
		}

		skip_spaces = 0;
		in_run = 0;
		w = cp_width(cp);
		c = brk_classify(cp, w);
		/* Zero-width marks belong to the character before them. */
		if (w > 0 && have_prev && prev.cls != BRK_SPACE && pos > line_start &&
		    brk_allowed(prev, c)) {
			have_brk = 1;
			brk_end = brk_next = pos;
			brk_w_end = brk_w_next = width;
		}
		if (width + w > cols) {
			if (have_brk && brk_end > line_start) {
				wrap_emit(&wo, line_start, brk_end - line_start, brk_w_end);
				line_start = brk_next;
				width -= brk_w_next;
				have_brk = 0;
			}
			/* No break point left: a word wider than the line. */
			if (width + w > cols) {
				wrap_emit(&wo, line_start, pos - line_start, width);
				line_start = pos;
				width = 0;
				have_brk = 0;
			}
		}
		width += w;
		pos += n;
		if (w > 0) {
			prev = c;
			have_prev = 1;
		}
	}
	if (line_start < len)
		wrap_emit(&wo, line_start, len - line_start, width);
	return wo.n;
}

char *text_fen(long long fen, char *buf, size_t buflen)
{
	/* Negating in unsigned arithmetic keeps LLONG_MIN defined. */
	unsigned long long mag = fen < 0 ? 0ULL - (unsigned long long)fen
	                                 : (unsigned long long)fen;

	if (!buf || buflen == 0)
		return buf;
	snprintf(buf, buflen, "%s%llu.%02llu", fen < 0 ? "-" : "", mag / 100,
	         mag % 100);
	return buf;
}

size_t text_copy(char *dst, size_t n, const char *src)
{
	size_t i = 0;

	if (!dst || n == 0)
		return 0;
	if (!src)
		src = "";
	while (src[i]) {
		unsigned cp;
		/* strnlen keeps the decoder from looking past the NUL. */
		size_t k = text_utf8_decode(src + i, strnlen(src + i, 4), &cp);

		if (k > n - 1 - i)
			break;
		i += k;
	}
	memcpy(dst, src, i);
	dst[i] = '\0';
	return i;
}
