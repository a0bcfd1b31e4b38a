/* test_osk_layout.c: the on-screen keyboard's geometry (kiosk/core/osk_layout.c).
 *
 * At the terminal sizes the kiosk meets (80x24, 120x40, 40x15, 60x20 and
 * the portrait 26x64), in normal and large mode, both modes, the three
 * languages' labels and the options the screens use, for every height a
 * screen may give the keyboard: every key inside the rectangle, none
 * overlapping, at least 1 x 3 (normal) or 3 x 8 with gaps (large), every
 * label whole on its key, every letter a-z and digit 0-9 on some page, the
 * function keys in the same place on every page.
 */
#include <criterion/criterion.h>

#include <limits.h>
#include <locale.h>
#include <stdio.h>
#include <string.h>

#include "osk_layout.h"
#include "text.h"

static void init(void) { setlocale(LC_CTYPE, "C.UTF-8"); }
TestSuite(osk_layout, .init = init);

/* The labels of the three catalogs, and an enter key of each length. */
static const struct osk_labels zh = { "空格", "删除", "清空", "搜索", "123", "ABC" };
static const struct osk_labels tw = { "空格", "刪除", "清除", "下一步", "123", "ABC" };
static const struct osk_labels en = { "Space", "Delete", "Clear", "Search", "123", "ABC" };
static const struct osk_labels en_next = { "Space", "Delete", "Clear", "Next", "123", "ABC" };

/* The area ui_area() gives a screen on a terminal (no offline banner). */
static struct rect area_of(int cols, int rows, bool large)
{
	int status = large && rows >= 12 ? 3 : 1;
	return (struct rect){ 1, 2, cols - 2, rows - 2 - 1 - status };
}

struct size {
	int cols, rows;
};
static const struct size sizes[] = { { 80, 24 }, { 120, 40 }, { 40, 15 }, { 60, 20 }, { 26, 64 } };
#define N_SIZES (int)(sizeof sizes / sizeof *sizes)

static const unsigned flag_sets[] = {
	0,
	OSK_NO_SWITCH,
	OSK_NO_SPACE | OSK_NO_CLEAR,
	OSK_BOXED,
	OSK_PAD | OSK_BOXED | OSK_NO_SWITCH | OSK_NO_SPACE | OSK_NO_CLEAR, /* the account's pad */
};
#define N_FLAGS (int)(sizeof flag_sets / sizeof *flag_sets)

static struct osk_spec spec(enum osk_mode mode, unsigned flags, bool large, const struct osk_labels *l)
{
	struct osk_spec s = { mode, flags, large, *l };
	return s;
}

static bool inside(struct rect outer, struct rect r)
{
	return r.x >= outer.x && r.y >= outer.y && (long long)r.x + r.w <= (long long)outer.x + outer.w &&
	       (long long)r.y + r.h <= (long long)outer.y + outer.h;
}

/* r grown by dx columns and dy rows on each side. */
static struct rect grow(struct rect r, int dx, int dy)
{
	return (struct rect){ r.x - dx, r.y - dy, r.w + 2 * dx, r.h + 2 * dy };
}

static const char *what(const struct osk_spec *s, struct rect a)
{
	static char buf[160];
	snprintf(buf, sizeof buf, "%s %s flags %#x enter \"%s\" in %dx%d at %d,%d",
	         s->large ? "large" : "normal", s->mode == OSK_DIGITS ? "digits" : "letters", s->flags,
	         s->labels.enter, a.w, a.h, a.x, a.y);
	return buf;
}

