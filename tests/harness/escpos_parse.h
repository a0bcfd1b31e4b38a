/* escpos_parse.h: reads back what the kiosk sent to a receipt printer (the
 * bytes of escpos_receipt, or a file: printer's file), for the tests.
 *
 * It knows the commands the kiosk's encoder uses and nothing else: any
 * other control byte or command is an error (so a test that a hostile
 * string left no control byte in the stream is simply "it parses").
 *
 *   ESC @, FS &, FS ., ESC E n, ESC a n, ESC d n, GS ! n, GS V m [n],
 *   GS ( k (QR code: model, module size, error correction, store, print),
 *   DLE EOT n, LF
 *
 * Text is decoded from GB18030 (two-byte characters in Chinese mode) to
 * UTF-8, one line per LF (text left before a cut or the end is a line
 * too). Several receipts appended to one file are parsed as one document
 * (count the cuts).
 */
#ifndef TESTS_HARNESS_ESCPOS_PARSE_H
#define TESTS_HARNESS_ESCPOS_PARSE_H

#include <stdbool.h>
#include <stddef.h>

struct escpos_line {
	char *text;   /* UTF-8 */
	int cols;     /* printer columns used: ASCII 1, other characters 2,
	               * times the width factor of GS ! */
	bool bold;    /* ESC E was on when the line was printed */
	int size;     /* GS ! value in force */
	int align;    /* ESC a: 0 left, 1 centre, 2 right */
};

struct escpos_doc {
	struct escpos_line *lines;
	int n_lines;
	char *qr;          /* data of the last QR store (GS ( k fn 80), NUL-terminated */
	size_t qr_len;
	int qr_stores, qr_prints; /* QR stores and prints (fn 81) seen */
	int qr_module;     /* last module size (fn 67) */
	int cuts;          /* GS V */
	int status_queries; /* DLE EOT */
	bool init_first;   /* the stream begins with ESC @ */
	bool chinese_first; /* FS & came before any text (right after init) */
	size_t error_at;   /* offset of the error (escpos_parse returned -1) */
	char why[160];     /* the error */
};

/* Parses buf[0..len). 0, or -1 with doc->why and doc->error_at set (the
 * document then holds what was parsed before). Free doc either way. */
int escpos_parse(const void *buf, size_t len, struct escpos_doc *doc);
/* Reads and parses a file; -1 with why if it cannot be read. */
int escpos_parse_file(const char *path, struct escpos_doc *doc);
void escpos_doc_free(struct escpos_doc *doc);

/* The first line holding needle (UTF-8), or NULL. */
const struct escpos_line *escpos_doc_find(const struct escpos_doc *doc, const char *needle);
/* All lines joined with '\n' (caller frees): for searching across wraps
 * and for failure messages. */
char *escpos_doc_text(const struct escpos_doc *doc);

#endif
