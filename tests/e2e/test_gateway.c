/* test_gateway.c: the reference gateway's defences, end to end (issue 7).
 *
 * Each test runs a real gatewayd (harness/gwd.h) and attacks it the way the
 * issue describes, from loopback source addresses of its choosing (Linux
 * lets a socket bind any 127/8 address): many idle connections and a
 * slow-header client from one address while another address is served; a
 * flood of device-flow requests while a kiosk still logs in; a symlink
 * planted where the port file's temporary goes. The TLS tests run the real
 * kiosk against an HTTPS gatewayd with certificates made by openssl(1) in
 * the test's temp dir: a trusted one must load the catalog, a self-signed
 * one and one for another host name must be refused. The last test runs
 * the load program (tests/load/load.c) for 3 s.
 *
 * Waits are generous and only bound how long an answer may take while the
 * attack goes on ("within 5 s"), never how fast the gateway is.
 */
#include "e2e.h"
#include "harness/gwd.h"
#include "harness/harness.h"

#include <criterion/criterion.h>
#include <jansson.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define ANSWER_MS   5000     /* an answer while under attack */
#define WAIT_MS     10000
#define EXIT_MS     10000
#define DEVICE_GRANT "urn:ietf:params:oauth:grant-type:device_code"

/* ---- HTTP from a chosen source address (gwd_request_from) ------------------- */

/* A member of a JSON object text, copied ("" if absent). */
static char *json_member(const char *text, const char *key)
{
	json_t *j = json_loads(text, 0, NULL);
	const char *v = json_string_value(json_object_get(j, key));
	char *s = strdup(v ? v : "");
	json_decref(j);
	cr_assert_not_null(s);
	return s;
}

/* A QR log-in request: its user code and device code. */
struct code {
	char *uc, *dc;
};

/* A QR log-in request for kiosk from src, asserting a 200. */
static struct code device_code(struct gwd *g, const char *src, const char *kiosk)
{
	struct code c;
	char *resp;
	int st = gwd_request_from(g, src, "POST", "/v1/auth/device", kiosk, "", ANSWER_MS, &resp);
	if (st != 200)
		gwd_dump(g, stderr);
	cr_assert_eq(st, 200, "POST /v1/auth/device from %s (%s): %d %s", src, kiosk, st, resp);
	c.uc = json_member(resp, "user_code");
	c.dc = json_member(resp, "device_code");
	cr_assert(*c.uc && *c.dc, "no codes in %s", resp);
	free(resp);
	return c;
}

static void code_free(struct code *c)
{
	free(c->uc);
	free(c->dc);
}

/* POST /sim/device/{uc}/approve: the status. */
static int approve(struct gwd *g, const struct code *c)
{
	char *path = e2e_fmt("/sim/device/%s/approve", c->uc);
	int st = gwd_post(g, path, NULL, NULL);
	free(path);
	return st;
}

/* Approves c and polls it from src: the kiosk gets its session. Frees c. */
static void log_in_with(struct gwd *g, const char *src, struct code *c)
{
	char *resp;
	char *body = e2e_fmt("{\"grant_type\":\"%s\",\"device_code\":\"%s\"}", DEVICE_GRANT,
	                     c->dc);
	int st = approve(g, c);
	cr_assert_eq(st, 200, "approving %s: %d", c->uc, st);
	st = gwd_request_from(g, src, "POST", "/v1/auth/token", "test-kiosk", body, ANSWER_MS, &resp);
	cr_assert_eq(st, 200, "polling the approved code: %d %s", st, resp);
	char *token = json_member(resp, "access_token");
	cr_assert_eq(strlen(token), 43, "no access token in %s", resp);
	free(token);
	free(resp);
	free(body);
	code_free(c);
}

/* n device requests from src on one kept-alive connection, X-Kiosk-Id
 * kiosk followed by the request's number modulo every ("flood-17"), or
 * kiosk alone if every is 0; returns how many answered 200. */
static int flood(struct gwd *g, const char *src, const char *kiosk, int every, int n)
{
	int ok = 0;
	for (int i = 0; i < n; i++) {
		char id[64];
		if (every)
			snprintf(id, sizeof id, "%s%d", kiosk, i % every);
		else
			snprintf(id, sizeof id, "%s", kiosk);
		ok += gwd_request_from(g, src, "POST", "/v1/auth/device", id, "", ANSWER_MS, NULL) == 200;
	}
	return ok;
}

/* ---- raw connections ------------------------------------------------------- */

