#!/usr/bin/env bash
# A local Python virtual environment with dpkt (scripts/requirements-pcap.txt) under
# .cache/pcapenv, to decode riskgate's pcap captures with an independent reader. Idempotent.
# Prints the environment's python path on stdout.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ENV="$ROOT/.cache/pcapenv"
REQ="$ROOT/scripts/requirements-pcap.txt"
PY=${PYTHON:-$(command -v python3 || true)}
[[ -n "$PY" ]] || { echo "python-pcap-env: error: python3 is required" >&2; exit 1; }
want=$(sha256sum "$REQ" | cut -d' ' -f1)
if [[ ! -x "$ENV/bin/python" || "$(cat "$ENV/.requirements.sha256" 2>/dev/null)" != "$want" ]]; then
  echo "python-pcap-env: creating $ENV with $(grep -v '^#' "$REQ" | xargs)" >&2
  rm -rf "$ENV"
  mkdir -p "$(dirname "$ENV")"
  "$PY" -m venv "$ENV"
  "$ENV/bin/python" -m pip install --quiet --disable-pip-version-check --no-input -r "$REQ" >&2
  echo "$want" > "$ENV/.requirements.sha256"
fi
echo "$ENV/bin/python"
