/* test_layout.c: unit tests for layout.c (button grids, hit tests, focus). */
#include <criterion/criterion.h>

#include "layout.h"

static int inside(struct rect outer, struct rect r)
{
	return r.x >= outer.x && r.y >= outer.y && r.x + r.w <= outer.x + outer.w &&
	       r.y + r.h <= outer.y + outer.h;
}

/* Every invariant the screens rely on, for one layout. */
static void check_grid(struct rect area, int n, int min_w, int item_h, int gx, int gy,
                       int max_cols)
{
	struct grid g;
	int i, j, p, total = 0;

	grid_layout(&g, area, n, min_w, item_h, gx, gy, max_cols);
	cr_assert_geq(g.per_page, 1);
	cr_assert_eq(g.per_page, g.cols * g.rows);
	cr_assert_geq(g.pages, 1);
	cr_assert_geq((long long)g.pages * g.per_page, n);
	cr_assert_leq(g.cols, max_cols < 1 ? 1 : max_cols);
	cr_assert_leq(g.cols, n > 1 ? n : 1);
	if (n > 0)
		cr_assert_lt((long long)(g.pages - 1) * g.per_page, n, "no empty last page");
	for (p = 0; p < g.pages; p++) {
		int first = grid_page_first(&g, p), cnt = grid_page_count(&g, p);

		cr_assert_eq(first, p * g.per_page);
		total += cnt;
		for (i = first; i < first + cnt; i++) {
			struct rect a = grid_cell(&g, i);

			cr_assert_eq(grid_page_of(&g, i), p);
			cr_assert(inside(area, a), "cell %d (%d,%d %dx%d) outside %dx%d n=%d",
			          i, a.x, a.y, a.w, a.h, area.w, area.h, n);
			if (g.cols * (min_w + gx) - gx <= area.w && item_h <= area.h) {
				cr_assert_geq(a.w, min_w);
				cr_assert_eq(a.h, item_h);
			}
			if (a.w > 0 && a.h > 0) {
				cr_assert_eq(grid_hit(&g, p, a.x, a.y), i);
				cr_assert_eq(grid_hit(&g, p, a.x + a.w - 1, a.y + a.h - 1), i);
			}
			for (j = first; j < i; j++)
				cr_assert_not(rect_overlap(a, grid_cell(&g, j)),
				              "cells %d and %d overlap", i, j);
		}
	}
	cr_assert_eq(total, n);
}

Test(layout, property_many_sizes)
{
	int w, h, n;

	for (w = 10; w <= 200; w += 7)
		for (h = 5; h <= 60; h += 5)
			for (n = 0; n <= 50; n++) {
				struct rect area = { 3, 2, w, h };

				check_grid(area, n, 16, 3, 2, 1, 4);
				if (n % 7 == 0) {
					check_grid(area, n, 30, 5, 0, 0, 9);
					check_grid(area, n, 1, 1, 1, 1, 100);
					check_grid(area, n, 50, 4, 3, 2, 2);
				}
			}
}

Test(layout, nothing_fits)
{
	struct grid g;
	struct rect area = { 0, 0, 5, 2 };
	struct rect r;

	grid_layout(&g, area, 3, 10, 3, 1, 1, 4);
	cr_assert_eq(g.per_page, 1);
	cr_assert_eq(g.pages, 3);
	r = grid_cell(&g, 2);
	cr_assert_eq(r.w, 5);
	cr_assert_eq(r.h, 2);
	cr_assert_eq(grid_page_of(&g, 2), 2);

	grid_layout(&g, (struct rect){ 0, 0, 0, 0 }, 0, 10, 3, 1, 1, 4);
	cr_assert_eq(g.per_page, 1);
	cr_assert_eq(g.pages, 1);
	cr_assert_eq(grid_page_count(&g, 0), 0);
	cr_assert_eq(grid_move(&g, 0, 1, 0), 0);
	cr_assert_eq(grid_hit(&g, 0, 0, 0), -1);
}

Test(layout, columns_and_stretch)
{
	struct grid g;

	/* 80 wide, min 18, gap 2: (80+2)/20 = 4 columns of (80-6)/4 = 18. */
	grid_layout(&g, (struct rect){ 0, 0, 80, 20 }, 10, 18, 3, 2, 1, 6);
	cr_assert_eq(g.cols, 4);
	cr_assert_eq(g.rows, 5);
	cr_assert_eq(g.cell_w, 18);
	/* never more columns than items; the two share the width */
	grid_layout(&g, (struct rect){ 0, 0, 80, 20 }, 2, 18, 3, 2, 1, 6);
	cr_assert_eq(g.cols, 2);
	cr_assert_eq(g.cell_w, 39);
	/* max_cols caps */
	grid_layout(&g, (struct rect){ 0, 0, 80, 20 }, 10, 10, 3, 0, 0, 3);
	cr_assert_eq(g.cols, 3);
	/* bad arguments are clamped, not trusted */
	grid_layout(&g, (struct rect){ 0, 0, -5, -5 }, -3, -1, -1, -1, -1, -1);
	cr_assert_eq(g.per_page, 1);
	cr_assert_eq(g.pages, 1);
	cr_assert_eq(g.n, 0);
}

