/* test_apply_crash.c: the crash test of citizens' form submissions (issue
 * 11), suite "apply_crash".
 *
 * APPLY_CRASH_N rounds (default 6, run by `make check` in the e2e suite;
 * `make crash-apply` runs 50), each one real kiosk in a pty on one
 * persistent --data-dir (the outbox lives there) against one gatewayd on
 * one database for the whole run. Each round a demo citizen (one of four,
 * at random) searches 社会保障卡挂失与补换, opens 在线申请 (4), logs in by a
 * code fed to the FIFO scanner, fills the form (phone, reason, promise) and
 * the kiosk is killed with SIGKILL at a random moment; every 6 rounds see
 * each of these, in a random order:
 *   before    on a form page or the check page, before 提交
 *   enter     0 to 25 ms after Enter on the check page
 *   flight    while 正在提交您的申请 shows, POST /v1/applications held by the
 *             gateway's latency_ms fault (300 to 1500 ms)
 *   failing   the same, the gateway answering 503 (retried with backoff;
 *             the gateway never has it)
 *   timeout   the same, the first try held longer than the kiosk's
 *             timeout (2.5 to 3.5 s), the gateway quick again once the
 *             kiosk gave up on it: 0 to 2.5 s into its own retry (1 s
 *             later, the same key)
 *   after     once the confirmation (办件编号（请记下）：SQ...) shows
 * In a third of the rounds that submit (and the first "after" one) the
 * gateway commits the application then drops the connection unanswered
 * (commit_then_drop, drop_count 1). A held submission offered at log-in
 * (未提交的申请) is submitted again or discarded, at random; a third of
 * those submitted again are killed while it is on its way (the round ends
 * there).
 *
 * The kiosk's [gateway] timeout_ms is set to 2000 (a config file), so a
 * submission settles (subq_settle_s: 2 s + 30 s) 32 s after its last
 * request; that is the shortest the kiosk allows (timeout_ms >= 500 gives
 * 31 s). The rounds do not wait for it: a kiosk started in a later round
 * asks about settled entries before its citizen logs in. At the end a kiosk
 * is left alone until every entry still sending has settled and been
 * asked about (delivered or held), then each citizen with held entries logs
 * in once per entry and submits or discards it.
 *
 * After each round (the kiosk dead), its ledger (kiosk --ledger): at most
 * one new submission, none before 提交, one after the confirmation with
 * the number shown; none vanished; one discarded only by the round's
 * citizen, and only if offered. At the end, with the ledger and the gateway
 * (GET /v1/applications/by-key/{key} as test-kiosk, GET /v1/me/applications
 * as each citizen, a session of the test's own):
 *   - every submission is final: delivered or discarded by its citizen;
 *   - each delivered one is at the gateway under its key, with the
 *     application number the ledger has; each discarded one is not;
 *   - each citizen's new applications at the gateway are exactly the
 *     delivered submissions' (none twice, none from nowhere, none lost);
 *   - every application number the kiosk showed is a delivered
 *     submission's, of the citizen it was shown to;
 *   - each citizen discarded as many as the outbox says;
 *   - after their held ones, a citizen's log-in offers nothing.
 * The counts are printed (stderr). APPLY_CRASH_SEED=... seeds the choices
 * (citizens, kill points, faults, answers): a run goes the same way as
 * long as its timing does (an offer that comes a round later changes what
 * follows).
 */
#include "e2e.h"
#include "pay_e2e.h"
#include "harness/gwd.h"
#include "harness/harness.h"

#include <criterion/criterion.h>
#include <jansson.h>

#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define WAIT_MS 15000
#define COLS 120
#define ROWS 40
#define N_DEFAULT 6
#define N_SLOTS 6
#define MAX_SUBS 256

#define T_SERVICE     "社会保障卡挂失与补换"
#define T_SVC_ID      "svc-social-card-loss"
#define T_APPLY       "在线申请"
#define T_LOGIN       "扫码登录"
#define T_STEP1       "第1步"
#define T_CHECK       "最后一步：核对信息"
#define T_SENDING     "正在提交您的申请"
#define T_RETRYING    "暂时连不上政务服务网络"
#define T_DONE        "您的申请已提交。"
#define T_NUMBER      "办件编号（请记下）："
#define T_OFFER_TITLE "未提交的申请"
#define T_OFFER       "您有一份未提交的申请"
#define T_DISCARDED   "申请已放弃"

/* The kiosk's timeout_ms in the test (the settle time is this + 30 s). */
#define TIMEOUT_MS 2000
#define SETTLE_S (TIMEOUT_MS / 1000 + 30)

static const char *const citizens[] = { "cit-zhang", "cit-wang", "cit-ouyang", "cit-aygul" };
#define N_CIT ((int)(sizeof citizens / sizeof citizens[0]))

enum mode { M_BEFORE, M_ENTER, M_FLIGHT, M_AFTER, N_MODES };
static const char *const mode_names[] = { "before 提交", "right after Enter", "in flight",
                                          "after the confirmation" };

/* How a request in flight goes (mode M_FLIGHT). */
enum flight { FL_NONE, FL_LATENCY, FL_FAILING, FL_TIMEOUT, N_FLIGHTS };

