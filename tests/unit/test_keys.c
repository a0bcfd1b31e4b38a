/* test_keys.c: the terminal's bytes read as whole keys (kiosk/core/keys.c):
 * every encoding the reader claims, keys with modifiers and sequences it
 * does not know dropped whole (never their digits), Alt, split reads, the
 * lone-ESC timeout, UTF-8 text and mouse reports. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "keys.h"

static struct keys k;
static char got[8192];
static size_t ngot;

static void setup(void)
{
	keys_init(&k);
	ngot = 0;
	got[0] = '\0';
}

TestSuite(keys, .init = setup);

static void add(const char *s)
{
	size_t n = strlen(s);
	cr_assert_lt(ngot + n, sizeof got);
	memcpy(got + ngot, s, n + 1);
	ngot += n;
}

static void utf8(unsigned cp, char *s)
{
	if (cp < 0x80) {
		s[0] = (char)cp;
		s[1] = '\0';
	} else if (cp < 0x800) {
		snprintf(s, 8, "%c%c", 0xC0 | cp >> 6, 0x80 | (cp & 0x3F));
	} else if (cp < 0x10000) {
		snprintf(s, 8, "%c%c%c", 0xE0 | cp >> 12, 0x80 | (cp >> 6 & 0x3F), 0x80 | (cp & 0x3F));
	} else {
		snprintf(s, 8, "%c%c%c%c", 0xF0 | cp >> 18, 0x80 | (cp >> 12 & 0x3F),
		         0x80 | (cp >> 6 & 0x3F), 0x80 | (cp & 0x3F));
	}
}

/* Events as text: typed text as itself, keys as <Name>, controls as <^X>,
 * mouse reports as <M button +press/-release ~motion x,y>. */
static void describe(const struct keys_event *e)
{
	static const struct { int key; const char *name; } names[] = {
		{ K_UP, "<Up>" }, { K_DOWN, "<Down>" }, { K_LEFT, "<Left>" }, { K_RIGHT, "<Right>" },
		{ K_HOME, "<Home>" }, { K_END, "<End>" }, { K_IC, "<Ins>" }, { K_DC, "<Del>" },
		{ K_PPAGE, "<PgUp>" }, { K_NPAGE, "<PgDn>" }, { K_ENTER, "<KPEnter>" },
		{ K_RETURN, "<Ret>" }, { K_BACKSPACE, "<BS>" }, { K_ESC, "<Esc>" }, { '\t', "<Tab>" },
	};
	char s[64];
	switch (e->kind) {
	case KEYS_TEXT:
		cr_assert(e->key >= 0x20 && e->key != 0x7F && !(e->key >= 0x80 && e->key < 0xA0) &&
		          e->key <= 0x10FFFF && !(e->key >= 0xD800 && e->key <= 0xDFFF),
		          "text event with code point %#x", (unsigned)e->key);
		utf8((unsigned)e->key, s);
		add(s);
		return;
	case KEYS_MOUSE:
		snprintf(s, sizeof s, "<M%d%c%s%s %d,%d>", e->button, e->press ? '+' : '-',
		         e->motion ? "~" : "", e->mods ? "^" : "", e->x, e->y);
		add(s);
		return;
	case KEYS_KEY:
		for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
			if (names[i].key == e->key) {
				add(names[i].name);
				return;
			}
		}
		if (e->key >= K_F(1) && e->key <= K_F(12)) {
			snprintf(s, sizeof s, "<F%d>", e->key - K_F(0));
			add(s);
			return;
		}
		cr_assert(e->key > 0 && e->key < 0x20, "key %#x", (unsigned)e->key);
		snprintf(s, sizeof s, "<^%c>", '@' + e->key);
		add(s);
		return;
	}
	cr_assert_fail("event of kind %d", (int)e->kind);
}

static void feed_at(const void *bytes, size_t n, long long now)
{
	struct keys_event *ev = malloc((n + 1) * sizeof *ev);
	size_t m = keys_feed(&k, bytes, n, now, ev);
	cr_assert_leq(m, n + 1);
	for (size_t i = 0; i < m; i++)
		describe(&ev[i]);
	free(ev);
}

