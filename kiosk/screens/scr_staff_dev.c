/* scr_staff_dev.c: 设备检测, staff mode's device tests.
 *
 * Scanner: anything scanned while this page shows is drawn here, decoded
 * and sanitized (app_on_scan sanitized it; it is cut for the screen), and
 * never logged nor kept after the page. Printer: a test page
 * (staff_print_test_page) and its state (DLE EOT, staff_printer_check).
 * Speech: a test sentence, voice mode or not. Display: a chart of the
 * theme's roles with their colours and contrast (scr_staff_chart).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app.h"
#include "screens.h"
#include "i18n.h"
#include "menu.h"
#include "scr_staff.h"
#include "staff.h"
#include "text.h"
#include "theme.h"
#include "ui.h"
#include "util.h"

enum { D_TEST_PAGE, D_STATUS, D_SPEECH, D_CHART, D_COUNT };

struct dev {
	struct menu m;
	struct rect info;
	char scan[600];        /* the last scan, sanitized and cut */
	size_t scan_chars;     /* its length in characters, before the cut */
	char scan_when[16];
	char printer[256];     /* what the printer said last */
	enum role printer_role;
	bool printing;
	char speech[160];
	char title[128];
};

static const char *dev_label(void *ud, int i, const char **sub)
{
	*sub = NULL;
	switch (i) {
	case D_TEST_PAGE: *sub = _("Ruler, Chinese text, QR code"); return _("Print a test page");
	case D_STATUS: *sub = _("Paper, cover, errors"); return _("Read the printer's state");
	case D_SPEECH: *sub = _("Even when voice mode is off"); return _("Say a test sentence");
	case D_CHART: *sub = _("Colours and contrast of the theme"); return _("Display chart");
	}
	return "";
}

static const char *printer_words(enum printer_status st)
{
	switch (st) {
	case PRINTER_OK: return _("ready");
	case PRINTER_PAPER_OUT: return _("out of paper");
	case PRINTER_COVER_OPEN: return _("cover open");
	case PRINTER_OFFLINE: return _("not answering or in error");
	case PRINTER_ABSENT: return _("none, or not found");
	}
	return "?";
}

static void dev_enter(struct screen *s, void *arg)
{
	struct dev *d = xcalloc(1, sizeof *d);
	snprintf(d->printer, sizeof d->printer, "%s", _("not asked yet"));
	d->printer_role = ROLE_TEXT;
	s->priv = d;
}

static void dev_leave(struct screen *s)
{
	struct dev *d = s->priv;
	explicit_bzero(d->scan, sizeof d->scan); /* whatever was scanned */
	free(d);
}

static void dev_resize(struct screen *s, struct rect area)
{
	struct dev *d = s->priv;
	struct rect b = staff_body(area);
	int ih = b.h >= 20 ? 10 : b.h >= 14 ? 8 : b.h / 2;
	d->info = (struct rect){ b.x + 1, b.y, b.w - 2, ih };
	struct rect m = { b.x, b.y + ih + 1, b.w, b.h - ih - 1 };
	menu_layout(&d->m, m, D_COUNT, 22, m.h >= 2 * 3 + 1 ? 3 : 1, 2, m.h >= 2 * 3 + 1 ? 1 : 0, 2);
}

