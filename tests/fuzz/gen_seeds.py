#!/usr/bin/env python3
"""Writes the seed inputs of tests/fuzz/corpus/<target>/ (standard library only;
run once, outputs committed). Seeds are the committed test files of tests/data
and devices/, plus small hand-made files where those are large (safetensors,
trainer states). Campaign findings are added to the corpora by `-merge=1`."""
import json, os, shutil, struct, sys

here = os.path.dirname(os.path.abspath(__file__))
root = os.path.dirname(os.path.dirname(here))
data = os.path.join(root, "tests", "data")


def out(target, name, blob):
    d = os.path.join(here, "corpus", target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(blob)


def st_file(tensors, meta=None):
    """tensors: list of (name, dtype, shape, raw bytes)."""
    header, off, body = {}, 0, b""
    if meta is not None:
        header["__metadata__"] = meta
    for name, dtype, shape, raw in tensors:
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [off, off + len(raw)]}
        off += len(raw)
        body += raw
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * (-len(h) % 8)
    return struct.pack("<Q", len(h)) + h + body


def f32(vals):
    return struct.pack("<%df" % len(vals), *vals)


# config.json: every committed Hugging Face folder's.
for folder in sorted(os.listdir(os.path.join(data, "hf"))):
    p = os.path.join(data, "hf", folder, "config.json")
    if os.path.exists(p):
        out("config_json", folder + ".json", open(p, "rb").read())

# device profiles: the shipped ones.
for name in sorted(os.listdir(os.path.join(root, "devices"))):
    if name.endswith(".json"):
        out("profile", name, open(os.path.join(root, "devices", name), "rb").read())

# safetensors: the dtype reference file and small hand-made ones.
out("safetensors", "dtype_ref.safetensors", open(os.path.join(data, "hf", "dtype_ref.safetensors"), "rb").read())
out("safetensors", "f32_2x3.safetensors", st_file([("w", "F32", [2, 3], f32([1, 2, 3, 4, 5, 6]))], {"format": "pt"}))
out("safetensors", "mixed.safetensors", st_file([
    ("a", "F16", [2], struct.pack("<2H", 0x3C00, 0x7C00)),
    ("b", "BF16", [1, 2], struct.pack("<2H", 0x3F80, 0xFF80)),
    ("c", "F64", [], struct.pack("<d", 0.5)),
    ("d", "I64", [1], struct.pack("<q", -3)),
    ("e", "BOOL", [3], b"\x00\x01\x01"),
    ("f", "U8", [0], b""),
]))

# vocabularies.
out("vocab", "vocab_small.txt", open(os.path.join(data, "vocab_small.txt"), "rb").read())
out("vocab", "hf_bare.txt", open(os.path.join(data, "hf", "bare", "vocab.txt"), "rb").read())
out("vocab", "crlf_bom.txt", b"\xef\xbb\xbf[PAD]\r\n[UNK]\r\n[CLS]\r\n[SEP]\r\nun\r\n##aff\r\n##able\r\n")

# WordPiece texts: byte 0 = lower | pair << 1 | (max_seq_len - 3) << 2.
texts = []
for line in open(os.path.join(data, "tokenizer_ref.tsv"), "rb").read().split(b"\n")[1:]:
    if line:
        texts.append(line.split(b"\t")[0])
for i, t in enumerate(texts[:40]):
    flags = (i & 1) | ((i >> 1 & 1) << 1) | ((13 + i) << 2)
    out("wordpiece", "ref_%02d" % i, bytes([flags & 0xFF]) + t)
out("wordpiece", "pair", bytes([1 | 2 | (29 << 2)]) + b"Hello, World! [SEP] un\taffable caf\xc3\xa9 \xe4\xb8\xad")

# GLUE TSV: byte 0 picks the task (fuzz_glue.c's table), the rest is the file.
tasks = ["sst2", "cola", "mrpc", "qnli", "rte", "mnli", "qqp", "stsb", "tsv"]
for name in sorted(os.listdir(os.path.join(data, "glue"))):
    task = name.split("_")[0]
    if task in ("own", "bad", "sst2"):
        task = "tsv" if task in ("own", "bad") else "sst2"
    out("glue", name, bytes([tasks.index(task)]) + open(os.path.join(data, "glue", name), "rb").read())

# trainer states for fuzz_trainer_state.c's tiny layout (hidden 4, 1 layer,
# adversaries): the metadata asacl writes, the adversary tensors, the moments.
meta = {"format": "asacl-trainer-state", "version": "1", "step": "4", "seed": "42", "epoch": "1",
        "index": "0", "layout_total": "0", "asa": "1", "additive_masks": "0", "tau": "0.5",
        "lr": "0.00100000005", "weight_decay": "0.00999999978", "warmup_ratio": "0.0599999987",
        "max_grad_norm": "0", "total_steps": "4", "max_batch": "16", "max_seq_len": "40",
        "run": '{"task":"sst2","epochs":1,"best":0.5}'}
adv = [("bert.encoder.adversary.0.query.weight", "F32", [4, 4], f32([0.25] * 16)),
       ("bert.encoder.adversary.0.key.weight", "F32", [4, 4], f32([-0.5] * 16)),
       ("bert.encoder.adversary.0.query.bias", "F32", [4], f32([0, 1, 2, 3])),
       ("bert.encoder.adversary.0.key.bias", "F32", [4], f32([3, 2, 1, 0]))]
out("trainer_state", "meta_only.safetensors", st_file(adv[:1], meta))
out("trainer_state", "adversaries.safetensors", st_file(adv + [
    ("optimizer.exp_avg", "F32", [8], f32([0.1] * 8)),
    ("optimizer.exp_avg_sq", "F32", [8], f32([0.01] * 8))], meta))

# text corpora (fuzz_text_corpus.c): byte 0 = sequence length and buffer,
# byte 1 = held-out fraction and seed, then the file of tests/data/text.
for name in sorted(os.listdir(os.path.join(data, "text"))):
    blob = open(os.path.join(data, "text", name), "rb").read()
    for i, head in enumerate((b"\x00\x00", b"\x35\x13", b"\xf9\x2c")):
        out("text_corpus", f"{name}.{i}", head + blob)