static void timeout_at(long long now)
{
	struct keys_event ev[1];
	size_t m = keys_timeout(&k, now, ev);
	cr_assert_leq(m, 1);
	if (m)
		describe(&ev[0]);
}

/* s fed whole at t=0, then time passes (a lone ESC becomes Esc); returns
 * what came out, and checks it comes out the same byte by byte. */
static const char *run_n(const char *s, size_t n)
{
	static char whole[8192];
	keys_init(&k);
	ngot = 0;
	got[0] = '\0';
	feed_at(s, n, 0);
	timeout_at(100000);
	snprintf(whole, sizeof whole, "%s", got);

	keys_init(&k);
	ngot = 0;
	got[0] = '\0';
	for (size_t i = 0; i < n; i++)
		feed_at(s + i, 1, 0);
	timeout_at(100000);
	cr_assert_str_eq(got, whole, "byte by byte differs for [%.*s]", (int)n, s);
	cr_assert_eq(keys_deadline(&k, 100000), -1, "still pending after the timeout");
	return whole;
}

static const char *run(const char *s)
{
	return run_n(s, strlen(s));
}

#define EXPECT(bytes, want) cr_expect_str_eq(run(bytes), want, "for %s", #bytes)
/* Dropped whole: with keys around it, only they come out. */
#define DROPPED(bytes) cr_expect_str_eq(run("a" bytes "b"), "ab", "%s not dropped whole", #bytes)

/* ---- text and plain keys ------------------------------------------------------- */

Test(keys, ascii_and_digits)
{
	EXPECT("19a Z*", "19a Z*");
}

Test(keys, utf8_text_and_cjk_input_method_commits)
{
	EXPECT("é", "é");
	/* An input method commits several characters in one write. */
	EXPECT("社会保障卡", "社会保障卡");
	EXPECT("\xF0\x9F\x98\x80", "\xF0\x9F\x98\x80"); /* 4 bytes */
	EXPECT("¥１２３", "¥１２３");
}

Test(keys, invalid_utf8_dropped)
{
	EXPECT("\xFF" "1", "1");
	EXPECT("\xC3(", "(");             /* a lead byte without its tail */
	EXPECT("\xC0\xAF" "2", "2");      /* overlong */
	EXPECT("\xE0\x80\xAF" "3", "3");  /* overlong */
	EXPECT("\xED\xA0\x80" "4", "4");  /* a surrogate */
	EXPECT("\xF4\x90\x80\x80" "5", "5"); /* above U+10FFFF */
	EXPECT("\x80\xBF" "6", "6");      /* stray continuation bytes */
	EXPECT("\xE4\xB8", "");           /* cut short, then time passes */
	EXPECT("\xC2\x85" "7", "7");      /* U+0085, a C1 control */
}

Test(keys, enter_backspace_tab_controls)
{
	EXPECT("\r", "<Ret>");
	EXPECT("\n", "<Ret>");
	EXPECT("\x1bOM", "<KPEnter>");
	EXPECT("\x7f", "<BS>");
	EXPECT("\b", "<BS>");
	EXPECT("\t", "<Tab>");
	EXPECT("\x03\x1a\x04", "<^C><^Z><^D>");
	EXPECT("\x1c", "<^\\>");
	cr_expect_str_eq(run_n("1\0" "2", 3), "12", "NUL (Ctrl+Space) not dropped");
}

/* ---- navigation keys in every encoding ----------------------------------------- */

Test(keys, arrows)
{
	EXPECT("\x1b[A\x1b[B\x1b[C\x1b[D", "<Up><Down><Right><Left>");
	EXPECT("\x1bOA\x1bOB\x1bOC\x1bOD", "<Up><Down><Right><Left>");
	EXPECT("\x1b[1;1A", "<Up>");
}

Test(keys, home_in_every_encoding)
{
	EXPECT("\x1b[H", "<Home>");   /* xterm, normal cursor mode */
	EXPECT("\x1bOH", "<Home>");   /* xterm, application cursor mode */
	EXPECT("\x1b[1~", "<Home>");  /* VT220, tmux, screen, the Linux console */
	EXPECT("\x1b[7~", "<Home>");  /* rxvt */
	EXPECT("\x1b[1;1H", "<Home>");
	/* never Esc followed by '1' (the old bug through tmux) */
	EXPECT("\x1b[1~" "\x1b[1~", "<Home><Home>");
}

