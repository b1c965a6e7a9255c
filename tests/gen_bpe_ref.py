#!/usr/bin/env python3
"""Writes tests/data/bpe/bpe_ref.tsv: what transformers' slow RobertaTokenizer
(the Python one with bpe_ranks, transformers 4; transformers 5 keeps only the
fast one) gives for tests/data/bpe/vocab.json + merges.txt, for test_bpe.c to
match exactly.

    python3 -m venv /tmp/venv && /tmp/venv/bin/pip install "transformers<5" tokenizers
    /tmp/venv/bin/python tests/gen_bpe_ref.py            # the reference only
    /tmp/venv/bin/python tests/gen_bpe_ref.py --train    # retrain the vocabulary first

CI never runs this; the outputs are committed. --train trains a byte-level BPE
(tokenizers' ByteLevelBPETokenizer, as RoBERTa's was made) on text found
offline: Vim's documentation under /usr/share/vim (English with some other
scripts), the repository's README.md and the multilingual lines below, and
writes vocab.json (special tokens <s> <pad> </s> <unk> at 0-3 as in
roberta-base, <mask> last as there) and merges.txt. Retraining on another
machine may give another vocabulary, and then another reference.

Texts given as bytes may hold invalid UTF-8: transformers sees
bytes.decode("utf-8", "replace"). Each text runs with add_prefix_space off
(RoBERTa's default) and on. At the end the fast (Rust) tokenizer is run on
the same cases and every difference is reported, for information.
"""
import glob
import json
import os
import random
import sys
import unicodedata

HERE = os.path.dirname(os.path.abspath(__file__))
OUT_DIR = os.path.join(HERE, "data", "bpe")
VOCAB = os.path.join(OUT_DIR, "vocab.json")
MERGES = os.path.join(OUT_DIR, "merges.txt")
OUT = os.path.join(OUT_DIR, "bpe_ref.tsv")

VOCAB_SIZE = 2000
SPECIALS = ["<s>", "<pad>", "</s>", "<unk>"]

# Lines in other scripts, so that the vocabulary has merges for them too.
MULTILINGUAL = """\
Le café est très bon, déjà vu ! Où est la bibliothèque ? Ça va très bien, merci.
Die Straße ist schön. Über den Bergen. Größe, Äpfel und Öl. Das Mädchen läuft schnell.
¿Qué tal? El niño está en la montaña. Mañana será otro día. Él habló con ella.
Ελληνικά: η γλώσσα είναι όμορφη. Καλημέρα σας, τι κάνετε; Ευχαριστώ πολύ.
Привет, мир! Как дела? Москва — столица России. Спасибо, всё хорошо.
中文：你好，世界。我们学习中文。今天天气很好。中国人民。北京是首都。
日本語：こんにちは、世界。ありがとうございます。東京は大きい都市です。がっこう。
한국어: 안녕하세요, 세계. 감사합니다. 서울은 큰 도시입니다.
العربية: مرحبا بالعالم. شكرا جزيلا. مَرْحَبًا
עברית: שלום עולם. תודה רבה. שָׁלוֹם
ไทย: สวัสดีครับ ขอบคุณ ภาษาไทย
हिन्दी: नमस्ते दुनिया। धन्यवाद। भारत एक देश है।
Tiếng Việt: Xin chào thế giới. Cảm ơn rất nhiều.
Polski: Łódź, zażółć gęślą jaźń. Dziękuję bardzo.
Emoji: 😀 😃 😄 👍 👍🏽 ❤️ 🇫🇷 👨‍👩‍👧 🎉 🙂 ✨ 🚀
Numbers: 0 1 2 3 12 123 1234 3.14 1,000,000 ٣٤٥ ½ ² Ⅻ 2024 2025 99%
"""

# The cases. max_len L unless the case is about truncation; LONG for long words.
L = 512
LONG = 8192

