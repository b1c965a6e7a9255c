/* common.c -- helpers shared by the launchers. */
#include "ops.h"

void op_arg(rt_args *a, tensor t)
{
    rt_arg_mem(a, t.buf);
    rt_arg_u64(a, t.off);
}

void rt_arg_rng(rt_args *a, op_rng r)
{
    cl_uint4 v;
    v.s[0] = r.seed_lo;
    v.s[1] = r.seed_hi;
    v.s[2] = r.step;
    v.s[3] = r.site;
    cl_int e = clSetKernelArg(a->kernel, a->next, sizeof v, &v);
    if (e != CL_SUCCESS && a->err == CL_SUCCESS) {
        a->err = e;
        a->err_index = a->next;
    }
    a->next++;
    rt_arg_u64(a, r.off);
}

asacl_status op_check_u32(const char *op, size_t n)
{
    if (n > 0xffffffffu)
        return rt_fail(ASACL_ERR_INVALID_ARG, "%s: %zu elements is over 2^32", op, n);
    return ASACL_OK;
}
