/* kconf.c: the remote configuration's keys, each checked alone.
 *
 * The ranges are the contract's (docs/architecture.md, "Fleet"), narrower
 * than kiosk.conf's on purpose: a setting from afar must never make a kiosk
 * unusable (an idle limit of 0 or of ten years, a scan length no scanner
 * reaches). Reasons name the key and the rule, never the value given: the
 * log is read by staff and a value could be anything.
 */
#include "kconf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "text.h"
#include "validate.h"
#include "xmem.h"

static const char *const key_names[KC_COUNT] = {
	[KC_IDLE_TIMEOUT] = "idle_timeout_s",
	[KC_IDLE_WARNING] = "idle_warning_s",
	[KC_HEARTBEAT] = "heartbeat_s",
	[KC_NOTICE] = "notice",
	[KC_HOME_BUTTONS] = "home_buttons",
	[KC_MODE_LARGE] = "mode_large",
	[KC_MODE_VOICE] = "mode_voice",
	[KC_THEME] = "theme",
	[KC_LANG] = "lang",
	[KC_WEDGE_GAP] = "wedge_gap_ms",
	[KC_WEDGE_MIN_LEN] = "wedge_min_len",
	[KC_PRINTER_COLUMNS] = "printer_columns",
	[KC_MIRROR_PRIVATE] = "mirror_private",
};

static const char *const home_names[KCONF_HOME_COUNT] = {
	"large", "voice", "services", "login", "bills", "queue", "mine", "lang", "search",
};

static const char *const lang_names[KCONF_N_LANGS] = { "zh_CN", "zh_TW", "en" };

/* Shipped in themes/ ("large" is large mode's own, not a choice). */
static const char *const themes[] = { "default", "high-contrast" };

const char *kconf_key_name(enum kconf_key k)
{
	return (unsigned)k < KC_COUNT ? key_names[k] : "?";
}

enum kconf_when kconf_key_when(enum kconf_key k)
{
	switch (k) {
	case KC_MODE_LARGE:
	case KC_MODE_VOICE:
	case KC_LANG:
		return KC_BETWEEN;
	case KC_THEME:
		return KC_RESTART;
	default:
		return KC_LIVE;
	}
}

const char *kconf_home_name(int i)
{
	return i >= 0 && i < KCONF_HOME_COUNT ? home_names[i] : NULL;
}

bool kconf_theme_known(const char *name)
{
	for (size_t i = 0; i < sizeof themes / sizeof themes[0]; i++)
		if (!strcmp(name, themes[i]))
			return true;
	return false;
}

static int lang_index(const char *s)
{
	for (int i = 0; i < KCONF_N_LANGS; i++)
		if (!strcmp(s, lang_names[i]))
			return i;
	return -1;
}

/* ---- refusals ---- */

static void refuse(struct kconf *k, const char *key, size_t key_len, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void refuse(struct kconf *k, const char *key, size_t key_len, const char *fmt, ...)
{
	k->n_refused++;
	if (k->n_refusals >= KCONF_MAX_REFUSALS)
		return;
	struct kconf_refusal *r = &k->refusals[k->n_refusals++];
	/* A key name is the operator's (or anyone's) text: clean before it
	 * reaches the log. */
	char *clean = text_sanitize(key, key_len, 0);
	text_copy(r->key, sizeof r->key, clean);
	free(clean);
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(r->why, sizeof r->why, fmt, ap);
	va_end(ap);
}

static const char *type_name(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT: return "an object";
	case JSON_ARRAY: return "a list";
	case JSON_STRING: return "text";
	case JSON_INTEGER: return "a whole number";
	case JSON_REAL: return "a number with a fraction";
	case JSON_TRUE:
	case JSON_FALSE: return "true or false";
	case JSON_NULL: return "null";
	}
	return "?";
}

/* ---- one key each ---- */

static bool take_int(struct kconf *k, const char *key, const json_t *v, long min, long max, long *out)
{
	if (!json_is_integer(v)) {
		refuse(k, key, strlen(key), "must be a whole number from %ld to %ld, not %s", min, max,
		       type_name(v));
		return false;
	}
	json_int_t n = json_integer_value(v);
	if (n < min || n > max) {
		refuse(k, key, strlen(key), "must be from %ld to %ld", min, max);
		return false;
	}
	*out = (long)n;
	return true;
}

static bool take_bool(struct kconf *k, const char *key, const json_t *v, bool *out)
{
	if (!json_is_boolean(v)) {
		refuse(k, key, strlen(key), "must be true or false, not %s", type_name(v));
		return false;
	}
	*out = json_is_true(v);
	return true;
}

bool kconf_notice_ok(const char *s, size_t len)
{
	return s && v_text(s, len, KCONF_NOTICE_MAX, false) == V_OK;
}

