#!/bin/sh
# tests/deb/check.sh: the Debian packages, installed on this machine.
#
# Builds build/deb/kiosk_*.deb and kiosk-gatewayd_*.deb with `make deb`
# (unless they are there and newer than every file of the tree), runs
# lintian over them, installs them with apt-get (which pulls in what they
# depend on), and checks what a kiosk gets: the programs run, every file is
# where it belongs with the owner and mode it needs, the man pages render
# without warnings, the kiosk user is made as designed, systemd accepts
# the units, the installed gateway serves and the installed kiosk paints
# its home screen against it in its own language. Then it purges both
# packages, checks that the purge took what it must (and kept the user, as
# designed: debian/kiosk.postrm says why), and leaves the machine as it
# was: the packages the install pulled in are purged again, and the kiosk
# user is removed if this script's install made it.
#
# Prints "ok - ..." or "not ok - ..." per check and last "N passed, M
# failed"; exits 1 if any failed. Needs root (it installs packages): as
# another user it says so and passes with nothing checked.
set -u
cd "$(dirname "$0")/../.." || exit 2

pass=0
failed=0
ok() {
	pass=$((pass + 1))
	echo "ok - $*"
}
not_ok() {
	failed=$((failed + 1))
	echo "not ok - $*"
}
# check DESCRIPTION COMMAND...: ok if the command succeeds (output hidden).
check() {
	d=$1
	shift
	if "$@" >/dev/null 2>&1; then ok "$d"; else not_ok "$d"; fi
}
finish() {
	echo "$pass passed, $failed failed"
	[ "$failed" -eq 0 ] || exit 1
	exit 0
}
skip() {
	echo "# skipped: $*"
	finish
}

[ "$(id -u)" -eq 0 ] || skip "installing packages needs root"
command -v dpkg >/dev/null 2>&1 && command -v apt-get >/dev/null 2>&1 ||
	skip "not a Debian system (no dpkg or apt-get)"

version=$(sed -n 's/^VERSION *:= *//p' Makefile)
deb_dir=build/deb
tmp=$(mktemp -d "${TMPDIR:-/tmp}/kiosk-deb-check.XXXXXX") || exit 2
gw_pid=""
cleanup() {
	[ -n "$gw_pid" ] && kill "$gw_pid" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 143' TERM INT HUP

# apt and dpkg wait for each other's lock instead of failing at once
# (another make target may be installing its dependencies).
apt_get() {
	DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 "$@"
}

# ---- build ------------------------------------------------------------------------------------
kiosk_deb=$(ls $deb_dir/kiosk_"$version"_*.deb 2>/dev/null | head -n 1)
gw_deb=$(ls $deb_dir/kiosk-gatewayd_"$version"_*.deb 2>/dev/null | head -n 1)
newer=""
if [ -n "$kiosk_deb" ] && [ -n "$gw_deb" ]; then
	newer=$(find . \( -path ./build -o -path ./.git \) -prune -o -type f -newer "$kiosk_deb" \
		-print | head -n 1)
fi
if [ -z "$kiosk_deb" ] || [ -z "$gw_deb" ] || [ -n "$newer" ]; then
	echo "# building the packages (make deb)"
	if make --no-print-directory deb >"$tmp/make-deb.log" 2>&1; then
		ok "make deb builds the packages"
	else
		tail -n 30 "$tmp/make-deb.log" | sed 's/^/# /'
		not_ok "make deb builds the packages"
		finish
	fi
	kiosk_deb=$(ls $deb_dir/kiosk_"$version"_*.deb | head -n 1)
	gw_deb=$(ls $deb_dir/kiosk-gatewayd_"$version"_*.deb | head -n 1)
else
	echo "# using $kiosk_deb and $gw_deb (newer than the tree)"
fi

if lintian --fail-on error "$kiosk_deb" "$gw_deb" >"$tmp/lintian.log" 2>&1; then
	ok "lintian reports no errors"
else
	sed 's/^/# /' "$tmp/lintian.log"
	not_ok "lintian reports no errors"
fi
grep '^W: ' "$tmp/lintian.log" | sed 's/^/# lintian: /'

# ---- install ----------------------------------------------------------------------------------
installed_before() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'ok installed'; }
for p in kiosk kiosk-gatewayd; do
	installed_before "$p" && echo "# note: $p was installed before; it is purged at the end"
