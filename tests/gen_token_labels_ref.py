#!/usr/bin/env python3
"""Expected token-classification encodings for tests/test_token_labels.c.

Encodes words with Hugging Face's fast BERT tokenizer (the `tokenizers`
package, vocab tests/data/vocab_small.txt) as gingasan/adversarialSA's
run_tok_clas.py does (is_split_into_words=True, truncation to max_length,
padding="max_length"), and moves the word labels onto tokens by its rule:
word_ids() None -> -100, the first token of a word -> its label, the other
tokens of the word -> -100. Writes tests/data/tasks/token_labels_expected.json.

    python3 -m venv /tmp/venv && /tmp/venv/bin/pip install tokenizers
    /tmp/venv/bin/python tests/gen_token_labels_ref.py
"""
import json
import os

from tokenizers import BertWordPieceTokenizer

HERE = os.path.dirname(os.path.abspath(__file__))
VOCAB = os.path.join(HERE, "data", "vocab_small.txt")
OUT = os.path.join(HERE, "data", "tasks", "token_labels_expected.json")

CASES = [
    (["the", "quick", "brown", "fox"], [1, 2, 0, 3], 10, True),
    (["Hello", "world", "!"], [2, 0, 0], 8, True),
    (["unaffable", "playing", "tests"], [1, 2, 3], 12, True),             # several pieces
    (["don't", "U.S.", "x+y=20"], [4, 5, 6], 16, True),                   # punctuation inside words
    (["zzz", "the", "qqq"], [1, 0, 2], 8, True),                          # unknown words
    (["Café", "déjà", "vu"], [1, 2, 3], 8, True),                         # accents stripped (uncased)
    (["Café", "Déjà", "vu"], [1, 2, 3], 8, False),                        # cased
    (["the", "\u0001", "fox"], [1, 2, 3], 8, True),                       # a word that vanishes
    (["unaffable", "playing", "the", "fox"], [1, 2, 3, 4], 6, True),     # truncated inside a word
    (["the", "quick", "brown", "fox"], [1, 2, 3, 4], 4, True),            # whole words cut
    (["the", "quick"], [1, 2], 2, True),                                  # only [CLS] [SEP]
    (["中国人", "hello"], [1, 2], 10, True),                               # CJK: one piece per ideograph
]


def main():
    out = []
    for words, labels, max_len, lower in CASES:
        tok = BertWordPieceTokenizer(VOCAB, lowercase=lower, strip_accents=None, clean_text=True,
                                     handle_chinese_chars=True)
        tok.enable_truncation(max_length=max_len)
        tok.enable_padding(length=max_len, pad_id=tok.token_to_id("[PAD]"))
        enc = tok.encode(words, is_pretokenized=True)
        word_ids = enc.word_ids
        token_labels, prev = [], None
        for w in word_ids:
            if w is None:
                token_labels.append(-100)
            elif w != prev:
                token_labels.append(labels[w])
            else:
                token_labels.append(-100)
            prev = w
        first = [-1] * len(words)
        for t, w in enumerate(word_ids):
            if w is not None and first[w] < 0:
                first[w] = t
        out.append(dict(words=words, labels=labels, max_len=max_len, lower=lower, ids=enc.ids,
                        length=sum(enc.attention_mask), token_labels=token_labels,
                        word_first=first, tokens=enc.tokens))
    with open(OUT, "w", encoding="utf-8") as f:
        json.dump(out, f, indent=1, ensure_ascii=False)
        f.write("\n")
    print(f"wrote {len(out)} cases to {OUT}")


if __name__ == "__main__":
    main()
