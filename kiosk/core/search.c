/* search.c: the service search index and its matcher (see search.h).
 *
 * The matcher runs over a name's units with bit sets of query positions:
 * bit q of a set means "the first q characters of the query have been
 * consumed before this unit". A unit moves each reached q forward by the
 * character itself or by a prefix of its reading; a set reaching bit Q
 * (the query's length) is a match. Four sets run side by side: from the
 * first unit or from any unit, exactly or with one edit. With at most 32
 * query characters a set is one machine word, and a name costs a few
 * dozen word operations per character.
 */
#include "search.h"

#include <stdlib.h>
#include <string.h>

#include "pinyin.h"
#include "text.h"
#include "xmem.h"

#define MAX_UNITS 255          /* a name's characters searched (the rest is not) */
#define MAX_SYL 8              /* the longest reading is 6 letters ("zhuang") */
#define FUZZY_MIN 5            /* no typo is guessed in a shorter query */
#define FUZZY_WHEN 1           /* ...nor when anything else matched */
#define SCATTER_MIN 3          /* characters between the letters: from 3 typed */
#define SCATTER_WHEN 20        /* ...when the exact tiers find fewer than this */

/* In a unit's lead byte: a space or punctuation (it may be skipped). */
#define U_SKIP 0x80
/* In a unit's 16-bit character: a character past U+FFFF (ix->astral has it). */
#define U_ASTRAL 0xFFFF

struct text_units {
	uint32_t off;              /* into ix->cp / ix->syl / ix->lead */
	uint16_t n;
};

/* Masks (prefilters): which letters (bits 0-25, exact) and other
 * characters (bits 26-31, hashed) a text holds; for T9, which digits
 * (bits 0-9, exact: a letter sets its key's digit). */
struct svc_entry {
	struct text_units name;
	uint16_t kw_n;
	uint32_t kw_first;         /* into ix->kw */
	uint32_t mask, first;      /* what the name holds; what a match can start with */
	uint32_t kwmask;           /* what its keywords hold */
	uint16_t t9mask, t9first, kwt9mask;
	bool popular;
};

struct search_index {
	const struct catalog *cat;     /* borrowed: must outlive the index */
	size_t n;
	struct svc_entry *svc;
	struct text_units *kw;
	size_t n_kw;
	uint16_t *cp;                  /* every unit's folded character (U_ASTRAL:
	                                  see astral) */
	uint16_t *syl;                 /* its reading, 0 if none */
	uint8_t *lead;                 /* the first letter or digit a unit is typed
	                                  with (its reading's, or its own; 0: none),
	                                  | U_SKIP for spaces and punctuation */
	struct astral { uint32_t unit, cp; } *astral; /* by unit, ascending */
	size_t n_astral, cap_astral;
	size_t n_units;
	/* Readings as letters and as T9 digits, by syllable id. */
	char (*syl_txt)[MAX_SYL];
	char (*syl_t9)[MAX_SYL];
	uint8_t *syl_len;
	unsigned n_syl;
	/* search_run's buffers, sized at build. */
	uint32_t *keys, *tmp;
	struct search_hit *found;      /* by service */
	uint32_t *found_run;           /* the run that last matched it exactly */
	uint32_t run;
	struct search_hit *out;
	/* The previous query and what it matched (narrowing while typing). */
	struct search_query prev;
	bool prev_ok, cand_fuzzy, cand_scattered;
	uint32_t *cand, *cand_next;
	size_t n_cand;
};

struct search_index;
static inline uint32_t unit_cp(const struct search_index *ix, uint32_t u);

/* ---- characters ---- */

static uint32_t fold(uint32_t c)
{
	if (c >= 'A' && c <= 'Z')
		return c + 32;
	if (c >= 0xFF21 && c <= 0xFF3A) /* full-width A-Z */
		return c - 0xFF21 + 'a';
	if (c >= 0xFF41 && c <= 0xFF5A)
		return c - 0xFF41 + 'a';
	if (c >= 0xFF10 && c <= 0xFF19)
		return c - 0xFF10 + '0';
	if (c == 0x3000 || c == 0xA0 || (c >= 0x2000 && c <= 0x200A) || c == 0x202F || c == 0x205F)
		return ' ';                /* ideographic, no-break and the other spaces */
	if (c >= 0xC0 && c <= 0xDE && c != 0xD7)
		return c + 32;
	return c;
}

