/* test_printer.c: the receipt printer in a real event loop: the file
 * backend (exact bytes, appending, faults from PATH.status, a missing
 * folder), bad specs, none, and escpos on a pty where the test plays the
 * printer: it answers DLE EOT with the status bytes of a printer that is
 * online, out of paper, open, or says nothing at all; and it is unplugged
 * (its node disappears). */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "escpos.h"
#include "log.h"
#include "loop.h"
#include "printer.h"

#define MAX_DONE 16

/* What the callbacks saw, and the test's printer on the pty's master. */
struct bench {
	struct loop *l;
	struct {
		enum printer_status st;
		char why[256];
		int tag;
	} done[MAX_DONE];
	int n_done;
	bool timed_out;
	/* the fake printer */
	int master;
	unsigned char answers[ESCPOS_STATUS_ANSWERS];
	bool silent;
	bool xon_noise;          /* an XON before each answer */
	unsigned char got[16384];
	size_t n_got;
	size_t scanned;          /* got[] looked at for queries */
	int queries;
	/* printer_free from inside the callback of this tag */
	struct printer *free_me;
	int free_on_tag;
};

static struct bench *bench_new(void)
{
	struct bench *b = calloc(1, sizeof *b);
	b->l = loop_new();
	b->master = -1;
	return b;
}

static void bench_free(struct bench *b)
{
	if (b->master >= 0) {
		loop_fd_del(b->l, b->master);
		close(b->master);
	}
	loop_free(b->l);
	free(b);
}

struct tagged {
	struct bench *b;
	int tag;
};

static void on_done(void *ud, enum printer_status st, const char *why)
{
	struct tagged *t = ud;
	struct bench *b = t->b;

	cr_assert_lt(b->n_done, MAX_DONE);
	b->done[b->n_done].st = st;
	b->done[b->n_done].tag = t->tag;
	snprintf(b->done[b->n_done].why, sizeof b->done[0].why, "%s", why ? why : "");
	b->n_done++;
	if (b->free_me && t->tag == b->free_on_tag) {
		printer_free(b->free_me);
		b->free_me = NULL;
	}
	free(t);
	loop_stop(b->l, 0);
}

static struct tagged *tag(struct bench *b, int n)
{
	struct tagged *t = malloc(sizeof *t);
	t->b = b;
	t->tag = n;
	return t;
}

static long on_deadline(struct loop *l, long long id, void *ud)
{
	struct bench *b = ud;
	b->timed_out = true;
	loop_stop(l, 1);
	return -1;
}

/* Runs the loop until `n` callbacks in all came (or ms passed). */
static bool wait_done(struct bench *b, int n, long ms)
{
	long long t = loop_timer_add(b->l, ms, on_deadline, b);
	b->timed_out = false;
	while (b->n_done < n && !b->timed_out)
		loop_run(b->l);
	loop_timer_del(b->l, t);
	return b->n_done >= n;
}

/* Runs the loop until the fake printer got `n` bytes (or ms passed). */
static bool wait_bytes(struct bench *b, size_t n, long ms)
{
	long long t = loop_timer_add(b->l, ms, on_deadline, b);
	b->timed_out = false;
	while (b->n_got < n && !b->timed_out)
		loop_run(b->l);
	loop_timer_del(b->l, t);
	return b->n_got >= n;
}

static enum printer_status check(struct bench *b, struct printer *p, char *why, size_t n)
{
	int before = b->n_done;
	printer_check(p, on_done, tag(b, 0));
	cr_assert_eq(b->n_done, before, "a callback from inside printer_check");
	cr_assert(wait_done(b, before + 1, 5000), "no answer from printer_check");
	if (why)
		snprintf(why, n, "%s", b->done[before].why);
	return b->done[before].st;
}

static enum printer_status print(struct bench *b, struct printer *p, const void *bytes,
                                 size_t len)
{
	int before = b->n_done;
	printer_print(p, bytes, len, on_done, tag(b, 0));
	cr_assert_eq(b->n_done, before, "a callback from inside printer_print");
	cr_assert(wait_done(b, before + 1, 15000), "no answer from printer_print");
	return b->done[before].st;
}

