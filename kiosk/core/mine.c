/* mine.c: decoders of the citizen's applications and e-licences (mine.h). */
#include "mine.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonx.h"
#include "xmem.h"

static const char *const status_names[] = { "submitted", "accepted", "in_review", "needs_more",
                                            "approved", "rejected", "completed" };

enum app_status app_status_parse(const char *s)
{
	for (size_t i = 0; i < sizeof status_names / sizeof status_names[0]; i++)
		if (s && !strcmp(s, status_names[i]))
			return (enum app_status)i;
	return APP_UNKNOWN;
}

const char *app_status_name(enum app_status s)
{
	return s < APP_UNKNOWN ? status_names[s] : "unknown";
}

static void wipe(char *s)
{
	if (s) {
		explicit_bzero(s, strlen(s));
		free(s);
	}
}

static const json_t *list(const json_t *root, const char *key, char *err, size_t errlen)
{
	const json_t *a = json_is_object(root) ? json_object_get(root, key) : NULL;
	if (!json_is_object(root))
		snprintf(err, errlen, "expected object");
	else if (!a)
		snprintf(err, errlen, "%s: missing", key);
	else if (!json_is_array(a))
		snprintf(err, errlen, "%s: expected array", key);
	else
		return a;
	return NULL;
}

static void app_free(struct application *a)
{
	wipe(a->id);
	wipe(a->service_id);
	wipe(a->service_name);
	wipe(a->updated_at);
	wipe(a->needs_more);
	for (size_t i = 0; i < a->n_events; i++) {
		wipe(a->timeline[i].at);
		wipe(a->timeline[i].note);
	}
	free(a->timeline);
	memset(a, 0, sizeof *a);
}

static int app_decode(const json_t *o, struct application *a, const char *path, char *err, size_t errlen)
{
	char *st = NULL;
	if (!json_is_object(o)) {
		snprintf(err, errlen, "%s: expected object", path);
		return -1;
	}
	if (jsonx_str(o, "id", true, &a->id, path, err, errlen) ||
	    jsonx_str(o, "service_id", false, &a->service_id, path, err, errlen) ||
	    jsonx_str(o, "service_name", true, &a->service_name, path, err, errlen) ||
	    jsonx_str(o, "status", true, &st, path, err, errlen) ||
	    jsonx_str(o, "updated_at", false, &a->updated_at, path, err, errlen) ||
	    jsonx_text(o, "needs_more", false, &a->needs_more, path, err, errlen)) {
		free(st);
		return -1;
	}
	a->status = app_status_parse(st);
	free(st);
	if (!a->service_id)
		a->service_id = xstrdup("");
	if (!a->updated_at)
		a->updated_at = xstrdup("");
	if (!a->needs_more)
		a->needs_more = xstrdup("");
	const json_t *tl = json_object_get(o, "timeline");
	if (!tl || json_is_null(tl))
		return 0;
	if (!json_is_array(tl)) {
		snprintf(err, errlen, "%s.timeline: expected array", path);
		return -1;
	}
	/* Newest last: a long timeline keeps its latest steps (the current
	 * status among them), not its first. */
	size_t n = json_array_size(tl), skip = 0;
	if (n > MINE_MAX_EVENTS) {
		skip = n - MINE_MAX_EVENTS;
		n = MINE_MAX_EVENTS;
	}
	a->timeline = xcalloc(n ? n : 1, sizeof *a->timeline);
	for (size_t i = 0; i < n; i++) {
		char sub[96];
		snprintf(sub, sizeof sub, "%s.timeline[%zu]", path, skip + i);
		const json_t *e = json_array_get(tl, skip + i);
		struct app_event *ev = &a->timeline[i];
		a->n_events = i + 1;
		if (!json_is_object(e)) {
			snprintf(err, errlen, "%s: expected object", sub);
			return -1;
		}
		if (jsonx_str(e, "at", true, &ev->at, sub, err, errlen) ||
		    jsonx_str(e, "status", true, &st, sub, err, errlen))
			return -1;
		ev->status = app_status_parse(st);
		free(st);
		if (jsonx_str(e, "note", false, &ev->note, sub, err, errlen))
			return -1;
		if (!ev->note)
			ev->note = xstrdup("");
	}
	return 0;
}

