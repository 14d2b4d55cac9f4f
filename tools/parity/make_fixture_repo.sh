#!/bin/bash
# A two-commit repository from shipgate's fixture pairs: base = every fixtures/smithy/*/old.json and
# fixtures/conformance/smithy-diff/*/a.json as m/<case>.json, head = new.json / b.json.
set -euo pipefail
SRC=${1:-/work/wt/parity}
cd /work/data/parity; rm -rf fx.git fx-work; git init -q fx-work; cd fx-work; mkdir m
export GIT_AUTHOR_NAME=p GIT_AUTHOR_EMAIL=p@x GIT_COMMITTER_NAME=p GIT_COMMITTER_EMAIL=p@x GIT_AUTHOR_DATE=2025-01-01T00:00:00Z GIT_COMMITTER_DATE=2025-01-01T00:00:00Z
for d in $SRC/fixtures/smithy/*/; do n=$(basename $d); [ -f $d/old.json ] && cp $d/old.json m/fx-$n.json; done
for d in $SRC/fixtures/conformance/smithy-diff/*/; do n=$(basename $d); cp $d/a.json m/cf-$n.json; done
git add -A; git commit -qm base; git tag base
rm m/*
for d in $SRC/fixtures/smithy/*/; do n=$(basename $d); [ -f $d/new.json ] && cp $d/new.json m/fx-$n.json; done
for d in $SRC/fixtures/conformance/smithy-diff/*/; do n=$(basename $d); cp $d/b.json m/cf-$n.json; done
git add -A; git commit -qm head; git tag head
cd ..; git clone -q --bare fx-work fx.git; rm -rf fx-work
