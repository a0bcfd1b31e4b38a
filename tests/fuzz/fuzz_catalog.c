/* fuzz_catalog.c: libFuzzer target for the gateway answer path: jsonx_parse
 * then every decoder, exactly as the kiosk runs them on a body it received,
 * and catalog_parse (the catalog from its bytes, as the kiosk reads it now)
 * held to the tree's answer: the same verdict, the same message for JSON
 * that is not a catalog, the same catalog field by field. The decoders may
 * reject, but must never crash, leak or disagree.
 *
 * One difference is by design: jansson drops a NUL byte that comes right
 * after a number or true/false/null (its one-byte push-back stores the
 * byte it gave back in a buffer where NUL means empty), so it takes
 * "[1\0]" for [1]; catalog_parse refuses it. When only the tree accepts and
 * the input has NUL bytes, the bytes are judged without them. */
#include <locale.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonx.h"
#include "model.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	setlocale(LC_CTYPE, "C.UTF-8");
	return 0;
}

static void differ(const char *what, const char *a, const char *b)
{
	fprintf(stderr, "fuzz_catalog: the tree and the bytes differ: %s (%s | %s)\n", what,
	        a ? a : "", b ? b : "");
	abort();
}

static void same_str(const char *what, const char *a, const char *b)
{
	if (!a || !b || strcmp(a, b) != 0)
		differ(what, a, b);
}

static void same_catalog(const struct catalog *a, const struct catalog *b)
{
	size_t i, k;

	same_str("version", a->version, b->version);
	if (a->n_cats != b->n_cats || a->n_svcs != b->n_svcs || a->n_popular != b->n_popular)
		differ("counts", NULL, NULL);
	for (i = 0; i < a->n_cats; i++) {
		same_str("category id", a->cats[i].id, b->cats[i].id);
		same_str("category name", a->cats[i].name, b->cats[i].name);
		if (a->cats[i].n_svc != b->cats[i].n_svc)
			differ("category size", a->cats[i].id, b->cats[i].id);
		for (k = 0; k < a->cats[i].n_svc; k++)
			if (a->cats[i].svc[k] != b->cats[i].svc[k])
				differ("category list", a->cats[i].id, b->cats[i].id);
	}
	for (i = 0; i < a->n_svcs; i++) {
		const struct service_brief *x = &a->svcs[i], *y = &b->svcs[i];

		same_str("id", x->id, y->id);
		same_str("category", x->category, y->category);
		same_str("name", x->name, y->name);
		same_str("summary", x->summary, y->summary);
		if (x->n_keywords != y->n_keywords || y->keywords[y->n_keywords])
			differ("keywords", x->id, y->id);
		for (k = 0; k < x->n_keywords; k++)
			same_str("keyword", x->keywords[k], y->keywords[k]);
		if (x->kind != y->kind || x->login_required != y->login_required ||
		    x->fee_fen != y->fee_fen || x->cat != y->cat)
			differ("members", x->id, y->id);
		if (catalog_find(b, y->id) != (long)i)
			differ("index", x->id, y->id);
	}
	for (i = 0; i < a->n_popular; i++)
		if (a->popular[i] != b->popular[i])
			differ("popular", NULL, NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[256], err2[256] = "";
	json_t *root = jsonx_parse((const char *)data, size, err, sizeof err);
	struct catalog c, c2;
	struct service s;
	struct problem p;
	size_t i, k;
	int rc, rc2;

	/* The bytes alone (a copy of exactly size bytes: no NUL after them
	 * to lean on). */
	{
		char *copy = malloc(size ? size : 1);

		memcpy(copy, data, size);
		char err3[256] = "";
		int rc3 = catalog_check(copy, size, err3, sizeof err3);

		rc2 = catalog_parse(copy, size, &c2, err2, sizeof err2);
		free(copy);
		if (rc3 != rc2 || (rc2 && strcmp(err2, err3) != 0))
			differ("catalog_check and catalog_parse", err3, err2);
	}
	if (rc2 != 0 && (!err2[0] || strchr(err2, '"')))
		differ("a refusal without a message, or one quoting the input", NULL, err2);
	if (rc2 == 0) {
		/* Every index the decoder hands out must be in range. */
		for (i = 0; i < c2.n_svcs; i++)
			if (c2.svcs[i].cat >= c2.n_cats || c2.svcs[i].category != c2.cats[c2.svcs[i].cat].id)
				abort();
		for (i = 0; i < c2.n_cats; i++)
			for (k = 0; k < c2.cats[i].n_svc; k++)
				if (c2.cats[i].svc[k] >= c2.n_svcs)
					abort();
		for (i = 0; i < c2.n_popular; i++)
			if (c2.popular[i] >= c2.n_svcs)
				abort();
	}

	if (!root) {
		if (!err[0])
			abort();
		if (rc2 != -2)
			differ("not JSON for the tree only", err, err2);
		if (strncmp(err, "not JSON: ", 10) == 0 ? strncmp(err2, "not JSON: ", 10) != 0
		                                         : strcmp(err, err2) != 0)
			differ("the refusal", err, err2);
		if (rc2 == 0)
			catalog_free(&c2);
		return 0;
	}
	if (rc2 == -2 && memchr(data, 0, size)) {
		/* The tree took it: every NUL was outside the strings, after a
		 * number or a literal, and dropped by jansson (see the top). */
		char *copy = malloc(size ? size : 1);
		size_t n = 0;

		for (i = 0; i < size; i++)
			if (data[i])
				copy[n++] = (char)data[i];
		err2[0] = '\0';
		rc2 = catalog_parse(copy, n, &c2, err2, sizeof err2);
		free(copy);
	}
	if (rc2 == -2)
		differ("not JSON for the bytes only", "", err2);
	rc = catalog_decode(root, &c, err, sizeof err);
	if (rc != rc2)
		differ("the verdict", rc ? err : "accepted", rc2 ? err2 : "accepted");
	if (rc == 0) {
		/* Every index the decoder hands out must be in range. */
		for (i = 0; i < c.n_svcs; i++) {
			if (c.svcs[i].cat >= c.n_cats ||
			    catalog_find(&c, c.svcs[i].id) != (long)i)
				abort();
		}
		for (i = 0; i < c.n_cats; i++)
			for (k = 0; k < c.cats[i].n_svc; k++)
				if (c.cats[i].svc[k] >= c.n_svcs)
					abort();
		for (i = 0; i < c.n_popular; i++)
			if (c.popular[i] >= c.n_svcs)
				abort();
		same_catalog(&c, &c2);
		catalog_free(&c);
		catalog_free(&c2);
	} else {
		if (!err[0])
			abort();
		same_str("the message", err, err2);
	}
	err[0] = '\0';
	if (service_decode(root, &s, err, sizeof err) == 0) {
		for (i = 0; i < s.form.n_fields; i++)
			if (s.form.fields[i].type == FIELD_SELECT && s.form.fields[i].n_options == 0)
				abort();
		service_free(&s);
	} else if (!err[0]) {
		abort();
	}
	if (problem_decode(root, 500, &p, err, sizeof err) == 0)
		problem_free(&p);
	json_decref(root);
	return 0;
}
