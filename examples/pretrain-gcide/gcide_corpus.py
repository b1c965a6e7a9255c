#!/usr/bin/env python3
"""gcide_corpus.py -- plain text and a small classification task from the
GNU Collaborative International Dictionary of English (Debian: dict-gcide).

    python3 gcide_corpus.py [/usr/share/dictd/gcide.dict.dz] OUTDIR

Writes, from the dictionary's entries (standard library only):
  OUTDIR/train.txt  pre-training text: one definition (sense) per line, a
                    blank line between entries (asacl pretrain's documents);
                    9 of every 10 entries
  OUTDIR/valid.txt  the same for the other entries (held-out MLM text)
  OUTDIR/pos_train.tsv, OUTDIR/pos_dev.tsv
                    "sentence<TAB>label" (asacl train --task tsv): the first
                    definition of a held-out entry whose headword is a noun
                    (0), a verb (1) or an adjective (2), classes balanced;
                    the headword itself never appears in the sentence.
The held-out entries (every 10th) feed only valid.txt and the task, so the
task's sentences are never in the pre-training text.
"""
import gzip, random, re, sys

src = sys.argv[1] if len(sys.argv) > 2 else "/usr/share/dictd/gcide.dict.dz"
out = sys.argv[-1]
if len(sys.argv) < 2:
    sys.exit(__doc__)

HEAD = re.compile(r"^(\S[^\\]*?) \\[^\\]*\\,? ?(.*)$")  # Headword \pron\, pos. [etym]
POS = {"n.": 0, "v. t.": 1, "v. i.": 1, "v.": 1, "a.": 2}
SOURCE = re.compile(r"\[(1913 Webster|WordNet[^\]]*|PJC|RN|Century Dict\.|Webster 1913 Suppl\.)[^\]]*\]")

def clean(s):
    s = SOURCE.sub("", s)
    s = re.sub(r"[{}]", "", s)              # cross-reference braces
    s = re.sub(r"--\s*[A-Z][\w.]*\.?$", "", s.strip())  # trailing authority (--Bailey.)
    s = re.sub(r"^\d+[.:]?\s+", "", s)      # sense numbers
    s = re.sub(r"^\([A-Z][\w. ]*\)\s*", "", s)  # (Zool.) field labels
    s = re.sub(r"\s+", " ", s).strip()
    return s

def entries(text):
    """(headword, part of speech, [senses]) per entry."""
    head = pos = None
    senses, cur, depth = [], [], 0
    for line in text.split("\n"):
        m = HEAD.match(line) if line and not line[0].isspace() else None
        if m:
            if head is not None:
                if cur: senses.append(" ".join(cur))
                yield head, pos, senses
            head, rest = m.group(1), m.group(2)
            pos = next((k for k in sorted(POS, key=len, reverse=True) if rest.startswith(k)), None)
            senses, cur = [], []
            depth = rest.count("[") - rest.count("]")  # an etymology running on
        elif head is not None:
            s = line.strip()
            while depth > 0 and s:  # skip the rest of the header's brackets
                c, s = s[0], s[1:]
                depth += (c == "[") - (c == "]")
            s = s.strip()
            if depth > 0:
                continue
            if not s:
                if cur: senses.append(" ".join(cur))
                cur = []
            elif re.match(r"^\d+\.\s", s) and cur:
                senses.append(" ".join(cur))
                cur = [s]
            else:
                cur.append(s)
    if head is not None:
        if cur: senses.append(" ".join(cur))
        yield head, pos, senses

text = gzip.open(src, "rt", encoding="utf-8", errors="replace").read()
start = text.find("Begin file 1 of 26")
text = text[start:] if start >= 0 else text
train = open(f"{out}/train.txt", "w", encoding="utf-8")
valid = open(f"{out}/valid.txt", "w", encoding="utf-8")
task = {0: [], 1: [], 2: []}
n = 0
for head, pos, senses in entries(text):
    lines = [clean(s) for s in senses]
    words = head.lower().split()
    lines = [l for l in lines if len(l.split()) >= 4 and not l.startswith("Syn")]
    if not lines:
        continue
    n += 1
    held = n % 10 == 0
    f = valid if held else train
    f.write("\n".join(lines) + "\n\n")
    if held and pos is not None:
        first = lines[0]
        if not any(re.search(r"\b" + re.escape(w) + r"\b", first.lower()) for w in words):
            task[POS[pos]].append(first)
train.close()
valid.close()
rng = random.Random(1913)
per = min(len(v) for v in task.values())
rows = []
for label, sents in task.items():
    rng.shuffle(sents)
    rows += [(s, label) for s in sents[:per]]
rng.shuffle(rows)
cut = len(rows) * 4 // 5
for name, part in (("pos_train.tsv", rows[:cut]), ("pos_dev.tsv", rows[cut:])):
    with open(f"{out}/{name}", "w", encoding="utf-8") as f:
        f.write("sentence\tlabel\n")
        for s, label in part:
            f.write(s.replace("\t", " ") + f"\t{label}\n")
print(f"{n} entries; task: {per} per class, {cut} train / {len(rows) - cut} dev")
