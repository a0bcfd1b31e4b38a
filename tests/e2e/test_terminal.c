/* test_terminal.c: the kiosk as a terminal program: lockdown (keys and
 * signals that must not end it), clean exits, window size changes, terminals
 * with few or no colours, bad command lines and configuration files, and
 * staying responsive while a gateway request hangs.
 *
 * Every test that shows a screen starts its own gateway. Waits are generous:
 * they assert behaviour, never speed.
 */
#include "e2e.h"
#include "harness/gwd.h"
#include "harness/harness.h"
#include "theme.h"

#include <criterion/criterion.h>

#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#define WAIT_MS 5000
#define EXIT_MS 10000
#define QUIET_MS 150

/* A home button that opens the "not yet available" message and nothing
 * else: 6 排队取号 (扫码登录 did too, until log-in by scanning came). */
#define SOON_KEY "6"
#define SOON_TITLE "排队取号"

/* ---- helpers ----------------------------------------------------------------- */

/* The kiosk started by hand (h_start) with the command line args
 * (NULL-terminated) after the binary. env ("K=V", NULL-terminated, may be
 * NULL) is set through env(1), each variable unset first: h_start puts its
 * own TERM=xterm-256color before extra_env, and getenv() finds that one. */
static struct harness *start_argv(const char *const args[], int cols, int rows, const char *const env[])
{
	const char *argv[64];
	char *names[8];
	size_t n = 0, nn = 0;
	struct harness *h;
	if (env && env[0]) {
		argv[n++] = "env";
		for (size_t i = 0; env[i] && nn < 8; i++) {
			names[nn] = strndup(env[i], strcspn(env[i], "="));
			argv[n++] = "-u";
			argv[n++] = names[nn++];
		}
		for (size_t i = 0; i < nn; i++)
			argv[n++] = env[i];
	}
	argv[n++] = h_kiosk_bin();
	for (size_t i = 0; args && args[i] && n < 63; i++)
		argv[n++] = args[i];
	argv[n] = NULL;
	h = h_start(argv, cols, rows, NULL);
	for (size_t i = 0; i < nn; i++)
		free(names[i]);
	cr_assert_not_null(h, "h_start failed");
	return h;
}

static void assert_sanitizer_clean(struct harness *h)
{
	char rep[1024] = "";
	H_ASSERT(h, h_sanitizer_clean(h, rep, sizeof rep), "kiosk sanitizer report: %s", rep);
}

static void assert_exit(struct harness *h, int code)
{
	int st = -1;
	H_ASSERT(h, h_wait_exit(h, EXIT_MS, &st) == 0, "the kiosk did not exit");
	H_ASSERT(h, WIFEXITED(st) && WEXITSTATUS(st) == code, "exit status %#x, not exit(%d)", st, code);
}

static char *stderr_log(struct harness *h)
{
	char *p = e2e_fmt("%s/stderr.log", h_tmpdir(h)), *s = e2e_slurp_str(p);
	free(p);
	return s;
}

/* The accessibility modes first; 8 opens the language picker. */
static const char *const home_labels[8] = {
	"大字模式", "语音播报", "办事服务", "扫码登录", "生活缴费", "排队取号", "我的办件", "语言 Language",
};

static bool find_item(struct harness *h, int n, const char *label, int *col, int *row)
{
	char *s = e2e_fmt("%d %s", n, label);
	bool r = h_find(h, s, col, row);
	free(s);
	return r;
}

/* Home fully drawn: the title, each of the 8 numbered buttons exactly once,
 * the status bar, focus marker and cursor on button 1. */
