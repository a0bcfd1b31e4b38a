/* test_browse.c: browsing the catalog end to end: the kiosk (in a pty, read
 * back through libvterm) against the reference gateway.
 *
 * Every test starts its own gateway and kiosk, so tests may run in parallel.
 * Category and service names are never hard-coded: the tests ask the gateway
 * for its catalog (GET /v1/catalog, in the language under test) and look for
 * what it says on the screen. Waits are generous: they assert behaviour,
 * never speed.
 */
#include "e2e.h"
#include "harness/gwd.h"
#include "harness/harness.h"

#include <criterion/criterion.h>
#include <curl/curl.h>
#include <jansson.h>

#include <ctype.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#define WAIT_MS 5000
#define EXIT_MS 10000
#define QUIET_MS 150

/* ---- helpers ----------------------------------------------------------------- */

struct row_arg {
	int row;
	const char *s;
};

static bool pred_row_has(struct harness *h, void *ud)
{
	struct row_arg *a = ud;
	return e2e_row_has(h, a->row, a->s);
}

/* A numbered button's head and label as drawn: "N label" (the focus marker
 * '>' or a blank stands before N). */
static bool wait_item(struct harness *h, int n, const char *label, int ms)
{
	char *s = e2e_fmt("%d %s", n, label);
	bool r = e2e_wait_text(h, s, ms);
	free(s);
	return r;
}

static bool find_item(struct harness *h, int n, const char *label, int *col, int *row)
{
	char *s = e2e_fmt("%d %s", n, label);
	bool r = h_find(h, s, col, row);
	free(s);
	return r;
}

static bool click_item(struct harness *h, int n, const char *label)
{
	char *s = e2e_fmt("%d %s", n, label);
	bool r = h_click_text(h, s);
	free(s);
	return r;
}

/* The status bar (last row) of a kiosk that is online. */
static void assert_status_bar(struct harness *h, const char *lang, const char *online)
{
	int cols, rows;
	char *t, *want, *p;
	h_size(h, &cols, &rows);
	t = h_row_text(h, rows - 1);
	want = e2e_fmt("%s | %s | ", lang, online);
	p = strstr(t, want);
	if (!p) {
		h_dump(h, stderr);
		cr_assert_fail("status bar [%s] lacks [%s]", t, want);
	}
	p += strlen(want);
	if (!(isdigit((unsigned char)p[0]) && isdigit((unsigned char)p[1]) && p[2] == ':' &&
	      isdigit((unsigned char)p[3]) && isdigit((unsigned char)p[4]))) {
		h_dump(h, stderr);
		cr_assert_fail("status bar [%s] has no HH:MM clock", t);
	}
	free(want);
	free(t);
}

/* ---- the gateway's catalog, as the kiosk should show it --------------------- */

static size_t on_body(char *p, size_t size, size_t n, void *ud)
{
	FILE *f = ud;
	return fwrite(p, size, n, f);
}

/* GET path with Accept-Language: lang; the parsed JSON body (asserts 200). */
static json_t *get_json(struct gwd *g, const char *path, const char *lang)
{
	char *buf = NULL, *url, *hdr;
	size_t len = 0;
	long status = 0;
	FILE *f = open_memstream(&buf, &len);
	CURL *c = curl_easy_init();
	struct curl_slist *hl = NULL;
	json_error_t e;
	json_t *j;
	CURLcode rc;

	cr_assert_not_null(c);
	url = e2e_fmt("%s%s", gwd_url(g), path);
	hdr = e2e_fmt("Accept-Language: %s", lang);
	hl = curl_slist_append(hl, hdr);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hl);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 20000L);
	curl_easy_setopt(c, CURLOPT_PROXY, "");
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, f);
	rc = curl_easy_perform(c);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	fclose(f);
	curl_slist_free_all(hl);
	curl_easy_cleanup(c);
	cr_assert_eq(rc, CURLE_OK, "GET %s: %s", url, curl_easy_strerror(rc));
	cr_assert_eq(status, 200, "GET %s: status %ld", url, status);
	j = json_loadb(buf, len, 0, &e);
	cr_assert_not_null(j, "GET %s: not JSON: %s", url, e.text);
	free(buf);
	free(url);
	free(hdr);
	return j;
}

struct cat {
	const char *id, *name;
	const char **svc;   /* names, in catalog order */
	const char **svc_id;
	size_t n;
};

struct catalog {
	json_t *root;
	struct cat *cats;
	size_t n;
};

static void catalog_get(struct gwd *g, const char *lang, struct catalog *c)
{
	json_t *cats, *svcs, *v;
	size_t i;
	memset(c, 0, sizeof *c);
	c->root = get_json(g, "/v1/catalog", lang);
	cats = json_object_get(c->root, "categories");
	svcs = json_object_get(c->root, "services");
	cr_assert(json_is_array(cats) && json_is_array(svcs), "catalog without categories/services");
	c->n = json_array_size(cats);
	cr_assert_gt(c->n, 0, "the gateway's catalog has no categories");
	c->cats = calloc(c->n, sizeof *c->cats);
	json_array_foreach(cats, i, v) {
		c->cats[i].id = json_string_value(json_object_get(v, "id"));
		c->cats[i].name = json_string_value(json_object_get(v, "name"));
		c->cats[i].svc = calloc(json_array_size(svcs) + 1, sizeof(char *));
		c->cats[i].svc_id = calloc(json_array_size(svcs) + 1, sizeof(char *));
		cr_assert(c->cats[i].id && c->cats[i].name);
	}
	json_array_foreach(svcs, i, v) {
		const char *cid = json_string_value(json_object_get(v, "category"));
		for (size_t k = 0; cid && k < c->n; k++) {
			if (strcmp(c->cats[k].id, cid) == 0) {
				c->cats[k].svc_id[c->cats[k].n] = json_string_value(json_object_get(v, "id"));
				c->cats[k].svc[c->cats[k].n++] = json_string_value(json_object_get(v, "name"));
				break;
			}
		}
	}
}

static void catalog_free(struct catalog *c)
{
	for (size_t i = 0; i < c->n; i++) {
		free(c->cats[i].svc);
		free(c->cats[i].svc_id);
	}
	free(c->cats);
	json_decref(c->root);
	memset(c, 0, sizeof *c);
}

/* The first category that has a service. */
static size_t first_nonempty(const struct catalog *c)
{
	for (size_t i = 0; i < c->n; i++)
		if (c->cats[i].n > 0)
			return i;
	cr_assert_fail("no category has a service");
	return 0;
}

