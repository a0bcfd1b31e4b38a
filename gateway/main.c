/* main.c: gatewayd, the project's reference services gateway.
 *
 * Parses the command line, opens (and optionally fills) the database, binds
 * the listening socket itself (so port 0 works and the bound port is known),
 * starts the HTTP server, then waits in sigwait() for SIGTERM or SIGINT.
 * The signals are blocked before any thread starts, so no handler ever runs
 * asynchronously: shutdown is ordinary code on the main thread.
 *
 * The connection limits (struct gw_limits) are chosen here: enough for a
 * city's kiosks (over 1,000, each with a connection or two kept alive, some
 * halls behind one NAT address), small enough per address and per second of
 * silence that one client cannot hold the rest out. The file descriptor
 * limit is raised to fit them.
 */
#include "gw.h"
#include "gw_apps.h"
#include "gw_auth.h"
#include "gw_catalog.h"
#include "gw_db.h"
#include "gw_hall.h"
#include "gw_pay.h"
#include "gw_sim.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netdb.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef KIOSK_VERSION
#define KIOSK_VERSION "0"
#endif

#define MAX_SYNTHETIC   1000000L
#define LISTEN_BACKLOG  1024     /* a hall's kiosks reconnecting at once */
#define FD_RESERVE      64       /* descriptors besides connections: db, epoll, logs */
#define TLS_FILE_MAX    (1024 * 1024)

/* Defaults of the connection limits; docs/gateway-api.md says why. */
#define DEF_MAX_CONNECTIONS 4096
#define DEF_PER_IP          64
#define DEF_IDLE_TIMEOUT    10
#define DEF_REQUEST_TIMEOUT 20
#define DEF_THREADS         4

struct options {
	const char *listen;
	const char *db;
	const char *port_file;
	const char *tls_cert, *tls_key;  /* file names */
	bool demo, sim, quiet, allow_remote;
	long synthetic;              /* -1: not given */
	const char *catalog[LANG_N]; /* --catalog files by language, or NULL */
	const char *catalog_arg[LANG_N]; /* as given ("en=FILE"), for messages */
	int payment_ttl;             /* s, the life of a payment (300) */
	int app_step;                /* s, an application's automatic step (60; 0: none) */
	int license_refresh;         /* s, the life of a licence's verify_payload (60) */
	struct auth_config auth;
	struct hall_config hall;     /* staff codes, queue clock, operator token */
	struct gw_limits lim;
};

