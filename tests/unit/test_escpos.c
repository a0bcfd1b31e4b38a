/* test_escpos.c: the receipt encoder (escpos.c) read back by the tests'
 * ESC/POS parser: commands first, GB18030 text, the QR command, one cut,
 * hostile strings, wrapping at the paper's width; and the status bytes. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "escpos.h"
/* The unit binary links the pure core alone; the parser is the harness's
 * (tests/harness), shared with the end-to-end tests. */
#include "harness/escpos_parse.c"

#define VERIFY "https://gw.example.gov.cn/v/R20261203-000123?c=9f2b41"

static const struct receipt sample = {
	.amount_fen = 4560,
	.payee = "北京市自来水集团有限责任公司",
	.account_masked = "0101****8832",
	.purpose = "水费 2026年11月",
	.receipt_no = "R20261203-000123",
	.paid_at = "2026-12-03 10:15:02",
	.kiosk_id = "hall1-k03",
	.verify = VERIFY,
};

/* Encodes r at cols and parses it back; the test fails on any error. */
static void roundtrip(const struct receipt *r, int cols, struct escpos_doc *doc,
                      unsigned char **bytes, size_t *len)
{
	char err[200] = "";
	size_t n = 0;
	unsigned char *b = escpos_receipt(r, cols, &n, err, sizeof err);
	cr_assert_not_null(b, "escpos_receipt: %s", err);
	int rc = escpos_parse(b, n, doc);
	cr_assert_eq(rc, 0, "parse: %s at byte %zu", doc->why, doc->error_at);
	if (bytes) {
		*bytes = b;
		*len = n;
	} else {
		free(b);
	}
}

static size_t count(const unsigned char *b, size_t n, const char *needle, size_t nl)
{
	size_t c = 0;
	for (size_t i = 0; i + nl <= n; i++)
		if (!memcmp(b + i, needle, nl))
			c++;
	return c;
}

static void assert_fits(const struct escpos_doc *d, int cols)
{
	for (int i = 0; i < d->n_lines; i++)
		cr_assert_leq(d->lines[i].cols, cols, "line %d \"%s\" takes %d columns of %d", i,
		              d->lines[i].text, d->lines[i].cols, cols);
}

Test(escpos, receipt_reads_back)
{
	struct escpos_doc d;
	unsigned char *b;
	size_t n;

	roundtrip(&sample, ESCPOS_COLS_58MM, &d, &b, &n);
	cr_assert(n > 4 && !memcmp(b, "\x1b@\x1c&", 4), "ESC @ then FS & first");
	cr_assert(d.init_first);
	cr_assert(d.chinese_first);
	char *all = escpos_doc_text(&d);
	cr_assert(strstr(all, "45.60元"), "amount missing:\n%s", all);
	cr_assert(strstr(all, "R20261203-000123"), "receipt number missing:\n%s", all);
	cr_assert(strstr(all, "北京市自来水集团"), "payee missing:\n%s", all);
	cr_assert(strstr(all, "0101****8832"), "%s", all);
	cr_assert(strstr(all, "2026-12-03 10:15:02"), "%s", all);
	cr_assert(strstr(all, "hall1-k03"), "%s", all);
	cr_assert(strstr(all, "扫码核验"), "%s", all);
	free(all);
	cr_assert_str_eq(d.qr, VERIFY);
	cr_assert_eq(d.qr_stores, 1);
	cr_assert_eq(d.qr_prints, 1);
	cr_assert_eq(d.cuts, 1);
	cr_assert_eq(d.status_queries, 0);
	/* The last command is the cut. */
	cr_assert(n >= 4 && !memcmp(b + n - 4, "\x1dV\x42\x00", 4));

	/* The heading and the amount: bold, double width and height, centred. */
	const struct escpos_line *t = escpos_doc_find(&d, "缴费凭证");
	cr_assert_not_null(t);
	cr_assert(t->bold);
	cr_assert_eq(t->size, 0x11);
	cr_assert_eq(t->align, 1);
	const struct escpos_line *a = escpos_doc_find(&d, "45.60元");
	cr_assert(a->bold && a->size == 0x11 && a->align == 1);
	cr_assert_eq(a->cols, 2 * (5 + 2), "\"45.60元\" is 7 columns, doubled");
	/* Fields: plain, left. */
	const struct escpos_line *f = escpos_doc_find(&d, "凭证号：R20261203-000123");
	cr_assert_not_null(f);
	cr_assert(!f->bold && f->size == 0 && f->align == 0);
	assert_fits(&d, ESCPOS_COLS_58MM);
	escpos_doc_free(&d);
	free(b);
}

