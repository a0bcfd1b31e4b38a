/* harness.c: a program in a pty, its screen read back through libvterm.
 *
 * One harness = one child under forkpty, the pty master (non-blocking), a
 * libvterm instance that plays the terminal, and a temp dir for the child's
 * stderr and sanitizer reports. Input for the child (our keys, libvterm's
 * answers to its queries) goes through one queue written without blocking,
 * so a child that stops reading can never wedge the test.
 */
#include "harness/harness.h"
#include "harness/hutil.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <vterm.h>

extern char **environ;

struct harness {
	pid_t pid;
	int master;
	int cols, rows;
	VTerm *vt;
	VTermScreen *screen;
	char *tmpdir;
	char *in_q;          /* bytes queued for the child's input */
	size_t in_len, in_cap;
	size_t bytes_out;    /* bytes the child wrote, since start or reset */
	char *rec;           /* a copy of them since h_record, or NULL */
	size_t rec_len, rec_cap;
	bool eof;            /* the pty reported EOF/EIO: nobody holds the slave */
	bool exited;
	int status;
	bool cursor_visible;
	int mouse_mode;      /* VTERM_PROP_MOUSE_*: what the program asked for */
	char dec_pend[64];   /* a DEC mode set/reset held back, see feed() */
	size_t dec_len;
	bool title_set;      /* the child set the title or icon name */
	char title[128];
	struct harness *next_live;
};

static struct harness *live;
static bool atexit_done;

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		abort();
	return p;
}

static char *xstrdup(const char *s)
{
	size_t n = strlen(s) + 1;
	return memcpy(xmalloc(n), s, n);
}

static char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *s;
	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		abort();
	va_end(ap);
	return s;
}

/* ---- temp dirs ---------------------------------------------------------- */

static char *make_tmpdir(const char *prefix)
{
	const char *base = getenv("TMPDIR");
	char *t = xasprintf("%s/%s-XXXXXX", base && *base ? base : "/tmp", prefix);
	if (!mkdtemp(t)) {
		fprintf(stderr, "harness: mkdtemp %s: %s\n", t, strerror(errno));
		free(t);
		return NULL;
	}
	return t;
}

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	remove(path);
	return 0;
}

void h_rmtree(const char *dir)
{
	const char *keep = getenv("H_KEEP_TMP");
	if (!dir)
		return;
	if (keep && *keep && strcmp(keep, "0") != 0) {
		fprintf(stderr, "harness: kept %s\n", dir);
		return;
	}
	nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

char *h_make_tmpdir(const char *prefix)
{
	return make_tmpdir(prefix);
}

/* ---- environment -------------------------------------------------------- */

static bool key_is(const char *entry, const char *key)
{
	size_t n = strlen(key);
	return strncmp(entry, key, n) == 0 && entry[n] == '=';
}

static bool key_in(const char *entry, const char *const list[])
{
	for (size_t i = 0; list && list[i]; i++) {
		const char *eq = strchr(list[i], '=');
		size_t n = eq ? (size_t)(eq - list[i]) : strlen(list[i]);
		if (strncmp(entry, list[i], n) == 0 && entry[n] == '=')
			return true;
	}
	return false;
}

/* Built before the fork: the child may not allocate. */
/* In a forked child whose exec failed: says so on fd 2 with write(2) only
 * (async-signal-safe after fork) and exits 127, as a shell would. */
void h_child_exec_failed(const char *who, const char *prog)
{
	const char *e = strerror(errno);
	(void)!write(2, who, strlen(who));
	(void)!write(2, ": exec failed: ", 15);
	(void)!write(2, prog, strlen(prog));
	(void)!write(2, ": ", 2);
	(void)!write(2, e, strlen(e));
	(void)!write(2, "\n", 1);
	_exit(127);
}

char **h_child_env(const char *tmpdir, bool terminal, const char *const extra[])
{
	static const char *const drop_term[] = {
		"TERM", "LANG", "LINES", "COLUMNS", "TERMCAP", NULL,
	};
	size_t n = 0, cap = 16;
	char **env;
	const char *asan = getenv("ASAN_OPTIONS"), *ubsan = getenv("UBSAN_OPTIONS");
	const char *lsan = getenv("LSAN_OPTIONS");

	for (char **e = environ; *e; e++)
		cap++;
	for (size_t i = 0; extra && extra[i]; i++)
		cap++;
	env = xmalloc(cap * sizeof *env);
	for (char **e = environ; *e; e++) {
		bool drop = key_is(*e, "ASAN_OPTIONS") || key_is(*e, "UBSAN_OPTIONS") ||
			    key_is(*e, "LSAN_OPTIONS") || key_in(*e, extra);
		if (terminal) {
			for (size_t i = 0; drop_term[i]; i++)
				drop = drop || key_is(*e, drop_term[i]);
			drop = drop || strncmp(*e, "LC_", 3) == 0;
		}
		if (!drop)
			env[n++] = xstrdup(*e);
	}
	if (terminal) {
		/* Defaults a caller's extra_env may override (TERM=vt100...). */
		static const char *const defaults[] = {
			"TERM=xterm-256color", "LANG=C.UTF-8", "LC_ALL=C.UTF-8", NULL,
		};
		for (size_t i = 0; defaults[i]; i++)
			if (!key_in(defaults[i], extra))
				env[n++] = xstrdup(defaults[i]);
	}
	/* The caller's own options first so ours (later) win. Reports go to
	 * files, never to the pty, where they would garble the screen. */
	env[n++] = xasprintf("ASAN_OPTIONS=%s%slog_path=%s/asan:abort_on_error=0:detect_leaks=1",
			     asan ? asan : "", asan && *asan ? ":" : "", tmpdir);
	env[n++] = xasprintf("UBSAN_OPTIONS=%s%slog_path=%s/ubsan:halt_on_error=1:print_stacktrace=1",
			     ubsan ? ubsan : "", ubsan && *ubsan ? ":" : "", tmpdir);
	env[n++] = xasprintf("LSAN_OPTIONS=%s%slog_path=%s/lsan",
			     lsan ? lsan : "", lsan && *lsan ? ":" : "", tmpdir);
	for (size_t i = 0; extra && extra[i]; i++)
		env[n++] = xstrdup(extra[i]);
	env[n] = NULL;
	return env;
}

void h_free_env(char **env)
{
	for (size_t i = 0; env && env[i]; i++)
		free(env[i]);
	free(env);
}

void h_child_prepare(pid_t parent)
{
	static const int sigs[] = { SIGPIPE, SIGINT, SIGTERM, SIGHUP, SIGQUIT,
				    SIGCHLD, SIGWINCH, SIGALRM, SIGUSR1, SIGUSR2 };
	sigset_t none;
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent)
		_exit(127);
	/* Nothing of the test process (Criterion's pipes, other ptys, curl
	 * sockets) may stay open in the program under test. */
	close_range(3, ~0u, 0);
	for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
		signal(sigs[i], SIG_DFL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
}

/* ---- the child's input queue --------------------------------------------- */

static void flush_input(struct harness *h)
{
	while (h->in_len > 0 && !h->eof) {
		ssize_t w = write(h->master, h->in_q, h->in_len);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			if (errno != EAGAIN && errno != EWOULDBLOCK)
				h->in_len = 0; /* EIO: the child is gone */
			return;
		}
		memmove(h->in_q, h->in_q + w, h->in_len - (size_t)w);
		h->in_len -= (size_t)w;
	}
}

