/* test_model.c: unit tests for model.c (catalog, service, problem decoders)
 * and catalog_parse.c (the catalog from its bytes). Every catalog test runs
 * both catalog decoders, the tree's (jsonx_parse + catalog_decode) and the
 * bytes' (catalog_parse, and catalog_check), and holds them to the same
 * answer. */
#include <criterion/criterion.h>
#include <limits.h>
#include <locale.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "jsonx.h"
#include "model.h"

static void setup(void)
{
	setlocale(LC_CTYPE, "C.UTF-8");
}

TestSuite(model, .init = setup);

static json_t *parse(const char *s)
{
	char err[256];
	json_t *j = jsonx_parse(s, strlen(s), err, sizeof err);

	cr_assert_not_null(j, "test JSON: %s", err);
	return j;
}

static void assert_same_catalog(const struct catalog *a, const struct catalog *b)
{
	size_t i, k;

	cr_assert_str_eq(a->version, b->version);
	cr_assert_eq(a->n_cats, b->n_cats);
	for (i = 0; i < a->n_cats; i++) {
		cr_assert_str_eq(a->cats[i].id, b->cats[i].id, "cats[%zu]", i);
		cr_assert_str_eq(a->cats[i].name, b->cats[i].name, "cats[%zu]", i);
		cr_assert_eq(a->cats[i].n_svc, b->cats[i].n_svc, "cats[%zu]", i);
		for (k = 0; k < a->cats[i].n_svc; k++)
			cr_assert_eq(a->cats[i].svc[k], b->cats[i].svc[k]);
	}
	cr_assert_eq(a->n_svcs, b->n_svcs);
	for (i = 0; i < a->n_svcs; i++) {
		const struct service_brief *x = &a->svcs[i], *y = &b->svcs[i];

		cr_assert_str_eq(x->id, y->id, "svcs[%zu]", i);
		cr_assert_str_eq(x->category, y->category, "svcs[%zu]", i);
		cr_assert_str_eq(x->name, y->name, "svcs[%zu]", i);
		cr_assert_str_eq(x->summary, y->summary, "svcs[%zu]", i);
		cr_assert_eq(x->n_keywords, y->n_keywords, "svcs[%zu]", i);
		for (k = 0; k < x->n_keywords; k++)
			cr_assert_str_eq(x->keywords[k], y->keywords[k]);
		cr_assert_null(y->keywords[y->n_keywords]);
		cr_assert_eq(x->kind, y->kind);
		cr_assert_eq(x->login_required, y->login_required);
		cr_assert_eq(x->fee_fen, y->fee_fen);
		cr_assert_eq(x->cat, y->cat);
		/* The compact layout: a service's category is its category's id. */
		cr_assert_eq(y->category, b->cats[y->cat].id);
		cr_assert_eq(catalog_find(b, y->id), (long)i);
	}
	cr_assert_eq(a->n_popular, b->n_popular);
	for (i = 0; i < a->n_popular; i++)
		cr_assert_eq(a->popular[i], b->popular[i]);
}

/* Both decoders on s[0..n): same verdict, same message (for JSON that is
 * not a catalog; for bytes that are not JSON, both refuse them with
 * jsonx_parse's kind of message), same catalog. Returns catalog_parse's
 * code; *out (may be NULL) keeps its catalog on success. */
static int decode_both_n(const char *s, size_t n, struct catalog *out, char *err,
                         size_t errlen)
{
	char err1[256] = "", err2[256] = "";
	struct catalog a, b;
	json_t *j = jsonx_parse(s, n, err1, sizeof err1);
	int r1 = j ? catalog_decode(j, &a, err1, sizeof err1) : -2;
	int r2 = catalog_parse(s, n, &b, err2, sizeof err2);

	char err3[256] = "";
	int r3 = catalog_check(s, n, err3, sizeof err3);

	json_decref(j);
	cr_assert_eq(r1, r2, "tree %d (%s), bytes %d (%s)", r1, err1, r2, err2);
	/* catalog_check: the same answer, building nothing. */
	cr_assert_eq(r3, r2, "check %d (%s), parse %d (%s)", r3, err3, r2, err2);
	if (r2)
		cr_assert_str_eq(err3, err2);
	if (r1 == -1)
		cr_assert_str_eq(err1, err2);
	if (r1 == -2) {
		cr_assert(err2[0], "no message");
		if (strncmp(err1, "not JSON: ", 10) == 0)
			cr_assert(strncmp(err2, "not JSON: ", 10) == 0, "%s / %s", err1, err2);
		else
			cr_assert_str_eq(err1, err2);
		cr_assert_null(strchr(err2, '"'), "the message quotes the input: %s", err2);
	}
	if (r1 == 0) {
		assert_same_catalog(&a, &b);
		catalog_free(&a);
	} else {
		cr_assert_eq(b.n_svcs, 0);
		cr_assert_null(b.svcs);
		cr_assert_null(b.mem);
	}
	if (err)
		snprintf(err, errlen, "%s", err2);
	if (out)
		*out = b;
	else
		catalog_free(&b);
	return r2;
}

static int decode_both(const char *s, struct catalog *out, char *err, size_t errlen)
{
	return decode_both_n(s, strlen(s), out, err, errlen);
}

/* The tree, written out and read back by both decoders. */
static int decode_tree_both(const json_t *j, struct catalog *out, char *err, size_t errlen)
{
	char *s = json_dumps(j, JSON_COMPACT | JSON_ENCODE_ANY);
	int rc;

	cr_assert_not_null(s);
	rc = decode_both(s, out, err, errlen);
	free(s);
	return rc;
}

static const char catalog_json[] =
	"{\"version\": \"2026-11-01T00:00:00Z\","
	" \"categories\": [{\"id\": \"social\", \"name\": \"社保\"},"
	"                  {\"id\": \"tax\", \"name\": \"税务\"},"
	"                  {\"id\": \"empty\", \"name\": \"空\"},"
	"                  {\"id\": \"social\", \"name\": \"dup\"}],"
	" \"popular\": [\"svc-b\", \"nope\", \"svc-a\", \"svc-b\"],"
	" \"services\": ["
	"  {\"id\": \"svc-b\", \"category\": \"social\", \"name\": \"社保缴费查询\","
	"   \"summary\": \"s\\u001b[2Jx\", \"keywords\": [\"社保\", \"养老\"],"
	"   \"kind\": \"query\", \"login_required\": true, \"fee_fen\": 0},"
	"  {\"id\": \"svc-a\", \"category\": \"tax\", \"name\": \"个税\", \"kind\": \"apply\","
	"   \"fee_fen\": 1250},"
	"  {\"id\": \"svc-x\", \"category\": \"ghost\", \"name\": \"dropped\", \"kind\": \"bill\"},"
	"  {\"id\": \"svc-b\", \"category\": \"tax\", \"name\": \"later dup\", \"kind\": \"bill\"},"
	"  {\"id\": \"svc-c\", \"category\": \"social\", \"name\": \"取号\", \"kind\": \"queue\","
	"   \"summary\": null}]}";

