/* core.c: the pure core without a terminal: decoding a big catalog and the
 * per-key layout arithmetic, in ms or ns per operation.
 *
 *   core [--synthetic S] [--runs N]
 *
 * Starts gatewayd --demo --synthetic S (default 10000), fetches GET
 * /v1/catalog once (zh-CN, as the kiosk asks by default), then times, N
 * times each (medians, min, max; wall-clock CLOCK_MONOTONIC):
 *   json_loadb                 the body to a jansson tree
 *   jsonx_parse                the kiosk's path: size and depth checks, UTF-8
 *                              repair, json_loadb (it refuses bodies over 1 MiB)
 *   catalog_decode             the tree to struct catalog (type checks,
 *                              sanitizing, sorted id index)
 *   catalog_free
 * and, in batches of a million calls, grid_layout, grid_move, grid_cell and
 * catalog_find / catalog_find_category (ns per call).
 */
#include "bench.h"
#include "harness/gwd.h"

#include "jsonx.h"
#include "layout.h"
#include "model.h"
#include "text.h"

#include <locale.h>
#include <malloc.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static void print_stats(const char *label, double *v, int n, const char *unit, int decimals)
{
	if (n <= 0)
		return;
	qsort(v, (size_t)n, sizeof *v, bench_cmp_double);
	double med = n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
	printf("  %-46s median %8.*f %-5s (min %.*f, max %.*f; n=%d)\n", label, decimals, med, unit,
	       decimals, v[0], decimals, v[n - 1], n);
}

/* Keeps results alive so the compiler cannot drop the calls. */
static volatile long long sink;

#define BATCH 1000000
#define BATCHES 9

