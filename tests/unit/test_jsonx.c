/* test_jsonx.c: unit tests for jsonx.c (limits and typed getters). */
#include <criterion/criterion.h>
#include <locale.h>
#include <stdlib.h>
#include <string.h>

#include "jsonx.h"

static void setup(void)
{
	setlocale(LC_CTYPE, "C.UTF-8");
}

TestSuite(jsonx, .init = setup);

static char *nested(int depth)
{
	char *s = malloc((size_t)depth * 2 + 1);
	int i;

	for (i = 0; i < depth; i++) {
		s[i] = '[';
		s[depth * 2 - 1 - i] = ']';
	}
	s[depth * 2] = '\0';
	return s;
}

Test(jsonx, depth_limit)
{
	char err[128];
	char *s32 = nested(32), *s33 = nested(33);
	json_t *j;

	cr_assert(jsonx_depth_ok(s32, strlen(s32), 32));
	cr_assert_not(jsonx_depth_ok(s33, strlen(s33), 32));
	j = jsonx_parse(s32, strlen(s32), err, sizeof err);
	cr_assert_not_null(j, "%s", err);
	json_decref(j);
	j = jsonx_parse(s33, strlen(s33), err, sizeof err);
	cr_assert_null(j);
	cr_assert_str_eq(err, "nested too deeply");
	free(s32);
	free(s33);
}

Test(jsonx, depth_skips_strings)
{
	const char *a = "{\"k\":\"[[[[{{{{\"}";
	const char *b = "{\"k\":\"\\\"[[[[\"}";
	const char *c = "[\"\\\\\",[[1]]]"; /* escaped backslash then a real quote */

	cr_assert(jsonx_depth_ok(a, strlen(a), 1));
	cr_assert(jsonx_depth_ok(b, strlen(b), 1));
	cr_assert(jsonx_depth_ok(c, strlen(c), 3));
	cr_assert_not(jsonx_depth_ok(c, strlen(c), 2));
	cr_assert(jsonx_depth_ok("]]]][", 5, 1)); /* stray closers do not go negative */
}

/* The gateway contract's limit, 1 MiB, written out rather than taken from
 * JSONX_MAX_BODY: a changed constant must fail here, not move the test. */
#define CONTRACT_MAX_BODY ((size_t)1048576)

/* A top-level JSON string of exactly n bytes (quotes included), with one
 * spare byte after it; caller frees. */
static char *string_body(size_t n)
{
	char *s = malloc(n + 1);

	cr_assert_not_null(s);
	memset(s, 'a', n + 1);
	s[0] = '"';
	s[n - 1] = '"';
	s[n] = ' ';
	return s;
}

Test(jsonx, body_size_limit)
{
	char err[128];
	size_t n = CONTRACT_MAX_BODY;
	char *s = string_body(n);
	json_t *j;

	/* gw.c stops receiving at the same constant. */
	cr_assert_eq((size_t)JSONX_MAX_BODY, n, "JSONX_MAX_BODY is %zu, the contract says %zu",
	             (size_t)JSONX_MAX_BODY, n);
	/* Exactly 1 MiB is fine... */
	j = jsonx_parse(s, n, err, sizeof err);
	cr_assert_not_null(j, "%s", err);
	cr_assert_eq(json_string_length(j), n - 2);
	json_decref(j);
	/* ...one byte more is not (a trailing space: still valid JSON)... */
	err[0] = '\0';
	cr_assert_null(jsonx_parse(s, n + 1, err, sizeof err));
	cr_assert_str_eq(err, "body too large");
	free(s);
	/* ...nor is a much larger one, however it ends. */
	s = string_body(2 * n);
	err[0] = '\0';
	cr_assert_null(jsonx_parse(s, 2 * n, err, sizeof err));
	cr_assert_str_eq(err, "body too large");
	free(s);
}

Test(jsonx, parse_errors_and_repair)
{
	char err[256];
	json_t *j;
	const char *bad = "{\"a\": 1,\n \"b\": }";
	const char *inv = "{\"a\":\"x\xFFy\"}";
	char *out = NULL;

	j = jsonx_parse(bad, strlen(bad), err, sizeof err);
	cr_assert_null(j);
	cr_assert(strncmp(err, "not JSON: ", 10) == 0, "%s", err);
	cr_assert_not_null(strstr(err, "at line 2"), "%s", err);

	j = jsonx_parse(inv, strlen(inv), err, sizeof err);
	cr_assert_not_null(j, "%s", err);
	cr_assert_eq(jsonx_str(j, "a", true, &out, "", err, sizeof err), 0);
	cr_assert_str_eq(out, "x\xEF\xBF\xBDy");
	free(out);
	json_decref(j);

	cr_assert_null(jsonx_parse("", 0, err, sizeof err));
	cr_assert_null(jsonx_parse("[1e400]", 7, err, sizeof err));
	cr_assert_null(jsonx_parse("[99999999999999999999]", 22, err, sizeof err));
	j = jsonx_parse("null", 4, err, sizeof err);
	cr_assert(json_is_null(j));
	json_decref(j);
	/* NULL/zero-length err buffers are tolerated. */
	cr_assert_null(jsonx_parse("{", 1, NULL, 0));
}

