# kiosk: government self-service kiosk client and its reference gateway.
#
#   make            build build/kiosk and build/gatewayd
#   make demo       install what is missing, build, run the kiosk against gatewayd
#   make demo-x11   the same on the kiosk's own display stack, in a window (Xephyr)
#   make screenshots  docs/screenshots/*.png, taken by the pixel tests
#   make check      install what is missing, build (gcc, and clang+ASan+UBSan), run every test
#   make bench      print the benchmark figures
#   make load       gatewayd under load for 20 s (LOAD_ARGS=...), figures printed
#   make crash-apply  50 submissions, the kiosk killed at random moments; counts printed
#   make fuzz       build the libFuzzer targets (clang)
#   make fuzz-long  run each of them for 10 minutes (FUZZ_LONG_SECONDS), runs printed
#   make mutate     plant each bug of mk/mutants.txt in a copy; the tests must catch it
#   make install    PREFIX=/usr/local DESTDIR=
#   make install-system  the /etc files of a kiosk machine (SYSCONFDIR=/etc DESTDIR=)
#   make deb        build/deb/kiosk_*.deb and kiosk-gatewayd_*.deb, lintian over them
#   make deb-check  install them here (root), check them, run the gateway, purge them
#
# O is the output folder, so one tree holds several builds: `make O=build/asan
# CC=clang SAN=1` is the sanitizer build that `make check` runs the tests on.

O       ?= build
CC      ?= cc
PREFIX  ?= /usr/local
DESTDIR ?=
SAN     ?=
VERSION := 0.1.0

PKG_KIOSK := ncursesw libcurl libcrypto jansson libqrencode zbar espeak-ng sqlite3 libevdev libsystemd
# libespeak-ng (and its audio stack) and libzbar (and X11, V4L, JPEG) are not
# linked into the kiosk: speech.c dlopen()s espeak-ng when voice mode is
# switched on, qrdecode.c and scan_camera.c zbar when a picture or camera
# scanner starts; only their headers come from pkg-config. (The core's tests
# link zbar as before.)
LIBS_KIOSK = $(call pc_libs,$(filter-out espeak-ng zbar,$(PKG_KIOSK))) -ldl
PKG_GW    := libmicrohttpd sqlite3 jansson
PKG_TEST  := criterion vterm
# The pixel tests (tests/e2e/test_screen.c): Xvfb screenshots, XTEST input, PNG.
PKG_X     := x11 xtst zlib

CFLAGS_BASE := -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -Wshadow -Wformat=2 \
               -Wno-unused-parameter -Iinclude -DKIOSK_VERSION='"$(VERSION)"' \
               -DKIOSK_PREFIX='"$(PREFIX)"'
ifeq ($(SAN),1)
  OPT := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=undefined
else
  OPT := -O2 -g
endif
CFLAGS  ?=
LDFLAGS ?=
ALL_CFLAGS = $(CFLAGS_BASE) $(OPT) $(CFLAGS)
ALL_LDFLAGS = $(OPT) $(LDFLAGS)

pc_cflags = $(shell pkg-config --cflags $(1))
pc_libs   = $(shell pkg-config --libs $(1))

