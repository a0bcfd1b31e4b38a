/* catalog_parse.c: GET /v1/catalog decoded from its bytes, with no JSON tree,
 * into a compact struct catalog.
 *
 * jansson spends about 9 MB on the tree of a 1 MB catalog, and the kiosk's
 * peak memory counted all of it. This reader builds no tree:
 *
 *   1. check: the size and depth limits (as jsonx_parse), then one pass over
 *      the bytes that accepts exactly what jansson accepts after
 *      jsonx_parse's UTF-8 repair: strict JSON, \u escapes (surrogates only
 *      in pairs), integers that fit a long long, reals that do not overflow,
 *      no NUL in a member name. It allocates nothing.
 *   2. decode: the members of the root, of each category and of each
 *      service are read where they are in the bytes (of members with the
 *      same name the last counts, as in jansson); an array is counted
 *      before it is read, so each is allocated once at its size; a string
 *      is unescaped and repaired into one scratch buffer, sanitized
 *      (text_sanitize; printable ASCII is already clean) and copied into
 *      the catalog's blocks.
 *
 * The decoding rules and every message are catalog_decode's (model.c):
 * tests/unit/test_model.c and tests/fuzz/fuzz_catalog.c hold the two to the
 * same answers. One difference is deliberate: jansson drops a NUL byte
 * that follows a number or true/false/null (its one-byte push-back keeps
 * the byte in a buffer where NUL means "empty"), so it reads "[1\0]" as
 * [1]; here that is not JSON, like any other NUL outside a string.
 *
 * Layout (see model.h): every string, keyword vector and array of a catalog
 * lives in blocks of 64 KiB (an array larger than 16 KiB gets a block of its
 * own), chained in struct catalog_mem with the service index sorted by id.
 * A service's category string is its category's id; absent summaries and
 * keywords share one "" and one empty vector. catalog_free frees the
 * blocks.
 */
#include "model.h"

#include <errno.h>
#include <limits.h>
#include <locale.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonx.h"
#include "text.h"
#include "xmem.h"

/* ---- blocks ---- */

struct blk {
	struct blk *next;
	size_t cap, used;
};

#define BLK_HDR   ((sizeof(struct blk) + 15) & ~(size_t)15)
#define BLK_SIZE  ((size_t)64 * 1024 - BLK_HDR - 32) /* a 64 KiB malloc */
#define BLK_ALONE (BLK_SIZE / 4)

struct catalog_mem {
	struct blk *blocks;   /* every block; cur is one of them */
	struct blk *cur;      /* where small pieces are cut from */
	size_t *by_id;        /* indices into svcs, sorted by id (catalog_find) */
	char *empty;          /* "" */
	char **no_keywords;   /* { NULL } */
};

static unsigned char *blk_data(struct blk *b)
{
	return (unsigned char *)b + BLK_HDR;
}

/* n bytes aligned to align (a power of two, at most 16). Never NULL, also
 * for n == 0; not zeroed. */
static void *mem_alloc(struct catalog_mem *m, size_t n, size_t align)
{
	struct blk *b = m->cur;

	if (b) {
		size_t off = (b->used + align - 1) & ~(align - 1);

		if (off <= b->cap && n <= b->cap - off) {
			b->used = off + n;
			return blk_data(b) + off;
		}
	}
	if (n > BLK_ALONE) {
		/* A block of its own, exactly this size; cur stays. */
		if (n > SIZE_MAX - BLK_HDR)
			abort();
		b = xmalloc(BLK_HDR + n);
		b->cap = b->used = n;
		b->next = m->blocks;
		m->blocks = b;
		return blk_data(b);
	}
	b = xmalloc(BLK_HDR + BLK_SIZE);
	b->cap = BLK_SIZE;
	b->used = n;
	b->next = m->blocks;
	m->blocks = b;
	m->cur = b;
	return blk_data(b);
}

static void *mem_array(struct catalog_mem *m, size_t n, size_t size)
{
	if (size && n > SIZE_MAX / size)
		abort();
	return mem_alloc(m, n * size, size >= 16 ? 16 : size >= 8 ? 8 : 1);
}

static char *mem_str(struct catalog_mem *m, const char *s, size_t n)
{
	char *d;

	if (n == 0)
		return m->empty;
	d = mem_alloc(m, n + 1, 1);
	memcpy(d, s, n);
	d[n] = '\0';
	return d;
}

static struct catalog_mem *mem_new(void)
{
	struct catalog_mem *m = xcalloc(1, sizeof *m);

	m->no_keywords = mem_alloc(m, sizeof(char *), 8);
	m->no_keywords[0] = NULL;
	m->empty = mem_alloc(m, 1, 1);
	m->empty[0] = '\0';
	return m;
}

void catalog_free(struct catalog *c)
{
	struct blk *b, *next;

	if (!c)
		return;
	if (c->mem) {
		for (b = c->mem->blocks; b; b = next) {
			next = b->next;
			free(b);
		}
		free(c->mem);
	}
	memset(c, 0, sizeof *c);
}

size_t catalog_size(const struct catalog *c)
{
	const struct blk *b;
	size_t n;

	if (!c || !c->mem)
		return 0;
	n = sizeof *c->mem;
	for (b = c->mem->blocks; b; b = b->next)
		n += BLK_HDR + b->cap;
	return n;
}

