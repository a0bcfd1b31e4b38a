/* test_mine.c: the decoders of 我的办件 and 电子证照 (kiosk/core/mine.c)
 * attacked: every member missing and of every wrong type, the caps, hostile
 * strings, what a licence's verify_payload may be, refresh_s at its bounds,
 * statuses the kiosk does not know. A refusal frees what it had decoded
 * (ASan watches) and says where. */
#include <criterion/criterion.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mine.h"

static void init(void) { setlocale(LC_CTYPE, "C.UTF-8"); }
TestSuite(mine, .init = init);

static json_t *J(const char *s)
{
	json_error_t e;
	json_t *j = json_loads(s, JSON_ALLOW_NUL | JSON_DECODE_ANY, &e);
	cr_assert_not_null(j, "%s: %s", e.text, s);
	return j;
}

#define EVENT(st) "{\"at\":\"2026-11-27T09:02:04Z\",\"status\":\"" st "\",\"note\":\"已在自助终端提交申请\"}"
#define APP                                                                                              \
	"{\"id\":\"SQ20261127000001\",\"service_id\":\"svc-household-move\",\"service_name\":\"户口市内迁移\"," \
	"\"status\":\"needs_more\",\"created_at\":\"2026-11-27T09:02:04Z\",\"updated_at\":\"2026-11-29T11:02:04Z\"," \
	"\"needs_more\":\"请补充户口簿首页复印件\\n带到1号窗口\",\"timeline\":[" EVENT("submitted") "," EVENT("accepted") \
	"," EVENT("needs_more") "]}"
#define LIC                                                                                               \
	"{\"id\":\"lic-a3f0c7e1\",\"type\":\"id_card\",\"name\":\"居民身份证\",\"number_masked\":\"1101**********123X\"," \
	"\"issuer\":\"北京市公安局朝阳分局\",\"valid_until\":\"2038-03-13\","                                    \
	"\"verify_payload\":\"https://gov.example.cn/v/lic-a3f0c7e1/TJDx0Mbty-HDDRH4\",\"refresh_s\":60}"

/* Decodes {"applications":[a]} or {"licenses":[a]} with `a` given as JSON. */
static int apps_of(json_t *root, struct application **a, size_t *n, char *err, size_t errlen)
{
	int rc = applications_decode(root, a, n, err, errlen);
	json_decref(root);
	if (rc)
		cr_assert(*a == NULL && *n == 0, "a refusal left something behind");
	return rc;
}

static int lics_of(json_t *root, struct license **l, size_t *n, char *err, size_t errlen)
{
	int rc = licenses_decode(root, l, n, err, errlen);
	json_decref(root);
	if (rc)
		cr_assert(*l == NULL && *n == 0, "a refusal left something behind");
	return rc;
}

static json_t *wrap(const char *key, json_t *item)
{
	json_t *arr = json_array();
	json_array_append_new(arr, item);
	return json_pack("{s:o}", key, arr);
}

/* No C0/C1 control, DEL, bidi control or ESC left in a string. */
static void clean(const char *s, bool newlines)
{
	cr_assert_not_null(s);
	const unsigned char *p = (const unsigned char *)s;
	for (size_t i = 0; p[i]; i++) {
		cr_assert(p[i] >= 0x20 || (newlines && p[i] == '\n'), "control 0x%02x in \"%s\"", p[i], s);
		cr_assert(p[i] != 0x7f, "DEL in \"%s\"", s);
		cr_assert(!(p[i] == 0xC2 && p[i + 1] >= 0x80 && p[i + 1] <= 0x9F), "C1 control in \"%s\"", s);
		cr_assert(!(p[i] == 0xE2 && p[i + 1] == 0x80 && p[i + 2] >= 0xAA && p[i + 2] <= 0xAE),
		          "bidi control in \"%s\"", s);
		cr_assert(!(p[i] == 0xE2 && p[i + 1] == 0x81 && p[i + 2] >= 0xA6 && p[i + 2] <= 0xA9),
		          "bidi isolate in \"%s\"", s);
	}
}

