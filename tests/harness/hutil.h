/* hutil.h: helpers harness.c shares with gwd.c (not for tests). */
#ifndef TESTS_HARNESS_HUTIL_H
#define TESTS_HARNESS_HUTIL_H

#include <stdbool.h>
#include <stdio.h>
#include <sys/types.h>

/* A fresh directory $TMPDIR/prefix-XXXXXX (malloc'd), NULL on failure. */
char *h_make_tmpdir(const char *prefix);
/* rm -rf dir, unless H_KEEP_TMP is set (then says where it is). */
void h_rmtree(const char *dir);
/* The parent's environment with sanitizer reports sent to files in tmpdir
 * and, if terminal, TERM/LANG/LC_ALL set for a UTF-8 xterm (LINES/COLUMNS
 * dropped); extra ("K=V") on top. Build it before fork; free with
 * h_free_env. */
char **h_child_env(const char *tmpdir, bool terminal, const char *const extra[]);
void h_free_env(char **env);
/* In a child before exec: die with the parent, default signals, no mask. */
void h_child_prepare(pid_t parent);
/* In a child after a failed exec: reports it on fd 2 and _exit(127). */
void h_child_exec_failed(const char *who, const char *prog) __attribute__((noreturn));
/* True if dir holds no non-empty asan.* / ubsan.* / lsan.* file; else copies
 * the start of the first into report. */
bool h_dir_sanitizer_clean(const char *dir, char *report, size_t n);
/* Prints the last max bytes of path under a label, if it is not empty. */
void h_print_tail(FILE *out, const char *label, const char *path, long max);

#endif