CASES = [
    # ASCII
    ("Hello world", None, L),
    ("hello world", None, L),
    (" Hello world", None, L),
    ("The quick brown fox jumps over the lazy dog.", None, L),
    ("HELLO WORLD", None, L),
    ("Hello, world! How are you?", None, L),
    ("It's John's book; they're here, we've gone, I'm sure, you'll see, he'd go.", None, L),
    ("IT'S JOHN'S; THEY'RE WE'VE I'M YOU'LL HE'D", None, L),  # contractions are lower-case only
    ("don't can't won't y'all 'sup 'tis ''s '' ' 's", None, L),
    ("'s", None, L),
    ("'re've'll'd'm't", None, L),
    ("?'s x's 1's  's", None, L),
    ("rock'n'roll o'clock", None, L),
    ("abc123def 42 3.14159 1,000,000 $100 50% #1 @user", None, L),
    ("C++ is not C#; x+=1; a->b; i++;", None, L),
    ("int main(void) { return 0; }", None, L),
    ("https://example.com/path?query=1&x=y#frag", None, L),
    ("email: someone@example.org", None, L),
    ("!!! ??? ... --- *** ((( ))) [[[ ]]] {{{ }}}", None, L),
    ("a.b,c;d:e!f?g", None, L),
    ("vim :set nocompatible | :help options", None, L),
    ("CamelCaseWordsAndMoreCamelCase", None, L),
    ("snake_case_identifier_name", None, L),
    ("1234567890123456789012345678901234567890", None, L),
    ("x", None, L),
    ("!", None, L),
    ("", None, L),
    # Accents and other scripts
    ("café naïve résumé déjà vu", None, L),
    ("Cafe\u0301 De\u0301ja\u0300", None, L),  # decomposed: the marks are not letters
    ("Ångström Øresund Æsir", None, L),
    ("Die Straße ist schön. Größe!", None, L),
    ("¿Qué tal? ¡Hola! mañana", None, L),
    ("Tiếng Việt", None, L),
    ("Łódź zażółć gęślą jaźń", None, L),
    ("Ελληνικά ΟΔΟΣ", None, L),
    ("Привет, мир! Москва", None, L),
    ("مَرْحَبًا مرحبا بالعالم", None, L),
    ("שָׁלוֹם עולם", None, L),
    ("สวัสดีครับ", None, L),
    ("नमस्ते दुनिया", None, L),
    ("中国人你好", None, L),
    ("你好，世界。我们学习中文。", None, L),
    ("hello中国world", None, L),
    ("\U00020000x\U0002a700", None, L),  # CJK extension B and C
    ("こんにちは、世界。がっこう", None, L),
    ("안녕하세요 한국", None, L),
    ("ﬁ Ｈｅｌｌｏ １２３", None, L),  # compatibility forms stay as they are
    ("٣٤٥ ½ ² Ⅻ ①", None, L),  # numbers other than ASCII digits: Nd, No, Nl
    ("x²+y²=z² 10³", None, L),
    ("ǅ ʰ ˈ", None, L),  # titlecase and modifier letters
    ("a\u0301\u0302\u0303 \u0301", None, L),
    ("€100 £5 ¥300 ₹20 ©2024 ®™", None, L),
    # Emoji
    ("😀 😃 👍", None, L),
    ("👍🏽 👨\u200d👩\u200d👧", None, L),  # skin tone, zero-width joiners
    ("❤\ufe0f ❤️ 🇫🇷🇩🇪", None, L),
    ("I love it😀😀😀!", None, L),
    ("🚀🚀🚀🚀🚀🚀🚀🚀🚀🚀🚀🚀🚀🚀🚀🚀", None, L),
    # Whitespace
    ("a  b", None, L),
    ("a   b    c     d", None, L),
    ("   leading", None, L),
    ("trailing   ", None, L),
    ("  both  ", None, L),
    (" ", None, L),
    ("  ", None, L),
    ("a\tb", None, L),
    ("a\t\tb \t c\t ", None, L),
    ("\tTab first", None, L),
    ("line one\nline two", None, L),
    ("para\n\npara\n\n\n", None, L),
    ("\nstarts with a newline", None, L),
    ("windows\r\nline\r\n", None, L),
    (" \n a \n\n b", None, L),
    ("a \nb", None, L),
    ("a\n b", None, L),
    ("nbsp\u00a0here \u00a0 x\u00a0", None, L),
    ("ideographic\u3000space\u3000\u3000x", None, L),
    ("thin\u2009space\u2002en\u200aha", None, L),
    ("line\u2028sep\u2029para\u0085nel", None, L),
    ("\u00a0starts with nbsp", None, L),
    ("\u3000starts with U+3000", None, L),
    ("\x1cfile\x1dgroup\x1erecord\x1funit", None, L),  # str.isspace, but not \s
    ("\x1fstarts with U+001F", None, L),
    ("zw\u200bsp soft\u00adhyphen bom\ufeffx", None, L),  # Cf: not whitespace
    ("ctrl\x01\x02\x7f chars\x0bvt\x0cff", None, L),
    (" \t\n ", None, L),
    # Special tokens in the text
    ("<s>", None, L),
    ("<s>hello</s>", None, L),
    ("hello <mask> world", None, L),
    ("hello  \t <mask>", None, L),
    ("<mask>", None, L),
    (" <mask>", None, L),
    ("<mask> starts", None, L),
    ("a<mask>b", None, L),
    ("<mask><mask> <mask>  <mask>", None, L),
    ("\n<mask>\n", None, L),
    ("x <s> y </s> z", None, L),
    ("<unk> <pad> </s><s>", None, L),
    ("<MASK> <S> < s> <s <<s>> </s", None, L),
    ("<pad>  <pad>", None, L),
    ("word<s>word", None, L),
    # Pairs and truncation
    ("Hello world", "How are you?", L),
    ("", "", L),
    ("", "x", L),
    ("x", "", L),
    ("The quick brown fox jumps over the lazy dog.", None, 6),
    # (max_len 2 for a single text is left out: transformers 4 logs an error and returns the
    # text uncut, which does not fit; test_bpe.c checks the cut to <s> </s> that transformers 5
    # and the fast tokenizer give.)
    ("The quick brown fox jumps over the lazy dog.", None, 3),
    ("The quick brown fox", "jumps over the lazy dog", 8),
    ("The quick brown fox", "jumps over the lazy dog", 9),
    ("The quick brown fox", "jumps over the lazy dog", 4),
    ("The quick brown fox", "jumps over the lazy dog", 5),
    ("one two three four five six seven", "eight", 7),
    ("one", "two three four five six seven eight", 7),
    ("one two three", "four five six", 8),  # a tie
    ("one two three", "four five six", 9),
    ("one two three", "four five six", 10),
    ("<mask> is <mask>", "a <mask>", 6),
    ("café 中国 😀", "naïve 👍🏽", 7),
    ("a b c d e f g h i j k l m n o p", "q r s t u v w x y z", 16),
    ("a b c d e f g h i j k l m n o p", "q r s t u v w x y z", 12),
    # Invalid UTF-8 (bytes): each maximal invalid subpart becomes U+FFFD
    (b"hel\xfflo", None, L),
    (b"hel\x80lo wor\xbfld", None, L),  # lone continuation bytes
    (b"hel\xc0\xaflo \xc1\xbf", None, L),  # overlong
    (b"hel\xe0\x80\xaflo", None, L),  # overlong, 3 bytes
    (b"hel\xe2\x82lo", None, L),  # truncated 3-byte: one U+FFFD
    (b"hel\xe2lo", None, L),
    (b"hel\xed\xa0\x80lo \xed\xbf\xbf", None, L),  # UTF-16 surrogates
    (b"hel\xf4\x90\x80\x80lo", None, L),  # above U+10FFFF
    (b"hel\xf0\x9f\x98lo", None, L),  # truncated 4-byte
    (b"hel\xf8\x88\x80\x80\x80lo \xfc\xfe\xff", None, L),  # 0xF8-0xFF
    (b"\xe4\xb8\xad\xff\xe5\x9b\xbd", None, L),
    (b"\xff", None, L),
    (b"\xffstarts invalid", None, L),
    (b" \xff\xfe ", None, L),
    (b"caf\xc3", b"\xf0\x9f\x98", L),  # truncated at the end
    (b"\xef\xbf\xbd real U+FFFD", None, L),
    # Long words
    ("a" * 1000, None, LONG),
    ("ab" * 700, None, LONG),
    ("the" * 400, None, LONG),
    ("abcdefghijklmnopqrstuvwxyz" * 40, None, LONG),
    ("Supercalifragilisticexpialidocious" * 20, None, LONG),
    ("中" * 600, None, LONG),
    ("😀" * 300, None, LONG),
    ("é" * 800, None, LONG),
    ("1234567890" * 100, None, LONG),
    ("!?" * 500, None, LONG),
    (" " * 1000 + "x", None, LONG),
    ("\n" * 300, None, LONG),
    ("a" * 3000, "b" * 3000, 100),
]

