/* embed.c -- build-time tool: turns the cl/ kernel files (with their
 * #include "..." files inlined, each once) and devices/ JSON profiles into a
 * C file of byte arrays, so the library needs no source tree at run time.
 * It also writes each expanded kernel file to a folder, for the portability
 * gate to compile exactly what is embedded.
 *
 * usage: embed --out F.c --expanded DIR --root DIR [--include DIR]...
 *              [--program NAME=PATH]... [--profile NAME=PATH]...
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_ITEMS 128
#define MAX_SEEN 64

typedef struct buf {
    char *p;
    size_t n, cap;
} buf;

static void die(const char *msg, const char *arg)
{
    fprintf(stderr, "embed: %s%s%s\n", msg, arg ? " " : "", arg ? arg : "");
    exit(1);
}

static void put(buf *b, const char *s, size_t n)
{
    if (b->n + n + 1 > b->cap) {
        b->cap = (b->n + n + 1) * 2;
        b->p = realloc(b->p, b->cap);
        if (!b->p) die("out of memory", NULL);
    }
    memcpy(b->p + b->n, s, n);
    b->n += n;
    b->p[b->n] = 0;
}

static void puts_(buf *b, const char *s) { put(b, s, strlen(s)); }

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    buf b = {0};
    char chunk[65536];
    size_t got;
    while ((got = fread(chunk, 1, sizeof chunk, f)) > 0) put(&b, chunk, got);
    fclose(f);
    if (!b.p) put(&b, "", 0);
    return b.p;
}

static const char *includes[16];
static int n_includes;
static char *seen[MAX_SEEN];
static int n_seen;

static const char *base_name(const char *path)
{
    const char *s = strrchr(path, '/');
    return s ? s + 1 : path;
}

/* Appends `path` to out with its #include "..." lines replaced by the files. */
static void expand(buf *out, const char *path, const char *shown)
{
    char *text = slurp(path);
    if (!text) die("cannot read", path);
    char line_dir[1200];
    snprintf(line_dir, sizeof line_dir, "#line 1 \"%s\"\n", shown);
    puts_(out, line_dir);
    int lineno = 0;
    for (char *p = text; *p;) {
        char *end = strchr(p, '\n');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        lineno++;
        const char *q = p;
        while (q < p + len && (*q == ' ' || *q == '\t')) q++;
        int is_inc = 0;
        if (q < p + len && *q == '#') {
            q++;
            while (*q == ' ' || *q == '\t') q++;
            if (!strncmp(q, "include", 7)) {
                q += 7;
                while (*q == ' ' || *q == '\t') q++;
                if (*q == '"') is_inc = 1;
            }
        }
        if (is_inc) {
            const char *name = q + 1;
            const char *close = memchr(name, '"', (size_t)(p + len - name));
            if (!close) die("bad #include in", path);
            char inc[512];
            snprintf(inc, sizeof inc, "%.*s", (int)(close - name), name);
            int already = 0;
            for (int i = 0; i < n_seen; i++) already |= !strcmp(seen[i], inc);
            if (!already) {
                if (n_seen == MAX_SEEN) die("too many includes in", path);
                seen[n_seen++] = strdup(inc);
                char found[1200] = "";
                for (int i = 0; i < n_includes && !found[0]; i++) {
                    char cand[1200];
                    snprintf(cand, sizeof cand, "%s/%s", includes[i], inc);
                    FILE *f = fopen(cand, "rb");
                    if (f) {
                        fclose(f);
                        snprintf(found, sizeof found, "%s", cand);
                    }
                }
                if (!found[0]) die("include file not found:", inc);
                char shown_inc[600];
                snprintf(shown_inc, sizeof shown_inc, "cl/%s", base_name(inc));
                expand(out, found, shown_inc);
                char back[1300];
                snprintf(back, sizeof back, "#line %d \"%s\"\n", lineno + 1, shown);
                puts_(out, back);
            } else {
                puts_(out, "\n");
            }
        } else {
            put(out, p, len);
            puts_(out, "\n");
        }
        p = end ? end + 1 : p + len;
    }
    free(text);
}

typedef struct item {
    const char *name, *path;
} item;

static void emit_array(FILE *f, const char *sym, const char *data, size_t n)
{
    fprintf(f, "static const char %s[%zu] = {", sym, n + 1);
    for (size_t i = 0; i <= n; i++) {
        if (i % 16 == 0) fprintf(f, "\n   ");
        fprintf(f, " %d,", i < n ? (int)(signed char)data[i] : 0);
    }
    fprintf(f, "\n};\n");
}

