/* model.c: the gateway's answers decoded into typed structs.
 *
 * Every field is type-checked and every string sanitized here, once, so the
 * screens can trust what they draw. A wrong answer from the gateway becomes
 * -1 and a message naming the field ("services[12].name: expected string");
 * nothing the gateway sends can crash the kiosk. The catalog must stay
 * instant with 10,000 services, so lookups go through sorted indexes built
 * once at decode time (qsort, then binary search).
 */
#include "model.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonx.h"
#include "text.h"
#include "xmem.h"


/* "<path>.<key>" or "<key>" at the top level, for messages and sub-paths. */
static void join_path(char *buf, size_t n, const char *path, const char *key)
{
	if (path && *path)
		snprintf(buf, n, "%s.%s", path, key);
	else
		snprintf(buf, n, "%s", key);
}

static const char *const kind_names[] = {
	[SVC_APPLY] = "apply", [SVC_QUERY] = "query",
	[SVC_BILL] = "bill", [SVC_QUEUE] = "queue",
};

const char *svc_kind_name(enum svc_kind k)
{
	if ((unsigned)k < sizeof kind_names / sizeof kind_names[0])
		return kind_names[k];
	return "?";
}

static char **empty_strv(void)
{
	return xcalloc(1, sizeof(char *));
}

static void brief_free(struct service_brief *b)
{
	free(b->id);
	free(b->category);
	free(b->name);
	free(b->summary);
	jsonx_strv_free(b->keywords);
	memset(b, 0, sizeof *b);
}

/* A service as the catalog lists it. The detail answer repeats these fields;
 * there a missing category is tolerated (it is not needed to show a form). */
static int brief_decode(const json_t *o, struct service_brief *b, bool need_category,
                        const char *path, char *err, size_t errlen)
{
	char *kind = NULL;
	char sub[96];
	size_t k;

	memset(b, 0, sizeof *b);
	if (!json_is_object(o)) {
		set_err(err, errlen, "%s: expected object", *path ? path : "service");
		return -1;
	}
	if (jsonx_str(o, "id", true, &b->id, path, err, errlen) ||
	    jsonx_str(o, "category", need_category, &b->category, path, err, errlen) ||
	    jsonx_str(o, "name", true, &b->name, path, err, errlen) ||
	    jsonx_str(o, "summary", false, &b->summary, path, err, errlen) ||
	    jsonx_strv(o, "keywords", false, &b->keywords, &b->n_keywords, path, err,
	               errlen) ||
	    jsonx_str(o, "kind", true, &kind, path, err, errlen) ||
	    jsonx_bool(o, "login_required", false, &b->login_required, path, err,
	               errlen) ||
	    jsonx_int(o, "fee_fen", false, &b->fee_fen, path, err, errlen))
		goto fail;
	if (!b->category)
		b->category = xstrdup("");
	if (!b->summary)
		b->summary = xstrdup("");
	if (!b->keywords)
		b->keywords = empty_strv();
	for (k = 0; k < sizeof kind_names / sizeof kind_names[0]; k++)
		if (strcmp(kind, kind_names[k]) == 0)
			break;
	if (k == sizeof kind_names / sizeof kind_names[0]) {
		join_path(sub, sizeof sub, path, "kind");
		set_err(err, errlen, "%s: unknown kind '%.40s'", sub, kind);
		goto fail;
	}
	b->kind = (enum svc_kind)k;
	if (b->fee_fen < 0) {
		join_path(sub, sizeof sub, path, "fee_fen");
		set_err(err, errlen, "%s: must not be negative", sub);
		goto fail;
	}
	free(kind);
	return 0;
fail:
	free(kind);
	brief_free(b);
	return -1;
}

/* Sort key for id indexes: ties broken by position so that among duplicate
 * ids the first in catalog order sorts first and is the one kept. */
struct id_key {
	const char *id;
	size_t idx;
};

static int id_key_cmp(const void *a, const void *b)
{
	const struct id_key *x = a, *y = b;
	int c = strcmp(x->id, y->id);

	if (c)
		return c;
	return (x->idx > y->idx) - (x->idx < y->idx);
}

/* The tree decoder builds its catalog the way it always has, every part a
 * malloc'd block of its own, with the sorted service index in the same
 * allocation as svcs, just past svcs[n_svcs - 1] (it moves and dies with the
 * array); catalog_decode then copies it into the compact layout
 * (catalog_pack, catalog_parse.c) and frees this one. */
