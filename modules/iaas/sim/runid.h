/* runid.h — names for what a run creates outside its process (scratch files of the storage
 * nodes, cgroups of the linux backend) and their removal. Every name reads
 *     sg17tb-iaas-<run id>-p<pid>-<what>
 * with the run's id (sg17_run_id: 8 lower-case hex digits, different for every run) and the
 * process that owns it, so that a run removes exactly its own objects at the end, two runs in
 * parallel never collide, and a later run removes the objects of a run that crashed (their
 * owner process is gone). No sg17_ctx_t here: tests point it at any directory. */
#ifndef IAAS_RUNID_H
#define IAAS_RUNID_H

#include <stdbool.h>
#include <stddef.h>

#define IAAS_OBJECT_PREFIX "sg17tb-iaas-"

/* The run id to use: id when it is 8 lower-case hex digits, else one made from the process id
 * (an older core). out gets 9 octets. */
void iaas_run_id_norm(const char *id, char out[9]);
/* "<prefix><run_id>-p<pid>-<what>" for this process into out; 0, or -1 when it does not fit or
 * what is empty or holds a '/'. */
int iaas_object_name(char *out, size_t cap, const char *run_id, const char *what);
/* The owner of an object name (a base name): 0 and its run id and pid, or -1 for a name of
 * another shape. */
int iaas_object_owner(const char *name, char run_id[9], long *pid);
/* True while process pid exists (a pid of another user's process counts as alive). */
bool iaas_process_alive(long pid);
/* Removes with remove_one(path) every object in dir whose owner is dead, and, when run_id is not
 * NULL, every object of that run this process owns. Returns how many it removed; a missing dir
 * removes none. */
unsigned iaas_sweep(const char *dir, const char *run_id, int (*remove_one)(const char *path));

#endif