Test(escpos, text_is_gbk_and_the_yuan_sign_full_width)
{
	struct receipt r = sample;
	struct escpos_doc d;
	unsigned char *b;
	size_t n;

	r.lang = "en";
	r.payee = "Café ¥ shop 😀";
	r.amount_fen = 4560;
	roundtrip(&r, ESCPOS_COLS_80MM, &d, &b, &n);
	char *all = escpos_doc_text(&d);
	cr_assert(strstr(all, "￥45.60"), "%s", all);
	cr_assert(strstr(all, "Payee: Caf"), "%s", all);
	/* ¥ U+00A5 (GB18030 81 30 84 36) never goes out; ￥ does; a character
	 * outside GBK prints as '?'. */
	cr_assert(strstr(all, "￥ shop ?"), "%s", all);
	cr_assert_eq(count(b, n, "\x81\x30\x84\x36", 4), 0);
	for (size_t i = 0; i + 1 < n; i++) {
		if (b[i] >= 0x81 && b[i] <= 0xFE) {
			cr_assert(b[i + 1] < 0x30 || b[i + 1] > 0x39,
			          "four-byte GB18030 at %zu: printers' fonts are GBK", i);
			i++; /* its trail byte */
		}
	}
	free(all);
	escpos_doc_free(&d);
	free(b);

	/* Traditional labels for zh_TW, still GBK. */
	r.lang = "zh_TW";
	roundtrip(&r, ESCPOS_COLS_58MM, &d, NULL, NULL);
	cr_assert_not_null(escpos_doc_find(&d, "繳費憑證"));
	cr_assert_not_null(escpos_doc_find(&d, "45.60元"));
	escpos_doc_free(&d);
}

Test(escpos, hostile_strings_send_no_command)
{
	struct receipt r = sample;
	struct escpos_doc d;
	unsigned char *b;
	size_t n;

	/* Each would be a command: initialize, cut, status query, leave
	 * Chinese mode, double size, a terminal title, a bare CR, DEL, C1. */
	r.payee = "水务\x1b@A\x1dV\x42\x01" "B\x10\x04\x02" "C\x1c.D\x1d!\x11" "E\x1b]0;x\x07"
	          "F\r\x7f\xc2\x9bG";
	r.purpose = "\x1b\x45\x01" "bold?\x1b\x61\x02";
	r.account_masked = "\x1d(k\x03\x00\x31\x51\x30";
	r.receipt_no = "NO-1\x0a\x0aGS";
	r.title = "\x1bV\x01凭证";
	roundtrip(&r, ESCPOS_COLS_58MM, &d, &b, &n);
	/* It parses (no command the encoder does not send), and the stream
	 * holds exactly the encoder's own commands. */
	cr_assert_eq(d.cuts, 1);
	cr_assert_eq(d.status_queries, 0);
	cr_assert_eq(d.qr_stores, 1);
	cr_assert_eq(d.qr_prints, 1);
	cr_assert_str_eq(d.qr, VERIFY);
	cr_assert_eq(count(b, n, "\x1b@", 2), 1);
	cr_assert_eq(count(b, n, "\x1c&", 2), 1);
	cr_assert_eq(count(b, n, "\x1c.", 2), 0);
	cr_assert_null(memchr(b, 0x10, n), "no DLE");
	cr_assert_null(memchr(b, 0x0D, n), "no CR");
	cr_assert_null(memchr(b, 0x7F, n), "no DEL");
	char *all = escpos_doc_text(&d);
	cr_assert(strstr(all, "水务"), "%s", all);
	cr_assert(strstr(all, "NO-1 GS") || strstr(all, "NO-1  GS"), "%s", all);
	free(all);
	/* The payee's line is plain text. */
	const struct escpos_line *p = escpos_doc_find(&d, "收款单位：水务");
	cr_assert_not_null(p);
	cr_assert(!p->bold && p->size == 0);
	escpos_doc_free(&d);
	free(b);
}

