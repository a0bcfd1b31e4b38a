/* kconf.h: the kiosk's settings sent from afar (GET /v1/kiosk/config's
 * "config" object), decoded and checked key by key (pure core: no I/O).
 *
 * The gateway stores whatever an operator gives it, so the kiosk checks.
 * Each key is checked alone: an unknown key, a wrong type or a value out of
 * range is refused alone, with a reason for the log, and the other keys
 * still count. A key is never half taken: a notice with one bad language,
 * a list of home buttons with one unknown name are refused whole. Only a
 * config that is no JSON object at all is refused whole.
 *
 * A config is the whole set of remote settings: a key it leaves out is the
 * kiosk's own setting again (kiosk.conf and flags). kconf_merge keeps the
 * old value of a key the new config has but that was refused, so a typo
 * never takes a setting back to its default.
 *
 * Ownership: a struct kconf owns its strings; kconf_free frees them.
 */
#ifndef KIOSK_KCONF_H
#define KIOSK_KCONF_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

enum kconf_key {
	KC_IDLE_TIMEOUT,     /* idle_timeout_s: 30..3600 */
	KC_IDLE_WARNING,     /* idle_warning_s: 5..120, below idle_timeout_s */
	KC_HEARTBEAT,        /* heartbeat_s: 10..3600 */
	KC_NOTICE,           /* notice: text, {"zh_CN","zh_TW","en"}, or null (none) */
	KC_HOME_BUTTONS,     /* home_buttons: names of kconf_home_name, order kept */
	KC_MODE_LARGE,       /* mode_large: bool */
	KC_MODE_VOICE,       /* mode_voice: bool */
	KC_THEME,            /* theme: a shipped theme's name */
	KC_LANG,             /* lang: zh_CN, zh_TW, en */
	KC_WEDGE_GAP,        /* wedge_gap_ms: 5..200 */
	KC_WEDGE_MIN_LEN,    /* wedge_min_len: 4..64 */
	KC_PRINTER_COLUMNS,  /* printer_columns: 32, 42, 48 */
	KC_MIRROR_PRIVATE,   /* mirror_private: bool */
	KC_COUNT
};

/* When a key's new value may take effect. */
enum kconf_when {
	KC_LIVE,             /* at once */
	KC_BETWEEN,          /* when no citizen is logged in (never during a session) */
	KC_RESTART,          /* at the next start of the program */
};

#define KC_BIT(k) (1u << (k))

/* The home screen's buttons, in the home screen's own order (scr_home.c's
 * H_* values are these). */
enum { KCONF_HOME_COUNT = 9 };
/* "large", "voice", "services", "login", "bills", "queue", "mine", "lang",
 * "search"; NULL past the end. */
const char *kconf_home_name(int i);

/* The languages a notice may be given in (config_lang's names). */
enum { KCONF_LANG_ZH_CN, KCONF_LANG_ZH_TW, KCONF_LANG_EN, KCONF_N_LANGS };

#define KCONF_NOTICE_MAX 200     /* characters (code points) */
#define KCONF_MAX_REFUSALS 16    /* kept with their reasons; the rest only counted */

struct kconf_refusal {
	char key[48];            /* the key as given (sanitized, cut) */
	char why[160];           /* English, for the log */
};

struct kconf {
	unsigned has;            /* KC_BIT(key): present and valid */
	long idle_timeout_s, idle_warning_s, heartbeat_s;
	long wedge_gap_ms, wedge_min_len, printer_columns;
	bool mode_large, mode_voice, mirror_private;
	/* The notice by language (NULL: not given in that language; "": none).
	 * notice_plain: given as one string for every language. */
	char *notice[KCONF_N_LANGS];
	bool notice_plain;
	int home[KCONF_HOME_COUNT];  /* kconf_home_name indexes, in order shown */
	int n_home;
	char theme[32];
	char lang[8];
	/* What was refused, and why. */
	unsigned refused;        /* KC_BIT(key) of known keys present and refused */
	struct kconf_refusal refusals[KCONF_MAX_REFUSALS];
	int n_refusals;          /* kept in refusals[] */
	int n_refused;           /* every refusal (unknown keys too) */
};

const char *kconf_key_name(enum kconf_key k);
enum kconf_when kconf_key_when(enum kconf_key k);
/* The themes a config may name (the ones shipped in themes/, but "large",
 * which is large mode's own). */
bool kconf_theme_known(const char *name);

/* Decodes a config object into *k (zeroed first). -1 if root is not an
 * object (err says so; *k is left empty): refused whole. Otherwise 0, with
 * every valid key in k->has and every refusal in k->refusals. */
int kconf_decode(const json_t *root, struct kconf *k, char *err, size_t errlen);
void kconf_free(struct kconf *k);

/* out (overwritten, not freed first) = the new config, with old's value
 * (old may be NULL) for each known key the new one has but refused; then
 * idle_warning_s is refused if it is not below the idle limit that will
 * hold (the config's idle_timeout_s, or base_idle_timeout_s if it has
 * none). out's refusals are nw's (and that one). */
void kconf_merge(struct kconf *out, const struct kconf *old, const struct kconf *nw,
                 long base_idle_timeout_s);

/* The config object of what k has (new reference): kconf_decode gives k
 * back from it, with nothing refused. */
json_t *kconf_to_json(const struct kconf *k);

/* True if a and b hold the same for key (both without it counts). */
bool kconf_same(const struct kconf *a, const struct kconf *b, enum kconf_key key);

/* The notice to show in lang ("zh_CN", "zh_TW", "en"): that language's,
 * else (not given in it) the first given of zh_CN, zh_TW, en. NULL if
 * there is none or it is "". Borrowed from k. */
const char *kconf_notice(const struct kconf *k, const char *lang);

/* Checks a notice as the heartbeat answers it (a string already in the
 * kiosk's language): the same rules as the config's. */
bool kconf_notice_ok(const char *s, size_t len);

#endif