static void assert_home(struct harness *h)
{
	int col, row, ccol, crow, cols, rows;
	char *last;
	H_ASSERT(h, e2e_wait_title(h, "政务服务自助终端", WAIT_MS), "no home title");
	for (int i = 0; i < 8; i++) {
		char *s = e2e_fmt("%d %s", i + 1, home_labels[i]);
		H_ASSERT(h, e2e_wait_text(h, s, WAIT_MS), "home button [%s] missing", s);
		free(s);
	}
	for (int i = 0; i < 8; i++) {
		int n = e2e_count_text(h, home_labels[i]);
		H_ASSERT(h, n == 1, "[%s] shown %d times", home_labels[i], n);
	}
	H_ASSERT(h, e2e_count_text(h, "政务服务自助终端") == 1, "home title more than once");
	h_size(h, &cols, &rows);
	last = h_row_text(h, rows - 1);
	H_ASSERT(h, strstr(last, "中文 | 网络正常 | "), "status bar is [%s]", last);
	free(last);
	H_ASSERT(h, find_item(h, 1, home_labels[0], &col, &row), "no button 1");
	H_ASSERT(h, h_cell_at(h, col - 1, row).ch == '>', "button 1 has no focus marker");
	h_cursor(h, &ccol, &crow);
	H_ASSERT(h, ccol == col - 1 && crow == row, "cursor at col %d row %d, not on button 1's '>'", ccol, crow);
	e2e_assert_clean(h);
}

/* The kiosk still runs and still draws: 6 opens the queue's list (排队取号),
 * Esc comes back, Up, Up and Left put the focus back on button 1
 * (two columns of buttons at 80x24: 6 is on the third row, right). */
static void assert_alive(struct harness *h, const char *after)
{
	int col, row;
	h_pump(h, 300);
	H_ASSERT(h, !h_exited(h), "the kiosk ended after %s", after);
	h_type(h, SOON_KEY);
	H_ASSERT(h, e2e_wait_title(h, SOON_TITLE, WAIT_MS), "no queue list after %s", after);
	H_ASSERT(h, e2e_wait_text(h, "请选择要办理的业务", WAIT_MS), "no queue list text after %s", after);
	h_key(h, H_ESC);
	H_ASSERT(h, e2e_wait_title(h, "政务服务自助终端", WAIT_MS), "Esc did not return home after %s", after);
	H_ASSERT(h, h_wait_gone(h, "请选择要办理的业务", WAIT_MS), "the queue list left on home after %s", after);
	H_ASSERT(h, find_item(h, 1, home_labels[0], &col, &row), "no button 1 after %s", after);
	h_key(h, H_UP);
	h_key(h, H_UP);
	h_key(h, H_LEFT);
	H_ASSERT(h, e2e_wait_mark(h, col - 1, row, true, WAIT_MS), "Up, Up, Left did not focus button 1 after %s",
		 after);
	H_ASSERT(h, !h_exited(h), "the kiosk ended after %s", after);
}

/* After the kiosk ended: the alternate screen is gone and the cursor shown. */
static void assert_terminal_restored(struct harness *h)
{
	H_ASSERT(h, !h_find(h, "政务服务自助终端", NULL, NULL), "the kiosk's screen is still up after exit");
	H_ASSERT(h, h_cursor_visible(h), "the cursor is still hidden after exit");
}

/* ---- start-up -------------------------------------------------------------------- */

Test(terminal, default_theme_is_found, .timeout = 60)
{
	/* No --theme: the default theme must be found next to the binary
	 * wherever the build put it (build/kiosk, build/asan/kiosk: `make`
	 * copies themes/ there) or where it is installed. */
	struct gwd *g = e2e_start_gateway(NULL);
	struct harness *h = h_start_kiosk(gwd_url(g), 80, 24, NULL);
	cr_assert_not_null(h);
	if (!h_wait_text(h, "政务服务自助终端", WAIT_MS)) {
		char *err = stderr_log(h);
		h_dump(h, stderr);
		cr_assert_fail("%s without --theme shows no home screen (were the themes built?); stderr: %s",
			       h_kiosk_bin(), err);
	}
	assert_home(h);
	e2e_end_kiosk(h, EXIT_MS);
	e2e_end_gw(g, true);
}

/* ---- lockdown ---------------------------------------------------------------------- */

