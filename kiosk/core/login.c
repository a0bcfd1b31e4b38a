/* login.c: decoding the login answers, masking, and wiping (pure core). */
#include "login.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "jsonx.h"
#include "text.h"
#include "xmem.h"

static void wipe(char **p)
{
	if (*p) {
		explicit_bzero(*p, strlen(*p));
		free(*p);
		*p = NULL;
	}
}

void citizen_wipe(struct citizen *c)
{
	wipe(&c->display_name);
	wipe(&c->id_masked);
	wipe(&c->phone_masked);
	wipe(&c->name);
	wipe(&c->id);
}

void login_wipe(struct login *l)
{
	wipe(&l->access_token);
	citizen_wipe(&l->c);
	l->expires_in = 0;
}

static bool printable_ascii(const char *s, size_t min, size_t max)
{
	size_t n = strlen(s);
	if (n < min || n > max)
		return false;
	for (size_t i = 0; i < n; i++)
		if (s[i] <= 0x20 || s[i] >= 0x7f)
			return false;
	return true;
}

char *text_mask(const char *s, int keep_first, int keep_last)
{
	/* count code points */
	size_t len = strlen(s), n = 0;
	for (size_t i = 0; i < len;) {
		unsigned cp;
		i += text_utf8_decode(s + i, len - i, &cp);
		n++;
	}
	if ((size_t)(keep_first + keep_last) >= n) {
		keep_last = 0;
		if (keep_first > 1)
			keep_first = 1;
		if (n <= 1)
			return xstrdup(s);
	}
	char *out = xmalloc(len + n + 1), *o = out;
	size_t k = 0;
	for (size_t i = 0; i < len; k++) {
		unsigned cp;
		size_t step = text_utf8_decode(s + i, len - i, &cp);
		/* Separators in a name (阿依古丽·买买提, "Zhang San") stay. */
		bool sep = cp == 0xB7 || cp == ' ' || cp == 0x30FB;
		if (sep || k < (size_t)keep_first || k >= n - (size_t)keep_last) {
			memcpy(o, s + i, step);
			o += step;
		} else {
			*o++ = '*';
		}
		i += step;
	}
	*o = '\0';
	return out;
}

int login_code_plausible(const char *code, size_t len)
{
	if (len == 0 || len > 512)
		return 0;
	for (size_t i = 0; i < len; i++)
		if (code[i] <= 0x20 || code[i] >= 0x7f)
			return 0;
	return 1;
}

static int citizen_decode(const json_t *c, struct citizen *out, char *err, size_t errlen)
{
	memset(out, 0, sizeof *out);
	if (!json_is_object(c)) {
		snprintf(err, errlen, "citizen: expected object");
		return -1;
	}
	char *dn = NULL, *idm = NULL;
	if (jsonx_str(c, "display_name", true, &dn, "citizen", err, errlen) ||
	    jsonx_str(c, "id_masked", true, &idm, "citizen", err, errlen) ||
	    jsonx_str(c, "phone_masked", false, &out->phone_masked, "citizen", err, errlen) ||
	    jsonx_str(c, "name", false, &out->name, "citizen", err, errlen) ||
	    jsonx_str(c, "id", false, &out->id, "citizen", err, errlen)) {
		wipe(&dn);
		wipe(&idm);
		citizen_wipe(out);
		return -1;
	}
	/* Shown on screen: masked here too, whatever the gateway sent. */
	out->display_name = text_mask(dn, 1, 1);
	out->id_masked = text_mask(idm, 4, 4);
	wipe(&dn);
	wipe(&idm);
	char *pm = out->phone_masked ? text_mask(out->phone_masked, 3, 4) : xstrdup("");
	wipe(&out->phone_masked);
	out->phone_masked = pm;
	if (!out->name)
		out->name = xstrdup("");
	if (!out->id)
		out->id = xstrdup("");
	return 0;
}

