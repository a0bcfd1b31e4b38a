/* escpos.h: receipts as ESC/POS bytes, and what a printer's status bytes
 * mean (pure core: no devices; the device is printer.h).
 *
 * escpos_receipt() turns a payment receipt into the exact bytes a Chinese
 * thermal receipt printer takes: ESC @ (initialize), FS & (Chinese
 * character mode), text in GB18030 restricted to its two-byte (GBK) part,
 * which is what the printers' fonts carry, a bold double-size title and
 * amount, the fields, the verification QR code drawn by the printer itself
 * (GS ( k), then feed and a partial cut (GS V 66 0). Amounts are written
 * "45.60元" (zh) or "￥45.60" (en, U+FFE5): never ¥ U+00A5, which is
 * outside GBK.
 *
 * Every string is sanitized (text_sanitize: no control byte, escape
 * sequence or bidi control reaches the printer); a character outside GBK
 * prints as '?'. Columns are the printer's: one for ASCII, two for any
 * other character. Long values are wrapped at the paper's width (CJK
 * line-breaking: no line starts with closing punctuation) and cut after
 * ESCPOS_FIELD_LINES lines with "…".
 */
#ifndef KIOSK_ESCPOS_H
#define KIOSK_ESCPOS_H

#include <stdbool.h>
#include <stddef.h>

/* Columns of the standard font (12 x 24 dots) on common papers. */
#define ESCPOS_COLS_58MM 32   /* 384 dots */
#define ESCPOS_COLS_80MM 48   /* 576 dots (42 on 512-dot printers) */
#define ESCPOS_COLS_MIN 24
#define ESCPOS_COLS_MAX 64

#define ESCPOS_FIELD_LINES 4  /* a value longer than this many lines is cut */
#define ESCPOS_QR_MAX 512     /* longest verification payload (bytes) */

/* A receipt. Strings are UTF-8 from the gateway (sanitized here); NULL or
 * "" leaves that line out. Borrowed: escpos_receipt copies what it needs. */
/* A line of a receipt that is not a payment's (label and value, both
 * UTF-8; an empty value leaves the line out). */
struct receipt_line {
	const char *label, *value;
};

struct receipt {
	const char *title;          /* NULL: "缴费凭证" / "繳費憑證" / "Payment receipt" */
	const char *big;            /* printed huge under the title (a queue
	                             * ticket's number); NULL/"": none */
	bool no_amount;             /* not a payment (an application's 回执):
	                             * no amount block */
	const struct receipt_line *lines; /* printed before the kiosk's id */
	size_t n_lines;
	long long amount_fen;       /* >= 0 */
	const char *payee;          /* 收款单位 */
	const char *account_masked; /* 缴费账户, already masked by the caller */
	const char *purpose;        /* 缴费项目: what was paid for */
	const char *receipt_no;     /* 凭证号 */
	const char *paid_at;        /* 缴费时间, as it should be printed */
	const char *kiosk_id;       /* 终端编号 */
	const char *verify;         /* the QR's payload: printable ASCII, at most
	                             * ESCPOS_QR_MAX bytes; NULL/"": no QR */
	const char *lang;           /* labels: "zh_CN" (default), "zh_TW", "en" */
	const char *verify_label;   /* under the QR; NULL: "扫码核验此凭证"... */
};

/* Encodes r for a paper of `cols` columns (ESCPOS_COLS_MIN..MAX). Returns
 * a new buffer (caller frees) of *len bytes, or NULL with an English reason
 * in err (bad cols, negative amount, a verify payload that is not printable
 * ASCII or is too long, no GB18030 converter). */
unsigned char *escpos_receipt(const struct receipt *r, int cols, size_t *len,
                              char *err, size_t errlen);

/* Status (real-time status transmission). ESCPOS_STATUS_QUERY is the four
 * queries DLE EOT 1, 2, 3, 4 in one go; the printer answers each with one
 * byte, in order: printer status, off-line cause, error cause, roll paper
 * sensor. Every answer has bits 1 and 4 set and bits 0 and 7 clear, which
 * tells it from XON/XOFF and other bytes (escpos_status_byte). */
#define ESCPOS_STATUS_QUERY "\x10\x04\x01\x10\x04\x02\x10\x04\x03\x10\x04\x04"
#define ESCPOS_STATUS_QUERY_LEN 12
#define ESCPOS_STATUS_ANSWERS 4

/* What the answers say (a bit set of): */
#define ESCPOS_ST_OFFLINE    0x01u /* n=1 bit 3 */
#define ESCPOS_ST_COVER_OPEN 0x02u /* n=2 bit 2 */
#define ESCPOS_ST_PAPER_OUT  0x04u /* n=2 bit 5 (stopped at paper end), n=4 bits 5-6 */
#define ESCPOS_ST_NEAR_END   0x08u /* n=4 bits 2-3: paper low, still printing */
#define ESCPOS_ST_ERROR      0x10u /* n=2 bit 6, n=3 bits 3 (cutter), 5, 6 */

/* True if b can be an answer to DLE EOT (its fixed bits are right). */
int escpos_status_byte(unsigned char b);
/* Decodes the four answers (in query order) into ESCPOS_ST_* bits. */
unsigned escpos_status_decode(const unsigned char ans[ESCPOS_STATUS_ANSWERS]);

#endif
