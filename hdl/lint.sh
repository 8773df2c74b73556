#!/usr/bin/env bash
# Lints every module of hdl/ with `verilator --lint-only -Wall`, each as its own top (with
# the modules it instantiates), plus the top level with its default and small parameters,
# and checks that no module defines a contract macro of its own.
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
# contract values come from the generated headers only (npm run contract)
if out=$(grep -n '`define RG_\|`include "rg_defs' "${files[@]}"); then
  echo "lint FAIL modules define contract macros or include a hand-written header:"; echo "$out"; fail=1
else
  echo "lint ok   no contract macro defined outside rg_contract.vh"
fi
lint riskgate_top -GMAX_SYMBOLS=4 -GMAX_ACCOUNTS=4 -GWINDOW_TICKS=256 -GSET_BITS=8 -GWAYS=4 -GSTASH_SLOTS=2 -GGHOST_SLOTS=3
lint riskgate_top -GMAX_SYMBOLS=8 -GMAX_ACCOUNTS=2 -GWINDOW_TICKS=64 -GSET_BITS=6 -GWAYS=2 -GSTASH_SLOTS=1 -GGHOST_SLOTS=1
exit $fail
