/* test_login_layout.c: the log-in screen at every size (suite "login_layout").
 *
 * The device flow's QR goes where the words say it is, and no word points
 * at a QR or a code that is not drawn (issue 8, item 5). Each test starts
 * its own gatewayd (--demo --sim), the kiosk at one grid size (columns x
 * rows; 64x26 is what large mode leaves of a 1080p xterm, 26x64 and the
 * like are the same screens stood on end), opens the log-in screen (home
 * item 4) and reads it off the terminal's cells:
 *   - the QR, if half blocks are drawn: decoded with libzbar, and it must
 *     hold the address and the user code shown beside it;
 *   - the words, read in order with every space dropped (so that a line
 *     wrapped in the middle of "左侧二维码" still reads as such): the QR "on
 *     the left" (左侧) must be left of those words and beside them, "below"
 *     (下方) under them, "above" (上方) over them, and a drawn QR is
 *     mentioned exactly once; with no QR, no word speaks of one except the
 *     notice that there is no room for it, which must be there;
 *   - the user code (spaced out, unspaced or in big glyphs) is shown, below the words
 *     that say it is below ("与下方一致") and above those that say it is
 *     above ("以上代码"), and so is the short address (below "下方网址");
 *   - no text of the screen is cut (the layout dump, KIOSK_LAYOUT_DUMP);
 *   - the code shown is the real one: approved through /sim/device/, it
 *     logs the kiosk in.
 * Expired codes and voice mode's words are checked at two sizes: one with
 * room for the QR, one without.
 *
 * Screen texts are zh_CN unless a test picks zh_TW or en.
 */
#include "e2e.h"
#include "harness/gwd.h"
#include "harness/harness.h"

#include <criterion/criterion.h>
#include <jansson.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define WAIT_MS 15000

static void suite_fini(void);
TestSuite(login_layout, .timeout = 120, .fini = suite_fini);

/* The demo gateway's short address (gateway/, docs/gateway-api.md). */
#define ADDRESS "https://gov.example.cn/d"

/* ---- what the screen says, per language (spaces are dropped when matching) ------------- */

struct words {
	const char *lang;                  /* --lang */
	const char *home;                  /* the home screen's title */
	const char *waiting;               /* a live code: waiting for the phone */
	const char *left, *below, *above;  /* where a QR is said to be */
	const char *qr;                    /* the word for a QR code */
	const char *no_room;               /* the notice that no QR fits */
	const char *code_below;            /* "the code below" (or NULL) */
	const char *code_above;            /* "the code above" (or NULL) */
	const char *address_below;         /* "the address below" (or NULL) */
	const char *expired[2];            /* a dead code's message: one of these */
};

static const struct words zh_cn = {
	"zh_CN", E2E_T_HOME, "正在等待手机确认", "左侧二维码", "下方二维码", "上方二维码", "二维码",
	"屏幕太小，无法显示二维码", "代码与下方一致", "以上代码", "下方网址",
	{ "二维码已过期", "代码已过期" },
};
static const struct words zh_tw = {
	"zh_TW", "政務服務自助機", "正在等待手機確認", "左側QRCode", "下方QRCode", "上方QRCode", "QRCode",
	"螢幕太小，無法顯示QRCode", "代碼與下方一致", "以上代碼", "下方網址",
	{ "QRCode已過期", "代碼已過期" },
};
static const struct words en = {
	"en", "Government Services Self-Service Kiosk", "Waitingforyourphonetoconfirm",
	"QRcodeontheleft", "QRcodebelow", "QRcodeabove", "QRcode", "toosmallfortheQRcode", NULL, NULL,
	"theaddressbelow", { "TheQRcodehasexpired", "Thecodehasexpired" },
};

/* ---- scratch: the layout dump and the speech transcript ---------------------------------- */

static char scratch[512], dump_path[700], speech_path[700];

static void scratch_make(void)
{
	e2e_scratch_dir(scratch, sizeof scratch, "login-layout");
	snprintf(dump_path, sizeof dump_path, "%s/layout.txt", scratch);
	snprintf(speech_path, sizeof speech_path, "%s/speech.log", scratch);
}