static struct printer *open_ok(struct bench *b, const char *spec)
{
	char err[200];
	struct printer *p = printer_open(b->l, spec, err, sizeof err);
	cr_assert_not_null(p, "%s: %s", spec, err);
	return p;
}

static char *temp_dir(void)
{
	char *d = strdup("/tmp/kiosk-prn-XXXXXX");
	cr_assert_not_null(mkdtemp(d));
	return d;
}

static void remove_tree(char *dir)
{
	char cmd[300];
	snprintf(cmd, sizeof cmd, "rm -rf -- '%s'", dir);
	cr_assert_eq(system(cmd), 0);
	free(dir);
}

static char *slurp(const char *path, size_t *len)
{
	static char buf[65536];
	int fd = open(path, O_RDONLY);
	*len = 0;
	if (fd < 0)
		return NULL;
	ssize_t n;
	while ((n = read(fd, buf + *len, sizeof buf - *len)) > 0)
		*len += (size_t)n;
	close(fd);
	return buf;
}

static void put_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	cr_assert_not_null(f);
	fputs(text, f);
	fclose(f);
}

/* Lines of the log file holding needle. */
static int log_count(const char *log, const char *needle)
{
	size_t len;
	char *s = slurp(log, &len);
	int n = 0;
	if (!s)
		return 0;
	s[len < 65535 ? len : 65535] = '\0';
	for (char *p = strstr(s, needle); p; p = strstr(p + 1, needle))
		n++;
	return n;
}

/* ---- file: ------------------------------------------------------------- */

Test(printer, file_writes_exact_bytes_and_appends)
{
	struct bench *b = bench_new();
	char *dir = temp_dir(), spec[600], path[300], err[200];
	snprintf(path, sizeof path, "%s/receipts.bin", dir);
	snprintf(spec, sizeof spec, "file:%s", path);
	struct printer *p = open_ok(b, spec);
	cr_assert_str_eq(printer_spec(p), spec);

	cr_assert_eq(check(b, p, NULL, 0), PRINTER_OK);
	static const unsigned char one[] = { 0x1b, '@', 0x00, 0xff, '\n', 0x1d, 'V', 66, 0 };
	cr_assert_eq(print(b, p, one, sizeof one), PRINTER_OK);
	cr_assert_eq(print(b, p, "second", 6), PRINTER_OK);
	size_t len;
	char *got = slurp(path, &len);
	cr_assert_not_null(got);
	cr_assert_eq(len, sizeof one + 6);
	cr_assert(!memcmp(got, one, sizeof one));
	cr_assert(!memcmp(got + sizeof one, "second", 6));
	struct stat st;
	cr_assert_eq(stat(path, &st), 0);
	cr_assert_eq(st.st_mode & 0777, 0600, "a receipt file is private");
	cr_assert_eq(printer_last_status(p), PRINTER_OK);

	/* A real receipt reads back as one. */
	struct receipt r = { .amount_fen = 4560, .payee = "自来水公司", .receipt_no = "R-1",
	                     .verify = "https://v.example/R-1" };
	size_t n;
	unsigned char *bytes = escpos_receipt(&r, ESCPOS_COLS_58MM, &n, err, sizeof err);
	cr_assert_not_null(bytes, "%s", err);
	cr_assert_eq(print(b, p, bytes, n), PRINTER_OK);
	got = slurp(path, &len);
	cr_assert_eq(len, sizeof one + 6 + n);
	cr_assert(!memcmp(got + sizeof one + 6, bytes, n));
	free(bytes);
	printer_free(p);
	bench_free(b);
	remove_tree(dir);
}

