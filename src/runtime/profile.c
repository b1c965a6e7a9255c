/* profile.c -- device profiles (the JSON files of devices/): matching and parsing.
 *
 * A profile is a JSON object:
 *   { "asacl_profile": 1,
 *     "identity": { "platform": "...", "vendor": "nvidia", "type": "gpu",
 *                   "name": "...", "driver": "..." },      all optional
 *     "tuned": false, "description": "...",
 *     "kernels": { "<program>": { "NAME": value, ... }, ... },
 *     "tuning": { "space": { "<program>.NAME": [candidates], ... },
 *                 "space_only": false, ... } }                   optional
 * Every identity field present must match the device: platform, name and
 * driver as case-insensitive substrings, vendor as the normalised vendor id,
 * type as cpu/gpu/accelerator. The most specific match wins; a matching
 * profile in the user's folder wins over every shipped one.
 */
#define _POSIX_C_SOURCE 200809L
#include <cjson/cJSON.h>
#include <ctype.h>
#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/json.h"
#include "runtime.h"

#define PROFILE_SCHEMA 1

static const char *type_key(asacl_device_type t)
{
    switch (t) {
    case ASACL_DEVICE_CPU: return "cpu";
    case ASACL_DEVICE_GPU: return "gpu";
    case ASACL_DEVICE_ACCELERATOR: return "accelerator";
    default: return "other";
    }
}

/* Field weights: a name outweighs every other field together; between two
 * matching names, the longer one is the more specific ("skylake-avx512-AMD
 * EPYC" over "skylake-avx512"), below the weight of any other field. */
#define NAME_LEN_MAX 63
#define FIELD_UNIT (NAME_LEN_MAX + 1)

static int score_identity(const cJSON *id, const asacl_device_info *dev)
{
    if (!cJSON_IsObject(id)) return -1;
    int score = 0;
    const cJSON *f;
    cJSON_ArrayForEach(f, id)
    {
        if (!cJSON_IsString(f)) return -1;
        const char *v = f->valuestring;
        if (!strcmp(f->string, "platform")) {
            if (!rt_strcasestr(dev->platform_name, v)) return -1;
            score += FIELD_UNIT;
        } else if (!strcmp(f->string, "vendor")) {
            if (strcmp(dev->vendor_id, v) != 0) return -1;
            score += 2 * FIELD_UNIT;
        } else if (!strcmp(f->string, "type")) {
            if (strcmp(type_key(dev->type), v) != 0) return -1;
            score += FIELD_UNIT;
        } else if (!strcmp(f->string, "name")) {
            if (!rt_strcasestr(dev->name, v)) return -1;
            size_t len = strlen(v);
            score += 8 * FIELD_UNIT + (int)(len < NAME_LEN_MAX ? len : NAME_LEN_MAX);
        } else if (!strcmp(f->string, "driver")) {
            if (!rt_strcasestr(dev->driver_version, v)) return -1;
            score += FIELD_UNIT;
        } else {
            return -1; /* unknown identity keys never match */
        }
    }
    return score;
}

int rt_profile_match_score(const char *json, const asacl_device_info *dev)
{
    cJSON *root = cJSON_Parse(json);
    if (!root) return -1;
    int s = score_identity(cJSON_GetObjectItemCaseSensitive(root, "identity"), dev);
    cJSON_Delete(root);
    return s;
}

static int valid_name(const char *s)
{
    if (!*s || strlen(s) >= 32) return 0;
    for (; *s; s++)
        if (!(isupper((unsigned char)*s) || isdigit((unsigned char)*s) || *s == '_')) return 0;
    return 1;
}

static int valid_value(const char *s)
{
    if (!*s || strlen(s) >= 32) return 0;
    for (; *s; s++)
        if (!(isalnum((unsigned char)*s) || *s == '_' || *s == '.' || *s == '-' || *s == '+'))
            return 0;
    return 1;
}

/* The keys a profile may have at its top level. */
static const char *const top_keys[] = {"asacl_profile", "identity", "tuned", "description",
                                       "kernels", "tuning"};

/* Values the kernels rely on beyond being numbers, checked when a profile is
 * read (the GEMM tiles are checked where they are used, gemm_own.c): a
 * work-group size the launch clamps to the device's maximum, and the
 * tree reductions' work-group sizes, which must be powers of two. */
