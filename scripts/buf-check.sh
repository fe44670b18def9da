#!/usr/bin/env bash
# Lints the protobuf contracts and checks them for breaking changes against the previous commit.
# Installs the buf CLI from npm into a git-ignored folder on first use, so a fresh clone needs only node/npm.
# Exit code: non-zero on any lint or breaking problem, or when buf cannot be installed.
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
module_subdir="shared/Platform.Contracts/protos"
module_dir="$repo_root/$module_subdir"
buf_version="${BUF_VERSION:-1.75.0}"
# node_modules/ is git-ignored, so nothing the install writes shows up as a change.
tools_dir="$repo_root/.tools/buf"
buf="$tools_dir/node_modules/.bin/buf"

if [[ ! -x "$buf" ]] || [[ "$("$buf" --version 2>/dev/null)" != "$buf_version" ]]; then
  if ! command -v npm >/dev/null 2>&1; then
    echo "buf-check: npm is required to install the buf CLI (apt-get install npm)" >&2
    exit 2
  fi
  echo "buf-check: installing @bufbuild/buf@$buf_version into $tools_dir"
  mkdir -p "$tools_dir"
  # --no-save/--no-package-lock: only node_modules/ is written, no package.json or lock file to commit.
  npm install --prefix "$tools_dir" --no-save --no-package-lock --no-audit --no-fund --loglevel=error \
    "@bufbuild/buf@$buf_version" >&2
fi

echo "buf-check: $("$buf" --version) lint $module_subdir"
status=0
if (cd "$module_dir" && "$buf" lint); then
  echo "buf-check: lint passed"
else
  echo "buf-check: lint FAILED" >&2
  status=1
fi

against_ref="HEAD~1"
skip_reason=""
if ! git -C "$repo_root" rev-parse --git-dir >/dev/null 2>&1; then
  skip_reason="$repo_root is not a git work tree"
elif ! git -C "$repo_root" rev-parse --verify --quiet "$against_ref^{commit}" >/dev/null; then
  # A repository with one commit, or a shallow clone cut at HEAD.
  skip_reason="$against_ref does not exist in this clone"
elif ! git -C "$repo_root" cat-file -e "$against_ref:$module_subdir/buf.yaml" 2>/dev/null; then
  skip_reason="$against_ref has no module at $module_subdir (the contracts are new there)"
fi

if [[ -n "$skip_reason" ]]; then
  echo "buf-check: breaking check SKIPPED: $skip_reason"
else
  echo "buf-check: breaking against $against_ref ($(git -C "$repo_root" rev-parse --short "$against_ref"))"
  # Run from the module so both sides are compared as the same single-module workspace.
  if (cd "$module_dir" && "$buf" breaking --against "$repo_root/.git#ref=$against_ref,subdir=$module_subdir"); then
    echo "buf-check: no breaking changes"
  else
    echo "buf-check: breaking changes FOUND against $against_ref" >&2
    status=1
  fi
fi

exit "$status"
