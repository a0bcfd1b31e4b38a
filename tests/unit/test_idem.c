/* test_idem.c: the outbox's pure rules: keys are version 4 UUIDs, states
 * the outbox records only move forward, account numbers reach disk masked. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "idem.h"

Test(idem, uuid_sets_version_and_variant_whatever_the_bytes)
{
	unsigned char zero[16] = { 0 }, ones[16];
	memset(ones, 0xff, sizeof ones);
	char key[IDEM_KEY_SIZE];
	uuid_v4_format(zero, key);
	cr_assert_str_eq(key, "00000000-0000-4000-8000-000000000000");
	uuid_v4_format(ones, key);
	cr_assert_str_eq(key, "ffffffff-ffff-4fff-bfff-ffffffffffff");
	unsigned char seq[16];
	for (int i = 0; i < 16; i++)
		seq[i] = (unsigned char)(i * 17);
	uuid_v4_format(seq, key);
	cr_assert_str_eq(key, "00112233-4455-4677-8899-aabbccddeeff");
}

Test(idem, uuid_of_any_bytes_is_valid)
{
	srand(9);
	for (int n = 0; n < 2000; n++) {
		unsigned char rnd[16];
		for (int i = 0; i < 16; i++)
			rnd[i] = (unsigned char)rand();
		char key[IDEM_KEY_SIZE];
		uuid_v4_format(rnd, key);
		cr_assert_eq(strlen(key), 36);
		cr_assert(uuid_v4_valid(key), "%s", key);
		cr_assert_eq(key[14], '4');
		cr_assert(strchr("89ab", key[19]), "%s: variant", key);
	}
}

Test(idem, uuid_valid_rejects_near_misses)
{
	cr_assert(uuid_v4_valid("00112233-4455-4677-8899-aabbccddeeff"));
	const char *bad[] = {
		NULL, "", "00112233-4455-4677-8899-aabbccddeef",   /* short */
		"00112233-4455-4677-8899-aabbccddeeff0",           /* long */
		"00112233-4455-3677-8899-aabbccddeeff",            /* version 3 */
		"00112233-4455-4677-c899-aabbccddeeff",            /* variant 110x */
		"00112233-4455-4677-7899-aabbccddeeff",            /* variant 0xxx */
		"00112233-4455-4677-8899-AABBCCDDEEFF",            /* upper case */
		"001122334-455-4677-8899-aabbccddeeff",            /* hyphen moved */
		"00112233-4455-4677-8899-aabbccddeefg",            /* not hex */
		"00112233_4455_4677_8899_aabbccddeeff",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		cr_assert_not(uuid_v4_valid(bad[i]), "accepted [%s]", bad[i] ? bad[i] : "NULL");
}

Test(idem, states_only_move_forward_and_finals_stay)
{
	for (int c = PAY_UNKNOWN; c <= PAY_EXPIRED; c++) {
		for (int n = PAY_UNKNOWN; n <= PAY_EXPIRED; n++) {
			bool want = n != c && n != PAY_UNKNOWN && !pay_state_final((enum pay_state)c) && n > c;
			cr_assert_eq(idem_may_record((enum pay_state)n, (enum pay_state)c), want, "%s over %s",
			             pay_state_name((enum pay_state)n), pay_state_name((enum pay_state)c));
			bool contra = n != c && pay_state_final((enum pay_state)n) && pay_state_final((enum pay_state)c);
			cr_assert_eq(idem_contradicts((enum pay_state)n, (enum pay_state)c), contra);
		}
	}
	/* The cases the issue names. */
	cr_assert_not(idem_may_record(PAY_PENDING, PAY_SUCCESS));
	cr_assert_not(idem_may_record(PAY_SUCCESS, PAY_SUCCESS));
	cr_assert_not(idem_may_record(PAY_CANCELLED, PAY_SUCCESS));
	cr_assert(idem_may_record(PAY_SUCCESS, PAY_UNKNOWN));
	cr_assert(idem_may_record(PAY_FAILED, PAY_UNKNOWN)); /* refused at creation */
	cr_assert_not(idem_may_record((enum pay_state)99, PAY_PENDING));
}

Test(idem, accounts_reach_disk_masked)
{
	char out[64];
	cr_assert_eq(idem_mask_account("310104199208210467", out, sizeof out), 18);
	cr_assert_str_eq(out, "**************0467");
	idem_mask_account("3101****0467", out, sizeof out);
	cr_assert_str_eq(out, "3101****0467"); /* the gateway's mask kept */
	idem_mask_account("1234", out, sizeof out);
	cr_assert_str_eq(out, "1234");
	idem_mask_account("", out, sizeof out);
	cr_assert_str_eq(out, "");
	idem_mask_account(NULL, out, sizeof out);
	cr_assert_str_eq(out, "");
	idem_mask_account("京A12345", out, sizeof out); /* characters, not bytes */
	cr_assert_str_eq(out, "***2345");
	idem_mask_account("户号甲乙丙丁", out, sizeof out);
	cr_assert_str_eq(out, "**甲乙丙丁");
	/* A small buffer: cut, never mid-character, always terminated. */
	char small[6];
	idem_mask_account("户号甲乙丙丁", small, sizeof small);
	cr_assert_str_eq(small, "**甲");
	char tiny[5];
	idem_mask_account("户号甲乙丙丁", tiny, sizeof tiny);
	cr_assert_str_eq(tiny, "**"); /* 甲 would not fit whole */
	idem_mask_account("12345678", small, sizeof small);
	cr_assert_str_eq(small, "****5");
}
