#!/bin/sh
# mutate.sh: the mutation check (`make mutate`). Do the tests fail when the
# code that guards citizens and money is broken?
#
# Each mutant of mk/mutants.txt (the format is described there) changes one
# line of the sources. The tree is copied to build/mutate/src (the working
# tree as it is, build/ left out: others may be editing and building in the
# real one, which is never touched); there each mutant is applied in turn,
# the copy is built (gcc; MUTATE_SAN=1: clang with ASan and UBSan), and only
# the tests the mutant names are run. A mutant is
#   caught    a test it names failed or crashed,
#   SURVIVED  they all passed,
#   STALE     its original text is not found exactly once in its file, or no
#             test matched its filter,
#   NOBUILD   the mutated copy did not compile,
# and the copy is restored before the next. Before the mutants, every test
# named in the list runs once on the unmutated copy: one that fails there
# cannot catch anything and is reported (and ignored for the mutants).
# The last line is "mutation score: C/N caught"; the exit status is 1 unless
# every mutant was caught. Logs: build/mutate/logs/NAME.log.
#
# Environment: MUTANTS (shell patterns: only the mutants whose name matches
# one, e.g. MUTANTS='wipe-* tls-*'), MUTANT_LIST (another list), MUTATE_TREE
# (a commit to copy instead of the working tree, e.g. HEAD), MUTATE_BASELINE=0
# (skip the unmutated run), MUTATE_DRY=1 (only check that each mutant's text
# is found: no build, no tests), MUTATE_SAN=1, JOBS (Criterion workers,
# default 2), TEST_TIMEOUT (seconds a test, default 150).
set -u
cd "$(dirname "$0")/.." || exit 2

list=${MUTANT_LIST:-mk/mutants.txt}
work=build/mutate
src=$work/src
out=build/mut
logs=$work/logs
JOBS=${JOBS:-2}
TEST_TIMEOUT=${TEST_TIMEOUT:-150}
only=${MUTANTS:-*}

# selected NAME: true if NAME matches one of the MUTANTS patterns.
selected() {
	set -f
	for p in $only; do
		# shellcheck disable=SC2254
		case "$1" in $p) set +f; return 0 ;; esac
	done
	set +f
	return 1
}

if [ "${MUTATE_SAN:-0}" = 1 ]; then
	out=build/mut-asan
	build_vars="CC=clang SAN=1"
	LSAN_OPTIONS="suppressions=$PWD/tests/lsan.supp${LSAN_OPTIONS:+:$LSAN_OPTIONS}"
	export LSAN_OPTIONS
else
	build_vars=""
fi

mkdir -p "$src" "$logs" || exit 2
rm -f "$logs"/*.log # this run's only
tmp=$(mktemp -d "${TMPDIR:-/tmp}/kiosk-mutate-XXXXXX") || exit 2
applied=$work/applied

# ---- the copy ---------------------------------------------------------------

# Puts back the file a mutant changed. The restored file gets a new mtime,
# so make rebuilds what the mutant's build left behind.
restore() {
	if [ -f "$applied" ]; then
		f=$(cat "$applied")
		[ -f "$work/orig" ] && cp "$work/orig" "$src/$f"
		touch "$src/$f"
		rm -f "$applied" "$work/orig"
	fi
}
trap 'restore; rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM

# The working tree (tracked files and new ones git does not ignore), or the
# commit MUTATE_TREE names, into the copy. Only files whose content changed
# are written, so the copy's build stays incremental.
sync_tree() {
	restore # an interrupted run may have left a mutant behind
	mkdir -p "$tmp/tree"
	if [ -n "${MUTATE_TREE:-}" ]; then
		git archive "$MUTATE_TREE" | tar -xf - -C "$tmp/tree" || return 1
	else
		git ls-files -z -c -o --exclude-standard > "$tmp/files" || return 1
		tr '\0' '\n' < "$tmp/files" | while IFS= read -r f; do
			[ -f "$f" ] && printf '%s\0' "$f"
		done | tar --null -T - -cf - | tar -xf - -C "$tmp/tree" || return 1
	fi
	(cd "$tmp/tree" && find . -type f) | while IFS= read -r f; do
		f=${f#./}
		if ! cmp -s "$tmp/tree/$f" "$src/$f"; then
			mkdir -p "$(dirname "$src/$f")"
			cp "$tmp/tree/$f" "$src/$f"
		fi
	done
	# Files gone from the working tree go from the copy too.
	(cd "$src" && find . -path ./build -prune -o -type f -print) | while IFS= read -r f; do
		f=${f#./}
		[ -f "$tmp/tree/$f" ] || rm -f "$src/$f"
	done
	rm -rf "$tmp/tree"
}

build() {
	# shellcheck disable=SC2086
	make -C "$src" --no-print-directory -j2 O=$out $build_vars tests > "$1" 2>&1
}

# ---- tests -------------------------------------------------------------------

# run_tests BIN FILTER LOG: runs the Criterion binary BIN (unit, client, e2e)
# of the copy on FILTER; prints "TESTED PASSED" from its summary ("" if none).
run_tests() {
	bin=$src/$out/tests/$1
	# The copy's kiosk is also the "production" one test_hardening.c wants;
	# its launcher is the one test_screen.c runs.
	env KIOSK_BIN="$PWD/$src/$out/kiosk" PROD_KIOSK_BIN="$PWD/$src/$out/kiosk" \
		KIOSK_SESSION="$PWD/$src/dist/kiosk-session" \
		GATEWAYD_BIN="$PWD/$src/$out/gatewayd" \
		timeout -k 10 $((TEST_TIMEOUT * 4 + 60)) "$bin" --filter "$2" --jobs "$JOBS" \
		--timeout "$TEST_TIMEOUT" >> "$3" 2>&1 < /dev/null
	grep 'Synthesis: Tested:' "$3" | tail -n 1 | sed -n \
		's/.*Tested: *\([0-9]*\) *| *Passing: *\([0-9]*\).*/\1 \2/p'
}