static void suite_fini(void)
{
	e2e_rm_rf(scratch);
	scratch[0] = '\0';
}

static void dump_hook(void)
{
	if (dump_path[0])
		e2e_print_file_tail("layout dump", dump_path, 6000);
	if (speech_path[0])
		e2e_print_file_tail("speech transcript", speech_path, 3000);
}

/* ---- the screen's words, in reading order, without spaces ------------------------------- */

#define MAX_CP 8192

struct stream {
	uint32_t cp[MAX_CP];
	short x[MAX_CP], y[MAX_CP];
	int n;
};

/* Every character on the screen outside the box (x0, y0, w, h), row by
 * row; spaces and the right halves of wide characters are dropped. */
static void stream_read(struct harness *h, int x0, int y0, int w, int hgt, struct stream *s)
{
	int cols, rows;
	h_size(h, &cols, &rows);
	s->n = 0;
	for (int y = 0; y < rows; y++)
		for (int x = 0; x < cols && s->n < MAX_CP; x++) {
			uint32_t ch = h_cell_at(h, x, y).ch;
			if (ch == ' ' || ch == 0 || (x >= x0 && x < x0 + w && y >= y0 && y < y0 + hgt))
				continue;
			s->cp[s->n] = ch, s->x[s->n] = (short)x, s->y[s->n] = (short)y;
			s->n++;
		}
}

/* Index of the first occurrence of needle (spaces dropped) at or after
 * from, or -1; *len gets its length in code points. */
static int stream_find(const struct stream *s, const char *needle, int from, int *len)
{
	uint32_t n[256];
	size_t k = e2e_utf8_decode(needle, n, 256), m = 0;
	for (size_t i = 0; i < k; i++)
		if (n[i] != ' ')
			n[m++] = n[i];
	if (len)
		*len = (int)m;
	for (int i = from; m && i + (int)m <= s->n; i++)
		if (!memcmp(s->cp + i, n, m * sizeof n[0]))
			return i;
	return -1;
}

static int stream_count(const struct stream *s, const char *needle)
{
	int c = 0, at = 0, len = 0;
	while (needle && (at = stream_find(s, needle, at, &len)) >= 0)
		c++, at += len;
	return c;
}

static bool pred_says(struct harness *h, void *ud)
{
	static struct stream s;
	stream_read(h, 0, 0, 0, 0, &s);
	return stream_find(&s, ud, 0, NULL) >= 0;
}

static void expect_says(struct harness *h, struct gwd *g, const char *text, const char *step)
{
	E2E_CHECK(h, g, h_wait(h, pred_says, (void *)text, WAIT_MS), "%s: \"%s\" not on the screen within %d ms",
	          step, text, WAIT_MS);
}

/* ---- the layout dump: nothing of the screen is cut ------------------------------------------ */

/* The first text of the log-in screen's area drawn ellipsized, as its dump
 * line (static buffer), or NULL. */
static const char *cut_text(bool large)
{
	static char bad[200];
	char *d = e2e_slurp_str(dump_path);
	char name[64] = "";
	int cols = 0, rows = 0, x, y, w, used, cut;
	const char *found = NULL;
	if (sscanf(d, "screen %63s %d %d", name, &cols, &rows) != 3 || strcmp(name, "login")) {
		snprintf(bad, sizeof bad, "the last frame dumped is not the log-in screen's (\"%.60s\")", d);
		found = bad;
	}
	/* The area: below the title rows, above the notice row and status bar. */
	int last = rows - 2 - (large && rows >= 12 ? 3 : 1);
	for (char *l = d; !found && l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL)
		if (sscanf(l, "text %d %d %d %d %d", &x, &y, &w, &used, &cut) == 5 && cut && y >= 2 && y <= last) {
			snprintf(bad, sizeof bad, "%.*s", (int)strcspn(l, "\n"), l);
			found = bad;
		}
	free(d);
	return found;
}

/* ---- the log-in screen, read --------------------------------------------------------------- */

