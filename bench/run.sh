#!/bin/sh
# run.sh: the benchmark report (`make bench` runs `sh bench/run.sh build`).
#
#   sh bench/run.sh [BUILD_DIR]      default build; needs BUILD_DIR/kiosk,
#                                    BUILD_DIR/gatewayd, BUILD_DIR/bench/*
#
# Every figure is printed under the command that produced it, so any one can
# be re-run alone. Times are wall-clock (CLOCK_MONOTONIC), medians with min
# and max; there are no pass/fail thresholds (machines are noisy). The exit
# status is 1 only if a benchmark could not run at all.
#
# Environment: BENCH_RUNS (start-ups per figure, default 15), BENCH_KEYS
# (keys per latency figure, default 200), BENCH_SERVICES (catalog size,
# default 10000), BENCH_FALLBACK (the size used when the kiosk refuses the
# big catalog, default 5000: the largest round size whose JSON fits the
# kiosk's 1 MiB answer limit), BENCH_SPEECH (utterances per speech figure,
# default 30), BENCH_VOICE_KEYS (focus moves in voice mode, default 30),
# BENCH_PAYMENTS (payments for the pay -> QR figure, default 20),
# RSS_SETTLE_MS (bench/rss.sh: how long the kiosk settles before its peak
# memory is read, default 700).
set -u
cd "$(dirname "$0")/.." || exit 2

O=${1:-build}
RUNS=${BENCH_RUNS:-15}
KEYS=${BENCH_KEYS:-200}
SERVICES=${BENCH_SERVICES:-10000}
FALLBACK=${BENCH_FALLBACK:-5000}
SPEECH_RUNS=${BENCH_SPEECH:-30}
VOICE_KEYS=${BENCH_VOICE_KEYS:-30}
PAYMENTS=${BENCH_PAYMENTS:-20}
TTY=$O/bench/tty
CORE=$O/bench/core
SPEECH=$O/bench/speech
EMV=$O/bench/emv
PAY=$O/bench/pay
SEARCH=$O/bench/search
MIRROR=$O/bench/mirror
failed=0

for b in "$O/kiosk" "$O/gatewayd" "$TTY" "$CORE" "$SPEECH" "$EMV" "$PAY" "$SEARCH" "$MIRROR"; do
	if [ ! -x "$b" ]; then
		echo "bench: $b is missing (run make bench)" >&2
		exit 2
	fi
done
if [ ! -f "$O/locale/zh_CN/LC_MESSAGES/kiosk.mo" ]; then
	echo "bench: $O/locale/zh_CN/LC_MESSAGES/kiosk.mo is missing: the kiosk would not show Chinese (run make)" >&2
	exit 2
fi

# Runs a command after printing it; rc 3 from tty/core means "the kiosk did
# not load the catalog" (reported, not a failure of the benchmark).
run() {
	echo "\$ $*"
	"$@"
	rc=$?
	if [ "$rc" -ne 0 ] && [ "$rc" -ne 3 ]; then
		echo "  (failed: exit status $rc)"
		failed=1
	fi
	echo
	return "$rc"
}

section() {
	echo "== $* =="
}

# Like run, but also keeps the output in the file $1 (for figures composed
# from two benchmarks); the output appears once the command has finished.
run_keep() {
	keep=$1
	shift
	echo "\$ $*"
	"$@" >"$keep"
	rc=$?
	cat "$keep"
	if [ "$rc" -ne 0 ]; then
		echo "  (failed: exit status $rc)"
		failed=1
	fi
	echo
	return "$rc"
}

# The median on the first line matching $2 (after a line matching $3, if
# given) in the file $1; empty if there is none.
median_of() {
	awk -v pat="$2" -v after="${3:-}" '
		after != "" && !seen { if (index($0, after)) seen = 1; next }
		index($0, pat) { for (i = 1; i < NF; i++) if ($i == "median") { print $(i + 1); exit } }
	' "$1"
}

add_ms() {
	awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a + b }'
}

echo "kiosk benchmarks, $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "machine: $(nproc) cores, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)," \
	"Linux $(uname -r), Debian $(cat /etc/debian_version 2>/dev/null || echo '?')"
echo "terminal: harness pty + libvterm, 80x24, TERM=xterm-256color, LANG=C.UTF-8; every time includes the pty round trip"
echo "load: $(cut -d' ' -f1-3 /proc/loadavg) (other work on the machine shows up in min/max)"
echo

