/* e2e.h: helpers shared by the end-to-end tests (tests/e2e/test_*.c).
 *
 * Screens are read through the harness (harness/harness.h), gateways run
 * through harness/gwd.h. Checks that fail dump the evidence (the screen,
 * the tail of kiosk.log, the gateway's output, and whatever the suite
 * registered with e2e_set_hooks) and then fail the Criterion test.
 *
 * Returned strings are the caller's to free() unless said otherwise.
 */
#ifndef TESTS_E2E_H
#define TESTS_E2E_H

#include "harness/gwd.h"
#include "harness/harness.h"

#include <criterion/criterion.h>
#include <jansson.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* The home screen's title (zh_CN, the kiosk's default). */
#define E2E_T_HOME "政务服务自助终端"
/* "The frame is finished" for e2e_wait_text and friends. */
#define E2E_QUIET_MS 150

/* ---- plain utilities --------------------------------------------------------- */

long long e2e_now_ms(void);
/* vasprintf; aborts on failure. */
char *e2e_fmt(const char *f, ...) __attribute__((format(printf, 1, 2)));
/* The whole file, NUL-terminated (*len without the NUL, len may be NULL);
 * NULL if it cannot be opened. */
char *e2e_slurp(const char *path, size_t *len);
/* Like e2e_slurp, but "" (never NULL) for a file that cannot be read. */
char *e2e_slurp_str(const char *path);
/* rm -rf 'dir' (nothing if dir is ""); says so on stderr if it failed. */
void e2e_rm_rf(const char *dir);
/* mkdtemp of template (e.g. "/tmp/kiosk-e2e-data-XXXXXX"), asserted. */
char *e2e_make_dir(const char *tmpl);
/* "$TMPDIR/kiosk-<name>-XXXXXX" (TMPDIR unset: /tmp) made in buf if buf is
 * still "", asserted; returns buf. */
const char *e2e_scratch_dir(char *buf, size_t n, const char *name);
/* The last max bytes of a file on stderr, between two marker lines. */
void e2e_print_file_tail(const char *label, const char *path, long max);

/* ---- failing with evidence ----------------------------------------------------- */

/* guard: called on every poll of the e2e_expect* waits and by e2e_clean; it
 * returns what the screen must never have shown, once it has (else NULL),
 * and e2e_clean fails on it. dump: more evidence for a failed check. Either
 * may be NULL. */
void e2e_set_hooks(const char *(*guard)(struct harness *h), void (*dump)(void));

/* The screen, the tail of kiosk.log, the gateway's output (NULL is fine for
 * either), then the dump hook. */
void e2e_dump_all(struct harness *h, struct gwd *g);

/* Like H_ASSERT, and the kiosk's log and the gateway's too. */
#define E2E_CHECK(h, g, cond, ...)                                                    \
	do {                                                                          \
		if (!(cond)) {                                                        \
			e2e_dump_all((h), (g));                                       \
			if ((h) && h_exited(h))                                       \
				fprintf(stderr, "*** the kiosk has exited (see above)\n"); \
			cr_assert_fail(__VA_ARGS__);                                  \
		}                                                                     \
	} while (0)

/* The screen is clean (h_screen_clean, and the guard hook). */
void e2e_clean(struct harness *h, struct gwd *g, const char *step);
/* Waits for text anywhere on the screen, then checks the screen is clean. */
void e2e_expect(struct harness *h, struct gwd *g, const char *text, int ms, const char *step);
/* Waits until text is no longer shown, then checks the screen is clean. */
void e2e_expect_gone(struct harness *h, struct gwd *g, const char *text, int ms, const char *step);
/* Row row (negative: from the bottom, -1 = the status bar) holds text. */
bool e2e_row_has(struct harness *h, int row, const char *text);
/* Waits until row holds text, then checks the screen is clean. */
void e2e_expect_row(struct harness *h, struct gwd *g, int row, const char *text, int ms,
                    const char *step);
/* Waits for any of texts (NULL-terminated); returns the one that showed. */
const char *e2e_expect_any(struct harness *h, struct gwd *g, const char *const texts[], int ms,
                           const char *step);

/* A menu item as drawn: its number, a space, its label ("1 社保"); unlike
 * the bare name it cannot match a half-painted previous screen. One of 4
 * static buffers, in turn. */
const char *e2e_item(int number, const char *label);

/* ---- polling without failing (true once it holds; after a settle) ------------------ */

bool e2e_wait_text(struct harness *h, const char *s, int ms);
/* h_wait predicate: the title (row 0) contains ud (a const char *). */
bool e2e_pred_title(struct harness *h, void *ud);
/* The title (row 0) contains s. */
bool e2e_wait_title(struct harness *h, const char *s, int ms);
/* Non-overlapping occurrences of s on the screen. */
int e2e_count_text(struct harness *h, const char *s);
/* The screen without its status bar (which holds a clock). */
char *e2e_screen_body(struct harness *h);
/* Until the screen (status bar aside) equals want, or differs from it. */
bool e2e_wait_body(struct harness *h, const char *want, bool equal, int ms);
/* Until the focus marker '>' is (on) or is not at a cell. */
bool e2e_wait_mark(struct harness *h, int col, int row, bool on, int ms);

/* ---- the kiosk's log (<h_tmpdir>/kiosk.log) ---------------------------------------- */

