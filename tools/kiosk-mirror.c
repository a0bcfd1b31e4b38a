/* kiosk-mirror: watch a kiosk's screen, read-only, from another terminal.
 *
 *   kiosk-mirror [--once] [--timeout-ms N] PATH    (PATH or unix:PATH)
 *
 * Connects to the socket a kiosk started with --mirror unix:PATH listens on
 * and draws the frames it sends (include/mirror.h: whole screens between
 * "\033[?2026h" and "\033[?2026l"). q or Ctrl-C quits, r draws the last
 * frame again (after the window was resized, say); nothing typed here
 * reaches the kiosk. --once prints the first whole frame as plain text
 * (one line a row, trailing spaces trimmed, a wide character once) and
 * exits: for scripts and tests.
 *
 * What comes from the socket is not trusted to be terminal-safe: only
 * printable UTF-8 (no C0/C1 or bidi controls) and the few sequences a frame
 * is made of (cursor position, erase, SGR, the synchronized-update and
 * cursor modes) reach the terminal; anything else is dropped.
 *
 * Exit status: 0 (quit, or --once printed a frame), 1 (could not connect,
 * refused, closed by the kiosk, no frame in time), 2 (usage).
 */
#include <errno.h>
#include <fcntl.h>
#include <locale.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>
#include <wchar.h>

#ifndef KIOSK_VERSION
#define KIOSK_VERSION "?"
#endif

#define FRAME_MAX (8u * 1024 * 1024) /* the last frame kept for r */
#define GRID_MAX_ROWS 500
#define GRID_MAX_COLS 1000

static volatile sig_atomic_t got_signal, got_winch;

static void on_signal(int sig)
{
	if (sig == SIGWINCH)
		got_winch = 1;
	else
		got_signal = sig;
}

static void usage(FILE *f)
{
	fputs("Usage: kiosk-mirror [OPTION]... PATH\n"
	      "Watch a kiosk's screen, read-only: PATH is the socket of kiosk --mirror unix:PATH.\n\n"
	      "  --once           print the first whole frame as plain text and exit\n"
	      "  --timeout-ms N   with --once: give up after N ms (default 10000)\n"
	      "  --version        print the version and exit\n"
	      "  --help           print this help and exit\n\n"
	      "Keys: q or Ctrl-C quits, r redraws. Nothing typed here reaches the kiosk.\n", f);
}

/* ---- writing ---- */

static int write_all(int fd, const void *p, size_t n)
{
	const char *c = p;
	while (n > 0) {
		ssize_t w = write(fd, c, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		c += w;
		n -= (size_t)w;
	}
	return 0;
}

struct buf {
	char *p;
	size_t len, cap;
};

static void buf_add(struct buf *b, const void *p, size_t n)
{
	if (b->len + n > b->cap) {
		size_t cap = b->cap ? b->cap : 65536;
		while (b->len + n > cap)
			cap *= 2;
		char *np = realloc(b->p, cap);
		if (!np) {
			fputs("kiosk-mirror: out of memory\n", stderr);
			exit(1);
		}
		b->p = np;
		b->cap = cap;
	}
	memcpy(b->p + b->len, p, n);
	b->len += n;
}

/* ---- the filter: bytes from the socket to what may reach a terminal ---- */

enum tok { TOK_TEXT, TOK_CUP, TOK_ED, TOK_EL, TOK_SGR, TOK_FRAME_BEGIN, TOK_FRAME_END, TOK_CURSOR };

struct filter {
	int state;          /* 0 ground, 1 ESC, 2 CSI, 3 UTF-8, 4 a string (OSC, DCS...), 5 ESC in it */
	char par[40];
	size_t npar;
	bool bad;
	unsigned char u[4];
	int un, uneed;
	/* What a token is made of, for the sink. */
	void (*sink)(void *ud, enum tok t, const char *bytes, size_t n, uint32_t cp, int a, int b);
	void *ud;
};

static bool cp_ok(uint32_t cp)
{
	if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0))
		return false;
	if (cp == 0x061c || cp == 0x200e || cp == 0x200f || (cp >= 0x202a && cp <= 0x202e) ||
	    (cp >= 0x2066 && cp <= 0x2069))
		return false;
	return cp <= 0x10ffff && !(cp >= 0xd800 && cp <= 0xdfff);
}

