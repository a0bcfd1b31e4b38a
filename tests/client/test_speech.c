/* test_speech.c: voice prompts in a real event loop: the log transcript
 * (the e2e tests' oracle), WAV files with real Mandarin and English speech,
 * speech_synth_wav, the espeak backend through aplay on a machine without
 * a sound card (one AUDIO_FAILED, no zombies), interruption (made
 * deterministic by holding the worker mid-utterance), recorded prompts,
 * rate and volume, bad specs, freeing from inside the callback, and
 * libespeak-ng loaded only by the backends that synthesize (dlopen). */
#include <criterion/criterion.h>
#include <criterion/logging.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <semaphore.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "loop.h"
#include "speech.h"
#include "../../kiosk/devices/speech_int.h"

#define MAX_EVENTS 128

static const char ZH_ITEM[] = "第2项，社保查询";
static const char ZH_WELCOME[] = "欢迎使用政务服务自助终端，请按数字键选择";
static const char EN_ITEM[] = "Item 2, social insurance inquiry";

struct event {
	enum speech_event ev;
	char why[256];
};

struct rec {
	struct loop *l;
	struct event evs[MAX_EVENTS];
	int n;
	int want_done;       /* stop the loop once this many DONE events came */
	struct speech *free_me_on_done;
};

static int count(const struct rec *r, enum speech_event ev)
{
	int c = 0;
	for (int i = 0; i < r->n; i++)
		c += r->evs[i].ev == ev;
	return c;
}

static void on_speech(void *ud, enum speech_event ev, const char *why)
{
	struct rec *r = ud;
	cr_assert_lt(r->n, MAX_EVENTS);
	struct event *e = &r->evs[r->n++];
	e->ev = ev;
	snprintf(e->why, sizeof e->why, "%s", why ? why : "");
	if (ev == SPEECH_DONE && r->free_me_on_done) {
		speech_free(r->free_me_on_done);
		r->free_me_on_done = NULL;
	}
	if (r->want_done && count(r, SPEECH_DONE) >= r->want_done)
		loop_stop(r->l, 0);
}

static long on_timeout(struct loop *l, long long id, void *ud)
{
	loop_stop(l, 1);
	return -1;
}

/* Runs the loop until `done` DONE events in all have come, or ms passed. */
static bool run_until_done(struct rec *r, int done, long ms)
{
	if (count(r, SPEECH_DONE) >= done)
		return true;
	r->want_done = done;
	long long t = loop_timer_add(r->l, ms, on_timeout, r);
	loop_run(r->l);
	loop_timer_del(r->l, t);
	r->want_done = 0;
	return count(r, SPEECH_DONE) >= done;
}

static void run_for(struct rec *r, long ms)
{
	r->want_done = 0;
	long long t = loop_timer_add(r->l, ms, on_timeout, r);
	loop_run(r->l);
	loop_timer_del(r->l, t);
}

static void rec_init(struct rec *r)
{
	memset(r, 0, sizeof *r);
	r->l = loop_new();
}

static void rec_free(struct rec *r)
{
	loop_drain(r->l); /* events posted for a speech object already freed */
	loop_free(r->l);
}

static const char *ev_name(enum speech_event ev)
{
	static const char *names[] = { "STARTED", "DONE", "AUDIO_FAILED" };
	return (unsigned)ev < 3 ? names[ev] : "?";
}

static void expect_ev(const struct rec *r, int i, enum speech_event ev, const char *why)
{
	cr_assert_lt(i, r->n, "event %d (%s) never came (%d events)", i, ev_name(ev), r->n);
	cr_assert_eq(r->evs[i].ev, ev, "event %d is %s (%s), want %s", i,
	             ev_name(r->evs[i].ev), r->evs[i].why, ev_name(ev));
	if (why)
		cr_assert_str_eq(r->evs[i].why, why, "event %d (%s): why \"%s\", want \"%s\"", i,
		                 ev_name(ev), r->evs[i].why, why);
}

static struct speech *open_ok(struct rec *r, const char *spec, const char *prompts)
{
	char err[256] = "";
	struct speech *s = speech_open(r->l, spec, prompts, on_speech, r, err, sizeof err);
	cr_assert_not_null(s, "speech_open(%s): %s", spec, err);
	return s;
}

static char *tmpdir(void)
{
	char *d = strdup("/tmp/kiosk-speech-XXXXXX");
	cr_assert_not_null(mkdtemp(d));
	return d;
}

static void rm_rf(const char *dir)
{
	char cmd[512];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	cr_assert_eq(system(cmd), 0);
}

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	char *buf = NULL;
	size_t n = 0, cap = 0, k;
	char tmp[65536];
	while ((k = fread(tmp, 1, sizeof tmp, f)) > 0) {
		if (n + k + 1 > cap) {
			cap = (n + k + 1) * 2;
			buf = realloc(buf, cap);
		}
		memcpy(buf + n, tmp, k);
		n += k;
	}
	fclose(f);
	if (!buf)
		buf = calloc(1, 1);
	buf[n] = '\0';
	if (len)
		*len = n;
	return buf;
}

/* True if no child process is left, neither running nor a zombie. */
static bool no_children(void)
{
	int st;
	errno = 0;
	return waitpid(-1, &st, WNOHANG) == -1 && errno == ECHILD;
}

/* ---- WAV files -------------------------------------------------------- */

struct wav {
	int format, channels, rate, bits;
	size_t nsamples;
	double secs, rms;
	int peak;
};

