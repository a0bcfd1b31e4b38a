#!/bin/sh
# run.sh: run every test binary `make check` built and print one total.
#
# Suites, in order:
#   unit        build/tests/unit        (gcc)
#   asan-unit   build/asan/tests/unit   (clang + ASan + UBSan)
#   client, asan-client                 the client's modules that need no
#                                       terminal (loop, config, URL policy)
#   asan-e2e    build/asan/tests/e2e    driving build/asan/kiosk and
#                                       build/asan/gatewayd in ptys
#   fuzz-NAME   build/fuzz/NAME         a bounded libFuzzer run over a copy
#                                       of tests/fuzz/corpus/NAME/ (if any)
#   man         tests/man/check.sh      the man pages render without warnings
#                                       and name every flag and config key
#   deb         tests/deb/check.sh      make deb, lintian, apt-get install of
#                                       both packages, their files and user,
#                                       then purge (as root; skipped if not)
# A Criterion suite counts its own tests (crashes are failures); a fuzz target
# counts as one test; a binary that should exist and does not counts as one
# failure. Logs are kept in build/test-logs/ (fuzz crash inputs too). The last
# line is exactly "N passed, N failed"; the exit status is 1 if any failed.
#
# Environment: JOBS (Criterion workers, default 2), E2E_JOBS (the e2e suite's
# workers, default 4: its tests mostly wait on the kiosk and the gateway, so
# 4 workers on 2 cores halve its time), TEST_TIMEOUT (seconds per
# test, default 120), FUZZ_RUNS (default 20000), FUZZ_SECONDS (default 15).
set -u
cd "$(dirname "$0")/.." || exit 2

JOBS=${JOBS:-2}
E2E_JOBS=${E2E_JOBS:-4}
TEST_TIMEOUT=${TEST_TIMEOUT:-120}
SUITE_TIMEOUT=${SUITE_TIMEOUT:-1800}
FUZZ_RUNS=${FUZZ_RUNS:-20000}
FUZZ_SECONDS=${FUZZ_SECONDS:-15}

# Criterion's library leaks a little at exit; our code is never suppressed.
LSAN_OPTIONS="suppressions=$PWD/tests/lsan.supp${LSAN_OPTIONS:+:$LSAN_OPTIONS}"
export LSAN_OPTIONS