static const char usage[] =
	"usage: gatewayd [--listen HOST:PORT] --db FILE [--demo] [--sim] [--synthetic N]\n"
	"                [--catalog [LANG=]FILE]... [--port-file FILE] [--quiet] [--allow-remote]\n"
	"                [--tls-cert FILE --tls-key FILE]\n"
	"                [--max-connections N] [--per-ip-connections N] [--threads N]\n"
	"                [--idle-timeout S] [--request-timeout S]\n"
	"                [--device-ttl S] [--device-interval S] [--code-ttl S] [--session-ttl S]\n"
	"                [--payment-ttl S] [--app-step-s S] [--license-refresh-s S]\n"
	"                [--staff-code-ttl S] [--queue-step-s S] [--heartbeat-s S]\n"
	"                [--operator-token TOKEN]\n"
	"       gatewayd --help | --version\n"
	"\n"
	"The project's reference services gateway (API v1) on SQLite.\n"
	"\n"
	"  --listen HOST:PORT  address to serve on (default 127.0.0.1:8080); PORT 0\n"
	"                      picks a free port; IPv6 as [::1]:PORT\n"
	"  --db FILE           SQLite database (created if missing)\n"
	"  --demo              drop and recreate the tables and load the demo catalog\n"
	"  --sim               enable the /sim/ endpoints (fault injection)\n"
	"  --synthetic N       replace the generated services with N new ones\n"
	"  --catalog FILE      replace the catalog with FILE (JSON, the GET /v1/catalog\n"
	"                      format, details optional), served in every language\n"
	"  --catalog LANG=FILE the same catalog's texts in LANG (zh-TW or en)\n"
	"  --port-file FILE    write the bound port to FILE (atomically)\n"
	"  --quiet             do not log requests to stderr\n"
	"  --allow-remote      allow a non-loopback HOST with plain HTTP (tests only)\n"
	"  --tls-cert FILE     serve HTTPS with this PEM certificate (chain)\n"
	"  --tls-key FILE      and this PEM private key\n"
	"  --max-connections N connections in all (default 4096; 16..65536)\n"
	"  --per-ip-connections N\n"
	"                      connections from one client address (default 64)\n"
	"  --threads N         worker threads (default 4; 1..64)\n"
	"  --idle-timeout S    close a connection silent for S seconds (default 10)\n"
	"  --request-timeout S close a connection whose request (headers and body)\n"
	"                      takes longer than S seconds to arrive (default 20)\n"
	"  --device-ttl S      lifetime of a QR login request (device flow; default 300)\n"
	"  --device-interval S minimum polling interval of the device flow (default 5)\n"
	"  --code-ttl S        lifetime of a one-time login code (default 60)\n"
	"  --session-ttl S     lifetime of a citizen session (default 900)\n"
	"  --payment-ttl S     lifetime of an unpaid payment (default 300)\n"
	"  --app-step-s S      an application made at a kiosk is accepted S seconds after\n"
	"                      it is sent and in review 2S after that (default 60;\n"
	"                      0: it only moves by /sim/applications/{id}/advance)\n"
	"  --license-refresh-s S\n"
	"                      an e-licence's verify_payload changes every S seconds\n"
	"                      (default 60)\n"
	"  --staff-code-ttl S  lifetime of a staff code of /sim/staff-code (default 300)\n"
	"  --queue-step-s S    the hall calls the next ticket of each window group every\n"
	"                      S seconds (default 30; 0: nobody is called)\n"
	"  --heartbeat-s S     the kiosks' heartbeat interval, unless a kiosk's config\n"
	"                      sets heartbeat_s: GET /v1/fleet counts a kiosk online\n"
	"                      while heard from within 3 of them (default 60)\n"
	"  --operator-token TOKEN\n"
	"                      GET /v1/fleet answers only with Authorization: Bearer\n"
	"                      TOKEN (16 to 256 of A-Z a-z 0-9 - . _ ~ + / =), even\n"
	"                      with --sim; without it, only with --sim\n"
	"  --help, --version\n";

__attribute__((format(printf, 1, 2), noreturn))
static void die_usage(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("gatewayd: ", stderr);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs(" (try --help)\n", stderr);
	exit(2);
}

/* A whole number from min to max, or exit 2 naming the flag and what
 * (e.g. "seconds") it counts. */
static long whole(const char *flag, const char *val, long min, long max, const char *what)
{
	char *end;
	errno = 0;
	long v = strtol(val, &end, 10);
	if (!*val || *end || errno || v < min || v > max || val[0] == '+' || val[0] == ' ')
		die_usage("%s: expected whole %s from %ld to %ld, got '%.40s'", flag, what, min,
		          max, val);
	return v;
}

static int seconds(const char *flag, const char *val, long max)
{
	return (int)whole(flag, val, 1, max, "seconds");
}

/* A file name, or exit 2 if it is empty. */
static const char *file_name(const char *flag, const char *val)
{
	if (!*val)
		die_usage("%s: empty file name", flag);
	return val;
}

/* An operator token: 16 to 256 characters of a Bearer token (RFC 6750's
 * b64token), or exit 2. */