static uint32_t le(const unsigned char *p, int n)
{
	uint32_t v = 0;
	for (int i = n - 1; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

/* Parses a RIFF/WAVE file chunk by chunk; false if it is not one. */
static bool wav_read(const char *path, struct wav *w)
{
	size_t len;
	unsigned char *b = (unsigned char *)slurp(path, &len);
	bool fmt = false, ok = false;

	memset(w, 0, sizeof *w);
	if (!b)
		return false;
	if (len < 12 || memcmp(b, "RIFF", 4) || memcmp(b + 8, "WAVE", 4))
		goto out;
	for (size_t off = 12; off + 8 <= len;) {
		uint32_t sz = le(b + off + 4, 4);
		const unsigned char *c = b + off + 8;
		if (off + 8 + sz > len)
			goto out;
		if (!memcmp(b + off, "fmt ", 4) && sz >= 16) {
			w->format = (int)le(c, 2);
			w->channels = (int)le(c + 2, 2);
			w->rate = (int)le(c + 4, 4);
			w->bits = (int)le(c + 14, 2);
			fmt = true;
		} else if (!memcmp(b + off, "data", 4) && fmt && w->bits == 16 && w->channels == 1) {
			double sum = 0;
			w->nsamples = sz / 2;
			for (size_t i = 0; i < w->nsamples; i++) {
				int v = (int16_t)le(c + 2 * i, 2);
				sum += (double)v * v;
				if (abs(v) > w->peak)
					w->peak = abs(v);
			}
			w->rms = w->nsamples ? sqrt(sum / (double)w->nsamples) : 0;
			w->secs = w->rate ? (double)w->nsamples / w->rate : 0;
			ok = true;
		}
		off += 8 + sz + (sz & 1);
	}
out:
	free(b);
	return ok;
}

/* 16-bit mono 22050 Hz, a plausible duration, and clearly not silence
 * (espeak's speech has an RMS in the thousands; silence is 0). */
static void expect_speech(const char *path, double min_s, double max_s, struct wav *out)
{
	struct wav w;
	cr_assert(wav_read(path, &w), "%s: not a 16-bit mono WAV", path);
	cr_expect_eq(w.format, 1, "%s: format %d", path, w.format);
	cr_expect_eq(w.channels, 1);
	cr_expect_eq(w.rate, 22050, "%s: %d Hz", path, w.rate);
	cr_expect_eq(w.bits, 16);
	cr_expect(w.secs >= min_s && w.secs <= max_s, "%s: %.2f s, want %.1f..%.1f s", path,
	          w.secs, min_s, max_s);
	cr_expect_gt(w.rms, 300.0, "%s: RMS %.0f: silence?", path, w.rms);
	cr_expect_gt(w.peak, 3000, "%s: peak %d", path, w.peak);
	if (out)
		*out = w;
}

/* A tiny recorded prompt: 0.1 s of a 440 Hz tone. */
static void write_tone_wav(const char *path)
{
	enum { N = 2205 };
	unsigned char b[44 + 2 * N];
	memcpy(b, "RIFF", 4);
	uint32_t v[] = { 36 + 2 * N };
	for (int i = 0; i < 4; i++)
		b[4 + i] = (unsigned char)(v[0] >> (8 * i));
	memcpy(b + 8, "WAVEfmt \x10\0\0\0\x01\0\x01\0\x22\x56\0\0\x44\xac\0\0\x02\0\x10\0data", 32);
	for (int i = 0; i < 4; i++)
		b[40 + i] = (unsigned char)((2 * N) >> (8 * i));
	for (int i = 0; i < N; i++) {
		int16_t s = (int16_t)(8000 * sin(2 * 3.14159265 * 440 * i / 22050.0));
		b[44 + 2 * i] = (unsigned char)(s & 0xff);
		b[45 + 2 * i] = (unsigned char)((uint16_t)s >> 8);
	}
	FILE *f = fopen(path, "wb");
	cr_assert_not_null(f, "%s: %s", path, strerror(errno));
	cr_assert_eq(fwrite(b, 1, sizeof b, f), sizeof b);
	fclose(f);
}

static void mkdirs(const char *path)
{
	char cmd[512];
	snprintf(cmd, sizeof cmd, "mkdir -p '%s'", path);
	cr_assert_eq(system(cmd), 0);
}

/* Holding the worker mid-utterance: the first chunk of audio after `hold`
 * is set posts in_synth and waits for release. */
static sem_t in_synth, release;
static atomic_bool hold;

static bool sem_wait_s(sem_t *sem, int secs)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += secs;
	while (sem_timedwait(sem, &ts) != 0)
		if (errno != EINTR)
			return false;
	return true;
}

static void hold_hook(void *arg)
{
	if (atomic_exchange(&hold, false)) {
		sem_post(&in_synth);
		sem_wait_s(&release, 10);
	}
}

static void hold_setup(void)
{
	sem_init(&in_synth, 0, 0);
	sem_init(&release, 0, 0);
	atomic_store(&hold, true);
	speech_test_chunk_hook = hold_hook;
}

/* A text of about a minute and a half of speech. */
static char *long_text(void)
{
	size_t n = sizeof ZH_WELCOME + 4;
	char *t = calloc(20, n);
	for (int i = 0; i < 20; i++) {
		strcat(t, ZH_WELCOME);
		strcat(t, "。");
	}
	return t;
}

/* ---- specs ------------------------------------------------------------ */

Test(speech, bad_specs_are_refused_with_a_reason)
{
	struct rec r;
	rec_init(&r);
	const char *bad[] = { "", "bogus", "bogus:x", "log", "log:", "wav", "wav:",
	                      "none:x", "log:/nonexistent-kiosk-dir/t.log",
	                      "wav:/proc/kiosk-no-such-dir" };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		char err[256] = "";
		struct speech *s = speech_open(r.l, bad[i], NULL, on_speech, &r, err, sizeof err);
		cr_expect_null(s, "\"%s\" was accepted", bad[i]);
		cr_expect(err[0] != '\0', "\"%s\": no message", bad[i]);
		speech_free(s);
	}
	char err[64];
	cr_expect_null(speech_open(r.l, NULL, NULL, on_speech, &r, err, sizeof err));
	cr_expect_null(speech_open(NULL, "none", NULL, on_speech, &r, err, sizeof err));
	/* NULL err is allowed */
	cr_expect_null(speech_open(r.l, "bogus", NULL, on_speech, &r, NULL, 0));
	rec_free(&r);
}