static bool starts_with_closing(const char *s)
{
	static const char *const closing[] = { "，", "。", "、", "）", "：", ",", ".", ")" };
	for (size_t i = 0; i < sizeof closing / sizeof closing[0]; i++)
		if (!strncmp(s, closing[i], strlen(closing[i])))
			return true;
	return false;
}

Test(escpos, long_values_wrap_at_the_paper_width)
{
	struct receipt r = sample;
	struct escpos_doc d;
	static const int widths[] = { ESCPOS_COLS_58MM, 42, ESCPOS_COLS_80MM };

	r.payee = "北京市海淀区自来水集团有限责任公司（第二分公司），海淀营业厅";
	r.purpose = "Water bill for November 2026 Haidian district household account";
	r.title = "北京市政务服务中心自助缴费凭证";
	r.amount_fen = 123456789012LL;
	for (size_t w = 0; w < sizeof widths / sizeof widths[0]; w++) {
		roundtrip(&r, widths[w], &d, NULL, NULL);
		assert_fits(&d, widths[w]);
		for (int i = 0; i < d.n_lines; i++)
			cr_assert(!starts_with_closing(d.lines[i].text), "%d cols, line \"%s\"",
			          widths[w], d.lines[i].text);
		/* Latin words are not split. */
		bool household = false;
		for (int i = 0; i < d.n_lines; i++)
			household |= strstr(d.lines[i].text, "household") != NULL;
		cr_assert(household, "at %d columns", widths[w]);
		char *all = escpos_doc_text(&d);
		cr_assert(strstr(all, "海淀营业厅"), "%d cols:\n%s", widths[w], all);
		free(all);
		escpos_doc_free(&d);
	}

	/* At 32 columns the payee takes two lines, the second under the
	 * value (a hanging indent of the label's width: 收款单位： is 10). */
	roundtrip(&r, ESCPOS_COLS_58MM, &d, NULL, NULL);
	const struct escpos_line *first = escpos_doc_find(&d, "收款单位：北京市");
	cr_assert_not_null(first);
	cr_assert_eq(first->cols, 32, "\"%s\"", first->text);
	cr_assert(!strncmp((first + 1)->text, "          ", 10), "\"%s\"", (first + 1)->text);
	/* The big amount wraps at half the width. */
	char *all = escpos_doc_text(&d);
	cr_assert(strstr(all, "1234567890.12") || strstr(all, "12345678\n90.12"), "%s", all);
	free(all);
	escpos_doc_free(&d);

	/* A value longer than ESCPOS_FIELD_LINES lines is cut with "…". */
	char longv[2048] = "";
	for (int i = 0; i < 100; i++)
		strcat(longv, "缴费");
	strcat(longv, "END");
	r.payee = longv;
	roundtrip(&r, ESCPOS_COLS_58MM, &d, NULL, NULL);
	assert_fits(&d, ESCPOS_COLS_58MM);
	const struct escpos_line *p = escpos_doc_find(&d, "收款单位：缴费");
	cr_assert_not_null(p);
	const struct escpos_line *last = p + ESCPOS_FIELD_LINES - 1;
	cr_assert(strstr(last->text, "…"), "\"%s\"", last->text);
	cr_assert_null(escpos_doc_find(&d, "END"));
	escpos_doc_free(&d);
}

