/* test_pinlock.c: the staff PIN's lockout (kiosk/core/pinlock.c): five
 * wrong PINs lock it, each lockout in a row twice as long, a right PIN or a
 * quiet day forgets, the state read back from its file (a restart) keeps
 * the lock, a damaged file locks, a clock set back never lengthens a lock;
 * and the form of the PIN's hash in the configuration. */
#include <criterion/criterion.h>
#include <string.h>

#include "pinlock.h"

#define T0 1800000000LL /* some Unix time */

static void fail_n(struct pinlock *p, int n, long long now)
{
	for (int i = 0; i < n; i++)
		cr_assert_eq(pinlock_fail(p, now), 0, "wrong PIN %d locked already", i + 1);
}

Test(pinlock, five_wrong_pins_lock_for_five_minutes)
{
	struct pinlock p;
	pinlock_init(&p);
	cr_assert_eq(pinlock_tries_left(&p, T0), PINLOCK_MAX_FAILS);
	fail_n(&p, 4, T0);
	cr_assert_eq(pinlock_tries_left(&p, T0), 1);
	cr_assert_eq(pinlock_locked_s(&p, T0), 0, "four wrong PINs do not lock");
	cr_assert_eq(pinlock_fail(&p, T0 + 1), 300, "the fifth locks for 5 minutes");
	cr_assert_eq(pinlock_locked_s(&p, T0 + 1), 300);
	cr_assert_eq(pinlock_locked_s(&p, T0 + 200), 101);
	cr_assert_eq(pinlock_tries_left(&p, T0 + 200), 0);
	/* A wrong PIN while locked is not tried: it neither counts nor lengthens. */
	cr_assert_eq(pinlock_fail(&p, T0 + 250), 0);
	cr_assert_eq(pinlock_locked_s(&p, T0 + 250), 51);
	cr_assert_eq(pinlock_locked_s(&p, T0 + 301), 0, "over after 5 minutes");
	cr_assert_eq(pinlock_tries_left(&p, T0 + 301), PINLOCK_MAX_FAILS, "five fresh tries after it");
}

Test(pinlock, each_lockout_in_a_row_twice_as_long)
{
	struct pinlock p;
	pinlock_init(&p);
	long long now = T0, want = 300;
	for (int round = 0; round < 6; round++) {
		fail_n(&p, 4, now);
		cr_assert_eq(pinlock_fail(&p, now), want, "lockout %d", round + 1);
		now += want; /* just over */
		cr_assert_eq(pinlock_locked_s(&p, now), 0);
		want *= 2;
	}
	cr_assert_eq(pinlock_lockout_len(1), 300);
	cr_assert_eq(pinlock_lockout_len(2), 600);
	cr_assert_eq(pinlock_lockout_len(100), PINLOCK_MAX_S, "capped");
	cr_assert_eq(pinlock_lockout_len(9), 300 * 256, "21 h 20 min");
	cr_assert_eq(pinlock_lockout_len(10), PINLOCK_MAX_S, "300 * 512 s is more than a day: capped");
}

Test(pinlock, a_right_pin_forgets_everything)
{
	struct pinlock p;
	pinlock_init(&p);
	fail_n(&p, 4, T0);
	pinlock_fail(&p, T0); /* locked once */
	fail_n(&p, 3, T0 + 400);
	pinlock_success(&p);
	cr_assert_eq(pinlock_tries_left(&p, T0 + 400), PINLOCK_MAX_FAILS);
	fail_n(&p, 4, T0 + 500);
	cr_assert_eq(pinlock_fail(&p, T0 + 500), 300, "the doubling starts again");
}

Test(pinlock, a_quiet_day_forgets)
{
	struct pinlock p;
	pinlock_init(&p);
	fail_n(&p, 4, T0);
	pinlock_fail(&p, T0);
	fail_n(&p, 4, T0 + 301);
	long long later = T0 + 301 + PINLOCK_FORGET_S;
	cr_assert_eq(pinlock_tries_left(&p, later), PINLOCK_MAX_FAILS);
	fail_n(&p, 4, later);
	cr_assert_eq(pinlock_fail(&p, later), 300, "not 600: the day forgot the first lockout");
}

Test(pinlock, the_state_survives_a_restart)
{
	struct pinlock p, q;
	pinlock_init(&p);
	fail_n(&p, 3, T0);
	char buf[128];
	size_t n = pinlock_format(&p, buf, sizeof buf);
	cr_assert_gt(n, 0);
	cr_assert_eq(pinlock_parse(&q, buf, n, T0 + 5), 0);
	cr_assert_eq(pinlock_tries_left(&q, T0 + 5), 2, "three wrong PINs before the restart still count");
	fail_n(&q, 1, T0 + 6);
	cr_assert_eq(pinlock_fail(&q, T0 + 7), 300);
	n = pinlock_format(&q, buf, sizeof buf);
	cr_assert_eq(pinlock_parse(&p, buf, n, T0 + 60), 0);
	cr_assert_eq(pinlock_locked_s(&p, T0 + 60), 247, "still locked after the restart");
	/* Without its newline too. */
	cr_assert_eq(pinlock_parse(&p, buf, n - 1, T0 + 60), 0);
	cr_assert_eq(pinlock_format(&p, buf, 8), 0, "too small a buffer");
}

