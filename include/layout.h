/* layout.h: where things go on the screen (pure core).
 *
 * Screens ask for a list of equal buttons in an area; the layout says how
 * many fit on a page, in how many columns, and the rectangle of each one.
 * Tests check that no two rectangles overlap and all lie inside the area.
 */
#ifndef KIOSK_LAYOUT_H
#define KIOSK_LAYOUT_H

struct rect { int x, y, w, h; };

struct grid {
	struct rect area;
	int cols, rows;       /* cells per page */
	int cell_w, cell_h;   /* size of one button */
	int gap_x, gap_y;     /* blank columns/rows between buttons */
	int per_page;         /* cols * rows, >= 1 */
	int pages;            /* >= 1, even for 0 items */
	int n;                /* items */
};

/* Lays out n items of at least min_w x item_h cells in `area`, with the
 * given gaps, in up to max_cols columns (columns chosen as many as fit, but
 * never more than needed for n). If not even one item fits, per_page is 1
 * and the cell is clipped to the area (the caller draws what fits). */
void grid_layout(struct grid *g, struct rect area, int n, int min_w, int item_h,
                 int gap_x, int gap_y, int max_cols);

/* Rectangle of item i (0 <= i < n): on page grid_page_of(g, i), in reading
 * order (left to right, then down). */
struct rect grid_cell(const struct grid *g, int i);
int grid_page_of(const struct grid *g, int i);
/* First item index on page p and the number of items on it. */
int grid_page_first(const struct grid *g, int p);
int grid_page_count(const struct grid *g, int p);

/* Item index at screen position (x, y) on page p, or -1. */
int grid_hit(const struct grid *g, int p, int x, int y);

/* Focus movement inside a grid: returns the new index for a key
 * (dx/dy = -1, 0, +1), clamped to [0, n). Moving past a page edge moves to
 * the neighbouring page. */
int grid_move(const struct grid *g, int i, int dx, int dy);

int rect_contains(struct rect r, int x, int y);
int rect_overlap(struct rect a, struct rect b);

#endif
