/* idem.c: Idempotency-Keys, which states the outbox may record, what an
 * account number may keep (pure: the outbox's SQLite and getrandom live in
 * kiosk/outbox.c). See idem.h. */
#include "idem.h"

#include <string.h>

#include "text.h"

void uuid_v4_format(const unsigned char rnd[16], char out[IDEM_KEY_SIZE])
{
	static const char hex[] = "0123456789abcdef";
	unsigned char b[16];
	memcpy(b, rnd, sizeof b);
	b[6] = (unsigned char)((b[6] & 0x0f) | 0x40); /* version 4 */
	b[8] = (unsigned char)((b[8] & 0x3f) | 0x80); /* variant 10xx */
	size_t o = 0;
	for (int i = 0; i < 16; i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			out[o++] = '-';
		out[o++] = hex[b[i] >> 4];
		out[o++] = hex[b[i] & 0x0f];
	}
	out[o] = '\0';
}

bool uuid_v4_valid(const char *s)
{
	if (!s || strlen(s) != IDEM_KEY_SIZE - 1)
		return false;
	for (int i = 0; i < IDEM_KEY_SIZE - 1; i++) {
		bool dash = i == 8 || i == 13 || i == 18 || i == 23;
		if (dash != (s[i] == '-'))
			return false;
		if (!dash && !((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	}
	return s[14] == '4' && strchr("89ab", s[19]) != NULL;
}

bool idem_may_record(enum pay_state next, enum pay_state cur)
{
	return next != cur && next > PAY_UNKNOWN && next <= PAY_EXPIRED && pay_state_next(cur, next) == next;
}

bool idem_contradicts(enum pay_state next, enum pay_state cur)
{
	return next != cur && pay_state_final(next) && pay_state_final(cur);
}

size_t idem_mask_account(const char *in, char *out, size_t n)
{
	if (!in)
		in = "";
	if (strchr(in, '*'))
		return text_copy(out, n, in);
	size_t len = strlen(in), chars = 0;
	unsigned cp;
	for (size_t i = 0; i < len; i += text_utf8_decode(in + i, len - i, &cp))
		chars++;
	size_t o = 0, c = 0;
	for (size_t i = 0; i < len && o + 1 < n; c++) {
		size_t k = text_utf8_decode(in + i, len - i, &cp);
		if (c + 4 < chars) {
			out[o++] = '*';
		} else {
			if (o + k >= n)
				break;
			memcpy(out + o, in + i, k);
			o += k;
		}
		i += k;
	}
	out[o] = '\0';
	return o;
}