static const char *operator_token(const char *val)
{
	size_t n = strlen(val);
	bool ok = n >= 16 && n <= 256;
	for (size_t i = 0; ok && i < n; i++)
		ok = (val[i] >= 'A' && val[i] <= 'Z') || (val[i] >= 'a' && val[i] <= 'z') ||
		     (val[i] >= '0' && val[i] <= '9') || strchr("-._~+/=", val[i]);
	if (!ok)
		die_usage("--operator-token: expected 16 to 256 of A-Z a-z 0-9 - . _ ~ + / =");
	return val;
}

/* --catalog FILE (zh-CN, and every language without a file of its own) or
 * --catalog LANG=FILE, LANG zh-CN, zh-TW or en in any case. A value whose
 * part before '=' is not one of them is a file name. */
static void catalog_arg(struct options *o, const char *val)
{
	int l = LANG_ZH;
	const char *file = val, *eq = strchr(val, '=');
	for (int k = 0; eq && k < LANG_N; k++) {
		const char *tag = lang_tag((enum lang)k);
		if ((size_t)(eq - val) == strlen(tag) && !strncasecmp(val, tag, strlen(tag))) {
			l = k;
			file = eq + 1;
		}
	}
	if (!*file)
		die_usage("--catalog: empty file name");
	if (o->catalog[l])
		die_usage("--catalog: two files for %s ('%.60s' and '%.60s')", lang_tag((enum lang)l),
		          o->catalog_arg[l], val);
	o->catalog[l] = file;
	o->catalog_arg[l] = val;
}

