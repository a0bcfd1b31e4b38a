/* tty.c: the kiosk (and, for comparison, dialog) measured through a pty.
 *
 *   tty exec      [--runs N]                 exec + exit of `true` and `kiosk --version`
 *                                            (the cost of loading before any set-up)
 *   tty startup   [--runs N]                 start -> first painted home screen
 *                                            (gatewayd with the demo catalog)
 *   tty startup   --synthetic S [--runs N]   start -> home -> "1" -> first painted
 *                                            categories screen (S generated services)
 *   tty browse    [--synthetic S] [--keys N] bytes per focus move (home, services),
 *                                            peak RSS after browsing, time per key
 *   tty dialog    [--items N] [--runs N] [--keys N]
 *                                            the same for dialog --menu with N items
 *
 * The program under test runs in the terminal harness (forkpty + libvterm,
 * 80x24, TERM=xterm-256color, LANG=C.UTF-8). Times are wall-clock
 * CLOCK_MONOTONIC in this process, so every figure includes the pty round
 * trip and libvterm parsing the output. Medians are printed with min/max;
 * there are no thresholds: machines are noisy.
 *
 * Exit status: 0, 1 if something could not be measured, 2 for usage, 3 if
 * the kiosk refused the catalog (its error screen came up instead of the
 * categories; the reason from its log is printed).
 * BENCH_DUMP=1 prints dialog's screen before measuring it.
 */
#include "harness/gwd.h"
#include "harness/harness.h"

#include "model.h"
#include "jsonx.h"

#include <fcntl.h>
#include <locale.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

#define COLS 80
#define ROWS 24
#define T_HOME "政务服务自助终端"
#define T_CATS "按类别办事"

static const char *prog = "tty";

/* ---- numbers ------------------------------------------------------------- */

static int64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static double ms_since(int64_t t0, int64_t t1) { return (double)(t1 - t0) / 1e6; }

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

struct stats { double med, min, max; int n; };

static struct stats stats_of(const double *v, int n)
{
	struct stats s = { 0, 0, 0, n };
	if (n <= 0)
		return s;
	double *c = malloc((size_t)n * sizeof *c);
	if (!c)
		abort();
	memcpy(c, v, (size_t)n * sizeof *c);
	qsort(c, (size_t)n, sizeof *c, cmp_double);
	s.min = c[0];
	s.max = c[n - 1];
	s.med = n % 2 ? c[n / 2] : (c[n / 2 - 1] + c[n / 2]) / 2;
	free(c);
	return s;
}

