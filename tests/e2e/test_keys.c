/* test_keys.c: keys the kiosk does not know do nothing, whole (issue 8,
 * item 4). The real kiosk in a pty, lockdown on, gets the raw bytes that
 * xterm, foot, kitty (legacy and its CSI u "disambiguate" encoding), rxvt
 * and the Linux console send for keys with Shift, Alt and Ctrl (keypad + -
 * = * / Enter, F-keys, arrows, Home, End...), and terminal reports it never
 * asked for; the screen must not change, on home and on a screen below it.
 * Then the keys it knows, in every encoding: Home goes home (never Esc and
 * a '1'), arrows move the focus, the keypad's digits and Enter in
 * application mode pick items, and sequences split across reads.
 *
 * libvterm encodes only what a terminal of its own would send (h_key), so
 * foreign encodings go out as raw bytes (h_send).
 */
#include "e2e.h"
#include "harness/gwd.h"
#include "harness/harness.h"

#include <criterion/criterion.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define WAIT_MS 5000
#define T_CATEGORIES "按类别办事"
#define SOON_TITLE "排队取号"

/* ---- the keys that must do nothing ---------------------------------------------- */

/* '#' in a template stands for the xterm modifier parameter (1 + bits):
 * Shift 2, Alt 3, Shift+Alt 4, Ctrl 5, Ctrl+Shift 6, Ctrl+Alt 7, all 8,
 * and the same with Num Lock on (130..136 has Num Lock's 128 added). */
static const int xterm_mods[] = { 2, 3, 4, 5, 6, 7, 8, 130, 133 };

struct batch {
	const char *name;
	const char *tmpl; /* with '#': once per modifier; without: as is */
};

