/* fuzz_util.h -- shared by the fuzz targets of tests/fuzz.
 *
 * Every target is one file fuzz_<name>.c that defines
 *     int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
 * feeds the bytes to one reader of outside input, and checks what a successful
 * read promises (FUZZ_CHECK); the sanitizers catch the rest. It is built twice:
 * with libFuzzer (ASACL_FUZZ=ON, clang) for campaigns, and in every build with
 * replay.c as main(), so its committed corpus and regression inputs run as a
 * ctest. Adding a reader: write fuzz_<name>.c, add `asacl_fuzz(<name>)` to
 * tests/fuzz/CMakeLists.txt, put seeds in corpus/<name>/ (or name files of
 * tests/data there), optionally a dictionary dict/<name>.dict.
 */
#ifndef ASACL_FUZZ_UTIL_H
#define ASACL_FUZZ_UTIL_H

#include <stddef.h>
#include <stdint.h>

/* The entry point every target defines (libFuzzer's, or replay.c's). */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A failed promise of a reader: prints and aborts, which libFuzzer reports as
 * a crash with the input that caused it. */
#define FUZZ_CHECK(cond, what)                                                     \
    do {                                                                           \
        if (!(cond)) fuzz_fail(__FILE__, __LINE__, #cond, what);                   \
    } while (0)
void fuzz_fail(const char *file, int line, const char *cond, const char *what);

/* Writes data to a file in this process's scratch folder (made once, removed
 * at exit) and returns its path; name is the file name, so a reader that
 * opens a folder finds the file where it looks for it. Aborts on I/O errors. */
const char *fuzz_file(const char *name, const uint8_t *data, size_t size);
/* The scratch folder itself. */
const char *fuzz_dir(void);
/* A NUL-terminated malloc'd copy of data (the caller frees it). */
char *fuzz_strdup(const uint8_t *data, size_t size);
/* Checks the library's last error is a message (non-empty). */
void fuzz_check_message(void);

#endif
