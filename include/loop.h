/* loop.h: the one event loop (after redis's ae): poll(2) over file
 * descriptors, timers, a wake-up pipe for worker threads, signals turned
 * into ordinary events, and a before_sleep hook that runs once per pass.
 *
 * Callbacks may add or remove fds and timers, including their own: removal
 * is lazy, so a removed entry is never called again in the same pass.
 */
#ifndef KIOSK_LOOP_H
#define KIOSK_LOOP_H

struct loop;

typedef void (*loop_fd_fn)(struct loop *l, int fd, int revents, void *ud);
/* Returns the delay in ms until it runs again, or -1 to remove the timer. */
typedef long (*loop_timer_fn)(struct loop *l, long long id, void *ud);
typedef void (*loop_fn)(struct loop *l, void *ud);
typedef void (*loop_signal_fn)(struct loop *l, int sig, void *ud);

struct loop *loop_new(void);
void loop_free(struct loop *l);

/* Watches fd for `events` (POLLIN/POLLOUT); replaces an existing watch. */
void loop_fd_add(struct loop *l, int fd, short events, loop_fd_fn fn, void *ud);
void loop_fd_del(struct loop *l, int fd);

/* Timer ids are > 0 and never reused; deleting an unknown id is harmless. */
long long loop_timer_add(struct loop *l, long ms, loop_timer_fn fn, void *ud);
void loop_timer_del(struct loop *l, long long id);

void loop_set_before_sleep(struct loop *l, loop_fn fn, void *ud);

/* Delivers sig to fn from inside the loop (self-pipe): the handler itself
 * only writes a byte. */
void loop_on_signal(struct loop *l, int sig, loop_signal_fn fn, void *ud);

/* Thread-safe: queues fn(ud) to run in the loop thread and wakes the loop. */
void loop_post(struct loop *l, loop_fn fn, void *ud);

/* Runs the work posted so far (for shut-down: results that worker threads
 * posted for objects already freed still own memory to release). */
void loop_drain(struct loop *l);

/* Runs until loop_stop(); returns the code given to loop_stop. */
int loop_run(struct loop *l);
void loop_stop(struct loop *l, int code);

/* CLOCK_MONOTONIC in milliseconds. */
long long loop_now_ms(void);

#endif
