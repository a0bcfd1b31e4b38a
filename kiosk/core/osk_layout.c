/* osk_layout.c: the on-screen keyboard's geometry (see osk_layout.h).
 *
 * A candidate layout is a plan: a size tier (key height, least and most
 * unit width, gaps), a number of grid units across, and rows of keys each
 * spanning whole units. The plans are tried in the order of preference the
 * header gives and the first one that fits wins; every quantity comes from
 * the area given, clamped, so a 1x1 terminal gets "does not fit", never a
 * key outside it.
 */
#include "osk_layout.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "text.h"

struct tier {
	int kh;           /* key height */
	int umin, umax;   /* unit width */
	int gx;           /* blank columns between keys */
	int gy_cap;       /* blank rows between rows of key caps */
	int gy_boxed;     /* ... of framed buttons (their frames part them) */
};

/* Normal mode: 3-row keys, then 1-row keys with a blank row between rows,
 * then 1-row keys packed (the least that stays readable). */
static const struct tier normal_tiers[] = {
	{ 3, 5, 12, 1, 1, 0 },
	{ 1, 3, 12, 1, 1, 1 },
	{ 1, 3, 12, 1, 0, 0 },
};
/* Large mode: every key at least 3 x 8 with blank space around it, as
 * every target of large mode (menu.c). */
static const struct tier large_tiers[] = {
	{ 3, 8, 16, 2, 1, 1 },
};

#define OSK_AREA_MAX 4096

enum { AL_CENTER, AL_SPREAD, AL_SPLIT, AL_LEFT };
enum { ARR_PAD, ARR_QWERTY, ARR_FLOW, ARR_PAGED };

static const char alpha[] = "abcdefghijklmnopqrstuvwxyz";
static const char digits[] = "1234567890";
static const char *const qwerty_rows[3] = { "qwertyuiop", "asdfghjkl", "zxcvbnm" };

struct pk {
	enum osk_key_kind kind;
	char ch, ch2;
	int span;
	bool fn;
};

struct prow {
	int first, n, align;
};

/* Label widths, once per call. */
struct widths {
	const char *label[OSK_KEY_PAGE + 1];
	int w[OSK_KEY_PAGE + 1];
	const char *to_other;
	int w_other;
};

struct plan {
	const struct osk_spec *s;
	const struct widths *lw;
	struct tier t;
	int arr;
	int C, unit, gy;
	bool boxed;
	int n, nrows;
	struct pk k[OSK_MAX_KEYS];
	struct prow row[OSK_MAX_KEYS];
	int pages, page;
	char from, to;
	int dropped;
	int splits;
	int R; /* paged: rows of keys */
	bool bad;
};

static int imin(int a, int b) { return a < b ? a : b; }

static char upper(char c)
{
	return c >= 'a' && c <= 'z' ? (char)(c - 'a' + 'A') : c;
}

/* The label a key shows (buf holds characters' and the page key's). */
static const char *label_of(const struct plan *p, const struct pk *k, char buf[8])
{
	switch (k->kind) {
	case OSK_KEY_CHAR:
		buf[0] = upper(k->ch);
		buf[1] = '\0';
		return buf;
	case OSK_KEY_PAGE:
		if (k->ch2 && k->ch2 != k->ch)
			snprintf(buf, 8, "%c-%c", upper(k->ch), upper(k->ch2));
		else
			snprintf(buf, 8, "%c", upper(k->ch));
		return buf;
	case OSK_KEY_SWITCH:
		return p->lw->to_other;
	default:
		return p->lw->label[k->kind];
	}
}

static int label_width(const struct plan *p, const struct pk *k)
{
	switch (k->kind) {
	case OSK_KEY_CHAR: return 1;
	case OSK_KEY_PAGE: return 3; /* "I-P", the widest it gets */
	case OSK_KEY_SWITCH: return p->lw->w_other;
	default: return p->lw->w[k->kind];
	}
}

