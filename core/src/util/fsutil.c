/* fsutil.c — atomic file replacement and mkdir -p (POSIX). */
#include "util/fsutil.h"

#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int sg17_fs_mkdir_p(const char *dir, sg17_err_t *err)
{
    if (!dir || !*dir)
        return sg17_err(err, "mkdir: empty directory name");
    size_t n = strlen(dir);
    char *path = malloc(n + 1);
    if (!path)
        return sg17_err(err, "mkdir %s: out of memory", dir);
    memcpy(path, dir, n + 1);
    /* Create each prefix ending before a '/', then the whole path. */
    for (size_t i = 1; i <= n; i++) {
        if (path[i] != '/' && path[i] != '\0')
            continue;
        char saved = path[i];
        path[i] = '\0';
        if (mkdir(path, 0777) != 0 && errno != EEXIST) {
            int e = errno;
            sg17_err(err, "cannot create directory %s: %s", path, strerror(e));
            free(path);
            return -1;
        }
        path[i] = saved;
    }
    struct stat st;
    int rc = 0;
    if (stat(dir, &st) != 0)
        rc = sg17_err(err, "cannot create directory %s: %s", dir, strerror(errno));
    else if (!S_ISDIR(st.st_mode))
        rc = sg17_err(err, "cannot create directory %s: a file of that name exists", dir);
    free(path);
    return rc;
}

/* Writes all of data to fd, retrying short writes and EINTR. */
static int write_all(int fd, const char *data, size_t len)
{
    while (len > 0) {
        ssize_t w = write(fd, data, len);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        data += w;
        len -= (size_t)w;
    }
    return 0;
}

/* fsyncs the directory holding path so that a completed rename is durable. Best effort: some
 * file systems refuse fsync on a directory, which is not an error for the caller. */
static void fsync_parent(const char *path)
{
    const char *slash = strrchr(path, '/');
    char *dir;
    if (!slash)
        dir = strdup(".");
    else if (slash == path)
        dir = strdup("/");
    else
        dir = strndup(path, (size_t)(slash - path));
    if (!dir)
        return;
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        (void)fsync(fd);
        close(fd);
    }
    free(dir);
}

int sg17_fs_write_atomic(const char *path, const void *data, size_t len, sg17_err_t *err)
{
    static atomic_uint counter;
    if (!path || !*path)
        return sg17_err(err, "write: empty file name");
    const char *slash = strrchr(path, '/');
    size_t dirlen = slash ? (size_t)(slash - path) + 1 : 0;
    const char *base = path + dirlen;
    if (!*base)
        return sg17_err(err, "write %s: not a file name", path);

    size_t cap = strlen(path) + 64;
    char *tmp = malloc(cap);
    if (!tmp)
        return sg17_err(err, "write %s: out of memory", path);
    int fd = -1;
    /* O_EXCL on a per-process, per-call name: a stale temp file from a crashed run or a parallel
     * writer is never reused, and we retry with the next counter value. */
    for (int attempt = 0; attempt < 100 && fd < 0; attempt++) {
        unsigned n = atomic_fetch_add(&counter, 1);
        snprintf(tmp, cap, "%.*s.%s.tmp-%ld-%u", (int)dirlen, path, base, (long)getpid(), n);
        fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
        if (fd < 0 && errno != EEXIST)
            break;
    }
    if (fd < 0) {
        sg17_err(err, "cannot create temporary file for %s: %s", path, strerror(errno));
        free(tmp);
        return -1;
    }
    const char *what = NULL;
    if (write_all(fd, data, len) != 0)
        what = "write";
    else if (fsync(fd) != 0)
        what = "fsync";
    int e = errno;
    if (close(fd) != 0 && !what) {
        what = "close";
        e = errno;
    }
    if (!what && rename(tmp, path) != 0) {
        what = "rename";
        e = errno;
    }
    if (what) {
        unlink(tmp);
        sg17_err(err, "cannot write %s (%s): %s", path, what, strerror(e));
        free(tmp);
        return -1;
    }
    free(tmp);
    fsync_parent(path);
    return 0;
}
