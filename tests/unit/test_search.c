/* test_search.c: unit tests for search.c: what a citizen types, and which
 * service must come first. */
#include <criterion/criterion.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonx.h"
#include "model.h"
#include "pinyin.h"
#include "search.h"
#include "text.h"

static void setup(void)
{
	setlocale(LC_CTYPE, "C.UTF-8");
}

TestSuite(search, .init = setup);

/* A catalog from names: "!" before a name marks it popular; "name|kw1,kw2"
 * adds keywords; "name#summary" a summary. */
static void make_catalog(struct catalog *c, const char *const *names, size_t n)
{
	json_t *root = json_object(), *cats = json_array(), *svcs = json_array(), *pop = json_array();
	json_t *cat = json_object();
	json_object_set_new(cat, "id", json_string("c"));
	json_object_set_new(cat, "name", json_string("全部"));
	json_array_append_new(cats, cat);
	for (size_t i = 0; i < n; i++) {
		char buf[512], id[32];
		snprintf(buf, sizeof buf, "%s", names[i]);
		snprintf(id, sizeof id, "s%zu", i);
		char *name = buf;
		if (*name == '!') {
			name++;
			json_array_append_new(pop, json_string(id));
		}
		char *summary = strchr(name, '#');
		if (summary)
			*summary++ = '\0';
		char *kw = strchr(name, '|');
		if (kw)
			*kw++ = '\0';
		json_t *s = json_object();
		json_object_set_new(s, "id", json_string(id));
		json_object_set_new(s, "category", json_string("c"));
		json_object_set_new(s, "name", json_string(name));
		json_object_set_new(s, "kind", json_string("apply"));
		if (summary)
			json_object_set_new(s, "summary", json_string(summary));
		if (kw) {
			json_t *k = json_array();
			for (char *t = strtok(kw, ","); t; t = strtok(NULL, ","))
				json_array_append_new(k, json_string(t));
			json_object_set_new(s, "keywords", k);
		}
		json_array_append_new(svcs, s);
	}
	json_object_set_new(root, "version", json_string("1"));
	json_object_set_new(root, "categories", cats);
	json_object_set_new(root, "services", svcs);
	json_object_set_new(root, "popular", pop);
	char err[256];
	cr_assert_eq(catalog_decode(root, c, err, sizeof err), 0, "%s", err);
	json_decref(root);
}

static const char *const zh_names[] = {
	"!住房公积金提取",
	"住房公积金贷款申请",
	"住房公积金贷款还款",
	"公积金缴存证明打印",
	"社保查询|养老,缴费记录",
	"!社保卡申领",
	"社保缴费记录查询",
	"社会保障卡挂失",
	"个人参保证明打印",
	"单位参保登记",
	"城乡居民养老保险参保登记",
	"!预约挂号",
	"社保卡银行账户变更",
	"机动车行驶证补领",
	"机动车驾驶证补领",
	"重新申领居民身份证",
	"重度残疾人护理补贴",
	"长期护理保险待遇申请",
	"ETC办理",
	"高速公路ETC发票查询",
	"失业保险金申领|失业金",
	"出入境通行证签注",
	"港澳通行证签注",
	"不动产登记资料查询",
	"个体工商户设立登记",
	"医保关系转移接续",
	"生育津贴申领",
	"残疾人证办理",
	"!水费缴纳",
	"电费缴纳",
	"燃气费缴纳",
	"交通违法罚款缴纳",
	"户口迁移",
	"出生登记",
	"结婚登记预约",
	"护照首次申领",
	"营业执照办理",
	"个人所得税申报|个税",
	"养老金领取资格认证|社保,退休",
	"居住证办理",
	"人民调解申请",
	"行政复议申请",
	"会计资格证书查询",
	"Café咨询服务",
	"\xf0\xab\xa0\xa0字查询",          /* U+2B820: a rare character */
	"残疾人两项补贴申请#为困难残疾人发放生活补贴",
	"新生儿医保参保登记",
	"不动产权证书补办",
	"危险化学品经营许可",
	"职工退休申请",
};
#define N_ZH (sizeof zh_names / sizeof zh_names[0])

