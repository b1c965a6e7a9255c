#!/usr/bin/env python3
"""One-off check (not part of ctest) that Hugging Face transformers loads the
masked-LM folder asacl writes (BertForMaskedLM: cls.predictions.*, no decoder
tensor of its own since the decoder is the word-embedding table) with no
missing, unexpected or mismatched keys, ties the decoder to the word
embeddings, and gives the reference dump's MLM logits:

    build/tests/test_pretrain /tmp/asacl-mlm     # the mlm_asa parameters as a folder
    /path/to/venv/bin/python tests/check_hf_mlm.py /tmp/asacl-mlm

The logits of BertForMaskedLM (eval mode, float64) on the dump's masked input
at its chosen positions must equal the dump's clean-pass logits (dropout 0,
so the clean pass is the plain model) within atol.
"""
import argparse
import os

import torch
from safetensors.torch import load_file
from transformers import AutoModelForMaskedLM

HERE = os.path.dirname(os.path.abspath(__file__))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("folder")
    ap.add_argument("--dump", default=os.path.join(HERE, "data", "asa_ref", "mlm_asa.safetensors"))
    ap.add_argument("--atol", type=float, default=1e-4)
    a = ap.parse_args()
    model, info = AutoModelForMaskedLM.from_pretrained(a.folder, output_loading_info=True)
    bad = {k: v for k, v in info.items() if v}
    print(f"{type(model).__name__}: loading info {info}")
    ok = type(model).__name__ == "BertForMaskedLM" and not bad
    tied = model.cls.predictions.decoder.weight.data_ptr() == model.bert.embeddings.word_embeddings.weight.data_ptr()
    print(f"decoder tied to the word embeddings: {tied}")
    ok = ok and tied
    d = load_file(a.dump)
    model = model.double().eval()
    with torch.no_grad():
        out = model(input_ids=d["input.ids"], attention_mask=d["input.attention_mask"],
                    token_type_ids=d["input.segments"]).logits
    T = d["input.ids"].shape[1]
    pos = d["input.positions"]
    z = out.reshape(-1, out.shape[-1])[pos]
    diff = (z - d["out.logits_clean"].double()).abs().max().item()
    print(f"MLM logits at the {len(pos)} chosen positions (T {T}) vs the dump: max diff {diff:.3e}")
    ok = ok and diff <= a.atol
    print("OK" if ok else "FAIL")
    raise SystemExit(0 if ok else 1)


if __name__ == "__main__":
    main()
