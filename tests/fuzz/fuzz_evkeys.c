/* fuzz_evkeys.c: libFuzzer target for the scanner's key-event decoder
 * (evkeys.c), which reads whatever a USB device or a recording sends.
 *
 * Input: the first byte picks the layout; then 4 bytes a record: the first
 * picks the kind (mostly key events, some SYN_DROPPED and other SYN, MSC
 * and raw types, which may be out of range), the next two the code (mostly
 * below 128, where the layouts are), the last the value (mostly 0, 1, 2).
 *
 * Beyond "no crash": a code handed on is printable ASCII only, at most
 * SCAN_MAX_CODE long, NUL-terminated, and only ever on an Enter press; a
 * report says why in static text (never in the code's buffer); the buffer
 * is wiped once the code is done with; too long comes only on a key
 * press; the same input gives the same results; and after evkeys_cut
 * nothing is pending.
 */
#include <linux/input-event-codes.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "evkeys.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAXREC 20000

static struct evkeys d;
static unsigned char results[MAXREC];
static uint32_t sums[MAXREC];

static void record(const uint8_t *p, uint16_t *type, uint16_t *code, int32_t *value)
{
	unsigned kind = p[0] % 16;
	*code = (uint16_t)(p[1] | p[2] << 8);
	if (kind < 11) {
		*type = EV_KEY;
		if (p[2] < 0xf0)
			*code = p[1] & 0x7f; /* the layouts' keys, Enter, the modifiers */
	} else if (kind == 11) {
		*type = EV_SYN;
		*code = SYN_DROPPED;
	} else if (kind == 12) {
		*type = EV_SYN;
		*code = SYN_REPORT;
	} else if (kind == 13) {
		*type = EV_MSC;
	} else {
		*type = (uint16_t)(p[1] | p[2] << 8);
		*code = p[0];
	}
	*value = p[3] < 0xf0 ? p[3] % 3 : (int32_t)(int8_t)p[3];
}

static bool zeroes(const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return false;
	return true;
}

static size_t run(const uint8_t *data, size_t size, bool check_against)
{
	size_t nrec = (size - 1) / 4;
	if (nrec > MAXREC)
		nrec = MAXREC;
	evkeys_init(&d, (enum evkeys_layout)(data[0] % 3));
	for (size_t i = 0; i < nrec; i++) {
		uint16_t type, code;
		int32_t value;
		record(data + 1 + 4 * i, &type, &code, &value);
		enum evkeys_result r = evkeys_feed(&d, type, code, value);
		uint32_t sum = 0;
		switch (r) {
		case EVKEYS_MORE:
			if (d.why)
				abort(); /* a reason without a report */
			break;
		case EVKEYS_CODE:
			if (type != EV_KEY || value != 1 || (code != KEY_ENTER && code != KEY_KPENTER))
				abort();
			if (d.len == 0 || d.len > SCAN_MAX_CODE || d.buf[d.len] != '\0' || d.why)
				abort();
			for (size_t k = 0; k < d.len; k++) {
				if (d.buf[k] < 0x20 || d.buf[k] > 0x7e)
					abort();
				sum = sum * 31 + (unsigned char)d.buf[k];
			}
			if (evkeys_pending(&d))
				abort();
			/* every other code is wiped by the next feed, this one
			 * by evkeys_done */
			if (i % 2) {
				size_t len = d.len;
				evkeys_done(&d);
				if (d.len || !zeroes(d.buf, len + 1))
					abort();
			}
			break;
		case EVKEYS_TOO_LONG:
			if (type != EV_KEY || value != 1 || !d.why || d.len != 0)
				abort();
			break;
		case EVKEYS_BAD:
			if (type != EV_KEY || value != 1 || !d.why || d.len != 0)
				abort();
			if (d.why >= d.buf && d.why < d.buf + sizeof d.buf)
				abort();
			if (!zeroes(d.buf, sizeof d.buf))
				abort();
			break;
		default:
			abort();
		}
		if (check_against) {
			if (results[i] != r || sums[i] != sum)
				abort(); /* not deterministic */
		} else {
			results[i] = (unsigned char)r;
			sums[i] = sum;
		}
	}
	return nrec;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	run(data, size, false);
	enum evkeys_result r = evkeys_cut(&d);
	if ((r != EVKEYS_MORE && r != EVKEYS_BAD) || evkeys_pending(&d) || d.len ||
	    !zeroes(d.buf, sizeof d.buf))
		abort();
	run(data, size, true);
	evkeys_reset(&d);
	if (!zeroes(d.buf, sizeof d.buf) || evkeys_pending(&d))
		abort();
	return 0;
}
