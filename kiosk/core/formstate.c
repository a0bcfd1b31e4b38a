/* formstate.c: a citizen filling a form page by page (see formstate.h). */
#include "formstate.h"

#include <stdlib.h>
#include <string.h>

#include "money.h"
#include "xmem.h"

struct formstate {
	const struct form *f;
	char (*answer)[FORM_ANSWER_MAX + 1];   /* by field */
	bool *prefilled;                       /* by field */
	size_t *pages;                         /* page -> field */
	int n_pages;
	int page;                              /* n_pages: the check page */
	bool back_to_check;                    /* changing an answer from the check page */
};

static const char *prefill_value(const char *prefill, const struct form_prefill *p)
{
	if (!p || !prefill || !*prefill)
		return NULL;
	if (!strcmp(prefill, "citizen.name"))
		return p->name;
	if (!strcmp(prefill, "citizen.id"))
		return p->id;
	return NULL;
}

struct formstate *formstate_new(const struct form *f, const struct form_prefill *p)
{
	if (!f || f->n_fields == 0)
		return NULL;
	struct formstate *s = xcalloc(1, sizeof *s);
	s->f = f;
	s->answer = xcalloc(f->n_fields, sizeof *s->answer);
	s->prefilled = xcalloc(f->n_fields, sizeof *s->prefilled);
	s->pages = xcalloc(f->n_fields, sizeof *s->pages);
	for (size_t i = 0; i < f->n_fields; i++) {
		const char *v = prefill_value(f->fields[i].prefill, p);
		if (v && *v && strlen(v) <= FORM_ANSWER_MAX) {
			strcpy(s->answer[i], v);
			s->prefilled[i] = true;
		} else {
			s->pages[s->n_pages++] = i;
		}
	}
	return s;
}

void formstate_free(struct formstate *s)
{
	if (!s)
		return;
	explicit_bzero(s->answer, s->f->n_fields * sizeof *s->answer);
	free(s->answer);
	free(s->prefilled);
	free(s->pages);
	explicit_bzero(s, sizeof *s);
	free(s);
}

int formstate_pages(const struct formstate *s) { return s->n_pages; }
int formstate_page(const struct formstate *s) { return s->page; }
bool formstate_on_check(const struct formstate *s) { return s->page == s->n_pages; }

size_t formstate_field(const struct formstate *s, int page)
{
	return page >= 0 && page < s->n_pages ? s->pages[page] : (size_t)-1;
}

const char *formstate_answer(const struct formstate *s, size_t field)
{
	return field < s->f->n_fields ? s->answer[field] : "";
}

bool formstate_prefilled(const struct formstate *s, size_t field)
{
	return field < s->f->n_fields && s->prefilled[field];
}

bool formstate_set(struct formstate *s, const char *value)
{
	if (formstate_on_check(s))
		return false;
	size_t n = strlen(value);
	if (n > FORM_ANSWER_MAX)
		return false;
	char *a = s->answer[s->pages[s->page]];
	explicit_bzero(a, FORM_ANSWER_MAX + 1);
	memcpy(a, value, n);
	return true;
}

enum v_error formstate_check(const struct formstate *s, size_t field, struct ymd today)
{
	if (field >= s->f->n_fields)
		return V_FORMAT;
	const struct form_field *ff = &s->f->fields[field];
	const char *a = s->answer[field];
	size_t n = strlen(a);
	if (n == 0)
		return ff->required ? V_EMPTY : V_OK;
	switch (ff->type) {
	case FIELD_TEXT:
		return v_text(a, n, ff->max_len > 0 ? (size_t)ff->max_len : 0, ff->required);
	case FIELD_NUMBER:
		return v_number(a, n, ff->has_min, ff->min_num, ff->has_max, ff->max_num, NULL);
	case FIELD_MONEY: {
		long long fen;
		if (!money_parse_yuan(a, n, &fen))
			return V_FORMAT;
		if (ff->has_min && fen < ff->min_num)
			return V_TOO_SMALL;
		if (ff->has_max && fen > ff->max_num)
			return V_TOO_LARGE;
		return V_OK;
	}
	case FIELD_DATE:
		return v_date(a, n, ff->min_date, ff->max_date, today);
	case FIELD_SELECT:
		for (size_t k = 0; k < ff->n_options; k++)
			if (!strcmp(ff->options[k].value, a))
				return V_OK;
		return V_FORMAT;
	case FIELD_BOOL:
		if (strcmp(a, "true") && strcmp(a, "false"))
			return V_FORMAT;
		/* a required box (本人承诺...) must be ticked */
		return ff->required && strcmp(a, "true") ? V_EMPTY : V_OK;
	case FIELD_IDCARD:
		return v_idcard(a, n, today);
	case FIELD_PHONE:
		return v_phone(a, n);
	}
	return V_FORMAT;
}

enum v_error formstate_next(struct formstate *s, struct ymd today)
{
	if (formstate_on_check(s))
		return V_OK;
	enum v_error e = formstate_check(s, s->pages[s->page], today);
	if (e != V_OK)
		return e;
	if (s->back_to_check) {
		s->back_to_check = false;
		s->page = s->n_pages;
	} else {
		s->page++;
	}
	return V_OK;
}

bool formstate_back(struct formstate *s)
{
	if (s->back_to_check) {
		/* Back from a change: the check page again, the answer as it is. */
		s->back_to_check = false;
		s->page = s->n_pages;
		return true;
	}
	if (s->page == 0)
		return false;
	s->page--;
	return true;
}

bool formstate_change(struct formstate *s, size_t field)
{
	if (!formstate_on_check(s))
		return false;
	for (int p = 0; p < s->n_pages; p++)
		if (s->pages[p] == field) {
			s->page = p;
			s->back_to_check = true;
			return true;
		}
	return false;
}

long formstate_first_error(struct formstate *s, struct ymd today, enum v_error *why)
{
	for (int p = 0; p < s->n_pages; p++) {
		enum v_error e = formstate_check(s, s->pages[p], today);
		if (e != V_OK) {
			if (why)
				*why = e;
			s->page = p;
			s->back_to_check = true;
			return (long)s->pages[p];
		}
	}
	return -1;
}
