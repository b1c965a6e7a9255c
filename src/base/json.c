/* json.c -- see json.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/json.h"
#include "base/base.h"

asacl_status json_parse(const char *text, size_t len, const char *what, cJSON **out)
{
    const char *end = NULL;
    *out = cJSON_ParseWithLengthOpts(text, len, &end, 0);
    if (*out && end)
        while (end < text + len && (*end == ' ' || *end == '\t' || *end == '\r' || *end == '\n'))
            end++;
    if (*out && end == text + len) return ASACL_OK;
    cJSON_Delete(*out);
    *out = NULL;
    return rt_fail(ASACL_ERR_FORMAT, "%s is not valid JSON (error at byte %td)", what,
                   end ? end - text : (ptrdiff_t)0);
}

char *json_print(const cJSON *item)
{
    char *raw = cJSON_Print(item);
    if (!raw) return NULL;
    size_t tabs = 0, len = 0;
    for (; raw[len]; len++) tabs += raw[len] == '\t';
    char *out = malloc(len + tabs + 2), *o = out;
    if (out) {
        /* cJSON indents with tabs and puts a tab after each ':'; strings never hold raw tabs. */
        int line_start = 1;
        for (const char *p = raw; *p; p++) {
            if (*p == '\t') {
                *o++ = ' ';
                if (line_start) *o++ = ' ';
                continue;
            }
            line_start = *p == '\n';
            *o++ = *p;
        }
        *o++ = '\n';
        *o = 0;
    }
    cJSON_free(raw);
    return out;
}

int json_integer(const cJSON *item, long long lo, long long hi, long long *out)
{
    if (!cJSON_IsNumber(item)) return 0;
    double v = item->valuedouble;
    /* [-2^63, 2^63) holds every double that converts to long long; NaN fails too. */
    if (!(v >= -0x1p63 && v < 0x1p63)) return 0;
    long long i = (long long)v;
    if ((double)i != v || i < lo || i > hi) return 0;
    *out = i;
    return 1;
}

const char *json_describe(const cJSON *item, char *buf, size_t cap)
{
    if (cJSON_IsString(item)) snprintf(buf, cap, "\"%.60s\"", item->valuestring);
    else if (cJSON_IsNumber(item)) snprintf(buf, cap, "%.15g", item->valuedouble);
    else if (cJSON_IsBool(item)) snprintf(buf, cap, "%s", cJSON_IsTrue(item) ? "true" : "false");
    else if (cJSON_IsNull(item)) snprintf(buf, cap, "null");
    else if (cJSON_IsArray(item)) snprintf(buf, cap, "an array");
    else snprintf(buf, cap, "an object");
    return buf;
}
