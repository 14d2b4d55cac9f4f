#!/bin/bash
# Reference smithy-diff events for every model-changing consecutive release pair of smithy-rs 2024
# (per file, as gitpair.sh does), and the corpus pair. Output: ref/<base>..<head>.tsv
export SMITHY_DIFF_HOME=/work/data/smithy-diff
R=/work/shared/reference/smithy-diff
cd /work/data/parity
for p in "release-2024-02-15 release-2024-02-22" "release-2024-02-22 release-2024-03-12" "release-2024-04-30 release-2024-05-08" "release-2024-06-03 release-2024-06-10" "release-2024-06-10 release-2024-06-12" "release-2024-06-19 release-2024-07-03"; do
  set -- $p
  out=ref/$1..$2.tsv
  [ -s $out ] && continue
  $R/gitpair.sh /work/data/smithy-rs-2024.git $1 $2 aws/sdk/aws-models > $out.tmp 2> ref/$1..$2.err && mv $out.tmp $out
done
