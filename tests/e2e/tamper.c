/* tamper.c: a small HTTP proxy for the e2e tests, in front of gatewayd:
 * answers chosen requests with a canned answer (a gateway that says
 * strange things), passes the rest on. See tamper.h. */
#include "tamper.h"
#include "harness/gwd.h"

#include <criterion/criterion.h>
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

/* ---- the tamper proxy -------------------------------------------------------------------
 *
 * Listens on a loopback port; each request the kiosk sends is read whole,
 * then either answered with a canned answer (a rule for its method and
 * path) or passed to gatewayd with "Connection: close" and its answer
 * copied back. One request a connection: curl opens another. */

struct rule {
	char method[8];
	char path[200];
	int status;
	char *body;
	int hits;
	char *last;                /* the body of the last request it matched */
	char *last_head;           /* and its request line and headers */
};

static struct tamper {
	int lfd, port, gw_port;
	pthread_mutex_t mu;
	struct rule rules[8];
	int n_rules;
} T = { .lfd = -1, .mu = PTHREAD_MUTEX_INITIALIZER };

void tamper_set(const char *method, const char *path, int status, const char *body)
{
	pthread_mutex_lock(&T.mu);
	int i;
	for (i = 0; i < T.n_rules; i++)
		if (!strcmp(T.rules[i].method, method) && !strcmp(T.rules[i].path, path))
			break;
	if (i == T.n_rules) {
		cr_assert_lt(T.n_rules, 8);
		T.n_rules++;
	}
	struct rule *r = &T.rules[i];
	snprintf(r->method, sizeof r->method, "%s", method);
	snprintf(r->path, sizeof r->path, "%s", path);
	free(r->body);
	r->body = body ? strdup(body) : NULL;
	r->status = body ? status : 0; /* no body: pass it on */
	r->hits = 0;
	pthread_mutex_unlock(&T.mu);
}

int tamper_hits(const char *method, const char *path)
{
	int n = 0;
	pthread_mutex_lock(&T.mu);
	for (int i = 0; i < T.n_rules; i++)
		if (!strcmp(T.rules[i].method, method) && !strcmp(T.rules[i].path, path))
			n = T.rules[i].hits;
	pthread_mutex_unlock(&T.mu);
	return n;
}

/* The body of the last request matching a rule (caller frees), or NULL. */
char *tamper_last(const char *method, const char *path)
{
	char *b = NULL;
	pthread_mutex_lock(&T.mu);
	for (int i = 0; i < T.n_rules; i++)
		if (!strcmp(T.rules[i].method, method) && !strcmp(T.rules[i].path, path) && T.rules[i].last)
			b = strdup(T.rules[i].last);
	pthread_mutex_unlock(&T.mu);
	return b;
}

char *tamper_last_head(const char *method, const char *path)
{
	char *b = NULL;
	pthread_mutex_lock(&T.mu);
	for (int i = 0; i < T.n_rules; i++)
		if (!strcmp(T.rules[i].method, method) && !strcmp(T.rules[i].path, path) && T.rules[i].last_head)
			b = strdup(T.rules[i].last_head);
	pthread_mutex_unlock(&T.mu);
	return b;
}

static bool write_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
		if (w <= 0)
			return false;
		p += w;
		n -= (size_t)w;
	}
	return true;
}

