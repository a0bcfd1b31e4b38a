/* loop.c: the event loop. One poll(2) per pass over every watched fd plus
 * the wake-up pipe; its timeout is the time to the earliest timer. Signals
 * and worker threads reach the loop through the same pipe, so nothing
 * outside the loop thread ever touches UI or network state.
 */
#include "loop.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "util.h"

struct watch {
	int fd;
	short events;
	bool dead;
	loop_fd_fn fn;
	void *ud;
};

struct timer {
	long long id;
	long long when;
	bool dead;
	loop_timer_fn fn;
	void *ud;
};

struct posted {
	loop_fn fn;
	void *ud;
	struct posted *next;
};

#define MAX_SIGNALS 8

struct loop {
	struct watch *w;
	size_t nw, capw;
	struct timer *t;
	size_t nt, capt;
	long long next_timer_id;
	loop_fn before_sleep;
	void *before_sleep_ud;
	int wake[2];
	pthread_mutex_t post_lock;
	struct posted *posted, **posted_tail;
	struct { int sig; loop_signal_fn fn; void *ud; } sigs[MAX_SIGNALS];
	size_t nsigs;
	bool running;
	int code;
};

/* The signal handler needs the pipe; one loop per process. */
static volatile sig_atomic_t signal_pipe_fd = -1;

long long loop_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

struct loop *loop_new(void)
{
	struct loop *l = xcalloc(1, sizeof *l);
	/* Close-on-exec from the start (pipe2): a child started by another
	 * thread in between must not inherit it. */
	if (pipe2(l->wake, O_CLOEXEC | O_NONBLOCK) != 0)
		die("pipe: %s", strerror(errno));
	pthread_mutex_init(&l->post_lock, NULL);
	l->posted_tail = &l->posted;
	signal_pipe_fd = l->wake[1];
	return l;
}

void loop_free(struct loop *l)
{
	if (!l)
		return;
	signal_pipe_fd = -1;
	close(l->wake[0]);
	close(l->wake[1]);
	while (l->posted) {
		struct posted *p = l->posted;
		l->posted = p->next;
		free(p);
	}
	pthread_mutex_destroy(&l->post_lock);
	free(l->w);
	free(l->t);
	free(l);
}

void loop_fd_add(struct loop *l, int fd, short events, loop_fd_fn fn, void *ud)
{
	for (size_t i = 0; i < l->nw; i++) {
		if (l->w[i].fd == fd && !l->w[i].dead) {
			l->w[i].events = events;
			l->w[i].fn = fn;
			l->w[i].ud = ud;
			return;
		}
	}
	if (l->nw == l->capw) {
		l->capw = l->capw ? l->capw * 2 : 8;
		l->w = xrealloc(l->w, l->capw * sizeof *l->w);
	}
	l->w[l->nw++] = (struct watch){ .fd = fd, .events = events, .fn = fn, .ud = ud };
}

void loop_fd_del(struct loop *l, int fd)
{
	for (size_t i = 0; i < l->nw; i++)
		if (l->w[i].fd == fd)
			l->w[i].dead = true;
}

long long loop_timer_add(struct loop *l, long ms, loop_timer_fn fn, void *ud)
{
	if (l->nt == l->capt) {
		l->capt = l->capt ? l->capt * 2 : 8;
		l->t = xrealloc(l->t, l->capt * sizeof *l->t);
	}
	long long id = ++l->next_timer_id;
	l->t[l->nt++] = (struct timer){ .id = id, .when = loop_now_ms() + (ms < 0 ? 0 : ms),
	                                .fn = fn, .ud = ud };
	return id;
}

void loop_timer_del(struct loop *l, long long id)
{
	for (size_t i = 0; i < l->nt; i++)
		if (l->t[i].id == id)
			l->t[i].dead = true;
}

void loop_set_before_sleep(struct loop *l, loop_fn fn, void *ud)
{
	l->before_sleep = fn;
	l->before_sleep_ud = ud;
}

static void on_signal(int sig)
{
	int saved = errno;
	unsigned char b = (unsigned char)sig;
	if (signal_pipe_fd >= 0 && write(signal_pipe_fd, &b, 1) < 0) {
		/* pipe full: the loop is already awake */
	}
	errno = saved;
}

void loop_on_signal(struct loop *l, int sig, loop_signal_fn fn, void *ud)
{
	if (l->nsigs == MAX_SIGNALS || sig <= 0 || sig > 255)
		die("loop_on_signal: too many signals");
	l->sigs[l->nsigs].sig = sig;
	l->sigs[l->nsigs].fn = fn;
	l->sigs[l->nsigs].ud = ud;
	l->nsigs++;
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_RESTART;
	sigaction(sig, &sa, NULL);
}