Test(model, catalog_sample)
{
	json_t *j = parse(catalog_json);
	struct catalog c;
	char err[256] = "";
	long i;

	cr_assert_eq(catalog_decode(j, &c, err, sizeof err), 0, "%s", err);
	cr_assert_str_eq(c.version, "2026-11-01T00:00:00Z");
	cr_assert_eq(c.n_cats, 3);
	cr_assert_str_eq(c.cats[0].name, "社保"); /* the first "social" kept */
	cr_assert_eq(c.n_svcs, 3);
	cr_assert_str_eq(c.svcs[0].id, "svc-b");
	cr_assert_str_eq(c.svcs[0].name, "社保缴费查询");
	cr_assert_str_eq(c.svcs[0].summary, "sx");
	cr_assert_eq(c.svcs[0].n_keywords, 2);
	cr_assert_str_eq(c.svcs[0].keywords[1], "养老");
	cr_assert_null(c.svcs[0].keywords[2]);
	cr_assert_eq(c.svcs[0].kind, SVC_QUERY);
	cr_assert(c.svcs[0].login_required);
	cr_assert_str_eq(c.svcs[1].id, "svc-a");
	cr_assert_eq(c.svcs[1].fee_fen, 1250);
	cr_assert_eq(c.svcs[1].cat, 1);
	cr_assert_str_eq(c.svcs[1].summary, "");
	cr_assert_eq(c.svcs[1].n_keywords, 0);
	cr_assert_null(c.svcs[1].keywords[0]);
	cr_assert_str_eq(c.svcs[2].id, "svc-c");
	cr_assert_str_eq(c.svcs[2].summary, "");

	cr_assert_eq(c.cats[0].n_svc, 2);
	cr_assert_eq(c.cats[0].svc[0], 0);
	cr_assert_eq(c.cats[0].svc[1], 2);
	cr_assert_eq(c.cats[1].n_svc, 1);
	cr_assert_eq(c.cats[1].svc[0], 1);
	cr_assert_eq(c.cats[2].n_svc, 0);

	cr_assert_eq(c.n_popular, 2);
	cr_assert_eq(c.popular[0], 0);
	cr_assert_eq(c.popular[1], 1);

	cr_assert_eq(catalog_find(&c, "svc-a"), 1);
	cr_assert_eq(catalog_find(&c, "svc-b"), 0);
	cr_assert_eq(catalog_find(&c, "svc-c"), 2);
	cr_assert_eq(catalog_find(&c, "svc-x"), -1);
	cr_assert_eq(catalog_find(&c, ""), -1);
	cr_assert_eq(catalog_find_category(&c, "tax"), 1);
	cr_assert_eq(catalog_find_category(&c, "ghost"), -1);
	for (i = 0; i < (long)c.n_svcs; i++)
		cr_assert_eq(catalog_find(&c, c.svcs[i].id), i);
	catalog_free(&c);
	cr_assert_eq(c.n_svcs, 0);
	catalog_free(&c); /* zeroed: fine twice */
	catalog_free(NULL);
	json_decref(j);

	/* From the bytes: the same catalog, compact. */
	cr_assert_eq(decode_both(catalog_json, &c, err, sizeof err), 0, "%s", err);
	cr_assert_str_eq(c.svcs[0].summary, "sx");
	cr_assert_eq(c.svcs[1].summary, c.svcs[2].summary, "absent summaries share one \"\"");
	cr_assert_eq(c.svcs[1].keywords, c.svcs[2].keywords, "absent keywords share one vector");
	cr_assert_eq(c.svcs[0].category, c.cats[0].id);
	cr_assert_eq(catalog_find(&c, "svc-x"), -1);
	catalog_free(&c);
	cr_assert_null(c.mem);
	catalog_free(&c);
}

static void expect_catalog_error(const char *json, const char *want)
{
	json_t *j = parse(json);
	struct catalog c;
	char err[256] = "";

	cr_assert_eq(catalog_decode(j, &c, err, sizeof err), -1, "accepted %s", json);
	cr_assert_str_eq(err, want);
	cr_assert_eq(c.n_svcs, 0);
	cr_assert_null(c.svcs);
	json_decref(j);
	/* The bytes: the same message. */
	err[0] = '\0';
	cr_assert_eq(decode_both(json, NULL, err, sizeof err), -1, "accepted %s", json);
	cr_assert_str_eq(err, want);
}

#define CATS "\"categories\":[{\"id\":\"c\",\"name\":\"C\"}]"
#define SVC(extra) "{" CATS ",\"services\":[{\"id\":\"a\",\"category\":\"c\",\"name\":\"A\"," \
	"\"kind\":\"query\"},{\"id\":\"b\",\"category\":\"c\",\"name\":\"B\",\"kind\":\"query\"" extra "}]}"