Test(keys, end_in_every_encoding)
{
	EXPECT("\x1b[F", "<End>");
	EXPECT("\x1bOF", "<End>");
	EXPECT("\x1b[4~", "<End>");
	EXPECT("\x1b[8~", "<End>");
}

Test(keys, insert_delete_pages)
{
	EXPECT("\x1b[2~\x1b[3~\x1b[5~\x1b[6~", "<Ins><Del><PgUp><PgDn>");
}

Test(keys, function_keys)
{
	EXPECT("\x1bOP\x1bOQ\x1bOR\x1bOS", "<F1><F2><F3><F4>");       /* xterm */
	EXPECT("\x1b[11~\x1b[12~\x1b[13~\x1b[14~", "<F1><F2><F3><F4>"); /* VT220, rxvt */
	EXPECT("\x1b[[A\x1b[[B\x1b[[C\x1b[[D\x1b[[E", "<F1><F2><F3><F4><F5>"); /* Linux console */
	EXPECT("\x1b[P\x1b[Q\x1b[S", "<F1><F2><F4>");                   /* kitty */
	EXPECT("\x1b[15~\x1b[17~\x1b[18~\x1b[19~\x1b[20~\x1b[21~\x1b[23~\x1b[24~",
	       "<F5><F6><F7><F8><F9><F10><F11><F12>");
	/* F13 and above, and what the console makes of Shift+F3... */
	DROPPED("\x1b[25~");
	DROPPED("\x1b[34~");
	DROPPED("\x1b[[F");
	/* ... and CSI R, which is also a cursor position report */
	DROPPED("\x1b[R");
	DROPPED("\x1b[12;40R");
}

/* ---- the keypad ---------------------------------------------------------------- */

Test(keys, keypad_application_mode)
{
	EXPECT("\x1bOp\x1bOq\x1bOr\x1bOs\x1bOt\x1bOu\x1bOv\x1bOw\x1bOx\x1bOy", "0123456789");
	EXPECT("\x1bOn\x1bOj\x1bOM", ".*<KPEnter>");
	DROPPED("\x1bOk"); /* + */
	DROPPED("\x1bOm"); /* - */
	DROPPED("\x1bOo"); /* / */
	DROPPED("\x1bOX"); /* = */
	DROPPED("\x1bOl"); /* , */
	DROPPED("\x1bOE"); /* 5 without Num Lock */
	DROPPED("\x1b[E");
	DROPPED("\x1b[G"); /* the Linux console's keypad 5 */
	DROPPED("\x1bO "); /* space */
}

Test(keys, keypad_numeric_mode_is_text)
{
	EXPECT("1+2-3*4/5=.", "1+2-3*4/5=.");
}

Test(keys, kitty_csi_u_without_modifiers)
{
	EXPECT("\x1b[27u", "<Esc>");
	EXPECT("\x1b[13u\x1b[9u\x1b[127u", "<Ret><Tab><BS>");
	EXPECT("\x1b[57399u\x1b[57400u\x1b[57408u", "019");
	EXPECT("\x1b[57409u\x1b[57411u\x1b[57414u", ".*<KPEnter>");
	EXPECT("\x1b[57417u\x1b[57418u\x1b[57419u\x1b[57420u", "<Left><Right><Up><Down>");
	EXPECT("\x1b[57421u\x1b[57422u\x1b[57423u\x1b[57424u\x1b[57425u\x1b[57426u",
	       "<PgUp><PgDn><Home><End><Ins><Del>");
	EXPECT("\x1b[97u", "a");            /* report all keys: a text key */
	EXPECT("\x1b[57400;129u", "1");     /* Num Lock is no chord */
	EXPECT("\x1b[57400;1:2u", "1");     /* a repeat */
	DROPPED("\x1b[57400;1:3u");         /* a release */
	DROPPED("\x1b[57413u");             /* KP + */
	DROPPED("\x1b[57412u");             /* KP - */
	DROPPED("\x1b[57415u");             /* KP = */
	DROPPED("\x1b[57410u");             /* KP / */
	DROPPED("\x1b[57376u");             /* F13 */
	DROPPED("\x1b[57441u");             /* left Shift */
	DROPPED("\x1b[57427~");             /* KP begin */
	DROPPED("\x1b[0u");
	DROPPED("\x1b[57344u");
}

