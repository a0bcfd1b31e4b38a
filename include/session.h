/* session.h: the citizen's session. The token and the citizen's data live
 * in memory only, are sent to nobody but the gateway, never logged, and are
 * wiped when the session ends: by the citizen (退出), by the idle timeout,
 * by the gateway (401 session_expired), or by the kiosk shutting down, when
 * the logout is waited for (briefly) so the gateway revokes the token.
 * Ending a session also clears the screen and the terminal's scrollback and
 * returns to home.
 *
 * Log-ins: one citizen at a time, and never a silent switch. The requests
 * that can log a citizen in (a scanned code, the device flow's token poll)
 * belong to the session, not to the screen that starts them, so their
 * answer is always seen here, even after the screen is gone. A log-in is
 * kept only if nobody is logged in and the citizen is still where they
 * started it: the screen that asked is on top and nothing was pushed or
 * popped since (someone who walks away while their code is checked does not
 * leave the next person logged in as them). Any other session the gateway
 * created is revoked at once with its own token, and a notice says why.
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

enum session_end_reason { END_BY_CITIZEN, END_IDLE, END_EXPIRED, END_SHUTDOWN };

bool session_active(const struct app *a);
const struct citizen *session_citizen(const struct app *a);

/* Ends the session (if any): logout sent, secrets wiped, screen and
 * scrollback cleared, home shown with a notice saying why. */
void session_end(struct app *a, enum session_end_reason why);

/* A key or touch: resets the idle clock. Returns true if it dismissed the
 * idle warning (the input is then consumed). */
bool session_activity(struct app *a);
/* Starts the idle watch (main.c). */
void session_idle_start(struct app *a);
/* Seconds left before the idle end while the warning shows, else -1. */
int session_idle_warning(const struct app *a);

/* Log-in by a scanned code, from screen s (which accepts scans): refused
 * with a notice while someone is logged in or another scan from this very
 * screen is being checked, or if the code is not plausible; otherwise
 * POST /v1/auth/scan. A success starts the session and calls s's logged_in
 * op; a failure is said in a notice (if the citizen is still there).
 * Returns true if the code was sent. */
bool session_scan_login(struct screen *s, const char *code, size_t len);

/* The device flow's POST /v1/auth/token for screen s (body stolen). An
 * answer with a token is handled here (a session, or a revoke); any other
 * answer goes to s's reply op with this tag, if s is still on the stack.
 * False if it was not sent (shutting down, s gone, too many in flight). */
bool session_token_poll(struct screen *s, int tag, json_t *body);

/* Shut-down: no session may start from now on; ends the current one. */
void session_close(struct app *a);
/* Shut-down: runs the loop until every logout sent has been answered and
 * every log-in request has come back (or revoked), at most ms. */
void session_drain(struct app *a, long ms);

#endif