/* ---- statuses ------------------------------------------------------------------------ */

Test(mine, statuses_by_name_and_unknown_ones)
{
	static const char *const names[] = { "submitted", "accepted", "in_review", "needs_more",
	                                     "approved", "rejected", "completed" };
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		enum app_status st = app_status_parse(names[i]);
		cr_assert_neq(st, APP_UNKNOWN, "%s", names[i]);
		cr_assert_str_eq(app_status_name(st), names[i]);
	}
	static const char *const odd[] = { "", "Submitted", "submitted ", "withdrawn", "needs-more", "完成", NULL };
	for (size_t i = 0; i < sizeof odd / sizeof odd[0]; i++)
		cr_assert_eq(app_status_parse(odd[i]), APP_UNKNOWN, "%s", odd[i] ? odd[i] : "NULL");
	cr_assert_str_eq(app_status_name(APP_UNKNOWN), "unknown");
	cr_assert_str_eq(app_status_name((enum app_status)99), "unknown");
}

/* ---- applications --------------------------------------------------------------------- */

Test(mine, application_decoded)
{
	struct application *a;
	size_t n;
	char err[200];
	cr_assert_eq(apps_of(J("{\"applications\":[" APP "]}"), &a, &n, err, sizeof err), 0, "%s", err);
	cr_assert_eq(n, 1);
	cr_assert_str_eq(a[0].id, "SQ20261127000001");
	cr_assert_str_eq(a[0].service_id, "svc-household-move");
	cr_assert_str_eq(a[0].service_name, "户口市内迁移");
	cr_assert_eq(a[0].status, APP_NEEDS_MORE);
	cr_assert_str_eq(a[0].needs_more, "请补充户口簿首页复印件\n带到1号窗口", "needs_more keeps its lines");
	cr_assert_eq(a[0].n_events, 3);
	cr_assert_eq(a[0].timeline[0].status, APP_SUBMITTED);
	cr_assert_eq(a[0].timeline[2].status, APP_NEEDS_MORE);
	cr_assert_str_eq(a[0].timeline[1].note, "已在自助终端提交申请");
	applications_free(a, n);

	cr_assert_eq(apps_of(J("{\"applications\":[]}"), &a, &n, err, sizeof err), 0, "%s", err);
	cr_assert_eq(n, 0);
	applications_free(a, n);
	applications_free(NULL, 0);
}

/* Optional members absent or null: "" (never NULL), no timeline. */
Test(mine, application_optional_members)
{
	static const char *const bodies[] = {
		"{\"applications\":[{\"id\":\"A\",\"service_name\":\"x\",\"status\":\"accepted\"}]}",
		("{\"applications\":[{\"id\":\"A\",\"service_name\":\"x\",\"status\":\"accepted\",\"service_id\":null,"
		 "\"updated_at\":null,\"needs_more\":null,\"timeline\":null}]}"),
		"{\"applications\":[{\"id\":\"A\",\"service_name\":\"x\",\"status\":\"accepted\",\"timeline\":[]}]}",
	};
	for (size_t i = 0; i < sizeof bodies / sizeof bodies[0]; i++) {
		struct application *a;
		size_t n;
		char err[200];
		cr_assert_eq(apps_of(J(bodies[i]), &a, &n, err, sizeof err), 0, "%zu: %s", i, err);
		cr_assert_eq(n, 1);
		cr_assert_str_eq(a[0].service_id, "");
		cr_assert_str_eq(a[0].updated_at, "");
		cr_assert_str_eq(a[0].needs_more, "");
		cr_assert_eq(a[0].n_events, 0);
		applications_free(a, n);
	}
}

/* Each member of an application, and of a timeline step, left out and
 * given each wrong type: a required one refused naming it, an optional
 * one left out taken, any of the wrong type refused naming it. */