static void queue_input(struct harness *h, const void *bytes, size_t len)
{
	if (h->in_len + len > h->in_cap) {
		size_t cap = h->in_cap ? h->in_cap : 256;
		while (cap < h->in_len + len)
			cap *= 2;
		h->in_q = realloc(h->in_q, cap);
		if (!h->in_q)
			abort();
		h->in_cap = cap;
	}
	memcpy(h->in_q + h->in_len, bytes, len);
	h->in_len += len;
}

/* libvterm's output: answers to the program's queries, keys, mouse. */
static void on_vterm_output(const char *s, size_t len, void *user)
{
	queue_input(user, s, len);
}

static int on_settermprop(VTermProp prop, VTermValue *val, void *user)
{
	struct harness *h = user;
	switch (prop) {
	case VTERM_PROP_CURSORVISIBLE:
		h->cursor_visible = val->boolean;
		break;
	case VTERM_PROP_MOUSE:
		h->mouse_mode = val->number;
		break;
	case VTERM_PROP_TITLE:
	case VTERM_PROP_ICONNAME:
		h->title_set = true;
		snprintf(h->title, sizeof h->title, "%s", val->string ? val->string : "");
		break;
	default:
		break;
	}
	return 1; /* 0 would make libvterm ignore the mode (mouse, altscreen) */
}

static const VTermScreenCallbacks screen_cbs = {
	.settermprop = on_settermprop,
};

/* ---- lifetime ------------------------------------------------------------ */

static void free_all_live(void)
{
	while (live)
		h_free(live);
}

static void reap(struct harness *h, bool block)
{
	int st;
	pid_t r;
	if (h->exited)
		return;
	do
		r = waitpid(h->pid, &st, block ? 0 : WNOHANG);
	while (r < 0 && errno == EINTR);
	if (r == h->pid) {
		h->exited = true;
		h->status = st;
	} else if (r < 0) {
		h->exited = true; /* not our child any more: nothing to wait for */
		h->status = 0;
	}
}

