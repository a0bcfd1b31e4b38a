/* jsonx.h: limits and typed access for JSON from outside (pure core).
 *
 * The gateway contract limits every answer to 1 MiB and depth 32; jansson's
 * own depth limit is far higher, so depth is checked on the raw bytes first.
 */
#ifndef KIOSK_JSONX_H
#define KIOSK_JSONX_H

#include <stddef.h>
#include <stdbool.h>
#include <jansson.h>

#define JSONX_MAX_BODY  (1024 * 1024)
#define JSONX_MAX_DEPTH 32

/* True if the nesting of arrays/objects in buf[0..len) never exceeds
 * max_depth (strings, including escaped quotes, are skipped correctly).
 * Does not validate the JSON otherwise. */
bool jsonx_depth_ok(const char *buf, size_t len, int max_depth);

/* Parses an answer body: checks size (<= JSONX_MAX_BODY), depth, repairs
 * invalid UTF-8 (text_utf8_repair), then json_loadb. Returns a new reference
 * or NULL with a short English reason in err ("body too large", "nested too
 * deeply", "not JSON: <kind> at line L, column C (byte B)"). The reason
 * never quotes the input (it goes to the log, and answers carry tokens and
 * ID numbers); the repaired copy is wiped before it is freed. */
json_t *jsonx_parse(const char *buf, size_t len, char *err, size_t errlen);

/* Typed getters. Each returns 0 on success. On a missing key with
 * required=false it returns 0 and leaves *out as the default given; on a
 * missing required key or a wrong type it returns -1 and writes
 * "<path>.<key>: expected <type>" (or "...: missing") into err.
 * Strings come out sanitized (text_sanitize, newlines kept only by
 * jsonx_text) and newly allocated; the caller frees. */
int jsonx_str(const json_t *obj, const char *key, bool required, char **out,
              const char *path, char *err, size_t errlen);
int jsonx_text(const json_t *obj, const char *key, bool required, char **out,
               const char *path, char *err, size_t errlen); /* keeps '\n' */
int jsonx_int(const json_t *obj, const char *key, bool required, long long *out,
              const char *path, char *err, size_t errlen);
int jsonx_bool(const json_t *obj, const char *key, bool required, bool *out,
               const char *path, char *err, size_t errlen);
/* Array of strings; *out is a NULL-terminated vector, *n its length. */
int jsonx_strv(const json_t *obj, const char *key, bool required, char ***out,
               size_t *n, const char *path, char *err, size_t errlen);
void jsonx_strv_free(char **v);

#endif
