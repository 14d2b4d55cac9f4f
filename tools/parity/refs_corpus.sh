#!/bin/bash
export SMITHY_DIFF_HOME=/work/data/smithy-diff
cd /work/data/parity
while pgrep -f refs.sh >/dev/null; do sleep 5; done
/work/shared/reference/smithy-diff/gitpair.sh /work/data/parity/corpus.git base head > ref/corpus.tsv.tmp 2> ref/corpus.err && mv ref/corpus.tsv.tmp ref/corpus.tsv