Test(model, catalog_errors_name_the_path)
{
	expect_catalog_error("[]", "catalog: expected object");
	expect_catalog_error("{\"services\":[]}", "categories: missing");
	expect_catalog_error("{" CATS "}", "services: missing");
	expect_catalog_error("{" CATS ",\"services\":{}}", "services: expected array");
	expect_catalog_error("{\"categories\":[1],\"services\":[]}", "categories[0]: expected object");
	expect_catalog_error("{\"categories\":[{\"id\":5}],\"services\":[]}", "categories[0].id: expected string");
	expect_catalog_error("{\"categories\":[{\"id\":\"x\"}],\"services\":[]}", "categories[0].name: missing");
	expect_catalog_error("{" CATS ",\"services\":[null]}", "services[0]: expected object");
	expect_catalog_error(SVC(",\"name\":7"), "services[1].name: expected string");
	expect_catalog_error(SVC(",\"fee_fen\":-1"), "services[1].fee_fen: must not be negative");
	expect_catalog_error(SVC(",\"fee_fen\":1.5"), "services[1].fee_fen: expected integer");
	expect_catalog_error(SVC(",\"fee_fen\":\"100\""), "services[1].fee_fen: expected integer");
	expect_catalog_error(SVC(",\"login_required\":1"), "services[1].login_required: expected boolean");
	expect_catalog_error(SVC(",\"keywords\":\"x\""), "services[1].keywords: expected array");
	expect_catalog_error(SVC(",\"keywords\":[\"a\",null]"), "services[1].keywords[1]: expected string");
	expect_catalog_error("{" CATS ",\"services\":[{\"id\":\"a\",\"category\":\"c\",\"name\":\"A\","
	                     "\"kind\":\"teleport\"}]}", "services[0].kind: unknown kind 'teleport'");
	expect_catalog_error("{" CATS ",\"services\":[],\"popular\":[1]}", "popular[0]: expected string");
	expect_catalog_error("{" CATS ",\"services\":[],\"popular\":\"a\"}", "popular: expected array");
	expect_catalog_error("{" CATS ",\"services\":[],\"version\":3}", "version: expected string");
	/* Every other message the decoder has. */
	expect_catalog_error("null", "catalog: expected object");
	expect_catalog_error("\"catalog\"", "catalog: expected object");
	expect_catalog_error("{\"categories\":null,\"services\":[]}", "categories: expected array");
	expect_catalog_error("{" CATS ",\"services\":null}", "services: expected array");
	expect_catalog_error("{\"categories\":[{\"name\":\"x\"}],\"services\":[]}", "categories[0].id: missing");
	expect_catalog_error("{\"categories\":[{\"id\":null,\"name\":\"x\"}],\"services\":[]}",
	                     "categories[0].id: expected string");
	expect_catalog_error("{\"categories\":[{\"id\":\"x\",\"name\":[]}],\"services\":[]}",
	                     "categories[0].name: expected string");
	expect_catalog_error("{" CATS ",\"services\":[{\"category\":\"c\",\"name\":\"A\",\"kind\":\"query\"}]}",
	                     "services[0].id: missing");
	expect_catalog_error("{" CATS ",\"services\":[{\"id\":\"a\",\"name\":\"A\",\"kind\":\"query\"}]}",
	                     "services[0].category: missing");
	expect_catalog_error("{" CATS ",\"services\":[{\"id\":\"a\",\"category\":1,\"name\":\"A\",\"kind\":\"query\"}]}",
	                     "services[0].category: expected string");
	expect_catalog_error("{" CATS ",\"services\":[{\"id\":\"a\",\"category\":\"c\",\"kind\":\"query\"}]}",
	                     "services[0].name: missing");
	expect_catalog_error("{" CATS ",\"services\":[{\"id\":\"a\",\"category\":\"c\",\"name\":\"A\"}]}",
	                     "services[0].kind: missing");
	expect_catalog_error("{" CATS ",\"services\":[{\"id\":\"a\",\"category\":\"c\",\"name\":\"A\",\"kind\":null}]}",
	                     "services[0].kind: expected string");
	expect_catalog_error(SVC(",\"summary\":[]"), "services[1].summary: expected string");
	expect_catalog_error(SVC(",\"keywords\":[\"a\",\"b\",{}]"), "services[1].keywords[2]: expected string");
	expect_catalog_error(SVC(",\"fee_fen\":true"), "services[1].fee_fen: expected integer");
	expect_catalog_error(SVC(",\"fee_fen\":-9223372036854775808"), "services[1].fee_fen: must not be negative");
	expect_catalog_error(SVC(",\"login_required\":\"true\""), "services[1].login_required: expected boolean");
	/* A service whose category is unknown is dropped, but checked first. */
	expect_catalog_error("{" CATS ",\"services\":[{\"id\":\"a\",\"category\":\"ghost\",\"name\":\"A\","
	                     "\"kind\":\"query\",\"keywords\":[1]}]}", "services[0].keywords[0]: expected string");
	/* The kind is checked after every member, and named sanitized. */
	expect_catalog_error("{" CATS ",\"services\":[{\"id\":\"a\",\"category\":\"c\",\"name\":\"A\","
	                     "\"kind\":\"x\\u001b[2Jy\",\"fee_fen\":\"1\"}]}", "services[0].fee_fen: expected integer");
	expect_catalog_error("{" CATS ",\"services\":[{\"id\":\"a\",\"category\":\"c\",\"name\":\"A\","
	                     "\"kind\":\"x\\u001b[2Jy\",\"fee_fen\":-1}]}", "services[0].kind: unknown kind 'xy'");
}

Test(model, catalog_minimal_and_empty)
{
	json_t *j = parse("{\"categories\":[],\"services\":[]}");
	struct catalog c;
	char err[128];

	cr_assert_eq(catalog_decode(j, &c, err, sizeof err), 0, "%s", err);
	cr_assert_eq(c.n_cats, 0);
	cr_assert_eq(c.n_svcs, 0);
	cr_assert_eq(c.n_popular, 0);
	cr_assert_str_eq(c.version, "");
	cr_assert_eq(catalog_find(&c, "a"), -1);
	catalog_free(&c);
	json_decref(j);
}

/* Replaces each member of each service, in turn, by values of every JSON
 * type: the decoder must never crash and must either succeed or say why. */
Test(model, catalog_mutations_never_crash)
{
	json_t *vals[] = { json_null(), json_true(), json_integer(-1),
	                   json_integer(LLONG_MAX), json_real(1e300), json_string(""),
	                   json_string("\x1b[2J"), json_array(), json_object(),
	                   json_pack("[i,s,{}]", 1, "x") };
	const char *keys[] = { "id", "category", "name", "summary", "keywords", "kind",
	                       "login_required", "fee_fen", "extra" };
	const char *top[] = { "version", "categories", "services", "popular" };
	size_t v, k, s;

	for (v = 0; v < sizeof vals / sizeof *vals; v++) {
		for (k = 0; k < sizeof keys / sizeof *keys; k++) {
			for (s = 0; s < 5; s++) {
				json_t *j = parse(catalog_json);
				struct catalog c;
				char err[256] = "";
				int rc;

				json_object_set(json_array_get(json_object_get(j, "services"), s),
				                keys[k], vals[v]);
				rc = catalog_decode(j, &c, err, sizeof err);
				cr_assert(rc == 0 || (rc == -1 && err[0]));
				catalog_free(&c);
				decode_tree_both(j, NULL, NULL, 0);
				json_decref(j);
			}
		}
		for (k = 0; k < sizeof top / sizeof *top; k++) {
			json_t *j = parse(catalog_json);
			struct catalog c;
			char err[256] = "";
			int rc;

			json_object_set(j, top[k], vals[v]);
			rc = catalog_decode(j, &c, err, sizeof err);
			cr_assert(rc == 0 || (rc == -1 && err[0]));
			catalog_free(&c);
			decode_tree_both(j, NULL, NULL, 0);
			json_decref(j);
		}
	}
	for (v = 0; v < sizeof vals / sizeof *vals; v++) {
		struct catalog c;
		struct service sv;
		struct problem p;
		char err[64];

		if (catalog_decode(vals[v], &c, err, sizeof err) == 0)
			catalog_free(&c);
		decode_tree_both(vals[v], NULL, NULL, 0);
		if (service_decode(vals[v], &sv, err, sizeof err) == 0)
			service_free(&sv);
		cr_assert_eq(problem_decode(vals[v], 500, &p, err, sizeof err), 0);
		problem_free(&p);
		json_decref(vals[v]);
	}
}

