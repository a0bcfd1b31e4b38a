/* test_kconf.c: the remote configuration's checks (kiosk/core/kconf.c):
 * every key taken at its bounds and refused past them and for each wrong
 * type; a refused key never stops the others and is never half taken; a
 * config that is no object is refused whole; merging keeps the old value
 * of a refused key and drops a key left out; what is saved reads back the
 * same. */
#include <criterion/criterion.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kconf.h"

static void init(void) { setlocale(LC_CTYPE, "C.UTF-8"); }
TestSuite(kconf, .init = init);

static json_t *J(const char *s)
{
	json_error_t e;
	json_t *j = json_loads(s, JSON_ALLOW_NUL | JSON_DECODE_ANY, &e);
	cr_assert_not_null(j, "%s: %s", e.text, s);
	return j;
}

/* Decodes s (a JSON object), asserting it is not refused whole. */
static void dec(const char *s, struct kconf *k)
{
	json_t *j = J(s);
	char err[200] = "";
	cr_assert_eq(kconf_decode(j, k, err, sizeof err), 0, "%s refused whole: %s", s, err);
	json_decref(j);
}

/* The reason given for key (NULL if it was not refused). */
static const char *why(const struct kconf *k, const char *key)
{
	for (int i = 0; i < k->n_refusals; i++)
		if (!strcmp(k->refusals[i].key, key))
			return k->refusals[i].why;
	return NULL;
}

/* {"<key>": <value>} is refused, alone, with a reason. */
static void refused(const char *key, const char *value)
{
	/* With a good key beside it. */
	bool hb = strcmp(key, "heartbeat_s") == 0;
	char *s;
	cr_assert(asprintf(&s, "{\"%s\": %s, \"%s\": 42}", key, value, hb ? "printer_columns" : "heartbeat_s") > 0);
	struct kconf k;
	dec(s, &k);
	cr_assert(k.has == KC_BIT(hb ? KC_PRINTER_COLUMNS : KC_HEARTBEAT), "%s: the good key not kept", s);
	cr_assert_eq(k.n_refused, 1, "%s: %d refusals", s, k.n_refused);
	cr_assert_not_null(why(&k, key), "%s: no reason for %s", s, key);
	cr_assert(strlen(why(&k, key)) > 5);
	kconf_free(&k);
	free(s);
}

static void taken(const char *key, const char *value, enum kconf_key bit)
{
	char *s;
	cr_assert(asprintf(&s, "{\"%s\": %s}", key, value) > 0);
	struct kconf k;
	dec(s, &k);
	cr_assert_eq(k.has, KC_BIT(bit), "%s not taken (%s)", s, k.n_refusals ? k.refusals[0].why : "");
	cr_assert_eq(k.n_refused, 0);
	kconf_free(&k);
	free(s);
}

Test(kconf, every_key_at_its_bounds)
{
	struct kconf k;
	dec("{\"idle_timeout_s\": 30, \"idle_warning_s\": 5, \"heartbeat_s\": 10, \"notice\": \"今日16:00起暂停办理\","
	    "\"home_buttons\": [\"queue\", \"services\"], \"mode_large\": true, \"mode_voice\": false,"
	    "\"theme\": \"high-contrast\", \"lang\": \"zh_TW\", \"wedge_gap_ms\": 5, \"wedge_min_len\": 4,"
	    "\"printer_columns\": 32, \"mirror_private\": true}", &k);
	cr_assert_eq(k.has, (1u << KC_COUNT) - 1, "has %#x", k.has);
	cr_assert_eq(k.n_refused, 0);
	cr_assert_eq(k.idle_timeout_s, 30);
	cr_assert_eq(k.idle_warning_s, 5);
	cr_assert_eq(k.heartbeat_s, 10);
	cr_assert_str_eq(kconf_notice(&k, "en"), "今日16:00起暂停办理");
	cr_assert_eq(k.n_home, 2);
	cr_assert_eq(k.home[0], 5);
	cr_assert_eq(k.home[1], 2);
	cr_assert_str_eq(kconf_home_name(k.home[0]), "queue");
	cr_assert(k.mode_large && !k.mode_voice && k.mirror_private);
	cr_assert_str_eq(k.theme, "high-contrast");
	cr_assert_str_eq(k.lang, "zh_TW");
	cr_assert_eq(k.wedge_gap_ms, 5);
	cr_assert_eq(k.wedge_min_len, 4);
	cr_assert_eq(k.printer_columns, 32);
	kconf_free(&k);

	dec("{\"idle_timeout_s\": 3600, \"idle_warning_s\": 120, \"heartbeat_s\": 3600, \"wedge_gap_ms\": 200,"
	    "\"wedge_min_len\": 64, \"printer_columns\": 48}", &k);
	cr_assert_eq(k.n_refused, 0);
	cr_assert(k.idle_timeout_s == 3600 && k.idle_warning_s == 120 && k.heartbeat_s == 3600 &&
	          k.wedge_gap_ms == 200 && k.wedge_min_len == 64 && k.printer_columns == 48);
	kconf_free(&k);
	taken("printer_columns", "42", KC_PRINTER_COLUMNS);
	taken("theme", "\"default\"", KC_THEME);
	taken("lang", "\"en\"", KC_LANG);
	taken("lang", "\"zh_CN\"", KC_LANG);
	taken("mode_voice", "true", KC_MODE_VOICE);
	taken("mirror_private", "false", KC_MIRROR_PRIVATE);
}