long catalog_find(const struct catalog *c, const char *id)
{
	const size_t *ix;
	size_t lo = 0, hi;

	if (!c || !id || !c->mem || !c->mem->by_id || c->n_svcs == 0)
		return -1;
	ix = c->mem->by_id;
	hi = c->n_svcs;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int r = strcmp(id, c->svcs[ix[mid]].id);

		if (r == 0)
			return (long)ix[mid];
		if (r < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return -1;
}

/* Categories are a few dozen; a scan is as fast as an index would be. */
long catalog_find_category(const struct catalog *c, const char *id)
{
	size_t i;

	if (!c || !id)
		return -1;
	for (i = 0; i < c->n_cats; i++)
		if (strcmp(c->cats[i].id, id) == 0)
			return (long)i;
	return -1;
}

static char *pack_str(struct catalog_mem *m, const char *s)
{
	return mem_str(m, s, strlen(s));
}

void catalog_pack(const struct catalog *src, const size_t *by_id, struct catalog *out)
{
	struct catalog_mem *m = mem_new();
	size_t *lists, off = 0, i, k;

	memset(out, 0, sizeof *out);
	out->mem = m;
	out->version = pack_str(m, src->version ? src->version : "");
	out->n_cats = src->n_cats;
	out->cats = mem_array(m, src->n_cats, sizeof *out->cats);
	lists = mem_array(m, src->n_svcs, sizeof *lists);
	for (i = 0; i < src->n_cats; i++) {
		const struct category *s = &src->cats[i];
		struct category *d = &out->cats[i];

		d->id = pack_str(m, s->id);
		d->name = pack_str(m, s->name);
		d->n_svc = s->n_svc;
		d->svc = lists + off;
		if (s->n_svc)
			memcpy(d->svc, s->svc, s->n_svc * sizeof *d->svc);
		off += s->n_svc;
	}
	out->n_svcs = src->n_svcs;
	out->svcs = mem_array(m, src->n_svcs, sizeof *out->svcs);
	for (i = 0; i < src->n_svcs; i++) {
		const struct service_brief *s = &src->svcs[i];
		struct service_brief *d = &out->svcs[i];

		*d = *s;
		d->id = pack_str(m, s->id);
		d->category = out->cats[s->cat].id;
		d->name = pack_str(m, s->name);
		d->summary = pack_str(m, s->summary);
		if (s->n_keywords == 0) {
			d->keywords = m->no_keywords;
		} else {
			d->keywords = mem_array(m, s->n_keywords + 1, sizeof(char *));
			for (k = 0; k < s->n_keywords; k++)
				d->keywords[k] = pack_str(m, s->keywords[k]);
			d->keywords[s->n_keywords] = NULL;
		}
	}
	m->by_id = mem_array(m, src->n_svcs, sizeof *m->by_id);
	if (src->n_svcs)
		memcpy(m->by_id, by_id, src->n_svcs * sizeof *m->by_id);
	out->n_popular = src->n_popular;
	out->popular = mem_array(m, src->n_popular, sizeof *out->popular);
	if (src->n_popular)
		memcpy(out->popular, src->popular, src->n_popular * sizeof *out->popular);
}

/* ---- the bytes ---- */

#define NONE SIZE_MAX

#define K_SYNTAX "invalid syntax"
#define K_EOF    "the answer ends too early"
#define K_AFTER  "more after the end"
#define K_NULKEY "a NUL in a key"
#define K_RANGE  "a number out of range"
#define K_DEEP   "nested too deeply"

enum { R_VERSION, R_CATEGORIES, R_SERVICES, R_POPULAR, R_N };

static const char *const root_names[R_N] = {
	[R_VERSION] = "version", [R_CATEGORIES] = "categories",
	[R_SERVICES] = "services", [R_POPULAR] = "popular",
};

struct rd {
	const unsigned char *b;
	size_t len;
	/* pass 1's verdict */
	size_t err_at;
	const char *err_kind;
	/* ... and what it saw of the root object on its way: where the value
	 * of each member we read starts (the last of equal names; NONE:
	 * absent) and, if it is an array, its length */
	size_t root_at[R_N], root_count[R_N];
	/* pass 2: the string being read, unescaped and repaired */
	char *sc;
	size_t sc_len, sc_cap;
	/* ... and sanitized: out[0..out_len) (NUL-terminated; sc or san) */
	char *san;
	const char *out;
	size_t out_len;
	/* catalog_check: every check, nothing kept (strings are read only
	 * where their value decides: the kind) */
	bool dry;
};

static bool is_ws(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static bool is_digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

static bool is_alpha(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int hex_val(unsigned char c)
{
	if (is_digit(c))
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static size_t skip_ws(const struct rd *r, size_t i)
{
	while (i < r->len && is_ws(r->b[i]))
		i++;
	return i;
}

/* The four hex digits at i, or -1 (too few, or not hex). */
static long hex4(const struct rd *r, size_t i)
{
	long v = 0;
	int k;

	if (i > r->len || r->len - i < 4)
		return -1;
	for (k = 0; k < 4; k++) {
		int h = hex_val(r->b[i + k]);

		if (h < 0)
			return -1;
		v = v * 16 + h;
	}
	return v;
}

/* ---- pass 1: is it JSON, as jansson would take it? ---- */

static bool read_key(const struct rd *r, size_t *pi, char *key, size_t size, size_t *n);

static int fail(struct rd *r, size_t at, const char *kind)
{
	r->err_at = at;
	r->err_kind = kind;
	return -1;
}

/* The string whose opening quote is at *pi; *pi ends past its closing
 * quote. As jansson: first the escapes' form up to the closing quote, then
 * what they mean (surrogates in pairs; no NUL in a member name). */
static int check_string(struct rd *r, size_t *pi, bool key)
{
	size_t i = *pi + 1, sem_at = NONE;
	const char *sem = NULL;

	for (;;) {
		unsigned char c;

		if (i >= r->len)
			return fail(r, i, K_EOF);
		c = r->b[i];
		if (c == '"')
			break;
		if (c < 0x20)
			return fail(r, i, K_SYNTAX); /* a raw control character */
		if (c != '\\') {
			i++; /* bytes >= 0x80: any; invalid UTF-8 is repaired */
			continue;
		}
		if (i + 1 >= r->len)
			return fail(r, i + 1, K_SYNTAX);
		c = r->b[i + 1];
		if (c == 'u') {
			long v = hex4(r, i + 2), v2;

			if (v < 0) /* jansson: "invalid escape", also at the end */
				return fail(r, i + 2, K_SYNTAX);
			if (!sem && v >= 0xD800 && v <= 0xDBFF) {
				/* Only "\uDC00".."\uDFFF" right after it completes it. */
				v2 = i + 7 < r->len && r->b[i + 6] == '\\' && r->b[i + 7] == 'u'
				     ? hex4(r, i + 8) : -1;
				if (v2 >= 0xDC00 && v2 <= 0xDFFF) {
					i += 12;
					continue;
				}
				sem = K_SYNTAX;
				sem_at = i;
			} else if (!sem && v >= 0xDC00 && v <= 0xDFFF) {
				sem = K_SYNTAX;
				sem_at = i;
			} else if (v == 0 && key && sem_at == NONE) {
				sem_at = i; /* reported only if nothing else is */
			}
			i += 6;
		} else if (c == '"' || c == '\\' || c == '/' || c == 'b' || c == 'f' ||
		           c == 'n' || c == 'r' || c == 't') {
			i += 2;
		} else {
			return fail(r, i + 1, K_SYNTAX);
		}
	}
	if (sem)
		return fail(r, sem_at, sem);
	if (sem_at != NONE)
		return fail(r, sem_at, K_NULKEY);
	*pi = i + 1;
	return 0;
}

/* Does the integer s[0..n) ("-"? digits) fit a long long? */
static bool int_fits(const unsigned char *s, size_t n)
{
	unsigned long long v = 0, lim = (unsigned long long)LLONG_MAX;
	size_t i = 0;

	if (s[0] == '-') {
		lim += 1;
		i = 1;
	}
	for (; i < n; i++) {
		unsigned d = s[i] - '0';

		if (v > (lim - d) / 10)
			return false;
		v = v * 10 + d;
	}
	return true;
}

static locale_t c_locale(void)
{
	static locale_t loc;

	if (!loc)
		loc = newlocale(LC_ALL_MASK, "C", (locale_t)0);
	return loc;
}

static void sc_reserve(struct rd *r, size_t extra)
{
	if (extra > SIZE_MAX / 2 - r->sc_len)
		abort();
	if (r->sc_len + extra + 1 > r->sc_cap) {
		size_t cap = r->sc_cap ? r->sc_cap : 256;

		while (cap < r->sc_len + extra + 1)
			cap *= 2;
		r->sc = xrealloc(r->sc, cap);
		r->sc_cap = cap;
	}
}

/* Does the real s[0..n) overflow a double (jansson's "real number
 * overflow"; underflow to 0 is fine)? */
static bool real_overflows(struct rd *r, const unsigned char *s, size_t n)
{
	locale_t loc = c_locale();
	double v;

	r->sc_len = 0;
	sc_reserve(r, n);
	memcpy(r->sc, s, n);
	r->sc[n] = '\0';
	errno = 0;
	v = loc ? strtod_l(r->sc, NULL, loc) : strtod(r->sc, NULL);
	return (v == HUGE_VAL || v == -HUGE_VAL) && errno == ERANGE;
}

static int check_number(struct rd *r, size_t *pi)
{
	size_t i = *pi, start = i;
	bool real = false;

	if (r->b[i] == '-')
		i++;
	if (i >= r->len || !is_digit(r->b[i]))
		return fail(r, i, K_SYNTAX);
	if (r->b[i] == '0') {
		i++;
		if (i < r->len && is_digit(r->b[i]))
			return fail(r, i, K_SYNTAX); /* no leading zeros */
	} else {
		while (i < r->len && is_digit(r->b[i]))
			i++;
	}
	if (i < r->len && r->b[i] == '.') {
		i++;
		if (i >= r->len || !is_digit(r->b[i]))
			return fail(r, i, K_SYNTAX);
		while (i < r->len && is_digit(r->b[i]))
			i++;
		real = true;
	}
	if (i < r->len && (r->b[i] == 'e' || r->b[i] == 'E')) {
		i++;
		if (i < r->len && (r->b[i] == '+' || r->b[i] == '-'))
			i++;
		if (i >= r->len || !is_digit(r->b[i]))
			return fail(r, i, K_SYNTAX);
		while (i < r->len && is_digit(r->b[i]))
			i++;
		real = true;
	}
	if (real ? real_overflows(r, r->b + start, i - start)
	         : !int_fits(r->b + start, i - start))
		return fail(r, start, K_RANGE);
	*pi = i;
	return 0;
}

/* The value at *pi (after white space); *pi ends past it. *count: the
 * number of elements if it is an array. */
static int check_value(struct rd *r, size_t *pi, int depth, size_t *count)
{
	size_t i = skip_ws(r, *pi), s, n = 0, sub;
	unsigned char c;

	*count = 0;
	if (i >= r->len)
		return fail(r, i, K_EOF);
	c = r->b[i];
	if (c == '{' || c == '[') {
		bool obj = c == '{';
		unsigned char close = obj ? '}' : ']';

		/* jsonx_depth_ok let no more through; this only keeps the
		 * recursion bounded whatever happens. */
		if (depth >= JSONX_MAX_DEPTH)
			return fail(r, i, K_DEEP);
		i = skip_ws(r, i + 1);
		if (i < r->len && r->b[i] == close) {
			*pi = i + 1;
			return 0;
		}
		for (;;) {
			int root = -1;

			if (obj) {
				size_t key = i;

				if (i >= r->len)
					return fail(r, i, K_EOF);
				if (r->b[i] != '"')
					return fail(r, i, K_SYNTAX);
				if (check_string(r, &i, true))
					return -1;
				if (depth == 0) { /* a member of the root: one we read? */
					char name[16];
					size_t kl, k;

					if (read_key(r, &key, name, sizeof name, &kl))
						for (k = 0; k < R_N; k++)
							if (strcmp(name, root_names[k]) == 0)
								root = (int)k;
				}
				i = skip_ws(r, i);
				if (i >= r->len)
					return fail(r, i, K_EOF);
				if (r->b[i] != ':')
					return fail(r, i, K_SYNTAX);
				i = skip_ws(r, i + 1);
			}
			if (root >= 0)
				r->root_at[root] = i;
			if (check_value(r, &i, depth + 1, &sub))
				return -1;
			if (root >= 0)
				r->root_count[root] = sub;
			n++;
			i = skip_ws(r, i);
			if (i >= r->len)
				return fail(r, i, K_EOF);
			if (r->b[i] == close) {
				*pi = i + 1;
				*count = obj ? 0 : n;
				return 0;
			}
			if (r->b[i] != ',')
				return fail(r, i, K_SYNTAX);
			i = skip_ws(r, i + 1);
		}
	}
	if (c == '"') {
		if (check_string(r, &i, false))
			return -1;
		*pi = i;
		return 0;
	}
	if (c == '-' || is_digit(c)) {
		if (check_number(r, &i))
			return -1;
		*pi = i;
		return 0;
	}
	if (is_alpha(c)) {
		/* jansson reads the whole word: "nulls" is no null. */
		s = i;
		while (i < r->len && is_alpha(r->b[i]))
			i++;
		if (!((i - s == 4 && (memcmp(r->b + s, "true", 4) == 0 ||
		                      memcmp(r->b + s, "null", 4) == 0)) ||
		      (i - s == 5 && memcmp(r->b + s, "false", 5) == 0)))
			return fail(r, s, K_SYNTAX);
		*pi = i;
		return 0;
	}
	return fail(r, i, K_SYNTAX);
}

/* "not JSON: <kind> at line L, column C (byte B)" as jsonx_parse writes
 * it: the line and the column (in characters) of the byte that made the
 * answer wrong, and how many bytes were read up to it. Never the bytes. */
static void not_json(const struct rd *r, char *err, size_t errlen)
{
	size_t at = r->err_at < r->len ? r->err_at : r->len, i, line = 1, col = 0;
	size_t upto = r->err_at < r->len ? at + 1 : r->len;

	for (i = 0; i < upto; i++) {
		if (r->b[i] == '\n') {
			line++;
			col = 0;
		} else if ((r->b[i] & 0xC0) != 0x80) {
			col++;
		}
	}
	set_err(err, errlen, "not JSON: %s at line %d, column %d (byte %d)", r->err_kind,
	        line > INT_MAX ? INT_MAX : (int)line, col > INT_MAX ? INT_MAX : (int)col,
	        upto > INT_MAX ? INT_MAX : (int)upto);
}

/* ---- pass 2: reading checked JSON ---- */

enum jt { JT_NULL, JT_BOOL, JT_INT, JT_REAL, JT_STR, JT_ARR, JT_OBJ };

static enum jt type_at(const struct rd *r, size_t i)
{
	switch (r->b[i]) {
	case '"': return JT_STR;
	case '{': return JT_OBJ;
	case '[': return JT_ARR;
	case 't': case 'f': return JT_BOOL;
	case 'n': return JT_NULL;
	default:
		for (; i < r->len && (is_digit(r->b[i]) || r->b[i] == '-'); i++)
			;
		return i < r->len && (r->b[i] == '.' || r->b[i] == 'e' || r->b[i] == 'E')
		       ? JT_REAL : JT_INT;
	}
}

static size_t skip_string(const struct rd *r, size_t i)
{
	for (i++; i < r->len && r->b[i] != '"'; i++)
		if (r->b[i] == '\\')
			i++;
	return i < r->len ? i + 1 : r->len;
}

/* Past the value that starts at i. */
static size_t skip_value(const struct rd *r, size_t i)
{
	size_t depth = 0;
	unsigned char c = r->b[i];

	if (c == '"')
		return skip_string(r, i);
	if (c != '{' && c != '[') {
		while (i < r->len && (is_alpha(r->b[i]) || is_digit(r->b[i]) || r->b[i] == '-' ||
		                      r->b[i] == '+' || r->b[i] == '.'))
			i++;
		return i;
	}
	while (i < r->len) {
		c = r->b[i];
		if (c == '"') {
			i = skip_string(r, i);
			continue;
		}
		if (c == '{' || c == '[') {
			depth++;
		} else if (c == '}' || c == ']') {
			if (--depth == 0)
				return i + 1;
		}
		i++;
	}
	return i;
}

/* The first element of the array at i, or NONE. */
static size_t arr_first(const struct rd *r, size_t i)
{
	i = skip_ws(r, i + 1);
	return i < r->len && r->b[i] != ']' ? i : NONE;
}

/* The element after the one at i, or NONE. */
static size_t arr_after(const struct rd *r, size_t i);

static size_t arr_next(const struct rd *r, size_t i)
{
	return arr_after(r, skip_value(r, i));
}

static size_t arr_count(const struct rd *r, size_t i)
{
	size_t n = 0;

	for (i = arr_first(r, i); i != NONE; i = arr_next(r, i))
		n++;
	return n;
}

/* The member name at i (its opening quote) as far as it can matter: true
 * with it in key[0..*n) if it unescapes to at most size-1 ASCII bytes (our
 * names are ASCII), false otherwise. *pi ends past the closing quote. */
static bool read_key(const struct rd *r, size_t *pi, char *key, size_t size, size_t *n)
{
	size_t i = *pi + 1, k = 0;
	bool ok = true;

	while (i < r->len && r->b[i] != '"') {
		unsigned char c = r->b[i];

		if (c == '\\' && i + 1 < r->len) {
			unsigned char e = r->b[i + 1];
			long v;

			i += 2;
			switch (e) {
			case 'u':
				v = hex4(r, i);
				i += 4;
				if (v >= 0xD800 && v <= 0xDBFF)
					i += 6; /* its low half: not ASCII either way */
				if (v < 0 || v >= 0x80)
					ok = false;
				c = (unsigned char)v;
				break;
			case 'b': c = '\b'; break;
			case 'f': c = '\f'; break;
			case 'n': c = '\n'; break;
			case 'r': c = '\r'; break;
			case 't': c = '\t'; break;
			default: c = e; break;
			}
		} else {
			i++;
			if (c >= 0x80)
				ok = false;
		}
		if (ok && k + 1 < size)
			key[k++] = (char)c;
		else
			ok = false;
	}
	*pi = i < r->len ? i + 1 : r->len;
	key[k] = '\0';
	*n = k;
	return ok;
}

struct member {
	const char *name;
	size_t at;      /* where its value starts; NONE: absent */
};

/* Finds the members named in m[0..nm) in the object at i; of several with
 * one name the last counts (jansson keeps the last). Returns the index past
 * the object. */
static size_t members(const struct rd *r, size_t i, struct member *m, size_t nm)
{
	char key[24];
	size_t k, n;

	for (k = 0; k < nm; k++)
		m[k].at = NONE;
	i = skip_ws(r, i + 1);
	while (i < r->len && r->b[i] == '"') {
		bool ok = read_key(r, &i, key, sizeof key, &n);

		i = skip_ws(r, i);
		i = skip_ws(r, i + 1); /* the ':' */
		if (i >= r->len)
			return i;
		if (ok)
			for (k = 0; k < nm; k++)
				if (strlen(m[k].name) == n && memcmp(m[k].name, key, n) == 0)
					m[k].at = i;
		i = skip_ws(r, skip_value(r, i));
		if (i >= r->len || r->b[i] != ',')
			break;
		i = skip_ws(r, i + 1);
	}
	return i < r->len ? i + 1 : i; /* the '}' */
}

/* The element after an element that ends at i, or NONE. */
static size_t arr_after(const struct rd *r, size_t i)
{
	i = skip_ws(r, i);
	if (i >= r->len || r->b[i] != ',')
		return NONE;
	return skip_ws(r, i + 1);
}

static void sc_put(struct rd *r, const void *p, size_t n)
{
	sc_reserve(r, n);
	memcpy(r->sc + r->sc_len, p, n);
	r->sc_len += n;
}

static void sc_put_cp(struct rd *r, unsigned long v)
{
	unsigned char u[4];

	if (v < 0x80) {
		u[0] = (unsigned char)v;
		sc_put(r, u, 1);
	} else if (v < 0x800) {
		u[0] = (unsigned char)(0xC0 | (v >> 6));
		u[1] = (unsigned char)(0x80 | (v & 0x3F));
		sc_put(r, u, 2);
	} else if (v < 0x10000) {
		u[0] = (unsigned char)(0xE0 | (v >> 12));
		u[1] = (unsigned char)(0x80 | ((v >> 6) & 0x3F));
		u[2] = (unsigned char)(0x80 | (v & 0x3F));
		sc_put(r, u, 3);
	} else {
		u[0] = (unsigned char)(0xF0 | (v >> 18));
		u[1] = (unsigned char)(0x80 | ((v >> 12) & 0x3F));
		u[2] = (unsigned char)(0x80 | ((v >> 6) & 0x3F));
		u[3] = (unsigned char)(0x80 | (v & 0x3F));
		sc_put(r, u, 4);
	}
}

/* The string value at i, unescaped and repaired (every invalid UTF-8
 * sequence a U+FFFD, exactly as text_utf8_repair does it to the whole body
 * before jansson sees it), then sanitized with flags: into r->out. */
static void str_value(struct rd *r, size_t i, unsigned flags)
{
	bool plain = true; /* printable ASCII only: text_sanitize keeps it as it is */

	r->sc_len = 0;
	for (i++; i < r->len && r->b[i] != '"';) {
		unsigned char c = r->b[i];

		if (c == '\\' && i + 1 < r->len) {
			unsigned char e = r->b[i + 1];

			if (e == 'u') {
				long v = hex4(r, i + 2);

				i += 6;
				if (v >= 0xD800 && v <= 0xDBFF) {
					long lo = hex4(r, i + 2);

					v = 0x10000 + ((v - 0xD800) << 10) + (lo - 0xDC00);
					i += 6;
				}
				if (v < 0x20 || v > 0x7E)
					plain = false;
				sc_put_cp(r, (unsigned long)v);
				continue;
			}
			switch (e) {
			case 'b': c = '\b'; break;
			case 'f': c = '\f'; break;
			case 'n': c = '\n'; break;
			case 'r': c = '\r'; break;
			case 't': c = '\t'; break;
			default: c = e; break; /* " \ / */
			}
			if (c < 0x20)
				plain = false;
			sc_put(r, &c, 1);
			i += 2;
		} else if (c < 0x80) {
			size_t s = i;

			/* A run of plain bytes at once. */
			while (i < r->len && r->b[i] >= 0x20 && r->b[i] < 0x7F &&
			       r->b[i] != '"' && r->b[i] != '\\')
				i++;
			if (i == s) { /* DEL (controls never pass pass 1) */
				plain = false;
				i++;
			}
			sc_put(r, r->b + s, i - s);
		} else {
			unsigned cp;
			size_t n = text_utf8_decode((const char *)r->b + i, r->len - i, &cp);

			plain = false;
			if (n == 1)
				sc_put(r, "\xEF\xBF\xBD", 3);
			else
				sc_put(r, r->b + i, n);
			i += n;
		}
	}
	free(r->san);
	r->san = NULL;
	if (plain) {
		sc_reserve(r, 0);
		r->sc[r->sc_len] = '\0';
		r->out = r->sc;
		r->out_len = r->sc_len;
	} else {
		r->san = text_sanitize(r->sc ? r->sc : "", r->sc_len, flags);
		r->out = r->san;
		r->out_len = strlen(r->san);
	}
}

static long long int_value(const struct rd *r, size_t i)
{
	unsigned long long v = 0;
	bool neg = r->b[i] == '-';

	for (i += neg; i < r->len && is_digit(r->b[i]); i++)
		v = v * 10 + (unsigned)(r->b[i] - '0');
	if (!neg)
		return (long long)v;
	return v ? -(long long)(v - 1) - 1 : 0;
}

/* jsonx's getters' rules: a member that is absent or null takes its
 * default (1: present, 0: default); required, it is an error. */
static int present(const struct rd *r, size_t at, bool required, const char *type,
                   const char *path, const char *key, char *err, size_t errlen)
{
	if (at == NONE || type_at(r, at) == JT_NULL) {
		if (!required)
			return 0;
		if (*path)
			set_err(err, errlen, "%s.%s: %s", path, key, at != NONE ? type : "missing");
		else
			set_err(err, errlen, "%s: %s", key, at != NONE ? type : "missing");
		return -1;
	}
	return 1;
}

static void wrong_type(const char *type, const char *path, const char *key, char *err,
                       size_t errlen)
{
	if (*path)
		set_err(err, errlen, "%s.%s: %s", path, key, type);
	else
		set_err(err, errlen, "%s: %s", key, type);
}

/* A string member (jsonx_str): 1 with it in r->out (unless dry and not
 * must_read), 0 absent, -1 error. */
static int get_str_as(struct rd *r, const struct member *m, bool required, bool must_read,
                      const char *path, char *err, size_t errlen)
{
	int p = present(r, m->at, required, "expected string", path, m->name, err, errlen);

	if (p <= 0)
		return p;
	if (type_at(r, m->at) != JT_STR) {
		wrong_type("expected string", path, m->name, err, errlen);
		return -1;
	}
	if (!r->dry || must_read)
		str_value(r, m->at, 0);
	return 1;
}

static int get_str(struct rd *r, const struct member *m, bool required, const char *path,
                   char *err, size_t errlen)
{
	return get_str_as(r, m, required, false, path, err, errlen);
}

/* A required array member of the root (get_array in model.c): its
 * position, NONE when optional and absent or null; -1 in *rc on error. */
static size_t get_array(const struct rd *r, const struct member *m, bool required,
                        char *err, size_t errlen, int *rc)
{
	*rc = 0;
	if (m->at == NONE || (!required && type_at(r, m->at) == JT_NULL)) {
		if (required) {
			set_err(err, errlen, "%s: missing", m->name);
			*rc = -1;
		}
		return NONE;
	}
	if (type_at(r, m->at) != JT_ARR) {
		set_err(err, errlen, "%s: expected array", m->name);
		*rc = -1;
		return NONE;
	}
	return m->at;
}

/* ---- the catalog ---- */

struct id_key {
	const char *id;
	size_t idx;
};

/* Ties broken by position: of equal ids the first in catalog order sorts
 * first and is the one kept. */
static int id_key_cmp(const void *a, const void *b)
{
	const struct id_key *x = a, *y = b;
	int c = strcmp(x->id, y->id);

	if (c)
		return c;
	return (x->idx > y->idx) - (x->idx < y->idx);
}

static long find_key(const struct id_key *keys, size_t n, const char *id)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int r = strcmp(id, keys[mid].id);

		if (r == 0)
			return (long)keys[mid].idx;
		if (r < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return -1;
}

static int by_id_cmp(const void *a, const void *b, void *ud)
{
	const struct service_brief *s = ud;
	size_t x = *(const size_t *)a, y = *(const size_t *)b;
	int c = strcmp(s[x].id, s[y].id);

	if (c)
		return c;
	return (x > y) - (x < y);
}

static int parse_categories(struct rd *r, size_t arr, size_t n, struct catalog *out,
                            struct id_key **sorted, char *err, size_t errlen)
{
	struct catalog_mem *m = out->mem;
	size_t i = 0, e, end, kept = 0;
	struct id_key *keys;
	bool *drop;
	struct category dry_cat;

	*sorted = NULL;
	if (!r->dry)
		out->cats = mem_array(m, n, sizeof *out->cats);
	for (e = arr_first(r, arr); e != NONE && i < n; e = arr_after(r, end), i++) {
		struct category *cat = r->dry ? &dry_cat : &out->cats[i];
		struct member mb[2] = { { "id", 0 }, { "name", 0 } };
		char path[48];

		snprintf(path, sizeof path, "categories[%zu]", i);
		if (type_at(r, e) != JT_OBJ) {
			set_err(err, errlen, "%s: expected object", path);
			return -1;
		}
		end = members(r, e, mb, 2);
		memset(cat, 0, sizeof *cat);
		if (get_str(r, &mb[0], true, path, err, errlen) < 0)
			return -1;
		if (!r->dry)
			cat->id = mem_str(m, r->out, r->out_len);
		if (get_str(r, &mb[1], true, path, err, errlen) < 0)
			return -1;
		if (!r->dry) {
			cat->name = mem_str(m, r->out, r->out_len);
			out->n_cats = i + 1;
		}
	}
	if (r->dry)
		return 0; /* which category a service is in decides no error */

	/* Later duplicates dropped, catalog order kept for the rest. */
	keys = xmallocarray(n, sizeof *keys);
	drop = xcalloc(n, sizeof *drop);
	n = out->n_cats;
	for (i = 0; i < n; i++) {
		keys[i].id = out->cats[i].id;
		keys[i].idx = i;
	}
	qsort(keys, n, sizeof *keys, id_key_cmp);
	for (i = 1; i < n; i++)
		if (strcmp(keys[i].id, keys[i - 1].id) == 0)
			drop[keys[i].idx] = true;
	for (i = 0; i < n; i++)
		if (!drop[i])
			out->cats[kept++] = out->cats[i];
	out->n_cats = kept;
	for (i = 0; i < kept; i++) {
		keys[i].id = out->cats[i].id;
		keys[i].idx = i;
	}
	qsort(keys, kept, sizeof *keys, id_key_cmp);
	free(drop);
	*sorted = keys;
	return 0;
}

enum { M_ID, M_CATEGORY, M_NAME, M_SUMMARY, M_KEYWORDS, M_KIND, M_LOGIN, M_FEE, M_N };

/* One service, as brief_decode (model.c) reads it. Its strings are kept
 * only if its category is known (kept); the rest is checked all the same,
 * since any error refuses the whole catalog. */
static int parse_service(struct rd *r, size_t e, size_t *end, struct service_brief *b,
                         const struct catalog *out, const struct id_key *cat_keys,
                         const char *path, char *err, size_t errlen)
{
	struct catalog_mem *m = out->mem;
	struct member mb[M_N] = {
		[M_ID] = { "id", 0 }, [M_CATEGORY] = { "category", 0 }, [M_NAME] = { "name", 0 },
		[M_SUMMARY] = { "summary", 0 }, [M_KEYWORDS] = { "keywords", 0 },
		[M_KIND] = { "kind", 0 }, [M_LOGIN] = { "login_required", 0 },
		[M_FEE] = { "fee_fen", 0 },
	};
	char kind[48], sub[96];
	long cat;
	bool keep;
	size_t k, n;
	int p;

	memset(b, 0, sizeof *b);
	b->cat = NONE;
	if (type_at(r, e) != JT_OBJ) {
		set_err(err, errlen, "%s: expected object", path);
		return -1;
	}
	*end = members(r, e, mb, M_N);

	if (get_str(r, &mb[M_ID], true, path, err, errlen) < 0)
		return -1;
	if (!r->dry)
		b->id = mem_str(m, r->out, r->out_len); /* every id: duplicates are found among all */
	if (get_str(r, &mb[M_CATEGORY], true, path, err, errlen) < 0)
		return -1;
	cat = r->dry ? -1 : find_key(cat_keys, out->n_cats, r->out);
	keep = cat >= 0;
	if (keep) {
		b->cat = (size_t)cat;
		b->category = out->cats[cat].id; /* the same string */
	}
	if (get_str(r, &mb[M_NAME], true, path, err, errlen) < 0)
		return -1;
	if (keep)
		b->name = mem_str(m, r->out, r->out_len);
	p = get_str(r, &mb[M_SUMMARY], false, path, err, errlen);
	if (p < 0)
		return -1;
	if (keep)
		b->summary = p ? mem_str(m, r->out, r->out_len) : m->empty;

	b->keywords = m ? m->no_keywords : NULL;
	p = present(r, mb[M_KEYWORDS].at, false, "expected array", path, "keywords", err, errlen);
	if (p > 0) {
		size_t arr = mb[M_KEYWORDS].at, x;

		if (type_at(r, arr) != JT_ARR) {
			wrong_type("expected array", path, "keywords", err, errlen);
			return -1;
		}
		n = arr_count(r, arr);
		if (keep && n)
			b->keywords = mem_array(m, n + 1, sizeof(char *));
		k = 0;
		for (x = arr_first(r, arr); x != NONE; x = arr_next(r, x), k++) {
			if (type_at(r, x) != JT_STR) {
				set_err(err, errlen, "%s.keywords[%zu]: expected string", path, k);
				return -1;
			}
			if (keep) {
				str_value(r, x, 0);
				b->keywords[k] = mem_str(m, r->out, r->out_len);
			}
		}
		if (keep && n)
			b->keywords[n] = NULL;
		b->n_keywords = n;
	}

	if (get_str_as(r, &mb[M_KIND], true, true, path, err, errlen) < 0)
		return -1;
	for (k = 0; k < 4; k++)
		if (strcmp(r->out, svc_kind_name((enum svc_kind)k)) == 0)
			break;
	snprintf(kind, sizeof kind, "%.40s", r->out); /* for the message below */

	p = present(r, mb[M_LOGIN].at, false, "expected boolean", path, "login_required", err,
	            errlen);
	if (p < 0)
		return -1;
	if (p) {
		if (type_at(r, mb[M_LOGIN].at) != JT_BOOL) {
			wrong_type("expected boolean", path, "login_required", err, errlen);
			return -1;
		}
		b->login_required = r->b[mb[M_LOGIN].at] == 't';
	}
	p = present(r, mb[M_FEE].at, false, "expected integer", path, "fee_fen", err, errlen);
	if (p < 0)
		return -1;
	if (p) {
		if (type_at(r, mb[M_FEE].at) != JT_INT) {
			wrong_type("expected integer", path, "fee_fen", err, errlen);
			return -1;
		}
		b->fee_fen = int_value(r, mb[M_FEE].at);
	}

	if (k == 4) {
		snprintf(sub, sizeof sub, "%s.kind", path);
		set_err(err, errlen, "%s: unknown kind '%.40s'", sub, kind);
		return -1;
	}
	b->kind = (enum svc_kind)k;
	if (b->fee_fen < 0) {
		snprintf(sub, sizeof sub, "%s.fee_fen", path);
		set_err(err, errlen, "%s: must not be negative", sub);
		return -1;
	}
	if (!keep)
		b->n_keywords = 0;
	return 0;
}

static int parse_services(struct rd *r, size_t arr, size_t n, struct catalog *out,
                          const struct id_key *cat_keys, char *err, size_t errlen)
{
	struct catalog_mem *m = out->mem;
	size_t i = 0, e, end, kept, c, *ix, *lists, off;
	struct service_brief *s;

	if (r->dry) {
		struct service_brief b;

		for (e = arr_first(r, arr); e != NONE && i < n; e = arr_after(r, end), i++) {
			char path[48];

			snprintf(path, sizeof path, "services[%zu]", i);
			if (parse_service(r, e, &end, &b, out, cat_keys, path, err, errlen))
				return -1;
		}
		return 0;
	}
	s = out->svcs = mem_array(m, n, sizeof *out->svcs);
	for (e = arr_first(r, arr); e != NONE && i < n; e = arr_after(r, end), i++) {
		char path[48];

		snprintf(path, sizeof path, "services[%zu]", i);
		out->n_svcs = i + 1;
		if (parse_service(r, e, &end, &s[i], out, cat_keys, path, err, errlen))
			return -1;
	}
	n = out->n_svcs;

	/* Sorted by id (ties: catalog order); of equal ids only the first may
	 * stay, and only if its category is known. */
	ix = m->by_id = mem_array(m, n, sizeof *ix);
	for (i = 0; i < n; i++)
		ix[i] = i;
	qsort_r(ix, n, sizeof *ix, by_id_cmp, s);
	for (i = 1; i < n; i++)
		if (strcmp(s[ix[i]].id, s[ix[i - 1]].id) == 0)
			s[ix[i]].cat = NONE;
	for (i = kept = 0; i < n; i++)
		kept += s[i].cat != NONE;
	if (kept < n) {
		/* Rare: close the gaps, then sort what is left again. */
		for (i = kept = 0; i < n; i++)
			if (s[i].cat != NONE)
				s[kept++] = s[i];
		for (i = 0; i < kept; i++)
			ix[i] = i;
		qsort_r(ix, kept, sizeof *ix, by_id_cmp, s);
	}
	out->n_svcs = kept;

	/* Per-category lists in catalog order, slices of one array. */
	lists = mem_array(m, kept, sizeof *lists);
	for (c = 0; c < out->n_cats; c++)
		out->cats[c].n_svc = 0;
	for (i = 0; i < kept; i++)
		out->cats[s[i].cat].n_svc++;
	for (c = off = 0; c < out->n_cats; c++) {
		out->cats[c].svc = lists + off;
		off += out->cats[c].n_svc;
		out->cats[c].n_svc = 0;
	}
	for (i = 0; i < kept; i++) {
		struct category *cat = &out->cats[s[i].cat];

		cat->svc[cat->n_svc++] = i;
	}
	return 0;
}

static int parse_popular(struct rd *r, size_t arr, size_t n, struct catalog *out,
                         char *err, size_t errlen)
{
	size_t i = 0, e;
	bool *seen;

	if (r->dry) {
		for (e = arr_first(r, arr); e != NONE && i < n; e = arr_next(r, e), i++)
			if (type_at(r, e) != JT_STR) {
				set_err(err, errlen, "popular[%zu]: expected string", i);
				return -1;
			}
		return 0;
	}
	seen = xcalloc(out->n_svcs, sizeof *seen);
	out->popular = mem_array(out->mem, n, sizeof *out->popular);
	for (e = arr_first(r, arr); e != NONE && i < n; e = arr_next(r, e), i++) {
		long k;

		if (type_at(r, e) != JT_STR) {
			set_err(err, errlen, "popular[%zu]: expected string", i);
			free(seen);
			return -1;
		}
		/* Sanitized like the ids it is compared with. */
		str_value(r, e, 0);
		k = catalog_find(out, r->out);
		if (k < 0 || seen[k])
			continue;
		seen[k] = true;
		out->popular[out->n_popular++] = (size_t)k;
	}
	free(seen);
	return 0;
}

/* catalog_parse, or with out NULL catalog_check. */
static int decode(const char *buf, size_t len, struct catalog *out, char *err, size_t errlen)
{
	struct rd r;
	struct member mb[R_N];
	struct id_key *cat_keys = NULL;
	struct catalog dry;
	size_t i = 0, cats, svcs, pop, k, n;
	int rc;

	memset(&r, 0, sizeof r);
	r.dry = !out;
	if (!out)
		out = &dry;
	memset(out, 0, sizeof *out);
	if (!buf)
		len = 0;
	if (len > JSONX_MAX_BODY) {
		set_err(err, errlen, "body too large");
		return -2;
	}
	if (!jsonx_depth_ok(buf, len, JSONX_MAX_DEPTH)) {
		set_err(err, errlen, "nested too deeply");
		return -2;
	}
	r.b = (const unsigned char *)(buf ? buf : "");
	r.len = len;
	for (k = 0; k < R_N; k++)
		r.root_at[k] = NONE;
	if (check_value(&r, &i, 0, &n) == 0) {
		i = skip_ws(&r, i);
		if (i < r.len)
			fail(&r, i, K_AFTER);
	}
	if (r.err_kind) {
		not_json(&r, err, errlen);
		free(r.sc);
		return -2;
	}

	i = skip_ws(&r, 0);
	if (type_at(&r, i) != JT_OBJ) {
		set_err(err, errlen, "catalog: expected object");
		free(r.sc);
		return -1;
	}
	if (!r.dry)
		out->mem = mem_new();
	for (k = 0; k < R_N; k++) { /* as pass 1 found them */
		mb[k].name = root_names[k];
		mb[k].at = r.root_at[k];
	}
	rc = get_str(&r, &mb[R_VERSION], false, "", err, errlen);
	if (rc < 0)
		goto fail;
	if (!r.dry)
		out->version = rc ? mem_str(out->mem, r.out, r.out_len) : out->mem->empty;
	cats = get_array(&r, &mb[R_CATEGORIES], true, err, errlen, &rc);
	if (rc)
		goto fail;
	svcs = get_array(&r, &mb[R_SERVICES], true, err, errlen, &rc);
	if (rc)
		goto fail;
	pop = get_array(&r, &mb[R_POPULAR], false, err, errlen, &rc);
	if (rc)
		goto fail;
	if (parse_categories(&r, cats, r.root_count[R_CATEGORIES], out, &cat_keys, err, errlen) ||
	    parse_services(&r, svcs, r.root_count[R_SERVICES], out, cat_keys, err, errlen))
		goto fail;
	if (pop != NONE && parse_popular(&r, pop, r.root_count[R_POPULAR], out, err, errlen))
		goto fail;
	if (pop == NONE && !r.dry)
		out->popular = mem_array(out->mem, 0, sizeof *out->popular);
	free(cat_keys);
	free(r.sc);
	free(r.san);
	return 0;
fail:
	free(cat_keys);
	free(r.sc);
	free(r.san);
	catalog_free(out);
	return -1;
}

int catalog_parse(const char *buf, size_t len, struct catalog *out, char *err, size_t errlen)
{
	return decode(buf, len, out, err, errlen);
}

int catalog_check(const char *buf, size_t len, char *err, size_t errlen)
{
	return decode(buf, len, NULL, err, errlen);
}
