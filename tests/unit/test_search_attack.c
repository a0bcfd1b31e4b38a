/* test_search_attack.c: the search core (kiosk/core/search.c) attacked
 * with what citizens' input methods and real catalogs produce; suite
 * "search_attack". The end-to-end side is tests/e2e/test_search_attack.c.
 *
 * Tests marked BUG: fail on the code they were written against and are
 * disabled (.disabled = true) until it is fixed; the comment says what
 * fails and what should happen instead.
 */
#include <criterion/criterion.h>
#include <jansson.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"
#include "search.h"

static void setup(void)
{
	setlocale(LC_CTYPE, "C.UTF-8");
}

TestSuite(search_attack, .init = setup);

/* A catalog of the names, in one category. */
static void make_catalog(struct catalog *c, const char *const *names, size_t n)
{
	json_t *cats = json_array(), *svcs = json_array();
	json_array_append_new(cats, json_pack("{s:s, s:s}", "id", "c", "name", "全部"));
	for (size_t i = 0; i < n; i++) {
		char id[32];
		snprintf(id, sizeof id, "s%zu", i);
		json_array_append_new(svcs, json_pack("{s:s, s:s, s:s, s:s}", "id", id, "category", "c", "name",
		                                      names[i], "kind", "apply"));
	}
	json_t *root = json_pack("{s:s, s:o, s:o, s:[]}", "version", "1", "categories", cats, "services", svcs,
	                         "popular");
	char err[256];
	cr_assert_eq(catalog_decode(root, c, err, sizeof err), 0, "%s", err);
	json_decref(root);
}

struct found {
	size_t n;
	const char *first;
	int tier;
};

static struct found run(struct search_index *ix, const struct catalog *c, const char *query)
{
	struct search_query q;
	search_query_parse(query, false, &q);
	const struct search_hit *h;
	struct found f = { 0, "", -1 };
	f.n = search_run(ix, &q, 0, &h);
	if (f.n) {
		f.first = c->svcs[h[0].svc].name;
		f.tier = h[0].tier;
	}
	return f;
}

/* Names of real catalogs with the full-width punctuation they are written
 * with (the demo catalog has all but 社保卡（补办）). */
static const char *const punct_names[] = {
	"职工停保登记（减员）",
	"新生儿出生“一件事”联办",
	"社保卡（补办）",
	"户口迁入（投靠亲属）",
	"营业执照变更登记（名称、住所、经营范围）",
	"社保卡申领",
	"社保缴费查询",
	"个人社保参保证明打印",
};
#define N_PUNCT (sizeof punct_names / sizeof punct_names[0])

/* BUG: a name typed exactly as written, with its full-width punctuation
 * (what an input method types for "(", "," and quotes), is not found as
 * itself: 社保卡（补办） finds nothing at all; 职工停保登记（减员） and
 * 新生儿出生“一件事”联办 are found only as a typo (ST_FUZZY, shown as "与输入
 * 相近"). search_query_parse keeps （ ） “ ” in the query, but units_masks()
 * leaves U_SKIP units (the name's punctuation) out of the name's mask, so
 * the prefilter `qmask & ~mask` in classify_exact() refuses the name
 * unless the punctuation's hashed bit happens to be set by another of its
 * characters. Each name typed whole must come first as ST_EXACT. */
Test(search_attack, exact_name_with_full_width_punctuation)
{
	struct catalog c;
	make_catalog(&c, punct_names, N_PUNCT);
	struct search_index *ix = search_build(&c);
	for (size_t i = 0; i < 5; i++) {
		struct found f = run(ix, &c, punct_names[i]);
		cr_expect(f.n > 0 && !strcmp(f.first, punct_names[i]) && f.tier == ST_EXACT,
		          "%s typed whole: %zu found, first [%s], tier %d (want it, ST_EXACT)", punct_names[i], f.n,
		          f.first, f.tier);
	}
	/* A prefix typed up to its punctuation is a name prefix (punctuation
	 * typed is not searched for: 社保卡申领, shorter, comes first). */
	struct found f = run(ix, &c, "社保卡（");
	cr_expect(f.n >= 2 && f.tier == ST_NAME_PREFIX, "社保卡（ finds [%s] (%zu), tier %d", f.first, f.n, f.tier);
	search_free(ix);
	catalog_free(&c);
}