static void emit_text(struct filter *f, const unsigned char *s, size_t n, uint32_t cp)
{
	if (!cp_ok(cp)) {
		f->sink(f->ud, TOK_TEXT, "?", 1, '?', 0, 0);
		return;
	}
	f->sink(f->ud, TOK_TEXT, (const char *)s, n, cp, 0, 0);
}

static bool only(const char *s, size_t n, const char *set)
{
	for (size_t i = 0; i < n; i++)
		if (!strchr(set, s[i]))
			return false;
	return true;
}

static void csi_done(struct filter *f, char final)
{
	char seq[48];
	f->par[f->npar] = '\0';
	int n = snprintf(seq, sizeof seq, "\033[%s%c", f->par, final);
	const char *p = f->par;
	size_t np = f->npar;
	if (f->bad)
		return;
	if (final == 'H' && only(p, np, "0123456789;")) {
		int r = 1, c = 1;
		if (np && sscanf(p, "%d;%d", &r, &c) < 1)
			r = 1;
		f->sink(f->ud, TOK_CUP, seq, (size_t)n, 0, r < 1 ? 1 : r, c < 1 ? 1 : c);
	} else if ((final == 'J' || final == 'K') && only(p, np, "012")) {
		f->sink(f->ud, final == 'J' ? TOK_ED : TOK_EL, seq, (size_t)n, 0, np ? p[0] - '0' : 0, 0);
	} else if (final == 'm' && only(p, np, "0123456789;")) {
		f->sink(f->ud, TOK_SGR, seq, (size_t)n, 0, 0, 0);
	} else if ((final == 'h' || final == 'l') && np == 5 && !memcmp(p, "?2026", 5)) {
		f->sink(f->ud, final == 'h' ? TOK_FRAME_BEGIN : TOK_FRAME_END, seq, (size_t)n, 0, 0, 0);
	} else if ((final == 'h' || final == 'l') && np == 3 && !memcmp(p, "?25", 3)) {
		f->sink(f->ud, TOK_CURSOR, seq, (size_t)n, 0, final == 'h', 0);
	}
	/* anything else: dropped */
}

static void filter_byte(struct filter *f, unsigned char c)
{
	for (;;) {
		switch (f->state) {
		case 0:
			if (c == 0x1b) {
				f->state = 1;
			} else if (c >= 0x20 && c < 0x7f) {
				emit_text(f, &c, 1, c);
			} else if (c >= 0xc2 && c <= 0xf4) {
				f->u[0] = c;
				f->un = 1;
				f->uneed = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : 2;
				f->state = 3;
			} else if (c >= 0x80) {
				emit_text(f, (const unsigned char *)"?", 1, '?');
			}
			/* C0 controls: dropped */
			return;
		case 1:
			if (c == '[') {
				f->state = 2;
				f->npar = 0;
				f->bad = false;
			} else if (c == ']' || c == 'P' || c == '_' || c == '^' || c == 'X') {
				f->state = 4; /* OSC, DCS, APC, PM, SOS: dropped whole */
			} else {
				f->state = 0;
			}
			return;
		case 4:
			if (c == 0x07)
				f->state = 0;
			else if (c == 0x1b)
				f->state = 5;
			return;
		case 5:
			f->state = c == '\\' ? 0 : 4;
			return;
		case 2:
			if (c >= 0x30 && c <= 0x3f) {
				if (f->npar + 1 < sizeof f->par)
					f->par[f->npar++] = (char)c;
				else
					f->bad = true;
			} else if (c >= 0x20 && c <= 0x2f) {
				f->bad = true;
			} else if (c >= 0x40 && c <= 0x7e) {
				csi_done(f, (char)c);
				f->state = 0;
			} else {
				f->state = 0; /* a control inside: the sequence is dropped */
			}
			return;
		case 3:
			if ((c & 0xc0) != 0x80) {
				emit_text(f, (const unsigned char *)"?", 1, '?');
				f->state = 0;
				continue; /* this byte starts something else */
			}
			f->u[f->un++] = c;
			if (f->un < f->uneed)
				return;
			f->state = 0;
			uint32_t cp;
			if (f->uneed == 2)
				cp = (uint32_t)(f->u[0] & 0x1f) << 6 | (f->u[1] & 0x3f);
			else if (f->uneed == 3)
				cp = (uint32_t)(f->u[0] & 0x0f) << 12 | (uint32_t)(f->u[1] & 0x3f) << 6 | (f->u[2] & 0x3f);
			else
				cp = (uint32_t)(f->u[0] & 0x07) << 18 | (uint32_t)(f->u[1] & 0x3f) << 12 |
				     (uint32_t)(f->u[2] & 0x3f) << 6 | (f->u[3] & 0x3f);
			bool overlong = (f->uneed == 3 && cp < 0x800) || (f->uneed == 4 && cp < 0x10000);
			emit_text(f, f->u, (size_t)f->uneed, overlong ? 0 : cp);
			return;
		}
	}
}

