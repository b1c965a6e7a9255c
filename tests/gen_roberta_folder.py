#!/usr/bin/env python3
"""Writes the tiny RoBERTa folder tests/data/hf/roberta_cls/ and the logits
transformers computes for it (run once, commit the output); the RoBERTa
counterpart of gen_hf_folders.py.

    python3 -m venv /tmp/venv && /tmp/venv/bin/pip install torch transformers safetensors
    /tmp/venv/bin/python tests/gen_roberta_folder.py

Needs torch and transformers; the C build and tests do not. Outputs (written
by transformers itself):
  roberta_cls/                RobertaForSequenceClassification (3 labels):
                              config.json (model_type roberta), model.safetensors,
                              and the byte-level BPE vocabulary of tests/data/bpe/
                              (vocab.json, merges.txt; 2000 tokens, <pad> = 1)
  roberta_cls_logits.json     the texts, their input_ids and attention_mask as
                              RobertaTokenizer encodes them (padded with <pad> to
                              the longest), and the eval-mode logits, computed in
                              float32 ("logits") and with the same weights in
                              float64 ("logits_f64")
RoBERTa's position ids count from padding_idx + 1 = 2 over the tokens that are
not <pad>, so the padded rows test that rule; token_type_ids are all 0
(type_vocab_size 1).
"""
import json
import os
import shutil

import torch
import transformers
from transformers import RobertaConfig, RobertaForSequenceClassification, RobertaTokenizer

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "data", "hf")
BPE = os.path.join(HERE, "data", "bpe")
NAME = "roberta_cls"

# initializer_range 0.2 (not 0.02) so that logits differ clearly between inputs.
CONFIG = dict(vocab_size=2000, hidden_size=32, num_hidden_layers=2, num_attention_heads=4,
              intermediate_size=37, max_position_embeddings=66, type_vocab_size=1,
              initializer_range=0.2, layer_norm_eps=1e-5, pad_token_id=1, bos_token_id=0,
              eos_token_id=2)
LABELS = {0: "negative", 1: "neutral", 2: "positive"}

# Single texts and one pair; the shorter ones are padded.
TEXTS = [("Hello world!", None),
         ("The movie was great, and the acting even better.", None),
         ("A good film.", "I liked it a lot."),
         ("Ça va? 😀", None)]


def perturbed(model):
    """Biases and LayerNorm parameters get noise too, so none is trivially 0 or 1."""
    with torch.no_grad():
        for name, p in model.named_parameters():
            if name.endswith(".bias") or "LayerNorm" in name:
                p.add_(0.1 * torch.randn_like(p))
    return model.eval()


def main():
    path = os.path.join(OUT, NAME)
    os.makedirs(path, exist_ok=True)
    for f in ("vocab.json", "merges.txt"):
        shutil.copyfile(os.path.join(BPE, f), os.path.join(path, f))
    tok = RobertaTokenizer.from_pretrained(path)  # reads vocab.json + merges.txt
    assert len(tok) == CONFIG["vocab_size"], len(tok)
    # Pairs and singles in one batch: encode each, then pad to the longest.
    rows = [tok(a, b)["input_ids"] for a, b in TEXTS]
    width = max(len(r) for r in rows)
    input_ids = [r + [CONFIG["pad_token_id"]] * (width - len(r)) for r in rows]
    attention = [[1] * len(r) + [0] * (width - len(r)) for r in rows]

    torch.manual_seed(3)
    cfg = RobertaConfig(**CONFIG, id2label=LABELS, label2id={v: k for k, v in LABELS.items()})
    model = perturbed(RobertaForSequenceClassification(cfg))
    model.save_pretrained(path, safe_serialization=True)
    ids, mask = torch.tensor(input_ids), torch.tensor(attention)
    with torch.no_grad():
        logits = model(input_ids=ids, attention_mask=mask).logits
        logits64 = model.double()(input_ids=ids, attention_mask=mask).logits
    ref = {"model": NAME, "mode": "eval", "transformers": transformers.__version__,
           "texts": [[a, b] for a, b in TEXTS], "input_ids": input_ids,
           "attention_mask": attention, "logits": logits.tolist(),
           "logits_f64": logits64.tolist()}
    with open(os.path.join(OUT, NAME + "_logits.json"), "w", encoding="utf-8") as f:
        f.write("{\n" + ",\n".join(f' "{k}": {json.dumps(v, ensure_ascii=False)}'
                                   for k, v in ref.items()) + "\n}\n")
    print("wrote", path, "and", NAME + "_logits.json")


if __name__ == "__main__":
    main()
