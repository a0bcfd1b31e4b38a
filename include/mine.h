/* mine.h: the citizen's own records as the gateway lists them (pure core):
 * applications with their timelines (GET /v1/me/applications) and
 * e-licences (GET /v1/me/licenses). Decoders check every member's type,
 * sanitize every string (text.h) and cap the lists; on failure they return
 * -1 with err naming the member ("applications[2].timeline[0].at: missing").
 *
 * Ownership: what a decoder fills is the caller's, freed (and wiped: these
 * are personal) by the matching _free.
 */
#ifndef KIOSK_MINE_H
#define KIOSK_MINE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#define MINE_MAX_ITEMS 200     /* more are left out (newest first) */
#define MINE_MAX_EVENTS 50     /* of one timeline */

enum app_status { APP_SUBMITTED, APP_ACCEPTED, APP_IN_REVIEW, APP_NEEDS_MORE, APP_APPROVED,
                  APP_REJECTED, APP_COMPLETED, APP_UNKNOWN };

struct app_event { char *at; enum app_status status; char *note; };

struct application {
	char *id, *service_id, *service_name, *updated_at;
	enum app_status status;
	char *needs_more;          /* "" unless status is needs_more */
	struct app_event *timeline;
	size_t n_events;
};

struct license {
	char *id, *type, *name, *number_masked, *issuer, *valid_until, *verify_payload;
	long long refresh_s;       /* > 0 */
};

/* "submitted"... -> APP_*; an unknown word is APP_UNKNOWN (shown as it is
 * not: "in progress"), never an error: the gateway may add statuses. */
enum app_status app_status_parse(const char *s);
const char *app_status_name(enum app_status s);

int applications_decode(const json_t *root, struct application **out, size_t *n, char *err, size_t errlen);
void applications_free(struct application *a, size_t n);
int licenses_decode(const json_t *root, struct license **out, size_t *n, char *err, size_t errlen);
void licenses_free(struct license *l, size_t n);

#endif
