/* speech.c: synthesis latency of the voice prompts (kiosk/devices/speech.c), in a
 * real event loop, without a terminal.
 *
 *   speech [--runs N] [--device DEV]     N utterances per figure (default 30);
 *                                        DEV: the ALSA device for aplay -D
 *                                        (default null: no sound card needed)
 *
 * Opens speech_open("espeak:DEV") on a loop of its own (loop_new, timers,
 * loop_run), exactly as the kiosk does in voice mode, and says a focus
 * prompt again and again:
 *   "第2项，社保查询" (zh_CN, voice cmn-latn-pinyin)
 *   "Item 2: Social insurance" (en, voice en-us)
 * For each utterance it records
 *   say -> STARTED     speech_say() to the SPEECH_STARTED event arriving in
 *                      the loop (what the application can observe)
 *   say -> 1st samples speech_last_latency_us(): speech_say() to the first
 *                      samples written to aplay's stdin, taken in the worker
 *   say -> DONE        the whole utterance; ALSA's null device discards
 *                      samples without pacing them, so this is synthesis
 *                      time, not the length of the audio
 * Figures: speech_open (engine start), the first utterance of the process
 * (zh), the first one after switching to English (a voice and dictionary
 * load), N of each language one after the other (each said 30 ms after the
 * previous one is DONE), and N Chinese ones each said as soon as the
 * previous one STARTED (a new focus prompt cutting the old one short: the
 * worker must notice, kill aplay, reap it and start again).
 *
 * Then: how long each prompt is as audio (speech_synth_wav to a temporary
 * file), and aplay alone (spawn -> exit with 0.1 s of samples on DEV), the
 * player's own start, which runs while the worker synthesizes.
 *
 * Not included: aplay's own buffering and the sound card's latency after the
 * samples are handed over (the null device has none).
 * Exit status: 0, 1 if speech could not run, 2 for usage.
 */
#include "loop.h"
#include "log.h"
#include "speech.h"
#include "../kiosk/devices/speech_int.h"

#include <fcntl.h>
#include <locale.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static const char ZH[] = "第2项，社保查询";
static const char EN[] = "Item 2: Social insurance";

#define GAP_MS 30           /* between DONE and the next say (one after the other) */
#define WATCHDOG_MS 120000  /* the whole run */

static int64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static void print_stats(const char *label, const double *src, int n, const char *unit,
                        int decimals)
{
	if (n <= 0) {
		printf("  %-46s (no samples)\n", label);
		return;
	}
	double *v = malloc((size_t)n * sizeof *v);
	if (!v)
		abort();
	memcpy(v, src, (size_t)n * sizeof *v);
	qsort(v, (size_t)n, sizeof *v, cmp_double);
	double med = n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
	printf("  %-46s median %8.*f %-5s (min %.*f, max %.*f; n=%d)\n", label, decimals, med, unit,
	       decimals, v[0], decimals, v[n - 1], n);
	free(v);
}

static void print_one(const char *label, double v, const char *unit)
{
	printf("  %-46s        %8.2f %s\n", label, v, unit);
}

/* ---- the run: phases of utterances --------------------------------------- */

enum how { SEQUENTIAL, INTERRUPTING };

struct phase {
	const char *name;
	const char *lang, *text;
	int count;
	enum how how;
	bool warmup;       /* INTERRUPTING: one uncounted say first, to cut short */
};

struct bench {
	struct loop *l;
	struct speech *s;
	const struct phase *ph;
	int n_ph, cur;
	int said, got;          /* utterances said / measured in this phase */
	int64_t t_say;
	bool waiting_started;   /* a say of ours has not STARTED yet */
	bool in_warmup;
	double *started, *first, *done;
	int failed;             /* AUDIO_FAILED or a watchdog */
	int cut[8];             /* DONE "interrupted" per phase */
	char why[256];
	int results_n[8];
	double *res_started[8], *res_first[8], *res_done[8];
};

static void say(struct bench *b)
{
	const struct phase *p = &b->ph[b->cur];
	b->t_say = now_ns();
	b->waiting_started = true;
	speech_say(b->s, p->lang, p->text, NULL);
	b->said++;
}

static long next_phase_timer(struct loop *l, long long id, void *ud);

static long say_timer(struct loop *l, long long id, void *ud)
{
	say(ud);
	return -1;
}

static void phase_start(struct bench *b)
{
	const struct phase *p = &b->ph[b->cur];
	b->said = b->got = 0;
	b->in_warmup = p->how == INTERRUPTING && p->warmup;
	b->started = b->res_started[b->cur];
	b->first = b->res_first[b->cur];
	b->done = b->res_done[b->cur];
	if (b->in_warmup) {
		b->said = -1; /* the warm-up is not counted */
	}
	say(b);
}

static void phase_end(struct bench *b)
{
	b->results_n[b->cur] = b->got;
	b->cur++;
	if (b->cur == b->n_ph) {
		loop_stop(b->l, 0);
		return;
	}
	loop_timer_add(b->l, GAP_MS, next_phase_timer, b);
}

