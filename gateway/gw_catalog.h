/* gw_catalog.h: a catalog file (gatewayd --catalog), read and checked.
 *
 * The file is a GET /v1/catalog answer, in one language, whose services may
 * also carry the detail members of GET /v1/services/{id}
 * (docs/gateway-api.md, "Catalog files"). catalog.c reads it and refuses
 * anything wrong with a one-line message naming the JSON path; db.c
 * (db_load_catalog) stores one file per language in place of the catalog.
 *
 * Strings point into the parsed JSON (root), which the catalog_file keeps
 * alive; arrays are the file's own.
 */
#ifndef GW_CATALOG_H
#define GW_CATALOG_H

#include <stdbool.h>
#include <stddef.h>
#include <jansson.h>

/* Limits (docs/gateway-api.md says why). Lengths are in characters
 * (Unicode code points). */
#define CAT_FILE_MAX       (16L * 1024 * 1024) /* bytes of the file */
#define CAT_SERVED_MAX     (1024L * 1024)      /* bytes of GET /v1/catalog, each language */
#define CAT_NAME_MAX       100   /* category and service names */
#define CAT_SUMMARY_MAX    200
#define CAT_KEYWORD_MAX    40
#define CAT_KEYWORDS_MAX   32    /* keywords a service */
#define CAT_DESC_MAX       5000
#define CAT_MATERIAL_MAX   200
#define CAT_MATERIALS_MAX  50
#define CAT_WHERE_MAX      100
#define CAT_LABEL_MAX      100   /* field and option labels */
#define CAT_FIELDS_MAX     50    /* fields a form */
#define CAT_OPTIONS_MAX    100   /* options a select */
#define CAT_VALUE_MAX      64    /* option values, the version */
#define CAT_FEE_MAX        1000000000LL /* fen: ten million yuan */
#define CAT_DAYS_MAX       3650
#define CAT_MAX_LEN_MAX    10000 /* a field's max_len */

struct cat_option {
	const char *value, *label;
};

enum cat_bounds { CB_NONE, CB_INT, CB_DATE };

struct cat_field {
	const char *id, *type, *label;
	const char *prefill;         /* NULL: none */
	bool required;
	long long max_len;           /* 0: none */
	enum cat_bounds bounds;      /* number/money: integers; date: strings */
	bool has_min, has_max;
	long long min, max;          /* CB_INT */
	const char *min_s, *max_s;   /* CB_DATE, NULL when absent */
	struct cat_option *opts;
	size_t n_opts;
};

struct cat_category {
	const char *id, *name;
	const char *where;           /* NULL: not given */
};

struct cat_service {
	const char *id, *category, *kind, *name;
	const char *summary;         /* "" when absent */
	const char **keywords;
	size_t n_keywords;
	bool login_required;
	long long fee_fen;
	/* Details, each optional; absent ones are the plain page's. */
	const char *description;     /* NULL: the summary, else the name */
	const char **materials;
	size_t n_materials;
	long long processing_days;   /* 0 when absent */
	const char *where;           /* NULL: the category's, else "" */
	bool has_form;               /* false: the plain form of its kind */
	struct cat_field *fields;
	size_t n_fields;
};

struct catalog_file {
	json_t *root;
	const char *version;
	struct cat_category *cats;
	size_t n_cats;
	struct cat_service *svcs;
	size_t n_svcs;
	const char **popular;
	size_t n_popular;
};

/* Reads and checks path. 0, or -1 with err saying what and where
 * ("services[12].name: expected string, got number"), without the file's
 * name. */
int catalog_file_load(const char *path, struct catalog_file *out, char *err, size_t errlen);
/* 0 if other (a translation) describes the same catalog as base: the same
 * ids in the same order and the same members other than texts; else -1
 * and err naming the first difference. base_name names base's file. */
int catalog_file_same(const struct catalog_file *base, const char *base_name,
                      const struct catalog_file *other, char *err, size_t errlen);
void catalog_file_free(struct catalog_file *c);

#endif
