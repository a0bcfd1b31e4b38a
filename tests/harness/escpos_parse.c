/* escpos_parse.c: ESC/POS bytes back into lines of text, the QR data and
 * the cuts (see escpos_parse.h). Strict on purpose: whatever the kiosk's
 * encoder does not send is an error, so a stray control byte cannot hide.
 */
#include "harness/escpos_parse.h"

#include <errno.h>
#include <iconv.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct pstate {
	struct escpos_doc *doc;
	iconv_t cd;
	bool chinese;
	bool bold;
	int size, align;
	bool any_text;
	/* the line being collected (GB18030 bytes) */
	unsigned char *line;
	size_t len, cap;
	int cols;
	bool started;
	bool line_bold;
	int line_size, line_align;
};

static int fail(struct pstate *ps, size_t at, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int fail(struct pstate *ps, size_t at, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(ps->doc->why, sizeof ps->doc->why, fmt, ap);
	va_end(ap);
	ps->doc->error_at = at;
	return -1;
}

static void *grow(void *p, size_t n)
{
	void *q = realloc(p, n);
	if (!q) {
		fprintf(stderr, "escpos_parse: out of memory\n");
		abort();
	}
	return q;
}

static void add_bytes(struct pstate *ps, const unsigned char *p, size_t n)
{
	if (!ps->started) {
		ps->started = true;
		ps->line_bold = ps->bold;
		ps->line_size = ps->size;
		ps->line_align = ps->align;
	}
	if (ps->len + n > ps->cap) {
		ps->cap = (ps->len + n) * 2 + 64;
		ps->line = grow(ps->line, ps->cap);
	}
	memcpy(ps->line + ps->len, p, n);
	ps->len += n;
	ps->cols += (n == 1 ? 1 : 2) * (((ps->size >> 4) & 7) + 1);
	ps->any_text = true;
}

/* Ends the line being collected (only_if_text: not an empty one). */
static int end_line(struct pstate *ps, size_t at, bool only_if_text)
{
	struct escpos_doc *d = ps->doc;

	if (only_if_text && ps->len == 0)
		return 0;
	size_t cap = ps->len * 2 + 1; /* GB18030 to UTF-8 at most doubles */
	char *out = grow(NULL, cap);
	char *ip = (char *)ps->line, *op = out;
	size_t ileft = ps->len, oleft = cap - 1;
	iconv(ps->cd, NULL, NULL, NULL, NULL);
	if (ileft && iconv(ps->cd, &ip, &ileft, &op, &oleft) == (size_t)-1) {
		free(out);
		return fail(ps, at, "line %d is not GB18030: %s", d->n_lines + 1, strerror(errno));
	}
	*op = '\0';
	d->lines = grow(d->lines, (size_t)(d->n_lines + 1) * sizeof *d->lines);
	struct escpos_line *l = &d->lines[d->n_lines++];
	l->text = out;
	l->cols = ps->cols;
	l->bold = ps->started ? ps->line_bold : ps->bold;
	l->size = ps->started ? ps->line_size : ps->size;
	l->align = ps->started ? ps->line_align : ps->align;
	ps->len = 0;
	ps->cols = 0;
	ps->started = false;
	return 0;
}

static int need(struct pstate *ps, size_t i, size_t n, size_t len, const char *what)
{
	if (i + n > len)
		return fail(ps, i, "%s cut short at the end", what);
	return 0;
}

/* GS ( k pL pH cn fn ...: i at GS. Returns bytes consumed or -1. */
static long qr_command(struct pstate *ps, const unsigned char *b, size_t i, size_t len)
{
	struct escpos_doc *d = ps->doc;

	if (need(ps, i, 7, len, "GS ( k") != 0)
		return -1;
	size_t k = (size_t)b[i + 3] | (size_t)b[i + 4] << 8;
	if (k < 2)
		return fail(ps, i, "GS ( k with length %zu", k);
	if (need(ps, i, 5 + k, len, "GS ( k") != 0)
		return -1;
	unsigned cn = b[i + 5], fn = b[i + 6];
	const unsigned char *par = b + i + 7;
	size_t np = k - 2;
	if (cn != 49)
		return fail(ps, i, "GS ( k for symbol %u, not QR (49)", cn);
	switch (fn) {
	case 65: /* model */
		if (np != 2 || par[0] < 49 || par[0] > 51 || par[1] != 0)
			return fail(ps, i, "QR model command malformed");
		break;
	case 67: /* module size */
		if (np != 1 || par[0] < 1 || par[0] > 16)
			return fail(ps, i, "QR module size command malformed");
		d->qr_module = par[0];
		break;
	case 69: /* error correction */
		if (np != 1 || par[0] < 48 || par[0] > 51)
			return fail(ps, i, "QR error correction command malformed");
		break;
	case 80: /* store */
		if (np < 1 || par[0] != 48)
			return fail(ps, i, "QR store command malformed");
		free(d->qr);
		d->qr_len = np - 1;
		d->qr = grow(NULL, d->qr_len + 1);
		memcpy(d->qr, par + 1, d->qr_len);
		d->qr[d->qr_len] = '\0';
		d->qr_stores++;
		break;
	case 81: /* print */
		if (np != 1 || par[0] != 48)
			return fail(ps, i, "QR print command malformed");
		if (!d->qr_stores)
			return fail(ps, i, "QR printed before any data was stored");
		d->qr_prints++;
		break;
	default:
		return fail(ps, i, "QR function %u is not one the kiosk sends", fn);
	}
	return (long)(5 + k);
}

static int parse(struct pstate *ps, const unsigned char *b, size_t len)
{
	struct escpos_doc *d = ps->doc;
	size_t i = 0;

	while (i < len) {
		unsigned char c = b[i];

		if (c == 0x1B) {
			if (need(ps, i, 2, len, "ESC") != 0)
				return -1;
			unsigned char f = b[i + 1];
			if (f == '@') {
				if (i == 0)
					d->init_first = true;
				ps->bold = false;
				ps->size = ps->align = 0;
				ps->chinese = false;
				i += 2;
				continue;
			}
			if (need(ps, i, 3, len, "ESC command") != 0)
				return -1;
			unsigned char n = b[i + 2];
			if (f == 'E') {
				ps->bold = n & 1;
			} else if (f == 'a') {
				if (n > 2 && (n < 48 || n > 50))
					return fail(ps, i, "ESC a %u", n);
				ps->align = n % 48;
			} else if (f == 'd') {
				if (end_line(ps, i, true) != 0)
					return -1;
			} else {
				return fail(ps, i, "ESC 0x%02x is not a command the kiosk sends", f);
			}
			i += 3;
		} else if (c == 0x1C) {
			if (need(ps, i, 2, len, "FS") != 0)
				return -1;
			if (b[i + 1] == '&') {
				if (!ps->any_text)
					d->chinese_first = true;
				ps->chinese = true;
			} else if (b[i + 1] == '.') {
				ps->chinese = false;
			} else {
				return fail(ps, i, "FS 0x%02x is not a command the kiosk sends", b[i + 1]);
			}
			i += 2;
		} else if (c == 0x1D) {
			if (need(ps, i, 3, len, "GS") != 0)
				return -1;
			unsigned char f = b[i + 1], m = b[i + 2];
			if (f == '!') {
				ps->size = m;
				i += 3;
			} else if (f == 'V') {
				if (end_line(ps, i, true) != 0)
					return -1;
				d->cuts++;
				if (m == 0 || m == 1 || m == 48 || m == 49) {
					i += 3;
				} else if (m == 65 || m == 66) {
					if (need(ps, i, 4, len, "GS V") != 0)
						return -1;
					i += 4;
				} else {
					return fail(ps, i, "GS V %u", m);
				}
			} else if (f == '(' && m == 'k') {
				long n = qr_command(ps, b, i, len);
				if (n < 0)
					return -1;
				i += (size_t)n;
			} else {
				return fail(ps, i, "GS 0x%02x is not a command the kiosk sends", f);
			}
		} else if (c == 0x10) {
			if (need(ps, i, 3, len, "DLE") != 0)
				return -1;
			if (b[i + 1] != 0x04 || b[i + 2] < 1 || b[i + 2] > 4)
				return fail(ps, i, "DLE 0x%02x 0x%02x", b[i + 1], b[i + 2]);
			d->status_queries++;
			i += 3;
		} else if (c == 0x0A) {
			if (end_line(ps, i, false) != 0)
				return -1;
			i++;
		} else if (c < 0x20 || c == 0x7F) {
			return fail(ps, i, "control byte 0x%02x in the text", c);
		} else if (c < 0x80) {
			add_bytes(ps, b + i, 1);
			i++;
		} else {
			if (!ps->chinese)
				return fail(ps, i, "byte 0x%02x outside Chinese mode", c);
			if (c == 0x80 || c == 0xFF || i + 1 >= len)
				return fail(ps, i, "bad GB18030 lead byte 0x%02x", c);
			unsigned char t = b[i + 1];
			size_t n = 2;
			if (t >= 0x30 && t <= 0x39)
				n = 4;
			else if (t < 0x40 || t == 0x7F || t == 0xFF)
				return fail(ps, i, "bad GB18030 trail byte 0x%02x", t);
			if (need(ps, i, n, len, "GB18030 character") != 0)
				return -1;
			add_bytes(ps, b + i, n);
			i += n;
		}
	}
	return end_line(ps, len, true);
}

int escpos_parse(const void *buf, size_t len, struct escpos_doc *doc)
{
	struct pstate ps = { .doc = doc };

	memset(doc, 0, sizeof *doc);
	ps.cd = iconv_open("UTF-8", "GB18030");
	if (ps.cd == (iconv_t)-1)
		return fail(&ps, 0, "no GB18030 converter: %s", strerror(errno));
	int rc = parse(&ps, buf, len);
	iconv_close(ps.cd);
	free(ps.line);
	return rc;
}

int escpos_parse_file(const char *path, struct escpos_doc *doc)
{
	FILE *f = fopen(path, "rb");
	unsigned char *buf = NULL;
	size_t len = 0, cap = 0;

	memset(doc, 0, sizeof *doc);
	if (!f) {
		snprintf(doc->why, sizeof doc->why, "%s: %s", path, strerror(errno));
		return -1;
	}
	for (;;) {
		if (len == cap) {
			cap = cap ? cap * 2 : 4096;
			buf = grow(buf, cap);
		}
		size_t n = fread(buf + len, 1, cap - len, f);
		if (n == 0)
			break;
		len += n;
	}
	bool bad = ferror(f);
	fclose(f);
	if (bad) {
		free(buf);
		snprintf(doc->why, sizeof doc->why, "%s: read error", path);
		return -1;
	}
	int rc = escpos_parse(buf, len, doc);
	free(buf);
	return rc;
}

void escpos_doc_free(struct escpos_doc *doc)
{
	if (!doc)
		return;
	for (int i = 0; i < doc->n_lines; i++)
		free(doc->lines[i].text);
	free(doc->lines);
	free(doc->qr);
	memset(doc, 0, sizeof *doc);
}

const struct escpos_line *escpos_doc_find(const struct escpos_doc *doc, const char *needle)
{
	for (int i = 0; i < doc->n_lines; i++)
		if (strstr(doc->lines[i].text, needle))
			return &doc->lines[i];
	return NULL;
}

char *escpos_doc_text(const struct escpos_doc *doc)
{
	size_t n = 1;

	for (int i = 0; i < doc->n_lines; i++)
		n += strlen(doc->lines[i].text) + 1;
	char *s = grow(NULL, n), *p = s;
	for (int i = 0; i < doc->n_lines; i++) {
		size_t l = strlen(doc->lines[i].text);
		memcpy(p, doc->lines[i].text, l);
		p += l;
		*p++ = '\n';
	}
	*p = '\0';
	return s;
}
