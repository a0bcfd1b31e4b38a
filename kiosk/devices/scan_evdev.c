/* scan_evdev.c: the evdev:PATH[,LAYOUT] scanner: a USB HID ("keyboard
 * wedge") barcode scanner read straight from its input event node.
 *
 * Read from the terminal, such a scanner is only keys, and telling its
 * codes from a person costs every key a delay (wedge.c). Read from
 * /dev/input/by-id/usb-...-event-kbd it is ours alone: the node is grabbed
 * (EVIOCGRAB), so the scanner never types into the terminal or X, and its
 * key events are turned back into codes by evkeys.c in the scanner's
 * keyboard layout (us unless given: "evdev:/dev/input/by-id/...,de").
 *
 * The path may also be a recorded event stream: a FIFO or a regular file
 * that is not an input device (EVIOCGVERSION fails with ENOTTY) is read as
 * raw struct input_event records, what `cat /dev/input/eventN > file`
 * records, through the same decoder. That is how tests and staff replay a
 * scanner. Each writer of a FIFO must write whole records. A regular file
 * is read once to its end and then left alone (the scanner stays "ok");
 * a FIFO is kept open by a writer of our own, like fifo:, so producers may
 * come and go.
 *
 * A code that has begun and gets no further key for scan_evdev_idle_ms is
 * cut off and reported as bad: otherwise what is left of a broken scan (or
 * half a record in a FIFO) would be glued to the front of the next one.
 *
 * Unplugging gives ENODEV: scan_fail, and scan.c's retry opens the path
 * again (by-id links come back when the scanner is plugged in again).
 *
 * Codes are log-in tokens: nothing here logs a code or any part of it,
 * and the decoder's buffer is wiped once a code is handed on.
 */
#include <errno.h>
#include <fcntl.h>
#include <libevdev/libevdev.h>
#include <linux/input.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "evkeys.h"
#include "log.h"
#include "loop.h"
#include "scan_int.h"
#include "util.h"

long scan_evdev_idle_ms = 1500;

/* Per pass of the loop, so that a flood cannot hold the loop. */
#define EVDEV_MAX_EVENTS 4096

/* A scanner gone wrong (or a recording of garbage) can send thousands of bad
 * codes a second: a log line and a notice for each filled kiosk.log by
 * 10 MB a second (and the disk in minutes). In each minute the first few
 * are logged and told one by one; after that they are counted, logged as a
 * number when the minute is over, and told at most once a second (the
 * notice is on the screen anyway). */
#define EVDEV_DROP_WINDOW_MS 60000
#define EVDEV_DROP_LOGGED 10
#define EVDEV_DROP_TELL_MS 1000

struct scan_evdev {
	char *path;
	enum evkeys_layout layout;
	int fd;
	int wfd;                /* a FIFO recording: our own writer (see fifo_start) */
	struct libevdev *dev;   /* NULL for a recording */
	long long idle_timer;
	size_t npart;           /* a recording: bytes of a record not all read yet */
	unsigned char part[sizeof(struct input_event)];
	struct evkeys keys;     /* owns the code being read (wiped) */
	long long drop_window;  /* when the current minute of dropped codes began */
	long drop_n;            /* codes dropped in it */
	long long drop_told;    /* when a dropped code was last told (SCAN_NO_CODE) */
};

/* ---- setup -------------------------------------------------------------- */

/* "path[,layout]": the last comma starts the layout, so a path that holds
 * a comma itself needs the layout spelled out. */
static int evdev_setup(struct scanner *s, const char *arg, char *err, size_t errlen)
{
	const char *comma = strrchr(arg, ',');
	size_t plen = comma ? (size_t)(comma - arg) : strlen(arg);
	enum evkeys_layout layout = EVKEYS_US;

	if (plen == 0) {
		snprintf(err, errlen, "scanner \"%s\": evdev needs a device path", s->spec);
		return -1;
	}
	if (comma && !evkeys_layout_parse(comma + 1, &layout)) {
		snprintf(err, errlen, "scanner \"%s\": unknown keyboard layout \"%s\" (us, de or fr)",
		         s->spec, comma + 1);
		return -1;
	}
	struct scan_evdev *e = xcalloc(1, sizeof *e);
	e->path = xstrndup(arg, plen);
	e->layout = layout;
	e->fd = e->wfd = -1;
	evkeys_init(&e->keys, layout);
	s->priv = e;
	return 0;
}

/* ---- reporting ---------------------------------------------------------- */