/* BUG: punctuation an input method types in Chinese mode (，。、！？：；)
 * after a word hides everything: 社保， finds nothing where 社保 finds 4,
 * while the same punctuation typed in ASCII (社保,) is dropped by the
 * parser ("punctuation typed is simply not part of a search"). Full-width
 * and CJK punctuation must be treated like ASCII punctuation. */
Test(search_attack, input_method_punctuation_is_not_searched_for)
{
	struct catalog c;
	make_catalog(&c, punct_names, N_PUNCT);
	struct search_index *ix = search_build(&c);
	struct found plain = run(ix, &c, "社保");
	cr_assert_gt(plain.n, 0);
	static const char *const typed[] = { "社保，", "社保。", "社保、", "社保！", "社保？", "社保：", "社保；",
	                                     "社保,", "社保.", "社保…" };
	for (size_t i = 0; i < sizeof typed / sizeof typed[0]; i++) {
		struct found f = run(ix, &c, typed[i]);
		cr_expect(f.n == plain.n && !strcmp(f.first, plain.first), "%s: %zu found, first [%s]; 社保: %zu, [%s]",
		          typed[i], f.n, f.first, plain.n, plain.first);
	}
	search_free(ix);
	catalog_free(&c);
}

/* Encodes cp as UTF-8 into s (NUL-terminated). */
static void utf8(unsigned cp, char s[8])
{
	int n = 0;
	if (cp < 0x80) {
		s[n++] = (char)cp;
	} else if (cp < 0x800) {
		s[n++] = (char)(0xC0 | cp >> 6);
		s[n++] = (char)(0x80 | (cp & 0x3F));
	} else if (cp < 0x10000) {
		s[n++] = (char)(0xE0 | cp >> 12);
		s[n++] = (char)(0x80 | (cp >> 6 & 0x3F));
		s[n++] = (char)(0x80 | (cp & 0x3F));
	} else {
		s[n++] = (char)(0xF0 | cp >> 18);
		s[n++] = (char)(0x80 | (cp >> 12 & 0x3F));
		s[n++] = (char)(0x80 | (cp >> 6 & 0x3F));
		s[n++] = (char)(0x80 | (cp & 0x3F));
	}
	s[n] = '\0';
}

/* BUG: characters that draw nothing are taken into a query, against
 * search.h ("drops ... control characters, marks and anything that cannot
 * be in a name") and query_char_ok's own comment ("nothing invisible"):
 * U+061C ARABIC LETTER MARK (a bidi control, which h_screen_clean flags
 * when the box draws it: see the e2e test bidi_mark_u061c_never_reaches_
 * the_screen), U+180E MONGOLIAN VOWEL SEPARATOR, the Hangul fillers U+115F,
 * U+1160, U+3164 and U+FFA0, U+17B4 KHMER VOWEL INHERENT AQ, U+1D173
 * MUSICAL SYMBOL BEGIN BEAM. Each must be dropped and counted, as U+200B
 * and U+2066 are. */
Test(search_attack, invisible_characters_are_dropped)
{
	static const unsigned invisible[] = { 0x061C, 0x180E, 0x115F, 0x1160, 0x3164, 0xFFA0, 0x17B4, 0x1D173 };
	for (size_t i = 0; i < sizeof invisible / sizeof invisible[0]; i++) {
		char s[8];
		utf8(invisible[i], s);
		struct search_query q;
		int d = search_query_parse(s, false, &q);
		cr_expect(d == 1 && q.n == 0, "U+%04X: dropped %d, %d kept", invisible[i], d, q.n);
	}
}

/* BUG: spaces other than U+0020 and U+3000 (the no-break space U+00A0 that
 * some keyboards type with Option/AltGr, U+2002-U+200A, U+202F, U+205F) are
 * kept in the query as characters that must appear in the name: 社保<NBSP>卡
 * finds nothing where 社保 卡 finds 社保卡申领. They look like spaces in the
 * box and must be read as spaces (fold() already does it for U+3000). */
