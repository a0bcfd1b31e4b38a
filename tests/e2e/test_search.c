/* test_search.c: finding a service end to end (suite "search"): the real
 * kiosk in a pty against a real gatewayd, driven as a citizen would: typing
 * pinyin on home, T9 digits on the keypad, touching the on-screen keyboard,
 * with voice guidance, and against a 10,080-service catalog.
 *
 * Screen and speech texts are the zh_CN ones (locale/zh_CN.po).
 */
#include "e2e.h"
#include "search_e2e.h"
#include "harness/gwd.h"
#include "harness/harness.h"

#include <criterion/criterion.h>
#include <jansson.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define WAIT_MS 15000
#define COLS 100
#define ROWS 30

#define T_SEARCH      "搜索服务"
#define T_MODE_T9     "数字键输入拼音字母"
#define T_MODE_CHOOSE "数字键选择结果"
#define T_GJJTQ       "住房公积金提取"
#define T_NOTHING     "没有找到相关服务。"
#define T_BROWSE      "按类别浏览"
#define T_CATS        "按类别办事"
#define T_ONLY        "只能输入字母、数字和汉字。"

/* Target ids (kiosk/screens/scr_search.c). */
#define ID_KEYBOARD 2000001
#define ID_BROWSE   2000002
#define ID_BOX      2000003
#define ID_OSK_FIRST 2000100
#define ID_OSK_LAST  (2000100 + 39)

static char scratch[600];
static char layout_path[700], speech_path[700];

static void suite_fini(void)
{
	if (scratch[0])
		e2e_rm_rf(scratch);
}

TestSuite(search, .timeout = 200, .fini = suite_fini);

static void paths(void)
{
	e2e_scratch_dir(scratch, sizeof scratch, "search");
	snprintf(layout_path, sizeof layout_path, "%s/layout", scratch);
	snprintf(speech_path, sizeof speech_path, "%s/speech.log", scratch);
}

/* The shared helpers (search_e2e.c), on this suite's layout dump. */
static struct harness *start_at_home(struct gwd *g, int cols, int rows, const char *const extra[])
{
	paths();
	return se_start_at_home(g, layout_path, cols, rows, extra, WAIT_MS);
}
static void type(struct harness *h, const char *s) { se_type(h, s); }
static int frame_targets(const char *screen, struct tgt *t, int max)
{
	return se_frame_targets(layout_path, screen, t, max);
}
static void touch_key(struct harness *h, struct gwd *gw, const char *label)
{
	se_touch_key(h, gw, layout_path, label, WAIT_MS);
}
static bool has_target(struct harness *h, int id, struct tgt *out)
{
	(void)h;
	return se_has_target(layout_path, id, out);
}

/* ---- tests -------------------------------------------------------------------------- */

Test(search, pinyin_initials_typed_on_home_find_it_first)
{
	struct gwd *g = e2e_start_gateway(NULL);
	struct harness *h = start_at_home(g, COLS, ROWS, NULL);
	/* The first letter on home opens the search with it. */
	type(h, "g");
	E2E_CHECK(h, g, e2e_wait_title(h, T_SEARCH, WAIT_MS), "a letter on home did not open the search");
	e2e_expect(h, g, "搜索：g", WAIT_MS, "the letter is the query's first");
	e2e_expect(h, g, T_MODE_CHOOSE, WAIT_MS, "typed on a keyboard: digits choose");
	type(h, "jjtq");
	e2e_expect(h, g, e2e_item(1, T_GJJTQ), WAIT_MS, "gjjtq: 住房公积金提取 is result 1");
	/* Enter opens the first (focused) result. */
	h_key(h, H_ENTER);
	E2E_CHECK(h, g, e2e_wait_title(h, T_GJJTQ, WAIT_MS), "Enter did not open 住房公积金提取");
	/* Back: the query and its results are still there. */
	h_key(h, H_ESC);
	E2E_CHECK(h, g, e2e_wait_title(h, T_SEARCH, WAIT_MS), "Esc did not come back to the search");
	e2e_expect(h, g, e2e_item(1, T_GJJTQ), WAIT_MS, "back: the results are kept");
	/* Digits choose in this mode: 1 opens it too. */
	type(h, "1");
	E2E_CHECK(h, g, e2e_wait_title(h, T_GJJTQ, WAIT_MS), "1 did not open result 1");
	e2e_finish(h, g);
}