/* The catalog built once for the table tests. */
static struct catalog zh;
static struct search_index *zix;

static void zh_setup(void)
{
	setup();
	make_catalog(&zh, zh_names, N_ZH);
	zix = search_build(&zh);
}

static void zh_teardown(void)
{
	search_free(zix);
	catalog_free(&zh);
}

/* The name of the n-th hit (0-based) for a query, or "" if fewer hits. */
static const char *nth(struct search_index *ix, const struct catalog *c, const char *query,
                       bool t9, size_t n, int *tier)
{
	struct search_query q;
	search_query_parse(query, t9, &q);
	const struct search_hit *h;
	size_t k = search_run(ix, &q, 0, &h); /* 0: every hit returned */
	if (tier)
		*tier = k > n ? h[n].tier : -1;
	return k > n ? c->svcs[h[n].svc].name : "";
}

struct want { const char *query; bool t9; const char *first; };

static const struct want table[] = {
	/* Pinyin initials, full pinyin, mixed */
	{ "gjjtq", false, "住房公积金提取" },
	{ "zfgjjtq", false, "住房公积金提取" },
	{ "sbcx", false, "社保查询" },
	{ "shebaochaxun", false, "社保查询" },
	{ "shebao", false, "社保卡申领" },          /* popular first among prefixes */
	{ "sbk", false, "社保卡申领" },
	{ "yyguahao", false, "预约挂号" },
	{ "yygh", false, "预约挂号" },
	{ "yuyueguahao", false, "预约挂号" },
	{ "社保cx", false, "社保查询" },
	{ "社保查x", false, "社保查询" },
	{ "zhufang公积金", false, "住房公积金提取" },
	{ "gongjijintiqu", false, "住房公积金提取" },
	{ "dkhk", false, "住房公积金贷款还款" },
	{ "hzsc", false, "护照首次申领" },
	{ "hukou", false, "户口迁移" },
	{ "csdj", false, "出生登记" },
	{ "jiehun", false, "结婚登记预约" },
	/* Polyphones read in context */
	{ "yinhang", false, "社保卡银行账户变更" },
	{ "yhzh", false, "社保卡银行账户变更" },
	{ "xingshizheng", false, "机动车行驶证补领" },
	{ "xsz", false, "机动车行驶证补领" },
	{ "jiashizheng", false, "机动车驾驶证补领" },
	{ "chongxin", false, "重新申领居民身份证" },
	{ "cxsl", false, "重新申领居民身份证" },
	{ "zhongdu", false, "重度残疾人护理补贴" },
	{ "zdcj", false, "重度残疾人护理补贴" },
	{ "changqi", false, "长期护理保险待遇申请" },
	{ "cqhl", false, "长期护理保险待遇申请" },
	{ "danwei", false, "单位参保登记" },
	{ "canbao", false, "单位参保登记" },          /* shorter of the substrings */
	{ "grcb", false, "个人参保证明打印" },
	{ "tiaojie", false, "人民调解申请" },
	{ "xingzheng", false, "行政复议申请" },
	{ "kuaiji", false, "会计资格证书查询" },
	{ "huankuan", false, "住房公积金贷款还款" },
	/* Characters */
	{ "公积金", false, "公积金缴存证明打印" },      /* a name prefix first */
	{ "住房公积金", false, "住房公积金提取" },
	{ "缴纳", false, "水费缴纳" },
	{ "社保", false, "社保卡申领" },
	{ "残疾", false, "残疾人证办理" },
	{ "护理补贴", false, "重度残疾人护理补贴" },
	/* Latin in names, accents and rare characters as themselves */
	{ "ETC", false, "ETC办理" },
	{ "etc", false, "ETC办理" },
	{ "ｅｔｃ", false, "ETC办理" },                /* full-width */
	{ "etcfp", false, "高速公路ETC发票查询" },
	{ "CAFÉ", false, "Café咨询服务" },
	{ "\xf0\xab\xa0\xa0", false, "\xf0\xab\xa0\xa0字查询" },
	/* Keywords and summary */
	{ "个税", false, "个人所得税申报" },
	{ "失业金", false, "失业保险金申领" },
	{ "tuixiu", false, "职工退休申请" },
	{ "生活补贴", false, "残疾人两项补贴申请" },
	/* Characters between the ones typed */
	{ "sbjl", false, "社保缴费记录查询" },     /* 社保缴费记录: s b [j f] j l */
	{ "zfdkhk", false, "住房公积金贷款还款" },  /* 住房[公积金]贷款还款 */
	/* One typo: extra, missing, swapped letters */
	{ "zhufnag", false, "住房公积金提取" },
	{ "gogjijin", false, "住房公积金提取" },
	{ "xignshizheng", false, "机动车行驶证补领" },
	{ "gjjqt", false, "住房公积金提取" },
	{ "yuyeuguahao", false, "预约挂号" },
	{ "chuurjing", false, "出入境通行证签注" },
	{ "zfgjtq", false, "住房公积金提取" },
	{ "shebaoo", false, "社保卡申领" },
	/* T9 */
	{ "45587", true, "住房公积金提取" },        /* gjjtq */
	{ "7229", true, "社保查询" },               /* sbcx */
	{ "743226", true, "社保卡申领" },           /* shebao */
	{ "9944", true, "预约挂号" },               /* yygh */
	{ "382", true, "ETC办理" },                 /* etc */
	{ "946426", true, "社保卡银行账户变更" },   /* yinhang */
};

