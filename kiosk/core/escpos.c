/* escpos.c: a receipt as the bytes of an ESC/POS receipt printer.
 *
 * Why GBK only: the printers sold for Chinese receipts carry a GB2312 or
 * GBK font, and in Chinese mode (FS &) take two bytes per character; the
 * four-byte part of GB18030 prints garbage on most of them, so anything
 * outside GBK becomes '?' (and ¥ U+00A5, which is four bytes, becomes the
 * full-width ￥ that every such font has). Because every GBK trail byte is
 * 0x40 or more, no byte of the text can be taken for a command.
 *
 * Why wrap here: the printer wraps by itself, but anywhere, splitting words
 * and leaving a closing comma at a line's start; and it knows no hanging
 * indent. We know the paper's width (the caller says), so lines are made
 * here and the printer never wraps.
 *
 * Why libqrencode: the printer draws the QR code itself (GS ( k), but it
 * does not shrink the modules to fit the paper; the symbol's size is worked
 * out here so that the module size chosen keeps it on the paper.
 *
 * The buffer holds a citizen's receipt: it grows without leaving copies
 * behind, and the working strings are wiped.
 */
#include "escpos.h"

#include <errno.h>
#include <iconv.h>
#include <locale.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <qrencode.h>

#include "money.h"
#include "text.h"
#include "xmem.h"

#define ESC 0x1B
#define GS 0x1D
#define FS 0x1C
#define LF 0x0A

#define DOTS_PER_COL 12   /* font A is 12 x 24 dots */
#define QR_MODULE_MAX 6   /* dots a module: 0.75 mm at 203 dpi, easy to scan */
#define QR_MODULE_MIN 2
#define QR_QUIET 4

/* ---- the output buffer ------------------------------------------------- */

struct obuf {
	unsigned char *p;
	size_t len, cap;
};

static void ob_free(struct obuf *b)
{
	if (b->p) {
		explicit_bzero(b->p, b->cap);
		free(b->p);
	}
	b->p = NULL;
	b->len = b->cap = 0;
}

static void ob_put(struct obuf *b, const void *data, size_t n)
{
	if (b->len + n > b->cap) {
		size_t cap = b->cap ? b->cap : 1024;
		while (cap < b->len + n)
			cap *= 2;
		/* A fresh block, the old one wiped: no copy of the receipt is
		 * left in freed memory. */
		unsigned char *p = xmalloc(cap);
		size_t used = b->len;
		if (used)
			memcpy(p, b->p, used);
		ob_free(b);
		b->len = used;
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->len, data, n);
	b->len += n;
}

static void ob_byte(struct obuf *b, unsigned char c)
{
	ob_put(b, &c, 1);
}

static void ob_cmd(struct obuf *b, unsigned char c0, unsigned char c1, unsigned char n)
{
	unsigned char cmd[3] = { c0, c1, n };
	ob_put(b, cmd, 3);
}

/* ---- text as printer cells --------------------------------------------- */

/* One character as the printer takes it: 1 byte (ASCII, 1 column) or a
 * GBK pair (2 columns). */
struct cell {
	unsigned cp;
	unsigned char b[2];
	unsigned char n; /* bytes, which is also the width in columns */
};

struct cells {
	struct cell *c;
	size_t n;
};

static void cells_free(struct cells *cs)
{
	if (cs->c) {
		explicit_bzero(cs->c, cs->n * sizeof *cs->c);
		free(cs->c);
	}
	cs->c = NULL;
	cs->n = 0;
}

static bool is_private_use(unsigned cp)
{
	return (cp >= 0xE000 && cp <= 0xF8FF) || cp >= 0xF0000;
}

