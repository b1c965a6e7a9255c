/* folder.c -- atomic folder replacement (see folder.h). */
#define _GNU_SOURCE /* renameat2 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "io/folder.h"
#include "base/base.h"

static void fsync_path(const char *path)
{
    int fd = open(path, O_RDONLY);
    if (fd >= 0) {
        fsync(fd);
        close(fd);
    }
}

void folder_remove(const char *dir)
{
    DIR *d = opendir(dir);
    if (d) {
        struct dirent *e;
        while ((e = readdir(d))) {
            if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
            char p[4096];
            snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
            unlink(p);
        }
        closedir(d);
    }
    rmdir(dir);
}

asacl_status folder_replace(const char *dir, folder_writer write, void *user)
{
    char tmp[4096], parent[4200];
    snprintf(tmp, sizeof tmp, "%s.tmp.%ld", dir, (long)getpid());
    folder_remove(tmp);
    asacl_status st = rt_mkdirs(tmp);
    if (st == ASACL_OK) st = write(tmp, user);
    if (st != ASACL_OK) {
        folder_remove(tmp);
        return st;
    }
    fsync_path(tmp);
    if (access(dir, F_OK) == 0) {
        /* Exchange the two names in one step where the file system can. */
        if (renameat2(AT_FDCWD, tmp, AT_FDCWD, dir, RENAME_EXCHANGE) == 0) {
            folder_remove(tmp); /* the old content */
        } else {
            char old[4200];
            snprintf(old, sizeof old, "%s.old.%ld", dir, (long)getpid());
            if (rename(dir, old) != 0 || rename(tmp, dir) != 0) {
                st = rt_fail(ASACL_ERR_IO, "cannot replace %s: %s", dir, strerror(errno));
                folder_remove(tmp);
                return st;
            }
            folder_remove(old);
        }
    } else if (rename(tmp, dir) != 0) {
        st = rt_fail(ASACL_ERR_IO, "cannot create %s: %s", dir, strerror(errno));
        folder_remove(tmp);
        return st;
    }
    snprintf(parent, sizeof parent, "%s/..", dir);
    fsync_path(parent);
    return ASACL_OK;
}