Test(terminal, lockdown_keys_do_not_end_it, .timeout = 90)
{
	struct gwd *g = e2e_start_gateway(NULL);
	struct harness *h = e2e_start_kiosk(gwd_url(g), 80, 24, NULL);
	char *before;

	assert_home(h);
	before = e2e_screen_body(h);

	h_ctrl(h, 'c');
	assert_alive(h, "Ctrl-C");
	h_ctrl(h, 'z');
	assert_alive(h, "Ctrl-Z");
	h_send(h, "\x1c", 1); /* Ctrl-\ */
	assert_alive(h, "Ctrl-\\");
	h_key(h, H_F10);
	assert_alive(h, "F10");
	h_ctrl(h, 'd');
	assert_alive(h, "Ctrl-D");

	H_ASSERT(h, e2e_wait_body(h, before, true, WAIT_MS), "home looks different after the keys");
	free(before);
	assert_home(h);

	e2e_assert_clean(h);
	kill(h_pid(h), SIGTERM);
	assert_exit(h, 0);
	assert_terminal_restored(h);
	assert_sanitizer_clean(h);
	h_free(h);
	e2e_end_gw(g, true);
}

Test(terminal, lockdown_ignores_keyboard_signals, .timeout = 90)
{
	/* What the keys would raise if the terminal's ISIG were on. */
	struct gwd *g = e2e_start_gateway(NULL);
	struct harness *h = e2e_start_kiosk(gwd_url(g), 80, 24, NULL);

	assert_home(h);
	kill(h_pid(h), SIGINT);
	assert_alive(h, "SIGINT");
	kill(h_pid(h), SIGQUIT);
	assert_alive(h, "SIGQUIT");
	kill(h_pid(h), SIGTSTP);
	assert_alive(h, "SIGTSTP");
	assert_home(h);
	e2e_end_kiosk(h, EXIT_MS);
	e2e_end_gw(g, true);
}

Test(terminal, sigterm_exits_0_in_a_subscreen, .timeout = 60)
{
	struct gwd *g = e2e_start_gateway(NULL);
	struct harness *h = e2e_start_kiosk(gwd_url(g), 80, 24, NULL);
	assert_home(h);
	h_type(h, "3");
	H_ASSERT(h, e2e_wait_title(h, "按类别办事", WAIT_MS), "no categories screen");
	e2e_assert_clean(h);
	kill(h_pid(h), SIGTERM);
	assert_exit(h, 0);
	assert_terminal_restored(h);
	assert_sanitizer_clean(h);
	h_free(h);
	e2e_end_gw(g, true);
}

Test(terminal, no_lockdown_f10_exits_0, .timeout = 60)
{
	const char *const x[] = { "--no-lockdown", NULL };
	struct gwd *g = e2e_start_gateway(NULL);
	struct harness *h = e2e_start_kiosk(gwd_url(g), 80, 24, x);
	assert_home(h);
	h_key(h, H_F10);
	assert_exit(h, 0);
	assert_terminal_restored(h);
	assert_sanitizer_clean(h);
	h_free(h);
	e2e_end_gw(g, true);
}

Test(terminal, no_lockdown_ctrl_c_exits_0, .timeout = 60)
{
	const char *const x[] = { "--no-lockdown", NULL };
	struct gwd *g = e2e_start_gateway(NULL);
	struct harness *h = e2e_start_kiosk(gwd_url(g), 80, 24, x);
	assert_home(h);
	h_ctrl(h, 'c');
	assert_exit(h, 0);
	assert_terminal_restored(h);
	assert_sanitizer_clean(h);
	h_free(h);
	e2e_end_gw(g, true);
}

Test(terminal, no_lockdown_sigterm_exits_0, .timeout = 60)
{
	const char *const x[] = { "--no-lockdown", NULL };
	struct gwd *g = e2e_start_gateway(NULL);
	struct harness *h = e2e_start_kiosk(gwd_url(g), 80, 24, x);
	assert_home(h);
	kill(h_pid(h), SIGTERM);
	assert_exit(h, 0);
	assert_terminal_restored(h);
	assert_sanitizer_clean(h);
	h_free(h);
	e2e_end_gw(g, true);
}

/* ---- window size ------------------------------------------------------------------- */