static struct harness *start_in(char *tmpdir, const char *const argv[], int cols,
				int rows, const char *const extra_env[])
{
	struct harness *h;
	struct winsize ws = { .ws_row = (unsigned short)rows, .ws_col = (unsigned short)cols };
	char *err_path, **env;
	pid_t parent = getpid();
	int flags;

	if (!argv || !argv[0] || cols < 1 || rows < 1) {
		fprintf(stderr, "harness: bad arguments to h_start\n");
		h_rmtree(tmpdir);
		free(tmpdir);
		return NULL;
	}
	h = calloc(1, sizeof *h);
	if (!h)
		abort();
	h->tmpdir = tmpdir;
	h->cols = cols;
	h->rows = rows;
	h->cursor_visible = true;
	h->master = -1;

	h->vt = vterm_new(rows, cols);
	if (!h->vt)
		abort();
	vterm_set_utf8(h->vt, 1);
	vterm_output_set_callback(h->vt, on_vterm_output, h);
	h->screen = vterm_obtain_screen(h->vt);
	vterm_screen_set_callbacks(h->screen, &screen_cbs, h);
	vterm_screen_enable_altscreen(h->screen, 1);
	vterm_screen_reset(h->screen, 1);
	h->title_set = false;
	h->mouse_mode = VTERM_PROP_MOUSE_NONE;
	h->in_len = 0; /* nothing the reset may have queued is for the child */

	err_path = xasprintf("%s/stderr.log", tmpdir);
	env = h_child_env(tmpdir, true, extra_env);
	fflush(NULL);
	h->pid = forkpty(&h->master, NULL, NULL, &ws);
	if (h->pid == 0) {
		int fd;
		h_child_prepare(parent);
		fd = open(err_path, O_WRONLY | O_CREAT | O_APPEND, 0644);
		if (fd >= 0 && fd != 2) {
			dup2(fd, 2);
			close(fd);
		}
		execvpe(argv[0], (char *const *)argv, env);
		h_child_exec_failed("harness", argv[0]);
	}
	h_free_env(env);
	free(err_path);
	if (h->pid < 0) {
		fprintf(stderr, "harness: forkpty: %s\n", strerror(errno));
		vterm_free(h->vt);
		h_rmtree(tmpdir);
		free(tmpdir);
		free(h);
		return NULL;
	}
	/* Non-blocking so a child that stops reading cannot block us; CLOEXEC
	 * so a gateway started later does not hold our master open. */
	flags = fcntl(h->master, F_GETFL);
	fcntl(h->master, F_SETFL, flags | O_NONBLOCK);
	fcntl(h->master, F_SETFD, FD_CLOEXEC);

	h->next_live = live;
	live = h;
	if (!atexit_done) {
		atexit(free_all_live);
		atexit_done = true;
	}
	return h;
}

struct harness *h_start(const char *const argv[], int cols, int rows,
			const char *const extra_env[])
{
	char *tmp = make_tmpdir("harness");
	if (!tmp)
		return NULL;
	return start_in(tmp, argv, cols, rows, extra_env);
}

const char *h_kiosk_bin(void)
{
	static char found[4096];
	const char *env = getenv("KIOSK_BIN");
	char exe[4096];
	ssize_t n;

	if (env && *env)
		return env;
	if (found[0])
		return found;
	n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	if (n > 0) {
		char *slash;
		exe[n] = 0;
		slash = strrchr(exe, '/');   /* .../tests/e2e -> .../tests */
		if (slash) {
			*slash = 0;
			slash = strrchr(exe, '/'); /* .../tests -> ... */
		}
		if (slash) {
			*slash = 0;
			snprintf(found, sizeof found, "%.4000s/kiosk", exe);
			if (access(found, X_OK) == 0)
				return found;
		}
	}
	snprintf(found, sizeof found, "build/kiosk");
	return found;
}

struct harness *h_start_kiosk(const char *gateway_url, int cols, int rows,
			      const char *const extra_args[])
{
	return h_start_kiosk_env(gateway_url, cols, rows, extra_args, NULL);
}

struct harness *h_start_kiosk_env(const char *gateway_url, int cols, int rows,
				  const char *const extra_args[], const char *const extra_env[])
{
	char *tmp = make_tmpdir("kiosk"), *data, *log;
	const char *argv[64];
	size_t n = 0;
	struct harness *h;

	if (!tmp)
		return NULL;
	data = xasprintf("%s/data", tmp);
	log = xasprintf("%s/kiosk.log", tmp);
	mkdir(data, 0700);
	argv[n++] = h_kiosk_bin();
	/* Never this machine's /etc/kiosk/kiosk.conf (make check installs the
	 * package for a while, and a developer's machine may have one); a
	 * --config among extra_args comes later and wins. */
	argv[n++] = "--config";
	argv[n++] = "/dev/null";
	if (gateway_url) {
		argv[n++] = "--gateway";
		argv[n++] = gateway_url;
	}
	argv[n++] = "--data-dir";
	argv[n++] = data;
	argv[n++] = "--kiosk-id";
	argv[n++] = "test-kiosk";
	argv[n++] = "--log";
	argv[n++] = log;
	for (size_t i = 0; extra_args && extra_args[i] && n < 63; i++)
		argv[n++] = extra_args[i];
	argv[n] = NULL;
	h = start_in(tmp, argv, cols, rows, extra_env);
	free(data);
	free(log);
	return h;
}

/* ---- pumping ------------------------------------------------------------- */

/* libvterm 0.1.4 acts on the first parameter of a DEC private mode set or
 * reset only, so ncurses' "ESC [ ? 1006 ; 1000 h" (its XM string under
 * xterm-256color) would leave mouse tracking off. A real xterm honours every
 * parameter: hand them to libvterm one sequence each. */