Test(model, catalog_10000_services_fast, .timeout = 20)
{
	json_t *root = json_object(), *cats = json_array(), *svcs = json_array();
	struct catalog c;
	char err[128], id[32];
	unsigned seed = 7;
	int i, perm[10000], inv[10000];
	clock_t t0;
	double secs;

	for (i = 0; i < 40; i++) {
		snprintf(id, sizeof id, "cat-%02d", i);
		json_array_append_new(cats, json_pack("{s:s,s:s}", "id", id, "name", "分类"));
	}
	for (i = 0; i < 10000; i++)
		perm[i] = i;
	for (i = 9999; i > 0; i--) { /* ids in random order */
		int k = (int)(rand_r(&seed) % (unsigned)(i + 1)), t = perm[i];

		perm[i] = perm[k];
		perm[k] = t;
	}
	for (i = 0; i < 10000; i++) {
		char cat[16];

		snprintf(id, sizeof id, "svc-%05d", perm[i]);
		snprintf(cat, sizeof cat, "cat-%02d", i % 40);
		json_array_append_new(svcs, json_pack("{s:s,s:s,s:s,s:s,s:[s,s],s:s,s:b,s:i}",
			"id", id, "category", cat, "name", "社保缴费查询服务",
			"summary", "一段摘要", "keywords", "社保", "养老", "kind", "apply",
			"login_required", i & 1, "fee_fen", i));
	}
	for (i = 0; i < 10000; i++)
		inv[perm[i]] = i;
	json_object_set_new(root, "categories", cats);
	json_object_set_new(root, "services", svcs);
	json_object_set_new(root, "popular", json_pack("[s,s]", "svc-00000", "svc-09999"));

	t0 = clock();
	cr_assert_eq(catalog_decode(root, &c, err, sizeof err), 0, "%s", err);
	for (i = 0; i < 10000; i++) {
		snprintf(id, sizeof id, "svc-%05d", i);
		/* svcs stay in catalog order: "svc-<perm[k]>" is at k */
		cr_assert_eq(catalog_find(&c, id), (long)inv[i]);
	}
	secs = (double)(clock() - t0) / CLOCKS_PER_SEC;
	cr_assert_lt(secs, 2.0, "decode + 10,000 finds took %.3f s", secs);
	cr_assert_eq(c.n_svcs, 10000);
	cr_assert_eq(c.n_popular, 2);
	cr_assert_eq(c.cats[3].n_svc, 250);
	for (i = 1; i < 250; i++)
		cr_assert_lt(c.cats[3].svc[i - 1], c.cats[3].svc[i]);
	catalog_free(&c);

	/* The bytes give the same catalog, in far less memory than a tree:
	 * 10,000 services of this kind are about 1.2 MB. (mallinfo2 says
	 * nothing under AddressSanitizer, whose allocator is its own.) The
	 * optional members go, for the bytes to fit the 1 MiB limit. */
	for (i = 0; i < 10000; i++) {
		json_t *o = json_array_get(svcs, (size_t)i);

		json_object_del(o, "summary");
		json_object_del(o, "keywords");
		json_object_del(o, "fee_fen");
		if (i % 2 == 0)
			json_object_del(o, "login_required");
	}
	{
		char *s = json_dumps(root, JSON_COMPACT);
		struct mallinfo2 m0, m1;
		size_t used;

		cr_assert_eq(decode_both(s, NULL, err, sizeof err), 0, "%s", err);
		m0 = mallinfo2();
		cr_assert_eq(catalog_parse(s, strlen(s), &c, err, sizeof err), 0, "%s", err);
		m1 = mallinfo2();
		used = (m1.uordblks + m1.hblkhd) - (m0.uordblks + m0.hblkhd);
		if (m0.uordblks + m0.hblkhd > 0)
			cr_assert_lt(used, 2u << 20, "catalog_parse kept %zu bytes for 10,000 services",
			             used);
		cr_assert_eq(c.n_svcs, 10000);
		catalog_free(&c);
		free(s);
	}
	json_decref(root);
}

/* ---- catalog_parse: the bytes ---- */

static void expect_not_json(const char *s, size_t n, const char *want)
{
	struct catalog c;
	char err[256] = "";

	cr_assert_eq(decode_both_n(s, n, &c, err, sizeof err), -2, "accepted %.60s", s);
	cr_assert(strncmp(err, want, strlen(want)) == 0, "%s, not %s", err, want);
	cr_assert_null(c.mem);
}

#define GOOD_HEAD "{" CATS ",\"services\":["
#define GOOD_SVC(name) "{\"id\":\"a\",\"category\":\"c\",\"name\":" name ",\"kind\":\"query\"}"

/* One service whose name is the JSON string `name`; its decoded name. */
static char *name_of(const char *name)
{
	char buf[4096];
	struct catalog c;
	char err[256], *out;

	snprintf(buf, sizeof buf, GOOD_HEAD GOOD_SVC("%s") "]}", name);
	cr_assert_eq(decode_both(buf, &c, err, sizeof err), 0, "%s: %s", name, err);
	cr_assert_eq(c.n_svcs, 1);
	out = strdup(c.svcs[0].name);
	catalog_free(&c);
	return out;
}

static void expect_name(const char *name, const char *want)
{
	char *got = name_of(name);

	cr_assert_str_eq(got, want, "%s", name);
	free(got);
}

Test(model, parse_not_json)
{
	expect_not_json("", 0, "not JSON: the answer ends too early");
	expect_not_json("   ", 3, "not JSON: the answer ends too early");
	expect_not_json(GOOD_HEAD, strlen(GOOD_HEAD), "not JSON: the answer ends too early");
	expect_not_json("{\"a\":\"b", 7, "not JSON: the answer ends too early");
	expect_not_json("{} x", 4, "not JSON: more after the end");
	expect_not_json("{}{}", 4, "not JSON: more after the end");
	expect_not_json("{\"a\" 1}", 8, "not JSON: invalid syntax");
	expect_not_json("{\"a\":1,}", 9, "not JSON: invalid syntax");
	expect_not_json("[1,]", 4, "not JSON: invalid syntax");
	expect_not_json("{a:1}", 5, "not JSON: invalid syntax");
	expect_not_json("{'a':1}", 7, "not JSON: invalid syntax");
	expect_not_json("[tru]", 5, "not JSON: invalid syntax");
	expect_not_json("[nulls]", 7, "not JSON: invalid syntax");
	expect_not_json("[True]", 6, "not JSON: invalid syntax");
	expect_not_json("[01]", 4, "not JSON: invalid syntax");
	expect_not_json("[1.]", 4, "not JSON: invalid syntax");
	expect_not_json("[.5]", 4, "not JSON: invalid syntax");
	expect_not_json("[1e]", 4, "not JSON: invalid syntax");
	expect_not_json("[-]", 3, "not JSON: invalid syntax");
	expect_not_json("[+1]", 4, "not JSON: invalid syntax");
	expect_not_json("[\"a\tb\"]", 7, "not JSON: invalid syntax"); /* a raw TAB */
	expect_not_json("[\"a\nb\"]", 7, "not JSON: invalid syntax");
	expect_not_json("[\"a\\xb\"]", 8, "not JSON: invalid syntax");
	expect_not_json("[\"\\u12G4\"]", 10, "not JSON: invalid syntax");
	expect_not_json("[\"\\u12\"]", 8, "not JSON: invalid syntax");
	expect_not_json("{\"a\":\"\\", 7, "not JSON: invalid syntax");
	expect_not_json("[1 2]", 5, "not JSON: invalid syntax");
	expect_not_json("\xEF\xBB\xBF{}", 5, "not JSON: invalid syntax"); /* a BOM */
	expect_not_json("[\xE4\xB8\xAD]", 5, "not JSON: invalid syntax");  /* UTF-8 out of a string */
	expect_not_json("[\xFF]", 3, "not JSON: invalid syntax");
	expect_not_json("[\"a\"]\0", 6, "not JSON: more after the end");
	expect_not_json("[\"a\0b\"]", 7, "not JSON: invalid syntax");   /* a raw NUL */
	/* Where: line, column in characters, bytes read. */
	{
		char err[128];
		struct catalog c;

		cr_assert_eq(catalog_parse("{\"a\": 1,\n \"b\": }", 16, &c, err, sizeof err), -2);
		cr_assert_str_eq(err, "not JSON: invalid syntax at line 2, column 7 (byte 16)");
		cr_assert_eq(catalog_parse("[\"中文\",x]", 12, &c, err, sizeof err), -2);
		cr_assert_str_eq(err, "not JSON: invalid syntax at line 1, column 7 (byte 11)");
		cr_assert_eq(catalog_parse(NULL, 5, &c, err, sizeof err), -2);
		cr_assert_str_eq(err, "not JSON: the answer ends too early at line 1, column 0 (byte 0)");
		cr_assert_eq(catalog_parse("[", 1, &c, NULL, 0), -2); /* no err buffer: fine */
		/* Stricter than jansson in one place: it drops a NUL right after
		 * a number or a literal (its push-back buffer takes NUL for
		 * empty) and reads "[1\0]" as [1]; a NUL outside a string is no
		 * JSON here. */
		static const char nul[] = "{" CATS ",\"services\":[],\"x\":[1\0]}";

		cr_assert_eq(catalog_parse(nul, sizeof nul - 1, &c, err, sizeof err), -2);
		cr_assert(strncmp(err, "not JSON: invalid syntax", 24) == 0, "%s", err);
		cr_assert_eq(catalog_parse(nul, strlen(nul), &c, err, sizeof err), -2);
		cr_assert_str_eq(err, "not JSON: the answer ends too early at line 1, column 58 (byte 58)");
		catalog_free(&c);
	}
}