static const struct {
    const char *program, *name; /* program NULL: any */
    long lo, hi;
    int pow2;
} limits[] = {
    {NULL, "WGS", 1, 4096, 0},
    {"layernorm", "LN_WG", 1, 4096, 1},
    {"reduce", "RED_WG", 1, 4096, 1},
};

static int known_program(const char *name)
{
    for (size_t i = 0; i < rt_cl_program_count; i++)
        if (!strcmp(rt_cl_programs[i].name, name)) return 1;
    return 0;
}

/* ASACL_OK, or the reason a value is out of range. */
static asacl_status check_limit(const char *origin, const char *program, const cJSON *kv)
{
    for (size_t i = 0; i < sizeof limits / sizeof limits[0]; i++) {
        if ((limits[i].program && strcmp(limits[i].program, program) != 0) ||
            strcmp(limits[i].name, kv->string) != 0)
            continue;
        long long v;
        int ok = json_integer(kv, limits[i].lo, limits[i].hi, &v) &&
                 (!limits[i].pow2 || (v & (v - 1)) == 0);
        if (!ok)
            return rt_fail(ASACL_ERR_PROFILE,
                           "device profile %s: kernels.%s.%s must be an integer in [%ld, %ld]%s",
                           origin, program, kv->string, limits[i].lo, limits[i].hi,
                           limits[i].pow2 ? " and a power of two" : "");
    }
    return ASACL_OK;
}

/* tuning.space and tuning.space_only: the candidates asacl tune searches on
 * the device (the rest of "tuning" is the tuner's record, not read here). */
static asacl_status parse_space(const char *origin, const cJSON *tuning, rt_profile *out)
{
    if (!tuning) return ASACL_OK;
    if (!cJSON_IsObject(tuning))
        return rt_fail(ASACL_ERR_PROFILE, "device profile %s: \"tuning\" must be an object", origin);
    const cJSON *only = cJSON_GetObjectItemCaseSensitive(tuning, "space_only");
    if (only && !cJSON_IsBool(only))
        return rt_fail(ASACL_ERR_PROFILE, "device profile %s: tuning.space_only must be true or false",
                       origin);
    out->space_only = cJSON_IsTrue(only);
    const cJSON *space = cJSON_GetObjectItemCaseSensitive(tuning, "space");
    if (!space) return ASACL_OK;
    if (!cJSON_IsObject(space))
        return rt_fail(ASACL_ERR_PROFILE,
                       "device profile %s: tuning.space must be an object of "
                       "\"<program>.<NAME>\": [candidates]",
                       origin);
    const cJSON *e;
    cJSON_ArrayForEach(e, space)
    {
        const char *dot = strchr(e->string, '.');
        size_t plen = dot ? (size_t)(dot - e->string) : 0;
        rt_space *sp = &out->space[out->n_space];
        if (out->n_space == RT_MAX_SPACE)
            return rt_fail(ASACL_ERR_PROFILE, "device profile %s: tuning.space has more than %d "
                           "parameters", origin, RT_MAX_SPACE);
        if (!dot || plen == 0 || plen >= sizeof sp->program || !valid_name(dot + 1))
            return rt_fail(ASACL_ERR_PROFILE,
                           "device profile %s: tuning.space.%s: expected a key "
                           "\"<program>.<NAME>\" (e.g. \"gemm.NT_BACKEND\")",
                           origin, e->string);
        memcpy(sp->program, e->string, plen);
        sp->program[plen] = 0;
        snprintf(sp->name, sizeof sp->name, "%s", dot + 1);
        if (!known_program(sp->program))
            return rt_fail(ASACL_ERR_PROFILE,
                           "device profile %s: tuning.space.%s: there is no kernel file cl/%s.cl",
                           origin, e->string, sp->program);
        if (!cJSON_IsArray(e) || cJSON_GetArraySize(e) > RT_SPACE_VALUES)
            return rt_fail(ASACL_ERR_PROFILE,
                           "device profile %s: tuning.space.%s: expected a list of at most %d "
                           "integer candidates",
                           origin, e->string, RT_SPACE_VALUES);
        const cJSON *v;
        sp->n = 0;
        cJSON_ArrayForEach(v, e)
        {
            long long x;
            if (!json_integer(v, 0, 1L << 30, &x))
                return rt_fail(ASACL_ERR_PROFILE,
                               "device profile %s: tuning.space.%s: candidate %zu is not an "
                               "integer in [0, 2^30]",
                               origin, e->string, sp->n + 1);
            sp->values[sp->n++] = (long)x;
        }
        out->n_space++;
    }
    return ASACL_OK;
}

