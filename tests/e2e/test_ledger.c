/* test_ledger.c: `kiosk --ledger --data-dir DIR` run as staff run it: no
 * gateway, no terminal (stdin /dev/null, output to pipes), and a clear word
 * instead of a crash for a folder or file it cannot use. The listing of a
 * filled ledger is checked in tests/client/test_outbox.c, which can write
 * one through the outbox itself. */
#include "e2e.h"

#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

struct run {
	int status;
	char *out, *err;
};

/* Each test's folder: the data folder, and the kiosk's output. */
static char *tmp;

static void setup(void)
{
	tmp = e2e_make_dir("/tmp/kiosk-e2e-ledger-XXXXXX");
}

static void teardown(void)
{
	e2e_rm_rf(tmp);
	free(tmp);
	tmp = NULL;
}

TestSuite(ledger, .init = setup, .fini = teardown);

/* Runs the kiosk with args (shell words), stdout and stderr to files. */
static struct run run_kiosk(const char *args)
{
	struct run r;
	char *out = e2e_fmt("%s/stdout", tmp), *err = e2e_fmt("%s/stderr", tmp);
	char *cmd = e2e_fmt("'%s' --config /dev/null %s </dev/null >'%s' 2>'%s'", h_kiosk_bin(), args, out, err);
	r.status = system(cmd);
	r.out = e2e_slurp_str(out);
	r.err = e2e_slurp_str(err);
	free(cmd);
	free(out);
	free(err);
	return r;
}

/* kiosk --ledger --data-dir data. */
static struct run run_ledger(const char *data)
{
	char *args = e2e_fmt("--ledger --data-dir '%s'", data);
	struct run r = run_kiosk(args);
	free(args);
	return r;
}

static void run_free(struct run *r)
{
	free(r->out);
	free(r->err);
}

static int exit_code(const struct run *r)
{
	return WIFEXITED(r->status) ? WEXITSTATUS(r->status) : -1;
}

Test(ledger, an_empty_data_dir_needs_no_gateway_nor_terminal, .timeout = 30)
{
	char *data = e2e_fmt("%s/data", tmp);
	cr_assert_eq(mkdir(data, 0700), 0);
	struct run r = run_ledger(data);
	cr_assert_eq(exit_code(&r), 0, "status %#x, stderr [%s]", r.status, r.err);
	cr_assert(strstr(r.out, "No payments recorded"), "stdout [%s]", r.out);
	cr_assert_str_eq(r.err, "", "stderr [%s]", r.err);
	/* Listing never makes an outbox. */
	char *db = e2e_fmt("%s/outbox.db", data);
	cr_assert_neq(access(db, F_OK), 0, "--ledger created %s", db);
	run_free(&r);
	free(db);
	free(data);
}

Test(ledger, a_damaged_outbox_is_a_clear_error, .timeout = 30)
{
	char *db = e2e_fmt("%s/outbox.db", tmp);
	FILE *f = fopen(db, "w");
	cr_assert(f);
	for (int i = 0; i < 100; i++)
		fputs("not a database at all, just words\n", f);
	fclose(f);
	struct run r = run_ledger(tmp);
	cr_assert_eq(exit_code(&r), 1, "status %#x, stdout [%s] stderr [%s]", r.status, r.out, r.err);
	cr_assert(strstr(r.err, "outbox.db") && strstr(r.err, "not an outbox database"), "stderr [%s]", r.err);
	cr_assert_null(strstr(r.err, "Sanitizer"), "stderr [%s]", r.err);
	run_free(&r);

	/* A data folder that is not there. */
	char *missing = e2e_fmt("%s/missing", tmp);
	r = run_ledger(missing);
	cr_assert_eq(exit_code(&r), 1, "status %#x", r.status);
	cr_assert(strstr(r.err, "missing") && strstr(r.err, "No such file"), "stderr [%s]", r.err);
	run_free(&r);
	free(missing);
	free(db);
}

Test(ledger, help_names_the_flag, .timeout = 30)
{
	struct run r = run_kiosk("--help");
	cr_assert_eq(exit_code(&r), 0);
	cr_assert(strstr(r.out, "--ledger"), "%s", r.out);
	run_free(&r);
}
