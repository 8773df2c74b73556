#!/usr/bin/env bash
# Builds and runs every module testbench (sim/tb/*.cpp, one Verilated module each; the
# module and its -G parameters are in tb/<name>.top). Exits non-zero if any fails.
#   bash sim/run-tb.sh              all testbenches
#   bash sim/run-tb.sh tb_book ...  only these
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
command -v verilator >/dev/null || { echo "run-tb.sh: verilator not installed" >&2; exit 1; }
if (($#)); then names=("$@"); else names=(); for f in tb/*.cpp; do names+=("$(basename "$f" .cpp)"); done; fi
targets=(); for n in "${names[@]}"; do targets+=("build/tb/$n/tb"); done
t0=$(date +%s)
mkdir -p build
make -s -j"$(nproc 2>/dev/null || echo 2)" "${targets[@]}" > build/tb-build.log 2>&1 || { cat build/tb-build.log; exit 1; }
echo "built ${#targets[@]} testbenches in $(( $(date +%s) - t0 ))s"
fail=0
passed=0
for n in "${names[@]}"; do
  if "build/tb/$n/tb"; then passed=$((passed + 1)); else echo "FAILED: $n"; fail=$((fail + 1)); fi
done
echo "testbenches ($(( $(date +%s) - t0 ))s):"
echo "${passed} passed, ${fail} failed"
((fail == 0))
