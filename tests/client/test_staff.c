/* test_staff.c: staff mode's session pieces that need no screen
 * (kiosk/staff.c): what a staff card looks like, `kiosk --hash-pin`, the
 * staff_pin_hash setting, and the PIN's lockout kept on disk: five wrong
 * PINs lock it, the file is 0600 and holds no PIN, a new process (a
 * restart) reads the lock back, a damaged or unreadable file locks. Each
 * test runs in its own process (Criterion), so staff.c's state is fresh. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "app.h"
#include "config.h"
#include "loop.h"
#include "pinlock.h"
#include "staff.h"

#define PIN "246810"

Test(staff, what_a_staff_card_looks_like)
{
	const char *ok = "STF-ABCDEFGHIJKLMN27";
	cr_assert(staff_code_valid(ok, strlen(ok)));
	cr_assert(staff_code_like("STF-", 4));
	cr_assert(staff_code_like("STF-abc", 7), "the prefix alone makes it a staff card's (refused later)");
	cr_assert_not(staff_code_like("STF", 3));
	cr_assert_not(staff_code_like("stf-ABCDEFGHIJKLMN27", 20));
	const char *bad[] = { "STF-ABCDEFGHIJKLMN2", "STF-ABCDEFGHIJKLMN277", "STF-abcdefghijklmn27",
	                      "STF-ABCDEFGHIJKLMN18", "STF-ABCDEFGHIJKLM N2", "XTF-ABCDEFGHIJKLMN27",
	                      "STF-ABCDEFGHIJKLMN2\x1b" };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		cr_assert_not(staff_code_valid(bad[i], strlen(bad[i])), "%s taken", bad[i]);
	cr_assert_not(staff_code_valid("STF-ABCDEFGHIJKLM\0N27", 21), "an embedded NUL");
}

/* `kiosk --hash-pin` on input, its stdout line (the caller frees). */
static char *hash_pin(const char *input, int *status)
{
	FILE *in = fmemopen((void *)input, strlen(input), "r");
	char *out = NULL, *err = NULL;
	size_t on = 0, en = 0;
	FILE *o = open_memstream(&out, &on), *e = open_memstream(&err, &en);
	cr_assert(in && o && e);
	*status = staff_hash_pin_command(in, o, e);
	fclose(in);
	fclose(o);
	fclose(e);
	free(err);
	return out;
}

Test(staff, hash_pin_writes_a_line_the_configuration_takes)
{
	int st;
	char *out = hash_pin(PIN "\n", &st);
	cr_assert_eq(st, 0);
	cr_assert(!strncmp(out, "staff_pin_hash = pbkdf2-sha256:50000:", 37), "%s", out);
	cr_assert_null(strstr(out, PIN), "the PIN is in its line");
	struct pinhash h;
	char err[160];
	out[strcspn(out, "\n")] = '\0';
	cr_assert_eq(pinhash_parse(out + strlen("staff_pin_hash = "), &h, err, sizeof err), 0, "%s", err);
	cr_assert_eq(h.salt_len, 16);
	/* Two hashes of one PIN differ: a salt each. */
	char *again = hash_pin(PIN "\n", &st);
	again[strcspn(again, "\n")] = '\0';
	cr_assert_str_neq(out, again);
	free(again);
	free(out);
	const char *bad[] = { "", "\n", "123\n", "1234567890123\n", "12a4\n", " 1234\n" };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		out = hash_pin(bad[i], &st);
		cr_assert_eq(st, 1, "'%s' hashed", bad[i]);
		cr_assert(!out || !*out, "'%s': %s", bad[i], out);
		free(out);
	}
}

static enum config_result load_conf(struct config *c, const char *text, char *err, size_t n, bool hash_pin)
{
	char path[] = "/tmp/kiosk-staff-conf-XXXXXX";
	int fd = mkstemp(path);
	cr_assert(fd >= 0);
	cr_assert_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	char *argv[] = { "kiosk", "--config", path, hash_pin ? "--hash-pin" : "--gateway",
	                 hash_pin ? NULL : "http://127.0.0.1:1", NULL };
	enum config_result r = config_load(c, hash_pin ? 4 : 5, argv, err, n);
	unlink(path);
	return r;
}