int login_decode(const json_t *root, struct login *out, char *err, size_t errlen)
{
	memset(out, 0, sizeof *out);
	if (!json_is_object(root)) {
		snprintf(err, errlen, "expected object");
		return -1;
	}
	char *type = NULL;
	if (jsonx_str(root, "access_token", true, &out->access_token, "", err, errlen) ||
	    jsonx_str(root, "token_type", false, &type, "", err, errlen) ||
	    jsonx_int(root, "expires_in", false, &out->expires_in, "", err, errlen))
		goto fail;
	if (type && strcasecmp(type, "Bearer") != 0) {
		snprintf(err, errlen, "token_type: expected Bearer");
		goto fail;
	}
	if (!printable_ascii(out->access_token, 1, 4096)) {
		snprintf(err, errlen, "access_token: not a token");
		goto fail;
	}
	if (out->expires_in < 0)
		out->expires_in = 0;
	if (citizen_decode(json_object_get(root, "citizen"), &out->c, err, errlen))
		goto fail;
	free(type);
	return 0;
fail:
	free(type);
	login_wipe(out);
	return -1;
}

void device_wipe(struct device_auth *d)
{
	wipe(&d->device_code);
	wipe(&d->user_code);
	wipe(&d->verification_uri);
	wipe(&d->verification_uri_complete);
	d->expires_in = d->interval = 0;
}

int device_decode(const json_t *root, struct device_auth *out, char *err, size_t errlen)
{
	memset(out, 0, sizeof *out);
	out->interval = 5;
	if (!json_is_object(root)) {
		snprintf(err, errlen, "expected object");
		return -1;
	}
	if (jsonx_str(root, "device_code", true, &out->device_code, "", err, errlen) ||
	    jsonx_str(root, "user_code", true, &out->user_code, "", err, errlen) ||
	    jsonx_str(root, "verification_uri", true, &out->verification_uri, "", err, errlen) ||
	    jsonx_str(root, "verification_uri_complete", false, &out->verification_uri_complete, "", err, errlen) ||
	    jsonx_int(root, "expires_in", true, &out->expires_in, "", err, errlen) ||
	    jsonx_int(root, "interval", false, &out->interval, "", err, errlen))
		goto fail;
	if (!printable_ascii(out->device_code, 1, 1024)) {
		snprintf(err, errlen, "device_code: not a code");
		goto fail;
	}
	if (!printable_ascii(out->user_code, 4, 16)) {
		snprintf(err, errlen, "user_code: 4 to 16 printable characters expected");
		goto fail;
	}
	if (!printable_ascii(out->verification_uri, 8, 512) ||
	    strncmp(out->verification_uri, "https://", 8) != 0) {
		snprintf(err, errlen, "verification_uri: an https:// URL expected");
		goto fail;
	}
	if (!out->verification_uri_complete)
		out->verification_uri_complete = xstrdup(out->verification_uri);
	if (!printable_ascii(out->verification_uri_complete, 8, 512) ||
	    strncmp(out->verification_uri_complete, "https://", 8) != 0) {
		snprintf(err, errlen, "verification_uri_complete: an https:// URL expected");
		goto fail;
	}
	if (out->expires_in < 1 || out->expires_in > 3600) {
		snprintf(err, errlen, "expires_in: 1 to 3600 expected");
		goto fail;
	}
	if (out->interval < 1 || out->interval > 60) {
		snprintf(err, errlen, "interval: 1 to 60 expected");
		goto fail;
	}
	return 0;
fail:
	device_wipe(out);
	return -1;
}

enum token_error token_error_decode(const json_t *root)
{
	const char *e = json_string_value(json_object_get(root, "error"));
	if (!e)
		return TOKEN_OTHER;
	if (!strcmp(e, "authorization_pending"))
		return TOKEN_PENDING;
	if (!strcmp(e, "slow_down"))
		return TOKEN_SLOW_DOWN;
	if (!strcmp(e, "access_denied"))
		return TOKEN_DENIED;
	if (!strcmp(e, "expired_token"))
		return TOKEN_EXPIRED;
	return TOKEN_OTHER;
}