Test(model, parse_limits)
{
	char *s;
	size_t n, i;
	struct catalog c;
	char err[128];

	/* Depth: 32 levels pass (in a member nobody reads), 33 do not. */
	s = malloc(256);
	n = (size_t)sprintf(s, "{" CATS ",\"services\":[],\"x\":");
	for (i = 0; i < 31; i++)
		s[n++] = '[';
	for (i = 0; i < 31; i++)
		s[n++] = ']';
	s[n++] = '}';
	cr_assert_eq(decode_both_n(s, n, NULL, err, sizeof err), 0, "%s", err);
	n = (size_t)sprintf(s, "{" CATS ",\"services\":[],\"x\":");
	for (i = 0; i < 32; i++)
		s[n++] = '[';
	for (i = 0; i < 32; i++)
		s[n++] = ']';
	s[n++] = '}';
	cr_assert_eq(decode_both_n(s, n, NULL, err, sizeof err), -2);
	cr_assert_str_eq(err, "nested too deeply");
	free(s);

	/* Size: JSONX_MAX_BODY passes, one byte more does not. */
	n = JSONX_MAX_BODY;
	s = malloc(n + 1);
	i = (size_t)sprintf(s, "{" CATS ",\"services\":[],\"x\":\"");
	memset(s + i, 'a', n - i - 2);
	memcpy(s + n - 2, "\"}", 2);
	cr_assert_eq(decode_both_n(s, n, NULL, err, sizeof err), 0, "%s", err);
	s[n - 1] = ' ';
	s[n] = '}';
	cr_assert_eq(catalog_parse(s, n + 1, &c, err, sizeof err), -2);
	cr_assert_str_eq(err, "body too large");
	free(s);
}

Test(model, parse_strings)
{
	char *s, *got;
	size_t n;

	expect_name("\"plain ASCII\"", "plain ASCII");
	expect_name("\"\"", "");
	expect_name("\"\\\" \\\\ \\/\"", "\" \\ /");
	expect_name("\"a\\tb\\nc\\rd\"", "a b cd");          /* TAB, newline: spaces; CR dropped */
	expect_name("\"a\\bb\\fc\"", "a\xEF\xBF\xBD" "b\xEF\xBF\xBD" "c");
	expect_name("\"\\u00e9\\u4E2D\\u6587\"", "é中文");
	expect_name("\"\\u0041\\u0042\"", "AB");
	expect_name("\"\\ud83d\\ude00!\"", "\xF0\x9F\x98\x80!");   /* a surrogate pair */
	expect_name("\"\\uD834\\uDD1E\"", "\xF0\x9D\x84\x9E");
	expect_name("\"x\\u0000y\"", "x\xEF\xBF\xBDy");           /* NUL in a value: U+FFFD */
	expect_name("\"\\u001b[2Jz\\u009b\\u202e\"", "z\xEF\xBF\xBD\xEF\xBF\xBD");
	expect_name("\"\x7F\"", "\xEF\xBF\xBD");                     /* a raw DEL */
	/* Invalid UTF-8 in a string: each bad byte a U+FFFD, as jsonx_parse's
	 * repair makes it; the valid characters around it stay. */
	expect_name("\"x\xFFy\"", "x\xEF\xBF\xBDy");
	expect_name("\"\xE4\xB8\"", "\xEF\xBF\xBD\xEF\xBF\xBD");   /* cut short at the quote */
	expect_name("\"\xC0\xAF\"", "\xEF\xBF\xBD\xEF\xBF\xBD");   /* overlong */
	expect_name("\"\xED\xA0\x80\"", "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD"); /* a surrogate */
	expect_name("\"\xE4\\u00e9\"", "\xEF\xBF\xBDé");
	expect_name("\"\\u00e9\xA9\"", "é\xEF\xBF\xBD");
	expect_name("\"\xEF\xBF\xBD\"", "\xEF\xBF\xBD");             /* a real U+FFFD */
	expect_name("\"中\\\"文\"", "中\"文");

	/* Lone or broken surrogates are not JSON, as in jansson. */
	expect_not_json("[\"\\ud800\"]", 10, "not JSON: invalid syntax");
	expect_not_json("[\"\\udc00\"]", 10, "not JSON: invalid syntax");
	expect_not_json("[\"\\ud800x\"]", 11, "not JSON: invalid syntax");
	expect_not_json("[\"\\ud800\\u0041\"]", 16, "not JSON: invalid syntax");
	expect_not_json("[\"\\ud800\\ud800\"]", 16, "not JSON: invalid syntax");
	/* NUL in a member name: not JSON (jansson cannot hold it). */
	expect_not_json("{\"a\\u0000\":1}", 14, "not JSON: a NUL in a key");
	expect_not_json("[{\"x\":{\"\\u0000\":1}}]", 20, "not JSON: a NUL in a key");

	/* Escaped member names are the names they spell. */
	{
		const char *j = "{\"categ\\u006fries\":[{\"\\u0069d\":\"c\",\"n\\u0061me\":\"C\"}],"
		                "\"services\":[{\"id\":\"a\",\"category\":\"c\",\"name\":\"A\","
		                "\"\\u006bind\":\"apply\",\"fee\\u005ffen\":5}]}";
		struct catalog c;
		char err[128];

		cr_assert_eq(decode_both(j, &c, err, sizeof err), 0, "%s", err);
		cr_assert_eq(c.svcs[0].kind, SVC_APPLY);
		cr_assert_eq(c.svcs[0].fee_fen, 5);
		catalog_free(&c);
	}

	/* A huge name: 900,000 bytes of CJK, and as many escapes. */
	n = 900000;
	s = malloc(n + 3);
	s[0] = '"';
	for (size_t i = 0; i < n / 3; i++)
		memcpy(s + 1 + 3 * i, "中", 3);
	s[n + 1] = '"';
	s[n + 2] = '\0';
	{
		char *buf = malloc(n + 200);
		struct catalog c;
		char err[128];

		snprintf(buf, n + 200, GOOD_HEAD GOOD_SVC("%s") "]}", s);
		cr_assert_eq(decode_both(buf, &c, err, sizeof err), 0, "%s", err);
		cr_assert_eq(strlen(c.svcs[0].name), n);
		catalog_free(&c);
		for (size_t i = 0; i < n / 6; i++)
			memcpy(s + 1 + 6 * i, "\\u4e2d", 6);
		snprintf(buf, n + 200, GOOD_HEAD GOOD_SVC("%s") "]}", s);
		cr_assert_eq(decode_both(buf, &c, err, sizeof err), 0, "%s", err);
		cr_assert_eq(strlen(c.svcs[0].name), n / 2);
		catalog_free(&c);
		free(buf);
	}
	free(s);
	got = name_of("\"\\u001b]0;title\\u0007ok\"");
	cr_assert_str_eq(got, "ok");
	free(got);
}

