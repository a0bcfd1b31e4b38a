/* menu.c: numbered, paged choices on top of the pure grid layout. */
#include "menu.h"

#include <stdio.h>

#include "i18n.h"
#include "text.h"
#include "ui.h"

/* Up to 9 items keep one number each whatever the page (home's 3 is always
 * 办事服务, even in large mode's smaller pages); more are numbered 1-9 on
 * each page. */
static bool global_numbers(const struct menu *m)
{
	return m->n <= 9;
}

static int item_number(const struct menu *m, int i)
{
	if (global_numbers(m))
		return i + 1;
	return i - grid_page_first(&m->g, grid_page_of(&m->g, i)) + 1;
}

int menu_page(const struct menu *m)
{
	return m->n ? grid_page_of(&m->g, m->focus) : 0;
}

void menu_layout(struct menu *m, struct rect area, int n, int min_w, int item_h,
                 int gap_x, int gap_y, int max_cols)
{
	int max_per_page = MENU_MAX_PER_PAGE;
	if (ui_large()) {
		/* Targets of at least 3 x 8 cells with blank space between them,
		 * and at most 4 choices a page. */
		max_per_page = MENU_MAX_PER_PAGE_LARGE;
		if (item_h < 3)
			item_h = 3;
		if (min_w < 8)
			min_w = 8;
		if (gap_x < 2)
			gap_x = 2;
		if (gap_y < 1)
			gap_y = 1;
		if (max_cols > 2)
			max_cols = 2;
	}
	m->n = n;
	m->area = area;
	m->pager = (struct rect){ area.x, area.y + area.h, area.w, 0 };
	grid_layout(&m->g, area, n, min_w, item_h, gap_x, gap_y, max_cols);
	struct rect avail = area; /* where the buttons may grow (the pager aside) */
	/* The page buttons: a row, or 3-row buttons in large mode. */
	int pager_h = ui_large() ? 3 : 1;
	if (n > max_per_page || m->g.pages > 1) {
		/* Keep room for the page buttons, and at most 9 items a page. */
		struct rect a = area;
		a.h = area.h - pager_h - 1;
		if (a.h < item_h)
			a.h = item_h;
		avail = a;
		int cols = max_cols;
		grid_layout(&m->g, a, n, min_w, item_h, gap_x, gap_y, cols);
		while (m->g.per_page > max_per_page) {
			if (m->g.rows > 1)
				a.h = (m->g.rows - 1) * (item_h + gap_y) - gap_y;
			else
				cols = m->g.cols - 1;
			grid_layout(&m->g, a, n, min_w, item_h, gap_x, gap_y, cols);
		}
		if (m->g.pages > 1)
			m->pager = (struct rect){ area.x, area.y + area.h - pager_h, area.w, pager_h };
	}
	/* Spare rows make the buttons taller (easier to hit): up to 3 more in
	 * normal mode; in large mode, fewer choices a page take all the room,
	 * so that no button is ever smaller than normal mode's on the same
	 * grid (a terminal that cannot enlarge its font). */
	int on_page = n < m->g.per_page ? n : m->g.per_page;
	int rows = m->g.cols > 0 ? (on_page + m->g.cols - 1) / m->g.cols : 0;
	if (rows > 0) {
		int per = (avail.h + m->g.gap_y) / rows - m->g.gap_y;
		if (!ui_large() && per > item_h + 3)
			per = item_h + 3;
		if (per > item_h) {
			struct grid g2;
			struct rect a2 = avail;
			a2.h = rows * (per + m->g.gap_y) - m->g.gap_y;
			grid_layout(&g2, a2, n, min_w, per, gap_x, m->g.gap_y, m->g.cols);
			if (g2.pages == m->g.pages && g2.per_page >= on_page && g2.per_page <= max_per_page)
				m->g = g2;
		}
	}
	if (m->focus >= n)
		m->focus = n ? n - 1 : 0;
	if (m->focus < 0)
		m->focus = 0;
}

static int goto_page(struct menu *m, int p)
{
	if (m->g.pages <= 1)
		return MENU_IGNORED;
	p = (p % m->g.pages + m->g.pages) % m->g.pages;
	m->focus = grid_page_first(&m->g, p);
	return MENU_MOVED;
}

