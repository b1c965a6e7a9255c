/* cache.c -- on-disk cache of OpenCL program binaries.
 *
 * One file per program build, named by its key (<sha256 hex>.bin) and laid out
 *   bytes  0..7    magic "ASACLPB\0"
 *          8..11   format version (little-endian u32)
 *         12..15   zero
 *         16..23   payload size (little-endian u64)
 *         24..87   the key, as 64 hex characters
 *         88..119  SHA-256 of the payload
 *        120..     payload: the device binary from clGetProgramInfo
 * An entry whose size, magic, version, key or checksum disagrees is removed and
 * rebuilt, never used. Entries are written to a temporary file, fsync'd and
 * renamed, so a reader sees a whole entry or none.
 */
#define _POSIX_C_SOURCE 200809L
#include <nettle/sha2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "runtime.h"

#define CACHE_FORMAT 1
#define HEADER_SIZE 120
static const char MAGIC[8] = {'A', 'S', 'A', 'C', 'L', 'P', 'B', 0};

static void sha256(const void *data, size_t n, uint8_t out[32])
{
    struct sha256_ctx c;
    sha256_init(&c);
    sha256_update(&c, n, data);
    sha256_digest(&c, 32, out);
}

static void put_field(struct sha256_ctx *c, const char *s)
{
    /* Length-prefixed, so fields cannot run into each other. */
    uint64_t n = strlen(s);
    uint8_t len[8];
    for (int i = 0; i < 8; i++) len[i] = (uint8_t)(n >> (8 * i));
    sha256_update(c, 8, len);
    sha256_update(c, n, (const uint8_t *)s);
}

void rt_cache_key(const asacl_ctx *ctx, const char *source, const char *options, char hex[65])
{
    struct sha256_ctx c;
    uint8_t d[32];
    char fmt[16];
    snprintf(fmt, sizeof fmt, "asacl-cache-%d", CACHE_FORMAT);
    sha256_init(&c);
    put_field(&c, fmt);
    put_field(&c, source);
    put_field(&c, options);
    put_field(&c, ctx->info.name);
    put_field(&c, ctx->info.driver_version);
    put_field(&c, ctx->info.platform_version);
    sha256_digest(&c, 32, d);
    for (int i = 0; i < 32; i++) snprintf(hex + 2 * i, 3, "%02x", d[i]);
}

void rt_cache_configure(rt_cache *cache, const asacl_ctx_options *o)
{
    memset(cache, 0, sizeof *cache);
    int on = o ? o->cache : -1;
    if (on < 0) {
        const char *env = getenv("ASACL_CACHE");
        on = !(env && (!strcmp(env, "0") || !strcmp(env, "off") || !strcmp(env, "no")));
    }
    const char *dir = o && o->cache_dir ? o->cache_dir : getenv("ASACL_CACHE_DIR");
    if (dir && *dir)
        snprintf(cache->dir, sizeof cache->dir, "%s", dir);
    else if (!rt_user_dir("cache", NULL, cache->dir, sizeof cache->dir))
        on = 0; /* nowhere to put it */
    cache->enabled = on;
}

static void entry_path(const asacl_ctx *ctx, const char *key, char *out, size_t cap)
{
    snprintf(out, cap, "%s/%s.bin", ctx->cache.dir, key);
}

static uint64_t get_u64(const unsigned char *p)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--) v = (v << 8) | p[i];
    return v;
}

static void put_u64(unsigned char *p, uint64_t v)
{
    for (int i = 0; i < 8; i++) p[i] = (unsigned char)(v >> (8 * i));
}

static const char *check_entry(const unsigned char *buf, size_t size, const char *key)
{
    if (size < HEADER_SIZE) return "shorter than its header";
    if (memcmp(buf, MAGIC, 8) != 0) return "bad magic";
    uint32_t ver = (uint32_t)buf[8] | (uint32_t)buf[9] << 8 | (uint32_t)buf[10] << 16 |
                   (uint32_t)buf[11] << 24;
    if (ver != CACHE_FORMAT) return "another cache format version";
    if (get_u64(buf + 16) != size - HEADER_SIZE) return "truncated or padded";
    if (memcmp(buf + 24, key, 64) != 0) return "key mismatch";
    uint8_t d[32];
    sha256(buf + HEADER_SIZE, size - HEADER_SIZE, d);
    if (memcmp(buf + 88, d, 32) != 0) return "checksum mismatch";
    return NULL;
}

asacl_status rt_cache_load(asacl_ctx *ctx, const char *key, unsigned char **binary, size_t *size)
{
    *binary = NULL;
    *size = 0;
    if (!ctx->cache.enabled) return ASACL_OK;
    char path[1200];
    entry_path(ctx, key, path, sizeof path);
    if (access(path, F_OK) != 0) return ASACL_OK;
    char *buf = NULL;
    size_t n = 0;
    if (rt_read_file(path, &buf, &n) != ASACL_OK) {
        rt_log(ASACL_LOG_WARN, "cache: cannot read %s; rebuilding", path);
        return ASACL_OK;
    }
    const char *why = check_entry((const unsigned char *)buf, n, key);
    if (why) {
        rt_log(ASACL_LOG_WARN, "cache: entry %s is corrupt (%s); rebuilding", path, why);
        ctx->stats.cache_rejected++;
        unlink(path);
        free(buf);
        return ASACL_OK;
    }
    *size = n - HEADER_SIZE;
    *binary = malloc(*size ? *size : 1);
    if (!*binary) {
        free(buf);
        return rt_fail(ASACL_ERR_OUT_OF_MEMORY, "loading cache entry %s", path);
    }
    memcpy(*binary, buf + HEADER_SIZE, *size);
    free(buf);
    return ASACL_OK;
}

asacl_status rt_cache_store(asacl_ctx *ctx, const char *key, const unsigned char *binary,
                            size_t size)
{
    if (!ctx->cache.enabled) return ASACL_OK;
    TRY(rt_mkdirs(ctx->cache.dir));
    unsigned char *buf = malloc(HEADER_SIZE + size);
    if (!buf) return rt_fail(ASACL_ERR_OUT_OF_MEMORY, "writing a cache entry");
    memset(buf, 0, HEADER_SIZE);
    memcpy(buf, MAGIC, 8);
    buf[8] = CACHE_FORMAT;
    put_u64(buf + 16, size);
    memcpy(buf + 24, key, 64);
    sha256(binary, size, buf + 88);
    memcpy(buf + HEADER_SIZE, binary, size);
    char path[1200];
    entry_path(ctx, key, path, sizeof path);
    asacl_status st = rt_write_file_atomic(path, buf, HEADER_SIZE + size);
    free(buf);
    if (st == ASACL_OK) ctx->stats.cache_written++;
    return st;
}