Test(speech, none_is_silent_and_rate_volume_are_clamped)
{
	struct rec r;
	rec_init(&r);
	struct speech *s = open_ok(&r, "none", NULL);
	cr_expect_eq(speech_rate(s), 150);
	cr_expect_eq(speech_volume(s), 100);
	speech_set_rate(s, 1000);
	cr_expect_eq(speech_rate(s), 400);
	speech_set_rate(s, 0);
	cr_expect_eq(speech_rate(s), 80);
	speech_set_rate(s, 175);
	cr_expect_eq(speech_rate(s), 175);
	speech_set_volume(s, 500);
	cr_expect_eq(speech_volume(s), 200);
	speech_set_volume(s, -3);
	cr_expect_eq(speech_volume(s), 10);
	speech_say(s, "zh_CN", ZH_ITEM, NULL);
	speech_stop(s);
	run_for(&r, 100);
	cr_expect_eq(r.n, 0, "none posted %d events", r.n);
	speech_free(s);
	speech_free(NULL);
	speech_say(NULL, "en", "x", NULL); /* harmless */
	rec_free(&r);
}

/* ---- loading libespeak-ng ------------------------------------------------ */

/* True if libespeak-ng is mapped into this process (each test is a process
 * of its own, and the test binary does not link it). */
static bool espeak_mapped(void)
{
	char *maps = slurp("/proc/self/maps", NULL);
	cr_assert_not_null(maps, "/proc/self/maps: %s", strerror(errno));
	bool yes = strstr(maps, "libespeak-ng") != NULL;
	free(maps);
	return yes;
}

Test(speech, log_and_none_never_load_espeak_ng_real_speech_does)
{
	struct rec r;
	rec_init(&r);
	char *dir = tmpdir();
	char spec[300];
	cr_assert(!espeak_mapped(), "libespeak-ng is mapped before any speech object");

	struct speech *none = open_ok(&r, "none", NULL);
	speech_say(none, "en", EN_ITEM, NULL);
	snprintf(spec, sizeof spec, "log:%s/speech.log", dir);
	struct speech *s = open_ok(&r, spec, NULL);
	speech_say(s, "zh_CN", ZH_ITEM, NULL);
	speech_say(s, "en", EN_ITEM, NULL);
	cr_assert(run_until_done(&r, 2, 2000), "%d events", r.n);
	cr_expect(!espeak_mapped(), "the log or none backend loaded libespeak-ng");
	speech_free(s);
	speech_free(none);
	cr_expect(!espeak_mapped());

	/* the real backend loads it when it is opened, before its worker
	 * starts, and speaks (ALSA's null device) */
	s = open_ok(&r, "espeak:null", NULL);
	cr_expect(espeak_mapped(), "speech_open(espeak:null) did not load libespeak-ng");
	speech_say(s, "zh_CN", ZH_ITEM, NULL);
	cr_assert(run_until_done(&r, 3, 10000), "%d events", r.n);
	cr_expect_eq(count(&r, SPEECH_AUDIO_FAILED), 0, "%s", r.evs[r.n - 1].why);
	expect_ev(&r, r.n - 1, SPEECH_DONE, "");
	cr_expect_geq(speech_last_latency_us(s), 0, "no audio reached aplay");
	speech_free(s);
	cr_expect(no_children());
	/* loaded once, for the life of the process */
	cr_expect(espeak_mapped());
	rec_free(&r);
	rm_rf(dir);
	free(dir);
}

Test(speech, synth_wav_loads_espeak_ng)
{
	char *dir = tmpdir();
	char p[300], err[256] = "";
	cr_assert(!espeak_mapped());
	snprintf(p, sizeof p, "%s/item.wav", dir);
	cr_assert_eq(speech_synth_wav("en", EN_ITEM, 150, p, err, sizeof err), 0, "%s", err);
	cr_expect(espeak_mapped());
	expect_speech(p, 0.8, 6.0, NULL);
	rm_rf(dir);
	free(dir);
}

/* Without the library (or with one that is not espeak-ng) the real
 * backends are refused with a reason, and log goes on working. */
