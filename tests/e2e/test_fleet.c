/* test_fleet.c: the kiosk in its fleet (suite "fleet"): heartbeats reach
 * the gateway, a config set there (POST /sim/kiosk-config) is fetched at the
 * next heartbeat and applied, its bad keys refused one by one with a log
 * line while the good ones take effect, the modes wait for the session to
 * end, and the last good config keeps a kiosk restarted offline as it was.
 *
 * Kiosks here beat every 2 s (--heartbeat-s 2), so each config is applied
 * within a few seconds. Screen texts are zh_CN's.
 */
#include "e2e.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define WAIT_MS 15000
#define EXIT_MS 10000
#define KIOSK_ID "test-kiosk" /* h_start_kiosk's */

TestSuite(fleet, .timeout = 120);

#define T_NOTICE   "今日16:00起暂停办理"
#define T_IDLE_Q   "您还在吗？"
#define T_LARGE_ON "大字模式：开"
#define T_STATUS_OUT "[F9] 退出登录 "

/* POST /sim/kiosk-config for this kiosk; the version it became. */
static long long set_config(struct gwd *g, const char *config)
{
	char *body = e2e_fmt("{\"kiosk_id\":\"" KIOSK_ID "\",\"config\":%s}", config);
	json_t *j = e2e_post_json(g, "/sim/kiosk-config", body, 201);
	long long v = json_integer_value(json_object_get(j, "config_version"));
	cr_assert_gt(v, 0, "POST /sim/kiosk-config: no config_version");
	json_decref(j);
	free(body);
	return v;
}

/* The kiosk applied config version v (its log says so). */
static void expect_applied(struct harness *h, struct gwd *g, long long v)
{
	char *line = e2e_fmt("fleet: config %lld applied", v);
	E2E_CHECK(h, g, e2e_wait_log(h, line, WAIT_MS), "kiosk.log never says \"%s\"", line);
	free(line);
	h_settle(h, E2E_QUIET_MS, 2000);
}

/* The kiosk log holds a refusal of key in config v. */
static void expect_refused(struct harness *h, struct gwd *g, long long v, const char *key)
{
	char *line = e2e_fmt("fleet: config %lld: %s refused: ", v, key);
	E2E_CHECK(h, g, e2e_log_count(h, line) == 1, "kiosk.log: \"%s\" %d times, not once", line,
	          e2e_log_count(h, line));
	free(line);
}

/* This kiosk's row of GET /v1/fleet (new reference), or NULL. */
static json_t *fleet_row(struct gwd *g)
{
	char *resp = NULL;
	int st = gwd_get(g, "/v1/fleet", &resp);
	json_t *row = NULL;
	json_t *j = st == 200 ? json_loads(resp, 0, NULL) : NULL;
	json_t *kiosks = json_object_get(j, "kiosks");
	size_t i;
	json_t *k;
	json_array_foreach(kiosks, i, k) {
		const char *id = json_string_value(json_object_get(k, "kiosk_id"));
		if (id && !strcmp(id, KIOSK_ID))
			row = json_incref(k);
	}
	json_decref(j);
	free(resp);
	return row;
}

/* Until the gateway's last heartbeat of this kiosk says config_version v. */
static json_t *wait_fleet(struct harness *h, struct gwd *g, long long v)
{
	long long end = e2e_now_ms() + WAIT_MS;
	for (;;) {
		json_t *row = fleet_row(g);
		if (row && json_integer_value(json_object_get(row, "config_version")) == v)
			return row;
		json_decref(row);
		E2E_CHECK(h, g, e2e_now_ms() < end, "GET /v1/fleet: no heartbeat of %s with config_version %lld",
		          KIOSK_ID, v);
		h_pump(h, 200);
	}
}

