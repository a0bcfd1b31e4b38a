/* test_notify.c: the kiosk and its supervisor (suite "notify"). systemd's
 * notify protocol, as dist/kiosk.service uses it (Type=notify, WatchdogSec=),
 * checked against a listener of our own on a unix datagram socket given as
 * NOTIFY_SOCKET: READY=1 comes once, after the home screen is on the
 * terminal; WATCHDOG=1 comes every half of WATCHDOG_USEC while the loop
 * runs, none while the process is stopped (SIGSTOP: a hung loop, as the
 * manager sees it), again after SIGCONT; STOPPING=1 on SIGTERM. Without a
 * watchdog, or with one meant for another process (WATCHDOG_PID), no pings;
 * a notify socket nobody listens on changes nothing for the citizen.
 */
#include "e2e.h"
#include "notify_e2e.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define WAIT_MS 15000
#define EXIT_MS 10000
#define COLS 100
#define ROWS 30

TestSuite(notify, .timeout = 120);

static struct harness *start(struct gwd *g, struct notify_listener *ls, const char *const env_more[])
{
	const char *env[4] = { ls->env, NULL, NULL, NULL };
	for (int i = 0; env_more && env_more[i] && i < 2; i++)
		env[1 + i] = env_more[i];
	const char *args[3] = { NULL };
	const char *theme = e2e_theme_path();
	if (theme) {
		args[0] = "--theme";
		args[1] = theme;
	}
	struct harness *h = h_start_kiosk_env(gwd_url(g), COLS, ROWS, args, env);
	cr_assert_not_null(h, "the kiosk did not start");
	return h;
}

/* Waits for READY=1 (up to WAIT_MS). */
static void expect_ready(struct notify_listener *ls, struct harness *h)
{
	notify_wait_ready(ls, h, WAIT_MS);
	H_ASSERT(h, ls->ready == 1, "READY=1 came %d times, not once", ls->ready);
	H_ASSERT(h, ls->home_at_ready, "READY=1 came before the home screen was on the terminal");
}

static void stop(struct notify_listener *ls, struct harness *h)
{
	e2e_assert_clean(h);
	kill(h_pid(h), SIGTERM);
	long long end = e2e_now_ms() + EXIT_MS;
	while (!h_exited(h) && e2e_now_ms() < end)
		notify_drain(ls, h, 100);
	notify_drain(ls, h, 100);
	int st = -1;
	H_ASSERT(h, h_wait_exit(h, EXIT_MS, &st) == 0, "the kiosk did not exit on SIGTERM");
	H_ASSERT(h, WIFEXITED(st) && WEXITSTATUS(st) == 0, "exit status %#x, not 0", st);
	char rep[1024] = "";
	H_ASSERT(h, h_sanitizer_clean(h, rep, sizeof rep), "kiosk sanitizer report: %s", rep);
	h_free(h);
}

