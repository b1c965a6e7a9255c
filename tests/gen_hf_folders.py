#!/usr/bin/env python3
"""Writes the small Hugging Face test folders under tests/data/hf/ (run once, commit the output).

    /work/venv/bin/python tests/gen_hf_folders.py

Needs torch, transformers and safetensors; the C build and tests do not.
Outputs (all written by transformers / safetensors themselves):
  cls_f32/, cls_f16/, cls_bf16/  BertForSequenceClassification (3 labels), the same
                                 weights saved as float32, float16 and bfloat16
  bare/                          BertModel (tensor names without "bert.")
  mlm/                           BertForMaskedLM (extra cls.* tensors, no pooler)
  cls_f32_logits.json            eval-mode logits of cls_f32 for two padded inputs
  dtype_ref.safetensors          every dtype the reader accepts, with torch's own
                                 float32 conversions of the F16/BF16/F64 tensors
                                 (special values, and two tensors of cls_f16/cls_bf16)
Each folder also gets the same tiny vocab.txt (99 tokens).
"""
import copy
import json
import os

import numpy as np
import torch
from safetensors.torch import save_file
from transformers import BertConfig, BertForMaskedLM, BertForSequenceClassification, BertModel

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "hf")

# initializer_range 0.2 (not 0.02) so that logits differ clearly between inputs.
CONFIG = dict(vocab_size=99, hidden_size=32, num_hidden_layers=2, num_attention_heads=4,
              intermediate_size=37, max_position_embeddings=64, type_vocab_size=2,
              initializer_range=0.2)
LABELS = {0: "negative", 1: "neutral", 2: "positive"}

WORDS = ("the an and or but if of to in on at by for with from is are was were be "
         "good bad movie film great plot acting story this that not very").split()
VOCAB = (["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
         + [chr(c) for c in range(ord("a"), ord("z") + 1)]
         + [str(d) for d in range(10)]
         + ["##" + chr(c) for c in range(ord("a"), ord("z") + 1)]
         + WORDS)
assert len(VOCAB) == 99 and len(set(VOCAB)) == 99, len(VOCAB)

# Two inputs of length 8; the first is padded (ids 0, attention_mask 0).
INPUT_IDS = [[2, 67, 71, 93, 3, 0, 0, 0], [2, 68, 80, 72, 3, 90, 95, 3]]
TOKEN_TYPES = [[0, 0, 0, 0, 0, 0, 0, 0], [0, 0, 0, 0, 0, 1, 1, 1]]
ATTENTION = [[1, 1, 1, 1, 1, 0, 0, 0], [1, 1, 1, 1, 1, 1, 1, 1]]


def save(model, name):
    path = os.path.join(OUT, name)
    model.save_pretrained(path, safe_serialization=True)
    with open(os.path.join(path, "vocab.txt"), "w") as f:
        f.write("\n".join(VOCAB) + "\n")
    return path


def perturbed(model):
    """Biases and LayerNorm parameters get noise too, so none is trivially 0 or 1."""
    with torch.no_grad():
        for name, p in model.named_parameters():
            if name.endswith(".bias") or "LayerNorm" in name:
                p.add_(0.1 * torch.randn_like(p))
    return model.eval()


def bits(values, dtype):
    """A tensor of the given dtype holding exactly these 16-bit patterns."""
    return torch.from_numpy(np.array(values, dtype=np.uint16).view(np.int16)).view(dtype)


def main():
    os.makedirs(OUT, exist_ok=True)

    torch.manual_seed(0)
    cfg = BertConfig(**CONFIG, id2label=LABELS, label2id={v: k for k, v in LABELS.items()})
    cls = perturbed(BertForSequenceClassification(cfg))
    save(cls, "cls_f32")
    with torch.no_grad():
        logits = cls(input_ids=torch.tensor(INPUT_IDS), token_type_ids=torch.tensor(TOKEN_TYPES),
                     attention_mask=torch.tensor(ATTENTION)).logits
    ref = {"model": "cls_f32", "mode": "eval", "input_ids": INPUT_IDS,
           "token_type_ids": TOKEN_TYPES, "attention_mask": ATTENTION, "logits": logits.tolist()}
    with open(os.path.join(OUT, "cls_f32_logits.json"), "w") as f:
        f.write("{\n" + ",\n".join(f' "{k}": {json.dumps(v)}' for k, v in ref.items()) + "\n}\n")

    save(copy.deepcopy(cls).half(), "cls_f16")
    save(copy.deepcopy(cls).to(torch.bfloat16), "cls_bf16")

    torch.manual_seed(1)
    save(perturbed(BertModel(BertConfig(**CONFIG))), "bare")
    torch.manual_seed(2)
    save(perturbed(BertForMaskedLM(BertConfig(**CONFIG))), "mlm")

    f16_special = bits([0x0000, 0x8000, 0x0001, 0x03FF, 0x0400, 0x3C00, 0xC000, 0x3555,
                        0x7BFF, 0x7C00, 0xFC00, 0x7E00, 0x7C01, 0xFE3F], torch.float16)
    bf16_special = bits([0x0000, 0x8000, 0x0001, 0x807F, 0x0080, 0x3F80, 0xC000, 0x3EAB,
                         0x7F7F, 0x7F80, 0xFF80, 0x7FC0, 0xFFC1], torch.bfloat16)
    f64 = torch.tensor([1 / 3, -2.5, 1e-50, -1e300, 3.4028235677973366e38, 1e-40],
                       dtype=torch.float64)
    ref = {"f16.special": f16_special, "f16.special.as_f32": f16_special.float(),
           "bf16.special": bf16_special, "bf16.special.as_f32": bf16_special.float(),
           "f64.values": f64, "f64.values.as_f32": f64.float(),
           "i64": torch.tensor([-(2**62), -1, 0, 7], dtype=torch.int64),
           "i32": torch.tensor([[-(2**31), 1], [2, 2**31 - 1]], dtype=torch.int32),
           "i16": torch.tensor([-32768, 32767], dtype=torch.int16),
           "i8": torch.tensor([-128, 5, 127], dtype=torch.int8),
           "u8": torch.tensor([0, 200, 255], dtype=torch.uint8),
           "bool": torch.tensor([True, False, True]),
           "scalar": torch.tensor(1.5, dtype=torch.float32),
           "empty": torch.zeros((0, 3), dtype=torch.float32)}
    for name in ("classifier.weight", "bert.encoder.layer.0.attention.self.query.weight"):
        w = cls.state_dict()[name]
        ref["cls_f16." + name + ".as_f32"] = w.half().float()
        ref["cls_bf16." + name + ".as_f32"] = w.to(torch.bfloat16).float()
    save_file(ref, os.path.join(OUT, "dtype_ref.safetensors"),
              metadata={"format": "pt", "generator": "tests/gen_hf_folders.py"})


if __name__ == "__main__":
    main()