static const struct batch unknown[] = {
	/* xterm (and foot, tmux: the same encodings) */
	{ "xterm: modifiers + arrows", "\x1b[1;#A\x1b[1;#B\x1b[1;#C\x1b[1;#D" },
	{ "xterm: modifiers + Home End", "\x1b[1;#H\x1b[1;#F" },
	{ "xterm: modifiers + Ins Del PgUp PgDn", "\x1b[2;#~\x1b[3;#~\x1b[5;#~\x1b[6;#~" },
	{ "xterm: modifiers + F1-F4", "\x1b[1;#P\x1b[1;#Q\x1b[1;#R\x1b[1;#S" },
	{ "xterm: modifiers + F5-F12",
	  "\x1b[15;#~\x1b[17;#~\x1b[18;#~\x1b[19;#~\x1b[20;#~\x1b[21;#~\x1b[23;#~\x1b[24;#~" },
	{ "xterm: modifiers + keypad + - = * / Enter (application mode)",
	  "\x1bO#k\x1bO#m\x1bO#X\x1bO#j\x1bO#o\x1bO#M" },
	{ "xterm: modifiers + keypad digits (application mode)", "\x1bO#p\x1bO#q\x1bO#u\x1bO#y\x1bO#n" },
	{ "xterm: modifiers + keypad (CSI form)", "\x1b[1;#k\x1b[1;#m\x1b[1;#M\x1b[1;#q" },
	{ "xterm: modifyOtherKeys + - = * Enter 1", "\x1b[27;#;43~\x1b[27;#;45~\x1b[27;#;61~\x1b[27;#;42~"
	                                           "\x1b[27;#;13~\x1b[27;#;49~" },
	{ "xterm: Alt + keys (meta sends escape)",
	  "\x1b+\x1b-\x1b=\x1b*\x1b\r\x1b\t\x1b\x7f\x1b" "0\x1b" "1\x1b" "2\x1b" "3\x1b" "5\x1b" "6\x1b" "8"
	  "\x1b" "9\x1b \x1bx" },
	{ "xterm: Shift+Tab", "\x1b[Z\x1b[1;2Z\x1b[1;5Z" },
	/* foot */
	{ "foot: Ctrl+= and friends", "\x1b[27;5;61~\x1b[61;5u\x1b[27;6;43~\x1b[43;6u\x1b[27;5;45~" },
	{ "foot: modifiers + Enter", "\x1b[27;#;13~\x1b[13;#u" },
	/* kitty */
	{ "kitty: Ctrl+Shift+Return and modified text keys",
	  "\x1b[13;6u\x1b[13;5u\x1b[13;2u\x1b[13;3u\x1b[49;6u\x1b[51;6u\x1b[61;6u\x1b[43;5u\x1b[45;5u" },
	{ "kitty: modifiers + keypad (CSI u)",
	  "\x1b[57413;#u\x1b[57412;#u\x1b[57415;#u\x1b[57411;#u\x1b[57410;#u\x1b[57414;#u\x1b[57400;#u" },
	{ "kitty: keypad + - = / (CSI u)", "\x1b[57413u\x1b[57412u\x1b[57415u\x1b[57410u\x1b[57416u" },
	{ "kitty: modifiers + F3 and keypad 5", "\x1b[13;#~\x1b[1;#E\x1b[57427;#~" },
	{ "kitty: Ctrl/Alt + letters and digits (CSI u)", "\x1b[97;5u\x1b[49;3u\x1b[50;5u\x1b[27;3u\x1b[27;5u" },
	{ "kitty: key releases", "\x1b[57400;1:3u\x1b[1;1:3A\x1b[13;1:3u\x1b[57414;1:3u" },
	{ "kitty: F13 and up, media and modifier keys", "\x1b[57376u\x1b[57428u\x1b[57441u\x1b[57443u" },
	/* the Linux console */
	/* (F1 calls staff: not here) */
	{ "Linux console: F2-F5", "\x1b[[B\x1b[[C\x1b[[D\x1b[[E" },
	{ "Linux console: Shift+F1-F10 (F11-F20)",
	  "\x1b[23~\x1b[24~\x1b[25~\x1b[26~\x1b[28~\x1b[29~\x1b[31~\x1b[32~\x1b[33~\x1b[34~" },
	/* (its keypad '/' is a plain '/', which opens the search: not here) */
	{ "Linux console: Alt + keys, keypad + - =", "\x1b" "1\x1b" "5\x1b\r\x1b+\x1b-+-=\x1b[G" },
	/* rxvt */
	{ "rxvt: Shift/Ctrl + arrows", "\x1b[a\x1b[b\x1b[c\x1b[d\x1bOa\x1bOb\x1bOc\x1bOd" },
	{ "rxvt: Shift/Ctrl + Home End PgUp F1",
	  "\x1b[7$\x1b[7^\x1b[7@\x1b[8$\x1b[8^\x1b[5$\x1b[5^\x1b[11^\x1b[11$\x1b[2$\x1b[3^" },
	{ "rxvt: Alt + arrows, Home, keypad", "\x1b\x1b[A\x1b\x1b[1~\x1b\x1bOk\x1b\x1bOq\x1b\x1b[7~" },
	/* End has no meaning here: in no encoding (never a '4' or an '8') */
	{ "End in every encoding", "\x1b[F\x1bOF\x1b[4~\x1b[8~\x1b[57424u\x1b[1;1F\x1b[4;129~" },
	/* what terminals report, never asked for: dropped whole */
	{ "terminal reports", "\x1b[?62;22c\x1b[>41;354;0c\x1b[12;40R\x1b[I\x1b[O\x1b[?1;2$y\x1b[?0u"
	                      "\x1b]11;rgb:1111/2222/3333\x07\x1b]10;rgb:0/0/0\x1b\\\x1bP1$r0m\x1b\\"
	                      "\x1b_Gi=31;OK\x1b\\\x1b[200~\x1b[201~" },
	/* plain F-keys: none but F1 (calls staff) has a meaning here (no
	 * session, lockdown on) */
	{ "F2-F12", "\x1bOQ\x1bOR\x1bOS\x1b[15~\x1b[17~\x1b[18~\x1b[19~\x1b[20~\x1b[21~\x1b[23~\x1b[24~" },
	/* 8-bit controls, UTF-8 encoded (S8C1T) */
	{ "8-bit CSI and SS3", "\xc2\x9b" "1;5H\xc2\x8f" "5k\xc2\x9b" "57413;5u" },
};

/* The bytes of a batch: a template without '#' as is, else once per
 * modifier. Caller frees. */
static char *batch_bytes(const struct batch *b, size_t *len)
{
	size_t cap = 4096, n = 0;
	char *out = malloc(cap);
	bool per_mod = strchr(b->tmpl, '#') != NULL;
	size_t nm = per_mod ? sizeof xterm_mods / sizeof xterm_mods[0] : 1;
	cr_assert_not_null(out);
	for (size_t m = 0; m < nm; m++) {
		for (const char *p = b->tmpl; *p; p++) {
			char num[16];
			size_t l = 1;
			if (*p == '#')
				l = (size_t)snprintf(num, sizeof num, "%d", xterm_mods[m]);
			else
				num[0] = *p;
			cr_assert_lt(n + l, cap);
			memcpy(out + n, num, l);
			n += l;
		}
	}
	*len = n;
	return out;
}

/* ---- helpers ------------------------------------------------------------------------ */

struct item_pos {
	int col, row; /* the focus marker's cell, before the number */
};