/* Units a key needs for its label; the plan is bad if more than a row. */
static int span_for(struct plan *p, const struct pk *k)
{
	int need = label_width(p, k) + (p->boxed ? OSK_PAD_BOXED : OSK_PAD_CAP);
	int span = need <= p->unit ? 1 : (need + p->t.gx + p->unit + p->t.gx - 1) / (p->unit + p->t.gx);
	if (span > p->C)
		p->bad = true;
	return span;
}

static void row_begin(struct plan *p, int align)
{
	if (p->nrows >= OSK_MAX_KEYS) {
		p->bad = true;
		return;
	}
	p->row[p->nrows++] = (struct prow){ p->n, 0, align };
}

static void key_add(struct plan *p, struct pk k)
{
	if (p->n >= OSK_MAX_KEYS || p->nrows == 0) {
		p->bad = true;
		return;
	}
	k.span = span_for(p, &k);
	p->k[p->n++] = k;
	p->row[p->nrows - 1].n++;
}

static void add_chars(struct plan *p, const char *s, int n)
{
	for (int i = 0; i < n; i++)
		key_add(p, (struct pk){ OSK_KEY_CHAR, s[i], 0, 0, false });
}

/* The function keys, in their order: page, switch, space, delete, clear,
 * enter (less the ones the options or the drop level leave out). */
static int fn_keys(struct plan *p, struct pk *out, bool page_key, bool pad_row)
{
	int n = 0;
	unsigned f = p->s->flags;
	if (page_key)
		out[n++] = (struct pk){ OSK_KEY_PAGE, 'a', 'z', 0, true };
	if (!(f & OSK_NO_SWITCH))
		out[n++] = (struct pk){ OSK_KEY_SWITCH, 0, 0, 0, true };
	if (!(f & OSK_NO_SPACE) && p->dropped < 1)
		out[n++] = (struct pk){ OSK_KEY_SPACE, ' ', 0, 0, true };
	if (!pad_row)
		out[n++] = (struct pk){ OSK_KEY_BACKSPACE, 0, 0, 0, true };
	if (!(f & OSK_NO_CLEAR) && p->dropped < 2)
		out[n++] = (struct pk){ OSK_KEY_CLEAR, 0, 0, 0, true };
	if (!pad_row)
		out[n++] = (struct pk){ OSK_KEY_ENTER, 0, 0, 0, true };
	for (int i = 0; i < n; i++)
		out[i].span = span_for(p, &out[i]);
	return n;
}

/* Splits fn keys into rows of at most C units, filling from the end: the
 * bottom rows are full, the top one takes what is left (and so has the
 * room a last row of characters may share). Returns the number of rows;
 * start[r] is the first key of row r, top row first. */
static int fn_rows(const struct plan *p, const struct pk *f, int n, int start[8])
{
	int ends[8], nr = 0;
	int i = n - 1;
	while (i >= 0 && nr < 8) {
		int u = 0, j = i;
		while (j >= 0 && u + f[j].span <= p->C) {
			u += f[j].span;
			j--;
		}
		if (j == i) /* a key wider than a row: span_for marked the plan bad */
			j--;
		ends[nr++] = j + 1;
		i = j;
	}
	for (int r = 0; r < nr; r++)
		start[r] = ends[nr - 1 - r];
	return nr;
}

static int units(const struct pk *f, int from, int to)
{
	int u = 0;
	for (int i = from; i < to; i++)
		u += f[i].span;
	return u;
}

static void add_fn_rows(struct plan *p, const struct pk *f, int n, const int *start, int from_row, int nr,
                        int align)
{
	for (int r = from_row; r < nr; r++) {
		int end = r + 1 < nr ? start[r + 1] : n;
		row_begin(p, align);
		for (int i = start[r]; i < end; i++)
			key_add(p, f[i]);
	}
}

static void plan_init(struct plan *p, const struct osk_spec *s, const struct widths *lw,
                      const struct tier *t, int w, int C, int arr, int dropped)
{
	memset(p, 0, sizeof *p);
	p->s = s;
	p->lw = lw;
	p->t = *t;
	p->arr = arr;
	p->C = C;
	p->dropped = dropped;
	p->pages = 1;
	int unit = C > 0 ? (w - (C - 1) * t->gx) / C : 0;
	p->unit = imin(unit, t->umax);
	if (C < 1 || unit < t->umin)
		p->bad = true;
	p->boxed = (s->flags & OSK_BOXED) && t->kh >= 3 && p->unit >= 8;
	p->gy = p->boxed ? t->gy_boxed : t->gy_cap;
}

