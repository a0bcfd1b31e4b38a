/* test_wedge.c: the keyboard-wedge burst detector: a scanner's burst is one
 * scan, a person's keys stay keys, in order, whatever interrupts them. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "wedge.h"

#define KEY_UP 0403 /* a function key, as curses numbers them */

static struct wedge *w;
static struct wedge_out *out;
/* everything that came out, flattened: keys as themselves, a scan as
 * '[' text ']', too-long as '!' */
static char got[20000];
static size_t ngot;
static int keys_out[20000];
static size_t nkeys;

static void setup(void)
{
	w = malloc(sizeof *w);
	out = malloc((WEDGE_MAX + 2) * sizeof *out);
	ngot = nkeys = 0;
	got[0] = '\0';
}

static void teardown(void)
{
	free(w);
	free(out);
}

TestSuite(wedge, .init = setup, .fini = teardown);

static void collect(size_t n)
{
	cr_assert_leq(n, (size_t)WEDGE_MAX + 2);
	for (size_t i = 0; i < n; i++) {
		switch (out[i].kind) {
		case WEDGE_KEY:
			keys_out[nkeys++] = out[i].key;
			got[ngot++] = out[i].key == KEY_UP ? '^' : out[i].key == '\r' ? '/' :
			              (char)out[i].key;
			break;
		case WEDGE_SCAN:
			got[ngot++] = '[';
			memcpy(got + ngot, w->scan, w->scan_len);
			ngot += w->scan_len;
			got[ngot++] = ']';
			cr_assert_eq(strlen(w->scan), w->scan_len);
			break;
		case WEDGE_TOO_LONG:
			got[ngot++] = '!';
			break;
		}
	}
	got[ngot] = '\0';
}

static void feed(int key, bool printable, long long t)
{
	collect(wedge_feed(w, key, printable, t, out));
}

/* Types s, one character every `gap` ms from *t. */
static void type(const char *s, long long *t, int gap)
{
	for (; *s; s++) {
		feed((unsigned char)*s, true, *t);
		*t += gap;
	}
}

static void enter(long long t)
{
	feed('\r', false, t);
}

Test(wedge, fast_burst_then_enter_is_one_scan)
{
	wedge_init(w, &(struct wedge_cfg){ 0 });
	long long t = 1000;
	type("TOKEN-12345", &t, 5);
	cr_assert_str_eq(got, "", "held while undecided");
	enter(t);
	cr_assert_str_eq(got, "[TOKEN-12345]");
	cr_assert_eq(w->scan_len, 11);
	/* and the next key is a plain key again (after the burst) */
	feed('a', true, t + 500);
	collect(wedge_flush(w, t + 600, out));
	cr_assert_str_eq(got, "[TOKEN-12345]a");
}

Test(wedge, exactly_max_gap_is_still_a_burst)
{
	wedge_init(w, &(struct wedge_cfg){ .max_gap_ms = 35, .min_len = 6 });
	long long t = 0;
	type("ABCDEF", &t, 35);
	enter(t); /* 35 ms after the last key */
	cr_assert_str_eq(got, "[ABCDEF]");
}

Test(wedge, person_typing_gives_keys_in_order)
{
	wedge_init(w, NULL);
	long long t = 0;
	type("hello world", &t, 120);
	/* every key but the last was given back by the next, slower key */
	cr_assert_str_eq(got, "hello worl");
	collect(wedge_flush(w, t, out));
	enter(t + 200);
	cr_assert_str_eq(got, "hello world/");
	cr_assert_eq(keys_out[0], 'h');
	cr_assert_eq(keys_out[11], '\r');
}

Test(wedge, slow_key_releases_held_then_is_held_itself)
{
	wedge_init(w, NULL);
	feed('a', true, 0);
	feed('b', true, 10);
	feed('c', true, 100); /* 90 ms: a person */
	cr_assert_str_eq(got, "ab");
	cr_assert_eq(wedge_deadline(w, 100), 35);
	collect(wedge_flush(w, 135, out));
	cr_assert_str_eq(got, "abc");
}

