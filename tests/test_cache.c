/* test_cache.c -- the program binary cache across processes. Every phase runs
 * in a child process (the parent never touches OpenCL), exactly as separate
 * runs of asacl would:
 *   cold      every program built from source and written to the cache
 *   warm      a second process builds nothing: every program is a cache hit
 *   corrupt   a truncated entry, a flipped payload byte and a bad header are
 *             detected, rebuilt and rewritten, never used
 *   parallel  two processes filling an empty cache at once both succeed
 *   off       ASACL_CACHE=0 builds everything and reads/writes no entry */
#define _POSIX_C_SOURCE 200809L
#include <dirent.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "test_util.h"

typedef struct result {
    int status;               /* asacl_status of the build, or -1 */
    asacl_build_stats stats;
} result;

static void child_build(int fd)
{
    result r;
    memset(&r, 0, sizeof r);
    asacl_ctx *ctx = NULL;
    r.status = asacl_ctx_create(NULL, &ctx);
    if (r.status == ASACL_OK) r.status = asacl_ctx_build_all(ctx);
    if (r.status != ASACL_OK) fprintf(stderr, "child: %s\n", asacl_last_error());
    asacl_ctx_build_stats(ctx, &r.stats);
    asacl_ctx_destroy(ctx);
    if (write(fd, &r, sizeof r) != (ssize_t)sizeof r) _exit(3);
    _exit(0);
}

/* Starts a child that builds every program; returns its pid and read end. */
static pid_t spawn(int *rfd)
{
    int fds[2];
    if (pipe(fds) != 0) exit(1);
    pid_t pid = fork();
    if (pid == 0) {
        close(fds[0]);
        child_build(fds[1]);
    }
    close(fds[1]);
    *rfd = fds[0];
    return pid;
}

static result collect(pid_t pid, int fd)
{
    result r;
    memset(&r, 0, sizeof r);
    r.status = -1;
    if (read(fd, &r, sizeof r) != (ssize_t)sizeof r) r.status = -1;
    close(fd);
    int ws = 0;
    waitpid(pid, &ws, 0);
    return r;
}

static result run_child(void)
{
    int fd;
    pid_t pid = spawn(&fd);
    return collect(pid, fd);
}

/* Files ending in suffix (or containing it after a leading '*'). */
static size_t count_files(const char *dir, const char *suffix, char first[1024])
{
    DIR *d = opendir(dir);
    size_t n = 0;
    if (!d) return 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        size_t len = strlen(e->d_name), sl = strlen(suffix);
        int hit = suffix[0] == '*' ? strstr(e->d_name, suffix + 1) != NULL
                                   : len > sl && !strcmp(e->d_name + len - sl, suffix);
        if (hit) {
            if (n == 0 && first) snprintf(first, 1024, "%s/%s", dir, e->d_name);
            n++;
        }
    }
    closedir(d);
    return n;
}

static void clear_dir(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d) return;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.') continue;
        char p[2048];
        snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
        unlink(p);
    }
    closedir(d);
}

static long file_size(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0 ? (long)st.st_size : -1;
}

/* Damages an entry in place: mode 0 truncates, 1 flips a payload byte,
 * 2 overwrites the magic. */
static void damage(const char *path, int mode)
{
    long size = file_size(path);
    if (mode == 0) {
        if (truncate(path, size / 2) != 0) exit(1);
        return;
    }
    FILE *f = fopen(path, "r+b");
    if (!f) exit(1);
    fseek(f, mode == 1 ? size - 10 : 0, SEEK_SET);
    int c = fgetc(f);
    fseek(f, mode == 1 ? size - 10 : 0, SEEK_SET);
    fputc(mode == 1 ? c ^ 0x40 : 'X', f);
    fclose(f);
}

#define EXPECT(r, b, h, rej, w)                                                              \
    CHECK((r).status == ASACL_OK && (r).stats.built == (b) && (r).stats.cache_hits == (h) && \
              (r).stats.cache_rejected == (rej) && (r).stats.cache_written == (w),          \
          "status %d built %u hits %u rejected %u written %u; want built %u hits %u "       \
          "rejected %u written %u",                                                         \
          (r).status, (r).stats.built, (r).stats.cache_hits, (r).stats.cache_rejected,      \
          (r).stats.cache_written, (unsigned)(b), (unsigned)(h), (unsigned)(rej),           \
          (unsigned)(w))

int main(void)
{
    /* The device check also runs in a child: the parent must not load OpenCL. */
    pid_t pid = fork();
    if (pid == 0) {
        test_require_device();
        _exit(0);
    }
    int ws = 0;
    waitpid(pid, &ws, 0);
    if (!WIFEXITED(ws) || WEXITSTATUS(ws) != 0) return WIFEXITED(ws) ? WEXITSTATUS(ws) : 1;

    char dir[] = "/tmp/asacl-cache-test-XXXXXX";
    if (!mkdtemp(dir)) return 1;
    setenv("ASACL_CACHE_DIR", dir, 1);
    unsetenv("ASACL_CACHE");
    const unsigned n = (unsigned)asacl_program_count();
    char entry[1024] = "";
    printf("cache folder %s, %u programs\n", dir, n);

    result cold = run_child();
    EXPECT(cold, n, 0, 0, n);
    CHECK(count_files(dir, ".bin", entry) == n, "one entry per program");
    printf("  cold start: %.3f s building\n", cold.stats.seconds);

    result warm = run_child();
    EXPECT(warm, 0, n, 0, 0);
    printf("  warm start: %.3f s loading\n", warm.stats.seconds);

    for (int mode = 0; mode < 3; mode++) {
        long before = file_size(entry);
        damage(entry, mode);
        result r = run_child();
        EXPECT(r, 1, n - 1, 1, 1);
        /* Whole: at least the original's size. (Not always equal: PoCL's
         * program binary carries the work-group variants it compiled into its
         * own cache so far, and tests running in parallel on one POCL_CACHE_DIR
         * add to them; `again` below then loads the entry.) */
        CHECK(file_size(entry) >= before, "damaged entry (mode %d) rewritten whole (%ld bytes, "
              "was %ld)", mode, file_size(entry), before);
        result again = run_child();
        EXPECT(again, 0, n, 0, 0);
    }

    /* Two processes filling an empty cache at once. */
    clear_dir(dir);
    int fa, fb;
    pid_t pa = spawn(&fa), pb = spawn(&fb);
    result ra = collect(pa, fa), rb = collect(pb, fb);
    CHECK(ra.status == ASACL_OK && rb.status == ASACL_OK, "parallel fills succeed");
    CHECK(ra.stats.cache_rejected == 0 && rb.stats.cache_rejected == 0,
          "no half-written entry was ever read");
    result after = run_child();
    EXPECT(after, 0, n, 0, 0);

    /* ASACL_CACHE=0: nothing read, nothing written. */
    clear_dir(dir);
    setenv("ASACL_CACHE", "0", 1);
    result off = run_child();
    EXPECT(off, n, 0, 0, 0);
    CHECK(count_files(dir, ".bin", NULL) == 0, "ASACL_CACHE=0 writes nothing");
    unsetenv("ASACL_CACHE");
    result on = run_child(); /* fill it, then bypass a full cache */
    EXPECT(on, n, 0, 0, n);
    setenv("ASACL_CACHE", "0", 1);
    result off2 = run_child();
    EXPECT(off2, n, 0, 0, 0);
    unsetenv("ASACL_CACHE");

    CHECK(count_files(dir, "*.tmp.", NULL) == 0, "no temporary files left");
    clear_dir(dir);
    rmdir(dir);
    return test_finish("test_cache");
}