static bool notice_str_ok(struct kconf *k, const json_t *v, const char *what)
{
	if (kconf_notice_ok(json_string_value(v), json_string_length(v)))
		return true;
	refuse(k, "notice", 6, "%s must be at most %d characters, none of them a control character",
	       what, KCONF_NOTICE_MAX);
	return false;
}

static bool take_notice(struct kconf *k, const json_t *v)
{
	if (json_is_null(v)) {
		k->notice_plain = true;
		for (int i = 0; i < KCONF_N_LANGS; i++)
			k->notice[i] = xstrdup("");
		return true;
	}
	if (json_is_string(v)) {
		if (!notice_str_ok(k, v, "the text"))
			return false;
		k->notice_plain = true;
		for (int i = 0; i < KCONF_N_LANGS; i++)
			k->notice[i] = xstrdup(json_string_value(v));
		return true;
	}
	if (!json_is_object(v)) {
		refuse(k, "notice", 6, "must be text, null or an object of zh_CN, zh_TW, en texts, not %s",
		       type_name(v));
		return false;
	}
	/* Checked whole before anything is kept. */
	const char *lang;
	const json_t *t;
	json_object_foreach((json_t *)v, lang, t) {
		if (lang_index(lang) < 0) {
			refuse(k, "notice", 6, "languages must be zh_CN, zh_TW or en");
			return false;
		}
		if (!json_is_string(t)) {
			refuse(k, "notice", 6, "each language's notice must be text, not %s", type_name(t));
			return false;
		}
		if (!notice_str_ok(k, t, "each language's text"))
			return false;
	}
	k->notice_plain = false;
	json_object_foreach((json_t *)v, lang, t)
		k->notice[lang_index(lang)] = xstrdup(json_string_value(t));
	return true;
}

static bool take_home(struct kconf *k, const json_t *v)
{
	if (!json_is_array(v)) {
		refuse(k, "home_buttons", 12, "must be a list of button names, not %s", type_name(v));
		return false;
	}
	size_t n = json_array_size(v);
	if (n == 0 || n > KCONF_HOME_COUNT) {
		refuse(k, "home_buttons", 12, "must list 1 to %d buttons", KCONF_HOME_COUNT);
		return false;
	}
	int order[KCONF_HOME_COUNT];
	unsigned seen = 0;
	for (size_t i = 0; i < n; i++) {
		const json_t *e = json_array_get(v, i);
		int b = -1;
		for (int h = 0; json_is_string(e) && h < KCONF_HOME_COUNT; h++)
			if (!strcmp(json_string_value(e), home_names[h]) &&
			    json_string_length(e) == strlen(home_names[h]))
				b = h;
		if (b < 0) {
			refuse(k, "home_buttons", 12, "item %zu is not one of large, voice, services, login, "
			       "bills, queue, mine, lang, search", i + 1);
			return false;
		}
		if (seen & (1u << b)) {
			refuse(k, "home_buttons", 12, "lists %s twice", home_names[b]);
			return false;
		}
		seen |= 1u << b;
		order[i] = b;
	}
	memcpy(k->home, order, n * sizeof order[0]);
	k->n_home = (int)n;
	return true;
}

/* A string value that is exactly one of a list (no NUL inside). */
static const char *str_of(const json_t *v)
{
	if (!json_is_string(v) || strlen(json_string_value(v)) != json_string_length(v))
		return NULL;
	return json_string_value(v);
}

static bool take_key(struct kconf *k, enum kconf_key key, const json_t *v)
{
	const char *name = key_names[key];
	const char *s;
	switch (key) {
	case KC_IDLE_TIMEOUT: return take_int(k, name, v, 30, 3600, &k->idle_timeout_s);
	case KC_IDLE_WARNING: return take_int(k, name, v, 5, 120, &k->idle_warning_s);
	case KC_HEARTBEAT: return take_int(k, name, v, 10, 3600, &k->heartbeat_s);
	case KC_WEDGE_GAP: return take_int(k, name, v, 5, 200, &k->wedge_gap_ms);
	case KC_WEDGE_MIN_LEN: return take_int(k, name, v, 4, 64, &k->wedge_min_len);
	case KC_PRINTER_COLUMNS: {
		long c;
		if (!json_is_integer(v)) {
			refuse(k, name, strlen(name), "must be 32, 42 or 48, not %s", type_name(v));
			return false;
		}
		c = (long)json_integer_value(v);
		if (json_integer_value(v) != 32 && json_integer_value(v) != 42 && json_integer_value(v) != 48) {
			refuse(k, name, strlen(name), "must be 32, 42 or 48");
			return false;
		}
		k->printer_columns = c;
		return true;
	}
	case KC_MODE_LARGE: return take_bool(k, name, v, &k->mode_large);
	case KC_MODE_VOICE: return take_bool(k, name, v, &k->mode_voice);
	case KC_MIRROR_PRIVATE: return take_bool(k, name, v, &k->mirror_private);
	case KC_NOTICE: return take_notice(k, v);
	case KC_HOME_BUTTONS: return take_home(k, v);
	case KC_THEME:
		s = str_of(v);
		if (!s || !kconf_theme_known(s)) {
			refuse(k, name, strlen(name), "must be default or high-contrast");
			return false;
		}
		snprintf(k->theme, sizeof k->theme, "%s", s);
		return true;
	case KC_LANG:
		s = str_of(v);
		if (!s || lang_index(s) < 0) {
			refuse(k, name, strlen(name), "must be zh_CN, zh_TW or en");
			return false;
		}
		snprintf(k->lang, sizeof k->lang, "%s", s);
		return true;
	case KC_COUNT:
		break;
	}
	return false;
}