Test(search, t9_digits_on_the_keypad)
{
	struct gwd *g = e2e_start_gateway(NULL);
	struct harness *h = start_at_home(g, COLS, ROWS, NULL);
	/* '/' opens the search for the keypad: digits type letters. */
	type(h, "/");
	E2E_CHECK(h, g, e2e_wait_title(h, T_SEARCH, WAIT_MS), "/ did not open the search");
	e2e_expect(h, g, T_MODE_T9, WAIT_MS, "opened by /: T9");
	type(h, "45587");
	e2e_expect(h, g, "4 5 5 8 7", WAIT_MS, "the digits are shown as pressed");
	e2e_expect(h, g, e2e_item(1, T_GJJTQ), WAIT_MS, "45587 (gjjtq): 住房公积金提取 is result 1");
	/* 1 deletes the last digit; typing it again gives the same. */
	type(h, "1");
	e2e_expect_gone(h, g, "4 5 5 8 7", WAIT_MS, "1 deleted a digit");
	e2e_expect(h, g, "4 5 5 8", WAIT_MS, "four digits left");
	type(h, "7");
	e2e_expect(h, g, e2e_item(1, T_GJJTQ), WAIT_MS, "7 again: result 1 again");
	/* '.' switches to choosing, and says so; then 1 opens result 1. */
	type(h, ".");
	e2e_expect(h, g, T_MODE_CHOOSE, WAIT_MS, ". switched to choosing");
	type(h, "1");
	E2E_CHECK(h, g, e2e_wait_title(h, T_GJJTQ, WAIT_MS), "1 in choosing mode did not open result 1");
	e2e_finish(h, g);
}

Test(search, home_button_and_the_keyboard_on_screen)
{
	struct gwd *g = e2e_start_gateway(NULL);
	struct harness *h = start_at_home(g, COLS, ROWS, NULL);
	/* The home button 搜索服务, by touch. */
	E2E_CHECK(h, g, h_click_text(h, T_SEARCH), "no 搜索服务 button on home");
	E2E_CHECK(h, g, e2e_wait_title(h, T_SEARCH, WAIT_MS), "the home button did not open the search");
	h_settle(h, E2E_QUIET_MS, 2000);
	/* Touch G J J T Q on the screen's keyboard. */
	const char *keys[] = { "G", "J", "J", "T", "Q" };
	for (int i = 0; i < 5; i++)
		touch_key(h, g, keys[i]);
	e2e_expect(h, g, "搜索：gjjtq", WAIT_MS, "the touched letters are the query");
	e2e_expect(h, g, e2e_item(1, T_GJJTQ), WAIT_MS, "touched gjjtq: result 1");
	/* Delete, then the enter key opens the first result. */
	touch_key(h, g, "删除");
	e2e_expect(h, g, "搜索：gjjt", WAIT_MS, "删除 took the last letter");
	touch_key(h, g, "Q");
	touch_key(h, g, "打开");
	E2E_CHECK(h, g, e2e_wait_title(h, T_GJJTQ, WAIT_MS), "the keyboard's enter key did not open result 1");
	h_key(h, H_ESC);
	E2E_CHECK(h, g, e2e_wait_title(h, T_SEARCH, WAIT_MS), "back to the search");
	touch_key(h, g, "清空");
	e2e_expect_gone(h, g, "搜索：gjjtq", WAIT_MS, "清空 emptied the query");
	e2e_finish(h, g);
}

Test(search, nothing_found_says_what_to_try)
{
	struct gwd *g = e2e_start_gateway(NULL);
	struct harness *h = start_at_home(g, COLS, ROWS, NULL);
	type(h, "qqqqqq");
	e2e_expect(h, g, T_NOTHING, WAIT_MS, "qqqqqq: nothing found");
	e2e_expect(h, g, "sbcx", WAIT_MS, "it says what to try");
	struct tgt b;
	E2E_CHECK(h, g, has_target(h, ID_BROWSE, &b), "no 按类别浏览 button");
	h_click(h, b.x + b.w / 2, b.y + b.h / 2);
	E2E_CHECK(h, g, e2e_wait_title(h, T_CATS, WAIT_MS), "按类别浏览 did not open the categories");
	/* A letter on the categories screen opens the search too. */
	type(h, "s");
	E2E_CHECK(h, g, e2e_wait_title(h, T_SEARCH, WAIT_MS), "a letter on categories did not open the search");
	e2e_finish(h, g);
}