/* Everything that must hold of one page of one layout. */
static void check_page(const struct osk_layout *L, const struct osk_spec *s)
{
	struct rect a = L->area;
	const char *w = what(s, a);
	if (L->height == 0) {
		cr_assert_eq(L->n, 0, "%s: no height but keys", w);
		return;
	}
	cr_assert_leq(L->height, a.h, "%s: taller than given", w);
	cr_assert_leq(L->width, a.w, "%s: wider than given", w);
	cr_assert_gt(L->n, 0, "%s", w);
	struct rect used = { a.x, a.y, a.w, L->height };
	for (int i = 0; i < L->n; i++) {
		const struct osk_key *k = &L->key[i];
		struct rect r = k->r;
		cr_assert(inside(used, r), "%s: key %d \"%s\" (%d,%d %dx%d) outside", w, i, k->label, r.x, r.y, r.w,
		          r.h);
		if (s->large) {
			cr_assert_geq(r.h, 3, "%s: key \"%s\" %d rows", w, k->label, r.h);
			cr_assert_geq(r.w, 8, "%s: key \"%s\" %d columns", w, k->label, r.w);
		} else {
			cr_assert_geq(r.h, 1, "%s", w);
			cr_assert_geq(r.w, 3, "%s: key \"%s\" %d columns", w, k->label, r.w);
		}
		/* the label whole, with room for the focus marker */
		cr_assert_neq(k->label[0], '\0', "%s: key %d has no label", w, i);
		int pad = L->boxed ? 5 : 2; /* ui_button's frame, padding, marker; a cap's blank each side */
		cr_assert_leq(text_width(k->label) + pad, r.w, "%s: \"%s\" does not fit %d columns", w, k->label, r.w);
		if (L->boxed)
			cr_assert(r.h >= 3 && r.w >= 8, "%s: a boxed key too small for its frame", w);
		cr_assert_eq(osk_layout_hit(L, r.x, r.y), i, "%s: hit top left of \"%s\"", w, k->label);
		cr_assert_eq(osk_layout_hit(L, r.x + r.w - 1, r.y + r.h - 1), i, "%s", w);
		/* apart: large mode 2 blank columns and a blank row, normal mode
		 * at least a blank column */
		for (int j = 0; j < i; j++) {
			struct rect o = L->key[j].r;
			cr_assert_not(rect_overlap(r, o), "%s: \"%s\" and \"%s\" overlap", w, k->label, L->key[j].label);
			if (s->large)
				cr_assert_not(rect_overlap(grow(r, 2, 1), o), "%s: \"%s\" and \"%s\" touch", w, k->label,
				              L->key[j].label);
			else
				cr_assert_not(rect_overlap(grow(r, 1, 0), o), "%s: \"%s\" and \"%s\" touch", w, k->label,
				              L->key[j].label);
		}
	}
	if (!s->large && L->key_h == 3 && !L->boxed)
		cr_assert_eq(L->gap_y, 1, "%s: 3-row caps need a blank row between them", w);
	/* the keys every keyboard has */
	cr_assert_geq(osk_layout_find(L, OSK_KEY_BACKSPACE, 0), 0, "%s: no backspace", w);
	cr_assert_geq(osk_layout_find(L, OSK_KEY_ENTER, 0), 0, "%s: no enter", w);
	cr_assert_eq(osk_layout_find(L, OSK_KEY_SWITCH, 0) >= 0, !(s->flags & OSK_NO_SWITCH), "%s: switch", w);
	cr_assert_eq(osk_layout_find(L, OSK_KEY_SPACE, 0) >= 0, !(s->flags & OSK_NO_SPACE) && L->dropped < 1,
	             "%s: space", w);
	cr_assert_eq(osk_layout_find(L, OSK_KEY_CLEAR, 0) >= 0, !(s->flags & OSK_NO_CLEAR) && L->dropped < 2,
	             "%s: clear", w);
	cr_assert_eq(osk_layout_find(L, OSK_KEY_PAGE, 0) >= 0, L->pages > 1, "%s: page key", w);
	for (int i = 0; i < L->n; i++)
		if (L->key[i].kind == OSK_KEY_SWITCH)
			cr_assert_str_eq(L->key[i].label, s->mode == OSK_DIGITS ? s->labels.to_letters : s->labels.to_digits);
}

/* Every page: each page checked, every character of the mode on exactly
 * one page, the function keys in the same place on all of them, the page
 * key naming the next page's range. Returns the number of pages. */