# Random texts from a pool of the characters the pattern tells apart.
POOL = (list("abcdefxyzABCXYZ") * 3 + list("0123456789") + list(" " * 12) + list("'''")
        + list("\t\n\r") + list(".,;:!?-_()[]{}\"/\\<>@#$%&*+=~^`|")
        + ["s", "t", "re", "ve", "m", "ll", "d"] * 3
        + list("éüßñçøåœ") + ["e\u0301", "\u0301"] + list("中国人日本한국")
        + list("αβγδπσςΔΣ") + list("абвгдЖЯ") + list("٣½²Ⅻ") + ["\u00a0", "\u3000", "\u2028", "\x1c", "\x1f", "\u0085", "\u200b", "\ufeff"]
        + ["😀", "👍", "🏽", "\u200d", "❤", "\ufe0f"]
        + ["<s>", "</s>", "<mask>", "<pad>", "<unk>", "<", ">", "<mask"])
INVALID = [b"\xff", b"\x80", b"\xc3", b"\xe2\x82", b"\xf0\x9f\x98", b"\xed\xa0\x80", b"\xc0\xaf"]


def random_cases(n, seed=12345):
    rng = random.Random(seed)
    out = []
    for i in range(n):
        k = rng.randint(1, 40)
        parts = [rng.choice(POOL) for _ in range(k)]
        if i % 5 == 4:  # some with invalid bytes
            data = b"".join(p.encode("utf-8") if rng.random() > 0.15 else rng.choice(INVALID)
                            for p in parts)
            out.append((data, None, L))
        elif i % 7 == 6:  # some pairs, truncated
            split = rng.randint(0, k)
            out.append(("".join(parts[:split]), "".join(parts[split:]), rng.randint(4, 24)))
        else:
            out.append(("".join(parts), None, L))
    return out


