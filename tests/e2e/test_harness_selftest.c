/* test_harness_selftest.c: the terminal harness and the gateway fixture,
 * tested on small shell programs (no kiosk, no real gateway needed).
 *
 * A stand-in gateway lives in this file too: when the test binary is started
 * with H_FAKE_GATEWAYD=1 in its environment, a constructor serves a tiny HTTP
 * API instead of running Criterion, so gwd.c can be tested by pointing
 * GATEWAYD_BIN at /proc/self/exe.
 */
#include "harness/gwd.h"
#include "harness/harness.h"

#include <criterion/criterion.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define COLS 80
#define ROWS 24
#define WAIT_MS 2500

static struct harness *run_sh(const char *script, int cols, int rows, const char *const env[])
{
	const char *argv[] = { "/bin/sh", "-c", script, NULL };
	struct harness *h = h_start(argv, cols, rows, env);
	cr_assert_not_null(h, "h_start failed");
	return h;
}

static long elapsed_ms(const struct timespec *t0)
{
	struct timespec t1;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (t1.tv_sec - t0->tv_sec) * 1000 + (t1.tv_nsec - t0->tv_nsec) / 1000000;
}

/* ---- screen reading -------------------------------------------------------- */

Test(harness, wide_bold_and_cursor)
{
	struct harness *h = run_sh("printf '\\033[1m社保\\033[0m ok'; sleep 5", COLS, ROWS, NULL);
	int col = -1, row = -1;
	char *line, *all;
	struct h_cell c;

	H_ASSERT(h, h_wait_text(h, "社保 ok", WAIT_MS), "text never appeared");
	line = h_row_text(h, 0);
	cr_assert_str_eq(line, "社保 ok", "row 0 is [%s]", line);
	free(line);

	cr_assert(h_find(h, "ok", &col, &row));
	cr_assert_eq(col, 5, "ok at col %d", col); /* 社 and 保 are 2 cells each */
	cr_assert_eq(row, 0);
	cr_assert(h_find(h, "保", &col, &row));
	cr_assert_eq(col, 2);
	cr_assert_not(h_find(h, "absent", NULL, NULL));

	c = h_cell_at(h, 0, 0);
	cr_assert_eq(c.ch, 0x793E); /* 社 */
	cr_assert_eq(c.width, 2);
	cr_assert(c.bold);
	c = h_cell_at(h, 1, 0); /* right half of 社 */
	cr_assert_eq(c.ch, 0);
	cr_assert_eq(c.width, 0);
	c = h_cell_at(h, 4, 0);
	cr_assert_eq(c.ch, ' ');
	cr_assert_not(c.bold);
	cr_assert_eq(c.fg, -1);
	cr_assert_eq(c.bg, -1);
	c = h_cell_at(h, 500, 500);
	cr_assert_eq(c.ch, ' ');

	h_cursor(h, &col, &row);
	cr_assert_eq(col, 7, "cursor col %d", col);
	cr_assert_eq(row, 0);
	cr_assert(h_cursor_visible(h));

	all = h_screen_text(h);
	cr_assert(strncmp(all, "社保 ok\n\n", strlen("社保 ok\n\n")) == 0, "screen [%s]", all);
	{
		int nl = 0;
		for (char *p = all; *p; p++)
			nl += *p == '\n';
		cr_assert_eq(nl, ROWS - 1, "%d newlines", nl);
	}
	free(all);
	h_free(h);
}

Test(harness, colours_and_attributes)
{
	struct harness *h = run_sh(
		"printf '\\033[31mR\\033[38;5;200mX\\033[38;2;1;2;3mT\\033[0;7;4mV\\033[0;44mB\\033[0m'; sleep 5",
		COLS, ROWS, NULL);
	struct h_cell c;

	H_ASSERT(h, h_wait_text(h, "RXTVB", WAIT_MS), "text never appeared");
	c = h_cell_at(h, 0, 0);
	cr_assert_eq(c.fg, 1, "R fg %d", c.fg);
	c = h_cell_at(h, 1, 0);
	cr_assert_eq(c.fg, 200, "X fg %d", c.fg);
	c = h_cell_at(h, 2, 0);
	cr_assert_eq(c.fg, 0x1010203, "T fg %#x", c.fg);
	c = h_cell_at(h, 3, 0);
	cr_assert(c.reverse);
	cr_assert(c.underline);
	cr_assert_eq(c.fg, -1);
	c = h_cell_at(h, 4, 0);
	cr_assert_eq(c.bg, 4, "B bg %d", c.bg);
	cr_assert_eq(c.fg, -1);
	cr_assert_not(c.reverse);
	h_free(h);
}

