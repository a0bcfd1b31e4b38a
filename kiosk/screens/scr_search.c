/* scr_search.c: 搜索服务. Finds a service as the citizen types: Chinese
 * characters, pinyin (full, initials, mixed, one typo), Latin, T9 digits
 * on the keypad, or letters touched on the on-screen keyboard.
 *
 * Digits mean one of two things, and the screen always says which:
 *   - T9 (拼音数字): 2-9 are the letter groups abc, def... (4 5 5 8 7 is
 *     gjjtq), 1 deletes the last digit, 0 shows the next page;
 *   - choosing (选择序号): 1-9 open a result, 0 the next page.
 * The keypad's '.' (or the mode button) switches. Letters typed on a
 * keyboard always go into the query; Enter opens the focused result.
 *
 * The query is re-run on every change against the catalog's index
 * (app_search); the results hold service indices, so when the catalog is
 * replaced (revalidation, language switch) resize runs the query again.
 * Voice mode says how many were found and the first three, once typing
 * has paused (SAY_PAUSE_MS), never after each key.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "i18n.h"
#include "log.h"
#include "loop.h"
#include "menu.h"
#include "osk.h"
#include "screens.h"
#include "search.h"
#include "text.h"
#include "ui.h"
#include "util.h"

#define MAX_SHOWN 200           /* results kept for the menu */
#define SAY_PAUSE_MS 800        /* voice: results after this pause in typing */
#define QUERY_BYTES (SEARCH_MAX_QUERY * 4 + 1)

/* Touch targets: the menu's are its items (0..) and MENU_T_*. */
enum { T_MODE = 2000000, T_KEYBOARD, T_BROWSE, T_BOX, T_OSK = 2000100 };

struct search_scr {
	char text[QUERY_BYTES];    /* what was typed (UTF-8) */
	bool qt9;                  /* text holds T9 digits */
	bool t9;                   /* digits are T9 letters (else: choosing) */
	struct search_query q;
	/* Results of the last run: copies, so a drawn page never reads an
	 * index that has been replaced. */
	struct search_hit hits[MAX_SHOWN];
	unsigned long gen;         /* the index they came from (app->search_gen) */
	bool ran;                  /* hits hold the current query's results */
	unsigned results_gen;      /* counts runs: a touch acts on what was drawn */
	unsigned drawn_gen;        /* results_gen when the results were last drawn */
	size_t n_hits, total;
	struct menu m;
	struct osk *osk;
	bool osk_shown;            /* the keyboard is on screen */
	bool osk_toggle;           /* no room for both: a button shows one or the other */
	bool osk_instead;          /* ...and the keyboard is the one shown */
	/* layout */
	struct rect box, mode_line, count_line, list, kb, kb_button, browse;
	bool box3;
	char sub[256];
	char notice[256];          /* what was dropped from the input */
	char title[512];
	int cur_x, cur_y;          /* the end of the query in the box */
	/* voice */
	long long say_timer;
	char say[1024];            /* the short text voice mode says now */
};

static struct search_scr *S(struct screen *s) { return s->priv; }

static const char *mode_text(const struct search_scr *v)
{
	return v->t9 ? _("Digits type letters (2=ABC ... 9=WXYZ, 1 deletes)")
	             : _("Digits choose a result");
}

/* ---- the query ---- */

static void say_results(struct screen *s);

static long on_say_timer(struct loop *l, long long id, void *ud)
{
	struct screen *s = ud;
	S(s)->say_timer = 0;
	say_results(s);
	ui_dirty(s->app);
	return -1;
}

