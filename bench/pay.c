/* pay.c: the payment screen (issue 9): payment answer received -> QR
 * painted, and the bytes written to draw the screen.
 *
 *   pay [--runs N] [--calls N]
 *
 * (a) In-process, per payment, on a real answer: the bench POSTs
 *     /v1/payments to gatewayd (--demo --sim) itself and times, call by
 *     call (--calls, default 2000 each), what the kiosk does with that
 *     answer before it draws (kiosk/gw.c, scr_pay.c created() and
 *     pay_resize()): jsonx_parse, payment_decode, emv_check, qr_art_make at
 *     the payment screen's QR box (120x40 terminal: 80x36 cells),
 *     bigtext_render of the amount, and the whole chain. Also qr_art_make
 *     at 80x24, where the QR does not fit and both boxes are tried in vain.
 * (b) End to end, the real build/kiosk in the harness (120x40, the size the
 *     e2e payment tests use) against the same gateway: 生活缴费, water,
 *     account 3101000010 typed digit by digit, its bills; then N rounds
 *     (--runs, default 20) of: bill 1, Enter (pay: not a digit, so the
 *     keyboard-wedge detector does not hold it 35 ms), the QR; Esc, 1 (yes,
 *     cancel), back to the bills. Per round:
 *       - Enter -> QR painted: CLOCK_MONOTONIC from writing Enter to the
 *         last chunk of output once the QR's half blocks and "waiting" are
 *         on the screen and 10 ms passed with no more output (the quiet
 *         window is not counted);
 *       - the kiosk's own time for POST /v1/payments (its log: "-> 201 ok
 *         (N ms)", from queueing the request to the answer parsed);
 *       - answer received -> QR painted: from that log line's timestamp
 *         (CLOCK_REALTIME, whole milliseconds, truncated) to the
 *         CLOCK_REALTIME reading taken with the last chunk above; the log's
 *         truncation makes it read 0-1 ms long;
 *       - the QR read off the cells must equal qr_art_make of the payment's
 *         qr_payload (GET /v1/payments/{id}) at (1,2): a complete QR.
 *     Bytes (the harness's count of what the kiosk wrote to the pty): the
 *     Enter -> QR answer (the "starting" frame, then the QR frame); a full
 *     repaint of the screen with the QR (a resize 121x40 -> 120x40); and,
 *     for 6 s while the QR shows, each repaint (the countdown ticks every
 *     second; a poll answer every 2 s lays the screen out again).
 *
 * Medians and p95 (nearest rank) with min and max; no thresholds.
 * The EMV check alone per payload is bench/emv.c.
 */
#include "harness/gwd.h"
#include "harness/harness.h"

#include "bigtext.h"
#include "emv.h"
#include "jsonx.h"
#include "money.h"
#include "pay.h"
#include "qrcode.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define COLS 120
#define ROWS 40
#define QR_BOX_W (COLS - 2 - 36 - 2) /* scr_pay.c pay_resize: area.w - tw - 2 */
#define QR_BOX_H (ROWS - 2 - 1 - 1)  /* ui_area: rows - title(2) - notice - status */
#define ACCOUNT "3101000010"        /* water, 10 bills */
#define ACCOUNT_A "3101000001"      /* water: the answer captured for (a) */
#define WAIT_MS 10000
#define QUIET_MS 10

#define T_BILLS "生活缴费"
#define T_WATER "水费"
#define T_PAY_BTN "确认支付"
#define T_STARTING "正在发起支付"
#define T_WAITING "等待支付"
#define T_ASK "确定取消这笔支付吗"
#define T_CANCELLED "支付已取消"

static volatile long long sink;