Test(harness, alt_screen_hidden_cursor_and_exit_status)
{
	struct harness *h = run_sh("printf 'main'; printf '\\033[?1049h\\033[?25l\\033[5;10HALT'; sleep 0.3; exit 3",
				   COLS, ROWS, NULL);
	int status = -1, col, row;

	H_ASSERT(h, h_wait_text(h, "ALT", WAIT_MS), "no ALT");
	cr_assert_not(h_find(h, "main", NULL, NULL), "alternate screen not in use");
	cr_assert_not(h_cursor_visible(h));
	h_cursor(h, &col, &row);
	cr_assert_eq(col, 12);
	cr_assert_eq(row, 4);
	cr_assert_eq(h_wait_exit(h, WAIT_MS, &status), 0, "did not exit");
	cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 3, "status %#x", status);
	cr_assert(h_exited(h));
	cr_assert_eq(h_pump(h, 10), -1, "pump after EOF should say so");
	h_free(h);
}

/* ---- the child's environment and stderr ----------------------------------- */

Test(harness, environment_and_stderr_file)
{
	const char *env[] = { "FOO=bar baz", "LINES=7", NULL };
	struct harness *h = run_sh(
		"echo \"T=$TERM L=$LANG A=$LC_ALL F=$FOO N=${LINES:-unset}\"; echo to-stderr >&2;"
		" case \"$ASAN_OPTIONS\" in *log_path=*) echo asan-ok;; esac;"
		" case \"$UBSAN_OPTIONS\" in *halt_on_error=1*) echo ubsan-ok;; esac; sleep 5",
		COLS, ROWS, env);
	char path[4096], buf[256] = "";
	FILE *f;

	H_ASSERT(h, h_wait_text(h, "ubsan-ok", WAIT_MS), "no output");
	H_ASSERT(h, h_find(h, "T=xterm-256color L=C.UTF-8 A=C.UTF-8 F=bar baz N=7", NULL, NULL),
		 "environment wrong");
	H_ASSERT(h, h_find(h, "asan-ok", NULL, NULL), "ASAN_OPTIONS has no log_path");
	H_ASSERT(h, !h_find(h, "to-stderr", NULL, NULL), "stderr reached the screen");
	snprintf(path, sizeof path, "%s/stderr.log", h_tmpdir(h));
	f = fopen(path, "r");
	cr_assert_not_null(f, "no %s", path);
	cr_assert_not_null(fgets(buf, sizeof buf, f));
	fclose(f);
	cr_assert_str_eq(buf, "to-stderr\n");
	h_free(h);
}

Test(harness, exec_failure_is_status_127)
{
	const char *argv[] = { "/nonexistent/program", NULL };
	struct harness *h = h_start(argv, COLS, ROWS, NULL);
	int status = 0;
	cr_assert_not_null(h);
	cr_assert_eq(h_wait_exit(h, WAIT_MS, &status), 0);
	cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 127, "status %#x", status);
	h_free(h);
}

/* ---- input ------------------------------------------------------------------ */

Test(harness, type_round_trip_utf8)
{
	struct harness *h = run_sh("echo ready; IFS= read -r l; printf 'got[%s]\\n' \"$l\"; sleep 5",
				   COLS, ROWS, NULL);
	H_ASSERT(h, h_wait_text(h, "ready", WAIT_MS), "not ready");
	h_type(h, "héllo 社保\n");
	H_ASSERT(h, h_wait_text(h, "got[héllo 社保]", WAIT_MS), "typed text did not come back");
	h_free(h);
}

/* Raw mode, then the bytes of each key as hex, so we see what a terminal
 * would have sent. */
#define RAW_HEX(n) "stty raw -echo; printf '%s\\r\\nREADY\\r\\n' \"$M\"; " \
	"dd bs=1 count=" #n " 2>/dev/null | od -An -tx1 | tr -s ' \\n' '  '; printf '|END'; sleep 5"