Test(kconf, numbers_out_of_range_or_of_the_wrong_type)
{
	/* The issue's: an idle limit of 0 or of ten years. */
	refused("idle_timeout_s", "0");
	refused("idle_timeout_s", "315360000");
	refused("idle_timeout_s", "29");
	refused("idle_timeout_s", "3601");
	refused("idle_timeout_s", "-60");
	refused("idle_timeout_s", "99999999999999999");
	refused("idle_timeout_s", "\"60\"");
	refused("idle_timeout_s", "60.0");
	refused("idle_timeout_s", "null");
	refused("idle_timeout_s", "true");
	refused("idle_timeout_s", "[60]");
	refused("idle_timeout_s", "{\"s\": 60}");
	refused("idle_warning_s", "4");
	refused("idle_warning_s", "121");
	refused("idle_warning_s", "\"30\"");
	refused("heartbeat_s", "9");
	refused("heartbeat_s", "3601");
	refused("heartbeat_s", "0");
	refused("heartbeat_s", "false");
	refused("wedge_gap_ms", "4");
	refused("wedge_gap_ms", "201");
	refused("wedge_gap_ms", "35.5");
	refused("wedge_min_len", "3");
	refused("wedge_min_len", "65");
	refused("wedge_min_len", "\"6\"");
	refused("printer_columns", "40");
	refused("printer_columns", "0");
	refused("printer_columns", "\"48\"");
	refused("printer_columns", "48.0");
}

Test(kconf, booleans_are_true_or_false_only)
{
	static const char *const keys[] = { "mode_large", "mode_voice", "mirror_private" };
	for (size_t i = 0; i < 3; i++) {
		refused(keys[i], "1");
		refused(keys[i], "0");
		refused(keys[i], "\"true\"");
		refused(keys[i], "\"yes\"");
		refused(keys[i], "null");
		refused(keys[i], "[]");
	}
}

Test(kconf, theme_and_lang_from_their_lists)
{
	refused("theme", "\"large\"");           /* large mode's own */
	refused("theme", "\"/etc/passwd\"");
	refused("theme", "\"../default\"");
	refused("theme", "\"Default\"");
	refused("theme", "\"default\\u0000x\"");
	refused("theme", "\"\"");
	refused("theme", "1");
	refused("lang", "\"fr\"");
	refused("lang", "\"zh-CN\"");
	refused("lang", "\"zh\"");
	refused("lang", "\"en\\u0000\"");
	refused("lang", "null");
	refused("lang", "[\"en\"]");
	cr_assert(kconf_theme_known("default") && kconf_theme_known("high-contrast"));
	cr_assert(!kconf_theme_known("large"));
}