Test(printer, file_status_faults_are_reported_and_logged_once)
{
	struct bench *b = bench_new();
	char *dir = temp_dir(), spec[600], path[300], sp[600], log[300], why[256];
	snprintf(path, sizeof path, "%s/r.bin", dir);
	snprintf(sp, sizeof sp, "%s.status", path);
	snprintf(log, sizeof log, "%s/kiosk.log", dir);
	snprintf(spec, sizeof spec, "file:%s", path);
	cr_assert_eq(log_open(log), 0);
	struct printer *p = open_ok(b, spec);

	static const struct { const char *word; enum printer_status st; } faults[] = {
		{ "paper_out\n", PRINTER_PAPER_OUT },
		{ "cover_open", PRINTER_COVER_OPEN },
		{ "offline\n", PRINTER_OFFLINE },
		{ "on fire", PRINTER_OFFLINE },
		{ "absent", PRINTER_ABSENT },
	};
	for (size_t i = 0; i < sizeof faults / sizeof faults[0]; i++) {
		put_file(sp, faults[i].word);
		cr_assert_eq(check(b, p, why, sizeof why), faults[i].st, "%s", faults[i].word);
		cr_assert(strstr(why, ".status"), "%s", why);
		/* A printer with a fault prints nothing. */
		cr_assert_eq(print(b, p, "X", 1), faults[i].st);
		size_t len;
		cr_assert_null(slurp(path, &len), "nothing printed with %s", faults[i].word);
	}

	/* Logged once, however often it is tried; and once when it is back. */
	put_file(sp, "paper_out");
	for (int i = 0; i < 3; i++)
		cr_assert_eq(check(b, p, NULL, 0), PRINTER_PAPER_OUT);
	put_file(sp, "ok");
	cr_assert_eq(check(b, p, NULL, 0), PRINTER_OK);
	cr_assert_eq(check(b, p, NULL, 0), PRINTER_OK);
	unlink(sp);
	cr_assert_eq(print(b, p, "Y", 1), PRINTER_OK);
	log_close();
	/* "offline" then "on fire" (offline too): one line for both */
	cr_assert_eq(log_count(log, "paper_out"), 2, "the first round and the second");
	cr_assert_eq(log_count(log, "cover_open"), 1);
	cr_assert_eq(log_count(log, ": offline"), 1);
	cr_assert_eq(log_count(log, "working again"), 1);
	printer_free(p);
	bench_free(b);
	remove_tree(dir);
}

Test(printer, file_in_a_missing_folder_is_absent)
{
	struct bench *b = bench_new();
	char *dir = temp_dir(), spec[600], why[256];
	snprintf(spec, sizeof spec, "file:%s/gone/r.bin", dir);
	struct printer *p = open_ok(b, spec);
	cr_assert_eq(check(b, p, why, sizeof why), PRINTER_ABSENT);
	cr_assert(strstr(why, "/gone") && strstr(why, "does not exist"), "%s", why);
	cr_assert_eq(print(b, p, "X", 1), PRINTER_ABSENT);

	/* The folder comes (back): it works. */
	char sub[600];
	snprintf(sub, sizeof sub, "%s/gone", dir);
	cr_assert_eq(mkdir(sub, 0700), 0);
	cr_assert_eq(print(b, p, "X", 1), PRINTER_OK);
	printer_free(p);
	bench_free(b);
	remove_tree(dir);
}

/* ---- specs, none --------------------------------------------------------- */

Test(printer, bad_specs_and_none)
{
	struct bench *b = bench_new();
	char err[200], why[256];
	static const struct { const char *spec, *says; } bad[] = {
		{ "laser:/dev/lp0", "unknown kind" },
		{ "/dev/usb/lp0", "unknown kind" },
		{ "", "no printer" },
		{ "escpos:", "absolute path" },
		{ "escpos:lp0", "absolute path" },
		{ "escpos:/dev/ttyS0,12345", "baud" },
		{ "escpos:/dev/ttyS0,9600x", "baud" },
		{ "file:", "needs a path" },
		{ "none:x", "unknown kind" },
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		err[0] = '\0';
		cr_assert_null(printer_open(b->l, bad[i].spec, err, sizeof err), "%s", bad[i].spec);
		cr_assert(strstr(err, bad[i].says), "%s: %s", bad[i].spec, err);
		cr_assert_eq(printer_spec_check(bad[i].spec, err, sizeof err), -1);
		cr_assert(strstr(err, bad[i].says), "%s: %s", bad[i].spec, err);
	}
	cr_assert_eq(printer_spec_check("escpos:/dev/usb/lp0", err, sizeof err), 0);
	cr_assert_eq(printer_spec_check("escpos:/dev/ttyS0,19200", err, sizeof err), 0);
	cr_assert_eq(printer_spec_check("file:/tmp/x", err, sizeof err), 0);
	cr_assert_eq(printer_spec_check("none", err, sizeof err), 0);
	cr_assert_str_eq(printer_status_name(PRINTER_PAPER_OUT), "paper_out");

	struct printer *p = printer_open(b->l, "none", err, sizeof err);
	cr_assert_not_null(p);
	cr_assert_eq(check(b, p, why, sizeof why), PRINTER_ABSENT);
	cr_assert(strstr(why, "no printer"), "%s", why);
	cr_assert_eq(print(b, p, "X", 1), PRINTER_ABSENT);
	printer_free(p);
	printer_free(NULL);
	bench_free(b);
}