static long next_phase_timer(struct loop *l, long long id, void *ud)
{
	phase_start(ud);
	return -1;
}

static void on_speech(void *ud, enum speech_event ev, const char *why)
{
	struct bench *b = ud;
	const struct phase *p;
	int64_t t = now_ns();

	if (b->cur >= b->n_ph)
		return;
	p = &b->ph[b->cur];
	if (ev == SPEECH_AUDIO_FAILED) {
		snprintf(b->why, sizeof b->why, "%s", why ? why : "?");
		b->failed = 1;
		loop_stop(b->l, 1);
		return;
	}
	if (ev == SPEECH_STARTED && b->waiting_started) {
		b->waiting_started = false;
		if (b->in_warmup) {
			b->in_warmup = false;
			say(b); /* cuts the warm-up short */
			return;
		}
		int i = b->got;
		b->started[i] = (double)(t - b->t_say) / 1e6;
		b->first[i] = (double)speech_last_latency_us(b->s) / 1e3;
		b->done[i] = -1;
		if (p->how == INTERRUPTING) {
			b->got++;
			if (b->said < p->count)
				say(b); /* a new focus prompt while this one is being spoken */
		}
		return;
	}
	if (ev == SPEECH_DONE && why && !strcmp(why, "interrupted"))
		b->cut[b->cur]++;
	if (ev == SPEECH_DONE && !b->waiting_started) {
		if (p->how == SEQUENTIAL) {
			b->done[b->got] = (double)(t - b->t_say) / 1e6;
			b->got++;
			if (b->got < p->count)
				loop_timer_add(b->l, GAP_MS, say_timer, b);
			else
				phase_end(b);
		} else if (b->got == p->count) {
			phase_end(b); /* the last one ended */
		}
	}
}

static long watchdog(struct loop *l, long long id, void *ud)
{
	struct bench *b = ud;
	snprintf(b->why, sizeof b->why, "no progress within %d s (phase %d, utterance %d)",
	         WATCHDOG_MS / 1000, b->cur, b->got);
	b->failed = 1;
	loop_stop(l, 1);
	return -1;
}

static long first_phase_timer(struct loop *l, long long id, void *ud)
{
	phase_start(ud);
	return -1;
}

/* The player alone: aplay -D DEV fed 0.1 s of silence through a pipe, as
 * speech.c feeds it, from spawn to exit. What aplay needs before a first
 * sample can reach the device (exec, ALSA configuration, opening the
 * device); speech.c starts it before synthesizing, so the two overlap. */
static int aplay_runs(const char *device, int runs, double *v)
{
	static short silence[2205];
	char *argv[] = { "aplay", "-q", "-D", (char *)device, "-t", "raw", "-f", "S16_LE",
	                 "-r", "22050", "-c", "1", NULL };
	int ok = 0;
	for (int i = -1; i < runs; i++) {
		int in[2];
		if (pipe2(in, O_CLOEXEC) != 0)
			return -1;
		posix_spawn_file_actions_t fa;
		posix_spawn_file_actions_init(&fa);
		posix_spawn_file_actions_adddup2(&fa, in[0], 0);
		posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
		posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
		pid_t pid;
		int st;
		int64_t t0 = now_ns();
		int rc = posix_spawnp(&pid, "aplay", &fa, NULL, argv, environ);
		posix_spawn_file_actions_destroy(&fa);
		close(in[0]);
		if (rc != 0) {
			close(in[1]);
			return -1;
		}
		if (write(in[1], silence, sizeof silence) < 0) {
			/* aplay gone: its exit status says why */
		}
		close(in[1]);
		waitpid(pid, &st, 0);
		int64_t t1 = now_ns();
		if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
			return -1;
		if (i >= 0)
			v[ok++] = (double)(t1 - t0) / 1e6;
	}
	return ok;
}

/* The engine's own line from the log ("speech: espeak-ng 1.51, 22050 Hz, ..."). */
static void print_engine_line(const char *path)
{
	FILE *f = fopen(path, "r");
	char line[512];
	while (f && fgets(line, sizeof line, f)) {
		char *p = strstr(line, "speech: espeak-ng");
		if (p) {
			printf("  engine: %s", p + strlen("speech: "));
			break;
		}
	}
	if (f)
		fclose(f);
}