Test(jsonx, strings_sanitized)
{
	const char *src = "{\"s\":\"a\\u001b[31mb\\nc\\u202ed\", \"z\":\"x\\u0000y\"}";
	char err[128];
	json_t *j = jsonx_parse(src, strlen(src), err, sizeof err);
	char *out = NULL;

	cr_assert_not_null(j, "%s", err);
	cr_assert_eq(jsonx_str(j, "s", true, &out, "", err, sizeof err), 0);
	cr_assert_str_eq(out, "ab c\xEF\xBF\xBD" "d");
	free(out);
	cr_assert_eq(jsonx_text(j, "s", true, &out, "", err, sizeof err), 0);
	cr_assert_str_eq(out, "ab\nc\xEF\xBF\xBD" "d");
	free(out);
	cr_assert_eq(jsonx_str(j, "z", true, &out, "", err, sizeof err), 0);
	cr_assert_str_eq(out, "x\xEF\xBF\xBDy");
	free(out);
	json_decref(j);
}

Test(jsonx, getters_types_and_paths)
{
	json_t *o = json_pack("{s:s, s:i, s:b, s:f, s:n, s:[s,s], s:[s,i], s:o}",
	                      "name", "社保", "n", 42, "flag", 1, "real", 1.5,
	                      "nul", "kw", "a", "b", "mixed", "a", 7, "obj", json_object());
	char err[128], *s = NULL, **v = NULL;
	long long n = -7;
	bool b = false;
	size_t nv = 99;

	cr_assert_eq(jsonx_str(o, "name", true, &s, "svc", err, sizeof err), 0);
	cr_assert_str_eq(s, "社保");
	free(s);
	s = NULL;

	cr_assert_eq(jsonx_str(o, "n", true, &s, "services[12]", err, sizeof err), -1);
	cr_assert_str_eq(err, "services[12].n: expected string");
	cr_assert_null(s);
	cr_assert_eq(jsonx_str(o, "missing", true, &s, "svc", err, sizeof err), -1);
	cr_assert_str_eq(err, "svc.missing: missing");
	cr_assert_eq(jsonx_str(o, "missing", true, &s, "", err, sizeof err), -1);
	cr_assert_str_eq(err, "missing: missing");
	cr_assert_eq(jsonx_str(o, "missing", false, &s, "svc", err, sizeof err), 0);
	cr_assert_null(s);

	cr_assert_eq(jsonx_int(o, "n", true, &n, "", err, sizeof err), 0);
	cr_assert_eq(n, 42);
	cr_assert_eq(jsonx_int(o, "real", true, &n, "x", err, sizeof err), -1);
	cr_assert_str_eq(err, "x.real: expected integer");
	cr_assert_eq(jsonx_int(o, "name", false, &n, "x", err, sizeof err), -1);
	cr_assert_str_eq(err, "x.name: expected integer");
	n = -7;
	cr_assert_eq(jsonx_int(o, "absent", false, &n, "x", err, sizeof err), 0);
	cr_assert_eq(n, -7);

	cr_assert_eq(jsonx_bool(o, "flag", true, &b, "", err, sizeof err), 0);
	cr_assert(b);
	cr_assert_eq(jsonx_bool(o, "n", true, &b, "x", err, sizeof err), -1);
	cr_assert_str_eq(err, "x.n: expected boolean");

	/* null: absent when optional, a type error when required */
	cr_assert_eq(jsonx_int(o, "nul", false, &n, "x", err, sizeof err), 0);
	cr_assert_eq(n, -7);
	cr_assert_eq(jsonx_str(o, "nul", true, &s, "x", err, sizeof err), -1);
	cr_assert_str_eq(err, "x.nul: expected string");

	cr_assert_eq(jsonx_strv(o, "kw", true, &v, &nv, "", err, sizeof err), 0);
	cr_assert_eq(nv, 2);
	cr_assert_str_eq(v[0], "a");
	cr_assert_str_eq(v[1], "b");
	cr_assert_null(v[2]);
	jsonx_strv_free(v);
	v = NULL;
	cr_assert_eq(jsonx_strv(o, "mixed", true, &v, &nv, "services[3]", err, sizeof err), -1);
	cr_assert_str_eq(err, "services[3].mixed[1]: expected string");
	cr_assert_null(v);
	cr_assert_eq(jsonx_strv(o, "obj", true, &v, &nv, "s", err, sizeof err), -1);
	cr_assert_str_eq(err, "s.obj: expected array");
	cr_assert_eq(jsonx_strv(o, "absent", false, &v, &nv, "s", err, sizeof err), 0);
	cr_assert_null(v);
	jsonx_strv_free(NULL);

	/* Not an object at all. */
	cr_assert_eq(jsonx_str(json_object_get(o, "kw"), "x", false, &s, "p", err, sizeof err), -1);
	cr_assert_str_eq(err, "p: expected object");
	cr_assert_eq(jsonx_str(NULL, "x", false, &s, "p", err, sizeof err), -1);
	json_decref(o);
}