/* "label  median X unit  (min A, max B, n runs)" */
static void print_stats(const char *label, const double *v, int n, const char *unit,
                        int decimals)
{
	struct stats s = stats_of(v, n);
	char med[32], mn[32], mx[32];
	snprintf(med, sizeof med, "%.*f", decimals, s.med);
	snprintf(mn, sizeof mn, "%.*f", decimals, s.min);
	snprintf(mx, sizeof mx, "%.*f", decimals, s.max);
	printf("  %-46s median %8s %-5s (min %s, max %s; n=%d)\n", label, med, unit, mn, mx, n);
}

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void die(const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "%s: ", prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

/* ---- screen helpers -------------------------------------------------------- */

/* True once a painted frame is complete: the text is there and the last row
 * (the status bar, drawn last by a top-to-bottom refresh) is not empty. */
struct frame_want { const char *a, *b; };

static bool pred_frame(struct harness *h, void *ud)
{
	const struct frame_want *w = ud;
	if (!h_find(h, w->a, NULL, NULL) || (w->b && !h_find(h, w->b, NULL, NULL)))
		return false;
	char *last = h_row_text(h, ROWS - 1);
	bool ok = last[0] != '\0';
	free(last);
	return ok;
}

static bool wait_frame(struct harness *h, const char *a, const char *b, int timeout_ms)
{
	struct frame_want w = { a, b };
	return h_wait(h, pred_frame, &w, timeout_ms);
}

/* Bytes the program wrote after a key, and when the last of them arrived. */
struct since { size_t bytes0; };

static bool pred_more(struct harness *h, void *ud)
{
	const struct since *s = ud;
	return h_bytes_out(h) > s->bytes0;
}

/* Sends a key and reads until the output has been quiet for quiet_ms.
 * Returns the time from the send to the arrival of the last chunk of the
 * answer (ms; -1 if nothing came within 2 s) and the bytes in *bytes. */
static double key_round_trip(struct harness *h, enum h_key key, const char *text,
                             int quiet_ms, size_t *bytes)
{
	h_bytes_reset(h);
	struct since s = { 0 };
	int64_t t0 = now_ns(), last = -1;
	if (text)
		h_type(h, text);
	else
		h_key(h, key);
	int timeout = 2000;
	for (;;) {
		s.bytes0 = h_bytes_out(h);
		if (!h_wait(h, pred_more, &s, timeout))
			break;
		last = now_ns();
		timeout = quiet_ms;
	}
	if (bytes)
		*bytes = h_bytes_out(h);
	return last < 0 ? -1 : ms_since(t0, last);
}

static long proc_kb(int pid, const char *field)
{
	char path[64], line[256];
	snprintf(path, sizeof path, "/proc/%d/status", pid);
	FILE *f = fopen(path, "r");
	long v = -1;
	size_t n = strlen(field);
	if (!f)
		return -1;
	while (fgets(line, sizeof line, f))
		if (!strncmp(line, field, n) && line[n] == ':')
			v = strtol(line + n + 1, NULL, 10);
	fclose(f);
	return v;
}

/* "VmHWM 23036 kB (VmRSS 22096 kB = anon 9000 + file 13096)" */
static void print_mem(const char *label, int pid)
{
	printf("  %-46s %6ld kB  (VmRSS now %ld kB = RssAnon %ld + RssFile %ld + RssShmem %ld)\n",
	       label, proc_kb(pid, "VmHWM"), proc_kb(pid, "VmRSS"), proc_kb(pid, "RssAnon"),
	       proc_kb(pid, "RssFile"), proc_kb(pid, "RssShmem"));
}

/* "第 3/209 页" on the screen -> 3 and 209; false if no page indicator. */
static bool page_of(struct harness *h, int *page, int *pages)
{
	for (int r = 0; r < ROWS; r++) {
		char *t = h_row_text(h, r), *p = strstr(t, "第 ");
		bool ok = p && sscanf(p, "第 %d/%d 页", page, pages) == 2;
		free(t);
		if (ok)
			return true;
	}
	return false;
}

/* BENCH_DUMP=1 in the environment: print the screen at the checkpoints. */
static void dump_if(struct harness *h, const char *where)
{
	const char *e = getenv("BENCH_DUMP");
	if (e && *e && strcmp(e, "0") != 0) {
		fprintf(stderr, "--- %s ---\n", where);
		h_dump(h, stderr);
	}
}

/* ---- the catalog, as the kiosk will see it ---------------------------------- */

struct cat_info {
	size_t n_cats, n_svcs, body_len;
	char first_name[256];
	char big_name[256];
	size_t big_n;
};

static void catalog_info(struct gwd *g, struct cat_info *ci)
{
	char *body = NULL, err[256];
	memset(ci, 0, sizeof *ci);
	int st = gwd_get(g, "/v1/catalog", &body);
	if (st != 200 || !body)
		die("GET /v1/catalog failed (HTTP status %d)", st);
	ci->body_len = strlen(body);
	json_error_t je;
	json_t *j = json_loadb(body, ci->body_len, 0, &je);
	struct catalog c;
	if (!j || catalog_decode(j, &c, err, sizeof err) != 0)
		die("the gateway's catalog does not decode: %s", j ? err : je.text);
	ci->n_cats = c.n_cats;
	ci->n_svcs = c.n_svcs;
	for (size_t i = 0; i < c.n_cats; i++) {
		if (i == 0)
			snprintf(ci->first_name, sizeof ci->first_name, "%s", c.cats[i].name);
		if (c.cats[i].n_svc > ci->big_n) {
			ci->big_n = c.cats[i].n_svc;
			snprintf(ci->big_name, sizeof ci->big_name, "%s", c.cats[i].name);
		}
	}
	catalog_free(&c);
	json_decref(j);
	free(body);
}

static struct gwd *start_gateway(const char *synthetic)
{
	const char *args[] = { "--synthetic", synthetic, NULL };
	struct gwd *g = gwd_start(synthetic ? args : NULL);
	if (!g)
		die("gatewayd did not start (%s)", gwd_bin());
	return g;
}

/* ---- the categories screen ----------------------------------------------- */

/* After "1": the categories with their service counts (1), or the error
 * screen with its "Try again" button (-1: the kiosk did not take the
 * catalog), or neither within the time (0). */
struct cats_want { char button[300]; };

static bool pred_cats(struct harness *h, void *ud)
{
	const struct cats_want *w = ud;
	struct frame_want f = { T_CATS, w->button };
	return pred_frame(h, &f) || h_find(h, "重试", NULL, NULL);
}

/* Waits for the first category's button, "1 <name>" (the home screen's
 * own texts may name categories too, never after a digit). */
static int wait_categories(struct harness *h, const char *first_name, int timeout_ms)
{
	struct cats_want w;
	snprintf(w.button, sizeof w.button, "1 %s", first_name);
	if (!h_wait(h, pred_cats, &w, timeout_ms))
		return 0;
	return h_find(h, "重试", NULL, NULL) ? -1 : 1;
}

/* Why the kiosk refused the catalog, from its log. */
static void print_rejection(struct harness *h, const struct cat_info *ci)
{
	char path[4200], line[512];
	snprintf(path, sizeof path, "%s/kiosk.log", h_tmpdir(h));
	printf("  THE KIOSK DID NOT LOAD THE CATALOG (%zu services, %zu bytes of JSON;"
	       " its limit JSONX_MAX_BODY is %d bytes).\n", ci->n_svcs, ci->body_len, JSONX_MAX_BODY);
	FILE *f = fopen(path, "r");
	int n = 0;
	while (f && n < 3 && fgets(line, sizeof line, f))
		if (strstr(line, "catalog") || strstr(line, "larger")) {
			printf("  kiosk.log: %s", line);
			n++;
		}
	if (f)
		fclose(f);
	char *row = h_row_text(h, 3);
	printf("  screen: %s\n", row);
	free(row);
}

/* ---- startup ----------------------------------------------------------------- */

/* fork/exec/wait of argv with stdout and stderr to /dev/null: what loading
 * the program and its shared libraries costs before it does anything. */
static int cmd_exec(int runs, const char *const argv[])
{
	double *v = calloc((size_t)runs, sizeof *v);
	int ok = 0;
	for (int i = -1; i < runs; i++) {
		posix_spawn_file_actions_t fa;
		posix_spawn_file_actions_init(&fa);
		posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
		posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
		int64_t t0 = now_ns();
		pid_t pid;
		int st;
		if (posix_spawnp(&pid, argv[0], &fa, NULL, (char *const *)argv, environ) != 0)
			die("cannot run %s", argv[0]);
		waitpid(pid, &st, 0);
		int64_t t1 = now_ns();
		posix_spawn_file_actions_destroy(&fa);
		if (i >= 0)
			v[ok++] = ms_since(t0, t1);
	}
	char label[128];
	const char *base = strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 : argv[0];
	snprintf(label, sizeof label, "%s%s%s (exec + exit)", base, argv[1] ? " " : "",
	         argv[1] ? argv[1] : "");
	print_stats(label, v, ok, "ms", 2);
	free(v);
	return 0;
}

static int cmd_startup(int runs, const char *synthetic)
{
	struct gwd *g = start_gateway(synthetic);
	struct cat_info ci;
	catalog_info(g, &ci);
	printf("  gateway: %zu categories (first \"%s\"), %zu services, catalog JSON %zu bytes (%s%s)\n",
	       ci.n_cats, ci.first_name, ci.n_svcs, ci.body_len,
	       synthetic ? "--demo --synthetic " : "--demo", synthetic ? synthetic : "");
	double *home = calloc((size_t)runs, sizeof *home), *cats = calloc((size_t)runs, sizeof *cats),
	       *after1 = calloc((size_t)runs, sizeof *after1),
	       *bytes = calloc((size_t)runs, sizeof *bytes);
	int ok = 0, fails = 0, rc = 0;
	/* Run -1 warms the page cache and is not counted. */
	for (int i = -1; i < runs && fails < 3; i++) {
		int64_t t0 = now_ns();
		struct harness *h = h_start_kiosk(gwd_url(g), COLS, ROWS, NULL);
		if (!h)
			die("cannot start the kiosk in a pty");
		if (!wait_frame(h, T_HOME, NULL, 10000)) {
			fprintf(stderr, "%s: no home screen within 10 s:\n", prog);
			h_dump(h, stderr);
			h_free(h);
			fails++;
			continue;
		}
		int64_t t1 = now_ns(), t2 = t1;
		size_t b1 = h_bytes_out(h);
		if (synthetic) {
			h_type(h, "1");
			/* The first category with its service count: the catalog
			 * has arrived, been decoded and laid out. */
			int r = wait_categories(h, ci.first_name, 20000);
			if (r < 0) {
				print_rejection(h, &ci);
				h_free(h);
				rc = 3;
				break;
			}
			if (r == 0) {
				fprintf(stderr, "%s: no categories within 20 s:\n", prog);
				h_dump(h, stderr);
				h_free(h);
				fails++;
				continue;
			}
			t2 = now_ns();
		}
		if (i == runs - 1) {
			/* The last run: memory once the screen has settled. */
			h_settle(h, 300, 3000);
			print_mem(synthetic ? "peak RSS (VmHWM), categories screen" :
			                      "peak RSS (VmHWM), home, catalog loaded", h_pid(h));
		}
		h_free(h);
		if (i < 0)
			continue;
		home[ok] = ms_since(t0, t1);
		bytes[ok] = (double)b1;
		cats[ok] = ms_since(t0, t2);
		after1[ok] = ms_since(t1, t2);
		ok++;
	}
	if (ok > 0) {
		print_stats("start -> first painted home screen", home, ok, "ms", 1);
		print_stats("  bytes written up to that first paint", bytes, ok, "B", 0);
		if (synthetic) {
			print_stats("start -> home, \"1\" -> categories painted", cats, ok, "ms", 1);
			print_stats("  of which \"1\" -> categories painted", after1, ok, "ms", 1);
		}
	}
	free(home);
	free(cats);
	free(after1);
	free(bytes);
	gwd_free(g);
	return rc ? rc : ok == runs ? 0 : 1;
}

/* ---- browse ------------------------------------------------------------------ */

/* Focus moves that each move by exactly one item: down `span` times, up
 * `span` times, `cycles` times over; the bytes each one wrote. */
static int bytes_per_move(struct harness *h, int span, int cycles, double *out, double *ms)
{
	int n = 0;
	for (int c = 0; c < cycles; c++)
		for (int d = 0; d < 2; d++)
			for (int k = 0; k < span; k++) {
				size_t b;
				double t = key_round_trip(h, d ? H_UP : H_DOWN, NULL, 30, &b);
				if (ms)
					ms[n] = t;
				out[n++] = (double)b;
			}
	return n;
}

static int cmd_browse(const char *synthetic, int keys)
{
	struct gwd *g = start_gateway(synthetic);
	struct cat_info ci;
	catalog_info(g, &ci);
	printf("  gateway: %zu categories, %zu services; biggest category \"%s\": %zu services\n",
	       ci.n_cats, ci.n_svcs, ci.big_name, ci.big_n);

	struct harness *h = h_start_kiosk(gwd_url(g), COLS, ROWS, NULL);
	if (!h || !wait_frame(h, T_HOME, NULL, 10000))
		die("no home screen");
	int pid = h_pid(h);
	/* Let the catalog arrive and the screen settle before measuring. */
	h_settle(h, 300, 5000);
	print_mem("peak RSS (VmHWM), home, catalog loaded", pid);

	/* 4. bytes per focus move, home: 2 columns x 4 rows at 80x24. */
	double v[64], t[64];
	int n = bytes_per_move(h, 3, 4, v, t);
	print_stats("bytes per focus move, home (Down/Up)", v, n, "B", 0);
	print_stats("  home: key -> paint settled (pty round trip)", t, n, "ms", 3);

	/* Categories, then the biggest one. */
	h_type(h, "1");
	int r = wait_categories(h, ci.first_name, 20000);
	if (r < 0) {
		print_rejection(h, &ci);
		h_free(h);
		gwd_free(g);
		return 3;
	}
	if (r == 0) {
		h_dump(h, stderr);
		die("no categories within 20 s");
	}
	int col = -1, row = -1;
	for (int p = 0; p < 20 && !h_find(h, ci.big_name, &col, &row); p++) {
		h_key(h, H_PGDN);
		h_settle(h, 50, 1000);
	}
	if (col < 2) {
		h_dump(h, stderr);
		die("category \"%s\" not found on the categories screen", ci.big_name);
	}
	struct h_cell digit = h_cell_at(h, col - 2, row);
	if (digit.ch < '1' || digit.ch > '9') {
		h_dump(h, stderr);
		die("no digit before the category's name");
	}
	char key[2] = { (char)digit.ch, 0 };
	h_type(h, key);
	int page = 0, pages = 0;
	if (!h_wait_text(h, "第 1/", 10000) || !page_of(h, &page, &pages))
		die("the services list did not open");
	h_settle(h, 100, 2000);

	n = bytes_per_move(h, 5, 2, v, t);
	print_stats("bytes per focus move, services list p.1", v, n, "B", 0);
	print_stats("  list: key -> paint settled (pty round trip)", t, n, "ms", 3);

	/* 2. peak RSS after a few pages. */
	for (int i = 0; i < 5; i++) {
		h_key(h, H_PGDN);
		h_settle(h, 30, 1000);
	}
	page_of(h, &page, &pages);
	printf("  after categories, the biggest category and 5 pages (now on page %d/%d):\n",
	       page, pages);
	print_mem("peak RSS (VmHWM) after browsing", pid);

	/* 3. time per key in the biggest category's list. */
	double *lat = calloc((size_t)keys, sizeof *lat), *by = calloc((size_t)keys, sizeof *by);
	int p0 = page;
	int m = 0;
	for (int i = 0; i < keys; i++) {
		size_t b;
		double d = key_round_trip(h, H_DOWN, NULL, 10, &b);
		if (d >= 0) {
			lat[m] = d;
			by[m++] = (double)b;
		}
	}
	page_of(h, &page, &pages);
	print_stats("Down: key -> paint settled (pty round trip)", lat, m, "ms", 3);
	print_stats("  bytes written per Down", by, m, "B", 0);
	printf("  (%d Downs moved from page %d to page %d of %d)\n", keys, p0, page, pages);
	p0 = page;
	m = 0;
	for (int i = 0; i < keys; i++) {
		size_t b;
		double d = key_round_trip(h, H_PGDN, NULL, 10, &b);
		if (d >= 0) {
			lat[m] = d;
			by[m++] = (double)b;
		}
	}
	page_of(h, &page, &pages);
	print_stats("PgDn: key -> paint settled (pty round trip)", lat, m, "ms", 3);
	print_stats("  bytes written per PgDn", by, m, "B", 0);
	printf("  (%d PgDns moved from page %d to page %d of %d)\n", keys, p0, page, pages);
	print_mem("peak RSS (VmHWM) after all the keys", pid);
	free(lat);
	free(by);
	h_free(h);
	gwd_free(g);
	return 0;
}

/* ---- dialog --menu ----------------------------------------------------------- */

static const char **dialog_argv(int items)
{
	const char **argv = calloc((size_t)items * 2 + 16, sizeof *argv);
	int n = 0;
	argv[n++] = "dialog";
	argv[n++] = "--menu";
	argv[n++] = "Choose a service";
	argv[n++] = "0";
	argv[n++] = "0";
	argv[n++] = "0";
	for (int i = 1; i <= items; i++) {
		char *tag, *item;
		if (asprintf(&tag, "%d", i) < 0 || asprintf(&item, "General service %05d", i) < 0)
			abort();
		argv[n++] = tag;
		argv[n++] = item;
	}
	argv[n] = NULL;
	return argv;
}

static int cmd_dialog(int items, int runs, int keys)
{
	const char **argv = dialog_argv(items);
	double *first = calloc((size_t)runs, sizeof *first);
	int ok = 0;
	for (int i = -1; i < runs; i++) {
		int64_t t0 = now_ns();
		struct harness *h = h_start(argv, COLS, ROWS, NULL);
		if (!h)
			die("cannot start dialog in a pty");
		if (!h_wait_text(h, "General service 00001", 10000) || !h_wait_text(h, "Cancel", 5000)) {
			h_dump(h, stderr);
			die("dialog painted no menu");
		}
		int64_t t1 = now_ns();
		h_free(h);
		if (i >= 0)
			first[ok++] = ms_since(t0, t1);
	}
	print_stats("start -> first painted menu", first, ok, "ms", 1);

	struct harness *h = h_start(argv, COLS, ROWS, NULL);
	if (!h || !h_wait_text(h, "Cancel", 10000))
		die("dialog painted no menu");
	h_settle(h, 200, 2000);
	dump_if(h, "dialog menu");
	int pid = h_pid(h);
	double v[64];
	int n = bytes_per_move(h, 8, 2, v, NULL);
	print_stats("bytes per focus move (Down/Up, no scrolling)", v, n, "B", 0);
	for (int i = 0; i < 5; i++) {
		h_key(h, H_PGDN);
		h_settle(h, 30, 1000);
	}
	print_mem("peak RSS (VmHWM) after 5 pages", pid);
	double *lat = calloc((size_t)keys, sizeof *lat), *by = calloc((size_t)keys, sizeof *by);
	int m = 0;
	for (int i = 0; i < keys; i++) {
		size_t b;
		double d = key_round_trip(h, H_DOWN, NULL, 10, &b);
		if (d >= 0) {
			lat[m] = d;
			by[m++] = (double)b;
		}
	}
	print_stats("Down: key -> paint settled (pty round trip)", lat, m, "ms", 3);
	print_stats("  bytes written per Down", by, m, "B", 0);
	m = 0;
	for (int i = 0; i < keys; i++) {
		size_t b;
		double d = key_round_trip(h, H_PGDN, NULL, 10, &b);
		if (d >= 0) {
			lat[m] = d;
			by[m++] = (double)b;
		}
	}
	print_stats("PgDn: key -> paint settled (pty round trip)", lat, m, "ms", 3);
	print_stats("  bytes written per PgDn", by, m, "B", 0);
	print_mem("peak RSS (VmHWM) after all the keys", pid);
	free(lat);
	free(by);
	h_free(h);
	for (int i = 6; argv[i]; i++)
		free((void *)argv[i]);
	free(argv);
	free(first);
	return 0;
}

/* ---- main -------------------------------------------------------------------- */

static void usage(void)
{
	fprintf(stderr,
	        "usage: %s exec [--runs N]\n"
	        "       %s startup [--runs N] [--synthetic S]\n"
	        "       %s browse [--synthetic S] [--keys N]\n"
	        "       %s dialog [--items N] [--runs N] [--keys N]\n",
	        prog, prog, prog, prog);
	exit(2);
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	/* The core's string sanitizer works in the locale's character type,
	 * as in the kiosk (main.c): without UTF-8, Chinese becomes U+FFFD. */
	if (!setlocale(LC_ALL, "C.UTF-8"))
		setlocale(LC_ALL, "");
	if (argc < 2)
		usage();
	const char *cmd = argv[1], *synthetic = NULL;
	int runs = 15, keys = 200, items = 10000;
	for (int i = 2; i < argc; i++) {
		if (i + 1 >= argc)
			usage();
		if (!strcmp(argv[i], "--runs"))
			runs = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--keys"))
			keys = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--items"))
			items = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--synthetic"))
			synthetic = argv[++i];
		else
			usage();
	}
	if (runs < 1 || keys < 1 || items < 1)
		usage();
	if (!strcmp(cmd, "startup"))
		return cmd_startup(runs, synthetic);
	if (!strcmp(cmd, "exec")) {
		const char *kv[] = { h_kiosk_bin(), "--version", NULL };
		const char *tv[] = { "true", NULL };
		cmd_exec(runs, tv);
		return cmd_exec(runs, kv);
	}
	if (!strcmp(cmd, "browse"))
		return cmd_browse(synthetic ? synthetic : "10000", keys);
	if (!strcmp(cmd, "dialog"))
		return cmd_dialog(items, runs, keys);
	usage();
	return 2;
}
