#!/bin/sh
# deps.sh GROUP...: install the Debian packages a make target needs, only
# those that are missing. Groups: build, test, display, demo-x11, deb.
set -eu
pkgs=""
for g in "$@"; do
  case "$g" in
    build) pkgs="$pkgs make gcc pkg-config gettext libncurses-dev libcurl4-openssl-dev libssl-dev
                 libjansson-dev libqrencode-dev libzbar-dev libespeak-ng-dev
                 libsqlite3-dev libmicrohttpd-dev libevdev-dev libsystemd-dev ca-certificates curl
                 alsa-utils" ;;
    test)  pkgs="$pkgs clang libvterm-dev libcriterion-dev libclang-rt-14-dev openssl dialog
                 unicode-data rime-data-pinyin-simp python3
                 xvfb libx11-dev libxtst-dev zlib1g-dev
                 xterm matchbox-window-manager fontconfig fonts-dejavu-core fonts-wqy-zenhei" ;;
    # What dist/kiosk-session runs on a kiosk (Xorg) and in make demo-x11
    # (Xephyr: a window on the developer's own desktop).
    display) pkgs="$pkgs xterm matchbox-window-manager fontconfig fonts-dejavu-core
                 fonts-wqy-zenhei xserver-xorg-core xserver-xorg-input-libinput" ;;
    demo-x11) pkgs="$pkgs xterm matchbox-window-manager fontconfig fonts-dejavu-core
                 fonts-wqy-zenhei xserver-xephyr" ;;
    # make deb: the Debian packages, and lintian over them.
    deb) pkgs="$pkgs debhelper dpkg-dev fakeroot lintian man-db pamtester" ;;
    *) echo "deps.sh: unknown group '$g'" >&2; exit 2 ;;
  esac
done
missing=""
for p in $pkgs; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
echo "deps: installing:$missing"
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing
