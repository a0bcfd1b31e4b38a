#!/bin/sh
# demo.sh O [x11]: run the kiosk against a fresh reference gateway on a
# free loopback port; stop the gateway when the kiosk exits. Without x11,
# in this terminal; with it, on the display stack a kiosk runs
# (dist/kiosk-session: xterm, fonts, large text by font size) in a nested
# X server window (Xephyr) on this desktop.
set -eu
O=${1:-build}
how=${2:-terminal}
tmp=$(mktemp -d /tmp/kiosk-demo.XXXXXX)
gw_pid=""
cleanup() {
	[ -n "$gw_pid" ] && kill "$gw_pid" 2>/dev/null && wait "$gw_pid" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
trap "exit 130" INT TERM
"$O/gatewayd" --listen 127.0.0.1:0 --port-file "$tmp/port" --db "$tmp/gateway.db" \
	--demo --sim --device-interval 2 --quiet >"$tmp/gatewayd.out" 2>"$tmp/gatewayd.log" &
gw_pid=$!
i=0
while [ ! -s "$tmp/port" ]; do
	i=$((i + 1))
	if [ $i -gt 100 ] || ! kill -0 "$gw_pid" 2>/dev/null; then
		echo "demo: gatewayd did not start:" >&2
		cat "$tmp/gatewayd.log" >&2
		exit 1
	fi
	sleep 0.1
done
port=$(cat "$tmp/port")
echo "demo: gateway at http://127.0.0.1:$port (simulation on)."
echo "demo: F5 = a citizen shows the app's login code to the scanner;"
echo "demo: F6 (on the log-in screen, button 2) = the phone scanned the QR and confirms;"
echo "demo: F7 (on a payment's QR) = the citizen's phone pays it; account numbers: GET /sim/accounts;"
echo "demo: F9 logs out; F10 quits. From another terminal, a real code into the FIFO scanner:"
echo "demo:   curl -s -XPOST http://127.0.0.1:$port/sim/citizen-code | sed 's/.*\"code\":\"\\([^\"]*\\)\".*/\\1/' > $tmp/scan"
echo "demo: staff mode: the same with /sim/staff-code (a staff card, scanned on home)."
sleep 2
if [ "$how" = x11 ]; then
	if [ -z "${DISPLAY:-}" ]; then
		echo "demo: make demo-x11 opens a window on your desktop: run it where DISPLAY is set" >&2
		exit 1
	fi
	echo "demo: the kiosk's own screen opens in a window (Xephyr, 1280x800)."
	KIOSK_BIN="$O/kiosk" KIOSK_SESSION_X=xephyr KIOSK_SESSION_GEOMETRY=${KIOSK_SESSION_GEOMETRY:-1280x800} \
		KIOSK_SESSION_CONF=/dev/null sh dist/kiosk-session --gateway "http://127.0.0.1:$port" \
		--data-dir "$tmp/data" --kiosk-id demo-kiosk --log "$tmp/kiosk.log" --no-lockdown \
		--demo-sim --scanner "fifo:$tmp/scan" --printer "file:$tmp/receipts.bin" || true
	exit 0
fi
"$O/kiosk" --gateway "http://127.0.0.1:$port" --data-dir "$tmp/data" \
	--kiosk-id demo-kiosk --log "$tmp/kiosk.log" --no-lockdown --demo-sim \
	--scanner "fifo:$tmp/scan" --printer "file:$tmp/receipts.bin" || true