asacl_status rt_profile_parse(const char *json, const char *origin, rt_profile *out)
{
    memset(out, 0, sizeof *out);
    snprintf(out->source, sizeof out->source, "%s", origin);
    cJSON *root = cJSON_Parse(json);
    if (!root) {
        const char *at = cJSON_GetErrorPtr();
        size_t line = 1;
        for (const char *p = json; at && p < at; p++) line += *p == '\n';
        return rt_fail(ASACL_ERR_PROFILE, "device profile %s: invalid JSON near line %zu",
                       origin, line);
    }
    asacl_status st = ASACL_OK;
    const cJSON *ver = cJSON_GetObjectItemCaseSensitive(root, "asacl_profile");
    if (!cJSON_IsNumber(ver) || ver->valueint != PROFILE_SCHEMA) {
        st = rt_fail(ASACL_ERR_PROFILE,
                     "device profile %s: expected \"asacl_profile\": %d (the schema version)",
                     origin, PROFILE_SCHEMA);
        goto done;
    }
    if (!cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(root, "identity"))) {
        st = rt_fail(ASACL_ERR_PROFILE, "device profile %s: expected an \"identity\" object",
                     origin);
        goto done;
    }
    const cJSON *top;
    cJSON_ArrayForEach(top, root)
    {
        size_t k = 0;
        while (k < sizeof top_keys / sizeof top_keys[0] && strcmp(top_keys[k], top->string)) k++;
        if (k == sizeof top_keys / sizeof top_keys[0]) {
            st = rt_fail(ASACL_ERR_PROFILE,
                         "device profile %s: unknown key \"%.40s\" (a profile has asacl_profile, "
                         "identity, tuned, description, kernels and tuning)",
                         origin, top->string);
            goto done;
        }
    }
    out->tuned = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(root, "tuned"));
    st = parse_space(origin, cJSON_GetObjectItemCaseSensitive(root, "tuning"), out);
    if (st != ASACL_OK) goto done;
    const cJSON *kernels = cJSON_GetObjectItemCaseSensitive(root, "kernels");
    if (kernels && !cJSON_IsObject(kernels)) {
        st = rt_fail(ASACL_ERR_PROFILE, "device profile %s: \"kernels\" must be an object", origin);
        goto done;
    }
    const cJSON *prog;
    cJSON_ArrayForEach(prog, kernels)
    {
        if (!cJSON_IsObject(prog) || strlen(prog->string) >= 32) {
            st = rt_fail(ASACL_ERR_PROFILE,
                         "device profile %s: kernels.%s must be an object of NAME: value",
                         origin, prog->string);
            goto done;
        }
        if (!known_program(prog->string)) {
            st = rt_fail(ASACL_ERR_PROFILE,
                         "device profile %s: kernels.%s: there is no kernel file cl/%s.cl",
                         origin, prog->string, prog->string);
            goto done;
        }
        const cJSON *kv;
        cJSON_ArrayForEach(kv, prog)
        {
            st = check_limit(origin, prog->string, kv);
            if (st != ASACL_OK) goto done;
            char value[64];
            long long iv;
            if (cJSON_IsNumber(kv)) {
                if (json_integer(kv, LONG_MIN, LONG_MAX, &iv))
                    snprintf(value, sizeof value, "%lld", iv);
                else
                    snprintf(value, sizeof value, "%.9gf", kv->valuedouble);
            } else if (cJSON_IsString(kv)) {
                snprintf(value, sizeof value, "%s", kv->valuestring);
            } else {
                value[0] = 0;
            }
            if (!valid_name(kv->string) || !valid_value(value)) {
                st = rt_fail(ASACL_ERR_PROFILE,
                             "device profile %s: kernels.%s.%s: expected an upper-case name "
                             "and a number or identifier value",
                             origin, prog->string, kv->string);
                goto done;
            }
            if (out->n_defines == RT_MAX_DEFINES) {
                st = rt_fail(ASACL_ERR_PROFILE, "device profile %s: more than %d parameters",
                             origin, RT_MAX_DEFINES);
                goto done;
            }
            rt_define *d = &out->defines[out->n_defines++];
            snprintf(d->program, sizeof d->program, "%s", prog->string);
            snprintf(d->name, sizeof d->name, "%s", kv->string);
            snprintf(d->value, sizeof d->value, "%s", value);
        }
    }