# ---- the list ------------------------------------------------------------------

# Blocks of the list as one record a line:
# NAME<US>FILE<US>CONTEXT<US>ORIG<US>REPL<US>TESTS, TESTS being "BIN FILTER"
# pairs joined by <RS>.
US=$(printf '\037')
RS=$(printf '\036')
parse_list() {
	awk -v US="$US" -v RS_="$RS" '
	function flush() {
		if (name != "")
			print name US file US ctx US orig US repl US tests
		name = ""; file = ""; ctx = ""; orig = ""; repl = ""; tests = ""
	}
	/^[ \t]*(#|$)/ { next }
	/^mutant[ \t]/ { flush(); name = $2; file = $3; next }
	/^~ / { ctx = substr($0, 3); sub(/^[ \t]+/, "", ctx); next }
	/^- / { orig = substr($0, 3); sub(/^[ \t]+/, "", orig); next }
	/^-$/ { orig = ""; next }
	/^\+ / { repl = substr($0, 3); sub(/^[ \t]+/, "", repl); next }
	/^\+$/ { repl = ""; next }
	/^= / { t = substr($0, 3); tests = tests (tests == "" ? "" : RS_) t; next }
	{ printf "%s:%d: cannot read this line\n", FILENAME, NR > "/dev/stderr"; bad = 1 }
	END { flush(); exit bad }' "$list"
}

# apply FILE CONTEXT ORIG REPL: replaces the one occurrence of ORIG in the
# copy's FILE (with a CONTEXT: the first occurrence of ORIG within the 12
# lines that begin where the one occurrence of CONTEXT does); prints how many
# there were (only 1 is applied).
apply() {
	MUT_CTX=$2 MUT_ORIG=$3 MUT_REPL=$4 perl -e '
		my ($path) = @ARGV;
		open(my $in, "<", $path) or do { print "0\n"; exit 0 };
		local $/; my $text = <$in>; close $in;
		my ($c, $o, $r) = ($ENV{MUT_CTX}, $ENV{MUT_ORIG}, $ENV{MUT_REPL});
		sub count { my ($t, $s) = @_; my ($n, $at, $i) = (0, -1, index($t, $s));
			while ($s ne "" && $i >= 0) { $n++; $at = $i if $at < 0; $i = index($t, $s, $i + 1); }
			return ($n, $at); }
		my ($n, $at) = count($text, $o);
		if ($c ne "") {
			my ($nc, $cat) = count($text, $c);
			$n = 0;
			if ($nc == 1) {
				$at = index($text, $o, $cat);
				my $gap = $at < 0 ? "" : substr($text, $cat, $at - $cat);
				$n = $at >= 0 && ($gap =~ tr/\n//) < 12 ? 1 : 0;
			}
		}
		if ($n == 1) {
			substr($text, $at, length($o)) = $r;
			open(my $w, ">", $path) or die "$path: $!";
			print $w $text; close $w;
		}
		print "$n\n";' "$src/$1"
}

parse_list > "$tmp/mutants" || exit 2
began=$(date +%s)

# ---- run ---------------------------------------------------------------------------

echo "== mutation check: copying the tree to $src"
sync_tree || { echo "mutate: cannot copy the tree"; exit 2; }
if [ "${MUTATE_DRY:-0}" = 1 ]; then
	echo "== MUTATE_DRY=1: only finding each mutant's text"
elif echo "== building the copy (O=$out${build_vars:+ $build_vars})" && ! build "$logs/build.log"; then
	echo "mutate: the unmutated copy does not build (see $logs/build.log)"
	tail -n 30 "$logs/build.log"
	exit 2
fi

# Every test pair named by a selected mutant, once.
: > "$tmp/pairs"
while IFS="$US" read -r name file ctx orig repl tests; do
	selected "$name" || continue
	printf '%s\n' "$tests" | tr "$RS" '\n' >> "$tmp/pairs"
done < "$tmp/mutants"
sort -u "$tmp/pairs" -o "$tmp/pairs"

: > "$tmp/bad_pairs"
if [ "${MUTATE_BASELINE:-1}" != 0 ] && [ "${MUTATE_DRY:-0}" != 1 ]; then
	echo "== baseline: the named tests on the unmutated copy"
	while read -r bin filter; do
		log="$logs/baseline-$bin-$(printf '%s' "$filter" | tr -c 'A-Za-z0-9_.-' '_').log"
		: > "$log"
		res=$(run_tests "$bin" "$filter" "$log")
		# shellcheck disable=SC2086
		set -- $res
		if [ $# -ne 2 ] || [ "$1" -eq 0 ] || [ "$1" -ne "$2" ]; then
			echo "BASELINE FAIL $bin $filter (${res:-no summary}; see $log): ignored below"
			printf '%s %s\n' "$bin" "$filter" >> "$tmp/bad_pairs"
		fi
	done < "$tmp/pairs"
fi

total=0 caught=0 survived=0 stale=0 nobuild=0
while IFS="$US" read -r name file ctx orig repl tests; do
	selected "$name" || continue
	total=$((total + 1))
	log="$logs/$name.log"
	start=$(date +%s)
	cp "$src/$file" "$work/orig" 2>/dev/null || : > "$work/orig"
	printf '%s\n' "$file" > "$applied"
	n=$(apply "$file" "$ctx" "$orig" "$repl" < /dev/null)
	if [ "$n" != 1 ]; then
		restore
		stale=$((stale + 1))
		printf 'STALE     %-34s %s: the original text is found %s times%s\n' "$name" "$file" "$n" \
			"${ctx:+ after its context}"
		continue
	fi
	if [ "${MUTATE_DRY:-0}" = 1 ]; then
		restore
		caught=$((caught + 1))
		printf 'found     %-34s %s\n' "$name" "$file"
		continue
	fi
	{
		echo "mutant $name in $file"
		[ -z "$ctx" ] || echo "~ $ctx"
		echo "- $orig"
		echo "+ $repl"
	} > "$log"
	if ! build "$tmp/build.log" < /dev/null; then
		cat "$tmp/build.log" >> "$log"
		restore
		nobuild=$((nobuild + 1))
		printf 'NOBUILD   %-34s (see %s)\n' "$name" "$log"
		continue
	fi
	verdict=SURVIVED how="" ran=0 skipped=0
	printf '%s\n' "$tests" | tr "$RS" '\n' > "$tmp/mine"
	while read -r bin filter; do
		if grep -qxF "$bin $filter" "$tmp/bad_pairs"; then
			skipped=$((skipped + 1))
			continue
		fi
		echo "== $bin --filter '$filter'" >> "$log"
		res=$(run_tests "$bin" "$filter" "$log")
		# shellcheck disable=SC2086
		set -- $res
		if [ $# -ne 2 ]; then
			verdict=caught how="$bin $filter: no summary (crashed or hung)"
			break
		fi
		ran=$((ran + $1))
		if [ "$1" -gt "$2" ]; then
			verdict=caught how="$bin $filter: $(($1 - $2)) of $1 failed"
			break
		fi
	done < "$tmp/mine"
	restore
	secs=$(($(date +%s) - start))
	if [ "$verdict" = caught ]; then
		caught=$((caught + 1))
		printf 'caught    %-34s %s (%d s)\n' "$name" "$how" "$secs"
	elif [ "$ran" -eq 0 ]; then
		stale=$((stale + 1))
		if [ "$skipped" -gt 0 ]; then
			why="its tests fail without the mutant too"
		else
			why="no test matched"
		fi
		printf 'STALE     %-34s %s: %s\n' "$name" "$why" "$(tr '\n' ';' < "$tmp/mine")"
	else
		survived=$((survived + 1))
		printf 'SURVIVED  %-34s %d tests passed: %s (%d s)\n' "$name" "$ran" \
			"$(tr '\n' ';' < "$tmp/mine")" "$secs"
	fi
done < "$tmp/mutants"

# Leave the copy's build unmutated.
if [ "${MUTATE_DRY:-0}" != 1 ]; then
	build "$logs/build.log" || echo "mutate: the restored copy does not build (see $logs/build.log)"
fi
if [ "${MUTATE_DRY:-0}" = 1 ]; then
	echo "found: $caught/$total (stale: $stale)"
	[ "$caught" -eq "$total" ]
	exit
fi
echo "survived: $survived, stale: $stale, did not build: $nobuild; $(($(date +%s) - began)) s in all"
echo "mutation score: $caught/$total caught"
[ "$caught" -eq "$total" ]
