#!/usr/bin/env bash
# npm run synth: yosys synthesis of riskgate_top for UltraScale+ (synth_xilinx -family xcup)
# with small fixed parameters (4 symbols, 4 accounts, 256 ticks, 2^10 sets x 4 ways).
# Prints LUTs, flip-flops, block RAMs (BRAM/URAM), DSPs and the longest combinational path
# in logic levels (yosys `ltp -noff` on the mapped netlist). Informational.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
command -v yosys >/dev/null || { echo "synth.sh: yosys not installed (apt-get install yosys)" >&2; exit 1; }
HDL=$(cd .. && pwd)
OUT=${SYNTH_OUT:-$(cd ../.. && pwd)/sim/build/synth}
mkdir -p "$OUT"
srcs=$(ls "$HDL"/*.v | tr '\n' ' ')
sed -e "s#@HDL@#$HDL#g" -e "s#@SRCS@#$srcs#" -e "s#@OUT@#$OUT#g" synth.ys.in > "$OUT/synth.ys"
t0=$(date +%s)
if ! yosys -q -l "$OUT/yosys.log" -s "$OUT/synth.ys" > /dev/null; then
  tail -30 "$OUT/yosys.log"; exit 1
fi
secs=$(( $(date +%s) - t0 ))
node "$HDL/synth/report.mjs" "$OUT/stat.txt" "$OUT/ltp.txt" "$secs"