Test(layout, hit_gaps_and_pages)
{
	struct grid g;

	grid_layout(&g, (struct rect){ 10, 5, 62, 10 }, 20, 20, 4, 1, 1, 3);
	/* 3 cols of 20, rows of 4 with 1 gap: 2 rows per page, 6 per page */
	cr_assert_eq(g.cols, 3);
	cr_assert_eq(g.rows, 2);
	cr_assert_eq(g.pages, 4);
	cr_assert_eq(grid_hit(&g, 0, 10, 5), 0);
	cr_assert_eq(grid_hit(&g, 0, 30, 5), -1);  /* the gap column */
	cr_assert_eq(grid_hit(&g, 0, 31, 5), 1);
	cr_assert_eq(grid_hit(&g, 0, 10, 9), -1);  /* the gap row */
	cr_assert_eq(grid_hit(&g, 0, 10, 10), 3);
	cr_assert_eq(grid_hit(&g, 1, 10, 10), 9);
	cr_assert_eq(grid_hit(&g, 3, 31, 5), 19);
	cr_assert_eq(grid_hit(&g, 3, 52, 5), -1);  /* past the last item */
	cr_assert_eq(grid_hit(&g, 4, 10, 5), -1);  /* no such page */
	cr_assert_eq(grid_hit(&g, 0, 9, 5), -1);
	cr_assert_eq(grid_hit(&g, 0, 72, 5), -1);
	cr_assert_eq(grid_hit(&g, 0, 10, 15), -1);
	cr_assert_eq(grid_page_count(&g, 3), 2);
	cr_assert_eq(grid_page_count(&g, 4), 0);
	cr_assert_eq(grid_page_count(&g, -1), 0);
}

Test(layout, move_across_pages)
{
	struct grid g;

	/* 3 columns x 2 rows per page, 14 items: pages of 6, 6, 2. */
	grid_layout(&g, (struct rect){ 0, 0, 32, 7 }, 14, 10, 3, 1, 1, 3);
	cr_assert_eq(g.cols, 3);
	cr_assert_eq(g.rows, 2);
	cr_assert_eq(g.pages, 3);

	cr_assert_eq(grid_move(&g, 0, 1, 0), 1);
	cr_assert_eq(grid_move(&g, 2, 1, 0), 6);   /* right edge: next page, same row */
	cr_assert_eq(grid_move(&g, 5, 1, 0), 9);
	cr_assert_eq(grid_move(&g, 6, -1, 0), 2);  /* left edge: previous page */
	cr_assert_eq(grid_move(&g, 9, -1, 0), 5);
	cr_assert_eq(grid_move(&g, 8, 1, 0), 12);
	cr_assert_eq(grid_move(&g, 11, 1, 0), 13); /* next page has no row 1: last item */
	cr_assert_eq(grid_move(&g, 13, 1, 0), 13); /* nothing further */
	cr_assert_eq(grid_move(&g, 0, -1, 0), 0);

	cr_assert_eq(grid_move(&g, 1, 0, 1), 4);
	cr_assert_eq(grid_move(&g, 4, 0, 1), 7);   /* bottom edge: next page, same column */
	cr_assert_eq(grid_move(&g, 7, 0, -1), 4);  /* top edge: previous page, bottom row */
	cr_assert_eq(grid_move(&g, 11, 0, 1), 13);
	cr_assert_eq(grid_move(&g, 12, 0, 1), 12); /* nothing below */
	cr_assert_eq(grid_move(&g, 0, 0, -1), 0);
	cr_assert_eq(grid_move(&g, 12, 0, -1), 9);

	cr_assert_eq(grid_move(&g, 99, 0, 0), 13); /* clamped */
	cr_assert_eq(grid_move(&g, -4, 0, 0), 0);
}

Test(layout, move_partial_last_row)
{
	struct grid g;

	/* 3 columns, 3 rows, 7 items: one page, last row holds item 6. */
	grid_layout(&g, (struct rect){ 0, 0, 30, 9 }, 7, 10, 3, 0, 0, 3);
	cr_assert_eq(g.pages, 1);
	cr_assert_eq(grid_move(&g, 5, 0, 1), 6);
	cr_assert_eq(grid_move(&g, 3, 0, 1), 6);
	cr_assert_eq(grid_move(&g, 6, 0, 1), 6);
	cr_assert_eq(grid_move(&g, 6, 1, 0), 6);
}

Test(layout, move_always_in_range)
{
	int n, i, dx, dy, w;

	for (w = 10; w <= 100; w += 15)
		for (n = 1; n <= 40; n += 3) {
			struct grid g;

			grid_layout(&g, (struct rect){ 0, 0, w, 12 }, n, 9, 3, 1, 1, 4);
			for (i = 0; i < n; i++)
				for (dx = -1; dx <= 1; dx++)
					for (dy = -1; dy <= 1; dy++) {
						int t = grid_move(&g, i, dx, dy);

						cr_assert(t >= 0 && t < n);
						if (dy == 0 && dx > 0)
							cr_assert_geq(t, i);
						if (dy == 0 && dx < 0)
							cr_assert_leq(t, i);
					}
		}
}

Test(layout, rects)
{
	struct rect a = { 0, 0, 10, 5 }, b = { 10, 0, 5, 5 }, c = { 9, 4, 2, 2 };

	cr_assert(rect_contains(a, 0, 0));
	cr_assert(rect_contains(a, 9, 4));
	cr_assert_not(rect_contains(a, 10, 4));
	cr_assert_not(rect_contains(a, -1, 0));
	cr_assert_not(rect_overlap(a, b));
	cr_assert(rect_overlap(a, c));
	cr_assert(rect_overlap(b, c));
	cr_assert_not(rect_overlap(a, (struct rect){ 2, 2, 0, 3 }));
}