static void dev_draw(struct screen *s, struct rect area)
{
	struct dev *d = s->priv;
	struct app *a = s->app;
	if (!staff_active(a))
		return;
	staff_banner(s, area);
	struct rect r = d->info;
	char line[512];
	int y = r.y;
	snprintf(line, sizeof line, _("Scanner: %d configured, %d working. Scan anything now: it is shown here."),
	         a->cfg.n_scanners, a->n_scanners);
	ui_text(r.x, y++, r.w, ROLE_TEXT, line);
	if (d->scan_chars) {
		snprintf(line, sizeof line, _("Last scan at %s, %zu characters (control characters removed):"),
		         d->scan_when, d->scan_chars);
		ui_text(r.x, y++, r.w, ROLE_OK, line);
		int ph = r.h - (y - r.y) - 2 > 3 ? 3 : r.h - (y - r.y) - 2;
		if (ph < 1)
			ph = 1;
		struct rect box = { r.x + 2, y, r.w - 2, ph };
		ui_fill(box, ROLE_QR);
		ui_para(box, ROLE_QR, d->scan);
		y += ph;
	} else {
		ui_text(r.x, y++, r.w, ROLE_DIM, _("Nothing scanned yet."));
	}
	if (y < r.y + r.h) {
		snprintf(line, sizeof line, _("Printer %s: %s"), a->cfg.printer ? a->cfg.printer : "none", d->printer);
		ui_text(r.x, y++, r.w, d->printer_role, line);
	}
	if (y < r.y + r.h) {
		snprintf(line, sizeof line, _("Speech %s: %s"), a->cfg.speech ? a->cfg.speech : "none",
		         d->speech[0] ? d->speech : _("not tried yet"));
		ui_text(r.x, y++, r.w, ROLE_TEXT, line);
	}
	menu_draw(&d->m, dev_label, s);
}

static void on_test_page(struct screen *s, enum printer_status st)
{
	struct dev *d = s->priv;
	d->printing = false;
	snprintf(d->printer, sizeof d->printer, st == PRINTER_OK ? _("test page printed") : _("test page not printed: %s"),
	         printer_words(st));
	d->printer_role = st == PRINTER_OK ? ROLE_OK : ROLE_ERROR;
	access_repeat(s->app);
}

static void on_status(struct screen *s, enum printer_status st, const char *why)
{
	struct dev *d = s->priv;
	char *w = why ? text_sanitize(why, strlen(why), 0) : NULL;
	snprintf(d->printer, sizeof d->printer, _("state: %s%s%s"), printer_words(st), w ? " - " : "", w ? w : "");
	free(w);
	d->printer_role = st == PRINTER_OK ? ROLE_OK : ROLE_ERROR;
	access_repeat(s->app);
}

static void activate(struct screen *s, int i)
{
	struct dev *d = s->priv;
	struct app *a = s->app;
	switch (i) {
	case D_TEST_PAGE:
		if (d->printing)
			return;
		d->printing = true;
		snprintf(d->printer, sizeof d->printer, "%s", _("printing the test page..."));
		d->printer_role = ROLE_TEXT;
		staff_print_test_page(a, s, on_test_page);
		break;
	case D_STATUS:
		snprintf(d->printer, sizeof d->printer, "%s", _("asking..."));
		d->printer_role = ROLE_TEXT;
		staff_printer_check(a, s, on_status);
		break;
	case D_SPEECH:
		if (access_say(a, _("Speech test: this is the kiosk's voice. One, two, three.")))
			snprintf(d->speech, sizeof d->speech, "%s", _("the test sentence was said"));
		else
			snprintf(d->speech, sizeof d->speech, "%s", _("speech cannot be used (see Recent errors)"));
		break;
	case D_CHART:
		ui_push(a, &scr_staff_chart, NULL);
		break;
	}
}

static int dev_key(struct screen *s, int key)
{
	struct dev *d = s->priv;
	int r = menu_key(&d->m, key);
	if (r >= 0)
		activate(s, r);
	return r == MENU_IGNORED ? UI_PASS : UI_HANDLED;
}

static int dev_mouse(struct screen *s, int target)
{
	struct dev *d = s->priv;
	int r = menu_mouse(&d->m, target);
	if (r >= 0)
		activate(s, r);
	return UI_HANDLED;
}

static int dev_scan(struct screen *s, const char *code, size_t len)
{
	struct dev *d = s->priv;
	/* Sanitized already (app_on_scan); newlines become spaces there. */
	d->scan_chars = text_chars(code, len);
	text_copy(d->scan, sizeof d->scan, code);
	time_t now = time(NULL);
	struct tm tm;
	localtime_r(&now, &tm);
	strftime(d->scan_when, sizeof d->scan_when, "%H:%M:%S", &tm);
	access_repeat(s->app);
	ui_dirty(s->app);
	return UI_HANDLED;
}

