#!/usr/bin/env bash
# Bytes allocated and CPU per order of the in-process order path (bench/order-path-cpu.ts):
# the V8 GC trace's `allocated=` summed over the GCs between a full GC before the measured
# orders and one after them. Env as bench/order-path-cpu.ts (N, TREE).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
node --expose-gc --trace-gc-nvp --import tsx "$here/order-path-cpu.ts" | awk -v n="${N:-60000}" '
  /order-path-cpu: measure start/ { on = 1; next }
  /order-path-cpu: measure end/ { on = 0; next }
  on && /allocated=/ { match($0, /allocated=[0-9]+/); bytes += substr($0, RSTART + 10, RLENGTH - 10); if ($0 ~ /gc=s /) scav++ }
  /^\{/ { json = $0 }
  END { sub(/\}$/, "", json); printf "%s,\"bytesPerOrder\":%d,\"scavenges\":%d}\n", json, bytes / n, scav }'