static void parse_args(int argc, char **argv, struct options *o)
{
	static const char *const with_value[] = { "--listen", "--db", "--port-file",
	                                          "--synthetic", "--device-ttl",
	                                          "--device-interval", "--code-ttl",
	                                          "--session-ttl", "--tls-cert", "--tls-key",
	                                          "--max-connections", "--per-ip-connections",
	                                          "--threads", "--idle-timeout",
	                                          "--request-timeout", "--payment-ttl",
	                                          "--app-step-s", "--license-refresh-s",
	                                          "--catalog", "--staff-code-ttl", "--queue-step-s",
	                                          "--operator-token", "--heartbeat-s", NULL };
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *val = NULL;
		char name[32];
		if (strncmp(a, "--", 2)) {
			die_usage(a[0] == '-' ? "unknown option '%.40s'" : "unexpected argument '%.40s'", a);
		}
		size_t n = strcspn(a, "=");
		if (n >= sizeof name)
			die_usage("unknown option '%.40s'", a);
		memcpy(name, a, n);
		name[n] = '\0';
		bool takes = false;
		for (int k = 0; with_value[k]; k++)
			takes = takes || !strcmp(name, with_value[k]);
		if (takes) {
			if (a[n] == '=')
				val = a + n + 1;
			else if (i + 1 < argc)
				val = argv[++i];
			else
				die_usage("option '%s' needs a value", name);
		} else if (a[n] == '=') {
			die_usage("option '%s' takes no value", name);
		}

		if (!strcmp(name, "--help")) {
			fputs(usage, stdout);
			exit(0);
		} else if (!strcmp(name, "--version")) {
			puts("gatewayd " KIOSK_VERSION);
			exit(0);
		} else if (!strcmp(name, "--listen")) {
			o->listen = val;
		} else if (!strcmp(name, "--db")) {
			o->db = file_name(name, val);
		} else if (!strcmp(name, "--port-file")) {
			o->port_file = file_name(name, val);
		} else if (!strcmp(name, "--synthetic")) {
			char *end;
			errno = 0;
			long v = strtol(val, &end, 10);
			if (!*val || *end || errno || v < 0 || v > MAX_SYNTHETIC)
				die_usage("--synthetic: expected a count from 0 to 1000000, got '%.40s'", val);
			o->synthetic = v;
		} else if (!strcmp(name, "--catalog")) {
			catalog_arg(o, val);
		} else if (!strcmp(name, "--device-ttl")) {
			o->auth.device_ttl = seconds(name, val, 3600);
		} else if (!strcmp(name, "--device-interval")) {
			o->auth.device_interval = seconds(name, val, 60);
		} else if (!strcmp(name, "--code-ttl")) {
			o->auth.code_ttl = seconds(name, val, 3600);
		} else if (!strcmp(name, "--session-ttl")) {
			o->auth.session_ttl = seconds(name, val, 86400);
		} else if (!strcmp(name, "--payment-ttl")) {
			o->payment_ttl = seconds(name, val, 3600);
		} else if (!strcmp(name, "--app-step-s")) {
			o->app_step = (int)whole(name, val, 0, 86400, "seconds");
		} else if (!strcmp(name, "--license-refresh-s")) {
			o->license_refresh = seconds(name, val, 3600);
		} else if (!strcmp(name, "--staff-code-ttl")) {
			o->hall.staff_code_ttl = seconds(name, val, 3600);
		} else if (!strcmp(name, "--queue-step-s")) {
			o->hall.queue_step = (int)whole(name, val, 0, 86400, "seconds");
		} else if (!strcmp(name, "--heartbeat-s")) {
			o->hall.heartbeat = seconds(name, val, 3600);
		} else if (!strcmp(name, "--operator-token")) {
			o->hall.operator_token = operator_token(val);
		} else if (!strcmp(name, "--tls-cert")) {
			o->tls_cert = file_name(name, val);
		} else if (!strcmp(name, "--tls-key")) {
			o->tls_key = file_name(name, val);
		} else if (!strcmp(name, "--max-connections")) {
			o->lim.max_conns = (unsigned)whole(name, val, 16, 65536, "connections");
		} else if (!strcmp(name, "--per-ip-connections")) {
			o->lim.per_ip = (unsigned)whole(name, val, 1, 65536, "connections");
		} else if (!strcmp(name, "--threads")) {
			o->lim.threads = (unsigned)whole(name, val, 1, 64, "threads");
		} else if (!strcmp(name, "--idle-timeout")) {
			o->lim.idle_timeout = (unsigned)seconds(name, val, 3600);
		} else if (!strcmp(name, "--request-timeout")) {
			o->lim.request_timeout = (unsigned)seconds(name, val, 3600);
		} else if (!strcmp(name, "--demo")) {
			o->demo = true;
		} else if (!strcmp(name, "--sim")) {
			o->sim = true;
		} else if (!strcmp(name, "--quiet")) {
			o->quiet = true;
		} else if (!strcmp(name, "--allow-remote")) {
			o->allow_remote = true;
		} else {
			die_usage("unknown option '%.40s'", name);
		}
	}
	if (!o->db)
		die_usage("--db FILE is required");
	for (int l = 0; l < LANG_N; l++)
		if (o->catalog[l] && !o->catalog[LANG_ZH])
			die_usage("--catalog %s=FILE needs the catalog itself too: --catalog FILE",
			          lang_tag((enum lang)l));
	if (o->catalog[LANG_ZH] && o->synthetic >= 0)
		die_usage("--catalog and --synthetic do not go together");
	if (!o->tls_cert != !o->tls_key)
		die_usage("--tls-cert and --tls-key go together");
	if (o->lim.per_ip > o->lim.max_conns)
		die_usage("--per-ip-connections %u is more than --max-connections %u",
		          o->lim.per_ip, o->lim.max_conns);
}

static bool is_loopback(const struct sockaddr *sa)
{
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *in = (const struct sockaddr_in *)sa;
		return (ntohl(in->sin_addr.s_addr) >> 24) == 127;
	}
	if (sa->sa_family == AF_INET6) {
		const struct in6_addr *a = &((const struct sockaddr_in6 *)sa)->sin6_addr;
		if (IN6_IS_ADDR_LOOPBACK(a))
			return true;
		return IN6_IS_ADDR_V4MAPPED(a) && a->s6_addr[12] == 127;
	}
	return false;
}

