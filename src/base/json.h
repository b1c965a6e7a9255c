/* json.h -- cJSON helpers shared by the file formats (io/, runtime/ profiles). */
#ifndef ASACL_BASE_JSON_H
#define ASACL_BASE_JSON_H

#include <cjson/cJSON.h>
#include <stddef.h>

#include "asacl.h"

/* Parses exactly one JSON value from text[0, len) (trailing whitespace allowed).
 * On failure: ASACL_ERR_FORMAT, "<what> is not valid JSON (error at byte N)". */
asacl_status json_parse(const char *text, size_t len, const char *what, cJSON **out);
/* Pretty-prints with two-space indentation and a final newline, as Python's
 * json.dump(indent=2) does; malloc'd, NULL when out of memory. */
char *json_print(const cJSON *item);
/* The value of a JSON number that is an integer in [lo, hi]: 1 and *out set;
 * 0 for anything else (not a number, a fraction, out of range, -0 counts as
 * 0). The range is checked on the double before any conversion, so a number
 * such as 8.9e103 never reaches an integer type (which would be undefined). */
int json_integer(const cJSON *item, long long lo, long long hi, long long *out);
/* A value for messages: "768" quoted when a string, 768, null, true, "an array". */
const char *json_describe(const cJSON *item, char *buf, size_t cap);

#endif /* ASACL_BASE_JSON_H */