Test(search, table, .init = zh_setup, .fini = zh_teardown)
{
	size_t bad = 0;
	for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
		int tier;
		const char *got = nth(zix, &zh, table[i].query, table[i].t9, 0, &tier);
		if (strcmp(got, table[i].first)) {
			cr_log_error("query %s%s: first is '%s' (tier %d), want '%s'", table[i].t9 ? "T9 " : "",
			             table[i].query, got, tier, table[i].first);
			bad++;
		}
	}
	cr_assert_eq(bad, 0, "%zu of %zu queries gave the wrong first result", bad,
	             sizeof table / sizeof table[0]);
	cr_assert_geq(sizeof table / sizeof table[0], 60);
}

Test(search, polyphones_are_not_misread, .init = zh_setup, .fini = zh_teardown)
{
	/* The first reading alone would give these: they must find nothing
	 * of the polyphone's service in the top tiers. */
	int tier;
	cr_assert_str_neq(nth(zix, &zh, "yinxing", false, 0, &tier), "社保卡银行账户变更");
	cr_assert_str_neq(nth(zix, &zh, "zhongxin", false, 0, &tier), "重新申领居民身份证");
	cr_assert_str_neq(nth(zix, &zh, "zhangqi", false, 0, &tier), "长期护理保险待遇申请");
	for (size_t i = 0; i < 5; i++) {
		cr_assert_str_neq(nth(zix, &zh, "renshen", false, i, &tier), "个人参保证明打印", "个人参保 is not 人参");
		cr_assert_str_neq(nth(zix, &zh, "hangshizheng", false, i, &tier), "机动车行驶证补领");
	}
}

Test(search, ranking_by_tier)
{
	static const char *const names[] = {
		"养老金领取资格认证|社保", /* keyword */
		"医保社保转移",         /* substring */
		"社保卡申领",           /* full pinyin prefix */
		"社保",                 /* exact */
		"设备报修",             /* she [bei] bao: with a character between */
	};
	struct catalog c;
	make_catalog(&c, names, 5);
	struct search_index *ix = search_build(&c);
	static const char *const want[] = { "社保", "社保卡申领", "医保社保转移", "养老金领取资格认证" };
	static const int tiers[] = { ST_EXACT, ST_PINYIN_PREFIX, ST_SUBSTRING, ST_KEYWORD };
	for (int i = 0; i < 4; i++) {
		int tier;
		cr_expect_str_eq(nth(ix, &c, "shebao", false, (size_t)i, &tier), want[i], "rank %d", i);
		cr_expect_eq(tier, tiers[i], "rank %d tier", i);
	}
	/* With characters between: after what matched as typed. */
	int t4;
	cr_expect_str_eq(nth(ix, &c, "shebao", false, 4, &t4), "设备报修");
	cr_expect_eq(t4, ST_SCATTERED);
	/* Characters: the name prefix before initials */
	int tier;
	cr_expect_str_eq(nth(ix, &c, "社保", false, 1, &tier), "社保卡申领");
	cr_expect_eq(tier, ST_NAME_PREFIX);
	cr_expect_str_eq(nth(ix, &c, "sb", false, 1, &tier), "设备报修"); /* shorter */
	cr_expect_eq(tier, ST_INITIALS_PREFIX);
	cr_expect_str_eq(nth(ix, &c, "sb", false, 2, &tier), "社保卡申领");
	cr_expect_eq(tier, ST_INITIALS_PREFIX);
	search_free(ix);
	catalog_free(&c);
}

