/* jsonx.c: limits and typed access for JSON that comes from outside.
 *
 * The gateway is not trusted to keep its own contract: bodies are bounded in
 * size and depth before jansson sees them, and every getter checks the type
 * and says which field was wrong, so a bad answer becomes a clear message on
 * the screen instead of a crash.
 */
#include "jsonx.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "text.h"
#include "xmem.h"

bool jsonx_depth_ok(const char *buf, size_t len, int max_depth)
{
	size_t i;
	int depth = 0;
	bool in_string = false;

	if (!buf)
		return true;
	for (i = 0; i < len; i++) {
		char c = buf[i];

		if (in_string) {
			if (c == '\\')
				i++; /* the escaped byte cannot end the string */
			else if (c == '"')
				in_string = false;
			continue;
		}
		if (c == '"') {
			in_string = true;
		} else if (c == '[' || c == '{') {
			if (++depth > max_depth)
				return false;
		} else if ((c == ']' || c == '}') && depth > 0) {
			depth--;
		}
	}
	return true;
}

/* What went wrong, in words of our own: jansson's message quotes the input
 * near the error ("near '\"4401061969...'"), and that may be an ID number
 * or a token on its way to the log. */
static const char *parse_error_kind(const json_error_t *e)
{
	switch (json_error_code(e)) {
	case json_error_out_of_memory: return "out of memory";
	case json_error_stack_overflow: return "nested too deeply";
	case json_error_invalid_utf8: return "invalid UTF-8";
	case json_error_premature_end_of_input: return "the answer ends too early";
	case json_error_end_of_input_expected: return "more after the end";
	case json_error_invalid_syntax: return "invalid syntax";
	case json_error_null_character: return "a NUL character";
	case json_error_null_byte_in_key: return "a NUL in a key";
	case json_error_duplicate_key: return "a duplicate key";
	case json_error_numeric_overflow: return "a number out of range";
	default: return "not valid JSON";
	}
}

json_t *jsonx_parse(const char *buf, size_t len, char *err, size_t errlen)
{
	json_error_t jerr;
	json_t *root;
	char *fixed;
	size_t fixed_len;

	if (!buf)
		len = 0;
	if (len > JSONX_MAX_BODY) {
		set_err(err, errlen, "body too large");
		return NULL;
	}
	if (!jsonx_depth_ok(buf, len, JSONX_MAX_DEPTH)) {
		set_err(err, errlen, "nested too deeply");
		return NULL;
	}
	fixed = text_utf8_repair(buf ? buf : "", len, &fixed_len);
	/* DECODE_ANY: a bare `null` is valid JSON and the decoders name the
	 * type error better than "not JSON" would. ALLOW_NUL: a "\u0000" in
	 * one string should cost that string a U+FFFD, not the whole answer. */
	root = json_loadb(fixed, fixed_len, JSON_DECODE_ANY | JSON_ALLOW_NUL, &jerr);
	/* The copy may hold a token or an ID number. */
	explicit_bzero(fixed, fixed_len);
	free(fixed);
	if (!root)
		set_err(err, errlen, "not JSON: %s at line %d, column %d (byte %d)",
		        parse_error_kind(&jerr), jerr.line, jerr.column, jerr.position);
	explicit_bzero(&jerr, sizeof jerr);
	return root;
}

/* "<path>.<key>", or just "<key>" at the top level. */
static void err_field(char *err, size_t errlen, const char *path, const char *key,
                      const char *what)
{
	if (path && *path)
		set_err(err, errlen, "%s.%s: %s", path, key, what);
	else
		set_err(err, errlen, "%s: %s", key, what);
}

/* Looks key up in obj. Returns 1 with *v set when present, 0 when absent and
 * optional, -1 after writing the error. A JSON null counts as absent: real
 * gateways write "summary": null for "no summary", and a required null is
 * still an error (reported as the expected type). */
static int lookup(const json_t *obj, const char *key, bool required,
                  const char *type, const json_t **v, const char *path,
                  char *err, size_t errlen)
{
	const json_t *x;

	if (!json_is_object(obj)) {
		set_err(err, errlen, "%s: expected object",
		        path && *path ? path : "(root)");
		return -1;
	}
	x = json_object_get(obj, key);
	if (!x || json_is_null(x)) {
		if (!required)
			return 0;
		err_field(err, errlen, path, key, x ? type : "missing");
		return -1;
	}
	*v = x;
	return 1;
}

static int get_string(const json_t *obj, const char *key, bool required,
                      char **out, unsigned flags, const char *path, char *err,
                      size_t errlen)
{
	const json_t *v = NULL;
	int r = lookup(obj, key, required, "expected string", &v, path, err, errlen);

	if (r <= 0)
		return r;
	if (!json_is_string(v)) {
		err_field(err, errlen, path, key, "expected string");
		return -1;
	}
	*out = text_sanitize(json_string_value(v), json_string_length(v), flags);
	return 0;
}

int jsonx_str(const json_t *obj, const char *key, bool required, char **out,
              const char *path, char *err, size_t errlen)
{
	return get_string(obj, key, required, out, 0, path, err, errlen);
}

int jsonx_text(const json_t *obj, const char *key, bool required, char **out,
               const char *path, char *err, size_t errlen)
{
	return get_string(obj, key, required, out, TEXT_KEEP_NEWLINES, path, err,
	                  errlen);
}

int jsonx_int(const json_t *obj, const char *key, bool required, long long *out,
              const char *path, char *err, size_t errlen)
{
	const json_t *v = NULL;
	int r = lookup(obj, key, required, "expected integer", &v, path, err, errlen);

	if (r <= 0)
		return r;
	if (!json_is_integer(v)) {
		err_field(err, errlen, path, key, "expected integer");
		return -1;
	}
	*out = (long long)json_integer_value(v);
	return 0;
}

int jsonx_bool(const json_t *obj, const char *key, bool required, bool *out,
               const char *path, char *err, size_t errlen)
{
	const json_t *v = NULL;
	int r = lookup(obj, key, required, "expected boolean", &v, path, err, errlen);

	if (r <= 0)
		return r;
	if (!json_is_boolean(v)) {
		err_field(err, errlen, path, key, "expected boolean");
		return -1;
	}
	*out = json_is_true(v);
	return 0;
}

int jsonx_strv(const json_t *obj, const char *key, bool required, char ***out,
               size_t *n, const char *path, char *err, size_t errlen)
{
	const json_t *v = NULL;
	size_t i, len;
	char **vec;
	int r = lookup(obj, key, required, "expected array", &v, path, err, errlen);

	if (r <= 0)
		return r;
	if (!json_is_array(v)) {
		err_field(err, errlen, path, key, "expected array");
		return -1;
	}
	len = json_array_size(v);
	vec = xmallocarray(len + 1, sizeof *vec);
	for (i = 0; i < len; i++) {
		const json_t *e = json_array_get(v, i);

		if (!json_is_string(e)) {
			vec[i] = NULL;
			jsonx_strv_free(vec);
			if (path && *path)
				set_err(err, errlen, "%s.%s[%zu]: expected string", path, key, i);
			else
				set_err(err, errlen, "%s[%zu]: expected string", key, i);
			return -1;
		}
		vec[i] = text_sanitize(json_string_value(e), json_string_length(e), 0);
	}
	vec[len] = NULL;
	*out = vec;
	if (n)
		*n = len;
	return 0;
}

void jsonx_strv_free(char **v)
{
	char **p;

	if (!v)
		return;
	for (p = v; *p; p++)
		free(*p);
	free(v);
}
