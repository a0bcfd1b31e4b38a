/* seal.c: the kiosk secret (DATA_DIR/outbox.key) and the sealing of
 * citizens' answers with keys derived from it and the citizen's ID number
 * (AES-256-GCM, HMAC-SHA256: OpenSSL 3's EVP interfaces). Why this design:
 * include/seal.h. */
#include "seal.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

struct seal {
	unsigned char secret[SEAL_SECRET_SIZE];
	EVP_MAC *mac;
};

/* ---- random bytes -------------------------------------------------------- */

int seal_random(void *buf, size_t n)
{
	unsigned char *p = buf;
	size_t got = 0;
	while (got < n) {
		ssize_t r = getrandom(p + got, n - got, 0);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		got += (size_t)r;
	}
	return 0;
}

/* ---- the key file ---------------------------------------------------------- */

static void sync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
}

static int write_all(int fd, const unsigned char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* A new secret under a temporary name made with O_EXCL (mkostemp: 0600),
 * written and synced, then linked to `path`, which never replaces one that
 * is there: two kiosks racing keep the first, and a crash never leaves a
 * short key under the real name. 0, or -1 with err. */
static int make_key(const char *dir, const char *path, char *err, size_t n)
{
	char *tmp = xasprintf("%s/.%s-XXXXXX", dir, SEAL_KEY_FILE);
	int fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0) {
		snprintf(err, n, "outbox key %s: cannot be made: %s", path, strerror(errno));
		free(tmp);
		return -1;
	}
	unsigned char key[SEAL_SECRET_SIZE];
	int r = -1;
	if (fchmod(fd, 0600) != 0 || seal_random(key, sizeof key) != 0 || write_all(fd, key, sizeof key) != 0 ||
	    fsync(fd) != 0)
		snprintf(err, n, "outbox key %s: cannot be written: %s", path, strerror(errno));
	else if (link(tmp, path) != 0 && errno != EEXIST)
		snprintf(err, n, "outbox key %s: cannot be made: %s", path, strerror(errno));
	else
		r = 0;
	explicit_bzero(key, sizeof key);
	close(fd);
	unlink(tmp);
	free(tmp);
	if (r == 0)
		sync_dir(dir);
	return r;
}

/* Reads the key file: ours, regular, private, 32 bytes. */
static int read_key(const char *path, unsigned char out[SEAL_SECRET_SIZE], bool *missing, char *err, size_t n)
{
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0) {
		if (errno == ENOENT && missing)
			*missing = true;
		snprintf(err, n, "outbox key %s: %s%s", path, strerror(errno),
		         errno == ELOOP ? " (a symbolic link: refused)" : "");
		return -1;
	}
	struct stat st;
	int r = -1;
	if (fstat(fd, &st) != 0)
		snprintf(err, n, "outbox key %s: %s", path, strerror(errno));
	else if (!S_ISREG(st.st_mode))
		snprintf(err, n, "outbox key %s: not a regular file: refused", path);
	else if (st.st_uid != geteuid())
		snprintf(err, n, "outbox key %s: belongs to another user (uid %u): refused", path,
		         (unsigned)st.st_uid);
	else if (st.st_mode & 077)
		snprintf(err, n,
		         "outbox key %s: other users can read it (mode %04o): refused, as it may have been "
		         "copied. Remove it (the submissions it sealed can then not be opened again) or, if "
		         "you are sure nobody read it, make it private: chmod 600",
		         path, (unsigned)(st.st_mode & 07777));
	else if (st.st_size != SEAL_SECRET_SIZE)
		snprintf(err, n, "outbox key %s: damaged (%lld bytes, not %d): refused", path,
		         (long long)st.st_size, SEAL_SECRET_SIZE);
	else {
		size_t got = 0;
		while (got < SEAL_SECRET_SIZE) {
			ssize_t k = read(fd, out + got, SEAL_SECRET_SIZE - got);
			if (k < 0 && errno == EINTR)
				continue;
			if (k <= 0)
				break;
			got += (size_t)k;
		}
		if (got == SEAL_SECRET_SIZE)
			r = 0;
		else
			snprintf(err, n, "outbox key %s: cannot be read", path);
	}
	close(fd);
	return r;
}

struct seal *seal_load(const char *dir, bool create, bool *missing, char *err, size_t n)
{
	if (missing)
		*missing = false;
	if (n)
		err[0] = '\0';
	char *path = xasprintf("%s/%s", dir, SEAL_KEY_FILE);
	struct seal *s = xcalloc(1, sizeof *s);
	bool absent = false;
	int r = read_key(path, s->secret, &absent, err, n);
	if (r != 0 && absent && create) {
		absent = false;
		if (make_key(dir, path, err, n) == 0)
			r = read_key(path, s->secret, &absent, err, n);
	}
	free(path);
	if (r != 0) {
		if (missing)
			*missing = absent;
		seal_free(s);
		return NULL;
	}
	s->mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
	if (!s->mac) {
		snprintf(err, n, "outbox key: the crypto library has no HMAC");
		seal_free(s);
		return NULL;
	}
	return s;
}

void seal_free(struct seal *s)
{
	if (!s)
		return;
	EVP_MAC_free(s->mac);
	explicit_bzero(s, sizeof *s);
	free(s);
}

/* ---- derivations ------------------------------------------------------------- */

bool seal_id_usable(const char *id)
{
	size_t len = id ? strlen(id) : 0;
	if (len == 0 || len > SEAL_ID_MAX)
		return false;
	for (size_t i = 0; i < len; i++)
		if (id[i] <= 0x20 || id[i] >= 0x7f)
			return false;
	return true;
}

