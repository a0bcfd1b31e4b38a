/* i18n.c: gettext set-up and run-time language switching. glibc caches
 * translations; bumping _nl_msg_cat_cntr after changing LANGUAGE is the
 * documented way to make it look again. */
#include "i18n.h"
#include "util.h"

#include <limits.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

extern int _nl_msg_cat_cntr;

static char cur_lang[8] = "zh_CN";
static char locale_dir[PATH_MAX + 16] = KIOSK_PREFIX "/share/locale";

char *i18n_locale_dir(void)
{
	return xstrdup(locale_dir);
}

void i18n_init(void)
{
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	const char *dir = KIOSK_PREFIX "/share/locale";
	static char local[PATH_MAX + 16];
	if (n > 0) {
		exe[n] = '\0';
		char *slash = strrchr(exe, '/');
		if (slash) {
			*slash = '\0';
			struct stat st;
			snprintf(local, sizeof local, "%s/locale", exe);
			if (stat(local, &st) == 0 && S_ISDIR(st.st_mode))
				dir = local;
		}
	}
	snprintf(locale_dir, sizeof locale_dir, "%s", dir);
	bindtextdomain("kiosk", dir);
	bind_textdomain_codeset("kiosk", "UTF-8");
	textdomain("kiosk");
}

void i18n_set_lang(const char *lang)
{
	snprintf(cur_lang, sizeof cur_lang, "%s", lang);
	setenv("LANGUAGE", lang, 1);
	++_nl_msg_cat_cntr;
}

const char *i18n_lang(void) { return cur_lang; }

const char *i18n_http_lang(void)
{
	if (!strcmp(cur_lang, "zh_TW"))
		return "zh-TW";
	if (!strcmp(cur_lang, "en"))
		return "en";
	return "zh-CN";
}

const char *i18n_lang_name(const char *lang)
{
	if (!strcmp(lang, "zh_TW"))
		return "繁體中文";
	if (!strcmp(lang, "en"))
		return "English";
	return "中文";
}
