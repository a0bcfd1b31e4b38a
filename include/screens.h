/* screens.h: the screens (kiosk/screens/, one file each with its ops
 * table) and the navigation they share (nav.c). Only screens and main.c
 * include it: the layers below never push a screen by name. */
#ifndef KIOSK_SCREENS_H
#define KIOSK_SCREENS_H

#include "app.h"
#include "ui.h"

/* Screens. */
extern const struct screen_ops scr_home;
extern const struct screen_ops scr_categories;
extern const struct screen_ops scr_services;  /* arg: category id (copied) */
extern const struct screen_ops scr_service;   /* arg: service id (copied) */
extern const struct screen_ops scr_message;   /* arg: struct scr_message_arg * */
extern const struct screen_ops scr_login;     /* arg: struct scr_login_arg * or NULL */
extern const struct screen_ops scr_me;        /* needs a session */
extern const struct screen_ops scr_lang;      /* language picker */
extern const struct screen_ops scr_voice;     /* voice settings: rate, volume, off */
extern const struct screen_ops scr_confirm;   /* arg: struct scr_confirm_arg * */
extern const struct screen_ops scr_bills;     /* 生活缴费: the kind of bill */
extern const struct screen_ops scr_account;   /* arg: struct scr_account_arg * */
extern const struct screen_ops scr_pay;       /* arg: const struct bill * (copied) */
extern const struct screen_ops scr_search;    /* arg: struct scr_search_arg * or NULL */
extern const struct screen_ops scr_form;      /* arg: service id (copied); needs a session */
extern const struct screen_ops scr_applied;   /* arg: struct scr_applied_arg * */
extern const struct screen_ops scr_resume;    /* arg: struct scr_resume_arg * */

/* A submission the outbox held for this citizen (strings copied). */
struct scr_resume_arg {
	const char *key, *service_id, *service_name, *body;
	const char *when;            /* when it was filled in, as shown */
};
/* At log-in (session.c's hook, set by main.c): offers the citizen the
 * submissions the outbox holds for them, if any. */
void app_offer_held(struct app *a);
extern const struct screen_ops scr_queue;     /* 排队取号: which service */
extern const struct screen_ops scr_ticket;    /* arg: struct scr_ticket_arg * */
extern const struct screen_ops scr_rate;      /* arg: struct scr_rate_arg * */

/* Takes a number for this service (strings copied). */
struct scr_ticket_arg {
	const char *service_id, *service_name;
};
/* 好差评 for one subject (strings copied): subject_kind "ticket",
 * "application_id" or "payment_id", and its id. */
struct scr_rate_arg {
	const char *subject_kind, *subject_id, *service_id, *service_name;
};
/* Writes s one character at a time ("A 0 2 3"), for voice mode. */
void app_spell(const char *s, char *out, size_t n);
extern const struct screen_ops scr_mine;      /* 我的办件; needs a session */
extern const struct screen_ops scr_licenses;  /* 电子证照; needs a session */

/* 申请已提交: what the gateway confirmed (strings copied). */
struct scr_applied_arg {
	const char *app_id, *status, *service_id, *service_name, *where;
	long long processing_days;  /* -1: not stated */
	long long fee_fen;
};

/* 搜索服务: opened by the home button or '/' (NULL: digits type T9), or by
 * a character typed on home or a catalog screen (text: it is the query's
 * first, and digits choose results). */
struct scr_search_arg {
	const char *text;
};

/* The account number of a kind of bill (scanned: already read off a paper
 * bill, or NULL). */
struct scr_account_arg {
	enum bill_type type;
	const char *scanned;
};
/* "Water", "Electricity"... translated (scr_bills.c). */
const char *bill_type_label(enum bill_type t);

/* A yes/no question before something irreversible (large mode). */
struct scr_confirm_arg {
	const char *question;     /* copied */
	void (*yes)(struct app *a);
};

/* Where to go after logging in (the screen that needed a citizen). */
struct scr_login_arg {
	const struct screen_ops *then;
	const char *then_arg;   /* copied (a string) */
};

/* Staff mode (scr_staff*.c; the session is staff.h's). */
extern const struct screen_ops scr_staff;         /* the menu; needs a staff session */
extern const struct screen_ops scr_staff_pin;     /* the PIN pad (home's hidden sequence) */
extern const struct screen_ops scr_staff_reprint; /* 重打凭条 */
extern const struct screen_ops scr_staff_page;    /* arg: int * (enum staff_page) */
extern const struct screen_ops scr_staff_dev;     /* 设备检测 */
extern const struct screen_ops scr_staff_chart;   /* the display's colour chart */
enum staff_page { STAFF_PAGE_LEDGER, STAFF_PAGE_OUTBOX, STAFF_PAGE_NETWORK, STAFF_PAGE_CONFIG, STAFF_PAGE_ERRORS };
/* On home: the hidden sequence * # * # ('.' for '#') opens the PIN pad;
 * true if the key was one of it. */
bool app_staff_key(struct app *a, int key);
/* A staff session has begun: its menu (staff_card_login's started). */
void app_staff_started(struct app *a);

/* --demo-sim (kiosk/screens/nav.c): F5 fetches a demo citizen's login code from the gateway's
 * /sim endpoint and feeds it to the scan path; F6 approves the QR login on
 * screen, as the citizen's phone would. Returns true if it used the key. */
bool app_demo_key(struct app *a, int key);
/* The device flow's user code while the log-in screen shows one, or NULL. */
const char *scr_login_user_code(struct screen *s);
/* The payment whose QR the pay screen shows, or NULL (demo: F7 pays it). */
const char *scr_pay_payment_id(struct screen *s);

/* Navigation shared by the screens (kiosk/screens/nav.c): */
/* Pushes ops, through the login screen first if nobody is logged in. */
void app_push_citizen(struct app *a, const struct screen_ops *ops, const char *arg);
/* Ends the session at the citizen's request (asking first in large mode). */
void app_logout(struct app *a);
/* On home and the catalog screens: a letter or Chinese character typed
 * opens the search with it, '/' opens it empty. True if key was taken. */
bool app_search_key(struct app *a, int key);

struct scr_message_arg {
	const char *title;  /* translated; copied */
	const char *text;
};

#endif