Test(kconf, notices)
{
	struct kconf k;
	dec("{\"notice\": {\"zh_CN\": \"今日16:00起暂停办理\", \"en\": \"Closed from 16:00 today\"}}", &k);
	cr_assert_eq(k.has, KC_BIT(KC_NOTICE));
	cr_assert_str_eq(kconf_notice(&k, "zh_CN"), "今日16:00起暂停办理");
	cr_assert_str_eq(kconf_notice(&k, "en"), "Closed from 16:00 today");
	/* Not given in zh_TW: the first given. */
	cr_assert_str_eq(kconf_notice(&k, "zh_TW"), "今日16:00起暂停办理");
	cr_assert(!k.notice_plain);
	kconf_free(&k);

	/* An explicit "" in one language: none there. */
	dec("{\"notice\": {\"zh_CN\": \"停办\", \"en\": \"\"}}", &k);
	cr_assert_null(kconf_notice(&k, "en"));
	cr_assert_str_eq(kconf_notice(&k, "zh_CN"), "停办");
	kconf_free(&k);

	/* null and "" remove it, and are valid. */
	dec("{\"notice\": null}", &k);
	cr_assert_eq(k.has, KC_BIT(KC_NOTICE));
	cr_assert_null(kconf_notice(&k, "zh_CN"));
	kconf_free(&k);
	dec("{\"notice\": \"\"}", &k);
	cr_assert_eq(k.has, KC_BIT(KC_NOTICE));
	cr_assert_null(kconf_notice(&k, "zh_CN"));
	kconf_free(&k);
	dec("{}", &k);
	cr_assert_null(kconf_notice(&k, "zh_CN"));
	kconf_free(&k);

	/* 200 characters (CJK: 600 bytes) is the most. */
	char s[1024] = "{\"notice\": \"";
	for (int i = 0; i < 200; i++)
		strcat(s, "停");
	strcat(s, "\"}");
	dec(s, &k);
	cr_assert_eq(k.has, KC_BIT(KC_NOTICE));
	kconf_free(&k);
	strcpy(s + strlen(s) - 2, "x\"");
	refused("notice", strchr(s, ':') + 2);

	refused("notice", "\"\\u001b[2J停办\"");
	refused("notice", "\"a\\nb\"");
	refused("notice", "\"a\\tb\"");
	refused("notice", "\"a\\u0000b\"");
	refused("notice", "\"a\\u0085b\"");        /* C1 */
	refused("notice", "\"a\\u202eb\"");        /* bidi override */
	refused("notice", "\"a\\u007fb\"");
	refused("notice", "42");
	refused("notice", "true");
	refused("notice", "[\"停办\"]");
	/* An object is taken whole or not at all. */
	refused("notice", "{\"zh_CN\": \"停办\", \"fr\": \"fermé\"}");
	refused("notice", "{\"zh_CN\": \"停办\", \"en\": null}");
	refused("notice", "{\"zh_CN\": \"停办\", \"en\": \"\\u001b]0;x\\u0007\"}");
	refused("notice", "{\"zh_CN\": {\"a\": \"b\"}}");
	cr_assert(kconf_notice_ok("停办", strlen("停办")));
	cr_assert(!kconf_notice_ok("a\x1b[2J", 5));
	cr_assert(!kconf_notice_ok(NULL, 0));
}

Test(kconf, home_buttons)
{
	struct kconf k;
	dec("{\"home_buttons\": [\"search\", \"large\", \"voice\", \"services\", \"login\", \"bills\", \"queue\","
	    "\"mine\", \"lang\"]}", &k);
	cr_assert_eq(k.n_home, 9);
	cr_assert_eq(k.home[0], 8);
	cr_assert_eq(k.home[8], 7);
	kconf_free(&k);
	for (int i = 0; i < KCONF_HOME_COUNT; i++)
		cr_assert_not_null(kconf_home_name(i));
	cr_assert_null(kconf_home_name(KCONF_HOME_COUNT));
	cr_assert_null(kconf_home_name(-1));
	refused("home_buttons", "[]");
	refused("home_buttons", "[\"queue\", \"queue\"]");
	refused("home_buttons", "[\"queue\", \"teleport\"]");
	refused("home_buttons", "[\"queue\", 3]");
	refused("home_buttons", "[\"queue\", null]");
	refused("home_buttons", "[\"Queue\"]");
	refused("home_buttons", "[\"queue\\u0000\"]");
	refused("home_buttons", "\"queue\"");
	refused("home_buttons", "{\"queue\": 1}");
	refused("home_buttons", "[\"large\", \"voice\", \"services\", \"login\", \"bills\", \"queue\", \"mine\","
	        "\"lang\", \"search\", \"large\"]");
}

