#!/usr/bin/env python3
"""Writes tests/data/tokenizer_ref.tsv: what Hugging Face's slow BERT tokenizer
(BertTokenizerLegacy in transformers 5, BertTokenizer before) gives for
tests/data/vocab_small.txt, for test_tokenizer.c to match exactly.

    python3 tests/gen_tokenizer_ref.py      # needs: pip install transformers

CI never runs this; the output is committed. Texts given as bytes may hold
invalid UTF-8: Hugging Face sees bytes.decode("utf-8", "replace"), which is
what asacl documents for invalid input. At the end the fast (Rust) tokenizer
is run on the same cases and any difference is reported, for information.
"""
import os
import sys
import unicodedata

import transformers
from transformers.models.bert.tokenization_bert_legacy import BertTokenizerLegacy

HERE = os.path.dirname(os.path.abspath(__file__))
VOCAB = os.path.join(HERE, "data", "vocab_small.txt")
OUT = os.path.join(HERE, "data", "tokenizer_ref.tsv")

L = 128  # max_len when a case is not about truncation
A100 = "a" * 100

# (text_a, text_b or None, max_len); each runs uncased and cased.
CASES = [
    ("the quick brown fox", None, L),
    ("The Quick BROWN fox", None, L),
    ("Café Déjà vu", None, L),
    ("Cafe\u0301 De\u0301ja\u0300", None, L),  # decomposed accents: NFC first
    ("hello,world!", None, L),
    ("don't", None, L),
    ("unaffable", None, L),
    ("played playing plays", None, L),
    ("helloworld xyzzy", None, L),  # continuation; unknown word
    ("unaff", None, L),  # un ##aff
    ("unaffx", None, L),  # no full segmentation: one [UNK]
    (A100, None, L),  # 100 characters: a ##a x99
    (A100 + "a", None, L),  # 101: [UNK]
    ("\u00e9" * 60, None, L),  # 60 characters but 120 bytes
    ("\u00c4" * 100, None, L),  # uncased: 100 a; cased: [UNK]
    ("\u00c4" * 101, None, L),
    ("中国人你好", None, L),
    ("hello中国world", None, L),
    ("\U00020000x\U0002a700", None, L),  # CJK extension B and C ideographs
    ("ΟΔΟΣ ΣΑΣ", None, L),  # final sigma
    ("οδοσ Σ -Σ ΑΣ. ΑΣ'Α Α'Σ ΑΣΑ", None, L),  # case-ignorable ' and . are skipped
    ("Ελληνικά", None, L),
    ("Привет, мир! Мой", None, L),
    ("STRASSE straße İstanbul", None, L),
    ("مَرْحَبًا مرحبا", None, L),  # Arabic with harakat (Mn)
    ("שָׁלוֹם", None, L),  # Hebrew with niqqud
    ("สวัสดี", None, L),  # Thai vowel signs are Mn
    ("नमस्ते", None, L),  # Devanagari virama is Mn
    ("Tiếng Việt", None, L),
    ("Łódź", None, L),
    ("がっこう", None, L),  # dakuten decomposes in NFD
    ("한국", None, L),  # Hangul: jamo after NFD
    ("😀 🙂 👍🏽", None, L),  # emoji, skin tone modifier (Sk)
    ("👨\u200d👩", None, L),  # zero-width joiner (Cf) removed
    ("❤\ufe0f", None, L),  # variation selector (Mn)
    ("co\u00adop hel\u200blo \ufeffthe", None, L),  # soft hyphen, ZWSP, BOM (Cf)
    ("a\tb\nc\rd\u00a0x\u3000y\u2009the\u2028fox\u2029the", None, L),  # whitespace
    ("a\x0bb \x0cthe\x85fox \x1fhello\x7fworld", None, L),  # controls (Cc) removed
    ("hel\ue000lo wor\u0378ld", None, L),  # private use (Co), unassigned (Cn)
    ("\u0301 x\u0301 \u0301x", None, L),  # lone combining marks
    ("a+b=x $20 20€ x×y ^`~", None, L),  # ASCII symbols are punctuation
    ("x~y|x {a}", None, L),
    ("hello！world，the", None, L),  # fullwidth punctuation
    ("ﬁ Ｈｅｌｌｏ", None, L),  # compatibility forms stay (NFC only)
    ("2024", None, L),
    ("hello [MASK] world [SEP]x[CLS]", None, L),
    ("[cls] [UNK] [unk] [SE\u200bP] a[MASK]b", None, L),
    ("[MASK]", None, L),
    ("", None, L),
    (" \t\n ", None, L),
    # Pairs and truncation.
    ("the quick brown fox", "hello world", L),
    ("", "", L),
    ("the quick brown fox", None, 5),  # single: 4 -> 3
    ("the quick brown fox", None, 2),  # only [CLS] [SEP]
    ("the quick brown", "hello world !", 7),  # tie: b first, then a
    ("the quick brown", "hello world !", 6),
    ("the quick brown fox jumps", "hello world", 6),  # a longer
    ("hello", "the quick brown fox", 7),  # b longer
    ("the quick brown fox", "hello", 3),  # only the specials
    ("hello world", "the quick", 5),  # tie, one each
    # Invalid UTF-8 (bytes): every invalid byte vanishes.
    (b"hel\xfflo", None, L),
    (b"hel\x80lo wor\xbfld", None, L),  # lone continuation bytes
    (b"hel\xc0\xaflo \xc1\xbf", None, L),  # overlong "/" and "\x7f"
    (b"hel\xe0\x80\xaflo", None, L),  # overlong 3-byte
    (b"hel\xe2\x82lo", None, L),  # truncated 3-byte
    (b"hel\xed\xa0\x80lo \xed\xbf\xbf", None, L),  # UTF-16 surrogates
    (b"hel\xf4\x90\x80\x80lo", None, L),  # above U+10FFFF
    (b"hel\xf8\x88\x80\x80\x80lo \xfc\xfe\xff", None, L),  # 0xF8-0xFF
    (b"\xe4\xb8\xad\xff\xe5\x9b\xbd", None, L),  # CJK around an invalid byte
    (b"caf\xc3", b"\xf0\x9f\x98", L),  # truncated at the end
]


