/* fuzz_config_json.c -- config.json (Hugging Face BertConfig) through hfcfg_parse.
 * Promise: a config that reads passes asacl_model_config_check; a failure has
 * a message. */
#include <stdint.h>
#include <stdlib.h>

#include "fuzz_util.h"
#include "io/config_json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    asacl_model_config c;
    asacl_status st = hfcfg_parse((const char *)data, size, "config.json", &c);
    if (st == ASACL_OK)
        FUZZ_CHECK(asacl_model_config_check(&c) == ASACL_OK, "a config that reads is valid");
    else
        fuzz_check_message();
    return 0;
}