static void espeak_unavailable(const char *lib, const char *want)
{
	struct rec r;
	rec_init(&r);
	char *dir = tmpdir();
	char spec[300], err[256], p[300];
	speech_test_espeak_lib = lib;

	const char *real[] = { "espeak", "espeak:null", NULL };
	for (int i = 0; real[i]; i++) {
		err[0] = '\0';
		struct speech *s = speech_open(r.l, real[i], NULL, on_speech, &r, err, sizeof err);
		cr_expect_null(s, "%s opened without %s", real[i], lib);
		speech_free(s);
		cr_expect(strstr(err, want) != NULL, "%s: \"%s\", want \"%s\"", real[i], err, want);
		cr_log_info("%s with %s: %s", real[i], lib, err);
	}
	snprintf(spec, sizeof spec, "wav:%s/out", dir);
	err[0] = '\0';
	cr_expect_null(speech_open(r.l, spec, NULL, on_speech, &r, err, sizeof err));
	cr_expect(strstr(err, want) != NULL, "wav: \"%s\"", err);
	snprintf(p, sizeof p, "%s/x.wav", dir);
	err[0] = '\0';
	cr_expect_eq(speech_synth_wav("en", EN_ITEM, 150, p, err, sizeof err), -1);
	cr_expect(strstr(err, want) != NULL, "synth_wav: \"%s\"", err);
	cr_expect_neq(access(p, F_OK), 0);

	snprintf(spec, sizeof spec, "log:%s/speech.log", dir);
	struct speech *s = open_ok(&r, spec, NULL);
	speech_say(s, "en", EN_ITEM, NULL);
	cr_expect(run_until_done(&r, 1, 2000));
	speech_free(s);
	cr_expect(!espeak_mapped());
	speech_test_espeak_lib = NULL;
	rec_free(&r);
	rm_rf(dir);
	free(dir);
}

Test(speech, without_libespeak_ng_real_speech_is_refused)
{
	espeak_unavailable("libkiosk-no-such-espeak-ng.so.1", "espeak-ng cannot be loaded: ");
}

Test(speech, a_library_without_espeak_symbols_is_refused)
{
	/* libm is loaded already: dlopen succeeds, dlsym does not */
	espeak_unavailable("libm.so.6", "libm.so.6 has no espeak_ng_InitializePath");
}

/* ---- log: the transcript ------------------------------------------------ */

Test(speech, log_appends_one_line_per_utterance)
{
	struct rec r;
	rec_init(&r);
	char *dir = tmpdir();
	char path[256], spec[300];
	snprintf(path, sizeof path, "%s/speech.log", dir);
	FILE *f = fopen(path, "w");
	fputs("old\tline\n", f);
	fclose(f);
	snprintf(spec, sizeof spec, "log:%s", path);
	struct speech *s = open_ok(&r, spec, NULL);

	speech_say(s, "zh_CN", ZH_ITEM, NULL);
	speech_say(s, "en", "Item 2,\tsocial\r\ninsurance", NULL);
	speech_say(s, "zh_TW", "", NULL);
	speech_say(s, NULL, "no language", NULL);
	/* written synchronously: readable before the loop runs */
	char *got = slurp(path, NULL);
	cr_expect_str_eq(got, "old\tline\n"
	                      "zh_CN\t第2项，社保查询\n"
	                      "en\tItem 2, social  insurance\n"
	                      "zh_TW\t\n"
	                      "en\tno language\n");
	free(got);

	cr_assert(run_until_done(&r, 4, 2000), "%d events", r.n);
	cr_expect_eq(r.n, 8);
	for (int i = 0; i < 8; i += 2) {
		expect_ev(&r, i, SPEECH_STARTED, "");
		expect_ev(&r, i + 1, SPEECH_DONE, "");
	}
	speech_free(s);
	rec_free(&r);
	rm_rf(dir);
	free(dir);
}

Test(speech, log_keeps_the_order_of_interrupting_utterances)
{
	struct rec r;
	rec_init(&r);
	char *dir = tmpdir();
	char path[256], spec[300];
	snprintf(path, sizeof path, "%s/speech.log", dir);
	snprintf(spec, sizeof spec, "log:%s", path);
	struct speech *s = open_ok(&r, spec, NULL);

	/* three screens in quick succession, each cutting the last short */
	speech_say(s, "zh_CN", "首页", NULL);
	speech_say(s, "zh_CN", "社保查询", NULL);
	speech_stop(s);
	speech_say(s, "en", "Social insurance", NULL);
	cr_assert(run_until_done(&r, 3, 2000));
	char *got = slurp(path, NULL);
	cr_expect_str_eq(got, "zh_CN\t首页\nzh_CN\t社保查询\nen\tSocial insurance\n");
	free(got);
	cr_expect_eq(r.n, 6);
	for (int i = 0; i < 6; i += 2) {
		expect_ev(&r, i, SPEECH_STARTED, NULL);
		expect_ev(&r, i + 1, SPEECH_DONE, NULL);
	}
	speech_free(s);
	rec_free(&r);
	rm_rf(dir);
	free(dir);
}

Test(speech, free_from_inside_the_callback)
{
	struct rec r;
	rec_init(&r);
	char *dir = tmpdir();
	char spec[300];
	snprintf(spec, sizeof spec, "log:%s/speech.log", dir);
	struct speech *s = open_ok(&r, spec, NULL);
	speech_say(s, "en", "one", NULL);
	speech_say(s, "en", "two", NULL);
	r.free_me_on_done = s;
	run_for(&r, 100);
	/* freed at the first DONE: the events posted after it are dropped */
	cr_expect_eq(r.n, 2, "%d events", r.n);
	cr_expect_null(r.free_me_on_done);

	/* a wav worker freed from its callback joins its thread there */
	snprintf(spec, sizeof spec, "wav:%s/wav", dir);
	memset(r.evs, 0, sizeof r.evs);
	r.n = 0;
	s = open_ok(&r, spec, NULL);
	speech_say(s, "en", "one", NULL);
	r.free_me_on_done = s;
	run_for(&r, 1000);
	cr_expect_null(r.free_me_on_done);
	cr_expect_eq(count(&r, SPEECH_DONE), 1);
	rec_free(&r);
	rm_rf(dir);
	free(dir);
}