Test(harness, keys_in_application_cursor_mode)
{
	const char *env[] = { "M=\033[?1h", NULL };
	struct harness *h = run_sh(RAW_HEX(16), 120, ROWS, env);
	H_ASSERT(h, h_wait_text(h, "READY", WAIT_MS), "not ready");
	h_key(h, H_UP);        /* 1b 4f 41: SS3 A, as DECCKM asks */
	h_key(h, H_ENTER);     /* 0d */
	h_key(h, H_BACKSPACE); /* 7f */
	h_key(h, H_F1);        /* 1b 4f 50 */
	h_key(h, H_BTAB);      /* 1b 5b 5a */
	h_key(h, H_PGDN);      /* 1b 5b 36 7e */
	h_ctrl(h, 'c');        /* 03 */
	H_ASSERT(h, h_wait_text(h, "|END", WAIT_MS), "od did not finish");
	H_ASSERT(h, h_find(h, "1b 4f 41 0d 7f 1b 4f 50 1b 5b 5a 1b 5b 36 7e 03", NULL, NULL),
		 "wrong key bytes");
	h_free(h);
}

Test(harness, keys_in_normal_cursor_mode)
{
	const char *env[] = { "M=", NULL };
	struct harness *h = run_sh(RAW_HEX(10), 120, ROWS, env);
	H_ASSERT(h, h_wait_text(h, "READY", WAIT_MS), "not ready");
	h_key(h, H_UP);   /* 1b 5b 41 */
	h_key(h, H_ESC);  /* 1b */
	h_key(h, H_TAB);  /* 09 */
	h_type(h, "é");   /* c3 a9 */
	h_key(h, H_HOME); /* 1b 5b 48 */
	H_ASSERT(h, h_wait_text(h, "|END", WAIT_MS), "od did not finish");
	H_ASSERT(h, h_find(h, "1b 5b 41 1b 09 c3 a9 1b 5b 48", NULL, NULL), "wrong key bytes");
	h_free(h);
}

Test(harness, terminal_answers_cursor_position_query)
{
	/* The program asks where the cursor is (DSR 6); libvterm's answer must
	 * travel back through the pty: ESC [ 3 ; 5 R. */
	struct harness *h = run_sh("stty raw -echo; printf '\\r\\n\\r\\n    \\033[6n';"
				   " dd bs=1 count=6 2>/dev/null | od -An -c | tr -s ' ' ' '; printf '|END'; sleep 5",
				   COLS, ROWS, NULL);
	H_ASSERT(h, h_wait_text(h, "|END", WAIT_MS), "no answer arrived");
	H_ASSERT(h, h_find(h, "033 [ 3 ; 5 R", NULL, NULL), "wrong answer");
	h_free(h);
}

/* ---- mouse -------------------------------------------------------------------- */

Test(harness, click_sgr_mouse)
{
	struct harness *h = run_sh("stty raw -echo; printf '\\033[?1000h\\033[?1006hREADY [ OK ] 确定\\r\\n';"
				   " dd bs=1 count=56 2>/dev/null | cat -v; printf '|END'; sleep 5",
				   COLS, ROWS, NULL);
	int col, row;
	H_ASSERT(h, h_wait_text(h, "READY", WAIT_MS), "not ready");
	h_click(h, 4, 2); /* 1-based in the report: x 5, y 3 */
	cr_assert(h_find(h, "OK", &col, &row));
	cr_assert_eq(col, 8);
	cr_assert(h_click_text(h, "OK"));  /* "OK" is cols 8-9: middle 8 */
	cr_assert(h_click_text(h, "确定")); /* cols 13-16: middle 14 */
	cr_assert_not(h_click_text(h, "Cancel"));
	H_ASSERT(h, h_wait_text(h, "|END", WAIT_MS), "reports did not arrive");
	H_ASSERT(h, h_find(h, "^[[<0;5;3M^[[<0;5;3m^[[<0;9;1M^[[<0;9;1m^[[<0;15;1M^[[<0;15;1m|END",
			   NULL, NULL), "wrong mouse reports");
	h_free(h);
}

