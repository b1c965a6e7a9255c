/* test_checkpoint_meta.c -- the metadata of a checkpoint's
 * trainer_state.safetensors as asacl_checkpoint_info reads it (no device):
 * a good state reads back its values; a missing key, a number out of its
 * range, a fraction where an integer belongs, junk after a number, a seed
 * that is not a 64-bit integer and a non-finite hyper-parameter are each
 * ASACL_ERR_FORMAT naming the file and the key. Before these checks the
 * values went through strtod and a cast, so "1e300" as a step was undefined
 * behaviour (tests/fuzz/regress/trainer_state holds such a state). */
#define _POSIX_C_SOURCE 200809L
#include <unistd.h>

#include "io/safetensors.h"
#include "test_util.h"

static const char *keys[] = {"format", "version", "step", "seed", "epoch", "index",
                             "layout_total", "asa", "additive_masks", "tau", "lr",
                             "weight_decay", "warmup_ratio", "max_grad_norm", "total_steps",
                             "max_batch", "max_seq_len", "padding", "loader_examples",
                             "loader_batch_size", "loader_max_seq_len", "loader_padding",
                             "loader_shuffle", "loader_seed", "run"};
static const char *good[] = {"asacl-trainer-state", "2", "4", "18446744073709551615", "1", "3",
                             "96384", "1", "0", "0.5", "0.001", "0.01", "0.06", "0", "8",
                             "16", "40", "max_length", "120", "16", "40", "max_length", "1",
                             "18446744073709551615", "{}"};
#define NKEYS (sizeof keys / sizeof keys[0])

static char dir[] = "/tmp/asacl-ckpt-meta-XXXXXX";

/* Writes the state with key `key` set to value (NULL: left out). */
static void write_state(const char *key, const char *value)
{
    const char *kv[2 * NKEYS + 1];
    size_t n = 0;
    for (size_t i = 0; i < NKEYS; i++) {
        const char *v = key && !strcmp(keys[i], key) ? value : good[i];
        if (!v) continue;
        kv[n++] = keys[i];
        kv[n++] = v;
    }
    kv[n] = NULL;
    float x[2] = {1, 2};
    int64_t shape[1] = {2};
    st_write_item item = {"optimizer.exp_avg", ST_F32, 1, shape, x};
    char path[128];
    snprintf(path, sizeof path, "%s/trainer_state.safetensors", dir);
    REQUIRE_OK(st_write(path, &item, 1, kv));
}

static void expect_bad(const char *key, const char *value, const char *needle)
{
    write_state(key, value);
    asacl_train_options o;
    asacl_status st = asacl_checkpoint_info(dir, &o, NULL);
    const char *e = asacl_last_error();
    CHECK(st == ASACL_ERR_FORMAT && strstr(e, "trainer_state.safetensors") && strstr(e, needle),
          "%s = %s: %s (%s)", key, value ? value : "(absent)", asacl_status_str(st), e);
}

int main(void)
{
    if (!mkdtemp(dir)) return 1;
    write_state(NULL, NULL);
    asacl_train_options o;
    char *run = NULL;
    REQUIRE_OK(asacl_checkpoint_info(dir, &o, &run));
    CHECK(o.asa == 1 && o.total_steps == 8 && o.max_batch == 16 && o.max_seq_len == 40 &&
              o.padding == ASACL_PADDING_MAX_LENGTH &&
              o.seed == 18446744073709551615ull && o.tau == 0.5f && run && !strcmp(run, "{}"),
          "good state: asa %d steps %ld batch %zu len %zu seed %llu tau %g run %s", o.asa,
          o.total_steps, o.max_batch, o.max_seq_len, (unsigned long long)o.seed, (double)o.tau,
          run ? run : "(null)");
    free(run);

    expect_bad("step", NULL, "metadata lacks \"step\"");
    expect_bad("step", "1e300", "\"step\" must be an integer in [0, 1e+15], found \"1e300\"");
    expect_bad("total_steps", "0", "\"total_steps\" must be an integer in [1,");
    expect_bad("max_batch", "2.5", "\"max_batch\" must be an integer");
    expect_bad("max_seq_len", "40x", "\"max_seq_len\" must be an integer");
    expect_bad("epoch", "", "\"epoch\" must be an integer");
    expect_bad("asa", "2", "\"asa\" must be an integer in [0, 1]");
    expect_bad("lr", "nan", "\"lr\" must be a number");
    expect_bad("tau", "-inf", "\"tau\" must be a number in [0,");
    expect_bad("warmup_ratio", "1.5", "\"warmup_ratio\" must be a number in [0, 1]");
    expect_bad("seed", "18446744073709551616", "\"seed\" must be a 64-bit unsigned integer");
    expect_bad("seed", "-1", "\"seed\" must be a 64-bit unsigned integer");
    expect_bad("version", "3", "not an asacl trainer state of version 2");
    expect_bad("version", "1", "version 1 came from an older asacl");
    expect_bad("padding", "sideways", "\"padding\" must be max_length or longest");
    expect_bad("loader_padding", "", "\"loader_padding\" must be max_length or longest");
    expect_bad("loader_batch_size", "0", "\"loader_batch_size\" must be an integer in [1,");
    expect_bad("index", "-1", "\"index\" must be an integer in [0,");

    char path[128];
    snprintf(path, sizeof path, "%s/trainer_state.safetensors", dir);
    unlink(path);
    rmdir(dir);
    return test_finish("test_checkpoint_meta");
}