def as_text(x):
    return x.decode("utf-8", "replace") if isinstance(x, bytes) else x


def escape(x):
    """Escapes \\ \\t \\n \\r; bytes of control, format, separator and invalid
    characters become \\xHH so that the file shows them."""
    data = x if isinstance(x, bytes) else x.encode("utf-8")
    out = []
    for ch in data.decode("utf-8", "surrogateescape"):
        if 0xDC80 <= ord(ch) <= 0xDCFF:  # an invalid byte
            out.append("\\x%02x" % (ord(ch) - 0xDC00))
        elif ch in "\\\t\n\r":
            out.append({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"}[ch])
        elif ch != " " and unicodedata.category(ch)[0] in "CZ":
            out.extend("\\x%02x" % b for b in ch.encode("utf-8"))
        else:
            out.append(ch)
    return "".join(out)


def encode(tok, a, b, max_len):
    enc = tok(as_text(a), None if b is None else as_text(b), truncation=True, max_length=max_len,
              return_token_type_ids=True)
    return enc["input_ids"], enc["token_type_ids"]


def main():
    slow = {lower: BertTokenizerLegacy(VOCAB, do_lower_case=lower) for lower in (1, 0)}
    rows = []
    for lower in (1, 0):
        for a, b, max_len in CASES:
            ids, seg = encode(slow[lower], a, b, max_len)
            rows.append((lower, max_len, a, b, ids, seg))
    with open(OUT, "w", encoding="utf-8", newline="\n") as f:
        f.write(
            "# Expected BERT encodings of vocab_small.txt, written by gen_tokenizer_ref.py with\n"
            "# transformers %s (BertTokenizerLegacy, the slow Python tokenizer), Python %s,\n"
            "# Unicode %s. One case per line, tab-separated:\n"
            "#   do_lower_case  max_len  text_a  text_b  ids  segments\n"
            "# Texts are UTF-8 with escapes \\\\ \\t \\n \\r and \\xHH (one byte: of a control,\n"
            "# format or separator character, or invalid UTF-8); text_b \\N means none.\n"
            "# ids and segments are space-separated.\n"
            % (transformers.__version__, sys.version.split()[0], unicodedata.unidata_version)
        )
        for lower, max_len, a, b, ids, seg in rows:
            f.write(
                "\t".join(
                    [str(lower), str(max_len), escape(a), "\\N" if b is None else escape(b),
                     " ".join(map(str, ids)), " ".join(map(str, seg))]
                )
                + "\n"
            )
    print("wrote %d cases to %s" % (len(rows), OUT))

    # For information: does the fast tokenizer agree?
    from transformers import BertTokenizer
    from transformers.models.bert.tokenization_bert import load_vocab

    fast = {lower: BertTokenizer(vocab=load_vocab(VOCAB), do_lower_case=bool(lower)) for lower in (1, 0)}
    for lower, max_len, a, b, ids, seg in rows:
        got = encode(fast[lower], a, b, max_len)
        if got != (ids, seg):
            print("fast tokenizer differs (lower=%d) on %r / %r: %s instead of %s"
                  % (lower, a, b, got[0], ids), file=sys.stderr)


if __name__ == "__main__":
    main()