static struct item_pos item_at(struct harness *h, struct gwd *g, int number, const char *label)
{
	struct item_pos p;
	const char *s = e2e_item(number, label);
	E2E_CHECK(h, g, e2e_wait_text(h, s, WAIT_MS), "no [%s] on the screen", s);
	E2E_CHECK(h, g, h_find(h, s, &p.col, &p.row), "no [%s] on the screen", s);
	p.col--;
	return p;
}

static void expect_focus(struct harness *h, struct gwd *g, struct item_pos p, const char *after)
{
	E2E_CHECK(h, g, e2e_wait_mark(h, p.col, p.row, true, WAIT_MS),
	          "the focus is not where it should be after %s", after);
}

/* The kiosk has read everything sent so far: Down moves the focus away
 * from the cursor's cell (the focused item's marker), Up brings it back,
 * and each is waited for. */
static void sync_keys(struct harness *h, struct gwd *g, int cx, int cy, const char *after)
{
	h_key(h, H_DOWN);
	E2E_CHECK(h, g, e2e_wait_mark(h, cx, cy, false, WAIT_MS),
	          "Down did not move the focus after %s (the kiosk stopped reading keys?)", after);
	h_key(h, H_UP);
	E2E_CHECK(h, g, e2e_wait_mark(h, cx, cy, true, WAIT_MS),
	          "Up did not bring the focus back after %s", after);
	h_settle(h, E2E_QUIET_MS, 2000);
}

/* Every batch of `unknown` on the screen shown now: afterwards the screen
 * (status bar aside) is exactly what it was. */
static void assert_unknown_do_nothing(struct harness *h, struct gwd *g, const char *where)
{
	int cx, cy;
	char *before;
	h_settle(h, E2E_QUIET_MS, 2000);
	before = e2e_screen_body(h);
	h_cursor(h, &cx, &cy);
	E2E_CHECK(h, g, h_cell_at(h, cx, cy).ch == '>', "%s: the cursor is not on the focus marker", where);
	for (size_t i = 0; i < sizeof unknown / sizeof unknown[0]; i++) {
		size_t len;
		char *bytes = batch_bytes(&unknown[i], &len), *now;
		h_send(h, bytes, len);
		free(bytes);
		sync_keys(h, g, cx, cy, unknown[i].name);
		now = e2e_screen_body(h);
		E2E_CHECK(h, g, strcmp(now, before) == 0, "%s: [%s] changed the screen; it was:\n%s", where,
		          unknown[i].name, before);
		free(now);
		E2E_CHECK(h, g, !h_exited(h), "%s: the kiosk ended after [%s]", where, unknown[i].name);
	}
	free(before);
	e2e_clean(h, g, where);
}

static void open_categories(struct harness *h, struct gwd *g, const char *how)
{
	char *step = e2e_fmt("categories by %s", how);
	e2e_expect_row(h, g, 0, T_CATEGORIES, WAIT_MS, step);
	free(step);
}

/* Not home, not the categories: a category's services (its title is the
 * category's name). */
static bool pred_services(struct harness *h, void *ud)
{
	char *t = h_row_text(h, 0);
	bool r = t[0] && !strstr(t, E2E_T_HOME) && !strstr(t, T_CATEGORIES);
	free(t);
	return r;
}

static void expect_services(struct harness *h, struct gwd *g, const char *how)
{
	E2E_CHECK(h, g, h_wait(h, pred_services, NULL, WAIT_MS), "no services list after %s", how);
	h_settle(h, E2E_QUIET_MS, 2000);
}

/* ---- tests ------------------------------------------------------------------------- */

Test(keys, unknown_keys_change_nothing, .timeout = 240)
{
	struct gwd *g = e2e_start_gateway(NULL);
	struct harness *h = e2e_start_home(g, gwd_url(g), 80, 24, NULL, WAIT_MS);

	item_at(h, g, 8, "语言 Language"); /* home fully drawn */
	assert_unknown_do_nothing(h, g, "home");

	h_type(h, "3");
	open_categories(h, g, "3");
	assert_unknown_do_nothing(h, g, "categories");

	/* Still alive and listening: Esc goes back, 6 opens the queue's list. */
	h_key(h, H_ESC);
	e2e_expect_row(h, g, 0, E2E_T_HOME, WAIT_MS, "Esc back home after the keys");
	h_type(h, "6");
	e2e_expect_row(h, g, 0, SOON_TITLE, WAIT_MS, "6 after the keys");
	e2e_finish(h, g);
}

