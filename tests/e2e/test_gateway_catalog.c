/* test_gateway_catalog.c: gatewayd --catalog FILE, the demo catalog and
 * --synthetic (issue 10, item 3).
 *
 * A catalog file that is wrong in any way keeps gatewayd from starting:
 * each kind of mistake is tried, alone, on an otherwise good file, and the
 * one line gatewayd prints must say what and where (the JSON path, or
 * jansson's line and column). A good file is served exactly as written
 * (GET /v1/catalog byte for byte, the details given, the plain detail page
 * for the rest), per language; an empty one too; a generated file of
 * 10,080 services stays under the kiosk's 1 MiB limit, and one that would
 * not is refused without touching the database. The demo catalog and the
 * generated services of --synthetic are checked for what search tests
 * need: the number of services, real and distinct names, the polyphones.
 *
 * Refused starts run gatewayd directly (run_gw) with its sanitizer reports
 * in the test's directory: a refusal must not leak either.
 */
#include "e2e.h"
#include "harness/gwd.h"

#include <criterion/criterion.h>
#include <jansson.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define MIB           (1024L * 1024)
#define RUN_MS        60000  /* a refused start, under ASan, ends within this */
#define DEMO_BEFORE   80     /* demo services before this issue */

/* ---- files ---------------------------------------------------------------- */

static char *write_text(const char *dir, const char *name, const char *text)
{
	char *path = e2e_fmt("%s/%s", dir, name);
	FILE *f = fopen(path, "w");
	cr_assert_not_null(f, "%s: %s", path, strerror(errno));
	fputs(text, f);
	cr_assert_eq(fclose(f), 0);
	return path;
}

/* j as compact JSON into dir/name; steals j. */
static char *write_json(const char *dir, const char *name, json_t *j)
{
	char *path = e2e_fmt("%s/%s", dir, name);
	cr_assert_eq(json_dump_file(j, path, JSON_COMPACT), 0, "writing %s", path);
	json_decref(j);
	return path;
}

/* The good catalog: every kind of service, details given or not. */
static const char good_zh[] =
	"{\"version\":\"2027-01-15T00:00:00Z\",\n"
	" \"categories\":[{\"id\":\"fund\",\"name\":\"公积金\",\"where\":\"7号窗口（公积金窗口）\"},\n"
	"                {\"id\":\"traffic\",\"name\":\"交通\"},\n"
	"                {\"id\":\"empty\",\"name\":\"空分类\"}],\n"
	" \"popular\":[\"svc-etc\",\"svc-fund-withdraw\"],\n"
	" \"services\":[\n"
	"  {\"id\":\"svc-fund-withdraw\",\"category\":\"fund\",\"name\":\"住房公积金提取\",\n"
	"   \"summary\":\"提取本人住房公积金\",\"keywords\":[\"公积金\",\"提取\"],\"kind\":\"apply\",\n"
	"   \"login_required\":true,\"fee_fen\":0,\"description\":\"第一段\\n第二段\",\n"
	"   \"materials\":[\"居民身份证原件\",\"本人银行卡\"],\"processing_days\":3,\"where\":\"7号窗口\",\n"
	"   \"form\":{\"fields\":[\n"
	"     {\"id\":\"name\",\"type\":\"text\",\"label\":\"姓名\",\"required\":true,\"max_len\":30,\"prefill\":\"citizen.name\"},\n"
	"     {\"id\":\"idno\",\"type\":\"idcard\",\"label\":\"身份证号码\",\"required\":true,\"prefill\":\"citizen.id\"},\n"
	"     {\"id\":\"phone\",\"type\":\"phone\",\"label\":\"手机号码\"},\n"
	"     {\"id\":\"amount\",\"type\":\"money\",\"label\":\"提取金额\",\"required\":true,\"min\":100,\"max\":5000000},\n"
	"     {\"id\":\"months\",\"type\":\"number\",\"label\":\"月数\",\"min\":1,\"max\":12},\n"
	"     {\"id\":\"since\",\"type\":\"date\",\"label\":\"起始日期\",\"min\":\"2020-02-29\",\"max\":\"today\"},\n"
	"     {\"id\":\"why\",\"type\":\"select\",\"label\":\"提取原因\",\"required\":true,\n"
	"      \"options\":[{\"value\":\"buy\",\"label\":\"购房\"},{\"value\":\"rent\",\"label\":\"租房\"}]},\n"
	"     {\"id\":\"agree\",\"type\":\"bool\",\"label\":\"本人承诺所填信息真实有效\",\"required\":true}],\n"
	"    \"fee_fen\":0}},\n"
	"  {\"id\":\"svc-etc\",\"category\":\"traffic\",\"name\":\"高速公路ETC办理\",\"keywords\":[\"ETC\"],\n"
	"   \"kind\":\"apply\",\"login_required\":true,\"fee_fen\":2500},\n"
	"  {\"id\":\"svc-fund-query\",\"category\":\"fund\",\"name\":\"住房公积金缴存查询\",\n"
	"   \"summary\":\"查询余额和缴存明细\",\"kind\":\"query\",\"login_required\":true},\n"
	"  {\"id\":\"svc-fines\",\"category\":\"traffic\",\"name\":\"交通违法罚款缴纳\",\"kind\":\"bill\"},\n"
	"  {\"id\":\"svc-queue\",\"category\":\"traffic\",\"name\":\"车驾管业务取号\",\"kind\":\"queue\",\n"
	"   \"where\":\"9号窗口\"},\n"
	"  {\"id\":\"svc-long\",\"category\":\"fund\",\n"
	"   \"name\":\"企业职工基本养老保险、失业保险、工伤保险参保单位及个人缴费信息变更登记（含缴费基数和缴费工资调整申报）\",\n"
	"   \"kind\":\"apply\",\"description\":\"说明第一行\\n说明第二行\",\"materials\":[\"单位介绍信\"]}]}\n";