/* A TCP connection from src to the gateway, connected within 2 s, or -1. */
static int connect_from(const char *src, int port)
{
	struct sockaddr_in from = { .sin_family = AF_INET }, to = { .sin_family = AF_INET };
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	cr_assert_geq(fd, 0);
	inet_pton(AF_INET, src, &from.sin_addr);
	to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	to.sin_port = htons((uint16_t)port);
	cr_assert_eq(bind(fd, (struct sockaddr *)&from, sizeof from), 0, "bind %s: %s", src,
	             strerror(errno));
	if (connect(fd, (struct sockaddr *)&to, sizeof to) && errno != EINPROGRESS) {
		close(fd);
		return -1;
	}
	struct pollfd p = { .fd = fd, .events = POLLOUT };
	int err = 0;
	socklen_t el = sizeof err;
	if (poll(&p, 1, 2000) != 1 || getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &el) || err) {
		close(fd);
		return -1;
	}
	return fd;
}

static void send_str(int fd, const char *s)
{
	if (fd >= 0 && send(fd, s, strlen(s), MSG_NOSIGNAL) < 0 && errno != EPIPE &&
	    errno != ECONNRESET && errno != EAGAIN)
		cr_assert_fail("send: %s", strerror(errno));
}

/* True if the gateway has closed fd (EOF or reset). */
static bool closed_by_peer(int fd)
{
	char b[256];
	struct pollfd p = { .fd = fd, .events = POLLIN };
	if (poll(&p, 1, 0) != 1)
		return false;
	ssize_t r = recv(fd, b, sizeof b, MSG_DONTWAIT);
	return r == 0 || (r < 0 && errno != EAGAIN && errno != EWOULDBLOCK);
}

/* ==== 1. one address holding connections locks nobody else out ================== */

/* 200 connections from 127.0.0.1, each with half a request's headers, one
 * more header line every 2 s (slow-loris): 127.0.0.2 is still answered. The
 * gateway runs with its default limits. */
Test(gateway, idle_connections_lock_out_nobody, .timeout = 120)
{
	struct gwd *g = e2e_start_gateway(NULL);
	int port = gwd_port(g), fds[200], open_at_start = 0;

	for (int i = 0; i < 200; i++) {
		fds[i] = connect_from("127.0.0.1", port);
		send_str(fds[i], "GET /v1/health HTTP/1.1\r\nHost: gw\r\n");
		open_at_start += fds[i] >= 0;
	}
	for (int round = 0; round < 3; round++) {
		for (int i = 0; i < 200; i++)
			send_str(fds[i], "X-Still-Typing: 1\r\n");
		long long t0 = e2e_now_ms();
		int st = gwd_request_from(g, "127.0.0.2", "GET", "/v1/health", NULL, NULL, ANSWER_MS,
		                          NULL);
		if (st != 200)
			gwd_dump(g, stderr);
		cr_assert_eq(st, 200, "round %d: GET /v1/health from 127.0.0.2 got %d after %lld ms "
		             "while 127.0.0.1 holds %d connections", round, st, e2e_now_ms() - t0,
		             open_at_start);
		st = gwd_request_from(g, "127.0.0.2", "POST", "/v1/auth/device", "test-kiosk", "",
		                      ANSWER_MS, NULL);
		cr_assert_eq(st, 200, "round %d: POST /v1/auth/device from 127.0.0.2 got %d", round, st);
		poll(NULL, 0, 2000);
	}
	/* The attacker's address holds at most the per-address limit. */
	int still_open = 0;
	for (int i = 0; i < 200; i++) {
		if (fds[i] >= 0 && !closed_by_peer(fds[i]))
			still_open++;
		if (fds[i] >= 0)
			close(fds[i]);
	}
	cr_assert_leq(still_open, 64, "127.0.0.1 still holds %d connections (limit 64)", still_open);
	cr_assert(gwd_running(g), "the gateway died");
	e2e_end_gw(g, false);
}

/* A request that trickles in one header line a second is cut at the
 * request deadline, though it is never idle for the idle timeout; a client
 * sending whole requests on one kept-alive connection for longer than the
 * deadline is not. */
