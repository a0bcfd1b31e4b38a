/* search.c: the service search at 10,000 services, against fzy.
 *
 *   search [--synthetic S] [--runs N]
 *
 * Starts gatewayd --demo --synthetic S (default 10080), fetches GET
 * /v1/catalog (zh-CN) and decodes it, then:
 *   - builds the search index N times (ms: median, max) and reports its
 *     size (search_index_bytes, and the heap it took);
 *   - types each query of a list one character at a time, as the kiosk
 *     does (search_run with the screen's 200 results kept), and reports the
 *     time per keystroke over all of them (median, 99th percentile, max)
 *     and the heap allocated by any keystroke (it must be 0);
 *   - runs `fzy -e QUERY` over the same names (one per line) for each whole
 *     query: the whole process, as a citizen-facing fuzzy finder would
 *     answer, and how many names it finds (for pinyin: none).
 * Wall-clock CLOCK_MONOTONIC; no thresholds (machines are noisy).
 */
#include "bench.h"
#include "harness/gwd.h"

#include "jsonx.h"
#include "model.h"
#include "search.h"

#include <locale.h>
#include <malloc.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static int64_t cpu_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static double pct(double *v, int n, double p)
{
	qsort(v, (size_t)n, sizeof *v, bench_cmp_double);
	int i = (int)(p * (n - 1) + 0.5);
	return v[i < 0 ? 0 : i >= n ? n - 1 : i];
}

struct q { const char *text; bool t9; const char *what; };

static const struct q queries[] = {
	{ "gjjtq", false, "initials" },
	{ "zfgjjtq", false, "initials" },
	{ "sbcx", false, "initials" },
	{ "shebao", false, "full pinyin" },
	{ "xingshizheng", false, "full pinyin, polyphone" },
	{ "gjjtiqu", false, "initials + syllables" },
	{ "社保cx", false, "hanzi + initials" },
	{ "公积金提取", false, "hanzi" },
	{ "etc", false, "Latin" },
	{ "zhufnag", false, "one typo" },
	{ "gogjijin", false, "one typo" },
	{ "45587", true, "T9" },
	{ "743226", true, "T9" },
};
#define NQ (sizeof queries / sizeof queries[0])

/* Keeps results alive so the compiler cannot drop the calls. */
static volatile long long sink;