/* Its English texts: the same catalog. */
static const char good_en[] =
	"{\"version\":\"2027-01-15T00:00:00Z\",\n"
	" \"categories\":[{\"id\":\"fund\",\"name\":\"Housing fund\",\"where\":\"Window 7\"},\n"
	"                {\"id\":\"traffic\",\"name\":\"Traffic\"},{\"id\":\"empty\",\"name\":\"Empty\"}],\n"
	" \"popular\":[\"svc-etc\",\"svc-fund-withdraw\"],\n"
	" \"services\":[\n"
	"  {\"id\":\"svc-fund-withdraw\",\"category\":\"fund\",\"name\":\"Withdraw from your housing fund\",\n"
	"   \"summary\":\"Take money out\",\"keywords\":[\"withdraw\"],\"kind\":\"apply\",\n"
	"   \"login_required\":true,\"description\":\"One\\nTwo\",\n"
	"   \"materials\":[\"ID card\"],\"processing_days\":3,\"where\":\"Window 7\",\n"
	"   \"form\":{\"fields\":[\n"
	"     {\"id\":\"name\",\"type\":\"text\",\"label\":\"Name\",\"required\":true,\"max_len\":30,\"prefill\":\"citizen.name\"},\n"
	"     {\"id\":\"idno\",\"type\":\"idcard\",\"label\":\"ID number\",\"required\":true,\"prefill\":\"citizen.id\"},\n"
	"     {\"id\":\"phone\",\"type\":\"phone\",\"label\":\"Phone\"},\n"
	"     {\"id\":\"amount\",\"type\":\"money\",\"label\":\"Amount\",\"required\":true,\"min\":100,\"max\":5000000},\n"
	"     {\"id\":\"months\",\"type\":\"number\",\"label\":\"Months\",\"min\":1,\"max\":12},\n"
	"     {\"id\":\"since\",\"type\":\"date\",\"label\":\"From\",\"min\":\"2020-02-29\",\"max\":\"today\"},\n"
	"     {\"id\":\"why\",\"type\":\"select\",\"label\":\"Why\",\"required\":true,\n"
	"      \"options\":[{\"value\":\"buy\",\"label\":\"To buy\"},{\"value\":\"rent\",\"label\":\"To rent\"}]},\n"
	"     {\"id\":\"agree\",\"type\":\"bool\",\"label\":\"I agree\",\"required\":true}]}},\n"
	"  {\"id\":\"svc-etc\",\"category\":\"traffic\",\"name\":\"ETC tags\",\"kind\":\"apply\",\n"
	"   \"login_required\":true,\"fee_fen\":2500},\n"
	"  {\"id\":\"svc-fund-query\",\"category\":\"fund\",\"name\":\"Housing fund statement\",\n"
	"   \"kind\":\"query\",\"login_required\":true},\n"
	"  {\"id\":\"svc-fines\",\"category\":\"traffic\",\"name\":\"Pay a traffic fine\",\"kind\":\"bill\"},\n"
	"  {\"id\":\"svc-queue\",\"category\":\"traffic\",\"name\":\"Take a number\",\"kind\":\"queue\"},\n"
	"  {\"id\":\"svc-long\",\"category\":\"fund\",\"name\":\"A long one\",\"kind\":\"apply\"}]}\n";

static json_t *load(const char *text)
{
	json_error_t e;
	json_t *j = json_loads(text, 0, &e);
	cr_assert_not_null(j, "the test's own JSON: line %d: %s", e.line, e.text);
	return j;
}

static json_t *svc(json_t *cat, size_t i)
{
	return json_array_get(json_object_get(cat, "services"), i);
}

static json_t *field(json_t *cat, size_t i, size_t k)
{
	return json_array_get(json_object_get(json_object_get(svc(cat, i), "form"), "fields"), k);
}

/* ---- running a gatewayd that must refuse to start --------------------------- */

struct run {
	int status;                  /* as waitpid gives it */
	bool listened;
	char *out;                   /* its stdout and stderr */
};

/* True if dir holds no sanitizer report (asan.*, lsan.*, ubsan.*). */
static bool no_reports(const char *dir, char *name, size_t n)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	bool clean = true;
	while (d && clean && (e = readdir(d))) {
		struct stat st;
		char *path;
		if (strncmp(e->d_name, "asan.", 5) && strncmp(e->d_name, "lsan.", 5) &&
		    strncmp(e->d_name, "ubsan.", 6))
			continue;
		path = e2e_fmt("%s/%s", dir, e->d_name);
		if (stat(path, &st) == 0 && st.st_size > 0) {
			clean = false;
			snprintf(name, n, "%s", path);
		}
		free(path);
	}
	if (d)
		closedir(d);
	return clean;
}

/* gatewayd --listen 127.0.0.1:0 --db dir/gw.db --quiet args..., until it
 * exits (or listens: then it is stopped). */
