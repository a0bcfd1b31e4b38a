/* test_faults.c: the kiosk against a gateway that fails (suite "faults").
 *
 * Each test starts its own gatewayd (--demo --sim) and drives the real kiosk
 * in a pty; faults come from POST /sim/faults or from killing the gateway.
 * What is checked is behaviour, never speed: waits are generous (15 s),
 * except where the point is that a hung request must not hold up a key.
 * After every step the screen must be clean (no control characters, no
 * title change); the kiosk must still answer keys after every fault (Esc
 * and Home bring back the home screen); at the end the kiosk is stopped
 * with SIGTERM and neither it nor the gateway may have written a sanitizer
 * report.
 *
 * Screen texts are the zh_CN ones (locale/zh_CN.po), the kiosk's default.
 */
#include "e2e.h"
#include "harness/gwd.h"
#include "harness/harness.h"

#include <criterion/criterion.h>
#include <jansson.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define COLS 120
#define ROWS 36
#define WAIT_MS 15000  /* anything that depends on the network */
#define QUICK_MS 3000  /* a key while a request hangs */

static void suite_fini(void);
TestSuite(faults, .timeout = 150, .fini = suite_fini);

/* ---- what the screen says (zh_CN) ------------------------------------------ */

#define T_HOME          "政务服务自助终端"
#define T_CATEGORIES    "按类别办事"
#define T_CAT_LOADING   "正在加载服务目录……"
#define T_DET_LOADING   "正在加载详细信息……"
#define T_RETRY_CAT     "1 重试"
#define T_RETRY_SVC     "3 重试"
#define T_RETRY         "重试"
#define T_MATERIALS     "【所需材料】"
#define T_BANNER        "！网络中断："
#define T_BANNER_PLAIN  "！网络中断：无法连接服务网络。"
#define T_UNREACHABLE   "无法连接服务网络，请稍后重试或咨询工作人员。"
#define T_TIMEOUT       "服务网络暂无响应，请稍后重试。"
#define T_UNREADABLE    "服务网络返回的内容无法识别，请咨询工作人员。"
#define T_UNREADABLE_CATALOG "服务网络返回的目录无法识别，请咨询工作人员。"
#define T_5XX           "服务网络出现故障，请稍后重试。"
#define T_5XX_GATEWAY   "服务暂时不可用" /* gatewayd's title for simulated_failure */
#define T_GONE          "未找到该服务事项，可能已经停办。"
#define T_SAVED         "网络中断：以下是上次保存的内容。"

/* ---- the kiosk's log: did it really ask again? ------------------------------ */

/* Pumps until the log has more than `before` lines with needle. */
static void expect_log_more(struct harness *h, struct gwd *g, const char *needle, int before,
                            int ms, const char *step)
{
	long long end = e2e_now_ms() + ms;
	while (e2e_log_lines(h, needle) <= before && e2e_now_ms() < end)
		h_pump(h, 50);
	E2E_CHECK(h, g, e2e_log_lines(h, needle) > before, "%s: the kiosk did not log another \"%s\"", step,
	      needle);
}

/* "GET /v1/catalog ->" lines are finished catalog requests. */
#define LOG_CATALOG "GET /v1/catalog ->"
#define LOG_SERVICE "GET /v1/services/"

/* ---- gateway and kiosk --------------------------------------------------------- */

/* The first category of the live catalog and its first service. */
struct names {
	char cat_id[128], cat_name[256];
	char svc_id[128], svc_name[256];
	json_t *catalog; /* the whole answer, for seeding a cache */
};

/* What a failed assertion would leak, freed by the suite's fini. */
static json_t *live_catalog;
static char *live_conf;

static void conf_done(void)
{
	if (live_conf) {
		unlink(live_conf);
		free(live_conf);
		live_conf = NULL;
	}
}

static void suite_fini(void)
{
	json_decref(live_catalog);
	live_catalog = NULL;
	conf_done();
}

