/* basic_tokenizer.c -- BERT's basic tokenisation as whole-text passes over
 * UTF-8 buffers: clean-up and CJK spacing, NFC, (uncased) lower-casing, NFD
 * and accent stripping, then the whitespace and punctuation split. Unicode
 * properties and normalisation come from utf8proc. Doing a pass over the
 * whole text is the same as doing it word by word as Hugging Face does: the
 * spaces between words are starters for normalisation and end the context
 * of the final sigma. */
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "data/basic_tokenizer.h"
#include "base/base.h"

const char *const wp_special_tokens[WP_N_SPECIAL] = {"[UNK]", "[SEP]", "[PAD]", "[CLS]", "[MASK]"};

size_t wp_utf8_next(const char *str, size_t n, int32_t *cp)
{
    const unsigned char *s = (const unsigned char *)str;
    unsigned lo = 0x80, hi = 0xBF; /* the range of the second byte */
    size_t len;
    if (s[0] < 0x80) {
        *cp = s[0];
        return 1;
    } else if (s[0] >= 0xC2 && s[0] <= 0xDF) {
        len = 2;
    } else if (s[0] >= 0xE0 && s[0] <= 0xEF) {
        len = 3;
        if (s[0] == 0xE0) lo = 0xA0; /* overlong */
        if (s[0] == 0xED) hi = 0x9F; /* surrogates */
    } else if (s[0] >= 0xF0 && s[0] <= 0xF4) {
        len = 4;
        if (s[0] == 0xF0) lo = 0x90; /* overlong */
        if (s[0] == 0xF4) hi = 0x8F; /* above U+10FFFF */
    } else {
        *cp = 0xFFFD;
        return 1;
    }
    int32_t c = s[0] & (0x7F >> len);
    for (size_t i = 1; i < len; i++) {
        if (i >= n || s[i] < (i == 1 ? lo : 0x80) || s[i] > (i == 1 ? hi : 0xBF)) {
            *cp = 0xFFFD;
            return 1;
        }
        c = (c << 6) | (s[i] & 0x3F);
    }
    *cp = c;
    return len;
}

/* ---- character classes (Hugging Face's _is_whitespace, _is_control,
 * _is_punctuation, _is_chinese_char) ------------------------------------------ */

/* Zl and Zp are not whitespace to BERT's clean-up, but Python's str.split()
 * splits at them right after, so they act as spaces. */
static int is_whitespace(int32_t c)
{
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') return 1;
    utf8proc_category_t k = utf8proc_category(c);
    return k == UTF8PROC_CATEGORY_ZS || k == UTF8PROC_CATEGORY_ZL || k == UTF8PROC_CATEGORY_ZP;
}

/* Any category C*: control, format, surrogate, private use, unassigned. */
static int is_control(int32_t c)
{
    utf8proc_category_t k = utf8proc_category(c);
    return k == UTF8PROC_CATEGORY_CC || k == UTF8PROC_CATEGORY_CF || k == UTF8PROC_CATEGORY_CS ||
           k == UTF8PROC_CATEGORY_CO || k == UTF8PROC_CATEGORY_CN;
}

/* All non-alphanumeric ASCII, and the categories P*. */
static int is_punctuation(int32_t c)
{
    if ((c >= 33 && c <= 47) || (c >= 58 && c <= 64) || (c >= 91 && c <= 96) ||
        (c >= 123 && c <= 126))
        return 1;
    utf8proc_category_t k = utf8proc_category(c);
    return k >= UTF8PROC_CATEGORY_PC && k <= UTF8PROC_CATEGORY_PO;
}

/* BERT's CJK Unified Ideographs blocks (not Hangul, Hiragana or Katakana). */
static int is_cjk(int32_t c)
{
    return (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x3400 && c <= 0x4DBF) ||
           (c >= 0x20000 && c <= 0x2A6DF) || (c >= 0x2A700 && c <= 0x2B73F) ||
           (c >= 0x2B740 && c <= 0x2B81F) || (c >= 0x2B820 && c <= 0x2CEAF) ||
           (c >= 0xF900 && c <= 0xFAFF) || (c >= 0x2F800 && c <= 0x2FA1F);
}

