/* files.c -- small host helpers: clock, strings, whole-file and atomic I/O,
 * folders, the user's XDG folders, splitmix64. */
#define _POSIX_C_SOURCE 200809L
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/base.h"

double rt_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

int rt_strcasestr(const char *hay, const char *needle)
{
    size_t n = strlen(needle);
    if (n == 0) return 1;
    for (; *hay; hay++) {
        size_t i = 0;
        while (i < n && hay[i] &&
               tolower((unsigned char)hay[i]) == tolower((unsigned char)needle[i]))
            i++;
        if (i == n) return 1;
    }
    return 0;
}

asacl_status rt_read_file(const char *path, char **data, size_t *size)
{
    *data = NULL;
    if (size) *size = 0;
    FILE *f = fopen(path, "rb");
    if (!f) return rt_fail(ASACL_ERR_IO, "cannot open %s: %s", path, strerror(errno));
    size_t cap = 1 << 16, n = 0;
    char *buf = malloc(cap + 1);
    if (!buf) {
        fclose(f);
        return rt_fail(ASACL_ERR_OUT_OF_MEMORY, "reading %s", path);
    }
    for (;;) {
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (n < cap) break;
        char *nb = realloc(buf, 2 * cap + 1);
        if (!nb) {
            free(buf);
            fclose(f);
            return rt_fail(ASACL_ERR_OUT_OF_MEMORY, "reading %s", path);
        }
        buf = nb;
        cap *= 2;
    }
    int bad = ferror(f), why = errno;
    fclose(f);
    if (bad) {
        free(buf);
        return rt_fail(ASACL_ERR_IO, "error reading %s: %s", path, strerror(why));
    }
    buf[n] = 0;
    *data = buf;
    if (size) *size = n;
    return ASACL_OK;
}

asacl_status rt_write_file_atomic(const char *path, const void *data, size_t size)
{
    size_t len = strlen(path);
    char *tmp = malloc(len + 16);
    if (!tmp) return rt_fail(ASACL_ERR_OUT_OF_MEMORY, "writing %s", path);
    snprintf(tmp, len + 16, "%s.tmp.XXXXXX", path);
    int fd = mkstemp(tmp);
    if (fd < 0) {
        asacl_status st = rt_fail(ASACL_ERR_IO, "cannot create a temporary file beside %s: %s",
                                  path, strerror(errno));
        free(tmp);
        return st;
    }
    const char *p = data;
    size_t left = size;
    while (left > 0) {
        ssize_t w = write(fd, p, left);
        if (w < 0) {
            if (errno == EINTR) continue;
            break;
        }
        p += w;
        left -= (size_t)w;
    }
    int ok = left == 0 && fsync(fd) == 0;
    int err = errno;
    ok = (close(fd) == 0) && ok;
    if (ok) {
        /* mkstemp creates 0600; give the file the usual permissions. */
        mode_t um = umask(0);
        umask(um);
        chmod(tmp, 0666 & ~um);
    }
    if (!ok || rename(tmp, path) != 0) {
        if (ok) err = errno;
        unlink(tmp);
        free(tmp);
        return rt_fail(ASACL_ERR_IO, "cannot write %s: %s", path, strerror(err));
    }
    free(tmp);
    /* Make the rename itself durable. */
    char *dirc = strdup(path);
    if (dirc) {
        int dfd = open(dirname(dirc), O_RDONLY);
        if (dfd >= 0) {
            fsync(dfd);
            close(dfd);
        }
        free(dirc);
    }
    return ASACL_OK;
}

asacl_status rt_mkdirs(const char *path)
{
    char buf[4096];
    size_t n = strlen(path);
    if (n == 0 || n >= sizeof buf) return rt_fail(ASACL_ERR_IO, "bad folder path '%s'", path);
    memcpy(buf, path, n + 1);
    for (size_t i = 1; i <= n; i++) {
        if (buf[i] == '/' || buf[i] == 0) {
            char c = buf[i];
            buf[i] = 0;
            if (mkdir(buf, 0777) != 0 && errno != EEXIST)
                return rt_fail(ASACL_ERR_IO, "cannot create folder %s: %s", buf, strerror(errno));
            buf[i] = c;
        }
    }
    struct stat st;
    if (stat(path, &st) != 0 || !S_ISDIR(st.st_mode))
        return rt_fail(ASACL_ERR_IO, "%s is not a folder", path);
    return ASACL_OK;
}

int rt_user_dir(const char *kind, const char *sub, char *out, size_t cap)
{
    int config = !strcmp(kind, "config");
    const char *xdg = getenv(config ? "XDG_CONFIG_HOME" : "XDG_CACHE_HOME");
    const char *home = getenv("HOME");
    const char *tail = sub && *sub ? "/" : "";
    if (xdg && *xdg)
        snprintf(out, cap, "%s/asacl%s%s", xdg, tail, sub ? sub : "");
    else if (home && *home)
        snprintf(out, cap, "%s/%s/asacl%s%s", home, config ? ".config" : ".cache", tail,
                 sub ? sub : "");
    else
        return 0;
    return 1;
}

uint64_t rt_splitmix64(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

double asacl_now(void) { return rt_now(); }

asacl_status asacl_mkdirs(const char *path)
{
    if (!path) return rt_fail(ASACL_ERR_INVALID_ARG, "asacl_mkdirs: NULL path");
    return rt_mkdirs(path);
}