struct seen {
	bool has_qr;            /* half blocks are drawn */
	struct e2e_qr qr;
	struct stream text;     /* everything but the QR */
	char code[16];          /* the user code shown, "" if none */
	int code_x, code_y, code_rows;
};

/* The user code unspaced ("XPHL-TMQV"), where a row is too narrow for it
 * spaced out. */
static bool plain_code(struct harness *h, char out[16], int *col, int *row)
{
	int cols, rows;
	h_size(h, &cols, &rows);
	for (int y = 0; y < rows; y++)
		for (int x = 0; x + 9 <= cols; x++) {
			bool ok = x == 0 || h_cell_at(h, x - 1, y).ch == ' ';
			for (int k = 0; k < 9 && ok; k++) {
				uint32_t c = h_cell_at(h, x + k, y).ch;
				ok = k == 4 ? c == '-' : c < 128 && c && strchr(E2E_USER_ALPHABET, (int)c);
				out[k] = (char)c;
			}
			if (ok && (x + 9 == cols || h_cell_at(h, x + 9, y).ch == ' ')) {
				out[9] = '\0';
				*col = x, *row = y;
				return true;
			}
		}
	out[0] = '\0';
	return false;
}

/* The user code as shown: spaced out, unspaced or in big glyphs; *n_rows
 * gets the rows it takes. */
static bool user_code(struct harness *h, char out[16], int *col, int *row, int *n_rows)
{
	*n_rows = 1;
	if (e2e_spaced_code(h, out, col, row) || plain_code(h, out, col, row))
		return true;
	*n_rows = 5;
	return e2e_read_big_code(h, out, col, row);
}

static bool pred_code(struct harness *h, void *ud)
{
	char c[16];
	int x, y, n;
	return user_code(h, c, &x, &y, &n);
}

static void read_screen(struct harness *h, struct seen *s)
{
	memset(s, 0, sizeof *s);
	e2e_find_qr(h, &s->qr);
	s->has_qr = s->qr.cols > 0;
	stream_read(h, s->qr.left, s->qr.top, s->qr.cols, s->qr.rows, &s->text);
	if (!user_code(h, s->code, &s->code_x, &s->code_y, &s->code_rows))
		s->code[0] = '\0';
}

/* Where a text stands: its first and last rows (false if not shown). */
static bool rows_of(const struct seen *s, const char *needle, int *first, int *last)
{
	int len, i = stream_find(&s->text, needle, 0, &len);
	if (i < 0)
		return false;
	*first = s->text.y[i];
	*last = s->text.y[i + len - 1];
	return true;
}

/* A live code's screen: waits for it, then checks everything the header
 * comment lists but the approval. The screen read is left in *s. */
static void check_live(struct harness *h, struct gwd *g, const struct words *w, bool large,
                       struct seen *s, const char *step)
{
	expect_says(h, g, w->waiting, step);
	E2E_CHECK(h, g, h_wait(h, pred_code, NULL, WAIT_MS), "%s: no user code on the screen", step);
	/* A frame may come in several chunks: read again until the QR decodes. */
	for (int i = 0; i < 5; i++) {
		h_settle(h, E2E_QUIET_MS, 2000);
		read_screen(h, s);
		if (!s->has_qr || s->qr.data[0])
			break;
	}
	e2e_clean(h, g, step);
	const char *cut = cut_text(large);
	E2E_CHECK(h, g, !cut, "%s: a text of the log-in screen is cut: %s", step, cut);

	E2E_CHECK(h, g, s->code[0], "%s: the user code is not shown (spaced out, unspaced or in big glyphs)", step);
	E2E_CHECK(h, g, stream_find(&s->text, ADDRESS, 0, NULL) >= 0, "%s: the address %s is not shown", step,
	          ADDRESS);
	int f = -1, l = -1, af = -1, al = -1;
	if (w->code_below && rows_of(s, w->code_below, &f, &l))
		E2E_CHECK(h, g, s->code_y > l, "%s: \"%s\" (row %d), but the code is on row %d", step,
		          w->code_below, l, s->code_y);
	if (w->code_above && rows_of(s, w->code_above, &f, &l))
		E2E_CHECK(h, g, s->code_y + s->code_rows - 1 < f, "%s: \"%s\" (row %d), but the code is on row %d",
		          step, w->code_above, f, s->code_y);
	if (w->address_below && rows_of(s, w->address_below, &f, &l)) {
		E2E_CHECK(h, g, rows_of(s, ADDRESS, &af, &al) && af > l, "%s: \"%s\" (row %d), but the address is not below it", step,
		          w->address_below, l);
	}