Test(terminal, resize_tiny_and_back, .timeout = 90)
{
	struct gwd *g = e2e_start_gateway(NULL);
	struct harness *h = e2e_start_kiosk(gwd_url(g), 80, 24, NULL);
	char *before;

	assert_home(h);
	before = e2e_screen_body(h);

	h_resize(h, 20, 10);
	h_settle(h, 300, 3000);
	H_ASSERT(h, !h_exited(h), "the kiosk ended at 20x10");
	e2e_assert_clean(h);
	H_ASSERT(h, h_wait(h, e2e_pred_title, "政务", WAIT_MS), "nothing sensible drawn at 20x10");
	h_settle(h, QUIET_MS, 2000);
	{
		char *t = h_row_text(h, 9);
		H_ASSERT(h, t[0] != '\0', "no status bar at 20x10");
		free(t);
	}
	/* Keys still work at that size: one button a page there, so Down
	 * twice is 3 办事服务 (a digit picks on the page shown only). */
	h_key(h, H_DOWN);
	h_key(h, H_DOWN);
	h_key(h, H_ENTER);
	H_ASSERT(h, e2e_wait_title(h, "按类别", WAIT_MS), "Down, Down, Enter did not open the categories at 20x10");
	h_key(h, H_ESC);
	H_ASSERT(h, e2e_wait_title(h, "政务", WAIT_MS), "Esc did not return home at 20x10");
	/* Up twice: the focus back on button 1, as before the trip. */
	h_key(h, H_UP);
	h_key(h, H_UP);
	H_ASSERT(h, e2e_wait_text(h, "1 大字", WAIT_MS), "Up, Up did not return to button 1 at 20x10");
	e2e_assert_clean(h);

	h_resize(h, 80, 24);
	h_settle(h, 300, 3000);
	assert_home(h);
	if (!e2e_wait_body(h, before, true, WAIT_MS)) {
		h_dump(h, stderr);
		cr_assert_fail("home at 80x24 differs after the round trip through 20x10; before:\n%s", before);
	}
	free(before);

	/* Smaller than the kiosk can lay out: it says so, and comes back. */
	h_resize(h, 12, 4);
	h_settle(h, 300, 3000);
	H_ASSERT(h, !h_exited(h), "the kiosk ended at 12x4");
	e2e_assert_clean(h);
	h_resize(h, 80, 24);
	h_settle(h, 300, 3000);
	assert_home(h);
	H_ASSERT(h, e2e_count_text(h, "窗口太小") == 0, "窗口太小 left on the screen");

	e2e_end_kiosk(h, EXIT_MS);
	e2e_end_gw(g, true);
}

Test(terminal, resize_120x40_to_60x20, .timeout = 90)
{
	struct gwd *g = e2e_start_gateway(NULL);
	struct harness *h = e2e_start_kiosk(gwd_url(g), 120, 40, NULL);
	struct harness *fresh;
	char *resized, *want;

	assert_home(h);
	h_resize(h, 60, 20);
	h_settle(h, 300, 3000);
	H_ASSERT(h, !h_exited(h), "the kiosk ended after the resize");
	assert_home(h);
	resized = e2e_screen_body(h);

	/* What a kiosk started at 60x20 shows: the resized one must match it,
	 * with nothing left over from 120x40. */
	fresh = e2e_start_kiosk(gwd_url(g), 60, 20, NULL);
	assert_home(fresh);
	want = e2e_screen_body(fresh);
	if (!e2e_wait_body(h, want, true, WAIT_MS)) {
		h_dump(h, stderr);
		cr_assert_fail("home after 120x40 -> 60x20 differs from a fresh 60x20 home:\n"
			       "resized:\n%s\nfresh:\n%s", resized, want);
	}
	free(resized);
	free(want);

	/* And a screen deeper down survives the resize too. */
	h_type(h, "3");
	H_ASSERT(h, e2e_wait_title(h, "按类别办事", WAIT_MS), "no categories screen");
	h_resize(h, 120, 40);
	h_settle(h, 300, 3000);
	H_ASSERT(h, e2e_wait_title(h, "按类别办事", WAIT_MS), "categories screen lost on resize");
	H_ASSERT(h, e2e_wait_text(h, "[Esc] 返回", WAIT_MS), "no status bar after resize");
	e2e_assert_clean(h);
	h_key(h, H_ESC);
	H_ASSERT(h, e2e_wait_title(h, "政务服务自助终端", WAIT_MS), "Esc did not return home");
	/* The focus is still on 3 办事服务: Left twice is button 1 (four
	 * columns at 120x40). */
	{
		int col, row;
		H_ASSERT(h, e2e_wait_text(h, "1 大字模式", WAIT_MS), "home not drawn");
		H_ASSERT(h, find_item(h, 1, home_labels[0], &col, &row), "no button 1");
		h_key(h, H_LEFT);
		h_key(h, H_LEFT);
		H_ASSERT(h, e2e_wait_mark(h, col - 1, row, true, WAIT_MS), "Left, Left did not focus button 1");
	}
	assert_home(h);

	e2e_end_kiosk(fresh, EXIT_MS);
	e2e_end_kiosk(h, EXIT_MS);
	e2e_end_gw(g, true);
}

