#!/usr/bin/env python3
"""Expected multiple-choice examples for tests/test_choice.c.

Reads the small files of tests/data/tasks/ with Python's csv and json modules
and applies the processing of gingasan/adversarialSA's run_multi_cho.py
(SwagProcessor, DreamProcessor, HellaswagProcessor and
convert_examples_to_features: text_a = context; text_b = question with "_"
replaced by the ending for a cloze question, else question + " " + ending),
re-implemented here; writes tests/data/tasks/choice_expected.json.

    python3 tests/gen_choice_ref.py
"""
import csv
import json
import os

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "tasks")


def second(question, ending):
    if question is None:            # our own JSONL without a question
        return ending
    if question.find("_") != -1:    # cloze
        return question.replace("_", ending)
    return question + " " + ending


def swag(path):
    with open(path, encoding="utf-8") as f:
        lines = list(csv.reader(f))
    head = lines[0]
    col = {n: head.index(n) for n in head}
    out = []
    for line in lines[1:]:
        if not line:
            continue
        ex = dict(context=line[col["sent1"]],
                  second=[second(line[col["sent2"]], line[col[f"ending{k}"]]) for k in range(4)],
                  label=int(line[col["label"]]) if "label" in col else -1)
        if head[0] == "":           # the official layout: the reference's positions agree
            assert (line[4], line[5], line[7:11]) == (line[col["sent1"]], line[col["sent2"]],
                                                       [line[col[f"ending{k}"]] for k in range(4)])
            assert ex["label"] == int(line[11])
        out.append(ex)
    return out


def dream(path, all_questions):
    with open(path, encoding="utf-8") as f:
        data = list(json.load(f))
    out = []
    for line in data:
        qs = line[1] if all_questions else line[1][:1]     # the reference: line[1][0]
        for q in qs:
            out.append(dict(context=" ".join(line[0]),
                            second=[second(q["question"], c) for c in q["choice"]],
                            label=q["choice"].index(q["answer"])))
    return out


def hellaswag(path):
    out = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            if not line.strip():
                continue
            o = json.loads(line)
            out.append(dict(context=o["ctx"], second=[second("_", e) for e in o["endings"]],
                            label=int(str(o["label"]))))
    return out


def own(path):
    out = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            if not line.strip():
                continue
            o = json.loads(line)
            out.append(dict(context=o["context"],
                            second=[second(o.get("question"), c) for c in o["choices"]],
                            label=o.get("label", -1)))
    return out


def main():
    cases = [
        dict(file="swag_train.csv", format="swag", flags=0, examples=swag(os.path.join(HERE, "swag_train.csv"))),
        dict(file="swag_test.csv", format="swag", flags=0, examples=swag(os.path.join(HERE, "swag_test.csv"))),
        dict(file="swag_crlf.csv", format="swag", flags=0, examples=swag(os.path.join(HERE, "swag_crlf.csv"))),
        dict(file="dream_train.json", format="dream", flags=0,
             examples=dream(os.path.join(HERE, "dream_train.json"), False)),
        dict(file="dream_train.json", format="dream", flags=1,
             examples=dream(os.path.join(HERE, "dream_train.json"), True)),
        dict(file="hellaswag_val.jsonl", format="hellaswag", flags=0,
             examples=hellaswag(os.path.join(HERE, "hellaswag_val.jsonl"))),
        dict(file="own.jsonl", format="jsonl", flags=0, examples=own(os.path.join(HERE, "own.jsonl"))),
        dict(file="own_unlabelled.jsonl", format="jsonl", flags=0,
             examples=own(os.path.join(HERE, "own_unlabelled.jsonl"))),
    ]
    with open(os.path.join(HERE, "choice_expected.json"), "w", encoding="utf-8") as f:
        json.dump(cases, f, indent=1, ensure_ascii=False)
        f.write("\n")
    print(f"wrote {sum(len(c['examples']) for c in cases)} examples in {len(cases)} cases")


if __name__ == "__main__":
    main()
