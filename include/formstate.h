/* formstate.h: a citizen filling a service's form, page by page (pure
 * core; the screens draw it, issue 11).
 *
 * "One thing per page": every field the citizen answers is a page of its
 * own, then the check page (核对信息). Fields prefilled from the citizen
 * (prefill "citizen.name", "citizen.id") are no pages: they cannot be
 * changed at the kiosk by whoever stands there, and the check page shows
 * them masked. Going back never loses an answer; changing one from the
 * check page returns straight to it. Answers are the formstate's own
 * copies, wiped when it is freed (a session's end frees it).
 *
 * Ownership: formstate_new borrows the form (it must outlive the state)
 * and copies the prefill values it is given.
 */
#ifndef KIOSK_FORMSTATE_H
#define KIOSK_FORMSTATE_H

#include <stdbool.h>
#include <stddef.h>

#include "model.h"
#include "validate.h"

#define FORM_ANSWER_MAX 512   /* bytes of one answer */

struct formstate;

/* The prefill values of the citizen logged in (full name and ID number:
 * never shown, sent to the gateway only); NULL members: none. */
struct form_prefill {
	const char *name, *id;
};

/* NULL if the form has no field at all to show or send. */
struct formstate *formstate_new(const struct form *f, const struct form_prefill *p);
void formstate_free(struct formstate *s);  /* wipes every answer */

/* The pages: 0 .. n_pages-1 are questions, n_pages is the check page. */
int formstate_pages(const struct formstate *s);
int formstate_page(const struct formstate *s);        /* where the citizen is */
bool formstate_on_check(const struct formstate *s);
/* The field of a question page (index into the form's fields). */
size_t formstate_field(const struct formstate *s, int page);

/* The answer of field i ("" if none); a prefilled one is its real value
 * (to send, never to show). */
const char *formstate_answer(const struct formstate *s, size_t field);
bool formstate_prefilled(const struct formstate *s, size_t field);
/* Sets the answer of the current page (copied; FORM_ANSWER_MAX at most:
 * false if longer). */
bool formstate_set(struct formstate *s, const char *value);

/* Checks the answer of field i against its type and bounds (today: what
 * "today" means in the schema's dates). */
enum v_error formstate_check(const struct formstate *s, size_t field, struct ymd today);

/* Next: checks the current page; V_OK moves on (to the check page when
 * the citizen came to change an answer from it), else stays and says why.
 * Back: the page before (from the check page, the last question); false
 * on the first page (the screen leaves the form). */
enum v_error formstate_next(struct formstate *s, struct ymd today);
bool formstate_back(struct formstate *s);
/* From the check page: change field i's answer (its page, then back to
 * the check page). False if it is prefilled or not a field of a page. */
bool formstate_change(struct formstate *s, size_t field);
/* Before sending: the first field whose answer does not pass (its page is
 * shown), or -1 if all pass. */
long formstate_first_error(struct formstate *s, struct ymd today, enum v_error *why);

#endif
