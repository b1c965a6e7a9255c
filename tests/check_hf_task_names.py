#!/usr/bin/env python3
"""One-off check (not part of ctest): the names and shapes of
tests/hf_task_names.txt are exactly the state dict of Hugging Face's
BertForTokenClassification and BertForMultipleChoice (persistent tensors, as
save_pretrained writes them), for two small configurations, and a folder
holding exactly those tensors loads with no missing or unexpected keys.

    python3 -m venv /tmp/venv && /tmp/venv/bin/pip install torch transformers safetensors
    /tmp/venv/bin/python tests/check_hf_task_names.py
"""
import os
import sys
import tempfile

import torch
import transformers
from safetensors.torch import save_file
from transformers import BertConfig, BertForMultipleChoice, BertForTokenClassification

HERE = os.path.dirname(os.path.abspath(__file__))


def read_lists(path):
    lists, cur = {}, None
    with open(path, encoding="utf-8") as f:
        for raw in f:
            line = raw.split("#", 1)[0].strip()
            if not line:
                continue
            if line.startswith("["):
                cur = line.strip("[]")
                lists[cur] = []
                continue
            name, shape = line.split()
            lists[cur].append((name, shape.split(",")))
    return lists


def expand(entries, cfg):
    dims = dict(V=cfg.vocab_size, P=cfg.max_position_embeddings, TV=cfg.type_vocab_size,
                D=cfg.hidden_size, F=cfg.intermediate_size, C=cfg.num_labels)
    out = {}
    for name, shape in entries:
        sh = tuple(int(s) if s.isdigit() else dims[s] for s in shape)
        layers = range(cfg.num_hidden_layers) if "{N}" in name else [None]
        for n in layers:
            out[name.replace("{N}", str(n)) if n is not None else name] = sh
    return out


def main():
    lists = read_lists(os.path.join(HERE, "hf_task_names.txt"))
    classes = dict(BertForTokenClassification=BertForTokenClassification,
                   BertForMultipleChoice=BertForMultipleChoice)
    assert set(lists) == set(classes), sorted(lists)
    bad = 0
    for cfg in (BertConfig(vocab_size=30, hidden_size=16, num_hidden_layers=2, num_attention_heads=2,
                           intermediate_size=24, max_position_embeddings=20, num_labels=5),
                BertConfig(vocab_size=50, hidden_size=8, num_hidden_layers=3, num_attention_heads=1,
                           intermediate_size=12, max_position_embeddings=10, type_vocab_size=3,
                           num_labels=2)):
        for cname, cls in classes.items():
            model = cls(cfg)
            sd = model.state_dict()
            got = {k: tuple(v.shape) for k, v in sd.items()}
            want = expand(lists[cname], cfg)
            missing = sorted(set(want) - set(got))
            extra = sorted(set(got) - set(want))
            shapes = sorted(k for k in set(want) & set(got) if want[k] != got[k])
            ok = not missing and not extra and not shapes
            bad += not ok
            print(f"{cname} L={cfg.num_hidden_layers} D={cfg.hidden_size} C={cfg.num_labels}: "
                  f"{len(want)} names; missing {missing} extra {extra} shape mismatches {shapes} "
                  f"-> {'OK' if ok else 'FAIL'}")
            # a folder with exactly the listed tensors loads cleanly
            with tempfile.TemporaryDirectory() as d:
                cfg.save_pretrained(d)
                save_file({k: torch.randn(s) for k, s in want.items()}, os.path.join(d, "model.safetensors"),
                          metadata={"format": "pt"})
                _, info = cls.from_pretrained(d, output_loading_info=True)
                clean = not any(info.get(k) for k in ("missing_keys", "unexpected_keys", "mismatched_keys"))
                bad += not clean
                print(f"  from_pretrained of a folder with the listed tensors: "
                      f"{ {k: v for k, v in info.items() if v} or 'no missing/unexpected keys'} "
                      f"-> {'OK' if clean else 'FAIL'}")
    print(f"transformers {transformers.__version__}, torch {torch.__version__}: "
          f"{'all OK' if not bad else f'{bad} FAILED'}")
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
