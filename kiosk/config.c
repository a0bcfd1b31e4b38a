/* config.c: configuration file and flags. Flags are parsed twice: once to
 * find --config, then after the file, so that flags win. */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "escpos.h"
#include "ini.h"
#include "pinlock.h"
#include "mirror.h"
#include "printer.h"
#include "util.h"

static void set_str(char **dst, const char *v)
{
	free(*dst);
	*dst = xstrdup(v);
}

const char *config_lang(const char *s)
{
	if (!s)
		return NULL;
	if (!strcasecmp(s, "zh_CN") || !strcasecmp(s, "zh-CN") || !strcasecmp(s, "zh") ||
	    !strcasecmp(s, "zh-Hans") || !strncasecmp(s, "zh_CN.", 6))
		return "zh_CN";
	if (!strcasecmp(s, "zh_TW") || !strcasecmp(s, "zh-TW") || !strcasecmp(s, "zh-Hant") ||
	    !strcasecmp(s, "zh_HK") || !strncasecmp(s, "zh_TW.", 6))
		return "zh_TW";
	if (!strcasecmp(s, "en") || !strncasecmp(s, "en_", 3) || !strncasecmp(s, "en-", 3))
		return "en";
	return NULL;
}

static int parse_ms(const char *v, long *out, long min, long max)
{
	char *end;
	errno = 0;
	long n = strtol(v, &end, 10);
	if (errno || end == v || *end || n < min || n > max)
		return -1;
	*out = n;
	return 0;
}

static int parse_bool(const char *v, bool *out)
{
	if (!strcasecmp(v, "yes") || !strcasecmp(v, "true") || !strcmp(v, "1") || !strcasecmp(v, "on"))
		*out = true;
	else if (!strcasecmp(v, "no") || !strcasecmp(v, "false") || !strcmp(v, "0") || !strcasecmp(v, "off"))
		*out = false;
	else
		return -1;
	return 0;
}

static int add_gateway(struct config *c, const char *url, char *err, size_t errlen)
{
	const char *why = gw_url_problem(url);
	if (why) {
		snprintf(err, errlen, "gateway URL '%s': %s", url, why);
		return -1;
	}
	if (c->n_gateways == GW_MAX_URLS) {
		snprintf(err, errlen, "at most %d gateway URLs", GW_MAX_URLS);
		return -1;
	}
	c->gateways[c->n_gateways++] = xstrdup(url);
	return 0;
}

static void clear_gateways(struct config *c)
{
	for (int i = 0; i < c->n_gateways; i++)
		free(c->gateways[i]);
	c->n_gateways = 0;
}