/* The dropped codes of the minute that were not logged one by one. */
static void evdev_drop_summary(struct scanner *s, struct scan_evdev *e)
{
	if (e->drop_n > EVDEV_DROP_LOGGED)
		log_warn("scanner %s: %ld more codes were dropped within a minute (not each logged)",
		         s->spec, e->drop_n - EVDEV_DROP_LOGGED);
	e->drop_window = 0;
	e->drop_n = 0;
}

/* A bad code: logged and told, unless a flood of them is being counted. */
static bool evdev_dropped(struct scanner *s, struct scan_evdev *e)
{
	long long now = loop_now_ms();

	if (e->drop_n && now - e->drop_window >= EVDEV_DROP_WINDOW_MS)
		evdev_drop_summary(s, e);
	if (!e->drop_n)
		e->drop_window = now;
	e->drop_n++;
	if (e->drop_n <= EVDEV_DROP_LOGGED)
		/* The reason only: never the code. */
		log_info("scanner %s: a code was dropped: %s", s->spec, e->keys.why);
	else if (e->drop_n == EVDEV_DROP_LOGGED + 1)
		log_warn("scanner %s: more than %d codes dropped within a minute: counted, not each "
		         "logged", s->spec, EVDEV_DROP_LOGGED);
	else if (now - e->drop_told < EVDEV_DROP_TELL_MS)
		return true;
	e->drop_told = now;
	return scan_emit(s, SCAN_NO_CODE, NULL, 0, e->keys.why);
}

/* Hands on what the decoder said. false if the scanner was freed. */
static bool evdev_report(struct scanner *s, struct scan_evdev *e, enum evkeys_result r)
{
	bool alive = true;

	switch (r) {
	case EVKEYS_MORE:
		break;
	case EVKEYS_CODE:
		alive = scan_emit(s, SCAN_CODE, e->keys.buf, e->keys.len, NULL);
		/* s is still allocated even if freed from the callback (the
		 * free waits for scan_leave): the code is wiped either way. */
		evkeys_done(&e->keys);
		break;
	case EVKEYS_TOO_LONG:
		alive = scan_emit(s, SCAN_TOO_LONG, NULL, 0, e->keys.why);
		break;
	case EVKEYS_BAD:
		alive = evdev_dropped(s, e);
		break;
	}
	return alive;
}

static long evdev_on_idle(struct loop *l, long long id, void *ud)
{
	struct scanner *s = ud;
	struct scan_evdev *e = s->priv;

	e->idle_timer = 0;
	if (e->npart) {
		/* Half a record and then nothing: the writer is gone, the
		 * next one starts in step. */
		explicit_bzero(e->part, sizeof e->part);
		e->npart = 0;
		log_warn("scanner %s: half an event record dropped (a recording out of step?)",
		         s->spec);
	}
	scan_enter(s);
	evdev_report(s, e, evkeys_cut(&e->keys));
	scan_leave(s);
	return -1;
}

/* After a batch of events: a code begun (or half a record) is timed out if
 * nothing follows. */
static void evdev_arm_idle(struct scanner *s, struct scan_evdev *e)
{
	if (e->idle_timer)
		loop_timer_del(s->loop, e->idle_timer);
	e->idle_timer = 0;
	if (evkeys_pending(&e->keys) || e->npart)
		e->idle_timer = loop_timer_add(s->loop, scan_evdev_idle_ms, evdev_on_idle, s);
}

/* ---- a real input device (libevdev) -------------------------------------- */

static void evdev_readable(struct loop *l, int fd, int revents, void *ud)
{
	struct scanner *s = ud;
	struct scan_evdev *e = s->priv;
	struct input_event ev;
	char why[320];

	scan_enter(s);
	for (int n = 0; n < EVDEV_MAX_EVENTS; n++) {
		int rc = libevdev_next_event(e->dev, LIBEVDEV_READ_FLAG_NORMAL, &ev);

		if (rc == LIBEVDEV_READ_STATUS_SYNC) {
			/* ev is the SYN_DROPPED: the code being read is lost.
			 * What follows is the state now (keys held), which
			 * moves the modifiers but types nothing. */
			evkeys_feed(&e->keys, ev.type, ev.code, ev.value);
			do {
				rc = libevdev_next_event(e->dev, LIBEVDEV_READ_FLAG_SYNC, &ev);
				if (rc == LIBEVDEV_READ_STATUS_SYNC && ev.type == EV_KEY)
					evkeys_key_state(&e->keys, ev.code, ev.value != 0);
			} while (rc == LIBEVDEV_READ_STATUS_SYNC);
			if (rc == -EAGAIN)
				continue;
		}
		if (rc == LIBEVDEV_READ_STATUS_SUCCESS) {
			if (!evdev_report(s, e, evkeys_feed(&e->keys, ev.type, ev.code, ev.value)))
				goto out;
			continue;
		}
		if (rc == -EAGAIN)
			break;
		if (rc == -EINTR)
			continue;
		if (rc == -ENODEV)
			snprintf(why, sizeof why, "%s: the scanner was unplugged", e->path);
		else
			snprintf(why, sizeof why, "%s: read failed: %s", e->path, strerror(-rc));
		scan_fail(s, why); /* closes the device: nothing more here */
		goto out;
	}
	evdev_arm_idle(s, e);
out:
	scan_leave(s);
}