Test(notify, ready_after_the_first_paint_then_pings_while_the_loop_runs)
{
	struct gwd *g = e2e_start_gateway(NULL);
	struct notify_listener ls;
	notify_listen(&ls);
	/* A watchdog of 0.4 s: pings every 0.2 s. */
	const char *env[] = { "WATCHDOG_USEC=400000", NULL };
	struct harness *h = start(g, &ls, env);
	expect_ready(&ls, h);

	ls.watchdog = 0;
	notify_drain(&ls, h, 2000);
	H_ASSERT(h, ls.watchdog >= 5, "%d pings in 2 s with a 0.4 s watchdog (want about 10)", ls.watchdog);
	H_ASSERT(h, ls.ready == 1, "READY=1 sent %d times", ls.ready);

	/* Keys while pinging: the kiosk answers them. */
	h_type(h, "3");
	H_ASSERT(h, e2e_wait_title(h, "按类别办事", WAIT_MS), "3 did not open the services");
	h_key(h, H_BACKSPACE);
	H_ASSERT(h, e2e_wait_title(h, E2E_T_HOME, WAIT_MS), "Backspace did not go home");

	/* Stopped: the manager hears nothing (this is what a hung loop looks
	 * like to it), so it would kill and restart us. */
	kill(h_pid(h), SIGSTOP);
	notify_drain(&ls, h, 300); /* a ping already on its way */
	ls.watchdog = 0;
	notify_drain(&ls, h, 1500);
	int while_stopped = ls.watchdog;
	kill(h_pid(h), SIGCONT);
	H_ASSERT(h, while_stopped == 0, "%d pings while the kiosk was stopped", while_stopped);

	ls.watchdog = 0;
	notify_drain(&ls, h, 2000);
	H_ASSERT(h, ls.watchdog >= 5, "%d pings in 2 s after SIGCONT", ls.watchdog);

	ls.stopping = 0;
	stop(&ls, h);
	cr_assert_eq(ls.stopping, 1, "STOPPING=1 came %d times on SIGTERM", ls.stopping);
	cr_assert_eq(ls.other, 0, "%d lines that are not READY, WATCHDOG, STOPPING or STATUS", ls.other);
	notify_close(&ls);
	e2e_end_gw(g, false);
}

Test(notify, no_pings_without_a_watchdog_or_with_one_for_another_process)
{
	struct gwd *g = e2e_start_gateway(NULL);
	struct notify_listener ls;
	notify_listen(&ls);
	struct harness *h = start(g, &ls, NULL);
	expect_ready(&ls, h);
	notify_drain(&ls, h, 1500);
	H_ASSERT(h, ls.watchdog == 0, "%d pings without WATCHDOG_USEC", ls.watchdog);
	stop(&ls, h);
	notify_close(&ls);

	/* WATCHDOG_PID names another process (the unit's main process, when
	 * kiosk-session forgets to unset it): libsystemd's rule, not ours. */
	notify_listen(&ls);
	const char *env[] = { "WATCHDOG_USEC=400000", "WATCHDOG_PID=1", NULL };
	h = start(g, &ls, env);
	expect_ready(&ls, h);
	notify_drain(&ls, h, 1500);
	H_ASSERT(h, ls.watchdog == 0, "%d pings with WATCHDOG_PID=1", ls.watchdog);
	stop(&ls, h);
	notify_close(&ls);
	e2e_end_gw(g, false);
}

Test(notify, a_socket_nobody_listens_on_changes_nothing)
{
	const char *env[] = { "NOTIFY_SOCKET=/nonexistent/kiosk-notify", "WATCHDOG_USEC=200000", NULL };
	const char *args[3] = { NULL };
	const char *theme = e2e_theme_path();
	if (theme) {
		args[0] = "--theme";
		args[1] = theme;
	}
	struct gwd *g = e2e_start_gateway(NULL);
	struct harness *h = h_start_kiosk_env(gwd_url(g), COLS, ROWS, args, env);
	cr_assert_not_null(h);
	H_ASSERT(h, e2e_wait_title(h, E2E_T_HOME, WAIT_MS), "no home screen");
	h_type(h, "3");
	H_ASSERT(h, e2e_wait_title(h, "按类别办事", WAIT_MS), "3 did not open the services");
	H_ASSERT(h, e2e_wait_log(h, "supervisor: READY=1 could not be sent", WAIT_MS),
	         "the failed READY=1 is not in the log");
	e2e_end_kiosk(h, EXIT_MS);
	e2e_end_gw(g, false);
}

/* A manager that does not read its socket (PID 1 stuck, or busy): its
 * queue fills (10 datagrams by default) and libsystemd's sd_notify would
 * then wait in sendmsg, the loop with it (seen: no key answered). The kiosk
 * loses the message instead and answers keys as ever. */
