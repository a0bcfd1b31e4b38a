/* fuzz_kconf.c: libFuzzer target for the remote configuration (the
 * "config" object of GET /v1/kiosk/config, and DATA_DIR/remote-config.json
 * at start-up): jsonx_parse, then kconf_decode, as the kiosk runs them.
 *
 * Beyond "no crash, no leak": what is taken is in range (the contract's
 * bounds), every notice clean and short, home buttons known and never
 * twice; every refusal has a reason and a clean key; a key is either taken
 * or refused, never both; merging over the last config and writing it out
 * reads back the same with nothing refused. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "jsonx.h"
#include "kconf.h"
#include "text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void clean(const char *s)
{
	if (!s)
		abort();
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			abort();
}

static void check(const struct kconf *k)
{
	if (k->n_refusals > KCONF_MAX_REFUSALS || k->n_refusals > k->n_refused)
		abort();
	for (int i = 0; i < k->n_refusals; i++) {
		clean(k->refusals[i].key);
		clean(k->refusals[i].why);
		if (!k->refusals[i].why[0])
			abort();
	}
	if ((k->has & KC_BIT(KC_IDLE_TIMEOUT)) && (k->idle_timeout_s < 30 || k->idle_timeout_s > 3600))
		abort();
	if ((k->has & KC_BIT(KC_IDLE_WARNING)) && (k->idle_warning_s < 5 || k->idle_warning_s > 120))
		abort();
	if ((k->has & KC_BIT(KC_IDLE_WARNING)) && (k->has & KC_BIT(KC_IDLE_TIMEOUT)) &&
	    k->idle_warning_s >= k->idle_timeout_s)
		abort();
	if ((k->has & KC_BIT(KC_HEARTBEAT)) && (k->heartbeat_s < 10 || k->heartbeat_s > 3600))
		abort();
	if ((k->has & KC_BIT(KC_WEDGE_GAP)) && (k->wedge_gap_ms < 5 || k->wedge_gap_ms > 200))
		abort();
	if ((k->has & KC_BIT(KC_WEDGE_MIN_LEN)) && (k->wedge_min_len < 4 || k->wedge_min_len > 64))
		abort();
	if ((k->has & KC_BIT(KC_PRINTER_COLUMNS)) && k->printer_columns != 32 && k->printer_columns != 42 &&
	    k->printer_columns != 48)
		abort();
	if ((k->has & KC_BIT(KC_THEME)) && !kconf_theme_known(k->theme))
		abort();
	if ((k->has & KC_BIT(KC_LANG)) && strcmp(k->lang, "zh_CN") && strcmp(k->lang, "zh_TW") &&
	    strcmp(k->lang, "en"))
		abort();
	if (k->has & KC_BIT(KC_HOME_BUTTONS)) {
		if (k->n_home < 1 || k->n_home > KCONF_HOME_COUNT)
			abort();
		unsigned seen = 0;
		for (int i = 0; i < k->n_home; i++) {
			if (!kconf_home_name(k->home[i]) || (seen & (1u << k->home[i])))
				abort();
			seen |= 1u << k->home[i];
		}
	}
	for (int i = 0; i < KCONF_N_LANGS; i++) {
		if (!k->notice[i])
			continue;
		if (!(k->has & KC_BIT(KC_NOTICE)))
			abort();
		clean(k->notice[i]);
		if (text_chars(k->notice[i], strlen(k->notice[i])) > KCONF_NOTICE_MAX)
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[256] = "";
	json_t *root = jsonx_parse((const char *)data, size, err, sizeof err);
	if (!root)
		return 0;
	struct kconf k, old, m, back;
	err[0] = '\0';
	if (kconf_decode(root, &k, err, sizeof err) != 0) {
		if (!err[0] || k.has || k.n_refused || json_is_object(root))
			abort();
		json_decref(root);
		return 0;
	}
	if (k.has & k.refused)
		abort(); /* taken or refused, never both */
	check(&k);
	/* Over a last config that has every key. */
	json_t *full = json_loads("{\"idle_timeout_s\": 60, \"idle_warning_s\": 10, \"heartbeat_s\": 30,"
	                          "\"notice\": \"x\", \"home_buttons\": [\"queue\"], \"mode_large\": true,"
	                          "\"mode_voice\": true, \"theme\": \"default\", \"lang\": \"en\","
	                          "\"wedge_gap_ms\": 40, \"wedge_min_len\": 8, \"printer_columns\": 42,"
	                          "\"mirror_private\": true}", 0, NULL);
	if (!full || kconf_decode(full, &old, err, sizeof err) != 0 || old.n_refused)
		abort();
	kconf_merge(&m, &old, &k, 120);
	check(&m);
	json_t *out = kconf_to_json(&m);
	if (kconf_decode(out, &back, err, sizeof err) != 0 || back.n_refused || back.has != m.has)
		abort();
	for (int key = 0; key < KC_COUNT; key++)
		if (!kconf_same(&m, &back, (enum kconf_key)key))
			abort();
	json_decref(out);
	json_decref(full);
	kconf_free(&back);
	kconf_free(&m);
	kconf_free(&old);
	kconf_free(&k);
	json_decref(root);
	return 0;
}
