/* pay_e2e.h: what the payment suites (test_pay.c, test_pay_attack.c) do
 * alike: walk to a bill list as a person does, and ask the gateway's /sim
 * about the payments it made. */
#ifndef TESTS_E2E_PAY_E2E_H
#define TESTS_E2E_PAY_E2E_H

#include "e2e.h"

#define PAY_WAIT_MS 8000
#define PAY_T_BILLS "生活缴费"
#define PAY_T_WATER "水费"

/* A person on a keypad: one digit at a time (90 ms apart, slower than any
 * scanner), reading the screen meanwhile. */
void pay_type_slowly(struct harness *h, const char *s);
/* Home → 生活缴费 → 水费 → the account typed → Enter. */
void pay_to_bills(struct harness *h, struct gwd *g, const char *account);
/* Waits for the list of bills (an amount: 元 or yuan), not just a "1 ":
 * the digit pad's keys, and the account number, show that too. */
void pay_expect_bills(struct harness *h, struct gwd *g, const char *step);
/* /sim/payments' array, newest first (the caller decrefs). */
json_t *pay_sim_payments(struct gwd *g);
size_t pay_n_payments(struct gwd *g);
/* How many payments are in state (NULL: any). */
int pay_n_in_state(struct gwd *g, const char *state);
/* The newest payment's id, copied into out. */
void pay_last_id(struct gwd *g, char *out, size_t n);
/* The citizen's phone pays payment id (/sim/payments/{id}/pay). */
void pay_sim_pay(struct gwd *g, const char *id);
/* What `kiosk --ledger --data-dir dir` prints (the caller frees); out_dir
 * is where its output file goes. */
char *pay_ledger(const char *dir, const char *out_dir);
/* Occurrences of needle in hay. */
int pay_count_of(const char *hay, const char *needle);

#endif