static size_t largest(const struct catalog *c)
{
	size_t best = 0;
	for (size_t i = 1; i < c->n; i++)
		if (c->cats[i].n > c->cats[best].n)
			best = i;
	return best;
}

/* ---- screens ---------------------------------------------------------------- */

/* The accessibility modes first; 8 opens the language picker, its second
 * line the current language's own name. */
static const char *const home_labels[8] = {
	"大字模式", "语音播报", "办事服务", "扫码登录", "生活缴费", "排队取号", "我的办件", "语言 Language",
};
static const char *const home_labels_en[8] = {
	"Large text", "Voice guide", "Services", "Log in", "Pay bills", "Take a number",
	"My applications", "语言 Language",
};

/* Where the home buttons have room for a second line (button 1's, first_sub,
 * is shown), the language button's names the language in use (lang). */
static void assert_lang_sub(struct harness *h, const char *first_sub, const char *lang)
{
	int col, row;
	char *t;
	if (!h_find(h, first_sub, NULL, NULL))
		return;
	H_ASSERT(h, find_item(h, 8, "语言 Language", &col, &row), "no language button");
	t = h_row_text(h, row + 1);
	if (!strstr(t, lang)) {
		h_dump(h, stderr);
		cr_assert_fail("the language button's second line does not say %s: [%s]", lang, t);
	}
	free(t);
}

/* Home, fully drawn, in Chinese: title, 8 numbered buttons each shown once,
 * the status bar, the cursor on the '>' of the focused button (1-8). */
static void assert_home_focus(struct harness *h, int focus)
{
	int col, row, ccol, crow, cols, rows;
	H_ASSERT(h, e2e_wait_title(h, "政务服务自助终端", WAIT_MS), "no Chinese home title");
	for (int i = 0; i < 8; i++)
		H_ASSERT(h, wait_item(h, i + 1, home_labels[i], WAIT_MS), "home button %d %s missing", i + 1,
			 home_labels[i]);
	h_settle(h, QUIET_MS, 2000);
	h_size(h, &cols, &rows);
	H_ASSERT(h, e2e_count_text(h, "政务服务自助终端") == 1, "home title shown %d times",
		 e2e_count_text(h, "政务服务自助终端"));
	for (int i = 0; i < 8; i++) {
		char *s = e2e_fmt("%d %s", i + 1, home_labels[i]);
		int n = e2e_count_text(h, s), lc, lr;
		H_ASSERT(h, n == 1, "[%s] shown %d times", s, n);
		n = e2e_count_text(h, home_labels[i]);
		H_ASSERT(h, n == 1, "label [%s] shown %d times", home_labels[i], n);
		H_ASSERT(h, h_find(h, s, &lc, &lr), "no [%s]", s);
		H_ASSERT(h, lr > 0 && lr < rows - 1, "[%s] on row %d: in the title or status bar", s, lr);
		/* Two labels on one row must not run into each other. */
		for (int k = 0; k < i; k++) {
			char *o = e2e_fmt("%d %s", k + 1, home_labels[k]);
			int oc, orow;
			H_ASSERT(h, h_find(h, o, &oc, &orow), "no [%s]", o);
			H_ASSERT(h, !(oc == lc && orow == lr), "[%s] and [%s] at the same cell", s, o);
			free(o);
		}
		free(s);
	}
	H_ASSERT(h, !h_find(h, "[Esc]", NULL, NULL), "a back key on the home screen");
	assert_lang_sub(h, "放大字体", "中文");
	assert_status_bar(h, "中文", "网络正常");
	H_ASSERT(h, find_item(h, focus, home_labels[focus - 1], &col, &row), "no button %d", focus);
	h_cursor(h, &ccol, &crow);
	H_ASSERT(h, h_cell_at(h, col - 1, row).ch == '>', "button %d has no focus marker '>'", focus);
	H_ASSERT(h, ccol == col - 1 && crow == row, "cursor at col %d row %d, not on the '>' at col %d row %d",
		 ccol, crow, col - 1, row);
	for (int i = 0; i < 8; i++) {
		if (i + 1 == focus)
			continue;
		H_ASSERT(h, find_item(h, i + 1, home_labels[i], &col, &row), "no button %d", i + 1);
		H_ASSERT(h, h_cell_at(h, col - 1, row).ch != '>', "button %d also has the focus marker", i + 1);
	}
	e2e_assert_clean(h);
}

static void assert_home_zh(struct harness *h)
{
	assert_home_focus(h, 1);
}

static void assert_home_back(struct harness *h)
{
	H_ASSERT(h, e2e_wait_title(h, "政务服务自助终端", WAIT_MS), "not back on the home screen");
	H_ASSERT(h, wait_item(h, 8, "语言 Language", WAIT_MS), "home not fully drawn");
	H_ASSERT(h, h_wait_gone(h, "[Esc] 返回", WAIT_MS), "the home screen shows a back key");
}

/* Waits for the categories screen with the first page of categories. */
static void assert_categories(struct harness *h, const struct catalog *c)
{
	H_ASSERT(h, e2e_wait_title(h, "按类别办事", WAIT_MS), "no categories screen");
	H_ASSERT(h, wait_item(h, 1, c->cats[0].name, WAIT_MS), "category 1 [%s] not shown", c->cats[0].name);
	H_ASSERT(h, h_find(h, "[Esc] 返回", NULL, NULL), "no [Esc] back key in the status bar");
	H_ASSERT(h, h_find(h, "[Home] 首页", NULL, NULL), "no [Home] key in the status bar");
	e2e_assert_clean(h);
}

/* The detail of a service: the sections, scrolling with PgDn (or a click
 * on its 下一页 button) if needed. */
