/* app.h: the kiosk's state, shared by the screens. One per process. */
#ifndef KIOSK_APP_H
#define KIOSK_APP_H

#include <stdbool.h>

#include "config.h"
#include "gw.h"
#include "keys.h"
#include "layout.h"
#include "login.h"
#include "model.h"
#include "pay.h"
#include "scan.h"
#include "theme.h"

struct fleet;
struct loop;
struct screen;
struct search_index;

enum cat_state { CAT_NONE, CAT_LOADING, CAT_FAILED, CAT_CACHED, CAT_LIVE };

struct app {
	struct config cfg;
	struct loop *loop;
	struct gw *gw;
	struct theme theme;

	/* The screen stack, painting and input are the UI's own (ui.c). */
	int term_cols, term_rows, cell_w, cell_h; /* as the terminal says; pixels 0 if unknown */

	/* The catalog: the last good copy (from the gateway or the disk cache). */
	struct catalog cat;
	enum cat_state cat_state;
	char *cat_etag;
	bool cat_loaded;        /* a catalog is loaded (CACHED or LIVE) */
	char *cat_error;        /* owned: plain message when CAT_FAILED */
	/* The search index of `cat` (it borrows the catalog: dropped before
	 * the catalog is replaced or freed); built when a catalog arrives. */
	struct search_index *search;
	unsigned long search_gen;   /* counts indexes built: results name theirs */
	long long search_timer;     /* builds the index right after a catalog arrives */
	long long health_timer;
	long long clock_timer;
	bool running;

	/* The citizen's session (session.c). */
	struct {
		bool active;
		struct login login;     /* secrets: wiped at the end */
		long long started_ms;
		/* Log-in requests in flight: their answers may create a session
		 * at the gateway, so they belong to the session, not a screen. */
		struct session_login_req {
			int serial;               /* the request's tag; 0: free slot */
			unsigned long screen_id;  /* the screen that asked */
			unsigned long nav;        /* ui_nav_gen() when it asked */
			int tag;                  /* that screen's own tag */
			bool scan;
		} reqs[8];
		int next_serial;
		int revoking;           /* logouts sent and not yet answered */
		bool closing;           /* shutting down: no new session */
		bool draining;
		/* The form the citizen left unfinished (scr_form.c owns what it
		 * is): kept for the session, wiped at its end by draft_free. */
		void *draft;
		void (*draft_free)(void *draft);
		/* Called when a session has begun (main.c sets it: the screens
		 * offer what the outbox holds for this citizen). */
		void (*on_start)(struct app *a);
		/* Called as a session ends, before the modes are reset (fleet.c
		 * sets it: settings a config brought during the session). */
		void (*on_end)(struct app *a);
	} session;
	long long last_activity_ms;
	long long idle_timer;
	bool idle_warning;
	int idle_extensions;

	/* Accessibility modes (access.c): on until the session ends or the
	 * citizen switches them off. */
	bool large;
	bool voice;
	/* The font size asked of the terminal (access.c): FONT_NORMAL,
	 * FONT_QR (large mode while a QR code shows) or FONT_LARGE; pending
	 * from the request until the next SIGWINCH. */
	int font_level;
	bool font_pending;
	struct theme theme_normal, theme_large;
	struct speech *speech;
	bool speech_failed;
	char spoken[2048];          /* the last thing said for the screen */
	unsigned long spoken_id;    /* the screen it was said for (ids are never reused) */
	char speak_first[512];      /* a notice to say before the screen */

	/* Scanners (keyboard-wedge detection on the terminal is the UI's). */
	struct scanner *scanners[8];
	int n_scanners;
	/* Payments written before they are sent (outbox.c); NULL if the
	 * database could not be opened: then no payment is taken. */
	struct outbox *outbox;
	/* Heartbeats and the config from afar (fleet.c); NULL until fleet_load. */
	struct fleet *fleet;
	const char *pay_key_shown; /* the payment a pay screen follows itself (its key), or NULL */
	bool payment_open;         /* a pay screen is creating or showing a payment: the idle
	                            * timeout waits (the citizen may be confirming on the phone) */
};

/* Accessibility (access.c). */
void access_set_large(struct app *a, bool on);
void access_set_voice(struct app *a, bool on);
/* Back to the configured modes (a session ended). */
void access_reset(struct app *a);
/* Says what the screen shows now, if voice mode is on and it changed:
 * everything after a screen change, the focused item after a move. */
void access_speak_screen(struct app *a);
/* Says a notice (toast, error) before the screen's own text. */
void access_speak_notice(struct app *a, const char *text);
/* Says the screen again in full (重听). */
void access_repeat(struct app *a);
/* Large mode: while a QR code is shown the font is five eighths of the way
 * from the normal to the large size (26 points with the shipped 16/32:
 * still 1.6 times the normal one), so the code fits beside its words
 * (true asks for it, false returns to large). */
void access_qr_font(struct app *a, bool qr_shown);
/* The QR code does not fit at that size on this screen: asks for the
 * normal size. False if that was done already, is not the case, or the
 * grid for the last request has not come yet. */
bool access_qr_font_smaller(struct app *a);
/* The terminal reported a new grid (SIGWINCH): a font request is done. */
void access_font_settled(struct app *a);
/* Says text now, whatever the mode (staff mode's speech test); false if
 * speech cannot be opened (logged). */
bool access_say(struct app *a, const char *text);
/* The idle limit in seconds: longer in large mode. */
long access_idle_limit_s(const struct app *a);

/* A scan from any scanner (raw bytes; sanitized here): goes to the top
 * screen if it accepts scans, else a notice says where to scan. */
void app_on_scan(struct app *a, const char *code, size_t len, const char *source);

/* The search index of the catalog shown (built now if need be; empty
 * when there is no catalog). */
struct search_index *app_search(struct app *a);
/* Drops the index (before the catalog is freed or replaced). */
void app_search_drop(struct app *a);
/* Loads the saved catalog of the current language, if any. */
void app_catalog_load_cache(struct app *a);
/* Timers and the gateway's network-state callback (wired by main.c). */
long app_on_clock(struct loop *l, long long id, void *ud);
long app_on_health_timer(struct loop *l, long long id, void *ud);
void app_on_net_change(void *ud, enum gw_net state);
/* Fetches (or revalidates) the catalog in the current language. */
void app_catalog_refresh(struct app *a);
/* Switches the language of the whole kiosk at once. */
void app_set_lang(struct app *a, const char *lang);
/* Quits (development mode only: --no-lockdown). */
void app_quit(struct app *a);

/* The disk cache (data directory): the last good answer for a GET, with its
 * ETag. name must be a plain file name. cache_load returns a parsed copy
 * (new reference) or NULL; *etag (may be NULL) receives a new string. */
json_t *cache_load(struct app *a, const char *name, char **etag);
void cache_store(struct app *a, const char *name, const char *body, size_t len, const char *etag);

/* The outbox, opened at first use (DATA_DIR/outbox.db); NULL if it cannot
 * be, which is logged once: no payment is taken then. */
struct outbox *app_outbox(struct app *a);
/* Scanner callback (main.c registers it for every scanner). */
void app_scanner_event(void *ud, enum scan_event ev, const char *code, size_t len,
                       const char *source, const char *why);

#endif