Test(gateway, slow_request_cut_at_deadline, .timeout = 90)
{
	static const char *const args[] = { "--request-timeout", "4", "--idle-timeout", "8", NULL };
	struct gwd *g = e2e_start_gateway(args);
	int fd = connect_from("127.0.0.1", gwd_port(g));
	cr_assert_geq(fd, 0, "cannot connect");
	send_str(fd, "GET /v1/health HTTP/1.1\r\nHost: gw\r\n");

	long long t0 = e2e_now_ms(), last_line = t0, cut_at = 0;
	long reconnects = 0;
	for (int i = 0; e2e_now_ms() - t0 < 20000 && !(cut_at && e2e_now_ms() - t0 > 6000); i++) {
		if (e2e_now_ms() - last_line >= 1000) {
			send_str(fd, "X-Still-Typing: 1\r\n");
			last_line = e2e_now_ms();
		}
		/* Whole requests on one connection, every half second. */
		int st = gwd_request_from(g, "127.0.0.2", "GET", "/v1/health", NULL, NULL, ANSWER_MS,
		                          NULL);
		cr_assert_eq(st, 200, "GET /v1/health: %d", st);
		if (i > 0)
			reconnects += gwd_new_connections(g);
		if (!cut_at && closed_by_peer(fd))
			cut_at = e2e_now_ms();
		poll(NULL, 0, 500);
	}
	close(fd);
	cr_assert(cut_at, "a request trickling for 20 s was never cut (--request-timeout 4)");
	cr_assert_eq(reconnects, 0, "the kept-alive connection sending whole requests was closed "
	             "(%ld new connections)", reconnects);
	e2e_end_gw(g, false);
}

/* ==== 2. device-flow requests: a quota per source ================================ */

/* 10,000 unauthenticated requests from 127.0.0.3 under many kiosk ids; then a
 * kiosk elsewhere still gets a code, and it can be approved and polled to
 * a session. */
Test(gateway, device_flood_from_one_address, .timeout = 120)
{
	static const char *const args[] = { "--device-interval", "1", NULL };
	struct gwd *g = e2e_start_gateway(args);
	int ok = flood(g, "127.0.0.3", "flood-", 100, 10000);
	cr_assert_eq(ok, 10000, "the flood itself was refused %d times: its own oldest go instead",
	             10000 - ok);
	struct code c = device_code(g, "127.0.0.1", "test-kiosk");
	log_in_with(g, "127.0.0.1", &c);
	c = device_code(g, "127.0.0.2", "test-kiosk");
	log_in_with(g, "127.0.0.2", &c);
	e2e_end_gw(g, false);
}

/* One kiosk id asking again and again only pushes out its own older codes:
 * its neighbour at the same address keeps its code. */
Test(gateway, device_flood_same_kiosk_evicts_its_own, .timeout = 90)
{
	static const char *const args[] = { "--device-interval", "1", NULL };
	struct gwd *g = e2e_start_gateway(args);
	struct code neighbour = device_code(g, "127.0.0.1", "hall1-k02");
	struct code first = device_code(g, "127.0.0.1", "hall1-k01");
	cr_assert_eq(flood(g, "127.0.0.1", "hall1-k01", 0, 300), 300);
	struct code last = device_code(g, "127.0.0.1", "hall1-k01");

	int st = approve(g, &first);
	cr_assert_eq(st, 404, "the flooding kiosk's first code should have been given up "
	             "(approve: %d)", st);
	code_free(&first);
	log_in_with(g, "127.0.0.1", &neighbour);
	log_in_with(g, "127.0.0.1", &last);
	e2e_end_gw(g, false);
}

/* So many addresses that the table fills all the same: the address holding
 * the most gives up its oldest; a kiosk that asked before the flood keeps
 * its code, and one that asks after gets one. */
Test(gateway, device_table_full_evicts_the_heaviest, .timeout = 120)
{
	static const char *const args[] = { "--device-interval", "1", NULL };
	struct gwd *g = e2e_start_gateway(args);
	struct code before = device_code(g, "127.0.0.2", "test-kiosk");
	for (int a = 1; a <= 41; a++) {
		char src[32];
		snprintf(src, sizeof src, "127.0.1.%d", a);
		flood(g, src, "hall-k", 60, 250);
	}
	struct code after = device_code(g, "127.0.0.1", "test-kiosk");
	log_in_with(g, "127.0.0.1", &after);
	log_in_with(g, "127.0.0.2", &before);
	e2e_end_gw(g, false);
}

/* ==== 3. the port file's temporary is never followed ============================ */

/* Starts gatewayd with --port-file dir/port; before it runs, a symlink to
 * dir/victim is planted where its temporary goes (dir/port.tmp.<pid>).
 * Returns the exit status (it is stopped if it is still running after
 * 10 s) and leaves its output in dir/out. */