static int check_all_pages(struct rect area, const struct osk_spec *s)
{
	struct osk_layout L0, L;
	osk_layout(&L0, area, s, 0);
	check_page(&L0, s);
	if (L0.height == 0)
		return 0;
	const char *chars = s->mode == OSK_DIGITS ? "0123456789" : "abcdefghijklmnopqrstuvwxyz";
	int seen[128] = { 0 };
	for (int p = 0; p < L0.pages; p++) {
		osk_layout(&L, area, s, p);
		check_page(&L, s);
		cr_assert_eq(L.page, p);
		cr_assert_eq(L.pages, L0.pages);
		cr_assert_eq(L.height, L0.height, "%s: page %d of another height", what(s, area), p);
		/* first and last in the pages' order: a-z, 1-9 0 */
		const char *order = s->mode == OSK_DIGITS ? "1234567890" : chars;
		int first = INT_MAX, last = -1;
		for (int i = 0; i < L.n; i++) {
			const struct osk_key *k = &L.key[i];
			if (k->kind == OSK_KEY_CHAR) {
				cr_assert(strchr(chars, k->ch), "%s: '%c' in this mode", what(s, area), k->ch);
				seen[(unsigned char)k->ch]++;
				int at = (int)(strchr(order, k->ch) - order);
				if (at < first)
					first = at;
				if (at > last)
					last = at;
				char up[2] = { k->ch >= 'a' ? (char)(k->ch - 'a' + 'A') : k->ch, 0 };
				cr_assert_str_eq(k->label, up);
			} else {
				/* function keys stay where they are */
				int j = osk_layout_find(&L0, k->kind, 0);
				cr_assert_geq(j, 0);
				cr_assert(!memcmp(&L0.key[j].r, &k->r, sizeof k->r), "%s: \"%s\" moves on page %d",
				          what(s, area), k->label, p);
			}
		}
		cr_assert_eq(L.from, order[first], "%s: page %d starts at '%c', says '%c'", what(s, area), p,
		             order[first], L.from);
		cr_assert_eq(L.to, order[last]);
		if (L.pages > 1) {
			/* the page key names the next page */
			struct osk_layout N;
			osk_layout(&N, area, s, (p + 1) % L.pages);
			const struct osk_key *pk = &L.key[osk_layout_find(&L, OSK_KEY_PAGE, 0)];
			cr_assert_eq(pk->ch, N.from);
			cr_assert_eq(pk->ch2, N.to);
		}
	}
	for (const char *c = chars; *c; c++)
		cr_assert_eq(seen[(unsigned char)*c], 1, "%s: '%c' on %d pages", what(s, area), *c,
		             seen[(unsigned char)*c]);
	return L0.pages;
}

/* Every size, mode, option set and language, for every height a screen
 * may give the keyboard (at the bottom of its area). */
Test(osk_layout, every_size_every_height)
{
	const struct osk_labels *langs[] = { &zh, &tw, &en, &en_next };
	for (int si = 0; si < N_SIZES; si++)
		for (int large = 0; large < 2; large++) {
			struct rect a = area_of(sizes[si].cols, sizes[si].rows, large);
			for (int mode = OSK_LETTERS; mode <= OSK_DIGITS; mode++)
				for (int fi = 0; fi < N_FLAGS; fi++)
					for (int li = 0; li < 4; li++) {
						struct osk_spec s = spec(mode, flag_sets[fi], large, langs[li]);
						for (int h = 0; h <= a.h; h++) {
							struct rect r = { a.x, a.y + a.h - h, a.w, h };
							check_all_pages(r, &s);
						}
					}
		}
}

/* Taller is never worse: more rows never make it stop fitting, nor need
 * more pages. */
Test(osk_layout, more_room_never_worse)
{
	for (int si = 0; si < N_SIZES; si++)
		for (int large = 0; large < 2; large++)
			for (int mode = OSK_LETTERS; mode <= OSK_DIGITS; mode++) {
				struct rect a = area_of(sizes[si].cols, sizes[si].rows, large);
				struct osk_spec s = spec(mode, 0, large, &zh);
				int last_pages = 0;
				for (int h = 1; h <= a.h; h++) {
					struct osk_layout L;
					osk_layout(&L, (struct rect){ a.x, a.y, a.w, h }, &s, 0);
					if (last_pages)
						cr_assert(L.height > 0 && L.pages <= last_pages, "%s at h=%d: %d pages after %d",
						          what(&s, a), h, L.pages, last_pages);
					if (L.height)
						last_pages = L.pages;
				}
			}
}

static void layout_at(struct osk_layout *L, int cols, int rows, bool large, enum osk_mode mode, int h)
{
	struct rect a = area_of(cols, rows, large);
	if (h > a.h)
		h = a.h;
	struct osk_spec s = spec(mode, 0, large, &zh);
	osk_layout(L, (struct rect){ a.x, a.y + a.h - h, a.w, h }, &s, 0);
}