Test(pinlock, a_damaged_file_locks)
{
	static const char *const bad[] = {
		"", "\n", "pinlock1", "pinlock1 0 0 0", "pinlock1 0 0 0 0 0", "pinlock2 0 0 0 0",
		"pinlock1 5 0 0 0",  /* five failures never stay unlocked */
		"pinlock1 0 0 99 0", /* locked without a lockout */
		"pinlock1 -1 0 0 0", "pinlock1 0 0 0 0\n\n", "pinlock1 0 0 0 0 ", "pinlock1  0 0 0 0",
		"pinlock1 0 0 0 9999999999999999999", "PINLOCK1 0 0 0 0", "pinlock1 0 0 0 x",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct pinlock p;
		cr_assert_eq(pinlock_parse(&p, bad[i], strlen(bad[i]), T0), -1, "'%s' taken", bad[i]);
		cr_assert_eq(pinlock_locked_s(&p, T0), PINLOCK_BASE_S, "'%s' does not lock", bad[i]);
	}
	/* An embedded NUL. */
	struct pinlock p;
	cr_assert_eq(pinlock_parse(&p, "pinlock1 0 0 0 0\0", 17, T0), -1);
	cr_assert_eq(pinlock_parse(&p, "pinlock1 0 0 0 0", 16, T0), 0);
	cr_assert_eq(pinlock_tries_left(&p, T0), PINLOCK_MAX_FAILS);
}

Test(pinlock, a_clock_set_back_never_lengthens_a_lock)
{
	struct pinlock p;
	pinlock_init(&p);
	fail_n(&p, 4, T0);
	cr_assert_eq(pinlock_fail(&p, T0), 300);
	/* The clock goes back a year: at most the lockout's own 5 minutes. */
	long long back = T0 - 365 * 86400LL;
	cr_assert_eq(pinlock_locked_s(&p, back), 300);
	cr_assert_eq(pinlock_tries_left(&p, back), 0);
	/* A file written with a far future time is held to the same bound. */
	struct pinlock q;
	const char *f = "pinlock1 0 1 99999999999 0";
	cr_assert_eq(pinlock_parse(&q, f, strlen(f), T0), 0);
	cr_assert_eq(pinlock_locked_s(&q, T0), 300);
}

Test(pinlock, pins_that_may_be_typed)
{
	cr_assert(pin_plausible("1234", 4));
	cr_assert(pin_plausible("123456789012", 12));
	cr_assert_not(pin_plausible("123", 3));
	cr_assert_not(pin_plausible("1234567890123", 13));
	cr_assert_not(pin_plausible("12a4", 4));
	cr_assert_not(pin_plausible("12 4", 4));
	cr_assert_not(pin_plausible("1234\0", 5));
	cr_assert_not(pin_plausible(NULL, 4));
}

Test(pinlock, the_hash_form)
{
	struct pinhash h;
	char err[160];
	const char *ok = "pbkdf2-sha256:50000:00112233445566778899aabbccddeeff:"
	                 "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
	cr_assert_eq(pinhash_parse(ok, &h, err, sizeof err), 0, "%s", err);
	cr_assert_eq(h.iterations, 50000);
	cr_assert_eq(h.salt_len, 16);
	cr_assert_eq(h.salt[15], 0xff);
	cr_assert_eq(h.hash[31], 0x1f);
	char back[256];
	cr_assert_eq(pinhash_format(&h, back, sizeof back), 0);
	cr_assert_str_eq(back, ok);
	cr_assert_eq(pinhash_format(&h, back, 40), -1);
	static const char *const bad[] = {
		"", "sha256:00", "pbkdf2-sha256", "pbkdf2-sha256:50000:0011223344556677",
		"pbkdf2-sha256:999:0011223344556677:000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
		"pbkdf2-sha256:200001:0011223344556677:000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
		"pbkdf2-sha256:x:0011223344556677:000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
		"pbkdf2-sha256:5000:00112233445566:000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
		"pbkdf2-sha256:5000:001122334455667:000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
		"pbkdf2-sha256:5000:00112233445566zz:000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
		"pbkdf2-sha256:5000:0011223344556677:000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e",
		"pbkdf2-sha256:5000:0011223344556677:000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f00",
		"pbkdf2-sha256:5000:0011223344556677:000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f:",
		"pbkdf2-sha256:99999999999999999999:0011223344556677:000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		err[0] = '\0';
		cr_assert_eq(pinhash_parse(bad[i], &h, err, sizeof err), -1, "'%s' taken", bad[i]);
		cr_assert_neq(err[0], '\0', "no reason for '%s'", bad[i]);
	}
	cr_assert_eq(pinhash_parse(NULL, &h, err, sizeof err), -1);
	unsigned char a[4] = { 1, 2, 3, 4 }, b[4] = { 1, 2, 3, 5 };
	cr_assert(pinhash_equal(a, a, 4));
	cr_assert_not(pinhash_equal(a, b, 4));
	cr_assert(pinhash_equal(a, b, 3));
}
