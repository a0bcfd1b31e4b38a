/* fuzz_login.c: libFuzzer target for the log-in answers (the gateway's
 * /v1/auth/device, /token and /scan): jsonx_parse, then login_decode,
 * device_decode and token_error_decode, as the kiosk runs them.
 *
 * Beyond "no crash, no leak": what is shown is masked (a display name or ID
 * that came out of login_decode never carries more than the mask allows),
 * and a parse error never quotes the input (it goes to the log, and the
 * input carries tokens and ID numbers). */
#include <locale.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "jsonx.h"
#include "login.h"
#include "text.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	setlocale(LC_CTYPE, "C.UTF-8");
	return 0;
}

/* Code points other than '*' and the name separators. */
static size_t visible(const char *s)
{
	size_t n = 0, len = strlen(s);
	while (len) {
		unsigned cp;
		size_t k = text_utf8_decode(s, len, &cp);
		if (cp != '*' && cp != 0xB7 && cp != ' ')
			n++;
		s += k;
		len -= k;
	}
	return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[256] = "";
	json_t *root = jsonx_parse((const char *)data, size, err, sizeof err);
	if (!root) {
		/* Our words only: no quote of the input. */
		if (!err[0] || strchr(err, '\'') || strchr(err, '"') || strlen(err) > 120)
			abort();
		return 0;
	}
	struct login l;
	if (login_decode(root, &l, err, sizeof err) == 0) {
		if (!l.access_token || !*l.access_token || !l.c.display_name || !l.c.id_masked)
			abort();
		/* Masked again by the kiosk, whatever the gateway sent: at most the
		 * first and last character of a name, 4 + 4 of an ID. */
		if (visible(l.c.display_name) > 2 || visible(l.c.id_masked) > 8 ||
		    visible(l.c.phone_masked) > 7)
			abort();
		login_wipe(&l);
		if (l.access_token || l.c.display_name)
			abort();
	} else if (!err[0]) {
		abort();
	}
	struct device_auth d;
	err[0] = '\0';
	if (device_decode(root, &d, err, sizeof err) == 0) {
		if (d.expires_in < 1 || d.expires_in > 3600 || d.interval < 1 || d.interval > 60)
			abort();
		device_wipe(&d);
	} else if (!err[0]) {
		abort();
	}
	enum token_error te = token_error_decode(root);
	if (te > TOKEN_OTHER)
		abort();
	json_decref(root);
	return 0;
}