done
user_before=no
getent passwd kiosk >/dev/null && user_before=yes
dpkg-query -W -f='${Package}\n' | sort >"$tmp/pkgs.before"

if apt_get install -y -q --no-install-recommends "./$kiosk_deb" "./$gw_deb" \
	>"$tmp/install.log" 2>&1; then
	ok "apt-get installs kiosk and kiosk-gatewayd"
else
	tail -n 30 "$tmp/install.log" | sed 's/^/# /'
	not_ok "apt-get installs kiosk and kiosk-gatewayd"
	# Whatever got in goes again.
	apt_get purge -y -q kiosk kiosk-gatewayd >/dev/null 2>&1
	finish
fi
dpkg-query -W -f='${Package}\n' | sort >"$tmp/pkgs.after"
comm -13 "$tmp/pkgs.before" "$tmp/pkgs.after" | grep -vx 'kiosk\|kiosk-gatewayd' >"$tmp/pulled" || true
echo "# the install pulled in $(wc -l <"$tmp/pulled") packages"

# ---- the programs -----------------------------------------------------------------------------
out=$(kiosk --version 2>&1)
case "$out" in
*"$version"*) ok "kiosk --version prints $version" ;;
*) not_ok "kiosk --version prints $version (got: $out)" ;;
esac
out=$(env -u DISPLAY kiosk-session --help 2>&1) && rc=0 || rc=$?
case "$rc:$out" in
0:*"kiosk-session [KIOSK FLAGS"*KIOSK_SESSION_X*) ok "kiosk-session --help prints its usage and exits 0" ;;
*) not_ok "kiosk-session --help prints its usage and exits 0 (status $rc)" ;;
esac
out=$(env -u DISPLAY kiosk-session -h 2>&1) && rc=0 || rc=$?
case "$rc:$out" in
0:*"kiosk-session [KIOSK FLAGS"*) ok "kiosk-session -h too" ;;
*) not_ok "kiosk-session -h too (status $rc)" ;;
esac
out=$(kiosk-gatewayd --help 2>&1) && rc=0 || rc=$?
case "$rc:$out" in
0:*"usage: gatewayd"*--listen*) ok "kiosk-gatewayd --help prints its usage and exits 0" ;;
*) not_ok "kiosk-gatewayd --help prints its usage and exits 0 (status $rc)" ;;
esac
out=$(kiosk-gatewayd --version 2>&1)
case "$out" in
*"$version"*) ok "kiosk-gatewayd --version prints $version" ;;
*) not_ok "kiosk-gatewayd --version prints $version (got: $out)" ;;
esac

# ---- the files --------------------------------------------------------------------------------
# mode_is MODE OWNER:GROUP FILE
mode_is() { [ "$(stat -c '%a %U:%G' "$3" 2>/dev/null)" = "$1 $2" ]; }
for f in /usr/bin/kiosk /usr/bin/kiosk-mirror /usr/bin/kiosk-session /usr/sbin/kiosk-gatewayd; do
	check "$f is installed, 755 root:root" mode_is 755 root:root "$f"
done
check "/etc/kiosk/kiosk.conf is 640 root:kiosk (it may hold staff_pin_hash)" \
	mode_is 640 root:kiosk /etc/kiosk/kiosk.conf
# Compared with the tree as it was packaged (make deb's copy): others may
# be editing this one.
src=.
[ -d $deb_dir/src/debian ] && src=$deb_dir/src
check "/etc/kiosk/kiosk.conf is the sample" cmp -s /etc/kiosk/kiosk.conf "$src/etc/kiosk.conf.sample"
check "/etc/kiosk/session.conf is installed, 644 root:root" mode_is 644 root:root /etc/kiosk/session.conf
conffiles=$(dpkg-query -W -f='${Conffiles}\n' kiosk kiosk-gatewayd)
for f in /etc/kiosk/kiosk.conf /etc/kiosk/session.conf /etc/pam.d/kiosk \
	/etc/X11/xorg.conf.d/90-kiosk.conf /etc/systemd/logind.conf.d/kiosk.conf \
	/etc/sysctl.d/90-kiosk-sysrq.conf /etc/default/kiosk-gatewayd; do
	case "$conffiles" in
	*" $f "*) ok "$f is a conffile" ;;
	*) not_ok "$f is a conffile" ;;
	esac