void loop_post(struct loop *l, loop_fn fn, void *ud)
{
	struct posted *p = xcalloc(1, sizeof *p);
	p->fn = fn;
	p->ud = ud;
	pthread_mutex_lock(&l->post_lock);
	*l->posted_tail = p;
	l->posted_tail = &p->next;
	pthread_mutex_unlock(&l->post_lock);
	unsigned char b = 0; /* 0 is "posted work", never a signal number */
	if (write(l->wake[1], &b, 1) < 0) {
		/* pipe full: the loop is already awake */
	}
}

/* Reads the wake pipe: each non-zero byte is a signal to dispatch. */
static void drain_wake(struct loop *l)
{
	unsigned char buf[64];
	ssize_t n;
	while ((n = read(l->wake[0], buf, sizeof buf)) > 0) {
		for (ssize_t i = 0; i < n; i++) {
			if (buf[i] == 0)
				continue;
			for (size_t s = 0; s < l->nsigs; s++)
				if (l->sigs[s].sig == buf[i])
					l->sigs[s].fn(l, buf[i], l->sigs[s].ud);
		}
	}
	pthread_mutex_lock(&l->post_lock);
	struct posted *p = l->posted;
	l->posted = NULL;
	l->posted_tail = &l->posted;
	pthread_mutex_unlock(&l->post_lock);
	while (p) {
		struct posted *next = p->next;
		p->fn(l, p->ud);
		free(p);
		p = next;
	}
}

void loop_drain(struct loop *l)
{
	drain_wake(l);
}

static void compact(struct loop *l)
{
	size_t j = 0;
	for (size_t i = 0; i < l->nw; i++)
		if (!l->w[i].dead)
			l->w[j++] = l->w[i];
	l->nw = j;
	j = 0;
	for (size_t i = 0; i < l->nt; i++)
		if (!l->t[i].dead)
			l->t[j++] = l->t[i];
	l->nt = j;
}

static int poll_timeout(struct loop *l)
{
	long long now = loop_now_ms(), best = -1;
	for (size_t i = 0; i < l->nt; i++) {
		if (l->t[i].dead)
			continue;
		long long d = l->t[i].when - now;
		if (d < 0)
			d = 0;
		if (best < 0 || d < best)
			best = d;
	}
	return best > 60000 ? 60000 : (int)best;
}

static void run_timers(struct loop *l)
{
	long long now = loop_now_ms();
	size_t n = l->nt; /* timers added by callbacks wait for the next pass */
	for (size_t i = 0; i < n; i++) {
		if (l->t[i].dead || l->t[i].when > now)
			continue;
		long long id = l->t[i].id;
		long next = l->t[i].fn(l, id, l->t[i].ud);
		/* the callback may have grown (moved) the array: find it again */
		for (size_t k = 0; k < l->nt; k++) {
			if (l->t[k].id != id)
				continue;
			if (next < 0)
				l->t[k].dead = true;
			else if (!l->t[k].dead)
				l->t[k].when = loop_now_ms() + next;
			break;
		}
	}
}

int loop_run(struct loop *l)
{
	struct pollfd *pfd = NULL;
	size_t cap = 0;
	l->running = true;
	while (l->running) {
		compact(l);
		if (l->before_sleep)
			l->before_sleep(l, l->before_sleep_ud);
		if (!l->running)
			break;
		compact(l);
		if (cap < l->nw + 1) {
			cap = l->nw + 8;
			pfd = xrealloc(pfd, cap * sizeof *pfd);
		}
		pfd[0] = (struct pollfd){ .fd = l->wake[0], .events = POLLIN };
		for (size_t i = 0; i < l->nw; i++)
			pfd[i + 1] = (struct pollfd){ .fd = l->w[i].fd, .events = l->w[i].events };
		size_t npfd = l->nw + 1;
		int r = poll(pfd, npfd, poll_timeout(l));
		if (r < 0 && errno != EINTR)
			die("poll: %s", strerror(errno));
		if (r > 0) {
			if (pfd[0].revents)
				drain_wake(l);
			/* match by fd: callbacks above may have changed the watch list */
			for (size_t i = 1; i < npfd; i++) {
				if (!pfd[i].revents)
					continue;
				for (size_t k = 0; k < l->nw; k++) {
					struct watch *w = &l->w[k];
					if (w->fd == pfd[i].fd && !w->dead) {
						w->fn(l, w->fd, pfd[i].revents, w->ud);
						break;
					}
				}
			}
		} else if (r < 0) {
			drain_wake(l);
		}
		run_timers(l);
	}
	free(pfd);
	return l->code;
}

void loop_stop(struct loop *l, int code)
{
	l->running = false;
	l->code = code;
}
