/* tty.c: the kiosk (and, for comparison, dialog) measured through a pty.
 *
 *   tty exec      [--runs N]                 exec + exit of `true` and `kiosk --version`
 *                                            (the cost of loading before any set-up)
 *   tty startup   [--runs N]                 start -> first painted home screen
 *                                            (gatewayd with the demo catalog)
 *   tty startup   --synthetic S [--runs N]   start -> home -> "3" (Services) -> first
 *                                            painted categories screen (S generated services)
 *   tty browse    [--synthetic S] [--keys N] bytes per focus move (home, services),
 *                                            peak RSS after browsing, time per key
 *   tty dialog    [--items N] [--runs N] [--keys N]
 *                                            the same for dialog --menu with N items
 *   tty voice     [--keys N]                 N (30) focus moves on home, key -> paint settled,
 *                                            with --speech none and in voice mode
 *                                            (--speech espeak:null); cross-check: key ->
 *                                            first audio bytes through ALSA's file
 *                                            plugin into a FIFO
 *   tty large     [--runs N]                 "1" on home (large mode on/off: theme +
 *                                            relayout) at 80x24 and 120x40, key -> paint
 *                                            settled and bytes; resizes 80x24 <-> 40x15
 *                                            in large and normal mode
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

#include <errno.h>
#include <fcntl.h>
#include <locale.h>
#include <pthread.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>
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
	int cols, rows;
	h_size(h, &cols, &rows);
	char *last = h_row_text(h, rows - 1);
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

static double answer_since(struct harness *h, int64_t t0, int quiet_ms, size_t *bytes);

/* Sends a key and reads until the output has been quiet for quiet_ms.
 * Returns the time from the send to the arrival of the last chunk of the
 * answer (ms; -1 if nothing came within 2 s) and the bytes in *bytes. */
static double key_round_trip(struct harness *h, enum h_key key, const char *text,
                             int quiet_ms, size_t *bytes)
{
	h_bytes_reset(h);
	int64_t t0 = now_ns();
	if (text)
		h_type(h, text);
	else
		h_key(h, key);
	return answer_since(h, t0, quiet_ms, bytes);
}

/* The window size changes (TIOCSWINSZ: the kiosk gets SIGWINCH, lays out
 * again and repaints everything); the same figure as a key's. */
static double resize_round_trip(struct harness *h, int cols, int rows, int quiet_ms,
                                size_t *bytes)
{
	h_bytes_reset(h);
	int64_t t0 = now_ns();
	h_resize(h, cols, rows);
	return answer_since(h, t0, quiet_ms, bytes);
}

/* Reads the answer to what was sent at t0 until quiet_ms pass without
 * output: ms from t0 to its last chunk (-1 if nothing came within 2 s),
 * and the bytes since the last h_bytes_reset in *bytes. */
