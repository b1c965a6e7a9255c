/* masked.h -- the large negative score that masks an attention entry
 * (asa-spec 2-4). One definition for the kernels (cl/common.h) and the
 * host (the padding bias the host builds). */
#ifndef ASACL_MASKED_H
#define ASACL_MASKED_H
#define ASACL_MASKED (-10000.0f)
#endif