/* ---- wav: real speech ----------------------------------------------------- */

Test(speech, wav_mandarin_and_english_have_sound)
{
	struct rec r;
	rec_init(&r);
	char *dir = tmpdir();
	char spec[300], p1[300], p2[300];
	snprintf(spec, sizeof spec, "wav:%s/out", dir);
	struct speech *s = open_ok(&r, spec, NULL);

	speech_say(s, "zh_CN", ZH_ITEM, NULL);
	cr_assert(run_until_done(&r, 1, 10000));
	speech_say(s, "en", EN_ITEM, NULL);
	cr_assert(run_until_done(&r, 2, 10000));
	expect_ev(&r, 0, SPEECH_STARTED, "");
	expect_ev(&r, 1, SPEECH_DONE, "");
	expect_ev(&r, 2, SPEECH_STARTED, "");
	expect_ev(&r, 3, SPEECH_DONE, "");
	snprintf(p1, sizeof p1, "%s/out/000001-zh_CN.wav", dir);
	snprintf(p2, sizeof p2, "%s/out/000002-en.wav", dir);
	expect_speech(p1, 0.8, 6.0, NULL);
	expect_speech(p2, 0.8, 6.0, NULL);
	cr_expect_geq(speech_last_latency_us(s), 0);
	speech_free(s);

	/* a new object in the same folder goes on numbering */
	s = open_ok(&r, spec, NULL);
	speech_say(s, "zh_TW", ZH_ITEM, NULL);
	cr_assert(run_until_done(&r, 3, 10000));
	snprintf(p1, sizeof p1, "%s/out/000003-zh_TW.wav", dir);
	expect_speech(p1, 0.8, 6.0, NULL);
	speech_free(s);
	rec_free(&r);
	rm_rf(dir);
	free(dir);
}

Test(speech, wav_volume_applies_from_the_next_utterance)
{
	struct rec r;
	rec_init(&r);
	char *dir = tmpdir();
	char spec[300], p[300];
	snprintf(spec, sizeof spec, "wav:%s", dir);
	struct speech *s = open_ok(&r, spec, NULL);
	struct wav quiet, loud;

	speech_set_volume(s, 40);
	speech_say(s, "zh_CN", ZH_ITEM, NULL);
	cr_assert(run_until_done(&r, 1, 10000));
	speech_set_volume(s, 200);
	speech_say(s, "zh_CN", ZH_ITEM, NULL);
	cr_assert(run_until_done(&r, 2, 10000));
	snprintf(p, sizeof p, "%s/000001-zh_CN.wav", dir);
	cr_assert(wav_read(p, &quiet));
	snprintf(p, sizeof p, "%s/000002-zh_CN.wav", dir);
	expect_speech(p, 0.8, 6.0, &loud);
	cr_expect_gt(loud.rms, quiet.rms * 2, "RMS %.0f at volume 200, %.0f at 40", loud.rms,
	             quiet.rms);
	speech_free(s);
	rec_free(&r);
	rm_rf(dir);
	free(dir);
}

Test(speech, synth_wav_reads_a_real_prompt)
{
	char *dir = tmpdir();
	char p[300], slow[300], fast[300], err[256] = "";
	struct wav w, ws, wf;

	snprintf(p, sizeof p, "%s/welcome.wav", dir);
	cr_assert_eq(speech_synth_wav("zh_CN", ZH_WELCOME, 150, p, err, sizeof err), 0, "%s", err);
	/* 20 syllables and a pause: about 6 s at 150 words per minute */
	expect_speech(p, 2.5, 12.0, &w);

	/* the rate is honoured */
	snprintf(slow, sizeof slow, "%s/slow.wav", dir);
	snprintf(fast, sizeof fast, "%s/fast.wav", dir);
	cr_assert_eq(speech_synth_wav("en", EN_ITEM, 100, slow, err, sizeof err), 0, "%s", err);
	cr_assert_eq(speech_synth_wav("en", EN_ITEM, 300, fast, err, sizeof err), 0, "%s", err);
	cr_assert(wav_read(slow, &ws) && wav_read(fast, &wf));
	cr_expect_gt(ws.secs, wf.secs * 1.6, "%.2f s at 100 wpm, %.2f s at 300", ws.secs,
	             wf.secs);

	/* an unwritable path is an error, not a crash */
	cr_expect_eq(speech_synth_wav("en", "x", 150, "/nonexistent-kiosk-dir/x.wav", err,
	                              sizeof err), -1);
	cr_expect(err[0] != '\0');
	rm_rf(dir);
	free(dir);
}