static void emit_dec_modes(struct harness *h)
{
	const char *p = h->dec_pend + 3, *end = h->dec_pend + h->dec_len - 1;
	char final = h->dec_pend[h->dec_len - 1];
	if (!memchr(p, ';', (size_t)(end - p))) {
		vterm_input_write(h->vt, h->dec_pend, h->dec_len);
		return;
	}
	while (p < end) {
		const char *q = memchr(p, ';', (size_t)(end - p));
		char one[80];
		int n;
		if (!q)
			q = end;
		if (q > p) {
			n = snprintf(one, sizeof one, "\033[?%.*s%c", (int)(q - p), p, final);
			if (n > 0 && (size_t)n < sizeof one)
				vterm_input_write(h->vt, one, (size_t)n);
		}
		p = q + 1;
	}
}

/* Feeds the program's output to libvterm, splitting DEC mode sequences (a
 * sequence cut between two reads is held in dec_pend until it completes). */
static void feed(struct harness *h, const char *b, size_t n)
{
	size_t i = 0, start = 0;
	while (i < n) {
		unsigned char c = (unsigned char)b[i];
		bool ok;
		if (h->dec_len == 0) {
			if (c == 0x1b) {
				vterm_input_write(h->vt, b + start, i - start);
				h->dec_pend[h->dec_len++] = (char)c;
				start = i + 1;
			}
			i++;
			continue;
		}
		if (h->dec_len == 1)
			ok = c == '[';
		else if (h->dec_len == 2)
			ok = c == '?';
		else
			ok = (c >= '0' && c <= '9') || c == ';' || c == 'h' || c == 'l';
		if (ok && h->dec_len < sizeof h->dec_pend) {
			h->dec_pend[h->dec_len++] = (char)c;
			start = i + 1;
			if (h->dec_len > 3 && (c == 'h' || c == 'l')) {
				emit_dec_modes(h);
				h->dec_len = 0;
			}
			i++;
			continue;
		}
		/* Not one of ours: pass what was held, look at c afresh. */
		vterm_input_write(h->vt, h->dec_pend, h->dec_len);
		h->dec_len = 0;
		start = i;
	}
	if (n > start)
		vterm_input_write(h->vt, b + start, n - start);
}

static void record(struct harness *h, const char *buf, size_t n)
{
	if (h->rec_len + n > h->rec_cap) {
		h->rec_cap = (h->rec_len + n) * 2;
		h->rec = realloc(h->rec, h->rec_cap);
		if (!h->rec)
			abort();
	}
	memcpy(h->rec + h->rec_len, buf, n);
	h->rec_len += n;
}

/* Wait up to timeout_ms for output (or for room to write queued input), then
 * read everything available at that moment. Returns the bytes read. */
