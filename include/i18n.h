/* i18n.h: gettext, with the language switchable at run time. Message ids
 * are English; locale/<lang>.po translate them (zh_CN is the default). */
#ifndef KIOSK_I18N_H
#define KIOSK_I18N_H

#include <libintl.h>

#define _(s) gettext(s)
#define N_(s) (s)

/* Binds the "kiosk" domain: a locale/ folder beside the executable (the
 * build tree) if present, else PREFIX/share/locale. */
void i18n_init(void);
/* The locale folder bound (recorded voice prompts live under it too);
 * a new string. */
char *i18n_locale_dir(void);
/* "zh_CN", "zh_TW" or "en"; takes effect for the next gettext() call. */
void i18n_set_lang(const char *lang);
const char *i18n_lang(void);
/* The same language as an HTTP language tag: "zh-CN", "zh-TW", "en". */
const char *i18n_http_lang(void);
/* The language's own name, for the switch button: "中文", "繁體中文", "English". */
const char *i18n_lang_name(const char *lang);

#endif
