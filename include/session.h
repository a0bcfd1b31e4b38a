/* session.h: the citizen's session. The token and the citizen's data live
 * in memory only, are sent to nobody but the gateway, never logged, and are
 * wiped when the session ends: by the citizen (退出), by the idle timeout,
 * or by the gateway (401 session_expired). Ending a session also clears the
 * screen and the terminal's scrollback and returns to home.
 *
 * The idle timeout applies to anonymous use too (a citizen who walks away
 * mid-browse leaves the next one a fresh home screen): 30 s before the end
 * a warning with a countdown appears; any key or touch extends the time, as
 * often as needed (WCAG 2.2.1 asks for at least 10 extensions).
 */
#ifndef KIOSK_SESSION_H
#define KIOSK_SESSION_H

#include <stdbool.h>

#include "gw.h"
#include "login.h"

struct app;
struct screen;

enum session_end_reason { END_BY_CITIZEN, END_IDLE, END_EXPIRED };

bool session_active(const struct app *a);
const struct citizen *session_citizen(const struct app *a);

/* Starts a session from a decoded login (moved: *l is left zeroed). */
void session_begin(struct app *a, struct login *l);
/* Ends the session (if any): logout sent without waiting, secrets wiped,
 * screen and scrollback cleared, home shown with a notice saying why. */
void session_end(struct app *a, enum session_end_reason why);

/* A key or touch: resets the idle clock. Returns true if it dismissed the
 * idle warning (the input is then consumed). */
bool session_activity(struct app *a);
/* Starts the idle watch (main.c). */
void session_idle_start(struct app *a);
/* Seconds left before the idle end while the warning shows, else -1. */
int session_idle_warning(const struct app *a);

/* Login by a scanned code, from a screen that accepts scans: checks the
 * code, then POSTs /v1/auth/scan as a request of screen s with this tag.
 * Returns false (and shows why) if the code was refused before sending. */
bool session_scan_login(struct screen *s, int tag, const char *code, size_t len);
/* The reply to that request: starts the session and returns true, or shows
 * what went wrong and returns false. */
bool session_scan_reply(struct screen *s, const struct gw_reply *r);

#endif
