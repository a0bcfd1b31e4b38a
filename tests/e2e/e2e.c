/* e2e.c: helpers shared by the end-to-end tests (see e2e.h). No tests. */
#include "e2e.h"

#include "bigtext.h" /* the kiosk's core (linked into the e2e binary) */

#include <jansson.h>
#include <zbar.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* ---- plain utilities --------------------------------------------------------- */

long long e2e_now_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

char *e2e_fmt(const char *f, ...)
{
	va_list ap;
	char *s = NULL;
	va_start(ap, f);
	if (vasprintf(&s, f, ap) < 0)
		abort();
	va_end(ap);
	return s;
}

char *e2e_slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t n = 0, cap = 0, r;
	if (!f)
		return NULL;
	for (;;) {
		if (n + 65536 + 1 > cap) {
			cap = cap ? cap * 2 : 131072;
			buf = realloc(buf, cap);
			cr_assert_not_null(buf);
		}
		r = fread(buf + n, 1, cap - n - 1, f);
		if (r == 0)
			break;
		n += r;
	}
	fclose(f);
	if (!buf)
		buf = calloc(1, 1);
	buf[n] = '\0';
	if (len)
		*len = n;
	return buf;
}

char *e2e_slurp_str(const char *path)
{
	char *s = e2e_slurp(path, NULL);
	if (!s) {
		s = strdup("");
		cr_assert_not_null(s);
	}
	return s;
}

