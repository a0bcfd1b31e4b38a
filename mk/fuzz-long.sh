#!/bin/sh
# fuzz-long.sh: every libFuzzer target (build/fuzz/*) for FUZZ_LONG_SECONDS
# (default 600) each, FUZZ_JOBS (default 2) at a time, each from a copy of
# its corpus in tests/fuzz/corpus/NAME. Prints one line per target: runs,
# runs per second, corpus size, and any crash (its input is kept in
# build/test-logs/fuzz-long-NAME-*). Exit status 1 if any target failed.
set -u
cd "$(dirname "$0")/.." || exit 2
secs=${FUZZ_LONG_SECONDS:-600}
jobs=${FUZZ_JOBS:-2}
logs=build/test-logs
mkdir -p "$logs"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/kiosk-fuzz-long-XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT

run_one() {
	name=$1
	corpus="$tmp/corpus-$name"
	mkdir -p "$corpus"
	[ -d "tests/fuzz/corpus/$name" ] && cp -R "tests/fuzz/corpus/$name/." "$corpus/"
	timeout -k 10 $((secs + 120)) "build/fuzz/$name" -max_total_time="$secs" -timeout=10 \
		-rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$logs/fuzz-long-$name-" \
		"$corpus" > "$logs/fuzz-long-$name.log" 2>&1
	rc=$?
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$logs/fuzz-long-$name.log" | tail -n 1)
	rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$logs/fuzz-long-$name.log" | tail -n 1)
	files=$(ls "$corpus" | wc -l)
	if [ "$rc" -eq 0 ]; then
		echo "PASS $name: ${runs:-?} runs in ${secs} s (${rate:-?}/s), corpus $files inputs"
	else
		echo "FAIL $name: exit $rc after ${runs:-?} runs; see $logs/fuzz-long-$name.log"
		echo 1 > "$tmp/failed"
	fi
}

names=$(ls build/fuzz 2>/dev/null)
[ -n "$names" ] || { echo "no fuzz targets built (make fuzz)"; exit 2; }
running=0
for n in $names; do
	[ -x "build/fuzz/$n" ] || continue
	run_one "$n" &
	running=$((running + 1))
	if [ "$running" -ge "$jobs" ]; then
		wait -n 2>/dev/null || wait
		running=$((running - 1))
	fi
done
wait
[ ! -e "$tmp/failed" ]