static int assert_detail(struct harness *h, struct gwd *g, const char *name, const char *id, bool mouse)
{
	static const char *const sections[] = {
		"【办理说明】", "【所需材料】", "【办理时限】", "【收费标准】", "【办理地点】", "【是否需要登录】",
	};
	bool seen[6] = { false };
	json_t *d;
	char *path = e2e_fmt("/v1/services/%s", id);
	const char *desc, *where;
	bool want[6] = { true, true, true, true, true, true };
	char *top, *prev;
	int scrolled = 0;

	d = get_json(g, path, "zh-CN");
	desc = json_string_value(json_object_get(d, "description"));
	where = json_string_value(json_object_get(d, "where"));
	want[0] = desc && *desc;
	want[4] = where && *where;

	H_ASSERT(h, e2e_wait_title(h, name, WAIT_MS), "title is not the service name [%s]", name);
	H_ASSERT(h, e2e_wait_text(h, want[0] ? "【办理说明】" : "【所需材料】", WAIT_MS), "the details never arrived");
	H_ASSERT(h, h_wait_gone(h, "正在加载详细信息", WAIT_MS), "still loading the details");
	h_settle(h, QUIET_MS, 2000);
	e2e_assert_clean(h);
	top = e2e_screen_body(h);
	for (int page = 0; page < 30; page++) {
		bool all = true;
		for (int i = 0; i < 6; i++) {
			seen[i] = seen[i] || h_find(h, sections[i], NULL, NULL);
			all = all && (seen[i] || !want[i]);
		}
		if (all)
			break;
		H_ASSERT(h, h_find(h, "下一页", NULL, NULL),
			 "details incomplete and no 下一页 button to scroll");
		prev = e2e_screen_body(h);
		if (mouse)
			H_ASSERT(h, h_click_text(h, "下一页"), "no 下一页 to click");
		else
			h_key(h, H_PGDN);
		H_ASSERT(h, e2e_wait_body(h, prev, false, WAIT_MS), "下一页 did not scroll the details");
		free(prev);
		e2e_assert_clean(h);
		scrolled++;
	}
	for (int i = 0; i < 6; i++)
		H_ASSERT(h, seen[i] || !want[i], "section %s never shown", sections[i]);
	if (scrolled) {
		/* As many pages back is the top again. */
		for (int i = 0; i < scrolled; i++) {
			prev = e2e_screen_body(h);
			if (mouse)
				H_ASSERT(h, h_click_text(h, "上一页"), "no 上一页 to click");
			else
				h_key(h, H_PGUP);
			H_ASSERT(h, e2e_wait_body(h, prev, false, WAIT_MS), "上一页 did not scroll the details");
			free(prev);
		}
		H_ASSERT(h, e2e_wait_body(h, top, true, WAIT_MS), "%d pages down and up is not the top", scrolled);
	}
	free(top);
	H_ASSERT(h, h_find(h, "[Esc] 返回", NULL, NULL), "no [Esc] back key on the detail");
	json_decref(d);
	free(path);
	return scrolled;
}

/* ---- home at several sizes ----------------------------------------------------- */

static void home_at(int cols, int rows)
{
	struct gwd *g = e2e_start_gateway(NULL);
	struct harness *h = e2e_start_kiosk(gwd_url(g), cols, rows, NULL);
	assert_home_zh(h);
	e2e_end_kiosk(h, EXIT_MS);
	e2e_end_gw(g, false);
}

Test(browse, home_zh_80x24, .timeout = 60) { home_at(80, 24); }
Test(browse, home_zh_120x40, .timeout = 60) { home_at(120, 40); }
Test(browse, home_zh_60x20, .timeout = 60) { home_at(60, 20); }

/* ---- keys ---------------------------------------------------------------------- */

Test(browse, keys_to_detail_and_back, .timeout = 90)
{
	struct gwd *g = e2e_start_gateway(NULL);
	struct catalog c;
	struct harness *h;
	size_t ci;

	catalog_get(g, "zh-CN", &c);
	ci = first_nonempty(&c);
	h = e2e_start_kiosk(gwd_url(g), 80, 24, NULL);
	assert_home_zh(h);

	/* Down from button 1 (two columns at 80x24) to 3 办事服务, then Enter
	 * on the focused button. */
	h_key(h, H_DOWN);
	{
		int col, row;
		H_ASSERT(h, find_item(h, 3, home_labels[2], &col, &row), "no button 3");
		H_ASSERT(h, e2e_wait_mark(h, col - 1, row, true, WAIT_MS), "Down did not focus button 3");
	}
	h_key(h, H_ENTER);
	assert_categories(h, &c);
	{
		/* Arrows move the focus marker and the cursor. */
		int col, row, ccol, crow;
		H_ASSERT(h, find_item(h, 1, c.cats[0].name, &col, &row), "no category 1");
		H_ASSERT(h, h_cell_at(h, col - 1, row).ch == '>', "category 1 is not focused");
		if (c.n >= 2 && find_item(h, 2, c.cats[1].name, NULL, NULL)) {
			int col2, row2;
			H_ASSERT(h, find_item(h, 2, c.cats[1].name, &col2, &row2), "no category 2");
			h_key(h, row2 == row ? H_RIGHT : H_DOWN);
			H_ASSERT(h, e2e_wait_mark(h, col2 - 1, row2, true, WAIT_MS), "the arrow did not focus category 2");
			H_ASSERT(h, e2e_wait_mark(h, col - 1, row, false, WAIT_MS), "category 1 still marked after the move");
			h_cursor(h, &ccol, &crow);
			H_ASSERT(h, ccol == col2 - 1 && crow == row2, "cursor did not follow the focus");
			h_key(h, row2 == row ? H_LEFT : H_UP);
			H_ASSERT(h, e2e_wait_mark(h, col - 1, row, true, WAIT_MS), "the arrow did not return to category 1");
		}
	}
	if (ci >= 9)
		cr_skip_test("the first category with services is beyond the first page");
	if (ci == 0) {
		h_key(h, H_ENTER);
	} else {
		char d[2] = { (char)('1' + ci), 0 };
		h_type(h, d);
	}
	H_ASSERT(h, e2e_wait_title(h, c.cats[ci].name, WAIT_MS), "services screen title is not [%s]",
		 c.cats[ci].name);
	H_ASSERT(h, wait_item(h, 1, c.cats[ci].svc[0], WAIT_MS), "service 1 [%s] not listed",
		 c.cats[ci].svc[0]);
	{
		int col, row, ccol, crow;
		H_ASSERT(h, find_item(h, 1, c.cats[ci].svc[0], &col, &row), "no service 1");
		H_ASSERT(h, h_cell_at(h, col - 1, row).ch == '>', "service 1 is not focused");
		h_cursor(h, &ccol, &crow);
		H_ASSERT(h, ccol == col - 1 && crow == row, "cursor not on the focused service");
		if (c.cats[ci].n >= 2) {
			int col2, row2;
			H_ASSERT(h, find_item(h, 2, c.cats[ci].svc[1], &col2, &row2), "no service 2");
			h_key(h, H_DOWN);
			H_ASSERT(h, e2e_wait_mark(h, col2 - 1, row2, true, WAIT_MS), "Down did not focus service 2");
			h_key(h, H_UP);
			H_ASSERT(h, e2e_wait_mark(h, col - 1, row, true, WAIT_MS), "Up did not return to service 1");
		}
	}
	e2e_assert_clean(h);
	h_key(h, H_ENTER);
	assert_detail(h, g, c.cats[ci].svc[0], c.cats[ci].svc_id[0], false);

	/* Esc: back to the list, then to the categories, then Home. */
	h_key(h, H_ESC);
	H_ASSERT(h, e2e_wait_title(h, c.cats[ci].name, WAIT_MS), "Esc did not return to the services list");
	H_ASSERT(h, wait_item(h, 1, c.cats[ci].svc[0], WAIT_MS), "services list not redrawn");
	H_ASSERT(h, h_wait_gone(h, "【所需材料】", WAIT_MS), "detail text left on the list");
	e2e_assert_clean(h);
	h_key(h, H_ESC);
	assert_categories(h, &c);
	h_key(h, H_HOME);
	assert_home_back(h);
	assert_home_focus(h, 3);

	/* Home straight from a detail two screens deep. */
	h_type(h, "3");
	assert_categories(h, &c);
	{
		char d[2] = { (char)('1' + ci), 0 };
		h_type(h, d);
	}
	H_ASSERT(h, wait_item(h, 1, c.cats[ci].svc[0], WAIT_MS), "services list not shown");
	h_type(h, "1");
	assert_detail(h, g, c.cats[ci].svc[0], c.cats[ci].svc_id[0], false);
	h_key(h, H_HOME);
	assert_home_back(h);
	assert_home_focus(h, 3);

	/* Backspace is back too. */
	h_type(h, "3");
	assert_categories(h, &c);
	h_key(h, H_BACKSPACE);
	assert_home_back(h);

	e2e_end_kiosk(h, EXIT_MS);
	catalog_free(&c);
	e2e_end_gw(g, false);
}

