/* ini.c: the INI dialect of the configuration and the themes.
 *
 * Deliberately small: sections, key = value, whole-line comments, optional
 * double quotes to keep edge spaces. There are no inline comments, because
 * theme values such as "#1e90ff" must survive. Errors carry a line number so
 * a technician on site can fix the file without reading code.
 */
#include "ini.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xmem.h"

#define INI_MAX_LINE 4096
/* Configuration and themes are a few kilobytes; anything near this is not
 * one of ours. */
#define INI_MAX_FILE (4 * 1024 * 1024)


static int is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v';
}

/* Trims s[0..*len) in place; returns the new start. */
static char *trim(char *s, size_t *len)
{
	while (*len && is_blank(*s)) {
		s++;
		(*len)--;
	}
	while (*len && is_blank(s[*len - 1]))
		(*len)--;
	s[*len] = '\0';
	return s;
}

int ini_parse(const char *text, ini_fn fn, void *ud, char *err, size_t errlen)
{
	/* +2: one byte to detect an over-long line, one for the NUL. */
	char line[INI_MAX_LINE + 2];
	char section[INI_MAX_LINE + 1] = "";
	const char *p = text ? text : "";
	int lineno = 0;

	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		char *s, *eq, *key, *val;
		size_t klen, vlen;

		lineno++;
		if (len > INI_MAX_LINE) {
			set_err(err, errlen, "line longer than %d bytes", INI_MAX_LINE);
			return lineno;
		}
		memcpy(line, p, len);
		line[len] = '\0';
		p = nl ? nl + 1 : p + len;

		s = trim(line, &len);
		if (len == 0 || s[0] == '#' || s[0] == ';')
			continue;
		if (s[0] == '[') {
			if (len < 2 || s[len - 1] != ']') {
				set_err(err, errlen, "missing ']'");
				return lineno;
			}
			len -= 2;
			s = trim(s + 1, &len);
			memcpy(section, s, len + 1);
			continue;
		}
		eq = strchr(s, '=');
		if (!eq) {
			set_err(err, errlen, "expected key = value");
			return lineno;
		}
		klen = (size_t)(eq - s);
		key = trim(s, &klen);
		if (klen == 0) {
			set_err(err, errlen, "empty key");
			return lineno;
		}
		vlen = strlen(eq + 1);
		val = trim(eq + 1, &vlen);
		/* Quotes only keep spaces; a lone quote is just a character. */
		if (vlen >= 2 && val[0] == '"' && val[vlen - 1] == '"') {
			val[vlen - 1] = '\0';
			val++;
		}
		if (fn && fn(ud, section, key, val, err, errlen) != 0)
			return lineno;
	}
	return 0;
}

int ini_parse_file(const char *path, ini_fn fn, void *ud, char *err, size_t errlen)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	size_t len = 0, cap = 8192;
	int rc;

	if (!f) {
		set_err(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	buf = xmalloc(cap);
	for (;;) {
		size_t got;

		if (len + 1 >= cap) {
			if (cap >= INI_MAX_FILE) {
				set_err(err, errlen, "%s: file too large", path);
				free(buf);
				fclose(f);
				return -1;
			}
			cap *= 2;
			buf = xrealloc(buf, cap);
		}
		got = fread(buf + len, 1, cap - 1 - len, f);
		len += got;
		if (got == 0)
			break;
	}
	if (ferror(f)) {
		set_err(err, errlen, "%s: %s", path, strerror(errno ? errno : EIO));
		free(buf);
		fclose(f);
		return -1;
	}
	fclose(f);
	buf[len] = '\0';
	/* A NUL would silently end the text early; refuse the file instead. */
	if (memchr(buf, '\0', len)) {
		set_err(err, errlen, "%s: contains a NUL byte", path);
		free(buf);
		return -1;
	}
	rc = ini_parse(buf, fn, ud, err, errlen);
	free(buf);
	return rc;
}