static void every_member(const char *good, const char *member_of, bool in_timeline)
{
	static const char *const wrong[] = { "42", "4.5", "true", "[]", "{}", "[\"a\"]" };
	json_t *base = J(good);
	json_t *obj = in_timeline ? json_array_get(json_object_get(base, "timeline"), 1) : base;
	const char *key;
	json_t *v;
	void *tmp;
	json_object_foreach_safe(obj, tmp, key, v) {
		bool required = !strcmp(key, "id") || !strcmp(key, "service_name") || !strcmp(key, "status") ||
		                !strcmp(key, "at");
		bool array = !strcmp(key, "timeline");
		char path[80];
		snprintf(path, sizeof path, "%s.%s", member_of, key);
		/* left out */
		json_t *copy = json_deep_copy(base);
		json_t *o = in_timeline ? json_array_get(json_object_get(copy, "timeline"), 1) : copy;
		json_object_del(o, key);
		struct application *a;
		size_t n;
		char err[200] = "";
		int rc = apps_of(wrap("applications", copy), &a, &n, err, sizeof err);
		if (required) {
			cr_assert_neq(rc, 0, "%s left out: taken", path);
			cr_assert(strstr(err, path) && strstr(err, "missing"), "%s left out: \"%s\"", path, err);
		} else {
			cr_assert_eq(rc, 0, "%s left out: refused: %s", path, err);
			applications_free(a, n);
		}
		/* null: absent for an optional member, wrong for a required one */
		copy = json_deep_copy(base);
		o = in_timeline ? json_array_get(json_object_get(copy, "timeline"), 1) : copy;
		json_object_set_new(o, key, json_null());
		err[0] = '\0';
		rc = apps_of(wrap("applications", copy), &a, &n, err, sizeof err);
		if (required)
			cr_assert(rc != 0 && strstr(err, path), "%s null: \"%s\"", path, err);
		else if (rc == 0)
			applications_free(a, n);
		else
			cr_assert_fail("%s null: refused: %s", path, err);
		/* the wrong type */
		for (size_t w = 0; w < sizeof wrong / sizeof wrong[0]; w++) {
			if (array && (!strcmp(wrong[w], "[]") || !strcmp(wrong[w], "[\"a\"]")))
				continue; /* an array is the right type (["a"] is a bad step, below) */
			copy = json_deep_copy(base);
			o = in_timeline ? json_array_get(json_object_get(copy, "timeline"), 1) : copy;
			json_object_set_new(o, key, J(wrong[w]));
			err[0] = '\0';
			rc = apps_of(wrap("applications", copy), &a, &n, err, sizeof err);
			if (!strcmp(key, "created_at")) { /* not read by the kiosk */
				if (rc == 0)
					applications_free(a, n);
				continue;
			}
			cr_assert_neq(rc, 0, "%s = %s: taken", path, wrong[w]);
			cr_assert(strstr(err, path), "%s = %s: the error does not say where: \"%s\"", path, wrong[w], err);
		}
	}
	json_decref(base);
}

Test(mine, application_every_member_missing_or_of_a_wrong_type)
{
	every_member(APP, "applications[0]", false);
	every_member(APP, "applications[0].timeline[1]", true);
}

Test(mine, application_lists_refused_whole)
{
	static const char *const bad[] = {
		"[]", "\"applications\"", "null", "{}", "{\"applications\":null}", "{\"applications\":{}}",
		"{\"applications\":\"x\"}", "{\"applications\":[7]}", "{\"applications\":[" APP ",null]}",
		"{\"applications\":[" APP ",[]]}", "{\"applications\":[" APP ",{\"id\":\"B\"}]}",
		"{\"applications\":[{\"id\":\"A\",\"service_name\":\"x\",\"status\":\"accepted\",\"timeline\":[7]}]}",
		"{\"applications\":[{\"id\":\"A\",\"service_name\":\"x\",\"status\":\"accepted\",\"timeline\":[{}]}]}",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct application *a = (void *)1;
		size_t n = 7;
		char err[200] = "";
		cr_assert_neq(apps_of(J(bad[i]), &a, &n, err, sizeof err), 0, "taken: %s", bad[i]);
		cr_assert(err[0], "refused without a reason: %s", bad[i]);
	}
}