static void run(struct screen *s)
{
	struct search_scr *v = S(s);
	struct search_index *ix = app_search(s->app);
	int dropped = search_query_parse(v->text, v->qt9, &v->q);
	(void)dropped;
	const struct search_hit *h = NULL;
	v->total = ix ? search_run(ix, &v->q, MAX_SHOWN, &h) : 0;
	v->gen = s->app->search_gen;
	v->n_hits = v->total < MAX_SHOWN ? v->total : MAX_SHOWN;
	if (v->n_hits)
		memcpy(v->hits, h, v->n_hits * sizeof *h);
	v->m.focus = 0;
	v->results_gen++;
	v->ran = true;
	ui_relayout(s->app);
	/* Voice: the results once typing pauses; nothing of the old ones
	 * meanwhile (a notice must not bring them back). */
	v->say[0] = '\0';
	if (s->app->voice) {
		if (v->say_timer)
			loop_timer_del(s->app->loop, v->say_timer);
		v->say_timer = loop_timer_add(s->app->loop, SAY_PAUSE_MS, on_say_timer, s);
	}
}

/* Appends one character (a code point) to the query; false if refused. */
static bool append(struct screen *s, unsigned cp, bool t9digit)
{
	struct search_scr *v = S(s);
	char one[8];
	size_t n = text_utf8_encode(cp, one);
	one[n] = '\0';
	/* Only what a query can hold: the parser is the judge (before the
	 * query is touched: a refused character changes nothing). */
	struct search_query probe;
	int refused = search_query_parse(one, t9digit, &probe);
	if (refused > 0) {
		snprintf(v->notice, sizeof v->notice, "%s",
		         _("Only letters, digits and Chinese characters can be searched for."));
		ui_toast(s->app, ROLE_BANNER, v->notice);
		return false;
	}
	/* Punctuation (（ ） “ ” ，) stays in the box as typed; the search
	 * passes over it, as over the names' own. T9 digits have no spaces
	 * or punctuation. */
	if (probe.n == 0 && v->qt9)
		return false;
	if (t9digit != v->qt9 && v->text[0]) {
		/* Letters after T9 digits (or the other way round) start again. */
		explicit_bzero(v->text, sizeof v->text);
	}
	v->qt9 = t9digit;
	size_t len = strlen(v->text);
	if (text_chars(v->text, strlen(v->text)) >= SEARCH_MAX_QUERY || len + n >= sizeof v->text) {
		ui_toast(s->app, ROLE_BANNER, _("The search is as long as it can be."));
		return false;
	}
	memcpy(v->text + len, one, n + 1);
	run(s);
	return true;
}

static void delete_last(struct screen *s)
{
	struct search_scr *v = S(s);
	size_t len = strlen(v->text);
	if (!len)
		return;
	do
		len--;
	while (len > 0 && ((unsigned char)v->text[len] & 0xC0) == 0x80);
	explicit_bzero(v->text + len, sizeof v->text - len);
	run(s);
}

static void clear_query(struct screen *s)
{
	struct search_scr *v = S(s);
	explicit_bzero(v->text, sizeof v->text);
	v->qt9 = false;
	run(s);
}

static void set_t9(struct screen *s, bool on)
{
	struct search_scr *v = S(s);
	v->t9 = on;
	snprintf(v->say, sizeof v->say, "%s", mode_text(v));
	ui_relayout(s->app);
}

/* ---- enter / leave ---- */

static void search_enter(struct screen *s, void *arg)
{
	struct search_scr *v = xcalloc(1, sizeof *v);
	s->priv = v;
	const struct scr_search_arg *a = arg;
	/* Opened with the keypad in mind ('/', the home button): T9; by a
	 * letter typed on a keyboard: digits choose. */
	v->t9 = !(a && a->text && *a->text);
	v->osk = osk_new(OSK_LETTERS, 0);
	osk_set_enter_label(v->osk, _("Open"));
	app_search(s->app);
	if (a && a->text && *a->text) {
		/* The character that opened the screen is its first. */
		size_t len = strlen(a->text);
		for (size_t i = 0; i < len;) {
			unsigned cp;
			i += text_utf8_decode(a->text + i, len - i, &cp);
			append(s, cp, false);
		}
	}
	run(s);
	v->say[0] = '\0';
}

static void search_leave(struct screen *s)
{
	struct search_scr *v = S(s);
	if (v->say_timer)
		loop_timer_del(s->app->loop, v->say_timer);
	osk_free(v->osk);
	explicit_bzero(v, sizeof *v);
	free(v);
}