/* Unicode's Cased and Case_Ignorable properties, which decide the final
 * sigma. Case_Ignorable is the categories Mn Me Cf Lm Sk plus the Word_Break
 * classes MidLetter, MidNumLet and Single_Quote, listed here. */
static int is_cased(int32_t c)
{
    utf8proc_category_t k = utf8proc_category(c);
    return k == UTF8PROC_CATEGORY_LU || k == UTF8PROC_CATEGORY_LL || k == UTF8PROC_CATEGORY_LT ||
           utf8proc_islower(c) || utf8proc_isupper(c);
}

static int is_case_ignorable(int32_t c)
{
    static const int32_t mid[] = {0x27,   0x2E,   0x3A,   0xB7,   0x387,  0x55F,
                                  0x5F4,  0x2018, 0x2019, 0x2024, 0x2027, 0xFE13,
                                  0xFE52, 0xFE55, 0xFF07, 0xFF0E, 0xFF1A};
    utf8proc_category_t k = utf8proc_category(c);
    if (k == UTF8PROC_CATEGORY_MN || k == UTF8PROC_CATEGORY_ME || k == UTF8PROC_CATEGORY_CF ||
        k == UTF8PROC_CATEGORY_LM || k == UTF8PROC_CATEGORY_SK)
        return 1;
    for (size_t i = 0; i < sizeof mid / sizeof mid[0]; i++)
        if (c == mid[i]) return 1;
    return 0;
}

/* Python's str.lower() of w[i] within the word w[0..n). The only context-
 * dependent mapping is the capital sigma, which becomes final (U+03C2) after
 * a cased letter and before none, skipping case-ignorable characters.
 * (Python maps U+0130 to "i" U+0307 and utf8proc to "i"; accent stripping,
 * which always follows, makes both "i".) */
static int32_t lower_char(const int32_t *w, size_t n, size_t i)
{
    if (w[i] != 0x3A3) return utf8proc_tolower(w[i]);
    size_t j = i;
    while (j > 0 && is_case_ignorable(w[j - 1])) j--;
    if (j == 0 || !is_cased(w[j - 1])) return 0x3C3;
    j = i + 1;
    while (j < n && is_case_ignorable(w[j])) j++;
    return j < n && is_cased(w[j]) ? 0x3C3 : 0x3C2;
}

static int is_special(const char *w, size_t n)
{
    for (int k = 0; k < WP_N_SPECIAL; k++)
        if (strlen(wp_special_tokens[k]) == n && !memcmp(w, wp_special_tokens[k], n)) return 1;
    return 0;
}

/* The length of the space-delimited word at s[0..n). */
static size_t word_len(const char *s, size_t n)
{
    const char *e = memchr(s, ' ', n);
    return e ? (size_t)(e - s) : n;
}

/* ---- passes: each reads valid UTF-8 (except the first) and returns a new
 * buffer -------------------------------------------------------------------------- */

static asacl_status normalize(const char *s, size_t n, utf8proc_option_t form, char **out,
                              size_t *out_n)
{
    utf8proc_uint8_t *r = NULL;
    utf8proc_ssize_t m =
        utf8proc_map((const utf8proc_uint8_t *)s, (utf8proc_ssize_t)n, &r, UTF8PROC_STABLE | form);
    if (m < 0)
        return rt_fail(m == UTF8PROC_ERROR_NOMEM ? ASACL_ERR_OUT_OF_MEMORY : ASACL_ERR_INTERNAL,
                       "normalising %zu bytes of text: %s", n, utf8proc_errmsg(m));
    *out = (char *)r;
    *out_n = (size_t)m;
    return ASACL_OK;
}

/* Decodes the input (invalid bytes become U+FFFD), drops U+FFFD and control
 * characters, maps whitespace to ' ', puts spaces around CJK, then NFC. */
