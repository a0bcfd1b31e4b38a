/* hall.c: help calls and the ratings' outbox sender (see hall.h).
 *
 * Ratings: one request at a time, the oldest due first. An answer the
 * gateway gives for good (201, 409 already rated under another key, 4xx)
 * ends the entry; no answer, a timeout or a 5xx leaves it for the next try
 * after a backoff (30 s doubling to an hour), checked every 30 s while any
 * wait; after an answer for good the others go at once. They go as the
 * kiosk alone (gw_post_kiosk: no citizen's token, whoever is logged in: a
 * rating kept in the outbox may be another person's). A rating a week old is dropped
 * (logged). Nothing of the rating but its key's first characters and the
 * outcome reaches the log.
 */
#include "hall.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "app.h"
#include "gw.h"
#include "i18n.h"
#include "jsonx.h"
#include "log.h"
#include "loop.h"
#include "outbox.h"
#include "ui.h"
#include "util.h"

#define HELP_SHOWN_MS (5 * 60 * 1000)   /* "help is coming" stays this long */
#define RATING_TICK_MS 30000
#define RATING_MAX_AGE_S (7 * 24 * 3600)
#define RATING_MAX_TAGS 5      /* the gateway refuses more (422: the rating lost); scr_rate.c too */

static struct {
	bool help_busy;          /* a call is in flight */
	long long help_until;    /* a call was answered: until then, not again */
	long long help_timer;
	bool sending;            /* a rating request is in flight */
	char sending_key[IDEM_KEY_SIZE]; /* its key (no allocation: a request
	                                    cancelled at shut-down leaves nothing) */
	long long rating_timer;
	bool started;
} H;

static const char owner; /* the requests' owner */

/* ---- help calls ---- */

static long help_expire(struct loop *l, long long id, void *ud)
{
	H.help_timer = 0;
	H.help_until = 0;
	ui_set_help_label(ud, NULL);
	return -1;
}

static void on_help(void *ud, const struct gw_reply *r)
{
	struct app *a = ud;
	H.help_busy = false;
	if (r->result != GW_OK) {
		log_warn("help call not delivered (%d %s)", r->status, r->why ? r->why : "");
		ui_toast(a, ROLE_ERROR, _("The call for staff did not go through. Please go to the service desk, or try again."));
		return;
	}
	long long eta = -1;
	char err[64];
	if (jsonx_int(r->json, "eta_min", false, &eta, "", err, sizeof err) != 0)
		eta = -1;
	char msg[256];
	if (eta > 0 && eta <= 120)
		snprintf(msg, sizeof msg, ngettext("Staff have been called and will come in about %lld minute. Please wait here.",
		                                   "Staff have been called and will come in about %lld minutes. Please wait here.",
		                                   (unsigned long)eta), eta);
	else
		snprintf(msg, sizeof msg, "%s", _("Staff have been called and are on their way. Please wait here."));
	log_info("help call delivered");
	ui_toast(a, ROLE_BANNER, msg);
	ui_set_help_label(a, _("Staff are coming"));
	H.help_until = loop_now_ms() + HELP_SHOWN_MS;
	loop_timer_del(a->loop, H.help_timer);
	H.help_timer = loop_timer_add(a->loop, HELP_SHOWN_MS, help_expire, a);
}

void hall_call_help(struct app *a)
{
	if (H.help_busy) {
		ui_toast(a, ROLE_BANNER, _("Calling staff..."));
		return;
	}
	if (H.help_until > loop_now_ms()) {
		ui_toast(a, ROLE_BANNER, _("Staff have been called already and are on their way. Please wait here."));
		return;
	}
	struct screen *s = ui_top(a);
	const char *screen = s ? s->ops->name : "home";
	H.help_busy = true;
	log_info("help call from screen %s", screen);
	ui_toast(a, ROLE_BANNER, _("Calling staff..."));
	gw_post_kiosk(a->gw, "/v1/kiosk/help", json_pack("{s:s, s:s}", "reason", "assist", "screen", screen), NULL,
	        &owner, 0, on_help, a);
}

/* ---- ratings ---- */

static void rating_kick(struct app *a, bool all);

struct due {
	struct app *a;
	long long now;
	struct outbox_rating pick; /* strings owned here */
	bool found;
	bool all;                  /* at start-up: due whatever next_at says */
	int dropped;
};

static void find_due(void *ud, const struct outbox_rating *r)
{
	struct due *d = ud;
	if (r->created_at && d->now - r->created_at > RATING_MAX_AGE_S) {
		if (outbox_rating_end(d->a->outbox, r->key, "dropped") == OUTBOX_OK)
			d->dropped++;
		return;
	}
	if (d->found || (r->next_at > d->now && !d->all))
		return;
	d->found = true;
	d->pick = *r;
	d->pick.subject_kind = xstrdup(r->subject_kind);
	d->pick.subject_id = xstrdup(r->subject_id);
	d->pick.service_id = xstrdup(r->service_id);
	d->pick.tags = xstrdup(r->tags);
	d->pick.comment = xstrdup(r->comment);
}