done
check "the kiosk's unit is /lib/systemd/system/kiosk.service" test -f /lib/systemd/system/kiosk.service
check "the gateway's unit is /lib/systemd/system/kiosk-gatewayd.service" \
	test -f /lib/systemd/system/kiosk-gatewayd.service
check "kiosk.service is enabled (graphical.target wants it)" \
	test -L /etc/systemd/system/graphical.target.wants/kiosk.service
check "kiosk-gatewayd.service is not enabled" \
	test ! -e /etc/systemd/system/multi-user.target.wants/kiosk-gatewayd.service
check "the logind drop-in starts no gettys (NAutoVTs=0, ReserveVT=0)" \
	sh -c 'grep -qx "NAutoVTs=0" /etc/systemd/logind.conf.d/kiosk.conf &&
	       grep -qx "ReserveVT=0" /etc/systemd/logind.conf.d/kiosk.conf'
check "the sysctl drop-in turns SysRq off" grep -qx 'kernel.sysrq = 0' /etc/sysctl.d/90-kiosk-sysrq.conf
check "Xorg's lock-down is in /etc/X11/xorg.conf.d (DontVTSwitch, DontZap)" \
	sh -c 'grep -q "DontVTSwitch.*true" /etc/X11/xorg.conf.d/90-kiosk.conf &&
	       grep -q "DontZap.*true" /etc/X11/xorg.conf.d/90-kiosk.conf'
check "the PAM service /etc/pam.d/kiosk opens a logind session (common-session)" \
	grep -qx '@include common-session' /etc/pam.d/kiosk
check "/etc/default/kiosk-gatewayd listens on loopback" \
	grep -q '^GATEWAYD_ARGS=.*--listen 127\.0\.0\.1:' /etc/default/kiosk-gatewayd