static char scratch[256];
/* On its way: the first try, or the retries after the gateway failed. */
static const char *const sending[] = { T_SENDING, T_RETRYING, NULL };

/* ---- randomness: xorshift64*, seeded and printed --------------------------------------- */

static uint64_t rng;

static uint32_t rnd(void)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return (uint32_t)((rng * 0x2545F4914F6CDD1DULL) >> 32);
}

/* lo..hi, both included. */
static int rnd_in(int lo, int hi)
{
	return lo + (int)(rnd() % (uint32_t)(hi - lo + 1));
}

/* ---- the kiosk's ledger ------------------------------------------------------------------ */

struct sub {
	char key[48];
	char state[16];
	char app[64];
};

struct ledger {
	struct sub s[MAX_SUBS];
	int n;
};

/* The submissions `kiosk --ledger` lists (final ones, then those not final,
 * marked '*'): state, application id ("-": none), key. */
static void ledger_read(const char *dir, struct ledger *L)
{
	char *t = pay_ledger(dir, scratch);
	L->n = 0;
	const char *p = strstr(t, "\nSubmissions:\n");
	if (p)
		p = strchr(p + 1 + strlen("Submissions:\n"), '\n'); /* past the header */
	while (p && *p) {
		p++;
		const char *eol = strchrnul(p, '\n');
		char line[512];
		snprintf(line, sizeof line, "%.*s", (int)(eol - p), p);
		p = *eol ? eol : NULL;
		if (!strncmp(line, "submissions:", 12) || !line[0])
			break;
		struct sub s;
		char date[32], tod[32], svc[80];
		int attempts;
		int got = sscanf(line + 1, "%31s %31s %15s %d %63s %47s %79s", date, tod, s.state, &attempts, s.app,
		                 s.key, svc);
		cr_assert(got == 7 && strlen(s.key) == 36 && L->n < MAX_SUBS, "a ledger line I cannot read: '%s'\n%s",
		          line, t);
		cr_assert(!strcmp(svc, T_SVC_ID), "a submission of another service: '%s'", line);
		L->s[L->n++] = s;
	}
	free(t);
}

static const struct sub *ledger_find(const struct ledger *L, const char *key)
{
	for (int i = 0; i < L->n; i++)
		if (!strcmp(L->s[i].key, key))
			return &L->s[i];
	return NULL;
}

static int ledger_count(const struct ledger *L, const char *state)
{
	int n = 0;
	for (int i = 0; i < L->n; i++)
		n += !strcmp(L->s[i].state, state);
	return n;
}

/* ---- what the test knows of each submission ------------------------------------------------ */

struct track {
	char key[48];
	int citizen, round;
	enum mode mode;
	bool dropped;     /* commit_then_drop was set for its first sending */
};

static struct track tracks[MAX_SUBS];
static int n_tracks;

static struct track *track_of(const char *key)
{
	for (int i = 0; i < n_tracks; i++)
		if (!strcmp(tracks[i].key, key))
			return &tracks[i];
	return NULL;
}

/* "round 7 (cit-wang, in flight, dropped)" for a message; static buffer. */
static const char *origin(const char *key)
{
	static char buf[160];
	const struct track *t = track_of(key);
	if (!t)
		return "a submission the test did not make";
	snprintf(buf, sizeof buf, "round %d (%s, killed %s%s)", t->round + 1, citizens[t->citizen],
	         mode_names[t->mode], t->dropped ? ", connection dropped" : "");
	return buf;
}

/* Application numbers the kiosk showed (办件编号), with the citizen. */
struct shown {
	char id[64];
	int citizen;
	bool resubmitted; /* the confirmation of an offer submitted again */
};
static struct shown shown[2 * MAX_SUBS];
static int n_shown;

struct counts {
	int rounds, killed[N_MODES], flights[N_FLIGHTS], drops_set, drops_used, submissions;
	int offers, resubmitted, discarded, killed_resubmitting;
	int reconciled_delivered, reconciled_held;
	int confirmations;
};
static struct counts C;
static int discards_of[N_CIT]; /* offers each citizen discarded */

/* ---- driving the kiosk ---------------------------------------------------------------------- */

static char data_dir[400], config[400];

static struct harness *start(struct gwd *g, const char *fifo)
{
	char spec[600];
	snprintf(spec, sizeof spec, "fifo:%s", fifo);
	const char *extra[] = { "--data-dir", data_dir, "--config", config, "--scanner", spec, NULL };
	struct harness *h = e2e_start_home(g, gwd_url(g), COLS, ROWS, extra, WAIT_MS);
	E2E_CHECK(h, g, e2e_wait_log(h, "GET /v1/catalog ->", WAIT_MS), "no catalog asked for");
	h_settle(h, E2E_QUIET_MS, 2000);
	return h;
}

/* What the kiosk's log says reconcile found, added to the counts. */
static void harvest(struct harness *h)
{
	C.reconciled_delivered += e2e_log_count(h, "reconcile: a submission had reached the gateway");
	C.reconciled_held += e2e_log_count(h, "reconcile: a submission never reached the gateway");
}

static void kill_kiosk(struct harness *h, struct gwd *g)
{
	harvest(h);
	kill(h_pid(h), SIGKILL);
	int st = 0;
	E2E_CHECK(h, g, h_wait_exit(h, 5000, &st) == 0, "the kiosk did not die");
	E2E_CHECK(h, g, WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL, "the kiosk ended otherwise: status %#x", st);
	h_free(h);
}