Test(model, parse_numbers)
{
	char buf[512];
	struct catalog c;
	char err[128];
	static const char *const fine[] = {
		"0", "-0", "9223372036854775807", "-9223372036854775808", "1.5", "-0.0",
		"1e308", "1E+2", "1e-400", "123456789012345678901234567890.5",
		"1.7976931348623157e308",
	};
	static const char *const out_of_range[] = {
		"9223372036854775808", "-9223372036854775809", "99999999999999999999",
		"1e400", "-1e309", "1.8e308",
	};

	/* In a member nobody reads: the number only has to be JSON. */
	for (size_t i = 0; i < sizeof fine / sizeof *fine; i++) {
		snprintf(buf, sizeof buf, "{" CATS ",\"services\":[],\"x\":[%s]}", fine[i]);
		cr_assert_eq(decode_both(buf, NULL, err, sizeof err), 0, "%s: %s", fine[i], err);
	}
	for (size_t i = 0; i < sizeof out_of_range / sizeof *out_of_range; i++) {
		snprintf(buf, sizeof buf, "{" CATS ",\"services\":[],\"x\":%s}", out_of_range[i]);
		expect_not_json(buf, strlen(buf), "not JSON: a number out of range");
	}
	/* fee_fen: an integer, 0 or more, up to LLONG_MAX. */
	snprintf(buf, sizeof buf, SVC(",\"fee_fen\":9223372036854775807"));
	cr_assert_eq(decode_both(buf, &c, err, sizeof err), 0, "%s", err);
	cr_assert_eq(c.svcs[1].fee_fen, LLONG_MAX);
	catalog_free(&c);
	snprintf(buf, sizeof buf, SVC(",\"fee_fen\":-0"));
	cr_assert_eq(decode_both(buf, &c, err, sizeof err), 0, "%s", err);
	cr_assert_eq(c.svcs[1].fee_fen, 0);
	catalog_free(&c);
	expect_catalog_error(SVC(",\"fee_fen\":1e2"), "services[1].fee_fen: expected integer");
	expect_catalog_error(SVC(",\"fee_fen\":100.0"), "services[1].fee_fen: expected integer");
}

Test(model, parse_duplicate_members)
{
	struct catalog c;
	char err[256];

	/* The last of members with one name counts, as in jansson: an earlier
	 * one of the wrong type is no error. */
	cr_assert_eq(decode_both(SVC(",\"name\":7,\"name\":\"B2\""), &c, err, sizeof err), 0, "%s", err);
	cr_assert_str_eq(c.svcs[1].name, "B2");
	catalog_free(&c);
	expect_catalog_error(SVC(",\"name\":\"B2\",\"name\":7"), "services[1].name: expected string");
	cr_assert_eq(decode_both("{\"services\":{},\"categories\":7," CATS ",\"services\":[],"
	                         "\"version\":1,\"version\":\"v2\"}", &c, err, sizeof err), 0, "%s", err);
	cr_assert_str_eq(c.version, "v2");
	catalog_free(&c);
	expect_catalog_error("{" CATS ",\"services\":[],\"services\":null}", "services: expected array");
	/* Members the kiosk does not read may be anything. */
	cr_assert_eq(decode_both("{\"x\":{\"y\":[null,true,false,-1.5e-3,{\"z\":\"\\u4e2d\"}]}," CATS
	                         ",\"services\":[],\"popular\":null}", &c, err, sizeof err), 0, "%s", err);
	cr_assert_eq(c.n_popular, 0);
	catalog_free(&c);
	/* Duplicate categories and services: the first is kept. */
	cr_assert_eq(decode_both(catalog_json, &c, err, sizeof err), 0, "%s", err);
	cr_assert_eq(c.n_cats, 3);
	cr_assert_eq(c.n_svcs, 3);
	catalog_free(&c);
	/* A duplicate id whose first has an unknown category: neither stays. */
	cr_assert_eq(decode_both("{" CATS ",\"services\":[{\"id\":\"a\",\"category\":\"x\",\"name\":\"A\","
	                         "\"kind\":\"bill\"},{\"id\":\"a\",\"category\":\"c\",\"name\":\"A2\","
	                         "\"kind\":\"bill\"},{\"id\":\"b\",\"category\":\"c\",\"name\":\"B\","
	                         "\"kind\":\"bill\"}],\"popular\":[\"b\",\"a\",\"b\"]}", &c, err, sizeof err), 0,
	             "%s", err);
	cr_assert_eq(c.n_svcs, 1);
	cr_assert_str_eq(c.svcs[0].id, "b");
	cr_assert_eq(c.n_popular, 1);
	cr_assert_eq(c.cats[0].n_svc, 1);
	catalog_free(&c);
}

/* White space anywhere JSON allows it, CRLF line ends, members in any
 * order: the same catalog. */