Test(harness, click_after_combined_decset_split_across_reads)
{
	/* ncurses enables the mouse with one sequence, ESC [ ? 1006 ; 1000 h,
	 * which libvterm 0.1.4 alone would half ignore; here it also arrives
	 * in two reads. */
	struct harness *h = run_sh("stty raw -echo; printf '\\033[?1006;'; sleep 0.2; printf '1000hREADY\\r\\n';"
				   " dd bs=1 count=18 2>/dev/null | cat -v; printf '|END'; sleep 5",
				   COLS, ROWS, NULL);
	H_ASSERT(h, h_wait_text(h, "READY", WAIT_MS), "not ready");
	h_click(h, 0, 0);
	H_ASSERT(h, h_wait_text(h, "|END", WAIT_MS), "reports did not arrive");
	H_ASSERT(h, h_find(h, "^[[<0;1;1M^[[<0;1;1m|END", NULL, NULL), "wrong mouse reports");
	h_free(h);
}

Test(harness, click_without_mouse_mode_sends_nothing)
{
	struct harness *h = run_sh("stty raw -echo; printf 'READY\\r\\n';"
				   " dd bs=1 count=1 2>/dev/null | od -An -tx1; printf '|END'; sleep 5",
				   COLS, ROWS, NULL);
	H_ASSERT(h, h_wait_text(h, "READY", WAIT_MS), "not ready");
	h_click(h, 3, 3);
	h_pump(h, 50);
	h_type(h, "z");
	H_ASSERT(h, h_wait_text(h, "|END", WAIT_MS), "no output");
	H_ASSERT(h, h_find(h, "7a", NULL, NULL), "a click leaked into the input");
	h_free(h);
}

/* ---- resize ----------------------------------------------------------------- */

Test(harness, resize_reaches_the_program)
{
	struct harness *h = run_sh("trap 'echo size=$(stty size)' WINCH; echo size=$(stty size);"
				   " i=0; while [ $i -lt 100 ]; do sleep 0.03; i=$((i+1)); done",
				   COLS, ROWS, NULL);
	int cols, rows;
	H_ASSERT(h, h_wait_text(h, "size=24 80", WAIT_MS), "wrong initial size");
	h_resize(h, 100, 30);
	h_size(h, &cols, &rows);
	cr_assert_eq(cols, 100);
	cr_assert_eq(rows, 30);
	H_ASSERT(h, h_wait_text(h, "size=30 100", WAIT_MS), "program did not see the resize");
	{
		char *last = h_row_text(h, 29);
		cr_assert_not_null(last);
		free(last);
	}
	h_free(h);
}

/* ---- cleanliness ---------------------------------------------------------- */

Test(harness, clean_screen_allows_replacement_char)
{
	struct harness *h = run_sh("printf 'hello \\357\\277\\275 社保'; sleep 5", COLS, ROWS, NULL);
	char why[200];
	H_ASSERT(h, h_wait_text(h, "社保", WAIT_MS), "no text");
	cr_assert(h_screen_clean(h, why, sizeof why), "%s", why);
	h_free(h);
}

Test(harness, title_change_is_unclean)
{
	struct harness *h = run_sh("printf '\\033]0;pwned\\007hello'; sleep 5", COLS, ROWS, NULL);
	char why[200];
	H_ASSERT(h, h_wait_text(h, "hello", WAIT_MS), "no text");
	cr_assert_not(h_screen_clean(h, why, sizeof why));
	cr_assert(strstr(why, "pwned"), "why: %s", why);
	h_free(h);
}

Test(harness, c1_control_is_unclean)
{
	/* U+0085 (NEL) encoded in UTF-8. libvterm 0.1.4 stores it in a cell
	 * as a glyph of width -1 (the cursor steps back, so the next character
	 * overwrites the one before): move away before printing more. */
	struct harness *h = run_sh("printf 'a\\302\\205\\033[3;1Hmark'; sleep 5", COLS, ROWS, NULL);
	char why[200];
	H_ASSERT(h, h_wait_text(h, "mark", WAIT_MS), "no text");
	H_ASSERT(h, !h_screen_clean(h, why, sizeof why), "C1 not caught");
	cr_assert(strstr(why, "U+0085"), "why: %s", why);
	h_free(h);
}

