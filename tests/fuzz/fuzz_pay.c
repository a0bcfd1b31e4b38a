/* fuzz_pay.c: libFuzzer target for the gateway's bill and payment answers
 * (GET /v1/bills, POST /v1/payments, GET /v1/payments/{id}, /scan,
 * /cancel): jsonx_parse, then bills_decode and payment_decode, as the
 * kiosk runs them.
 *
 * Beyond "no crash, no leak": whatever decodes holds only what may be shown
 * or paid: amounts in (0, 10^12] fen, a known state and bill type, strings
 * without control characters (the QR payload aside, which emv_check judges,
 * and which must then also pass it or be refused, never crash it). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "emv.h"
#include "jsonx.h"
#include "pay.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void clean(const char *s)
{
	for (; s && *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[256] = "";
	json_t *root = jsonx_parse((const char *)data, size, err, sizeof err);
	if (!root)
		return 0;
	struct bill *b;
	size_t n;
	if (bills_decode(root, &b, &n, err, sizeof err) == 0) {
		for (size_t i = 0; i < n; i++) {
			if (b[i].amount_fen <= 0 || b[i].amount_fen > 1000000000000LL || (unsigned)b[i].type >= BILL_TYPES)
				abort();
			clean(b[i].id);
			clean(b[i].payee);
			clean(b[i].account_masked);
			clean(b[i].period);
			clean(b[i].due_date);
		}
		bills_free(b, n);
	} else if (!err[0]) {
		abort(); /* a refusal always says why */
	}
	struct payment p;
	if (payment_decode(root, &p, err, sizeof err) == 0) {
		if (p.amount_fen <= 0 || p.amount_fen > 1000000000000LL || p.state == PAY_UNKNOWN || !p.id[0])
			abort();
		clean(p.id);
		clean(p.payee);
		clean(p.receipt_no);
		if (p.qr_payload) {
			struct emv_info info;
			if (emv_check(p.qr_payload, p.amount_fen, &info) == EMV_OK && info.amount_fen != p.amount_fen)
				abort();
		}
		payment_free(&p);
	}
	json_decref(root);
	return 0;
}
