#!/bin/sh
# rss.sh: the kiosk's peak memory (VmHWM) with a big catalog, and where it
# goes. `make bench` runs it (bench/run.sh, section 11); alone:
#
#   sh bench/rss.sh [BUILD_DIR]     default build; needs BUILD_DIR/kiosk and
#                                   BUILD_DIR/gatewayd (measure an -O2 build,
#                                   not a sanitizer one)
#
# It starts BUILD_DIR/gatewayd --demo --synthetic N (N = BENCH_SERVICES,
# default 10000: 10,080 services with the demo ones, 946 KB of JSON) and runs
# the real kiosk in a pseudo-terminal (script(1), 80x24, TERM=xterm-256color,
# LANG=C.UTF-8) with --speech none (and --no-lockdown, so that /proc/PID/smaps
# may be read), several times:
#
#   1. no catalog: an empty data directory and no gateway (the baseline);
#   2. from the gateway: an empty data directory; the catalog is fetched,
#      decoded and saved;
#   3. from the cache: the same data directory again; the saved catalog is
#      decoded at start-up, then revalidated (304);
#   4. a new catalog: the data directory of 2 against a second gateway whose
#      catalog differs (N + 1 services): the saved one is decoded, then the
#      new one arrives (200) and is decoded while the old one is still shown;
#   5, 6. the same as 1 and 3 with the default speech (espeak; voice mode
#      off) instead of none;
#   7, 8. the same as 2 and 3 over HTTPS (a self-signed certificate made
#      with openssl(1), given to the kiosk with --ca-file), as in production.
#
# Each run waits for the kiosk's log line that ends it, lets it settle
# (RSS_SETTLE_MS, default 700), and prints VmHWM, VmRSS split into anonymous
# and file-backed pages, the heap, and what the log says of the catalog.
# Run 1 also breaks the file-backed pages down by library group. Then
# dialog --menu with N items, for comparison, if dialog is installed.
# No pass/fail thresholds; the exit status is 1 only if something could not
# run.
set -u
cd "$(dirname "$0")/.." || exit 2

O=${1:-build}
N=${BENCH_SERVICES:-10000}
SETTLE_MS=${RSS_SETTLE_MS:-700}
KIOSK=$(cd "$O" 2>/dev/null && pwd)/kiosk
GATEWAYD=$(cd "$O" 2>/dev/null && pwd)/gatewayd
for b in "$KIOSK" "$GATEWAYD"; do
	if [ ! -x "$b" ]; then
		echo "rss: $b is missing (run make)" >&2
		exit 2
	fi
