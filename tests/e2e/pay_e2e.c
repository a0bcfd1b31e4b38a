/* pay_e2e.c: the payment suites' shared steps (pay_e2e.h). */
#include "pay_e2e.h"

#include <criterion/criterion.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void pay_type_slowly(struct harness *h, const char *s)
{
	for (; *s; s++) {
		char c[2] = { *s, 0 };
		h_type(h, c);
		h_pump(h, 90);
	}
}

void pay_to_bills(struct harness *h, struct gwd *g, const char *account)
{
	h_type(h, "5");
	e2e_expect_row(h, g, 0, PAY_T_BILLS, PAY_WAIT_MS, "home: 5 opens 生活缴费");
	h_type(h, "1");
	e2e_expect_row(h, g, 0, PAY_T_WATER, PAY_WAIT_MS, "1: water");
	pay_type_slowly(h, account);
	e2e_expect(h, g, account, PAY_WAIT_MS, "the digits typed are shown");
	h_key(h, H_ENTER);
}

json_t *pay_sim_payments(struct gwd *g)
{
	char *resp = NULL;
	int st = gwd_get(g, "/sim/payments", &resp);
	cr_assert_eq(st, 200, "/sim/payments: %d %s", st, resp ? resp : "");
	json_error_t e;
	json_t *j = json_loads(resp, 0, &e);
	free(resp);
	cr_assert_not_null(j);
	json_t *a = json_object_get(j, "payments");
	cr_assert(json_is_array(a), "/sim/payments: no array");
	json_incref(a);
	json_decref(j);
	return a;
}

size_t pay_n_payments(struct gwd *g)
{
	json_t *a = pay_sim_payments(g);
	size_t n = json_array_size(a);
	json_decref(a);
	return n;
}

int pay_n_in_state(struct gwd *g, const char *state)
{
	json_t *a = pay_sim_payments(g), *p;
	size_t i;
	int n = 0;
	json_array_foreach(a, i, p) {
		const char *st = json_string_value(json_object_get(p, "state"));
		if (!state || (st && !strcmp(st, state)))
			n++;
	}
	json_decref(a);
	return n;
}

void pay_last_id(struct gwd *g, char *out, size_t n)
{
	json_t *a = pay_sim_payments(g);
	cr_assert_gt(json_array_size(a), 0, "the gateway made no payment");
	snprintf(out, n, "%s", json_string_value(json_object_get(json_array_get(a, 0), "id")));
	json_decref(a);
}

void pay_sim_pay(struct gwd *g, const char *id)
{
	char *path = e2e_fmt("/sim/payments/%s/pay", id);
	json_decref(e2e_post_json(g, path, NULL, 200));
	free(path);
}

char *pay_ledger(const char *dir, const char *out_dir)
{
	char *out = e2e_fmt("%s/ledger.txt", out_dir);
	char *cmd = e2e_fmt("'%s' --ledger --data-dir '%s' > '%s' 2>&1", h_kiosk_bin(), dir, out);
	int rc = system(cmd);
	char *text = e2e_slurp_str(out);
	cr_assert(rc == 0, "%s: %d\n%s", cmd, rc, text ? text : "");
	free(cmd);
	free(out);
	return text;
}

int pay_count_of(const char *hay, const char *needle)
{
	int n = 0;
	for (const char *p = hay; p && (p = strstr(p, needle)); p += strlen(needle))
		n++;
	return n;
}

void pay_expect_bills(struct harness *h, struct gwd *g, const char *step)
{
	/* The amount of each bill, which no other line of the screen shows
	 * (large mode draws no second line, so not the due date). */
	static const char *const due[] = { "元", " yuan", NULL };
	e2e_expect_any(h, g, due, 15000, step);
}
