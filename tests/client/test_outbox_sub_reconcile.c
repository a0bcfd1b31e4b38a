/* test_outbox_sub_reconcile.c: reconcile.c following submissions after a
 * restart, through the real loop, gateway client and outbox, against a
 * scripted gateway on loopback (a forked process that answers
 * GET /v1/applications/by-key/{key} as each test says, and notes what it
 * was asked and with which headers): 200 delivered, a 404 problem held, 5xx
 * asked again after its backoff, a 404 that is not the gateway's proves
 * nothing, entries that may still be in flight and held ones never asked,
 * a day-old one dropped unasked, nothing asked while a citizen is logged in
 * and never a bearer token on the lookup. */
#include <criterion/criterion.h>
#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <netinet/in.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "app.h"
#include "gw.h"
#include "loop.h"
#include "outbox.h"
#include "reconcile.h"

/* ---- the scripted gateway ---------------------------------------------------- */

#define MAX_RULES 16

/* The answers for one key, in turn (the last one repeats). */
struct rule {
	char key[IDEM_KEY_SIZE];
	const struct canned *answers[4];
	int n;
};

static struct rule rules[MAX_RULES];
static int n_rules;
static pid_t server;
static char *dir;
static char url[64];

/* A canned answer. */
struct canned {
	const char *status, *type, *body;
};

static const struct canned OK_DELIVERED[1] = { { "200 OK", "application/json",
	"{\"id\":\"SQ20261203000001\",\"status\":\"accepted\",\"service_id\":\"svc-residence\",\"payment\":null}" } };
static const struct canned OK_OTHER_SERVICE[1] = { { "200 OK", "application/json",
	"{\"id\":\"SQ20261203000009\",\"status\":\"accepted\",\"service_id\":\"svc-other\",\"payment\":null}" } };
static const struct canned OK_SECOND[1] = { { "200 OK", "application/json",
	"{\"id\":\"SQ20261203000002\",\"status\":\"submitted\",\"service_id\":\"svc-residence\","
	"\"payment\":{\"amount_fen\":2000}}" } };
static const struct canned NOT_FOUND[1] = { { "404 Not Found", "application/problem+json",
	"{\"type\":\"urn:kiosk-gateway:problem:application_not_found\",\"title\":\"x\",\"status\":404,"
	"\"code\":\"application_not_found\"}" } };
static const struct canned NOT_FOUND_ROUTE[1] = { { "404 Not Found", "application/problem+json",
	"{\"title\":\"no such path\",\"status\":404,\"code\":\"not_found\"}" } };
static const struct canned NOT_FOUND_HTML[1] = { { "404 Not Found", "text/html", "<html><body>404</body></html>" } };
static const struct canned BUSY[1] = { { "503 Service Unavailable", "application/problem+json",
	"{\"title\":\"busy\",\"status\":503,\"code\":\"simulated_failure\"}" } };

static void rule_add(const char *key, const struct canned *a0, const struct canned *a1)
{
	cr_assert_lt(n_rules, MAX_RULES);
	struct rule *r = &rules[n_rules++];
	snprintf(r->key, sizeof r->key, "%s", key);
	r->answers[0] = a0;
	r->answers[1] = a1;
	r->n = a1 ? 2 : 1;
}

/* Writes one canned answer. */
static void answer(int c, const struct canned *a)
{
	char out[1024];
	int n = snprintf(out, sizeof out,
	                 "HTTP/1.1 %s\r\nContent-Type: %s\r\nConnection: close\r\nContent-Length: %zu\r\n\r\n%s",
	                 a->status, a->type, strlen(a->body), a->body);
	(void)!write(c, out, (size_t)n);
}

/* The header's value in req (NULL-terminated copy into out), or false. */
static bool header(const char *req, const char *name, char *out, size_t n)
{
	for (const char *p = strstr(req, "\r\n"); p; p = strstr(p + 2, "\r\n")) {
		if (strncasecmp(p + 2, name, strlen(name)) == 0 && p[2 + strlen(name)] == ':') {
			const char *v = p + 2 + strlen(name) + 1;
			while (*v == ' ')
				v++;
			size_t len = strcspn(v, "\r\n");
			snprintf(out, n, "%.*s", (int)len, v);
			return true;
		}
	}
	return false;
}

