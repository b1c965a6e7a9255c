/* api.h -- what the public training handles hold (for the files of train/). */
#ifndef ASACL_TRAIN_API_H
#define ASACL_TRAIN_API_H

#include "train/trainer.h"

struct asacl_trainer {
    trainer t;
    asacl_model *model;
};

#endif
