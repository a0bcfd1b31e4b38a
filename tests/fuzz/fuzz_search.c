/* fuzz_search.c: libFuzzer target for the service search (search.c over
 * pinyin.c): what a citizen (or a scanner in keyboard mode) types, against
 * names from the gateway.
 *
 * The input is names, one per line (sanitized, as the catalog decoder
 * leaves them), then a line with the query (as typed: raw); the first
 * byte's low bit picks T9. Beyond "no crash": every hit is a service of
 * the catalog, the hits come in tier order with no service twice, the
 * highlight lies inside the name on character boundaries, and the query
 * typed one character at a time ends with the same answer as typed whole
 * (narrowing while typing loses nothing).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"
#include "search.h"
#include "text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_NAMES 64

static char *dupn(const char *s, size_t n)
{
	char *d = malloc(n + 1);
	if (!d)
		abort();
	memcpy(d, s, n);
	d[n] = '\0';
	return d;
}

static size_t run(struct search_index *ix, const char *query, bool t9, uint32_t *svcs, uint8_t *tiers,
                  size_t max)
{
	struct search_query q;
	const struct search_hit *h;
	search_query_parse(query, t9, &q);
	size_t total = search_run(ix, &q, 0, &h);
	for (size_t i = 0; i < total && i < max; i++) {
		svcs[i] = h[i].svc;
		tiers[i] = h[i].tier;
	}
	return total;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 2 || size > 4096)
		return 0;
	bool t9 = data[0] & 1;
	const char *in = (const char *)data + 1;
	size_t len = size - 1;
	/* Names must be what the decoder lets through: no NUL inside. */
	if (memchr(in, '\0', len))
		return 0;
	const char *last = in + len;
	const char *q0 = memrchr(in, '\n', len);
	const char *query_start = q0 ? q0 + 1 : in;
	struct catalog c;
	memset(&c, 0, sizeof c);
	static struct service_brief svcs[MAX_NAMES];
	static char *const no_keywords[1] = { NULL };
	size_t n = 0;
	for (const char *p = in; q0 && p < q0 && n < MAX_NAMES;) {
		const char *e = memchr(p, '\n', (size_t)(q0 - p));
		if (!e)
			e = q0;
		memset(&svcs[n], 0, sizeof svcs[n]);
		/* As the catalog decoder leaves them: sanitized, valid UTF-8. */
		svcs[n].name = text_sanitize(p, (size_t)(e - p), 0);
		svcs[n].summary = svcs[n].name; /* the summary is searched as typed */
		svcs[n].keywords = (char **)no_keywords;
		n++;
		p = e + 1;
	}
	c.svcs = svcs;
	c.n_svcs = n;
	size_t pop = 0;
	c.popular = &pop;
	c.n_popular = n ? 1 : 0;
	char *query = dupn(query_start, (size_t)(last - query_start));

	struct search_index *ix = search_build(&c);
	struct search_query q;
	const struct search_hit *h;
	search_query_parse(query, t9, &q);
	size_t total = search_run(ix, &q, 0, &h);
	if (total > n)
		abort();
	bool seen[MAX_NAMES] = { false };
	for (size_t i = 0; i < total; i++) {
		if (h[i].svc >= n || seen[h[i].svc] || h[i].tier >= ST_COUNT)
			abort();
		seen[h[i].svc] = true;
		if (i && h[i].tier < h[i - 1].tier && !t9)
			abort(); /* tiers in order (T9 ranks popular first across them) */
		size_t b0, b1;
		search_hit_span(ix, &h[i], &b0, &b1);
		const char *name = svcs[h[i].svc].name;
		size_t nl = strlen(name);
		if (b0 > b1 || b1 > nl)
			abort();
		if ((b0 < nl && ((unsigned char)name[b0] & 0xC0) == 0x80) ||
		    (b1 < nl && ((unsigned char)name[b1] & 0xC0) == 0x80))
			abort(); /* never half a character */
	}
	/* The same query typed a character at a time ends the same. */
	static uint32_t whole_svc[MAX_NAMES], step_svc[MAX_NAMES];
	static uint8_t whole_tier[MAX_NAMES], step_tier[MAX_NAMES];
	size_t nw = run(ix, query, t9, whole_svc, whole_tier, MAX_NAMES);
	size_t ql = strlen(query), ns = 0;
	for (size_t e = 1; e <= ql; e++) {
		if (e < ql && ((unsigned char)query[e] & 0xC0) == 0x80)
			continue;
		char *prefix = dupn(query, e);
		ns = run(ix, prefix, t9, step_svc, step_tier, MAX_NAMES);
		free(prefix);
	}
	if (ql && ns != nw)
		abort();
	for (size_t i = 0; ql && i < nw && i < MAX_NAMES; i++)
		if (whole_svc[i] != step_svc[i] || whole_tier[i] != step_tier[i])
			abort();
	search_free(ix);
	for (size_t i = 0; i < n; i++)
		free(svcs[i].name);
	free(query);
	return 0;
}
