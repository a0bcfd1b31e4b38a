/* bench.h: what the benchmark programs share (header only: each file in
 * bench/ is a program of its own). */
#ifndef BENCH_BENCH_H
#define BENCH_BENCH_H

#include <locale.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "harness/gwd.h"

static inline int64_t bench_now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static inline int bench_cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

/* Line-buffered output, a UTF-8 character type (the sanitizer needs one, as
 * in the kiosk), and the options [--synthetic S] [--runs N] (S and N keep
 * their defaults when absent). Returns 0, or 2 after printing the usage. */
static inline int bench_start(int argc, char **argv, const char **synthetic, int *runs)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!setlocale(LC_ALL, "C.UTF-8"))
		setlocale(LC_ALL, "");
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--synthetic") && i + 1 < argc)
			*synthetic = argv[++i];
		else if (!strcmp(argv[i], "--runs") && i + 1 < argc)
			*runs = atoi(argv[++i]);
		else {
			fprintf(stderr, "usage: %s [--synthetic S] [--runs N]\n", argv[0]);
			return 2;
		}
	}
	if (*runs < 1)
		*runs = 1;
	return 0;
}

/* gatewayd --demo --synthetic S started, and its GET /v1/catalog (zh-CN)
 * into *body (malloc'd); *ms the request's time. Returns the gateway (the
 * caller stops it), or NULL after saying why on stderr as `who`. */
static inline struct gwd *bench_catalog(const char *who, const char *synthetic, char **body, double *ms)
{
	const char *args[] = { "--synthetic", synthetic, NULL };
	struct gwd *g = gwd_start(args);
	if (!g) {
		fprintf(stderr, "%s: gatewayd did not start (%s)\n", who, gwd_bin());
		return NULL;
	}
	*body = NULL;
	int64_t f0 = bench_now_ns();
	int st = gwd_get(g, "/v1/catalog", body);
	*ms = (double)(bench_now_ns() - f0) / 1e6;
	if (st != 200 || !*body) {
		fprintf(stderr, "%s: GET /v1/catalog: HTTP status %d\n", who, st);
		gwd_free(g);
		return NULL;
	}
	return g;
}

#endif
