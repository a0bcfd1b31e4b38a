/* model.h: the gateway's answers as typed structs (pure core).
 *
 * Decoders check every field's type strictly, sanitize every string, and on
 * failure return -1 with a message naming the field ("services[12].name:
 * expected string"). A struct filled by a decoder owns all its strings; the
 * matching _free releases them and accepts NULL / zeroed structs.
 */
#ifndef KIOSK_MODEL_H
#define KIOSK_MODEL_H

#include <stddef.h>
#include <stdbool.h>
#include <jansson.h>

enum svc_kind { SVC_APPLY, SVC_QUERY, SVC_BILL, SVC_QUEUE };

struct category {
	char *id;
	char *name;
	size_t *svc;    /* indices into catalog.svcs, catalog order */
	size_t n_svc;
};

struct service_brief {
	char *id;
	char *category;     /* category id */
	char *name;
	char *summary;      /* "" when absent */
	char **keywords;    /* NULL-terminated, never NULL */
	size_t n_keywords;
	enum svc_kind kind;
	bool login_required;
	long long fee_fen;
	size_t cat;         /* index into catalog.cats; services whose category
	                       is unknown are dropped by the decoder */
};

struct catalog_mem;

/* A decoded catalog is compact: every string, keyword vector and array of
 * it lives in a few large blocks (mem), not in a malloc'd block each; a
 * service's category string is its category's id, and absent summaries
 * and keywords share one "" and one empty vector. Read it freely; change
 * nothing in it; only catalog_free releases it. */
struct catalog {
	char *version;
	struct category *cats;
	size_t n_cats;
	struct service_brief *svcs;
	size_t n_svcs;
	size_t *popular;    /* indices into svcs (unknown ids skipped) */
	size_t n_popular;
	struct catalog_mem *mem; /* private (catalog_parse.c): the blocks, the id index */
};

/* Decodes GET /v1/catalog from its bytes, as the gateway sent it or the
 * cache file holds it, without building a JSON tree (kiosk/core/
 * catalog_parse.c: a validating pass over the bytes, then the members are
 * read where they are). Accepts and refuses exactly what jsonx_parse +
 * catalog_decode do, with the same messages: size and depth limits, strict
 * JSON (a duplicate member: the last one counts), invalid UTF-8 in strings
 * repaired, every string sanitized (text_sanitize). Returns 0; -1 when the
 * JSON is not a catalog (err names the field: "services[12].name:
 * expected string"); -2 when the bytes are not JSON within the limits (err
 * as jsonx_parse words it: "body too large", "nested too deeply", "not
 * JSON: <kind> at line L, column C (byte B)", never quoting the input).
 * Categories with no services are kept (shown empty). Duplicate ids: the
 * later one is dropped. kind must be one of apply|query|bill|queue;
 * fee_fen >= 0. */
int catalog_parse(const char *buf, size_t len, struct catalog *out, char *err, size_t errlen);
/* What catalog_parse would answer, with the same message, building
 * nothing (no allocation but a scratch buffer): so that a new catalog is
 * known good before the one shown is let go, and the two are never in
 * memory together. catalog_parse on the same bytes then succeeds. */
int catalog_check(const char *buf, size_t len, char *err, size_t errlen);
/* The same from a jansson tree (the reference the parser is tested
 * against; the kiosk itself no longer builds a tree for the catalog). */
int catalog_decode(const json_t *root, struct catalog *out, char *err, size_t errlen);
void catalog_free(struct catalog *c);
/* Index of the service with that id, or -1 (binary search over a sorted
 * index built by the decoder). */
long catalog_find(const struct catalog *c, const char *id);
long catalog_find_category(const struct catalog *c, const char *id);
/* Bytes the catalog's blocks take (what catalog_free gives back). */
size_t catalog_size(const struct catalog *c);
/* For catalog_decode: copies a catalog whose parts are separately
 * malloc'd (by_id: its services' indices sorted by id) into the compact
 * layout above. src is left as it is. */
void catalog_pack(const struct catalog *src, const size_t *by_id, struct catalog *out);

enum field_type { FIELD_TEXT, FIELD_NUMBER, FIELD_MONEY, FIELD_DATE,
                  FIELD_SELECT, FIELD_BOOL, FIELD_IDCARD, FIELD_PHONE };

struct field_option { char *value; char *label; };

struct form_field {
	char *id;
	enum field_type type;
	char *label;
	bool required;
	long long max_len;       /* 0 = none */
	char *prefill;           /* "" when absent, e.g. "citizen.name" */
	bool has_min, has_max;   /* number/money: min_num/max_num */
	long long min_num, max_num;
	char *min_date, *max_date; /* date: "YYYY-MM-DD" or "today"; "" when absent */
	struct field_option *options;
	size_t n_options;
};

#define FORM_FIELDS_MAX 100  /* a longer form is refused (form_error) */

struct form {
	struct form_field *fields;
	size_t n_fields;
	long long fee_fen;
};

struct service {
	struct service_brief b;   /* b.cat is 0 here (not known) */
	char *description;        /* newlines kept */
	char **materials;         /* NULL-terminated */
	size_t n_materials;
	long long processing_days; /* -1 when absent */
	char *where;              /* "" when absent */
	struct form form;         /* n_fields 0 when absent or unreadable */
	char *form_error;         /* NULL, or why the form could not be read
	                           * (English, for the log): the page shows, the
	                           * form is not offered */
};

/* Decodes GET /v1/services/{id}. */
int service_decode(const json_t *root, struct service *out, char *err, size_t errlen);
void service_free(struct service *s);

struct problem_error { char *field; char *code; char *message; };

/* RFC 9457 problem details. Every member is optional in what we accept:
 * missing strings become "", a missing status becomes the HTTP status. */
struct problem {
	int status;
	char *type, *title, *detail, *code;
	struct problem_error *errors;
	size_t n_errors;
};

int problem_decode(const json_t *root, int http_status, struct problem *out,
                   char *err, size_t errlen);
void problem_free(struct problem *p);

const char *svc_kind_name(enum svc_kind k);

#endif