/* Splits HOST:PORT ("[v6]:PORT" for IPv6) into host and port. */
static void split_listen(const char *s, char *host, size_t hostlen, char *port, size_t portlen)
{
	const char *colon;
	size_t hl;
	if (s[0] == '[') {
		const char *end = strchr(s, ']');
		if (!end || end[1] != ':')
			die_usage("--listen: expected HOST:PORT or [IPV6]:PORT, got '%.60s'", s);
		hl = (size_t)(end - s - 1);
		memcpy(host, s + 1, hl < hostlen ? hl : 0);
		colon = end + 1;
	} else {
		colon = strrchr(s, ':');
		if (!colon || memchr(s, ':', (size_t)(colon - s)))
			die_usage("--listen: expected HOST:PORT or [IPV6]:PORT, got '%.60s'", s);
		hl = (size_t)(colon - s);
		memcpy(host, s, hl < hostlen ? hl : 0);
	}
	if (hl == 0 || hl >= hostlen)
		die_usage("--listen: bad host in '%.60s'", s);
	host[hl] = '\0';
	const char *p = colon + 1;
	size_t pl = strlen(p);
	char *end;
	long v = strtol(p, &end, 10);
	if (!pl || pl >= portlen || *end || p[0] == '-' || p[0] == '+' || v < 0 || v > 65535)
		die_usage("--listen: PORT must be a number from 0 to 65535, got '%.60s'", p);
	memcpy(port, p, pl + 1);
}

/* Binds and listens; returns the socket, and the bound port in *bound. */
static int open_listener(const struct options *o, char *host, size_t hostlen,
                         unsigned *bound)
{
	char port[8];
	split_listen(o->listen, host, hostlen, port, sizeof port);
	struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM,
	                          .ai_flags = AI_NUMERICSERV }, *res, *ai;
	int rc = getaddrinfo(host, port, &hints, &res);
	if (rc) {
		fprintf(stderr, "gatewayd: --listen: %s: %s\n", host, gai_strerror(rc));
		exit(2);
	}
	ai = NULL;
	for (struct addrinfo *a = res; a && !ai; a = a->ai_next)
		if (is_loopback(a->ai_addr))
			ai = a;
	if (!ai && !o->allow_remote && !o->tls_cert) {
		freeaddrinfo(res);
		fprintf(stderr, "gatewayd: --listen: %s is not a loopback address; without "
		        "--tls-cert the gateway speaks plain HTTP, so it stays on this machine "
		        "unless --allow-remote is given\n", host);
		exit(2);
	}
	if (!ai)
		ai = res;
	int fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	int one = 1;
	if (fd >= 0) {
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
		if (ai->ai_family == AF_INET6)
			setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
	}
	if (fd < 0 || bind(fd, ai->ai_addr, ai->ai_addrlen) || listen(fd, LISTEN_BACKLOG)) {
		fprintf(stderr, "gatewayd: cannot listen on %s: %s\n", o->listen, strerror(errno));
		freeaddrinfo(res);
		exit(1);
	}
	freeaddrinfo(res);
	struct sockaddr_storage ss;
	socklen_t sl = sizeof ss;
	getsockname(fd, (struct sockaddr *)&ss, &sl);
	*bound = ntohs(ss.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&ss)->sin6_port
	                                        : ((struct sockaddr_in *)&ss)->sin_port);
	return fd;
}

/* Writes the port to path via a temporary file and rename(2), so a reader
 * never sees a half-written file. The temporary, PATH.tmp.PID, is created
 * with O_EXCL | O_NOFOLLOW: in a shared directory such as /tmp, a symlink or
 * file planted there in advance is never followed or overwritten; the start
 * fails instead (exit 1, naming the file). rename(2) replaces a symlink at
 * PATH itself without following it. */
