/* ui.h: screens, the screen stack, and drawing.
 *
 * A screen is a file with a const ops table. `enter` allocates its state,
 * `leave` frees it; requests a screen starts with ui_get()/ui_post() belong
 * to it and are cancelled when it leaves, so a late reply is dropped, never
 * delivered to freed state. `draw` only renders into the curses buffer; the
 * terminal is painted once per loop pass, and only if something is dirty.
 *
 * Popping never frees at once. ui_pop (and ui_home, session_end, anything
 * that pops) takes the screen off the stack, marks it gone and cancels its
 * requests; its `leave` and the free run at the end of the loop pass (before
 * painting). So a screen function may go on reading its own state after a
 * call that popped it: the first crash found in the kiosk was a screen that
 * read itself after such a call. A gone screen starts no requests.
 *
 * Touch: while drawing, a screen registers each actionable rectangle with
 * ui_target(); a click on it reaches the screen's `mouse` op with that id.
 */
#ifndef KIOSK_UI_H
#define KIOSK_UI_H

#include <stdbool.h>
#include <stddef.h>

#include "gw.h"
#include "keys.h" /* the key codes screens see: K_UP, K_RETURN... */
#include "layout.h"
#include "theme.h"

struct app;
struct screen;

enum { UI_PASS = 0, UI_HANDLED = 1 };

/* Targets the UI itself draws (status bar); screens use ids >= 0. */
#define UI_T_BACK (-1)
#define UI_T_HOME (-2)
#define UI_T_LOGOUT (-3)
#define UI_T_IDLE (-4)
#define UI_T_REPEAT (-5)
#define UI_T_HELP (-6)

struct screen_ops {
	const char *name;
	void (*enter)(struct screen *s, void *arg);
	void (*leave)(struct screen *s);
	/* Returns UI_HANDLED, or UI_PASS to let the UI apply the common keys
	 * (Esc/Backspace back, Home home). */
	int (*key)(struct screen *s, int key);
	/* A target this screen registered was touched. */
	int (*mouse)(struct screen *s, int target);
	void (*draw)(struct screen *s, struct rect area);
	/* The area changed (terminal resized, banner shown or hidden, language
	 * or catalog changed): lay out again. */
	void (*resize)(struct screen *s, struct rect area);
	/* A reply to a request this screen started (tag as given). */
	void (*reply)(struct screen *s, int tag, const struct gw_reply *r);
	/* What voice mode reads: with full, the title, what to do and the
	 * focused item ("第2项，社保查询"); without, only what changed (the
	 * focused item after a move). */
	void (*speak)(struct screen *s, char *buf, size_t n, bool full);
	/* The title bar's text (translated). */
	const char *(*title)(struct screen *s);
	/* A scanned code (sanitized text). Screens without it do not accept
	 * scans: the UI says where to scan instead. */
	int (*scan)(struct screen *s, const char *code, size_t len);
	/* A log-in this screen started has succeeded (the session has begun
	 * and this screen is still on top). */
	void (*logged_in)(struct screen *s);
};

struct screen {
	const struct screen_ops *ops;
	struct app *app;
	void *priv;
	struct screen *below;      /* the stack; the graveyard once gone */
	unsigned long id;          /* never reused: names a screen after it is freed */
	bool gone;                 /* popped; left and freed at the end of the pass */
};

/* The stack. ui_push calls the new screen's enter(arg); ui_pop takes the
 * top off (its leave runs at the end of the pass); ui_home pops to the
 * bottom (home) screen. */
void ui_push(struct app *a, const struct screen_ops *ops, void *arg);
void ui_pop(struct app *a);
void ui_home(struct app *a);
struct screen *ui_top(struct app *a);
int ui_depth(struct app *a);
/* The screen on the stack with this id, or NULL if it has been popped. */
struct screen *ui_find(struct app *a, unsigned long id);
/* Counts pushes and pops: equal values mean the citizen has not moved. */
unsigned long ui_nav_gen(const struct app *a);
/* Leaves and frees the screens popped since the last call (before_sleep
 * does it; main.c at shut-down). */
void ui_reap(struct app *a);

/* Requests owned by a screen; the reply goes to s->ops->reply. */
void ui_get(struct screen *s, int tag, const char *path, const char *etag);
void ui_post(struct screen *s, int tag, const char *path, json_t *body, const char *idem_key);

/* Painting. */
void ui_dirty(struct app *a);
void ui_relayout(struct app *a);   /* resize op of the top screen + dirty */
struct rect ui_area(struct app *a);

/* Drawing helpers (only inside draw). Text is UTF-8, already sanitized. */
void ui_fill(struct rect r, enum role role);
/* Draws text at (x, y) in at most w columns, ellipsized; returns columns used. */
int ui_text(int x, int y, int w, enum role role, const char *s);
/* Draws text wrapped into r (ellipsis on the last line if it does not
 * fit); returns the number of rows used. */
