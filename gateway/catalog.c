/* catalog.c: reading a catalog file (gatewayd --catalog) and checking all
 * of it before anything is stored.
 *
 * A file that is wrong in any way is refused with one line naming the
 * problem and where it is: jansson's line and column for JSON that does not
 * parse, the JSON path for everything else ("services[12].name: expected
 * string, got number"; a duplicate id names both positions). Nothing a file
 * holds is echoed unless it is short printable ASCII (ids, kinds), so the
 * message stays one clean line whatever the file contains.
 */
#include "gw_catalog.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define PATH_LEN 160

struct ctx {
	char *err;
	size_t errlen;
};

__attribute__((format(printf, 3, 4)))
static int bad(struct ctx *c, const char *path, const char *fmt, ...)
{
	va_list ap;
	int n = snprintf(c->err, c->errlen, "%s: ", path);
	if (n < 0 || (size_t)n >= c->errlen)
		n = 0;
	va_start(ap, fmt);
	vsnprintf(c->err + n, c->errlen - (size_t)n, fmt, ap);
	va_end(ap);
	return -1;
}

/* path + "." + key, or key alone at the top. */
static void join(char out[PATH_LEN], const char *path, const char *key)
{
	if (snprintf(out, PATH_LEN, "%s%s%s", path, *path ? "." : "", key) >= PATH_LEN)
		out[PATH_LEN - 2] = '~'; /* cut short (never with this file's paths) */
}

static void index_path(char out[PATH_LEN], const char *path, const char *key, size_t i)
{
	if (snprintf(out, PATH_LEN, "%s%s%s[%zu]", path, *path && *key ? "." : "", key, i) >= PATH_LEN)
		out[PATH_LEN - 2] = '~';
}

static const char *type_name(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT: return "object";
	case JSON_ARRAY: return "array";
	case JSON_STRING: return "string";
	case JSON_INTEGER: return "integer";
	case JSON_REAL: return "real number";
	case JSON_TRUE: case JSON_FALSE: return "boolean";
	default: return "null";
	}
}

/* s in quotes if it is short printable ASCII, else a placeholder: what a
 * message may repeat of the file. */
static const char *echo(const char *s, char out[48])
{
	size_t n = strlen(s);
	bool ok = n <= 40;
	for (size_t i = 0; ok && i < n; i++)
		ok = s[i] >= 0x20 && s[i] < 0x7f && s[i] != '"';
	if (ok)
		snprintf(out, 48, "\"%s\"", s);
	else
		snprintf(out, 48, "(a value of %zu bytes)", n);
	return out;
}

/* Ids: what GET /v1/services/{id} looks up (routes.c). */
static bool id_ok(const char *s)
{
	size_t n = strlen(s);
	if (n < 1 || n > 64)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '_' ||
		      s[i] == '-'))
			return false;
	return true;
}

/* One code point of valid UTF-8 (jansson has checked it). */
static uint32_t utf8_next(const unsigned char **p)
{
	const unsigned char *s = *p;
	uint32_t c = s[0];
	int n = c < 0x80 ? 0 : c < 0xe0 ? 1 : c < 0xf0 ? 2 : 3;
	if (n)
		c &= 0x3fu >> n;
	for (int i = 1; i <= n; i++)
		c = (c << 6) | (s[i] & 0x3f);
	*p = s + 1 + n;
	return c;
}

/* C0 and C1 controls, DEL, the line and paragraph separators, and the
 * invisible bidi controls the kiosk would strip anyway. */
static bool is_control(uint32_t c)
{
	return c < 0x20 || (c >= 0x7f && c < 0xa0) || c == 0x2028 || c == 0x2029 ||
	       c == 0x200e || c == 0x200f || c == 0x061c || (c >= 0x202a && c <= 0x202e) ||
	       (c >= 0x2066 && c <= 0x2069);
}

static bool is_blank(uint32_t c)
{
	return c == ' ' || c == 0x3000 || c == 0xa0;
}

/* A text: at most max characters, no control characters (a newline only
 * where newline), and not empty or blank unless may_be_empty. */