	int n_left = stream_count(&s->text, w->left), n_below = stream_count(&s->text, w->below),
	    n_above = stream_count(&s->text, w->above);
	if (!s->has_qr) {
		E2E_CHECK(h, g, n_left + n_below + n_above == 0,
		          "%s: no QR is drawn, but the text says where it is (%s: %d, %s: %d, %s: %d)", step,
		          w->left, n_left, w->below, n_below, w->above, n_above);
		E2E_CHECK(h, g, stream_find(&s->text, w->no_room, 0, NULL) >= 0,
		          "%s: no QR is drawn and the screen does not say so (\"%s\")", step, w->no_room);
		E2E_CHECK(h, g, stream_count(&s->text, w->qr) == stream_count(&s->text, w->no_room),
		          "%s: no QR is drawn, but \"%s\" is said %d times outside the notice that it does not fit",
		          step, w->qr, stream_count(&s->text, w->qr) - stream_count(&s->text, w->no_room));
		return;
	}
	E2E_CHECK(h, g, s->qr.data[0], "%s: half blocks are drawn, but they are no QR: %s", step, s->qr.why);
	char want[64];
	snprintf(want, sizeof want, "%s?c=%.4s%.4s", ADDRESS, s->code, s->code + 5);
	E2E_CHECK(h, g, !strcmp(s->qr.data, want), "%s: the QR holds \"%s\", the code shown (%s) gives \"%s\"", step,
	          s->qr.data, s->code, want);
	E2E_CHECK(h, g, stream_find(&s->text, w->no_room, 0, NULL) < 0,
	          "%s: a QR is drawn, but the screen says there is no room for it", step);
	E2E_CHECK(h, g, n_left + n_below + n_above == 1,
	          "%s: the text says %d times where the QR is (%s: %d, %s: %d, %s: %d), not once", step,
	          n_left + n_below + n_above, w->left, n_left, w->below, n_below, w->above, n_above);
	/* With its quiet zone (4 modules: 2 rows), the QR spans these rows. */
	int top = s->qr.top - 2, bottom = s->qr.top + s->qr.rows + 1;
	if (n_left) {
		int i = stream_find(&s->text, w->left, 0, NULL);
		rows_of(s, w->left, &f, &l);
		E2E_CHECK(h, g, s->qr.left + s->qr.cols <= s->text.x[i] && l >= top && f <= bottom,
		          "%s: the text says the QR is on its left (\"%s\" at column %d, rows %d-%d), but it is at "
		          "columns %d-%d, rows %d-%d",
		          step, w->left, s->text.x[i], f, l, s->qr.left, s->qr.left + s->qr.cols - 1, s->qr.top,
		          s->qr.top + s->qr.rows - 1);
	} else if (n_below) {
		rows_of(s, w->below, &f, &l);
		E2E_CHECK(h, g, s->qr.top > l, "%s: the text says the QR is below (\"%s\", row %d), but it starts at row %d",
		          step, w->below, l, s->qr.top);
	} else {
		rows_of(s, w->above, &f, &l);
		E2E_CHECK(h, g, s->qr.top + s->qr.rows - 1 < f,
		          "%s: the text says the QR is above (\"%s\", row %d), but it ends at row %d", step, w->above,
		          f, s->qr.top + s->qr.rows - 1);
	}
}

/* ---- gateway and kiosk ---------------------------------------------------------------------- */

struct run {
	struct gwd *g;
	struct harness *h;
};

/* A gateway (polls every second, codes live ttl s; 0: the default) and
 * the kiosk at cols x rows with extra arguments, on the log-in screen. */