static void *tamper_conn(void *arg)
{
	int fd = (int)(intptr_t)arg;
	struct timeval tv = { 10, 0 };
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	size_t cap = 1 << 20, n = 0;
	char *buf = malloc(cap + 1);
	char *hdr_end = NULL;
	while (!hdr_end && n < cap) {
		ssize_t r = recv(fd, buf + n, cap - n, 0);
		if (r <= 0)
			goto out;
		n += (size_t)r;
		buf[n] = '\0';
		hdr_end = strstr(buf, "\r\n\r\n");
	}
	if (!hdr_end)
		goto out;
	size_t head = (size_t)(hdr_end + 4 - buf), body = 0;
	for (char *p = buf; p < hdr_end; p = strstr(p, "\r\n") + 2)
		if (!strncasecmp(p, "Content-Length:", 15))
			body = strtoul(p + 15, NULL, 10);
	while (n < head + body && n < cap) {
		ssize_t r = recv(fd, buf + n, cap - n, 0);
		if (r <= 0)
			goto out;
		n += (size_t)r;
	}
	char method[8] = "", path[400] = "";
	sscanf(buf, "%7s %399s", method, path);
	char *q = strchr(path, '?');
	if (q)
		*q = '\0';
	int status = 0;
	char *canned = NULL;
	pthread_mutex_lock(&T.mu);
	for (int i = 0; i < T.n_rules; i++)
		if (!strcmp(T.rules[i].method, method) && !strcmp(T.rules[i].path, path)) {
			T.rules[i].hits++;
			free(T.rules[i].last);
			T.rules[i].last = strndup(buf + head, n - head);
			free(T.rules[i].last_head);
			T.rules[i].last_head = strndup(buf, head);
			if (T.rules[i].body) {
				status = T.rules[i].status;
				canned = strdup(T.rules[i].body);
			}
		}
	pthread_mutex_unlock(&T.mu);
	if (canned) {
		char h[400];
		int k = snprintf(h, sizeof h,
		                 "HTTP/1.1 %d Tampered\r\nContent-Type: application/%sjson\r\nContent-Length: %zu\r\n"
		                 "Connection: close\r\n\r\n",
		                 status, status >= 400 ? "problem+" : "", strlen(canned));
		if (write_all(fd, h, (size_t)k))
			write_all(fd, canned, strlen(canned));
		free(canned);
		goto out;
	}
	/* Passed on, one request a connection. */
	int up = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)T.gw_port) };
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (up < 0 || connect(up, (struct sockaddr *)&a, sizeof a) != 0) {
		if (up >= 0)
			close(up);
		goto out;
	}
	char *eol = strstr(buf, "\r\n");
	static const char cc[] = "\r\nConnection: close";
	if (!write_all(up, buf, (size_t)(eol - buf)) || !write_all(up, cc, sizeof cc - 1) ||
	    !write_all(up, eol, n - (size_t)(eol - buf))) {
		close(up);
		goto out;
	}
	setsockopt(up, SOL_SOCKET, SO_RCVTIMEO, &(struct timeval){ 60, 0 }, sizeof tv);
	char chunk[16384];
	ssize_t r;
	while ((r = recv(up, chunk, sizeof chunk, 0)) > 0)
		if (!write_all(fd, chunk, (size_t)r))
			break;
	close(up);
out:
	free(buf);
	close(fd);
	return NULL;
}

static void *tamper_accept(void *arg)
{
	(void)arg;
	for (;;) {
		int fd = accept4(T.lfd, NULL, NULL, SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			return NULL;
		}
		pthread_t th;
		if (pthread_create(&th, NULL, tamper_conn, (void *)(intptr_t)fd) == 0)
			pthread_detach(th);
		else
			close(fd);
	}
}

/* The proxy's URL, in front of gateway g (one proxy a test process). */
const char *tamper_start(struct gwd *g)
{
	static char url[64];
	T.gw_port = gwd_port(g);
	T.lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	cr_assert_geq(T.lfd, 0);
	struct sockaddr_in a = { .sin_family = AF_INET };
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	socklen_t len = sizeof a;
	cr_assert_eq(bind(T.lfd, (struct sockaddr *)&a, sizeof a), 0);
	cr_assert_eq(listen(T.lfd, 64), 0);
	cr_assert_eq(getsockname(T.lfd, (struct sockaddr *)&a, &len), 0);
	T.port = ntohs(a.sin_port);
	pthread_t th;
	cr_assert_eq(pthread_create(&th, NULL, tamper_accept, NULL), 0);
	pthread_detach(th);
	snprintf(url, sizeof url, "http://127.0.0.1:%d", T.port);
	return url;
}