CORE_SRC    := $(wildcard kiosk/core/*.c)
KIOSK_SRC   := $(filter-out kiosk/main.c,$(wildcard kiosk/*.c kiosk/screens/*.c kiosk/devices/*.c))
GW_SRC      := $(wildcard gateway/*.c)
UNIT_SRC    := $(wildcard tests/unit/*.c)
CLIENT_TEST_SRC := $(wildcard tests/client/*.c)
X_SRC       := tests/harness/xdisp.c
HARNESS_SRC := $(filter-out $(X_SRC),$(wildcard tests/harness/*.c))
E2E_SRC     := $(wildcard tests/e2e/*.c)
FUZZ_SRC    := $(wildcard tests/fuzz/*.c)
BENCH_SRC   := $(wildcard bench/*.c)
PO          := $(wildcard locale/*.po)
LANGS       := $(basename $(notdir $(PO)))

obj = $(patsubst %.c,$(O)/obj/%.o,$(1))

CORE_OBJ  := $(call obj,$(CORE_SRC))
KIOSK_OBJ := $(call obj,$(KIOSK_SRC))
GW_OBJ    := $(call obj,$(GW_SRC))
MO        := $(foreach l,$(LANGS),$(O)/locale/$(l)/LC_MESSAGES/kiosk.mo)
THEMES    := $(patsubst themes/%,$(O)/themes/%,$(wildcard themes/*.theme))

.PHONY: all tests demo check bench load fuzz install clean deps-build deps-test
all: $(O)/kiosk $(O)/gatewayd $(O)/kiosk-mirror $(MO) $(THEMES)

# Per-directory flags: each part sees only the libraries it may use. The pure
# core gets jansson, libqrencode and libzbar (pure data in, data out): no
# curses, no curl, no devices.
PKG_CORE := jansson libqrencode zbar
$(O)/obj/kiosk/core/%.o: kiosk/core/%.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(call pc_cflags,$(PKG_CORE)) -MMD -MP -c $< -o $@
$(O)/obj/kiosk/%.o: kiosk/%.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(call pc_cflags,$(PKG_KIOSK)) -MMD -MP -c $< -o $@
$(O)/obj/gateway/%.o: gateway/%.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(call pc_cflags,$(PKG_GW)) -MMD -MP -c $< -o $@
$(O)/obj/tests/%.o: tests/%.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -Itests $(call pc_cflags,$(PKG_TEST) $(PKG_X) jansson libqrencode zbar libcurl) -MMD -MP -c $< -o $@
$(O)/obj/bench/%.o: bench/%.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -Itests $(call pc_cflags,$(PKG_TEST) jansson) -MMD -MP -c $< -o $@

$(O)/kiosk: $(O)/obj/kiosk/main.o $(KIOSK_OBJ) $(CORE_OBJ)
	$(CC) $(ALL_LDFLAGS) $^ -o $@ $(LIBS_KIOSK) -lpthread -lm
# Staff watch a kiosk's screen (kiosk --mirror unix:PATH): libc only.
$(O)/obj/tools/%.o: tools/%.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -MMD -MP -c $< -o $@
$(O)/kiosk-mirror: $(O)/obj/tools/kiosk-mirror.o
	$(CC) $(ALL_LDFLAGS) $^ -o $@
# The gateway builds its payment QR payloads with the core's EMV code, the
# one the kiosk checks them with.
GW_CORE_OBJ := $(call obj,kiosk/core/emv.c kiosk/core/money.c kiosk/core/validate.c)
$(O)/gatewayd: $(GW_OBJ) $(GW_CORE_OBJ)
	$(CC) $(ALL_LDFLAGS) $^ -o $@ $(call pc_libs,$(PKG_GW)) -lpthread -lm

$(O)/themes/%.theme: themes/%.theme
	@mkdir -p $(dir $@)
	cp $< $@

$(O)/locale/%/LC_MESSAGES/kiosk.mo: locale/%.po
	@mkdir -p $(dir $@)
	msgfmt --check -o $@ $<

# Tests: one Criterion binary for the pure core, one for the end-to-end runs
# (the harness drives $(O)/kiosk and $(O)/gatewayd in a pty).
$(O)/tests/unit: $(call obj,$(UNIT_SRC)) $(CORE_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_LDFLAGS) $^ -o $@ $(call pc_libs,criterion jansson libqrencode zbar) -lm
$(O)/tests/e2e: $(call obj,$(E2E_SRC) $(HARNESS_SRC) $(X_SRC)) $(CORE_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_LDFLAGS) $^ -o $@ $(call pc_libs,$(PKG_TEST) $(PKG_X) jansson libqrencode zbar libcurl) -lutil -lm
$(O)/tests/client: $(call obj,$(CLIENT_TEST_SRC)) $(KIOSK_OBJ) $(CORE_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_LDFLAGS) $^ -o $@ $(call pc_libs,criterion) $(LIBS_KIOSK) -lpthread -lm
tests: all $(O)/tests/unit $(O)/tests/client $(O)/tests/e2e $(O)/tests/load

# The load test (tests/load/load.c): `make load` runs it for 20 s against
# $(O)/gatewayd; the e2e suite runs it for 3 s (test_gateway.c), so `tests`
# builds it too. Not linked with Criterion: a Criterion test runs it, and
# Criterion's library would take it for one of its own sandboxed workers.
LOAD_SRC := $(wildcard tests/load/*.c)
$(O)/tests/load: $(call obj,$(LOAD_SRC) $(HARNESS_SRC)) $(CORE_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_LDFLAGS) $^ -o $@ $(call pc_libs,vterm jansson libqrencode zbar libcurl) -lutil -lpthread -lm
LOAD_ARGS ?= --seconds 20
load: deps-test
	@$(MAKE) --no-print-directory $(O)/gatewayd $(O)/tests/load
	@GATEWAYD_BIN=$(abspath $(O))/gatewayd $(O)/tests/load $(LOAD_ARGS)

# The crash test of citizens' submissions (tests/e2e/test_apply_crash.c):
# APPLY_CRASH_N rounds (50) of a kiosk killed with SIGKILL at random moments
# of a submission, some of the gateway's connections dropped mid-answer,
# then every submission found once at the gateway or offered again; the
# counts printed. APPLY_CRASH_SEED=... repeats a run's choices. `make check`
# runs 6 rounds of it (the e2e suite). `make O=build/asan CC=clang SAN=1
# crash-apply` runs it on the sanitizer build.
APPLY_CRASH_N ?= 50
crash-apply: deps-test
	@$(MAKE) --no-print-directory all $(O)/tests/e2e
	@LSAN_OPTIONS=suppressions=$(abspath tests/lsan.supp) APPLY_CRASH_N=$(APPLY_CRASH_N) \
	  $(if $(APPLY_CRASH_SEED),APPLY_CRASH_SEED=$(APPLY_CRASH_SEED)) \
	  KIOSK_BIN=$(abspath $(O))/kiosk GATEWAYD_BIN=$(abspath $(O))/gatewayd \
	  $(O)/tests/e2e --filter 'apply_crash/*' --jobs 1
.PHONY: crash-apply

# libFuzzer targets link the pure core alone, built with clang.
FUZZ_BIN := $(patsubst tests/fuzz/%.c,build/fuzz/%,$(FUZZ_SRC))
build/fuzz/%: tests/fuzz/%.c $(CORE_SRC)
	@mkdir -p $(dir $@)
	clang $(CFLAGS_BASE) -O1 -g -fsanitize=fuzzer,address,undefined $(call pc_cflags,$(PKG_CORE)) $^ -o $@ $(call pc_libs,$(PKG_CORE)) -lm
fuzz: $(FUZZ_BIN)
# Each target for FUZZ_LONG_SECONDS (600) : long runs, not part of make check.
fuzz-long: deps-test
	@$(MAKE) --no-print-directory fuzz
	@sh mk/fuzz-long.sh
.PHONY: fuzz-long

deps-build:
	@sh mk/deps.sh build
deps-test:
	@sh mk/deps.sh build test

demo: deps-build
	@$(MAKE) --no-print-directory all
	@sh mk/demo.sh $(O)

# The kiosk on the display stack it ships with (dist/kiosk-session), in a
# window on this desktop.
demo-x11:
	@sh mk/deps.sh build demo-x11
	@$(MAKE) --no-print-directory all
	@sh mk/demo.sh $(O) x11

# docs/screenshots/*.png: taken by the pixel tests (suite screen) on Xvfb.
screenshots: deps-test
	@$(MAKE) --no-print-directory tests
	@mkdir -p docs/screenshots
	@rm -f docs/screenshots/*.png
	@SCREENSHOT_DIR=$(abspath docs/screenshots) $(O)/tests/e2e --filter 'screen/*' --jobs 1 \
	  --timeout 240 >$(O)/screenshots.log 2>&1 || { tail -n 40 $(O)/screenshots.log; exit 1; }
	@rm -f docs/screenshots/leaked-key.png
	@ls docs/screenshots
.PHONY: demo-x11 screenshots

check: deps-test
	@$(MAKE) --no-print-directory pinyin-check
	@$(MAKE) --no-print-directory tests
	@$(MAKE) --no-print-directory O=build/asan CC=clang SAN=1 tests
	@$(MAKE) --no-print-directory fuzz
	@sh tests/run.sh

# The pinyin tables (docs/pinyin.md): kiosk/core/pinyin_data.c is generated
# and committed. `make pinyin` regenerates it; `make pinyin-check` fails if
# the committed file is not what tools/gen_pinyin.py makes now.
pinyin:
	python3 tools/gen_pinyin.py --stats -o kiosk/core/pinyin_data.c
pinyin-check:
	@mkdir -p $(O)/pinyin
	@python3 tools/gen_pinyin.py -o $(O)/pinyin/pinyin_data.c
	@cmp -s kiosk/core/pinyin_data.c $(O)/pinyin/pinyin_data.c || { \
	  diff -u kiosk/core/pinyin_data.c $(O)/pinyin/pinyin_data.c | head -n 40; \
	  echo "pinyin-check: kiosk/core/pinyin_data.c is not what tools/gen_pinyin.py makes: make pinyin"; \
	  exit 1; }
.PHONY: pinyin pinyin-check

# The mutation check: each mutant of mk/mutants.txt is planted in a copy of
# the tree (build/mutate/src) and the tests it names must fail.
mutate: deps-test
	@sh mk/mutate.sh
.PHONY: mutate

BENCH_BIN := $(patsubst bench/%.c,$(O)/bench/%,$(BENCH_SRC))
# bench/speech.c drives kiosk/devices/speech.c in a real loop, bench/mirror.c
# renders frames with kiosk/mirror.c: they link the client objects (which load
# espeak-ng themselves) instead of the harness.
BENCH_CLIENT_BIN := $(O)/bench/speech $(O)/bench/mirror
$(filter-out $(BENCH_CLIENT_BIN),$(BENCH_BIN)): $(O)/bench/%: $(O)/obj/bench/%.o $(call obj,$(HARNESS_SRC)) $(CORE_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_LDFLAGS) $^ -o $@ $(call pc_libs,$(PKG_TEST) $(PKG_CORE) libcurl) -lutil -lm
$(BENCH_CLIENT_BIN): $(O)/bench/%: $(O)/obj/bench/%.o $(KIOSK_OBJ) $(CORE_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_LDFLAGS) $^ -o $@ $(LIBS_KIOSK) -lpthread -lm
bench: deps-test
	@$(MAKE) --no-print-directory all $(BENCH_BIN)
	@sh bench/run.sh $(O)

# make install: the programs, themes, catalogs, man pages and systemd units
# under PREFIX (the units' paths follow it; with PREFIX=/usr they go to
# /lib/systemd/system, Debian's place, else PREFIX/lib/systemd/system,
# which systemd reads too). The gateway is sbin/kiosk-gatewayd: a daemon,
# named for the project. The files of /etc are make install-system's
# (below): they lock the whole machine down.
UNITDIR ?= $(if $(filter /usr,$(PREFIX)),/lib/systemd/system,$(PREFIX)/lib/systemd/system)
MAN_PAGES = $(wildcard docs/man/*.1 docs/man/*.5 docs/man/*.8)
install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/sbin $(DESTDIR)$(PREFIX)/share/kiosk/themes \
	  $(DESTDIR)$(PREFIX)/share/doc/kiosk $(DESTDIR)$(UNITDIR)
	install -m 755 $(O)/kiosk $(O)/kiosk-mirror dist/kiosk-session $(DESTDIR)$(PREFIX)/bin/
	install -m 755 $(O)/gatewayd $(DESTDIR)$(PREFIX)/sbin/kiosk-gatewayd
	install -m 644 themes/*.theme $(DESTDIR)$(PREFIX)/share/kiosk/themes/
	install -d $(DESTDIR)$(PREFIX)/share/kiosk/xorg.conf.d
	install -m 644 dist/xorg/90-kiosk.conf $(DESTDIR)$(PREFIX)/share/kiosk/xorg.conf.d/
	install -m 644 etc/kiosk.conf.sample docs/deploy.md $(DESTDIR)$(PREFIX)/share/doc/kiosk/
	for l in $(LANGS); do \
	  install -d $(DESTDIR)$(PREFIX)/share/locale/$$l/LC_MESSAGES; \
	  install -m 644 $(O)/locale/$$l/LC_MESSAGES/kiosk.mo $(DESTDIR)$(PREFIX)/share/locale/$$l/LC_MESSAGES/; \
	done
	for s in 1 5 8; do install -d $(DESTDIR)$(PREFIX)/share/man/man$$s; done
	for m in $(MAN_PAGES); do \
	  install -m 644 $$m $(DESTDIR)$(PREFIX)/share/man/man$${m##*.}/; \
	done
	for u in kiosk.service kiosk-gatewayd.service; do \
	  sed -e 's|/usr/bin/|$(PREFIX)/bin/|g' -e 's|/usr/sbin/|$(PREFIX)/sbin/|g' dist/$$u \
	    >$(DESTDIR)$(UNITDIR)/$$u && chmod 644 $(DESTDIR)$(UNITDIR)/$$u; \
	done

clean:
	rm -rf build

-include $(shell find $(O)/obj -name '*.d' 2>/dev/null)

# Refresh the message catalogs from the sources (then translate the new
# entries in locale/zh_CN.po and zh_TW.po; en.po is filled from the English
# ids, its header kept).
po:
	xgettext --from-code=UTF-8 -k_ -kN_ -kngettext:1,2 --add-comments=TRANSLATORS \
	  --package-name=kiosk --package-version=$(VERSION) -o locale/kiosk.pot kiosk/*.c kiosk/screens/*.c kiosk/devices/*.c
	for p in $(PO); do msgmerge --quiet --update --backup=none $$p locale/kiosk.pot; done
	msgattrib --clear-fuzzy --empty -o locale/en.po.new locale/en.po && \
	  msgen -o locale/en.po locale/en.po.new && rm -f locale/en.po.new
.PHONY: po

# ---- Debian packages ---------------------------------------------------------------------
# make install-system: what makes this machine a kiosk, in /etc (SYSCONFDIR):
# kiosk.conf (0640: it may hold staff_pin_hash; the package gives it to
# group kiosk) and session.conf, the PAM service of kiosk.service, and the
# lock-down: Xorg without VT switching or zapping, logind without gettys,
# SysRq off. Never part of make install: on a developer's machine it would
# take the text consoles and SysRq away. The package installs it (DESTDIR)
# and makes the kiosk user (debian/kiosk.postinst); without the package,
# make that user first, and kiosk.conf goes to its group.
SYSCONFDIR ?= /etc
install-system:
	install -d $(DESTDIR)$(SYSCONFDIR)/kiosk $(DESTDIR)$(SYSCONFDIR)/pam.d \
	  $(DESTDIR)$(SYSCONFDIR)/X11/xorg.conf.d $(DESTDIR)$(SYSCONFDIR)/systemd/logind.conf.d \
	  $(DESTDIR)$(SYSCONFDIR)/sysctl.d $(DESTDIR)$(SYSCONFDIR)/default
	@# A kiosk's own settings are never replaced by the samples.
	[ -e $(DESTDIR)$(SYSCONFDIR)/kiosk/kiosk.conf ] || \
	  install -m 640 etc/kiosk.conf.sample $(DESTDIR)$(SYSCONFDIR)/kiosk/kiosk.conf
	if [ -z "$(DESTDIR)" ] && getent group kiosk >/dev/null; then \
	  chgrp kiosk $(SYSCONFDIR)/kiosk/kiosk.conf; fi
	[ -e $(DESTDIR)$(SYSCONFDIR)/kiosk/session.conf ] || \
	  install -m 644 dist/session.conf $(DESTDIR)$(SYSCONFDIR)/kiosk/session.conf
	install -m 644 dist/pam/kiosk $(DESTDIR)$(SYSCONFDIR)/pam.d/kiosk
	install -m 644 dist/xorg/90-kiosk.conf $(DESTDIR)$(SYSCONFDIR)/X11/xorg.conf.d/
	install -m 644 dist/logind/kiosk.conf $(DESTDIR)$(SYSCONFDIR)/systemd/logind.conf.d/
	install -m 644 dist/sysctl/90-kiosk-sysrq.conf $(DESTDIR)$(SYSCONFDIR)/sysctl.d/
	install -m 644 dist/default/kiosk-gatewayd $(DESTDIR)$(SYSCONFDIR)/default/

# make deb: build/deb/kiosk_VERSION_ARCH.deb and kiosk-gatewayd_..., then
# lintian over them (an error fails; warnings are printed). dpkg-buildpackage
# writes into the parent of the tree it builds and debian/build into it, so
# it builds a copy, build/deb/src: the files git shows (tracked, and new ones
# not ignored) as they are in the working tree, the same as `make` builds.
# debian/changelog's version must be VERSION.
DEB_DIR := build/deb
deb:
	@sh mk/deps.sh build deb
	@v=$$(dpkg-parsechangelog -l debian/changelog -S Version); [ "$$v" = "$(VERSION)" ] || { \
	  echo "deb: debian/changelog says $$v, the Makefile's VERSION is $(VERSION)"; exit 1; }
	@rm -rf $(DEB_DIR) && mkdir -p $(DEB_DIR)/src
	@if [ -d .git ] && command -v git >/dev/null; then \
	  git ls-files -z --cached --others --exclude-standard | \
	    xargs -0 sh -c 'for f; do [ -e "$$f" ] && printf "%s\0" "$$f"; done' - | \
	    tar --null -T - -cf - | tar -xf - -C $(DEB_DIR)/src; \
	else \
	  tar --exclude=./build --exclude=./.git -cf - . | tar -xf - -C $(DEB_DIR)/src; \
	fi
	cd $(DEB_DIR)/src && dpkg-buildpackage -b -us -uc --jobs=auto >../build.log 2>&1 || { \
	  tail -n 40 ../build.log; echo "deb: dpkg-buildpackage failed: $(DEB_DIR)/build.log"; exit 1; }
	@ls $(DEB_DIR)/*.deb
	lintian --fail-on error $(DEB_DIR)/kiosk_*.deb $(DEB_DIR)/kiosk-gatewayd_*.deb

# make deb-check: install the packages on this machine (root), check what
# they put where, run the gateway, purge them (tests/deb/check.sh; it
# builds them with make deb unless build/deb has them).
deb-check:
	@sh tests/deb/check.sh
.PHONY: install-system deb deb-check