static void names_get(struct gwd *g, struct names *n)
{
	char *body = NULL;
	json_error_t e;
	int st = gwd_get(g, "/v1/catalog", &body);
	cr_assert_eq(st, 200, "GET /v1/catalog: %d %s", st, body ? body : "");
	memset(n, 0, sizeof *n);
	n->catalog = json_loads(body, 0, &e);
	free(body);
	json_decref(live_catalog);
	live_catalog = n->catalog;
	cr_assert_not_null(n->catalog, "catalog is not JSON: %s", e.text);
	json_t *cats = json_object_get(n->catalog, "categories");
	json_t *svcs = json_object_get(n->catalog, "services");
	cr_assert(json_array_size(cats) > 0 && json_array_size(svcs) > 0, "empty demo catalog");
	json_t *c0 = json_array_get(cats, 0);
	snprintf(n->cat_id, sizeof n->cat_id, "%s", json_string_value(json_object_get(c0, "id")));
	snprintf(n->cat_name, sizeof n->cat_name, "%s", json_string_value(json_object_get(c0, "name")));
	size_t i;
	json_t *s;
	json_array_foreach(svcs, i, s) {
		const char *cat = json_string_value(json_object_get(s, "category"));
		if (cat && !strcmp(cat, n->cat_id)) {
			snprintf(n->svc_id, sizeof n->svc_id, "%s", json_string_value(json_object_get(s, "id")));
			snprintf(n->svc_name, sizeof n->svc_name, "%s",
			         json_string_value(json_object_get(s, "name")));
			break;
		}
	}
	cr_assert(n->cat_name[0] && n->svc_name[0], "no service in the first category");
}

static void names_free(struct names *n)
{
	if (live_catalog == n->catalog)
		live_catalog = NULL;
	json_decref(n->catalog);
	n->catalog = NULL;
}

/* Home -> categories -> the first category's services. */
static void to_services(struct harness *h, struct gwd *g, const struct names *n)
{
	h_type(h, "3"); /* home: 办事服务 */
	e2e_expect_row(h, g, 0, T_CATEGORIES, WAIT_MS, "categories title");
	e2e_expect(h, g, e2e_item(1, n->cat_name), WAIT_MS, "categories: first category");
	h_type(h, "1");
	e2e_expect_row(h, g, 0, n->cat_name, WAIT_MS, "services list title");
	e2e_expect(h, g, e2e_item(1, n->svc_name), WAIT_MS, "services list: first service");
}

/* Esc (one step back) then Home: the home screen comes back. */
static void esc_and_home(struct harness *h, struct gwd *g, const char *after_esc_row0, int ms)
{
	h_key(h, H_ESC);
	if (after_esc_row0)
		e2e_expect_row(h, g, 0, after_esc_row0, ms, "Esc goes one step back");
	h_key(h, H_HOME);
	e2e_expect_row(h, g, 0, T_HOME, ms, "Home brings back the home screen");
}

/* A loopback port nothing listens on (it was free a moment ago). */
static int closed_port(void)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	socklen_t sl = sizeof sa;
	int s = socket(AF_INET, SOCK_STREAM, 0);
	cr_assert_geq(s, 0);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	cr_assert_eq(bind(s, (struct sockaddr *)&sa, sizeof sa), 0);
	cr_assert_eq(getsockname(s, (struct sockaddr *)&sa, &sl), 0);
	close(s);
	return ntohs(sa.sin_port);
}

/* A kiosk config file with short timeouts; the caller unlinks it. */
static char *short_timeout_config(void)
{
	char *path = strdup("/tmp/kiosk-faults-conf-XXXXXX");
	int fd = mkstemp(path);
	cr_assert_geq(fd, 0, "mkstemp: %s", strerror(errno));
	const char text[] = "[gateway]\ntimeout_ms = 2000\nconnect_timeout_ms = 1000\n";
	cr_assert_eq(write(fd, text, sizeof text - 1), (ssize_t)(sizeof text - 1));
	close(fd);
	live_conf = path;
	return path;
}

/* ==== 1. gateway down at start ================================================== */