/* ---- keys with modifiers: dropped whole ---------------------------------------- */

Test(keys, xterm_modifiers_dropped)
{
	static const char *const mods[] = { "2", "3", "4", "5", "6", "7", "8", "9", "16" };
	static const char *const finals[] = { "A", "B", "C", "D", "H", "F", "P", "Q", "R", "S" };
	static const char *const tildes[] = { "1", "2", "3", "4", "5", "6", "15", "17", "21", "23", "24" };
	static const char *const ss3[] = { "k", "m", "j", "o", "X", "M", "p", "q", "y", "n", "A", "P" };
	char s[64];
	for (size_t m = 0; m < sizeof mods / sizeof mods[0]; m++) {
		for (size_t f = 0; f < sizeof finals / sizeof finals[0]; f++) {
			snprintf(s, sizeof s, "a\x1b[1;%s%sb", mods[m], finals[f]);
			cr_expect_str_eq(run(s), "ab", "CSI 1;%s%s", mods[m], finals[f]);
		}
		for (size_t t = 0; t < sizeof tildes / sizeof tildes[0]; t++) {
			snprintf(s, sizeof s, "a\x1b[%s;%s~b", tildes[t], mods[m]);
			cr_expect_str_eq(run(s), "ab", "CSI %s;%s~", tildes[t], mods[m]);
		}
		for (size_t f = 0; f < sizeof ss3 / sizeof ss3[0]; f++) {
			/* xterm: ESC O 5 k is Ctrl + keypad + (its 5 once opened button 5) */
			snprintf(s, sizeof s, "a\x1bO%s%sb", mods[m], ss3[f]);
			cr_expect_str_eq(run(s), "ab", "SS3 %s%s", mods[m], ss3[f]);
			snprintf(s, sizeof s, "a\x1bO1;%s%sb", mods[m], ss3[f]);
			cr_expect_str_eq(run(s), "ab", "SS3 1;%s%s", mods[m], ss3[f]);
		}
	}
	DROPPED("\x1b[27;5;61~");  /* modifyOtherKeys: Ctrl+= */
	DROPPED("\x1b[27;6;13~");  /* modifyOtherKeys: Ctrl+Shift+Enter */
	DROPPED("\x1b[Z");         /* Shift+Tab */
	DROPPED("\x1b[1;2Z");
}

Test(keys, lock_modifiers_are_not_chords)
{
	EXPECT("\x1b[1;65A", "<Up>");   /* Caps Lock */
	EXPECT("\x1b[1;129H", "<Home>"); /* Num Lock */
	EXPECT("\x1b[5;193~", "<PgUp>"); /* both */
	DROPPED("\x1b[1;130A");          /* Num Lock + Shift */
	DROPPED("\x1b[1;257A");          /* a bit nobody defined */
}

Test(keys, kitty_modifiers_dropped)
{
	DROPPED("\x1b[57413;5u");  /* Ctrl + KP + */
	DROPPED("\x1b[57413;2u");  /* Shift + KP + */
	DROPPED("\x1b[57414;5u");  /* Ctrl + KP Enter */
	DROPPED("\x1b[13;6u");     /* Ctrl+Shift+Return */
	DROPPED("\x1b[13;5u");
	DROPPED("\x1b[61;5u");     /* Ctrl+= */
	DROPPED("\x1b[49;5u");     /* Ctrl+1 */
	DROPPED("\x1b[97;6u");
	DROPPED("\x1b[27;3u");     /* Alt+Esc */
	DROPPED("\x1b[57400;5u");
	DROPPED("\x1b[57400;5:1u");
	DROPPED("\x1b[97;5:2u");
	DROPPED("\x1b[97:65;2u");  /* with its shifted key */
	DROPPED("\x1b[1;5E");
}