static int write_port_file(const char *path, unsigned port, char *tmp, size_t tmplen)
{
	char text[16];
	if (snprintf(tmp, tmplen, "%s.tmp.%ld", path, (long)getpid()) >= (int)tmplen) {
		errno = ENAMETOOLONG;
		return -1;
	}
	int n = snprintf(text, sizeof text, "%u\n", port);
	int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0)
		return -1; /* not ours: never unlinked */
	if (write(fd, text, (size_t)n) != n || close(fd)) {
		int e = errno;
		unlink(tmp);
		errno = e;
		return -1;
	}
	if (rename(tmp, path)) {
		int e = errno;
		unlink(tmp);
		errno = e;
		return -1;
	}
	return 0;
}

/* Each connection is a file descriptor, and the soft limit is often 1024:
 * raise it as far as the hard limit allows, and lower max_conns to what
 * fits if that is not enough. */
static void fit_fd_limit(struct gw_limits *lim)
{
	rlim_t want = (rlim_t)lim->max_conns + FD_RESERVE + 4 * (rlim_t)lim->threads;
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl))
		return;
	if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < want) {
		rl.rlim_cur = (rl.rlim_max == RLIM_INFINITY || rl.rlim_max >= want) ? want : rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
		getrlimit(RLIMIT_NOFILE, &rl);
	}
	if (rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur >= want)
		return;
	rlim_t spare = rl.rlim_cur - FD_RESERVE - 4 * (rlim_t)lim->threads;
	unsigned fit = rl.rlim_cur > FD_RESERVE + 4 * (rlim_t)lim->threads + 16 ? (unsigned)spare : 16;
	fprintf(stderr, "gatewayd: only %llu file descriptors allowed (ulimit -n): "
	        "--max-connections lowered from %u to %u\n", (unsigned long long)rl.rlim_cur,
	        lim->max_conns, fit);
	lim->max_conns = fit;
	if (lim->per_ip > fit)
		lim->per_ip = fit;
}

/* The whole of a PEM file, NUL-terminated (libmicrohttpd wants text), or
 * exit 1 saying why. */
static char *read_pem(const char *flag, const char *path, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	if (fd < 0) {
		fprintf(stderr, "gatewayd: %s %s: %s\n", flag, path, strerror(errno));
		exit(1);
	}
	if (fstat(fd, &st) || !S_ISREG(st.st_mode) || st.st_size <= 0 ||
	    st.st_size > TLS_FILE_MAX) {
		fprintf(stderr, "gatewayd: %s %s: not a file of 1 byte to 1 MiB\n", flag, path);
		exit(1);
	}
	char *buf = malloc((size_t)st.st_size + 1);
	if (!buf)
		abort();
	size_t got = 0;
	while (got < (size_t)st.st_size) {
		ssize_t r = read(fd, buf + got, (size_t)st.st_size - got);
		if (r <= 0) {
			fprintf(stderr, "gatewayd: %s %s: %s\n", flag, path,
			        r < 0 ? strerror(errno) : "file shrank while reading");
			exit(1);
		}
		got += (size_t)r;
	}
	close(fd);
	buf[got] = '\0';
	*len = got;
	return buf;
}

/* Reads and checks every --catalog file (exit 1 with one line naming the
 * file, the problem and where); by_lang gets the file of each language:
 * its own, else the zh-CN one. */
static void load_catalog_files(const struct options *o, struct catalog_file files[LANG_N],
                               const struct catalog_file *by_lang[LANG_N])
{
	char err[512];
	int bad = -1;
	for (int l = 0; l < LANG_N && bad < 0; l++) {
		by_lang[l] = &files[o->catalog[l] ? l : LANG_ZH];
		if (o->catalog[l] && catalog_file_load(o->catalog[l], &files[l], err, sizeof err))
			bad = l;
	}
	for (int l = 0; l < LANG_N && bad < 0; l++)
		if (l != LANG_ZH && o->catalog[l] &&
		    catalog_file_same(&files[LANG_ZH], o->catalog_arg[LANG_ZH], &files[l], err,
		                      sizeof err))
			bad = l;
	if (bad < 0)
		return;
	fprintf(stderr, "gatewayd: --catalog %s: %s\n", o->catalog_arg[bad], err);
	for (int l = 0; l < LANG_N; l++)
		catalog_file_free(&files[l]);
	exit(1);
}

