#!/usr/bin/env bash
# The shipgate GitHub Action's logic (action.yml only calls this). Two phases:
#
#   run.sh prepare   validate the inputs, decide how shipgate is installed (PATH, release binary,
#                    or from source), and give actions/cache its key for the source build
#   run.sh run       install, fetch what a shallow checkout lacks, run `shipgate check` once
#                    (annotations, Markdown step summary, SARIF, JSON), set the outputs, look up
#                    the closest safe commit when the gate fails, and keep one sticky PR comment
#
# Inputs come only through environment variables (SG_*), never through ${{ }} in the script, so
# no input is ever evaluated as shell. The runner's own variables (GITHUB_OUTPUT,
# GITHUB_STEP_SUMMARY, GITHUB_EVENT_PATH, GITHUB_SHA, GITHUB_REPOSITORY, GITHUB_API_URL,
# RUNNER_TEMP, RUNNER_OS, RUNNER_ARCH) are read as GitHub sets them; the tests set them too.
#
# Exit codes: 0 gate passed, 1 gate failed, 2 the action could not do its job (then a valid SARIF
# file with the error as a tool execution notification is still written, so an upload-sarif step
# after it does not fail on a missing file).
set -euo pipefail

MARKER='<!-- shipgate-action-report -->'
ACTION_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

: "${RUNNER_TEMP:?RUNNER_TEMP is not set: run.sh expects a GitHub Actions runner (or a test that simulates one)}"
: "${GITHUB_OUTPUT:?GITHUB_OUTPUT is not set}"
: "${GITHUB_STEP_SUMMARY:?GITHUB_STEP_SUMMARY is not set}"