static int check_text(struct ctx *c, const char *path, const json_t *v, size_t max,
                      bool newline, bool may_be_empty)
{
	const unsigned char *p = (const unsigned char *)json_string_value(v);
	const unsigned char *end = p + json_string_length(v);
	size_t n = 0;
	bool blank = true;
	while (p < end) {
		uint32_t ch = utf8_next(&p);
		n++;
		if (is_control(ch) && !(newline && ch == '\n'))
			return bad(c, path, "control character U+%04X at character %zu", (unsigned)ch, n);
		blank = blank && (is_blank(ch) || ch == '\n');
	}
	if (blank && !may_be_empty)
		return bad(c, path, n ? "blank" : "empty");
	if (n > max)
		return bad(c, path, "%zu characters, more than %zu", n, max);
	return 0;
}

/* Members other than the allowed ones are refused: a typo ("sumary") must
 * not pass as an absent member. */
static int members_ok(struct ctx *c, const json_t *o, const char *path, const char *const allowed[])
{
	const char *key;
	json_t *v;
	json_object_foreach((json_t *)o, key, v) {
		size_t k = 0;
		while (allowed[k] && strcmp(allowed[k], key))
			k++;
		if (!allowed[k]) {
			char sub[PATH_LEN], e[48];
			if (echo(key, e)[0] == '"') {
				join(sub, path, key);
				return bad(c, sub, "unknown member");
			}
			return bad(c, *path ? path : "(top level)", "unknown member %s", e);
		}
	}
	return 0;
}

/* o[key] of JSON type t, or NULL if absent (then -1 in *rc if required). */
static const json_t *get(struct ctx *c, const json_t *o, const char *path, const char *key,
                         json_type t, bool required, int *rc)
{
	const json_t *v = json_object_get(o, key);
	char sub[PATH_LEN];
	static const char *const names[] = {
		[JSON_OBJECT] = "object", [JSON_ARRAY] = "array", [JSON_STRING] = "string",
		[JSON_INTEGER] = "integer", [JSON_REAL] = "real number", [JSON_TRUE] = "boolean",
		[JSON_FALSE] = "boolean", [JSON_NULL] = "null",
	};
	*rc = 0;
	join(sub, path, key);
	if (!v) {
		if (required)
			*rc = bad(c, sub, "missing");
		return NULL;
	}
	bool ok = t == JSON_TRUE ? json_is_boolean(v) : json_typeof(v) == t;
	if (!ok) {
		*rc = bad(c, sub, "expected %s, got %s", names[t], type_name(v));
		return NULL;
	}
	return v;
}

/* A string member checked as a text; *out is NULL when absent. */
static int get_text(struct ctx *c, const json_t *o, const char *path, const char *key,
                    bool required, size_t max, bool newline, bool may_be_empty,
                    const char **out)
{
	int rc;
	char sub[PATH_LEN];
	const json_t *v = get(c, o, path, key, JSON_STRING, required, &rc);
	*out = NULL;
	if (!v)
		return rc;
	join(sub, path, key);
	if (check_text(c, sub, v, max, newline, may_be_empty))
		return -1;
	*out = json_string_value(v);
	return 0;
}

static int get_id(struct ctx *c, const json_t *o, const char *path, const char *key,
                  const char **out)
{
	int rc;
	char sub[PATH_LEN];
	const json_t *v = get(c, o, path, key, JSON_STRING, true, &rc);
	if (!v)
		return rc;
	*out = json_string_value(v);
	if (!id_ok(*out) || strlen(*out) != json_string_length(v)) {
		join(sub, path, key);
		return bad(c, sub, "expected 1 to 64 characters of a-z, 0-9, _ and -");
	}
	return 0;
}

/* An integer member from min to max; *present says whether it was there. */
static int get_int(struct ctx *c, const json_t *o, const char *path, const char *key,
                   long long min, long long max, long long *out, bool *present)
{
	int rc;
	char sub[PATH_LEN];
	const json_t *v = get(c, o, path, key, JSON_INTEGER, false, &rc);
	if (present)
		*present = v != NULL;
	if (!v)
		return rc;
	*out = json_integer_value(v);
	join(sub, path, key);
	if (*out < min)
		return bad(c, sub, min == 0 ? "%lld is negative" : "%lld is less than %lld", *out, min);
	if (*out > max)
		return bad(c, sub, "%lld is more than %lld", *out, max);
	return 0;
}