Test(search, typos_only_where_nothing_matches)
{
	static const char *const names[] = { "设备报修", "电费缴纳" };
	struct catalog c;
	make_catalog(&c, names, 2);
	struct search_index *ix = search_build(&c);
	int tier;
	cr_expect_str_eq(nth(ix, &c, "shebao", false, 0, &tier), "设备报修");
	cr_expect_eq(tier, ST_SCATTERED); /* 设[备]报 */
	cr_expect_str_eq(nth(ix, &c, "dinfei", false, 0, &tier), "电费缴纳");
	cr_expect_eq(tier, ST_FUZZY); /* di[a]n fei */
	cr_expect_str_eq(nth(ix, &c, "dinfei", false, 1, NULL), "");
	/* not in the first letter, not under five letters, not in T9 */
	cr_expect_str_eq(nth(ix, &c, "hebaoxiu", false, 0, NULL), "");
	cr_expect_str_eq(nth(ix, &c, "dinfe", false, 0, NULL), "电费缴纳");  /* missing a */
	cr_expect_str_eq(nth(ix, &c, "dinf", false, 0, NULL), "");           /* too short */
	cr_expect_str_eq(nth(ix, &c, "34634", true, 0, NULL), "");           /* dinfe in T9 */
	search_free(ix);
	catalog_free(&c);
}

Test(search, popular_then_shorter_then_catalog_order)
{
	static const char *const names[] = {
		"社保证明打印服务",
		"社保证明查询",
		"!社保证明补打申请",
		"社保证明下载",
	};
	struct catalog c;
	make_catalog(&c, names, 4);
	struct search_index *ix = search_build(&c);
	cr_expect_str_eq(nth(ix, &c, "sbzm", false, 0, NULL), "社保证明补打申请");
	cr_expect_str_eq(nth(ix, &c, "sbzm", false, 1, NULL), "社保证明查询");
	cr_expect_str_eq(nth(ix, &c, "sbzm", false, 2, NULL), "社保证明下载");
	cr_expect_str_eq(nth(ix, &c, "sbzm", false, 3, NULL), "社保证明打印服务");
	search_free(ix);
	catalog_free(&c);
}

Test(search, traditional_names_by_the_same_pinyin)
{
	static const char *const names[] = {
		"!住房公積金提取",
		"社保卡銀行賬戶變更",
		"機動車行駛證補領",
		"長期護理保險待遇申請",
		"重新申領居民身份證",
		"單位參保登記",
	};
	struct catalog c;
	make_catalog(&c, names, 6);
	struct search_index *ix = search_build(&c);
	cr_expect_str_eq(nth(ix, &c, "gjjtq", false, 0, NULL), "住房公積金提取");
	cr_expect_str_eq(nth(ix, &c, "yinhang", false, 0, NULL), "社保卡銀行賬戶變更");
	cr_expect_str_eq(nth(ix, &c, "xingshizheng", false, 0, NULL), "機動車行駛證補領");
	cr_expect_str_eq(nth(ix, &c, "changqi", false, 0, NULL), "長期護理保險待遇申請");
	cr_expect_str_eq(nth(ix, &c, "chongxin", false, 0, NULL), "重新申領居民身份證");
	cr_expect_str_eq(nth(ix, &c, "canbao", false, 0, NULL), "單位參保登記");
	cr_expect_str_eq(nth(ix, &c, "公積金", false, 0, NULL), "住房公積金提取");
	search_free(ix);
	catalog_free(&c);
}

