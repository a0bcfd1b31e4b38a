/* layout.c: where the buttons of a screen go.
 *
 * Screens hand over an area and a number of equal buttons; the grid decides
 * columns, rows and pages once, and every later question (which rectangle,
 * which page, what is under the finger, where does the arrow key go) is
 * arithmetic on it. Inputs are clamped rather than trusted, because areas
 * come from terminal sizes and a 1x1 terminal must not crash the kiosk.
 */
#include "layout.h"

#include <limits.h>

static int clamp_int(long long v, int lo, int hi)
{
	if (v < lo)
		return lo;
	if (v > hi)
		return hi;
	return (int)v;
}

void grid_layout(struct grid *g, struct rect area, int n, int min_w, int item_h,
                 int gap_x, int gap_y, int max_cols)
{
	long long cols, rows, per;

	if (area.w < 0)
		area.w = 0;
	if (area.h < 0)
		area.h = 0;
	if (n < 0)
		n = 0;
	if (min_w < 1)
		min_w = 1;
	if (item_h < 1)
		item_h = 1;
	if (gap_x < 0)
		gap_x = 0;
	if (gap_y < 0)
		gap_y = 0;
	if (max_cols < 1)
		max_cols = 1;

	g->area = area;
	g->n = n;
	g->gap_x = gap_x;
	g->gap_y = gap_y;
	/* w >= c*min_w + (c-1)*gap  <=>  c <= (w + gap) / (min_w + gap) */
	cols = ((long long)area.w + gap_x) / ((long long)min_w + gap_x);
	rows = ((long long)area.h + gap_y) / ((long long)item_h + gap_y);
	if (cols > max_cols)
		cols = max_cols;
	if (cols > n)
		cols = n > 0 ? n : 1;
	if (cols < 1 || rows < 1) {
		/* Not even one button fits: show one per page, clipped. */
		g->cols = g->rows = g->per_page = 1;
		g->cell_w = area.w < min_w ? area.w : min_w;
		g->cell_h = area.h < item_h ? area.h : item_h;
		g->pages = n > 1 ? n : 1;
		return;
	}
	if (cols * rows > INT_MAX)
		rows = INT_MAX / cols; /* keeps every index an int */
	per = cols * rows;
	g->cols = (int)cols;
	g->rows = (int)rows;
	g->per_page = clamp_int(per, 1, INT_MAX);
	/* Buttons share the spare width; heights stay as asked so text sits
	 * where the screen expects it. */
	g->cell_w = clamp_int(((long long)area.w - (cols - 1) * gap_x) / cols, 0, INT_MAX);
	g->cell_h = item_h;
	g->pages = n > 0 ? (int)(((long long)n + g->per_page - 1) / g->per_page) : 1;
}

int grid_page_of(const struct grid *g, int i)
{
	if (i < 0 || g->per_page < 1)
		return 0;
	return i / g->per_page;
}

int grid_page_first(const struct grid *g, int p)
{
	long long f;

	if (p < 0)
		p = 0;
	f = (long long)p * g->per_page;
	return f > g->n ? g->n : (int)f;
}

int grid_page_count(const struct grid *g, int p)
{
	int first, left;

	if (p < 0 || p >= g->pages)
		return 0;
	first = grid_page_first(g, p);
	left = g->n - first;
	return left < g->per_page ? left : g->per_page;
}

struct rect grid_cell(const struct grid *g, int i)
{
	struct rect r = { g->area.x, g->area.y, 0, 0 };
	int k, row, col;

	if (i < 0 || i >= g->n || g->per_page < 1 || g->cols < 1)
		return r;
	k = i % g->per_page;
	row = k / g->cols;
	col = k % g->cols;
	r.x = g->area.x + col * (g->cell_w + g->gap_x);
	r.y = g->area.y + row * (g->cell_h + g->gap_y);
	r.w = g->cell_w;
	r.h = g->cell_h;
	return r;
}

int grid_hit(const struct grid *g, int p, int x, int y)
{
	long long dx = (long long)x - g->area.x, dy = (long long)y - g->area.y;
	long long sx = (long long)g->cell_w + g->gap_x, sy = (long long)g->cell_h + g->gap_y;
	long long col, row, i;

	if (p < 0 || p >= g->pages || dx < 0 || dy < 0 || sx <= 0 || sy <= 0)
		return -1;
	col = dx / sx;
	row = dy / sy;
	/* Gaps between buttons belong to no button. */
	if (col >= g->cols || row >= g->rows || dx % sx >= g->cell_w ||
	    dy % sy >= g->cell_h)
		return -1;
	i = (long long)p * g->per_page + row * g->cols + col;
	return i < g->n ? (int)i : -1;
}

/* Spatial movement: arrows move within the page; leaving the page at its
 * left/right edge turns to the neighbouring page on the same row, leaving at
 * the top/bottom edge turns to it on the same column. A target beyond the
 * last item lands on the last item; with nothing in that direction the
 * focus stays. */
int grid_move(const struct grid *g, int i, int dx, int dy)
{
	int cols = g->cols > 0 ? g->cols : 1, rows = g->rows > 0 ? g->rows : 1;
	int per = cols * rows, p, k, row, col, last = g->n - 1;
	long long t;

	if (g->n <= 0)
		return 0;
	if (i < 0)
		i = 0;
	if (i > last)
		i = last;
	if (dx) {
		p = i / per;
		k = i % per;
		row = k / cols;
		col = k % cols;
		if (dx > 0) {
			if (col + 1 < cols && i < last)
				i++;
			else if (p + 1 < g->pages && (long long)(p + 1) * per <= last) {
				t = (long long)(p + 1) * per + (long long)row * cols;
				i = t > last ? last : (int)t;
			}
		} else {
			if (col > 0)
				i--;
			else if (p > 0)
				i = (p - 1) * per + row * cols + cols - 1;
		}
	}
	if (dy) {
		p = i / per;
		k = i % per;
		row = k / cols;
		col = k % cols;
		if (dy > 0) {
			if (row + 1 < rows) {
				t = (long long)i + cols;
				if (t <= last)
					i = (int)t;
				else if ((long long)i - col + cols <= last)
					i = last; /* partial last row */
			} else if (p + 1 < g->pages && (long long)(p + 1) * per <= last) {
				t = (long long)(p + 1) * per + col;
				i = t > last ? last : (int)t;
			}
		} else {
			if (row > 0)
				i -= cols;
			else if (p > 0)
				i = (p - 1) * per + (rows - 1) * cols + col;
		}
	}
	return i;
}

int rect_contains(struct rect r, int x, int y)
{
	return x >= r.x && y >= r.y && (long long)x < (long long)r.x + r.w &&
	       (long long)y < (long long)r.y + r.h;
}

int rect_overlap(struct rect a, struct rect b)
{
	if (a.w <= 0 || a.h <= 0 || b.w <= 0 || b.h <= 0)
		return 0;
	return (long long)a.x < (long long)b.x + b.w && (long long)b.x < (long long)a.x + a.w &&
	       (long long)a.y < (long long)b.y + b.h && (long long)b.y < (long long)a.y + a.h;
}