int main(int argc, char **argv)
{
	int runs = 30;
	const char *device = "null";
	setvbuf(stdout, NULL, _IOLBF, 0);
	/* As the kiosk: a UTF-8 character type (speech.c's text sanitizer). */
	if (!setlocale(LC_ALL, "C.UTF-8"))
		setlocale(LC_ALL, "");
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--runs") && i + 1 < argc)
			runs = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--device") && i + 1 < argc)
			device = argv[++i];
		else {
			fprintf(stderr, "usage: %s [--runs N] [--device ALSA_DEVICE]\n", argv[0]);
			return 2;
		}
	}
	if (runs < 1 || runs > 10000) {
		fprintf(stderr, "%s: --runs must be 1..10000\n", argv[0]);
		return 2;
	}

	char logpath[] = "/tmp/bench-speech-XXXXXX";
	int lfd = mkstemp(logpath);
	if (lfd < 0 || log_open(logpath) != 0) {
		perror("bench speech: log file");
		return 1;
	}
	close(lfd);

	const struct phase phases[] = {
		{ "first utterance of the process (zh_CN)", "zh_CN", ZH, 1, SEQUENTIAL, false },
		{ "zh_CN, one after the other", "zh_CN", ZH, runs, SEQUENTIAL, false },
		{ "first after switching to en (voice load)", "en", EN, 1, SEQUENTIAL, false },
		{ "en, one after the other", "en", EN, runs, SEQUENTIAL, false },
		{ "zh_CN, each cutting the previous one short", "zh_CN", ZH, runs, INTERRUPTING, true },
	};
	struct bench b = { .ph = phases, .n_ph = (int)(sizeof phases / sizeof phases[0]) };
	for (int i = 0; i < b.n_ph; i++) {
		b.res_started[i] = calloc((size_t)phases[i].count, sizeof(double));
		b.res_first[i] = calloc((size_t)phases[i].count, sizeof(double));
		b.res_done[i] = calloc((size_t)phases[i].count, sizeof(double));
		if (!b.res_started[i] || !b.res_first[i] || !b.res_done[i])
			abort();
	}

	char spec[128], err[256];
	snprintf(spec, sizeof spec, "espeak:%s", device);
	b.l = loop_new();
	int64_t t0 = now_ns();
	b.s = speech_open(b.l, spec, NULL, on_speech, &b, err, sizeof err);
	double open_ms = (double)(now_ns() - t0) / 1e6;
	if (!b.s) {
		printf("  speech_open(\"%s\") failed: %s\n", spec, err);
		log_close();
		unlink(logpath);
		return 1;
	}
	printf("  backend %s (aplay -D %s), %d utterances per figure\n", spec, device, runs);
	printf("  texts: zh_CN \"%s\", en \"%s\"\n", ZH, EN);
	print_engine_line(logpath);
	print_one("speech_open (espeak-ng start, voice lookup)", open_ms, "ms");

	loop_timer_add(b.l, 0, first_phase_timer, &b);
	long long wd = loop_timer_add(b.l, WATCHDOG_MS, watchdog, &b);
	loop_run(b.l);
	loop_timer_del(b.l, wd);

	double *ap = calloc((size_t)runs, sizeof *ap);
	int nap = ap ? aplay_runs(device, runs, ap) : -1;

	int rc = 0;
	if (b.failed) {
		printf("  SPEECH DID NOT RUN: %s\n", b.why);
		rc = 1;
	}
	for (int i = 0; i < b.cur && i < b.n_ph; i++) {
		const struct phase *p = &phases[i];
		int n = b.results_n[i];
		printf("  -- %s --\n", p->name);
		if (p->count == 1 && n == 1) {
			print_one("say -> SPEECH_STARTED in the loop", b.res_started[i][0], "ms");
			print_one("say -> first samples to aplay (worker)", b.res_first[i][0], "ms");
			print_one("say -> SPEECH_DONE (synthesis, unpaced)", b.res_done[i][0], "ms");
			continue;
		}
		print_stats("say -> SPEECH_STARTED in the loop", b.res_started[i], n, "ms", 2);
		print_stats("say -> first samples to aplay (worker)", b.res_first[i], n, "ms", 2);
		if (p->how == SEQUENTIAL)
			print_stats("say -> SPEECH_DONE (synthesis, unpaced)", b.res_done[i], n, "ms", 2);
		else
			printf("  (%d of the %d says found the previous utterance still running"
			       " and cut it short)\n", b.cut[i], n);
	}

	/* How much audio each prompt is (synthesized to a file, 150 wpm). */
	char wav[] = "/tmp/bench-speech-XXXXXX";
	int wfd = mkstemp(wav);
	if (wfd >= 0) {
		close(wfd);
		struct stat st;
		double secs[2] = { -1, -1 };
		const char *langs[2] = { "zh_CN", "en" }, *texts[2] = { ZH, EN };
		for (int i = 0; i < 2; i++)
			if (speech_synth_wav(langs[i], texts[i], 150, wav, err, sizeof err) == 0 &&
			    stat(wav, &st) == 0 && st.st_size > 44)
				secs[i] = (double)(st.st_size - 44) / 2 / 22050;
		unlink(wav);
		printf("  (the prompts are %.2f s (zh_CN) and %.2f s (en) of audio at 150 wpm)\n",
		       secs[0], secs[1]);
	}
	printf("  -- the player alone --\n");
	if (nap > 0)
		print_stats("aplay, 0.1 s of samples: spawn -> exit", ap, nap, "ms", 2);
	else
		printf("  aplay -D %s could not play 0.1 s of samples\n", device);
	free(ap);

	speech_free(b.s);
	loop_drain(b.l);
	loop_free(b.l);
	log_close();
	unlink(logpath);
	for (int i = 0; i < b.n_ph; i++) {
		free(b.res_started[i]);
		free(b.res_first[i]);
		free(b.res_done[i]);
	}
	return rc;
}