Test(wedge, short_burst_and_enter_are_keys)
{
	wedge_init(w, NULL);
	long long t = 0;
	type("12345", &t, 5); /* 5 < min_len 6 */
	enter(t);
	cr_assert_str_eq(got, "12345/");
	cr_assert_eq(keys_out[5], '\r');
}

Test(wedge, enter_alone_and_after_a_slow_burst)
{
	wedge_init(w, NULL);
	enter(0);
	cr_assert_str_eq(got, "/");
	long long t = 100;
	type("ABCDEFGH", &t, 5);
	enter(t + 100); /* the scanner's Enter would come fast: this is a person */
	cr_assert_str_eq(got, "/ABCDEFGH/");
}

Test(wedge, burst_interrupted_by_arrow_key)
{
	wedge_init(w, NULL);
	long long t = 0;
	type("ABCDEFGH", &t, 5);
	feed(KEY_UP, false, t);
	cr_assert_str_eq(got, "ABCDEFGH^");
	enter(t + 5); /* nothing held: Enter is just a key */
	cr_assert_str_eq(got, "ABCDEFGH^/");
	cr_assert_eq(keys_out[8], KEY_UP);
}

Test(wedge, flush_after_deadline_releases_keys)
{
	wedge_init(w, &(struct wedge_cfg){ .max_gap_ms = 50 });
	feed('x', true, 1000);
	feed('y', true, 1010);
	cr_assert_str_eq(got, "");
	long d = wedge_deadline(w, 1010);
	cr_assert_eq(d, 50);
	collect(wedge_flush(w, 1010 + d, out));
	cr_assert_str_eq(got, "xy");
	cr_assert_eq(wedge_deadline(w, 1100), -1);
	cr_assert_eq(wedge_flush(w, 1200, out), 0, "nothing more to release");
}

Test(wedge, deadline_values)
{
	wedge_init(w, NULL);
	cr_assert_eq(wedge_deadline(w, 0), -1, "nothing held");
	feed('a', true, 500);
	cr_assert_eq(wedge_deadline(w, 500), 35);
	cr_assert_eq(wedge_deadline(w, 520), 15);
	cr_assert_eq(wedge_deadline(w, 535), 0);
	cr_assert_eq(wedge_deadline(w, 9999), 0, "overdue is 0, never negative");
	feed('b', true, 530);
	cr_assert_eq(wedge_deadline(w, 530), 35, "measured from the last key");
	wedge_init(w, &(struct wedge_cfg){ .max_gap_ms = 80, .min_len = 3 });
	feed('a', true, 0);
	cr_assert_eq(wedge_deadline(w, 10), 70);
	feed('\r', false, 20);
	cr_assert_eq(wedge_deadline(w, 20), -1);
}

Test(wedge, defaults_apply_to_zero_fields)
{
	wedge_init(w, &(struct wedge_cfg){ 0 });
	cr_assert_eq(w->cfg.max_gap_ms, 35);
	cr_assert_eq(w->cfg.min_len, 6);
	wedge_init(w, &(struct wedge_cfg){ .max_gap_ms = 20, .min_len = 0 });
	cr_assert_eq(w->cfg.max_gap_ms, 20);
	cr_assert_eq(w->cfg.min_len, 6);
	wedge_init(w, NULL);
	cr_assert_eq(w->cfg.max_gap_ms, 35);
}

Test(wedge, min_len_burst_is_a_scan)
{
	wedge_init(w, &(struct wedge_cfg){ .min_len = 3 });
	long long t = 0;
	type("abc", &t, 1);
	enter(t);
	type("ab", &t, 1);
	enter(t);
	cr_assert_str_eq(got, "[abc]ab/");
}

