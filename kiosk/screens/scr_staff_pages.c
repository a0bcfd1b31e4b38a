/* scr_staff_pages.c: staff mode's pages of text (缴费记录, 待发送,
 * 网络与网关, 配置版本, 最近错误) and 重打凭条.
 *
 * Nothing here shows a citizen's data: the ledger and the outbox keep
 * none (amounts, what was paid for, states, times, keys, service ids),
 * the masked account is left out all the same, and the log's lines never
 * hold any. Every string from outside is sanitized before it is drawn.
 * Pages are built when opened and by 1 (refresh); arrows and PgUp/PgDn
 * scroll.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app.h"
#include "fleet.h"
#include "screens.h"
#include "i18n.h"
#include "log.h"
#include "loop.h"
#include "menu.h"
#include "outbox.h"
#include "scr_staff.h"
#include "staff.h"
#include "subq.h"
#include "text.h"
#include "ui.h"
#include "util.h"

#define PAGE_MAX_LINES 600

static const char *pay_label(enum pay_state st)
{
	switch (st) {
	case PAY_SUCCESS: return _("Paid");
	case PAY_FAILED: return _("Failed");
	case PAY_CANCELLED: return _("Cancelled");
	case PAY_EXPIRED: return _("Expired");
	case PAY_CREATED: case PAY_PENDING: return _("Waiting");
	case PAY_UNKNOWN: break;
	}
	return _("Unsent");
}

static const char *sub_label(enum subq_state st)
{
	switch (st) {
	case SUBQ_UNSENT: return _("Unsent");
	case SUBQ_SENDING: return _("Sending");
	case SUBQ_HELD: return _("Held for its citizen");
	case SUBQ_DELIVERED: return _("Delivered");
	case SUBQ_REFUSED: return _("Refused");
	case SUBQ_DISCARDED: return _("Discarded");
	case SUBQ_DROPPED: return _("Dropped");
	default: break;
	}
	return "?";
}

static void when_text(long long t, char *buf, size_t n)
{
	if (t <= 0) {
		snprintf(buf, n, "-");
		return;
	}
	time_t tt = (time_t)t;
	struct tm tm;
	localtime_r(&tt, &tm);
	strftime(buf, n, "%Y-%m-%d %H:%M", &tm);
}

/* ---- a page of lines ---------------------------------------------------------------------- */

struct pline {
	char *text; /* sanitized */
	enum role role;
};

enum { REQ_HEALTH = 1 };
enum { T_ACTION = 1, T_PREV, T_NEXT };

struct tpage {
	int kind;
	struct pline *lines;
	size_t n, cap;
	int top;           /* the first row shown (rows after wrapping) */
	int rows;          /* rows in all at this width */
	struct rect text, action, prev, next;
	char status[256];
	enum role status_role;
	bool testing;
	long long asked_ms;
	char title[128];
};