Test(search, english_by_word_prefix_and_substring)
{
	static const char *const names[] = {
		"Housing fund withdrawal",
		"Social security card application",
		"Driving licence replacement",
		"Vehicle licence replacement",
		"ETC application",
		"!Water bill payment",
		"Fund deposit certificate",
	};
	struct catalog c;
	make_catalog(&c, names, 7);
	struct search_index *ix = search_build(&c);
	int tier;
	cr_expect_str_eq(nth(ix, &c, "housing", false, 0, &tier), "Housing fund withdrawal");
	cr_expect_eq(tier, ST_NAME_PREFIX);
	cr_expect_str_eq(nth(ix, &c, "fund", false, 0, NULL), "Fund deposit certificate");
	cr_expect_str_eq(nth(ix, &c, "fund", false, 1, NULL), "Housing fund withdrawal");
	cr_expect_str_eq(nth(ix, &c, "licence", false, 0, NULL), "Driving licence replacement");
	cr_expect_str_eq(nth(ix, &c, "licence", false, 1, NULL), "Vehicle licence replacement");
	cr_expect_str_eq(nth(ix, &c, "Water Bill", false, 0, NULL), "Water bill payment");
	cr_expect_str_eq(nth(ix, &c, "payment", false, 0, NULL), "Water bill payment");
	cr_expect_str_eq(nth(ix, &c, "application", false, 0, NULL), "ETC application");
	cr_expect_str_eq(nth(ix, &c, "withdraw", false, 0, NULL), "Housing fund withdrawal");
	cr_expect_str_eq(nth(ix, &c, "licnece", false, 0, &tier), "", "no typo guessed outside pinyin");
	search_free(ix);
	catalog_free(&c);
}

Test(search, own_pinyin_and_initials_find_every_service, .init = zh_setup, .fini = zh_teardown)
{
	/* Property: a service's own full pinyin, and its initials, put it in
	 * the top 3 (as read by pinyin_read; Latin as itself). */
	size_t bad = 0;
	for (size_t i = 0; i < zh.n_svcs; i++) {
		const char *name = zh.svcs[i].name;
		uint32_t cps[256];
		uint16_t ids[256];
		size_t n = 0, len = strlen(name);
		for (size_t b = 0; b < len && n < 256;) {
			unsigned u;
			b += text_utf8_decode(name + b, len - b, &u);
			cps[n++] = u;
		}
		pinyin_read(cps, n, ids);
		char full[512] = "", ini[128] = "";
		size_t fl = 0, il = 0;
		for (size_t k = 0; k < n && il < 30; k++) {
			const char *s = pinyin_syllable(ids[k]);
			char one[8];
			if (!s) {
				if (cps[k] >= 0x80) {
					/* no reading: type the character */
					char u8[8];
					u8[text_utf8_encode(cps[k], u8)] = 0;
					fl += (size_t)snprintf(full + fl, sizeof full - fl, "%s", u8);
					il += (size_t)snprintf(ini + il, sizeof ini - il, "%s", u8);
					continue;
				}
				one[0] = (char)cps[k];
				one[1] = 0;
				s = one;
			}
			fl += (size_t)snprintf(full + fl, sizeof full - fl, "%s", s);
			il += (size_t)snprintf(ini + il, sizeof ini - il, "%c", s[0]);
		}
		const char *qs[2] = { full, ini };
		for (int w = 0; w < 2; w++) {
			bool found = false;
			for (size_t r = 0; r < 3; r++)
				if (!strcmp(nth(zix, &zh, qs[w], false, r, NULL), name))
					found = true;
			if (!found) {
				cr_log_error("%s not in the top 3 for '%s'", name, qs[w]);
				bad++;
			}
		}
	}
	cr_assert_eq(bad, 0);
}