Test(speech, wav_new_utterance_interrupts_a_long_one)
{
	struct rec r;
	rec_init(&r);
	char *dir = tmpdir();
	char spec[300], p[300], full[300], err[256];
	char *text = long_text();
	struct wav wfull, wa;

	snprintf(full, sizeof full, "%s/full.wav", dir);
	cr_assert_eq(speech_synth_wav("zh_CN", text, 150, full, err, sizeof err), 0, "%s", err);
	cr_assert(wav_read(full, &wfull));
	cr_assert_gt(wfull.secs, 60.0, "the long text is only %.1f s", wfull.secs);

	snprintf(spec, sizeof spec, "wav:%s/out", dir);
	struct speech *s = open_ok(&r, spec, NULL);
	hold_setup();
	speech_say(s, "zh_CN", text, NULL);
	cr_assert(sem_wait_s(&in_synth, 10), "the long utterance never started");
	speech_say(s, "en", EN_ITEM, NULL); /* while the worker is mid-utterance */
	sem_post(&release);
	cr_assert(run_until_done(&r, 2, 20000), "%d events", r.n);
	run_for(&r, 50);
	cr_expect_eq(r.n, 4);
	expect_ev(&r, 0, SPEECH_STARTED, "");
	expect_ev(&r, 1, SPEECH_DONE, "interrupted");
	expect_ev(&r, 2, SPEECH_STARTED, "");
	expect_ev(&r, 3, SPEECH_DONE, "");
	snprintf(p, sizeof p, "%s/out/000001-zh_CN.wav", dir);
	if (access(p, F_OK) == 0) {
		cr_assert(wav_read(p, &wa));
		cr_expect_lt(wa.secs, wfull.secs / 10, "interrupted: %.2f s of %.2f s", wa.secs,
		             wfull.secs);
	}
	snprintf(p, sizeof p, "%s/out/000002-en.wav", dir);
	expect_speech(p, 0.8, 6.0, NULL);
	speech_test_chunk_hook = NULL;

	/* a pending utterance replaced before the worker took it up is never
	 * spoken, and speech_free mid-utterance returns promptly */
	speech_say(s, "zh_CN", text, NULL);
	speech_say(s, "zh_CN", text, NULL);
	speech_say(s, "en", "last", NULL);
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	speech_free(s);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	double ms = (t1.tv_sec - t0.tv_sec) * 1e3 + (t1.tv_nsec - t0.tv_nsec) / 1e6;
	cr_expect_lt(ms, 1000.0, "speech_free took %.0f ms", ms);
	free(text);
	rec_free(&r);
	rm_rf(dir);
	free(dir);
}

/* ---- recorded prompts ------------------------------------------------- */

Test(speech, recorded_prompt_is_marked_in_the_transcript)
{
	struct rec r;
	rec_init(&r);
	char *dir = tmpdir();
	char path[300], spec[320], logp[300];
	snprintf(path, sizeof path, "%s/zh_CN/prompts", dir);
	mkdirs(path);
	snprintf(path, sizeof path, "%s/zh_CN/prompts/welcome.wav", dir);
	write_tone_wav(path);
	snprintf(path, sizeof path, "%s/zh_CN/prompts/bad.wav", dir);
	FILE *f = fopen(path, "w");
	fputs("not a wav file", f);
	fclose(f);
	snprintf(logp, sizeof logp, "%s/speech.log", dir);
	snprintf(spec, sizeof spec, "log:%s", logp);
	struct speech *s = open_ok(&r, spec, dir);

	speech_say(s, "zh_CN", "欢迎", "welcome");                   /* recorded */
	speech_say(s, "zh_CN", "欢迎", "nosuch");                    /* no file */
	speech_say(s, "en", "Welcome", "welcome");                   /* none in en */
	speech_say(s, "zh_CN", "欢迎", "../zh_CN/prompts/welcome");  /* not an id */
	speech_say(s, "zh_CN", "欢迎", "Welcome");                   /* not an id */
	speech_say(s, "zh_CN", "欢迎", "bad");                       /* not a WAV */
	speech_say(s, "zh_CN", "欢迎", "");
	speech_say(s, "../zh_CN", "欢迎", "welcome");                /* not a lang */
	char *got = slurp(logp, NULL);
	cr_expect_str_eq(got, "zh_CN\t欢迎\tprompt:welcome\n"
	                      "zh_CN\t欢迎\n"
	                      "en\tWelcome\n"
	                      "zh_CN\t欢迎\n"
	                      "zh_CN\t欢迎\n"
	                      "zh_CN\t欢迎\n"
	                      "zh_CN\t欢迎\n"
	                      "../zh_CN\t欢迎\n");
	free(got);
	speech_free(s);

	/* without a prompts folder nothing is recorded */
	s = open_ok(&r, spec, NULL);
	speech_say(s, "zh_CN", "欢迎", "welcome");
	got = slurp(logp, NULL);
	cr_expect(strstr(got, "prompt:welcome\nzh_CN\t欢迎\nen") != NULL);
	const char *tail = "\n../zh_CN\t欢迎\nzh_CN\t欢迎\n";
	size_t len = strlen(got), tl = strlen(tail);
	cr_expect(len > tl && strcmp(got + len - tl, tail) == 0, "%s", got);
	free(got);
	speech_free(s);
	rec_free(&r);
	rm_rf(dir);
	free(dir);
}

Test(speech, recorded_prompt_replaces_synthesis_in_wav)
{
	struct rec r;
	rec_init(&r);
	char *dir = tmpdir();
	char path[300], spec[300], out[300];
	snprintf(path, sizeof path, "%s/zh_CN/prompts", dir);
	mkdirs(path);
	snprintf(path, sizeof path, "%s/zh_CN/prompts/welcome.wav", dir);
	write_tone_wav(path);
	snprintf(spec, sizeof spec, "wav:%s/out", dir);
	struct speech *s = open_ok(&r, spec, dir);

	speech_say(s, "zh_CN", ZH_WELCOME, "welcome");
	cr_assert(run_until_done(&r, 1, 10000));
	speech_say(s, "zh_CN", ZH_WELCOME, "nosuch");
	cr_assert(run_until_done(&r, 2, 10000));
	snprintf(out, sizeof out, "%s/out/000002-zh_CN.wav", dir);
	expect_speech(out, 2.5, 12.0, NULL); /* synthesized */
	snprintf(out, sizeof out, "%s/out/000001-zh_CN.wav", dir);
	size_t la, lb;
	char *a = slurp(path, &la), *b = slurp(out, &lb);
	cr_assert_not_null(b, "%s missing", out);
	cr_expect(la == lb && memcmp(a, b, la) == 0, "%s is not the recording (%zu bytes, %zu)",
	          out, lb, la);
	free(a);
	free(b);
	speech_free(s);
	rec_free(&r);
	rm_rf(dir);
	free(dir);
}

