/* test_profile.c -- device profiles (no device needed): identity matching and
 * specificity, the shipped set, parse errors, and build options. */
#define _POSIX_C_SOURCE 200809L
#include <unistd.h>

#include "runtime/runtime.h"
#include "test_util.h"

static asacl_device_info fake(const char *platform, const char *name, const char *vendor_id,
                              asacl_device_type type)
{
    asacl_device_info d;
    memset(&d, 0, sizeof d);
    snprintf(d.platform_name, sizeof d.platform_name, "%s", platform);
    snprintf(d.name, sizeof d.name, "%s", name);
    snprintf(d.vendor_id, sizeof d.vendor_id, "%s", vendor_id);
    snprintf(d.driver_version, sizeof d.driver_version, "1.0");
    d.type = type;
    return d;
}

int main(void)
{
    /* Scores. */
    asacl_device_info pocl = fake("Portable Computing Language", "pthread-skylake", "intel",
                                  ASACL_DEVICE_CPU);
    asacl_device_info h100 = fake("NVIDIA CUDA", "NVIDIA H100 80GB HBM3", "nvidia",
                                  ASACL_DEVICE_GPU);
    const char *any = "{\"identity\": {}}";
    const char *nv = "{\"identity\": {\"vendor\": \"nvidia\", \"type\": \"gpu\"}}";
    const char *h = "{\"identity\": {\"vendor\": \"nvidia\", \"name\": \"h100\"}}";
    const char *odd = "{\"identity\": {\"colour\": \"green\"}}";
    CHECK(rt_profile_match_score(any, &h100) == 0, "empty identity matches with score 0");
    CHECK(rt_profile_match_score(nv, &h100) > 0, "vendor+type matches");
    CHECK(rt_profile_match_score(h, &h100) > rt_profile_match_score(nv, &h100),
          "a name match is more specific than vendor+type");
    const char *h_long = "{\"identity\": {\"name\": \"h100 80gb\"}}";
    const char *h_short = "{\"identity\": {\"name\": \"h100\"}}";
    CHECK(rt_profile_match_score(h_long, &h100) > rt_profile_match_score(h_short, &h100),
          "of two matching names the longer is more specific");
    CHECK(rt_profile_match_score(h, &h100) > rt_profile_match_score(h_long, &h100),
          "another matching field outweighs a longer name");
    CHECK(rt_profile_match_score(nv, &pocl) < 0, "nvidia profile does not match PoCL");
    CHECK(rt_profile_match_score(odd, &h100) < 0, "unknown identity keys never match");
    CHECK(rt_profile_match_score("not json", &h100) < 0, "bad JSON never matches");

    /* The shipped set: PoCL gets its own profile, H100 the NVIDIA default,
     * an unknown device the global default. Keep any user folder out of it. */
    setenv("XDG_CONFIG_HOME", "/nonexistent-asacl-test", 1);
    unsetenv("ASACL_PROFILE");
    rt_profile p;
    REQUIRE_OK(rt_profile_find(&pocl, NULL, &p));
    CHECK(!strcmp(p.source, "shipped:pocl-cpu.json"), "PoCL profile: %s", p.source);
    /* PoCL's AVX2 target has its own tuned profile (a 16-register tile). */
    asacl_device_info avx2 = fake("Portable Computing Language", "pthread-haswell-AMD EPYC", "amd",
                                  ASACL_DEVICE_CPU);
    REQUIRE_OK(rt_profile_find(&avx2, NULL, &p));
    CHECK(!strcmp(p.source, "shipped:pocl-haswell-avx2.json") && p.tuned, "PoCL AVX2 profile: %s",
          p.source);
    /* PoCL names both AVX-512 CI machine types skylake-avx512; the EPYC has
     * its own tuned profile (the longer name match), the Xeon the other. */
    asacl_device_info xeon = fake("Portable Computing Language",
                                  "pthread-skylake-avx512-Intel(R) Xeon(R) Processor", "intel",
                                  ASACL_DEVICE_CPU);
    REQUIRE_OK(rt_profile_find(&xeon, NULL, &p));
    CHECK(!strcmp(p.source, "shipped:pocl-skylake-avx512.json") && p.tuned,
          "PoCL AVX-512 Xeon profile: %s", p.source);
    asacl_device_info epyc = fake("Portable Computing Language", "pthread-skylake-avx512-AMD EPYC",
                                  "amd", ASACL_DEVICE_CPU);
    REQUIRE_OK(rt_profile_find(&epyc, NULL, &p));
    CHECK(!strcmp(p.source, "shipped:pocl-skylake-avx512-amd-epyc.json") && p.tuned,
          "PoCL AVX-512 EPYC profile: %s", p.source);
    REQUIRE_OK(rt_profile_find(&h100, NULL, &p));
    CHECK(!strcmp(p.source, "shipped:nvidia-gpu.json"), "H100 profile: %s", p.source);
    CHECK(!p.tuned, "the NVIDIA default says it is untuned");
    /* ... and carries asacl tune's search space for the tiled GEMM kernels
     * and the backend choice among all three. */
    int backends = 0, tiled = 0;
    for (size_t i = 0; i < p.n_space; i++) {
        const rt_space *sp = &p.space[i];
        if (!strcmp(sp->program, "gemm") && strstr(sp->name, "_BACKEND"))
            backends += sp->n == 3 && sp->values[0] == 0 && sp->values[1] == 1 && sp->values[2] == 2;
        if (!strcmp(sp->program, "gemm") && !strncmp(sp->name, "TILED_", 6)) tiled++;
    }
    CHECK(backends == 4 && tiled == 7 && !p.space_only,
          "NVIDIA default's space: %d backends over 0, 1, 2, %d tiled parameters", backends, tiled);
    REQUIRE_OK(rt_profile_find(&pocl, NULL, &p));
    CHECK(p.n_space == 0 && !p.space_only, "PoCL's profile has no search space (%zu)", p.n_space);
    asacl_device_info other = fake("Foo", "Bar", "foo", ASACL_DEVICE_ACCELERATOR);
    REQUIRE_OK(rt_profile_find(&other, NULL, &p));
    CHECK(!strcmp(p.source, "shipped:default.json"), "unknown device: %s", p.source);

    /* Parsing and options. */
    const char *good = "{\"asacl_profile\": 1, \"identity\": {}, \"tuned\": true,\n"
                       " \"kernels\": {\"vector\": {\"WGS\": 128}, \"gemm\": {\"TM\": 8, "
                       "\"KIND\": \"nt\"}}}";
    REQUIRE_OK(rt_profile_parse(good, "test", &p));
    CHECK(p.tuned && p.n_defines == 3, "parsed %zu defines", p.n_defines);
    char opts[256] = "-cl-std=CL1.2";
    rt_profile_options(&p, "gemm", opts, sizeof opts);
    CHECK(!strcmp(opts, "-cl-std=CL1.2 -DTM=8 -DKIND=nt"), "options '%s'", opts);
    opts[0] = 0;
    rt_profile_options(&p, "vector", opts, sizeof opts);
    CHECK(!strcmp(opts, " -DWGS=128"), "options '%s'", opts);

    const char *spaced = "{\"asacl_profile\": 1, \"identity\": {}, \"tuning\": {\"measurements\": "
                         "{}, \"space\": {\"gemm.TILED_MWG\": [32, 64], \"gemm.TILED_PAD\": []}, "
                         "\"space_only\": true}}";
    REQUIRE_OK(rt_profile_parse(spaced, "test", &p));
    CHECK(p.n_space == 2 && p.space_only && !strcmp(p.space[0].program, "gemm") &&
              !strcmp(p.space[0].name, "TILED_MWG") && p.space[0].n == 2 &&
              p.space[0].values[1] == 64 && p.space[1].n == 0,
          "tuning.space parsed: %zu entries", p.n_space);

    struct { const char *json, *needle; } bad[] = {
        /* tuning.space */
        {"{\"asacl_profile\": 1, \"identity\": {}, \"tuning\": [1]}", "\"tuning\" must be an object"},
        {"{\"asacl_profile\": 1, \"identity\": {}, \"tuning\": {\"space_only\": 1}}", "space_only must be true or false"},
        {"{\"asacl_profile\": 1, \"identity\": {}, \"tuning\": {\"space\": {\"MWG\": [1]}}}", "tuning.space.MWG: expected a key"},
        {"{\"asacl_profile\": 1, \"identity\": {}, \"tuning\": {\"space\": {\"foo.MWG\": [1]}}}", "no kernel file cl/foo.cl"},
        {"{\"asacl_profile\": 1, \"identity\": {}, \"tuning\": {\"space\": {\"gemm.MWG\": [1, 2.5]}}}", "candidate 2 is not an integer"},
        {"{\"asacl_profile\": 1, \"identity\": {}, \"tuning\": {\"space\": {\"gemm.MWG\": [1,2,3,4,5,6,7,8,9,10,11,12]}}}", "at most 11"},
        {"{\"asacl_profile\": 1, \"identity\": {}, \"tuning\": {\"space\": {\"gemm.MWG\": 4}}}", "tuning.space.gemm.MWG"},
        {"{\"asacl_profile\": 1,\n \"identity\": {}\n,,}", "line 3"},
        {"{\"identity\": {}}", "schema version"},
        {"{\"asacl_profile\": 1}", "identity"},
        {"{\"asacl_profile\": 1, \"identity\": {}, \"kernels\": {\"vector\": {\"wgs\": 1}}}", "kernels.vector.wgs"},
        {"{\"asacl_profile\": 1, \"identity\": {}, \"kernels\": {\"vector\": {\"A\": \"-cl-fast-relaxed-math x\"}}}", "kernels.vector.A"},
        /* Unknown keys and out-of-range values (test_limits.sh shows the CLI's message). */
        {"{\"asacl_profile\": 1, \"identity\": {}, \"kernel\": {}}", "unknown key \"kernel\""},
        {"{\"asacl_profile\": 1, \"identity\": {}, \"kernels\": {\"v\": {\"A\": 1}}}", "no kernel file cl/v.cl"},
        {"{\"asacl_profile\": 1, \"identity\": {}, \"kernels\": {\"vector\": {\"WGS\": 0}}}", "kernels.vector.WGS must be an integer in [1, 4096]"},
        {"{\"asacl_profile\": 1, \"identity\": {}, \"kernels\": {\"layernorm\": {\"LN_WG\": 48}}}", "power of two"},
        {"{\"asacl_profile\": 1, \"identity\": {}, \"kernels\": {\"reduce\": {\"RED_WG\": 1e300}}}", "kernels.reduce.RED_WG"},
        {"{\"asacl_profile\": 1, \"identity\": {}, \"kernels\": [1]}", "kernels"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        asacl_status st = rt_profile_parse(bad[i].json, "bad.json", &p);
        CHECK(st == ASACL_ERR_PROFILE, "bad profile %zu rejected", i);
        CHECK(strstr(asacl_last_error(), "bad.json") && strstr(asacl_last_error(), bad[i].needle),
              "bad profile %zu message: %s", i, asacl_last_error());
    }

    /* Regression (fuzz_profile, tests/fuzz/regress/profile): a number too large for
     * an integer was converted to one (undefined behaviour, garbage define); it
     * stays a float literal. */
    REQUIRE_OK(rt_profile_parse("{\"asacl_profile\": 1, \"identity\": {}, \"kernels\": "
                                "{\"gemm\": {\"X\": 8.9e103, \"Y\": -9223372036854775808}}}",
                                "big.json", &p));
    CHECK(p.n_defines == 2 && !strcmp(p.defines[0].value, "8.9e+103f") &&
              !strcmp(p.defines[1].value, "-9223372036854775808"),
          "huge values: %s %s", p.defines[0].value, p.defines[1].value);

    /* A user profile that matches wins over the shipped ones. */
    char dir[] = "/tmp/asacl-profile-test-XXXXXX";
    if (!mkdtemp(dir)) return 1;
    char sub[256], file[300];
    snprintf(sub, sizeof sub, "%s/asacl/devices", dir);
    REQUIRE_OK(rt_mkdirs(sub));
    snprintf(file, sizeof file, "%s/mine.json", sub);
    const char *mine = "{\"asacl_profile\": 1, \"identity\": {\"name\": \"skylake\"}, "
                       "\"tuned\": true, \"kernels\": {\"vector\": {\"WGS\": 32}}}";
    REQUIRE_OK(rt_write_file_atomic(file, mine, strlen(mine)));
    setenv("XDG_CONFIG_HOME", dir, 1);
    REQUIRE_OK(rt_profile_find(&pocl, NULL, &p));
    CHECK(strstr(p.source, "user:") && strstr(p.source, "mine.json"), "user profile: %s",
          p.source);
    REQUIRE_OK(rt_profile_find(&h100, NULL, &p));
    CHECK(!strcmp(p.source, "shipped:nvidia-gpu.json"), "non-matching user profile ignored: %s",
          p.source);
    /* An explicit file wins over everything. */
    setenv("ASACL_PROFILE", file, 1);
    REQUIRE_OK(rt_profile_find(&h100, NULL, &p));
    CHECK(strstr(p.source, "file:") != NULL, "ASACL_PROFILE: %s", p.source);
    unsetenv("ASACL_PROFILE");
    unlink(file);
    /* leave nothing behind: devices/, asacl/, the temporary folder */
    CHECK(rmdir(sub) == 0, "%s: not empty", sub);
    snprintf(sub, sizeof sub, "%s/asacl", dir);
    CHECK(rmdir(sub) == 0 && rmdir(dir) == 0, "%s: not empty", dir);
    return test_finish("test_profile");
}
