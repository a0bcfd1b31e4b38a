/* test_loop.c: the event loop: timers in order, repeating and removed
 * timers, removal from inside callbacks, fds, work posted from a thread,
 * and signals delivered as events. */
#include <criterion/criterion.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include "loop.h"

struct rec {
	char log[64];
	int n;
	long long other;
	int fires;
};

static long t_once(struct loop *l, long long id, void *ud)
{
	struct rec *r = ud;
	r->log[r->n++] = 'a';
	return -1;
}

static long t_later(struct loop *l, long long id, void *ud)
{
	struct rec *r = ud;
	r->log[r->n++] = 'b';
	loop_stop(l, 7);
	return -1;
}

Test(loop, timers_fire_in_order_and_stop_returns_code)
{
	struct loop *l = loop_new();
	struct rec r = { 0 };
	loop_timer_add(l, 30, t_later, &r);
	loop_timer_add(l, 5, t_once, &r);
	cr_assert_eq(loop_run(l), 7);
	cr_assert_str_eq(r.log, "ab");
	loop_free(l);
}

static long t_repeat(struct loop *l, long long id, void *ud)
{
	struct rec *r = ud;
	if (++r->fires == 3) {
		loop_stop(l, 0);
		return -1;
	}
	return 1;
}

Test(loop, timer_repeats_with_returned_delay)
{
	struct loop *l = loop_new();
	struct rec r = { 0 };
	loop_timer_add(l, 0, t_repeat, &r);
	loop_run(l);
	cr_assert_eq(r.fires, 3);
	loop_free(l);
}

static long t_kill_other(struct loop *l, long long id, void *ud)
{
	struct rec *r = ud;
	loop_timer_del(l, r->other); /* due in the same pass: must not run */
	r->log[r->n++] = 'k';
	return -1;
}

static long t_victim(struct loop *l, long long id, void *ud)
{
	struct rec *r = ud;
	r->log[r->n++] = 'v';
	return -1;
}

Test(loop, timer_deleted_by_another_callback_never_runs)
{
	struct loop *l = loop_new();
	struct rec r = { 0 };
	loop_timer_add(l, 0, t_kill_other, &r);
	r.other = loop_timer_add(l, 0, t_victim, &r);
	loop_timer_add(l, 40, t_later, &r);
	loop_run(l);
	cr_assert_str_eq(r.log, "kb");
	loop_free(l);
}

static void on_readable(struct loop *l, int fd, int revents, void *ud)
{
	struct rec *r = ud;
	char c;
	cr_assert(revents & POLLIN);
	cr_assert_eq(read(fd, &c, 1), 1);
	r->log[r->n++] = c;
	loop_fd_del(l, fd);
	loop_stop(l, 0);
}

Test(loop, fd_callback_gets_data)
{
	struct loop *l = loop_new();
	struct rec r = { 0 };
	int p[2];
	cr_assert_eq(pipe(p), 0);
	loop_fd_add(l, p[0], POLLIN, on_readable, &r);
	cr_assert_eq(write(p[1], "x", 1), 1);
	loop_run(l);
	cr_assert_str_eq(r.log, "x");
	close(p[0]);
	close(p[1]);
	loop_free(l);
}

static void posted(struct loop *l, void *ud)
{
	struct rec *r = ud;
	r->log[r->n++] = 'p';
	loop_stop(l, 0);
}

struct thread_arg {
	struct loop *l;
	struct rec *r;
};

static void *worker(void *ud)
{
	struct thread_arg *a = ud;
	usleep(20000);
	loop_post(a->l, posted, a->r);
	return NULL;
}

static long t_timeout(struct loop *l, long long id, void *ud)
{
	loop_stop(l, 99); /* the post never arrived */
	return -1;
}

Test(loop, work_posted_from_a_thread_wakes_the_loop)
{
	struct loop *l = loop_new();
	struct rec r = { 0 };
	struct thread_arg a = { l, &r };
	pthread_t t;
	loop_timer_add(l, 10000, t_timeout, &r);
	pthread_create(&t, NULL, worker, &a);
	cr_assert_eq(loop_run(l), 0);
	pthread_join(t, NULL);
	cr_assert_str_eq(r.log, "p");
	loop_free(l);
}

static void on_usr1(struct loop *l, int sig, void *ud)
{
	struct rec *r = ud;
	cr_assert_eq(sig, SIGUSR1);
	r->log[r->n++] = 's';
	loop_stop(l, 0);
}

static long t_raise(struct loop *l, long long id, void *ud)
{
	raise(SIGUSR1);
	return -1;
}

Test(loop, signal_arrives_as_an_event)
{
	struct loop *l = loop_new();
	struct rec r = { 0 };
	loop_on_signal(l, SIGUSR1, on_usr1, &r);
	loop_timer_add(l, 5, t_raise, &r);
	loop_timer_add(l, 10000, t_timeout, &r);
	cr_assert_eq(loop_run(l), 0);
	cr_assert_str_eq(r.log, "s");
	signal(SIGUSR1, SIG_DFL);
	loop_free(l);
}
