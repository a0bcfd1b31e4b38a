/* ini.h: INI files for the configuration and themes (pure core).
 *
 * Syntax: "[section]", "key = value", comments starting with '#' or ';' on
 * their own line, blank lines. Values are trimmed; a value may be quoted
 * with "..." to keep leading/trailing spaces. Keys before any section have
 * section "". Lines longer than 4096 bytes, a missing ']', a line with no
 * '=' or an empty key are errors.
 */
#ifndef KIOSK_INI_H
#define KIOSK_INI_H

#include <stddef.h>

/* Called for each key; return 0 to go on, or -1 after writing a message
 * into err (the parser then reports it with the line number). */
typedef int (*ini_fn)(void *ud, const char *section, const char *key,
                      const char *value, char *err, size_t errlen);

/* Parse text; returns 0, or the 1-based line number of the first error
 * with its message in err ("expected key = value", or the callback's). */
int ini_parse(const char *text, ini_fn fn, void *ud, char *err, size_t errlen);

/* Parse a file: returns 0, the error line, or -1 if it cannot be read
 * (err says why, with strerror). */
int ini_parse_file(const char *path, ini_fn fn, void *ud, char *err, size_t errlen);

#endif