_Static_assert(_Alignof(struct service_brief) >= _Alignof(size_t),
               "index after svcs must be aligned");

static size_t *svc_index(const struct catalog *c)
{
	return (size_t *)(void *)(c->svcs + c->n_svcs);
}

static long legacy_find(const struct catalog *c, const char *id)
{
	const size_t *ix;
	size_t lo = 0, hi;

	if (!c || !id || !c->svcs || c->n_svcs == 0)
		return -1;
	ix = svc_index(c);
	hi = c->n_svcs;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int r = strcmp(id, c->svcs[ix[mid]].id);

		if (r == 0)
			return (long)ix[mid];
		if (r < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return -1;
}

static void legacy_free(struct catalog *c)
{
	size_t i;

	for (i = 0; i < c->n_cats; i++) {
		free(c->cats[i].id);
		free(c->cats[i].name);
		free(c->cats[i].svc);
	}
	free(c->cats);
	for (i = 0; i < c->n_svcs; i++)
		brief_free(&c->svcs[i]);
	free(c->svcs);
	free(c->popular);
	free(c->version);
	memset(c, 0, sizeof *c);
}

/* Fetches a required array member; error text as the getters write it. */
static const json_t *get_array(const json_t *o, const char *key, bool required,
                               const char *path, char *err, size_t errlen, int *rc)
{
	const json_t *v = json_object_get(o, key);
	char sub[96];

	*rc = 0;
	if (!v || (json_is_null(v) && !required))
		goto absent;
	if (!json_is_array(v)) {
		join_path(sub, sizeof sub, path, key);
		set_err(err, errlen, "%s: expected array", sub);
		*rc = -1;
		return NULL;
	}
	return v;
absent:
	if (required) {
		join_path(sub, sizeof sub, path, key);
		set_err(err, errlen, "%s: missing", sub);
		*rc = -1;
	}
	return NULL;
}

static int decode_categories(const json_t *arr, struct catalog *out,
                             struct id_key **sorted_out, char *err, size_t errlen)
{
	size_t n = json_array_size(arr), i, kept = 0;
	struct id_key *keys;
	bool *drop;

	out->cats = xcalloc(n, sizeof *out->cats);
	for (i = 0; i < n; i++) {
		const json_t *o = json_array_get(arr, i);
		struct category *cat = &out->cats[i];
		char path[48];

		snprintf(path, sizeof path, "categories[%zu]", i);
		if (!json_is_object(o)) {
			set_err(err, errlen, "%s: expected object", path);
			return -1;
		}
		out->n_cats = i + 1; /* so catalog_free sees what we have */
		if (jsonx_str(o, "id", true, &cat->id, path, err, errlen) ||
		    jsonx_str(o, "name", true, &cat->name, path, err, errlen))
			return -1;
	}

	/* Drop later duplicates, keeping catalog order for the rest. */
	keys = xmallocarray(n, sizeof *keys);
	drop = xcalloc(n, sizeof *drop);
	for (i = 0; i < n; i++) {
		keys[i].id = out->cats[i].id;
		keys[i].idx = i;
	}
	qsort(keys, n, sizeof *keys, id_key_cmp);
	for (i = 1; i < n; i++)
		if (strcmp(keys[i].id, keys[i - 1].id) == 0)
			drop[keys[i].idx] = true;
	for (i = 0; i < n; i++) {
		if (drop[i]) {
			free(out->cats[i].id);
			free(out->cats[i].name);
			continue;
		}
		out->cats[kept++] = out->cats[i];
	}
	out->n_cats = kept;
	for (i = 0; i < kept; i++) {
		keys[i].id = out->cats[i].id;
		keys[i].idx = i;
	}
	qsort(keys, kept, sizeof *keys, id_key_cmp);
	free(drop);
	*sorted_out = keys;
	return 0;
}

static long find_key(const struct id_key *keys, size_t n, const char *id)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int r = strcmp(id, keys[mid].id);

		if (r == 0)
			return (long)keys[mid].idx;
		if (r < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return -1;
}

static int decode_services(const json_t *arr, struct catalog *out,
                           const struct id_key *cat_keys, char *err, size_t errlen)
{
	size_t n = json_array_size(arr), i, kept = 0, c;
	struct service_brief *tmp = xcalloc(n, sizeof *tmp);
	struct id_key *keys;
	bool *drop = xcalloc(n, sizeof *drop);
	size_t *ix;

	for (i = 0; i < n; i++) {
		char path[48];
		long cat;

		snprintf(path, sizeof path, "services[%zu]", i);
		if (brief_decode(json_array_get(arr, i), &tmp[i], true, path, err,
		                 errlen)) {
			while (i-- > 0)
				brief_free(&tmp[i]);
			free(tmp);
			free(drop);
			return -1;
		}
		cat = find_key(cat_keys, out->n_cats, tmp[i].category);
		if (cat < 0)
			drop[i] = true;
		else
			tmp[i].cat = (size_t)cat;
	}

	keys = xmallocarray(n, sizeof *keys);
	for (i = 0; i < n; i++) {
		keys[i].id = tmp[i].id;
		keys[i].idx = i;
	}
	qsort(keys, n, sizeof *keys, id_key_cmp);
	/* Among equal ids the earliest sorts first; only it may survive, and
	 * only if its category is known. */
	for (i = 1; i < n; i++)
		if (strcmp(keys[i].id, keys[i - 1].id) == 0)
			drop[keys[i].idx] = true;

	for (i = 0; i < n; i++)
		kept += !drop[i];
	/* svcs[kept] followed by the sorted index (see svc_index). */
	if (kept > (SIZE_MAX / 2) / sizeof(struct service_brief))
		abort();
	out->svcs = xmalloc(kept * (sizeof(struct service_brief) + sizeof(size_t)));
	out->n_svcs = 0;
	{
		size_t *newpos = xmallocarray(n, sizeof *newpos);

		for (i = 0; i < n; i++) {
			if (drop[i]) {
				brief_free(&tmp[i]);
				continue;
			}
			newpos[i] = out->n_svcs;
			out->svcs[out->n_svcs++] = tmp[i];
		}
		ix = svc_index(out);
		kept = 0;
		for (i = 0; i < n; i++)
			if (!drop[keys[i].idx])
				ix[kept++] = newpos[keys[i].idx];
		free(newpos);
	}
	free(keys);
	free(drop);
	free(tmp);

	/* Per-category lists in catalog order: count, then fill. */
	for (i = 0; i < out->n_svcs; i++)
		out->cats[out->svcs[i].cat].n_svc++;
	for (c = 0; c < out->n_cats; c++) {
		out->cats[c].svc = xmallocarray(out->cats[c].n_svc, sizeof(size_t));
		out->cats[c].n_svc = 0;
	}
	for (i = 0; i < out->n_svcs; i++) {
		struct category *cat = &out->cats[out->svcs[i].cat];

		cat->svc[cat->n_svc++] = i;
	}
	return 0;
}

static int decode_popular(const json_t *arr, struct catalog *out, char *err,
                          size_t errlen)
{
	size_t n = json_array_size(arr), i;
	bool *seen;

	out->popular = xmallocarray(n, sizeof *out->popular);
	seen = xcalloc(out->n_svcs, sizeof *seen);
	for (i = 0; i < n; i++) {
		const json_t *v = json_array_get(arr, i);
		char *id;
		long k;

		if (!json_is_string(v)) {
			set_err(err, errlen, "popular[%zu]: expected string", i);
			free(seen);
			return -1;
		}
		/* Sanitized like the ids it is compared with. */
		id = text_sanitize(json_string_value(v), json_string_length(v), 0);
		k = legacy_find(out, id);
		free(id);
		if (k < 0 || seen[k])
			continue;
		seen[k] = true;
		out->popular[out->n_popular++] = (size_t)k;
	}
	free(seen);
	return 0;
}

int catalog_decode(const json_t *root, struct catalog *out, char *err, size_t errlen)
{
	const json_t *cats, *svcs, *pop;
	struct id_key *cat_keys = NULL;
	struct catalog tmp;
	int rc;

	memset(out, 0, sizeof *out);
	memset(&tmp, 0, sizeof tmp);
	if (!json_is_object(root)) {
		set_err(err, errlen, "catalog: expected object");
		return -1;
	}
	if (jsonx_str(root, "version", false, &tmp.version, "", err, errlen))
		goto fail;
	if (!tmp.version)
		tmp.version = xstrdup("");
	cats = get_array(root, "categories", true, "", err, errlen, &rc);
	if (rc)
		goto fail;
	svcs = get_array(root, "services", true, "", err, errlen, &rc);
	if (rc)
		goto fail;
	pop = get_array(root, "popular", false, "", err, errlen, &rc);
	if (rc)
		goto fail;
	if (decode_categories(cats, &tmp, &cat_keys, err, errlen))
		goto fail;
	rc = decode_services(svcs, &tmp, cat_keys, err, errlen);
	free(cat_keys);
	cat_keys = NULL;
	if (rc)
		goto fail;
	if (pop && decode_popular(pop, &tmp, err, errlen))
		goto fail;
	catalog_pack(&tmp, tmp.svcs ? svc_index(&tmp) : NULL, out);
	legacy_free(&tmp);
	return 0;
fail:
	free(cat_keys);
	legacy_free(&tmp);
	return -1;
}

static void field_free(struct form_field *f)
{
	size_t i;

	free(f->id);
	free(f->label);
	free(f->prefill);
	free(f->min_date);
	free(f->max_date);
	for (i = 0; i < f->n_options; i++) {
		free(f->options[i].value);
		free(f->options[i].label);
	}
	free(f->options);
	memset(f, 0, sizeof *f);
}

static const char *const field_type_names[] = {
	[FIELD_TEXT] = "text", [FIELD_NUMBER] = "number", [FIELD_MONEY] = "money",
	[FIELD_DATE] = "date", [FIELD_SELECT] = "select", [FIELD_BOOL] = "bool",
	[FIELD_IDCARD] = "idcard", [FIELD_PHONE] = "phone",
};

/* "YYYY-MM-DD" (plausible month and day) or "today". */
static bool date_ok(const char *s)
{
	int i, m, d;

	if (strcmp(s, "today") == 0)
		return true;
	if (strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return false;
	for (i = 0; i < 10; i++)
		if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
			return false;
	m = (s[5] - '0') * 10 + (s[6] - '0');
	d = (s[8] - '0') * 10 + (s[9] - '0');
	return m >= 1 && m <= 12 && d >= 1 && d <= 31;
}

static int decode_options(const json_t *o, struct form_field *f, const char *path,
                          char *err, size_t errlen)
{
	char sub[96];
	const json_t *arr;
	size_t i, n;
	int rc;

	arr = get_array(o, "options", true, path, err, errlen, &rc);
	if (rc)
		return -1;
	n = json_array_size(arr);
	if (n == 0) {
		join_path(sub, sizeof sub, path, "options");
		set_err(err, errlen, "%s: must not be empty", sub);
		return -1;
	}
	f->options = xcalloc(n, sizeof *f->options);
	for (i = 0; i < n; i++) {
		const json_t *e = json_array_get(arr, i);
		struct field_option *opt = &f->options[i];

		snprintf(sub, sizeof sub, "%s.options[%zu]", path, i);
		if (!json_is_object(e)) {
			set_err(err, errlen, "%s: expected object", sub);
			return -1;
		}
		f->n_options = i + 1;
		if (jsonx_str(e, "value", true, &opt->value, sub, err, errlen) ||
		    jsonx_str(e, "label", true, &opt->label, sub, err, errlen))
			return -1;
	}
	return 0;
}

/* On failure the caller frees f (field_free copes with a partial field). */
static int decode_field(const json_t *o, struct form_field *f, const char *path,
                        char *err, size_t errlen)
{
	char *type = NULL;
	char sub[96];
	size_t k;

	if (!json_is_object(o)) {
		set_err(err, errlen, "%s: expected object", path);
		return -1;
	}
	if (jsonx_str(o, "id", true, &f->id, path, err, errlen) ||
	    jsonx_str(o, "type", true, &type, path, err, errlen))
		goto fail;
	for (k = 0; k < sizeof field_type_names / sizeof field_type_names[0]; k++)
		if (strcmp(type, field_type_names[k]) == 0)
			break;
	if (k == sizeof field_type_names / sizeof field_type_names[0]) {
		join_path(sub, sizeof sub, path, "type");
		set_err(err, errlen, "%s: unknown type '%.40s'", sub, type);
		goto fail;
	}
	f->type = (enum field_type)k;
	free(type);
	type = NULL;
	if (jsonx_str(o, "label", true, &f->label, path, err, errlen) ||
	    jsonx_bool(o, "required", false, &f->required, path, err, errlen) ||
	    jsonx_int(o, "max_len", false, &f->max_len, path, err, errlen) ||
	    jsonx_str(o, "prefill", false, &f->prefill, path, err, errlen))
		goto fail;
	if (!f->prefill)
		f->prefill = xstrdup("");
	if (f->max_len < 0) {
		join_path(sub, sizeof sub, path, "max_len");
		set_err(err, errlen, "%s: must not be negative", sub);
		goto fail;
	}

	/* min/max mean numbers for number/money, dates for date, and nothing
	 * for the other types (ignored there rather than rejected). */
	if (f->type == FIELD_NUMBER || f->type == FIELD_MONEY) {
		if (json_object_get(o, "min") && !json_is_null(json_object_get(o, "min"))) {
			if (jsonx_int(o, "min", true, &f->min_num, path, err, errlen))
				goto fail;
			f->has_min = true;
		}
		if (json_object_get(o, "max") && !json_is_null(json_object_get(o, "max"))) {
			if (jsonx_int(o, "max", true, &f->max_num, path, err, errlen))
				goto fail;
			f->has_max = true;
		}
		if (f->has_min && f->has_max && f->min_num > f->max_num) {
			join_path(sub, sizeof sub, path, "min");
			set_err(err, errlen, "%s: greater than max", sub);
			goto fail;
		}
	} else if (f->type == FIELD_DATE) {
		if (jsonx_str(o, "min", false, &f->min_date, path, err, errlen) ||
		    jsonx_str(o, "max", false, &f->max_date, path, err, errlen))
			goto fail;
		if ((f->min_date && !date_ok(f->min_date)) ||
		    (f->max_date && !date_ok(f->max_date))) {
			join_path(sub, sizeof sub, path,
			          f->min_date && !date_ok(f->min_date) ? "min" : "max");
			set_err(err, errlen, "%s: expected YYYY-MM-DD or today", sub);
			goto fail;
		}
		/* Two fixed days the wrong way round: no day can be answered.
		 * ("today" against a fixed day depends on the day: the form's
		 * check says so then.) YYYY-MM-DD compares as text. */
		if (f->min_date && f->max_date && strcmp(f->min_date, "today") && strcmp(f->max_date, "today") &&
		    strcmp(f->min_date, f->max_date) > 0) {
			join_path(sub, sizeof sub, path, "min");
			set_err(err, errlen, "%s: after max", sub);
			goto fail;
		}
	}
	if (!f->min_date)
		f->min_date = xstrdup("");
	if (!f->max_date)
		f->max_date = xstrdup("");
	if (f->type == FIELD_SELECT && decode_options(o, f, path, err, errlen))
		goto fail;
	return 0;
fail:
	free(type);
	return -1;
}

static void form_clear(struct form *f)
{
	for (size_t i = 0; i < f->n_fields; i++)
		field_free(&f->fields[i]);
	free(f->fields);
	memset(f, 0, sizeof *f);
}

static int decode_form(const json_t *fo, struct form *form, char *err, size_t errlen)
{
	const json_t *arr;
	size_t i, j, n;
	int rc;

	if (!json_is_object(fo)) {
		set_err(err, errlen, "form: expected object");
		return -1;
	}
	if (jsonx_int(fo, "fee_fen", false, &form->fee_fen, "form", err, errlen))
		return -1;
	if (form->fee_fen < 0) {
		set_err(err, errlen, "form.fee_fen: must not be negative");
		return -1;
	}
	arr = get_array(fo, "fields", true, "form", err, errlen, &rc);
	if (rc)
		return -1;
	n = json_array_size(arr);
	/* One question a page: a form longer than this is no form to fill
	 * standing at a kiosk (and a schema gone wrong). */
	if (n > FORM_FIELDS_MAX) {
		set_err(err, errlen, "form.fields: %zu fields, more than %d", n, FORM_FIELDS_MAX);
		return -1;
	}
	form->fields = xcalloc(n, sizeof *form->fields);
	for (i = 0; i < n; i++) {
		char path[48];

		snprintf(path, sizeof path, "form.fields[%zu]", i);
		form->n_fields = i + 1;
		if (decode_field(json_array_get(arr, i), &form->fields[i], path, err,
		                 errlen))
			return -1;
		/* Answers are keyed by field id: two fields with one id would
		 * silently lose one answer. Forms are short, so O(n^2) is fine. */
		for (j = 0; j < i; j++) {
			if (strcmp(form->fields[j].id, form->fields[i].id) == 0) {
				set_err(err, errlen, "%s.id: duplicate '%.40s'", path,
				        form->fields[i].id);
				return -1;
			}
		}
	}
	return 0;
}

void service_free(struct service *s)
{
	if (!s)
		return;
	brief_free(&s->b);
	free(s->description);
	jsonx_strv_free(s->materials);
	free(s->where);
	form_clear(&s->form);
	free(s->form_error);
	memset(s, 0, sizeof *s);
}

int service_decode(const json_t *root, struct service *out, char *err, size_t errlen)
{
	const json_t *fo;

	memset(out, 0, sizeof *out);
	out->processing_days = -1;
	if (!json_is_object(root)) {
		set_err(err, errlen, "service: expected object");
		return -1;
	}
	if (brief_decode(root, &out->b, false, "", err, errlen))
		goto fail;
	if (jsonx_text(root, "description", false, &out->description, "", err, errlen) ||
	    jsonx_strv(root, "materials", false, &out->materials, &out->n_materials, "",
	               err, errlen) ||
	    jsonx_int(root, "processing_days", false, &out->processing_days, "", err,
	              errlen) ||
	    jsonx_str(root, "where", false, &out->where, "", err, errlen))
		goto fail;
	if (!out->description)
		out->description = xstrdup("");
	if (!out->materials)
		out->materials = empty_strv();
	if (!out->where)
		out->where = xstrdup("");
	fo = json_object_get(root, "processing_days");
	if (fo && !json_is_null(fo) && out->processing_days < 0) {
		set_err(err, errlen, "processing_days: must not be negative");
		goto fail;
	}
	/* A form this kiosk cannot read (an unknown field type, a select with
	 * no options, min after max...) does not hide the service: its page
	 * still says what to bring and where to go, and the form is refused
	 * with form_error saying why (for the log). */
	fo = json_object_get(root, "form");
	if (fo && !json_is_null(fo)) {
		char ferr[200];
		if (decode_form(fo, &out->form, ferr, sizeof ferr)) {
			form_clear(&out->form);
			out->form_error = xstrdup(ferr);
		}
	}
	return 0;
fail:
	service_free(out);
	return -1;
}

/* Problem details are read leniently: they arrive when something already
 * went wrong, and a half-valid one still says more than a generic message. */
static char *lenient_str(const json_t *o, const char *key, unsigned flags)
{
	const json_t *v = json_object_get(o, key);

	if (!json_is_string(v))
		return xstrdup("");
	return text_sanitize(json_string_value(v), json_string_length(v), flags);
}

void problem_free(struct problem *p)
{
	size_t i;

	if (!p)
		return;
	free(p->type);
	free(p->title);
	free(p->detail);
	free(p->code);
	for (i = 0; i < p->n_errors; i++) {
		free(p->errors[i].field);
		free(p->errors[i].code);
		free(p->errors[i].message);
	}
	free(p->errors);
	memset(p, 0, sizeof *p);
}

/* Never fails: a member of the wrong type counts as missing, and a root that
 * is not an object (or NULL) gives an empty problem with the HTTP status. */
int problem_decode(const json_t *root, int http_status, struct problem *out,
                   char *err, size_t errlen)
{
	const json_t *v;

	memset(out, 0, sizeof *out);
	out->status = http_status;
	if (!json_is_object(root)) {
		out->type = xstrdup("");
		out->title = xstrdup("");
		out->detail = xstrdup("");
		out->code = xstrdup("");
		return 0;
	}
	v = json_object_get(root, "status");
	if (json_is_integer(v) && json_integer_value(v) >= 100 &&
	    json_integer_value(v) <= 599)
		out->status = (int)json_integer_value(v);
	out->type = lenient_str(root, "type", 0);
	out->title = lenient_str(root, "title", 0);
	out->detail = lenient_str(root, "detail", TEXT_KEEP_NEWLINES);
	out->code = lenient_str(root, "code", 0);
	v = json_object_get(root, "errors");
	if (json_is_array(v)) {
		size_t i, n = json_array_size(v);

		out->errors = xcalloc(n, sizeof *out->errors);
		for (i = 0; i < n; i++) {
			const json_t *e = json_array_get(v, i);
			struct problem_error *pe;

			if (!json_is_object(e))
				continue;
			pe = &out->errors[out->n_errors++];
			pe->field = lenient_str(e, "field", 0);
			pe->code = lenient_str(e, "code", 0);
			pe->message = lenient_str(e, "message", 0);
		}
	}
	return 0;
}