/* The GBK pair for cp, or false if cp has none (or the converter failed). */
static bool gbk_pair(iconv_t cd, unsigned cp, unsigned char out[2])
{
	char in[4], obytes[8];
	size_t ilen;

	if (cp < 0x800) {
		in[0] = (char)(0xC0 | (cp >> 6));
		in[1] = (char)(0x80 | (cp & 0x3F));
		ilen = 2;
	} else if (cp < 0x10000) {
		in[0] = (char)(0xE0 | (cp >> 12));
		in[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		in[2] = (char)(0x80 | (cp & 0x3F));
		ilen = 3;
	} else {
		return false; /* beyond the BMP: four bytes in GB18030 */
	}
	char *ip = in, *op = obytes;
	size_t ileft = ilen, oleft = sizeof obytes;
	iconv(cd, NULL, NULL, NULL, NULL);
	if (iconv(cd, &ip, &ileft, &op, &oleft) == (size_t)-1 || ileft != 0)
		return false;
	if (sizeof obytes - oleft != 2)
		return false;
	unsigned char lead = (unsigned char)obytes[0], trail = (unsigned char)obytes[1];
	if (lead < 0x81 || lead > 0xFE || trail < 0x40 || trail == 0x7F || trail > 0xFE)
		return false;
	out[0] = lead;
	out[1] = trail;
	return true;
}

/* Sanitizes s (any bytes from outside) and turns it into cells. Newlines
 * and tabs become spaces: a receipt field is one paragraph. */
static struct cells to_cells(iconv_t cd, const char *s)
{
	struct cells cs = { NULL, 0 };

	if (!s || !*s)
		return cs;
	char *clean = text_sanitize(s, strlen(s), 0);
	size_t len = strlen(clean);
	cs.c = xmallocarray(len + 1, sizeof *cs.c);
	for (size_t i = 0; i < len;) {
		unsigned cp;
		struct cell *c = &cs.c[cs.n];

		i += text_utf8_decode(clean + i, len - i, &cp);
		if (cp == 0xA5)
			cp = 0xFFE5; /* ¥ is not in GBK; the full-width ￥ is */
		c->cp = cp;
		if (cp >= 0x20 && cp < 0x7F) {
			c->b[0] = (unsigned char)cp;
			c->n = 1;
		} else if (cp >= 0x80 && !is_private_use(cp) && gbk_pair(cd, cp, c->b)) {
			c->n = 2;
		} else {
			c->cp = '?';
			c->b[0] = '?';
			c->n = 1;
		}
		cs.n++;
	}
	explicit_bzero(clean, len);
	free(clean);
	return cs;
}

/* Cells of a string the encoder itself wrote (labels, amounts). */
static void put_cells(struct obuf *b, const struct cell *c, size_t n)
{
	for (size_t i = 0; i < n; i++)
		ob_put(b, c[i].b, c[i].n);
}

/* ---- line breaking ----------------------------------------------------- */

static bool is_closing(unsigned cp)
{
	static const unsigned closing[] = {
		0xFF0C, 0x3002, 0x3001, 0xFF1B, 0xFF1A, 0xFF1F, 0xFF01, 0xFF09, 0x300B,
		0x300D, 0x300F, 0x201D, 0x2019, 0x3011, 0xFF3D, 0x2026,
		',', '.', ';', ':', '?', '!', ')', ']', '}', '%',
	};
	for (size_t i = 0; i < sizeof closing / sizeof closing[0]; i++)
		if (closing[i] == cp)
			return true;
	return false;
}

static bool is_opening(unsigned cp)
{
	static const unsigned opening[] = {
		0xFF08, 0x300A, 0x300C, 0x300E, 0x201C, 0x2018, 0x3010, 0xFF3B,
		'(', '[', '{',
	};
	for (size_t i = 0; i < sizeof opening / sizeof opening[0]; i++)
		if (opening[i] == cp)
			return true;
	return false;
}

/* May a line end between a and b? At spaces, and between two characters
 * where one is wide (CJK), except before closing or after opening
 * punctuation. */
static bool can_break(const struct cell *a, const struct cell *b)
{
	if (b->cp == ' ' || a->cp == ' ')
		return true;
	if (is_closing(b->cp) || is_opening(a->cp))
		return false;
	return a->n == 2 || b->n == 2;
}

/* Writes c[0..n) as lines of at most `cols` columns, each ended by LF;
 * lines after the first start with `indent` spaces; at most max_lines
 * lines, the last one ending in "…" if text was left over. `ellipsis` is
 * the cell of "…". */
static void put_wrapped(struct obuf *b, const struct cell *c, size_t n, int cols, int indent,
                        int max_lines, const struct cell *ellipsis)
{
	size_t i = 0;

	for (int line = 0; i < n && line < max_lines; line++) {
		int avail = line ? cols - indent : cols;

		if (line)
			while (i < n && c[i].cp == ' ')
				i++;
		if (i >= n)
			break;
		size_t j = i, brk = i;
		int w = 0;
		while (j < n && w + c[j].n <= avail) {
			if (j > i && can_break(&c[j - 1], &c[j]))
				brk = j;
			w += c[j].n;
			j++;
		}
		size_t end = j;
		if (j < n && !can_break(&c[j - 1], &c[j]) && brk > i)
			end = brk;
		size_t e = end;
		while (e > i && c[e - 1].cp == ' ')
			e--;
		bool last = line + 1 == max_lines;
		bool more = false;
		for (size_t k = end; k < n && !more; k++)
			more = c[k].cp != ' ';
		if (last && more) {
			/* Room for the ellipsis: drop cells from the end. */
			int used = 0;
			for (size_t k = i; k < e; k++)
				used += c[k].n;
			while (e > i && used + ellipsis->n > avail) {
				e--;
				used -= c[e].n;
			}
		}
		for (int k = 0; line && k < indent; k++)
			ob_byte(b, ' ');
		put_cells(b, c + i, e - i);
		if (last && more)
			put_cells(b, ellipsis, 1);
		ob_byte(b, LF);
		i = end;
	}
}

static int cells_width(const struct cell *c, size_t n)
{
	int w = 0;
	for (size_t i = 0; i < n; i++)
		w += c[i].n;
	return w;
}

/* ---- the receipt ------------------------------------------------------- */

struct labels {
	const char *title, *amount, *payee, *account, *purpose, *receipt_no, *paid_at,
	    *kiosk, *verify, *yuan_before, *yuan_after;
};

static const struct labels labels_zh_cn = {
	"缴费凭证", "金额", "收款单位：", "缴费账户：", "缴费项目：", "凭证号：",
	"缴费时间：", "终端编号：", "扫码核验此凭证", "", "元",
};
static const struct labels labels_zh_tw = {
	"繳費憑證", "金額", "收款單位：", "繳費帳戶：", "繳費項目：", "憑證號：",
	"繳費時間：", "終端編號：", "掃碼核驗此憑證", "", "元",
};
static const struct labels labels_en = {
	"Payment receipt", "Amount", "Payee: ", "Account: ", "For: ", "Receipt no.: ",
	"Paid at: ", "Kiosk: ", "Scan to verify this receipt", "\xEF\xBF\xA5", "",
};

static const struct labels *labels_for(const char *lang)
{
	if (lang && !strcmp(lang, "en"))
		return &labels_en;
	if (lang && !strcmp(lang, "zh_TW"))
		return &labels_zh_tw;
	return &labels_zh_cn;
}

struct enc {
	struct obuf out;
	iconv_t cd;
	int cols;
	struct cell ellipsis;
};

static void put_separator(struct enc *e)
{
	for (int i = 0; i < e->cols; i++)
		ob_byte(&e->out, '-');
	ob_byte(&e->out, LF);
}

/* A heading: centred, bold, double width and height (half the columns). */
static void put_big(struct enc *e, const char *text, int max_lines)
{
	struct cells cs = to_cells(e->cd, text);

	ob_cmd(&e->out, ESC, 'a', 1);
	ob_cmd(&e->out, ESC, 'E', 1);
	ob_cmd(&e->out, GS, '!', 0x11);
	put_wrapped(&e->out, cs.c, cs.n, e->cols / 2, 0, max_lines, &e->ellipsis);
	ob_cmd(&e->out, GS, '!', 0x00);
	ob_cmd(&e->out, ESC, 'E', 0);
	ob_cmd(&e->out, ESC, 'a', 0);
	cells_free(&cs);
}

/* A ticket's number: centred, bold, four times as wide and high. */
static void put_huge(struct enc *e, const char *text)
{
	struct cells cs = to_cells(e->cd, text);
	ob_cmd(&e->out, ESC, 'a', 1);
	ob_cmd(&e->out, ESC, 'E', 1);
	ob_cmd(&e->out, GS, '!', 0x33);
	put_wrapped(&e->out, cs.c, cs.n, e->cols / 4, 0, 2, &e->ellipsis);
	ob_cmd(&e->out, GS, '!', 0x00);
	ob_cmd(&e->out, ESC, 'E', 0);
	ob_cmd(&e->out, ESC, 'a', 0);
	ob_byte(&e->out, LF);
	cells_free(&cs);
}

/* "label：value", value wrapped with a hanging indent under itself (under
 * the label's start if the label takes more than half the line). */
static void put_field(struct enc *e, const char *label, const char *value)
{
	if (!value || !*value)
		return;
	struct cells l = to_cells(e->cd, label), v = to_cells(e->cd, value);
	if (v.n > 0) {
		struct cells all = { xmallocarray(l.n + v.n, sizeof *all.c), l.n + v.n };
		if (l.n) /* an empty label has no cells (and no pointer) */
			memcpy(all.c, l.c, l.n * sizeof *l.c);
		memcpy(all.c + l.n, v.c, v.n * sizeof *v.c);
		int indent = cells_width(l.c, l.n);
		if (indent > e->cols / 2)
			indent = 0;
		put_wrapped(&e->out, all.c, all.n, e->cols, indent, ESCPOS_FIELD_LINES, &e->ellipsis);
		cells_free(&all);
	}
	cells_free(&l);
	cells_free(&v);
}

/* GS ( k pL pH cn fn [params]: cn 49 is QR Code. */
static void put_qr_fn(struct obuf *b, unsigned char fn, const void *params, size_t n)
{
	size_t k = n + 2;
	unsigned char head[7] = { GS, '(', 'k', (unsigned char)(k & 0xFF),
	                          (unsigned char)(k >> 8), 49, fn };
	ob_put(b, head, sizeof head);
	ob_put(b, params, n);
}

static int put_qr(struct enc *e, const char *data, char *err, size_t errlen)
{
	size_t len = strlen(data);

	if (len > ESCPOS_QR_MAX) {
		set_err(err, errlen, "verification payload of %zu bytes (at most %d)", len,
		        ESCPOS_QR_MAX);
		return -1;
	}
	for (size_t i = 0; i < len; i++) {
		if (data[i] < 0x20 || data[i] > 0x7E) {
			set_err(err, errlen, "verification payload holds a byte that is not printable "
			        "ASCII (at %zu)", i);
			return -1;
		}
	}
	/* The symbol the printer will draw: byte mode is the largest it can
	 * pick for these data, so its width bounds the printer's. */
	QRcode *qr = QRcode_encodeData((int)len, (const unsigned char *)data, 0, QR_ECLEVEL_M);
	if (!qr) {
		set_err(err, errlen, "verification payload cannot be a QR code");
		return -1;
	}
	int modules = qr->width + 2 * QR_QUIET;
	QRcode_free(qr);
	int module = e->cols * DOTS_PER_COL / modules;
	if (module > QR_MODULE_MAX)
		module = QR_MODULE_MAX;
	if (module < QR_MODULE_MIN) {
		set_err(err, errlen, "verification QR code too large for %d columns", e->cols);
		return -1;
	}
	static const unsigned char model2[] = { 50, 0 }, ec_m[] = { 49 }, print[] = { 48 };
	unsigned char size[] = { (unsigned char)module };

	ob_cmd(&e->out, ESC, 'a', 1);
	put_qr_fn(&e->out, 65, model2, sizeof model2);   /* fn 165: model 2 */
	put_qr_fn(&e->out, 67, size, sizeof size);       /* fn 167: module size */
	put_qr_fn(&e->out, 69, ec_m, sizeof ec_m);       /* fn 169: level M */
	/* fn 180: store the data (m = 48 first) */
	size_t k = len + 3;
	unsigned char store[8] = { GS, '(', 'k', (unsigned char)(k & 0xFF),
	                           (unsigned char)(k >> 8), 49, 80, 48 };
	ob_put(&e->out, store, sizeof store);
	ob_put(&e->out, data, len);
	put_qr_fn(&e->out, 81, print, sizeof print);     /* fn 181: print it */
	ob_byte(&e->out, LF);
	return 0;
}

/* The receipt's bytes into e->out: 0, or -1 (err) if the QR cannot be. */
static int encode(struct enc *e, const struct receipt *r, char *err, size_t errlen)
{
	struct cells ell = to_cells(e->cd, "…");
	e->ellipsis = ell.c[0];
	cells_free(&ell);

	const struct labels *lb = labels_for(r->lang);
	static const unsigned char start[] = { ESC, '@', FS, '&' };
	ob_put(&e->out, start, sizeof start);
	put_big(e, r->title && *r->title ? r->title : lb->title, 2);
	put_separator(e);
	if (r->big && *r->big) {
		put_huge(e, r->big);
		put_separator(e);
	}

	if (!r->no_amount) {
		char num[32], amount[64];
		money_format(r->amount_fen, num, sizeof num);
		snprintf(amount, sizeof amount, "%s%s%s", lb->yuan_before, num, lb->yuan_after);
		ob_cmd(&e->out, ESC, 'a', 1);
		struct cells al = to_cells(e->cd, lb->amount);
		put_cells(&e->out, al.c, al.n);
		ob_byte(&e->out, LF);
		cells_free(&al);
		put_big(e, amount, 2);
		put_separator(e);
	}

	put_field(e, lb->payee, r->payee);
	put_field(e, lb->account, r->account_masked);
	put_field(e, lb->purpose, r->purpose);
	put_field(e, lb->receipt_no, r->receipt_no);
	put_field(e, lb->paid_at, r->paid_at);
	for (size_t i = 0; i < r->n_lines; i++)
		if (r->lines[i].label && r->lines[i].value)
			put_field(e, r->lines[i].label, r->lines[i].value);
	put_field(e, lb->kiosk, r->kiosk_id);

	if (r->verify && *r->verify) {
		put_separator(e);
		if (put_qr(e, r->verify, err, errlen) != 0)
			return -1;
		struct cells vl = to_cells(e->cd, r->verify_label ? r->verify_label : lb->verify);
		put_cells(&e->out, vl.c, vl.n);
		ob_byte(&e->out, LF);
		cells_free(&vl);
		ob_cmd(&e->out, ESC, 'a', 0);
	}
	/* Feed past the tear-off and cut, leaving a hinge (partial cut). */
	ob_cmd(&e->out, ESC, 'd', 3);
	static const unsigned char cut[] = { GS, 'V', 66, 0 };
	ob_put(&e->out, cut, sizeof cut);
	return 0;
}

unsigned char *escpos_receipt(const struct receipt *r, int cols, size_t *len,
                              char *err, size_t errlen)
{
	if (len)
		*len = 0;
	if (!r || !len) {
		set_err(err, errlen, "no receipt");
		return NULL;
	}
	if (cols < ESCPOS_COLS_MIN || cols > ESCPOS_COLS_MAX) {
		set_err(err, errlen, "paper width of %d columns (%d to %d)", cols, ESCPOS_COLS_MIN,
		        ESCPOS_COLS_MAX);
		return NULL;
	}
	if (r->amount_fen < 0) {
		set_err(err, errlen, "negative amount");
		return NULL;
	}

	struct enc e = { .cols = cols };
	e.cd = iconv_open("GB18030", "UTF-8");
	if (e.cd == (iconv_t)-1) {
		set_err(err, errlen, "no GB18030 converter: %s", strerror(errno));
		return NULL;
	}
	/* text_sanitize keeps only what wcwidth calls printable: it runs
	 * under a UTF-8 LC_CTYPE whatever the process's locale is (this
	 * thread only, for this call). */
	locale_t utf8 = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t)0);
	if (!utf8) {
		set_err(err, errlen, "no C.UTF-8 locale: %s", strerror(errno));
		iconv_close(e.cd);
		return NULL;
	}
	locale_t old = uselocale(utf8);
	int rc = encode(&e, r, err, errlen);
	uselocale(old);
	freelocale(utf8);
	iconv_close(e.cd);
	if (rc != 0) {
		ob_free(&e.out);
		return NULL;
	}
	*len = e.out.len;
	return e.out.p;
}