static struct run run_gw(const char *dir, const char *const args[])
{
	char *out = e2e_fmt("%s/out", dir), *db = e2e_fmt("%s/gw.db", dir);
	const char *argv[40];
	size_t n = 0;
	argv[n++] = gwd_bin();
	argv[n++] = "--listen";
	argv[n++] = "127.0.0.1:0";
	argv[n++] = "--db";
	argv[n++] = db;
	argv[n++] = "--quiet";
	for (size_t i = 0; args[i] && n < 39; i++)
		argv[n++] = args[i];
	argv[n] = NULL;
	char *asan = e2e_fmt("ASAN_OPTIONS=log_path=%s/asan:abort_on_error=0:detect_leaks=1", dir);
	char *lsan = e2e_fmt("LSAN_OPTIONS=log_path=%s/lsan", dir);
	char *ubsan = e2e_fmt("UBSAN_OPTIONS=log_path=%s/ubsan:halt_on_error=1:print_stacktrace=1", dir);
	fflush(NULL);
	pid_t pid = fork();
	cr_assert_geq(pid, 0);
	if (pid == 0) {
		int fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (fd >= 0) {
			dup2(fd, 1);
			dup2(fd, 2);
		}
		putenv(asan);
		putenv(lsan);
		putenv(ubsan);
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	struct run r = { 0 };
	long long deadline = e2e_now_ms() + RUN_MS;
	for (;;) {
		if (waitpid(pid, &r.status, WNOHANG) == pid)
			break;
		char *o = e2e_slurp_str(out);
		r.listened = r.listened || strstr(o, "listening on") != NULL;
		free(o);
		if (r.listened || e2e_now_ms() > deadline) {
			kill(pid, SIGTERM);
			waitpid(pid, &r.status, 0);
			break;
		}
		poll(NULL, 0, 20);
	}
	r.out = e2e_slurp_str(out);
	char rep[600];
	cr_assert(no_reports(dir, rep, sizeof rep), "gatewayd %s: sanitizer report in %s\n%s",
	          args[0], rep, r.out);
	free(asan);
	free(lsan);
	free(ubsan);
	free(out);
	free(db);
	return r;
}

/* gatewayd with args must exit with code before listening, printing one
 * line: "gatewayd: " + want (exactly, or as a prefix if prefix). */
static void refused_with(const char *dir, const char *const args[], int code, const char *want,
                         bool prefix)
{
	struct run r = run_gw(dir, args);
	char *line = e2e_fmt("gatewayd: %s", want);
	cr_assert(!r.listened, "gatewayd started with %s %s; it printed: %s", args[0],
	          args[1] ? args[1] : "", r.out);
	cr_assert(WIFEXITED(r.status) && WEXITSTATUS(r.status) == code,
	          "gatewayd exit status %#x, not %d; it printed: %s", r.status, code, r.out);
	size_t nl = 0;
	for (const char *p = r.out; *p; p++)
		nl += *p == '\n';
	cr_assert(nl == 1 && r.out[strlen(r.out) - 1] == '\n', "not one line: [%s]", r.out);
	if (prefix)
		cr_assert(!strncmp(r.out, line, strlen(line)), "message\n  [%s]\ndoes not start\n  [%s]",
		          r.out, line);
	else
		cr_assert(!strncmp(r.out, line, strlen(line)) && r.out[strlen(line)] == '\n',
		          "message\n  [%s]\nis not\n  [%s]", r.out, line);
	free(line);
	free(r.out);
}

/* The catalog j (stolen) in a file: gatewayd --catalog FILE must refuse it
 * with "--catalog FILE: " + want. */
static void refused_json(const char *dir, json_t *j, const char *want)
{
	char *path = write_json(dir, "catalog.json", j);
	char *line = e2e_fmt("--catalog %s: %s", path, want);
	refused_with(dir, (const char *const[]){ "--catalog", path, NULL }, 1, line, false);
	free(line);
	free(path);
}

/* The same for a file of that text. */
static void refused_text(const char *dir, const char *text, const char *want, bool prefix)
{
	char *path = write_text(dir, "catalog.json", text);
	char *line = e2e_fmt("--catalog %s: %s", path, want);
	refused_with(dir, (const char *const[]){ "--catalog", path, NULL }, 1, line, prefix);
	free(line);
	free(path);
}

/* The good catalog with one member of the object at path changed: set (or,
 * when v is NULL, removed). */
static json_t *good_with(json_t *(*at)(json_t *), const char *key, json_t *v)
{
	json_t *j = load(good_zh), *o = at ? at(j) : j;
	if (v)
		json_object_set_new(o, key, v);
	else
		json_object_del(o, key);
	return j;
}

static json_t *svc0(json_t *j) { return svc(j, 0); }
static json_t *svc1(json_t *j) { return svc(j, 1); }
static json_t *cat1(json_t *j) { return json_array_get(json_object_get(j, "categories"), 1); }
static json_t *form0(json_t *j) { return json_object_get(svc(j, 0), "form"); }
static json_t *field1(json_t *j) { return field(j, 0, 1); }
static json_t *field3(json_t *j) { return field(j, 0, 3); }
static json_t *field5(json_t *j) { return field(j, 0, 5); }
static json_t *field6(json_t *j) { return field(j, 0, 6); }

/* A string of n copies of s. */
static json_t *repeat(const char *s, int n)
{
	size_t len = strlen(s);
	char *b = calloc((size_t)n * len + 1, 1);
	cr_assert_not_null(b);
	for (int i = 0; i < n; i++)
		memcpy(b + (size_t)i * len, s, len);
	json_t *j = json_string(b);
	free(b);
	return j;
}

/* ==== refused files ========================================================== */

Test(gateway_catalog, refused_unreadable_or_too_big, .timeout = 120)
{
	char dir[256] = "";
	e2e_scratch_dir(dir, sizeof dir, "gwcat");
	char *missing = e2e_fmt("%s/missing.json", dir);
	char *line = e2e_fmt("--catalog %s: cannot open: No such file or directory", missing);
	refused_with(dir, (const char *const[]){ "--catalog", missing, NULL }, 1, line, false);
	free(line);

	line = e2e_fmt("--catalog %s: not a regular file", dir);
	refused_with(dir, (const char *const[]){ "--catalog", dir, NULL }, 1, line, false);
	free(line);

	/* 16 MiB and a byte (sparse: nothing is written). */
	char *big = e2e_fmt("%s/big.json", dir);
	int fd = open(big, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	cr_assert_geq(fd, 0);
	cr_assert_eq(ftruncate(fd, 16 * MIB + 1), 0);
	close(fd);
	line = e2e_fmt("--catalog %s: 16777217 bytes, more than the 16 MiB a catalog file may have",
	               big);
	refused_with(dir, (const char *const[]){ "--catalog", big, NULL }, 1, line, false);
	free(line);
	free(big);
	free(missing);
	e2e_rm_rf(dir);
}

Test(gateway_catalog, refused_bad_json, .timeout = 120)
{
	char dir[256] = "";
	e2e_scratch_dir(dir, sizeof dir, "gwcat");
	/* Cut in the middle of the services. */
	char *cut = strndup(good_zh, strstr(good_zh, "\"svc-fines\"") - good_zh);
	refused_text(dir, cut, "invalid JSON (truncated?) at line 26, column ", true);
	free(cut);
	refused_text(dir, "", "invalid JSON (truncated?) at line 1, column 0: ", true);
	refused_text(dir, "{\"version\":\"1\",\n \"categories\":[{\"id\":\"a\",\"name\":\"A\"},],\n"
	             " \"services\":[]}\n", "invalid JSON at line 2, column 38: unexpected token near ']'",
	             false);
	refused_text(dir, "{\"version\":\"1\",\"categories\":[],\"services\":[],\"services\":[]}",
	             "invalid JSON at line 1, column 55: duplicate object key near '\"services\"'", false);
	refused_text(dir, "[{\"version\":\"1\"}]", "(top level): expected an object, got array", false);
	refused_text(dir, "\"catalog\"", "invalid JSON at line 1, column 9: '[' or '{' expected near "
	             "'\"catalog\"'", false);
	e2e_rm_rf(dir);
}

Test(gateway_catalog, refused_missing_or_mistyped_members, .timeout = 180)
{
	char dir[256] = "";
	e2e_scratch_dir(dir, sizeof dir, "gwcat");
	refused_json(dir, good_with(NULL, "services", NULL), "services: missing");
	refused_json(dir, good_with(NULL, "version", NULL), "version: missing");
	refused_json(dir, good_with(NULL, "categories", json_object()),
	             "categories: expected array, got object");
	refused_json(dir, good_with(svc1, "name", json_integer(12)),
	             "services[1].name: expected string, got integer");
	refused_json(dir, good_with(svc1, "kind", NULL), "services[1].kind: missing");
	refused_json(dir, good_with(svc1, "fee_fen", json_real(25.0)),
	             "services[1].fee_fen: expected integer, got real number");
	refused_json(dir, good_with(svc1, "login_required", json_string("yes")),
	             "services[1].login_required: expected boolean, got string");
	refused_json(dir, good_with(svc0, "keywords", json_string("公积金")),
	             "services[0].keywords: expected array, got string");
	refused_json(dir, good_with(field1, "required", json_string("yes")),
	             "services[0].form.fields[1].required: expected boolean, got string");
	refused_json(dir, good_with(cat1, "name", json_null()),
	             "categories[1].name: expected string, got null");
	refused_json(dir, good_with(svc0, "sumary", json_string("x")),
	             "services[0].sumary: unknown member");
	refused_json(dir, good_with(NULL, "popular", json_pack("[s,i]", "svc-etc", 3)),
	             "popular[1]: expected string, got integer");
	json_t *j = load(good_zh);
	json_array_append_new(json_object_get(j, "services"), json_string("svc-x"));
	refused_json(dir, j, "services[6]: expected object, got string");
	e2e_rm_rf(dir);
}

Test(gateway_catalog, refused_ids, .timeout = 180)
{
	char dir[256] = "";
	e2e_scratch_dir(dir, sizeof dir, "gwcat");
	/* Duplicate service ids: both positions. */
	json_t *j = load(good_zh);
	json_object_set_new(svc(j, 4), "id", json_string("svc-etc"));
	refused_json(dir, j, "services[4].id: \"svc-etc\" is also services[1].id");
	j = load(good_zh);
	json_array_append_new(json_object_get(j, "categories"),
	                      json_pack("{s:s, s:s}", "id", "fund", "name", "重复"));
	refused_json(dir, j, "categories[3].id: \"fund\" is also categories[0].id");
	refused_json(dir, good_with(svc1, "category", json_string("nope")),
	             "services[1].category: \"nope\" is not a category of the file");
	refused_json(dir, good_with(NULL, "popular", json_pack("[s,s]", "svc-etc", "svc-nope")),
	             "popular[1]: \"svc-nope\" is not a service of the file");
	refused_json(dir, good_with(NULL, "popular", json_pack("[s,s]", "svc-etc", "svc-etc")),
	             "popular[1]: \"svc-etc\" is also popular[0]");
	refused_json(dir, good_with(svc1, "id", json_string("SVC ETC")),
	             "services[1].id: expected 1 to 64 characters of a-z, 0-9, _ and -");
	refused_json(dir, good_with(field3, "id", json_string("name")),
	             "services[0].form.fields[3].id: \"name\" is also services[0].form.fields[0].id");
	e2e_rm_rf(dir);
}

Test(gateway_catalog, refused_values, .timeout = 240)
{
	char dir[256] = "";
	e2e_scratch_dir(dir, sizeof dir, "gwcat");
	refused_json(dir, good_with(svc1, "kind", json_string("form")),
	             "services[1].kind: \"form\" is not one of apply, query, bill, queue");
	refused_json(dir, good_with(svc1, "fee_fen", json_integer(-100)),
	             "services[1].fee_fen: -100 is negative");
	refused_json(dir, good_with(svc1, "name", json_string("")), "services[1].name: empty");
	refused_json(dir, good_with(svc1, "name", json_string("\xe3\x80\x80 ")),
	             "services[1].name: blank");
	refused_json(dir, good_with(cat1, "name", json_string("")), "categories[1].name: empty");
	refused_json(dir, good_with(svc1, "name", repeat("办", 500)),
	             "services[1].name: 500 characters, more than 100");
	refused_json(dir, good_with(svc1, "name", repeat("证", 101)),
	             "services[1].name: 101 characters, more than 100");
	refused_json(dir, good_with(svc1, "name", json_string("ETC\aa")),
	             "services[1].name: control character U+0007 at character 4");
	refused_json(dir, good_with(svc1, "name", json_string("ETC\xe2\x80\xae" "cte")),
	             "services[1].name: control character U+202E at character 4");
	refused_json(dir, good_with(svc1, "name", json_string("\xc2\x9b" "2J")),
	             "services[1].name: control character U+009B at character 1");
	refused_json(dir, good_with(svc0, "summary", json_string("一行\n两行")),
	             "services[0].summary: control character U+000A at character 3");
	refused_json(dir, good_with(svc0, "keywords", json_pack("[s,s]", "公积金", "")),
	             "services[0].keywords[1]: empty");
	refused_json(dir, good_with(svc0, "materials", json_pack("[s]", "身份证\t原件")),
	             "services[0].materials[0]: control character U+0009 at character 4");
	refused_json(dir, good_with(svc0, "processing_days", json_integer(-1)),
	             "services[0].processing_days: -1 is negative");
	refused_json(dir, good_with(form0, "fee_fen", json_integer(100)),
	             "services[0].form.fee_fen: 100, but the service's fee_fen is 0");
	refused_json(dir, good_with(field3, "min", json_integer(6000000)),
	             "services[0].form.fields[3].min: 6000000 is more than max 5000000");
	refused_json(dir, good_with(field5, "min", json_string("2021-02-29")),
	             "services[0].form.fields[5].min: expected a date YYYY-MM-DD or \"today\"");
	refused_json(dir, good_with(field1, "max", json_integer(3)),
	             "services[0].form.fields[1].max: only number, money and date fields have min "
	             "and max");
	refused_json(dir, good_with(field6, "options", json_array()),
	             "services[0].form.fields[6].options: empty: a select needs at least one option");
	refused_json(dir, good_with(field6, "options", NULL),
	             "services[0].form.fields[6].options: missing");
	refused_json(dir, good_with(field1, "options", json_array()),
	             "services[0].form.fields[1].options: only select fields have options");
	refused_json(dir, good_with(field1, "type", json_string("photo")),
	             "services[0].form.fields[1].type: \"photo\" is not one of text, number, money, "
	             "date, select, bool, idcard, phone");
	refused_json(dir, good_with(field1, "prefill", json_string("citizen.address")),
	             "services[0].form.fields[1].prefill: \"citizen.address\" is not "
	             "\"citizen.name\" or \"citizen.id\"");
	e2e_rm_rf(dir);
}

/* A name of exactly 100 characters is served; real names reach ~60. */
Test(gateway_catalog, name_limit_is_100_characters, .timeout = 60)
{
	char dir[256] = "";
	e2e_scratch_dir(dir, sizeof dir, "gwcat");
	char *path = write_json(dir, "c.json", good_with(svc1, "name", repeat("证", 100)));
	struct gwd *g = e2e_start_gateway((const char *const[]){ "--catalog", path, NULL });
	char *resp;
	cr_assert_eq(gwd_get(g, "/v1/services/svc-etc", &resp), 200);
	json_t *s = load(resp);
	cr_assert_eq(strlen(json_string_value(json_object_get(s, "name"))), 300);
	json_decref(s);
	free(resp);
	e2e_end_gw(g, false);
	free(path);
	e2e_rm_rf(dir);
}

Test(gateway_catalog, refused_flags, .timeout = 60)
{
	char dir[256] = "";
	e2e_scratch_dir(dir, sizeof dir, "gwcat");
	char *zh = write_text(dir, "zh.json", good_zh), *en = write_text(dir, "en.json", good_en);
	char *en_arg = e2e_fmt("en=%s", en), *en_arg2 = e2e_fmt("EN=%s", en);
	refused_with(dir, (const char *const[]){ "--catalog", en_arg, NULL }, 2,
	             "--catalog en=FILE needs the catalog itself too: --catalog FILE (try --help)",
	             false);
	char *two = e2e_fmt("--catalog: two files for en ('%s' and '%s') (try --help)", en_arg,
	                    en_arg2);
	refused_with(dir, (const char *const[]){ "--catalog", zh, "--catalog", en_arg, "--catalog",
	                                         en_arg2, NULL }, 2, two, false);
	refused_with(dir, (const char *const[]){ "--catalog", zh, "--synthetic", "10", NULL }, 2,
	             "--catalog and --synthetic do not go together (try --help)", false);
	free(two);
	free(en_arg);
	free(en_arg2);
	free(zh);
	free(en);
	e2e_rm_rf(dir);
}

/* ==== a good file, served ===================================================== */

static char *get_lang(struct gwd *g, const char *path, const char *lang, int want)
{
	char *hdr = e2e_fmt("Accept-Language: %s", lang), *resp = NULL;
	int st = gwd_request_h(g, "GET", path, (const char *const[]){ hdr, NULL }, NULL, &resp);
	cr_assert_eq(st, want, "GET %s (%s): %d %s", path, lang, st, resp);
	free(hdr);
	return resp;
}

static void expect_body(struct gwd *g, const char *path, const char *lang, const char *want)
{
	char *got = get_lang(g, path, lang, 200);
	cr_assert_str_eq(got, want, "GET %s (%s):\n got  %s\n want %s", path, lang, got, want);
	free(got);
}

static const char served_zh[] =
	"{\"version\":\"2027-01-15T00:00:00Z\","
	"\"categories\":[{\"id\":\"fund\",\"name\":\"公积金\"},{\"id\":\"traffic\",\"name\":\"交通\"},"
	"{\"id\":\"empty\",\"name\":\"空分类\"}],"
	"\"popular\":[\"svc-etc\",\"svc-fund-withdraw\"],"
	"\"services\":[{\"id\":\"svc-fund-withdraw\",\"category\":\"fund\",\"name\":\"住房公积金提取\","
	"\"summary\":\"提取本人住房公积金\",\"keywords\":[\"公积金\",\"提取\"],\"kind\":\"apply\","
	"\"login_required\":true},"
	"{\"id\":\"svc-etc\",\"category\":\"traffic\",\"name\":\"高速公路ETC办理\",\"keywords\":[\"ETC\"],"
	"\"kind\":\"apply\",\"login_required\":true,\"fee_fen\":2500},"
	"{\"id\":\"svc-fund-query\",\"category\":\"fund\",\"name\":\"住房公积金缴存查询\","
	"\"summary\":\"查询余额和缴存明细\",\"kind\":\"query\",\"login_required\":true},"
	"{\"id\":\"svc-fines\",\"category\":\"traffic\",\"name\":\"交通违法罚款缴纳\",\"kind\":\"bill\"},"
	"{\"id\":\"svc-queue\",\"category\":\"traffic\",\"name\":\"车驾管业务取号\",\"kind\":\"queue\"},"
	"{\"id\":\"svc-long\",\"category\":\"fund\",\"name\":\"企业职工基本养老保险、失业保险、工伤保险"
	"参保单位及个人缴费信息变更登记（含缴费基数和缴费工资调整申报）\",\"kind\":\"apply\"}]}";

static const char served_withdraw_zh[] =
	"{\"id\":\"svc-fund-withdraw\",\"category\":\"fund\",\"name\":\"住房公积金提取\","
	"\"summary\":\"提取本人住房公积金\",\"keywords\":[\"公积金\",\"提取\"],\"kind\":\"apply\","
	"\"login_required\":true,\"fee_fen\":0,\"description\":\"第一段\\n第二段\","
	"\"materials\":[\"居民身份证原件\",\"本人银行卡\"],\"processing_days\":3,\"where\":\"7号窗口\","
	"\"form\":{\"fields\":["
	"{\"id\":\"name\",\"type\":\"text\",\"label\":\"姓名\",\"required\":true,\"max_len\":30,\"prefill\":\"citizen.name\"},"
	"{\"id\":\"idno\",\"type\":\"idcard\",\"label\":\"身份证号码\",\"required\":true,\"prefill\":\"citizen.id\"},"
	"{\"id\":\"phone\",\"type\":\"phone\",\"label\":\"手机号码\",\"required\":false},"
	"{\"id\":\"amount\",\"type\":\"money\",\"label\":\"提取金额\",\"required\":true,\"min\":100,\"max\":5000000},"
	"{\"id\":\"months\",\"type\":\"number\",\"label\":\"月数\",\"required\":false,\"min\":1,\"max\":12},"
	"{\"id\":\"since\",\"type\":\"date\",\"label\":\"起始日期\",\"required\":false,\"min\":\"2020-02-29\",\"max\":\"today\"},"
	"{\"id\":\"why\",\"type\":\"select\",\"label\":\"提取原因\",\"required\":true,"
	"\"options\":[{\"value\":\"buy\",\"label\":\"购房\"},{\"value\":\"rent\",\"label\":\"租房\"}]},"
	"{\"id\":\"agree\",\"type\":\"bool\",\"label\":\"本人承诺所填信息真实有效\",\"required\":true}],"
	"\"fee_fen\":0}}";

/* The plain forms (gateway texts, in the language of the answer). */
#define PLAIN_NAME_ZH "{\"id\":\"name\",\"type\":\"text\",\"label\":\"姓名\",\"required\":true,\"max_len\":30,\"prefill\":\"citizen.name\"}"
#define PLAIN_IDNO_ZH "{\"id\":\"idno\",\"type\":\"idcard\",\"label\":\"身份证号码\",\"required\":true,\"prefill\":\"citizen.id\"}"
#define PLAIN_APPLY_ZH "{\"fields\":[" PLAIN_NAME_ZH "," PLAIN_IDNO_ZH "," \
	"{\"id\":\"phone\",\"type\":\"phone\",\"label\":\"手机号码\",\"required\":true}," \
	"{\"id\":\"agree\",\"type\":\"bool\",\"label\":\"本人承诺所填信息真实有效\",\"required\":true}]"

Test(gateway_catalog, good_file_served_exactly, .timeout = 60)
{
	char dir[256] = "";
	e2e_scratch_dir(dir, sizeof dir, "gwcat");
	char *path = write_text(dir, "zh.json", good_zh);
	struct gwd *g = e2e_start_gateway((const char *const[]){ "--catalog", path, NULL });
	expect_body(g, "/v1/catalog", "zh-CN", served_zh);
	expect_body(g, "/v1/services/svc-fund-withdraw", "zh-CN", served_withdraw_zh);
	/* No details: the plain page of an application; the category has no window. */
	expect_body(g, "/v1/services/svc-etc", "zh-CN",
	            "{\"id\":\"svc-etc\",\"category\":\"traffic\",\"name\":\"高速公路ETC办理\","
	            "\"summary\":\"\",\"keywords\":[\"ETC\"],\"kind\":\"apply\",\"login_required\":true,"
	            "\"fee_fen\":2500,\"description\":\"高速公路ETC办理\",\"materials\":[],"
	            "\"processing_days\":0,\"where\":\"\",\"form\":" PLAIN_APPLY_ZH ",\"fee_fen\":2500}}");
	/* A query: the summary is its description, the category's window its where. */
	expect_body(g, "/v1/services/svc-fund-query", "zh-CN",
	            "{\"id\":\"svc-fund-query\",\"category\":\"fund\",\"name\":\"住房公积金缴存查询\","
	            "\"summary\":\"查询余额和缴存明细\",\"keywords\":[],\"kind\":\"query\","
	            "\"login_required\":true,\"fee_fen\":0,\"description\":\"查询余额和缴存明细\","
	            "\"materials\":[],\"processing_days\":0,\"where\":\"7号窗口（公积金窗口）\","
	            "\"form\":{\"fields\":[" PLAIN_NAME_ZH "," PLAIN_IDNO_ZH "],\"fee_fen\":0}}");
	expect_body(g, "/v1/services/svc-fines", "zh-CN",
	            "{\"id\":\"svc-fines\",\"category\":\"traffic\",\"name\":\"交通违法罚款缴纳\","
	            "\"summary\":\"\",\"keywords\":[],\"kind\":\"bill\",\"login_required\":false,"
	            "\"fee_fen\":0,\"description\":\"交通违法罚款缴纳\",\"materials\":[],"
	            "\"processing_days\":0,\"where\":\"\",\"form\":{\"fields\":[{\"id\":\"account\","
	            "\"type\":\"text\",\"label\":\"户号或缴费编号\",\"required\":true,\"max_len\":30}],"
	            "\"fee_fen\":0}}");
	expect_body(g, "/v1/services/svc-queue", "zh-CN",
	            "{\"id\":\"svc-queue\",\"category\":\"traffic\",\"name\":\"车驾管业务取号\","
	            "\"summary\":\"\",\"keywords\":[],\"kind\":\"queue\",\"login_required\":false,"
	            "\"fee_fen\":0,\"description\":\"车驾管业务取号\",\"materials\":[],"
	            "\"processing_days\":0,\"where\":\"9号窗口\",\"form\":{\"fields\":[],\"fee_fen\":0}}");
	/* Some details given: those are kept, the form is the plain one. */
	char *s = get_lang(g, "/v1/services/svc-long", "zh-CN", 200);
	json_t *j = load(s);
	cr_assert_str_eq(json_string_value(json_object_get(j, "description")), "说明第一行\n说明第二行");
	cr_assert_str_eq(json_string_value(json_array_get(json_object_get(j, "materials"), 0)), "单位介绍信");
	cr_assert_str_eq(json_string_value(json_object_get(j, "where")), "7号窗口（公积金窗口）");
	cr_assert_eq(json_array_size(json_object_get(json_object_get(j, "form"), "fields")), 4);
	json_decref(j);
	free(s);
	/* The demo's services are gone, its citizens are not. */
	free(get_lang(g, "/v1/services/svc-social-query", "zh-CN", 404));
	json_t *code = e2e_post_json(g, "/sim/citizen-code", "{\"citizen\":\"cit-li\"}", 200);
	json_decref(code);
	/* The file serves every language as written; the plain forms are the
	 * gateway's and follow the language. */
	expect_body(g, "/v1/catalog", "en", served_zh);
	expect_body(g, "/v1/catalog", "zh-TW", served_zh);
	s = get_lang(g, "/v1/services/svc-etc", "en", 200);
	cr_assert(strstr(s, "\"name\":\"高速公路ETC办理\"") && strstr(s, "\"label\":\"Full name\""), "%s", s);
	free(s);
	s = get_lang(g, "/v1/services/svc-etc", "zh-TW", 200);
	cr_assert(strstr(s, "\"label\":\"身分證號碼\"") || strstr(s, "\"label\":\"身份證號碼\""), "%s", s);
	free(s);
	e2e_end_gw(g, false);
	free(path);
	e2e_rm_rf(dir);
}

Test(gateway_catalog, languages, .timeout = 120)
{
	char dir[256] = "";
	e2e_scratch_dir(dir, sizeof dir, "gwcat");
	char *zh = write_text(dir, "zh.json", good_zh), *en = write_text(dir, "en.json", good_en);
	char *en_arg = e2e_fmt("en=%s", en);
	struct gwd *g = e2e_start_gateway((const char *const[]){ "--catalog", zh, "--catalog",
	                                                         en_arg, NULL });
	expect_body(g, "/v1/catalog", "zh-CN", served_zh);
	expect_body(g, "/v1/catalog", "zh-TW", served_zh); /* no zh-TW file: the catalog's texts */
	char *s = get_lang(g, "/v1/catalog", "en", 200);
	json_t *c = load(s);
	cr_assert_str_eq(json_string_value(json_object_get(svc(c, 0), "name")),
	                 "Withdraw from your housing fund");
	cr_assert_str_eq(json_string_value(json_object_get(json_array_get(json_object_get(c,
	                 "categories"), 0), "name")), "Housing fund");
	cr_assert_str_eq(json_string_value(json_object_get(svc(c, 1), "name")), "ETC tags");
	cr_assert_null(json_object_get(svc(c, 1), "keywords"), "keywords are texts, per language");
	cr_assert_eq(json_integer_value(json_object_get(svc(c, 1), "fee_fen")), 2500);
	json_decref(c);
	free(s);
	s = get_lang(g, "/v1/services/svc-fund-withdraw", "en", 200);
	cr_assert(strstr(s, "\"description\":\"One\\nTwo\"") && strstr(s, "\"label\":\"To rent\"") &&
	          strstr(s, "\"value\":\"rent\"") && strstr(s, "\"where\":\"Window 7\""), "%s", s);
	free(s);
	/* Plain page in English: the summary is absent, the name describes it. */
	s = get_lang(g, "/v1/services/svc-fund-query", "en", 200);
	cr_assert(strstr(s, "\"description\":\"Housing fund statement\"") &&
	          strstr(s, "\"where\":\"Window 7\"") && strstr(s, "\"label\":\"ID card number\""),
	          "%s", s);
	free(s);
	e2e_end_gw(g, false);

	/* Case does not matter in LANG; a zh-TW file serves zh-TW. */
	char *tw = write_text(dir, "tw.json", good_en);
	char *tw_arg = e2e_fmt("ZH-tw=%s", tw);
	g = e2e_start_gateway((const char *const[]){ "--catalog", zh, "--catalog", tw_arg, NULL });
	s = get_lang(g, "/v1/catalog", "zh-Hant", 200);
	cr_assert(strstr(s, "Withdraw from your housing fund"), "%s", s);
	free(s);
	expect_body(g, "/v1/catalog", "en", served_zh);
	e2e_end_gw(g, false);

	/* A translation must be the same catalog. */
	struct { json_t *(*at)(json_t *); const char *key; json_t *v; const char *want; } cases[] = {
		{ svc1, "kind", json_string("query"), "services[1].kind: \"query\", but \"apply\"" },
		{ svc1, "fee_fen", json_integer(0), "services[1].fee_fen: 0, but 2500" },
		{ svc1, "form", json_pack("{s:[]}", "fields"), "services[1].form: given, but not" },
		{ NULL, "version", json_string("2"), "version: \"2\", but \"2027-01-15T00:00:00Z\"" },
		{ NULL, "popular", json_pack("[s]", "svc-etc"), "popular: 1, but 2" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		json_t *j = load(good_en), *o = cases[i].at ? cases[i].at(j) : j;
		json_object_set_new(o, cases[i].key, cases[i].v);
		char *p = write_json(dir, "en-bad.json", j), *arg = e2e_fmt("en=%s", p);
		char *want = e2e_fmt("%s in %s", cases[i].want, zh), *line = e2e_fmt("--catalog %s: %s", arg, want);
		refused_with(dir, (const char *const[]){ "--catalog", zh, "--catalog", arg, NULL }, 1,
		             line, false);
		free(p);
		free(arg);
		free(want);
		free(line);
	}
	json_t *j = load(good_en);
	json_array_remove(json_object_get(j, "services"), 5);
	char *p = write_json(dir, "en-bad.json", j), *arg = e2e_fmt("en=%s", p);
	char *line = e2e_fmt("--catalog %s: services: 5, but 6 in %s", arg, zh);
	refused_with(dir, (const char *const[]){ "--catalog", zh, "--catalog", arg, NULL }, 1, line,
	             false);
	free(line);
	free(arg);
	free(p);
	j = load(good_en);
	json_object_set_new(json_array_get(json_object_get(field(j, 0, 6), "options"), 1), "value",
	                    json_string("lease"));
	p = write_json(dir, "en-bad.json", j);
	arg = e2e_fmt("en=%s", p);
	line = e2e_fmt("--catalog %s: services[0].form.fields[6].options[1].value: differs from %s "
	               "(option values are the same in every language)", arg, zh);
	refused_with(dir, (const char *const[]){ "--catalog", zh, "--catalog", arg, NULL }, 1, line,
	             false);
	free(line);
	free(arg);
	free(p);
	/* A bad translation is named as such. */
	p = write_text(dir, "en-bad.json", "{\"version\":1}");
	arg = e2e_fmt("en=%s", p);
	line = e2e_fmt("--catalog %s: version: expected string, got integer", arg);
	refused_with(dir, (const char *const[]){ "--catalog", zh, "--catalog", arg, NULL }, 1, line,
	             false);
	free(line);
	free(arg);
	free(p);
	free(tw);
	free(tw_arg);
	free(en_arg);
	free(zh);
	free(en);
	e2e_rm_rf(dir);
}

Test(gateway_catalog, empty_catalog, .timeout = 60)
{
	char dir[256] = "";
	e2e_scratch_dir(dir, sizeof dir, "gwcat");
	char *path = write_text(dir, "empty.json",
	                        "{\"version\":\"v0\",\"categories\":[],\"services\":[]}");
	struct gwd *g = e2e_start_gateway((const char *const[]){ "--catalog", path, NULL });
	const char *want = "{\"version\":\"v0\",\"categories\":[],\"popular\":[],\"services\":[]}";
	expect_body(g, "/v1/catalog", "zh-CN", want);
	expect_body(g, "/v1/catalog", "en", want);
	free(get_lang(g, "/v1/services/svc-social-query", "zh-CN", 404));
	e2e_end_gw(g, false);
	free(path);
	e2e_rm_rf(dir);
}

/* ==== sizes =================================================================== */

/* Real names and places to make a big catalog from. */
static const char *const big_names[] = {
	"住房公积金提取", "失业保险金申领", "社保卡申领", "医保转移接续", "户籍证明开具",
	"护照换发", "行驶证换领", "水费缴纳", "电费缴纳", "生育津贴申领", "高龄津贴申领",
	"不动产查询", "个体户登记", "学籍证明开具", "契税申报", "就业登记", "残疾人证补领",
	"居住证签注", "驾驶证补领", "结婚登记预约", "燃气开户", "养老金认证", "公租房申请",
	"教师资格认定", "印花税申报", "单位参保登记", "ETC办理", "长期护理保险", "重度残疾补贴",
	"流动人员档案", "招聘会查询", "社保缴费查询", "公积金贷款", "新生儿落户", "无犯罪证明",
	"发票领用", "车船税缴纳", "营业执照补领", "托育机构查询", "医保余额查询", "供暖费缴纳",
	"水表过户", "企业年报", "户口迁出", "签注办理", "学区查询", "辅具适配", "助餐服务",
};
static const char *const big_a[] = { "东", "西", "南", "北", "新", "老", "上", "下", "前", "后",
                                     "大", "小", "长", "青", "红" };
static const char *const big_b[] = { "湖", "山", "河", "桥", "门", "塘", "林", "园", "城", "关",
                                     "坡", "港", "湾", "岭" };
static const char *const big_cats[] = { "social", "medical", "fund", "household", "exit-entry",
                                        "traffic", "utilities", "family", "elderly", "realestate",
                                        "business", "education", "tax", "employment",
                                        "disability" };
static const char *const big_kinds[] = { "apply", "query", "apply", "bill", "apply", "queue" };

#define NB (sizeof big_names / sizeof big_names[0])

/* n services ("东湖街道住房公积金提取", ...), 1 in 100 popular; en: names
 * in English of en_len characters instead. */
static json_t *big_catalog(size_t n, size_t en_len)
{
	json_t *cats = json_array(), *svcs = json_array(), *pop = json_array();
	for (size_t i = 0; i < sizeof big_cats / sizeof big_cats[0]; i++)
		json_array_append_new(cats, json_pack("{s:s, s:s}", "id", big_cats[i], "name", big_cats[i]));
	for (size_t i = 0; i < n; i++) {
		char id[16], name[160];
		size_t r = i / NB, a = r % 15, b = (r / 15) % 14;
		snprintf(id, sizeof id, "s%zu", i);
		if (en_len) {
			memset(name, 'x', en_len);
			snprintf(name, sizeof name - en_len, "%zu ", i);
			name[strlen(name)] = 'x';
			name[en_len] = '\0';
		} else {
			snprintf(name, sizeof name, "%s%s街道%s", big_a[a], big_b[b], big_names[i % NB]);
		}
		json_array_append_new(svcs, json_pack("{s:s, s:s, s:s, s:s}", "id", id, "category",
		                                      big_cats[i % 15], "name", name, "kind",
		                                      big_kinds[i % 6]));
		if (i % 100 == 0)
			json_array_append_new(pop, json_string(id));
	}
	return json_pack("{s:s, s:o, s:o, s:o}", "version", "big", "categories", cats, "popular", pop,
	                 "services", svcs);
}

/* The catalog in lang: its size, its service count and its names' count
 * (distinct). */
static size_t catalog_size(struct gwd *g, const char *lang, size_t *n, size_t *distinct,
                           json_t **out)
{
	char *s = get_lang(g, "/v1/catalog", lang, 200);
	size_t len = strlen(s);
	json_t *c = load(s), *svcs = json_object_get(c, "services");
	*n = json_array_size(svcs);
	json_t *names = json_object();
	for (size_t i = 0; i < *n; i++)
		json_object_set_new(names, json_string_value(json_object_get(json_array_get(svcs, i),
		                                                             "name")), json_true());
	*distinct = json_object_size(names);
	json_decref(names);
	if (out)
		*out = c;
	else
		json_decref(c);
	free(s);
	return len;
}

Test(gateway_catalog, ten_thousand_services_under_1mib, .timeout = 120)
{
	char dir[256] = "";
	e2e_scratch_dir(dir, sizeof dir, "gwcat");
	char *path = write_json(dir, "big.json", big_catalog(10080, 0));
	struct gwd *g = e2e_start_gateway((const char *const[]){ "--catalog", path, NULL });
	static const char *const langs[] = { "zh-CN", "zh-TW", "en" };
	for (size_t l = 0; l < 3; l++) {
		size_t n, distinct, len = catalog_size(g, langs[l], &n, &distinct, NULL);
		cr_assert_eq(n, 10080, "%s: %zu services", langs[l], n);
		cr_assert_eq(distinct, 10080, "%s: %zu distinct names", langs[l], distinct);
		cr_assert_lt(len, (size_t)MIB, "%s: the catalog is %zu bytes", langs[l], len);
		fprintf(stderr, "gateway_catalog: a 10,080-service file is served in %zu bytes (%s)\n",
		        len, langs[l]);
	}
	char *s = get_lang(g, "/v1/services/s10079", "en", 200);
	cr_assert(strstr(s, "\"label\":\"Full name\"") || strstr(s, "\"fields\":[]") ||
	          strstr(s, "\"label\":\"Account or payment number\""), "%s", s);
	free(s);
	e2e_end_gw(g, false);
	free(path);
	e2e_rm_rf(dir);
}

/* A catalog fits in zh-CN but its English would not: refused, naming the
 * English file, and the database keeps the catalog it had. */
Test(gateway_catalog, refused_over_1mib_served, .timeout = 180)
{
	char dir[256] = "";
	e2e_scratch_dir(dir, sizeof dir, "gwcat");
	char *zh = write_json(dir, "zh.json", big_catalog(7000, 0));
	char *en = write_json(dir, "en.json", big_catalog(7000, 100));
	char *en_arg = e2e_fmt("en=%s", en);
	struct gwd *g = e2e_start_gateway(NULL);
	size_t n, distinct, before = catalog_size(g, "en", &n, &distinct, NULL);
	cr_assert(!gwd_restart(g, (const char *const[]){ "--catalog", zh, "--catalog", en_arg, NULL }),
	          "gatewayd served a catalog over 1 MiB in English");
	char *log = e2e_fmt("%s/gatewayd.log", gwd_tmpdir(g)), *out = e2e_slurp_str(log);
	char *want = e2e_fmt("gatewayd: --catalog %s: GET /v1/catalog in en would be ", en_arg);
	char *at = strstr(out, want);
	cr_assert(at, "no [%s...] in the log:\n%s", want, out);
	char *tail = at + strlen(want);
	char *end;
	long bytes = strtol(tail, &end, 10);
	static const char rest[] = " bytes, more than the 1 MiB (1048576 bytes) a kiosk accepts\n";
	cr_assert(bytes > MIB && !strncmp(end, rest, strlen(rest)), "%s", at);
	cr_assert(gwd_restart(g, NULL), "gatewayd did not start again on its database");
	size_t after = catalog_size(g, "en", &n, &distinct, NULL);
	cr_assert_eq(after, before, "the refused catalog changed the database");
	cr_assert_gt(n, DEMO_BEFORE);
	e2e_end_gw(g, false);
	free(want);
	free(out);
	free(log);
	free(en_arg);
	free(zh);
	free(en);
	e2e_rm_rf(dir);
}

/* ==== the demo catalog and --synthetic ======================================== */

static bool has_name(json_t *c, const char *name, const char **id)
{
	json_t *svcs = json_object_get(c, "services");
	for (size_t i = 0; i < json_array_size(svcs); i++)
		if (!strcmp(json_string_value(json_object_get(json_array_get(svcs, i), "name")), name)) {
			if (id)
				*id = json_string_value(json_object_get(json_array_get(svcs, i), "id"));
			return true;
		}
	return false;
}

Test(gateway_catalog, demo_catalog, .timeout = 60)
{
	struct gwd *g = e2e_start_gateway(NULL);
	json_t *zh, *tw, *en;
	size_t n, distinct, nt, dt, ne, de;
	size_t len = catalog_size(g, "zh-CN", &n, &distinct, &zh);
	size_t len_tw = catalog_size(g, "zh-TW", &nt, &dt, &tw);
	size_t len_en = catalog_size(g, "en", &ne, &de, &en);
	cr_assert_geq(n, DEMO_BEFORE + 200, "the demo catalog has %zu services", n);
	cr_assert(distinct == n && dt == n && de == n, "names repeat: %zu/%zu/%zu distinct of %zu",
	          distinct, dt, de, n);
	cr_assert(len < 100000 && len_tw < 100000 && len_en < 100000,
	          "the demo catalog is %zu / %zu / %zu bytes", len, len_tw, len_en);
	fprintf(stderr, "gateway_catalog: the demo catalog: %zu services, %zu bytes (zh-CN), %zu "
	        "(zh-TW), %zu (en)\n", n, len, len_tw, len_en);
	const char *id = NULL;
	cr_assert(has_name(zh, "住房公积金提取", &id), "no 住房公积金提取");
	cr_assert(has_name(tw, "住房公積金提取", NULL), "no 住房公積金提取 in zh-TW");
	static const char *const polyphones[] = {
		"社保卡银行账户变更", "机动车行驶证换领", "注销后重新申领机动车驾驶证",
		"重度残疾人居家托养服务补贴申请", "长期护理保险待遇申请", "单位参保登记",
		"个人社保参保证明打印", "高速公路ETC办理", "失业保险金申领", "城乡居民养老保险参保登记",
		"医保关系转移接续", "出入境通行证签注", "不动产登记资料查询", "残疾人证办理",
	};
	for (size_t i = 0; i < sizeof polyphones / sizeof polyphones[0]; i++)
		cr_assert(has_name(zh, polyphones[i], NULL), "no %s in the demo catalog", polyphones[i]);
	/* Every name has its English and its Traditional form. */
	json_t *sz = json_object_get(zh, "services"), *st = json_object_get(tw, "services"),
	       *se = json_object_get(en, "services");
	size_t same_tw = 0;
	for (size_t i = 0; i < n; i++) {
		const char *a = json_string_value(json_object_get(json_array_get(sz, i), "name"));
		const char *t = json_string_value(json_object_get(json_array_get(st, i), "name"));
		const char *e = json_string_value(json_object_get(json_array_get(se, i), "name"));
		for (const unsigned char *p = (const unsigned char *)e; *p; p++)
			cr_assert_lt(*p, 0x80, "English name [%s] of [%s] is not ASCII", e, a);
		same_tw += !strcmp(a, t);
	}
	cr_assert_lt(same_tw, 10, "%zu names are the same in zh-TW as in zh-CN", same_tw);
	cr_assert_geq(json_array_size(json_object_get(zh, "popular")), 10);
	/* A service given by its name alone has the plain page. */
	char *path = e2e_fmt("/v1/services/%s", id), *s = get_lang(g, path, "zh-CN", 200);
	cr_assert(strstr(s, "\"description\":\"住房公积金提取\"") && strstr(s, "\"label\":\"姓名\"") &&
	          strstr(s, "\"where\":\"7号窗口（公积金窗口）\""), "%s", s);
	free(s);
	free(path);
	json_decref(zh);
	json_decref(tw);
	json_decref(en);
	e2e_end_gw(g, false);
}

Test(gateway_catalog, synthetic_10000_realistic_under_1mib, .timeout = 120)
{
	struct gwd *g = e2e_start_gateway((const char *const[]){ "--synthetic", "10000", NULL });
	static const char *const langs[] = { "zh-CN", "zh-TW", "en" };
	json_t *demo_zh = NULL;
	for (size_t l = 0; l < 3; l++) {
		json_t *c;
		size_t n, distinct, len = catalog_size(g, langs[l], &n, &distinct, &c);
		cr_assert_geq(n, 10000 + DEMO_BEFORE + 200, "%s: %zu services", langs[l], n);
		cr_assert_eq(distinct, n, "%s: %zu distinct names of %zu", langs[l], distinct, n);
		cr_assert_lt(len, (size_t)MIB, "%s: the catalog is %zu bytes", langs[l], len);
		fprintf(stderr, "gateway_catalog: --synthetic 10000: %zu services, %zu bytes (%s)\n", n,
		        len, langs[l]);
		size_t pop = json_array_size(json_object_get(c, "popular"));
		cr_assert(pop >= 100 && pop <= 300, "%zu popular", pop);
		if (l == 0)
			demo_zh = c;
		else
			json_decref(c);
	}
	/* Generated names are real names in a district, street or town. */
	json_t *svcs = json_object_get(demo_zh, "services");
	size_t gen = 0, fund = 0;
	for (size_t i = 0; i < json_array_size(svcs); i++) {
		json_t *s = json_array_get(svcs, i);
		const char *id = json_string_value(json_object_get(s, "id"));
		const char *name = json_string_value(json_object_get(s, "name"));
		if (id[0] != 'g')
			continue;
		gen++;
		cr_assert(!strstr(name, "综合服务事项"), "%s", name);
		cr_assert(strstr(name, "区") || strstr(name, "县") || strstr(name, "街道") ||
		          strstr(name, "镇"), "no place in %s", name);
		fund += strstr(name, "公积金") != NULL;
	}
	cr_assert_eq(gen, 10000);
	cr_assert_gt(fund, 50, "only %zu generated names hold 公积金", fund);
	json_decref(demo_zh);
	e2e_end_gw(g, false);
}
