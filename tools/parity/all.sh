#!/bin/bash
# Every model-changing consecutive release pair of smithy-rs 2024 and the corpus pair: the figure per pair.
cd /work/data/parity
BIN=${BIN:-/work/wt/parity/target/release/shipgate}
for p in "release-2024-02-15 release-2024-02-22" "release-2024-02-22 release-2024-03-12" "release-2024-04-30 release-2024-05-08" "release-2024-06-03 release-2024-06-10" "release-2024-06-10 release-2024-06-12" "release-2024-06-19 release-2024-07-03"; do
  set -- $p
  python3 compare.py /work/data/smithy-rs-2024.git $1 $2 ref/$1..$2.tsv --bin $BIN --show ${SHOW:-10}
done
[ -f ref/corpus.tsv ] && python3 compare.py /work/data/parity/corpus.git base head ref/corpus.tsv --bin $BIN --show ${SHOW:-10}
