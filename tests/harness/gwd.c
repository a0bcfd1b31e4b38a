/* gwd.c: start, talk to and stop the reference gateway for one test. */
#include "harness/gwd.h"
#include "harness/hutil.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

struct gwd {
	pid_t pid;
	bool exited;
	int status;
	int port;
	char url[64];
	char *ca;                    /* gwd_start_tls: the helpers' CA file */
	char *tls_name;              /* gwd_set_tls_name, or NULL */
	long new_conns;              /* of the last helper request */
	char *tmpdir;
	CURL *curl;
	struct gwd *next_live;
};

static struct gwd *live;
static bool atexit_done;

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static char *path_in(const struct gwd *g, const char *name)
{
	char *s;
	if (asprintf(&s, "%s/%s", g->tmpdir, name) < 0)
		abort();
	return s;
}

const char *gwd_bin(void)
{
	static char found[4096];
	const char *env = getenv("GATEWAYD_BIN");
	char exe[4096];
	ssize_t n;

	if (env && *env)
		return env;
	if (found[0])
		return found;
	n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	if (n > 0) {
		char *slash;
		exe[n] = 0;
		slash = strrchr(exe, '/');
		if (slash) {
			*slash = 0;
			slash = strrchr(exe, '/');
		}
		if (slash) {
			*slash = 0;
			snprintf(found, sizeof found, "%.4000s/gatewayd", exe);
			if (access(found, X_OK) == 0)
				return found;
		}
	}
	snprintf(found, sizeof found, "build/gatewayd");
	return found;
}

static void reap(struct gwd *g, bool block)
{
	int st;
	pid_t r;
	if (g->exited || g->pid <= 0)
		return;
	do
		r = waitpid(g->pid, &st, block ? 0 : WNOHANG);
	while (r < 0 && errno == EINTR);
	if (r == g->pid) {
		g->exited = true;
		g->status = st;
	} else if (r < 0) {
		g->exited = true;
		g->status = 0;
	}
}

static void free_all_live(void)
{
	while (live)
		gwd_free(live);
}

/* The port, once the file holds a whole number (the gateway may still be
 * writing it); 0 if not yet. */
static int read_port(const char *path)
{
	char buf[32];
	ssize_t n;
	long v;
	char *end;
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = 0;
	errno = 0;
	v = strtol(buf, &end, 10);
	if (errno || end == buf || v <= 0 || v > 65535)
		return 0;
	while (*end == ' ' || *end == '\n' || *end == '\r')
		end++;
	return *end ? 0 : (int)v;
}

static bool can_connect(int port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	bool ok;
	if (fd < 0)
		return false;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ok = connect(fd, (struct sockaddr *)&sa, sizeof sa) == 0;
	close(fd);
	return ok;
}

/* gwd_start, and gwd_start_tls when cert is not NULL; gwd_restart when
 * again is not NULL (its temp dir and database, no --demo). */
static struct gwd *start(const char *const extra_args[], const char *cert, const char *key,
			 const char *ca, struct gwd *again)
{
	struct gwd *g = again ? again : calloc(1, sizeof *g);
	char *port_path, *db_path, *log_path, **env;
	const char *argv[64];
	size_t n = 0;
	pid_t parent = getpid();
	int64_t deadline;

	if (!g)
		abort();
	if (again) {
		g->pid = 0;
		g->exited = false;
		g->status = 0;
		g->port = 0;
	} else {
		g->tmpdir = h_make_tmpdir("gwd");
		if (!g->tmpdir) {
			free(g);
			return NULL;
		}
	}
	port_path = path_in(g, "port");
	if (again)
		unlink(port_path);
	db_path = path_in(g, "gw.db");
	log_path = path_in(g, "gatewayd.log");
	argv[n++] = gwd_bin();
	argv[n++] = "--listen";
	argv[n++] = "127.0.0.1:0";
	argv[n++] = "--port-file";
	argv[n++] = port_path;
	argv[n++] = "--db";
	argv[n++] = db_path;
	if (!again)
		argv[n++] = "--demo";
	argv[n++] = "--sim";
	argv[n++] = "--quiet";
	if (cert) {
		argv[n++] = "--tls-cert";
		argv[n++] = cert;
		argv[n++] = "--tls-key";
		argv[n++] = key;
	}
	for (size_t i = 0; extra_args && extra_args[i] && n < 63; i++)
		argv[n++] = extra_args[i];
	argv[n] = NULL;

	env = h_child_env(g->tmpdir, false, NULL);
	fflush(NULL);
	g->pid = fork();
	if (g->pid == 0) {
		int fd, null;
		h_child_prepare(parent);
		setpgid(0, 0); /* so a kill reaches anything it starts */
		fd = open(log_path, O_WRONLY | O_CREAT | O_APPEND, 0644);
		null = open("/dev/null", O_RDONLY);
		if (null >= 0) {
			dup2(null, 0);
			close(null);
		}
		if (fd >= 0) {
			dup2(fd, 1);
			dup2(fd, 2);
			if (fd > 2)
				close(fd);
		}
		execve(argv[0], (char *const *)argv, env);
		h_child_exec_failed("gwd", argv[0]);
	}
	h_free_env(env);
	free(db_path);
	if (g->pid < 0) {
		fprintf(stderr, "gwd: fork: %s\n", strerror(errno));
		goto fail;
	}
	if (!again) {
		g->next_live = live;
		live = g;
	}
	if (!atexit_done) {
		atexit(free_all_live);
		atexit_done = true;
	}

	deadline = now_ms() + 10000;
	while (now_ms() < deadline) {
		reap(g, false);
		if (g->exited) {
			fprintf(stderr, "gwd: %s exited before listening (status 0x%x)\n",
				argv[0], g->status);
			goto fail;
		}
		int port = read_port(port_path);
		if (port && can_connect(port)) {
			g->port = port;
			break;
		}
		poll(NULL, 0, 20);
	}
	if (!g->port) {
		fprintf(stderr, "gwd: %s wrote no usable port to %s within 10 s\n",
			argv[0], port_path);
		goto fail;
	}
	snprintf(g->url, sizeof g->url, "%s://127.0.0.1:%d", cert ? "https" : "http", g->port);
	if (ca) {
		g->ca = strdup(ca);
		if (!g->ca)
			abort();
	}
	free(port_path);
	free(log_path);
	return g;
fail:
	h_print_tail(stderr, "gatewayd.log", log_path, 4000);
	free(port_path);
	free(log_path);
	if (again)
		gwd_stop(g);
	else
		gwd_free(g);
	return NULL;
}