Test(staff, the_pin_hash_setting)
{
	struct config c;
	char err[512];
	const char *good = "[kiosk]\nstaff_pin_hash = pbkdf2-sha256:1000:00112233445566778899aabbccddeeff:"
	                   "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f\n";
	cr_assert_eq(load_conf(&c, good, err, sizeof err, false), CONFIG_OK, "%s", err);
	cr_assert(c.staff_pin_hash && !strncmp(c.staff_pin_hash, "pbkdf2-sha256:1000:", 19));
	config_free(&c);
	cr_assert_eq(load_conf(&c, "[kiosk]\nstaff_pin_hash =\n", err, sizeof err, false), CONFIG_OK, "%s", err);
	cr_assert_null(c.staff_pin_hash, "empty: no PIN");
	config_free(&c);
	cr_assert_eq(load_conf(&c, "[kiosk]\nstaff_pin_hash = 1234\n", err, sizeof err, false), CONFIG_ERROR);
	cr_assert(strstr(err, ":2: staff_pin_hash must be pbkdf2-sha256:"), "%s", err);
	config_free(&c);
	cr_assert_eq(load_conf(&c, "[kiosk]\nstaff_pin_hash = sha256:00\n", err, sizeof err, false), CONFIG_ERROR);
	config_free(&c);
	/* --hash-pin needs no gateway. */
	cr_assert_eq(load_conf(&c, "[kiosk]\n", err, sizeof err, true), CONFIG_OK, "%s", err);
	cr_assert(c.hash_pin);
	config_free(&c);
}

/* ---- the PIN's lockout on disk -------------------------------------------------------- */

static struct app A;
static char dir[] = "/tmp/kiosk-staff-XXXXXX";

static void app_up(const char *hash)
{
	cr_assert_not_null(mkdtemp(dir));
	A.cfg.data_dir = dir;
	A.cfg.staff_pin_hash = (char *)hash;
	A.loop = loop_new();
}

static char *state_path(void)
{
	static char p[128];
	snprintf(p, sizeof p, "%s/%s", dir, STAFF_PIN_STATE_FILE);
	return p;
}

static void app_down(void)
{
	unlink(state_path());
	rmdir(dir);
	loop_free(A.loop);
}

static char *pin_line(void)
{
	int st;
	char *out = hash_pin(PIN "\n", &st);
	out[strcspn(out, "\n")] = '\0';
	char *h = strdup(out + strlen("staff_pin_hash = "));
	free(out);
	return h;
}

Test(staff, five_wrong_pins_lock_and_the_file_keeps_it)
{
	char *h = pin_line();
	app_up(h);
	long long info;
	cr_assert(staff_pin_configured(&A));
	cr_assert_eq(staff_pin_locked_s(&A), 0);
	cr_assert_eq(staff_pin_try(&A, "12", 2, &info), STAFF_PIN_BAD, "too short: not counted");
	for (int i = 0; i < 4; i++) {
		cr_assert_eq(staff_pin_try(&A, "97531", 5, &info), STAFF_PIN_WRONG);
		cr_assert_eq(info, 4 - i);
	}
	cr_assert_eq(staff_pin_try(&A, "97531", 5, &info), STAFF_PIN_LOCKED);
	cr_assert_eq(info, 300);
	cr_assert_eq(staff_pin_try(&A, PIN, strlen(PIN), &info), STAFF_PIN_LOCKED, "the right PIN while locked");
	cr_assert_not(staff_active(&A));
	struct stat st;
	cr_assert_eq(stat(state_path(), &st), 0);
	cr_assert_eq(st.st_mode & 0777, 0600);
	FILE *f = fopen(state_path(), "r");
	char text[128] = "";
	cr_assert(f && fgets(text, sizeof text, f));
	fclose(f);
	cr_assert_null(strstr(text, "97531"));
	cr_assert_null(strstr(text, PIN));
	cr_assert(!strncmp(text, "pinlock1 0 1 ", 13), "%s", text);
	app_down();
	free(h);
}

/* A new process reads the file: the lock holds (this test's staff.c has
 * never seen a PIN). */
Test(staff, a_restart_reads_the_lock_back)
{
	char *h = pin_line();
	app_up(h);
	char text[96];
	snprintf(text, sizeof text, "pinlock1 0 1 %lld %lld\n", (long long)time(NULL) + 200, (long long)time(NULL));
	FILE *f = fopen(state_path(), "w");
	cr_assert_not_null(f);
	fputs(text, f);
	fclose(f);
	long long info;
	cr_assert_eq(staff_pin_try(&A, PIN, strlen(PIN), &info), STAFF_PIN_LOCKED);
	cr_assert(info > 190 && info <= 200, "%lld s", info);
	app_down();
	free(h);
}

Test(staff, a_damaged_state_file_locks)
{
	char *h = pin_line();
	app_up(h);
	FILE *f = fopen(state_path(), "w");
	cr_assert_not_null(f);
	fputs("0 0 0 0\n", f);
	fclose(f);
	long long info;
	cr_assert_eq(staff_pin_try(&A, PIN, strlen(PIN), &info), STAFF_PIN_LOCKED);
	cr_assert_eq(info, PINLOCK_BASE_S);
	app_down();
	free(h);
}

Test(staff, no_pin_configured)
{
	app_up(NULL);
	long long info;
	cr_assert_not(staff_pin_configured(&A));
	cr_assert_eq(staff_pin_try(&A, PIN, strlen(PIN), &info), STAFF_PIN_OFF);
	app_down();
}