static void add(struct tpage *p, enum role role, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void add(struct tpage *p, enum role role, const char *fmt, ...)
{
	if (p->n >= PAGE_MAX_LINES)
		return;
	char buf[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	if (p->n == p->cap) {
		p->cap = p->cap ? p->cap * 2 : 32;
		p->lines = xrealloc(p->lines, p->cap * sizeof *p->lines);
	}
	p->lines[p->n].text = text_sanitize(buf, strlen(buf), 0);
	p->lines[p->n++].role = role;
}

static void clear_lines(struct tpage *p)
{
	for (size_t i = 0; i < p->n; i++)
		free(p->lines[i].text);
	p->n = 0;
}

/* 缴费记录: every final payment, newest first. */
struct ledger_acc {
	char **rows;
	size_t n, cap;
	int paid, failed, cancelled, expired;
	long long paid_fen;
};

static void on_ledger(void *ud, const struct outbox_entry *e)
{
	struct ledger_acc *acc = ud;
	switch (e->state) {
	case PAY_SUCCESS: acc->paid++; acc->paid_fen += e->amount_fen; break;
	case PAY_FAILED: acc->failed++; break;
	case PAY_CANCELLED: acc->cancelled++; break;
	default: acc->expired++; break;
	}
	char when[32], c1[64], c2[64], c3[64], c4[96], yuan[32];
	when_text(e->final_at, when, sizeof when);
	text_fen(e->amount_fen, yuan, sizeof yuan);
	if (acc->n == acc->cap) {
		acc->cap = acc->cap ? acc->cap * 2 : 64;
		acc->rows = xrealloc(acc->rows, acc->cap * sizeof *acc->rows);
	}
	acc->rows[acc->n++] = xasprintf("%s  %s  %s  %s  %s", staff_col(c1, sizeof c1, when, 16),
	                                staff_col(c2, sizeof c2, pay_label(e->state), 8),
	                                staff_col(c3, sizeof c3, yuan, 10),
	                                staff_col(c4, sizeof c4, e->receipt_no ? e->receipt_no : "-", 14),
	                                e->description ? e->description : "");
}

static void build_ledger(struct tpage *p, struct app *a)
{
	struct outbox *ob = app_outbox(a);
	if (!ob) {
		add(p, ROLE_ERROR, "%s", _("The outbox cannot be opened: no payments are taken (see Recent errors)."));
		return;
	}
	struct ledger_acc acc = { 0 };
	if (outbox_ledger(ob, on_ledger, &acc) < 0)
		add(p, ROLE_ERROR, "%s", outbox_error(ob));
	char yuan[32];
	add(p, ROLE_TEXT, _("%zu payments: %d paid (%s yuan in all), %d failed, %d cancelled, %d expired."), acc.n,
	    acc.paid, text_fen(acc.paid_fen, yuan, sizeof yuan), acc.failed, acc.cancelled, acc.expired);
	add(p, ROLE_DIM, "%s", _("No personal data: no names, no account numbers. Newest first."));
	char c1[64], c2[64], c3[64], c4[96];
	add(p, ROLE_DIM, "%s  %s  %s  %s  %s", staff_col(c1, sizeof c1, _("Time"), 16),
	    staff_col(c2, sizeof c2, _("State"), 8), staff_col(c3, sizeof c3, _("Amount"), 10),
	    staff_col(c4, sizeof c4, _("Receipt no."), 14), _("For"));
	for (size_t i = acc.n; i-- > 0;) {
		add(p, ROLE_TEXT, "%s", acc.rows[i]);
		free(acc.rows[i]);
	}
	free(acc.rows);
}

/* 待发送: what is not final yet, and the counts of what is. */
static void on_unfinished(void *ud, const struct outbox_entry *e)
{
	struct tpage *p = ud;
	char when[32], c1[64], c2[64], c3[64], yuan[32];
	when_text(e->created_at, when, sizeof when);
	text_fen(e->amount_fen, yuan, sizeof yuan);
	add(p, ROLE_TEXT, _("%s  %s  %s  %d tries  key %.8s"), staff_col(c1, sizeof c1, when, 16),
	    staff_col(c2, sizeof c2, pay_label(e->state), 8), staff_col(c3, sizeof c3, yuan, 10), e->attempts, e->key);
}

static void on_sub_pending(void *ud, const struct outbox_sub_entry *e)
{
	struct tpage *p = ud;
	char when[32], c1[64], c2[64], c3[96];
	when_text(e->created_at, when, sizeof when);
	add(p, ROLE_TEXT, _("%s  %s  %s  %d tries  key %.8s"), staff_col(c1, sizeof c1, when, 16),
	    staff_col(c2, sizeof c2, sub_label(e->state), 12),
	    staff_col(c3, sizeof c3, e->service_id ? e->service_id : "", 28), e->attempts, e->key);
}

static void on_sub_final(void *ud, const struct outbox_sub_entry *e)
{
	int *counts = ud;
	if ((int)e->state >= 0 && (int)e->state < SUBQ_N_STATES)
		counts[e->state]++;
}

static void on_sub_count(void *ud, const struct outbox_sub_entry *e)
{
	(*(int *)ud)++;
}

static void on_count(void *ud, const struct outbox_entry *e)
{
	(*(int *)ud)++;
}

static void build_outbox(struct tpage *p, struct app *a)
{
	struct outbox *ob = app_outbox(a);
	if (!ob) {
		add(p, ROLE_ERROR, "%s", _("The outbox cannot be opened: no payments are taken (see Recent errors)."));
		return;
	}
	int pending = outbox_pending_count(ob);
	add(p, pending > 0 ? ROLE_BANNER : ROLE_OK, _("Payments not final yet: %d (followed to their end by the kiosk)."),
	    pending < 0 ? 0 : pending);
	if (outbox_unfinished(ob, on_unfinished, p) < 0)
		add(p, ROLE_ERROR, "%s", outbox_error(ob));
	int claims = 0;
	outbox_receipts(ob, OUTBOX_RECEIPT_PRINTING, on_count, &claims);
	if (claims > 0)
		add(p, ROLE_BANNER, _("Receipts whose printing was never confirmed: %d (never printed again: check the printer)."),
		    claims);
	add(p, ROLE_TEXT, "%s", "");
	int subs = outbox_sub_pending(ob, on_sub_count, &(int){ 0 });
	add(p, subs > 0 ? ROLE_BANNER : ROLE_OK, _("Form submissions not final yet: %d."), subs < 0 ? 0 : subs);
	if (subs > 0 && outbox_sub_pending(ob, on_sub_pending, p) < 0)
		add(p, ROLE_ERROR, "%s", outbox_error(ob));
	int counts[SUBQ_N_STATES] = { 0 };
	if (outbox_sub_ledger(ob, on_sub_final, counts) >= 0)
		add(p, ROLE_TEXT, _("Final submissions: %d delivered, %d refused, %d discarded, %d dropped."),
		    counts[SUBQ_DELIVERED], counts[SUBQ_REFUSED], counts[SUBQ_DISCARDED], counts[SUBQ_DROPPED]);
	add(p, ROLE_DIM, "%s", _("No personal data: keys are shown by their first 8 characters."));
}

/* 网络与网关. */
static const char *result_name(enum gw_result r)
{
	switch (r) {
	case GW_OK: return _("answered");
	case GW_PROBLEM: return _("refused or failed");
	case GW_UNREACHABLE: return _("unreachable");
	case GW_TIMEOUT: return _("timed out");
	case GW_TOO_LARGE: return _("answer too large");
	case GW_BAD_ANSWER: return _("unreadable answer");
	}
	return "?";
}

static void build_network(struct tpage *p, struct app *a)
{
	enum gw_net net = gw_net_state(a->gw);
	add(p, net == GW_NET_OFFLINE ? ROLE_ERROR : net == GW_NET_ONLINE ? ROLE_OK : ROLE_TEXT, "%s",
	    net == GW_NET_OFFLINE ? _("Offline: no gateway can be reached.")
	    : net == GW_NET_ONLINE ? _("Online.") : _("Not known yet: no request has ended."));
	add(p, ROLE_TEXT, "%s", _("Gateways, tried in this order:"));
	for (int i = 0; i < gw_n_urls(a->gw); i++)
		add(p, ROLE_TEXT, "  %d. %s%s", i + 1, gw_url(a->gw, i),
		    i == gw_preferred(a->gw) ? _("  (in use)") : "");
	const struct gw_last *l = gw_last(a->gw);
	if (l->at_ms) {
		char st[16] = "-";
		if (l->status)
			snprintf(st, sizeof st, "%d", l->status);
		add(p, l->result == GW_OK ? ROLE_TEXT : ROLE_BANNER,
		    _("Last request: %s %s to gateway %d: %s %s, %ld ms, %lld s ago."), l->post ? "POST" : "GET", l->path,
		    l->url_index + 1, st, result_name(l->result), l->ms, (loop_now_ms() - l->at_ms) / 1000);
	} else {
		add(p, ROLE_TEXT, "%s", _("Last request: none yet."));
	}
	add(p, ROLE_TEXT, _("Requests in flight: %d."), gw_in_flight(a->gw));
	add(p, ROLE_TEXT, _("Kiosk id (X-Kiosk-Id): %s"), a->cfg.kiosk_id ? a->cfg.kiosk_id : "-");
	add(p, ROLE_TEXT, _("Timeouts: connect %ld ms, answer %ld ms."), a->cfg.connect_timeout_ms, a->cfg.timeout_ms);
	add(p, ROLE_TEXT, _("Proxy: %s"), a->cfg.proxy && *a->cfg.proxy ? a->cfg.proxy : _("none"));
	add(p, ROLE_TEXT, _("CA certificates: %s"), a->cfg.ca_file ? a->cfg.ca_file : _("the system's"));
	add(p, ROLE_TEXT, _("Service list: %s"),
	    a->cat_state == CAT_LIVE ? _("up to date") : a->cat_state == CAT_CACHED ? _("the saved copy (offline)")
	    : a->cat_state == CAT_LOADING ? _("loading") : _("none"));
}

/* 配置版本. */
static void build_config(struct tpage *p, struct app *a)
{
	const struct config *c = &a->cfg;
	add(p, ROLE_TEXT, _("Kiosk program version: %s"), KIOSK_VERSION);
	long long cv = fleet_config_version(a), latest = fleet_config_latest(a);
	if (cv > 0)
		add(p, ROLE_TEXT, _("Remote configuration: version %lld applied (%s)."), cv, FLEET_FILE);
	else
		add(p, ROLE_TEXT, "%s", _("Remote configuration: none applied (kiosk.conf's settings)."));
	if (latest > 0 && latest != cv)
		add(p, ROLE_BANNER, _("The gateway names version %lld: it is being fetched, or was refused (see Recent errors)."),
		    latest);
	add(p, ROLE_TEXT, _("Configuration file: %s"), c->config_path ? c->config_path : "-");
	add(p, ROLE_TEXT, _("Kiosk id: %s"), c->kiosk_id ? c->kiosk_id : "-");
	add(p, ROLE_TEXT, _("Language after each session: %s"), c->lang ? c->lang : "-");
	add(p, ROLE_TEXT, _("Theme: %s"), c->theme ? c->theme : "-");
	add(p, ROLE_TEXT, _("Modes at start: %s"),
	    c->mode_large && c->mode_voice ? "large,voice" : c->mode_large ? "large" : c->mode_voice ? "voice" : "normal");
	add(p, ROLE_TEXT, _("Idle limit: %ld s, warning %ld s before."), c->idle_timeout_s, c->idle_warning_s);
	add(p, ROLE_TEXT, _("Data folder: %s"), c->data_dir ? c->data_dir : "-");
	add(p, ROLE_TEXT, _("Log: %s"), c->log_file ? c->log_file : "syslog");
	add(p, ROLE_TEXT, _("Kiosk mode (lockdown): %s"), c->lockdown ? _("on") : _("off"));
	add(p, ROLE_TEXT, _("Gateways: %d"), c->n_gateways);
	for (int i = 0; i < c->n_scanners; i++)
		add(p, ROLE_TEXT, _("Scanner %d: %s"), i + 1, c->scanners[i]);
	if (c->n_scanners == 0 && c->wedge)
		add(p, ROLE_TEXT, "%s", _("Scanners: none (keyboard-wedge scanners work: wedge is on)"));
	else if (c->n_scanners == 0)
		add(p, ROLE_ERROR, "%s", _("Scanners: none, and keyboard-wedge detection is off: no code can be scanned."));
	add(p, ROLE_TEXT, _("Printer: %s, %ld columns"), c->printer ? c->printer : "none", c->printer_columns);
	add(p, ROLE_TEXT, _("Speech: %s"), c->speech ? c->speech : "-");
	if (c->wedge)
		add(p, ROLE_TEXT, _("Keyboard-wedge scanners: on, gap %ld ms, at least %ld characters."),
		    c->wedge_gap_ms, c->wedge_min_len);
	else
		add(p, ROLE_TEXT, "%s", _("Keyboard-wedge scanners: off (typing on the terminal is never a scan)."));
	add(p, ROLE_TEXT, _("Staff PIN: %s"), staff_pin_configured(a) ? _("set") : _("not set (staff cards only)"));
}

/* 最近错误. */
static void on_recent(void *ud, const char *line)
{
	add(ud, ROLE_TEXT, "%s", line);
}

static void build_errors(struct tpage *p, struct app *a)
{
	add(p, ROLE_DIM, "%s", _("The last warnings and errors since the program started, newest first (local time):"));
	if (log_recent(on_recent, p) == 0)
		add(p, ROLE_OK, "%s", _("None."));
}

static const char *page_name(int kind)
{
	switch (kind) {
	case STAFF_PAGE_LEDGER: return _("Payment ledger");
	case STAFF_PAGE_OUTBOX: return _("Outbox");
	case STAFF_PAGE_NETWORK: return _("Network and gateway");
	case STAFF_PAGE_CONFIG: return _("Version and configuration");
	case STAFF_PAGE_ERRORS: return _("Recent errors");
	}
	return "";
}

static const char *action_label(int kind)
{
	return kind == STAFF_PAGE_NETWORK ? _("Test the gateway") : _("Refresh");
}

static int count_rows(struct tpage *p)
{
	int w = p->text.w > 2 ? p->text.w : 2, n = 0;
	for (size_t i = 0; i < p->n; i++)
		n += p->lines[i].text[0] ? text_wrap(p->lines[i].text, w, NULL, 0) : 1;
	return n;
}

static void build(struct screen *s)
{
	struct tpage *p = s->priv;
	clear_lines(p);
	switch (p->kind) {
	case STAFF_PAGE_LEDGER: build_ledger(p, s->app); break;
	case STAFF_PAGE_OUTBOX: build_outbox(p, s->app); break;
	case STAFF_PAGE_NETWORK: build_network(p, s->app); break;
	case STAFF_PAGE_CONFIG: build_config(p, s->app); break;
	case STAFF_PAGE_ERRORS: build_errors(p, s->app); break;
	}
	p->rows = count_rows(p);
}

static void page_enter(struct screen *s, void *arg)
{
	struct tpage *p = xcalloc(1, sizeof *p);
	p->kind = arg ? *(const int *)arg : STAFF_PAGE_CONFIG;
	s->priv = p;
	build(s);
}

static void page_leave(struct screen *s)
{
	struct tpage *p = s->priv;
	clear_lines(p);
	free(p->lines);
	free(p);
}

static void page_resize(struct screen *s, struct rect area)
{
	struct tpage *p = s->priv;
	struct rect b = staff_body(area);
	int bh = ui_large() && b.h >= 14 ? 3 : 1;
	int aw = text_width(action_label(p->kind)) + 8;
	p->action = (struct rect){ b.x, b.y, aw < b.w ? aw : b.w, bh };
	int pw = text_width(_("< Previous [PgUp]")) + 2, nw = text_width(_("[PgDn] Next >")) + 2;
	p->prev = (struct rect){ b.x, b.y + b.h - bh, pw, bh };
	p->next = (struct rect){ b.x + b.w - nw, b.y + b.h - bh, nw, bh };
	int ty = b.y + bh + 2; /* the status line between */
	p->text = (struct rect){ b.x + 1, ty, b.w - 2, b.y + b.h - bh - 1 - ty };
	if (p->text.h < 1)
		p->text.h = 1;
	p->rows = count_rows(p);
	if (p->top > p->rows - 1)
		p->top = p->rows > 0 ? p->rows - 1 : 0;
}

static void page_draw(struct screen *s, struct rect area)
{
	struct tpage *p = s->priv;
	if (!staff_active(s->app))
		return;
	staff_banner(s, area);
	ui_button(p->action, T_ACTION, 1, action_label(p->kind), NULL, false);
	if (p->status[0])
		ui_text(p->action.x, p->action.y + p->action.h, p->text.w, p->status_role, p->status);
	/* The rows from p->top, each line wrapped at the width. */
	int row = 0, y = p->text.y, end = p->text.y + p->text.h;
	struct text_line wl[16];
	for (size_t i = 0; i < p->n && y < end; i++) {
		const char *t = p->lines[i].text;
		int nl = t[0] ? text_wrap(t, p->text.w, wl, 16) : 1;
		for (int k = 0; k < nl && y < end; k++, row++) {
			if (row < p->top)
				continue;
			if (t[0] && k < 16) {
				char *part = xstrndup(t + wl[k].off, wl[k].len);
				ui_text(p->text.x, y, p->text.w, p->lines[i].role, part);
				free(part);
			}
			y++;
		}
	}
	if (p->rows > p->text.h) {
		ui_button(p->prev, T_PREV, 0, _("< Previous [PgUp]"), NULL, false);
		ui_button(p->next, T_NEXT, 0, _("[PgDn] Next >"), NULL, false);
		char where[64];
		int last = p->top + p->text.h < p->rows ? p->top + p->text.h : p->rows;
		snprintf(where, sizeof where, _("Rows %d-%d of %d"), p->top + 1, last, p->rows);
		int mx = p->prev.x + p->prev.w + 1, mw = p->next.x - mx - 1;
		if (mw > text_width(where))
			ui_text_center(mx, p->prev.y + p->prev.h / 2, mw, ROLE_DIM, where);
	}
}

static void scroll(struct tpage *p, int by)
{
	int max = p->rows - p->text.h;
	p->top += by;
	if (p->top > max)
		p->top = max;
	if (p->top < 0)
		p->top = 0;
}

static void action(struct screen *s)
{
	struct tpage *p = s->priv;
	if (p->kind != STAFF_PAGE_NETWORK) {
		build(s);
		snprintf(p->status, sizeof p->status, "%s", _("Refreshed."));
		p->status_role = ROLE_OK;
		return;
	}
	if (p->testing)
		return;
	p->testing = true;
	p->asked_ms = loop_now_ms();
	snprintf(p->status, sizeof p->status, "%s", _("Asking the gateway..."));
	p->status_role = ROLE_TEXT;
	ui_get(s, REQ_HEALTH, "/v1/health", NULL);
}

static void page_reply(struct screen *s, int tag, const struct gw_reply *r)
{
	struct tpage *p = s->priv;
	p->testing = false;
	long long ms = loop_now_ms() - p->asked_ms;
	if (r->result == GW_OK) {
		snprintf(p->status, sizeof p->status, _("The gateway answered in %lld ms."), ms);
		p->status_role = ROLE_OK;
	} else {
		snprintf(p->status, sizeof p->status, _("The gateway did not answer well (%s, %d): %s"),
		         result_name(r->result), r->status, ui_gw_message(r));
		p->status_role = ROLE_ERROR;
	}
	build(s);
	ui_relayout(s->app);
}

static int page_key(struct screen *s, int key)
{
	struct tpage *p = s->priv;
	switch (key) {
	case K_UP: scroll(p, -1); return UI_HANDLED;
	case K_DOWN: scroll(p, 1); return UI_HANDLED;
	case K_PPAGE: scroll(p, -(p->text.h > 1 ? p->text.h - 1 : 1)); return UI_HANDLED;
	case K_NPAGE: case '0': scroll(p, p->text.h > 1 ? p->text.h - 1 : 1); return UI_HANDLED;
	case '1': case K_RETURN: action(s); return UI_HANDLED;
	}
	return UI_PASS;
}

static int page_mouse(struct screen *s, int target)
{
	struct tpage *p = s->priv;
	if (target == T_ACTION)
		action(s);
	else if (target == T_PREV)
		scroll(p, -(p->text.h > 1 ? p->text.h - 1 : 1));
	else if (target == T_NEXT)
		scroll(p, p->text.h > 1 ? p->text.h - 1 : 1);
	return UI_HANDLED;
}

static const char *page_title(struct screen *s)
{
	struct tpage *p = s->priv;
	return staff_title(p->title, sizeof p->title, page_name(p->kind));
}

static void page_speak(struct screen *s, char *buf, size_t n, bool full)
{
	struct tpage *p = s->priv;
	size_t len = full ? (size_t)snprintf(buf, n, "%s. %s ", page_title(s), p->status)
	                  : (size_t)snprintf(buf, n, "%s ", p->status);
	for (size_t i = 0; i < p->n && i < 6 && len < n; i++)
		len += (size_t)snprintf(buf + len, n - len, "%s ", p->lines[i].text);
}

const struct screen_ops scr_staff_page = {
	.name = "staff_page",
	.enter = page_enter,
	.leave = page_leave,
	.key = page_key,
	.mouse = page_mouse,
	.draw = page_draw,
	.resize = page_resize,
	.reply = page_reply,
	.speak = page_speak,
	.title = page_title,
	.scan = staff_scan_elsewhere,
};

/* ---- 重打凭条 ------------------------------------------------------------------------------- */

#define REPRINT_MAX 9

struct rp_item {
	char key[IDEM_KEY_SIZE];
	char label[200], sub[200];
};

struct reprint {
	struct rp_item items[REPRINT_MAX];
	int n;
	struct menu m;
	struct rect list;
	char status[256];
	enum role status_role;
	bool printing;
	char title[128];
};

/* The newest successes: a ring of the last REPRINT_MAX, oldest first. */
struct rp_acc {
	struct rp_item ring[REPRINT_MAX];
	int n, next;
};

static void on_success(void *ud, const struct outbox_entry *e)
{
	struct rp_acc *acc = ud;
	if (e->state != PAY_SUCCESS)
		return;
	struct rp_item *it = &acc->ring[acc->next];
	acc->next = (acc->next + 1) % REPRINT_MAX;
	if (acc->n < REPRINT_MAX)
		acc->n++;
	char yuan[32], when[32];
	snprintf(it->key, sizeof it->key, "%s", e->key);
	char *desc = text_sanitize(e->description ? e->description : "", e->description ? strlen(e->description) : 0, 0);
	snprintf(it->label, sizeof it->label, _("%s  %s yuan"), desc, text_fen(e->amount_fen, yuan, sizeof yuan));
	free(desc);
	when_text(e->final_at, when, sizeof when);
	char *no = text_sanitize(e->receipt_no ? e->receipt_no : "-", e->receipt_no ? strlen(e->receipt_no) : 1, 0);
	snprintf(it->sub, sizeof it->sub, _("Paid %s, receipt no. %s"), when, no);
	free(no);
}

static void rp_load(struct reprint *r, struct app *a)
{
	struct outbox *ob = app_outbox(a);
	struct rp_acc acc = { 0 };
	r->n = 0;
	if (!ob) {
		snprintf(r->status, sizeof r->status, "%s", _("The outbox cannot be opened: no payments are taken (see Recent errors)."));
		r->status_role = ROLE_ERROR;
		return;
	}
	outbox_ledger(ob, on_success, &acc);
	/* Newest first. */
	for (int i = 0; i < acc.n; i++)
		r->items[r->n++] = acc.ring[(acc.next + REPRINT_MAX - 1 - i) % REPRINT_MAX];
	if (r->n == 0) {
		snprintf(r->status, sizeof r->status, "%s", _("No paid payment to reprint a receipt for."));
		r->status_role = ROLE_TEXT;
	}
}

static void rp_enter(struct screen *s, void *arg)
{
	struct reprint *r = xcalloc(1, sizeof *r);
	s->priv = r;
	rp_load(r, s->app);
}

static void rp_leave(struct screen *s)
{
	free(s->priv);
}

static void rp_resize(struct screen *s, struct rect area)
{
	struct reprint *r = s->priv;
	struct rect b = staff_body(area);
	r->list = (struct rect){ b.x, b.y + 3, b.w, b.h - 3 };
	menu_layout(&r->m, r->list, r->n, 30, r->list.h >= 3 * 3 ? 2 : 1, 2, 0, 1);
}

static const char *rp_label(void *ud, int i, const char **sub)
{
	struct reprint *r = ((struct screen *)ud)->priv;
	*sub = r->items[i].sub;
	return r->items[i].label;
}

static void rp_draw(struct screen *s, struct rect area)
{
	struct reprint *r = s->priv;
	if (!staff_active(s->app))
		return;
	staff_banner(s, area);
	struct rect b = staff_body(area);
	ui_text(b.x + 1, b.y, b.w - 2, ROLE_TEXT,
	        _("Press a number to print that receipt again. It is marked 重打 (REPRINT)."));
	if (r->status[0])
		ui_text(b.x + 1, b.y + 1, b.w - 2, r->status_role, r->status);
	if (r->n)
		menu_draw(&r->m, rp_label, s);
}

static void on_reprinted(struct screen *s, enum printer_status st)
{
	struct reprint *r = s->priv;
	r->printing = false;
	switch (st) {
	case PRINTER_OK: snprintf(r->status, sizeof r->status, "%s", _("Printed again, marked 重打.")); break;
	case PRINTER_PAPER_OUT: snprintf(r->status, sizeof r->status, "%s", _("Not printed: the printer is out of paper.")); break;
	case PRINTER_COVER_OPEN: snprintf(r->status, sizeof r->status, "%s", _("Not printed: the printer's cover is open.")); break;
	case PRINTER_OFFLINE: snprintf(r->status, sizeof r->status, "%s", _("Not printed: the printer does not answer.")); break;
	case PRINTER_ABSENT: snprintf(r->status, sizeof r->status, "%s", _("Not printed: there is no printer, or it cannot be found.")); break;
	}
	r->status_role = st == PRINTER_OK ? ROLE_OK : ROLE_ERROR;
	access_repeat(s->app);
	ui_dirty(s->app);
}

static void rp_pick(struct screen *s, int i)
{
	struct reprint *r = s->priv;
	if (r->printing)
		return; /* one at a time: a double press is one reprint */
	r->printing = true;
	snprintf(r->status, sizeof r->status, "%s", _("Printing..."));
	r->status_role = ROLE_TEXT;
	staff_reprint(s->app, r->items[i].key, s, on_reprinted);
}

static int rp_key(struct screen *s, int key)
{
	struct reprint *r = s->priv;
	int k = menu_key(&r->m, key);
	if (k >= 0)
		rp_pick(s, k);
	return k == MENU_IGNORED ? UI_PASS : UI_HANDLED;
}

static int rp_mouse(struct screen *s, int target)
{
	struct reprint *r = s->priv;
	int k = menu_mouse(&r->m, target);
	if (k >= 0)
		rp_pick(s, k);
	return UI_HANDLED;
}

static const char *rp_title(struct screen *s)
{
	struct reprint *r = s->priv;
	return staff_title(r->title, sizeof r->title, _("Reprint receipts"));
}

static void rp_speak(struct screen *s, char *buf, size_t n, bool full)
{
	struct reprint *r = s->priv;
	char item[300] = "";
	if (r->n)
		menu_speak_item(&r->m, r->m.focus, r->items[r->m.focus].label, item, sizeof item);
	if (full)
		snprintf(buf, n, "%s. %s %s %s", rp_title(s),
		         _("Press a number to print that receipt again. It is marked 重打 (REPRINT)."), r->status, item);
	else
		snprintf(buf, n, "%s %s", r->status, item);
}

const struct screen_ops scr_staff_reprint = {
	.name = "staff_reprint",
	.enter = rp_enter,
	.leave = rp_leave,
	.key = rp_key,
	.mouse = rp_mouse,
	.draw = rp_draw,
	.resize = rp_resize,
	.speak = rp_speak,
	.title = rp_title,
	.scan = staff_scan_elsewhere,
};