struct gwd *gwd_start(const char *const extra_args[])
{
	return start(extra_args, NULL, NULL, NULL, NULL);
}

struct gwd *gwd_start_tls(const char *const extra_args[], const char *cert, const char *key,
			  const char *ca)
{
	return start(extra_args, cert, key, ca, NULL);
}

bool gwd_restart(struct gwd *g, const char *const extra_args[])
{
	gwd_stop(g);
	return start(extra_args, NULL, NULL, NULL, g) != NULL;
}

const char *gwd_url(const struct gwd *g)
{
	return g->url;
}

int gwd_port(const struct gwd *g)
{
	return g->port;
}

const char *gwd_tmpdir(const struct gwd *g)
{
	return g->tmpdir;
}

/* ---- HTTP ------------------------------------------------------------------ */

struct body {
	char *s;
	size_t len;
};

static size_t on_body(char *ptr, size_t size, size_t nmemb, void *user)
{
	struct body *b = user;
	size_t n = size * nmemb;
	char *s = realloc(b->s, b->len + n + 1);
	if (!s)
		abort();
	memcpy(s + b->len, ptr, n);
	b->len += n;
	s[b->len] = 0;
	b->s = s;
	return n;
}

static int request(struct gwd *g, const char *src, const char *method, const char *path,
		   const char *kiosk, const char *const headers[], const char *json_body,
		   long timeout_ms, char **resp)
{
	static bool curl_ready;
	struct body b = { 0 };
	struct curl_slist *hdr = NULL, *resolve = NULL;
	char *url, *kiosk_hdr = NULL, *pin = NULL;
	long code = 0;
	CURLcode rc;

	if (!curl_ready) {
		curl_global_init(CURL_GLOBAL_DEFAULT);
		curl_ready = true;
	}
	if (!g->curl) {
		g->curl = curl_easy_init();
		if (!g->curl)
			abort();
	}
	curl_easy_reset(g->curl);
	if (g->tls_name) {
		if (asprintf(&url, "https://%s:%d%s", g->tls_name, g->port, path) < 0 ||
		    asprintf(&pin, "%s:%d:127.0.0.1", g->tls_name, g->port) < 0)
			abort();
		resolve = curl_slist_append(NULL, pin);
		curl_easy_setopt(g->curl, CURLOPT_RESOLVE, resolve);
	} else if (asprintf(&url, "%s%s", g->url, path) < 0) {
		abort();
	}
	curl_easy_setopt(g->curl, CURLOPT_URL, url);
	curl_easy_setopt(g->curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(g->curl, CURLOPT_TIMEOUT_MS, timeout_ms);
	if (src)
		curl_easy_setopt(g->curl, CURLOPT_INTERFACE, src);
	if (kiosk) {
		if (asprintf(&kiosk_hdr, "X-Kiosk-Id: %s", kiosk) < 0)
			abort();
		hdr = curl_slist_append(hdr, kiosk_hdr);
	}
	for (size_t i = 0; headers && headers[i]; i++)
		hdr = curl_slist_append(hdr, headers[i]);
	curl_easy_setopt(g->curl, CURLOPT_CONNECTTIMEOUT_MS, 3000L);
	curl_easy_setopt(g->curl, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(g->curl, CURLOPT_WRITEDATA, &b);
	curl_easy_setopt(g->curl, CURLOPT_PROXY, ""); /* never an http_proxy */
	if (g->ca)
		curl_easy_setopt(g->curl, CURLOPT_CAINFO, g->ca);
	if (strcmp(method, "POST") == 0) {
		hdr = curl_slist_append(hdr, "Content-Type: application/json");
		curl_easy_setopt(g->curl, CURLOPT_POSTFIELDS, json_body ? json_body : "");
	}
	curl_easy_setopt(g->curl, CURLOPT_HTTPHEADER, hdr);
	rc = curl_easy_perform(g->curl);
	if (rc == CURLE_OK)
		curl_easy_getinfo(g->curl, CURLINFO_RESPONSE_CODE, &code);
	curl_easy_getinfo(g->curl, CURLINFO_NUM_CONNECTS, &g->new_conns);
	curl_slist_free_all(hdr);
	curl_slist_free_all(resolve);
	free(url);
	free(kiosk_hdr);
	free(pin);
	if (resp) {
		if (!b.s) {
			b.s = malloc(1);
			if (!b.s)
				abort();
			b.s[0] = 0;
		}
		*resp = b.s;
	} else {
		free(b.s);
	}
	return rc == CURLE_OK ? (int)code : -1;
}

int gwd_post(struct gwd *g, const char *path, const char *json_body, char **resp)
{
	return request(g, NULL, "POST", path, NULL, NULL, json_body, 10000L, resp);
}

int gwd_get(struct gwd *g, const char *path, char **resp)
{
	return request(g, NULL, "GET", path, NULL, NULL, NULL, 10000L, resp);
}

int gwd_request_from(struct gwd *g, const char *src, const char *method, const char *path,
		     const char *kiosk, const char *json_body, long timeout_ms, char **resp)
{
	return request(g, src, method, path, kiosk, NULL, json_body, timeout_ms, resp);
}

int gwd_request_h(struct gwd *g, const char *method, const char *path,
		  const char *const headers[], const char *json_body, char **resp)
{
	return request(g, NULL, method, path, NULL, headers, json_body, 10000L, resp);
}

long gwd_new_connections(struct gwd *g)
{
	return g->new_conns;
}

void gwd_set_tls_name(struct gwd *g, const char *name)
{
	free(g->tls_name);
	g->tls_name = name ? strdup(name) : NULL;
	if (name && !g->tls_name)
		abort();
}

int gwd_faults(struct gwd *g, const char *json)
{
	return gwd_post(g, "/sim/faults", json, NULL);
}

/* ---- stopping -------------------------------------------------------------- */

void gwd_kill(struct gwd *g)
{
	reap(g, false);
	if (g->exited)
		return;
	kill(-g->pid, SIGKILL);
	kill(g->pid, SIGKILL);
	reap(g, true);
}

void gwd_stop(struct gwd *g)
{
	int64_t end;
	reap(g, false);
	if (g->exited)
		return;
	kill(g->pid, SIGTERM);
	end = now_ms() + 5000;
	while (!g->exited && now_ms() < end) {
		poll(NULL, 0, 10);
		reap(g, false);
	}
	if (!g->exited)
		gwd_kill(g);
	kill(-g->pid, SIGKILL); /* stragglers in its group */
}

bool gwd_running(struct gwd *g)
{
	reap(g, false);
	return !g->exited;
}

int gwd_status(struct gwd *g)
{
	reap(g, false);
	return g->exited ? g->status : -1;
}

bool gwd_sanitizer_clean(struct gwd *g, char *report, size_t n)
{
	return h_dir_sanitizer_clean(g->tmpdir, report, n);
}

void gwd_dump(struct gwd *g, FILE *out)
{
	char *log = path_in(g, "gatewayd.log");
	char rep[2000];
	fprintf(out, "gateway %s pid %d, %s, temp dir %s\n", g->url, (int)g->pid,
		gwd_running(g) ? "running" : "stopped", g->tmpdir);
	h_print_tail(out, "gatewayd.log", log, 3000);
	if (!gwd_sanitizer_clean(g, rep, sizeof rep))
		fprintf(out, "--- sanitizer report ---\n%s\n", rep);
	free(log);
	fflush(out);
}

void gwd_free(struct gwd *g)
{
	struct gwd **pp;
	if (!g)
		return;
	for (pp = &live; *pp; pp = &(*pp)->next_live) {
		if (*pp == g) {
			*pp = g->next_live;
			break;
		}
	}
	if (g->pid > 0)
		gwd_stop(g);
	if (g->curl)
		curl_easy_cleanup(g->curl);
	h_rmtree(g->tmpdir);
	free(g->tmpdir);
	free(g->ca);
	free(g->tls_name);
	free(g);
}