section "1. start-up: fork/exec -> first painted screen"
run "$TTY" exec --runs "$RUNS"
run "$TTY" startup --runs "$RUNS"
run "$TTY" startup --runs "$RUNS" --synthetic "$SERVICES"
if [ $? -eq 3 ]; then
	echo "  -> the same with $FALLBACK generated services (the largest round size the kiosk accepts):"
	run "$TTY" startup --runs "$RUNS" --synthetic "$FALLBACK"
fi

section "2-4. browsing the big catalog: peak RSS, bytes per focus move, time per key"
run "$TTY" browse --synthetic "$SERVICES" --keys "$KEYS"
if [ $? -eq 3 ]; then
	echo "  -> the same with $FALLBACK generated services:"
	run "$TTY" browse --synthetic "$FALLBACK" --keys "$KEYS"
fi

section "3b. the pure core without a terminal: catalog decoding, layout per key"
run "$CORE" --synthetic "$SERVICES" --runs "$RUNS"

section "5. comparison: dialog --menu with $SERVICES items"
if command -v dialog >/dev/null 2>&1; then
	echo "($(dialog --version 2>&1 | head -n 1))"
	run "$TTY" dialog --items "$SERVICES" --runs "$RUNS" --keys "$KEYS"
else
	echo "dialog not installed, skipped"
	echo
fi
echo "peers, as quoted in the shared design/platform-notes.md (not re-measured by this script):"
echo "  dialog --menu, 10,000 items: 113 ms to first paint, 53 bytes per focus move, 16.4 MB peak RSS"
echo "  fzy -e QUERY over 10,000 names: 4 ms for the whole process"
echo

section "6. voice prompts: synthesis latency (espeak-ng, aplay -D null: no sound card)"
tmp_speech=$(mktemp /tmp/bench-run-XXXXXX)
tmp_voice=$(mktemp /tmp/bench-run-XXXXXX)
run_keep "$tmp_speech" "$SPEECH" --runs "$SPEECH_RUNS"

section "7. voice mode: focus move -> start of its spoken prompt"
run_keep "$tmp_voice" "$TTY" voice --keys "$VOICE_KEYS"
paint=$(median_of "$tmp_voice" "voice mode: key -> paint settled")
synth=$(median_of "$tmp_speech" "say -> first samples to aplay" "zh_CN, one after the other")
synth_cut=$(median_of "$tmp_speech" "say -> first samples to aplay" "each cutting the previous")
tap=$(median_of "$tmp_voice" "key -> first audio bytes")
if [ -n "$paint" ] && [ -n "$synth" ]; then
	echo "focus move -> start of speech, composed: the kiosk calls speech_say() in the same loop"
	echo "pass as the paint, so key -> paint settled (voice mode, above) + say -> first samples"
	echo "handed to aplay ($SPEECH, zh_CN):"
	echo "  previous prompt finished:    $paint ms + $synth ms = $(add_ms "$paint" "$synth") ms"
	[ -n "$synth_cut" ] &&
		echo "  cutting the previous short:  $paint ms + $synth_cut ms = $(add_ms "$paint" "$synth_cut") ms"
	[ -n "$tap" ] &&
		echo "  measured directly, key -> first samples out of aplay (ALSA file plugin): $tap ms"
	echo "  (the difference is aplay's own start: exec, ALSA set-up, one period read from the pipe;"
	echo "  a real sound card's buffering comes on top and is not measured here)"
else
	echo "focus move -> start of speech: not composed (a figure above is missing)"
fi
echo
rm -f "$tmp_speech" "$tmp_voice"

section "8. large mode: relayout when it is switched on or off, and on the resize that follows"
run "$TTY" large --runs "$RUNS"

section "9. payments: the EMV check alone, per payload"
run "$EMV" --runs "$RUNS"

section "10. payments: answer received -> QR painted (parse, check, encode, draw); bytes to draw the payment screen"
run "$PAY" --runs "$PAYMENTS"

section "11. memory: peak RSS (VmHWM) with $SERVICES services: no catalog, from the gateway, from the cache, a new catalog; dialog"
run sh bench/rss.sh "$O"

section "12. search: index build, time per keystroke at 10,000 services, against fzy -e on the same names"
run "$SEARCH" --runs "$RUNS"

section "13. the mirror (kiosk --mirror): the screen rendered as a frame for a viewer, per paint while watched"
run "$MIRROR" --runs "$((RUNS * 10))"

if [ "$failed" -ne 0 ]; then
	echo
	echo "bench: some benchmarks could not run (see above)"
	exit 1
fi
exit 0