static const char *relative(const char *path, const char *root)
{
    size_t n = strlen(root);
    if (n && !strncmp(path, root, n) && path[n] == '/') return path + n + 1;
    return path;
}

int main(int argc, char **argv)
{
    const char *out_path = NULL, *expanded = NULL, *root = "";
    item programs[MAX_ITEMS], profiles[MAX_ITEMS];
    int np = 0, nf = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (i + 1 >= argc) die("missing value after", a);
        const char *v = argv[++i];
        if (!strcmp(a, "--out")) out_path = v;
        else if (!strcmp(a, "--expanded")) expanded = v;
        else if (!strcmp(a, "--root")) root = v;
        else if (!strcmp(a, "--include")) {
            if (n_includes == 16) die("too many --include", NULL);
            includes[n_includes++] = v;
        } else if (!strcmp(a, "--program") || !strcmp(a, "--profile")) {
            const char *eq = strchr(v, '=');
            if (!eq) die("expected NAME=PATH, got", v);
            item it = {strndup(v, (size_t)(eq - v)), eq + 1};
            if (!strcmp(a, "--program")) {
                if (np == MAX_ITEMS) die("too many programs", NULL);
                programs[np++] = it;
            } else {
                if (nf == MAX_ITEMS) die("too many profiles", NULL);
                profiles[nf++] = it;
            }
        } else die("unknown option", a);
    }
    if (!out_path || !expanded || np == 0 || nf == 0)
        die("usage: embed --out F.c --expanded DIR --root DIR --include DIR "
            "--program NAME=PATH... --profile NAME=PATH...", NULL);

    FILE *f = fopen(out_path, "w");
    if (!f) die("cannot write", out_path);
    fprintf(f, "/* Generated by tools/embed.c at build time. Do not edit. */\n"
               "#include \"runtime.h\"\n\n");
    for (int i = 0; i < np; i++) {
        buf b = {0};
        for (int k = 0; k < n_seen; k++) free(seen[k]);
        n_seen = 0;
        expand(&b, programs[i].path, relative(programs[i].path, root));
        char sym[64], ex[1200];
        snprintf(sym, sizeof sym, "program_%d", i);
        emit_array(f, sym, b.p, b.n);
        snprintf(ex, sizeof ex, "%s/%s.cl", expanded, programs[i].name);
        FILE *e = fopen(ex, "w");
        if (!e || fwrite(b.p, 1, b.n, e) != b.n || fclose(e) != 0) die("cannot write", ex);
        programs[i].path = relative(programs[i].path, root);
        fprintf(f, "#define PROGRAM_%d_SIZE %zu\n", i, b.n);
        free(b.p);
    }
    for (int i = 0; i < nf; i++) {
        char *text = slurp(profiles[i].path);
        if (!text) die("cannot read", profiles[i].path);
        char sym[64];
        snprintf(sym, sizeof sym, "profile_%d", i);
        emit_array(f, sym, text, strlen(text));
        fprintf(f, "#define PROFILE_%d_SIZE %zu\n", i, strlen(text));
        free(text);
    }
    fprintf(f, "\nconst rt_embedded rt_cl_programs[] = {\n");
    for (int i = 0; i < np; i++)
        fprintf(f, "    {\"%s\", \"%s\", program_%d, PROGRAM_%d_SIZE},\n", programs[i].name,
                programs[i].path, i, i);
    fprintf(f, "};\nconst size_t rt_cl_program_count = %d;\n\n", np);
    fprintf(f, "const rt_embedded rt_shipped_profiles[] = {\n");
    for (int i = 0; i < nf; i++)
        fprintf(f, "    {\"%s\", \"%s\", profile_%d, PROFILE_%d_SIZE},\n", profiles[i].name,
                relative(profiles[i].path, root), i, i);
    fprintf(f, "};\nconst size_t rt_shipped_profile_count = %d;\n", nf);
    if (fclose(f) != 0) die("cannot write", out_path);
    /* Freed so that a sanitizer build (LeakSanitizer) can run this step. */
    for (int k = 0; k < n_seen; k++) free(seen[k]);
    for (int i = 0; i < np; i++) free((char *)programs[i].name);
    for (int i = 0; i < nf; i++) free((char *)profiles[i].name);
    return 0;
}
