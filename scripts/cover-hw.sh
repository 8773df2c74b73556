#!/usr/bin/env bash
# Line coverage of the Verilog pipeline under checked stimulus (npm run cover:hw).
#
# Builds the card with --coverage-line into sim/build-cover (never the normal sim/build),
# runs the differential tests on it (every record compared with the Rust core or with the
# hand-computed golden vectors, so a covered line is a verified line), merges what every
# simulated card wrote with verilator_coverage and prints per-module line coverage and the
# uncovered lines. Fails when rg_itch_parser, rg_risk or rg_ctrl_check is below 95%.
#
#   bash scripts/cover-hw.sh            build, run, report
#   bash scripts/cover-hw.sh --report   report the last run's data again
#   COVER_MIN=90 bash scripts/cover-hw.sh
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
OUT=sim/build-cover
DATA=$OUT/data
MIN=${COVER_MIN:-95}
GATED=rg_itch_parser,rg_risk,rg_ctrl_check
# The checked stimulus: golden vectors, the Rust differential flows (incl. corrupted input),
# the driver's register port (config errors, gaps), the Ethernet front ends on random frames,
# and test/hw/cover-stimulus.test.ts for what those leave out.
TESTS=(test/hw/cover-stimulus.test.ts test/hw/golden.test.ts test/hw/differential.test.ts
       test/hw/driver.test.ts test/ethernet/front-end-fuzz.test.ts)

t0=$(date +%s)
if [[ ${1:-} != --report ]]; then
  command -v verilator_coverage >/dev/null || { echo "cover-hw: verilator_coverage not installed" >&2; exit 1; }
  bash scripts/bootstrap.sh
  echo "cover-hw: building the line-coverage card ($OUT)"
  make -s -C sim -j"$(nproc 2>/dev/null || echo 2)" cover
  rm -rf "$DATA" && mkdir -p "$DATA"
  echo "cover-hw: running ${TESTS[*]} on it"
  RISKGATE_SIM_LIBRARY="$ROOT/$OUT/libriskgate_sim.so" RG_SIM_COVERAGE="$ROOT/$DATA" npx vitest run "${TESTS[@]}"
  shopt -s nullglob
  dats=("$DATA"/*.dat)
  ((${#dats[@]})) || { echo "cover-hw: no coverage data was written to $DATA" >&2; exit 1; }
  verilator_coverage --write "$OUT/merged.dat" "${dats[@]}" >/dev/null
  echo "cover-hw: merged ${#dats[@]} simulated cards into $OUT/merged.dat ($(( $(date +%s) - t0 ))s)"
fi
[[ -f $OUT/merged.dat ]] || { echo "cover-hw: no $OUT/merged.dat (run without --report first)" >&2; exit 1; }
node --import tsx scripts/cover-report.ts "$OUT/merged.dat" --min "$MIN" "$GATED"