/* HMAC-SHA256(secret, label || salt || ID) into out[32]; the ID's letters
 * in capitals (an x check character is X). 0 or -1. */
static int derive(const struct seal *s, const char *label, const unsigned char salt[SEAL_SALT_SIZE],
                  const char *id, unsigned char out[32])
{
	if (!seal_id_usable(id))
		return -1;
	char norm[SEAL_ID_MAX];
	size_t len = strlen(id);
	for (size_t i = 0; i < len; i++)
		norm[i] = id[i] >= 'a' && id[i] <= 'z' ? (char)(id[i] - 'a' + 'A') : id[i];
	char digest[] = "SHA256";
	OSSL_PARAM params[] = { OSSL_PARAM_construct_utf8_string("digest", digest, 0), OSSL_PARAM_construct_end() };
	EVP_MAC_CTX *c = EVP_MAC_CTX_new(s->mac);
	size_t outl = 0;
	int ok = c && EVP_MAC_init(c, s->secret, sizeof s->secret, params) &&
	         EVP_MAC_update(c, (const unsigned char *)label, strlen(label)) &&
	         EVP_MAC_update(c, salt, SEAL_SALT_SIZE) &&
	         EVP_MAC_update(c, (const unsigned char *)norm, len) && EVP_MAC_final(c, out, &outl, 32) &&
	         outl == 32;
	EVP_MAC_CTX_free(c);
	explicit_bzero(norm, sizeof norm);
	if (!ok)
		explicit_bzero(out, 32);
	return ok ? 0 : -1;
}

int seal_who(const struct seal *s, const unsigned char salt[SEAL_SALT_SIZE], const char *citizen_id,
             unsigned char who[SEAL_WHO_SIZE])
{
	return derive(s, "who", salt, citizen_id, who);
}

bool seal_who_is(const struct seal *s, const unsigned char salt[SEAL_SALT_SIZE], const char *citizen_id,
                 const unsigned char who[SEAL_WHO_SIZE])
{
	unsigned char mine[SEAL_WHO_SIZE];
	bool same = seal_who(s, salt, citizen_id, mine) == 0 && CRYPTO_memcmp(mine, who, sizeof mine) == 0;
	explicit_bzero(mine, sizeof mine);
	return same;
}

/* ---- sealing ------------------------------------------------------------------- */

int seal_box(const struct seal *s, const unsigned char salt[SEAL_SALT_SIZE], const char *citizen_id,
             const unsigned char nonce[SEAL_NONCE_SIZE], const char *aad, const void *plain, size_t len,
             unsigned char *out)
{
	unsigned char key[32];
	if (len > INT32_MAX || derive(s, "seal", salt, citizen_id, key) != 0)
		return -1;
	EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
	int n = 0, fin = 0;
	int ok = c && EVP_EncryptInit_ex(c, EVP_aes_256_gcm(), NULL, NULL, NULL) &&
	         EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_IVLEN, SEAL_NONCE_SIZE, NULL) &&
	         EVP_EncryptInit_ex(c, NULL, NULL, key, nonce) &&
	         EVP_EncryptUpdate(c, NULL, &n, (const unsigned char *)aad, (int)strlen(aad)) &&
	         EVP_EncryptUpdate(c, out, &n, plain, (int)len) && EVP_EncryptFinal_ex(c, out + n, &fin) &&
	         (size_t)(n + fin) == len &&
	         EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_GET_TAG, SEAL_TAG_SIZE, out + len);
	EVP_CIPHER_CTX_free(c);
	explicit_bzero(key, sizeof key);
	return ok ? 0 : -1;
}

char *seal_unbox(const struct seal *s, const unsigned char salt[SEAL_SALT_SIZE], const char *citizen_id,
                 const unsigned char nonce[SEAL_NONCE_SIZE], const char *aad, const unsigned char *box,
                 size_t len, size_t *plain_len)
{
	if (len < SEAL_TAG_SIZE || len - SEAL_TAG_SIZE > INT32_MAX)
		return NULL;
	unsigned char key[32];
	if (derive(s, "seal", salt, citizen_id, key) != 0)
		return NULL;
	size_t clen = len - SEAL_TAG_SIZE;
	unsigned char tag[SEAL_TAG_SIZE];
	memcpy(tag, box + clen, sizeof tag);
	char *plain = xmalloc(clen + 1);
	EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
	int n = 0, fin = 0;
	/* The tag is checked by the final call: until it succeeds, what was
	 * decrypted is not trusted and is wiped. */
	int ok = c && EVP_DecryptInit_ex(c, EVP_aes_256_gcm(), NULL, NULL, NULL) &&
	         EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_IVLEN, SEAL_NONCE_SIZE, NULL) &&
	         EVP_DecryptInit_ex(c, NULL, NULL, key, nonce) &&
	         EVP_DecryptUpdate(c, NULL, &n, (const unsigned char *)aad, (int)strlen(aad)) &&
	         EVP_DecryptUpdate(c, (unsigned char *)plain, &n, box, (int)clen) &&
	         EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_TAG, SEAL_TAG_SIZE, tag) &&
	         EVP_DecryptFinal_ex(c, (unsigned char *)plain + n, &fin) > 0 && (size_t)(n + fin) == clen;
	EVP_CIPHER_CTX_free(c);
	explicit_bzero(key, sizeof key);
	if (!ok) {
		wipe_free(plain, clen + 1);
		return NULL;
	}
	plain[clen] = '\0';
	if (plain_len)
		*plain_len = clen;
	return plain;
}