SG_VERSION=${SG_VERSION:-}
SG_BASE=${SG_BASE:-}
SG_HEAD=${SG_HEAD:-}
SG_MAINLINE=${SG_MAINLINE:-}
SG_CONFIG=${SG_CONFIG:-}
SG_FAIL_ON=${SG_FAIL_ON:-danger}
SG_SARIF=${SG_SARIF:-shipgate.sarif}
SG_SARIF_MIN_LEVEL=${SG_SARIF_MIN_LEVEL:-warning}
SG_FETCH=${SG_FETCH:-true}
SG_COMMENT=${SG_COMMENT:-false}
SG_TOKEN=${SG_TOKEN:-}
SG_EXCEPTION_LABEL=${SG_EXCEPTION_LABEL:-}
SG_EXCEPTION_DAYS=${SG_EXCEPTION_DAYS:-30}
SG_MAX_COMMITS=${SG_MAX_COMMITS:-200}
# Where release binaries come from: the action's own repository unless overridden (tests, mirrors).
SG_DOWNLOAD_BASE=${SG_DOWNLOAD_BASE:-${GITHUB_SERVER_URL:-https://github.com}/${SG_ACTION_REPOSITORY:-shipgate/shipgate}/releases/download}
GITHUB_API_URL=${GITHUB_API_URL:-https://api.github.com}

INSTALL_DIR="$RUNNER_TEMP/shipgate-bin"
SOURCE_ROOT="$RUNNER_TEMP/shipgate-source"
REPORT="$RUNNER_TEMP/shipgate-report.json"
SUMMARY_MD="$RUNNER_TEMP/shipgate-summary.md"
ERR_LOG="$RUNNER_TEMP/shipgate-stderr.log"

output() { printf '%s=%s\n' "$1" "$2" >>"$GITHUB_OUTPUT"; }
# A workflow-command message, escaped as the runner expects.
escape() { local s=$1; s=${s//'%'/'%25'}; s=${s//$'\r'/'%0D'}; s=${s//$'\n'/'%0A'}; printf '%s' "$s"; }
warn() { echo "::warning title=shipgate::$(escape "$*")"; }
log() { echo "shipgate-action: $*"; }

# The SARIF file for a run that could not be done: no results, the error as a tool execution
# notification (code scanning shows it), `executionSuccessful: false`.
error_sarif() {
  local message=$1
  mkdir -p "$(dirname "$SG_SARIF")" 2>/dev/null || true
  jq -n --arg msg "$message" --arg version "${SHIPGATE_VERSION:-unknown}" '{
    "$schema": "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json",
    version: "2.1.0",
    runs: [{
      tool: { driver: { name: "shipgate", semanticVersion: $version, rules: [] } },
      automationDetails: { id: "shipgate/check/error" },
      invocations: [{
        executionSuccessful: false,
        exitCode: 2,
        toolExecutionNotifications: [{ level: "error", descriptor: { id: "shipgate/error" }, message: { text: $msg } }]
      }],
      results: []
    }]
  }' >"$SG_SARIF"
}

# Fails the step with `message` (exit 2): the error annotation, the step summary, the outputs and
# a valid SARIF file all say the same thing.
fail() {
  local message=$1
  echo "::error title=shipgate::$(escape "$message")"
  { echo "### shipgate could not check this pull request"; echo; echo '```'; echo "$message"; echo '```'; } >>"$GITHUB_STEP_SUMMARY"
  if command -v jq >/dev/null 2>&1; then error_sarif "$message"; fi
  output verdict error
  output sarif "$SG_SARIF"
  exit 2
}

validate() {
  case "$SG_FAIL_ON" in error | danger | warning | note) ;; *) fail "input fail-on is \`$SG_FAIL_ON\`: use one of error, danger, warning, note" ;; esac
  case "$SG_SARIF_MIN_LEVEL" in error | danger | warning | note) ;; *) fail "input sarif-min-level is \`$SG_SARIF_MIN_LEVEL\`: use one of error, danger, warning, note" ;; esac
  case "$SG_FETCH" in true | false) ;; *) fail "input fetch is \`$SG_FETCH\`: use true or false" ;; esac
  case "$SG_COMMENT" in true | false) ;; *) fail "input comment is \`$SG_COMMENT\`: use true or false" ;; esac
  if ! [[ "$SG_EXCEPTION_DAYS" =~ ^[0-9]+$ ]] || [ "$SG_EXCEPTION_DAYS" -lt 1 ] || [ "$SG_EXCEPTION_DAYS" -gt 365 ]; then
    fail "input exception-days is \`$SG_EXCEPTION_DAYS\`: use a whole number of days from 1 to 365"
  fi
  if ! [[ "$SG_MAX_COMMITS" =~ ^[0-9]+$ ]] || [ "$SG_MAX_COMMITS" -lt 1 ]; then
    fail "input max-commits is \`$SG_MAX_COMMITS\`: use a positive whole number"
  fi
  case "$SG_VERSION" in '' | source | latest | [0-9]*.[0-9]*.[0-9]* | v[0-9]*.[0-9]*.[0-9]*) ;;
  *) fail "input version is \`$SG_VERSION\`: use a release version such as 0.1.0, or \`source\` to build from the action's source" ;;
  esac
  command -v jq >/dev/null 2>&1 || fail "jq is not on PATH: the action reads shipgate's JSON report with it (GitHub-hosted runners have it; on a self-hosted runner install jq)"
  command -v git >/dev/null 2>&1 || fail "git is not on PATH: install git on the runner"
}

# The version the action's own source is (its Cargo.toml), for `version` left empty.
own_version() { sed -n 's/^version = "\(.*\)"$/\1/p' "$ACTION_DIR/Cargo.toml" | head -n1; }

# The release target for this runner.
target() {
  case "${RUNNER_OS:-$(uname -s)}/${RUNNER_ARCH:-$(uname -m)}" in
    Linux/X64 | Linux/x86_64) echo x86_64-unknown-linux-gnu ;;
    Linux/ARM64 | Linux/aarch64) echo aarch64-unknown-linux-gnu ;;
    macOS/X64 | Darwin/x86_64) echo x86_64-apple-darwin ;;
    macOS/ARM64 | Darwin/arm64) echo aarch64-apple-darwin ;;
    Windows/X64 | MINGW*/x86_64 | MSYS*/x86_64) echo x86_64-pc-windows-msvc ;;
    *) return 1 ;;
  esac
}

# How shipgate gets installed: `path` (one on PATH, used as is), `source`, or `binary`.
install_mode() {
  if [ "$SG_VERSION" = source ]; then echo source; elif command -v shipgate >/dev/null 2>&1; then echo path; else echo binary; fi
}

