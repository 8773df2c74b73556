#!/usr/bin/env bash
# Line coverage of the Verilog pipeline under checked stimulus (npm run cover:hw).
#
# Builds the card with --coverage-line into sim/build-cover (never the normal sim/build),
# runs the differential tests on it (every record compared with the Rust core, the Ethernet
# front ends' counters with the Rust receiver's, so a covered line is a verified line; a
# failing test stops the run before any coverage is reported), merges what every simulated
# card wrote with verilator_coverage and prints per-module line coverage and the uncovered
# lines. Fails when rg_itch_parser, rg_risk or rg_ctrl_check is below 95%.
#
#   bash scripts/cover-hw.sh            build, run, report
#   bash scripts/cover-hw.sh --report   report the last run's data again
#   bash scripts/cover-hw.sh --bench tb_top   one C++ module testbench (sim/tb) alone, at its
#                                       own parameters, without the gate (for comparison)
#   COVER_MIN=90 bash scripts/cover-hw.sh
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
OUT=sim/build-cover
DATA=$OUT/data
MIN=${COVER_MIN:-95}
GATED=rg_itch_parser,rg_risk,rg_ctrl_check
# The checked stimulus: test/hw/cover-stimulus.test.ts (what the others leave out), the Rust
# differential flows (random, dense, corrupted, the NASDAQ sample; the bundled-session runs
# are left out: a million cycles of the instrumented model add minutes and no line), the
# driver's register port (config errors, gaps) and both Ethernet front ends on random frames.
# COVER_TESTS / COVER_FILTER override the files and the test-name filter (a regex).
# Order flow (spec section 18.7): the damaged merged streams of test/hw/order-entry.test.ts
# (every refusal, foreign frames, replays); its 200k-message run adds minutes and no line.
# Order flow on the Ethernet input and the tkeep faults of all three inputs (spec sections 15,
# 17, 18.7): test/hw/ethernet-order-flow.test.ts.
read -r -a TESTS <<< "${COVER_TESTS:-test/hw/cover-stimulus.test.ts test/hw/differential.test.ts test/hw/driver.test.ts test/ethernet/front-end-fuzz.test.ts test/hw/order-entry.test.ts test/hw/ethernet-order-flow.test.ts}"
FILTER=${COVER_FILTER-'^(?!.*(bundled session|200k messages))'}

t0=$(date +%s)
if [[ ${1:-} == --bench ]]; then
  name=${2:?usage: cover-hw.sh --bench <tb name>}
  dir=$OUT/tb-data/$name
  make -s -C sim -j"$(nproc 2>/dev/null || echo 2)" "build-cover/tb/$name/tb"
  rm -rf "$dir" && mkdir -p "$dir"
  (cd sim && RG_SIM_COVERAGE="$ROOT/$dir" "build-cover/tb/$name/tb")
  verilator_coverage --write "$OUT/$name.dat" "$dir"/tb-*.dat >/dev/null
  verilator_coverage --write "$OUT/$name-init.dat" "$dir"/init-*.dat >/dev/null
  exec node --import tsx scripts/cover-report.ts "$OUT/$name.dat" --init "$OUT/$name-init.dat"
fi
if [[ ${1:-} != --report ]]; then
  command -v verilator_coverage >/dev/null || { echo "cover-hw: verilator_coverage not installed" >&2; exit 1; }
  bash scripts/bootstrap.sh
  echo "cover-hw: building the line-coverage card ($OUT)"
  make -s -C sim -j"$(nproc 2>/dev/null || echo 2)" cover
  rm -rf "$DATA" && mkdir -p "$DATA"
  echo "cover-hw: running ${TESTS[*]} on it"
  RISKGATE_SIM_LIBRARY="$ROOT/$OUT/libriskgate_sim.so" RG_SIM_COVERAGE="$ROOT/$DATA" npx vitest run "${TESTS[@]}" ${FILTER:+-t "$FILTER"}
  shopt -s nullglob
  dats=("$DATA"/card-*.dat)
  inits=("$DATA"/init-*.dat)
  ((${#dats[@]})) || { echo "cover-hw: no coverage data was written to $DATA" >&2; exit 1; }
  verilator_coverage --write "$OUT/merged.dat" "${dats[@]}" >/dev/null
  verilator_coverage --write "$OUT/merged-init.dat" "${inits[@]}" >/dev/null
  echo "cover-hw: merged ${#dats[@]} simulated cards into $OUT/merged.dat ($(( $(date +%s) - t0 ))s)"
fi
[[ -f $OUT/merged.dat ]] || { echo "cover-hw: no $OUT/merged.dat (run without --report first)" >&2; exit 1; }
node --import tsx scripts/cover-report.ts "$OUT/merged.dat" --init "$OUT/merged-init.dat" --min "$MIN" "$GATED"
