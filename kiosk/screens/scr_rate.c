/* scr_rate.c: 好差评, asked after a service is done (a ticket taken, an
 * application submitted, a payment paid).
 *
 * 5 非常满意 … 1 非常不满意: the digit is the score. A score of 3 or more
 * is recorded at once; 2 or 1 asks why (tags, toggled by their numbers;
 * at most 5, as the gateway takes) and offers a comment (the on-screen letters, digits, or the terminal's
 * input method), then 提交. 0, Esc and 首页 skip it in one press: nothing
 * here ever stands between the citizen and the home screen. A press in
 * the first half second of a page is the one that opened it, repeated (a
 * double press on 完成 or on a score): it chooses nothing. The rating
 * goes to the outbox (hall.c sends it, once, whenever the gateway can take
 * it) for exactly the subject the screen was opened with: the screen owns
 * copies of the subject's ids, taken when the service ended.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "hall.h"
#include "i18n.h"
#include "log.h"
#include "loop.h"
#include "osk.h"
#include "outbox.h"
#include "screens.h"
#include "text.h"
#include "ui.h"
#include "util.h"
#include "validate.h"

#define COMMENT_MAX_CHARS 200
#define THANKS_MS 4000
#define MAX_TAGS 5           /* the gateway takes at most 5 reasons (hall.c too) */
/* A press within this of a page appearing is the press that opened it,
 * repeated (a double press or touch on 完成, on a score): it chooses
 * nothing there. Skipping (0, Esc, 首页) always works. */
#define GUARD_MS 500

enum rstage { R_SCORE, R_REASONS, R_COMMENT, R_THANKS };
enum { TG_SCORE = 0, TG_SKIP = 10, TG_TAG = 20, TG_WRITE = 40, TG_SEND = 41, TG_HOME = 42, TG_OSK = 100 };

static const struct { const char *id, *label; } tags[] = {
	{ "slow", N_("Waited too long") },
	{ "unclear", N_("Guidance was unclear") },
	{ "unfriendly", N_("Staff were unfriendly") },
	{ "system", N_("The system failed") },
	{ "too_many_steps", N_("Too many steps") },
	{ "not_done", N_("Could not get it done") },
	{ "other", N_("Something else") },
};
#define N_TAGS ((int)(sizeof tags / sizeof tags[0]))

struct rate {
	char *kind, *subject, *svc_id, *svc_name;
	enum rstage stage;
	int score;
	bool tag_on[N_TAGS];
	char comment[COMMENT_MAX_CHARS * 4 + 1];
	size_t clen;
	int cchars;
	struct osk *osk;
	int focus;                 /* R_SCORE: 0..4 = scores 5..1 */
	long long home_timer;
	long long shown_ms;        /* when this page appeared (GUARD_MS) */
	struct rect area;
};

static void set_stage(struct screen *s, enum rstage st)
{
	struct rate *r = s->priv;
	r->stage = st;
	r->shown_ms = loop_now_ms();
	ui_relayout(s->app);
}

static bool guarded(const struct rate *r)
{
	return loop_now_ms() - r->shown_ms < GUARD_MS;
}

static const char *score_label(int score)
{
	switch (score) {
	case 5: return _("Very satisfied");
	case 4: return _("Satisfied");
	case 3: return _("Fairly satisfied");
	case 2: return _("Dissatisfied");
	case 1: return _("Very dissatisfied");
	}
	return "";
}

static void rate_enter(struct screen *s, void *arg)
{
	const struct scr_rate_arg *a = arg;
	struct rate *r = xcalloc(1, sizeof *r);
	s->priv = r;
	r->kind = xstrdup(a->subject_kind);
	r->subject = xstrdup(a->subject_id);
	r->svc_id = xstrdup(a->service_id ? a->service_id : "");
	r->svc_name = xstrdup(a->service_name ? a->service_name : "");
	r->shown_ms = loop_now_ms();
}