prepare() {
  validate
  local mode
  mode=$(install_mode)
  output mode "$mode"
  output source-root "$SOURCE_ROOT"
  if [ "$mode" = source ]; then
    local lock
    lock=$( (sha256sum "$ACTION_DIR/Cargo.lock" 2>/dev/null || shasum -a 256 "$ACTION_DIR/Cargo.lock") | cut -c1-16)
    output cache-key "shipgate-source-${RUNNER_OS:-os}-${RUNNER_ARCH:-arch}-${SG_ACTION_REF:-local}-$lock"
  fi
}

sha256_of() { (sha256sum "$1" 2>/dev/null || shasum -a 256 "$1") | cut -d' ' -f1; }

install_binary() {
  local version=${SG_VERSION#v} target archive url sums expected actual
  [ -z "$version" ] && version=$(own_version)
  [ "$version" = latest ] && fail "input version \`latest\` is not supported: pin a release (e.g. version: $(own_version)) so every run checks with the same rules"
  target=$(target) || fail "no shipgate release binary for ${RUNNER_OS:-?}/${RUNNER_ARCH:-?}: set version: source to build it with cargo"
  archive="shipgate-v$version-$target.tar.gz"
  url="$SG_DOWNLOAD_BASE/v$version"
  mkdir -p "$INSTALL_DIR"
  log "downloading $url/$archive"
  curl -fsSL --retry 3 -o "$INSTALL_DIR/$archive" "$url/$archive" ||
    fail "could not download $url/$archive: check that release v$version exists and has a binary for $target, or set version: source"
  curl -fsSL --retry 3 -o "$INSTALL_DIR/SHA256SUMS" "$url/SHA256SUMS" ||
    fail "could not download $url/SHA256SUMS to verify the binary: the release must have its checksum file"
  expected=$(awk -v f="$archive" '$2 == f || $2 == "*" f { print $1 }' "$INSTALL_DIR/SHA256SUMS")
  actual=$(sha256_of "$INSTALL_DIR/$archive")
  [ -n "$expected" ] || fail "SHA256SUMS of v$version lists no checksum for $archive"
  [ "$expected" = "$actual" ] || fail "checksum mismatch for $archive: SHA256SUMS says $expected, the download is $actual; not installing it"
  tar -xzf "$INSTALL_DIR/$archive" -C "$INSTALL_DIR"
  sums=$(find "$INSTALL_DIR" -type f \( -name shipgate -o -name shipgate.exe \) | head -n1)
  [ -n "$sums" ] || fail "$archive has no shipgate binary in it"
  chmod +x "$sums"
  SHIPGATE="$sums"
}

install_source() {
  local bin="$SOURCE_ROOT/bin/shipgate"
  [ -x "$bin.exe" ] && bin="$bin.exe"
  if [ ! -x "$bin" ]; then
    command -v cargo >/dev/null 2>&1 || fail "version: source needs cargo on PATH: add dtolnay/rust-toolchain@stable before this step"
    log "building shipgate from $ACTION_DIR (cached afterwards by actions/cache)"
    cargo install --locked --quiet --path "$ACTION_DIR" --root "$SOURCE_ROOT" || fail "cargo install of shipgate failed (see the log above)"
    [ -x "$SOURCE_ROOT/bin/shipgate.exe" ] && bin="$SOURCE_ROOT/bin/shipgate.exe"
  else
    log "using the cached build $bin"
  fi
  SHIPGATE="$bin"
}

install() {
  case "$(install_mode)" in
    path) SHIPGATE=$(command -v shipgate) ;;
    source) install_source ;;
    binary) install_binary ;;
  esac
  SHIPGATE_VERSION=$("$SHIPGATE" --version 2>/dev/null | awk '{print $2}') || true
  log "shipgate ${SHIPGATE_VERSION:-?} at $SHIPGATE"
  # Later steps of the job can call `shipgate` too (e.g. `shipgate report` in a release job).
  if [ -n "${GITHUB_PATH:-}" ]; then dirname "$SHIPGATE" >>"$GITHUB_PATH"; fi
}

has_commit() { git rev-parse --verify --quiet "$1^{commit}" >/dev/null 2>&1; }

