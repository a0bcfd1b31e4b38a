/* harness.h: drive a real program in a pseudo-terminal and read its screen.
 *
 * The program runs under forkpty(3) with a chosen window size; everything it
 * writes is fed to libvterm, which plays the terminal (xterm-like, UTF-8,
 * alternate screen). Keys, text and mouse clicks are encoded by libvterm, so
 * the program receives exactly what a real terminal would send in whatever
 * modes it enabled (application cursor keys, SGR 1006 mouse, ...).
 *
 * Each harness owns a fresh temporary directory (h_tmpdir) that holds:
 *   stderr.log       the child's fd 2 (never the screen)
 *   asan.<pid>       AddressSanitizer/LeakSanitizer reports, if any
 *   ubsan.<pid>      UndefinedBehaviorSanitizer reports, if any
 *   data/, kiosk.log (h_start_kiosk only)
 * It is removed by h_free unless the environment has H_KEEP_TMP=1.
 *
 * Screens are read as UTF-8: a wide (CJK) character appears once; rows are
 * joined by '\n'; trailing spaces of each row are trimmed. Columns and rows
 * are 0-based cell coordinates.
 *
 * Ownership: h_start* returns a harness the caller frees with h_free (NULL
 * accepted). Returned strings (h_screen_text, h_row_text) are the caller's to
 * free(). Children that outlive a crashed test are killed (PR_SET_PDEATHSIG)
 * and live harnesses are freed at exit, so a failed assertion leaks nothing.
 */
#ifndef TESTS_HARNESS_H
#define TESTS_HARNESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct harness;

enum h_key {
	H_UP, H_DOWN, H_LEFT, H_RIGHT,
	H_ENTER, H_ESC, H_BACKSPACE, H_TAB, H_BTAB, /* BTAB: shift+tab, CSI Z */
	H_INS, H_DEL, H_PGUP, H_PGDN, H_HOME, H_END,
	H_F1, H_F2, H_F3, H_F4, H_F5, H_F6,
	H_F7, H_F8, H_F9, H_F10, H_F11, H_F12,
};

struct h_cell {
	uint32_t ch;     /* first code point; ' ' for an empty cell; 0 for the
	                  * right half of a wide character (width 0 there) */
	int width;       /* 1, 2 for a wide character, 0 for its right half */
	bool bold, reverse, underline;
	int fg, bg;      /* -1 default, 0..255 palette index, or 0x1RRGGBB
	                  * for a direct (24-bit) colour */
};

/* Start argv[0] (PATH searched) in a pty of cols x rows. The child gets the
 * parent's environment minus LINES/COLUMNS, with TERM=xterm-256color,
 * LANG=LC_ALL=C.UTF-8, ASAN/UBSAN/LSAN_OPTIONS logging into h_tmpdir, then
 * extra_env ("K=V", NULL-terminated, may be NULL) on top. Returns NULL (and
 * says why on stderr) if the pty or temp dir cannot be made; an exec failure
 * shows as exit status 127 and a line in stderr.log. */
struct harness *h_start(const char *const argv[], int cols, int rows,
                        const char *const extra_env[]);

/* The kiosk under test: $KIOSK_BIN, else <dir of this test binary>/../kiosk
 * if it exists (so build/asan/tests/e2e finds build/asan/kiosk), else
 * "build/kiosk". */
const char *h_kiosk_bin(void);

/* Start the kiosk with --config /dev/null --gateway URL (omitted if gateway_url is NULL)
 * --data-dir <tmp>/data (fresh, empty) --kiosk-id test-kiosk
 * --log <tmp>/kiosk.log, then extra_args (NULL-terminated, may be NULL). */
struct harness *h_start_kiosk(const char *gateway_url, int cols, int rows,
                              const char *const extra_args[]);
/* The same with extra_env ("K=V", NULL-terminated) as h_start takes. */
struct harness *h_start_kiosk_env(const char *gateway_url, int cols, int rows,
                                  const char *const extra_args[], const char *const extra_env[]);

/* SIGTERM to the child's process group, up to 2 s (draining its output),
 * then SIGKILL; frees everything, removes the temp dir. NULL is fine. */
void h_free(struct harness *h);

/* Pump until the child exits. Returns 0 and sets *status (waitpid status,
 * status may be NULL) once it has; -1 on timeout. The screen holds all the
 * output written before the exit. */
int h_wait_exit(struct harness *h, int timeout_ms, int *status);
bool h_exited(struct harness *h);
int h_pid(const struct harness *h);
const char *h_tmpdir(const struct harness *h);

/* Read what the program writes for ms milliseconds (returns earlier only if
 * it closed the terminal), feeding libvterm and sending the terminal's
 * answers back. Returns the bytes read, or -1 if the terminal was closed
 * (EOF) and nothing was read. */
int h_pump(struct harness *h, int ms);

