/* test_login.c: login answers, device authorization, masking. */
#include <criterion/criterion.h>
#include <locale.h>
#include <stdint.h>
#include <string.h>

#include "jsonx.h"
#include "login.h"

static void init(void) { setlocale(LC_CTYPE, "C.UTF-8"); }
TestSuite(login, .init = init);

static json_t *J(const char *s)
{
	json_error_t e;
	json_t *j = json_loads(s, 0, &e);
	cr_assert_not_null(j, "%s", e.text);
	return j;
}

/* An answer from a gateway that forgot to mask, decoded (asserted). */
static void decode_unmasked(struct login *l)
{
	json_t *j = J("{\"access_token\":\"tok-123\",\"token_type\":\"Bearer\",\"expires_in\":900,"
	              "\"citizen\":{\"display_name\":\"张三丰\",\"id_masked\":\"11010519491231002X\","
	              "\"name\":\"张三丰\",\"id\":\"11010519491231002X\",\"phone_masked\":\"13800138000\"}}");
	char err[128];
	cr_assert_eq(login_decode(j, l, err, sizeof err), 0, "%s", err);
	json_decref(j);
}

Test(login, decodes_and_masks_again)
{
	struct login l;
	decode_unmasked(&l);
	cr_assert_str_eq(l.access_token, "tok-123");
	cr_assert_eq(l.expires_in, 900);
	/* a gateway that forgot to mask is masked by the kiosk */
	cr_assert_str_eq(l.c.display_name, "张*丰");
	cr_assert_str_eq(l.c.id_masked, "1101**********002X");
	cr_assert_str_eq(l.c.phone_masked, "138****8000");
	cr_assert_str_eq(l.c.id, "11010519491231002X");
	login_wipe(&l);
	cr_assert_null(l.access_token);
	cr_assert_null(l.c.name);
}

Test(login, rejects_bad_answers)
{
	const char *bad[] = {
		"[]",
		"{}",
		"{\"access_token\":\"t\"}",
		"{\"access_token\":\"t\",\"citizen\":{\"display_name\":\"x\"}}",
		"{\"access_token\":\"has space\",\"citizen\":{\"display_name\":\"x\",\"id_masked\":\"y\"}}",
		"{\"access_token\":\"t\",\"token_type\":\"MAC\",\"citizen\":{\"display_name\":\"x\",\"id_masked\":\"y\"}}",
		"{\"access_token\":5,\"citizen\":{\"display_name\":\"x\",\"id_masked\":\"y\"}}",
		"{\"access_token\":\"t\",\"citizen\":{\"display_name\":1,\"id_masked\":\"y\"}}",
		"{\"access_token\":\"t\",\"citizen\":\"x\"}",
	};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		json_t *j = J(bad[i]);
		struct login l;
		char err[128] = "";
		cr_assert_neq(login_decode(j, &l, err, sizeof err), 0, "accepted %s", bad[i]);
		cr_assert(err[0], "no reason for %s", bad[i]);
		cr_assert_null(l.access_token);
		json_decref(j);
	}
}

Test(login, escape_sequences_in_names_are_sanitized)
{
	json_t *j = J("{\"access_token\":\"t\",\"citizen\":{\"display_name\":\"\\u001b[2J张\\u202e三\","
	              "\"id_masked\":\"1101**********123X\"}}");
	struct login l;
	char err[128];
	cr_assert_eq(login_decode(j, &l, err, sizeof err), 0, "%s", err);
	cr_assert_null(strchr(l.c.display_name, 0x1b));
	cr_assert_null(strstr(l.c.display_name, "\u202e"));
	login_wipe(&l);
	json_decref(j);
}

Test(login, masks)
{
	char *m;
	m = text_mask("张三", 1, 1);
	cr_assert_str_eq(m, "张*");
	free(m);
	m = text_mask("欧阳建国", 1, 1);
	cr_assert_str_eq(m, "欧**国");
	free(m);
	m = text_mask("欧**国", 1, 1);
	cr_assert_str_eq(m, "欧**国");
	free(m);
	m = text_mask("张", 1, 1);
	cr_assert_str_eq(m, "张");
	free(m);
	m = text_mask("", 1, 1);
	cr_assert_str_eq(m, "");
	free(m);
	m = text_mask("阿依古丽·买买提", 1, 1);
	cr_assert_str_eq(m, "阿***·**提");
	free(m);
	m = text_mask("13800138000", 3, 4);
	cr_assert_str_eq(m, "138****8000");
	free(m);
}