Test(search, t9_digits)
{
	cr_assert_eq(search_t9_digit('a'), 2);
	cr_assert_eq(search_t9_digit('c'), 2);
	cr_assert_eq(search_t9_digit('d'), 3);
	cr_assert_eq(search_t9_digit('o'), 6);
	cr_assert_eq(search_t9_digit('p'), 7);
	cr_assert_eq(search_t9_digit('s'), 7);
	cr_assert_eq(search_t9_digit('t'), 8);
	cr_assert_eq(search_t9_digit('v'), 8);
	cr_assert_eq(search_t9_digit('w'), 9);
	cr_assert_eq(search_t9_digit('z'), 9);
	cr_assert_eq(search_t9_digit('1'), 0);
	cr_assert_eq(search_t9_digit('A'), 0);
}

Test(search, query_parse_drops_what_cannot_be_in_a_name)
{
	struct search_query q;
	/* ESC [ 2 J, a bell, emoji, combining acute, zero-width joiner, RTL override */
	int d = search_query_parse("s\x1b[2Jb\x07\xf0\x9f\x98\x80" "c\xcc\x81" "x\xe2\x80\x8d\xe2\x80\xae", false, &q);
	cr_assert_eq(q.n, 6); /* s [ 2 j b c x: '[' is dropped as punctuation -> s2jbcx */
	cr_assert_eq(q.cp[0], 's');
	cr_assert_geq(d, 5);
	/* C1 controls (8-bit CSI) and DEL: dropped and counted */
	d = search_query_parse("s\xc2\x9b" "b\x7f" "c", false, &q);
	cr_assert_eq(q.n, 3);
	cr_assert_eq(q.cp[1], 'b');
	cr_assert_eq(d, 2);
	/* invalid UTF-8 */
	d = search_query_parse("sb\xff\xfe\xc0\x80" "cx", false, &q);
	cr_assert_eq(q.n, 4);
	cr_assert_geq(d, 1);
	/* 1,000 characters: cut at SEARCH_MAX_QUERY */
	char big[1001];
	memset(big, 'a', 1000);
	big[1000] = 0;
	d = search_query_parse(big, false, &q);
	cr_assert_eq(q.n, SEARCH_MAX_QUERY);
	cr_assert_eq(d, 1000 - SEARCH_MAX_QUERY);
	/* spaces: trimmed and single */
	search_query_parse("  she   bao  ", false, &q);
	cr_assert_eq(q.n, 7);
	/* T9 keeps digits only */
	search_query_parse("4a5-5 87", true, &q);
	cr_assert_eq(q.n, 5);
	cr_assert(q.t9);
}

Test(search, bad_queries_never_crash_and_match_sanely, .init = zh_setup, .fini = zh_teardown)
{
	char big[4001];
	for (int i = 0; i < 1000; i++)
		memcpy(big + i * 4, i % 2 ? "社保" : "sbcx", 4);
	big[4000] = 0;
	struct search_query q;
	const struct search_hit *h;
	search_query_parse(big, false, &q);
	search_run(zix, &q, 0, &h); /* any answer, no crash */
	search_query_parse("", false, &q);
	cr_assert_eq(search_run(zix, &q, 0, &h), 0);
	search_query_parse("\xf0\x9f\x98\x80\xf0\x9f\x98\x80", false, &q);
	cr_assert_eq(q.n, 0);
	cr_assert_eq(search_run(zix, &q, 0, &h), 0);
	/* a query with only a space inside finds with or without it */
	cr_assert_str_eq(nth(zix, &zh, "she bao cha", false, 0, NULL), "社保查询");
	/* one letter: something, never everything out of order */
	search_query_parse("z", false, &q);
	size_t n = search_run(zix, &q, 0, &h);
	cr_assert_gt(n, 0);
	for (size_t i = 1; i < n; i++)
		cr_assert_leq(h[i - 1].tier, h[i].tier);
	/* max_hits cuts what is returned, not what is counted or the order */
	uint32_t first = h[0].svc, second = h[1].svc;
	cr_assert_eq(search_run(zix, &q, 2, &h), n);
	cr_assert_eq(h[0].svc, first);
	cr_assert_eq(h[1].svc, second);
}

