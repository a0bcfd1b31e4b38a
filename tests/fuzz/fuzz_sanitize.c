/* fuzz_sanitize.c: libFuzzer target for text_sanitize, text_wrap and
 * text_ellipsize on arbitrary bytes. Whatever comes in, what goes to the
 * screen must be valid UTF-8 without controls, and wrapped lines must stay
 * inside their columns. */
#include <locale.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "text.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	setlocale(LC_CTYPE, "C.UTF-8");
	return 0;
}

static void check_clean(const char *s, int keep_nl)
{
	size_t len = strlen(s), i = 0;

	if (!text_utf8_valid(s, len))
		abort();
	while (i < len) {
		unsigned cp;

		i += text_utf8_decode(s + i, len - i, &cp);
		if (cp == '\n' && keep_nl)
			continue;
		if (cp < 0x20 || (cp >= 0x7F && cp <= 0x9F) || cp == 0x061C ||
		    cp == 0x200E || cp == 0x200F || (cp >= 0x202A && cp <= 0x202E) ||
		    (cp >= 0x2066 && cp <= 0x2069) || wcwidth((wchar_t)cp) < 0)
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* The first byte picks the flags and the column count. */
	unsigned ctl = size ? data[0] : 0;
	unsigned flags = ctl & 1 ? TEXT_KEEP_NEWLINES : 0;
	int cols = (int)(ctl >> 1) % 80, n, i, eff = cols < 2 ? 2 : cols;
	char *s = text_sanitize((const char *)data + (size ? 1 : 0), size ? size - 1 : 0, flags);
	struct text_line lines[64];
	char *e;

	check_clean(s, flags != 0);
	n = text_wrap(s, cols, lines, 64);
	if (n < 0)
		abort();
	for (i = 0; i < n && i < 64; i++) {
		if (lines[i].width > eff || lines[i].off + lines[i].len > strlen(s) ||
		    lines[i].width != text_width_n(s + lines[i].off, lines[i].len) ||
		    !text_utf8_valid(s + lines[i].off, lines[i].len))
			abort();
		if (i > 0 && lines[i].off < lines[i - 1].off + lines[i - 1].len)
			abort();
	}
	e = text_ellipsize(s, cols);
	check_clean(e, flags != 0);
	if (cols > 0 && text_width(e) > cols)
		abort();
	free(e);
	free(s);
	/* The raw bytes must not upset the other entry points either. */
	if (size) {
		size_t outlen;
		char *r = text_utf8_repair((const char *)data, size, &outlen);
		char buf[16];

		if (!text_utf8_valid(r, outlen))
			abort();
		free(r);
		(void)text_width_n((const char *)data, size);
		if (data[size - 1] == '\0') {
			text_copy(buf, (size_t)(ctl % 16) + 1, (const char *)data);
			(void)text_fit((const char *)data, cols, NULL);
		}
	}
	return 0;
}