/* ---- layout ---- */

static void search_resize(struct screen *s, struct rect area)
{
	struct search_scr *v = S(s);
	/* The catalog may have changed: the query again, on the new index
	 * (not after every keystroke: run() has just done it). */
	struct search_index *ix = app_search(s->app);
	if (!v->ran || v->gen != s->app->search_gen) {
		const struct search_hit *h = NULL;
		v->total = ix && v->q.n ? search_run(ix, &v->q, MAX_SHOWN, &h) : 0;
		v->gen = s->app->search_gen;
		v->n_hits = v->total < MAX_SHOWN ? v->total : MAX_SHOWN;
		if (v->n_hits)
			memcpy(v->hits, h, v->n_hits * sizeof *h);
		v->ran = true;
		v->results_gen++;
	}
	if (v->m.focus >= (int)v->n_hits)
		v->m.focus = 0;

	bool large = ui_large();
	struct rect r = area;
	struct rect none = { 0, 0, 0, 0 };
	v->mode_line = v->count_line = v->kb_button = v->kb = none;
	v->browse = none;
	v->osk_shown = false;
	int pages = 1;
	if (large) {
		/* Large mode: the box is a 3-row button (touched, it brings the
		 * keyboard); the mode and the count go in the title bar. The
		 * keyboard sits below the results only if both fit whole;
		 * otherwise they take turns, and the keyboard's enter key
		 * brings the results back. */
		int kh = osk_height(v->osk, r.w, r.h - 3 - 7, &pages);
		v->osk_toggle = kh == 0 || pages > 1;
		if (!v->osk_toggle) {
			v->box3 = true;
			v->box = (struct rect){ r.x, r.y, r.w, 3 };
			v->osk_shown = true;
			v->kb = (struct rect){ r.x, r.y + r.h - kh, r.w, kh };
			r.y += 4;
			r.h -= 4 + kh + 1;
		} else if (v->osk_instead && (kh = osk_height(v->osk, r.w, r.h - 1, &pages)) > 0) {
			v->box3 = false;
			v->box = (struct rect){ r.x, r.y, r.w, 1 };
			v->osk_shown = true;
			v->kb = (struct rect){ r.x, r.y + 1, r.w, kh };
			r.h = 0;
		} else {
			v->osk_instead = false;
			v->box3 = true;
			v->box = (struct rect){ r.x, r.y, r.w, 3 };
			r.y += 3;
			r.h -= 3;
		}
	} else {
		v->box3 = r.h >= 18;
		v->box = (struct rect){ r.x, r.y, r.w, v->box3 ? 3 : 1 };
		r.y += v->box.h;
		r.h -= v->box.h;
		/* The mode, its switch button, and the count, under the box. */
		v->mode_line = (struct rect){ r.x, r.y, r.w, 1 };
		v->count_line = (struct rect){ r.x, r.y + 1, r.w, 1 };
		r.y += 2;
		r.h -= 2;
		/* The keyboard below the results, in under half of the room
		 * (its keys shrink to fit), if it fits on one page and leaves
		 * two rows of results; else a button shows one or the other. */
		int kh = osk_height(v->osk, r.w, r.h * 9 / 20, &pages);
		v->osk_toggle = kh == 0 || pages > 1;
		/* No button for a keyboard that cannot fit even alone. */
		bool fits = osk_height(v->osk, r.w, r.h - 1, NULL) > 0;
		if (v->osk_toggle && !fits) {
			v->osk_instead = false;
		} else if (v->osk_toggle) {
			v->kb_button = (struct rect){ r.x, r.y + r.h - 1, r.w, 1 };
			r.h -= 1;
			kh = v->osk_instead ? osk_height(v->osk, r.w, r.h, &pages) : 0;
			v->osk_shown = v->osk_instead && kh > 0;
			if (v->osk_shown) {
				v->kb = (struct rect){ r.x, r.y, r.w, kh };
				r.h = 0;
			}
		} else {
			v->osk_shown = true;
			v->kb = (struct rect){ r.x, r.y + r.h - kh, r.w, kh };
			r.h -= kh + (r.h - kh > 2 ? 1 : 0);
		}
	}
	/* Taking turns, the keyboard's enter key shows the results. */
	osk_set_enter_label(v->osk, v->osk_toggle && v->osk_shown ? _("Results") : _("Open"));
	if (r.h < 0)
		r.h = 0;
	v->list = r;
	int item_h = large ? 3 : r.h >= 2 * 9 + 2 ? 2 : 1;
	menu_layout(&v->m, r, r.h > 0 ? (int)v->n_hits : 0, 20, item_h, 2, 0, 1);
}