Test(notify, a_manager_that_does_not_read_never_holds_up_a_key)
{
	struct gwd *g = e2e_start_gateway(NULL);
	struct notify_listener ls;
	notify_listen(&ls);
	const char *env[] = { "WATCHDOG_USEC=20000", NULL }; /* a ping every 10 ms */
	struct harness *h = start(g, &ls, env);
	H_ASSERT(h, e2e_wait_title(h, E2E_T_HOME, WAIT_MS), "no home screen");
	h_settle(h, 300, 1500); /* far more pings than the queue holds, none read */
	for (int i = 0; i < 3; i++) {
		h_type(h, "3");
		H_ASSERT(h, e2e_wait_title(h, "按类别办事", WAIT_MS), "3 was not answered (round %d)", i);
		h_key(h, H_BACKSPACE);
		H_ASSERT(h, e2e_wait_title(h, E2E_T_HOME, WAIT_MS), "Backspace was not answered (round %d)", i);
	}
	H_ASSERT(h, e2e_log_count(h, "supervisor: the service manager is not reading its socket") == 1,
	         "the lost pings are not logged once");
	/* Read at last: the pings come again. */
	notify_drain(&ls, h, 300);
	ls.watchdog = 0;
	notify_drain(&ls, h, 1000);
	H_ASSERT(h, ls.watchdog >= 20, "%d pings in 1 s once the socket is read again", ls.watchdog);
	stop(&ls, h);
	notify_close(&ls);
	e2e_end_gw(g, false);
}

/* The manager's variables are the kiosk's alone: a child it starts (here
 * the large-font command, run when 1 turns large mode on; aplay in voice
 * mode) sees neither NOTIFY_SOCKET nor WATCHDOG_*, so it can neither
 * notify in the kiosk's name nor believe a watchdog is its own. */
Test(notify, children_never_see_the_managers_variables)
{
	struct gwd *g = e2e_start_gateway(NULL);
	struct notify_listener ls;
	notify_listen(&ls);
	char dir[512] = "";
	e2e_scratch_dir(dir, sizeof dir, "notify-child");
	char *script = e2e_fmt("%s/font.sh", dir), *envf = e2e_fmt("%s/env", dir);
	char *body = e2e_fmt("#!/bin/sh\nenv > '%s.tmp' && mv '%s.tmp' '%s'\n", envf, envf, envf);
	FILE *f = fopen(script, "w");
	cr_assert_not_null(f);
	fputs(body, f);
	fclose(f);
	chmod(script, 0755);
	char *spec = e2e_fmt("command:%s", script);
	const char *envs[] = { ls.env, "WATCHDOG_USEC=400000", NULL };
	const char *args[] = { "--large-font", spec, NULL };
	struct harness *h = h_start_kiosk_env(gwd_url(g), COLS, ROWS, args, envs);
	cr_assert_not_null(h);
	H_ASSERT(h, notify_wait_ready(&ls, h, WAIT_MS), "no READY=1");
	h_type(h, "1"); /* large mode: the font command runs */
	long long end = e2e_now_ms() + WAIT_MS;
	char *got = NULL; /* e2e_slurp_str gives "" for a file not there yet */
	while ((got = e2e_slurp_str(envf)) && !strstr(got, "PATH=") && e2e_now_ms() < end) {
		free(got);
		got = NULL;
		h_pump(h, 50);
	}
	H_ASSERT(h, got, "the font command never ran");
	notify_drain(&ls, h, 500);
	H_ASSERT(h, got && strstr(got, "PATH="), "the child's environment was not written: [%s]", got ? got : "");
	H_ASSERT(h, !strstr(got, "NOTIFY_SOCKET") && !strstr(got, "WATCHDOG_"),
	         "the font command saw NOTIFY_SOCKET or WATCHDOG_* in its environment");
	H_ASSERT(h, ls.watchdog > 0, "the kiosk itself stopped pinging after clearing its environment");
	free(got);
	stop(&ls, h);
	notify_close(&ls);
	free(script);
	free(envf);
	free(body);
	free(spec);
	e2e_rm_rf(dir);
	e2e_end_gw(g, false);
}
