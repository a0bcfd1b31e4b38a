/* test_config.c: configuration file and flags: precedence, and errors that
 * name the file and line or the flag. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "gw.h"

static char *write_conf(const char *text)
{
	static char path[64];
	snprintf(path, sizeof path, "/tmp/kiosk-conf-XXXXXX");
	int fd = mkstemp(path);
	cr_assert(fd >= 0);
	cr_assert_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	return path;
}

static enum config_result load(struct config *c, char *err, size_t n, const char **args)
{
	char *argv[32];
	int argc = 0;
	argv[argc++] = (char *)"kiosk";
	for (; *args; args++)
		argv[argc++] = (char *)*args;
	argv[argc] = NULL;
	return config_load(c, argc, argv, err, n);
}

Test(config, file_then_flags_override)
{
	char *p = write_conf("# sample\n[gateway]\nurl = https://a.example\nurl = https://b.example\n"
	                     "timeout_ms = 5000\n[kiosk]\nlang = en\nid = hall-1\n");
	struct config c;
	char err[256];
	const char *args[] = { "--config", p, "--lang", "zh_TW", NULL };
	cr_assert_eq(load(&c, err, sizeof err, args), CONFIG_OK, "%s", err);
	cr_assert_eq(c.n_gateways, 2);
	cr_assert_str_eq(c.gateways[1], "https://b.example");
	cr_assert_eq(c.timeout_ms, 5000);
	cr_assert_str_eq(c.lang, "zh_TW");
	cr_assert_str_eq(c.kiosk_id, "hall-1");
	cr_assert(c.lockdown);
	config_free(&c);

	/* --gateway replaces the file's list rather than adding to it */
	const char *args2[] = { "--config", p, "--gateway", "http://127.0.0.1:8080", NULL };
	cr_assert_eq(load(&c, err, sizeof err, args2), CONFIG_OK, "%s", err);
	cr_assert_eq(c.n_gateways, 1);
	cr_assert_str_eq(c.gateways[0], "http://127.0.0.1:8080");
	config_free(&c);
	unlink(p);
}

Test(config, bad_file_line_is_named)
{
	char *p = write_conf("[kiosk]\nid = ok\nlang = klingon\n");
	struct config c;
	char err[256], want[128];
	const char *args[] = { "--config", p, "--gateway", "http://127.0.0.1:1", NULL };
	cr_assert_eq(load(&c, err, sizeof err, args), CONFIG_ERROR);
	snprintf(want, sizeof want, "%s:3:", p);
	cr_assert(strstr(err, want), "got: %s", err);
	cr_assert(strstr(err, "klingon"), "got: %s", err);
	config_free(&c);

	p = write_conf("[kiosk]\nnonsense\n");
	cr_assert_eq(load(&c, err, sizeof err, args), CONFIG_ERROR);
	snprintf(want, sizeof want, "%s:2:", p);
	cr_assert(strstr(err, want), "got: %s", err);
	config_free(&c);

	p = write_conf("[printer]\nkind = x\n");
	cr_assert_eq(load(&c, err, sizeof err, args), CONFIG_ERROR);
	cr_assert(strstr(err, "printer"), "got: %s", err);
	config_free(&c);
	unlink(p);
}

Test(config, missing_explicit_file_is_an_error)
{
	struct config c;
	char err[256];
	const char *args[] = { "--config", "/nonexistent/kiosk.conf", "--gateway", "http://127.0.0.1:1", NULL };
	cr_assert_eq(load(&c, err, sizeof err, args), CONFIG_ERROR);
	cr_assert(strstr(err, "/nonexistent/kiosk.conf"), "got: %s", err);
	config_free(&c);
}

Test(config, bad_flags_are_named)
{
	struct config c;
	char err[256];
	const char *a1[] = { "--bogus", NULL };
	cr_assert_eq(load(&c, err, sizeof err, a1), CONFIG_ERROR);
	cr_assert(strstr(err, "--bogus"), "got: %s", err);
	config_free(&c);

	const char *a2[] = { "--gateway", "http://127.0.0.1:1", "--lang", "xx", NULL };
	cr_assert_eq(load(&c, err, sizeof err, a2), CONFIG_ERROR);
	cr_assert(strstr(err, "--lang"), "got: %s", err);
	config_free(&c);

	const char *a3[] = { "--gateway", "http://127.0.0.1:1", "--lang=xx", NULL };
	cr_assert_eq(load(&c, err, sizeof err, a3), CONFIG_ERROR);
	cr_assert(strstr(err, "--lang"), "got: %s", err);
	config_free(&c);

	const char *a4[] = { "--gateway", NULL };
	cr_assert_eq(load(&c, err, sizeof err, a4), CONFIG_ERROR);
	cr_assert(strstr(err, "--gateway"), "got: %s", err);
	config_free(&c);

	const char *a5[] = { "--gateway", "http://example.com", NULL };
	cr_assert_eq(load(&c, err, sizeof err, a5), CONFIG_ERROR);
	cr_assert(strstr(err, "loopback"), "got: %s", err);
	config_free(&c);

	const char *a6[] = { "--config", "/dev/null", NULL };
	cr_assert_eq(load(&c, err, sizeof err, a6), CONFIG_ERROR);
	cr_assert(strstr(err, "no gateway"), "got: %s", err);
	config_free(&c);

	const char *a7[] = { "--gateway", "http://127.0.0.1:1", "extra", NULL };
	cr_assert_eq(load(&c, err, sizeof err, a7), CONFIG_ERROR);
	cr_assert(strstr(err, "extra"), "got: %s", err);
	config_free(&c);
}