static int plan_height(const struct plan *p)
{
	return p->nrows > 0 ? p->nrows * (p->t.kh + p->gy) - p->gy : 0;
}

/* ---- the arrangements --------------------------------------------------------------------------- */

/* Letters in the keyboard's rows (10 units), the function keys below. */
static void build_qwerty(struct plan *p)
{
	for (int r = 0; r < 3; r++) {
		row_begin(p, AL_CENTER);
		add_chars(p, qwerty_rows[r], (int)strlen(qwerty_rows[r]));
	}
	struct pk f[8];
	int start[8];
	int n = fn_keys(p, f, false, false);
	int nr = fn_rows(p, f, n, start);
	add_fn_rows(p, f, n, start, 0, nr, AL_SPREAD);
	p->from = 'a';
	p->to = 'z';
}

/* Characters in rows of C in order; the function keys below, their top row
 * sharing the last row of characters when it has the room. */
static void build_flow(struct plan *p, const char *cs, int N)
{
	for (int i = 0; i < N; i += p->C) {
		row_begin(p, AL_CENTER);
		add_chars(p, cs + i, imin(p->C, N - i));
	}
	struct pk f[8];
	int start[8];
	int n = fn_keys(p, f, false, false);
	int nr = fn_rows(p, f, n, start);
	int last = N % p->C ? N % p->C : p->C;
	int from_row = 0;
	if (nr > 0 && p->nrows > 0 && units(f, start[0], nr > 1 ? start[1] : n) <= p->C - last) {
		p->row[p->nrows - 1].align = AL_SPLIT;
		for (int i = start[0]; i < (nr > 1 ? start[1] : n); i++)
			key_add(p, f[i]);
		from_row = 1;
		p->splits = 1;
	}
	add_fn_rows(p, f, n, start, from_row, nr, AL_SPREAD);
	p->from = cs[0];
	p->to = cs[N - 1];
}

/* The phone pad: 1 2 3 / 4 5 6 / 7 8 9 / Delete 0 Enter, then the other
 * function keys. */
static void build_pad(struct plan *p)
{
	static const char *const rows[3] = { "123", "456", "789" };
	for (int r = 0; r < 3; r++) {
		row_begin(p, AL_CENTER);
		add_chars(p, rows[r], 3);
	}
	row_begin(p, AL_CENTER);
	key_add(p, (struct pk){ OSK_KEY_BACKSPACE, 0, 0, 0, true });
	key_add(p, (struct pk){ OSK_KEY_CHAR, '0', 0, 0, false });
	key_add(p, (struct pk){ OSK_KEY_ENTER, 0, 0, 0, true });
	if (p->k[p->n - 1].span != 1 || p->k[p->n - 3].span != 1)
		p->bad = true;
	/* The one more character a field may need: a decimal point, an X. */
	if (p->s->flags & (OSK_PAD_DOT | OSK_PAD_X)) {
		row_begin(p, AL_CENTER);
		if (p->s->flags & OSK_PAD_DOT)
			add_chars(p, ".", 1);
		if (p->s->flags & OSK_PAD_X)
			add_chars(p, "x", 1);
	}
	struct pk f[8];
	int start[8];
	int n = fn_keys(p, f, false, true);
	int nr = fn_rows(p, f, n, start);
	add_fn_rows(p, f, n, start, 0, nr, AL_SPREAD);
	p->from = '1';
	p->to = '0';
}

/* Pages of R rows: characters from the top left, the function keys (with
 * the page key) in the same place at the bottom of every page. */