Test(keys, rxvt_modifiers_dropped)
{
	DROPPED("\x1b[a");   /* Shift+Up */
	DROPPED("\x1b[d");
	DROPPED("\x1bOa");   /* Ctrl+Up */
	DROPPED("\x1bOd");
	DROPPED("\x1b[7$");  /* Shift+Home */
	DROPPED("\x1b[7^");  /* Ctrl+Home */
	DROPPED("\x1b[7@");  /* Ctrl+Shift+Home */
	DROPPED("\x1b[2$");
	DROPPED("\x1b[11^"); /* Ctrl+F1 */
	DROPPED("\x1b[23$"); /* Shift+F11 */
	/* "$" ends the sequence: a digit after it is a digit */
	EXPECT("\x1b[7$" "1", "1");
}

/* ---- Alt: ESC before a key ------------------------------------------------------- */

Test(keys, alt_key_dropped)
{
	DROPPED("\x1b" "1");
	DROPPED("\x1b" "x");
	DROPPED("\x1b" "\r");       /* Alt+Enter */
	DROPPED("\x1b" "\x7f");     /* Alt+Backspace */
	DROPPED("\x1b" "\t");
	DROPPED("\x1b" "社");       /* Alt + a CJK character: all three bytes */
	DROPPED("\x1b" "\x1b[A");   /* rxvt's Alt+Up */
	DROPPED("\x1b" "\x1bOk");
	DROPPED("\x1b" "\x1b[1~");
	DROPPED("\x1b" "\x1b[Z");   /* Alt+Shift+Tab in kitty */
	EXPECT("\x1b\x1b", "");     /* Alt+Esc */
	EXPECT("\x1b\x1b" "2", "");
}

/* ---- lone ESC, timing, split reads ------------------------------------------------ */

Test(keys, lone_esc_by_timeout)
{
	feed_at("\x1b", 1, 1000);
	cr_assert_eq(keys_deadline(&k, 1000), KEYS_ESC_MS);
	cr_assert_eq(keys_deadline(&k, 1010), KEYS_ESC_MS - 10);
	timeout_at(1000 + KEYS_ESC_MS - 1);
	cr_assert_str_eq(got, "", "Esc before its time");
	timeout_at(1000 + KEYS_ESC_MS);
	cr_assert_str_eq(got, "<Esc>");
	cr_assert_eq(keys_deadline(&k, 2000), -1);
	/* Esc, then a digit: both */
	feed_at("1", 1, 3000);
	cr_assert_str_eq(got, "<Esc>1");
}

Test(keys, esc_then_a_late_key_is_esc_and_the_key)
{
	/* No timer ran (the loop was busy): the next read settles it. */
	feed_at("\x1b", 1, 0);
	feed_at("2", 1, KEYS_ESC_MS + 5);
	cr_assert_str_eq(got, "<Esc>2");
}

Test(keys, esc_esc)
{
	feed_at("\x1b\x1b", 2, 0);
	timeout_at(KEYS_ESC_MS);
	cr_assert_str_eq(got, "", "Alt+Esc let out");
	feed_at("\x1b", 1, 1000);
	timeout_at(1000 + KEYS_ESC_MS);
	feed_at("\x1b", 1, 2000);
	timeout_at(2000 + KEYS_ESC_MS);
	cr_assert_str_eq(got, "<Esc><Esc>", "Esc pressed twice, slowly");
}

Test(keys, split_sequences)
{
	feed_at("\x1b", 1, 0);
	feed_at("[", 1, 1);
	feed_at("1", 1, 2);
	feed_at(";", 1, 3);
	feed_at("5", 1, 4);
	feed_at("H", 1, 5);
	cr_assert_str_eq(got, "", "split Ctrl+Home leaked");
	feed_at("\x1b[", 2, 10);
	feed_at("1~", 2, 11);
	feed_at("\xe7\xa4", 2, 12);
	feed_at("\xbe", 1, 13);
	feed_at("\x1b[<0;5", 6, 14);
	feed_at(";7M", 3, 15);
	cr_assert_str_eq(got, "<Home>社<M1+ 4,6>");
}