Test(search, bad_input_is_dropped_and_said)
{
	struct gwd *g = e2e_start_gateway(NULL);
	struct harness *h = start_at_home(g, COLS, ROWS, NULL);
	type(h, "/");
	E2E_CHECK(h, g, e2e_wait_title(h, T_SEARCH, WAIT_MS), "/ did not open the search");
	type(h, "s");
	/* An emoji, a combining mark, a bidi override, C1 controls, invalid
	 * UTF-8: none reaches the screen; the screen says what it takes. */
	const char junk[] = "\xf0\x9f\x98\x80" "\xcc\x81" "\xe2\x80\xae" "\xc2\x9b" "31m" "\xff\xfe";
	h_send(h, junk, sizeof junk - 1);
	h_settle(h, 200, 2000);
	e2e_expect(h, g, T_ONLY, WAIT_MS, "an emoji: said what can be typed");
	e2e_clean(h, g, "junk typed");
	/* 1,000 letters: the box keeps the end, the kiosk stays responsive. */
	char *many = malloc(1001);
	memset(many, 'b', 1000);
	many[1000] = '\0';
	h_type(h, many);
	free(many);
	h_settle(h, 300, 5000);
	e2e_clean(h, g, "1,000 letters");
	h_key(h, H_HOME);
	E2E_CHECK(h, g, e2e_wait_title(h, E2E_T_HOME, WAIT_MS), "Home after a long query");
	e2e_finish(h, g);
}

Test(search, voice_reads_the_results_after_a_pause)
{
	paths();
	char *speech = e2e_fmt("log:%s", speech_path);
	const char *extra[] = { "--mode", "voice", "--speech", speech, NULL };
	struct gwd *g = e2e_start_gateway(NULL);
	struct harness *h = start_at_home(g, COLS, ROWS, extra);
	type(h, "/");
	E2E_CHECK(h, g, e2e_wait_title(h, T_SEARCH, WAIT_MS), "/ did not open the search");
	h_settle(h, 300, 3000);
	/* Two letters, a short gap (shorter than the pause), three more. */
	h_type(h, "gj");
	h_pump(h, 200);
	h_type(h, "jtq");
	h_settle(h, 120, 1000);
	/* The results are said once typing paused: the count and the first. */
	long long end = e2e_now_ms() + WAIT_MS;
	char *said = NULL;
	while (e2e_now_ms() < end) {
		free(said);
		said = e2e_slurp_str(speech_path);
		if (strstr(said, T_GJJTQ))
			break;
		h_pump(h, 100);
	}
	E2E_CHECK(h, g, strstr(said, T_GJJTQ), "the first result was not said; transcript:\n%s", said);
	E2E_CHECK(h, g, strstr(said, "找到"), "the number found was not said; transcript:\n%s", said);
	/* Never mid-word: nothing was said for "gj" alone (it finds more). */
	int n_found = 0;
	for (const char *p = said; (p = strstr(p, "找到")); p++)
		n_found++;
	E2E_CHECK(h, g, n_found == 1, "results said %d times while typing; transcript:\n%s", n_found, said);
	free(said);
	free(speech);
	e2e_finish(h, g);
}

/* A generated catalog of n services: "东湖街道" + a real service's name,
 * one in 100 popular, and one plain 住房公积金提取 (popular). */
static char *write_big_catalog(const char *dir, size_t n)
{
	static const char *const base[] = {
		"住房公积金提取", "住房公积金贷款申请", "社保卡申领", "社保缴费查询", "医保关系转移接续",
		"失业保险金申领", "生育津贴申领", "残疾人证办理", "机动车行驶证换领", "机动车驾驶证补领",
		"出入境通行证签注", "护照首次申领", "不动产登记资料查询", "个体工商户设立登记", "营业执照补领",
		"水费缴纳", "电费缴纳", "燃气费缴纳", "交通违法罚款缴纳", "户口迁移", "出生登记",
		"结婚登记预约", "养老金领取资格认证", "居住证办理", "单位参保登记", "个人参保证明打印",
		"长期护理保险待遇申请", "重度残疾人护理补贴", "高速公路ETC办理", "社保卡银行账户变更",
	};
	static const char *const a[] = { "东", "西", "南", "北", "新", "老", "上", "下", "前", "后",
	                                 "大", "小", "长", "青", "红", "金", "银", "石" };
	static const char *const b[] = { "湖", "山", "河", "桥", "门", "塘", "林", "园", "城", "关",
	                                 "坡", "港", "湾", "岭", "溪", "口", "庄", "田", "沙", "岗" };
	size_t nb = sizeof base / sizeof base[0];
	json_t *cats = json_array(), *svcs = json_array(), *pop = json_array();
	json_array_append_new(cats, json_pack("{s:s, s:s}", "id", "all", "name", "全部事项"));
	json_array_append_new(svcs, json_pack("{s:s, s:s, s:s, s:s}", "id", "gjjtq", "category", "all",
	                                      "name", "住房公积金提取", "kind", "apply"));
	json_array_append_new(pop, json_string("gjjtq"));
	for (size_t i = 1; i < n; i++) {
		char id[16], name[160];
		size_t r = i / nb;
		snprintf(id, sizeof id, "s%zu", i);
		snprintf(name, sizeof name, "%s%s街道%s", a[r % 18], b[(r / 18) % 20], base[i % nb]);
		json_array_append_new(svcs, json_pack("{s:s, s:s, s:s, s:s}", "id", id, "category", "all",
		                                      "name", name, "kind", i % 7 ? "apply" : "query"));
		if (i % 100 == 0)
			json_array_append_new(pop, json_string(id));
	}
	json_t *root = json_pack("{s:s, s:o, s:o, s:o}", "version", "gen", "categories", cats, "popular", pop,
	                         "services", svcs);
	char *path = e2e_fmt("%s/big.json", dir);
	cr_assert_eq(json_dump_file(root, path, JSON_COMPACT), 0, "writing %s", path);
	json_decref(root);
	return path;
}

