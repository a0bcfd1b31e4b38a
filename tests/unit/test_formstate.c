/* test_formstate.c: unit tests for formstate.c (issue 11): pages, answers
 * kept when going back, change from the check page and straight back,
 * prefilled fields, every field type checked. */
#include <criterion/criterion.h>
#include <string.h>

#include "formstate.h"

TestSuite(formstate);

static const struct ymd today = { 2026, 12, 3 };

static struct field_option opts[] = { { "m", "男" }, { "f", "女" } };

/* The birth registration form of the contract's example. */
static struct form_field fields[] = {
	{ .id = "name", .type = FIELD_TEXT, .label = "姓名", .required = true, .max_len = 30,
	  .prefill = "citizen.name", .min_date = "", .max_date = "" },
	{ .id = "idno", .type = FIELD_IDCARD, .label = "身份证号码", .required = true,
	  .prefill = "citizen.id", .min_date = "", .max_date = "" },
	{ .id = "phone", .type = FIELD_PHONE, .label = "手机号码", .required = true, .prefill = "",
	  .min_date = "", .max_date = "" },
	{ .id = "sex", .type = FIELD_SELECT, .label = "性别", .required = true, .prefill = "",
	  .min_date = "", .max_date = "", .options = opts, .n_options = 2 },
	{ .id = "born_on", .type = FIELD_DATE, .label = "出生日期", .required = true, .prefill = "",
	  .min_date = "2025-11-01", .max_date = "today" },
	{ .id = "count", .type = FIELD_NUMBER, .label = "份数", .prefill = "", .has_min = true,
	  .min_num = 1, .has_max = true, .max_num = 10, .min_date = "", .max_date = "" },
	{ .id = "fee", .type = FIELD_MONEY, .label = "金额", .prefill = "", .has_max = true,
	  .max_num = 100000, .min_date = "", .max_date = "" },
	{ .id = "agree", .type = FIELD_BOOL, .label = "本人承诺所填信息真实有效", .required = true,
	  .prefill = "", .min_date = "", .max_date = "" },
};
static const struct form form = { fields, sizeof fields / sizeof fields[0], 0 };
static const struct form_prefill who = { "张三", "11010519491231002X" };

Test(formstate, prefilled_fields_are_no_pages)
{
	struct formstate *s = formstate_new(&form, &who);
	cr_assert_not_null(s);
	cr_assert_eq(formstate_pages(s), 6, "name and idno come from the citizen");
	cr_assert(formstate_prefilled(s, 0));
	cr_assert_str_eq(formstate_answer(s, 1), "11010519491231002X");
	cr_assert_eq(formstate_field(s, 0), 2, "the first page asks the phone");
	/* Without a citizen's values they are pages like the others. */
	struct formstate *t = formstate_new(&form, NULL);
	cr_assert_eq(formstate_pages(t), 8);
	formstate_free(t);
	formstate_free(s);
	cr_assert_null(formstate_new(&(struct form){ NULL, 0, 0 }, &who));
}

static void answer(struct formstate *s, const char *v)
{
	cr_assert(formstate_set(s, v));
	cr_assert_eq(formstate_next(s, today), V_OK, "'%s' refused", v);
}

