/* fsutil.h — file-system helpers for outputs that must never be seen half-written: atomic file
 * replacement (temp file in the same directory, fsync, rename) and `mkdir -p`. */
#ifndef SG17_UTIL_FSUTIL_H
#define SG17_UTIL_FSUTIL_H

#include <stddef.h>

#include "util/diag.h"

/* Creates dir and every missing parent (mode 0777 & ~umask), like `mkdir -p`. An existing
 * directory is fine; an existing non-directory is an error. Returns 0 / -1 with a message. */
int sg17_fs_mkdir_p(const char *dir, sg17_err_t *err);

/* Replaces path with exactly len bytes of data so that a reader sees either the old file or the
 * complete new one, never a prefix: the bytes go to a hidden temp file in the same directory
 * (".<name>.tmp-<pid>-<n>", mode 0666 & ~umask), are fsync'ed, and the temp file is renamed over
 * path; the directory is then fsync'ed so the rename survives a crash. On any failure the temp
 * file is removed and path is left untouched. The directory must exist. Returns 0 / -1. */
int sg17_fs_write_atomic(const char *path, const void *data, size_t len, sg17_err_t *err);

#endif
