/* log.c: a file or syslog, one line per event, with a timestamp.
 *
 * The log never carries personal data, but it tells when citizens came and
 * went: the file is its owner's alone (0600), whatever its mode was. */
#include "log.h"

#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <sys/stat.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

static FILE *log_file;
static int use_syslog;

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