static void build_paged(struct plan *p, const char *cs, int N, int R, int page)
{
	struct pk f[8];
	int start[8], n = 0, nr = 0, cap = 0, top_units = 0;
	p->R = R;
	for (int with_page = 0; with_page < 2; with_page++) {
		n = fn_keys(p, f, with_page, false);
		nr = fn_rows(p, f, n, start);
		top_units = nr ? units(f, start[0], nr > 1 ? start[1] : n) : 0;
		cap = nr <= R ? (R - nr) * p->C + (nr ? p->C - top_units : 0) : 0;
		if (p->bad || cap <= 0) {
			p->bad = true;
			return;
		}
		p->pages = (N + cap - 1) / cap;
		if (p->pages == 1)
			break;
	}
	p->page = page < 0 ? 0 : page >= p->pages ? p->pages - 1 : page;
	int first = p->page * cap, count = imin(cap, N - first);
	if (p->pages > 1) {
		int nf = ((p->page + 1) % p->pages) * cap;
		f[0].ch = cs[nf];
		f[0].ch2 = cs[imin(nf + cap, N) - 1];
	}
	p->from = cs[first];
	p->to = cs[first + count - 1];
	int i = 0;
	for (int r = 0; r < R - nr; r++) {
		row_begin(p, AL_LEFT);
		int m = imin(p->C, count - i);
		if (m > 0) {
			add_chars(p, cs + first + i, m);
			i += m;
		}
	}
	if (nr > 0) {
		row_begin(p, AL_SPLIT);
		if (count > i)
			add_chars(p, cs + first + i, count - i);
		for (int j = start[0]; j < (nr > 1 ? start[1] : n); j++)
			key_add(p, f[j]);
		add_fn_rows(p, f, n, start, 1, nr, AL_SPREAD);
	}
}

/* ---- choosing ----------------------------------------------------------------------------------- */

struct choice {
	bool ok;
	int tier, arr, C, dropped, R;
	int pages, height, unit, splits;
};

static bool fits(const struct plan *p, int h)
{
	return !p->bad && p->nrows > 0 && plan_height(p) <= h;
}

/* Builds the plan a choice names (page as asked). */
static void build(struct plan *p, const struct osk_spec *s, const struct widths *lw, const struct tier *t,
                  int w, const struct choice *c, int page)
{
	plan_init(p, s, lw, t, w, c->C, c->arr, c->dropped);
	if (p->bad)
		return;
	const char *cs = s->mode == OSK_DIGITS ? digits : alpha;
	int N = (int)strlen(cs);
	switch (c->arr) {
	case ARR_PAD: build_pad(p); break;
	case ARR_QWERTY: build_qwerty(p); break;
	case ARR_FLOW: build_flow(p, cs, N); break;
	default: build_paged(p, cs, N, c->R, page); break;
	}
}

/* Whole keyboard: is a better than b (same tier)? */
static bool whole_better(const struct choice *a, const struct choice *b)
{
	if (!b->ok)
		return true;
	if (a->arr != b->arr)
		return a->arr < b->arr;
	if (a->height != b->height)
		return a->height < b->height;
	if (a->splits != b->splits) /* rows of characters alone */
		return a->splits < b->splits;
	if (a->unit != b->unit)
		return a->unit > b->unit;
	return a->C > b->C;
}