static size_t pump_chunk(struct harness *h, int timeout_ms)
{
	char buf[65536];
	size_t total = 0;
	struct pollfd pfd;
	int r;

	if (h->eof)
		return 0;
	flush_input(h);
	pfd.fd = h->master;
	pfd.events = POLLIN | (h->in_len ? POLLOUT : 0);
	pfd.revents = 0;
	r = poll(&pfd, 1, timeout_ms < 0 ? 0 : timeout_ms);
	if (r <= 0)
		return 0;
	if (pfd.revents & POLLOUT)
		flush_input(h);
	if (!(pfd.revents & (POLLIN | POLLHUP | POLLERR)))
		return 0;
	for (;;) {
		ssize_t n = read(h->master, buf, sizeof buf);
		if (n > 0) {
			feed(h, buf, (size_t)n);
			total += (size_t)n;
			h->bytes_out += (size_t)n;
			if (h->rec)
				record(h, buf, (size_t)n);
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			break;
		h->eof = true; /* 0 or EIO: every holder of the slave is gone */
		if (h->dec_len) {
			vterm_input_write(h->vt, h->dec_pend, h->dec_len);
			h->dec_len = 0;
		}
		reap(h, false);
		break;
	}
	flush_input(h);
	return total;
}

int h_pump(struct harness *h, int ms)
{
	int64_t end = now_ms() + (ms < 0 ? 0 : ms);
	size_t total = 0;
	do {
		int64_t left = end - now_ms();
		if (h->eof)
			break;
		total += pump_chunk(h, left > 0 ? (int)left : 0);
	} while (now_ms() < end);
	if (h->eof && total == 0)
		return -1;
	return total > (size_t)0x7fffffff ? 0x7fffffff : (int)total;
}

size_t h_settle(struct harness *h, int quiet_ms, int max_ms)
{
	int64_t start = now_ms(), end = start + max_ms, last = start;
	size_t total = 0;
	while (!h->eof) {
		int64_t t = now_ms();
		int64_t wait = last + quiet_ms - t;
		if (wait <= 0 || t >= end)
			break;
		if (wait > end - t)
			wait = end - t;
		size_t n = pump_chunk(h, (int)wait);
		if (n) {
			total += n;
			last = now_ms();
		}
	}
	return total;
}

bool h_wait(struct harness *h, bool (*pred)(struct harness *, void *), void *ud,
	    int timeout_ms)
{
	int64_t end = now_ms() + timeout_ms;
	if (pred(h, ud))
		return true;
	while (!h->eof) {
		int64_t left = end - now_ms();
		if (left <= 0)
			break;
		if (pump_chunk(h, (int)left) > 0 && pred(h, ud))
			return true;
	}
	return pred(h, ud);
}

static bool pred_text(struct harness *h, void *ud)
{
	return h_find(h, ud, NULL, NULL);
}

static bool pred_gone(struct harness *h, void *ud)
{
	return !h_find(h, ud, NULL, NULL);
}

bool h_wait_text(struct harness *h, const char *utf8, int timeout_ms)
{
	return h_wait(h, pred_text, (void *)utf8, timeout_ms);
}

bool h_wait_gone(struct harness *h, const char *utf8, int timeout_ms)
{
	return h_wait(h, pred_gone, (void *)utf8, timeout_ms);
}

int h_wait_exit(struct harness *h, int timeout_ms, int *status)
{
	int64_t end = now_ms() + timeout_ms;
	for (;;) {
		reap(h, false);
		if (h->exited) {
			/* Its last frame may still sit in the pty: read until EOF
			 * (or quiet, if a grandchild holds the slave open). */
			while (!h->eof && pump_chunk(h, 50) > 0)
				;
			if (status)
				*status = h->status;
			return 0;
		}
		int64_t left = end - now_ms();
		if (left <= 0)
			return -1;
		if (!h->eof)
			pump_chunk(h, left < 20 ? (int)left : 20);
		else
			poll(NULL, 0, 10);
	}
}

void h_hangup(struct harness *h)
{
	if (h->master >= 0)
		close(h->master);
	h->master = -1;
	h->eof = true;
	h->in_len = 0;
}

bool h_exited(struct harness *h)
{
	reap(h, false);
	return h->exited;
}

int h_pid(const struct harness *h)
{
	return (int)h->pid;
}

const char *h_tmpdir(const struct harness *h)
{
	return h->tmpdir;
}

void h_free(struct harness *h)
{
	struct harness **pp;
	if (!h)
		return;
	for (pp = &live; *pp; pp = &(*pp)->next_live) {
		if (*pp == h) {
			*pp = h->next_live;
			break;
		}
	}
	reap(h, false);
	if (!h->exited) {
		int64_t end = now_ms() + 2000;
		/* The child leads its own session and group (forkpty). */
		if (kill(-h->pid, SIGTERM) < 0)
			kill(h->pid, SIGTERM);
		while (!h->exited && now_ms() < end) {
			if (!h->eof)
				pump_chunk(h, 20); /* drain: it may be blocked writing */
			else
				poll(NULL, 0, 10);
			reap(h, false);
		}
		if (!h->exited) {
			kill(-h->pid, SIGKILL);
			kill(h->pid, SIGKILL);
			reap(h, true);
		}
	}
	/* Whatever else is left in its group (a shell's sleep, say). */
	kill(-h->pid, SIGKILL);
	if (h->master >= 0)
		close(h->master);
	vterm_free(h->vt);
	h_rmtree(h->tmpdir);
	free(h->tmpdir);
	free(h->in_q);
	free(h->rec);
	free(h);
}

/* ---- screen reading -------------------------------------------------------- */

static size_t put_utf8(char *d, uint32_t c)
{
	if (c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
		c = 0xFFFD;
	if (c < 0x80) {
		d[0] = (char)c;
		return 1;
	}
	if (c < 0x800) {
		d[0] = (char)(0xC0 | (c >> 6));
		d[1] = (char)(0x80 | (c & 0x3F));
		return 2;
	}
	if (c < 0x10000) {
		d[0] = (char)(0xE0 | (c >> 12));
		d[1] = (char)(0x80 | ((c >> 6) & 0x3F));
		d[2] = (char)(0x80 | (c & 0x3F));
		return 3;
	}
	d[0] = (char)(0xF0 | (c >> 18));
	d[1] = (char)(0x80 | ((c >> 12) & 0x3F));
	d[2] = (char)(0x80 | ((c >> 6) & 0x3F));
	d[3] = (char)(0x80 | (c & 0x3F));
	return 4;
}

/* One row as UTF-8 (malloc'd). If colmap is given, (*colmap)[i] is the
 * column of the cell that byte i belongs to, and (*colmap)[len] the column
 * just past the text. */
static char *row_build(struct harness *h, int row, bool trim, int **colmap, size_t *len_out)
{
	size_t cap = (size_t)h->cols * VTERM_MAX_CHARS_PER_CELL * 4 + 1, len = 0;
	char *s = xmalloc(cap);
	int *map = colmap ? xmalloc(cap * sizeof *map) : NULL;
	int col = 0;

	while (row >= 0 && row < h->rows && col < h->cols) {
		VTermScreenCell cell;
		VTermPos pos = { .row = row, .col = col };
		size_t before = len;
		int w;

		vterm_screen_get_cell(h->screen, pos, &cell);
		if (cell.chars[0] == (uint32_t)-1) { /* right half of a wide char */
			col++;
			continue;
		}
		if (cell.chars[0] == 0) {
			s[len++] = ' ';
		} else {
			for (int i = 0; i < VTERM_MAX_CHARS_PER_CELL && cell.chars[i]; i++)
				len += put_utf8(s + len, cell.chars[i]);
		}
		if (map)
			for (size_t i = before; i < len; i++)
				map[i] = col;
		w = cell.width > 0 ? cell.width : 1;
		col += w;
	}
	if (trim)
		while (len > 0 && s[len - 1] == ' ')
			len--;
	s[len] = 0;
	if (map)
		map[len] = col < h->cols ? col : h->cols;
	if (colmap)
		*colmap = map;
	if (len_out)
		*len_out = len;
	return s;
}

char *h_row_text(struct harness *h, int row)
{
	return row_build(h, row, true, NULL, NULL);
}

char *h_screen_text(struct harness *h)
{
	size_t cap = 1, len = 0;
	char *out;
	char **rows = xmalloc((size_t)h->rows * sizeof *rows);
	size_t *lens = xmalloc((size_t)h->rows * sizeof *lens);
	for (int r = 0; r < h->rows; r++) {
		rows[r] = row_build(h, r, true, NULL, &lens[r]);
		cap += lens[r] + 1;
	}
	out = xmalloc(cap);
	for (int r = 0; r < h->rows; r++) {
		memcpy(out + len, rows[r], lens[r]);
		len += lens[r];
		if (r + 1 < h->rows)
			out[len++] = '\n';
		free(rows[r]);
	}
	out[len] = 0;
	free(rows);
	free(lens);
	return out;
}

static bool find_span(struct harness *h, const char *utf8, int *col, int *row, int *end_col)
{
	for (int r = 0; r < h->rows; r++) {
		int *map;
		size_t len;
		char *s = row_build(h, r, false, &map, &len);
		char *hit = strstr(s, utf8);
		if (hit) {
			size_t off = (size_t)(hit - s), hl = strlen(utf8);
			if (col)
				*col = map[off];
			if (row)
				*row = r;
			if (end_col)
				*end_col = map[off + hl];
		}
		free(s);
		free(map);
		if (hit)
			return true;
	}
	return false;
}

bool h_find(struct harness *h, const char *utf8, int *col, int *row)
{
	return find_span(h, utf8, col, row, NULL);
}

static int colour_of(const VTermColor *c, bool fg)
{
	if (fg ? VTERM_COLOR_IS_DEFAULT_FG(c) : VTERM_COLOR_IS_DEFAULT_BG(c))
		return -1;
	if (VTERM_COLOR_IS_INDEXED(c))
		return c->indexed.idx;
	return 0x1000000 | (c->rgb.red << 16) | (c->rgb.green << 8) | c->rgb.blue;
}

struct h_cell h_cell_at(struct harness *h, int col, int row)
{
	struct h_cell out = { .ch = ' ', .width = 1, .fg = -1, .bg = -1 };
	VTermScreenCell cell;
	VTermPos pos = { .row = row, .col = col };

	if (col < 0 || row < 0 || col >= h->cols || row >= h->rows)
		return out;
	vterm_screen_get_cell(h->screen, pos, &cell);
	if (cell.chars[0] == (uint32_t)-1) {
		/* Its own attributes are junk: report the wide char's. */
		if (col > 0) {
			pos.col = col - 1;
			vterm_screen_get_cell(h->screen, pos, &cell);
		}
		out.ch = 0;
		out.width = 0;
	} else {
		out.ch = cell.chars[0] ? cell.chars[0] : ' ';
		out.width = cell.width > 0 ? cell.width : 1;
	}
	out.bold = cell.attrs.bold;
	out.reverse = cell.attrs.reverse;
	out.underline = cell.attrs.underline != 0;
	out.fg = colour_of(&cell.fg, true);
	out.bg = colour_of(&cell.bg, false);
	return out;
}

void h_size(const struct harness *h, int *cols, int *rows)
{
	if (cols)
		*cols = h->cols;
	if (rows)
		*rows = h->rows;
}

void h_cursor(struct harness *h, int *col, int *row)
{
	VTermPos pos;
	vterm_state_get_cursorpos(vterm_obtain_state(h->vt), &pos);
	if (col)
		*col = pos.col;
	if (row)
		*row = pos.row;
}

bool h_cursor_visible(const struct harness *h)
{
	return h->cursor_visible;
}

/* ---- input ----------------------------------------------------------------- */

void h_send(struct harness *h, const void *bytes, size_t len)
{
	queue_input(h, bytes, len);
	flush_input(h);
}

/* Decodes one UTF-8 sequence; returns its length, or 0 if s[0] starts none
 * (the byte is then sent raw). */
static size_t get_utf8(const unsigned char *s, uint32_t *cp)
{
	size_t n;
	uint32_t c = s[0];
	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c >= 0xC2 && c <= 0xDF) {
		n = 2;
		c &= 0x1F;
	} else if (c >= 0xE0 && c <= 0xEF) {
		n = 3;
		c &= 0x0F;
	} else if (c >= 0xF0 && c <= 0xF4) {
		n = 4;
		c &= 0x07;
	} else {
		return 0;
	}
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		c = (c << 6) | (s[i] & 0x3F);
	}
	*cp = c;
	return n;
}