int menu_key(struct menu *m, int key)
{
	if (m->n == 0)
		return MENU_IGNORED;
	int page = menu_page(m);
	switch (key) {
	case K_UP: m->focus = grid_move(&m->g, m->focus, 0, -1); break;
	case K_DOWN: m->focus = grid_move(&m->g, m->focus, 0, 1); break;
	case K_LEFT: m->focus = grid_move(&m->g, m->focus, -1, 0); break;
	case K_RIGHT: m->focus = grid_move(&m->g, m->focus, 1, 0); break;
	case K_NPAGE: case '0': return goto_page(m, page + 1);
	case K_PPAGE: return goto_page(m, page - 1);
	case K_RETURN: case ' ': return m->focus;
	default:
		if (key >= '1' && key <= '9') {
			int d = key - '1';
			if (global_numbers(m)) {
				if (d < m->n) {
					m->focus = d;
					return m->focus;
				}
			} else if (d < grid_page_count(&m->g, page)) {
				m->focus = grid_page_first(&m->g, page) + d;
				return m->focus;
			}
			return MENU_MOVED; /* a digit with no item: swallow it */
		}
		return MENU_IGNORED;
	}
	return MENU_MOVED;
}

int menu_mouse(struct menu *m, int target)
{
	if (target == MENU_T_PREV)
		return goto_page(m, menu_page(m) - 1);
	if (target == MENU_T_NEXT)
		return goto_page(m, menu_page(m) + 1);
	if (target >= 0 && target < m->n) {
		m->focus = target;
		return target;
	}
	return MENU_IGNORED;
}

void menu_draw(const struct menu *m, menu_label_fn label, void *ud)
{
	menu_draw_marked(m, label, NULL, ud);
}

void menu_draw_marked(const struct menu *m, menu_label_fn label, menu_mark_fn mark, void *ud)
{
	int page = menu_page(m);
	int first = grid_page_first(&m->g, page), count = grid_page_count(&m->g, page);
	for (int k = 0; k < count; k++) {
		int i = first + k;
		const char *sub = NULL;
		const char *l = label(ud, i, &sub);
		size_t b0 = 0, b1 = 0;
		if (mark)
			mark(ud, i, &b0, &b1);
		ui_button_mark(grid_cell(&m->g, i), i, item_number(m, i), l, b0, b1, sub, i == m->focus && !m->no_focus);
	}
	if (m->pager.h >= 3) {
		/* Large mode: two real buttons and the page number between. */
		struct rect r = m->pager;
		char mid[64];
		snprintf(mid, sizeof mid, _("Page %d of %d"), page + 1, m->g.pages);
		const char *prev = _("< Previous"), *next = _("Next >");
		/* Wide enough for the labels (frame, padding, marker); the page
		 * number goes between them only if it fits, never over them. */
		int need = text_width(prev) > text_width(next) ? text_width(prev) : text_width(next);
		int bw = need + 5 < 8 ? 8 : need + 5;
		int midw = text_width(mid) + 2;
		if (2 * bw + midw + 4 > r.w)
			midw = 0;
		if (2 * bw + 2 > r.w)
			bw = (r.w - 2) / 2;
		ui_button((struct rect){ r.x, r.y, bw, 3 }, MENU_T_PREV, 0, prev, NULL, false);
		ui_button((struct rect){ r.x + r.w - bw, r.y, bw, 3 }, MENU_T_NEXT, 0, next, NULL, false);
		if (midw)
			ui_text_center(r.x + bw + 2, r.y + 1, r.w - 2 * bw - 4, ROLE_DIM, mid);
	} else if (m->pager.h > 0) {
		struct rect r = m->pager;
		const char *prev = _("< Previous [PgUp]");
		const char *next = _("[0/PgDn] Next >");
		char mid[64];
		snprintf(mid, sizeof mid, _("Page %d of %d"), page + 1, m->g.pages);
		int pw = text_width(prev), nw = text_width(next);
		if (pw + nw + 1 > r.w) {
			/* Narrow: both buttons without their key hints (the next one
			 * is what paging needs most), the page number if it fits. */
			prev = _("< Previous");
			next = _("Next >");
			pw = text_width(prev);
			nw = text_width(next);
		}
		if (pw + nw + 1 > r.w) {
			pw = r.w / 2;
			nw = r.w - pw - 1;
		}
		ui_text(r.x, r.y, pw, ROLE_BUTTON, prev);
		ui_target((struct rect){ r.x, r.y, pw, 1 }, MENU_T_PREV);
		if (r.w - pw - nw >= text_width(mid) + 2)
			ui_text_center(r.x + pw, r.y, r.w - pw - nw, ROLE_DIM, mid);
		ui_text(r.x + r.w - nw, r.y, nw, ROLE_BUTTON, next);
		ui_target((struct rect){ r.x + r.w - nw, r.y, nw, 1 }, MENU_T_NEXT);
	}
}

void menu_speak_item(const struct menu *m, int i, const char *label, char *buf, size_t n)
{
	snprintf(buf, n, _("Item %d: %s"), item_number(m, i), label);
}
