#!/bin/bash
# Regenerates rules/traits/*.json (Smithy JSON AST) from the trait libraries smithy-diff 1.73.0 has
# on its classpath, with the javac-built reference (../shared/reference/smithy-diff/build.sh):
#   SMITHY_DIFF_HOME=/work/data/smithy-diff tools/traits/generate.sh
# Not part of the build or the tests (they never run Java); the JSON it writes is committed.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
CP=$(cat "${SMITHY_DIFF_HOME:?set SMITHY_DIFF_HOME to the reference build}/build/classpath")
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
javac -d "$T" -cp "$CP" "$HERE/TraitsToJson.java"
java -cp "$CP:$T" TraitsToJson "$ROOT/rules/traits"