static struct run open_login(const struct words *w, int cols, int rows, int ttl, const char *const extra[])
{
	struct run r;
	char ttl_s[16];
	snprintf(ttl_s, sizeof ttl_s, "%d", ttl);
	const char *gw_args[] = { "--device-interval", "1", ttl ? "--device-ttl" : NULL, ttl_s, NULL };
	scratch_make();
	e2e_set_hooks(NULL, dump_hook);
	r.g = e2e_start_gateway(gw_args);
	const char *args[32];
	size_t n = 0;
	const char *theme = e2e_theme_path();
	if (theme)
		args[n++] = "--theme", args[n++] = theme;
	args[n++] = "--lang", args[n++] = w->lang;
	for (size_t i = 0; extra && extra[i] && n < 31; i++)
		args[n++] = extra[i];
	args[n] = NULL;
	setenv("KIOSK_LAYOUT_DUMP", dump_path, 1);
	r.h = e2e_start_kiosk(gwd_url(r.g), cols, rows, args);
	unsetenv("KIOSK_LAYOUT_DUMP");
	e2e_expect_row(r.h, r.g, 0, w->home, WAIT_MS, "start: home");
	h_type(r.h, "4"); /* home: log in */
	return r;
}

/* The code shown is the real one: approved on the "phone", it logs in. */
static void approve(struct run *r, const struct seen *s, const char *step)
{
	char path[128];
	snprintf(path, sizeof path, "/sim/device/%s/approve", s->code);
	json_decref(e2e_post_json(r->g, path, "{\"citizen\":\"cit-zhang\"}", 200));
	E2E_CHECK(r->h, r->g, e2e_wait_log(r->h, "session: started", WAIT_MS),
	          "%s: the code shown (%s), approved, did not log in", step, s->code);
}

static void at_size(const struct words *w, int cols, int rows, bool large)
{
	const char *extra[] = { large ? "--mode" : NULL, "large", NULL };
	char step[64];
	struct seen s;
	snprintf(step, sizeof step, "%dx%d%s %s", cols, rows, large ? " large" : "", w->lang);
	struct run r = open_login(w, cols, rows, 0, extra);
	check_live(r.h, r.g, w, large, &s, step);
	approve(&r, &s, step);
	e2e_finish(r.h, r.g);
}

/* The sizes of the issue (columns x rows) */
Test(login_layout, at_64x26) { at_size(&zh_cn, 64, 26, false); }
Test(login_layout, at_40x15) { at_size(&zh_cn, 40, 15, false); }
Test(login_layout, at_60x20) { at_size(&zh_cn, 60, 20, false); }
Test(login_layout, at_80x24) { at_size(&zh_cn, 80, 24, false); }
Test(login_layout, at_120x40) { at_size(&zh_cn, 120, 40, false); }
/* ...stood on end (15 columns are too few for any screen) */
Test(login_layout, at_26x64) { at_size(&zh_cn, 26, 64, false); }
Test(login_layout, at_20x60) { at_size(&zh_cn, 20, 60, false); }
Test(login_layout, at_24x80) { at_size(&zh_cn, 24, 80, false); }
Test(login_layout, at_40x120) { at_size(&zh_cn, 40, 120, false); }
/* ...in large mode, where its buttons and status bar take more rows */
Test(login_layout, large_64x26) { at_size(&zh_cn, 64, 26, true); }
Test(login_layout, large_60x20) { at_size(&zh_cn, 60, 20, true); }
Test(login_layout, large_40x15) { at_size(&zh_cn, 40, 15, true); }
/* ...and in the other languages */
Test(login_layout, zh_tw_64x26) { at_size(&zh_tw, 64, 26, false); }
Test(login_layout, en_60x20) { at_size(&en, 60, 20, false); }
Test(login_layout, en_40x120) { at_size(&en, 40, 120, false); }

/* ---- a dead code: its QR goes, and no word points at one ---------------------------------- */

static bool pred_expired(struct harness *h, void *ud)
{
	const struct words *w = ud;
	return pred_says(h, (void *)w->expired[0]) || pred_says(h, (void *)w->expired[1]);
}