void e2e_rm_rf(const char *dir)
{
	char *cmd;
	if (!dir || !dir[0])
		return;
	cmd = e2e_fmt("rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
	free(cmd);
}

char *e2e_make_dir(const char *tmpl)
{
	char *d = strdup(tmpl);
	cr_assert_not_null(d);
	cr_assert_not_null(mkdtemp(d), "mkdtemp failed");
	return d;
}

const char *e2e_scratch_dir(char *buf, size_t n, const char *name)
{
	if (!buf[0]) {
		const char *base = getenv("TMPDIR");
		snprintf(buf, n, "%s/kiosk-%s-XXXXXX", base && *base ? base : "/tmp", name);
		cr_assert_not_null(mkdtemp(buf), "mkdtemp: %s", strerror(errno));
	}
	return buf;
}

void e2e_print_file_tail(const char *label, const char *path, long max)
{
	FILE *f = fopen(path, "r");
	char buf[4096];
	size_t n;
	long size;
	if (!f)
		return;
	fseek(f, 0, SEEK_END);
	size = ftell(f);
	fseek(f, size > max ? size - max : 0, SEEK_SET);
	fprintf(stderr, "---- %s (%s, tail) ----\n", label, path);
	while ((n = fread(buf, 1, sizeof buf, f)) > 0)
		fwrite(buf, 1, n, stderr);
	fprintf(stderr, "---- end of %s ----\n", label);
	fclose(f);
}

/* ---- failing with evidence ----------------------------------------------------- */

static const char *(*guard_hook)(struct harness *h);
static void (*dump_hook)(void);

void e2e_set_hooks(const char *(*guard)(struct harness *h), void (*dump)(void))
{
	guard_hook = guard;
	dump_hook = dump;
}

static const char *guard(struct harness *h)
{
	return guard_hook ? guard_hook(h) : NULL;
}

void e2e_dump_all(struct harness *h, struct gwd *g)
{
	if (h) {
		char *path = e2e_fmt("%s/kiosk.log", h_tmpdir(h));
		h_dump(h, stderr);
		e2e_print_file_tail("kiosk.log", path, 4000);
		free(path);
	}
	if (g)
		gwd_dump(g, stderr);
	if (dump_hook)
		dump_hook();
}

void e2e_clean(struct harness *h, struct gwd *g, const char *step)
{
	char why[300] = "";
	const char *seen = guard(h);
	E2E_CHECK(h, g, !seen, "%s: the screen showed \"%s\" (full personal data)", step, seen);
	E2E_CHECK(h, g, h_screen_clean(h, why, sizeof why), "%s: screen not clean: %s", step, why);
}

static bool pred_text(struct harness *h, void *ud)
{
	guard(h);
	return h_find(h, ud, NULL, NULL);
}

static bool pred_gone(struct harness *h, void *ud)
{
	guard(h);
	return !h_find(h, ud, NULL, NULL);
}

void e2e_expect(struct harness *h, struct gwd *g, const char *text, int ms, const char *step)
{
	E2E_CHECK(h, g, h_wait(h, pred_text, (void *)text, ms), "%s: \"%s\" did not appear within %d ms",
	          step, text, ms);
	e2e_clean(h, g, step);
}

void e2e_expect_gone(struct harness *h, struct gwd *g, const char *text, int ms, const char *step)
{
	E2E_CHECK(h, g, h_wait(h, pred_gone, (void *)text, ms), "%s: \"%s\" still shown after %d ms",
	          step, text, ms);
	e2e_clean(h, g, step);
}

bool e2e_row_has(struct harness *h, int row, const char *text)
{
	int cols, rows;
	h_size(h, &cols, &rows);
	char *r = h_row_text(h, row < 0 ? rows + row : row);
	bool ok = strstr(r, text) != NULL;
	free(r);
	return ok;
}

struct row_want {
	int row;
	const char *text;
};

static bool pred_row(struct harness *h, void *ud)
{
	const struct row_want *w = ud;
	guard(h);
	return e2e_row_has(h, w->row, w->text);
}

void e2e_expect_row(struct harness *h, struct gwd *g, int row, const char *text, int ms,
                    const char *step)
{
	struct row_want w = { row, text };
	E2E_CHECK(h, g, h_wait(h, pred_row, &w, ms), "%s: row %d does not show \"%s\" within %d ms",
	          step, row, text, ms);
	e2e_clean(h, g, step);
}

struct any_want {
	const char *const *texts; /* NULL-terminated */
};

static bool pred_any(struct harness *h, void *ud)
{
	const struct any_want *w = ud;
	guard(h);
	for (size_t i = 0; w->texts[i]; i++)
		if (h_find(h, w->texts[i], NULL, NULL))
			return true;
	return false;
}

const char *e2e_expect_any(struct harness *h, struct gwd *g, const char *const texts[], int ms,
                           const char *step)
{
	struct any_want w = { texts };
	E2E_CHECK(h, g, h_wait(h, pred_any, &w, ms), "%s: none of \"%s\"%s%s%s showed within %d ms",
	          step, texts[0], texts[1] ? " / \"" : "", texts[1] ? texts[1] : "",
	          texts[1] ? "\"" : "", ms);
	e2e_clean(h, g, step);
	for (size_t i = 0; texts[i]; i++)
		if (h_find(h, texts[i], NULL, NULL))
			return texts[i];
	return texts[0];
}

const char *e2e_item(int number, const char *label)
{
	static char buf[4][300];
	static int k;
	k = (k + 1) % 4;
	snprintf(buf[k], sizeof buf[k], "%d %s", number, label);
	return buf[k];
}

/* ---- polling without failing ------------------------------------------------------- */

bool e2e_wait_text(struct harness *h, const char *s, int ms)
{
	if (!h_wait_text(h, s, ms))
		return false;
	h_settle(h, E2E_QUIET_MS, 2000);
	return true;
}

bool e2e_pred_title(struct harness *h, void *ud)
{
	return e2e_row_has(h, 0, ud);
}

bool e2e_wait_title(struct harness *h, const char *s, int ms)
{
	if (!h_wait(h, e2e_pred_title, (void *)s, ms))
		return false;
	h_settle(h, E2E_QUIET_MS, 2000);
	return true;
}

int e2e_count_text(struct harness *h, const char *s)
{
	char *all = h_screen_text(h);
	int n = 0;
	for (const char *p = all; (p = strstr(p, s)); p += strlen(s))
		n++;
	free(all);
	return n;
}

char *e2e_screen_body(struct harness *h)
{
	char *all = h_screen_text(h), *nl = strrchr(all, '\n');
	if (nl)
		*nl = '\0';
	return all;
}

struct body_arg {
	const char *want;
	bool equal;
};

static bool pred_body(struct harness *h, void *ud)
{
	struct body_arg *a = ud;
	char *b = e2e_screen_body(h);
	bool r = (strcmp(b, a->want) == 0) == a->equal;
	free(b);
	return r;
}

bool e2e_wait_body(struct harness *h, const char *want, bool equal, int ms)
{
	struct body_arg a = { want, equal };
	if (!h_wait(h, pred_body, &a, ms))
		return false;
	h_settle(h, E2E_QUIET_MS, 2000);
	return pred_body(h, &a);
}

struct mark_arg {
	int col, row;
	bool on;
};

static bool pred_mark(struct harness *h, void *ud)
{
	struct mark_arg *a = ud;
	return (h_cell_at(h, a->col, a->row).ch == '>') == a->on;
}

bool e2e_wait_mark(struct harness *h, int col, int row, bool on, int ms)
{
	struct mark_arg a = { col, row, on };
	if (!h_wait(h, pred_mark, &a, ms))
		return false;
	h_settle(h, E2E_QUIET_MS, 2000);
	return pred_mark(h, &a);
}

/* ---- the kiosk's log ----------------------------------------------------------------- */

char *e2e_log_read(struct harness *h, size_t *len)
{
	char *path = e2e_fmt("%s/kiosk.log", h_tmpdir(h));
	char *all = e2e_slurp(path, len);
	free(path);
	return all;
}

int e2e_log_count(struct harness *h, const char *needle)
{
	char *all = e2e_log_read(h, NULL);
	int n = 0;
	for (const char *p = all; p && (p = strstr(p, needle)); p += strlen(needle))
		n++;
	free(all);
	return n;
}

int e2e_log_lines(struct harness *h, const char *needle)
{
	char path[4096], line[4096];
	int n = 0;
	snprintf(path, sizeof path, "%s/kiosk.log", h_tmpdir(h));
	FILE *f = fopen(path, "r");
	if (!f)
		return 0;
	while (fgets(line, sizeof line, f))
		if (strstr(line, needle))
			n++;
	fclose(f);
	return n;
}

/* ---- gateway and kiosk ------------------------------------------------------------- */

struct gwd *e2e_start_gateway(const char *const extra[])
{
	struct gwd *g = gwd_start(extra);
	cr_assert_not_null(g, "gwd_start(%s) failed: is gatewayd built?", gwd_bin());
	return g;
}

void e2e_set_faults(struct gwd *g, const char *json)
{
	int st = gwd_faults(g, json);
	if (st != 200)
		gwd_dump(g, stderr);
	cr_assert_eq(st, 200, "POST /sim/faults %s answered %d", json, st);
}

void e2e_end_gw(struct gwd *g, bool reset_faults)
{
	char rep[1024] = "";
	if (reset_faults)
		gwd_faults(g, "{}");
	gwd_stop(g);
	if (!gwd_sanitizer_clean(g, rep, sizeof rep)) {
		gwd_dump(g, stderr);
		cr_assert_fail("gateway sanitizer report: %s", rep);
	}
	gwd_free(g);
}

const char *e2e_theme_path(void)
{
	static char found[4096];
	char dir[4096], *slash;
	if (!realpath(h_kiosk_bin(), dir))
		return NULL;
	slash = strrchr(dir, '/');
	if (!slash)
		return NULL;
	*slash = '\0';
	for (int up = 0; up <= 4; up++) {
		char cand[4200] = "";
		size_t o = (size_t)snprintf(cand, sizeof cand, "%s", dir);
		for (int i = 0; i < up; i++)
			o += (size_t)snprintf(cand + o, sizeof cand - o, "/..");
		snprintf(cand + o, sizeof cand - o, "/themes/default.theme");
		if (access(cand, R_OK) == 0) {
			if (up == 0)
				return NULL;
			snprintf(found, sizeof found, "%s", cand);
			return found;
		}
	}
	return NULL;
}

struct harness *e2e_start_kiosk(const char *url, int cols, int rows, const char *const extra[])
{
	struct harness *h = h_start_kiosk(url, cols, rows, extra);
	cr_assert_not_null(h, "h_start_kiosk failed");
	return h;
}

struct harness *e2e_start_home(struct gwd *g, const char *url, int cols, int rows,
                               const char *const extra[], int ms)
{
	const char *args[32];
	size_t n = 0;
	const char *theme = e2e_theme_path();
	if (theme) {
		args[n++] = "--theme";
		args[n++] = theme;
	}
	for (size_t i = 0; extra && extra[i] && n < 31; i++)
		args[n++] = extra[i];
	args[n] = NULL;
	struct harness *h = e2e_start_kiosk(url, cols, rows, args);
	e2e_expect_row(h, g, 0, E2E_T_HOME, ms, "start: home title");
	return h;
}

void e2e_assert_clean(struct harness *h)
{
	char why[300] = "";
	H_ASSERT(h, h_screen_clean(h, why, sizeof why), "screen not clean: %s", why);
}

void e2e_end_kiosk(struct harness *h, int ms)
{
	char rep[1024] = "";
	int st = -1;
	e2e_assert_clean(h);
	kill(h_pid(h), SIGTERM);
	H_ASSERT(h, h_wait_exit(h, ms, &st) == 0, "the kiosk did not exit on SIGTERM");
	H_ASSERT(h, WIFEXITED(st) && WEXITSTATUS(st) == 0, "the kiosk exit status is %#x, not 0", st);
	H_ASSERT(h, h_sanitizer_clean(h, rep, sizeof rep), "kiosk sanitizer report: %s", rep);
	h_free(h);
}

void e2e_stop(struct harness *h, struct gwd *g)
{
	char rep[1024] = "";
	int status = -1;

	e2e_clean(h, g, "last screen");
	E2E_CHECK(h, g, !h_exited(h), "the kiosk exited on its own");
	kill(h_pid(h), SIGTERM);
	E2E_CHECK(h, g, h_wait_exit(h, 10000, &status) == 0, "the kiosk did not exit on SIGTERM");
	E2E_CHECK(h, g, h_sanitizer_clean(h, rep, sizeof rep), "kiosk sanitizer report: %s", rep);
	E2E_CHECK(h, g, WIFEXITED(status) && WEXITSTATUS(status) == 0, "kiosk exit status %#x, not 0",
	          status);
	if (g) {
		if (gwd_running(g))
			gwd_stop(g);
		E2E_CHECK(h, g, gwd_sanitizer_clean(g, rep, sizeof rep), "gateway sanitizer report: %s", rep);
	}
}

void e2e_finish(struct harness *h, struct gwd *g)
{
	e2e_stop(h, g);
	h_free(h);
	gwd_free(g);
}

void e2e_fifo_send(struct harness *h, struct gwd *g, const char *path, const char *line, int ms)
{
	long long end = e2e_now_ms() + ms;
	int fd = -1, err = 0;
	while (e2e_now_ms() < end) {
		struct stat st;
		if (stat(path, &st) == 0 && S_ISFIFO(st.st_mode)) {
			fd = open(path, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
			if (fd >= 0)
				break;
			err = errno;
		}
		h_pump(h, 50);
	}
	E2E_CHECK(h, g, fd >= 0, "FIFO %s: not there or nobody reads it (%s)", path,
	          err ? strerror(err) : "missing");
	char buf[512];
	int n = snprintf(buf, sizeof buf, "%s\n", line);
	ssize_t w = write(fd, buf, (size_t)n); /* < PIPE_BUF: all at once */
	int werr = errno;
	close(fd);
	E2E_CHECK(h, g, w == n, "FIFO write: %zd of %d (%s)", w, n, strerror(werr));
}

void e2e_expect_cleared(struct harness *h, struct gwd *g, const char *step)
{
	static const char clear[] = "\033[2J", scrollback[] = "\033[3J";
	/* The last frame may still be on its way. */
	h_settle(h, E2E_QUIET_MS, 2000);
	E2E_CHECK(h, g, h_recorded_count(h, clear, sizeof clear - 1) > 0,
	          "%s: the terminal was not told to clear the screen (ESC [ 2 J)", step);
	E2E_CHECK(h, g, h_recorded_count(h, scrollback, sizeof scrollback - 1) > 0,
	          "%s: the terminal was not told to forget its scrollback (ESC [ 3 J)", step);
}

/* ---- waiting on the log; certificates ----------------------------------------------- */

bool e2e_wait_log(struct harness *h, const char *s, int ms)
{
	for (int t = 0; t <= ms; t += 100) {
		if (e2e_log_count(h, s) > 0)
			return true;
		h_pump(h, 100);
	}
	return false;
}

void e2e_sh(const char *cmd)
{
	int st = system(cmd);
	cr_assert(st != -1 && WIFEXITED(st) && WEXITSTATUS(st) == 0, "failed (%#x): %s", st, cmd);
}

void e2e_make_ca(const char *dir)
{
	char *cmd = e2e_fmt(
		"cd '%s' && openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 "
		"-nodes -keyout ca.key -out ca.pem -days 2 -subj /CN=kiosk-test-ca "
		"-addext basicConstraints=critical,CA:TRUE "
		"-addext keyUsage=critical,keyCertSign,cRLSign 2>openssl.log", dir);
	e2e_sh(cmd);
	free(cmd);
}

void e2e_make_cert(const char *dir, const char *name, const char *san, bool self_signed)
{
	char *cmd;
	if (self_signed)
		cmd = e2e_fmt("cd '%s' && openssl req -x509 -newkey ec -pkeyopt "
		              "ec_paramgen_curve:prime256v1 -nodes -keyout %s.key -out %s.pem -days 2 "
		              "-subj /CN=127.0.0.1 -addext subjectAltName=%s 2>>openssl.log",
		              dir, name, name, san);
	else
		cmd = e2e_fmt("cd '%s' && printf 'subjectAltName=%s\\nbasicConstraints=CA:FALSE\\n"
		              "keyUsage=digitalSignature\\nextendedKeyUsage=serverAuth\\n' > %s.ext && "
		              "openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes "
		              "-keyout %s.key -out %s.csr -subj /CN=%s 2>>openssl.log && "
		              "openssl x509 -req -in %s.csr -CA ca.pem -CAkey ca.key -CAcreateserial "
		              "-days 2 -extfile %s.ext -out %s.pem 2>>openssl.log",
		              dir, san, name, name, name, name, name, name, name);
	e2e_sh(cmd);
	free(cmd);
}

/* ---- the gateway's /sim side ------------------------------------------------------------ */

json_t *e2e_post_json(struct gwd *g, const char *path, const char *body, int want)
{
	char *resp = NULL;
	json_error_t e;
	int st = gwd_post(g, path, body, &resp);
	if (st != want)
		gwd_dump(g, stderr);
	cr_assert_eq(st, want, "POST %s %s: %d %s (wanted %d)", path, body ? body : "", st,
	             resp ? resp : "", want);
	json_t *j = json_loads(resp ? resp : "", 0, &e);
	free(resp);
	cr_assert_not_null(j, "POST %s: answer is not JSON: %s", path, e.text);
	return j;
}

void e2e_citizen_code(struct gwd *g, const char *cit, char *out, size_t n)
{
	char body[128];
	snprintf(body, sizeof body, "{\"citizen\":\"%s\"}", cit);
	json_t *j = e2e_post_json(g, "/sim/citizen-code", body, 200);
	const char *code = json_string_value(json_object_get(j, "code"));
	cr_assert(code && strlen(code) < n, "/sim/citizen-code gave no code");
	snprintf(out, n, "%s", code);
	json_decref(j);
}

/* ---- the log-in screen: the QR and the user code, read off the cells ------------------ */

size_t e2e_utf8_decode(const char *s, uint32_t *cp, size_t max)
{
	size_t n = 0;
	const unsigned char *p = (const unsigned char *)s;
	while (*p && n < max) {
		uint32_t c;
		if (*p < 0x80)
			c = *p++;
		else if ((*p & 0xe0) == 0xc0)
			c = (uint32_t)(*p & 0x1f) << 6 | (p[1] & 0x3f), p += 2;
		else if ((*p & 0xf0) == 0xe0)
			c = (uint32_t)(*p & 0x0f) << 12 | (uint32_t)(p[1] & 0x3f) << 6 | (p[2] & 0x3f), p += 3;
		else
			c = (uint32_t)(*p & 0x07) << 18 | (uint32_t)(p[1] & 0x3f) << 12 |
			    (uint32_t)(p[2] & 0x3f) << 6 | (p[3] & 0x3f), p += 4;
		cp[n++] = c;
	}
	return n;
}

bool e2e_is_block(uint32_t ch)
{
	return ch == 0x2580 || ch == 0x2584 || ch == 0x2588;
}

static bool is_half_block(uint32_t ch)
{
	return ch == 0x2580 || ch == 0x2584;
}

/* Relative luminance-ish of a cell colour (xterm palette), -1 if default. */
static double lum(int c)
{
	static const int base16[16][3] = {
		{ 0, 0, 0 }, { 205, 0, 0 }, { 0, 205, 0 }, { 205, 205, 0 },
		{ 0, 0, 238 }, { 205, 0, 205 }, { 0, 205, 205 }, { 229, 229, 229 },
		{ 127, 127, 127 }, { 255, 0, 0 }, { 0, 255, 0 }, { 255, 255, 0 },
		{ 92, 92, 255 }, { 255, 0, 255 }, { 0, 255, 255 }, { 255, 255, 255 },
	};
	int r, g, b;
	if (c < 0)
		return -1;
	if (c & 0x1000000) {
		r = (c >> 16) & 255, g = (c >> 8) & 255, b = c & 255;
	} else if (c < 16) {
		r = base16[c][0], g = base16[c][1], b = base16[c][2];
	} else if (c < 232) {
		int v = c - 16, cr = v / 36, cg = (v / 6) % 6, cb = v % 6;
		r = cr ? 55 + 40 * cr : 0, g = cg ? 55 + 40 * cg : 0, b = cb ? 55 + 40 * cb : 0;
	} else {
		r = g = b = 8 + (c - 232) * 10;
	}
	return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

bool e2e_read_qr(struct harness *h, int x0, int y0, int x1, int y1, struct e2e_qr *out)
{
	int cols, rows;
	h_size(h, &cols, &rows);
	memset(out, 0, sizeof *out);
	x0 = x0 < 0 ? 0 : x0, y0 = y0 < 0 ? 0 : y0;
	x1 = x1 > cols ? cols : x1, y1 = y1 > rows ? rows : y1;
	int l = cols, r = -1, t = rows, b = -1;
	for (int y = y0; y < y1; y++)
		for (int x = x0; x < x1; x++)
			if (e2e_is_block(h_cell_at(h, x, y).ch)) {
				if (x < l) l = x;
				if (x > r) r = x;
				if (y < t) t = y;
				if (y > b) b = y;
			}
	if (r < 0) {
		snprintf(out->why, sizeof out->why, "no half-block cells in columns %d..%d, rows %d..%d", x0,
		         x1 - 1, y0, y1 - 1);
		return false;
	}
	out->left = l, out->top = t, out->cols = r - l + 1, out->rows = b - t + 1;
	/* Each cell is two modules (top, bottom), each module 4x4 px, with a
	 * white margin around. */
	const int margin = 6, scale = 4;
	int mw = out->cols + 2 * margin, mh = 2 * out->rows + 2 * margin;
	int pw = mw * scale, ph = mh * scale;
	unsigned char *gray = malloc((size_t)pw * (size_t)ph);
	cr_assert_not_null(gray);
	memset(gray, 255, (size_t)pw * (size_t)ph);
	for (int y = t; y <= b; y++) {
		for (int x = l; x <= r; x++) {
			struct h_cell c = h_cell_at(h, x, y);
			if (c.ch != ' ' && !e2e_is_block(c.ch)) {
				snprintf(out->why, sizeof out->why,
				         "cell (%d,%d) inside the QR is U+%04X, not a half block or space", x, y,
				         (unsigned)c.ch);
				free(gray);
				return false;
			}
			int ink = c.reverse ? c.bg : c.fg, paper = c.reverse ? c.fg : c.bg;
			double li = lum(ink), lp = lum(paper);
			if (lp < 192 || (e2e_is_block(c.ch) && (li < 0 || li > 64))) {
				snprintf(out->why, sizeof out->why,
				         "cell (%d,%d) of the QR is not black on white: fg %#x bg %#x%s", x, y,
				         (unsigned)c.fg, (unsigned)c.bg, c.reverse ? " reverse" : "");
				free(gray);
				return false;
			}
			bool top = c.ch == 0x2580 || c.ch == 0x2588, bot = c.ch == 0x2584 || c.ch == 0x2588;
			for (int half = 0; half < 2; half++) {
				if (!(half ? bot : top))
					continue;
				int mx = margin + (x - l), my = margin + 2 * (y - t) + half;
				for (int py = my * scale; py < (my + 1) * scale; py++)
					memset(gray + (size_t)py * (size_t)pw + (size_t)(mx * scale), 0, (size_t)scale);
			}
		}
	}
	zbar_image_scanner_t *sc = zbar_image_scanner_create();
	zbar_image_scanner_set_config(sc, 0, ZBAR_CFG_ENABLE, 0);
	zbar_image_scanner_set_config(sc, ZBAR_QRCODE, ZBAR_CFG_ENABLE, 1);
	zbar_image_t *img = zbar_image_create();
	zbar_image_set_format(img, zbar_fourcc('Y', '8', '0', '0'));
	zbar_image_set_size(img, (unsigned)pw, (unsigned)ph);
	zbar_image_set_data(img, gray, (unsigned long)pw * (unsigned long)ph, NULL);
	bool ok = false;
	if (zbar_scan_image(sc, img) > 0) {
		const zbar_symbol_t *sym = zbar_image_first_symbol(img);
		if (sym && zbar_symbol_get_data_length(sym) < sizeof out->data) {
			snprintf(out->data, sizeof out->data, "%.*s", (int)zbar_symbol_get_data_length(sym),
			         zbar_symbol_get_data(sym));
			ok = true;
		}
	}
	if (!ok)
		snprintf(out->why, sizeof out->why, "libzbar found no QR code in the %dx%d cells at (%d,%d)",
		         out->cols, out->rows, l, t);
	zbar_image_destroy(img);
	zbar_image_scanner_destroy(sc);
	free(gray);
	return ok;
}

/* Whether column x (or row y, if x < 0) of the box [l..r] x [t..b] holds a
 * block cell: the box grows into it. */
static bool edge_has_block(struct harness *h, int x, int y, int l, int r, int t, int b)
{
	if (x >= 0) {
		for (int yy = t; yy <= b; yy++)
			if (e2e_is_block(h_cell_at(h, x, yy).ch))
				return true;
		return false;
	}
	for (int xx = l; xx <= r; xx++)
		if (e2e_is_block(h_cell_at(h, xx, y).ch))
			return true;
	return false;
}

bool e2e_find_qr(struct harness *h, struct e2e_qr *out)
{
	int cols, rows;
	h_size(h, &cols, &rows);
	int l = cols, r = -1, t = rows, b = -1;
	for (int y = 0; y < rows; y++)
		for (int x = 0; x < cols; x++)
			if (is_half_block(h_cell_at(h, x, y).ch)) {
				if (x < l) l = x;
				if (x > r) r = x;
				if (y < t) t = y;
				if (y > b) b = y;
			}
	if (r < 0) {
		memset(out, 0, sizeof *out);
		snprintf(out->why, sizeof out->why, "no half blocks (U+2580, U+2584) on the screen");
		return false;
	}
	/* Full blocks only: the edges of the symbol may be those. */
	for (bool grew = true; grew;) {
		grew = false;
		if (l > 0 && edge_has_block(h, l - 1, -1, l, r, t, b))
			l--, grew = true;
		if (r < cols - 1 && edge_has_block(h, r + 1, -1, l, r, t, b))
			r++, grew = true;
		if (t > 0 && edge_has_block(h, -1, t - 1, l, r, t, b))
			t--, grew = true;
		if (b < rows - 1 && edge_has_block(h, -1, b + 1, l, r, t, b))
			b++, grew = true;
	}
	return e2e_read_qr(h, l, t, r + 1, b + 1, out);
}

/* The cell of row y where byte off of h_row_text(h, y) is. */
static int cell_of_byte(struct harness *h, int y, size_t off)
{
	int cols, rows;
	size_t at = 0;
	h_size(h, &cols, &rows);
	for (int x = 0; x < cols; x++) {
		uint32_t ch = h_cell_at(h, x, y).ch;
		if (ch == 0)
			continue; /* the right half of a wide character */
		if (at >= off)
			return x;
		at += ch < 0x80 ? 1 : ch < 0x800 ? 2 : ch < 0x10000 ? 3 : 4;
	}
	return cols;
}

static bool user_letter(char c)
{
	return c && strchr(E2E_USER_ALPHABET, c) != NULL;
}

bool e2e_spaced_code(struct harness *h, char out[16], int *col, int *row)
{
	int cols, rows;
	h_size(h, &cols, &rows);
	for (int y = 0; y < rows; y++) {
		char *t = h_row_text(h, y);
		size_t n = strlen(t);
		for (size_t i = 0; i + 17 <= n; i++) {
			bool ok = (i == 0 || t[i - 1] == ' ') && (i + 17 == n || t[i + 17] == ' ');
			for (int k = 0; k < 17 && ok; k++) {
				char c = t[i + k];
				ok = k % 2 ? c == ' ' : k == 8 ? c == '-' : user_letter(c);
			}
			if (ok) {
				int o = 0;
				for (int k = 0; k < 17; k += 2)
					out[o++] = t[i + k];
				out[o] = '\0';
				if (col)
					*col = cell_of_byte(h, y, i);
				if (row)
					*row = y;
				free(t);
				return true;
			}
		}
		free(t);
	}
	return false;
}

/* The glyph of one character in the kiosk's big font, as code points. */
struct big_glyph {
	int w;
	uint32_t cell[BIGTEXT_ROWS][8];
};

static bool big_glyph(char ch, struct big_glyph *g)
{
	char s[2] = { ch, '\0' };
	struct bigtext bt;
	if (bigtext_render(s, 8, &bt) != 0 || bt.rows != BIGTEXT_ROWS)
		return false;
	g->w = bt.cols;
	for (int i = 0; i < BIGTEXT_ROWS; i++)
		e2e_utf8_decode(bt.lines[i], g->cell[i], 8);
	bigtext_free(&bt);
	return true;
}

static bool blank(uint32_t ch)
{
	return ch == ' ' || ch == 0;
}

/* The glyph g stands at (x, y), followed by a blank column. */
static bool glyph_at(struct harness *h, const struct big_glyph *g, int x, int y)
{
	for (int i = 0; i < BIGTEXT_ROWS; i++) {
		for (int k = 0; k < g->w; k++) {
			uint32_t ch = h_cell_at(h, x + k, y + i).ch;
			if (g->cell[i][k] == ' ' ? !blank(ch) : ch != g->cell[i][k])
				return false;
		}
		if (!blank(h_cell_at(h, x + g->w, y + i).ch))
			return false;
	}
	return true;
}

bool e2e_read_big_code(struct harness *h, char out[16], int *col, int *row)
{
	static const char chars[] = E2E_USER_ALPHABET "-";
	struct big_glyph glyphs[sizeof chars - 1];
	int cols, rows;
	for (size_t i = 0; i < sizeof chars - 1; i++)
		cr_assert(big_glyph(chars[i], &glyphs[i]), "bigtext_render('%c')", chars[i]);
	h_size(h, &cols, &rows);
	for (int y = 0; y + BIGTEXT_ROWS <= rows; y++) {
		for (int x0 = 0; x0 < cols; x0++) {
			/* "XXXX-XXXX", glyph by glyph, each followed by a blank column */
			int x = x0, n = 0;
			char got[16];
			while (n < 9) {
				int best = -1;
				for (size_t i = 0; i < sizeof chars - 1; i++)
					if ((n == 4) == (chars[i] == '-') && glyph_at(h, &glyphs[i], x, y) &&
					    (best < 0 || glyphs[i].w > glyphs[best].w))
						best = (int)i;
				if (best < 0)
					break;
				got[n++] = chars[best];
				x += glyphs[best].w + 1;
			}
			if (n == 9) {
				got[9] = '\0';
				snprintf(out, 16, "%s", got);
				if (col)
					*col = x0;
				if (row)
					*row = y;
				return true;
			}
		}
	}
	return false;
}
