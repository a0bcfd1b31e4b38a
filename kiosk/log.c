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

static void recent_add(const char *when, enum log_level lvl, const char *msg)
{
	pthread_mutex_lock(&recent_lock);
	char *l = recent.line[recent.next];
	int n = snprintf(l, LOG_RECENT_LEN, "%s %s ", when, lvl == LOG_LVL_ERROR ? "error" : "warn");
	if (n > 0 && n < LOG_RECENT_LEN) { /* a long line is cut: staff read its start */
		size_t m = strnlen(msg, (size_t)(LOG_RECENT_LEN - n - 1));
		memcpy(l + n, msg, m);
		l[n + (int)m] = '\0';
	}
	recent.next = (recent.next + 1) % LOG_RECENT_N;
	if (recent.count < LOG_RECENT_N)
		recent.count++;
	pthread_mutex_unlock(&recent_lock);
}

/* What a line quotes from outside (a device's name in the config, a
 * gateway's words) may hold control characters: an escape sequence would
 * act on the terminal of whoever reads the log, a newline would forge a
 * line. Each C0 and C1 control and DEL becomes '?'. */
static void strip_controls(char *s)
{
	for (unsigned char *p = (unsigned char *)s; *p; p++) {
		if (*p < 0x20 || *p == 0x7f)
			*p = '?';
		else if (*p == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f)
			p[0] = p[1] = '?', p++;
	}
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
	char msg[4096];
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	strip_controls(msg);
	if (lvl >= LOG_LVL_WARN) {
		time_t now = time(NULL);
		struct tm lt;
		char lwhen[32];
		localtime_r(&now, &lt);
		strftime(lwhen, sizeof lwhen, "%m-%d %H:%M:%S", &lt);
		recent_add(lwhen, lvl, msg);
	}
	if (log_file) {
		struct timespec ts;
		struct tm tm;
		char when[32];
		clock_gettime(CLOCK_REALTIME, &ts);
		gmtime_r(&ts.tv_sec, &tm);
		strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%S", &tm);
		fprintf(log_file, "%s.%03ldZ %s %s\n", when, ts.tv_nsec / 1000000, names[lvl], msg);
	} else if (use_syslog) {
		syslog(prio[lvl], "%s", msg);
	}
}