Test(keys, home_in_every_encoding_goes_home, .timeout = 120)
{
	static const struct { const char *name, *bytes; } homes[] = {
		{ "CSI H (xterm)", "\x1b[H" },
		{ "SS3 H (xterm, application mode)", "\x1bOH" },
		{ "CSI 1 ~ (VT220, tmux, screen, Linux console)", "\x1b[1~" },
		{ "CSI 7 ~ (rxvt)", "\x1b[7~" },
		{ "CSI 1 ; 1 H", "\x1b[1;1H" },
		{ "CSI 1 ; 129 H (Num Lock)", "\x1b[1;129H" },
		{ "CSI 57423 u (kitty: keypad Home)", "\x1b[57423u" },
		{ "8-bit CSI 1 ~", "\xc2\x9b" "1~" },
	};
	struct gwd *g = e2e_start_gateway(NULL);
	struct harness *h = e2e_start_home(g, gwd_url(g), 80, 24, NULL, WAIT_MS);
	struct item_pos three = item_at(h, g, 3, "办事服务");
	char *home;

	/* Home as libvterm sends it: home, with the focus on 3, which opened
	 * the categories. That is the screen every Home must give. */
	h_type(h, "3");
	open_categories(h, g, "3");
	h_key(h, H_HOME);
	e2e_expect_row(h, g, 0, E2E_T_HOME, WAIT_MS, "Home from the categories");
	expect_focus(h, g, three, "Home");
	home = e2e_screen_body(h);

	for (size_t i = 0; i < sizeof homes / sizeof homes[0]; i++) {
		/* Two screens deep, so Home is not Esc; and Esc then '1' would
		 * have switched large text on. */
		h_type(h, "3");
		open_categories(h, g, "3");
		h_type(h, "1");
		expect_services(h, g, "1 on the categories");
		h_send(h, homes[i].bytes, strlen(homes[i].bytes));
		E2E_CHECK(h, g, e2e_wait_body(h, home, true, WAIT_MS), "Home as %s did not give the home screen",
		          homes[i].name);
	}
	free(home);
	e2e_finish(h, g);
}

Test(keys, arrows_in_every_encoding_move_the_focus, .timeout = 120)
{
	static const struct { const char *name, *up, *down, *left, *right; } enc[] = {
		{ "CSI", "\x1b[A", "\x1b[B", "\x1b[D", "\x1b[C" },
		{ "SS3", "\x1bOA", "\x1bOB", "\x1bOD", "\x1bOC" },
		{ "CSI 1;1", "\x1b[1;1A", "\x1b[1;1B", "\x1b[1;1D", "\x1b[1;1C" },
		{ "CSI 1;129 (Num Lock)", "\x1b[1;129A", "\x1b[1;129B", "\x1b[1;129D", "\x1b[1;129C" },
		{ "kitty keypad arrows", "\x1b[57419u", "\x1b[57420u", "\x1b[57417u", "\x1b[57418u" },
	};
	struct gwd *g = e2e_start_gateway(NULL);
	struct harness *h = e2e_start_home(g, gwd_url(g), 80, 24, NULL, WAIT_MS);
	/* two columns at 80x24: 1 2 / 3 4 / ... */
	struct item_pos one = item_at(h, g, 1, "大字模式");
	struct item_pos two = item_at(h, g, 2, "语音播报");
	struct item_pos three = item_at(h, g, 3, "办事服务");

	expect_focus(h, g, one, "start");
	for (size_t i = 0; i < sizeof enc / sizeof enc[0]; i++) {
		char *what = e2e_fmt("Down as %s", enc[i].name);
		h_send(h, enc[i].down, strlen(enc[i].down));
		expect_focus(h, g, three, what);
		free(what);
		what = e2e_fmt("Up as %s", enc[i].name);
		h_send(h, enc[i].up, strlen(enc[i].up));
		expect_focus(h, g, one, what);
		free(what);
		what = e2e_fmt("Right as %s", enc[i].name);
		h_send(h, enc[i].right, strlen(enc[i].right));
		expect_focus(h, g, two, what);
		free(what);
		what = e2e_fmt("Left as %s", enc[i].name);
		h_send(h, enc[i].left, strlen(enc[i].left));
		expect_focus(h, g, one, what);
		free(what);
	}
	e2e_finish(h, g);
}

/* The keypad's 3 (as the encoding sends it) opens 办事服务, its Enter picks
 * the focused category, Home goes back. */
static void keypad_round(struct harness *h, struct gwd *g, const char *three, const char *enter,
                         const char *name)
{
	char step[96];
	snprintf(step, sizeof step, "%s keypad 3", name);
	h_send(h, three, strlen(three));
	open_categories(h, g, step);
	snprintf(step, sizeof step, "%s keypad Enter on the categories", name);
	h_send(h, enter, strlen(enter));
	expect_services(h, g, step);
	h_key(h, H_HOME);
	snprintf(step, sizeof step, "Home after the %s keypad", name);
	e2e_expect_row(h, g, 0, E2E_T_HOME, WAIT_MS, step);
}

