/* search.h: finding a service as the citizen types (pure core).
 *
 * search_build() indexes a catalog once (when it arrives): for every
 * character of every name and keyword, the character folded (ASCII and
 * Latin-1 lower case, full-width forms as ASCII) and its pinyin read in
 * context (pinyin.h). A query is then matched against that, so one index
 * answers Chinese characters (substring), full pinyin (shebao), initials
 * (sbcx), both mixed (yyguahao, 社保cx), Latin (ETC, English words), T9
 * digits (4 5 5 8 7 = gjjtq) and one typo (an extra, missing or swapped
 * letter) in pinyin.
 *
 * Each character of a name is a *unit*: a query consumes a unit by the
 * character itself, or, where it has a reading, by any non-empty prefix of
 * that reading (so "s", "sh" and "she" all consume 社). Spaces and
 * punctuation in a name may be skipped. A match is a run of consecutive
 * units that consumes the whole query.
 *
 * Ranking (search_run): the tiers below, then popular services first, then
 * shorter names, then catalog order. T9 digits are ambiguous (4 5 5 8 7 is
 * gjjtq and gljts), so there popular services come first across the tiers
 * down to ST_SUBSTRING, as a phone ranks by use.
 *
 * Ownership: the index keeps its own copy of the characters and readings
 * it matches against, but borrows the catalog (summaries, names for
 * highlighting) and a hit's svc is an index into it: free the index
 * before the catalog, and build a new one whenever the catalog changes. search_run allocates nothing: it
 * writes into the index's own buffers (sized at build), so one index is
 * used by one thread at a time.
 */
#ifndef KIOSK_SEARCH_H
#define KIOSK_SEARCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model.h"

/* The longest query, in characters (longer input is cut there). */
#define SEARCH_MAX_QUERY 32

enum search_tier {
	ST_EXACT,            /* the whole name, in any form */
	ST_NAME_PREFIX,      /* the name begins with the characters typed */
	ST_INITIALS_PREFIX,  /* initials from the first character: sbcx */
	ST_PINYIN_PREFIX,    /* pinyin (full or mixed) from the first character */
	ST_SUBSTRING,        /* any form, from a later character (or word) */
	ST_KEYWORD,          /* a keyword (any form) or the summary (characters) */
	ST_SCATTERED,        /* with characters between: sbcx for 社保缴费查询 */
	ST_FUZZY,            /* the name with one typo in the pinyin */
	ST_COUNT
};

struct search_query {
	uint32_t cp[SEARCH_MAX_QUERY];  /* folded */
	int n;
	bool t9;                        /* cp are digits 2-9 standing for letters */
};

/* Reads typed text into a query: folds case and full-width forms, drops
 * spaces at the ends, control characters, marks and anything that cannot
 * be in a name (emoji...). Returns the number of characters dropped
 * (not counting spaces), so the screen can say so. With t9, only the
 * digits 0-9 are kept. */
int search_query_parse(const char *utf8, bool t9, struct search_query *q);

struct search_hit {
	uint32_t svc;          /* index into the catalog's svcs */
	uint8_t tier;          /* enum search_tier */
	uint8_t start, end;    /* the units of the name that matched; equal: none (keyword) */
	int16_t keyword;       /* ST_KEYWORD: the keyword's index, -1: the summary */
};

struct search_index;

/* Indexes a catalog (names, keywords, summaries, popular). Never NULL. */
struct search_index *search_build(const struct catalog *c);
void search_free(struct search_index *ix);
/* Bytes the index holds (its share of the kiosk's memory). */
size_t search_index_bytes(const struct search_index *ix);

/* Runs a query; returns the number of services found (0 for an empty
 * query) and points *hits at the best of them, best first: all of them, or
 * the first max_hits if max_hits is not 0 and fewer. The array belongs to
 * the index and stays valid until the next search_run or search_free.
 * Allocates nothing. */
size_t search_run(struct search_index *ix, const struct search_query *q,
                  size_t max_hits, const struct search_hit **hits);

/* The byte range of a hit's matched units in the service's name (for
 * highlighting): *b0 == *b1 when nothing in the name matched. */
void search_hit_span(const struct search_index *ix, const struct search_hit *h,
                     size_t *b0, size_t *b1);

/* Wipes the last query the index keeps (for narrowing while typing): a
 * session's end leaves nothing of what was typed. */
void search_forget(struct search_index *ix);

/* T9: the key (2-9) of an ASCII letter, or 0. */
int search_t9_digit(int letter);

#endif