static void fail(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void fail(const char *fmt, ...)
{
	va_list ap;
	fputs("pay: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static int64_t clock_ns(clockid_t c)
{
	struct timespec ts;
	clock_gettime(c, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int by_value(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* "label  median M  p95 P  (min, max; n)"; sorts v. */
static void summary(const char *label, double *v, int n, const char *unit, int dec)
{
	if (n < 1) {
		printf("  %-52s no samples\n", label);
		return;
	}
	qsort(v, (size_t)n, sizeof *v, by_value);
	double med = n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
	int rank = (95 * n + 99) / 100; /* nearest rank, 1-based */
	printf("  %-52s median %.*f %s, p95 %.*f (min %.*f, max %.*f; n=%d)\n", label, dec, med, unit,
	       dec, v[rank - 1], dec, v[0], dec, v[n - 1], n);
}

/* ---- (a) the work on one answer, in this process --------------------------- */

struct answer {
	char *body;
	size_t len;
	long long fen;
};

enum step { S_PARSE, S_DECODE, S_CHECK, S_QR, S_BIG, S_CHAIN, S_QR_SMALL, S_N };

/* One call of a step, timed; the result is spent in sink. */
static double time_step(enum step s, const struct answer *a, json_t *j, const struct payment *p)
{
	char err[160], yuan[32];
	struct payment q;
	struct qr_art art;
	struct bigtext big;
	const char *pl = p->qr_payload;
	size_t pn = strlen(pl);
	int64_t t0 = clock_ns(CLOCK_MONOTONIC);
	switch (s) {
	case S_PARSE: {
		json_t *k = jsonx_parse(a->body, a->len, err, sizeof err);
		sink += k != NULL;
		json_decref(k);
		break;
	}
	case S_DECODE:
		sink += payment_decode(j, &q, err, sizeof err);
		payment_free(&q);
		break;
	case S_CHECK:
		sink += emv_check(pl, a->fen, NULL);
		break;
	case S_QR:
		sink += qr_art_make(pl, pn, QR_BOX_W, QR_BOX_H, &art);
		qr_art_free(&art);
		break;
	case S_BIG:
		money_format(a->fen, yuan, sizeof yuan);
		sink += bigtext_render(yuan, COLS - 2 - QR_BOX_W, &big);
		bigtext_free(&big);
		break;
	case S_CHAIN: {
		json_t *k = jsonx_parse(a->body, a->len, err, sizeof err);
		if (k && payment_decode(k, &q, err, sizeof err) == 0) {
			sink += emv_check(q.qr_payload, a->fen, NULL);
			sink += qr_art_make(q.qr_payload, strlen(q.qr_payload), QR_BOX_W, QR_BOX_H, &art);
			money_format(q.amount_fen, yuan, sizeof yuan);
			sink += bigtext_render(yuan, COLS - 2 - art.cols - 4, &big);
			bigtext_free(&big);
			qr_art_free(&art);
			payment_free(&q);
		}
		json_decref(k);
		break;
	}
	case S_QR_SMALL: /* 80x24: area 78x20; neither box holds it */
		sink += qr_art_make(pl, pn, 78 - 36 - 2, 20, &art);
		sink += qr_art_make(pl, pn, 78, 20 - 8, &art);
		break;
	default:
		break;
	}
	return (double)(clock_ns(CLOCK_MONOTONIC) - t0) / 1e3;
}

static void bench_answer(const struct answer *a, int calls)
{
	static const char *const what[S_N] = {
		[S_PARSE] = "jsonx_parse (gw.c, before the answer is logged)",
		[S_DECODE] = "payment_decode",
		[S_CHECK] = "emv_check of qr_payload",
		[S_QR] = "qr_art_make, 80x36-cell box",
		[S_BIG] = "bigtext_render of the amount",
		[S_CHAIN] = "all of it, one answer (parse .. bigtext)",
		[S_QR_SMALL] = "80x24: qr_art_make tries both boxes, no fit",
	};
	char err[160];
	json_t *j = jsonx_parse(a->body, a->len, err, sizeof err);
	struct payment p;
	if (!j || payment_decode(j, &p, err, sizeof err) != 0)
		fail("the gateway's payment answer does not decode: %s", err);
	if (emv_check(p.qr_payload, a->fen, NULL) != EMV_OK)
		fail("the gateway's qr_payload fails emv_check");
	struct qr_art art;
	if (qr_art_make(p.qr_payload, strlen(p.qr_payload), QR_BOX_W, QR_BOX_H, &art) != 0)
		fail("the payload does not fit the payment screen's QR box");
	printf("  answer: %zu bytes of JSON; qr_payload %zu bytes; QR version %d, level %c, %dx%d cells"
	       " (box %dx%d)\n", a->len, strlen(p.qr_payload), art.version, art.ec, art.cols, art.rows,
	       QR_BOX_W, QR_BOX_H);
	qr_art_free(&art);
	double *us = calloc((size_t)calls, sizeof *us);
	if (!us)
		fail("out of memory");
	for (int s = 0; s < S_N; s++) {
		for (int i = -calls / 10; i < calls; i++) { /* a tenth more, uncounted, to warm up */
			double t = time_step((enum step)s, a, j, &p);
			if (i >= 0)
				us[i] = t;
		}
		summary(what[s], us, calls, "us", 1);
	}
	free(us);
	payment_free(&p);
	json_decref(j);
}

/* A real 201 answer: POST /v1/payments for the first bill of ACCOUNT_A. */
static struct answer capture_answer(struct gwd *g)
{
	struct answer a = { 0 };
	char *resp = NULL, body[160];
	int st = gwd_get(g, "/v1/bills?type=water&account=" ACCOUNT_A, &resp);
	json_t *j = st == 200 && resp ? json_loads(resp, 0, NULL) : NULL;
	json_t *b = json_array_get(json_object_get(j, "bills"), 0);
	if (!json_is_string(json_object_get(b, "id")))
		fail("GET /v1/bills for " ACCOUNT_A ": %d %s", st, resp ? resp : "");
	snprintf(body, sizeof body, "{\"bill_id\":\"%s\"}", json_string_value(json_object_get(b, "id")));
	a.fen = json_integer_value(json_object_get(b, "amount_fen"));
	json_decref(j);
	free(resp);
	static const char *const hdr[] = { "X-Kiosk-Id: bench-kiosk",
	                                   "Idempotency-Key: 5d0c6a0e-9b1f-4c8e-a6a1-3f2b7e9d4c10", NULL };
	st = gwd_request_h(g, "POST", "/v1/payments", hdr, body, &a.body);
	if (st != 201 || !a.body)
		fail("POST /v1/payments: %d %s", st, a.body ? a.body : "");
	a.len = strlen(a.body);
	return a;
}

/* ---- (b) the real kiosk ---------------------------------------------------------- */

static void nap(int ms)
{
	struct timespec t = { ms / 1000, (long)(ms % 1000) * 1000000L };
	nanosleep(&t, NULL);
}

static void expect(struct harness *h, bool ok, const char *step)
{
	if (!ok) {
		fprintf(stderr, "pay: %s: not seen\n", step);
		h_dump(h, stderr);
		exit(1);
	}
}

static bool pred_title(struct harness *h, void *ud)
{
	char *t = h_row_text(h, 0);
	bool ok = strstr(t, ud) != NULL;
	free(t);
	return ok;
}

static void wait_title(struct harness *h, const char *s, const char *step)
{
	expect(h, h_wait(h, pred_title, (void *)s, WAIT_MS), step);
}

static bool has_half_block(struct harness *h)
{
	for (int y = 0; y < ROWS; y++)
		for (int x = 0; x < COLS; x++) {
			uint32_t c = h_cell_at(h, x, y).ch;
			if (c == 0x2580 || c == 0x2584)
				return true;
		}
	return false;
}

/* After Enter: notes the bytes once the "starting" frame is up; true once
 * the QR and "waiting" are. */
struct qr_wait { size_t starting_bytes; };

static bool pred_qr(struct harness *h, void *ud)
{
	struct qr_wait *w = ud;
	if (!w->starting_bytes && h_find(h, T_STARTING, NULL, NULL))
		w->starting_bytes = h_bytes_out(h);
	return h_find(h, T_WAITING, NULL, NULL) && has_half_block(h);
}

static bool pred_output(struct harness *h, void *ud)
{
	return h_bytes_out(h) > *(size_t *)ud;
}

/* Reads until quiet_ms pass without output; the CLOCK_MONOTONIC and
 * CLOCK_REALTIME readings taken with the last chunk (unchanged if none). */
static void until_quiet(struct harness *h, int quiet_ms, int64_t *mono, int64_t *real)
{
	for (;;) {
		size_t seen = h_bytes_out(h);
		if (!h_wait(h, pred_output, &seen, quiet_ms))
			return;
		*mono = clock_ns(CLOCK_MONOTONIC);
		*real = clock_ns(CLOCK_REALTIME);
	}
}

/* The QR on the cells at (1,2) is exactly qr_art_make's for payload. */
static bool qr_on_screen(struct harness *h, const char *payload)
{
	struct qr_art art;
	if (qr_art_make(payload, strlen(payload), QR_BOX_W, QR_BOX_H, &art) != 0)
		return false;
	bool same = true;
	for (int r = 0; r < art.rows && same; r++) {
		const unsigned char *s = (const unsigned char *)art.lines[r];
		for (int c = 0; c < art.cols && same; c++) {
			uint32_t want = *s == ' ' ? ' ' : 0x2000 | (uint32_t)(s[1] & 0x3F) << 6 | (s[2] & 0x3F);
			s += *s == ' ' ? 1 : 3;
			same = h_cell_at(h, 1 + c, 2 + r).ch == want;
		}
	}
	qr_art_free(&art);
	return same;
}

/* The newest payment's id (GET /sim/payments) and its qr_payload (GET
 * /v1/payments/{id} as the kiosk "test-kiosk"); false if either fails. */
static bool newest_payment(struct gwd *g, char *id, size_t idn, char **payload)
{
	char *resp = NULL, path[200];
	int st = gwd_get(g, "/sim/payments", &resp);
	json_t *j = st == 200 && resp ? json_loads(resp, 0, NULL) : NULL;
	const char *s = json_string_value(json_object_get(json_array_get(json_object_get(j, "payments"), 0), "id"));
	snprintf(id, idn, "%s", s ? s : "");
	json_decref(j);
	free(resp);
	if (!id[0])
		return false;
	static const char *const hdr[] = { "X-Kiosk-Id: test-kiosk", NULL };
	snprintf(path, sizeof path, "/v1/payments/%s", id);
	resp = NULL;
	st = gwd_request_h(g, "GET", path, hdr, NULL, &resp);
	j = st == 200 && resp ? json_loads(resp, 0, NULL) : NULL;
	s = json_string_value(json_object_get(j, "qr_payload"));
	*payload = s ? strdup(s) : NULL;
	json_decref(j);
	free(resp);
	return *payload != NULL;
}

/* The last line of kiosk.log holding needle: its timestamp (CLOCK_REALTIME
 * ns, whole ms) and the number after the last '(' (the request's ms), and
 * how many lines hold it. */
static int log_last(struct harness *h, const char *needle, int64_t *when_ns, double *paren)
{
	char path[4200], line[1024];
	snprintf(path, sizeof path, "%s/kiosk.log", h_tmpdir(h));
	FILE *f = fopen(path, "r");
	int n = 0;
	while (f && fgets(line, sizeof line, f)) {
		if (!strstr(line, needle))
			continue;
		struct tm tm = { 0 };
		int ms = 0;
		if (sscanf(line, "%d-%d-%dT%d:%d:%d.%dZ", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour,
		           &tm.tm_min, &tm.tm_sec, &ms) != 7)
			continue;
		tm.tm_year -= 1900;
		tm.tm_mon -= 1;
		*when_ns = ((int64_t)timegm(&tm) * 1000 + ms) * 1000000;
		const char *p = strrchr(line, '(');
		if (paren)
			*paren = p ? atof(p + 1) : -1;
		n++;
	}
	if (f)
		fclose(f);
	return n;
}

/* Each repaint while the QR shows, for ms: bytes per burst (a burst ends
 * after 100 ms without output). */
static void repaints(struct harness *h, int ms)
{
	double bytes[64];
	int n = 0;
	int64_t end = clock_ns(CLOCK_MONOTONIC) + (int64_t)ms * 1000000;
	while (n < 64 && clock_ns(CLOCK_MONOTONIC) < end) {
		size_t seen = h_bytes_out(h);
		int left = (int)((end - clock_ns(CLOCK_MONOTONIC)) / 1000000);
		if (left <= 0 || !h_wait(h, pred_output, &seen, left))
			break;
		int64_t m = 0, r = 0;
		until_quiet(h, 100, &m, &r);
		bytes[n++] = (double)(h_bytes_out(h) - seen);
	}
	summary("bytes per repaint while the QR shows (6 s)", bytes, n, "B", 0);
}

/* Lines of kiosk.log that hold needle. */
static int log_count(struct harness *h, const char *needle)
{
	int64_t when;
	return log_last(h, needle, &when, NULL);
}

static void to_bills(struct harness *h)
{
	expect(h, h_wait_text(h, "政务服务自助终端", WAIT_MS), "home");
	h_type(h, "5");
	wait_title(h, T_BILLS, "5: 生活缴费");
	h_type(h, "1");
	wait_title(h, T_WATER, "1: water");
	for (const char *d = ACCOUNT; *d; d++) { /* a person: >= 90 ms a digit */
		char c[2] = { *d, 0 };
		h_type(h, c);
		nap(90);
	}
	expect(h, h_wait_text(h, ACCOUNT, WAIT_MS), "the account typed");
	h_key(h, H_ENTER);
	expect(h, h_wait_text(h, "1 ", WAIT_MS) && h_wait_gone(h, "正在查询", WAIT_MS), "the bills");
}

/* The per-payment figures of (b), in the order they are printed. */
enum fig { F_TOTAL, F_REQUEST, F_ANSWER, F_SHOWN, F_BYTES, F_QR_BYTES, F_N };
static const struct { const char *label, *unit; int dec; } figs[F_N] = {
	[F_TOTAL] = { "Enter (pay) -> QR painted, incl. pty + libvterm", "ms", 2 },
	[F_REQUEST] = { "  POST /v1/payments, queued -> parsed (kiosk log)", "ms", 0 },
	[F_ANSWER] = { "  answer received (log) -> QR painted", "ms", 2 },
	[F_SHOWN] = { "  answer received -> 'QR code shown' (both log)", "ms", 0 },
	[F_BYTES] = { "bytes, Enter -> QR painted (both frames)", "B", 0 },
	[F_QR_BYTES] = { "  of which the QR frame (after 'starting')", "B", 0 },
};

/* Round 0 only: a full repaint with the QR (a resize and back), then the
 * repaints of 6 s while it shows. */
static void steady_state(struct harness *h, const char *payload)
{
	h_resize(h, COLS + 1, ROWS);
	h_settle(h, 100, 2000);
	h_bytes_reset(h);
	h_resize(h, COLS, ROWS);
	h_settle(h, 100, 2000);
	printf("  full repaint of the payment screen with the QR (resize 121x40 -> 120x40): %zu B%s\n",
	       h_bytes_out(h), payload && qr_on_screen(h, payload) ? "" : " (QR NOT read back)");
	int polls = log_count(h, "GET /v1/payments/");
	repaints(h, 6000);
	printf("  (poll answers in those 6 s, each laying the screen out again: %d)\n",
	       log_count(h, "GET /v1/payments/") - polls);
}

/* One payment: Enter on the pay page -> the QR; its figures into v[][n]
 * (F_QR_BYTES at *split). */
static void one_payment(struct harness *h, int round, double *v[F_N], int n, int *split)
{
	struct qr_wait w = { 0 };
	h_bytes_reset(h);
	int64_t t0 = clock_ns(CLOCK_MONOTONIC);
	h_key(h, H_ENTER);
	expect(h, h_wait(h, pred_qr, &w, WAIT_MS), "Enter: the QR");
	int64_t m1 = clock_ns(CLOCK_MONOTONIC), r1 = clock_ns(CLOCK_REALTIME);
	until_quiet(h, QUIET_MS, &m1, &r1);
	size_t bytes = h_bytes_out(h);
	int64_t t_ans = 0, t_shown = 0;
	double n_ms = -1;
	if (log_last(h, "POST /v1/payments -> 201 ok", &t_ans, &n_ms) != round + 1 ||
	    log_last(h, "payment: QR code shown", &t_shown, NULL) != round + 1) {
		fprintf(stderr, "pay: round %d: not one answer and one QR shown more in the log\n", round);
		h_dump(h, stderr);
		exit(1);
	}
	v[F_TOTAL][n] = (double)(m1 - t0) / 1e6;
	v[F_REQUEST][n] = n_ms;
	v[F_ANSWER][n] = (double)(r1 - t_ans) / 1e6;
	v[F_SHOWN][n] = (double)(t_shown - t_ans) / 1e6;
	v[F_BYTES][n] = (double)bytes;
	if (w.starting_bytes && w.starting_bytes < bytes)
		v[F_QR_BYTES][(*split)++] = (double)(bytes - w.starting_bytes);
}

static int bench_kiosk(struct gwd *g, int runs)
{
	struct harness *h = h_start_kiosk(gwd_url(g), COLS, ROWS, NULL);
	if (!h)
		fail("cannot start the kiosk in a pty");
	to_bills(h);
	h_settle(h, 150, 2000);
	double *v[F_N];
	for (int f = 0; f < F_N; f++)
		if (!(v[f] = calloc((size_t)runs, sizeof *v[f])))
			fail("out of memory");
	int complete = 0, split = 0;
	for (int i = 0; i < runs; i++) {
		h_type(h, "1");
		expect(h, h_wait_text(h, T_PAY_BTN, WAIT_MS), "bill 1: the pay button");
		h_pump(h, 400); /* a person reads the amount (a press in the first 300 ms is a double tap) */
		h_settle(h, 50, 2000);
		one_payment(h, i, v, i, &split);
		char id[64], *payload = NULL;
		if (newest_payment(g, id, sizeof id, &payload) && qr_on_screen(h, payload))
			complete++;
		if (i == 0)
			steady_state(h, payload);
		free(payload);
		h_key(h, H_ESC);
		expect(h, h_wait_text(h, T_ASK, WAIT_MS), "Esc: asks to cancel");
		h_type(h, "1");
		expect(h, h_wait_text(h, T_CANCELLED, WAIT_MS), "1: cancelled");
		h_key(h, H_ESC);
		wait_title(h, T_WATER, "Esc: back to the bills");
		expect(h, h_wait_text(h, "1 ", WAIT_MS), "the bills again");
		h_settle(h, 100, 2000);
	}
	printf("  %d payments; the QR on screen equal to qr_art_make of the payment's qr_payload in %d\n",
	       runs, complete);
	for (int f = 0; f < F_N; f++) {
		summary(figs[f].label, v[f], f == F_QR_BYTES ? split : runs, figs[f].unit, figs[f].dec);
		free(v[f]);
	}
	h_free(h);
	return complete == runs ? 0 : 1;
}

int main(int argc, char **argv)
{
	int runs = 20, calls = 2000;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--runs") && i + 1 < argc)
			runs = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--calls") && i + 1 < argc)
			calls = atoi(argv[++i]);
		else {
			fprintf(stderr, "usage: %s [--runs N] [--calls N]\n", argv[0]);
			return 2;
		}
	}
	if (runs < 1 || runs > 1000 || calls < 10 || calls > 1000000) {
		fprintf(stderr, "pay: --runs 1..1000, --calls 10..1000000\n");
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	struct gwd *g = gwd_start(NULL);
	if (!g)
		fail("gatewayd did not start (%s)", gwd_bin());
	struct answer a = capture_answer(g);
	printf("(a) one payment answer, in this process (per call):\n");
	bench_answer(&a, calls);
	free(a.body);
	printf("(b) the kiosk, %dx%d, against gatewayd --demo --sim:\n", COLS, ROWS);
	int rc = bench_kiosk(g, runs);
	gwd_free(g);
	return rc;
}
