/* bpe_pretok.c -- UTF-8 decoding with Python's replacement rule, the
 * classes \s \p{L} \p{N}, GPT-2's pre-tokenisation pattern as a hand-written
 * matcher, and bytes_to_unicode. See bpe_pretok.h. */
#include <utf8proc.h>

#include "data/basic_tokenizer.h"
#include "data/bpe_pretok.h"

/* ---- UTF-8 ------------------------------------------------------------------------ */

size_t bpe_utf8_next(const char *str, size_t n, int32_t *cp)
{
    size_t len = wp_utf8_next(str, n, cp);
    if (len > 1 || *cp != 0xFFFD) return len; /* valid (U+FFFD itself takes 3 bytes) */
    /* Invalid: extend over the continuation bytes a valid sequence could
     * have had here, stopping at the first that does not fit. */
    const unsigned char *s = (const unsigned char *)str;
    size_t need;
    unsigned lo = 0x80, hi = 0xBF;
    if (s[0] >= 0xC2 && s[0] <= 0xDF) {
        need = 2;
    } else if (s[0] >= 0xE0 && s[0] <= 0xEF) {
        need = 3;
        if (s[0] == 0xE0) lo = 0xA0;
        if (s[0] == 0xED) hi = 0x9F;
    } else if (s[0] >= 0xF0 && s[0] <= 0xF4) {
        need = 4;
        if (s[0] == 0xF0) lo = 0x90;
        if (s[0] == 0xF4) hi = 0x8F;
    } else {
        return 1;
    }
    len = 1;
    while (len < need && len < n && s[len] >= (len == 1 ? lo : 0x80) &&
           s[len] <= (len == 1 ? hi : 0xBF))
        len++;
    return len; /* < need, or wp_utf8_next would have decoded it */
}

size_t bpe_utf8_put(int32_t c, unsigned char *o)
{
    if (c < 0x80) {
        o[0] = (unsigned char)c;
        return 1;
    }
    if (c < 0x800) {
        o[0] = (unsigned char)(0xC0 | (c >> 6));
        o[1] = (unsigned char)(0x80 | (c & 0x3F));
        return 2;
    }
    if (c < 0x10000) {
        o[0] = (unsigned char)(0xE0 | (c >> 12));
        o[1] = (unsigned char)(0x80 | ((c >> 6) & 0x3F));
        o[2] = (unsigned char)(0x80 | (c & 0x3F));
        return 3;
    }
    o[0] = (unsigned char)(0xF0 | (c >> 18));
    o[1] = (unsigned char)(0x80 | ((c >> 12) & 0x3F));
    o[2] = (unsigned char)(0x80 | ((c >> 6) & 0x3F));
    o[3] = (unsigned char)(0x80 | (c & 0x3F));
    return 4;
}

/* ---- character classes -------------------------------------------------------------- */

int bpe_is_space(int32_t c)
{
    if (c <= 0x20) return c == 0x20 || (c >= 0x09 && c <= 0x0D);
    if (c < 0x85) return 0;
    return c == 0x85 || c == 0xA0 || c == 0x1680 || (c >= 0x2000 && c <= 0x200A) ||
           c == 0x2028 || c == 0x2029 || c == 0x202F || c == 0x205F || c == 0x3000;
}

int bpe_is_py_space(int32_t c) { return bpe_is_space(c) || (c >= 0x1C && c <= 0x1F); }

static int is_letter(int32_t c)
{
    if (c < 0x80) return (c | 0x20) >= 'a' && (c | 0x20) <= 'z';
    utf8proc_category_t k = utf8proc_category(c);
    return k >= UTF8PROC_CATEGORY_LU && k <= UTF8PROC_CATEGORY_LO;
}

static int is_number(int32_t c)
{
    if (c < 0x80) return c >= '0' && c <= '9';
    utf8proc_category_t k = utf8proc_category(c);
    return k >= UTF8PROC_CATEGORY_ND && k <= UTF8PROC_CATEGORY_NO;
}

/* The three classes of a code point that the pattern tells apart
 * (whitespace is the fourth). */
enum { OTHER, LETTER, NUMBER, SPACE };

static int class_of(int32_t c)
{
    if (bpe_is_space(c)) return SPACE;
    if (is_letter(c)) return LETTER;
    if (is_number(c)) return NUMBER;
    return OTHER;
}

/* ---- the pattern -------------------------------------------------------------------- */

/* The end of 's 't 're 've 'm 'll 'd at cp[i] (an apostrophe), or i. */
static size_t contraction_end(const int32_t *cp, size_t n, size_t i)
{
    int32_t a = i + 1 < n ? cp[i + 1] : 0, b = i + 2 < n ? cp[i + 2] : 0;
    if (a == 's' || a == 't' || a == 'm' || a == 'd') return i + 2;
    if ((a == 'r' && b == 'e') || (a == 'v' && b == 'e') || (a == 'l' && b == 'l')) return i + 3;
    return i;
}

size_t bpe_pretoken_end(const int32_t *cp, size_t n, size_t i)
{
    if (cp[i] == '\'') {
        size_t e = contraction_end(cp, n, i);
        if (e > i) return e;
    }
    int k = class_of(cp[i]);
    /* " ?\p{L}+", " ?\p{N}+", " ?[^\s\p{L}\p{N}]+": a space joins the run
     * of one of these classes that follows it. */
    size_t j = i;
    if (cp[i] == ' ' && i + 1 < n && class_of(cp[i + 1]) != SPACE) {
        k = class_of(cp[i + 1]);
        j = i + 1;
    }
    if (k != SPACE) {
        while (j < n && class_of(cp[j]) == k) j++;
        return j;
    }
    /* "\s+(?!\S)": a run of whitespace, less its last character when a
     * non-space follows (that one then starts the next pre-token); "\s+"
     * takes a single whitespace character before a non-space. */
    while (j < n && bpe_is_space(cp[j])) j++;
    return j < n && j - i >= 2 ? j - 1 : j;
}

/* ---- bytes_to_unicode ----------------------------------------------------------------- */

static int printable_byte(unsigned b)
{
    return (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
}

int32_t bpe_byte_char(unsigned char b)
{
    if (printable_byte(b)) return b;
    int32_t k = 0; /* how many unprintable bytes come before b */
    for (unsigned x = 0; x < b; x++) k += !printable_byte(x);
    return 0x100 + k;
}