/* ---- espeak: aplay ------------------------------------------------------ */

/* Two utterances on a device that cannot exist: AUDIO_FAILED exactly once,
 * STARTED/DONE for both, no child left behind. */
static void audio_fails_once(const char *spec)
{
	struct rec r;
	rec_init(&r);
	struct speech *s = open_ok(&r, spec, NULL);

	speech_say(s, "zh_CN", ZH_ITEM, NULL);
	cr_assert(run_until_done(&r, 1, 10000), "%d events", r.n);
	speech_say(s, "en", EN_ITEM, NULL);
	cr_assert(run_until_done(&r, 2, 10000), "%d events", r.n);
	run_for(&r, 200);
	cr_expect_eq(count(&r, SPEECH_AUDIO_FAILED), 1);
	cr_expect_eq(count(&r, SPEECH_STARTED), 2);
	cr_expect_eq(count(&r, SPEECH_DONE), 2);
	for (int i = 0; i < r.n; i++)
		if (r.evs[i].ev == SPEECH_AUDIO_FAILED)
			cr_log_info("%s: AUDIO_FAILED \"%s\"", spec, r.evs[i].why);
	cr_expect(r.n == 5 && r.evs[4].ev == SPEECH_DONE &&
	          strcmp(r.evs[4].why, "no audio device") == 0, "last event: %s (%s)",
	          ev_name(r.evs[r.n - 1].ev), r.evs[r.n - 1].why);
	cr_expect(no_children(), "a child process is left (zombie?)");
	speech_free(s);
	cr_expect(no_children(), "a child process is left after speech_free");
	rec_free(&r);
}

Test(speech, espeak_without_a_sound_card_fails_once)
{
	audio_fails_once("espeak:hw:CARD=kiosk_no_such_card");
}

Test(speech, espeak_default_device_on_this_machine)
{
	if (access("/dev/snd", F_OK) == 0)
		cr_skip_test("this machine has a sound card");
	audio_fails_once("espeak");
}

Test(speech, espeak_without_aplay_fails_once)
{
	setenv("PATH", "/nonexistent-kiosk-dir", 1);
	struct rec r;
	rec_init(&r);
	struct speech *s = open_ok(&r, "espeak", NULL);
	speech_say(s, "zh_CN", ZH_ITEM, NULL);
	speech_say(s, "en", EN_ITEM, NULL);
	cr_assert(run_until_done(&r, 1, 10000));
	speech_say(s, "en", EN_ITEM, NULL);
	cr_assert(run_until_done(&r, 2, 10000));
	run_for(&r, 100);
	cr_expect_eq(count(&r, SPEECH_AUDIO_FAILED), 1);
	for (int i = 0; i < r.n; i++)
		if (r.evs[i].ev == SPEECH_AUDIO_FAILED)
			cr_expect(strstr(r.evs[i].why, "aplay") != NULL, "%s", r.evs[i].why);
	speech_free(s);
	cr_expect(no_children());
	rec_free(&r);
}

static int cmp_ll(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;
	return x < y ? -1 : x > y;
}

/* ALSA's "null" device plays anything, instantly: the success path. */
Test(speech, espeak_plays_through_aplay_and_measures_latency)
{
	struct rec r;
	rec_init(&r);
	struct speech *s = open_ok(&r, "espeak:null", NULL);
	long long lat[20];

	for (int i = 0; i < 20; i++) {
		speech_say(s, "zh_CN", ZH_ITEM, NULL);
		cr_assert(run_until_done(&r, i + 1, 10000), "%d events", r.n);
		lat[i] = speech_last_latency_us(s);
		cr_assert_geq(lat[i], 0);
	}
	cr_expect_eq(count(&r, SPEECH_AUDIO_FAILED), 0, "aplay -D null failed: %s",
	             r.n ? r.evs[r.n - 1].why : "");
	cr_expect_eq(count(&r, SPEECH_STARTED), 20);
	for (int i = 0; i < r.n; i++)
		if (r.evs[i].ev == SPEECH_DONE)
			cr_expect_str_eq(r.evs[i].why, "");
	qsort(lat, 20, sizeof lat[0], cmp_ll);
	cr_log_info("speech_say to first sample handed to aplay: median %.2f ms "
	            "(min %.2f, max %.2f) over 20", (lat[9] + lat[10]) / 2000.0, lat[0] / 1000.0,
	            lat[19] / 1000.0);
	cr_expect_lt((lat[9] + lat[10]) / 2, 250000, "median latency %lld us", lat[10]);
	cr_expect(no_children());
	speech_free(s);
	rec_free(&r);
}