/* ---- drawing ---- */

static const char *hit_label(void *ud, int i, const char **sub)
{
	struct screen *s = ud;
	struct search_scr *v = S(s);
	const struct catalog *c = &s->app->cat;
	const struct search_hit *h = &v->hits[i];
	if (h->svc >= c->n_svcs || v->gen != s->app->search_gen) {
		*sub = NULL;
		return "";
	}
	const struct service_brief *b = &c->svcs[h->svc];
	const char *cat = b->cat < c->n_cats ? c->cats[b->cat].name : "";
	if (h->tier == ST_KEYWORD && h->keyword >= 0 && (size_t)h->keyword < b->n_keywords)
		snprintf(v->sub, sizeof v->sub, _("%s · matches \"%s\""), cat, b->keywords[h->keyword]);
	else if (h->tier == ST_KEYWORD)
		snprintf(v->sub, sizeof v->sub, _("%s · matches its description"), cat);
	else if (h->tier == ST_FUZZY)
		snprintf(v->sub, sizeof v->sub, _("%s · close to what was typed"), cat);
	else
		snprintf(v->sub, sizeof v->sub, "%s", cat);
	*sub = v->sub;
	return b->name;
}

static void hit_mark(void *ud, int i, size_t *b0, size_t *b1)
{
	struct screen *s = ud;
	struct search_index *ix = s->app->search;
	const struct search_hit *h = &S(s)->hits[i];
	*b0 = *b1 = 0;
	if (ix && h->svc < s->app->cat.n_svcs && S(s)->gen == s->app->search_gen)
		search_hit_span(ix, h, b0, b1);
}

static void draw_box(struct screen *s)
{
	struct search_scr *v = S(s);
	struct rect b = v->box;
	const char *label = _("Search:");
	/* "搜索：" carries its own space; "Search:" needs one. */
	bool gap = label[0] && (unsigned char)label[strlen(label) - 1] < 0x80;
	/* Framed (3 rows): a button, the text after its marker; else a row. */
	bool framed = v->box3 && b.w >= 8;
	int avail = framed ? b.w - 5 : b.w - 2;
	char shown[QUERY_BYTES * 2] = "";
	const char *hint = "";
	if (v->qt9) {
		/* T9 digits are shown spaced, as they were pressed. */
		size_t k = 0;
		for (const char *p = v->text; *p && k + 2 < sizeof shown; p++) {
			shown[k++] = *p;
			shown[k++] = ' ';
		}
		shown[k ? k - 1 : 0] = '\0';
		hint = "  (T9)";
	} else {
		snprintf(shown, sizeof shown, "%s", v->text);
	}
	/* The end of a long query shows: that is where typing goes (and one
	 * cell stays free for the cursor). */
	int head = text_width(label) + gap;
	const char *t = shown;
	while (*t && head + text_width(t) + text_width(hint) > avail - 1) {
		unsigned cp;
		t += text_utf8_decode(t, strlen(t), &cp);
	}
	char line[QUERY_BYTES * 2 + 256];
	if (v->text[0])
		snprintf(line, sizeof line, "%s%s%s%s", label, gap ? " " : "", t, hint);
	else
		snprintf(line, sizeof line, "%s%s%s", label, gap ? " " : "",
		         v->t9 ? _("pinyin initials on the keypad, e.g. 7229 = sbcx")
		               : _("type pinyin or characters, e.g. sbcx = 社保查询"));
	int end = head + (v->text[0] ? text_width(t) : 0);
	if (framed) {
		/* Touching it brings the keyboard where the keyboard and the
		 * results take turns. */
		ui_button(b, T_BOX, 0, line, NULL, false);
		v->cur_x = b.x + 3 + end;
		v->cur_y = b.y + 1;
	} else {
		ui_fill(b, ROLE_BUTTON);
		if (!ui_large())
			ui_target(b, T_BOX); /* a 1-row target: not in large mode */
		ui_text(b.x + 1, b.y, b.w - 2, ROLE_BUTTON, line);
		v->cur_x = b.x + 1 + end;
		v->cur_y = b.y;
	}
	if (v->cur_x >= b.x + b.w)
		v->cur_x = b.x + b.w - 1;
	ui_cursor(v->cur_x, v->cur_y);
}