int main(int argc, char **argv)
{
	const char *synthetic = "10000";
	int runs = 15;
	if (bench_start(argc, argv, &synthetic, &runs))
		return 2;

	char *body;
	double fetch_ms;
	struct gwd *g = bench_catalog("core", synthetic, &body, &fetch_ms);
	if (!g)
		return 1;
	size_t len = strlen(body);
	printf("  GET /v1/catalog (gatewayd --demo --synthetic %s): %zu bytes in %.1f ms (first request)\n",
	       synthetic, len, fetch_ms);

	char err[256];
	json_t *probe = jsonx_parse(body, len, err, sizeof err);
	bool via_jsonx = probe != NULL;
	if (!via_jsonx)
		printf("  jsonx_parse (the kiosk's parser) refuses it: \"%s\" (limit %d bytes)\n",
		       err, JSONX_MAX_BODY);
	json_decref(probe);

	/* jsonx_parse's two passes before jansson, on the same body. */
	double dep[BATCHES], rep[BATCHES];
	for (int b = 0; b < BATCHES; b++) {
		int64_t t0 = bench_now_ns();
		sink += jsonx_depth_ok(body, len, JSONX_MAX_DEPTH);
		int64_t t1 = bench_now_ns();
		size_t fl;
		char *fixed = text_utf8_repair(body, len, &fl);
		int64_t t2 = bench_now_ns();
		sink += (long long)fl;
		free(fixed);
		dep[b] = (double)(t1 - t0) / 1e6;
		rep[b] = (double)(t2 - t1) / 1e6;
	}
	print_stats("jsonx_depth_ok (depth scan of the body)", dep, BATCHES, "ms", 2);
	print_stats("text_utf8_repair (copy, U+FFFD for bad bytes)", rep, BATCHES, "ms", 2);

	/* Heap in use (malloc's own count, not RSS) for the pieces the kiosk
	 * holds at its peak: the body, the repaired copy, the jansson tree,
	 * and then the decoded catalog alone. */
	{
		size_t h0 = mallinfo2().uordblks;
		json_error_t je;
		json_t *j = json_loadb(body, len, 0, &je);
		size_t h1 = mallinfo2().uordblks;
		struct catalog c1;
		if (!j || catalog_decode(j, &c1, err, sizeof err) != 0) {
			fprintf(stderr, "core: the catalog does not decode: %s\n", j ? err : je.text);
			return 1;
		}
		size_t h2 = mallinfo2().uordblks;
		json_decref(j);
		size_t h3 = mallinfo2().uordblks;
		printf("  heap in use: body %.1f MB, jansson tree %.1f MB, decoded catalog %.1f MB"
		       " (peak while decoding %.1f MB + the repaired copy in jsonx_parse)\n",
		       (double)len / 1e6, (double)(h1 - h0) / 1e6, (double)(h3 - h0) / 1e6,
		       (double)len / 1e6 + (double)(h2 - h0) / 1e6);
		catalog_free(&c1);
	}

	double *parse = calloc((size_t)runs, sizeof *parse), *loadb = calloc((size_t)runs, sizeof *loadb),
	       *dec = calloc((size_t)runs, sizeof *dec),
	       *fre = calloc((size_t)runs, sizeof *fre);
	struct catalog c = { 0 };
	for (int r = -1; r < runs; r++) { /* r == -1: warm-up */
		/* jansson alone, then (if it takes the body) the kiosk's path:
		 * size and depth checks, UTF-8 repair, jansson. */
		json_error_t je;
		int64_t tl = bench_now_ns();
		json_t *j = json_loadb(body, len, 0, &je);
		int64_t t0 = bench_now_ns();
		if (via_jsonx) {
			json_decref(j);
			j = jsonx_parse(body, len, err, sizeof err);
		}
		int64_t t1 = bench_now_ns();
		if (!j) {
			fprintf(stderr, "core: the catalog is not JSON\n");
			return 1;
		}
		if (catalog_decode(j, &c, err, sizeof err) != 0) {
			fprintf(stderr, "core: catalog_decode: %s\n", err);
			return 1;
		}
		int64_t t2 = bench_now_ns();
		json_decref(j);
		if (r >= 0) {
			loadb[r] = (double)(t0 - tl) / 1e6;
			parse[r] = (double)(t1 - t0) / 1e6;
			dec[r] = (double)(t2 - t1) / 1e6;
		}
		if (r == runs - 1)
			break; /* keep the last one for the lookups below */
		int64_t t3 = bench_now_ns();
		catalog_free(&c);
		int64_t t4 = bench_now_ns();
		if (r >= 0)
			fre[r] = (double)(t4 - t3) / 1e6;
	}
	printf("  decoded: %zu categories, %zu services\n", c.n_cats, c.n_svcs);
	print_stats("json_loadb (body -> jansson tree)", loadb, runs, "ms", 2);
	if (via_jsonx)
		print_stats("jsonx_parse (checks + repair + json_loadb)", parse, runs, "ms", 2);
	print_stats("catalog_decode (jansson -> struct catalog)", dec, runs, "ms", 2);
	print_stats("catalog_free", fre, runs - 1, "ms", 2); /* the last one is kept */

	/* The biggest category, as the services screen lays it out at 80x24:
	 * area 78x20 below the title, less the pager row. */
	size_t big = 0;
	for (size_t i = 0; i < c.n_cats; i++)
		if (c.cats[i].n_svc > c.cats[big].n_svc)
			big = i;
	int n = (int)c.cats[big].n_svc;
	printf("  biggest category \"%s\": %d services\n", c.cats[big].name, n);

	double v[BATCHES];
	struct grid gr;
	struct rect area = { 1, 2, 78, 18 };
	for (int b = 0; b < BATCHES; b++) {
		int64_t t0 = bench_now_ns();
		for (int i = 0; i < BATCH; i++) {
			area.h = 18 - (i & 1); /* vary the input */
			grid_layout(&gr, area, n, 20, 2, 2, 1, 1);
			sink += gr.per_page;
		}
		v[b] = (double)(bench_now_ns() - t0) / BATCH;
	}
	print_stats("grid_layout (services list, 1 column)", v, BATCHES, "ns", 1);
	for (int b = 0; b < BATCHES; b++) {
		int64_t t0 = bench_now_ns();
		for (int i = 0; i < BATCH; i++) {
			area.w = 78 - (i & 1);
			grid_layout(&gr, area, 15, 18, 3, 2, 1, 4);
			sink += gr.per_page;
		}
		v[b] = (double)(bench_now_ns() - t0) / BATCH;
	}
	print_stats("grid_layout (categories, 4 columns)", v, BATCHES, "ns", 1);

	grid_layout(&gr, (struct rect){ 1, 2, 78, 18 }, n, 20, 2, 2, 1, 1);
	int focus = 0;
	for (int b = 0; b < BATCHES; b++) {
		int64_t t0 = bench_now_ns();
		for (int i = 0; i < BATCH; i++) {
			int nf = grid_move(&gr, focus, 0, 1);
			focus = nf == focus ? 0 : nf; /* at the end, start over */
		}
		v[b] = (double)(bench_now_ns() - t0) / BATCH;
	}
	sink += focus;
	print_stats("grid_move (Down, crossing pages)", v, BATCHES, "ns", 1);

	grid_layout(&gr, (struct rect){ 1, 2, 78, 18 }, 15, 18, 3, 2, 1, 4);
	focus = 0;
	static const int dx[4] = { 1, 0, -1, 0 }, dy[4] = { 0, 1, 0, -1 };
	for (int b = 0; b < BATCHES; b++) {
		int64_t t0 = bench_now_ns();
		for (int i = 0; i < BATCH; i++)
			focus = grid_move(&gr, focus, dx[i & 3], dy[(i >> 2) & 3]);
		v[b] = (double)(bench_now_ns() - t0) / BATCH;
	}
	sink += focus;
	print_stats("grid_move (4-column grid, all directions)", v, BATCHES, "ns", 1);

	grid_layout(&gr, (struct rect){ 1, 2, 78, 18 }, n, 20, 2, 2, 1, 1);
	for (int b = 0; b < BATCHES; b++) {
		int64_t t0 = bench_now_ns();
		for (int i = 0; i < BATCH; i++) {
			struct rect r = grid_cell(&gr, i % n);
			sink += r.y;
		}
		v[b] = (double)(bench_now_ns() - t0) / BATCH;
	}
	print_stats("grid_cell", v, BATCHES, "ns", 1);

	/* Lookups: the service screen finds its service by id, the services
	 * screen its category (on every relayout). */
	const char **ids = malloc(c.n_svcs * sizeof *ids);
	for (size_t i = 0; i < c.n_svcs; i++)
		ids[i] = c.svcs[(i * 7919) % c.n_svcs].id; /* scattered order */
	for (int b = 0; b < BATCHES; b++) {
		int64_t t0 = bench_now_ns();
		for (int i = 0; i < BATCH; i++)
			sink += catalog_find(&c, ids[(size_t)i % c.n_svcs]);
		v[b] = (double)(bench_now_ns() - t0) / BATCH;
	}
	print_stats("catalog_find (binary search by id)", v, BATCHES, "ns", 1);
	for (int b = 0; b < BATCHES; b++) {
		int64_t t0 = bench_now_ns();
		for (int i = 0; i < BATCH; i++)
			sink += catalog_find_category(&c, c.cats[(size_t)i % c.n_cats].id);
		v[b] = (double)(bench_now_ns() - t0) / BATCH;
	}
	print_stats("catalog_find_category", v, BATCHES, "ns", 1);

	free(ids);
	catalog_free(&c);
	free(parse);
	free(loadb);
	free(dec);
	free(fre);
	free(body);
	gwd_free(g);
	return 0;
}