/* ---- a detail longer than the screen --------------------------------------------- */

Test(browse, detail_scrolls, .timeout = 90)
{
	struct gwd *g = e2e_start_gateway(NULL);
	struct catalog c;
	struct harness *h;
	size_t ci;
	char *top;

	catalog_get(g, "zh-CN", &c);
	ci = first_nonempty(&c);
	if (ci >= 9)
		cr_skip_test("the first category with services is beyond the first page");
	h = e2e_start_kiosk(gwd_url(g), 60, 16, NULL);
	H_ASSERT(h, e2e_wait_title(h, "政务服务自助终端", WAIT_MS), "no home screen");
	h_type(h, "3");
	H_ASSERT(h, e2e_wait_title(h, "按类别办事", WAIT_MS), "no categories screen");
	H_ASSERT(h, wait_item(h, (int)ci + 1, c.cats[ci].name, WAIT_MS), "category not shown");
	{
		char d[2] = { (char)('1' + ci), 0 };
		h_type(h, d);
	}
	H_ASSERT(h, wait_item(h, 1, c.cats[ci].svc[0], WAIT_MS), "services not listed");

	/* Keys: PgDn/PgUp by pages. */
	h_key(h, H_ENTER);
	H_ASSERT(h, assert_detail(h, g, c.cats[ci].svc[0], c.cats[ci].svc_id[0], false) > 0,
		 "the details fit at 60x16: nothing to scroll");
	H_ASSERT(h, h_find(h, "上一页", NULL, NULL) && h_find(h, "下一页", NULL, NULL),
		 "no 上一页/下一页 buttons on a detail that scrolls");
	/* Down and Up by a line. */
	top = e2e_screen_body(h);
	h_key(h, H_DOWN);
	H_ASSERT(h, e2e_wait_body(h, top, false, WAIT_MS), "Down did not scroll the details");
	h_key(h, H_UP);
	H_ASSERT(h, e2e_wait_body(h, top, true, WAIT_MS), "Down then Up is not where it was");
	free(top);
	h_key(h, H_ESC);
	H_ASSERT(h, wait_item(h, 1, c.cats[ci].svc[0], WAIT_MS), "Esc did not return to the list");

	/* Mouse: the 上一页/下一页 buttons. */
	H_ASSERT(h, click_item(h, 1, c.cats[ci].svc[0]), "no service to click");
	H_ASSERT(h, assert_detail(h, g, c.cats[ci].svc[0], c.cats[ci].svc_id[0], true) > 0,
		 "nothing to scroll the second time");
	H_ASSERT(h, h_click_text(h, "[Esc] 返回"), "no [Esc] 返回 to click");
	H_ASSERT(h, wait_item(h, 1, c.cats[ci].svc[0], WAIT_MS), "[Esc] 返回 did not return to the list");

	e2e_end_kiosk(h, EXIT_MS);
	catalog_free(&c);
	e2e_end_gw(g, false);
}

/* ---- mouse --------------------------------------------------------------------- */

Test(browse, mouse_to_detail_and_back, .timeout = 90)
{
	struct gwd *g = e2e_start_gateway(NULL);
	struct catalog c;
	struct harness *h;
	size_t ci;

	catalog_get(g, "zh-CN", &c);
	ci = first_nonempty(&c);
	if (ci >= 9)
		cr_skip_test("the first category with services is beyond the first page");
	h = e2e_start_kiosk(gwd_url(g), 80, 24, NULL);
	assert_home_zh(h);

	H_ASSERT(h, h_click_text(h, "办事服务"), "no 办事服务 to click");
	assert_categories(h, &c);
	H_ASSERT(h, wait_item(h, (int)ci + 1, c.cats[ci].name, WAIT_MS), "category [%s] not shown",
		 c.cats[ci].name);
	H_ASSERT(h, click_item(h, (int)ci + 1, c.cats[ci].name), "no category to click");
	H_ASSERT(h, e2e_wait_title(h, c.cats[ci].name, WAIT_MS), "click did not open [%s]", c.cats[ci].name);
	H_ASSERT(h, wait_item(h, 1, c.cats[ci].svc[0], WAIT_MS), "service 1 not listed");
	H_ASSERT(h, click_item(h, 1, c.cats[ci].svc[0]), "no service to click");
	assert_detail(h, g, c.cats[ci].svc[0], c.cats[ci].svc_id[0], true);

	H_ASSERT(h, h_click_text(h, "[Esc] 返回"), "no [Esc] 返回 to click");
	H_ASSERT(h, e2e_wait_title(h, c.cats[ci].name, WAIT_MS), "[Esc] 返回 click did not go back to the list");
	H_ASSERT(h, wait_item(h, 1, c.cats[ci].svc[0], WAIT_MS), "services list not redrawn");
	H_ASSERT(h, h_click_text(h, "[Esc] 返回"), "no [Esc] 返回 to click");
	assert_categories(h, &c);
	H_ASSERT(h, h_click_text(h, "[Home] 首页"), "no [Home] 首页 to click");
	assert_home_back(h);
	assert_home_focus(h, 3); /* the clicked 办事服务 */

	/* [Home] 首页 from the detail. */
	H_ASSERT(h, h_click_text(h, "办事服务"), "no 办事服务 to click");
	assert_categories(h, &c);
	H_ASSERT(h, click_item(h, (int)ci + 1, c.cats[ci].name), "no category to click");
	H_ASSERT(h, wait_item(h, 1, c.cats[ci].svc[0], WAIT_MS), "service 1 not listed");
	H_ASSERT(h, click_item(h, 1, c.cats[ci].svc[0]), "no service to click");
	assert_detail(h, g, c.cats[ci].svc[0], c.cats[ci].svc_id[0], true);
	H_ASSERT(h, h_click_text(h, "[Home] 首页"), "no [Home] 首页 to click");
	assert_home_back(h);
	assert_home_focus(h, 3); /* the clicked 办事服务 */

	/* 排队取号 by touch, and the status bar's [Esc] 返回 back. */
	H_ASSERT(h, h_click_text(h, "排队取号"), "no 排队取号 to click");
	H_ASSERT(h, e2e_wait_title(h, "排队取号", WAIT_MS), "no queue list");
	H_ASSERT(h, e2e_wait_text(h, "出入境业务取号", WAIT_MS), "the queue's list is empty");
	H_ASSERT(h, h_click_text(h, "[Esc] 返回"), "no [Esc] 返回 to click");
	assert_home_back(h);

	e2e_end_kiosk(h, EXIT_MS);
	catalog_free(&c);
	e2e_end_gw(g, false);
}