Test(faults, gateway_down_at_start)
{
	char url[64];
	snprintf(url, sizeof url, "http://127.0.0.1:%d", closed_port());
	struct harness *h = e2e_start_home(NULL, url, COLS, ROWS, NULL, WAIT_MS);

	e2e_expect_row(h, NULL, 1, T_BANNER_PLAIN, WAIT_MS, "offline banner on the home screen");

	h_type(h, "3"); /* home: 办事服务 */
	e2e_expect_row(h, NULL, 0, T_CATEGORIES, WAIT_MS, "categories title");
	e2e_expect(h, NULL, T_UNREACHABLE, WAIT_MS, "categories: unreachable message");
	e2e_expect(h, NULL, T_RETRY_CAT, WAIT_MS, "categories: retry button");
	E2E_CHECK(h, NULL, e2e_row_has(h, 1, T_BANNER), "categories: no offline banner");

	/* Retry by key, then by touch: the kiosk asks again and says the same. */
	int before = e2e_log_lines(h, LOG_CATALOG);
	h_type(h, "1");
	expect_log_more(h, NULL, LOG_CATALOG, before, WAIT_MS, "retry (key 1)");
	e2e_expect(h, NULL, T_UNREACHABLE, WAIT_MS, "after retry: unreachable message");
	e2e_expect(h, NULL, T_RETRY_CAT, WAIT_MS, "after retry: retry button");

	before = e2e_log_lines(h, LOG_CATALOG);
	/* (not "重试" alone: the message says 稍后重试 above the button) */
	E2E_CHECK(h, NULL, h_click_text(h, T_RETRY_CAT), "no retry button to touch");
	expect_log_more(h, NULL, LOG_CATALOG, before, WAIT_MS, "retry (touch)");
	e2e_expect(h, NULL, T_UNREACHABLE, WAIT_MS, "after touch retry: unreachable message");

	h_key(h, H_ESC);
	e2e_expect_row(h, NULL, 0, T_HOME, WAIT_MS, "Esc back to home");
	e2e_expect_row(h, NULL, 1, T_BANNER, WAIT_MS, "home: offline banner stays");
	/* Home from the categories screen too. */
	h_type(h, "3"); /* home: 办事服务 */
	e2e_expect_row(h, NULL, 0, T_CATEGORIES, WAIT_MS, "categories again");
	h_key(h, H_HOME);
	e2e_expect_row(h, NULL, 0, T_HOME, WAIT_MS, "Home back to home");
	e2e_finish(h, NULL);
}

/* ==== 2. gateway down mid-use ===================================================== */

Test(faults, gateway_down_mid_use)
{
	struct gwd *g = e2e_start_gateway(NULL);
	struct names n;
	names_get(g, &n);
	struct harness *h = e2e_start_home(g, gwd_url(g), COLS, ROWS, NULL, WAIT_MS);

	to_services(h, g, &n);
	E2E_CHECK(h, g, !e2e_row_has(h, 1, T_BANNER), "offline banner while the gateway is up");

	gwd_kill(g);
	h_type(h, "1");
	e2e_expect_row(h, g, 0, n.svc_name, WAIT_MS, "detail: the service's name at once");
	e2e_expect(h, g, T_UNREACHABLE, WAIT_MS, "detail: unreachable message");
	e2e_expect_row(h, g, 1, T_BANNER, WAIT_MS, "detail: offline banner");
	e2e_expect(h, g, T_RETRY_SVC, WAIT_MS, "detail: retry button");

	int before = e2e_log_lines(h, LOG_SERVICE);
	h_type(h, "3");
	expect_log_more(h, g, LOG_SERVICE, before, WAIT_MS, "detail: retry");
	e2e_expect(h, g, T_UNREACHABLE, WAIT_MS, "detail after retry: unreachable message");

	h_key(h, H_ESC);
	e2e_expect_row(h, g, 0, n.cat_name, WAIT_MS, "Esc back to the services list");
	e2e_expect(h, g, e2e_item(1, n.svc_name), WAIT_MS, "services list still shown (catalog in memory)");
	e2e_expect_row(h, g, 1, T_BANNER, WAIT_MS, "services list: offline banner");
	h_key(h, H_HOME);
	e2e_expect_row(h, g, 0, T_HOME, WAIT_MS, "Home back to home");
	e2e_expect_row(h, g, 1, T_BANNER, WAIT_MS, "home: offline banner");
	names_free(&n);
	e2e_finish(h, g);
}

/* ==== 3. a 30 s answer ============================================================= */

Test(faults, slow_service_does_not_block_keys)
{
	struct gwd *g = e2e_start_gateway(NULL);
	struct names n;
	names_get(g, &n);
	struct harness *h = e2e_start_home(g, gwd_url(g), COLS, ROWS, NULL, WAIT_MS);

	to_services(h, g, &n);
	e2e_set_faults(g, "{\"latency_ms\":30000,\"paths\":[\"/v1/services\"]}");
	h_type(h, "1");
	e2e_expect_row(h, g, 0, n.svc_name, WAIT_MS, "detail: the service's name at once");
	e2e_expect(h, g, T_DET_LOADING, WAIT_MS, "detail: loading text");

	/* The request hangs; keys must not. */
	h_key(h, H_ESC);
	e2e_expect_row(h, g, 0, n.cat_name, QUICK_MS, "Esc during a hung request");
	E2E_CHECK(h, g, h_wait_gone(h, T_DET_LOADING, QUICK_MS), "loading text stays after Esc");
	h_type(h, "1");
	e2e_expect(h, g, T_DET_LOADING, QUICK_MS, "detail again: loading text");
	h_key(h, H_HOME);
	e2e_expect_row(h, g, 0, T_HOME, QUICK_MS, "Home during a hung request");
	h_type(h, "3"); /* home: 办事服务 */
	e2e_expect_row(h, g, 0, T_CATEGORIES, QUICK_MS, "categories during a hung request");
	h_key(h, H_ESC);
	e2e_expect_row(h, g, 0, T_HOME, QUICK_MS, "Esc back to home");
	names_free(&n);
	e2e_finish(h, g);
}

