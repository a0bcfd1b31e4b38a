/* test_log.c: the kiosk's log (kiosk/log.c): what a line quotes from outside
 * (a scanner's spec from the config, a gateway's words) reaches neither the
 * file nor staff mode's recent errors with its control characters: an
 * escape sequence would act on the terminal of whoever reads the log, a
 * newline would forge a line of its own. */
#include <criterion/criterion.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"

static void take(void *ud, const char *line)
{
	char *out = ud;
	if (!*out)
		snprintf(out, 512, "%s", line);
}

Test(log, control_characters_are_neither_written_nor_kept)
{
	char path[] = "/tmp/kiosk-log-test-XXXXXX";
	int fd = mkstemp(path);
	cr_assert_geq(fd, 0);
	close(fd);
	cr_assert_eq(log_open(path), 0);
	log_warn("scanner evdev:/tmp/x,%s failed", "\x1b[31mRED\x07\nforged line\r\x7f\xc2\x9b" "2J");
	log_info("plain ünïcode 中文 stays");
	log_close();

	FILE *f = fopen(path, "r");
	cr_assert_not_null(f);
	char buf[4096];
	size_t n = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	unlink(path);
	buf[n] = '\0';
	int lines = 0;
	for (size_t i = 0; i < n; i++) {
		if (buf[i] == '\n')
			lines++;
		else
			cr_assert(!((unsigned char)buf[i] < 0x20 || buf[i] == 0x7f), "a control byte %#x at %zu: %s",
			          (unsigned char)buf[i], i, buf);
	}
	cr_assert_eq(lines, 2, "%d lines, not 2: %s", lines, buf);
	cr_assert_null(strstr(buf, "\xc2\x9b"), "a C1 control (CSI) written: %s", buf);
	cr_assert_not_null(strstr(buf, "?[31mRED??forged line???"), "%s", buf);
	cr_assert_not_null(strstr(buf, "plain ünïcode 中文 stays"), "%s", buf);

	char recent[512] = "";
	cr_assert_geq(log_recent(take, recent), 1);
	cr_assert_not_null(strstr(recent, "?[31mRED??forged line"), "recent: %s", recent);
	for (const char *p = recent; *p; p++)
		cr_assert(!((unsigned char)*p < 0x20 || *p == 0x7f), "recent errors keep a control byte: %s", recent);
}