static const char *dev_title(struct screen *s)
{
	struct dev *d = s->priv;
	return staff_title(d->title, sizeof d->title, _("Device tests"));
}

static void dev_speak(struct screen *s, char *buf, size_t n, bool full)
{
	struct dev *d = s->priv;
	const char *sub;
	char item[256];
	menu_speak_item(&d->m, d->m.focus, dev_label(s, d->m.focus, &sub), item, sizeof item);
	char scanned[96] = "";
	if (d->scan_chars)
		snprintf(scanned, sizeof scanned, _("Scanned: %zu characters."), d->scan_chars);
	if (full)
		snprintf(buf, n, "%s. %s %s %s", dev_title(s), scanned, d->printer, item);
	else
		snprintf(buf, n, "%s %s %s", scanned, d->printer, item);
}

const struct screen_ops scr_staff_dev = {
	.name = "staff_dev",
	.enter = dev_enter,
	.leave = dev_leave,
	.key = dev_key,
	.mouse = dev_mouse,
	.draw = dev_draw,
	.resize = dev_resize,
	.speak = dev_speak,
	.title = dev_title,
	.scan = dev_scan,
};

/* ---- the display chart -------------------------------------------------------------------- */

struct chart {
	char title[128];
};

static void chart_enter(struct screen *s, void *arg)
{
	s->priv = xcalloc(1, sizeof(struct chart));
}

static void chart_leave(struct screen *s)
{
	free(s->priv);
}

static void chart_draw(struct screen *s, struct rect area)
{
	struct app *a = s->app;
	if (!staff_active(a))
		return;
	staff_banner(s, area);
	struct rect b = staff_body(area);
	const struct theme *t = &a->theme;
	char line[256];
	snprintf(line, sizeof line, _("Theme %s: every role, its colours and their contrast (at least %.1f:1 kept)."),
	         t->name, t->contrast);
	ui_text(b.x + 1, b.y, b.w - 2, ROLE_TEXT, line);
	int y = b.y + 2, sw = b.w / 3 < 24 ? b.w / 3 : 24;
	for (int r = 0; r < ROLE_COUNT && y < b.y + b.h; r++, y++) {
		struct rect sample = { b.x + 1, y, sw, 1 };
		ui_fill(sample, (enum role)r);
		ui_text(sample.x + 1, y, sw - 2, (enum role)r, _("Sample 示例 123"));
		double c = theme_contrast(t->s[r].fg, t->s[r].bg);
		snprintf(line, sizeof line, "%-8s #%06x / #%06x  %5.1f:1 %s", theme_role_name((enum role)r), t->s[r].fg,
		         t->s[r].bg, c, c >= t->contrast ? _("ok") : _("LOW"));
		ui_text(b.x + sw + 3, y, b.w - sw - 4, c >= t->contrast ? ROLE_TEXT : ROLE_ERROR, line);
	}
	/* A row of each role's fill side by side: gaps or smears show at once. */
	if (y + 1 < b.y + b.h) {
		int w = (b.w - 2) / ROLE_COUNT;
		for (int r = 0; r < ROLE_COUNT && w > 0; r++)
			ui_fill((struct rect){ b.x + 1 + r * w, y + 1, w, 1 }, (enum role)r);
	}
}

static const char *chart_title(struct screen *s)
{
	struct chart *c = s->priv;
	return staff_title(c->title, sizeof c->title, _("Display chart"));
}

static void chart_speak(struct screen *s, char *buf, size_t n, bool full)
{
	snprintf(buf, n, "%s", chart_title(s));
}

const struct screen_ops scr_staff_chart = {
	.name = "staff_chart",
	.enter = chart_enter,
	.leave = chart_leave,
	.draw = chart_draw,
	.speak = chart_speak,
	.title = chart_title,
	.scan = staff_scan_elsewhere,
};