/* An error in a later item frees the items before it, and a half-read
 * timeline (ASan's leak check). */
Test(mine, a_late_error_frees_what_was_read)
{
	char *body = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&body, &len);
	fputs("{\"applications\":[", f);
	for (int i = 0; i < 30; i++)
		fprintf(f, "%s,", APP);
	fputs("{\"id\":\"A\",\"service_name\":\"x\",\"status\":\"accepted\",\"timeline\":[" EVENT("accepted") ","
	      "{\"at\":\"t\",\"status\":\"accepted\",\"note\":7}]}]}", f);
	fclose(f);
	struct application *a;
	size_t n;
	char err[200] = "";
	cr_assert_neq(apps_of(J(body), &a, &n, err, sizeof err), 0);
	cr_assert(strstr(err, "applications[30].timeline[1].note"), "%s", err);
	free(body);
}

/* At most MINE_MAX_ITEMS applications (the first: the newest), and at
 * most MINE_MAX_EVENTS steps of a timeline: the last ones (newest last:
 * the current status is the last step). */
Test(mine, caps_keep_the_newest)
{
	json_t *arr = json_array();
	for (int i = 0; i < MINE_MAX_ITEMS + 37; i++) {
		char id[16];
		snprintf(id, sizeof id, "A%d", i);
		json_array_append_new(arr, json_pack("{s:s, s:s, s:s}", "id", id, "service_name", "x", "status", "accepted"));
	}
	struct application *a;
	size_t n;
	char err[200];
	cr_assert_eq(apps_of(json_pack("{s:o}", "applications", arr), &a, &n, err, sizeof err), 0, "%s", err);
	cr_assert_eq(n, MINE_MAX_ITEMS);
	cr_assert_str_eq(a[0].id, "A0");
	cr_assert_str_eq(a[n - 1].id, "A199");
	applications_free(a, n);

	json_t *tl = json_array();
	for (int i = 0; i < MINE_MAX_EVENTS + 13; i++) {
		char note[16];
		snprintf(note, sizeof note, "step %d", i);
		json_array_append_new(tl, json_pack("{s:s, s:s, s:s}", "at", "2026-11-27T09:02:04Z", "status",
		                                    i == MINE_MAX_EVENTS + 12 ? "approved" : "in_review", "note", note));
	}
	json_t *app = json_pack("{s:s, s:s, s:s, s:o}", "id", "A", "service_name", "x", "status", "approved", "timeline", tl);
	cr_assert_eq(apps_of(wrap("applications", app), &a, &n, err, sizeof err), 0, "%s", err);
	cr_assert_eq(a[0].n_events, MINE_MAX_EVENTS);
	cr_assert_str_eq(a[0].timeline[MINE_MAX_EVENTS - 1].note, "step 62", "the newest step was left out");
	cr_assert_eq(a[0].timeline[MINE_MAX_EVENTS - 1].status, APP_APPROVED);
	cr_assert_str_eq(a[0].timeline[0].note, "step 13");
	applications_free(a, n);

	/* A late error is named by its place in the whole timeline. */
	tl = json_array();
	for (int i = 0; i < MINE_MAX_EVENTS + 5; i++)
		json_array_append_new(tl, i == MINE_MAX_EVENTS + 4 ? json_integer(1)
		                                                   : json_pack("{s:s, s:s}", "at", "t", "status", "accepted"));
	app = json_pack("{s:s, s:s, s:s, s:o}", "id", "A", "service_name", "x", "status", "approved", "timeline", tl);
	err[0] = '\0';
	cr_assert_neq(apps_of(wrap("applications", app), &a, &n, err, sizeof err), 0);
	cr_assert(strstr(err, "timeline[54]"), "%s", err);
}