static void rate_leave(struct screen *s)
{
	struct rate *r = s->priv;
	loop_timer_del(s->app->loop, r->home_timer);
	osk_free(r->osk);
	explicit_bzero(r->comment, sizeof r->comment);
	free(r->kind);
	free(r->subject);
	free(r->svc_id);
	free(r->svc_name);
	free(r);
}

static long go_home(struct loop *l, long long id, void *ud)
{
	struct screen *s = ud;
	struct rate *r = s->priv;
	r->home_timer = 0;
	if (!s->gone && ui_top(s->app) == s)
		ui_home(s->app);
	return -1;
}

static void submit(struct screen *s)
{
	struct rate *r = s->priv;
	char tagbuf[256] = "";
	size_t k = 0;
	for (int i = 0; i < N_TAGS && r->score <= 2; i++)
		if (r->tag_on[i])
			k += (size_t)snprintf(tagbuf + k, sizeof tagbuf - k, "%s%s", k ? "," : "", tags[i].id);
	struct outbox_rating o = {
		.subject_kind = r->kind, .subject_id = r->subject, .service_id = r->svc_id,
		.score = r->score, .tags = tagbuf, .comment = r->score <= 2 ? r->comment : "",
	};
	hall_rate(s->app, &o);
	explicit_bzero(r->comment, sizeof r->comment);
	r->clen = 0;
	r->cchars = 0;
	r->home_timer = loop_timer_add(s->app->loop, THANKS_MS, go_home, s);
	set_stage(s, R_THANKS);
}

static void choose(struct screen *s, int score)
{
	struct rate *r = s->priv;
	r->score = score;
	if (score >= 3)
		submit(s);
	else
		set_stage(s, R_REASONS);
}

/* A reason on or off; a sixth is refused in words (the gateway takes 5). */
static void toggle_tag(struct screen *s, int i)
{
	struct rate *r = s->priv;
	int on = 0;
	for (int k = 0; k < N_TAGS; k++)
		on += r->tag_on[k];
	if (!r->tag_on[i] && on >= MAX_TAGS) {
		char msg[160];
		snprintf(msg, sizeof msg, _("Please choose at most %d reasons."), MAX_TAGS);
		ui_toast(s->app, ROLE_ERROR, msg);
		return;
	}
	r->tag_on[i] = !r->tag_on[i];
}

static void rate_resize(struct screen *s, struct rect area)
{
	struct rate *r = s->priv;
	r->area = area;
	if (r->stage == R_COMMENT && !r->osk) {
		r->osk = osk_new(OSK_LETTERS, 0);
		osk_set_enter_label(r->osk, _("Done"));
	}
}

static void comment_add(struct rate *r, unsigned cp)
{
	if (r->cchars >= COMMENT_MAX_CHARS || !v_char_ok(cp))
		return;
	char u[4];
	size_t n = text_utf8_encode(cp, u);
	if (n == 0 || r->clen + n >= sizeof r->comment)
		return;
	memcpy(r->comment + r->clen, u, n);
	r->clen += n;
	r->comment[r->clen] = '\0';
	r->cchars++;
}

static void comment_back(struct rate *r)
{
	if (r->clen == 0)
		return;
	do
		r->clen--;
	while (r->clen > 0 && ((unsigned char)r->comment[r->clen] & 0xC0) == 0x80);
	r->comment[r->clen] = '\0';
	r->cchars--;
}

/* Five scores and 跳过: one column where they fit, else two (5 4 / 3 2 /
 * 1 跳过), never one left out. */
