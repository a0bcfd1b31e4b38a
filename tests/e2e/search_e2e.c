/* search_e2e.c: see search_e2e.h. */
#include "search_e2e.h"

#include <stdlib.h>
#include <string.h>

struct harness *se_start_at_home(struct gwd *g, const char *layout, int cols, int rows,
                                 const char *const extra[], int ms)
{
	setenv("KIOSK_LAYOUT_DUMP", layout, 1);
	struct harness *h = e2e_start_home(g, gwd_url(g), cols, rows, extra, ms);
	unsetenv("KIOSK_LAYOUT_DUMP");
	E2E_CHECK(h, g, e2e_wait_log(h, "GET /v1/catalog -> 200", ms), "the catalog was not fetched");
	h_settle(h, E2E_QUIET_MS, 2000);
	return h;
}

void se_type(struct harness *h, const char *s)
{
	h_type(h, s);
	h_settle(h, 120, 1000);
}

int se_frame_targets(const char *layout, const char *screen, struct tgt *t, int max)
{
	char *raw = e2e_slurp(layout, NULL);
	if (!raw)
		return 0;
	int n = 0;
	char name[64] = "";
	bool ok = false;
	for (char *save = NULL, *line = strtok_r(raw, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		int c, r, l;
		struct tgt g;
		if (sscanf(line, "screen %63s %d %d %d", name, &c, &r, &l) == 4)
			ok = !strcmp(name, screen);
		else if (ok && n < max && sscanf(line, "target %d %d %d %d %d", &g.id, &g.x, &g.y, &g.w, &g.h) == 5)
			t[n++] = g;
	}
	free(raw);
	return n;
}

bool se_has_target(const char *layout, int id, struct tgt *out)
{
	struct tgt t[256];
	int n = se_frame_targets(layout, "search", t, 256);
	for (int i = 0; i < n; i++)
		if (t[i].id == id) {
			if (out)
				*out = t[i];
			return true;
		}
	return false;
}

void se_click(struct harness *h, const struct tgt *t)
{
	h_click(h, t->x + t->w / 2, t->y + t->h / 2);
	h_settle(h, E2E_QUIET_MS, 2000);
}

char *se_target_text(struct harness *h, const struct tgt *g)
{
	size_t cap = 256, len = 0;
	char *out = calloc(1, cap);
	for (int y = g->y; y < g->y + g->h; y++) {
		char *row = h_row_text(h, y);
		uint32_t cp[1024];
		size_t n = e2e_utf8_decode(row, cp, 1024);
		int col = 0;
		const char *p = row;
		for (size_t i = 0; i < n; i++) {
			unsigned char c0 = (unsigned char)*p;
			size_t bl = c0 < 0x80 ? 1 : c0 < 0xE0 ? 2 : c0 < 0xF0 ? 3 : 4;
			int w = h_cell_at(h, col, y).width == 2 ? 2 : 1;
			if (col >= g->x && col < g->x + g->w) {
				while (len + bl + 2 > cap) {
					cap *= 2;
					out = realloc(out, cap);
				}
				memcpy(out + len, p, bl);
				len += bl;
			}
			col += w;
			p += bl;
		}
		free(row);
		out[len++] = ' ';
		out[len] = '\0';
	}
	return out;
}

void se_touch_key(struct harness *h, struct gwd *gw, const char *layout, const char *label, int ms)
{
	struct tgt t[256];
	long long end = e2e_now_ms() + ms;
	int turns = 0;
	while (e2e_now_ms() < end) {
		int page_key = -1;
		int n = se_frame_targets(layout, "search", t, 256);
		for (int i = 0; i < n; i++) {
			if (t[i].id < SE_ID_OSK_FIRST || t[i].id > SE_ID_OSK_LAST)
				continue;
			char *txt = se_target_text(h, &t[i]);
			char *want = e2e_fmt(" %s ", label);
			char *pad = e2e_fmt(" %s", txt);
			for (char *c = pad; *c; c++)
				if (*c == '>')
					*c = ' ';
			bool hit = strstr(pad, want) != NULL;
			for (char *c = pad; c[0] && c[1] && c[2]; c++)
				if (c[0] >= 'A' && c[0] <= 'Z' && c[1] == '-' && c[2] >= 'A' && c[2] <= 'Z')
					page_key = i;
			free(want);
			free(pad);
			free(txt);
			if (hit) {
				se_click(h, &t[i]);
				return;
			}
		}
		if (page_key >= 0 && turns < 6) {
			turns++;
			se_click(h, &t[page_key]);
			continue;
		}
		h_pump(h, 50);
	}
	E2E_CHECK(h, gw, false, "no key '%s' on the on-screen keyboard", label);
}
