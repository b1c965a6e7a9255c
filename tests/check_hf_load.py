#!/usr/bin/env python3
"""One-off check (not part of ctest) that Hugging Face transformers loads a model
folder written by asacl (config.json + model.safetensors + vocab.txt, or for
RoBERTa vocab.json + merges.txt):

    build/tests/test_hf_folder /tmp/asacl-cls        # writes the folder from tests/data/hf/cls_f32
    python tests/check_hf_load.py /tmp/asacl-cls
    build/tests/test_roberta_folder /tmp/asacl-roberta   # from tests/data/hf/roberta_cls
    python tests/check_hf_load.py /tmp/asacl-roberta

Asserts that {Bert,Roberta}ForSequenceClassification.from_pretrained (by the
folder's model_type) reports no missing, unexpected or mismatched keys, that
the config matches the original folder's, that every parameter equals the
original's (tests/data/hf/cls_f32, roberta_cls) exactly, and that the
eval-mode logits match the committed reference (cls_f32_logits.json,
roberta_cls_logits.json).
"""
import argparse
import json
import os

import torch
from transformers import (BertConfig, BertForSequenceClassification, RobertaConfig,
                          RobertaForSequenceClassification)

HF = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "hf")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("folder", help="a folder written by asacl")
    ap.add_argument("--original", help="default: tests/data/hf/cls_f32 (roberta_cls for RoBERTa)")
    ap.add_argument("--logits", help="default: the original's committed logits")
    ap.add_argument("--atol", type=float, default=1e-6)
    args = ap.parse_args()
    with open(os.path.join(args.folder, "config.json")) as f:
        roberta = json.load(f).get("model_type") == "roberta"
    name = "roberta_cls" if roberta else "cls_f32"
    args.original = args.original or os.path.join(HF, name)
    args.logits = args.logits or os.path.join(HF, name + "_logits.json")
    Config, Model = (RobertaConfig, RobertaForSequenceClassification) if roberta else \
        (BertConfig, BertForSequenceClassification)

    model, info = Model.from_pretrained(args.folder, output_loading_info=True)
    for kind in ("missing_keys", "unexpected_keys", "mismatched_keys", "error_msgs"):
        assert not info.get(kind), f"{kind}: {info[kind]}"
    model.eval()

    ours, orig = Config.from_pretrained(args.folder), Config.from_pretrained(args.original)
    for key in ("vocab_size", "hidden_size", "num_hidden_layers", "num_attention_heads",
                "intermediate_size", "max_position_embeddings", "type_vocab_size", "pad_token_id",
                "hidden_dropout_prob", "attention_probs_dropout_prob", "layer_norm_eps",
                "initializer_range", "hidden_act", "id2label", "label2id", "num_labels"):
        assert getattr(ours, key) == getattr(orig, key), (key, getattr(ours, key), getattr(orig, key))

    original = Model.from_pretrained(args.original).eval()
    theirs = original.state_dict()
    for name, value in model.state_dict().items():
        assert torch.equal(value, theirs[name]), f"parameter {name} differs"

    with open(args.logits) as f:
        ref = json.load(f)
    with torch.no_grad():
        kw = {} if roberta else {"token_type_ids": torch.tensor(ref["token_type_ids"])}
        logits = model(input_ids=torch.tensor(ref["input_ids"]),
                       attention_mask=torch.tensor(ref["attention_mask"]), **kw).logits
    diff = (logits - torch.tensor(ref["logits"])).abs().max().item()
    assert diff <= args.atol, f"logits differ by {diff}"
    print(f"OK: {args.folder} loads as {Model.__name__} "
          f"({len(theirs)} tensors, labels {ours.id2label}); parameters equal the original; "
          f"max |logit - reference| = {diff:.3g}")


if __name__ == "__main__":
    main()