int main(int argc, char **argv)
{
	const char *synthetic = "10080";
	int runs = 15;
	if (bench_start(argc, argv, &synthetic, &runs))
		return 2;
	char *body;
	double fetch_ms;
	struct gwd *g = bench_catalog("search", synthetic, &body, &fetch_ms);
	if (!g)
		return 1;
	gwd_stop(g);
	json_error_t je;
	json_t *j = json_loadb(body, strlen(body), 0, &je);
	struct catalog c;
	char err[256];
	if (!j || catalog_decode(j, &c, err, sizeof err) != 0) {
		fprintf(stderr, "search: the catalog does not decode: %s\n", j ? err : je.text);
		return 1;
	}
	json_decref(j);
	printf("  catalog: %zu services, %zu categories, %zu bytes (gatewayd --demo --synthetic %s)\n",
	       c.n_svcs, c.n_cats, strlen(body), synthetic);
	free(body);

	/* Building the index. */
	double *build = calloc((size_t)runs, sizeof *build);
	struct search_index *ix = NULL;
	size_t heap = 0;
	for (int r = -1; r < runs; r++) {
		search_free(ix);
		malloc_trim(0);
		size_t h0 = mallinfo2().uordblks;
		int64_t t0 = bench_now_ns();
		ix = search_build(&c);
		int64_t t1 = bench_now_ns();
		heap = mallinfo2().uordblks - h0;
		if (r >= 0)
			build[r] = (double)(t1 - t0) / 1e6;
	}
	double bmed = pct(build, runs, 0.5), bmax = pct(build, runs, 1.0);
	printf("  search_build                                   median %6.2f ms   (max %.2f; n=%d)\n", bmed, bmax, runs);
	printf("  index size: %.2f MB (search_index_bytes), heap %.2f MB\n",
	       (double)search_index_bytes(ix) / 1e6, (double)heap / 1e6);

	/* Typing, a keystroke at a time. */
	int cap = 4096, n = 0;
	double *per_key = calloc((size_t)cap, sizeof *per_key);
	double *per_key_cpu = calloc((size_t)cap, sizeof *per_key_cpu);
	size_t max_alloc = 0;
	size_t found[NQ];
	const char *top[NQ];
	for (int r = 0; r < runs; r++) {
		for (size_t k = 0; k < NQ; k++) {
			const char *t = queries[k].text;
			size_t len = strlen(t);
			for (size_t e = 1; e <= len; e++) {
				if (e < len && ((unsigned char)t[e] & 0xC0) == 0x80)
					continue; /* mid-character */
				char prefix[64];
				memcpy(prefix, t, e);
				prefix[e] = '\0';
				struct search_query q;
				const struct search_hit *h;
				size_t a0 = mallinfo2().uordblks;
				int64_t c0 = cpu_ns(), t0 = bench_now_ns();
				search_query_parse(prefix, queries[k].t9, &q);
				size_t total = search_run(ix, &q, 200, &h);
				int64_t t1 = bench_now_ns(), c1 = cpu_ns();
				size_t a1 = mallinfo2().uordblks;
				if (a1 > a0 && a1 - a0 > max_alloc)
					max_alloc = a1 - a0;
				sink += (long long)total;
				if (n == cap) {
					cap *= 2;
					per_key = realloc(per_key, (size_t)cap * sizeof *per_key);
					per_key_cpu = realloc(per_key_cpu, (size_t)cap * sizeof *per_key_cpu);
				}
				per_key_cpu[n] = (double)(c1 - c0) / 1e6;
				per_key[n++] = (double)(t1 - t0) / 1e6;
				if (getenv("BENCH_SLOW") && per_key[n - 1] > atof(getenv("BENCH_SLOW")))
					printf("    slow: '%s' %.3f ms, %zu found\n", prefix, per_key[n - 1], total);
				if (e == len) {
					found[k] = total;
					top[k] = total ? c.svcs[h[0].svc].name : "-";
				}
			}
		}
	}
	int keys = n;
	double kmed = pct(per_key, keys, 0.5), k99 = pct(per_key, keys, 0.99), kmax = pct(per_key, keys, 1.0);
	printf("  search per keystroke (%zu queries typed a character at a time, x%d)\n", NQ, runs);
	printf("    wall clock: median %.3f ms, 99th percentile %.3f ms, max %.3f ms (n=%d)\n", kmed, k99, kmax, keys);
	printf("    CPU time:   median %.3f ms, 99th percentile %.3f ms, max %.3f ms (other work on the machine left out)\n",
	       pct(per_key_cpu, keys, 0.5), pct(per_key_cpu, keys, 0.99), pct(per_key_cpu, keys, 1.0));
	printf("    heap allocated by a keystroke: %zu bytes at most\n", max_alloc);

	/* fzy over the same names. */
	char names_path[] = "/tmp/bench-search-XXXXXX";
	int fd = mkstemp(names_path);
	FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
	bool have_fzy = system("command -v fzy >/dev/null 2>&1") == 0;
	if (f) {
		for (size_t i = 0; i < c.n_svcs; i++)
			fprintf(f, "%s\n", c.svcs[i].name);
		fclose(f);
	}
	double fzy_ms[NQ];
	int fzy_n[NQ];
	for (size_t k = 0; k < NQ; k++) {
		fzy_ms[k] = -1;
		fzy_n[k] = -1;
		if (!have_fzy || !f)
			continue;
		double *t = calloc((size_t)runs, sizeof *t);
		for (int r = 0; r < runs; r++) {
			char *cmd;
			if (asprintf(&cmd, "fzy -e '%s' < %s", queries[k].text, names_path) < 0)
				return 1;
			int64_t t0 = bench_now_ns();
			FILE *p = popen(cmd, "r");
			int lines = 0;
			char buf[1024];
			while (p && fgets(buf, sizeof buf, p))
				lines++;
			if (p)
				pclose(p);
			int64_t t1 = bench_now_ns();
			free(cmd);
			t[r] = (double)(t1 - t0) / 1e6;
			fzy_n[k] = lines;
		}
		fzy_ms[k] = pct(t, runs, 0.5);
		free(t);
	}
	unlink(names_path);
	printf("  per query: kiosk's count and first result | fzy -e, the whole process (median of %d)\n", runs);
	for (size_t k = 0; k < NQ; k++) {
		printf("    %-14s %-24s %5zu  %-22s |", queries[k].text, queries[k].what, found[k], top[k]);
		if (fzy_ms[k] >= 0)
			printf(" fzy %6.2f ms, %5d found\n", fzy_ms[k], fzy_n[k]);
		else
			printf(" fzy not installed\n");
	}
	if (have_fzy) {
		double *fz = calloc(NQ, sizeof *fz);
		for (size_t k = 0; k < NQ; k++)
			fz[k] = fzy_ms[k];
		double fmed = pct(fz, (int)NQ, 0.5);
		printf("  ratio: kiosk 99th percentile per keystroke / fzy median per query = %.3f / %.2f = %.3f\n",
		       k99, fmed, k99 / fmed);
		free(fz);
	}
	search_free(ix);
	catalog_free(&c);
	free(build);
	free(per_key);
	free(per_key_cpu);
	return 0;
}
