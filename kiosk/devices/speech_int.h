/* speech_int.h: private to kiosk/devices/speech.c and its tests (not a contract).
 *
 * Seams for tests: a hook called by the worker after each chunk of audio
 * it synthesizes (a test can hold the worker mid-utterance and say
 * something else meanwhile), the latency of the last utterance, and the
 * name libespeak-ng is loaded by (to test a missing library).
 */
#ifndef KIOSK_SPEECH_INT_H
#define KIOSK_SPEECH_INT_H

struct speech;

/* Worker thread, for every chunk a speech object's worker synthesizes
 * (espeak and wav backends; not speech_synth_wav), after the chunk was
 * stored or handed to the player and before the cancel flag is checked.
 * NULL (the default) outside tests. */
extern void (*speech_test_chunk_hook)(void *arg);
extern void *speech_test_chunk_arg;

/* The file name libespeak-ng is dlopen()ed by, if set before speech first
 * needs the engine (NULL, the default: "libespeak-ng.so.1"): a test points
 * it at a library that does not exist, or at one without espeak's symbols. */
extern const char *speech_test_espeak_lib;

/* Microseconds from the speech_say() that started the last utterance to
 * its first audio: written to aplay's stdin (espeak) or synthesized (wav).
 * -1 if no utterance produced audio yet. Thread-safe. */
long long speech_last_latency_us(struct speech *s);

#endif