static void draw_mode(struct screen *s)
{
	struct search_scr *v = S(s);
	struct rect r = v->mode_line;
	if (r.h == 0)
		return;
	char btn[96];
	snprintf(btn, sizeof btn, "%s", v->t9 ? _("[.] Choose by number") : _("[.] Type with digits"));
	int bw = text_width(btn) + 2;
	if (bw > r.w / 2)
		bw = r.w / 2;
	char mode[160];
	snprintf(mode, sizeof mode, _("Mode: %s"), mode_text(v));
	ui_text(r.x + 1, r.y, r.w - bw - 3, ROLE_TEXT, mode);
	ui_button((struct rect){ r.x + r.w - bw, r.y, bw, r.h }, T_MODE, 0, btn, NULL, false);
}

/* "找到12项。" or what to do. */
static void count_text(struct screen *s, char *line, size_t n)
{
	struct search_scr *v = S(s);
	if (!s->app->cat_loaded)
		snprintf(line, n, "%s", _("The list of services is not available yet."));
	else if (s->app->cat.n_svcs == 0)
		snprintf(line, n, "%s", _("No services are offered at this kiosk."));
	else if (!v->q.n)
		snprintf(line, n, "%s", _("Type to search all services."));
	else if (v->total == 0)
		snprintf(line, n, "%s", _("Nothing found."));
	else if (v->total > v->n_hits)
		snprintf(line, n, _("%zu found; the first %zu are shown."), v->total, v->n_hits);
	else
		snprintf(line, n, _("%zu found."), v->total);
}

static void search_draw(struct screen *s, struct rect area)
{
	struct search_scr *v = S(s);
	if (v->gen != s->app->search_gen || !s->app->search)
		search_resize(s, area); /* a catalog came since the last layout */
	draw_box(s);
	draw_mode(s);
	char line[256];
	count_text(s, line, sizeof line);
	if (v->count_line.h)
		ui_text(v->count_line.x + 1, v->count_line.y, v->count_line.w - 2, ROLE_DIM, line);

	if (v->list.h > 0) {
		if (v->q.n && v->total == 0 && s->app->cat_loaded && s->app->cat.n_svcs) {
			/* No results: what to try, and browsing instead. */
			struct rect r = v->list;
			int used = ui_para((struct rect){ r.x + 1, r.y, r.w - 2, r.h > 4 ? r.h - 4 : r.h },
			                   ROLE_TEXT,
			                   _("Try fewer letters, the first letters of each character (sbcx for 社保查询), or browse the services by category."));
			int bh = ui_large() ? 3 : 1;
			if (r.h >= used + 1 + bh) {
				const char *lab = _("Browse by category");
				int bw = text_width(lab) + 5;
				if (bw > r.w)
					bw = r.w;
				v->browse = (struct rect){ r.x + 1, r.y + used + 1, bw, bh };
				ui_button(v->browse, T_BROWSE, 0, lab, NULL, false);
			}
		} else if (v->n_hits) {
			menu_draw_marked(&v->m, hit_label, hit_mark, s);
			v->drawn_gen = v->results_gen;
		}
	}
	if (v->osk_toggle && v->kb_button.h) {
		const char *lab = v->osk_instead ? _("Show the results") : _("Show the keyboard");
		ui_button(v->kb_button, T_KEYBOARD, 0, lab, NULL, false);
	}
	if (v->osk_shown)
		osk_draw(v->osk, v->kb, T_OSK);
	/* The cursor stays in the box, where typing goes, unless a result has
	 * the focus (menu_draw put it there). */
	if (!v->n_hits || v->list.h == 0)
		ui_cursor(v->cur_x, v->cur_y);
}