static int evdev_start_device(struct scanner *s, struct scan_evdev *e, char *why, size_t whylen)
{
	int rc = libevdev_new_from_fd(e->fd, &e->dev);

	if (rc < 0) {
		e->dev = NULL;
		snprintf(why, whylen, "%s: not a usable input device: %s", e->path, strerror(-rc));
		return -1;
	}
	const char *name = libevdev_get_name(e->dev);
	if (!libevdev_has_event_type(e->dev, EV_KEY) ||
	    !(libevdev_has_event_code(e->dev, EV_KEY, KEY_ENTER) ||
	      libevdev_has_event_code(e->dev, EV_KEY, KEY_KPENTER))) {
		snprintf(why, whylen, "%s (\"%s\") has no Enter key: not a keyboard-mode scanner",
		         e->path, name ? name : "");
		return -1;
	}
	rc = libevdev_grab(e->dev, LIBEVDEV_GRAB);
	if (rc < 0) {
		snprintf(why, whylen, "cannot grab %s: %s (another program holds it)", e->path,
		         strerror(-rc));
		return -1;
	}
	/* Keys held right now (libevdev read the state at open). Caps lock
	 * follows the device's LED, which shows the host's caps lock: a
	 * scanner that reads it to make up for it means what the host would
	 * type. */
	static const uint16_t mods[] = { KEY_LEFTSHIFT, KEY_RIGHTSHIFT, KEY_LEFTCTRL, KEY_RIGHTCTRL,
	                                 KEY_LEFTALT, KEY_RIGHTALT, KEY_LEFTMETA, KEY_RIGHTMETA };
	for (size_t i = 0; i < sizeof mods / sizeof mods[0]; i++)
		if (libevdev_has_event_code(e->dev, EV_KEY, mods[i]))
			evkeys_key_state(&e->keys, mods[i],
			                 libevdev_get_event_value(e->dev, EV_KEY, mods[i]) != 0);
	if (libevdev_has_event_code(e->dev, EV_LED, LED_CAPSL))
		e->keys.caps = libevdev_get_event_value(e->dev, EV_LED, LED_CAPSL) != 0;
	log_info("scanner %s: \"%s\" grabbed, layout %s", s->spec, name ? name : "",
	         evkeys_layout_name(e->layout));
	loop_fd_add(s->loop, e->fd, POLLIN, evdev_readable, s);
	return 0;
}

/* ---- a recorded event stream -------------------------------------------- */

static void evdev_recording_end(struct scanner *s, struct scan_evdev *e)
{
	loop_fd_del(s->loop, e->fd);
	close(e->fd);
	e->fd = -1;
	if (e->npart) {
		explicit_bzero(e->part, sizeof e->part);
		log_warn("scanner %s: the recording ends with half an event record (%zu bytes)",
		         s->spec, e->npart);
		e->npart = 0;
	}
	log_info("scanner %s: end of the recording", s->spec);
	if (e->idle_timer)
		loop_timer_del(s->loop, e->idle_timer);
	e->idle_timer = 0;
	evdev_report(s, e, evkeys_cut(&e->keys));
}