Test(harness, bidi_control_is_unclean)
{
	struct harness *h = run_sh("printf 'abc\\342\\200\\256def'; sleep 5", COLS, ROWS, NULL);
	char why[200];
	H_ASSERT(h, h_wait_text(h, "def", WAIT_MS), "no text");
	cr_assert_not(h_screen_clean(h, why, sizeof why));
	cr_assert(strstr(why, "U+202E"), "why: %s", why);
	h_free(h);
}

/* ---- bookkeeping ------------------------------------------------------------ */

Test(harness, bytes_out_counts_and_resets)
{
	struct harness *h = run_sh("printf 'abcdef'; IFS= read -r l; printf 'xyz'; sleep 5", COLS, ROWS, NULL);
	H_ASSERT(h, h_wait_text(h, "abcdef", WAIT_MS), "no text");
	cr_assert_eq(h_bytes_out(h), 6, "%zu bytes", h_bytes_out(h));
	h_bytes_reset(h);
	cr_assert_eq(h_bytes_out(h), 0);
	h_type(h, "q\n"); /* echo: "q\r\n", then "xyz" */
	H_ASSERT(h, h_wait_text(h, "xyz", WAIT_MS), "no xyz");
	h_settle(h, 50, 500);
	cr_assert_eq(h_bytes_out(h), 6, "%zu bytes", h_bytes_out(h));
	h_free(h);
}

Test(harness, sanitizer_report_is_found)
{
	struct harness *h = run_sh("p=${ASAN_OPTIONS##*log_path=}; p=${p%%:*};"
				   " echo '==1==ERROR: AddressSanitizer: heap-use-after-free' > \"$p.$$\"; echo done; sleep 5",
				   COLS, ROWS, NULL);
	char rep[300];
	H_ASSERT(h, h_wait_text(h, "done", WAIT_MS), "no text");
	cr_assert_not(h_sanitizer_clean(h, rep, sizeof rep));
	cr_assert(strstr(rep, "heap-use-after-free"), "report: %s", rep);
	h_free(h);
}

Test(harness, sanitizer_clean_when_no_report)
{
	struct harness *h = run_sh("echo done; sleep 5", COLS, ROWS, NULL);
	char rep[300];
	H_ASSERT(h, h_wait_text(h, "done", WAIT_MS), "no text");
	cr_assert(h_sanitizer_clean(h, rep, sizeof rep), "report: %s", rep);
	h_free(h);
}

Test(harness, free_kills_a_program_that_ignores_sigterm, .timeout = 10)
{
	struct harness *h = run_sh("trap '' TERM; echo up; while :; do sleep 1; done", COLS, ROWS, NULL);
	struct timespec t0;
	H_ASSERT(h, h_wait_text(h, "up", WAIT_MS), "not up");
	clock_gettime(CLOCK_MONOTONIC, &t0);
	h_free(h);
	cr_assert_lt(elapsed_ms(&t0), 3500);
}

Test(harness, dump_shows_screen_and_cursor)
{
	struct harness *h = run_sh("printf 'dumped'; sleep 5", 20, 3, NULL);
	char *buf = NULL;
	size_t len = 0;
	FILE *f;
	H_ASSERT(h, h_wait_text(h, "dumped", WAIT_MS), "no text");
	f = open_memstream(&buf, &len);
	cr_assert_not_null(f);
	h_dump(h, f);
	fclose(f);
	cr_assert(strstr(buf, "|dumped              |"), "%s", buf);
	cr_assert(strstr(buf, "cursor col 6 row 0"), "%s", buf);
	free(buf);
	h_free(h);
}

/* Tests that point KIOSK_BIN or GATEWAYD_BIN at stand-ins put the caller's
 * values back afterwards (in case Criterion runs another test in this
 * process). */
static const char *const saved_names[] = { "KIOSK_BIN", "GATEWAYD_BIN", "H_FAKE_GATEWAYD" };
static char *saved_values[3];

static void env_save(void)
{
	for (int i = 0; i < 3; i++) {
		const char *v = getenv(saved_names[i]);
		saved_values[i] = v ? strdup(v) : NULL;
	}
}