/* Statuses the kiosk does not know are shown as "in progress", never an
 * error: the gateway may add some. */
Test(mine, unknown_statuses_taken)
{
	struct application *a;
	size_t n;
	char err[200];
	cr_assert_eq(apps_of(J("{\"applications\":[{\"id\":\"A\",\"service_name\":\"x\",\"status\":\"withdrawn\","
	                       "\"timeline\":[{\"at\":\"t\",\"status\":\"paused\"},{\"at\":\"t\",\"status\":\"\"}]}]}"),
	                     &a, &n, err, sizeof err),
	             0, "%s", err);
	cr_assert_eq(a[0].status, APP_UNKNOWN);
	cr_assert_eq(a[0].timeline[0].status, APP_UNKNOWN);
	cr_assert_eq(a[0].timeline[1].status, APP_UNKNOWN);
	cr_assert_str_eq(a[0].timeline[0].note, "");
	applications_free(a, n);
}

#define EVIL "\\u001b[2J\\u001b[31m\\u009b1m\\u202e\\u2066\\u061c\\u0007\\u0000\\u007f\\u001b]0;pwned\\u0007x\\r\\t\\u001b[0m"

/* Hostile strings in every text: nothing of them reaches the screen raw
 * (newlines only where a text has lines: needs_more). */
Test(mine, hostile_strings_sanitized)
{
	struct application *a;
	size_t n;
	char err[200];
	cr_assert_eq(apps_of(J("{\"applications\":[{\"id\":\"" EVIL "\",\"service_id\":\"" EVIL "\",\"service_name\":\"" EVIL
	                       "\",\"status\":\"needs_more\",\"updated_at\":\"" EVIL "\",\"needs_more\":\"" EVIL "\\n" EVIL
	                       "\",\"timeline\":[{\"at\":\"" EVIL "\",\"status\":\"accepted\",\"note\":\"" EVIL "\"}]}]}"),
	                     &a, &n, err, sizeof err),
	             0, "%s", err);
	clean(a[0].id, false);
	clean(a[0].service_id, false);
	clean(a[0].service_name, false);
	clean(a[0].updated_at, false);
	clean(a[0].needs_more, true);
	cr_assert(strchr(a[0].needs_more, '\n'), "needs_more lost its line break");
	clean(a[0].timeline[0].at, false);
	clean(a[0].timeline[0].note, false);
	cr_assert(!strstr(a[0].service_name, "pwned"), "an OSC string's text kept: %s", a[0].service_name);
	applications_free(a, n);

	struct license *l;
	cr_assert_eq(lics_of(J("{\"licenses\":[{\"id\":\"" EVIL "\",\"type\":\"" EVIL "\",\"name\":\"" EVIL
	                       "\",\"number_masked\":\"" EVIL "\",\"issuer\":\"" EVIL "\",\"valid_until\":\"" EVIL
	                       "\",\"verify_payload\":\"https://gov.example.cn/v/x/y\",\"refresh_s\":60}]}"),
	                     &l, &n, err, sizeof err),
	             0, "%s", err);
	clean(l[0].id, false);
	clean(l[0].type, false);
	clean(l[0].name, false);
	clean(l[0].number_masked, false);
	clean(l[0].issuer, false);
	clean(l[0].valid_until, false);
	licenses_free(l, n);

	/* Invalid UTF-8 arrives repaired by jsonx_parse; a string holding
	 * U+FFFD is kept as text. */
	cr_assert_eq(apps_of(J("{\"applications\":[{\"id\":\"\\ufffd\",\"service_name\":\"\\ufffd\\ud83d\\ude00\","
	                       "\"status\":\"accepted\"}]}"),
	                     &a, &n, err, sizeof err),
	             0, "%s", err);
	clean(a[0].service_name, false);
	applications_free(a, n);
}

/* ---- licences ------------------------------------------------------------------------- */