Test(keys, keypad_digits_and_enter_pick_items, .timeout = 120)
{
	struct gwd *g = e2e_start_gateway(NULL);
	struct harness *h = e2e_start_home(g, gwd_url(g), 80, 24, NULL, WAIT_MS);
	item_at(h, g, 8, "语言 Language");

	keypad_round(h, g, "\x1bOs", "\x1bOM", "application mode (SS3 s, SS3 M)");
	keypad_round(h, g, "\x1b[57402u", "\x1b[57414u", "kitty's (CSI 57402 u, CSI 57414 u)");

	/* keypad 6 (ESC O v), then keypad Enter takes a number for the
	 * focused counter; Home goes back */
	h_send(h, "\x1bOv", 3);
	e2e_expect_row(h, g, 0, SOON_TITLE, WAIT_MS, "keypad 6 (SS3 v)");
	h_settle(h, E2E_QUIET_MS, 1000);
	h_send(h, "\x1bOM", 3);
	e2e_expect(h, g, "您的号码", WAIT_MS, "keypad Enter on the queue's list");
	h_key(h, H_HOME);
	e2e_expect_row(h, g, 0, E2E_T_HOME, WAIT_MS, "Home after the ticket");
	e2e_finish(h, g);
}

Test(keys, sequences_split_across_reads, .timeout = 120)
{
	struct gwd *g = e2e_start_gateway(NULL);
	struct harness *h = e2e_start_home(g, gwd_url(g), 80, 24, NULL, WAIT_MS);
	struct item_pos three = item_at(h, g, 3, "办事服务");
	int cx, cy;
	char *home, *before, *now;

	h_type(h, "3");
	open_categories(h, g, "3");
	h_key(h, H_HOME);
	e2e_expect_row(h, g, 0, E2E_T_HOME, WAIT_MS, "Home from the categories");
	expect_focus(h, g, three, "Home");
	home = e2e_screen_body(h);

	h_type(h, "3");
	open_categories(h, g, "3 again");
	h_settle(h, E2E_QUIET_MS, 2000);
	before = e2e_screen_body(h);
	h_cursor(h, &cx, &cy);

	/* Ctrl+Home and Ctrl + keypad +, in pieces 100 ms apart */
	h_send(h, "\x1b[1;", 4);
	h_pump(h, 100);
	h_send(h, "5H", 2);
	h_send(h, "\x1bO", 2);
	h_pump(h, 100);
	h_send(h, "5", 1);
	h_pump(h, 100);
	h_send(h, "k", 1);
	sync_keys(h, g, cx, cy, "split Ctrl+Home, Ctrl + keypad +");
	now = e2e_screen_body(h);
	E2E_CHECK(h, g, strcmp(now, before) == 0, "split modified keys changed the screen");
	free(now);
	free(before);

	/* Home in two pieces: home as before, not Esc and '1' (large text) */
	h_send(h, "\x1b[", 2);
	h_pump(h, 100);
	h_send(h, "1~", 2);
	E2E_CHECK(h, g, e2e_wait_body(h, home, true, WAIT_MS), "Home split in two did not give the home screen");
	free(home);

	/* A lone ESC is Esc. */
	h_type(h, "3");
	open_categories(h, g, "3 once more");
	h_send(h, "\x1b", 1);
	e2e_expect_row(h, g, 0, E2E_T_HOME, WAIT_MS, "a lone ESC");
	e2e_finish(h, g);
}

Test(keys, x10_mouse_reports_touch, .timeout = 60)
{
	/* A terminal without SGR 1006 reports in X10 bytes: they are a touch,
	 * never keys. */
	struct gwd *g = e2e_start_gateway(NULL);
	struct harness *h = e2e_start_home(g, gwd_url(g), 80, 24, NULL, WAIT_MS);
	struct item_pos six = item_at(h, g, 6, SOON_TITLE);
	char press[6] = { 0x1b, '[', 'M', 32, (char)(33 + six.col + 3), (char)(33 + six.row) };
	char release[6] = { 0x1b, '[', 'M', 35, (char)(33 + six.col + 3), (char)(33 + six.row) };

	h_send(h, press, sizeof press);
	h_pump(h, 20);
	h_send(h, release, sizeof release);
	e2e_expect_row(h, g, 0, SOON_TITLE, WAIT_MS, "an X10 touch on 6");
	e2e_finish(h, g);
}