/* ---- paging -------------------------------------------------------------------- */

/* A paged menu under test: the names of its items, in order. */
struct list {
	const char **name;
	int n;
	const char *what;
};

static bool wait_page(struct harness *h, int p, int pages)
{
	char *s = e2e_fmt("第 %d/%d 页", p, pages);
	bool r = e2e_wait_text(h, s, WAIT_MS);
	free(s);
	return r;
}

/* Opens category ci (paging through the categories if needed) from home. */
static void open_category(struct harness *h, const struct catalog *c, size_t ci)
{
	int tries;
	h_type(h, "3"); /* home: 办事服务 */
	assert_categories(h, c);
	for (tries = 0; tries < 50; tries++) {
		int k;
		for (k = 1; k <= 9; k++)
			if (find_item(h, k, c->cats[ci].name, NULL, NULL))
				break;
		if (k <= 9) {
			char d[2] = { (char)('0' + k), 0 };
			h_type(h, d);
			break;
		}
		h_key(h, H_PGDN);
		h_settle(h, QUIET_MS, 2000);
	}
	H_ASSERT(h, tries < 50, "category [%s] never shown", c->cats[ci].name);
	H_ASSERT(h, e2e_wait_title(h, c->cats[ci].name, WAIT_MS), "category [%s] did not open", c->cats[ci].name);
}

/* How many items from first on are shown numbered 1.. in order. */
static int items_on_page(struct harness *h, const struct list *l, int first)
{
	int n = 0;
	while (n < 9 && first + n < l->n && find_item(h, n + 1, l->name[first + n], NULL, NULL))
		n++;
	return n;
}

/* The page's items are exactly items first.. first+per-1 of the list. */
static void assert_page(struct harness *h, const struct list *l, int page, int pages, int per)
{
	int first = (page - 1) * per, n;
	int want = l->n - first < per ? l->n - first : per;
	H_ASSERT(h, wait_page(h, page, pages), "%s: not on page %d of %d", l->what, page, pages);
	n = items_on_page(h, l, first);
	H_ASSERT(h, n == want, "%s page %d shows %d of its %d items in order (first [%s])", l->what, page,
		 n, want, l->name[first]);
	e2e_assert_clean(h);
}

static const char *const synthetic[] = { "--synthetic", "10000", NULL };

/* The menu to page: with --synthetic 10000, the services of the largest
 * category (hundreds); with the demo catalog, the categories themselves
 * (15, more than one page at 80x24). Leaves the kiosk on its page 1. */
static void open_big_list(struct harness *h, const struct catalog *c, bool big, struct list *l)
{
	if (big) {
		size_t ci = largest(c);
		cr_assert_gt(c->cats[ci].n, 18, "the largest category has only %zu services", c->cats[ci].n);
		l->name = c->cats[ci].svc;
		l->n = (int)c->cats[ci].n;
		l->what = c->cats[ci].name;
		open_category(h, c, ci);
	} else {
		l->name = calloc(c->n, sizeof(char *));
		for (size_t i = 0; i < c->n; i++)
			l->name[i] = c->cats[i].name;
		l->n = (int)c->n;
		l->what = "categories";
		h_type(h, "3"); /* home: 办事服务 */
		assert_categories(h, c);
	}
	H_ASSERT(h, wait_item(h, 1, l->name[0], WAIT_MS), "%s: item 1 [%s] not listed", l->what, l->name[0]);
}

static void close_big_list(const struct list *l, bool big)
{
	if (!big)
		free(l->name);
}

/* Press (or click) to the next or previous page; p follows. */
enum page_op { OP_PGDN, OP_ZERO, OP_PGUP, OP_CLICK_NEXT, OP_CLICK_NEXT_WORD, OP_CLICK_PREV,
	       OP_CLICK_PREV_WORD };

static void page_step(struct harness *h, const struct list *l, enum page_op op, int *p, int pages, int per)
{
	switch (op) {
	case OP_PGDN: h_key(h, H_PGDN); (*p)++; break;
	case OP_ZERO: h_type(h, "0"); (*p)++; break;
	case OP_PGUP: h_key(h, H_PGUP); (*p)--; break;
	case OP_CLICK_NEXT:
		H_ASSERT(h, h_click_text(h, "[0/PgDn] 下一页 >"), "no [0/PgDn] 下一页 > to click");
		(*p)++;
		break;
	case OP_CLICK_NEXT_WORD:
		H_ASSERT(h, h_click_text(h, "下一页"), "no 下一页 to click");
		(*p)++;
		break;
	case OP_CLICK_PREV:
		H_ASSERT(h, h_click_text(h, "< 上一页 [PgUp]"), "no < 上一页 [PgUp] to click");
		(*p)--;
		break;
	case OP_CLICK_PREV_WORD:
		H_ASSERT(h, h_click_text(h, "上一页"), "no 上一页 to click");
		(*p)--;
		break;
	}
	assert_page(h, l, *p, pages, per);
}