/* ---- input ---- */

static void open_hit(struct screen *s, int i)
{
	struct search_scr *v = S(s);
	if (i < 0 || (size_t)i >= v->n_hits || v->hits[i].svc >= s->app->cat.n_svcs ||
	    v->gen != s->app->search_gen)
		return;
	log_info("search: opened result %d of %zu", i + 1, v->total);
	ui_push(s->app, &scr_service, s->app->cat.svcs[v->hits[i].svc].id);
}

static bool is_query_char(int key)
{
	if (key >= 0x20 && key < 0x7F)
		return (key >= 'a' && key <= 'z') || (key >= 'A' && key <= 'Z') || key == ' ';
	return key >= 0xA0 && !(key & UI_FKEY);
}

static int search_key(struct screen *s, int key)
{
	struct search_scr *v = S(s);
	if (key == '.') {
		set_t9(s, !v->t9);
		return UI_HANDLED;
	}
	if (key >= '0' && key <= '9') {
		if (v->t9) {
			if (key == '1')
				delete_last(s);
			else if (key == '0')
				menu_key(&v->m, K_NPAGE);
			else
				append(s, (unsigned)key, true);
			return UI_HANDLED;
		}
		int r = menu_key(&v->m, key);
		if (r >= 0)
			open_hit(s, r);
		return UI_HANDLED;
	}
	if (key == K_BACKSPACE || key == 127 || key == 8) {
		if (!v->text[0])
			return UI_PASS; /* empty: back */
		delete_last(s);
		return UI_HANDLED;
	}
	if (key == K_DC) {
		clear_query(s);
		return UI_HANDLED;
	}
	if (is_query_char(key)) {
		unsigned cp = (unsigned)key;
		if (v->t9 && cp != ' ') {
			/* A keyboard: its digits are for choosing from now on. */
			v->t9 = false;
			ui_relayout(s->app);
		}
		append(s, cp, false);
		return UI_HANDLED;
	}
	if (key == K_RETURN || key == K_ENTER) {
		if (v->n_hits)
			open_hit(s, v->m.focus);
		return UI_HANDLED;
	}
	int r = menu_key(&v->m, key);
	if (r >= 0)
		open_hit(s, r);
	if (r == MENU_MOVED && v->n_hits) {
		char item[512];
		const char *sub;
		menu_speak_item(&v->m, v->m.focus, hit_label(s, v->m.focus, &sub), item, sizeof item);
		snprintf(v->say, sizeof v->say, "%s", item);
	}
	return r == MENU_IGNORED ? UI_PASS : UI_HANDLED;
}