Test(faults, slow_catalog_does_not_block_keys)
{
	struct gwd *g = e2e_start_gateway(NULL);
	e2e_set_faults(g, "{\"latency_ms\":30000,\"paths\":[\"/v1/catalog\"]}");
	struct harness *h = e2e_start_home(g, gwd_url(g), COLS, ROWS, NULL, WAIT_MS);

	h_type(h, "3"); /* home: 办事服务 */
	e2e_expect_row(h, g, 0, T_CATEGORIES, QUICK_MS, "categories while the catalog hangs");
	e2e_expect(h, g, T_CAT_LOADING, QUICK_MS, "categories: loading text");
	h_key(h, H_ESC);
	e2e_expect_row(h, g, 0, T_HOME, QUICK_MS, "Esc while the catalog hangs");
	h_type(h, "3"); /* home: 办事服务 */
	e2e_expect_row(h, g, 0, T_CATEGORIES, QUICK_MS, "categories again");
	h_key(h, H_HOME);
	e2e_expect_row(h, g, 0, T_HOME, QUICK_MS, "Home while the catalog hangs");
	e2e_finish(h, g);
}

Test(faults, slow_service_times_out)
{
	struct gwd *g = e2e_start_gateway(NULL);
	struct names n;
	names_get(g, &n);
	char *conf = short_timeout_config();
	const char *extra[] = { "--config", conf, NULL };
	struct harness *h = e2e_start_home(g, gwd_url(g), COLS, ROWS, extra, WAIT_MS);

	to_services(h, g, &n);
	e2e_set_faults(g, "{\"latency_ms\":30000,\"paths\":[\"/v1/services\"]}");
	h_type(h, "1");
	e2e_expect(h, g, T_DET_LOADING, WAIT_MS, "detail: loading text");
	{
		static const char *const msgs[] = { T_TIMEOUT, T_UNREACHABLE, NULL };
		const char *m = e2e_expect_any(h, g, msgs, WAIT_MS, "detail: a message instead of a hang");
		E2E_CHECK(h, g, !strcmp(m, T_TIMEOUT),
		      "detail: a request that reached the gateway and timed out is shown as \"%s\","
		      " not \"%s\"", m, T_TIMEOUT);
	}
	e2e_expect(h, g, T_RETRY_SVC, WAIT_MS, "detail: retry button after a timeout");
	E2E_CHECK(h, g, !e2e_row_has(h, 1, T_BANNER), "a slow gateway is not an offline one (banner shown)");

	/* Faults cleared: retry brings the details. */
	e2e_set_faults(g, "{}");
	h_type(h, "3");
	e2e_expect(h, g, T_MATERIALS, WAIT_MS, "detail after retry: sections");
	E2E_CHECK(h, g, !h_find(h, T_TIMEOUT, NULL, NULL), "timeout message stays after a good answer");
	esc_and_home(h, g, n.cat_name, WAIT_MS);
	conf_done();
	names_free(&n);
	e2e_finish(h, g);
}

/* The same on the catalog, the kiosk's first request (a new connection). */
Test(faults, slow_catalog_times_out)
{
	struct gwd *g = e2e_start_gateway(NULL);
	struct names n;
	names_get(g, &n);
	char *conf = short_timeout_config();
	const char *extra[] = { "--config", conf, NULL };
	e2e_set_faults(g, "{\"latency_ms\":30000,\"paths\":[\"/v1/catalog\"]}");
	struct harness *h = e2e_start_home(g, gwd_url(g), COLS, ROWS, extra, WAIT_MS);

	h_type(h, "3"); /* home: 办事服务 */
	e2e_expect_row(h, g, 0, T_CATEGORIES, WAIT_MS, "categories title");
	{
		static const char *const msgs[] = { T_TIMEOUT, T_UNREACHABLE, NULL };
		const char *m = e2e_expect_any(h, g, msgs, WAIT_MS, "categories: a message instead of a hang");
		E2E_CHECK(h, g, !strcmp(m, T_TIMEOUT), "categories: a timed-out catalog is shown as \"%s\"", m);
	}
	e2e_expect(h, g, T_RETRY_CAT, WAIT_MS, "categories: retry button after a timeout");
	E2E_CHECK(h, g, !e2e_row_has(h, 1, T_BANNER), "a slow gateway is not an offline one (banner shown)");

	e2e_set_faults(g, "{}");
	h_type(h, "1");
	e2e_expect(h, g, e2e_item(1, n.cat_name), WAIT_MS, "categories after clearing and retrying");
	h_key(h, H_ESC);
	e2e_expect_row(h, g, 0, T_HOME, WAIT_MS, "Esc back to home");
	conf_done();
	names_free(&n);
	e2e_finish(h, g);
}