/* ---- status ------------------------------------------------------------ */

int escpos_status_byte(unsigned char b)
{
	return (b & 0x93) == 0x12;
}

unsigned escpos_status_decode(const unsigned char ans[ESCPOS_STATUS_ANSWERS])
{
	/* Which bit of which answer means what (Epson's DLE EOT, as Citizen,
	 * Bixolon, Star and the Chinese makers implement it). n=4: bit 5 is
	 * the paper-end sensor on every printer; bit 6 is its twin on most,
	 * but a presenter sensor on some (Citizen PPU), so it is not read. */
	static const struct { unsigned char answer, mask; unsigned st; } bits[] = {
		{ 0, 0x08, ESCPOS_ST_OFFLINE },    /* n=1 bit 3: off-line */
		{ 1, 0x04, ESCPOS_ST_COVER_OPEN }, /* n=2 bit 2: cover open */
		{ 1, 0x20, ESCPOS_ST_PAPER_OUT },  /* n=2 bit 5: stopped at paper end */
		{ 1, 0x40, ESCPOS_ST_ERROR },      /* n=2 bit 6: error */
		{ 2, 0x68, ESCPOS_ST_ERROR },      /* n=3 bits 3, 5, 6: cutter, fatal, auto-recoverable */
		{ 3, 0x20, ESCPOS_ST_PAPER_OUT },  /* n=4 bit 5: paper end sensor */
		{ 3, 0x0C, ESCPOS_ST_NEAR_END },   /* n=4 bits 2-3: near-end sensor */
	};
	unsigned st = 0;

	for (size_t i = 0; i < sizeof bits / sizeof bits[0]; i++)
		if (ans[bits[i].answer] & bits[i].mask)
			st |= bits[i].st;
	return st;
}
