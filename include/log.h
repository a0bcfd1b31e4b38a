/* log.h: the kiosk's log. Goes to a file (--log FILE) or to syslog, never to
 * the terminal. Callers never pass names, ID numbers, phone numbers or
 * tokens: log what happened (paths, statuses, timings), not who it was. */
#ifndef KIOSK_LOG_H
#define KIOSK_LOG_H

enum log_level { LOG_LVL_DEBUG, LOG_LVL_INFO, LOG_LVL_WARN, LOG_LVL_ERROR };

/* path NULL or "" means syslog. Returns 0, or -1 if the file cannot be opened. */
int log_open(const char *path);
void log_close(void);
void log_msg(enum log_level lvl, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The last LOG_RECENT_N warnings and errors (local time, level, text; cut
 * at LOG_RECENT_LEN bytes), newest first, to fn (staff mode). Returns how
 * many. */
#define LOG_RECENT_N 20
#define LOG_RECENT_LEN 200
int log_recent(void (*fn)(void *ud, const char *line), void *ud);

#define log_info(...)  log_msg(LOG_LVL_INFO, __VA_ARGS__)
#define log_warn(...)  log_msg(LOG_LVL_WARN, __VA_ARGS__)
#define log_error(...) log_msg(LOG_LVL_ERROR, __VA_ARGS__)
#define log_debug(...) log_msg(LOG_LVL_DEBUG, __VA_ARGS__)

#endif