static void paging(bool big)
{
	struct gwd *g = e2e_start_gateway(big ? synthetic : NULL);
	struct catalog c;
	struct harness *h;
	struct list l;
	int per, pages, p = 1;

	catalog_get(g, "zh-CN", &c);
	h = e2e_start_kiosk(gwd_url(g), 80, 24, NULL);
	assert_home_zh(h);
	open_big_list(h, &c, big, &l);
	H_ASSERT(h, e2e_wait_text(h, "< 上一页 [PgUp]", WAIT_MS), "no previous-page button");
	H_ASSERT(h, e2e_wait_text(h, "[0/PgDn] 下一页 >", WAIT_MS), "no next-page button");
	per = items_on_page(h, &l, 0);
	H_ASSERT(h, per >= 1 && per <= 9, "%d items on page 1 (at most 9)", per);
	pages = (l.n + per - 1) / per;
	H_ASSERT(h, pages >= 2, "%d items, %d a page: no second page", l.n, per);
	assert_page(h, &l, 1, pages, per);

	/* Back and forth between pages 1 and 2, by every key and button. */
	page_step(h, &l, OP_PGDN, &p, pages, per);
	page_step(h, &l, OP_PGUP, &p, pages, per);
	page_step(h, &l, OP_ZERO, &p, pages, per);
	page_step(h, &l, OP_CLICK_PREV, &p, pages, per);
	page_step(h, &l, OP_CLICK_NEXT, &p, pages, per);
	page_step(h, &l, OP_CLICK_PREV_WORD, &p, pages, per);
	page_step(h, &l, OP_CLICK_NEXT_WORD, &p, pages, per);
	if (pages >= 4) {
		/* Further on, and back. */
		page_step(h, &l, OP_ZERO, &p, pages, per);
		page_step(h, &l, OP_PGDN, &p, pages, per);
		page_step(h, &l, OP_CLICK_NEXT, &p, pages, per);
		page_step(h, &l, OP_CLICK_PREV, &p, pages, per);
		page_step(h, &l, OP_PGUP, &p, pages, per);
		page_step(h, &l, OP_PGUP, &p, pages, per);
	}
	cr_assert_eq(p, 2);

	/* The focus moves with the page: Enter opens page 2's first item, and
	 * Esc comes back to page 2. */
	{
		int col, row;
		H_ASSERT(h, find_item(h, 1, l.name[per], &col, &row), "no item 1 on page 2");
		H_ASSERT(h, h_cell_at(h, col - 1, row).ch == '>', "page 2's first item is not focused");
	}
	h_key(h, H_ENTER);
	H_ASSERT(h, e2e_wait_title(h, l.name[per], WAIT_MS), "Enter on page 2 did not open [%s]", l.name[per]);
	h_key(h, H_ESC);
	assert_page(h, &l, 2, pages, per);

	e2e_end_kiosk(h, EXIT_MS);
	close_big_list(&l, big);
	catalog_free(&c);
	e2e_end_gw(g, false);
}

Test(browse, paging_big_category, .timeout = 150) { paging(true); }
Test(browse, paging_demo_categories, .timeout = 120) { paging(false); }

static void digits(bool big)
{
	struct gwd *g = e2e_start_gateway(big ? synthetic : NULL);
	struct catalog c;
	struct harness *h;
	struct list l;
	int per, pick, on2;

	catalog_get(g, "zh-CN", &c);
	h = e2e_start_kiosk(gwd_url(g), 80, 24, NULL);
	assert_home_zh(h);

	/* On home: 6 is 排队取号 (the queue's list); Backspace back. */
	h_type(h, "6");
	H_ASSERT(h, e2e_wait_title(h, "排队取号", WAIT_MS), "6 did not pick 排队取号");
	H_ASSERT(h, e2e_wait_text(h, "出入境业务取号", WAIT_MS), "the queue's list is empty");
	h_key(h, H_BACKSPACE);
	assert_home_back(h);
	assert_home_focus(h, 6);

	open_big_list(h, &c, big, &l);
	per = items_on_page(h, &l, 0);
	H_ASSERT(h, per >= 2, "only %d items on a page", per);
	on2 = l.n - per < per ? l.n - per : per;
	H_ASSERT(h, on2 >= 1, "no second page");
	pick = per < 3 ? per : 3;
	if (pick > on2)
		pick = on2;

	/* Page 1: the digit picks page 1's item. */
	{
		char d[2] = { (char)('0' + pick), 0 };
		h_type(h, d);
	}
	H_ASSERT(h, e2e_wait_title(h, l.name[pick - 1], WAIT_MS), "%d on page 1 did not open [%s]", pick,
		 l.name[pick - 1]);
	e2e_assert_clean(h);
	h_key(h, H_ESC);
	H_ASSERT(h, wait_item(h, 1, l.name[0], WAIT_MS), "not back on page 1");

	/* Page 2: the same digit picks page 2's item. */
	h_key(h, H_PGDN);
	H_ASSERT(h, wait_item(h, 1, l.name[per], WAIT_MS), "page 2 not shown");
	{
		char d[2] = { (char)('0' + pick), 0 };
		h_type(h, d);
	}
	H_ASSERT(h, e2e_wait_title(h, l.name[per + pick - 1], WAIT_MS), "%d on page 2 did not open [%s]", pick,
		 l.name[per + pick - 1]);
	e2e_assert_clean(h);
	h_key(h, H_ESC);
	H_ASSERT(h, wait_item(h, pick, l.name[per + pick - 1], WAIT_MS), "not back on page 2");
	{
		int col, row;
		H_ASSERT(h, find_item(h, pick, l.name[per + pick - 1], &col, &row), "picked item not listed");
		H_ASSERT(h, h_cell_at(h, col - 1, row).ch == '>', "the picked item is not focused on return");
	}

	/* A digit beyond the page's items does nothing. */
	if (on2 < 9) {
		char d[2] = { (char)('0' + on2 + 1), 0 };
		char *before = e2e_screen_body(h), *after;
		h_type(h, d);
		h_settle(h, 300, 2000);
		after = e2e_screen_body(h);
		H_ASSERT(h, strcmp(before, after) == 0, "digit %d with %d items changed the screen", on2 + 1, on2);
		free(before);
		free(after);
	}

	e2e_end_kiosk(h, EXIT_MS);
	close_big_list(&l, big);
	catalog_free(&c);
	e2e_end_gw(g, false);
}

Test(browse, digits_pick_big_category, .timeout = 150) { digits(true); }
Test(browse, digits_pick_demo_categories, .timeout = 120) { digits(false); }

