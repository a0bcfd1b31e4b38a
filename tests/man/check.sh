#!/bin/sh
# tests/man/check.sh: the manual pages say what the programs do.
#
#   tests/man/check.sh [KIOSK [GATEWAYD]]     (default build/kiosk, build/gatewayd)
#
# (a) every page in docs/man renders with `man --warnings` without a
#     warning, is plain ASCII (Chinese as \[uXXXX]), has no trailing
#     whitespace, and its NAME line is "name \- description" (lexgrog
#     reads it);
# (b) every long option of `kiosk --help` is a tagged item (.TP) of
#     kiosk.1 and every option of `gatewayd --help` one of
#     kiosk-gatewayd.8; and the other way round, every option those pages
#     tag is one the program lists (no stale flags);
# (c) every section that kiosk/config.c's apply() accepts is a section
#     (.SH [name]) of kiosk.conf.5, and every key it accepts is a tagged
#     item of that section there (and no key is tagged that apply() does
#     not take).
# The lists are extracted from the programs and the source each time, and
# each must be of a plausible size, so that an extraction that finds
# nothing cannot pass.
#
# Prints "ok - ..." or "not ok - ..." per check and last "N passed, M
# failed"; exits 1 if anything failed. MANDIR and CONFIG_C override where
# the pages and config.c are (to test this test on altered copies).
set -u

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
kiosk=${1:-$root/build/kiosk}
gatewayd=${2:-$root/build/gatewayd}
mandir=${MANDIR:-$root/docs/man}
config_c=${CONFIG_C:-$root/kiosk/config.c}

pass=0
fail=0
ok() { pass=$((pass + 1)); echo "ok - $*"; }
notok() { fail=$((fail + 1)); echo "not ok - $*"; }
check() { # check DESCRIPTION COMMAND...
	d=$1
	shift
	if "$@"; then ok "$d"; else notok "$d"; fi
}