static json_t *rating_body(const struct outbox_rating *r)
{
	json_t *subject = json_object();
	if (!strcmp(r->subject_kind, "ticket")) {
		/* "A023#<the take's key>": the number comes back tomorrow, the
		 * outbox keeps one rating per subject: the key tells them
		 * apart. The gateway is sent the number. */
		json_object_set_new(subject, "ticket", json_stringn(r->subject_id, strcspn(r->subject_id, "#")));
		if (r->service_id[0])
			json_object_set_new(subject, "service_id", json_string(r->service_id));
	} else
		json_object_set_new(subject, r->subject_kind, json_string(r->subject_id));
	json_t *tags = json_array();
	char *t = xstrdup(r->tags), *save = NULL;
	/* The gateway takes at most RATING_MAX_TAGS (more: 422, the rating lost). */
	for (char *tok = strtok_r(t, ",", &save); tok && json_array_size(tags) < RATING_MAX_TAGS;
	     tok = strtok_r(NULL, ",", &save))
		json_array_append_new(tags, json_string(tok));
	free(t);
	json_t *body = json_pack("{s:o, s:i, s:o}", "subject", subject, "score", r->score, "tags", tags);
	if (r->comment[0])
		json_object_set_new(body, "comment", json_string(r->comment));
	return body;
}

static void on_rating(void *ud, const struct gw_reply *r)
{
	struct app *a = ud;
	char key[IDEM_KEY_SIZE];
	snprintf(key, sizeof key, "%s", H.sending_key);
	H.sending = false;
	const char *how = NULL;
	if (r->result == GW_OK)
		how = "delivered";
	else if (r->result == GW_PROBLEM &&
	         (r->status == 400 || r->status == 409 || r->status == 422 ||
	          (r->status == 404 && r->problem.code && !strcmp(r->problem.code, "unknown_subject"))))
		how = "refused"; /* for good: rated already, no such subject, not a rating */
	if (how) {
		bool ended = a->outbox && outbox_rating_end(a->outbox, key, how) == OUTBOX_OK;
		if (!ended && a->outbox)
			log_warn("rating %.8s: %s", key, outbox_error(a->outbox));
		if (!strcmp(how, "delivered"))
			log_info("rating %.8s delivered", key);
		else
			log_warn("rating %.8s refused by the gateway (%d %s)", key, r->status,
			         r->problem.code ? r->problem.code : "");
		/* The gateway answers again: the next one, and those kept by an
		 * outage, go now rather than after their backoff (one at a time;
		 * each ends before the next, so this stops; not if this one
		 * could not be ended, or it would be sent again at once). */
		if (ended)
			rating_kick(a, true);
		return;
	}
	log_info("rating %.8s not delivered yet (%d): kept", key, r->status);
}

static void rating_kick(struct app *a, bool all)
{
	if (H.sending || !a->outbox)
		return;
	struct due d = { .a = a, .now = (long long)time(NULL), .all = all };
	if (outbox_rating_pending(a->outbox, find_due, &d) < 0) {
		log_warn("ratings: %s", outbox_error(a->outbox));
		return;
	}
	if (d.dropped)
		log_warn("%d rating(s) a week old dropped unsent", d.dropped);
	if (!d.found)
		return;
	long long wait = 30LL << (d.pick.attempts < 7 ? d.pick.attempts : 7);
	if (wait > 3600)
		wait = 3600;
	/* Counted before it goes: a crash after this never sends it early. */
	if (outbox_rating_attempt(a->outbox, d.pick.key, d.now + wait) == OUTBOX_OK) {
		snprintf(H.sending_key, sizeof H.sending_key, "%s", d.pick.key);
		H.sending = true;
		gw_post_kiosk(a->gw, "/v1/ratings", rating_body(&d.pick), d.pick.key, &owner, 0, on_rating, a);
	}
	free((char *)d.pick.subject_kind);
	free((char *)d.pick.subject_id);
	free((char *)d.pick.service_id);
	free((char *)d.pick.tags);
	wipe_str((char *)d.pick.comment);
}

static long rating_tick(struct loop *l, long long id, void *ud)
{
	struct app *a = ud;
	rating_kick(a, false);
	return RATING_TICK_MS;
}

void hall_start(struct app *a)
{
	if (H.started)
		return;
	H.started = true;
	char *path = xasprintf("%s/%s", a->cfg.data_dir, OUTBOX_FILE);
	bool have = access(path, F_OK) == 0;
	free(path);
	if (have && app_outbox(a))
		rating_kick(a, true); /* a restart is a good moment to try */
	H.rating_timer = loop_timer_add(a->loop, RATING_TICK_MS, rating_tick, a);
}

void hall_stop(struct app *a)
{
	loop_timer_del(a->loop, H.rating_timer);
	loop_timer_del(a->loop, H.help_timer);
	gw_cancel_owner(a->gw, &owner);
	H.rating_timer = H.help_timer = 0;
	H.sending = H.help_busy = false;
}

bool hall_rate(struct app *a, const struct outbox_rating *r)
{
	struct outbox *ob = app_outbox(a);
	if (!ob) {
		log_warn("rating not recorded: no outbox");
		return false;
	}
	char key[IDEM_KEY_SIZE];
	enum outbox_result res = outbox_rating_new(ob, r, key);
	if (res == OUTBOX_KEPT) {
		log_info("rating for that subject exists already (%.8s): not another", key);
		return true;
	}
	if (res != OUTBOX_OK) {
		log_warn("rating not recorded: %s", outbox_error(ob));
		return false;
	}
	log_info("rating %.8s recorded (score %d)", key, r->score);
	rating_kick(a, false);
	return true;
}

static void count_one(void *ud, const struct outbox_rating *r)
{
	(*(int *)ud)++;
}

int hall_ratings_pending(struct app *a)
{
	int n = 0;
	if (!a->outbox)
		return 0;
	return outbox_rating_pending(a->outbox, count_one, &n) < 0 ? -1 : n;
}