Test(search_attack, other_spaces_are_spaces)
{
	struct catalog c;
	make_catalog(&c, punct_names, N_PUNCT);
	struct search_index *ix = search_build(&c);
	struct found plain = run(ix, &c, "社保 卡");
	cr_assert_gt(plain.n, 0);
	static const unsigned spaces[] = { 0x00A0, 0x2002, 0x2003, 0x2009, 0x200A, 0x202F, 0x205F };
	for (size_t i = 0; i < sizeof spaces / sizeof spaces[0]; i++) {
		char sp[8], query[64];
		utf8(spaces[i], sp);
		snprintf(query, sizeof query, "社保%s卡", sp);
		struct found f = run(ix, &c, query);
		cr_expect(f.n == plain.n && !strcmp(f.first, plain.first), "社保<U+%04X>卡: %zu found, first [%s]",
		          spaces[i], f.n, f.first);
	}
	search_free(ix);
	catalog_free(&c);
}

/* ---- what works ---- */

/* The search screen runs each query twice per keystroke (run() and then
 * the relayout's resize): the second run of the same query, and a run
 * after a different one, give the same hits in the same order. */
Test(search_attack, the_same_query_again_gives_the_same_hits)
{
	struct catalog c;
	make_catalog(&c, punct_names, N_PUNCT);
	struct search_index *ix = search_build(&c);
	static const char *const queries[] = { "s", "sb", "sbk", "社保", "shebao", "sbcx", "zgtb", "dengji" };
	for (size_t i = 0; i < sizeof queries / sizeof queries[0]; i++) {
		struct search_query q;
		search_query_parse(queries[i], false, &q);
		const struct search_hit *h;
		size_t n1 = search_run(ix, &q, 0, &h);
		uint32_t first[16];
		for (size_t k = 0; k < n1 && k < 16; k++)
			first[k] = h[k].svc;
		size_t n2 = search_run(ix, &q, 0, &h);
		cr_expect_eq(n1, n2, "%s: %zu then %zu", queries[i], n1, n2);
		for (size_t k = 0; k < n1 && k < n2 && k < 16; k++)
			cr_expect_eq(first[k], h[k].svc, "%s: hit %zu differs on the second run", queries[i], k);
	}
	search_free(ix);
	catalog_free(&c);
}

/* Names past the 255 characters the index reads: no crash, what is in the
 * first 255 is found and highlighted inside the name, what is after them
 * is not searched (search.c: MAX_UNITS). */
Test(search_attack, names_longer_than_the_index_reads)
{
	static char big[2000];
	big[0] = '\0';
	for (int i = 0; i < 300; i++)
		strcat(big, i == 299 ? "尾" : i == 0 ? "首" : "测");
	const char *names[] = { big, "社保卡申领" };
	struct catalog c;
	make_catalog(&c, names, 2);
	struct search_index *ix = search_build(&c);
	struct found f = run(ix, &c, "首测测");
	cr_expect(f.n == 1 && f.first == c.svcs[0].name, "首测测 in a 300-character name");
	struct search_query q;
	search_query_parse("首测", false, &q);
	const struct search_hit *h;
	cr_assert_eq(search_run(ix, &q, 0, &h), 1);
	size_t b0, b1;
	search_hit_span(ix, &h[0], &b0, &b1);
	cr_expect(b0 == 0 && b1 == strlen("首测"), "highlight %zu-%zu", b0, b1);
	/* The last character is past what is read: not found, no crash. */
	f = run(ix, &c, "测尾");
	cr_expect_eq(f.n, 0);
	search_free(ix);
	catalog_free(&c);
}

/* Names of digits and Latin only: found by T9 (digits stand for
 * themselves), by full-width digits and letters. */
Test(search_attack, digits_and_latin_names)
{
	const char *names[] = { "12345", "ETC", "Passport Renewal", "社保卡申领" };
	struct catalog c;
	make_catalog(&c, names, 4);
	struct search_index *ix = search_build(&c);
	struct search_query q;
	const struct search_hit *h;
	search_query_parse("2345", true, &q);
	cr_assert_geq(search_run(ix, &q, 0, &h), 1);
	cr_expect_str_eq(c.svcs[h[0].svc].name, "12345");
	cr_expect_str_eq(run(ix, &c, "１２３").first, "12345");
	cr_expect_str_eq(run(ix, &c, "ｅｔｃ").first, "ETC");
	cr_expect_str_eq(run(ix, &c, "renew").first, "Passport Renewal");
	cr_expect_str_eq(run(ix, &c, "passport renewal").first, "Passport Renewal");
	search_free(ix);
	catalog_free(&c);
}
