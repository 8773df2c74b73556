#!/usr/bin/env bash
# Makes a fresh clone runnable: system packages (as root, via apt), npm dependencies, the
# Rust engine's N-API module and the Verilator model. Idempotent and quick when nothing
# changed, so every entry point (npm run demo, npm test, .ci/run) calls it first.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
say() { echo "bootstrap: $*" >&2; }

# System packages: Verilator and yosys for the hardware path, kcat for Kafka diagnostics,
missing=()
command -v verilator >/dev/null || missing+=(verilator)
command -v yosys >/dev/null || missing+=(yosys)
command -v kcat >/dev/null || missing+=(kcat)
# Chromium for the dashboard's end-to-end test (driven by playwright-core).
[[ -x /usr/bin/chromium ]] || missing+=(chromium)
# zlib headers for the Verilator model's FST waveform traces.
[[ -f /usr/include/zlib.h ]] || missing+=(zlib1g-dev)
# ISA-L's inflate for the replay's gunzip thread (optional: zlib-rs without it; native/src/isal.rs).
[[ -f /usr/include/isa-l/igzip_lib.h ]] || missing+=(libisal-dev)
if ((${#missing[@]})); then
  if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null; then
    say "installing ${missing[*]} with apt-get"
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  else
    say "warning: ${missing[*]} not installed and not root; install them with your package manager (the hardware path needs verilator)"
  fi
fi

for tool in node npm cargo; do
  command -v "$tool" >/dev/null || { say "error: $tool is required (Node >= 20.19, Rust >= 1.80)"; exit 1; }
done

# npm dependencies, reinstalled when the lock file changed.
if [[ ! -f node_modules/.package-lock.json || package-lock.json -nt node_modules/.package-lock.json ]]; then
  say "installing npm dependencies"
  npm ci --no-audit --no-fund --loglevel=error
fi

# The Rust engine, rebuilt when any Rust source or manifest is newer than the module.
node_file=$(ls native/*.node 2>/dev/null | head -1 || true)
if [[ -z "$node_file" ]] || [[ -n $(find native Cargo.toml Cargo.lock -newer "$node_file" \( -name '*.rs' -o -name '*.toml' -o -name Cargo.lock \) 2>/dev/null | head -1) ]]; then
  say "building the Rust engine (cargo, release)"
  npm run --silent build:native >&2
fi

# The bundled command line bin/riskgate.js runs (dist/, rebuilt when a source file changed).
node scripts/build-cli.mjs --if-stale >&2

# The Verilator model (make decides what is stale), once the hardware build exists.
if node -e 'process.exit(require("./package.json").scripts["build:sim"] ? 0 : 1)'; then
  if command -v verilator >/dev/null; then
    npm run --silent build:sim >&2
  else
    say "warning: verilator missing, the hardware backend is unavailable"
  fi
fi

# Python readers for the export check (pyarrow, pandas; scripts/requirements-exports.txt) in
# .cache/pyenv: test/export reads every exported table back with them.
if ! bash scripts/python-env.sh >/dev/null; then
  say "warning: could not set up .cache/pyenv (python3 with venv and pip from PyPI); test/export will fail"
fi