/* ==== 4. 500s ======================================================================== */

static const char *const msgs_5xx[] = { T_5XX_GATEWAY, T_5XX, NULL };

Test(faults, catalog_500_then_retry)
{
	struct gwd *g = e2e_start_gateway(NULL);
	struct names n;
	names_get(g, &n);
	e2e_set_faults(g, "{\"error_rate\":1,\"paths\":[\"/v1/catalog\"]}");
	struct harness *h = e2e_start_home(g, gwd_url(g), COLS, ROWS, NULL, WAIT_MS);

	h_type(h, "3"); /* home: 办事服务 */
	e2e_expect_row(h, g, 0, T_CATEGORIES, WAIT_MS, "categories title");
	e2e_expect_any(h, g, msgs_5xx, WAIT_MS, "categories: server error message");
	e2e_expect(h, g, T_RETRY_CAT, WAIT_MS, "categories: retry button");
	E2E_CHECK(h, g, !e2e_row_has(h, 1, T_BANNER), "a failing gateway is not an offline one");

	/* Still failing: asks again, same message. */
	int before = e2e_log_lines(h, LOG_CATALOG);
	h_type(h, "1");
	expect_log_more(h, g, LOG_CATALOG, before, WAIT_MS, "retry while failing");
	e2e_expect_any(h, g, msgs_5xx, WAIT_MS, "after retry: server error message");
	e2e_expect(h, g, T_RETRY_CAT, WAIT_MS, "after retry: retry button");

	e2e_set_faults(g, "{}");
	h_type(h, "1");
	e2e_expect(h, g, e2e_item(1, n.cat_name), WAIT_MS, "retry after the faults are cleared: categories");
	h_settle(h, 100, 2000);
	E2E_CHECK(h, g, !h_find(h, T_5XX_GATEWAY, NULL, NULL) && !h_find(h, T_5XX, NULL, NULL),
	      "error message stays after the catalog came");
	h_type(h, "1");
	e2e_expect_row(h, g, 0, n.cat_name, WAIT_MS, "services list");
	e2e_expect(h, g, e2e_item(1, n.svc_name), WAIT_MS, "services list: first service");
	esc_and_home(h, g, T_CATEGORIES, WAIT_MS);
	names_free(&n);
	e2e_finish(h, g);
}

Test(faults, service_500_then_retry)
{
	struct gwd *g = e2e_start_gateway(NULL);
	struct names n;
	names_get(g, &n);
	struct harness *h = e2e_start_home(g, gwd_url(g), COLS, ROWS, NULL, WAIT_MS);

	to_services(h, g, &n);
	e2e_set_faults(g, "{\"error_rate\":1,\"paths\":[\"/v1/services\"]}");
	h_type(h, "1");
	e2e_expect_any(h, g, msgs_5xx, WAIT_MS, "detail: server error message");
	e2e_expect(h, g, T_RETRY_SVC, WAIT_MS, "detail: retry button");
	e2e_set_faults(g, "{}");
	h_type(h, "3");
	e2e_expect(h, g, T_MATERIALS, WAIT_MS, "detail after retry: sections");
	esc_and_home(h, g, n.cat_name, WAIT_MS);
	names_free(&n);
	e2e_finish(h, g);
}

/* ==== 5. unreadable answers ============================================================ */

static const char *const msgs_unreadable[] = { T_UNREADABLE, T_UNREADABLE_CATALOG, NULL };

