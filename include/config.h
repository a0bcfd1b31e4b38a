/* config.h: the kiosk's configuration: /etc/kiosk/kiosk.conf (INI), then
 * command-line flags, which override it. See etc/kiosk.conf.sample. */
#ifndef KIOSK_CONFIG_H
#define KIOSK_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include "gw.h"

#define CONFIG_DEFAULT_PATH "/etc/kiosk/kiosk.conf"
/* What dist/kiosk-session sets up: xterm with this font at these sizes. */
#define CONFIG_LARGE_FONT_DEFAULT "xft:DejaVu Sans Mono:16:32"

struct config {
	char *gateways[GW_MAX_URLS];
	int n_gateways;
	bool gateways_from_flags;
	char *ca_file;
	char *pinned_pubkey;
	char *proxy;         /* NULL: no proxy, whatever the environment says */
	long connect_timeout_ms;
	long timeout_ms;
	char *lang;          /* "zh_CN" (default), "zh_TW", "en" */
	char *theme;         /* name ("default") or path to a .theme file */
	char *data_dir;
	char *kiosk_id;
	char *log_file;      /* NULL: syslog */
	bool lockdown;
	bool cursor_visible;
	char *scanners[8];   /* "kind:arg" specs */
	int n_scanners;
	bool scanners_from_flags;
	char *printer;       /* receipt printer spec: escpos:DEV[,BAUD], file:PATH, none */
	long printer_columns; /* its paper's width in characters: 32 (58 mm), 42 or 48 (80 mm) */
	/* Keyboard-wedge scanners (USB scanners that type into the terminal):
	 * off by default, so a key acts the moment it arrives; on, printable
	 * keys are held up to wedge_gap_ms in case they are a scan's burst. */
	bool wedge;
	long wedge_gap_ms;   /* keyboard-wedge scanners: max gap inside a burst */
	long wedge_min_len;  /* ... and the shortest burst that is a scan */
	long idle_timeout_s;
	long idle_warning_s;
	long heartbeat_s;    /* fleet: POST /v1/kiosk/heartbeat every this many seconds */
	bool demo_sim;       /* demo only: F5/F6 stand in for the citizen's phone */
	bool mode_large;     /* start (and return after a session) in large-text mode */
	bool mode_voice;     /* ... in voice-prompt mode */
	char *speech;        /* speech backend spec: espeak[:DEV], log:FILE, wav:DIR, none */
	char *large_font;    /* font-scale hook: "xft:FAMILY:N:L", "none", or "command:PATH" */
	char *config_path;
	bool ledger;         /* --ledger: print the ledger of data_dir and exit */
	char *staff_pin_hash; /* [kiosk] staff_pin_hash (pinlock.h), or NULL: no staff PIN */
	bool hash_pin;       /* --hash-pin: print a PIN's staff_pin_hash line and exit */
	char *mirror;        /* "unix:PATH": staff watch the screen (kiosk-mirror), or NULL */
	bool mirror_private; /* the mirror shows screens with a citizen's masked data too */
};

enum config_result { CONFIG_OK, CONFIG_EXIT_OK, CONFIG_ERROR };

/* Reads the config file named by --config (or the default, if present) and
 * applies the flags. On CONFIG_ERROR, err names the file and line or the
 * flag and the problem. CONFIG_EXIT_OK: --help/--version was printed. */
enum config_result config_load(struct config *c, int argc, char **argv, char *err, size_t errlen);
void config_free(struct config *c);

/* large_font = xft:FAMILY:SIZE:LARGE_SIZE (xterm's OSC 50 with a TrueType
 * font, sizes in points). 0, or -1 if spec is not of that form. */
struct large_font {
	char family[128];
	int size, size_large;
};
int config_large_font_parse(const char *spec, struct large_font *out);

/* Normalises "zh_CN", "zh-CN", "zh", "en_US"... to "zh_CN", "zh_TW" or "en";
 * NULL if unknown. */
const char *config_lang(const char *s);

#endif
