#!/usr/bin/env bash
# Prints the commit a measurement describes: "git rev-parse --short HEAD", plus "-dirty" when the work tree has
# changes (modified, staged or untracked files that are not ignored), since those may have gone into the jars.
# Prints "unknown" outside a git work tree. Used by bench.sh, bench-all.sh and startup.sh for their result headers.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
if ! id=$(git rev-parse --short HEAD 2>/dev/null); then
  echo unknown
  exit 0
fi
if [[ -n "$(git status --porcelain 2>/dev/null)" ]]; then
  id+=-dirty
fi
echo "$id"