# The refspec that brings `rev` into this clone: origin/NAME → the branch, a tag name → the tag,
# anything else (a commit id) as is.
refspec() {
  local rev=$1
  case "$rev" in
    origin/*) echo "+refs/heads/${rev#origin/}:refs/remotes/$rev" ;;
    refs/*) echo "+$rev:$rev" ;;
    *) if [[ "$rev" =~ ^[0-9a-f]{40}$ ]]; then echo "$rev"; else echo "+refs/tags/$rev:refs/tags/$rev"; fi ;;
  esac
}

# Makes base, head and mainline present. A shallow clone gets exactly the missing ones at depth 1
# (`fetch: true`); with `fetch: false` the user is told what is missing and how to get it.
fetch_missing() {
  local shallow missing=() rev
  shallow=$(git rev-parse --is-shallow-repository 2>/dev/null || echo false)
  for rev in "$SG_HEAD" "$SG_BASE" "${SG_MAINLINE:-origin/main}"; do
    [ -n "$rev" ] || continue
    has_commit "$rev" || missing+=("$rev")
  done
  if [ -z "$SG_BASE" ] && [ "$shallow" = true ] && [ -z "$(git tag -l)" ]; then missing+=("release tags"); fi
  [ "${#missing[@]}" -eq 0 ] && return 0
  if [ "$SG_FETCH" != true ]; then
    warn "this checkout lacks ${missing[*]} (fetch: false). shipgate reads them from git history: set fetch: true to fetch exactly these at depth 1, or fetch-depth: 0 on actions/checkout."
    return 0
  fi
  for rev in "${missing[@]}"; do
    if [ "$rev" = "release tags" ]; then
      log "fetching release tags (depth 1)"
      git fetch --quiet --no-tags --depth=1 origin '+refs/tags/*:refs/tags/*' || warn "could not fetch the release tags from origin"
      continue
    fi
    log "fetching $rev (depth 1)"
    git fetch --quiet --no-tags --depth=1 origin "$(refspec "$rev")" ||
      warn "could not fetch $rev from origin; shipgate will say what is missing"
  done
}

# Deepens mainline for the closest-safe search: its candidates are mainline's first-parent commits
# back to the merge base with base, at most max-commits of them.
deepen_mainline() {
  local mainline=${SG_MAINLINE:-origin/main}
  [ "$(git rev-parse --is-shallow-repository 2>/dev/null || echo false)" = true ] || return 0
  [ "$SG_FETCH" = true ] || {
    warn "the closest safe commit needs mainline's history, which this shallow checkout lacks (fetch: false); set fetch: true or fetch-depth: 0"
    return 0
  }
  log "deepening $mainline to $SG_MAX_COMMITS commits for the closest-safe search"
  git fetch --quiet --no-tags --depth="$SG_MAX_COMMITS" origin "$(refspec "$mainline")" ||
    warn "could not deepen $mainline; the closest safe commit may be missing"
  if [ -n "$SG_BASE" ]; then git fetch --quiet --no-tags --depth="$SG_MAX_COMMITS" origin "$(refspec "$SG_BASE")" || true; fi
}

event() { [ -n "${GITHUB_EVENT_PATH:-}" ] && [ -f "$GITHUB_EVENT_PATH" ] && jq -r "$1 // empty" "$GITHUB_EVENT_PATH"; }

# GET/POST/PATCH to the GitHub API: prints the body, returns 0 on 2xx; the status is in $HTTP.
api() {
  local method=$1 path=$2 data=${3:-}
  local args=(-sS -o "$RUNNER_TEMP/shipgate-api.json" -w '%{http_code}' -X "$method"
    -H "Authorization: Bearer $SG_TOKEN" -H "Accept: application/vnd.github+json" -H "X-GitHub-Api-Version: 2022-11-28")
  [ -n "$data" ] && args+=(-H "Content-Type: application/json" --data-binary "@$data")
  HTTP=$(curl "${args[@]}" "$GITHUB_API_URL$path" 2>/dev/null) || HTTP=000
  cat "$RUNNER_TEMP/shipgate-api.json" 2>/dev/null || true
  [[ "$HTTP" =~ ^2 ]]
}

# `exception-label`: when the pull request carries the label and a maintainer (write access or
# more) added it, every blocking finding becomes an exception recorded in the report with who
# added the label, when, and until when (label date + exception-days). Never a silent skip: a
# label that cannot be verified is a warning, and the gate judges as if it were not there.
APPROVAL=()
exception_from_label() {
  [ -n "$SG_EXCEPTION_LABEL" ] || return 0
  local pr labels events who when until perm
  pr=$(event '.pull_request.number')
  [ -n "$pr" ] || return 0
  labels=$(jq -r '.pull_request.labels[]?.name' "$GITHUB_EVENT_PATH")
  grep -Fxq -- "$SG_EXCEPTION_LABEL" <<<"$labels" || return 0
  if [ -z "$SG_TOKEN" ]; then
    warn "the pull request has the label \`$SG_EXCEPTION_LABEL\`, but no github-token was given to verify who added it: no exception applied"
    return 0
  fi
  if ! events=$(api GET "/repos/$GITHUB_REPOSITORY/issues/$pr/events?per_page=100"); then
    warn "the label \`$SG_EXCEPTION_LABEL\` could not be verified (HTTP $HTTP reading the pull request's events): no exception applied"
    return 0
  fi
  who=$(jq -r --arg l "$SG_EXCEPTION_LABEL" '[.[] | select(.event == "labeled" and .label.name == $l)] | last | .actor.login // empty' <<<"$events")
  when=$(jq -r --arg l "$SG_EXCEPTION_LABEL" '[.[] | select(.event == "labeled" and .label.name == $l)] | last | .created_at // empty' <<<"$events")
  if [ -z "$who" ] || [ -z "$when" ]; then
    warn "the label \`$SG_EXCEPTION_LABEL\` is on the pull request but its labeled event was not found: no exception applied"
    return 0
  fi
  if ! perm=$(api GET "/repos/$GITHUB_REPOSITORY/collaborators/$who/permission"); then
    warn "could not read @$who's permission (HTTP $HTTP): the label \`$SG_EXCEPTION_LABEL\` was not applied as an exception"
    return 0
  fi
  case "$(jq -r '.permission // empty' <<<"$perm")" in
    admin | maintain | write) ;;
    *)
      warn "@$who added \`$SG_EXCEPTION_LABEL\` but has no write access to $GITHUB_REPOSITORY: only a maintainer's label approves an exception; none applied"
      return 0
      ;;
  esac
  until=$(jq -nr --arg d "$when" --argjson n "$SG_EXCEPTION_DAYS" '($d | sub("\\.[0-9]+"; "") | fromdateiso8601) + $n * 86400 | strftime("%Y-%m-%d")')
  local day=${when%%T*}
  APPROVAL=(--except-blocking "approved on pull request #$pr with the label \`$SG_EXCEPTION_LABEL\`"
    --approved-by "@$who" --approval-expires "$until"
    --approval-source "pull-request label \`$SG_EXCEPTION_LABEL\` added by @$who on $day")
  log "the label $SG_EXCEPTION_LABEL (added by @$who on $day) excepts the blocking findings until $until"
  output exception-approved-by "@$who"
  output exception-expires "$until"
}

# One sticky comment per pull request, found by MARKER and updated in place. Where the token
# cannot write (pull requests from forks get a read-only token) the step summary has the report.
comment() {
  [ "$SG_COMMENT" = true ] || return 0
  local pr body comments id page=1
  pr=$(event '.pull_request.number')
  [ -n "$pr" ] || { log "not a pull request: no comment"; return 0; }
  if [ -z "$SG_TOKEN" ]; then
    warn "comment: true needs github-token; the report is in the step summary"
    return 0
  fi
  body="$RUNNER_TEMP/shipgate-comment.json"
  { printf '%s\n' "$MARKER"; cat "$SUMMARY_MD"; } | jq -Rs '{body: .}' >"$body"
  id=
  while [ -z "$id" ]; do
    if ! comments=$(api GET "/repos/$GITHUB_REPOSITORY/issues/$pr/comments?per_page=100&page=$page"); then
      break
    fi
    id=$(jq -r --arg m "$MARKER" '[.[] | select(.body | contains($m))] | first | .id // empty' <<<"$comments")
    [ "$(jq 'length' <<<"$comments")" -lt 100 ] && break
    page=$((page + 1))
  done
  if [ -n "$id" ]; then
    if api PATCH "/repos/$GITHUB_REPOSITORY/issues/comments/$id" "$body" >/dev/null; then
      log "updated the pull-request comment $id"
      output comment-id "$id"
      return 0
    fi
  elif api POST "/repos/$GITHUB_REPOSITORY/issues/$pr/comments" "$body" >"$RUNNER_TEMP/shipgate-created.json"; then
    id=$(jq -r '.id // empty' "$RUNNER_TEMP/shipgate-created.json")
    log "created the pull-request comment $id"
    output comment-id "$id"
    return 0
  fi
  warn "could not write the pull-request comment (HTTP $HTTP: the token cannot write here, as on pull requests from forks); the report is in the step summary"
  printf '\n> The pull-request comment could not be written (HTTP %s); this summary is the report.\n' "$HTTP" >>"$GITHUB_STEP_SUMMARY"
}

run() {
  # The SARIF path is the workspace's (where upload-sarif looks), whatever working-directory is.
  case "$SG_SARIF" in /* | [A-Za-z]:[\\/]*) ;; *) SG_SARIF="$PWD/$SG_SARIF" ;; esac
  validate
  install
  cd "${SG_WORKING_DIRECTORY:-.}" 2>/dev/null || fail "working-directory \`${SG_WORKING_DIRECTORY:-}\` does not exist"
  SG_HEAD=${SG_HEAD:-${GITHUB_SHA:-HEAD}}
  [ -n "$SG_BASE" ] || SG_BASE=$(event '.pull_request.base.sha')
  fetch_missing
  exception_from_label

  local args=(check --head "$SG_HEAD" --fail-on "$SG_FAIL_ON" --color never --sarif-min-level "$SG_SARIF_MIN_LEVEL")
  [ -n "$SG_BASE" ] && args+=(--base "$SG_BASE")
  [ -n "$SG_MAINLINE" ] && args+=(--mainline "$SG_MAINLINE")
  [ -n "$SG_CONFIG" ] && args+=(--config "$SG_CONFIG")
  args+=("${APPROVAL[@]}")
  mkdir -p "$(dirname "$SG_SARIF")"
  local status=0
  "$SHIPGATE" "${args[@]}" --format github \
    --output "json=$REPORT" --output "sarif=$SG_SARIF" --output "md=$SUMMARY_MD" 2>"$ERR_LOG" || status=$?
  cat "$ERR_LOG" >&2
  if [ "$status" -ge 2 ]; then
    fail "$(cat "$ERR_LOG")"
  fi
  cat "$SUMMARY_MD" >>"$GITHUB_STEP_SUMMARY"
  count() { jq -r ".counts.$1" "$REPORT"; }
  output verdict "$([ "$status" = 0 ] && echo pass || echo fail)"
  output errors "$(count error)"
  output dangers "$(count danger)"
  output warnings "$(count warning)"
  output excepted "$(jq '[.findings[] | select(.exception != null)] | length' "$REPORT")"
  output report "$REPORT"
  output sarif "$SG_SARIF"

  if [ "$status" = 1 ]; then
    deepen_mainline
    local cs_args=(closest-safe --fail-on "$SG_FAIL_ON" --format json --color never --max-commits "$SG_MAX_COMMITS")
    [ -n "$SG_BASE" ] && cs_args+=(--base "$SG_BASE")
    [ -n "$SG_MAINLINE" ] && cs_args+=(--mainline "$SG_MAINLINE")
    [ -n "$SG_CONFIG" ] && cs_args+=(--config "$SG_CONFIG")
    local cs commit
    if cs=$("$SHIPGATE" "${cs_args[@]}" 2>"$ERR_LOG"); then :; else [ $? -eq 1 ] || cs=; fi
    commit=$(printf '%s' "${cs:-}" | jq -r '.closest_safe.commit // empty' 2>/dev/null || true)
    if [ -n "$commit" ]; then
      output closest-safe "$commit"
      printf '\n**Closest safe mainline commit:** `%s`\n' "$commit" >>"$GITHUB_STEP_SUMMARY"
    else
      log "no closest safe commit found: $(head -c 500 "$ERR_LOG" 2>/dev/null)"
    fi
  fi
  comment
  exit "$status"
}

case "${1:-}" in
  prepare) prepare ;;
  run) run ;;
  *)
    echo "usage: run.sh prepare|run (called by action.yml)" >&2
    exit 2
    ;;
esac