/* ---- language ------------------------------------------------------------------ */

/* The language picker: its title, the three languages each in its own
 * script, numbered 1-3, and the one in use marked with current (the
 * marker in the language in use). */
static void assert_lang_picker(struct harness *h, const char *current)
{
	static const char *const names[3] = { "简体中文", "繁體中文", "English" };
	H_ASSERT(h, e2e_wait_title(h, "语言 / 語言 / Language", WAIT_MS), "no language picker");
	for (int i = 0; i < 3; i++)
		H_ASSERT(h, wait_item(h, i + 1, names[i], WAIT_MS), "language %d %s missing", i + 1, names[i]);
	H_ASSERT(h, e2e_wait_text(h, current, WAIT_MS), "the language in use is not marked %s", current);
	H_ASSERT(h, e2e_count_text(h, current) == 1, "%s shown %d times", current, e2e_count_text(h, current));
	e2e_assert_clean(h);
}

Test(browse, language_switch, .timeout = 90)
{
	struct gwd *g = e2e_start_gateway(NULL);
	struct catalog zh, en;
	struct harness *h;

	catalog_get(g, "zh-CN", &zh);
	catalog_get(g, "en", &en);
	cr_assert_str_neq(zh.cats[0].name, en.cats[0].name, "the gateway gives the same category name in both");
	/* 100x30: room for the home buttons' second lines. */
	h = e2e_start_kiosk(gwd_url(g), 100, 30, NULL);
	assert_home_zh(h);

	/* 8 opens the language picker; 3 there is English, at once. */
	h_type(h, "8");
	assert_lang_picker(h, "（当前）");
	h_type(h, "3");
	H_ASSERT(h, e2e_wait_title(h, "Government Services Self-Service Kiosk", WAIT_MS), "no English title");
	for (int i = 0; i < 8; i++)
		H_ASSERT(h, wait_item(h, i + 1, home_labels_en[i], WAIT_MS), "English button %d %s missing", i + 1,
			 home_labels_en[i]);
	h_settle(h, QUIET_MS, 2000);
	/* (not the last: 语言 Language is the same in every language) */
	for (int i = 0; i < 7; i++)
		H_ASSERT(h, !h_find(h, home_labels[i], NULL, NULL), "Chinese [%s] left on the English home",
			 home_labels[i]);
	H_ASSERT(h, !h_find(h, "政务服务自助终端", NULL, NULL), "Chinese title left");
	H_ASSERT(h, !h_find(h, "语言 / 語言 / Language", NULL, NULL), "the language picker is still shown");
	/* The buttons' second lines (at 100x30): the language button says
	 * which language is in use. */
	H_ASSERT(h, h_find(h, "Bigger text", NULL, NULL), "no second lines on the home buttons at 100x30");
	assert_lang_sub(h, "Bigger text", "English");
	assert_status_bar(h, "English", "Online");
	e2e_assert_clean(h);

	h_type(h, "3");
	H_ASSERT(h, e2e_wait_title(h, "Services by category", WAIT_MS), "no English categories screen");
	H_ASSERT(h, wait_item(h, 1, en.cats[0].name, WAIT_MS), "English category [%s] not shown",
		 en.cats[0].name);
	H_ASSERT(h, !h_find(h, zh.cats[0].name, NULL, NULL), "Chinese category [%s] shown in English",
		 zh.cats[0].name);
	H_ASSERT(h, h_find(h, "[Esc] Back", NULL, NULL), "no English back key");
	e2e_assert_clean(h);
	{
		size_t ci = first_nonempty(&en);
		if (ci < 9) {
			char d[2] = { (char)('1' + ci), 0 };
			h_type(h, d);
			H_ASSERT(h, e2e_wait_title(h, en.cats[ci].name, WAIT_MS), "English category did not open");
			H_ASSERT(h, wait_item(h, 1, en.cats[ci].svc[0], WAIT_MS), "English service [%s] not listed",
				 en.cats[ci].svc[0]);
		}
	}

	h_key(h, H_HOME);
	H_ASSERT(h, e2e_wait_title(h, "Government Services Self-Service Kiosk", WAIT_MS), "not home");
	/* Back to Chinese: 8, then 1 简体中文. */
	h_type(h, "8");
	assert_lang_picker(h, "(current)");
	h_type(h, "1");
	assert_home_focus(h, 8);
	H_ASSERT(h, !h_find(h, "Government", NULL, NULL), "English title left");
	H_ASSERT(h, !h_find(h, "语言 / 語言 / Language", NULL, NULL), "the language picker is still shown");
	h_type(h, "3");
	assert_categories(h, &zh);
	H_ASSERT(h, !h_find(h, en.cats[0].name, NULL, NULL), "English category [%s] left", en.cats[0].name);

	e2e_end_kiosk(h, EXIT_MS);
	catalog_free(&zh);
	catalog_free(&en);
	e2e_end_gw(g, false);
}

/* ---- the catalog cache --------------------------------------------------------- */

static void dump_log(struct harness *h)
{
	char *path = e2e_fmt("%s/kiosk.log", h_tmpdir(h));
	char *log = e2e_slurp_str(path);
	fprintf(stderr, "---- %s\n%s----\n", path, log);
	free(log);
	free(path);
}

/* Opens category ci from home and its first service; its details shown. */
static void open_first_service(struct harness *h, struct gwd *g, const struct catalog *c, size_t ci)
{
	char d[2] = { (char)('1' + ci), 0 };
	h_type(h, "3");
	assert_categories(h, c);
	h_type(h, d);
	H_ASSERT(h, wait_item(h, 1, c->cats[ci].svc[0], WAIT_MS), "services not listed");
	h_type(h, "1");
	assert_detail(h, g, c->cats[ci].svc[0], c->cats[ci].svc_id[0], false);
}

/* Nothing on the screen says the answer was an error or the kiosk is
 * offline (no message, no retry button), and the status bar says online. */
static void assert_no_error_shown(struct harness *h, const char *where)
{
	static const char *const bad[] = {
		"网络中断", "无法识别", "无法连接", "出现故障", "重试",
	};
	h_settle(h, QUIET_MS, 2000);
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		H_ASSERT(h, !h_find(h, bad[i], NULL, NULL), "%s: \"%s\" shown after a 304", where, bad[i]);
	assert_status_bar(h, "中文", "网络正常");
	e2e_assert_clean(h);
}

