/* staff.c: staff mode's session (see staff.h): the staff card checked at
 * the gateway, the PIN checked against its hash with its lockout kept on
 * disk, the session's end, and what staff print (a receipt again from the
 * ledger, the printer's test page).
 *
 * One staff session at a time, never beside a citizen's: both ways in are
 * refused while a citizen is logged in, and a card's answer starts a
 * session only if the staff member is still on the screen where they
 * scanned (as session.c keeps a citizen's log-in). The session's screens
 * sit above home; ending it pops them.
 */
#include "staff.h"

#include <errno.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "app.h"
#include "escpos.h"
#include "i18n.h"
#include "idem.h"
#include "jsonx.h"
#include "log.h"
#include "loop.h"
#include "outbox.h"
#include "pinlock.h"
#include "session.h"
#include "text.h"
#include "ui.h"
#include "util.h"

/* One per process, as the citizen's session is one per app. */
static struct {
	bool active;
	enum staff_via via;
	char who[96];             /* the gateway's masked name, sanitized */
	char id[40];              /* the gateway's staff id */
	long long started_ms, ends_ms;
	long long timer;          /* its expiry */
	/* The card being checked: whose screen asked, and where they were. */
	bool checking;
	unsigned long screen_id, nav;
	void (*started)(struct app *a);
	/* The PIN's lockout (pinlock.h), read from its file at first use. */
	bool lock_loaded;
	struct pinlock lock;
} S;

bool staff_active(const struct app *a) { return S.active; }
enum staff_via staff_via(const struct app *a) { return S.via; }
const char *staff_who(const struct app *a) { return S.active ? S.who : ""; }
const char *staff_id(const struct app *a) { return S.active ? S.id : ""; }

long staff_seconds_left(const struct app *a)
{
	if (!S.active)
		return 0;
	long long left = S.ends_ms - loop_now_ms();
	return left > 0 ? (long)((left + 999) / 1000) : 0;
}

/* ---- beginning and ending ---- */

static long on_expiry(struct loop *l, long long id, void *ud)
{
	S.timer = 0;
	staff_end(ud, STAFF_END_EXPIRED);
	return -1;
}

static void begin(struct app *a, enum staff_via via, const char *who, const char *id, long long secs)
{
	S.active = true;
	S.via = via;
	text_copy(S.who, sizeof S.who, who);
	text_copy(S.id, sizeof S.id, id);
	S.started_ms = loop_now_ms();
	S.ends_ms = S.started_ms + secs * 1000;
	S.timer = loop_timer_add(a->loop, (long)(secs * 1000), on_expiry, a);
	a->last_activity_ms = loop_now_ms(); /* the idle clock starts now */
	if (via == STAFF_VIA_CARD)
		log_info("staff: session started (card, staff %s, %lld s)", S.id, secs);
	else
		log_info("staff: session started (PIN, %lld s)", secs);
}

void staff_end(struct app *a, enum staff_end_reason why)
{
	if (!S.active)
		return;
	static const char *const names[] = { "exit", "idle", "expired", "left", "restart", "shutdown" };
	log_info("staff: session ended (%s, %lld s)", names[why], (loop_now_ms() - S.started_ms) / 1000);
	S.active = false;
	loop_timer_del(a->loop, S.timer);
	S.timer = 0;
	explicit_bzero(S.who, sizeof S.who);
	explicit_bzero(S.id, sizeof S.id);
	if (why == STAFF_END_SHUTDOWN)
		return; /* the UI is being taken down */
	if (why != STAFF_END_LEFT)
		ui_home(a); /* LEFT: its screens are gone already */
	ui_clear_terminal(a);
	const char *msg = why == STAFF_END_IDLE ? _("Staff mode ended: the kiosk was not used for a while.")
	                : why == STAFF_END_EXPIRED ? _("Staff mode ended: the staff session has expired.")
	                : why == STAFF_END_RESTART ? _("Restarting the kiosk program...")
	                : _("Staff mode ended.");
	ui_toast(a, why == STAFF_END_EXIT || why == STAFF_END_LEFT ? ROLE_OK : ROLE_BANNER, msg);
	ui_relayout(a);
}