/* An array of texts (keywords, materials), each non-empty. */
static int get_text_list(struct ctx *c, const json_t *o, const char *path, const char *key,
                         size_t max_items, size_t max_chars, const char ***out, size_t *n)
{
	int rc;
	char sub[PATH_LEN];
	const json_t *a = get(c, o, path, key, JSON_ARRAY, false, &rc);
	*out = NULL;
	*n = 0;
	if (!a)
		return rc;
	size_t k = json_array_size(a);
	if (k > max_items) {
		join(sub, path, key);
		return bad(c, sub, "%zu items, more than %zu", k, max_items);
	}
	*out = calloc(k ? k : 1, sizeof **out);
	if (!*out)
		abort();
	for (size_t i = 0; i < k; i++) {
		const json_t *v = json_array_get(a, i);
		index_path(sub, path, key, i);
		if (!json_is_string(v))
			return bad(c, sub, "expected string, got %s", type_name(v));
		if (check_text(c, sub, v, max_chars, false, false))
			return -1;
		(*out)[i] = json_string_value(v);
		*n = i + 1;
	}
	return 0;
}

/* "YYYY-MM-DD" (a real date) or "today". */
static bool date_ok(const char *s)
{
	static const int mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	if (!strcmp(s, "today"))
		return true;
	if (strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return false;
	for (int i = 0; i < 10; i++)
		if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
			return false;
	int y = atoi(s), m = atoi(s + 5), d = atoi(s + 8);
	if (y < 1900 || m < 1 || m > 12 || d < 1 || d > mdays[m - 1])
		return false;
	return !(m == 2 && d == 29 && (y % 4 || (y % 100 == 0 && y % 400)));
}

static const char *const field_types[] = { "text", "number", "money", "date", "select",
                                           "bool", "idcard", "phone", NULL };
static const char *const kinds[] = { "apply", "query", "bill", "queue", NULL };

static bool one_of(const char *s, const char *const list[])
{
	for (size_t i = 0; list[i]; i++)
		if (!strcmp(s, list[i]))
			return true;
	return false;
}

static int parse_options(struct ctx *c, const json_t *o, const char *path, struct cat_field *f)
{
	static const char *const allowed[] = { "value", "label", NULL };
	int rc;
	char sub[PATH_LEN], opath[PATH_LEN];
	const json_t *a = get(c, o, path, "options", JSON_ARRAY, true, &rc);
	if (!a)
		return rc;
	size_t n = json_array_size(a);
	join(sub, path, "options");
	if (n == 0)
		return bad(c, sub, "empty: a select needs at least one option");
	if (n > CAT_OPTIONS_MAX)
		return bad(c, sub, "%zu options, more than %d", n, CAT_OPTIONS_MAX);
	f->opts = calloc(n, sizeof *f->opts);
	if (!f->opts)
		abort();
	for (size_t i = 0; i < n; i++) {
		const json_t *e = json_array_get(a, i);
		index_path(opath, path, "options", i);
		if (!json_is_object(e))
			return bad(c, opath, "expected object, got %s", type_name(e));
		f->n_opts = i + 1;
		if (members_ok(c, e, opath, allowed) ||
		    get_text(c, e, opath, "value", true, CAT_VALUE_MAX, false, false, &f->opts[i].value) ||
		    get_text(c, e, opath, "label", true, CAT_LABEL_MAX, false, false, &f->opts[i].label))
			return -1;
		for (size_t j = 0; j < i; j++)
			if (!strcmp(f->opts[j].value, f->opts[i].value)) {
				char first[PATH_LEN];
				index_path(first, path, "options", j);
				join(sub, opath, "value");
				return bad(c, sub, "the same value as %s.value", first);
			}
	}
	return 0;
}

/* min and max of a field: integers for number and money, dates for date,
 * and nothing elsewhere. */
static int parse_bounds(struct ctx *c, const json_t *o, const char *path, struct cat_field *f)
{
	char sub[PATH_LEN];
	bool number = !strcmp(f->type, "number") || !strcmp(f->type, "money");
	bool date = !strcmp(f->type, "date");
	for (int k = 0; k < 2; k++) {
		const char *key = k ? "max" : "min";
		const json_t *v = json_object_get(o, key);
		if (!v)
			continue;
		join(sub, path, key);
		if (!number && !date)
			return bad(c, sub, "only number, money and date fields have min and max");
		if (number) {
			if (!json_is_integer(v))
				return bad(c, sub, "expected integer, got %s", type_name(v));
			f->bounds = CB_INT;
			*(k ? &f->max : &f->min) = json_integer_value(v);
			*(k ? &f->has_max : &f->has_min) = true;
		} else {
			if (!json_is_string(v))
				return bad(c, sub, "expected string, got %s", type_name(v));
			if (!date_ok(json_string_value(v)))
				return bad(c, sub, "expected a date YYYY-MM-DD or \"today\"");
			f->bounds = CB_DATE;
			*(k ? &f->max_s : &f->min_s) = json_string_value(v);
		}
	}
	if (f->has_min && f->has_max && f->min > f->max) {
		join(sub, path, "min");
		return bad(c, sub, "%lld is more than max %lld", f->min, f->max);
	}
	if (f->min_s && f->max_s && strcmp(f->min_s, "today") && strcmp(f->max_s, "today") &&
	    strcmp(f->min_s, f->max_s) > 0) {
		join(sub, path, "min");
		return bad(c, sub, "%s is after max %s", f->min_s, f->max_s);
	}
	return 0;
}

static int parse_field(struct ctx *c, const json_t *o, const char *path, struct cat_field *f)
{
	static const char *const allowed[] = { "id", "type", "label", "required", "max_len",
	                                       "prefill", "min", "max", "options", NULL };
	char sub[PATH_LEN], e[48];
	int rc;
	if (!json_is_object(o))
		return bad(c, path, "expected object, got %s", type_name(o));
	if (members_ok(c, o, path, allowed) || get_id(c, o, path, "id", &f->id))
		return -1;
	const json_t *t = get(c, o, path, "type", JSON_STRING, true, &rc);
	if (!t)
		return rc;
	f->type = json_string_value(t);
	if (!one_of(f->type, field_types)) {
		join(sub, path, "type");
		return bad(c, sub, "%s is not one of text, number, money, date, select, bool, idcard, "
		           "phone", echo(f->type, e));
	}
	if (get_text(c, o, path, "label", true, CAT_LABEL_MAX, false, false, &f->label))
		return -1;
	const json_t *r = get(c, o, path, "required", JSON_TRUE, false, &rc);
	if (rc)
		return rc;
	f->required = r && json_is_true(r);
	if (get_int(c, o, path, "max_len", 1, CAT_MAX_LEN_MAX, &f->max_len, NULL))
		return -1;
	const json_t *p = get(c, o, path, "prefill", JSON_STRING, false, &rc);
	if (rc)
		return rc;
	if (p) {
		f->prefill = json_string_value(p);
		if (strcmp(f->prefill, "citizen.name") && strcmp(f->prefill, "citizen.id")) {
			join(sub, path, "prefill");
			return bad(c, sub, "%s is not \"citizen.name\" or \"citizen.id\"", echo(f->prefill, e));
		}
	}
	if (parse_bounds(c, o, path, f))
		return -1;
	if (!strcmp(f->type, "select"))
		return parse_options(c, o, path, f);
	if (json_object_get(o, "options")) {
		join(sub, path, "options");
		return bad(c, sub, "only select fields have options");
	}
	return 0;
}

static int parse_form(struct ctx *c, const json_t *svc, const char *spath, struct cat_service *s)
{
	static const char *const allowed[] = { "fields", "fee_fen", NULL };
	char path[PATH_LEN], sub[PATH_LEN];
	int rc;
	const json_t *fo = get(c, svc, spath, "form", JSON_OBJECT, false, &rc);
	if (!fo)
		return rc;
	join(path, spath, "form");
	if (members_ok(c, fo, path, allowed))
		return -1;
	long long fee = 0;
	bool has_fee;
	if (get_int(c, fo, path, "fee_fen", 0, CAT_FEE_MAX, &fee, &has_fee))
		return -1;
	if (has_fee && fee != s->fee_fen) {
		join(sub, path, "fee_fen");
		return bad(c, sub, "%lld, but the service's fee_fen is %lld", fee, s->fee_fen);
	}
	const json_t *a = get(c, fo, path, "fields", JSON_ARRAY, true, &rc);
	if (!a)
		return rc;
	size_t n = json_array_size(a);
	if (n > CAT_FIELDS_MAX) {
		join(sub, path, "fields");
		return bad(c, sub, "%zu fields, more than %d", n, CAT_FIELDS_MAX);
	}
	s->has_form = true;
	s->fields = calloc(n ? n : 1, sizeof *s->fields);
	if (!s->fields)
		abort();
	for (size_t i = 0; i < n; i++) {
		char fpath[PATH_LEN];
		index_path(fpath, path, "fields", i);
		s->n_fields = i + 1;
		if (parse_field(c, json_array_get(a, i), fpath, &s->fields[i]))
			return -1;
		for (size_t j = 0; j < i; j++)
			if (!strcmp(s->fields[j].id, s->fields[i].id)) {
				char first[PATH_LEN], e[48];
				index_path(first, path, "fields", j);
				join(sub, fpath, "id");
				return bad(c, sub, "%s is also %s.id", echo(s->fields[i].id, e), first);
			}
	}
	return 0;
}

/* Positions of ids, sorted by id then position: duplicates side by side. */
struct pos {
	const char *id;
	size_t i;
};

static int pos_cmp(const void *a, const void *b)
{
	const struct pos *x = a, *y = b;
	int r = strcmp(x->id, y->id);
	return r ? r : (x->i > y->i) - (x->i < y->i);
}

/* Sorts ids[0..n); if two are equal, -1 with both positions in *first and
 * *second (the duplicate met first when reading the file). */
static int find_duplicate(struct pos *p, size_t n, size_t *first, size_t *second)
{
	qsort(p, n, sizeof *p, pos_cmp);
	bool found = false;
	for (size_t k = 1; k < n; k++)
		if (!strcmp(p[k].id, p[k - 1].id) && (!found || p[k].i < *second)) {
			found = true;
			*first = p[k - 1].i;
			*second = p[k].i;
		}
	return found ? -1 : 0;
}

static const struct pos *find_id(const struct pos *p, size_t n, const char *id)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int r = strcmp(id, p[mid].id);
		if (r == 0)
			return &p[mid];
		if (r < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

static int parse_categories(struct ctx *c, const json_t *a, struct catalog_file *out,
                            struct pos **sorted)
{
	static const char *const allowed[] = { "id", "name", "where", NULL };
	size_t n = json_array_size(a);
	out->cats = calloc(n ? n : 1, sizeof *out->cats);
	*sorted = calloc(n ? n : 1, sizeof **sorted);
	if (!out->cats || !*sorted)
		abort();
	for (size_t i = 0; i < n; i++) {
		const json_t *o = json_array_get(a, i);
		struct cat_category *cat = &out->cats[i];
		char path[PATH_LEN];
		index_path(path, "", "categories", i);
		if (!json_is_object(o))
			return bad(c, path, "expected object, got %s", type_name(o));
		if (members_ok(c, o, path, allowed) || get_id(c, o, path, "id", &cat->id) ||
		    get_text(c, o, path, "name", true, CAT_NAME_MAX, false, false, &cat->name) ||
		    get_text(c, o, path, "where", false, CAT_WHERE_MAX, false, true, &cat->where))
			return -1;
		(*sorted)[i] = (struct pos){ cat->id, i };
		out->n_cats = i + 1;
	}
	size_t first, second;
	if (find_duplicate(*sorted, n, &first, &second)) {
		char path[PATH_LEN], e[48];
		snprintf(path, sizeof path, "categories[%zu].id", second);
		return bad(c, path, "%s is also categories[%zu].id", echo(out->cats[second].id, e), first);
	}
	return 0;
}

static int parse_service(struct ctx *c, const json_t *o, const char *path, struct cat_service *s,
                         const struct pos *cats, size_t n_cats)
{
	static const char *const allowed[] = { "id", "category", "name", "summary", "keywords",
	                                       "kind", "login_required", "fee_fen", "description",
	                                       "materials", "processing_days", "where", "form",
	                                       NULL };
	char sub[PATH_LEN], e[48];
	int rc;
	if (!json_is_object(o))
		return bad(c, path, "expected object, got %s", type_name(o));
	if (members_ok(c, o, path, allowed) || get_id(c, o, path, "id", &s->id))
		return -1;
	const json_t *v = get(c, o, path, "category", JSON_STRING, true, &rc);
	if (!v)
		return rc;
	s->category = json_string_value(v);
	if (!find_id(cats, n_cats, s->category)) {
		join(sub, path, "category");
		return bad(c, sub, "%s is not a category of the file", echo(s->category, e));
	}
	if (get_text(c, o, path, "name", true, CAT_NAME_MAX, false, false, &s->name) ||
	    get_text(c, o, path, "summary", false, CAT_SUMMARY_MAX, false, true, &s->summary) ||
	    get_text_list(c, o, path, "keywords", CAT_KEYWORDS_MAX, CAT_KEYWORD_MAX, &s->keywords,
	                  &s->n_keywords))
		return -1;
	if (!s->summary)
		s->summary = "";
	v = get(c, o, path, "kind", JSON_STRING, true, &rc);
	if (!v)
		return rc;
	s->kind = json_string_value(v);
	if (!one_of(s->kind, kinds)) {
		join(sub, path, "kind");
		return bad(c, sub, "%s is not one of apply, query, bill, queue", echo(s->kind, e));
	}
	v = get(c, o, path, "login_required", JSON_TRUE, false, &rc);
	if (rc)
		return rc;
	s->login_required = v && json_is_true(v);
	if (get_int(c, o, path, "fee_fen", 0, CAT_FEE_MAX, &s->fee_fen, NULL) ||
	    get_text(c, o, path, "description", false, CAT_DESC_MAX, true, true, &s->description) ||
	    get_text_list(c, o, path, "materials", CAT_MATERIALS_MAX, CAT_MATERIAL_MAX,
	                  &s->materials, &s->n_materials) ||
	    get_int(c, o, path, "processing_days", 0, CAT_DAYS_MAX, &s->processing_days, NULL) ||
	    get_text(c, o, path, "where", false, CAT_WHERE_MAX, false, true, &s->where) ||
	    parse_form(c, o, path, s))
		return -1;
	return 0;
}

static int parse(struct ctx *c, json_t *root, struct catalog_file *out)
{
	static const char *const allowed[] = { "version", "categories", "popular", "services", NULL };
	struct pos *cats = NULL, *svcs = NULL;
	int rc = -1;
	if (!json_is_object(root))
		return bad(c, "(top level)", "expected an object, got %s", type_name(root));
	if (members_ok(c, root, "", allowed) ||
	    get_text(c, root, "", "version", true, CAT_VALUE_MAX, false, false, &out->version))
		return -1;
	const json_t *ca = get(c, root, "", "categories", JSON_ARRAY, true, &rc);
	if (!ca)
		return rc;
	const json_t *sa = get(c, root, "", "services", JSON_ARRAY, true, &rc);
	if (!sa)
		return rc;
	const json_t *pa = get(c, root, "", "popular", JSON_ARRAY, false, &rc);
	if (rc)
		return rc;
	rc = -1;
	if (parse_categories(c, ca, out, &cats))
		goto done;

	size_t n = json_array_size(sa);
	out->svcs = calloc(n ? n : 1, sizeof *out->svcs);
	svcs = calloc(n ? n : 1, sizeof *svcs);
	if (!out->svcs || !svcs)
		abort();
	for (size_t i = 0; i < n; i++) {
		char path[PATH_LEN];
		index_path(path, "", "services", i);
		out->n_svcs = i + 1;
		if (parse_service(c, json_array_get(sa, i), path, &out->svcs[i], cats, out->n_cats))
			goto done;
		svcs[i] = (struct pos){ out->svcs[i].id, i };
	}
	size_t first, second;
	if (find_duplicate(svcs, n, &first, &second)) {
		char path[PATH_LEN], e[48];
		snprintf(path, sizeof path, "services[%zu].id", second);
		bad(c, path, "%s is also services[%zu].id", echo(out->svcs[second].id, e), first);
		goto done;
	}

	size_t np = json_array_size(pa);
	out->popular = calloc(np ? np : 1, sizeof *out->popular);
	if (!out->popular)
		abort();
	for (size_t i = 0; i < np; i++) {
		const json_t *v = json_array_get(pa, i);
		char path[PATH_LEN], e[48];
		snprintf(path, sizeof path, "popular[%zu]", i);
		if (!json_is_string(v)) {
			bad(c, path, "expected string, got %s", type_name(v));
			goto done;
		}
		const char *id = json_string_value(v);
		if (!find_id(svcs, n, id) || strlen(id) != json_string_length(v)) {
			bad(c, path, "%s is not a service of the file", echo(id, e));
			goto done;
		}
		for (size_t j = 0; j < i; j++)
			if (!strcmp(out->popular[j], id)) {
				bad(c, path, "%s is also popular[%zu]", echo(id, e), j);
				goto done;
			}
		out->popular[i] = id;
		out->n_popular = i + 1;
	}
	rc = 0;
done:
	free(cats);
	free(svcs);
	return rc;
}

/* jansson's message, made one clean line (it may quote the file). */
static void clean(char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s >= 0x7f)
			*s = '?';
}

int catalog_file_load(const char *path, struct catalog_file *out, char *err, size_t errlen)
{
	struct ctx c = { err, errlen };
	struct stat st;
	memset(out, 0, sizeof *out);
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		snprintf(err, errlen, "cannot open: %s", strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "not a regular file");
		close(fd);
		return -1;
	}
	if (st.st_size > CAT_FILE_MAX) {
		snprintf(err, errlen, "%lld bytes, more than the %ld MiB a catalog file may have",
		         (long long)st.st_size, CAT_FILE_MAX / (1024 * 1024));
		close(fd);
		return -1;
	}
	size_t size = (size_t)st.st_size, got = 0;
	char *buf = malloc(size + 1);
	if (!buf)
		abort();
	while (got < size) {
		ssize_t r = read(fd, buf + got, size - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			snprintf(err, errlen, "cannot read: %s", r < 0 ? strerror(errno) : "the file shrank");
			close(fd);
			free(buf);
			return -1;
		}
		got += (size_t)r;
	}
	close(fd);
	json_error_t je;
	out->root = json_loadb(buf, size, JSON_REJECT_DUPLICATES, &je);
	free(buf);
	if (!out->root) {
		clean(je.text);
		bool at_end = strstr(je.text, "end of file") || strstr(je.text, "premature end");
		snprintf(err, errlen, "invalid JSON%s at line %d, column %d: %s",
		         at_end ? " (truncated?)" : "", je.line, je.column, je.text);
		return -1;
	}
	if (parse(&c, out->root, out)) {
		catalog_file_free(out);
		return -1;
	}
	return 0;
}