Test(wedge, overlong_burst_is_too_long_once)
{
	wedge_init(w, NULL);
	long long t = 0;
	size_t total = 0;
	for (int i = 0; i < WEDGE_MAX + 500; i++) {
		size_t n = wedge_feed(w, 'A' + i % 26, true, t, out);
		for (size_t k = 0; k < n; k++)
			cr_assert_eq(out[k].kind, WEDGE_TOO_LONG);
		total += n;
		t += 2;
	}
	cr_assert_eq(total, 1, "reported once");
	cr_assert_eq(wedge_deadline(w, t), -1, "nothing is held for release");
	enter(t);
	cr_assert_str_eq(got, "", "the Enter ending it is swallowed too");
	/* afterwards all is normal again */
	type("NEXT-CODE", &t, 3);
	enter(t);
	cr_assert_str_eq(got, "[NEXT-CODE]");
}

Test(wedge, overlong_burst_ends_at_a_gap)
{
	wedge_init(w, NULL);
	long long t = 0;
	for (int i = 0; i < WEDGE_MAX + 10; i++) {
		collect(wedge_feed(w, 'z', true, t, out));
		t += 1;
	}
	cr_assert_str_eq(got, "!");
	/* a flush in the middle of it must not end it */
	collect(wedge_flush(w, t, out));
	feed('z', true, t + 1);
	enter(t + 2);
	cr_assert_str_eq(got, "!");
	/* a pause, then a person types */
	t += 1000;
	feed('o', true, t);
	feed('k', true, t + 200);
	collect(wedge_flush(w, t + 400, out));
	cr_assert_str_eq(got, "!ok");
}

Test(wedge, exactly_wedge_max_is_a_scan)
{
	wedge_init(w, NULL);
	long long t = 0;
	for (int i = 0; i < WEDGE_MAX; i++) {
		collect(wedge_feed(w, '0' + i % 10, true, t, out));
		t += 1;
	}
	cr_assert_eq(ngot, 0);
	size_t n = wedge_feed(w, '\r', false, t, out);
	cr_assert_eq(n, 1);
	cr_assert_eq(out[0].kind, WEDGE_SCAN);
	cr_assert_eq(w->scan_len, WEDGE_MAX);
}

Test(wedge, function_key_releasing_a_full_buffer_fits_out)
{
	wedge_init(w, NULL);
	long long t = 0;
	for (int i = 0; i < WEDGE_MAX; i++)
		wedge_feed(w, 'q', true, t++, out);
	size_t n = wedge_feed(w, KEY_UP, false, t, out);
	cr_assert_eq(n, (size_t)WEDGE_MAX + 1);
	cr_assert_eq(out[WEDGE_MAX].key, KEY_UP);
	for (int i = 0; i < WEDGE_MAX; i++)
		wedge_feed(w, 'q', true, t++, out);
	n = wedge_feed(w, KEY_UP, false, t + 1000, out);
	cr_assert_eq(n, (size_t)WEDGE_MAX + 1, "slow: released, then the key");
}

Test(wedge, cjk_burst_is_utf8)
{
	wedge_init(w, NULL);
	/* 社保查询 ID-7 as code points */
	int cps[] = { 0x793E, 0x4FDD, 0x67E5, 0x8BE2, ' ', 'I', 'D', '-', '7', 0x1F600 };
	long long t = 0;
	for (size_t i = 0; i < sizeof cps / sizeof cps[0]; i++)
		feed(cps[i], true, t++);
	enter(t);
	cr_assert_str_eq(got, "[社保查询 ID-7\xF0\x9F\x98\x80]");
}

Test(wedge, cjk_typed_slowly_are_keys)
{
	wedge_init(w, NULL);
	feed(0x793E, true, 0);
	feed(0x4FDD, true, 300);
	collect(wedge_flush(w, 400, out));
	cr_assert_eq(nkeys, 2);
	cr_assert_eq(keys_out[0], 0x793E);
	cr_assert_eq(keys_out[1], 0x4FDD);
}

Test(wedge, invalid_code_points_become_replacement)
{
	wedge_init(w, &(struct wedge_cfg){ .min_len = 2 });
	feed(0xD800, true, 0);
	feed(0x110000, true, 1);
	enter(2);
	cr_assert_str_eq(got, "[\xEF\xBF\xBD\xEF\xBF\xBD]");
}

