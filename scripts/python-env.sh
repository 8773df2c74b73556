#!/usr/bin/env bash
# A local Python virtual environment with pyarrow and pandas (scripts/requirements-exports.txt)
# under .cache/pyenv, for reading riskgate's Parquet/CSV/JSONL exports back in Python
# (test/export/python.test.ts). Idempotent: does nothing when the environment already matches
# the requirements file. Prints the environment's python path on stdout.
#
#   bash scripts/python-env.sh [ENV_NAME REQUIREMENTS_FILE]
#
# With arguments, the same for another environment under .cache/ (python-pcap-env.sh).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ENV="$ROOT/.cache/${1:-pyenv}"
REQ="${2:-$ROOT/scripts/requirements-exports.txt}"
say() { echo "python-env: $*" >&2; }

PY=${PYTHON:-$(command -v python3 || true)}
[[ -n "$PY" ]] || { say "error: python3 is required (Debian: apt-get install python3 python3-venv)"; exit 1; }
want=$(sha256sum "$REQ" | cut -d' ' -f1)
if [[ ! -x "$ENV/bin/python" || "$(cat "$ENV/.requirements.sha256" 2>/dev/null)" != "$want" ]]; then
  say "creating $ENV with $(grep -v '^#' "$REQ" | xargs)"
  rm -rf "$ENV"
  mkdir -p "$(dirname "$ENV")"
  "$PY" -m venv "$ENV"
  "$ENV/bin/python" -m pip install --quiet --disable-pip-version-check --no-input -r "$REQ" >&2
  echo "$want" > "$ENV/.requirements.sha256"
fi
echo "$ENV/bin/python"