static void catalog_body_fault(const char *mode)
{
	struct gwd *g = e2e_start_gateway(NULL);
	struct names n;
	char json[160], step[160];
	names_get(g, &n);
	snprintf(json, sizeof json, "{\"body\":\"%s\",\"paths\":[\"/v1/catalog\"]}", mode);
	e2e_set_faults(g, json);
	/* A fresh data dir (h_start_kiosk): no saved catalog to fall back on. */
	struct harness *h = e2e_start_home(g, gwd_url(g), COLS, ROWS, NULL, WAIT_MS);

	h_type(h, "3"); /* home: 办事服务 */
	snprintf(step, sizeof step, "catalog %s: categories title", mode);
	e2e_expect_row(h, g, 0, T_CATEGORIES, WAIT_MS, step);
	snprintf(step, sizeof step, "catalog %s: unreadable-answer message", mode);
	e2e_expect_any(h, g, msgs_unreadable, WAIT_MS, step);
	snprintf(step, sizeof step, "catalog %s: retry button", mode);
	e2e_expect(h, g, T_RETRY_CAT, WAIT_MS, step);
	h_settle(h, 100, 2000);
	E2E_CHECK(h, g, !h_find(h, e2e_item(1, n.cat_name), NULL, NULL), "catalog %s: a spoiled catalog was shown",
	      mode);

	h_key(h, H_ESC);
	snprintf(step, sizeof step, "catalog %s: Esc back to home", mode);
	e2e_expect_row(h, g, 0, T_HOME, WAIT_MS, step);
	h_type(h, "3"); /* home: 办事服务 */
	snprintf(step, sizeof step, "catalog %s: categories again", mode);
	e2e_expect_row(h, g, 0, T_CATEGORIES, WAIT_MS, step);
	snprintf(step, sizeof step, "catalog %s: unreadable-answer message again", mode);
	e2e_expect_any(h, g, msgs_unreadable, WAIT_MS, step);

	/* Faults cleared: the retry button brings the catalog. */
	e2e_set_faults(g, "{}");
	e2e_expect(h, g, T_RETRY_CAT, WAIT_MS, "retry button");
	h_type(h, "1");
	snprintf(step, sizeof step, "catalog %s: categories after clearing and retrying", mode);
	e2e_expect(h, g, e2e_item(1, n.cat_name), WAIT_MS, step);
	h_key(h, H_HOME);
	e2e_expect_row(h, g, 0, T_HOME, WAIT_MS, "Home");
	names_free(&n);
	e2e_finish(h, g);
}

Test(faults, catalog_malformed) { catalog_body_fault("malformed"); }
Test(faults, catalog_wrong_types) { catalog_body_fault("wrong_types"); }
Test(faults, catalog_huge) { catalog_body_fault("huge"); }
Test(faults, catalog_deep) { catalog_body_fault("deep"); }
Test(faults, catalog_html) { catalog_body_fault("html"); }

static void service_body_fault(const char *mode)
{
	struct gwd *g = e2e_start_gateway(NULL);
	struct names n;
	char json[160], step[160];
	names_get(g, &n);
	struct harness *h = e2e_start_home(g, gwd_url(g), COLS, ROWS, NULL, WAIT_MS);

	to_services(h, g, &n);
	snprintf(json, sizeof json, "{\"body\":\"%s\",\"paths\":[\"/v1/services\"]}", mode);
	e2e_set_faults(g, json);
	h_type(h, "1");
	snprintf(step, sizeof step, "service %s: the name at once", mode);
	e2e_expect_row(h, g, 0, n.svc_name, WAIT_MS, step);
	snprintf(step, sizeof step, "service %s: unreadable-answer message", mode);
	e2e_expect(h, g, T_UNREADABLE, WAIT_MS, step);
	snprintf(step, sizeof step, "service %s: retry button", mode);
	e2e_expect(h, g, T_RETRY_SVC, WAIT_MS, step);
	h_settle(h, 100, 2000);
	E2E_CHECK(h, g, !h_find(h, T_MATERIALS, NULL, NULL), "service %s: spoiled details shown", mode);

	e2e_set_faults(g, "{}");
	h_type(h, "3");
	snprintf(step, sizeof step, "service %s: sections after retry", mode);
	e2e_expect(h, g, T_MATERIALS, WAIT_MS, step);
	h_settle(h, 100, 2000);
	E2E_CHECK(h, g, !h_find(h, T_UNREADABLE, NULL, NULL), "service %s: message stays", mode);
	esc_and_home(h, g, n.cat_name, WAIT_MS);
	names_free(&n);
	e2e_finish(h, g);
}

Test(faults, service_malformed) { service_body_fault("malformed"); }
Test(faults, service_wrong_types) { service_body_fault("wrong_types"); }
Test(faults, service_huge) { service_body_fault("huge"); }
Test(faults, service_deep) { service_body_fault("deep"); }
Test(faults, service_html) { service_body_fault("html"); }

/* ==== 6. evil strings ==================================================================== */