/* What each size gets (the final report lists these). */
Test(osk_layout, normal_mode_sizes)
{
	struct osk_layout L;
	/* 80x24, the whole area: keyboard rows of 3 x 6 keys */
	layout_at(&L, 80, 24, false, OSK_LETTERS, 99);
	cr_assert(L.qwerty);
	cr_assert_eq(L.pages, 1);
	cr_assert_eq(L.key_h, 3);
	cr_assert_geq(L.unit, 5);
	cr_assert_eq(L.height, 15);
	/* the rows centred as on a keyboard: A half a key right of Q, Z one
	 * and a half */
	const struct osk_key *q = &L.key[osk_layout_find(&L, OSK_KEY_CHAR, 'q')];
	const struct osk_key *a = &L.key[osk_layout_find(&L, OSK_KEY_CHAR, 'a')];
	const struct osk_key *z = &L.key[osk_layout_find(&L, OSK_KEY_CHAR, 'z')];
	cr_assert_eq(a->r.x - q->r.x, (L.unit + L.gap_x) / 2);
	cr_assert_eq(z->r.x - q->r.x, 3 * (L.unit + L.gap_x) / 2);
	cr_assert_eq(q->r.x - L.area.x, (L.area.w - L.width) / 2, "the keyboard centred in its area");
	/* under a search box with results: 11 rows, alphabetical 3 x 5 */
	layout_at(&L, 80, 24, false, OSK_LETTERS, 11);
	cr_assert_eq(L.pages, 1);
	cr_assert_eq(L.key_h, 3);
	cr_assert_geq(L.unit, 5);
	cr_assert_not(L.qwerty);
	/* 7 rows: keyboard rows of 1-row keys with blank rows between */
	layout_at(&L, 80, 24, false, OSK_LETTERS, 7);
	cr_assert_eq(L.pages, 1);
	cr_assert(L.qwerty);
	cr_assert_eq(L.key_h, 1);
	cr_assert_eq(L.gap_y, 1);
	/* 2 rows: still whole, 1 x 3 keys */
	layout_at(&L, 80, 24, false, OSK_LETTERS, 2);
	cr_assert_eq(L.pages, 1);
	cr_assert_eq(L.height, 2);
	cr_assert_geq(L.unit, 3);
	/* digits at 80x24: one row of ten and the function keys */
	layout_at(&L, 80, 24, false, OSK_DIGITS, 99);
	cr_assert_eq(L.pages, 1);
	cr_assert_eq(L.key_h, 3);
	cr_assert_eq(L.height, 7);
	/* 120x40: keyboard rows of 3 x 10 keys */
	layout_at(&L, 120, 40, false, OSK_LETTERS, 99);
	cr_assert(L.qwerty);
	cr_assert_eq(L.key_h, 3);
	cr_assert_geq(L.unit, 10);
	/* 40x15: alphabetical, whole with 3-row keys or 1-row ones */
	layout_at(&L, 40, 15, false, OSK_LETTERS, 99);
	cr_assert_eq(L.pages, 1);
	/* 26x64 (portrait): 3 x 5 keys, four a row */
	layout_at(&L, 26, 64, false, OSK_LETTERS, 99);
	cr_assert_eq(L.pages, 1);
	cr_assert_eq(L.key_h, 3);
	cr_assert_geq(L.unit, 5);
	cr_assert_eq(L.cols, 4);
}

Test(osk_layout, large_mode_sizes)
{
	struct osk_layout L;
	/* 120x40: the whole keyboard in keyboard rows, 3 x 10 keys */
	layout_at(&L, 120, 40, true, OSK_LETTERS, 99);
	cr_assert(L.qwerty);
	cr_assert_eq(L.pages, 1);
	cr_assert_geq(L.unit, 8);
	/* 80x24: whole in its area (4 rows of 8), two pages under a search box */
	layout_at(&L, 80, 24, true, OSK_LETTERS, 99);
	cr_assert_eq(L.pages, 1);
	cr_assert_eq(L.cols, 8);
	layout_at(&L, 80, 24, true, OSK_LETTERS, 14);
	cr_assert_eq(L.pages, 2);
	cr_assert_eq(L.dropped, 0);
	/* 60x20: its whole area gives two pages (without the space key) */
	layout_at(&L, 60, 20, true, OSK_LETTERS, 99);
	cr_assert_eq(L.pages, 2);
	cr_assert_eq(L.cols, 6);
	layout_at(&L, 60, 20, true, OSK_LETTERS, 10);
	cr_assert_gt(L.height, 0);
	cr_assert_eq(L.rows, 2);
	/* 40x15: 9 rows hold two rows of four keys: pages of four letters,
	 * the page key, 123, delete and enter */
	layout_at(&L, 40, 15, true, OSK_LETTERS, 99);
	cr_assert_gt(L.height, 0);
	cr_assert_eq(L.rows, 2);
	cr_assert_eq(L.dropped, 2);
	cr_assert_eq(L.pages, 7);
	/* ... and not under a 3-row search box: 5 rows hold one row of keys */
	layout_at(&L, 40, 15, true, OSK_LETTERS, 5);
	cr_assert_eq(L.height, 0);
	/* digits at 40x15 */
	layout_at(&L, 40, 15, true, OSK_DIGITS, 99);
	cr_assert_gt(L.height, 0);
	cr_assert_leq(L.pages, 3);
	/* 26x64: two keys a row, two pages */
	layout_at(&L, 26, 64, true, OSK_LETTERS, 99);
	cr_assert_eq(L.cols, 2);
	cr_assert_eq(L.pages, 2);
}

