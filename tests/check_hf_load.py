#!/usr/bin/env python3
"""One-off check (not part of ctest) that Hugging Face transformers loads a model
folder written by asacl (config.json + model.safetensors + vocab.txt):

    build/tests/test_hf_folder /tmp/asacl-cls        # writes the folder from tests/data/hf/cls_f32
    /work/venv/bin/python tests/check_hf_load.py /tmp/asacl-cls

Asserts that BertForSequenceClassification.from_pretrained reports no missing,
unexpected or mismatched keys, that the config matches the folder's own, that
every parameter equals the original (tests/data/hf/cls_f32) exactly, and that
the eval-mode logits match tests/data/hf/cls_f32_logits.json.
"""
import argparse
import json
import os

import torch
from transformers import BertConfig, BertForSequenceClassification

HF = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "hf")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("folder", help="a folder written by asacl")
    ap.add_argument("--original", default=os.path.join(HF, "cls_f32"))
    ap.add_argument("--logits", default=os.path.join(HF, "cls_f32_logits.json"))
    ap.add_argument("--atol", type=float, default=1e-6)
    args = ap.parse_args()

    model, info = BertForSequenceClassification.from_pretrained(args.folder, output_loading_info=True)
    for kind in ("missing_keys", "unexpected_keys", "mismatched_keys", "error_msgs"):
        assert not info.get(kind), f"{kind}: {info[kind]}"
    model.eval()

    ours, orig = BertConfig.from_pretrained(args.folder), BertConfig.from_pretrained(args.original)
    for key in ("vocab_size", "hidden_size", "num_hidden_layers", "num_attention_heads",
                "intermediate_size", "max_position_embeddings", "type_vocab_size", "pad_token_id",
                "hidden_dropout_prob", "attention_probs_dropout_prob", "layer_norm_eps",
                "initializer_range", "hidden_act", "id2label", "label2id", "num_labels"):
        assert getattr(ours, key) == getattr(orig, key), (key, getattr(ours, key), getattr(orig, key))

    original = BertForSequenceClassification.from_pretrained(args.original).eval()
    theirs = original.state_dict()
    for name, value in model.state_dict().items():
        assert torch.equal(value, theirs[name]), f"parameter {name} differs"

    with open(args.logits) as f:
        ref = json.load(f)
    with torch.no_grad():
        logits = model(input_ids=torch.tensor(ref["input_ids"]),
                       token_type_ids=torch.tensor(ref["token_type_ids"]),
                       attention_mask=torch.tensor(ref["attention_mask"])).logits
    diff = (logits - torch.tensor(ref["logits"])).abs().max().item()
    assert diff <= args.atol, f"logits differ by {diff}"
    print(f"OK: {args.folder} loads as BertForSequenceClassification "
          f"({len(theirs)} tensors, labels {ours.id2label}); parameters equal the original; "
          f"max |logit - reference| = {diff:.3g}")


if __name__ == "__main__":
    main()