Test(formstate, forward_back_change_and_straight_back)
{
	struct formstate *s = formstate_new(&form, &who);
	/* A wrong phone stays on its page and says why. */
	formstate_set(s, "12345");
	cr_assert_eq(formstate_next(s, today), V_FORMAT);
	cr_assert_eq(formstate_page(s), 0);
	answer(s, "13800138000");
	answer(s, "f");
	answer(s, "2026-11-20");
	answer(s, "2");
	answer(s, "12.50");
	/* Back twice: the answers are still there. */
	cr_assert(formstate_back(s));
	cr_assert(formstate_back(s));
	cr_assert_eq(formstate_field(s, formstate_page(s)), 5);
	cr_assert_str_eq(formstate_answer(s, 5), "2");
	answer(s, "2");
	answer(s, "12.50");
	/* The unticked promise is refused; ticked, the check page. */
	formstate_set(s, "false");
	cr_assert_eq(formstate_next(s, today), V_EMPTY);
	answer(s, "true");
	cr_assert(formstate_on_check(s));
	cr_assert_eq(formstate_first_error(s, today, NULL), -1);
	/* Change the sex from the check page: its page, then straight back. */
	cr_assert(formstate_change(s, 3));
	cr_assert_eq(formstate_field(s, formstate_page(s)), 3);
	answer(s, "m");
	cr_assert(formstate_on_check(s), "a change returns to the check page");
	cr_assert_str_eq(formstate_answer(s, 3), "m");
	cr_assert_str_eq(formstate_answer(s, 2), "13800138000", "the other answers kept");
	/* Back from a change: the check page, nothing lost. */
	cr_assert(formstate_change(s, 4));
	cr_assert(formstate_back(s));
	cr_assert(formstate_on_check(s));
	cr_assert_str_eq(formstate_answer(s, 4), "2026-11-20");
	/* Prefilled answers cannot be changed at the kiosk. */
	cr_assert(!formstate_change(s, 0));
	cr_assert(!formstate_change(s, 1));
	/* Back from the check page: the last question; from the first: out. */
	cr_assert(formstate_back(s));
	cr_assert_eq(formstate_page(s), 5);
	while (formstate_back(s))
		;
	cr_assert_eq(formstate_page(s), 0);
	formstate_free(s);
}

Test(formstate, every_type_checked)
{
	struct formstate *s = formstate_new(&form, NULL);
	struct { size_t field; const char *v; enum v_error want; } cases[] = {
		{ 0, "", V_EMPTY },
		{ 0, "张三", V_OK },
		{ 0, "一二三四五六七八九十一二三四五六七八九十一二三四五六七八九十一", V_TOO_LONG },
		{ 1, "110105194912310021", V_CHECK_DIGIT },
		{ 1, "11010519491231002X", V_OK },
		{ 2, "1380013800", V_FORMAT },
		{ 3, "x", V_FORMAT },
		{ 3, "f", V_OK },
		{ 4, "2025-10-31", V_TOO_SMALL },
		{ 4, "2026-12-04", V_TOO_LARGE },
		{ 4, "2026-02-30", V_BAD_DATE },
		{ 5, "0", V_TOO_SMALL },
		{ 5, "11", V_TOO_LARGE },
		{ 5, "", V_OK },               /* not required */
		{ 6, "12.5", V_OK },
		{ 6, "1000.01", V_TOO_LARGE },
		{ 6, "12.505", V_FORMAT },
		{ 7, "false", V_EMPTY },
		{ 7, "yes", V_FORMAT },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		/* go to the field's page and answer */
		while (formstate_back(s))
			;
		while (formstate_field(s, formstate_page(s)) != cases[i].field) {
			formstate_set(s, "");
			if (formstate_next(s, today) != V_OK) {
				/* a required page: force through with a valid answer */
				static const char *ok[] = { "张三", "11010519491231002X", "13800138000", "f",
				                            "2026-11-20", "2", "1", "true" };
				formstate_set(s, ok[formstate_field(s, formstate_page(s))]);
				formstate_next(s, today);
			}
		}
		formstate_set(s, cases[i].v);
		cr_expect_eq(formstate_check(s, cases[i].field, today), cases[i].want, "field %zu '%s'",
		             cases[i].field, cases[i].v);
	}
	formstate_free(s);
}

Test(formstate, first_error_shows_its_page)
{
	struct formstate *s = formstate_new(&form, &who);
	enum v_error why;
	long f = formstate_first_error(s, today, &why);
	cr_assert_eq(f, 2, "the phone, unanswered");
	cr_assert_eq(why, V_EMPTY);
	cr_assert_eq(formstate_field(s, formstate_page(s)), 2);
	static char big[FORM_ANSWER_MAX + 2];
	memset(big, 'a', FORM_ANSWER_MAX + 1);
	cr_assert(!formstate_set(s, big), "an answer over the limit is refused");
	formstate_free(s);
}