/* The child: answers every request by its rule; one line a request in
 * DIR/asked: "KEY auth=0|1 kiosk=VALUE". */
static void serve(int ls)
{
	int used[MAX_RULES] = { 0 };
	signal(SIGPIPE, SIG_IGN); /* a kiosk that gave up on an answer */
	char *log_path = NULL;
	if (asprintf(&log_path, "%s/asked", dir) < 0)
		_exit(1);
	for (;;) {
		int c = accept(ls, NULL, NULL);
		if (c < 0)
			continue;
		char req[8192];
		size_t len = 0;
		while (len < sizeof req - 1 && !memmem(req, len, "\r\n\r\n", 4)) {
			ssize_t k = read(c, req + len, sizeof req - 1 - len);
			if (k <= 0)
				break;
			len += (size_t)k;
		}
		req[len] = '\0';
		static const char pre[] = "GET /v1/applications/by-key/";
		char key[IDEM_KEY_SIZE] = "";
		if (strncmp(req, pre, sizeof pre - 1) == 0)
			snprintf(key, sizeof key, "%.*s", (int)strcspn(req + sizeof pre - 1, " ?"), req + sizeof pre - 1);
		char kiosk[80] = "", auth[8];
		header(req, "X-Kiosk-Id", kiosk, sizeof kiosk);
		bool has_auth = header(req, "Authorization", auth, sizeof auth);
		FILE *f = fopen(log_path, "a");
		if (f) {
			fprintf(f, "%s auth=%d kiosk=%s\n", key[0] ? key : "?", has_auth, kiosk);
			fclose(f);
		}
		const struct canned *a = NOT_FOUND_ROUTE;
		for (int i = 0; i < n_rules; i++)
			if (!strcmp(rules[i].key, key)) {
				a = rules[i].answers[used[i] < rules[i].n ? used[i] : rules[i].n - 1];
				used[i]++;
			}
		answer(c, a);
		close(c);
	}
}

static void start_server(void)
{
	int ls = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	cr_assert_geq(ls, 0);
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	cr_assert_eq(bind(ls, (struct sockaddr *)&sa, sizeof sa), 0, "%s", strerror(errno));
	cr_assert_eq(listen(ls, 16), 0);
	socklen_t sl = sizeof sa;
	cr_assert_eq(getsockname(ls, (struct sockaddr *)&sa, &sl), 0);
	snprintf(url, sizeof url, "http://127.0.0.1:%d", ntohs(sa.sin_port));
	server = fork();
	cr_assert_geq(server, 0);
	if (server == 0) {
		serve(ls);
		_exit(0);
	}
	close(ls);
}

/* ---- the kiosk's side ----------------------------------------------------------- */

static struct app *app;

static void setup(void)
{
	dir = strdup("/tmp/kiosk-reconcile-XXXXXX");
	cr_assert(dir && mkdtemp(dir));
	n_rules = 0;
}

static void teardown(void)
{
	if (server > 0) {
		kill(server, SIGKILL);
		waitpid(server, NULL, 0);
		server = 0;
	}
	if (app) {
		gw_free(app->gw);
		outbox_free(app->outbox);
		loop_free(app->loop);
		free(app);
		app = NULL;
	}
	char cmd[PATH_MAX + 32];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
	free(dir);
}

TestSuite(outbox_sub_reconcile, .init = setup, .fini = teardown, .timeout = 60);

/* The kiosk after a restart: its loop, gateway client (first: it sets
 * OpenSSL's allocator) and outbox. Call after the rules are set. */
static void start_kiosk(void)
{
	start_server();
	app = calloc(1, sizeof *app);
	app->cfg.n_gateways = 1;
	app->cfg.connect_timeout_ms = 1000;
	app->cfg.timeout_ms = 2000;
	app->cfg.data_dir = dir;
	app->loop = loop_new();
	struct gw_config gc = { .urls = { url }, .n_urls = 1, .kiosk_id = "kiosk-test-7",
	                        .connect_timeout_ms = 1000, .timeout_ms = 2000 };
	app->gw = gw_new(app->loop, &gc);
	char err[512];
	app->outbox = outbox_open(dir, err, sizeof err);
	cr_assert(app->outbox, "%s", err);
}

