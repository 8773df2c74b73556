#!/usr/bin/env bash
# Lints every module of hdl/ with `verilator --lint-only -Wall`, each as its own top (with
# the modules it instantiates), plus the top level with its default and small parameters.
# Waivers live in hdl/riskgate.vlt only. Exits non-zero on any warning.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
command -v verilator >/dev/null || { echo "lint.sh: verilator not installed" >&2; exit 1; }
files=(*.v)
fail=0
lint() {
  local top=$1; shift
  if out=$(verilator --lint-only -Wall riskgate.vlt --top-module "$top" "$@" "${files[@]}" 2>&1); then
    echo "lint ok   $top $*"
  else
    echo "lint FAIL $top $*"; echo "$out"; fail=1
  fi
}
for f in "${files[@]}"; do
  lint "$(basename "$f" .v)"
done
lint riskgate_top -GMAX_SYMBOLS=4 -GMAX_ACCOUNTS=4 -GWINDOW_TICKS=256 -GSET_BITS=8 -GWAYS=4
lint riskgate_top -GMAX_SYMBOLS=8 -GMAX_ACCOUNTS=2 -GWINDOW_TICKS=64 -GSET_BITS=6 -GWAYS=2
exit $fail