Test(search, ten_thousand_services_from_a_catalog_file, .timeout = 300)
{
	paths();
	char *file = write_big_catalog(scratch, 10080);
	const char *args[] = { "--catalog", file, NULL };
	struct gwd *g = e2e_start_gateway(args);
	struct harness *h = start_at_home(g, COLS, ROWS, NULL);
	E2E_CHECK(h, g, e2e_wait_log(h, "search index: 10080 services", WAIT_MS), "no index of the 10,080 services");
	type(h, "gjjtq");
	e2e_expect(h, g, e2e_item(1, T_GJJTQ), WAIT_MS, "gjjtq over 10,080 services: 住房公积金提取 is result 1");
	e2e_expect(h, g, e2e_item(2, ""), WAIT_MS, "and more after it");
	e2e_expect(h, g, "街道住房公积金提取", WAIT_MS, "the districts' after it");
	h_key(h, H_ENTER);
	E2E_CHECK(h, g, e2e_wait_title(h, T_GJJTQ, WAIT_MS), "Enter did not open it");
	/* Its page: the plain detail page a file without details gets. */
	E2E_CHECK(h, g, e2e_wait_log(h, "GET /v1/services/gjjtq -> 200", WAIT_MS), "the detail was not fetched");
	free(file);
	e2e_finish(h, g);
}

Test(search, a_query_typed_before_the_catalog_comes, .timeout = 200)
{
	/* The gateway is down when the kiosk starts: no catalog. The citizen
	 * types anyway; when the gateway comes back and the catalog arrives,
	 * the same query runs on it, without a key. */
	struct gwd *g = e2e_start_gateway(NULL);
	int port = gwd_port(g);
	char *url = e2e_fmt("%s", gwd_url(g));
	gwd_stop(g);
	paths();
	struct harness *h = e2e_start_kiosk(url, COLS, ROWS, NULL);
	E2E_CHECK(h, g, e2e_wait_title(h, E2E_T_HOME, WAIT_MS), "no home screen");
	type(h, "gjjtq");
	E2E_CHECK(h, g, e2e_wait_title(h, T_SEARCH, WAIT_MS), "typing did not open the search");
	e2e_expect(h, g, "服务目录暂未加载", WAIT_MS, "no catalog: said so");
	char *listen = e2e_fmt("127.0.0.1:%d", port);
	const char *args[] = { "--listen", listen, NULL };
	E2E_CHECK(h, g, gwd_restart(g, args), "the gateway did not come back on port %d", port);
	/* Offline, the kiosk checks every 10 s; then the catalog. */
	e2e_expect(h, g, e2e_item(1, T_GJJTQ), 40000, "the catalog came: the query ran on it");
	free(listen);
	free(url);
	e2e_finish(h, g);
}

/* Large mode on a small grid: the results and the keyboard take turns,
 * every key a big target, and typing by touch still works. */
