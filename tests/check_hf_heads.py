#!/usr/bin/env python3
"""One-off check (not part of ctest) that Hugging Face transformers loads the
token-classification and multiple-choice folders asacl writes, with the same
logits:

    build/tests/test_heads_folder /tmp/asacl-heads     # writes four folders
    /path/to/venv/bin/python tests/check_hf_heads.py /tmp/asacl-heads

For each of BertForTokenClassification, BertForMultipleChoice,
RobertaForTokenClassification and RobertaForMultipleChoice: from_pretrained
through the Auto class of its task (AutoModelForTokenClassification,
AutoModelForMultipleChoice) must pick that architecture and report no
missing, unexpected or mismatched keys; the token models' id2label must be
asacl's; and the eval-mode logits on asacl's inputs (asacl_logits.json:
[B, T, C] for tokens, [B, n] for choices, inputs [B*n, T]) must equal
asacl's within atol.
"""
import argparse
import json
import os

import torch
from transformers import AutoModelForMultipleChoice, AutoModelForTokenClassification

NAMES = ["BertForTokenClassification", "BertForMultipleChoice",
         "RobertaForTokenClassification", "RobertaForMultipleChoice"]


def check(folder, atol):
    with open(os.path.join(folder, "asacl_logits.json")) as f:
        ref = json.load(f)
    n = ref["choices"]
    auto = AutoModelForMultipleChoice if n else AutoModelForTokenClassification
    model, info = auto.from_pretrained(folder, output_loading_info=True)
    for kind in ("missing_keys", "unexpected_keys", "mismatched_keys", "error_msgs"):
        assert not info.get(kind), f"{folder}: {kind}: {info[kind]}"
    name = os.path.basename(folder.rstrip("/"))
    assert type(model).__name__ == name, (type(model).__name__, name)
    model.eval()
    ids, tt, am = (torch.tensor(ref[k]) for k in ("input_ids", "token_type_ids", "attention_mask"))
    if n:
        ids, tt, am = (x.view(-1, n, x.shape[-1]) for x in (ids, tt, am))
    with torch.no_grad():
        logits = model(input_ids=ids, token_type_ids=tt, attention_mask=am).logits
    want = torch.tensor(ref["logits"]).view(logits.shape)
    diff = (logits - want).abs().max().item()
    assert diff <= atol, f"{folder}: logits differ by {diff}"
    labels = dict(model.config.id2label) if not n else None
    print(f"OK: {name}: no missing/unexpected/mismatched keys, {sum(1 for _ in model.state_dict())} "
          f"tensors, logits {tuple(logits.shape)} max |transformers - asacl| = {diff:.3g}"
          + (f", id2label {labels}" if labels else ""))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("root", help="the folder test_heads_folder wrote")
    ap.add_argument("--atol", type=float, default=1e-5)
    args = ap.parse_args()
    for name in NAMES:
        check(os.path.join(args.root, name), args.atol)


if __name__ == "__main__":
    main()