Test(search, empty_catalog)
{
	struct catalog c;
	make_catalog(&c, NULL, 0);
	struct search_index *ix = search_build(&c);
	struct search_query q;
	const struct search_hit *h;
	search_query_parse("sb", false, &q);
	cr_assert_eq(search_run(ix, &q, 0, &h), 0);
	search_free(ix);
	catalog_free(&c);
}

Test(search, highlight_span, .init = zh_setup, .fini = zh_teardown)
{
	struct search_query q;
	const struct search_hit *h;
	search_query_parse("gjjtq", false, &q);
	cr_assert_gt(search_run(zix, &q, 0, &h), 0);
	size_t b0, b1;
	search_hit_span(zix, &h[0], &b0, &b1);
	const char *name = zh.svcs[h[0].svc].name;
	cr_assert_eq(b0, strlen("住房"));
	cr_assert_eq(b1, strlen(name));
	/* a prefix */
	search_query_parse("sbk", false, &q);
	search_run(zix, &q, 0, &h);
	search_hit_span(zix, &h[0], &b0, &b1);
	cr_assert_eq(b0, 0);
	cr_assert_eq(b1, strlen("社保卡"));
	/* a keyword hit marks nothing in the name */
	search_query_parse("个税", false, &q);
	search_run(zix, &q, 0, &h);
	cr_assert_eq(h[0].tier, ST_KEYWORD);
	search_hit_span(zix, &h[0], &b0, &b1);
	cr_assert_eq(b0, b1);
	/* a typo: the run it matched */
	search_query_parse("zhufnag", false, &q);
	search_run(zix, &q, 0, &h);
	cr_assert_eq(h[0].tier, ST_FUZZY);
	search_hit_span(zix, &h[0], &b0, &b1);
	cr_assert_eq(b0, 0);
	cr_assert_eq(b1, strlen("住房"));
}

Test(search, typing_a_character_at_a_time_ends_as_typing_whole, .init = zh_setup, .fini = zh_teardown)
{
	/* The index narrows while typing (a longer query looks only at what
	 * the shorter one matched): it must never lose a match. */
	static const struct { const char *q; bool t9; } typed[] = {
		{ "生活补贴", false }, { "gjjtq", false }, { "zhufnag", false }, { "shebaoo", false },
		{ "社保cx", false }, { "45587", true }, { "etcfp", false }, { "xignshizheng", false },
		{ "tuixiu", false }, { "失业金", false },
	};
	for (size_t k = 0; k < sizeof typed / sizeof typed[0]; k++) {
		struct search_query q;
		const struct search_hit *h;
		/* from scratch: an unrelated query first */
		search_query_parse("zzzzzz", false, &q);
		search_run(zix, &q, 0, &h);
		search_query_parse(typed[k].q, typed[k].t9, &q);
		size_t whole = search_run(zix, &q, 0, &h);
		uint32_t first = whole ? h[0].svc : 0;
		size_t len = strlen(typed[k].q), stepped = 0;
		for (size_t e = 1; e <= len; e++) {
			if (e < len && ((unsigned char)typed[k].q[e] & 0xC0) == 0x80)
				continue;
			char prefix[64];
			memcpy(prefix, typed[k].q, e);
			prefix[e] = 0;
			search_query_parse(prefix, typed[k].t9, &q);
			stepped = search_run(zix, &q, 0, &h);
		}
		cr_expect_eq(stepped, whole, "%s typed a character at a time: %zu found, %zu typed whole",
		             typed[k].q, stepped, whole);
		cr_expect(whole == 0 || h[0].svc == first, "%s: another first result", typed[k].q);
	}
	/* T9 then letters: not one query extending the other */
	struct search_query q;
	const struct search_hit *h;
	search_query_parse("72", true, &q);
	search_run(zix, &q, 0, &h);
	search_query_parse("72x", false, &q);
	size_t after = search_run(zix, &q, 0, &h);
	search_query_parse("zzzzzz", false, &q);
	search_run(zix, &q, 0, &h);
	search_query_parse("72x", false, &q);
	cr_expect_eq(after, search_run(zix, &q, 0, &h));
}