static asacl_status clean_nfc(const char *s, size_t n, char **out, size_t *out_n)
{
    char *buf = malloc(2 * n + 1); /* CJK: 3 or 4 bytes become 5 or 6 */
    if (!buf) return rt_fail(ASACL_ERR_OUT_OF_MEMORY, "tokenising %zu bytes of text", n);
    size_t m = 0;
    for (size_t i = 0; i < n;) {
        int32_t c;
        i += wp_utf8_next(s + i, n - i, &c);
        if (is_whitespace(c)) {
            buf[m++] = ' ';
        } else if (c == 0xFFFD || is_control(c)) {
            continue;
        } else if (is_cjk(c)) {
            buf[m++] = ' ';
            m += (size_t)utf8proc_encode_char(c, (utf8proc_uint8_t *)buf + m);
            buf[m++] = ' ';
        } else {
            m += (size_t)utf8proc_encode_char(c, (utf8proc_uint8_t *)buf + m);
        }
    }
    asacl_status st = normalize(buf, m, UTF8PROC_COMPOSE, out, out_n);
    free(buf);
    return st;
}

/* Lower-cases every word except the special tokens. */
static asacl_status lower_case(const char *s, size_t n, char **out, size_t *out_n)
{
    int32_t *w = malloc((n + 1) * sizeof *w);
    char *buf = malloc(4 * n + 1);
    if (!w || !buf) {
        free(w);
        free(buf);
        return rt_fail(ASACL_ERR_OUT_OF_MEMORY, "lower-casing %zu bytes of text", n);
    }
    size_t m = 0;
    for (size_t i = 0; i < n; i++) { /* i steps over the space after each word */
        size_t len = word_len(s + i, n - i), k = 0;
        if (is_special(s + i, len)) {
            memcpy(buf + m, s + i, len);
            m += len;
        } else {
            for (size_t j = 0; j < len;) j += wp_utf8_next(s + i + j, len - j, &w[k++]);
            for (size_t j = 0; j < k; j++)
                m += (size_t)utf8proc_encode_char(lower_char(w, k, j), (utf8proc_uint8_t *)buf + m);
        }
        i += len;
        if (i < n) buf[m++] = ' ';
    }
    free(w);
    *out = buf;
    *out_n = m;
    return ASACL_OK;
}

/* NFD, then drops the combining marks (Mn). */
static asacl_status strip_accents(const char *s, size_t n, char **out, size_t *out_n)
{
    char *d = NULL;
    size_t dn = 0, m = 0;
    TRY(normalize(s, n, UTF8PROC_DECOMPOSE, &d, &dn));
    for (size_t i = 0; i < dn;) {
        int32_t c;
        size_t len = wp_utf8_next(d + i, dn - i, &c);
        if (utf8proc_category(c) != UTF8PROC_CATEGORY_MN) {
            memmove(d + m, d + i, len);
            m += len;
        }
        i += len;
    }
    *out = d;
    *out_n = m;
    return ASACL_OK;
}

/* Hands fn the word w[0..n) split at punctuation, or whole if special. */
static asacl_status split_punctuation(const char *w, size_t n, wp_word_fn fn, void *user)
{
    if (is_special(w, n)) return fn(w, n, user);
    size_t start = 0;
    for (size_t i = 0; i < n;) {
        int32_t c;
        size_t len = wp_utf8_next(w + i, n - i, &c);
        if (is_punctuation(c)) {
            if (i > start) TRY(fn(w + start, i - start, user));
            TRY(fn(w + i, len, user));
            start = i + len;
        }
        i += len;
    }
    return n > start ? fn(w + start, n - start, user) : ASACL_OK;
}

asacl_status wp_basic_tokenize(const char *text, size_t len, int do_lower_case, wp_word_fn fn,
                               void *user)
{
    char *nfc = NULL, *lower = NULL, *stripped = NULL;
    size_t n = 0;
    asacl_status st = clean_nfc(text, len, &nfc, &n);
    if (st == ASACL_OK && do_lower_case) {
        st = lower_case(nfc, n, &lower, &n);
        if (st == ASACL_OK) st = strip_accents(lower, n, &stripped, &n);
    }
    const char *s = do_lower_case ? stripped : nfc;
    for (size_t i = 0; st == ASACL_OK && i < n; i++) { /* i steps over the spaces */
        size_t wlen = word_len(s + i, n - i);
        if (wlen) st = split_punctuation(s + i, wlen, fn, user);
        i += wlen;
    }
    free(nfc);
    free(lower);
    free(stripped);
    return st;
}

void truncate_longest_first(size_t *na, size_t *nb, size_t room)
{
    while (*na + *nb > room) {
        if (*na > *nb)
            (*na)--;
        else
            (*nb)--;
    }
}