int ui_para(struct rect r, enum role role, const char *s);
/* Same, centred in w columns. */
int ui_text_center(int x, int y, int w, enum role role, const char *s);
/* A button: a box with "N label" (N = number, 0 for none), the focus shown
 * by colour and by a marker and bold frame. Registers the target. */
void ui_button(struct rect r, int target, int number, const char *label,
               const char *sub, bool focused);
/* The same with the label's bytes [b0, b1) marked (what a search
 * matched): underlined, and bold where the theme allows it. */
void ui_button_mark(struct rect r, int target, int number, const char *label,
                    size_t b0, size_t b1, const char *sub, bool focused);
/* ui_text with bytes [b0, b1) marked the same way. */
int ui_text_mark(int x, int y, int w, enum role role, const char *s, size_t b0, size_t b1);
/* Registers a touch target without drawing. */
void ui_target(struct rect r, int target);
/* Where the hardware cursor goes after painting (the focused element). */
void ui_cursor(int x, int y);

/* A notice on the line above the status bar for a few seconds (copied). */
void ui_toast(struct app *a, enum role role, const char *msg);
/* The status bar's help button says this instead of 呼叫工作人员 (a call
 * is on its way; copied), or the usual label again with NULL. */
void ui_set_help_label(struct app *a, const char *label);
/* Wipes the notice's text (it may have named the citizen). */
void ui_wipe_notice(struct app *a);
/* Clears the screen and the terminal's scrollback at the next paint. */
void ui_clear_terminal(struct app *a);
/* Repaints the whole terminal at the next paint (font or theme changed). */
void ui_repaint_all(struct app *a);

/* Large-text mode: fewer, bigger choices (menus read this). Voice mode:
 * the status bar offers 重听 and '*' repeats. Set by access.c. */
bool ui_large(void);
void ui_set_large(bool on);
void ui_set_voice(bool on);

/* Common keys a screen may treat as its own. */
bool ui_key_is_back(int key);

/* A one-line message for a failed request, in the current language:
 * plain words, never a technical reason. */
const char *ui_gw_message(const struct gw_reply *r);

/* What the UI needs from the layers above it. It never calls them by
 * name: the app registers these at ui_init (main.c), so the layers read
 * top-down (screens -> app, session, access -> ui -> loop, gw -> core).
 * Each may be NULL. `app` is passed back as given to ui_init. */
struct ui_hooks {
	/* A key or touch arrived (the idle clock restarts); true if it only
	 * dismissed the idle warning, and so is consumed. */
	bool (*activity)(struct app *a);
	/* Seconds left while the idle warning shows, else -1. */
	int (*idle_warning)(const struct app *a);
	/* The logged-in citizen's name as shown (masked), or NULL: nobody. */
	const char *(*citizen)(struct app *a);
	/* The citizen asked to log out (F9, the status bar's button). */
	void (*logout)(struct app *a);
	/* A reply said the gateway ended the session (401 session_expired). */
	void (*session_expired)(struct app *a);
	/* After each paint (voice mode reads what changed). */
	void (*painted)(struct app *a);
	/* A notice was shown (voice mode says it first). */
	void (*notice)(struct app *a, const char *text);
	/* 重听: say the screen again. */
	void (*repeat)(struct app *a);
	/* Every key before the top screen sees it; true if taken (demo keys). */
	bool (*key)(struct app *a, int key);
	/* A keyboard-wedge scanner's code, typed on the terminal (raw bytes). */
	void (*scan)(struct app *a, const char *code, size_t len);
	/* F10 outside lockdown. */
	void (*quit)(struct app *a);
	/* The offline banner's text, or NULL for the plain one. */
	const char *(*offline_text)(struct app *a);
	/* 呼叫工作人员: the status bar's button, F1, or '*' held down (a
	 * keypad's auto-repeat). NULL: no such button. */
	void (*help)(struct app *a);
	/* Whether the help button shows now (NULL: always): not to staff. */
	bool (*help_offered)(struct app *a);
	/* Someone watches the screen from afar (mirror.c): the status bar
	 * says so, so the citizen knows. */
	bool (*watched)(struct app *a);
};

struct loop;
struct ui_config {
	struct loop *loop;
	struct gw *gw;
	const struct theme *theme;   /* read at ui_init only */
	bool lockdown;               /* raw mode; F10 does not quit */
	bool cursor_visible;
	bool wedge; /* false: no keyboard-wedge detection, keys act at once */
	int wedge_gap_ms, wedge_min_len;
};

/* For main.c: set-up, the loop's steps, and tear-down. */
void ui_init(struct app *a, const struct ui_config *cfg, const struct ui_hooks *hooks);
void ui_colours_init(const struct theme *t);
/* New keyboard-wedge timings (a config from afar): from the next key on. */
void ui_set_wedge(struct app *a, int gap_ms, int min_len);
void ui_end(struct app *a);
bool ui_input(struct app *a);      /* terminal readable: read its keys; false: it is gone */
void ui_key(struct app *a, int key);
void ui_paint(struct app *a);      /* before_sleep: paint if dirty */
void ui_resize(struct app *a, int cols, int rows);

#endif