def as_text(x):
    return x.decode("utf-8", "replace") if isinstance(x, bytes) else x


def escape(x):
    """As gen_tokenizer_ref.py: escapes \\ \\t \\n \\r; bytes of control, format,
    separator and invalid characters become \\xHH."""
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


def train():
    from tokenizers import ByteLevelBPETokenizer

    files = sorted(glob.glob("/usr/share/vim/vim*/doc/*.txt"))
    files.append(os.path.join(HERE, "..", "README.md"))
    extra = os.path.join("/tmp", "gen_bpe_ref_multilingual.txt")
    with open(extra, "w", encoding="utf-8") as f:
        f.write(MULTILINGUAL * 20)
    files.append(extra)
    tok = ByteLevelBPETokenizer()
    tok.train(files, vocab_size=VOCAB_SIZE - 1, min_frequency=2, special_tokens=SPECIALS,
              show_progress=False)
    os.makedirs(OUT_DIR, exist_ok=True)
    tok.save_model(OUT_DIR)
    with open(VOCAB, encoding="utf-8") as f:
        vocab = json.load(f)
    assert [vocab[s] for s in SPECIALS] == [0, 1, 2, 3], [vocab.get(s) for s in SPECIALS]
    vocab["<mask>"] = len(vocab)
    with open(VOCAB, "w", encoding="utf-8", newline="\n") as f:
        json.dump(vocab, f, ensure_ascii=True)  # \u escapes, as roberta-base's file
        f.write("\n")
    print("trained %d tokens from %d files" % (len(vocab), len(files)))