Test(mine, licence_decoded)
{
	struct license *l;
	size_t n;
	char err[200];
	cr_assert_eq(lics_of(J("{\"licenses\":[" LIC "," LIC "]}"), &l, &n, err, sizeof err), 0, "%s", err);
	cr_assert_eq(n, 2);
	cr_assert_str_eq(l[0].name, "居民身份证");
	cr_assert_str_eq(l[0].verify_payload, "https://gov.example.cn/v/lic-a3f0c7e1/TJDx0Mbty-HDDRH4");
	cr_assert_eq(l[0].refresh_s, 60);
	cr_assert_str_eq(l[1].valid_until, "2038-03-13");
	licenses_free(l, n);
	licenses_free(NULL, 0);

	/* 长期: valid_until null; the optional members left out: "". */
	cr_assert_eq(lics_of(J("{\"licenses\":[{\"id\":\"a\",\"name\":\"身份证\",\"valid_until\":null,"
	                       "\"verify_payload\":\"P\",\"refresh_s\":1}]}"),
	                     &l, &n, err, sizeof err),
	             0, "%s", err);
	cr_assert_str_eq(l[0].valid_until, "");
	cr_assert_str_eq(l[0].type, "");
	cr_assert_str_eq(l[0].number_masked, "");
	cr_assert_str_eq(l[0].issuer, "");
	licenses_free(l, n);
}

Test(mine, licence_every_member_missing_or_of_a_wrong_type)
{
	static const char *const wrong[] = { "42", "4.5", "true", "[]", "{}", "\"60\"" };
	json_t *base = J(LIC);
	const char *key;
	json_t *v;
	json_object_foreach(base, key, v) {
		bool required = !strcmp(key, "id") || !strcmp(key, "name") || !strcmp(key, "verify_payload") ||
		                !strcmp(key, "refresh_s");
		bool integer = !strcmp(key, "refresh_s");
		char path[80];
		snprintf(path, sizeof path, "licenses[0].%s", key);
		json_t *copy = json_deep_copy(base);
		json_object_del(copy, key);
		struct license *l;
		size_t n;
		char err[200] = "";
		int rc = lics_of(wrap("licenses", copy), &l, &n, err, sizeof err);
		if (required) {
			cr_assert(rc != 0 && strstr(err, path) && strstr(err, "missing"), "%s left out: %d \"%s\"", path, rc, err);
		} else {
			cr_assert_eq(rc, 0, "%s left out: refused: %s", path, err);
			licenses_free(l, n);
		}
		for (size_t w = 0; w < sizeof wrong / sizeof wrong[0]; w++) {
			if (integer && !strcmp(wrong[w], "42"))
				continue; /* the right type */
			if (!integer && !strcmp(wrong[w], "\"60\""))
				continue;
			copy = json_deep_copy(base);
			json_object_set_new(copy, key, J(wrong[w]));
			err[0] = '\0';
			rc = lics_of(wrap("licenses", copy), &l, &n, err, sizeof err);
			cr_assert(rc != 0 && strstr(err, path), "%s = %s: %d \"%s\"", path, wrong[w], rc, err);
		}
	}
	json_decref(base);

	static const char *const bad[] = { "[]", "{}", "{\"licenses\":null}", "{\"licenses\":{}}",
	                                   "{\"licenses\":[" LIC ",7]}", "{\"licenses\":[" LIC ",{}]}" };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct license *l;
		size_t n;
		char err[200] = "";
		cr_assert_neq(lics_of(J(bad[i]), &l, &n, err, sizeof err), 0, "taken: %s", bad[i]);
		cr_assert(err[0], "refused without a reason: %s", bad[i]);
	}
}

static int one_licence(const char *payload_json, long long refresh, char *err, size_t errlen)
{
	char *body = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&body, &len);
	fprintf(f, "{\"licenses\":[{\"id\":\"a\",\"name\":\"n\",\"verify_payload\":%s,\"refresh_s\":%lld}]}",
	        payload_json, refresh);
	fclose(f);
	struct license *l;
	size_t n;
	int rc = lics_of(J(body), &l, &n, err, errlen);
	free(body);
	if (rc == 0)
		licenses_free(l, n);
	return rc;
}