static void recording_readable(struct loop *l, int fd, int revents, void *ud)
{
	struct scanner *s = ud;
	struct scan_evdev *e = s->priv;
	const size_t rec = sizeof(struct input_event);
	unsigned char buf[sizeof(struct input_event) * 256];
	size_t total = 0;

	scan_enter(s);
	while (total < EVDEV_MAX_EVENTS * rec) {
		memcpy(buf, e->part, e->npart);
		ssize_t n = read(fd, buf + e->npart, sizeof buf - e->npart);

		if (n > 0) {
			size_t have = e->npart + (size_t)n, off = 0;
			bool alive = true;

			total += (size_t)n;
			for (; alive && have - off >= rec; off += rec) {
				struct input_event ev;
				memcpy(&ev, buf + off, rec);
				/* A kernel's microseconds are below a million: a
				 * record that says otherwise is read out of step
				 * (garbage before it), and garbage makes the code
				 * bad (EV_CNT is a type no device sends). */
				if (ev.input_event_usec < 0 || ev.input_event_usec > 999999)
					ev.type = EV_CNT;
				alive = evdev_report(s, e, evkeys_feed(&e->keys, ev.type, ev.code, ev.value));
			}
			if (!alive) {
				explicit_bzero(buf, sizeof buf);
				goto out;
			}
			e->npart = have - off;
			memcpy(e->part, buf + off, e->npart);
			explicit_bzero(buf, sizeof buf);
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			break;
		if (n == 0) {
			/* Only a regular file ends: a FIFO has our own writer. */
			evdev_recording_end(s, e);
			goto out;
		}
		char why[320];
		snprintf(why, sizeof why, "%s: read failed: %s", e->path, strerror(errno));
		scan_fail(s, why);
		goto out;
	}
	evdev_arm_idle(s, e);
out:
	scan_leave(s);
}

static int evdev_start_recording(struct scanner *s, struct scan_evdev *e, bool fifo,
                                 char *why, size_t whylen)
{
	if (fifo) {
		e->wfd = scan_fifo_writer(e->path, why, whylen);
		if (e->wfd < 0)
			return -1;
	}
	log_info("scanner %s: a recorded event stream (%s), layout %s", s->spec,
	         fifo ? "FIFO" : "file", evkeys_layout_name(e->layout));
	loop_fd_add(s->loop, e->fd, POLLIN, recording_readable, s);
	return 0;
}

/* ---- the backend --------------------------------------------------------- */

static int evdev_start(struct scanner *s, char *why, size_t whylen)
{
	struct scan_evdev *e = s->priv;
	struct stat st;
	int version;

	e->fd = open(e->path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (e->fd < 0) {
		if (errno == ENOENT || errno == ENODEV || errno == ENXIO)
			snprintf(why, whylen, "no scanner at %s (not plugged in?)", e->path);
		else if (errno == EACCES)
			snprintf(why, whylen, "cannot open %s: %s (the kiosk's user needs read "
			         "access: a udev rule or the input group)", e->path, strerror(errno));
		else
			snprintf(why, whylen, "cannot open %s: %s", e->path, strerror(errno));
		return -1;
	}
	if (fstat(e->fd, &st) != 0) {
		snprintf(why, whylen, "%s: %s", e->path, strerror(errno));
		return -1;
	}
	if (ioctl(e->fd, EVIOCGVERSION, &version) == 0)
		return evdev_start_device(s, e, why, whylen);
	int err = errno;
	if (err == ENOTTY && (S_ISFIFO(st.st_mode) || S_ISREG(st.st_mode)))
		return evdev_start_recording(s, e, S_ISFIFO(st.st_mode), why, whylen);
	if (S_ISDIR(st.st_mode))
		snprintf(why, whylen, "%s is a folder, not a scanner's event device", e->path);
	else
		snprintf(why, whylen, "%s is not an input event device (%s)", e->path, strerror(err));
	return -1;
}

static void evdev_stop(struct scanner *s)
{
	struct scan_evdev *e = s->priv;

	if (e->idle_timer)
		loop_timer_del(s->loop, e->idle_timer);
	e->idle_timer = 0;
	if (e->dev) {
		/* Fails harmlessly if we never had it, or the device is gone. */
		libevdev_grab(e->dev, LIBEVDEV_UNGRAB);
		libevdev_free(e->dev);
		e->dev = NULL;
	}
	if (e->fd >= 0) {
		loop_fd_del(s->loop, e->fd);
		close(e->fd);
	}
	if (e->wfd >= 0)
		close(e->wfd);
	e->fd = e->wfd = -1;
	explicit_bzero(e->part, sizeof e->part);
	e->npart = 0;
	evdev_drop_summary(s, e);
	/* A code half read when the device went is lost with it. */
	evkeys_reset(&e->keys);
}

static void evdev_destroy(struct scanner *s)
{
	struct scan_evdev *e = s->priv;

	if (e) {
		explicit_bzero(&e->keys, sizeof e->keys);
		free(e->path);
		free(e);
	}
	s->priv = NULL;
}

const struct scan_backend scan_evdev_backend = {
	.kind = "evdev",
	.setup = evdev_setup,
	.start = evdev_start,
	.stop = evdev_stop,
	.destroy = evdev_destroy,
};