static bool is_alnum_ascii(uint32_t c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

/* Spaces and punctuation (after folding): a match may step over them. */
static bool is_skip(uint32_t c)
{
	if (c < 0x80)
		return !is_alnum_ascii(c);
	return (c >= 0x80 && c <= 0xBF) || c == 0xD7 || c == 0xF7 ||
	       (c >= 0x2000 && c <= 0x206F) || (c >= 0x3000 && c <= 0x303F) ||
	       (c >= 0xFE30 && c <= 0xFE4F) || (c >= 0xFF00 && c <= 0xFF0F) ||
	       (c >= 0xFF1A && c <= 0xFF20) || (c >= 0xFF3B && c <= 0xFF40) ||
	       (c >= 0xFF5B && c <= 0xFF65);
}

/* What a query may hold: nothing invisible, nothing that cannot be part
 * of a name (controls, marks, zero-width and bidi characters, emoji and
 * symbols, private use). */
static bool query_char_ok(uint32_t c)
{
	if (c < 0x20 || (c >= 0x7F && c < 0xA0))
		return false;
	if ((c >= 0x0300 && c <= 0x036F) || (c >= 0x1AB0 && c <= 0x1AFF) ||
	    (c >= 0x1DC0 && c <= 0x1DFF) || (c >= 0x20D0 && c <= 0x20FF) ||
	    (c >= 0xFE00 && c <= 0xFE0F) || (c >= 0xFE20 && c <= 0xFE2F) ||
	    (c >= 0xE0000 && c <= 0xE01EF))
		return false; /* combining marks, variation selectors, tags */
	/* Default-ignorable and invisible characters (Unicode's list), and
	 * fillers that draw as nothing. */
	if ((c >= 0x200B && c <= 0x200F) || (c >= 0x2028 && c <= 0x202E) ||
	    (c >= 0x2060 && c <= 0x206F) || c == 0xFEFF || c == 0xFFFD || c == 0xAD ||
	    c == 0x034F || c == 0x061C || c == 0x115F || c == 0x1160 || c == 0x17B4 || c == 0x17B5 ||
	    (c >= 0x180B && c <= 0x180F) || c == 0x3164 || c == 0xFFA0 || (c >= 0xFFF0 && c <= 0xFFF8) ||
	    (c >= 0x1BCA0 && c <= 0x1BCA3) || (c >= 0x1D173 && c <= 0x1D17A) || c == 0x2800)
		return false;
	if ((c >= 0x2190 && c <= 0x2BFF) || (c >= 0x1F000 && c <= 0x1FAFF) ||
	    (c >= 0xE000 && c <= 0xF8FF) || c >= 0xF0000 ||
	    (c >= 0xD800 && c <= 0xDFFF) || (c & 0xFFFE) == 0xFFFE)
		return false;
	return true;
}

int search_t9_digit(int l)
{
	static const char t9[] = "22233344455566677778889999";
	return l >= 'a' && l <= 'z' ? t9[l - 'a'] - '0' : 0;
}

int search_query_parse(const char *s, bool t9, struct search_query *q)
{
	memset(q, 0, sizeof *q);
	q->t9 = t9;
	int dropped = 0;
	size_t len = strlen(s);
	for (size_t i = 0; i < len;) {
		unsigned u;
		size_t k = text_utf8_decode(s + i, len - i, &u);
		i += k;
		uint32_t c = fold(u);
		bool ok = t9 ? (c >= '0' && c <= '9') : query_char_ok(c);
		if (!ok) {
			/* Punctuation typed is simply not part of a search. */
			if (!(c < 0x80 && c >= 0x20 && c != 0x7F) || t9)
				dropped++;
			continue;
		}
		if (c != ' ' && is_skip(c))
			continue; /* punctuation, ASCII or full-width: names skip theirs too */
		if (c == ' ' && (q->n == 0 || q->cp[q->n - 1] == ' '))
			continue; /* no leading or doubled spaces */
		if (q->n == SEARCH_MAX_QUERY) {
			dropped++;
			continue;
		}
		q->cp[q->n++] = c;
	}
	while (q->n > 0 && q->cp[q->n - 1] == ' ')
		q->n--;
	return dropped;
}

/* A unit's character. */
static inline uint32_t unit_cp(const struct search_index *ix, uint32_t u)
{
	uint32_t c = ix->cp[u];
	if (c != U_ASTRAL)
		return c;
	size_t lo = 0, hi = ix->n_astral;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (ix->astral[mid].unit < u)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < ix->n_astral && ix->astral[lo].unit == u ? ix->astral[lo].cp : 0xFFFD;
}

/* ---- masks: which letters, digits and other characters a text holds ---- */

static uint32_t cp_bit(uint32_t c)
{
	if (c >= 'a' && c <= 'z')
		return 1u << (c - 'a');
	if (c == ' ')
		return 0;
	return 1u << (26 + (c * 2654435761u >> 7) % 6);
}

static uint16_t t9_bit(uint32_t c)
{
	if (c >= 'a' && c <= 'z')
		return (uint16_t)(1u << search_t9_digit((int)c));
	if (c >= '0' && c <= '9')
		return (uint16_t)(1u << (c - '0'));
	return 0;
}

/* ---- building ---- */

/* The units a text gives: its characters, at most MAX_UNITS (valid UTF-8,
 * as the catalog decoder leaves it; units_add still grows the arrays if a
 * text holds more). */
static size_t units_of(const char *s)
{
	size_t n = text_chars(s, strlen(s));
	return n < MAX_UNITS ? n : MAX_UNITS;
}

static void units_add(struct search_index *ix, size_t *cap, const char *s, struct text_units *tu)
{
	size_t len = strlen(s);
	uint32_t cps[MAX_UNITS];
	size_t n = 0;
	for (size_t i = 0; i < len && n < MAX_UNITS;) {
		unsigned u;
		i += text_utf8_decode(s + i, len - i, &u);
		cps[n++] = u;
	}
	if (ix->n_units + n > *cap) {
		while (ix->n_units + n > *cap)
			*cap = *cap ? *cap * 2 : 4096;
		ix->cp = xrealloc(ix->cp, *cap * sizeof *ix->cp);
		ix->syl = xrealloc(ix->syl, *cap * sizeof *ix->syl);
		ix->lead = xrealloc(ix->lead, *cap);
	}
	tu->off = (uint32_t)ix->n_units;
	tu->n = (uint16_t)n;
	/* Readings first, on the characters as written (the phrase table
	 * knows 銀行 and 银行, not case-folded Latin). */
	if (n)
		pinyin_read(cps, n, ix->syl + ix->n_units);
	for (size_t i = 0; i < n; i++) {
		uint32_t c = fold(cps[i]);
		size_t u = ix->n_units + i;
		if (c >= U_ASTRAL) {
			if (ix->n_astral == ix->cap_astral) {
				ix->cap_astral = ix->cap_astral ? ix->cap_astral * 2 : 16;
				ix->astral = xrealloc(ix->astral, ix->cap_astral * sizeof *ix->astral);
			}
			ix->astral[ix->n_astral++] = (struct astral){ (uint32_t)u, c };
			ix->cp[u] = U_ASTRAL;
		} else {
			ix->cp[u] = (uint16_t)c;
		}
		ix->lead[u] = is_skip(c) ? U_SKIP : 0; /* its letter is added at the end of the build */
		if (ix->syl[ix->n_units + i] > ix->n_syl)
			ix->syl[ix->n_units + i] = 0;
	}
	ix->n_units += n;
}

static void units_masks(const struct search_index *ix, const struct text_units *tu,
                        uint32_t *mask, uint16_t *t9mask, uint32_t *first, uint16_t *t9first)
{
	for (unsigned i = 0; i < tu->n; i++) {
		uint32_t c = unit_cp(ix, tu->off + i);
		unsigned s = ix->syl[tu->off + i];
		if (ix->lead[tu->off + i] & U_SKIP)
			continue;
		*mask |= cp_bit(c);
		*t9mask = (uint16_t)(*t9mask | t9_bit(c));
		if (first) {
			*first |= cp_bit(c);
			*t9first = (uint16_t)(*t9first | t9_bit(c));
		}
		if (s) {
			const char *t = ix->syl_txt[s];
			for (int k = 0; t[k]; k++) {
				*mask |= cp_bit((uint32_t)t[k]);
				*t9mask = (uint16_t)(*t9mask | t9_bit((uint32_t)t[k]));
			}
			if (first) {
				*first |= cp_bit((uint32_t)t[0]);
				*t9first = (uint16_t)(*t9first | t9_bit((uint32_t)t[0]));
			}
		}
	}
}

struct search_index *search_build(const struct catalog *c)
{
	struct search_index *ix = xcalloc(1, sizeof *ix);
	ix->cat = c;
	ix->n = c->n_svcs;
	ix->svc = xcalloc(ix->n ? ix->n : 1, sizeof *ix->svc);
	ix->n_syl = pinyin_n_syllables();
	ix->syl_txt = xcalloc(ix->n_syl + 1, sizeof *ix->syl_txt);
	ix->syl_t9 = xcalloc(ix->n_syl + 1, sizeof *ix->syl_t9);
	ix->syl_len = xcalloc(ix->n_syl + 1, 1);
	for (unsigned s = 1; s <= ix->n_syl; s++) {
		const char *t = pinyin_syllable(s);
		size_t l = t ? strlen(t) : 0;
		if (l >= MAX_SYL)
			l = MAX_SYL - 1;
		for (size_t k = 0; k < l; k++) {
			ix->syl_txt[s][k] = t[k];
			ix->syl_t9[s][k] = (char)('0' + search_t9_digit(t[k]));
		}
		ix->syl_len[s] = (uint8_t)l;
	}
	size_t n_kw = 0;
	for (size_t i = 0; i < ix->n; i++)
		n_kw += c->svcs[i].n_keywords;
	ix->kw = xcalloc(n_kw ? n_kw : 1, sizeof *ix->kw);
	/* The units counted first: allocated once, at their size (growing
	 * them would hold the old and the new arrays at once). */
	size_t cap = 0;
	for (size_t i = 0; i < ix->n; i++) {
		cap += units_of(c->svcs[i].name);
		for (size_t k = 0; k < c->svcs[i].n_keywords; k++)
			cap += units_of(c->svcs[i].keywords[k]);
	}
	if (cap) {
		ix->cp = xmalloc(cap * sizeof *ix->cp);
		ix->syl = xmalloc(cap * sizeof *ix->syl);
		ix->lead = xmalloc(cap);
	}
	for (size_t i = 0; i < ix->n; i++) {
		const struct service_brief *b = &c->svcs[i];
		struct svc_entry *e = &ix->svc[i];
		units_add(ix, &cap, b->name, &e->name);
		units_masks(ix, &e->name, &e->mask, &e->t9mask, &e->first, &e->t9first);
		e->kw_first = (uint32_t)ix->n_kw;
		for (size_t k = 0; k < b->n_keywords; k++) {
			struct text_units *t = &ix->kw[ix->n_kw++];
			units_add(ix, &cap, b->keywords[k], t);
			units_masks(ix, t, &e->kwmask, &e->kwt9mask, NULL, NULL);
		}
		e->kw_n = (uint16_t)(ix->n_kw - e->kw_first);
	}
	for (size_t i = 0; i < c->n_popular; i++)
		if (c->popular[i] < ix->n)
			ix->svc[c->popular[i]].popular = true;
	/* Trim the unit arrays to size; the run buffers are per service. */
	if (ix->n_units) {
		ix->cp = xrealloc(ix->cp, ix->n_units * sizeof *ix->cp);
		ix->syl = xrealloc(ix->syl, ix->n_units * sizeof *ix->syl);
		ix->lead = xrealloc(ix->lead, ix->n_units);
	}
	for (size_t u = 0; u < ix->n_units; u++) {
		unsigned syl = ix->syl[u];
		uint32_t ch = ix->cp[u];
		if (syl)
			ix->lead[u] |= (uint8_t)ix->syl_txt[syl][0];
		else if (is_alnum_ascii(ch))
			ix->lead[u] |= (uint8_t)ch;
	}
	size_t m = ix->n ? ix->n : 1;
	ix->keys = xcalloc(m, sizeof *ix->keys);
	ix->tmp = xcalloc(m, sizeof *ix->tmp);
	ix->found = xcalloc(m, sizeof *ix->found);
	ix->found_run = xcalloc(m, sizeof *ix->found_run);
	ix->cand = xcalloc(m, sizeof *ix->cand);
	ix->cand_next = xcalloc(m, sizeof *ix->cand_next);
	ix->out = xcalloc(m, sizeof *ix->out);
	ix->n_kw = n_kw;
	return ix;
}

void search_free(struct search_index *ix)
{
	if (!ix)
		return;
	free(ix->svc);
	free(ix->kw);
	free(ix->cp);
	free(ix->syl);
	free(ix->lead);
	free(ix->astral);
	free(ix->syl_txt);
	free(ix->syl_t9);
	free(ix->syl_len);
	free(ix->keys);
	free(ix->tmp);
	free(ix->found);
	free(ix->found_run);
	free(ix->cand);
	free(ix->cand_next);
	free(ix->out);
	free(ix);
}

size_t search_index_bytes(const struct search_index *ix)
{
	size_t m = ix->n ? ix->n : 1;
	return sizeof *ix + ix->n * sizeof *ix->svc + ix->n_kw * sizeof *ix->kw +
	       ix->n_units * (sizeof *ix->cp + sizeof *ix->syl + 1) + ix->cap_astral * sizeof *ix->astral +
	       (ix->n_syl + 1) * (2 * MAX_SYL + 1) +
	       m * (2 * sizeof *ix->keys + 2 * sizeof *ix->found + 3 * sizeof(uint32_t));
}

/* ---- matching ---- */

struct matcher {
	const struct search_index *ix;
	const uint32_t *q;          /* the query */
	int n;                      /* its length */
	bool t9;
	uint64_t spaces;            /* bits of the query's spaces */
	uint64_t all;               /* bits 0..n */
};

/* How many query characters from position p the reading of s takes as a
 * prefix (0 when none). */
static int lcp(const struct matcher *m, int p, const char *s, int slen)
{
	int k = 0;
	while (k < slen && p + k < m->n && m->q[p + k] == (uint32_t)(unsigned char)s[k])
		k++;
	return k;
}

static const char *reading(const struct matcher *m, unsigned syl, int *len)
{
	*len = m->ix->syl_len[syl];
	return m->t9 ? m->ix->syl_t9[syl] : m->ix->syl_txt[syl];
}

/* Does query character at p stand for the unit's own character? */
static bool literal(const struct matcher *m, int p, uint32_t c)
{
	uint32_t qc = m->q[p];
	if (qc == c)
		return true;
	if (m->t9 && c >= 'a' && c <= 'z')
		return qc == (uint32_t)('0' + search_t9_digit((int)c));
	return false;
}

/* Bits q..q+k (inclusive of both ends: q+1..q+k when from is q+1). */
static uint64_t bits_range(int from, int to)
{
	if (to < from)
		return 0;
	uint64_t hi = to >= 63 ? ~0ull : (1ull << (to + 1)) - 1;
	return hi & ~((1ull << from) - 1);
}

/* A query space may be passed over without a unit. */
static inline uint64_t close_spaces(const struct matcher *m, uint64_t x)
{
	if (!m->spaces)
		return x & m->all;
	uint64_t y;
	while ((y = x | ((x & m->spaces) << 1)) != x)
		x = y;
	return x & m->all;
}

/* The exact step: where each position in x gets to over unit u. */
static inline uint64_t step(const struct matcher *m, uint32_t u, uint64_t x)
{
	const struct search_index *ix = m->ix;
	uint32_t c = unit_cp(ix, u);
	unsigned syl = ix->syl[u];
	uint64_t next = 0;
	if (ix->lead[u] & U_SKIP)
		next |= x; /* stepped over */
	uint64_t todo = x & ~(1ull << m->n);
	while (todo) {
		int p = __builtin_ctzll(todo);
		todo &= todo - 1;
		if (literal(m, p, c))
			next |= 1ull << (p + 1);
		if (syl) {
			int sl;
			const char *s = reading(m, syl, &sl);
			int k = lcp(m, p, s, sl);
			if (k)
				next |= bits_range(p + 1, p + k);
		}
	}
	return close_spaces(m, next);
}

/* One edit over unit u, from the exact set x: a letter of the reading
 * missing, two of its letters swapped, or the whole unit missing (its
 * initial left out). An extra letter in the query is the caller's. */
static uint64_t step_edit(const struct matcher *m, uint32_t u, uint64_t x)
{
	const struct search_index *ix = m->ix;
	unsigned syl = ix->syl[u];
	/* The unit missing altogether (once the match has begun: the first
	 * letter is never a typo, so a match never begins with an edit). */
	uint64_t next = x & ~1ull;
	if (!syl)
		return next;
	int sl;
	const char *s = reading(m, syl, &sl);
	uint64_t todo = x & ~(1ull << m->n);
	while (todo) {
		int p = __builtin_ctzll(todo);
		todo &= todo - 1;
		int pre = lcp(m, p, s, sl);
		/* s[j] missing: the query has s[0..j) then s[j+1..] */
		for (int j = p == 0; j <= pre && j < sl - 1; j++) {
			int k = lcp(m, p + j, s + j + 1, sl - j - 1);
			if (k)
				next |= bits_range(p + j + 1, p + j + k);
		}
		/* s[j] and s[j+1] swapped */
		for (int j = p == 0; j <= pre && j < sl - 1; j++) {
			if (p + j + 1 >= m->n)
				break;
			if (m->q[p + j] == (uint32_t)(unsigned char)s[j + 1] &&
			    m->q[p + j + 1] == (uint32_t)(unsigned char)s[j]) {
				int k = lcp(m, p + j + 2, s + j + 2, sl - j - 2);
				next |= bits_range(p + j + 2, p + j + 2 + k);
			}
		}
	}
	return next;
}

/* Two units' initials swapped (gjjqt for 公积金提取): from x before unit
 * u, the positions after unit u + 1. */
static uint64_t step_swap2(const struct matcher *m, uint32_t u, uint64_t x)
{
	const struct search_index *ix = m->ix;
	unsigned a = ix->syl[u], b = ix->syl[u + 1];
	if (!a || !b)
		return 0;
	int la, lb;
	const char *sa = reading(m, a, &la), *sb = reading(m, b, &lb);
	uint64_t next = 0, todo = x & ~(1ull << m->n) & ~1ull; /* never the first letter */
	while (todo) {
		int p = __builtin_ctzll(todo);
		todo &= todo - 1;
		if (p + 1 < m->n && m->q[p] == (uint32_t)(unsigned char)sb[0] &&
		    m->q[p + 1] == (uint32_t)(unsigned char)sa[0] && sa[0] != sb[0])
			next |= 1ull << (p + 2);
	}
	return next;
}

enum { M_PREFIX = 1, M_ANY = 2, M_FUZZY = 4, M_ANCHOR = 8 /* starts at `from` only */,
       M_GAPS = 16 /* from any unit, with whole units left out between */ };

struct match {
	int prefix_end;     /* units consumed by a match from the first unit, or -1 */
	bool prefix_whole;  /* ...and it took the whole name */
	int any_end;        /* the first unit after a match from any unit, or -1 */
	int fuzzy_end;      /* the same with one edit, or -1 */
	int gaps_end;       /* the same with units left out between, or -1 */
};

/* Can a match begin at unit u: it takes the query's first character?
 * (A typo is never guessed in the first letter: people rarely get it
 * wrong, and guessing it would make every unit a start.) */
static inline bool could_start(const struct matcher *m, uint32_t u)
{
	const struct search_index *ix = m->ix;
	uint32_t lead = ix->lead[u] & ~U_SKIP, c = unit_cp(ix, u);
	if (m->t9 && lead >= 'a')
		lead = (uint32_t)('0' + search_t9_digit((int)lead));
	return m->q[0] == c || (lead && m->q[0] == lead);
}

/* Runs the query over units [off, off+n) from unit `from`. */
static void match_units(const struct matcher *m, uint32_t off, unsigned n, unsigned from,
                        int modes, struct match *r)
{
	uint64_t goal = 1ull << m->n;
	uint64_t p0 = (modes & M_PREFIX) ? close_spaces(m, 1) : 0, s0 = 0, s1 = 0, pend = 0, g = 0;
	r->prefix_end = r->any_end = r->fuzzy_end = r->gaps_end = -1;
	r->prefix_whole = false;
	bool fuzzy = (modes & M_FUZZY) && m->n >= FUZZY_MIN;
	/* While nothing is under way, jump to the next unit typed with the
	 * query's first letter (a letter or digit: every such unit has it as
	 * its lead). */
	bool jump = !(modes & (M_PREFIX | M_ANCHOR)) && !m->t9 && m->n > 0 && m->q[0] < 0x80 &&
	            is_alnum_ascii(m->q[0]);
	const uint8_t *lead = m->ix->lead + off;
	for (unsigned i = from; i < n; i++) {
		if (jump && !s0 && !s1 && !pend && !g) {
			uint8_t q0 = (uint8_t)m->q[0];
			while (i < n && lead[i] != q0)
				i++;
			if (i == n)
				break;
		}
		uint32_t u = off + i;
		if (modes & (M_ANY | M_FUZZY | M_GAPS)) {
			/* A match may start at any unit that is not a space (and
			 * that can take the start of the query). */
			if (!(m->ix->lead[u] & U_SKIP) && (!(modes & M_ANCHOR) || i == from) &&
			    could_start(m, u)) {
				if (modes & M_GAPS)
					g |= close_spaces(m, 1);
				else
					s0 |= close_spaces(m, 1);
			}
		}
		if (modes & M_GAPS) {
			/* Each unit taken or, if it is a Chinese character (or a
			 * space), left out once the match has begun: a syllable
			 * between the ones typed. Latin letters are never left
			 * out: "licnece" is no abbreviation of a word. */
			uint64_t left = (m->ix->syl[u] || (m->ix->lead[u] & U_SKIP)) ? g & ~1ull : 0;
			g = step(m, u, g) | left;
			if ((g & goal) && r->gaps_end < 0) {
				r->gaps_end = (int)(i + 1);
				break;
			}
			continue;
		}
		if (!p0 && !s0 && !s1 && !pend)
			continue; /* nothing under way here */
		uint64_t n1 = 0;
		if (fuzzy) {
			uint64_t x1 = s1 | (((s0 & ~1ull) << 1) & m->all); /* an extra query letter */
			n1 = step(m, u, x1) | step_edit(m, u, s0) | pend;
			pend = i + 1 < n ? step_swap2(m, u, s0) : 0;
		}
		if (p0) {
			p0 = step(m, u, p0);
			if ((p0 & goal) && r->prefix_end < 0) {
				r->prefix_end = (int)(i + 1);
				if (!(modes & (M_ANY | M_FUZZY)))
					break;
			}
		}
		if (modes & (M_ANY | M_FUZZY)) {
			s0 = step(m, u, s0);
			if ((s0 & goal) && r->any_end < 0) {
				r->any_end = (int)(i + 1);
				if (!(modes & M_PREFIX) || r->prefix_end >= 0)
					break;
			}
		}
		if (fuzzy) {
			s1 = close_spaces(m, n1 | (((s0 & ~1ull) << 1) & m->all));
			if ((s1 & goal) && r->fuzzy_end < 0) {
				r->fuzzy_end = (int)(i + 1);
				if (!(modes & (M_ANY | M_PREFIX)))
					break;
				fuzzy = false; /* known: the exact sets go on */
			}
		}
		if (!p0 && !(modes & (M_ANY | M_FUZZY)))
			break;
	}
	if (r->prefix_end >= 0) {
		/* The whole name: nothing but spaces after the match's end. */
		unsigned e = (unsigned)r->prefix_end;
		while (e < n && (m->ix->lead[off + e] & U_SKIP))
			e++;
		r->prefix_whole = e == n;
	}
}

static void matcher_init(struct matcher *m, const struct search_index *ix, const struct search_query *q)
{
	m->ix = ix;
	m->q = q->cp;
	m->n = q->n;
	m->t9 = q->t9;
	m->spaces = 0;
	for (int i = 0; i < q->n; i++)
		if (q->cp[i] == ' ')
			m->spaces |= 1ull << i;
	m->all = bits_range(0, q->n);
}

static bool prefix_literal(const struct matcher *m, const struct text_units *t)
{
	if (t->n < m->n)
		return false;
	for (int i = 0; i < m->n; i++)
		if (!literal(m, i, unit_cp(m->ix, t->off + i)))
			return false;
	return true;
}

static bool prefix_initials(const struct matcher *m, const struct text_units *t)
{
	if (t->n < m->n)
		return false;
	for (int i = 0; i < m->n; i++) {
		uint32_t u = t->off + (uint32_t)i;
		unsigned s = m->ix->syl[u];
		if (s) {
			int sl;
			const char *r = reading(m, s, &sl);
			if (m->q[i] != (uint32_t)(unsigned char)r[0])
				return false;
		} else if (!literal(m, i, m->ix->cp[u]) || m->ix->cp[u] >= 0x80) {
			return false; /* a character typed is a name prefix, not initials */
		}
	}
	return true;
}

/* Case-insensitive (ASCII) search for the query's text in a summary. */
static bool summary_has(const struct matcher *m, const char *s)
{
	if (m->t9 || m->n < 2 || !s || !*s)
		return false;
	size_t len = strlen(s);
	for (size_t i = 0; i < len;) {
		size_t j = i;
		int k = 0;
		while (k < m->n && j < len) {
			unsigned u;
			j += text_utf8_decode(s + j, len - j, &u);
			if (fold(u) != m->q[k])
				break;
			k++;
		}
		if (k == m->n)
			return true;
		unsigned u;
		i += text_utf8_decode(s + i, len - i, &u);
	}
	return false;
}

/* The query's mask and its first character's, as the names' (T9: digits). */
static uint32_t query_mask(const struct search_query *q, uint32_t *first)
{
	uint32_t mk = 0;
	for (int i = 0; i < q->n; i++)
		mk |= q->t9 ? t9_bit(q->cp[i]) : cp_bit(q->cp[i]);
	*first = q->n ? (q->t9 ? t9_bit(q->cp[0]) : cp_bit(q->cp[0])) : 0;
	return mk;
}

/* Sorting: tier, popular first, shorter names, catalog order, in one key. */
#define KEY_IDX_BITS 19
static uint32_t hit_key(const struct search_index *ix, const struct search_hit *h, bool t9)
{
	uint32_t svc = h->svc;
	int tier = h->tier;
	/* Shorter names first; with characters between, the tighter match. */
	unsigned len = tier == ST_SCATTERED ? (unsigned)(h->end - h->start) : ix->svc[svc].name.n;
	if (len > 255)
		len = 255;
	bool popular = ix->svc[svc].popular;
	unsigned primary = (unsigned)tier;
	/* T9 is ambiguous by nature (4 5 5 8 7 is gjjtq and gljts alike): as
	 * on a phone, what is asked for most comes first, then the tiers;
	 * keywords and typos stay last. */
	if (t9)
		primary = tier <= ST_SUBSTRING ? (popular ? 0u : (unsigned)ST_SUBSTRING + 1) + (unsigned)tier
		                               : (unsigned)tier + 2 * ST_SUBSTRING;
	return (uint32_t)primary << 28 | (uint32_t)!popular << 27 | len << KEY_IDX_BITS | svc;
}

static void radix_sort(uint32_t *a, uint32_t *tmp, size_t n)
{
	for (int shift = 0; shift < 32; shift += 8) {
		size_t count[257] = { 0 };
		for (size_t i = 0; i < n; i++)
			count[((a[i] >> shift) & 0xFF) + 1]++;
		for (int b = 0; b < 256; b++)
			count[b + 1] += count[b];
		for (size_t i = 0; i < n; i++)
			tmp[count[(a[i] >> shift) & 0xFF]++] = a[i];
		memcpy(a, tmp, n * sizeof *a);
	}
}

/* Where a match found from any unit begins: the first unit from which it
 * matches (only for the hits returned, so the search itself need not
 * track it). */
static unsigned match_start(const struct matcher *m, const struct text_units *t,
                            const struct search_hit *h)
{
	int modes = M_ANCHOR | (h->tier == ST_FUZZY ? M_ANY | M_FUZZY : h->tier == ST_SCATTERED ? M_GAPS : M_ANY);
	for (unsigned i = 0; i < h->end && i < t->n; i++) {
		struct match r;
		match_units(m, t->off, t->n, i, modes, &r);
		int end = h->tier == ST_FUZZY ? r.fuzzy_end : h->tier == ST_SCATTERED ? r.gaps_end : r.any_end;
		if (end >= 0)
			return i;
	}
	return 0;
}

/* The exact tiers (everything but typos) for service i. */
static bool classify_exact(const struct matcher *m, uint32_t i, uint32_t qmask, uint32_t qfirst,
                           struct search_hit *h)
{
	const struct search_index *ix = m->ix;
	const struct svc_entry *e = &ix->svc[i];
	uint32_t mask = m->t9 ? e->t9mask : e->mask;
	uint32_t first = m->t9 ? e->t9first : e->first;
	h->svc = i;
	h->keyword = -1;
	h->start = h->end = 0;
	h->tier = ST_COUNT;
	if (!(qmask & ~mask) && (qfirst & first)) {
		struct match r;
		if (prefix_literal(m, &e->name)) {
			match_units(m, e->name.off, e->name.n, 0, M_PREFIX, &r);
			h->tier = r.prefix_whole ? ST_EXACT : ST_NAME_PREFIX;
			h->end = (uint8_t)(r.prefix_end > 0 ? r.prefix_end : m->n);
			return true;
		}
		if (prefix_initials(m, &e->name)) {
			h->tier = e->name.n == (unsigned)m->n ? ST_EXACT : ST_INITIALS_PREFIX;
			h->end = (uint8_t)m->n;
			return true;
		}
		if (m->n == 1 && ((m->q[0] >= 'a' && m->q[0] <= 'z') || m->t9)) {
			/* One letter or digit: the masks already say it is in
			 * the name at the start of a character. */
			h->tier = ST_SUBSTRING;
			h->start = 0xFF;
			h->end = 0;
			return true;
		}
		match_units(m, e->name.off, e->name.n, 0, M_PREFIX | M_ANY, &r);
		if (r.prefix_end >= 0) {
			h->tier = r.prefix_whole ? ST_EXACT : ST_PINYIN_PREFIX;
			h->end = (uint8_t)r.prefix_end;
			return true;
		}
		if (r.any_end >= 0) {
			h->tier = ST_SUBSTRING;
			h->end = (uint8_t)r.any_end;
			h->start = 0xFF; /* found by match_start for the hits returned */
			return true;
		}
	}
	uint32_t kwmask = m->t9 ? e->kwt9mask : e->kwmask;
	if (e->kw_n && !(qmask & ~kwmask)) {
		for (uint32_t k = 0; k < e->kw_n; k++) {
			const struct text_units *t = &ix->kw[e->kw_first + k];
			struct match r;
			match_units(m, t->off, t->n, 0, M_ANY, &r);
			if (r.any_end >= 0) {
				h->tier = ST_KEYWORD;
				h->keyword = (int16_t)k;
				return true;
			}
		}
	}
	if (summary_has(m, ix->cat->svcs[i].summary)) {
		h->tier = ST_KEYWORD;
		return true;
	}
	return false;
}

/* The name with characters between the ones typed, or with one typo (for
 * services the exact tiers missed, when they found little). */
static bool classify_fallback(const struct matcher *m, uint32_t i, uint32_t qmask, uint32_t qfirst,
                              bool scattered, bool fuzzy, struct search_hit *h)
{
	const struct svc_entry *e = &m->ix->svc[i];
	uint32_t missing = qmask & ~(uint32_t)e->mask;
	if (!(qfirst & e->first))
		return false; /* the first letter is never a typo */
	struct match r;
	h->svc = i;
	h->keyword = -1;
	h->start = 0xFF;
	if (scattered && !missing) {
		match_units(m, e->name.off, e->name.n, 0, M_GAPS, &r);
		if (r.gaps_end >= 0) {
			/* The tightest run: from each unit that can begin it. */
			int best = 1 << 30;
			for (unsigned k = 0; k < e->name.n && k < (unsigned)r.gaps_end; k++) {
				if (!could_start(m, e->name.off + k))
					continue;
				struct match a;
				match_units(m, e->name.off, e->name.n, k, M_GAPS | M_ANCHOR, &a);
				if (a.gaps_end >= 0 && a.gaps_end - (int)k < best) {
					best = a.gaps_end - (int)k;
					h->start = (uint8_t)k;
					h->end = (uint8_t)a.gaps_end;
				}
			}
			h->tier = ST_SCATTERED;
			return true;
		}
	}
	if (!fuzzy || (missing & (missing - 1)))
		return false; /* two letters it does not have: more than one typo */
	match_units(m, e->name.off, e->name.n, 0, M_FUZZY, &r);
	if (r.fuzzy_end < 0)
		return false;
	h->tier = ST_FUZZY;
	h->end = (uint8_t)r.fuzzy_end;
	return true;
}

/* Is q the previous query with more typed after it? */
static bool extends(const struct search_index *ix, const struct search_query *q)
{
	const struct search_query *p = &ix->prev;
	/* (Not from one character: summaries are searched from two.) */
	if (!ix->prev_ok || p->t9 != q->t9 || q->n <= p->n || p->n < 2)
		return false;
	return !memcmp(p->cp, q->cp, (size_t)p->n * sizeof p->cp[0]);
}

size_t search_run(struct search_index *ix, const struct search_query *q,
                  size_t max_hits, const struct search_hit **hits)
{
	*hits = ix->out;
	if (q->n == 0 || ix->n == 0 || ix->n >= (1u << KEY_IDX_BITS)) {
		ix->prev_ok = false;
		return 0;
	}
	struct matcher m;
	matcher_init(&m, ix, q);
	uint32_t qfirst;
	uint32_t qmask = query_mask(q, &qfirst);
	/* Typing on: what matches now matched the shorter query too (a match
	 * of the longer one, its last character taken off, is a match), so
	 * only the previous matches are looked at again. Typos are sought
	 * among all services unless the previous run sought them too. */
	bool narrow = extends(ix, q);
	ix->run++;
	const uint32_t *scope = narrow ? ix->cand : NULL;
	size_t n_scope = narrow ? ix->n_cand : ix->n;
	bool prev_scattered = ix->cand_scattered, prev_fuzzy = ix->cand_fuzzy;
	size_t n = 0, nc = 0;
	uint32_t *next = ix->cand_next;
	for (size_t k = 0; k < n_scope; k++) {
		uint32_t i = scope ? scope[k] : (uint32_t)k;
		struct search_hit *h = &ix->found[i];
		if (classify_exact(&m, i, qmask, qfirst, h)) {
			ix->found_run[i] = ix->run;
			ix->keys[n++] = hit_key(ix, h, q->t9);
			next[nc++] = i;
		}
	}
	/* Where the exact tiers find little, names with characters between
	 * the ones typed (sbcx: 社保缴费查询); where nothing at all matched,
	 * names with one letter wrong: guesses, offered after what was typed.
	 * Not in T9, whose digits are guesses already. */
	bool scattered = !q->t9 && q->n >= SCATTER_MIN && n < SCATTER_WHEN;
	bool fuzzy = false;
	for (int pass = 0; pass < 2; pass++) {
		/* Pass 0: characters between; pass 1, only if nothing at all
		 * matched yet: one typo. */
		if (pass == 1)
			fuzzy = !q->t9 && q->n >= FUZZY_MIN && n < FUZZY_WHEN;
		if (pass == 0 ? !scattered : !fuzzy)
			continue;
		/* The previous matches hold this run's guesses only if that run
		 * made the same kind of guess. */
		bool keep = narrow && (pass == 0 ? prev_scattered : prev_fuzzy);
		const uint32_t *fs = keep ? scope : NULL;
		size_t n_fs = keep ? n_scope : ix->n;
		for (size_t k = 0; k < n_fs; k++) {
			uint32_t i = fs ? fs[k] : (uint32_t)k;
			struct search_hit *h = &ix->found[i];
			if (ix->found_run[i] == ix->run)
				continue; /* matched already in this run */
			if (classify_fallback(&m, i, qmask, qfirst, pass == 0, pass == 1, h)) {
				ix->found_run[i] = ix->run;
				ix->keys[n++] = hit_key(ix, h, q->t9);
				next[nc++] = i;
			}
		}
	}
	ix->cand_next = ix->cand;
	ix->cand = next;
	ix->n_cand = nc;
	ix->cand_fuzzy = fuzzy;
	ix->cand_scattered = scattered;
	ix->prev = *q;
	ix->prev_ok = true;
	radix_sort(ix->keys, ix->tmp, n);
	size_t total = n;
	if (max_hits && n > max_hits)
		n = max_hits;
	for (size_t k = 0; k < n; k++) {
		struct search_hit *h = &ix->out[k];
		*h = ix->found[ix->keys[k] & ((1u << KEY_IDX_BITS) - 1)];
		if (h->start == 0xFF && h->end == 0) {
			/* found by the masks alone: where, for the highlight */
			struct match r;
			const struct text_units *t = &ix->svc[h->svc].name;
			match_units(&m, t->off, t->n, 0, M_ANY, &r);
			h->end = (uint8_t)(r.any_end > 0 ? r.any_end : 0);
		}
		if (h->start == 0xFF)
			h->start = (uint8_t)match_start(&m, &ix->svc[h->svc].name, h);
	}
	return total;
}

void search_forget(struct search_index *ix)
{
	if (!ix)
		return;
	explicit_bzero(&ix->prev, sizeof ix->prev);
	ix->prev_ok = false;
}

/* ---- highlighting ---- */

static size_t unit_byte(const char *s, unsigned unit)
{
	size_t len = strlen(s), i = 0;
	for (unsigned k = 0; k < unit && i < len; k++) {
		unsigned u;
		i += text_utf8_decode(s + i, len - i, &u);
	}
	return i;
}

void search_hit_span(const struct search_index *ix, const struct search_hit *h,
                     size_t *b0, size_t *b1)
{
	const char *name = ix->cat->svcs[h->svc].name;
	*b0 = unit_byte(name, h->start);
	*b1 = unit_byte(name, h->end);
	if (*b1 < *b0)
		*b1 = *b0;
}