Test(kconf, a_bad_key_never_stops_the_others)
{
	struct kconf k;
	/* The issue's: an unknown key, a wrong type, idle 0, idle 10 years
	 * (the last of a duplicated key counts, as jansson reads it). */
	dec("{\"notice\": \"停办\", \"screensaver\": true, \"heartbeat_s\": \"60\", \"idle_timeout_s\": 0,"
	    "\"idle_warning_s\": 20, \"wedge_gap_ms\": 50, \"idle_timeout_s\": 315360000}", &k);
	cr_assert_eq(k.has, KC_BIT(KC_NOTICE) | KC_BIT(KC_IDLE_WARNING) | KC_BIT(KC_WEDGE_GAP), "has %#x", k.has);
	cr_assert_eq(k.refused, KC_BIT(KC_HEARTBEAT) | KC_BIT(KC_IDLE_TIMEOUT));
	cr_assert_eq(k.n_refused, 3);
	cr_assert_str_eq(why(&k, "screensaver"), "unknown key");
	cr_assert_not_null(why(&k, "heartbeat_s"));
	cr_assert_not_null(why(&k, "idle_timeout_s"));
	cr_assert_null(strstr(why(&k, "idle_timeout_s"), "315360000"), "the value is not quoted");
	kconf_free(&k);
}

Test(kconf, the_warning_before_the_end)
{
	struct kconf k;
	dec("{\"idle_timeout_s\": 60, \"idle_warning_s\": 60}", &k);
	cr_assert_eq(k.has, KC_BIT(KC_IDLE_TIMEOUT));
	cr_assert_eq(k.refused, KC_BIT(KC_IDLE_WARNING));
	cr_assert_not_null(why(&k, "idle_warning_s"));
	kconf_free(&k);
	dec("{\"idle_timeout_s\": 60, \"idle_warning_s\": 59}", &k);
	cr_assert_eq(k.n_refused, 0);
	kconf_free(&k);

	/* Alone, it is held to the idle limit that will hold. */
	struct kconf n, m;
	dec("{\"idle_warning_s\": 100}", &n);
	cr_assert_eq(n.has, KC_BIT(KC_IDLE_WARNING));
	kconf_merge(&m, NULL, &n, 120);
	cr_assert_eq(m.has, KC_BIT(KC_IDLE_WARNING));
	kconf_free(&m);
	kconf_merge(&m, NULL, &n, 90);
	cr_assert_eq(m.has, 0);
	cr_assert_eq(m.refused, KC_BIT(KC_IDLE_WARNING));
	cr_assert_not_null(why(&m, "idle_warning_s"));
	kconf_free(&m);
	kconf_free(&n);
}

Test(kconf, no_object_is_refused_whole)
{
	static const char *const bad[] = { "[]", "[{\"notice\": \"x\"}]", "\"notice\"", "42", "null", "true" };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		json_t *j = J(bad[i]);
		struct kconf k;
		char err[200] = "";
		cr_assert_eq(kconf_decode(j, &k, err, sizeof err), -1, "%s", bad[i]);
		cr_assert(err[0], "no reason for %s", bad[i]);
		cr_assert_eq(k.has, 0);
		json_decref(j);
		kconf_free(&k);
	}
	struct kconf k;
	char err[200] = "";
	cr_assert_eq(kconf_decode(NULL, &k, err, sizeof err), -1);
}

Test(kconf, merge_keeps_a_refused_keys_old_value_and_drops_one_left_out)
{
	struct kconf old, nw, m;
	dec("{\"idle_timeout_s\": 300, \"notice\": {\"zh_CN\": \"旧\"}, \"heartbeat_s\": 30, \"home_buttons\": [\"queue\"]}", &old);
	dec("{\"idle_timeout_s\": 0, \"notice\": \"新\\u001b[31m\", \"mode_large\": true}", &nw);
	kconf_merge(&m, &old, &nw, 120);
	cr_assert_eq(m.has, KC_BIT(KC_IDLE_TIMEOUT) | KC_BIT(KC_NOTICE) | KC_BIT(KC_MODE_LARGE), "has %#x", m.has);
	cr_assert_eq(m.idle_timeout_s, 300);
	cr_assert_str_eq(kconf_notice(&m, "zh_CN"), "旧");
	cr_assert(m.mode_large);
	cr_assert_eq(m.n_refused, 2);
	cr_assert(!kconf_same(&m, &old, KC_HEARTBEAT));
	cr_assert(kconf_same(&m, &old, KC_IDLE_TIMEOUT));
	cr_assert(kconf_same(&m, &old, KC_NOTICE));
	cr_assert(!kconf_same(&m, &old, KC_HOME_BUTTONS));
	cr_assert(kconf_same(&m, &old, KC_THEME));
	/* A refused key the old config did not have: none. */
	struct kconf m2;
	kconf_merge(&m2, NULL, &nw, 120);
	cr_assert_eq(m2.has, KC_BIT(KC_MODE_LARGE));
	kconf_free(&m2);
	kconf_free(&m);
	kconf_free(&nw);
	kconf_free(&old);
}

