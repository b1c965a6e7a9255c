#!/usr/bin/env bash
# run.sh -- the pre-training experiment of the README ("Does ASA pre-training
# help?"): a small BERT pre-trained from scratch on GCIDE's definitions with
# ASA and without at equal steps, then each fine-tuned with ASA and without on
# a task from the same dictionary (the part of speech of a held-out headword
# from its definition), for each seed. Then summarise.py prints the tables.
#
#   examples/pretrain-gcide/run.sh ASACL VOCAB OUT [SEEDS] [STEPS]
#
# ASACL: the asacl binary; VOCAB: BERT's uncased vocab.txt (30522 entries,
# e.g. from bert-base-uncased); OUT: a new folder. Needs Debian's dict-gcide.
set -euo pipefail
asacl=${1:?usage: run.sh ASACL VOCAB OUT [SEEDS] [STEPS]}
vocab=${2:?vocab.txt}
out=${3:?output folder}
seeds=${4:-1 2 3}
steps=${5:-400}
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$out/data"
[ -s "$out/data/train.txt" ] ||
  python3 "$here/gcide_corpus.py" /usr/share/dictd/gcide.dict.dz "$out/data"
for seed in $seeds; do
  for pt in asa plain; do
    run=$out/pt-$pt-$seed
    flag=$([ $pt = plain ] && echo --no-asa || true)
    grep -qs "\"step\": $steps, \"valid_loss\"" "$run/metrics.jsonl" ||
      "$asacl" pretrain --config "$here/config.json" --vocab "$vocab" \
        --text "$out/data/train.txt" --valid "$out/data/valid.txt" --valid-batches 16 \
        --max-seq-len 64 --batch-size 32 --steps "$steps" --lr 5e-4 --eval-every 100 \
        --log-every 50 --seed "$seed" $flag --out "$run"
    for ft in asa plain; do
      fr=$out/ft-$pt-$ft-$seed
      fflag=$([ $ft = plain ] && echo --no-asa || true)
      [ -s "$fr/summary.json" ] ||
        "$asacl" train --model "$run/best" --train "$out/data/pos_train.tsv" \
          --dev "$out/data/pos_dev.tsv" --task tsv --epochs 3 --batch-size 32 --lr 2e-4 --padding longest \
          --max-seq-len 64 --seed "$seed" $fflag --out "$fr"
    done
  done
done
python3 "$here/summarise.py" "$out"