/* ---- watching: tokens to the terminal ---- */

struct watch {
	struct buf out;    /* to write after each read */
	struct buf frame;  /* the frame being received */
	struct buf last;   /* the last whole frame, for r */
	bool in_frame;
	bool too_big;      /* the frame being received is not kept */
};

static void watch_sink(void *ud, enum tok t, const char *bytes, size_t n, uint32_t cp, int a, int b)
{
	struct watch *w = ud;
	if (t == TOK_FRAME_BEGIN) {
		w->in_frame = true;
		w->too_big = false;
		w->frame.len = 0;
	}
	if (t == TOK_CURSOR)
		return; /* the cursor stays hidden here */
	if (w->in_frame && !w->too_big) {
		if (w->frame.len + n <= FRAME_MAX)
			buf_add(&w->frame, bytes, n);
		else
			w->too_big = true;
	}
	if (t == TOK_FRAME_END && w->in_frame) {
		w->in_frame = false;
		if (!w->too_big) {
			struct buf tmp = w->last;
			w->last = w->frame;
			w->frame = tmp;
		}
		w->frame.len = 0;
	}
	buf_add(&w->out, bytes, n);
}

/* ---- --once: tokens to a grid of cells, printed as text ---- */

struct grid {
	uint32_t *cell;    /* GRID_MAX_ROWS x GRID_MAX_COLS; 0: the right half of a wide one */
	int rows, cols;    /* the extent written */
	int r, c;
	bool in_frame, done;
};

static void grid_clear(struct grid *g)
{
	for (size_t i = 0; i < (size_t)GRID_MAX_ROWS * GRID_MAX_COLS; i++)
		g->cell[i] = ' ';
	g->rows = g->cols = 0;
}

static void once_sink(void *ud, enum tok t, const char *bytes, size_t n, uint32_t cp, int a, int b)
{
	struct grid *g = ud;
	if (g->done)
		return;
	switch (t) {
	case TOK_FRAME_BEGIN:
		g->in_frame = true;
		grid_clear(g);
		g->r = g->c = 0;
		break;
	case TOK_FRAME_END:
		if (g->in_frame)
			g->done = true;
		break;
	case TOK_CUP:
		g->r = a - 1;
		g->c = b - 1;
		break;
	case TOK_ED:
		if (a == 2)
			grid_clear(g);
		break;
	case TOK_TEXT: {
		if (!g->in_frame)
			break;
		int w = wcwidth((wchar_t)cp);
		if (w <= 0)
			break; /* combining marks: not in the text */
		if (g->r < 0 || g->r >= GRID_MAX_ROWS || g->c < 0 || g->c + w > GRID_MAX_COLS) {
			g->c += w;
			break;
		}
		g->cell[(size_t)g->r * GRID_MAX_COLS + (size_t)g->c] = cp;
		if (w == 2)
			g->cell[(size_t)g->r * GRID_MAX_COLS + (size_t)g->c + 1] = 0;
		g->c += w;
		if (g->r + 1 > g->rows)
			g->rows = g->r + 1;
		if (g->c > g->cols)
			g->cols = g->c;
		break;
	}
	default:
		break;
	}
}