for t in "$src"/themes/*.theme; do
	t=themes/$(basename "$t")
	check "theme /usr/share/kiosk/$t" cmp -s "$src/$t" "/usr/share/kiosk/$t"
done
for po in "$src"/locale/*.po; do
	l=$(basename "$po" .po)
	check "message catalog /usr/share/locale/$l/LC_MESSAGES/kiosk.mo" \
		msgunfmt "/usr/share/locale/$l/LC_MESSAGES/kiosk.mo"
done

# Every page of docs/man, installed gzipped, rendering with man-db and
# groff saying nothing (man --warnings: groff's warnings on stderr).
n_man=0
for m in "$src"/docs/man/*.[158]; do
	[ -e "$m" ] || continue
	n_man=$((n_man + 1))
	page=$(basename "$m")
	f=/usr/share/man/man${page##*.}/$page.gz
	if [ ! -f "$f" ]; then
		not_ok "man page $f is installed"
		continue
	fi
	MANWIDTH=80 man --warnings -l "$f" >"$tmp/man.out" 2>"$tmp/man.err"
	rc=$?
	if [ "$rc" -eq 0 ] && [ -s "$tmp/man.out" ] && [ ! -s "$tmp/man.err" ]; then
		ok "man page $f renders with no warnings"
	else
		sed 's/^/# /' "$tmp/man.err" | head -n 10
		not_ok "man page $f renders with no warnings (status $rc)"
	fi
done
[ "$n_man" -ge 5 ] && ok "$n_man man pages in docs/man, all installed" ||
	not_ok "five man pages in docs/man (found $n_man)"

# ---- the kiosk user ---------------------------------------------------------------------------
pw=$(getent passwd kiosk)
check "the kiosk user exists" test -n "$pw"
case "$pw" in
*:/var/lib/kiosk:/usr/sbin/nologin) ok "its home is /var/lib/kiosk and its shell /usr/sbin/nologin" ;;
*) not_ok "its home is /var/lib/kiosk and its shell /usr/sbin/nologin (got: $pw)" ;;
esac
uid=$(echo "$pw" | cut -d: -f3)
check "it is a system user (UID $uid below 1000)" test "${uid:-1000}" -lt 1000
check "it has no usable password (passwd -S says L)" \
	sh -c 'test "$(passwd -S kiosk | cut -d" " -f2)" = L'
groups=" $(id -nG kiosk 2>/dev/null) "
for g in video input lp dialout audio; do
	case "$groups" in
	*" $g "*) ok "it is in group $g" ;;
	*) not_ok "it is in group $g" ;;
	esac
done
check "/var/lib/kiosk is left to systemd (StateDirectory=, made at start)" test ! -e /var/lib/kiosk

# What systemd does with PAMName=kiosk (account check, open and close the
# session) must work for the locked kiosk user, and the service must
# authenticate nobody. pamtester (Debian package) runs the stack; without
# it, this is skipped. (pam_systemd, optional there, finds no logind here.)
if command -v pamtester >/dev/null 2>&1; then
	check "PAM service kiosk: systemd's steps (acct_mgmt, open_session, close_session) pass for kiosk" \
		pamtester kiosk kiosk acct_mgmt open_session close_session
	check "PAM service kiosk authenticates no one" \
		sh -c '! pamtester kiosk kiosk authenticate </dev/null'
else
	echo "# pamtester is not installed: the PAM service is not run (apt-get install pamtester)"
fi

# ---- the units --------------------------------------------------------------------------------
# systemd-analyze verify loads the units as the manager would, and needs
# no manager running: it works where systemd is not PID 1 (a container),
# and does report unknown keys, bad values and missing programs there.
if command -v systemd-analyze >/dev/null 2>&1; then
	for u in kiosk.service kiosk-gatewayd.service; do
		out=$(systemd-analyze verify "/lib/systemd/system/$u" 2>&1)
		if [ -z "$out" ]; then
			ok "systemd-analyze verify $u says nothing"
		else
			echo "$out" | sed 's/^/# /'
			not_ok "systemd-analyze verify $u says nothing"
		fi
	done
else
	echo "# systemd-analyze is not installed: the units are not verified"
fi

# ---- a run: the installed gateway, and the installed kiosk against it -------------------------
# supervised_run: the installed kiosk-session on a virtual screen (Xvfb),
# its kiosk against the gateway on $port, with the environment systemd
# gives kiosk.service (NOTIFY_SOCKET, WATCHDOG_USEC of 2 s, WATCHDOG_PID
# naming the session's shell): READY=1 and the WATCHDOG=1 pings must come
# from the kiosk process itself, and READY=1 from nothing else (Xorg and
# Xvfb send one of their own if they are let). The notify socket is read
# with SO_PASSCRED, so each message names its sender.
supervised_run() {
	if ! command -v Xvfb >/dev/null 2>&1 || ! command -v python3 >/dev/null 2>&1; then
		echo "# no Xvfb or python3 here: the supervised run of kiosk-session is skipped"
		return
	fi
	python3 - "$tmp/notify" "$tmp/notify.log" 11 <<'PY' &
import os, socket, struct, sys, time
path, out, secs = sys.argv[1], sys.argv[2], float(sys.argv[3])
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_PASSCRED, 1)
s.bind(path)
s.settimeout(0.5)
end = time.time() + secs
with open(out, "w") as f:
    while time.time() < end:
        try:
            msg, anc, _, _ = s.recvmsg(4096, socket.CMSG_SPACE(12))
        except socket.timeout:
            continue
        comm = "?"
        for level, kind, data in anc:
            if level == socket.SOL_SOCKET and kind == socket.SCM_CREDENTIALS:
                pid = struct.unpack("iII", data[:12])[0]
                try:
                    comm = open("/proc/%d/comm" % pid).read().strip()
                except OSError:
                    pass
        for line in msg.decode(errors="replace").split("\n"):
            if line:
                f.write("%s %s\n" % (comm, line))
        f.flush()
PY
	py_pid=$!
	i=0
	while [ ! -S "$tmp/notify" ] && [ $i -lt 50 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	env -u DISPLAY NOTIFY_SOCKET="$tmp/notify" WATCHDOG_USEC=2000000 WATCHDOG_PID=$$ \
		KIOSK_SESSION_X=xvfb timeout -k 2 8 kiosk-session --gateway "http://127.0.0.1:$port" \
		--data-dir "$tmp/data2" --speech none --printer none --log "$tmp/session-kiosk.log" \
		>"$tmp/session.log" 2>&1 </dev/null
	rc=$?
	wait "$py_pid"
	if [ "$rc" -eq 124 ]; then
		ok "the installed kiosk-session runs the kiosk on Xvfb until stopped"
	else
		sed 's/^/# /' "$tmp/session.log" | tail -n 10
		not_ok "the installed kiosk-session runs the kiosk on Xvfb until stopped (status $rc)"
	fi
	sort "$tmp/notify.log" | uniq -c | sed 's/^ */# notify: /'
	n_ready=$(grep -c '^kiosk READY=1' "$tmp/notify.log")
	n_other=$(grep 'READY=1' "$tmp/notify.log" | grep -vc '^kiosk ')
	n_dog=$(grep -c '^kiosk WATCHDOG=1' "$tmp/notify.log")
	if [ "$n_ready" -eq 1 ] && [ "$n_other" -eq 0 ]; then
		ok "READY=1 comes once, from the kiosk, and from nothing else"
	else
		not_ok "READY=1 comes once, from the kiosk, and from nothing else ($n_ready from it, $n_other others)"
	fi
	if [ "$n_dog" -ge 3 ]; then
		ok "the kiosk pings the watchdog ($n_dog WATCHDOG=1 in about 6 s at WATCHDOG_USEC=2 s)"
	else
		not_ok "the kiosk pings the watchdog ($n_dog WATCHDOG=1 in about 6 s at WATCHDOG_USEC=2 s)"
	fi
}