Test(model, parse_layout_of_the_bytes)
{
	static const char spaced[] =
		" \r\n\t{ \"services\" :\r\n [ { \"kind\" : \"queue\" , \"name\" : \"N\" ,"
		" \"category\" : \"c\" , \"id\" : \"s\" , \"keywords\" : [ \"k1\" , \"k2\" ] ,"
		" \"login_required\" : false , \"fee_fen\" : 0 } ] ,\n \"categories\" : [ {"
		" \"name\" : \"C\" , \"id\" : \"c\" } ] , \"popular\" : [ \"s\" ] } \r\n ";
	struct catalog c;
	char err[128];

	cr_assert_eq(decode_both(spaced, &c, err, sizeof err), 0, "%s", err);
	cr_assert_eq(c.n_svcs, 1);
	cr_assert_eq(c.svcs[0].kind, SVC_QUEUE);
	cr_assert_str_eq(c.svcs[0].keywords[1], "k2");
	cr_assert_eq(c.n_popular, 1);
	catalog_free(&c);
}

static const char service_json[] =
	"{\"id\": \"svc-hukou\", \"category\": \"police\", \"name\": \"户籍证明\","
	" \"kind\": \"apply\", \"login_required\": true, \"fee_fen\": 0,"
	" \"description\": \"第一行\\n第二行\\u202e\", \"materials\": [\"身份证\", \"户口簿\"],"
	" \"processing_days\": 3, \"where\": \"3号窗口\","
	" \"form\": {\"fields\": ["
	"  {\"id\": \"name\", \"type\": \"text\", \"label\": \"姓名\", \"required\": true, \"max_len\": 30, \"prefill\": \"citizen.name\"},"
	"  {\"id\": \"idno\", \"type\": \"idcard\", \"label\": \"身份证号\", \"required\": true, \"prefill\": \"citizen.id\"},"
	"  {\"id\": \"phone\", \"type\": \"phone\", \"label\": \"手机号\", \"required\": true},"
	"  {\"id\": \"birth\", \"type\": \"date\", \"label\": \"出生日期\", \"min\": \"1900-01-01\", \"max\": \"today\"},"
	"  {\"id\": \"count\", \"type\": \"number\", \"label\": \"份数\", \"min\": 1, \"max\": 10},"
	"  {\"id\": \"amt\", \"type\": \"money\", \"label\": \"金额\", \"max\": 100000},"
	"  {\"id\": \"kind\", \"type\": \"select\", \"label\": \"类别\", \"options\": [{\"value\": \"a\", \"label\": \"首次申领\"}, {\"value\": \"b\", \"label\": \"补领\"}]},"
	"  {\"id\": \"agree\", \"type\": \"bool\", \"label\": \"本人承诺所填信息真实\"}],"
	" \"fee_fen\": 500}}";

Test(model, service_sample)
{
	json_t *j = parse(service_json);
	struct service s;
	char err[256] = "";
	const struct form_field *f;

	cr_assert_eq(service_decode(j, &s, err, sizeof err), 0, "%s", err);
	cr_assert_str_eq(s.b.id, "svc-hukou");
	cr_assert_eq(s.b.kind, SVC_APPLY);
	cr_assert_eq(s.b.cat, 0);
	cr_assert_str_eq(s.description, "第一行\n第二行\xEF\xBF\xBD");
	cr_assert_eq(s.n_materials, 2);
	cr_assert_str_eq(s.materials[1], "户口簿");
	cr_assert_null(s.materials[2]);
	cr_assert_eq(s.processing_days, 3);
	cr_assert_str_eq(s.where, "3号窗口");
	cr_assert_eq(s.form.n_fields, 8);
	cr_assert_eq(s.form.fee_fen, 500);
	f = &s.form.fields[0];
	cr_assert_eq(f->type, FIELD_TEXT);
	cr_assert(f->required);
	cr_assert_eq(f->max_len, 30);
	cr_assert_str_eq(f->prefill, "citizen.name");
	cr_assert_str_eq(f->min_date, "");
	cr_assert_eq(s.form.fields[1].type, FIELD_IDCARD);
	cr_assert_eq(s.form.fields[2].type, FIELD_PHONE);
	cr_assert_str_eq(s.form.fields[2].prefill, "");
	f = &s.form.fields[3];
	cr_assert_eq(f->type, FIELD_DATE);
	cr_assert_str_eq(f->min_date, "1900-01-01");
	cr_assert_str_eq(f->max_date, "today");
	cr_assert_not(f->has_min);
	f = &s.form.fields[4];
	cr_assert_eq(f->type, FIELD_NUMBER);
	cr_assert(f->has_min && f->has_max);
	cr_assert_eq(f->min_num, 1);
	cr_assert_eq(f->max_num, 10);
	f = &s.form.fields[5];
	cr_assert_eq(f->type, FIELD_MONEY);
	cr_assert_not(f->has_min);
	cr_assert(f->has_max);
	f = &s.form.fields[6];
	cr_assert_eq(f->type, FIELD_SELECT);
	cr_assert_eq(f->n_options, 2);
	cr_assert_str_eq(f->options[1].label, "补领");
	cr_assert_eq(s.form.fields[7].type, FIELD_BOOL);
	cr_assert_not(s.form.fields[7].required);
	service_free(&s);
	service_free(&s);
	service_free(NULL);
	json_decref(j);
}

Test(model, service_without_form)
{
	json_t *j = parse("{\"id\":\"q\",\"name\":\"查询\",\"kind\":\"query\"}");
	struct service s;
	char err[128];

	cr_assert_eq(service_decode(j, &s, err, sizeof err), 0, "%s", err);
	cr_assert_eq(s.form.n_fields, 0);
	cr_assert_eq(s.processing_days, -1);
	cr_assert_str_eq(s.where, "");
	cr_assert_str_eq(s.description, "");
	cr_assert_eq(s.n_materials, 0);
	cr_assert_null(s.materials[0]);
	cr_assert_str_eq(s.b.category, "");
	service_free(&s);
	json_decref(j);
}

static void expect_service_error(const char *form_or_extra, const char *want)
{
	char buf[2048];
	json_t *j;
	struct service s;
	char err[256] = "";

	snprintf(buf, sizeof buf, "{\"id\":\"x\",\"name\":\"X\",\"kind\":\"apply\"%s}", form_or_extra);
	j = parse(buf);
	cr_assert_eq(service_decode(j, &s, err, sizeof err), -1, "accepted %s", buf);
	cr_assert_str_eq(err, want);
	cr_assert_null(s.b.id);
	json_decref(j);
}

/* A form the kiosk cannot read: the service decodes, without a form,
 * and form_error says why. */
static void expect_form_error(const char *form, const char *want)
{
	char buf[20000];
	struct service s;
	char err[256] = "";

	snprintf(buf, sizeof buf, "{\"id\":\"x\",\"name\":\"X\",\"kind\":\"apply\","
	         "\"materials\":[\"m\"]%s}", form);
	json_t *j = parse(buf);
	cr_assert_eq(service_decode(j, &s, err, sizeof err), 0, "refused %s: %s", buf, err);
	cr_assert_str_eq(s.b.id, "x");
	cr_assert_eq(s.n_materials, 1);
	cr_assert_eq(s.form.n_fields, 0);
	cr_assert_null(s.form.fields);
	cr_assert_not_null(s.form_error, "no form_error for %s", buf);
	cr_assert_str_eq(s.form_error, want);
	service_free(&s);
	json_decref(j);
}

