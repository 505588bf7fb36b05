/* runid.c — run-id names and the sweep (runid.h). */
#include "sim/runid.h"

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static bool is_run_id(const char *id)
{
    if (!id || strlen(id) != 8)
        return false;
    for (int i = 0; i < 8; i++)
        if (!((id[i] >= '0' && id[i] <= '9') || (id[i] >= 'a' && id[i] <= 'f')))
            return false;
    return true;
}

void iaas_run_id_norm(const char *id, char out[9])
{
    if (is_run_id(id))
        memcpy(out, id, 9);
    else
        snprintf(out, 9, "%08lx", (unsigned long)getpid() & 0xffffffffUL);
}

int iaas_object_name(char *out, size_t cap, const char *run_id, const char *what)
{
    char id[9];
    iaas_run_id_norm(run_id, id);
    if (!what || !*what || strchr(what, '/'))
        return -1;
    int n = snprintf(out, cap, IAAS_OBJECT_PREFIX "%s-p%ld-%s", id, (long)getpid(), what);
    return n > 0 && (size_t)n < cap ? 0 : -1;
}

int iaas_object_owner(const char *name, char run_id[9], long *pid)
{
    size_t k = strlen(IAAS_OBJECT_PREFIX);
    if (strncmp(name, IAAS_OBJECT_PREFIX, k) != 0 || strlen(name) < k + 8 + 4)
        return -1;
    char id[9];
    memcpy(id, name + k, 8);
    id[8] = 0;
    if (!is_run_id(id) || name[k + 8] != '-' || name[k + 9] != 'p')
        return -1;
    const char *digits = name + k + 10;
    if (*digits < '1' || *digits > '9') /* the form iaas_object_name writes: no sign, no 0 */
        return -1;
    char *end = NULL;
    errno = 0;
    long p = strtol(digits, &end, 10);
    if (errno || *end != '-' || p <= 0)
        return -1;
    memcpy(run_id, id, 9);
    *pid = p;
    return 0;
}

bool iaas_process_alive(long pid)
{
    if (pid <= 0 || (long)(pid_t)pid != pid)
        return false;
    return kill((pid_t)pid, 0) == 0 || errno == EPERM;
}

unsigned iaas_sweep(const char *dir, const char *run_id, int (*remove_one)(const char *path))
{
    DIR *d = opendir(dir);
    if (!d)
        return 0;
    unsigned removed = 0;
    char path[4096];
    for (const struct dirent *e; (e = readdir(d)) != NULL;) {
        char id[9];
        long pid = 0;
        if (iaas_object_owner(e->d_name, id, &pid) != 0)
            continue;
        bool mine = run_id && strcmp(id, run_id) == 0 && pid == (long)getpid();
        if (!mine && iaas_process_alive(pid))
            continue;
        int n = snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        if (n > 0 && (size_t)n < sizeof path && remove_one(path) == 0)
            removed++;
    }
    closedir(d);
    return removed;
}