Test(config, url_policy)
{
	cr_assert_null(gw_url_problem("https://gateway.example.gov.cn"));
	cr_assert_null(gw_url_problem("https://10.0.0.5:8443/base"));
	cr_assert_null(gw_url_problem("http://127.0.0.1:8080"));
	cr_assert_null(gw_url_problem("http://localhost:8080"));
	cr_assert_null(gw_url_problem("http://[::1]:8080"));
	cr_assert_not_null(gw_url_problem("http://example.com"));
	cr_assert_not_null(gw_url_problem("http://127.0.0.1.evil.example:80"));
	cr_assert_not_null(gw_url_problem("http://localhost.evil.example"));
	cr_assert_not_null(gw_url_problem("ftp://127.0.0.1"));
	cr_assert_not_null(gw_url_problem("https://"));
	cr_assert_not_null(gw_url_problem("https://user@host"));
	cr_assert_not_null(gw_url_problem("https://host/?q=1"));
}

Test(config, lang_names)
{
	cr_assert_str_eq(config_lang("zh-CN"), "zh_CN");
	cr_assert_str_eq(config_lang("zh_CN.UTF-8"), "zh_CN");
	cr_assert_str_eq(config_lang("zh-Hant"), "zh_TW");
	cr_assert_str_eq(config_lang("en_US"), "en");
	cr_assert_null(config_lang("fr"));
	cr_assert_null(config_lang(NULL));
}

Test(config, printer_from_file_and_flag)
{
	struct config c;
	char err[256];
	const char *none[] = { "--gateway", "http://127.0.0.1:1", NULL };
	cr_assert_eq(load(&c, err, sizeof err, none), CONFIG_OK, "%s", err);
	cr_assert_str_eq(c.printer, "none", "no printer unless one is configured");
	cr_assert_eq(c.printer_columns, 48, "80 mm paper unless told");
	config_free(&c);

	char *p = write_conf("[gateway]\nurl = http://127.0.0.1:1\n[printer]\ndevice = file:/tmp/r.bin\n"
	                     "columns = 32\n");
	const char *file[] = { "--config", p, NULL };
	cr_assert_eq(load(&c, err, sizeof err, file), CONFIG_OK, "%s", err);
	cr_assert_str_eq(c.printer, "file:/tmp/r.bin");
	cr_assert_eq(c.printer_columns, 32);
	config_free(&c);

	/* the flag wins */
	const char *flag[] = { "--config", p, "--printer", "escpos:/dev/ttyS0,19200", NULL };
	cr_assert_eq(load(&c, err, sizeof err, flag), CONFIG_OK, "%s", err);
	cr_assert_str_eq(c.printer, "escpos:/dev/ttyS0,19200");
	config_free(&c);
	const char *flag2[] = { "--config", p, "--printer=none", NULL };
	cr_assert_eq(load(&c, err, sizeof err, flag2), CONFIG_OK, "%s", err);
	cr_assert_str_eq(c.printer, "none");
	config_free(&c);
	unlink(p);
}

Test(config, bad_printer_is_named)
{
	struct config c;
	char err[256], want[128];

	/* in the file: the file, the line, the kind, and what would do */
	char *p = write_conf("[printer]\n# receipts\ndevice = laser:/dev/lp0\n");
	const char *args[] = { "--config", p, "--gateway", "http://127.0.0.1:1", NULL };
	cr_assert_eq(load(&c, err, sizeof err, args), CONFIG_ERROR);
	snprintf(want, sizeof want, "%s:3:", p);
	cr_assert(strstr(err, want), "got: %s", err);
	cr_assert(strstr(err, "laser") && strstr(err, "escpos"), "got: %s", err);
	config_free(&c);
	unlink(p);

	p = write_conf("[printer]\ncolumns = 80\n");
	cr_assert_eq(load(&c, err, sizeof err, args), CONFIG_ERROR);
	snprintf(want, sizeof want, "%s:2:", p);
	cr_assert(strstr(err, want) && strstr(err, "columns"), "got: %s", err);
	config_free(&c);
	unlink(p);

	static const struct { const char *spec, *says; } bad[] = {
		{ "laser:/dev/lp0", "unknown kind" },
		{ "escpos:/dev/ttyS0,12345", "baud" },
		{ "escpos:lp0", "absolute" },
		{ "file:", "path" },
		{ "", "no printer" },
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		const char *a[] = { "--gateway", "http://127.0.0.1:1", "--printer", bad[i].spec, NULL };
		cr_assert_eq(load(&c, err, sizeof err, a), CONFIG_ERROR, "%s", bad[i].spec);
		cr_assert(strstr(err, "--printer"), "got: %s", err);
		cr_assert(strstr(err, bad[i].says), "%s: got: %s", bad[i].spec, err);
		config_free(&c);
	}
}
