/* speech.h: voice prompts (voice mode, 语音播报).
 *
 * One utterance at a time: speech_say() interrupts whatever is being spoken
 * (a new screen cuts the old prompt short). Synthesis (libespeak-ng) and
 * playback (ALSA through `aplay`, or the sound device named in the spec)
 * run in a worker thread; nothing here blocks the loop.
 *
 * Backends, by spec ("--speech KIND[:ARG]"):
 *   espeak[:DEVICE]  synthesize and play (DEVICE: an ALSA device name for
 *                    aplay -D; default: the default device)
 *   log:FILE         append each utterance as one line "LANG<TAB>TEXT" (the
 *                    tests' oracle); nothing is synthesized
 *   wav:DIR          synthesize each utterance to DIR/NNNNNN-LANG.wav
 *   none             silence
 * A recorded prompt (PROMPTS/<lang>/prompts/<id>.wav, PROMPTS being the
 * locale folder) replaces synthesis for that prompt where present.
 * Voices: Mandarin "cmn-latn-pinyin" (zh_CN and zh_TW), English "en-us".
 * A missing audio device is reported once (status callback and log) and the
 * kiosk goes on silently.
 * libespeak-ng is not linked but loaded (dlopen) by the first speech_open of
 * espeak or wav, or the first speech_synth_wav; log and none never load it.
 * Without the library speech_open of espeak or wav fails with a reason.
 */
#ifndef KIOSK_SPEECH_H
#define KIOSK_SPEECH_H

#include <stdbool.h>
#include <stddef.h>

struct loop;
struct speech;

enum speech_event {
	SPEECH_STARTED,      /* audio (or the log line) for an utterance began */
	SPEECH_DONE,         /* it ended (or was interrupted) */
	SPEECH_AUDIO_FAILED, /* no audio device: once; speech goes on silently */
};

/* Called in the loop thread. */
typedef void (*speech_fn)(void *ud, enum speech_event ev, const char *why);

/* Opens a backend. A bad spec returns NULL with an English message. A
 * synthesizer or audio device that fails later is reported through fn. */
struct speech *speech_open(struct loop *l, const char *spec, const char *prompts_dir,
                           speech_fn fn, void *ud, char *err, size_t errlen);
void speech_free(struct speech *s);

/* Speaks text (UTF-8) in lang ("zh_CN", "zh_TW", "en"), interrupting the
 * current utterance. prompt_id (may be NULL) names a recorded prompt that
 * replaces synthesis if its file exists. Copies everything it needs. */
void speech_say(struct speech *s, const char *lang, const char *text, const char *prompt_id);
void speech_stop(struct speech *s);

/* Rate in words per minute (80..400, default 150); volume 10..200
 * (default 100). Take effect from the next utterance. */
void speech_set_rate(struct speech *s, int wpm);
void speech_set_volume(struct speech *s, int volume);
int speech_rate(const struct speech *s);
int speech_volume(const struct speech *s);

/* Synthesizes text to a WAV file (16-bit mono) synchronously: for tests
 * and `make bench`; not for the loop thread. Returns 0 or -1 (err). */
int speech_synth_wav(const char *lang, const char *text, int wpm, const char *path,
                     char *err, size_t errlen);

#endif