Test(keys, late_tail_of_a_split_sequence)
{
	/* A slow link split ESC from "[1~": Esc went out by the timeout; the
	 * tail is not Home's '1' for the menu. */
	feed_at("\x1b", 1, 0);
	timeout_at(KEYS_ESC_MS);
	feed_at("[1~", 3, KEYS_ESC_MS + 40);
	feed_at("3", 1, KEYS_ESC_MS + 41);
	cr_assert_str_eq(got, "<Esc>3");
	feed_at("\x1b", 1, 1000);
	timeout_at(1000 + KEYS_ESC_MS);
	feed_at("O5k", 3, 1000 + KEYS_ESC_MS + 10);
	cr_assert_str_eq(got, "<Esc>3<Esc>");
	/* long after, '[' is a '[' */
	feed_at("\x1b", 1, 5000);
	timeout_at(5000 + KEYS_ESC_MS);
	feed_at("[1", 2, 5000 + KEYS_ESC_MS + KEYS_SEQ_MS + 1);
	cr_assert_str_eq(got, "<Esc>3<Esc><Esc>[1");
}

Test(keys, unfinished_sequence_dropped_after_a_while)
{
	feed_at("\x1b[1;", 4, 0);
	cr_assert_eq(keys_deadline(&k, 0), KEYS_SEQ_MS);
	timeout_at(KEYS_SEQ_MS - 1);
	feed_at("5H", 2, KEYS_SEQ_MS - 1); /* still in time: one sequence */
	cr_assert_str_eq(got, "");
	feed_at("\x1b]0;title", 9, 1000);
	timeout_at(1000 + KEYS_SEQ_MS);
	cr_assert_eq(keys_deadline(&k, 1000 + KEYS_SEQ_MS), -1);
	feed_at("5", 1, 2000);
	cr_assert_str_eq(got, "5");
}

Test(keys, broken_sequence_costs_itself_only)
{
	EXPECT("\x1b[1;5\r", "<Ret>");
	EXPECT("\x1b[1\x1b[A", "<Up>");
	EXPECT("\x1bO\x1bOq", "1");
	EXPECT("\x1b[[\x1b[B", "<Down>");
	EXPECT("\x1b[1;5\x7f", "<BS>");
	EXPECT("\x1b[1\xe7\xa4\xbe", "社");
}

/* ---- things that are not keys ------------------------------------------------------ */

Test(keys, terminal_reports_and_strings_dropped)
{
	DROPPED("\x1b[?1;2c");         /* device attributes */
	DROPPED("\x1b[>41;354;0c");
	DROPPED("\x1b[?1u");           /* kitty's flags */
	DROPPED("\x1b[?1;2$y");        /* DECRPM */
	DROPPED("\x1b[1;2$y");
	DROPPED("\x1b[I");             /* focus in */
	DROPPED("\x1b[O");
	DROPPED("\x1b[200~");          /* paste brackets */
	DROPPED("\x1b[201~");
	DROPPED("\x1b[1 q");           /* an intermediate */
	DROPPED("\x1b[=1;2c");
	DROPPED("\x1b]11;rgb:0000/0000/0000\x07");
	DROPPED("\x1b]11;rgb:0000/0000/0000\x1b\\");
	DROPPED("\x1bP1$r0m\x1b\\");   /* DCS */
	DROPPED("\x1b_Gi=1;OK\x1b\\"); /* APC (kitty graphics) */
	DROPPED("\x1b^pm\x1b\\");
	DROPPED("\x1bXsos\x1b\\");
	DROPPED("\x1b]0;12345\x18");   /* CAN cancels */
	DROPPED("\x1b[1;2;3;4;5;6;7;8;9;10;11;12;13;14;15;16;17;18;19;20A");
	DROPPED("\x1b[99999999999999999999A");
	DROPPED("\x1b[1?2A");          /* a marker in the middle */
	DROPPED("\x1b[1 2A");          /* a parameter after an intermediate */
	EXPECT("\x1b]0;x\x1b[A", "<Up>"); /* ESC ends a string: the next sequence counts */
}

Test(keys, eight_bit_controls)
{
	EXPECT("\x9b" "A", "<Up>");
	EXPECT("\x8f" "q", "1");
	EXPECT("\xc2\x9b" "1~", "<Home>");
	DROPPED("\x9b" "1;5H");
	DROPPED("\x9d" "0;t\x07");
	DROPPED("\x85");
}