static void end_kiosk(struct harness *h)
{
	harvest(h);
	e2e_end_kiosk(h, 8000);
}

/* The application number on the confirmation into id (true), if shown. */
static bool read_number(struct harness *h, char id[64])
{
	id[0] = '\0';
	for (int y = 0; y < ROWS && !id[0]; y++) {
		char *row = h_row_text(h, y);
		const char *at = strstr(row, T_NUMBER);
		if (at)
			sscanf(at + strlen(T_NUMBER), "%63[A-Za-z0-9-]", id);
		free(row);
	}
	return id[0] != '\0';
}

static void note_shown(const char *id, int cit, bool resubmitted)
{
	cr_assert(n_shown < (int)(sizeof shown / sizeof shown[0]));
	snprintf(shown[n_shown].id, sizeof shown[n_shown].id, "%s", id);
	shown[n_shown].citizen = cit;
	shown[n_shown].resubmitted = resubmitted;
	n_shown++;
	C.confirmations++;
}

/* Pumps until the log holds s more than n times (true), or ms pass. */
static bool wait_log_more(struct harness *h, const char *s, int n, int ms)
{
	for (long long end = e2e_now_ms() + ms; e2e_log_count(h, s) <= n;) {
		if (e2e_now_ms() >= end)
			return false;
		h_pump(h, 50);
	}
	return true;
}

static void log_in(struct harness *h, struct gwd *g, const char *fifo, int cit)
{
	char code[128];
	e2e_citizen_code(g, citizens[cit], code, sizeof code);
	e2e_fifo_send(h, g, fifo, code, WAIT_MS);
}

enum offer_end { OFFER_NONE, OFFER_SUBMITTED, OFFER_DISCARDED, OFFER_IN_FLIGHT };

/* The offer shows: submit it again (the confirmation's number noted) or
 * discard it, at random. With may_kill, a third of the submissions go out
 * slowly (latency_ms) or into a failing gateway (503): OFFER_IN_FLIGHT,
 * for the caller to kill the kiosk while it sends. Otherwise returns with
 * the offer gone. */
static enum offer_end answer_offer(struct harness *h, struct gwd *g, int cit, const char *step, bool may_kill)
{
	C.offers++;
	e2e_expect(h, g, T_SERVICE, WAIT_MS, step);
	h_pump(h, 350); /* a person reads it (a press in the first 300 ms is taken for a double tap) */
	enum offer_end end;
	if (rnd() % 2) {
		if (may_kill && rnd() % 3 == 0) {
			if (rnd() % 3 == 0)
				e2e_set_faults(g, "{\"status\":503,\"paths\":[\"/v1/applications\"]}");
			else
				e2e_set_faults(g, "{\"latency_ms\":1500,\"paths\":[\"/v1/applications\"]}");
			h_type(h, "1");
			e2e_expect_any(h, g, sending, WAIT_MS, "the offer submitted: sending");
			C.resubmitted++;
			return OFFER_IN_FLIGHT;
		}
		h_type(h, "1");
		e2e_expect(h, g, T_DONE, WAIT_MS, "the offer submitted: confirmed");
		char id[64];
		e2e_expect(h, g, T_NUMBER, WAIT_MS, "the offer submitted: its number");
		h_settle(h, E2E_QUIET_MS, 1000);
		E2E_CHECK(h, g, read_number(h, id), "no application number on the screen");
		note_shown(id, cit, true);
		C.resubmitted++;
		end = OFFER_SUBMITTED;
	} else {
		h_type(h, "2");
		e2e_expect(h, g, T_DISCARDED, WAIT_MS, "the offer discarded: said");
		C.discarded++;
		discards_of[cit]++;
		end = OFFER_DISCARDED;
	}
	h_settle(h, E2E_QUIET_MS, 1000);
	char *title = h_row_text(h, 0);
	bool gone = !strstr(title, T_OFFER_TITLE);
	free(title);
	E2E_CHECK(h, g, gone, "%s: the offer is still there", step);
	return end;
}

/* Search, the service, 在线申请 (the log-in first, if logged out). */
static void to_service(struct harness *h, struct gwd *g)
{
	h_type(h, T_SERVICE);
	e2e_expect(h, g, e2e_item(1, T_SERVICE), WAIT_MS, "search: the service first");
	h_type(h, "1");
	e2e_expect_row(h, g, 0, T_SERVICE, WAIT_MS, "the service's page");
	e2e_expect(h, g, T_APPLY, WAIT_MS, "the page offers 在线申请");
	h_type(h, "4");
}

/* Logged in on the form's first page: an offer on top of it is answered
 * (then back to the form). */