/* refresh_s: 1 to 86400 seconds. */
Test(mine, refresh_s_bounds)
{
	static const struct { long long v; bool ok; } cases[] = {
		{ 1, true }, { 60, true }, { 86400, true }, { 0, false }, { -1, false }, { 86401, false },
		{ -9223372036854775807LL, false }, { 9223372036854775807LL, false }, { 4294967297LL, false },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char err[200] = "";
		int rc = one_licence("\"P\"", cases[i].v, err, sizeof err);
		cr_assert_eq(rc == 0, cases[i].ok, "refresh_s %lld: %d %s", cases[i].v, rc, err);
		if (!cases[i].ok)
			cr_assert(strstr(err, "refresh_s"), "%s", err);
	}
}

/* verify_payload is what a checker's phone reads off the QR: 1 to 512
 * printable ASCII characters exactly as the gateway sent them, or the
 * licence list is refused (never a QR of something else). Found broken:
 * the check ran on the sanitized copy, so an escape sequence or a CR in
 * the payload was silently dropped and the rest drawn as a QR the gateway
 * never made. */
Test(mine, verify_payload_checked_as_sent)
{
	char max[600] = "\"", over[600] = "\"";
	memset(max + 1, 'a', 512);
	strcpy(max + 513, "\"");
	memset(over + 1, 'a', 513);
	strcpy(over + 514, "\"");
	static const char *const bad[] = {
		"\"\"", "\" \"", "\"https://x/v/a b\"", "\"https://x/v/a\\tb\"", "\"https://x/v/\\u001b[31mTOKEN\"",
		"\"https://x/v/a\\rb\"", "\"https://x/v/a\\nb\"", "\"https://x/v/a\\u0000b\"", "\"https://x/v/a\\u007fb\"",
		"\"https://x/v/\\u00e9\"", "\"https://x/v/证\"", "\"https://x/v/\\u202eb\"", "\"\\u009b\"", "null", "7",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		char err[200] = "";
		cr_assert_neq(one_licence(bad[i], 60, err, sizeof err), 0, "verify_payload %s taken", bad[i]);
		cr_assert(strstr(err, "verify_payload"), "%s: %s", bad[i], err);
	}
	char err[200] = "";
	cr_assert_eq(one_licence(max, 60, err, sizeof err), 0, "512 characters refused: %s", err);
	cr_assert_neq(one_licence(over, 60, err, sizeof err), 0, "513 characters taken");
	cr_assert_eq(one_licence("\"!~%2F?x=1&y=#z\"", 60, err, sizeof err), 0, "printable ASCII refused: %s", err);
}

/* The payload decoded is the one sent, byte for byte. */
Test(mine, verify_payload_kept_as_sent)
{
	struct license *l;
	size_t n;
	char err[200];
	cr_assert_eq(lics_of(J("{\"licenses\":[{\"id\":\"a\",\"name\":\"n\",\"verify_payload\":\"GOV:~a|b\\\\c\\\"d\","
	                       "\"refresh_s\":60}]}"),
	                     &l, &n, err, sizeof err),
	             0, "%s", err);
	cr_assert_str_eq(l[0].verify_payload, "GOV:~a|b\\c\"d");
	licenses_free(l, n);
}

Test(mine, licence_caps)
{
	json_t *arr = json_array();
	for (int i = 0; i < MINE_MAX_ITEMS + 3; i++)
		json_array_append_new(arr, J(LIC));
	struct license *l;
	size_t n;
	char err[200];
	cr_assert_eq(lics_of(json_pack("{s:o}", "licenses", arr), &l, &n, err, sizeof err), 0, "%s", err);
	cr_assert_eq(n, MINE_MAX_ITEMS);
	licenses_free(l, n);
}