static struct choice choose(const struct osk_spec *s, const struct widths *lw, const struct tier *tiers, int nt,
                            int w, int h)
{
	struct choice best = { 0 };
	const char *cs = s->mode == OSK_DIGITS ? digits : alpha;
	int N = (int)strlen(cs);
	struct plan p;

	/* 1. The whole keyboard, biggest keys first. */
	for (int ti = 0; ti < nt && !best.ok; ti++) {
		const struct tier *t = &tiers[ti];
		int cmax = (w + t->gx) / (t->umin + t->gx);
		for (int arr = ARR_PAD; arr <= ARR_FLOW; arr++) {
			int c0 = 1, c1 = imin(cmax, N);
			if (arr == ARR_PAD) {
				if (s->mode != OSK_DIGITS || !(s->flags & OSK_PAD) || cmax < 3)
					continue;
				c0 = c1 = 3;
			} else if (arr == ARR_QWERTY) {
				if (s->mode != OSK_LETTERS || cmax < 10)
					continue;
				c0 = c1 = 10;
			}
			for (int C = c0; C <= c1; C++) {
				struct choice c = { true, ti, arr, C, 0, 0, 1, 0, 0, 0 };
				build(&p, s, lw, t, w, &c, 0);
				if (!fits(&p, h))
					continue;
				c.height = plan_height(&p);
				c.unit = p.unit;
				c.splits = p.splits;
				if (whole_better(&c, &best))
					best = c;
			}
		}
	}
	if (best.ok)
		return best;

	/* 2. Pages: the fewest pages; then all the keys (3. without space, then
	 * without clear too, only where that saves a page), the bigger keys,
	 * the fewest rows. */
	for (int dropped = 0; dropped <= 2; dropped++) {
		for (int ti = 0; ti < nt; ti++) {
			const struct tier *t = &tiers[ti];
			int C = imin((w + t->gx) / (t->umin + t->gx), N);
			int gy = t->gy_cap < t->gy_boxed ? t->gy_cap : t->gy_boxed;
			int rmax = imin((h + gy) / (t->kh + gy), OSK_MAX_KEYS);
			for (int R = 1; R <= rmax; R++) {
				struct choice c = { true, ti, ARR_PAGED, C, dropped, R, 0, 0, 0, 0 };
				build(&p, s, lw, t, w, &c, 0);
				if (!fits(&p, h))
					continue;
				c.pages = p.pages;
				c.height = plan_height(&p);
				c.unit = p.unit;
				/* ties keep the earlier */
				if (!best.ok || c.pages < best.pages)
					best = c;
			}
		}
	}
	return best;
}

/* ---- placing ------------------------------------------------------------------------------------ */

static void place(const struct plan *p, struct osk_layout *L, int w)
{
	int step = p->unit + p->t.gx;
	int width = p->C * p->unit + (p->C - 1) * p->t.gx;
	int x0 = L->area.x + (w - width) / 2;
	char buf[8];
	L->width = width;
	L->height = plan_height(p);
	L->cols = p->C;
	L->rows = p->nrows;
	L->unit = p->unit;
	L->key_h = p->t.kh;
	L->gap_x = p->t.gx;
	L->gap_y = p->gy;
	L->boxed = p->boxed;
	L->qwerty = p->arr == ARR_QWERTY;
	L->pad = p->arr == ARR_PAD;
	L->dropped = p->dropped;
	L->pages = p->pages;
	L->page = p->page;
	L->from = p->from;
	L->to = p->to;
	L->n = 0;
	for (int r = 0; r < p->nrows; r++) {
		const struct prow *row = &p->row[r];
		int y = L->area.y + r * (p->t.kh + p->gy);
		int span[OSK_MAX_KEYS];
		int used = 0, fn_used = 0, grow = -1;
		for (int i = 0; i < row->n; i++) {
			const struct pk *k = &p->k[row->first + i];
			span[i] = k->span;
			used += k->span;
			if (k->fn)
				fn_used += k->span;
			if (k->kind == OSK_KEY_SPACE || (k->kind == OSK_KEY_ENTER && grow < 0))
				grow = i;
		}
		int spare = p->C - used;
		/* long long: the cell after the last key may lie past INT_MAX */
		long long x = x0;
		if (row->align == AL_SPREAD && grow >= 0)
			span[grow] += spare;
		else if (row->align == AL_CENTER || row->align == AL_SPREAD)
			x = x0 + (long long)spare * step / 2;
		long long fx = x0 + (long long)(p->C - fn_used) * step;
		for (int i = 0; i < row->n; i++) {
			const struct pk *k = &p->k[row->first + i];
			struct osk_key *o = &L->key[L->n++];
			int kw = span[i] * p->unit + (span[i] - 1) * p->t.gx;
			long long *at = row->align == AL_SPLIT && k->fn ? &fx : &x;
			o->kind = k->kind;
			o->ch = k->ch;
			o->ch2 = k->ch2;
			o->r = (struct rect){ (int)*at, y, kw, p->t.kh };
			text_copy(o->label, sizeof o->label, label_of(p, k, buf));
			*at += kw + p->t.gx;
		}
	}
}