Test(kconf, what_is_saved_reads_back_the_same)
{
	static const char *const cfgs[] = {
		"{\"idle_timeout_s\": 45, \"idle_warning_s\": 10, \"heartbeat_s\": 15, \"notice\": \"今日16:00起暂停办理\","
		"\"home_buttons\": [\"mine\", \"queue\", \"lang\"], \"mode_large\": false, \"mode_voice\": true,"
		"\"theme\": \"default\", \"lang\": \"en\", \"wedge_gap_ms\": 40, \"wedge_min_len\": 8,"
		"\"printer_columns\": 42, \"mirror_private\": false}",
		"{\"notice\": {\"zh_TW\": \"今日暫停\", \"en\": \"\"}}",
		"{\"notice\": null}",
		"{}",
	};
	for (size_t i = 0; i < sizeof cfgs / sizeof cfgs[0]; i++) {
		struct kconf a, b;
		dec(cfgs[i], &a);
		json_t *j = kconf_to_json(&a);
		char err[200];
		cr_assert_eq(kconf_decode(j, &b, err, sizeof err), 0);
		cr_assert_eq(b.n_refused, 0, "%s", cfgs[i]);
		cr_assert_eq(a.has, b.has);
		for (int key = 0; key < KC_COUNT; key++)
			cr_assert(kconf_same(&a, &b, (enum kconf_key)key), "%s: %s differs", cfgs[i],
			          kconf_key_name((enum kconf_key)key));
		json_decref(j);
		kconf_free(&a);
		kconf_free(&b);
	}
}

Test(kconf, refusals_are_capped_and_their_keys_clean)
{
	char s[8192] = "{";
	for (int i = 0; i < 100; i++)
		snprintf(s + strlen(s), sizeof s - strlen(s), "%s\"k%d\\u001b[2J\\u0007\": 1", i ? "," : "", i);
	strcat(s, ", \"heartbeat_s\": 99}");
	struct kconf k;
	dec(s, &k);
	cr_assert_eq(k.has, KC_BIT(KC_HEARTBEAT));
	cr_assert_eq(k.n_refused, 100);
	cr_assert_eq(k.n_refusals, KCONF_MAX_REFUSALS);
	for (int i = 0; i < k.n_refusals; i++)
		for (const unsigned char *p = (const unsigned char *)k.refusals[i].key; *p; p++)
			cr_assert(*p >= 0x20 && *p != 0x7f, "control in a refused key's name");
	kconf_free(&k);

	/* A long key name is cut, whole characters only. */
	char big[1200] = "{\"";
	for (int i = 0; i < 300; i++)
		strcat(big, "键");
	strcat(big, "\": 1}");
	dec(big, &k);
	cr_assert_eq(k.n_refusals, 1);
	cr_assert_lt(strlen(k.refusals[0].key), sizeof k.refusals[0].key);
	cr_assert_eq(strlen(k.refusals[0].key) % 3, 0);
	kconf_free(&k);
}

Test(kconf, when_keys_apply)
{
	cr_assert_eq(kconf_key_when(KC_IDLE_TIMEOUT), KC_LIVE);
	cr_assert_eq(kconf_key_when(KC_NOTICE), KC_LIVE);
	cr_assert_eq(kconf_key_when(KC_HOME_BUTTONS), KC_LIVE);
	cr_assert_eq(kconf_key_when(KC_MODE_LARGE), KC_BETWEEN);
	cr_assert_eq(kconf_key_when(KC_MODE_VOICE), KC_BETWEEN);
	cr_assert_eq(kconf_key_when(KC_LANG), KC_BETWEEN);
	cr_assert_eq(kconf_key_when(KC_THEME), KC_RESTART);
	for (int key = 0; key < KC_COUNT; key++)
		cr_assert(strcmp(kconf_key_name((enum kconf_key)key), "?") != 0);
	kconf_free(NULL);
}
