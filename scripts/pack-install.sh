#!/usr/bin/env bash
# Packs riskgate as it would be published (npm pack), installs the tarball globally into a
# temporary prefix as a user would on a fresh machine (npm i -g ./riskgate-*.tgz), and runs the
# installed `riskgate` from a directory outside the checkout: replay of the bundled demo on the
# Rust engine and in shadow with the Verilator model, and a Parquet export. Prints the package
# size and the install time. Uses the `node`/`npm` first on PATH (scripts/node22.sh run … for 22).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
say() { echo "pack-install: $*" >&2; }
fail() { say "FAILED: $*"; exit 1; }

work=$(mktemp -d "${TMPDIR:-/tmp}/riskgate-pack.XXXXXX")
trap 'rm -rf "$work"' EXIT

cd "$ROOT"
tgz=$(npm pack --pack-destination "$work" --silent 2>/dev/null | tail -1)
[[ -f "$work/$tgz" ]] || fail "npm pack produced no tarball"
size=$(stat -c %s "$work/$tgz")
files=$(tar tzf "$work/$tgz" | wc -l)
say "packed $tgz: $size bytes, $files files (node $(node --version), npm $(npm --version))"

prefix="$work/prefix"
t0=$(date +%s%N)
npm install -g --prefix "$prefix" --no-audit --no-fund --loglevel=error "$work/$tgz" >&2
t1=$(date +%s%N)
install_ms=$(( (t1 - t0) / 1000000 ))
say "npm i -g took ${install_ms} ms"

export PATH="$prefix/bin:$PATH"
pkg="$prefix/lib/node_modules/riskgate"
[[ "$(command -v riskgate)" == "$prefix/bin/riskgate" ]] || fail "riskgate on PATH is $(command -v riskgate), not the installed one"
[[ -f "$pkg/native/riskgate-napi.linux-x64-gnu.node" ]] || fail "the package has no prebuilt engine"
[[ -f "$pkg/sim/build/libriskgate_sim.so" ]] || fail "the package has no Verilator model"
# The installed `riskgate` runs the bundled command line (dist/), not the sources through tsx.
node --input-type=module -e "const m = await import('$pkg/bin/bundle-fresh.js'); process.exit(m.bundleFresh(new URL('file://$pkg/')) ? 0 : 1)" || fail "the package's bundled command line (dist/) is missing or older than its sources"
for f in test bench hdl native/core native/src target .cache; do
  [[ ! -e "$pkg/$f" ]] || fail "the package ships $f"
done

# A user's directory, outside the checkout, with the demo session the package ships.
run="$work/user"
mkdir -p "$run/data"
cp "$pkg/data/demo.itch.gz" "$run/data/"
cd "$run"
case "$PWD" in "$ROOT"*) fail "the run directory is inside the checkout" ;; esac

riskgate replay data/demo.itch.gz > replay.txt || fail "riskgate replay exited $?"
grep -q 'SHA-256\|sha256' replay.txt || fail "the report has no record digest: $(head -20 replay.txt)"
riskgate replay data/demo.itch.gz --json > replay.json || fail "riskgate replay --json exited $?"
want=$(cd "$ROOT" && node bin/riskgate.js replay data/demo.itch.gz --json | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).recordsSha256))')
got=$(node -e 'console.log(JSON.parse(require("fs").readFileSync("replay.json","utf8")).recordsSha256)')
[[ "$got" == "$want" ]] || fail "the installed package's digest $got differs from the checkout's $want"
say "riskgate replay data/demo.itch.gz: digest $got, the checkout's"
riskgate replay data/demo.itch.gz --backend shadow --json > shadow.json || fail "riskgate replay --backend shadow exited $?"
got=$(node -e 'console.log(JSON.parse(require("fs").readFileSync("shadow.json","utf8")).recordsSha256)')
[[ "$got" == "$want" ]] || fail "shadow digest $got differs"
say "riskgate replay --backend shadow (Rust + Verilator model): same digest"
riskgate replay data/demo.itch.gz --out out/ --format parquet > /dev/null || fail "parquet export exited $?"
n=$(ls out/*.parquet | wc -l)
[[ "$n" == 5 ]] || fail "parquet export wrote $n tables"
say "riskgate replay --out out/ --format parquet: 5 tables"
echo "pack-install: ok: $tgz $size bytes, $files files, npm i -g ${install_ms} ms"