/* What is left of an escape sequence if it were only half removed. */
static void no_escape_debris(struct harness *h, struct gwd *g, const char *step)
{
	static const char *const debris[] = { "pwned", "[2J", "[31m", "[0m", "]0;", NULL };
	for (size_t i = 0; debris[i]; i++)
		E2E_CHECK(h, g, !h_find(h, debris[i], NULL, NULL), "%s: \"%s\" from an escape sequence shows",
		      step, debris[i]);
}

Test(faults, evil_strings_stay_harmless)
{
	struct gwd *g = e2e_start_gateway(NULL);
	struct names n;
	names_get(g, &n);
	e2e_set_faults(g, "{\"body\":\"evil_strings\",\"paths\":[\"/v1/catalog\",\"/v1/services\"]}");
	/* The gateway does poison them. */
	{
		char *body = NULL;
		cr_assert_eq(gwd_get(g, "/v1/catalog", &body), 200);
		cr_assert(strstr(body, "pwned"), "evil_strings did not poison the catalog");
		free(body);
	}
	struct harness *h = e2e_start_home(g, gwd_url(g), COLS, ROWS, NULL, WAIT_MS);
	e2e_clean(h, g, "home");

	h_type(h, "3"); /* home: 办事服务 */
	e2e_expect_row(h, g, 0, T_CATEGORIES, WAIT_MS, "categories title");
	e2e_expect(h, g, n.cat_name, WAIT_MS, "categories: the real part of the first category's name");
	h_settle(h, 100, 2000);
	no_escape_debris(h, g, "categories");

	h_type(h, "1");
	e2e_expect_row(h, g, 0, n.cat_name, WAIT_MS, "services list title");
	e2e_expect(h, g, n.svc_name, WAIT_MS, "services list: the real part of the first service's name");
	h_settle(h, 100, 2000);
	no_escape_debris(h, g, "services list");

	h_type(h, "1");
	e2e_expect_row(h, g, 0, n.svc_name, WAIT_MS, "detail title");
	e2e_expect(h, g, T_MATERIALS, WAIT_MS, "detail: sections");
	h_settle(h, 100, 2000);
	no_escape_debris(h, g, "detail");
	/* Page through whatever is below. */
	for (int i = 0; i < 3; i++) {
		h_type(h, "2");
		h_settle(h, 100, 1000);
		e2e_clean(h, g, "detail, paged down");
		no_escape_debris(h, g, "detail, paged down");
	}

	esc_and_home(h, g, n.cat_name, WAIT_MS);
	no_escape_debris(h, g, "home");
	names_free(&n);
	e2e_finish(h, g);
}

/* ==== 7. unknown service ====================================================================== */

Test(faults, service_404_by_status_fault)
{
	struct gwd *g = e2e_start_gateway(NULL);
	struct names n;
	char json[300];
	names_get(g, &n);
	snprintf(json, sizeof json, "{\"status\":404,\"paths\":[\"/v1/services/%s\"]}", n.svc_id);
	int st = gwd_faults(g, json);
	if (st != 200) {
		names_free(&n);
		gwd_free(g);
		cr_skip_test("POST /sim/faults does not take \"status\" yet (%d); see unknown_service_in_saved_catalog", st);
	}
	e2e_set_faults(g, "{}"); /* the catalog must load first */
	struct harness *h = e2e_start_home(g, gwd_url(g), COLS, ROWS, NULL, WAIT_MS);

	to_services(h, g, &n);
	e2e_set_faults(g, json);
	h_type(h, "1");
	e2e_expect_row(h, g, 0, n.svc_name, WAIT_MS, "detail: the name at once");
	e2e_expect(h, g, T_GONE, WAIT_MS, "detail: not-found message");
	h_settle(h, 200, 2000);
	E2E_CHECK(h, g, !h_find(h, T_RETRY, NULL, NULL), "a withdrawn service offers a retry");
	E2E_CHECK(h, g, !h_find(h, T_MATERIALS, NULL, NULL), "a withdrawn service shows sections");
	esc_and_home(h, g, n.cat_name, WAIT_MS);
	names_free(&n);
	e2e_finish(h, g);
}

/* Without a status fault, a 404 for a service the catalog lists: the kiosk
 * starts from a saved catalog that has one more service than the gateway,
 * and the live catalog fails (500), so the saved one stays in use. The
 * gateway answers its real 404 (service_not_found). */
#define GHOST_ID   "ghost-service-404"
#define GHOST_NAME "已停办的测试事项"

static void rm_dir(const char *dir)
{
	char cmd[4200];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
}