void staff_restart(struct app *a)
{
	log_info("staff: restart asked: exiting with %d for the supervisor", KIOSK_EXIT_RESTART);
	staff_end(a, STAFF_END_RESTART);
	loop_stop(a->loop, KIOSK_EXIT_RESTART);
}

/* ---- the staff card ---- */

bool staff_code_like(const char *code, size_t len)
{
	size_t pl = strlen(STAFF_CODE_PREFIX);
	return len >= pl && memcmp(code, STAFF_CODE_PREFIX, pl) == 0;
}

bool staff_code_valid(const char *code, size_t len)
{
	if (len != STAFF_CODE_LEN || !staff_code_like(code, len))
		return false;
	for (size_t i = strlen(STAFF_CODE_PREFIX); i < len; i++)
		if (!((code[i] >= 'A' && code[i] <= 'Z') || (code[i] >= '2' && code[i] <= '7')))
			return false;
	return true;
}

static void card_refused(struct app *a, const struct gw_reply *r)
{
	const char *code = r->result == GW_PROBLEM && r->problem.code ? r->problem.code : "";
	const char *msg;
	if (!strcmp(code, "invalid_code"))
		msg = _("This staff card is not valid. Please get a new staff code.");
	else if (!strcmp(code, "code_used"))
		msg = _("This staff code was already used. Please get a new one.");
	else if (!strcmp(code, "code_expired"))
		msg = _("This staff code has expired. Please get a new one.");
	else if (r->result == GW_PROBLEM && r->status >= 400 && r->status < 500)
		msg = _("The staff card was not accepted.");
	else { /* no network, a gateway in trouble */
		char m[512];
		snprintf(m, sizeof m, "%s %s", _("The staff card could not be checked."), ui_gw_message(r));
		ui_toast(a, ROLE_ERROR, m);
		return;
	}
	ui_toast(a, ROLE_ERROR, msg);
}