static int run_with_planted_link(const char *dir, bool *listened)
{
	char *port = e2e_fmt("%s/port", dir), *db = e2e_fmt("%s/gw.db", dir);
	char *out = e2e_fmt("%s/out", dir), *victim = e2e_fmt("%s/victim", dir);
	int go[2];
	cr_assert_eq(pipe(go), 0);
	fflush(NULL);
	pid_t pid = fork();
	cr_assert_geq(pid, 0);
	if (pid == 0) {
		char b;
		int fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (fd >= 0) {
			dup2(fd, 1);
			dup2(fd, 2);
		}
		close(go[1]);
		if (read(go[0], &b, 1) != 1)
			_exit(126);
		execl(gwd_bin(), gwd_bin(), "--listen", "127.0.0.1:0", "--port-file", port, "--db", db,
		      "--quiet", (char *)NULL);
		_exit(127);
	}
	close(go[0]);
	char *tmp = e2e_fmt("%s.tmp.%ld", port, (long)pid);
	cr_assert_eq(symlink(victim, tmp), 0, "symlink %s: %s", tmp, strerror(errno));
	cr_assert_eq(write(go[1], "x", 1), 1);
	close(go[1]);

	int st = 0;
	*listened = false;
	for (int t = 0; t < 100; t++) {
		if (waitpid(pid, &st, WNOHANG) == pid)
			break;
		char *o = e2e_slurp_str(out);
		*listened = *listened || strstr(o, "listening on") != NULL;
		free(o);
		if (*listened || t == 99) {
			kill(pid, SIGTERM);
			waitpid(pid, &st, 0);
			break;
		}
		poll(NULL, 0, 100);
	}
	unlink(tmp);
	free(tmp);
	free(port);
	free(db);
	free(out);
	free(victim);
	return st;
}

Test(gateway, port_file_temporary_not_followed, .timeout = 60)
{
	char dir[256] = "";
	e2e_scratch_dir(dir, sizeof dir, "portfile");
	char *victim = e2e_fmt("%s/victim", dir), *out = e2e_fmt("%s/out", dir);
	FILE *f = fopen(victim, "w");
	cr_assert_not_null(f);
	fputs("precious\n", f);
	fclose(f);

	bool listened;
	int st = run_with_planted_link(dir, &listened);
	char *v = e2e_slurp_str(victim), *o = e2e_slurp_str(out);
	cr_assert_str_eq(v, "precious\n", "the planted symlink was followed: the victim now holds "
	                 "[%s]", v);
	cr_assert(!listened, "gatewayd served though it could not write its port file safely: %s", o);
	cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 1, "exit status %#x, output: %s", st, o);
	cr_assert(strstr(o, "port.tmp.") && strstr(o, "File exists"),
	          "the message does not name the temporary file and why: %s", o);
	free(v);
	free(o);
	free(victim);
	free(out);
	e2e_rm_rf(dir);
}

/* ==== 4. HTTPS: the kiosk verifies the gateway ==================================== */

/* The first category's name, read over HTTPS from the gateway by the
 * harness's helpers (which trust what it serves), reaching it by the name
 * its certificate is for. */
static char *first_category(struct gwd *g, const char *host)
{
	char *resp;
	gwd_set_tls_name(g, host);
	int st = gwd_get(g, "/v1/catalog", &resp);
	gwd_set_tls_name(g, NULL);
	cr_assert_eq(st, 200, "GET https://%s:%d/v1/catalog: %d", host, gwd_port(g), st);
	json_t *j = json_loads(resp, 0, NULL);
	const char *name = json_string_value(
		json_object_get(json_array_get(json_object_get(j, "categories"), 0), "name"));
	cr_assert_not_null(name, "no category in the catalog");
	char *out = strdup(name);
	json_decref(j);
	free(resp);
	return out;
}

/* The kiosk against an HTTPS gatewayd serving cert/key, trusting only the
 * test CA. trusted: the catalog must load and be shown; else it must never
 * load, and the log must show the TLS verification error. */
