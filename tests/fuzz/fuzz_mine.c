/* fuzz_mine.c: libFuzzer target for 我的办件 and 电子证照's answers
 * (GET /v1/me/applications, GET /v1/me/licenses): jsonx_parse, then
 * applications_decode and licenses_decode, as the kiosk runs them.
 *
 * Beyond "no crash, no leak": what decodes is what may be drawn: the caps
 * hold, every string is there and clean (no control character; newlines
 * only in needs_more), statuses are known values or APP_UNKNOWN, a
 * licence's refresh_s is 1 to 86400 and its verify_payload 1 to 512
 * printable ASCII characters (what the QR will hold); a refusal always says
 * why. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "jsonx.h"
#include "mine.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void clean(const char *s, bool newlines)
{
	if (!s)
		abort();
	for (; *s; s++)
		if (((unsigned char)*s < 0x20 && !(newlines && *s == '\n')) || *s == 0x7f)
			abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[256] = "";
	json_t *root = jsonx_parse((const char *)data, size, err, sizeof err);
	if (!root)
		return 0;
	struct application *a;
	size_t n;
	err[0] = '\0';
	if (applications_decode(root, &a, &n, err, sizeof err) == 0) {
		if (n > MINE_MAX_ITEMS)
			abort();
		for (size_t i = 0; i < n; i++) {
			if ((unsigned)a[i].status > APP_UNKNOWN || a[i].n_events > MINE_MAX_EVENTS ||
			    (a[i].n_events && !a[i].timeline))
				abort();
			clean(a[i].id, false);
			clean(a[i].service_id, false);
			clean(a[i].service_name, false);
			clean(a[i].updated_at, false);
			clean(a[i].needs_more, true);
			for (size_t k = 0; k < a[i].n_events; k++) {
				if ((unsigned)a[i].timeline[k].status > APP_UNKNOWN)
					abort();
				clean(a[i].timeline[k].at, false);
				clean(a[i].timeline[k].note, false);
			}
		}
		applications_free(a, n);
	} else if (!err[0] || a || n) {
		abort(); /* a refusal says why and leaves nothing */
	}
	struct license *l;
	err[0] = '\0';
	if (licenses_decode(root, &l, &n, err, sizeof err) == 0) {
		if (n > MINE_MAX_ITEMS)
			abort();
		for (size_t i = 0; i < n; i++) {
			if (l[i].refresh_s < 1 || l[i].refresh_s > 86400)
				abort();
			size_t len = strlen(l[i].verify_payload);
			if (len < 1 || len > 512)
				abort();
			for (size_t k = 0; k < len; k++)
				if (l[i].verify_payload[k] <= 0x20 || l[i].verify_payload[k] >= 0x7f)
					abort();
			clean(l[i].id, false);
			clean(l[i].type, false);
			clean(l[i].name, false);
			clean(l[i].number_masked, false);
			clean(l[i].issuer, false);
			clean(l[i].valid_until, false);
		}
		licenses_free(l, n);
	} else if (!err[0] || l || n) {
		abort();
	}
	json_decref(root);
	return 0;
}