logs=build/test-logs
mkdir -p "$logs" || exit 2
tmp=$(mktemp -d "${TMPDIR:-/tmp}/kiosk-tests-XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM

passed=0
failed=0

# Prints a log indented, at most 300 lines of it, after the names of the
# tests that failed and their assertion messages (Criterion's [FAIL] and
# [----] lines), so a long log cut short still says what broke.
show_log() {
	if grep -qE '^\[(FAIL|----)\]' "$1"; then
		echo "  | failing:"
		grep -E '^\[(FAIL|----)\]' "$1" | head -n 60 | sed 's/^/  |   /'
	fi
	n=$(wc -l < "$1")
	if [ "$n" -gt 300 ]; then
		head -n 300 "$1" | sed 's/^/  | /'
		echo "  | ... ($n lines in all: $1)"
	else
		sed 's/^/  | /' "$1"
	fi
}

# criterion_suite NAME BINARY [VAR=VALUE...]
criterion_suite() {
	name=$1
	bin=$2
	shift 2
	log="$logs/$name.log"
	if [ ! -x "$bin" ]; then
		echo "FAIL $name: $bin was not built (counted as 1 failure)"
		failed=$((failed + 1))
		return
	fi
	env "$@" timeout -k 10 "$SUITE_TIMEOUT" "$bin" --jobs "${SUITE_JOBS:-$JOBS}" \
		--timeout "$TEST_TIMEOUT" > "$log" 2>&1
	rc=$?
	line=$(grep 'Synthesis: Tested:' "$log" | tail -n 1)
	counts=$(printf '%s\n' "$line" | sed -n \
		's/.*Tested: *\([0-9]*\) *| *Passing: *\([0-9]*\) *| *Failing: *\([0-9]*\) *| *Crashing: *\([0-9]*\).*/\1 \2 \3 \4/p')
	if [ -z "$counts" ]; then
		echo "FAIL $name: no Criterion summary (exit status $rc; counted as 1 failure)"
		failed=$((failed + 1))
		show_log "$log"
		return
	fi
	# shellcheck disable=SC2086
	set -- $counts
	tested=$1 pass=$2 crash=$4
	# Criterion counts a crash as a failure too; Tested - Passing is both.
	bad=$((tested - pass))
	passed=$((passed + pass))
	failed=$((failed + bad))
	if [ "$bad" -gt 0 ]; then
		echo "FAIL $name: $bad of $tested failed ($crash crashed)"
		show_log "$log"
	elif [ "$rc" -ne 0 ]; then
		echo "FAIL $name: all $tested passed but it exited with status $rc (counted as 1 failure)"
		failed=$((failed + 1))
		show_log "$log"
	else
		echo "PASS $name: $tested tests"
	fi
}

# fuzz_target NAME
fuzz_target() {
	name=$1
	bin=build/fuzz/$name
	log="$logs/fuzz-$name.log"
	if [ ! -x "$bin" ]; then
		echo "FAIL fuzz-$name: $bin was not built (counted as 1 failure)"
		failed=$((failed + 1))
		return
	fi
	corpus="$tmp/corpus-$name"
	mkdir -p "$corpus"
	# A copy: libFuzzer adds what it finds to its corpus directory.
	if [ -d "tests/fuzz/corpus/$name" ]; then
		cp -R "tests/fuzz/corpus/$name/." "$corpus/"
	fi
	timeout -k 10 $((FUZZ_SECONDS + 120)) "$bin" -runs="$FUZZ_RUNS" \
		-max_total_time="$FUZZ_SECONDS" -timeout=10 -rss_limit_mb=2048 \
		-artifact_prefix="$logs/fuzz-$name-" "$corpus" > "$log" 2>&1
	rc=$?
	if [ "$rc" -eq 0 ]; then
		passed=$((passed + 1))
		echo "PASS fuzz-$name: $(grep '^Done ' "$log" | tail -n 1)"
	else
		failed=$((failed + 1))
		echo "FAIL fuzz-$name: exit status $rc (inputs that fail: $logs/fuzz-$name-*)"
		tail -n 60 "$log" | sed 's/^/  | /'
	fi
}

# script_suite NAME COMMAND...: a shell test whose last line is exactly
# "N passed, M failed" (tests/man/check.sh, tests/deb/check.sh).
script_suite() {
	name=$1
	shift
	log="$logs/$name.log"
	timeout -k 10 "$SUITE_TIMEOUT" "$@" > "$log" 2>&1
	rc=$?
	counts=$(tail -n 1 "$log" | sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed$/\1 \2/p')
	if [ -z "$counts" ]; then
		echo "FAIL $name: no \"N passed, M failed\" line (exit status $rc; counted as 1 failure)"
		failed=$((failed + 1))
		show_log "$log"
		return
	fi
	# shellcheck disable=SC2086
	set -- $counts
	passed=$((passed + $1))
	failed=$((failed + $2))
	if [ "$2" -gt 0 ] || [ "$rc" -ne 0 ]; then
		[ "$2" -gt 0 ] || failed=$((failed + 1))
		echo "FAIL $name: $2 of $(($1 + $2)) failed (exit status $rc)"
		grep '^not ok' "$log" | head -n 40 | sed 's/^/  | /'
		show_log "$log"
	else
		echo "PASS $name: $1 checks"
	fi
}

echo "== tests"
criterion_suite unit build/tests/unit
criterion_suite asan-unit build/asan/tests/unit
criterion_suite client build/tests/client
criterion_suite asan-client build/asan/tests/client
for b in build/asan/kiosk build/asan/gatewayd; do
	[ -x "$b" ] || echo "note: $b is missing: the e2e tests that need it will fail"
done
SUITE_JOBS=$E2E_JOBS
criterion_suite asan-e2e build/asan/tests/e2e \
	KIOSK_BIN="$PWD/build/asan/kiosk" GATEWAYD_BIN="$PWD/build/asan/gatewayd"
SUITE_JOBS=

# Every target a source says should exist, and any other that was built.
names=""
for f in tests/fuzz/*.c build/fuzz/*; do
	[ -e "$f" ] || continue
	case "$f" in
	tests/fuzz/*) n=$(basename "$f" .c) ;;
	*)
		if [ ! -f "$f" ] || [ ! -x "$f" ]; then
			continue
		fi
		n=$(basename "$f")
		;;
	esac
	case " $names " in
	*" $n "*) ;;
	*) names="$names $n" ;;
	esac
done
if [ -z "$names" ]; then
	echo "note: no fuzz targets (tests/fuzz/*.c) yet"
fi
for n in $names; do
	fuzz_target "$n"
done

# The man pages against the programs' --help and the config parser; the
# Debian packages built, checked by lintian, installed, looked at, purged.
script_suite man sh tests/man/check.sh build/kiosk build/gatewayd
script_suite deb sh tests/deb/check.sh

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