Test(escpos, qr_module_fits_the_paper)
{
	struct receipt r = sample;
	struct escpos_doc d;
	char big[ESCPOS_QR_MAX + 2];

	roundtrip(&r, ESCPOS_COLS_58MM, &d, NULL, NULL);
	cr_assert_eq(d.qr_module, 6);
	escpos_doc_free(&d);

	memset(big, 'A', ESCPOS_QR_MAX);
	big[ESCPOS_QR_MAX] = '\0';
	r.verify = big;
	roundtrip(&r, ESCPOS_COLS_58MM, &d, NULL, NULL);
	cr_assert_eq(d.qr_len, ESCPOS_QR_MAX);
	/* 512 bytes at level M: version 18 or 19 (at most 93 modules) */
	cr_assert(d.qr_module >= 2 && d.qr_module * (93 + 8) <= 384, "module %d", d.qr_module);
	escpos_doc_free(&d);

	/* No verification payload: no QR, still one cut. */
	r.verify = NULL;
	roundtrip(&r, ESCPOS_COLS_58MM, &d, NULL, NULL);
	cr_assert_eq(d.qr_stores, 0);
	cr_assert_eq(d.cuts, 1);
	escpos_doc_free(&d);
}

Test(escpos, refuses_what_it_cannot_print)
{
	struct receipt r = sample;
	char err[200], big[ESCPOS_QR_MAX + 2];
	size_t n = 1;

	cr_assert_null(escpos_receipt(&r, 10, &n, err, sizeof err));
	cr_assert(strstr(err, "columns"), "%s", err);
	cr_assert_eq(n, 0);
	r.amount_fen = -1;
	cr_assert_null(escpos_receipt(&r, 32, &n, err, sizeof err));
	cr_assert(strstr(err, "negative"), "%s", err);
	r.amount_fen = 0;
	r.verify = "https://x/\x1b@";
	cr_assert_null(escpos_receipt(&r, 32, &n, err, sizeof err));
	cr_assert(strstr(err, "printable"), "%s", err);
	memset(big, 'A', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	r.verify = big;
	cr_assert_null(escpos_receipt(&r, 32, &n, err, sizeof err));
	cr_assert(strstr(err, "at most"), "%s", err);
	cr_assert_null(escpos_receipt(NULL, 32, &n, err, sizeof err));

	/* Zero is an amount. */
	struct escpos_doc d;
	r.verify = NULL;
	roundtrip(&r, 32, &d, NULL, NULL);
	cr_assert_not_null(escpos_doc_find(&d, "0.00元"));
	escpos_doc_free(&d);
}

Test(escpos, status_bytes)
{
	static const unsigned char online[4] = { 0x12, 0x12, 0x12, 0x12 };
	static const unsigned char paper_out[4] = { 0x1A, 0x32, 0x12, 0x72 };
	static const unsigned char cover[4] = { 0x1A, 0x16, 0x12, 0x12 };
	static const unsigned char near_end[4] = { 0x12, 0x12, 0x12, 0x1E };
	static const unsigned char cutter[4] = { 0x1A, 0x52, 0x1A, 0x12 };
	static const unsigned char presenter[4] = { 0x12, 0x12, 0x12, 0x52 };

	cr_assert_eq(escpos_status_decode(online), 0);
	cr_assert_eq(escpos_status_decode(paper_out),
	             ESCPOS_ST_OFFLINE | ESCPOS_ST_PAPER_OUT);
	cr_assert_eq(escpos_status_decode(cover), ESCPOS_ST_OFFLINE | ESCPOS_ST_COVER_OPEN);
	cr_assert_eq(escpos_status_decode(near_end), ESCPOS_ST_NEAR_END);
	cr_assert_eq(escpos_status_decode(cutter), ESCPOS_ST_OFFLINE | ESCPOS_ST_ERROR);
	/* n=4 bit 6 alone is a presenter sensor on some printers: not paper out */
	cr_assert_eq(escpos_status_decode(presenter), 0);

	cr_assert(escpos_status_byte(0x12));
	cr_assert(escpos_status_byte(0x7E));
	cr_assert(!escpos_status_byte(0x11), "XON");
	cr_assert(!escpos_status_byte(0x13), "XOFF");
	cr_assert(!escpos_status_byte(0x00));
	cr_assert(!escpos_status_byte(0x92));
	cr_assert_eq(sizeof ESCPOS_STATUS_QUERY - 1, ESCPOS_STATUS_QUERY_LEN);
}

Test(escpos, parser_rejects_what_the_encoder_never_sends)
{
	struct escpos_doc d;

	cr_assert_eq(escpos_parse("\x1b@\x1c&ok\n\x1b*", 10, &d), -1);
	cr_assert(strstr(d.why, "ESC 0x2a"), "%s", d.why);
	cr_assert_eq(d.error_at, 7);
	cr_assert_eq(d.n_lines, 1);
	escpos_doc_free(&d);
	cr_assert_eq(escpos_parse("a\rb", 3, &d), -1);
	cr_assert(strstr(d.why, "0x0d"), "%s", d.why);
	escpos_doc_free(&d);
	cr_assert_eq(escpos_parse("\xd6\xd0", 2, &d), -1, "GB text outside Chinese mode");
	escpos_doc_free(&d);
	cr_assert_eq(escpos_parse("\x1c&\xd6\xd0\xce\xc4", 6, &d), 0);
	cr_assert(!d.init_first);
	cr_assert(d.chinese_first);
	cr_assert_str_eq(d.lines[0].text, "中文");
	cr_assert_eq(d.lines[0].cols, 4);
	escpos_doc_free(&d);
	cr_assert_eq(escpos_parse("\x1d(k\x03\x00\x31\x51\x30", 8, &d), -1, "print before store");
	escpos_doc_free(&d);
	cr_assert_eq(escpos_parse("\x1d(k\x09\x00\x31", 6, &d), -1, "cut short");
	escpos_doc_free(&d);
}

/* A receipt that is no payment's (an application's 回执): no amount, the
 * caller's lines before the kiosk's id, its own words under the QR; the
 * lines' values as hostile as any (no command gets through). */
Test(escpos, application_receipt_has_no_amount)
{
	const struct receipt_line lines[] = {
		{ "办理事项：", "社会保障卡申领" },
		{ "办件编号：", "SQ20261203000001" },
		{ "办理地点：", "3号窗口\x1b@\x1dV\x42" },
		{ "空：", "" },
	};
	struct receipt r = { .title = "申请回执", .no_amount = true, .lines = lines, .n_lines = 4,
	                     .kiosk_id = "hall1-k03", .verify = "SQ20261203000001",
	                     .verify_label = "到窗口办理时出示此码" };
	struct escpos_doc d;
	unsigned char *b;
	size_t n;
	roundtrip(&r, ESCPOS_COLS_58MM, &d, &b, &n);
	cr_assert_not_null(escpos_doc_find(&d, "申请回执"));
	cr_assert_not_null(escpos_doc_find(&d, "办件编号：SQ20261203000001"));
	cr_assert_not_null(escpos_doc_find(&d, "到窗口办理时出示此码"));
	cr_assert_null(escpos_doc_find(&d, "元"), "an amount on a receipt with none");
	cr_assert_null(escpos_doc_find(&d, "空："), "an empty line printed");
	cr_assert_str_eq(d.qr, "SQ20261203000001");
	cr_assert_eq(d.cuts, 1, "the hostile value cut the paper");
	cr_assert_eq(count(b, n, "\x1b@", 2), 1, "the hostile value reset the printer");
	const struct escpos_line *k = escpos_doc_find(&d, "终端编号");
	const struct escpos_line *w = escpos_doc_find(&d, "办理地点");
	cr_assert(k && w && w < k, "the lines come before the kiosk's id");
	assert_fits(&d, ESCPOS_COLS_58MM);
	free(b);
	escpos_doc_free(&d);
}
