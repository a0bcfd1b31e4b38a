/* menu.h: a page of numbered choices, the widget most screens are made of.
 * Keys: arrows move, 1-9 pick an item, 0 and PgDn go to the next page,
 * PgUp to the previous one, Enter picks the focused item. A menu of up to 9
 * items numbers them 1-9 whatever the page; a longer one numbers each page's
 * items 1-9 (at most 9 a page), so every item has a digit (keypad-only
 * kiosks). */
#ifndef KIOSK_MENU_H
#define KIOSK_MENU_H

#include <stdbool.h>
#include <stddef.h>

#include "layout.h"

#define MENU_T_PREV 1000000
#define MENU_T_NEXT 1000001
#define MENU_MAX_PER_PAGE 9
#define MENU_MAX_PER_PAGE_LARGE 4   /* large mode: 4 big choices a page */

enum { MENU_IGNORED = -1, MENU_MOVED = -2 };

struct menu {
	struct grid g;
	struct rect area;
	struct rect pager;   /* row for page buttons; h 0 when one page */
	int n;
	int focus;
	bool no_focus;       /* draw no item as focused (another element has
	                      * the focus); keys still move from `focus` */
};

/* Label of item i; *sub may be set to a second line (or left NULL). */
typedef const char *(*menu_label_fn)(void *ud, int i, const char **sub);

void menu_layout(struct menu *m, struct rect area, int n, int min_w, int item_h,
                 int gap_x, int gap_y, int max_cols);
/* Returns the index picked (>= 0), MENU_MOVED, or MENU_IGNORED. */
int menu_key(struct menu *m, int key);
/* For a touched target: the index picked, MENU_MOVED (pager), or MENU_IGNORED. */
int menu_mouse(struct menu *m, int target);
void menu_draw(const struct menu *m, menu_label_fn label, void *ud);
/* What to mark in item i's label (bytes [*b0, *b1); equal: nothing). */
typedef void (*menu_mark_fn)(void *ud, int i, size_t *b0, size_t *b1);
void menu_draw_marked(const struct menu *m, menu_label_fn label, menu_mark_fn mark, void *ud);
int menu_page(const struct menu *m);
/* Voice text for item i: "第3项，<label>" / "Item 3: <label>" (its number
 * on its page, as the keypad picks it). */
void menu_speak_item(const struct menu *m, int i, const char *label, char *buf, size_t n);

#endif