void h_type(struct harness *h, const char *utf8)
{
	const unsigned char *p = (const unsigned char *)utf8;
	while (*p) {
		uint32_t c;
		size_t n = get_utf8(p, &c);
		if (n == 0) {
			queue_input(h, p, 1);
			p++;
			continue;
		}
		p += n;
		switch (c) {
		case '\n':
		case '\r':
			vterm_keyboard_key(h->vt, VTERM_KEY_ENTER, VTERM_MOD_NONE);
			break;
		case '\t':
			vterm_keyboard_key(h->vt, VTERM_KEY_TAB, VTERM_MOD_NONE);
			break;
		case '\b':
		case 0x7F:
			vterm_keyboard_key(h->vt, VTERM_KEY_BACKSPACE, VTERM_MOD_NONE);
			break;
		case 0x1B:
			vterm_keyboard_key(h->vt, VTERM_KEY_ESCAPE, VTERM_MOD_NONE);
			break;
		default:
			vterm_keyboard_unichar(h->vt, c, VTERM_MOD_NONE);
			break;
		}
	}
	flush_input(h);
}

void h_key(struct harness *h, enum h_key key)
{
	VTermKey k = VTERM_KEY_NONE;
	VTermModifier mod = VTERM_MOD_NONE;
	switch (key) {
	case H_UP: k = VTERM_KEY_UP; break;
	case H_DOWN: k = VTERM_KEY_DOWN; break;
	case H_LEFT: k = VTERM_KEY_LEFT; break;
	case H_RIGHT: k = VTERM_KEY_RIGHT; break;
	case H_ENTER: k = VTERM_KEY_ENTER; break;
	case H_ESC: k = VTERM_KEY_ESCAPE; break;
	case H_BACKSPACE: k = VTERM_KEY_BACKSPACE; break;
	case H_TAB: k = VTERM_KEY_TAB; break;
	case H_BTAB: k = VTERM_KEY_TAB; mod = VTERM_MOD_SHIFT; break;
	case H_INS: k = VTERM_KEY_INS; break;
	case H_DEL: k = VTERM_KEY_DEL; break;
	case H_PGUP: k = VTERM_KEY_PAGEUP; break;
	case H_PGDN: k = VTERM_KEY_PAGEDOWN; break;
	case H_HOME: k = VTERM_KEY_HOME; break;
	case H_END: k = VTERM_KEY_END; break;
	default:
		if (key >= H_F1 && key <= H_F12)
			k = VTERM_KEY_FUNCTION(1 + (int)(key - H_F1));
		break;
	}
	if (k != VTERM_KEY_NONE)
		vterm_keyboard_key(h->vt, k, mod);
	flush_input(h);
	/* A lone ESC is the Esc key only once nothing follows it for a moment
	 * (kiosk/core/keys.c: 25 ms); a key sent right after it would make it
	 * Alt + that key, which the kiosk drops. A person's next key comes
	 * later than that. */
	if (key == H_ESC)
		nanosleep(&(struct timespec){ .tv_nsec = 60 * 1000000L }, NULL);
}