static void draw_score(struct screen *s, struct rect a)
{
	struct rate *r = s->priv;
	int y = a.y + 1;
	y += ui_para((struct rect){ a.x + 1, y, a.w - 2, 2 }, ROLE_TEXT,
	             _("How satisfied are you with this service? Press a number (0 to skip)."));
	y++;
	int left = a.y + a.h - y;
	int bh = ui_large() || left >= 6 * 4 ? 3 : 1;
	int gap = left >= 6 * (bh + 1) ? 1 : 0;
	int cols = left >= 6 * (bh + gap) ? 1 : 2;
	if (cols == 2 && left < 3 * (bh + gap))
		bh = 1, gap = 0;
	int bw = cols == 1 ? (a.w - 2 < 40 ? a.w - 2 : 40) : (a.w - 4) / 2 < 36 ? (a.w - 4) / 2 : 36;
	for (int i = 0; i < 6; i++) {
		int cx = a.x + 1 + (cols == 2 ? (i % 2) * (bw + 2) : 0);
		int cy = y + (cols == 2 ? i / 2 : i) * (bh + gap);
		struct rect b = { cx, cy, bw, bh };
		if (i < 5)
			ui_button(b, TG_SCORE + 5 - i, 5 - i, score_label(5 - i), NULL, r->focus == i);
		else
			ui_button(b, TG_SKIP, 0, _("Skip"), NULL, r->focus == 5);
	}
}

static void draw_reasons(struct screen *s, struct rect a)
{
	struct rate *r = s->priv;
	int y = a.y;
	y += ui_para((struct rect){ a.x + 1, y, a.w - 2, 2 }, ROLE_TEXT,
	             _("Sorry. What went wrong? Press the numbers that apply, then 9 to send."));
	int cols = a.w >= 70 ? 2 : 1, cw = (a.w - 2 - (cols - 1) * 2) / cols;
	int rows = (N_TAGS + cols - 1) / cols;
	/* Large mode's buttons are 3 rows high, with a row between them where
	 * it fits (80x24 has room for the tags, the comment line and 8/9
	 * without); 1 row only if even that does not fit. */
	int left = a.y + a.h - y, bh = 1, gap = 0;
	if (ui_large() && left >= rows * 4 + 1 + 3)
		bh = 3, gap = 1;
	else if (ui_large() && left >= rows * 3 + 1 + 3)
		bh = 3;
	for (int i = 0; i < N_TAGS; i++) {
		int cx = a.x + 1 + (i % cols) * (cw + 2), cy = y + (i / cols) * (bh + gap);
		char label[160];
		/* chosen in words, never by colour alone */
		snprintf(label, sizeof label, "%s %s", r->tag_on[i] ? "[x]" : "[ ]", _(tags[i].label));
		ui_button((struct rect){ cx, cy, cw, bh }, TG_TAG + i, i + 1, label, NULL, false);
	}
	int by = a.y + a.h - bh;
	y += rows * (bh + gap);
	if (y + 1 < by)
		y++; /* a blank row after the tags where there is room */
	char line[COMMENT_MAX_CHARS * 4 + 64];
	snprintf(line, sizeof line, _("Comment: %s"), r->clen ? r->comment : _("(none)"));
	int ch = by - 1 - y < 2 ? by - 1 - y : 2; /* up to 2 rows, one left above 8/9 */
	if (ch < 1 && y < by)
		ch = 1;
	if (ch >= 1)
		ui_para((struct rect){ a.x + 1, y, a.w - 2, ch }, ROLE_DIM, line);
	int bw = (a.w - 4) / 2;
	ui_button((struct rect){ a.x + 1, by, bw, bh }, TG_WRITE, 8, _("Write a comment"), NULL, false);
	ui_button((struct rect){ a.x + 3 + bw, by, bw, bh }, TG_SEND, 9, _("Send"), NULL, false);
}