static enum offer_end maybe_offer(struct harness *h, struct gwd *g, int cit)
{
	static const char *const either[] = { T_OFFER, T_STEP1, NULL };
	const char *first = e2e_expect_any(h, g, either, WAIT_MS, "logged in: the form or an offer");
	/* The offer is pushed right after the log-in (a timer of 0 ms, before
	 * the form's page can be drawn); its log line says it came. */
	if (strcmp(first, T_OFFER) != 0 && !e2e_wait_title(h, T_OFFER_TITLE, 500) &&
	    !e2e_log_count(h, "outbox: a held submission offered at log-in"))
		return OFFER_NONE;
	E2E_CHECK(h, g, e2e_wait_title(h, T_OFFER_TITLE, WAIT_MS), "an offer logged, none shown");
	enum offer_end end = answer_offer(h, g, cit, "an offer at log-in", true);
	if (end == OFFER_IN_FLIGHT)
		return end;
	if (end == OFFER_SUBMITTED) { /* the form again */
		h_key(h, H_HOME);
		e2e_expect_row(h, g, 0, E2E_T_HOME, WAIT_MS, "home after the confirmation");
		to_service(h, g);
	}
	e2e_expect(h, g, T_STEP1, WAIT_MS, "the form's first page");
	return end;
}

/* The form (phone, reason, promise), the check page, 提交: the kiosk is
 * left where mode says it is to be killed. */
static void fill_and_submit(struct harness *h, struct gwd *g, enum mode mode, enum flight fl, int before_at,
                            bool drop, int latency)
{
	char phone[16];
	snprintf(phone, sizeof phone, "1%d%09d", rnd_in(3, 9), rnd_in(0, 999999999));
	bool killed = false;
	if (mode == M_BEFORE && before_at == 0) {
		killed = true;
	} else if (mode == M_BEFORE && before_at == 1) {
		char part[16];
		snprintf(part, sizeof part, "%.*s", rnd_in(1, 10), phone);
		pay_type_slowly(h, part);
		killed = true;
	} else {
		pay_type_slowly(h, phone); /* a person, not a scanner */
		h_key(h, H_ENTER);
		e2e_expect(h, g, "第2步", WAIT_MS, "phone accepted: step 2");
		if (mode == M_BEFORE && before_at == 2) {
			killed = true;
		} else {
			char reason[2] = { (char)('0' + rnd_in(1, 3)), 0 };
			h_type(h, reason);
			h_key(h, H_ENTER);
			e2e_expect(h, g, "第3步", WAIT_MS, "step 3: the promise");
			if (mode == M_BEFORE && before_at == 3) {
				killed = true;
			} else {
				h_type(h, "1");
				h_key(h, H_ENTER);
				e2e_expect(h, g, T_CHECK, WAIT_MS, "the check page");
				e2e_expect(h, g, phone, WAIT_MS, "the phone on the check page");
				killed = mode == M_BEFORE;
			}
		}
	}
	if (!killed) {
		char faults[200];
		if (fl == FL_FAILING) {
			e2e_set_faults(g, "{\"status\":503,\"paths\":[\"/v1/applications\"]}");
		} else if (latency || drop) {
			snprintf(faults, sizeof faults, "{\"latency_ms\":%d%s,\"paths\":[\"/v1/applications\"]}", latency,
			         drop ? ",\"application\":\"commit_then_drop\",\"drop_count\":1" : "");
			e2e_set_faults(g, faults);
		}
		C.flights[fl]++;
		C.drops_set += drop;
		int timeouts = e2e_log_count(h, "form: submission not confirmed");
		h_key(h, H_ENTER); /* 提交 */
		switch (mode) {
		case M_ENTER:
			h_pump(h, rnd() % 2 ? 0 : rnd_in(1, 25));
			break;
		case M_FLIGHT:
			e2e_expect_any(h, g, sending, WAIT_MS, "submitting");
			if (fl == FL_FAILING) {
				h_pump(h, rnd_in(0, 4000));
			} else if (fl == FL_TIMEOUT) {
				/* The first try timed out: the gateway is quick again
				 * for the kiosk's own retry (1 s later, the same key). */
				E2E_CHECK(h, g, wait_log_more(h, "form: submission not confirmed", timeouts, WAIT_MS),
				          "the kiosk did not give up on a request that took %d ms", latency);
				e2e_set_faults(g, "{}");
				h_pump(h, rnd_in(0, 2500));
			} else {
				h_pump(h, rnd_in(0, latency + (drop ? 1200 : 0)));
			}
			break;
		case M_AFTER:
			e2e_expect(h, g, T_DONE, WAIT_MS, "submitted: confirmed");
			e2e_expect(h, g, T_NUMBER, WAIT_MS, "the application number");
			h_pump(h, rnd_in(0, 500));
			break;
		default:
			break;
		}
	}
}

