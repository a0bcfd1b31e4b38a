/* log.c: a file or syslog, one line per event, with a timestamp.
 *
 * The log never carries personal data, but it tells when citizens came and
 * went: the file is its owner's alone (0600), whatever its mode was. */
#include "log.h"

#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

static FILE *log_file;
static int use_syslog;

/* The last warnings and errors, for staff mode's 最近错误 (log_recent):
 * what the log says, so nothing personal either. Workers (speech) log
 * too: under a lock. */
static pthread_mutex_t recent_lock = PTHREAD_MUTEX_INITIALIZER;
static struct {
	char line[LOG_RECENT_N][LOG_RECENT_LEN];
	unsigned next, count;
} recent;

static void recent_add(const char *when, enum log_level lvl, const char *fmt, va_list ap)
	__attribute__((format(printf, 3, 0)));
static void recent_add(const char *when, enum log_level lvl, const char *fmt, va_list ap)
{
	pthread_mutex_lock(&recent_lock);
	char *l = recent.line[recent.next];
	int n = snprintf(l, LOG_RECENT_LEN, "%s %s ", when, lvl == LOG_LVL_ERROR ? "error" : "warn");
	if (n > 0 && n < LOG_RECENT_LEN)
		vsnprintf(l + n, LOG_RECENT_LEN - (size_t)n, fmt, ap);
	recent.next = (recent.next + 1) % LOG_RECENT_N;
	if (recent.count < LOG_RECENT_N)
		recent.count++;
	pthread_mutex_unlock(&recent_lock);
}

int log_recent(void (*fn)(void *ud, const char *line), void *ud)
{
	char l[LOG_RECENT_LEN];
	unsigned i = 0;
	for (;; i++) {
		pthread_mutex_lock(&recent_lock);
		bool more = i < recent.count;
		if (more)
			memcpy(l, recent.line[(recent.next + LOG_RECENT_N - 1 - i) % LOG_RECENT_N], sizeof l);
		pthread_mutex_unlock(&recent_lock);
		if (!more)
			break;
		fn(ud, l); /* unlocked: fn may log */
	}
	return (int)i;
}

int log_open(const char *path)
{
	if (!path || !*path) {
		openlog("kiosk", LOG_PID, LOG_USER);
		use_syslog = 1;
		return 0;
	}
	/* Not through a symbolic link, and never readable by others. */
	int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return -1;
	struct stat st;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) ||
	    ((st.st_mode & 077) && fchmod(fd, 0600) != 0)) {
		close(fd);
		return -1;
	}
	log_file = fdopen(fd, "a");
	if (!log_file) {
		close(fd);
		return -1;
	}
	setvbuf(log_file, NULL, _IOLBF, 0);
	return 0;
}

void log_close(void)
{
	if (log_file)
		fclose(log_file);
	log_file = NULL;
	if (use_syslog)
		closelog();
	use_syslog = 0;
}

void log_msg(enum log_level lvl, const char *fmt, ...)
{
	static const char *names[] = { "debug", "info", "warn", "error" };
	static const int prio[] = { LOG_DEBUG, LOG_INFO, LOG_WARNING, LOG_ERR };
	va_list ap;
	if (lvl >= LOG_LVL_WARN) {
		time_t now = time(NULL);
		struct tm lt;
		char lwhen[32];
		localtime_r(&now, &lt);
		strftime(lwhen, sizeof lwhen, "%m-%d %H:%M:%S", &lt);
		va_start(ap, fmt);
		recent_add(lwhen, lvl, fmt, ap);
		va_end(ap);
	}
	va_start(ap, fmt);
	if (log_file) {
		struct timespec ts;
		struct tm tm;
		char when[32];
		clock_gettime(CLOCK_REALTIME, &ts);
		gmtime_r(&ts.tv_sec, &tm);
		strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%S", &tm);
		fprintf(log_file, "%s.%03ldZ %s ", when, ts.tv_nsec / 1000000, names[lvl]);
		vfprintf(log_file, fmt, ap);
		fputc('\n', log_file);
	} else if (use_syslog) {
		vsyslog(prio[lvl], fmt, ap);
	}
	va_end(ap);
}