tmp=$(mktemp -d "${TMPDIR:-/tmp}/mancheck.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT

pages="kiosk.1 kiosk.conf.5 kiosk-session.1 kiosk-mirror.1 kiosk-gatewayd.8"
# ... and any other page there.
for f in "$mandir"/*.[158]; do
	[ -f "$f" ] || continue
	case " $pages " in *" ${f##*/} "*) ;; *) pages="$pages ${f##*/}" ;; esac
done

# ---- (a) every page renders cleanly -----------------------------------------------
if ! command -v man >/dev/null 2>&1; then
	notok "man is installed (Debian: man-db and groff-base)"
fi
for p in $pages; do
	f=$mandir/$p
	if [ ! -f "$f" ]; then
		notok "$p exists"
		continue
	fi
	if command -v man >/dev/null 2>&1; then
		LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -E UTF-8 -l "$f" >"$tmp/out" 2>"$tmp/err"
		rc=$?
		if [ $rc -eq 0 ] && [ ! -s "$tmp/err" ] && [ "$(wc -l <"$tmp/out")" -gt 10 ]; then
			ok "$p renders with man --warnings, no warnings"
		else
			notok "$p renders with man --warnings, no warnings (status $rc):"
			sed 's/^/#   /' "$tmp/err" | head -20
		fi
	fi
	if LC_ALL=C grep -q '[^ -~	]' "$f"; then
		notok "$p is plain ASCII (line $(LC_ALL=C grep -n '[^ -~	]' "$f" | head -1 | cut -d: -f1))"
	else
		ok "$p is plain ASCII"
	fi
	if grep -q '[[:space:]]$' "$f"; then
		notok "$p has no trailing whitespace (line $(grep -n '[[:space:]]$' "$f" | head -1 | cut -d: -f1))"
	else
		ok "$p has no trailing whitespace"
	fi
	name=${p%.*}
	# The line after .SH NAME: "name \- description" (the name's own
	# hyphens escaped as \-).
	esc_name=$(printf '%s' "$name" | sed 's/-/\\\\-/g; s/\./\\./g')
	if sed -n '/^\.SH NAME$/{n;p;q}' "$f" | grep -q "^$esc_name \\\\- [a-z]"; then
		ok "$p NAME section reads '$name \\- description'"
	else
		notok "$p NAME section reads '$name \\- description'"
	fi
	# man-db's own parse of it, as mandb and lintian do it.
	if command -v lexgrog >/dev/null 2>&1; then
		if lexgrog "$f" 2>/dev/null | grep -qF "\"$name - "; then
			ok "$p has a whatis entry (lexgrog)"
		else
			notok "$p has a whatis entry (lexgrog)"
		fi
	fi
done

# ---- helpers: what a page tags, what a program lists ----------------------------------
# The items of a page: the first word of each line after a .TP, as it renders
# (font macros and escapes taken off). tags FILE > words
tags() {
	sed -n '/^\.TP/{n;p}' "$1" |
		sed -e 's/^\.[A-Z][A-Z]* *//' -e 's/\\-/-/g' -e 's/\\f[BIRP]//g' \
		    -e 's/\\%//g' -e 's/\\&//g' -e 's/"//g' |
		awk '{ print $1 }' | sed 's/[,=]$//' | sort -u
}

# Long options in a program's --help. opts PROGRAM > words
opts() {
	"$1" --help 2>/dev/null | grep -oE -- '--[a-z][a-z0-9-]*' | sort -u
}

# Every word of WANT is a line of HAVE, one check each.
# words_in WANT HAVE WHAT WHERE
words_in() {
	while IFS= read -r w; do
		if grep -qxF -- "$w" "$2"; then
			ok "$3 $w is in $4"
		else
			notok "$3 $w is in $4"
		fi
	done <"$1"
}

# ---- (b) options ---------------------------------------------------------------------
option_check() { # option_check PROGRAM PAGE NAME MIN
	prog=$1 page=$mandir/$2 what=$3 min=$4
	if [ ! -x "$prog" ]; then
		notok "$what is built ($prog; make, or give its path)"
		return
	fi
	if ! "$prog" --help >/dev/null 2>&1; then
		notok "$what --help exits 0"
		return
	fi
	opts "$prog" >"$tmp/$what.opts"
	n=$(wc -l <"$tmp/$what.opts")
	check "$what --help lists at least $min long options (found $n)" [ "$n" -ge "$min" ]
	[ -f "$page" ] || return
	tags "$page" | grep -- '^--' >"$tmp/$what.tags"
	words_in "$tmp/$what.opts" "$tmp/$what.tags" "$what option" "$2"
	# No stale flag: every option the page tags is one the program lists.
	while IFS= read -r w; do
		grep -qxF -- "$w" "$tmp/$what.opts" || echo "$w"
	done <"$tmp/$what.tags" >"$tmp/$what.stale"
	if [ -s "$tmp/$what.stale" ]; then
		notok "$2 documents only options $what --help lists; not: $(tr '\n' ' ' <"$tmp/$what.stale")"
	else
		ok "$2 documents only options $what --help lists"
	fi
}
option_check "$kiosk" kiosk.1 kiosk 20
option_check "$gatewayd" kiosk-gatewayd.8 gatewayd 25

# ---- (c) configuration keys -----------------------------------------------------------
# apply()'s body: its sections in order, and the keys compared under each,
# as "section key" lines.
if [ ! -f "$config_c" ]; then
	notok "kiosk/config.c is there ($config_c)"
else
	sed -n '/^static int apply(/,/^}/p' "$config_c" |
		awk '
		match($0, /strcmp\(section, "[a-z_]+"\)/) {
			s = substr($0, RSTART, RLENGTH); sub(/^strcmp\(section, "/, "", s); sub(/"\)$/, "", s)
			section = s; print "section " s
		}
		{
			line = $0
			while (match(line, /strcmp\(key, "[a-z_]+"\)/)) {
				k = substr(line, RSTART, RLENGTH); sub(/^strcmp\(key, "/, "", k); sub(/"\)$/, "", k)
				if (section != "") print section " " k
				line = substr(line, RSTART + RLENGTH)
			}
		}' | sort -u >"$tmp/apply"
	grep '^section ' "$tmp/apply" | cut -d' ' -f2 >"$tmp/sections"
	grep -v '^section ' "$tmp/apply" >"$tmp/keys"
	ns=$(wc -l <"$tmp/sections")
	nk=$(wc -l <"$tmp/keys")
	check "config.c's apply() has at least 5 sections (found $ns)" [ "$ns" -ge 5 ]
	check "config.c's apply() has at least 25 keys (found $nk)" [ "$nk" -ge 25 ]
	page=$mandir/kiosk.conf.5
	if [ -f "$page" ]; then
		# The page's sections and the keys tagged under each.
		awk '
		/^\.SH / { sec = ""; if (match($0, /^\.SH "?\[[a-z_]+\]"?$/)) { sec = $0; gsub(/^\.SH "?\[|\]"?$/, "", sec); print "section " sec }; next }
		/^\.TP/ { tp = 1; next }
		tp { tp = 0; if (sec != "" && $1 ~ /^\.B/) { k = $2; gsub(/"/, "", k); print sec " " k } }
		' "$page" | sort -u >"$tmp/page"
		while IFS= read -r s; do
			if grep -qxF "section $s" "$tmp/page"; then
				ok "section [$s] is a section of kiosk.conf.5"
			else
				notok "section [$s] is a section of kiosk.conf.5"
			fi
		done <"$tmp/sections"
		while IFS= read -r sk; do
			if grep -qxF "$sk" "$tmp/page"; then
				ok "key ${sk#* } of [${sk%% *}] is in kiosk.conf.5"
			else
				notok "key ${sk#* } of [${sk%% *}] is in kiosk.conf.5"
			fi
		done <"$tmp/keys"
		# No stale key: every key the page tags under a section is one apply() takes.
		grep -v '^section ' "$tmp/page" | while IFS= read -r sk; do
			grep -qxF "$sk" "$tmp/keys" || echo "$sk"
		done >"$tmp/stale"
		if [ -s "$tmp/stale" ]; then
			notok "kiosk.conf.5 documents only keys apply() takes; not: $(sed 's/^\([^ ]*\) \(.*\)/[\1] \2/' "$tmp/stale" | tr '\n' ' ')"
		else
			ok "kiosk.conf.5 documents only keys apply() takes"
		fi
	fi
fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