mkdir -p "$tmp/data"
kiosk-gatewayd --listen 127.0.0.1:0 --port-file "$tmp/port" --db "$tmp/gw.db" --demo --quiet \
	>"$tmp/gw.log" 2>&1 &
gw_pid=$!
i=0
while [ ! -s "$tmp/port" ] && [ $i -lt 100 ] && kill -0 "$gw_pid" 2>/dev/null; do
	sleep 0.1
	i=$((i + 1))
done
port=$(cat "$tmp/port" 2>/dev/null)
if [ -n "$port" ]; then
	ok "the installed gateway serves on 127.0.0.1:$port"
	check "GET /v1/health answers 200" curl -fsS -o /dev/null "http://127.0.0.1:$port/v1/health"
	if curl -fsS "http://127.0.0.1:$port/v1/catalog" -o "$tmp/catalog.json" 2>/dev/null &&
		grep -q '"services"' "$tmp/catalog.json"; then
		ok "GET /v1/catalog answers the demo catalog"
	else
		not_ok "GET /v1/catalog answers the demo catalog"
	fi
	# The kiosk in a pseudo-terminal for a few seconds, as it would start
	# (the installed configuration), but on this gateway and with no
	# devices: its home screen must come up with texts from the installed
	# zh_CN catalog (PREFIX=/usr compiled in) and the installed
	# high-contrast theme (found next to the program, ../share/kiosk).
	TERM=xterm-256color COLUMNS=100 LINES=30 timeout -k 2 6 \
		script -qfec "kiosk --gateway http://127.0.0.1:$port --data-dir $tmp/data \
			--lang zh_CN --theme high-contrast --speech none --printer none \
			--log $tmp/kiosk.log" "$tmp/kiosk.typescript" >/dev/null 2>&1 </dev/null
	if grep -q '大字模式' "$tmp/kiosk.typescript" 2>/dev/null; then
		ok "the installed kiosk paints its home screen in Chinese against the gateway"
	else
		tail -c 600 "$tmp/kiosk.typescript" 2>/dev/null | tr -c '[:print:]\n' '.' | sed 's/^/# /'
		not_ok "the installed kiosk paints its home screen in Chinese against the gateway"
	fi
	supervised_run
else
	sed 's/^/# /' "$tmp/gw.log"
	not_ok "the installed gateway serves on a free loopback port"
