/* hall.h: what the kiosk does for the service hall beyond one screen
 * (kiosk/hall.c): 呼叫工作人员 (a help call, from the status bar on every
 * screen), and 好差评 ratings, written to the outbox and sent from there
 * until the gateway has them (once: the same Idempotency-Key every try),
 * whatever screen the citizen has gone on to, across outages and restarts.
 *
 * App layer: screens call hall_rate; main.c registers hall_call_help as
 * the UI's help hook and calls hall_start / hall_stop.
 */
#ifndef KIOSK_HALL_H
#define KIOSK_HALL_H

#include <stdbool.h>

struct app;
struct outbox_rating;

/* Starts sending ratings a restart left in the outbox (if there is one). */
void hall_start(struct app *a);
void hall_stop(struct app *a);

/* 呼叫工作人员: POST /v1/kiosk/help with the screen's name; the citizen is
 * told that help is coming (or that the call did not go out). A second
 * press while a call is on its way says so and sends nothing. */
void hall_call_help(struct app *a);

/* Records a rating (r's key is ignored) and sends it. True if it is in the
 * outbox (or was already: one rating per subject); false if it could not
 * be written (logged; the citizen is thanked all the same: a rating is
 * never worth an error on their way home). */
bool hall_rate(struct app *a, const struct outbox_rating *r);

/* Ratings waiting in the outbox (for staff and the heartbeat), or -1. */
int hall_ratings_pending(struct app *a);

#endif