/* Heartbeats, then configs with good and bad keys, applied live. */
Test(fleet, heartbeats_and_a_config_applied_live_its_bad_keys_refused)
{
	struct gwd *g = e2e_start_gateway(NULL);
	const char *extra[] = { "--heartbeat-s", "2", NULL };
	struct harness *h = e2e_start_home(g, gwd_url(g), 80, 24, extra, WAIT_MS);

	/* The heartbeat reaches the gateway: what it says of the kiosk. */
	json_t *row = wait_fleet(h, g, 0);
	E2E_CHECK(h, g, json_is_true(json_object_get(row, "online")), "GET /v1/fleet: the kiosk is not online");
	E2E_CHECK(h, g, !strcmp(json_string_value(json_object_get(row, "version")) ?: "", "0.1.0"),
	          "GET /v1/fleet: not version 0.1.0");
	json_t *dev = json_object_get(row, "devices");
	E2E_CHECK(h, g, !strcmp(json_string_value(json_object_get(dev, "scanner")) ?: "", "none") &&
	          !strcmp(json_string_value(json_object_get(dev, "printer")) ?: "", "none"),
	          "GET /v1/fleet: devices not as configured (no scanner, no printer)");
	E2E_CHECK(h, g, json_integer_value(json_object_get(row, "outbox_pending")) == 0, "outbox_pending not 0");
	json_decref(row);

	/* The bad keys, one config at a time, beside good ones: an
	 * unknown key, a wrong type; the buttons in another order. */
	long long v1 = set_config(g, "{\"notice\":{\"zh_CN\":\"" T_NOTICE "\",\"en\":\"Closed from 16:00\"},"
	                             "\"idle_timeout_s\":30,\"idle_warning_s\":25,\"screensaver\":true,"
	                             "\"heartbeat_s\":\"60\",\"home_buttons\":[\"queue\",\"services\",\"login\","
	                             "\"lang\",\"large\",\"voice\"]}");
	e2e_expect(h, g, T_NOTICE, WAIT_MS, "the notice on the home screen");
	expect_applied(h, g, v1);
	expect_refused(h, g, v1, "screensaver");
	expect_refused(h, g, v1, "heartbeat_s");
	E2E_CHECK(h, g, h_find(h, e2e_item(1, "排队取号"), NULL, NULL) && h_find(h, e2e_item(2, "办事服务"), NULL, NULL),
	          "home_buttons: not 1 排队取号, 2 办事服务");
	E2E_CHECK(h, g, !h_find(h, "生活缴费", NULL, NULL) && !h_find(h, "搜索服务", NULL, NULL),
	          "home_buttons: a button left out still shows");

	/* The idle limit changed at once: off home, the warning comes 5 s
	 * after the last key (30 - 25), not 90 s. */
	h_type(h, "2");
	long long t0 = e2e_now_ms();
	e2e_expect_row(h, g, 0, "按类别办事", WAIT_MS, "2 opens 办事服务 (the second button shown)");
	e2e_expect(h, g, T_IDLE_Q, WAIT_MS, "the idle warning, early");
	long long took = e2e_now_ms() - t0;
	E2E_CHECK(h, g, took >= 4000 && took < 10000, "the idle warning came after %lld ms, not about 5 s", took);
	h_type(h, " ");
	e2e_expect_gone(h, g, T_IDLE_Q, WAIT_MS, "a key dismisses the warning");
	h_key(h, H_ESC);
	e2e_expect_row(h, g, 0, E2E_T_HOME, WAIT_MS, "home again");

	/* An idle limit of 0, a language the kiosk has not: refused, the
	 * notice removed (null), the old limit kept. */
	long long v2 = set_config(g, "{\"idle_timeout_s\":0,\"notice\":null,\"lang\":\"fr\"}");
	expect_applied(h, g, v2);
	e2e_expect_gone(h, g, T_NOTICE, WAIT_MS, "notice: null removes it");
	expect_refused(h, g, v2, "idle_timeout_s");
	expect_refused(h, g, v2, "lang");
	/* All nine buttons again (home_buttons left out). */
	e2e_expect(h, g, e2e_item(5, "生活缴费"), WAIT_MS, "home_buttons left out: every button");

	/* Ten years, and a notice with an escape sequence: both refused. */
	long long v3 = set_config(g, "{\"idle_timeout_s\":315360000,\"notice\":\"\\u001b[2J\\u001b]0;x\\u0007停办\"}");
	expect_applied(h, g, v3);
	expect_refused(h, g, v3, "idle_timeout_s");
	expect_refused(h, g, v3, "notice");
	E2E_CHECK(h, g, !h_find(h, "停办", NULL, NULL), "a refused notice shows");
	e2e_clean(h, g, "config 3");

	/* The gateway hears the version applied, and the last warning. */
	row = wait_fleet(h, g, v3);
	const char *last = json_string_value(json_object_get(row, "last_error"));
	E2E_CHECK(h, g, last && strstr(last, "refused"), "GET /v1/fleet: last_error is not the last refusal");
	json_decref(row);
	e2e_finish(h, g);
}

/* The modes a config brings wait for the session's end; the last good
 * config is kept on disk and a kiosk restarted with the gateway down
 * shows it. */