int kconf_decode(const json_t *root, struct kconf *k, char *err, size_t errlen)
{
	memset(k, 0, sizeof *k);
	if (!json_is_object(root)) {
		set_err(err, errlen, "config: expected an object, not %s", root ? type_name(root) : "nothing");
		return -1;
	}
	const char *name;
	const json_t *v;
	json_object_foreach((json_t *)root, name, v) {
		int key = -1;
		for (int i = 0; i < KC_COUNT; i++)
			if (!strcmp(name, key_names[i]))
				key = i;
		if (key < 0) {
			refuse(k, name, strlen(name), "unknown key");
			continue;
		}
		if (take_key(k, (enum kconf_key)key, v))
			k->has |= KC_BIT(key);
		else
			k->refused |= KC_BIT(key);
	}
	/* Both given: the warning must come before the end. */
	if ((k->has & KC_BIT(KC_IDLE_WARNING)) && (k->has & KC_BIT(KC_IDLE_TIMEOUT)) &&
	    k->idle_warning_s >= k->idle_timeout_s) {
		k->has &= ~KC_BIT(KC_IDLE_WARNING);
		k->refused |= KC_BIT(KC_IDLE_WARNING);
		refuse(k, "idle_warning_s", 14, "must be below idle_timeout_s");
	}
	return 0;
}

void kconf_free(struct kconf *k)
{
	if (!k)
		return;
	for (int i = 0; i < KCONF_N_LANGS; i++)
		free(k->notice[i]);
	memset(k, 0, sizeof *k);
}

/* Copies key's value from src into dst (dst has none of it yet). */
static void copy_key(struct kconf *dst, const struct kconf *src, enum kconf_key key)
{
	switch (key) {
	case KC_IDLE_TIMEOUT: dst->idle_timeout_s = src->idle_timeout_s; break;
	case KC_IDLE_WARNING: dst->idle_warning_s = src->idle_warning_s; break;
	case KC_HEARTBEAT: dst->heartbeat_s = src->heartbeat_s; break;
	case KC_WEDGE_GAP: dst->wedge_gap_ms = src->wedge_gap_ms; break;
	case KC_WEDGE_MIN_LEN: dst->wedge_min_len = src->wedge_min_len; break;
	case KC_PRINTER_COLUMNS: dst->printer_columns = src->printer_columns; break;
	case KC_MODE_LARGE: dst->mode_large = src->mode_large; break;
	case KC_MODE_VOICE: dst->mode_voice = src->mode_voice; break;
	case KC_MIRROR_PRIVATE: dst->mirror_private = src->mirror_private; break;
	case KC_NOTICE:
		dst->notice_plain = src->notice_plain;
		for (int i = 0; i < KCONF_N_LANGS; i++)
			dst->notice[i] = src->notice[i] ? xstrdup(src->notice[i]) : NULL;
		break;
	case KC_HOME_BUTTONS:
		memcpy(dst->home, src->home, sizeof dst->home);
		dst->n_home = src->n_home;
		break;
	case KC_THEME: memcpy(dst->theme, src->theme, sizeof dst->theme); break;
	case KC_LANG: memcpy(dst->lang, src->lang, sizeof dst->lang); break;
	case KC_COUNT: break;
	}
	dst->has |= KC_BIT(key);
}

void kconf_merge(struct kconf *out, const struct kconf *old, const struct kconf *nw,
                 long base_idle_timeout_s)
{
	memset(out, 0, sizeof *out);
	for (int key = 0; key < KC_COUNT; key++) {
		if (nw->has & KC_BIT(key))
			copy_key(out, nw, (enum kconf_key)key);
		else if ((nw->refused & KC_BIT(key)) && old && (old->has & KC_BIT(key)))
			copy_key(out, old, (enum kconf_key)key);
	}
	out->refused = nw->refused;
	memcpy(out->refusals, nw->refusals, sizeof out->refusals);
	out->n_refusals = nw->n_refusals;
	out->n_refused = nw->n_refused;
	long limit = (out->has & KC_BIT(KC_IDLE_TIMEOUT)) ? out->idle_timeout_s : base_idle_timeout_s;
	if ((out->has & KC_BIT(KC_IDLE_WARNING)) && out->idle_warning_s >= limit) {
		out->has &= ~KC_BIT(KC_IDLE_WARNING);
		out->refused |= KC_BIT(KC_IDLE_WARNING);
		out->idle_warning_s = 0;
		refuse(out, "idle_warning_s", 14, "must be below the idle limit (%ld s)", limit);
	}
}