static void env_restore(void)
{
	for (int i = 0; i < 3; i++) {
		if (saved_values[i])
			setenv(saved_names[i], saved_values[i], 1);
		else
			unsetenv(saved_names[i]);
		free(saved_values[i]);
		saved_values[i] = NULL;
	}
}

static char fake_kiosk[] = "/tmp/h-fake-kiosk-XXXXXX";

static void remove_fake_kiosk(void)
{
	unlink(fake_kiosk);
	env_restore();
}

Test(harness, start_kiosk_arguments, .init = env_save, .fini = remove_fake_kiosk)
{
	/* A stand-in kiosk that prints its arguments and whether --data-dir
	 * exists and is empty. */
	struct harness *h;
	char *script = fake_kiosk;
	const char *extra[] = { "--extra", NULL };
	int fd = mkstemp(script);
	FILE *f;
	cr_assert_geq(fd, 0);
	f = fdopen(fd, "w");
	fprintf(f, "#!/bin/sh\nprintf '%%s|' \"$@\"; [ -d \"$6\" ] && echo \"empty=$(ls -A \"$6\" | wc -l)\"; sleep 5\n");
	fclose(f);
	chmod(script, 0700);
	setenv("KIOSK_BIN", script, 1);
	cr_assert_str_eq(h_kiosk_bin(), script);

	h = h_start_kiosk("http://127.0.0.1:9", 200, 10, extra);
	cr_assert_not_null(h);
	H_ASSERT(h, h_wait_text(h, "empty=0", WAIT_MS), "no data dir");
	{
		char want[1024];
		snprintf(want, sizeof want,
			 "--config|/dev/null|--gateway|http://127.0.0.1:9|--data-dir|%s/data|--kiosk-id|test-kiosk|--log|%s/kiosk.log|--extra|",
			 h_tmpdir(h), h_tmpdir(h));
		H_ASSERT(h, h_find(h, want, NULL, NULL), "want %s", want);
	}
	h_free(h);
}

/* ---- the gateway fixture, on a stand-in gateway ------------------------------ */

/* Serves GET /args (its command line) and POST /echo (the body) until
 * killed; writes its port to --port-file. Runs instead of Criterion's main. */
static void fake_gatewayd(int argc, char **argv)
{
	const char *port_file = NULL;
	char args[2048] = "";
	struct sockaddr_in sa = { .sin_family = AF_INET };
	socklen_t sl = sizeof sa;
	int s = socket(AF_INET, SOCK_STREAM, 0), one = 1;
	FILE *f;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--port-file") == 0 && i + 1 < argc)
			port_file = argv[i + 1];
		strncat(args, argv[i], sizeof args - strlen(args) - 2);
		strcat(args, " ");
	}
	setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (!port_file || bind(s, (struct sockaddr *)&sa, sizeof sa) || listen(s, 8) ||
	    getsockname(s, (struct sockaddr *)&sa, &sl))
		_exit(2);
	f = fopen(port_file, "w");
	if (!f)
		_exit(2);
	fprintf(f, "%d\n", ntohs(sa.sin_port));
	fclose(f);
	printf("gatewayd: listening on http://127.0.0.1:%d\n", ntohs(sa.sin_port));
	fflush(stdout);
	for (;;) {
		char req[8192], resp[10240];
		size_t len = 0;
		long clen = 0;
		char *hdr_end = NULL, *body;
		int c = accept(s, NULL, NULL);
		if (c < 0)
			continue;
		while (len < sizeof req - 1) {
			ssize_t n = read(c, req + len, sizeof req - 1 - len);
			if (n <= 0)
				break;
			len += (size_t)n;
			req[len] = 0;
			hdr_end = strstr(req, "\r\n\r\n");
			if (hdr_end) {
				char *cl = strcasestr(req, "Content-Length:");
				clen = cl ? strtol(cl + 15, NULL, 10) : 0;
				if ((long)(len - (size_t)(hdr_end + 4 - req)) >= clen)
					break;
			}
		}
		req[len] = 0;
		body = hdr_end ? hdr_end + 4 : req + len;
		if (strncmp(req, "GET /args ", 10) == 0)
			body = args;
		else if (strncmp(req, "POST /echo ", 11) != 0)
			body = NULL;
		snprintf(resp, sizeof resp,
			 "HTTP/1.1 %s\r\nContent-Type: text/plain\r\nContent-Length: %zu\r\nConnection: close\r\n\r\n%s",
			 body ? "200 OK" : "404 Not Found", body ? strlen(body) : 0, body ? body : "");
		(void)!write(c, resp, strlen(resp));
		close(c);
	}
}