static const char body[] = "{\"service_id\":\"svc-residence\",\"answers\":{\"reason\":\"ZEBRA-7731\"}}";
static const struct outbox_submission residence = {
	.service_id = "svc-residence", .service_name = "居住证办理", .body = body, .citizen_id = "11010519491231002X",
};

/* A submission in `state`, written `age` seconds ago and last sent then. */
static void make_sub(enum subq_state state, long long age, char key[IDEM_KEY_SIZE])
{
	struct outbox_sub_entry e;
	cr_assert_eq(outbox_sub_new(app->outbox, &residence, &e), OUTBOX_OK, "%s", outbox_error(app->outbox));
	memcpy(key, e.key, IDEM_KEY_SIZE);
	outbox_sub_entry_clear(&e);
	if (state != SUBQ_UNSENT)
		cr_assert_eq(outbox_sub_sending(app->outbox, key), OUTBOX_OK);
	if (state == SUBQ_HELD)
		cr_assert_eq(outbox_sub_held(app->outbox, key), OUTBOX_OK);
	char *db = NULL, sql[200];
	cr_assert(asprintf(&db, "%s/%s", dir, OUTBOX_FILE) > 0);
	sqlite3 *s;
	cr_assert_eq(sqlite3_open(db, &s), SQLITE_OK);
	sqlite3_busy_timeout(s, 2000);
	snprintf(sql, sizeof sql, "UPDATE subs SET created_at = created_at - %lld, sent_at = CASE sent_at WHEN 0 "
	         "THEN 0 ELSE sent_at - %lld END WHERE key = '%s'", age, age, key);
	cr_assert_eq(sqlite3_exec(s, sql, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(s);
	free(db);
}

static enum subq_state state_of(const char *key, char *app_id, size_t n)
{
	struct outbox_sub_entry e;
	cr_assert_eq(outbox_sub_find(app->outbox, key, &e), OUTBOX_OK);
	enum subq_state s = e.state;
	if (app_id)
		snprintf(app_id, n, "%s", e.app_id ? e.app_id : "");
	outbox_sub_entry_clear(&e);
	return s;
}

/* How many times the gateway was asked about key; *auth: with a bearer
 * token at least once; kiosk: the X-Kiosk-Id it saw last. */
static int asked(const char *key, bool *auth, char *kiosk, size_t n)
{
	char *p = NULL;
	cr_assert(asprintf(&p, "%s/asked", dir) > 0);
	FILE *f = fopen(p, "r");
	free(p);
	int count = 0;
	if (auth)
		*auth = false;
	char line[256];
	while (f && fgets(line, sizeof line, f)) {
		if (strncmp(line, key, strlen(key)) != 0)
			continue;
		count++;
		if (auth && strstr(line, "auth=1"))
			*auth = true;
		const char *k = strstr(line, "kiosk=");
		if (kiosk && k)
			snprintf(kiosk, n, "%.*s", (int)strcspn(k + 6, "\n"), k + 6);
	}
	if (f)
		fclose(f);
	return count;
}

/* Runs the loop until done() says so or `ms` pass. */
struct wait {
	bool (*done)(void);
	long long until;
};

static long poll_done(struct loop *l, long long id, void *ud)
{
	struct wait *w = ud;
	if (w->done() || loop_now_ms() > w->until) {
		loop_stop(l, 0);
		return -1;
	}
	return 50;
}

static void run_until(bool (*done)(void), long ms)
{
	struct wait w = { done, loop_now_ms() + ms };
	long long t = loop_timer_add(app->loop, 50, poll_done, &w);
	loop_run(app->loop);
	loop_timer_del(app->loop, t);
}

/* ---- the tests --------------------------------------------------------------------- */

static char k_found[IDEM_KEY_SIZE], k_absent[IDEM_KEY_SIZE], k_busy[IDEM_KEY_SIZE], k_fresh[IDEM_KEY_SIZE],
	k_held[IDEM_KEY_SIZE], k_old[IDEM_KEY_SIZE], k_html[IDEM_KEY_SIZE], k_route[IDEM_KEY_SIZE],
	k_other[IDEM_KEY_SIZE];

static bool settled_all(void)
{
	return state_of(k_found, NULL, 0) == SUBQ_DELIVERED && state_of(k_absent, NULL, 0) == SUBQ_HELD &&
	       state_of(k_busy, NULL, 0) == SUBQ_DELIVERED && asked(k_html, NULL, NULL, 0) > 0 &&
	       asked(k_route, NULL, NULL, 0) > 0 && asked(k_other, NULL, NULL, 0) > 0;
}

Test(outbox_sub_reconcile, a_restart_finds_out_how_each_submission_ended)
{
	/* The server is forked with its rules, and the rules name the keys:
	 * so a first kiosk writes the entries, and then "restarts". */
	app = calloc(1, sizeof *app);
	app->loop = loop_new();
	struct gw_config none = { .n_urls = 0 };
	app->gw = gw_new(app->loop, &none);
	char err[512];
	app->outbox = outbox_open(dir, err, sizeof err);
	cr_assert(app->outbox, "%s", err);
	make_sub(SUBQ_SENDING, 100, k_found);    /* the gateway has it */
	make_sub(SUBQ_SENDING, 100, k_absent);   /* never got it */
	make_sub(SUBQ_UNSENT, 100, k_busy);      /* busy, then has it */
	make_sub(SUBQ_SENDING, 2, k_fresh);      /* may still be in flight */
	make_sub(SUBQ_HELD, 100, k_held);        /* waits for its citizen */
	make_sub(SUBQ_SENDING, 90000, k_old);    /* a day old */
	make_sub(SUBQ_SENDING, 100, k_html);     /* a proxy's 404 page */
	make_sub(SUBQ_SENDING, 100, k_route);    /* a gateway without the endpoint */
	make_sub(SUBQ_SENDING, 100, k_other);    /* an answer about another service */
	gw_free(app->gw);
	outbox_free(app->outbox);
	loop_free(app->loop);
	free(app);
	app = NULL;

	rule_add(k_found, OK_DELIVERED, NULL);
	rule_add(k_absent, NOT_FOUND, NULL);
	rule_add(k_busy, BUSY, OK_SECOND);
	rule_add(k_fresh, OK_DELIVERED, NULL);
	rule_add(k_held, OK_DELIVERED, NULL);
	rule_add(k_old, OK_DELIVERED, NULL);
	rule_add(k_html, NOT_FOUND_HTML, NULL);
	rule_add(k_route, NOT_FOUND_ROUTE, NULL);
	rule_add(k_other, OK_OTHER_SERVICE, NULL);
	start_kiosk();
	reconcile_kick(app);
	run_until(settled_all, 15000);

	char id[64];
	cr_assert_eq(state_of(k_found, id, sizeof id), SUBQ_DELIVERED);
	cr_assert_str_eq(id, "SQ20261203000001");
	cr_assert_eq(state_of(k_absent, NULL, 0), SUBQ_HELD);
	cr_assert_eq(state_of(k_busy, id, sizeof id), SUBQ_DELIVERED, "503 was not asked again");
	cr_assert_str_eq(id, "SQ20261203000002");
	cr_assert_eq(asked(k_busy, NULL, NULL, 0), 2);
	/* Not asked: in flight, held, too old. */
	cr_assert_eq(asked(k_fresh, NULL, NULL, 0), 0, "asked about a submission that may be in flight");
	cr_assert_eq(state_of(k_fresh, NULL, 0), SUBQ_SENDING);
	cr_assert_eq(asked(k_held, NULL, NULL, 0), 0, "asked about a held submission");
	cr_assert_eq(state_of(k_held, NULL, 0), SUBQ_HELD);
	cr_assert_eq(asked(k_old, NULL, NULL, 0), 0, "asked about a day-old submission");
	cr_assert_eq(state_of(k_old, NULL, 0), SUBQ_DROPPED);
	/* Answers that prove nothing change nothing (asked again in 30 s). */
	cr_assert_eq(state_of(k_html, NULL, 0), SUBQ_SENDING, "a proxy's 404 page held it");
	cr_assert_eq(state_of(k_route, NULL, 0), SUBQ_SENDING, "a 404 that is not application_not_found held it");
	cr_assert_eq(state_of(k_other, NULL, 0), SUBQ_SENDING, "another service's application delivered it");
	cr_assert_eq(asked(k_html, NULL, NULL, 0), 1);
	/* The lookups carried the kiosk's id and no token. */
	bool auth;
	char kiosk[80];
	cr_assert_eq(asked(k_found, &auth, kiosk, sizeof kiosk), 1);
	cr_assert_not(auth);
	cr_assert_str_eq(kiosk, "kiosk-test-7");
	/* The held one still opens for its citizen. */
	cr_assert_eq(outbox_sub_for_citizen(app->outbox, residence.citizen_id, NULL, NULL), 2);
}

static char k_wait[IDEM_KEY_SIZE];

static bool wait_delivered(void)
{
	return state_of(k_wait, NULL, 0) == SUBQ_DELIVERED;
}

static bool never(void)
{
	return false;
}

Test(outbox_sub_reconcile, nothing_is_asked_while_a_citizen_is_logged_in)
{
	app = calloc(1, sizeof *app);
	app->loop = loop_new();
	struct gw_config none = { .n_urls = 0 };
	app->gw = gw_new(app->loop, &none);
	char err[512];
	app->outbox = outbox_open(dir, err, sizeof err);
	cr_assert(app->outbox, "%s", err);
	make_sub(SUBQ_SENDING, 100, k_wait);
	gw_free(app->gw);
	outbox_free(app->outbox);
	loop_free(app->loop);
	free(app);
	app = NULL;

	rule_add(k_wait, OK_DELIVERED, NULL);
	start_kiosk();
	/* A citizen logged in (their token goes with gw_get). */
	app->session.active = true;
	gw_set_token(app->gw, "citizen-token-secret");
	reconcile_kick(app);
	run_until(never, 1500);
	cr_assert_eq(asked(k_wait, NULL, NULL, 0), 0, "asked while a citizen was logged in");
	cr_assert_eq(state_of(k_wait, NULL, 0), SUBQ_SENDING);
	/* They log out: the next pass asks, without a token. */
	app->session.active = false;
	gw_set_token(app->gw, NULL);
	run_until(wait_delivered, RECONCILE_MS + 5000);
	cr_assert_eq(state_of(k_wait, NULL, 0), SUBQ_DELIVERED);
	bool auth;
	cr_assert_eq(asked(k_wait, &auth, NULL, 0), 1);
	cr_assert_not(auth, "the lookup carried a bearer token");
}

Test(outbox_sub_reconcile, an_unreachable_gateway_is_asked_again_later)
{
	app = calloc(1, sizeof *app);
	app->loop = loop_new();
	struct gw_config none = { .n_urls = 0 };
	app->gw = gw_new(app->loop, &none);
	char err[512];
	app->outbox = outbox_open(dir, err, sizeof err);
	cr_assert(app->outbox, "%s", err);
	make_sub(SUBQ_SENDING, 100, k_wait);
	gw_free(app->gw);
	outbox_free(app->outbox);
	loop_free(app->loop);
	free(app);
	app = NULL;

	rule_add(k_wait, OK_DELIVERED, NULL);
	start_kiosk();
	/* The gateway is down at start-up, and comes back. */
	kill(server, SIGSTOP);
	reconcile_kick(app);
	run_until(never, 2500); /* the first lookup times out (2 s) */
	cr_assert_eq(state_of(k_wait, NULL, 0), SUBQ_SENDING);
	kill(server, SIGCONT);
	run_until(wait_delivered, 8000);
	cr_assert_eq(state_of(k_wait, NULL, 0), SUBQ_DELIVERED, "not asked again after the timeout");
	cr_assert_geq(asked(k_wait, NULL, NULL, 0), 1);
}