def encode(tok, a, b, max_len):
    enc = tok(as_text(a), None if b is None else as_text(b), truncation=True, max_length=max_len,
              return_token_type_ids=True)
    return enc["input_ids"], enc["token_type_ids"]


def main():
    if "--train" in sys.argv[1:]:
        train()
    import transformers
    from transformers import RobertaTokenizerFast
    from transformers.models.roberta.tokenization_roberta import RobertaTokenizer

    if not hasattr(RobertaTokenizer, "bpe"):
        sys.exit("needs the slow RobertaTokenizer: pip install 'transformers<5'")
    slow = {p: RobertaTokenizer(VOCAB, MERGES, add_prefix_space=bool(p)) for p in (0, 1)}
    fast = {p: RobertaTokenizerFast(vocab_file=VOCAB, merges_file=MERGES, add_prefix_space=bool(p))
            for p in (0, 1)}
    cases = CASES + random_cases(160)
    rows = []
    for prefix in (0, 1):
        for a, b, max_len in cases:
            ids, seg = encode(slow[prefix], a, b, max_len)
            rows.append((prefix, max_len, a, b, ids, seg))
    with open(OUT, "w", encoding="utf-8", newline="\n") as f:
        f.write(
            "# Expected RoBERTa encodings of vocab.json + merges.txt, written by gen_bpe_ref.py\n"
            "# with transformers %s (RobertaTokenizer, the slow Python tokenizer), Python %s.\n"
            "# One case per line, tab-separated:\n"
            "#   add_prefix_space  max_len  text_a  text_b  ids  segments\n"
            "# Texts are UTF-8 with escapes \\\\ \\t \\n \\r and \\xHH (one byte: of a control,\n"
            "# format or separator character, or invalid UTF-8); text_b \\N means none.\n"
            "# ids and segments are space-separated.\n"
            % (transformers.__version__, sys.version.split()[0])
        )
        for prefix, max_len, a, b, ids, seg in rows:
            f.write("\t".join([str(prefix), str(max_len), escape(a),
                               "\\N" if b is None else escape(b),
                               " ".join(map(str, ids)), " ".join(map(str, seg))]) + "\n")
    print("wrote %d cases to %s" % (len(rows), OUT))

    # For information. The fast tokenizer is known to differ in four ways: it takes an empty
    # text_b as no pair, its longest_first cuts a on a tie, its prefix space goes before every
    # piece between special tokens and only when the piece does not start with " " (the slow
    # one: once, when the text does not start with str.isspace), and it cuts a single text that
    # cannot fit at all. The token ids of each text alone, without prefix space, should agree.
    differ = 0
    for prefix, max_len, a, b, ids, seg in rows:
        got = encode(fast[prefix], a, b, max_len)
        if got != (ids, seg):
            differ += 1
            print("fast tokenizer differs (add_prefix_space=%d) on %r / %r:\n  fast %s\n  slow %s"
                  % (prefix, a, b, got[0], ids), file=sys.stderr)
    print("the fast tokenizer differs on %d of %d cases (see the comment)" % (differ, len(rows)))
    texts = [t for a, b, _ in cases for t in (a, b) if t is not None]
    core = sum(fast[0](as_text(t), add_special_tokens=False)["input_ids"]
               != slow[0](as_text(t), add_special_tokens=False)["input_ids"] for t in texts)
    print("token ids of single texts without prefix space: the fast tokenizer differs on %d of %d"
          % (core, len(texts)))


if __name__ == "__main__":
    main()