Test(printer, jobs_run_in_order_and_free_from_a_callback)
{
	struct bench *b = bench_new();
	char *dir = temp_dir(), spec[600], path[300];
	snprintf(path, sizeof path, "%s/r.bin", dir);
	snprintf(spec, sizeof spec, "file:%s", path);
	struct printer *p = open_ok(b, spec);
	printer_check(p, on_done, tag(b, 1));
	printer_print(p, "A", 1, on_done, tag(b, 2));
	printer_print(p, "B", 1, on_done, tag(b, 3));
	b->free_me = p;
	b->free_on_tag = 2;
	struct tagged *never = tag(b, 4);
	printer_check(p, on_done, never);
	cr_assert(wait_done(b, 2, 3000));
	/* freed inside the second callback: the rest are dropped */
	loop_timer_add(b->l, 100, on_deadline, b);
	loop_run(b->l);
	cr_assert_eq(b->n_done, 2);
	cr_assert_eq(b->done[0].tag, 1);
	cr_assert_eq(b->done[1].tag, 2);
	size_t len;
	char *got = slurp(path, &len);
	cr_assert_eq(len, 1);
	cr_assert_eq(got[0], 'A');
	free(never);
	bench_free(b);
	remove_tree(dir);
}

/* ---- escpos: the test plays the printer on a pty -------------------------- */

static void fake_printer_io(struct loop *l, int fd, int revents, void *ud)
{
	struct bench *b = ud;
	ssize_t n = read(fd, b->got + b->n_got, sizeof b->got - b->n_got);

	if (n <= 0)
		return;
	b->n_got += (size_t)n;
	/* Answers each DLE EOT n as soon as it is whole (a query may come in
	 * pieces; no other byte the kiosk sends is DLE). */
	size_t i = b->scanned;
	while (i + 2 < b->n_got) {
		if (b->got[i] != 0x10 || b->got[i + 1] != 0x04) {
			i++;
			continue;
		}
		unsigned q = b->got[i + 2];
		i += 3;
		b->queries++;
		if (b->silent || q < 1 || q > 4)
			continue;
		unsigned char out[2] = { 0x11, b->answers[q - 1] };
		if (b->xon_noise)
			cr_assert_eq(write(fd, out, 2), 2);
		else
			cr_assert_eq(write(fd, out + 1, 1), 1);
	}
	b->scanned = i;
}

static void reset_got(struct bench *b)
{
	b->n_got = 0;
	b->scanned = 0;
}

/* A pty whose slave is reached through DIR/lp0 (a symlink, which the test
 * removes to unplug the printer). The test keeps a slave descriptor open
 * so that the master does not hang up between jobs. */
static int fake_printer_start(struct bench *b, const char *dir, char *link, size_t n,
                              int *slave_fd)
{
	char slave[128];
	int m = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
	cr_assert_geq(m, 0);
	cr_assert_eq(grantpt(m), 0);
	cr_assert_eq(unlockpt(m), 0);
	cr_assert_eq(ptsname_r(m, slave, sizeof slave), 0);
	*slave_fd = open(slave, O_RDWR | O_NOCTTY | O_CLOEXEC);
	cr_assert_geq(*slave_fd, 0);
	snprintf(link, n, "%s/lp0", dir);
	cr_assert_eq(symlink(slave, link), 0);
	fcntl(m, F_SETFL, fcntl(m, F_GETFL) | O_NONBLOCK);
	b->master = m;
	loop_fd_add(b->l, m, POLLIN, fake_printer_io, b);
	return m;
}