/* ---- terminals with few colours ---------------------------------------------------- */

/* A terminfo directory holding xterm-16color, for systems without it (it
 * ships in ncurses-term, which is often not installed); NULL if the system
 * has it. The caller frees and removes it. */
static char *terminfo_for(const char *term)
{
	char *cmd = e2e_fmt("infocmp '%s' >/dev/null 2>&1", term), *dir, *src;
	FILE *f;
	int rc = system(cmd);
	free(cmd);
	if (rc == 0)
		return NULL;
	cr_assert_str_eq(term, "xterm-16color", "no terminfo entry for %s", term);
	dir = e2e_make_dir("/tmp/kiosk-e2e-term-XXXXXX");
	src = e2e_fmt("%s/xterm-16color.src", dir);
	f = fopen(src, "w");
	cr_assert_not_null(f);
	/* As ncurses' terminfo.src: xterm with aixterm's 16 colours. */
	fputs("xterm-16color|xterm with 16 colors like aixterm,\n"
	      "\tcolors#16, pairs#256, ncv#32,\n"
	      "\tsetab=\\E[%?%p1%{8}%<%t%p1%{40}%+%e%p1%{92}%+%;%dm,\n"
	      "\tsetaf=\\E[%?%p1%{8}%<%t%p1%{30}%+%e%p1%{82}%+%;%dm,\n"
	      "\tuse=xterm,\n", f);
	fclose(f);
	cmd = e2e_fmt("tic -o '%s' '%s' >/dev/null 2>&1", dir, src);
	rc = system(cmd);
	free(cmd);
	free(src);
	cr_assert_eq(rc, 0, "tic could not compile xterm-16color");
	return dir;
}

/* What a terminal draws, cell by cell: only entries the terminal has (with
 * 256 colours none of 0..15, which terminals redefine), never its default
 * colours, every glyph at least min_contrast from its background in xterm's
 * default palette whether or not bold brightens 0..7 to 8..15, and an
 * underline only under text (not blanks, not frames). */
static void assert_screen_colours(struct harness *h, const char *what, int max_colours, double min_contrast)
{
	int cols, rows, lo = max_colours >= 256 ? 16 : 0;
	h_size(h, &cols, &rows);
	for (int y = 0; y < rows; y++) {
		for (int x = 0; x < cols; x++) {
			struct h_cell c = h_cell_at(h, x, y);
			bool blank = c.ch == ' ' || c.ch == 0, frame = c.ch >= 0x2500 && c.ch <= 0x257f;
			H_ASSERT(h, !c.underline || (!blank && !frame), "%s: col %d row %d (U+%04X) is underlined", what, x,
				 y, (unsigned)c.ch);
			if (max_colours == 0) {
				H_ASSERT(h, c.fg == -1 && c.bg == -1, "%s: colour fg %d bg %d at col %d row %d on a "
					 "monochrome terminal", what, c.fg, c.bg, x, y);
				continue;
			}
			H_ASSERT(h, c.fg >= lo && c.fg < max_colours && c.bg >= lo && c.bg < max_colours,
				 "%s: colour fg %d bg %d at col %d row %d (the terminal has %d, uses %d..%d)", what, c.fg,
				 c.bg, x, y, max_colours, lo, max_colours - 1);
			if (blank)
				continue;
			int fg = c.reverse ? c.bg : c.fg, bg = c.reverse ? c.fg : c.bg;
			double plain = theme_contrast(theme_palette_rgb(fg), theme_palette_rgb(bg));
			double bright = c.bold && fg < 8 ? theme_contrast(theme_palette_rgb(fg + 8), theme_palette_rgb(bg))
			                                 : plain;
			H_ASSERT(h, plain >= min_contrast && bright >= min_contrast,
				 "%s: U+%04X at col %d row %d is entry %d on %d%s: %.2f:1 (bold-as-bright %.2f:1), needs "
				 "%.1f:1", what, (unsigned)c.ch, x, y, fg, bg, c.bold ? " bold" : "", plain, bright,
				 min_contrast);
		}
	}
}

