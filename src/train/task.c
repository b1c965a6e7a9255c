/* task.c -- the table of task families (task.h) and what the public API
 * dispatches through it. */
#include "train/task.h"

const task_ops *task_for(int kind)
{
    switch (kind) {
    case ASACL_TASK_SEQUENCE: return &task_sequence;
    case ASACL_TASK_TOKEN: return &task_token;
    case ASACL_TASK_CHOICE: return &task_choice;
    case ASACL_TASK_MLM: return &task_mlm;
    default: return NULL;
    }
}

asacl_status asacl_evaluate(asacl_model *m, asacl_loader *l, asacl_metrics *out, float *logits)
{
    if (!m || !l || !out) return rt_fail(ASACL_ERR_INVALID_ARG, "asacl_evaluate: NULL argument");
    const task_ops *t = task_for(asacl_model_get_config(m)->task);
    if (!t) return rt_fail(ASACL_ERR_INVALID_ARG, "asacl_evaluate: unknown task kind");
    return t->evaluate(m, l, out, logits);
}

const char *asacl_metrics_main(const asacl_metrics *m, int num_labels, double *value)
{
    const task_ops *t = task_for(m ? m->task : -1);
    if (!t) t = &task_sequence;
    return t->main_metric(m, num_labels, value);
}