Test(login, device_authorization)
{
	json_t *j = J("{\"device_code\":\"dc\",\"user_code\":\"BCDF-GHJK\",\"verification_uri\":\"https://g.cn/d\","
	              "\"verification_uri_complete\":\"https://g.cn/d?c=BCDFGHJK\",\"expires_in\":300,\"interval\":5}");
	struct device_auth d;
	char err[128];
	cr_assert_eq(device_decode(j, &d, err, sizeof err), 0, "%s", err);
	cr_assert_str_eq(d.user_code, "BCDF-GHJK");
	cr_assert_eq(d.interval, 5);
	device_wipe(&d);
	json_decref(j);

	const char *bad[] = {
		"{\"device_code\":\"dc\",\"user_code\":\"BCDF\",\"verification_uri\":\"http://g.cn/d\",\"expires_in\":300}",
		"{\"device_code\":\"dc\",\"user_code\":\"BCDF\",\"verification_uri\":\"https://g.cn/d\",\"expires_in\":0}",
		"{\"device_code\":\"dc\",\"user_code\":\"BCDF\",\"verification_uri\":\"https://g.cn/d\",\"expires_in\":9,\"interval\":0}",
		"{\"device_code\":\"dc\",\"user_code\":\"\\u001b[2J\",\"verification_uri\":\"https://g.cn/d\",\"expires_in\":9}",
		"{\"user_code\":\"BCDF\",\"verification_uri\":\"https://g.cn/d\",\"expires_in\":9}",
	};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		j = J(bad[i]);
		cr_assert_neq(device_decode(j, &d, err, sizeof err), 0, "accepted %s", bad[i]);
		json_decref(j);
	}
	j = J("{\"device_code\":\"dc\",\"user_code\":\"BCDF\",\"verification_uri\":\"https://g.cn/d\",\"expires_in\":9}");
	cr_assert_eq(device_decode(j, &d, err, sizeof err), 0, "%s", err);
	cr_assert_str_eq(d.verification_uri_complete, "https://g.cn/d");
	cr_assert_eq(d.interval, 5);
	device_wipe(&d);
	json_decref(j);
}

Test(login, token_errors_and_codes)
{
	json_t *j = J("{\"error\":\"slow_down\"}");
	cr_assert_eq(token_error_decode(j), TOKEN_SLOW_DOWN);
	json_decref(j);
	j = J("{\"error\":\"expired_token\"}");
	cr_assert_eq(token_error_decode(j), TOKEN_EXPIRED);
	json_decref(j);
	j = J("{\"error\":7}");
	cr_assert_eq(token_error_decode(j), TOKEN_OTHER);
	json_decref(j);
	cr_assert(login_code_plausible("GOVLOGIN:abc", 12));
	cr_assert_not(login_code_plausible("", 0));
	cr_assert_not(login_code_plausible("a b", 3));
	cr_assert_not(login_code_plausible("\x1b[2J", 4));
	cr_assert_not(login_code_plausible("a\0b", 3));
}

/* A login code is 1 to 512 bytes of printable ASCII: the bounds exactly. */
Test(login, code_plausible_bounds)
{
	char code[514];

	memset(code, 'A', sizeof code);
	cr_assert(login_code_plausible(code, 1));
	cr_assert(login_code_plausible(code, 512));
	cr_assert_not(login_code_plausible(code, 513));
	for (int c = 0; c < 256; c++) {
		code[5] = (char)c;
		cr_assert_eq(login_code_plausible(code, 12), c > 0x20 && c < 0x7f,
		             "byte 0x%02X %s", c, c > 0x20 && c < 0x7f ? "refused" : "accepted");
	}
}