fi
[ -n "$gw_pid" ] && kill "$gw_pid" 2>/dev/null && wait "$gw_pid" 2>/dev/null
gw_pid=""

# ---- purge ------------------------------------------------------------------------------------
# As an administrator would, with state the services would have made.
private_before=no
[ -d /var/lib/private ] && private_before=yes
mkdir -p /var/lib/kiosk/outbox /var/lib/private/kiosk-gatewayd
ln -sfn private/kiosk-gatewayd /var/lib/kiosk-gatewayd
: >/var/lib/kiosk/outbox/held
: >/var/lib/private/kiosk-gatewayd/gateway.db
if apt_get purge -y -q kiosk kiosk-gatewayd >"$tmp/purge.log" 2>&1; then
	ok "apt-get purges kiosk and kiosk-gatewayd"
else
	tail -n 30 "$tmp/purge.log" | sed 's/^/# /'
	not_ok "apt-get purges kiosk and kiosk-gatewayd"
fi
left=""
for f in /usr/bin/kiosk /usr/bin/kiosk-mirror /usr/bin/kiosk-session /usr/sbin/kiosk-gatewayd \
	/etc/kiosk /etc/pam.d/kiosk /etc/X11/xorg.conf.d/90-kiosk.conf \
	/etc/systemd/logind.conf.d/kiosk.conf /etc/sysctl.d/90-kiosk-sysrq.conf \
	/etc/default/kiosk-gatewayd /lib/systemd/system/kiosk.service \
	/lib/systemd/system/kiosk-gatewayd.service /usr/share/kiosk \
	/etc/systemd/system/graphical.target.wants/kiosk.service \
	/var/lib/kiosk /var/lib/kiosk-gatewayd /var/lib/private/kiosk-gatewayd; do
	{ [ -e "$f" ] || [ -L "$f" ]; } && left="$left $f"
done
if [ -z "$left" ]; then
	ok "the purge took the programs, /etc files, units, enablement and state"
else
	not_ok "the purge took the programs, /etc files, units, enablement and state (left:$left)"
fi
check "the purge dropped kiosk.conf's statoverride" \
	sh -c '! dpkg-statoverride --list /etc/kiosk/kiosk.conf'
check "the purge kept the kiosk user (by design)" getent passwd kiosk
[ "$private_before" = no ] && rmdir /var/lib/private 2>/dev/null

# The machine as it was: what the install pulled in (if apt still has it
# as automatically installed: nobody asked for it since) is purged again,
# by apt-get (which waits for the lock while another make target installs
# its dependencies) and only if its simulation removes exactly those
# packages: nothing installed since that needs them goes with them.
auto=$(apt-mark showauto 2>/dev/null | sort)
pulled=$(echo "$auto" | comm -12 - "$tmp/pulled" | tr '\n' ' ')
if [ -n "$pulled" ]; then
	want=$(printf '%s\n' $pulled | sort | tr '\n' ' ')
	# shellcheck disable=SC2086
	would=$(apt-get -s purge $pulled 2>/dev/null | sed -n 's/^Purg \([^ :]*\).*/\1/p' | sort |
		tr '\n' ' ')
	if [ "$would" != "$want" ]; then
		echo "# purging them would also take: $(printf '%s\n' $would | grep -vxF "$(printf '%s\n' $pulled)" | tr '\n' ' ')"
		not_ok "the packages the install pulled in are purged again (left: $pulled)"
	elif apt_get purge -y -q $pulled >"$tmp/undeps.log" 2>&1; then
		ok "the $(echo "$pulled" | wc -w) packages the install pulled in are purged again"
	else
		tail -n 20 "$tmp/undeps.log" | sed 's/^/# /'
		not_ok "the packages the install pulled in are purged again (left: $pulled)"
	fi
fi
if [ "$user_before" = no ]; then
	deluser --quiet --system kiosk >/dev/null 2>&1
	getent group kiosk >/dev/null && delgroup --quiet --system kiosk >/dev/null 2>&1
	check "the kiosk user and group this run made are gone again" \
		sh -c '! getent passwd kiosk && ! getent group kiosk'
fi

finish