void h_ctrl(struct harness *h, char c)
{
	if (c >= 'A' && c <= 'Z')
		c = (char)(c - 'A' + 'a');
	vterm_keyboard_unichar(h->vt, (uint32_t)(unsigned char)c, VTERM_MOD_CTRL);
	flush_input(h);
}

void h_click(struct harness *h, int col, int row)
{
	/* libvterm 0.1.4 reports buttons (in X10 encoding) even when the
	 * program never enabled mouse tracking; a real terminal sends nothing. */
	if (h->mouse_mode == VTERM_PROP_MOUSE_NONE)
		return;
	vterm_mouse_move(h->vt, row, col, VTERM_MOD_NONE);
	vterm_mouse_button(h->vt, 1, true, VTERM_MOD_NONE);
	flush_input(h);
	/* A finger's tap takes time: press and release in one read would make
	 * ncurses report BUTTON1_CLICKED rather than PRESSED then RELEASED. */
	h_pump(h, H_CLICK_MS);
	vterm_mouse_button(h->vt, 1, false, VTERM_MOD_NONE);
	flush_input(h);
}

bool h_click_text(struct harness *h, const char *utf8)
{
	int col, row, end;
	if (!find_span(h, utf8, &col, &row, &end))
		return false;
	h_click(h, end > col ? col + (end - col - 1) / 2 : col, row);
	return true;
}

void h_resize(struct harness *h, int cols, int rows)
{
	struct winsize ws = { .ws_row = (unsigned short)rows, .ws_col = (unsigned short)cols };
	if (cols < 1 || rows < 1)
		return;
	ioctl(h->master, TIOCSWINSZ, &ws);
	vterm_set_size(h->vt, rows, cols);
	h->cols = cols;
	h->rows = rows;
}

/* ---- checks ---------------------------------------------------------------- */

static const char *bad_char(uint32_t c)
{
	if (c < 0x20)
		return "C0 control";
	if (c == 0x7F)
		return "DEL";
	if (c >= 0x80 && c <= 0x9F)
		return "C1 control";
	if (c == 0x061C || c == 0x200E || c == 0x200F || (c >= 0x202A && c <= 0x202E) ||
	    (c >= 0x2066 && c <= 0x2069))
		return "bidi control";
	return NULL;
}