static void draw_comment(struct screen *s, struct rect a)
{
	struct rate *r = s->priv;
	int y = a.y;
	char count[64];
	snprintf(count, sizeof count, _("%d of %d characters"), r->cchars, COMMENT_MAX_CHARS);
	ui_text(a.x + 1, y++, a.w - 2, ROLE_TEXT, _("Your comment (optional; please write no name or number):"));
	int oh = r->osk ? osk_height(r->osk, a.w, a.h - 5, NULL) : 0;
	int th = a.h - oh - 3;
	if (th < 1)
		th = 1;
	ui_fill((struct rect){ a.x + 1, y, a.w - 2, th }, ROLE_FOCUS);
	/* The end of a long comment shows (its last rows), where the next
	 * character goes, with the cursor after it (an input method's
	 * window opens there); a comment cut at the end showed no typing. */
	int w = a.w - 3, cx = a.x + 1, cy = y;
	int n = text_wrap(r->comment, w, NULL, 0);
	struct text_line *l = xcalloc((size_t)(n ? n : 1), sizeof *l);
	text_wrap(r->comment, w, l, n);
	for (int i = n > th ? n - th : 0; i < n; i++) {
		char *line = xstrndup(r->comment + l[i].off, l[i].len);
		cy = y + i - (n > th ? n - th : 0);
		cx = a.x + 1 + ui_text(a.x + 1, cy, w, ROLE_FOCUS, line);
		wipe_str(line);
	}
	free(l);
	ui_cursor(cx, cy);
	y += th;
	ui_text(a.x + 1, y++, a.w - 2, ROLE_DIM, count);
	if (oh > 0)
		osk_draw(r->osk, (struct rect){ a.x, a.y + a.h - oh, a.w, oh }, TG_OSK);
}

static void rate_draw(struct screen *s, struct rect a)
{
	struct rate *r = s->priv;
	switch (r->stage) {
	case R_SCORE: draw_score(s, a); break;
	case R_REASONS: draw_reasons(s, a); break;
	case R_COMMENT: draw_comment(s, a); break;
	case R_THANKS: {
		int bh = ui_large() ? 3 : 1;
		ui_para((struct rect){ a.x + 1, a.y + 1, a.w - 2, a.h - bh - 2 }, ROLE_OK,
		        _("Thank you for your rating. It helps us serve you better."));
		int bw = a.w - 2 < 40 ? a.w - 2 : 40;
		ui_button((struct rect){ a.x + 1, a.y + a.h - bh, bw, bh }, TG_HOME, 0, _("Back to the home screen"),
		          NULL, true);
		break;
	}
	}
}

static void comment_done(struct screen *s)
{
	struct rate *r = s->priv;
	osk_free(r->osk);
	r->osk = NULL;
	set_stage(s, R_REASONS);
}

/* A key of the on-screen keyboard, pressed or touched. */
static void comment_osk(struct screen *s, const struct osk_event *ev)
{
	struct rate *r = s->priv;
	if (ev->kind == OSK_CHAR || ev->kind == OSK_SPACE)
		comment_add(r, (unsigned char)ev->ch);
	else if (ev->kind == OSK_BACKSPACE)
		comment_back(r);
	else if (ev->kind == OSK_CLEAR) {
		explicit_bzero(r->comment, sizeof r->comment);
		r->clen = 0;
		r->cchars = 0;
	} else if (ev->kind == OSK_ENTER)
		comment_done(s);
}