/* One round: see the top of the file. */
static void round_once(struct gwd *g, int r)
{
	char fifo[600];
	snprintf(fifo, sizeof fifo, "%s/scanner-%d", scratch, r);
	int cit = rnd_in(0, N_CIT - 1);
	/* Every N_SLOTS rounds, in a random order: killed before 提交, right
	 * after Enter, in flight held by latency, in flight into a failing
	 * gateway (503, retried with backoff: the gateway never has it), in
	 * flight after a try timed out (the kiosk's own retry), after the
	 * confirmation; so N_SLOTS rounds see each. */
	static int slots[N_SLOTS];
	if (r % N_SLOTS == 0) {
		for (int i = 0; i < N_SLOTS; i++)
			slots[i] = i;
		for (int i = N_SLOTS - 1; i > 0; i--) {
			int j = rnd_in(0, i), t = slots[i];
			slots[i] = slots[j];
			slots[j] = t;
		}
	}
	int slot = slots[r % N_SLOTS];
	enum mode mode = slot == 0 ? M_BEFORE : slot == 1 ? M_ENTER : slot <= 4 ? M_FLIGHT : M_AFTER;
	enum flight fl = slot == 2 ? FL_LATENCY : slot == 3 ? FL_FAILING : slot == 4 ? FL_TIMEOUT : FL_NONE;
	/* The kill point before 提交: 0 step 1, 1 mid phone, 2 step 2, 3 step 3, 4 the check page. */
	int before_at = rnd_in(0, 4);
	/* The connection dropped after the commit: a third of the rounds that
	 * submit, and the first round killed after the confirmation. */
	bool drop = mode != M_BEFORE && fl != FL_FAILING && (rnd() % 3 == 0 || (r < N_SLOTS && mode == M_AFTER));
	/* FL_TIMEOUT: longer than the kiosk's timeout_ms. */
	int latency = fl == FL_LATENCY ? rnd_in(300, 1500)
	            : fl == FL_TIMEOUT ? rnd_in(TIMEOUT_MS + 500, TIMEOUT_MS + 1500)
	                               : 0;
	e2e_set_faults(g, "{}");

	struct ledger *was = calloc(1, sizeof *was), *now = calloc(1, sizeof *now);
	cr_assert(was && now);
	ledger_read(data_dir, was);

	struct harness *h = start(g, fifo);
	h_pump(h, rnd_in(0, 1500)); /* the kiosk alone a while: reconcile may ask meanwhile */
	to_service(h, g);
	e2e_expect_row(h, g, 0, T_LOGIN, WAIT_MS, "apply: log in first");
	log_in(h, g, fifo, cit);

	enum offer_end offer = maybe_offer(h, g, cit);
	bool resub = offer == OFFER_IN_FLIGHT;
	if (resub) {
		h_pump(h, rnd_in(0, 2500)); /* the offer's submission on its way, or retried */
		C.killed_resubmitting++;
		drop = false;
		fl = FL_NONE;
		latency = 0;
	} else {
		fill_and_submit(h, g, mode, fl, before_at, drop, latency);
		C.killed[mode]++;
	}
	h_settle(h, 0, 0); /* what the kiosk wrote so far */
	char id[64];
	bool confirmed = e2e_wait_text(h, T_NUMBER, 0) && read_number(h, id);
	if (confirmed)
		note_shown(id, cit, false);
	kill_kiosk(h, g);
	if (drop) {
		char *resp = NULL;
		int st = gwd_get(g, "/sim/faults", &resp);
		cr_assert(st == 200, "/sim/faults: %d", st);
		json_t *j = json_loads(resp, 0, NULL);
		json_t *left = json_object_get(j, "drop_count");
		C.drops_used += json_is_integer(left) && json_integer_value(left) == 0;
		json_decref(j);
		free(resp);
	}
	e2e_set_faults(g, "{}");

	/* What the round left in the outbox: at most one new submission. */
	ledger_read(data_dir, now);
	int fresh = 0;
	const char *fresh_state = "-";
	for (int i = 0; i < now->n; i++) {
		if (ledger_find(was, now->s[i].key))
			continue;
		fresh++;
		fresh_state = now->s[i].state;
		cr_assert(n_tracks < MAX_SUBS);
		struct track *t = &tracks[n_tracks++];
		snprintf(t->key, sizeof t->key, "%s", now->s[i].key);
		t->citizen = cit;
		t->round = r;
		t->mode = mode;
		t->dropped = drop;
		C.submissions++;
		if (confirmed)
			cr_assert(!strcmp(now->s[i].state, "delivered") && !strcmp(now->s[i].app, id),
			          "round %d: %s shown, the ledger has %s %s", r + 1, id, now->s[i].state, now->s[i].app);
	}
	cr_assert(fresh <= 1, "round %d: %d new submissions in the outbox", r + 1, fresh);
	cr_assert(resub || mode != M_BEFORE || fresh == 0, "round %d: killed before 提交, yet a submission was written",
	          r + 1);
	cr_assert(resub || mode != M_AFTER || fresh == 1, "round %d: confirmed, yet no submission in the outbox",
	          r + 1);
	cr_assert(!resub || fresh == 0, "round %d: killed resubmitting an offer, yet a new submission was written",
	          r + 1);
	for (int i = 0; i < was->n; i++) {
		const struct sub *n = ledger_find(now, was->s[i].key);
		cr_assert(n, "round %d: submission %s vanished from the outbox", r + 1, was->s[i].key);
		/* Only this round's citizen could discard one, and only one offered. */
		if (!strcmp(n->state, "discarded") && strcmp(was->s[i].state, "discarded")) {
			struct track *t = track_of(n->key);
			cr_assert(offer == OFFER_DISCARDED && t && t->citizen == cit,
			          "round %d: %s discarded %s's submission %s", r + 1, citizens[cit],
			          t ? citizens[t->citizen] : "nobody", n->key);
			cr_assert(!strcmp(was->s[i].state, "held") || !strcmp(was->s[i].state, "sending") ||
			                  !strcmp(was->s[i].state, "unsent"),
			          "round %d: %s discarded from %s", r + 1, n->key, was->s[i].state);
		}
	}
	char lat[40] = "";
	if (latency)
		snprintf(lat, sizeof lat, ", latency %d ms", latency);
	fprintf(stderr, "apply_crash: round %d: %s%s, %s, killed %s%s%s%s%s -> %s\n", r + 1, citizens[cit],
	        offer == OFFER_NONE     ? ""
	        : resub                 ? ", offered a held one: submitted"
	        : offer == OFFER_SUBMITTED ? ", offered a held one: submitted, confirmed"
	                                   : ", offered a held one: discarded",
	        fresh ? "submitted" : "nothing submitted", resub ? "resubmitting it" : mode_names[mode],
	        !resub && mode == M_BEFORE ? (const char *[]){ " (step 1)", " (typing the phone)", " (step 2)", " (step 3)",
	                                             " (the check page)" }[before_at] : "",
	        fl == FL_FAILING ? ", the gateway failing (503)" : fl == FL_TIMEOUT ? ", a try timed out" : "",
	        drop ? ", connection dropped" : "", lat,
	        fresh_state);
	free(was);
	free(now);
}