/* The whole log (NUL-terminated; *len without it, len may be NULL), or NULL. */
char *e2e_log_read(struct harness *h, size_t *len);
/* Occurrences of needle in the log. */
int e2e_log_count(struct harness *h, const char *needle);
/* Lines of the log that hold needle. */
int e2e_log_lines(struct harness *h, const char *needle);

/* ---- gateway and kiosk ------------------------------------------------------------- */

/* gwd_start(extra), asserted. */
struct gwd *e2e_start_gateway(const char *const extra[]);
/* POST /sim/faults json, which must answer 200. */
void e2e_set_faults(struct gwd *g, const char *json);
/* SIGTERM to the gateway (after clearing the simulated faults if
 * reset_faults); no sanitizer report; frees g. */
void e2e_end_gw(struct gwd *g, bool reset_faults);

/* The default theme named by path if the kiosk binary would not find it
 * (<dir of the binary>/themes); NULL if it does (or nothing was found).
 * Static buffer. */
const char *e2e_theme_path(void);

/* h_start_kiosk, asserted; nothing else. */
struct harness *e2e_start_kiosk(const char *url, int cols, int rows, const char *const extra[]);
/* The kiosk against url (with --theme if e2e_theme_path says so, then
 * extra), up to the home screen's title in row 0 within ms. */
struct harness *e2e_start_home(struct gwd *g, const char *url, int cols, int rows,
                               const char *const extra[], int ms);
/* H_ASSERT that the screen is clean (h_screen_clean). */
void e2e_assert_clean(struct harness *h);
/* SIGTERM, exit status 0 within ms, no sanitizer report, screen clean
 * (H_ASSERT: the screen on failure); frees h. */
void e2e_end_kiosk(struct harness *h, int ms);
/* The screen is clean and the kiosk still runs; SIGTERM: it must exit 0
 * with no sanitizer report; then the gateway (if g) is stopped and must have
 * no sanitizer report either. Frees neither. */
void e2e_stop(struct harness *h, struct gwd *g);
/* e2e_stop, then frees both. */
void e2e_finish(struct harness *h, struct gwd *g);

/* Since h_record(h), the kiosk told the terminal to clear the screen and to
 * forget its scrollback, as it must when a session ends. */
void e2e_expect_cleared(struct harness *h, struct gwd *g, const char *step);

/* Writes line + "\n" into the FIFO at path once the kiosk has made it and
 * reads it (a non-blocking writer's open fails while nobody reads). */
void e2e_fifo_send(struct harness *h, struct gwd *g, const char *path, const char *line, int ms);

/* Pumps the screen until kiosk.log holds s (true), or ms pass (false). */
bool e2e_wait_log(struct harness *h, const char *s, int ms);

/* ---- the log-in screen: the QR and the user code, read off the cells ------------------ */

/* The letters of a device-flow user code (docs/gateway-api.md). */
#define E2E_USER_ALPHABET "BCDFGHJKLMNPQRSTVWXZ"

/* UTF-8 to code points (at most max); returns how many. */
size_t e2e_utf8_decode(const char *s, uint32_t *cp, size_t max);
/* U+2580, U+2584 or U+2588: what a QR is drawn with. */
bool e2e_is_block(uint32_t ch);

/* A QR drawn in half blocks, read back off the screen. */
struct e2e_qr {
	char data[512];            /* the decoded payload */
	int left, top, cols, rows; /* the cells of its dark modules' bounding box */
	char why[300];             /* why reading failed */
};
/* Decodes the QR made of the block cells in columns [x0, x1) and rows
 * [y0, y1) with libzbar (each cell two modules, top and bottom), and checks
 * it is drawn dark on light. out->cols is 0 if there is no block cell. */
bool e2e_read_qr(struct harness *h, int x0, int y0, int x1, int y1, struct e2e_qr *out);
/* The QR anywhere on the screen: the box of the half-block cells (U+2580,
 * U+2584; big glyphs have none), grown over the full blocks at its edges,
 * read as e2e_read_qr. False with out->cols 0 if no half block is drawn. */
bool e2e_find_qr(struct harness *h, struct e2e_qr *out);
/* The user code spaced out ("X P H L - T M Q V") into out ("XPHL-TMQV");
 * col and row (may be NULL) get its first cell. */
bool e2e_spaced_code(struct harness *h, char out[16], int *col, int *row);
/* The user code in the kiosk's big glyphs (bigtext.c), read glyph by glyph,
 * into out; col and row (may be NULL) get its top left cell. */
bool e2e_read_big_code(struct harness *h, char out[16], int *col, int *row);

/* ---- certificates (openssl(1)) -------------------------------------------------------- */

/* Runs a shell command, asserting it succeeds. */
void e2e_sh(const char *cmd);
/* In dir: a test CA (ca.pem, ca.key). */
void e2e_make_ca(const char *dir);
/* In dir: <name>.pem and <name>.key, a certificate for the names in san
 * ("IP:127.0.0.1,DNS:localhost"), signed by dir's test CA or self-signed.
 * P-256 keys: quick to make. */
void e2e_make_cert(const char *dir, const char *name, const char *san, bool self_signed);

/* ---- the gateway's /sim side --------------------------------------------------------- */

/* POST path with body (may be NULL), asserting the status is want and the
 * answer JSON; returns it (new reference). */
json_t *e2e_post_json(struct gwd *g, const char *path, const char *body, int want);
/* A fresh one-time login code of a demo citizen ("cit-zhang"), as the
 * phone shows it (POST /sim/citizen-code), into out[n]. */
void e2e_citizen_code(struct gwd *g, const char *cit, char *out, size_t n);

#endif
