/* speech.c: voice prompts (语音播报) behind one small interface (speech.h).
 *
 * Threads. speech_say() runs in the loop thread and never waits: it copies
 * the utterance into a one-place queue, raises the worker's cancel flag and
 * writes a byte to the worker's wake-up pipe. Each speech object of kind
 * espeak or wav has one worker thread; it synthesizes with libespeak-ng and
 * plays through an `aplay` child (espeak) or writes a WAV file (wav). A new
 * utterance replaces the one waiting and cuts the one being spoken short:
 * the synthesis callback sees the flag and aborts, and the aplay child is
 * killed. Events reach the application only through loop_post(), so they
 * are always delivered in the loop thread, in the order they happened.
 *
 * Events. Every utterance the worker takes up gets exactly one
 * SPEECH_STARTED and then one SPEECH_DONE; an utterance replaced while it
 * was still waiting gets none. DONE's `why` is NULL when the utterance was
 * spoken to the end, "interrupted" when speech_say/speech_stop cut it
 * short, "no audio device" when nothing could be played. The first failure
 * of the audio device (aplay missing, or exiting with an error) is posted
 * once as SPEECH_AUDIO_FAILED (why: aplay's own message) and logged once;
 * from then on the espeak backend synthesizes nothing (silence, but still
 * STARTED/DONE so that flows waiting for DONE go on). An aplay that we did
 * not kill ourselves and that exits non-zero, or is still running 10 s
 * after its audio should have ended, counts as a device failure (recorded
 * prompts are checked to be RIFF/WAVE files first, so a bad file is not
 * mistaken for a bad device). The none backend posts nothing at all.
 *
 * The log backend writes its line synchronously in speech_say() (one
 * write(2) with O_APPEND) and posts STARTED and DONE at once. Its line is
 * "LANG<TAB>TEXT\n", tabs and line breaks in either turned into spaces; when
 * a recorded prompt replaced synthesis a third field is added:
 * "LANG<TAB>TEXT<TAB>prompt:ID\n". The wav backend copies such a recording
 * byte for byte to its numbered file instead of synthesizing.
 *
 * Recorded prompts: PROMPTS/<lang>/prompts/<id>.wav, looked up only for ids
 * of [a-z0-9_-] (at most 64 bytes) and langs of [A-Za-z_-]; anything else
 * is synthesized as if no id had been given.
 *
 * libespeak-ng is not linked: it and the audio libraries it pulls in
 * (pcaudio, sonic, PulseAudio, ALSA...) are about 2 MB of pages that most
 * kiosks, never switching voice mode on, would carry for nothing. It is
 * dlopen()ed ("libespeak-ng.so.1", RTLD_NOW | RTLD_LOCAL) when speech is
 * first needed: speech_open of an espeak or wav backend (the kiosk opens
 * its backend when voice mode is switched on), or the first
 * speech_synth_wav. The log and none backends never load it. The espeak_*
 * functions used are resolved with dlsym into `es`, a table of pointers
 * typed from the library's own prototypes (speak_lib.h, espeak_ng.h), so
 * every call is still checked by the compiler. A missing library or symbol
 * is an engine failure like a missing voice: speech_open says why and
 * returns NULL (voice mode is "not available"), and nothing is retried.
 * Loading is part of the engine's initialization, under engine_mu, and
 * speech_open does it before it starts the worker thread.
 *
 * libespeak-ng is one process-wide engine, not thread-safe: every call into
 * it holds engine_mu. It is initialized once (speech_open of an espeak or
 * wav backend, or the first speech_synth_wav) and never terminated nor
 * unloaded:
 * espeak-ng 1.51 hangs in espeak_ng_Terminate() after a second
 * initialization, and its memory stays reachable from its globals (LSan is
 * quiet). Initialization sets LC_CTYPE to C.UTF-8 behind our back; we put
 * the process locale back and give the synthesizing threads C.UTF-8 through
 * uselocale(). espeak_Initialize() prints to stderr and exit()s when its
 * data is missing, so the espeak_ng_* calls are used for that step instead.
 *
 * Nothing here logs an utterance's text: prompts can carry names.
 */
#include "speech.h"

#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <espeak-ng/espeak_ng.h>
#include <espeak-ng/speak_lib.h>
#include <fcntl.h>
#include <limits.h>
#include <locale.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "loop.h"
#include "speech_int.h"
#include "util.h"

extern char **environ;

#define RATE_MIN 80
#define RATE_MAX 400
#define RATE_DEFAULT 150
#define VOLUME_MIN 10
#define VOLUME_MAX 200
#define VOLUME_DEFAULT 100
#define MAX_SECONDS 600            /* longer utterances are cut here */
#define MAX_RECORDING (64u << 20)  /* wav backend: larger recordings are not copied */
#define PROMPT_ID_MAX 64
#define PLAYER_GRACE_S 10          /* aplay still running this long after its audio should have ended: stuck */

void (*speech_test_chunk_hook)(void *arg);
void *speech_test_chunk_arg;

