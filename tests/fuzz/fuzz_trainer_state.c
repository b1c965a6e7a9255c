/* fuzz_trainer_state.c -- a checkpoint's trainer_state.safetensors: its
 * metadata through asacl_checkpoint_info (what `asacl train --resume` reads
 * first), then its tensors as asacl_trainer_resume reads them on the host
 * (folder_read_params against a small model's layout with adversaries, and
 * the AdamW moments). Promise: metadata that reads gives integers in their
 * ranges and finite hyper-parameters. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_util.h"
#include "model/folder_params.h"

static param_layout layout;

static void make_layout(void)
{
    asacl_model_config c;
    asacl_model_config_default(&c);
    c.vocab_size = 16;
    c.hidden_size = 4;
    c.num_hidden_layers = 1;
    c.num_attention_heads = 2;
    c.intermediate_size = 8;
    c.max_position_embeddings = 8;
    if (param_layout_build(&c, 1, &layout) != ASACL_OK)
        fuzz_fail(__FILE__, __LINE__, "param_layout_build", "a tiny layout");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!layout.entries) make_layout();
    const char *path = fuzz_file("trainer_state.safetensors", data, size);
    asacl_train_options o;
    char *run = NULL;
    if (asacl_checkpoint_info(fuzz_dir(), &o, &run) == ASACL_OK) {
        FUZZ_CHECK(o.asa == 0 || o.asa == 1, "asa is 0 or 1");
        FUZZ_CHECK(o.additive_masks == 0 || o.additive_masks == 1, "additive_masks is 0 or 1");
        FUZZ_CHECK(o.total_steps >= 1 && o.max_batch >= 1 && o.max_seq_len >= 2,
                   "sizes in range");
        FUZZ_CHECK(isfinite(o.tau) && isfinite(o.lr) && isfinite(o.weight_decay) &&
                       isfinite(o.warmup_ratio) && isfinite(o.max_grad_norm),
                   "finite hyper-parameters");
        free(run);
    } else {
        fuzz_check_message();
    }

    st_file f;
    if (st_open(path, &f) != ASACL_OK) return 0;
    float *values = calloc(layout.total, sizeof *values);
    folder_read r = {calloc(layout.count, 1), 0, 0};
    FUZZ_CHECK(values && r.have, "memory");
    if (folder_read_params(&f, &layout, values, NULL, &r) == ASACL_OK)
        FUZZ_CHECK(r.loaded <= layout.count, "each entry loads once");
    else
        fuzz_check_message();
    const st_tensor *m = st_find(&f, "optimizer.exp_avg");
    if (m && m->dtype == ST_F32 && st_numel(m) == layout.total)
        FUZZ_CHECK(st_to_f32(&f, m, values) == ASACL_OK, "moments convert");
    free(values);
    free(r.have);
    st_close(&f);
    return 0;
}