/* ---- mouse ----------------------------------------------------------------------------- */

Test(keys, sgr_mouse)
{
	EXPECT("\x1b[<0;11;6M\x1b[<0;11;6m", "<M1+ 10,5><M1- 10,5>");
	EXPECT("\x1b[<0;1;1M", "<M1+ 0,0>");
	EXPECT("\x1b[<1;300;200M", "<M2+ 299,199>");
	EXPECT("\x1b[<2;3;4M", "<M3+ 2,3>");
	EXPECT("\x1b[<64;3;4M\x1b[<65;3;4M", "<M4+ 2,3><M5+ 2,3>");
	EXPECT("\x1b[<32;3;4M", "<M1+~ 2,3>");   /* a drag */
	EXPECT("\x1b[<35;3;4M", "<M0-~ 2,3>");   /* a move, no button */
	EXPECT("\x1b[<16;3;4M", "<M1+^ 2,3>");   /* Ctrl */
	EXPECT("\x1b[<128;3;4M", "<M8+ 2,3>");
	DROPPED("\x1b[<0;0;5M");
	DROPPED("\x1b[<0;5M");
	DROPPED("\x1b[<0;1;2;3M");
	DROPPED("\x1b[<0;1;2X");
	DROPPED("\x1b[<;1;2M");
	DROPPED("\x1b[0;1;2M");  /* urxvt's 1015: not asked for */
}

Test(keys, x10_mouse)
{
	EXPECT("\x1b[M !!", "<M1+ 0,0>");
	EXPECT("\x1b[M#+&", "<M0- 10,5>");      /* a release names no button */
	EXPECT("\x1b[M`!!", "<M4+ 0,0>");       /* wheel */
	EXPECT("\x1b[M \xff\xff", "<M1+ 222,222>"); /* raw bytes, not UTF-8 */
	/* its bytes are never keys, even digits and ESC-less ones */
	EXPECT("\x1b[M 11" "2", "<M1+ 16,16>2");
	DROPPED("\x1b[M \x20\x21");              /* column 0 of 1-based: none */
	EXPECT("\x1b[M \r", "<Ret>");            /* broken: a control ends it */
}

/* ---- properties ------------------------------------------------------------------------ */

/* Random strings from pieces of real sequences: read whole and byte by byte
 * they give the same events (run_n checks), and never a control as text
 * (describe checks). */
Test(keys, random_pieces_read_the_same_whole_and_split)
{
	static const char *const pieces[] = {
		"\x1b", "[", "O", "1", "5", ";", ":", "~", "A", "H", "u", "M", "m", "<", "?", "$",
		"\x1b[", "\x1bO", "\x1b]", "\x07", "\x1b\\", "\r", "\x7f", "\xe7", "\xa4", "\xbe",
		"\xc2", "\x9b", "社", "57413", "\x1b[<0;3;4M", "\x1b[M", " ", "!", "q", "k",
	};
	unsigned seed = 12345;
	char s[256];
	for (int iter = 0; iter < 3000; iter++) {
		size_t n = 0;
		int pieces_n = (int)(seed % 12) + 1;
		for (int i = 0; i < pieces_n; i++) {
			seed = seed * 1103515245u + 12345u;
			const char *p = pieces[(seed >> 16) % (sizeof pieces / sizeof pieces[0])];
			size_t l = strlen(p);
			memcpy(s + n, p, l);
			n += l;
		}
		run_n(s, n);
	}
}

Test(keys, digits_never_leak_from_modified_keys)
{
	/* The issue's cases, each followed by nothing: no digit may appear. */
	static const char *const leaks[] = {
		"\x1bO5k", "\x1bO2k", "\x1b[1;5k", "\x1b[57413;5u", "\x1b[57413;2u",
		"\x1b[61;5u", "\x1b[27;5;61~", "\x1b[13;6u", "\x1b[1;5H", "\x1b[1;2A",
		"\x1b[15;5~", "\x1b[1;5P", "\x1b\x31", "\x1b[7^", "\x1b[7$",
	};
	for (size_t i = 0; i < sizeof leaks / sizeof leaks[0]; i++)
		cr_expect_str_eq(run(leaks[i]), "", "leaked from %zu", i);
}
