/* test_fsutil.c — atomic file replacement and mkdir -p (core/src/util/fsutil.c), tested with the
 * report part that uses them. */
#include <criterion/criterion.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/fsutil.h"

static char tmpdir[256];

static void make_tmpdir(void)
{
    snprintf(tmpdir, sizeof tmpdir, "/tmp/sg17-fsutil-test-XXXXXX");
    cr_assert_not_null(mkdtemp(tmpdir));
}

static void remove_tmpdir(void)
{
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    cr_assert_eq(system(cmd), 0);
}

TestSuite(fsutil, .init = make_tmpdir, .fini = remove_tmpdir);

static size_t entries(const char *dir)
{
    DIR *d = opendir(dir);
    cr_assert_not_null(d);
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(d)))
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
            n++;
    closedir(d);
    return n;
}

Test(fsutil, write_atomic_replaces_content_and_leaves_no_temp_file)
{
    char path[300];
    snprintf(path, sizeof path, "%s/out.txt", tmpdir);
    sg17_err_t err = {{0}};
    cr_assert_eq(sg17_fs_write_atomic(path, "first version\n", 14, &err), 0, "%s", err.msg);
    cr_assert_eq(sg17_fs_write_atomic(path, "v2", 2, &err), 0, "%s", err.msg);
    FILE *f = fopen(path, "rb");
    char buf[32] = {0};
    size_t n = fread(buf, 1, sizeof buf, f);
    fclose(f);
    cr_assert_eq(n, 2);
    cr_assert_str_eq(buf, "v2");
    cr_assert_eq(entries(tmpdir), 1);
    struct stat st;
    cr_assert_eq(stat(path, &st), 0);
    mode_t um = umask(0);
    umask(um);
    cr_assert_eq(st.st_mode & 0777, 0666 & ~um, "mode %o", st.st_mode & 0777);
}

Test(fsutil, write_atomic_into_missing_dir_fails_with_the_path)
{
    char path[300];
    snprintf(path, sizeof path, "%s/nope/out.txt", tmpdir);
    sg17_err_t err = {{0}};
    cr_assert_eq(sg17_fs_write_atomic(path, "x", 1, &err), -1);
    cr_assert_not_null(strstr(err.msg, "nope/out.txt"), "%s", err.msg);
    cr_assert_eq(entries(tmpdir), 0);
}

Test(fsutil, write_atomic_over_a_directory_fails_and_cleans_up)
{
    char path[300];
    snprintf(path, sizeof path, "%s/adir", tmpdir);
    cr_assert_eq(mkdir(path, 0755), 0);
    char inner[320];
    snprintf(inner, sizeof inner, "%s/keep", path);
    cr_assert_eq(mkdir(inner, 0755), 0);
    sg17_err_t err = {{0}};
    cr_assert_eq(sg17_fs_write_atomic(path, "x", 1, &err), -1);
    cr_assert_not_null(strstr(err.msg, "rename"), "%s", err.msg);
    cr_assert_eq(entries(tmpdir), 1, "the temp file must be removed");
}

Test(fsutil, mkdir_p_creates_parents_and_accepts_existing)
{
    char path[300];
    snprintf(path, sizeof path, "%s/a/b//c/", tmpdir);
    sg17_err_t err = {{0}};
    cr_assert_eq(sg17_fs_mkdir_p(path, &err), 0, "%s", err.msg);
    cr_assert_eq(sg17_fs_mkdir_p(path, &err), 0, "%s", err.msg);
    struct stat st;
    snprintf(path, sizeof path, "%s/a/b/c", tmpdir);
    cr_assert_eq(stat(path, &st), 0);
    cr_assert(S_ISDIR(st.st_mode));
}

Test(fsutil, mkdir_p_through_a_file_is_an_error)
{
    char path[300];
    snprintf(path, sizeof path, "%s/file", tmpdir);
    sg17_err_t err = {{0}};
    cr_assert_eq(sg17_fs_write_atomic(path, "x", 1, &err), 0, "%s", err.msg);
    cr_assert_eq(sg17_fs_mkdir_p(path, &err), -1);
    cr_assert_not_null(strstr(err.msg, "a file of that name exists"), "%s", err.msg);
    char sub[320];
    snprintf(sub, sizeof sub, "%s/sub", path);
    cr_assert_eq(sg17_fs_mkdir_p(sub, &err), -1);
    cr_assert_not_null(strstr(err.msg, "Not a directory"), "%s", err.msg);
}
