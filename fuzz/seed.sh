#!/bin/sh
# Seeds fuzz/corpus/<target>/ from the repository's fixtures (run from fuzz/). The corpora are
# not committed (.gitignore); libFuzzer adds what it finds to them.
set -eu
cd "$(dirname "$0")"
seed() { # seed TARGET FILE...: copies each file under a name derived from its path
    mkdir -p "corpus/$1"
    t=$1
    shift
    for f in "$@"; do cp "$f" "corpus/$t/$(printf %s "$f" | cksum | cut -d' ' -f1)"; done
}
seed smithy_parse $(find ../fixtures -name '*.json' -size -100k -exec grep -l '"smithy"' {} + | sort | head -300)
seed idl_parse $(find ../fixtures -name '*.smithy' -size -100k | sort)
seed cargo_manifest $(find ../fixtures -name Cargo.toml | sort)
seed package_json $(find ../fixtures -name package.json | sort)
seed shipgate_toml $(find ../fixtures -name 'shipgate*.toml' | sort)
seed candidate_manifest $(find ../fixtures -name 'candidate*' -type f | sort)
# shipgate.toml examples from the README, one file each.
awk '/^```toml$/ {n++; f=sprintf("corpus/shipgate_toml/readme-%02d", n); next} /^```/ {f=""} f {print > f}' ../README.md
for d in corpus/*; do echo "$d: $(ls "$d" | wc -l) seeds"; done