Test(fleet, modes_wait_for_the_session_end_and_the_config_outlives_a_restart_offline)
{
	char scratch[512] = "";
	e2e_scratch_dir(scratch, sizeof scratch, "fleet");
	char *data = e2e_fmt("%s/data", scratch), *fifo = e2e_fmt("%s/scanner", scratch);
	char *scan = e2e_fmt("fifo:%s", fifo);
	cr_assert_eq(mkdir(data, 0700), 0);
	struct gwd *g = e2e_start_gateway(NULL);
	const char *extra[] = { "--heartbeat-s", "2", "--data-dir", data, "--scanner", scan, NULL };
	struct harness *h = e2e_start_home(g, gwd_url(g), 80, 24, extra, WAIT_MS);

	char code[128];
	e2e_citizen_code(g, "cit-zhang", code, sizeof code);
	e2e_fifo_send(h, g, fifo, code, WAIT_MS);
	e2e_expect_row(h, g, -1, T_STATUS_OUT, WAIT_MS, "logged in");

	long long v = set_config(g, "{\"mode_large\":true,\"notice\":\"" T_NOTICE "\",\"theme\":\"high-contrast\"}");
	expect_applied(h, g, v);
	e2e_expect(h, g, T_NOTICE, WAIT_MS, "the notice, during the session");
	E2E_CHECK(h, g, e2e_log_count(h, "when the session ends: mode_large") == 1,
	          "kiosk.log does not say mode_large waits for the session's end");
	E2E_CHECK(h, g, e2e_log_count(h, "applies at restart: theme") == 1,
	          "kiosk.log does not say the theme applies at restart");
	h_pump(h, 2500); /* another heartbeat: still nothing */
	E2E_CHECK(h, g, !h_find(h, T_LARGE_ON, NULL, NULL), "large mode switched on during the session");

	h_key(h, H_F9);
	e2e_expect_gone(h, g, T_STATUS_OUT, WAIT_MS, "F9 logs out");
	e2e_expect(h, g, T_LARGE_ON, WAIT_MS, "large mode once the session ended");
	e2e_expect(h, g, T_NOTICE, WAIT_MS, "the notice after the session");
	e2e_end_kiosk(h, EXIT_MS);

	/* Kept: 0600, the good keys. */
	char *path = e2e_fmt("%s/remote-config.json", data);
	struct stat st;
	cr_assert_eq(stat(path, &st), 0, "%s not written", path);
	cr_assert_eq(st.st_mode & 0777, 0600, "%s: mode %o, not 0600", path, st.st_mode & 0777);
	char *saved = e2e_slurp_str(path);
	cr_assert(strstr(saved, "\"mode_large\":true") && strstr(saved, "high-contrast"), "saved: %s", saved);
	free(saved);

	/* The gateway gone, the kiosk started again: as it was. */
	char *url = e2e_fmt("%s", gwd_url(g));
	e2e_end_gw(g, false);
	const char *extra2[] = { "--heartbeat-s", "2", "--data-dir", data, NULL };
	h = e2e_start_home(NULL, url, 80, 24, extra2, WAIT_MS);
	e2e_expect(h, NULL, T_NOTICE, WAIT_MS, "offline: the saved notice");
	e2e_expect(h, NULL, T_LARGE_ON, WAIT_MS, "offline: the saved large mode");
	E2E_CHECK(h, NULL, e2e_wait_log(h, "fleet: saved config 1 loaded", WAIT_MS), "no saved config loaded");
	e2e_end_kiosk(h, EXIT_MS);

	/* A saved file that is not a config: refused whole, kiosk.conf's
	 * settings (and no crash). */
	FILE *f = fopen(path, "w");
	cr_assert_not_null(f);
	fputs("[\"not a config\"]", f);
	fclose(f);
	h = e2e_start_home(NULL, url, 80, 24, extra2, WAIT_MS);
	E2E_CHECK(h, NULL, e2e_wait_log(h, "remote-config.json unreadable", WAIT_MS), "a bad saved file not said");
	E2E_CHECK(h, NULL, !h_find(h, T_NOTICE, NULL, NULL) && !h_find(h, T_LARGE_ON, NULL, NULL),
	          "a bad saved file was applied");
	e2e_end_kiosk(h, EXIT_MS);

	free(path);
	free(url);
	free(scan);
	free(fifo);
	free(data);
	e2e_rm_rf(scratch);
}