/* The account screen's pad: where scr_account.c drew its own (1 2 3 /
 * 4 5 6 / 7 8 9 / 删除 0 查询, keys 10 x 3, a column between them). */
Test(osk_layout, account_pad)
{
	struct osk_labels l = zh;
	l.enter = "查询";
	struct osk_spec s = spec(OSK_DIGITS, OSK_PAD | OSK_BOXED | OSK_NO_SWITCH | OSK_NO_SPACE | OSK_NO_CLEAR, false, &l);
	struct osk_layout L;
	osk_layout(&L, (struct rect){ 2, 9, 32, 13 }, &s, 0);
	cr_assert(L.pad);
	cr_assert(L.boxed);
	cr_assert_eq(L.n, 12);
	cr_assert_eq(L.height, 12);
	static const char order[12] = { '1', '2', '3', '4', '5', '6', '7', '8', '9', 0, '0', 0 };
	for (int i = 0; i < 12; i++) {
		struct rect want = { 2 + (i % 3) * 11, 9 + (i / 3) * 3, 10, 3 };
		const struct osk_key *k = &L.key[i];
		cr_assert(!memcmp(&k->r, &want, sizeof want), "key %d at %d,%d %dx%d", i, k->r.x, k->r.y, k->r.w, k->r.h);
		if (order[i])
			cr_assert(k->kind == OSK_KEY_CHAR && k->ch == order[i]);
	}
	cr_assert_eq(L.key[9].kind, OSK_KEY_BACKSPACE);
	cr_assert_str_eq(L.key[9].label, "删除");
	cr_assert_eq(L.key[11].kind, OSK_KEY_ENTER);
	cr_assert_str_eq(L.key[11].label, "查询");
	/* too short for it whole: the screen is told (pages or a smaller key) */
	osk_layout(&L, (struct rect){ 2, 9, 32, 11 }, &s, 0);
	cr_assert(L.height == 0 || !L.pad);
	/* large mode: 3 x 8 at least, with the gaps */
	s.large = true;
	osk_layout(&L, (struct rect){ 2, 9, 40, 40 }, &s, 0);
	cr_assert(L.pad);
	cr_assert_eq(L.height, 15);
	cr_assert_eq(L.unit, 12);
}

