/* search_e2e.h: helpers the search suites share (test_search.c,
 * test_search_attack.c): the kiosk started with its layout dump, typing
 * as a person does, and the touch targets of the frame last painted. */
#ifndef TESTS_SEARCH_E2E_H
#define TESTS_SEARCH_E2E_H

#include "e2e.h"

/* Target ids of kiosk/screens/scr_search.c. */
#define SE_ID_MODE      2000000
#define SE_ID_KEYBOARD  2000001
#define SE_ID_BROWSE    2000002
#define SE_ID_BOX       2000003
#define SE_ID_OSK_FIRST 2000100
#define SE_ID_OSK_LAST  (2000100 + 39)

struct tgt { int id, x, y, w, h; };

/* The kiosk at home writing its layout dump to `layout`, its catalog
 * fetched, the screen settled. */
struct harness *se_start_at_home(struct gwd *g, const char *layout, int cols, int rows,
                                 const char *const extra[], int ms);
/* Types text, then a pause, so the keyboard-wedge detector lets it out as
 * keys, never as a scan. */
void se_type(struct harness *h, const char *s);
/* The targets of the last complete frame of `screen` (at most max). */
int se_frame_targets(const char *layout, const char *screen, struct tgt *t, int max);
/* The target `id` in the search screen's last frame (*out may be NULL). */
bool se_has_target(const char *layout, int id, struct tgt *out);
/* A touch in the middle of a target, and the screen settled. */
void se_click(struct harness *h, const struct tgt *t);
/* The text of a target's cells, rows joined by spaces (caller frees). */
char *se_target_text(struct harness *h, const struct tgt *g);
/* Touches the on-screen keyboard's key labelled `label` ("G", "删除"),
 * turning the letters' pages to find it; fails the test if there is none. */
void se_touch_key(struct harness *h, struct gwd *gw, const char *layout, const char *label, int ms);

#endif
