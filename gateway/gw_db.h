/* gw_db.h: the gateway's SQLite store.
 *
 * One connection, opened serialized (SQLITE_OPEN_FULLMUTEX), and a mutex of
 * our own around each call below, because the prepared statements are shared
 * by all connection threads. Texts are stored in every language side by side
 * (name_zh, name_en, name_tw ...: zh-CN, English, zh-TW); the query picks
 * one.
 */
#ifndef GW_DB_H
#define GW_DB_H

#include <stddef.h>
#include <jansson.h>

#include "gw.h"

struct db;
struct citizen;

/* Opens or creates path; an empty database gets the schema. A database with
 * another schema version is refused (err says to use --demo). */
struct db *db_open(const char *path, char *err, size_t errlen);
void db_close(struct db *db);

/* Drops every table, recreates the schema and loads demo_data.c. */
int db_load_demo(struct db *db, char *err, size_t errlen);
/* Replaces the generated services ("svc-gen-NNNNN") with n new ones spread
 * over the categories (demo categories are added if missing). */
int db_add_synthetic(struct db *db, long n, char *err, size_t errlen);
/* Replaces the catalog (categories, services and their forms, popular, the
 * version) with the files f, one a language (the same file may serve
 * several), keeping citizens, bills and payments. Refused, and nothing
 * changed, if GET /v1/catalog would be over CAT_SERVED_MAX bytes in a
 * language: *too_big is that language (else -1). sizes gets the size in
 * each language. */
struct catalog_file;
int db_load_catalog(struct db *db, const struct catalog_file *const f[LANG_N],
                    size_t sizes[LANG_N], int *too_big, char *err, size_t errlen);
/* Checks the schema version and prepares the statements; call once after
 * loading, before serving. */
int db_prepare(struct db *db, char *err, size_t errlen);

void db_counts(struct db *db, long *n_categories, long *n_services);

/* GET /v1/catalog. 0 and *out a new reference, or -1 (database error). */
int db_catalog_json(struct db *db, enum lang l, json_t **out);
/* GET /v1/services/{id}. 0 and *out, 1 if there is no such service, -1. */
int db_service_json(struct db *db, const char *id, enum lang l, json_t **out);

/* Every citizen, in order (the first is the default for approvals without
 * a body): 0 and *out (malloc'd, may be NULL when *n is 0), or -1. */
int db_citizens(struct db *db, struct citizen **out, size_t *n);

#endif