static bool same_look(struct h_cell a, struct h_cell b)
{
	return a.bold == b.bold && a.reverse == b.reverse && a.fg == b.fg && a.bg == b.bg;
}

static void on_term(const char *term, int max_colours)
{
	struct gwd *g = e2e_start_gateway(NULL);
	char *dir = e2e_make_dir("/tmp/kiosk-e2e-term-XXXXXX"), *data = e2e_fmt("%s/data", dir), *log = e2e_fmt("%s/kiosk.log", dir);
	char *tinfo = terminfo_for(term);
	char *term_env = e2e_fmt("TERM=%s", term), *tinfo_env = tinfo ? e2e_fmt("TERMINFO=%s", tinfo) : NULL;
	const char *const env[] = { term_env, tinfo_env, NULL }; /* tinfo_env may end it early */
	const char *const args[] = { "--gateway", gwd_url(g), "--data-dir", data, "--kiosk-id", "test-kiosk",
				     "--log", log, NULL };
	struct harness *h = start_argv(args, 80, 24, env);
	int col1, row1, col2, row2;
	struct h_cell f, u;

	if (!h_wait_text(h, "政务服务自助终端", WAIT_MS)) {
		char *err = stderr_log(h);
		h_dump(h, stderr);
		cr_assert_fail("TERM=%s: no home screen; stderr: %s", term, err);
	}
	assert_home(h);

	/* The focused button stands out without colour: its '>' marker (and on
	 * a monochrome terminal bold or reverse video the others lack; with
	 * colours, bold may be given up for colour: ncv). */
	H_ASSERT(h, find_item(h, 1, home_labels[0], &col1, &row1), "no button 1");
	H_ASSERT(h, find_item(h, 2, home_labels[1], &col2, &row2), "no button 2");
	H_ASSERT(h, h_cell_at(h, col1 - 1, row1).ch == '>', "TERM=%s: no '>' on the focused button", term);
	H_ASSERT(h, h_cell_at(h, col2 - 1, row2).ch != '>', "TERM=%s: '>' on an unfocused button", term);
	f = h_cell_at(h, col1 + 2, row1); /* 大 */
	u = h_cell_at(h, col2 + 2, row2); /* 语 */
	if (max_colours == 0)
		H_ASSERT(h, f.bold != u.bold || f.reverse != u.reverse,
			 "TERM=%s: focused and unfocused labels have the same bold/reverse (%d/%d)", term, f.bold,
			 f.reverse);
	else
		H_ASSERT(h, !same_look(f, u), "TERM=%s: focused and unfocused labels look the same", term);

	/* No colour the terminal does not have; the default theme's 4.5:1. */
	assert_screen_colours(h, term, max_colours, 4.5);

	/* Moving the focus moves the marker and the highlight (two columns
	 * of buttons at 80x24: Right is button 2). */
	h_key(h, row2 == row1 ? H_RIGHT : H_DOWN);
	H_ASSERT(h, e2e_wait_mark(h, col2 - 1, row2, true, WAIT_MS), "TERM=%s: focus did not move to button 2", term);
	H_ASSERT(h, e2e_wait_mark(h, col1 - 1, row1, false, WAIT_MS), "TERM=%s: button 1 still marked", term);
	H_ASSERT(h, same_look(h_cell_at(h, col2 + 2, row2), f) && same_look(h_cell_at(h, col1 + 2, row1), u),
		 "TERM=%s: the highlight did not follow the focus", term);
	h_type(h, "3");
	H_ASSERT(h, e2e_wait_title(h, "按类别办事", WAIT_MS), "TERM=%s: no categories screen", term);
	e2e_assert_clean(h);
	h_key(h, H_HOME);
	H_ASSERT(h, e2e_wait_title(h, "政务服务自助终端", WAIT_MS), "TERM=%s: Home did not return", term);

	e2e_end_kiosk(h, EXIT_MS);
	e2e_end_gw(g, true);
	if (tinfo) {
		e2e_rm_rf(tinfo);
		free(tinfo);
	}
	e2e_rm_rf(dir);
	free(dir);
	free(data);
	free(log);
	free(term_env);
	free(tinfo_env);
}