json_t *kconf_to_json(const struct kconf *k)
{
	json_t *o = json_object();
	for (int key = 0; key < KC_COUNT; key++) {
		if (!(k->has & KC_BIT(key)))
			continue;
		json_t *v = NULL;
		switch ((enum kconf_key)key) {
		case KC_IDLE_TIMEOUT: v = json_integer(k->idle_timeout_s); break;
		case KC_IDLE_WARNING: v = json_integer(k->idle_warning_s); break;
		case KC_HEARTBEAT: v = json_integer(k->heartbeat_s); break;
		case KC_WEDGE_GAP: v = json_integer(k->wedge_gap_ms); break;
		case KC_WEDGE_MIN_LEN: v = json_integer(k->wedge_min_len); break;
		case KC_PRINTER_COLUMNS: v = json_integer(k->printer_columns); break;
		case KC_MODE_LARGE: v = json_boolean(k->mode_large); break;
		case KC_MODE_VOICE: v = json_boolean(k->mode_voice); break;
		case KC_MIRROR_PRIVATE: v = json_boolean(k->mirror_private); break;
		case KC_NOTICE:
			if (k->notice_plain) {
				v = k->notice[0] && *k->notice[0] ? json_string(k->notice[0]) : json_null();
			} else {
				v = json_object();
				for (int i = 0; i < KCONF_N_LANGS; i++)
					if (k->notice[i])
						json_object_set_new(v, lang_names[i], json_string(k->notice[i]));
			}
			break;
		case KC_HOME_BUTTONS:
			v = json_array();
			for (int i = 0; i < k->n_home; i++)
				json_array_append_new(v, json_string(home_names[k->home[i]]));
			break;
		case KC_THEME: v = json_string(k->theme); break;
		case KC_LANG: v = json_string(k->lang); break;
		case KC_COUNT: break;
		}
		if (v)
			json_object_set_new(o, key_names[key], v);
	}
	return o;
}

static bool str_same(const char *a, const char *b)
{
	return a == b || (a && b && !strcmp(a, b));
}

bool kconf_same(const struct kconf *a, const struct kconf *b, enum kconf_key key)
{
	bool ha = a && (a->has & KC_BIT(key)), hb = b && (b->has & KC_BIT(key));
	if (ha != hb)
		return false;
	if (!ha)
		return true;
	switch (key) {
	case KC_IDLE_TIMEOUT: return a->idle_timeout_s == b->idle_timeout_s;
	case KC_IDLE_WARNING: return a->idle_warning_s == b->idle_warning_s;
	case KC_HEARTBEAT: return a->heartbeat_s == b->heartbeat_s;
	case KC_WEDGE_GAP: return a->wedge_gap_ms == b->wedge_gap_ms;
	case KC_WEDGE_MIN_LEN: return a->wedge_min_len == b->wedge_min_len;
	case KC_PRINTER_COLUMNS: return a->printer_columns == b->printer_columns;
	case KC_MODE_LARGE: return a->mode_large == b->mode_large;
	case KC_MODE_VOICE: return a->mode_voice == b->mode_voice;
	case KC_MIRROR_PRIVATE: return a->mirror_private == b->mirror_private;
	case KC_NOTICE:
		for (int i = 0; i < KCONF_N_LANGS; i++)
			if (!str_same(a->notice[i], b->notice[i]))
				return false;
		return a->notice_plain == b->notice_plain;
	case KC_HOME_BUTTONS:
		return a->n_home == b->n_home && !memcmp(a->home, b->home, (size_t)a->n_home * sizeof a->home[0]);
	case KC_THEME: return !strcmp(a->theme, b->theme);
	case KC_LANG: return !strcmp(a->lang, b->lang);
	case KC_COUNT: break;
	}
	return true;
}

const char *kconf_notice(const struct kconf *k, const char *lang)
{
	if (!k || !(k->has & KC_BIT(KC_NOTICE)))
		return NULL;
	int i = lang ? lang_index(lang) : -1;
	const char *s = i >= 0 ? k->notice[i] : NULL;
	for (int j = 0; !s && j < KCONF_N_LANGS; j++)
		s = k->notice[j];
	return s && *s ? s : NULL;
}