static void set_answers(struct bench *b, unsigned char a1, unsigned char a2, unsigned char a3,
                        unsigned char a4)
{
	b->answers[0] = a1;
	b->answers[1] = a2;
	b->answers[2] = a3;
	b->answers[3] = a4;
	b->silent = false;
}

static long tick(struct loop *l, long long id, void *ud)
{
	(*(int *)ud)++;
	return 10;
}

Test(printer, escpos_on_a_pty)
{
	struct bench *b = bench_new();
	char *dir = temp_dir(), link[300], spec[600], log[300], err[200], why[256];
	int slave_fd;
	snprintf(log, sizeof log, "%s/kiosk.log", dir);
	cr_assert_eq(log_open(log), 0);
	fake_printer_start(b, dir, link, sizeof link, &slave_fd);
	snprintf(spec, sizeof spec, "escpos:%s,19200", link);
	struct printer *p = open_ok(b, spec);

	/* Online: the state, then a receipt, byte for byte after the query. */
	set_answers(b, 0x12, 0x12, 0x12, 0x12);
	cr_assert_eq(check(b, p, why, sizeof why), PRINTER_OK, "%s", why);
	cr_assert_eq(b->queries, 4);
	cr_assert(wait_bytes(b, ESCPOS_STATUS_QUERY_LEN, 2000));
	cr_assert(!memcmp(b->got, ESCPOS_STATUS_QUERY, ESCPOS_STATUS_QUERY_LEN));
	struct receipt r = { .amount_fen = 4560, .payee = "北京市自来水集团", .receipt_no = "R-42",
	                     .verify = "https://v.example/R-42", .paid_at = "2026-12-03 10:15" };
	size_t n;
	unsigned char *bytes = escpos_receipt(&r, ESCPOS_COLS_58MM, &n, err, sizeof err);
	cr_assert_not_null(bytes, "%s", err);
	reset_got(b);
	cr_assert_eq(print(b, p, bytes, n), PRINTER_OK, "%s", b->done[b->n_done - 1].why);
	cr_assert(wait_bytes(b, ESCPOS_STATUS_QUERY_LEN + n, 3000), "%zu bytes", b->n_got);
	cr_assert_eq(b->n_got, ESCPOS_STATUS_QUERY_LEN + n);
	cr_assert(!memcmp(b->got, ESCPOS_STATUS_QUERY, ESCPOS_STATUS_QUERY_LEN));
	cr_assert(!memcmp(b->got + ESCPOS_STATUS_QUERY_LEN, bytes, n), "raw: no byte changed");

	/* XON/XOFF around the answers are not answers. */
	b->xon_noise = true;
	cr_assert_eq(check(b, p, why, sizeof why), PRINTER_OK, "%s", why);
	b->xon_noise = false;

	/* Out of paper (n=2 paper-end stop, n=4 paper-end sensor): nothing
	 * is printed. */
	set_answers(b, 0x1A, 0x32, 0x12, 0x72);
	cr_assert_eq(check(b, p, why, sizeof why), PRINTER_PAPER_OUT);
	cr_assert(strstr(why, "paper"), "%s", why);
	reset_got(b);
	cr_assert_eq(print(b, p, bytes, n), PRINTER_PAPER_OUT);
	long long t = loop_timer_add(b->l, 50, on_deadline, b);
	loop_run(b->l);
	loop_timer_del(b->l, t);
	cr_assert_eq(b->n_got, ESCPOS_STATUS_QUERY_LEN, "only the query went out");

	/* Cover open. */
	set_answers(b, 0x1A, 0x16, 0x12, 0x12);
	cr_assert_eq(check(b, p, why, sizeof why), PRINTER_COVER_OPEN);

	/* Silent: off-line after printer_status_ms, and the loop went on
	 * meanwhile (a 10 ms timer kept ticking). */
	b->silent = true;
	int ticks = 0;
	long long tk = loop_timer_add(b->l, 10, tick, &ticks);
	long long t0 = loop_now_ms();
	cr_assert_eq(check(b, p, why, sizeof why), PRINTER_OFFLINE);
	long long took = loop_now_ms() - t0;
	loop_timer_del(b->l, tk);
	cr_assert(took >= printer_status_ms - 20 && took < printer_status_ms + 700, "%lld ms", took);
	cr_assert_geq(ticks, 10, "the loop was blocked: %d ticks in %lld ms", ticks, took);
	cr_assert(strstr(why, "no answer"), "%s", why);

	/* Back online. */
	set_answers(b, 0x12, 0x12, 0x12, 0x1E); /* paper running low: still prints */
	cr_assert_eq(check(b, p, why, sizeof why), PRINTER_OK, "%s", why);

	/* Unplugged: the node disappears. */
	cr_assert_eq(unlink(link), 0);
	cr_assert_eq(check(b, p, why, sizeof why), PRINTER_ABSENT);
	cr_assert(strstr(why, "cannot open") && strstr(why, "lp0") &&
	          strstr(why, "No such file"), "%s", why);
	cr_assert_eq(print(b, p, bytes, n), PRINTER_ABSENT);

	log_close();
	cr_assert_eq(log_count(log, "paper_out"), 1, "logged once, not per attempt");
	cr_assert_eq(log_count(log, "cover_open"), 1);
	cr_assert_eq(log_count(log, "absent"), 1);
	cr_assert_eq(log_count(log, "running low"), 1);
	cr_assert_eq(log_count(log, "R-42"), 0, "nothing printed is logged");
	free(bytes);
	printer_free(p);
	close(slave_fd);
	bench_free(b);
	remove_tree(dir);
}