static void grid_print(const struct grid *g)
{
	for (int r = 0; r < g->rows; r++) {
		const uint32_t *row = g->cell + (size_t)r * GRID_MAX_COLS;
		int end = g->cols;
		while (end > 0 && row[end - 1] == ' ')
			end--;
		for (int c = 0; c < end; c++) {
			if (!row[c])
				continue;
			char u[8];
			mbstate_t st;
			memset(&st, 0, sizeof st);
			size_t k = wcrtomb(u, (wchar_t)row[c], &st);
			if (k != (size_t)-1)
				fwrite(u, 1, k, stdout);
		}
		putchar('\n');
	}
	fflush(stdout);
}

/* ---- main ---- */

static long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static struct termios saved_tio;
static bool tio_saved, screen_entered;

static void restore(void)
{
	if (screen_entered) {
		const char *s = "\033[0m\033[?2026l\033[?25h\033[?1049l";
		write_all(STDOUT_FILENO, s, strlen(s));
		screen_entered = false;
	}
	if (tio_saved) {
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved_tio);
		tio_saved = false;
	}
}

/* The text before any frame (a refusal) on stderr, printable only. */
static void say_pre(const struct buf *pre)
{
	fputs("kiosk-mirror: ", stderr);
	for (size_t i = 0; i < pre->len; i++) {
		unsigned char c = (unsigned char)pre->p[i];
		if (c == '\n' && i + 1 == pre->len)
			break;
		fputc(c >= 0x20 && c != 0x7f ? c : '?', stderr);
	}
	fputc('\n', stderr);
}