static int rate_key(struct screen *s, int key)
{
	struct rate *r = s->priv;
	/* The press that opened this page, repeated: nothing but a skip. */
	if (guarded(r) && key != K_HOME && (r->stage == R_COMMENT || (key != '0' && !ui_key_is_back(key))))
		return UI_HANDLED;
	switch (r->stage) {
	case R_SCORE:
		if (key >= '1' && key <= '5') {
			choose(s, key - '0');
			return UI_HANDLED;
		}
		if (key == '0' || ui_key_is_back(key)) {
			ui_home(s->app); /* skipped: straight home */
			return UI_HANDLED;
		}
		if (key == K_UP || key == K_DOWN) {
			r->focus = (r->focus + (key == K_UP ? 5 : 1)) % 6;
			return UI_HANDLED;
		}
		if (key == K_RETURN) {
			if (r->focus == 5)
				ui_home(s->app);
			else
				choose(s, 5 - r->focus);
			return UI_HANDLED;
		}
		return UI_PASS;
	case R_REASONS:
		if (key >= '1' && key < '1' + N_TAGS) {
			toggle_tag(s, key - '1');
			return UI_HANDLED;
		}
		if (key == '8') {
			set_stage(s, R_COMMENT);
			return UI_HANDLED;
		}
		if (key == '9' || key == K_RETURN) {
			submit(s);
			return UI_HANDLED;
		}
		if (key == '0' || ui_key_is_back(key)) {
			ui_home(s->app);
			return UI_HANDLED;
		}
		return UI_PASS;
	case R_COMMENT: {
		struct osk_event ev;
		if (r->osk && osk_key(r->osk, key, &ev)) {
			comment_osk(s, &ev);
			return UI_HANDLED;
		}
		if (key == K_RETURN || key == K_ESC) {
			comment_done(s);
			return UI_HANDLED;
		}
		if (key == K_BACKSPACE) {
			comment_back(r);
			return UI_HANDLED;
		}
		if (key >= 32 && key < UI_FKEY) {
			comment_add(r, (unsigned)key);
			return UI_HANDLED;
		}
		return UI_PASS;
	}
	case R_THANKS:
		if (key == '0' || key == K_RETURN || ui_key_is_back(key)) {
			ui_home(s->app);
			return UI_HANDLED;
		}
		return UI_PASS;
	}
	return UI_PASS;
}

static int rate_mouse(struct screen *s, int target)
{
	struct rate *r = s->priv;
	if (target == TG_HOME)
		ui_home(s->app);
	else if (guarded(r))
		; /* the touch that opened this page, repeated (0, Esc, 首页 still skip) */
	else if (target == TG_SKIP)
		ui_home(s->app);
	else if (r->stage == R_SCORE && target > TG_SCORE && target <= TG_SCORE + 5)
		choose(s, target - TG_SCORE);
	else if (r->stage == R_REASONS && target >= TG_TAG && target < TG_TAG + N_TAGS)
		toggle_tag(s, target - TG_TAG);
	else if (r->stage == R_REASONS && target == TG_WRITE)
		set_stage(s, R_COMMENT);
	else if (r->stage == R_REASONS && target == TG_SEND)
		submit(s);
	else if (r->stage == R_COMMENT && r->osk) {
		struct osk_event ev;
		if (osk_touch(r->osk, target, &ev))
			comment_osk(s, &ev);
	}
	ui_dirty(s->app);
	return UI_HANDLED;
}

static const char *rate_title(struct screen *s)
{
	return _("Rate this service");
}

static void rate_speak(struct screen *s, char *buf, size_t n, bool full)
{
	struct rate *r = s->priv;
	switch (r->stage) {
	case R_SCORE:
		snprintf(buf, n, _("Rate this service. How satisfied are you? Press 5 for very satisfied, 4 satisfied, 3 fairly satisfied, 2 dissatisfied, 1 very dissatisfied, or 0 to skip.%s%s"),
		         full ? "" : " ", full ? "" : r->focus < 5 ? score_label(5 - r->focus) : _("Skip"));
		break;
	case R_REASONS: {
		size_t k = (size_t)snprintf(buf, n, "%s", _("What went wrong? Press the numbers that apply:"));
		for (int i = 0; i < N_TAGS && k < n; i++)
			k += (size_t)snprintf(buf + k, n - k, " %d %s%s;", i + 1, _(tags[i].label),
			                      r->tag_on[i] ? _(" (chosen)") : "");
		if (k < n)
			snprintf(buf + k, n - k, " %s", _("8 to write a comment, 9 to send."));
		break;
	}
	case R_COMMENT:
		snprintf(buf, n, "%s", _("Type your comment, then press Enter."));
		break;
	case R_THANKS:
		snprintf(buf, n, "%s", _("Thank you for your rating. It helps us serve you better."));
		break;
	}
}

const struct screen_ops scr_rate = {
	.name = "rate",
	.enter = rate_enter,
	.leave = rate_leave,
	.key = rate_key,
	.mouse = rate_mouse,
	.draw = rate_draw,
	.resize = rate_resize,
	.speak = rate_speak,
	.title = rate_title,
};