/* ---- the gateway's side ---------------------------------------------------------------------- */

/* The ids of a citizen's applications (GET /v1/me/applications with a
 * session of the test's own) into ids[]; returns how many. */
static int gw_apps_of(struct gwd *g, int cit, char ids[][64], int max)
{
	char code[128];
	e2e_citizen_code(g, citizens[cit], code, sizeof code);
	char *body = e2e_fmt("{\"code\":\"%s\"}", code);
	json_t *s = e2e_post_json(g, "/v1/auth/scan", body, 200);
	free(body);
	const char *tok = json_string_value(json_object_get(s, "access_token"));
	cr_assert(tok, "no access token");
	char *auth = e2e_fmt("Authorization: Bearer %s", tok);
	const char *hdrs[] = { auth, "X-Kiosk-Id: crash-checker", NULL };
	char *resp = NULL;
	int st = gwd_request_h(g, "GET", "/v1/me/applications", hdrs, NULL, &resp);
	cr_assert(st == 200, "/v1/me/applications: %d %s", st, resp ? resp : "");
	json_t *j = json_loads(resp, 0, NULL);
	json_t *a = json_object_get(j, "applications");
	cr_assert(json_is_array(a), "/v1/me/applications: %s", resp);
	int n = 0;
	size_t i;
	json_t *v;
	json_array_foreach(a, i, v) {
		const char *id = json_string_value(json_object_get(v, "id"));
		cr_assert(id && n < max);
		snprintf(ids[n++], 64, "%s", id);
	}
	cr_assert(json_array_size(a) < 50, "%s has %zu applications: the list may be cut short", citizens[cit],
	          json_array_size(a));
	json_decref(j);
	json_decref(s);
	free(resp);
	free(auth);
	return n;
}

/* GET /v1/applications/by-key/{key} as the test's kiosk: the status, the
 * application id into id (if 200). */
static int by_key(struct gwd *g, const char *key, char id[64])
{
	char *path = e2e_fmt("/v1/applications/by-key/%s", key);
	const char *hdrs[] = { "X-Kiosk-Id: test-kiosk", NULL };
	char *resp = NULL;
	int st = gwd_request_h(g, "GET", path, hdrs, NULL, &resp);
	id[0] = '\0';
	if (st == 200) {
		json_t *j = json_loads(resp, 0, NULL);
		const char *v = json_string_value(json_object_get(j, "id"));
		snprintf(id, 64, "%s", v ? v : "");
		json_decref(j);
	}
	free(resp);
	free(path);
	return st;
}

static bool in_list(char ids[][64], int n, const char *id)
{
	for (int i = 0; i < n; i++)
		if (!strcmp(ids[i], id))
			return true;
	return false;
}

/* ---- the test ------------------------------------------------------------------------------- */