/* Arrow keys over the keys. */
Test(osk_layout, arrows)
{
	struct osk_layout L;
	layout_at(&L, 80, 24, false, OSK_LETTERS, 99);
	cr_assert(L.qwerty);
	int q = osk_layout_find(&L, OSK_KEY_CHAR, 'q');
	int w = osk_layout_find(&L, OSK_KEY_CHAR, 'w');
	int a = osk_layout_find(&L, OSK_KEY_CHAR, 'a');
	int p = osk_layout_find(&L, OSK_KEY_CHAR, 'p');
	int m = osk_layout_find(&L, OSK_KEY_CHAR, 'm');
	cr_assert_eq(osk_layout_move(&L, q, 1, 0), w);
	cr_assert_eq(osk_layout_move(&L, w, -1, 0), q);
	cr_assert_eq(osk_layout_move(&L, q, -1, 0), q, "stays at the row's start");
	cr_assert_eq(osk_layout_move(&L, p, 1, 0), p, "stays at the row's end");
	cr_assert_eq(osk_layout_move(&L, q, 0, -1), -1, "up from the top row leaves");
	cr_assert_eq(osk_layout_move(&L, q, 0, 1), a);
	int below_m = osk_layout_move(&L, m, 0, 1);
	cr_assert_geq(below_m, 0);
	cr_assert_neq(L.key[below_m].kind, OSK_KEY_CHAR, "below the letters: the function keys");
	cr_assert_eq(osk_layout_move(&L, below_m, 0, 1), -1, "down from the bottom row leaves");
	cr_assert_eq(osk_layout_move(&L, -1, 1, 0), 0);
	/* on a page with empty rows (the last page): moves skip them */
	layout_at(&L, 40, 15, true, OSK_LETTERS, 99);
	struct osk_layout last;
	struct rect r = L.area;
	struct osk_spec s = spec(OSK_LETTERS, 0, true, &zh);
	osk_layout(&last, r, &s, L.pages - 1);
	int z = osk_layout_find(&last, OSK_KEY_CHAR, 'z');
	cr_assert_geq(z, 0);
	int down = osk_layout_move(&last, z, 0, 1);
	cr_assert_geq(down, 0);
	cr_assert_gt(last.key[down].r.y, last.key[z].r.y);
}

/* Nothing fits, or the area is absurd: no keys, nothing outside, no crash. */
Test(osk_layout, hostile_areas)
{
	struct osk_spec s = spec(OSK_LETTERS, 0, false, &zh);
	struct osk_layout L;
	const struct rect bad[] = {
		{ 0, 0, 0, 0 }, { 0, 0, -5, 10 }, { 0, 0, 10, -5 }, { 0, 0, 1, 1 }, { 0, 0, 2, 40 },
		{ 0, 0, 80, 0 }, { INT_MAX, INT_MAX, 80, 24 }, { -100, -100, 80, 24 },
		{ INT_MAX - 10, 0, INT_MAX, INT_MAX }, { 0, 0, INT_MAX, INT_MAX },
	};
	for (int large = 0; large < 2; large++)
		for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
			s.large = large;
			osk_layout(&L, bad[i], &s, 0);
			check_page(&L, &s);
			osk_layout(&L, bad[i], &s, INT_MAX);
			check_page(&L, &s);
			osk_layout(&L, bad[i], &s, -7);
			check_page(&L, &s);
		}
	/* too narrow for any function key: nothing */
	osk_layout(&L, (struct rect){ 0, 0, 5, 40 }, &s, 0);
	cr_assert_eq(L.height, 0);
	cr_assert_eq(L.n, 0);
	/* an enter label too long for any row: nothing, never a cut label */
	struct osk_labels l = zh;
	l.enter = "一个非常非常非常非常非常非常长的按钮名称";
	struct osk_spec t = spec(OSK_LETTERS, 0, false, &l);
	osk_layout(&L, (struct rect){ 0, 0, 30, 40 }, &t, 0);
	check_page(&L, &t);
	/* labels left NULL: the English defaults */
	struct osk_spec u = { OSK_DIGITS, 0, false, { 0 } };
	osk_layout(&L, (struct rect){ 0, 0, 78, 20 }, &u, 0);
	cr_assert_gt(L.height, 0);
	cr_assert_geq(osk_layout_find(&L, OSK_KEY_SWITCH, 0), 0);
	cr_assert_str_eq(L.key[osk_layout_find(&L, OSK_KEY_SWITCH, 0)].label, "ABC");
	/* a page asked for beyond the last: the last */
	layout_at(&L, 40, 15, true, OSK_LETTERS, 99);
	struct osk_spec v = spec(OSK_LETTERS, 0, true, &zh);
	struct osk_layout M;
	osk_layout(&M, L.area, &v, 1000);
	cr_assert_eq(M.page, L.pages - 1);
}

/* A huge height is the best the width allows. */
Test(osk_layout, unbounded_height)
{
	struct osk_spec s = spec(OSK_LETTERS, 0, false, &zh);
	struct osk_layout A, B;
	osk_layout(&A, (struct rect){ 1, 2, 78, INT_MAX }, &s, 0);
	osk_layout(&B, (struct rect){ 1, 2, 78, 200 }, &s, 0);
	cr_assert_eq(A.height, B.height);
	cr_assert_eq(A.n, B.n);
	cr_assert(!memcmp(A.key, B.key, sizeof A.key));
}