Test(wedge, scan_text_lasts_until_next_call)
{
	wedge_init(w, NULL);
	long long t = 0;
	type("ABCDEFG", &t, 1);
	enter(t);
	cr_assert_str_eq(w->scan, "ABCDEFG");
	feed('x', true, t + 1);
	cr_assert_eq(w->scan_len, 0);
	cr_assert_str_eq(w->scan, "");
}

Test(wedge, newline_counts_as_enter)
{
	wedge_init(w, NULL);
	long long t = 0;
	type("QWERTYU", &t, 2);
	feed('\n', false, t);
	cr_assert_str_eq(got, "[QWERTYU]");
}

/* wedge_watch: the detector off, watching only. The same rule as
 * wedge_feed's: the same keys give a scan there exactly when they give
 * true here. */
static bool watch_says(const char *keys, const int *gaps_ms, int enter_gap)
{
	struct wedge_cfg cfg = { 35, 6 };
	wedge_init(w, &cfg);
	long long t = 1000;
	for (size_t i = 0; keys[i]; i++) {
		t += gaps_ms ? gaps_ms[i] : 10;
		cr_assert(!wedge_watch(w, keys[i], true, t), "a printable key ended a burst");
	}
	return wedge_watch(w, '\r', false, t + enter_gap);
}

static bool feed_says(const char *keys, const int *gaps_ms, int enter_gap)
{
	struct wedge_cfg cfg = { 35, 6 };
	wedge_init(w, &cfg);
	long long t = 1000;
	bool scan = false;
	for (size_t i = 0; keys[i]; i++) {
		t += gaps_ms ? gaps_ms[i] : 10;
		wedge_feed(w, keys[i], true, t, out);
	}
	size_t n = wedge_feed(w, '\r', false, t + enter_gap, out);
	for (size_t i = 0; i < n; i++)
		scan |= out[i].kind == WEDGE_SCAN;
	return scan;
}

Test(wedge, watch_sees_what_feed_would_take_for_a_scan)
{
	static const int slow_mid[] = { 10, 10, 10, 60, 10, 10, 10 };
	static const int edge[] = { 35, 35, 35, 35, 35, 35 };
	struct { const char *keys; const int *gaps; int enter_gap; bool scan; } c[] = {
		{ "ABCDEF", NULL, 10, true },      /* min_len, fast */
		{ "ABCDE", NULL, 10, false },      /* one short */
		{ "ABCDEFG", slow_mid, 10, false }, /* a person's pause in the middle: 3 + 4 */
		{ "ABCDEF", edge, 35, true },      /* exactly max_gap_ms is still a burst */
		{ "ABCDEF", NULL, 36, false },     /* Enter too late */
	};
	for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
		cr_assert_eq(watch_says(c[i].keys, c[i].gaps, c[i].enter_gap), c[i].scan, "case %zu: watch", i);
		cr_assert_eq(feed_says(c[i].keys, c[i].gaps, c[i].enter_gap), c[i].scan, "case %zu: feed", i);
	}
}

Test(wedge, watch_a_function_key_ends_the_burst_and_it_starts_again)
{
	struct wedge_cfg cfg = { 35, 6 };
	wedge_init(w, &cfg);
	long long t = 0;
	for (int i = 0; i < 3; i++)
		cr_assert(!wedge_watch(w, 'a', true, t += 5));
	cr_assert(!wedge_watch(w, KEY_UP, false, t += 5), "an arrow is no Enter");
	for (int i = 0; i < 5; i++)
		cr_assert(!wedge_watch(w, 'b', true, t += 5));
	cr_assert(!wedge_watch(w, '\r', false, t += 5), "3 + 5 across an arrow is not a burst of 6");
	for (int i = 0; i < 6; i++)
		cr_assert(!wedge_watch(w, 'c', true, t += 5));
	cr_assert(wedge_watch(w, '\n', false, t += 5), "six fast keys and a newline");
	cr_assert(!wedge_watch(w, '\r', false, t += 5), "a second Enter alone is no burst");
}