static double answer_since(struct harness *h, int64_t t0, int quiet_ms, size_t *bytes)
{
	struct since s = { 0 };
	int64_t last = -1;
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
			/* 3 = Services (the accessibility modes are 1 and 2). */
			h_type(h, "3");
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
			print_stats("start -> home, \"3\" -> categories painted", cats, ok, "ms", 1);
			print_stats("  of which \"3\" -> categories painted", after1, ok, "ms", 1);
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

	/* Categories (3 = Services on home), then the biggest one. */
	h_type(h, "3");
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

/* ---- voice mode: focus move -> speech ------------------------------------ */

#define T_VOICE_ON "语音播报：开"
#define T_LARGE_ON "大字模式：开"
#define T_LARGE "大字模式"

/* ALSA's file plugin (alsa-lib's pcm.file: FILE, FORMAT; slave null) writes
 * what the kiosk's aplay plays into a FIFO; this thread reads it and notes
 * when the first bytes arrive after arming. */
struct audio_tap {
	int fd;                 /* the FIFO, O_RDWR: never EOF between players */
	pthread_t th;
	pthread_mutex_t mu;
	int64_t armed;          /* 0: not armed */
	int64_t first;          /* first bytes after arming, or 0 */
	size_t bytes;
	bool quit;
};

static void *tap_main(void *arg)
{
	struct audio_tap *t = arg;
	static char buf[65536];
	for (;;) {
		ssize_t k = read(t->fd, buf, sizeof buf);
		int64_t now = now_ns();
		pthread_mutex_lock(&t->mu);
		bool quit = t->quit;
		if (k > 0) {
			t->bytes += (size_t)k;
			if (t->armed && !t->first)
				t->first = now;
		}
		pthread_mutex_unlock(&t->mu);
		if (quit || (k < 0 && errno != EINTR))
			break;
	}
	return NULL;
}

static void tap_arm(struct audio_tap *t)
{
	pthread_mutex_lock(&t->mu);
	t->armed = now_ns();
	t->first = 0;
	pthread_mutex_unlock(&t->mu);
}

static int64_t tap_first(struct audio_tap *t)
{
	pthread_mutex_lock(&t->mu);
	int64_t v = t->first;
	pthread_mutex_unlock(&t->mu);
	return v;
}

/* Lines of the kiosk's log that name speech or a latency. */
static int scan_kiosk_log(struct harness *h, bool print, bool *audio_failed)
{
	char path[4200], line[512];
	int latency_lines = 0;
	snprintf(path, sizeof path, "%s/kiosk.log", h_tmpdir(h));
	FILE *f = fopen(path, "r");
	*audio_failed = false;
	while (f && fgets(line, sizeof line, f)) {
		if (strstr(line, "no audio"))
			*audio_failed = true;
		if (strstr(line, "latency")) {
			latency_lines++;
			if (print && latency_lines <= 3)
				printf("  kiosk.log: %s", line);
		}
		if (print && (strstr(line, "no audio") || strstr(line, "speech: espeak-ng")))
			printf("  kiosk.log: %s", line);
	}
	if (f)
		fclose(f);
	return latency_lines;
}

/* Focus moves on home (Down x3, Up x3, over and over: the 2-column home
 * has 4 rows at 80x24), gap_ms apart so that each prompt has been said
 * before the next key; key -> paint settled in paint[], and key -> first
 * audio bytes in audio[] when there is a tap. Returns the count. */
static int home_moves(struct harness *h, int keys, int gap_ms, struct audio_tap *tap,
                      double *paint, double *audio, int *n_audio)
{
	int n = 0;
	*n_audio = 0;
	for (int i = 0; i < keys; i++) {
		enum h_key key = (i / 3) % 2 ? H_UP : H_DOWN;
		h_bytes_reset(h);
		if (tap)
			tap_arm(tap);
		int64_t t0 = now_ns();
		h_key(h, key);
		double d = answer_since(h, t0, 30, NULL);
		if (d >= 0)
			paint[n++] = d;
		if (tap) {
			int64_t first = 0;
			for (int w = 0; w < 400 && !(first = tap_first(tap)); w++)
				h_pump(h, 5);
			if (first)
				audio[(*n_audio)++] = ms_since(t0, first);
		}
		h_pump(h, gap_ms);
	}
	return n;
}

static struct harness *start_home(struct gwd *g, int cols, int rows, const char *const extra[])
{
	struct harness *h = h_start_kiosk(gwd_url(g), cols, rows, extra);
	if (!h || !wait_frame(h, T_HOME, NULL, 10000)) {
		if (h)
			h_dump(h, stderr);
		die("no home screen");
	}
	/* The catalog arrives, the first prompt is said: settle first. */
	h_settle(h, 300, 5000);
	return h;
}

static int cmd_voice(int keys)
{
	const int gap_ms = 200;
	struct gwd *g = start_gateway(NULL);
	double *paint = calloc((size_t)keys, sizeof *paint), *audio = calloc((size_t)keys, sizeof *audio);
	int n, na, rc = 0;
	bool failed;

	printf("  %d focus moves on home (Down x3, Up x3, ...), %d ms apart, 80x24, demo gateway\n",
	       keys, gap_ms);

	/* A: no speech, as in the browse figures. */
	const char *const a_args[] = { "--speech", "none", NULL };
	struct harness *h = start_home(g, COLS, ROWS, a_args);
	n = home_moves(h, keys, gap_ms, NULL, paint, audio, &na);
	print_stats("speech none: key -> paint settled", paint, n, "ms", 3);
	h_free(h);

	/* B: voice mode, espeak through aplay -D null (no sound card). */
	const char *const b_args[] = { "--mode", "voice", "--speech", "espeak:null", NULL };
	h = start_home(g, COLS, ROWS, b_args);
	if (!h_find(h, T_VOICE_ON, NULL, NULL)) {
		h_dump(h, stderr);
		die("voice mode is not on (no \"%s\" on home)", T_VOICE_ON);
	}
	n = home_moves(h, keys, gap_ms, NULL, paint, audio, &na);
	print_stats("voice mode: key -> paint settled", paint, n, "ms", 3);
	int lat = scan_kiosk_log(h, true, &failed);
	if (failed) {
		printf("  THE KIOSK HAD NO AUDIO DEVICE (aplay -D null failed): no prompt was synthesized\n");
		rc = 1;
	}
	if (lat == 0)
		printf("  (kiosk.log has no per-utterance latency line: focus move -> speech is this\n"
		       "   key -> paint plus say -> first samples from build/bench/speech; the kiosk\n"
		       "   calls speech_say() right after the paint's refresh(), in the same loop pass)\n");
	h_free(h);

	/* C, cross-check: the same with ALSA's file plugin writing the audio
	 * into a FIFO read here: key -> first samples out of aplay, directly. */
	char dir[] = "/tmp/bench-voice-XXXXXX", fifo[64], spec[128];
	struct audio_tap tap = { .fd = -1 };
	if (!mkdtemp(dir))
		die("mkdtemp: %s", strerror(errno));
	snprintf(fifo, sizeof fifo, "%s/audio.fifo", dir);
	snprintf(spec, sizeof spec, "espeak:file:FILE=%s,FORMAT=raw", fifo);
	if (mkfifo(fifo, 0600) != 0 || (tap.fd = open(fifo, O_RDWR | O_CLOEXEC)) < 0)
		die("fifo %s: %s", fifo, strerror(errno));
	pthread_mutex_init(&tap.mu, NULL);
	if (pthread_create(&tap.th, NULL, tap_main, &tap) != 0)
		die("pthread_create");
	const char *const c_args[] = { "--mode", "voice", "--speech", spec, NULL };
	h = start_home(g, COLS, ROWS, c_args);
	n = home_moves(h, keys, gap_ms, &tap, paint, audio, &na);
	printf("  cross-check, --speech espeak:file:FILE=FIFO,FORMAT=raw (ALSA file plugin):\n");
	print_stats("voice, audio tap: key -> paint settled", paint, n, "ms", 3);
	print_stats("voice, audio tap: key -> first audio bytes", audio, na, "ms", 3);
	pthread_mutex_lock(&tap.mu);
	size_t tapped = tap.bytes;
	pthread_mutex_unlock(&tap.mu);
	printf("  (%d of %d moves produced audio; %zu bytes of 16-bit 22050 Hz samples in all)\n",
	       na, keys, tapped);
	scan_kiosk_log(h, false, &failed);
	if (failed || na < keys) {
		printf("  the audio tap did not see every prompt%s\n",
		       failed ? " (the kiosk reported no audio device)" : "");
		rc = 1;
	}
	h_free(h);
	pthread_mutex_lock(&tap.mu);
	tap.quit = true;
	pthread_mutex_unlock(&tap.mu);
	if (write(tap.fd, "", 1) < 0) {
		/* the reader wakes up anyway once it is closed below */
	}
	pthread_join(tap.th, NULL);
	close(tap.fd);
	unlink(fifo);
	rmdir(dir);
	free(paint);
	free(audio);
	gwd_free(g);
	return rc;
}

/* ---- large mode: relayout --------------------------------------------------- */

/* runs presses of "1" on home (on, off, on, ...) at cols x rows. */
static int large_toggles(struct gwd *g, int cols, int rows, int runs, const char *config,
                         const char *tag)
{
	const char *args[] = { "--speech", "none", NULL, NULL, NULL };
	if (config) {
		args[2] = "--config";
		args[3] = config;
	}
	struct harness *h = start_home(g, cols, rows, args);
	double *all = calloc((size_t)runs, sizeof *all), *on = calloc((size_t)runs, sizeof *on),
	       *off = calloc((size_t)runs, sizeof *off), *bon = calloc((size_t)runs, sizeof *bon),
	       *boff = calloc((size_t)runs, sizeof *boff);
	int n = 0, non = 0, noff = 0, rc = 0;
	for (int i = 0; i < runs; i++) {
		bool want_on = i % 2 == 0;
		size_t b;
		double d = key_round_trip(h, 0, "1", 30, &b);
		bool is_on = h_find(h, T_LARGE_ON, NULL, NULL);
		if (d < 0 || is_on != want_on) {
			fprintf(stderr, "%s: \"1\" did not turn large mode %s\n", prog,
			        want_on ? "on" : "off");
			h_dump(h, stderr);
			rc = 1;
			break;
		}
		all[n++] = d;
		if (want_on) {
			on[non] = d;
			bon[non++] = (double)b;
		} else {
			off[noff] = d;
			boff[noff++] = (double)b;
		}
		h_settle(h, 50, 1000);
	}
	char label[128];
	snprintf(label, sizeof label, "%dx%d%s: \"1\" -> paint settled, all", cols, rows, tag);
	print_stats(label, all, n, "ms", 2);
	if (!config && non > 0) {
		print_stats("  turning large mode on", on, non, "ms", 2);
		print_stats("  bytes written, on", bon, non, "B", 0);
	}
	if (!config && noff > 0) {
		print_stats("  turning it off", off, noff, "ms", 2);
		print_stats("  bytes written, off", boff, noff, "B", 0);
	}
	free(all);
	free(on);
	free(off);
	free(bon);
	free(boff);
	h_free(h);
	return rc;
}

/* Resizes 80x24 -> 40x15 and back, runs times each, in large mode or not. */
static int resizes(struct gwd *g, int runs, bool large)
{
	const char *args[] = { "--speech", "none", NULL };
	struct harness *h = start_home(g, COLS, ROWS, args);
	if (large) {
		h_type(h, "1");
		if (!h_wait_text(h, T_LARGE_ON, 3000)) {
			h_dump(h, stderr);
			die("\"1\" did not turn large mode on");
		}
		h_settle(h, 100, 2000);
	}
	double *down = calloc((size_t)runs, sizeof *down), *up = calloc((size_t)runs, sizeof *up),
	       *bd = calloc((size_t)runs, sizeof *bd), *bu = calloc((size_t)runs, sizeof *bu);
	int nd = 0, nu = 0;
	for (int i = 0; i < runs; i++) {
		size_t b;
		double d = resize_round_trip(h, 40, 15, 30, &b);
		if (d >= 0) {
			down[nd] = d;
			bd[nd++] = (double)b;
		}
		if (i == 0)
			dump_if(h, large ? "large mode, 40x15" : "normal mode, 40x15");
		h_settle(h, 50, 1000);
		d = resize_round_trip(h, COLS, ROWS, 30, &b);
		if (d >= 0) {
			up[nu] = d;
			bu[nu++] = (double)b;
		}
		h_settle(h, 50, 1000);
	}
	bool still = !large || h_find(h, T_LARGE_ON, NULL, NULL);
	const char *m = large ? "large" : "normal";
	char l1[128], l2[128], l3[128], l4[128];
	snprintf(l1, sizeof l1, "%s, resize 80x24->40x15 -> paint settled", m);
	snprintf(l2, sizeof l2, "  bytes written (full repaint)");
	snprintf(l3, sizeof l3, "%s, resize 40x15->80x24 -> paint settled", m);
	snprintf(l4, sizeof l4, "  bytes written (full repaint)");
	print_stats(l1, down, nd, "ms", 2);
	print_stats(l2, bd, nd, "B", 0);
	print_stats(l3, up, nu, "ms", 2);
	print_stats(l4, bu, nu, "B", 0);
	free(down);
	free(up);
	free(bd);
	free(bu);
	h_free(h);
	if (!still || nd < runs || nu < runs) {
		printf("  (some resizes were not answered, or large mode was lost)\n");
		return 1;
	}
	return 0;
}

static int cmd_large(int runs)
{
	struct gwd *g = start_gateway(NULL);
	int rc = 0;
	printf("  \"1\" on home toggles large mode (theme, relayout, xterm font escape, which\n"
	       "  the harness ignores); %d presses: on, off, on, ... --speech none, demo gateway\n",
	       runs);
	rc |= large_toggles(g, COLS, ROWS, runs, NULL, "");
	rc |= large_toggles(g, 120, 40, runs, NULL, "");

	/* The keyboard-wedge hold on printable keys, isolated: the same presses
	 * with the detector on (opt-in, [scanner] wedge = on; 35 ms). */
	char dir[] = "/tmp/bench-large-XXXXXX", conf[64];
	if (!mkdtemp(dir))
		die("mkdtemp: %s", strerror(errno));
	snprintf(conf, sizeof conf, "%s/kiosk.conf", dir);
	FILE *f = fopen(conf, "w");
	if (!f)
		die("%s: %s", conf, strerror(errno));
	fputs("[scanner]\nwedge = on\n", f);
	fclose(f);
	printf("  the same with [scanner] wedge = on (off by default; on, digits are held\n"
	       "  back wedge_gap_ms = 35 in case they are a keyboard-wedge scan):\n");
	rc |= large_toggles(g, COLS, ROWS, runs, conf, ", wedge on");
	unlink(conf);
	rmdir(dir);

	printf("  a real terminal answers the font change with SIGWINCH: a second relayout\n");
	rc |= resizes(g, runs, true);
	rc |= resizes(g, runs, false);
	gwd_free(g);
	return rc;
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
	        "       %s dialog [--items N] [--runs N] [--keys N]\n"
	        "       %s voice [--keys N]\n"
	        "       %s large [--runs N]\n",
	        prog, prog, prog, prog, prog, prog);
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
	bool keys_given = false;
	for (int i = 2; i < argc; i++) {
		if (i + 1 >= argc)
			usage();
		if (!strcmp(argv[i], "--runs"))
			runs = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--keys")) {
			keys = atoi(argv[++i]);
			keys_given = true;
		}
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
	if (!strcmp(cmd, "voice"))
		return cmd_voice(keys_given ? keys : 30); /* 200 ms apart: 30 by default */
	if (!strcmp(cmd, "large"))
		return cmd_large(runs);
	usage();
	return 2;
}