/* A start that fails after the database is open: what was read is freed
 * (nothing leaks at exit 1) and the database closed. */
static int start_failed(struct db *db, struct catalog_file files[LANG_N])
{
	for (int l = 0; l < LANG_N; l++)
		catalog_file_free(&files[l]);
	db_close(db);
	return 1;
}

int main(int argc, char **argv)
{
	struct options o = { .listen = "127.0.0.1:8080", .synthetic = -1, .payment_ttl = 300,
	                     .app_step = APP_STEP_DEFAULT, .license_refresh = LICENSE_REFRESH_DEFAULT,
	                     .hall = { .staff_code_ttl = HALL_STAFF_CODE_TTL_DEFAULT,
	                               .queue_step = HALL_QUEUE_STEP_DEFAULT,
	                               .heartbeat = HALL_HEARTBEAT_DEFAULT },
	                     .auth = { .device_ttl = 300, .device_interval = 5,
	                               .code_ttl = 60, .session_ttl = 900 },
	                     .lim = { .max_conns = DEF_MAX_CONNECTIONS, .per_ip = DEF_PER_IP,
	                              .idle_timeout = DEF_IDLE_TIMEOUT,
	                              .request_timeout = DEF_REQUEST_TIMEOUT,
	                              .threads = DEF_THREADS } };
	char err[512], host[256], tmp[PATH_MAX];
	char *cert = NULL, *key = NULL;
	size_t cert_len = 0, key_len = 0;
	unsigned port = 0;

	parse_args(argc, argv, &o);

	/* Block the stop signals in every thread; main collects them with sigwait. */
	sigset_t stop;
	sigemptyset(&stop);
	sigaddset(&stop, SIGTERM);
	sigaddset(&stop, SIGINT);
	pthread_sigmask(SIG_BLOCK, &stop, NULL);
	signal(SIGPIPE, SIG_IGN);
	json_object_seed(0);
	/* jansson's objects carry tokens, codes and citizens' data: every
	 * block is wiped when jansson frees it. */
	json_set_alloc_funcs(malloc, gw_wipe_free);
	fit_fd_limit(&o.lim);
	struct catalog_file files[LANG_N];
	const struct catalog_file *by_lang[LANG_N];
	memset(files, 0, sizeof files);
	if (o.catalog[LANG_ZH])
		load_catalog_files(&o, files, by_lang);
	if (o.tls_cert) {
		cert = read_pem("--tls-cert", o.tls_cert, &cert_len);
		key = read_pem("--tls-key", o.tls_key, &key_len);
		o.lim.tls_cert = cert;
		o.lim.tls_key = key;
	}

	int fd = open_listener(&o, host, sizeof host, &port);

	struct gw gw = { .quiet = o.quiet };
	atomic_init(&gw.stopping, 0);
	pthread_mutex_init(&gw.cache_lock, NULL);
	gw.db = db_open(o.db, err, sizeof err);
	if (!gw.db) {
		fprintf(stderr, "gatewayd: database: %s\n", err);
		return 1;
	}
	double t = gw_now();
	if (o.demo && db_load_demo(gw.db, err, sizeof err)) {
		fprintf(stderr, "gatewayd: loading the demo data: %s\n", err);
		return start_failed(gw.db, files);
	}
	if (o.synthetic >= 0 && db_add_synthetic(gw.db, o.synthetic, err, sizeof err)) {
		fprintf(stderr, "gatewayd: generating services: %s\n", err);
		return start_failed(gw.db, files);
	}
	if (o.catalog[LANG_ZH]) {
		size_t sizes[LANG_N];
		int too_big;
		if (db_load_catalog(gw.db, by_lang, sizes, &too_big, err, sizeof err)) {
			const char *arg = too_big >= 0 && o.catalog_arg[too_big] ? o.catalog_arg[too_big]
			                                                         : o.catalog_arg[LANG_ZH];
			fprintf(stderr, "gatewayd: --catalog %s: %s\n", arg, err);
			return start_failed(gw.db, files);
		}
		if (!o.quiet)
			fprintf(stderr, "gatewayd: --catalog: GET /v1/catalog is %zu bytes in zh-CN, "
			        "%zu in zh-TW, %zu in en\n", sizes[LANG_ZH], sizes[LANG_TW], sizes[LANG_EN]);
		for (int l = 0; l < LANG_N; l++)
			catalog_file_free(&files[l]);
	}
	if (db_prepare(gw.db, err, sizeof err)) {
		fprintf(stderr, "gatewayd: database %s: %s\n", o.db, err);
		return start_failed(gw.db, files);
	}
	long ncat, nsvc;
	db_counts(gw.db, &ncat, &nsvc);
	if (!o.quiet)
		fprintf(stderr, "gatewayd: %s: %ld categories, %ld services%s (%.0f ms)\n", o.db,
		        ncat, nsvc, o.demo || o.synthetic >= 0 || o.catalog[LANG_ZH] ? " loaded" : "",
		        (gw_now() - t) * 1000);
	if (nsvc == 0 && !o.catalog[LANG_ZH])
		fprintf(stderr, "gatewayd: the catalog is empty; start with --demo to load the demo data\n");
	struct citizen *cits;
	size_t ncits;
	if (db_citizens(gw.db, &cits, &ncits)) {
		fprintf(stderr, "gatewayd: database %s: cannot read the citizens\n", o.db);
		return start_failed(gw.db, files);
	}
	gw.auth = auth_new(&o.auth, cits, ncits);
	if (cits)
		explicit_bzero(cits, ncits * sizeof *cits);
	free(cits);
	if (!o.quiet)
		fprintf(stderr, "gatewayd: %zu citizens\n", auth_n_citizens(gw.auth));
	if (o.sim)
		gw.sim = sim_new();
	pay_init(o.payment_ttl);
	apps_init(o.app_step);
	licenses_init(o.license_refresh);
	hall_init(&o.hall);

	struct gw_server *srv = gw_server_start(&gw, fd, &o.lim, err, sizeof err);
	if (!srv) {
		fprintf(stderr, "gatewayd: %s\n", err);
		return 1;
	}
	if (o.port_file && write_port_file(o.port_file, port, tmp, sizeof tmp)) {
		fprintf(stderr, "gatewayd: --port-file %s: cannot create %s: %s\n", o.port_file,
		        tmp, strerror(errno));
		gw_server_stop(srv);
		return 1;
	}
	bool v6 = strchr(host, ':') != NULL;
	printf("gatewayd: listening on %s://%s%s%s:%u\n", cert ? "https" : "http",
	       v6 ? "[" : "", host, v6 ? "]" : "", port);
	fflush(stdout);

	int sig = 0;
	while (sigwait(&stop, &sig) != 0)
		;
	if (!o.quiet)
		fprintf(stderr, "gatewayd: %s, stopping\n", sig == SIGTERM ? "SIGTERM" : "SIGINT");
	atomic_store(&gw.stopping, 1);
	gw_server_stop(srv);
	sim_free(gw.sim);
	auth_free(gw.auth);
	licenses_done();
	db_close(gw.db);
	catalog_cache_drop(&gw);
	pthread_mutex_destroy(&gw.cache_lock);
	if (key)
		explicit_bzero(key, key_len);
	free(key);
	free(cert);
	return 0;
}