int main(int argc, char **argv)
{
	bool once = false;
	long timeout_ms = 10000;
	const char *path = NULL;
	setlocale(LC_ALL, "");
	if (!strstr(setlocale(LC_CTYPE, NULL), "UTF-8") && !strstr(setlocale(LC_CTYPE, NULL), "utf8"))
		setlocale(LC_CTYPE, "C.UTF-8"); /* wcwidth for --once */
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "--help")) {
			usage(stdout);
			return 0;
		} else if (!strcmp(a, "--version")) {
			printf("kiosk-mirror %s\n", KIOSK_VERSION);
			return 0;
		} else if (!strcmp(a, "--once")) {
			once = true;
		} else if (!strcmp(a, "--timeout-ms") && i + 1 < argc) {
			char *end;
			timeout_ms = strtol(argv[++i], &end, 10);
			if (*end || timeout_ms < 1 || timeout_ms > 3600000) {
				fprintf(stderr, "kiosk-mirror: --timeout-ms must be a number from 1 to 3600000\n");
				return 2;
			}
		} else if (a[0] == '-' && a[1]) {
			fprintf(stderr, "kiosk-mirror: unknown option '%s' (try --help)\n", a);
			return 2;
		} else if (path) {
			fprintf(stderr, "kiosk-mirror: one PATH only (try --help)\n");
			return 2;
		} else {
			path = a;
		}
	}
	if (!path) {
		usage(stderr);
		return 2;
	}
	if (!strncmp(path, "unix:", 5))
		path += 5;
	struct sockaddr_un sa;
	memset(&sa, 0, sizeof sa);
	sa.sun_family = AF_UNIX;
	if (!*path || strlen(path) >= sizeof sa.sun_path) {
		fprintf(stderr, "kiosk-mirror: '%s' is not a usable socket path\n", path);
		return 2;
	}
	memcpy(sa.sun_path, path, strlen(path) + 1);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
		fprintf(stderr, "kiosk-mirror: cannot connect to %s: %s\n", path, strerror(errno));
		return 1;
	}

	struct sigaction sact;
	memset(&sact, 0, sizeof sact);
	sact.sa_handler = on_signal; /* no SA_RESTART: poll returns */
	sigemptyset(&sact.sa_mask);
	sigaction(SIGINT, &sact, NULL);
	sigaction(SIGTERM, &sact, NULL);
	sigaction(SIGHUP, &sact, NULL);
	sigaction(SIGWINCH, &sact, NULL);
	signal(SIGPIPE, SIG_IGN);

	struct grid g = { 0 };
	struct watch w = { 0 };
	struct filter f = { 0 };
	struct buf pre = { 0 };
	bool tty = !once && isatty(STDIN_FILENO);
	if (once) {
		g.cell = malloc((size_t)GRID_MAX_ROWS * GRID_MAX_COLS * sizeof *g.cell);
		if (!g.cell) {
			fputs("kiosk-mirror: out of memory\n", stderr);
			return 1;
		}
		f.sink = once_sink;
		f.ud = &g;
	} else {
		f.sink = watch_sink;
		f.ud = &w;
		if (tty && tcgetattr(STDIN_FILENO, &saved_tio) == 0) {
			struct termios t = saved_tio;
			t.c_lflag &= ~(tcflag_t)(ICANON | ECHO | ISIG | IEXTEN);
			t.c_iflag &= ~(tcflag_t)(IXON | ICRNL);
			t.c_cc[VMIN] = 1;
			t.c_cc[VTIME] = 0;
			tio_saved = tcsetattr(STDIN_FILENO, TCSAFLUSH, &t) == 0;
		}
		if (isatty(STDOUT_FILENO)) {
			const char *s = "\033[?1049h\033[?25l\033[H\033[2J";
			write_all(STDOUT_FILENO, s, strlen(s));
			screen_entered = true;
		}
	}

	int status = 0;
	const char *why = NULL;
	long long deadline = now_ms() + timeout_ms;
	bool seen_esc = false;
	for (;;) {
		if (got_signal) {
			status = 0;
			break;
		}
		if (got_winch) {
			got_winch = 0;
			if (!once && w.last.len)
				write_all(STDOUT_FILENO, w.last.p, w.last.len);
		}
		struct pollfd pfd[2] = { { fd, POLLIN, 0 }, { STDIN_FILENO, POLLIN, 0 } };
		int wait = -1;
		if (once) {
			long long left = deadline - now_ms();
			if (left <= 0) {
				why = "no whole frame came in time";
				status = 1;
				break;
			}
			wait = (int)left;
		}
		int r = poll(pfd, tty ? 2 : 1, wait);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			why = strerror(errno);
			status = 1;
			break;
		}
		if (tty && (pfd[1].revents & POLLIN)) {
			char k[64];
			ssize_t n = read(STDIN_FILENO, k, sizeof k);
			bool quit = n <= 0;
			for (ssize_t i = 0; i < n; i++) {
				if (k[i] == 'q' || k[i] == 'Q' || k[i] == 3 || k[i] == 4)
					quit = true;
				else if ((k[i] == 'r' || k[i] == 'R' || k[i] == 12) && w.last.len)
					write_all(STDOUT_FILENO, w.last.p, w.last.len);
			}
			if (quit)
				break;
		}
		if (pfd[0].revents) {
			unsigned char b[16384];
			ssize_t n = read(fd, b, sizeof b);
			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0) {
				status = 1;
				if (!seen_esc && pre.len)
					why = "";
				else
					why = n < 0 ? strerror(errno)
					            : once ? "the kiosk closed the connection before a whole frame"
					                   : "the kiosk closed the connection (it stopped, or this viewer fell behind)";
				break;
			}
			for (ssize_t i = 0; i < n; i++) {
				/* Text before any frame is a message (a refusal): kept
				 * for stderr, never drawn. */
				if (!seen_esc && b[i] != 0x1b) {
					if (pre.len < 512)
						buf_add(&pre, &b[i], 1);
					continue;
				}
				seen_esc = true;
				filter_byte(&f, b[i]);
			}
			if (w.out.len) {
				write_all(STDOUT_FILENO, w.out.p, w.out.len);
				w.out.len = 0;
			}
			if (once && g.done)
				break;
		}
	}
	restore();
	if (once && g.done) {
		grid_print(&g);
		status = 0;
		why = NULL;
	}
	if (why && !*why)
		say_pre(&pre);
	else if (why)
		fprintf(stderr, "kiosk-mirror: %s\n", why);
	close(fd);
	free(g.cell);
	free(w.out.p);
	free(w.frame.p);
	free(w.last.p);
	free(pre.p);
	return status;
}