void catalog_file_free(struct catalog_file *cf)
{
	for (size_t i = 0; i < cf->n_svcs; i++) {
		struct cat_service *s = &cf->svcs[i];
		for (size_t k = 0; k < s->n_fields; k++)
			free(s->fields[k].opts);
		free(s->fields);
		free(s->keywords);
		free(s->materials);
	}
	free(cf->svcs);
	free(cf->cats);
	free(cf->popular);
	json_decref(cf->root);
	memset(cf, 0, sizeof *cf);
}

/* ---- translations ---------------------------------------------------------- */

static bool str_eq(const char *a, const char *b)
{
	return (!a && !b) || (a && b && !strcmp(a, b));
}

static int differ(struct ctx *c, const char *path, const char *base_name, const char *what,
                  const char *base)
{
	return bad(c, path, "%s, but %s in %s", what, base, base_name);
}

static int same_field(struct ctx *c, const char *path, const char *bn,
                      const struct cat_field *b, const struct cat_field *o)
{
	char sub[PATH_LEN], x[48], y[48];
	if (strcmp(b->id, o->id)) {
		join(sub, path, "id");
		return differ(c, sub, bn, echo(o->id, x), echo(b->id, y));
	}
	if (strcmp(b->type, o->type)) {
		join(sub, path, "type");
		return differ(c, sub, bn, echo(o->type, x), echo(b->type, y));
	}
	if (b->required != o->required || b->max_len != o->max_len || !str_eq(b->prefill, o->prefill) ||
	    b->bounds != o->bounds || b->has_min != o->has_min || b->has_max != o->has_max ||
	    b->min != o->min || b->max != o->max || !str_eq(b->min_s, o->min_s) ||
	    !str_eq(b->max_s, o->max_s))
		return bad(c, path, "required, max_len, prefill, min or max differ from %s", bn);
	if (b->n_opts != o->n_opts) {
		join(sub, path, "options");
		snprintf(x, sizeof x, "%zu", o->n_opts);
		snprintf(y, sizeof y, "%zu", b->n_opts);
		return differ(c, sub, bn, x, y);
	}
	for (size_t i = 0; i < b->n_opts; i++)
		if (strcmp(b->opts[i].value, o->opts[i].value)) {
			char opath[PATH_LEN];
			index_path(opath, path, "options", i);
			join(sub, opath, "value");
			return bad(c, sub, "differs from %s (option values are the same in every language)", bn);
		}
	return 0;
}