static void kiosk_over_tls(const char *cert_name, const char *san, bool self_signed,
                           const char *host_for_check, bool trusted)
{
	char dir[256] = "";
	e2e_scratch_dir(dir, sizeof dir, "tls");
	e2e_make_ca(dir);
	e2e_make_cert(dir, cert_name, san, self_signed);
	char *ca = e2e_fmt("%s/ca.pem", dir), *cert = e2e_fmt("%s/%s.pem", dir, cert_name);
	char *key = e2e_fmt("%s/%s.key", dir, cert_name);
	/* The helpers trust what the gateway serves, so it can be checked to
	 * work at all: only the kiosk's verification is under test. */
	struct gwd *g = gwd_start_tls(NULL, cert, key, self_signed ? cert : ca);
	cr_assert_not_null(g, "gatewayd did not start with --tls-cert %s", cert);
	cr_assert(!strncmp(gwd_url(g), "https://", 8), "gwd_url is %s", gwd_url(g));
	char *category = first_category(g, host_for_check);

	const char *const extra[] = { "--ca-file", ca, NULL };
	struct harness *h = e2e_start_home(g, gwd_url(g), 80, 24, extra, WAIT_MS);
	if (trusted) {
		E2E_CHECK(h, g, e2e_wait_log(h, "GET /v1/catalog -> 200", WAIT_MS),
		          "the catalog was not loaded over HTTPS with the test CA");
		h_type(h, "3");
		e2e_expect(h, g, category, WAIT_MS, "categories from the HTTPS gateway");
	} else {
		E2E_CHECK(h, g, e2e_wait_log(h, "GET /v1/catalog -> ", WAIT_MS),
		          "the kiosk never tried to load the catalog");
		E2E_CHECK(h, g, e2e_log_count(h, "GET /v1/catalog -> 200") == 0,
		          "the kiosk loaded the catalog from a gateway it must not trust");
		E2E_CHECK(h, g, e2e_log_count(h, "SSL peer certificate") > 0,
		          "no TLS verification error in the kiosk's log");
		h_type(h, "3");
		h_pump(h, 1000);
		E2E_CHECK(h, g, !h_find(h, category, NULL, NULL),
		          "a category [%s] from the untrusted gateway is shown", category);
		E2E_CHECK(h, g, e2e_log_count(h, "GET /v1/catalog -> 200") == 0,
		          "the kiosk loaded the catalog from a gateway it must not trust");
	}
	e2e_end_kiosk(h, EXIT_MS);
	e2e_end_gw(g, false);
	free(category);
	free(ca);
	free(cert);
	free(key);
	e2e_rm_rf(dir);
}

Test(gateway, tls_trusted_ca_loads_catalog, .timeout = 90)
{
	kiosk_over_tls("good", "IP:127.0.0.1,DNS:localhost", false, "127.0.0.1", true);
}

Test(gateway, tls_self_signed_refused, .timeout = 90)
{
	kiosk_over_tls("self", "IP:127.0.0.1,DNS:localhost", true, "127.0.0.1", false);
}

Test(gateway, tls_wrong_host_refused, .timeout = 90)
{
	kiosk_over_tls("wrong", "DNS:wrong.example", false, "wrong.example", false);
}

/* ==== 5. a short load run =========================================================== */

/* tests/load/load.c beside this binary ($LOAD_BIN overrides) for 3 s with
 * 50 kiosks and 32 slow clients: the gateway must survive it and health
 * must answer (no timing bound here). */
Test(gateway, short_load_run, .timeout = 120)
{
	const char *env = getenv("LOAD_BIN");
	char exe[4096] = "", *bin, dir[256] = "";
	if (env && *env) {
		bin = strdup(env);
	} else {
		ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
		cr_assert_gt(n, 0);
		exe[n] = '\0';
		char *slash = strrchr(exe, '/');
		cr_assert_not_null(slash);
		*slash = '\0';
		bin = e2e_fmt("%s/load", exe);
	}
	cr_assert_not_null(bin);
	cr_assert_eq(access(bin, X_OK), 0, "no load program at %s (make tests builds it)", bin);
	e2e_scratch_dir(dir, sizeof dir, "load");
	char *log = e2e_fmt("%s/load.log", dir);
	char *cmd = e2e_fmt("'%s' --seconds 3 --clients 50 --slow 32 --health-ms 0 > '%s' 2>&1",
	                    bin, log);
	int st = system(cmd);
	char *out = e2e_slurp_str(log);
	cr_assert(st != -1 && WIFEXITED(st) && WEXITSTATUS(st) == 0,
	          "the load run failed (%#x):\n%s", st, out);
	cr_assert(strstr(out, "load: ok"), "no verdict:\n%s", out);
	free(out);
	free(cmd);
	free(log);
	free(bin);
	e2e_rm_rf(dir);
}