Test(printer, escpos_path_that_does_not_exist_or_is_no_device)
{
	struct bench *b = bench_new();
	char *dir = temp_dir(), spec[600], err[200], why[256];
	snprintf(spec, sizeof spec, "escpos:%s/usb/lp9", dir);
	struct printer *p = printer_open(b->l, spec, err, sizeof err);
	cr_assert_not_null(p, "a missing device is not a spec error: %s", err);
	cr_assert_eq(check(b, p, why, sizeof why), PRINTER_ABSENT);
	cr_assert(strstr(why, "usb/lp9") && strstr(why, "No such file"), "%s", why);
	printer_free(p);

	/* A regular file is not a printer (file: is for that). */
	char path[300];
	snprintf(path, sizeof path, "%s/plain", dir);
	put_file(path, "");
	snprintf(spec, sizeof spec, "escpos:%s", path);
	p = open_ok(b, spec);
	cr_assert_eq(check(b, p, why, sizeof why), PRINTER_ABSENT);
	cr_assert(strstr(why, "not a device"), "%s", why);
	printer_free(p);

	/* A baud rate on something that is no serial port. */
	p = open_ok(b, "escpos:/dev/null,9600");
	cr_assert_eq(check(b, p, why, sizeof why), PRINTER_ABSENT);
	cr_assert(strstr(why, "not a serial port"), "%s", why);
	/* /dev/null without a rate takes the query and never answers (it
	 * reads as empty, which is looked at again until the time is up). */
	printer_free(p);
	p = open_ok(b, "escpos:/dev/null");
	cr_assert_eq(check(b, p, why, sizeof why), PRINTER_OFFLINE);
	printer_free(p);
	bench_free(b);
	remove_tree(dir);
}

Test(printer, free_while_a_job_waits_for_the_printer)
{
	struct bench *b = bench_new();
	char *dir = temp_dir(), link[300], spec[600];
	int slave_fd;
	fake_printer_start(b, dir, link, sizeof link, &slave_fd);
	snprintf(spec, sizeof spec, "escpos:%s", link);
	struct printer *p = open_ok(b, spec);
	b->silent = true;
	struct tagged *t = tag(b, 9);
	printer_print(p, "ABC", 3, on_done, t);
	/* let it open the device and send the query, then free it mid-wait */
	long long d = loop_timer_add(b->l, 100, on_deadline, b);
	loop_run(b->l);
	loop_timer_del(b->l, d);
	cr_assert_eq(b->queries, 4);
	printer_free(p);
	d = loop_timer_add(b->l, printer_status_ms + 100, on_deadline, b);
	loop_run(b->l);
	cr_assert_eq(b->n_done, 0, "no callback after printer_free");
	free(t);
	close(slave_fd);
	bench_free(b);
	remove_tree(dir);
}