bool h_screen_clean(struct harness *h, char *why, size_t n)
{
	if (h->title_set) {
		if (why && n)
			snprintf(why, n, "the program set the window title/icon name to \"%s\"",
				 h->title);
		return false;
	}
	for (int r = 0; r < h->rows; r++) {
		for (int c = 0; c < h->cols; c++) {
			VTermScreenCell cell;
			VTermPos pos = { .row = r, .col = c };
			vterm_screen_get_cell(h->screen, pos, &cell);
			if (cell.chars[0] == (uint32_t)-1)
				continue;
			for (int i = 0; i < VTERM_MAX_CHARS_PER_CELL && cell.chars[i]; i++) {
				const char *what = bad_char(cell.chars[i]);
				if (what) {
					if (why && n)
						snprintf(why, n, "%s U+%04X in the cell at col %d row %d",
							 what, (unsigned)cell.chars[i], c, r);
					return false;
				}
			}
		}
	}
	if (why && n)
		why[0] = 0;
	return true;
}

size_t h_bytes_out(const struct harness *h)
{
	return h->bytes_out;
}

void h_bytes_reset(struct harness *h)
{
	h->bytes_out = 0;
}

void h_record(struct harness *h)
{
	free(h->rec);
	h->rec_cap = 4096;
	h->rec = xmalloc(h->rec_cap);
	h->rec_len = 0;
}

int h_recorded_count(const struct harness *h, const void *bytes, size_t len)
{
	int n = 0;
	if (!h->rec || !len)
		return 0;
	for (const char *p = h->rec, *end = h->rec + h->rec_len; p < end; n++) {
		p = memmem(p, (size_t)(end - p), bytes, len);
		if (!p)
			break;
		p += len;
	}
	return n;
}

bool h_dir_sanitizer_clean(const char *dir, char *report, size_t n)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	bool clean = true;

	if (!d)
		return true;
	while (clean && (e = readdir(d))) {
		char *path;
		struct stat st;
		if (strncmp(e->d_name, "asan.", 5) != 0 && strncmp(e->d_name, "ubsan.", 6) != 0 &&
		    strncmp(e->d_name, "lsan.", 5) != 0)
			continue;
		path = xasprintf("%s/%s", dir, e->d_name);
		if (stat(path, &st) == 0 && st.st_size > 0) {
			clean = false;
			if (report && n) {
				FILE *f = fopen(path, "r");
				int head = snprintf(report, n, "%s:\n", e->d_name);
				size_t got = 0;
				if (head < 0)
					head = 0;
				if ((size_t)head < n - 1 && f)
					got = fread(report + head, 1, n - 1 - (size_t)head, f);
				if ((size_t)head < n)
					report[(size_t)head + got] = 0;
				if (f)
					fclose(f);
			}
		}
		free(path);
	}
	closedir(d);
	if (clean && report && n)
		report[0] = 0;
	return clean;
}

bool h_sanitizer_clean(struct harness *h, char *report, size_t n)
{
	return h_dir_sanitizer_clean(h->tmpdir, report, n);
}

void h_print_tail(FILE *out, const char *label, const char *path, long max)
{
	FILE *f = fopen(path, "r");
	long size;
	char buf[4096];
	size_t n;

	if (!f)
		return;
	fseek(f, 0, SEEK_END);
	size = ftell(f);
	if (size > 0) {
		fprintf(out, "--- %s (%s%ld bytes) ---\n", label, size > max ? "last of " : "", size);
		fseek(f, size > max ? size - max : 0, SEEK_SET);
		while ((n = fread(buf, 1, sizeof buf, f)) > 0)
			fwrite(buf, 1, n, out);
		fputc('\n', out);
	}
	fclose(f);
}

void h_dump(struct harness *h, FILE *out)
{
	int ccol, crow;
	char *path;

	h_cursor(h, &ccol, &crow);
	fprintf(out, "+");
	for (int c = 0; c < h->cols; c++)
		fputc('-', out);
	fprintf(out, "+ %dx%d\n", h->cols, h->rows);
	for (int r = 0; r < h->rows; r++) {
		char *s = row_build(h, r, false, NULL, NULL);
		fprintf(out, "|%s|%s\n", s, r == crow ? " <" : "");
		free(s);
	}
	fprintf(out, "+");
	for (int c = 0; c < h->cols; c++)
		fputc(c == ccol ? '^' : '-', out);
	fprintf(out, "+\n");
	fprintf(out, "cursor col %d row %d (%s); %zu bytes written by the program",
		ccol, crow, h->cursor_visible ? "visible" : "hidden", h->bytes_out);
	if (h->title_set)
		fprintf(out, "; title set to \"%s\"", h->title);
	reap(h, false);
	if (h->exited) {
		if (WIFEXITED(h->status))
			fprintf(out, "; exited %d", WEXITSTATUS(h->status));
		else if (WIFSIGNALED(h->status))
			fprintf(out, "; killed by signal %d", WTERMSIG(h->status));
	} else {
		fprintf(out, "; running (pid %d)", (int)h->pid);
	}
	fprintf(out, "\ntemp dir %s\n", h->tmpdir);
	path = xasprintf("%s/stderr.log", h->tmpdir);
	h_print_tail(out, "stderr", path, 2000);
	free(path);
	{
		char rep[2000];
		if (!h_sanitizer_clean(h, rep, sizeof rep))
			fprintf(out, "--- sanitizer report ---\n%s\n", rep);
	}
	fflush(out);
}