Test(speech, espeak_new_utterance_kills_the_player)
{
	struct rec r;
	rec_init(&r);
	char *text = long_text();
	struct speech *s = open_ok(&r, "espeak:null", NULL);
	hold_setup();
	speech_say(s, "zh_CN", text, NULL);
	cr_assert(sem_wait_s(&in_synth, 10), "the long utterance never started");
	speech_say(s, "en", EN_ITEM, NULL);
	sem_post(&release);
	cr_assert(run_until_done(&r, 2, 20000), "%d events", r.n);
	cr_expect_eq(count(&r, SPEECH_AUDIO_FAILED), 0);
	expect_ev(&r, 0, SPEECH_STARTED, "");
	expect_ev(&r, 1, SPEECH_DONE, "interrupted");
	expect_ev(&r, 2, SPEECH_STARTED, "");
	expect_ev(&r, 3, SPEECH_DONE, "");
	cr_expect(no_children());
	speech_test_chunk_hook = NULL;

	/* stop mid-utterance, then free while another plays */
	hold_setup();
	speech_say(s, "zh_CN", text, NULL);
	cr_assert(sem_wait_s(&in_synth, 10));
	speech_stop(s);
	sem_post(&release);
	cr_assert(run_until_done(&r, 3, 20000));
	expect_ev(&r, 5, SPEECH_DONE, "interrupted");
	speech_test_chunk_hook = NULL;
	speech_say(s, "zh_CN", text, NULL);
	speech_free(s);
	cr_expect(no_children());
	free(text);
	rec_free(&r);
}

Test(speech, espeak_plays_a_recorded_prompt)
{
	struct rec r;
	rec_init(&r);
	char *dir = tmpdir();
	char path[300];
	snprintf(path, sizeof path, "%s/en/prompts", dir);
	mkdirs(path);
	snprintf(path, sizeof path, "%s/en/prompts/home.wav", dir);
	write_tone_wav(path);
	struct speech *s = open_ok(&r, "espeak:null", dir);
	speech_say(s, "en", "Home", "home");
	cr_assert(run_until_done(&r, 1, 10000));
	cr_expect_eq(count(&r, SPEECH_AUDIO_FAILED), 0, "%s", r.evs[r.n - 1].why);
	expect_ev(&r, 1, SPEECH_DONE, "");
	cr_expect(no_children());
	speech_free(s);
	rec_free(&r);
	rm_rf(dir);
	free(dir);
}

/* A stand-in aplay first on PATH: records its arguments and what it was
 * fed, then exits with `status`. */
static char *fake_aplay(int status)
{
	char *dir = tmpdir();
	char path[300];
	snprintf(path, sizeof path, "%s/aplay", dir);
	FILE *f = fopen(path, "w");
	cr_assert_not_null(f);
	fprintf(f, "#!/bin/sh\n"
	           "echo \"$*\" > \"%s/args\"\n"
	           "cat > \"%s/pcm\"\n"
	           "exit %d\n", dir, dir, status);
	fclose(f);
	chmod(path, 0755);
	char *old = getenv("PATH");
	char newpath[1024];
	snprintf(newpath, sizeof newpath, "%s:%s", dir, old ? old : "/usr/bin:/bin");
	setenv("PATH", newpath, 1);
	return dir;
}

Test(speech, espeak_feeds_aplay_raw_speech)
{
	char *dir = fake_aplay(0);
	struct rec r;
	rec_init(&r);
	struct speech *s = open_ok(&r, "espeak:plughw:1,0", NULL);
	speech_say(s, "zh_CN", ZH_ITEM, NULL);
	cr_assert(run_until_done(&r, 1, 10000));
	cr_expect_eq(count(&r, SPEECH_AUDIO_FAILED), 0);
	expect_ev(&r, 1, SPEECH_DONE, "");
	char p[300];
	snprintf(p, sizeof p, "%s/args", dir);
	char *args = slurp(p, NULL);
	cr_assert_not_null(args);
	cr_expect_str_eq(args, "-q -D plughw:1,0 -t raw -f S16_LE -r 22050 -c 1\n");
	free(args);
	snprintf(p, sizeof p, "%s/pcm", dir);
	size_t len;
	char *pcm = slurp(p, &len);
	cr_assert_not_null(pcm);
	double secs = len / 2 / 22050.0;
	cr_expect(len % 2 == 0 && secs > 0.8 && secs < 6.0, "%zu bytes (%.2f s)", len, secs);
	free(pcm);
	cr_expect(no_children());
	speech_free(s);
	rec_free(&r);
	rm_rf(dir);
	free(dir);
}

Test(speech, espeak_aplay_exiting_with_an_error_is_a_device_failure)
{
	char *dir = fake_aplay(1);
	struct rec r;
	rec_init(&r);
	struct speech *s = open_ok(&r, "espeak", NULL);
	speech_say(s, "en", EN_ITEM, NULL);
	cr_assert(run_until_done(&r, 1, 10000));
	speech_say(s, "en", EN_ITEM, NULL);
	cr_assert(run_until_done(&r, 2, 10000));
	cr_expect_eq(count(&r, SPEECH_AUDIO_FAILED), 1);
	expect_ev(&r, 1, SPEECH_AUDIO_FAILED, "aplay exited with status 1");
	expect_ev(&r, 2, SPEECH_DONE, "no audio device");
	/* silent from now on: aplay is not started again */
	char p[300];
	snprintf(p, sizeof p, "%s/args", dir);
	unlink(p);
	speech_say(s, "en", EN_ITEM, NULL);
	cr_assert(run_until_done(&r, 3, 10000));
	cr_expect_neq(access(p, F_OK), 0, "aplay ran after the failure");
	cr_expect(no_children());
	speech_free(s);
	rec_free(&r);
	rm_rf(dir);
	free(dir);
}