/* Pump until the program has been quiet for quiet_ms (or max_ms passed);
 * returns the bytes read. For "the frame is finished" after an input. */
size_t h_settle(struct harness *h, int quiet_ms, int max_ms);

/* Poll loops: pump and test after each chunk of output (a chunk is all the
 * bytes available at that moment). The predicate is tested once first. */
bool h_wait(struct harness *h, bool (*pred)(struct harness *, void *),
            void *ud, int timeout_ms);
bool h_wait_text(struct harness *h, const char *utf8, int timeout_ms);
bool h_wait_gone(struct harness *h, const char *utf8, int timeout_ms);

/* Screen reading. Rows trimmed of trailing spaces, joined by '\n' (no final
 * '\n'); caller frees. h_row_text returns "" for a row out of range. */
char *h_screen_text(struct harness *h);
char *h_row_text(struct harness *h, int row);
/* First occurrence (top to bottom, left to right, within one row) of utf8;
 * *col is in cells. col/row may be NULL. */
bool h_find(struct harness *h, const char *utf8, int *col, int *row);
/* Out-of-range coordinates give a blank default cell. */
struct h_cell h_cell_at(struct harness *h, int col, int row);
void h_size(const struct harness *h, int *cols, int *rows);

void h_cursor(struct harness *h, int *col, int *row);
bool h_cursor_visible(const struct harness *h);

/* Input. Everything is queued and written without blocking; what the child
 * does not read yet is written during later pumps. */
void h_send(struct harness *h, const void *bytes, size_t len);
/* Each code point via vterm_keyboard_unichar, except '\n' and '\r' (Enter:
 * a terminal sends CR), '\t' (Tab), '\b' and DEL (Backspace: DEL) and ESC. */
void h_type(struct harness *h, const char *utf8);
void h_key(struct harness *h, enum h_key key);
/* Ctrl + a letter, e.g. h_ctrl(h, 'c') sends 0x03. */
void h_ctrl(struct harness *h, char c);
/* Press of button 1 at a cell (after a move there), H_CLICK_MS of pumping,
 * then its release, encoded by libvterm in the mode the program enabled
 * (SGR 1006: ESC [ < 0 ; x ; y M, then ... m); with motion tracking (1002,
 * 1003) the move may be reported first. If the program enabled no mouse
 * reporting, nothing is sent, as with a real terminal. With the pause,
 * ncurses (mouseinterval(0)) reports BUTTON1_PRESSED then BUTTON1_RELEASED;
 * a program should also accept BUTTON1_CLICKED (press and release read
 * together), which real terminals can produce too. */
#define H_CLICK_MS 20
void h_click(struct harness *h, int col, int row);
/* Clicks the middle cell of the first occurrence; false if absent. */
bool h_click_text(struct harness *h, const char *utf8);

/* The terminal goes away: the pty master is closed, as when a terminal
 * emulator's window is closed (the child gets SIGHUP and EOF/EIO). Nothing
 * more is read; h_wait_exit still reaps. */
void h_hangup(struct harness *h);

/* New window size: TIOCSWINSZ on the pty (the child gets SIGWINCH) and
 * libvterm's size. */
void h_resize(struct harness *h, int cols, int rows);

/* False if any cell holds a C0/C1 control, DEL or a bidi control (U+061C,
 * U+200E/F, U+202A..E, U+2066..9), or if the program set the window title
 * or icon name: why gets a short explanation (may be NULL). U+FFFD is
 * allowed. */
bool h_screen_clean(struct harness *h, char *why, size_t n);

/* Bytes the program wrote to the terminal since start / the last reset. */
size_t h_bytes_out(const struct harness *h);
void h_bytes_reset(struct harness *h);

/* Keeps a copy of everything the program writes from now on (dropping any
 * earlier one), for what leaves no trace on the screen: a scrollback erase
 * (ESC [ 3 J), say. */
void h_record(struct harness *h);
/* Non-overlapping occurrences of bytes[0..len) in that copy (0 if nothing
 * is being kept). */
int h_recorded_count(const struct harness *h, const void *bytes, size_t len);

/* True if no sanitizer report was written; else the start of the first one
 * (and its file name) goes into report (may be NULL). */
bool h_sanitizer_clean(struct harness *h, char *report, size_t n);

/* The screen in a border, cursor, title, byte count, exit status and the
 * tail of the child's stderr: call it when a test fails. */
void h_dump(struct harness *h, FILE *out);

/* For Criterion tests: on failure, dump the screen to stderr first, then
 * fail with the message, e.g. H_ASSERT(h, h_wait_text(h, "OK", 3000),
 * "no OK button"). */
#define H_ASSERT(h, cond, ...)                       \
	do {                                         \
		if (!(cond)) {                       \
			h_dump((h), stderr);         \
			cr_assert_fail(__VA_ARGS__); \
		}                                    \
	} while (0)

#endif