__attribute__((constructor)) static void maybe_fake_gatewayd(int argc, char **argv)
{
	const char *v = getenv("H_FAKE_GATEWAYD");
	if (v && strcmp(v, "1") == 0) {
		fake_gatewayd(argc, argv);
		_exit(0);
	}
}

static void use_fake_gateway(void)
{
	setenv("GATEWAYD_BIN", "/proc/self/exe", 1);
	setenv("H_FAKE_GATEWAYD", "1", 1);
}

Test(gwd, start_request_and_kill, .init = env_save, .fini = env_restore)
{
	const char *extra[] = { "--flag", NULL };
	struct gwd *g;
	char *resp = NULL, want[64];
	int st;

	use_fake_gateway();
	g = gwd_start(extra);
	cr_assert_not_null(g, "gwd_start failed");
	snprintf(want, sizeof want, "http://127.0.0.1:%d", gwd_port(g));
	cr_assert_str_eq(gwd_url(g), want);

	st = gwd_get(g, "/args", &resp);
	cr_assert_eq(st, 200, "status %d", st);
	cr_assert(strstr(resp, "--listen 127.0.0.1:0 --port-file "), "args: %s", resp);
	cr_assert(strstr(resp, "/gw.db --demo --sim --quiet --flag "), "args: %s", resp);
	free(resp);

	st = gwd_post(g, "/echo", "{\"a\":\"社保\"}", &resp);
	cr_assert_eq(st, 200);
	cr_assert_str_eq(resp, "{\"a\":\"社保\"}");
	free(resp);

	st = gwd_get(g, "/nothing", NULL);
	cr_assert_eq(st, 404);
	cr_assert(gwd_running(g));

	gwd_kill(g);
	cr_assert_not(gwd_running(g));
	st = gwd_status(g);
	cr_assert(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL, "status %#x", st);
	st = gwd_get(g, "/args", &resp);
	cr_assert_eq(st, -1, "a killed gateway answered %d", st);
	cr_assert_str_eq(resp, "");
	free(resp);
	cr_assert(gwd_sanitizer_clean(g, NULL, 0));
	gwd_free(g);
}

Test(gwd, stop_is_sigterm, .init = env_save, .fini = env_restore)
{
	struct gwd *g;
	int st;
	use_fake_gateway();
	g = gwd_start(NULL);
	cr_assert_not_null(g);
	gwd_stop(g);
	st = gwd_status(g);
	cr_assert(WIFSIGNALED(st) && WTERMSIG(st) == SIGTERM, "status %#x", st);
	gwd_free(g);
}

Test(gwd, missing_binary_fails_fast, .init = env_save, .fini = env_restore)
{
	struct timespec t0;
	setenv("GATEWAYD_BIN", "/nonexistent/gatewayd", 1);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	cr_assert_null(gwd_start(NULL));
	cr_assert_lt(elapsed_ms(&t0), 2000);
}

/* ---- the gateway fixture, on the real gateway (once it is built) ------------ */

Test(gwd, real_gateway_health_faults_and_kill)
{
	struct gwd *g;
	char *resp = NULL;
	int st;

	if (access(gwd_bin(), X_OK) != 0)
		cr_skip_test("%s is not built", gwd_bin());
	g = gwd_start(NULL);
	cr_assert_not_null(g, "gwd_start(%s) failed", gwd_bin());
	st = gwd_get(g, "/v1/health", &resp);
	if (st != 200)
		gwd_dump(g, stderr);
	cr_assert_eq(st, 200, "health: %d %s", st, resp);
	free(resp);
	st = gwd_faults(g, "{\"latency_ms\":1}");
	cr_assert_eq(st, 200, "faults: %d", st);
	st = gwd_faults(g, "{}");
	cr_assert_eq(st, 200, "clearing faults: %d", st);
	gwd_kill(g);
	cr_assert_eq(gwd_get(g, "/v1/health", NULL), -1);
	gwd_free(g);
}