Test(terminal, term_vt100_monochrome, .timeout = 60) { on_term("vt100", 0); }
Test(terminal, term_xterm_8_colours, .timeout = 60) { on_term("xterm", 8); }
Test(terminal, term_xterm_16_colours, .timeout = 60) { on_term("xterm-16color", 16); }
Test(terminal, term_xterm_256_colours, .timeout = 60) { on_term("xterm-256color", 256); }

/* Large mode (its theme asks 7:1, bold text) on a terminal: the colours
 * hold, the focused button shows by its '>' and fill, and no underline runs
 * through its blank rows or frame. */
static void large_on_term(const char *term, int max_colours)
{
	struct gwd *g = e2e_start_gateway(NULL);
	char *dir = e2e_make_dir("/tmp/kiosk-e2e-term-XXXXXX"), *data = e2e_fmt("%s/data", dir), *log = e2e_fmt("%s/kiosk.log", dir);
	char *term_env = e2e_fmt("TERM=%s", term), *what = e2e_fmt("TERM=%s, large mode", term);
	const char *const env[] = { term_env, NULL };
	const char *const args[] = { "--gateway", gwd_url(g), "--data-dir", data, "--kiosk-id", "test-kiosk",
				     "--log", log, "--mode", "large", NULL };
	struct harness *h = start_argv(args, 80, 24, env);
	int col, row;

	H_ASSERT(h, e2e_wait_title(h, "政务服务自助终端", WAIT_MS), "TERM=%s: no home screen in large mode", term);
	H_ASSERT(h, e2e_wait_text(h, home_labels[0], WAIT_MS), "TERM=%s: no button 1 in large mode", term);
	h_pump(h, QUIET_MS);
	H_ASSERT(h, find_item(h, 1, home_labels[0], &col, &row), "TERM=%s: no button 1", term);
	H_ASSERT(h, h_cell_at(h, col - 1, row).ch == '>', "TERM=%s: no '>' on the focused button", term);
	assert_screen_colours(h, what, max_colours, 7.0);
	e2e_end_kiosk(h, EXIT_MS);
	e2e_end_gw(g, true);
	e2e_rm_rf(dir);
	free(dir);
	free(data);
	free(log);
	free(term_env);
	free(what);
}

Test(terminal, large_mode_xterm_8_colours, .timeout = 60) { large_on_term("xterm", 8); }
Test(terminal, large_mode_xterm_256_colours, .timeout = 60) { large_on_term("xterm-256color", 256); }

/* ---- command line and configuration -------------------------------------------------- */

/* Runs the kiosk with args; it must exit with code before drawing anything,
 * its stderr naming each of the strings in want (NULL-terminated). */
static void bad_start(const char *const args[], const char *const want[])
{
	struct harness *h = start_argv(args, 80, 24, NULL);
	char *err;
	assert_exit(h, 2);
	err = stderr_log(h);
	for (size_t i = 0; want[i]; i++)
		H_ASSERT(h, strstr(err, want[i]), "stderr does not name [%s]: [%s]", want[i], err);
	H_ASSERT(h, strncmp(err, "kiosk: ", 7) == 0, "stderr does not start with 'kiosk: ': [%s]", err);
	H_ASSERT(h, h_bytes_out(h) == 0, "%zu bytes written to the terminal before the error", h_bytes_out(h));
	assert_sanitizer_clean(h);
	free(err);
	h_free(h);
}

Test(terminal, bad_flag_unknown, .timeout = 30)
{
	const char *const args[] = { "--gateway", "http://127.0.0.1:1", "--bogus", NULL };
	const char *const want[] = { "--bogus", NULL };
	bad_start(args, want);
}

Test(terminal, bad_flag_lang, .timeout = 30)
{
	const char *const args[] = { "--gateway", "http://127.0.0.1:1", "--lang", "xx", NULL };
	const char *const want[] = { "--lang", "xx", NULL };
	bad_start(args, want);
}

Test(terminal, bad_flag_plain_http_to_remote, .timeout = 30)
{
	const char *const args[] = { "--gateway", "http://example.com", NULL };
	const char *const want[] = { "--gateway", "http://example.com", NULL };
	bad_start(args, want);
}