Test(faults, unknown_service_in_saved_catalog)
{
	struct gwd *g = e2e_start_gateway(NULL);
	struct names n;
	names_get(g, &n);
	{
		char *body = NULL;
		int st = gwd_get(g, "/v1/services/" GHOST_ID, &body);
		cr_assert_eq(st, 404, "the gateway has %s: %d %s", GHOST_ID, st, body);
		free(body);
	}

	/* The saved catalog: the live one with a ghost first in category 0. */
	char dir[] = "/tmp/kiosk-faults-data-XXXXXX";
	cr_assert_not_null(mkdtemp(dir));
	json_t *svcs = json_object_get(n.catalog, "services"), *s, *ghost = NULL;
	size_t i;
	json_array_foreach(svcs, i, s) {
		if (!strcmp(json_string_value(json_object_get(s, "id")), n.svc_id)) {
			ghost = json_deep_copy(s);
			break;
		}
	}
	cr_assert_not_null(ghost);
	json_object_set_new(ghost, "id", json_string(GHOST_ID));
	json_object_set_new(ghost, "name", json_string(GHOST_NAME));
	json_array_insert_new(svcs, 0, ghost);
	char path[4200];
	snprintf(path, sizeof path, "%s/catalog-zh-CN.json", dir);
	cr_assert_eq(json_dump_file(n.catalog, path, JSON_COMPACT), 0);

	e2e_set_faults(g, "{\"error_rate\":1,\"paths\":[\"/v1/catalog\"]}");
	const char *extra[] = { "--data-dir", dir, NULL };
	struct harness *h = e2e_start_home(g, gwd_url(g), COLS, ROWS, extra, WAIT_MS);

	h_type(h, "3"); /* home: 办事服务 */
	e2e_expect_row(h, g, 0, T_CATEGORIES, WAIT_MS, "categories (saved catalog)");
	e2e_expect(h, g, e2e_item(1, n.cat_name), WAIT_MS, "categories: first category");
	h_type(h, "1");
	e2e_expect_row(h, g, 0, n.cat_name, WAIT_MS, "services list");
	e2e_expect(h, g, e2e_item(1, GHOST_NAME), WAIT_MS, "services list: the ghost service first");
	h_type(h, "1");
	e2e_expect_row(h, g, 0, GHOST_NAME, WAIT_MS, "detail: the ghost's name at once");
	e2e_expect(h, g, T_GONE, WAIT_MS, "detail: not-found message");
	h_settle(h, 200, 2000);
	E2E_CHECK(h, g, !h_find(h, T_RETRY, NULL, NULL), "a withdrawn service offers a retry");
	E2E_CHECK(h, g, !h_find(h, T_MATERIALS, NULL, NULL), "a withdrawn service shows sections");
	esc_and_home(h, g, n.cat_name, WAIT_MS);
	names_free(&n);
	e2e_finish(h, g);
	rm_dir(dir);
}

/* ==== 8. offline with a saved copy ============================================================== */

Test(faults, offline_shows_saved_service)
{
	struct gwd *g = e2e_start_gateway(NULL);
	struct names n;
	names_get(g, &n);
	struct harness *h = e2e_start_home(g, gwd_url(g), COLS, ROWS, NULL, WAIT_MS);

	to_services(h, g, &n);
	h_type(h, "1");
	e2e_expect_row(h, g, 0, n.svc_name, WAIT_MS, "detail title");
	e2e_expect(h, g, T_MATERIALS, WAIT_MS, "detail: sections (now saved)");
	E2E_CHECK(h, g, !h_find(h, T_SAVED, NULL, NULL), "saved-copy notice while online");
	h_key(h, H_ESC);
	e2e_expect_row(h, g, 0, n.cat_name, WAIT_MS, "Esc back to the services list");
	e2e_expect(h, g, e2e_item(1, n.svc_name), WAIT_MS, "services list");

	gwd_kill(g);
	h_type(h, "1");
	e2e_expect_row(h, g, 0, n.svc_name, WAIT_MS, "offline detail: title");
	e2e_expect(h, g, T_SAVED, WAIT_MS, "offline detail: saved-copy notice");
	e2e_expect(h, g, T_MATERIALS, WAIT_MS, "offline detail: the saved sections");
	e2e_expect_row(h, g, 1, T_BANNER, WAIT_MS, "offline detail: banner");
	E2E_CHECK(h, g, !h_find(h, T_UNREACHABLE, NULL, NULL), "saved copy shown with an error too");

	esc_and_home(h, g, n.cat_name, WAIT_MS);
	e2e_expect_row(h, g, 1, T_BANNER, WAIT_MS, "home: banner");
	names_free(&n);
	e2e_finish(h, g);
}

