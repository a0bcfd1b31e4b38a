/* gw_demo.h: the hand-written demo catalog and demo citizens with their past
 * applications and e-licences (demo_data.c),
 * loaded into SQLite by --demo. Every human-readable text is given in both languages side by
 * side, indexed by enum lang: [LANG_ZH] zh-CN, [LANG_EN] English. [LANG_TW] is
 * left NULL: the loader takes the zh-TW text from zh_tw_table.c, generated
 * from the zh-CN one by zh_tw_gen.py (a text set here would win).
 */
#ifndef GW_DEMO_H
#define GW_DEMO_H

#include <stdbool.h>
#include <stddef.h>

#include "gw.h"

struct demo_option {
	const char *value;
	const char *label[LANG_N];
};

struct demo_field {
	const char *id;
	const char *type;            /* text number money date select bool idcard phone */
	const char *label[LANG_N];
	bool required;
	int max_len;                 /* text: 0 = none */
	const char *prefill;         /* "citizen.name", "citizen.id", or NULL */
	const char *min_date, *max_date;  /* date: "YYYY-MM-DD" or "today", or NULL */
	bool has_min, has_max;       /* number/money (fen) */
	long long min, max;
	const struct demo_option *options; /* select: ends with {NULL} */
};

struct demo_category {
	const char *id;
	const char *name[LANG_N];
	const char *where[LANG_N];   /* the hall window for its services */
};

struct demo_service {
	const char *id, *category, *kind;   /* kind: apply query bill queue */
	bool login_required;
	long long fee_fen;
	int processing_days;                /* working days; 0 = on the spot */
	const char *name[LANG_N];
	const char *summary[LANG_N];
	const char *keywords[LANG_N];       /* separated by '|' */
	const char *description[LANG_N];
	const char *materials[LANG_N];      /* separated by '|' */
	const char *where[LANG_N];          /* NULL: the category's window */
	const struct demo_field *form;      /* ends with {NULL} */
};

/* A service given by its catalog entry alone (most of a real hall's list):
 * it gets the plain detail page (db.c: the description is its name, no
 * materials, the plain form of its kind, its category's window), as the
 * services of a --catalog file without details do. */
struct demo_brief {
	const char *id, *category, *kind;
	bool login_required;
	long long fee_fen;
	const char *name[LANG_N];
	const char *keywords[LANG_N];       /* separated by '|', or NULL */
	const char *where[LANG_N];          /* NULL: the category's window; "": none
	                                     * (done online: no queue ticket) */
};

/* A demo citizen (fictional): login tests and form prefill. */
struct demo_citizen {
	const char *id;              /* "cit-zhang" */
	const char *name;            /* 张三 */
	const char *idno;            /* 18 characters, valid GB 11643-1999 check digit */
	const char *phone;           /* 11 digits */
};

/* A past application of a demo citizen, with its timeline so far (the
 * first entry is its submission, the last its current status). Times are
 * counted back from when --demo loads it, so the demo stays recent. */
struct demo_app_event {
	int at_h;                    /* hours after the submission */
	const char *status;          /* submitted accepted in_review needs_more approved rejected completed */
	const char *note[LANG_N];
};

struct demo_application {
	const char *citizen;         /* "cit-zhang" */
	const char *service_id;      /* one of demo_services */
	int days_ago;                /* submitted this many days before loading */
	const char *needs_more[LANG_N]; /* what to bring, when the status is needs_more */
	const struct demo_app_event *timeline; /* ends with { 0 } */
};

/* A demo e-licence (电子证照) of a demo citizen. */
struct demo_license {
	const char *id;              /* "lic-..." opaque: it is in the verify URL */
	const char *citizen;
	const char *type;            /* id_card driving_licence social_security_card ... */
	const char *name[LANG_N];
	const char *number_masked;
	const char *issuer[LANG_N];
	const char *valid_until;     /* "YYYY-MM-DD", NULL: 长期 (no end) */
};

extern const char demo_catalog_version[];
extern const struct demo_category demo_categories[];
extern const size_t demo_n_categories;
extern const struct demo_service demo_services[];
extern const size_t demo_n_services;
extern const struct demo_brief demo_briefs[];  /* after demo_services in the catalog */
extern const size_t demo_n_briefs;
extern const char *const demo_popular[];
extern const size_t demo_n_popular;
extern const struct demo_citizen demo_citizens[]; /* the first is the default */
extern const size_t demo_n_citizens;
extern const struct demo_application demo_applications[];
extern const size_t demo_n_applications;
extern const struct demo_license demo_licenses[];
extern const size_t demo_n_licenses;

#endif