static int same_service(struct ctx *c, const char *path, const char *bn,
                        const struct cat_service *b, const struct cat_service *o)
{
	char sub[PATH_LEN], x[48], y[48];
	static const char *const names[] = { "id", "category", "kind" };
	const char *bv[] = { b->id, b->category, b->kind }, *ov[] = { o->id, o->category, o->kind };
	for (int k = 0; k < 3; k++)
		if (strcmp(bv[k], ov[k])) {
			join(sub, path, names[k]);
			return differ(c, sub, bn, echo(ov[k], x), echo(bv[k], y));
		}
	if (b->login_required != o->login_required) {
		join(sub, path, "login_required");
		return differ(c, sub, bn, o->login_required ? "true" : "false",
		              b->login_required ? "true" : "false");
	}
	long long bn_[] = { b->fee_fen, b->processing_days }, on[] = { o->fee_fen, o->processing_days };
	static const char *const inames[] = { "fee_fen", "processing_days" };
	for (int k = 0; k < 2; k++)
		if (bn_[k] != on[k]) {
			join(sub, path, inames[k]);
			snprintf(x, sizeof x, "%lld", on[k]);
			snprintf(y, sizeof y, "%lld", bn_[k]);
			return differ(c, sub, bn, x, y);
		}
	join(sub, path, "form");
	if (b->has_form != o->has_form)
		return bad(c, sub, o->has_form ? "given, but not in %s" : "missing, but given in %s", bn);
	if (b->n_fields != o->n_fields) {
		char fpath[PATH_LEN];
		join(fpath, sub, "fields");
		snprintf(x, sizeof x, "%zu", o->n_fields);
		snprintf(y, sizeof y, "%zu", b->n_fields);
		return differ(c, fpath, bn, x, y);
	}
	for (size_t i = 0; i < b->n_fields; i++) {
		char fpath[PATH_LEN];
		index_path(fpath, sub, "fields", i);
		if (same_field(c, fpath, bn, &b->fields[i], &o->fields[i]))
			return -1;
	}
	return 0;
}