done:
    cJSON_Delete(root);
    return st;
}

void rt_profile_options(const rt_profile *p, const char *program, char *buf, size_t cap)
{
    size_t off = strlen(buf);
    for (size_t i = 0; i < p->n_defines && off < cap; i++) {
        const rt_define *d = &p->defines[i];
        if (strcmp(d->program, program) != 0) continue;
        off += (size_t)snprintf(buf + off, cap - off, " -D%s=%s", d->name, d->value);
    }
}

/* The user's profile folder: $XDG_CONFIG_HOME/asacl/devices or ~/.config/asacl/devices. */
static int user_profile_dir(char *out, size_t cap) { return rt_user_dir("config", "devices", out, cap); }

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Best matching user profile (score > 0); *found tells whether one matched. */
static asacl_status find_user(const asacl_device_info *dev, rt_profile *out, int *found)
{
    *found = 0;
    char dir[1024];
    if (!user_profile_dir(dir, sizeof dir)) return ASACL_OK;
    DIR *d = opendir(dir);
    if (!d) return ASACL_OK;
    char *names[256];
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(d)) && n < 256) {
        size_t len = strlen(e->d_name);
        if (len > 5 && !strcmp(e->d_name + len - 5, ".json")) names[n++] = strdup(e->d_name);
    }
    closedir(d);
    qsort(names, n, sizeof names[0], cmp_str);
    asacl_status st = ASACL_OK;
    int best = 0;
    for (size_t i = 0; i < n; i++) {
        char path[2048];
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        char *json = NULL;
        if (!names[i] || rt_read_file(path, &json, NULL) != ASACL_OK) continue;
        int s = rt_profile_match_score(json, dev);
        if (s > best) {
            char origin[300];
            snprintf(origin, sizeof origin, "user:%s", path);
            st = rt_profile_parse(json, origin, out);
            if (st == ASACL_OK) {
                best = s;
                *found = 1;
            }
        }
        free(json);
        if (st != ASACL_OK) break;
    }
    for (size_t i = 0; i < n; i++) free(names[i]);
    return st;
}

asacl_status rt_profile_find(const asacl_device_info *dev, const char *explicit_path,
                             rt_profile *out)
{
    if (!explicit_path || !*explicit_path) explicit_path = getenv("ASACL_PROFILE");
    if (explicit_path && !strncmp(explicit_path, "shipped:", 8)) { /* one of devices/ by name */
        for (size_t i = 0; i < rt_shipped_profile_count; i++)
            if (!strcmp(rt_shipped_profiles[i].name, explicit_path + 8))
                return rt_profile_parse(rt_shipped_profiles[i].data, explicit_path, out);
        return rt_fail(ASACL_ERR_PROFILE, "no shipped device profile called %s", explicit_path + 8);
    }
    if (explicit_path && *explicit_path) {
        char *json = NULL;
        TRY(rt_read_file(explicit_path, &json, NULL));
        char origin[300];
        snprintf(origin, sizeof origin, "file:%s", explicit_path);
        asacl_status st = rt_profile_parse(json, origin, out);
        free(json);
        return st;
    }
    int found = 0;
    TRY(find_user(dev, out, &found));
    if (found) return ASACL_OK;

    int best = -1;
    size_t best_i = 0;
    for (size_t i = 0; i < rt_shipped_profile_count; i++) {
        int s = rt_profile_match_score(rt_shipped_profiles[i].data, dev);
        if (s > best) {
            best = s;
            best_i = i;
        }
    }
    if (best < 0)
        return rt_fail(ASACL_ERR_PROFILE, "no shipped device profile matches %s (devices/"
                                          "default.json should match every device)",
                       dev->name);
    char origin[300];
    snprintf(origin, sizeof origin, "shipped:%s", rt_shipped_profiles[best_i].name);
    return rt_profile_parse(rt_shipped_profiles[best_i].data, origin, out);
}
