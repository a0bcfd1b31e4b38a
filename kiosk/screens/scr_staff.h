/* scr_staff.h: what the staff screens (scr_staff*.c) share: the banner
 * that says, on every one of them, that this is staff mode, who is in it,
 * when it ends and how to leave it. Private to kiosk/screens/. */
#ifndef KIOSK_SCR_STAFF_H
#define KIOSK_SCR_STAFF_H

#include <stdbool.h>
#include <stddef.h>

#include "layout.h"

struct screen;

/* Rows the banner takes at the top of a staff screen's area. */
#define STAFF_BANNER_H 2

/* The area below the banner (for resize and draw alike). */
struct rect staff_body(struct rect area);
/* Draws the banner in area's first row (draw only). */
void staff_banner(struct screen *s, struct rect area);
/* "工作人员模式 · page" in a buffer of the screen's own (n bytes). */
const char *staff_title(char *buf, size_t n, const char *page);

/* The scan op of staff screens other than 设备检测: says where scans go. */
int staff_scan_elsewhere(struct screen *s, const char *code, size_t len);
/* Fits s into w columns at out (n bytes): cut with "…" or padded with
 * spaces to exactly w; returns out. */
char *staff_col(char *out, size_t n, const char *s, int w);

#endif
