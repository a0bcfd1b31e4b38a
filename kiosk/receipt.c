/* receipt.c: a payment's receipt on paper, exactly once.
 *
 * Order matters: outbox_receipt_claim before the first byte, the bytes,
 * then outbox_receipt_done when the printer took them. A kiosk that stops
 * between the two leaves a claim that is never printed again (staff see it
 * in `kiosk --ledger`): a receipt printed twice could be taken for two
 * payments. Receipts hold the masked account only, never a name.
 */
#include "receipt.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "escpos.h"
#include "i18n.h"
#include "log.h"
#include "outbox.h"
#include "ui.h"
#include "util.h"

struct printer *app_printer(struct app *a)
{
	static struct printer *p;
	static bool tried;
	if (!tried) {
		tried = true;
		char err[256];
		const char *spec = a->cfg.printer ? a->cfg.printer : "none";
		if (strcmp(spec, "none") != 0 && !(p = printer_open(a->loop, spec, err, sizeof err)))
			log_warn("printer: %s", err);
	}
	return p;
}

/* A job in flight: who asked, and which receipt (copied: the outbox
 * entry is the caller's). */
struct job {
	struct app *a;
	unsigned long screen_id;
	receipt_fn fn;
	char key[IDEM_KEY_SIZE];
	char *verify;
};

static void job_free(struct job *j)
{
	free(j->verify);
	free(j);
}

static void tell(struct app *a, unsigned long screen_id, receipt_fn fn, enum printer_status st)
{
	struct screen *s = screen_id ? ui_find(a, screen_id) : NULL;
	if (s && fn)
		fn(s, st);
}

static void on_printed(void *ud, enum printer_status st, const char *why)
{
	struct job *j = ud;
	if (st == PRINTER_OK) {
		if (outbox_receipt_done(j->a->outbox, j->key) == OUTBOX_ERROR)
			log_warn("receipt: outbox: %s", outbox_error(j->a->outbox));
		log_info("receipt: printed");
	} else {
		log_warn("receipt: not printed (%s)", printer_status_name(st));
	}
	tell(j->a, j->screen_id, j->fn, st);
	job_free(j);
}

/* The printer is ready: claim the receipt, then print it. */
static void on_status(void *ud, enum printer_status st, const char *why)
{
	struct job *j = ud;
	struct app *a = j->a;
	struct outbox_entry e = { 0 };
	unsigned char *bytes = NULL;
	size_t len = 0;
	if (st != PRINTER_OK) {
		/* Offered on screen instead, to the citizen standing there; it is
		 * never printed later, unattended, into the next one's hands (the
		 * claim stays, for staff: `kiosk --ledger`). */
		log_warn("receipt: printer %s; offered on screen", printer_status_name(st));
		if (outbox_receipt_claim(a->outbox, j->key) == OUTBOX_ERROR)
			log_warn("receipt: outbox: %s", outbox_error(a->outbox));
		goto fail;
	}
	enum outbox_result r = outbox_find(a->outbox, j->key, &e);
	if (r == OUTBOX_OK)
		r = outbox_receipt_claim(a->outbox, j->key);
	if (r != OUTBOX_OK) {
		if (r == OUTBOX_ERROR)
			log_warn("receipt: outbox: %s", outbox_error(a->outbox));
		st = PRINTER_ABSENT; /* claimed before: never twice */
		goto fail;
	}
	struct receipt rc = {
		.amount_fen = e.amount_fen,
		.payee = e.payee ? e.payee : "",
		.account_masked = e.account_masked ? e.account_masked : "",
		.purpose = e.description ? e.description : "",
		.receipt_no = e.receipt_no ? e.receipt_no : "",
		.paid_at = e.paid_at ? e.paid_at : "",
		.kiosk_id = a->cfg.kiosk_id ? a->cfg.kiosk_id : "",
		.verify = j->verify,
		.lang = i18n_lang(),
	};
	char err[160];
	int cols = a->cfg.printer_columns ? (int)a->cfg.printer_columns : ESCPOS_COLS_80MM;
	bytes = escpos_receipt(&rc, cols, &len, err, sizeof err);
	outbox_entry_clear(&e);
	if (!bytes) {
		log_warn("receipt: cannot encode: %s", err);
		st = PRINTER_OFFLINE;
		goto fail;
	}
	printer_print(app_printer(a), bytes, len, on_printed, j);
	explicit_bzero(bytes, len);
	free(bytes);
	return;
fail:
	outbox_entry_clear(&e);
	tell(a, j->screen_id, j->fn, st);
	job_free(j);
}

bool receipt_print(struct app *a, const char *key, const char *verify, struct screen *s, receipt_fn fn)
{
	unsigned long id = s ? s->id : 0;
	struct printer *p = app_printer(a);
	if (!p || !app_outbox(a)) {
		tell(a, id, fn, PRINTER_ABSENT);
		return false;
	}
	struct job *j = xcalloc(1, sizeof *j);
	j->a = a;
	j->screen_id = id;
	j->fn = fn;
	snprintf(j->key, sizeof j->key, "%s", key);
	j->verify = verify ? xstrdup(verify) : NULL;
	printer_check(p, on_status, j);
	return true;
}

/* ---- a receipt that is no payment's (an application's 回执) ------------------------------- */

struct doc_job {
	struct app *a;
	unsigned long screen_id;
	receipt_fn fn;
	unsigned char *bytes;
	size_t len;
};

static void doc_free(struct doc_job *j)
{
	explicit_bzero(j->bytes, j->len);
	free(j->bytes);
	free(j);
}

static void on_doc_printed(void *ud, enum printer_status st, const char *why)
{
	struct doc_job *j = ud;
	log_info("receipt: document %s", st == PRINTER_OK ? "printed" : printer_status_name(st));
	tell(j->a, j->screen_id, j->fn, st);
	doc_free(j);
}

static void on_doc_status(void *ud, enum printer_status st, const char *why)
{
	struct doc_job *j = ud;
	if (st != PRINTER_OK) {
		log_warn("receipt: printer %s; document not printed", printer_status_name(st));
		tell(j->a, j->screen_id, j->fn, st);
		doc_free(j);
		return;
	}
	printer_print(app_printer(j->a), j->bytes, j->len, on_doc_printed, j);
}

bool receipt_print_doc(struct app *a, const struct receipt *r, struct screen *s, receipt_fn fn)
{
	unsigned long id = s ? s->id : 0;
	struct printer *p = app_printer(a);
	if (!p) {
		tell(a, id, fn, PRINTER_ABSENT);
		return false;
	}
	char err[160];
	int cols = a->cfg.printer_columns ? (int)a->cfg.printer_columns : ESCPOS_COLS_80MM;
	struct doc_job *j = xcalloc(1, sizeof *j);
	j->bytes = escpos_receipt(r, cols, &j->len, err, sizeof err);
	if (!j->bytes) {
		log_warn("receipt: cannot encode: %s", err);
		free(j);
		tell(a, id, fn, PRINTER_OFFLINE);
		return false;
	}
	j->a = a;
	j->screen_id = id;
	j->fn = fn;
	printer_check(p, on_doc_status, j);
	return true;
}