/* ---- wiping, seen from inside ---------------------------------------------
 * This explicit_bzero takes the place of libc's in the whole test binary
 * (the linker finds it first), so a test sees what the core wiped before it
 * freed it: where, how much, and whether it held a given secret. Freed
 * memory itself cannot tell: the allocator reuses it at once. */
static struct {
	uintptr_t at;
	size_t n;
	bool secret;
} wiped[512];
static int n_wiped;
static const char *wipe_secret; /* looked for in every block wiped */

void explicit_bzero(void *p, size_t n)
{
	if (n_wiped < (int)(sizeof wiped / sizeof wiped[0])) {
		wiped[n_wiped].at = (uintptr_t)p;
		wiped[n_wiped].n = n;
		wiped[n_wiped].secret = wipe_secret && memmem(p, n, wipe_secret, strlen(wipe_secret));
		n_wiped++;
	}
	for (volatile unsigned char *v = p; n; n--)
		*v++ = 0;
}

struct secret {
	const char *what;
	uintptr_t at;
	size_t len;
};

static struct secret secret_of(const char *what, const char *s)
{
	cr_assert_not_null(s, "%s is not set", what);
	return (struct secret){ what, (uintptr_t)s, strlen(s) };
}

/* Every string was zeroed whole before it was freed. */
static void expect_wiped(const struct secret *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		bool done = false;
		for (int k = 0; k < n_wiped && !done; k++)
			done = wiped[k].at == s[i].at && wiped[k].n >= s[i].len;
		cr_assert(done, "%s was freed without being wiped", s[i].what);
	}
}

Test(login, wipe_zeroes_every_secret)
{
	struct login l;
	char err[128];
	decode_unmasked(&l);
	const struct secret ls[] = {
		secret_of("access_token", l.access_token), secret_of("display_name", l.c.display_name),
		secret_of("id_masked", l.c.id_masked), secret_of("phone_masked", l.c.phone_masked),
		secret_of("name", l.c.name), secret_of("id", l.c.id),
	};
	n_wiped = 0;
	login_wipe(&l);
	expect_wiped(ls, sizeof ls / sizeof ls[0]);
	cr_assert(!l.access_token && !l.c.display_name && !l.c.id_masked && !l.c.phone_masked &&
	          !l.c.name && !l.c.id, "login_wipe left a pointer set");

	json_t *j = J("{\"device_code\":\"dc-secret\",\"user_code\":\"BCDF-GHJK\",\"verification_uri\":\"https://g.cn/d\","
	      "\"verification_uri_complete\":\"https://g.cn/d?c=BCDFGHJK\",\"expires_in\":300,\"interval\":5}");
	struct device_auth d;
	cr_assert_eq(device_decode(j, &d, err, sizeof err), 0, "%s", err);
	const struct secret ds[] = {
		secret_of("device_code", d.device_code), secret_of("user_code", d.user_code),
		secret_of("verification_uri_complete", d.verification_uri_complete),
	};
	n_wiped = 0;
	device_wipe(&d);
	expect_wiped(ds, sizeof ds / sizeof ds[0]);
	cr_assert(!d.device_code && !d.user_code && !d.verification_uri_complete, "device_wipe left a pointer set");
	json_decref(j);
}

/* A log-in answer passes through jsonx_parse, which repairs it into a copy:
 * the copy (it holds the token) is wiped before it is freed. */
Test(login, answer_copy_wiped_after_parse)
{
	static const char body[] = "{\"access_token\":\"tok-7f3a9c-secret\",\"citizen\":{\"display_name\":\"张三\","
	                           "\"id_masked\":\"1101**********123X\"}}";
	char err[128];
	wipe_secret = "tok-7f3a9c-secret";
	n_wiped = 0;
	json_t *j = jsonx_parse(body, sizeof body - 1, err, sizeof err);
	cr_assert_not_null(j, "%s", err);
	bool seen = false;
	for (int k = 0; k < n_wiped && !seen; k++)
		seen = wiped[k].secret;
	cr_assert(seen, "the parsed copy of the answer was freed without being wiped");
	json_decref(j);
	wipe_secret = NULL;
}