Test(browse, cached_catalog_offline, .timeout = 120)
{
	struct gwd *g = e2e_start_gateway(NULL);
	struct catalog c;
	struct harness *h;
	char *dir = e2e_make_dir("/tmp/kiosk-e2e-data-XXXXXX");
	const char *const dd[] = { "--data-dir", dir, NULL };
	size_t ci;

	catalog_get(g, "zh-CN", &c);
	ci = first_nonempty(&c);
	if (ci >= 9)
		cr_skip_test("the first category with services is beyond the first page");

	/* Online: browse down to a service, so the catalog and that service's
	 * details are saved. */
	h = e2e_start_kiosk(gwd_url(g), 80, 24, dd);
	assert_home_zh(h);
	open_first_service(h, g, &c, ci);
	if (!e2e_wait_log(h, "GET /v1/catalog -> 200", WAIT_MS)) {
		dump_log(h);
		H_ASSERT(h, false, "the catalog was never fetched");
	}
	e2e_end_kiosk(h, EXIT_MS);
	gwd_kill(g);

	/* Offline: a new kiosk, same data dir, a gateway that refuses. */
	h = e2e_start_kiosk("http://127.0.0.1:1", 80, 24, dd);
	H_ASSERT(h, e2e_wait_title(h, "政务服务自助终端", WAIT_MS), "no home screen offline");
	H_ASSERT(h, e2e_wait_text(h, "！网络中断", WAIT_MS), "no offline banner");
	H_ASSERT(h, wait_item(h, 8, "语言 Language", WAIT_MS), "home not drawn offline");
	{
		struct row_arg a = { -1, "网络中断" };
		H_ASSERT(h, h_wait(h, pred_row_has, &a, WAIT_MS), "status bar does not say 网络中断");
		h_settle(h, QUIET_MS, 2000);
	}
	e2e_assert_clean(h);
	h_type(h, "3");
	H_ASSERT(h, e2e_wait_title(h, "按类别办事", WAIT_MS), "no categories screen offline");
	for (size_t i = 0; i < c.n && i < 4; i++)
		H_ASSERT(h, e2e_wait_text(h, c.cats[i].name, WAIT_MS), "cached category [%s] not shown offline",
			 c.cats[i].name);
	H_ASSERT(h, h_find(h, "！网络中断", NULL, NULL), "offline banner gone on the categories screen");
	e2e_assert_clean(h);
	{
		char d[2] = { (char)('1' + ci), 0 };
		h_type(h, d);
	}
	H_ASSERT(h, e2e_wait_title(h, c.cats[ci].name, WAIT_MS), "cached category did not open offline");
	H_ASSERT(h, wait_item(h, 1, c.cats[ci].svc[0], WAIT_MS), "cached services not listed offline");
	H_ASSERT(h, h_find(h, "！网络中断", NULL, NULL), "offline banner gone on the services screen");
	/* The service seen online is shown from its saved copy. */
	h_type(h, "1");
	H_ASSERT(h, e2e_wait_title(h, c.cats[ci].svc[0], WAIT_MS), "saved service did not open offline");
	H_ASSERT(h, e2e_wait_text(h, "【所需材料】", WAIT_MS), "saved details not shown offline");
	e2e_assert_clean(h);
	h_key(h, H_HOME);
	assert_home_back(h);
	e2e_end_kiosk(h, EXIT_MS);

	e2e_rm_rf(dir);
	free(dir);
	catalog_free(&c);
	{
		char rep[1024] = "";
		cr_assert(gwd_sanitizer_clean(g, rep, sizeof rep), "gateway sanitizer report: %s", rep);
	}
	gwd_free(g);
}

/* A second start on the same data dir revalidates the saved catalog and a
 * saved service with If-None-Match; the gateway answers 304 (only for the
 * ETag it gave), and the kiosk takes that as "still current", not as an
 * error: its log says "304 ok", and the catalog and the service's details
 * are shown, online, with no error and no offline banner. */
Test(browse, catalog_etag_revalidation, .timeout = 90)
{
	struct gwd *g = e2e_start_gateway(NULL);
	struct catalog c;
	struct harness *h;
	char *dir = e2e_make_dir("/tmp/kiosk-e2e-data-XXXXXX");
	const char *const dd[] = { "--data-dir", dir, NULL };

	catalog_get(g, "zh-CN", &c);
	size_t ci = first_nonempty(&c);
	if (ci >= 9)
		cr_skip_test("the first category with services is beyond the first page");
	char *svc_200 = e2e_fmt("GET /v1/services/%s -> 200 ok", c.cats[ci].svc_id[0]);
	char *svc_304 = e2e_fmt("GET /v1/services/%s -> 304 ok", c.cats[ci].svc_id[0]);

	h = e2e_start_kiosk(gwd_url(g), 80, 24, dd);
	assert_home_zh(h);
	if (!e2e_wait_log(h, "GET /v1/catalog -> 200 ok", WAIT_MS)) {
		dump_log(h);
		H_ASSERT(h, false, "the first kiosk never fetched the catalog");
	}
	open_first_service(h, g, &c, ci);
	if (!e2e_wait_log(h, svc_200, WAIT_MS)) {
		dump_log(h);
		H_ASSERT(h, false, "the first kiosk never fetched the service (no \"%s\")", svc_200);
	}
	e2e_end_kiosk(h, EXIT_MS);

	h = e2e_start_kiosk(gwd_url(g), 80, 24, dd);
	assert_home_zh(h);
	if (!e2e_wait_log(h, "GET /v1/catalog -> 304 ok", WAIT_MS)) {
		dump_log(h);
		H_ASSERT(h, false, "the second start did not revalidate the saved catalog (no 304 taken as ok)");
	}
	assert_no_error_shown(h, "home");
	open_first_service(h, g, &c, ci);
	if (!e2e_wait_log(h, svc_304, WAIT_MS)) {
		dump_log(h);
		H_ASSERT(h, false, "the saved service was not revalidated (no \"%s\")", svc_304);
	}
	assert_no_error_shown(h, "the revalidated service");
	H_ASSERT(h, e2e_wait_text(h, "【所需材料】", WAIT_MS), "the details went after the 304");
	if (e2e_log_count(h, "-> 304 error") > 0) {
		dump_log(h);
		H_ASSERT(h, false, "a 304 logged as an error");
	}
	h_key(h, H_HOME);
	assert_home_back(h);
	assert_no_error_shown(h, "home again");
	e2e_end_kiosk(h, EXIT_MS);

	free(svc_200);
	free(svc_304);
	e2e_rm_rf(dir);
	free(dir);
	catalog_free(&c);
	e2e_end_gw(g, false);
}
