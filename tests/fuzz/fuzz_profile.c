/* fuzz_profile.c -- device profiles (devices/ files, the user's tuned ones,
 * ASACL_PROFILE) through rt_profile_parse and rt_profile_match_score.
 * Promise: every define of a profile that reads is an upper-case name and a
 * value that is safe on a compiler command line; the options string stays
 * inside its buffer. */
#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_util.h"
#include "runtime/runtime.h"

static void check_define(const rt_define *d)
{
    FUZZ_CHECK(d->name[0] && d->value[0], "a define has a name and a value");
    for (const char *p = d->name; *p; p++)
        FUZZ_CHECK(isupper((unsigned char)*p) || isdigit((unsigned char)*p) || *p == '_',
                   "define names are upper case");
    for (const char *p = d->value; *p; p++)
        FUZZ_CHECK(!isspace((unsigned char)*p) && *p != '"' && *p != '\'' && *p != '\\',
                   "define values need no quoting");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *json = fuzz_strdup(data, size);
    asacl_device_info dev;
    memset(&dev, 0, sizeof dev);
    strcpy(dev.platform_name, "Portable Computing Language");
    strcpy(dev.name, "cpu-haswell-Intel(R) Xeon(R) CPU");
    strcpy(dev.vendor_id, "intel");
    strcpy(dev.driver_version, "3.1");
    dev.type = ASACL_DEVICE_CPU;
    int score = rt_profile_match_score(json, &dev);
    FUZZ_CHECK(score >= -1, "a score is -1 or a specificity");

    rt_profile *p = malloc(sizeof *p);
    asacl_status st = rt_profile_parse(json, "fuzz.json", p);
    if (st == ASACL_OK) {
        FUZZ_CHECK(p->n_defines <= RT_MAX_DEFINES, "at most RT_MAX_DEFINES values");
        for (size_t i = 0; i < p->n_defines; i++) {
            check_define(&p->defines[i]);
            char opts[128] = "";
            rt_profile_options(p, p->defines[i].program, opts, sizeof opts);
            FUZZ_CHECK(strlen(opts) < sizeof opts, "options stay inside their buffer");
        }
    } else {
        fuzz_check_message();
    }
    free(p);
    free(json);
    return 0;
}
