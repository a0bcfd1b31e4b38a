/* test_model.c: unit tests for model.c (catalog, service, problem decoders). */
#include <criterion/criterion.h>
#include <limits.h>
#include <locale.h>
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
	json_decref(root);
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
	expect_service_error(",\"form\":[]", "form: expected object");
	expect_service_error(",\"form\":{}", "form.fields: missing");
	expect_service_error(",\"form\":{\"fields\":[],\"fee_fen\":-1}", "form.fee_fen: must not be negative");
	expect_service_error(",\"form\":{\"fields\":[7]}", "form.fields[0]: expected object");
	expect_service_error(",\"form\":{\"fields\":[{\"id\":\"a\",\"type\":\"text\",\"label\":\"A\"},"
	                     "{\"id\":\"b\",\"type\":\"hologram\",\"label\":\"B\"}]}",
	                     "form.fields[1].type: unknown type 'hologram'");
	expect_service_error(",\"form\":{\"fields\":[{\"id\":\"a\",\"type\":\"select\",\"label\":\"A\"}]}",
	                     "form.fields[0].options: missing");
	expect_service_error(",\"form\":{\"fields\":[{\"id\":\"a\",\"type\":\"select\",\"label\":\"A\",\"options\":[]}]}",
	                     "form.fields[0].options: must not be empty");
	expect_service_error(",\"form\":{\"fields\":[{\"id\":\"a\",\"type\":\"select\",\"label\":\"A\","
	                     "\"options\":[{\"value\":\"v\"}]}]}", "form.fields[0].options[0].label: missing");
	expect_service_error(",\"form\":{\"fields\":[{\"id\":\"a\",\"type\":\"number\",\"label\":\"A\",\"min\":\"1\"}]}",
	                     "form.fields[0].min: expected integer");
	expect_service_error(",\"form\":{\"fields\":[{\"id\":\"a\",\"type\":\"number\",\"label\":\"A\",\"min\":5,\"max\":1}]}",
	                     "form.fields[0].min: greater than max");
	expect_service_error(",\"form\":{\"fields\":[{\"id\":\"a\",\"type\":\"date\",\"label\":\"A\",\"max\":\"tomorrow\"}]}",
	                     "form.fields[0].max: expected YYYY-MM-DD or today");
	expect_service_error(",\"form\":{\"fields\":[{\"id\":\"a\",\"type\":\"text\",\"label\":\"A\",\"max_len\":-1}]}",
	                     "form.fields[0].max_len: must not be negative");
	expect_service_error(",\"form\":{\"fields\":[{\"id\":\"a\",\"type\":\"text\",\"label\":\"A\"},"
	                     "{\"id\":\"a\",\"type\":\"bool\",\"label\":\"B\"}]}", "form.fields[1].id: duplicate 'a'");
	expect_service_error(",\"form\":{\"fields\":[{\"type\":\"text\",\"label\":\"A\"}]}", "form.fields[0].id: missing");
	expect_service_error(",\"form\":{\"fields\":[{\"id\":\"a\",\"type\":\"text\",\"label\":\"A\",\"required\":\"yes\"}]}",
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
