/* test_ini.c: unit tests for ini.c (syntax, errors with line numbers, files). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ini.h"

/* Records every callback as "section|key|value\n". */
struct rec {
	char buf[8192];
	size_t len;
	int fail_on_key; /* index of the call that should fail, or -1 */
	int calls;
};

static int record(void *ud, const char *section, const char *key, const char *value,
                  char *err, size_t errlen)
{
	struct rec *r = ud;
	int n = snprintf(r->buf + r->len, sizeof r->buf - r->len, "%s|%s|%s\n", section,
	                 key, value);

	if (n > 0 && (size_t)n < sizeof r->buf - r->len)
		r->len += (size_t)n;
	if (r->calls++ == r->fail_on_key) {
		snprintf(err, errlen, "unknown key '%s'", key);
		return -1;
	}
	return 0;
}

static void expect_ok(const char *text, const char *want)
{
	struct rec r = { .fail_on_key = -1 };
	char err[128] = "";

	cr_assert_eq(ini_parse(text, record, &r, err, sizeof err), 0, "%s", err);
	cr_assert_str_eq(r.buf, want);
}

static void expect_err(const char *text, int line, const char *msg)
{
	struct rec r = { .fail_on_key = -1 };
	char err[128] = "";

	cr_assert_eq(ini_parse(text, record, &r, err, sizeof err), line, "%s", text);
	cr_assert_str_eq(err, msg);
}

Test(ini, basic)
{
	expect_ok("top = 1\n"
	          "# comment\n"
	          "; also a comment\n"
	          "\n"
	          "[gateway]\n"
	          "url = https://gw.example/v1  \n"
	          "  timeout_ms=5000\n"
	          "[ theme ]\n"
	          "bg = #1e90ff\n"
	          "pad = \"  two  \"\n"
	          "eq = a=b\n"
	          "empty =\n"
	          "q = \"\n"
	          "name = 社保\n",
	          "|top|1\n"
	          "gateway|url|https://gw.example/v1\n"
	          "gateway|timeout_ms|5000\n"
	          "theme|bg|#1e90ff\n"
	          "theme|pad|  two  \n"
	          "theme|eq|a=b\n"
	          "theme|empty|\n"
	          "theme|q|\"\n"
	          "theme|name|社保\n");
	expect_ok("[a]\r\nk = v\r\n", "a|k|v\n");
	expect_ok("k=v", "|k|v\n"); /* no final newline */
	expect_ok("", "");
}

Test(ini, errors_with_line_numbers)
{
	expect_err("[ok]\nk = v\n[broken\n", 3, "missing ']'");
	expect_err("a = 1\njust words\n", 2, "expected key = value");
	expect_err("\n\n\n = value\n", 4, "empty key");
	expect_err("[", 1, "missing ']'");
	expect_err("[a] trailing\n", 1, "missing ']'");
}

Test(ini, long_lines)
{
	char *text = malloc(4096 + 16);
	struct rec r = { .fail_on_key = -1 };
	char err[128];

	/* exactly 4096 bytes: fine */
	memset(text, 'v', 4096);
	memcpy(text, "k=", 2);
	text[4096] = '\n';
	text[4097] = '\0';
	cr_assert_eq(ini_parse(text, record, &r, err, sizeof err), 0, "%s", err);
	/* 4097 bytes on line 2: an error naming line 2 */
	memset(text, 'v', 4096 + 8);
	memcpy(text, "a=1\nk=", 6);
	text[4 + 4097] = '\0';
	cr_assert_eq(ini_parse(text, record, &r, err, sizeof err), 2);
	cr_assert_not_null(strstr(err, "4096"), "%s", err);
	free(text);
}

Test(ini, callback_error)
{
	struct rec r = { .fail_on_key = 1 };
	char err[128] = "";

	cr_assert_eq(ini_parse("a=1\n\n# c\nb=2\nc=3\n", record, &r, err, sizeof err), 4);
	cr_assert_str_eq(err, "unknown key 'b'");
	cr_assert_eq(r.calls, 2); /* stops at the first error */
}

Test(ini, files)
{
	char path[] = "/tmp/test_ini_XXXXXX";
	int fd = mkstemp(path);
	struct rec r = { .fail_on_key = -1 };
	char err[256] = "";
	FILE *f;

	cr_assert_geq(fd, 0);
	f = fdopen(fd, "w");
	fputs("[s]\nk = v\nbad line\n", f);
	fclose(f);
	cr_assert_eq(ini_parse_file(path, record, &r, err, sizeof err), 3);
	cr_assert_str_eq(err, "expected key = value");
	cr_assert_str_eq(r.buf, "s|k|v\n");

	f = fopen(path, "wb");
	fwrite("k=v\0x=y\n", 1, 8, f);
	fclose(f);
	cr_assert_eq(ini_parse_file(path, record, &r, err, sizeof err), -1);
	unlink(path);

	cr_assert_eq(ini_parse_file("/nonexistent/kiosk.conf", record, &r, err, sizeof err), -1);
	cr_assert_not_null(strstr(err, "No such file"), "%s", err);
}