static void large_keyboard(int cols, int rows)
{
	const char *extra[] = { "--mode", "large", NULL };
	struct gwd *g = e2e_start_gateway(NULL);
	struct harness *h = start_at_home(g, cols, rows, extra);
	type(h, "/");
	/* Large mode: the title bar carries the mode and the count. */
	E2E_CHECK(h, g, e2e_wait_title(h, "搜索 · ", WAIT_MS), "/ did not open the search");
	h_settle(h, E2E_QUIET_MS, 2000);
	struct tgt kb;
	bool turns = false;
	if (!has_target(h, ID_OSK_FIRST, NULL)) {
		/* No room for both: touching the search box brings the keyboard. */
		turns = true;
		E2E_CHECK(h, g, has_target(h, ID_BOX, &kb), "no keyboard and no search box to touch");
		h_click(h, kb.x + kb.w / 2, kb.y + kb.h / 2);
		h_settle(h, E2E_QUIET_MS, 2000);
	}
	const char *keys[] = { "G", "J", "J", "T", "Q" };
	for (int i = 0; i < 5; i++)
		touch_key(h, g, keys[i]);
	/* Every key of the keyboard is at least 3 rows x 8 columns. */
	struct tgt t[256];
	int n = frame_targets("search", t, 256);
	int osk = 0;
	for (int i = 0; i < n; i++) {
		if (t[i].id < ID_OSK_FIRST || t[i].id > ID_OSK_LAST)
			continue;
		osk++;
		E2E_CHECK(h, g, t[i].w >= 8 && t[i].h >= 3, "key %d is %dx%d cells in large mode", t[i].id,
		          t[i].w, t[i].h);
	}
	E2E_CHECK(h, g, osk > 0, "no keyboard on screen");
	/* The results: the keyboard's enter key brings them back. */
	if (turns)
		touch_key(h, g, "看结果");
	e2e_expect(h, g, T_GJJTQ, WAIT_MS, "large mode, touched gjjtq: found");
	e2e_finish(h, g);
}

Test(search, large_mode_keyboard_40x15) { large_keyboard(40, 15); }
Test(search, large_mode_keyboard_60x20) { large_keyboard(60, 20); }

/* zh_TW: Traditional names by the same pinyin; en: English names by word. */
Test(search, traditional_and_english_names)
{
	struct gwd *g = e2e_start_gateway(NULL);
	struct harness *h = start_at_home(g, COLS, ROWS, NULL);
	type(h, "8");
	E2E_CHECK(h, g, e2e_wait_text(h, "繁體中文", WAIT_MS), "no language picker");
	type(h, "2");
	E2E_CHECK(h, g, e2e_wait_title(h, "政務服務自助機", WAIT_MS), "zh_TW home");
	E2E_CHECK(h, g, e2e_wait_log(h, "catalog from gateway", WAIT_MS), "zh_TW catalog");
	h_settle(h, 300, 3000);
	type(h, "gjjtq");
	E2E_CHECK(h, g, e2e_wait_title(h, "搜尋服務", WAIT_MS), "zh_TW: typing did not open the search");
	e2e_expect(h, g, e2e_item(1, "住房公積金提取"), WAIT_MS, "zh_TW gjjtq: 住房公積金提取 first");
	e2e_expect(h, g, "數字鍵選擇結果", WAIT_MS, "zh_TW: the mode in Traditional");
	h_key(h, H_HOME);
	E2E_CHECK(h, g, e2e_wait_title(h, "政務服務自助機", WAIT_MS), "zh_TW home again");
	type(h, "8");
	E2E_CHECK(h, g, e2e_wait_text(h, "English", WAIT_MS), "no language picker");
	type(h, "3");
	E2E_CHECK(h, g, e2e_wait_title(h, "Government Services Self-Service Kiosk", WAIT_MS), "en home");
	int n = e2e_log_count(h, "catalog from gateway");
	E2E_CHECK(h, g, n >= 1, "no catalog");
	h_settle(h, 500, 3000);
	type(h, "withdraw");
	E2E_CHECK(h, g, e2e_wait_title(h, "Search services", WAIT_MS), "en: typing did not open the search");
	e2e_expect(h, g, e2e_item(1, "Withdraw from your housing fund"), WAIT_MS,
	           "en withdraw: the shortest Withdraw... first");
	/* A word inside a name (substring), and a space in the query. */
	h_key(h, H_DEL);
	type(h, "housing fund");
	e2e_expect(h, g, "housing fund", WAIT_MS, "en: 'housing fund' found");
	e2e_finish(h, g);
}

/* Chinese through the terminal's input method arrives as UTF-8 text: the
 * first character opens the search, the rest goes into it, and hanzi
 * mixed with pinyin works as typed. */
Test(search, chinese_from_the_input_method)
{
	struct gwd *g = e2e_start_gateway(NULL);
	struct harness *h = start_at_home(g, COLS, ROWS, NULL);
	type(h, "公积金");
	E2E_CHECK(h, g, e2e_wait_title(h, T_SEARCH, WAIT_MS), "a Chinese character on home did not open the search");
	e2e_expect(h, g, "搜索：公积金", WAIT_MS, "the characters are the query");
	e2e_expect(h, g, "住房公积金", WAIT_MS, "公积金: a housing fund service found");
	type(h, "tq");
	e2e_expect(h, g, e2e_item(1, T_GJJTQ), WAIT_MS, "公积金tq: 住房公积金提取 first");
	e2e_finish(h, g);
}