int applications_decode(const json_t *root, struct application **out, size_t *n, char *err, size_t errlen)
{
	*out = NULL;
	*n = 0;
	const json_t *arr = list(root, "applications", err, errlen);
	if (!arr)
		return -1;
	size_t cnt = json_array_size(arr);
	if (cnt > MINE_MAX_ITEMS)
		cnt = MINE_MAX_ITEMS;
	struct application *v = xcalloc(cnt ? cnt : 1, sizeof *v);
	for (size_t i = 0; i < cnt; i++) {
		char path[48];
		snprintf(path, sizeof path, "applications[%zu]", i);
		if (app_decode(json_array_get(arr, i), &v[i], path, err, errlen)) {
			applications_free(v, i + 1);
			return -1;
		}
	}
	*out = v;
	*n = cnt;
	return 0;
}

void applications_free(struct application *a, size_t n)
{
	if (!a)
		return;
	for (size_t i = 0; i < n; i++)
		app_free(&a[i]);
	free(a);
}

static void lic_free(struct license *l)
{
	wipe(l->id);
	wipe(l->type);
	wipe(l->name);
	wipe(l->number_masked);
	wipe(l->issuer);
	wipe(l->valid_until);
	wipe(l->verify_payload);
	memset(l, 0, sizeof *l);
}

int licenses_decode(const json_t *root, struct license **out, size_t *n, char *err, size_t errlen)
{
	*out = NULL;
	*n = 0;
	const json_t *arr = list(root, "licenses", err, errlen);
	if (!arr)
		return -1;
	size_t cnt = json_array_size(arr);
	if (cnt > MINE_MAX_ITEMS)
		cnt = MINE_MAX_ITEMS;
	struct license *v = xcalloc(cnt ? cnt : 1, sizeof *v);
	for (size_t i = 0; i < cnt; i++) {
		char path[48];
		snprintf(path, sizeof path, "licenses[%zu]", i);
		const json_t *o = json_array_get(arr, i);
		struct license *l = &v[i];
		if (!json_is_object(o)) {
			snprintf(err, errlen, "%s: expected object", path);
			licenses_free(v, i + 1);
			return -1;
		}
		if (jsonx_str(o, "id", true, &l->id, path, err, errlen) ||
		    jsonx_str(o, "type", false, &l->type, path, err, errlen) ||
		    jsonx_str(o, "name", true, &l->name, path, err, errlen) ||
		    jsonx_str(o, "number_masked", false, &l->number_masked, path, err, errlen) ||
		    jsonx_str(o, "issuer", false, &l->issuer, path, err, errlen) ||
		    jsonx_str(o, "valid_until", false, &l->valid_until, path, err, errlen) ||
		    jsonx_str(o, "verify_payload", true, &l->verify_payload, path, err, errlen) ||
		    jsonx_int(o, "refresh_s", true, &l->refresh_s, path, err, errlen)) {
			licenses_free(v, i + 1);
			return -1;
		}
		if (l->refresh_s <= 0 || l->refresh_s > 86400) {
			snprintf(err, errlen, "%s.refresh_s: must be 1 to 86400", path);
			licenses_free(v, i + 1);
			return -1;
		}
		/* A QR of what is not printable ASCII would be a different
		 * payload on a checker's phone: refused, not drawn. Checked as
		 * sent: sanitizing drops an escape sequence or a CR silently,
		 * and what is left would be a payload the gateway never made. */
		const json_t *raw = json_object_get(o, "verify_payload");
		const char *vp = json_string_value(raw);
		size_t len = json_string_length(raw);
		bool ok = len > 0 && len <= 512;
		for (size_t k = 0; ok && k < len; k++)
			ok = vp[k] > 0x20 && vp[k] < 0x7f;
		if (!ok) {
			snprintf(err, errlen, "%s.verify_payload: must be 1 to 512 printable ASCII characters", path);
			licenses_free(v, i + 1);
			return -1;
		}
		const char **opt[] = { (const char **)&l->type, (const char **)&l->number_masked,
		                       (const char **)&l->issuer, (const char **)&l->valid_until };
		for (size_t k = 0; k < sizeof opt / sizeof opt[0]; k++)
			if (!*opt[k])
				*opt[k] = xstrdup("");
	}
	*out = v;
	*n = cnt;
	return 0;
}

void licenses_free(struct license *l, size_t n)
{
	if (!l)
		return;
	for (size_t i = 0; i < n; i++)
		lic_free(&l[i]);
	free(l);
}