static void expired(int cols, int rows)
{
	char step[64];
	struct seen live, dead;
	snprintf(step, sizeof step, "%dx%d expired", cols, rows);
	struct run r = open_login(&zh_cn, cols, rows, 3, NULL);
	check_live(r.h, r.g, &zh_cn, false, &live, step);
	E2E_CHECK(r.h, r.g, h_wait(r.h, pred_expired, (void *)&zh_cn, WAIT_MS), "%s: no \"%s\" nor \"%s\"", step,
	          zh_cn.expired[0], zh_cn.expired[1]);
	h_settle(r.h, E2E_QUIET_MS, 2000);
	read_screen(r.h, &dead);
	e2e_clean(r.h, r.g, step);
	E2E_CHECK(r.h, r.g, !dead.has_qr, "%s: the dead code's QR is still drawn", step);
	E2E_CHECK(r.h, r.g, !dead.code[0], "%s: the dead user code %s is still shown", step, dead.code);
	int said = stream_count(&dead.text, zh_cn.left) + stream_count(&dead.text, zh_cn.below) +
	           stream_count(&dead.text, zh_cn.above);
	E2E_CHECK(r.h, r.g, said == 0, "%s: no QR is drawn, but the text says where it is", step);
	E2E_CHECK(r.h, r.g, !rows_of(&dead, zh_cn.code_below, &(int){ 0 }, &(int){ 0 }),
	          "%s: no code is shown, but the text says it is below (\"%s\")", step, zh_cn.code_below);
	/* A QR that was never drawn never expired either. */
	if (!live.has_qr)
		E2E_CHECK(r.h, r.g, stream_count(&dead.text, zh_cn.qr) == 0,
		          "%s: there was no room for a QR, but the screen speaks of one", step);
	e2e_finish(r.h, r.g);
}

Test(login_layout, expired_80x24) { expired(80, 24); }
Test(login_layout, expired_60x20) { expired(60, 20); }

/* ---- voice mode says what the screen shows ------------------------------------------------ */

/* The last utterance of the transcript holding needle, into out. */
static bool said(const char *needle, char *out, size_t n)
{
	char *t = e2e_slurp_str(speech_path), *line = NULL;
	for (char *l = t; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
		size_t len = strcspn(l, "\n");
		char *hit = strstr(l, needle);
		if (hit && hit < l + len)
			line = l;
	}
	if (line)
		snprintf(out, n, "%.*s", (int)strcspn(line, "\n"), line);
	free(t);
	return line != NULL;
}

static void voice(int cols, int rows, const char *where, const char *const never[])
{
	char arg[800], step[64], line[4096] = "";
	struct seen s;
	snprintf(step, sizeof step, "%dx%d voice", cols, rows);
	scratch_make();
	snprintf(arg, sizeof arg, "log:%s", speech_path);
	const char *extra[] = { "--mode", "voice", "--speech", arg, NULL };
	struct run r = open_login(&zh_cn, cols, rows, 0, extra);
	check_live(r.h, r.g, &zh_cn, false, &s, step);
	/* Once the code is there, the screen is said again with it. */
	long long end = e2e_now_ms() + WAIT_MS;
	while (!said("代码是：", line, sizeof line) && e2e_now_ms() < end)
		h_pump(r.h, 100);
	E2E_CHECK(r.h, r.g, line[0], "%s: the user code was not said", step);
	E2E_CHECK(r.h, r.g, strstr(line, where), "%s: \"%s\" not said in \"%s\"", step, where, line);
	for (int i = 0; never[i]; i++)
		E2E_CHECK(r.h, r.g, !strstr(line, never[i]), "%s: \"%s\" said in \"%s\"", step, never[i], line);
	approve(&r, &s, step);
	e2e_finish(r.h, r.g);
}

Test(login_layout, voice_80x24)
{
	const char *const never[] = { NULL };
	voice(80, 24, "屏幕左侧的二维码", never);
}

Test(login_layout, voice_60x20)
{
	const char *const never[] = { "二维码", NULL };
	voice(60, 20, "打开 " ADDRESS " 并输入代码", never);
}