static int search_mouse(struct screen *s, int target)
{
	struct search_scr *v = S(s);
	if (target == T_MODE) {
		set_t9(s, !v->t9);
		return UI_HANDLED;
	}
	if (target == T_BOX) {
		if (v->osk_toggle && !v->osk_instead) {
			v->osk_instead = true;
			ui_relayout(s->app);
		}
		return UI_HANDLED;
	}
	if (target == T_KEYBOARD) {
		v->osk_instead = !v->osk_instead;
		ui_relayout(s->app);
		return UI_HANDLED;
	}
	if (target == T_BROWSE) {
		ui_push(s->app, &scr_categories, NULL);
		return UI_HANDLED;
	}
	struct osk_event ev;
	if (osk_touch(v->osk, target, &ev)) {
		char said[128];
		osk_speak(v->osk, false, said, sizeof said);
		switch (ev.kind) {
		case OSK_CHAR:
			if (v->t9 && ev.ch >= '0' && ev.ch <= '9') {
				/* In T9 a digit is a digit, from the keypad or the screen. */
				search_key(s, ev.ch);
				break;
			}
			if (v->t9 && ev.ch >= 'a' && ev.ch <= 'z')
				v->t9 = false; /* letters in hand: digits choose */
			append(s, (unsigned char)ev.ch, false);
			break;
		case OSK_SPACE:
			append(s, ' ', false);
			break;
		case OSK_BACKSPACE:
			delete_last(s);
			break;
		case OSK_CLEAR:
			clear_query(s);
			break;
		case OSK_ENTER:
			if (v->osk_toggle) {
				/* Taking turns: back to the results. */
				v->osk_instead = false;
				ui_relayout(s->app);
			} else if (v->n_hits) {
				open_hit(s, v->m.focus);
			}
			break;
		case OSK_NONE:
			ui_relayout(s->app);
			break;
		}
		/* The key touched is said (after run(), which clears what was said). */
		snprintf(v->say, sizeof v->say, "%s", said);
		return UI_HANDLED;
	}
	if (v->drawn_gen != v->results_gen)
		return UI_HANDLED; /* the results changed since they were drawn: not what the finger saw */
	int r = menu_mouse(&v->m, target);
	if (r >= 0)
		open_hit(s, r);
	return UI_HANDLED;
}

static int search_scan(struct screen *s, const char *code, size_t len)
{
	/* A scanner typing into the box is not a search: said plainly. */
	ui_toast(s->app, ROLE_BANNER, _("To log in by scanning, go back to the home screen and scan there."));
	return UI_HANDLED;
}

/* ---- voice ---- */

static void say_results(struct screen *s)
{
	struct search_scr *v = S(s);
	size_t len;
	if (!v->q.n) {
		snprintf(v->say, sizeof v->say, "%s", _("The search is empty."));
		return;
	}
	if (v->total == 0) {
		snprintf(v->say, sizeof v->say, "%s", _("Nothing found. Try fewer letters, or browse by category."));
		return;
	}
	len = (size_t)snprintf(v->say, sizeof v->say, _("%zu found."), v->total);
	for (size_t i = 0; i < 3 && i < v->n_hits && len < sizeof v->say; i++) {
		char item[512];
		const char *sub;
		menu_speak_item(&v->m, (int)i, hit_label(s, (int)i, &sub), item, sizeof item);
		len += (size_t)snprintf(v->say + len, sizeof v->say - len, " %s;", item);
	}
}

static const char *search_title(struct screen *s)
{
	struct search_scr *v = S(s);
	if (!ui_large() || !v)
		return _("Search services");
	/* Large mode has no room for the mode and count lines: the title
	 * bar says both. */
	char count[128] = "";
	if (v->q.n)
		snprintf(count, sizeof count, _(" · %zu found"), v->total);
	snprintf(v->title, sizeof v->title, "%s · %s%s", _("Search"),
	         v->t9 ? _("digits type letters [.]") : _("digits choose [.]"), count);
	return v->title;
}

static void search_speak(struct screen *s, char *buf, size_t n, bool full)
{
	struct search_scr *v = S(s);
	if (!full) {
		snprintf(buf, n, "%s", v->say);
		return;
	}
	size_t len = (size_t)snprintf(buf, n, _("%s. %s %s"), _("Search services"),
	                              _("Type the first letters of the service's name in pinyin."),
	                              mode_text(v));
	if (v->q.n && len < n && !v->say_timer) {
		/* The results only once typing has paused (the timer says them
		 * otherwise), and without touching what the short form says. */
		char keep[sizeof v->say];
		memcpy(keep, v->say, sizeof keep);
		say_results(s);
		snprintf(buf + len, n - len, " %s", v->say);
		memcpy(v->say, keep, sizeof keep);
	}
}

const struct screen_ops scr_search = {
	.name = "search",
	.enter = search_enter,
	.leave = search_leave,
	.key = search_key,
	.mouse = search_mouse,
	.draw = search_draw,
	.resize = search_resize,
	.speak = search_speak,
	.title = search_title,
	.scan = search_scan,
};