done
if ! command -v script >/dev/null 2>&1; then
	echo "rss: script(1) (util-linux) is needed to give the kiosk a terminal" >&2
	exit 2
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/kiosk-rss-XXXXXX") || exit 2
gw_pids=""
live_pidf="" # the pid file of the kiosk or dialog being measured
cleanup() {
	if [ -n "$live_pidf" ] && [ -s "$live_pidf" ]; then
		kill "$(cat "$live_pidf")" 2>/dev/null
		pkill -P "$(cat "$live_pidf")" 2>/dev/null
	fi
	for p in $gw_pids; do
		kill "$p" 2>/dev/null
	done
	wait 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
# Also when the output is cut short (| head): no gateway may outlive us.
trap 'exit 1' INT TERM HUP PIPE
failed=0

now_ms() {
	date +%s%3N
}

# start_gateway NAME SERVICES [SCHEME [gatewayd flags]]: gatewayd on a free
# port; sets gw_url.
start_gateway() {
	d="$tmp/$1"
	n=$2
	scheme=${3:-http}
	shift 2
	[ $# -gt 0 ] && shift
	mkdir -p "$d"
	"$GATEWAYD" --listen 127.0.0.1:0 --port-file "$d/port" --db "$d/gw.db" --demo \
		--synthetic "$n" --quiet "$@" >"$d/gatewayd.log" 2>&1 &
	gw_pids="$gw_pids $!"
	end=$(($(now_ms) + 20000))
	while [ ! -s "$d/port" ] && [ "$(now_ms)" -lt "$end" ]; do
		sleep 0.05
	done
	if [ ! -s "$d/port" ]; then
		echo "rss: gatewayd did not start:" >&2
		cat "$d/gatewayd.log" >&2
		exit 1
	fi
	gw_url="$scheme://127.0.0.1:$(cat "$d/port")"
}

kb() { # kb FIELD FILE: "VmHWM:  1234 kB" -> 1234
	awk -v f="$1:" '$1 == f { print $2; exit }' "$2"
}

# MB as the other figures of docs/performance.md count them: 1,000 of the
# kB /proc gives.
mb() {
	awk -v k="$1" 'BEGIN { printf "%.1f", k / 1000 }'
}

# File-backed resident pages of the process, by library group (kB).
file_groups() {
	awk '
		/^[0-9a-f]+-[0-9a-f]+ / { name = $6 }
		/^Rss:/ { rss = $2 }
		/^Anonymous:/ {
			f = rss - $2
			if (f <= 0 || name == "") next
			g = "other"
			if (name ~ /libcrypto|libssl/) g = "OpenSSL (libcrypto, libssl)"
			else if (name ~ /libcurl|libnghttp|libssh|librtmp|libpsl|libidn|libgnutls|libnettle|libhogweed|libgmp|libtasn1|libp11|libunistring|libk5|libkrb|libgssapi|libldap|liblber|libsasl|libbrotli|libzstd|libz\.|libkeyutils|libcom_err|libffi|libresolv/) g = "libcurl and what it links (GnuTLS, Kerberos, LDAP, ...)"
			else if (name ~ /espeak|libpcaudio|libsonic|libpulse|libasound|libsndfile|libFLAC|libvorbis|libogg|libopus|libmp3lame|libmpg123|libasyncns|libdbus|libsystemd|libgcrypt|libgpg-error|liblz4|liblzma|libcap|libapparmor/) g = "espeak-ng and its audio stack"
			else if (name ~ /libzbar|libX|libxcb|libv4l|libjpeg|libqrencode|libbsd|libmd\./) g = "zbar (X11, V4L, JPEG), qrencode"
			else if (name ~ /libsqlite/) g = "SQLite (the outbox)"
			else if (name ~ /libncurses|libtinfo|terminfo/) g = "curses, terminfo"
			else if (name ~ /libc\.so|libm\.so|ld-linux|libpthread|libdl|librt|libgcc/) g = "libc, libm, ld.so"
			else if (name ~ /\/kiosk$/) g = "the kiosk itself"
			else if (name ~ /locale|\.mo$|gconv/) g = "locale data, message catalogs"
			else if (name ~ /jansson/) g = "jansson"
			sum[g] += f
			libs[name] = 1
		}
		END {
			n = 0
			for (l in libs) n++
			for (g in sum) printf "      %6d kB  %s\n", sum[g], g
			printf "      (%d files mapped)\n", n
		}
	' "$1" | sort -rn
}

# run_kiosk LABEL DATA_DIR GATEWAY_URL LOG_PATTERN [extra kiosk flags]:
# the kiosk until its log has LOG_PATTERN (15 s at most), then settled;
# prints the figures; the status and smaps are kept in $tmp/LABEL.*.
run_kiosk() {
	label=$1 data=$2 url=$3 pattern=$4
	shift 4
	log="$tmp/$label.log"
	pidf="$tmp/$label.pid"
	mkdir -p "$data"
	rm -f "$log" "$pidf"
	live_pidf=$pidf
	# script(1) gives the kiosk a terminal; stty sets its size.
	TERM=xterm-256color LANG=C.UTF-8 LC_ALL=C.UTF-8 script -q -e -c \
		"sh -c 'echo \$\$ > \"$pidf\"; stty rows 24 cols 80; exec \"$KIOSK\" --gateway \"$url\" \
--data-dir \"$data\" --kiosk-id bench-rss --log \"$log\" --no-lockdown --speech none $*'" \
		/dev/null </dev/null >"$tmp/$label.tty" 2>&1 &
	spid=$!
	end=$(($(now_ms) + 15000))
	while [ "$(now_ms)" -lt "$end" ]; do
		[ -s "$pidf" ] && [ -f "$log" ] && grep -q -- "$pattern" "$log" && break
		sleep 0.05
	done
	pid=$(cat "$pidf" 2>/dev/null)
	if [ -z "$pid" ] || ! grep -q -- "$pattern" "$log" 2>/dev/null; then
		echo "  $label: the kiosk never logged \"$pattern\" (see below)"
		[ -f "$log" ] && sed 's/^/    /' "$log"
		failed=1
		[ -n "$pid" ] && kill "$pid" 2>/dev/null
		wait "$spid" 2>/dev/null
		live_pidf=""
		return 1
	fi
	sleep "$(awk -v m="$SETTLE_MS" 'BEGIN { print m / 1000 }')"
	cp "/proc/$pid/status" "$tmp/$label.status"
	cp "/proc/$pid/smaps" "$tmp/$label.smaps" 2>/dev/null
	kill "$pid" 2>/dev/null
	wait "$spid" 2>/dev/null
	live_pidf=""
	st="$tmp/$label.status"
	heap=$(awk '/^[0-9a-f]+-[0-9a-f]+ / { h = ($6 == "[heap]") } h && /^Rss:/ { s += $2 } END { print s + 0 }' \
		"$tmp/$label.smaps" 2>/dev/null)
	printf '  %-34s VmHWM %6s kB = %5s MB   (now: VmRSS %s kB = anon %s + file %s; heap %s kB)\n' \
		"$label" "$(kb VmHWM "$st")" "$(mb "$(kb VmHWM "$st")")" "$(kb VmRSS "$st")" \
		"$(kb RssAnon "$st")" "$(kb RssFile "$st")" "$heap"
	grep -h "catalog from" "$log" | sed 's/^[^ ]* [a-z]* /      log: /'
	return 0
}

echo "kiosk peak memory (VmHWM), $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, Linux $(uname -r)"
echo "build: $O; catalog: gatewayd --demo --synthetic $N"
start_gateway gw1 "$N"
url1=$gw_url
bytes=$(curl -s -H 'Accept-Language: zh-CN' "$url1/v1/catalog" 2>/dev/null | wc -c)
echo "GET /v1/catalog: $bytes bytes (zh-CN)"
echo

echo "\$ the kiosk in a pty (script), --speech none, settled ${SETTLE_MS} ms after the log line"
run_kiosk "1-no-catalog" "$tmp/data-empty" "http://127.0.0.1:1" "screen: enter home"
base=$(kb VmHWM "$tmp/1-no-catalog.status" 2>/dev/null || echo 0)
run_kiosk "2-from-gateway" "$tmp/data" "$url1" "catalog from gateway"
run_kiosk "3-from-cache" "$tmp/data" "$url1" "GET /v1/catalog -> 304"
cp -R "$tmp/data" "$tmp/data-speech"
start_gateway gw2 $((N + 1))
run_kiosk "4-cache-then-new-catalog" "$tmp/data" "$gw_url" "catalog from gateway"
echo
echo "\$ the same as 1, and as 3, with the default speech (espeak; voice mode off)"
rm -rf "$tmp/data-empty"
run_kiosk "5-no-catalog-espeak" "$tmp/data-empty" "http://127.0.0.1:1" "screen: enter home" \
	--speech espeak
run_kiosk "6-from-cache-espeak" "$tmp/data-speech" "$url1" "GET /v1/catalog -> 304" --speech espeak
echo

# Production talks HTTPS: the TLS handshake brings in more of OpenSSL.
if command -v openssl >/dev/null 2>&1 &&
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
		-keyout "$tmp/key.pem" -out "$tmp/cert.pem" -days 2 -subj /CN=127.0.0.1 \
		-addext subjectAltName=IP:127.0.0.1 >/dev/null 2>&1; then
	echo "\$ the same as 2 and 3 over HTTPS (a self-signed certificate, --ca-file)"
	start_gateway gw3 "$N" https --tls-cert "$tmp/cert.pem" --tls-key "$tmp/key.pem"
	run_kiosk "7-from-gateway-https" "$tmp/data-tls" "$gw_url" "catalog from gateway" \
		--ca-file "$tmp/cert.pem"
	run_kiosk "8-from-cache-https" "$tmp/data-tls" "$gw_url" "GET /v1/catalog -> 304" \
		--ca-file "$tmp/cert.pem"
	echo
else
	echo "(openssl not installed or failed: the HTTPS runs are skipped)"
	echo
fi

if [ -f "$tmp/1-no-catalog.smaps" ]; then
	echo "where the baseline goes (run 1): file-backed pages by library group"
	file_groups "$tmp/1-no-catalog.smaps"
	echo "  anonymous: $(kb RssAnon "$tmp/1-no-catalog.status") kB (heap, libraries' data, stacks)"
	echo
	echo "what the catalog adds to the peak (VmHWM over run 1):"
	for l in 2-from-gateway 3-from-cache 4-cache-then-new-catalog; do
		[ -f "$tmp/$l.status" ] &&
			printf '      %-26s +%5s kB\n' "$l" $(($(kb VmHWM "$tmp/$l.status") - base))
	done
	echo
fi

echo "== comparison: dialog --menu with $N items =="
if command -v dialog >/dev/null 2>&1; then
	echo "($(dialog --version 2>&1 | head -n 1))"
	awk -v n="$N" 'BEGIN { for (i = 1; i <= n; i++) printf "%d%cGeneral service %05d%c", i, 0, i, 0 }' \
		>"$tmp/items"
	live_pidf="$tmp/dialog.pid"
	TERM=xterm-256color LANG=C.UTF-8 LC_ALL=C.UTF-8 script -q -e -c \
		"sh -c 'echo \$\$ > \"$tmp/dialog.pid\"; stty rows 24 cols 80; exec xargs -0 -x -s 2000000 -a \"$tmp/items\" \
dialog --menu \"Choose a service\" 0 0 0'" /dev/null </dev/null >"$tmp/dialog.tty" 2>&1 &
	spid=$!
	sleep 0.3
	# xargs runs dialog as its child: wait until it has painted.
	end=$(($(now_ms) + 10000))
	dpid=""
	while [ "$(now_ms)" -lt "$end" ]; do
		dpid=$(pgrep -P "$(cat "$tmp/dialog.pid" 2>/dev/null || echo 0)" -x dialog 2>/dev/null | head -n 1)
		[ -n "$dpid" ] && [ "$(wc -c <"$tmp/dialog.tty")" -gt 1000 ] && break
		sleep 0.05
	done
	if [ -n "$dpid" ]; then
		sleep "$(awk -v m="$SETTLE_MS" 'BEGIN { print m / 1000 }')"
		st="$tmp/dialog.status"
		cp "/proc/$dpid/status" "$st"
		printf '  %-34s VmHWM %6s kB = %5s MB   (now: VmRSS %s kB = anon %s + file %s)\n' \
			"dialog --menu, $N items" "$(kb VmHWM "$st")" "$(mb "$(kb VmHWM "$st")")" \
			"$(kb VmRSS "$st")" "$(kb RssAnon "$st")" "$(kb RssFile "$st")"
		kill "$dpid" 2>/dev/null
	else
		echo "  dialog did not start (xargs pid $(cat "$tmp/dialog.pid" 2>/dev/null)," \
			"$(wc -c <"$tmp/dialog.tty") bytes on its terminal)"
		failed=1
	fi
	kill "$(cat "$tmp/dialog.pid" 2>/dev/null)" 2>/dev/null
	wait "$spid" 2>/dev/null
	live_pidf=""
else
	echo "dialog not installed, skipped (apt-get install dialog)"
fi

exit "$failed"