static long long now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static int clamp(int v, int lo, int hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

/* ---- the engine (libespeak-ng, one per process) ------------------------- */

/* One synthesis: where the samples go. */
struct synth {
	short *pcm;
	size_t n, cap, max;
	atomic_bool *cancel;         /* NULL: cannot be cancelled */
	bool (*chunk)(struct synth *sy); /* after each chunk; false aborts */
	void *arg;
	bool aborted;                /* cancelled, or chunk said stop */
	bool cut;                    /* MAX_SECONDS reached */
};

/* The library, opened when speech is first needed (engine_load_locked). */
#define ESPEAK_LIB "libespeak-ng.so.1"

const char *speech_test_espeak_lib;

/* Every libespeak-ng function called here: its field in `es`, its symbol. */
#define ESPEAK_SYMS(X)                                         \
	X(ng_InitializePath, espeak_ng_InitializePath)             \
	X(ng_Initialize, espeak_ng_Initialize)                     \
	X(ng_InitializeOutput, espeak_ng_InitializeOutput)         \
	X(ng_ClearErrorContext, espeak_ng_ClearErrorContext)       \
	X(ng_GetStatusCodeMessage, espeak_ng_GetStatusCodeMessage) \
	X(ng_GetSampleRate, espeak_ng_GetSampleRate)               \
	X(SetSynthCallback, espeak_SetSynthCallback)               \
	X(SetVoiceByName, espeak_SetVoiceByName)                   \
	X(SetParameter, espeak_SetParameter)                       \
	X(Synth, espeak_Synth)                                     \
	X(Info, espeak_Info)

/* Pointers of the functions' own types (the headers' prototypes): the
 * compiler checks every call through them. Written once, under engine_mu,
 * before engine_state becomes 1; read under engine_mu. Nothing here calls
 * an espeak_* function directly, so nothing links against the library. */
static struct {
#define X(field, sym) __typeof__(sym) *field;
	ESPEAK_SYMS(X)
#undef X
} es;

static pthread_mutex_t engine_mu = PTHREAD_MUTEX_INITIALIZER;
static int engine_state;           /* 0 not tried, 1 ready, -1 failed (under engine_mu) */
static char engine_err[200];
static int engine_rate;            /* Hz */
static const char *engine_voice_zh, *engine_voice_en;
static const char *engine_voice_now;
static locale_t engine_locale;     /* C.UTF-8 for the synthesizing thread, or 0 */
static struct synth *engine_cur;   /* the synthesis in progress (under engine_mu) */

static int engine_cb(short *wav, int nsamples, espeak_EVENT *events)
{
	struct synth *sy = engine_cur;

	(void)events;
	if (!sy)
		return 1;
	if (sy->cancel && atomic_load(sy->cancel)) {
		sy->aborted = true;
		return 1;
	}
	if (wav && nsamples > 0) {
		size_t n = (size_t)nsamples;
		if (sy->n + n > sy->max) {
			n = sy->max - sy->n;
			sy->cut = true;
		}
		if (sy->n + n > sy->cap) {
			sy->cap = (sy->n + n) * 2;
			sy->pcm = xrealloc(sy->pcm, sy->cap * sizeof *sy->pcm);
		}
		memcpy(sy->pcm + sy->n, wav, n * sizeof *wav);
		sy->n += n;
	}
	if (sy->chunk && !sy->chunk(sy)) {
		sy->aborted = true;
		return 1;
	}
	if (sy->cancel && speech_test_chunk_hook)
		speech_test_chunk_hook(speech_test_chunk_arg);
	if (sy->cancel && atomic_load(sy->cancel)) {
		sy->aborted = true;
		return 1;
	}
	return sy->cut ? 1 : 0;
}

static const char *engine_pick_voice(const char *const *names)
{
	for (; *names; names++)
		if (es.SetVoiceByName(*names) == EE_OK)
			return *names;
	return NULL;
}

/* Under engine_mu, once: opens libespeak-ng and fills `es`. 0, or -1 with
 * engine_err set (the library is closed again if a symbol is missing). */
static int engine_load_locked(void)
{
	const char *name = speech_test_espeak_lib ? speech_test_espeak_lib : ESPEAK_LIB;
	void *h = dlopen(name, RTLD_NOW | RTLD_LOCAL);

	if (!h) {
		const char *why = dlerror();
		snprintf(engine_err, sizeof engine_err, "espeak-ng cannot be loaded: %s",
		         why ? why : name);
		return -1;
	}
	const char *missing = NULL;
#define X(field, sym)                                                      \
	if (!missing && !(es.field = (__typeof__(es.field))dlsym(h, #sym))) \
		missing = #sym;
	ESPEAK_SYMS(X)
#undef X
	if (missing) {
		snprintf(engine_err, sizeof engine_err,
		         "espeak-ng cannot be loaded: %s has no %s", name, missing);
		memset(&es, 0, sizeof es);
		dlclose(h);
		return -1;
	}
	return 0;
}

/* Under engine_mu. 0, or -1 with engine_err set. */
static int engine_init_locked(void)
{
	static const char *const zh[] = { "cmn-latn-pinyin", "cmn", NULL };
	static const char *const en[] = { "en-us", "en", NULL };

	if (engine_state)
		return engine_state > 0 ? 0 : -1;

	/* espeak-ng starts a thread of its own (unused in synchronous mode):
	 * it is born with every signal blocked, as ours are, so that the
	 * loop's signals never land there. */
	sigset_t all, oldmask;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &oldmask);
	const char *cur = setlocale(LC_CTYPE, NULL);
	char *saved_locale = xstrdup(cur ? cur : "C");

	/* The library's and its audio stack's constructors run here, with
	 * the same signals blocked. */
	bool loaded = engine_load_locked() == 0;
	espeak_ng_STATUS st = ENS_OK;
	if (loaded) {
		espeak_ng_ERROR_CONTEXT ctx = NULL;
		es.ng_InitializePath(NULL);
		st = es.ng_Initialize(&ctx);
		if (st == ENS_OK)
			st = es.ng_InitializeOutput(ENOUTPUT_MODE_SYNCHRONOUS, 0, NULL);
		es.ng_ClearErrorContext(&ctx);
	}
	setlocale(LC_CTYPE, saved_locale);
	free(saved_locale);
	pthread_sigmask(SIG_SETMASK, &oldmask, NULL);

	if (!loaded) {
		engine_state = -1;
		log_error("speech: %s", engine_err);
		return -1;
	}
	if (st != ENS_OK) {
		char msg[160];
		es.ng_GetStatusCodeMessage(st, msg, sizeof msg);
		snprintf(engine_err, sizeof engine_err, "espeak-ng cannot start: %s", msg);
		engine_state = -1;
		log_error("speech: %s", engine_err);
		return -1;
	}
	engine_rate = es.ng_GetSampleRate();
	es.SetSynthCallback(engine_cb);
	engine_locale = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t)0);
	locale_t old = engine_locale ? uselocale(engine_locale) : (locale_t)0;
	engine_voice_zh = engine_pick_voice(zh);
	engine_voice_en = engine_pick_voice(en);
	if (engine_locale)
		uselocale(old);
	engine_voice_now = NULL;
	if (!engine_voice_en && !engine_voice_zh) {
		snprintf(engine_err, sizeof engine_err,
		         "espeak-ng has neither the cmn-latn-pinyin nor the en-us voice");
		engine_state = -1;
		log_error("speech: %s", engine_err);
		return -1;
	}
	if (!engine_voice_zh)
		engine_voice_zh = engine_voice_en;
	if (!engine_voice_en)
		engine_voice_en = engine_voice_zh;
	log_info("speech: espeak-ng %s, %d Hz, voices %s (Chinese) and %s (English)",
	         es.Info(NULL), engine_rate, engine_voice_zh, engine_voice_en);
	engine_state = 1;
	return 0;
}

static int engine_init(char *err, size_t errlen)
{
	pthread_mutex_lock(&engine_mu);
	int rc = engine_init_locked();
	if (rc != 0)
		snprintf(err, errlen, "%s", engine_err);
	pthread_mutex_unlock(&engine_mu);
	return rc;
}

static bool lang_is_zh(const char *lang)
{
	return (lang[0] == 'z' || lang[0] == 'Z') && (lang[1] == 'h' || lang[1] == 'H');
}

/* Synthesizes text into sy (which the caller set up). 0, or -1 (err). */
static int engine_synth(const char *lang, const char *text, int wpm, int volume,
                        struct synth *sy, char *err, size_t errlen)
{
	int rc = 0;

	pthread_mutex_lock(&engine_mu);
	if (engine_init_locked() != 0) {
		snprintf(err, errlen, "%s", engine_err);
		pthread_mutex_unlock(&engine_mu);
		return -1;
	}
	locale_t old = engine_locale ? uselocale(engine_locale) : (locale_t)0;
	const char *voice = lang_is_zh(lang) ? engine_voice_zh : engine_voice_en;
	if (voice != engine_voice_now && es.SetVoiceByName(voice) == EE_OK)
		engine_voice_now = voice;
	es.SetParameter(espeakRATE, clamp(wpm, RATE_MIN, RATE_MAX), 0);
	es.SetParameter(espeakVOLUME, clamp(volume, VOLUME_MIN, VOLUME_MAX), 0);
	sy->max = (size_t)engine_rate * MAX_SECONDS;
	engine_cur = sy;
	espeak_ERROR e = es.Synth(text, strlen(text) + 1, 0, POS_CHARACTER, 0,
	                          espeakCHARS_UTF8, NULL, NULL);
	engine_cur = NULL;
	if (e != EE_OK && !sy->aborted && !sy->cut) {
		snprintf(err, errlen, "espeak-ng could not synthesize (error %d)", (int)e);
		rc = -1;
	}
	if (engine_locale)
		uselocale(old);
	pthread_mutex_unlock(&engine_mu);
	return rc;
}

static int engine_sample_rate(void)
{
	pthread_mutex_lock(&engine_mu);
	int r = engine_rate;
	pthread_mutex_unlock(&engine_mu);
	return r;
}

/* ---- WAV files ------------------------------------------------------------ */

static void put_le(unsigned char *p, uint32_t v, int bytes)
{
	for (int i = 0; i < bytes; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

/* A 44-byte header + 16-bit mono samples, in one new buffer. */
static unsigned char *wav_build(const short *pcm, size_t n, int rate, size_t *len)
{
	size_t data = n * 2;
	unsigned char *b = xmalloc(44 + data);

	memcpy(b, "RIFF", 4);
	put_le(b + 4, (uint32_t)(36 + data), 4);
	memcpy(b + 8, "WAVEfmt ", 8);
	put_le(b + 16, 16, 4);
	put_le(b + 20, 1, 2);                     /* PCM */
	put_le(b + 22, 1, 2);                     /* mono */
	put_le(b + 24, (uint32_t)rate, 4);
	put_le(b + 28, (uint32_t)rate * 2, 4);    /* bytes per second */
	put_le(b + 32, 2, 2);                     /* block align */
	put_le(b + 34, 16, 2);                    /* bits */
	memcpy(b + 36, "data", 4);
	put_le(b + 40, (uint32_t)data, 4);
	for (size_t i = 0; i < n; i++)
		put_le(b + 44 + 2 * i, (uint16_t)pcm[i], 2);
	*len = 44 + data;
	return b;
}

/* The duration of a WAV file from its size and the byte rate in its header
 * (assumed 44 bytes long); MAX_SECONDS if that cannot be told. */
static double wav_seconds(const char *path)
{
	unsigned char h[44];
	struct stat st;
	double secs = MAX_SECONDS;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return secs;
	if (fstat(fd, &st) == 0 && read(fd, h, sizeof h) == (ssize_t)sizeof h) {
		uint32_t rate = (uint32_t)h[28] | (uint32_t)h[29] << 8 | (uint32_t)h[30] << 16 |
		                (uint32_t)h[31] << 24;
		if (rate > 0 && st.st_size > 44)
			secs = (double)(st.st_size - 44) / rate;
		if (secs > MAX_SECONDS)
			secs = MAX_SECONDS;
	}
	close(fd);
	return secs;
}

static int wav_write(const char *path, const short *pcm, size_t n, int rate)
{
	size_t len;
	unsigned char *b = wav_build(pcm, n, rate, &len);
	int rc = file_write_atomic(path, b, len, 0644, false);
	int e = errno;
	free(b);
	errno = e;
	return rc;
}

/* Text for the synthesizer or the transcript: control characters (tabs and
 * line breaks above all) become spaces. */
static char *clean_text(const char *s)
{
	char *d = xstrdup(s ? s : "");
	for (char *p = d; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = ' ';
	return d;
}

/* ---- events ------------------------------------------------------------- */

/* What a speech object shares with its worker and with the events still on
 * their way to the loop: it lives until the last of them lets go. */
struct link {
	pthread_mutex_t mu;
	unsigned refs;           /* under mu */
	struct speech *owner;    /* loop thread only; NULL once speech_free ran */
	struct loop *loop;
};

struct event {
	struct link *link;
	enum speech_event ev;
	char *why;
};

static void link_unref(struct link *k)
{
	pthread_mutex_lock(&k->mu);
	unsigned left = --k->refs;
	pthread_mutex_unlock(&k->mu);
	if (left == 0) {
		pthread_mutex_destroy(&k->mu);
		free(k);
	}
}

enum speech_kind { SPEECH_NONE, SPEECH_LOG, SPEECH_WAV, SPEECH_ESPEAK };

struct worker;

struct speech {
	struct loop *loop;
	enum speech_kind kind;
	char *spec;
	char *arg;          /* log: the file; wav: the folder; espeak: the device or NULL */
	char *prompts_dir;  /* or NULL */
	speech_fn fn;
	void *ud;
	int rate, volume;
	int log_fd;
	unsigned long next_seq; /* wav: number of the next file */
	struct link *link;
	struct worker *wk;
	int depth;          /* > 0 while our callback is on the stack */
	bool doomed;        /* speech_free from inside the callback */
};

static void speech_destroy(struct speech *s);

static void event_deliver(struct loop *l, void *ud)
{
	struct event *e = ud;
	struct speech *s = e->link->owner;

	(void)l;
	if (s && !s->doomed && s->fn) {
		s->depth++;
		s->fn(s->ud, e->ev, e->why);
		if (--s->depth == 0 && s->doomed)
			speech_destroy(s);
	}
	free(e->why);
	link_unref(e->link);
	free(e);
}

/* Any thread. */
static void event_post(struct link *k, enum speech_event ev, const char *why)
{
	struct event *e = xcalloc(1, sizeof *e);

	pthread_mutex_lock(&k->mu);
	k->refs++;
	pthread_mutex_unlock(&k->mu);
	e->link = k;
	e->ev = ev;
	e->why = why ? xstrdup(why) : NULL;
	loop_post(k->loop, event_deliver, e);
}

/* ---- the worker ------------------------------------------------------------ */

struct job {
	char *lang;
	char *text;
	char *recording;    /* the recorded prompt's path, or NULL */
	int rate, volume;
	unsigned long seq;
	long long said_us;  /* when speech_say was called */
};

static void job_free(struct job *j)
{
	if (!j)
		return;
	free(j->lang);
	wipe_str(j->text); /* a spoken text may hold a (masked) name */
	free(j->recording);
	free(j);
}

struct worker {
	struct link *link;      /* holds one reference */
	enum speech_kind kind;
	char *arg;              /* wav: folder; espeak: device or NULL */
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct job *pending;    /* under mu: the one waiting utterance */
	bool quit;              /* under mu */
	long long latency_us;   /* under mu */
	atomic_bool cancel;     /* the current utterance must stop */
	int wake[2];            /* a byte per cancel, so that poll(2) wakes */
	/* worker thread only */
	bool audio_dead;
	bool write_failed_told;
};

/* The current utterance, in the worker. */
struct run {
	struct worker *w;
	struct job *j;
	bool started;
	bool first_audio;
	/* espeak: the player */
	pid_t pid;
	int in, err;            /* aplay's stdin (raw PCM) and stderr, or -1 */
	size_t written;         /* bytes of pcm handed to aplay */
	bool broken;            /* aplay's stdin closed on us */
	char errbuf[1024];
	size_t errlen;
};

static void run_started(struct run *r)
{
	if (!r->started) {
		r->started = true;
		event_post(r->w->link, SPEECH_STARTED, NULL);
	}
}

static void run_first_audio(struct run *r)
{
	if (r->first_audio)
		return;
	r->first_audio = true;
	long long d = now_us() - r->j->said_us;
	pthread_mutex_lock(&r->w->mu);
	r->w->latency_us = d;
	pthread_mutex_unlock(&r->w->mu);
}

static void run_done(struct run *r, const char *why)
{
	run_started(r);
	event_post(r->w->link, SPEECH_DONE, why);
}

static void set_nonblock_cloexec(int fd)
{
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	fcntl(fd, F_SETFD, FD_CLOEXEC);
}

/* A write to aplay's stdin after it died raised SIGPIPE for this thread,
 * where it is blocked: take it off so it never fires anywhere. */
static void clear_sigpipe(void)
{
	sigset_t set;
	struct timespec zero = { 0, 0 };
	sigemptyset(&set);
	sigaddset(&set, SIGPIPE);
	while (sigtimedwait(&set, NULL, &zero) == SIGPIPE)
		;
}

/* Starts aplay: with_stdin, raw PCM from a pipe (r->in); otherwise the
 * recording named in argv. Its stderr comes back through r->err. */
static int player_spawn(struct run *r, char *const argv[], bool with_stdin, char *why,
                        size_t whylen)
{
	int in[2] = { -1, -1 }, er[2] = { -1, -1 };
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t at;
	sigset_t none, dflt;
	int rc;

	r->pid = -1;
	r->in = r->err = -1;
	if ((with_stdin && pipe2(in, O_CLOEXEC) != 0) || pipe2(er, O_CLOEXEC) != 0) {
		snprintf(why, whylen, "pipe: %s", strerror(errno));
		goto fail;
	}
	posix_spawn_file_actions_init(&fa);
	if (with_stdin)
		posix_spawn_file_actions_adddup2(&fa, in[0], 0);
	else
		posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, er[1], 2);
	/* Nothing else of ours, close-on-exec or not (a library's socket). */
	posix_spawn_file_actions_addclosefrom_np(&fa, 3);
	/* This thread blocks every signal and the kiosk may ignore SIGPIPE:
	 * aplay gets a clean slate. */
	posix_spawnattr_init(&at);
	sigemptyset(&none);
	sigemptyset(&dflt);
	sigaddset(&dflt, SIGPIPE);
	sigaddset(&dflt, SIGINT);
	sigaddset(&dflt, SIGTERM);
	sigaddset(&dflt, SIGHUP);
	sigaddset(&dflt, SIGQUIT);
	sigaddset(&dflt, SIGCHLD);
	posix_spawnattr_setsigmask(&at, &none);
	posix_spawnattr_setsigdefault(&at, &dflt);
	posix_spawnattr_setflags(&at, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
	rc = posix_spawnp(&r->pid, argv[0], &fa, &at, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&at);
	if (rc != 0) {
		r->pid = -1;
		snprintf(why, whylen, "cannot run %s: %s", argv[0], strerror(rc));
		goto fail;
	}
	if (with_stdin) {
		close(in[0]);
		r->in = in[1];
		set_nonblock_cloexec(r->in);
	}
	close(er[1]);
	r->err = er[0];
	set_nonblock_cloexec(r->err);
	return 0;
fail:
	for (int i = 0; i < 2; i++) {
		if (in[i] >= 0)
			close(in[i]);
		if (er[i] >= 0)
			close(er[i]);
	}
	return -1;
}

/* Hands aplay as much of the samples as its pipe takes, without waiting. */
static void player_feed(struct run *r, const short *pcm, size_t n)
{
	size_t total = n * sizeof *pcm;

	while (r->in >= 0 && !r->broken && r->written < total) {
		ssize_t k = write(r->in, (const char *)pcm + r->written, total - r->written);
		if (k > 0) {
			r->written += (size_t)k;
			run_first_audio(r);
			run_started(r);
		} else if (k < 0 && errno == EINTR) {
			continue;
		} else {
			if (k < 0 && errno != EAGAIN) {
				r->broken = true; /* EPIPE: aplay is gone */
				clear_sigpipe();
			}
			break;
		}
	}
}

static bool espeak_chunk(struct synth *sy)
{
	struct run *r = sy->arg;

	player_feed(r, sy->pcm, sy->n);
	return !r->broken;
}

static void player_read_err(struct run *r)
{
	char tmp[512];

	for (;;) {
		ssize_t k = read(r->err, tmp, sizeof tmp);
		if (k > 0) {
			size_t room = sizeof r->errbuf - 1 - r->errlen;
			size_t c = (size_t)k < room ? (size_t)k : room;
			memcpy(r->errbuf + r->errlen, tmp, c);
			r->errlen += c;
			r->errbuf[r->errlen] = '\0';
			continue;
		}
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0 && errno == EAGAIN)
			return;
		close(r->err); /* end of file: aplay is ending */
		r->err = -1;
		return;
	}
}

/* aplay's reason: its own "aplay: ..." line if there is one, else the last
 * line it printed. */
static void player_reason(const struct run *r, int status, char *why, size_t whylen)
{
	const char *best = NULL, *last = NULL;
	size_t bestlen = 0, lastlen = 0;
	const char *p = r->errbuf;

	while (*p) {
		const char *e = strchr(p, '\n');
		size_t len = e ? (size_t)(e - p) : strlen(p);
		if (len) {
			last = p;
			lastlen = len;
			if (strncmp(p, "aplay:", 6) == 0) {
				best = p;
				bestlen = len;
			}
		}
		p += len + (e ? 1 : 0);
	}
	if (!best) {
		best = last;
		bestlen = lastlen;
	}
	if (best)
		snprintf(why, whylen, "%.*s", (int)(bestlen > 200 ? 200 : bestlen), best);
	else if (WIFEXITED(status))
		snprintf(why, whylen, "aplay exited with status %d", WEXITSTATUS(status));
	else
		snprintf(why, whylen, "aplay ended by signal %d", WTERMSIG(status));
}

enum outcome { OUT_OK, OUT_INTERRUPTED, OUT_FAILED };

static void drain_fd(int fd)
{
	char b[64];
	while (read(fd, b, sizeof b) > 0)
		;
}

/* Feeds aplay the rest of the samples, waits (cancellably) until it ends,
 * and reaps it: no zombie is ever left behind. An aplay still running
 * PLAYER_GRACE_S after `secs` of audio should have ended is stuck on its
 * device (a hung sound server, say): killed, and a device failure. */
static enum outcome player_finish(struct run *r, const short *pcm, size_t n, double secs,
                                  char *why, size_t whylen)
{
	struct worker *w = r->w;
	size_t total = n * sizeof *pcm;
	bool killed = false, stuck = false;
	int status = 0;
	long long deadline = now_us() + (long long)((secs + PLAYER_GRACE_S) * 1e6);

	for (;;) {
		if (atomic_load(&w->cancel)) {
			kill(r->pid, SIGKILL);
			killed = true;
			break;
		}
		long long left_ms = (deadline - now_us()) / 1000;
		if (left_ms <= 0) {
			kill(r->pid, SIGKILL);
			stuck = true;
			break;
		}
		if (r->in >= 0 && (r->broken || r->written >= total)) {
			close(r->in); /* end of data: aplay plays the rest and exits */
			r->in = -1;
		}
		if (r->err < 0)
			break;
		struct pollfd pf[3];
		nfds_t np = 0;
		pf[np++] = (struct pollfd){ .fd = w->wake[0], .events = POLLIN };
		pf[np++] = (struct pollfd){ .fd = r->err, .events = POLLIN };
		if (r->in >= 0)
			pf[np++] = (struct pollfd){ .fd = r->in, .events = POLLOUT };
		if (poll(pf, np, left_ms > INT_MAX ? INT_MAX : (int)left_ms) < 0 && errno != EINTR) {
			kill(r->pid, SIGKILL); /* never wait blind on a child */
			killed = true;
			break;
		}
		if (pf[0].revents)
			drain_fd(w->wake[0]); /* the flag above says what happened */
		if (np > 2 && pf[2].revents)
			player_feed(r, pcm, n);
		if (pf[1].revents)
			player_read_err(r);
	}
	if (r->in >= 0)
		close(r->in);
	if (r->err >= 0)
		close(r->err);
	r->in = r->err = -1;
	pid_t got;
	while ((got = waitpid(r->pid, &status, 0)) < 0 && errno == EINTR)
		;
	r->pid = -1;
	if (killed)
		return OUT_INTERRUPTED;
	if (stuck) {
		snprintf(why, whylen, "aplay did not finish: killed after %.0f s", secs + PLAYER_GRACE_S);
		return OUT_FAILED;
	}
	if (got < 0) /* someone else reaped it (a SIGCHLD handler): no verdict */
		return OUT_OK;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return OUT_OK;
	player_reason(r, status, why, whylen);
	return OUT_FAILED;
}

static void audio_failed(struct worker *w, const char *why)
{
	if (w->audio_dead)
		return;
	w->audio_dead = true;
	log_warn("speech: no audio device (%s): speech is silent from now on", why);
	event_post(w->link, SPEECH_AUDIO_FAILED, why);
}

static void run_espeak(struct run *r)
{
	struct worker *w = r->w;
	struct job *j = r->j;
	char why[256] = "";
	char rate_s[16];
	char *argv[16];
	int a = 0;
	enum outcome out;

	if (w->audio_dead) {
		run_done(r, "no audio device");
		return;
	}
	argv[a++] = "aplay";
	argv[a++] = "-q";
	if (w->arg) {
		argv[a++] = "-D";
		argv[a++] = w->arg;
	}
	if (j->recording) {
		argv[a++] = "--";
		argv[a++] = j->recording;
		argv[a] = NULL;
		if (player_spawn(r, argv, false, why, sizeof why) != 0) {
			audio_failed(w, why);
			run_done(r, "no audio device");
			return;
		}
		run_first_audio(r);
		run_started(r);
		out = player_finish(r, NULL, 0, wav_seconds(j->recording), why, sizeof why);
	} else {
		int rate = engine_sample_rate();
		snprintf(rate_s, sizeof rate_s, "%d", rate);
		argv[a++] = "-t";
		argv[a++] = "raw";
		argv[a++] = "-f";
		argv[a++] = "S16_LE";
		argv[a++] = "-r";
		argv[a++] = rate_s;
		argv[a++] = "-c";
		argv[a++] = "1";
		argv[a] = NULL;
		/* aplay opens the device while we synthesize. */
		if (player_spawn(r, argv, true, why, sizeof why) != 0) {
			audio_failed(w, why);
			run_done(r, "no audio device");
			return;
		}
		struct synth sy = { .cancel = &w->cancel, .chunk = espeak_chunk, .arg = r };
		char err[200];
		if (engine_synth(j->lang, j->text, j->rate, j->volume, &sy, err, sizeof err) != 0)
			log_warn("speech: %s", err);
		out = player_finish(r, sy.pcm, sy.n, (double)sy.n / rate, why, sizeof why);
		free(sy.pcm);
	}
	if (out == OUT_FAILED) {
		audio_failed(w, why);
		run_done(r, "no audio device");
	} else {
		run_done(r, out == OUT_INTERRUPTED ? "interrupted" : NULL);
	}
}

static bool wav_chunk(struct synth *sy)
{
	struct run *r = sy->arg;

	if (sy->n) {
		run_first_audio(r);
		run_started(r);
	}
	return true;
}

static void run_wav(struct run *r)
{
	struct worker *w = r->w;
	struct job *j = r->j;
	char *path = xasprintf("%s/%06lu-%s.wav", w->arg, j->seq, j->lang);

	if (j->recording) {
		size_t len;
		char *data = file_read(j->recording, MAX_RECORDING, &len);
		run_first_audio(r);
		run_started(r);
		if (!data || file_write_atomic(path, data, len, 0644, false) != 0) {
			if (!w->write_failed_told)
				log_warn("speech: cannot copy a recorded prompt to %s: %s", path,
				         strerror(errno));
			w->write_failed_told = true;
		}
		free(data);
		free(path);
		run_done(r, NULL);
		return;
	}
	struct synth sy = { .cancel = &w->cancel, .chunk = wav_chunk, .arg = r };
	char err[200];
	if (engine_synth(j->lang, j->text, j->rate, j->volume, &sy, err, sizeof err) != 0)
		log_warn("speech: %s", err);
	/* An interrupted utterance leaves what had been synthesized: the file
	 * is as far as it got, or absent if it got nowhere. */
	if ((sy.n > 0 || !sy.aborted) && wav_write(path, sy.pcm, sy.n, engine_sample_rate()) != 0) {
		if (!w->write_failed_told)
			log_warn("speech: cannot write %s: %s", path, strerror(errno));
		w->write_failed_told = true;
	}
	free(sy.pcm);
	free(path);
	run_done(r, sy.aborted ? "interrupted" : NULL);
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;

	pthread_mutex_lock(&w->mu);
	for (;;) {
		while (!w->quit && !w->pending)
			pthread_cond_wait(&w->cv, &w->mu);
		if (w->quit)
			break;
		struct job *j = w->pending;
		w->pending = NULL;
		/* Under mu, as speech_say raises them: a flag or a byte from now
		 * on means "stop this one". */
		atomic_store(&w->cancel, false);
		drain_fd(w->wake[0]);
		pthread_mutex_unlock(&w->mu);

		struct run r = { .w = w, .j = j, .pid = -1, .in = -1, .err = -1 };
		if (w->kind == SPEECH_ESPEAK)
			run_espeak(&r);
		else
			run_wav(&r);
		job_free(j);
		pthread_mutex_lock(&w->mu);
	}
	pthread_mutex_unlock(&w->mu);
	return NULL;
}

static struct worker *worker_new(struct speech *s)
{
	struct worker *w = xcalloc(1, sizeof *w);
	sigset_t all, old;

	w->link = s->link;
	pthread_mutex_lock(&s->link->mu);
	s->link->refs++;
	pthread_mutex_unlock(&s->link->mu);
	w->kind = s->kind;
	w->arg = s->arg ? xstrdup(s->arg) : NULL;
	w->latency_us = -1;
	atomic_init(&w->cancel, false);
	pthread_mutex_init(&w->mu, NULL);
	pthread_cond_init(&w->cv, NULL);
	if (pipe2(w->wake, O_CLOEXEC | O_NONBLOCK) != 0)
		die("speech: pipe: %s", strerror(errno));
	/* Signals belong to the loop thread (its self-pipe); a blocked SIGPIPE
	 * also turns a write to a dead aplay into EPIPE. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	int rc = pthread_create(&w->thread, NULL, worker_main, w);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0)
		die("speech: cannot start a thread: %s", strerror(rc));
	return w;
}

/* Under w->mu: the current utterance must stop. */
static void worker_cancel_locked(struct worker *w)
{
	unsigned char b = 1;
	atomic_store(&w->cancel, true);
	if (write(w->wake[1], &b, 1) < 0) {
		/* full: the worker has plenty of wake-ups already */
	}
}

static void worker_submit(struct worker *w, struct job *j)
{
	pthread_mutex_lock(&w->mu);
	job_free(w->pending);
	w->pending = j;
	worker_cancel_locked(w);
	pthread_cond_signal(&w->cv);
	pthread_mutex_unlock(&w->mu);
}

static void worker_free(struct worker *w)
{
	if (!w)
		return;
	pthread_mutex_lock(&w->mu);
	w->quit = true;
	job_free(w->pending);
	w->pending = NULL;
	worker_cancel_locked(w);
	pthread_cond_signal(&w->cv);
	pthread_mutex_unlock(&w->mu);
	/* The utterance in progress stops at its next chunk, or its aplay is
	 * killed and reaped: the join is short. */
	pthread_join(w->thread, NULL);
	close(w->wake[0]);
	close(w->wake[1]);
	pthread_mutex_destroy(&w->mu);
	pthread_cond_destroy(&w->cv);
	link_unref(w->link);
	free(w->arg);
	free(w);
}

/* ---- the speech object ----------------------------------------------------- */

/* Numbers continue after the highest NNNNNN-*.wav already in dir, so that a
 * restarted kiosk does not overwrite what the last one said. */
static unsigned long wav_next_seq(const char *dir)
{
	unsigned long max = 0;
	DIR *d = opendir(dir);
	struct dirent *e;

	if (!d)
		return 1;
	while ((e = readdir(d))) {
		const char *n = e->d_name;
		int i;
		for (i = 0; i < 6 && n[i] >= '0' && n[i] <= '9'; i++)
			;
		if (i == 6 && n[6] == '-') {
			unsigned long v = strtoul(n, NULL, 10);
			if (v > max)
				max = v;
		}
	}
	closedir(d);
	return max + 1;
}

struct speech *speech_open(struct loop *l, const char *spec, const char *prompts_dir,
                           speech_fn fn, void *ud, char *err, size_t errlen)
{
	enum speech_kind kind;
	const char *arg = NULL;

	if (!err)
		errlen = 0;
	if (errlen)
		err[0] = '\0';
	if (!l || !spec || !*spec) {
		snprintf(err, errlen, "no speech backend given");
		return NULL;
	}
	const char *colon = strchr(spec, ':');
	size_t klen = colon ? (size_t)(colon - spec) : strlen(spec);
	if (colon && colon[1])
		arg = colon + 1;
	if (klen == 4 && memcmp(spec, "none", 4) == 0) {
		kind = SPEECH_NONE;
	} else if (klen == 3 && memcmp(spec, "log", 3) == 0) {
		kind = SPEECH_LOG;
	} else if (klen == 3 && memcmp(spec, "wav", 3) == 0) {
		kind = SPEECH_WAV;
	} else if (klen == 6 && memcmp(spec, "espeak", 6) == 0) {
		kind = SPEECH_ESPEAK;
	} else {
		snprintf(err, errlen, "speech \"%s\": unknown kind \"%.*s\" "
		         "(espeak, log, wav or none)", spec, (int)klen, spec);
		return NULL;
	}
	if ((kind == SPEECH_LOG || kind == SPEECH_WAV) && !arg) {
		snprintf(err, errlen, "speech \"%s\": %s needs a %s", spec,
		         kind == SPEECH_LOG ? "log" : "wav", kind == SPEECH_LOG ? "file" : "folder");
		return NULL;
	}
	if (kind == SPEECH_NONE && arg) {
		snprintf(err, errlen, "speech \"%s\": none takes no argument", spec);
		return NULL;
	}

	int log_fd = -1;
	if (kind == SPEECH_LOG) {
		log_fd = open(arg, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
		if (log_fd < 0) {
			snprintf(err, errlen, "speech \"%s\": %s", spec, strerror(errno));
			return NULL;
		}
	}
	if (kind == SPEECH_WAV) {
		struct stat st;
		int e = 0;
		if (mkdir_p(arg, 0755) != 0 || stat(arg, &st) != 0)
			e = errno;
		else if (!S_ISDIR(st.st_mode))
			e = ENOTDIR;
		else if (access(arg, W_OK) != 0)
			e = errno;
		if (e) {
			snprintf(err, errlen, "speech \"%s\": cannot write to the folder: %s", spec,
			         strerror(e));
			return NULL;
		}
	}
	/* Loads libespeak-ng (the first time), before the worker exists. */
	if (kind == SPEECH_WAV || kind == SPEECH_ESPEAK) {
		char why[sizeof engine_err];
		if (engine_init(why, sizeof why) != 0) {
			snprintf(err, errlen, "speech \"%s\": %s", spec, why);
			return NULL;
		}
	}

	struct speech *s = xcalloc(1, sizeof *s);
	s->loop = l;
	s->kind = kind;
	s->spec = xstrdup(spec);
	s->arg = arg ? xstrdup(arg) : NULL;
	s->prompts_dir = prompts_dir && *prompts_dir ? xstrdup(prompts_dir) : NULL;
	s->fn = fn;
	s->ud = ud;
	s->rate = RATE_DEFAULT;
	s->volume = VOLUME_DEFAULT;
	s->log_fd = log_fd;
	s->link = xcalloc(1, sizeof *s->link);
	pthread_mutex_init(&s->link->mu, NULL);
	s->link->refs = 1;
	s->link->owner = s;
	s->link->loop = l;
	if (kind == SPEECH_WAV)
		s->next_seq = wav_next_seq(arg);
	if (kind == SPEECH_WAV || kind == SPEECH_ESPEAK)
		s->wk = worker_new(s);
	return s;
}

static void speech_destroy(struct speech *s)
{
	s->link->owner = NULL;
	/* Joins the worker (killing and reaping aplay); events still on their
	 * way to the loop are dropped when they arrive. */
	worker_free(s->wk);
	link_unref(s->link);
	if (s->log_fd >= 0)
		close(s->log_fd);
	free(s->prompts_dir);
	free(s->arg);
	free(s->spec);
	free(s);
}

void speech_free(struct speech *s)
{
	if (!s)
		return;
	if (s->depth > 0) {
		s->doomed = true; /* inside our callback: done when it returns */
		return;
	}
	speech_destroy(s);
}

static bool prompt_id_ok(const char *id)
{
	size_t n = 0;
	for (; id[n]; n++) {
		char c = id[n];
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-'))
			return false;
	}
	return n > 0 && n <= PROMPT_ID_MAX;
}

static bool lang_path_ok(const char *lang)
{
	size_t n = 0;
	for (; lang[n]; n++) {
		char c = lang[n];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == '-'))
			return false;
	}
	return n > 0 && n <= 16;
}

/* The recorded prompt for (lang, id), if there is a WAV file for it. */
static char *find_recording(const struct speech *s, const char *lang, const char *id)
{
	if (!id || !s->prompts_dir || !prompt_id_ok(id) || !lang_path_ok(lang))
		return NULL;
	char *path = xasprintf("%s/%s/prompts/%s.wav", s->prompts_dir, lang, id);
	unsigned char head[12];
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	bool ok = false;
	if (fd >= 0) {
		struct stat st;
		ok = fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
		     read(fd, head, sizeof head) == (ssize_t)sizeof head &&
		     memcmp(head, "RIFF", 4) == 0 && memcmp(head + 8, "WAVE", 4) == 0;
		close(fd);
		if (!ok)
			log_warn("speech: %s is not a WAV file: synthesizing instead", path);
	}
	if (!ok) {
		free(path);
		return NULL;
	}
	return path;
}

/* File names: the language as [A-Za-z0-9_-]. */
static char *lang_for_name(const char *lang)
{
	char *d = xstrndup(lang, strnlen(lang, 16));
	for (char *p = d; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || *p == '_' || *p == '-'))
			*p = '_';
	if (!*d) {
		free(d);
		d = xstrdup("xx");
	}
	return d;
}

static void log_say(struct speech *s, const char *lang, const char *text, const char *id,
                    bool recorded)
{
	char *l = clean_text(lang);
	char *line = recorded ? xasprintf("%s\t%s\tprompt:%s\n", l, text, id)
	                      : xasprintf("%s\t%s\n", l, text);
	size_t len = strlen(line), off = 0;
	while (off < len) {
		ssize_t k = write(s->log_fd, line + off, len - off);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0) {
			log_warn("speech: cannot write the transcript %s: %s", s->arg,
			         strerror(errno));
			break;
		}
		off += (size_t)k;
	}
	wipe_str(line);
	free(l);
	event_post(s->link, SPEECH_STARTED, NULL);
	event_post(s->link, SPEECH_DONE, NULL);
}

void speech_say(struct speech *s, const char *lang, const char *text, const char *prompt_id)
{
	if (!s || s->doomed || s->kind == SPEECH_NONE)
		return;
	if (!lang || !*lang)
		lang = "en";
	char *clean = clean_text(text);
	char *rec = find_recording(s, lang, prompt_id);

	if (s->kind == SPEECH_LOG) {
		log_say(s, lang, clean, prompt_id, rec != NULL);
		free(rec);
		wipe_str(clean);
		return;
	}
	struct job *j = xcalloc(1, sizeof *j);
	j->said_us = now_us();
	j->lang = lang_for_name(lang);
	j->text = clean;
	j->recording = rec;
	j->rate = s->rate;
	j->volume = s->volume;
	if (s->kind == SPEECH_WAV)
		j->seq = s->next_seq++;
	worker_submit(s->wk, j);
}

void speech_stop(struct speech *s)
{
	if (!s || !s->wk)
		return;
	pthread_mutex_lock(&s->wk->mu);
	job_free(s->wk->pending);
	s->wk->pending = NULL;
	worker_cancel_locked(s->wk);
	pthread_mutex_unlock(&s->wk->mu);
}

void speech_set_rate(struct speech *s, int wpm)
{
	if (s)
		s->rate = clamp(wpm, RATE_MIN, RATE_MAX);
}

void speech_set_volume(struct speech *s, int volume)
{
	if (s)
		s->volume = clamp(volume, VOLUME_MIN, VOLUME_MAX);
}

int speech_rate(const struct speech *s)
{
	return s ? s->rate : RATE_DEFAULT;
}

int speech_volume(const struct speech *s)
{
	return s ? s->volume : VOLUME_DEFAULT;
}

long long speech_last_latency_us(struct speech *s)
{
	if (!s || !s->wk)
		return -1;
	pthread_mutex_lock(&s->wk->mu);
	long long v = s->wk->latency_us;
	pthread_mutex_unlock(&s->wk->mu);
	return v;
}

int speech_synth_wav(const char *lang, const char *text, int wpm, const char *path,
                     char *err, size_t errlen)
{
	struct synth sy = { 0 };
	char why[200];

	if (!err)
		errlen = 0;
	if (errlen)
		err[0] = '\0';
	if (!path) {
		snprintf(err, errlen, "no file given");
		return -1;
	}
	char *clean = clean_text(text);
	int rc = engine_synth(lang && *lang ? lang : "en", clean, wpm ? wpm : RATE_DEFAULT,
	                      VOLUME_DEFAULT, &sy, why, sizeof why);
	wipe_str(clean);
	if (rc != 0) {
		snprintf(err, errlen, "%s", why);
	} else if (wav_write(path, sy.pcm, sy.n, engine_sample_rate()) != 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		rc = -1;
	}
	free(sy.pcm);
	return rc;
}