Test(model, service_errors)
{
	struct service s;
	char err[128];
	json_t *j = json_integer(3);

	cr_assert_eq(service_decode(j, &s, err, sizeof err), -1);
	cr_assert_str_eq(err, "service: expected object");
	json_decref(j);

	expect_service_error(",\"kind\":\"nope\"", "kind: unknown kind 'nope'");
	expect_service_error(",\"processing_days\":-3", "processing_days: must not be negative");
	expect_service_error(",\"processing_days\":\"3\"", "processing_days: expected integer");
	expect_service_error(",\"materials\":[1]", "materials[0]: expected string");
	expect_form_error(",\"form\":[]", "form: expected object");
	{
		/* 200 fields: refused as a form, the service still shown. */
		char big[16384] = ",\"form\":{\"fields\":[";
		size_t len = strlen(big);
		for (int i = 0; i < 200; i++)
			len += (size_t)snprintf(big + len, sizeof big - len, "%s{\"id\":\"f%d\",\"type\":\"text\",\"label\":\"L\"}",
			                        i ? "," : "", i);
		snprintf(big + len, sizeof big - len, "]}");
		expect_form_error(big, "form.fields: 200 fields, more than 100");
	}
	expect_form_error(",\"form\":{}", "form.fields: missing");
	expect_form_error(",\"form\":{\"fields\":[],\"fee_fen\":-1}", "form.fee_fen: must not be negative");
	expect_form_error(",\"form\":{\"fields\":[7]}", "form.fields[0]: expected object");
	expect_form_error(",\"form\":{\"fields\":[{\"id\":\"a\",\"type\":\"text\",\"label\":\"A\"},"
	                     "{\"id\":\"b\",\"type\":\"hologram\",\"label\":\"B\"}]}",
	                     "form.fields[1].type: unknown type 'hologram'");
	expect_form_error(",\"form\":{\"fields\":[{\"id\":\"a\",\"type\":\"select\",\"label\":\"A\"}]}",
	                     "form.fields[0].options: missing");
	expect_form_error(",\"form\":{\"fields\":[{\"id\":\"a\",\"type\":\"select\",\"label\":\"A\",\"options\":[]}]}",
	                     "form.fields[0].options: must not be empty");
	expect_form_error(",\"form\":{\"fields\":[{\"id\":\"a\",\"type\":\"select\",\"label\":\"A\","
	                     "\"options\":[{\"value\":\"v\"}]}]}", "form.fields[0].options[0].label: missing");
	expect_form_error(",\"form\":{\"fields\":[{\"id\":\"a\",\"type\":\"number\",\"label\":\"A\",\"min\":\"1\"}]}",
	                     "form.fields[0].min: expected integer");
	expect_form_error(",\"form\":{\"fields\":[{\"id\":\"a\",\"type\":\"number\",\"label\":\"A\",\"min\":5,\"max\":1}]}",
	                     "form.fields[0].min: greater than max");
	expect_form_error(",\"form\":{\"fields\":[{\"id\":\"a\",\"type\":\"date\",\"label\":\"A\",\"min\":\"2030-01-01\","
	                  "\"max\":\"2020-01-01\"}]}", "form.fields[0].min: after max");
	expect_form_error(",\"form\":{\"fields\":[{\"id\":\"a\",\"type\":\"date\",\"label\":\"A\",\"max\":\"tomorrow\"}]}",
	                     "form.fields[0].max: expected YYYY-MM-DD or today");
	expect_form_error(",\"form\":{\"fields\":[{\"id\":\"a\",\"type\":\"text\",\"label\":\"A\",\"max_len\":-1}]}",
	                     "form.fields[0].max_len: must not be negative");
	expect_form_error(",\"form\":{\"fields\":[{\"id\":\"a\",\"type\":\"text\",\"label\":\"A\"},"
	                     "{\"id\":\"a\",\"type\":\"bool\",\"label\":\"B\"}]}", "form.fields[1].id: duplicate 'a'");
	expect_form_error(",\"form\":{\"fields\":[{\"type\":\"text\",\"label\":\"A\"}]}", "form.fields[0].id: missing");
	expect_form_error(",\"form\":{\"fields\":[{\"id\":\"a\",\"type\":\"text\",\"label\":\"A\",\"required\":\"yes\"}]}",
	                     "form.fields[0].required: expected boolean");
}

Test(model, problem_full)
{
	json_t *j = parse("{\"type\":\"about:blank\",\"title\":\"提交失败\",\"status\":422,"
	                  "\"detail\":\"a\\nb\",\"code\":\"validation\",\"errors\":["
	                  "{\"field\":\"phone\",\"code\":\"bad_phone\",\"message\":\"手机号\\u001b[1m有误\"},"
	                  "7, {\"field\":3}]}");
	struct problem p;
	char err[64];

	cr_assert_eq(problem_decode(j, 400, &p, err, sizeof err), 0);
	cr_assert_eq(p.status, 422);
	cr_assert_str_eq(p.title, "提交失败");
	cr_assert_str_eq(p.detail, "a\nb");
	cr_assert_str_eq(p.code, "validation");
	cr_assert_eq(p.n_errors, 2);
	cr_assert_str_eq(p.errors[0].field, "phone");
	cr_assert_str_eq(p.errors[0].message, "手机号有误");
	cr_assert_str_eq(p.errors[1].field, "");
	cr_assert_str_eq(p.errors[1].code, "");
	problem_free(&p);
	problem_free(&p);
	problem_free(NULL);
	json_decref(j);
}

Test(model, problem_lenient)
{
	json_t *j = parse("{\"status\":\"500\",\"title\":5,\"errors\":{}}");
	struct problem p;
	char err[64];

	cr_assert_eq(problem_decode(j, 503, &p, err, sizeof err), 0);
	cr_assert_eq(p.status, 503);
	cr_assert_str_eq(p.title, "");
	cr_assert_str_eq(p.type, "");
	cr_assert_eq(p.n_errors, 0);
	problem_free(&p);
	json_decref(j);

	j = parse("{\"status\":99999}");
	cr_assert_eq(problem_decode(j, 502, &p, err, sizeof err), 0);
	cr_assert_eq(p.status, 502);
	problem_free(&p);
	json_decref(j);

	cr_assert_eq(problem_decode(NULL, 504, &p, err, sizeof err), 0);
	cr_assert_eq(p.status, 504);
	cr_assert_str_eq(p.detail, "");
	problem_free(&p);
}

Test(model, kind_names)
{
	cr_assert_str_eq(svc_kind_name(SVC_APPLY), "apply");
	cr_assert_str_eq(svc_kind_name(SVC_QUERY), "query");
	cr_assert_str_eq(svc_kind_name(SVC_BILL), "bill");
	cr_assert_str_eq(svc_kind_name(SVC_QUEUE), "queue");
	cr_assert_str_eq(svc_kind_name((enum svc_kind)42), "?");
}