Test(apply_crash, killed_and_dropped_submissions_end_once, .timeout = 3600)
{
	long long t0 = e2e_now_ms();
	const char *n_env = getenv("APPLY_CRASH_N");
	int n_rounds = n_env && *n_env ? atoi(n_env) : N_DEFAULT;
	/* At most 120: GET /v1/me/applications lists 50 a citizen. */
	cr_assert(n_rounds >= 1 && n_rounds <= 120, "APPLY_CRASH_N=%s: 1 to 120", n_env);
	const char *seed_env = getenv("APPLY_CRASH_SEED");
	uint64_t seed = seed_env && *seed_env ? strtoull(seed_env, NULL, 0)
	                                      : ((uint64_t)time(NULL) << 20) ^ (uint64_t)getpid();
	if (!seed)
		seed = 1;
	rng = seed;
	fprintf(stderr, "apply_crash: %d rounds, seed %llu (APPLY_CRASH_SEED=%llu repeats its choices)\n", n_rounds,
	        (unsigned long long)seed, (unsigned long long)seed);

	e2e_scratch_dir(scratch, sizeof scratch, "apply-crash");
	snprintf(data_dir, sizeof data_dir, "%s/data", scratch);
	cr_assert(mkdir(data_dir, 0700) == 0, "mkdir %s: %s", data_dir, strerror(errno));
	snprintf(config, sizeof config, "%s/kiosk.conf", scratch);
	FILE *f = fopen(config, "w");
	cr_assert(f);
	fprintf(f, "[gateway]\ntimeout_ms = %d\n", TIMEOUT_MS);
	fclose(f);

	struct gwd *g = e2e_start_gateway(NULL);
	/* Each citizen's applications before the test (the demo's). */
	static char before[N_CIT][64][64];
	int n_before[N_CIT];
	for (int c = 0; c < N_CIT; c++)
		n_before[c] = gw_apps_of(g, c, before[c], 64);

	for (int r = 0; r < n_rounds; r++) {
		round_once(g, r);
		C.rounds++;
	}
	long long t_rounds = e2e_now_ms();

	/* The end: a kiosk alone until every entry still being sent has
	 * settled and been asked about. */
	e2e_set_faults(g, "{}");
	static struct ledger L;
	ledger_read(data_dir, &L);
	int open = ledger_count(&L, "sending") + ledger_count(&L, "unsent");
	fprintf(stderr, "apply_crash: after the rounds: %d delivered, %d sending, %d unsent, %d held, %d discarded\n",
	        ledger_count(&L, "delivered"), ledger_count(&L, "sending"), ledger_count(&L, "unsent"),
	        ledger_count(&L, "held"), ledger_count(&L, "discarded"));
	char fifo[600];
	snprintf(fifo, sizeof fifo, "%s/scanner-end", scratch);
	struct harness *h = start(g, fifo);
	long long until = e2e_now_ms() + (SETTLE_S + 45) * 1000LL;
	while (open && e2e_now_ms() < until &&
	       e2e_log_count(h, "reconcile: a submission had reached the gateway") +
	               e2e_log_count(h, "reconcile: a submission never reached the gateway") <
	           open)
		h_pump(h, 500);
	int asked = e2e_log_count(h, "reconcile: a submission had reached the gateway") +
	            e2e_log_count(h, "reconcile: a submission never reached the gateway");
	E2E_CHECK(h, g, asked >= open, "%d submission(s) still being sent, reconcile settled %d in %d s", open, asked,
	          SETTLE_S + 45);
	end_kiosk(h);
	long long t_settled = e2e_now_ms();

	/* Each citizen: every held entry offered, one per log-in; then none. */
	ledger_read(data_dir, &L);
	int held[N_CIT] = { 0 };
	for (int i = 0; i < L.n; i++) {
		cr_assert(strcmp(L.s[i].state, "sending") && strcmp(L.s[i].state, "unsent"),
		          "%s still %s after settling", L.s[i].key, L.s[i].state);
		if (!strcmp(L.s[i].state, "held")) {
			struct track *t = track_of(L.s[i].key);
			cr_assert(t, "a held submission the test did not make: %s", L.s[i].key);
			held[t->citizen]++;
		}
	}
	h = start(g, fifo);
	for (int c = 0; c < N_CIT; c++) {
		for (int k = 0; k <= held[c]; k++) {
			int started = e2e_log_count(h, "session: started");
			int offered = e2e_log_count(h, "outbox: a held submission offered at log-in");
			log_in(h, g, fifo, c);
			E2E_CHECK(h, g, wait_log_more(h, "session: started", started, WAIT_MS), "%s: not logged in",
			          citizens[c]);
			if (k < held[c]) {
				E2E_CHECK(h, g, e2e_wait_title(h, T_OFFER_TITLE, WAIT_MS), "%s: held submission %d of %d not offered",
				          citizens[c], k + 1, held[c]);
				answer_offer(h, g, c, "the end: an offer", false);
			} else {
				E2E_CHECK(h, g,
				          !e2e_wait_title(h, T_OFFER_TITLE, 1500) &&
				                  e2e_log_count(h, "outbox: a held submission offered at log-in") == offered,
				          "%s: offered again after %d answered", citizens[c], held[c]);
			}
			int ended = e2e_log_count(h, "session: ended");
			h_key(h, H_F9);
			E2E_CHECK(h, g, wait_log_more(h, "session: ended", ended, WAIT_MS),
			          "%s: the log-out did not end the session", citizens[c]);
			e2e_expect_row(h, g, 0, E2E_T_HOME, WAIT_MS, "logged out: home");
		}
	}
	end_kiosk(h);
	long long t_offers = e2e_now_ms();

	/* Every submission is final: delivered, or discarded by its citizen. */
	ledger_read(data_dir, &L);
	cr_assert(L.n == n_tracks, "the outbox has %d submissions, the rounds made %d", L.n, n_tracks);
	int delivered = ledger_count(&L, "delivered"), discarded = ledger_count(&L, "discarded");
	int lost = 0, dups = 0, at_gw = 0;
	for (int i = 0; i < L.n; i++) {
		const struct sub *s = &L.s[i];
		if (strcmp(s->state, "delivered") && strcmp(s->state, "discarded")) {
			fprintf(stderr, "apply_crash: LOST: %s of %s ended %s\n", s->key, origin(s->key), s->state);
			lost++;
		}
	}
	cr_assert(discarded == C.discarded, "%d discarded in the outbox, %d discarded by the citizens", discarded,
	          C.discarded);

	/* Each at the gateway under its key (once: one id per key), or not at
	 * all if its citizen discarded it. */
	for (int i = 0; i < L.n; i++) {
		const struct sub *s = &L.s[i];
		char id[64];
		int st = by_key(g, s->key, id);
		if (!strcmp(s->state, "delivered")) {
			if (st != 200 || strcmp(id, s->app)) {
				fprintf(stderr, "apply_crash: LOST: %s of %s delivered as %s, the gateway by key: %d %s\n",
				        s->key, origin(s->key), s->app, st, id);
				lost++;
			}
		} else if (!strcmp(s->state, "discarded")) {
			cr_assert(st == 404, "%s of %s was discarded by its citizen, yet the gateway has it: %d %s", s->key,
			          origin(s->key), st, id);
		}
	}

	/* Each citizen's new applications are exactly the delivered ones. */
	for (int c = 0; c < N_CIT; c++) {
		static char ids[64][64];
		int n = gw_apps_of(g, c, ids, 64);
		for (int i = 0; i < n; i++) {
			if (in_list(before[c], n_before[c], ids[i]))
				continue;
			at_gw++;
			bool ours = false;
			for (int k = 0; k < L.n && !ours; k++) {
				struct track *t = track_of(L.s[k].key);
				ours = t && t->citizen == c && !strcmp(L.s[k].state, "delivered") && !strcmp(L.s[k].app, ids[i]);
			}
			if (!ours) {
				fprintf(stderr, "apply_crash: DUPLICATE: %s at the gateway for %s is no delivered submission's\n",
				        ids[i], citizens[c]);
				dups++;
			}
		}
		for (int k = 0; k < L.n; k++) {
			struct track *t = track_of(L.s[k].key);
			if (t && t->citizen == c && !strcmp(L.s[k].state, "delivered") && !in_list(ids, n, L.s[k].app)) {
				fprintf(stderr, "apply_crash: LOST: %s (%s of %s) is not among %s's applications\n",
				        L.s[k].app, L.s[k].key, origin(L.s[k].key), citizens[c]);
				lost++;
			}
		}
		for (int k = 0; k < n_shown; k++) {
			if (shown[k].citizen == c && !in_list(ids, n, shown[k].id)) {
				fprintf(stderr, "apply_crash: LOST: %s was shown to %s%s, the gateway does not have it\n",
				        shown[k].id, citizens[c], shown[k].resubmitted ? " (a held one submitted again)" : "");
				lost++;
			}
		}
	}
	/* Every number shown is a delivered submission's, of the citizen it
	 * was shown to; each citizen discarded what they discarded. */
	for (int k = 0; k < n_shown; k++) {
		const struct sub *found = NULL;
		for (int i = 0; i < L.n && !found; i++)
			if (!strcmp(L.s[i].state, "delivered") && !strcmp(L.s[i].app, shown[k].id))
				found = &L.s[i];
		cr_assert(found, "%s was shown, no delivered submission has it", shown[k].id);
		struct track *t = track_of(found->key);
		cr_assert(t && t->citizen == shown[k].citizen, "%s was shown to %s, it is %s's", shown[k].id,
		          citizens[shown[k].citizen], t ? citizens[t->citizen] : "nobody");
	}
	for (int c = 0; c < N_CIT; c++) {
		int n = 0;
		for (int i = 0; i < L.n; i++) {
			struct track *t = track_of(L.s[i].key);
			n += t && t->citizen == c && !strcmp(L.s[i].state, "discarded");
		}
		cr_assert(n == discards_of[c], "%s discarded %d, the outbox has %d of theirs discarded", citizens[c],
		          discards_of[c], n);
	}

	long long t_end = e2e_now_ms();
	fprintf(stderr,
	        "apply_crash: seed %llu: %d rounds (%.0f s), settling %.0f s, offers at the end %.0f s, %.0f s in all\n"
	        "apply_crash: killed before 提交 %d, right after Enter %d, in flight %d (held by latency %d, the gateway "
	        "failing %d, after a try timed out %d), after the confirmation %d, resubmitting a held one %d\n"
	        "apply_crash: connection dropped (commit_then_drop) in %d rounds, %d of the drops used\n"
	        "apply_crash: submissions %d: delivered %d (found by reconcile after a restart %d, resubmitted %d), "
	        "held by reconcile %d, offered %d, discarded %d; confirmations shown %d\n"
	        "apply_crash: at the gateway %d, duplicates %d, lost %d\n",
	        (unsigned long long)seed, C.rounds, (t_rounds - t0) / 1000.0, (t_settled - t_rounds) / 1000.0,
	        (t_offers - t_settled) / 1000.0, (t_end - t0) / 1000.0, C.killed[M_BEFORE], C.killed[M_ENTER],
	        C.killed[M_FLIGHT], C.flights[FL_LATENCY], C.flights[FL_FAILING], C.flights[FL_TIMEOUT],
	        C.killed[M_AFTER], C.killed_resubmitting, C.drops_set, C.drops_used, C.submissions, delivered,
	        C.reconciled_delivered, C.resubmitted, C.reconciled_held, C.offers, discarded, C.confirmations, at_gw,
	        dups, lost);
	cr_assert(at_gw == delivered, "%d new applications at the gateway, %d delivered", at_gw, delivered);
	cr_assert(dups == 0, "%d duplicate application(s) at the gateway", dups);
	cr_assert(lost == 0, "%d submission(s) lost", lost);
	e2e_end_gw(g, true);
	e2e_rm_rf(scratch);
}
