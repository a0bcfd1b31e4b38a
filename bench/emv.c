/* emv.c: the EMV check alone, per payload (issue 9: the kiosk checks every
 * payment's qr_payload before it draws a QR), and emv_build for comparison.
 *
 *   emv [--runs N]
 *
 * Times N batches (default 15) of BATCH calls for each payload and prints
 * the median time per call in microseconds, with the fastest and slowest
 * batch (wall-clock CLOCK_MONOTONIC). Payloads: what the reference gateway
 * builds for a water bill (Chinese payee), EMVCo's own sample, the largest
 * the kiosk accepts (512 characters, mostly Chinese: 1.3 KB of UTF-8 to
 * walk and CRC), and the gateway's payload with its CRC spoiled (refused
 * only after the whole walk and CRC). No gateway, no terminal.
 */
#include "emv.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define BATCH 20000
#define MAX_RUNS 1000

static volatile long long sink;

static double seconds(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static size_t chars(const char *s)
{
	size_t n = 0;
	for (; *s; s++)
		n += ((unsigned char)*s & 0xC0) != 0x80;
	return n;
}

/* Median, fastest and slowest of us[0..n), which it sorts. */
static void report(const char *what, const char *payload, double *us, int n)
{
	for (int i = 1; i < n; i++)
		for (int j = i; j > 0 && us[j - 1] > us[j]; j--) {
			double t = us[j];
			us[j] = us[j - 1];
			us[j - 1] = t;
		}
	double mid = n % 2 ? us[n / 2] : (us[n / 2 - 1] + us[n / 2]) / 2;
	printf("  %-34s %3zu chars %4zu bytes: median %6.2f us (min %.2f, max %.2f; %d x %d calls)\n",
	       what, chars(payload), strlen(payload), mid, us[0], us[n - 1], n, BATCH);
}

static void time_check(const char *what, const char *payload, long long fen,
                       enum emv_error want, int runs)
{
	double us[MAX_RUNS];
	struct emv_info info;

	if (emv_check(payload, fen, &info) != want) {
		printf("  %s: emv_check says \"%s\", not \"%s\" (not timed)\n", what,
		       emv_error_name(emv_check(payload, fen, NULL)), emv_error_name(want));
		return;
	}
	for (int r = 0; r < runs; r++) {
		double t0 = seconds();
		for (int i = 0; i < BATCH; i++)
			sink += emv_check(payload, fen, &info);
		us[r] = (seconds() - t0) * 1e6 / BATCH;
	}
	report(what, payload, us, runs);
}

/* 512 characters: the format indicator, the amount, then objects of 99
 * Chinese characters, one ASCII object to fill up, and the CRC. */
static char *largest(void)
{
	static char p[4096];
	size_t n, left;

	strcpy(p, "0002015303156540545.60");
	left = EMV_MAX_CHARS - chars(p) - 8;
	for (int tag = 80; left >= 103 + 5; tag++) {
		n = strlen(p);
		n += (size_t)snprintf(p + n, sizeof p - n, "%02d99", tag);
		for (int i = 0; i < 99; i++, n += 3)
			memcpy(p + n, "缴", 3);
		p[n] = '\0';
		left -= 103;
	}
	n = strlen(p);
	n += (size_t)snprintf(p + n, sizeof p - n, "99%02zu", left - 4);
	memset(p + n, 'X', left - 4);
	n += left - 4;
	memcpy(p + n, "6304", 5);
	snprintf(p + n + 4, 5, "%04X", emv_crc16(p, n + 4));
	return p;
}

int main(int argc, char **argv)
{
	static const char emvco[] =
		"00020101021229300012D156000000000510A93FO3230Q31280012D15600000001030812345678520441"
		"115802CN5914BEST TRANSPORT6007BEIJING64200002ZH0104最佳运输0202北京540523.72530315655"
		"02016233030412340603***0708A60086670902ME91320016A01122334499887707081234567863"
		"04A13A";
	int runs = 15;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--runs") && i + 1 < argc) {
			runs = atoi(argv[++i]);
		} else {
			fprintf(stderr, "usage: %s [--runs N]\n", argv[0]);
			return 2;
		}
	}
	if (runs < 1 || runs > MAX_RUNS)
		runs = 15;
	setvbuf(stdout, NULL, _IOLBF, 0);

	char *gw = emv_build(4560, "示范市自来水集团有限责任公司", "示范市", "pay-000123");
	if (!gw) {
		fprintf(stderr, "emv: emv_build refused the demo payment\n");
		return 1;
	}
	printf("emv_check, per payload:\n");
	time_check("gateway payload (water bill)", gw, 4560, EMV_OK, runs);
	time_check("EMVCo specification sample", emvco, 2372, EMV_OK, runs);
	time_check("largest accepted", largest(), 4560, EMV_OK, runs);
	char *spoiled = strdup(gw);
	size_t n = strlen(spoiled);
	spoiled[n - 1] = spoiled[n - 1] == '0' ? '1' : '0';
	time_check("gateway payload, CRC spoiled", spoiled, 4560, EMV_BAD_CRC, runs);
	free(spoiled);

	double us[MAX_RUNS];
	for (int r = 0; r < runs; r++) {
		double t0 = seconds();
		for (int i = 0; i < BATCH; i++) {
			char *p = emv_build(4560, "示范市自来水集团有限责任公司", "示范市", "pay-000123");
			sink += (long long)strlen(p);
			free(p);
		}
		us[r] = (seconds() - t0) * 1e6 / BATCH;
	}
	printf("emv_build (the gateway), for comparison:\n");
	report("gateway payload (water bill)", gw, us, runs);
	free(gw);
	return 0;
}