void osk_layout(struct osk_layout *L, struct rect area, const struct osk_spec *s, int page)
{
	memset(L, 0, sizeof *L);
	L->area = area;
	L->pages = 1;
	if (area.w <= 0 || area.h <= 0 || !s)
		return;
	struct widths lw = { 0 };
	const struct osk_labels *l = &s->labels;
	lw.label[OSK_KEY_SPACE] = l->space ? l->space : "Space";
	lw.label[OSK_KEY_BACKSPACE] = l->backspace ? l->backspace : "Delete";
	lw.label[OSK_KEY_CLEAR] = l->clear ? l->clear : "Clear";
	lw.label[OSK_KEY_ENTER] = l->enter ? l->enter : "OK";
	if (s->mode == OSK_DIGITS)
		lw.to_other = l->to_letters ? l->to_letters : "ABC";
	else
		lw.to_other = l->to_digits ? l->to_digits : "123";
	for (int k = OSK_KEY_SPACE; k <= OSK_KEY_ENTER; k++)
		lw.w[k] = text_width(lw.label[k]);
	lw.w_other = text_width(lw.to_other);

	const struct tier *tiers = s->large ? large_tiers : normal_tiers;
	int nt = s->large ? (int)(sizeof large_tiers / sizeof *large_tiers)
	                  : (int)(sizeof normal_tiers / sizeof *normal_tiers);
	/* No keyboard is wider or taller than this: bigger areas (INT_MAX for
	 * "as much as it likes") change nothing and overflow nothing. */
	int w = area.w < OSK_AREA_MAX ? area.w : OSK_AREA_MAX;
	int h = area.h < OSK_AREA_MAX ? area.h : OSK_AREA_MAX;
	if (area.x > 0 && w > INT_MAX - area.x)
		w = INT_MAX - area.x;
	if (area.y > 0 && h > INT_MAX - area.y)
		h = INT_MAX - area.y;
	struct choice c = choose(s, &lw, tiers, nt, w, h);
	if (!c.ok)
		return;
	struct plan p;
	build(&p, s, &lw, &tiers[c.tier], w, &c, page);
	if (!fits(&p, h))
		return;
	place(&p, L, w);
}

/* ---- questions -------------------------------------------------------------------------------- */

int osk_layout_hit(const struct osk_layout *L, int x, int y)
{
	for (int i = 0; i < L->n; i++)
		if (rect_contains(L->key[i].r, x, y))
			return i;
	return -1;
}

int osk_layout_find(const struct osk_layout *L, enum osk_key_kind kind, char ch)
{
	for (int i = 0; i < L->n; i++)
		if (L->key[i].kind == kind && (kind != OSK_KEY_CHAR || L->key[i].ch == ch))
			return i;
	return -1;
}

int osk_layout_move(const struct osk_layout *L, int i, int dx, int dy)
{
	if (i < 0 || i >= L->n)
		return L->n > 0 ? 0 : -1;
	const struct rect *cur = &L->key[i].r;
	if (dx) {
		int j = i + (dx > 0 ? 1 : -1);
		if (j >= 0 && j < L->n && L->key[j].r.y == cur->y)
			return j;
		return i;
	}
	if (!dy)
		return i;
	/* the nearest row above or below that has keys */
	int row_y = -1;
	for (int j = 0; j < L->n; j++) {
		int y = L->key[j].r.y;
		if (dy > 0 ? y > cur->y && (row_y < 0 || y < row_y) : y < cur->y && (row_y < 0 || y > row_y))
			row_y = y;
	}
	if (row_y < 0)
		return -1;
	long long cx = 2LL * cur->x + cur->w, best_d = -1;
	int best = -1;
	for (int j = 0; j < L->n; j++) {
		if (L->key[j].r.y != row_y)
			continue;
		long long d = 2LL * L->key[j].r.x + L->key[j].r.w - cx;
		if (d < 0)
			d = -d;
		if (best < 0 || d < best_d) {
			best = j;
			best_d = d;
		}
	}
	return best;
}