int catalog_file_same(const struct catalog_file *b, const char *bn,
                      const struct catalog_file *o, char *err, size_t errlen)
{
	struct ctx c = { err, errlen };
	char path[PATH_LEN], x[48], y[48];
	if (strcmp(b->version, o->version))
		return differ(&c, "version", bn, echo(o->version, x), echo(b->version, y));
	if (b->n_cats != o->n_cats) {
		snprintf(x, sizeof x, "%zu", o->n_cats);
		snprintf(y, sizeof y, "%zu", b->n_cats);
		return differ(&c, "categories", bn, x, y);
	}
	for (size_t i = 0; i < b->n_cats; i++)
		if (strcmp(b->cats[i].id, o->cats[i].id)) {
			snprintf(path, sizeof path, "categories[%zu].id", i);
			return differ(&c, path, bn, echo(o->cats[i].id, x), echo(b->cats[i].id, y));
		}
	if (b->n_svcs != o->n_svcs) {
		snprintf(x, sizeof x, "%zu", o->n_svcs);
		snprintf(y, sizeof y, "%zu", b->n_svcs);
		return differ(&c, "services", bn, x, y);
	}
	for (size_t i = 0; i < b->n_svcs; i++) {
		snprintf(path, sizeof path, "services[%zu]", i);
		if (same_service(&c, path, bn, &b->svcs[i], &o->svcs[i]))
			return -1;
	}
	if (b->n_popular != o->n_popular) {
		snprintf(x, sizeof x, "%zu", o->n_popular);
		snprintf(y, sizeof y, "%zu", b->n_popular);
		return differ(&c, "popular", bn, x, y);
	}
	for (size_t i = 0; i < b->n_popular; i++)
		if (strcmp(b->popular[i], o->popular[i])) {
			snprintf(path, sizeof path, "popular[%zu]", i);
			return differ(&c, path, bn, echo(o->popular[i], x), echo(b->popular[i], y));
		}
	return 0;
}