Test(terminal, bad_flag_missing_value, .timeout = 30)
{
	const char *const args[] = { "--gateway", "http://127.0.0.1:1", "--lang", NULL };
	const char *const want[] = { "--lang", NULL };
	bad_start(args, want);
}

Test(terminal, bad_config_file_names_line, .timeout = 30)
{
	char *dir = e2e_make_dir("/tmp/kiosk-e2e-term-XXXXXX"), *conf = e2e_fmt("%s/kiosk.conf", dir), *where = e2e_fmt("%s:2", conf);
	FILE *f = fopen(conf, "w");
	cr_assert_not_null(f);
	fputs("[kiosk]\nlang = klingon\n", f);
	fclose(f);
	{
		const char *const args[] = { "--config", conf, "--gateway", "http://127.0.0.1:1", NULL };
		const char *const want[] = { where, "klingon", NULL };
		bad_start(args, want);
	}
	e2e_rm_rf(dir);
	free(dir);
	free(conf);
	free(where);
}

static void good_exit(const char *flag, const char *want)
{
	const char *const args[] = { flag, NULL };
	struct harness *h = start_argv(args, 80, 50, NULL); /* --help is longer than 24 lines */
	char *err;
	assert_exit(h, 0);
	H_ASSERT(h, h_find(h, want, NULL, NULL), "%s printed no [%s]", flag, want);
	err = stderr_log(h);
	H_ASSERT(h, err[0] == '\0', "%s wrote to stderr: [%s]", flag, err);
	free(err);
	assert_sanitizer_clean(h);
	h_free(h);
}

Test(terminal, help_exits_0, .timeout = 30) { good_exit("--help", "Usage: kiosk"); }
Test(terminal, version_exits_0, .timeout = 30) { good_exit("--version", "kiosk 0."); }

/* ---- responsiveness ---------------------------------------------------------------- */

Test(terminal, keys_while_a_request_hangs, .timeout = 90)
{
	struct gwd *g = e2e_start_gateway(NULL);
	struct harness *h;
	int st = gwd_faults(g, "{\"latency_ms\":30000,\"paths\":[\"/v1/catalog\"]}");
	cr_assert_eq(st, 200, "POST /sim/faults: %d", st);

	h = e2e_start_kiosk(gwd_url(g), 80, 24, NULL);
	/* The catalog request is under way (and hangs) from the start. */
	H_ASSERT(h, e2e_wait_title(h, "政务服务自助终端", WAIT_MS), "no home screen");
	H_ASSERT(h, e2e_wait_text(h, "8 语言 Language", WAIT_MS), "home not fully drawn");
	e2e_assert_clean(h);

	/* 3 s: responsiveness, far below the 30 s the request hangs. */
	h_type(h, SOON_KEY);
	H_ASSERT(h, e2e_wait_title(h, SOON_TITLE, 3000), SOON_KEY " did not open the queue's list while a request hangs");
	/* no catalog yet: it says so, in words */
	H_ASSERT(h, e2e_wait_text(h, "暂时无法获取业务列表", 3000), "no words for the missing list");
	e2e_assert_clean(h);
	h_key(h, H_ESC);
	H_ASSERT(h, e2e_wait_title(h, "政务服务自助终端", 3000), "Esc did not return home while a request hangs");
	H_ASSERT(h, e2e_wait_text(h, "3 办事服务", 3000), "home not redrawn");

	/* The categories screen says it is loading, and can be left. */
	h_type(h, "3");
	H_ASSERT(h, e2e_wait_title(h, "按类别办事", 3000), "3 did not open the categories while loading");
	H_ASSERT(h, e2e_wait_text(h, "正在加载服务目录", 3000), "no loading notice");
	e2e_assert_clean(h);
	h_key(h, H_ESC);
	H_ASSERT(h, e2e_wait_title(h, "政务服务自助终端", 3000), "Esc did not leave the loading screen");

	/* SIGTERM does not wait for the hanging request. */
	kill(h_pid(h), SIGTERM);
	assert_exit(h, 0);
	assert_sanitizer_clean(h);
	h_free(h);
	e2e_end_gw(g, true);
}
