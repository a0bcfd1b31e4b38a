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

#endif