/* Applies one setting, from the file or a flag; section "" for flags. */
static int apply(struct config *c, const char *section, const char *key, const char *v,
                 char *err, size_t errlen)
{
	if (!strcmp(section, "gateway")) {
		if (!strcmp(key, "url"))
			return add_gateway(c, v, err, errlen);
		if (!strcmp(key, "ca_file")) {
			set_str(&c->ca_file, v);
			return 0;
		}
		if (!strcmp(key, "pinned_pubkey")) {
			set_str(&c->pinned_pubkey, v);
			return 0;
		}
		if (!strcmp(key, "proxy")) {
			/* Only a proxy named here is used: the environment's
			 * http_proxy and friends are ignored, so nobody routes the
			 * citizens' traffic by setting a variable. */
			if (*v && strncmp(v, "http://", 7) && strncmp(v, "https://", 8) &&
			    strncmp(v, "socks5h://", 10)) {
				snprintf(err, errlen, "proxy must be an http://, https:// or socks5h:// URL");
				return -1;
			}
			set_str(&c->proxy, v);
			return 0;
		}
		if (!strcmp(key, "connect_timeout_ms")) {
			if (parse_ms(v, &c->connect_timeout_ms, 100, 60000) == 0)
				return 0;
			snprintf(err, errlen, "connect_timeout_ms must be a number from 100 to 60000");
			return -1;
		}
		if (!strcmp(key, "timeout_ms")) {
			if (parse_ms(v, &c->timeout_ms, 500, 300000) == 0)
				return 0;
			snprintf(err, errlen, "timeout_ms must be a number from 500 to 300000");
			return -1;
		}
		if (!strcmp(key, "heartbeat_s")) {
			if (parse_ms(v, &c->heartbeat_s, 1, 3600) == 0)
				return 0;
			snprintf(err, errlen, "heartbeat_s must be a number from 1 to 3600");
			return -1;
		}
	} else if (!strcmp(section, "kiosk")) {
		if (!strcmp(key, "id")) {
			if (!*v || strlen(v) > 64 || strspn(v, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.") != strlen(v)) {
				snprintf(err, errlen, "id must be 1-64 letters, digits, '-', '_' or '.'");
				return -1;
			}
			set_str(&c->kiosk_id, v);
			return 0;
		}
		if (!strcmp(key, "lang")) {
			const char *l = config_lang(v);
			if (!l) {
				snprintf(err, errlen, "lang must be zh_CN, zh_TW or en, not '%s'", v);
				return -1;
			}
			set_str(&c->lang, l);
			return 0;
		}
		if (!strcmp(key, "mode")) {
			/* "large", "voice", "large,voice", "normal" */
			bool large = false, voice = false;
			char *copy = xstrdup(v), *save = NULL;
			for (char *w = strtok_r(copy, ", ", &save); w; w = strtok_r(NULL, ", ", &save)) {
				if (!strcmp(w, "large"))
					large = true;
				else if (!strcmp(w, "voice"))
					voice = true;
				else if (strcmp(w, "normal") != 0) {
					snprintf(err, errlen, "mode must be large, voice, large,voice or normal, not '%s'", w);
					free(copy);
					return -1;
				}
			}
			free(copy);
			c->mode_large = large;
			c->mode_voice = voice;
			return 0;
		}
		if (!strcmp(key, "speech")) {
			if (strcmp(v, "espeak") && strncmp(v, "espeak:", 7) && strncmp(v, "log:", 4) &&
			    strncmp(v, "wav:", 4) && strcmp(v, "none")) {
				snprintf(err, errlen, "speech must be espeak[:DEVICE], log:FILE, wav:DIR or none");
				return -1;
			}
			set_str(&c->speech, v);
			return 0;
		}
		if (!strcmp(key, "large_font")) {
			/* "xterm" was xterm's font-menu step, which TrueType fonts
			 * ignore: it now means the launcher's own font. */
			if (!strcmp(v, "xterm"))
				v = CONFIG_LARGE_FONT_DEFAULT;
			struct large_font lf;
			if (strcmp(v, "none") && strncmp(v, "command:", 8) &&
			    config_large_font_parse(v, &lf) != 0) {
				snprintf(err, errlen, "large_font must be xft:FAMILY:SIZE:LARGE_SIZE (points), "
				                      "command:PATH or none");
				return -1;
			}
			set_str(&c->large_font, v);
			return 0;
		}
		if (!strcmp(key, "theme")) {
			set_str(&c->theme, v);
			return 0;
		}
		if (!strcmp(key, "data_dir")) {
			set_str(&c->data_dir, v);
			return 0;
		}
		if (!strcmp(key, "log")) {
			set_str(&c->log_file, v);
			return 0;
		}
		if (!strcmp(key, "mirror")) {
			if (!strcmp(v, "none")) {
				free(c->mirror);
				c->mirror = NULL;
				return 0;
			}
			const char *why = mirror_spec_problem(v);
			if (why) {
				snprintf(err, errlen, "mirror: %s (or none)", why);
				return -1;
			}
			set_str(&c->mirror, v);
			return 0;
		}
		if (!strcmp(key, "staff_pin_hash")) {
			/* Staff mode's PIN (staff.h), as kiosk --hash-pin writes it;
			 * empty: no PIN (staff cards only). */
			struct pinhash h;
			char why[160];
			if (*v && pinhash_parse(v, &h, why, sizeof why) != 0) {
				snprintf(err, errlen, "staff_pin_hash %s", why);
				return -1;
			}
			free(c->staff_pin_hash);
			c->staff_pin_hash = *v ? xstrdup(v) : NULL;
			return 0;
		}
		if (!strcmp(key, "lockdown") || !strcmp(key, "cursor_visible") || !strcmp(key, "mirror_private")) {
			bool *b = !strcmp(key, "lockdown") ? &c->lockdown
			        : !strcmp(key, "cursor_visible") ? &c->cursor_visible : &c->mirror_private;
			if (parse_bool(v, b) == 0)
				return 0;
			snprintf(err, errlen, "%s must be yes or no", key);
			return -1;
		}
	} else if (!strcmp(section, "scanner")) {
		if (!strcmp(key, "device")) {
			if (c->n_scanners == 8) {
				snprintf(err, errlen, "at most 8 scanners");
				return -1;
			}
			if (!strchr(v, ':')) {
				snprintf(err, errlen, "scanner '%s' must be KIND:ARG (evdev, camera, serial, images, fifo)", v);
				return -1;
			}
			c->scanners[c->n_scanners++] = xstrdup(v);
			return 0;
		}
		if (!strcmp(key, "wedge")) {
			if (parse_bool(v, &c->wedge) == 0)
				return 0;
			snprintf(err, errlen, "wedge must be on or off");
			return -1;
		}
		if (!strcmp(key, "wedge_gap_ms")) {
			if (parse_ms(v, &c->wedge_gap_ms, 5, 500) == 0)
				return 0;
			snprintf(err, errlen, "wedge_gap_ms must be a number from 5 to 500");
			return -1;
		}
		if (!strcmp(key, "wedge_min_len")) {
			if (parse_ms(v, &c->wedge_min_len, 2, 256) == 0)
				return 0;
			snprintf(err, errlen, "wedge_min_len must be a number from 2 to 256");
			return -1;
		}
	} else if (!strcmp(section, "printer")) {
		if (!strcmp(key, "device")) {
			if (printer_spec_check(v, err, errlen) != 0)
				return -1;
			set_str(&c->printer, v);
			return 0;
		}
		if (!strcmp(key, "columns")) {
			if (parse_ms(v, &c->printer_columns, ESCPOS_COLS_MIN, ESCPOS_COLS_MAX) == 0)
				return 0;
			snprintf(err, errlen, "columns must be a number from %d to %d (32 on 58 mm paper, "
			         "48 on 80 mm)", ESCPOS_COLS_MIN, ESCPOS_COLS_MAX);
			return -1;
		}
	} else if (!strcmp(section, "session")) {
		if (!strcmp(key, "idle_timeout_s")) {
			if (parse_ms(v, &c->idle_timeout_s, 4, 86400) == 0)
				return 0;
			snprintf(err, errlen, "idle_timeout_s must be a number from 4 to 86400");
			return -1;
		}
		if (!strcmp(key, "idle_warning_s")) {
			if (parse_ms(v, &c->idle_warning_s, 2, 600) == 0)
				return 0;
			snprintf(err, errlen, "idle_warning_s must be a number from 2 to 600");
			return -1;
		}
	} else if (!*section) {
		snprintf(err, errlen, "'%s' is outside a section ([gateway], [kiosk], [scanner], [printer] or [session])", key);
		return -1;
	} else {
		snprintf(err, errlen, "unknown section [%s]", section);
		return -1;
	}
	snprintf(err, errlen, "unknown key '%s' in [%s]", key, section);
	return -1;
}

static int on_ini(void *ud, const char *section, const char *key, const char *value,
                  char *err, size_t errlen)
{
	return apply(ud, section, key, value, err, errlen);
}

int config_large_font_parse(const char *spec, struct large_font *out)
{
	if (strncmp(spec, "xft:", 4) != 0)
		return -1;
	const char *fam = spec + 4, *c1 = strchr(fam, ':');
	if (!c1 || c1 == fam || (size_t)(c1 - fam) >= sizeof out->family)
		return -1;
	/* The family goes to the terminal in an escape sequence: printable
	 * ASCII only, and nothing that could end or extend it. */
	for (const char *p = fam; p < c1; p++)
		if (*p < 0x20 || *p > 0x7e || *p == ';' || *p == '\\')
			return -1;
	char *end;
	long n = strtol(c1 + 1, &end, 10);
	if (end == c1 + 1 || *end != ':' || n < 4 || n > 200)
		return -1;
	const char *c2 = end;
	long l = strtol(c2 + 1, &end, 10);
	if (end == c2 + 1 || *end != '\0' || l < 4 || l > 200)
		return -1;
	memcpy(out->family, fam, (size_t)(c1 - fam));
	out->family[c1 - fam] = '\0';
	out->size = (int)n;
	out->size_large = (int)l;
	return 0;
}

static void usage(FILE *f)
{
	fputs("Usage: kiosk [OPTION]...\n"
	      "Self-service kiosk client for government service halls.\n\n"
	      "  --gateway URL      services gateway (repeatable; tried in order)\n"
	      "  --config FILE      configuration file (default " CONFIG_DEFAULT_PATH ")\n"
	      "  --lang LANG        zh_CN (default), zh_TW or en\n"
	      "  --theme NAME|FILE  colour theme: default, high-contrast, or a .theme file\n"
	      "  --data-dir DIR     catalog cache and payments outbox (/var/lib/kiosk)\n"
	      "  --kiosk-id ID      this kiosk's identity, sent as X-Kiosk-Id\n"
	      "  --ca-file FILE     CA certificates that sign the gateway's certificate\n"
	      "  --log FILE         log to FILE instead of syslog\n"
	      "  --scanner KIND:ARG a scanner (repeatable): evdev:/dev/input/by-id/...[,LAYOUT]\n"
	      "                     (a USB scanner, taken from the keyboard; us, de, fr),\n"
	      "                     camera:/dev/video0, serial:/dev/ttyACM0[,9600],\n"
	      "                     images:DIR, fifo:PATH\n"
	      "  --wedge on|off     take a keyboard-wedge scanner's bursts typed on the\n"
	      "                     terminal as scans (default off: keys act at once)\n"
	      "  --printer KIND:ARG the receipt printer: escpos:/dev/usb/lp0,\n"
	      "                     escpos:/dev/ttyS0,19200, file:PATH or none (default)\n"
	      "  --idle-timeout S   end an unattended session after S seconds (120)\n"
	      "  --heartbeat-s S    report to the gateway every S seconds (60)\n"
	      "  --mode MODES       start in large, voice or large,voice mode\n"
	      "  --speech SPEC      espeak[:DEVICE] (default), log:FILE, wav:DIR, none\n"
	      "  --large-font SPEC  xft:FAMILY:PT:LARGE_PT (xterm), command:PATH or none\n"
	      "  --demo-sim         demo only: F5 scans a demo login code, F6 approves\n"
	      "                     the QR login, through the gateway's /sim endpoints\n"
	      "  --no-lockdown      development: Ctrl-C works and F10 quits\n"
	      "  --mirror unix:PATH let staff watch the screen, read-only, with\n"
	      "                     kiosk-mirror PATH (a socket, mode 0600)\n"
	      "  --ledger           print the payments ledger of --data-dir and exit\n"
	      "  --hash-pin         read a staff PIN on stdin, print its staff_pin_hash line\n"
	      "  --version          print the version and exit\n"
	      "  --help             print this help and exit\n", f);
}

enum { OPT_GATEWAY = 1, OPT_CA_FILE, OPT_CONFIG, OPT_LARGE_FONT, OPT_PRINTER, OPT_LANG, OPT_THEME, OPT_DATA_DIR, OPT_KIOSK_ID,
       OPT_LOG, OPT_NO_LOCKDOWN, OPT_SCANNER, OPT_WEDGE, OPT_IDLE, OPT_HEARTBEAT, OPT_DEMO_SIM, OPT_MODE, OPT_SPEECH,
       OPT_LEDGER, OPT_MIRROR, OPT_HASH_PIN, OPT_VERSION, OPT_HELP };

static const struct option long_opts[] = {
	{ "gateway", required_argument, NULL, OPT_GATEWAY },
	{ "ca-file", required_argument, NULL, OPT_CA_FILE },
	{ "config", required_argument, NULL, OPT_CONFIG },
	{ "lang", required_argument, NULL, OPT_LANG },
	{ "theme", required_argument, NULL, OPT_THEME },
	{ "data-dir", required_argument, NULL, OPT_DATA_DIR },
	{ "kiosk-id", required_argument, NULL, OPT_KIOSK_ID },
	{ "log", required_argument, NULL, OPT_LOG },
	{ "no-lockdown", no_argument, NULL, OPT_NO_LOCKDOWN },
	{ "scanner", required_argument, NULL, OPT_SCANNER },
	{ "wedge", required_argument, NULL, OPT_WEDGE },
	{ "printer", required_argument, NULL, OPT_PRINTER },
	{ "idle-timeout", required_argument, NULL, OPT_IDLE },
	{ "heartbeat-s", required_argument, NULL, OPT_HEARTBEAT },
	{ "demo-sim", no_argument, NULL, OPT_DEMO_SIM },
	{ "mode", required_argument, NULL, OPT_MODE },
	{ "speech", required_argument, NULL, OPT_SPEECH },
	{ "large-font", required_argument, NULL, OPT_LARGE_FONT },
	{ "ledger", no_argument, NULL, OPT_LEDGER },
	{ "hash-pin", no_argument, NULL, OPT_HASH_PIN },
	{ "mirror", required_argument, NULL, OPT_MIRROR },
	{ "version", no_argument, NULL, OPT_VERSION },
	{ "help", no_argument, NULL, OPT_HELP },
	{ NULL, 0, NULL, 0 },
};

/* Names what getopt_long rejected. With opterr = 0, glibc sets optopt to 0
 * for an unknown or ambiguous long option, to the option's value for a
 * missing or unwanted argument, and to the character for a short option. */
static void flag_error(char **argv, char *err, size_t errlen)
{
	if (optopt > OPT_HELP) {
		snprintf(err, errlen, "unknown option '-%c' (try --help)", optopt);
		return;
	}
	for (const struct option *o = long_opts; optopt && o->name; o++) {
		if (o->val != optopt)
			continue;
		if (o->has_arg == no_argument)
			snprintf(err, errlen, "option '--%s' takes no value", o->name);
		else
			snprintf(err, errlen, "option '--%s' needs a value", o->name);
		return;
	}
	snprintf(err, errlen, "unknown or ambiguous option '%s' (try --help)", argv[optind - 1]);
}

enum config_result config_load(struct config *c, int argc, char **argv, char *err, size_t errlen)
{
	memset(c, 0, sizeof *c);
	c->connect_timeout_ms = 3000;
	c->timeout_ms = 10000;
	c->lockdown = true;
	c->lang = xstrdup("zh_CN");
	c->theme = xstrdup("default");
	c->data_dir = xstrdup("/var/lib/kiosk");
	c->wedge_gap_ms = 35;
	c->wedge_min_len = 6;
	c->idle_timeout_s = 120;
	c->idle_warning_s = 30;
	c->heartbeat_s = 60;
	c->speech = xstrdup("espeak");
	c->large_font = xstrdup(CONFIG_LARGE_FONT_DEFAULT);
	c->printer = xstrdup("none");
	c->printer_columns = ESCPOS_COLS_80MM;

	/* Pass 1: --help, --version, --config, and flag syntax. */
	const char *cfg_path = NULL;
	bool cfg_explicit = false;
	opterr = 0;
	optind = 1;
	int o;
	while ((o = getopt_long(argc, argv, "", long_opts, NULL)) != -1) {
		if (o == '?' || o == ':') {
			flag_error(argv, err, errlen);
			return CONFIG_ERROR;
		}
		if (o == OPT_HELP) {
			usage(stdout);
			return CONFIG_EXIT_OK;
		}
		if (o == OPT_VERSION) {
			printf("kiosk %s\n", KIOSK_VERSION);
			return CONFIG_EXIT_OK;
		}
		if (o == OPT_CONFIG) {
			cfg_path = optarg;
			cfg_explicit = true;
		}
	}
	if (optind < argc) {
		snprintf(err, errlen, "unexpected argument '%s' (try --help)", argv[optind]);
		return CONFIG_ERROR;
	}
	if (!cfg_path)
		cfg_path = CONFIG_DEFAULT_PATH;
	c->config_path = xstrdup(cfg_path);
	if (cfg_explicit || access(cfg_path, F_OK) == 0) {
		char why[256];
		int line = ini_parse_file(cfg_path, on_ini, c, why, sizeof why);
		if (line < 0) {
			snprintf(err, errlen, "%s", why); /* names the file already */
			return CONFIG_ERROR;
		}
		if (line > 0) {
			snprintf(err, errlen, "%s:%d: %s", cfg_path, line, why);
			return CONFIG_ERROR;
		}
	}

	/* Pass 2: flags override the file. */
	optind = 1;
	int li = 0;
	while ((o = getopt_long(argc, argv, "", long_opts, &li)) != -1) {
		char why[256] = "";
		int r = 0;
		switch (o) {
		case OPT_GATEWAY:
			if (!c->gateways_from_flags) {
				clear_gateways(c); /* flags replace the file's list */
				c->gateways_from_flags = true;
			}
			r = add_gateway(c, optarg, why, sizeof why);
			break;
		case OPT_CA_FILE: r = apply(c, "gateway", "ca_file", optarg, why, sizeof why); break;
		case OPT_LANG: r = apply(c, "kiosk", "lang", optarg, why, sizeof why); break;
		case OPT_THEME: r = apply(c, "kiosk", "theme", optarg, why, sizeof why); break;
		case OPT_DATA_DIR: r = apply(c, "kiosk", "data_dir", optarg, why, sizeof why); break;
		case OPT_KIOSK_ID: r = apply(c, "kiosk", "id", optarg, why, sizeof why); break;
		case OPT_LOG: r = apply(c, "kiosk", "log", optarg, why, sizeof why); break;
		case OPT_NO_LOCKDOWN: c->lockdown = false; break;
		case OPT_SCANNER:
			if (!c->scanners_from_flags) {
				for (int i = 0; i < c->n_scanners; i++)
					free(c->scanners[i]);
				c->n_scanners = 0; /* flags replace the file's list */
				c->scanners_from_flags = true;
			}
			r = apply(c, "scanner", "device", optarg, why, sizeof why);
			break;
		case OPT_PRINTER: r = apply(c, "printer", "device", optarg, why, sizeof why); break;
		case OPT_IDLE: r = apply(c, "session", "idle_timeout_s", optarg, why, sizeof why); break;
		case OPT_HEARTBEAT: r = apply(c, "gateway", "heartbeat_s", optarg, why, sizeof why); break;
		case OPT_DEMO_SIM: c->demo_sim = true; break;
		case OPT_LEDGER: c->ledger = true; break;
		case OPT_HASH_PIN: c->hash_pin = true; break;
		case OPT_WEDGE: r = apply(c, "scanner", "wedge", optarg, why, sizeof why); break;
		case OPT_MIRROR: r = apply(c, "kiosk", "mirror", optarg, why, sizeof why); break;
		case OPT_MODE: r = apply(c, "kiosk", "mode", optarg, why, sizeof why); break;
		case OPT_SPEECH: r = apply(c, "kiosk", "speech", optarg, why, sizeof why); break;
		case OPT_LARGE_FONT: r = apply(c, "kiosk", "large_font", optarg, why, sizeof why); break;
		default: break;
		}
		if (r != 0) {
			snprintf(err, errlen, "--%s: %s", long_opts[li].name, why);
			return CONFIG_ERROR;
		}
	}
	if (c->n_gateways == 0 && !c->ledger && !c->hash_pin) {
		snprintf(err, errlen, "no gateway configured: give --gateway URL or [gateway] url in %s", cfg_path);
		return CONFIG_ERROR;
	}
	if (!c->kiosk_id) {
		char host[HOST_NAME_MAX + 1] = "kiosk";
		gethostname(host, sizeof host);
		host[sizeof host - 1] = '\0';
		c->kiosk_id = xasprintf("kiosk-%s", host);
	}
	return CONFIG_OK;
}

void config_free(struct config *c)
{
	clear_gateways(c);
	for (int i = 0; i < c->n_scanners; i++)
		free(c->scanners[i]);
	free(c->ca_file);
	free(c->pinned_pubkey);
	free(c->proxy);
	free(c->lang);
	free(c->theme);
	free(c->data_dir);
	free(c->kiosk_id);
	free(c->log_file);
	free(c->config_path);
	free(c->speech);
	free(c->large_font);
	free(c->printer);
	free(c->staff_pin_hash);
	free(c->mirror);
	memset(c, 0, sizeof *c);
}