static void on_card_reply(void *ud, const struct gw_reply *r)
{
	struct app *a = ud;
	S.checking = false;
	struct screen *top = ui_top(a);
	bool there = top && top->id == S.screen_id && ui_nav_gen(a) == S.nav;
	if (r->result != GW_OK || !r->json) {
		log_info("staff: card refused (%d %s)", r->status,
		         r->result == GW_PROBLEM && r->problem.code && *r->problem.code ? r->problem.code : "no answer");
		if (there)
			card_refused(a, r);
		ui_dirty(a);
		return;
	}
	char err[160] = "";
	char *id = NULL, *name = NULL;
	long long secs = 0;
	if (jsonx_str(r->json, "staff_id", true, &id, "staff", err, sizeof err) != 0 ||
	    jsonx_str(r->json, "name", true, &name, "staff", err, sizeof err) != 0 ||
	    jsonx_int(r->json, "expires_in", true, &secs, "staff", err, sizeof err) != 0 ||
	    !*id || strlen(id) >= sizeof S.id || strspn(id, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.") != strlen(id) ||
	    secs <= 0) {
		if (!err[0])
			snprintf(err, sizeof err, "staff: a staff id of letters and digits and expires_in > 0 expected");
		log_warn("staff: answer rejected: %s", err);
		if (there)
			ui_toast(a, ROLE_ERROR, _("The service network sent an answer this kiosk cannot read. Please ask the staff."));
		free(id);
		wipe_str(name);
		return;
	}
	if (secs > STAFF_MAX_SESSION_S)
		secs = STAFF_MAX_SESSION_S;
	const char *why = a->session.closing ? "shutting down"
	                : S.active ? "staff mode is on"
	                : session_active(a) ? "a citizen is logged in"
	                : !there ? "the screen was changed" : NULL;
	if (why) {
		log_info("staff: card accepted but not used (%s)", why);
		if (!S.active && !session_active(a) && !a->session.closing)
			ui_toast(a, ROLE_BANNER, _("The staff log-in was cancelled because the screen was changed. Please scan again."));
	} else {
		/* The name as the gateway masked it, cut to what a title shows. */
		char *shown = text_ellipsize(name, 16);
		begin(a, STAFF_VIA_CARD, shown, id, secs);
		wipe_str(shown);
		ui_toast(a, ROLE_OK, _("Staff mode is on."));
		if (S.started)
			S.started(a);
	}
	free(id);
	wipe_str(name);
	ui_dirty(a);
}

bool staff_card_login(struct screen *s, const char *code, size_t len, void (*started)(struct app *a))
{
	struct app *a = s->app;
	if (session_active(a)) {
		ui_toast(a, ROLE_BANNER, _("A citizen is logged in. Log out first, then scan the staff card."));
		return false;
	}
	if (S.active)
		return false;
	struct screen *top = ui_top(a);
	if (S.checking && top && top->id == S.screen_id && ui_nav_gen(a) == S.nav) {
		ui_toast(a, ROLE_TEXT, _("The staff card is being checked. Please wait."));
		return false;
	}
	if (!staff_code_valid(code, len)) {
		log_info("staff: a malformed staff code scanned (%zu bytes)", len);
		ui_toast(a, ROLE_ERROR, _("This staff card cannot be read. Please get a new staff code."));
		return false;
	}
	/* An answer for a screen since left would not be used: dropped. */
	gw_cancel_owner(a->gw, &S);
	S.checking = true;
	S.screen_id = s->id;
	S.nav = ui_nav_gen(a);
	S.started = started;
	json_t *body = json_object();
	json_object_set_new(body, "code", json_stringn(code, len));
	gw_post(a->gw, "/v1/kiosk/staff", body, NULL, &S, 0, on_card_reply, a);
	log_info("staff: card scanned, checking");
	ui_toast(a, ROLE_TEXT, _("Checking the staff card..."));
	return true;
}

/* ---- the PIN ---- */

bool staff_pin_configured(const struct app *a)
{
	return a->cfg.staff_pin_hash && *a->cfg.staff_pin_hash;
}

static char *lock_path(struct app *a)
{
	return xasprintf("%s/%s", a->cfg.data_dir, STAFF_PIN_STATE_FILE);
}

static void lock_load(struct app *a)
{
	if (S.lock_loaded)
		return;
	S.lock_loaded = true;
	pinlock_init(&S.lock);
	char *path = lock_path(a);
	size_t len;
	errno = 0;
	char *text = file_read(path, 256, &len);
	if (text) {
		if (pinlock_parse(&S.lock, text, len, (long long)time(NULL)) != 0)
			log_warn("staff: %s is damaged: the PIN is locked for %lld s", path, PINLOCK_BASE_S);
		free(text);
	} else if (errno != ENOENT) {
		/* There, but unreadable: never five fresh tries. */
		pinlock_parse(&S.lock, "", 0, (long long)time(NULL));
		log_warn("staff: %s cannot be read (%s): the PIN is locked for %lld s", path, strerror(errno),
		         PINLOCK_BASE_S);
	}
	free(path);
}

static int lock_save(struct app *a)
{
	char buf[128];
	size_t n = pinlock_format(&S.lock, buf, sizeof buf);
	char *path = lock_path(a);
	int rc = n ? file_write_atomic(path, buf, n, 0600, true) : -1;
	if (rc != 0)
		log_warn("staff: cannot write %s: %s", path, strerror(errno));
	free(path);
	return rc;
}

long long staff_pin_locked_s(struct app *a)
{
	lock_load(a);
	return pinlock_locked_s(&S.lock, (long long)time(NULL));
}

/* PBKDF2-HMAC-SHA256 of the PIN: 0, or -1 (OpenSSL failed). */
static int pin_derive(const char *pin, size_t len, const unsigned char *salt, size_t salt_len,
                      unsigned iterations, unsigned char out[PINHASH_LEN])
{
	return PKCS5_PBKDF2_HMAC(pin, (int)len, salt, (int)salt_len, (int)iterations, EVP_sha256(),
	                         PINHASH_LEN, out) == 1 ? 0 : -1;
}

enum staff_pin_result staff_pin_try(struct app *a, const char *pin, size_t len, long long *info)
{
	*info = 0;
	struct pinhash want;
	char err[160];
	if (!staff_pin_configured(a) || pinhash_parse(a->cfg.staff_pin_hash, &want, err, sizeof err) != 0)
		return STAFF_PIN_OFF;
	lock_load(a);
	long long now = (long long)time(NULL);
	long long locked = pinlock_locked_s(&S.lock, now);
	if (locked > 0) {
		log_info("staff: PIN not tried: locked for %lld s more", locked);
		*info = locked;
		return STAFF_PIN_LOCKED;
	}
	if (!pin_plausible(pin, len))
		return STAFF_PIN_BAD;
	if (session_active(a) || S.active)
		return STAFF_PIN_BAD; /* never beside a citizen (the screens never ask then) */
	unsigned char got[PINHASH_LEN];
	bool right = pin_derive(pin, len, want.salt, want.salt_len, want.iterations, got) == 0 &&
	             pinhash_equal(got, want.hash, PINHASH_LEN);
	explicit_bzero(got, sizeof got);
	explicit_bzero(&want, sizeof want);
	if (right) {
		pinlock_success(&S.lock);
		if (lock_save(a) != 0)
			log_warn("staff: the PIN's lockout state was not cleared on disk");
		begin(a, STAFF_VIA_PIN, "", "", STAFF_PIN_SESSION_S);
		ui_toast(a, ROLE_OK, _("Staff mode is on."));
		return STAFF_PIN_OK;
	}
	long long len_locked = pinlock_fail(&S.lock, now);
	int saved = lock_save(a);
	if (len_locked > 0) {
		log_warn("staff: PIN locked for %lld s after %d wrong PINs (lockout %d in a row)", len_locked,
		         PINLOCK_MAX_FAILS, S.lock.lockouts);
		*info = len_locked;
		return STAFF_PIN_LOCKED;
	}
	int left = pinlock_tries_left(&S.lock, now);
	log_warn("staff: wrong PIN (%d more before the lockout)", left);
	if (saved != 0)
		return STAFF_PIN_UNSAVED; /* uncounted tries after a restart: none */
	*info = left;
	return STAFF_PIN_WRONG;
}

/* ---- printing ---- */

static void now_text(char *buf, size_t n)
{
	time_t t = time(NULL);
	struct tm tm;
	localtime_r(&t, &tm);
	strftime(buf, n, "%Y-%m-%d %H:%M:%S", &tm);
}

bool staff_reprint(struct app *a, const char *key, struct screen *s, receipt_fn fn)
{
	struct outbox *ob = app_outbox(a);
	struct outbox_entry e = { 0 };
	if (!ob || outbox_find(ob, key, &e) != OUTBOX_OK || !e.in_ledger || e.state != PAY_SUCCESS) {
		outbox_entry_clear(&e);
		if (fn && s)
			fn(s, PRINTER_ABSENT);
		return false;
	}
	char when[32];
	now_text(when, sizeof when);
	/* The mark a reprint carries: on its own line, in both words, so it
	 * reads the same whatever the receipt's language. */
	struct receipt_line lines[] = { { strcmp(i18n_lang(), "en") ? "重打 REPRINT：" : "重打 REPRINT: ", when } };
	struct receipt r = {
		.title = _("Payment receipt (REPRINT)"),
		.lines = lines,
		.n_lines = 1,
		.amount_fen = e.amount_fen,
		.payee = e.payee ? e.payee : "",
		.account_masked = e.account_masked ? e.account_masked : "",
		.purpose = e.description ? e.description : "",
		.receipt_no = e.receipt_no ? e.receipt_no : "",
		.paid_at = e.paid_at ? e.paid_at : "",
		.kiosk_id = a->cfg.kiosk_id ? a->cfg.kiosk_id : "",
		.lang = i18n_lang(),
	};
	log_info("staff: receipt reprinted (staff %s)", S.id[0] ? S.id : "PIN");
	bool ok = receipt_print_doc(a, &r, s, fn);
	outbox_entry_clear(&e);
	return ok;
}

bool staff_print_test_page(struct app *a, struct screen *s, receipt_fn fn)
{
	char when[32], cols[16], ruler[ESCPOS_COLS_MAX + 1];
	now_text(when, sizeof when);
	int n = a->cfg.printer_columns ? (int)a->cfg.printer_columns : ESCPOS_COLS_80MM;
	snprintf(cols, sizeof cols, "%d", n);
	/* As wide as the paper (its first ten digits as the label: escpos.c
	 * takes no empty one): a line that wraps or is cut shows the width is
	 * set wrong. */
	int rl = n < ESCPOS_COLS_MAX ? n : ESCPOS_COLS_MAX;
	for (int i = 0; i < rl; i++)
		ruler[i] = (char)('0' + (i + 1) % 10);
	ruler[rl] = '\0';
	char ruler_head[11];
	memcpy(ruler_head, ruler, 10);
	ruler_head[10] = '\0';
	struct receipt_line lines[] = {
		{ _("Printer: "), a->cfg.printer ? a->cfg.printer : "none" },
		{ _("Columns: "), cols },
		{ _("Time: "), when },
		{ ruler_head, ruler + 10 },
		{ _("Chinese text: "), "政务服务自助终端 打印测试 一二三四五六七八九十" },
	};
	char qr[96];
	snprintf(qr, sizeof qr, "KIOSK-PRINTER-TEST %s", a->cfg.kiosk_id ? a->cfg.kiosk_id : "");
	struct receipt r = {
		.title = _("Printer test page"),
		.no_amount = true,
		.lines = lines,
		.n_lines = sizeof lines / sizeof lines[0],
		.kiosk_id = a->cfg.kiosk_id ? a->cfg.kiosk_id : "",
		.verify = qr,
		.verify_label = _("Test QR code"),
		.lang = i18n_lang(),
	};
	log_info("staff: printer test page");
	return receipt_print_doc(a, &r, s, fn);
}

struct check_job {
	struct app *a;
	unsigned long screen_id;
	staff_printer_fn fn;
};

static void on_checked(void *ud, enum printer_status st, const char *why)
{
	struct check_job *j = ud;
	struct screen *s = ui_find(j->a, j->screen_id);
	if (s && j->fn)
		j->fn(s, st, why);
	ui_dirty(j->a);
	free(j);
}

bool staff_printer_check(struct app *a, struct screen *s, staff_printer_fn fn)
{
	struct printer *p = app_printer(a);
	if (!p) {
		if (fn)
			fn(s, PRINTER_ABSENT, "no printer configured");
		return false;
	}
	struct check_job *j = xcalloc(1, sizeof *j);
	j->a = a;
	j->screen_id = s->id;
	j->fn = fn;
	printer_check(p, on_checked, j);
	return true;
}

/* ---- kiosk --hash-pin ---- */

int staff_hash_pin_command(FILE *in, FILE *out, FILE *err)
{
	struct termios old, quiet;
	bool tty = isatty(fileno(in)) && tcgetattr(fileno(in), &old) == 0;
	if (tty) {
		fputs("Staff PIN (4-12 digits): ", err);
		fflush(err);
		quiet = old;
		quiet.c_lflag &= ~(tcflag_t)ECHO;
		tcsetattr(fileno(in), TCSAFLUSH, &quiet);
	}
	char line[64] = "";
	bool got = fgets(line, sizeof line, in) != NULL;
	if (tty) {
		tcsetattr(fileno(in), TCSAFLUSH, &old);
		fputc('\n', err);
	}
	size_t len = got ? strcspn(line, "\r\n") : 0;
	int status = 1;
	if (!pin_plausible(line, len)) {
		fprintf(err, "kiosk: a staff PIN is %d to %d digits\n", PIN_MIN_DIGITS, PIN_MAX_DIGITS);
		goto done;
	}
	struct pinhash h = { .iterations = PINHASH_ITER_DEFAULT, .salt_len = 16 };
	if (getrandom(h.salt, h.salt_len, 0) != (ssize_t)h.salt_len ||
	    pin_derive(line, len, h.salt, h.salt_len, h.iterations, h.hash) != 0) {
		fprintf(err, "kiosk: cannot hash the PIN\n");
		goto done;
	}
	char spec[256];
	if (pinhash_format(&h, spec, sizeof spec) == 0) {
		fprintf(out, "staff_pin_hash = %s\n", spec);
		fprintf(err, "kiosk: put this line in the [kiosk] section of the configuration (keep the file 0600)\n");
		status = 0;
	}
	explicit_bzero(&h, sizeof h);
done:
	explicit_bzero(line, sizeof line);
	return status;
}
